/*
 * test_db.c - databases as objects: two open in one process, each with
 * its own catalog and its own last error; statements through exec_sql
 * with rows going to a sink; the schema cookie; a catalog that does not
 * describe itself as this milestone's does.
 */
#include <stdio.h>
#include <string.h>

#include "exec.h"
#include "unittest.h"

static char path_a[512], path_b[512];

/* A sink that counts rows and keeps the first value of the last one. */
typedef struct Seen {
    uint32_t n_columns;
    uint64_t rows;
    int64_t first;
} Seen;

static DbStatus seen_columns(void *ctx, uint32_t n, const char *const *names,
                             const ColumnType *types)
{
    (void)names;
    (void)types;
    ((Seen *)ctx)->n_columns = n;
    return DB_OK;
}

static DbStatus seen_row(void *ctx, const Value *values)
{
    Seen *seen = ctx;
    seen->rows++;
    seen->first = values[0].type == VALUE_INTEGER ? values[0].i : -1;
    return DB_OK;
}

static DbStatus run(Db *db, const char *sql, Seen *seen)
{
    RowSink sink = {seen, seen_columns, seen_row};
    ExecResult result;
    *seen = (Seen){0};
    return exec_sql(db, sql, (uint32_t)strlen(sql), &sink, &result);
}

static void test_two_databases_in_one_process(void)
{
    snprintf(path_a, sizeof path_a, "%s/a.db", unittest_dir());
    snprintf(path_b, sizeof path_b, "%s/b.db", unittest_dir());
    Db *a, *b;
    Seen seen;
    CHECK_EQ(db_open(path_a, NULL, &a), DB_OK);
    CHECK_EQ(db_open(path_b, NULL, &b), DB_OK);
    CHECK_EQ(run(a, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)",
                 &seen), DB_OK);
    CHECK_EQ(run(a, "INSERT INTO t VALUES (7, 'a')", &seen), DB_OK);
    /* B has no table t: its error is its own, A's stays clear. */
    CHECK_EQ(run(b, "SELECT * FROM t", &seen), DB_ENOTFOUND);
    CHECK_STR(db_error(b)->message, "relation \"t\" does not exist");
    CHECK_EQ(db_error(b)->pos, 14);
    CHECK_EQ(db_error(a)->rc, DB_OK);
    CHECK_EQ(run(a, "SELECT * FROM t WHERE id = 7", &seen), DB_OK);
    CHECK_EQ(seen.rows, 1);
    CHECK_EQ(seen.first, 7);
    CHECK_EQ(seen.n_columns, 2);
    /* A's failure now, B's message unchanged. */
    CHECK_EQ(run(a, "INSERT INTO t VALUES (7, 'again')", &seen),
             DB_EDUPKEY);
    CHECK_STR(db_error(a)->detail, "Key (id)=(7) already exists.");
    CHECK_STR(db_error(b)->message, "relation \"t\" does not exist");
    CHECK_EQ(db_close(a), DB_OK);
    CHECK_EQ(db_close(b), DB_OK);
}

static void test_every_schema_change_bumps_the_cookie(void)
{
    Db *db;
    Seen seen;
    uint32_t before, after;
    CHECK_EQ(db_open(path_a, NULL, &db), DB_OK);
    CHECK_EQ(catalog_cookie(db_catalog(db), &before), DB_OK);
    CHECK_EQ(run(db, "CREATE TABLE u (x INT)", &seen), DB_OK);
    CHECK_EQ(run(db, "INSERT INTO u VALUES (1)", &seen), DB_OK);
    CHECK_EQ(catalog_cookie(db_catalog(db), &after), DB_OK);
    CHECK_EQ(after, before + 1);
    CHECK_EQ(run(db, "DROP TABLE u", &seen), DB_OK);
    /* A failed CREATE changes nothing, the cookie included. */
    CHECK_EQ(run(db, "CREATE TABLE t (x INT)", &seen), DB_EDUPKEY);
    CHECK_EQ(catalog_cookie(db_catalog(db), &after), DB_OK);
    CHECK_EQ(after, before + 2);
    CHECK_EQ(db_close(db), DB_OK);
}

/* Changes the type of strata_tables' first column in its catalog row, as
 * another program's catalog would say it: "name" of type "integer". */
static void test_a_catalog_that_describes_itself_otherwise_is_refused(void)
{
    Db *db;
    CHECK_EQ(db_open(path_a, NULL, &db), DB_OK);
    CHECK_EQ(db_begin(db), DB_OK);
    const TableDef *columns;
    CHECK_EQ(catalog_find(db_catalog(db), "strata_columns", &columns),
             DB_OK);
    Btree *tree;
    CHECK_EQ(btree_open(db_pager(db), columns->root, &tree), DB_OK);
    BtreeCursor cursor;
    Value row[8];
    CHECK_EQ(btree_first(tree, &cursor), DB_OK);
    CHECK_EQ(catalog_read_row(columns, &cursor, row), DB_OK);
    int64_t key = cursor.key;
    row[3] = (Value){.type = VALUE_TEXT, .text = {"integer", 7}};
    uint8_t record[256];
    size_t size = record_size(row, 8);
    record_encode(row, 8, record);
    btree_cursor_close(&cursor);
    CHECK_EQ(btree_replace(tree, key, record, size), DB_OK);
    btree_close(tree);
    CHECK_EQ(db_commit(db), DB_OK);
    CHECK_EQ(db_close(db), DB_OK);
    CHECK_EQ(db_open(path_a, NULL, &db), DB_EFORMAT);
    CHECK(strstr(db_errmsg(), "describes strata_tables differently") !=
          NULL);
}

int main(void)
{
    if (unittest_dir() == NULL)
        return 1;
    RUN(test_two_databases_in_one_process);
    RUN(test_every_schema_change_bumps_the_cookie);
    RUN(test_a_catalog_that_describes_itself_otherwise_is_refused);
    return unittest_report();
}
