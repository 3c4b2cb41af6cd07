/*
 * wal.c - the write-ahead log file: appending committed transactions,
 * and finding them again after a crash.
 *
 * Owns: the log format drawn in wal.h, its checksums, the rules for
 * which records count, and which database file a log may be applied to.
 * Does not: decide what a transaction is or when to checkpoint (the pager
 * does), or know what is inside a page.
 *
 * The log file lives from the first commit of a session to its close.
 * A checkpoint in between makes it spent, and the next commit starts a
 * new generation over it: a new header, a new salt, new records over the
 * old. Recovery tells the generations apart by the salt in every record,
 * and a log's database, and the point of its history, by the id and the
 * checkpoint in the header.
 *
 * The log is also where a page goes that the file must not have yet: a
 * committed page the file lacks, and a page of the running transaction
 * that the buffer pool had no room for (a spilled page, appended before
 * its commit record). An index in memory says where the newest image of
 * each such page is, so that the pager can read it back:
 *
 *   index: page 7 -> byte 40, page 3 -> byte 8280     (open addressing)
 *
 * A transaction that rolls back after spilling takes its records back:
 * the index forgets them, and an abort record after them tells recovery
 * that they do not count.
 */
#include "wal.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "crc32c.h"
#include "os.h"

static const char WAL_MAGIC[8] = {'S', 't', 'r', 'a', 't', 'a', 'W', 'L'};
/* 3: a log may hold abort records, which milestone 04 (version 2) would
 * take for the end of the log, dropping the commits after them. */
#define WAL_VERSION 3
#define HEADER_VERSION_OFFSET 8
#define HEADER_PAGE_SIZE_OFFSET 12
#define HEADER_SALT_OFFSET 16
#define HEADER_CHECKPOINT_OFFSET 20
#define HEADER_DB_ID_OFFSET 28
#define HEADER_CHECKSUM_OFFSET 36

#define NO_OFFSET UINT64_MAX

/* Page records a commit writes at once: its buffer's size, whatever the
 * transaction's. */
#define WAL_WRITE_PAGES 64

/* An entry of the index: a page and where its newest image starts. */
typedef struct IndexEntry {
    uint32_t page_num;
    uint32_t txn_mark;   /* == the Wal's: undo knows this page already */
    uint64_t offset;     /* NO_OFFSET: the slot is free */
} IndexEntry;

struct Wal {
    char *path;
    uint32_t page_size;
    OsFile *file;        /* NULL until the first commit opens the log */
    bool spent;          /* the database file holds all of it */
    uint64_t db_id;
    uint32_t salt;
    uint64_t end;        /* where the next record goes */
    WalStats stats;
    uint8_t *buffer;     /* records on their way to the file */
    size_t buffer_cap;

    IndexEntry *index;   /* 2^index_bits slots */
    uint32_t index_bits, index_used;
    /* The running transaction's records: where they began, and what the
     * index said of each page before them, to put back on rollback. */
    bool in_txn;
    uint32_t txn_mark;   /* one more for each transaction */
    uint64_t txn_start;
    IndexEntry *undo;
    uint32_t n_undo, undo_cap;
    bool rewritten;      /* it wrote a record over one of its own */
};

static DbStatus io_error(const Wal *wal, const char *what, int err)
{
    return db_fail(DB_EIO, "%s the log %s failed: %s", what, wal->path,
                   strerror(err));
}

/* The bytes of a page record: its header and the page. */
static size_t page_record_size(const Wal *wal)
{
    return WAL_RECORD_HEADER_SIZE + wal->page_size;
}

/* --- the index ----------------------------------------------------------- */

static uint32_t index_slot(const Wal *wal, uint32_t page_num)
{
    /* Fibonacci hashing, as the buffer pool's page table. */
    return (uint32_t)(page_num * 2654435769u) >> (32 - wal->index_bits);
}

static IndexEntry *index_find(const Wal *wal, uint32_t page_num)
{
    if (wal->index == NULL)
        return NULL;
    uint32_t mask = (1u << wal->index_bits) - 1;
    for (uint32_t s = index_slot(wal, page_num);; s = (s + 1) & mask) {
        IndexEntry *e = &wal->index[s];
        if (e->offset == NO_OFFSET)
            return NULL;
        if (e->page_num == page_num)
            return e;
    }
}

static void index_clear(Wal *wal)
{
    for (uint32_t s = 0; wal->index && s < (1u << wal->index_bits); s++)
        wal->index[s].offset = NO_OFFSET;
    wal->index_used = 0;
}

/* Makes the index twice as large (or the first one). */
static DbStatus index_grow(Wal *wal)
{
    uint32_t old_bits = wal->index_bits;
    IndexEntry *old = wal->index;
    uint32_t bits = old ? old_bits + 1 : 8;
    IndexEntry *grown = malloc(((size_t)1 << bits) * sizeof *grown);
    if (grown == NULL)
        return db_fail(DB_ENOMEM, "out of memory for the log's index");
    wal->index = grown;
    wal->index_bits = bits;
    index_clear(wal);
    uint32_t mask = (1u << bits) - 1;
    for (uint32_t i = 0; old && i < (1u << old_bits); i++) {
        if (old[i].offset == NO_OFFSET)
            continue;
        uint32_t s = index_slot(wal, old[i].page_num);
        while (wal->index[s].offset != NO_OFFSET)
            s = (s + 1) & mask;
        wal->index[s] = old[i];
        wal->index_used++;
    }
    free(old);
    return DB_OK;
}

/* Removes ENTRY, moving later entries of its probe run back so that no
 * lookup stops short at the hole. */
static void index_remove(Wal *wal, IndexEntry *entry)
{
    uint32_t mask = (1u << wal->index_bits) - 1;
    uint32_t s = (uint32_t)(entry - wal->index);
    wal->index[s].offset = NO_OFFSET;
    wal->index_used--;
    for (uint32_t next = (s + 1) & mask; wal->index[next].offset != NO_OFFSET;
         next = (next + 1) & mask) {
        uint32_t home = index_slot(wal, wal->index[next].page_num);
        if (((next - home) & mask) >= ((next - s) & mask)) {
            wal->index[s] = wal->index[next];
            wal->index[next].offset = NO_OFFSET;
            s = next;
        }
    }
}

/* Records that the newest image of PAGE_NUM is at OFFSET, remembering
 * for a rollback what the index said before the running transaction. */
static DbStatus index_set(Wal *wal, uint32_t page_num, uint64_t offset)
{
    IndexEntry *e = index_find(wal, page_num);
    if (e == NULL || e->txn_mark != wal->txn_mark) {
        if (wal->n_undo == wal->undo_cap) {
            uint32_t cap = wal->undo_cap ? 2 * wal->undo_cap : 64;
            IndexEntry *grown = realloc(wal->undo, cap * sizeof *grown);
            if (grown == NULL)
                return db_fail(DB_ENOMEM, "out of memory");
            wal->undo = grown;
            wal->undo_cap = cap;
        }
        wal->undo[wal->n_undo++] = (IndexEntry){
            .page_num = page_num,
            .offset = e != NULL ? e->offset : NO_OFFSET};
    }
    if (e != NULL) {
        e->offset = offset;
        e->txn_mark = wal->txn_mark;
        return DB_OK;
    }
    if (wal->index == NULL || 2 * (wal->index_used + 1) >
                                  (1u << wal->index_bits)) {
        DbStatus rc = index_grow(wal);
        if (rc != DB_OK)
            return rc;
    }
    uint32_t mask = (1u << wal->index_bits) - 1;
    uint32_t s = index_slot(wal, page_num);
    while (wal->index[s].offset != NO_OFFSET)
        s = (s + 1) & mask;
    wal->index[s] = (IndexEntry){.page_num = page_num,
                                 .txn_mark = wal->txn_mark,
                                 .offset = offset};
    wal->index_used++;
    return DB_OK;
}

bool wal_lookup(const Wal *wal, uint32_t page_num, uint64_t *offset,
                bool *running)
{
    const IndexEntry *e = index_find(wal, page_num);
    if (e != NULL) {
        *offset = e->offset;
        *running = wal->in_txn && e->txn_mark == wal->txn_mark &&
                   e->offset >= wal->txn_start;
    }
    return e != NULL;
}

void wal_forget(Wal *wal, uint32_t page_num)
{
    IndexEntry *e = index_find(wal, page_num);
    if (e != NULL)
        index_remove(wal, e);
}

uint32_t wal_pages(const Wal *wal)
{
    return wal->index_used;
}

DbStatus wal_each_page(Wal *wal,
                       DbStatus (*visit)(void *ctx, uint32_t page_num,
                                         uint64_t offset),
                       void *ctx)
{
    for (uint32_t s = 0; wal->index && s < (1u << wal->index_bits); s++) {
        if (wal->index[s].offset == NO_OFFSET)
            continue;
        DbStatus rc = visit(ctx, wal->index[s].page_num,
                            wal->index[s].offset);
        if (rc != DB_OK)
            return rc;
    }
    return DB_OK;
}

DbStatus wal_read_image(Wal *wal, uint64_t offset, uint32_t page_num,
                        uint8_t *page)
{
    uint8_t h[WAL_RECORD_HEADER_SIZE];
    size_t n_read;
    int err = os_read(wal->file, offset, h, sizeof h, &n_read);
    if (err == 0 && n_read == sizeof h)
        err = os_read(wal->file, offset + sizeof h, page, wal->page_size,
                      &n_read);
    if (err != 0)
        return io_error(wal, "reading", err);
    /* The log is ours and was written in this session, but it came back
     * from the disk: it is checked as recovery would. */
    uint32_t crc = crc32c(crc32c(0, h, 20), page, wal->page_size);
    if (n_read != wal->page_size || h[0] != WAL_PAGE ||
        get_u32(h + 4) != page_num || get_u32(h + 16) != wal->salt ||
        crc != get_u32(h + 20))
        return db_fail(DB_ECORRUPT, "the log %s lost the image of page %u "
                       "at byte %llu", wal->path, page_num,
                       (unsigned long long)offset);
    return DB_OK;
}

DbStatus wal_open(const char *db_path, uint32_t page_size, Wal **out)
{
    *out = NULL;
    char *name;
    int err = os_resolve(db_path, &name);
    if (err != 0)
        return db_fail(err == ENOMEM ? DB_ENOMEM : DB_EIO, "cannot follow "
                       "the link '%s': %s", db_path, strerror(err));
    Wal *wal = calloc(1, sizeof *wal);
    if (wal == NULL || (wal->path = malloc(strlen(name) + 5)) == NULL) {
        free(wal);
        free(name);
        return db_fail(DB_ENOMEM, "out of memory");
    }
    sprintf(wal->path, "%s-wal", name);
    free(name);
    wal->page_size = page_size;
    *out = wal;
    return DB_OK;
}

DbStatus wal_exists(const Wal *wal, bool *exists)
{
    OsFile *file;
    int err = os_open_existing(wal->path, &file);
    *exists = err == 0;
    if (err == 0)
        os_close(file);
    return err == 0 || err == ENOENT ? DB_OK : io_error(wal, "opening", err);
}

const char *wal_path(const Wal *wal)
{
    return wal->path;
}

bool wal_is_file(const Wal *wal, OsFile *file)
{
    bool same = false;
    return wal->file != NULL && os_same_file(wal->file, file, &same) == 0 &&
           same;
}

void wal_stats(const Wal *wal, WalStats *stats)
{
    *stats = wal->stats;
}

void wal_set_db_id(Wal *wal, uint64_t db_id)
{
    wal->db_id = db_id;
}

/* --- writing ---------------------------------------------------------- */

static void put_header(const Wal *wal, uint8_t *h, uint64_t checkpoint)
{
    memset(h, 0, WAL_HEADER_SIZE);
    memcpy(h, WAL_MAGIC, sizeof WAL_MAGIC);
    put_u32(h + HEADER_VERSION_OFFSET, WAL_VERSION);
    put_u32(h + HEADER_PAGE_SIZE_OFFSET, wal->page_size);
    put_u32(h + HEADER_SALT_OFFSET, wal->salt);
    put_u64(h + HEADER_CHECKPOINT_OFFSET, checkpoint);
    put_u64(h + HEADER_DB_ID_OFFSET, wal->db_id);
    put_u32(h + HEADER_CHECKSUM_OFFSET,
            crc32c(0, h, HEADER_CHECKSUM_OFFSET));
}

/* Writes a record header (and its checksum, over PAYLOAD too) at R. */
static void put_record(uint8_t *r, uint8_t type, uint32_t number,
                       uint64_t txn_id, uint32_t salt, const uint8_t *payload,
                       size_t payload_len)
{
    memset(r, 0, WAL_RECORD_HEADER_SIZE);
    r[0] = type;
    put_u32(r + 4, number);
    put_u64(r + 8, txn_id);
    put_u32(r + 16, salt);
    uint32_t crc = crc32c(0, r, 20);
    put_u32(r + 20, crc32c(crc, payload, payload_len));
}

static DbStatus reserve(Wal *wal, size_t size)
{
    if (size <= wal->buffer_cap)
        return DB_OK;
    uint8_t *grown = realloc(wal->buffer, size);
    if (grown == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    wal->buffer = grown;
    wal->buffer_cap = size;
    return DB_OK;
}

/* book: begin start-generation */
/* Starts a generation that follows the checkpoint of transaction
 * CHECKPOINT, in a new log file or over a spent one: a new salt, and a
 * header made durable before any record of it is written. So a header of
 * zeros, all that a crash can leave of a new one, has nothing valid
 * behind it; and the old header never goes with new records written
 * over its old ones (the writes of a commit reach the disk in any order,
 * and recovery would redo a part of the old generation, putting back
 * pages that its later transactions changed). */
static DbStatus start_generation(Wal *wal, uint64_t checkpoint)
{
    bool new_file = wal->file == NULL;
    if (new_file) {
        int err = os_open(wal->path, &wal->file);
        if (err != 0)
            return io_error(wal, "creating", err);
    }
    uint32_t salt;
    int err = os_random(&salt, sizeof salt);
    if (err != 0)
        return db_fail(DB_EIO, "no random salt for the log: %s",
                       strerror(err));
    /* Certainly not the previous generation's, whose records it covers. */
    wal->salt = salt != wal->salt ? salt : salt + 1;
    uint8_t h[WAL_HEADER_SIZE];
    put_header(wal, h, checkpoint);
    err = os_write(wal->file, 0, h, sizeof h);
    if (err != 0)
        return io_error(wal, "writing", err);
    err = os_sync(wal->file);
    if (err != 0)
        return io_error(wal, "syncing", err);
    if (new_file) {
        /* A new file's name is durable only once its directory is. */
        err = os_sync_dir(wal->path);
        if (err != 0)
            return io_error(wal, "syncing the directory of", err);
    }
    wal->spent = false;
    wal->end = WAL_HEADER_SIZE;
    wal->stats = (WalStats){.bytes = wal->end,
                            .last_txn = wal->stats.last_txn};
    return DB_OK;
}
/* book: end start-generation */

/* The running transaction's first record: remember where its records
 * begin, after the header when the transaction starts a generation. */
static DbStatus begin_records(Wal *wal, uint64_t txn_id)
{
    if (wal->file == NULL || wal->spent) {
        DbStatus rc = start_generation(wal, txn_id - 1);
        if (rc != DB_OK)
            return rc;
    }
    if (!wal->in_txn) {
        wal->in_txn = true;
        wal->txn_mark++;
        wal->txn_start = wal->end;
        wal->n_undo = 0;
        wal->rewritten = false;
    }
    return DB_OK;
}

/* book: begin wal-spill */
DbStatus wal_spill(Wal *wal, uint64_t txn_id, uint32_t page_num,
                   const uint8_t *page)
{
    DbStatus rc = reserve(wal, page_record_size(wal));
    if (rc == DB_OK)
        rc = begin_records(wal, txn_id);
    if (rc != DB_OK)
        return rc;
    uint8_t *r = wal->buffer;
    memcpy(r + WAL_RECORD_HEADER_SIZE, page, wal->page_size);
    put_record(r, WAL_PAGE, page_num, txn_id, wal->salt,
               r + WAL_RECORD_HEADER_SIZE, wal->page_size);
    /* A page this transaction spilled before is written over its record,
     * so that the log holds one image of each page however often the
     * pool gives it up. No sync: the record counts only once its commit
     * record is synced after it. Until then a crash may keep it or not:
     * no matter. */
    const IndexEntry *e = index_find(wal, page_num);
    bool again = e != NULL && e->txn_mark == wal->txn_mark &&
                 e->offset >= wal->txn_start;
    int err = os_write(wal->file, again ? e->offset : wal->end, r,
                       page_record_size(wal));
    if (err != 0)
        return io_error(wal, "writing", err);
    if (again) {
        wal->rewritten = true;
        return DB_OK;
    }
    rc = index_set(wal, page_num, wal->end);
    wal->end += page_record_size(wal);
    wal->stats.bytes = wal->end;
    wal->stats.page_records++;
    return rc;
}
/* book: end wal-spill */

/* book: begin wal-rollback */
DbStatus wal_rollback(Wal *wal, uint64_t txn_id, bool failed)
{
    if (!wal->in_txn)
        return DB_OK;
    /* Back as the index was, newest first. */
    for (uint32_t i = wal->n_undo; i-- > 0;) {
        IndexEntry *e = index_find(wal, wal->undo[i].page_num);
        if (wal->undo[i].offset == NO_OFFSET) {
            if (e != NULL)
                index_remove(wal, e);
        } else if (e != NULL) {
            e->offset = wal->undo[i].offset;
        }
    }
    wal->in_txn = false;
    wal->n_undo = 0;
    if (wal->end == wal->txn_start || failed)
        return DB_OK;
    /* The records stay where they are; the abort record after them says
     * that they do not count. No sync: a crash that loses it loses the
     * records' only use, a commit after them, too. */
    uint8_t r[WAL_RECORD_HEADER_SIZE];
    put_record(r, WAL_ABORT, 0, txn_id, wal->salt, NULL, 0);
    int err = os_write(wal->file, wal->end, r, sizeof r);
    if (err != 0)
        return io_error(wal, "writing", err);
    wal->end += sizeof r;
    wal->stats.bytes = wal->end;
    wal->stats.aborts++;
    return DB_OK;
}
/* book: end wal-rollback */

/* book: begin wal-commit */
DbStatus wal_commit(Wal *wal, uint64_t txn_id, const uint32_t *page_nums,
                    uint8_t *const *pages, uint32_t n, uint32_t db_pages)
{
    uint32_t per_write = n < WAL_WRITE_PAGES ? n : WAL_WRITE_PAGES;
    DbStatus rc = reserve(wal, (size_t)per_write * page_record_size(wal) +
                                   WAL_RECORD_HEADER_SIZE);
    if (rc == DB_OK)
        rc = begin_records(wal, txn_id);
    if (rc != DB_OK)
        return rc;

    /* A record written over another must reach the disk before the
     * commit record does: the image it replaced is valid too, and a
     * crash that kept the commit and that image would lose a change. */
    int err = wal->rewritten ? os_sync(wal->file) : 0;
    if (err != 0)
        return io_error(wal, "syncing", err);

    /* The transaction's records, built in memory WAL_WRITE_PAGES at a
     * time, the commit record after the last. */
    uint64_t at = wal->end;
    uint32_t i = 0;
    do {
        uint8_t *p = wal->buffer;
        for (uint32_t end = i + per_write < n ? i + per_write : n; i < end;
             i++) {
            memcpy(p + WAL_RECORD_HEADER_SIZE, pages[i], wal->page_size);
            put_record(p, WAL_PAGE, page_nums[i], txn_id, wal->salt,
                       p + WAL_RECORD_HEADER_SIZE, wal->page_size);
            rc = index_set(wal, page_nums[i], at + (uint64_t)(p -
                                                             wal->buffer));
            if (rc != DB_OK)
                return rc;
            p += page_record_size(wal);
        }
        if (i == n) {
            put_record(p, WAL_COMMIT, db_pages, txn_id, wal->salt, NULL, 0);
            p += WAL_RECORD_HEADER_SIZE;
        }
        err = os_write(wal->file, at, wal->buffer, (size_t)(p - wal->buffer));
        if (err != 0)
            return io_error(wal, "writing", err);
        at += (uint64_t)(p - wal->buffer);
    } while (i < n);
    err = os_sync(wal->file);
    if (err != 0)
        return io_error(wal, "syncing", err);
    /* Durable, but only as long as the log can be found: one removed
     * or replaced since it was opened is gone at the next crash. */
    bool named;
    err = os_named(wal->file, wal->path, &named);
    if (err != 0)
        return io_error(wal, "checking the name of", err);
    if (!named)
        return db_fail(DB_EIO, "the log %s was removed or replaced while "
                       "the database was open, so this commit, and those "
                       "since the last checkpoint, are not durable",
                       wal->path);
    /* Committed: its records stay, and the index keeps them. */
    wal->in_txn = false;
    wal->n_undo = 0;
    wal->end = at;
    wal->stats.bytes = wal->end;
    wal->stats.page_records += n;
    wal->stats.commits++;
    wal->stats.last_txn = txn_id;
    return DB_OK;
}
/* book: end wal-commit */

DbStatus wal_checkpoint(Wal *wal, uint64_t last_txn, uint32_t db_pages,
                        const uint8_t *header)
{
    assert(wal->file != NULL && !wal->spent);
    size_t size = page_record_size(wal);
    DbStatus rc = reserve(wal, size);
    if (rc != DB_OK)
        return rc;
    memcpy(wal->buffer + WAL_RECORD_HEADER_SIZE, header, wal->page_size);
    put_record(wal->buffer, WAL_CHECKPOINT, db_pages, last_txn, wal->salt,
               wal->buffer + WAL_RECORD_HEADER_SIZE, wal->page_size);
    int err = os_write(wal->file, wal->end, wal->buffer, size);
    if (err != 0)
        return io_error(wal, "writing", err);
    err = os_sync(wal->file);
    if (err != 0)
        return io_error(wal, "syncing", err);
    wal->end += size;
    wal->stats.bytes = wal->end;
    return DB_OK;
}

void wal_restart(Wal *wal)
{
    wal->spent = true;
    wal->stats = (WalStats){.last_txn = wal->stats.last_txn};
    index_clear(wal);
}

DbStatus wal_remove(Wal *wal)
{
    if (wal->file != NULL) {
        os_close(wal->file);
        wal->file = NULL;
    }
    int err = os_unlink(wal->path);
    if (err != 0 && err != ENOENT)
        return io_error(wal, "removing", err);
    wal->spent = false;
    wal->stats = (WalStats){.last_txn = wal->stats.last_txn};
    index_clear(wal);
    return DB_OK;
}

void wal_close(Wal *wal)
{
    if (wal->file != NULL)
        os_close(wal->file);
    free(wal->buffer);
    free(wal->index);
    free(wal->undo);
    free(wal->path);
    free(wal);
}

/* --- recovery --------------------------------------------------------- */

/* A record as read back, before anyone trusts it. */
typedef struct Record {
    uint8_t type;
    uint32_t number;
    uint64_t txn_id;
    uint8_t *page;         /* room for one page */
} Record;

/* Reads the record at OFFSET. Returns true if it is whole and valid;
 * else false with the reason in WHY. */
static bool read_record(const Wal *wal, OsFile *file, uint64_t offset,
                        uint64_t size, uint32_t salt, Record *r, char *why,
                        size_t why_len)
{
    uint8_t h[WAL_RECORD_HEADER_SIZE];
    size_t n_read;
    if (offset + WAL_RECORD_HEADER_SIZE > size ||
        os_read(file, offset, h, sizeof h, &n_read) != 0 ||
        n_read != sizeof h) {
        snprintf(why, why_len, "a record is cut short at byte %llu",
                 (unsigned long long)offset);
        return false;
    }
    r->type = h[0];
    r->number = get_u32(h + 4);
    r->txn_id = get_u64(h + 8);
    if (r->type < WAL_PAGE || r->type > WAL_ABORT || h[1] || h[2] ||
        h[3] || get_u32(h + 16) != salt) {
        snprintf(why, why_len, "no valid record at byte %llu",
                 (unsigned long long)offset);
        return false;
    }
    size_t payload =
        r->type == WAL_COMMIT || r->type == WAL_ABORT ? 0 : wal->page_size;
    if (offset + WAL_RECORD_HEADER_SIZE + payload > size ||
        os_read(file, offset + WAL_RECORD_HEADER_SIZE, r->page, payload,
                &n_read) != 0 || n_read != payload) {
        snprintf(why, why_len, "a record is cut short at byte %llu",
                 (unsigned long long)offset);
        return false;
    }
    uint32_t crc = crc32c(crc32c(0, h, 20), r->page, payload);
    if (crc != get_u32(h + 20)) {
        snprintf(why, why_len, "bad checksum in the record at byte %llu",
                 (unsigned long long)offset);
        return false;
    }
    return true;
}

/* Refuses the log for a valid record that breaks the rules: no crash
 * writes one, so the log is damaged or was made by hand. */
static DbStatus broken(const Wal *wal, const char *what, uint64_t txn,
                       uint64_t offset)
{
    return db_fail(DB_ECORRUPT, "'%s' breaks the log's rules: %s %llu, "
                   "at byte %llu; it may hold committed changes: move it "
                   "away to open the database without them", wal->path,
                   what, (unsigned long long)txn,
                   (unsigned long long)offset);
}

/* The stretches of the log that rolled-back transactions wrote: each
 * from its first record to its abort record, which the redo skips. */
typedef struct Aborted {
    struct Stretch {
        uint64_t from, to;
    } *stretches;
    uint32_t n, cap;
} Aborted;

static DbStatus add_aborted(Aborted *aborted, uint64_t from, uint64_t to)
{
    if (aborted->n == aborted->cap) {
        uint32_t cap = aborted->cap ? 2 * aborted->cap : 8;
        struct Stretch *grown = realloc(aborted->stretches,
                                        cap * sizeof *grown);
        if (grown == NULL)
            return db_fail(DB_ENOMEM, "out of memory");
        aborted->stretches = grown;
        aborted->cap = cap;
    }
    aborted->stretches[aborted->n++] = (struct Stretch){from, to};
    return DB_OK;
}

/* book: begin find-last-commit */
/* Finds *END, where the last committed transaction ends: walks the
 * records of the generation with SALT, whose first transaction is TXN,
 * and stops at the first that is not a whole, valid record of it.
 * PAGES is the file's page count before them. Notes in ABORTED where
 * rolled-back transactions lie before *END. Checks the rules on the
 * way, before anything is written: DB_ECORRUPT for a record that breaks
 * them. */
static DbStatus find_last_commit(const Wal *wal, OsFile *file,
                                 uint64_t size, uint32_t salt, uint64_t txn,
                                 uint32_t pages, WalRecovery *result,
                                 Record *r, Aborted *aborted, uint64_t *end)
{
    uint64_t offset = WAL_HEADER_SIZE;
    uint64_t txn_start = offset; /* the first record of the one being read */
    uint32_t n_aborted = 0;      /* of ABORTED, those before *END */
    uint32_t max_page = 0, n_images = 0; /* of the transaction being read */
    *end = offset;
    while (offset < size) {
        if (!read_record(wal, file, offset, size, salt, r, result->reason,
                         sizeof result->reason))
            break;
        if (result->checkpointed)
            return broken(wal, "a record after the checkpoint record of "
                          "transaction", result->last_txn, offset);
        if (r->type == WAL_CHECKPOINT) {
            /* It comes right after the last commit, with its count. */
            if (n_images > 0 || r->txn_id + 1 != txn || r->number != pages)
                return broken(wal, "a checkpoint record out of place, "
                              "for transaction", r->txn_id, offset);
            result->checkpointed = true;
            offset += page_record_size(wal);
            *end = offset;
            n_aborted = aborted->n;
            continue;
        }
        if (r->txn_id != txn)
            return broken(wal, "out of order, transaction", r->txn_id,
                          offset);
        if (r->type == WAL_PAGE) {
            if (r->number > max_page)
                max_page = r->number;
            n_images++;
            offset += page_record_size(wal);
            continue;
        }
        if (r->type == WAL_ABORT) {
            /* Only a transaction with records in the log writes one; the
             * next takes the same id. */
            if (n_images == 0 || r->number != 0)
                return broken(wal, "an abort record out of place, for "
                              "transaction", txn, offset);
            offset += WAL_RECORD_HEADER_SIZE;
            DbStatus rc = add_aborted(aborted, txn_start, offset);
            if (rc != DB_OK)
                return rc;
            txn_start = offset;
            max_page = n_images = 0;
            continue;
        }
        /* A commit counts every page its transaction wrote, and the file
         * grows only by pages it wrote: a log cannot make the file
         * larger than itself. */
        if (r->number <= max_page ||
            (r->number > pages && r->number - pages > n_images))
            return broken(wal, "a commit with a wrong page count, "
                          "transaction", txn, offset);
        offset += WAL_RECORD_HEADER_SIZE;
        *end = txn_start = offset;
        n_aborted = aborted->n;
        result->replayed++;
        result->last_txn = txn++;
        result->db_pages = r->number;
        if (r->number > pages)
            pages = r->number;
        max_page = n_images = 0;
    }
    if (offset >= size)
        result->reason[0] = '\0'; /* the scan reached the end */
    aborted->n = n_aborted;
    return DB_OK;
}
/* book: end find-last-commit */

/* Whether a whole, valid record of any generation follows the header. */
static bool record_follows(const Wal *wal, OsFile *file, uint64_t size,
                           Record *r)
{
    uint8_t h[WAL_RECORD_HEADER_SIZE];
    size_t n_read;
    char why[80];
    return os_read(file, WAL_HEADER_SIZE, h, sizeof h, &n_read) == 0 &&
           n_read == sizeof h &&
           read_record(wal, file, WAL_HEADER_SIZE, size, get_u32(h + 16), r,
                       why, sizeof why);
}

/* Checks that the header H is whole and of this format, and that the
 * log is of the database FILE describes. */
static DbStatus check_header(const Wal *wal, const uint8_t *h,
                             const WalTarget *file)
{
    uint32_t version = get_u32(h + HEADER_VERSION_OFFSET);
    if (memcmp(h, WAL_MAGIC, 8) == 0 && version != WAL_VERSION)
        return db_fail(DB_EFORMAT, "'%s' is a log in format %u; this "
                       "milestone (%s) reads format %u: it was not applied",
                       wal->path, version, STRATA_MILESTONE, WAL_VERSION);
    if (memcmp(h, WAL_MAGIC, 8) != 0 ||
        get_u32(h + HEADER_PAGE_SIZE_OFFSET) != wal->page_size ||
        get_u32(h + HEADER_CHECKSUM_OFFSET) !=
            crc32c(0, h, HEADER_CHECKSUM_OFFSET))
        /* No crash leaves a whole header that is wrong (it is one sector,
         * written once per generation): this file is another program's,
         * or damaged, and may hold commits. It is left for a person. */
        return db_fail(DB_ECORRUPT, "'%s' is not a log of this format, or "
                       "its header is damaged; it may hold committed "
                       "changes: move it away to open the database without "
                       "them", wal->path);
    uint64_t checkpoint = get_u64(h + HEADER_CHECKPOINT_OFFSET);
    if (file->blank && checkpoint != 0)
        return db_fail(DB_EMISMATCH, "'%s' follows transaction %llu of a "
                       "database, but the database file has no header: "
                       "it was not applied; move it away to open the "
                       "database", wal->path,
                       (unsigned long long)checkpoint);
    if (!file->blank && get_u64(h + HEADER_DB_ID_OFFSET) != file->db_id)
        return db_fail(DB_EMISMATCH, "'%s' is the log of another database: "
                       "it was not applied; move it away to open the "
                       "database", wal->path);
    return DB_OK;
}

/* A log of the right database at the wrong point of its history. */
static DbStatus wrong_point(const Wal *wal, uint64_t checkpoint,
                            const WalTarget *file)
{
    if (checkpoint < file->checkpoint)
        return db_fail(DB_EMISMATCH, "'%s' is stale: it follows "
                       "transaction %llu, and the database file holds "
                       "every transaction up to %llu; it was not applied: "
                       "move it away to open the database", wal->path,
                       (unsigned long long)checkpoint,
                       (unsigned long long)file->checkpoint);
    return db_fail(DB_EMISMATCH, "'%s' follows transaction %llu, but the "
                   "database file holds transactions only up to %llu (an "
                   "older copy of the file?); it was not applied: move it "
                   "away to open the database", wal->path,
                   (unsigned long long)checkpoint,
                   (unsigned long long)file->checkpoint);
}

/* book: begin wal-recover */
DbStatus wal_recover(Wal *wal, const WalTarget *file, WalApply apply,
                     void *ctx, WalRecovery *result)
{
    *result = (WalRecovery){0};
    OsFile *log;
    int err = os_open_existing(wal->path, &log);
    if (err == ENOENT)
        return DB_OK; /* no log: nothing to redo */
    if (err != 0)
        return io_error(wal, "opening", err);
    result->found = true;

    DbStatus rc = DB_OK;
    Record r = {.page = malloc(wal->page_size)};
    Aborted aborted = {0};
    uint32_t next_aborted = 0;
    uint8_t h[WAL_HEADER_SIZE];
    uint64_t size, end = WAL_HEADER_SIZE;
    size_t n_read;
    if (r.page == NULL) {
        rc = db_fail(DB_ENOMEM, "out of memory");
        goto done;
    }
    err = os_size(log, &size);
    if (err == 0)
        err = os_read(log, 0, h, sizeof h, &n_read);
    if (err != 0) {
        rc = io_error(wal, "reading", err);
        goto done;
    }
    static const uint8_t zeros[WAL_HEADER_SIZE];
    if (n_read < WAL_HEADER_SIZE || memcmp(h, zeros, sizeof h) == 0) {
        /* What a crash leaves of a header it kept from the disk; none of
         * its records had been written (see start_generation). */
        if (record_follows(wal, log, size, &r))
            rc = db_fail(DB_ECORRUPT, "'%s' has a header of zeros, but "
                         "valid records after it; they may be committed "
                         "changes: move it away to open the database "
                         "without them", wal->path);
        result->dropped_bytes = size;
        snprintf(result->reason, sizeof result->reason,
                 "the log header is incomplete");
        goto keep;
    }
    rc = check_header(wal, h, file);
    if (rc != DB_OK)
        goto done;
    uint32_t salt = get_u32(h + HEADER_SALT_OFFSET);
    uint64_t checkpoint = get_u64(h + HEADER_CHECKPOINT_OFFSET);

    /* First find the end of the last commit, checking every record, then
     * redo everything before it: a transaction is applied only once its
     * commit record is known to be there. */
    rc = find_last_commit(wal, log, size, salt, checkpoint + 1,
                          file->n_pages, result, &r, &aborted, &end);
    if (rc != DB_OK)
        goto done;
    /* Only a log that follows the file's checkpoint applies, or the one
     * that checkpoint wrote into the file, before the log could start
     * over: redoing it writes the same bytes again. */
    if (checkpoint != file->checkpoint &&
        !(result->checkpointed && result->last_txn == file->checkpoint)) {
        rc = wrong_point(wal, checkpoint, file);
        goto done;
    }
    result->dropped_bytes = size - end;
    for (uint64_t offset = WAL_HEADER_SIZE; offset < end;) {
        if (next_aborted < aborted.n &&
            offset == aborted.stretches[next_aborted].from) {
            offset = aborted.stretches[next_aborted++].to;
            continue;
        }
        char why[sizeof result->reason];
        if (!read_record(wal, log, offset, size, salt, &r, why,
                         sizeof why)) {
            rc = db_fail(DB_EIO, "rereading the log %s failed: %s",
                         wal->path, why);
            goto done;
        }
        if (r.type == WAL_COMMIT) {
            offset += WAL_RECORD_HEADER_SIZE;
            continue;
        }
        rc = apply(ctx, r.type == WAL_PAGE ? r.number : 0, r.page);
        if (rc != DB_OK)
            goto done;
        offset += page_record_size(wal);
    }
    wal->salt = salt;
    wal->stats = (WalStats){.bytes = end, .commits = result->replayed,
                            .last_txn = result->last_txn};

keep:
    /* The log stays open for the checkpoint that ends recovery. */
    if (rc == DB_OK) {
        wal->file = log;
        wal->end = end;
        wal->spent = result->replayed == 0 && !result->checkpointed;
        log = NULL;
    }
done:
    free(aborted.stretches);
    free(r.page);
    if (log != NULL)
        os_close(log);
    return rc;
}
/* book: end wal-recover */
