# Rows survive closing strata and starting it again.
milestones: 01-05

## rows survive .exit and a restart
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > insert 2 user2 person2@example.com
Executed.
db > .exit
$ strata test.db
db > select
(1, user1, person1@example.com)
(2, user2, person2@example.com)
Executed.
db > .exit

## the end of input saves like .exit
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db >
$ strata test.db
db > select
(1, user1, person1@example.com)
Executed.
db >

## rows added after a restart join the old ones
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > .exit
$ strata test.db
db > insert 2 user2 person2@example.com
Executed.
db > .exit
$ strata test.db
db > select
(1, user1, person1@example.com)
(2, user2, person2@example.com)
Executed.
db > .exit

## a session that changes nothing leaves the rows alone
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > .exit
$ strata test.db
db > .exit
$ strata test.db
db > select
(1, user1, person1@example.com)
Executed.
db > .exit
