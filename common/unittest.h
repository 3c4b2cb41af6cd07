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
 */
#ifndef STRATA_UNITTEST_H
#define STRATA_UNITTEST_H

#include <stdio.h>
#include <string.h>

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

/* Prints the summary line and returns the exit status for main. */
static int unittest_report(void)
{
    printf("%d passed, %d failed\n", unittest_passed, unittest_failed);
    return unittest_failed == 0 ? 0 : 1;
}

#endif
