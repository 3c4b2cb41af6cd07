/*
 * test_table.c - the table and pager below the REPL: filling the table,
 * reopening it, and refusing files that are not what they claim.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "table.h"
#include "unittest.h"

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

static Row make_row(uint32_t id)
{
    Row row = {.id = id};
    snprintf(row.username, sizeof row.username, "user%u", id);
    snprintf(row.email, sizeof row.email, "person%u@example.com", id);
    return row;
}

static void test_page_holds_13_rows(void)
{
    CHECK_EQ(TABLE_ROWS_PER_PAGE, 13);
    CHECK_EQ(TABLE_MAX_ROWS, 1300);
}

static void test_fill_reopen_and_read_back(void)
{
    fresh_path();
    Table *table;
    CHECK_EQ(table_open(path, &table), DB_OK);
    for (uint32_t id = 1; id <= TABLE_MAX_ROWS; id++) {
        Row row = make_row(id);
        CHECK_EQ(table_insert(table, &row), DB_OK);
    }
    Row extra = make_row(9999);
    CHECK_EQ(table_insert(table, &extra), DB_EFULL);
    CHECK_EQ(table_close(table), DB_OK);

    CHECK_EQ(table_open(path, &table), DB_OK);
    CHECK_EQ(table->n_rows, TABLE_MAX_ROWS);
    Cursor cursor;
    uint32_t expect = 1;
    for (table_start(table, &cursor); !cursor.end_of_table;
         cursor_advance(&cursor)) {
        Row row;
        CHECK_EQ(cursor_read(&cursor, &row), DB_OK);
        CHECK_EQ(row.id, expect);
        expect++;
    }
    CHECK_EQ(expect, TABLE_MAX_ROWS + 1);
    CHECK_EQ(table_close(table), DB_OK);
}

static void test_file_size_is_header_plus_used_pages(void)
{
    fresh_path();
    Table *table;
    CHECK_EQ(table_open(path, &table), DB_OK);
    for (uint32_t id = 1; id <= 14; id++) {
        Row row = make_row(id);
        CHECK_EQ(table_insert(table, &row), DB_OK);
    }
    CHECK_EQ(table_close(table), DB_OK);
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    CHECK_EQ(size, 3 * PAGE_SIZE);
}

static void test_garbage_is_not_a_database(void)
{
    fresh_path();
    write_file("hello, world", 12);
    Table *table;
    CHECK_EQ(table_open(path, &table), DB_EFORMAT);
    CHECK(table == NULL);
}

static void test_row_count_beyond_file_is_corrupt(void)
{
    fresh_path();
    Table *table;
    CHECK_EQ(table_open(path, &table), DB_OK);
    CHECK_EQ(table_close(table), DB_OK);

    /* Claim 14 rows (two pages) in a file that has only its header. */
    uint8_t page[PAGE_SIZE];
    FILE *f = fopen(path, "r+b");
    CHECK(fread(page, 1, PAGE_SIZE, f) == PAGE_SIZE);
    page[PAGER_HEADER_SIZE] = 14;
    rewind(f);
    fwrite(page, 1, PAGE_SIZE, f);
    fclose(f);
    CHECK_EQ(table_open(path, &table), DB_ECORRUPT);
}

static void test_second_open_is_refused_while_locked(void)
{
    fresh_path();
    Table *first, *second;
    CHECK_EQ(table_open(path, &first), DB_OK);
    /* fcntl locks belong to a process, so the second open must come from
     * another one. */
    pid_t pid = fork();
    if (pid == 0)
        _exit(table_open(path, &second) == DB_ELOCKED ? 0 : 1);
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
    RUN(test_page_holds_13_rows);
    RUN(test_fill_reopen_and_read_back);
    RUN(test_file_size_is_header_plus_used_pages);
    RUN(test_garbage_is_not_a_database);
    RUN(test_row_count_beyond_file_is_corrupt);
    RUN(test_second_open_is_refused_while_locked);
    return unittest_report();
}
