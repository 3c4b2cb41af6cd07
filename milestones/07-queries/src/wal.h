/*
 * wal.h - the write-ahead log: page images and commit records appended
 * to a file next to the database, each checksummed, so that a committed
 * transaction survives a crash and a torn one is recognised and ignored.
 */
#ifndef WAL_H
#define WAL_H

#include <stdbool.h>
#include <stdint.h>

#include "os.h"
#include "status.h"

/* book: begin log-format */
/* Log file ("DATABASE-wal", named after the file the database's name
 * leads to): a header, then records, appended in order.
 *
 * Header (40 bytes)
 *   offset  size  field
 *        0     8  magic: the 8 bytes "StrataWL"
 *        8     4  log format version (3)
 *       12     4  page size
 *       16     4  salt: random, new for each generation of the log
 *       20     8  the checkpoint this generation follows: the last
 *                 transaction the database file held when it began
 *       28     8  database id: the one in the database file's header
 *       36     4  checksum: CRC-32C of bytes 0-35
 *
 * Record header (24 bytes), then the payload its type implies
 *   offset  size  field
 *        0     1  type: WAL_PAGE (1), WAL_COMMIT (2), WAL_CHECKPOINT (3)
 *                 or WAL_ABORT (4)
 *        1     3  zero
 *        4     4  page: the page number; commit, checkpoint: pages in
 *                 the database; abort: zero
 *        8     8  id of the transaction the record belongs to (for a
 *                 checkpoint: the last one it writes into the file)
 *       16     4  salt: the header's
 *       20     4  checksum: CRC-32C of bytes 0-19 and the payload
 *
 *   WAL_PAGE payload: the page's bytes after the transaction
 *   WAL_COMMIT payload: none; the transaction is complete
 *   WAL_CHECKPOINT payload: page 0 as the checkpoint writes it
 *   WAL_ABORT payload: none; the transaction's records before it do not
 *             count, and the next transaction takes its id again
 *
 * A transaction is its page records followed by its commit record, and
 * the transactions follow each other, numbered from the checkpoint's
 * next. A transaction that spilled pages into the log and then rolled
 * back is its page records followed by an abort record. At recovery
 * only whole, valid records count, and only up to the last commit:
 * whatever follows (a transaction cut off by a crash, a record torn in
 * half, records of an earlier generation) is dropped.
 * A valid record of this generation that breaks these rules was never
 * written by a crash: the log is refused.
 *
 * A checkpoint appends a checkpoint record, then writes the file, and
 * only then is the log spent: the next record starts a new generation
 * (a new header, synced before any record goes over the old ones). The
 * file's blocks are reused, which makes each commit's sync cheaper than
 * an append's, and any old record left beyond the new ones carries the
 * old salt.
 */
#define WAL_HEADER_SIZE 40
#define WAL_RECORD_HEADER_SIZE 24
#define WAL_PAGE 1
#define WAL_COMMIT 2
#define WAL_CHECKPOINT 3
#define WAL_ABORT 4
/* book: end log-format */

typedef struct Wal Wal;

/* Where the log stands, for .wal. */
typedef struct WalStats {
    uint64_t bytes;          /* bytes of this generation (0: none) */
    uint64_t page_records;   /* of this generation */
    uint64_t commits;
    uint64_t aborts;         /* transactions that spilled, then rolled back */
    uint64_t last_txn;       /* last committed transaction, 0 if none */
} WalStats;

/* What the database file's header says before recovery: what a log must
 * match to be applied to it. */
typedef struct WalTarget {
    bool blank;              /* no header yet: a new file, or one whose
                              * first checkpoint was cut short */
    uint64_t db_id;
    uint64_t checkpoint;     /* the last transaction the file holds */
    uint32_t n_pages;        /* the pages it holds */
} WalTarget;

/* What recovery found. */
typedef struct WalRecovery {
    bool found;              /* there was a log to recover from */
    uint64_t replayed;       /* committed transactions redone */
    uint64_t dropped_bytes;  /* bytes after the last commit */
    uint64_t last_txn;       /* last transaction redone, 0 if none */
    uint32_t db_pages;       /* pages in the database after it, 0 if none */
    bool checkpointed;       /* it ended with a checkpoint record, whose
                              * header page was redone too */
    char reason[160];        /* why the scan stopped, if it stopped early */
} WalRecovery;

/* Called by wal_recover for each page image of each committed
 * transaction, in log order, and for the header page of a checkpoint
 * record. */
typedef DbStatus (*WalApply)(void *ctx, uint32_t page_num,
                             const uint8_t *image);

/* Prepares the log of the database at DB_PATH, whose pages are
 * PAGE_SIZE bytes: its name is that of the file DB_PATH leads to, with
 * "-wal" after it, so that every name of the database finds the same
 * log. Nothing is read or created yet. DB_ENOMEM; DB_EIO: a symbolic
 * link that cannot be followed. */
DbStatus wal_open(const char *db_path, uint32_t page_size, Wal **out);

/* Sets *exists to whether there is a log file. DB_EIO. */
DbStatus wal_exists(const Wal *wal, bool *exists);

/* Reads the log, if there is one, and applies it to the database file
 * described by FILE, only if the log belongs to that file and to that
 * point of its history: the same database id, and it follows the
 * file's checkpoint (or it is the log that checkpoint has just written
 * into the file, ending with its checkpoint record, and redoing it
 * changes nothing). Then it calls APPLY for every page image of every
 * committed transaction, in order. The log is left as it was, and open:
 * recovering twice redoes the same work, so a crash during recovery is
 * harmless; wal_checkpoint and wal_restart go on from there.
 * DB_EMISMATCH: the log is another database's, or stale, or newer than
 * the file; DB_ECORRUPT: its header or a record is damaged or breaks the
 * format's rules; DB_EFORMAT: another log format. After these nothing
 * has been applied, and the log stays for a person to look at. DB_EIO:
 * the log could not be read, or APPLY failed. */
DbStatus wal_recover(Wal *wal, const WalTarget *file, WalApply apply,
                     void *ctx, WalRecovery *result);

/* The database id that the headers of new generations carry. */
void wal_set_db_id(Wal *wal, uint64_t db_id);

/* Appends the N pages PAGES[i] (page numbers PAGE_NUMS[i]) of transaction
 * TXN_ID, after any it spilled, and its commit record, then syncs the
 * log. The first record of a generation first writes and syncs the
 * log's header (and, for a new log file, its directory), following the
 * checkpoint of transaction TXN_ID - 1. When it returns DB_OK the
 * transaction is durable. DB_EIO: it may or may not be, or the log has
 * lost its name (removed or replaced while open), so a crash would lose
 * it; the log must not be written again in this session. */
DbStatus wal_commit(Wal *wal, uint64_t txn_id, const uint32_t *page_nums,
                    uint8_t *const *pages, uint32_t n, uint32_t db_pages);

/* Appends page PAGE_NUM of the running transaction TXN_ID to the log,
 * without a sync, because the buffer pool needs its frame: the page is
 * read back from the log until the transaction ends. It counts only
 * once wal_commit writes the commit record after it. It may start a
 * generation, as wal_commit does. DB_EIO, DB_ENOMEM. */
DbStatus wal_spill(Wal *wal, uint64_t txn_id, uint32_t page_num,
                   const uint8_t *page);

/* Takes back every record of the running transaction TXN_ID: the index
 * forgets them, and if it spilled any, an abort record after them (not
 * synced: the next commit's sync takes it along) says that they do not
 * count, so that the next transaction can take the same id. With FAILED
 * (the log is written no more in this session) no abort record is
 * written: no commit will follow the records, so recovery drops them.
 * DB_EIO: the abort record could not be written; the log must not be
 * written again in this session. */
DbStatus wal_rollback(Wal *wal, uint64_t txn_id, bool failed);

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

/* Appends a checkpoint record and syncs the log, before a checkpoint
 * writes the file: HEADER is page 0 as the checkpoint will write it,
 * whose transaction LAST_TXN is the last the file will hold, and
 * DB_PAGES its number of pages. A crash in the checkpoint then leaves a
 * log that recovery can tell and redo, the header page included. The
 * log must hold this generation's commits. DB_EIO. */
DbStatus wal_checkpoint(Wal *wal, uint64_t last_txn, uint32_t db_pages,
                        const uint8_t *header);

/* Marks the log spent, after a checkpoint has synced every record of it
 * into the file: the next record starts a new generation over it, and
 * the index is empty. */
void wal_restart(Wal *wal);

/* Removes the log file, after a checkpoint has made it redundant. The
 * next record starts a new one. DB_EIO. */
DbStatus wal_remove(Wal *wal);

void wal_stats(const Wal *wal, WalStats *stats);

/* The log's file name ("test.db-wal"). */
const char *wal_path(const Wal *wal);

/* Whether FILE, opened by whatever name, is the log file. */
bool wal_is_file(const Wal *wal, OsFile *file);

/* Closes the log file, if open, and frees WAL. The file stays. */
void wal_close(Wal *wal);

#endif
