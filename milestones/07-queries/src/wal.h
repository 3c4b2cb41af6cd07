/*
 * wal.h - the write-ahead log: page images and commit records appended
 * to a file next to the database, each checksummed, so that a committed
 * transaction survives a crash and a torn one is recognised and ignored.
 */
#ifndef WAL_H
#define WAL_H

#include <stdbool.h>
#include <stdint.h>

#include "status.h"

/* book: begin log-format */
/* Log file ("DATABASE-wal"): a header, then records, appended in order.
 *
 * Header (32 bytes)
 *   offset  size  field
 *        0     8  magic: the 8 bytes "StrataWL"
 *        8     4  log format version (1)
 *       12     4  page size
 *       16     4  salt: the id of the first transaction of this log
 *       20     8  zero
 *       28     4  checksum: CRC-32C of bytes 0-27
 *
 * Record header (24 bytes), then the payload its type implies
 *   offset  size  field
 *        0     1  type: WAL_PAGE (1) or WAL_COMMIT (2)
 *        1     3  zero
 *        4     4  page: the page number; commit: pages in the database
 *        8     8  id of the transaction the record belongs to
 *       16     4  salt: the header's
 *       20     4  checksum: CRC-32C of bytes 0-19 and the payload
 *
 *   WAL_PAGE payload: the page's bytes after the transaction
 *   WAL_COMMIT payload: none; the transaction is complete
 *
 * A transaction is its page records followed by its commit record. At
 * recovery only whole, valid records count, and only up to the last
 * commit: whatever follows (a transaction cut off by a crash, a record
 * torn in half, records of an earlier generation) is dropped.
 *
 * A checkpoint restarts the log: a new header with a new salt, and new
 * records written from the start over the old ones. The file's blocks are
 * reused, which makes each commit's sync cheaper than an append's, and
 * any old record left beyond the new ones carries the old salt.
 */
#define WAL_HEADER_SIZE 32
#define WAL_RECORD_HEADER_SIZE 24
#define WAL_PAGE 1
#define WAL_COMMIT 2
/* book: end log-format */

typedef struct Wal Wal;

/* Where the log stands, for .wal. */
typedef struct WalStats {
    uint64_t bytes;          /* bytes of this generation (0: no log) */
    uint64_t page_records;   /* since the log was started */
    uint64_t commits;
    uint64_t last_txn;       /* last committed transaction, 0 if none */
} WalStats;

/* What recovery found. */
typedef struct WalRecovery {
    bool found;              /* there was a log to recover from */
    uint64_t replayed;       /* committed transactions redone */
    uint64_t dropped_bytes;  /* bytes after the last commit */
    uint64_t last_txn;       /* last transaction redone, 0 if none */
    uint32_t db_pages;       /* pages in the database after it, 0 if none */
    char reason[160];        /* why the scan stopped, if it stopped early */
} WalRecovery;

/* Called by wal_recover for each page image of each committed
 * transaction, in log order. */
typedef DbStatus (*WalApply)(void *ctx, uint32_t page_num,
                             const uint8_t *image);

/* Prepares the log of the database at DB_PATH, whose pages are
 * PAGE_SIZE bytes. Nothing is read or created yet. DB_ENOMEM. */
DbStatus wal_open(const char *db_path, uint32_t page_size, Wal **out);

/* Reads the log, if there is one, and calls APPLY for every page image of
 * every committed transaction, in order. The log file is left as it was:
 * recovering twice redoes the same work, so a crash during recovery is
 * harmless. DB_EIO: the log could not be read, or APPLY failed. */
DbStatus wal_recover(Wal *wal, WalApply apply, void *ctx,
                     WalRecovery *result);

/* Appends the N pages PAGES[i] (page numbers PAGE_NUMS[i]) of transaction
 * TXN_ID, after any it spilled, and its commit record, then syncs the log
 * (and, for a new log file, its directory). When it returns DB_OK the
 * transaction is durable. DB_EIO: it may or may not be; the log must not
 * be written again in this session. */
DbStatus wal_commit(Wal *wal, uint64_t txn_id, const uint32_t *page_nums,
                    uint8_t *const *pages, uint32_t n, uint32_t db_pages);

/* Appends page PAGE_NUM of the running transaction TXN_ID to the log,
 * without a sync, because the buffer pool needs its frame: the page is
 * read back from the log until the transaction ends. It counts only
 * once wal_commit writes the commit record after it. DB_EIO. */
DbStatus wal_spill(Wal *wal, uint64_t txn_id, uint32_t page_num,
                   const uint8_t *page);

/* Takes back every record of the running transaction (spilled pages):
 * the index forgets them, and the next transaction's records go over
 * them. Can't fail. */
void wal_rollback(Wal *wal);

/* The log's index: where the newest image of PAGE_NUM is, if the log
 * has one, and in *running whether it is a page the running transaction
 * spilled (else a committed one). */
bool wal_lookup(const Wal *wal, uint32_t page_num, uint64_t *offset,
                bool *running);

/* Reads the image of PAGE_NUM at OFFSET of the log (as wal_lookup gave
 * it) into PAGE. DB_EIO; DB_ECORRUPT: the record is not there whole. */
DbStatus wal_read_image(Wal *wal, uint64_t offset, uint32_t page_num,
                        uint8_t *page);

/* The file now has the newest committed image of PAGE_NUM: the index
 * forgets the page. */
void wal_forget(Wal *wal, uint32_t page_num);

/* The pages the index knows, and a walk over them (for checkpoints). */
uint32_t wal_pages(const Wal *wal);
DbStatus wal_each_page(Wal *wal,
                       DbStatus (*visit)(void *ctx, uint32_t page_num,
                                         uint64_t offset),
                       void *ctx);

/* Starts a new generation of the log, after a checkpoint has made every
 * record in it redundant: a new header whose salt is NEXT_TXN, the id of
 * the next transaction, written and synced. DB_EIO. */
DbStatus wal_restart(Wal *wal, uint64_t next_txn);

/* Removes the log file, after a checkpoint has made it redundant. The
 * next commit starts a new one. DB_EIO. */
DbStatus wal_remove(Wal *wal);

void wal_stats(const Wal *wal, WalStats *stats);

/* The log's file name ("test.db-wal"). */
const char *wal_path(const Wal *wal);

/* Closes the log file, if open, and frees WAL. The file stays. */
void wal_close(Wal *wal);

#endif
