/*
 * repl.c - the read-eval-print loop, and the meta commands that start
 * with a dot.
 *
 * Owns: the prompt, reading input lines, meta commands, and how errors
 * are shown to the user.
 * Does not: parse or run statements (statement.c does).
 */
#include "repl.h"

#include <ctype.h>
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
    printf("PAGE_SIZE: %d\n", PAGE_SIZE);
    printf("PAGE_HEADER_SIZE: %d\n", PAGE_HEADER_SIZE);
    printf("PAGE_SLOT_SIZE: %d\n", PAGE_SLOT_SIZE);
    printf("PAGE_CAPACITY: %d\n", PAGE_CAPACITY);
    printf("LEAF_CELL_HEADER_SIZE: %d\n", LEAF_CELL_HEADER_SIZE);
    printf("ROW_MAX_SIZE: %d\n", ROW_MAX_SIZE);
    printf("INTERNAL_CELL_SIZE: %d\n", INTERNAL_CELL_SIZE);
    printf("INTERNAL_NODE_MAX_KEYS: %d\n", INTERNAL_NODE_MAX_KEYS);
    printf("NODE_MIN_FILL: %d\n", NODE_MIN_FILL);
}

static void print_help(void)
{
    printf("Statements:\n"
           "  insert ID USERNAME EMAIL   add a row\n"
           "  select                     print every row, in id order\n"
           "  select ID                  print one row\n"
           "  update ID USERNAME EMAIL   replace a row\n"
           "  delete ID                  remove a row\n"
           "Meta commands:\n"
           "  .btree                     print the B+tree, one node a line\n"
           "  .check                     check every invariant of the file\n"
           "  .constants                 print the page layout constants\n"
           "  .exit                      save and close the database\n"
           "  .freelist                  list the pages waiting for reuse\n"
           "  .help                      print this help\n"
           "  .page N                    print page N's header and slots\n"
           "  .pages                     list every page with its space\n");
}

/* Prints what a meta command could not do, as the statements do. */
static void report(DbStatus rc)
{
    if (rc != DB_OK)
        printf("Error: %s\n", db_errmsg());
}

static MetaResult do_meta_command(const char *line, Table *table)
{
    if (strcmp(line, ".exit") == 0)
        return META_EXIT;
    if (strcmp(line, ".btree") == 0) {
        report(btree_print(table->tree, stdout));
    } else if (strcmp(line, ".check") == 0) {
        DbStatus rc = table_check(table);
        printf("%s\n", rc == DB_OK ? "ok" : db_errmsg());
    } else if (strcmp(line, ".constants") == 0) {
        print_constants();
    } else if (strcmp(line, ".freelist") == 0) {
        report(table_print_free_list(table, stdout));
    } else if (strcmp(line, ".help") == 0) {
        print_help();
    } else if (strcmp(line, ".pages") == 0) {
        report(table_print_pages(table, stdout));
    } else if (strncmp(line, ".page", 5) == 0 &&
               (line[5] == ' ' || line[5] == '\0')) {
        const char *arg = line + 5 + strspn(line + 5, " ");
        char *end;
        unsigned long page_num = strtoul(arg, &end, 10);
        if (!isdigit((unsigned char)*arg) || *end != '\0' ||
            page_num > UINT32_MAX)
            printf("Usage: .page N\n");
        else
            report(table_print_page(table, (uint32_t)page_num, stdout));
    } else {
        printf("Unrecognized command '%s'\n", line);
    }
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
            if (do_meta_command(line, table) == META_EXIT)
                break;
            continue;
        }
        do_statement(line, table);
    }
    free(buffer);
}
