/*
 * copy.h - \copy TABLE FROM 'FILE' [CSV] [HEADER]: loading a CSV file
 * into a table in batches, each batch one durable commit.
 */
#ifndef COPY_H
#define COPY_H

#include <stdint.h>
#include <stdio.h>

#include "db.h"

/* Pages a batch changes before it commits, by default (64 MiB of page
 * images), and at most: they bound the log, its index in memory and the
 * work a crash loses. A batch that stayed within the buffer pool would be
 * short wherever rows land on random pages, and each batch writes every
 * page it changed. */
#define COPY_BATCH_PAGES 16384
#define COPY_BATCH_PAGES_MAX (1u << 20)

/* Rows between two updates of the progress line. */
#define COPY_PROGRESS_ROWS 1000

typedef struct CopyResult {
    uint64_t rows;      /* rows committed */
    uint64_t batches;   /* commits made */
} CopyResult;

/* Runs the \copy command whose arguments are ARGS. Each record of the CSV
 * file (RFC 4180: quoted fields may hold commas, quotes as "" and line
 * breaks; an empty unquoted field is NULL, "" the empty string) gives one
 * row, with the same checks as INSERT, committing whenever a batch has
 * changed BATCH_PAGES pages, and at the end. With PROGRESS, a line
 * counting the rows is kept up to date on it. On the first bad record it
 * stops: the batches committed before stay, the bad record's batch is
 * rolled back, and db_errmsg() names the line and the reason. *result
 * counts what was committed either way. */
DbStatus copy_command(Db *db, const char *args, uint32_t batch_pages,
                      FILE *progress, CopyResult *result);

#endif
