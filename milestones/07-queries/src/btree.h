/*
 * btree.h - B+trees in one file, each found by a root page that never
 * moves, mapping 64-bit signed keys (row ids) to payloads of any size: a
 * payload too large for its leaf continues in a chain of overflow pages.
 */
#ifndef BTREE_H
#define BTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "page.h"
#include "pager.h"

/* The largest payload a tree takes: more than any value (RECORD_MAX_TEXT)
 * with the rest of its record. */
#define BTREE_MAX_PAYLOAD 1100000000u

/* Deeper than this, no tree of 2^32 pages can be: a longer path means a
 * cycle in a damaged file. */
#define BTREE_MAX_DEPTH 48

typedef struct Btree Btree;

/* A position in a tree's key order. While it stands on a row it keeps
 * that row's leaf pinned; btree_cursor_close releases it. */
typedef struct BtreeCursor {
    Btree *tree;
    uint32_t page_num;     /* the leaf, pinned; 0 when none is */
    uint8_t *leaf;
    uint16_t cell_num;     /* the cell in that leaf */
    uint32_t leaves_seen;  /* to stop in a leaf chain that loops */
    bool end_of_tree;      /* true once past the last key */
    int64_t key;           /* the key under the cursor */
    uint32_t size;         /* ... the size of its payload */
    const uint8_t *local;  /* ... and its first bytes, in the leaf */
    uint8_t *buffer;       /* a payload read through overflow pages */
    size_t buffer_cap;
} BtreeCursor;

/* Makes a new, empty tree (one leaf, its root) in the running
 * transaction and returns its root page. DB_EIO, DB_ENOMEM. */
DbStatus btree_create(Pager *pager, uint32_t *root);

/* Opens the tree whose root is page ROOT. DB_ECORRUPT: ROOT is not the
 * root of a tree. On failure *out is NULL. */
DbStatus btree_open(Pager *pager, uint32_t root, Btree **out);

/* Frees the tree's memory; its pages stay. */
void btree_close(Btree *tree);

/* Frees every page of the tree, its overflow chains and its root, in the
 * running transaction, and closes TREE. */
DbStatus btree_drop(Btree *tree);

/* Adds KEY with the SIZE bytes of PAYLOAD. DB_EDUPKEY: KEY is already
 * there, and nothing changed. */
DbStatus btree_insert(Btree *tree, int64_t key, const uint8_t *payload,
                      size_t size);

/* Replaces the payload of KEY. DB_ENOTFOUND: no such key. */
DbStatus btree_replace(Btree *tree, int64_t key, const uint8_t *payload,
                       size_t size);

/* Removes KEY and its payload. DB_ENOTFOUND: no such key. */
DbStatus btree_delete(Btree *tree, int64_t key);

/* The largest key, for choosing the next row id. *empty: there is none. */
DbStatus btree_last_key(Btree *tree, bool *empty, int64_t *key);

/* Places CURSOR on the smallest key (end_of_tree in an empty tree). */
DbStatus btree_first(Btree *tree, BtreeCursor *cursor);

/* Places CURSOR on KEY, or on the next larger key if KEY is not there;
 * *found says which. */
DbStatus btree_seek(Btree *tree, int64_t key, BtreeCursor *cursor,
                    bool *found);

/* Moves CURSOR to the next key, or past the end. */
DbStatus btree_next(BtreeCursor *cursor);

/* Points *data at the whole payload under CURSOR (in its leaf, or read
 * through its overflow chain into the cursor's buffer), valid until the
 * cursor moves. DB_ECORRUPT: a damaged cell or chain. */
DbStatus btree_payload(BtreeCursor *cursor, const uint8_t **data,
                       size_t *size);

/* Releases what CURSOR holds. Safe to call twice. */
void btree_cursor_close(BtreeCursor *cursor);

/* An estimate of the tree's rows, from the way down to its first leaf:
 * the children of each node on it, times that leaf's cells. Reads as
 * many pages as the tree has levels. */
DbStatus btree_estimate_rows(Btree *tree, double *rows);

/* The number of levels (1: the root is a leaf). */
DbStatus btree_height(Btree *tree, uint32_t *height);

/* Prints the tree as an indented outline, one node per line (\btree). */
DbStatus btree_print(Btree *tree, FILE *out);

/* Marks in SEEN every page of the tree and its overflow chains, without
 * checking them (for \pages). */
DbStatus btree_pages(Btree *tree, uint8_t *seen);

/* One line about page PAGE_NUM of the file, whatever it is: its type,
 * cells and free bytes, or why it is corrupt (\pages). Into LINE of
 * SIZE bytes. DB_EIO. */
DbStatus btree_describe_page(Pager *pager, uint32_t page_num, char *line,
                             size_t size);

/* The header and cells of page PAGE_NUM (\page N). */
DbStatus btree_print_page(Pager *pager, uint32_t page_num, FILE *out);

/* Checks every invariant of the tree's shape, order and pages, and of
 * its overflow chains; passes each key and payload to CHECK; marks each
 * page the tree uses in SEEN (one byte per page of the file; a page met
 * twice is an error). DB_ECORRUPT: the first violation. */
DbStatus btree_check(Btree *tree, uint8_t *seen,
                     DbStatus (*check)(void *ctx, int64_t key,
                                       const uint8_t *payload, size_t size),
                     void *ctx);

#endif
