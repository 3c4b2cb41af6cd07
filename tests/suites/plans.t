# From milestone 08 on, the planner weighs what each way of reading a
# table costs (plan.c's header states the model) and picks the cheapest:
# a scan, a lookup by row id, or an index's keys in a range, each row
# then fetched by its row id. EXPLAIN shows the choice and each
# operator's estimated rows; EXPLAIN ANALYZE runs the query and shows
# beside them what each operator did. The answers never change.
milestones: 08-

## EXPLAIN shows the plan, one operator per line, with its estimated rows
# The plans of queries.t's EXPLAIN (07), now with "(rows=N)": the tables
# are empty, so most estimates are 0.
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);
CREATE TABLE
strata=> CREATE TABLE u (id INTEGER PRIMARY KEY, t_id INTEGER);
CREATE TABLE
strata=> EXPLAIN SELECT v FROM t WHERE id = 5;
                     QUERY PLAN
----------------------------------------------------
 Project: t.v  (rows=0)
   Scan t (row id = 5) filter: (t.id = 5)  (rows=0)
(2 rows)

strata=> EXPLAIN SELECT v FROM t WHERE id > 2 AND v < 7 ORDER BY v DESC LIMIT 3;
                              QUERY PLAN
-----------------------------------------------------------------------
 Limit 3  (rows=0)
   Sort by column 1 DESC  (rows=0)
     Project: t.v  (rows=0)
       Scan t (row ids > 2) filter: (t.id > 2) AND (t.v < 7)  (rows=0)
(4 rows)

strata=> EXPLAIN SELECT t.v, count(*) FROM t JOIN u ON u.t_id = t.id GROUP BY t.v HAVING count(*) > 1;
                       QUERY PLAN
---------------------------------------------------------
 Project: t.v, count(*)  (rows=1)
   Filter: (count(*) > 1)  (rows=1)
     Aggregate by sort, group by t.v: count(*)  (rows=1)
       Nested loop on (u.t_id = t.id)  (rows=0)
         Scan t  (rows=0)
         Scan u  (rows=0)
(6 rows)

strata=> EXPLAIN SELECT v FROM t WHERE v IN (SELECT t_id FROM u) AND EXISTS (SELECT 1 FROM u WHERE u.id = t.v);
                             QUERY PLAN
--------------------------------------------------------------------
 Project: t.v  (rows=0)
   Scan t filter: t.v IN (subquery) AND EXISTS (subquery)  (rows=0)
     Subquery (runs once):
       Project: u.t_id  (rows=0)
         Scan u  (rows=0)
     Subquery (correlated: runs for each row):
       Project: 1  (rows=0)
         Scan u (row id = t.v) filter: (u.id = t.v)  (rows=0)
(8 rows)

strata=> EXPLAIN SELECT DISTINCT v FROM t UNION SELECT t_id FROM u;
               QUERY PLAN
-----------------------------------------
 Union, by sort  (rows=0)
   Sort, distinct, by column 1  (rows=0)
     Project: t.v  (rows=0)
       Scan t  (rows=0)
   Project: u.t_id  (rows=0)
     Scan u  (rows=0)
(6 rows)

strata=> \q

## a hash join larger than work_mem runs in batches
# queries.t's hash join (07), with its estimates. The hash table is of
# the smaller table, t, though FROM names it first: 3 batches of work_mem
# rather than the 5 that u's rows would take.
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
strata=> SET work_mem = '64kB';
SET
strata=> EXPLAIN SELECT count(*) FROM t JOIN u ON t.k = u.k;
                      QUERY PLAN
------------------------------------------------------
 Project: count(*)  (rows=1)
   Aggregate: count(*)  (rows=1)
     Hash join on u.k = t.k in 3 batches  (rows=3039)
       Scan u  (rows=3039)
       Scan t  (rows=2027)
(5 rows)

strata=> SELECT count(*), sum(t.id), sum(u.id) FROM t JOIN u ON t.k = u.k;
 count |   sum   |   sum
-------+---------+---------
  6000 | 6003000 | 9003000
(1 row)

strata=> \q

## an index is used where it costs less than a scan
# 4,000 rows, b in 0 .. 399 (every 100th NULL), c a text. Without an
# index every query scans. With one, an equality (=, IS, IS NULL) on a
# prefix of its columns, then a range on the next (an open end leaves
# the NULLs out), or an IN list (one lookup per distinct value, in key
# order) reads the index's keys; the conditions stay filters. A range
# of a quarter of the rows (SQLite's guess for one end) costs more
# through the index than a scan.
$ seq 1 4000 | awk '{ print $1 "," ($1 % 100 ? ($1 * 7) % 400 : "") ",c" ($1 % 13) }' > t.csv
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, b INTEGER, c TEXT);
CREATE TABLE
strata=> \copy t FROM 't.csv' CSV
COPY 4000
strata=> EXPLAIN SELECT id FROM t WHERE b = 5;
               QUERY PLAN
-----------------------------------------
 Project: t.id  (rows=1012)
   Scan t filter: (t.b = 5)  (rows=1012)
(2 rows)

strata=> CREATE INDEX t_b ON t (b);
CREATE INDEX
strata=> CREATE INDEX t_cb ON t (c, b DESC);
CREATE INDEX
strata=> EXPLAIN SELECT id FROM t WHERE b = 5;
                            QUERY PLAN
-------------------------------------------------------------------
 Project: t.id  (rows=10)
   Index Scan using t_b on t  (b = 5) filter: (t.b = 5)  (rows=10)
(2 rows)

strata=> SELECT id FROM t WHERE b = '5';
  id
------
  115
  515
  915
 1315
 1715
 2115
 2515
 2915
 3315
 3715
(10 rows)

strata=> EXPLAIN SELECT id FROM t WHERE b BETWEEN 10 AND 12;
                                         QUERY PLAN
---------------------------------------------------------------------------------------------
 Project: t.id  (rows=63)
   Index Scan using t_b on t  (b >= 10 AND b <= 12) filter: t.b BETWEEN 10 AND 12  (rows=63)
(2 rows)

strata=> EXPLAIN SELECT id FROM t WHERE b IN (7, 5, 7.0, NULL);
                                            QUERY PLAN
---------------------------------------------------------------------------------------------------
 Project: t.id  (rows=40)
   Index Scan using t_b on t  (b IN (7, 5, 7.0, NULL)) filter: t.b IN (7, 5, 7.0, NULL)  (rows=40)
(2 rows)

strata=> SELECT id, b FROM t WHERE b IN (7, 5, 7.0, NULL);
  id  | b
------+---
  115 | 5
  515 | 5
  915 | 5
 1315 | 5
 1715 | 5
 2115 | 5
 2515 | 5
 2915 | 5
 3315 | 5
 3715 | 5
    1 | 7
  401 | 7
  801 | 7
 1201 | 7
 1601 | 7
 2001 | 7
 2401 | 7
 2801 | 7
 3201 | 7
 3601 | 7
(20 rows)

strata=> EXPLAIN SELECT count(*) FROM t WHERE b IS NULL;
                                 QUERY PLAN
-----------------------------------------------------------------------------
 Project: count(*)  (rows=1)
   Aggregate: count(*)  (rows=1)
     Index Scan using t_b on t  (b IS NULL) filter: (t.b IS NULL)  (rows=10)
(3 rows)

strata=> SELECT count(*) FROM t WHERE b IS NULL;
 count
-------
    40
(1 row)

strata=> EXPLAIN SELECT id FROM t WHERE c = 'c3' AND b < 10;
                                            QUERY PLAN
---------------------------------------------------------------------------------------------------
 Project: t.id  (rows=2)
   Index Scan using t_cb on t  (c = 'c3' AND b < 10) filter: (t.c = 'c3') AND (t.b < 10)  (rows=2)
(2 rows)

strata=> SELECT id, b FROM t WHERE c = 'c3' AND b < 10;
  id  | b
------+---
 3487 | 9
  744 | 8
 3201 | 7
  458 | 6
 2915 | 5
  172 | 4
 2629 | 3
 2343 | 1
(8 rows)

strata=> EXPLAIN SELECT id FROM t WHERE b > 100;
                QUERY PLAN
-------------------------------------------
 Project: t.id  (rows=1012)
   Scan t filter: (t.b > 100)  (rows=1012)
(2 rows)

strata=> EXPLAIN SELECT id FROM t WHERE id IN (10, 20, 20, '30');
                                      QUERY PLAN
--------------------------------------------------------------------------------------
 Project: t.id  (rows=4)
   Scan t (row id IN (10, 20, 20, '30')) filter: t.id IN (10, 20, 20, '30')  (rows=4)
(2 rows)

strata=> \q

## ORDER BY through an index: no sort, and a LIMIT stops the scan early
# The index gives b's order (NULLs first, as ORDER BY puts them); t_cb,
# after its equality on c, gives b DESC. An order the index gives
# neither forward nor backward (b DESC, then the row id ascending) is
# sorted.
$ seq 1 4000 | awk '{ print $1 "," ($1 % 100 ? ($1 * 7) % 400 : "") ",c" ($1 % 13) }' > t.csv
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, b INTEGER, c TEXT);
CREATE TABLE
strata=> \copy t FROM 't.csv' CSV
COPY 4000
strata=> CREATE INDEX t_b ON t (b);
CREATE INDEX
strata=> CREATE INDEX t_cb ON t (c, b DESC);
CREATE INDEX
strata=> EXPLAIN SELECT id, b FROM t ORDER BY b LIMIT 3;
                 QUERY PLAN
--------------------------------------------
 Limit 3  (rows=3)
   Project: t.id, t.b  (rows=4050)
     Index Scan using t_b on t  (rows=4050)
(3 rows)

strata=> SELECT id, b FROM t ORDER BY b LIMIT 3;
 id  | b
-----+---
 100 |
 200 |
 300 |
(3 rows)

strata=> EXPLAIN SELECT id, b FROM t WHERE c = 'c5' ORDER BY b DESC LIMIT 3;
                                 QUERY PLAN
----------------------------------------------------------------------------
 Limit 3  (rows=3)
   Project: t.id, t.b  (rows=10)
     Index Scan using t_cb on t  (c = 'c5') filter: (t.c = 'c5')  (rows=10)
(3 rows)

strata=> SELECT id, b FROM t WHERE c = 'c5' ORDER BY b DESC LIMIT 3;
  id  |  b
------+-----
   57 | 399
 2514 | 398
 2228 | 396
(3 rows)

strata=> EXPLAIN SELECT id, b FROM t ORDER BY b DESC, id LIMIT 3;
               QUERY PLAN
-----------------------------------------
 Limit 3  (rows=3)
   Sort by column 2 DESC, 1  (rows=4050)
     Project: t.id, t.b  (rows=4050)
       Scan t  (rows=4050)
(4 rows)

strata=> \q

## ORDER BY against an index's order: the index read backward
# Every column after the equalities reversed, the row id too: t_b read
# from its last key gives b DESC (ties by row id descending), within a
# range as well; t_cb, whose b is DESC, gives b ascending after c = 'c5';
# an IN list's values come last first. No sort, and a LIMIT stops early.
$ seq 1 4000 | awk '{ print $1 "," ($1 % 100 ? ($1 * 7) % 400 : "") ",c" ($1 % 13) }' > t.csv
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, b INTEGER, c TEXT);
CREATE TABLE
strata=> \copy t FROM 't.csv' CSV
COPY 4000
strata=> CREATE INDEX t_b ON t (b);
CREATE INDEX
strata=> CREATE INDEX t_cb ON t (c, b DESC);
CREATE INDEX
strata=> EXPLAIN SELECT id, b FROM t ORDER BY b DESC, id DESC LIMIT 5;
                     QUERY PLAN
-----------------------------------------------------
 Limit 5  (rows=5)
   Project: t.id, t.b  (rows=4050)
     Index Scan Backward using t_b on t  (rows=4050)
(3 rows)

strata=> SELECT id, b FROM t ORDER BY b DESC, id DESC LIMIT 5;
  id  |  b
------+-----
 3657 | 399
 3257 | 399
 2857 | 399
 2457 | 399
 2057 | 399
(5 rows)

strata=> EXPLAIN SELECT id, b FROM t WHERE b >= 100 AND b < 103 ORDER BY b DESC LIMIT 4;
                                                   QUERY PLAN
----------------------------------------------------------------------------------------------------------------
 Limit 4  (rows=4)
   Project: t.id, t.b  (rows=63)
     Index Scan Backward using t_b on t  (b >= 100 AND b < 103) filter: (t.b >= 100) AND (t.b < 103)  (rows=63)
(3 rows)

strata=> SELECT id, b FROM t WHERE b >= 100 AND b < 103 ORDER BY b DESC LIMIT 4;
  id  |  b
------+-----
 3786 | 102
 3386 | 102
 2986 | 102
 2586 | 102
(4 rows)

strata=> EXPLAIN SELECT id, b FROM t WHERE c = 'c5' ORDER BY b, id DESC LIMIT 3;
                                     QUERY PLAN
-------------------------------------------------------------------------------------
 Limit 3  (rows=3)
   Project: t.id, t.b  (rows=10)
     Index Scan Backward using t_cb on t  (c = 'c5') filter: (t.c = 'c5')  (rows=10)
(3 rows)

strata=> SELECT id, b FROM t WHERE c = 'c5' ORDER BY b, id DESC LIMIT 3;
  id  | b
------+---
 2800 |
 1500 |
  200 |
(3 rows)

strata=> EXPLAIN SELECT id, b FROM t WHERE c IN ('c5', 'c7') AND b > 395 ORDER BY c DESC, b;
                                                          QUERY PLAN
------------------------------------------------------------------------------------------------------------------------------
 Project: t.id, t.b  (rows=5)
   Index Scan Backward using t_cb on t  (c IN ('c5', 'c7') AND b > 395) filter: t.c IN ('c5', 'c7') AND (t.b > 395)  (rows=5)
(2 rows)

strata=> SELECT id, b, c FROM t WHERE c IN ('c5', 'c7') AND b > 395 ORDER BY c DESC, b;
  id  |  b  | c
------+-----+----
  228 | 396 | c7
 2971 | 397 | c7
  514 | 398 | c7
 3257 | 399 | c7
 2228 | 396 | c5
 2514 | 398 | c5
   57 | 399 | c5
(7 rows)

strata=> \q

## ORDER BY the row id, descending: the table read backward
# The table's tree from its last row id, a descent per leaf as for an
# index, within a range as well, and with rows deleted on the way; no
# sort, and a LIMIT stops early. An IN list's row ids are looked up in
# ascending order only, so that one sorts.
$ seq 1 4000 | awk '{ print $1 "," ($1 * 7) % 400 }' > t.csv
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, b INTEGER);
CREATE TABLE
strata=> \copy t FROM 't.csv' CSV
COPY 4000
strata=> DELETE FROM t WHERE id % 3 = 0 OR id BETWEEN 1000 AND 2999;
DELETE 2667
strata=> EXPLAIN SELECT id, b FROM t ORDER BY id DESC LIMIT 3;
            QUERY PLAN
-----------------------------------
 Limit 3  (rows=3)
   Project: t.id, t.b  (rows=1455)
     Scan Backward t  (rows=1455)
(3 rows)

strata=> SELECT id, b FROM t ORDER BY id DESC LIMIT 3;
  id  |  b
------+-----
 4000 |   0
 3998 | 386
 3997 | 379
(3 rows)

strata=> EXPLAIN SELECT id FROM t WHERE id > 990 AND id <= 3003 ORDER BY id DESC;
                                            QUERY PLAN
---------------------------------------------------------------------------------------------------
 Project: t.id  (rows=733)
   Scan Backward t (row ids > 990 and <= 3003) filter: (t.id > 990) AND (t.id <= 3003)  (rows=733)
(2 rows)

strata=> SELECT id FROM t WHERE id > 990 AND id <= 3003 ORDER BY id DESC;
  id
------
 3002
 3001
  998
  997
  995
  994
  992
  991
(8 rows)

strata=> SELECT count(*), min(id), max(id) FROM (SELECT id FROM t ORDER BY id DESC);
 count | min | max
-------+-----+------
  1333 |   1 | 4000
(1 row)

strata=> EXPLAIN SELECT id FROM t WHERE id IN (5, 3000, 7) ORDER BY id DESC;
                                 QUERY PLAN
----------------------------------------------------------------------------
 Sort by column 1 DESC  (rows=3)
   Project: t.id  (rows=3)
     Scan t (row id IN (5, 3000, 7)) filter: t.id IN (5, 3000, 7)  (rows=3)
(3 rows)

strata=> SELECT id FROM t WHERE id IN (5, 3000, 7) ORDER BY id DESC;
 id
----
  7
  5
(2 rows)

strata=> \q

## a join through an index: the inner side looked up by each outer row
# u has 50 rows; t's index on b finds each one's matches. A LEFT JOIN
# looks up the same way and keeps u's rows that match none; its WHERE
# t.b IS NULL is applied after the join (before it, it would take t's
# NULL rows instead of the rows the join adds).
$ seq 1 4000 | awk '{ print $1 "," ($1 % 100 ? ($1 * 7) % 400 : "") ",c" ($1 % 13) }' > t.csv
$ seq 1 50 | awk '{ print $1 "," ($1 * 9) }' > u.csv
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, b INTEGER, c TEXT);
CREATE TABLE
strata=> CREATE TABLE u (id INTEGER PRIMARY KEY, k INTEGER);
CREATE TABLE
strata=> \copy t FROM 't.csv' CSV
COPY 4000
strata=> \copy u FROM 'u.csv' CSV
COPY 50
strata=> CREATE INDEX t_b ON t (b);
CREATE INDEX
strata=> EXPLAIN SELECT u.id, t.id FROM u JOIN t ON t.b = u.k;
                     QUERY PLAN
-----------------------------------------------------
 Project: u.id, t.id  (rows=500)
   Nested loop on (t.b = u.k)  (rows=500)
     Scan u  (rows=50)
     Index Scan using t_b on t  (b = u.k)  (rows=10)
(4 rows)

strata=> SELECT count(*), sum(t.id) FROM u JOIN t ON t.b = u.k;
 count |  sum
-------+--------
   440 | 881300
(1 row)

strata=> EXPLAIN SELECT u.id FROM u LEFT JOIN t ON t.b = u.k WHERE t.b IS NULL;
                      QUERY PLAN
-------------------------------------------------------
 Project: u.id  (rows=125)
   Filter: (t.b IS NULL)  (rows=125)
     Nested loop left join on (t.b = u.k)  (rows=500)
       Scan u  (rows=50)
       Index Scan using t_b on t  (b = u.k)  (rows=10)
(5 rows)

strata=> SELECT u.id FROM u LEFT JOIN t ON t.b = u.k WHERE t.b IS NULL;
 id
----
 45
 46
 47
 48
 49
 50
(6 rows)

strata=> \q

## the join order is chosen by cost, not taken from FROM
# FROM names the large table t first, but the plan reads u's 50 rows and
# looks each one up in t's index on b: 50 descents, not a hash table of
# t's 4,000 rows. A chain of three tables starts from u too, and v, which
# only a hash join reaches cheaply, comes last. A LEFT JOIN's right item
# stays after the items FROM names before it (they decide which rows it
# keeps), while the inner joins before it are still reordered; and a
# LEFT JOIN with nothing to reorder keeps FROM's order, though u first
# would cost less. ORDER BY t.b with a LIMIT: t, read in its index's
# order, goes first, and no sort is needed; ORDER BY u.id, a LEFT JOIN's
# right item, cannot put u first (its rows in row id order) and sorts.
# The answers are those of FROM's order (the section above counts the
# same 440 rows), and SELECT * gives FROM's columns, whatever is read
# first.
$ seq 1 4000 | awk '{ print $1 "," ($1 % 100 ? ($1 * 7) % 400 : "") ",c" ($1 % 13) }' > t.csv
$ seq 1 50 | awk '{ print $1 "," ($1 * 9) }' > u.csv
$ seq 1 400 | awk '{ print $1 "," $1 % 5 }' > v.csv
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, b INTEGER, c TEXT);
CREATE TABLE
strata=> CREATE TABLE u (id INTEGER PRIMARY KEY, k INTEGER);
CREATE TABLE
strata=> CREATE TABLE v (id INTEGER PRIMARY KEY, g INTEGER);
CREATE TABLE
strata=> \copy t FROM 't.csv' CSV
COPY 4000
strata=> \copy u FROM 'u.csv' CSV
COPY 50
strata=> \copy v FROM 'v.csv' CSV
COPY 400
strata=> CREATE INDEX t_b ON t (b);
CREATE INDEX
strata=> EXPLAIN SELECT u.id, t.id FROM t JOIN u ON t.b = u.k;
                     QUERY PLAN
-----------------------------------------------------
 Project: u.id, t.id  (rows=500)
   Nested loop on (t.b = u.k)  (rows=500)
     Scan u  (rows=50)
     Index Scan using t_b on t  (b = u.k)  (rows=10)
(4 rows)

strata=> SELECT count(*), sum(t.id) FROM t JOIN u ON t.b = u.k;
 count |  sum
-------+--------
   440 | 881300
(1 row)

strata=> SELECT count(*), sum(t.id) FROM t, u WHERE t.b = u.k;
 count |  sum
-------+--------
   440 | 881300
(1 row)

strata=> EXPLAIN SELECT count(*) FROM v JOIN t ON v.id = t.id JOIN u ON t.b = u.k;
                       QUERY PLAN
---------------------------------------------------------
 Project: count(*)  (rows=1)
   Aggregate: count(*)  (rows=1)
     Hash join on t.id = v.id  (rows=500)
       Nested loop on (t.b = u.k)  (rows=500)
         Scan u  (rows=50)
         Index Scan using t_b on t  (b = u.k)  (rows=10)
       Scan v  (rows=400)
(7 rows)

strata=> SELECT count(*), sum(v.g) FROM v JOIN t ON v.id = t.id JOIN u ON t.b = u.k;
 count | sum
-------+-----
    44 |  90
(1 row)

strata=> EXPLAIN SELECT count(*) FROM t JOIN u ON t.b = u.k LEFT JOIN v ON v.id = t.id;
                       QUERY PLAN
---------------------------------------------------------
 Project: count(*)  (rows=1)
   Aggregate: count(*)  (rows=1)
     Nested loop left join on (v.id = t.id)  (rows=500)
       Nested loop on (t.b = u.k)  (rows=500)
         Scan u  (rows=50)
         Index Scan using t_b on t  (b = u.k)  (rows=10)
       Scan v (row id = t.id)  (rows=1)
(7 rows)

strata=> EXPLAIN SELECT count(*) FROM t LEFT JOIN u ON t.b = u.k;
                       QUERY PLAN
--------------------------------------------------------
 Project: count(*)  (rows=1)
   Aggregate: count(*)  (rows=1)
     Nested loop left join on (t.b = u.k)  (rows=50625)
       Scan t  (rows=4050)
       Scan u  (rows=50)
(5 rows)

strata=> SELECT count(*), count(u.id) FROM t LEFT JOIN u ON t.b = u.k;
 count | count
-------+-------
  4000 |   440
(1 row)

strata=> EXPLAIN SELECT u.id, t.id FROM u JOIN t ON t.b = u.k ORDER BY t.b LIMIT 3;
                  QUERY PLAN
----------------------------------------------
 Limit 3  (rows=3)
   Project: u.id, t.id  (rows=50625)
     Nested loop on (t.b = u.k)  (rows=50625)
       Index Scan using t_b on t  (rows=4050)
       Scan u  (rows=50)
(5 rows)

strata=> SELECT u.id, t.id FROM u JOIN t ON t.b = u.k ORDER BY t.b LIMIT 3;
 id |  id
----+------
  1 |  287
  1 |  687
  1 | 1087
(3 rows)

strata=> EXPLAIN SELECT u.id, u.k FROM t LEFT JOIN u ON u.k = t.b ORDER BY u.id LIMIT 3;
                        QUERY PLAN
----------------------------------------------------------
 Limit 3  (rows=3)
   Sort by column 1  (rows=50625)
     Project: u.id, u.k  (rows=50625)
       Nested loop left join on (u.k = t.b)  (rows=50625)
         Scan t  (rows=4050)
         Scan u  (rows=50)
(6 rows)

strata=> SELECT u.id, u.k FROM t LEFT JOIN u ON u.k = t.b ORDER BY u.id LIMIT 3;
 id | k
----+---
    |
    |
    |
(3 rows)

strata=> SELECT * FROM t JOIN u ON t.b = u.k ORDER BY u.id, t.id LIMIT 2;
 id  | b |  c  | id | k
-----+---+-----+----+---
 287 | 9 | c1  |  1 | 9
 687 | 9 | c11 |  1 | 9
(2 rows)

strata=> \q

## ANALYZE can change the join order
# Without statistics an equality on person's index on city is guessed to
# match 10 rows, so three lookups from city look cheapest; ANALYZE counts
# 1,000 rows for each city, and a hash table of city's three rows,
# probed by a scan of person, costs less than 3,000 fetches by row id.
$ seq 1 3000 | awk '{ print $1 "," $1 % 3 ",n" $1 }' > p.csv
$ strata test.db
strata=> CREATE TABLE city (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE
strata=> INSERT INTO city VALUES (0, 'Leiden'), (1, 'Delft'), (2, 'Gouda');
INSERT 0 3
strata=> CREATE TABLE person (id INTEGER PRIMARY KEY, city INTEGER, name TEXT);
CREATE TABLE
strata=> \copy person FROM 'p.csv' CSV
COPY 3000
strata=> CREATE INDEX person_city ON person (city);
CREATE INDEX
strata=> EXPLAIN SELECT c.name, count(*) FROM person p JOIN city c ON p.city = c.id GROUP BY c.name;
                                 QUERY PLAN
-----------------------------------------------------------------------------
 Project: c.name, count(*)  (rows=4)
   Aggregate by sort, group by c.name: count(*)  (rows=4)
     Nested loop on (p.city = c.id)  (rows=30)
       Scan city AS c  (rows=3)
       Index Scan using person_city on person AS p  (city = c.id)  (rows=10)
(5 rows)

strata=> SELECT c.name, count(*) FROM person p JOIN city c ON p.city = c.id GROUP BY c.name;
  name  | count
--------+-------
 Delft  |  1000
 Gouda  |  1000
 Leiden |  1000
(3 rows)

strata=> ANALYZE;
ANALYZE
strata=> EXPLAIN SELECT c.name, count(*) FROM person p JOIN city c ON p.city = c.id GROUP BY c.name;
                         QUERY PLAN
------------------------------------------------------------
 Project: c.name, count(*)  (rows=329)
   Aggregate by sort, group by c.name: count(*)  (rows=329)
     Hash join on p.city = c.id  (rows=3277)
       Scan person AS p  (rows=3277)
       Scan city AS c  (rows=3)
(5 rows)

strata=> SELECT c.name, count(*) FROM person p JOIN city c ON p.city = c.id GROUP BY c.name;
  name  | count
--------+-------
 Delft  |  1000
 Gouda  |  1000
 Leiden |  1000
(3 rows)

strata=> \q

## ANALYZE counts distinct values, and the plan changes
# Without statistics an equality is guessed to match 10 rows (SQLite's
# default), so the index on a column of three values looks cheap;
# ANALYZE counts 3 distinct values in 3,000 rows, and a scan is cheaper
# than 1,000 fetches by row id. The statistics are rows of strata_stats.
$ seq 1 3000 | awk '{ print $1 "," $1 % 3 ",n" $1 }' > t.csv
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, city INTEGER, name TEXT);
CREATE TABLE
strata=> \copy t FROM 't.csv' CSV
COPY 3000
strata=> CREATE INDEX t_city ON t (city);
CREATE INDEX
strata=> CREATE INDEX t_name ON t (name);
CREATE INDEX
strata=> EXPLAIN SELECT count(*) FROM t WHERE city = 1;
                                  QUERY PLAN
------------------------------------------------------------------------------
 Project: count(*)  (rows=1)
   Aggregate: count(*)  (rows=1)
     Index Scan using t_city on t  (city = 1) filter: (t.city = 1)  (rows=10)
(3 rows)

strata=> ANALYZE;
ANALYZE
strata=> SELECT * FROM strata_stats;
 tbl |  idx   | prefix | n_rows | n_distinct
-----+--------+--------+--------+------------
 t   | t_city |      1 |   3000 |          3
 t   | t_name |      1 |   3000 |       3000
(2 rows)

strata=> EXPLAIN SELECT count(*) FROM t WHERE city = 1;
                 QUERY PLAN
---------------------------------------------
 Project: count(*)  (rows=1)
   Aggregate: count(*)  (rows=1)
     Scan t filter: (t.city = 1)  (rows=819)
(3 rows)

strata=> EXPLAIN SELECT count(*) FROM t WHERE name = 'n7';
                                    QUERY PLAN
-----------------------------------------------------------------------------------
 Project: count(*)  (rows=1)
   Aggregate: count(*)  (rows=1)
     Index Scan using t_name on t  (name = 'n7') filter: (t.name = 'n7')  (rows=1)
(3 rows)

strata=> \q

## EXPLAIN ANALYZE runs the query and shows what each operator did
# Beside each estimate: the rows per loop, the loops (the inner side of
# a nested loop runs once per outer row) and the time (here masked, as
# it varies from run to run).
$ seq 1 4000 | awk '{ print $1 "," ($1 % 100 ? ($1 * 7) % 400 : "") ",c" ($1 % 13) }' > t.csv
$ seq 1 50 | awk '{ print $1 "," ($1 * 9) }' > u.csv
$ printf "CREATE TABLE t (id INTEGER PRIMARY KEY, b INTEGER, c TEXT);\nCREATE TABLE u (id INTEGER PRIMARY KEY, k INTEGER);\n\\\\copy t FROM 't.csv' CSV\n\\\\copy u FROM 'u.csv' CSV\nCREATE INDEX t_b ON t (b);\n" > load.sql
$ strata test.db < load.sql | grep -c COPY
2
$ echo "EXPLAIN ANALYZE SELECT u.id, t.id FROM u JOIN t ON t.b = u.k WHERE u.id < 5;" | strata test.db --csv -q | sed -E -e 's/^strata=> //' -e 's/time=[0-9.]+ ms/time=T ms/'
QUERY PLAN
"Project: u.id, t.id  (rows=50)  (actual rows=40 loops=1 time=T ms)"
  Nested loop on (t.b = u.k)  (rows=50)  (actual rows=40 loops=1 time=T ms)
    Scan u (row ids < 5) filter: (u.id < 5)  (rows=5)  (actual rows=4 loops=1 time=T ms)
    Index Scan using t_b on t  (b = u.k)  (rows=10)  (actual rows=10 loops=4 time=T ms)
