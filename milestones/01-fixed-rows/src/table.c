/*
 * table.c - rows packed into pages, in the order they were inserted.
 *
 * Owns: where row number N lives, and the row count in the file header.
 * Does not: read or write the file (the pager does), or know what the
 * bytes of a row mean (row.c does).
 *
 * Row N lives in page 1 + N / TABLE_ROWS_PER_PAGE, at byte
 * (N % TABLE_ROWS_PER_PAGE) * ROW_SIZE. A page holds 13 rows:
 *
 * Table page (pages 1 to 100)
 *   offset  size  field
 *        0   293  row 0 of this page
 *      293   293  row 1
 *      ...   ...  ...
 *     3516   293  row 12
 *     3809   287  unused: 287 bytes cannot hold a 14th row
 */
#include "table.h"

#include <stdlib.h>

#include "bytes.h"

/* Page 0, the file header (the table's part, after the pager's)
 *   offset  size  field
 *       24     4  number of rows in the table
 *       28  4068  unused, zero
 */
#define HEADER_N_ROWS_OFFSET PAGER_HEADER_SIZE

static uint32_t pages_for_rows(uint32_t n_rows)
{
    return (n_rows + TABLE_ROWS_PER_PAGE - 1) / TABLE_ROWS_PER_PAGE;
}

/* Finds the bytes of row ROW_NUM, which may be one past the last row. */
static DbStatus row_slot(Table *table, uint32_t row_num, uint8_t **slot)
{
    uint32_t page_num = 1 + row_num / TABLE_ROWS_PER_PAGE;
    uint8_t *page;
    DbStatus rc = pager_get_page(table->pager, page_num, &page);
    if (rc != DB_OK)
        return rc;
    *slot = page + (row_num % TABLE_ROWS_PER_PAGE) * ROW_SIZE;
    return DB_OK;
}

DbStatus table_open(const char *path, Table **out)
{
    *out = NULL;
    Table *table = calloc(1, sizeof *table);
    if (table == NULL)
        return db_fail(DB_ENOMEM, "out of memory");

    DbStatus rc = pager_open(path, &table->pager);
    if (rc != DB_OK)
        goto fail;

    uint8_t *header;
    rc = pager_get_page(table->pager, 0, &header);
    if (rc != DB_OK)
        goto fail;
    table->n_rows = get_u32(header + HEADER_N_ROWS_OFFSET);

    /* The row count must agree with the file: a file cut short would
     * otherwise read as rows of zeros. */
    uint32_t n_pages = pager_page_count(table->pager);
    if (table->n_rows > TABLE_MAX_ROWS ||
        1 + pages_for_rows(table->n_rows) != n_pages) {
        rc = db_fail(DB_ECORRUPT,
                     "'%s' is corrupt: its header counts %u rows, which "
                     "need %u pages, but the file has %u.",
                     path, table->n_rows, 1 + pages_for_rows(table->n_rows),
                     n_pages);
        goto fail;
    }
    *out = table;
    return DB_OK;

fail:
    if (table->pager != NULL)
        pager_discard(table->pager);
    free(table);
    return rc;
}

DbStatus table_close(Table *table)
{
    DbStatus rc = pager_close(table->pager);
    free(table);
    return rc;
}

DbStatus table_insert(Table *table, const Row *row)
{
    if (table->n_rows >= TABLE_MAX_ROWS)
        return db_fail(DB_EFULL, "Table full.");

    uint8_t *slot, *header;
    DbStatus rc = row_slot(table, table->n_rows, &slot);
    if (rc == DB_OK)
        rc = pager_get_page(table->pager, 0, &header);
    if (rc != DB_OK)
        return rc;
    row_serialize(row, slot);
    table->n_rows++;
    put_u32(header + HEADER_N_ROWS_OFFSET, table->n_rows);
    return DB_OK;
}

void table_start(Table *table, Cursor *cursor)
{
    cursor->table = table;
    cursor->row_num = 0;
    cursor->end_of_table = table->n_rows == 0;
}

DbStatus cursor_read(Cursor *cursor, Row *row)
{
    uint8_t *slot;
    DbStatus rc = row_slot(cursor->table, cursor->row_num, &slot);
    if (rc != DB_OK)
        return rc;
    if (row_deserialize(slot, row) != DB_OK)
        return db_fail(DB_ECORRUPT, "row %u is corrupt: %s.",
                       cursor->row_num + 1, db_errmsg());
    return DB_OK;
}

void cursor_advance(Cursor *cursor)
{
    cursor->row_num++;
    if (cursor->row_num >= cursor->table->n_rows)
        cursor->end_of_table = true;
}
