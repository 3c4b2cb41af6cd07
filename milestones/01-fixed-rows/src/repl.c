/*
 * repl.c - the read-eval-print loop, and the meta commands that start
 * with a dot.
 *
 * Owns: the prompt, reading input lines, meta commands, and how errors
 * are shown to the user.
 * Does not: parse or run statements (statement.c does).
 */
#include "repl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "statement.h"

#define PROMPT "db > "

typedef enum MetaResult { META_CONTINUE, META_EXIT } MetaResult;

static void print_constants(void)
{
    printf("Constants:\n");
    printf("ROW_SIZE: %d\n", ROW_SIZE);
    printf("PAGE_SIZE: %d\n", PAGE_SIZE);
    printf("ROWS_PER_PAGE: %d\n", TABLE_ROWS_PER_PAGE);
    printf("TABLE_MAX_PAGES: %d\n", TABLE_MAX_PAGES);
    printf("TABLE_MAX_ROWS: %d\n", TABLE_MAX_ROWS);
}

static void print_help(void)
{
    printf("Statements:\n"
           "  insert ID USERNAME EMAIL   add a row\n"
           "  select                     print every row\n"
           "Meta commands:\n"
           "  .constants                 print the page layout constants\n"
           "  .exit                      save and close the database\n"
           "  .help                      print this help\n");
}

static MetaResult do_meta_command(const char *line)
{
    if (strcmp(line, ".exit") == 0)
        return META_EXIT;
    if (strcmp(line, ".constants") == 0)
        print_constants();
    else if (strcmp(line, ".help") == 0)
        print_help();
    else
        printf("Unrecognized command '%s'\n", line);
    return META_CONTINUE;
}

static void do_statement(const char *line, Table *table)
{
    Statement stmt;
    if (statement_prepare(line, &stmt) != DB_OK) {
        printf("%s\n", db_errmsg());
        return;
    }
    if (statement_execute(&stmt, table) != DB_OK) {
        printf("Error: %s\n", db_errmsg());
        return;
    }
    printf("Executed.\n");
}

/* Cuts LINE (of LEN bytes) down to its text: no white space (the
 * statement parser's kind) at either end. */
static char *trim(char *line, size_t len)
{
    while (len > 0 && strchr(" \t\r\n\v\f", line[len - 1]) != NULL)
        line[--len] = '\0';
    return line + strspn(line, " \t\r\n\v\f");
}

void repl_run(Table *table)
{
    int interactive = isatty(STDIN_FILENO);
    char *buffer = NULL;
    size_t capacity = 0;

    for (;;) {
        /* Flushed every time, so that whoever drives strata through a
         * pipe (a test, a script) sees each answer before sending more. */
        printf(PROMPT);
        fflush(stdout);
        ssize_t len = getline(&buffer, &capacity, stdin);
        if (len < 0) {
            if (interactive)
                printf("\n");
            break;
        }
        if (memchr(buffer, '\0', (size_t)len) != NULL) {
            /* C strings end at a NUL: the rest of the line would be
             * silently ignored, so refuse the line instead. */
            printf("Error: the line contains a NUL byte; it was ignored.\n");
            continue;
        }
        char *line = trim(buffer, (size_t)len);
        if (line[0] == '\0')
            continue;
        if (line[0] == '.') {
            if (do_meta_command(line) == META_EXIT)
                break;
            continue;
        }
        do_statement(line, table);
    }
    free(buffer);
}
