/*
 * import.c - loading rows from a CSV file, committing in batches.
 *
 * Owns: reading CSV lines into rows, and where the batches begin and end.
 * Does not: check a row's fields (statement.c does, as for insert) or
 * make anything durable itself (the pager's commit does).
 *
 * A batch ends once its transaction has changed BATCH_PAGES pages
 * (IMPORT_BATCH_PAGES unless --batch-pages says), or at the end of the
 * file. The buffer pool does not bound it:
 * the pages the pool cannot keep are spilled to the log (pager.c).
 */
#include "import.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"
#include "statement.h"

/* A longer line holds no row: an id, a username and an email take at
 * most 10 + 32 + 255 bytes, and two commas. */
#define IMPORT_LINE_MAX 1024

/* The CSV file, read through the os layer a chunk at a time and handed
 * out a line at a time. */
typedef struct LineReader {
    OsFile *file;
    size_t start, end;     /* the bytes of chunk not handed out yet */
    bool at_end;           /* the file has no more */
    char chunk[32 * 1024];
} LineReader;

/* Puts the next line of IN into LINE (room for IMPORT_LINE_MAX + 1
 * bytes) without its newline, and its length into *len; *got is false
 * at the end of the file. DB_EIO: a read failed; DB_ESYNTAX: the line is
 * too long to be a row. A line that could not be read whole is never
 * handed out. */
static DbStatus read_line(LineReader *in, const char *path, char *line,
                          size_t *len, bool *got)
{
    *got = false;
    for (;;) {
        char *begin = in->chunk + in->start;
        size_t have = in->end - in->start;
        char *newline = memchr(begin, '\n', have);
        size_t line_len = newline ? (size_t)(newline - begin) : have;
        if (line_len > IMPORT_LINE_MAX)
            return db_fail(DB_ESYNTAX, "the line is over %d bytes long, "
                           "longer than any row.", IMPORT_LINE_MAX);
        if (newline != NULL || (in->at_end && have > 0)) {
            memcpy(line, begin, line_len);
            line[line_len] = '\0';
            *len = line_len;
            in->start += line_len + (newline != NULL);
            *got = true;
            return DB_OK;
        }
        if (in->at_end)
            return DB_OK;
        /* Keep the start of the line, and read what follows it. */
        memmove(in->chunk, begin, have);
        in->start = 0;
        in->end = have;
        size_t n_read;
        int err = os_read_next(in->file, in->chunk + have,
                               sizeof in->chunk - have, &n_read);
        if (err != 0)
            return db_fail(DB_EIO, "reading '%s' failed: %s.", path,
                           strerror(err));
        in->end += n_read;
        in->at_end = n_read == 0;
    }
}

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

/* Makes ROW from LINE (LEN bytes); on a refusal, the reason in words
 * that fit after "line N: ". */
static DbStatus line_to_row(char *line, size_t len, Row *row)
{
    if (strlen(line) != len)
        return db_fail(DB_ESYNTAX, "the line holds a NUL byte.");
    const char *fields[3];
    size_t lens[3];
    int n = split_fields(line, fields, lens);
    if (n != 3)
        return db_fail(DB_ESYNTAX, "expected 3 fields (id,username,email), "
                       "found %d.", n);
    /* Only values that insert could take: not empty, no white space. */
    for (int i = 1; i < 3; i++) {
        if (lens[i] == 0 || strcspn(fields[i], " \t\v\f") < lens[i])
            return db_fail(DB_ESYNTAX, "the %s is empty or holds white "
                           "space, which insert cannot take either.",
                           i == 1 ? "username" : "email");
    }
    DbStatus rc = statement_make_row(fields, lens, row);
    if (rc == DB_ESYNTAX)
        return db_fail(rc, "the id '%.*s' is not a number.", (int)lens[0],
                       fields[0]);
    return rc;
}

/* Keeps the line that counts rows on PROGRESS up to date: INSERTED rows
 * read into the table, of which COMMITTED are durable. */
static void show_progress(FILE *progress, uint64_t inserted,
                          uint64_t committed)
{
    if (progress == NULL)
        return;
    fprintf(progress, "\rinserted %llu rows, %llu committed",
            (unsigned long long)inserted, (unsigned long long)committed);
    fflush(progress);
}

/* Commits the batch of BATCH_ROWS rows, durably; sets *UNSURE when the
 * commit's own write or sync failed, which leaves the batch's fate to
 * the next open's recovery. */
static DbStatus commit_batch(Table *table, FILE *progress,
                             ImportResult *result, uint64_t *batch_rows,
                             bool *unsure)
{
    DbStatus rc = table_commit(table);
    if (rc != DB_OK) {
        *unsure = *batch_rows > 0;
        return rc;
    }
    if (*batch_rows == 0)
        return DB_OK; /* an empty transaction: nothing was written */
    result->rows += *batch_rows;
    result->batches++;
    *batch_rows = 0;
    show_progress(progress, result->rows, result->rows);
    return DB_OK;
}

/* book: begin import */
DbStatus import_csv(Table *table, const char *path, uint32_t batch_pages,
                    FILE *progress, ImportResult *result)
{
    *result = (ImportResult){0};
    LineReader in = {0};
    int err = os_open_reading(path, &in.file);
    if (err == EISDIR)
        return db_fail(DB_EIO, "cannot import '%s': it is a directory",
                       path);
    if (err != 0)
        return db_fail(DB_EIO, "cannot open '%s': %s", path, strerror(err));
    if (table_holds_file(table, in.file)) {
        os_close(in.file);
        return db_fail(DB_EIO, "cannot import '%s': it is the database "
                       "itself, or its log", path);
    }

    char line[IMPORT_LINE_MAX + 1];
    size_t len;
    uint64_t line_no = 0, batch_rows = 0, batch_start = 1, row_line = 0;
    bool unsure = false, got;
    DbStatus rc = table_begin(table);
    while (rc == DB_OK) {
        rc = read_line(&in, path, line, &len, &got);
        if (rc == DB_OK && !got)
            break;
        line_no++; /* the line read, or the one that could not be */
        if (rc != DB_OK)
            break;
        while (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        if (len == 0 || (line_no == 1 && strcmp(line, "id,username,email")
                                             == 0))
            continue;

        Row row;
        rc = line_to_row(line, len, &row);
        if (rc == DB_OK)
            rc = table_insert(table, &row);
        if (rc != DB_OK)
            break;
        row_line = line_no;
        if (++batch_rows % IMPORT_PROGRESS_ROWS == 0)
            show_progress(progress, result->rows + batch_rows, result->rows);
        if (table_txn_pages(table) >= batch_pages) {
            /* One durable commit for the whole batch. */
            rc = commit_batch(table, progress, result, &batch_rows, &unsure);
            if (rc == DB_OK) {
                rc = table_begin(table);
                batch_start = line_no + 1;
            }
        }
    }
    if (rc == DB_OK) /* the last batch; with no rows, nothing is written */
        rc = commit_batch(table, progress, result, &batch_rows, &unsure);
    /* The error, or the count, goes under the progress line, if any. */
    if (progress != NULL &&
        (result->batches > 0 || batch_rows >= IMPORT_PROGRESS_ROWS))
        fprintf(progress, "\n");

    if (rc != DB_OK) {
        table_rollback(table);
        char rest[160];
        if (unsure)
            snprintf(rest, sizeof rest, "lines %llu to %llu are there if "
                     "their commit reached the disk: the next open "
                     "recovers it", (unsigned long long)batch_start,
                     (unsigned long long)row_line);
        else if (batch_start == line_no)
            snprintf(rest, sizeof rest, "line %llu was rolled back",
                     (unsigned long long)line_no);
        else
            snprintf(rest, sizeof rest, "lines %llu to %llu were rolled "
                     "back", (unsigned long long)batch_start,
                     (unsigned long long)line_no);
        if (result->rows == 0 && !unsure)
            rc = db_fail(rc, "%s line %llu: %s Nothing was imported.", path,
                         (unsigned long long)line_no, db_errmsg());
        else
            rc = db_fail(rc, "%s line %llu: %s The %llu row%s before line "
                         "%llu stay%s; %s.", path,
                         (unsigned long long)line_no, db_errmsg(),
                         (unsigned long long)result->rows,
                         result->rows == 1 ? "" : "s",
                         (unsigned long long)batch_start,
                         result->rows == 1 ? "s" : "", rest);
    }
    os_close(in.file);
    return rc;
}
/* book: end import */
