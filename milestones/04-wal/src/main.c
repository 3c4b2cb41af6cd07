/*
 * main.c - the strata program: opens the database named on the command
 * line, runs the REPL, and saves the database on the way out.
 *
 *   strata FILE
 *
 * Exit status 0 when the database was saved, 1 when it could not be
 * opened or saved.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "repl.h"
#include "table.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "Must supply a database filename.\n");
        return 1;
    }
    if (argc > 2) {
        fprintf(stderr, "Usage: strata FILE\n");
        return 1;
    }

    /* A reader that goes away (strata f.db | head) must not kill us
     * before the table is saved: let the write fail instead. */
    signal(SIGPIPE, SIG_IGN);

    Table *table;
    if (table_open(argv[1], &table) != DB_OK) {
        fprintf(stderr, "Error: %s\n", db_errmsg());
        return 1;
    }
    if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
        printf("Strata %s. Enter .help for usage.\n", STRATA_MILESTONE);

    repl_run(table);

    if (table_close(table) != DB_OK) {
        fflush(stdout);
        fprintf(stderr, "Error: %s\n", db_errmsg());
        return 1;
    }
    return 0;
}
