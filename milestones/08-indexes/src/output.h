/*
 * output.h - results printed as psql prints them: aligned in columns, or
 * as CSV for scripts.
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "exec.h"

typedef enum OutputFormat {
    OUTPUT_ALIGNED,   /* header, separator, rows, "(N rows)" */
    OUTPUT_CSV,       /* RFC 4180: a header line, then one line per row */
} OutputFormat;

typedef struct Output {
    FILE *out;
    OutputFormat format;
    bool tuples_only;     /* -t: no header, no "(N rows)" footer */
    bool quiet;           /* -q: no command tags */
    const char *title;    /* a line centred above an aligned table */
    bool no_footer;       /* no "(N rows)" (\d) */
    /* The result being printed: its columns, and for aligned output
     * its rows (which it needs, every width known, before it prints the
     * first); CSV prints each row as it comes. */
    uint32_t n_columns;
    char **names;
    bool *right;          /* numbers are aligned right */
    char **cells;         /* n_rows * n_columns texts; NULL: SQL NULL */
    uint64_t n_rows, cap_rows;
    RowSink sink;         /* what exec writes to */
} Output;

/* Prepares OUT to print results to FILE in FORMAT. */
void output_init(Output *out, FILE *file, OutputFormat format,
                 bool tuples_only, bool quiet);

/* Prints what was collected since the last call: the rows of a query
 * (aligned output waits for this), or the statement's command tag
 * ("INSERT 0 3") when it returned no rows. */
DbStatus output_finish(Output *out, const ExecResult *result);

/* Frees whatever a statement left unprinted (after an error). */
void output_discard(Output *out);

/* The text of a value as the shell shows it; REAL as SQLite prints it
 * (value_format_real). Into BUF of OUTPUT_NUMBER_MAX bytes for numbers;
 * a text value's bytes are returned as they are. */
#define OUTPUT_NUMBER_MAX 32
const char *output_value_text(const Value *v, char *buf, uint32_t *len);

#endif
