# Starting strata: it needs exactly one argument, the database file.
milestones: 01-04

## no file name
# Without a database file name, strata says what is missing and fails.
$ strata
Must supply a database filename.
[exit 1]

## too many arguments
# Two file names are a mistake, not two databases.
$ strata a.db b.db
Usage: strata FILE
[exit 1]
