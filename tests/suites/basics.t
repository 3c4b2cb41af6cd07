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
# The line is quoted back, so a typo is easy to spot.
$ strata test.db
db > hello world
Unrecognized keyword at start of 'hello world'.
db > selectt
Unrecognized keyword at start of 'selectt'.
db > .exit

## an unknown meta command
# Lines that start with a dot are meta commands, not statements. None
# of these takes an argument, and none ends with a semicolon.
$ strata test.db
db > .hello
Unrecognized command '.hello'
db > .exit now
Unrecognized command '.exit now'
db > .exit;
Unrecognized command '.exit;'
db > .exit

## a long line is quoted back shortened
# Its first 40 bytes and "...", cut before a character, not inside one:
# each é is two bytes in UTF-8.
$ strata test.db
db > this line is far too long to be quoted back in full
Unrecognized keyword at start of 'this line is far too long to be quoted b...'.
db > .éééééééééééééééééééééééééééééé
Unrecognized command '.ééééééééééééééééééé...'
db > .exit

## keywords and meta commands in any case
# As in every SQL shell. The values keep their case.
$ strata test.db
db > INSERT 1 Ann Ann@Example.COM
Executed.
db > Select
(1, Ann, Ann@Example.COM)
Executed.
db > .Hello
Unrecognized command '.Hello'
db > .EXIT

## a statement may end with a semicolon
# As in sqlite3: a ';' at the end of a statement (or several, with
# blanks between) ends it, and a line of nothing else is no statement.
# Inside a word, a ';' is a character like any other.
$ strata test.db
db > insert 1 ann ann@example.com;
Executed.
db > insert 2 bob b;ob@example.com ; ;
Executed.
db > select;
(1, ann, ann@example.com)
(2, bob, b;ob@example.com)
Executed.
db > ;
db > .exit

## .exit stops reading
# Lines after .exit are never read, and the exit status is 0.
$ strata test.db
db > .exit
