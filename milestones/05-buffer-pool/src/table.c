/*
 * table.c - the rows of the table, stored as the values of a B+tree
 * keyed by id.
 *
 * Owns: turning rows into tree values and back, and checking the file as
 * a whole (tree pages and free pages together).
 * Does not: know how the tree is laid out in pages (btree.c does), or
 * read and write the file (the pager does).
 */
#include "table.h"

#include <stdlib.h>

#include "bytes.h"
#include "page.h"

_Static_assert(ROW_MAX_SIZE <= BTREE_MAX_VALUE_SIZE,
               "a tree value can hold any row");

DbStatus table_open(const char *path, uint32_t n_frames,
                    const EvictPolicy *policy, Table **out)
{
    *out = NULL;
    Table *table = calloc(1, sizeof *table);
    if (table == NULL)
        return db_fail(DB_ENOMEM, "out of memory");

    /* A new file's header page and empty tree are its first commit. */
    DbStatus rc = pager_open(path, n_frames, policy, &table->pager);
    if (rc == DB_OK)
        rc = pager_begin(table->pager);
    if (rc == DB_OK)
        rc = btree_open(table->pager, &table->tree);
    if (rc == DB_OK)
        rc = pager_commit(table->pager);
    if (rc != DB_OK) {
        if (table->tree != NULL)
            btree_close(table->tree);
        if (rc == DB_ECORRUPT && table->pager != NULL)
            rc = db_fail(DB_ECORRUPT, "'%s' is corrupt: %s.", path,
                         db_errmsg());
        if (table->pager != NULL)
            pager_discard(table->pager);
        free(table);
        return rc;
    }
    *out = table;
    return DB_OK;
}

DbStatus table_close(Table *table)
{
    btree_close(table->tree);
    DbStatus rc = pager_close(table->pager);
    free(table);
    return rc;
}

DbStatus table_begin(Table *table)
{
    return pager_begin(table->pager);
}

DbStatus table_commit(Table *table)
{
    return pager_commit(table->pager);
}

void table_rollback(Table *table)
{
    pager_rollback(table->pager);
}

uint32_t table_txn_pages(const Table *table)
{
    return pager_txn_pages(table->pager);
}

DbStatus table_checkpoint(Table *table)
{
    return pager_checkpoint(table->pager);
}

DbStatus table_insert(Table *table, const Row *row)
{
    uint8_t value[ROW_MAX_SIZE];
    uint16_t size = row_serialize(row, value);
    return btree_insert(table->tree, row->id, value, size);
}

DbStatus table_find(Table *table, uint32_t id, Row *row)
{
    uint8_t value[BTREE_MAX_VALUE_SIZE];
    uint16_t size;
    DbStatus rc = btree_find(table->tree, id, value, &size);
    if (rc != DB_OK)
        return rc;
    if (row_deserialize(id, value, size, row) != DB_OK)
        return db_fail(DB_ECORRUPT, "the row with id %u is corrupt: %s.",
                       id, db_errmsg());
    return DB_OK;
}

DbStatus table_update(Table *table, const Row *row)
{
    uint8_t value[ROW_MAX_SIZE];
    uint16_t size = row_serialize(row, value);
    return btree_update(table->tree, row->id, value, size);
}

DbStatus table_delete(Table *table, uint32_t id)
{
    return btree_delete(table->tree, id);
}

DbStatus table_start(Table *table, Cursor *cursor)
{
    DbStatus rc = btree_first(table->tree, &cursor->at);
    cursor->end_of_table = cursor->at.end_of_tree;
    return rc;
}

DbStatus cursor_read(Cursor *cursor, Row *row)
{
    uint32_t key;
    const uint8_t *value;
    uint16_t size;
    DbStatus rc = btree_cursor_read(&cursor->at, &key, &value, &size);
    if (rc != DB_OK)
        return rc;
    if (row_deserialize(key, value, size, row) != DB_OK)
        return db_fail(DB_ECORRUPT, "the row with id %u is corrupt: %s.",
                       key, db_errmsg());
    return DB_OK;
}

DbStatus cursor_advance(Cursor *cursor)
{
    DbStatus rc = btree_cursor_next(&cursor->at);
    cursor->end_of_table = cursor->at.end_of_tree;
    return rc;
}

bool table_holds_file(const Table *table, OsFile *file)
{
    return pager_holds_file(table->pager, file);
}

void cursor_close(Cursor *cursor)
{
    btree_cursor_close(&cursor->at);
}

/* Every value in the tree must read back as a row, as select reads it. */
static DbStatus check_row(uint32_t key, const uint8_t *value, uint16_t size)
{
    Row row;
    if (row_deserialize(key, value, size, &row) != DB_OK)
        return db_fail(DB_ECORRUPT, "the row with id %u is corrupt: %s",
                       key, db_errmsg());
    return DB_OK;
}

/* A free page must not also be a tree page. */
static DbStatus mark_free(void *ctx, uint32_t page_num)
{
    uint8_t *seen = ctx;
    if (seen[page_num])
        return db_fail(DB_ECORRUPT, "page %u is both in the tree and on "
                       "the free list", page_num);
    seen[page_num] = 1;
    return DB_OK;
}

DbStatus table_check(Table *table)
{
    uint32_t pinned = bufpool_pinned(pager_pool(table->pager));
    if (pinned != 0)
        return db_fail(DB_ECORRUPT, "%u page%s still pinned between "
                       "statements: a pin was not released", pinned,
                       pinned == 1 ? " is" : "s are");
    uint32_t n_pages = pager_page_count(table->pager);
    uint8_t *seen = calloc(n_pages, 1);
    if (seen == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    DbStatus rc = btree_check(table->tree, seen, check_row);
    if (rc == DB_OK)
        rc = pager_walk_free_list(table->pager, mark_free, seen);
    for (uint32_t page_num = 1; rc == DB_OK && page_num < n_pages;
         page_num++)
        if (!seen[page_num])
            rc = db_fail(DB_ECORRUPT, "page %u is neither in the tree nor "
                         "on the free list", page_num);
    free(seen);
    return rc;
}

typedef struct FreeListPrinter {
    FILE *out;
    uint32_t n_pages;
} FreeListPrinter;

static DbStatus print_free_page(void *ctx, uint32_t page_num)
{
    FreeListPrinter *printer = ctx;
    fprintf(printer->out, " %u", page_num);
    printer->n_pages++;
    return DB_OK;
}

DbStatus table_print_free_list(Table *table, FILE *out)
{
    FreeListPrinter printer = {out, 0};
    fprintf(out, "Free pages:");
    DbStatus rc = pager_walk_free_list(table->pager, print_free_page,
                                       &printer);
    fprintf(out, "%s\n", printer.n_pages == 0 && rc == DB_OK ? " none" : "");
    return rc;
}

DbStatus table_print_pages(Table *table, FILE *out)
{
    fprintf(out, "page  type      cells  free  fragmented\n");
    uint32_t n_pages = pager_page_count(table->pager);
    for (uint32_t page_num = 0; page_num < n_pages; page_num++) {
        uint8_t *page;
        DbStatus rc = pager_get_page(table->pager, page_num, &page);
        if (rc == DB_ECORRUPT) { /* its checksum: the list goes on */
            fprintf(out, "%4u  corrupt: %s\n", page_num, db_errmsg());
            continue;
        }
        if (rc != DB_OK)
            return rc;
        if (page_num == 0) {
            fprintf(out, "%4u  header\n", page_num);
        } else if (page_type(page) == PAGE_TYPE_FREE) {
            fprintf(out, "%4u  free\n", page_num);
        } else if (page_validate(page, page_num) != DB_OK) {
            fprintf(out, "%4u  corrupt: %s\n", page_num, db_errmsg());
        } else {
            fprintf(out, "%4u  %-8s  %5u  %4u  %10u\n", page_num,
                    page_type(page) == PAGE_LEAF ? "leaf" : "internal",
                    page_n_cells(page), page_free(page),
                    page_fragmented(page));
        }
        pager_release(table->pager, page_num);
    }
    return DB_OK;
}

/* Prints page PAGE_NUM, pinned at PAGE. */
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
    fprintf(out, "slot  offset  size  key%s\n", is_leaf ? "" : "  child");
    for (uint16_t i = 0; i < n; i++) {
        fprintf(out, "%4u  %6u  %4u  %u", i, page_cell_offset(page, i),
                page_cell_size(page, i), page_key(page, i));
        if (!is_leaf)
            fprintf(out, "  %u", get_u32(page_cell(page, i) + 4));
        fprintf(out, "\n");
    }
    return DB_OK;
}

DbStatus table_print_page(Table *table, uint32_t page_num, FILE *out)
{
    uint8_t *page;
    DbStatus rc = pager_get_page(table->pager, page_num, &page);
    if (rc != DB_OK)
        return rc;
    rc = print_page(page_num, page, out);
    pager_release(table->pager, page_num);
    return rc;
}
