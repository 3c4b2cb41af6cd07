# From milestone 06 on, a transaction may change more pages than the
# buffer pool holds: the pool spills pages of the running transaction to
# the log before its commit. A statement that fails after spilling rolls
# back, and an abort record after its pages says that they do not count.
milestones: 06-

## \wal shows the records and the abort of a rollback after a spill
# The log's first transaction of the session spills some 75 pages of a
# 300,000-byte value, then fails on a duplicate key: the log holds its
# page images and an abort record, and no commit.
$ strata test.db -c "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'one');"
CREATE TABLE
INSERT 0 1
$ (printf '2,'; head -c 300000 /dev/zero | tr '\0' x; printf '\n1,again\n') > big.csv
$ strata --pool-pages 8 test.db
strata=> \copy t FROM 'big.csv' CSV
ERROR:  COPY t, line 2: duplicate key value violates unique constraint "t_pkey" (Key (id)=(1) already exists.); nothing was copied
strata=> \wal
log: test.db-wal
bytes: 276104
records: 68 (67 page images, 0 commits, 1 abort)
pages ahead of the file: 0
last committed transaction: 3
strata=> SELECT id FROM t;
 id
----
  1
(1 row)

strata=> \check
ok
strata=> \q
