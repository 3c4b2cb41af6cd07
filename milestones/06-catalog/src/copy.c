/*
 * copy.c - \copy: loading rows from a CSV file, committing in batches.
 *
 * Owns: the CSV format (RFC 4180), turning a field's text into a value of
 * its column's type, and where the batches begin and end.
 * Does not: check a value against its column or insert it (exec.c does,
 * as for INSERT), or make anything durable itself (db_commit does).
 *
 * A batch ends when it has changed BATCH_PAGES pages, or at the end
 * of the file. The pool does not bound it: the pages it cannot keep are
 * spilled to the log, each written over its own record when it is
 * spilled again, as one large transaction of SQLite's does.
 */
#include "copy.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "exec.h"
#include "os.h"

/* A field of a record: its text, and whether it was quoted, which tells
 * "" (the empty string) from nothing at all (NULL). */
typedef struct Field {
    size_t start;       /* in the record's text */
    size_t len;
    bool quoted;
} Field;

/* The record being read. */
typedef struct Record {
    char *text;
    size_t len, cap;
    Field *fields;
    uint32_t n_fields, cap_fields;
    uint64_t line;      /* the line it starts on */
} Record;

/* The CSV file, read through the os layer a chunk at a time and handed
 * out a byte at a time. */
typedef struct Reader {
    OsFile *file;
    uint64_t line;      /* lines read so far */
    int err;            /* the error of a failed read; 0 if none */
    size_t start, end;  /* the bytes of chunk not handed out yet */
    unsigned char chunk[32 * 1024];
} Reader;

/* The next byte of the file; EOF at its end, or after a failed read
 * (then RD->err says why, and no byte after it is handed out). */
static int get_byte(Reader *rd)
{
    if (rd->start == rd->end) {
        size_t n_read = 0;
        if (rd->err == 0)
            rd->err = os_read_next(rd->file, rd->chunk, sizeof rd->chunk,
                                   &n_read);
        if (n_read == 0)
            return EOF;
        rd->start = 0;
        rd->end = n_read;
    }
    return rd->chunk[rd->start++];
}

/* Hands the byte just got out again. */
static void unget_byte(Reader *rd)
{
    rd->start--;
}

static bool push_char(Record *r, char c)
{
    if (r->len == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 256;
        char *grown = realloc(r->text, cap);
        if (grown == NULL)
            return false;
        r->text = grown;
        r->cap = cap;
    }
    r->text[r->len++] = c;
    return true;
}

static bool push_field(Record *r, size_t start, bool quoted)
{
    if (r->n_fields == r->cap_fields) {
        uint32_t cap = r->cap_fields ? 2 * r->cap_fields : 16;
        Field *grown = realloc(r->fields, cap * sizeof *grown);
        if (grown == NULL)
            return false;
        r->fields = grown;
        r->cap_fields = cap;
    }
    r->fields[r->n_fields++] = (Field){start, r->len - start, quoted};
    return true;
}

/* book: begin csv-record */
/* Reads the next record into R. *more is false at the end of the file.
 * A quoted field runs to its closing quote, across commas and line
 * breaks; "" inside it is one quote. */
static DbStatus read_record(Reader *rd, Record *r, bool *more)
{
    r->len = 0;
    r->n_fields = 0;
    r->line = rd->line + 1;
    size_t start = 0;
    bool quoted = false, in_quotes = false, any = false;
    for (;;) {
        int c = get_byte(rd);
        if (c == EOF) {
            if (rd->err != 0)
                return db_fail(DB_EIO, "reading the file failed: %s",
                               strerror(rd->err));
            if (in_quotes)
                return db_fail(DB_ESYNTAX, "line %" PRIu64 ": unterminated "
                               "CSV quoted field", r->line);
            *more = any;
            if (any) {
                rd->line++;
                if (!push_field(r, start, quoted))
                    return db_fail(DB_ENOMEM, "out of memory");
            }
            return DB_OK;
        }
        any = true;
        if (in_quotes) {
            if (c == '"') {
                int next = get_byte(rd);
                if (next != '"') {
                    in_quotes = false;
                    if (next != EOF)
                        unget_byte(rd);
                    continue;
                }
            }
            if (c == '\n')
                rd->line++;
            if (!push_char(r, (char)c))
                return db_fail(DB_ENOMEM, "out of memory");
            continue;
        }
        if (c == '"' && r->len == start && !quoted) {
            in_quotes = quoted = true;
            continue;
        }
        if (c == ',' || c == '\n') {
            if (!push_field(r, start, quoted))
                return db_fail(DB_ENOMEM, "out of memory");
            if (c == '\n') {
                rd->line++;
                *more = true;
                return DB_OK;
            }
            start = r->len;
            quoted = false;
            continue;
        }
        if (c == '\r') {
            int next = get_byte(rd);
            if (next == '\n') {
                unget_byte(rd);
                continue; /* CRLF ends the line as LF does */
            }
            if (next != EOF)
                unget_byte(rd);
        }
        if (!push_char(r, (char)c))
            return db_fail(DB_ENOMEM, "out of memory");
    }
}
/* book: end csv-record */

/* The value of field F (NUL-terminated in the record's text) for a
 * column of TYPE, in the words PostgreSQL uses for a bad one. */
static DbStatus field_value(ColumnType type, const char *s, const Field *f,
                            Value *v)
{
    if (f->len == 0 && !f->quoted) {
        *v = (Value){.type = VALUE_NULL};
        return DB_OK;
    }
    if (strlen(s) != f->len)
        return db_fail(DB_ESYNTAX, "the field holds a NUL byte");
    char *end;
    errno = 0;
    switch (type) {
    case TYPE_TEXT:
        *v = (Value){.type = VALUE_TEXT, .text = {s, (uint32_t)f->len}};
        return f->len > RECORD_MAX_TEXT
                   ? db_fail(DB_ETOOLONG, "a field of %zu bytes is longer "
                             "than any value", f->len)
                   : DB_OK;
    case TYPE_INTEGER:
        *v = (Value){.type = VALUE_INTEGER, .i = strtoll(s, &end, 10)};
        if (errno == ERANGE)
            return db_fail(DB_ERANGE, "integer out of range: \"%s\"", s);
        if (end == s || *end != '\0')
            return db_fail(DB_ETYPE, "invalid input syntax for type "
                           "integer: \"%.40s\"", s);
        return DB_OK;
    case TYPE_REAL:
        *v = (Value){.type = VALUE_REAL, .r = strtod(s, &end)};
        if (end == s || *end != '\0' || isnan(v->r))
            return db_fail(DB_ETYPE, "invalid input syntax for type real: "
                           "\"%.40s\"", s);
        return DB_OK;
    case TYPE_BOOLEAN: {
        static const char *const yes[] = {"t", "true", "yes", "on", "1"};
        static const char *const no[] = {"f", "false", "no", "off", "0"};
        for (int i = 0; i < 5; i++) {
            if (strcasecmp(s, yes[i]) == 0 || strcasecmp(s, no[i]) == 0) {
                *v = (Value){.type = VALUE_BOOLEAN,
                             .b = strcasecmp(s, yes[i]) == 0};
                return DB_OK;
            }
        }
        return db_fail(DB_ETYPE, "invalid input syntax for type boolean: "
                       "\"%.40s\"", s);
    }
    }
    return db_fail(DB_ETYPE, "a column of unknown type");
}

/* Inserts the row of record R into DEF's table. */
static DbStatus insert_record(Db *db, const TableDef *def, Record *r,
                              Value *values)
{
    if (r->n_fields > def->n_columns)
        return db_fail(DB_ESYNTAX, "extra data after last expected column");
    if (r->n_fields < def->n_columns)
        return db_fail(DB_ESYNTAX, "missing data for column \"%s\"",
                       def->columns[r->n_fields].name);
    /* Each field gets a NUL after it: the fields move apart by one byte
     * each, last first, into room made at the end. */
    for (uint32_t i = 0; i < r->n_fields; i++)
        if (!push_char(r, '\0'))
            return db_fail(DB_ENOMEM, "out of memory");
    for (uint32_t i = r->n_fields; i-- > 0;) {
        Field *f = &r->fields[i];
        memmove(r->text + f->start + i, r->text + f->start, f->len);
        f->start += i;
        r->text[f->start + f->len] = '\0';
    }
    for (uint32_t c = 0; c < def->n_columns; c++) {
        const Field *f = &r->fields[c];
        DbStatus rc = field_value(def->columns[c].type, r->text + f->start,
                                  f, &values[c]);
        if (rc == DB_OK)
            rc = exec_coerce(def, c, &values[c], 0);
        if (rc != DB_OK)
            return db_fail(rc, "column %s: %s", def->columns[c].name,
                           db_errmsg());
    }
    DbStatus rc = exec_insert_row(db, def, values);
    if (rc == DB_EDUPKEY)
        return db_fail(rc, "%s (%s)", db_errmsg(), db_errdetail());
    return rc;
}

/* Splits ARGS, "TABLE FROM 'FILE' [CSV] [HEADER]", into its parts, in
 * BUF (as long as ARGS). */
static DbStatus parse_args(const char *args, char *buf, char **table,
                           char **path, bool *header)
{
    strcpy(buf, args);
    char *p = buf;
    *table = p;
    p += strcspn(p, " \t");
    if (*p == '\0')
        goto usage;
    *p++ = '\0';
    p += strspn(p, " \t");
    if (strncasecmp(p, "from", 4) != 0 || (p[4] != ' ' && p[4] != '\t'))
        goto usage;
    p += 4 + strspn(p + 4, " \t");
    if (*p == '\'') {
        *path = ++p;
        char *q = strchr(p, '\'');
        if (q == NULL)
            goto usage;
        *q = '\0';
        p = q + 1;
    } else {
        *path = p;
        p += strcspn(p, " \t");
        if (*p != '\0')
            *p++ = '\0';
    }
    *header = false;
    for (;;) {
        p += strspn(p, " \t");
        if (*p == '\0')
            break;
        size_t n = strcspn(p, " \t");
        if (n == 3 && strncasecmp(p, "csv", 3) == 0)
            ;
        else if (n == 6 && strncasecmp(p, "header", 6) == 0)
            *header = true;
        else
            goto usage;
        p += n;
    }
    if (**table != '\0' && **path != '\0')
        return DB_OK;
usage:
    return db_fail(DB_ESYNTAX, "usage: \\copy TABLE FROM 'FILE' [CSV] "
                   "[HEADER]");
}

/* Commits the batch of BATCH_ROWS rows, durably; sets *UNSURE when the
 * commit's own write or sync failed, which leaves the batch's fate to
 * the next open's recovery. */
/* Keeps the progress line, if there is one, at ROWS. */
static void show_progress(FILE *progress, uint64_t rows)
{
    if (progress != NULL) {
        fprintf(progress, "\rcopied %" PRIu64 " rows", rows);
        fflush(progress);
    }
}

static DbStatus commit_batch(Db *db, FILE *progress, CopyResult *result,
                             uint64_t *batch_rows, bool *unsure)
{
    DbStatus rc = db_commit(db);
    if (rc != DB_OK) {
        *unsure = *batch_rows > 0;
        return rc;
    }
    if (*batch_rows == 0)
        return DB_OK; /* an empty transaction: nothing was written */
    result->rows += *batch_rows;
    result->batches++;
    *batch_rows = 0;
    show_progress(progress, result->rows);
    return DB_OK;
}

/* book: begin copy */
DbStatus copy_command(Db *db, const char *args, uint32_t batch_pages,
                      FILE *progress, CopyResult *result)
{
    *result = (CopyResult){0};
    char *buf = malloc(strlen(args) + 1), *table = NULL, *path = NULL;
    bool header = false;
    if (buf == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    DbStatus rc = parse_args(args, buf, &table, &path, &header);
    const TableDef *def = NULL;
    if (rc == DB_OK) {
        int len;
        const char *more = catalog_quote(table, &len);
        rc = catalog_find(db_catalog(db), table, &def);
        if (rc == DB_ENOTFOUND)
            rc = db_fail(rc, "relation \"%.*s%s\" does not exist", len,
                         table, more);
        else if (rc == DB_OK && def->is_system)
            rc = db_fail(DB_EUNSUPPORTED, "permission denied: \"%s\" is a "
                         "system catalog", table);
    }
    /* Not a device, which could hand out bytes without end. */
    struct stat st;
    if (rc == DB_OK && stat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
        !S_ISFIFO(st.st_mode))
        rc = db_fail(DB_EIO, "cannot copy from '%s': it is not a file",
                     path);
    Reader *rd = rc == DB_OK ? calloc(1, sizeof *rd) : NULL;
    if (rc == DB_OK && rd == NULL)
        rc = db_fail(DB_ENOMEM, "out of memory");
    int err = rc == DB_OK ? os_open_reading(path, &rd->file) : 0;
    if (err != 0)
        rc = db_fail(DB_EIO, "cannot open '%s': %s", path, strerror(err));
    if (rc == DB_OK && pager_holds_file(db_pager(db), rd->file))
        rc = db_fail(DB_EIO, "cannot copy from '%s': it is the database "
                     "itself, or its log", path);
    if (rc != DB_OK) {
        if (rd != NULL && rd->file != NULL)
            os_close(rd->file);
        free(rd);
        free(buf);
        return rc;
    }

    Record r = {0};
    Value *values = malloc(def->n_columns * sizeof *values);
    uint64_t batch_rows = 0, batch_start = 1, row_line = 0;
    bool more = true, unsure = false;
    rc = values ? db_begin(db) : db_fail(DB_ENOMEM, "out of memory");
    if (rc == DB_OK && header)
        rc = read_record(rd, &r, &more);
    while (rc == DB_OK) {
        rc = read_record(rd, &r, &more);
        if (rc != DB_OK || !more)
            break;
        if (r.n_fields == 1 && r.fields[0].len == 0 && !r.fields[0].quoted)
            continue; /* an empty line */
        rc = insert_record(db, def, &r, values);
        if (rc == DB_OK)
            row_line = r.line;
        if (rc == DB_OK && ++batch_rows % COPY_PROGRESS_ROWS == 0)
            show_progress(progress, result->rows + batch_rows);
        if (rc == DB_OK &&
            pager_txn_pages(db_pager(db)) >= batch_pages) {
            rc = commit_batch(db, progress, result, &batch_rows, &unsure);
            if (rc == DB_OK) {
                rc = db_begin(db);
                batch_start = rd->line + 1;
            }
        }
    }
    if (rc == DB_OK) /* the last batch; with no rows, nothing is written */
        rc = commit_batch(db, progress, result, &batch_rows, &unsure);
    if (progress != NULL && result->batches > 0)
        fprintf(progress, "\n");
    if (rc != DB_OK) {
        /* (DEF is forgotten by the rollback: the name comes from ARGS.) */
        db_rollback(db);
        if (unsure)
            rc = db_fail(rc, "COPY %s, line %" PRIu64 ": %s; the %" PRIu64
                         " rows before line %" PRIu64 " stay, and lines %"
                         PRIu64 " to %" PRIu64 " are there if their commit "
                         "reached the disk: the next open recovers it",
                         table, r.line, db_errmsg(), result->rows,
                         batch_start, batch_start, row_line);
        else if (result->rows == 0)
            rc = db_fail(rc, "COPY %s, line %" PRIu64 ": %s; nothing was "
                         "copied", table, r.line, db_errmsg());
        else
            rc = db_fail(rc, "COPY %s, line %" PRIu64 ": %s; the %" PRIu64
                         " rows before line %" PRIu64 " stay, the lines "
                         "from there were rolled back", table, r.line,
                         db_errmsg(), result->rows, batch_start);
    }
    free(values);
    free(r.text);
    free(r.fields);
    os_close(rd->file);
    free(rd);
    free(buf);
    return rc;
}
/* book: end copy */
