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

## a directory
$ mkdir dir.db
$ strata dir.db
Error: cannot open 'dir.db': Is a directory
[exit 1]

## a file in a directory that does not exist
$ strata nowhere/test.db
Error: cannot open 'nowhere/test.db': No such file or directory
[exit 1]
