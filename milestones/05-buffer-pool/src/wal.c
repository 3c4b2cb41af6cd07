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
#define WAL_VERSION 2
#define HEADER_VERSION_OFFSET 8
#define HEADER_PAGE_SIZE_OFFSET 12
#define HEADER_SALT_OFFSET 16
#define HEADER_CHECKPOINT_OFFSET 20
#define HEADER_DB_ID_OFFSET 28
#define HEADER_CHECKSUM_OFFSET 36

struct Wal {
    char *path;
    uint32_t page_size;
    OsFile *file;        /* NULL until the first commit opens the log */
    bool spent;          /* the database file holds all of it */
    uint64_t db_id;
    uint32_t salt;
    uint64_t end;        /* where the next record goes */
    WalStats stats;
    uint8_t *buffer;     /* one transaction's records, written at once */
    size_t buffer_cap;
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

/* book: begin wal-commit */
DbStatus wal_commit(Wal *wal, uint64_t txn_id, const uint32_t *page_nums,
                    uint8_t *const *pages, uint32_t n, uint32_t db_pages)
{
    size_t size = (size_t)n * page_record_size(wal) + WAL_RECORD_HEADER_SIZE;
    DbStatus rc = reserve(wal, size);
    if (rc == DB_OK && (wal->file == NULL || wal->spent))
        rc = start_generation(wal, txn_id - 1);
    if (rc != DB_OK)
        return rc;

    /* The transaction's records, built in memory and written at once. */
    uint8_t *p = wal->buffer;
    for (uint32_t i = 0; i < n; i++) {
        memcpy(p + WAL_RECORD_HEADER_SIZE, pages[i], wal->page_size);
        put_record(p, WAL_PAGE, page_nums[i], txn_id, wal->salt,
                   p + WAL_RECORD_HEADER_SIZE, wal->page_size);
        p += page_record_size(wal);
    }
    put_record(p, WAL_COMMIT, db_pages, txn_id, wal->salt, NULL, 0);

    int err = os_write(wal->file, wal->end, wal->buffer, size);
    if (err != 0)
        return io_error(wal, "writing", err);
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
    wal->end += size;
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
    return DB_OK;
}

void wal_close(Wal *wal)
{
    if (wal->file != NULL)
        os_close(wal->file);
    free(wal->buffer);
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
    if (r->type < WAL_PAGE || r->type > WAL_CHECKPOINT || h[1] || h[2] ||
        h[3] || get_u32(h + 16) != salt) {
        snprintf(why, why_len, "no valid record at byte %llu",
                 (unsigned long long)offset);
        return false;
    }
    size_t payload = r->type == WAL_COMMIT ? 0 : wal->page_size;
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

/* book: begin find-last-commit */
/* Finds *END, where the last committed transaction ends: walks the
 * records of the generation with SALT, whose first transaction is TXN,
 * and stops at the first that is not a whole, valid record of it.
 * PAGES is the file's page count before them. Checks the rules on the
 * way, before anything is written: DB_ECORRUPT for a record that breaks
 * them. */
static DbStatus find_last_commit(const Wal *wal, OsFile *file,
                                 uint64_t size, uint32_t salt, uint64_t txn,
                                 uint32_t pages, WalRecovery *result,
                                 Record *r, uint64_t *end)
{
    uint64_t offset = WAL_HEADER_SIZE;
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
        /* A commit counts every page its transaction wrote, and the file
         * grows only by pages it wrote: a log cannot make the file
         * larger than itself. */
        if (r->number <= max_page ||
            (r->number > pages && r->number - pages > n_images))
            return broken(wal, "a commit with a wrong page count, "
                          "transaction", txn, offset);
        offset += WAL_RECORD_HEADER_SIZE;
        *end = offset;
        result->replayed++;
        result->last_txn = txn++;
        result->db_pages = r->number;
        if (r->number > pages)
            pages = r->number;
        max_page = n_images = 0;
    }
    if (offset >= size)
        result->reason[0] = '\0'; /* the scan reached the end */
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
                          file->n_pages, result, &r, &end);
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
    free(r.page);
    if (log != NULL)
        os_close(log);
    return rc;
}
/* book: end wal-recover */
