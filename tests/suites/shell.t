# From milestone 06 on, strata's shell is psql's: backslash commands, and
# for scripts -c, -f, --csv, -t and -q, with an exit status that says
# whether every statement worked.
milestones: 06-

## usage
$ strata --help
Usage: strata [--help] [--version] [-c SQL | -f SCRIPT] [--csv] [-t] [-q]
              [--pool-pages N] [--eviction lru|clock] [--batch-pages N] FILE
Opens the Strata database FILE, creating it if it does not exist, and runs
the SQL statements and backslash commands typed at its prompt (\? there
lists the commands).

  --help                 print this help and exit
  --version              print the milestone and its file format, and exit
  -c SQL                 run SQL, then exit (status 1 after an error)
  -f SCRIPT              run the file SCRIPT, then exit (likewise)
  --csv                  print results as CSV
  -t                     print rows only: no header, no footer
  -q                     print no command tags
  --pool-pages N         frames in the buffer pool, 8 to 1048576 (default:
                         $STRATA_POOL_PAGES, else 256)
  --eviction lru|clock   the buffer pool's eviction policy (default: lru)
  --batch-pages N        pages a \copy batch changes before it commits,
                         1 to 1048576 (default: 16384)
$ strata --version | grep -c '^strata [0-9][0-9]-[a-z]*, file format [0-9]*$'
1
$ strata -c
Error: -c needs SQL.
[exit 2]
$ strata -c 'SELECT 1;' -f script.sql test.db
strata: a second -c or -f '-f'
Usage: strata [--help] [--version] [-c SQL | -f SCRIPT] [--csv] [-t] [-q]
              [--pool-pages N] [--eviction lru|clock] [--batch-pages N] FILE
[exit 2]
$ strata
Must supply a database filename.
[exit 1]
$ strata --nonsense test.db
strata: unknown option '--nonsense'
Usage: strata [--help] [--version] [-c SQL | -f SCRIPT] [--csv] [-t] [-q]
              [--pool-pages N] [--eviction lru|clock] [--batch-pages N] FILE
[exit 2]
$ strata --batch-pages 0 test.db
Error: --batch-pages needs a number from 1 to 1048576.
[exit 2]
$ strata --batch-pages 99999999999999999999 test.db
Error: --batch-pages needs a number from 1 to 1048576.
[exit 2]
$ strata a.db b.db
strata: unexpected argument 'b.db'
Usage: strata [--help] [--version] [-c SQL | -f SCRIPT] [--csv] [-t] [-q]
              [--pool-pages N] [--eviction lru|clock] [--batch-pages N] FILE
[exit 2]

## \? lists every backslash command
milestones: 06
$ strata test.db
strata=> \?
SQL statements end with ';' (several on a line, or one over several lines):
  CREATE TABLE, DROP TABLE, INSERT, SELECT, UPDATE, DELETE
Backslash commands:
  \?                                      list these commands
  \btree TABLE                            print TABLE's B+tree, one node a line
  \check                                  check every invariant of the file
  \checkpoint                             write committed pages into the file
  \copy TABLE FROM 'FILE' [CSV] [HEADER]  load rows from a CSV file, in batched commits
  \d [TABLE]                              describe TABLE; without one, list the tables
  \dt                                     list the tables (\dtS: with the catalog's own)
  \echo TEXT                              print TEXT
  \freelist                               list the pages waiting for reuse
  \memory                                 print the peak memory so far
  \page N                                 print page N's header and cells
  \pages                                  list every page: type, cells, free bytes, table
  \pool                                   print the buffer pool's frames
  \q                                      quit
  \stats                                  print the buffer pool's counters
  \timing [on|off]                        show how long each statement takes
  \wal                                    print the state of the log
strata=> \nothing
invalid command \nothing
Try \? for help.
strata=> \q

## -c runs SQL and exits
$ strata test.db -c "CREATE TABLE t (a INT, b TEXT); INSERT INTO t VALUES (1, 'x'); SELECT * FROM t;"
CREATE TABLE
INSERT 0 1
 a | b
---+---
 1 | x
(1 row)
$ strata test.db -c "SELECT * FROM missing; SELECT * FROM t;"
ERROR:  relation "missing" does not exist
LINE 1: SELECT * FROM missing;
                      ^
[exit 1]

## -f runs a script and stops at its first error
$ printf 'INSERT INTO t VALUES (2, $y$);\nSELECT * FROM t;\nINSERT INTO t VALUES (3);\nINSERT INTO t VALUES (3, 4 4);\nSELECT * FROM t;\n' | tr '$' "'" > script.sql
$ strata test.db -c "CREATE TABLE t (a INT, b TEXT)"
CREATE TABLE
$ strata test.db -f script.sql
INSERT 0 1
 a | b
---+---
 2 | y
(1 row)

INSERT 0 1
ERROR:  syntax error at or near "4"
LINE 1: INSERT INTO t VALUES (3, 4 4);
                                   ^
[exit 1]
$ strata test.db -f missing.sql
strata: cannot read 'missing.sql': No such file or directory
[exit 1]

## --csv: RFC 4180, NULL is an empty field, '' is ""
$ strata test.db -q -c "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, r REAL, b BOOLEAN)"
$ strata test.db -q -c "INSERT INTO t VALUES (1, 'plain', 1.5, TRUE), (2, 'with, comma', NULL, FALSE), (3, 'say \"hi\"', -0.001, NULL), (4, '', 100000000000000000000.0, NULL), (5, NULL, 0.1, NULL)"
$ strata test.db --csv -c "SELECT * FROM t"
id,s,r,b
1,plain,1.5,t
2,"with, comma",,f
3,"say ""hi""",-0.001,
4,"",1.0e+20,
5,,0.1,
$ strata test.db --csv -t -c "SELECT s FROM t WHERE id = 2"
"with, comma"
$ strata test.db --csv -c "SELECT * FROM t WHERE id = 99"
id,s,r,b

## --csv: integers of every length; lines past the 4 KiB a line is gathered in
$ strata test.db -q -c "CREATE TABLE n (a INTEGER, b INTEGER, c INTEGER, d INTEGER, e INTEGER, f INTEGER, g INTEGER)"
$ strata test.db -q -c "INSERT INTO n VALUES (-9223372036854775808, 9223372036854775807, 0, 9, 10, 99, 100), (-1, -10, -99, -100, 1000, 12345, -1234567)"
$ strata test.db --csv -t -c "SELECT * FROM n"
-9223372036854775808,9223372036854775807,0,9,10,99,100
-1,-10,-99,-100,1000,12345,-1234567
$ awk 'BEGIN { for (i = 0; i < 4094; i++) a = a "a"; q = sprintf("%c", 39); print "CREATE TABLE w (id INTEGER, s TEXT, u TEXT);"; print "INSERT INTO w VALUES (1, " q a q ", " q "x" q "), (2, " q a a q ", " q "y,z" q "), (3, " q a "," q ", NULL);" }' > wide.sql
$ awk 'BEGIN { for (i = 0; i < 4094; i++) a = a "a"; print "1," a ",x"; print "2," a a ",\"y,z\""; print "3,\"" a ",\"," }' > wide.expected
$ strata test.db -q -f wide.sql
$ strata test.db --csv -t -c "SELECT * FROM w" > wide.out
$ cmp wide.out wide.expected && awk '{ print NR ": " length($0) " bytes" }' wide.out
1: 4098 bytes
2: 8196 bytes
3: 4100 bytes

## -t drops the header and the footer, -q the command tags
$ strata test.db -q -c "CREATE TABLE t (a INT); INSERT INTO t VALUES (1), (2)"
$ strata test.db -t -c "SELECT * FROM t"
 1
 2

## \copy loads a CSV file in batched commits
$ printf 'id,name,score\n1,ann,1.5\n2,"Smith, Bob",\n3,"say ""hi""",-2\n4,"",0\n' > people.csv
$ strata test.db
strata=> CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, score REAL);
CREATE TABLE
strata=> \copy people FROM 'people.csv' CSV HEADER
COPY 4
strata=> SELECT * FROM people;
 id |    name    | score
----+------------+-------
  1 | ann        |   1.5
  2 | Smith, Bob |
  3 | say "hi"   |  -2.0
  4 |            |   0.0
(4 rows)

strata=> \q

## \copy stops at a bad line and says which
$ printf '1,a\n2,b\nthree,c\n4,d\n' > bad.csv
$ strata test.db
strata=> CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE
strata=> \copy t FROM 'bad.csv'
ERROR:  COPY t, line 3: column id: invalid input syntax for type integer: "three"; nothing was copied
strata=> SELECT * FROM t;
 id | name
----+------
(0 rows)

strata=> \copy t FROM 'nowhere.csv'
ERROR:  cannot open 'nowhere.csv': No such file or directory
strata=> \copy t
ERROR:  usage: \copy TABLE FROM 'FILE' [CSV] [HEADER]
strata=> \q

## \timing says how long each statement took
$ strata test.db -c "CREATE TABLE t (a INT)"
CREATE TABLE
$ printf '\\timing on\nINSERT INTO t VALUES (1);\nSELECT * FROM t;\n\\timing off\nSELECT * FROM t;\n' | strata test.db | grep -c '^Time: '
2

## \echo prints its text
$ strata test.db
strata=> \echo hello, world
hello, world
strata=> \q

## a long name is quoted short
# No message echoes a name longer than any the catalog holds (63 bytes):
# it is cut there, and the statement's line is shown around the place.
$ awk 'BEGIN { for (i = 0; i < 100000; i++) n = n "a"; print "SELECT * FROM " n ";"; print "\\d " n; print "\\btree " n; print "\\copy " n " FROM '\''x.csv'\''" }' > long.sql
$ strata test.db < long.sql 2>&1 | sed 's/strata=> //g'
ERROR:  identifier "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa..." is longer than 63 bytes
LINE 1: SELECT * FROM aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...
                      ^
Did not find any relation named "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...".
Did not find any relation named "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...".
ERROR:  relation "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa..." does not exist
