/*
 * btree.c - B+tree over pages: search, insert with splits, delete with
 * borrow and merge, ordered cursors, and a checker for every invariant.
 *
 * Owns: the node layout inside a page (drawn in btree.h), the tree's
 * shape, and the root page number in the file header.
 * Does not: read or write the file (the pager does), or know what a value
 * means (the table does).
 *
 * Nodes have no parent pointers. Every operation walks down from the root
 * and remembers the way it came in a Path; a split or a merge then walks
 * that path back up. Nothing has to be rewritten in the children when a
 * node moves, which is what parent pointers would cost.
 */
#include "btree.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"

/* Page 0, the file header (the tree's part, after the pager's)
 *   offset  size  field
 *       32     4  page number of the root node
 *       36     4  the pager's again: the number of pages
 *       40  4056  unused, zero
 */
#define HEADER_ROOT_OFFSET PAGER_HEADER_SIZE

struct Btree {
    Pager *pager;
    uint32_t root;
};

/* The way down from the root to a leaf: the page at each level and the
 * child (internal) or cell (leaf) chosen there. */
typedef struct Path {
    uint32_t depth;
    uint32_t pages[BTREE_MAX_DEPTH];
    uint32_t index[BTREE_MAX_DEPTH];
} Path;

/* An internal node unpacked into arrays, one key more than fits, so that
 * an insert can overflow it before it splits. children[n_keys] is the
 * right child. */
typedef struct Internal {
    uint32_t n_keys;
    uint32_t keys[INTERNAL_NODE_MAX_KEYS + 1];
    uint32_t children[INTERNAL_NODE_MAX_KEYS + 2];
} Internal;

/* --- reading and writing node fields --------------------------------- */

static uint8_t node_type(const uint8_t *node)
{
    return node[NODE_TYPE_OFFSET];
}

static uint32_t node_n_cells(const uint8_t *node)
{
    return get_u32(node + NODE_N_CELLS_OFFSET);
}

static void set_n_cells(uint8_t *node, uint32_t n)
{
    put_u32(node + NODE_N_CELLS_OFFSET, n);
}

static uint8_t *leaf_cell(uint8_t *node, uint32_t i)
{
    return node + LEAF_NODE_HEADER_SIZE + i * LEAF_NODE_CELL_SIZE;
}

static uint32_t leaf_key(uint8_t *node, uint32_t i)
{
    return get_u32(leaf_cell(node, i));
}

static uint32_t leaf_next(const uint8_t *node)
{
    return get_u32(node + LEAF_NODE_NEXT_OFFSET);
}

static void init_leaf(uint8_t *node, bool is_root)
{
    memset(node, 0, PAGE_SIZE);
    node[NODE_TYPE_OFFSET] = NODE_LEAF;
    node[NODE_IS_ROOT_OFFSET] = is_root;
}

static void internal_load(const uint8_t *node, Internal *in)
{
    in->n_keys = node_n_cells(node);
    for (uint32_t i = 0; i < in->n_keys; i++) {
        const uint8_t *cell = node + INTERNAL_NODE_HEADER_SIZE +
                              i * INTERNAL_NODE_CELL_SIZE;
        in->children[i] = get_u32(cell);
        in->keys[i] = get_u32(cell + 4);
    }
    in->children[in->n_keys] =
        get_u32(node + INTERNAL_NODE_RIGHT_CHILD_OFFSET);
}

/* Writes IN (at most INTERNAL_NODE_MAX_KEYS keys) into NODE, keeping the
 * node's is-root byte. */
static void internal_store(uint8_t *node, const Internal *in)
{
    uint8_t is_root = node[NODE_IS_ROOT_OFFSET];
    memset(node, 0, PAGE_SIZE);
    node[NODE_TYPE_OFFSET] = NODE_INTERNAL;
    node[NODE_IS_ROOT_OFFSET] = is_root;
    set_n_cells(node, in->n_keys);
    for (uint32_t i = 0; i < in->n_keys; i++) {
        uint8_t *cell = node + INTERNAL_NODE_HEADER_SIZE +
                        i * INTERNAL_NODE_CELL_SIZE;
        put_u32(cell, in->children[i]);
        put_u32(cell + 4, in->keys[i]);
    }
    put_u32(node + INTERNAL_NODE_RIGHT_CHILD_OFFSET,
            in->children[in->n_keys]);
}

/* Fetches page PAGE_NUM and checks that it is a node whose cell count
 * fits in a page, so that no later read can leave the page. */
static DbStatus get_node(Btree *tree, uint32_t page_num, uint8_t **node)
{
    if (page_num == 0)
        return db_fail(DB_ECORRUPT, "a tree pointer points to the header "
                       "page");
    DbStatus rc = pager_get_page(tree->pager, page_num, node);
    if (rc != DB_OK)
        return rc;
    uint8_t type = node_type(*node);
    uint32_t n = node_n_cells(*node);
    if (type == NODE_LEAF && n <= LEAF_NODE_MAX_CELLS)
        return DB_OK;
    if (type == NODE_INTERNAL && n <= INTERNAL_NODE_MAX_KEYS)
        return DB_OK;
    return db_fail(DB_ECORRUPT, "page %u is not a valid tree node (type %u, "
                   "%u cells)", page_num, type, n);
}

static DbStatus set_root(Btree *tree, uint32_t page_num)
{
    uint8_t *header, *node;
    DbStatus rc = pager_get_page(tree->pager, 0, &header);
    if (rc == DB_OK)
        rc = get_node(tree, page_num, &node);
    if (rc != DB_OK)
        return rc;
    node[NODE_IS_ROOT_OFFSET] = 1;
    put_u32(header + HEADER_ROOT_OFFSET, page_num);
    tree->root = page_num;
    return DB_OK;
}

/* --- search ----------------------------------------------------------- */

/* The first cell of LEAF whose key is >= KEY (n_cells if none). */
static uint32_t leaf_find(uint8_t *leaf, uint32_t key)
{
    uint32_t lo = 0, hi = node_n_cells(leaf);
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (leaf_key(leaf, mid) < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The child of IN to follow for KEY: the first whose key is >= KEY. */
static uint32_t internal_find(const Internal *in, uint32_t key)
{
    uint32_t lo = 0, hi = in->n_keys;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (in->keys[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Walks from the root to the leaf where KEY is or would be, recording
 * the way in PATH. */
static DbStatus descend(Btree *tree, uint32_t key, Path *path)
{
    uint32_t page_num = tree->root;
    for (path->depth = 0; path->depth < BTREE_MAX_DEPTH; path->depth++) {
        uint8_t *node;
        DbStatus rc = get_node(tree, page_num, &node);
        if (rc != DB_OK)
            return rc;
        path->pages[path->depth] = page_num;
        if (node_type(node) == NODE_LEAF) {
            path->index[path->depth++] = leaf_find(node, key);
            return DB_OK;
        }
        Internal in;
        internal_load(node, &in);
        uint32_t child = internal_find(&in, key);
        path->index[path->depth] = child;
        page_num = in.children[child];
    }
    return db_fail(DB_ECORRUPT, "the tree is deeper than %d levels",
                   BTREE_MAX_DEPTH);
}

/* Finds KEY's leaf and cell; DB_ENOTFOUND if the key is not there. */
static DbStatus find_cell(Btree *tree, uint32_t key, Path *path,
                          uint8_t **leaf, uint8_t **cell)
{
    DbStatus rc = descend(tree, key, path);
    if (rc != DB_OK)
        return rc;
    uint32_t i = path->index[path->depth - 1];
    rc = get_node(tree, path->pages[path->depth - 1], leaf);
    if (rc != DB_OK)
        return rc;
    if (i >= node_n_cells(*leaf) || leaf_key(*leaf, i) != key)
        return db_fail(DB_ENOTFOUND, "Key not found.");
    *cell = leaf_cell(*leaf, i);
    return DB_OK;
}

DbStatus btree_find(Btree *tree, uint32_t key, uint8_t *value)
{
    Path path;
    uint8_t *leaf, *cell;
    DbStatus rc = find_cell(tree, key, &path, &leaf, &cell);
    if (rc == DB_OK)
        memcpy(value, cell + LEAF_NODE_KEY_SIZE, BTREE_VALUE_SIZE);
    return rc;
}

DbStatus btree_update(Btree *tree, uint32_t key, const uint8_t *value)
{
    Path path;
    uint8_t *leaf, *cell;
    DbStatus rc = find_cell(tree, key, &path, &leaf, &cell);
    if (rc == DB_OK)
        memcpy(cell + LEAF_NODE_KEY_SIZE, value, BTREE_VALUE_SIZE);
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
        rc = get_node(tree, left, &node);
        if (rc != DB_OK)
            return rc;
        node[NODE_IS_ROOT_OFFSET] = 0;
        return set_root(tree, root);
    }

    uint32_t parent = path->pages[level - 1];
    uint32_t at = path->index[level - 1]; /* where LEFT hangs */
    rc = get_node(tree, parent, &node);
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
    if (rc != DB_OK)
        return rc;
    Internal upper = {.n_keys = in.n_keys - n_left - 1};
    memcpy(upper.keys, &in.keys[n_left + 1],
           upper.n_keys * sizeof in.keys[0]);
    memcpy(upper.children, &in.children[n_left + 1],
           (upper.n_keys + 1) * sizeof in.children[0]);
    uint32_t middle = in.keys[n_left];
    in.n_keys = n_left;
    internal_store(node, &in);
    internal_store(sibling_node, &upper);
    return insert_into_parent(tree, path, level - 1, middle, sibling);
}
/* book: end insert-into-parent */

/* Inserts a cell into a full leaf by splitting it: of the
 * LEAF_NODE_MAX_CELLS + 1 cells, the lower half stays, the upper half
 * moves to a new leaf that follows it in the leaf chain. */
/* book: begin leaf-split */
static DbStatus leaf_split_and_insert(Btree *tree, const Path *path,
                                      uint32_t key, const uint8_t *value)
{
    uint32_t level = path->depth - 1;
    uint32_t at = path->index[level];
    uint8_t *left, *right;
    uint32_t right_page;
    DbStatus rc = pager_allocate_page(tree->pager, &right_page);
    if (rc == DB_OK)
        rc = get_node(tree, path->pages[level], &left);
    if (rc == DB_OK)
        rc = pager_get_page(tree->pager, right_page, &right);
    if (rc != DB_OK)
        return rc;

    /* Line up all cells, the new one in its place, then deal them out. */
    enum { TOTAL = LEAF_NODE_MAX_CELLS + 1, N_LEFT = (TOTAL + 1) / 2 };
    uint8_t cells[TOTAL][LEAF_NODE_CELL_SIZE];
    memcpy(cells, leaf_cell(left, 0), at * LEAF_NODE_CELL_SIZE);
    put_u32(cells[at], key);
    memcpy(cells[at] + LEAF_NODE_KEY_SIZE, value, BTREE_VALUE_SIZE);
    memcpy(cells[at + 1], leaf_cell(left, at),
           (LEAF_NODE_MAX_CELLS - at) * LEAF_NODE_CELL_SIZE);

    init_leaf(right, false);
    memcpy(leaf_cell(right, 0), cells[N_LEFT],
           (TOTAL - N_LEFT) * LEAF_NODE_CELL_SIZE);
    set_n_cells(right, TOTAL - N_LEFT);
    put_u32(right + LEAF_NODE_NEXT_OFFSET, leaf_next(left));

    memcpy(leaf_cell(left, 0), cells, N_LEFT * LEAF_NODE_CELL_SIZE);
    memset(leaf_cell(left, N_LEFT), 0,
           (LEAF_NODE_MAX_CELLS - N_LEFT) * LEAF_NODE_CELL_SIZE);
    set_n_cells(left, N_LEFT);
    put_u32(left + LEAF_NODE_NEXT_OFFSET, right_page);

    return insert_into_parent(tree, path, level, leaf_key(left, N_LEFT - 1),
                              right_page);
}
/* book: end leaf-split */

DbStatus btree_insert(Btree *tree, uint32_t key, const uint8_t *value)
{
    Path path;
    uint8_t *leaf;
    DbStatus rc = descend(tree, key, &path);
    if (rc == DB_OK)
        rc = get_node(tree, path.pages[path.depth - 1], &leaf);
    if (rc != DB_OK)
        return rc;

    uint32_t at = path.index[path.depth - 1];
    uint32_t n = node_n_cells(leaf);
    if (at < n && leaf_key(leaf, at) == key)
        return db_fail(DB_EDUPKEY, "Duplicate key.");
    if (n == LEAF_NODE_MAX_CELLS)
        return leaf_split_and_insert(tree, &path, key, value);

    memmove(leaf_cell(leaf, at + 1), leaf_cell(leaf, at),
            (n - at) * LEAF_NODE_CELL_SIZE);
    put_u32(leaf_cell(leaf, at), key);
    memcpy(leaf_cell(leaf, at) + LEAF_NODE_KEY_SIZE, value,
           BTREE_VALUE_SIZE);
    set_n_cells(leaf, n + 1);
    return DB_OK;
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

/* Moves N cells from the start of leaf FROM to the end of leaf TO. */
static void leaf_move_front(uint8_t *to, uint8_t *from, uint32_t n)
{
    uint32_t n_to = node_n_cells(to), n_from = node_n_cells(from);
    memcpy(leaf_cell(to, n_to), leaf_cell(from, 0), n * LEAF_NODE_CELL_SIZE);
    memmove(leaf_cell(from, 0), leaf_cell(from, n),
            (n_from - n) * LEAF_NODE_CELL_SIZE);
    memset(leaf_cell(from, n_from - n), 0, n * LEAF_NODE_CELL_SIZE);
    set_n_cells(to, n_to + n);
    set_n_cells(from, n_from - n);
}

/* Moves the last cell of leaf FROM to the start of leaf TO. */
static void leaf_move_last(uint8_t *to, uint8_t *from)
{
    uint32_t n_to = node_n_cells(to), n_from = node_n_cells(from);
    memmove(leaf_cell(to, 1), leaf_cell(to, 0), n_to * LEAF_NODE_CELL_SIZE);
    memcpy(leaf_cell(to, 0), leaf_cell(from, n_from - 1),
           LEAF_NODE_CELL_SIZE);
    memset(leaf_cell(from, n_from - 1), 0, LEAF_NODE_CELL_SIZE);
    set_n_cells(to, n_to + 1);
    set_n_cells(from, n_from - 1);
}

/* Refills the under-full leaf NODE from a sibling under PARENT (IN), or
 * merges it with one. AT is NODE's place in the parent. Returns in
 * *merged whether the parent lost a key. */
/* book: begin rebalance-leaf */
static DbStatus rebalance_leaf(Btree *tree, Internal *in, uint32_t at,
                               uint8_t *node, bool *merged)
{
    uint8_t *left = NULL, *right = NULL;
    DbStatus rc = DB_OK;
    if (at > 0)
        rc = get_node(tree, in->children[at - 1], &left);
    if (rc == DB_OK && at < in->n_keys)
        rc = get_node(tree, in->children[at + 1], &right);
    if (rc != DB_OK)
        return rc;
    if ((left && node_type(left) != NODE_LEAF) ||
        (right && node_type(right) != NODE_LEAF))
        return db_fail(DB_ECORRUPT, "a leaf's sibling is not a leaf");

    *merged = false;
    if (left && node_n_cells(left) > LEAF_NODE_MIN_CELLS) {
        /* Borrow from the left: its largest cell becomes our first. */
        leaf_move_last(node, left);
        in->keys[at - 1] = leaf_key(left, node_n_cells(left) - 1);
    } else if (right && node_n_cells(right) > LEAF_NODE_MIN_CELLS) {
        /* Borrow from the right: its smallest cell becomes our last. */
        leaf_move_front(node, right, 1);
        in->keys[at] = leaf_key(node, node_n_cells(node) - 1);
    } else if (left) {
        /* Merge into the left sibling; our page goes to the free list. */
        leaf_move_front(left, node, node_n_cells(node));
        put_u32(left + LEAF_NODE_NEXT_OFFSET, leaf_next(node));
        rc = pager_free_page(tree->pager, in->children[at]);
        internal_remove(in, at - 1);
        *merged = true;
    } else if (right) {
        /* Merge the right sibling into us; its page goes. */
        leaf_move_front(node, right, node_n_cells(right));
        put_u32(node + LEAF_NODE_NEXT_OFFSET, leaf_next(right));
        rc = pager_free_page(tree->pager, in->children[at + 1]);
        internal_remove(in, at);
        *merged = true;
    }
    return rc;
}
/* book: end rebalance-leaf */

/* The same for an under-full internal node N, whose keys move through
 * the parent: borrowing rotates a key down from the parent and one up
 * from the sibling; merging pulls the parent's key down between the two
 * nodes' keys. */
static DbStatus rebalance_internal(Btree *tree, Internal *in, uint32_t at,
                                   uint8_t *node, bool *merged)
{
    uint8_t *left_node = NULL, *right_node = NULL;
    Internal n, left = {0}, right = {0};
    DbStatus rc = DB_OK;
    if (at > 0)
        rc = get_node(tree, in->children[at - 1], &left_node);
    if (rc == DB_OK && at < in->n_keys)
        rc = get_node(tree, in->children[at + 1], &right_node);
    if (rc != DB_OK)
        return rc;
    if ((left_node && node_type(left_node) != NODE_INTERNAL) ||
        (right_node && node_type(right_node) != NODE_INTERNAL))
        return db_fail(DB_ECORRUPT, "an internal node's sibling is a leaf");
    internal_load(node, &n);
    if (left_node)
        internal_load(left_node, &left);
    if (right_node)
        internal_load(right_node, &right);

    *merged = false;
    if (left_node && left.n_keys > INTERNAL_NODE_MIN_KEYS) {
        /* Rotate right: parent key down to us, left's last key up. */
        memmove(&n.keys[1], &n.keys[0], n.n_keys * sizeof n.keys[0]);
        memmove(&n.children[1], &n.children[0],
                (n.n_keys + 1) * sizeof n.children[0]);
        n.keys[0] = in->keys[at - 1];
        n.children[0] = left.children[left.n_keys];
        n.n_keys++;
        in->keys[at - 1] = left.keys[left.n_keys - 1];
        left.n_keys--;
        internal_store(left_node, &left);
        internal_store(node, &n);
    } else if (right_node && right.n_keys > INTERNAL_NODE_MIN_KEYS) {
        /* Rotate left: parent key down to us, right's first key up. */
        n.keys[n.n_keys] = in->keys[at];
        n.children[n.n_keys + 1] = right.children[0];
        n.n_keys++;
        in->keys[at] = right.keys[0];
        memmove(&right.keys[0], &right.keys[1],
                (right.n_keys - 1) * sizeof right.keys[0]);
        memmove(&right.children[0], &right.children[1],
                right.n_keys * sizeof right.children[0]);
        right.n_keys--;
        internal_store(right_node, &right);
        internal_store(node, &n);
    } else {
        /* Merge: lower node, the parent's key between them, upper node. */
        uint32_t sep = left_node ? at - 1 : at;
        Internal *lower = left_node ? &left : &n;
        Internal *upper = left_node ? &n : &right;
        uint8_t *lower_node = left_node ? left_node : node;
        lower->keys[lower->n_keys] = in->keys[sep];
        memcpy(&lower->keys[lower->n_keys + 1], upper->keys,
               upper->n_keys * sizeof upper->keys[0]);
        memcpy(&lower->children[lower->n_keys + 1], upper->children,
               (upper->n_keys + 1) * sizeof upper->children[0]);
        lower->n_keys += upper->n_keys + 1;
        internal_store(lower_node, lower);
        rc = pager_free_page(tree->pager, in->children[sep + 1]);
        internal_remove(in, sep);
        *merged = true;
    }
    return rc;
}

/* After a delete, restores the minimum fill of the node at LEVEL of
 * PATH, walking up while merges empty out the parents. */
static DbStatus rebalance(Btree *tree, const Path *path, uint32_t level)
{
    for (;; level--) {
        uint8_t *node, *parent_node;
        DbStatus rc = get_node(tree, path->pages[level], &node);
        if (rc != DB_OK)
            return rc;
        bool is_leaf = node_type(node) == NODE_LEAF;

        if (level == 0) {
            /* A root with one child is no longer needed: the child
             * becomes the root and the tree loses a level. */
            if (!is_leaf && node_n_cells(node) == 0) {
                uint32_t only_child =
                    get_u32(node + INTERNAL_NODE_RIGHT_CHILD_OFFSET);
                rc = set_root(tree, only_child);
                if (rc == DB_OK)
                    rc = pager_free_page(tree->pager, path->pages[0]);
            }
            return rc;
        }
        uint32_t min = is_leaf ? LEAF_NODE_MIN_CELLS : INTERNAL_NODE_MIN_KEYS;
        if (node_n_cells(node) >= min)
            return DB_OK;

        rc = get_node(tree, path->pages[level - 1], &parent_node);
        if (rc != DB_OK)
            return rc;
        Internal in;
        internal_load(parent_node, &in);
        uint32_t at = path->index[level - 1];
        if (in.n_keys == 0)
            return db_fail(DB_ECORRUPT, "page %u: an internal node below "
                           "the root has no keys", path->pages[level - 1]);
        bool merged = false;
        rc = is_leaf ? rebalance_leaf(tree, &in, at, node, &merged)
                     : rebalance_internal(tree, &in, at, node, &merged);
        if (rc != DB_OK)
            return rc;
        internal_store(parent_node, &in);
        if (!merged)
            return DB_OK;
    }
}

DbStatus btree_delete(Btree *tree, uint32_t key)
{
    Path path;
    uint8_t *leaf, *cell;
    DbStatus rc = find_cell(tree, key, &path, &leaf, &cell);
    if (rc != DB_OK)
        return rc;
    uint32_t at = path.index[path.depth - 1];
    uint32_t n = node_n_cells(leaf);
    memmove(leaf_cell(leaf, at), leaf_cell(leaf, at + 1),
            (n - at - 1) * LEAF_NODE_CELL_SIZE);
    memset(leaf_cell(leaf, n - 1), 0, LEAF_NODE_CELL_SIZE);
    set_n_cells(leaf, n - 1);
    return rebalance(tree, &path, path.depth - 1);
}

/* --- cursors ---------------------------------------------------------- */

/* Skips empty leaves (only an empty root can be one) and ends the walk
 * after the last leaf. */
static DbStatus settle(BtreeCursor *cursor)
{
    Btree *tree = cursor->tree;
    for (;;) {
        uint8_t *leaf;
        DbStatus rc = get_node(tree, cursor->page_num, &leaf);
        if (rc != DB_OK)
            return rc;
        if (node_type(leaf) != NODE_LEAF)
            return db_fail(DB_ECORRUPT, "the leaf chain reaches page %u, "
                           "which is not a leaf", cursor->page_num);
        if (cursor->cell_num < node_n_cells(leaf))
            return DB_OK;
        if (leaf_next(leaf) == 0) {
            cursor->end_of_tree = true;
            return DB_OK;
        }
        if (++cursor->leaves_seen >= pager_page_count(tree->pager))
            return db_fail(DB_ECORRUPT, "the leaf chain loops");
        cursor->page_num = leaf_next(leaf);
        cursor->cell_num = 0;
    }
}

DbStatus btree_first(Btree *tree, BtreeCursor *cursor)
{
    *cursor = (BtreeCursor){.tree = tree};
    uint32_t page_num = tree->root;
    for (int depth = 0; depth < BTREE_MAX_DEPTH; depth++) {
        uint8_t *node;
        DbStatus rc = get_node(tree, page_num, &node);
        if (rc != DB_OK)
            return rc;
        if (node_type(node) == NODE_LEAF) {
            cursor->page_num = page_num;
            return settle(cursor);
        }
        Internal in;
        internal_load(node, &in);
        page_num = in.children[0];
    }
    return db_fail(DB_ECORRUPT, "the tree is deeper than %d levels",
                   BTREE_MAX_DEPTH);
}

DbStatus btree_cursor_read(BtreeCursor *cursor, uint32_t *key,
                           const uint8_t **value)
{
    uint8_t *leaf;
    DbStatus rc = get_node(cursor->tree, cursor->page_num, &leaf);
    if (rc != DB_OK)
        return rc;
    *key = leaf_key(leaf, cursor->cell_num);
    *value = leaf_cell(leaf, cursor->cell_num) + LEAF_NODE_KEY_SIZE;
    return DB_OK;
}

DbStatus btree_cursor_next(BtreeCursor *cursor)
{
    cursor->cell_num++;
    return settle(cursor);
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
    uint32_t n = node_n_cells(node);
    if (node_type(node) == NODE_LEAF) {
        fprintf(out, "%*s- leaf (size %u)\n", indent, "", n);
        for (uint32_t i = 0; i < n; i++)
            fprintf(out, "%*s- %u\n", indent + 2, "", leaf_key(node, i));
        return DB_OK;
    }
    Internal in;
    internal_load(node, &in);
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
    fprintf(out, "Tree:\n");
    return print_node(tree, tree->root, 0, 0, out);
}

/* --- checking --------------------------------------------------------- */

typedef struct Check {
    Btree *tree;
    uint8_t *seen;         /* pages met so far */
    DbStatus (*check_value)(uint32_t key, const uint8_t *value);
    int leaf_depth;        /* depth of the first leaf; -1 before it */
    uint32_t n_leaves;
    uint32_t *leaves;      /* leaves in key order, as the walk finds them */
    uint32_t leaves_cap;
} Check;

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
    if (c->seen[page_num])
        return db_fail(DB_ECORRUPT, "page %u is reached twice in the tree",
                       page_num);
    c->seen[page_num] = 1;
    bool is_root = page_num == c->tree->root;
    if (node[NODE_IS_ROOT_OFFSET] != is_root)
        return db_fail(DB_ECORRUPT, "page %u: is-root is %u, expected %u",
                       page_num, node[NODE_IS_ROOT_OFFSET], is_root);

    uint32_t n = node_n_cells(node);
    bool is_leaf = node_type(node) == NODE_LEAF;
    uint32_t min = is_root ? (is_leaf ? 0 : 1)
                           : (is_leaf ? LEAF_NODE_MIN_CELLS
                                      : INTERNAL_NODE_MIN_KEYS);
    if (n < min)
        return db_fail(DB_ECORRUPT, "page %u: %u %s, fewer than the %u a "
                       "%s needs", page_num, n, is_leaf ? "cells" : "keys",
                       min, is_root ? "root" : "node");

    Internal in;
    if (!is_leaf)
        internal_load(node, &in);
    int64_t prev = lo;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t key = is_leaf ? leaf_key(node, i) : in.keys[i];
        if (key <= prev || key > hi)
            return db_fail(DB_ECORRUPT, "page %u: key %u is out of order or "
                           "outside its parent's bounds", page_num, key);
        prev = key;
    }

    if (is_leaf) {
        if (c->leaf_depth < 0)
            c->leaf_depth = depth;
        if (depth != c->leaf_depth)
            return db_fail(DB_ECORRUPT, "leaf %u is at depth %d, another "
                           "at %d", page_num, depth, c->leaf_depth);
        for (uint32_t i = 0; i < n; i++) {
            rc = c->check_value(leaf_key(node, i),
                                leaf_cell(node, i) + LEAF_NODE_KEY_SIZE);
            if (rc != DB_OK)
                return db_fail(rc, "page %u: %s", page_num, db_errmsg());
        }
        if (c->n_leaves == c->leaves_cap) {
            c->leaves_cap = c->leaves_cap ? 2 * c->leaves_cap : 64;
            uint32_t *grown = realloc(c->leaves,
                                      c->leaves_cap * sizeof *grown);
            if (grown == NULL)
                return db_fail(DB_ENOMEM, "out of memory");
            c->leaves = grown;
        }
        c->leaves[c->n_leaves++] = page_num;
        return DB_OK;
    }
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
        if (leaf_next(leaf) != expected)
            return db_fail(DB_ECORRUPT, "leaf %u links to page %u, but the "
                           "next leaf in key order is %u", c->leaves[i],
                           leaf_next(leaf), expected);
    }
    return DB_OK;
}

DbStatus btree_check(Btree *tree, uint8_t *seen,
                     DbStatus (*check_value)(uint32_t key,
                                             const uint8_t *value))
{
    Check c = {.tree = tree, .seen = seen, .check_value = check_value,
               .leaf_depth = -1};
    DbStatus rc = check_node(&c, tree->root, -1, UINT32_MAX, 0);
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
    DbStatus rc = pager_get_page(pager, 0, &header);
    if (rc != DB_OK)
        return rc;
    Btree *tree = malloc(sizeof *tree);
    if (tree == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    tree->pager = pager;
    tree->root = get_u32(header + HEADER_ROOT_OFFSET);

    if (tree->root == 0 && pager_page_count(pager) == 1) {
        /* A new file: the tree starts as one empty leaf, the root. */
        rc = pager_allocate_page(pager, &tree->root);
        if (rc == DB_OK)
            rc = pager_get_page(pager, tree->root, &node);
        if (rc == DB_OK) {
            init_leaf(node, true);
            put_u32(header + HEADER_ROOT_OFFSET, tree->root);
        }
    } else {
        rc = get_node(tree, tree->root, &node);
        if (rc != DB_OK)
            rc = db_fail(DB_ECORRUPT, "the header's root page %u is not a "
                         "tree node", tree->root);
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
