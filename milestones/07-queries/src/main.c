/*
 * main.c - the strata program: opens the database named on the command
 * line, runs the shell (or the SQL given with -c or -f), and checkpoints
 * the database on the way out.
 *
 *   strata [OPTION]... FILE
 *
 * Exit status 0; 1 when the database could not be opened or closed, or
 * (with -c or -f) a statement failed; 2 for a wrong command line.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "pager.h"
#include "shell.h"

#define USAGE                                                              \
    "Usage: strata [OPTION]... FILE\n"                                     \
    "Opens the database FILE (a new one if it does not exist) and reads\n" \
    "SQL statements and backslash commands (\\? lists them).\n"            \
    "\n"                                                                   \
    "  -c SQL                run SQL, then exit (1 after an error)\n"      \
    "  -f SCRIPT             run the file SCRIPT, then exit (likewise)\n"  \
    "  --csv                 print results as CSV\n"                       \
    "  -t                    print rows only: no header, no footer\n"      \
    "  -q                    print no command tags\n"                      \
    "  --pool-pages N        buffer pool frames (default 256, or\n"        \
    "                        $STRATA_POOL_PAGES)\n"                        \
    "  --eviction lru|clock  the pool's eviction policy (default lru)\n"   \
    "  --help                print this help and exit\n"                   \
    "  --version             print the milestone and file format\n"

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

static int usage_error(const char *why)
{
    if (why != NULL)
        fprintf(stderr, "strata: %s\n", why);
    fprintf(stderr, USAGE);
    return 2;
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

int main(int argc, char **argv)
{
    DbOptions db_options = {0};
    ShellOptions shell_options = {.format = OUTPUT_ALIGNED};
    const char *path = NULL, *command = NULL, *script = NULL;

    const char *env = getenv("STRATA_POOL_PAGES");
    if (env != NULL && !parse_frames(env, &db_options.pool_frames)) {
        fprintf(stderr, "strata: STRATA_POOL_PAGES must be a number from "
                "%d to %u.\n", POOL_MIN_FRAMES, POOL_MAX_FRAMES);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--help") == 0) {
            printf(USAGE);
            return 0;
        } else if (strcmp(arg, "--version") == 0) {
            printf("strata %s (file format %d)\n", STRATA_MILESTONE,
                   PAGER_FORMAT_VERSION);
            return 0;
        } else if (strcmp(arg, "--pool-pages") == 0) {
            if (!parse_frames(value, &db_options.pool_frames))
                return usage_error("--pool-pages needs a number from 8 to "
                                   "1048576");
            i++;
        } else if (strcmp(arg, "--eviction") == 0) {
            db_options.policy = find_policy(value);
            if (db_options.policy == NULL)
                return usage_error("--eviction must be lru or clock");
            i++;
        } else if (strcmp(arg, "-c") == 0 || strcmp(arg, "-f") == 0) {
            if (value == NULL || command != NULL || script != NULL)
                return usage_error("give one -c SQL or -f SCRIPT");
            *(arg[1] == 'c' ? &command : &script) = value;
            i++;
        } else if (strcmp(arg, "--csv") == 0) {
            shell_options.format = OUTPUT_CSV;
        } else if (strcmp(arg, "-t") == 0) {
            shell_options.tuples_only = true;
        } else if (strcmp(arg, "-q") == 0) {
            shell_options.quiet = true;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            fprintf(stderr, "strata: unknown option '%s'\n", arg);
            return usage_error(NULL);
        } else if (path != NULL) {
            return usage_error("give one database FILE");
        } else {
            path = arg;
        }
    }
    if (path == NULL)
        return usage_error("give the database FILE to open");

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
    shell_options.stop_on_error = command != NULL || script != NULL;
    Shell *shell;
    int status = 0;
    if (shell_open(db, &shell_options, &shell) != DB_OK) {
        fprintf(stderr, "strata: %s\n", db_errmsg());
        status = 1;
    } else {
        bool ok;
        if (command != NULL) {
            ok = shell_run_text(shell, command, strlen(command));
        } else if (script != NULL) {
            ok = shell_run_text(shell, text, text_len);
        } else {
            if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
                printf("strata %s. Type \\? for help, \\q to quit.\n",
                       STRATA_MILESTONE);
            ok = shell_repl(shell);
        }
        status = ok ? 0 : 1;
        shell_close(shell);
    }
    free(text);
    fflush(stdout);
    if (db_close(db) != DB_OK) {
        fprintf(stderr, "strata: %s\n", db_errmsg());
        return 1;
    }
    return status;
}
