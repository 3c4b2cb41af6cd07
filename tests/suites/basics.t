# The REPL's conversation: the prompt, insert, select, meta commands, and
# how it answers what it does not understand.
milestones: 01-05

## insert then select
# A row inserted is printed back by select, then "Executed.".
$ strata test.db
db > insert 1 user1 person1@example.com
Executed.
db > select
(1, user1, person1@example.com)
Executed.
db > .exit

## select on an empty table
# An empty table selects no rows, which is not an error.
$ strata test.db
db > select
Executed.
db > .exit

## the prompt comes before every line, even when input is piped
# The last prompt is printed before strata finds the end of its input.
$ strata test.db
db > insert 1 a b
Executed.
db >

## empty and blank lines are ignored
$ strata test.db
db >
db >
db > select
Executed.
db > .exit

## extra white space between and around words
$ strata test.db
db >    insert   2   bob   bob@example.com
Executed.
db > select
(2, bob, bob@example.com)
Executed.
db > .exit

## an unknown first word
# The whole line is quoted back, so a typo is easy to spot.
$ strata test.db
db > hello world
Unrecognized keyword at start of 'hello world'.
db > INSERT 1 a b
Unrecognized keyword at start of 'INSERT 1 a b'.
db > selectt
Unrecognized keyword at start of 'selectt'.
db > .exit

## an unknown meta command
# Lines that start with a dot are meta commands, not statements.
$ strata test.db
db > .hello
Unrecognized command '.hello'
db > .exit now
Unrecognized command '.exit now'
db > .exit

## .exit stops reading
# Lines after .exit are never read, and the exit status is 0.
$ strata test.db
db > .exit
