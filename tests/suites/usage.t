# Starting strata: it needs one argument, the database file. Two
# options answer questions instead: --help and --version (see
# terminal.py for what --version prints). A mistake on the command line
# prints what is wrong and the usage on standard error, exits with
# status 2, and creates no file. (05 adds options: usage-05.t.)
milestones: 01-04

## no file name
# Without a database file name, strata says what is missing and fails.
$ strata
Must supply a database filename.
[exit 1]

## too many arguments
# Two file names are a mistake, not two databases.
$ strata a.db b.db
strata: unexpected argument 'b.db'
Usage: strata [--help] [--version] FILE
[exit 2]
$ ls

## --help prints the usage on standard output
$ strata --help 2>stderr.txt
Usage: strata [--help] [--version] FILE
Opens the Strata database FILE, creating it if it does not exist, and runs
the statements typed at its prompt (.help there lists them).

  --help      print this help and exit
  --version   print the milestone and its file format, and exit
$ wc -c < stderr.txt
0
$ rm stderr.txt
$ strata test.db --help
Usage: strata [--help] [--version] FILE
Opens the Strata database FILE, creating it if it does not exist, and runs
the statements typed at its prompt (.help there lists them).

  --help      print this help and exit
  --version   print the milestone and its file format, and exit
$ ls

## an unknown option is not a file name
$ strata --frobnicate 2>&1 >/dev/null
strata: unknown option '--frobnicate'
Usage: strata [--help] [--version] FILE
[exit 2]
$ strata -x test.db
strata: unknown option '-x'
Usage: strata [--help] [--version] FILE
[exit 2]
$ ls

## -- ends the options
# After it, a name that starts with a dash is a file name.
$ strata -- --odd.db
db > insert 1 a b
Executed.
db > .exit
$ ls
--odd.db
