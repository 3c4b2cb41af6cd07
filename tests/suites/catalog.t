# From milestone 06 on, the database describes itself: its tables and
# their columns are rows of two tables in the same file, strata_tables
# (page 1) and strata_columns (page 2), which describe themselves too.
milestones: 06-

## the catalog is a table like any other
$ strata test.db
strata=> CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL);
CREATE TABLE
strata=> SELECT name, type, root_page FROM strata_tables;
      name      | type  | root_page
----------------+-------+-----------
 strata_tables  | table |         1
 strata_columns | table |         2
 users          | table |         3
(3 rows)

strata=> SELECT * FROM strata_columns WHERE rowid = 14;
 table_name | position | name |  type   | max_length | not_null | primary_key | default_value
------------+----------+------+---------+------------+----------+-------------+---------------
 users      |        0 | id   | integer |            | t        | t           |
(1 row)

strata=> \q

## \dt and \d read the catalog
$ strata test.db
strata=> CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL, score REAL DEFAULT 0.5, active BOOLEAN DEFAULT TRUE, bio TEXT DEFAULT 'none');
CREATE TABLE
strata=> CREATE TABLE notes (body TEXT);
CREATE TABLE
strata=> \dt
      List of tables
 name  | type  | root_page
-------+-------+-----------
 users | table |         3
 notes | table |         4
(2 rows)

strata=> \dtS
            List of tables
      name      |  type   | root_page
----------------+---------+-----------
 strata_tables  | catalog |         1
 strata_columns | catalog |         2
 users          | table   |         3
 notes          | table   |         4
(4 rows)

strata=> \d users
                    Table "users"
 Column |         Type          | Nullable | Default
--------+-----------------------+----------+---------
 id     | integer               | not null |
 name   | character varying(20) | not null |
 score  | real                  |          | 0.5
 active | boolean               |          | true
 bio    | text                  |          | 'none'
Row id: id (INTEGER PRIMARY KEY)
Root page: 3

strata=> \d notes
           Table "notes"
 Column | Type | Nullable | Default
--------+------+----------+---------
 body   | text |          |
Row id: hidden (rowid)
Root page: 4

strata=> \d nothing
Did not find any relation named "nothing".
strata=> \q

## only CREATE and DROP change the catalog
$ strata test.db
strata=> INSERT INTO strata_tables VALUES ('x', 'table', 'x', 9, NULL);
ERROR:  permission denied: "strata_tables" is a system catalog; it changes only by CREATE TABLE and DROP TABLE
LINE 1: INSERT INTO strata_tables VALUES ('x', 'table', 'x', 9, NULL...
                    ^
strata=> DELETE FROM strata_columns;
ERROR:  permission denied: "strata_columns" is a system catalog; it changes only by CREATE TABLE and DROP TABLE
LINE 1: DELETE FROM strata_columns;
                    ^
strata=> DROP TABLE strata_columns;
ERROR:  permission denied: "strata_columns" is a system catalog
LINE 1: DROP TABLE strata_columns;
                   ^
strata=> CREATE TABLE strata_mine (a INT);
ERROR:  the names strata_... are kept for the catalog
LINE 1: CREATE TABLE strata_mine (a INT);
                     ^
strata=> \q

## a dropped table gives its pages back
# Its tree and its overflow chains go to the free list, and \check
# finds every page used exactly once.
$ python3 -c "print(\"CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO big VALUES (1, '\" + 'x' * 20000 + \"'), (2, 'short');\")" > big.sql
$ strata test.db -f big.sql
CREATE TABLE
INSERT 0 2
$ strata test.db
strata=> \btree big
Tree (root page 3):
- leaf 3 (size 2)
  - 1 (20005 bytes, overflow from page 8)
  - 2
strata=> \check
ok
strata=> DROP TABLE big;
DROP TABLE
strata=> \freelist
Free pages: 3 4 5 6 7 8
strata=> \check
ok
strata=> CREATE TABLE again (a INT);
CREATE TABLE
strata=> \d again
             Table "again"
 Column |  Type   | Nullable | Default
--------+---------+----------+---------
 a      | integer |          |
Row id: hidden (rowid)
Root page: 3

strata=> \q
