# From milestone 03 on, every tree page is a slotted page: a slot
# directory at the front, cells packed at the back, the free gap between.
# A row takes only the bytes it needs; deletes leave holes that an insert
# reclaims by compacting the page; splits share bytes, not cell counts.
milestones: 03-05

## .constants shows the slotted page layout
milestones: 03
$ strata test.db
db > .constants
Constants:
PAGE_SIZE: 4096
PAGE_HEADER_SIZE: 12
PAGE_SLOT_SIZE: 2
PAGE_CAPACITY: 4084
LEAF_CELL_HEADER_SIZE: 6
ROW_MAX_SIZE: 289
INTERNAL_CELL_SIZE: 8
INTERNAL_NODE_MAX_KEYS: 408
NODE_MIN_FILL: 1361
db >

## .constants shows the slotted page layout
# The same from 04 on, where the last 4 bytes of every page are its
# checksum: the cells end 4 bytes earlier.
milestones: 04-05
$ strata test.db
db > .constants
Constants:
PAGE_SIZE: 4096
PAGE_HEADER_SIZE: 12
PAGE_SLOT_SIZE: 2
PAGE_CAPACITY: 4080
LEAF_CELL_HEADER_SIZE: 6
ROW_MAX_SIZE: 289
INTERNAL_CELL_SIZE: 8
INTERNAL_NODE_MAX_KEYS: 408
NODE_MIN_FILL: 1360
db >

## a row takes only the bytes it needs
# user1 and person1@example.com make a 26-byte record: a 32-byte cell
# (key 4, value size 2) plus a 2-byte slot, where milestone 02 used 297.
milestones: 03
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > insert 2 a b
Executed.
db > .page 1
Page 1: leaf, root
cells: 2
cell area start: 4054
free: 4038 bytes (gap 4038, fragmented 0)
next leaf: 0
slot  offset  size  key
   0    4064    32  1
   1    4054    10  2
db > .pages
page  type      cells  free  fragmented
   0  header
   1  leaf          2  4038           0
db > .exit

## a row takes only the bytes it needs
# The same from 04 on, where the last 4 bytes of every page are its
# checksum: the cells end 4 bytes earlier.
milestones: 04-05
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > insert 2 a b
Executed.
db > .page 1
Page 1: leaf, root
cells: 2
cell area start: 4050
free: 4034 bytes (gap 4034, fragmented 0)
next leaf: 0
slot  offset  size  key
   0    4060    32  1
   1    4050    10  2
db > .pages
page  type      cells  free  fragmented
   0  header
   1  leaf          2  4034           0
db > .exit

## an insert that only fits after compacting the page
# Fifteen rows of about 270 bytes leave 28 bytes free. Two deletes punch
# two holes, 536 bytes in all, counted as fragmented: the bytes stay where
# they were. The next row needs 271 bytes: more than the gap, less than
# the gap plus the holes, so the page is compacted and no split happens.
# One more row still fits; only the one after that splits the leaf.
milestones: 03
$ awk 'BEGIN { for (i = 0; i < 250; i++) e = e "e"; for (id = 1; id <= 15; id++) print "insert", id, "user" id, e "@x.io" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
15
$ strata test.db
db > .pages
page  type      cells  free  fragmented
   0  header
   1  leaf         15    28           0
db > delete 3
Executed.
db > delete 7
Executed.
db > .pages
page  type      cells  free  fragmented
   0  header
   1  leaf         13   568         536
db > .page 1
Page 1: leaf, root
cells: 13
cell area start: 70
free: 568 bytes (gap 32, fragmented 536)
next leaf: 0
slot  offset  size  key
   0    3828   268  1
   1    3560   268  2
   2    3024   268  4
   3    2756   268  5
   4    2488   268  6
   5    1952   268  8
   6    1684   268  9
   7    1415   269  10
   8    1146   269  11
   9     877   269  12
  10     608   269  13
  11     339   269  14
  12      70   269  15
db > insert 16 user16 eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee@x.io
Executed.
db > .pages
page  type      cells  free  fragmented
   0  header
   1  leaf         14   297           0
db > .check
ok
db > insert 17 user17 eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee@x.io
Executed.
db > insert 18 user18 eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee@x.io
Executed.
db > .pages
page  type      cells  free  fragmented
   0  header
   1  leaf          8  1923           0
   2  leaf          8  1916           0
   3  internal      1  4074           0
db > .btree
Tree:
- internal (size 1)
  - leaf (size 8)
    - 1
    - 2
    - 4
    - 5
    - 6
    - 8
    - 9
    - 10
  - key 10
  - leaf (size 8)
    - 11
    - 12
    - 13
    - 14
    - 15
    - 16
    - 17
    - 18
db > .check
ok
db > .exit

## an insert that only fits after compacting the page
# The same from 04 on, where the last 4 bytes of every page are its
# checksum: the cells end 4 bytes earlier.
milestones: 04-05
$ awk 'BEGIN { for (i = 0; i < 250; i++) e = e "e"; for (id = 1; id <= 15; id++) print "insert", id, "user" id, e "@x.io" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
15
$ strata test.db
db > .pages
page  type      cells  free  fragmented
   0  header
   1  leaf         15    24           0
db > delete 3
Executed.
db > delete 7
Executed.
db > .pages
page  type      cells  free  fragmented
   0  header
   1  leaf         13   564         536
db > .page 1
Page 1: leaf, root
cells: 13
cell area start: 66
free: 564 bytes (gap 28, fragmented 536)
next leaf: 0
slot  offset  size  key
   0    3824   268  1
   1    3556   268  2
   2    3020   268  4
   3    2752   268  5
   4    2484   268  6
   5    1948   268  8
   6    1680   268  9
   7    1411   269  10
   8    1142   269  11
   9     873   269  12
  10     604   269  13
  11     335   269  14
  12      66   269  15
db > insert 16 user16 eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee@x.io
Executed.
db > .pages
page  type      cells  free  fragmented
   0  header
   1  leaf         14   293           0
db > .check
ok
db > insert 17 user17 eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee@x.io
Executed.
db > insert 18 user18 eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee@x.io
Executed.
db > .pages
page  type      cells  free  fragmented
   0  header
   1  leaf          8  1919           0
   2  leaf          8  1912           0
   3  internal      1  4070           0
db > .btree
Tree:
- internal (size 1)
  - leaf (size 8)
    - 1
    - 2
    - 4
    - 5
    - 6
    - 8
    - 9
    - 10
  - key 10
  - leaf (size 8)
    - 11
    - 12
    - 13
    - 14
    - 15
    - 16
    - 17
    - 18
db > .check
ok
db > .exit

## a split shares bytes, not cells
# Forty short rows (15 or 16 bytes with their slot), then long ones (271):
# the 53rd row overflows the leaf. Split by bytes, the left half gets the
# 40 short rows and 5 long ones (1986 bytes), the right half 8 long ones
# (2168 bytes): 45 cells against 8, but close to the same space.
milestones: 03
$ awk 'BEGIN { for (i = 0; i < 250; i++) e = e "e"; for (id = 1; id <= 40; id++) print "insert", id, "u" id, "a@b"; for (id = 41; id <= 53; id++) print "insert", id, "user" id, e "@x.io" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
53
$ strata test.db
db > .btree
Tree:
- internal (size 1)
  - leaf (size 45)
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
    - 16
    - 17
    - 18
    - 19
    - 20
    - 21
    - 22
    - 23
    - 24
    - 25
    - 26
    - 27
    - 28
    - 29
    - 30
    - 31
    - 32
    - 33
    - 34
    - 35
    - 36
    - 37
    - 38
    - 39
    - 40
    - 41
    - 42
    - 43
    - 44
    - 45
  - key 45
  - leaf (size 8)
    - 46
    - 47
    - 48
    - 49
    - 50
    - 51
    - 52
    - 53
db > .pages
page  type      cells  free  fragmented
   0  header
   1  leaf         45  2098           0
   2  leaf          8  1916           0
   3  internal      1  4074           0
db > .check
ok
db > .exit

## a split shares bytes, not cells
# The same from 04 on, where the last 4 bytes of every page are its
# checksum: the cells end 4 bytes earlier.
milestones: 04-05
$ awk 'BEGIN { for (i = 0; i < 250; i++) e = e "e"; for (id = 1; id <= 40; id++) print "insert", id, "u" id, "a@b"; for (id = 41; id <= 53; id++) print "insert", id, "user" id, e "@x.io" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
53
$ strata test.db
db > .btree
Tree:
- internal (size 1)
  - leaf (size 45)
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
    - 16
    - 17
    - 18
    - 19
    - 20
    - 21
    - 22
    - 23
    - 24
    - 25
    - 26
    - 27
    - 28
    - 29
    - 30
    - 31
    - 32
    - 33
    - 34
    - 35
    - 36
    - 37
    - 38
    - 39
    - 40
    - 41
    - 42
    - 43
    - 44
    - 45
  - key 45
  - leaf (size 8)
    - 46
    - 47
    - 48
    - 49
    - 50
    - 51
    - 52
    - 53
db > .pages
page  type      cells  free  fragmented
   0  header
   1  leaf         45  2094           0
   2  leaf          8  1912           0
   3  internal      1  4070           0
db > .check
ok
db > .exit

## updates that grow and shrink a row
# A shorter row is rewritten in place and the bytes it no longer needs
# become fragmented; a longer one moves to a new cell, and the whole old
# cell becomes fragmented.
milestones: 03
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > insert 2 user2 person2@example.com
Executed.
db > .page 1
Page 1: leaf, root
cells: 2
cell area start: 4032
free: 4016 bytes (gap 4016, fragmented 0)
next leaf: 0
slot  offset  size  key
   0    4064    32  1
   1    4032    32  2
db > update 1 u1 p@x.io
Executed.
db > .page 1
Page 1: leaf, root
cells: 2
cell area start: 4032
free: 4032 bytes (gap 4016, fragmented 16)
next leaf: 0
slot  offset  size  key
   0    4064    16  1
   1    4032    32  2
db > update 2 a-much-longer-name a-much-longer-address@example.com
Executed.
db > .page 1
Page 1: leaf, root
cells: 2
cell area start: 3973
free: 4005 bytes (gap 3957, fragmented 48)
next leaf: 0
slot  offset  size  key
   0    4064    16  1
   1    3973    59  2
db > select
(1, u1, p@x.io)
(2, a-much-longer-name, a-much-longer-address@example.com)
Executed.
db > .check
ok
db > .exit

## updates that grow and shrink a row
# The same from 04 on, where the last 4 bytes of every page are its
# checksum: the cells end 4 bytes earlier.
milestones: 04-05
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > insert 2 user2 person2@example.com
Executed.
db > .page 1
Page 1: leaf, root
cells: 2
cell area start: 4028
free: 4012 bytes (gap 4012, fragmented 0)
next leaf: 0
slot  offset  size  key
   0    4060    32  1
   1    4028    32  2
db > update 1 u1 p@x.io
Executed.
db > .page 1
Page 1: leaf, root
cells: 2
cell area start: 4028
free: 4028 bytes (gap 4012, fragmented 16)
next leaf: 0
slot  offset  size  key
   0    4060    16  1
   1    4028    32  2
db > update 2 a-much-longer-name a-much-longer-address@example.com
Executed.
db > .page 1
Page 1: leaf, root
cells: 2
cell area start: 3969
free: 4001 bytes (gap 3953, fragmented 48)
next leaf: 0
slot  offset  size  key
   0    4060    16  1
   1    3969    59  2
db > select
(1, u1, p@x.io)
(2, a-much-longer-name, a-much-longer-address@example.com)
Executed.
db > .check
ok
db > .exit

## .page refuses what is not a page
$ strata test.db
db > .page 7
Error: page 7 is past the end of the file (2 pages)
db > .page
Usage: .page N
db > .page x
Usage: .page N
db > .page -0
Usage: .page N
db > .page +1
Usage: .page N
db > .page 99999999999
Usage: .page N
db > .page 0
Page 0: the file header
db > .exit
