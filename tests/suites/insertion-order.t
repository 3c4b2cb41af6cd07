# Milestone 01 keeps rows in the order they arrive: no key, no sorting,
# no duplicate check. (From 02 on the table is a B+tree ordered by id.)
milestones: 01

## select returns rows in insertion order
$ strata test.db
db > insert 3 user3 person3@example.com
Executed.
db > insert 1 user1 person1@example.com
Executed.
db > insert 2 user2 person2@example.com
Executed.
db > select
(3, user3, person3@example.com)
(1, user1, person1@example.com)
(2, user2, person2@example.com)
Executed.
db > .exit

## the same id twice makes two rows
# Nothing in a heap of fixed-size rows knows that ids should be unique.
$ strata test.db
db > insert 1 first first@example.com
Executed.
db > insert 1 second second@example.com
Executed.
db > select
(1, first, first@example.com)
(1, second, second@example.com)
Executed.
db > .exit

## select takes no arguments
$ strata test.db
db > select 1
Syntax error. Could not parse statement.
db > .exit
