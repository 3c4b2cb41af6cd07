/*
 * catalog.h - the database's description of itself: which tables and
 * indexes there are, where their trees start, and what their columns
 * are, kept in two tables of the same file that also describe
 * themselves.
 */
#ifndef CATALOG_H
#define CATALOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "btree.h"
#include "pager.h"
#include "record.h"

/* book: begin catalog-roots */
/* The catalog's own trees, at pages that never change, so that a new
 * program can find them before it knows anything else. */
#define CATALOG_TABLES_ROOT 1   /* strata_tables */
#define CATALOG_COLUMNS_ROOT 2  /* strata_columns */
/* book: end catalog-roots */

#define CATALOG_NAME_MAX 63     /* bytes of a table or column name */
#define CATALOG_MAX_COLUMNS 1000

typedef struct Column {
    char *name;
    ColumnType type;
    int32_t max_length;     /* VARCHAR(n): n characters; -1: no limit */
    bool not_null;
    bool primary_key;
    bool has_default;
    Value default_value;    /* its text is owned */
} Column;

/* An index as the catalog describes it: a tree whose keys are the values
 * of some columns of a table, then the row id (record_key_append). */
typedef struct IndexDef {
    char *name;
    char *table;           /* the table it indexes */
    uint32_t root;         /* its tree's root page */
    char *sql;             /* CREATE INDEX as typed; NULL for the index
                            * made by a PRIMARY KEY / UNIQUE constraint */
    bool unique;
    uint32_t n_columns;
    uint32_t *columns;     /* column numbers in the table, in key order */
    bool *desc;            /* each column's direction */
    bool primary_key;      /* made by a PRIMARY KEY constraint (then also
                            * unique) */
} IndexDef;

/* A table as the catalog describes it. */
typedef struct TableDef {
    char *name;
    uint32_t root;          /* the root page of its tree */
    char *sql;              /* the CREATE TABLE statement, as typed */
    bool is_system;         /* a catalog table: read-only to users */
    bool is_view;           /* a view: no tree, no columns; its sql is
                             * the CREATE VIEW statement */
    uint32_t n_columns;
    Column *columns;
    /* The INTEGER PRIMARY KEY column, which is the row id; -1: the table
     * has a hidden row id. */
    int32_t rowid_column;
    /* Its indexes, in the order they were made (catalog_find fills
     * them; catalog_create ignores them). */
    uint32_t n_indexes;
    IndexDef *indexes;
} TableDef;

typedef struct Catalog Catalog;

/* Opens the catalog of the database in PAGER: in a new file, creates its
 * two tables and their rows (in the running transaction); else checks
 * that the rows describing the catalog tables are the ones this program
 * has compiled in. DB_EFORMAT: they are not; DB_ECORRUPT, DB_EIO. */
DbStatus catalog_open(Pager *pager, bool new_file, Catalog **out);
void catalog_close(Catalog *catalog);

/* For a message that quotes NAME: how many of its bytes to print, in
 * *len, and what to print after them: "" for a name that fits in the
 * catalog, "..." after the first CATALOG_NAME_MAX bytes of a longer one
 * (cut at the start of a UTF-8 character), so that no message echoes a
 * name of megabytes. */
const char *catalog_quote(const char *name, int *len);

/* Finds the table or view NAME and points *def at its description, its
 * indexes included, valid until the next catalog call that changes the
 * schema or catalog_forget. DB_ENOTFOUND: there is none (an index is
 * not a table: catalog_find_index finds it). */
DbStatus catalog_find(Catalog *catalog, const char *name,
                      const TableDef **def);

/* Creates the table DEF describes (its root is ignored: a new tree is
 * made) in the running transaction, and bumps the schema cookie.
 * DB_EDUPKEY: a table, view or index of that name exists. */
DbStatus catalog_create(Catalog *catalog, const TableDef *def);

/* Records the view NAME, whose CREATE VIEW statement is SQL, in the
 * running transaction, and bumps the schema cookie. */
DbStatus catalog_create_view(Catalog *catalog, const char *name,
                             const char *sql);

/* Drops table or view NAME in the running transaction: frees every page
 * of its tree and overflow chains, and of its indexes' trees, removes
 * their rows, bumps the schema cookie. DB_ENOTFOUND: no such table. */
DbStatus catalog_drop(Catalog *catalog, const char *name);

/* Makes the index DEF describes (its root is ignored: a new index tree
 * is made) on the table DEF->table, whose columns DEF->columns must
 * number, in the running transaction, and bumps the schema cookie. The
 * tree is empty: filling it is the caller's. DB_EDUPKEY: a table, view
 * or index of that name exists; DB_ENOTFOUND: no such table. */
DbStatus catalog_create_index(Catalog *catalog, const IndexDef *def);

/* Drops index NAME in the running transaction: frees its tree's pages,
 * removes its rows, bumps the schema cookie. DB_ENOTFOUND: no such
 * index. */
DbStatus catalog_drop_index(Catalog *catalog, const char *name);

/* Finds index NAME: *def is its description, *table its table's (as
 * catalog_find gives it, valid as long). DB_ENOTFOUND: there is none. */
DbStatus catalog_find_index(Catalog *catalog, const char *name,
                            const IndexDef **def, const TableDef **table);

/* The key of INDEX's entry for the row VALUES (every column of its
 * table) whose row id is ROWID: each key column's value, then the row
 * id (record_key_append), into KEY of BTREE_MAX_KEY bytes, *size of
 * them. DB_ETOOLONG, with a message naming the index and the limit. */
DbStatus catalog_index_key(const IndexDef *index, const Value *values,
                           int64_t rowid, uint8_t *key, size_t *size);

/* Calls VISIT on each index with its table, in the order strata_tables
 * holds them, read from the catalog's rows. */
DbStatus catalog_each_index(Catalog *catalog,
                            DbStatus (*visit)(void *ctx,
                                              const IndexDef *index,
                                              const TableDef *table),
                            void *ctx);

/* Calls VISIT on each table and view (not the indexes), in the order
 * strata_tables holds them, read from the catalog's rows (not from
 * anything kept in memory). */
DbStatus catalog_each_table(Catalog *catalog,
                            DbStatus (*visit)(void *ctx,
                                              const TableDef *def),
                            void *ctx);

/* Forgets every description read so far: the next catalog_find reads
 * the catalog again. After a rollback, which may undo a schema change. */
void catalog_forget(Catalog *catalog);

/* The schema cookie: a counter in the file header that every schema
 * change bumps, so that whoever keeps a plan or a description can tell
 * it is stale. */
DbStatus catalog_cookie(Catalog *catalog, uint32_t *cookie);

/* Reads the record under CURSOR, a cursor of DEF's tree, into VALUES
 * (DEF->n_columns of them), the row id column filled from the key.
 * Texts point into the cursor's payload. DB_ECORRUPT. */
DbStatus catalog_read_row(const TableDef *def, BtreeCursor *cursor,
                          Value *values);

/* The name of a column's type as \d and error messages show it:
 * "integer", "character varying(10)". BUF has room for 48 bytes. */
const char *catalog_type_name(const Column *column, char *buf);

#endif
