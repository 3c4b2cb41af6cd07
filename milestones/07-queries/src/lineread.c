/*
 * lineread.c - reading lines (placeholder until r-repl lands).
 */
#include "lineread.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

struct LineReader {
    bool interactive;
    char *buffer;
    size_t capacity;
};

LineReader *lineread_open(bool interactive)
{
    LineReader *r = calloc(1, sizeof *r);
    if (r != NULL)
        r->interactive = interactive;
    return r;
}

const char *lineread_line(LineReader *r, const char *prompt, size_t *len)
{
    fputs(prompt, stdout);
    fflush(stdout);
    ssize_t n = getline(&r->buffer, &r->capacity, stdin);
    if (n < 0) {
        if (r->interactive)
            putchar('\n');
        return NULL;
    }
    while (n > 0 && (r->buffer[n - 1] == '\n' || r->buffer[n - 1] == '\r'))
        r->buffer[--n] = '\0';
    *len = (size_t)n;
    return r->buffer;
}

void lineread_close(LineReader *r)
{
    free(r->buffer);
    free(r);
}
