/*
 * bufpool.c - frames, the page table, pins, and eviction.
 *
 * Owns: the memory for pages (N_FRAMES * 4096 bytes, allocated once), the
 * page table from page number to frame, pin counts, frame states, and a
 * mark per frame that the layer above sets on a page it has checked.
 * Does not: read or write the file itself (the pager's BufPoolIo does,
 * and applies the WAL rule), or choose victims (the EvictPolicy does).
 *
 *   frames:      [0: page 7 ] [1: page 0 ] [2: page 12] [3: empty ] ...
 *   page table:  7 -> 0, 0 -> 1, 12 -> 2        (open addressing)
 *
 * A page is used only between bufpool_pin and bufpool_unpin: while it is
 * pinned, its frame keeps it and the pointer to its bytes stays good.
 * When a pin needs a frame and none is empty, the policy picks a victim
 * among the frames that are neither pinned nor changing. Only when there
 * is none does it pick a changing one, which the pager spills to the log
 * first: so a transaction may change more pages than the pool has frames.
 */
#include "bufpool.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>


#define NO_FRAME UINT32_MAX

typedef struct Frame {
    uint32_t page_num;
    uint32_t pins;
    FrameState state;
    uint64_t txn;          /* FRAME_COMMITTED: the last transaction */
    bool checked;          /* see bufpool_is_checked */
} Frame;

struct BufPool {
    uint32_t n_frames;
    Frame *frames;
    uint8_t *data;         /* frame F's page is data + F * PAGE_SIZE */
    uint32_t *empty;       /* a stack of empty frames */
    uint32_t n_empty;
    uint32_t *table;       /* page table: frame + 1 per slot, 0 = unused */
    uint32_t table_bits;   /* slots = 2^table_bits */
    uint32_t table_mask;   /* slots - 1 */
    uint32_t n_pinned;     /* frames with pins > 0 */
    uint32_t n_state[4];   /* frames in each FrameState */
    const EvictPolicy *policy;
    void *policy_state;
    BufPoolIo io;
    BufPoolStats stats;
};

static uint8_t *frame_data(const BufPool *pool, uint32_t f)
{
    return pool->data + (size_t)f * PAGE_SIZE;
}

static void set_state(BufPool *pool, uint32_t f, FrameState state)
{
    pool->n_state[pool->frames[f].state]--;
    pool->n_state[state]++;
    pool->frames[f].state = state;
}

/* --- the page table ----------------------------------------------------- */

/* Fibonacci hashing: multiply by 2^32 / golden ratio and keep the top
 * bits, which every bit of the page number has stirred. */
static uint32_t slot_of(const BufPool *pool, uint32_t page_num)
{
    return (uint32_t)(page_num * 2654435769u) >> (32 - pool->table_bits);
}

static uint32_t lookup(const BufPool *pool, uint32_t page_num)
{
    for (uint32_t s = slot_of(pool, page_num);; s = (s + 1) &
                                                    pool->table_mask) {
        uint32_t entry = pool->table[s];
        if (entry == 0)
            return NO_FRAME;
        if (pool->frames[entry - 1].page_num == page_num)
            return entry - 1;
    }
}

static void table_insert(BufPool *pool, uint32_t f)
{
    uint32_t s = slot_of(pool, pool->frames[f].page_num);
    while (pool->table[s] != 0)
        s = (s + 1) & pool->table_mask;
    pool->table[s] = f + 1;
}

/* Removes frame F's page from the table, moving later entries of the
 * same probe run back so that no lookup stops short at the hole. */
static void table_remove(BufPool *pool, uint32_t f)
{
    uint32_t s = slot_of(pool, pool->frames[f].page_num);
    while (pool->table[s] != f + 1)
        s = (s + 1) & pool->table_mask;
    pool->table[s] = 0;
    for (uint32_t next = (s + 1) & pool->table_mask; pool->table[next];
         next = (next + 1) & pool->table_mask) {
        uint32_t entry = pool->table[next];
        uint32_t home = slot_of(pool, pool->frames[entry - 1].page_num);
        /* Move ENTRY into the hole unless its home lies after the hole,
         * within the run, which would put it before its home. */
        if (((next - home) & pool->table_mask) >=
            ((next - s) & pool->table_mask)) {
            pool->table[s] = entry;
            pool->table[next] = 0;
            s = next;
        }
    }
}

/* --- opening and closing ------------------------------------------------ */

DbStatus bufpool_open(uint32_t n_frames, const EvictPolicy *policy,
                      BufPoolIo io, BufPool **out)
{
    *out = NULL;
    BufPool *pool = calloc(1, sizeof *pool);
    if (pool == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    uint32_t slots = 2;
    pool->table_bits = 1;
    while (slots < 2 * n_frames) {
        slots *= 2;
        pool->table_bits++;
    }
    pool->n_frames = n_frames;
    pool->frames = calloc(n_frames, sizeof *pool->frames);
    pool->data = malloc((size_t)n_frames * PAGE_SIZE);
    pool->empty = malloc(n_frames * sizeof *pool->empty);
    pool->table = calloc(slots, sizeof *pool->table);
    pool->table_mask = slots - 1;
    pool->policy = policy;
    pool->policy_state = policy->create(n_frames);
    pool->io = io;
    if (!pool->frames || !pool->data || !pool->empty || !pool->table ||
        !pool->policy_state) {
        bufpool_close(pool);
        return db_fail(DB_ENOMEM, "out of memory for %u frames", n_frames);
    }
    /* Empty frames are handed out lowest first. */
    for (uint32_t f = 0; f < n_frames; f++)
        pool->empty[f] = n_frames - 1 - f;
    pool->n_empty = n_frames;
    pool->n_state[FRAME_EMPTY] = n_frames;
    *out = pool;
    return DB_OK;
}

void bufpool_close(BufPool *pool)
{
    if (pool->policy_state != NULL)
        pool->policy->destroy(pool->policy_state);
    free(pool->frames);
    free(pool->data);
    free(pool->empty);
    free(pool->table);
    free(pool);
}

/* --- pinning ------------------------------------------------------------ */

static bool evictable(void *ctx, uint32_t f)
{
    const Frame *frame = &((BufPool *)ctx)->frames[f];
    return frame->pins == 0 && frame->state != FRAME_CHANGING &&
           frame->state != FRAME_EMPTY;
}

/* The second choice: a change of the running transaction, which can
 * leave its frame once it is in the log. */
static bool spillable(void *ctx, uint32_t f)
{
    const Frame *frame = &((BufPool *)ctx)->frames[f];
    return frame->pins == 0 && frame->state == FRAME_CHANGING;
}

/* Finds a frame for a new page: an empty one, else a victim of the
 * policy, written back first if it holds a committed change. */
/* book: begin find-frame */
static DbStatus find_frame(BufPool *pool, uint32_t *out)
{
    if (pool->n_empty > 0) {
        *out = pool->empty[--pool->n_empty];
        return DB_OK;
    }
    uint32_t f = pool->policy->victim(pool->policy_state, evictable, pool);
    if (f == EVICT_NONE)
        f = pool->policy->victim(pool->policy_state, spillable, pool);
    if (f == EVICT_NONE)
        return db_fail(DB_EFULL, "the buffer pool is full: all %u frames "
                       "are pinned (start strata with a larger "
                       "--pool-pages)", pool->n_frames);
    Frame *victim = &pool->frames[f];
    if (victim->state == FRAME_CHANGING) {
        DbStatus rc = pool->io.spill(pool->io.ctx, victim->page_num,
                                     frame_data(pool, f));
        if (rc != DB_OK)
            return rc;
        pool->stats.spills++;
    } else if (victim->state == FRAME_COMMITTED) {
        DbStatus rc = pool->io.write_back(pool->io.ctx, victim->page_num,
                                          frame_data(pool, f), victim->txn);
        if (rc != DB_OK)
            return rc;
        pool->stats.write_backs++;
        pool->stats.writes++;
    }
    table_remove(pool, f);
    set_state(pool, f, FRAME_EMPTY);
    pool->stats.evictions++;
    *out = f;
    return DB_OK;
}
/* book: end find-frame */

/* book: begin pin */
DbStatus bufpool_pin(BufPool *pool, uint32_t page_num, bool is_new,
                     uint8_t **page)
{
    *page = NULL;
    uint32_t f = lookup(pool, page_num);
    if (f != NO_FRAME) {
        pool->stats.hits++;
    } else {
        pool->stats.misses++;
        DbStatus rc = find_frame(pool, &f);
        if (rc != DB_OK)
            return rc;
        FrameState state = FRAME_CLEAN;
        uint64_t txn = 0;
        if (is_new) {
            memset(frame_data(pool, f), 0, PAGE_SIZE);
        } else {
            rc = pool->io.read(pool->io.ctx, page_num, frame_data(pool, f),
                               &state, &txn);
            if (rc != DB_OK) {
                pool->empty[pool->n_empty++] = f;
                return rc;
            }
            pool->stats.reads++;
        }
        /* Bytes new in the frame: not checked yet. */
        pool->frames[f] = (Frame){.page_num = page_num,
                                  .state = FRAME_EMPTY, .txn = txn};
        set_state(pool, f, state);
        table_insert(pool, f);
    }
    if (pool->frames[f].pins++ == 0)
        pool->n_pinned++;
    pool->policy->touch(pool->policy_state, f);
    *page = frame_data(pool, f);
    return DB_OK;
}
/* book: end pin */

void bufpool_unpin(BufPool *pool, uint32_t page_num)
{
    uint32_t f = lookup(pool, page_num);
    assert(f != NO_FRAME && pool->frames[f].pins > 0); /* one unpin a pin */
    if (--pool->frames[f].pins == 0)
        pool->n_pinned--;
}

/* --- states ------------------------------------------------------------- */

FrameState bufpool_state(const BufPool *pool, uint32_t page_num)
{
    uint32_t f = lookup(pool, page_num);
    return f == NO_FRAME ? FRAME_EMPTY : pool->frames[f].state;
}

uint64_t bufpool_txn(const BufPool *pool, uint32_t page_num)
{
    uint32_t f = lookup(pool, page_num);
    return f == NO_FRAME ? 0 : pool->frames[f].txn;
}

/* The moves bufpool_set_state makes (the others are the pool's own):
 * into CHANGING from a page's frame (pager_write), back out to the state
 * it had (pager_rollback) or to COMMITTED (pager_commit), and from CLEAN
 * or COMMITTED to COMMITTED (the header page, at a checkpoint). */
static bool legal_move(FrameState from, FrameState to)
{
    switch (to) {
    case FRAME_CHANGING:
        return from == FRAME_CLEAN || from == FRAME_COMMITTED;
    case FRAME_COMMITTED:
        return from != FRAME_EMPTY;
    case FRAME_CLEAN:
        return from == FRAME_CHANGING;
    default:
        return false;
    }
}

void bufpool_set_state(BufPool *pool, uint32_t page_num, FrameState state,
                       uint64_t txn)
{
    uint32_t f = lookup(pool, page_num);
    assert(f != NO_FRAME && legal_move(pool->frames[f].state, state));
    set_state(pool, f, state);
    pool->frames[f].txn = txn;
}

bool bufpool_is_checked(const BufPool *pool, uint32_t page_num)
{
    uint32_t f = lookup(pool, page_num);
    return f != NO_FRAME && pool->frames[f].checked;
}

void bufpool_set_checked(BufPool *pool, uint32_t page_num, bool checked)
{
    uint32_t f = lookup(pool, page_num);
    if (f != NO_FRAME)
        pool->frames[f].checked = checked;
}

void bufpool_drop(BufPool *pool, uint32_t page_num)
{
    uint32_t f = lookup(pool, page_num);
    /* Not a page in use, nor one whose committed change would be lost. */
    assert(f != NO_FRAME && pool->frames[f].pins == 0 &&
           pool->frames[f].state != FRAME_COMMITTED);
    table_remove(pool, f);
    set_state(pool, f, FRAME_EMPTY);
    pool->empty[pool->n_empty++] = f;
}

DbStatus bufpool_flush(BufPool *pool)
{
    for (uint32_t f = 0; f < pool->n_frames; f++) {
        Frame *frame = &pool->frames[f];
        if (frame->state != FRAME_COMMITTED)
            continue;
        DbStatus rc = pool->io.write_back(pool->io.ctx, frame->page_num,
                                          frame_data(pool, f), frame->txn);
        if (rc != DB_OK)
            return rc;
        pool->stats.writes++;
        set_state(pool, f, FRAME_CLEAN);
    }
    return DB_OK;
}

/* --- reporting ---------------------------------------------------------- */

uint32_t bufpool_room(const BufPool *pool)
{
    return pool->n_frames - pool->n_state[FRAME_CHANGING];
}

uint32_t bufpool_pinned(const BufPool *pool)
{
    return pool->n_pinned;
}

uint32_t bufpool_count(const BufPool *pool, FrameState state)
{
    return pool->n_state[state];
}

uint32_t bufpool_size(const BufPool *pool)
{
    return pool->n_frames;
}

const char *bufpool_policy(const BufPool *pool)
{
    return pool->policy->name;
}

void bufpool_stats(const BufPool *pool, BufPoolStats *stats)
{
    *stats = pool->stats;
}

void bufpool_print(const BufPool *pool, FILE *out)
{
    static const char *names[] = {"empty", "clean", "committed",
                                  "changing"};
    fprintf(out, "frame  page  pins  state\n");
    for (uint32_t f = 0; f < pool->n_frames; f++) {
        const Frame *frame = &pool->frames[f];
        if (frame->state != FRAME_EMPTY)
            fprintf(out, "%5u  %4u  %4u  %s\n", f, frame->page_num,
                    frame->pins, names[frame->state]);
    }
    if (pool->n_state[FRAME_EMPTY] > 0)
        fprintf(out, "%u frame%s empty\n", pool->n_state[FRAME_EMPTY],
                pool->n_state[FRAME_EMPTY] == 1 ? "" : "s");
    pool->policy->print(pool->policy_state, out);
}
