/*
 * page.h - slotted pages: cells of any size in a 4096-byte page, found
 * through a directory of 2-byte offsets kept in key order.
 */
#ifndef PAGE_H
#define PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "pager.h"

/* book: begin slotted-layout */
/* Slotted page (every page of the tree)
 *   offset  size  field
 *        0     1  page type: PAGE_INTERNAL (1) or PAGE_LEAF (2)
 *        1     1  is root: 1 for the tree's root, else 0
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
 * Leaf cell:      key (4) | value size (2) | value
 * Internal cell:  key (4) | child page (4)
 *
 * Free space = the gap + the fragmented bytes. A cell that does not fit
 * in the gap fits after page_compact() if it fits in the free space.
 */
#define PAGE_INTERNAL 1
#define PAGE_LEAF 2

#define PAGE_TYPE_OFFSET 0
#define PAGE_IS_ROOT_OFFSET 1
#define PAGE_N_CELLS_OFFSET 2
#define PAGE_CELL_START_OFFSET 4
#define PAGE_FRAGMENTED_OFFSET 6
#define PAGE_LINK_OFFSET 8
#define PAGE_HEADER_SIZE 12
#define PAGE_SLOT_SIZE 2
#define PAGE_CAPACITY (PAGE_USABLE_SIZE - PAGE_HEADER_SIZE) /* slots, cells */

#define LEAF_CELL_HEADER_SIZE 6  /* key + value size */
#define INTERNAL_CELL_SIZE 8     /* key + child page */
/* book: end slotted-layout */

/* Puts an empty page of TYPE (PAGE_LEAF or PAGE_INTERNAL) in PAGE. */
void page_init(uint8_t *page, uint8_t type, bool is_root);

/* Checks that PAGE (page PAGE_NUM of the file) is a slotted page whose
 * every cell lies inside it and whose byte counts add up, so that no
 * function below can read or write outside the page. DB_ECORRUPT: the
 * first thing that does not hold, in db_errmsg(). */
DbStatus page_validate(const uint8_t *page, uint32_t page_num);

/* Stricter than page_validate, for .check: also that no two cells
 * overlap and that keys increase from slot to slot. */
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
uint32_t page_key(const uint8_t *page, uint16_t i);

/* The first cell whose key is >= KEY, or page_n_cells() if none. */
uint16_t page_find(const uint8_t *page, uint32_t key);

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
