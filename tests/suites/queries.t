# From milestone 07 on, strata answers questions: expressions, filters,
# sorting, aggregates, joins, subqueries, set operations and views, each
# query a plan of iterators that EXPLAIN shows. Values follow SQLite's
# rules where SQL engines differ.
milestones: 07-

## expressions follow SQLite's arithmetic
# Integer division truncates, a division by zero is NULL, an integer that
# overflows becomes a real, text in arithmetic is read for its number.
$ strata test.db
strata=> SELECT 7 / 2, -7 / 2, 7 % 3, -7 % 3, 7.0 / 2, 1 / 0, 1 % 0;
 ?column? | ?column? | ?column? | ?column? | ?column? | ?column? | ?column?
----------+----------+----------+----------+----------+----------+----------
        3 |       -3 |        1 |       -1 |      3.5 |          |
(1 row)

strata=> SELECT 9223372036854775807 + 1, '12abc' + 1, 'abc' * 2, - - 5;
       ?column?       | ?column? | ?column? | ?column?
----------------------+----------+----------+----------
 9.22337203685478e+18 |       13 |        0 |        5
(1 row)

strata=> SELECT 'ab' || 'cd', 1 || 2, 1.5 || '', NULL || 'x';
 ?column? | ?column? | ?column? | ?column?
----------+----------+----------+----------
 abcd     | 12       | 1.5      |
(1 row)

strata=> SELECT typeof(1), typeof(1.5), typeof('x'), typeof(NULL), typeof(1 = 1);
 typeof  | typeof | typeof | typeof | typeof
---------+--------+--------+--------+---------
 integer | real   | text   | null   | integer
(1 row)

strata=> \q

## three-valued logic: NULL is unknown
$ strata test.db
strata=> SELECT NULL AND 0, NULL AND 1, NULL OR 1, NULL OR 0, NOT NULL, NULL = NULL, NULL IS NULL, 1 IS NOT NULL;
 ?column? | ?column? | ?column? | ?column? | ?column? | ?column? | ?column? | ?column?
----------+----------+----------+----------+----------+----------+----------+----------
        0 |          |        1 |          |          |          |        1 |        1
(1 row)

strata=> SELECT 1 IN (1, NULL), 2 IN (1, NULL), 2 NOT IN (1, NULL), NULL IN (), 3 BETWEEN 1 AND NULL, 0 BETWEEN 1 AND NULL;
 ?column? | ?column? | ?column? | ?column? | ?column? | ?column?
----------+----------+----------+----------+----------+----------
        1 |          |          |        0 |          |        0
(1 row)

strata=> \q

## NOT of a number is 0 or 1, also when the number is a constant
# The parser folded NOT into a number as it folds a sign (NOT 2 was 2,
# and WHERE NOT 0 chose no row); the differential tester found it.
$ strata test.db
strata=> SELECT NOT 0, NOT 2, NOT -1, NOT 0.5, NOT (NOT 4), NOT NULL, +3, - -3;
 ?column? | ?column? | ?column? | ?column? | ?column? | ?column? | ?column? | ?column?
----------+----------+----------+----------+----------+----------+----------+----------
        1 |        0 |        0 |        0 |        1 |          |        3 |        3
(1 row)

strata=> CREATE TABLE t (v INTEGER);
CREATE TABLE
strata=> INSERT INTO t VALUES (1), (2);
INSERT 0 2
strata=> UPDATE t SET v = v * 10 WHERE NOT 0;
UPDATE 2
strata=> SELECT v FROM t WHERE NOT 2 OR v > 10;
 v
----
 20
(1 row)

strata=> \q

## CASE, CAST, LIKE and the functions
$ strata test.db
strata=> SELECT CASE WHEN 1 > 2 THEN 'a' WHEN 2 > 1 THEN 'b' END, CASE 3 WHEN 1 THEN 'one' ELSE 'other' END, CASE WHEN NULL THEN 1 END;
 ?column? | ?column? | ?column?
----------+----------+----------
 b        | other    |
(1 row)

strata=> SELECT CAST('12.5' AS REAL), CAST('12.5' AS INTEGER), CAST(12.9 AS INTEGER), CAST(7 AS TEXT) || '!', CAST('3.0' AS SIGNED);
 ?column? | ?column? | ?column? | ?column? | ?column?
----------+----------+----------+----------+----------
     12.5 |       12 |       12 | 7!       |        3
(1 row)

strata=> SELECT 'Hello' LIKE 'h%', 'Hello' LIKE '_ello', 'a%b' LIKE 'a\%b' ESCAPE '\', 'x' NOT LIKE 'x';
 ?column? | ?column? | ?column? | ?column?
----------+----------+----------+----------
        1 |        1 |        1 |        0
(1 row)

strata=> SELECT abs(-3), coalesce(NULL, NULL, 'c'), nullif(2, 2), ifnull(NULL, 0), length('héllo'), lower('ÀBC'), upper('abc');
 abs | coalesce | nullif | ifnull | length | lower | upper
-----+----------+--------+--------+--------+-------+-------
   3 | c        |        |      0 |      5 | Àbc   | ABC
(1 row)

strata=> SELECT substr('strata', 2, 3), substr('strata', -3), round(2.5), round(-2.5), round(3.14159, 2);
 substr | substr | round | round | round
--------+--------+-------+-------+-------
 tra    | ata    |   3.0 |  -3.0 |  3.14
(1 row)

strata=> \q

## WHERE, ORDER BY, LIMIT and DISTINCT
# ORDER BY takes an expression, a result's position or its alias;
# NULLs sort first, as in SQLite.
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL);
CREATE TABLE
strata=> INSERT INTO t VALUES (1, 'ann', 3.5), (2, 'bob', NULL), (3, 'cy', 1.0), (4, 'dee', 3.5), (5, 'ed', 2.0);
INSERT 0 5
strata=> SELECT name FROM t WHERE score > 1.5 AND name <> 'ed' ORDER BY name DESC;
 name
------
 dee
 ann
(2 rows)

strata=> SELECT name, score FROM t ORDER BY score, 1;
 name | score
------+-------
 bob  |
 cy   |   1.0
 ed   |   2.0
 ann  |   3.5
 dee  |   3.5
(5 rows)

strata=> SELECT name AS who FROM t ORDER BY who LIMIT 2 OFFSET 1;
 who
-----
 bob
 cy
(2 rows)

strata=> SELECT DISTINCT score FROM t ORDER BY score DESC;
 score
-------
   3.5
   2.0
   1.0

(4 rows)

strata=> SELECT id * 10 AS x FROM t WHERE id BETWEEN 2 AND 4 ORDER BY x DESC;
 x
----
 40
 30
 20
(3 rows)

strata=> \q

## aggregates, GROUP BY and HAVING
$ strata test.db
strata=> CREATE TABLE sales (region TEXT, amount INTEGER);
CREATE TABLE
strata=> INSERT INTO sales VALUES ('north', 10), ('south', 5), ('north', 20), ('east', NULL), ('south', 5);
INSERT 0 5
strata=> SELECT count(*), count(amount), sum(amount), total(amount), avg(amount), min(amount), max(amount) FROM sales;
 count | count | sum | total | avg  | min | max
-------+-------+-----+-------+------+-----+-----
     5 |     4 |  40 |  40.0 | 10.0 |   5 |  20
(1 row)

strata=> SELECT region, count(*) AS n, sum(amount) FROM sales GROUP BY region ORDER BY region;
 region | n | sum
--------+---+-----
 east   | 1 |
 north  | 2 |  30
 south  | 2 |  10
(3 rows)

strata=> SELECT region, sum(amount) FROM sales GROUP BY 1 HAVING sum(amount) > 9 ORDER BY 2 DESC;
 region | sum
--------+-----
 north  |  30
 south  |  10
(2 rows)

strata=> SELECT count(DISTINCT amount), sum(DISTINCT amount) FROM sales;
 count | sum
-------+-----
     3 |  35
(1 row)

strata=> SELECT count(*), sum(amount), max(region) FROM sales WHERE amount > 100;
 count | sum | max
-------+-----+-----
     0 |     |
(1 row)

strata=> \q

## joins: inner, LEFT, USING, and a table with itself
$ strata test.db
strata=> CREATE TABLE dept (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE
strata=> CREATE TABLE emp (name TEXT, dept_id INTEGER, boss TEXT);
CREATE TABLE
strata=> INSERT INTO dept VALUES (1, 'eng'), (2, 'ops'), (3, 'empty');
INSERT 0 3
strata=> INSERT INTO emp VALUES ('ann', 1, NULL), ('bob', 1, 'ann'), ('cy', 2, 'ann'), ('dee', NULL, 'cy');
INSERT 0 4
strata=> SELECT e.name, d.name FROM emp e JOIN dept d ON e.dept_id = d.id ORDER BY 1;
 name | name
------+------
 ann  | eng
 bob  | eng
 cy   | ops
(3 rows)

strata=> SELECT d.name, e.name FROM dept d LEFT JOIN emp e ON e.dept_id = d.id ORDER BY 1, 2;
 name  | name
-------+------
 empty |
 eng   | ann
 eng   | bob
 ops   | cy
(4 rows)

strata=> SELECT e.name, b.name FROM emp e LEFT JOIN emp b ON e.boss = b.name ORDER BY 1;
 name | name
------+------
 ann  |
 bob  | ann
 cy   | ann
 dee  | cy
(4 rows)

strata=> SELECT count(*) FROM dept, emp;
 count
-------
    12
(1 row)

strata=> \q

## subqueries: scalar, IN, EXISTS, correlated, and in FROM
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, grp INTEGER, v INTEGER);
CREATE TABLE
strata=> INSERT INTO t VALUES (1, 1, 10), (2, 1, 20), (3, 2, 5), (4, 2, 50), (5, 3, NULL);
INSERT 0 5
strata=> SELECT id FROM t WHERE v > (SELECT avg(v) FROM t) ORDER BY id;
 id
----
  4
(1 row)

strata=> SELECT id FROM t WHERE grp IN (SELECT grp FROM t WHERE v >= 50) ORDER BY id;
 id
----
  3
  4
(2 rows)

strata=> SELECT id, v FROM t a WHERE v = (SELECT max(v) FROM t b WHERE b.grp = a.grp) ORDER BY id;
 id | v
----+----
  2 | 20
  4 | 50
(2 rows)

strata=> SELECT grp FROM t a WHERE NOT EXISTS (SELECT 1 FROM t b WHERE b.grp = a.grp AND b.v IS NOT NULL);
 grp
-----
   3
(1 row)

strata=> SELECT g, total FROM (SELECT grp AS g, sum(v) AS total FROM t GROUP BY grp) s WHERE total > 20 ORDER BY g;
 g | total
---+-------
 1 |    30
 2 |    55
(2 rows)

strata=> SELECT (SELECT v FROM t WHERE id = 99), (SELECT count(*) FROM t);
 ?column? | ?column?
----------+----------
          |        5
(1 row)

strata=> \q

## UNION, INTERSECT, EXCEPT
$ strata test.db
strata=> CREATE TABLE a (x INTEGER);
CREATE TABLE
strata=> CREATE TABLE b (x INTEGER);
CREATE TABLE
strata=> INSERT INTO a VALUES (1), (2), (2), (3), (NULL);
INSERT 0 5
strata=> INSERT INTO b VALUES (2), (3), (4), (NULL);
INSERT 0 4
strata=> SELECT x FROM a UNION SELECT x FROM b ORDER BY 1;
 x
---

 1
 2
 3
 4
(5 rows)

strata=> SELECT x FROM a UNION ALL SELECT x FROM b ORDER BY 1;
 x
---


 1
 2
 2
 2
 3
 3
 4
(9 rows)

strata=> SELECT x FROM a INTERSECT SELECT x FROM b ORDER BY 1;
 x
---

 2
 3
(3 rows)

strata=> SELECT x FROM a EXCEPT SELECT x FROM b ORDER BY 1;
 x
---
 1
(1 row)

strata=> SELECT x FROM a UNION SELECT x, x FROM b;
ERROR:  each UNION query must have the same number of columns
LINE 1: SELECT x FROM a UNION SELECT x, x FROM b;
                              ^
strata=> \q

## views: a query with a name, kept in the catalog
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);
CREATE TABLE
strata=> INSERT INTO t VALUES (1, 10), (2, 20), (3, 30);
INSERT 0 3
strata=> CREATE VIEW big (id, doubled) AS SELECT id, v * 2 FROM t WHERE v > 10;
CREATE VIEW
strata=> SELECT * FROM big ORDER BY id;
 id | doubled
----+---------
  2 |      40
  3 |      60
(2 rows)

strata=> SELECT name, type FROM strata_tables WHERE type = 'view';
 name | type
------+------
 big  | view
(1 row)

strata=> \d big
View "big"
View definition:
    CREATE VIEW big (id, doubled) AS SELECT id, v * 2 FROM t WHERE v > 10

strata=> INSERT INTO big VALUES (9, 9);
ERROR:  cannot change view "big": a view has no rows of its own
LINE 1: INSERT INTO big VALUES (9, 9);
                    ^
strata=> CREATE VIEW big AS SELECT 1;
ERROR:  relation "big" already exists
LINE 1: CREATE VIEW big AS SELECT 1;
                    ^
strata=> DROP TABLE big;
ERROR:  "big" is not a table: use DROP VIEW
LINE 1: DROP TABLE big;
                   ^
strata=> DROP VIEW big;
DROP VIEW
strata=> SELECT * FROM big;
ERROR:  relation "big" does not exist
LINE 1: SELECT * FROM big;
                      ^
strata=> \q

## changes with expressions are all or nothing
# The UPDATE fails on its third row: none of its rows changes.
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, s VARCHAR(3));
CREATE TABLE
strata=> INSERT INTO t VALUES (1, 1, 'a'), (2, 2, 'bb'), (3, 3, 'ccc');
INSERT 0 3
strata=> UPDATE t SET s = s || 'x' WHERE v > 0;
ERROR:  value too long for type character varying(3)
LINE 1: UPDATE t SET s = s || 'x' WHERE v > 0;
                         ^
strata=> SELECT * FROM t;
 id | v |  s
----+---+-----
  1 | 1 | a
  2 | 2 | bb
  3 | 3 | ccc
(3 rows)

strata=> UPDATE t SET v = v * 10 WHERE id >= 2;
UPDATE 2
strata=> DELETE FROM t WHERE v > 15 AND s LIKE 'c%';
DELETE 1
strata=> INSERT INTO t SELECT id + 10, v + 1, 'z' FROM t;
INSERT 0 2
strata=> SELECT * FROM t;
 id | v  | s
----+----+----
  1 |  1 | a
  2 | 20 | bb
 11 |  2 | z
 12 | 21 | z
(4 rows)

strata=> \q

## errors name what is wrong, and where
$ strata test.db
strata=> CREATE TABLE t (a INTEGER, b INTEGER);
CREATE TABLE
strata=> CREATE TABLE u (a INTEGER);
CREATE TABLE
strata=> SELECT c FROM t;
ERROR:  column "c" does not exist
LINE 1: SELECT c FROM t;
               ^
strata=> SELECT a FROM t, u;
ERROR:  column reference "a" is ambiguous
LINE 1: SELECT a FROM t, u;
               ^
strata=> SELECT a FROM t WHERE count(*) > 1;
ERROR:  aggregate functions are not allowed in WHERE
LINE 1: SELECT a FROM t WHERE count(*) > 1;
                              ^
strata=> SELECT sum(max(a)) FROM t;
ERROR:  aggregate function calls cannot be nested
LINE 1: SELECT sum(max(a)) FROM t;
                   ^
strata=> SELECT nosuch(a) FROM t;
ERROR:  function nosuch does not exist
LINE 1: SELECT nosuch(a) FROM t;
               ^
strata=> SELECT abs(a, b) FROM t;
ERROR:  function abs takes 1 argument, not 2
LINE 1: SELECT abs(a, b) FROM t;
               ^
strata=> SELECT coalesce(a) FROM t;
ERROR:  function coalesce takes at least 2 arguments, not 1
LINE 1: SELECT coalesce(a) FROM t;
               ^
strata=> SELECT * FROM t ORDER BY 3;
ERROR:  ORDER BY position 3 is not in select list
LINE 1: SELECT * FROM t ORDER BY 3;
                                 ^
strata=> UPDATE t SET c = 1;
ERROR:  column "c" of relation "t" does not exist
LINE 1: UPDATE t SET c = 1;
                     ^
strata=> SELECT x.a FROM t;
ERROR:  missing FROM-clause entry for table "x"
LINE 1: SELECT x.a FROM t;
               ^
strata=> \q

## EXPLAIN shows the plan, one operator per line
# (08 adds each operator's estimated rows: plans.t)
milestones: 07
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);
CREATE TABLE
strata=> CREATE TABLE u (id INTEGER PRIMARY KEY, t_id INTEGER);
CREATE TABLE
strata=> EXPLAIN SELECT v FROM t WHERE id = 5;
                QUERY PLAN
------------------------------------------
 Project: t.v
   Scan t (row id = 5) filter: (t.id = 5)
(2 rows)

strata=> EXPLAIN SELECT v FROM t WHERE id > 2 AND v < 7 ORDER BY v DESC LIMIT 3;
                         QUERY PLAN
-------------------------------------------------------------
 Limit 3
   Sort by column 1 DESC
     Project: t.v
       Scan t (row ids > 2) filter: (t.id > 2) AND (t.v < 7)
(4 rows)

strata=> EXPLAIN SELECT t.v, count(*) FROM t JOIN u ON u.t_id = t.id GROUP BY t.v HAVING count(*) > 1;
                  QUERY PLAN
-----------------------------------------------
 Project: t.v, count(*)
   Filter: (count(*) > 1)
     Aggregate by sort, group by t.v: count(*)
       Nested loop on (u.t_id = t.id)
         Scan t
         Scan u
(6 rows)

strata=> EXPLAIN SELECT v FROM t WHERE v IN (SELECT t_id FROM u) AND EXISTS (SELECT 1 FROM u WHERE u.id = t.v);
                        QUERY PLAN
----------------------------------------------------------
 Project: t.v
   Scan t filter: t.v IN (subquery) AND EXISTS (subquery)
     Subquery (runs once):
       Project: u.t_id
         Scan u
     Subquery (correlated: runs for each row):
       Project: 1
         Scan u (row id = t.v) filter: (u.id = t.v)
(8 rows)

strata=> EXPLAIN SELECT DISTINCT v FROM t UNION SELECT t_id FROM u;
          QUERY PLAN
-------------------------------
 Union, by sort
   Sort, distinct, by column 1
     Project: t.v
       Scan t
   Project: u.t_id
     Scan u
(6 rows)

strata=> \q

## a hash join larger than work_mem runs in batches
# 3,000 rows of u do not fit in 64 kB: the hash table takes them a batch
# at a time, and t is read again for each batch. The answer is the same.
# (08 adds each operator's estimated rows: plans.t)
milestones: 07
$ seq 1 3000 | awk '{ print $1 "," ($1 * 7) % 1000 }' > u.csv
$ seq 1 2000 | awk '{ print $1 "," ($1 * 3) % 1000 }' > t.csv
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER);
CREATE TABLE
strata=> CREATE TABLE u (id INTEGER PRIMARY KEY, k INTEGER);
CREATE TABLE
strata=> \copy t FROM 't.csv' CSV
COPY 2000
strata=> \copy u FROM 'u.csv' CSV
COPY 3000
strata=> SELECT count(*), sum(t.id), sum(u.id) FROM t JOIN u ON t.k = u.k;
 count |   sum   |   sum
-------+---------+---------
  6000 | 6003000 | 9003000
(1 row)

strata=> SET work_mem = '64kB';
SET
strata=> EXPLAIN SELECT count(*) FROM t JOIN u ON t.k = u.k;
               QUERY PLAN
-----------------------------------------
 Project: count(*)
   Aggregate: count(*)
     Hash join on t.k = u.k in 5 batches
       Scan t
       Scan u
(5 rows)

strata=> SELECT count(*), sum(t.id), sum(u.id) FROM t JOIN u ON t.k = u.k;
 count |   sum   |   sum
-------+---------+---------
  6000 | 6003000 | 9003000
(1 row)

strata=> \q

## SET and SHOW work_mem, the memory a sort may hold
$ strata test.db
strata=> SHOW work_mem;
 work_mem
----------
 4MB
(1 row)

strata=> SET work_mem = '64MB';
SET
strata=> SHOW work_mem;
 work_mem
----------
 64MB
(1 row)

strata=> SET work_mem = 100;
SET
strata=> SET nosuch = 1;
ERROR:  unrecognized configuration parameter "nosuch"
LINE 1: SET nosuch = 1;
            ^
strata=> \q

## \sorts shows what the last statement's sorts did
# In 64kB, 20,000 rows go out in sorted runs, and merges bring them back
# in order; in the default 4MB they sort in memory. A GROUP BY and its
# ORDER BY are two sorts.
$ seq 1 20000 | awk '{ print $1 "," ($1 * 7919) % 20011 ",name" $1 }' > t.csv
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER, name TEXT);
CREATE TABLE
strata=> \copy t FROM 't.csv' CSV
COPY 20000
strata=> \sorts
sorts in the last statement: 0
strata=> SELECT id, k FROM t ORDER BY k LIMIT 3;
  id  | k
------+---
 1031 | 1
 2062 | 2
 3093 | 3
(3 rows)

strata=> \sorts
sorts in the last statement: 1
sort 1: 20000 rows, work_mem 4MB
  sorted in memory: no run written
  memory held at most: 1289960 bytes
strata=> SET work_mem = '64kB';
SET
strata=> SELECT id, k FROM t ORDER BY k LIMIT 3;
  id  | k
------+---
 1031 | 1
 2062 | 2
 3093 | 3
(3 rows)

strata=> \sorts
sorts in the last statement: 1
sort 1: 20000 rows, work_mem 64kB
  runs written: 20, merged 26 at a time
  merges: 0, and a last one of 20 runs that gives the rows
  merge passes: 1
  bytes written to temporary files: 163496
  memory held at most: 65536 bytes
strata=> SELECT k % 3, count(*) FROM t GROUP BY 1 ORDER BY 2 DESC, 1;
 ?column? | count
----------+-------
        1 |  6667
        2 |  6667
        0 |  6666
(3 rows)

strata=> \sorts
sorts in the last statement: 2
sort 1: 20000 rows, work_mem 64kB
  runs written: 29, merged 26 at a time
  merges: 1, and a last one of 4 runs that gives the rows
  merge passes: 2
  bytes written to temporary files: 290153
  memory held at most: 65536 bytes
sort 2: 3 rows, work_mem 64kB
  sorted in memory: no run written
  memory held at most: 5180 bytes
strata=> \q

## \? lists the statements and every backslash command
# (08 adds the index statements and \di: indexes.t)
milestones: 07
$ strata test.db
strata=> \?
SQL statements end with ';' (several on a line, or one over several lines):
  CREATE TABLE, DROP TABLE, CREATE VIEW, DROP VIEW, INSERT,
  SELECT, UPDATE, DELETE, EXPLAIN SELECT, SET work_mem, SHOW work_mem
Backslash commands:
  \?                                      list these commands
  \btree TABLE                            print TABLE's B+tree, one node a line
  \check                                  check every invariant of the file
  \checkpoint                             write committed pages into the file
  \copy TABLE FROM 'FILE' [CSV] [HEADER]  load rows from a CSV file, in batched commits
  \d [TABLE]                              describe TABLE or view; without one, list them
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
