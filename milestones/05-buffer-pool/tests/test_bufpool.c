/*
 * test_bufpool.c - the buffer pool on its own, over a pretend file: which
 * frame each policy gives up for a given sequence of pages, and the
 * frames no policy may take.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bufpool.h"
#include "unittest.h"

/* The pretend file: page N is full of the byte N; write-backs and
 * spills are recorded in order. */
static uint32_t written[16], spilled[16];
static int n_written, n_spilled;

static DbStatus fake_read(void *ctx, uint32_t page_num, uint8_t *page,
                          FrameState *state, uint64_t *txn)
{
    (void)ctx;
    memset(page, (int)page_num, PAGE_SIZE);
    *state = FRAME_CLEAN;
    *txn = 0;
    return DB_OK;
}

static DbStatus fake_write_back(void *ctx, uint32_t page_num,
                                const uint8_t *page, uint64_t txn)
{
    (void)ctx;
    (void)page;
    (void)txn;
    written[n_written++] = page_num;
    return DB_OK;
}

static DbStatus fake_spill(void *ctx, uint32_t page_num, const uint8_t *page)
{
    (void)ctx;
    (void)page;
    spilled[n_spilled++] = page_num;
    return DB_OK;
}

static BufPool *make_pool(uint32_t n_frames, const EvictPolicy *policy)
{
    BufPool *pool;
    BufPoolIo io = {NULL, fake_read, fake_write_back, fake_spill};
    n_written = n_spilled = 0;
    return bufpool_open(n_frames, policy, io, &pool) == DB_OK ? pool : NULL;
}

/* Pins and unpins each page of PAGES in turn (0 ends the list). */
static DbStatus use(BufPool *pool, const uint32_t *pages)
{
    for (; *pages != 0; pages++) {
        uint8_t *page;
        DbStatus rc = bufpool_pin(pool, *pages, false, &page);
        if (rc != DB_OK)
            return rc;
        if (page[0] != (uint8_t)*pages)
            return DB_ECORRUPT;
        bufpool_unpin(pool, *pages);
    }
    return DB_OK;
}

static bool resident(BufPool *pool, uint32_t page_num)
{
    return bufpool_state(pool, page_num) != FRAME_EMPTY;
}

static void test_lru_gives_up_the_least_recently_used(void)
{
    BufPool *pool = make_pool(3, &evict_lru);
    CHECK(pool != NULL);
    /* 1 2 3 fill the frames; 1 is used again, so 2 is now the oldest. */
    CHECK_EQ(use(pool, (uint32_t[]){1, 2, 3, 1, 4, 0}), DB_OK);
    CHECK(!resident(pool, 2));
    CHECK(resident(pool, 1) && resident(pool, 3) && resident(pool, 4));
    CHECK_EQ(use(pool, (uint32_t[]){5, 0}), DB_OK); /* then 3 */
    CHECK(!resident(pool, 3));
    BufPoolStats st;
    bufpool_stats(pool, &st);
    CHECK_EQ(st.hits, 1);
    CHECK_EQ(st.misses, 5);
    CHECK_EQ(st.evictions, 2);
    bufpool_close(pool);
}

static void test_clock_gives_a_second_chance(void)
{
    BufPool *pool = make_pool(3, &evict_clock);
    CHECK(pool != NULL);
    /* Every frame has its bit set: the hand clears 1, 2, 3 in turn and
     * comes back to 1, which goes, though LRU would have taken 2. */
    CHECK_EQ(use(pool, (uint32_t[]){1, 2, 3, 1, 4, 0}), DB_OK);
    CHECK(!resident(pool, 1));
    CHECK(resident(pool, 2) && resident(pool, 3) && resident(pool, 4));
    /* The hand now points at 2's frame, its bit clear: 2 goes next. */
    CHECK_EQ(use(pool, (uint32_t[]){5, 0}), DB_OK);
    CHECK(!resident(pool, 2));
    /* 3's bit is clear, 4's set (just loaded): 3 goes, 4 stays. */
    CHECK_EQ(use(pool, (uint32_t[]){6, 0}), DB_OK);
    CHECK(!resident(pool, 3) && resident(pool, 4));
    bufpool_close(pool);
}

static void test_pinned_frames_are_never_taken(void)
{
    BufPool *pool = make_pool(3, &evict_lru);
    uint8_t *page;
    CHECK_EQ(bufpool_pin(pool, 1, false, &page), DB_OK); /* stays pinned */
    CHECK_EQ(use(pool, (uint32_t[]){2, 3, 4, 5, 0}), DB_OK);
    CHECK(resident(pool, 1));
    CHECK_EQ(bufpool_pinned(pool), 1);
    bufpool_unpin(pool, 1);
    CHECK_EQ(bufpool_pinned(pool), 0);
    bufpool_close(pool);
}

static void test_a_full_pool_says_so(void)
{
    BufPool *pool = make_pool(2, &evict_lru);
    uint8_t *page;
    CHECK_EQ(bufpool_pin(pool, 1, false, &page), DB_OK);
    CHECK_EQ(bufpool_pin(pool, 2, false, &page), DB_OK);
    CHECK_EQ(bufpool_pin(pool, 3, false, &page), DB_EFULL);
    CHECK(page == NULL);
    bufpool_close(pool);
}

static void test_changing_frames_stay_and_committed_ones_are_written(void)
{
    BufPool *pool = make_pool(3, &evict_lru);
    CHECK_EQ(use(pool, (uint32_t[]){1, 2, 3, 0}), DB_OK);
    bufpool_set_state(pool, 1, FRAME_CHANGING, 0);
    bufpool_set_state(pool, 2, FRAME_COMMITTED, 7);
    CHECK_EQ(bufpool_room(pool), 2);
    /* 1 is the oldest but changing; 2 is next, written back first. */
    CHECK_EQ(use(pool, (uint32_t[]){4, 0}), DB_OK);
    CHECK(resident(pool, 1) && !resident(pool, 2));
    CHECK_EQ(n_written, 1);
    CHECK_EQ(written[0], 2);
    CHECK_EQ(n_spilled, 0);
    bufpool_close(pool);
}

static void test_a_changing_frame_is_spilled_only_as_the_last_choice(void)
{
    BufPool *pool = make_pool(3, &evict_lru);
    CHECK_EQ(use(pool, (uint32_t[]){1, 2, 3, 0}), DB_OK);
    bufpool_set_state(pool, 1, FRAME_CHANGING, 0);
    /* With 3, 4 pinned, only the changing frame is left: it goes to the
     * pager's spill, and its frame takes page 5. */
    uint8_t *p3, *p4, *p5;
    CHECK_EQ(bufpool_pin(pool, 3, false, &p3), DB_OK);
    CHECK_EQ(bufpool_pin(pool, 4, false, &p4), DB_OK);
    CHECK_EQ(n_spilled, 0);
    CHECK_EQ(bufpool_pin(pool, 5, false, &p5), DB_OK);
    CHECK_EQ(n_spilled, 1);
    CHECK_EQ(spilled[0], 1);
    CHECK(!resident(pool, 1));
    /* Everything pinned now: nothing can go. */
    uint8_t *p6;
    CHECK_EQ(bufpool_pin(pool, 6, false, &p6), DB_EFULL);
    bufpool_close(pool);
}

static void test_flush_writes_committed_frames_only(void)
{
    BufPool *pool = make_pool(4, &evict_clock);
    CHECK_EQ(use(pool, (uint32_t[]){1, 2, 3, 0}), DB_OK);
    bufpool_set_state(pool, 1, FRAME_COMMITTED, 1);
    bufpool_set_state(pool, 3, FRAME_COMMITTED, 2);
    CHECK_EQ(bufpool_flush(pool), DB_OK);
    CHECK_EQ(n_written, 2);
    CHECK_EQ(bufpool_state(pool, 1), FRAME_CLEAN);
    CHECK_EQ(bufpool_count(pool, FRAME_COMMITTED), 0);
    bufpool_close(pool);
}

static void test_many_pages_through_few_frames(void)
{
    /* The page table keeps finding the right frame while pages come and
     * go: each pin checks that the bytes are the page's own. */
    BufPool *pool = make_pool(8, &evict_clock);
    for (uint32_t round = 0; round < 50; round++)
        for (uint32_t p = 1; p < 40; p += 1 + round % 3)
            CHECK_EQ(use(pool, (uint32_t[]){p, 0}), DB_OK);
    uint8_t *page;
    CHECK_EQ(bufpool_pin(pool, 100, true, &page), DB_OK);
    CHECK_EQ(page[0], 0); /* a new page is zeros, not read */
    bufpool_unpin(pool, 100);
    bufpool_drop(pool, 100);
    CHECK(!resident(pool, 100));
    bufpool_close(pool);
}

/* Runs BUG on a pool of 3 frames holding pages 1 (pinned), 2 (clean)
 * and 3 (committed), in a child process, which must die of a failed
 * assert: the pool's rules are checked, not trusted. */
static int aborts(void (*bug)(BufPool *pool))
{
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        BufPool *pool = make_pool(3, &evict_lru);
        uint8_t *page;
        if (pool == NULL || use(pool, (uint32_t[]){2, 3, 0}) != DB_OK ||
            bufpool_pin(pool, 1, false, &page) != DB_OK)
            _exit(2);
        bufpool_set_state(pool, 3, FRAME_COMMITTED, 1);
        bug(pool);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void unpin_twice(BufPool *pool)
{
    bufpool_unpin(pool, 1);
    bufpool_unpin(pool, 1);
}

static void unpin_unpinned(BufPool *pool)
{
    bufpool_unpin(pool, 2);
}

static void unpin_absent(BufPool *pool)
{
    bufpool_unpin(pool, 9);
}

static void drop_pinned(BufPool *pool)
{
    bufpool_drop(pool, 1);
}

static void drop_committed(BufPool *pool)
{
    bufpool_drop(pool, 3);
}

static void clean_to_clean(BufPool *pool)
{
    bufpool_set_state(pool, 2, FRAME_CLEAN, 0);
}

static void changing_to_changing(BufPool *pool)
{
    bufpool_set_state(pool, 2, FRAME_CHANGING, 0);
    bufpool_set_state(pool, 2, FRAME_CHANGING, 0);
}

static void set_state_to_empty(BufPool *pool)
{
    bufpool_set_state(pool, 2, FRAME_EMPTY, 0);
}

static void set_state_of_absent(BufPool *pool)
{
    bufpool_set_state(pool, 9, FRAME_CHANGING, 0);
}

static void legal_moves(BufPool *pool)
{
    bufpool_set_state(pool, 2, FRAME_CHANGING, 0);   /* pager_write */
    bufpool_set_state(pool, 2, FRAME_CLEAN, 0);      /* rollback */
    bufpool_set_state(pool, 3, FRAME_CHANGING, 0);   /* pager_write */
    bufpool_set_state(pool, 3, FRAME_COMMITTED, 2);  /* commit */
    bufpool_set_state(pool, 3, FRAME_COMMITTED, 2);  /* the header */
    bufpool_set_state(pool, 2, FRAME_COMMITTED, 2);  /* the header */
    bufpool_unpin(pool, 1);
    bufpool_drop(pool, 1);
}

static void test_illegal_moves_fail_an_assert(void)
{
    CHECK(aborts(unpin_twice));
    CHECK(aborts(unpin_unpinned));
    CHECK(aborts(unpin_absent));
    CHECK(aborts(drop_pinned));
    CHECK(aborts(drop_committed));
    CHECK(aborts(clean_to_clean));
    CHECK(aborts(changing_to_changing));
    CHECK(aborts(set_state_to_empty));
    CHECK(aborts(set_state_of_absent));
    CHECK(!aborts(legal_moves));
}

int main(void)
{
    RUN(test_lru_gives_up_the_least_recently_used);
    RUN(test_clock_gives_a_second_chance);
    RUN(test_pinned_frames_are_never_taken);
    RUN(test_a_full_pool_says_so);
    RUN(test_changing_frames_stay_and_committed_ones_are_written);
    RUN(test_a_changing_frame_is_spilled_only_as_the_last_choice);
    RUN(test_flush_writes_committed_frames_only);
    RUN(test_many_pages_through_few_frames);
    RUN(test_illegal_moves_fail_an_assert);
    return unittest_report();
}
