/*
 * shell.c - the shell a psql user knows: statements that end with ';'
 * (over several lines, or several on a line), backslash commands, results
 * and errors as psql prints them.
 *
 * Owns: the prompt, collecting lines into statements, backslash commands
 * (one table of them, which \? prints), and how an error points at the
 * place in the statement it is about.
 * Does not: parse or run SQL (exec.c does), or format a result (output.c
 * does).
 */
#include "shell.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "btree.h"
#include "copy.h"
#include "exec.h"
#include "lineread.h"
#include "tokenize.h"

#define PROMPT "strata=> "
#define PROMPT_MORE "strata-> "   /* inside a statement not yet ended */

/* A line wider than this is shown in part around the error's place, as
 * psql shows it. */
#define ERROR_LINE_MAX 60
#define ERROR_RIGHT_CUT 10

struct Shell {
    Db *db;
    ShellOptions options;
    Output output;
    char *buffer;          /* the statement being typed, not yet ended */
    size_t len, cap;
    bool timing;
    bool failed;
    bool quit;
};

bool shell_failed(const Shell *shell)
{
    return shell->failed;
}

/* --- errors ------------------------------------------------------------- */

/* Columns on a terminal: one per UTF-8 character. */
static uint32_t width(const char *s, size_t n)
{
    uint32_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xc0) != 0x80;
    return w;
}

/* book: begin print-error */
/* Prints DB's error about the statement SQL (LEN bytes) as psql does:
 *
 *   ERROR:  syntax error at or near "FORM"
 *   LINE 1: SELECT * FORM t;
 *                    ^
 */
static void print_error(Shell *shell, const char *sql, size_t len)
{
    const DbError *e = db_error(shell->db);
    fflush(stdout);
    fprintf(stderr, "ERROR:  %s\n", e->message ? e->message
                                               : "out of memory");
    if (e->pos >= 0 && (size_t)e->pos <= len) {
        size_t pos = (size_t)e->pos, start = pos, end = pos;
        uint32_t line_no = 1;
        for (size_t i = 0; i < pos; i++)
            line_no += sql[i] == '\n';
        while (start > 0 && sql[start - 1] != '\n')
            start--;
        while (end < len && sql[end] != '\n')
            end++;
        /* A line too wide is shown in part, "..." where it is cut, with
         * the caret at least ERROR_RIGHT_CUT columns from its end. */
        const char *cut_front = "", *cut_back = "";
        if (width(sql + start, end - start) > ERROR_LINE_MAX) {
            /* A byte at a time, the width kept as it goes: measuring
             * the rest anew at each byte took time quadratic in the
             * line (a 300 KB line, minutes). */
            uint32_t w = width(sql + start, pos - start);
            while (w > ERROR_LINE_MAX - ERROR_RIGHT_CUT) {
                w -= ((unsigned char)sql[start] & 0xc0) != 0x80;
                start++;
                cut_front = "...";
            }
            w = width(sql + start, end - start);
            while (w > ERROR_LINE_MAX) {
                end--;
                w -= ((unsigned char)sql[end] & 0xc0) != 0x80;
                cut_back = "...";
            }
            /* Not in the middle of a character. */
            while (start < pos &&
                   ((unsigned char)sql[start] & 0xc0) == 0x80)
                start++;
            while (end > pos && ((unsigned char)sql[end] & 0xc0) == 0x80)
                end--;
        }
        char prefix[32];
        int n = snprintf(prefix, sizeof prefix, "LINE %" PRIu32 ": %s",
                         line_no, cut_front);
        fprintf(stderr, "%s%.*s%s\n", prefix, (int)(end - start),
                sql + start, cut_back);
        fprintf(stderr, "%*s^\n", n + (int)width(sql + start, pos - start),
                "");
    }
    if (e->detail != NULL)
        fprintf(stderr, "DETAIL:  %s\n", e->detail);
    fflush(stderr);
    shell->failed = true;
}
/* book: end print-error */

/* An error of a backslash command: the reason is in db_errmsg(). */
static void command_error(Shell *shell, DbStatus rc)
{
    db_set_error(shell->db, rc);
    print_error(shell, "", 0);
}

/* --- statements --------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void run_statement(Shell *shell, const char *sql, size_t len)
{
    /* The statement starts at its first word, so that LINE 1 of an
     * error is the line it starts on. */
    while (len > 0 && strchr(" \t\r\n\f\v", *sql) != NULL) {
        sql++;
        len--;
    }
    if (tokenize_is_blank(sql, (uint32_t)len))
        return;
    if (len > UINT32_MAX) {
        db_fail(DB_ETOOLONG, "a statement of %zu bytes is too long", len);
        command_error(shell, DB_ETOOLONG);
        return;
    }
    double start = now_ms();
    ExecResult result;
    DbStatus rc = exec_sql(shell->db, sql, (uint32_t)len,
                           &shell->output.sink, &result);
    if (rc != DB_OK) {
        output_discard(&shell->output);
        print_error(shell, sql, len);
    } else {
        if (result.notice[0] != '\0') {
            fflush(stdout);
            fprintf(stderr, "NOTICE:  %s\n", result.notice);
            fflush(stderr);
        }
        if (output_finish(&shell->output, &result) != DB_OK)
            command_error(shell, DB_EIO);
    }
    if (shell->timing)
        printf("Time: %.3f ms\n", now_ms() - start);
    fflush(stdout);
}

/* Runs every statement the buffer holds whole; keeps the rest. With
 * AT_END, the rest is a statement too (the input has ended). */
static void run_buffer(Shell *shell, bool at_end)
{
    size_t done = 0;
    while (done < shell->len && !(shell->failed &&
                                  shell->options.stop_on_error)) {
        bool complete;
        size_t rest = shell->len - done;
        uint32_t n = tokenize_statement(shell->buffer + done,
                                        rest > UINT32_MAX ? UINT32_MAX
                                                          : (uint32_t)rest,
                                        &complete);
        if (!complete && !at_end)
            break;
        run_statement(shell, shell->buffer + done, n);
        done += n;
    }
    if (shell->failed && shell->options.stop_on_error)
        done = shell->len;
    if (done == 0)
        return; /* nothing ran: the buffer, perhaps none yet, stays */
    memmove(shell->buffer, shell->buffer + done, shell->len - done);
    shell->len -= done;
}

static bool append(Shell *shell, const char *line, size_t len)
{
    if (shell->len + len + 2 > shell->cap) {
        size_t cap = shell->cap ? shell->cap : 256;
        while (cap < shell->len + len + 2)
            cap *= 2;
        char *grown = realloc(shell->buffer, cap);
        if (grown == NULL)
            return false;
        shell->buffer = grown;
        shell->cap = cap;
    }
    memcpy(shell->buffer + shell->len, line, len);
    shell->len += len;
    shell->buffer[shell->len++] = '\n';
    return true;
}

static bool buffer_blank(const Shell *shell)
{
    return shell->len == 0 ||
           tokenize_is_blank(shell->buffer, shell->len > UINT32_MAX
                                                ? UINT32_MAX
                                                : (uint32_t)shell->len);
}

/* --- backslash commands ------------------------------------------------- */

static void print_table_of(Shell *shell, const char *title, uint32_t n,
                           const char *const *names,
                           const ColumnType *types, const Value *rows,
                           uint32_t n_rows, bool footer)
{
    Output o;
    output_init(&o, stdout, OUTPUT_ALIGNED, false, true);
    o.title = title;
    o.no_footer = !footer;
    DbStatus rc = o.sink.columns(&o, n, names, types);
    for (uint32_t r = 0; rc == DB_OK && r < n_rows; r++)
        rc = o.sink.row(&o, rows + (size_t)r * n);
    ExecResult result = {.has_rows = true};
    if (rc == DB_OK)
        output_finish(&o, &result);
    else
        command_error(shell, rc);
    output_discard(&o);
}

typedef struct TableList {
    bool system;
    Value *rows;
    uint32_t n, cap;
    char (*roots)[24];
} TableList;

static DbStatus list_table(void *ctx, const TableDef *def)
{
    TableList *list = ctx;
    if (def->is_system && !list->system)
        return DB_OK;
    if (list->n == list->cap) {
        uint32_t cap = list->cap ? 2 * list->cap : 16;
        Value *rows = realloc(list->rows, cap * 3 * sizeof *rows);
        if (rows == NULL)
            return db_fail(DB_ENOMEM, "out of memory");
        list->rows = rows;
        list->cap = cap;
    }
    Value *row = list->rows + (size_t)list->n * 3;
    row[0] = (Value){.type = VALUE_TEXT,
                     .text = {def->name, (uint32_t)strlen(def->name)}};
    const char *kind = def->is_system ? "catalog" : "table";
    row[1] = (Value){.type = VALUE_TEXT,
                     .text = {kind, (uint32_t)strlen(kind)}};
    row[2] = (Value){.type = VALUE_INTEGER, .i = def->root};
    list->n++;
    return DB_OK;
}

/* \dt: the tables, as the catalog's rows list them. */
static void cmd_tables(Shell *shell, const char *args, bool system)
{
    (void)args;
    TableList list = {.system = system};
    DbStatus rc = catalog_each_table(db_catalog(shell->db), list_table,
                                     &list);
    static const char *const names[] = {"name", "type", "root_page"};
    static const ColumnType types[] = {TYPE_TEXT, TYPE_TEXT, TYPE_INTEGER};
    if (rc != DB_OK)
        command_error(shell, rc);
    else if (list.n == 0)
        printf("Did not find any tables.\n");
    else
        print_table_of(shell, "List of tables", 3, names, types,
                       list.rows, list.n, true);
    free(list.rows);
}

/* V as SQL would write it ('it''s', true, 1.5), in a new string. */
static char *literal(const Value *v)
{
    char number[OUTPUT_NUMBER_MAX];
    uint32_t len;
    const char *text = output_value_text(v, number, &len);
    char *out = malloc(2 * (size_t)len + 8);
    if (out == NULL)
        return NULL;
    if (v->type == VALUE_BOOLEAN) {
        strcpy(out, v->b ? "true" : "false");
    } else if (v->type == VALUE_TEXT) {
        size_t n = 0;
        out[n++] = '\'';
        for (uint32_t i = 0; i < len; i++) {
            if (text[i] == '\'')
                out[n++] = '\'';
            out[n++] = text[i];
        }
        out[n++] = '\'';
        out[n] = '\0';
    } else {
        memcpy(out, text, len);
        out[len] = '\0';
    }
    return out;
}

/* What psql says of a relation NAME that \d or \btree cannot find. */
static void not_found(const char *name)
{
    int len;
    const char *more = catalog_quote(name, &len);
    printf("Did not find any relation named \"%.*s%s\".\n", len, name,
           more);
}

/* \d NAME: a table's columns, from the catalog. */
static void cmd_describe(Shell *shell, const char *args, bool system)
{
    if (args[0] == '\0') {
        cmd_tables(shell, args, system);
        return;
    }
    const TableDef *def;
    DbStatus rc = catalog_find(db_catalog(shell->db), args, &def);
    if (rc == DB_ENOTFOUND) {
        not_found(args);
        return;
    }
    if (rc != DB_OK) {
        command_error(shell, rc);
        return;
    }
    uint32_t n = def->n_columns;
    Value *rows = calloc((size_t)n * 4, sizeof *rows);
    char (*types)[48] = malloc(n * sizeof *types);
    char **defaults = calloc(n ? n : 1, sizeof *defaults);
    if (rows == NULL || types == NULL || defaults == NULL) {
        command_error(shell, db_fail(DB_ENOMEM, "out of memory"));
        n = 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        const Column *c = &def->columns[i];
        Value *row = rows + (size_t)i * 4;
        const char *type = catalog_type_name(c, types[i]);
        row[0] = (Value){.type = VALUE_TEXT,
                         .text = {c->name, (uint32_t)strlen(c->name)}};
        row[1] = (Value){.type = VALUE_TEXT,
                         .text = {type, (uint32_t)strlen(type)}};
        const char *nullable = c->not_null ? "not null" : "";
        row[2] = (Value){.type = VALUE_TEXT,
                         .text = {nullable, (uint32_t)strlen(nullable)}};
        row[3] = (Value){.type = VALUE_NULL};
        if (c->has_default) {
            defaults[i] = literal(&c->default_value);
            if (defaults[i] == NULL)
                continue;
            row[3] = (Value){.type = VALUE_TEXT,
                             .text = {defaults[i],
                                      (uint32_t)strlen(defaults[i])}};
        }
    }
    if (n > 0) {
        static const char *const names[] = {"Column", "Type", "Nullable",
                                            "Default"};
        static const ColumnType ctypes[] = {TYPE_TEXT, TYPE_TEXT, TYPE_TEXT,
                                            TYPE_TEXT};
        char title[CATALOG_NAME_MAX + 16];
        snprintf(title, sizeof title, "Table \"%s\"", def->name);
        print_table_of(shell, title, 4, names, ctypes, rows, n, false);
        if (def->rowid_column >= 0)
            printf("Row id: %s (INTEGER PRIMARY KEY)\n",
                   def->columns[def->rowid_column].name);
        else
            printf("Row id: hidden (rowid)\n");
        printf("Root page: %" PRIu32 "\n\n", def->root);
    }
    for (uint32_t i = 0; defaults != NULL && i < n; i++)
        free(defaults[i]);
    free(rows);
    free(types);
    free(defaults);
}

static void cmd_dt(Shell *shell, const char *args)
{
    cmd_tables(shell, args, false);
}

static void cmd_dts(Shell *shell, const char *args)
{
    cmd_tables(shell, args, true);
}

static void cmd_d(Shell *shell, const char *args)
{
    cmd_describe(shell, args, false);
}

static void cmd_btree(Shell *shell, const char *args)
{
    const TableDef *def;
    Btree *tree;
    DbStatus rc = catalog_find(db_catalog(shell->db), args, &def);
    if (rc == DB_ENOTFOUND) {
        not_found(args);
        return;
    }
    if (rc == DB_OK)
        rc = btree_open(db_pager(shell->db), def->root, &tree);
    if (rc == DB_OK) {
        rc = btree_print(tree, stdout);
        btree_close(tree);
    }
    if (rc != DB_OK)
        command_error(shell, rc);
}

static void cmd_check(Shell *shell, const char *args)
{
    (void)args;
    DbStatus rc = db_check(shell->db);
    if (rc == DB_OK)
        printf("ok\n");
    else
        command_error(shell, rc);
}

static void cmd_checkpoint(Shell *shell, const char *args)
{
    (void)args;
    PagerLogInfo info; /* before: did the log hold anything? */
    pager_log_info(db_pager(shell->db), &info);
    DbStatus rc = pager_checkpoint(db_pager(shell->db));
    if (rc != DB_OK)
        command_error(shell, rc);
    else if (info.log.commits == 0)
        printf("Checkpoint: nothing to do.\n");
    else
        printf("Checkpoint: the file holds every committed change; the log "
               "starts over.\n");
}

static void cmd_copy(Shell *shell, const char *args)
{
    CopyResult result;
    FILE *progress = isatty(STDOUT_FILENO) ? stdout : NULL;
    DbStatus rc = copy_command(shell->db, args, shell->options.batch_pages,
                               progress, &result);
    if (rc != DB_OK)
        command_error(shell, rc);
    else if (!shell->options.quiet)
        printf("COPY %" PRIu64 "\n", result.rows);
}

static void cmd_echo(Shell *shell, const char *args)
{
    (void)shell;
    printf("%s\n", args);
}

typedef struct FreeListPrinter {
    uint32_t n_pages;
} FreeListPrinter;

static DbStatus print_free_page(void *ctx, uint32_t page_num)
{
    FreeListPrinter *printer = ctx;
    printf(" %" PRIu32, page_num);
    printer->n_pages++;
    return DB_OK;
}

static void cmd_freelist(Shell *shell, const char *args)
{
    (void)args;
    FreeListPrinter printer = {0};
    printf("Free pages:");
    DbStatus rc = pager_walk_free_list(db_pager(shell->db), print_free_page,
                                       &printer);
    printf("%s\n", printer.n_pages == 0 && rc == DB_OK ? " none" : "");
    if (rc != DB_OK)
        command_error(shell, rc);
}

/* The most memory this process has held, as the system counts it: the
 * VmHWM line of /proc/self/status where there is one (Linux), else
 * getrusage's ru_maxrss, which on Linux also counts the memory of the
 * program that started strata (it is carried across fork and exec). */
static void cmd_memory(Shell *shell, const char *args)
{
    (void)shell;
    (void)args;
    long kib = -1;
    FILE *status = fopen("/proc/self/status", "r");
    if (status != NULL) {
        char line[256];
        while (kib < 0 && fgets(line, sizeof line, status) != NULL)
            if (sscanf(line, "VmHWM: %ld kB", &kib) != 1)
                kib = -1;
        fclose(status);
    }
    if (kib < 0) {
        struct rusage usage;
        getrusage(RUSAGE_SELF, &usage);
        kib = usage.ru_maxrss;
    }
    printf("peak memory: %ld KiB\n", kib);
}

static void cmd_page(Shell *shell, const char *args)
{
    char *end;
    unsigned long page_num = strtoul(args, &end, 10);
    if (args[0] < '0' || args[0] > '9' || *end != '\0' ||
        page_num > UINT32_MAX) {
        printf("Usage: \\page N\n");
        return;
    }
    DbStatus rc = db_print_page(shell->db, (uint32_t)page_num, stdout);
    if (rc != DB_OK)
        command_error(shell, rc);
}

static void cmd_pages(Shell *shell, const char *args)
{
    (void)args;
    DbStatus rc = db_print_pages(shell->db, stdout);
    if (rc != DB_OK)
        command_error(shell, rc);
}

static void cmd_pool(Shell *shell, const char *args)
{
    (void)args;
    BufPool *pool = pager_pool(db_pager(shell->db));
    printf("buffer pool: %" PRIu32 " frames, %s\n", bufpool_size(pool),
           bufpool_policy(pool));
    bufpool_print(pool, stdout);
}

static void cmd_quit(Shell *shell, const char *args)
{
    (void)args;
    shell->quit = true;
}

static void cmd_stats(Shell *shell, const char *args)
{
    (void)args;
    BufPool *pool = pager_pool(db_pager(shell->db));
    BufPoolStats st;
    bufpool_stats(pool, &st);
    uint64_t pins = st.hits + st.misses;
    printf("buffer pool: %" PRIu32 " frames, %s\n", bufpool_size(pool),
           bufpool_policy(pool));
    printf("hits: %" PRIu64 "\n", st.hits);
    printf("misses: %" PRIu64 "\n", st.misses);
    printf("hit ratio: %.1f%%\n", pins ? 100.0 * (double)st.hits /
                                             (double)pins : 0.0);
    printf("evictions: %" PRIu64 "\n", st.evictions);
    printf("dirty write-backs: %" PRIu64 "\n", st.write_backs);
    printf("pages read: %" PRIu64 "\n", st.reads);
    printf("pages written: %" PRIu64 "\n", st.writes);
    printf("pages spilled to the log: %" PRIu64 "\n", st.spills);
}

static void cmd_timing(Shell *shell, const char *args)
{
    if (strcasecmp(args, "on") == 0)
        shell->timing = true;
    else if (strcasecmp(args, "off") == 0)
        shell->timing = false;
    else if (args[0] == '\0')
        shell->timing = !shell->timing;
    else {
        printf("Usage: \\timing [on|off]\n");
        return;
    }
    printf("Timing is %s.\n", shell->timing ? "on" : "off");
}

static void cmd_wal(Shell *shell, const char *args)
{
    (void)args;
    PagerLogInfo info;
    pager_log_info(db_pager(shell->db), &info);
    /* A generation without a commit may hold spilled pages and aborts. */
    if (info.log.bytes == 0) {
        printf("log: %s (empty: every committed change is in the file)\n",
               info.path);
    } else {
        printf("log: %s\n", info.path);
        printf("bytes: %" PRIu64 "\n", info.log.bytes);
        const WalStats *log = &info.log;
        printf("records: %" PRIu64 " (%" PRIu64 " page image%s, %" PRIu64
               " commit%s", log->page_records + log->commits + log->aborts,
               log->page_records, log->page_records == 1 ? "" : "s",
               log->commits, log->commits == 1 ? "" : "s");
        if (log->aborts > 0)
            printf(", %" PRIu64 " abort%s", log->aborts,
                   log->aborts == 1 ? "" : "s");
        printf(")\n");
        printf("pages ahead of the file: %" PRIu32 "\n", info.pages_ahead);
    }
    printf("last committed transaction: %" PRIu64 "\n", info.last_txn);
}

static void cmd_help(Shell *shell, const char *args);

/* book: begin commands */
static const struct Command {
    const char *name;
    const char *args;
    const char *help;      /* NULL: not listed (a variant of another) */
    void (*run)(Shell *shell, const char *args);
} COMMANDS[] = {
    {"?", "", "list these commands", cmd_help},
    {"btree", "TABLE", "print TABLE's B+tree, one node a line", cmd_btree},
    {"check", "", "check every invariant of the file", cmd_check},
    {"checkpoint", "", "write committed pages into the file",
     cmd_checkpoint},
    {"copy", "TABLE FROM 'FILE' [CSV] [HEADER]",
     "load rows from a CSV file, in batched commits", cmd_copy},
    {"d", "[TABLE]", "describe TABLE; without one, list the tables", cmd_d},
    {"dt", "", "list the tables (\\dtS: with the catalog's own)", cmd_dt},
    {"dtS", "", NULL, cmd_dts},
    {"echo", "TEXT", "print TEXT", cmd_echo},
    {"freelist", "", "list the pages waiting for reuse", cmd_freelist},
    {"memory", "", "print the peak memory so far", cmd_memory},
    {"page", "N", "print page N's header and cells", cmd_page},
    {"pages", "", "list every page: type, cells, free bytes, table",
     cmd_pages},
    {"pool", "", "print the buffer pool's frames", cmd_pool},
    {"q", "", "quit", cmd_quit},
    {"stats", "", "print the buffer pool's counters", cmd_stats},
    {"timing", "[on|off]", "show how long each statement takes",
     cmd_timing},
    {"wal", "", "print the state of the log", cmd_wal},
};
/* book: end commands */
#define N_COMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static void cmd_help(Shell *shell, const char *args)
{
    (void)shell;
    (void)args;
    printf("SQL statements end with ';' (several on a line, or one over "
           "several lines):\n"
           "  CREATE TABLE, DROP TABLE, INSERT, SELECT, UPDATE, DELETE\n"
           "Backslash commands:\n");
    int widest = 0;
    for (size_t i = 0; i < N_COMMANDS; i++) {
        int w = (int)(strlen(COMMANDS[i].name) + strlen(COMMANDS[i].args));
        if (COMMANDS[i].help != NULL && w > widest)
            widest = w;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (COMMANDS[i].help == NULL)
            continue;
        char usage[64];
        snprintf(usage, sizeof usage, "\\%s %s", COMMANDS[i].name,
                 COMMANDS[i].args);
        printf("  %-*s  %s\n", widest + 2, usage, COMMANDS[i].help);
    }
}

static void run_command(Shell *shell, const char *line)
{
    const char *name = line + 1;
    size_t name_len = strcspn(name, " \t");
    const char *args = name + name_len;
    args += strspn(args, " \t");
    char *arg_copy = malloc(strlen(args) + 1);
    if (arg_copy == NULL) {
        command_error(shell, db_fail(DB_ENOMEM, "out of memory"));
        return;
    }
    strcpy(arg_copy, args);
    size_t n = strlen(arg_copy);
    while (n > 0 && strchr(" \t\r", arg_copy[n - 1]) != NULL)
        arg_copy[--n] = '\0';
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strlen(COMMANDS[i].name) == name_len &&
            memcmp(COMMANDS[i].name, name, name_len) == 0) {
            COMMANDS[i].run(shell, arg_copy);
            free(arg_copy);
            return;
        }
    }
    free(arg_copy);
    fflush(stdout);
    fprintf(stderr, "invalid command \\%.*s\nTry \\? for help.\n",
            (int)(name_len > 40 ? 40 : name_len), name);
    fflush(stderr);
    shell->failed = true;
}

/* --- lines -------------------------------------------------------------- */

/* One line of input, as typed (no newline at its end). */
static void take_line(Shell *shell, const char *line, size_t len)
{
    const char *text = line + strspn(line, " \t");
    if (buffer_blank(shell) && text[0] == '\\') {
        shell->len = 0;
        run_command(shell, text);
        return;
    }
    if (memchr(line, '\0', len) != NULL) {
        fflush(stdout);
        fprintf(stderr, "ERROR:  the line contains a NUL byte; it was "
                "ignored\n");
        fflush(stderr);
        shell->failed = true;
        return;
    }
    if (!append(shell, line, len)) {
        command_error(shell, db_fail(DB_ENOMEM, "out of memory"));
        return;
    }
    /* What the buffer held before this line is no whole statement, and
     * a line with no ';' cannot end it (a ';' inside a quote or comment
     * stays inside, whatever follows): scanning the statement again at
     * each such line took time quadratic in its length (a 1 MiB text
     * of 70,000 lines, hours). */
    if (memchr(line, ';', len) != NULL)
        run_buffer(shell, false);
}

static bool should_stop(const Shell *shell)
{
    return shell->quit || (shell->failed && shell->options.stop_on_error);
}

bool shell_run_text(Shell *shell, const char *text, size_t len)
{
    size_t at = 0;
    while (at < len && !should_stop(shell)) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - text) - at : len - at;
        char *line = malloc(n + 1);
        if (line == NULL) {
            command_error(shell, db_fail(DB_ENOMEM, "out of memory"));
            break;
        }
        memcpy(line, text + at, n);
        line[n] = '\0';
        take_line(shell, line, n);
        free(line);
        at += n + 1;
    }
    if (!should_stop(shell))
        run_buffer(shell, true);
    shell->len = 0;
    return !(shell->failed && shell->options.stop_on_error);
}

/* The one line that says what recovery did, when there was a log. */
static void print_recovery(Shell *shell)
{
    PagerLogInfo info;
    pager_log_info(db_pager(shell->db), &info);
    const WalRecovery *r = &info.recovery;
    if (!r->found)
        return;
    printf("Recovered %s: replayed %" PRIu64 " transaction%s, dropped %"
           PRIu64 " byte%s", info.path, r->replayed,
           r->replayed == 1 ? "" : "s", r->dropped_bytes,
           r->dropped_bytes == 1 ? "" : "s");
    if (r->reason[0] != '\0')
        printf(" (%s)", r->reason);
    printf(".\n");
}

bool shell_repl(Shell *shell, LineReader *reader)
{
    print_recovery(shell);
    while (!should_stop(shell)) {
        char *line;
        size_t len;
        const char *prompt = buffer_blank(shell) ? PROMPT : PROMPT_MORE;
        LineStatus status = lineread_read(reader, prompt, &line, &len);
        if (status == LINE_END)
            break;
        if (status == LINE_CANCELLED) {
            /* Ctrl-C drops the statement typed so far, as in psql. */
            shell->len = 0;
            continue;
        }
        if (memchr(line, '\0', len) == NULL &&
            line[strspn(line, " \t\r")] != '\0')
            lineread_remember(reader, line);
        take_line(shell, line, len);
        /* Between statements nothing may stay pinned in the pool. */
        uint32_t pinned = bufpool_pinned(pager_pool(db_pager(shell->db)));
        if (pinned != 0)
            printf("ERROR:  %" PRIu32 " page%s left pinned by this line (a "
                   "bug in strata)\n", pinned,
                   pinned == 1 ? " was" : "s were");
    }
    /* Piped input that ends inside a statement: run it, as psql does. */
    if (!should_stop(shell) && !isatty(STDIN_FILENO))
        run_buffer(shell, true);
    return !(shell->failed && shell->options.stop_on_error);
}

DbStatus shell_open(Db *db, const ShellOptions *options, Shell **out)
{
    Shell *shell = calloc(1, sizeof *shell);
    if (shell == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    shell->db = db;
    shell->options = *options;
    output_init(&shell->output, stdout, options->format,
                options->tuples_only, options->quiet);
    *out = shell;
    return DB_OK;
}

void shell_close(Shell *shell)
{
    output_discard(&shell->output);
    free(shell->buffer);
    free(shell);
}
