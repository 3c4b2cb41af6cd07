/*
 * lineread.h - reading lines of input (placeholder until r-repl lands).
 */
#ifndef LINEREAD_H
#define LINEREAD_H

#include <stdbool.h>
#include <stddef.h>

typedef struct LineReader LineReader;

LineReader *lineread_open(bool interactive);
const char *lineread_line(LineReader *reader, const char *prompt,
                          size_t *len);
void lineread_close(LineReader *reader);

#endif
