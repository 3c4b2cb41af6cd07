/*
 * test_page.c - slotted pages on their own: cells in key order, deletes
 * that leave holes, compaction, and bytes that break the layout; index
 * pages: byte keys in memcmp order, a prefix first, their children, and
 * index cells that break the layout.
 */
#include <string.h>

#include "bytes.h"
#include "page.h"
#include "unittest.h"

/* A leaf cell with KEY and a payload of SIZE copies of the byte FILL. */
static uint16_t cell(uint8_t *buf, int64_t key, uint16_t size, uint8_t fill)
{
    uint32_t header = page_put_leaf_header(buf, key, size);
    memset(buf + header, fill, size);
    return (uint16_t)(header + size);
}

static void test_empty_page(void)
{
    uint8_t page[PAGE_SIZE];
    page_init(page, PAGE_LEAF, true);
    CHECK_EQ(page_n_cells(page), 0);
    CHECK_EQ(page_free(page), PAGE_CAPACITY);
    CHECK_EQ(page_gap(page), PAGE_CAPACITY);
    CHECK_EQ(page_check(page, 1), DB_OK);
}

static void test_slots_stay_in_key_order(void)
{
    uint8_t page[PAGE_SIZE], buf[64];
    page_init(page, PAGE_LEAF, false);
    int64_t keys[] = {30, -10, 20};
    for (int i = 0; i < 3; i++) {
        uint16_t size = cell(buf, keys[i], 10, 'x');
        PageKey key = {.rowid = keys[i]};
        uint16_t at;
        CHECK_EQ(page_find_key(page, 1, &key, &at), DB_OK);
        CHECK(page_insert(page, at, buf, size));
    }
    CHECK_EQ(page_key(page, 0), -10);
    CHECK_EQ(page_key(page, 1), 20);
    CHECK_EQ(page_key(page, 2), 30);
    /* Cells grow from the back of the usable area: the first inserted
     * is last in the page. Each is 1 byte of key, 1 of size, 10 of
     * payload. */
    CHECK_EQ(page_cell_offset(page, 2), PAGE_USABLE_SIZE - 12);
    CHECK_EQ(page_cell_size(page, 2), 12);
    CHECK_EQ(page_free(page), PAGE_CAPACITY - 3 * (12 + 2));
    CHECK_EQ(page_check(page, 1), DB_OK);
}

static void test_delete_leaves_a_hole_that_compaction_closes(void)
{
    uint8_t page[PAGE_SIZE], buf[PAGE_SIZE];
    page_init(page, PAGE_LEAF, false);
    /* Fill the page with 100-byte cells until the gap is too small. */
    int64_t key = 1;
    uint16_t size = cell(buf, key, 98, 'a');
    while (page_insert(page, page_n_cells(page), buf, size))
        size = cell(buf, ++key, 98, 'a');
    uint16_t n = page_n_cells(page);
    CHECK_EQ(n, PAGE_CAPACITY / 102);
    uint16_t gap = page_gap(page);

    page_remove(page, 0);
    page_remove(page, 5);
    CHECK_EQ(page_fragmented(page), 200);
    CHECK_EQ(page_gap(page), gap + 4);
    CHECK_EQ(page_check(page, 1), DB_OK);

    /* 150 bytes do not fit in the gap but fit in gap + holes. */
    size = cell(buf, 1000, 146, 'b');
    CHECK(size + 2 > page_gap(page));
    CHECK(page_insert(page, page_n_cells(page), buf, size));
    CHECK_EQ(page_fragmented(page), 0);
    CHECK_EQ(page_n_cells(page), n - 1);
    CHECK_EQ(page_check(page, 1), DB_OK);
    CHECK_EQ(page_key(page, page_n_cells(page) - 1), 1000);
    CHECK_EQ(page_cell(page, page_n_cells(page) - 1)[4], 'b');

    /* What no amount of compaction can hold is refused unchanged. */
    uint8_t before[PAGE_SIZE];
    memcpy(before, page, PAGE_SIZE);
    size = cell(buf, 2000, 1000, 'c');
    CHECK(size <= LEAF_CELL_MAX_SIZE);
    CHECK(!page_insert(page, 0, buf, size));
    CHECK(memcmp(before, page, PAGE_SIZE) == 0);
}

static void test_slot_outside_the_page_is_corrupt(void)
{
    uint8_t page[PAGE_SIZE], buf[64];
    page_init(page, PAGE_LEAF, false);
    uint16_t size = cell(buf, 1, 10, 'x');
    CHECK(page_insert(page, 0, buf, size));
    put_u16(page + PAGE_HEADER_SIZE, 4095);
    CHECK_EQ(page_validate(page, 1), DB_ECORRUPT);
    put_u16(page + PAGE_HEADER_SIZE, 100);
    CHECK_EQ(page_validate(page, 1), DB_ECORRUPT);
}

static void test_bad_cell_length_is_corrupt(void)
{
    uint8_t page[PAGE_SIZE], buf[64];
    page_init(page, PAGE_LEAF, false);
    uint16_t size = cell(buf, 1, 10, 'x');
    CHECK(page_insert(page, 0, buf, size));
    page_put_leaf_header(page_cell(page, 0), 1, 127); /* past the page */
    CHECK_EQ(page_validate(page, 1), DB_ECORRUPT);
    page_put_leaf_header(page_cell(page, 0), 1, 9);
    CHECK_EQ(page_validate(page, 1), DB_ECORRUPT); /* bytes don't add up */
}

static void test_overlapping_cells_are_corrupt(void)
{
    uint8_t page[PAGE_SIZE], buf[64];
    page_init(page, PAGE_LEAF, false);
    for (int64_t key = 1; key <= 2; key++) {
        uint16_t size = cell(buf, key, 10, 'x');
        CHECK(page_insert(page, (uint16_t)(key - 1), buf, size));
    }
    /* Two 12-byte cells 6 bytes apart, in a 24-byte cell area: the byte
     * count adds up, so only the stricter check sees the overlap. */
    uint8_t *area = page + PAGE_USABLE_SIZE - 24;
    put_u16(page + PAGE_CELL_START_OFFSET, PAGE_USABLE_SIZE - 24);
    put_u16(page + PAGE_HEADER_SIZE, PAGE_USABLE_SIZE - 24);
    put_u16(page + PAGE_HEADER_SIZE + 2, PAGE_USABLE_SIZE - 18);
    page_put_leaf_header(area, 1, 10);
    page_put_leaf_header(area + 6, 2, 10);
    CHECK_EQ(page_validate(page, 1), DB_OK);
    CHECK_EQ(page_check(page, 1), DB_ECORRUPT);
}

/* From 08 a read checks the slots when it loads a page and each cell
 * when it reads it: a damaged cell passes the first, fails the second,
 * and a search that reads it says so; one that reads other cells does
 * not. */
static void test_a_damaged_cell_is_found_when_it_is_read(void)
{
    uint8_t page[PAGE_SIZE], buf[64];
    page_init(page, PAGE_LEAF, false);
    for (int64_t key = 1; key <= 7; key++) {
        uint16_t size = cell(buf, key, 10, 'x');
        CHECK(page_insert(page, (uint16_t)(key - 1), buf, size));
    }
    /* Key 2's cell, inserted second, starts 24 bytes before the page's
     * end: a payload size of 127 runs past it. */
    page_put_leaf_header(page_cell(page, 1), 2, 127);
    CHECK_EQ(page_validate_slots(page, 1), DB_OK);
    CHECK_EQ(page_validate(page, 1), DB_ECORRUPT);
    CHECK_EQ(page_check_cell(page, 1, 0), DB_OK);
    CHECK_EQ(page_check_cell(page, 1, 1), DB_ECORRUPT);
    uint16_t at = 99;
    PageKey two = {.rowid = 2}, six = {.rowid = 6};
    CHECK_EQ(page_find_key(page, 1, &two, &at), DB_ECORRUPT);
    CHECK_EQ(at, 99);
    CHECK_EQ(page_find_key(page, 1, &six, &at), DB_OK);
    CHECK_EQ(at, 5);
    /* A slot outside the cell area fails the first check. */
    put_u16(page + PAGE_HEADER_SIZE + 2, 4091);
    CHECK_EQ(page_validate_slots(page, 1), DB_ECORRUPT);
}

static void test_index_keys_go_in_memcmp_order(void)
{
    uint8_t page[PAGE_SIZE], buf[PAGE_MAX_INDEX_KEY + 8];
    page_init(page, PAGE_INDEX_LEAF, false);
    CHECK(page_is_leaf(page) && page_is_index(page));
    const char *keys[] = {"b", "ab", "", "a", "a\xff", "a\x00"};
    uint32_t sizes[] = {1, 2, 0, 1, 2, 2};
    for (int i = 0; i < 6; i++) {
        PageKey key = {.bytes = (const uint8_t *)keys[i], .size = sizes[i]};
        uint16_t size = page_put_index_cell(buf, key.bytes, key.size);
        CHECK_EQ(size, 1 + sizes[i]);
        uint16_t at;
        CHECK_EQ(page_find_key(page, 1, &key, &at), DB_OK);
        CHECK(page_insert(page, at, buf, size));
    }
    /* "" < "a" < "a\0" < "ab" < "a\xff" < "b" */
    const char *sorted[] = {"", "a", "a\x00", "ab", "a\xff", "b"};
    uint32_t sorted_sizes[] = {0, 1, 2, 2, 2, 1};
    for (uint16_t i = 0; i < 6; i++) {
        PageKey key = page_cell_key(page, i);
        CHECK_EQ(key.size, sorted_sizes[i]);
        CHECK(memcmp(key.bytes, sorted[i], key.size) == 0);
    }
    CHECK_EQ(page_check(page, 1), DB_OK);

    /* An internal index cell: the key, then its child's page. */
    page_init(page, PAGE_INDEX_INTERNAL, true);
    CHECK(!page_is_leaf(page) && page_is_index(page));
    uint8_t longest[PAGE_MAX_INDEX_KEY];
    memset(longest, 'k', sizeof longest);
    uint16_t size = page_put_index_cell(buf, longest, PAGE_MAX_INDEX_KEY);
    CHECK_EQ(size, 2 + PAGE_MAX_INDEX_KEY); /* its size takes 2 bytes */
    put_u32(buf + size, 77);
    CHECK(page_insert(page, 0, buf, (uint16_t)(size + 4)));
    CHECK_EQ(page_cell_size(page, 0), INDEX_INTERNAL_CELL_MAX_SIZE);
    CHECK_EQ(page_cell_child(page, 0), 77);
    CHECK_EQ(page_check(page, 1), DB_OK);
}

static void test_damaged_index_cells_are_corrupt(void)
{
    uint8_t page[PAGE_SIZE], buf[64];
    page_init(page, PAGE_INDEX_LEAF, false);
    for (int i = 0; i < 2; i++) {
        uint8_t key[3] = {'k', (uint8_t)i, 0};
        CHECK(page_insert(page, (uint16_t)i, buf,
                          page_put_index_cell(buf, key, 3)));
    }
    CHECK_EQ(page_validate(page, 1), DB_OK);
    /* A key size past the longest key, or past the page. */
    uint8_t *cell = page_cell(page, 1);
    cell[0] = 0x80 | 0x01;
    cell[1] = PAGE_MAX_INDEX_KEY / 128 + 1;
    CHECK_EQ(page_validate(page, 1), DB_ECORRUPT);
    cell[0] = 4;
    CHECK_EQ(page_validate(page, 1), DB_ECORRUPT); /* bytes don't add up */
    cell[0] = 3;
    cell[1] = 'k';
    CHECK_EQ(page_check(page, 1), DB_OK);
    /* Two equal keys: the layout holds, the order does not. */
    cell[2] = 0;
    CHECK_EQ(page_validate(page, 1), DB_ECORRUPT);
    CHECK(strstr(db_errmsg(), "does not come after") != NULL);
    /* An unknown page type. */
    page[PAGE_TYPE_OFFSET] = 6;
    CHECK_EQ(page_validate(page, 1), DB_ECORRUPT);
}

int main(void)
{
    RUN(test_empty_page);
    RUN(test_slots_stay_in_key_order);
    RUN(test_delete_leaves_a_hole_that_compaction_closes);
    RUN(test_slot_outside_the_page_is_corrupt);
    RUN(test_bad_cell_length_is_corrupt);
    RUN(test_overlapping_cells_are_corrupt);
    RUN(test_a_damaged_cell_is_found_when_it_is_read);
    RUN(test_index_keys_go_in_memcmp_order);
    RUN(test_damaged_index_cells_are_corrupt);
    return unittest_report();
}
