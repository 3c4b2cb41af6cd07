/*
 * wal.c - the write-ahead log file: appending committed transactions,
 * and finding them again after a crash.
 *
 * Owns: the log format drawn in wal.h, its checksums, and the rules for
 * which records count.
 * Does not: decide what a transaction is or when to checkpoint (the pager
 * does), or know what is inside a page.
 *
 * The log file lives from the first commit of a session to its close or
 * to a recovery. A checkpoint in between restarts it: a new header, a new
 * salt, new records over the old. Recovery tells the generations apart by
 * the salt in every record.
 *
 * The log is also where a page goes that the file must not have yet: a
 * committed page the file lacks, and a page of the running transaction
 * that the buffer pool had no room for (a spilled page, appended before
 * its commit record). An index in memory says where the newest image of
 * each such page is, so that the pager can read it back:
 *
 *   index: page 7 -> byte 32, page 3 -> byte 8264     (open addressing)
 *
 * A transaction that rolls back after spilling takes its records back:
 * the index forgets them and the next records go over them.
 */
#include "wal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "crc32c.h"
#include "os.h"

static const char WAL_MAGIC[8] = {'S', 't', 'r', 'a', 't', 'a', 'W', 'L'};
#define WAL_VERSION 1

#define NO_OFFSET UINT64_MAX

/* An entry of the index: a page and where its newest image starts. */
typedef struct IndexEntry {
    uint32_t page_num;
    uint32_t txn_mark;   /* == the Wal's: undo knows this page already */
    uint64_t offset;     /* NO_OFFSET: the slot is free */
} IndexEntry;

struct Wal {
    char *path;
    uint32_t page_size;
    OsFile *file;        /* NULL until the first record opens the log */
    uint32_t salt;
    bool name_synced;    /* the log's directory entry is durable */
    uint64_t end;        /* where the next record goes */
    WalStats stats;
    uint8_t *buffer;     /* one transaction's records, written at once */
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
    Wal *wal = calloc(1, sizeof *wal);
    if (wal == NULL || (wal->path = malloc(strlen(db_path) + 5)) == NULL) {
        free(wal);
        return db_fail(DB_ENOMEM, "out of memory");
    }
    sprintf(wal->path, "%s-wal", db_path);
    wal->page_size = page_size;
    *out = wal;
    return DB_OK;
}

const char *wal_path(const Wal *wal)
{
    return wal->path;
}

void wal_stats(const Wal *wal, WalStats *stats)
{
    *stats = wal->stats;
}

/* --- writing ---------------------------------------------------------- */

static void put_header(const Wal *wal, uint8_t *h)
{
    memset(h, 0, WAL_HEADER_SIZE);
    memcpy(h, WAL_MAGIC, sizeof WAL_MAGIC);
    put_u32(h + 8, WAL_VERSION);
    put_u32(h + 12, wal->page_size);
    put_u32(h + 16, wal->salt);
    put_u32(h + 28, crc32c(0, h, 28));
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

/* Opens a new log, its header to go first in the records at P, for the
 * transaction TXN_ID. Returns the header's size, 0 when the log was
 * open. */
static DbStatus start_log(Wal *wal, uint64_t txn_id, uint8_t *p,
                          size_t *header_size)
{
    *header_size = 0;
    if (wal->file != NULL)
        return DB_OK;
    int err = os_open(wal->path, &wal->file);
    if (err != 0)
        return io_error(wal, "creating", err);
    wal->salt = (uint32_t)txn_id;
    wal->name_synced = false;
    wal->end = 0;
    put_header(wal, p);
    *header_size = WAL_HEADER_SIZE;
    return DB_OK;
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

/* The running transaction's first record: remember where it begins,
 * which is after the header when the transaction starts the log. */
static void begin_records(Wal *wal, size_t header_size)
{
    if (!wal->in_txn) {
        wal->in_txn = true;
        wal->txn_mark++;
        wal->txn_start = wal->end + header_size;
        wal->n_undo = 0;
    }
}

/* book: begin wal-spill */
DbStatus wal_spill(Wal *wal, uint64_t txn_id, uint32_t page_num,
                   const uint8_t *page)
{
    DbStatus rc = reserve(wal, WAL_HEADER_SIZE + page_record_size(wal));
    size_t header_size = 0;
    if (rc == DB_OK)
        rc = start_log(wal, txn_id, wal->buffer, &header_size);
    if (rc != DB_OK)
        return rc;
    begin_records(wal, header_size);
    uint8_t *r = wal->buffer + header_size;
    memcpy(r + WAL_RECORD_HEADER_SIZE, page, wal->page_size);
    put_record(r, WAL_PAGE, page_num, txn_id, wal->salt,
               r + WAL_RECORD_HEADER_SIZE, wal->page_size);
    /* No sync: the record counts only once its commit record is synced
     * after it. Until then a crash may keep it or not: no matter. */
    size_t size = header_size + page_record_size(wal);
    int err = os_write(wal->file, wal->end, wal->buffer, size);
    if (err != 0)
        return io_error(wal, "writing", err);
    rc = index_set(wal, page_num, wal->end + header_size);
    wal->end += size;
    wal->stats.bytes = wal->end;
    wal->stats.page_records++;
    return rc;
}
/* book: end wal-spill */

void wal_rollback(Wal *wal)
{
    if (!wal->in_txn)
        return;
    /* Back as the index was, newest first; the records are overwritten
     * by the next transaction, which has another id. */
    for (uint32_t i = wal->n_undo; i-- > 0;) {
        IndexEntry *e = index_find(wal, wal->undo[i].page_num);
        if (wal->undo[i].offset == NO_OFFSET) {
            if (e != NULL)
                index_remove(wal, e);
        } else if (e != NULL) {
            e->offset = wal->undo[i].offset;
        }
    }
    wal->stats.page_records -= (wal->end - wal->txn_start) /
                               page_record_size(wal);
    wal->end = wal->txn_start;
    wal->stats.bytes = wal->end;
    wal->in_txn = false;
    wal->n_undo = 0;
}

/* book: begin wal-commit */
DbStatus wal_commit(Wal *wal, uint64_t txn_id, const uint32_t *page_nums,
                    uint8_t *const *pages, uint32_t n, uint32_t db_pages)
{
    size_t size = WAL_HEADER_SIZE + (size_t)n * page_record_size(wal) +
                  WAL_RECORD_HEADER_SIZE;
    DbStatus rc = reserve(wal, size);
    size_t header_size = 0;
    if (rc == DB_OK)
        rc = start_log(wal, txn_id, wal->buffer, &header_size);
    if (rc != DB_OK)
        return rc;
    begin_records(wal, header_size);
    size = header_size + (size_t)n * page_record_size(wal) +
           WAL_RECORD_HEADER_SIZE;

    /* The transaction's records, built in memory and written at once. */
    uint8_t *p = wal->buffer + header_size;
    for (uint32_t i = 0; i < n; i++) {
        memcpy(p + WAL_RECORD_HEADER_SIZE, pages[i], wal->page_size);
        put_record(p, WAL_PAGE, page_nums[i], txn_id, wal->salt,
                   p + WAL_RECORD_HEADER_SIZE, wal->page_size);
        rc = index_set(wal, page_nums[i], wal->end + (uint64_t)(p -
                                                               wal->buffer));
        if (rc != DB_OK)
            return rc;
        p += page_record_size(wal);
    }
    put_record(p, WAL_COMMIT, db_pages, txn_id, wal->salt, NULL, 0);

    int err = os_write(wal->file, wal->end, wal->buffer, size);
    if (err != 0)
        return io_error(wal, "writing", err);
    err = os_sync(wal->file);
    if (err != 0)
        return io_error(wal, "syncing", err);
    if (!wal->name_synced) {
        /* A new file's name is durable only once its directory is. */
        err = os_sync_dir(wal->path);
        if (err != 0)
            return io_error(wal, "syncing the directory of", err);
        wal->name_synced = true;
    }
    /* Committed: its records stay, and the index keeps them. */
    wal->in_txn = false;
    wal->n_undo = 0;
    wal->end += size;
    wal->stats.bytes = wal->end;
    wal->stats.page_records += n;
    wal->stats.commits++;
    wal->stats.last_txn = txn_id;
    return DB_OK;
}
/* book: end wal-commit */

DbStatus wal_restart(Wal *wal, uint64_t next_txn)
{
    if (wal->file == NULL)
        return DB_OK; /* no log yet: the next commit starts one */
    uint8_t h[WAL_HEADER_SIZE];
    wal->salt = (uint32_t)next_txn;
    put_header(wal, h);
    /* The new header must be durable before a record goes over an old
     * one: the writes of a commit reach the disk in any order, and the
     * old header with a part of its old records, the rest overwritten,
     * would have recovery redo a part of the old generation, putting
     * back pages that its later transactions changed. */
    int err = os_write(wal->file, 0, h, sizeof h);
    if (err == 0)
        err = os_sync(wal->file);
    if (err != 0)
        return io_error(wal, "restarting", err);
    wal->end = WAL_HEADER_SIZE;
    wal->stats = (WalStats){.bytes = wal->end,
                            .last_txn = wal->stats.last_txn};
    index_clear(wal);
    return DB_OK;
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
    uint64_t last_txn = wal->stats.last_txn;
    wal->stats = (WalStats){.last_txn = last_txn};
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
    if ((r->type != WAL_PAGE && r->type != WAL_COMMIT) || h[1] || h[2] ||
        h[3] || get_u32(h + 16) != salt) {
        snprintf(why, why_len, "no valid record at byte %llu",
                 (unsigned long long)offset);
        return false;
    }
    size_t payload = r->type == WAL_PAGE ? wal->page_size : 0;
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

/* Finds where the last committed transaction ends: walks the records,
 * checking each one and the order of transactions, and stops at the
 * first that does not hold. */
static uint64_t find_last_commit(const Wal *wal, OsFile *file,
                                 uint64_t size, uint32_t salt,
                                 WalRecovery *result, Record *r)
{
    uint64_t offset = WAL_HEADER_SIZE, committed_end = WAL_HEADER_SIZE;
    uint64_t txn = 0;          /* the transaction being read, 0 = none */
    uint32_t max_page = 0;     /* largest page number it writes */
    while (offset < size) {
        if (!read_record(wal, file, offset, size, salt, r, result->reason,
                         sizeof result->reason))
            break;
        if (txn == 0 && r->txn_id > result->last_txn)
            txn = r->txn_id; /* the next transaction begins */
        if (r->txn_id != txn) {
            snprintf(result->reason, sizeof result->reason,
                     "transaction %llu out of order at byte %llu",
                     (unsigned long long)r->txn_id,
                     (unsigned long long)offset);
            break;
        }
        if (r->type == WAL_PAGE) {
            if (r->number > max_page)
                max_page = r->number;
            offset += page_record_size(wal);
            continue;
        }
        if (r->number == 0 || max_page >= r->number) {
            snprintf(result->reason, sizeof result->reason,
                     "a commit at byte %llu counts too few pages",
                     (unsigned long long)offset);
            break;
        }
        offset += WAL_RECORD_HEADER_SIZE;
        committed_end = offset;
        result->replayed++;
        result->last_txn = txn;
        result->db_pages = r->number;
        txn = 0;
        max_page = 0;
    }
    if (offset >= size)
        result->reason[0] = '\0'; /* the scan reached the end */
    return committed_end;
}

/* book: begin wal-recover */
DbStatus wal_recover(Wal *wal, WalApply apply, void *ctx,
                     WalRecovery *result)
{
    *result = (WalRecovery){0};
    OsFile *file;
    int err = os_open_existing(wal->path, &file);
    if (err == ENOENT)
        return DB_OK; /* no log: nothing to redo */
    if (err != 0)
        return io_error(wal, "opening", err);
    result->found = true;

    DbStatus rc = DB_OK;
    Record r = {.page = malloc(wal->page_size)};
    uint8_t h[WAL_HEADER_SIZE];
    uint64_t size;
    size_t n_read;
    if (r.page == NULL) {
        rc = db_fail(DB_ENOMEM, "out of memory");
        goto done;
    }
    err = os_size(file, &size);
    if (err == 0)
        err = os_read(file, 0, h, sizeof h, &n_read);
    if (err != 0) {
        rc = io_error(wal, "reading", err);
        goto done;
    }
    static const uint8_t zeros[WAL_HEADER_SIZE];
    if (n_read < WAL_HEADER_SIZE || memcmp(h, zeros, sizeof h) == 0) {
        /* A header that a crash kept from the disk: no commit can follow
         * it, since a commit's sync makes the header durable first. */
        result->dropped_bytes = size;
        snprintf(result->reason, sizeof result->reason,
                 "the log header is incomplete");
        goto done;
    }
    if (memcmp(h, WAL_MAGIC, 8) != 0 || get_u32(h + 8) != WAL_VERSION ||
        get_u32(h + 12) != wal->page_size ||
        get_u32(h + 28) != crc32c(0, h, 28)) {
        /* No crash leaves a whole header that is wrong (it is one sector,
         * written once per generation): this file is another program's,
         * or damaged, and may hold commits. It is left for a person. */
        rc = db_fail(DB_ECORRUPT, "'%s' is not a log of this format, or "
                     "its header is damaged; it may hold committed "
                     "changes: move it away to open the database without "
                     "them", wal->path);
        goto done;
    }
    uint32_t salt = get_u32(h + 16);

    /* First find the end of the last commit, then redo everything
     * before it: a transaction is applied only once its commit record is
     * known to be there. */
    uint64_t end = find_last_commit(wal, file, size, salt, result, &r);
    result->dropped_bytes = size - end;
    for (uint64_t offset = WAL_HEADER_SIZE; offset < end;) {
        char why[sizeof result->reason];
        if (!read_record(wal, file, offset, size, salt, &r, why,
                         sizeof why)) {
            rc = db_fail(DB_EIO, "rereading the log %s failed: %s",
                         wal->path, why);
            goto done;
        }
        if (r.type == WAL_PAGE) {
            rc = apply(ctx, r.number, r.page);
            if (rc != DB_OK)
                goto done;
            offset += page_record_size(wal);
        } else {
            offset += WAL_RECORD_HEADER_SIZE;
        }
    }
    wal->stats.last_txn = result->last_txn;

done:
    free(r.page);
    os_close(file);
    return rc;
}
/* book: end wal-recover */
