/*
 * pager.c - reads pages from the database file into memory, changes
 * them only in transactions that reach the log first, and keeps a list
 * of free pages.
 *
 * Owns: the file, transactions, checkpoints, recovery, the free list,
 * and the first PAGER_HEADER_SIZE bytes of page 0.
 * Does not: keep pages in memory (the buffer pool does), know what is
 * inside a page (page.c and the B+tree do), or the format of the log
 * (wal.c does).
 *
 * Pages live in the buffer pool's frames, pinned while used. The pager
 * gives the pool its ways to the file: read a page (from the log when
 * the log has a newer image than the file), write a committed page back,
 * which is where the WAL rule is enforced, and spill a page of the
 * running transaction to the log when the pool has no other frame to
 * give. So a transaction can change more pages than the pool holds:
 * a table dropped, a value of megabytes written.
 *
 * The life of a change (WAL: write-ahead log):
 *
 *   pager_begin     a transaction starts
 *   pager_write     before a page first changes, the page joins the
 *                   transaction; its old bytes are still in the file or
 *                   the log, so that pager_rollback can forget the new
 *   pager_commit    the changed pages and a commit record go to the log,
 *                   which is synced: now the change is durable. The pages
 *                   are "ahead" of the file, which still has old bytes.
 *   pager_checkpoint  the header page goes to the log first, then the
 *                   pages ahead are written into the file, the file is
 *                   synced, and only then does the log start over
 *
 * The file is never written with anything that is not committed, so
 * after a crash it holds the state of the last checkpoint, and the log
 * holds everything committed since. pager_open redoes the log into the
 * file before reading it, if the log is this file's: the header records
 * the database's id and its last checkpoint, and the log's header says
 * which of them it follows.
 *
 * Every page carries a checksum in its last PAGE_CHECKSUM_SIZE bytes,
 * sealed when the page is written to the file and checked when it is
 * read back, so that a page the disk damaged is refused, not believed.
 *
 * Pages that the tree gives back are chained into the free list, newest
 * first, and handed out again before the file grows:
 *
 *   header: first free = 7 -> page 7: next = 3 -> page 3: next = 0 (end)
 */
#include "pager.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bufpool.h"
#include "bytes.h"
#include "crc32c.h"
#include "os.h"

/* book: begin header-layout */
/* Page 0, the file header (the pager's part)
 *   offset  size  field
 *        0    16  magic: the 16 bytes "Strata database\0"
 *       16     4  format version (5)
 *       20     4  page size in bytes (4096)
 *       24     4  first page of the free list (0 = the list is empty)
 *       28     4  number of pages on the free list
 *       32     8  last transaction a checkpoint wrote into this file
 *       40     4  belongs to the layer above (the root, in btree.c)
 *       44     4  number of pages in the file, this one included
 *       48     8  database id: random, chosen when the file was made;
 *                 every header of its log carries it too
 *       56  4036  belongs to the layer above
 *     4092     4  checksum, as on every page (below)
 * All that recovery reads lies in the first 512-byte sector, which no
 * crash tears apart.
 */
static const char MAGIC[16] = "Strata database";
#define HEADER_VERSION_OFFSET 16
#define HEADER_PAGE_SIZE_OFFSET 20
#define HEADER_FREE_HEAD_OFFSET 24
#define HEADER_FREE_COUNT_OFFSET 28
#define HEADER_LAST_TXN_OFFSET 32
#define HEADER_PAGE_COUNT_OFFSET 44
#define HEADER_DB_ID_OFFSET 48
/* book: end header-layout */

/* Every page of the file ends with its checksum
 *   offset  size  field
 *        0  4092  the page's bytes (PAGE_USABLE_SIZE)
 *     4092     4  CRC-32C of bytes 0-4091
 */

/* A page on the free list
 *   offset  size  field
 *        0     1  page type: PAGE_TYPE_FREE (0)
 *        1     3  zero
 *        4     4  next page of the free list (0 = end of the list)
 *        8  4084  zero
 *     4092     4  checksum
 */
#define FREE_NEXT_OFFSET 4

struct Pager {
    OsFile *file;
    Wal *wal;
    BufPool *pool;
    uint32_t n_pages;      /* pages in the database, with the transaction's */

    bool in_txn;
    uint32_t txn_start_pages;  /* n_pages when the transaction began */
    uint32_t *txn_pages;       /* pages declared, in order */
    uint32_t n_txn_pages, txn_pages_cap;

    uint64_t last_txn;     /* id of the last committed transaction */
    uint64_t db_id;        /* the header's database id */
    bool failed;           /* a write or sync failed: no more changes */
    char failure[200];     /* what failed, for every later refusal */
    bool name_synced;      /* the file's name is known to be durable */
    WalRecovery recovery;  /* what pager_open found in the log */
};

static DbStatus io_error(const char *what, int err)
{
    return db_fail(DB_EIO, "%s failed: %s", what, strerror(err));
}

/* book: begin checksum */
/* Writes PAGE as page PAGE_NUM of the file, sealed with its checksum. */
static int write_page(Pager *pager, uint32_t page_num, const uint8_t *page)
{
    uint8_t sealed[PAGE_SIZE];
    memcpy(sealed, page, PAGE_USABLE_SIZE);
    put_u32(sealed + PAGE_USABLE_SIZE, crc32c(0, sealed, PAGE_USABLE_SIZE));
    return os_write(pager->file, (uint64_t)page_num * PAGE_SIZE, sealed,
                    PAGE_SIZE);
}

/* Checks page PAGE_NUM as the file gave it, before anyone reads it. */
static DbStatus check_page(uint32_t page_num, const uint8_t *page)
{
    if (get_u32(page + PAGE_USABLE_SIZE) != crc32c(0, page, PAGE_USABLE_SIZE))
        return db_fail(DB_ECORRUPT, "page %u is corrupt: checksum mismatch",
                       page_num);
    return DB_OK;
}
/* book: end checksum */

/* Checks that the first LEN bytes of a file, in HEAD, name this format.
 * Done before recovery, so that another program's file is never written:
 * the magic and the version share the first 512-byte sector, which no
 * crash tears apart. A first sector of zeros was never written: a crash
 * in the first checkpoint of a new file can leave one, and recovery
 * repairs it, so it is not refused here. */
static DbStatus check_identity(const char *path, const uint8_t *head,
                               size_t len)
{
    static const uint8_t zeros[sizeof MAGIC];
    size_t magic_len = len < sizeof MAGIC ? len : sizeof MAGIC;
    if (memcmp(head, zeros, magic_len) == 0)
        return DB_OK;
    if (memcmp(head, MAGIC, magic_len) != 0)
        return db_fail(DB_EFORMAT, "'%s' is not a Strata database.", path);
    if (len < HEADER_VERSION_OFFSET + 4)
        return DB_OK;
    uint32_t version = get_u32(head + HEADER_VERSION_OFFSET);
    if (version != PAGER_FORMAT_VERSION)
        return db_fail(DB_EFORMAT,
                       "'%s' is a Strata database in format %u; this "
                       "milestone (%s) reads format %u.",
                       path, version, STRATA_MILESTONE, PAGER_FORMAT_VERSION);
    return DB_OK;
}

/* Checks the rest of the header of an existing file, after recovery. */
static DbStatus check_header(const char *path, const uint8_t *head,
                             size_t len, uint64_t file_size)
{
    size_t magic_len = len < sizeof MAGIC ? len : sizeof MAGIC;
    if (memcmp(head, MAGIC, magic_len) != 0)
        return db_fail(DB_EFORMAT, "'%s' is not a Strata database.", path);
    DbStatus rc = check_identity(path, head, len);
    if (rc != DB_OK)
        return rc;
    if (len < PAGER_HEADER_SIZE)
        return db_fail(DB_ECORRUPT, "'%s' is truncated: %llu bytes is less "
                       "than one page.", path, (unsigned long long)len);

    uint32_t page_size = get_u32(head + HEADER_PAGE_SIZE_OFFSET);
    if (page_size != PAGE_SIZE)
        return db_fail(DB_ECORRUPT,
                       "'%s' says its pages are %u bytes; Strata's are %d.",
                       path, page_size, PAGE_SIZE);

    if (file_size % PAGE_SIZE != 0)
        return db_fail(DB_ECORRUPT,
                       "'%s' is truncated: %llu bytes is not a whole number "
                       "of %d-byte pages.",
                       path, (unsigned long long)file_size, PAGE_SIZE);
    if (file_size / PAGE_SIZE > UINT32_MAX)
        return db_fail(DB_ECORRUPT, "'%s' has more pages than a 32-bit "
                       "page number can name.", path);
    /* A file that lost pages at its end would hand them out again as
     * new ones while the tree still points to them. */
    uint32_t n_pages = get_u32(head + HEADER_PAGE_COUNT_OFFSET);
    if (n_pages > file_size / PAGE_SIZE)
        return db_fail(DB_ECORRUPT, "'%s' is truncated: its header counts "
                       "%u pages, the file holds %llu.", path, n_pages,
                       (unsigned long long)(file_size / PAGE_SIZE));
    if (n_pages < file_size / PAGE_SIZE)
        return db_fail(DB_ECORRUPT, "'%s' is corrupt: its header counts "
                       "%u pages, the file holds %llu.", path, n_pages,
                       (unsigned long long)(file_size / PAGE_SIZE));
    uint32_t free_head = get_u32(head + HEADER_FREE_HEAD_OFFSET);
    if (free_head >= file_size / PAGE_SIZE)
        return db_fail(DB_ECORRUPT, "'%s' is corrupt: its free list starts "
                       "at page %u, past the end of the file.", path,
                       free_head);
    return check_page(0, head);
}

static DbStatus read_only_error(const Pager *pager)
{
    return db_fail(DB_EIO, "the database takes no more changes in this "
                   "session after %s; restart strata to recover",
                   pager->failure);
}

/* The pager gives up on writing after any failed write or sync: the
 * state of the disk is unknown, and retrying a failed fsync can report
 * success with data lost (PostgreSQL's "fsyncgate", 2018). */
static DbStatus fail_for_good(Pager *pager, DbStatus rc)
{
    pager->failed = true;
    snprintf(pager->failure, sizeof pager->failure, "%s", db_errmsg());
    return db_fail(rc, "%s; the database takes no more changes in this "
                   "session (restart strata to recover)", db_errmsg());
}

static void free_pager(Pager *pager)
{
    free(pager->txn_pages);
    if (pager->pool != NULL)
        bufpool_close(pager->pool);
    if (pager->wal != NULL)
        wal_close(pager->wal);
    free(pager);
}

/* book: begin read-page */
/* The pool's way in: page PAGE_NUM, from the log if the log has a newer
 * image than the file, else as the file has it. The log's image is
 * checked by the log's own checksum, the file's by the page's. */
static DbStatus read_page(void *ctx, uint32_t page_num, uint8_t *page,
                          FrameState *state, uint64_t *txn)
{
    Pager *pager = ctx;
    uint64_t offset;
    bool running;
    if (wal_lookup(pager->wal, page_num, &offset, &running)) {
        /* A page the running transaction spilled is its change still. */
        *state = running ? FRAME_CHANGING : FRAME_COMMITTED;
        *txn = running ? 0 : pager->last_txn;
        return wal_read_image(pager->wal, offset, page_num, page);
    }
    *state = FRAME_CLEAN;
    *txn = 0;
    size_t n_read;
    int err = os_read(pager->file, (uint64_t)page_num * PAGE_SIZE, page,
                      PAGE_SIZE, &n_read);
    if (err != 0)
        return io_error("reading a page", err);
    if (n_read != PAGE_SIZE)
        return db_fail(DB_ECORRUPT, "page %u is missing from the file",
                       page_num);
    return check_page(page_num, page);
}
/* book: end read-page */

/* book: begin write-back */
/* The pool's way out: a committed page that must leave its frame. */
static DbStatus write_back(void *ctx, uint32_t page_num, const uint8_t *page,
                           uint64_t txn)
{
    Pager *pager = ctx;
    /* The WAL rule: a page reaches the file only after the log records
     * of every transaction that changed it are durable. The pool never
     * offers a page of the running transaction; a committed one was
     * synced with its commit record, before it was marked committed. */
    assert(txn <= pager->last_txn);
    int err = write_page(pager, page_num, page);
    if (err != 0)
        return fail_for_good(pager, io_error("writing a page back", err));
    /* The file has the newest committed bytes now, not only the log. */
    wal_forget(pager->wal, page_num);
    return DB_OK;
}
/* book: end write-back */

/* book: begin spill */
/* The pool's way out for a page of the running transaction: to the log,
 * as a record of the transaction that counts only if it commits. */
static DbStatus spill(void *ctx, uint32_t page_num, const uint8_t *page)
{
    Pager *pager = ctx;
    DbStatus rc = wal_spill(pager->wal, pager->last_txn + 1, page_num, page);
    return rc == DB_OK ? DB_OK : fail_for_good(pager, rc);
}
/* book: end spill */

/* Redoes one page image of a committed transaction into the file. */
static DbStatus redo_page(void *ctx, uint32_t page_num, const uint8_t *image)
{
    Pager *pager = ctx;
    int err = write_page(pager, page_num, image);
    return err == 0 ? DB_OK : io_error("redoing the log into the file", err);
}

/* What the first LEN bytes of the file, in HEAD, say to recovery: the
 * log must be this database's, and follow this checkpoint. */
static WalTarget target_of(const uint8_t *head, size_t len)
{
    static const uint8_t zeros[sizeof MAGIC];
    WalTarget target = {
        .blank = memcmp(head, zeros, len < sizeof MAGIC ? len
                                                        : sizeof MAGIC) == 0,
    };
    if (!target.blank && len >= HEADER_DB_ID_OFFSET + 8) {
        target.db_id = get_u64(head + HEADER_DB_ID_OFFSET);
        target.checkpoint = get_u64(head + HEADER_LAST_TXN_OFFSET);
        target.n_pages = get_u32(head + HEADER_PAGE_COUNT_OFFSET);
    }
    return target;
}

/* Redoes the log into the file, if it is the file's log, and makes the
 * file whole: its header must record the last transaction redone, and
 * the pages the last commit counts (a transaction that added pages need
 * not have logged the header). That header goes to the log first, as a
 * checkpoint's does, unless the log ends with the checkpoint record that
 * holds it already. Then the file is synced, and the log is spent: the
 * next commit writes over it, closing removes it, and a failure to open
 * the file after all leaves it for the next try. */
static DbStatus recover(Pager *pager, const WalTarget *target)
{
    WalRecovery *found = &pager->recovery;
    DbStatus rc = wal_recover(pager->wal, target, redo_page, pager, found);
    if (rc != DB_OK || !found->found)
        return rc;
    int err = 0;
    if (found->replayed > 0 && !found->checkpointed) {
        uint8_t header[PAGE_SIZE];
        size_t n_read;
        err = os_read(pager->file, 0, header, sizeof header, &n_read);
        if (err != 0)
            return io_error("reading the header", err);
        rc = n_read == PAGE_SIZE
                 ? check_page(0, header)
                 : db_fail(DB_ECORRUPT, "page 0 is missing from the file");
        if (rc != DB_OK)
            return rc;
        put_u64(header + HEADER_LAST_TXN_OFFSET, found->last_txn);
        put_u32(header + HEADER_PAGE_COUNT_OFFSET, found->db_pages);
        rc = wal_checkpoint(pager->wal, found->last_txn, found->db_pages,
                            header);
        if (rc != DB_OK)
            return rc;
        err = write_page(pager, 0, header);
    }
    if (err == 0 && (found->replayed > 0 || found->checkpointed))
        err = os_sync(pager->file);
    if (err == 0 && (found->replayed > 0 || found->checkpointed))
        err = os_sync_dir(wal_path(pager->wal));
    if (err != 0)
        return io_error("syncing the recovered file", err);
    wal_restart(pager->wal);
    return DB_OK;
}

/* A database id for a new file: random, and never 0. */
static DbStatus new_db_id(uint64_t *id)
{
    uint8_t bytes[8];
    do {
        int err = os_random(bytes, sizeof bytes);
        if (err != 0)
            return db_fail(DB_EIO, "no random database id: %s",
                           strerror(err));
        *id = get_u64(bytes);
    } while (*id == 0);
    return DB_OK;
}

DbStatus pager_open(const char *path, uint32_t n_frames,
                    const EvictPolicy *policy, Pager **out)
{
    *out = NULL;
    Pager *pager = calloc(1, sizeof *pager);
    if (pager == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    DbStatus rc = wal_open(path, PAGE_SIZE, &pager->wal);
    if (rc != DB_OK)
        goto fail;

    /* A log whose database file is gone is never applied to a new one. */
    int err = os_open_existing(path, &pager->file);
    if (err == ENOENT) {
        bool orphan;
        rc = wal_exists(pager->wal, &orphan);
        if (rc == DB_OK && orphan)
            rc = db_fail(DB_EMISMATCH, "'%s' does not exist, but its log "
                         "'%s' does: a log is never applied to a new file; "
                         "move it away to make a new database", path,
                         wal_path(pager->wal));
        if (rc != DB_OK)
            goto fail;
        err = os_open(path, &pager->file);
    }
    if (err != 0) {
        rc = err == EINVAL
                 ? db_fail(DB_EFORMAT, "'%s' is not a regular file: a "
                           "database must be one.", path)
                 : db_fail(DB_EIO, "cannot open '%s': %s", path,
                           strerror(err));
        goto fail;
    }
    err = os_lock(pager->file);
    if (err != 0) {
        rc = err == EAGAIN
                 ? db_fail(DB_ELOCKED, "'%s' is open in another process.",
                           path)
                 : io_error("locking the database", err);
        goto fail;
    }

    uint8_t head[PAGE_SIZE];
    size_t n_read;
    err = os_read(pager->file, 0, head, sizeof head, &n_read);
    if (err != 0) {
        rc = io_error("reading the header", err);
        goto fail;
    }
    rc = check_identity(path, head, n_read);
    if (rc == DB_OK) {
        WalTarget target = target_of(head, n_read);
        rc = recover(pager, &target);
    }
    if (rc != DB_OK)
        goto fail;

    uint64_t file_size;
    err = os_size(pager->file, &file_size);
    if (err == 0)
        err = os_read(pager->file, 0, head, sizeof head, &n_read);
    if (err != 0) {
        rc = io_error("reading the header", err);
        goto fail;
    }
    /* A new database gets its header page in its first transaction. */
    pager->name_synced = file_size > 0;
    if (file_size > 0) {
        rc = check_header(path, head, n_read, file_size);
        if (rc != DB_OK)
            goto fail;
        pager->n_pages = (uint32_t)(file_size / PAGE_SIZE);
        pager->last_txn = get_u64(head + HEADER_LAST_TXN_OFFSET);
        pager->db_id = get_u64(head + HEADER_DB_ID_OFFSET);
    } else {
        rc = new_db_id(&pager->db_id);
    }
    wal_set_db_id(pager->wal, pager->db_id);
    BufPoolIo io = {.ctx = pager, .read = read_page,
                    .write_back = write_back, .spill = spill};
    if (rc == DB_OK)
        rc = bufpool_open(n_frames, policy, io, &pager->pool);
    if (rc != DB_OK)
        goto fail;
    *out = pager;
    return DB_OK;

fail:
    if (pager->file != NULL)
        pager_discard(pager);
    else
        free_pager(pager);
    return rc;
}

uint32_t pager_page_count(const Pager *pager)
{
    return pager->n_pages;
}

DbStatus pager_get_page(Pager *pager, uint32_t page_num, uint8_t **page)
{
    *page = NULL;
    if (page_num >= pager->n_pages)
        return db_fail(DB_ECORRUPT, "page %u is past the end of the file "
                       "(%u pages)", page_num, pager->n_pages);
    return bufpool_pin(pager->pool, page_num, false, page);
}

void pager_release(Pager *pager, uint32_t page_num)
{
    bufpool_unpin(pager->pool, page_num);
}

bool pager_is_checked(const Pager *pager, uint32_t page_num)
{
    return bufpool_is_checked(pager->pool, page_num);
}

void pager_mark_checked(Pager *pager, uint32_t page_num)
{
    bufpool_set_checked(pager->pool, page_num, true);
}

/* --- transactions --------------------------------------------------- */

DbStatus pager_begin(Pager *pager)
{
    assert(!pager->in_txn);
    pager->in_txn = true;
    pager->txn_start_pages = pager->n_pages;
    if (pager->n_pages > 0)
        return DB_OK;

    /* A new file: the header page is this transaction's first change. */
    pager->n_pages = 1;
    uint8_t *header;
    DbStatus rc = pager_write(pager, 0);
    if (rc == DB_OK)
        rc = pager_get_page(pager, 0, &header);
    if (rc != DB_OK)
        return rc;
    memcpy(header, MAGIC, sizeof MAGIC);
    put_u32(header + HEADER_VERSION_OFFSET, PAGER_FORMAT_VERSION);
    put_u32(header + HEADER_PAGE_SIZE_OFFSET, PAGE_SIZE);
    put_u64(header + HEADER_DB_ID_OFFSET, pager->db_id);
    pager_release(pager, 0);
    return DB_OK;
}

/* book: begin pager-write */
DbStatus pager_write(Pager *pager, uint32_t page_num)
{
    assert(pager->in_txn);
    if (pager->failed)
        return read_only_error(pager);
    if (page_num >= pager->n_pages)
        return db_fail(DB_ECORRUPT, "page %u is past the end of the file "
                       "(%u pages)", page_num, pager->n_pages);
    /* A page this transaction added has no bytes anywhere yet. */
    bool added = page_num >= pager->txn_start_pages;
    uint8_t *page;
    DbStatus rc = bufpool_pin(pager->pool, page_num, added, &page);
    if (rc != DB_OK)
        return rc;
    /* Changed already (perhaps spilled, and back from the log). */
    if (bufpool_state(pager->pool, page_num) == FRAME_CHANGING) {
        bufpool_unpin(pager->pool, page_num);
        return DB_OK;
    }
    if (pager->n_txn_pages == pager->txn_pages_cap) {
        uint32_t cap = pager->txn_pages_cap ? 2 * pager->txn_pages_cap : 64;
        uint32_t *grown = realloc(pager->txn_pages, cap * sizeof *grown);
        if (grown == NULL) {
            bufpool_unpin(pager->pool, page_num);
            return db_fail(DB_ENOMEM, "out of memory");
        }
        pager->txn_pages = grown;
        pager->txn_pages_cap = cap;
    }
    /* From now on the frame leaves the pool only through the log:
     * nothing uncommitted may reach the file. Its old bytes are in the
     * file or the log still, for a rollback. */
    bufpool_set_state(pager->pool, page_num, FRAME_CHANGING, 0);
    bufpool_unpin(pager->pool, page_num);
    pager->txn_pages[pager->n_txn_pages++] = page_num;
    return DB_OK;
}
/* book: end pager-write */

uint32_t pager_txn_pages(const Pager *pager)
{
    return pager->n_txn_pages;
}

static void end_transaction(Pager *pager)
{
    pager->n_txn_pages = 0;
    pager->in_txn = false;
}

/* book: begin rollback */
void pager_rollback(Pager *pager)
{
    if (!pager->in_txn)
        return;
    /* The changed frames go; the next read of each page finds its old
     * bytes where they were, in the log or the file. */
    for (uint32_t i = 0; i < pager->n_txn_pages; i++)
        if (bufpool_state(pager->pool, pager->txn_pages[i]) ==
            FRAME_CHANGING)
            bufpool_drop(pager->pool, pager->txn_pages[i]);
    /* Pages the transaction spilled are in the log: it says that they do
     * not count, so that the next transaction can take the same id. */
    if (wal_rollback(pager->wal, pager->last_txn + 1, pager->failed) !=
        DB_OK)
        fail_for_good(pager, DB_EIO);
    pager->n_pages = pager->txn_start_pages;
    end_transaction(pager);
}
/* book: end rollback */

static int by_number(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a;
    uint32_t y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* book: begin commit */
DbStatus pager_commit(Pager *pager)
{
    uint32_t n = pager->n_txn_pages;
    if (n == 0) {
        end_transaction(pager);
        return DB_OK;
    }
    qsort(pager->txn_pages, n, sizeof pager->txn_pages[0], by_number);
    uint32_t *page_nums = malloc(n * sizeof *page_nums);
    uint8_t **images = malloc(n * sizeof *images);
    DbStatus rc = page_nums && images ? DB_OK
                                      : db_fail(DB_ENOMEM, "out of memory");
    /* The pages still in the pool go to the log now; the others were
     * spilled there already. Pinning a changing frame always hits. */
    uint32_t pinned = 0;
    for (uint32_t i = 0; rc == DB_OK && i < n; i++) {
        uint32_t page_num = pager->txn_pages[i];
        if (bufpool_state(pager->pool, page_num) != FRAME_CHANGING)
            continue;
        page_nums[pinned] = page_num;
        rc = bufpool_pin(pager->pool, page_num, false, &images[pinned]);
        if (rc == DB_OK)
            pinned++;
    }
    if (rc == DB_OK)
        rc = wal_commit(pager->wal, pager->last_txn + 1, page_nums, images,
                        pinned, pager->n_pages);
    for (uint32_t i = 0; i < pinned; i++)
        bufpool_unpin(pager->pool, page_nums[i]);
    if (rc != DB_OK) {
        free(page_nums);
        free(images);
        /* Failed for good before the rollback, which then writes no
         * abort record after a failed write. */
        if (rc != DB_ENOMEM)
            rc = fail_for_good(pager, rc);
        pager_rollback(pager);
        return rc;
    }

    /* Durable: the pages may leave the pool now, written back first. */
    pager->last_txn++;
    for (uint32_t i = 0; i < pinned; i++)
        bufpool_set_state(pager->pool, page_nums[i], FRAME_COMMITTED,
                          pager->last_txn);
    free(page_nums);
    free(images);
    end_transaction(pager);

    /* This commit is durable either way: if the checkpoint fails, the
     * failure shows at the next change. */
    WalStats log;
    wal_stats(pager->wal, &log);
    if (log.bytes >= PAGER_CHECKPOINT_BYTES)
        pager_checkpoint(pager);
    return DB_OK;
}
/* book: end commit */

/* Copies the log's image of page PAGE_NUM, at OFFSET, into the file. */
static DbStatus copy_from_log(void *ctx, uint32_t page_num, uint64_t offset)
{
    Pager *pager = ctx;
    uint8_t page[PAGE_SIZE];
    DbStatus rc = wal_read_image(pager->wal, offset, page_num, page);
    if (rc != DB_OK)
        return rc;
    int err = write_page(pager, page_num, page);
    return err == 0 ? DB_OK : io_error("checkpointing", err);
}

/* book: begin checkpoint */
/* With RESTART false, at close, the log is left as it is, to be removed. */
static DbStatus checkpoint(Pager *pager, bool restart)
{
    if (pager->failed)
        return read_only_error(pager);
    WalStats log;
    wal_stats(pager->wal, &log);
    if (bufpool_count(pager->pool, FRAME_COMMITTED) == 0 &&
        wal_pages(pager->wal) == 0 && log.commits == 0)
        return DB_OK;

    /* 1. The header records the last transaction the file will hold;
     *    it goes to the log first, in a checkpoint record, since no
     *    commit logged these bytes, and a torn write of them must be
     *    redone from somewhere. */
    uint8_t *header;
    DbStatus rc = pager_get_page(pager, 0, &header);
    if (rc != DB_OK)
        return rc;
    put_u64(header + HEADER_LAST_TXN_OFFSET, pager->last_txn);
    put_u32(header + HEADER_PAGE_COUNT_OFFSET, pager->n_pages);
    rc = wal_checkpoint(pager->wal, pager->last_txn, pager->n_pages,
                        header);
    if (rc == DB_OK)
        bufpool_set_state(pager->pool, 0, FRAME_COMMITTED, pager->last_txn);
    pager_release(pager, 0);
    if (rc != DB_OK)
        return rc == DB_ENOMEM ? rc : fail_for_good(pager, rc);

    /* 2. The committed pages the file lacks, the header with them: those
     *    in the pool, then those only the log has ... */
    rc = bufpool_flush(pager->pool);
    if (rc == DB_OK)
        rc = wal_each_page(pager->wal, copy_from_log, pager);
    if (rc != DB_OK)
        return fail_for_good(pager, rc);
    /* 3. ... then sync the file (and, for a new file, its name) ... */
    int err = os_sync(pager->file);
    if (err == 0 && !pager->name_synced) {
        err = os_sync_dir(wal_path(pager->wal));
        pager->name_synced = err == 0;
    }
    if (err != 0)
        return fail_for_good(pager, io_error("checkpointing", err));

    /* 4. ... and only then start the log over: the file holds it all. */
    if (restart)
        wal_restart(pager->wal);
    return DB_OK;
}

DbStatus pager_checkpoint(Pager *pager)
{
    return checkpoint(pager, true);
}
/* book: end checkpoint */

bool pager_holds_file(const Pager *pager, OsFile *file)
{
    bool same = false;
    return (os_same_file(pager->file, file, &same) == 0 && same) ||
           wal_is_file(pager->wal, file);
}

void pager_log_info(const Pager *pager, PagerLogInfo *info)
{
    info->path = wal_path(pager->wal);
    wal_stats(pager->wal, &info->log);
    info->last_txn = pager->last_txn;
    info->pages_ahead = wal_pages(pager->wal);
    info->recovery = pager->recovery;
}

BufPool *pager_pool(Pager *pager)
{
    return pager->pool;
}

/* --- the free list ---------------------------------------------------- */

/* book: begin allocate */
DbStatus pager_allocate_page(Pager *pager, uint32_t *page_num)
{
    uint8_t *header, *page;
    DbStatus rc = pager_get_page(pager, 0, &header);
    if (rc != DB_OK)
        return rc;

    uint32_t free_head = get_u32(header + HEADER_FREE_HEAD_OFFSET);
    if (free_head != 0) {
        /* Reuse the first free page: the list now starts at its next. */
        rc = pager_get_page(pager, free_head, &page);
        if (rc != DB_OK) {
            pager_release(pager, 0);
            return rc;
        }
        if (page[0] != PAGE_TYPE_FREE)
            rc = db_fail(DB_ECORRUPT, "page %u is on the free list but "
                         "is not a free page", free_head);
        if (rc == DB_OK)
            rc = pager_write(pager, 0);
        if (rc == DB_OK)
            rc = pager_write(pager, free_head);
        if (rc == DB_OK) {
            put_u32(header + HEADER_FREE_HEAD_OFFSET,
                    get_u32(page + FREE_NEXT_OFFSET));
            put_u32(header + HEADER_FREE_COUNT_OFFSET,
                    get_u32(header + HEADER_FREE_COUNT_OFFSET) - 1);
            memset(page, 0, PAGE_SIZE);
            *page_num = free_head;
        }
        pager_release(pager, free_head);
        pager_release(pager, 0);
        return rc;
    }
    pager_release(pager, 0);

    /* No free page: the file grows by one, in the pool for now. */
    if (pager->n_pages == UINT32_MAX)
        return db_fail(DB_ENOMEM, "the file has 2^32 - 1 pages already");
    *page_num = pager->n_pages++;
    rc = pager_write(pager, *page_num);
    if (rc != DB_OK)
        pager->n_pages--;
    return rc;
}
/* book: end allocate */

DbStatus pager_free_page(Pager *pager, uint32_t page_num)
{
    uint8_t *header, *page;
    DbStatus rc = pager_write(pager, 0);
    if (rc == DB_OK)
        rc = pager_write(pager, page_num);
    if (rc == DB_OK)
        rc = pager_get_page(pager, 0, &header);
    if (rc != DB_OK)
        return rc;
    rc = pager_get_page(pager, page_num, &page);
    if (rc == DB_OK) {
        memset(page, 0, PAGE_SIZE);
        bufpool_set_checked(pager->pool, page_num, false);
        page[0] = PAGE_TYPE_FREE;
        put_u32(page + FREE_NEXT_OFFSET,
                get_u32(header + HEADER_FREE_HEAD_OFFSET));
        put_u32(header + HEADER_FREE_HEAD_OFFSET, page_num);
        put_u32(header + HEADER_FREE_COUNT_OFFSET,
                get_u32(header + HEADER_FREE_COUNT_OFFSET) + 1);
        pager_release(pager, page_num);
    }
    pager_release(pager, 0);
    return rc;
}

DbStatus pager_walk_free_list(Pager *pager,
                              DbStatus (*visit)(void *ctx, uint32_t page_num),
                              void *ctx)
{
    uint8_t *header, *page;
    DbStatus rc = pager_get_page(pager, 0, &header);
    if (rc != DB_OK)
        return rc;
    uint32_t expected = get_u32(header + HEADER_FREE_COUNT_OFFSET);
    uint32_t page_num = get_u32(header + HEADER_FREE_HEAD_OFFSET);
    pager_release(pager, 0);
    uint32_t count = 0;
    while (page_num != 0) {
        /* A list longer than the file has pages must loop. */
        if (++count > expected || count >= pager->n_pages)
            return db_fail(DB_ECORRUPT, "the free list is longer than the "
                           "%u pages the header counts", expected);
        if (page_num >= pager->n_pages)
            return db_fail(DB_ECORRUPT, "the free list points to page %u, "
                           "past the end of the file", page_num);
        rc = pager_get_page(pager, page_num, &page);
        if (rc != DB_OK)
            return rc;
        bool is_free = page[0] == PAGE_TYPE_FREE;
        uint32_t next = get_u32(page + FREE_NEXT_OFFSET);
        pager_release(pager, page_num);
        if (!is_free)
            return db_fail(DB_ECORRUPT, "page %u is on the free list but "
                           "is not a free page", page_num);
        rc = visit(ctx, page_num);
        if (rc != DB_OK)
            return rc;
        page_num = next;
    }
    if (count != expected)
        return db_fail(DB_ECORRUPT, "the free list has %u pages but the "
                       "header counts %u", count, expected);
    return DB_OK;
}

void pager_discard(Pager *pager)
{
    os_close(pager->file);
    free_pager(pager);
}

DbStatus pager_close(Pager *pager)
{
    DbStatus rc = pager->failed
                      ? db_fail(DB_EIO, "the session ended after a failed "
                                "write or sync; the next open recovers what "
                                "the log holds")
                      : checkpoint(pager, false);
    if (rc == DB_OK)
        rc = wal_remove(pager->wal);
    int err = os_close(pager->file);
    if (rc == DB_OK && err != 0)
        rc = io_error("closing the file", err);
    free_pager(pager);
    return rc;
}
