/*
 * catalog.c - the catalog: two tables in the file that say which tables
 * and indexes there are and what their columns are, and describe
 * themselves.
 *
 * Owns: the catalog's own tables and rows, reading a table's description
 * (its indexes' too) from them, creating and dropping tables, views and
 * indexes, and the schema cookie in the file header.
 * Does not: check a statement's meaning (exec.c does), or keep a list of
 * tables that could disagree with the file: every description comes
 * from the catalog's rows, and what has been read is only a copy,
 * forgotten at every schema change and rollback.
 *
 * How a database describes itself (the bootstrap): a new file gets two
 * trees, at pages 1 and 2, and their rows say what they are:
 *
 *   strata_tables (page 1)
 *     name            type          table_name      root_page  sql
 *     strata_tables   table         strata_tables   1          CREATE ...
 *     strata_columns  table         strata_columns  2          CREATE ...
 *     users           table         users           3          CREATE ...
 *     users_pkey      unique index  users           4          NULL
 *     users_city      index         users           5          CREATE ...
 *
 *   strata_columns (page 2)
 *     table_name     position  name  type     max_length  not_null ...
 *     strata_tables  0         name  text     NULL        true
 *     ...
 *     users          0         id    integer  NULL        true
 *     users_pkey     0         code  asc      NULL        false
 *     users_city     0         city  desc     NULL        false
 *
 * An index is a relation as a table is: its row in strata_tables (type
 * "index", or "unique index") shares the tables' names, so that no
 * table and index have the same one (PostgreSQL's pg_class holds both);
 * table_name is the table it indexes, root_page its tree's root, and sql
 * the CREATE INDEX as typed, or NULL for an index that a PRIMARY KEY or
 * UNIQUE constraint of CREATE TABLE made. Its columns are rows of
 * strata_columns under its own name (as PostgreSQL's pg_attribute holds
 * an index's), one per key column in key order: name is the table's
 * column, type the direction ("asc" or "desc"), and primary_key is true
 * in the rows of the index a PRIMARY KEY made.
 *
 * A program can read strata_tables only if it already knows its columns:
 * so they are compiled in (CATALOG_TABLES below), and at open the rows
 * that describe the catalog must say the same, or the file is another
 * format. Every other table is found by reading those rows.
 */
#include "catalog.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

/* Page 0, the file header (the catalog's part, after the pager's)
 *   offset  size  field
 *       PAGER_HEADER_SIZE + 0   4  schema cookie: bumped by every CREATE
 *                                  and DROP
 */
#define HEADER_COOKIE_OFFSET PAGER_HEADER_SIZE

/* book: begin catalog-tables */
/* The catalog's tables, as compiled into the program. */
#define TABLES_N_COLUMNS 5
static const Column TABLES_COLUMNS[TABLES_N_COLUMNS] = {
    {.name = "name", .type = TYPE_TEXT, .max_length = -1, .not_null = true},
    {.name = "type", .type = TYPE_TEXT, .max_length = -1, .not_null = true},
    {.name = "table_name", .type = TYPE_TEXT, .max_length = -1,
     .not_null = true},
    {.name = "root_page", .type = TYPE_INTEGER, .max_length = -1},
    {.name = "sql", .type = TYPE_TEXT, .max_length = -1},
};

#define COLUMNS_N_COLUMNS 8
static const Column COLUMNS_COLUMNS[COLUMNS_N_COLUMNS] = {
    {.name = "table_name", .type = TYPE_TEXT, .max_length = -1,
     .not_null = true},
    {.name = "position", .type = TYPE_INTEGER, .max_length = -1,
     .not_null = true},
    {.name = "name", .type = TYPE_TEXT, .max_length = -1, .not_null = true},
    {.name = "type", .type = TYPE_TEXT, .max_length = -1, .not_null = true},
    {.name = "max_length", .type = TYPE_INTEGER, .max_length = -1},
    {.name = "not_null", .type = TYPE_BOOLEAN, .max_length = -1,
     .not_null = true},
    {.name = "primary_key", .type = TYPE_BOOLEAN, .max_length = -1,
     .not_null = true},
    {.name = "default_value", .type = TYPE_TEXT, .max_length = -1},
};

static const TableDef CATALOG_TABLES[2] = {
    {.name = "strata_tables", .root = CATALOG_TABLES_ROOT,
     .sql = "CREATE TABLE strata_tables (name TEXT NOT NULL, "
            "type TEXT NOT NULL, table_name TEXT NOT NULL, "
            "root_page INTEGER, sql TEXT)",
     .is_system = true, .n_columns = TABLES_N_COLUMNS,
     .columns = (Column *)TABLES_COLUMNS, .rowid_column = -1},
    {.name = "strata_columns", .root = CATALOG_COLUMNS_ROOT,
     .sql = "CREATE TABLE strata_columns (table_name TEXT NOT NULL, "
            "position INTEGER NOT NULL, name TEXT NOT NULL, "
            "type TEXT NOT NULL, max_length INTEGER, "
            "not_null BOOLEAN NOT NULL, primary_key BOOLEAN NOT NULL, "
            "default_value TEXT)",
     .is_system = true, .n_columns = COLUMNS_N_COLUMNS,
     .columns = (Column *)COLUMNS_COLUMNS, .rowid_column = -1},
};
/* book: end catalog-tables */

/* A description read from the catalog, kept until the next change. */
typedef struct Loaded {
    TableDef def;
    int64_t row_id;       /* its row in strata_tables */
    int64_t *index_rows;  /* each index's row in strata_tables */
} Loaded;

/* The directions of an index column, as strata_columns writes them. */
#define INDEX_ASC "asc"
#define INDEX_DESC "desc"

struct Catalog {
    Pager *pager;
    Btree *tables;        /* strata_tables */
    Btree *columns;       /* strata_columns */
    Loaded **loaded;      /* pointers, so that a description never moves */
    uint32_t n_loaded, loaded_cap;
};

static const char *const TYPE_NAMES[] = {
    [TYPE_INTEGER] = "integer",
    [TYPE_REAL] = "real",
    [TYPE_TEXT] = "text",
    [TYPE_BOOLEAN] = "boolean",
};

const char *catalog_type_name(const Column *column, char *buf)
{
    if (column->type == TYPE_TEXT && column->max_length >= 0) {
        snprintf(buf, 48, "character varying(%" PRId32 ")",
                 column->max_length);
        return buf;
    }
    return TYPE_NAMES[column->type];
}

static Value text_value(const char *s)
{
    return (Value){.type = VALUE_TEXT,
                   .text = {.s = s, .n = (uint32_t)strlen(s)}};
}

static Value int_value(int64_t i)
{
    return (Value){.type = VALUE_INTEGER, .i = i};
}

static Value bool_value(bool b)
{
    return (Value){.type = VALUE_BOOLEAN, .b = b};
}

static const Value NULL_VALUE = {.type = VALUE_NULL};

static bool text_is(const Value *v, const char *s)
{
    return v->type == VALUE_TEXT && v->text.n == strlen(s) &&
           memcmp(v->text.s, s, v->text.n) == 0;
}

static bool is_index_type(const Value *type)
{
    return text_is(type, "index") || text_is(type, "unique index");
}

static char *copy_string(const char *s)
{
    char *t = malloc(strlen(s) + 1);
    if (t != NULL)
        strcpy(t, s);
    return t;
}

static char *copy_text(const Value *v)
{
    char *s = malloc(v->text.n + 1);
    if (s != NULL) {
        memcpy(s, v->text.s, v->text.n);
        s[v->text.n] = '\0';
    }
    return s;
}

static void free_def(TableDef *def)
{
    free(def->name);
    free(def->sql);
    for (uint32_t i = 0; i < def->n_columns; i++) {
        free(def->columns[i].name);
        if (def->columns[i].default_value.type == VALUE_TEXT)
            free((char *)def->columns[i].default_value.text.s);
    }
    free(def->columns);
    for (uint32_t i = 0; i < def->n_indexes; i++) {
        IndexDef *x = &def->indexes[i];
        free(x->name);
        free(x->table);
        free(x->sql);
        free(x->columns);
        free(x->desc);
    }
    free(def->indexes);
    *def = (TableDef){0};
}

static void free_loaded(Loaded *loaded)
{
    free_def(&loaded->def);
    free(loaded->index_rows);
    loaded->index_rows = NULL;
}

void catalog_forget(Catalog *catalog)
{
    for (uint32_t i = 0; i < catalog->n_loaded; i++) {
        free_loaded(catalog->loaded[i]);
        free(catalog->loaded[i]);
    }
    catalog->n_loaded = 0;
}

/* --- rows --------------------------------------------------------------- */

DbStatus catalog_read_row(const TableDef *def, BtreeCursor *cursor,
                          Value *values)
{
    const uint8_t *payload;
    size_t size;
    DbStatus rc = btree_payload(cursor, &payload, &size);
    if (rc != DB_OK)
        return rc;
    ColumnType types[CATALOG_MAX_COLUMNS];
    for (uint32_t i = 0; i < def->n_columns; i++)
        types[i] = def->columns[i].type;
    rc = record_decode(payload, size, types, def->n_columns, values);
    if (rc != DB_OK)
        return db_fail(rc, "table \"%s\", row %" PRId64 ": %s", def->name,
                       cursor->key, db_errmsg());
    /* The row id column is the key; the record holds NULL for it. */
    if (def->rowid_column >= 0)
        values[def->rowid_column] = int_value(cursor->key);
    return DB_OK;
}

/* Appends a row of N VALUES to TREE with the next row id. */
static DbStatus append_row(Btree *tree, const Value *values, uint32_t n)
{
    bool empty;
    int64_t last;
    DbStatus rc = btree_last_key(tree, &empty, &last);
    if (rc != DB_OK)
        return rc;
    if (!empty && last == INT64_MAX)
        return db_fail(DB_EFULL, "the catalog has no row id left");
    size_t size = record_size(values, n);
    uint8_t *record = malloc(size);
    if (record == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    record_encode(values, n, record);
    rc = btree_insert(tree, empty ? 1 : last + 1, record, size);
    free(record);
    return rc;
}

/* The text by which a default value is kept in strata_columns. */
static DbStatus default_text(const Value *v, char *buf, size_t buf_size,
                             Value *out)
{
    switch (v->type) {
    case VALUE_NULL:
        *out = NULL_VALUE;
        return DB_OK;
    case VALUE_INTEGER:
        snprintf(buf, buf_size, "%" PRId64, v->i);
        break;
    case VALUE_REAL:
        snprintf(buf, buf_size, "%.17g", v->r);
        break;
    case VALUE_BOOLEAN:
        snprintf(buf, buf_size, "%s", v->b ? "true" : "false");
        break;
    case VALUE_TEXT:
        *out = *v;
        return DB_OK;
    }
    *out = text_value(buf);
    return DB_OK;
}

/* ... and back, by the column's type. */
static DbStatus parse_default(Column *c, const Value *text)
{
    c->has_default = text->type == VALUE_TEXT;
    if (!c->has_default)
        return DB_OK;
    char *s = copy_text(text);
    if (s == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    char *end = s;
    errno = 0;
    switch (c->type) {
    case TYPE_INTEGER:
        c->default_value = int_value(strtoll(s, &end, 10));
        break;
    case TYPE_REAL:
        c->default_value = (Value){.type = VALUE_REAL,
                                   .r = strtod(s, &end)};
        break;
    case TYPE_BOOLEAN:
        c->default_value = bool_value(strcmp(s, "true") == 0);
        end = strcmp(s, "true") == 0 || strcmp(s, "false") == 0
                  ? s + strlen(s) : s;
        break;
    case TYPE_TEXT:
        c->default_value = (Value){.type = VALUE_TEXT,
                                   .text = {.s = s, .n = text->text.n}};
        return DB_OK; /* S is the value's text now */
    }
    bool bad = end == s || *end != '\0' || errno != 0;
    free(s);
    if (bad)
        return db_fail(DB_ECORRUPT, "the default of column \"%s\" is not a "
                       "%s", c->name, TYPE_NAMES[c->type]);
    return DB_OK;
}

/* Writes the strata_columns row of column POSITION of DEF. */
static DbStatus add_column_row(Catalog *catalog, const TableDef *def,
                               uint32_t position)
{
    const Column *c = &def->columns[position];
    char buf[48];
    Value row[COLUMNS_N_COLUMNS] = {
        text_value(def->name), int_value(position), text_value(c->name),
        text_value(TYPE_NAMES[c->type]),
        c->max_length >= 0 ? int_value(c->max_length) : NULL_VALUE,
        bool_value(c->not_null), bool_value(c->primary_key), NULL_VALUE};
    if (c->has_default)
        default_text(&c->default_value, buf, sizeof buf, &row[7]);
    return append_row(catalog->columns, row, COLUMNS_N_COLUMNS);
}

static DbStatus add_table_rows(Catalog *catalog, const TableDef *def,
                               uint32_t root)
{
    Value row[TABLES_N_COLUMNS] = {
        text_value(def->name), text_value("table"), text_value(def->name),
        int_value(root), text_value(def->sql)};
    DbStatus rc = append_row(catalog->tables, row, TABLES_N_COLUMNS);
    for (uint32_t i = 0; rc == DB_OK && i < def->n_columns; i++)
        rc = add_column_row(catalog, def, i);
    return rc;
}

/* --- reading a description ---------------------------------------------- */

/* Reads the columns of table NAME from strata_columns into DEF. */
static DbStatus load_columns(Catalog *catalog, TableDef *def)
{
    const TableDef *meta = &CATALOG_TABLES[1];
    BtreeCursor cursor;
    Value row[COLUMNS_N_COLUMNS];
    DbStatus rc;
    def->rowid_column = -1;
    for (rc = btree_first(catalog->columns, &cursor);
         rc == DB_OK && !cursor.end_of_tree; rc = btree_next(&cursor)) {
        rc = catalog_read_row(meta, &cursor, row);
        if (rc != DB_OK)
            break;
        if (!text_is(&row[0], def->name))
            continue;
        int64_t position = row[1].i;
        if (position < 0 || position >= CATALOG_MAX_COLUMNS ||
            (uint32_t)position != def->n_columns) {
            rc = db_fail(DB_ECORRUPT, "the catalog lists column %" PRId64
                         " of table \"%s\" out of order", position,
                         def->name);
            break;
        }
        Column *grown = realloc(def->columns,
                                (def->n_columns + 1) * sizeof *grown);
        if (grown == NULL) {
            rc = db_fail(DB_ENOMEM, "out of memory");
            break;
        }
        def->columns = grown;
        Column *c = &def->columns[def->n_columns++];
        *c = (Column){.name = copy_text(&row[2]), .max_length = -1,
                      .not_null = row[5].b, .primary_key = row[6].b};
        for (ColumnType t = TYPE_INTEGER; t <= TYPE_BOOLEAN; t++)
            if (text_is(&row[3], TYPE_NAMES[t]))
                c->type = t;
        if (c->name == NULL) {
            rc = db_fail(DB_ENOMEM, "out of memory");
            break;
        }
        if (c->type == 0) {
            rc = db_fail(DB_ECORRUPT, "column \"%s\" of table \"%s\" has "
                         "an unknown type", c->name, def->name);
            break;
        }
        if (row[4].type == VALUE_INTEGER) {
            if (c->type != TYPE_TEXT || row[4].i < 0 ||
                row[4].i > INT32_MAX) {
                rc = db_fail(DB_ECORRUPT, "column \"%s\" has a bad "
                             "length", c->name);
                break;
            }
            c->max_length = (int32_t)row[4].i;
        }
        if (c->primary_key) {
            if (c->type != TYPE_INTEGER || def->rowid_column >= 0) {
                rc = db_fail(DB_ECORRUPT, "table \"%s\" has a primary key "
                             "that is not one integer column", def->name);
                break;
            }
            def->rowid_column = (int32_t)position;
        }
        rc = parse_default(c, &row[7]);
        if (rc != DB_OK)
            break;
    }
    btree_cursor_close(&cursor);
    if (rc == DB_OK && def->n_columns == 0)
        rc = db_fail(DB_ECORRUPT, "the catalog lists no column of table "
                     "\"%s\"", def->name);
    return rc;
}

/* Reads the key columns of DEF's indexes from strata_columns. */
static DbStatus load_index_columns(Catalog *catalog, TableDef *def)
{
    BtreeCursor cursor;
    Value row[COLUMNS_N_COLUMNS];
    DbStatus rc;
    for (rc = btree_first(catalog->columns, &cursor);
         rc == DB_OK && !cursor.end_of_tree; rc = btree_next(&cursor)) {
        rc = catalog_read_row(&CATALOG_TABLES[1], &cursor, row);
        if (rc != DB_OK)
            break;
        IndexDef *x = NULL;
        for (uint32_t i = 0; x == NULL && i < def->n_indexes; i++)
            if (text_is(&row[0], def->indexes[i].name))
                x = &def->indexes[i];
        if (x == NULL)
            continue;
        int32_t column = -1;
        for (uint32_t c = 0; c < def->n_columns; c++)
            if (text_is(&row[2], def->columns[c].name))
                column = (int32_t)c;
        bool desc = text_is(&row[3], INDEX_DESC);
        if (row[1].i != x->n_columns || column < 0 ||
            x->n_columns == CATALOG_MAX_COLUMNS ||
            (!desc && !text_is(&row[3], INDEX_ASC))) {
            rc = db_fail(DB_ECORRUPT, "the catalog's column %" PRId64
                         " of index \"%s\" is damaged", row[1].i, x->name);
            break;
        }
        uint32_t *columns = realloc(x->columns,
                                    (x->n_columns + 1) * sizeof *columns);
        if (columns != NULL)
            x->columns = columns;
        bool *descs = realloc(x->desc, (x->n_columns + 1) * sizeof *descs);
        if (descs != NULL)
            x->desc = descs;
        if (columns == NULL || descs == NULL) {
            rc = db_fail(DB_ENOMEM, "out of memory");
            break;
        }
        x->columns[x->n_columns] = (uint32_t)column;
        x->desc[x->n_columns++] = desc;
        x->primary_key = row[6].b;
    }
    btree_cursor_close(&cursor);
    for (uint32_t i = 0; rc == DB_OK && i < def->n_indexes; i++)
        if (def->indexes[i].n_columns == 0)
            rc = db_fail(DB_ECORRUPT, "the catalog lists no column of "
                         "index \"%s\"", def->indexes[i].name);
    return rc;
}

/* Reads the indexes of LOADED's table from strata_tables, in its
 * order, and their columns. */
static DbStatus load_indexes(Catalog *catalog, Loaded *loaded)
{
    TableDef *def = &loaded->def;
    BtreeCursor cursor;
    Value row[TABLES_N_COLUMNS];
    DbStatus rc;
    for (rc = btree_first(catalog->tables, &cursor);
         rc == DB_OK && !cursor.end_of_tree; rc = btree_next(&cursor)) {
        rc = catalog_read_row(&CATALOG_TABLES[0], &cursor, row);
        if (rc != DB_OK)
            break;
        if (!is_index_type(&row[1]) || !text_is(&row[2], def->name))
            continue;
        if (row[3].type != VALUE_INTEGER || row[3].i <= 0 ||
            row[3].i >= pager_page_count(catalog->pager)) {
            rc = db_fail(DB_ECORRUPT, "the catalog row of index \"%.*s\" "
                         "is damaged", (int)row[0].text.n, row[0].text.s);
            break;
        }
        uint32_t n = def->n_indexes;
        IndexDef *grown = realloc(def->indexes, (n + 1) * sizeof *grown);
        if (grown != NULL)
            def->indexes = grown;
        int64_t *rows = realloc(loaded->index_rows, (n + 1) * sizeof *rows);
        if (rows != NULL)
            loaded->index_rows = rows;
        if (grown == NULL || rows == NULL) {
            rc = db_fail(DB_ENOMEM, "out of memory");
            break;
        }
        IndexDef *x = &def->indexes[def->n_indexes++];
        *x = (IndexDef){.name = copy_text(&row[0]),
                        .table = copy_string(def->name),
                        .root = (uint32_t)row[3].i,
                        .unique = text_is(&row[1], "unique index")};
        loaded->index_rows[n] = cursor.key;
        if (row[4].type == VALUE_TEXT && (x->sql = copy_text(&row[4])) ==
                                             NULL)
            rc = db_fail(DB_ENOMEM, "out of memory");
        if (x->name == NULL || x->table == NULL)
            rc = db_fail(DB_ENOMEM, "out of memory");
        if (rc != DB_OK)
            break;
    }
    btree_cursor_close(&cursor);
    if (rc == DB_OK && def->n_indexes > 0)
        rc = load_index_columns(catalog, def);
    return rc;
}

/* Reads the description of table NAME from the catalog's rows into
 * *loaded. DB_ENOTFOUND: there is no such table. */
static DbStatus load(Catalog *catalog, const char *name, Loaded *loaded)
{
    const TableDef *meta = &CATALOG_TABLES[0];
    BtreeCursor cursor;
    Value row[TABLES_N_COLUMNS];
    DbStatus rc;
    bool found = false;
    *loaded = (Loaded){0};
    for (rc = btree_first(catalog->tables, &cursor);
         rc == DB_OK && !cursor.end_of_tree && !found;
         rc = btree_next(&cursor)) {
        rc = catalog_read_row(meta, &cursor, row);
        if (rc != DB_OK)
            break;
        if (!text_is(&row[0], name))
            continue;
        if (is_index_type(&row[1]))
            break; /* an index: no table of that name */
        found = true;
        bool view = text_is(&row[1], "view");
        if (view && row[4].type == VALUE_TEXT) {
            loaded->row_id = cursor.key;
            loaded->def.is_view = true;
            loaded->def.rowid_column = -1;
            loaded->def.name = copy_text(&row[0]);
            loaded->def.sql = copy_text(&row[4]);
            if (loaded->def.name == NULL || loaded->def.sql == NULL)
                rc = db_fail(DB_ENOMEM, "out of memory");
            break;
        }
        if (!text_is(&row[1], "table") || row[3].type != VALUE_INTEGER ||
            row[3].i <= 0 || row[3].i >= pager_page_count(catalog->pager)) {
            rc = db_fail(DB_ECORRUPT, "the catalog row of table \"%s\" is "
                         "damaged", name);
            break;
        }
        loaded->row_id = cursor.key;
        loaded->def.root = (uint32_t)row[3].i;
        loaded->def.name = copy_text(&row[0]);
        loaded->def.sql = row[4].type == VALUE_TEXT ? copy_text(&row[4])
                                                   : NULL;
        if (loaded->def.name == NULL)
            rc = db_fail(DB_ENOMEM, "out of memory");
        break;
    }
    btree_cursor_close(&cursor);
    if (rc == DB_OK && !found)
        rc = db_fail(DB_ENOTFOUND, "relation \"%s\" does not exist", name);
    if (rc == DB_OK && !loaded->def.is_view)
        rc = load_columns(catalog, &loaded->def);
    if (rc == DB_OK && !loaded->def.is_view)
        rc = load_indexes(catalog, loaded);
    if (rc == DB_OK)
        loaded->def.is_system = strcmp(name, CATALOG_TABLES[0].name) == 0 ||
                                strcmp(name, CATALOG_TABLES[1].name) == 0;
    if (rc != DB_OK)
        free_loaded(loaded);
    return rc;
}

const char *catalog_quote(const char *name, int *len)
{
    size_t n = strlen(name);
    if (n <= CATALOG_NAME_MAX) {
        *len = (int)n;
        return "";
    }
    n = CATALOG_NAME_MAX;
    while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
        n--;
    *len = (int)n;
    return "...";
}

DbStatus catalog_find(Catalog *catalog, const char *name,
                      const TableDef **def)
{
    for (uint32_t i = 0; i < catalog->n_loaded; i++) {
        if (strcmp(catalog->loaded[i]->def.name, name) == 0) {
            *def = &catalog->loaded[i]->def;
            return DB_OK;
        }
    }
    if (catalog->n_loaded == catalog->loaded_cap) {
        uint32_t cap = catalog->loaded_cap ? 2 * catalog->loaded_cap : 8;
        Loaded **grown = realloc(catalog->loaded, cap * sizeof *grown);
        if (grown == NULL)
            return db_fail(DB_ENOMEM, "out of memory");
        catalog->loaded = grown;
        catalog->loaded_cap = cap;
    }
    Loaded *l = malloc(sizeof *l);
    if (l == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    DbStatus rc = load(catalog, name, l);
    if (rc != DB_OK) {
        free(l);
        return rc;
    }
    catalog->loaded[catalog->n_loaded++] = l;
    *def = &l->def;
    return DB_OK;
}

/* The names of the tables and views, or (INDEXES) of the indexes, in
 * the order of strata_tables, into *names (*n of them, each to free). */
static DbStatus list_names(Catalog *catalog, bool indexes, char ***out,
                           uint32_t *out_n)
{
    BtreeCursor cursor;
    Value row[TABLES_N_COLUMNS];
    char **names = NULL;
    uint32_t n = 0;
    DbStatus rc;
    for (rc = btree_first(catalog->tables, &cursor);
         rc == DB_OK && !cursor.end_of_tree; rc = btree_next(&cursor)) {
        rc = catalog_read_row(&CATALOG_TABLES[0], &cursor, row);
        if (rc != DB_OK)
            break;
        if (is_index_type(&row[1]) != indexes)
            continue;
        char **grown = realloc(names, (n + 1) * sizeof *grown);
        if (grown == NULL || (grown[n] = copy_text(&row[0])) == NULL) {
            names = grown ? grown : names;
            rc = db_fail(DB_ENOMEM, "out of memory");
            break;
        }
        names = grown;
        n++;
    }
    btree_cursor_close(&cursor);
    *out = names;
    *out_n = n;
    return rc;
}

static void free_names(char **names, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

DbStatus catalog_each_table(Catalog *catalog,
                            DbStatus (*visit)(void *ctx,
                                              const TableDef *def),
                            void *ctx)
{
    /* Names first, then each description: a visit may read the catalog
     * (to count rows, say), which must not move this cursor's leaf. */
    char **names;
    uint32_t n;
    DbStatus rc = list_names(catalog, false, &names, &n);
    for (uint32_t i = 0; rc == DB_OK && i < n; i++) {
        const TableDef *def;
        rc = catalog_find(catalog, names[i], &def);
        if (rc == DB_OK)
            rc = visit(ctx, def);
    }
    free_names(names, n);
    return rc;
}

DbStatus catalog_each_index(Catalog *catalog,
                            DbStatus (*visit)(void *ctx,
                                              const IndexDef *index,
                                              const TableDef *table),
                            void *ctx)
{
    char **names;
    uint32_t n;
    DbStatus rc = list_names(catalog, true, &names, &n);
    for (uint32_t i = 0; rc == DB_OK && i < n; i++) {
        const IndexDef *index;
        const TableDef *table;
        rc = catalog_find_index(catalog, names[i], &index, &table);
        if (rc == DB_OK)
            rc = visit(ctx, index, table);
    }
    free_names(names, n);
    return rc;
}

/* Looks for the row of strata_tables named NAME: *found; whether it is
 * an index's; and then (when TABLE is not NULL) the name of its table,
 * in a new string. */
static DbStatus find_named(Catalog *catalog, const char *name, bool *found,
                           bool *is_index, char **table)
{
    BtreeCursor cursor;
    Value row[TABLES_N_COLUMNS];
    DbStatus rc;
    *found = *is_index = false;
    for (rc = btree_first(catalog->tables, &cursor);
         rc == DB_OK && !cursor.end_of_tree && !*found;
         rc = btree_next(&cursor)) {
        rc = catalog_read_row(&CATALOG_TABLES[0], &cursor, row);
        if (rc != DB_OK)
            break;
        if (!text_is(&row[0], name))
            continue;
        *found = true;
        *is_index = is_index_type(&row[1]);
        if (*is_index && table != NULL &&
            (*table = copy_text(&row[2])) == NULL)
            rc = db_fail(DB_ENOMEM, "out of memory");
        break;
    }
    btree_cursor_close(&cursor);
    return rc;
}

/* DB_EDUPKEY when a table, view or index is called NAME. */
static DbStatus name_free(Catalog *catalog, const char *name)
{
    bool found, is_index;
    DbStatus rc = find_named(catalog, name, &found, &is_index, NULL);
    if (rc == DB_OK && found)
        rc = db_fail(DB_EDUPKEY, "relation \"%s\" already exists", name);
    return rc;
}

DbStatus catalog_find_index(Catalog *catalog, const char *name,
                            const IndexDef **def, const TableDef **table)
{
    /* A table read already lists its indexes. */
    for (uint32_t i = 0; i < catalog->n_loaded; i++) {
        const TableDef *t = &catalog->loaded[i]->def;
        for (uint32_t k = 0; k < t->n_indexes; k++) {
            if (strcmp(t->indexes[k].name, name) == 0) {
                *def = &t->indexes[k];
                *table = t;
                return DB_OK;
            }
        }
    }
    bool found, is_index;
    char *table_name = NULL;
    DbStatus rc = find_named(catalog, name, &found, &is_index, &table_name);
    if (rc == DB_OK && !(found && is_index))
        rc = db_fail(DB_ENOTFOUND, "index \"%s\" does not exist", name);
    if (rc == DB_OK) {
        rc = catalog_find(catalog, table_name, table);
        if (rc == DB_ENOTFOUND)
            rc = db_fail(DB_ECORRUPT, "index \"%s\" is of table \"%s\", "
                         "which the catalog does not hold", name,
                         table_name);
    }
    free(table_name);
    if (rc != DB_OK)
        return rc;
    for (uint32_t k = 0; k < (*table)->n_indexes; k++) {
        if (strcmp((*table)->indexes[k].name, name) == 0) {
            *def = &(*table)->indexes[k];
            return DB_OK;
        }
    }
    return db_fail(DB_ECORRUPT, "index \"%s\" is not among the indexes "
                   "of its table", name);
}

/* book: begin index-key */
DbStatus catalog_index_key(const IndexDef *index, const Value *values,
                           int64_t rowid, uint8_t *key, size_t *size)
{
    *size = 0;
    DbStatus rc = DB_OK;
    for (uint32_t i = 0; rc == DB_OK && i < index->n_columns; i++)
        rc = record_key_append(key, BTREE_MAX_KEY, size,
                               &values[index->columns[i]], index->desc[i]);
    if (rc == DB_OK)
        rc = record_key_append_rowid(key, BTREE_MAX_KEY, size, rowid);
    if (rc == DB_ETOOLONG)
        return db_fail(rc, "index row size exceeds maximum %d for index "
                       "\"%s\"", BTREE_MAX_KEY, index->name);
    return rc;
}
/* book: end index-key */

/* --- the schema cookie -------------------------------------------------- */

DbStatus catalog_cookie(Catalog *catalog, uint32_t *cookie)
{
    uint8_t *header;
    DbStatus rc = pager_get_page(catalog->pager, 0, &header);
    if (rc != DB_OK)
        return rc;
    *cookie = get_u32(header + HEADER_COOKIE_OFFSET);
    pager_release(catalog->pager, 0);
    return DB_OK;
}

/* Every schema change bumps the cookie and forgets what was read. */
static DbStatus schema_changed(Catalog *catalog)
{
    catalog_forget(catalog);
    uint8_t *header;
    DbStatus rc = pager_write(catalog->pager, 0);
    if (rc == DB_OK)
        rc = pager_get_page(catalog->pager, 0, &header);
    if (rc != DB_OK)
        return rc;
    put_u32(header + HEADER_COOKIE_OFFSET,
            get_u32(header + HEADER_COOKIE_OFFSET) + 1);
    pager_release(catalog->pager, 0);
    return DB_OK;
}

/* --- creating and dropping ---------------------------------------------- */

DbStatus catalog_create(Catalog *catalog, const TableDef *def)
{
    DbStatus rc = name_free(catalog, def->name);
    if (rc != DB_OK)
        return rc;
    uint32_t root;
    rc = btree_create(catalog->pager, &root);
    if (rc == DB_OK)
        rc = add_table_rows(catalog, def, root);
    if (rc == DB_OK)
        rc = schema_changed(catalog);
    return rc;
}

/* Deletes every row of strata_columns that belongs to table NAME. */
static DbStatus drop_column_rows(Catalog *catalog, const char *name)
{
    BtreeCursor cursor;
    Value row[COLUMNS_N_COLUMNS];
    int64_t *keys = NULL;
    uint32_t n = 0;
    DbStatus rc;
    for (rc = btree_first(catalog->columns, &cursor);
         rc == DB_OK && !cursor.end_of_tree; rc = btree_next(&cursor)) {
        rc = catalog_read_row(&CATALOG_TABLES[1], &cursor, row);
        if (rc != DB_OK)
            break;
        if (!text_is(&row[0], name))
            continue;
        int64_t *grown = realloc(keys, (n + 1) * sizeof *grown);
        if (grown == NULL) {
            rc = db_fail(DB_ENOMEM, "out of memory");
            break;
        }
        keys = grown;
        keys[n++] = cursor.key;
    }
    /* Deleting moves cells: the cursor lets go of its leaf first. */
    btree_cursor_close(&cursor);
    for (uint32_t i = 0; rc == DB_OK && i < n; i++)
        rc = btree_delete(catalog->columns, keys[i]);
    free(keys);
    return rc;
}

DbStatus catalog_create_view(Catalog *catalog, const char *name,
                             const char *sql)
{
    Value row[TABLES_N_COLUMNS] = {
        text_value(name), text_value("view"), text_value(name), NULL_VALUE,
        text_value(sql)};
    DbStatus rc = name_free(catalog, name);
    if (rc == DB_OK)
        rc = append_row(catalog->tables, row, TABLES_N_COLUMNS);
    return rc == DB_OK ? schema_changed(catalog) : rc;
}

DbStatus catalog_create_index(Catalog *catalog, const IndexDef *def)
{
    const TableDef *table;
    DbStatus rc = name_free(catalog, def->name);
    if (rc == DB_OK)
        rc = catalog_find(catalog, def->table, &table);
    if (rc != DB_OK)
        return rc;
    uint32_t root;
    rc = btree_create_index(catalog->pager, &root);
    Value row[TABLES_N_COLUMNS] = {
        text_value(def->name),
        text_value(def->unique ? "unique index" : "index"),
        text_value(def->table), int_value(root),
        def->sql != NULL ? text_value(def->sql) : NULL_VALUE};
    if (rc == DB_OK)
        rc = append_row(catalog->tables, row, TABLES_N_COLUMNS);
    for (uint32_t i = 0; rc == DB_OK && i < def->n_columns; i++) {
        assert(def->columns[i] < table->n_columns);
        Value column[COLUMNS_N_COLUMNS] = {
            text_value(def->name), int_value(i),
            text_value(table->columns[def->columns[i]].name),
            text_value(def->desc[i] ? INDEX_DESC : INDEX_ASC), NULL_VALUE,
            bool_value(false), bool_value(def->primary_key), NULL_VALUE};
        rc = append_row(catalog->columns, column, COLUMNS_N_COLUMNS);
    }
    if (rc == DB_OK)
        rc = schema_changed(catalog);
    return rc;
}

/* Frees the tree of index X, whose row in strata_tables is ROW_ID, and
 * removes its rows. */
static DbStatus drop_index(Catalog *catalog, const IndexDef *x,
                           int64_t row_id)
{
    Btree *tree;
    DbStatus rc = btree_open(catalog->pager, x->root, &tree);
    if (rc == DB_OK)
        rc = btree_drop(tree);
    if (rc == DB_OK)
        rc = btree_delete(catalog->tables, row_id);
    if (rc == DB_OK)
        rc = drop_column_rows(catalog, x->name);
    return rc;
}

/* The Loaded that holds DEF. */
static Loaded *loaded_of(Catalog *catalog, const TableDef *def)
{
    for (uint32_t i = 0; i < catalog->n_loaded; i++)
        if (&catalog->loaded[i]->def == def)
            return catalog->loaded[i];
    assert(!"a description the catalog does not hold");
    return NULL;
}

DbStatus catalog_drop_index(Catalog *catalog, const char *name)
{
    const IndexDef *x;
    const TableDef *table;
    DbStatus rc = catalog_find_index(catalog, name, &x, &table);
    if (rc != DB_OK)
        return rc;
    rc = drop_index(catalog, x, loaded_of(catalog, table)->index_rows[x -
                                                        table->indexes]);
    return rc == DB_OK ? schema_changed(catalog) : rc;
}

DbStatus catalog_drop(Catalog *catalog, const char *name)
{
    const TableDef *def;
    DbStatus rc = catalog_find(catalog, name, &def);
    if (rc != DB_OK)
        return rc;
    Loaded *loaded = loaded_of(catalog, def);
    int64_t row_id = loaded->row_id;
    if (def->is_view) {
        rc = btree_delete(catalog->tables, row_id);
        return rc == DB_OK ? schema_changed(catalog) : rc;
    }
    for (uint32_t i = 0; rc == DB_OK && i < def->n_indexes; i++)
        rc = drop_index(catalog, &def->indexes[i], loaded->index_rows[i]);
    Btree *tree;
    if (rc == DB_OK)
        rc = btree_open(catalog->pager, def->root, &tree);
    if (rc == DB_OK)
        rc = btree_drop(tree);
    if (rc == DB_OK)
        rc = btree_delete(catalog->tables, row_id);
    if (rc == DB_OK)
        rc = drop_column_rows(catalog, name);
    if (rc == DB_OK)
        rc = schema_changed(catalog);
    return rc;
}

/* --- opening ------------------------------------------------------------ */

static bool same_column(const Column *a, const Column *b)
{
    return strcmp(a->name, b->name) == 0 && a->type == b->type &&
           a->max_length == b->max_length && a->not_null == b->not_null &&
           a->primary_key == b->primary_key &&
           a->has_default == b->has_default;
}

/* book: begin catalog-check */
/* The catalog's rows about itself must say what this program knows. */
static DbStatus check_self(Catalog *catalog)
{
    for (int t = 0; t < 2; t++) {
        const TableDef *known = &CATALOG_TABLES[t];
        const TableDef *found;
        DbStatus rc = catalog_find(catalog, known->name, &found);
        if (rc == DB_ENOTFOUND)
            return db_fail(DB_EFORMAT, "the catalog does not describe "
                           "%s; this is not a catalog of milestone %s",
                           known->name, STRATA_MILESTONE);
        if (rc != DB_OK)
            return rc;
        bool same = found->root == known->root &&
                    found->n_columns == known->n_columns &&
                    found->rowid_column == known->rowid_column;
        for (uint32_t i = 0; same && i < known->n_columns; i++)
            same = same_column(&found->columns[i], &known->columns[i]);
        if (!same)
            return db_fail(DB_EFORMAT, "the catalog describes %s "
                           "differently than milestone %s does",
                           known->name, STRATA_MILESTONE);
    }
    return DB_OK;
}
/* book: end catalog-check */

DbStatus catalog_open(Pager *pager, bool new_file, Catalog **out)
{
    *out = NULL;
    Catalog *catalog = calloc(1, sizeof *catalog);
    if (catalog == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    catalog->pager = pager;
    DbStatus rc = DB_OK;
    if (new_file) {
        /* The first two pages after the header become the catalog's
         * roots; the rows describing them go in next. */
        uint32_t roots[2];
        rc = btree_create(pager, &roots[0]);
        if (rc == DB_OK)
            rc = btree_create(pager, &roots[1]);
        if (rc == DB_OK && (roots[0] != CATALOG_TABLES_ROOT ||
                            roots[1] != CATALOG_COLUMNS_ROOT))
            rc = db_fail(DB_ECORRUPT, "a new file's catalog did not get "
                         "pages %d and %d", CATALOG_TABLES_ROOT,
                         CATALOG_COLUMNS_ROOT);
    }
    if (rc == DB_OK)
        rc = btree_open(pager, CATALOG_TABLES_ROOT, &catalog->tables);
    if (rc == DB_OK)
        rc = btree_open(pager, CATALOG_COLUMNS_ROOT, &catalog->columns);
    for (int t = 0; new_file && rc == DB_OK && t < 2; t++)
        rc = add_table_rows(catalog, &CATALOG_TABLES[t],
                            CATALOG_TABLES[t].root);
    if (rc == DB_OK)
        rc = check_self(catalog);
    if (rc != DB_OK) {
        catalog_close(catalog);
        return rc;
    }
    *out = catalog;
    return DB_OK;
}

void catalog_close(Catalog *catalog)
{
    if (catalog == NULL)
        return;
    catalog_forget(catalog);
    free(catalog->loaded);
    if (catalog->tables != NULL)
        btree_close(catalog->tables);
    if (catalog->columns != NULL)
        btree_close(catalog->columns);
    free(catalog);
}
