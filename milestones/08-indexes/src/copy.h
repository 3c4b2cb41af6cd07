/*
 * copy.h - \copy TABLE FROM 'FILE' [CSV] [HEADER]: loading a CSV file
 * into a table in batches, each batch one durable commit.
 */
#ifndef COPY_H
#define COPY_H

#include <stdint.h>
#include <stdio.h>

#include "db.h"

/* Rows per commit: enough that a bulk load is not bound by one sync per
 * row, few enough that a failed batch loses little work. */
#define COPY_BATCH_ROWS 1000

typedef struct CopyResult {
    uint64_t rows;      /* rows committed */
    uint64_t batches;   /* commits made */
} CopyResult;

/* Runs the \copy command whose arguments are ARGS. Each record of the
 * CSV file (RFC 4180: quoted fields may hold commas, quotes as "" and
 * line breaks; an empty unquoted field is NULL, "" the empty string)
 * gives one row, with the same checks as INSERT, committing every
 * COPY_BATCH_ROWS rows. With PROGRESS, a line counting the rows is kept
 * up to date on it. On the first bad record it stops: the batches
 * committed before stay, the bad record's batch is rolled back, and
 * db_errmsg() names the line and the reason. *result counts what was
 * committed either way. */
DbStatus copy_command(Db *db, const char *args, FILE *progress,
                      CopyResult *result);

#endif
