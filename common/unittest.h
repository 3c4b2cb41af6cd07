/*
 * unittest.h - a tiny harness for the C unit tests inside each milestone.
 *
 * A test file is one program:
 *
 *     static void test_round_trip(void)
 *     {
 *         CHECK(row.id == 7);
 *         CHECK_EQ(n_rows, 13);
 *         CHECK_STR(row.username, "user7");
 *     }
 *
 *     int main(void)
 *     {
 *         RUN(test_round_trip);
 *         return unittest_report();
 *     }
 *
 * Each RUN prints one line, "PASS name" or "FAIL name: file:line: why",
 * and the shared test runner counts those lines into the project's final
 * "N passed, N failed". A failed check returns from the test function at
 * once, so later checks never run on a broken state.
 *
 * A test that needs files makes them in unittest_dir(), a directory of
 * its own that unittest_report() removes.
 */
#ifndef STRATA_UNITTEST_H
#define STRATA_UNITTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char unittest_dir_name[] = "/tmp/strata-unit-XXXXXX";
static int unittest_dir_made;
static const char *unittest_name; /* the test that is running */
static int unittest_name_failed;   /* it has printed its FAIL line */
static int unittest_passed;
static int unittest_failed;

#define UNITTEST_FAIL(...)                                                  \
    do {                                                                    \
        printf("FAIL %s: %s:%d: ", unittest_name, __FILE__, __LINE__);      \
        printf(__VA_ARGS__);                                                \
        printf("\n");                                                       \
        unittest_name_failed = 1;                                           \
        return;                                                             \
    } while (0)

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond))                                                        \
            UNITTEST_FAIL("CHECK(%s)", #cond);                              \
    } while (0)

/* Compares two integers; on failure prints both values. */
#define CHECK_EQ(actual, expected)                                          \
    do {                                                                    \
        long long unittest_a = (long long)(actual);                         \
        long long unittest_e = (long long)(expected);                       \
        if (unittest_a != unittest_e)                                       \
            UNITTEST_FAIL("%s is %lld, expected %lld", #actual,             \
                          unittest_a, unittest_e);                          \
    } while (0)

/* Compares two C strings; on failure prints both. */
#define CHECK_STR(actual, expected)                                         \
    do {                                                                    \
        const char *unittest_a = (actual);                                  \
        const char *unittest_e = (expected);                                \
        if (strcmp(unittest_a, unittest_e) != 0)                            \
            UNITTEST_FAIL("%s is \"%s\", expected \"%s\"", #actual,         \
                          unittest_a, unittest_e);                          \
    } while (0)

#define RUN(test) unittest_run(test, #test)

static void unittest_run(void (*test)(void), const char *name)
{
    unittest_name = name;
    unittest_name_failed = 0;
    test();
    if (unittest_name_failed) {
        unittest_failed++;
    } else {
        printf("PASS %s\n", name);
        unittest_passed++;
    }
    fflush(stdout);
}

/* A fresh directory for this program's files, made on first use; NULL
 * if it cannot be made. */
static inline const char *unittest_dir(void)
{
    if (!unittest_dir_made) {
        if (mkdtemp(unittest_dir_name) == NULL)
            return NULL;
        unittest_dir_made = 1;
    }
    return unittest_dir_name;
}

/* Prints the summary line, removes unittest_dir(), and returns the exit
 * status for main. */
static int unittest_report(void)
{
    printf("%d passed, %d failed\n", unittest_passed, unittest_failed);
    if (unittest_dir_made) {
        char cmd[64];
        snprintf(cmd, sizeof cmd, "rm -rf %s", unittest_dir_name);
        if (system(cmd) != 0)
            return 1;
    }
    return unittest_failed == 0 ? 0 : 1;
}

#endif
