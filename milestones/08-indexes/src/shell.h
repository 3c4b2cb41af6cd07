/*
 * shell.h - the psql-like shell: SQL statements ended by ';', backslash
 * commands, results aligned or as CSV, errors with the place they are
 * about.
 */
#ifndef SHELL_H
#define SHELL_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "lineread.h"
#include "output.h"

typedef struct ShellOptions {
    OutputFormat format;
    bool tuples_only;      /* -t */
    bool quiet;            /* -q */
    bool stop_on_error;    /* -c and -f: stop at the first error */
    uint32_t batch_pages;  /* --batch-pages: a \copy batch's pages */
} ShellOptions;

typedef struct Shell Shell;

/* A shell on DB. DB_ENOMEM. */
DbStatus shell_open(Db *db, const ShellOptions *options, Shell **out);
void shell_close(Shell *shell);

/* Runs the statements and backslash commands of TEXT (LEN bytes), line
 * by line, as if typed; a statement left without its ';' at the end of
 * TEXT runs too, as psql does at the end of a file. Returns false after
 * an error when the options say to stop there, or after \q. */
bool shell_run_text(Shell *shell, const char *text, size_t len);

/* Reads the lines of READER (standard input, with a prompt, and line
 * editing on a terminal) until \q or the end of input. Ctrl-C drops
 * the statement typed so far. Returns false if any statement failed
 * and the options say to stop there. */
bool shell_repl(Shell *shell, LineReader *reader);

/* True once any statement or command has failed. */
bool shell_failed(const Shell *shell);

#endif
