/*
 * page.h - slotted pages: cells of any size in a 4096-byte page, found
 * through a directory of 2-byte offsets kept in key order.
 */
#ifndef PAGE_H
#define PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "pager.h"
#include "varint.h"

/* book: begin slotted-layout */
/* Slotted page (every page of a tree)
 *   offset  size  field
 *        0     1  page type: PAGE_INTERNAL (1) or PAGE_LEAF (2)
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
 * Leaf cell:      key (varint, zigzagged) | payload size P (varint) |
 *                 the first L bytes of the payload | first overflow
 *                 page (4), if L < P
 * Internal cell:  key (8) | child page (4)
 *
 * Keys are signed 64-bit row ids: in a leaf as short as their value
 * allows (common/varint.h; row 1000 takes 2 bytes), in an internal node
 * 8 bytes little-endian, since there are few. L is page_local_size(P):
 * all of a payload up to PAGE_MAX_LOCAL bytes; of a larger one, as much
 * as leaves whole overflow pages for the rest (see btree.c).
 *
 * Free space = the gap + the fragmented bytes. A cell that does not fit
 * in the gap fits after page_compact() if it fits in the free space.
 */
#define PAGE_INTERNAL 1
#define PAGE_LEAF 2
#define PAGE_OVERFLOW 3   /* a page of an overflow chain (btree.c) */

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

/* Puts an empty page of TYPE (PAGE_LEAF or PAGE_INTERNAL) in PAGE. */
void page_init(uint8_t *page, uint8_t type, bool is_root);

/* Checks that PAGE (page PAGE_NUM of the file) is a slotted page whose
 * every cell lies inside it and whose byte counts add up, so that no
 * function below can read or write outside the page, and whose keys
 * increase from slot to slot. DB_ECORRUPT: the first thing that does not
 * hold, in db_errmsg(). */
DbStatus page_validate(const uint8_t *page, uint32_t page_num);

/* Stricter than page_validate, for .check: also that no two cells
 * overlap. */
DbStatus page_check(const uint8_t *page, uint32_t page_num);

uint8_t page_type(const uint8_t *page);
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
int64_t page_key(const uint8_t *page, uint16_t i);

/* The first cell whose key is >= KEY, or page_n_cells() if none. */
uint16_t page_find(const uint8_t *page, int64_t key);

/* How many bytes of a payload of SIZE bytes its leaf cell keeps. */
uint32_t page_local_size(uint64_t size);

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
