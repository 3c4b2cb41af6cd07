/*
 * test_wal.c - the log on its own: records that come back after a crash,
 * and those that must not; and transactions that roll back.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bufpool.h"
#include "crc32c.h"
#include "os.h"
#include "pager.h"
#include "unittest.h"
#include "wal.h"

static char path[64];

static void fresh_path(void)
{
    static int n;
    snprintf(path, sizeof path, "%s/w%d.db", unittest_dir(), ++n);
}

/* Remembers the pages recovery hands over. */
typedef struct Seen {
    int n;
    uint32_t page_nums[16];
    uint8_t first_bytes[16];
} Seen;

static DbStatus remember(void *ctx, uint32_t page_num, const uint8_t *image)
{
    Seen *seen = ctx;
    seen->page_nums[seen->n] = page_num;
    seen->first_bytes[seen->n++] = image[0];
    return DB_OK;
}

#define DB_ID 0x5EED
/* The database file that write_three's log belongs to: three pages, of
 * database DB_ID, and no checkpoint yet. */
static const WalTarget home = {.db_id = DB_ID, .n_pages = 3};

/* Appends transactions 1, 2 and 3, each writing page 1 with its number
 * as the first byte; transaction 2 also writes page 2. */
static void write_three(void)
{
    Wal *wal;
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    wal_set_db_id(wal, DB_ID);
    uint8_t a[PAGE_SIZE], b[PAGE_SIZE];
    uint8_t *pages[2] = {a, b};
    uint32_t nums[2] = {1, 2};
    for (uint64_t txn = 1; txn <= 3; txn++) {
        memset(a, (int)txn, sizeof a);
        memset(b, 0x20 + (int)txn, sizeof b);
        CHECK_EQ(wal_commit(wal, txn, nums, pages, txn == 2 ? 2 : 1, 3),
                 DB_OK);
    }
    wal_close(wal);
}

static long log_size(void)
{
    char log[80];
    snprintf(log, sizeof log, "%s-wal", path);
    FILE *f = fopen(log, "rb");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    return size;
}

static void cut_log(long size)
{
    char log[80];
    snprintf(log, sizeof log, "%s-wal", path);
    CHECK(truncate(log, size) == 0);
}

static void poke_log(long offset, uint8_t byte)
{
    char log[80];
    snprintf(log, sizeof log, "%s-wal", path);
    FILE *f = fopen(log, "r+b");
    fseek(f, offset, SEEK_SET);
    fputc(byte, f);
    fclose(f);
}

static void test_crc32c_check_value(void)
{
    CHECK_EQ(crc32c(0, "123456789", 9), 0xE3069283u);
    /* In pieces, the same. */
    CHECK_EQ(crc32c(crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
}

static void test_committed_transactions_come_back_in_order(void)
{
    fresh_path();
    write_three();
    Wal *wal;
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    Seen seen = {0};
    WalRecovery result;
    CHECK_EQ(wal_recover(wal, &home, remember, &seen, &result), DB_OK);
    CHECK(result.found);
    CHECK_EQ(result.replayed, 3);
    CHECK_EQ(result.dropped_bytes, 0);
    CHECK_EQ(result.last_txn, 3);
    CHECK_EQ(seen.n, 4);
    CHECK_EQ(seen.first_bytes[0], 1);
    CHECK_EQ(seen.page_nums[2], 2);
    CHECK_EQ(seen.first_bytes[3], 3);
    wal_close(wal);
}

static void test_a_torn_tail_is_dropped(void)
{
    fresh_path();
    write_three();
    long size = log_size();
    cut_log(size - 100); /* the last commit loses its page's end */
    Wal *wal;
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    Seen seen = {0};
    WalRecovery result;
    CHECK_EQ(wal_recover(wal, &home, remember, &seen, &result), DB_OK);
    CHECK_EQ(result.replayed, 2);
    CHECK_EQ(result.last_txn, 2);
    CHECK_EQ(result.dropped_bytes, WAL_RECORD_HEADER_SIZE + PAGE_SIZE +
                                       WAL_RECORD_HEADER_SIZE - 100);
    CHECK_EQ(seen.n, 3);
    wal_close(wal);
}

static void test_a_bad_checksum_stops_recovery_there(void)
{
    fresh_path();
    write_three();
    /* A byte inside transaction 2's first page image. */
    long txn2 = WAL_HEADER_SIZE + WAL_RECORD_HEADER_SIZE + PAGE_SIZE +
                WAL_RECORD_HEADER_SIZE;
    poke_log(txn2 + WAL_RECORD_HEADER_SIZE + 100, 0x77);
    Wal *wal;
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    Seen seen = {0};
    WalRecovery result;
    CHECK_EQ(wal_recover(wal, &home, remember, &seen, &result), DB_OK);
    CHECK_EQ(result.replayed, 1);
    CHECK(strstr(result.reason, "bad checksum") != NULL);
    CHECK_EQ(result.dropped_bytes, log_size() - txn2);
    CHECK_EQ(seen.n, 1);
    wal_close(wal);
}

static void test_a_damaged_header_is_refused(void)
{
    fresh_path();
    write_three();
    poke_log(5, 'x');
    Wal *wal;
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    Seen seen = {0};
    WalRecovery result;
    CHECK_EQ(wal_recover(wal, &home, remember, &seen, &result), DB_ECORRUPT);
    CHECK_EQ(seen.n, 0);
    wal_close(wal);
}

static void test_a_header_of_zeros_alone_is_dropped(void)
{
    fresh_path();
    write_three();
    cut_log(WAL_HEADER_SIZE);
    for (long i = 0; i < WAL_HEADER_SIZE; i++)
        poke_log(i, 0);
    Wal *wal;
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    Seen seen = {0};
    WalRecovery result;
    CHECK_EQ(wal_recover(wal, &home, remember, &seen, &result), DB_OK);
    CHECK(result.found);
    CHECK_EQ(result.replayed, 0);
    CHECK_EQ(seen.n, 0);
    wal_close(wal);
}

static void test_a_header_of_zeros_before_records_is_refused(void)
{
    fresh_path();
    write_three();
    for (long i = 0; i < WAL_HEADER_SIZE; i++)
        poke_log(i, 0);
    Wal *wal;
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    Seen seen = {0};
    WalRecovery result;
    CHECK_EQ(wal_recover(wal, &home, remember, &seen, &result),
             DB_ECORRUPT);
    CHECK_EQ(seen.n, 0);
    wal_close(wal);
}

static void test_another_databases_log_is_refused(void)
{
    fresh_path();
    write_three();
    Wal *wal;
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    Seen seen = {0};
    WalRecovery result;
    WalTarget other = home;
    other.db_id = DB_ID + 1;
    CHECK_EQ(wal_recover(wal, &other, remember, &seen, &result),
             DB_EMISMATCH);
    CHECK_EQ(seen.n, 0);
    wal_close(wal);
}

static void test_a_log_of_another_point_is_refused(void)
{
    fresh_path();
    write_three();
    Wal *wal;
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    Seen seen = {0};
    WalRecovery result;
    /* The file was checkpointed since this log (a stale log) ... */
    WalTarget later = home;
    later.checkpoint = 2;
    CHECK_EQ(wal_recover(wal, &later, remember, &seen, &result),
             DB_EMISMATCH);
    CHECK(strstr(db_errmsg(), "is stale") != NULL);
    CHECK_EQ(seen.n, 0);
    wal_close(wal);

    /* ... or the log follows a checkpoint the file never had (an older
     * copy of the file). */
    fresh_path();
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    wal_set_db_id(wal, DB_ID);
    uint8_t a[PAGE_SIZE] = {4};
    uint8_t *pages[1] = {a};
    uint32_t one = 1;
    CHECK_EQ(wal_commit(wal, 4, &one, pages, 1, 3), DB_OK);
    wal_close(wal);
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    CHECK_EQ(wal_recover(wal, &home, remember, &seen, &result),
             DB_EMISMATCH);
    CHECK(strstr(db_errmsg(), "only up to 0") != NULL);
    later.checkpoint = 3;
    CHECK_EQ(wal_recover(wal, &later, remember, &seen, &result), DB_OK);
    CHECK_EQ(seen.n, 1);
    wal_close(wal);
}

static void test_the_log_a_checkpoint_wrote_is_redone(void)
{
    fresh_path();
    write_three();
    Wal *wal;
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    Seen seen = {0};
    WalRecovery result;
    CHECK_EQ(wal_recover(wal, &home, remember, &seen, &result), DB_OK);
    uint8_t header[PAGE_SIZE];
    memset(header, 0x99, sizeof header);
    CHECK_EQ(wal_checkpoint(wal, 3, 3, header), DB_OK);
    wal_close(wal);

    /* The crash came after the file's header said 3, before the log
     * started over: the log is redone, the header page with it. */
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    seen.n = 0;
    WalTarget done = home;
    done.checkpoint = 3;
    CHECK_EQ(wal_recover(wal, &done, remember, &seen, &result), DB_OK);
    CHECK(result.checkpointed);
    CHECK_EQ(result.replayed, 3);
    CHECK_EQ(seen.n, 5);
    CHECK_EQ(seen.page_nums[4], 0);
    CHECK_EQ(seen.first_bytes[4], 0x99);
    /* A file checkpointed at 2 is neither. */
    done.checkpoint = 2;
    CHECK_EQ(wal_recover(wal, &done, remember, &seen, &result),
             DB_EMISMATCH);
    wal_close(wal);
}

/* Writes one transaction, number 1, of page PAGE_NUM, and a commit that
 * counts DB_PAGES pages: what a crafted log could hold. */
static void write_one(uint32_t page_num, uint32_t db_pages)
{
    Wal *wal;
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    wal_set_db_id(wal, DB_ID);
    uint8_t a[PAGE_SIZE] = {7};
    uint8_t *pages[1] = {a};
    CHECK_EQ(wal_commit(wal, 1, &page_num, pages, 1, db_pages), DB_OK);
    wal_close(wal);
}

static void test_page_numbers_past_the_commits_count_are_refused(void)
{
    Seen seen = {0};
    WalRecovery result;
    Wal *wal;
    /* A page beyond the count of its own commit ... */
    fresh_path();
    write_one(5, 3);
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    CHECK_EQ(wal_recover(wal, &home, remember, &seen, &result),
             DB_ECORRUPT);
    wal_close(wal);
    /* ... and a count that grows the file by more pages than the
     * transaction wrote: 16 TiB of file for one page of log. */
    fresh_path();
    write_one(UINT32_MAX - 1, UINT32_MAX);
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    CHECK_EQ(wal_recover(wal, &home, remember, &seen, &result),
             DB_ECORRUPT);
    CHECK_EQ(seen.n, 0);
    wal_close(wal);
    /* The same page, within the file's count, is fine. */
    fresh_path();
    write_one(2, 3);
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    CHECK_EQ(wal_recover(wal, &home, remember, &seen, &result), DB_OK);
    CHECK_EQ(seen.n, 1);
    wal_close(wal);
}

static void test_a_commit_to_a_removed_log_fails(void)
{
    fresh_path();
    Wal *wal;
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    wal_set_db_id(wal, DB_ID);
    uint8_t a[PAGE_SIZE] = {1};
    uint8_t *pages[1] = {a};
    uint32_t one = 1;
    CHECK_EQ(wal_commit(wal, 1, &one, pages, 1, 2), DB_OK);
    CHECK(unlink(wal_path(wal)) == 0);
    CHECK_EQ(wal_commit(wal, 2, &one, pages, 1, 2), DB_EIO);
    CHECK(strstr(db_errmsg(), "removed or replaced") != NULL);
    wal_close(wal);
}

/* Runs ILLEGAL in a child process, which must die of a failed assert. */
static int aborts(void (*illegal)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        illegal();
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void begin_twice(void)
{
    Pager *pager;
    if (pager_open(path, 16, &evict_lru, &pager) == DB_OK &&
        pager_begin(pager) == DB_OK)
        pager_begin(pager);
}

static void test_a_nested_begin_is_a_bug(void)
{
    fresh_path();
    CHECK(aborts(begin_twice));
}

static void test_rollback_restores_pages_and_length(void)
{
    fresh_path();
    Pager *pager;
    CHECK_EQ(pager_open(path, 16, &evict_lru, &pager), DB_OK);
    CHECK_EQ(pager_begin(pager), DB_OK);
    CHECK_EQ(pager_commit(pager), DB_OK); /* the header page */
    CHECK_EQ(pager_page_count(pager), 1);

    uint8_t *header;
    CHECK_EQ(pager_get_page(pager, 0, &header), DB_OK);
    uint8_t before[PAGE_SIZE];
    memcpy(before, header, PAGE_SIZE);
    CHECK_EQ(pager_begin(pager), DB_OK);
    CHECK_EQ(pager_write(pager, 0), DB_OK);
    memset(header + 100, 0xAB, 50);
    uint32_t page_num;
    CHECK_EQ(pager_allocate_page(pager, &page_num), DB_OK);
    CHECK_EQ(pager_page_count(pager), 2);
    /* A rollback drops the changed frames (nothing may be pinned): the
     * old bytes come back from the log. */
    pager_release(pager, 0);
    pager_rollback(pager);
    CHECK_EQ(pager_page_count(pager), 1);
    CHECK_EQ(pager_get_page(pager, 0, &header), DB_OK);
    CHECK(memcmp(header, before, PAGE_SIZE) == 0);
    pager_release(pager, 0);
    CHECK_EQ(bufpool_pinned(pager_pool(pager)), 0);
    CHECK_EQ(pager_close(pager), DB_OK);
}

/* Transaction 1 commits page 1; transaction 2 spills pages 2 and 1,
 * rolls back, and commits page 1 again under the same id. */
static void write_a_rolled_back_spill(bool abort_record)
{
    Wal *wal;
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    wal_set_db_id(wal, DB_ID);
    uint8_t a[PAGE_SIZE];
    uint8_t *pages[1] = {a};
    uint32_t one = 1;
    memset(a, 1, sizeof a);
    CHECK_EQ(wal_commit(wal, 1, &one, pages, 1, 3), DB_OK);
    memset(a, 0x77, sizeof a);
    CHECK_EQ(wal_spill(wal, 2, 2, a), DB_OK);
    CHECK_EQ(wal_spill(wal, 2, 1, a), DB_OK);
    uint64_t offset;
    bool running;
    CHECK(wal_lookup(wal, 2, &offset, &running) && running);
    CHECK_EQ(wal_rollback(wal, 2, !abort_record), DB_OK);
    /* The index is as before the transaction. */
    CHECK(!wal_lookup(wal, 2, &offset, &running));
    CHECK(wal_lookup(wal, 1, &offset, &running) && !running);
    CHECK_EQ(offset, WAL_HEADER_SIZE);
    memset(a, 2, sizeof a);
    CHECK_EQ(wal_commit(wal, abort_record ? 2 : 3, &one, pages, 1, 3),
             DB_OK);
    wal_close(wal);
}

static void test_a_rolled_back_spill_is_not_redone(void)
{
    fresh_path();
    write_a_rolled_back_spill(true);
    Wal *wal;
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    Seen seen = {0};
    WalRecovery result;
    CHECK_EQ(wal_recover(wal, &home, remember, &seen, &result), DB_OK);
    CHECK_EQ(result.replayed, 2);
    CHECK_EQ(result.last_txn, 2);
    CHECK_EQ(result.dropped_bytes, 0);
    /* Page 1 of transaction 1, then of transaction 2; nothing spilled. */
    CHECK_EQ(seen.n, 2);
    CHECK_EQ(seen.page_nums[0], 1);
    CHECK_EQ(seen.first_bytes[0], 1);
    CHECK_EQ(seen.page_nums[1], 1);
    CHECK_EQ(seen.first_bytes[1], 2);
    wal_close(wal);
}

static void test_a_gap_without_an_abort_record_is_refused(void)
{
    /* Records of transaction 2 with neither commit nor abort, then
     * transaction 3: no crash writes that, and no rollback does. */
    fresh_path();
    write_a_rolled_back_spill(false);
    Wal *wal;
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    Seen seen = {0};
    WalRecovery result;
    CHECK_EQ(wal_recover(wal, &home, remember, &seen, &result),
             DB_ECORRUPT);
    CHECK(strstr(db_errmsg(), "out of order, transaction 3") != NULL);
    CHECK_EQ(seen.n, 0);
    wal_close(wal);
}

/* Spills page PAGE_NUM, full of BYTE, in transaction TXN; returns where
 * the index then says its image is (UINT64_MAX if not in the running
 * transaction, or if the spill failed). */
static uint64_t spill_page(Wal *wal, uint64_t txn, uint32_t page_num,
                           uint8_t byte)
{
    uint8_t a[PAGE_SIZE];
    memset(a, byte, sizeof a);
    uint64_t offset;
    bool running;
    if (wal_spill(wal, txn, page_num, a) != DB_OK ||
        !wal_lookup(wal, page_num, &offset, &running) || !running)
        return UINT64_MAX;
    return offset;
}

/* Commits transaction TXN with page PAGE_NUM, full of BYTE. */
static void commit_page(Wal *wal, uint64_t txn, uint32_t page_num,
                        uint8_t byte)
{
    uint8_t a[PAGE_SIZE];
    uint8_t *pages[1] = {a};
    memset(a, byte, sizeof a);
    CHECK_EQ(wal_commit(wal, txn, &page_num, pages, 1, 4), DB_OK);
}

static void test_a_page_spilled_again_is_written_over_its_record(void)
{
    fresh_path();
    Wal *wal;
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    wal_set_db_id(wal, DB_ID);
    commit_page(wal, 1, 1, 0x01);

    /* Transaction 2 spills page 2 twice: the second image goes where the
     * first was, and the log does not grow. */
    uint64_t at2 = spill_page(wal, 2, 2, 0x70);
    uint64_t at1 = spill_page(wal, 2, 1, 0x71);
    CHECK(at2 < at1 && at1 != UINT64_MAX);
    long size = log_size();
    CHECK_EQ(spill_page(wal, 2, 2, 0x72), at2);
    CHECK_EQ(log_size(), size);
    WalStats stats;
    wal_stats(wal, &stats);
    CHECK_EQ(stats.page_records, 3);
    uint8_t page[PAGE_SIZE];
    CHECK_EQ(wal_read_image(wal, at2, 2, page), DB_OK);
    CHECK_EQ(page[0], 0x72);
    commit_page(wal, 2, 3, 0x73);

    /* A page that an earlier transaction spilled is committed: the next
     * transaction appends its image rather than overwrite that one. */
    uint64_t at2_again = spill_page(wal, 3, 2, 0x80);
    CHECK(at2_again > at2 && at2_again != UINT64_MAX);
    CHECK_EQ(wal_commit(wal, 3, NULL, NULL, 0, 4), DB_OK);

    /* Written over, then rolled back: the index points at the committed
     * image again, which the rewrite did not touch. */
    uint64_t at1_again = spill_page(wal, 4, 1, 0x90);
    CHECK(at1_again > at1 && at1_again != UINT64_MAX);
    CHECK_EQ(spill_page(wal, 4, 1, 0x91), at1_again);
    CHECK_EQ(wal_rollback(wal, 4, false), DB_OK);
    uint64_t offset;
    bool running;
    CHECK(wal_lookup(wal, 1, &offset, &running) && !running);
    CHECK_EQ(offset, at1);
    CHECK_EQ(wal_read_image(wal, at1, 1, page), DB_OK);
    CHECK_EQ(page[0], 0x71);
    commit_page(wal, 4, 3, 0x94);
    wal_close(wal);

    /* Recovery sees each transaction's newest images only. */
    CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
    Seen seen = {0};
    WalRecovery result;
    const WalTarget four = {.db_id = DB_ID, .n_pages = 4};
    CHECK_EQ(wal_recover(wal, &four, remember, &seen, &result), DB_OK);
    CHECK_EQ(result.replayed, 4);
    CHECK_EQ(result.dropped_bytes, 0);
    static const uint8_t want_pages[] = {1, 2, 1, 3, 2, 3};
    static const uint8_t want_bytes[] = {0x01, 0x72, 0x71, 0x73, 0x80, 0x94};
    CHECK_EQ(seen.n, 6);
    for (int i = 0; i < 6 && i < seen.n; i++) {
        CHECK_EQ(seen.page_nums[i], want_pages[i]);
        CHECK_EQ(seen.first_bytes[i], want_bytes[i]);
    }
    wal_close(wal);
}

/* --- a crash as a commit after a rewrite ---------------------------- */

static const char *self; /* this program, run again as a child */

/* The child's work, as "self rewrite PATH": transaction 1 commits page 1
 * full of 0x01; transaction 2 spills page 1 full of 0x02, then full of
 * 0x03 over it, and commits page 2 full of 0x04. */
static int child_rewrite(const char *db)
{
    Wal *wal;
    uint8_t a[PAGE_SIZE];
    uint8_t *pages[1] = {a};
    uint32_t one = 1, two = 2;
    if (wal_open(db, PAGE_SIZE, &wal) != DB_OK)
        return 2;
    wal_set_db_id(wal, DB_ID);
    memset(a, 0x01, sizeof a);
    DbStatus rc = wal_commit(wal, 1, &one, pages, 1, 3);
    memset(a, 0x02, sizeof a);
    if (rc == DB_OK)
        rc = wal_spill(wal, 2, 1, a);
    memset(a, 0x03, sizeof a);
    if (rc == DB_OK)
        rc = wal_spill(wal, 2, 1, a);
    memset(a, 0x04, sizeof a);
    if (rc == DB_OK)
        rc = wal_commit(wal, 2, &two, pages, 1, 3);
    wal_close(wal);
    return rc == DB_OK ? 0 : 2;
}

/* Runs the child with STRATA_FAULT=FAULT on PATH; its exit status, or -1
 * if it did not exit. */
static int run_rewrite(const char *fault)
{
    pid_t pid = fork();
    if (pid == 0) {
        setenv("STRATA_FAULT", fault, 1);
        execl(self, self, "rewrite", path, (char *)NULL);
        _exit(127);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The power cut at each sync of the child, with 150 fates for the
 * writes waiting (each kept, dropped or torn): recovery finds
 * transaction 1, or both whole, and never the image of page 1 that was
 * written over. (Without the sync before the commit record, a fate that
 * keeps the first spill and the commit but drops the second brings
 * 0x02 back: one in about 27.) */
static void test_a_crash_never_brings_back_an_image_written_over(void)
{
    int whole = 0, first_only = 0;
    for (int sync = 1; sync <= 5; sync++) {
        for (int seed = 1; seed <= 150; seed++) {
            fresh_path();
            char fault[64];
            snprintf(fault, sizeof fault, "crash=%d,seed=%d,kind=sync",
                     sync, seed);
            int status = run_rewrite(fault);
            CHECK(status == OS_CRASH_STATUS || status == 0);
            Wal *wal;
            CHECK_EQ(wal_open(path, PAGE_SIZE, &wal), DB_OK);
            Seen seen = {0};
            WalRecovery result;
            CHECK_EQ(wal_recover(wal, &home, remember, &seen, &result),
                     DB_OK);
            wal_close(wal);
            if (result.replayed == 2) {
                whole++;
                CHECK_EQ(seen.n, 3);
                CHECK(seen.page_nums[1] == 1 && seen.first_bytes[1] == 0x03);
                CHECK(seen.page_nums[2] == 2 && seen.first_bytes[2] == 0x04);
            } else if (result.replayed == 1) {
                first_only++;
                CHECK_EQ(seen.n, 1);
                CHECK(seen.page_nums[0] == 1 && seen.first_bytes[0] == 0x01);
            } else {
                CHECK_EQ(seen.n, 0);
            }
        }
    }
    /* Both outcomes came up: the crashes fell where they matter. */
    CHECK(whole > 0 && first_only > 0);
}

/* Sets byte 100 of page PAGE_NUM to BYTE in the running transaction. */
static void put_byte(Pager *pager, uint32_t page_num, uint8_t byte)
{
    uint8_t *page;
    CHECK_EQ(pager_write(pager, page_num), DB_OK);
    CHECK_EQ(pager_get_page(pager, page_num, &page), DB_OK);
    page[100] = byte;
    pager_release(pager, page_num);
}

/* Byte 100 of page PAGE_NUM; -1 if the page cannot be read. */
static int get_byte(Pager *pager, uint32_t page_num)
{
    uint8_t *page;
    if (pager_get_page(pager, page_num, &page) != DB_OK)
        return -1;
    int byte = page[100];
    pager_release(pager, page_num);
    return byte;
}

static void test_a_crash_after_a_rolled_back_spill_recovers(void)
{
    fresh_path();
    Pager *pager;
    CHECK_EQ(pager_open(path, POOL_MIN_FRAMES, &evict_lru, &pager), DB_OK);
    CHECK_EQ(pager_begin(pager), DB_OK);
    for (uint32_t i = 1; i <= 20; i++) {
        uint32_t page_num;
        CHECK_EQ(pager_allocate_page(pager, &page_num), DB_OK);
        put_byte(pager, page_num, 0x11);
    }
    CHECK_EQ(pager_commit(pager), DB_OK);
    /* Twenty pages through eight frames: most are spilled, then it all
     * rolls back. */
    CHECK_EQ(pager_begin(pager), DB_OK);
    for (uint32_t i = 1; i <= 20; i++)
        put_byte(pager, i, 0x77);
    BufPoolStats stats;
    bufpool_stats(pager_pool(pager), &stats);
    CHECK(stats.spills >= 12);
    pager_rollback(pager);
    CHECK_EQ(get_byte(pager, 5), 0x11);
    CHECK_EQ(pager_begin(pager), DB_OK);
    put_byte(pager, 3, 0x33);
    CHECK_EQ(pager_commit(pager), DB_OK);
    /* The power goes: no checkpoint, the log stays. */
    pager_discard(pager);

    CHECK_EQ(pager_open(path, POOL_MIN_FRAMES, &evict_lru, &pager), DB_OK);
    PagerLogInfo info;
    pager_log_info(pager, &info);
    CHECK_EQ(info.recovery.replayed, 2);
    CHECK_EQ(get_byte(pager, 3), 0x33);
    for (uint32_t i = 1; i <= 20; i++)
        if (i != 3)
            CHECK_EQ(get_byte(pager, i), 0x11);
    CHECK_EQ(pager_close(pager), DB_OK);
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc == 3 && strcmp(argv[1], "rewrite") == 0)
        return child_rewrite(argv[2]);
    if (unittest_dir() == NULL) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_crc32c_check_value);
    RUN(test_committed_transactions_come_back_in_order);
    RUN(test_a_torn_tail_is_dropped);
    RUN(test_a_bad_checksum_stops_recovery_there);
    RUN(test_a_damaged_header_is_refused);
    RUN(test_a_header_of_zeros_alone_is_dropped);
    RUN(test_a_header_of_zeros_before_records_is_refused);
    RUN(test_another_databases_log_is_refused);
    RUN(test_a_log_of_another_point_is_refused);
    RUN(test_the_log_a_checkpoint_wrote_is_redone);
    RUN(test_page_numbers_past_the_commits_count_are_refused);
    RUN(test_a_commit_to_a_removed_log_fails);
    RUN(test_a_nested_begin_is_a_bug);
    RUN(test_rollback_restores_pages_and_length);
    RUN(test_a_rolled_back_spill_is_not_redone);
    RUN(test_a_gap_without_an_abort_record_is_refused);
    RUN(test_a_crash_after_a_rolled_back_spill_recovers);
    RUN(test_a_page_spilled_again_is_written_over_its_record);
    RUN(test_a_crash_never_brings_back_an_image_written_over);
    return unittest_report();
}
