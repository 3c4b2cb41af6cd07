/*
 * import.c - loading rows from a CSV file, committing in batches.
 *
 * Owns: reading CSV lines into rows, and where the batches begin and end.
 * Does not: check a row's fields (statement.c does, as for insert) or
 * make anything durable itself (the pager's commit does).
 *
 * A batch ends after IMPORT_BATCH_ROWS rows, or earlier when the buffer
 * pool runs short of frames for uncommitted pages: any pool size works,
 * a small one with more commits.
 */
#include "import.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "statement.h"

/* Splits LINE at commas into FIELDS; returns how many there are. */
static int split_fields(char *line, const char *fields[3], size_t lens[3])
{
    int n = 0;
    for (char *start = line;; n++) {
        char *comma = strchr(start, ',');
        size_t len = comma ? (size_t)(comma - start) : strlen(start);
        if (n < 3) {
            fields[n] = start;
            lens[n] = len;
        }
        if (comma == NULL)
            return n + 1;
        start = comma + 1;
    }
}

/* Why a line is refused, in words that fit after "line N: ". */
static DbStatus line_to_row(char *line, Row *row)
{
    const char *fields[3];
    size_t lens[3];
    int n = split_fields(line, fields, lens);
    if (n != 3)
        return db_fail(DB_ESYNTAX, "expected 3 fields (id,username,email), "
                       "found %d.", n);
    DbStatus rc = statement_make_row(fields, lens, row);
    if (rc == DB_ESYNTAX)
        return db_fail(rc, "the id '%.*s' is not a number.", (int)lens[0],
                       fields[0]);
    return rc;
}

/* book: begin import */
DbStatus import_csv(Table *table, const char *path, FILE *progress,
                    ImportResult *result)
{
    *result = (ImportResult){0};
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return db_fail(DB_EIO, "cannot open '%s': %s", path, strerror(errno));

    char *line = NULL;
    size_t capacity = 0;
    uint64_t line_no = 0, batch_rows = 0, batch_start = 1;
    DbStatus rc = table_begin(table);
    while (rc == DB_OK) {
        ssize_t len = getline(&line, &capacity, in);
        if (len < 0)
            break;
        line_no++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || (line_no == 1 && strcmp(line, "id,username,email")
                                             == 0))
            continue;

        Row row;
        rc = line_to_row(line, &row);
        if (rc == DB_OK)
            rc = table_insert(table, &row);
        if (rc != DB_OK)
            break;
        /* Uncommitted pages cannot leave the buffer pool, so the batch
         * commits early when the pool could not take the most pages one
         * more insert may change: 2 * height + 2 (see POOL_MIN_FRAMES). */
        uint32_t height;
        rc = btree_height(table->tree, &height);
        if (rc != DB_OK)
            break;
        if (++batch_rows == IMPORT_BATCH_ROWS ||
            bufpool_room(pager_pool(table->pager)) < 2 * height + 2) {
            /* One durable commit for the whole batch. */
            rc = table_commit(table);
            if (rc != DB_OK)
                break;
            result->rows += batch_rows;
            result->batches++;
            batch_rows = 0;
            batch_start = line_no + 1;
            if (progress != NULL) {
                fprintf(progress, "\rimported %llu rows",
                        (unsigned long long)result->rows);
                fflush(progress);
            }
            rc = table_begin(table);
        }
    }
    if (rc == DB_OK && ferror(in))
        rc = db_fail(DB_EIO, "reading '%s' failed", path);
    if (rc == DB_OK && batch_rows > 0) {
        rc = table_commit(table);
        if (rc == DB_OK) {
            result->rows += batch_rows;
            result->batches++;
        }
    } else if (rc == DB_OK) {
        table_commit(table); /* an empty transaction: nothing to write */
    }
    if (progress != NULL && result->batches > 0)
        fprintf(progress, "\n");

    if (rc != DB_OK && result->rows == 0) {
        table_rollback(table);
        rc = db_fail(rc, "%s line %llu: %s Nothing was imported.", path,
                     (unsigned long long)line_no, db_errmsg());
    } else if (rc != DB_OK) {
        table_rollback(table);
        char rolled_back[64];
        if (batch_start == line_no)
            snprintf(rolled_back, sizeof rolled_back, "line %llu was",
                     (unsigned long long)line_no);
        else
            snprintf(rolled_back, sizeof rolled_back, "lines %llu to %llu "
                     "were", (unsigned long long)batch_start,
                     (unsigned long long)line_no);
        rc = db_fail(rc, "%s line %llu: %s The %llu row%s before line %llu "
                     "stay%s; %s rolled back.", path,
                     (unsigned long long)line_no, db_errmsg(),
                     (unsigned long long)result->rows,
                     result->rows == 1 ? "" : "s",
                     (unsigned long long)batch_start,
                     result->rows == 1 ? "s" : "", rolled_back);
    }
    free(line);
    fclose(in);
    return rc;
}
/* book: end import */
