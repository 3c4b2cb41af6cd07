# From milestone 06 on, every column has a type, and values are held to
# it, as in PostgreSQL and SQLite's STRICT tables; every error names the
# column.
milestones: 06-

## each type, and NULL
$ strata test.db
strata=> CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BOOLEAN);
CREATE TABLE
strata=> INSERT INTO t VALUES (-7, 2.5, 'it''s', TRUE), (NULL, NULL, NULL, NULL), (0, -0.125, '', FALSE);
INSERT 0 3
strata=> SELECT * FROM t;
 i  |   r    |  s   | b
----+--------+------+---
 -7 |    2.5 | it's | t
    |        |      |
  0 | -0.125 |      | f
(3 rows)

strata=> \q

## an integer into a REAL column becomes a real, a whole real an integer
$ strata test.db
strata=> CREATE TABLE t (i INTEGER, r REAL);
CREATE TABLE
strata=> INSERT INTO t VALUES (3.0, 3);
INSERT 0 1
strata=> INSERT INTO t VALUES (3.5, 1);
ERROR:  column "i" is of type integer but expression is of type real
LINE 1: INSERT INTO t VALUES (3.5, 1);
                              ^
strata=> SELECT * FROM t;
 i |  r
---+-----
 3 | 3.0
(1 row)

strata=> \q

## values of the wrong type are refused
$ strata test.db
strata=> CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BOOLEAN);
CREATE TABLE
strata=> INSERT INTO t VALUES ('7', NULL, NULL, NULL);
ERROR:  column "i" is of type integer but expression is of type text
LINE 1: INSERT INTO t VALUES ('7', NULL, NULL, NULL);
                              ^
strata=> INSERT INTO t VALUES (NULL, 'x', NULL, NULL);
ERROR:  column "r" is of type real but expression is of type text
LINE 1: INSERT INTO t VALUES (NULL, 'x', NULL, NULL);
                                    ^
strata=> INSERT INTO t VALUES (NULL, NULL, 7, NULL);
ERROR:  column "s" is of type text but expression is of type integer
LINE 1: INSERT INTO t VALUES (NULL, NULL, 7, NULL);
                                          ^
strata=> INSERT INTO t VALUES (NULL, NULL, NULL, 2);
ERROR:  column "b" is of type boolean but expression is of type integer
LINE 1: INSERT INTO t VALUES (NULL, NULL, NULL, 2);
                                                ^
strata=> \q

## TRUE is a boolean in 06
# From 07 on values behave as SQLite's, where TRUE is the integer 1.
milestones: 06
$ strata test.db
strata=> CREATE TABLE t (i INTEGER, b BOOLEAN);
CREATE TABLE
strata=> INSERT INTO t VALUES (TRUE, NULL);
ERROR:  column "i" is of type integer but expression is of type boolean
LINE 1: INSERT INTO t VALUES (TRUE, NULL);
                              ^
strata=> \q

## TRUE is the integer 1 from 07, and still fits a BOOLEAN column
milestones: 07-
$ strata test.db
strata=> CREATE TABLE t (i INTEGER, b BOOLEAN);
CREATE TABLE
strata=> INSERT INTO t VALUES (TRUE, FALSE);
INSERT 0 1
strata=> SELECT i, b, TRUE + 1 FROM t;
 i | b | ?column?
---+---+----------
 1 | f |        2
(1 row)

strata=> \q

## VARCHAR(n) and CHAR(n) hold at most n characters
$ strata test.db
strata=> CREATE TABLE t (code VARCHAR(3), c CHAR(2));
CREATE TABLE
strata=> INSERT INTO t VALUES ('abc', 'é€');
INSERT 0 1
strata=> INSERT INTO t VALUES ('abcd', NULL);
ERROR:  value too long for type character varying(3)
LINE 1: INSERT INTO t VALUES ('abcd', NULL);
                              ^
strata=> INSERT INTO t VALUES (NULL, 'abc');
ERROR:  value too long for type character varying(2)
LINE 1: INSERT INTO t VALUES (NULL, 'abc');
                                    ^
strata=> SELECT * FROM t;
 code | c
------+----
 abc  | é€
(1 row)

strata=> \q

## NOT NULL and DEFAULT
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, n INT DEFAULT 42, flag BOOLEAN DEFAULT FALSE);
CREATE TABLE
strata=> INSERT INTO t (name) VALUES ('defaults');
INSERT 0 1
strata=> INSERT INTO t (id, n) VALUES (7, 1);
ERROR:  null value in column "name" violates not-null constraint
LINE 1: INSERT INTO t (id, n) VALUES (7, 1);
                    ^
strata=> INSERT INTO t VALUES (8, NULL, 1, TRUE);
ERROR:  null value in column "name" violates not-null constraint
LINE 1: INSERT INTO t VALUES (8, NULL, 1, TRUE);
                                 ^
strata=> UPDATE t SET name = NULL WHERE id = 1;
ERROR:  null value in column "name" violates not-null constraint
LINE 1: UPDATE t SET name = NULL WHERE id = 1;
                            ^
strata=> SELECT * FROM t;
 id |   name   | n  | flag
----+----------+----+------
  1 | defaults | 42 | f
(1 row)

strata=> \q

## 64-bit integers and their limits
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, n BIGINT);
CREATE TABLE
strata=> INSERT INTO t VALUES (9223372036854775807, -9223372036854775808);
INSERT 0 1
strata=> INSERT INTO t VALUES (1, 9223372036854775808);
ERROR:  integer out of range
LINE 1: INSERT INTO t VALUES (1, 9223372036854775808);
                                 ^
strata=> INSERT INTO t VALUES (-9223372036854775808, 1);
INSERT 0 1
strata=> SELECT * FROM t;
          id          |          n
----------------------+----------------------
 -9223372036854775808 |                    1
  9223372036854775807 | -9223372036854775808
(2 rows)

strata=> \q

## type names and what they mean
$ strata test.db
strata=> CREATE TABLE t (a INT, b BIGINT, c SMALLINT, d FLOAT, e DOUBLE PRECISION, f VARCHAR(5), g CHARACTER VARYING(6), h BOOL);
CREATE TABLE
strata=> \d t
                     Table "t"
 Column |         Type         | Nullable | Default
--------+----------------------+----------+---------
 a      | integer              |          |
 b      | integer              |          |
 c      | integer              |          |
 d      | real                 |          |
 e      | real                 |          |
 f      | character varying(5) |          |
 g      | character varying(6) |          |
 h      | boolean              |          |
Row id: hidden (rowid)
Root page: 3

strata=> CREATE TABLE u (a MONEY);
ERROR:  type "money" does not exist
LINE 1: CREATE TABLE u (a MONEY);
                          ^
strata=> CREATE TABLE u (a INTEGER(5));
ERROR:  type modifier is not allowed for type "integer"
LINE 1: CREATE TABLE u (a INTEGER(5));
                          ^
strata=> CREATE TABLE u (a VARCHAR(0));
ERROR:  length for type varchar must be at least 1
LINE 1: CREATE TABLE u (a VARCHAR(0));
                          ^
strata=> \q

## keys that need an index come in milestone 08
# (which makes them with indexes: indexes.t)
milestones: 06-07
$ strata test.db
strata=> CREATE TABLE u (code TEXT PRIMARY KEY);
ERROR:  a PRIMARY KEY on a column of type text needs an index: indexes come in milestone 08; only an INTEGER PRIMARY KEY, the row id, is here
LINE 1: CREATE TABLE u (code TEXT PRIMARY KEY);
                                  ^
strata=> CREATE TABLE u (a INT, b INT, PRIMARY KEY (a, b));
ERROR:  a PRIMARY KEY of several columns needs an index: indexes come in milestone 08
LINE 1: CREATE TABLE u (a INT, b INT, PRIMARY KEY (a, b));
                                      ^
strata=> CREATE TABLE u (a INT UNIQUE);
ERROR:  UNIQUE needs an index: indexes come in milestone 08
LINE 1: CREATE TABLE u (a INT UNIQUE);
                              ^
strata=> CREATE TABLE u (a INT PRIMARY KEY, b INT PRIMARY KEY);
ERROR:  multiple primary keys for table "u" are not allowed
LINE 1: CREATE TABLE u (a INT PRIMARY KEY, b INT PRIMARY KEY);
                                                 ^
strata=> CREATE TABLE u (a INT, PRIMARY KEY (a));
CREATE TABLE
strata=> \d u
               Table "u"
 Column |  Type   | Nullable | Default
--------+---------+----------+---------
 a      | integer | not null |
Row id: a (INTEGER PRIMARY KEY)
Root page: 3

strata=> \q
