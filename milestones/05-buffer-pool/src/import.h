/*
 * import.h - .import FILE: loading a CSV file of rows in batches, each
 * batch one durable commit.
 */
#ifndef IMPORT_H
#define IMPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "table.h"

/* Rows per commit: enough that a bulk load is not bound by one sync per
 * row, few enough that a failed batch loses little work. */
#define IMPORT_BATCH_ROWS 1000

typedef struct ImportResult {
    uint64_t rows;     /* rows committed */
    uint64_t batches;  /* commits made */
} ImportResult;

/* Inserts the rows of the CSV file PATH, one "id,username,email" per line
 * (a first line "id,username,email" is a header and skipped), with the
 * same checks as insert, committing every IMPORT_BATCH_ROWS rows, or
 * sooner when the buffer pool runs short of frames. With
 * PROGRESS, a line counting the rows is kept up to date on it. On the
 * first bad line, or the first line that cannot be read, it stops: the
 * batches committed before stay, the batch of that line is rolled back,
 * and db_errmsg() names the file, the line and the reason. *result
 * counts what was committed either way. */
DbStatus import_csv(Table *table, const char *path, FILE *progress,
                    ImportResult *result);

#endif
