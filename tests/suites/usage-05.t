# Starting strata from milestone 05 on: besides the database file, the
# size of the buffer pool and its eviction policy. A wrong option value
# is a mistake on the command line: exit status 2.
milestones: 05

## no file name
$ strata
Must supply a database filename.
[exit 1]
$ strata --pool-pages 64
Must supply a database filename.
[exit 1]

## two file names
$ strata a.db b.db
strata: unexpected argument 'b.db'
Usage: strata [--help] [--version] [--pool-pages N] [--eviction lru|clock]
              [--batch-pages N] FILE
[exit 2]

## an unknown option
$ strata --pool a.db
strata: unknown option '--pool'
Usage: strata [--help] [--version] [--pool-pages N] [--eviction lru|clock]
              [--batch-pages N] FILE
[exit 2]
$ ls

## a batch of no pages
$ strata --batch-pages 0 a.db
Error: --batch-pages needs a number from 1 to 1048576.
[exit 2]

## --help names the options, with their ranges and defaults
$ strata --help
Usage: strata [--help] [--version] [--pool-pages N] [--eviction lru|clock]
              [--batch-pages N] FILE
Opens the Strata database FILE, creating it if it does not exist, and runs
the statements typed at its prompt (.help there lists them).

  --help                 print this help and exit
  --version              print the milestone and its file format, and exit
  --pool-pages N         frames in the buffer pool, 8 to 1048576 (default:
                         $STRATA_POOL_PAGES, else 256)
  --eviction lru|clock   the buffer pool's eviction policy (default: lru)
  --batch-pages N        pages an .import batch changes before it commits,
                         1 to 1048576 (default: 16384)

## the pool needs at least 8 frames
# Eight frames hold every page one statement may change, even a split
# that climbs a tree of three levels.
$ strata --pool-pages 7 test.db
Error: --pool-pages needs a number from 8 to 1048576.
[exit 2]
$ strata --pool-pages lots test.db
Error: --pool-pages needs a number from 8 to 1048576.
[exit 2]
$ strata test.db --pool-pages
Error: --pool-pages needs a number from 8 to 1048576.
[exit 2]
$ STRATA_POOL_PAGES=3 strata test.db
Error: STRATA_POOL_PAGES must be a number from 8 to 1048576.
[exit 1]
$ ls

## only known eviction policies
$ strata --eviction mru test.db
Error: --eviction must be lru or clock.
[exit 2]

## options may come before or after the file
$ strata test.db --eviction clock --pool-pages 8
db > .stats
buffer pool: 8 frames, clock
hits: 8
misses: 2
hit ratio: 80.0%
evictions: 0
dirty write-backs: 0
pages read: 0
pages written: 0
pages spilled to the log: 0
db > .exit
