/*
 * bufpool.h - the buffer pool: a fixed number of frames that hold pages
 * while they are used, whatever the size of the file.
 */
#ifndef BUFPOOL_H
#define BUFPOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "evict.h"
#include "status.h"

#define PAGE_SIZE 4096           /* every page of the file, every frame */
/* The pages one step of the tree pins at once (a node, its parent, a
 * sibling, a new page, the header) fit with room to spare; changes
 * beyond the pool's frames are spilled to the log. */
#define POOL_MIN_FRAMES 8
#define POOL_DEFAULT_FRAMES 256  /* 1 MiB of pages */
#define POOL_MAX_FRAMES (1u << 20)

/* book: begin frame-state */
/* What a frame holds, which decides whether it may be given up:
 *
 *   FRAME_EMPTY      nothing
 *   FRAME_CLEAN      a page as the file has it: may simply be dropped
 *   FRAME_COMMITTED  a page changed by committed transactions, whose log
 *                    records are durable, but not yet written to the file:
 *                    may be written back, then dropped
 *   FRAME_CHANGING   a page changed by the running transaction: may
 *                    leave only through the log, as a spilled page
 *                    image of the transaction (nothing uncommitted
 *                    ever reaches the file)
 *
 * A pinned frame, whatever its state, stays until it is unpinned.
 */
typedef enum FrameState {
    FRAME_EMPTY,
    FRAME_CLEAN,
    FRAME_COMMITTED,
    FRAME_CHANGING,
} FrameState;
/* book: end frame-state */

/* How the pool reaches the file: through its owner, the pager. */
typedef struct BufPoolIo {
    void *ctx;
    /* Reads page PAGE_NUM into PAGE, and says in *state what the frame
     * holds then: FRAME_CLEAN (the file's bytes), FRAME_COMMITTED (newer
     * bytes from the log, of transaction *txn) or FRAME_CHANGING (a page
     * the running transaction spilled, back from the log). */
    DbStatus (*read)(void *ctx, uint32_t page_num, uint8_t *page,
                     FrameState *state, uint64_t *txn);
    /* Writes committed page PAGE_NUM back to the file. TXN is the last
     * transaction that changed it, for the WAL rule. */
    DbStatus (*write_back)(void *ctx, uint32_t page_num, const uint8_t *page,
                           uint64_t txn);
    /* Puts page PAGE_NUM, changed by the running transaction, where it
     * can be read again without the frame: the log. */
    DbStatus (*spill)(void *ctx, uint32_t page_num, const uint8_t *page);
} BufPoolIo;

typedef struct BufPoolStats {
    uint64_t hits;          /* pins that found the page in a frame */
    uint64_t misses;        /* pins that had to bring it in */
    uint64_t evictions;     /* frames given up for another page */
    uint64_t write_backs;   /* of those, frames written back first */
    uint64_t reads;         /* pages read from the file */
    uint64_t writes;        /* pages written to the file by the pool */
    uint64_t spills;        /* changing frames given up to the log */
} BufPoolStats;

typedef struct BufPool BufPool;

/* Makes a pool of N_FRAMES frames (POOL_MIN_FRAMES .. POOL_MAX_FRAMES)
 * that evicts by POLICY. DB_ENOMEM. */
DbStatus bufpool_open(uint32_t n_frames, const EvictPolicy *policy,
                      BufPoolIo io, BufPool **out);

/* Frees the pool; committed frames not written back are lost, so the
 * pager flushes first. */
void bufpool_close(BufPool *pool);

/* Pins page PAGE_NUM in a frame and points *page at its bytes, which stay
 * there until bufpool_unpin. A page that is not in a frame is read, or
 * zeroed if IS_NEW (a page the file does not have yet), in a frame given
 * up by the eviction policy. DB_EFULL: every frame is pinned; DB_EIO or
 * DB_ECORRUPT from reading the page, or writing or spilling a victim. */
DbStatus bufpool_pin(BufPool *pool, uint32_t page_num, bool is_new,
                     uint8_t **page);

/* Ends one pin of page PAGE_NUM, which must be pinned (assert). */
void bufpool_unpin(BufPool *pool, uint32_t page_num);

/* The state of page PAGE_NUM's frame; FRAME_EMPTY if it is in none. */
FrameState bufpool_state(const BufPool *pool, uint32_t page_num);

/* The transaction recorded with a committed frame. */
uint64_t bufpool_txn(const BufPool *pool, uint32_t page_num);

/* Sets the state of page PAGE_NUM's frame (the page must be in one); TXN
 * goes with FRAME_COMMITTED. A move the state machine does not have is
 * a bug, and fails an assert. */
void bufpool_set_state(BufPool *pool, uint32_t page_num, FrameState state,
                       uint64_t txn);

/* The mark the layer above puts on a page it has checked: false for a
 * page in no frame, and for one whose bytes have just come from the
 * file or the log (or as zeros) into its frame. See pager_is_checked. */
bool bufpool_is_checked(const BufPool *pool, uint32_t page_num);

/* Sets or clears the mark of page PAGE_NUM's frame (the page must be in
 * one). */
void bufpool_set_checked(BufPool *pool, uint32_t page_num, bool checked);

/* Empties page PAGE_NUM's frame without writing it: for a page whose
 * change a transaction rolled back. The frame must be unpinned, and not
 * committed (assert). */
void bufpool_drop(BufPool *pool, uint32_t page_num);

/* Writes every committed frame back to the file; they become clean. */
DbStatus bufpool_flush(BufPool *pool);

/* Frames that could take one more page of a transaction: those that are
 * not FRAME_CHANGING. Meant for between statements, when no page is
 * pinned. */
uint32_t bufpool_room(const BufPool *pool);

/* Frames pinned now: 0 between statements, or a pin leaked. */
uint32_t bufpool_pinned(const BufPool *pool);

/* Frames in state STATE. */
uint32_t bufpool_count(const BufPool *pool, FrameState state);

uint32_t bufpool_size(const BufPool *pool);
const char *bufpool_policy(const BufPool *pool);
void bufpool_stats(const BufPool *pool, BufPoolStats *stats);

/* One line per frame that holds a page, then the empty ones, then the
 * policy's line: the clock's hand, LRU's order (.pool). */
void bufpool_print(const BufPool *pool, FILE *out);

#endif
