/*
 * btree.h - a B+tree that maps 32-bit keys to values of any size up to
 * BTREE_MAX_VALUE_SIZE, stored in slotted pages.
 */
#ifndef BTREE_H
#define BTREE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "page.h"
#include "pager.h"

/* A value may take up to a quarter of a page, so that the two halves of
 * any split, and of any two siblings shared out evenly, keep at least
 * NODE_MIN_FILL bytes each. */
#define BTREE_MAX_VALUE_SIZE 1024
#define LEAF_CELL_MAX_SIZE (LEAF_CELL_HEADER_SIZE + BTREE_MAX_VALUE_SIZE)

/* A node below the root is under-full when its slots and cells take
 * fewer bytes than this: a third of the page. A split leaves each half
 * with about half a page, so there is room between the two and a node
 * does not flip between splitting and merging. */
#define NODE_MIN_FILL (PAGE_CAPACITY / 3)

/* As many keys as fit: every key costs a cell and a slot. */
#define INTERNAL_NODE_MAX_KEYS \
    (PAGE_CAPACITY / (INTERNAL_CELL_SIZE + PAGE_SLOT_SIZE))

/* Deeper than this, a tree of 2^32 keys cannot be: a longer path means a
 * cycle in a damaged file. */
#define BTREE_MAX_DEPTH 48

typedef struct Btree Btree;

/* A position in the tree's key order, for walking every value. */
typedef struct BtreeCursor {
    Btree *tree;
    uint32_t page_num;     /* the leaf, pinned while the cursor is on it */
    uint8_t *leaf;         /* its bytes; NULL when nothing is pinned */
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

/* Adds KEY with the SIZE bytes of VALUE (at most BTREE_MAX_VALUE_SIZE).
 * DB_EDUPKEY: KEY is already there, nothing changed. */
DbStatus btree_insert(Btree *tree, uint32_t key, const uint8_t *value,
                      uint16_t size);

/* Copies the value of KEY into VALUE (room for BTREE_MAX_VALUE_SIZE
 * bytes) and its size into *size. DB_ENOTFOUND: no such key. */
DbStatus btree_find(Btree *tree, uint32_t key, uint8_t *value,
                    uint16_t *size);

/* Replaces the value of KEY: in place if the new value is no larger,
 * else by removing the old cell and inserting the new one. DB_ENOTFOUND:
 * no such key, nothing changed. */
DbStatus btree_update(Btree *tree, uint32_t key, const uint8_t *value,
                      uint16_t size);

/* Removes KEY and its value. DB_ENOTFOUND: no such key, nothing changed. */
DbStatus btree_delete(Btree *tree, uint32_t key);

/* Places CURSOR on the smallest key (or at the end of an empty tree).
 * A cursor on a key keeps its leaf pinned, until it moves past the end,
 * fails, or is closed. */
DbStatus btree_first(Btree *tree, BtreeCursor *cursor);

/* The key and value under CURSOR; *value points into the leaf, which
 * the cursor keeps pinned until it moves. */
DbStatus btree_cursor_read(BtreeCursor *cursor, uint32_t *key,
                           const uint8_t **value, uint16_t *size);

/* Moves CURSOR to the next key in order, or past the end. */
DbStatus btree_cursor_next(BtreeCursor *cursor);

/* Releases the leaf CURSOR holds pinned, if any: needed when a walk
 * stops before its end. A cursor past the end, or one whose last move
 * failed, holds nothing. */
void btree_cursor_close(BtreeCursor *cursor);

/* Prints the tree as an indented outline, one node per line (.btree). */
DbStatus btree_print(Btree *tree, FILE *out);

/* Checks every invariant of the tree's shape and order and of each of its
 * slotted pages, passes each key and its value to CHECK_VALUE, and marks
 * each page the tree uses in SEEN (one byte per page of the file).
 * DB_ECORRUPT: the first violation, in db_errmsg(); a value CHECK_VALUE
 * refuses is reported as "page N: " and its reason. */
DbStatus btree_check(Btree *tree, uint8_t *seen,
                     DbStatus (*check_value)(uint32_t key,
                                             const uint8_t *value,
                                             uint16_t size));

#endif
