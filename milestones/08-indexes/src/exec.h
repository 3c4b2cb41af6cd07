/*
 * exec.h - running statements: a query as a tree of iterators that rows
 * are pulled through, one at a time; changes and definitions, each
 * statement one transaction.
 */
#ifndef EXEC_H
#define EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "bind.h"
#include "db.h"
#include "plan.h"
#include "record.h"
#include "sort.h"
#include "value.h"

/* Where a query's rows go: the shell prints them, a server would send
 * them. Both calls may fail (DB_EIO: the output is gone), which ends the
 * statement. */
typedef struct RowSink {
    void *ctx;
    /* Before any row: the result's N columns, their names and types
     * (TYPE_ANY when a column's values may be of any type). */
    DbStatus (*columns)(void *ctx, uint32_t n, const char *const *names,
                        const ColumnType *types);
    /* One row: as many values as there are columns. */
    DbStatus (*row)(void *ctx, const Value *values);
} RowSink;

/* What the sorts of one statement did (the shell's \sorts): how many
 * ran, and the statistics of the first EXEC_SORTS_KEPT of them. */
#define EXEC_SORTS_KEPT 4
typedef struct ExecSorts {
    uint64_t n;
    SortStats first[EXEC_SORTS_KEPT];
} ExecSorts;

/* What a statement did. */
typedef struct ExecResult {
    bool has_rows;       /* a query: its columns and rows went to the sink */
    uint64_t count;      /* rows returned, inserted, updated or deleted */
    char tag[48];        /* the command tag: "INSERT 0 3", "DELETE 2" */
    char notice[160];    /* a NOTICE for the user, or "" */
    ExecSorts sorts;     /* its sorts, also when it failed */
} ExecResult;

/* What the iterators of one statement run in: the database, the
 * statement's sources and the current row of each. */
typedef struct ExecContext {
    Db *db;
    Binding *binding;
    Value **rows;          /* rows[s]: source s's current row, or NULL */
    size_t work_mem;       /* bytes a sort or a hash table may hold */
    ExecSorts *sorts;      /* where each sort is counted, or NULL */
} ExecContext;

/* The iterator protocol every plan node follows:
 *
 *   exec_open(ctx, plan)           ready to make rows (again)
 *   exec_next(ctx, plan, &has_row) the next row: its values are the
 *                                  current rows of its sources, until the
 *                                  next call; has_row false at the end
 *   exec_close(ctx, plan)          frees what it holds; safe to call on
 *                                  a plan not open, and twice
 */
DbStatus exec_open(ExecContext *ctx, Plan *plan);
DbStatus exec_next(ExecContext *ctx, Plan *plan, bool *has_row);
void exec_close(ExecContext *ctx, Plan *plan);

/* Counts SORTER, done with, in ctx->sorts. Can't fail. */
void exec_count_sort(ExecContext *ctx, const Sorter *sorter);

/* The value of E for the current rows, into *out; texts it makes go in
 * ARENA. */
DbStatus exec_eval(ExecContext *ctx, Arena *arena, const Expr *e,
                   Value *out);

/* Runs STMT on DB as one transaction, sending any rows to SINK. When it
 * returns DB_OK the statement's changes are durable. On failure nothing
 * of the statement remains and the reason (with the position it is
 * about) is in db_errmsg() and db_errpos(). */
DbStatus exec_statement(Db *db, Stmt *stmt, RowSink *sink,
                        ExecResult *result);

/* Parses and runs the one statement in SQL[0 .. LEN) (with or without
 * its ';'), as exec_statement does. On failure the reason, with the
 * position it is about, is DB's error (db_error). */
DbStatus exec_sql(Db *db, const char *sql, uint32_t len, RowSink *sink,
                  ExecResult *result);

/* Checks the value V against column C of table DEF and turns it into
 * the column's type where SQL allows it (an integer into a REAL column
 * becomes a real); the reason names the column. POS is where V was
 * written, for the error. DB_ETYPE, DB_ETOOLONG, DB_ECONSTRAINT (NULL in
 * a NOT NULL column). */
DbStatus exec_coerce(const TableDef *def, uint32_t c, Value *v,
                     uint32_t pos);

/* Keeps every index of DEF exact for a row going in (OLD_VALUES NULL),
 * out (NEW_VALUES NULL) or changing, in the running transaction: checks
 * each unique index first (NULLs are distinct), then deletes the old
 * entries and inserts the new ones, leaving out an index whose entry
 * stays the same. DB_ECONSTRAINT for a UNIQUE violation, in PostgreSQL's
 * words: duplicate key value violates unique constraint "name", with
 * the key as DETAIL; DB_ETOOLONG: an entry longer than BTREE_MAX_KEY;
 * after these nothing changed. After another error, a row going in
 * leaves the indexes as they were; a row going out or changing leaves
 * them to the statement's rollback. */
DbStatus exec_index_row(Db *db, const TableDef *def, int64_t rowid,
                        const Value *old_values, const Value *new_values);

/* Builds the key of INDEX for a row's VALUES and ROWID into KEY (of
 * BTREE_MAX_KEY bytes); DB_ETOOLONG with a one-line message
 * (catalog_index_key). */
DbStatus exec_index_key(const IndexDef *index, const Value *values,
                        int64_t rowid, uint8_t *key, size_t *size);

/* ANALYZE's statistics of INDEX: its keys (*rows), and for each prefix
 * of K + 1 of its columns the distinct values it takes (distinct[K], of
 * index->n_columns). DB_ECORRUPT, DB_EIO. (exec.c) */
DbStatus exec_index_stats(Db *db, const IndexDef *index, uint64_t *rows,
                          uint64_t *distinct);

/* Inserts one row of DEF's table, and its entry in each of its indexes:
 * VALUES has a value of the column's type (or NULL) for every column; a
 * NULL row id gets the next one. In the running transaction.
 * DB_EDUPKEY (the row id), DB_ECONSTRAINT (a unique index), with psql's
 * wording, and DB_ETOOLONG: after these nothing changed. */
DbStatus exec_insert_row(Db *db, const TableDef *def, Value *values);

#endif
