/*
 * test_sort.c - the external merge sort on its own: it gives back every
 * row, in the order qsort gives, stable, in memory or spilled through
 * many runs and merge passes; it stays in its budget; and its temporary
 * files never have a name for long, whatever happens: an I/O error in a
 * write or a read, damaged bytes, kill -9.
 *
 * Some tests run this program again as a child (argv[1] names what the
 * child does): to measure its peak memory alone, and because the fault
 * plan of STRATA_FAULT is read once per process.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sort.h"
#include "unittest.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define SEED 20261207u
#define MIB (1024u * 1024)

static const char *self; /* argv[0], to run children */

/* --- rows ------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* splitmix64: one seed replays every row. */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
    return rnd() % n;
}

static int type_rank(const Value *v)
{
    switch (v->type) {
    case VALUE_NULL:
        return 0;
    case VALUE_BOOLEAN:
        return 1;
    case VALUE_INTEGER:
    case VALUE_REAL:
        return 2;
    case VALUE_TEXT:
        return 3;
    }
    return 4;
}

static double as_real(const Value *v)
{
    return v->type == VALUE_INTEGER ? (double)v->i : v->r;
}

/* SQLite's order: NULLs first, then booleans, numbers by value (integers
 * here are small enough to be exact as doubles), texts by their bytes. */
static int value_cmp(const Value *a, const Value *b)
{
    int ra = type_rank(a), rb = type_rank(b);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    switch (a->type) {
    case VALUE_NULL:
        return 0;
    case VALUE_BOOLEAN:
        return (int)a->b - (int)b->b;
    case VALUE_TEXT: {
        uint32_t n = a->text.n < b->text.n ? a->text.n : b->text.n;
        int c = n ? memcmp(a->text.s, b->text.s, n) : 0;
        if (c != 0)
            return c;
        return a->text.n < b->text.n ? -1 : a->text.n > b->text.n;
    }
    default:
        if (a->type == VALUE_INTEGER && b->type == VALUE_INTEGER)
            return a->i < b->i ? -1 : a->i > b->i;
        return as_real(a) < as_real(b) ? -1 : as_real(a) > as_real(b);
    }
}

/* Rows are (key, key, position): ordered by the two keys only, so that
 * the position shows where equal rows came from. CTX non-NULL: the
 * order is reversed. */
static int row_cmp(void *ctx, const Value *a, const Value *b)
{
    int c = value_cmp(&a[0], &b[0]);
    if (c == 0)
        c = value_cmp(&a[1], &b[1]);
    return ctx != NULL ? -c : c;
}

static bool same_value(const Value *a, const Value *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case VALUE_NULL:
        return true;
    case VALUE_BOOLEAN:
        return a->b == b->b;
    case VALUE_INTEGER:
        return a->i == b->i;
    case VALUE_REAL:
        return memcmp(&a->r, &b->r, sizeof a->r) == 0;
    case VALUE_TEXT:
        return a->text.n == b->text.n &&
               (a->text.n == 0 || memcmp(a->text.s, b->text.s,
                                         a->text.n) == 0);
    }
    return false;
}

static bool same_row(const Value *a, const Value *b)
{
    return same_value(&a[0], &b[0]) && same_value(&a[1], &b[1]) &&
           same_value(&a[2], &b[2]);
}

/* Text lengths: empty, short, longer, and now and then 100 KiB. */
static uint32_t text_length(void)
{
    uint64_t dice = below(100000);
    if (dice < 2)
        return 100 * 1024;
    if (dice < 10000)
        return 0;
    if (dice < 90000)
        return 1 + (uint32_t)below(16);
    return 17 + (uint32_t)below(300);
}

/* A value of any type; texts are written at *POOL, which moves on.
 * Letters from a small alphabet share long prefixes. */
static Value random_value(char **pool)
{
    Value v = {.type = VALUE_NULL};
    uint64_t dice = below(100);
    if (dice < 10) {
        v.type = VALUE_NULL;
    } else if (dice < 15) {
        v.type = VALUE_BOOLEAN;
        v.b = below(2);
    } else if (dice < 45) {
        v.type = VALUE_INTEGER;
        v.i = below(10) == 0 ? (int64_t)below(1ull << 41) - (1ll << 40)
                             : (int64_t)below(1000) - 500;
    } else if (dice < 60) {
        v.type = VALUE_REAL;
        dice = below(4);
        v.r = dice == 0   ? (double)((int64_t)below(1000) - 500)
              : dice == 1 ? (below(2) ? -0.0 : 0.0)
                          : ((double)below(1ull << 53) / 1e9 - 4e6);
    } else {
        uint32_t n = text_length();
        v.type = VALUE_TEXT;
        for (uint32_t i = 0; i < n; i++)
            (*pool)[i] = (char)('a' + (n > 1000 && i < n - 8 ? 0 : below(5)));
        v.text.s = *pool;
        v.text.n = n;
        *pool += n;
    }
    return v;
}

/* The mixed rows of the big tests, made once. */
#define MIXED_ROWS 1000000
static Value *mixed;          /* 3 values per row */
static char *mixed_text;
static uint32_t *reference;   /* row numbers in qsort's order */

static int reference_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int c = row_cmp(NULL, &mixed[3 * (size_t)x], &mixed[3 * (size_t)y]);
    return c != 0 ? c : x < y ? -1 : x > y;
}

static bool make_mixed(void)
{
    if (mixed != NULL)
        return true;
    /* At most two 100 KiB texts per 100,000 values, on average: the pool
     * is made for ten times that. */
    size_t pool_size = (size_t)MIXED_ROWS * 2 * 60 + 40 * 100 * 1024 * 10;
    mixed = malloc((size_t)MIXED_ROWS * 3 * sizeof *mixed);
    mixed_text = malloc(pool_size);
    reference = malloc((size_t)MIXED_ROWS * sizeof *reference);
    if (mixed == NULL || mixed_text == NULL || reference == NULL)
        return false;
    rng_state = SEED;
    char *pool = mixed_text;
    for (uint32_t r = 0; r < MIXED_ROWS; r++) {
        if ((size_t)(pool - mixed_text) > pool_size - 2 * 100 * 1024)
            return false;
        mixed[3 * (size_t)r] = random_value(&pool);
        mixed[3 * (size_t)r + 1] = random_value(&pool);
        mixed[3 * (size_t)r + 2] = (Value){.type = VALUE_INTEGER, .i = r};
        reference[r] = r;
    }
    qsort(reference, MIXED_ROWS, sizeof *reference, reference_cmp);
    return true;
}

static void free_mixed(void)
{
    free(mixed);
    free(mixed_text);
    free(reference);
    mixed = NULL;
    mixed_text = NULL;
    reference = NULL;
}

/* --- the file system ---------------------------------------------------- */

/* Files this process has open that have no name any more. */
static int nameless_files(void)
{
    int n = 0;
    for (int fd = 0; fd < 1024; fd++) {
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 0)
            n++;
    }
    return n;
}

static int entries_in(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* A new empty directory for temporary files, which TMPDIR names. */
static const char *fresh_tmpdir(void)
{
    static char dir[256];
    static int n;
    snprintf(dir, sizeof dir, "%s/tmp-%d", unittest_dir(), n++);
    if (mkdir(dir, 0700) != 0)
        return NULL;
    setenv("TMPDIR", dir, 1);
    return dir;
}

/* Runs this program as "self SCENARIO" with STRATA_FAULT set to FAULT
 * (NULL: unset) and TMPDIR to DIR; its standard output goes to OUT.
 * Returns its exit status, -1 if it did not exit. */
static int run_child(const char *scenario, const char *fault,
                     const char *dir, char *out, size_t size)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        if (fault != NULL)
            setenv("STRATA_FAULT", fault, 1);
        else
            unsetenv("STRATA_FAULT");
        setenv("TMPDIR", dir, 1);
        execl(self, self, scenario, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    size_t got = 0;
    ssize_t n;
    while (got + 1 < size &&
           (n = read(fds[0], out + got, size - 1 - got)) > 0)
        got += (size_t)n;
    out[got] = '\0';
    close(fds[0]);
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* --- helpers ------------------------------------------------------------ */

/* Sorts the mixed rows with BUDGET and checks every row against the
 * reference; *stats gets the sorter's. */
static const char *sort_mixed(size_t budget, SortStats *stats)
{
    Sorter *s;
    if (sorter_open(3, row_cmp, NULL, budget, &s) != DB_OK)
        return "sorter_open failed";
    const char *why = NULL;
    for (size_t r = 0; r < MIXED_ROWS && why == NULL; r++)
        if (sorter_add(s, &mixed[3 * r]) != DB_OK)
            why = "sorter_add failed";
    if (why == NULL && sorter_sort(s) != DB_OK)
        why = "sorter_sort failed";
    for (size_t r = 0; why == NULL; r++) {
        const Value *row;
        bool done;
        if (sorter_next(s, &row, &done) != DB_OK)
            why = "sorter_next failed";
        else if (done)
            why = r != MIXED_ROWS       ? "rows are missing"
                  : nameless_files() > 0 ? "files open after the last row"
                                         : "";
        else if (r == MIXED_ROWS)
            why = "more rows than went in";
        else if (!same_row(row, &mixed[3 * (size_t)reference[r]]))
            why = "a row differs from qsort's";
    }
    sorter_stats(s, stats);
    sorter_close(s);
    return *why == '\0' ? NULL : why;
}

static Value int_value(int64_t i)
{
    return (Value){.type = VALUE_INTEGER, .i = i};
}

/* Sorts N rows (key(i), 0, i) with BUDGET, CTX for row_cmp; checks that
 * the keys come in order and equal keys in the order they went in. */
static const char *sort_keys(size_t n, int64_t (*key)(size_t), void *ctx,
                             size_t budget, SortStats *stats)
{
    Sorter *s;
    if (sorter_open(3, row_cmp, ctx, budget, &s) != DB_OK)
        return "sorter_open failed";
    const char *why = NULL;
    for (size_t i = 0; i < n && why == NULL; i++) {
        Value row[3] = {int_value(key(i)), int_value(0),
                        int_value((int64_t)i)};
        if (sorter_add(s, row) != DB_OK)
            why = "sorter_add failed";
    }
    if (why == NULL && sorter_sort(s) != DB_OK)
        why = "sorter_sort failed";
    Value prev[3];
    for (size_t r = 0; why == NULL; r++) {
        const Value *row;
        bool done;
        if (sorter_next(s, &row, &done) != DB_OK)
            why = "sorter_next failed";
        else if (done)
            why = r == n ? "" : "rows are missing";
        else if (r > 0 && row_cmp(ctx, prev, row) > 0)
            why = "keys out of order";
        else if (r > 0 && row_cmp(ctx, prev, row) == 0 &&
                 prev[2].i >= row[2].i)
            why = "equal keys out of their input order";
        else
            memcpy(prev, row, sizeof prev);
    }
    sorter_stats(s, stats);
    sorter_close(s);
    return *why == '\0' ? NULL : why;
}

static int64_t key_mod_7(size_t i)
{
    return (int64_t)(i % 7);
}

static int64_t key_zero(size_t i)
{
    (void)i;
    return 0;
}

static int64_t key_random(size_t i)
{
    (void)i;
    return (int64_t)below(5000);
}

/* --- the tests ---------------------------------------------------------- */

static void test_a_million_rows_in_4_mib_stay_under_32_mib(void)
{
    const char *dir = fresh_tmpdir();
    CHECK(dir != NULL);
    char out[256];
    CHECK_EQ(run_child("peak", NULL, dir, out, sizeof out), 0);
    unsigned long long rss_kib, runs, passes, peak;
    CHECK(sscanf(out, "ok %llu %llu %llu %llu", &rss_kib, &runs, &passes,
                 &peak) == 4);
    /* The sorter's own count always; the whole process's peak unless
     * AddressSanitizer's shadow memory is part of it. */
    CHECK(peak <= 4 * MIB);
    CHECK(runs > 1);
    CHECK(UNDER_ASAN || rss_kib < 32 * 1024);
    CHECK_EQ(entries_in(dir), 0);
}

static void test_sorts_in_crash_mode(void)
{
    /* Crash mode keeps unsynced writes in memory; a file without a name
     * must write straight through instead (and its state must outlive
     * the name, which os_unlink used to free under the open file). */
    const char *dir = fresh_tmpdir();
    CHECK(dir != NULL);
    char out[256];
    CHECK_EQ(run_child("peak", "crash=1000000000,seed=3", dir, out,
                       sizeof out), 0);
    unsigned long long rss_kib, runs, passes, peak;
    CHECK(sscanf(out, "ok %llu %llu %llu %llu", &rss_kib, &runs, &passes,
                 &peak) == 4);
    CHECK(UNDER_ASAN || rss_kib < 32 * 1024);
    CHECK_EQ(entries_in(dir), 0);
}

static void test_no_rows_and_one_row(void)
{
    Sorter *s;
    const Value *row;
    bool done;
    SortStats stats;
    CHECK_EQ(sorter_open(3, row_cmp, NULL, SORT_MIN_MEMORY, &s), DB_OK);
    CHECK_EQ(sorter_sort(s), DB_OK);
    CHECK_EQ(sorter_next(s, &row, &done), DB_OK);
    CHECK(done && row == NULL);
    sorter_stats(s, &stats);
    CHECK(stats.rows == 0 && stats.runs == 0 && stats.merge_passes == 0);
    sorter_close(s);

    CHECK_EQ(sorter_open(3, row_cmp, NULL, SORT_MIN_MEMORY, &s), DB_OK);
    char text[] = "only";
    Value in[3] = {{.type = VALUE_TEXT, .text = {text, 4}},
                   {.type = VALUE_REAL, .r = -2.5}, int_value(0)};
    CHECK_EQ(sorter_add(s, in), DB_OK);
    memset(text, 'x', 4); /* the sorter has its own copy */
    CHECK_EQ(sorter_sort(s), DB_OK);
    CHECK_EQ(sorter_next(s, &row, &done), DB_OK);
    CHECK(!done && row[0].type == VALUE_TEXT && row[0].text.n == 4 &&
          memcmp(row[0].text.s, "only", 4) == 0 && row[1].r == -2.5);
    CHECK_EQ(sorter_next(s, &row, &done), DB_OK);
    CHECK(done && row == NULL);
    CHECK_EQ(sorter_next(s, &row, &done), DB_OK);
    CHECK(done);
    sorter_close(s);
    sorter_close(NULL);
}

static void test_a_budget_too_small_is_refused(void)
{
    static int not_a_sorter;
    Sorter *s = (Sorter *)(void *)&not_a_sorter;
    CHECK_EQ(sorter_open(3, row_cmp, NULL, SORT_MIN_MEMORY - 1, &s),
             DB_ERANGE);
    CHECK(s == NULL);
    CHECK(strstr(db_errmsg(), "too small") != NULL);
    /* Rows so wide that two merge buffers do not fit. */
    CHECK_EQ(sorter_open(2000, row_cmp, NULL, 64 * 1024, &s), DB_ERANGE);
    CHECK_EQ(sorter_open(3, row_cmp, NULL, SORT_MIN_MEMORY, &s), DB_OK);
    sorter_close(s);
}

static void test_a_million_mixed_rows_spilled_match_qsort(void)
{
    CHECK(make_mixed());
    const char *dir = fresh_tmpdir();
    CHECK(dir != NULL);
    SortStats stats;
    const char *why = sort_mixed(64 * 1024, &stats);
    if (why != NULL)
        UNITTEST_FAIL("%s (seed %u)", why, SEED);
    CHECK(stats.rows == MIXED_ROWS);
    /* Many runs, merged in more than one pass. */
    CHECK(stats.runs > 500);
    CHECK(stats.merge_passes >= 2);
    CHECK(stats.bytes_spilled > stats.runs * 1000);
    CHECK_EQ(entries_in(dir), 0);
    CHECK_EQ(nameless_files(), 0);
}

static void test_a_million_mixed_rows_in_memory_match_qsort(void)
{
    CHECK(make_mixed());
    /* Any temporary file would fail here. */
    setenv("TMPDIR", "/nonexistent/strata", 1);
    SortStats stats;
    const char *why = sort_mixed(1024 * MIB, &stats);
    if (why != NULL)
        UNITTEST_FAIL("%s (seed %u)", why, SEED);
    CHECK(stats.rows == MIXED_ROWS);
    CHECK(stats.runs == 0 && stats.bytes_spilled == 0);
    CHECK(stats.merge_passes == 0);
    CHECK(stats.peak_memory <= 1024 * MIB);
    free_mixed();
}

static void test_equal_keys_keep_their_input_order(void)
{
    CHECK(fresh_tmpdir() != NULL);
    SortStats stats;
    const char *why = sort_keys(200000, key_mod_7, NULL, SORT_MIN_MEMORY,
                                &stats);
    if (why != NULL)
        UNITTEST_FAIL("%s", why);
    CHECK(stats.runs > 100 && stats.merge_passes >= 2);
    /* Rows of fixed size fit the budget exactly. */
    CHECK(stats.peak_memory <= SORT_MIN_MEMORY);
    /* All keys equal: the rows come out as they went in. */
    why = sort_keys(100000, key_zero, NULL, SORT_MIN_MEMORY, &stats);
    if (why != NULL)
        UNITTEST_FAIL("%s", why);
    CHECK(stats.runs > 100);
    /* And in memory. */
    why = sort_keys(100000, key_mod_7, NULL, 64 * MIB, &stats);
    if (why != NULL)
        UNITTEST_FAIL("%s", why);
    CHECK(stats.runs == 0);
}

/* Each merge of K runs leaves K - 1 fewer: F while rows come in, F at
 * most at the end; the last merge takes what is left. */
static void test_the_statistics_give_the_shape_of_the_merges(void)
{
    CHECK(fresh_tmpdir() != NULL);
    SortStats st;
    static const size_t rows[] = {5000, 20000, 300000};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *why = sort_keys(rows[i], key_mod_7, NULL,
                                    SORT_MIN_MEMORY, &st);
        if (why != NULL)
            UNITTEST_FAIL("%s", why);
        CHECK(st.budget == SORT_MIN_MEMORY && st.fan_in >= 2);
        CHECK(st.runs > st.fan_in && st.merges >= 1);
        CHECK(st.last_merge >= 2 && st.last_merge <= st.fan_in);
        CHECK(st.last_merge >= st.runs - st.merges * (st.fan_in - 1));
        CHECK(st.last_merge <= st.runs - st.merges);
        CHECK(st.merge_passes >= 2);
    }
    /* 5000 rows: 33 runs of 150 or so, 3 merges of 11, then 3 runs. */
    sort_keys(5000, key_mod_7, NULL, SORT_MIN_MEMORY, &st);
    CHECK(st.last_merge == st.runs - st.merges * (st.fan_in - 1));
    /* Rows that fit: no run, no merge. */
    const char *why = sort_keys(100, key_mod_7, NULL, SORT_MIN_MEMORY, &st);
    if (why != NULL)
        UNITTEST_FAIL("%s", why);
    CHECK(st.runs == 0 && st.merges == 0 && st.last_merge == 0);
}

static void test_descending_order_through_the_comparator(void)
{
    CHECK(fresh_tmpdir() != NULL);
    int descending;
    SortStats stats;
    rng_state = SEED;
    const char *why = sort_keys(200000, key_random, &descending,
                                32 * 1024, &stats);
    if (why != NULL)
        UNITTEST_FAIL("%s (seed %u)", why, SEED);
    CHECK(stats.runs > 10);
    CHECK(stats.peak_memory <= 32 * 1024);
}

static void test_a_row_larger_than_the_budget_is_sorted(void)
{
    const char *dir = fresh_tmpdir();
    CHECK(dir != NULL);
    size_t big = 3 * MIB;
    char *text = malloc(big);
    CHECK(text != NULL);
    for (size_t i = 0; i < big; i++)
        text[i] = (char)('a' + i % 26);
    Sorter *s;
    CHECK_EQ(sorter_open(3, row_cmp, NULL, SORT_MIN_MEMORY, &s), DB_OK);
    for (int64_t i = 0; i < 20000; i++) {
        /* Rows of key i % 100; one holds a 3 MiB text, as its second
         * key, so that the merges compare it whole. */
        Value row[3] = {int_value(i % 100), int_value(0), int_value(i)};
        if (i == 7717)
            row[1] = (Value){.type = VALUE_TEXT,
                             .text = {text, (uint32_t)big}};
        CHECK_EQ(sorter_add(s, row), DB_OK);
    }
    CHECK_EQ(sorter_sort(s), DB_OK);
    int64_t prev = -1, n = 0, n_big = 0;
    for (;;) {
        const Value *row;
        bool done;
        CHECK_EQ(sorter_next(s, &row, &done), DB_OK);
        if (done)
            break;
        CHECK(row[0].i >= prev);
        prev = row[0].i;
        n++;
        if (row[1].type == VALUE_TEXT) {
            CHECK(row[1].text.n == big &&
                  memcmp(row[1].text.s, text, big) == 0);
            CHECK_EQ(row[2].i, 7717);
            n_big++;
        }
    }
    CHECK_EQ(n, 20000);
    CHECK_EQ(n_big, 1);
    SortStats stats;
    sorter_stats(s, &stats);
    CHECK(stats.runs > 100 && stats.merge_passes >= 2);
    /* Past the budget by the long row and no more: its text, its values
     * and the header of the block it is in. */
    CHECK(stats.peak_memory > big);
    CHECK(stats.peak_memory <= SORT_MIN_MEMORY + big + 256);
    sorter_close(s);
    free(text);
    CHECK_EQ(entries_in(dir), 0);
}

static void test_temporary_files_have_no_name(void)
{
    const char *dir = fresh_tmpdir();
    CHECK(dir != NULL);
    Sorter *s;
    CHECK_EQ(sorter_open(3, row_cmp, NULL, SORT_MIN_MEMORY, &s), DB_OK);
    rng_state = SEED;
    SortStats stats = {0};
    for (int64_t i = 0; stats.runs < 40; i++) {
        Value row[3] = {int_value(key_random(0)), int_value(0),
                        int_value(i)};
        CHECK_EQ(sorter_add(s, row), DB_OK);
        sorter_stats(s, &stats);
    }
    /* Runs on disk, open, and not one name in the directory. */
    CHECK(nameless_files() > 0);
    CHECK_EQ(entries_in(dir), 0);
    sorter_close(s);
    CHECK_EQ(nameless_files(), 0);
}

static void test_kill_9_leaves_no_file(void)
{
    const char *dir = fresh_tmpdir();
    CHECK(dir != NULL);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        Sorter *s;
        if (sorter_open(3, row_cmp, NULL, SORT_MIN_MEMORY, &s) != DB_OK)
            _exit(1);
        for (int64_t i = 0; i < 100000; i++) {
            Value row[3] = {int_value(i % 1000), int_value(0),
                            int_value(i)};
            if (sorter_add(s, row) != DB_OK)
                _exit(1);
        }
        raise(SIGKILL);
        _exit(1);
    }
    int status;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    CHECK_EQ(entries_in(dir), 0);
}

static void test_no_temporary_directory_is_a_clear_error(void)
{
    setenv("TMPDIR", "/nonexistent/strata", 1);
    Sorter *s;
    CHECK_EQ(sorter_open(3, row_cmp, NULL, SORT_MIN_MEMORY, &s), DB_OK);
    DbStatus rc = DB_OK;
    for (int64_t i = 0; i < 10000 && rc == DB_OK; i++) {
        Value row[3] = {int_value(i), int_value(0), int_value(i)};
        rc = sorter_add(s, row);
    }
    CHECK_EQ(rc, DB_EIO);
    CHECK_STR(db_errmsg(), "cannot make a temporary file in "
                           "/nonexistent/strata: No such file or directory");
    sorter_close(s);
}

/* The workload of the fault tests: a few merge passes of rows with
 * texts, some of them longer than a merge buffer. */
#define FAULT_ROWS 29400

static void fault_row(int64_t i, Value row[3], char *text)
{
    uint32_t n = i % 997 == 0 ? 3000 : (uint32_t)(i % 23);
    memset(text, 'a' + (int)(i % 3), n);
    row[0] = int_value((i * 7919) % 1000);
    row[1] = (Value){.type = VALUE_TEXT, .text = {text, n}};
    row[2] = int_value(i);
}

/* Runs the fault workload in a child with STRATA_FAULT=FAULT; checks it
 * fails with DB_EIO (or succeeds, if OK_EXPECTED), with its files closed
 * at once and nothing left in the directory; *phase gets the call that
 * failed. */
static const char *fault_run(const char *fault, bool ok_expected,
                             char *phase)
{
    const char *dir = fresh_tmpdir();
    if (dir == NULL)
        return "no directory";
    char out[512];
    if (run_child("faults", fault, dir, out, sizeof out) != 0)
        return "the child failed";
    int rc, open_after_error, open_after_close;
    if (sscanf(out, "%15s %d %d %d", phase, &rc, &open_after_error,
               &open_after_close) != 4)
        return "the child said nothing";
    if (ok_expected ? rc != DB_OK : rc != DB_EIO)
        return "an unexpected status";
    if ((!ok_expected && open_after_error != 0) || open_after_close != 0)
        return "a temporary file stayed open after the error";
    if (entries_in(dir) != 0)
        return "a file was left in the directory";
    return NULL;
}

/* How many I/O points of KIND the fault workload makes. */
static long fault_points(const char *kind)
{
    char spec[512], path[256], phase[16];
    snprintf(path, sizeof path, "%s/points", unittest_dir());
    snprintf(spec, sizeof spec, "count=%s,kind=%s", path, kind);
    if (fault_run(spec, true, phase) != NULL)
        return -1;
    FILE *f = fopen(path, "r");
    long n = -1;
    if (f != NULL) {
        if (fscanf(f, "%ld", &n) != 1)
            n = -1;
        fclose(f);
    }
    return n;
}

/* The calls of the fault workload, in the order it makes them. */
static const char *const PHASES[] = {"add", "sort", "next"};

/* Fails the Nth I/O point of KIND in the fault workload; *rank gets
 * which of PHASES saw the error, and HAVE[*rank] is set. */
static const char *fail_at(const char *kind, long n, bool have[3],
                           int *rank)
{
    char spec[64], phase[16];
    snprintf(spec, sizeof spec, "eio=%ld,kind=%s", n, kind);
    const char *why = fault_run(spec, false, phase);
    for (*rank = 0; why == NULL && *rank < 3; ++*rank)
        if (strcmp(phase, PHASES[*rank]) == 0)
            break;
    if (why == NULL && *rank == 3)
        why = "no call failed";
    if (why != NULL) {
        printf("  at %s: %s\n", spec, why);
        return why;
    }
    have[*rank] = true;
    return NULL;
}

/* Fails the Nth I/O point of KIND for N spread over all of them, the
 * first and the last included, and for the last N of each call and the
 * first of the next (found by bisection); HAVE gets the calls seen. */
static const char *fail_points(const char *kind, bool have[3])
{
    long total = fault_points(kind);
    if (total < 20)
        return "too few I/O points";
    const char *why = NULL;
    int rank;
    for (long i = 0; i <= 12 && why == NULL; i++)
        why = fail_at(kind, 1 + (total - 1) * i / 12, have, &rank);
    for (int next = 1; next < 3 && why == NULL; next++) {
        /* The first point that fails in PHASES[next] or later. */
        long lo = 1, hi = total + 1;
        while (lo < hi && why == NULL) {
            long mid = lo + (hi - lo) / 2;
            why = fail_at(kind, mid, have, &rank);
            if (rank >= next)
                hi = mid;
            else
                lo = mid + 1;
        }
        if (why == NULL && lo > 1)
            why = fail_at(kind, lo - 1, have, &rank);
    }
    return why;
}

static void test_eio_in_a_run_write_fails_cleanly(void)
{
    bool have[3] = {false};
    const char *why = fail_points("write", have);
    if (why != NULL)
        UNITTEST_FAIL("%s", why);
    /* Writes of runs while rows come, and of the merges at the end. */
    CHECK(have[0] && have[1] && !have[2]);
}

static void test_eio_in_a_run_read_fails_cleanly(void)
{
    bool have[3] = {false};
    const char *why = fail_points("read", have);
    if (why != NULL)
        UNITTEST_FAIL("%s", why);
    /* Reads of merges while rows come, at the end, and of the last
     * merge, which sorter_next drives. */
    CHECK(have[0] && have[1] && have[2]);
}

static void test_eio_in_removing_the_name_leaves_no_file(void)
{
    /* The first I/O point of all is the first file's os_unlink. */
    char phase[16];
    const char *why = fault_run("eio=1", false, phase);
    if (why != NULL)
        UNITTEST_FAIL("%s", why);
    CHECK_STR(phase, "add");
}

/* Overwrites the bytes of the first run at OFFSET (the run's first row,
 * drawn in sort.c) with BYTES, or cuts the file at OFFSET when BYTES is
 * NULL, and checks that sorter_sort finds the damage. */
static const char *damage(uint64_t offset, const char *bytes, size_t n)
{
    Sorter *s;
    if (fresh_tmpdir() == NULL ||
        sorter_open(3, row_cmp, NULL, SORT_MIN_MEMORY, &s) != DB_OK)
        return "no sorter";
    SortStats stats = {0};
    Value row[3] = {int_value(5), {.type = VALUE_BOOLEAN, .b = true},
                    {.type = VALUE_TEXT, .text = {"abc", 3}}};
    while (stats.runs < 3) {
        if (sorter_add(s, row) != DB_OK)
            return "sorter_add failed";
        sorter_stats(s, &stats);
    }
    int damaged = 0;
    for (int fd = 0; fd < 1024; fd++) {
        struct stat st;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink)
            continue;
        if (bytes != NULL ? pwrite(fd, bytes, n, (off_t)offset) == (ssize_t)n
                          : ftruncate(fd, (off_t)offset) == 0)
            damaged++;
    }
    DbStatus rc = sorter_sort(s);
    const char *why = damaged != 1     ? "not one temporary file"
                      : rc != DB_ECORRUPT ? "the damage went unseen"
                      : strstr(db_errmsg(), "temporary file of the sort is "
                                            "damaged") == NULL
                          ? "another reason"
                          : NULL;
    sorter_close(s);
    return why;
}

static void test_damaged_runs_are_corrupt(void)
{
    /* The first row: 09 | 01 0a | 04 01 | 03 03 'a' 'b' 'c' */
    static const struct {
        uint64_t offset;
        const char *bytes;
        size_t n;
    } cases[] = {
        {1, "\x09", 1},          /* an unknown tag */
        {4, "\x02", 1},          /* a boolean of 2 */
        {6, "\x64", 1},          /* a text past its row */
        {6, "\x80", 1},          /* a text length cut short */
        {2, "\x80\x80", 2},      /* an integer cut short */
        {0, "\x08", 1},          /* a row a byte short of its values */
        {0, "\x0a", 1},          /* a row with a byte left over */
        {0, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 10}, /* no varint */
        {0, "\xff\xff\xff\xff\x0f", 5}, /* a row past its run */
        {0, "\x00", 1},          /* a row with no values */
        {5, NULL, 0},            /* the file cut inside the first row */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *why = damage(cases[i].offset, cases[i].bytes, cases[i].n);
        if (why != NULL)
            UNITTEST_FAIL("case %zu: %s", i, why);
    }
}

/* --- the children ----------------------------------------------------- */

/* Sorts 1,000,000 rows of about 100 bytes in 4 MiB; prints "ok", the
 * process's peak memory in KiB, runs, passes and the sorter's peak. */
static int child_peak(void)
{
    Sorter *s;
    if (sorter_open(3, row_cmp, NULL, 4 * MIB, &s) != DB_OK)
        return 1;
    rng_state = SEED;
    char text[100];
    for (int64_t i = 0; i < 1000000; i++) {
        uint32_t n = 70 + (uint32_t)below(20);
        for (uint32_t j = 0; j < n; j++)
            text[j] = (char)('a' + below(26));
        Value row[3] = {int_value((int64_t)below(100000)),
                        {.type = VALUE_TEXT, .text = {text, n}},
                        int_value(i)};
        if (sorter_add(s, row) != DB_OK)
            return 1;
    }
    if (sorter_sort(s) != DB_OK)
        return 1;
    int64_t prev_key = -1, n = 0;
    for (;;) {
        const Value *row;
        bool done;
        if (sorter_next(s, &row, &done) != DB_OK)
            return 1;
        if (done)
            break;
        if (row[0].i < prev_key)
            return 2;
        prev_key = row[0].i;
        n++;
    }
    if (n != 1000000)
        return 3;
    SortStats stats;
    sorter_stats(s, &stats);
    sorter_close(s);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("ok %ld %llu %u %zu\n", usage.ru_maxrss,
           (unsigned long long)stats.runs, stats.merge_passes,
           stats.peak_memory);
    return 0;
}

/* Runs the fault workload; prints the call that failed (none), its
 * status, the nameless files open after it and after sorter_close, and
 * the runs and merge passes. */
static int child_faults(void)
{
    Sorter *s;
    if (sorter_open(3, row_cmp, NULL, SORT_MIN_MEMORY, &s) != DB_OK)
        return 1;
    const char *phase = "none";
    DbStatus rc = DB_OK;
    char text[4096];
    for (int64_t i = 0; i < FAULT_ROWS && rc == DB_OK; i++) {
        Value row[3];
        fault_row(i, row, text);
        if ((rc = sorter_add(s, row)) != DB_OK)
            phase = "add";
    }
    if (rc == DB_OK && (rc = sorter_sort(s)) != DB_OK)
        phase = "sort";
    int64_t n = 0;
    while (rc == DB_OK) {
        const Value *row;
        bool done;
        if ((rc = sorter_next(s, &row, &done)) != DB_OK)
            phase = "next";
        else if (done)
            break;
        else
            n++;
    }
    if (rc == DB_OK && n != FAULT_ROWS)
        return 2;
    int open_after_error = nameless_files();
    SortStats stats;
    sorter_stats(s, &stats);
    sorter_close(s);
    printf("%s %d %d %d runs %llu passes %u\n", phase, (int)rc,
           open_after_error, nameless_files(),
           (unsigned long long)stats.runs, stats.merge_passes);
    return 0;
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc == 2 && strcmp(argv[1], "peak") == 0)
        return child_peak();
    if (argc == 2 && strcmp(argv[1], "faults") == 0)
        return child_faults();
    if (unittest_dir() == NULL) {
        perror("mkdtemp");
        return 1;
    }
    /* First, while this process is small: a child's peak memory counts
     * this process's at the fork. */
    RUN(test_a_million_rows_in_4_mib_stay_under_32_mib);
    RUN(test_sorts_in_crash_mode);
    RUN(test_no_rows_and_one_row);
    RUN(test_a_budget_too_small_is_refused);
    RUN(test_a_million_mixed_rows_spilled_match_qsort);
    RUN(test_a_million_mixed_rows_in_memory_match_qsort);
    RUN(test_equal_keys_keep_their_input_order);
    RUN(test_the_statistics_give_the_shape_of_the_merges);
    RUN(test_descending_order_through_the_comparator);
    RUN(test_a_row_larger_than_the_budget_is_sorted);
    RUN(test_temporary_files_have_no_name);
    RUN(test_kill_9_leaves_no_file);
    RUN(test_no_temporary_directory_is_a_clear_error);
    RUN(test_eio_in_a_run_write_fails_cleanly);
    RUN(test_eio_in_a_run_read_fails_cleanly);
    RUN(test_eio_in_removing_the_name_leaves_no_file);
    RUN(test_damaged_runs_are_corrupt);
    free_mixed();
    return unittest_report();
}
