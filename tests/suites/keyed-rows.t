# From milestone 02 on, rows live in a B+tree keyed by id: select returns
# them in id order whatever the order of the inserts, ids are unique, and
# single rows can be read, replaced and removed by id.
milestones: 02-05

## select returns rows in id order
$ strata test.db
db > insert 3 user3 person3@example.com
Executed.
db > insert 1 user1 person1@example.com
Executed.
db > insert 2 user2 person2@example.com
Executed.
db > select
(1, user1, person1@example.com)
(2, user2, person2@example.com)
(3, user3, person3@example.com)
Executed.
db > .exit

## a duplicate id is refused and changes nothing
$ strata test.db
db > insert 1 first first@example.com
Executed.
db > insert 1 second second@example.com
Error: Duplicate key.
db > select
(1, first, first@example.com)
Executed.
db > .exit

## select ID prints one row
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > insert 2 user2 person2@example.com
Executed.
db > select 2
(2, user2, person2@example.com)
Executed.
db > select 3
Error: Key not found.
db > .exit

## update replaces a row
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > update 1 renamed renamed@example.com
Executed.
db > select
(1, renamed, renamed@example.com)
Executed.
db > update 2 nobody nobody@example.com
Error: Key not found.
db > select
(1, renamed, renamed@example.com)
Executed.
db > .exit

## delete removes a row
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > insert 2 user2 person2@example.com
Executed.
db > delete 1
Executed.
db > select
(2, user2, person2@example.com)
Executed.
db > delete 1
Error: Key not found.
db > select 1
Error: Key not found.
db > .exit

## a deleted id can be inserted again
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > delete 1
Executed.
db > insert 1 again again@example.com
Executed.
db > select
(1, again, again@example.com)
Executed.
db > .exit

## the new statements check their words as insert does
$ strata test.db
db > select 1 2
Syntax error. Could not parse statement.
db > select x
Syntax error. Could not parse statement.
db > select 0
ID must be positive.
db > delete
Syntax error. Could not parse statement.
db > delete -4
ID must be positive.
db > delete 1 2
Syntax error. Could not parse statement.
db > update 1 user1
Syntax error. Could not parse statement.
db > update 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa person1@example.com
String is too long.
db > update 4294967296 a b
ID must be at most 4294967295.
db > .exit

## updates and deletes survive a restart
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > insert 2 user2 person2@example.com
Executed.
db > insert 3 user3 person3@example.com
Executed.
db > .exit
$ strata test.db
db > update 2 changed changed@example.com
Executed.
db > delete 3
Executed.
db > .exit
$ strata test.db
db > select
(1, user1, person1@example.com)
(2, changed, changed@example.com)
Executed.
db > .check
ok
db > .exit

## the table has no row limit
# 1,401 rows: more than milestone 01's 1,300, many leaves deep.
$ seq 1 1401 | awk '{ print "insert", $1, "user" $1, "person" $1 "@example.com" }' > rows.txt
$ strata test.db < rows.txt | grep -c Executed
1401
$ echo select | strata test.db | grep -c 'example.com)$'
1401
$ strata test.db
db > select 1401
(1401, user1401, person1401@example.com)
Executed.
db > .check
ok
db > .exit
