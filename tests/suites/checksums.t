# From milestone 04 on, the last 4 bytes of every page in the file are a
# CRC-32C of the other 4092, sealed when the pager writes the page and
# checked when it reads it back. A page whose bytes changed on the disk
# is refused in one line, and nothing of it is returned; the other pages
# still serve what they hold. (In 03 the same damage is read as data.)
# The file: 200 rows in leaves 1, 2 and 4 under the root, page 3.
milestones: 04-05

## a changed byte inside a row is refused, not returned
# Byte 12000 lies in a cell of page 2 (bytes 8192 to 12287): the text of
# a row. Without a checksum it would simply be read.
$ seq 1 200 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
200
$ printf 'X' | dd of=test.db bs=1 seek=12000 conv=notrunc 2>/dev/null
$ strata test.db
db > select 1
(1, user1, person1@example.com)
Executed.
db > select 60
Error: page 2 is corrupt: checksum mismatch
db > insert 70 again again@example.com
Error: page 2 is corrupt: checksum mismatch
db > .page 2
Error: page 2 is corrupt: checksum mismatch
db > .pages
page  type      cells  free  fragmented
   0  header
   1  leaf         58  2010           0
   2  corrupt: page 2 is corrupt: checksum mismatch
   3  internal      2  4060           0
   4  leaf         86   812           0
db > .check
page 2 is corrupt: checksum mismatch
db > .exit

## a select stops at the page it cannot trust
$ seq 1 200 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
200
$ printf 'X' | dd of=test.db bs=1 seek=12000 conv=notrunc 2>/dev/null
$ echo select | strata test.db | tail -n 3
(58, user58, person58@example.com)
Error: page 2 is corrupt: checksum mismatch
db >

## the checksum's own bytes count too
$ seq 1 200 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
200
$ printf 'X' | dd of=test.db bs=1 seek=20476 conv=notrunc 2>/dev/null
$ strata test.db
db > select 200
Error: page 4 is corrupt: checksum mismatch
db > .exit

## the header page has a checksum as well
# Byte 200 of page 0 belongs to no field, and is still covered.
$ seq 1 200 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
200
$ printf '\001' | dd of=test.db bs=1 seek=200 conv=notrunc 2>/dev/null
$ strata test.db
Error: page 0 is corrupt: checksum mismatch
[exit 1]

## so do the pages on the free list
# Deleting rows 1 to 120 frees pages 2, 3 and 4. Page 3, damaged, is
# refused by .freelist, .check and the first insert that would reuse it
# (three long rows still fit in leaf 1).
$ seq 1 200 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ seq 1 120 | awk '{ print "delete", $1 }' > deletes.txt
$ awk 'BEGIN { for (i = 0; i < 250; i++) e = e "e"; for (id = 300; id <= 310; id++) print "insert", id, "user" id, e "@x.io" }' > long.txt
$ strata test.db < rows.txt | grep -c Executed
200
$ strata test.db < deletes.txt | grep -c Executed
120
$ printf '\001' | dd of=test.db bs=1 seek=12388 conv=notrunc 2>/dev/null
$ strata test.db
db > .pages
page  type      cells  free  fragmented
   0  header
   1  leaf         80  1040         540
   2  free
   3  corrupt: page 3 is corrupt: checksum mismatch
   4  free
db > .freelist
Free pages:
Error: page 3 is corrupt: checksum mismatch
db > .check
page 3 is corrupt: checksum mismatch
db > .exit
$ strata test.db < long.txt | grep -o 'Executed.\|Error: .*' | uniq -c
      3 Executed.
      8 Error: page 3 is corrupt: checksum mismatch
