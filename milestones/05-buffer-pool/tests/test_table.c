/*
 * test_table.c - the table, tree and pager below the REPL: thousands of
 * rows in and out, page reuse, and damaged pages that must be refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "table.h"
#include "unittest.h"

/* A small pool, so that pages come and go while the tests run. */
#define FRAMES 16

static char path[64];

/* Gives each test a fresh, empty database path. */
static void fresh_path(void)
{
    static int n;
    snprintf(path, sizeof path, "%s/t%d.db", unittest_dir(), ++n);
}

static void write_file(const void *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    fwrite(bytes, 1, len, f);
    fclose(f);
}

/* Writes BYTE at OFFSET of the file, as damage on the disk would. */
static void patch_file(long offset, uint8_t byte)
{
    FILE *f = fopen(path, "r+b");
    fseek(f, offset, SEEK_SET);
    fputc(byte, f);
    fclose(f);
}

static Row make_row(uint32_t id)
{
    Row row = {.id = id};
    snprintf(row.username, sizeof row.username, "user%u", id);
    snprintf(row.email, sizeof row.email, "person%u@example.com", id);
    return row;
}

/* A row whose email is LEN bytes long, so that few fit in a leaf. */
static Row make_long_row(uint32_t id, size_t len)
{
    Row row = make_row(id);
    memset(row.email, 'e', len);
    row.email[len] = '\0';
    return row;
}

/* Each change is one transaction, as a statement is. */
static DbStatus insert(Table *table, const Row *row)
{
    DbStatus rc = table_begin(table);
    if (rc == DB_OK)
        rc = table_insert(table, row);
    if (rc == DB_OK)
        return table_commit(table);
    table_rollback(table);
    return rc;
}

static DbStatus delete(Table *table, uint32_t id)
{
    DbStatus rc = table_begin(table);
    if (rc == DB_OK)
        rc = table_delete(table, id);
    if (rc == DB_OK)
        return table_commit(table);
    table_rollback(table);
    return rc;
}

static DbStatus update(Table *table, const Row *row)
{
    DbStatus rc = table_begin(table);
    if (rc == DB_OK)
        rc = table_update(table, row);
    if (rc == DB_OK)
        return table_commit(table);
    table_rollback(table);
    return rc;
}

/* A fixed shuffle of 1..N, the same on every run. */
static void shuffle(uint32_t *ids, uint32_t n)
{
    uint32_t state = 12345;
    for (uint32_t i = 0; i < n; i++)
        ids[i] = i + 1;
    for (uint32_t i = n - 1; i > 0; i--) {
        state = state * 1103515245u + 12345u;
        uint32_t j = state % (i + 1);
        uint32_t tmp = ids[i];
        ids[i] = ids[j];
        ids[j] = tmp;
    }
}

static void test_layout_constants(void)
{
    CHECK_EQ(PAGE_CAPACITY, 4080); /* 4096 - the checksum - the header */
    CHECK_EQ(INTERNAL_NODE_MAX_KEYS, 408);
    CHECK_EQ(NODE_MIN_FILL, 1360);
}

static void test_random_inserts_read_back_in_order(void)
{
    enum { N = 5000 };
    static uint32_t ids[N];
    shuffle(ids, N);
    fresh_path();
    Table *table;
    CHECK_EQ(table_open(path, FRAMES, &evict_lru, &table), DB_OK);
    CHECK_EQ(table_begin(table), DB_OK); /* one commit: no sync per row */
    for (uint32_t i = 0; i < N; i++) {
        Row row = make_row(ids[i]);
        CHECK_EQ(table_insert(table, &row), DB_OK);
    }
    CHECK_EQ(table_commit(table), DB_OK);
    CHECK_EQ(table_check(table), DB_OK);
    CHECK_EQ(table_close(table), DB_OK);

    CHECK_EQ(table_open(path, FRAMES, &evict_lru, &table), DB_OK);
    CHECK_EQ(table_check(table), DB_OK);
    Cursor cursor;
    uint32_t expect = 1;
    DbStatus rc;
    for (rc = table_start(table, &cursor); rc == DB_OK && !cursor.end_of_table;
         rc = cursor_advance(&cursor)) {
        Row row;
        CHECK_EQ(cursor_read(&cursor, &row), DB_OK);
        CHECK_EQ(row.id, expect);
        expect++;
    }
    CHECK_EQ(rc, DB_OK);
    CHECK_EQ(expect, N + 1);
    CHECK_EQ(table_close(table), DB_OK);
}

static void test_freed_pages_are_reused_before_the_file_grows(void)
{
    fresh_path();
    Table *table;
    CHECK_EQ(table_open(path, FRAMES, &evict_lru, &table), DB_OK);
    for (uint32_t id = 1; id <= 300; id++) {
        Row row = make_row(id);
        CHECK_EQ(insert(table, &row), DB_OK);
    }
    uint32_t pages_when_full = pager_page_count(table->pager);
    for (uint32_t id = 1; id <= 250; id++)
        CHECK_EQ(delete(table, id), DB_OK);
    CHECK_EQ(table_check(table), DB_OK);
    for (uint32_t id = 1000; id < 1250; id++) {
        Row row = make_row(id);
        CHECK_EQ(insert(table, &row), DB_OK);
    }
    CHECK_EQ(table_check(table), DB_OK);
    CHECK_EQ(pager_page_count(table->pager), pages_when_full);
    CHECK_EQ(table_close(table), DB_OK);
}

static void test_delete_everything_leaves_one_empty_leaf(void)
{
    enum { N = 700 };
    static uint32_t ids[N];
    shuffle(ids, N);
    fresh_path();
    Table *table;
    CHECK_EQ(table_open(path, FRAMES, &evict_lru, &table), DB_OK);
    for (uint32_t id = 1; id <= N; id++) {
        Row row = make_row(id);
        CHECK_EQ(insert(table, &row), DB_OK);
    }
    for (uint32_t i = 0; i < N; i++) {
        CHECK_EQ(delete(table, ids[i]), DB_OK);
        if (i % 50 == 0)
            CHECK_EQ(table_check(table), DB_OK);
    }
    CHECK_EQ(table_check(table), DB_OK);
    Cursor cursor;
    CHECK_EQ(table_start(table, &cursor), DB_OK);
    CHECK(cursor.end_of_table);
    CHECK_EQ(table_close(table), DB_OK);
}

static void test_garbage_is_not_a_database(void)
{
    fresh_path();
    write_file("hello, world", 12);
    Table *table;
    CHECK_EQ(table_open(path, FRAMES, &evict_lru, &table), DB_EFORMAT);
    CHECK(table == NULL);
}

static void test_internal_nodes_merge_and_share(void)
{
    /* Long rows make many leaves, so that the root has internal children
     * that must merge and share keys as the rows go away. */
    enum { N = 20000 };
    static uint32_t ids[N];
    shuffle(ids, N);
    fresh_path();
    Table *table;
    CHECK_EQ(table_open(path, FRAMES, &evict_lru, &table), DB_OK);
    CHECK_EQ(table_begin(table), DB_OK);
    for (uint32_t id = 1; id <= N; id++) {
        Row row = make_long_row(id, 200);
        CHECK_EQ(table_insert(table, &row), DB_OK);
    }
    CHECK_EQ(table_commit(table), DB_OK);
    CHECK_EQ(table_check(table), DB_OK);
    CHECK_EQ(table_begin(table), DB_OK);
    for (uint32_t i = 0; i < N - 10; i++) {
        CHECK_EQ(table_delete(table, ids[i]), DB_OK);
        if (i % 997 == 0)
            CHECK_EQ(table_check(table), DB_OK);
    }
    CHECK_EQ(table_commit(table), DB_OK);
    CHECK_EQ(table_check(table), DB_OK);
    CHECK_EQ(table_close(table), DB_OK);
}

static void test_updates_that_grow_and_shrink(void)
{
    fresh_path();
    Table *table;
    CHECK_EQ(table_open(path, FRAMES, &evict_lru, &table), DB_OK);
    for (uint32_t id = 1; id <= 300; id++) {
        Row row = make_long_row(id, 10);
        CHECK_EQ(insert(table, &row), DB_OK);
    }
    for (uint32_t round = 0; round < 4; round++) {
        for (uint32_t id = 1; id <= 300; id++) {
            size_t len = (id * 7 + round * 101) % 256;
            Row row = make_long_row(id, len);
            CHECK_EQ(update(table, &row), DB_OK);
        }
        CHECK_EQ(table_check(table), DB_OK);
    }
    Row row;
    CHECK_EQ(table_find(table, 299, &row), DB_OK);
    CHECK_EQ(strlen(row.email), (299 * 7 + 3 * 101) % 256);
    CHECK_EQ(table_close(table), DB_OK);
}

/* The rows of TABLE with ids FROM .. TO have emails of LEN bytes. */
static void check_long_rows(Table *table, uint32_t from, uint32_t to,
                            size_t len)
{
    for (uint32_t id = from; id <= to; id++) {
        Row row;
        CHECK_EQ(table_find(table, id, &row), DB_OK);
        CHECK_EQ(strlen(row.email), len);
    }
}

static void test_a_transaction_bigger_than_the_pool_spills(void)
{
    fresh_path();
    Table *table;
    CHECK_EQ(table_open(path, POOL_MIN_FRAMES, &evict_lru, &table), DB_OK);
    Row first = make_row(1);
    CHECK_EQ(insert(table, &first), DB_OK);

    /* One transaction of long rows, some 250 leaves through 8 frames:
     * the pages the pool cannot keep go to the log before the commit. */
    CHECK_EQ(table_begin(table), DB_OK);
    for (uint32_t id = 2; id <= 2000; id++) {
        Row row = make_long_row(id, 250);
        CHECK_EQ(table_insert(table, &row), DB_OK);
    }
    BufPoolStats stats;
    bufpool_stats(pager_pool(table->pager), &stats);
    CHECK(stats.spills > 200);
    CHECK(table_txn_pages(table) > 200);
    CHECK_EQ(table_check(table), DB_OK);
    CHECK_EQ(table_commit(table), DB_OK);
    CHECK_EQ(table_txn_pages(table), 0);

    /* Another one, which rewrites every row and rolls back: the spilled
     * pages are taken back, and the committed ones come back from the
     * log or the file. */
    CHECK_EQ(table_begin(table), DB_OK);
    for (uint32_t id = 2; id <= 2000; id++) {
        Row row = make_long_row(id, 20);
        CHECK_EQ(table_update(table, &row), DB_OK);
    }
    table_rollback(table);
    CHECK_EQ(bufpool_pinned(pager_pool(table->pager)), 0);
    CHECK_EQ(table_check(table), DB_OK);
    check_long_rows(table, 2, 2000, 250);
    CHECK_EQ(table_close(table), DB_OK);

    CHECK_EQ(table_open(path, POOL_MIN_FRAMES, &evict_lru, &table), DB_OK);
    Row row;
    CHECK_EQ(table_find(table, 1, &row), DB_OK);
    check_long_rows(table, 2, 2000, 250);
    CHECK_EQ(table_check(table), DB_OK);
    CHECK_EQ(table_close(table), DB_OK);
}

static void test_child_pointer_past_the_end_is_corrupt(void)
{
    fresh_path();
    Table *table;
    CHECK_EQ(table_open(path, FRAMES, &evict_lru, &table), DB_OK);
    for (uint32_t id = 1; id <= 200; id++) {
        Row row = make_row(id);
        CHECK_EQ(insert(table, &row), DB_OK);
    }
    /* The root is now internal; point its right child far away. */
    uint8_t *header, *root;
    CHECK_EQ(pager_get_page(table->pager, 0, &header), DB_OK);
    uint32_t root_page = header[PAGER_HEADER_SIZE];
    pager_release(table->pager, 0);
    CHECK_EQ(pager_get_page(table->pager, root_page, &root), DB_OK);
    CHECK_EQ(page_type(root), PAGE_INTERNAL);
    root[PAGE_LINK_OFFSET] = 200;
    pager_release(table->pager, root_page);
    Row row;
    CHECK_EQ(table_find(table, 200, &row), DB_ECORRUPT);
    CHECK_EQ(table_find(table, 1, &row), DB_OK);
    CHECK_EQ(table_check(table), DB_ECORRUPT);
    CHECK_EQ(table_close(table), DB_OK);
}

static void test_cell_count_beyond_the_page_is_corrupt(void)
{
    fresh_path();
    Table *table;
    CHECK_EQ(table_open(path, FRAMES, &evict_lru, &table), DB_OK);
    for (uint32_t id = 1; id <= 200; id++) {
        Row row = make_row(id);
        CHECK_EQ(insert(table, &row), DB_OK);
    }
    CHECK_EQ(table_close(table), DB_OK);
    /* Page 1, the first leaf, says it has 200 cells. The damage is made
     * in the file: a page the tree has changed in memory is trusted. */
    patch_file(PAGE_SIZE + PAGE_N_CELLS_OFFSET, 200);
    CHECK_EQ(table_open(path, FRAMES, &evict_lru, &table), DB_OK);
    Cursor cursor;
    CHECK_EQ(table_start(table, &cursor), DB_ECORRUPT);
    Row one = make_row(1);
    CHECK_EQ(insert(table, &one), DB_ECORRUPT);
    CHECK_EQ(bufpool_pinned(pager_pool(table->pager)), 0);
    CHECK_EQ(table_close(table), DB_OK);
}

/* A page is checked once after it is read, and then trusted; bytes the
 * pager itself puts in it must be checked again. */
static void test_pages_the_pager_rewrites_lose_their_check(void)
{
    fresh_path();
    Table *table;
    CHECK_EQ(table_open(path, POOL_MIN_FRAMES, &evict_lru, &table), DB_OK);
    for (uint32_t id = 1; id <= 300; id++) {
        Row row = make_long_row(id, 250);
        CHECK_EQ(insert(table, &row), DB_OK);
    }
    CHECK_EQ(table_close(table), DB_OK);

    CHECK_EQ(table_open(path, POOL_MIN_FRAMES, &evict_lru, &table), DB_OK);
    Row row;
    CHECK_EQ(table_find(table, 1, &row), DB_OK); /* in leaf 1 */
    CHECK(pager_is_checked(table->pager, 1));
    uint8_t *page;
    CHECK_EQ(pager_get_page(table->pager, 0, &page), DB_OK);
    CHECK(!pager_is_checked(table->pager, 0));
    pager_release(table->pager, 0);
    /* Evicted and read again, the page is checked again. */
    for (uint32_t id = 20; id <= 300; id += 8)
        CHECK_EQ(table_find(table, id, &row), DB_OK);
    CHECK_EQ(pager_get_page(table->pager, 1, &page), DB_OK);
    CHECK(!pager_is_checked(table->pager, 1));
    pager_release(table->pager, 1);
    CHECK_EQ(table_find(table, 1, &row), DB_OK);
    CHECK(pager_is_checked(table->pager, 1));
    /* A rollback puts the old bytes back. */
    CHECK_EQ(table_begin(table), DB_OK);
    row = make_row(1);
    CHECK_EQ(table_update(table, &row), DB_OK);
    CHECK(pager_is_checked(table->pager, 1));
    table_rollback(table);
    CHECK(!pager_is_checked(table->pager, 1));
    CHECK_EQ(table_find(table, 1, &row), DB_OK);
    CHECK(pager_is_checked(table->pager, 1));
    /* The free list rewrites a page. */
    CHECK_EQ(table_begin(table), DB_OK);
    CHECK_EQ(pager_free_page(table->pager, 1), DB_OK);
    CHECK(!pager_is_checked(table->pager, 1));
    table_rollback(table);
    CHECK_EQ(table_check(table), DB_OK);
    CHECK_EQ(table_close(table), DB_OK);
}

static void test_second_open_is_refused_while_locked(void)
{
    fresh_path();
    Table *first, *second;
    CHECK_EQ(table_open(path, FRAMES, &evict_lru, &first), DB_OK);
    /* fcntl locks belong to a process, so the second open must come from
     * another one. */
    pid_t pid = fork();
    if (pid == 0)
        _exit(table_open(path, FRAMES, &evict_lru, &second) == DB_ELOCKED
                  ? 0
                  : 1);
    int status;
    waitpid(pid, &status, 0);
    CHECK_EQ(table_close(first), DB_OK);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
    if (unittest_dir() == NULL) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_layout_constants);
    RUN(test_random_inserts_read_back_in_order);
    RUN(test_freed_pages_are_reused_before_the_file_grows);
    RUN(test_delete_everything_leaves_one_empty_leaf);
    RUN(test_garbage_is_not_a_database);
    RUN(test_internal_nodes_merge_and_share);
    RUN(test_updates_that_grow_and_shrink);
    RUN(test_a_transaction_bigger_than_the_pool_spills);
    RUN(test_child_pointer_past_the_end_is_corrupt);
    RUN(test_cell_count_beyond_the_page_is_corrupt);
    RUN(test_pages_the_pager_rewrites_lose_their_check);
    RUN(test_second_open_is_refused_while_locked);
    return unittest_report();
}
