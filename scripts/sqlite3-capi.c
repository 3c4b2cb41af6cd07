/*
 * sqlite3-capi.c - the bench's sqlite3 without its shell: Strata's own
 * input run through SQLite's C API, one prepared statement per kind.
 *
 *   sqlite3-capi [--cache-pages N] [--batch N] DB < SCRIPT
 *   sqlite3-capi --version     the version of the SQLite library
 *
 * SCRIPT holds the lines the bench gives Strata's REPL:
 *   insert ID USERNAME EMAIL   one row
 *   select ID                  the row with that id
 *   select                     every row, in id order
 * and the output is the REPL's too: a "db > " prompt per line, each row
 * as "(ID, USERNAME, EMAIL)", then "Executed.". Milestones 01-05 parse no
 * SQL, so neither does this: the sqlite3 shell would parse and plan each
 * statement anew, and lock and unlock the file per statement, where
 * Strata locks it once at open. So here:
 *   - each statement is prepared once and reused (bind, step, reset);
 *   - PRAGMA locking_mode=EXCLUSIVE: one lock, held until exit;
 *   - PRAGMA cache_size=N pages of 4096 bytes (default 256, 05's pool);
 *   - journal_mode=WAL and synchronous=FULL, so a commit is as durable
 *     as Strata's from 04 on: the log is synced before it returns;
 *   - --batch N: inserts commit every N rows (1, the default: each its
 *     own transaction, as in Strata; 0: one transaction for them all).
 * The table is t(id INTEGER PRIMARY KEY, username TEXT, email TEXT),
 * created if it is missing. An SQLite error ends the run with exit 1.
 */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sqlite3 *db;

static void die(const char *what)
{
    fprintf(stderr, "sqlite3-capi: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void exec(const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        die(sql);
}

static sqlite3_stmt *prepare(const char *sql)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt,
                           NULL) != SQLITE_OK)
        die(sql);
    return stmt;
}

/* Prints every row STMT gives, then resets it; returns how many. */
static long print_rows(sqlite3_stmt *stmt)
{
    long n = 0;
    int rc;
    for (; (rc = sqlite3_step(stmt)) == SQLITE_ROW; n++)
        printf("(%lld, %s, %s)\n", sqlite3_column_int64(stmt, 0),
               (const char *)sqlite3_column_text(stmt, 1),
               (const char *)sqlite3_column_text(stmt, 2));
    if (rc != SQLITE_DONE)
        die("select");
    sqlite3_reset(stmt);
    return n;
}

/* Splits LINE at spaces into at most 4 words; returns how many. */
static int split(char *line, char *words[4])
{
    int n = 0;
    for (char *w = strtok(line, " \n"); w != NULL && n < 4;
         w = strtok(NULL, " \n"))
        words[n++] = w;
    return n;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("%s\n", sqlite3_libversion());
        return 0;
    }
    long cache_pages = 256, batch = 1;
    int i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--cache-pages") == 0)
            cache_pages = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--batch") == 0)
            batch = atol(argv[i + 1]);
        else
            break;
    }
    if (i + 1 != argc || cache_pages < 1 || batch < 0) {
        fprintf(stderr, "usage: sqlite3-capi [--cache-pages N] "
                "[--batch N] DB < SCRIPT\n");
        return 2;
    }
    if (sqlite3_open(argv[i], &db) != SQLITE_OK)
        die(argv[i]);
    char pragmas[160];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA page_size=4096; PRAGMA locking_mode=EXCLUSIVE; "
             "PRAGMA cache_size=%ld; PRAGMA journal_mode=WAL; "
             "PRAGMA synchronous=FULL;", cache_pages);
    exec(pragmas);
    exec("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, "
         "username TEXT, email TEXT);");
    sqlite3_stmt *insert = prepare("INSERT INTO t VALUES(?1, ?2, ?3);");
    sqlite3_stmt *select_one = prepare(
        "SELECT id, username, email FROM t WHERE id = ?1;");
    sqlite3_stmt *select_all = prepare("SELECT id, username, email FROM t;");

    char *line = NULL;
    size_t capacity = 0;
    long in_batch = 0; /* inserts in the open transaction */
    while (printf("db > "), getline(&line, &capacity, stdin) >= 0) {
        char *words[4];
        int n = split(line, words);
        if (n == 4 && strcmp(words[0], "insert") == 0) {
            if (batch != 1 && in_batch == 0)
                exec("BEGIN;");
            sqlite3_bind_int64(insert, 1, atoll(words[1]));
            sqlite3_bind_text(insert, 2, words[2], -1, SQLITE_STATIC);
            sqlite3_bind_text(insert, 3, words[3], -1, SQLITE_STATIC);
            int rc = sqlite3_step(insert);
            sqlite3_reset(insert);
            if (rc == SQLITE_CONSTRAINT) {
                printf("Error: Duplicate key.\n");
                continue;
            }
            if (rc != SQLITE_DONE)
                die("insert");
            if (batch != 1 && ++in_batch == batch) {
                exec("COMMIT;");
                in_batch = 0;
            }
        } else if (n == 2 && strcmp(words[0], "select") == 0) {
            sqlite3_bind_int64(select_one, 1, atoll(words[1]));
            if (print_rows(select_one) == 0) {
                printf("Error: Key not found.\n");
                continue;
            }
        } else if (n == 1 && strcmp(words[0], "select") == 0) {
            print_rows(select_all);
        } else if (n == 0) {
            continue;
        } else {
            fprintf(stderr, "sqlite3-capi: cannot run '%s'\n", words[0]);
            return 1;
        }
        printf("Executed.\n");
    }
    if (in_batch > 0)
        exec("COMMIT;");
    free(line);
    sqlite3_finalize(insert);
    sqlite3_finalize(select_one);
    sqlite3_finalize(select_all);
    if (sqlite3_close(db) != SQLITE_OK)
        die("close");
    return 0;
}
