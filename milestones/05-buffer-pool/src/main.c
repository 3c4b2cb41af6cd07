/*
 * main.c - the strata program: opens the database named on the command
 * line, runs the REPL, and saves the database on the way out.
 *
 *   strata [--pool-pages N] [--eviction lru|clock] FILE
 *
 * --pool-pages sets the buffer pool's frames (POOL_MIN_FRAMES to
 * POOL_MAX_FRAMES; the environment variable STRATA_POOL_PAGES gives the
 * default, else POOL_DEFAULT_FRAMES); --eviction its policy (lru first).
 * Exit status 0 when the database was saved, 1 when it could not be
 * opened or saved, or the command line was wrong.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repl.h"
#include "table.h"

#define USAGE "Usage: strata [--pool-pages N] [--eviction lru|clock] FILE\n"

static const EvictPolicy *const POLICIES[] = EVICT_POLICIES;
#define N_POLICIES (sizeof POLICIES / sizeof POLICIES[0])

/* Parses a frame count; false unless TEXT is a number in range. */
static int parse_frames(const char *text, uint32_t *n_frames)
{
    if (text == NULL || text[0] < '0' || text[0] > '9')
        return 0;
    char *end;
    unsigned long n = strtoul(text, &end, 10);
    if (*end != '\0' || n < POOL_MIN_FRAMES || n > POOL_MAX_FRAMES)
        return 0;
    *n_frames = (uint32_t)n;
    return 1;
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
    const EvictPolicy *policy = POLICIES[0];
    const char *path = NULL;

    const char *env = getenv("STRATA_POOL_PAGES");
    if (env != NULL && !parse_frames(env, &n_frames)) {
        fprintf(stderr, "Error: STRATA_POOL_PAGES must be a number from %d "
                "to %u.\n", POOL_MIN_FRAMES, POOL_MAX_FRAMES);
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--pool-pages") == 0) {
            const char *value = i + 1 < argc ? argv[++i] : NULL;
            if (!parse_frames(value, &n_frames)) {
                fprintf(stderr, "Error: --pool-pages needs a number from %d "
                        "to %u.\n", POOL_MIN_FRAMES, POOL_MAX_FRAMES);
                return 1;
            }
        } else if (strcmp(argv[i], "--eviction") == 0) {
            policy = i + 1 < argc ? find_policy(argv[++i]) : NULL;
            if (policy == NULL) {
                fprintf(stderr, "Error: --eviction must be lru or clock.\n");
                return 1;
            }
        } else if (strncmp(argv[i], "--", 2) == 0 || path != NULL) {
            fprintf(stderr, USAGE);
            return 1;
        } else {
            path = argv[i];
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
