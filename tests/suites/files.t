# Opening files: strata creates a missing file, and refuses, with one
# clear line and exit status 1, any file it cannot read as its own. A
# refused file is left exactly as it was.
milestones: 01-05

## a missing file is created
$ strata new.db
db > .exit
$ ls
new.db

## an empty file is a new database
$ : > empty.db
$ strata empty.db
db > insert 1 user1 person1@example.com
Executed.
db > .exit
$ strata empty.db
db > select
(1, user1, person1@example.com)
Executed.
db > .exit

## another program's file is refused and left untouched
$ printf 'These are my notes, not a database.\n' > notes.txt
$ cksum notes.txt
1230093160 36 notes.txt
$ strata notes.txt
Error: 'notes.txt' is not a Strata database.
[exit 1]
$ cksum notes.txt
1230093160 36 notes.txt

## a file shorter than its header
$ printf 'Strata' > short.db
$ strata short.db
Error: 'short.db' is truncated: 6 bytes is less than one page.
[exit 1]

## a file that is not a whole number of pages
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > .exit
$ dd if=test.db of=cut.db bs=1000 count=5 2>/dev/null
$ strata cut.db
Error: 'cut.db' is truncated: 5000 bytes is not a whole number of 4096-byte pages.
[exit 1]

## a file cut short at a page boundary
# The header counts the file's pages. These 30 rows fill four leaves
# (pages 1, 2, 4 and 5) under a root in page 3; cut after page 3, the
# file would hand out pages 4 and 5 as new ones while the root still
# points to them. (Milestone 01 counts rows instead: files-01.t.)
milestones: 02-05
$ seq 1 30 | awk '{ printf "insert %d %032d %0255d\n", $1, $1, $1 }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
30
$ head -c 16384 test.db > cut.db
$ cp cut.db before.db
$ strata cut.db
Error: 'cut.db' is truncated: its header counts 6 pages, the file holds 4.
[exit 1]
$ cmp cut.db before.db

## a file longer than its header says
# A page appended to the file is refused as well: it belongs to nothing.
milestones: 02-05
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > .exit
$ head -c 4096 /dev/zero >> test.db
$ strata test.db
Error: 'test.db' is corrupt: its header counts 2 pages, the file holds 3.
[exit 1]

## a directory
$ mkdir dir.db
$ strata dir.db
Error: cannot open 'dir.db': Is a directory
[exit 1]

## a file in a directory that does not exist
$ strata nowhere/test.db
Error: cannot open 'nowhere/test.db': No such file or directory
[exit 1]
