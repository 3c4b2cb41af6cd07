# Files that claim to be Strata databases but are not what milestone 01
# can read: another format version, a header that disagrees with the file,
# a row whose bytes were damaged.
milestones: 01

## another format version is refused
# Byte 16 holds the format version; a later milestone writes 2 there.
$ strata test.db
db > .exit
$ printf '\002' | dd of=test.db bs=1 seek=16 conv=notrunc 2>/dev/null
$ strata test.db
Error: 'test.db' is a Strata database in format 2; this milestone (01-fixed-rows) reads format 1.
[exit 1]

## a header that counts more rows than the file holds
# Byte 24 holds the row count: 14 rows need two table pages.
$ strata test.db
db > .exit
$ printf '\016' | dd of=test.db bs=1 seek=24 conv=notrunc 2>/dev/null
$ cksum test.db
2046556735 4096 test.db
$ strata test.db
Error: 'test.db' is corrupt: its header counts 14 rows, which need 3 pages, but the file has 1.
[exit 1]
$ cksum test.db
2046556735 4096 test.db

## a damaged row is reported, not printed as garbage
# The username field of row 2 (page 1, offset 297) loses its NUL bytes.
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > insert 2 user2 person2@example.com
Executed.
db > .exit
$ printf 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' | dd of=test.db bs=1 seek=4393 conv=notrunc 2>/dev/null
$ strata test.db
db > select
(1, user1, person1@example.com)
Error: row 2 is corrupt: a string field has no terminating NUL.
db > .exit
