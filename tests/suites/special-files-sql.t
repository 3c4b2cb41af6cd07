# special-files.t from milestone 06 on: only a regular file can hold a
# database. A device, a FIFO or a directory is refused with one line and
# exit status 1, before anything is read or written, and nothing is
# created beside it.
milestones: 06-

## a character device
# /dev/null takes every write and keeps none: a database there would
# acknowledge rows it has already lost.
$ ln -s /dev/null null.db
$ strata null.db -c 'SELECT 1;'
strata: 'null.db' is not a regular file: a database must be one.
[exit 1]
$ strata /dev/null -c 'SELECT 1;'
strata: '/dev/null' is not a regular file: a database must be one.
[exit 1]
$ ls
null.db

## a FIFO
# Opening it cannot hang, waiting for a writer: it is refused at once.
$ mkfifo pipe.db
$ strata pipe.db -c 'SELECT 1;'
strata: 'pipe.db' is not a regular file: a database must be one.
[exit 1]
$ ls
pipe.db

## a directory
$ mkdir dir.db
$ strata dir.db -c 'SELECT 1;'
strata: cannot open 'dir.db': Is a directory
[exit 1]
$ ls
dir.db
