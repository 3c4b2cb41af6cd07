/*
 * catalog.c - the catalog: two tables in the file that say which tables
 * there are and what their columns are, and describe themselves.
 *
 * Owns: the catalog's own tables and rows, reading a table's description
 * from them, creating and dropping tables, and the schema cookie in the
 * file header.
 * Does not: check a statement's meaning (exec.c does), or keep a list of
 * tables that could disagree with the file: every description comes
 * from the catalog's rows, and what has been read is only a copy,
 * forgotten at every schema change and rollback.
 *
 * How a database describes itself (the bootstrap): a new file gets two
 * trees, at pages 1 and 2, and their rows say what they are:
 *
 *   strata_tables (page 1)
 *     name            type   table_name      root_page  sql
 *     strata_tables   table  strata_tables   1          CREATE TABLE ...
 *     strata_columns  table  strata_columns  2          CREATE TABLE ...
 *     users           table  users           3          CREATE TABLE ...
 *
 *   strata_columns (page 2)
 *     table_name     position  name  type     max_length  not_null ...
 *     strata_tables  0         name  text     NULL        true
 *     ...
 *     users          0         id    integer  NULL        true
 *
 * A program can read strata_tables only if it already knows its columns:
 * so they are compiled in (CATALOG_TABLES below), and at open the rows
 * that describe the catalog must say the same, or the file is another
 * format. Every other table is found by reading those rows.
 */
#include "catalog.h"

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
} Loaded;

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
    *def = (TableDef){0};
}

void catalog_forget(Catalog *catalog)
{
    for (uint32_t i = 0; i < catalog->n_loaded; i++) {
        free_def(&catalog->loaded[i]->def);
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
    if (rc == DB_OK)
        loaded->def.is_system = strcmp(name, CATALOG_TABLES[0].name) == 0 ||
                                strcmp(name, CATALOG_TABLES[1].name) == 0;
    if (rc != DB_OK)
        free_def(&loaded->def);
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

DbStatus catalog_each_table(Catalog *catalog,
                            DbStatus (*visit)(void *ctx,
                                              const TableDef *def),
                            void *ctx)
{
    /* Names first, then each description: a visit may read the catalog
     * (to count rows, say), which must not move this cursor's leaf. */
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
    for (uint32_t i = 0; rc == DB_OK && i < n; i++) {
        const TableDef *def;
        rc = catalog_find(catalog, names[i], &def);
        if (rc == DB_OK)
            rc = visit(ctx, def);
    }
    for (uint32_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

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
    const TableDef *existing;
    DbStatus rc = catalog_find(catalog, def->name, &existing);
    if (rc == DB_OK)
        return db_fail(DB_EDUPKEY, "relation \"%s\" already exists",
                       def->name);
    if (rc != DB_ENOTFOUND)
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
    DbStatus rc = append_row(catalog->tables, row, TABLES_N_COLUMNS);
    return rc == DB_OK ? schema_changed(catalog) : rc;
}

DbStatus catalog_drop(Catalog *catalog, const char *name)
{
    const TableDef *def;
    DbStatus rc = catalog_find(catalog, name, &def);
    if (rc != DB_OK)
        return rc;
    int64_t row_id = 0;
    for (uint32_t i = 0; i < catalog->n_loaded; i++)
        if (&catalog->loaded[i]->def == def)
            row_id = catalog->loaded[i]->row_id;
    if (def->is_view) {
        rc = btree_delete(catalog->tables, row_id);
        return rc == DB_OK ? schema_changed(catalog) : rc;
    }
    Btree *tree;
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
