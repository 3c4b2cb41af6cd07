# Milestone 05 keeps pages in a buffer pool of a fixed number of frames,
# whatever the size of the file. .pool shows the frames, .stats counts
# what happened to them.
milestones: 05

## a frame's life: clean, changing, committed, clean
# Opening the file reads its header and root: clean frames. A statement's
# pages are "changing" while it runs and may leave the pool only through
# the log; once committed they may, after being written back to the
# file; a checkpoint writes them all back, and they are clean again.
$ strata test.db
db > .exit
$ strata --pool-pages 8 test.db
db > .pool
buffer pool: 8 frames, lru
frame  page  pins  state
    0     0     0  clean
    1     1     0  clean
6 frames empty
lru: least recent first: 0 1
db > insert 1 user1 person1@example.com
Executed.
db > .pool
buffer pool: 8 frames, lru
frame  page  pins  state
    0     0     0  clean
    1     1     0  committed
6 frames empty
lru: least recent first: 0 1
db > .checkpoint
Checkpoint: the file holds every committed change; the log starts over.
db > .pool
buffer pool: 8 frames, lru
frame  page  pins  state
    0     0     0  clean
    1     1     0  clean
6 frames empty
lru: least recent first: 1 0
db > .exit

## a pool smaller than the file keeps working
# 1,500 long rows fill 187 leaves; 8 frames hold at most 8 pages.
$ awk 'BEGIN { for (i = 0; i < 250; i++) e = e "e"; for (id = 1; id <= 1500; id++) print id ",user" id "," e }' > rows.csv
$ strata --pool-pages 8 test.db
db > .import rows.csv
Imported 1500 rows in 1 commit.
db > .check
ok
db > select 750
(750, user750, eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee)
Executed.
db > .exit
$ echo .pages | strata test.db | grep -c leaf
187

## a scan bigger than the pool misses every time
# A full scan reads every leaf once. With 8 frames, each leaf pushes out
# an older one, so the second scan finds none of them: the pool is
# flooded. With 256 frames every page stays, and the second scan only
# hits.
$ awk 'BEGIN { for (i = 0; i < 250; i++) e = e "e"; for (id = 1; id <= 1500; id++) print id ",user" id "," e }' > rows.csv
$ STRATA_POOL_PAGES=256 strata test.db
db > .import rows.csv
Imported 1500 rows in 1 commit.
db > .exit
$ printf 'select\n.stats\nselect\n.stats\n' | strata --pool-pages 8 test.db | grep -e misses -e hits -e evictions
hits: 2
misses: 189
evictions: 181
hits: 2
misses: 378
evictions: 370
$ printf 'select\n.stats\nselect\n.stats\n' | strata --pool-pages 8 --eviction clock test.db | grep -e misses -e hits -e evictions
hits: 2
misses: 189
evictions: 181
hits: 2
misses: 378
evictions: 370
$ printf 'select\n.stats\nselect\n.stats\n' | strata --pool-pages 256 test.db | grep -e misses -e hits -e evictions
hits: 2
misses: 189
evictions: 0
hits: 191
misses: 189
evictions: 0

## the same lookups in LRU and clock
# Point selects that come back to the same few rows most of the time:
# both policies keep the pages used most, and differ in the others.
$ awk 'BEGIN { for (i = 0; i < 250; i++) e = e "e"; for (id = 1; id <= 1500; id++) print id ",user" id "," e }' > rows.csv
$ STRATA_POOL_PAGES=256 strata test.db
db > .import rows.csv
Imported 1500 rows in 1 commit.
db > .exit
$ awk 'BEGIN { for (i = 0; i < 600; i++) print "select " (i % 5 == 0 ? 1 + (i * 37) % 1500 : 1 + i % 20) }' > lookups.txt
$ (cat lookups.txt; echo .stats) | strata --pool-pages 8 --eviction lru test.db | grep -e "hit ratio" -e misses
misses: 151
hit ratio: 91.6%
$ (cat lookups.txt; echo .stats) | strata --pool-pages 8 --eviction clock test.db | grep -e "hit ratio" -e misses
misses: 210
hit ratio: 88.3%

## in 8 frames an import spills what the pool cannot keep, at any height
# 5,000 long rows in id order fill 625 leaves under a root and three
# internal nodes: one batch of far more pages than 8 frames. When no
# frame is free of the batch's changes, the pool spills one to the log,
# and a page spilled is read back from there if the batch needs it
# again. All is one commit, and recovery has nothing to redo.
$ awk 'BEGIN { for (i = 0; i < 250; i++) e = e "e"; for (id = 1; id <= 5000; id++) print id ",user" id "," e }' > rows.csv
$ strata --pool-pages 8 test.db
db > .import rows.csv
Imported 5000 rows in 1 commit.
db > .stats
buffer pool: 8 frames, lru
hits: 25484
misses: 630
hit ratio: 97.6%
evictions: 622
dirty write-backs: 0
pages read: 0
pages written: 0
pages spilled to the log: 622
db > .check
ok
db > .exit
$ echo .btree | strata test.db | grep internal
- internal (size 2)
  - internal (size 204)
  - internal (size 204)
  - internal (size 214)

## a batch that rolls back after spilling leaves the table as it was
# 2,000 long rows in an order of their ids that jumps about spill pages
# and read them back; a page spilled again is written over its own
# record, so the log has fewer page images than there were spills. The
# last line repeats an id. The rollback takes the spilled pages back:
# an abort record in the log says that they do not count, and the rows
# before stay.
$ seq 1 300 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' | strata test.db | grep -c Executed
300
$ awk 'BEGIN { for (i = 0; i < 250; i++) e = e "e"; for (n = 0; n < 2000; n++) print 1000 + (n * 7919) % 100003 ",user" n "," e }' > random.csv
$ echo '7,again,again@x.io' >> random.csv
$ strata --pool-pages 8 test.db
db > .import random.csv
Error: random.csv line 2001: Duplicate key. Nothing was imported.
db > .stats
buffer pool: 8 frames, lru
hits: 5130
misses: 4205
hit ratio: 55.0%
evictions: 4197
dirty write-backs: 0
pages read: 4015
pages written: 0
pages spilled to the log: 2098
db > .wal
log: test.db-wal
bytes: 786984
records: 192 (191 page images, 0 commits, 1 abort)
pages ahead of the file: 0
last committed transaction: 301
db > select 7
(7, user7, person7@example.com)
Executed.
db > .check
ok
db > .exit
$ echo select | strata test.db | grep -c user
300

## the clock hand and the LRU order, as .pool shows them
# 2,000 short rows make 37 leaves under one root. Six selects in six
# leaves fill a pool of 8 frames. Under clock every frame's bit is then
# set, so the next page to come in sends the hand once around, clearing
# them all, and it takes frame 0, where it started: the header, which
# every select uses. LRU gives up the least recently used frame
# instead: the leaf of the first select.
$ seq 1 2000 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' | strata test.db | grep -c Executed
2000
$ strata --pool-pages 8 --eviction clock test.db
db > select 1
(1, user1, person1@example.com)
Executed.
db > select 300
(300, user300, person300@example.com)
Executed.
db > select 600
(600, user600, person600@example.com)
Executed.
db > select 900
(900, user900, person900@example.com)
Executed.
db > select 1200
(1200, user1200, person1200@example.com)
Executed.
db > select 1500
(1500, user1500, person1500@example.com)
Executed.
db > .pool
buffer pool: 8 frames, clock
frame  page  pins  state
    0     0     0  clean
    1     3     0  clean
    2     1     0  clean
    3     7     0  clean
    4    12     0  clean
    5    18     0  clean
    6    24     0  clean
    7    30     0  clean
clock: hand at frame 0, referenced: 0 1 2 3 4 5 6 7
db > select 1900
(1900, user1900, person1900@example.com)
Executed.
db > .pool
buffer pool: 8 frames, clock
frame  page  pins  state
    0    38     0  clean
    1     3     0  clean
    2     1     0  clean
    3     7     0  clean
    4    12     0  clean
    5    18     0  clean
    6    24     0  clean
    7    30     0  clean
clock: hand at frame 1, referenced: 0
db > .exit
$ strata --pool-pages 8 --eviction lru test.db
db > select 1
(1, user1, person1@example.com)
Executed.
db > select 300
(300, user300, person300@example.com)
Executed.
db > select 600
(600, user600, person600@example.com)
Executed.
db > select 900
(900, user900, person900@example.com)
Executed.
db > select 1200
(1200, user1200, person1200@example.com)
Executed.
db > select 1500
(1500, user1500, person1500@example.com)
Executed.
db > .pool
buffer pool: 8 frames, lru
frame  page  pins  state
    0     0     0  clean
    1     3     0  clean
    2     1     0  clean
    3     7     0  clean
    4    12     0  clean
    5    18     0  clean
    6    24     0  clean
    7    30     0  clean
lru: least recent first: 2 3 4 5 6 0 1 7
db > select 1900
(1900, user1900, person1900@example.com)
Executed.
db > .pool
buffer pool: 8 frames, lru
frame  page  pins  state
    0     0     0  clean
    1     3     0  clean
    2    38     0  clean
    3     7     0  clean
    4    12     0  clean
    5    18     0  clean
    6    24     0  clean
    7    30     0  clean
lru: least recent first: 3 4 5 6 7 0 1 2
db > .exit

## an import that grows the tree a level fits where the inserts do
# 3,279 long rows in id order leave the root one key short of splitting.
# Three more rows split it: the third insert changes 2 * 3 + 2 = 8 pages,
# all of an 8-frame pool. Inserted one by one they go in, so the import
# must too (it once checked the tree's height after the insert, which
# took a ninth frame).
$ awk 'BEGIN { for (i = 0; i < 250; i++) e = e "e"; for (id = 1; id <= 3279; id++) print id * 10 ",user" id "," e; }' > base.csv
$ awk 'BEGIN { for (i = 0; i < 250; i++) e = e "e"; print "10005,ua," e; print "20005,ub," e; print "32800,uc," e }' > three.csv
$ echo .import base.csv | STRATA_POOL_PAGES=256 strata test.db | grep -c Imported
1
$ strata --pool-pages 8 test.db
db > .import three.csv
Imported 3 rows in 1 commit.
db > .check
ok
db > .exit
