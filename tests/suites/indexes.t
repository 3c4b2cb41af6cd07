# From milestone 08 on, a table may have indexes: B+trees of their own,
# whose keys are the indexed values and then the row id, kept exact by
# every statement that changes the table. They are rows of the catalog,
# as tables are; UNIQUE indexes refuse a second row with the same values
# (NULLs are distinct), and PRIMARY KEY and UNIQUE constraints are kept
# by them.
milestones: 08-

## CREATE INDEX and DROP INDEX, and their errors in PostgreSQL's words
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b TEXT);
CREATE TABLE
strata=> INSERT INTO t VALUES (1, 10, 'x'), (2, 20, 'y'), (3, 10, 'z');
INSERT 0 3
strata=> CREATE INDEX t_a ON t (a);
CREATE INDEX
strata=> CREATE INDEX t_a ON t (b);
ERROR:  relation "t_a" already exists
LINE 1: CREATE INDEX t_a ON t (b);
                     ^
strata=> CREATE INDEX IF NOT EXISTS t_a ON t (b);
NOTICE:  relation "t_a" already exists, skipping
CREATE INDEX
strata=> CREATE INDEX t ON t (b);
ERROR:  relation "t" already exists
LINE 1: CREATE INDEX t ON t (b);
                     ^
strata=> CREATE INDEX t_c ON t (c);
ERROR:  column "c" does not exist
LINE 1: CREATE INDEX t_c ON t (c);
                               ^
strata=> CREATE INDEX t_c ON nowhere (c);
ERROR:  relation "nowhere" does not exist
LINE 1: CREATE INDEX t_c ON nowhere (c);
                            ^
strata=> CREATE INDEX s ON strata_tables (name);
ERROR:  permission denied: "strata_tables" is a system catalog
LINE 1: CREATE INDEX s ON strata_tables (name);
                          ^
strata=> CREATE VIEW v AS SELECT a FROM t;
CREATE VIEW
strata=> CREATE INDEX v_a ON v (a);
ERROR:  cannot create index on view "v": a view has no rows of its own
LINE 1: CREATE INDEX v_a ON v (a);
                            ^
strata=> CREATE TABLE t_a (x INTEGER);
ERROR:  relation "t_a" already exists
LINE 1: CREATE TABLE t_a (x INTEGER);
                     ^
strata=> DROP INDEX t_b;
ERROR:  index "t_b" does not exist
LINE 1: DROP INDEX t_b;
                   ^
strata=> DROP INDEX IF EXISTS t_b;
NOTICE:  index "t_b" does not exist, skipping
DROP INDEX
strata=> DROP INDEX t;
ERROR:  "t" is not an index: use DROP TABLE
LINE 1: DROP INDEX t;
                   ^
strata=> DROP TABLE t_a;
ERROR:  "t_a" is not a table: use DROP INDEX
LINE 1: DROP TABLE t_a;
                   ^
strata=> SELECT * FROM t_a;
ERROR:  relation "t_a" does not exist
LINE 1: SELECT * FROM t_a;
                      ^
strata=> DROP INDEX t_a;
DROP INDEX
strata=> \di
Did not find any indexes.
strata=> \check
ok
strata=> \q

## the catalog holds an index as a row of strata_tables and its columns
# An index is a relation, as in PostgreSQL: its row in strata_tables says
# "index" (or "unique index"), its table and its tree's root page, and
# its key columns are rows of strata_columns under its name, whose type
# says the direction. \dt lists no index; a new session reads them back.
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b TEXT);
CREATE TABLE
strata=> CREATE UNIQUE INDEX t_b_a ON t (b DESC, a);
CREATE INDEX
strata=> SELECT * FROM strata_tables WHERE type <> 'table';
 name  |     type     | table_name | root_page |                    sql
-------+--------------+------------+-----------+--------------------------------------------
 t_b_a | unique index | t          |         4 | CREATE UNIQUE INDEX t_b_a ON t (b DESC, a)
(1 row)

strata=> SELECT table_name, position, name, type FROM strata_columns WHERE table_name = 't_b_a';
 table_name | position | name | type
------------+----------+------+------
 t_b_a      |        0 | b    | desc
 t_b_a      |        1 | a    | asc
(2 rows)

strata=> \dt
      List of tables
 name | type  | root_page
------+-------+-----------
 t    | table |         3
(1 row)

strata=> \q
$ strata test.db
strata=> \di
                List of indexes
 name  | table |  columns  | unique | root_page
-------+-------+-----------+--------+-----------
 t_b_a | t     | b DESC, a | unique |         4
(1 row)

strata=> \q

## \d lists a table's indexes as psql does, and describes an index
$ strata test.db
strata=> CREATE TABLE t (code TEXT PRIMARY KEY, a INTEGER UNIQUE, b REAL, c TEXT);
CREATE TABLE
strata=> CREATE INDEX t_c ON t (c DESC, b);
CREATE INDEX
strata=> CREATE UNIQUE INDEX t_b ON t (b);
CREATE INDEX
strata=> \d t
               Table "t"
 Column |  Type   | Nullable | Default
--------+---------+----------+---------
 code   | text    | not null |
 a      | integer |          |
 b      | real    |          |
 c      | text    |          |
Indexes:
    "t_pkey" PRIMARY KEY, btree (code)
    "t_a_key" UNIQUE CONSTRAINT, btree (a)
    "t_b" UNIQUE, btree (b)
    "t_c" btree (c DESC, b)
Row id: hidden (rowid)
Root page: 3

strata=> \d t_c
      Index "t_c"
 Column | Type | Order
--------+------+-------
 c      | text | DESC
 b      | real | ASC
btree, for table "t"
Root page: 6

strata=> \d t_pkey
    Index "t_pkey"
 Column | Type | Order
--------+------+-------
 code   | text | ASC
primary key, btree, for table "t"
Root page: 4

strata=> \d t_nothing
Did not find any relation named "t_nothing".
strata=> \di
                    List of indexes
  name   | table |  columns  |   unique    | root_page
---------+-------+-----------+-------------+-----------
 t_pkey  | t     | code      | primary key |         4
 t_a_key | t     | a         | unique      |         5
 t_c     | t     | c DESC, b |             |         6
 t_b     | t     | b         | unique      |         7
(4 rows)

strata=> \q

## UNIQUE refuses a second row with the same values; NULLs are distinct
# Each refused statement changes nothing: the rows before it in the same
# statement go too, and the index stays exact.
$ strata test.db
strata=> CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT, n INTEGER);
CREATE TABLE
strata=> CREATE UNIQUE INDEX u_email ON u (email);
CREATE INDEX
strata=> INSERT INTO u VALUES (1, 'ann@x', 1), (2, 'bo@x', 2), (3, NULL, 3), (4, NULL, 4);
INSERT 0 4
strata=> INSERT INTO u VALUES (5, 'cy@x', 5), (6, 'ann@x', 6);
ERROR:  duplicate key value violates unique constraint "u_email"
DETAIL:  Key (email)=(ann@x) already exists.
strata=> INSERT INTO u VALUES (5, 'cy@x', 5), (6, 'cy@x', 6);
ERROR:  duplicate key value violates unique constraint "u_email"
DETAIL:  Key (email)=(cy@x) already exists.
strata=> UPDATE u SET email = 'ann@x' WHERE id = 2;
ERROR:  duplicate key value violates unique constraint "u_email"
DETAIL:  Key (email)=(ann@x) already exists.
strata=> UPDATE u SET email = 'ann@x' WHERE id = 1;
UPDATE 1
strata=> UPDATE u SET email = NULL WHERE id < 3;
UPDATE 2
strata=> SELECT * FROM u;
 id | email | n
----+-------+---
  1 |       | 1
  2 |       | 2
  3 |       | 3
  4 |       | 4
(4 rows)

strata=> \check
ok
strata=> \q

## UPDATE checks each row as it changes it, in row id order, as SQLite
# So n = n + 1 over 1, 2 fails (row 1 takes the 2 of row 2, not yet
# changed), while over 2, 1 it succeeds; either way a refused UPDATE
# changes nothing. A swap in one statement fails the same way.
$ strata test.db
strata=> CREATE TABLE up (id INTEGER PRIMARY KEY, n INTEGER UNIQUE);
CREATE TABLE
strata=> INSERT INTO up VALUES (1, 1), (2, 2);
INSERT 0 2
strata=> UPDATE up SET n = n + 1;
ERROR:  duplicate key value violates unique constraint "up_n_key"
DETAIL:  Key (n)=(2) already exists.
strata=> UPDATE up SET n = 3 - n;
ERROR:  duplicate key value violates unique constraint "up_n_key"
DETAIL:  Key (n)=(2) already exists.
strata=> SELECT * FROM up;
 id | n
----+---
  1 | 1
  2 | 2
(2 rows)

strata=> CREATE TABLE down (id INTEGER PRIMARY KEY, n INTEGER UNIQUE);
CREATE TABLE
strata=> INSERT INTO down VALUES (1, 2), (2, 1);
INSERT 0 2
strata=> UPDATE down SET n = n + 1;
UPDATE 2
strata=> SELECT * FROM down;
 id | n
----+---
  1 | 3
  2 | 2
(2 rows)

strata=> UPDATE down SET id = id + 10;
UPDATE 2
strata=> SELECT * FROM down;
 id | n
----+---
 11 | 3
 12 | 2
(2 rows)

strata=> \check
ok
strata=> \q

## \copy refuses a duplicate, and rolls back its batch
$ printf '5,dee@x\n6,eve@x\n7,ann@x\n' > dup.csv
$ printf '5,dee@x\n6,\n7,\n' > ok.csv
$ strata test.db
strata=> CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE);
CREATE TABLE
strata=> INSERT INTO u VALUES (1, 'ann@x');
INSERT 0 1
strata=> \copy u FROM 'dup.csv' CSV
ERROR:  COPY u, line 3: duplicate key value violates unique constraint "u_email_key" (Key (email)=(ann@x) already exists.); nothing was copied
strata=> SELECT * FROM u;
 id | email
----+-------
  1 | ann@x
(1 row)

strata=> \copy u FROM 'ok.csv' CSV
COPY 3
strata=> SELECT * FROM u;
 id | email
----+-------
  1 | ann@x
  5 | dee@x
  6 |
  7 |
(4 rows)

strata=> \check
ok
strata=> \q

## PRIMARY KEY and UNIQUE on any columns, by unique indexes
# An INTEGER PRIMARY KEY is still the row id; any other primary key, and
# every UNIQUE, is a unique index named as PostgreSQL names it:
# TABLE_pkey, TABLE_a_key, TABLE_a_b_key, with a number after a name
# that is taken. The columns of a primary key are NOT NULL.
$ strata test.db
strata=> CREATE TABLE p (a INTEGER, b TEXT, c INTEGER UNIQUE, PRIMARY KEY (a, b), UNIQUE (b, c));
CREATE TABLE
strata=> \d p
               Table "p"
 Column |  Type   | Nullable | Default
--------+---------+----------+---------
 a      | integer | not null |
 b      | text    | not null |
 c      | integer |          |
Indexes:
    "p_pkey" PRIMARY KEY, btree (a, b)
    "p_b_c_key" UNIQUE CONSTRAINT, btree (b, c)
    "p_c_key" UNIQUE CONSTRAINT, btree (c)
Row id: hidden (rowid)
Root page: 3

strata=> INSERT INTO p VALUES (1, 'x', 1), (1, 'y', 2), (2, 'x', NULL), (3, 'x', NULL);
INSERT 0 4
strata=> INSERT INTO p VALUES (1, 'x', 9);
ERROR:  duplicate key value violates unique constraint "p_pkey"
DETAIL:  Key (a, b)=(1, x) already exists.
strata=> INSERT INTO p VALUES (9, 'x', 1);
ERROR:  duplicate key value violates unique constraint "p_c_key"
DETAIL:  Key (c)=(1) already exists.
strata=> INSERT INTO p VALUES (NULL, 'x', 9);
ERROR:  null value in column "a" violates not-null constraint
LINE 1: INSERT INTO p VALUES (NULL, 'x', 9);
                              ^
strata=> SELECT * FROM p;
 a | b | c
---+---+---
 1 | x | 1
 1 | y | 2
 2 | x |
 3 | x |
(4 rows)

strata=> CREATE TABLE q_c_key (x INTEGER);
CREATE TABLE
strata=> CREATE TABLE q (c TEXT UNIQUE, d INTEGER PRIMARY KEY);
CREATE TABLE
strata=> \d q
               Table "q"
 Column |  Type   | Nullable | Default
--------+---------+----------+---------
 c      | text    |          |
 d      | integer | not null |
Indexes:
    "q_c_key1" UNIQUE CONSTRAINT, btree (c)
Row id: d (INTEGER PRIMARY KEY)
Root page: 8

strata=> DROP INDEX q_c_key1;
ERROR:  cannot drop index q_c_key1 because constraint q_c_key1 on table q requires it
LINE 1: DROP INDEX q_c_key1;
                   ^
strata=> CREATE TABLE bad (a INTEGER, PRIMARY KEY (a, a));
ERROR:  column "a" appears twice in primary key constraint
LINE 1: CREATE TABLE bad (a INTEGER, PRIMARY KEY (a, a));
                                     ^
strata=> CREATE TABLE bad (a INTEGER, UNIQUE (z));
ERROR:  column "z" named in key does not exist
LINE 1: CREATE TABLE bad (a INTEGER, UNIQUE (z));
                                             ^
strata=> CREATE TABLE bad (a TEXT PRIMARY KEY, b INTEGER PRIMARY KEY);
ERROR:  multiple primary keys for table "bad" are not allowed
LINE 1: CREATE TABLE bad (a TEXT PRIMARY KEY, b INTEGER PRIMARY KEY)...
                                                        ^
strata=> CREATE TABLE bad (a INTEGER PRIMARY KEY, PRIMARY KEY (a));
ERROR:  multiple primary keys for table "bad" are not allowed
LINE 1: CREATE TABLE bad (a INTEGER PRIMARY KEY, PRIMARY KEY (a));
                                                 ^
strata=> \check
ok
strata=> \q

## CREATE INDEX over rows there: sorted in bounded memory, then inserted
# 3,000 rows with work_mem at its smallest: the entries are sorted in
# runs written to temporary files and merged; a UNIQUE index over values
# that repeat is refused and leaves nothing behind.
$ seq 1 3000 | awk '{ print $1 "," ($1 * 7919) % 1000 ",name" $1 }' > rows.csv
$ strata test.db
strata=> CREATE TABLE big (id INTEGER PRIMARY KEY, k INTEGER, name TEXT);
CREATE TABLE
strata=> \copy big FROM 'rows.csv' CSV
COPY 3000
strata=> \q
$ printf 'SET work_mem = 64;\nCREATE INDEX big_k ON big (k, name);\n\\sorts\n' | strata test.db | grep -E -o '^sort 1: .*|^  runs written'
sort 1: 3000 rows, work_mem 64kB
  runs written
$ strata test.db
strata=> CREATE UNIQUE INDEX big_k_unique ON big (k);
ERROR:  could not create unique index "big_k_unique"
DETAIL:  Key (k)=(0) is duplicated.
strata=> CREATE UNIQUE INDEX big_name ON big (name DESC);
CREATE INDEX
strata=> \d big
              Table "big"
 Column |  Type   | Nullable | Default
--------+---------+----------+---------
 id     | integer | not null |
 k      | integer |          |
 name   | text    |          |
Indexes:
    "big_k" btree (k, name)
    "big_name" UNIQUE, btree (name DESC)
Row id: id (INTEGER PRIMARY KEY)
Root page: 3

strata=> \check
ok
strata=> \q

## \copy keeps the indexes of its table exact, batch by batch
# In a small pool a batch ends when the next row's pages (the table's
# and each index's) do not fit beside the batch's: that row's entries go
# out again, and it starts the next batch.
$ seq 1 3000 | awk '{ print $1 "," ($1 * 7919) % 1000 ",name" $1 }' > rows.csv
$ strata test.db
strata=> CREATE TABLE c (id INTEGER PRIMARY KEY, k INTEGER, name TEXT UNIQUE);
CREATE TABLE
strata=> CREATE INDEX c_k ON c (k DESC, id);
CREATE INDEX
strata=> \copy c FROM 'rows.csv' CSV
COPY 3000
strata=> SELECT count(*), min(name), max(k) FROM c;
 count |  min  | max
-------+-------+-----
  3000 | name1 | 999
(1 row)

strata=> \check
ok
strata=> \q

## a value too long for a key is refused in one line
# An index key holds at most 640 bytes (a quarter of a page's cells, so
# that a split leaves both halves filled): a text of 700 is refused, and
# so is an index over a table that holds one.
$ strata test.db -c "CREATE TABLE k (id INTEGER PRIMARY KEY, s TEXT); CREATE INDEX k_s ON k (s);"
CREATE TABLE
CREATE INDEX
$ strata test.db -c "INSERT INTO k VALUES (1, 'short'), (2, '$(head -c 700 /dev/zero | tr '\0' x)');"
ERROR:  index row size exceeds maximum 640 for index "k_s"
[exit 1]
$ strata test.db -c "DROP INDEX k_s; INSERT INTO k VALUES (2, '$(head -c 700 /dev/zero | tr '\0' x)');"
DROP INDEX
INSERT 0 1
$ strata test.db -c "CREATE INDEX k_s ON k (s);"
ERROR:  index row size exceeds maximum 640 for index "k_s"
[exit 1]
$ strata test.db
strata=> SELECT id, length(s) FROM k;
 id | length
----+--------
  2 |    700
(1 row)

strata=> \di
Did not find any indexes.
strata=> \check
ok
strata=> \q

## \check after a mix of changes, and DROP TABLE drops its indexes
$ strata test.db
strata=> CREATE TABLE m (id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c REAL);
CREATE TABLE
strata=> CREATE INDEX m_a ON m (a);
CREATE INDEX
strata=> CREATE INDEX m_b_c ON m (b DESC, c);
CREATE INDEX
strata=> CREATE UNIQUE INDEX m_c ON m (c);
CREATE INDEX
strata=> INSERT INTO m VALUES (1, 1, 'one', 1.5), (2, 2, 'two', 2.5), (3, NULL, NULL, NULL), (4, 1, 'four', 4);
INSERT 0 4
strata=> UPDATE m SET a = a + 10 WHERE id < 3;
UPDATE 2
strata=> UPDATE m SET b = 'eins' WHERE id = 1;
UPDATE 1
strata=> UPDATE m SET id = 40 WHERE id = 4;
UPDATE 1
strata=> UPDATE m SET c = c * 2;
UPDATE 4
strata=> DELETE FROM m WHERE id = 2;
DELETE 1
strata=> INSERT INTO m (a, b) VALUES (5, 'five');
INSERT 0 1
strata=> SELECT * FROM m;
 id | a  |  b   |  c
----+----+------+-----
  1 | 11 | eins | 3.0
  3 |    |      |
 40 |  1 | four | 8.0
 41 |  5 | five |
(4 rows)

strata=> \check
ok
strata=> DROP TABLE m;
DROP TABLE
strata=> \di
Did not find any indexes.
strata=> \check
ok
strata=> \q

## \? lists the index statements and \di
$ strata test.db
strata=> \?
SQL statements end with ';' (several on a line, or one over several lines):
  CREATE TABLE, DROP TABLE, CREATE VIEW, DROP VIEW, CREATE INDEX,
  DROP INDEX, INSERT, SELECT, UPDATE, DELETE, EXPLAIN SELECT,
  SET work_mem, SHOW work_mem
Backslash commands:
  \?                                      list these commands
  \btree NAME                             print the B+tree of table or index NAME, one node a line
  \check                                  check every invariant of the file, and each index against its table
  \checkpoint                             write committed pages into the file
  \copy TABLE FROM 'FILE' [CSV] [HEADER]  load rows from a CSV file, in batched commits
  \d [NAME]                               describe table, view or index NAME; without one, list the tables
  \di                                     list the indexes: name, table, columns, unique, root page
  \dt                                     list the tables and views (\dtS: the catalog's too)
  \echo TEXT                              print TEXT
  \freelist                               list the pages waiting for reuse
  \memory                                 print the peak memory so far
  \page N                                 print page N's header and cells
  \pages                                  list every page: type, cells, free bytes, table
  \pool                                   print the buffer pool's frames
  \q                                      quit
  \sorts                                  what the last statement's sorts did: runs, merges
  \stats                                  print the buffer pool's counters
  \timing [on|off]                        show how long each statement takes
  \wal                                    print the state of the log
strata=> \q
