# From milestone 06 on, strata speaks SQL: a user defines tables, and the
# shell answers as psql does. Statements end with ';'.
milestones: 06-

## create, insert, select
# A table of the user's own, rows inserted and read back, aligned in
# columns with a count of rows; each statement that changes something
# prints its command tag.
$ strata test.db
strata=> CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT);
CREATE TABLE
strata=> INSERT INTO users VALUES (1, 'alice', 'alice@example.com'), (2, 'bob', NULL);
INSERT 0 2
strata=> SELECT * FROM users;
 id | name  |       email
----+-------+-------------------
  1 | alice | alice@example.com
  2 | bob   |
(2 rows)

strata=> SELECT name, id FROM users WHERE id = 2;
 name | id
------+----
 bob  |  2
(1 row)

strata=> \q

## rows survive a restart
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
CREATE TABLE
strata=> INSERT INTO t VALUES (1, 'kept');
INSERT 0 1
strata=> \q
$ strata test.db
strata=> SELECT * FROM t;
 id |  v
----+------
  1 | kept
(1 row)

strata=> \q

## several statements on one line, one statement over several lines
# Until its ';' a statement goes on, and the prompt says so.
$ strata test.db
strata=> CREATE TABLE t (a INT); INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);
CREATE TABLE
INSERT 0 1
INSERT 0 1
strata=> INSERT INTO t
strata-> VALUES (3),
strata->        (4);
INSERT 0 2
strata=> SELECT * FROM t; ; ;
 a
---
 1
 2
 3
 4
(4 rows)

strata=> \q

## syntax errors point at where they are
# The caret is under the token the parser could not take; in a statement
# of several lines, LINE says which line it is on.
$ strata test.db
strata=> SELECT * FORM t;
ERROR:  syntax error at or near "FORM"
LINE 1: SELECT * FORM t;
                 ^
strata=> SELECT * FROM;
ERROR:  syntax error at or near ";"
LINE 1: SELECT * FROM;
                     ^
strata=> CREATE TABLE t (id INTEGER,
strata-> name TEXT
strata-> email TEXT);
ERROR:  type "text email text" does not exist
LINE 2: name TEXT
             ^
strata=> \q
$ strata test.db -c "SELECT * FROM"
ERROR:  syntax error at end of input
LINE 2:
        ^
[exit 1]
$ strata test.db -c "INSERT INTO t VALUES ('no end)"
ERROR:  unterminated quoted string
LINE 1: INSERT INTO t VALUES ('no end)
                              ^
[exit 1]

## names that do not exist
$ strata test.db
strata=> SELECT * FROM nowhere;
ERROR:  relation "nowhere" does not exist
LINE 1: SELECT * FROM nowhere;
                      ^
strata=> CREATE TABLE t (a INT);
CREATE TABLE
strata=> INSERT INTO t (b) VALUES (1);
ERROR:  column "b" of relation "t" does not exist
LINE 1: INSERT INTO t (b) VALUES (1);
                       ^
strata=> SELECT b FROM t;
ERROR:  column "b" does not exist
LINE 1: SELECT b FROM t;
               ^
strata=> DROP TABLE nowhere;
ERROR:  table "nowhere" does not exist
LINE 1: DROP TABLE nowhere;
                   ^
strata=> \q

## a failing statement changes nothing
# The third row breaks the key: none of the three goes in.
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
CREATE TABLE
strata=> INSERT INTO t VALUES (1, 'one');
INSERT 0 1
strata=> INSERT INTO t VALUES (2, 'two'), (3, 'three'), (1, 'again');
ERROR:  duplicate key value violates unique constraint "t_pkey"
DETAIL:  Key (id)=(1) already exists.
strata=> SELECT * FROM t;
 id |  v
----+-----
  1 | one
(1 row)

strata=> \q

## update and delete by key, and all rows
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, n INT);
CREATE TABLE
strata=> INSERT INTO t VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30);
INSERT 0 3
strata=> UPDATE t SET v = 'B', n = -20 WHERE id = 2;
UPDATE 1
strata=> UPDATE t SET v = 'gone' WHERE id = 9;
UPDATE 0
strata=> DELETE FROM t WHERE id = 1;
DELETE 1
strata=> SELECT * FROM t;
 id | v |  n
----+---+-----
  2 | B | -20
  3 | c |  30
(2 rows)

strata=> UPDATE t SET n = 0;
UPDATE 2
strata=> DELETE FROM t;
DELETE 2
strata=> SELECT * FROM t;
 id | v | n
----+---+---
(0 rows)

strata=> \q

## an update may move a row to a new row id
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
CREATE TABLE
strata=> INSERT INTO t VALUES (1, 'a'), (2, 'b');
INSERT 0 2
strata=> UPDATE t SET id = 5 WHERE id = 1;
UPDATE 1
strata=> UPDATE t SET id = 2 WHERE id = 5;
ERROR:  duplicate key value violates unique constraint "t_pkey"
DETAIL:  Key (id)=(2) already exists.
strata=> SELECT * FROM t;
 id | v
----+---
  2 | b
  5 | a
(2 rows)

strata=> \q

## create and drop, with and without IF [NOT] EXISTS
$ strata test.db
strata=> CREATE TABLE t (a INT);
CREATE TABLE
strata=> CREATE TABLE t (a INT);
ERROR:  relation "t" already exists
LINE 1: CREATE TABLE t (a INT);
                     ^
strata=> CREATE TABLE IF NOT EXISTS t (b TEXT);
NOTICE:  relation "t" already exists, skipping
CREATE TABLE
strata=> DROP TABLE t;
DROP TABLE
strata=> DROP TABLE t;
ERROR:  table "t" does not exist
LINE 1: DROP TABLE t;
                   ^
strata=> DROP TABLE IF EXISTS t;
NOTICE:  table "t" does not exist, skipping
DROP TABLE
strata=> \q

## names fold to lower case unless quoted
$ strata test.db
strata=> CREATE TABLE Mixed (Id INT, "Kept Case" TEXT);
CREATE TABLE
strata=> INSERT INTO MIXED (ID, "Kept Case") VALUES (1, 'x');
INSERT 0 1
strata=> SELECT id, "Kept Case" FROM mixed;
 id | Kept Case
----+-----------
  1 | x
(1 row)

strata=> SELECT "kept case" FROM mixed;
ERROR:  column "kept case" does not exist
LINE 1: SELECT "kept case" FROM mixed;
               ^
strata=> \q

## keywords in any case
$ strata test.db
strata=> create table t (a int);
CREATE TABLE
strata=> Insert Into t Values (1);
INSERT 0 1
strata=> sElEcT * fRoM t;
 a
---
 1
(1 row)

strata=> \q

## a table without an INTEGER PRIMARY KEY has a hidden row id
# Named rowid, as in SQLite: one more than the largest so far.
$ strata test.db
strata=> CREATE TABLE notes (body TEXT);
CREATE TABLE
strata=> INSERT INTO notes VALUES ('first'), ('second');
INSERT 0 2
strata=> DELETE FROM notes WHERE rowid = 1;
DELETE 1
strata=> INSERT INTO notes VALUES ('third');
INSERT 0 1
strata=> SELECT rowid, body FROM notes;
 rowid |  body
-------+--------
     2 | second
     3 | third
(2 rows)

strata=> \q

## what milestone 06 does not evaluate yet
milestones: 06
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, v INT);
CREATE TABLE
strata=> SELECT * FROM t WHERE v = 1;
ERROR:  a condition other than "row id = literal" (as in WHERE id = 5) needs expressions, which comes in milestone 07
LINE 1: SELECT * FROM t WHERE v = 1;
                              ^
strata=> SELECT 1 + 1 FROM t;
ERROR:  syntax error at or near "+"
LINE 1: SELECT 1 + 1 FROM t;
                 ^
strata=> INSERT INTO t VALUES (1, v);
ERROR:  a column where a value goes (milestone 06 takes a literal here) comes in milestone 07
LINE 1: INSERT INTO t VALUES (1, v);
                                 ^
strata=> \q
