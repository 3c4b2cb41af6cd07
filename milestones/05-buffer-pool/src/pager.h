/*
 * pager.h - the database file as an array of 4096-byte pages, held in a
 * bounded buffer pool while used, and changed only by transactions, which
 * reach the log before they reach the file.
 */
#ifndef PAGER_H
#define PAGER_H

#include <stdbool.h>
#include <stdint.h>

#include "bufpool.h"
#include "status.h"
#include "wal.h"

#define PAGER_FORMAT_VERSION 5  /* changes whenever the file format does */
#define PAGER_HEADER_SIZE 40    /* bytes of page 0 the pager owns */

/* The last bytes of every page are its checksum, which the pager seals
 * whenever the page goes to the file and checks whenever it comes back:
 * the layers above use only the first PAGE_USABLE_SIZE bytes. */
#define PAGE_CHECKSUM_SIZE 4
#define PAGE_USABLE_SIZE (PAGE_SIZE - PAGE_CHECKSUM_SIZE)

/* A log this large is checkpointed: about 1000 page images, as SQLite's
 * default. */
#define PAGER_CHECKPOINT_BYTES (4 * 1024 * 1024)

/* Byte 0 of every page says what the page is. The pager marks the pages
 * on its free list with PAGE_TYPE_FREE; the layers above use other
 * values for theirs. */
#define PAGE_TYPE_FREE 0

typedef struct Pager Pager;

/* Where the log stands, for .wal. */
typedef struct PagerLogInfo {
    const char *path;        /* the log's file name */
    WalStats log;            /* the log file as it is now */
    uint64_t last_txn;       /* last committed transaction */
    uint32_t pages_ahead;    /* committed pages in the pool, not in the file */
    WalRecovery recovery;    /* what recovery did when the file opened */
} PagerLogInfo;

/* Opens the database file at PATH, creating it if it does not exist, and
 * recovers: every transaction committed in the log is redone into the
 * file before anything else reads it. Then checks that it is a Strata
 * file of this format, and makes a buffer pool of N_FRAMES frames that
 * evicts by POLICY. Fails with DB_EFORMAT (another program's file, or
 * another format version; such a file is not touched), DB_ECORRUPT
 * (truncated or inconsistent, or a damaged log), DB_EMISMATCH (a log
 * that is not of this file, or of this point of its history, or a log
 * whose file is missing: the log is not applied, and stays), DB_ELOCKED
 * (another process has it open), DB_EIO, DB_ENOMEM. On failure *out is
 * NULL, and a log is still there, whether recovery applied it or not. */
DbStatus pager_open(const char *path, uint32_t n_frames,
                    const EvictPolicy *policy, Pager **out);

/* The number of pages in the database, the header page included. */
uint32_t pager_page_count(const Pager *pager);

/* Pins page PAGE_NUM in the buffer pool and points *page at its bytes,
 * which stay there until pager_release. Only read through this pointer
 * unless the page has been given to pager_write in the running
 * transaction. DB_ECORRUPT: PAGE_NUM is not a page of this file, or the
 * checksum of the page read does not match its bytes; DB_EIO (also
 * from spilling a page of the transaction to the log for the frame);
 * DB_EFULL: every frame is pinned. On failure nothing is pinned. */
DbStatus pager_get_page(Pager *pager, uint32_t page_num, uint8_t **page);

/* Ends the pin of page PAGE_NUM that pager_get_page took: every
 * pager_get_page that succeeds needs exactly one. */
void pager_release(Pager *pager, uint32_t page_num);

/* Whether the layer above has vouched for page PAGE_NUM's bytes with
 * pager_mark_checked. The layer checks a page once, when it first uses
 * it after a read into the pool, and trusts it from then on, since only
 * its own code changes it. A page comes from the file or the log without
 * the mark, and loses it when the pager puts other bytes in it: when the
 * page goes on the free list; and when the page leaves the pool (a
 * rollback drops it), it comes back without it. The pager does not know
 * what the check is. */
bool pager_is_checked(const Pager *pager, uint32_t page_num);
void pager_mark_checked(Pager *pager, uint32_t page_num);

/* Starts a transaction. The first transaction of a new file creates its
 * header page. DB_ENOMEM. */
DbStatus pager_begin(Pager *pager);

/* Declares that the running transaction is about to change page
 * PAGE_NUM, so that pager_rollback can drop its new bytes (the old ones
 * are in the file or the log) and they go to the log at commit, or
 * before it if the pool spills them. Call it before every change.
 * DB_EIO: an earlier write or sync failed, and the database takes no
 * more changes in this session (reads still work). */
DbStatus pager_write(Pager *pager, uint32_t page_num);

/* The pages the running transaction has changed (0 outside one). */
uint32_t pager_txn_pages(const Pager *pager);

/* Commits the running transaction: appends the pages it changed and a
 * commit record to the log and syncs it. When it returns DB_OK the
 * transaction is durable. A transaction that changed nothing writes
 * nothing. DB_EIO: the log could not be written or synced; the
 * transaction is rolled back in memory, it may or may not be in the log,
 * and the database takes no more changes in this session. */
DbStatus pager_commit(Pager *pager);

/* Undoes every change of the running transaction: its frames are
 * dropped, and pages it spilled to the log are taken back, with an
 * abort record after them (wal_rollback). If that record cannot be
 * written, the database takes no more changes in this session. */
void pager_rollback(Pager *pager);

/* Writes every committed page the file lacks into it, syncs it, and
 * restarts the log, which then holds nothing the file does not. Runs by
 * itself when the log passes PAGER_CHECKPOINT_BYTES. DB_EIO: fatal, as
 * for pager_commit; the log stays, so nothing committed is lost. */
DbStatus pager_checkpoint(Pager *pager);

/* Finds a page for new data (inside a transaction): the first page of the
 * free list if there is one, else a new page at the end of the file. The
 * page is zeroed and already declared written. DB_ENOMEM, DB_EIO,
 * DB_ECORRUPT (a damaged free list). */
DbStatus pager_allocate_page(Pager *pager, uint32_t *page_num);

/* Puts page PAGE_NUM on the free list (inside a transaction). */
DbStatus pager_free_page(Pager *pager, uint32_t page_num);

/* Walks the free list: calls VISIT on each page in list order, stopping
 * early if VISIT returns anything but DB_OK. DB_ECORRUPT: the list leaves
 * the file, loops, holds a page that is not marked free, or its length
 * disagrees with the header. */
DbStatus pager_walk_free_list(Pager *pager,
                              DbStatus (*visit)(void *ctx, uint32_t page_num),
                              void *ctx);

/* Whether FILE, opened by whatever name, is the database file or its
 * log (.import must read neither). */
bool pager_holds_file(const Pager *pager, OsFile *file);

/* Fills *info with the state of the log. */
void pager_log_info(const Pager *pager, PagerLogInfo *info);

/* The buffer pool, for its statistics (.stats, .pool). */
BufPool *pager_pool(Pager *pager);

/* Closes the file and frees the pager without a checkpoint: the log stays
 * for the next open to recover. For giving up on a file that failed its
 * checks. */
void pager_discard(Pager *pager);

/* Checkpoints, removes the log, closes the files and frees the pager,
 * also when the checkpoint fails or an earlier write did (DB_EIO; the log
 * then stays, and nothing committed is lost). */
DbStatus pager_close(Pager *pager);

#endif
