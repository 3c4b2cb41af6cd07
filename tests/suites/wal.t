# From milestone 04 on, every statement is a transaction written to a log
# (FILE-wal) and synced before "Executed." is printed; a checkpoint copies
# committed pages into the database file and starts the log over; closing
# removes it; opening a database redoes whatever the log holds.
# The .import tests of 04 count commits of 1000 rows; 05's .import
# commits a batch once it has changed 16,384 pages, so each of its loads
# here is one batch. They name a pool (05 on) of 256 frames.
milestones: 04-05

## .wal shows the log growing with each commit
# The first transaction creates the file's header page and empty tree;
# each insert is one more, with its leaf's page image and a commit record.
$ strata test.db
db > .wal
log: test.db-wal
bytes: 8304
records: 3 (2 page images, 1 commit)
pages ahead of the file: 2
last committed transaction: 1
db > insert 1 user1 person1@example.com
Executed.
db > insert 2 user2 person2@example.com
Executed.
db > .wal
log: test.db-wal
bytes: 16592
records: 7 (4 page images, 3 commits)
pages ahead of the file: 2
last committed transaction: 3
db > .checkpoint
Checkpoint: the file holds every committed change; the log starts over.
db > .wal
log: test.db-wal (empty: every committed change is in the file)
last committed transaction: 3
db > .checkpoint
Checkpoint: nothing to do.
db > .exit
$ ls
test.db

## a select changes nothing and writes nothing
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > .checkpoint
Checkpoint: the file holds every committed change; the log starts over.
db > select
(1, user1, person1@example.com)
Executed.
db > .wal
log: test.db-wal (empty: every committed change is in the file)
last committed transaction: 2
db > .exit

## a crash leaves the log; the next open redoes it
# STRATA_FAULT cuts the power at the 12th I/O point: the first write of
# the checkpoint that .exit starts. The database file is still empty, the
# log holds all four transactions.
$ printf 'insert %s user%s person%s@example.com\n' 1 1 1 2 2 2 3 3 3 > three.txt
$ STRATA_FAULT=crash=12,seed=1 strata test.db < three.txt > /dev/null
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

## a torn log tail is dropped
# The last 100 bytes of the log are cut off, as if the power went out
# while the third insert was being written: it was never acknowledged,
# so dropping it loses nothing that was promised.
$ printf 'insert %s user%s person%s@example.com\n' 1 1 1 2 2 2 3 3 3 > three.txt
$ STRATA_FAULT=crash=12,seed=1 strata test.db < three.txt > /dev/null
[exit 99]
$ wc -c < test.db-wal
20736
$ dd if=test.db-wal of=cut.wal bs=1 count=20636 2>/dev/null
$ mv cut.wal test.db-wal
$ strata test.db
Recovered test.db-wal: replayed 3 transactions, dropped 4044 bytes (a record is cut short at byte 16592).
db > select
(1, user1, person1@example.com)
(2, user2, person2@example.com)
Executed.
db > .check
ok
db > .exit

## a damaged record in the middle stops recovery there, and says so
# One byte of the second insert's page image is changed. Recovery keeps
# every transaction before it and nothing after: it cannot trust a commit
# that follows a record it cannot read.
$ printf 'insert %s user%s person%s@example.com\n' 1 1 1 2 2 2 3 3 3 > three.txt
$ STRATA_FAULT=crash=12,seed=1 strata test.db < three.txt > /dev/null
[exit 99]
$ printf '\377' | dd of=test.db-wal bs=1 seek=12508 conv=notrunc 2>/dev/null
$ strata test.db
Recovered test.db-wal: replayed 2 transactions, dropped 8288 bytes (bad checksum in the record at byte 12448).
db > select
(1, user1, person1@example.com)
Executed.
db > .exit

## a log whose header is damaged is left alone, and the open refused
# A crash cannot leave a whole log header that is wrong, so recovery does
# not guess: the log may hold committed changes, and a person decides.
# Nor can it leave a header of zeros before valid records: a header is
# synced before any record of its generation is written.
$ printf 'insert %s user%s person%s@example.com\n' 1 1 1 2 2 2 3 3 3 > three.txt
$ STRATA_FAULT=crash=12,seed=1 strata test.db < three.txt > /dev/null
[exit 99]
$ printf '\377' | dd of=test.db-wal bs=1 seek=20 conv=notrunc 2>/dev/null
$ cp test.db-wal saved.wal
$ strata test.db
Error: 'test.db-wal' is not a log of this format, or its header is damaged; it may hold committed changes: move it away to open the database without them
[exit 1]
$ cmp saved.wal test.db-wal && echo unchanged
unchanged
$ dd if=/dev/zero of=test.db-wal bs=40 count=1 conv=notrunc 2>/dev/null
$ cp test.db-wal saved.wal
$ strata test.db
Error: 'test.db-wal' has a header of zeros, but valid records after it; they may be committed changes: move it away to open the database without them
[exit 1]
$ cmp saved.wal test.db-wal && echo unchanged
unchanged

## a header of zeros with nothing after it is dropped
# All that a crash leaves of a new log whose header never reached the
# disk: no commit was behind it.
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > .exit
$ head -c 40 /dev/zero > test.db-wal
$ strata test.db
Recovered test.db-wal: replayed 0 transactions, dropped 40 bytes (the log header is incomplete).
db > select
(1, user1, person1@example.com)
Executed.
db > .exit
$ ls
test.db

## a failed fsync ends all writing for the session
# The fourth sync is the log's sync for the first insert (the first three
# are the syncs of the log's header, its directory, and the commit that
# made the file's header page and empty tree). Its outcome is
# unknown, so strata does not retry: it refuses every later change, keeps
# reading, and exits with status 1. The next open redoes whatever the log
# holds: here the insert did reach the disk, so it is there.
$ STRATA_FAULT=eio=4,kind=sync strata test.db
db > insert 1 user1 person1@example.com
Error: syncing the log test.db-wal failed: Input/output error; the database takes no more changes in this session (restart strata to recover)
db > insert 2 user2 person2@example.com
Error: the database takes no more changes in this session after syncing the log test.db-wal failed: Input/output error; restart strata to recover
db > select
Executed.
db > .exit
Error: the session ended after a failed write or sync; the next open recovers what the log holds
[exit 1]
$ strata test.db
Recovered test.db-wal: replayed 2 transactions, dropped 0 bytes.
db > select
(1, user1, person1@example.com)
Executed.
db > .exit

## a failed sync after a root split leaves the old tree readable
# Fifteen long rows fill the root leaf; the sixteenth splits it, which
# gives the tree a new root page. Its commit's sync fails (the session's
# first sync), so the split is rolled back in memory: the old root is the
# root again, and reads go on as if the insert had never run.
$ awk 'BEGIN { for (i = 0; i < 250; i++) e = e "e"; for (id = 1; id <= 15; id++) print "insert", id, "user" id, e "@x.io" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
15
$ STRATA_FAULT=eio=1,kind=sync strata test.db
db > insert 16 user16 person16@example.com
Error: syncing the log test.db-wal failed: Input/output error; the database takes no more changes in this session (restart strata to recover)
db > select 16
Error: Key not found.
db > .btree
Tree:
- leaf (size 15)
  - 1
  - 2
  - 3
  - 4
  - 5
  - 6
  - 7
  - 8
  - 9
  - 10
  - 11
  - 12
  - 13
  - 14
  - 15
db > .check
ok
db > .exit
Error: the session ended after a failed write or sync; the next open recovers what the log holds
[exit 1]

## .import loads a CSV file, one commit per batch
milestones: 04
$ printf 'id,username,email\n' > rows.csv
$ seq 1 2500 | awk '{ print $1 ",user" $1 ",person" $1 "@example.com" }' >> rows.csv
$ STRATA_POOL_PAGES=256 strata test.db
db > .import rows.csv
Imported 2500 rows in 3 commits.
db > select 2500
(2500, user2500, person2500@example.com)
Executed.
db > .check
ok
db > .exit

## .import loads a CSV file in one commit
# 2,500 short rows change a few dozen pages, far fewer than the 16,384
# that end a batch of 05.
milestones: 05
$ printf 'id,username,email\n' > rows.csv
$ seq 1 2500 | awk '{ print $1 ",user" $1 ",person" $1 "@example.com" }' >> rows.csv
$ STRATA_POOL_PAGES=256 strata test.db
db > .import rows.csv
Imported 2500 rows in 1 commit.
db > select 2500
(2500, user2500, person2500@example.com)
Executed.
db > .check
ok
db > .exit

## a bad line stops .import: earlier batches stay, its batch goes
# Line 1502 repeats id 5. The first batch (lines 1 to 1000) was committed
# and stays; the second batch, lines 1001 to 1502, is rolled back whole.
milestones: 04
$ seq 1 1501 | awk '{ print $1 ",user" $1 ",person" $1 "@example.com" }' > rows.csv
$ echo '5,again,again@example.com' >> rows.csv
$ STRATA_POOL_PAGES=256 strata test.db
db > .import rows.csv
Error: rows.csv line 1502: Duplicate key. The 1000 rows before line 1001 stay; lines 1001 to 1502 were rolled back.
db > select 1000
(1000, user1000, person1000@example.com)
Executed.
db > select 1001
Error: Key not found.
db > .check
ok
db > .exit

## a bad line stops .import: its batch goes
# The same file: line 1502 repeats id 5. In 05 every line before it is
# in the same batch, which is rolled back whole.
milestones: 05
$ seq 1 1501 | awk '{ print $1 ",user" $1 ",person" $1 "@example.com" }' > rows.csv
$ echo '5,again,again@example.com' >> rows.csv
$ STRATA_POOL_PAGES=256 strata test.db
db > .import rows.csv
Error: rows.csv line 1502: Duplicate key. Nothing was imported.
db > select 1
Error: Key not found.
db > .check
ok
db > .exit

## with small batches, earlier batches stay
# The same file, in batches of 8 pages (--batch-pages): the batches
# before the one with line 1502 were committed, and stay.
milestones: 05
$ seq 1 1501 | awk '{ print $1 ",user" $1 ",person" $1 "@example.com" }' > rows.csv
$ echo '5,again,again@example.com' >> rows.csv
$ STRATA_POOL_PAGES=256 strata --batch-pages 8 test.db
db > .import rows.csv
Error: rows.csv line 1502: Duplicate key. The 1287 rows before line 1288 stay; lines 1288 to 1502 were rolled back.
db > select 1287
(1287, user1287, person1287@example.com)
Executed.
db > select 1288
Error: Key not found.
db > .check
ok
db > .exit

## a read error stops .import at the line it was reading
# STRATA_FAULT=eio=3,kind=input fails the third read of the CSV file,
# which .import reads 32 KiB at a time: the second read ended inside
# line 1861. That line cannot be read whole, and nothing from it on is
# imported or claimed.
milestones: 04
$ seq 1 2500 | awk '{ print $1 ",user" $1 ",person" $1 "@example.com" }' > rows.csv
$ STRATA_FAULT=eio=3,kind=input STRATA_POOL_PAGES=256 strata test.db
db > .import rows.csv
Error: rows.csv line 1861: reading 'rows.csv' failed: Input/output error. The 1000 rows before line 1001 stay; lines 1001 to 1861 were rolled back.
db > select 1000
(1000, user1000, person1000@example.com)
Executed.
db > select 1001
Error: Key not found.
db > .check
ok
db > .exit

## a read error stops .import at the line it was reading
# The same read error in 05: line 1861 cannot be read whole, and the one
# batch, lines 1 to 1860, is rolled back.
milestones: 05
$ seq 1 2500 | awk '{ print $1 ",user" $1 ",person" $1 "@example.com" }' > rows.csv
$ STRATA_FAULT=eio=3,kind=input STRATA_POOL_PAGES=256 strata test.db
db > .import rows.csv
Error: rows.csv line 1861: reading 'rows.csv' failed: Input/output error. Nothing was imported.
db > select 1
Error: Key not found.
db > .check
ok
db > .exit

## .import says what is wrong with a line, and where
$ printf '1,a,a@x.io\n2,b\n' > fields.csv
$ printf '1,a,a@x.io\nabc,b,b@x.io\n' > id.csv
$ printf '0,a,a@x.io\n' > zero.csv
$ printf '7,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,a@x.io\n' > long.csv
$ printf '8,a b,a@x.io\n' > space.csv
$ printf '9,a,\n' > empty.csv
$ printf '10,a\0b,a@x.io\n' > nul.csv
$ printf '%02000d,a,a@x.io\n' 11 > wide.csv
$ mkdir dir.csv
$ STRATA_POOL_PAGES=256 strata test.db
db > .import fields.csv
Error: fields.csv line 2: expected 3 fields (id,username,email), found 2. Nothing was imported.
db > .import id.csv
Error: id.csv line 2: the id 'abc' is not a number. Nothing was imported.
db > .import zero.csv
Error: zero.csv line 1: ID must be positive. Nothing was imported.
db > .import long.csv
Error: long.csv line 1: String is too long. Nothing was imported.
db > .import space.csv
Error: space.csv line 1: the username is empty or holds white space, which insert cannot take either. Nothing was imported.
db > .import empty.csv
Error: empty.csv line 1: the email is empty or holds white space, which insert cannot take either. Nothing was imported.
db > .import nul.csv
Error: nul.csv line 1: the line holds a NUL byte. Nothing was imported.
db > .import wide.csv
Error: wide.csv line 1: the line is over 1024 bytes long, longer than any row. Nothing was imported.
db > .import dir.csv
Error: cannot import 'dir.csv': it is a directory
db > .import missing.csv
Error: cannot open 'missing.csv': No such file or directory
db > .import
Usage: .import FILE
db > select
Executed.
db > .exit

## a log past 4 MiB is checkpointed by itself
# 20,000 rows of about 230 bytes fill well over 4 MiB of page images;
# each time the log passes the limit, a checkpoint empties it.
milestones: 04
$ seq 1 20000 | awk '{ e = sprintf("%0200d", $1); print $1 ",user" $1 "," e }' > big.csv
$ STRATA_POOL_PAGES=256 strata test.db
db > .import big.csv
Imported 20000 rows in 20 commits.
db > .wal
log: test.db-wal
bytes: 939448
records: 230 (228 page images, 2 commits)
pages ahead of the file: 226
last committed transaction: 21
db > .check
ok
db > .exit

## a log past 4 MiB is checkpointed by itself
# In 05 the 20,000 rows are one batch of 2,233 pages: more than the
# 256 frames, so most were spilled to the log before the commit, which
# took the log past 4 MiB and was checkpointed right after.
milestones: 05
$ seq 1 20000 | awk '{ e = sprintf("%0200d", $1); print $1 ",user" $1 "," e }' > big.csv
$ STRATA_POOL_PAGES=256 strata test.db
db > .import big.csv
Imported 20000 rows in 1 commit.
db > .stats
buffer pool: 256 frames, lru
hits: 109918
misses: 2233
hit ratio: 98.0%
evictions: 1977
dirty write-backs: 0
pages read: 0
pages written: 256
pages spilled to the log: 1977
db > .wal
log: test.db-wal (empty: every committed change is in the file)
last committed transaction: 2
db > .check
ok
db > .exit
