# Only a regular file can hold a database. A device, a FIFO or a
# directory is refused with one line and exit status 1, before anything
# is read or written, and nothing is created beside it.
milestones: 01-05

## a character device
# /dev/null takes every write and keeps none: a database there would
# print "Executed." for rows it has already lost.
$ ln -s /dev/null null.db
$ strata null.db
Error: 'null.db' is not a regular file: a database must be one.
[exit 1]
$ strata /dev/null
Error: '/dev/null' is not a regular file: a database must be one.
[exit 1]
$ ls
null.db

## a FIFO
# Opening it cannot hang, waiting for a writer: it is refused at once.
$ mkfifo pipe.db
$ strata pipe.db
Error: 'pipe.db' is not a regular file: a database must be one.
[exit 1]
$ ls
pipe.db

## a directory
$ mkdir dir.db
$ strata dir.db
Error: cannot open 'dir.db': Is a directory
[exit 1]
$ ls
dir.db
