/*
 * repl.c - the read-eval-print loop, and the meta commands that start
 * with a dot.
 *
 * Owns: the prompt, what a line is (a meta command, a statement, or
 * nothing), meta commands, and how errors are shown to the user.
 * Does not: read the terminal (common/lineread.c does), or parse or run
 * statements (statement.c does).
 */
#include "repl.h"

#include <stdio.h>
#include <string.h>

#include "statement.h"

#define PROMPT "db > "
#define SPACE " \t\r\n\v\f" /* the statement parser's white space */

typedef enum MetaResult { META_CONTINUE, META_EXIT } MetaResult;

static void print_constants(void)
{
    printf("Constants:\n");
    printf("ROW_SIZE: %d\n", ROW_SIZE);
    printf("COMMON_NODE_HEADER_SIZE: %d\n", COMMON_NODE_HEADER_SIZE);
    printf("LEAF_NODE_HEADER_SIZE: %d\n", LEAF_NODE_HEADER_SIZE);
    printf("LEAF_NODE_CELL_SIZE: %d\n", LEAF_NODE_CELL_SIZE);
    printf("LEAF_NODE_SPACE_FOR_CELLS: %d\n", LEAF_NODE_SPACE_FOR_CELLS);
    printf("LEAF_NODE_MAX_CELLS: %d\n", LEAF_NODE_MAX_CELLS);
    printf("LEAF_NODE_MIN_CELLS: %d\n", LEAF_NODE_MIN_CELLS);
    printf("INTERNAL_NODE_HEADER_SIZE: %d\n", INTERNAL_NODE_HEADER_SIZE);
    printf("INTERNAL_NODE_CELL_SIZE: %d\n", INTERNAL_NODE_CELL_SIZE);
    printf("INTERNAL_NODE_MAX_KEYS: %d\n", INTERNAL_NODE_MAX_KEYS);
    printf("INTERNAL_NODE_MIN_KEYS: %d\n", INTERNAL_NODE_MIN_KEYS);
}

static void print_help(void)
{
    printf("Statements (keywords in any case; a ';' at the end is "
           "optional):\n"
           "  insert ID USERNAME EMAIL   add a row: ID from 1 to %lu,\n"
           "                             USERNAME up to %d bytes, EMAIL up "
           "to %d\n"
           "  select                     print every row, in id order\n"
           "  select ID                  print one row\n"
           "  update ID USERNAME EMAIL   replace a row\n"
           "  delete ID                  remove a row\n"
           "Meta commands:\n"
           "  .btree                     print the B+tree, one node a line\n"
           "  .check                     check every invariant of the file\n"
           "  .constants                 print the node layout constants\n"
           "  .exit                      save and close the database "
           "(Ctrl-D too)\n"
           "  .freelist                  list the pages waiting for reuse\n"
           "  .help                      print this help\n",
           (unsigned long)UINT32_MAX, ROW_USERNAME_MAX, ROW_EMAIL_MAX);
}

/* Prints what a meta command could not do, as the statements do. */
static void report(DbStatus rc)
{
    if (rc != DB_OK)
        printf("Error: %s\n", db_errmsg());
}

/* LINE starts with a dot: its first word names the command, in any case
 * (".EXIT" is ".exit"), and the rest is the command's argument. */
static MetaResult do_meta_command(const char *line, Table *table)
{
    size_t len = strcspn(line, SPACE);
    const char *arg = line + len + strspn(line + len, SPACE);
    int bare = arg[0] == '\0'; /* no argument */
    if (bare && statement_is_keyword(line, len, ".exit"))
        return META_EXIT;
    if (bare && statement_is_keyword(line, len, ".btree")) {
        report(btree_print(table->tree, stdout));
    } else if (bare && statement_is_keyword(line, len, ".check")) {
        DbStatus rc = table_check(table);
        printf("%s\n", rc == DB_OK ? "ok" : db_errmsg());
    } else if (bare && statement_is_keyword(line, len, ".constants")) {
        print_constants();
    } else if (bare && statement_is_keyword(line, len, ".freelist")) {
        report(table_print_free_list(table, stdout));
    } else if (bare && statement_is_keyword(line, len, ".help")) {
        print_help();
    } else {
        int quoted;
        const char *more = statement_quote(line, &quoted);
        printf("Unrecognized command '%.*s%s'\n", quoted, line, more);
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
    while (len > 0 && strchr(SPACE, line[len - 1]) != NULL)
        line[--len] = '\0';
    return line + strspn(line, SPACE);
}

/* A statement may end with ';', as in an SQL shell: drops it (and any
 * more, and the white space around them), so "select;" is select. */
static void drop_semicolons(char *line)
{
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == ';' ||
                       strchr(SPACE, line[len - 1]) != NULL))
        line[--len] = '\0';
}

void repl_run(Table *table, LineReader *reader)
{
    for (;;) {
        char *text;
        size_t len;
        LineStatus status = lineread_read(reader, PROMPT, &text, &len);
        if (status == LINE_END)
            break;
        if (status == LINE_CANCELLED)
            continue;
        if (memchr(text, '\0', len) != NULL) {
            /* C strings end at a NUL: the rest of the line would be
             * silently ignored, so refuse the line instead. */
            printf("Error: the line contains a NUL byte; it was ignored.\n");
            continue;
        }
        char *line = trim(text, len);
        if (line[0] == '\0')
            continue;
        lineread_remember(reader, line);
        if (line[0] == '.') {
            if (do_meta_command(line, table) == META_EXIT)
                break;
            continue;
        }
        drop_semicolons(line);
        if (line[0] != '\0')
            do_statement(line, table);
    }
}
