/*
 * btree.c - B+tree over slotted pages: search, insert with splits by
 * bytes, delete with merging or sharing between siblings, ordered
 * cursors, and a checker for every invariant.
 *
 * Owns: which cells go in which node, the tree's shape, and the root page
 * number in the file header.
 * Does not: place cells inside a page (page.c does), read or write the
 * file (the pager does), or know what a value means (the table does).
 *
 * Nodes have no parent pointers. Every operation walks down from the root
 * and remembers the way it came in a Path; a split or a merge then walks
 * that path back up. Nothing has to be rewritten in the children when a
 * node moves, which is what parent pointers would cost.
 *
 * A node is used between get_node, which pins its page in the buffer
 * pool, and release_node. The Path holds page numbers, not pointers, so
 * nothing stays pinned between one level and the next; only the leaf a
 * walk ends at stays pinned for the caller, and a cursor keeps its leaf
 * pinned from one value to the next.
 *
 * Cells differ in size, so every decision is made in bytes: a leaf
 * splits when a cell does not fit even after compaction, the split gives
 * each half about the same number of bytes, and a node below the root is
 * under-full when it uses less than NODE_MIN_FILL bytes.
 */
#include "btree.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

/* Page 0, the file header (the tree's part, after the pager's)
 *   offset  size  field
 *       40     4  page number of the root node
 *       44     4  the pager's again: the number of pages
 *       48  4048  unused, zero
 */
#define HEADER_ROOT_OFFSET PAGER_HEADER_SIZE

struct Btree {
    Pager *pager;
};

/* The way down from the root to a leaf: the page at each level and the
 * child (internal) or cell (leaf) chosen there. */
typedef struct Path {
    uint32_t depth;
    uint32_t pages[BTREE_MAX_DEPTH];
    uint32_t index[BTREE_MAX_DEPTH];
} Path;

/* An internal node unpacked into arrays, with room for two nodes' keys
 * and the parent's key between them, so that an insert can overflow it
 * before it splits and two siblings can be pooled before they are shared
 * out again. children[n_keys] is the right child. */
typedef struct Internal {
    uint32_t n_keys;
    uint32_t keys[2 * INTERNAL_NODE_MAX_KEYS + 1];
    uint32_t children[2 * INTERNAL_NODE_MAX_KEYS + 2];
} Internal;

/* Leaf cells copied out of their pages, in key order, so that they can
 * be dealt out again into one or two pages. */
typedef struct CellList {
    uint32_t n_cells;
    uint32_t n_bytes;  /* of data[] in use */
    uint16_t offset[2 * PAGE_CAPACITY / LEAF_CELL_HEADER_SIZE + 1];
    uint16_t size[2 * PAGE_CAPACITY / LEAF_CELL_HEADER_SIZE + 1];
    uint8_t data[2 * PAGE_SIZE + LEAF_CELL_MAX_SIZE];
} CellList;

/* --- nodes ------------------------------------------------------------ */

static uint32_t node_link(const uint8_t *node)
{
    return get_u32(node + PAGE_LINK_OFFSET);
}

static void set_link(uint8_t *node, uint32_t page_num)
{
    put_u32(node + PAGE_LINK_OFFSET, page_num);
}

/* Child I of an internal node: the child of cell I, or past the last
 * cell, the right child. */
static uint32_t internal_child(uint8_t *node, uint16_t i)
{
    return i < page_n_cells(node) ? get_u32(page_cell(node, i) + 4)
                                  : node_link(node);
}

static void internal_load(uint8_t *node, Internal *in)
{
    in->n_keys = page_n_cells(node);
    for (uint32_t i = 0; i < in->n_keys; i++) {
        const uint8_t *cell = page_cell(node, (uint16_t)i);
        in->keys[i] = get_u32(cell);
        in->children[i] = get_u32(cell + 4);
    }
    in->children[in->n_keys] = node_link(node);
}

/* Writes IN (at most INTERNAL_NODE_MAX_KEYS keys) into NODE, keeping the
 * node's is-root byte. */
static void internal_store(uint8_t *node, const Internal *in)
{
    page_init(node, PAGE_INTERNAL, node[PAGE_IS_ROOT_OFFSET]);
    for (uint32_t i = 0; i < in->n_keys; i++) {
        uint8_t cell[INTERNAL_CELL_SIZE];
        put_u32(cell, in->keys[i]);
        put_u32(cell + 4, in->children[i]);
        page_insert(node, (uint16_t)i, cell, INTERNAL_CELL_SIZE);
    }
    set_link(node, in->children[in->n_keys]);
}

/* Appends cell I of NODE to LIST. */
static void list_add(CellList *list, uint8_t *node, uint16_t i)
{
    uint16_t size = page_cell_size(node, i);
    memcpy(list->data + list->n_bytes, page_cell(node, i), size);
    list->offset[list->n_cells] = (uint16_t)list->n_bytes;
    list->size[list->n_cells++] = size;
    list->n_bytes += size;
}

static void list_add_node(CellList *list, uint8_t *node)
{
    for (uint16_t i = 0; i < page_n_cells(node); i++)
        list_add(list, node, i);
}

static uint32_t list_key(const CellList *list, uint32_t i)
{
    return get_u32(list->data + list->offset[i]);
}

/* Rewrites leaf NODE to hold cells FROM .. TO - 1 of LIST, keeping its
 * is-root byte and NEXT as its next leaf. */
static void leaf_fill(uint8_t *node, const CellList *list, uint32_t from,
                      uint32_t to, uint32_t next)
{
    page_init(node, PAGE_LEAF, node[PAGE_IS_ROOT_OFFSET]);
    for (uint32_t i = from; i < to; i++)
        page_insert(node, (uint16_t)(i - from), list->data + list->offset[i],
                    list->size[i]);
    set_link(node, next);
}

/* book: begin split-point */
/* How many cells of LIST go to the left node so that the two nodes take
 * as equal a number of bytes as whole cells allow (at least one each). */
static uint32_t split_point(const CellList *list)
{
    uint32_t total = 0;
    for (uint32_t i = 0; i < list->n_cells; i++)
        total += list->size[i] + PAGE_SLOT_SIZE;
    uint32_t best = 1, best_gap = UINT32_MAX, left = 0;
    for (uint32_t k = 1; k < list->n_cells; k++) {
        left += list->size[k - 1] + PAGE_SLOT_SIZE;
        uint32_t gap = 2 * left > total ? 2 * left - total
                                        : total - 2 * left;
        if (gap < best_gap) {
            best = k;
            best_gap = gap;
        }
    }
    return best;
}
/* book: end split-point */

/* Pins page PAGE_NUM. The first time the page is used after it was
 * read from the file, checks that it is a slotted page whose cells all
 * lie inside it, so that no later read can leave the page; then marks
 * it checked. A checked page is trusted: only the tree changes it, and
 * every change keeps what the check checks. On success the caller must
 * release_node it; on failure nothing is pinned. */
static DbStatus get_node(Btree *tree, uint32_t page_num, uint8_t **node)
{
    if (page_num == 0)
        return db_fail(DB_ECORRUPT, "a tree pointer points to the header "
                       "page");
    DbStatus rc = pager_get_page(tree->pager, page_num, node);
    if (rc != DB_OK)
        return rc;
    if (pager_is_checked(tree->pager, page_num)) {
        assert(page_type(*node) == PAGE_LEAF ||
               page_type(*node) == PAGE_INTERNAL);
        return DB_OK;
    }
    rc = page_validate(*node, page_num);
    if (rc == DB_OK && page_type(*node) == PAGE_INTERNAL &&
        page_n_cells(*node) > INTERNAL_NODE_MAX_KEYS)
        rc = db_fail(DB_ECORRUPT, "page %u has %u keys, more than an "
                     "internal node holds", page_num, page_n_cells(*node));
    if (rc == DB_OK)
        pager_mark_checked(tree->pager, page_num);
    else
        pager_release(tree->pager, page_num);
    return rc;
}

static void release_node(Btree *tree, uint32_t page_num)
{
    pager_release(tree->pager, page_num);
}

/* get_node for a page the running transaction is about to change: the
 * pager must know before the first byte changes. */
static DbStatus get_node_to_change(Btree *tree, uint32_t page_num,
                                   uint8_t **node)
{
    DbStatus rc = get_node(tree, page_num, node);
    if (rc == DB_OK && (rc = pager_write(tree->pager, page_num)) != DB_OK)
        release_node(tree, page_num);
    return rc;
}

static DbStatus set_root(Btree *tree, uint32_t page_num)
{
    uint8_t *header, *node;
    DbStatus rc = pager_write(tree->pager, 0);
    if (rc == DB_OK)
        rc = get_node_to_change(tree, page_num, &node);
    if (rc != DB_OK)
        return rc;
    rc = pager_get_page(tree->pager, 0, &header);
    if (rc == DB_OK) {
        node[PAGE_IS_ROOT_OFFSET] = 1;
        put_u32(header + HEADER_ROOT_OFFSET, page_num);
        pager_release(tree->pager, 0);
    }
    release_node(tree, page_num);
    return rc;
}

/* The root page, as the file header records it. It is read from the
 * header every time, never kept: a rolled-back transaction that split or
 * collapsed the root puts the header's old root back. */
static DbStatus read_root(Btree *tree, uint32_t *root)
{
    uint8_t *header;
    DbStatus rc = pager_get_page(tree->pager, 0, &header);
    if (rc != DB_OK)
        return rc;
    *root = get_u32(header + HEADER_ROOT_OFFSET);
    pager_release(tree->pager, 0);
    return DB_OK;
}

/* --- search ----------------------------------------------------------- */

/* Walks from the root to the leaf where KEY is or would be, recording
 * the way in PATH, and points *LEAF at the leaf, which stays pinned for
 * the caller to release. */
static DbStatus descend(Btree *tree, uint32_t key, Path *path,
                        uint8_t **leaf)
{
    uint32_t page_num;
    DbStatus rc = read_root(tree, &page_num);
    if (rc != DB_OK)
        return rc;
    for (path->depth = 0; path->depth < BTREE_MAX_DEPTH; path->depth++) {
        uint8_t *node;
        rc = get_node(tree, page_num, &node);
        if (rc != DB_OK)
            return rc;
        path->pages[path->depth] = page_num;
        if (page_type(node) == PAGE_LEAF) {
            path->index[path->depth++] = page_find(node, key);
            *leaf = node;
            return DB_OK;
        }
        /* The first cell whose key is >= KEY leads to KEY's subtree. */
        uint16_t child = page_find(node, key);
        path->index[path->depth] = child;
        uint32_t next = internal_child(node, child);
        release_node(tree, page_num);
        page_num = next;
    }
    return db_fail(DB_ECORRUPT, "the tree is deeper than %d levels",
                   BTREE_MAX_DEPTH);
}

/* Finds KEY's leaf and cell, and leaves the leaf pinned (the caller
 * releases it); DB_ENOTFOUND if the key is not there, and then nothing
 * is pinned. */
static DbStatus find_cell(Btree *tree, uint32_t key, Path *path,
                          uint8_t **leaf, uint16_t *at)
{
    DbStatus rc = descend(tree, key, path, leaf);
    if (rc != DB_OK)
        return rc;
    uint32_t leaf_page = path->pages[path->depth - 1];
    *at = (uint16_t)path->index[path->depth - 1];
    if (*at >= page_n_cells(*leaf) || page_key(*leaf, *at) != key) {
        release_node(tree, leaf_page);
        return db_fail(DB_ENOTFOUND, "Key not found.");
    }
    return DB_OK;
}

DbStatus btree_find(Btree *tree, uint32_t key, uint8_t *value,
                    uint16_t *size)
{
    Path path;
    uint8_t *leaf;
    uint16_t at;
    DbStatus rc = find_cell(tree, key, &path, &leaf, &at);
    if (rc != DB_OK)
        return rc;
    const uint8_t *cell = page_cell(leaf, at);
    *size = get_u16(cell + 4);
    if (*size > BTREE_MAX_VALUE_SIZE)
        rc = db_fail(DB_ECORRUPT, "the value of key %u is %u bytes, more "
                     "than a value can be", key, *size);
    else
        memcpy(value, cell + LEAF_CELL_HEADER_SIZE, *size);
    release_node(tree, path.pages[path.depth - 1]);
    return rc;
}

/* --- insert ----------------------------------------------------------- */

/* The node at LEVEL of PATH has split: its upper half moved to the new
 * page RIGHT, and SEPARATOR is the largest key left behind. Links RIGHT
 * into the parent, splitting the parent in turn when it overflows. */
/* book: begin insert-into-parent */
static DbStatus insert_into_parent(Btree *tree, const Path *path,
                                   uint32_t level, uint32_t separator,
                                   uint32_t right)
{
    uint32_t left = path->pages[level];
    uint8_t *node;
    DbStatus rc;

    if (level == 0) {
        /* The root split: a new root gets the two halves as children. */
        uint32_t root;
        rc = pager_allocate_page(tree->pager, &root);
        if (rc == DB_OK)
            rc = pager_get_page(tree->pager, root, &node);
        if (rc != DB_OK)
            return rc;
        Internal in = {.n_keys = 1, .keys = {separator},
                       .children = {left, right}};
        internal_store(node, &in);
        pager_release(tree->pager, root);
        rc = get_node_to_change(tree, left, &node);
        if (rc != DB_OK)
            return rc;
        node[PAGE_IS_ROOT_OFFSET] = 0;
        release_node(tree, left);
        return set_root(tree, root);
    }

    uint32_t parent = path->pages[level - 1];
    uint32_t at = path->index[level - 1]; /* where LEFT hangs */
    rc = get_node_to_change(tree, parent, &node);
    if (rc != DB_OK)
        return rc;
    Internal in;
    internal_load(node, &in);
    /* LEFT keeps its place with SEPARATOR as its key; RIGHT takes LEFT's
     * old key, just after it. */
    memmove(&in.keys[at + 1], &in.keys[at],
            (in.n_keys - at) * sizeof in.keys[0]);
    memmove(&in.children[at + 2], &in.children[at + 1],
            (in.n_keys - at) * sizeof in.children[0]);
    in.keys[at] = separator;
    in.children[at + 1] = right;
    in.n_keys++;
    if (in.n_keys <= INTERNAL_NODE_MAX_KEYS) {
        internal_store(node, &in);
        release_node(tree, parent);
        return DB_OK;
    }

    /* The parent overflowed: keep the lower keys, push the middle key up,
     * move the upper keys to a new node. */
    uint32_t n_left = in.n_keys / 2;
    uint32_t sibling;
    uint8_t *sibling_node;
    rc = pager_allocate_page(tree->pager, &sibling);
    if (rc == DB_OK)
        rc = pager_get_page(tree->pager, sibling, &sibling_node);
    if (rc != DB_OK) {
        release_node(tree, parent);
        return rc;
    }
    Internal upper = {.n_keys = in.n_keys - n_left - 1};
    memcpy(upper.keys, &in.keys[n_left + 1],
           upper.n_keys * sizeof in.keys[0]);
    memcpy(upper.children, &in.children[n_left + 1],
           (upper.n_keys + 1) * sizeof in.children[0]);
    uint32_t middle = in.keys[n_left];
    in.n_keys = n_left;
    internal_store(node, &in);
    internal_store(sibling_node, &upper);
    release_node(tree, parent);
    pager_release(tree->pager, sibling);
    return insert_into_parent(tree, path, level - 1, middle, sibling);
}
/* book: end insert-into-parent */

/* Inserts CELL into the leaf at the end of PATH, which cannot hold it
 * even compacted, by splitting the leaf: its cells and the new one are
 * shared out by bytes between it and a new leaf that follows it. */
/* book: begin leaf-split */
static DbStatus leaf_split_and_insert(Btree *tree, const Path *path,
                                      const uint8_t *cell, uint16_t size)
{
    uint32_t level = path->depth - 1;
    uint16_t at = (uint16_t)path->index[level];
    uint8_t *left, *right;
    uint32_t right_page;
    DbStatus rc = pager_allocate_page(tree->pager, &right_page);
    if (rc == DB_OK)
        rc = get_node_to_change(tree, path->pages[level], &left);
    if (rc != DB_OK)
        return rc;
    rc = pager_get_page(tree->pager, right_page, &right);
    if (rc != DB_OK) {
        release_node(tree, path->pages[level]);
        return rc;
    }

    /* Line up all cells, the new one in its place, then deal them out. */
    CellList list = {0};
    list_add_node(&list, left);
    memmove(&list.offset[at + 1], &list.offset[at],
            (list.n_cells - at) * sizeof list.offset[0]);
    memmove(&list.size[at + 1], &list.size[at],
            (list.n_cells - at) * sizeof list.size[0]);
    memcpy(list.data + list.n_bytes, cell, size);
    list.offset[at] = (uint16_t)list.n_bytes;
    list.size[at] = size;
    list.n_cells++;
    list.n_bytes += size;

    uint32_t n_left = split_point(&list);
    leaf_fill(right, &list, n_left, list.n_cells, node_link(left));
    leaf_fill(left, &list, 0, n_left, right_page);
    release_node(tree, path->pages[level]);
    pager_release(tree->pager, right_page);
    return insert_into_parent(tree, path, level, list_key(&list, n_left - 1),
                              right_page);
}
/* book: end leaf-split */

static uint16_t make_cell(uint8_t *cell, uint32_t key, const uint8_t *value,
                          uint16_t size)
{
    put_u32(cell, key);
    put_u16(cell + 4, size);
    memcpy(cell + LEAF_CELL_HEADER_SIZE, value, size);
    return (uint16_t)(LEAF_CELL_HEADER_SIZE + size);
}

DbStatus btree_insert(Btree *tree, uint32_t key, const uint8_t *value,
                      uint16_t size)
{
    Path path;
    uint8_t *leaf;
    DbStatus rc = descend(tree, key, &path, &leaf);
    if (rc != DB_OK)
        return rc;

    uint32_t leaf_page = path.pages[path.depth - 1];
    uint16_t at = (uint16_t)path.index[path.depth - 1];
    uint8_t cell[LEAF_CELL_MAX_SIZE];
    uint16_t cell_size = make_cell(cell, key, value, size);
    /* Exactly when page_insert takes the cell. */
    bool fits = cell_size + PAGE_SLOT_SIZE <= page_free(leaf);
    if (at < page_n_cells(leaf) && page_key(leaf, at) == key)
        rc = db_fail(DB_EDUPKEY, "Duplicate key.");
    if (rc == DB_OK)
        rc = pager_write(tree->pager, leaf_page);
    if (rc == DB_OK && fits)
        page_insert(leaf, at, cell, cell_size);
    release_node(tree, leaf_page);
    if (rc != DB_OK || fits)
        return rc;
    return leaf_split_and_insert(tree, &path, cell, cell_size);
}

/* --- delete ----------------------------------------------------------- */

/* Removes key I and child I + 1 from IN: after a merge, the two children
 * around key I have become one, child I. */
static void internal_remove(Internal *in, uint32_t i)
{
    memmove(&in->keys[i], &in->keys[i + 1],
            (in->n_keys - i - 1) * sizeof in->keys[0]);
    memmove(&in->children[i + 1], &in->children[i + 2],
            (in->n_keys - i - 1) * sizeof in->children[0]);
    in->n_keys--;
}

/* Refills the under-full leaf at child AT of parent IN together with a
 * sibling (the left one if there is one): if their cells fit in one page
 * they merge into the left of the two, else the cells of both are shared
 * out evenly by bytes. Returns in *merged whether the parent lost a key. */
/* book: begin rebalance-leaf */
static DbStatus rebalance_leaf(Btree *tree, Internal *in, uint32_t at,
                               bool *merged)
{
    uint32_t sep = at > 0 ? at - 1 : at; /* key between the two leaves */
    uint32_t lower_page = in->children[sep], upper_page = in->children[sep + 1];
    uint8_t *lower, *upper;
    DbStatus rc = get_node_to_change(tree, lower_page, &lower);
    if (rc != DB_OK)
        return rc;
    rc = get_node_to_change(tree, upper_page, &upper);
    if (rc != DB_OK) {
        release_node(tree, lower_page);
        return rc;
    }
    if (page_type(lower) != PAGE_LEAF || page_type(upper) != PAGE_LEAF) {
        release_node(tree, lower_page);
        release_node(tree, upper_page);
        return db_fail(DB_ECORRUPT, "a leaf's sibling is not a leaf");
    }

    CellList list = {0};
    list_add_node(&list, lower);
    list_add_node(&list, upper);
    *merged = page_used(lower) + page_used(upper) <= PAGE_CAPACITY;
    if (*merged) {
        /* One page holds both: the upper leaf's page is freed. */
        leaf_fill(lower, &list, 0, list.n_cells, node_link(upper));
        rc = pager_free_page(tree->pager, upper_page);
        internal_remove(in, sep);
    } else {
        uint32_t n_lower = split_point(&list);
        leaf_fill(upper, &list, n_lower, list.n_cells, node_link(upper));
        leaf_fill(lower, &list, 0, n_lower, node_link(lower));
        in->keys[sep] = list_key(&list, n_lower - 1);
    }
    release_node(tree, lower_page);
    release_node(tree, upper_page);
    return rc;
}
/* book: end rebalance-leaf */

/* The same for an under-full internal node: the two siblings' keys, with
 * the parent's key between them, either fit in one node (merge) or are
 * shared out evenly, the middle key going back up to the parent. */
static DbStatus rebalance_internal(Btree *tree, Internal *in, uint32_t at,
                                   bool *merged)
{
    uint32_t sep = at > 0 ? at - 1 : at;
    uint32_t lower_page = in->children[sep], upper_page = in->children[sep + 1];
    uint8_t *lower_node, *upper_node;
    DbStatus rc = get_node_to_change(tree, lower_page, &lower_node);
    if (rc != DB_OK)
        return rc;
    rc = get_node_to_change(tree, upper_page, &upper_node);
    if (rc != DB_OK) {
        release_node(tree, lower_page);
        return rc;
    }
    if (page_type(lower_node) != PAGE_INTERNAL ||
        page_type(upper_node) != PAGE_INTERNAL) {
        release_node(tree, lower_page);
        release_node(tree, upper_page);
        return db_fail(DB_ECORRUPT, "an internal node's sibling is a leaf");
    }

    Internal all, upper;
    internal_load(lower_node, &all);
    internal_load(upper_node, &upper);
    all.keys[all.n_keys] = in->keys[sep];
    memcpy(&all.keys[all.n_keys + 1], upper.keys,
           upper.n_keys * sizeof upper.keys[0]);
    memcpy(&all.children[all.n_keys + 1], upper.children,
           (upper.n_keys + 1) * sizeof upper.children[0]);
    all.n_keys += upper.n_keys + 1;

    *merged = all.n_keys <= INTERNAL_NODE_MAX_KEYS;
    if (*merged) {
        internal_store(lower_node, &all);
        rc = pager_free_page(tree->pager, upper_page);
        internal_remove(in, sep);
    } else {
        uint32_t n_lower = all.n_keys / 2;
        upper.n_keys = all.n_keys - n_lower - 1;
        memcpy(upper.keys, &all.keys[n_lower + 1],
               upper.n_keys * sizeof upper.keys[0]);
        memcpy(upper.children, &all.children[n_lower + 1],
               (upper.n_keys + 1) * sizeof upper.children[0]);
        in->keys[sep] = all.keys[n_lower];
        all.n_keys = n_lower;
        internal_store(lower_node, &all);
        internal_store(upper_node, &upper);
    }
    release_node(tree, lower_page);
    release_node(tree, upper_page);
    return rc;
}

/* After a delete or a shrinking update, restores the minimum fill of the
 * node at LEVEL of PATH, walking up while merges empty out the parents. */
static DbStatus rebalance(Btree *tree, const Path *path, uint32_t level)
{
    for (;; level--) {
        uint8_t *node, *parent_node;
        uint32_t page_num = path->pages[level];
        DbStatus rc = get_node(tree, page_num, &node);
        if (rc != DB_OK)
            return rc;
        bool is_leaf = page_type(node) == PAGE_LEAF;
        bool empty = page_n_cells(node) == 0;
        bool full_enough = page_used(node) >= NODE_MIN_FILL;
        uint32_t only_child = node_link(node);
        release_node(tree, page_num);

        if (level == 0) {
            /* A root with one child is no longer needed: the child
             * becomes the root and the tree loses a level. */
            if (!is_leaf && empty) {
                rc = set_root(tree, only_child);
                if (rc == DB_OK)
                    rc = pager_free_page(tree->pager, page_num);
            }
            return rc;
        }
        if (full_enough)
            return DB_OK;

        uint32_t parent = path->pages[level - 1];
        rc = get_node_to_change(tree, parent, &parent_node);
        if (rc != DB_OK)
            return rc;
        Internal in;
        internal_load(parent_node, &in);
        bool merged = false;
        uint32_t at = path->index[level - 1];
        if (in.n_keys == 0)
            rc = db_fail(DB_ECORRUPT, "page %u: an internal node below the "
                         "root has no keys", parent);
        else if (is_leaf)
            rc = rebalance_leaf(tree, &in, at, &merged);
        else
            rc = rebalance_internal(tree, &in, at, &merged);
        if (rc == DB_OK)
            internal_store(parent_node, &in);
        release_node(tree, parent);
        if (rc != DB_OK || !merged)
            return rc;
    }
}

DbStatus btree_delete(Btree *tree, uint32_t key)
{
    Path path;
    uint8_t *leaf;
    uint16_t at;
    DbStatus rc = find_cell(tree, key, &path, &leaf, &at);
    if (rc != DB_OK)
        return rc;
    uint32_t leaf_page = path.pages[path.depth - 1];
    rc = pager_write(tree->pager, leaf_page);
    if (rc == DB_OK)
        page_remove(leaf, at);
    release_node(tree, leaf_page);
    return rc == DB_OK ? rebalance(tree, &path, path.depth - 1) : rc;
}

/* book: begin update */
DbStatus btree_update(Btree *tree, uint32_t key, const uint8_t *value,
                      uint16_t size)
{
    Path path;
    uint8_t *leaf;
    uint16_t at;
    DbStatus rc = find_cell(tree, key, &path, &leaf, &at);
    if (rc != DB_OK)
        return rc;
    uint32_t leaf_page = path.pages[path.depth - 1];
    rc = pager_write(tree->pager, leaf_page);
    if (rc != DB_OK) {
        release_node(tree, leaf_page);
        return rc;
    }
    uint8_t *cell = page_cell(leaf, at);
    uint16_t old_size = get_u16(cell + 4);
    if (size <= old_size) {
        /* In place: the bytes the value no longer needs become a hole. */
        memcpy(cell + LEAF_CELL_HEADER_SIZE, value, size);
        put_u16(cell + 4, size);
        put_u16(leaf + PAGE_FRAGMENTED_OFFSET,
                (uint16_t)(page_fragmented(leaf) + old_size - size));
        release_node(tree, leaf_page);
        return rebalance(tree, &path, path.depth - 1);
    }
    /* Larger: out with the old cell, in with the new, as an insert would,
     * compacting or splitting the leaf if it must. */
    page_remove(leaf, at);
    uint8_t new_cell[LEAF_CELL_MAX_SIZE];
    uint16_t cell_size = make_cell(new_cell, key, value, size);
    bool fits = page_insert(leaf, at, new_cell, cell_size);
    release_node(tree, leaf_page);
    if (fits)
        return DB_OK;
    return leaf_split_and_insert(tree, &path, new_cell, cell_size);
}
/* book: end update */

/* --- cursors ---------------------------------------------------------- */

/* Moves a cursor that is past the last cell of its leaf on to the next
 * leaf, skipping empty leaves (only an empty root can be one), and ends
 * the walk after the last leaf. Each leaf is released before the next
 * one is pinned; at the end, or on failure, nothing is. */
static DbStatus settle(BtreeCursor *cursor)
{
    Btree *tree = cursor->tree;
    while (cursor->cell_num >= page_n_cells(cursor->leaf)) {
        uint32_t next = node_link(cursor->leaf);
        release_node(tree, cursor->page_num);
        cursor->leaf = NULL;
        if (next == 0) {
            cursor->end_of_tree = true;
            return DB_OK;
        }
        if (++cursor->leaves_seen >= pager_page_count(tree->pager))
            return db_fail(DB_ECORRUPT, "the leaf chain loops");
        uint8_t *leaf;
        DbStatus rc = get_node(tree, next, &leaf);
        if (rc != DB_OK)
            return rc;
        if (page_type(leaf) != PAGE_LEAF) {
            release_node(tree, next);
            return db_fail(DB_ECORRUPT, "the leaf chain reaches page %u, "
                           "which is not a leaf", next);
        }
        cursor->page_num = next;
        cursor->leaf = leaf;
        cursor->cell_num = 0;
    }
    return DB_OK;
}

DbStatus btree_first(Btree *tree, BtreeCursor *cursor)
{
    *cursor = (BtreeCursor){.tree = tree};
    uint32_t page_num;
    DbStatus rc = read_root(tree, &page_num);
    if (rc != DB_OK)
        return rc;
    for (int depth = 0; depth < BTREE_MAX_DEPTH; depth++) {
        uint8_t *node;
        rc = get_node(tree, page_num, &node);
        if (rc != DB_OK)
            return rc;
        if (page_type(node) == PAGE_LEAF) {
            cursor->page_num = page_num;
            cursor->leaf = node;
            return settle(cursor);
        }
        uint32_t first_child = internal_child(node, 0);
        release_node(tree, page_num);
        page_num = first_child;
    }
    return db_fail(DB_ECORRUPT, "the tree is deeper than %d levels",
                   BTREE_MAX_DEPTH);
}

DbStatus btree_cursor_read(BtreeCursor *cursor, uint32_t *key,
                           const uint8_t **value, uint16_t *size)
{
    const uint8_t *cell = page_cell(cursor->leaf,
                                    (uint16_t)cursor->cell_num);
    *key = get_u32(cell);
    *size = get_u16(cell + 4);
    *value = cell + LEAF_CELL_HEADER_SIZE;
    return DB_OK;
}

DbStatus btree_cursor_next(BtreeCursor *cursor)
{
    cursor->cell_num++;
    return settle(cursor);
}

void btree_cursor_close(BtreeCursor *cursor)
{
    if (cursor->leaf != NULL)
        release_node(cursor->tree, cursor->page_num);
    cursor->leaf = NULL;
}

/* --- printing --------------------------------------------------------- */

static DbStatus print_node(Btree *tree, uint32_t page_num, int indent,
                           int depth, FILE *out)
{
    if (depth >= BTREE_MAX_DEPTH)
        return db_fail(DB_ECORRUPT, "the tree is deeper than %d levels",
                       BTREE_MAX_DEPTH);
    uint8_t *node;
    DbStatus rc = get_node(tree, page_num, &node);
    if (rc != DB_OK)
        return rc;
    uint16_t n = page_n_cells(node);
    if (page_type(node) == PAGE_LEAF) {
        fprintf(out, "%*s- leaf (size %u)\n", indent, "", n);
        for (uint16_t i = 0; i < n; i++)
            fprintf(out, "%*s- %u\n", indent + 2, "", page_key(node, i));
        release_node(tree, page_num);
        return DB_OK;
    }
    /* A copy of the keys and children, so that the page need not stay
     * pinned while the subtrees are printed. */
    Internal in;
    internal_load(node, &in);
    release_node(tree, page_num);
    fprintf(out, "%*s- internal (size %u)\n", indent, "", n);
    for (uint32_t i = 0; i <= in.n_keys && rc == DB_OK; i++) {
        rc = print_node(tree, in.children[i], indent + 2, depth + 1, out);
        if (i < in.n_keys)
            fprintf(out, "%*s- key %u\n", indent + 2, "", in.keys[i]);
    }
    return rc;
}

DbStatus btree_print(Btree *tree, FILE *out)
{
    uint32_t root;
    DbStatus rc = read_root(tree, &root);
    if (rc != DB_OK)
        return rc;
    fprintf(out, "Tree:\n");
    return print_node(tree, root, 0, 0, out);
}

/* --- checking --------------------------------------------------------- */

typedef struct Check {
    Btree *tree;
    uint32_t root;
    uint8_t *seen;         /* pages met so far */
    DbStatus (*check_value)(uint32_t key, const uint8_t *value,
                            uint16_t size);
    int leaf_depth;        /* depth of the first leaf; -1 before it */
    uint32_t n_leaves;
    uint32_t *leaves;      /* leaves in key order, as the walk finds them */
    uint32_t leaves_cap;
} Check;

/* Checks node PAGE_NUM (pinned, at NODE) on its own: its place in the
 * tree, its fill, its keys against the bounds (LO, HI] its parent gives,
 * and a leaf's values. */
static DbStatus check_one(Check *c, uint32_t page_num, uint8_t *node,
                          int64_t lo, int64_t hi, int depth)
{
    DbStatus rc = page_check(node, page_num);
    if (rc != DB_OK)
        return rc;
    if (c->seen[page_num])
        return db_fail(DB_ECORRUPT, "page %u is reached twice in the tree",
                       page_num);
    c->seen[page_num] = 1;
    bool is_root = page_num == c->root;
    if (node[PAGE_IS_ROOT_OFFSET] != is_root)
        return db_fail(DB_ECORRUPT, "page %u: is-root is %u, expected %u",
                       page_num, node[PAGE_IS_ROOT_OFFSET], is_root);

    uint16_t n = page_n_cells(node);
    bool is_leaf = page_type(node) == PAGE_LEAF;
    if (is_root && !is_leaf && n == 0)
        return db_fail(DB_ECORRUPT, "page %u: an internal root with no "
                       "keys", page_num);
    if (!is_root && page_used(node) < NODE_MIN_FILL)
        return db_fail(DB_ECORRUPT, "page %u: uses %u bytes, fewer than "
                       "the %u a node needs", page_num, page_used(node),
                       NODE_MIN_FILL);
    if (n > 0 && (page_key(node, 0) <= lo || page_key(node, n - 1) > hi))
        return db_fail(DB_ECORRUPT, "page %u: its keys leave the bounds its "
                       "parent gives", page_num);
    if (!is_leaf)
        return DB_OK;

    if (c->leaf_depth < 0)
        c->leaf_depth = depth;
    if (depth != c->leaf_depth)
        return db_fail(DB_ECORRUPT, "leaf %u is at depth %d, another at %d",
                       page_num, depth, c->leaf_depth);
    for (uint16_t i = 0; i < n; i++) {
        const uint8_t *cell = page_cell(node, i);
        rc = c->check_value(get_u32(cell), cell + LEAF_CELL_HEADER_SIZE,
                            get_u16(cell + 4));
        if (rc != DB_OK)
            return db_fail(rc, "page %u: %s", page_num, db_errmsg());
    }
    if (c->n_leaves == c->leaves_cap) {
        c->leaves_cap = c->leaves_cap ? 2 * c->leaves_cap : 64;
        uint32_t *grown = realloc(c->leaves, c->leaves_cap * sizeof *grown);
        if (grown == NULL)
            return db_fail(DB_ENOMEM, "out of memory");
        c->leaves = grown;
    }
    c->leaves[c->n_leaves++] = page_num;
    return DB_OK;
}

/* Checks the subtree at PAGE_NUM, whose keys must lie in (LO, HI]. */
static DbStatus check_node(Check *c, uint32_t page_num, int64_t lo,
                           int64_t hi, int depth)
{
    if (depth >= BTREE_MAX_DEPTH)
        return db_fail(DB_ECORRUPT, "the tree is deeper than %d levels",
                       BTREE_MAX_DEPTH);
    uint8_t *node;
    DbStatus rc = get_node(c->tree, page_num, &node);
    if (rc != DB_OK)
        return rc;
    rc = check_one(c, page_num, node, lo, hi, depth);
    bool is_leaf = page_type(node) == PAGE_LEAF;
    Internal in;
    if (!is_leaf)
        internal_load(node, &in);
    release_node(c->tree, page_num);
    if (rc != DB_OK || is_leaf)
        return rc;
    for (uint32_t i = 0; i <= in.n_keys && rc == DB_OK; i++) {
        int64_t child_lo = i == 0 ? lo : in.keys[i - 1];
        int64_t child_hi = i == in.n_keys ? hi : in.keys[i];
        rc = check_node(c, in.children[i], child_lo, child_hi, depth + 1);
    }
    return rc;
}

/* The leaf chain must visit the leaves in the order the tree holds them,
 * and end after the last one. */
static DbStatus check_leaf_chain(Check *c)
{
    for (uint32_t i = 0; i < c->n_leaves; i++) {
        uint8_t *leaf;
        DbStatus rc = get_node(c->tree, c->leaves[i], &leaf);
        if (rc != DB_OK)
            return rc;
        uint32_t expected = i + 1 < c->n_leaves ? c->leaves[i + 1] : 0;
        uint32_t next = node_link(leaf);
        release_node(c->tree, c->leaves[i]);
        if (next != expected)
            return db_fail(DB_ECORRUPT, "leaf %u links to page %u, but the "
                           "next leaf in key order is %u", c->leaves[i],
                           next, expected);
    }
    return DB_OK;
}

DbStatus btree_check(Btree *tree, uint8_t *seen,
                     DbStatus (*check_value)(uint32_t key,
                                             const uint8_t *value,
                                             uint16_t size))
{
    Check c = {.tree = tree, .seen = seen, .check_value = check_value,
               .leaf_depth = -1};
    DbStatus rc = read_root(tree, &c.root);
    if (rc == DB_OK)
        rc = check_node(&c, c.root, -1, UINT32_MAX, 0);
    if (rc == DB_OK)
        rc = check_leaf_chain(&c);
    free(c.leaves);
    return rc;
}

/* --- opening ---------------------------------------------------------- */

DbStatus btree_open(Pager *pager, Btree **out)
{
    *out = NULL;
    uint8_t *header, *node;
    Btree *tree = malloc(sizeof *tree);
    if (tree == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    DbStatus rc = pager_get_page(pager, 0, &header);
    if (rc != DB_OK) {
        free(tree);
        return rc;
    }
    tree->pager = pager;
    uint32_t root = get_u32(header + HEADER_ROOT_OFFSET);
    pager_release(pager, 0);

    if (root == 0 && pager_page_count(pager) == 1) {
        /* A new file: the tree starts as one empty leaf, the root. */
        rc = pager_allocate_page(pager, &root);
        if (rc == DB_OK)
            rc = pager_write(pager, 0);
        if (rc == DB_OK)
            rc = pager_get_page(pager, root, &node);
        if (rc == DB_OK) {
            page_init(node, PAGE_LEAF, true);
            pager_release(pager, root);
            rc = pager_get_page(pager, 0, &header);
        }
        if (rc == DB_OK) {
            put_u32(header + HEADER_ROOT_OFFSET, root);
            pager_release(pager, 0);
        }
    } else if ((rc = get_node(tree, root, &node)) == DB_OK) {
        release_node(tree, root);
    }
    if (rc != DB_OK) {
        free(tree);
        return rc;
    }
    *out = tree;
    return DB_OK;
}

void btree_close(Btree *tree)
{
    free(tree);
}
