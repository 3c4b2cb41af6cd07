# From milestone 04 on, a log is redone only into the database it belongs
# to, at the point of its history it follows. The file's header holds a
# random database id, chosen when the file was made, and the last
# transaction its last checkpoint wrote; every header of its log holds the
# same id and the checkpoint it follows. A log that is another database's,
# or older or newer than the file, is refused in one line and left as it
# is: the open fails, nothing is written, and a person decides.
# Each test makes its log with a crash at the 12th I/O point, the first
# write of the checkpoint that .exit starts: the log then holds four
# transactions (the file's first, and three inserts), the file nothing.
milestones: 04-05

## a stale log is refused, and stays
# A copy of the log is kept, as a backup would; the database goes on: the
# log is redone, row 2 is deleted, 147 rows are added. Put back, the old
# log would bring row 2 back and set the page count of a file four times
# its size. It follows transaction 0; the file holds 152.
$ printf 'insert %s user%s person%s@example.com\n' 1 1 1 2 2 2 3 3 3 > three.txt
$ seq 4 150 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > more.txt
$ STRATA_FAULT=crash=12,seed=1 strata test.db < three.txt > /dev/null
[exit 99]
$ cp test.db-wal old.wal
$ strata test.db
Recovered test.db-wal: replayed 4 transactions, dropped 0 bytes.
db > delete 2
Executed.
db > .exit
$ strata test.db < more.txt | grep -c Executed
147
$ cp old.wal test.db-wal
$ strata test.db
Error: 'test.db-wal' is stale: it follows transaction 0, and the database file holds every transaction up to 152; it was not applied: move it away to open the database
[exit 1]
$ cmp old.wal test.db-wal && echo unchanged
unchanged
$ mv test.db-wal aside.wal
$ strata test.db
db > select 2
Error: Key not found.
db > select 150
(150, user150, person150@example.com)
Executed.
db > .check
ok
db > .exit

## a database file older than its log is refused
# The other way round: the file is put back as it was two sessions ago,
# after its first insert (transaction 2), next to the log that a crash
# left in a session that followed transaction 3.
$ printf 'insert %s user%s person%s@example.com\n' 1 1 1 > one.txt
$ printf 'insert %s user%s person%s@example.com\n' 2 2 2 > two.txt
$ printf 'insert %s user%s person%s@example.com\n' 3 3 3 4 4 4 5 5 5 > more.txt
$ strata test.db < one.txt | grep -c Executed
1
$ cp test.db old.db
$ strata test.db < two.txt | grep -c Executed
1
$ STRATA_FAULT=crash=8,seed=1 strata test.db < more.txt > /dev/null
[exit 99]
$ cp old.db test.db
$ strata test.db
Error: 'test.db-wal' follows transaction 3, but the database file holds transactions only up to 2 (an older copy of the file?); it was not applied: move it away to open the database
[exit 1]

## another database's log is refused
$ printf 'insert %s user%s person%s@example.com\n' 1 1 1 2 2 2 3 3 3 > three.txt
$ STRATA_FAULT=crash=12,seed=1 strata a.db < three.txt > /dev/null
[exit 99]
$ strata b.db
db > insert 7 seven seven@example.com
Executed.
db > .exit
$ cp a.db-wal b.db-wal
$ strata b.db
Error: 'b.db-wal' is the log of another database: it was not applied; move it away to open the database
[exit 1]
$ cmp a.db-wal b.db-wal && echo unchanged
unchanged
$ rm b.db-wal
$ strata b.db
db > select
(7, seven, seven@example.com)
Executed.
db > .exit

## the log of a database that is gone is not applied to a new file
# The database file was moved or deleted, its log left behind: opening
# the name again does not make a new file to redo it into.
$ printf 'insert %s user%s person%s@example.com\n' 1 1 1 2 2 2 3 3 3 > three.txt
$ STRATA_FAULT=crash=12,seed=1 strata test.db < three.txt > /dev/null
[exit 99]
$ mv test.db moved.db
$ cp test.db-wal saved.wal
$ strata test.db
Error: 'test.db' does not exist, but its log 'test.db-wal' does: a log is never applied to a new file; move it away to make a new database
[exit 1]
$ ls
moved.db
saved.wal
test.db-wal
three.txt
$ cmp saved.wal test.db-wal && echo unchanged
unchanged

## a checkpointed database's log is not applied to an empty file
$ printf 'insert %s user%s person%s@example.com\n' 1 1 1 2 2 2 3 3 3 > three.txt
$ printf 'insert %s user%s person%s@example.com\n' 4 4 4 5 5 5 > two.txt
$ strata test.db < three.txt | grep -c Executed
3
$ STRATA_FAULT=crash=8,seed=1 strata test.db < two.txt > /dev/null
[exit 99]
$ : > test.db
$ strata test.db
Error: 'test.db-wal' follows transaction 4 of a database, but the database file has no header: it was not applied; move it away to open the database
[exit 1]

## the log that a checkpoint has just written into the file is redone
# The 18th I/O point is the removal of the log at .exit, after the file
# was synced: the file holds every transaction, and so does the log, which
# ends with the checkpoint's record. Redoing it writes the same bytes.
$ printf 'insert %s user%s person%s@example.com\n' 1 1 1 2 2 2 3 3 3 > three.txt
$ STRATA_FAULT=crash=18,seed=1 strata test.db < three.txt > /dev/null
[exit 99]
$ ls
test.db
test.db-wal
three.txt
$ strata test.db
Recovered test.db-wal: replayed 4 transactions, dropped 0 bytes.
db > select
(1, user1, person1@example.com)
(2, user2, person2@example.com)
(3, user3, person3@example.com)
Executed.
db > .check
ok
db > .exit
$ ls
test.db
three.txt

## every name of the database finds the same log
# The log is named after the file that a symbolic link leads to: a crash
# in a session opened through the link leaves real.db-wal, which opening
# real.db redoes, and the link then reads the same rows.
$ printf 'insert 1 user1 person1@example.com\n' > one.txt
$ printf 'insert %s user%s person%s@example.com\n' 2 2 2 3 3 3 > two.txt
$ strata real.db < one.txt | grep -c Executed
1
$ ln -s real.db link.db
$ STRATA_FAULT=crash=8,seed=1 strata link.db < two.txt > /dev/null
[exit 99]
$ ls
link.db
one.txt
real.db
real.db-wal
two.txt
$ strata real.db
Recovered real.db-wal: replayed 2 transactions, dropped 0 bytes.
db > .exit
$ strata link.db
db > select
(1, user1, person1@example.com)
(2, user2, person2@example.com)
(3, user3, person3@example.com)
Executed.
db > .wal
log: real.db-wal (empty: every committed change is in the file)
last committed transaction: 4
db > .exit

## a log in another format is refused
# Byte 8 of the log header is its format version: 2 since the log
# carries its database's id; a log of format 1 is not read.
milestones: 04
$ printf 'insert %s user%s person%s@example.com\n' 1 1 1 2 2 2 3 3 3 > three.txt
$ STRATA_FAULT=crash=12,seed=1 strata test.db < three.txt > /dev/null
[exit 99]
$ printf '\001' | dd of=test.db-wal bs=1 seek=8 conv=notrunc 2>/dev/null
$ strata test.db
Error: 'test.db-wal' is a log in format 1; this milestone (04-wal) reads format 2: it was not applied
[exit 1]

## a log in another format is refused
# The same in 05, whose log is of format 3: it may hold abort records
# (a transaction that spilled pages to the log, then rolled back), which
# 04 would take for the end of the log. So 04 refuses 05's log, and 05
# 04's, as they refuse a log of format 1.
milestones: 05
$ printf 'insert %s user%s person%s@example.com\n' 1 1 1 2 2 2 3 3 3 > three.txt
$ STRATA_FAULT=crash=12,seed=1 strata test.db < three.txt > /dev/null
[exit 99]
$ printf '\001' | dd of=test.db-wal bs=1 seek=8 conv=notrunc 2>/dev/null
$ strata test.db
Error: 'test.db-wal' is a log in format 1; this milestone (05-buffer-pool) reads format 3: it was not applied
[exit 1]

## .import refuses the database and its log, by any name
# Reading them as CSV would fail line by line; worse, it would open the
# database file a second time.
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > .exit
$ ln test.db hard.csv
$ ln -s test.db soft.csv
$ strata test.db
db > insert 2 user2 person2@example.com
Executed.
db > .import test.db
Error: cannot import 'test.db': it is the database itself, or its log
db > .import hard.csv
Error: cannot import 'hard.csv': it is the database itself, or its log
db > .import soft.csv
Error: cannot import 'soft.csv': it is the database itself, or its log
db > .import test.db-wal
Error: cannot import 'test.db-wal': it is the database itself, or its log
db > select
(1, user1, person1@example.com)
(2, user2, person2@example.com)
Executed.
db > .exit
