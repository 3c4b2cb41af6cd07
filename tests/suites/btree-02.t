# The exact shape of milestone 02's B+tree: 13 cells per leaf, at most 3
# keys per internal node (kept tiny so small tests grow deep trees). Each
# test builds a tree by a given insert order, then shows .btree; the
# delete tests show borrowing, merging and the root collapsing; the last
# tests damage a row with dd and show .check reading every row.
milestones: 02

## .constants shows the node layout
$ strata test.db
db > .constants
Constants:
ROW_SIZE: 293
COMMON_NODE_HEADER_SIZE: 6
LEAF_NODE_HEADER_SIZE: 10
LEAF_NODE_CELL_SIZE: 297
LEAF_NODE_SPACE_FOR_CELLS: 4086
LEAF_NODE_MAX_CELLS: 13
LEAF_NODE_MIN_CELLS: 7
INTERNAL_NODE_HEADER_SIZE: 10
INTERNAL_NODE_CELL_SIZE: 8
INTERNAL_NODE_MAX_KEYS: 3
INTERNAL_NODE_MIN_KEYS: 1
db >

## one level: a single leaf, its keys sorted
$ strata test.db
db > insert 3 user3 person3@example.com
Executed.
db > insert 1 user1 person1@example.com
Executed.
db > insert 2 user2 person2@example.com
Executed.
db > .btree
Tree:
- leaf (size 3)
  - 1
  - 2
  - 3
db > .exit

## two levels: the 14th row splits the leaf 7 and 7
# The separator pushed up is the largest key of the left leaf.
$ seq 1 14 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
14
$ strata test.db
db > .btree
Tree:
- internal (size 1)
  - leaf (size 7)
    - 1
    - 2
    - 3
    - 4
    - 5
    - 6
    - 7
  - key 7
  - leaf (size 7)
    - 8
    - 9
    - 10
    - 11
    - 12
    - 13
    - 14
db > .check
ok
db > .exit

## three levels: the fifth leaf splits the root
# The root can point to at most 4 children; with a fifth it splits into
# two internal nodes under a new root.
$ seq 1 35 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
35
$ strata test.db
db > .btree
Tree:
- internal (size 1)
  - internal (size 2)
    - leaf (size 7)
      - 1
      - 2
      - 3
      - 4
      - 5
      - 6
      - 7
    - key 7
    - leaf (size 7)
      - 8
      - 9
      - 10
      - 11
      - 12
      - 13
      - 14
    - key 14
    - leaf (size 7)
      - 15
      - 16
      - 17
      - 18
      - 19
      - 20
      - 21
  - key 21
  - internal (size 1)
    - leaf (size 7)
      - 22
      - 23
      - 24
      - 25
      - 26
      - 27
      - 28
    - key 28
    - leaf (size 7)
      - 29
      - 30
      - 31
      - 32
      - 33
      - 34
      - 35
db > .check
ok
db > .exit

## four levels: splits climb two levels at once
$ seq 1 98 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
98
$ strata test.db
db > .btree
Tree:
- internal (size 1)
  - internal (size 2)
    - internal (size 2)
      - leaf (size 7)
        - 1
        - 2
        - 3
        - 4
        - 5
        - 6
        - 7
      - key 7
      - leaf (size 7)
        - 8
        - 9
        - 10
        - 11
        - 12
        - 13
        - 14
      - key 14
      - leaf (size 7)
        - 15
        - 16
        - 17
        - 18
        - 19
        - 20
        - 21
    - key 21
    - internal (size 2)
      - leaf (size 7)
        - 22
        - 23
        - 24
        - 25
        - 26
        - 27
        - 28
      - key 28
      - leaf (size 7)
        - 29
        - 30
        - 31
        - 32
        - 33
        - 34
        - 35
      - key 35
      - leaf (size 7)
        - 36
        - 37
        - 38
        - 39
        - 40
        - 41
        - 42
    - key 42
    - internal (size 2)
      - leaf (size 7)
        - 43
        - 44
        - 45
        - 46
        - 47
        - 48
        - 49
      - key 49
      - leaf (size 7)
        - 50
        - 51
        - 52
        - 53
        - 54
        - 55
        - 56
      - key 56
      - leaf (size 7)
        - 57
        - 58
        - 59
        - 60
        - 61
        - 62
        - 63
  - key 63
  - internal (size 1)
    - internal (size 2)
      - leaf (size 7)
        - 64
        - 65
        - 66
        - 67
        - 68
        - 69
        - 70
      - key 70
      - leaf (size 7)
        - 71
        - 72
        - 73
        - 74
        - 75
        - 76
        - 77
      - key 77
      - leaf (size 7)
        - 78
        - 79
        - 80
        - 81
        - 82
        - 83
        - 84
    - key 84
    - internal (size 1)
      - leaf (size 7)
        - 85
        - 86
        - 87
        - 88
        - 89
        - 90
        - 91
      - key 91
      - leaf (size 7)
        - 92
        - 93
        - 94
        - 95
        - 96
        - 97
        - 98
db > .check
ok
db > .exit

## descending inserts make the same two leaves
$ seq 14 -1 1 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
14
$ strata test.db
db > .btree
Tree:
- internal (size 1)
  - leaf (size 7)
    - 1
    - 2
    - 3
    - 4
    - 5
    - 6
    - 7
  - key 7
  - leaf (size 7)
    - 8
    - 9
    - 10
    - 11
    - 12
    - 13
    - 14
db > .exit

## a delete borrows from the left sibling
# The left leaf has 8 cells, one more than the 7 a leaf needs: after the
# delete, the right leaf takes the left's largest key, and the separator
# becomes the left's new largest.
$ seq 2 2 28 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
14
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > .btree
Tree:
- internal (size 1)
  - leaf (size 8)
    - 1
    - 2
    - 4
    - 6
    - 8
    - 10
    - 12
    - 14
  - key 14
  - leaf (size 7)
    - 16
    - 18
    - 20
    - 22
    - 24
    - 26
    - 28
db > delete 16
Executed.
db > .btree
Tree:
- internal (size 1)
  - leaf (size 7)
    - 1
    - 2
    - 4
    - 6
    - 8
    - 10
    - 12
  - key 12
  - leaf (size 7)
    - 14
    - 18
    - 20
    - 22
    - 24
    - 26
    - 28
db > .check
ok
db > .exit

## a delete borrows from the right sibling
# The leftmost leaf has no left sibling, so it takes the right's smallest.
$ seq 2 2 28 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
14
$ strata test.db
db > insert 29 user29 person29@example.com
Executed.
db > delete 2
Executed.
db > .btree
Tree:
- internal (size 1)
  - leaf (size 7)
    - 4
    - 6
    - 8
    - 10
    - 12
    - 14
    - 16
  - key 16
  - leaf (size 7)
    - 18
    - 20
    - 22
    - 24
    - 26
    - 28
    - 29
db > .check
ok
db > .exit

## a delete merges with the left sibling and frees a page
# Neither sibling can spare a cell: the 6 left in the last leaf join the
# 7 of its left sibling, the emptied page goes to the free list, and the
# next split takes it back instead of growing the file.
$ seq 1 21 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
21
$ wc -c < test.db
20480
$ strata test.db
db > delete 15
Executed.
db > .btree
Tree:
- internal (size 1)
  - leaf (size 7)
    - 1
    - 2
    - 3
    - 4
    - 5
    - 6
    - 7
  - key 7
  - leaf (size 13)
    - 8
    - 9
    - 10
    - 11
    - 12
    - 13
    - 14
    - 16
    - 17
    - 18
    - 19
    - 20
    - 21
db > .freelist
Free pages: 4
db > .check
ok
db > insert 22 user22 person22@example.com
Executed.
db > insert 15 user15 person15@example.com
Executed.
db > .freelist
Free pages: none
db > .btree
Tree:
- internal (size 2)
  - leaf (size 7)
    - 1
    - 2
    - 3
    - 4
    - 5
    - 6
    - 7
  - key 7
  - leaf (size 7)
    - 8
    - 9
    - 10
    - 11
    - 12
    - 13
    - 14
  - key 14
  - leaf (size 8)
    - 15
    - 16
    - 17
    - 18
    - 19
    - 20
    - 21
    - 22
db > .check
ok
db > .exit
$ wc -c < test.db
20480

## the leftmost leaf merges with its right sibling
$ seq 1 21 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
21
$ strata test.db
db > delete 1
Executed.
db > .btree
Tree:
- internal (size 1)
  - leaf (size 13)
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
  - key 14
  - leaf (size 7)
    - 15
    - 16
    - 17
    - 18
    - 19
    - 20
    - 21
db > .check
ok
db > .exit

## the root collapses when its last two children merge
# A root with a single child is useless: the child becomes the root, the
# tree loses a level, and both emptied pages go to the free list.
$ seq 1 14 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
14
$ strata test.db
db > delete 1
Executed.
db > .btree
Tree:
- leaf (size 13)
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
db > .freelist
Free pages: 3 2
db > .check
ok
db > .exit

## an internal node borrows from its left sibling
# A leaf merge leaves the right internal node without keys; its left
# sibling has two, so one child moves over through the root.
$ seq 1 35 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
35
$ strata test.db
db > delete 29
Executed.
db > .btree
Tree:
- internal (size 1)
  - internal (size 1)
    - leaf (size 7)
      - 1
      - 2
      - 3
      - 4
      - 5
      - 6
      - 7
    - key 7
    - leaf (size 7)
      - 8
      - 9
      - 10
      - 11
      - 12
      - 13
      - 14
  - key 14
  - internal (size 1)
    - leaf (size 7)
      - 15
      - 16
      - 17
      - 18
      - 19
      - 20
      - 21
    - key 21
    - leaf (size 13)
      - 22
      - 23
      - 24
      - 25
      - 26
      - 27
      - 28
      - 30
      - 31
      - 32
      - 33
      - 34
      - 35
db > .check
ok
db > .exit

## an internal node borrows from its right sibling
$ seq 1 42 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
42
$ printf 'delete %s\n' 1 2 3 4 5 6 7 > deletes.txt
$ strata test.db < deletes.txt | grep -c Executed
7
$ strata test.db
db > .btree
Tree:
- internal (size 1)
  - internal (size 1)
    - leaf (size 7)
      - 8
      - 9
      - 10
      - 11
      - 12
      - 13
      - 14
    - key 14
    - leaf (size 7)
      - 15
      - 16
      - 17
      - 18
      - 19
      - 20
      - 21
  - key 21
  - internal (size 2)
    - leaf (size 7)
      - 22
      - 23
      - 24
      - 25
      - 26
      - 27
      - 28
    - key 28
    - leaf (size 7)
      - 29
      - 30
      - 31
      - 32
      - 33
      - 34
      - 35
    - key 35
    - leaf (size 7)
      - 36
      - 37
      - 38
      - 39
      - 40
      - 41
      - 42
db > delete 15
Executed.
db > .btree
Tree:
- internal (size 1)
  - internal (size 1)
    - leaf (size 13)
      - 8
      - 9
      - 10
      - 11
      - 12
      - 13
      - 14
      - 16
      - 17
      - 18
      - 19
      - 20
      - 21
    - key 21
    - leaf (size 7)
      - 22
      - 23
      - 24
      - 25
      - 26
      - 27
      - 28
  - key 28
  - internal (size 1)
    - leaf (size 7)
      - 29
      - 30
      - 31
      - 32
      - 33
      - 34
      - 35
    - key 35
    - leaf (size 7)
      - 36
      - 37
      - 38
      - 39
      - 40
      - 41
      - 42
db > .check
ok
db > .exit

## merges cascade up to the root
# Deleting 1 leaves the left internal node with one key; deleting 29 then
# merges two leaves under the right internal node, which merges with its
# left sibling, which leaves the root with one child: it collapses.
$ seq 1 35 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
35
$ strata test.db
db > delete 1
Executed.
db > .btree
Tree:
- internal (size 1)
  - internal (size 1)
    - leaf (size 13)
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
    - key 14
    - leaf (size 7)
      - 15
      - 16
      - 17
      - 18
      - 19
      - 20
      - 21
  - key 21
  - internal (size 1)
    - leaf (size 7)
      - 22
      - 23
      - 24
      - 25
      - 26
      - 27
      - 28
    - key 28
    - leaf (size 7)
      - 29
      - 30
      - 31
      - 32
      - 33
      - 34
      - 35
db > delete 29
Executed.
db > .btree
Tree:
- internal (size 2)
  - leaf (size 13)
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
  - key 14
  - leaf (size 7)
    - 15
    - 16
    - 17
    - 18
    - 19
    - 20
    - 21
  - key 21
  - leaf (size 13)
    - 22
    - 23
    - 24
    - 25
    - 26
    - 27
    - 28
    - 30
    - 31
    - 32
    - 33
    - 34
    - 35
db > .freelist
Free pages: 8 7 6 2
db > .check
ok
db > .exit

## .check reads every row: an id that differs from its key
# The root leaf is page 1: cell 0 is the key at byte 4096 + 10, then the
# row, whose own copy of the id is at 4110. Row 1 now says it is row 2.
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > insert 3 user3 person3@example.com
Executed.
db > .exit
$ printf '\002' | dd of=test.db bs=1 seek=4110 conv=notrunc 2>/dev/null
$ strata test.db
db > select 1
Error: the row with id 1 is corrupt: its id differs from its key.
db > select 3
(3, user3, person3@example.com)
Executed.
db > .check
page 1: the row with id 1 is corrupt: its id differs from its key
db > .exit

## .check reads every row: a username without its terminating NUL
# The username fills its 32 bytes, from byte 4114; the NUL after them,
# at 4146, becomes an x.
$ strata test.db
db > insert 1 abcdefghijklmnopqrstuvwxyzabcdef person1@example.com
Executed.
db > .exit
$ printf 'x' | dd of=test.db bs=1 seek=4146 conv=notrunc 2>/dev/null
$ strata test.db
db > select
Error: the row with id 1 is corrupt: a string field has no terminating NUL.
db > .check
page 1: the row with id 1 is corrupt: a string field has no terminating NUL
db > .exit
