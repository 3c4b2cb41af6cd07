/*
 * table.h - one table of rows, stored in insertion order, and a cursor
 * that walks it.
 */
#ifndef TABLE_H
#define TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "pager.h"
#include "row.h"

#define TABLE_ROWS_PER_PAGE (PAGE_SIZE / ROW_SIZE)
#define TABLE_MAX_PAGES (PAGER_MAX_PAGES - 1) /* all pages but the header */
#define TABLE_MAX_ROWS (TABLE_ROWS_PER_PAGE * TABLE_MAX_PAGES)

typedef struct Table {
    Pager *pager;
    uint32_t n_rows;
} Table;

/* A position in the table: the row a select is about to read. */
typedef struct Cursor {
    Table *table;
    uint32_t row_num;
    bool end_of_table; /* true once the cursor is past the last row */
} Cursor;

/* Opens (or creates) the table stored in the file at PATH. Fails as
 * pager_open does, and with DB_ECORRUPT when the header's row count does
 * not match the file. On failure *out is NULL and the file is untouched. */
DbStatus table_open(const char *path, Table **out);

/* Writes the table back to its file and frees it, also on failure
 * (DB_EIO, when some changes may not have reached the file). */
DbStatus table_close(Table *table);

/* Appends ROW after the last row. DB_EFULL: the table already holds
 * TABLE_MAX_ROWS rows; nothing changed. */
DbStatus table_insert(Table *table, const Row *row);

/* Places CURSOR on the first row. */
void table_start(Table *table, Cursor *cursor);

/* Reads the row under CURSOR. DB_ECORRUPT: its bytes are not a row. */
DbStatus cursor_read(Cursor *cursor, Row *row);

/* Moves CURSOR to the next row, or past the end. */
void cursor_advance(Cursor *cursor);

#endif
