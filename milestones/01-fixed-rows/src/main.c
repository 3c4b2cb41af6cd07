/*
 * main.c - the strata program: reads the command line, opens the
 * database it names, runs the REPL, and saves the database on the way out.
 *
 *   strata [--help] [--version] [--] FILE
 *
 * Exit status 0 when the database was saved (or after --help and
 * --version), 1 when it could not be opened or saved, 2 when the command
 * line was wrong.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lineread.h"
#include "repl.h"
#include "table.h"

#define HISTORY_FILE ".strata_history" /* in the home directory */

#define USAGE "Usage: strata [--help] [--version] FILE\n"

static void print_help(void)
{
    printf(USAGE
           "Opens the Strata database FILE, creating it if it does not "
           "exist, and runs\n"
           "the statements typed at its prompt (.help there lists them).\n"
           "\n"
           "  --help      print this help and exit\n"
           "  --version   print the milestone and its file format, and "
           "exit\n");
}

static void print_version(void)
{
    printf("strata %s, file format %d\n", STRATA_MILESTONE,
           PAGER_FORMAT_VERSION);
    printf("line editing: %s\n", lineread_kind());
}

/* A mistake on the command line: what it is, then the usage. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "strata: %s '%s'\n" USAGE, what, arg);
    return 2;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    int options = 1; /* 0 after "--": the rest are file names */
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (options && strcmp(arg, "--") == 0) {
            options = 0;
        } else if (options && strcmp(arg, "--help") == 0) {
            print_help();
            return 0;
        } else if (options && strcmp(arg, "--version") == 0) {
            print_version();
            return 0;
        } else if (options && arg[0] == '-' && arg[1] != '\0') {
            return usage_error("unknown option", arg);
        } else if (path != NULL) {
            return usage_error("unexpected argument", arg);
        } else {
            path = arg;
        }
    }
    if (path == NULL) {
        fprintf(stderr, "Must supply a database filename.\n");
        return 1;
    }

    /* A reader that goes away (strata f.db | head) must not kill us
     * before the table is saved: let the write fail instead. */
    signal(SIGPIPE, SIG_IGN);

    Table *table;
    if (table_open(path, &table) != DB_OK) {
        fprintf(stderr, "Error: %s\n", db_errmsg());
        return 1;
    }
    LineReader *reader = lineread_open(HISTORY_FILE);
    if (reader == NULL) {
        fprintf(stderr, "Error: out of memory\n");
        table_close(table);
        return 1;
    }
    if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
        printf("Strata %s. Enter .help for usage.\n", STRATA_MILESTONE);

    repl_run(table, reader);

    /* Closed after the save, so that a Ctrl-C cannot stop the save. */
    DbStatus rc = table_close(table);
    lineread_close(reader);
    if (rc != DB_OK) {
        fflush(stdout);
        fprintf(stderr, "Error: %s\n", db_errmsg());
        return 1;
    }
    return 0;
}
