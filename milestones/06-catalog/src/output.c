/*
 * output.c - printing results: psql's aligned table, or CSV.
 *
 * Owns: how values look on the terminal, column widths, the footer and
 * command tags, and CSV quoting.
 * Does not: run statements (exec.c does) or read input (shell.c does).
 *
 * Aligned output needs every row before the first line, to know each
 * column's width, so it keeps the result's texts until output_finish, as
 * psql does. CSV prints each row as it comes: a result of any size goes
 * through in bounded memory.
 */
#include "output.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* R as SQLite prints it: 15 significant digits, and a point even in a
 * whole number ("40.0", "1.0e+20"), so that a real never reads as an
 * integer. */
static uint32_t real_text(double r, char buf[OUTPUT_NUMBER_MAX])
{
    if (isinf(r))
        return (uint32_t)snprintf(buf, OUTPUT_NUMBER_MAX, r < 0 ? "-Inf"
                                                                : "Inf");
    if (r == 0)
        r = 0; /* -0.0 prints as 0.0 */
    int n = snprintf(buf, OUTPUT_NUMBER_MAX, "%.15g", r);
    char *e = strchr(buf, 'e');
    if (strchr(buf, '.') != NULL)
        return (uint32_t)n;
    if (e == NULL)
        return (uint32_t)(n + snprintf(buf + n, OUTPUT_NUMBER_MAX - n,
                                       ".0"));
    memmove(e + 2, e, strlen(e) + 1); /* 1e+20 -> 1.0e+20 */
    e[0] = '.';
    e[1] = '0';
    return (uint32_t)n + 2;
}

/* "00" to "99", for two digits per division. */
static const char DIGIT_PAIRS[] = "00010203040506070809"
                                  "10111213141516171819"
                                  "20212223242526272829"
                                  "30313233343536373839"
                                  "40414243444546474849"
                                  "50515253545556575859"
                                  "60616263646566676869"
                                  "70717273747576777879"
                                  "80818283848586878889"
                                  "90919293949596979899";

/* I in decimal, as "%" PRId64 prints it, written backward from the end
 * of BUF (snprintf costs more than the rest of a row's output). Returns
 * where the digits start, and their number in *len. */
static const char *integer_text(int64_t i, char buf[OUTPUT_NUMBER_MAX],
                                uint32_t *len)
{
    char *end = buf + OUTPUT_NUMBER_MAX - 1, *s = end;
    *end = '\0';
    /* The magnitude, unsigned: -INT64_MIN does not fit in an int64_t. */
    uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
    for (; u >= 100; u /= 100) {
        s -= 2;
        memcpy(s, &DIGIT_PAIRS[2 * (u % 100)], 2);
    }
    if (u >= 10) {
        s -= 2;
        memcpy(s, &DIGIT_PAIRS[2 * u], 2);
    } else {
        *--s = (char)('0' + u);
    }
    if (i < 0)
        *--s = '-';
    *len = (uint32_t)(end - s);
    return s;
}

const char *output_value_text(const Value *v, char *buf, uint32_t *len)
{
    switch (v->type) {
    case VALUE_NULL:
        *len = 0;
        return "";
    case VALUE_INTEGER:
        return integer_text(v->i, buf, len);
    case VALUE_REAL:
        *len = real_text(v->r, buf);
        return buf;
    case VALUE_TEXT:
        *len = v->text.n;
        return v->text.s;
    case VALUE_BOOLEAN:
        *len = 1;
        return v->b ? "t" : "f";
    }
    *len = 0;
    return "";
}

/* --- CSV --------------------------------------------------------------- */

/* A line of CSV on its way out: gathered here and written in one call,
 * not in one call per field and comma. */
typedef struct CsvLine {
    FILE *out;
    size_t used;
    char bytes[4096];
} CsvLine;

/* (Not an initializer: that would zero all of BYTES for every row.) */
static void line_start(CsvLine *line, FILE *out)
{
    line->out = out;
    line->used = 0;
}

static void line_flush(CsvLine *line)
{
    if (line->used > 0)
        fwrite(line->bytes, 1, line->used, line->out);
    line->used = 0;
}

/* N bytes of S; more than the line holds go straight through. */
static void line_put(CsvLine *line, const char *s, size_t n)
{
    if (line->used + n > sizeof line->bytes) {
        line_flush(line);
        if (n > sizeof line->bytes) {
            fwrite(s, 1, n, line->out);
            return;
        }
    }
    memcpy(line->bytes + line->used, s, n);
    line->used += n;
}

static void line_putc(CsvLine *line, char c)
{
    if (line->used == sizeof line->bytes)
        line_flush(line);
    line->bytes[line->used++] = c;
}

/* book: begin csv-field */
/* One field, quoted when it must be (RFC 4180): when it holds a comma,
 * a quote or a line break, and when it is the empty string, so that an
 * empty field can mean NULL. */
static void csv_field(CsvLine *line, const char *s, uint32_t len,
                      bool is_null)
{
    if (is_null)
        return;
    bool quote = len == 0;
    for (uint32_t i = 0; i < len && !quote; i++) {
        unsigned char c = (unsigned char)s[i];
        /* (',' is the highest of the four: most bytes pass one test.) */
        quote = c <= ',' && (c == ',' || c == '"' || c == '\n' || c == '\r');
    }
    if (!quote) {
        line_put(line, s, len);
        return;
    }
    line_putc(line, '"');
    for (uint32_t i = 0; i < len; i++) {
        if (s[i] == '"')
            line_putc(line, '"');
        line_putc(line, s[i]);
    }
    line_putc(line, '"');
}
/* book: end csv-field */

static DbStatus csv_columns(void *ctx, uint32_t n, const char *const *names,
                            const ColumnType *types)
{
    (void)types;
    Output *o = ctx;
    o->n_columns = n;
    if (o->tuples_only)
        return DB_OK;
    CsvLine line;
    line_start(&line, o->out);
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0)
            line_putc(&line, ',');
        csv_field(&line, names[i], (uint32_t)strlen(names[i]), false);
    }
    line_putc(&line, '\n');
    line_flush(&line);
    return DB_OK;
}

static DbStatus csv_row(void *ctx, const Value *values)
{
    Output *o = ctx;
    CsvLine line;
    line_start(&line, o->out);
    for (uint32_t i = 0; i < o->n_columns; i++) {
        char buf[OUTPUT_NUMBER_MAX];
        uint32_t len;
        const char *s = output_value_text(&values[i], buf, &len);
        if (i > 0)
            line_putc(&line, ',');
        /* A number's text never needs quotes. */
        if (values[i].type == VALUE_INTEGER || values[i].type == VALUE_REAL)
            line_put(&line, s, len);
        else
            csv_field(&line, s, len, values[i].type == VALUE_NULL);
    }
    line_putc(&line, '\n');
    line_flush(&line);
    return ferror(o->out) ? db_fail(DB_EIO, "writing the result failed")
                          : DB_OK;
}

/* --- aligned ----------------------------------------------------------- */

static char *copy_text(const char *s, uint32_t len)
{
    char *t = malloc((size_t)len + 1);
    if (t != NULL) {
        memcpy(t, s, len);
        t[len] = '\0';
    }
    return t;
}

static DbStatus aligned_columns(void *ctx, uint32_t n,
                                const char *const *names,
                                const ColumnType *types)
{
    Output *o = ctx;
    output_discard(o);
    o->names = calloc(n ? n : 1, sizeof *o->names);
    o->right = calloc(n ? n : 1, sizeof *o->right);
    if (o->names == NULL || o->right == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    o->n_columns = n;
    for (uint32_t i = 0; i < n; i++) {
        o->names[i] = copy_text(names[i], (uint32_t)strlen(names[i]));
        if (o->names[i] == NULL)
            return db_fail(DB_ENOMEM, "out of memory");
        o->right[i] = types[i] == TYPE_INTEGER || types[i] == TYPE_REAL;
    }
    return DB_OK;
}

static DbStatus aligned_row(void *ctx, const Value *values)
{
    Output *o = ctx;
    if (o->n_rows == o->cap_rows) {
        uint64_t cap = o->cap_rows ? 2 * o->cap_rows : 64;
        char **grown = realloc(o->cells, cap * o->n_columns *
                                             sizeof *grown);
        if (grown == NULL && o->n_columns > 0)
            return db_fail(DB_ENOMEM, "out of memory: the result is too "
                           "large to align; try --csv");
        o->cells = grown;
        o->cap_rows = cap;
    }
    char **row = o->cells + o->n_rows * o->n_columns;
    for (uint32_t i = 0; i < o->n_columns; i++) {
        row[i] = NULL;
        if (values[i].type == VALUE_NULL)
            continue;
        char buf[OUTPUT_NUMBER_MAX];
        uint32_t len;
        const char *s = output_value_text(&values[i], buf, &len);
        row[i] = copy_text(s, len);
        if (row[i] == NULL) {
            o->n_rows++; /* so that output_discard frees this row too */
            return db_fail(DB_ENOMEM, "out of memory");
        }
    }
    o->n_rows++;
    return DB_OK;
}

/* The width of TEXT on a terminal, one column per UTF-8 character; the
 * widest line when it has several. */
static uint32_t text_width(const char *text)
{
    uint32_t widest = 0, width = 0;
    for (const char *s = text; *s; s++) {
        if (*s == '\n') {
            width = 0;
            continue;
        }
        if (((unsigned char)*s & 0xc0) != 0x80)
            width++;
        if (width > widest)
            widest = width;
    }
    return widest;
}

static void pad(FILE *out, uint32_t n)
{
    while (n-- > 0)
        putc(' ', out);
}

/* Prints one cell of a line: TEXT (LEN bytes, W columns) in a column of
 * WIDTH, after the separator if it is not the first. A cell whose text
 * goes on in the next line ends with '+' where the space would be. */
static void print_cell(Output *o, uint32_t c, const char *text, uint32_t len,
                       uint32_t w, uint32_t width, bool continues)
{
    bool last = c + 1 == o->n_columns;
    fputs(c == 0 ? " " : "| ", o->out);
    if (o->right[c])
        pad(o->out, width - w);
    fwrite(text, 1, len, o->out);
    if (!o->right[c] && (!last || continues))
        pad(o->out, width - w);
    if (continues)
        putc('+', o->out);
    else if (!last)
        putc(' ', o->out);
}

/* Prints line LINE of every cell of ROW (a cell of several lines shows
 * them one under the other, as psql does). Returns true if any cell has
 * a line after this one. */
static bool print_line(Output *o, char **row, const uint32_t *widths,
                       uint32_t line)
{
    bool more = false;
    for (uint32_t c = 0; c < o->n_columns; c++) {
        const char *s = row[c] ? row[c] : "";
        for (uint32_t i = 0; i < line && s; i++) {
            s = strchr(s, '\n');
            s = s ? s + 1 : NULL;
        }
        uint32_t len = 0, w = 0;
        bool continues = false;
        if (s) {
            const char *end = strchr(s, '\n');
            len = end ? (uint32_t)(end - s) : (uint32_t)strlen(s);
            continues = end != NULL;
            for (uint32_t i = 0; i < len; i++)
                w += ((unsigned char)s[i] & 0xc0) != 0x80;
        }
        print_cell(o, c, s ? s : "", len, w, widths[c], continues);
        more |= continues;
    }
    putc('\n', o->out);
    return more;
}

static void print_aligned(Output *o)
{
    uint32_t *widths = calloc(o->n_columns ? o->n_columns : 1,
                              sizeof *widths);
    if (widths == NULL)
        return;
    for (uint32_t c = 0; c < o->n_columns; c++) {
        widths[c] = text_width(o->names[c]);
        for (uint64_t r = 0; r < o->n_rows; r++) {
            const char *s = o->cells[r * o->n_columns + c];
            uint32_t w = s ? text_width(s) : 0;
            if (w > widths[c])
                widths[c] = w;
        }
    }
    if (o->title != NULL) {
        uint32_t total = 0;
        for (uint32_t c = 0; c < o->n_columns; c++)
            total += widths[c] + 3;
        uint32_t w = text_width(o->title);
        pad(o->out, total > w + 1 ? (total - 1 - w) / 2 : 0);
        fprintf(o->out, "%s\n", o->title);
    }
    if (!o->tuples_only) {
        /* The header: each name centred over its column. */
        for (uint32_t c = 0; c < o->n_columns; c++) {
            uint32_t w = text_width(o->names[c]);
            fputs(c == 0 ? " " : "| ", o->out);
            pad(o->out, (widths[c] - w) / 2);
            fputs(o->names[c], o->out);
            if (c + 1 < o->n_columns)
                pad(o->out, widths[c] - w - (widths[c] - w) / 2 + 1);
        }
        putc('\n', o->out);
        for (uint32_t c = 0; c < o->n_columns; c++) {
            if (c > 0)
                putc('+', o->out);
            for (uint32_t i = 0; i < widths[c] + 2; i++)
                putc('-', o->out);
        }
        putc('\n', o->out);
    }
    for (uint64_t r = 0; r < o->n_rows; r++) {
        char **row = o->cells + r * o->n_columns;
        for (uint32_t line = 0; print_line(o, row, widths, line); line++)
            ;
    }
    if (!o->tuples_only && !o->no_footer)
        fprintf(o->out, "(%" PRIu64 " row%s)\n\n", o->n_rows,
                o->n_rows == 1 ? "" : "s");
    free(widths);
}

/* --- both -------------------------------------------------------------- */

void output_init(Output *o, FILE *file, OutputFormat format,
                 bool tuples_only, bool quiet)
{
    *o = (Output){.out = file, .format = format, .tuples_only = tuples_only,
                  .quiet = quiet};
    o->sink.ctx = o;
    o->sink.columns = format == OUTPUT_CSV ? csv_columns : aligned_columns;
    o->sink.row = format == OUTPUT_CSV ? csv_row : aligned_row;
}

void output_discard(Output *o)
{
    for (uint64_t i = 0; i < o->n_rows * o->n_columns; i++)
        free(o->cells[i]);
    for (uint32_t i = 0; o->names && i < o->n_columns; i++)
        free(o->names[i]);
    free(o->cells);
    free(o->names);
    free(o->right);
    o->cells = NULL;
    o->names = NULL;
    o->right = NULL;
    o->n_rows = o->cap_rows = 0;
    o->n_columns = 0;
}

DbStatus output_finish(Output *o, const ExecResult *result)
{
    if (result->has_rows) {
        if (o->format == OUTPUT_ALIGNED)
            print_aligned(o);
    } else if (!o->quiet) {
        fprintf(o->out, "%s\n", result->tag);
    }
    output_discard(o);
    fflush(o->out);
    return ferror(o->out) ? db_fail(DB_EIO, "writing the result failed")
                          : DB_OK;
}
