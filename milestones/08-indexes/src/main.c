/*
 * main.c - the strata program: reads the command line, opens the
 * database it names, runs the shell (or the SQL given with -c or -f),
 * and checkpoints the database on the way out.
 *
 *   strata [--help] [--version] [-c SQL | -f SCRIPT] [--csv] [-t] [-q]
 *          [--pool-pages N] [--eviction lru|clock] [--batch-pages N]
 *          [--] FILE
 *
 * --pool-pages sets the buffer pool's frames (POOL_MIN_FRAMES to
 * POOL_MAX_FRAMES; the environment variable STRATA_POOL_PAGES gives the
 * default, else POOL_DEFAULT_FRAMES); --eviction its policy (lru first);
 * --batch-pages the pages a \copy batch changes before it commits (1 to
 * COPY_BATCH_PAGES_MAX, else COPY_BATCH_PAGES).
 * Exit status 0 when the database was closed (or after --help and
 * --version), 1 when it could not be opened or closed, or (with -c or
 * -f) a statement failed, 2 when the command line was wrong.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy.h"
#include "db.h"
#include "lineread.h"
#include "pager.h"
#include "shell.h"

#define HISTORY_FILE ".strata_history" /* in the home directory */

#define USAGE "Usage: strata [--help] [--version] [-c SQL | -f SCRIPT] " \
              "[--csv] [-t] [-q]\n"                                      \
              "              [--pool-pages N] [--eviction lru|clock] "   \
              "[--batch-pages N] FILE\n"

static const EvictPolicy *const POLICIES[] = EVICT_POLICIES;
#define N_POLICIES (sizeof POLICIES / sizeof POLICIES[0])

static void print_help(void)
{
    printf(USAGE
           "Opens the Strata database FILE, creating it if it does not "
           "exist, and runs\n"
           "the SQL statements and backslash commands typed at its "
           "prompt (\\? there\n"
           "lists the commands).\n"
           "\n"
           "  --help                 print this help and exit\n"
           "  --version              print the milestone and its file "
           "format, and exit\n"
           "  -c SQL                 run SQL, then exit (status 1 after "
           "an error)\n"
           "  -f SCRIPT              run the file SCRIPT, then exit "
           "(likewise)\n"
           "  --csv                  print results as CSV\n"
           "  -t                     print rows only: no header, no "
           "footer\n"
           "  -q                     print no command tags\n"
           "  --pool-pages N         frames in the buffer pool, %d to %u "
           "(default:\n"
           "                         $STRATA_POOL_PAGES, else %d)\n"
           "  --eviction lru|clock   the buffer pool's eviction policy "
           "(default: lru)\n"
           "  --batch-pages N        pages a \\copy batch changes before it "
           "commits,\n"
           "                         1 to %u (default: %u)\n",
           POOL_MIN_FRAMES, POOL_MAX_FRAMES, POOL_DEFAULT_FRAMES,
           COPY_BATCH_PAGES_MAX, COPY_BATCH_PAGES);
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

/* Parses a count; false unless TEXT is a number from MIN to MAX. */
static int parse_count(const char *text, uint32_t min, uint32_t max,
                       uint32_t *count)
{
    if (text == NULL || text[0] < '0' || text[0] > '9')
        return 0;
    char *end;
    errno = 0;
    unsigned long n = strtoul(text, &end, 10);
    if (*end != '\0' || errno != 0 || n < min || n > max)
        return 0;
    *count = (uint32_t)n;
    return 1;
}

static int parse_frames(const char *text, uint32_t *n_frames)
{
    return parse_count(text, POOL_MIN_FRAMES, POOL_MAX_FRAMES, n_frames);
}

static const EvictPolicy *find_policy(const char *name)
{
    for (size_t i = 0; name != NULL && i < N_POLICIES; i++)
        if (strcmp(POLICIES[i]->name, name) == 0)
            return POLICIES[i];
    return NULL;
}

/* Reads all of PATH into *text. */
static int read_file(const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    size_t cap = 4096;
    *text = malloc(cap);
    *len = 0;
    while (*text != NULL) {
        size_t n = fread(*text + *len, 1, cap - *len, f);
        *len += n;
        if (n == 0)
            break;
        if (*len == cap) {
            char *grown = realloc(*text, cap *= 2);
            if (grown == NULL)
                free(*text);
            *text = grown;
        }
    }
    int ok = *text != NULL && !ferror(f);
    fclose(f);
    return ok;
}

/* Runs the shell on DB: COMMAND, SCRIPT's TEXT, or the lines of READER.
 * Returns the exit status. */
static int run_shell(Db *db, const ShellOptions *options,
                     const char *command, const char *text, size_t text_len,
                     LineReader *reader)
{
    Shell *shell;
    if (shell_open(db, options, &shell) != DB_OK) {
        fprintf(stderr, "strata: %s\n", db_errmsg());
        return 1;
    }
    bool ok;
    if (command != NULL) {
        ok = shell_run_text(shell, command, strlen(command));
    } else if (text != NULL) {
        ok = shell_run_text(shell, text, text_len);
    } else {
        if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
            printf("strata %s. Type \\? for help, \\q to quit.\n",
                   STRATA_MILESTONE);
        ok = shell_repl(shell, reader);
    }
    shell_close(shell);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    DbOptions db_options = {.pool_frames = POOL_DEFAULT_FRAMES,
                            .policy = POLICIES[0]};
    ShellOptions shell_options = {.format = OUTPUT_ALIGNED,
                                  .batch_pages = COPY_BATCH_PAGES};
    const char *path = NULL, *command = NULL, *script = NULL;

    const char *env = getenv("STRATA_POOL_PAGES");
    if (env != NULL && !parse_frames(env, &db_options.pool_frames)) {
        fprintf(stderr, "Error: STRATA_POOL_PAGES must be a number from %d "
                "to %u.\n", POOL_MIN_FRAMES, POOL_MAX_FRAMES);
        return 1;
    }
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
        } else if (options && strcmp(arg, "--pool-pages") == 0) {
            const char *value = i + 1 < argc ? argv[++i] : NULL;
            if (!parse_frames(value, &db_options.pool_frames)) {
                fprintf(stderr, "Error: --pool-pages needs a number from %d "
                        "to %u.\n", POOL_MIN_FRAMES, POOL_MAX_FRAMES);
                return 2;
            }
        } else if (options && strcmp(arg, "--batch-pages") == 0) {
            const char *value = i + 1 < argc ? argv[++i] : NULL;
            if (!parse_count(value, 1, COPY_BATCH_PAGES_MAX,
                             &shell_options.batch_pages)) {
                fprintf(stderr, "Error: --batch-pages needs a number from 1 "
                        "to %u.\n", COPY_BATCH_PAGES_MAX);
                return 2;
            }
        } else if (options && strcmp(arg, "--eviction") == 0) {
            db_options.policy = i + 1 < argc ? find_policy(argv[++i]) : NULL;
            if (db_options.policy == NULL) {
                fprintf(stderr, "Error: --eviction must be lru or clock.\n");
                return 2;
            }
        } else if (options && (strcmp(arg, "-c") == 0 ||
                               strcmp(arg, "-f") == 0)) {
            if (i + 1 == argc) {
                fprintf(stderr, "Error: %s needs %s.\n", arg,
                        arg[1] == 'c' ? "SQL" : "a SCRIPT file");
                return 2;
            }
            if (command != NULL || script != NULL)
                return usage_error("a second -c or -f", arg);
            *(arg[1] == 'c' ? &command : &script) = argv[++i];
        } else if (options && strcmp(arg, "--csv") == 0) {
            shell_options.format = OUTPUT_CSV;
        } else if (options && strcmp(arg, "-t") == 0) {
            shell_options.tuples_only = true;
        } else if (options && strcmp(arg, "-q") == 0) {
            shell_options.quiet = true;
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

    char *text = NULL;
    size_t text_len = 0;
    if (script != NULL && !read_file(script, &text, &text_len)) {
        fprintf(stderr, "strata: cannot read '%s': %s\n", script,
                strerror(errno));
        return 1;
    }
    /* A reader that goes away (strata f.db | head) must not kill us
     * before the database is closed: let the write fail instead. */
    signal(SIGPIPE, SIG_IGN);

    Db *db;
    if (db_open(path, &db_options, &db) != DB_OK) {
        fprintf(stderr, "strata: %s\n", db_errmsg());
        free(text);
        return 1;
    }
    LineReader *reader = NULL;
    if (command == NULL && script == NULL &&
        (reader = lineread_open(HISTORY_FILE)) == NULL) {
        fprintf(stderr, "strata: out of memory\n");
        free(text);
        db_close(db);
        return 1;
    }
    shell_options.stop_on_error = command != NULL || script != NULL;
    int status = run_shell(db, &shell_options, command, text, text_len,
                           reader);
    free(text);
    fflush(stdout);
    /* The reader is closed after the database, so that a Ctrl-C cannot
     * stop the checkpoint. */
    DbStatus rc = db_close(db);
    if (reader != NULL)
        lineread_close(reader);
    if (rc != DB_OK) {
        fprintf(stderr, "strata: %s\n", db_errmsg());
        return 1;
    }
    return status;
}
