/*
 * test_btree.c - the B+tree on its own, over a real pager with a small
 * pool: random inserts, replaces and deletes of payloads from a few bytes
 * to many pages, checked against a model after each transaction; the root
 * stays on its page; a dropped tree gives every page back.
 */
#include <stdlib.h>
#include <string.h>

#include "btree.h"
#include "unittest.h"

#define N_KEYS 400

static char path[512];
static unsigned long long seed = 20261201;

static uint32_t next_random(void)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(seed >> 33);
}

/* The model: the payload of each key (NULL: absent) and its size. */
static uint8_t *model[N_KEYS];
static size_t model_size[N_KEYS];

/* Payloads are mostly small, sometimes a few pages, once in a while 40
 * KiB; each byte says which key and which version it belongs to. */
static size_t random_size(void)
{
    uint32_t r = next_random() % 100;
    if (r < 70)
        return next_random() % 200;
    if (r < 95)
        return PAGE_MAX_LOCAL - 50 + next_random() % 9000;
    return 40 * 1024 + next_random() % 100;
}

static uint8_t *make_payload(size_t size, uint8_t tag)
{
    uint8_t *p = malloc(size ? size : 1);
    for (size_t i = 0; i < size; i++)
        p[i] = (uint8_t)(tag + i * 7);
    return p;
}

static DbStatus count_free(void *ctx, uint32_t page_num)
{
    (void)page_num;
    ++*(uint32_t *)ctx;
    return DB_OK;
}

typedef struct Counted {
    uint32_t n;
    int bad;
} Counted;

static DbStatus count_rows(void *ctx, int64_t key, const uint8_t *payload,
                           size_t size)
{
    Counted *c = ctx;
    c->n++;
    if (key < 0 || key >= N_KEYS || model[key] == NULL ||
        model_size[key] != size ||
        (size && memcmp(model[key], payload, size) != 0))
        c->bad++;
    return DB_OK;
}

/* The tree holds exactly the model, in key order, and passes its check. */
static int matches_model(Pager *pager, Btree *tree)
{
    BtreeCursor cursor;
    int64_t key = -1;
    DbStatus rc = btree_first(tree, &cursor);
    for (; rc == DB_OK && !cursor.end_of_tree; rc = btree_next(&cursor)) {
        for (key++; key < cursor.key; key++)
            if (model[key] != NULL)
                return 0;
        const uint8_t *data;
        size_t size;
        if (btree_payload(&cursor, &data, &size) != DB_OK ||
            model[key] == NULL || size != model_size[key] ||
            (size && memcmp(data, model[key], size) != 0))
            return 0;
    }
    btree_cursor_close(&cursor);
    for (key++; key < N_KEYS; key++)
        if (model[key] != NULL)
            return 0;
    uint8_t *seen = calloc(pager_page_count(pager), 1);
    Counted counted = {0};
    rc = rc == DB_OK ? btree_check(tree, seen, count_rows, &counted) : rc;
    free(seen);
    return rc == DB_OK && counted.bad == 0;
}

static void test_random_changes_match_a_model(void)
{
    snprintf(path, sizeof path, "%s/tree.db", unittest_dir());
    Pager *pager;
    CHECK_EQ(pager_open(path, POOL_MIN_FRAMES, &evict_clock, &pager),
             DB_OK);
    uint32_t root;
    Btree *tree;
    CHECK_EQ(pager_begin(pager), DB_OK);
    CHECK_EQ(btree_create(pager, &root), DB_OK);
    CHECK_EQ(pager_commit(pager), DB_OK);
    CHECK_EQ(btree_open(pager, root, &tree), DB_OK);
    for (int txn = 0; txn < 300; txn++) {
        CHECK_EQ(pager_begin(pager), DB_OK);
        for (int op = 0; op < 8; op++) {
            int64_t key = next_random() % N_KEYS;
            size_t size = random_size();
            uint8_t *payload = make_payload(size, (uint8_t)(txn + op));
            DbStatus rc;
            if (model[key] == NULL) {
                rc = btree_insert(tree, key, payload, size);
            } else if (next_random() % 3 == 0) {
                rc = btree_delete(tree, key);
                free(payload);
                payload = NULL;
            } else {
                rc = btree_replace(tree, key, payload, size);
            }
            CHECK_EQ(rc, DB_OK);
            free(model[key]);
            model[key] = payload;
            model_size[key] = size;
        }
        CHECK_EQ(pager_commit(pager), DB_OK);
        if (txn % 50 == 49)
            CHECK(matches_model(pager, tree));
    }
    CHECK(matches_model(pager, tree));
    uint32_t height;
    CHECK_EQ(btree_height(tree, &height), DB_OK);
    CHECK(height >= 2); /* the root split, and stayed on its page */
    btree_close(tree);
    CHECK_EQ(btree_open(pager, root, &tree), DB_OK);
    CHECK(matches_model(pager, tree));

    /* A rolled-back transaction leaves the tree as it was, even after
     * spilling pages of a large payload out of the 8 frames. */
    CHECK_EQ(pager_begin(pager), DB_OK);
    uint8_t *big = make_payload(200000, 9);
    int64_t key = 0;
    while (model[key] != NULL)
        key++;
    CHECK_EQ(btree_insert(tree, key, big, 200000), DB_OK);
    for (int64_t k = 0; k < N_KEYS; k++)
        if (model[k] != NULL)
            CHECK_EQ(btree_delete(tree, k), DB_OK);
    pager_rollback(pager);
    free(big);
    CHECK(matches_model(pager, tree));

    /* Dropping the tree frees every page it had: what stays in use is
     * the header alone. */
    CHECK_EQ(pager_begin(pager), DB_OK);
    CHECK_EQ(btree_drop(tree), DB_OK);
    CHECK_EQ(pager_commit(pager), DB_OK);
    uint32_t free_pages = 0;
    CHECK_EQ(pager_walk_free_list(pager, count_free, &free_pages), DB_OK);
    CHECK_EQ(free_pages, pager_page_count(pager) - 1);
    CHECK_EQ(pager_close(pager), DB_OK);
    for (int i = 0; i < N_KEYS; i++)
        free(model[i]);
}

int main(void)
{
    if (unittest_dir() == NULL)
        return 1;
    RUN(test_random_changes_match_a_model);
    return unittest_report();
}
