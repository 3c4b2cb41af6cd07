/*
 * btree.h - a B+tree that maps 32-bit keys to fixed-size values, stored
 * in the pager's pages.
 */
#ifndef BTREE_H
#define BTREE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pager.h"

#define BTREE_VALUE_SIZE 293 /* bytes of every value: a row */

/* book: begin node-layout */
/* Every node is one page. Both kinds start with the same header:
 *
 * Common node header
 *   offset  size  field
 *        0     1  node type: NODE_INTERNAL (1) or NODE_LEAF (2)
 *        1     1  is root: 1 for the root node, else 0
 *        2     4  number of cells (leaf) or keys (internal)
 *
 * Leaf node (cells in key order)
 *   offset  size  field
 *        0     6  common header
 *        6     4  page number of the next leaf (0 = the last leaf)
 *       10   297  cell 0: key (4) + value (293)
 *      307   297  cell 1
 *      ...   ...  ... up to 13 cells; the last 225 bytes are unused
 *
 * Internal node (keys in order)
 *   offset  size  field
 *        0     6  common header
 *        6     4  page number of the right child
 *       10     8  cell 0: child page (4) + key (4)
 *       18     8  cell 1
 *      ...   ...  ... up to INTERNAL_NODE_MAX_KEYS cells
 *
 * Every key under child i is at most key i and larger than key i - 1;
 * keys larger than the last key live under the right child. A split
 * makes key i the largest key of child i; a later delete may leave it
 * larger than any key still there, which is fine for a bound.
 */
#define NODE_INTERNAL 1
#define NODE_LEAF 2

#define NODE_TYPE_OFFSET 0
#define NODE_IS_ROOT_OFFSET 1
#define NODE_N_CELLS_OFFSET 2
#define COMMON_NODE_HEADER_SIZE 6

#define LEAF_NODE_NEXT_OFFSET COMMON_NODE_HEADER_SIZE
#define LEAF_NODE_HEADER_SIZE (COMMON_NODE_HEADER_SIZE + 4)
#define LEAF_NODE_KEY_SIZE 4
#define LEAF_NODE_CELL_SIZE (LEAF_NODE_KEY_SIZE + BTREE_VALUE_SIZE)
#define LEAF_NODE_SPACE_FOR_CELLS (PAGE_SIZE - LEAF_NODE_HEADER_SIZE)
#define LEAF_NODE_MAX_CELLS (LEAF_NODE_SPACE_FOR_CELLS / LEAF_NODE_CELL_SIZE)
#define LEAF_NODE_MIN_CELLS ((LEAF_NODE_MAX_CELLS + 1) / 2)

#define INTERNAL_NODE_RIGHT_CHILD_OFFSET COMMON_NODE_HEADER_SIZE
#define INTERNAL_NODE_HEADER_SIZE (COMMON_NODE_HEADER_SIZE + 4)
#define INTERNAL_NODE_CELL_SIZE 8
/* Kept tiny on purpose, so that a few dozen rows build a tree three or
 * four levels deep; a full page would hold (4096 - 10) / 8 = 510 keys. */
#define INTERNAL_NODE_MAX_KEYS 3
/* A node with k keys has k + 1 children; at least half of the most
 * children, rounded up, is the least a non-root node may have. */
#define INTERNAL_NODE_MIN_KEYS ((INTERNAL_NODE_MAX_KEYS + 2) / 2 - 1)
/* book: end node-layout */

/* Deeper than this, a tree of 2^32 keys cannot be: a longer path means a
 * cycle in a damaged file. */
#define BTREE_MAX_DEPTH 48

typedef struct Btree Btree;

/* A position in the tree's key order, for walking every value. */
typedef struct BtreeCursor {
    Btree *tree;
    uint32_t page_num;     /* the leaf */
    uint32_t cell_num;     /* the cell in that leaf */
    uint32_t leaves_seen;  /* to stop in a leaf chain that loops */
    bool end_of_tree;      /* true once past the last value */
} BtreeCursor;

/* Opens the tree whose root page is recorded in the file header, creating
 * an empty tree (one empty leaf) in a new file. DB_ECORRUPT: the header
 * names no valid root. On failure *out is NULL. */
DbStatus btree_open(Pager *pager, Btree **out);

/* Frees the tree's memory; the pager stays open. */
void btree_close(Btree *tree);

/* Adds KEY with VALUE (BTREE_VALUE_SIZE bytes). DB_EDUPKEY: KEY is
 * already there, nothing changed. */
DbStatus btree_insert(Btree *tree, uint32_t key, const uint8_t *value);

/* Copies the value of KEY into VALUE. DB_ENOTFOUND: no such key. */
DbStatus btree_find(Btree *tree, uint32_t key, uint8_t *value);

/* Replaces the value of KEY. DB_ENOTFOUND: no such key, nothing changed. */
DbStatus btree_update(Btree *tree, uint32_t key, const uint8_t *value);

/* Removes KEY and its value. DB_ENOTFOUND: no such key, nothing changed. */
DbStatus btree_delete(Btree *tree, uint32_t key);

/* Places CURSOR on the smallest key (or at the end of an empty tree). */
DbStatus btree_first(Btree *tree, BtreeCursor *cursor);

/* The key and value under CURSOR; *value points into the page. */
DbStatus btree_cursor_read(BtreeCursor *cursor, uint32_t *key,
                           const uint8_t **value);

/* Moves CURSOR to the next key in order, or past the end. */
DbStatus btree_cursor_next(BtreeCursor *cursor);

/* Prints the tree as an indented outline, one node per line (.btree). */
DbStatus btree_print(Btree *tree, FILE *out);

/* Checks every invariant of the tree's shape and order, passes each key
 * and its value to CHECK_VALUE, and marks each page the tree uses in SEEN
 * (one byte per page of the file). DB_ECORRUPT: the first violation
 * found, in db_errmsg(); a value CHECK_VALUE refuses is reported as
 * "page N: " and its reason. */
DbStatus btree_check(Btree *tree, uint8_t *seen,
                     DbStatus (*check_value)(uint32_t key,
                                             const uint8_t *value));

#endif
