/*
 * btree.c - B+trees over slotted pages, many in one file: search, insert
 * with splits by bytes, delete with merging or sharing between siblings,
 * payloads of any size through overflow chains, ordered cursors, and a
 * checker for every invariant.
 *
 * Owns: which cells go in which node, the shape of each tree, overflow
 * chains, and the rule that a tree's root page never moves.
 * Does not: place cells inside a page (page.c does), read or write the
 * file (the pager does), or know what a payload means (record.c does).
 *
 * Nodes have no parent pointers. Every operation walks down from the root
 * and remembers the way it came in a Path; a split or a merge then walks
 * that path back up.
 *
 * A tree is known by its root page alone: the catalog records it once
 * and never has to change it. So the root stays where it is. When the
 * root is full, its cells move down into two new nodes and the root
 * becomes their parent, one level higher ("balance deeper", as SQLite
 * calls it); when the root is left with one child, the child's cells
 * move up into the root and the child's page is freed:
 *
 *     root [a b c d] full          root [c]
 *                         ---->        /   \
 *                               new [a b c] new [d e]
 *
 * A payload too large for a quarter of a page keeps its first bytes in
 * the leaf cell and the rest in a chain of overflow pages:
 *
 *   leaf cell: key | size | first L bytes | page 9 --> page 9: next 12,
 *   bytes ... --> page 12: next 0, the last bytes
 */
#include "btree.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

/* book: begin overflow-layout */
/* Overflow page (one link of a payload's chain)
 *   offset  size  field
 *        0     1  page type: PAGE_OVERFLOW (3)
 *        1     3  zero
 *        4     4  next page of the chain (0 = the last)
 *        8  4084  payload bytes: OVERFLOW_DATA_SIZE in every page but
 *                 the last, which holds what remains
 */
#define OVERFLOW_NEXT_OFFSET 4
/* book: end overflow-layout */

/* A node below the root is under-full when its slots and cells take
 * fewer bytes than this: a third of the page. A split leaves each half
 * with about half a page, so there is room between the two and a node
 * does not flip between splitting and merging. */
#define NODE_MIN_FILL (PAGE_CAPACITY / 3)

/* As many keys as fit: every key costs a cell and a slot. */
#define INTERNAL_NODE_MAX_KEYS \
    (PAGE_CAPACITY / (INTERNAL_CELL_SIZE + PAGE_SLOT_SIZE))

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

/* An internal node unpacked into arrays, with room for two nodes' keys
 * and the parent's key between them, so that an insert can overflow it
 * before it splits and two siblings can be pooled before they are shared
 * out again. children[n_keys] is the right child. */
typedef struct Internal {
    uint32_t n_keys;
    int64_t keys[2 * INTERNAL_NODE_MAX_KEYS + 1];
    uint32_t children[2 * INTERNAL_NODE_MAX_KEYS + 2];
} Internal;

/* Leaf cells copied out of their pages, in key order, so that they can
 * be dealt out again into one or two pages. */
typedef struct CellList {
    uint32_t n_cells;
    uint32_t n_bytes;  /* of data[] in use */
    uint16_t offset[PAGE_CAPACITY + 1];   /* a cell takes 2 bytes or more */
    uint16_t size[PAGE_CAPACITY + 1];
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
    return i < page_n_cells(node) ? get_u32(page_cell(node, i) + 8)
                                  : node_link(node);
}

static void internal_load(uint8_t *node, Internal *in)
{
    in->n_keys = page_n_cells(node);
    for (uint32_t i = 0; i < in->n_keys; i++) {
        const uint8_t *cell = page_cell(node, (uint16_t)i);
        in->keys[i] = (int64_t)get_u64(cell);
        in->children[i] = get_u32(cell + 8);
    }
    in->children[in->n_keys] = node_link(node);
}

/* Writes IN (at most INTERNAL_NODE_MAX_KEYS keys) into NODE, an internal
 * node from now on, keeping its is-root byte. */
static void internal_store(uint8_t *node, const Internal *in)
{
    page_init(node, PAGE_INTERNAL, node[PAGE_IS_ROOT_OFFSET]);
    for (uint32_t i = 0; i < in->n_keys; i++) {
        uint8_t cell[INTERNAL_CELL_SIZE];
        put_u64(cell, (uint64_t)in->keys[i]);
        put_u32(cell + 8, in->children[i]);
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

/* Puts CELL (SIZE bytes) at position AT of LIST. */
static void list_insert(CellList *list, uint32_t at, const uint8_t *cell,
                        uint16_t size)
{
    memmove(&list->offset[at + 1], &list->offset[at],
            (list->n_cells - at) * sizeof list->offset[0]);
    memmove(&list->size[at + 1], &list->size[at],
            (list->n_cells - at) * sizeof list->size[0]);
    memcpy(list->data + list->n_bytes, cell, size);
    list->offset[at] = (uint16_t)list->n_bytes;
    list->size[at] = size;
    list->n_cells++;
    list->n_bytes += size;
}

static int64_t list_key(const CellList *list, uint32_t i)
{
    int64_t key;
    uint32_t size, header;
    page_leaf_header(list->data + list->offset[i], list->size[i], &key,
                     &size, &header);
    return key;
}

/* Rewrites NODE as a leaf holding cells FROM .. TO - 1 of LIST, with
 * IS_ROOT and NEXT as its next leaf. */
static void leaf_fill(uint8_t *node, const CellList *list, uint32_t from,
                      uint32_t to, bool is_root, uint32_t next)
{
    page_init(node, PAGE_LEAF, is_root);
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

/* Checks page PAGE_NUM, pinned at NODE, once per load into the pool:
 * that it is a slotted page whose cells all lie inside it, so that no
 * later read can leave the page, and whose keys come in order (one pass,
 * page_validate). After that the page is trusted, since only this code
 * changes it. */
static DbStatus check_node_once(Btree *tree, uint32_t page_num,
                                const uint8_t *node)
{
    if (pager_is_checked(tree->pager, page_num))
        return DB_OK;
    DbStatus rc = page_validate(node, page_num);
    if (rc == DB_OK && page_type(node) == PAGE_INTERNAL &&
        page_n_cells(node) > INTERNAL_NODE_MAX_KEYS)
        rc = db_fail(DB_ECORRUPT, "page %u has %u keys, more than an "
                     "internal node holds", page_num, page_n_cells(node));
    if (rc == DB_OK)
        pager_mark_checked(tree->pager, page_num);
    return rc;
}

/* Pins tree page PAGE_NUM. On success the caller must release_node it;
 * on failure nothing is pinned. */
static DbStatus get_node(Btree *tree, uint32_t page_num, uint8_t **node)
{
    if (page_num == 0)
        return db_fail(DB_ECORRUPT, "a tree pointer points to the header "
                       "page");
    DbStatus rc = pager_get_page(tree->pager, page_num, node);
    if (rc != DB_OK)
        return rc;
    rc = check_node_once(tree, page_num, *node);
    if (rc != DB_OK)
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

/* A new page for the tree, pinned and zeroed (the caller fills it in and
 * releases it). */
static DbStatus new_node(Btree *tree, uint32_t *page_num, uint8_t **node)
{
    DbStatus rc = pager_allocate_page(tree->pager, page_num);
    if (rc == DB_OK)
        rc = pager_get_page(tree->pager, *page_num, node);
    if (rc == DB_OK)
        pager_mark_checked(tree->pager, *page_num);
    return rc;
}

/* --- overflow chains -------------------------------------------------- */

/* The number of overflow pages a payload of SIZE bytes needs. */
static uint64_t chain_length(uint64_t size)
{
    uint64_t rest = size - page_local_size(size);
    return (rest + OVERFLOW_DATA_SIZE - 1) / OVERFLOW_DATA_SIZE;
}

/* book: begin write-chain */
/* Writes the part of PAYLOAD (SIZE bytes) after its first LOCAL bytes
 * into a new chain of overflow pages, and returns its first page. The
 * chain is written from its end, so that each page is written once,
 * knowing its next. */
static DbStatus write_chain(Btree *tree, const uint8_t *payload,
                            uint64_t size, uint32_t local, uint32_t *first)
{
    uint64_t n = chain_length(size);
    uint32_t next = 0;
    for (uint64_t i = n; i-- > 0;) {
        uint64_t start = local + i * OVERFLOW_DATA_SIZE;
        uint64_t len = size - start < OVERFLOW_DATA_SIZE
                           ? size - start : OVERFLOW_DATA_SIZE;
        uint32_t page_num;
        uint8_t *page;
        DbStatus rc = pager_allocate_page(tree->pager, &page_num);
        if (rc == DB_OK)
            rc = pager_get_page(tree->pager, page_num, &page);
        if (rc != DB_OK)
            return rc;
        page[0] = PAGE_OVERFLOW;
        put_u32(page + OVERFLOW_NEXT_OFFSET, next);
        memcpy(page + OVERFLOW_HEADER_SIZE, payload + start, len);
        pager_release(tree->pager, page_num);
        next = page_num;
    }
    *first = next;
    return DB_OK;
}
/* book: end write-chain */

/* Pins overflow page PAGE_NUM, the INDEXth of a chain of N_PAGES. */
static DbStatus get_overflow(Btree *tree, uint32_t page_num, uint64_t index,
                             uint64_t n_pages, uint8_t **page)
{
    if (page_num == 0 || index >= n_pages)
        return db_fail(DB_ECORRUPT, "an overflow chain is %s than its "
                       "payload needs", page_num == 0 ? "shorter"
                                                      : "longer");
    DbStatus rc = pager_get_page(tree->pager, page_num, page);
    if (rc != DB_OK)
        return rc;
    if ((*page)[0] != PAGE_OVERFLOW) {
        pager_release(tree->pager, page_num);
        return db_fail(DB_ECORRUPT, "page %u is in an overflow chain but "
                       "is not an overflow page", page_num);
    }
    return DB_OK;
}

/* Reads the overflow part of a payload of SIZE bytes, starting at page
 * FIRST, into OUT (after its LOCAL bytes). With SEEN, marks each page. */
static DbStatus read_chain(Btree *tree, uint32_t first, uint64_t size,
                           uint32_t local, uint8_t *out, uint8_t *seen)
{
    uint64_t n = chain_length(size);
    uint32_t page_num = first;
    for (uint64_t i = 0; i < n; i++) {
        uint8_t *page;
        DbStatus rc = get_overflow(tree, page_num, i, n, &page);
        if (rc != DB_OK)
            return rc;
        uint64_t start = local + i * OVERFLOW_DATA_SIZE;
        uint64_t len = size - start < OVERFLOW_DATA_SIZE
                           ? size - start : OVERFLOW_DATA_SIZE;
        if (out != NULL)
            memcpy(out + start, page + OVERFLOW_HEADER_SIZE, len);
        uint32_t next = get_u32(page + OVERFLOW_NEXT_OFFSET);
        pager_release(tree->pager, page_num);
        if (seen != NULL) {
            if (seen[page_num])
                return db_fail(DB_ECORRUPT, "page %u is reached twice",
                               page_num);
            seen[page_num] = 1;
        }
        page_num = next;
    }
    if (page_num != 0)
        return db_fail(DB_ECORRUPT, "an overflow chain is longer than its "
                       "payload needs");
    return DB_OK;
}

/* Frees the chain of a payload of SIZE bytes, starting at page FIRST. */
static DbStatus free_chain(Btree *tree, uint32_t first, uint64_t size)
{
    uint64_t n = chain_length(size);
    uint32_t page_num = first;
    for (uint64_t i = 0; i < n; i++) {
        uint8_t *page;
        DbStatus rc = get_overflow(tree, page_num, i, n, &page);
        if (rc != DB_OK)
            return rc;
        uint32_t next = get_u32(page + OVERFLOW_NEXT_OFFSET);
        pager_release(tree->pager, page_num);
        rc = pager_free_page(tree->pager, page_num);
        if (rc != DB_OK)
            return rc;
        page_num = next;
    }
    return DB_OK;
}

/* What a leaf cell says about its payload. */
typedef struct CellInfo {
    int64_t key;
    uint32_t size;         /* the whole payload */
    uint32_t local;        /* the bytes in the cell */
    bool chained;          /* local < size: the rest is in a chain */
    uint32_t overflow;     /* the chain's first page (0 if none, or if
                              a damaged cell links to page 0) */
    const uint8_t *data;   /* the local bytes */
} CellInfo;

/* What cell I of a checked leaf says (its header is whole). */
static CellInfo cell_info(uint8_t *leaf, uint16_t i)
{
    uint16_t offset = page_cell_offset(leaf, i);
    const uint8_t *cell = leaf + offset;
    CellInfo info;
    uint32_t header;
    /* A checked leaf: the header is whole, so its page bounds it. */
    page_leaf_header(cell, PAGE_USABLE_SIZE - offset, &info.key, &info.size,
                     &header);
    info.data = cell + header;
    info.local = page_local_size(info.size);
    /* Whether a chain follows is the size's to say, not the link's: a
     * damaged link of 0 must not make the payload's rest, which is not
     * in the cell, read as if it were (get_overflow refuses page 0). */
    info.chained = info.local < info.size;
    info.overflow = info.chained ? get_u32(info.data + info.local) : 0;
    return info;
}

/* Makes the leaf cell of KEY with the SIZE bytes of PAYLOAD, whose part
 * after page_local_size(SIZE) bytes is in the chain at page OVERFLOW. */
static uint16_t make_cell(uint8_t *cell, int64_t key, const uint8_t *payload,
                          uint64_t size, uint32_t overflow)
{
    uint32_t local = page_local_size(size);
    uint32_t header = page_put_leaf_header(cell, key, (uint32_t)size);
    memcpy(cell + header, payload, local);
    uint16_t cell_size = (uint16_t)(header + local);
    if (local < size) {
        put_u32(cell + cell_size, overflow);
        cell_size += OVERFLOW_POINTER_SIZE;
    }
    return cell_size;
}

/* --- search ----------------------------------------------------------- */

/* Walks from the root to the leaf where KEY is or would be, recording
 * the way in PATH, and leaves that leaf pinned at *leaf: the caller
 * releases it (path->pages[path->depth - 1]). */
static DbStatus descend(Btree *tree, int64_t key, Path *path, uint8_t **leaf)
{
    uint32_t page_num = tree->root;
    for (path->depth = 0; path->depth < BTREE_MAX_DEPTH; path->depth++) {
        uint8_t *node;
        DbStatus rc = get_node(tree, page_num, &node);
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

/* Finds KEY's leaf and cell, leaving the leaf pinned (the caller
 * releases it); DB_ENOTFOUND if the key is not there, and then nothing
 * is pinned. */
static DbStatus find_cell(Btree *tree, int64_t key, Path *path,
                          uint8_t **leaf, uint16_t *at)
{
    DbStatus rc = descend(tree, key, path, leaf);
    if (rc != DB_OK)
        return rc;
    *at = (uint16_t)path->index[path->depth - 1];
    if (*at >= page_n_cells(*leaf) || page_key(*leaf, *at) != key) {
        release_node(tree, path->pages[path->depth - 1]);
        return db_fail(DB_ENOTFOUND, "key %" PRId64 " not found", key);
    }
    return DB_OK;
}

/* --- insert ----------------------------------------------------------- */

/* The root, whose cells are LIST, is too full: they move down into two
 * new nodes (leaves when LEAF, else internal), and the root becomes an
 * internal node over the two, one level higher. For leaves, LIST holds
 * cells; for internal nodes, IN holds the keys. The root keeps its page. */
/* book: begin balance-deeper */
static DbStatus split_root(Btree *tree, uint8_t *root, const CellList *list,
                           const Internal *in)
{
    uint32_t left_page, right_page;
    uint8_t *left, *right;
    DbStatus rc = new_node(tree, &left_page, &left);
    if (rc != DB_OK)
        return rc;
    rc = new_node(tree, &right_page, &right);
    if (rc != DB_OK) {
        pager_release(tree->pager, left_page);
        return rc;
    }
    Internal top = {.n_keys = 1, .children = {left_page, right_page}};
    if (list != NULL) {
        uint32_t n_left = split_point(list);
        leaf_fill(left, list, 0, n_left, false, right_page);
        leaf_fill(right, list, n_left, list->n_cells, false, 0);
        top.keys[0] = list_key(list, n_left - 1);
    } else {
        /* Lower keys left, upper keys right, the middle one up. */
        uint32_t n_left = in->n_keys / 2;
        Internal lower = {.n_keys = n_left}, upper;
        memcpy(lower.keys, in->keys, n_left * sizeof in->keys[0]);
        memcpy(lower.children, in->children,
               (n_left + 1) * sizeof in->children[0]);
        upper.n_keys = in->n_keys - n_left - 1;
        memcpy(upper.keys, &in->keys[n_left + 1],
               upper.n_keys * sizeof in->keys[0]);
        memcpy(upper.children, &in->children[n_left + 1],
               (upper.n_keys + 1) * sizeof in->children[0]);
        internal_store(left, &lower);
        internal_store(right, &upper);
        top.keys[0] = in->keys[n_left];
    }
    root[PAGE_IS_ROOT_OFFSET] = 1;
    internal_store(root, &top);
    pager_release(tree->pager, left_page);
    pager_release(tree->pager, right_page);
    return DB_OK;
}
/* book: end balance-deeper */

/* The node at LEVEL of PATH has split: its upper half moved to the new
 * page RIGHT, and SEPARATOR is the largest key left behind. Links RIGHT
 * into the parent, splitting the parent in turn when it overflows. */
/* book: begin insert-into-parent */
static DbStatus insert_into_parent(Btree *tree, const Path *path,
                                   uint32_t level, int64_t separator,
                                   uint32_t right)
{
    uint32_t parent = path->pages[level - 1];
    uint32_t at = path->index[level - 1]; /* where the left half hangs */
    uint8_t *node;
    DbStatus rc = get_node_to_change(tree, parent, &node);
    if (rc != DB_OK)
        return rc;
    Internal in;
    internal_load(node, &in);
    /* The left half keeps its place with SEPARATOR as its key; RIGHT
     * takes the old key, just after it. */
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
    if (level - 1 == 0) {
        rc = split_root(tree, node, NULL, &in);
        release_node(tree, parent);
        return rc;
    }

    /* The parent overflowed: keep the lower keys, push the middle key up,
     * move the upper keys to a new node. */
    uint32_t n_left = in.n_keys / 2;
    uint32_t sibling;
    uint8_t *sibling_node;
    rc = new_node(tree, &sibling, &sibling_node);
    if (rc != DB_OK) {
        release_node(tree, parent);
        return rc;
    }
    Internal upper = {.n_keys = in.n_keys - n_left - 1};
    memcpy(upper.keys, &in.keys[n_left + 1],
           upper.n_keys * sizeof in.keys[0]);
    memcpy(upper.children, &in.children[n_left + 1],
           (upper.n_keys + 1) * sizeof in.children[0]);
    int64_t middle = in.keys[n_left];
    in.n_keys = n_left;
    internal_store(node, &in);
    internal_store(sibling_node, &upper);
    release_node(tree, parent);
    pager_release(tree->pager, sibling);
    return insert_into_parent(tree, path, level - 1, middle, sibling);
}
/* book: end insert-into-parent */

/* Inserts CELL into the leaf LEFT at the end of PATH (pinned, declared
 * changed), which cannot hold it even compacted, by splitting the leaf:
 * its cells and the new one are shared out by bytes between it and a new
 * leaf that follows it. Releases LEFT. */
/* book: begin leaf-split */
static DbStatus leaf_split_and_insert(Btree *tree, const Path *path,
                                      uint8_t *left, const uint8_t *cell,
                                      uint16_t size)
{
    uint32_t level = path->depth - 1;
    uint32_t left_page = path->pages[level];
    /* Line up all cells, the new one in its place, then deal them out. */
    CellList *list = malloc(sizeof *list);
    if (list == NULL) {
        release_node(tree, left_page);
        return db_fail(DB_ENOMEM, "out of memory");
    }
    list->n_cells = list->n_bytes = 0;
    list_add_node(list, left);
    list_insert(list, path->index[level], cell, size);
    DbStatus rc;
    if (level == 0) {
        rc = split_root(tree, left, list, NULL);
        release_node(tree, left_page);
        free(list);
        return rc;
    }
    uint32_t right_page;
    uint8_t *right;
    rc = new_node(tree, &right_page, &right);
    if (rc != DB_OK) {
        release_node(tree, left_page);
        free(list);
        return rc;
    }
    uint32_t n_left = split_point(list);
    leaf_fill(right, list, n_left, list->n_cells, false, node_link(left));
    leaf_fill(left, list, 0, n_left, false, right_page);
    int64_t separator = list_key(list, n_left - 1);
    release_node(tree, left_page);
    pager_release(tree->pager, right_page);
    free(list);
    return insert_into_parent(tree, path, level, separator, right_page);
}
/* book: end leaf-split */

/* Puts CELL at its place in the leaf at the end of PATH, pinned at LEAF,
 * splitting it if it must. Releases the leaf. */
static DbStatus place_cell(Btree *tree, const Path *path, uint8_t *leaf,
                           const uint8_t *cell, uint16_t size)
{
    uint32_t leaf_page = path->pages[path->depth - 1];
    DbStatus rc = pager_write(tree->pager, leaf_page);
    if (rc != DB_OK) {
        release_node(tree, leaf_page);
        return rc;
    }
    if (page_insert(leaf, (uint16_t)path->index[path->depth - 1], cell,
                    size)) {
        release_node(tree, leaf_page);
        return DB_OK;
    }
    return leaf_split_and_insert(tree, path, leaf, cell, size);
}

static DbStatus check_size(size_t size)
{
    return size > BTREE_MAX_PAYLOAD
               ? db_fail(DB_ETOOLONG, "a row of %zu bytes is larger than "
                         "the %u a row can be", size, BTREE_MAX_PAYLOAD)
               : DB_OK;
}

DbStatus btree_insert(Btree *tree, int64_t key, const uint8_t *payload,
                      size_t size)
{
    DbStatus rc = check_size(size);
    Path path;
    uint8_t *leaf;
    if (rc == DB_OK)
        rc = descend(tree, key, &path, &leaf);
    if (rc != DB_OK)
        return rc;
    uint16_t at = (uint16_t)path.index[path.depth - 1];
    uint8_t cell[LEAF_CELL_MAX_SIZE];
    uint16_t cell_size = make_cell(cell, key, payload, size, 0);
    uint32_t local = page_local_size(size), overflow = 0;
    if (at < page_n_cells(leaf) && page_key(leaf, at) == key)
        rc = db_fail(DB_EDUPKEY, "key %" PRId64 " is already there", key);
    if (rc != DB_OK) {
        release_node(tree, path.pages[path.depth - 1]);
        return rc;
    }
    if (local < size) {
        /* The chain first, then the way down again: allocating pages
         * changes no tree page, but the leaf is let go meanwhile. */
        release_node(tree, path.pages[path.depth - 1]);
        rc = write_chain(tree, payload, size, local, &overflow);
        if (rc == DB_OK)
            rc = descend(tree, key, &path, &leaf);
        if (rc != DB_OK)
            return rc;
        make_cell(cell, key, payload, size, overflow);
    }
    return place_cell(tree, &path, leaf, cell, cell_size);
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
    CellList *list = malloc(sizeof *list);
    if (list == NULL)
        rc = db_fail(DB_ENOMEM, "out of memory");
    else if (page_type(lower) != PAGE_LEAF || page_type(upper) != PAGE_LEAF)
        rc = db_fail(DB_ECORRUPT, "a leaf's sibling is not a leaf");
    if (rc != DB_OK) {
        release_node(tree, lower_page);
        release_node(tree, upper_page);
        free(list);
        return rc;
    }
    list->n_cells = list->n_bytes = 0;
    list_add_node(list, lower);
    list_add_node(list, upper);
    *merged = page_used(lower) + page_used(upper) <= PAGE_CAPACITY;
    if (*merged) {
        /* One page holds both: the upper leaf's page is freed. */
        leaf_fill(lower, list, 0, list->n_cells, false, node_link(upper));
        release_node(tree, upper_page);
        rc = pager_free_page(tree->pager, upper_page);
        internal_remove(in, sep);
    } else {
        uint32_t n_lower = split_point(list);
        leaf_fill(upper, list, n_lower, list->n_cells, false,
                  node_link(upper));
        leaf_fill(lower, list, 0, n_lower, false, node_link(lower));
        in->keys[sep] = list_key(list, n_lower - 1);
        release_node(tree, upper_page);
    }
    release_node(tree, lower_page);
    free(list);
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

    Internal *all = malloc(2 * sizeof *all), *upper = all + 1;
    if (all == NULL) {
        release_node(tree, lower_page);
        release_node(tree, upper_page);
        return db_fail(DB_ENOMEM, "out of memory");
    }
    internal_load(lower_node, all);
    internal_load(upper_node, upper);
    all->keys[all->n_keys] = in->keys[sep];
    memcpy(&all->keys[all->n_keys + 1], upper->keys,
           upper->n_keys * sizeof upper->keys[0]);
    memcpy(&all->children[all->n_keys + 1], upper->children,
           (upper->n_keys + 1) * sizeof upper->children[0]);
    all->n_keys += upper->n_keys + 1;

    *merged = all->n_keys <= INTERNAL_NODE_MAX_KEYS;
    if (*merged) {
        internal_store(lower_node, all);
        release_node(tree, upper_page);
        rc = pager_free_page(tree->pager, upper_page);
        internal_remove(in, sep);
    } else {
        uint32_t n_lower = all->n_keys / 2;
        upper->n_keys = all->n_keys - n_lower - 1;
        memcpy(upper->keys, &all->keys[n_lower + 1],
               upper->n_keys * sizeof upper->keys[0]);
        memcpy(upper->children, &all->children[n_lower + 1],
               (upper->n_keys + 1) * sizeof upper->children[0]);
        in->keys[sep] = all->keys[n_lower];
        all->n_keys = n_lower;
        internal_store(lower_node, all);
        internal_store(upper_node, upper);
        release_node(tree, upper_page);
    }
    release_node(tree, lower_page);
    free(all);
    return rc;
}

/* book: begin balance-shallower */
/* The root has no key left, only a child: the child's cells move up into
 * the root, which keeps its page, and the child's page is freed. */
static DbStatus collapse_root(Btree *tree, uint32_t child)
{
    uint8_t *root, *node;
    DbStatus rc = get_node_to_change(tree, tree->root, &root);
    if (rc != DB_OK)
        return rc;
    rc = get_node(tree, child, &node);
    if (rc == DB_OK) {
        memcpy(root, node, PAGE_USABLE_SIZE);
        root[PAGE_IS_ROOT_OFFSET] = 1;
        release_node(tree, child);
        rc = pager_free_page(tree->pager, child);
    }
    release_node(tree, tree->root);
    return rc;
}
/* book: end balance-shallower */

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

        if (level == 0)
            return !is_leaf && empty ? collapse_root(tree, only_child)
                                     : DB_OK;
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

DbStatus btree_delete(Btree *tree, int64_t key)
{
    Path path;
    uint8_t *leaf;
    uint16_t at;
    DbStatus rc = find_cell(tree, key, &path, &leaf, &at);
    if (rc != DB_OK)
        return rc;
    uint32_t leaf_page = path.pages[path.depth - 1];
    CellInfo info = cell_info(leaf, at);
    rc = pager_write(tree->pager, leaf_page);
    if (rc == DB_OK)
        page_remove(leaf, at);
    release_node(tree, leaf_page);
    if (rc == DB_OK)
        rc = rebalance(tree, &path, path.depth - 1);
    if (rc == DB_OK && info.chained)
        rc = free_chain(tree, info.overflow, info.size);
    return rc;
}

/* book: begin replace */
DbStatus btree_replace(Btree *tree, int64_t key, const uint8_t *payload,
                       size_t size)
{
    DbStatus rc = check_size(size);
    Path path;
    uint8_t *leaf;
    uint16_t at;
    if (rc == DB_OK)
        rc = find_cell(tree, key, &path, &leaf, &at);
    if (rc != DB_OK)
        return rc;
    CellInfo old = cell_info(leaf, at);
    uint16_t old_cell_size = page_cell_size(leaf, at);
    uint32_t local = page_local_size(size), overflow = 0;
    if (old.chained || local < size) {
        /* The old chain goes, the new one comes, then the way down
         * again to the cell. */
        release_node(tree, path.pages[path.depth - 1]);
        if (old.chained)
            rc = free_chain(tree, old.overflow, old.size);
        if (rc == DB_OK && local < size)
            rc = write_chain(tree, payload, size, local, &overflow);
        if (rc == DB_OK)
            rc = find_cell(tree, key, &path, &leaf, &at);
        if (rc != DB_OK)
            return rc;
    }
    uint32_t leaf_page = path.pages[path.depth - 1];
    rc = pager_write(tree->pager, leaf_page);
    if (rc != DB_OK) {
        release_node(tree, leaf_page);
        return rc;
    }
    uint8_t cell[LEAF_CELL_MAX_SIZE];
    uint16_t cell_size = make_cell(cell, key, payload, size, overflow);
    if (cell_size <= old_cell_size) {
        /* In place: the bytes the cell no longer needs become a hole. */
        memcpy(page_cell(leaf, at), cell, cell_size);
        put_u16(leaf + PAGE_FRAGMENTED_OFFSET,
                (uint16_t)(page_fragmented(leaf) + old_cell_size -
                           cell_size));
        release_node(tree, leaf_page);
        return rebalance(tree, &path, path.depth - 1);
    }
    /* Larger: out with the old cell, in with the new, as an insert would,
     * compacting or splitting the leaf if it must. */
    page_remove(leaf, at);
    return place_cell(tree, &path, leaf, cell, cell_size);
}
/* book: end replace */

/* --- cursors ---------------------------------------------------------- */

void btree_cursor_close(BtreeCursor *cursor)
{
    if (cursor->page_num != 0)
        release_node(cursor->tree, cursor->page_num);
    cursor->page_num = 0;
    cursor->leaf = NULL;
    free(cursor->buffer);
    cursor->buffer = NULL;
    cursor->buffer_cap = 0;
}

/* Moves past empty leaves (only an empty root can be one) and past the
 * end of each leaf to the next, keeping the cursor's leaf pinned; ends
 * the walk after the last leaf. */
static DbStatus settle(BtreeCursor *cursor)
{
    Btree *tree = cursor->tree;
    for (;;) {
        uint8_t *leaf = cursor->leaf;
        if (page_type(leaf) != PAGE_LEAF)
            return db_fail(DB_ECORRUPT, "the leaf chain reaches page %u, "
                           "which is not a leaf", cursor->page_num);
        if (cursor->cell_num < page_n_cells(leaf)) {
            /* The cell's header is read once, here, for the key and for
             * btree_payload. */
            CellInfo info = cell_info(leaf, cursor->cell_num);
            cursor->key = info.key;
            cursor->size = info.size;
            cursor->local = info.data;
            return DB_OK;
        }
        uint32_t next = node_link(leaf);
        if (next == 0) {
            cursor->end_of_tree = true;
            return DB_OK;
        }
        if (++cursor->leaves_seen >= pager_page_count(tree->pager))
            return db_fail(DB_ECORRUPT, "the leaf chain loops");
        release_node(tree, cursor->page_num);
        cursor->page_num = 0;
        DbStatus rc = get_node(tree, next, &cursor->leaf);
        if (rc != DB_OK)
            return rc;
        cursor->page_num = next;
        cursor->cell_num = 0;
    }
}

/* Places CURSOR in the leaf where KEY is or would be. */
static DbStatus cursor_descend(Btree *tree, int64_t key, bool leftmost,
                               BtreeCursor *cursor)
{
    *cursor = (BtreeCursor){.tree = tree};
    uint32_t page_num = tree->root;
    for (int depth = 0; depth < BTREE_MAX_DEPTH; depth++) {
        uint8_t *node;
        DbStatus rc = get_node(tree, page_num, &node);
        if (rc != DB_OK)
            return rc;
        uint16_t at = leftmost ? 0 : page_find(node, key);
        if (page_type(node) == PAGE_LEAF) {
            cursor->page_num = page_num;
            cursor->leaf = node;
            cursor->cell_num = at;
            return settle(cursor);
        }
        uint32_t child = internal_child(node, at);
        release_node(tree, page_num);
        page_num = child;
    }
    return db_fail(DB_ECORRUPT, "the tree is deeper than %d levels",
                   BTREE_MAX_DEPTH);
}

DbStatus btree_first(Btree *tree, BtreeCursor *cursor)
{
    return cursor_descend(tree, 0, true, cursor);
}

DbStatus btree_seek(Btree *tree, int64_t key, BtreeCursor *cursor,
                    bool *found)
{
    DbStatus rc = cursor_descend(tree, key, false, cursor);
    *found = rc == DB_OK && !cursor->end_of_tree && cursor->key == key;
    return rc;
}

DbStatus btree_next(BtreeCursor *cursor)
{
    cursor->cell_num++;
    return settle(cursor);
}

DbStatus btree_payload(BtreeCursor *cursor, const uint8_t **data,
                       size_t *size)
{
    uint32_t local = page_local_size(cursor->size);
    *size = cursor->size;
    if (local == cursor->size) {
        *data = cursor->local; /* in the leaf, which stays pinned */
        return DB_OK;
    }
    if (cursor->size > cursor->buffer_cap) {
        uint8_t *grown = realloc(cursor->buffer, cursor->size);
        if (grown == NULL)
            return db_fail(DB_ENOMEM, "out of memory reading a payload of "
                           "%u bytes", cursor->size);
        cursor->buffer = grown;
        cursor->buffer_cap = cursor->size;
    }
    memcpy(cursor->buffer, cursor->local, local);
    DbStatus rc = read_chain(cursor->tree, get_u32(cursor->local + local),
                             cursor->size, local, cursor->buffer, NULL);
    if (rc != DB_OK)
        return db_fail(rc, "key %" PRId64 ": %s", cursor->key, db_errmsg());
    *data = cursor->buffer;
    return DB_OK;
}

DbStatus btree_last_key(Btree *tree, bool *empty, int64_t *key)
{
    Path path;
    uint8_t *leaf;
    DbStatus rc = descend(tree, INT64_MAX, &path, &leaf);
    if (rc != DB_OK)
        return rc;
    /* The rightmost leaf is empty only if it is the root. */
    uint16_t n = page_n_cells(leaf);
    *empty = n == 0;
    if (n > 0)
        *key = page_key(leaf, (uint16_t)(n - 1));
    release_node(tree, path.pages[path.depth - 1]);
    return DB_OK;
}

DbStatus btree_estimate_rows(Btree *tree, double *rows)
{
    uint32_t page_num = tree->root;
    double estimate = 1;
    for (int depth = 0; depth < BTREE_MAX_DEPTH; depth++) {
        uint8_t *node;
        DbStatus rc = get_node(tree, page_num, &node);
        if (rc != DB_OK)
            return rc;
        uint16_t n = page_n_cells(node);
        bool is_leaf = page_type(node) == PAGE_LEAF;
        uint32_t child = is_leaf ? 0 : internal_child(node, 0);
        release_node(tree, page_num);
        if (is_leaf) {
            *rows = estimate * n;
            return DB_OK;
        }
        estimate *= n + 1;
        page_num = child;
    }
    return db_fail(DB_ECORRUPT, "the tree is deeper than %d levels",
                   BTREE_MAX_DEPTH);
}

DbStatus btree_height(Btree *tree, uint32_t *height)
{
    Path path;
    uint8_t *leaf;
    DbStatus rc = descend(tree, 0, &path, &leaf);
    if (rc != DB_OK)
        return rc;
    *height = path.depth;
    release_node(tree, path.pages[path.depth - 1]);
    return DB_OK;
}

/* --- walking every page ------------------------------------------------ */

/* What to do at each page of a walk over a whole tree. */
typedef struct Walk {
    Btree *tree;
    uint8_t *seen;        /* mark each page; a page met twice is an error */
    bool free_pages;      /* free each page after its children (drop) */
} Walk;

static DbStatus mark(uint8_t *seen, uint32_t page_num)
{
    if (seen == NULL)
        return DB_OK;
    if (seen[page_num])
        return db_fail(DB_ECORRUPT, "page %u is reached twice", page_num);
    seen[page_num] = 1;
    return DB_OK;
}

static DbStatus walk(Walk *w, uint32_t page_num, int depth)
{
    if (depth >= BTREE_MAX_DEPTH)
        return db_fail(DB_ECORRUPT, "the tree is deeper than %d levels",
                       BTREE_MAX_DEPTH);
    uint8_t *node;
    DbStatus rc = get_node(w->tree, page_num, &node);
    if (rc != DB_OK)
        return rc;
    rc = mark(w->seen, page_num);
    bool is_leaf = page_type(node) == PAGE_LEAF;
    uint16_t n = page_n_cells(node);
    /* The children and chains to visit, copied so that the node is not
     * pinned while they are. */
    uint32_t *next = malloc((n + 1) * 2 * sizeof *next);
    uint32_t *sizes = next + n + 1;
    uint16_t n_next = 0;
    if (next == NULL)
        rc = db_fail(DB_ENOMEM, "out of memory");
    for (uint16_t i = 0; rc == DB_OK && i <= n; i++) {
        if (is_leaf && i < n) {
            CellInfo info = cell_info(node, i);
            if (info.chained) {
                sizes[n_next] = info.size;
                next[n_next++] = info.overflow;
            }
        } else if (!is_leaf) {
            next[n_next++] = internal_child(node, i);
        }
    }
    release_node(w->tree, page_num);
    for (uint16_t i = 0; rc == DB_OK && i < n_next; i++) {
        if (!is_leaf)
            rc = walk(w, next[i], depth + 1);
        else if (w->free_pages)
            rc = free_chain(w->tree, next[i], sizes[i]);
        else
            rc = read_chain(w->tree, next[i], sizes[i], 0, NULL, w->seen);
    }
    free(next);
    if (rc == DB_OK && w->free_pages)
        rc = pager_free_page(w->tree->pager, page_num);
    return rc;
}

DbStatus btree_pages(Btree *tree, uint8_t *seen)
{
    Walk w = {.tree = tree, .seen = seen};
    return walk(&w, tree->root, 0);
}

DbStatus btree_drop(Btree *tree)
{
    Walk w = {.tree = tree, .free_pages = true};
    DbStatus rc = walk(&w, tree->root, 0);
    btree_close(tree);
    return rc;
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
        fprintf(out, "%*s- leaf %u (size %u)\n", indent, "", page_num, n);
        for (uint16_t i = 0; i < n; i++) {
            CellInfo info = cell_info(node, i);
            fprintf(out, "%*s- %" PRId64, indent + 2, "", info.key);
            if (info.chained)
                fprintf(out, " (%" PRIu32 " bytes, overflow from page %"
                        PRIu32 ")", info.size, info.overflow);
            fprintf(out, "\n");
        }
        release_node(tree, page_num);
        return DB_OK;
    }
    /* A copy of the keys and children, so that the page need not stay
     * pinned while the subtrees are printed. */
    Internal *in = malloc(sizeof *in);
    if (in == NULL) {
        release_node(tree, page_num);
        return db_fail(DB_ENOMEM, "out of memory");
    }
    internal_load(node, in);
    release_node(tree, page_num);
    fprintf(out, "%*s- internal %u (size %u)\n", indent, "", page_num, n);
    for (uint32_t i = 0; i <= in->n_keys && rc == DB_OK; i++) {
        rc = print_node(tree, in->children[i], indent + 2, depth + 1, out);
        if (i < in->n_keys)
            fprintf(out, "%*s- key %" PRId64 "\n", indent + 2, "",
                    in->keys[i]);
    }
    free(in);
    return rc;
}

DbStatus btree_print(Btree *tree, FILE *out)
{
    fprintf(out, "Tree (root page %u):\n", tree->root);
    return print_node(tree, tree->root, 0, 0, out);
}

DbStatus btree_describe_page(Pager *pager, uint32_t page_num, char *line,
                             size_t size)
{
    uint8_t *page;
    DbStatus rc = pager_get_page(pager, page_num, &page);
    if (rc == DB_ECORRUPT) { /* its checksum: the list goes on */
        snprintf(line, size, "corrupt: %s", db_errmsg());
        return DB_OK;
    }
    if (rc != DB_OK)
        return rc;
    uint8_t type = page_type(page);
    if (page_num == 0)
        snprintf(line, size, "header");
    else if (type == PAGE_TYPE_FREE)
        snprintf(line, size, "free");
    else if (type == PAGE_OVERFLOW)
        snprintf(line, size, "overflow");
    else if (page_validate(page, page_num) != DB_OK)
        snprintf(line, size, "corrupt: %s", db_errmsg());
    else
        snprintf(line, size, "%-8s  %5u  %4u", type == PAGE_LEAF
                 ? "leaf" : "internal", page_n_cells(page), page_free(page));
    pager_release(pager, page_num);
    return DB_OK;
}

/* Prints tree page PAGE_NUM, pinned at PAGE. */
static DbStatus print_page(uint32_t page_num, uint8_t *page, FILE *out)
{
    if (page_num == 0) {
        fprintf(out, "Page 0: the file header\n");
        return DB_OK;
    }
    if (page_type(page) == PAGE_TYPE_FREE) {
        fprintf(out, "Page %u: free\n", page_num);
        return DB_OK;
    }
    if (page_type(page) == PAGE_OVERFLOW) {
        fprintf(out, "Page %u: overflow\nnext: %u\n", page_num,
                get_u32(page + OVERFLOW_NEXT_OFFSET));
        return DB_OK;
    }
    DbStatus rc = page_validate(page, page_num);
    if (rc != DB_OK)
        return rc;
    bool is_leaf = page_type(page) == PAGE_LEAF;
    uint16_t n = page_n_cells(page);
    uint32_t link = get_u32(page + PAGE_LINK_OFFSET);
    fprintf(out, "Page %u: %s%s\n", page_num, is_leaf ? "leaf" : "internal",
            page[PAGE_IS_ROOT_OFFSET] ? ", root" : "");
    fprintf(out, "cells: %u\n", n);
    fprintf(out, "cell area start: %u\n",
            get_u16(page + PAGE_CELL_START_OFFSET));
    fprintf(out, "free: %u bytes (gap %u, fragmented %u)\n", page_free(page),
            page_gap(page), page_fragmented(page));
    if (is_leaf)
        fprintf(out, "next leaf: %u\n", link);
    else
        fprintf(out, "right child: %u\n", link);
    fprintf(out, "slot  offset  size  key%s\n",
            is_leaf ? "  payload" : "  child");
    for (uint16_t i = 0; i < n; i++) {
        fprintf(out, "%4u  %6u  %4u  %" PRId64, i, page_cell_offset(page, i),
                page_cell_size(page, i), page_key(page, i));
        if (is_leaf) {
            CellInfo info = cell_info(page, i);
            fprintf(out, "  %" PRIu32, info.size);
            if (info.chained)
                fprintf(out, " (overflow from page %" PRIu32 ")",
                        info.overflow);
        } else {
            fprintf(out, "  %u", get_u32(page_cell(page, i) + 8));
        }
        fprintf(out, "\n");
    }
    return DB_OK;
}

DbStatus btree_print_page(Pager *pager, uint32_t page_num, FILE *out)
{
    uint8_t *page;
    DbStatus rc = pager_get_page(pager, page_num, &page);
    if (rc != DB_OK)
        return rc;
    rc = print_page(page_num, page, out);
    pager_release(pager, page_num);
    return rc;
}

/* --- checking --------------------------------------------------------- */

typedef struct Check {
    Btree *tree;
    uint8_t *seen;         /* pages met so far */
    DbStatus (*check)(void *ctx, int64_t key, const uint8_t *payload,
                      size_t size);
    void *ctx;
    int leaf_depth;        /* depth of the first leaf; -1 before it */
    uint32_t n_leaves;
    uint32_t *leaves;      /* leaves in key order, as the walk finds them */
    uint32_t leaves_cap;
    uint8_t *payload;      /* room for the largest payload met so far */
    size_t payload_cap;
} Check;

/* Checks one payload: its chain, and what CHECK says of its bytes. */
static DbStatus check_payload(Check *c, uint32_t page_num, uint8_t *node,
                              uint16_t i)
{
    CellInfo info = cell_info(node, i);
    if (info.size > BTREE_MAX_PAYLOAD)
        return db_fail(DB_ECORRUPT, "page %u: the payload of key %" PRId64
                       " is %u bytes, more than a row can be", page_num,
                       info.key, info.size);
    if (info.size > c->payload_cap) {
        uint8_t *grown = realloc(c->payload, info.size);
        if (grown == NULL)
            return db_fail(DB_ENOMEM, "out of memory");
        c->payload = grown;
        c->payload_cap = info.size;
    }
    if (info.size > 0)
        memcpy(c->payload, info.data, info.local);
    DbStatus rc = DB_OK;
    if (info.chained)
        rc = read_chain(c->tree, info.overflow, info.size, info.local,
                        c->payload, c->seen);
    if (rc == DB_OK)
        rc = c->check(c->ctx, info.key, c->payload, info.size);
    if (rc != DB_OK)
        return db_fail(rc, "page %u: %s", page_num, db_errmsg());
    return DB_OK;
}

/* Checks node PAGE_NUM (pinned, at NODE) on its own: its place in the
 * tree, its fill, its keys against the bounds (LO, HI] its parent gives,
 * and a leaf's payloads. */
static DbStatus check_one(Check *c, uint32_t page_num, uint8_t *node,
                          int64_t lo, bool has_lo, int64_t hi, int depth)
{
    DbStatus rc = page_check(node, page_num);
    if (rc != DB_OK)
        return rc;
    rc = mark(c->seen, page_num);
    if (rc != DB_OK)
        return rc;
    bool is_root = page_num == c->tree->root;
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
    if (n > 0 && ((has_lo && page_key(node, 0) <= lo) ||
                  page_key(node, n - 1) > hi))
        return db_fail(DB_ECORRUPT, "page %u: its keys leave the bounds its "
                       "parent gives", page_num);
    if (!is_leaf)
        return DB_OK;

    if (c->leaf_depth < 0)
        c->leaf_depth = depth;
    if (depth != c->leaf_depth)
        return db_fail(DB_ECORRUPT, "leaf %u is at depth %d, another at %d",
                       page_num, depth, c->leaf_depth);
    for (uint16_t i = 0; rc == DB_OK && i < n; i++)
        rc = check_payload(c, page_num, node, i);
    if (rc != DB_OK)
        return rc;
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
                           bool has_lo, int64_t hi, int depth)
{
    if (depth >= BTREE_MAX_DEPTH)
        return db_fail(DB_ECORRUPT, "the tree is deeper than %d levels",
                       BTREE_MAX_DEPTH);
    uint8_t *node;
    DbStatus rc = get_node(c->tree, page_num, &node);
    if (rc != DB_OK)
        return rc;
    rc = check_one(c, page_num, node, lo, has_lo, hi, depth);
    bool is_leaf = page_type(node) == PAGE_LEAF;
    Internal *in = NULL;
    if (rc == DB_OK && !is_leaf) {
        in = malloc(sizeof *in);
        if (in == NULL)
            rc = db_fail(DB_ENOMEM, "out of memory");
        else
            internal_load(node, in);
    }
    release_node(c->tree, page_num);
    for (uint32_t i = 0; rc == DB_OK && in && i <= in->n_keys; i++) {
        bool child_has_lo = i > 0 || has_lo;
        int64_t child_lo = i == 0 ? lo : in->keys[i - 1];
        int64_t child_hi = i == in->n_keys ? hi : in->keys[i];
        rc = check_node(c, in->children[i], child_lo, child_has_lo,
                        child_hi, depth + 1);
    }
    free(in);
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
                     DbStatus (*check)(void *ctx, int64_t key,
                                       const uint8_t *payload, size_t size),
                     void *ctx)
{
    Check c = {.tree = tree, .seen = seen, .check = check, .ctx = ctx,
               .leaf_depth = -1};
    DbStatus rc = check_node(&c, tree->root, 0, false, INT64_MAX, 0);
    if (rc == DB_OK)
        rc = check_leaf_chain(&c);
    free(c.leaves);
    free(c.payload);
    return rc;
}

/* --- opening ---------------------------------------------------------- */

DbStatus btree_create(Pager *pager, uint32_t *root)
{
    uint8_t *node;
    DbStatus rc = pager_allocate_page(pager, root);
    if (rc == DB_OK)
        rc = pager_get_page(pager, *root, &node);
    if (rc != DB_OK)
        return rc;
    page_init(node, PAGE_LEAF, true);
    pager_mark_checked(pager, *root);
    pager_release(pager, *root);
    return DB_OK;
}

DbStatus btree_open(Pager *pager, uint32_t root, Btree **out)
{
    *out = NULL;
    Btree *tree = malloc(sizeof *tree);
    if (tree == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    *tree = (Btree){.pager = pager, .root = root};
    uint8_t *node;
    DbStatus rc = root > 0 && root < pager_page_count(pager)
                      ? get_node(tree, root, &node)
                      : db_fail(DB_ECORRUPT, "page %u is not a tree's root: "
                                "the file has %u pages", root,
                                pager_page_count(pager));
    if (rc == DB_OK) {
        if (!node[PAGE_IS_ROOT_OFFSET])
            rc = db_fail(DB_ECORRUPT, "page %u is not a tree's root",
                         root);
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
