/*
 * btree.h - B+trees in one file, each found by a root page that never
 * moves, of two kinds: a table's tree maps 64-bit signed keys (row ids)
 * to payloads of any size (a payload too large for its leaf continues in
 * a chain of overflow pages); an index's tree holds byte strings, ordered
 * by memcmp, and nothing else.
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

/* The longest key an index tree takes (PAGE_MAX_INDEX_KEY): short enough
 * that a node split or shared by bytes keeps both halves filled (see
 * btree.c). A longer key is refused (DB_ETOOLONG) by whoever encodes it,
 * before it reaches the tree. */
#define BTREE_MAX_KEY PAGE_MAX_INDEX_KEY

/* Deeper than this, no tree of 2^32 pages can be: a longer path means a
 * cycle in a damaged file. */
#define BTREE_MAX_DEPTH 48

typedef struct Btree Btree;

/* A position in a tree's key order. While it stands on a key it keeps
 * that key's leaf pinned; btree_cursor_close releases it. In an index
 * tree KEY is 0: btree_index_key gives the bytes. */
typedef struct BtreeCursor {
    Btree *tree;
    uint32_t page_num;     /* the leaf, pinned; 0 when none is */
    uint8_t *leaf;
    uint16_t cell_num;     /* the cell in that leaf */
    uint32_t leaves_seen;  /* to stop in a leaf chain that loops */
    bool end_of_tree;      /* true once past the last key (or, going
                            * back, the first) */
    int64_t key;           /* the key under the cursor (table trees) */
    uint32_t size;         /* ... the size of its payload */
    const uint8_t *local;  /* ... and its first bytes, in the leaf */
    uint8_t *buffer;       /* a payload read through overflow pages */
    size_t buffer_cap;
} BtreeCursor;

/* Makes a new, empty tree (one leaf, its root) in the running
 * transaction and returns its root page. DB_EIO, DB_ENOMEM. */
DbStatus btree_create(Pager *pager, uint32_t *root);

/* Makes a new, empty index tree, as btree_create does a table's. */
DbStatus btree_create_index(Pager *pager, uint32_t *root);

/* Opens the tree whose root is page ROOT, of either kind: the root's page
 * type tells which. DB_ECORRUPT: ROOT is not the root of a tree. On
 * failure *out is NULL. */
DbStatus btree_open(Pager *pager, uint32_t root, Btree **out);

/* Whether TREE is an index's tree (else a table's). */
bool btree_is_index(const Btree *tree);

/* Frees the tree's memory; its pages stay. */
void btree_close(Btree *tree);

/* Frees every page of the tree, its overflow chains and its root, in the
 * running transaction, and closes TREE. */
DbStatus btree_drop(Btree *tree);

/* btree_insert, _replace, _delete, _last_key, _seek and _payload are for
 * table trees; those named btree_index_ for index trees; the rest work
 * on both. */

/* Adds KEY with the SIZE bytes of PAYLOAD. DB_EDUPKEY: KEY is already
 * there, and nothing changed. A key after every key (an append) that finds
 * the last leaf full leaves it full and starts a new last leaf, so keys
 * inserted in order fill their leaves (here and in index trees). */
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

/* Places CURSOR on the largest key of any tree (end_of_tree in an empty
 * tree), for a walk back with btree_prev. */
DbStatus btree_last(Btree *tree, BtreeCursor *cursor);

/* Places CURSOR on the last key < KEY, or sets end_of_tree when there is
 * none, for a walk back with btree_prev. */
DbStatus btree_seek_before(Btree *tree, int64_t key, BtreeCursor *cursor);

/* Places CURSOR on KEY, or on the next larger key if KEY is not there;
 * *found says which. */
DbStatus btree_seek(Btree *tree, int64_t key, BtreeCursor *cursor,
                    bool *found);

/* Moves CURSOR to the next key, or past the end. */
DbStatus btree_next(BtreeCursor *cursor);

/* Moves CURSOR to the key before, or sets end_of_tree before the first
 * key. Within a leaf a step; from a leaf's first key a descent from the
 * root (the leaves are linked forward only), so a walk back costs a
 * descent per leaf. DB_ECORRUPT: the key found does not sort first. */
DbStatus btree_prev(BtreeCursor *cursor);

/* Points *data at the whole payload under CURSOR (in its leaf, or read
 * through its overflow chain into the cursor's buffer), valid until the
 * cursor moves. DB_ECORRUPT: a damaged cell or chain. */
DbStatus btree_payload(BtreeCursor *cursor, const uint8_t **data,
                       size_t *size);

/* Adds KEY (SIZE bytes, at most BTREE_MAX_KEY) to the index tree TREE.
 * DB_EDUPKEY: an equal key is there; DB_ETOOLONG: SIZE is too large.
 * After these nothing changed. */
DbStatus btree_index_insert(Btree *tree, const uint8_t *key, size_t size);

/* Removes KEY from the index tree TREE. DB_ENOTFOUND: no such key, and
 * nothing changed. */
DbStatus btree_index_delete(Btree *tree, const uint8_t *key, size_t size);

/* Places CURSOR on the first key of the index tree TREE that is >= KEY
 * in memcmp order (a key that is a prefix of a longer one sorts first),
 * or end_of_tree if there is none. SIZE 0 seeks to the first key. */
DbStatus btree_index_seek(Btree *tree, const uint8_t *key, size_t size,
                          BtreeCursor *cursor);

/* Places CURSOR on the last key of the index tree TREE that is < KEY
 * (as btree_index_seek orders them; KEY NULL: the last key of all), or
 * end_of_tree if there is none, for a walk back with btree_prev. */
DbStatus btree_index_seek_before(Btree *tree, const uint8_t *key,
                                 size_t size, BtreeCursor *cursor);

/* Points *KEY at the key under CURSOR in an index tree (in its leaf,
 * pinned), valid until the cursor moves. Can't fail; the cursor must
 * stand on a key (not end_of_tree). */
DbStatus btree_index_key(BtreeCursor *cursor, const uint8_t **key,
                         size_t *size);

/* Releases what CURSOR holds. Safe to call twice. */
void btree_cursor_close(BtreeCursor *cursor);

/* An estimate of the tree's rows, from the ways down to its first and
 * its last leaf: every subtree left of the last way is taken to hold as
 * many rows as the first subtree of its level (the children of each
 * node on the first way, times the first leaf's cells): close for a
 * tree filled in key order. Reads twice as many pages as the tree has
 * levels. */
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
 * its overflow chains; passes each key and payload to CHECK, in key
 * order (an index tree: CHECK(ctx, 0, key, size) for each key); marks
 * each page the tree uses in SEEN (one byte per page of the file; a page
 * met twice is an error). DB_ECORRUPT: the first violation, in
 * db_errmsg(); an error CHECK returns is returned, its message prefixed
 * with the page. */
DbStatus btree_check(Btree *tree, uint8_t *seen,
                     DbStatus (*check)(void *ctx, int64_t key,
                                       const uint8_t *payload, size_t size),
                     void *ctx);

#endif
