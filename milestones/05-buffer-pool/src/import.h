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

/* Pages a batch may change before it commits. The buffer pool does not
 * bound a batch, since the pages it cannot keep are spilled to the log;
 * this does: the log a batch fills (some 64 MiB of page images: the
 * spilled ones and the commit's), the log's index in memory, which has
 * an entry for each of those pages, and the work a crash or a bad line
 * loses. A load of some hundred thousand short rows is one batch. */
#define IMPORT_BATCH_PAGES 16384
#define IMPORT_BATCH_PAGES_MAX (1u << 20) /* what --batch-pages may ask */

/* Rows between two updates of the progress line, besides each commit. */
#define IMPORT_PROGRESS_ROWS 1000

typedef struct ImportResult {
    uint64_t rows;     /* rows committed */
    uint64_t batches;  /* commits made */
} ImportResult;

/* Inserts the rows of the CSV file PATH, one "id,username,email" per line
 * (a first line "id,username,email" is a header and skipped), with the
 * same checks as insert, committing whenever the running batch has
 * changed BATCH_PAGES pages, and at the end. With PROGRESS, a line
 * counting the rows is kept up to date on it. On the first bad line, or
 * the first line that cannot be read, it stops: the batches committed
 * before stay, the batch of that line is rolled back, and db_errmsg()
 * names the file, the line and the reason. *result counts what was
 * committed either way. */
DbStatus import_csv(Table *table, const char *path, uint32_t batch_pages,
                    FILE *progress, ImportResult *result);

#endif
