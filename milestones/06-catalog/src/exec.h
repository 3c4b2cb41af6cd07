/*
 * exec.h - running one parsed statement against a database, as one
 * transaction, with its rows going to a sink.
 */
#ifndef EXEC_H
#define EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "db.h"
#include "record.h"

/* Where a query's rows go: the shell prints them, a server would send
 * them. Both calls may fail (DB_EIO: the output is gone), which ends the
 * statement. */
typedef struct RowSink {
    void *ctx;
    /* Before any row: the result's N columns, their names and types. */
    DbStatus (*columns)(void *ctx, uint32_t n, const char *const *names,
                        const ColumnType *types);
    /* One row: as many values as there are columns. */
    DbStatus (*row)(void *ctx, const Value *values);
} RowSink;

/* What a statement did. */
typedef struct ExecResult {
    bool has_rows;       /* a query: its columns and rows went to the sink */
    uint64_t count;      /* rows returned, inserted, updated or deleted */
    char tag[48];        /* the command tag: "INSERT 0 3", "DELETE 2" */
    char notice[160];    /* a NOTICE for the user, or "" */
} ExecResult;

/* Runs STMT (parsed from SQL, whose positions its nodes carry) on DB as
 * one transaction, sending any rows to SINK. When it returns DB_OK the
 * statement's changes are durable. On failure nothing of the statement
 * remains and the reason (with the position it is about) is in
 * db_errmsg() and db_errpos(). */
DbStatus exec_statement(Db *db, const Stmt *stmt, RowSink *sink,
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

/* Inserts one row of DEF's table: VALUES has a value of the column's
 * type (or NULL) for every column; a NULL row id gets the next one.
 * In the running transaction. DB_EDUPKEY, with psql's wording. */
DbStatus exec_insert_row(Db *db, const TableDef *def, Value *values);

#endif
