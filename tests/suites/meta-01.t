# The meta commands of milestone 01: the layout constants and the help.
milestones: 01

## .constants shows the page layout
# 13 rows of 293 bytes fit in a 4096-byte page; 100 pages make 1300 rows.
$ strata test.db
db > .constants
Constants:
ROW_SIZE: 293
PAGE_SIZE: 4096
ROWS_PER_PAGE: 13
TABLE_MAX_PAGES: 100
TABLE_MAX_ROWS: 1300
db > .exit

## .help lists the statements and meta commands
$ strata test.db
db > .help
Statements (keywords in any case; a ';' at the end is optional):
  insert ID USERNAME EMAIL   add a row: ID from 1 to 4294967295,
                             USERNAME up to 32 bytes, EMAIL up to 255
  select                     print every row
Meta commands:
  .constants                 print the page layout constants
  .exit                      save and close the database (Ctrl-D too)
  .help                      print this help
db > .exit
