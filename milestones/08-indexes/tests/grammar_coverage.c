/*
 * grammar_coverage.c - how much of the grammar the tests' SQL reaches:
 * parses every statement of the files it is given with a parser built
 * with -DYYCOVERAGE, then prints Lemon's report (each state and
 * lookahead token the grammar allows, "ok" if a statement used it,
 * "missed" if none did) and a last line: N of M reached.
 *
 * Built and run by `make grammar-coverage`, over the SQL that
 * tests/sql_corpus.py takes from the suites.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tokenize.h"

#ifndef YYCOVERAGE
#error "build with -DYYCOVERAGE, as make grammar-coverage does"
#endif

/* Lemon's report, in the parser built with -DYYCOVERAGE: a line per
 * (state, lookahead) pair to OUT; returns how many were missed. */
int sql_parserCoverage(FILE *out);

static char *read_file(const char *name, long *size)
{
    FILE *f = fopen(name, "rb");
    char *text = NULL;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (*size = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (text = malloc(*size + 1)) != NULL &&
        fread(text, 1, (size_t)*size, f) != (size_t)*size) {
        free(text);
        text = NULL;
    }
    if (f != NULL)
        fclose(f);
    return text;
}

int main(int argc, char **argv)
{
    unsigned long statements = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        long size;
        char *sql = read_file(argv[i], &size);
        if (sql == NULL) {
            fprintf(stderr, "grammar_coverage: cannot read %s\n", argv[i]);
            return 1;
        }
        for (uint32_t at = 0; at < (uint32_t)size;) {
            bool complete;
            uint32_t n = tokenize_statement(sql + at, (uint32_t)size - at,
                                            &complete);
            if (!tokenize_is_blank(sql + at, n)) {
                Parse p;
                tokenize_parse(&p, sql + at, n);
                statements++;
                failed += p.rc != DB_OK;
                ast_free_stmt(p.stmt);
            }
            at += n;
        }
        free(sql);
    }
    if (statements == 0) {
        fprintf(stderr, "grammar_coverage: no statement in the files\n");
        return 1;
    }
    /* The report goes to memory first: its lines are the pairs. */
    char *report;
    size_t report_len;
    FILE *out = open_memstream(&report, &report_len);
    if (out == NULL) {
        fprintf(stderr, "grammar_coverage: out of memory\n");
        return 1;
    }
    int missed = sql_parserCoverage(out);
    fclose(out);
    unsigned long pairs = 0;
    for (size_t i = 0; i < report_len; i++)
        pairs += report[i] == '\n';
    fwrite(report, 1, report_len, stdout);
    free(report);
    printf("grammar coverage: %lu of %lu (state, lookahead) pairs reached "
           "(%.1f%%), by %lu statements (%lu of them refused) from %d "
           "files\n", pairs - (unsigned long)missed, pairs,
           100.0 * (double)(pairs - (unsigned long)missed) / (double)pairs,
           statements, failed, argc - 1);
    return 0;
}
