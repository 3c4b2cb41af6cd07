# What insert accepts: an id in 1 .. 4294967295, a username of at most 32
# bytes, an email of at most 255. Anything else gets its own message and
# changes nothing.
milestones: 01-05

## missing and extra fields
$ strata test.db
db > insert
Syntax error. Could not parse statement.
db > insert 1
Syntax error. Could not parse statement.
db > insert 1 user1
Syntax error. Could not parse statement.
db > insert 1 user1 person1@example.com extra
Syntax error. Could not parse statement.
db > select
Executed.
db > .exit

## ids that are not numbers
$ strata test.db
db > insert abc user1 person1@example.com
Syntax error. Could not parse statement.
db > insert 12abc user1 person1@example.com
Syntax error. Could not parse statement.
db > insert +5 user1 person1@example.com
Syntax error. Could not parse statement.
db > insert 1.5 user1 person1@example.com
Syntax error. Could not parse statement.
db > insert - user1 person1@example.com
Syntax error. Could not parse statement.
db > select
Executed.
db > .exit

## zero and negative ids
$ strata test.db
db > insert -1 user1 person1@example.com
ID must be positive.
db > insert 0 user1 person1@example.com
ID must be positive.
db > insert -0 user1 person1@example.com
ID must be positive.
db > insert -99999999999999999999 user1 person1@example.com
ID must be positive.
db > select
Executed.
db > .exit

## the largest id fits in 32 bits, the next does not
$ strata test.db
db > insert 4294967295 big big@example.com
Executed.
db > insert 4294967296 big big@example.com
ID must be at most 4294967295.
db > insert 99999999999999999999999 big big@example.com
ID must be at most 4294967295.
db > select
(4294967295, big, big@example.com)
Executed.
db > .exit

## leading zeros are allowed
$ strata test.db
db > insert 0007 seven seven@example.com
Executed.
db > select
(7, seven, seven@example.com)
Executed.
db > .exit

## usernames and emails at their limits are stored whole
# 32 bytes of username and 255 of email fit; the row reads back unchanged,
# also after a restart.
$ strata test.db
db > insert 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee
Executed.
db > .exit
$ strata test.db
db > select
(1, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee)
Executed.
db > .exit

## one byte too long is refused
$ strata test.db
db > insert 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa person1@example.com
String is too long.
db > insert 1 user1 eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee
String is too long.
db > select
Executed.
db > .exit

## a bad id is reported before a long string
# Checks run in order: fields, then id, then username, then email.
$ strata test.db
db > insert -1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa person1@example.com
ID must be positive.
db > insert x aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa person1@example.com
Syntax error. Could not parse statement.
db > .exit
