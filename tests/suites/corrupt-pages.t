# Damaged slotted pages. Each test builds the same file (200 rows: leaves
# 1, 2 and 4 under the internal root, page 3), damages page 2 with dd,
# and shows that strata reports the damage in one line, reads nothing
# outside the page, and still serves the rows it can reach.
# Page 2 starts at byte 8192: its slot directory at 8204, its first cell
# (key 59) at byte 4062 of the page.
# From 04 on every page carries a checksum, which refuses such a page
# before these checks see it (checksums.t); corrupt_pages.py makes the
# same damage there behind a checksum that matches, to reach them.
milestones: 03

## a slot that points outside the page
$ seq 1 200 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
200
$ printf '\360\377' | dd of=test.db bs=1 seek=8204 conv=notrunc 2>/dev/null
$ strata test.db
db > select 1
(1, user1, person1@example.com)
Executed.
db > select 60
Error: page 2: slot 0 points to byte 65520, outside the cell area
db > insert 70 again again@example.com
Error: page 2: slot 0 points to byte 65520, outside the cell area
db > .pages
page  type      cells  free  fragmented
   0  header
   1  leaf         58  2014           0
   2  corrupt: page 2: slot 0 points to byte 65520, outside the cell area
   3  internal      2  4064           0
   4  leaf         86   816           0
db > .check
page 2: slot 0 points to byte 65520, outside the cell area
db > .exit

## a select stops at the damaged page
$ seq 1 200 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
200
$ printf '\360\377' | dd of=test.db bs=1 seek=8204 conv=notrunc 2>/dev/null
$ echo select | strata test.db | tail -n 3
(58, user58, person58@example.com)
Error: page 2: slot 0 points to byte 65520, outside the cell area
db >

## a cell whose length runs past the end of the page
$ seq 1 200 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
200
$ printf '\377\177' | dd of=test.db bs=1 seek=12258 conv=notrunc 2>/dev/null
$ strata test.db
db > select 59
Error: page 2: cell 0 (32773 bytes at byte 4062) runs past the end of the page
db > .check
page 2: cell 0 (32773 bytes at byte 4062) runs past the end of the page
db > .exit

## two slots that point to the same cell
# The cells of keys 59 and 60 are both 34 bytes, so the byte count still
# adds up and the cheap checks made on each page read from the file
# pass: reads stay inside the page, but the key of slot 1 is now 59 and
# row 60 cannot be found. The full .check, which also checks key order
# and overlaps, names the damage.
$ seq 1 200 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
200
$ printf '\336\017' | dd of=test.db bs=1 seek=8206 conv=notrunc 2>/dev/null
$ strata test.db
db > select 60
Error: Key not found.
db > select 61
(61, user61, person61@example.com)
Executed.
db > .check
page 2: key 59 in slot 1 does not come after key 59
db > .exit

## a cell count too large for the page
$ seq 1 200 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
200
$ printf '\377\377' | dd of=test.db bs=1 seek=8194 conv=notrunc 2>/dev/null
$ strata test.db
db > select 100
Error: page 2: 65535 slots and a cell area starting at 2162 do not fit in a page
db > .exit

## a record whose username length is impossible
# The cell is sound, but the row inside it claims a 200-byte username.
$ seq 1 200 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
200
$ printf '\310' | dd of=test.db bs=1 seek=12260 conv=notrunc 2>/dev/null
$ strata test.db
db > select 59
Error: the row with id 59 is corrupt: its username length is impossible.
db > select 60
(60, user60, person60@example.com)
Executed.
db > .exit

## a scan stops at a damaged row, and keeps nothing pinned
# A scan holds the leaf it reads; when a row in it is refused, the
# select must still let the leaf go (05 prints an error after any line
# that leaves a page pinned). The prompts are cut from the output.
$ seq 1 200 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
200
$ printf '\310' | dd of=test.db bs=1 seek=12260 conv=notrunc 2>/dev/null
$ printf 'select\n.check\n' | strata test.db | tail -n 3 | sed 's/^db > //'
Error: the row with id 59 is corrupt: its username length is impossible.
page 2: the row with id 59 is corrupt: its username length is impossible

## .check reads every row: a username length that is impossible
# The record of key 59 starts at byte 12260 with its username length, 6;
# 48 is more than the 32 a username may have.
$ seq 1 200 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
200
$ printf '\060' | dd of=test.db bs=1 seek=12260 conv=notrunc 2>/dev/null
$ strata test.db
db > .check
page 2: the row with id 59 is corrupt: its username length is impossible
db > select 59
Error: the row with id 59 is corrupt: its username length is impossible.
db > .exit

## .check reads every row: an email length that is impossible
# The email length of key 59 follows the 6 bytes of "user59", at byte
# 12267: 48 instead of 20 no longer adds up to the record's size.
$ seq 1 200 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
200
$ printf '\060' | dd of=test.db bs=1 seek=12267 conv=notrunc 2>/dev/null
$ strata test.db
db > .check
page 2: the row with id 59 is corrupt: its email length is impossible
db > select 59
Error: the row with id 59 is corrupt: its email length is impossible.
db > .exit

## a damaged root page refuses the whole file
$ seq 1 200 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
200
$ printf '\377\377' | dd of=test.db bs=1 seek=12300 conv=notrunc 2>/dev/null
$ strata test.db
Error: 'test.db' is corrupt: page 3: slot 0 points to byte 65535, outside the cell area.
[exit 1]
