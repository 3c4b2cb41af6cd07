/*
 * main.c - the strata program: reads the command line, opens the
 * database it names, runs the REPL, and saves the database on the way out.
 *
 *   strata [--help] [--version] [--pool-pages N] [--eviction lru|clock]
 *          [--batch-pages N] [--] FILE
 *
 * --pool-pages sets the buffer pool's frames (POOL_MIN_FRAMES to
 * POOL_MAX_FRAMES; the environment variable STRATA_POOL_PAGES gives the
 * default, else POOL_DEFAULT_FRAMES); --eviction its policy (lru first);
 * --batch-pages the pages an .import batch changes before it commits (1
 * to IMPORT_BATCH_PAGES_MAX, else IMPORT_BATCH_PAGES).
 * Exit status 0 when the database was saved (or after --help and
 * --version), 1 when it could not be opened or saved, 2 when the command
 * line was wrong.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import.h"
#include "lineread.h"
#include "repl.h"
#include "table.h"

#define HISTORY_FILE ".strata_history" /* in the home directory */

#define USAGE "Usage: strata [--help] [--version] [--pool-pages N] " \
              "[--eviction lru|clock]\n"                               \
              "              [--batch-pages N] FILE\n"

static const EvictPolicy *const POLICIES[] = EVICT_POLICIES;
#define N_POLICIES (sizeof POLICIES / sizeof POLICIES[0])

static void print_help(void)
{
    printf(USAGE
           "Opens the Strata database FILE, creating it if it does not "
           "exist, and runs\n"
           "the statements typed at its prompt (.help there lists them).\n"
           "\n"
           "  --help                 print this help and exit\n"
           "  --version              print the milestone and its file "
           "format, and exit\n"
           "  --pool-pages N         frames in the buffer pool, %d to %u "
           "(default:\n"
           "                         $STRATA_POOL_PAGES, else %d)\n"
           "  --eviction lru|clock   the buffer pool's eviction policy "
           "(default: lru)\n"
           "  --batch-pages N        pages an .import batch changes before "
           "it commits,\n"
           "                         1 to %u (default: %u)\n",
           POOL_MIN_FRAMES, POOL_MAX_FRAMES, POOL_DEFAULT_FRAMES,
           IMPORT_BATCH_PAGES_MAX, IMPORT_BATCH_PAGES);
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

int main(int argc, char **argv)
{
    uint32_t n_frames = POOL_DEFAULT_FRAMES;
    uint32_t batch_pages = IMPORT_BATCH_PAGES;
    const EvictPolicy *policy = POLICIES[0];
    const char *path = NULL;

    const char *env = getenv("STRATA_POOL_PAGES");
    if (env != NULL && !parse_frames(env, &n_frames)) {
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
            if (!parse_frames(value, &n_frames)) {
                fprintf(stderr, "Error: --pool-pages needs a number from %d "
                        "to %u.\n", POOL_MIN_FRAMES, POOL_MAX_FRAMES);
                return 2;
            }
        } else if (options && strcmp(arg, "--batch-pages") == 0) {
            const char *value = i + 1 < argc ? argv[++i] : NULL;
            if (!parse_count(value, 1, IMPORT_BATCH_PAGES_MAX,
                             &batch_pages)) {
                fprintf(stderr, "Error: --batch-pages needs a number from 1 "
                        "to %u.\n", IMPORT_BATCH_PAGES_MAX);
                return 2;
            }
        } else if (options && strcmp(arg, "--eviction") == 0) {
            policy = i + 1 < argc ? find_policy(argv[++i]) : NULL;
            if (policy == NULL) {
                fprintf(stderr, "Error: --eviction must be lru or clock.\n");
                return 2;
            }
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
    if (table_open(path, n_frames, policy, &table) != DB_OK) {
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

    repl_run(table, batch_pages, reader);

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
