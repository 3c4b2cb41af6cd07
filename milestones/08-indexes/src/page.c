/*
 * page.c - slotted pages: where cells live inside a page, how the free
 * space is counted, and compaction.
 *
 * Owns: the page layout drawn in page.h, and the four cell formats (enough
 * of them to know a cell's size, key and child).
 * Does not: decide which cells belong in which page (the tree does), or
 * read and write the file (the pager does).
 *
 * The slot directory grows from the front and the cells from the back;
 * they meet in the middle when the page is full. A delete only removes
 * the slot: the cell's bytes stay where they are, counted as fragmented,
 * until an insert needs them and compaction slides the live cells
 * together. Moving nothing on delete keeps deletes cheap, and every slot
 * of every other cell stays valid.
 */
#include "page.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "varint.h"

static uint16_t cell_start(const uint8_t *page)
{
    return get_u16(page + PAGE_CELL_START_OFFSET);
}

static uint8_t *slot(uint8_t *page, uint16_t i)
{
    return page + PAGE_HEADER_SIZE + i * PAGE_SLOT_SIZE;
}

/* book: begin local-size */
uint32_t page_local_size(uint64_t size)
{
    if (size <= PAGE_MAX_LOCAL)
        return (uint32_t)size;
    /* The rest goes to overflow pages. Keep in the leaf what leaves the
     * last of them full, if that is not too much for a cell. */
    uint32_t local = (uint32_t)(PAGE_MIN_LOCAL + (size - PAGE_MIN_LOCAL) %
                                                     OVERFLOW_DATA_SIZE);
    return local <= PAGE_MAX_LOCAL - OVERFLOW_POINTER_SIZE ? local
                                                           : PAGE_MIN_LOCAL;
}
/* book: end local-size */

uint32_t page_put_leaf_header(uint8_t *cell, int64_t key, uint32_t size)
{
    size_t n = varint_put(cell, zigzag(key));
    return (uint32_t)(n + varint_put(cell + n, size));
}

/* An index cell's key size and the bytes that size takes, from at most
 * AVAIL bytes at CELL; false if they are not a key size. */
static inline bool index_header(const uint8_t *cell, size_t avail,
                                uint32_t *size, uint32_t *header_size)
{
    uint64_t n;
    size_t used = varint_get(cell, avail, &n);
    if (used == 0 || n > PAGE_MAX_INDEX_KEY)
        return false;
    *size = (uint32_t)n;
    *header_size = (uint32_t)used;
    return true;
}

/* The size of the table leaf cell at CELL (at most AVAIL bytes left in
 * the page), and its key in *KEY; 0 if its header is not one. Small and
 * inline: page_validate reads every cell of a leaf. */
static inline uint32_t leaf_cell_size(const uint8_t *cell, uint32_t avail,
                                      int64_t *key)
{
    uint32_t size, header;
    if (!page_leaf_header(cell, avail, key, &size, &header))
        return 0;
    return page_leaf_cell_bytes(header, size);
}

/* The same for an index cell (INTERNAL: with a child after the key). */
static uint32_t index_cell_size(const uint8_t *cell, uint32_t avail,
                                bool internal)
{
    uint32_t size, header;
    if (!index_header(cell, avail, &size, &header))
        return 0;
    return header + size + (internal ? CHILD_POINTER_SIZE : 0);
}

/* The size of the cell at OFFSET of a page of TYPE; 0 if its header is
 * not one. */
static uint16_t cell_size_at(const uint8_t *page, uint8_t type,
                             uint32_t offset)
{
    if (type == PAGE_INTERNAL)
        return INTERNAL_CELL_SIZE;
    if (offset >= PAGE_USABLE_SIZE)
        return 0;
    int64_t key;
    return (uint16_t)(type == PAGE_LEAF
                          ? leaf_cell_size(page + offset,
                                           PAGE_USABLE_SIZE - offset, &key)
                          : index_cell_size(page + offset,
                                            PAGE_USABLE_SIZE - offset,
                                            type == PAGE_INDEX_INTERNAL));
}

uint16_t page_put_index_cell(uint8_t *cell, const uint8_t *key,
                             uint32_t size)
{
    size_t header = varint_put(cell, size);
    if (size > 0)
        memcpy(cell + header, key, size);
    return (uint16_t)(header + size);
}

void page_init(uint8_t *page, uint8_t type, bool is_root)
{
    memset(page, 0, PAGE_SIZE);
    page[PAGE_TYPE_OFFSET] = type;
    page[PAGE_IS_ROOT_OFFSET] = is_root;
    put_u16(page + PAGE_CELL_START_OFFSET, PAGE_USABLE_SIZE);
}

uint8_t page_type(const uint8_t *page)
{
    return page[PAGE_TYPE_OFFSET];
}

bool page_is_leaf(const uint8_t *page)
{
    return page_type(page) == PAGE_LEAF || page_type(page) == PAGE_INDEX_LEAF;
}

bool page_is_index(const uint8_t *page)
{
    return page_type(page) == PAGE_INDEX_LEAF ||
           page_type(page) == PAGE_INDEX_INTERNAL;
}

uint16_t page_n_cells(const uint8_t *page)
{
    return get_u16(page + PAGE_N_CELLS_OFFSET);
}

uint16_t page_fragmented(const uint8_t *page)
{
    return get_u16(page + PAGE_FRAGMENTED_OFFSET);
}

uint16_t page_gap(const uint8_t *page)
{
    return (uint16_t)(cell_start(page) - PAGE_HEADER_SIZE -
                      page_n_cells(page) * PAGE_SLOT_SIZE);
}

uint16_t page_free(const uint8_t *page)
{
    return (uint16_t)(page_gap(page) + page_fragmented(page));
}

uint16_t page_used(const uint8_t *page)
{
    return (uint16_t)(PAGE_CAPACITY - page_free(page));
}

uint16_t page_cell_offset(const uint8_t *page, uint16_t i)
{
    return get_u16(page + PAGE_HEADER_SIZE + i * PAGE_SLOT_SIZE);
}

uint8_t *page_cell(uint8_t *page, uint16_t i)
{
    return page + page_cell_offset(page, i);
}

uint16_t page_cell_size(const uint8_t *page, uint16_t i)
{
    return cell_size_at(page, page_type(page), page_cell_offset(page, i));
}

int64_t page_key(const uint8_t *page, uint16_t i)
{
    uint16_t offset = page_cell_offset(page, i);
    if (page_type(page) == PAGE_INTERNAL)
        return (int64_t)get_u64(page + offset);
    /* A checked page: the header is whole. */
    uint64_t key = 0;
    varint_get(page + offset, PAGE_USABLE_SIZE - offset, &key);
    return unzigzag(key);
}

/* The key of the cell at OFFSET of a checked page of TYPE (its header
 * is whole): inline, since a search reads one at every step. */
static inline PageKey key_at(const uint8_t *page, uint8_t type,
                             uint16_t offset)
{
    PageKey key = {0};
    if (type == PAGE_INTERNAL) {
        key.rowid = (int64_t)get_u64(page + offset);
        return key;
    }
    uint64_t v = 0;
    size_t n = varint_get(page + offset, PAGE_USABLE_SIZE - offset, &v);
    if (type == PAGE_LEAF) {
        key.rowid = unzigzag(v);
    } else {
        key.bytes = page + offset + n;
        key.size = (uint32_t)v;
    }
    return key;
}

PageKey page_cell_key(const uint8_t *page, uint16_t i)
{
    return key_at(page, page_type(page), page_cell_offset(page, i));
}

PageKey page_leaf_cell_key(const uint8_t *cell, size_t size, bool is_index)
{
    uint32_t n = 0, header = 0;
    /* A checked cell: its header is whole. */
    if (!is_index) {
        int64_t key;
        page_leaf_header(cell, size, &key, &n, &header);
        return (PageKey){.rowid = key};
    }
    index_header(cell, size, &n, &header);
    return (PageKey){.bytes = cell + header, .size = n};
}

uint32_t page_cell_child(const uint8_t *page, uint16_t i)
{
    uint16_t end = (uint16_t)(page_cell_offset(page, i) +
                              page_cell_size(page, i));
    return get_u32(page + end - CHILD_POINTER_SIZE);
}

/* The 8 bytes at P as a big-endian number, so that numbers compare as
 * the bytes do under memcmp. */
static inline uint64_t get_big_u64(const uint8_t *p)
{
    return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 |
           (uint64_t)p[2] << 40 | (uint64_t)p[3] << 32 |
           (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
           (uint64_t)p[6] << 8 | p[7];
}

/* book: begin key-compare */
/* Index keys: memcmp, a prefix before the longer key. Eight bytes at a
 * time, compared as big-endian numbers, the last eight overlapping the
 * ones before when the length is not a multiple of 8: cheaper than a
 * call to memcmp for the short keys an index mostly holds. */
static inline int bytes_compare(const uint8_t *a, uint32_t a_size,
                                const uint8_t *b, uint32_t b_size)
{
    uint32_t n = a_size < b_size ? a_size : b_size;
    if (n >= 8) {
        for (uint32_t at = 0; at < n; at += 8) {
            uint32_t from = at + 8 <= n ? at : n - 8;
            uint64_t x = get_big_u64(a + from), y = get_big_u64(b + from);
            if (x != y)
                return x < y ? -1 : 1;
        }
    } else {
        for (uint32_t at = 0; at < n; at++)
            if (a[at] != b[at])
                return a[at] < b[at] ? -1 : 1;
    }
    return (a_size > b_size) - (a_size < b_size);
}

int page_key_compare(bool is_index, const PageKey *a, const PageKey *b)
{
    if (!is_index)
        return (a->rowid > b->rowid) - (a->rowid < b->rowid);
    return bytes_compare(a->bytes, a->size, b->bytes, b->size);
}
/* book: end key-compare */

/* The key of cell I of PAGE (of TYPE, its slots checked) into *KEY, if
 * the cell lies whole in the page; false if not (page_check_cell says
 * why). Inline: a search reads one at every step. */
static inline bool probe(const uint8_t *page, uint8_t type, uint16_t i,
                         PageKey *key)
{
    uint32_t offset = page_cell_offset(page, i);
    uint32_t avail = PAGE_USABLE_SIZE - offset, size, header;
    if (type == PAGE_INTERNAL) {
        /* Its slot places its 12 bytes inside the page. */
        key->rowid = (int64_t)get_u64(page + offset);
        return true;
    }
    if (type == PAGE_LEAF) {
        uint32_t bytes = leaf_cell_size(page + offset, avail, &key->rowid);
        return bytes != 0 && bytes <= avail;
    }
    if (!index_header(page + offset, avail, &size, &header))
        return false;
    key->bytes = page + offset + header;
    key->size = size;
    return header + size +
               (type == PAGE_INDEX_INTERNAL ? CHILD_POINTER_SIZE : 0) <=
           avail;
}

/* Whether key AT sorts before KEY. */
static inline bool key_before(bool is_index, const PageKey *at,
                              const PageKey *key)
{
    return is_index ? bytes_compare(at->bytes, at->size, key->bytes,
                                    key->size) < 0
                    : at->rowid < key->rowid;
}

DbStatus page_find_key(const uint8_t *page, uint32_t page_num,
                       const PageKey *key, uint16_t *at)
{
    uint8_t type = page_type(page);
    bool is_index = type == PAGE_INDEX_LEAF || type == PAGE_INDEX_INTERNAL;
    uint16_t lo = 0, hi = page_n_cells(page);
    PageKey there = {0};
    /* A key after the last, as an append's is at every level: no search. */
    if (hi > 0) {
        if (!probe(page, type, hi - 1, &there))
            return page_check_cell(page, page_num, hi - 1);
        if (key_before(is_index, &there, key))
            lo = hi;
    }
    /* Each cell the search reads is checked before it is read. The
     * answer, if it is a cell, is one: HI only moves to a cell read. */
    while (lo < hi) {
        uint16_t mid = (uint16_t)(lo + (hi - lo) / 2);
        if (!probe(page, type, mid, &there))
            return page_check_cell(page, page_num, mid);
        if (key_before(is_index, &there, key))
            lo = (uint16_t)(mid + 1);
        else
            hi = mid;
    }
    *at = lo;
    return DB_OK;
}

/* book: begin page-insert */
bool page_insert(uint8_t *page, uint16_t i, const uint8_t *cell,
                 uint16_t size)
{
    uint16_t needed = (uint16_t)(size + PAGE_SLOT_SIZE);
    if (needed > page_free(page))
        return false;
    if (needed > page_gap(page))
        page_compact(page);

    uint16_t n = page_n_cells(page);
    uint16_t start = (uint16_t)(cell_start(page) - size);
    memcpy(page + start, cell, size);
    memmove(slot(page, i + 1), slot(page, i), (size_t)(n - i) *
            PAGE_SLOT_SIZE);
    put_u16(slot(page, i), start);
    put_u16(page + PAGE_N_CELLS_OFFSET, (uint16_t)(n + 1));
    put_u16(page + PAGE_CELL_START_OFFSET, start);
    return true;
}
/* book: end page-insert */

void page_remove(uint8_t *page, uint16_t i)
{
    uint16_t n = page_n_cells(page);
    uint16_t size = page_cell_size(page, i);
    memmove(slot(page, i), slot(page, i + 1), (size_t)(n - i - 1) *
            PAGE_SLOT_SIZE);
    put_u16(slot(page, n - 1), 0);
    put_u16(page + PAGE_N_CELLS_OFFSET, (uint16_t)(n - 1));
    put_u16(page + PAGE_FRAGMENTED_OFFSET,
            (uint16_t)(page_fragmented(page) + size));
}

void page_compact(uint8_t *page)
{
    uint8_t copy[PAGE_SIZE];
    memcpy(copy, page, PAGE_SIZE);
    uint16_t n = page_n_cells(page);
    uint16_t start = PAGE_USABLE_SIZE;
    for (uint16_t i = 0; i < n; i++) {
        uint16_t offset = page_cell_offset(copy, i);
        uint16_t size = page_cell_size(copy, i);
        start = (uint16_t)(start - size);
        memcpy(page + start, copy + offset, size);
        put_u16(slot(page, i), start);
    }
    /* The gap holds no stale bytes, so a hex dump shows it empty. */
    uint16_t gap_begin = (uint16_t)(PAGE_HEADER_SIZE + n * PAGE_SLOT_SIZE);
    memset(page + gap_begin, 0, start - gap_begin);
    put_u16(page + PAGE_CELL_START_OFFSET, start);
    put_u16(page + PAGE_FRAGMENTED_OFFSET, 0);
}

/* The error for slot I of page PAGE_NUM, whose cell, at OFFSET and SIZE
 * bytes long (0: its header is damaged), does not lie inside the cell
 * area from START to the page's end. */
static DbStatus check_cell(uint32_t page_num, uint32_t i, uint32_t start,
                           uint32_t offset, uint32_t min_size, uint32_t size)
{
    if (offset < start || offset + min_size > PAGE_USABLE_SIZE)
        return db_fail(DB_ECORRUPT, "page %u: slot %u points to byte %u, "
                       "outside the cell area", page_num, i, offset);
    if (size == 0)
        return db_fail(DB_ECORRUPT, "page %u: cell %u has a damaged "
                       "header", page_num, i);
    return db_fail(DB_ECORRUPT, "page %u: cell %u (%u bytes at byte %u) "
                   "runs past the end of the page", page_num, i, size,
                   offset);
}

/* The error for the key in slot I of a table page, KEY, not after the
 * key before it, PREVIOUS. */
static DbStatus key_out_of_order(uint32_t page_num, uint32_t i, int64_t key,
                                 int64_t previous)
{
    return db_fail(DB_ECORRUPT, "page %u: key %lld in slot %u does not "
                   "come after key %lld", page_num, (long long)key, i,
                   (long long)previous);
}

/* The same for the key in slot I of an index page. */
static DbStatus index_out_of_order(uint32_t page_num, uint32_t i)
{
    return db_fail(DB_ECORRUPT, "page %u: the key in slot %u does not "
                   "come after the key in slot %u", page_num, i, i - 1);
}

/* The cells of a table's internal page (its header checked): each
 * inside the cell area, its keys in order; their bytes into *CELL_BYTES.
 * A cell has 12 bytes, so a slot inside the cell area places it whole. */
static DbStatus internal_cells(const uint8_t *page, uint32_t page_num,
                               uint32_t *cell_bytes)
{
    uint32_t n = page_n_cells(page), start = cell_start(page);
    int64_t previous = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t offset = get_u16(page + PAGE_HEADER_SIZE +
                                  i * PAGE_SLOT_SIZE);
        if (offset < start || offset > PAGE_USABLE_SIZE - INTERNAL_CELL_SIZE)
            return check_cell(page_num, i, start, offset,
                              INTERNAL_CELL_SIZE, INTERNAL_CELL_SIZE);
        int64_t key = (int64_t)get_u64(page + offset);
        if (i > 0 && key <= previous)
            return key_out_of_order(page_num, i, key, previous);
        previous = key;
    }
    *cell_bytes = n * INTERNAL_CELL_SIZE;
    return DB_OK;
}

/* The same for a table's leaf. One pass, each cell's header read once:
 * a page read from the file is checked here before anything else reads
 * it. */
static DbStatus leaf_cells(const uint8_t *page, uint32_t page_num,
                           uint32_t *cell_bytes)
{
    uint32_t n = page_n_cells(page), start = cell_start(page), bytes = 0;
    int64_t previous = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t offset = get_u16(page + PAGE_HEADER_SIZE +
                                  i * PAGE_SLOT_SIZE);
        if (offset < start || offset > PAGE_USABLE_SIZE - LEAF_CELL_MIN_SIZE)
            return check_cell(page_num, i, start, offset,
                              LEAF_CELL_MIN_SIZE, 0);
        int64_t key;
        uint32_t size = leaf_cell_size(page + offset,
                                       PAGE_USABLE_SIZE - offset, &key);
        if (size == 0 || offset + size > PAGE_USABLE_SIZE)
            return check_cell(page_num, i, start, offset,
                              LEAF_CELL_MIN_SIZE, size);
        if (i > 0 && key <= previous)
            return key_out_of_order(page_num, i, key, previous);
        previous = key;
        bytes += size;
    }
    *cell_bytes = bytes;
    return DB_OK;
}

/* The same for an index page of either kind: keys in memcmp order. */
static DbStatus index_cells(const uint8_t *page, uint32_t page_num,
                            uint32_t *cell_bytes)
{
    bool internal = page_type(page) == PAGE_INDEX_INTERNAL;
    uint32_t n = page_n_cells(page), start = cell_start(page);
    uint32_t min_size = internal ? INDEX_INTERNAL_CELL_MIN_SIZE : 1;
    uint32_t last = PAGE_USABLE_SIZE - min_size; /* the last start of a cell */
    uint32_t child = internal ? CHILD_POINTER_SIZE : 0, bytes = 0;
    const uint8_t *previous = NULL;
    uint32_t previous_size = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t offset = get_u16(page + PAGE_HEADER_SIZE +
                                  i * PAGE_SLOT_SIZE);
        if (offset < start || offset > last)
            return check_cell(page_num, i, start, offset, min_size, 0);
        const uint8_t *cell = page + offset;
        /* A key under 128 bytes: its size is one byte, read here. */
        uint32_t key_size = cell[0], header = 1;
        if (key_size >= 0x80 &&
            !index_header(cell, PAGE_USABLE_SIZE - offset, &key_size,
                          &header))
            return check_cell(page_num, i, start, offset, min_size, 0);
        uint32_t size = header + key_size + child;
        if (offset + size > PAGE_USABLE_SIZE)
            return check_cell(page_num, i, start, offset, min_size, size);
        const uint8_t *key = cell + header;
        if (i > 0 && bytes_compare(key, key_size, previous,
                                   previous_size) <= 0)
            return index_out_of_order(page_num, i);
        previous = key;
        previous_size = key_size;
        bytes += size;
    }
    *cell_bytes = bytes;
    return DB_OK;
}

/* The error, if any, in the header of PAGE (page PAGE_NUM): its type,
 * and whether its slots and its cell area fit in it. */
static DbStatus check_header(const uint8_t *page, uint32_t page_num)
{
    uint8_t type = page_type(page);
    if (type != PAGE_LEAF && type != PAGE_INTERNAL &&
        type != PAGE_INDEX_LEAF && type != PAGE_INDEX_INTERNAL)
        return db_fail(DB_ECORRUPT, "page %u is not a tree page (type %u)",
                       page_num, type);
    uint32_t n = page_n_cells(page);
    uint32_t start = cell_start(page);
    if (PAGE_HEADER_SIZE + n * PAGE_SLOT_SIZE > start ||
        start > PAGE_USABLE_SIZE)
        return db_fail(DB_ECORRUPT, "page %u: %u slots and a cell area "
                       "starting at %u do not fit in a page", page_num, n,
                       start);
    return DB_OK;
}

/* The fewest bytes a cell of a page of TYPE takes. */
static uint32_t min_cell_size(uint8_t type)
{
    switch (type) {
    case PAGE_INTERNAL:
        return INTERNAL_CELL_SIZE;
    case PAGE_LEAF:
        return LEAF_CELL_MIN_SIZE;
    case PAGE_INDEX_INTERNAL:
        return INDEX_INTERNAL_CELL_MIN_SIZE;
    default:
        return 1; /* an index leaf's: an empty key's size */
    }
}

DbStatus page_validate_slots(const uint8_t *page, uint32_t page_num)
{
    DbStatus rc = check_header(page, page_num);
    if (rc != DB_OK)
        return rc;
    uint32_t n = page_n_cells(page), start = cell_start(page);
    uint32_t min_size = min_cell_size(page_type(page));
    uint32_t last = PAGE_USABLE_SIZE - min_size; /* the last start of a cell */
    /* The lowest and the highest offset, without a branch per slot (a
     * leaf read at random has some 200); if either is outside, the first
     * slot that is, for the message. */
    const uint8_t *slots = page + PAGE_HEADER_SIZE;
    uint32_t low = PAGE_USABLE_SIZE, high = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t offset = get_u16(slots + i * PAGE_SLOT_SIZE);
        low = offset < low ? offset : low;
        high = offset > high ? offset : high;
    }
    for (uint32_t i = 0; (low < start || high > last) && i < n; i++) {
        uint32_t offset = get_u16(slots + i * PAGE_SLOT_SIZE);
        if (offset < start || offset > last)
            return check_cell(page_num, i, start, offset, min_size, 0);
    }
    return DB_OK;
}

DbStatus page_check_cell(const uint8_t *page, uint32_t page_num, uint16_t i)
{
    uint8_t type = page_type(page);
    if (type == PAGE_INTERNAL)
        return DB_OK; /* its slot places its 12 bytes inside the page */
    uint32_t offset = page_cell_offset(page, i);
    uint32_t size = cell_size_at(page, type, offset);
    if (size != 0 && offset + size <= PAGE_USABLE_SIZE)
        return DB_OK;
    return check_cell(page_num, i, cell_start(page), offset,
                      min_cell_size(type), size);
}

DbStatus page_check_order(uint32_t page_num, uint16_t i, bool is_index,
                          const PageKey *key, const PageKey *previous)
{
    if (page_key_compare(is_index, key, previous) > 0)
        return DB_OK;
    if (!is_index)
        return key_out_of_order(page_num, i, key->rowid, previous->rowid);
    return index_out_of_order(page_num, i);
}

/* book: begin page-validate */
DbStatus page_validate(const uint8_t *page, uint32_t page_num)
{
    DbStatus rc = check_header(page, page_num);
    if (rc != DB_OK)
        return rc;
    uint8_t type = page_type(page);
    uint32_t cell_bytes = 0, start = cell_start(page);
    if (type == PAGE_LEAF)
        rc = leaf_cells(page, page_num, &cell_bytes);
    else if (type == PAGE_INTERNAL)
        rc = internal_cells(page, page_num, &cell_bytes);
    else
        rc = index_cells(page, page_num, &cell_bytes);
    if (rc != DB_OK)
        return rc;
    uint32_t fragmented = page_fragmented(page);
    if (cell_bytes + fragmented != PAGE_USABLE_SIZE - start)
        return db_fail(DB_ECORRUPT, "page %u: cells take %u bytes and %u "
                       "are fragmented, but the cell area has %u", page_num,
                       cell_bytes, fragmented, PAGE_USABLE_SIZE - start);
    return DB_OK;
}
/* book: end page-validate */

typedef struct Extent {
    uint16_t offset, size;
} Extent;

static int by_offset(const void *a, const void *b)
{
    const Extent *x = a, *y = b;
    return (x->offset > y->offset) - (x->offset < y->offset);
}

DbStatus page_check(const uint8_t *page, uint32_t page_num)
{
    DbStatus rc = page_validate(page, page_num);
    if (rc != DB_OK)
        return rc;
    uint16_t n = page_n_cells(page);
    Extent cells[PAGE_CAPACITY / PAGE_SLOT_SIZE];
    for (uint16_t i = 0; i < n; i++)
        cells[i] = (Extent){page_cell_offset(page, i),
                            page_cell_size(page, i)};
    qsort(cells, n, sizeof cells[0], by_offset);
    for (uint16_t i = 1; i < n; i++)
        if (cells[i - 1].offset + cells[i - 1].size > cells[i].offset)
            return db_fail(DB_ECORRUPT, "page %u: the cells at bytes %u "
                           "and %u overlap", page_num, cells[i - 1].offset,
                           cells[i].offset);
    return DB_OK;
}
