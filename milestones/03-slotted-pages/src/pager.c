/*
 * pager.c - reads pages from the database file into memory, saves them
 * all when the database closes, and keeps a list of free pages.
 *
 * Owns: the file, the page cache, the free list, and the first
 * PAGER_HEADER_SIZE bytes of page 0, which say what the file is.
 * Does not: know what is inside a page (page.c and the B+tree do).
 *
 * The cache is an array indexed by page number: page N is either loaded
 * (pages[N] points at its 4096 bytes) or not yet read (NULL). The array
 * doubles when the file outgrows it. Every page read stays in memory
 * until the database closes (chapter 05 bounds that).
 *
 * The save never writes over the database. It writes a whole new copy
 * beside it, then renames the copy over it: a crash at any moment leaves
 * the old database or the new one, never a mix of the two.
 *
 * Beside each page the cache keeps a mark for the layer above, which
 * checks a page read from the file once and then trusts it: any bytes
 * the pager puts in a page clear the mark.
 *
 * Pages that the tree gives back are chained into the free list, newest
 * first, and handed out again before the file grows:
 *
 *   header: first free = 7 -> page 7: next = 3 -> page 3: next = 0 (end)
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
 *       16     4  format version (3)
 *       20     4  page size in bytes (4096)
 *       24     4  first page of the free list (0 = the list is empty)
 *       28     4  number of pages on the free list
 *       32     4  belongs to the layer above (the root, in btree.c)
 *       36     4  number of pages in the file, this one included (0 in
 *                 a file from before the count was kept: its size counts)
 *       40  4056  belongs to the layer above
 */
static const char MAGIC[16] = "Strata database";
#define HEADER_VERSION_OFFSET 16
#define HEADER_PAGE_SIZE_OFFSET 20
#define HEADER_FREE_HEAD_OFFSET 24
#define HEADER_FREE_COUNT_OFFSET 28
#define HEADER_PAGE_COUNT_OFFSET 36

#define SAVE_SUFFIX "-tmp" /* the new copy: test.db-tmp for test.db */

/* A page on the free list
 *   offset  size  field
 *        0     1  page type: PAGE_TYPE_FREE (0)
 *        1     3  zero
 *        4     4  next page of the free list (0 = end of the list)
 *        8  4088  zero
 */
#define FREE_NEXT_OFFSET 4

struct Pager {
    OsFile *file;
    char *name;         /* the file's name, as given */
    char *real_path;    /* the file behind it: no link */
    uint32_t n_pages;   /* pages in the database */
    uint32_t capacity;  /* entries in pages[] */
    uint8_t **pages;    /* the cache, by page number; NULL = not read yet */
    bool *checked;      /* the mark of pager_mark_checked, by page number */
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
    if (n_pages != 0 && n_pages < file_size / PAGE_SIZE)
        return db_fail(DB_ECORRUPT, "'%s' is corrupt: its header counts "
                       "%u pages, the file holds %llu.", path, n_pages,
                       (unsigned long long)(file_size / PAGE_SIZE));
    uint32_t free_head = get_u32(head + HEADER_FREE_HEAD_OFFSET);
    if (free_head >= file_size / PAGE_SIZE)
        return db_fail(DB_ECORRUPT, "'%s' is corrupt: its free list starts "
                       "at page %u, past the end of the file.", path,
                       free_head);
    return DB_OK;
}

static void free_pager(Pager *pager)
{
    for (uint32_t i = 0; i < pager->capacity; i++)
        free(pager->pages[i]);
    free(pager->pages);
    free(pager->name);
    free(pager->real_path);
    free(pager->checked);
    free(pager);
}

/* Makes room in the cache for N_PAGES pages. */
static DbStatus reserve(Pager *pager, uint32_t n_pages)
{
    if (n_pages <= pager->capacity)
        return DB_OK;
    uint32_t capacity = pager->capacity ? pager->capacity : 64;
    while (capacity < n_pages)
        capacity = capacity > UINT32_MAX / 2 ? UINT32_MAX : capacity * 2;
    uint8_t **pages = realloc(pager->pages, capacity * sizeof *pages);
    if (pages != NULL)
        pager->pages = pages;
    bool *checked = realloc(pager->checked, capacity * sizeof *checked);
    if (checked != NULL)
        pager->checked = checked;
    if (!pages || !checked)
        return db_fail(DB_ENOMEM, "out of memory");
    for (uint32_t i = pager->capacity; i < capacity; i++) {
        pages[i] = NULL;
        checked[i] = false;
    }
    pager->capacity = capacity;
    return DB_OK;
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
        rc = reserve(pager, 1);
        if (rc != DB_OK)
            goto fail;
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
        rc = reserve(pager, pager->n_pages);
        if (rc != DB_OK)
            goto fail;
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
    if (page_num >= pager->n_pages)
        return db_fail(DB_ECORRUPT, "page %u is past the end of the file "
                       "(%u pages)", page_num, pager->n_pages);

    if (pager->pages[page_num] == NULL) {
        uint8_t *bytes = malloc(PAGE_SIZE);
        if (bytes == NULL)
            return db_fail(DB_ENOMEM, "out of memory");
        size_t n_read;
        int err = os_read(pager->file, (uint64_t)page_num * PAGE_SIZE,
                          bytes, PAGE_SIZE, &n_read);
        if (err == 0 && n_read != PAGE_SIZE)
            err = EIO;  /* the file shrank under us */
        if (err != 0) {
            free(bytes);
            return io_error("reading a page", err);
        }
        pager->pages[page_num] = bytes;
    }
    *page = pager->pages[page_num];
    return DB_OK;
}

bool pager_is_checked(const Pager *pager, uint32_t page_num)
{
    return pager->checked[page_num];
}

void pager_mark_checked(Pager *pager, uint32_t page_num)
{
    pager->checked[page_num] = true;
}

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
        if (rc != DB_OK)
            return rc;
        if (page[0] != PAGE_TYPE_FREE)
            return db_fail(DB_ECORRUPT, "page %u is on the free list but "
                           "is not a free page", free_head);
        put_u32(header + HEADER_FREE_HEAD_OFFSET,
                get_u32(page + FREE_NEXT_OFFSET));
        put_u32(header + HEADER_FREE_COUNT_OFFSET,
                get_u32(header + HEADER_FREE_COUNT_OFFSET) - 1);
        memset(page, 0, PAGE_SIZE);
        *page_num = free_head;
        return DB_OK;
    }

    /* No free page: the file grows by one. */
    if (pager->n_pages == UINT32_MAX)
        return db_fail(DB_ENOMEM, "the file has 2^32 - 1 pages already");
    rc = reserve(pager, pager->n_pages + 1);
    if (rc != DB_OK)
        return rc;
    page = calloc(1, PAGE_SIZE);
    if (page == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    pager->pages[pager->n_pages] = page;
    *page_num = pager->n_pages++;
    return DB_OK;
}
/* book: end allocate */

DbStatus pager_free_page(Pager *pager, uint32_t page_num)
{
    uint8_t *header, *page;
    DbStatus rc = pager_get_page(pager, 0, &header);
    if (rc == DB_OK)
        rc = pager_get_page(pager, page_num, &page);
    if (rc != DB_OK)
        return rc;
    memset(page, 0, PAGE_SIZE);
    pager->checked[page_num] = false;
    page[0] = PAGE_TYPE_FREE;
    put_u32(page + FREE_NEXT_OFFSET,
            get_u32(header + HEADER_FREE_HEAD_OFFSET));
    put_u32(header + HEADER_FREE_HEAD_OFFSET, page_num);
    put_u32(header + HEADER_FREE_COUNT_OFFSET,
            get_u32(header + HEADER_FREE_COUNT_OFFSET) + 1);
    return DB_OK;
}

DbStatus pager_walk_free_list(Pager *pager,
                              DbStatus (*visit)(void *ctx, uint32_t page_num),
                              void *ctx)
{
    uint8_t *header, *page = NULL;
    DbStatus rc = pager_get_page(pager, 0, &header);
    if (rc != DB_OK)
        return rc;
    uint32_t expected = get_u32(header + HEADER_FREE_COUNT_OFFSET);
    uint32_t count = 0;
    for (uint32_t page_num = get_u32(header + HEADER_FREE_HEAD_OFFSET);
         page_num != 0; page_num = get_u32(page + FREE_NEXT_OFFSET)) {
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
        if (page[0] != PAGE_TYPE_FREE)
            return db_fail(DB_ECORRUPT, "page %u is on the free list but "
                           "is not a free page", page_num);
        rc = visit(ctx, page_num);
        if (rc != DB_OK)
            return rc;
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
    uint8_t *header;
    DbStatus rc = pager_get_page(pager, 0, &header);
    if (rc == DB_OK) {
        put_u32(header + HEADER_PAGE_COUNT_OFFSET, pager->n_pages);
        rc = save(pager);
    }
    /* Closing the old file gives up the lock, so only now. */
    os_close(pager->file);
    free_pager(pager);
    return rc;
}
