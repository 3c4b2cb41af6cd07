# log-identity.t from milestone 06 on, in SQL: a log is redone only into
# the database it belongs to, at the point of its history it follows. The
# file's header holds a random database id, chosen when the file was
# made, and the last transaction its last checkpoint wrote; every header
# of its log holds the same id and the checkpoint it follows. A log that
# is another database's, or older or newer than the file, is refused in
# one line and left as it is: the open fails, nothing is written, and a
# person decides.
# Most tests make their log with a crash at the 15th I/O point of
# three.sql on a new file, the first write of the checkpoint that the end
# of the input starts: the log then holds five transactions (the
# catalog's, CREATE TABLE and three inserts), the file nothing.
milestones: 06-

## a stale log is refused, and stays
# A copy of the log is kept, as a backup would; the database goes on: the
# log is redone, row 2 is deleted, 147 rows are added. Put back, the old
# log would bring row 2 back. It follows transaction 0; the file holds
# 153. (The crash comes at the 13th I/O point, the last commit's write,
# which this seed keeps: no checkpoint record follows it.)
$ echo 'CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);' > three.sql
$ seq 1 3 | awk '{ print "INSERT INTO users VALUES (" $1 ", '\''user" $1 "'\'', '\''person" $1 "@example.com'\'');" }' >> three.sql
$ seq 4 150 | awk '{ print "INSERT INTO users VALUES (" $1 ", '\''user" $1 "'\'', '\''person" $1 "@example.com'\'');" }' > more.sql
$ STRATA_FAULT=crash=13,seed=1 strata test.db < three.sql > /dev/null
[exit 99]
$ cp test.db-wal old.wal
$ strata test.db
Recovered test.db-wal: replayed 5 transactions, dropped 0 bytes.
strata=> DELETE FROM users WHERE id = 2;
DELETE 1
strata=> \q
$ strata test.db < more.sql | grep -c 'INSERT 0 1'
147
$ cp old.wal test.db-wal
$ strata test.db
strata: 'test.db-wal' is stale: it follows transaction 0, and the database file holds every transaction up to 153; it was not applied: move it away to open the database
[exit 1]
$ cmp old.wal test.db-wal && echo unchanged
unchanged
$ mv test.db-wal aside.wal
$ strata test.db
strata=> SELECT * FROM users WHERE id = 2;
 id | username | email
----+----------+-------
(0 rows)

strata=> SELECT * FROM users WHERE id = 150;
 id  | username |         email
-----+----------+-----------------------
 150 | user150  | person150@example.com
(1 row)

strata=> \check
ok
strata=> \q

## a database file older than its log is refused
# The other way round: the file is put back as it was two sessions ago,
# after its first insert (transaction 3), next to the log that a crash
# left in a session that followed transaction 4: three inserts, and the
# crash at the first write of the checkpoint, the 11th I/O point.
$ echo 'CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);' > one.sql
$ echo "INSERT INTO users VALUES (1, 'user1', 'person1@example.com');" >> one.sql
$ echo "INSERT INTO users VALUES (2, 'user2', 'person2@example.com');" > two.sql
$ seq 3 5 | awk '{ print "INSERT INTO users VALUES (" $1 ", '\''user" $1 "'\'', '\''person" $1 "@example.com'\'');" }' > more.sql
$ strata test.db < one.sql | grep -c 'INSERT 0 1'
1
$ cp test.db old.db
$ strata test.db < two.sql | grep -c 'INSERT 0 1'
1
$ STRATA_FAULT=crash=11,seed=1 strata test.db < more.sql > /dev/null
[exit 99]
$ cp old.db test.db
$ strata test.db
strata: 'test.db-wal' follows transaction 4, but the database file holds transactions only up to 3 (an older copy of the file?); it was not applied: move it away to open the database
[exit 1]

## another database's log is refused
$ echo 'CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);' > three.sql
$ seq 1 3 | awk '{ print "INSERT INTO users VALUES (" $1 ", '\''user" $1 "'\'', '\''person" $1 "@example.com'\'');" }' >> three.sql
$ STRATA_FAULT=crash=15,seed=1 strata a.db < three.sql > /dev/null
[exit 99]
$ strata b.db
strata=> CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);
CREATE TABLE
strata=> INSERT INTO users VALUES (7, 'seven', 'seven@example.com');
INSERT 0 1
strata=> \q
$ cp a.db-wal b.db-wal
$ strata b.db
strata: 'b.db-wal' is the log of another database: it was not applied; move it away to open the database
[exit 1]
$ cmp a.db-wal b.db-wal && echo unchanged
unchanged
$ rm b.db-wal
$ strata b.db
strata=> SELECT * FROM users;
 id | username |       email
----+----------+-------------------
  7 | seven    | seven@example.com
(1 row)

strata=> \q

## the log of a database that is gone is not applied to a new file
# The database file was moved or deleted, its log left behind: opening
# the name again does not make a new file to redo it into.
$ echo 'CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);' > three.sql
$ seq 1 3 | awk '{ print "INSERT INTO users VALUES (" $1 ", '\''user" $1 "'\'', '\''person" $1 "@example.com'\'');" }' >> three.sql
$ STRATA_FAULT=crash=15,seed=1 strata test.db < three.sql > /dev/null
[exit 99]
$ mv test.db moved.db
$ cp test.db-wal saved.wal
$ strata test.db
strata: 'test.db' does not exist, but its log 'test.db-wal' does: a log is never applied to a new file; move it away to make a new database
[exit 1]
$ ls
moved.db
saved.wal
test.db-wal
three.sql
$ cmp saved.wal test.db-wal && echo unchanged
unchanged

## a checkpointed database's log is not applied to an empty file
# Two inserts after a checkpoint, and a crash at the first write of the
# next one, the 9th I/O point.
$ echo 'CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);' > three.sql
$ seq 1 3 | awk '{ print "INSERT INTO users VALUES (" $1 ", '\''user" $1 "'\'', '\''person" $1 "@example.com'\'');" }' >> three.sql
$ seq 4 5 | awk '{ print "INSERT INTO users VALUES (" $1 ", '\''user" $1 "'\'', '\''person" $1 "@example.com'\'');" }' > two.sql
$ strata test.db < three.sql | grep -c 'INSERT 0 1'
3
$ STRATA_FAULT=crash=9,seed=1 strata test.db < two.sql > /dev/null
[exit 99]
$ : > test.db
$ strata test.db
strata: 'test.db-wal' follows transaction 5 of a database, but the database file has no header: it was not applied; move it away to open the database
[exit 1]

## the log that a checkpoint has just written into the file is redone
# The 22nd I/O point is the removal of the log at the end, after the
# file was synced: the file holds every transaction, and so does the log,
# which ends with the checkpoint's record. Redoing it writes the same
# bytes.
$ echo 'CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);' > three.sql
$ seq 1 3 | awk '{ print "INSERT INTO users VALUES (" $1 ", '\''user" $1 "'\'', '\''person" $1 "@example.com'\'');" }' >> three.sql
$ STRATA_FAULT=crash=22,seed=1 strata test.db < three.sql > /dev/null
[exit 99]
$ ls
test.db
test.db-wal
three.sql
$ strata test.db
Recovered test.db-wal: replayed 5 transactions, dropped 0 bytes.
strata=> SELECT * FROM users;
 id | username |        email
----+----------+---------------------
  1 | user1    | person1@example.com
  2 | user2    | person2@example.com
  3 | user3    | person3@example.com
(3 rows)

strata=> \check
ok
strata=> \q
$ ls
test.db
three.sql

## every name of the database finds the same log
# The log is named after the file that a symbolic link leads to: a crash
# in a session opened through the link leaves real.db-wal, which opening
# real.db redoes, and the link then reads the same rows.
$ echo 'CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);' > one.sql
$ echo "INSERT INTO users VALUES (1, 'user1', 'person1@example.com');" >> one.sql
$ seq 2 3 | awk '{ print "INSERT INTO users VALUES (" $1 ", '\''user" $1 "'\'', '\''person" $1 "@example.com'\'');" }' > two.sql
$ strata real.db < one.sql | grep -c 'INSERT 0 1'
1
$ ln -s real.db link.db
$ STRATA_FAULT=crash=9,seed=1 strata link.db < two.sql > /dev/null
[exit 99]
$ ls
link.db
one.sql
real.db
real.db-wal
two.sql
$ strata real.db
Recovered real.db-wal: replayed 2 transactions, dropped 0 bytes.
strata=> \q
$ strata link.db
strata=> SELECT * FROM users;
 id | username |        email
----+----------+---------------------
  1 | user1    | person1@example.com
  2 | user2    | person2@example.com
  3 | user3    | person3@example.com
(3 rows)

strata=> \wal
log: real.db-wal (empty: every committed change is in the file)
last committed transaction: 5
strata=> \q

## a log in another format is refused
# Byte 8 of the log header is its format version: 3 since the log may
# hold abort records (05); a log of format 1 is not read.
$ echo 'CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);' > three.sql
$ seq 1 3 | awk '{ print "INSERT INTO users VALUES (" $1 ", '\''user" $1 "'\'', '\''person" $1 "@example.com'\'');" }' >> three.sql
$ STRATA_FAULT=crash=15,seed=1 strata test.db < three.sql > /dev/null
[exit 99]
$ printf '\001' | dd of=test.db-wal bs=1 seek=8 conv=notrunc 2>/dev/null
$ strata test.db 2>&1 | sed 's/([0-9][0-9]-[a-z]*)/(NN)/'
strata: 'test.db-wal' is a log in format 1; this milestone (NN) reads format 3: it was not applied
[exit 1]

## \copy refuses the database and its log, by any name
# Reading them as CSV would fail line by line; worse, it would open the
# database file a second time.
$ strata test.db
strata=> CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT);
CREATE TABLE
strata=> INSERT INTO users VALUES (1, 'user1', 'person1@example.com');
INSERT 0 1
strata=> \q
$ ln test.db hard.csv
$ ln -s test.db soft.csv
$ strata test.db
strata=> INSERT INTO users VALUES (2, 'user2', 'person2@example.com');
INSERT 0 1
strata=> \copy users FROM 'test.db'
ERROR:  cannot copy from 'test.db': it is the database itself, or its log
strata=> \copy users FROM 'hard.csv'
ERROR:  cannot copy from 'hard.csv': it is the database itself, or its log
strata=> \copy users FROM 'soft.csv'
ERROR:  cannot copy from 'soft.csv': it is the database itself, or its log
strata=> \copy users FROM 'test.db-wal'
ERROR:  cannot copy from 'test.db-wal': it is the database itself, or its log
strata=> SELECT * FROM users;
 id | username |        email
----+----------+---------------------
  1 | user1    | person1@example.com
  2 | user2    | person2@example.com
(2 rows)

strata=> \q
