/*
 * table.h - one table of rows, kept in a B+tree ordered by id, and a
 * cursor that walks it in that order.
 */
#ifndef TABLE_H
#define TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "btree.h"
#include "pager.h"
#include "row.h"

typedef struct Table {
    Pager *pager;
    Btree *tree;
} Table;

/* A position in the table: the row a select is about to read. */
typedef struct Cursor {
    BtreeCursor at;
    bool end_of_table; /* true once the cursor is past the last row */
} Cursor;

/* Opens (or creates) the table stored in the file at PATH. Fails as
 * pager_open and btree_open do. On failure *out is NULL and the file is
 * untouched. */
DbStatus table_open(const char *path, Table **out);

/* Writes the table back to its file and frees it, also on failure
 * (DB_EIO, when some changes may not have reached the file). */
DbStatus table_close(Table *table);

/* Adds ROW. DB_EDUPKEY: a row with its id exists; nothing changed. */
DbStatus table_insert(Table *table, const Row *row);

/* Reads the row with id ID into *row. DB_ENOTFOUND: there is none. */
DbStatus table_find(Table *table, uint32_t id, Row *row);

/* Replaces the row with ROW's id. DB_ENOTFOUND: there is none. */
DbStatus table_update(Table *table, const Row *row);

/* Removes the row with id ID. DB_ENOTFOUND: there is none. */
DbStatus table_delete(Table *table, uint32_t id);

/* Places CURSOR on the row with the smallest id. */
DbStatus table_start(Table *table, Cursor *cursor);

/* Reads the row under CURSOR. DB_ECORRUPT: its bytes are not a row. */
DbStatus cursor_read(Cursor *cursor, Row *row);

/* Moves CURSOR to the row with the next larger id, or past the end. */
DbStatus cursor_advance(Cursor *cursor);

/* Checks the whole file: the tree's invariants, that every row reads back
 * as select reads it, the free list, and that every page is either in the
 * tree or free, never both, never neither. DB_ECORRUPT: the first
 * violation, in db_errmsg(). */
DbStatus table_check(Table *table);

/* Prints the free list, in the order pages will be reused (.freelist). */
DbStatus table_print_free_list(Table *table, FILE *out);

#endif
