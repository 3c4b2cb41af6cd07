/*
 * fuzz_sql.c - a libFuzzer target over SQL and everything behind it: the
 * tokenizer, the Lemon parser, name binding and execution.
 *
 * An input is SQL text. It is cut into statements by tokenize_statement,
 * as the shell cuts what is typed, and each statement runs through
 * exec_sql against a real database file, so that lookups, type checks,
 * inserts, updates, deletes and drops run too, not only the grammar.
 * An input with a line that starts with a backslash runs through the
 * shell instead (shell_run_text), which also prints errors with their
 * caret and runs the backslash commands (but for \copy, which reads a
 * file the input could name: such an input runs without the shell).
 * Every input starts from the same database (a few tables and rows, made
 * once and copied back before each input), so that a crashing input
 * replays on its own. Beside what the sanitizers catch, the target
 * aborts when any of these does not hold:
 *
 *   - a failed statement leaves its error in the Db: a message, and a
 *     position inside the statement or none;
 *   - a failed statement, and any query, changes nothing: every byte of
 *     every page reads the same before and after;
 *   - no page stays pinned after a statement;
 *   - a query gives each value its column's type (or NULL), and as many
 *     rows as its result counts;
 *   - after an input that changed the database, \check finds every page
 *     used exactly once.
 *
 * Through the shell, only the pins and \check are checked, after the
 * whole input.
 *
 * Built by `make fuzz` (clang -fsanitize=fuzzer,address,undefined, in
 * build/fuzz/); tests/run.py runs it for a bounded time.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec.h"
#include "output.h"
#include "shell.h"
#include "tokenize.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The database every input starts from: names a mutation can reach
 * (tests/sql_corpus.py puts them in the dictionary), every column type,
 * NULLs, defaults, a hidden row id, and a value in overflow pages. */
static const char *const SETUP[] = {
    "CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL DEFAULT 'none',"
    " r REAL, b BOOLEAN, s VARCHAR(5))",
    "INSERT INTO kv VALUES (1, 'one', 1.5, TRUE, 'abc'), (2, 'two', NULL, "
    "FALSE, NULL), (-3, '', -0.25, NULL, 'xy')",
    "CREATE TABLE notes (n INT, body TEXT, tag CHAR(2) NOT NULL)",
    "INSERT INTO notes VALUES (10, 'first', 'aa'), (NULL, NULL, 'bb')",
};
#define OVERFLOW_BYTES 9000   /* more than a leaf cell holds */
/* Rows added to kv, enough for internal pages: deletes then merge
 * leaves, and an update that grows rows splits them. */
#define KV_MORE_ROWS 400

#define WORK_PREFIX "strata-fuzz-"   /* + the process id */
static char work_dir[64];
static char db_file[96];
static char log_file[112];
static uint8_t *template_bytes;  /* the database file after SETUP */
static size_t template_size;
static FILE *devnull;

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fuzz_sql: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    abort();
}

/* --- the database's pages, to compare ---------------------------------- */

/* Every page of the database as a statement sees it (through the pool),
 * one after another: a statement that changes nothing leaves every byte
 * of every page as it was, but for the checksum in its last 4 bytes,
 * which the pager seals when it writes the page to the file and a frame
 * read back from the file has. */
typedef struct Pages {
    uint32_t n_pages, cap;
    uint8_t *bytes;        /* n_pages * PAGE_SIZE */
} Pages;

static const uint8_t *get_page(Db *db, uint32_t page_num)
{
    uint8_t *page;
    if (pager_get_page(db_pager(db), page_num, &page) != DB_OK)
        fail("reading page %u: %s", page_num, db_errmsg());
    return page;
}

static void take_pages(Db *db, Pages *pages)
{
    pages->n_pages = pager_page_count(db_pager(db));
    if (pages->n_pages > pages->cap) {
        pages->cap = pages->n_pages * 2;
        free(pages->bytes);
        pages->bytes = malloc((size_t)pages->cap * PAGE_SIZE);
        if (pages->bytes == NULL)
            fail("out of memory");
    }
    for (uint32_t i = 0; i < pages->n_pages; i++) {
        memcpy(pages->bytes + (size_t)i * PAGE_SIZE, get_page(db, i),
               PAGE_SIZE);
        pager_release(db_pager(db), i);
    }
}

/* The first page that differs from PAGES, or -1. */
static int64_t changed_page(Db *db, const Pages *pages)
{
    uint32_t n_pages = pager_page_count(db_pager(db));
    if (n_pages != pages->n_pages)
        return n_pages < pages->n_pages ? n_pages : pages->n_pages;
    for (uint32_t i = 0; i < n_pages; i++) {
        bool same = memcmp(pages->bytes + (size_t)i * PAGE_SIZE,
                           get_page(db, i), PAGE_USABLE_SIZE) == 0;
        pager_release(db_pager(db), i);
        if (!same)
            return i;
    }
    return -1;
}

/* --- a sink that checks what a query returns ------------------------- */

typedef struct Checked {
    RowSink *out;          /* where the rows go on to: output.c */
    uint32_t n_columns;
    ColumnType *types;
    uint64_t rows;
} Checked;

static DbStatus checked_columns(void *ctx, uint32_t n,
                                const char *const *names,
                                const ColumnType *types)
{
    Checked *c = ctx;
    for (uint32_t i = 0; i < n; i++)
        if (names[i] == NULL)
            fail("result column %u has no name", i);
    free(c->types);
    c->types = malloc((n + 1) * sizeof *c->types);
    if (c->types == NULL)
        fail("out of memory");
    memcpy(c->types, types, n * sizeof *types);
    c->n_columns = n;
    c->rows = 0;
    return c->out->columns(c->out->ctx, n, names, types);
}

static DbStatus checked_row(void *ctx, const Value *values)
{
    static const ValueType of_type[] = {
        [TYPE_INTEGER] = VALUE_INTEGER, [TYPE_REAL] = VALUE_REAL,
        [TYPE_TEXT] = VALUE_TEXT, [TYPE_BOOLEAN] = VALUE_BOOLEAN,
    };
    Checked *c = ctx;
    for (uint32_t i = 0; i < c->n_columns; i++) {
        const Value *v = &values[i];
        /* From 07 on a value's type is its own: a column's type is what
         * the binder knows of it (TYPE_ANY: nothing), and a number of
         * either kind may come in a numeric one (an integer that
         * overflows becomes a real). */
        bool number = v->type == VALUE_INTEGER || v->type == VALUE_REAL;
        bool numeric = c->types[i] == TYPE_INTEGER ||
                       c->types[i] == TYPE_REAL;
        if (c->types[i] == TYPE_ANY || (number && numeric))
            continue;
        if (v->type != VALUE_NULL && v->type != of_type[c->types[i]])
            fail("row %llu, column %u: a value of type %d in a column of "
                 "type %d", (unsigned long long)c->rows, i, (int)v->type,
                 (int)c->types[i]);
        if (v->type == VALUE_TEXT && v->text.n > 0 && v->text.s == NULL)
            fail("row %llu, column %u: a text without bytes",
                 (unsigned long long)c->rows, i);
    }
    c->rows++;
    return c->out->row(c->out->ctx, values);
}

/* --- statements --------------------------------------------------------- */

static bool is_blank(char c)
{
    return c != '\0' && strchr(" \t\r\n\f\v", c) != NULL;
}

/* What the database held before the statement about to run. */
typedef struct Before {
    bool known;            /* false after a change, until looked at */
    Pages pages;
    bool changed;          /* since the input began */
} Before;

static Before before;      /* of the input running; its pages' buffer is
                            * kept for the next */

/* Runs one statement as the shell does (from its first word; nothing if
 * it is blank) and checks what it left. A statement the parser refuses
 * must fail in exec_sql the same way and cannot have changed anything;
 * for any other, BEFORE holds what the database did. */
static void run_statement(Db *db, Output *out, const char *sql,
                          uint32_t len)
{
    while (len > 0 && is_blank(*sql)) {
        sql++;
        len--;
    }
    if (tokenize_is_blank(sql, len))
        return;
    Parse p;
    tokenize_parse(&p, sql, len);
    DbStatus parse_rc = p.rc;
    char *parse_error = parse_rc != DB_OK ? strdup(db_errmsg()) : NULL;
    int64_t parse_pos = db_errpos();
    ast_free_stmt(p.stmt);
    if (parse_rc == DB_OK && !before.known) {
        take_pages(db, &before.pages);
        before.known = true;
    }

    Checked checked = {.out = &out->sink};
    RowSink sink = {&checked, checked_columns, checked_row};
    ExecResult result;
    DbStatus rc = exec_sql(db, sql, len, &sink, &result);
    const DbError *e = db_error(db);
    if (rc != DB_OK) {
        output_discard(out);
        if (e->rc != rc || e->message == NULL)
            fail("status %d, but the error is %d: %s", (int)rc,
                 (int)e->rc, e->message ? e->message : "(no message)");
        if (e->pos < -1 || e->pos > (int64_t)len)
            fail("error position %lld outside the %u bytes of the "
                 "statement: %s", (long long)e->pos, len, e->message);
    } else {
        if (e->rc != DB_OK)
            fail("success, with an error left: %s", e->message);
        if (result.has_rows && checked.rows != result.count)
            fail("%llu rows given, %llu counted",
                 (unsigned long long)checked.rows,
                 (unsigned long long)result.count);
        if (output_finish(out, &result) != DB_OK)
            fail("printing to /dev/null: %s", db_errmsg());
    }
    free(checked.types);
    if (parse_rc != DB_OK) {
        if (rc != parse_rc || parse_error == NULL ||
            strcmp(parse_error, e->message) != 0 || e->pos != parse_pos)
            fail("parsing alone: %d at %lld, %s; exec_sql: %d at %lld, %s",
                 (int)parse_rc, (long long)parse_pos,
                 parse_error ? parse_error : "(out of memory)", (int)rc,
                 (long long)e->pos, e->message ? e->message : "(none)");
        free(parse_error);
    }
    uint32_t pinned = bufpool_pinned(pager_pool(db_pager(db)));
    if (pinned != 0)
        fail("%u pages left pinned", pinned);
    if (parse_rc != DB_OK)
        return;
    int64_t page;
    if (rc == DB_OK && !result.has_rows) {
        before.known = false;
        before.changed = true;
    } else if ((page = changed_page(db, &before.pages)) >= 0) {
        fail("%s changed page %lld: %.*s%s%s", rc != DB_OK
             ? "a failed statement" : "a query", (long long)page, (int)len,
             sql, rc != DB_OK ? "\nERROR:  " : "", rc != DB_OK ? e->message
                                                           : "");
    }
}

/* --- through the shell --------------------------------------------------- */

/* True if a line of TEXT starts (after blanks) with a backslash, and no
 * line is a \copy. */
static bool for_the_shell(const char *text, uint32_t len)
{
    bool command = false;
    for (uint32_t at = 0; at < len;) {
        while (at < len && (text[at] == ' ' || text[at] == '\t'))
            at++;
        if (at < len && text[at] == '\\') {
            if (len - at >= 5 && memcmp(text + at, "\\copy", 5) == 0)
                return false;
            command = true;
        }
        while (at < len && text[at] != '\n')
            at++;
        at++;
    }
    return command;
}

/* Runs TEXT as typed into the shell, whose output goes to /dev/null.
 * The shell prints to stdout and stderr, which in glibc are variables:
 * pointing them elsewhere for a while leaves alone what the sanitizers
 * and libFuzzer print (to file descriptor 2, and to a FILE of their
 * own). */
static void run_shell(Db *db, const char *text, uint32_t len,
                      OutputFormat format)
{
    FILE *out = stdout, *err = stderr;
    stdout = devnull;
    stderr = devnull;
    ShellOptions options = {.format = format};
    Shell *shell;
    DbStatus rc = shell_open(db, &options, &shell);
    if (rc == DB_OK) {
        shell_run_text(shell, text, len);
        shell_close(shell);
    }
    stdout = out;
    stderr = err;
    if (rc != DB_OK)
        fail("opening the shell: %s", db_errmsg());
    uint32_t pinned = bufpool_pinned(pager_pool(db_pager(db)));
    if (pinned != 0)
        fail("%u pages left pinned", pinned);
}

/* --- the database file -------------------------------------------------- */

static void write_file(const char *name, const uint8_t *bytes, size_t n)
{
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        fail("creating %s", name);
    for (size_t done = 0; done < n;) {
        ssize_t w = write(fd, bytes + done, n - done);
        if (w <= 0)
            fail("writing %s", name);
        done += (size_t)w;
    }
    close(fd);
}

static void read_template(void)
{
    FILE *f = fopen(db_file, "rb");
    struct stat st;
    if (f == NULL || fstat(fileno(f), &st) != 0)
        fail("reading %s", db_file);
    template_size = (size_t)st.st_size;
    template_bytes = malloc(template_size);
    if (template_bytes == NULL ||
        fread(template_bytes, 1, template_size, f) != template_size)
        fail("reading %s", db_file);
    fclose(f);
}

static Db *open_db(uint32_t pool_frames)
{
    DbOptions options = {.pool_frames = pool_frames};
    Db *db;
    if (db_open(db_file, &options, &db) != DB_OK)
        fail("opening %s: %s", db_file, db_errmsg());
    return db;
}

static void close_db(Db *db)
{
    if (db_close(db) != DB_OK)
        fail("closing %s: %s", db_file, db_errmsg());
}

static void remove_files(void)
{
    unlink(log_file);
    unlink(db_file);
    rmdir(work_dir);
    free(template_bytes);
    free(before.pages.bytes);
    if (devnull != NULL)
        fclose(devnull);
}

/* Removes what the fuzz targets that died left in TMP (a crash ends the
 * process before atexit runs): each WORK_PREFIX<pid> directory of a
 * process that is gone. */
static void remove_stale(const char *tmp)
{
    DIR *dir = opendir(tmp);
    struct dirent *entry;
    size_t prefix = strlen(WORK_PREFIX);
    while (dir != NULL && (entry = readdir(dir)) != NULL) {
        char *end, path[160];
        if (strncmp(entry->d_name, WORK_PREFIX, prefix) != 0)
            continue;
        long pid = strtol(entry->d_name + prefix, &end, 10);
        if (*end != '\0' || pid <= 0 || kill((pid_t)pid, 0) == 0 ||
            errno != ESRCH)
            continue;
        snprintf(path, sizeof path, "%s/%s/fuzz.db-wal", tmp, entry->d_name);
        unlink(path);
        path[strlen(path) - 4] = '\0';
        unlink(path);
        snprintf(path, sizeof path, "%s/%s", tmp, entry->d_name);
        rmdir(path);
    }
    if (dir != NULL)
        closedir(dir);
}

static void exec_setup(Db *db, const char *sql)
{
    ExecResult result;
    Output out;
    output_init(&out, devnull, OUTPUT_CSV, false, true);
    if (exec_sql(db, sql, (uint32_t)strlen(sql), &out.sink, &result) !=
        DB_OK)
        fail("setting up: %s: %s", sql, db_error(db)->message);
    output_discard(&out);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* On tmpfs where there is one: the target syncs at every commit. */
    struct stat st;
    const char *tmp = getenv("TMPDIR");
    if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
        access("/dev/shm", W_OK) == 0)
        tmp = "/dev/shm";
    if (tmp == NULL || strlen(tmp) > 40)
        tmp = "/tmp";
    remove_stale(tmp);
    snprintf(work_dir, sizeof work_dir, "%s/" WORK_PREFIX "%ld", tmp,
             (long)getpid());
    snprintf(db_file, sizeof db_file, "%s/fuzz.db", work_dir);
    snprintf(log_file, sizeof log_file, "%s-wal", db_file);
    if (mkdir(work_dir, 0700) != 0 && errno != EEXIST)
        fail("making a directory %s", work_dir);
    unlink(log_file);
    unlink(db_file);
    devnull = fopen("/dev/null", "w");
    if (devnull == NULL)
        fail("opening /dev/null");
    atexit(remove_files);

    Db *db = open_db(0);
    for (size_t i = 0; i < sizeof SETUP / sizeof SETUP[0]; i++)
        exec_setup(db, SETUP[i]);
    char *big = malloc(OVERFLOW_BYTES + 64 * KV_MORE_ROWS);
    if (big == NULL)
        fail("out of memory");
    int n = sprintf(big, "INSERT INTO notes VALUES (11, '");
    memset(big + n, 'o', OVERFLOW_BYTES);
    strcpy(big + n + OVERFLOW_BYTES, "', 'cc')");
    exec_setup(db, big);
    n = sprintf(big, "INSERT INTO kv VALUES ");
    for (int i = 0; i < KV_MORE_ROWS; i++)
        n += sprintf(big + n, "%s(%d, 'row %d', %d.5, %s, NULL)",
                     i ? ", " : "", 100 + i, i, i, i % 2 ? "TRUE" : "FALSE");
    exec_setup(db, big);
    free(big);
    close_db(db);
    read_template();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > UINT32_MAX)
        return -1;
    write_file(db_file, template_bytes, template_size);
    unlink(log_file);
    /* The input's size picks the pool (the default, or 8 frames, which
     * evicts all the time) and the output format, so that a replay
     * takes the same ones. */
    Db *db = open_db(size % 2 ? 8 : 0);
    OutputFormat format = size / 2 % 2 ? OUTPUT_CSV : OUTPUT_ALIGNED;
    const char *sql = (const char *)data;
    uint32_t len = (uint32_t)size, at = 0;
    if (for_the_shell(sql, len)) {
        run_shell(db, sql, len, format);
        if (db_check(db) != DB_OK)
            fail("\\check: %s", db_errmsg());
        close_db(db);
        return 0;
    }
    Output out;
    output_init(&out, devnull, format, false, false);
    before.known = before.changed = false;
    while (at < len) {
        bool complete;
        uint32_t n = tokenize_statement(sql + at, len - at, &complete);
        if (n == 0 || n > len - at || (complete && sql[at + n - 1] != ';'))
            fail("tokenize_statement cut %u of %u bytes at %u (%s)", n,
                 len - at, at, complete ? "complete" : "incomplete");
        run_statement(db, &out, sql + at, n);
        at += n;
    }
    output_discard(&out);
    if (before.changed && db_check(db) != DB_OK)
        fail("\\check: %s", db_errmsg());
    close_db(db);
    return 0;
}
