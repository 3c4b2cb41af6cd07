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

/* Opens (or creates) the table stored in the file at PATH, after
 * recovering whatever its log holds, with a buffer pool of N_FRAMES
 * frames that evicts by POLICY. Fails as pager_open and btree_open do;
 * on failure *out is NULL. */
DbStatus table_open(const char *path, uint32_t n_frames,
                    const EvictPolicy *policy, Table **out);

/* A transaction around changes to the table: nothing is durable before
 * table_commit returns DB_OK, and table_rollback undoes everything since
 * table_begin. See pager_begin, pager_commit, pager_rollback. */
DbStatus table_begin(Table *table);
DbStatus table_commit(Table *table);
void table_rollback(Table *table);

/* The pages the running transaction has changed. See pager_txn_pages. */
uint32_t table_txn_pages(const Table *table);

/* Writes every committed change into the file and starts the log over
 * (.checkpoint). See pager_checkpoint. */
DbStatus table_checkpoint(Table *table);

/* Checkpoints and frees the table, also on failure (DB_EIO: the log
 * stays, and nothing committed is lost). */
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

/* Whether FILE, opened by whatever name, is the database file or its
 * log (.import refuses to read them). */
bool table_holds_file(const Table *table, OsFile *file);
/* Releases the page CURSOR holds pinned while it is on a row; a cursor
 * past the end, or after a failed move, holds none. */
void cursor_close(Cursor *cursor);

/* Checks the whole file: the tree's invariants, that every row reads back
 * as select reads it, the free list, and that every page is either in the
 * tree or free, never both, never neither; and that no page is left
 * pinned in the buffer pool. DB_ECORRUPT: the first violation, in
 * db_errmsg(). */
DbStatus table_check(Table *table);

/* Prints the free list, in the order pages will be reused (.freelist). */
DbStatus table_print_free_list(Table *table, FILE *out);

/* Prints one line per page of the file: its type, cells, free and
 * fragmented bytes (.pages). */
DbStatus table_print_pages(Table *table, FILE *out);

/* Prints the header and slot directory of page PAGE_NUM (.page N).
 * DB_ECORRUPT: no such page, or not a valid tree page. */
DbStatus table_print_page(Table *table, uint32_t page_num, FILE *out);

#endif
