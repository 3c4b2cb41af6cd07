/*
 * pager.c - reads pages from the database file into memory, and saves
 * them all when the database closes.
 *
 * Owns: the file, the page cache, and the first PAGER_HEADER_SIZE bytes of
 * page 0, which say what the file is.
 * Does not: know what is inside a page (the table does).
 *
 * The cache is an array indexed by page number: page N is either loaded
 * (pages[N] points at its 4096 bytes) or not yet read (NULL).
 *
 * The save never writes over the database. It writes a whole new copy
 * beside it, then renames the copy over it: a crash at any moment leaves
 * the old database or the new one, never a mix of the two.
 */
#include "pager.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "os.h"

/* Page 0, the file header (the pager's part)
 *   offset  size  field
 *        0    16  magic: the 16 bytes "Strata database\0"
 *       16     4  format version (1)
 *       20     4  page size in bytes (4096)
 *       24  4072  belongs to the layer above (table.c)
 */
static const char MAGIC[16] = "Strata database";
#define HEADER_VERSION_OFFSET 16
#define HEADER_PAGE_SIZE_OFFSET 20

#define SAVE_SUFFIX "-tmp" /* the new copy: test.db-tmp for test.db */

struct Pager {
    OsFile *file;
    char *name;                        /* the file's name, as given */
    char *real_path;                   /* the file behind it: no link */
    uint32_t n_pages;                  /* pages in the database */
    uint8_t *pages[PAGER_MAX_PAGES];   /* the cache; NULL = not read yet */
};

static DbStatus io_error(const char *what, int err)
{
    return db_fail(DB_EIO, "%s failed: %s", what, strerror(err));
}

/* Checks the header of an existing file, whose first bytes are in HEAD
 * (LEN of them, at most one page). */
static DbStatus check_header(const char *path, const uint8_t *head,
                             size_t len, uint64_t file_size)
{
    size_t magic_len = len < sizeof MAGIC ? len : sizeof MAGIC;
    if (memcmp(head, MAGIC, magic_len) != 0)
        return db_fail(DB_EFORMAT, "'%s' is not a Strata database.", path);
    if (len < PAGER_HEADER_SIZE)
        return db_fail(DB_ECORRUPT, "'%s' is truncated: %llu bytes is less "
                       "than one page.", path, (unsigned long long)len);

    uint32_t version = get_u32(head + HEADER_VERSION_OFFSET);
    if (version != PAGER_FORMAT_VERSION)
        return db_fail(DB_EFORMAT,
                       "'%s' is a Strata database in format %u; this "
                       "milestone (%s) reads format %u.",
                       path, version, STRATA_MILESTONE, PAGER_FORMAT_VERSION);

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
    if (file_size / PAGE_SIZE > PAGER_MAX_PAGES)
        return db_fail(DB_ECORRUPT,
                       "'%s' has %llu pages; this milestone stores at most "
                       "%d.",
                       path, (unsigned long long)(file_size / PAGE_SIZE),
                       PAGER_MAX_PAGES);
    return DB_OK;
}

static void free_pager(Pager *pager)
{
    for (uint32_t i = 0; i < PAGER_MAX_PAGES; i++)
        free(pager->pages[i]);
    free(pager->name);
    free(pager->real_path);
    free(pager);
}

DbStatus pager_open(const char *path, Pager **out)
{
    *out = NULL;
    DbStatus rc = DB_OK;
    Pager *pager = calloc(1, sizeof *pager);
    if (pager == NULL)
        return db_fail(DB_ENOMEM, "out of memory");

    int err = os_open(path, &pager->file);
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
    /* The save renames a new file over the database: the file itself,
     * not a symbolic link to it. */
    err = os_resolve(path, &pager->real_path);
    if (err != 0) {
        rc = io_error("finding the file behind its name", err);
        goto fail;
    }
    if ((pager->name = strdup(path)) == NULL) {
        rc = db_fail(DB_ENOMEM, "out of memory");
        goto fail;
    }

    uint64_t file_size;
    err = os_size(pager->file, &file_size);
    if (err != 0) {
        rc = io_error("reading the file size", err);
        goto fail;
    }

    if (file_size == 0) {
        /* A new database: its header page exists only in memory until
         * pager_close writes it. */
        uint8_t *header = calloc(1, PAGE_SIZE);
        if (header == NULL) {
            rc = db_fail(DB_ENOMEM, "out of memory");
            goto fail;
        }
        memcpy(header, MAGIC, sizeof MAGIC);
        put_u32(header + HEADER_VERSION_OFFSET, PAGER_FORMAT_VERSION);
        put_u32(header + HEADER_PAGE_SIZE_OFFSET, PAGE_SIZE);
        pager->pages[0] = header;
        pager->n_pages = 1;
    } else {
        uint8_t head[PAGE_SIZE];
        size_t n_read;
        err = os_read(pager->file, 0, head, sizeof head, &n_read);
        if (err != 0) {
            rc = io_error("reading the header", err);
            goto fail;
        }
        rc = check_header(path, head, n_read, file_size);
        if (rc != DB_OK)
            goto fail;
        pager->n_pages = (uint32_t)(file_size / PAGE_SIZE);
    }
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
    if (page_num >= PAGER_MAX_PAGES)
        return db_fail(DB_EFULL, "the file has reached its limit of %d "
                       "pages", PAGER_MAX_PAGES);
    if (page_num > pager->n_pages)
        return db_fail(DB_ECORRUPT, "page %u is past the end of the file",
                       page_num);

    if (pager->pages[page_num] == NULL) {
        uint8_t *bytes = calloc(1, PAGE_SIZE);
        if (bytes == NULL)
            return db_fail(DB_ENOMEM, "out of memory");
        if (page_num < pager->n_pages) {
            size_t n_read;
            int err = os_read(pager->file, (uint64_t)page_num * PAGE_SIZE,
                              bytes, PAGE_SIZE, &n_read);
            if (err == 0 && n_read != PAGE_SIZE)
                err = EIO;  /* the file shrank under us */
            if (err != 0) {
                free(bytes);
                return io_error("reading a page", err);
            }
        } else {
            pager->n_pages++;
        }
        pager->pages[page_num] = bytes;
    }
    *page = pager->pages[page_num];
    return DB_OK;
}

void pager_discard(Pager *pager)
{
    os_close(pager->file);
    free_pager(pager);
}

/* book: begin save */
/* Writes every page to a new file beside the database, syncs it, renames
 * it over the database and syncs the directory, so that the rename
 * survives a power cut too. Until the rename, the database is untouched;
 * after it, the database is the new file, already on the disk. Pages not
 * in the cache are copied from the old file. */
static DbStatus save(Pager *pager)
{
    size_t len = strlen(pager->real_path);
    char *new_path = malloc(len + sizeof SAVE_SUFFIX);
    if (new_path == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    memcpy(new_path, pager->real_path, len);
    memcpy(new_path + len, SAVE_SUFFIX, sizeof SAVE_SUFFIX);

    OsFile *copy = NULL;
    const char *step = "removing the copy a crash left";
    int err = os_unlink(new_path);
    if (err == ENOENT)
        err = 0;
    if (err == 0) {
        step = "creating the new copy";
        err = os_open(new_path, &copy);
    }
    if (err == 0)
        err = os_copy_mode(pager->file, copy);
    for (uint32_t i = 0; i < pager->n_pages && err == 0; i++) {
        uint8_t old[PAGE_SIZE];
        const uint8_t *page = pager->pages[i];
        if (page == NULL) {
            size_t n_read;
            step = "reading a page to copy";
            err = os_read(pager->file, (uint64_t)i * PAGE_SIZE, old,
                          PAGE_SIZE, &n_read);
            if (err == 0 && n_read != PAGE_SIZE)
                err = EIO; /* the file shrank under us */
            page = old;
        }
        if (err == 0) {
            step = "writing the new copy";
            err = os_write(copy, (uint64_t)i * PAGE_SIZE, page, PAGE_SIZE);
        }
    }
    if (err == 0) {
        step = "syncing the new copy";
        err = os_sync(copy);
    }
    int closed = copy != NULL ? os_close(copy) : 0;
    if (closed != 0 && err == 0) {
        step = "closing the new copy";
        err = closed;
    }
    if (err == 0) {
        step = "renaming the new copy over the database";
        err = os_rename(new_path, pager->real_path);
    }
    DbStatus rc = DB_OK;
    if (err != 0) {
        if (copy != NULL)
            os_unlink(new_path);
        rc = db_fail(DB_EIO, "%s failed: %s. '%s' is as it was before "
                     "this session.", step, strerror(err), pager->name);
    } else if ((err = os_sync_dir(pager->real_path)) != 0) {
        rc = db_fail(DB_EIO, "syncing the directory failed: %s. '%s' is "
                     "saved, but a power cut may undo the save.",
                     strerror(err), pager->name);
    }
    free(new_path);
    return rc;
}
/* book: end save */

DbStatus pager_close(Pager *pager)
{
    DbStatus rc = save(pager);
    /* Closing the old file gives up the lock, so only now. */
    os_close(pager->file);
    free_pager(pager);
    return rc;
}
