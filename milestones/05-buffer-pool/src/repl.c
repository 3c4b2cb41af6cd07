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

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "import.h"
#include "statement.h"

#define PROMPT "db > "
#define SPACE " \t\r\n\v\f" /* the statement parser's white space */

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
           "  .checkpoint                write committed pages to the file\n"
           "  .constants                 print the page layout constants\n"
           "  .exit                      save and close the database "
           "(Ctrl-D too)\n"
           "  .freelist                  list the pages waiting for reuse\n"
           "  .help                      print this help\n"
           "  .import FILE               load id,username,email rows\n"
           "  .memory                    print the peak memory so far\n"
           "  .page N                    print page N's header and slots\n"
           "  .pages                     list every page with its space\n"
           "  .pool                      print the buffer pool's frames\n"
           "  .stats                     print the buffer pool's counters\n"
           "  .wal                       print the state of the log\n",
           (unsigned long)UINT32_MAX, ROW_USERNAME_MAX, ROW_EMAIL_MAX);
}

static void print_log(Table *table)
{
    PagerLogInfo info;
    pager_log_info(table->pager, &info);
    /* A generation without a commit may hold spilled pages and aborts. */
    if (info.log.bytes == 0) {
        printf("log: %s (empty: every committed change is in the file)\n",
               info.path);
    } else {
        printf("log: %s\n", info.path);
        printf("bytes: %llu\n", (unsigned long long)info.log.bytes);
        const WalStats *log = &info.log;
        printf("records: %llu (%llu page image%s, %llu commit%s",
               (unsigned long long)(log->page_records + log->commits +
                                    log->aborts),
               (unsigned long long)log->page_records,
               log->page_records == 1 ? "" : "s",
               (unsigned long long)log->commits,
               log->commits == 1 ? "" : "s");
        if (log->aborts > 0)
            printf(", %llu abort%s", (unsigned long long)log->aborts,
                   log->aborts == 1 ? "" : "s");
        printf(")\n");
        printf("pages ahead of the file: %u\n", info.pages_ahead);
    }
    printf("last committed transaction: %llu\n",
           (unsigned long long)info.last_txn);
}

static void print_stats(Table *table)
{
    BufPool *pool = pager_pool(table->pager);
    BufPoolStats st;
    bufpool_stats(pool, &st);
    uint64_t pins = st.hits + st.misses;
    printf("buffer pool: %u frames, %s\n", bufpool_size(pool),
           bufpool_policy(pool));
    printf("hits: %llu\n", (unsigned long long)st.hits);
    printf("misses: %llu\n", (unsigned long long)st.misses);
    printf("hit ratio: %.1f%%\n", pins ? 100.0 * (double)st.hits /
                                             (double)pins : 0.0);
    printf("evictions: %llu\n", (unsigned long long)st.evictions);
    printf("dirty write-backs: %llu\n", (unsigned long long)st.write_backs);
    printf("pages read: %llu\n", (unsigned long long)st.reads);
    printf("pages written: %llu\n", (unsigned long long)st.writes);
    printf("pages spilled to the log: %llu\n", (unsigned long long)st.spills);
}

static void print_pool(Table *table)
{
    BufPool *pool = pager_pool(table->pager);
    printf("buffer pool: %u frames, %s\n", bufpool_size(pool),
           bufpool_policy(pool));
    bufpool_print(pool, stdout);
}

/* The most memory this process has held, as the system counts it: the
 * VmHWM line of /proc/self/status where there is one (Linux), else
 * getrusage's ru_maxrss, which on Linux also counts the memory of the
 * program that started strata (it is carried across fork and exec). */
static void print_memory(void)
{
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

/* The one line that says what recovery did, when there was a log. */
static void print_recovery(Table *table)
{
    PagerLogInfo info;
    pager_log_info(table->pager, &info);
    const WalRecovery *r = &info.recovery;
    if (!r->found)
        return;
    printf("Recovered %s: replayed %llu transaction%s, dropped %llu "
           "byte%s", info.path, (unsigned long long)r->replayed,
           r->replayed == 1 ? "" : "s", (unsigned long long)r->dropped_bytes,
           r->dropped_bytes == 1 ? "" : "s");
    if (r->reason[0] != '\0')
        printf(" (%s)", r->reason);
    printf(".\n");
}

static void do_checkpoint(Table *table)
{
    PagerLogInfo info; /* before: did the log hold anything? */
    pager_log_info(table->pager, &info);
    DbStatus rc = table_checkpoint(table);
    if (rc != DB_OK)
        printf("Error: %s\n", db_errmsg());
    else if (info.log.commits == 0)
        printf("Checkpoint: nothing to do.\n");
    else
        printf("Checkpoint: the file holds every committed change; the log "
               "starts over.\n");
}

static void do_import(Table *table, uint32_t batch_pages, const char *path)
{
    ImportResult result;
    FILE *progress = isatty(STDOUT_FILENO) ? stdout : NULL;
    if (import_csv(table, path, batch_pages, progress, &result) != DB_OK)
        printf("Error: %s\n", db_errmsg());
    else
        printf("Imported %llu rows in %llu commit%s.\n",
               (unsigned long long)result.rows,
               (unsigned long long)result.batches,
               result.batches == 1 ? "" : "s");
}

/* Prints what a meta command could not do, as the statements do. */
static void report(DbStatus rc)
{
    if (rc != DB_OK)
        printf("Error: %s\n", db_errmsg());
}

/* LINE starts with a dot: its first word names the command, in any case
 * (".EXIT" is ".exit"), and the rest is the command's argument. */
static MetaResult do_meta_command(const char *line, Table *table,
                                  uint32_t batch_pages)
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
    } else if (bare && statement_is_keyword(line, len, ".checkpoint")) {
        do_checkpoint(table);
    } else if (bare && statement_is_keyword(line, len, ".constants")) {
        print_constants();
    } else if (bare && statement_is_keyword(line, len, ".freelist")) {
        report(table_print_free_list(table, stdout));
    } else if (bare && statement_is_keyword(line, len, ".help")) {
        print_help();
    } else if (statement_is_keyword(line, len, ".import")) {
        if (bare)
            printf("Usage: .import FILE\n");
        else
            do_import(table, batch_pages, arg);
    } else if (bare && statement_is_keyword(line, len, ".wal")) {
        print_log(table);
    } else if (bare && statement_is_keyword(line, len, ".memory")) {
        print_memory();
    } else if (bare && statement_is_keyword(line, len, ".pool")) {
        print_pool(table);
    } else if (bare && statement_is_keyword(line, len, ".stats")) {
        print_stats(table);
    } else if (bare && statement_is_keyword(line, len, ".pages")) {
        report(table_print_pages(table, stdout));
    } else if (statement_is_keyword(line, len, ".page")) {
        char *end;
        unsigned long page_num = strtoul(arg, &end, 10);
        if (!isdigit((unsigned char)*arg) || *end != '\0' ||
            page_num > UINT32_MAX)
            printf("Usage: .page N\n");
        else
            report(table_print_page(table, (uint32_t)page_num, stdout));
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

void repl_run(Table *table, uint32_t batch_pages, LineReader *reader)
{
    print_recovery(table);
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
            if (do_meta_command(line, table, batch_pages) == META_EXIT)
                break;
        } else {
            drop_semicolons(line);
            if (line[0] != '\0')
                do_statement(line, table);
        }
        /* Between lines nothing may stay pinned in the buffer pool. */
        uint32_t pinned = bufpool_pinned(pager_pool(table->pager));
        if (pinned != 0)
            printf("Error: %u page%s left pinned by this line (a bug in "
                   "strata).\n", pinned, pinned == 1 ? " was" : "s were");
    }
}
