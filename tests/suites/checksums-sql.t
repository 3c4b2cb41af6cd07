# checksums.t from milestone 06 on: every page 06 writes ends with the
# CRC-32C of its other 4092 bytes, sealed when the pager writes the page
# and checked when it reads it back: the pages of a table's tree, the
# overflow pages of a long value, the catalog's own pages, the pages on
# the free list and the header. A page whose bytes changed on the disk is
# refused in one line, and nothing of it is returned; the other pages
# still serve what they hold.
# The file: the catalog in pages 1 and 2; table users, 200 rows in
# leaves 4, 5 and 6 under its root, page 3; table notes, one row of
# 10,000 bytes in leaf 7 and overflow pages 8, 9 and 10. Row 200 goes in
# first, so that no later row lands after every key: from 08 on such an
# append fills a leaf before it starts the next, and the pages would
# differ from milestone to milestone.
milestones: 06-

## the file
$ (echo 200; seq 1 199) | awk '{ print $1 ",user" $1 ",person" $1 "@example.com" }' > rows.csv
$ awk 'BEGIN { for (i = 0; i < 10000; i++) n = n "n"; print "INSERT INTO notes VALUES (1, '\''" n "'\'');" }' > note.sql
$ strata test.db -c 'CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);'
CREATE TABLE
$ strata test.db -c "\copy users FROM 'rows.csv' CSV"
COPY 200
$ strata test.db -c 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);'
CREATE TABLE
$ strata test.db -f note.sql
INSERT 0 1
$ strata test.db -c '\pages'
page  type      cells  free  table
   0  header
   1  leaf          4  3475  strata_tables
   2  leaf         18  3450  strata_columns
   3  internal      2  4052  users
   4  leaf         61  2024  users
   5  leaf         58  2012  users
   6  leaf         81  1083  users
   7  leaf          1  3816  notes
   8  overflow  notes
   9  overflow  notes
  10  overflow  notes

## a changed byte inside a row is refused, not returned
# Byte 23480 lies in a cell of page 5 (bytes 20480 to 24575): the text
# of a row. Without a checksum it would simply be read. (\pages names
# the table of the pages its walk reached before the damaged one.)
$ (echo 200; seq 1 199) | awk '{ print $1 ",user" $1 ",person" $1 "@example.com" }' > rows.csv
$ strata test.db -c 'CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);'
CREATE TABLE
$ strata test.db -c "\copy users FROM 'rows.csv' CSV"
COPY 200
$ printf 'X' | dd of=test.db bs=1 seek=23480 conv=notrunc 2>/dev/null
$ strata test.db
strata=> SELECT * FROM users WHERE id = 1;
 id | username |        email
----+----------+---------------------
  1 | user1    | person1@example.com
(1 row)

strata=> SELECT * FROM users WHERE id = 100;
ERROR:  page 5 is corrupt: checksum mismatch
strata=> INSERT INTO users VALUES (90, 'again', 'again@example.com');
ERROR:  page 5 is corrupt: checksum mismatch
strata=> \page 5
ERROR:  page 5 is corrupt: checksum mismatch
strata=> \pages
page  type      cells  free  table
   0  header
   1  leaf          3  3555  strata_tables
   2  leaf         16  3501  strata_columns
   3  internal      2  4052  users
   4  leaf         61  2024  users
   5  corrupt: page 5 is corrupt: checksum mismatch
   6  leaf         81  1083
strata=> \check
ERROR:  table "users": page 5 is corrupt: checksum mismatch
strata=> \q

## a select stops at the page it cannot trust
$ (echo 200; seq 1 199) | awk '{ print $1 ",user" $1 ",person" $1 "@example.com" }' > rows.csv
$ strata test.db -c 'CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);'
CREATE TABLE
$ strata test.db -c "\copy users FROM 'rows.csv' CSV"
COPY 200
$ printf 'X' | dd of=test.db bs=1 seek=23480 conv=notrunc 2>/dev/null
$ strata test.db --csv -c 'SELECT * FROM users;' 2>&1 | tail -n 3
60,user60,person60@example.com
61,user61,person61@example.com
ERROR:  page 5 is corrupt: checksum mismatch
[exit 1]

## the checksum's own bytes count too
$ (echo 200; seq 1 199) | awk '{ print $1 ",user" $1 ",person" $1 "@example.com" }' > rows.csv
$ strata test.db -c 'CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);'
CREATE TABLE
$ strata test.db -c "\copy users FROM 'rows.csv' CSV"
COPY 200
$ printf 'X' | dd of=test.db bs=1 seek=28668 conv=notrunc 2>/dev/null
$ strata test.db -c 'SELECT * FROM users WHERE id = 200;'
ERROR:  page 6 is corrupt: checksum mismatch
[exit 1]

## an overflow page has a checksum as well
# Byte 37864 lies in page 9, the second page of the long value's chain.
$ awk 'BEGIN { for (i = 0; i < 10000; i++) n = n "n"; print "INSERT INTO notes VALUES (1, '\''" n "'\'');" }' > note.sql
$ (echo 200; seq 1 199) | awk '{ print $1 ",user" $1 ",person" $1 "@example.com" }' > rows.csv
$ strata test.db -c 'CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);'
CREATE TABLE
$ strata test.db -c "\copy users FROM 'rows.csv' CSV"
COPY 200
$ strata test.db -c 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);'
CREATE TABLE
$ strata test.db -f note.sql
INSERT 0 1
$ printf 'X' | dd of=test.db bs=1 seek=37864 conv=notrunc 2>/dev/null
$ strata test.db
strata=> SELECT id FROM notes;
ERROR:  key 1: page 9 is corrupt: checksum mismatch
strata=> SELECT * FROM notes;
ERROR:  key 1: page 9 is corrupt: checksum mismatch
strata=> SELECT username FROM users WHERE id = 7;
 username
----------
 user7
(1 row)

strata=> \check
ERROR:  table "notes": page 7: page 9 is corrupt: checksum mismatch
strata=> \q

## so do the catalog's pages
# Byte 8000 lies in page 1, the rows of strata_tables: the catalog is
# read at the open, which refuses the file.
$ strata test.db -c 'CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);'
CREATE TABLE
$ printf 'X' | dd of=test.db bs=1 seek=8000 conv=notrunc 2>/dev/null
$ strata test.db -c 'SELECT * FROM users;'
strata: 'test.db' is corrupt: page 1 is corrupt: checksum mismatch.
[exit 1]

## and the header page
# Byte 200 of page 0 belongs to no field, and is still covered.
$ strata test.db -c 'CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);'
CREATE TABLE
$ printf '\001' | dd of=test.db bs=1 seek=200 conv=notrunc 2>/dev/null
$ strata test.db -c 'SELECT * FROM users;'
strata: page 0 is corrupt: checksum mismatch
[exit 1]

## and the pages on the free list
# In a file of one small table (leaf 3), the long value of notes fills
# leaf 4 and overflow pages 5, 6 and 7; DROP TABLE notes puts the four
# on the free list. Page 6, damaged, is refused by \pages, \check and the
# insert that would reuse it.
$ awk 'BEGIN { for (i = 0; i < 10000; i++) n = n "n"; print "INSERT INTO notes VALUES (1, '\''" n "'\'');" }' > note.sql
$ strata test.db -c 'CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);'
CREATE TABLE
$ strata test.db -c 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);'
CREATE TABLE
$ strata test.db -f note.sql
INSERT 0 1
$ strata test.db -c 'DROP TABLE notes;'
DROP TABLE
$ printf '\001' | dd of=test.db bs=1 seek=25576 conv=notrunc 2>/dev/null
$ strata test.db
strata=> \pages
page  type      cells  free  table
   0  header
   1  leaf          3  3555  strata_tables
   2  leaf         16  3501  strata_columns
   3  leaf          0  4080  users
   4  free
   5  free
   6  corrupt: page 6 is corrupt: checksum mismatch
   7  free
strata=> \check
ERROR:  page 6 is corrupt: checksum mismatch
strata=> CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
CREATE TABLE
strata=> \q
$ strata test.db -f note.sql
ERROR:  page 6 is corrupt: checksum mismatch
[exit 1]
