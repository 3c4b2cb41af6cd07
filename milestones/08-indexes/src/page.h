/*
 * page.h - slotted pages: cells of any size in a 4096-byte page, found
 * through a directory of 2-byte offsets kept in key order.
 */
#ifndef PAGE_H
#define PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pager.h"
#include "varint.h"

/* book: begin slotted-layout */
/* Slotted page (every page of a tree)
 *   offset  size  field
 *        0     1  page type: PAGE_INTERNAL (1) or PAGE_LEAF (2) in a
 *                 table's tree, PAGE_INDEX_INTERNAL (4) or
 *                 PAGE_INDEX_LEAF (5) in an index's
 *        1     1  is root: 1 for a tree's root, else 0
 *        2     2  number of cells
 *        4     2  cell area start: cells, and the holes deletes leave
 *                 between them, lie from here to byte 4092;
 *                 the free gap ends here
 *        6     2  fragmented bytes: holes in the cell area left by
 *                 deletes and shrinking updates
 *        8     4  leaf: page of the next leaf (0 = last);
 *                 internal: page of the right child
 *       12   2*n  slot directory: the offset of each cell, in key order
 *      ...   ...  the free gap
 *    start   ...  cells, packed from byte 4092 toward the front
 *     4092     4  the pager's checksum of the page (PAGE_CHECKSUM_SIZE)
 *
 * Table leaf cell:      key (varint, zigzagged) | payload size P
 *                       (varint) | the first L bytes of the payload |
 *                       first overflow page (4), if L < P
 * Table internal cell:  key (8) | child page (4)
 * Index leaf cell:      key size K (varint) | the K bytes of the key
 * Index internal cell:  key size K (varint) | the K bytes of the key |
 *                       child page (4)
 *
 * A table's keys are signed 64-bit row ids: in a leaf as short as their
 * value allows (common/varint.h; row 1000 takes 2 bytes), in an internal
 * node 8 bytes little-endian, since there are few. L is
 * page_local_size(P): all of a payload up to PAGE_MAX_LOCAL bytes; of a
 * larger one, as much as leaves whole overflow pages for the rest (see
 * btree.c). An index's keys are byte strings of at most
 * PAGE_MAX_INDEX_KEY bytes, ordered by memcmp (a prefix first), with no
 * payload (record.c draws what the bytes mean). In an internal node of
 * either kind, the child is the cell's last 4 bytes, and cell I's key is
 * the largest key of its child's subtree.
 *
 * Free space = the gap + the fragmented bytes. A cell that does not fit
 * in the gap fits after page_compact() if it fits in the free space.
 */
#define PAGE_INTERNAL 1
#define PAGE_LEAF 2
#define PAGE_OVERFLOW 3   /* a page of an overflow chain (btree.c) */
#define PAGE_INDEX_INTERNAL 4
#define PAGE_INDEX_LEAF 5

/* The longest key of an index page (btree.h's BTREE_MAX_KEY; btree.c
 * says why it is no longer). */
#define PAGE_MAX_INDEX_KEY 640

#define PAGE_TYPE_OFFSET 0
#define PAGE_IS_ROOT_OFFSET 1
#define PAGE_N_CELLS_OFFSET 2
#define PAGE_CELL_START_OFFSET 4
#define PAGE_FRAGMENTED_OFFSET 6
#define PAGE_LINK_OFFSET 8
#define PAGE_HEADER_SIZE 12
#define PAGE_SLOT_SIZE 2
#define PAGE_CAPACITY (PAGE_USABLE_SIZE - PAGE_HEADER_SIZE) /* slots, cells */

#define LEAF_CELL_HEADER_MAX 15  /* key (10) + payload size (5) */
#define LEAF_CELL_MIN_SIZE 2     /* key and payload size, a byte each */
#define INTERNAL_CELL_SIZE 12    /* key + child page */
#define OVERFLOW_POINTER_SIZE 4
#define CHILD_POINTER_SIZE 4
/* The sizes of index cells: the key's size takes 1 or 2 bytes. */
#define INDEX_LEAF_CELL_MAX_SIZE (2 + PAGE_MAX_INDEX_KEY)
#define INDEX_INTERNAL_CELL_MIN_SIZE (1 + CHILD_POINTER_SIZE)
#define INDEX_INTERNAL_CELL_MAX_SIZE \
    (INDEX_LEAF_CELL_MAX_SIZE + CHILD_POINTER_SIZE)

/* A cell takes at most a quarter of a page, so that the two halves of
 * any split, and of any two siblings shared out evenly, keep at least
 * NODE_MIN_FILL bytes each (btree.h). */
#define LEAF_CELL_MAX_SIZE (PAGE_CAPACITY / 4)
#define PAGE_MAX_LOCAL (LEAF_CELL_MAX_SIZE - LEAF_CELL_HEADER_MAX)
/* A payload that overflows keeps at least this much in its leaf. */
#define PAGE_MIN_LOCAL (PAGE_CAPACITY / 16)
/* Payload bytes an overflow page holds: all of it but its header. */
#define OVERFLOW_HEADER_SIZE 8
#define OVERFLOW_DATA_SIZE (PAGE_USABLE_SIZE - OVERFLOW_HEADER_SIZE)
/* book: end slotted-layout */

/* A key of either kind of page: a table's row id, or an index's bytes. */
typedef struct PageKey {
    int64_t rowid;         /* table pages */
    const uint8_t *bytes;  /* index pages: SIZE bytes */
    uint32_t size;
} PageKey;

/* Puts an empty page of TYPE (one of the four above) in PAGE. */
void page_init(uint8_t *page, uint8_t type, bool is_root);

/* Checks that PAGE (page PAGE_NUM of the file) is a slotted page whose
 * every cell lies inside it and whose byte counts add up, so that no
 * function below can read or write outside the page, and whose keys
 * increase from slot to slot. DB_ECORRUPT: the first thing that does not
 * hold, in db_errmsg(). */
DbStatus page_validate(const uint8_t *page, uint32_t page_num);

/* The part of page_validate that reads no cell: PAGE's type, that its
 * slots and cell area fit, and that each slot points inside the cell
 * area with room for the smallest cell of its kind. A page that passes
 * is read by the functions below only through cells that pass
 * page_check_cell (page_find_key checks those it reads). DB_ECORRUPT:
 * the first thing that does not hold, in db_errmsg(). */
DbStatus page_validate_slots(const uint8_t *page, uint32_t page_num);

/* Checks cell I of PAGE (page PAGE_NUM, its slots checked): that its
 * header is one and the cell lies inside the page, so that its key, its
 * size, its child and its payload can be read. DB_ECORRUPT, with
 * page_validate's message for that cell, if not. */
DbStatus page_check_cell(const uint8_t *page, uint32_t page_num,
                         uint16_t i);

/* DB_OK if KEY, of cell I of page PAGE_NUM (an index's: IS_INDEX), comes
 * after PREVIOUS, the key of cell I - 1; else DB_ECORRUPT, with
 * page_validate's message. */
DbStatus page_check_order(uint32_t page_num, uint16_t i, bool is_index,
                          const PageKey *key, const PageKey *previous);

/* Stricter than page_validate, for .check: also that no two cells
 * overlap. */
DbStatus page_check(const uint8_t *page, uint32_t page_num);

uint8_t page_type(const uint8_t *page);
/* PAGE_LEAF or PAGE_INDEX_LEAF. */
bool page_is_leaf(const uint8_t *page);
/* PAGE_INDEX_LEAF or PAGE_INDEX_INTERNAL. */
bool page_is_index(const uint8_t *page);
uint16_t page_n_cells(const uint8_t *page);
uint16_t page_fragmented(const uint8_t *page);

/* Bytes between the slot directory and the cell area. */
uint16_t page_gap(const uint8_t *page);

/* Bytes a new cell could use: the gap plus the fragmented bytes. */
uint16_t page_free(const uint8_t *page);

/* Bytes taken by slots and cells: PAGE_CAPACITY - page_free(). */
uint16_t page_used(const uint8_t *page);

uint16_t page_cell_offset(const uint8_t *page, uint16_t i);
uint8_t *page_cell(uint8_t *page, uint16_t i);
uint16_t page_cell_size(const uint8_t *page, uint16_t i);
/* The key of cell I of a table page. */
int64_t page_key(const uint8_t *page, uint16_t i);

/* The key of cell I of a page of either kind; an index key's bytes
 * point into the page. */
PageKey page_cell_key(const uint8_t *page, uint16_t i);

/* The key of a leaf CELL of SIZE bytes (from a checked page), of a
 * table's leaf or (IS_INDEX) an index's. */
PageKey page_leaf_cell_key(const uint8_t *cell, size_t size, bool is_index);

/* The child of cell I of an internal page of either kind. */
uint32_t page_cell_child(const uint8_t *page, uint16_t i);

/* <0, 0, >0 as A orders before, with, after B: row ids as integers
 * (IS_INDEX false), index keys by memcmp, a prefix before the longer. */
int page_key_compare(bool is_index, const PageKey *a, const PageKey *b);

/* The first cell of PAGE (page PAGE_NUM, its slots checked) whose key
 * is >= KEY, or page_n_cells() if none, into *AT. Each cell the search
 * reads is checked first, cell *AT among them if it is one: DB_ECORRUPT
 * (page_check_cell's error) if one does not pass, and *AT is not set.
 * The keys are trusted to be in order: if they are not, *AT may be any
 * cell. */
DbStatus page_find_key(const uint8_t *page, uint32_t page_num,
                       const PageKey *key, uint16_t *at);

/* Writes the cell of an index leaf holding KEY (SIZE bytes, at most
 * PAGE_MAX_INDEX_KEY) into CELL; returns its length. An index internal
 * cell is this and the child's page after it. */
uint16_t page_put_index_cell(uint8_t *cell, const uint8_t *key,
                             uint32_t size);

/* How many bytes of a payload of SIZE bytes its leaf cell keeps. */
uint32_t page_local_size(uint64_t size);

/* The bytes a table leaf cell takes in its page: its header of
 * HEADER_SIZE bytes, the part of its payload of SIZE bytes kept in the
 * leaf, and the pointer to the rest when there is a rest. */
static inline uint32_t page_leaf_cell_bytes(uint32_t header_size,
                                            uint32_t size)
{
    uint32_t local = size <= PAGE_MAX_LOCAL ? size : page_local_size(size);
    return header_size + local + (local < size ? OVERFLOW_POINTER_SIZE : 0);
}

/* A leaf cell's header: its key, payload size, and the bytes the two
 * take. Reads at most AVAIL bytes; returns false if they are not a
 * header (cut short, or a size too large for any payload). */
static inline bool page_leaf_header(const uint8_t *cell, size_t avail,
                                    int64_t *key, uint32_t *size,
                                    uint32_t *header_size)
{
    /* Inline: a scan reads one for every row. */
    uint64_t k, n;
    size_t a = varint_get(cell, avail, &k);
    size_t b = a ? varint_get(cell + a, avail - a, &n) : 0;
    if (b == 0 || n > UINT32_MAX) {
        *key = 0;
        *size = *header_size = 0;
        return false;
    }
    *key = unzigzag(k);
    *size = (uint32_t)n;
    *header_size = (uint32_t)(a + b);
    return true;
}

/* Writes the header of a leaf cell of KEY and a payload of SIZE bytes
 * into CELL; returns its length (at most LEAF_CELL_HEADER_MAX). */
uint32_t page_put_leaf_header(uint8_t *cell, int64_t key, uint32_t size);

/* Makes CELL (SIZE bytes) cell number I, moving later slots one place up.
 * Compacts the page first if the gap is too small but the free space is
 * not. Returns false, changing nothing, if the page cannot hold it. */
bool page_insert(uint8_t *page, uint16_t i, const uint8_t *cell,
                 uint16_t size);

/* Removes cell I: its slot goes, its bytes become fragmented free space.
 * Nothing else moves. */
void page_remove(uint8_t *page, uint16_t i);

/* Moves every cell to the end of the page, in slot order, so that all
 * free space is one gap and no byte is fragmented. */
void page_compact(uint8_t *page);

#endif
