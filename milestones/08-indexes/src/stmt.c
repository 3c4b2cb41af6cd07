/*
 * stmt.c - runs statements: a query through the binder, the planner and
 * the executor; changes to a table's rows; definitions of tables and
 * views; settings. Each statement is one transaction.
 *
 * Owns: what each statement means (as in 06: types, keys, defaults,
 * PostgreSQL's wording of each error), the type rules for a value going
 * into a column, and the order of a change's steps: the rows a change
 * touches are found first and changed after, so that a change never
 * meets its own rows again.
 * Does not: parse (the grammar does), resolve names (bind.c), choose
 * operators (plan.c) or run them (exec.c).
 */
#include "exec.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"
#include "parse.h"
#include "sort.h"
#include "tokenize.h"

#define ROWID_NAME "rowid"   /* the hidden row id, as SQLite names it */

/* A value's type, in an error about it. */
static const char *type_word(const Value *v)
{
    return v->type == VALUE_NULL ? "unknown" : value_type_name(v);
}

static DbStatus constant(const Expr *e, Value *out)
{
    switch (e->kind) {
    case EXPR_LITERAL:
        if (e->too_big)
            return db_fail_at(DB_ERANGE, e->pos, "integer out of range");
        *out = e->value;
        return DB_OK;
    case EXPR_UNARY: {
        DbStatus rc = constant(e->left, out);
        if (rc != DB_OK || out->type == VALUE_NULL)
            return rc; /* a sign in front of NULL is NULL */
        return db_fail_at(DB_ETYPE, e->pos, "operator does not exist: %s "
                          "%s", e->op == TK_MINUS ? "-" : "+",
                          type_word(out));
    }
    default:
        return db_fail_at(DB_ESYNTAX, e->pos, "a DEFAULT must be a literal "
                          "value");
    }
}

/* The number of UTF-8 characters in the N bytes of S. */

static uint32_t characters(const char *s, uint32_t n)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i < n; i++)
        count += ((unsigned char)s[i] & 0xc0) != 0x80;
    return count;
}

/* book: begin coerce */
DbStatus exec_coerce(const TableDef *def, uint32_t c, Value *v,
                     uint32_t pos)
{
    const Column *col = &def->columns[c];
    char type[48];
    if (v->type == VALUE_NULL) {
        if (col->not_null && (int32_t)c != def->rowid_column)
            return db_fail_at(DB_ECONSTRAINT, pos, "null value in column "
                              "\"%s\" violates not-null constraint",
                              col->name);
        return DB_OK;
    }
    switch (col->type) {
    case TYPE_INTEGER:
        /* A real that is a whole number fits without loss, as in
         * SQLite's STRICT tables; any other real does not. */
        if (v->type == VALUE_REAL && v->r == floor(v->r) &&
            v->r >= -9223372036854775808.0 && v->r < 9223372036854775808.0)
            *v = (Value){.type = VALUE_INTEGER, .i = (int64_t)v->r};
        if (v->type == VALUE_INTEGER)
            return DB_OK;
        break;
    case TYPE_REAL:
        if (v->type == VALUE_INTEGER)
            *v = (Value){.type = VALUE_REAL, .r = (double)v->i};
        if (v->type == VALUE_REAL)
            return DB_OK;
        break;
    case TYPE_TEXT:
        if (v->type != VALUE_TEXT)
            break;
        if (col->max_length >= 0 &&
            characters(v->text.s, v->text.n) > (uint32_t)col->max_length)
            return db_fail_at(DB_ETOOLONG, pos, "value too long for type "
                              "%s", catalog_type_name(col, type));
        return DB_OK;
    case TYPE_BOOLEAN:
        /* A comparison's answer, 1 or 0 as in SQLite, is a boolean. */
        if (v->type == VALUE_INTEGER && (v->i == 0 || v->i == 1))
            *v = (Value){.type = VALUE_BOOLEAN, .b = v->i == 1};
        if (v->type == VALUE_BOOLEAN)
            return DB_OK;
        break;
    }
    return db_fail_at(DB_ETYPE, pos, "column \"%s\" is of type %s but "
                      "expression is of type %s", col->name,
                      catalog_type_name(col, type), type_word(v));
}
/* book: end coerce */

/* --- names ------------------------------------------------------------ */

static DbStatus find_table(Db *db, const Name *name, bool writing,
                           const TableDef **def)
{
    if (db_temp_view(db, name->text) != NULL)
        return db_fail_at(DB_EUNSUPPORTED, name->pos, "cannot change view "
                          "\"%s\": a view has no rows of its own",
                          name->text);
    DbStatus rc = catalog_find(db_catalog(db), name->text, def);
    if (rc == DB_ENOTFOUND)
        return db_fail_at(rc, name->pos, "relation \"%s\" does not exist",
                          name->text);
    if (rc == DB_OK && writing && (*def)->is_system)
        return db_fail_at(DB_EUNSUPPORTED, name->pos, "permission denied: "
                          "\"%s\" is a system catalog; it changes only by "
                          "CREATE TABLE and DROP TABLE", name->text);
    if (rc == DB_OK && writing && (*def)->is_view)
        return db_fail_at(DB_EUNSUPPORTED, name->pos, "cannot change view "
                          "\"%s\": a view has no rows of its own",
                          name->text);
    return rc;
}

/* The column NAME of DEF, or -1. */
static int32_t column_index(const TableDef *def, const char *name)
{
    for (uint32_t i = 0; i < def->n_columns; i++)
        if (strcmp(def->columns[i].name, name) == 0)
            return (int32_t)i;
    return -1;
}

static DbStatus find_column(const TableDef *def, const Name *name,
                            uint32_t *c)
{
    int32_t i = column_index(def, name->text);
    if (i < 0)
        return db_fail_at(DB_ENOTFOUND, name->pos, "column \"%s\" of "
                          "relation \"%s\" does not exist", name->text,
                          def->name);
    *c = (uint32_t)i;
    return DB_OK;
}

/* --- row ids and rows ------------------------------------------------- */


/* The trees of a table and of an index: the catalog's root pages come
 * from the file, so a root of the other kind is a damaged file. */
static DbStatus open_tree(Db *db, const TableDef *def, Btree **tree)
{
    DbStatus rc = btree_open(db_pager(db), def->root, tree);
    if (rc == DB_OK && btree_is_index(*tree)) {
        btree_close(*tree);
        *tree = NULL;
        rc = db_fail(DB_ECORRUPT, "table \"%s\": page %" PRIu32 " is the "
                     "root of an index", def->name, def->root);
    }
    return rc;
}

static DbStatus open_index(Db *db, const IndexDef *index, Btree **tree)
{
    DbStatus rc = btree_open(db_pager(db), index->root, tree);
    if (rc == DB_OK && !btree_is_index(*tree)) {
        btree_close(*tree);
        *tree = NULL;
        rc = db_fail(DB_ECORRUPT, "index \"%s\": page %" PRIu32 " is not "
                     "the root of an index", index->name, index->root);
    }
    return rc;
}

/* Says that KEY is taken, as PostgreSQL does for a primary key. */
static DbStatus duplicate_key(const TableDef *def, int64_t key)
{
    const char *column = def->rowid_column >= 0
                             ? def->columns[def->rowid_column].name
                             : ROWID_NAME;
    DbStatus rc = db_fail(DB_EDUPKEY, "duplicate key value violates unique "
                          "constraint \"%s_pkey\"", def->name);
    db_fail_detail("Key (%s)=(%" PRId64 ") already exists.", column, key);
    return rc;
}

/* The record of VALUES (DEF's columns) as a new buffer; the row id column
 * is stored as NULL, since the key holds it. */
static DbStatus make_record(const TableDef *def, const Value *values,
                            uint8_t **record, size_t *size)
{
    Value saved;
    Value *row = (Value *)values;
    if (def->rowid_column >= 0) {
        saved = row[def->rowid_column];
        row[def->rowid_column] = (Value){.type = VALUE_NULL};
    }
    *size = record_size(row, def->n_columns);
    *record = malloc(*size);
    if (*record != NULL)
        record_encode(row, def->n_columns, *record);
    if (def->rowid_column >= 0)
        row[def->rowid_column] = saved;
    return *record ? DB_OK : db_fail(DB_ENOMEM, "out of memory");
}

/* --- indexes ---------------------------------------------------------- */

DbStatus exec_index_key(const IndexDef *index, const Value *values,
                        int64_t rowid, uint8_t *key, size_t *size)
{
    return catalog_index_key(index, values, rowid, key, size);
}

/* Whether a row with VALUES escapes INDEX's uniqueness: NULLs are
 * distinct from each other, as in SQLite and PostgreSQL, and a NaN
 * encodes as NULL. */
static bool has_null(const IndexDef *index, const Value *values)
{
    for (uint32_t i = 0; i < index->n_columns; i++) {
        const Value *v = &values[index->columns[i]];
        if (v->type == VALUE_NULL || (v->type == VALUE_REAL && isnan(v->r)))
            return true;
    }
    return false;
}

/* "(a, b)=(1, x)", the columns of INDEX (of DEF) and VALUES, one per key
 * column in key order, as PostgreSQL's DETAIL writes a key, into BUF. */
static void key_text(const TableDef *def, const IndexDef *index,
                     const Value *values, char *buf, size_t size)
{
    size_t n = 0;
#define PUT(...)                                                            \
    do {                                                                    \
        if (n < size)                                                       \
            n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__);          \
    } while (0)
    for (uint32_t i = 0; i < index->n_columns; i++)
        PUT("%s%s", i ? ", " : "(", def->columns[index->columns[i]].name);
    PUT(")=");
    for (uint32_t i = 0; i < index->n_columns; i++) {
        const Value *v = &values[i];
        char real[32];
        PUT("%s", i ? ", " : "(");
        switch (v->type) {
        case VALUE_NULL:
            PUT("null");
            break;
        case VALUE_INTEGER:
            PUT("%" PRId64, v->i);
            break;
        case VALUE_REAL:
            value_format_real(v->r, real, sizeof real);
            PUT("%s", real);
            break;
        case VALUE_BOOLEAN:
            PUT("%s", v->b ? "t" : "f");
            break;
        case VALUE_TEXT:
            PUT("%.*s", (int)(v->text.n > 200 ? 200 : v->text.n),
                v->text.s);
            break;
        }
    }
    PUT(")");
#undef PUT
}

/* Says that the row VALUES (all of DEF's columns) breaks unique INDEX,
 * in PostgreSQL's words. */
static DbStatus unique_violation(const TableDef *def, const IndexDef *index,
                                 const Value *values)
{
    Value key[CATALOG_MAX_COLUMNS];
    uint32_t n = index->n_columns < CATALOG_MAX_COLUMNS
                     ? index->n_columns : CATALOG_MAX_COLUMNS;
    for (uint32_t i = 0; i < n; i++)
        key[i] = values[index->columns[i]];
    char text[512];
    key_text(def, index, key, text, sizeof text);
    DbStatus rc = db_fail(DB_ECONSTRAINT, "duplicate key value violates "
                          "unique constraint \"%s\"", index->name);
    db_fail_detail("Key %s already exists.", text);
    return rc;
}

/* DB_ECONSTRAINT when a row other than row SELF (none: HAS_SELF false)
 * has an entry in INDEX (TREE) with the values of KEY (SIZE bytes, the
 * row id last), whose row is VALUES. */
static DbStatus check_unique(Btree *tree, const TableDef *def,
                             const IndexDef *index, const Value *values,
                             const uint8_t *key, size_t size, bool has_self,
                             int64_t self)
{
    size_t prefix = size - RECORD_KEY_ROWID_SIZE;
    BtreeCursor cursor = {0};
    DbStatus rc = btree_index_seek(tree, key, prefix, &cursor);
    while (rc == DB_OK && !cursor.end_of_tree) {
        const uint8_t *found;
        size_t found_size;
        int64_t other;
        rc = btree_index_key(&cursor, &found, &found_size);
        if (rc != DB_OK || found_size != size ||
            memcmp(found, key, prefix) != 0)
            break; /* past the entries with these values */
        rc = record_key_rowid(found, found_size, &other);
        if (rc == DB_OK && (!has_self || other != self)) {
            rc = unique_violation(def, index, values);
            break;
        }
        if (rc == DB_OK)
            rc = btree_next(&cursor);
    }
    btree_cursor_close(&cursor);
    return rc;
}

/* The change one row makes to the indexes of its table: for index I,
 * the entry to delete (old_size[i] bytes at old_key(i); 0: none) and
 * the entry to insert (new_size[i] at new_key(i)). */
typedef struct IndexChange {
    const TableDef *def;
    uint8_t *keys;         /* 2 * BTREE_MAX_KEY bytes per index */
    size_t *old_size, *new_size;
} IndexChange;

static uint8_t *old_key(IndexChange *ch, uint32_t i)
{
    return ch->keys + (size_t)i * 2 * BTREE_MAX_KEY;
}

static uint8_t *new_key(IndexChange *ch, uint32_t i)
{
    return old_key(ch, i) + BTREE_MAX_KEY;
}

static void change_free(IndexChange *ch)
{
    free(ch->keys);
    free(ch->old_size);
    *ch = (IndexChange){0};
}

/* Makes the entries of the row OLD_VALUES (row OLD_ROWID; NULL: a row
 * going in) and of NEW_VALUES (row NEW_ROWID; NULL: a row going out) in
 * each index of DEF, leaving out an index whose entry stays the same,
 * and checks every unique index for the new entries, before anything
 * changes: DB_ETOOLONG, DB_ECONSTRAINT. */
static DbStatus change_prepare(Db *db, const TableDef *def,
                               int64_t old_rowid, const Value *old_values,
                               int64_t new_rowid, const Value *new_values,
                               IndexChange *ch)
{
    *ch = (IndexChange){.def = def};
    uint32_t n = def->n_indexes;
    if (n == 0)
        return DB_OK;
    ch->keys = malloc((size_t)n * 2 * BTREE_MAX_KEY);
    ch->old_size = calloc(2 * (size_t)n, sizeof *ch->old_size);
    if (ch->keys == NULL || ch->old_size == NULL) {
        change_free(ch);
        return db_fail(DB_ENOMEM, "out of memory");
    }
    ch->new_size = ch->old_size + n;
    DbStatus rc = DB_OK;
    for (uint32_t i = 0; rc == DB_OK && i < n; i++) {
        const IndexDef *x = &def->indexes[i];
        if (old_values != NULL)
            rc = exec_index_key(x, old_values, old_rowid, old_key(ch, i),
                                &ch->old_size[i]);
        if (rc == DB_OK && new_values != NULL)
            rc = exec_index_key(x, new_values, new_rowid, new_key(ch, i),
                                &ch->new_size[i]);
        if (rc != DB_OK)
            break;
        if (ch->old_size[i] == ch->new_size[i] &&
            memcmp(old_key(ch, i), new_key(ch, i), ch->old_size[i]) == 0) {
            ch->old_size[i] = ch->new_size[i] = 0; /* no change */
            continue;
        }
        if (!x->unique || ch->new_size[i] == 0 || has_null(x, new_values))
            continue;
        Btree *tree;
        rc = open_index(db, x, &tree);
        if (rc == DB_OK) {
            rc = check_unique(tree, def, x, new_values, new_key(ch, i),
                              ch->new_size[i], old_values != NULL,
                              old_rowid);
            btree_close(tree);
        }
    }
    if (rc != DB_OK)
        change_free(ch);
    return rc;
}

/* Deletes and inserts the entries CH prepared, and frees CH. When CH
 * only inserts, an error in the middle takes out the entries it put in,
 * leaving the indexes as they were; else what is done stays for the
 * statement's rollback. */
static DbStatus change_apply(Db *db, IndexChange *ch)
{
    const TableDef *def = ch->def;
    DbStatus rc = DB_OK;
    bool only_inserts = true;
    for (uint32_t i = 0; i < def->n_indexes; i++)
        only_inserts &= ch->old_size[i] == 0;
    uint32_t done; /* the indexes changed so far */
    for (done = 0; rc == DB_OK && done < def->n_indexes; done++) {
        const IndexDef *x = &def->indexes[done];
        size_t old_size = ch->old_size[done], new_size = ch->new_size[done];
        if (old_size == 0 && new_size == 0)
            continue;
        Btree *tree;
        rc = open_index(db, x, &tree);
        if (rc != DB_OK)
            break;
        if (old_size > 0) {
            rc = btree_index_delete(tree, old_key(ch, done), old_size);
            if (rc == DB_ENOTFOUND)
                rc = db_fail(DB_ECORRUPT, "index \"%s\" has no entry for "
                             "a row of table \"%s\": run \\check",
                             x->name, def->name);
        }
        if (rc == DB_OK && new_size > 0) {
            rc = btree_index_insert(tree, new_key(ch, done), new_size);
            if (rc == DB_EDUPKEY)
                rc = db_fail(DB_ECORRUPT, "index \"%s\" has an entry for "
                             "a row not yet in table \"%s\": run \\check",
                             x->name, def->name);
        }
        btree_close(tree);
        if (rc != DB_OK)
            break; /* index DONE is as it was */
    }
    if (rc != DB_OK && only_inserts) {
        /* The entries of the indexes before DONE went in: out again. */
        for (uint32_t k = 0; k < done; k++) {
            Btree *tree;
            if (ch->new_size[k] == 0)
                continue;
            DbStatus undo = open_index(db, &def->indexes[k], &tree);
            if (undo == DB_OK) {
                undo = btree_index_delete(tree, new_key(ch, k),
                                          ch->new_size[k]);
                btree_close(tree);
            }
            if (undo != DB_OK)
                rc = db_fail(DB_ECORRUPT, "index \"%s\": an entry put in "
                             "could not be taken out", def->indexes[k].name);
        }
    }
    change_free(ch);
    return rc;
}

DbStatus exec_index_row(Db *db, const TableDef *def, int64_t rowid,
                        const Value *old_values, const Value *new_values)
{
    IndexChange ch;
    DbStatus rc = change_prepare(db, def, rowid, old_values, rowid,
                                 new_values, &ch);
    return rc == DB_OK ? change_apply(db, &ch) : rc;
}

/* book: begin insert-row */
DbStatus exec_insert_row(Db *db, const TableDef *def, Value *values)
{
    Btree *tree;
    DbStatus rc = open_tree(db, def, &tree);
    if (rc != DB_OK)
        return rc;
    int64_t key;
    Value *id = def->rowid_column >= 0 ? &values[def->rowid_column] : NULL;
    if (id != NULL && id->type == VALUE_INTEGER) {
        key = id->i;
    } else {
        /* A new row id: one more than the largest, as SQLite chooses. */
        bool empty = true;
        int64_t last = 0;
        rc = btree_last_key(tree, &empty, &last);
        if (rc == DB_OK && !empty && last == INT64_MAX)
            rc = db_fail(DB_EFULL, "table \"%s\" has no row id left after "
                         "%" PRId64, def->name, last);
        /* Not last + 1 when there is none: INT64_MAX + 1 overflows. */
        key = rc != DB_OK ? 0 : empty ? 1 : last + 1;
        if (id != NULL)
            *id = (Value){.type = VALUE_INTEGER, .i = key};
    }
    /* The index entries are made and checked first, so that a row that
     * breaks a unique index, or whose entry is too long, changes
     * nothing. */
    IndexChange ch = {0};
    if (rc == DB_OK)
        rc = change_prepare(db, def, 0, NULL, key, values, &ch);
    uint8_t *record = NULL;
    size_t size;
    if (rc == DB_OK)
        rc = make_record(def, values, &record, &size);
    if (rc == DB_OK)
        rc = btree_insert(tree, key, record, size);
    if (rc == DB_EDUPKEY)
        rc = duplicate_key(def, key);
    free(record);
    if (rc == DB_OK) {
        rc = change_apply(db, &ch);
        /* The row goes out again with its entries: nothing changed. */
        if (rc != DB_OK && btree_delete(tree, key) != DB_OK)
            rc = db_fail(DB_ECORRUPT, "table \"%s\": row %" PRId64 " put "
                         "in could not be taken out", def->name, key);
    }
    change_free(&ch);
    btree_close(tree);
    return rc;
}
/* book: end insert-row */

/* --- CREATE TABLE ---------------------------------------------------- */

static const struct TypeWord {
    const char *name;
    ColumnType type;
    bool takes_length;
} TYPE_WORDS[] = {
    {"integer", TYPE_INTEGER, false},  {"int", TYPE_INTEGER, false},
    {"bigint", TYPE_INTEGER, false},   {"smallint", TYPE_INTEGER, false},
    {"int2", TYPE_INTEGER, false},     {"int4", TYPE_INTEGER, false},
    {"int8", TYPE_INTEGER, false},     {"real", TYPE_REAL, false},
    {"float", TYPE_REAL, false},       {"double", TYPE_REAL, false},
    {"double precision", TYPE_REAL, false},
    {"float4", TYPE_REAL, false},      {"float8", TYPE_REAL, false},
    {"text", TYPE_TEXT, false},        {"varchar", TYPE_TEXT, true},
    {"character varying", TYPE_TEXT, true},
    {"char", TYPE_TEXT, true},         {"character", TYPE_TEXT, true},
    {"boolean", TYPE_BOOLEAN, false},  {"bool", TYPE_BOOLEAN, false},
};

static DbStatus column_type(const ColumnDef *c, Column *out)
{
    for (size_t i = 0; i < sizeof TYPE_WORDS / sizeof TYPE_WORDS[0];
         i++) {
        const struct TypeWord *t = &TYPE_WORDS[i];
        if (strcmp(t->name, c->type.name.text) != 0)
            continue;
        if (c->type.length >= 0 && !t->takes_length)
            return db_fail_at(DB_ESYNTAX, c->type.name.pos, "type modifier "
                              "is not allowed for type \"%s\"", t->name);
        if (c->type.length == 0)
            return db_fail_at(DB_ERANGE, c->type.name.pos, "length for "
                              "type %s must be at least 1", t->name);
        out->type = t->type;
        out->max_length = (int32_t)c->type.length;
        return DB_OK;
    }
    return db_fail_at(DB_ENOTFOUND, c->type.name.pos, "type \"%s\" does "
                      "not exist", c->type.name.text);
}

/* The unique indexes that the PRIMARY KEY and UNIQUE constraints of a
 * CREATE TABLE ask for, before they have names. */
typedef struct KeyList {
    IndexDef *items;
    uint32_t n;
} KeyList;

static void keys_free(KeyList *keys)
{
    for (uint32_t i = 0; i < keys->n; i++) {
        free(keys->items[i].name);
        free(keys->items[i].columns);
        free(keys->items[i].desc);
    }
    free(keys->items);
    *keys = (KeyList){0};
}

/* Adds to KEYS the unique index on the N columns COLUMNS of DEF that a
 * constraint at POS asks for; a column named twice is refused, as in
 * PostgreSQL. */
static DbStatus add_key(const TableDef *def, bool primary_key,
                        const uint32_t *columns, uint32_t n, uint32_t pos,
                        KeyList *keys)
{
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < i; k++)
            if (columns[i] == columns[k])
                return db_fail_at(DB_ESYNTAX, pos, "column \"%s\" appears "
                                  "twice in %s constraint",
                                  def->columns[columns[i]].name,
                                  primary_key ? "primary key" : "unique");
    IndexDef *grown = realloc(keys->items, (keys->n + 1) * sizeof *grown);
    if (grown == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    keys->items = grown;
    IndexDef *x = &keys->items[keys->n];
    *x = (IndexDef){.unique = true, .primary_key = primary_key,
                    .n_columns = n, .columns = malloc(n * sizeof *x->columns),
                    .desc = calloc(n, sizeof *x->desc)};
    if (x->columns == NULL || x->desc == NULL) {
        free(x->columns);
        free(x->desc);
        return db_fail(DB_ENOMEM, "out of memory");
    }
    memcpy(x->columns, columns, n * sizeof *columns);
    keys->n++;
    return DB_OK;
}

/* The PRIMARY KEY on column KEY of DEF: the row id, when the column is
 * an integer (06's INTEGER PRIMARY KEY); else a unique index. */
static DbStatus primary_key(TableDef *def, const uint32_t *columns,
                            uint32_t n, uint32_t pos, KeyList *keys)
{
    for (uint32_t i = 0; i < n; i++)
        def->columns[columns[i]].not_null = true;
    if (n == 1 && def->columns[columns[0]].type == TYPE_INTEGER) {
        def->rowid_column = (int32_t)columns[0];
        def->columns[columns[0]].primary_key = true;
        return DB_OK;
    }
    return add_key(def, true, columns, n, pos, keys);
}

/* Fills DEF from the columns and constraints of CREATE TABLE S, and KEYS
 * with the indexes its keys need. */
static DbStatus define_table(const Stmt *s, TableDef *def, KeyList *keys)
{
    const ColumnDefList *cols = s->columns;
    if (cols->n > CATALOG_MAX_COLUMNS)
        return db_fail_at(DB_ERANGE, s->pos, "tables can have at most %d "
                          "columns", CATALOG_MAX_COLUMNS);
    def->columns = calloc(cols->n, sizeof *def->columns);
    if (def->columns == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    def->n_columns = cols->n;
    def->rowid_column = -1;
    bool has_key = false;    /* a PRIMARY KEY was seen */
    for (uint32_t i = 0; i < cols->n; i++) {
        const ColumnDef *c = &cols->items[i];
        Column *col = &def->columns[i];
        col->name = c->name.text;
        col->not_null = c->not_null;
        if (column_index(def, c->name.text) < (int32_t)i)
            return db_fail_at(DB_EDUPKEY, c->name.pos, "column \"%s\" "
                              "specified more than once", c->name.text);
        DbStatus rc = column_type(c, col);
        if (rc != DB_OK)
            return rc;
    }
    /* The keys of the columns, then those after them, in that order. */
    DbStatus rc = DB_OK;
    for (uint32_t i = 0; rc == DB_OK && i < cols->n; i++) {
        const ColumnDef *c = &cols->items[i];
        if (c->primary_key && has_key)
            return db_fail_at(DB_ESYNTAX, c->primary_key_pos,
                              "multiple primary keys for table \"%s\" "
                              "are not allowed", s->table.text);
        if (c->primary_key) {
            has_key = true;
            rc = primary_key(def, &i, 1, c->primary_key_pos, keys);
        }
        if (rc == DB_OK && c->unique)
            rc = add_key(def, false, &i, 1, c->unique_pos, keys);
    }
    for (uint32_t i = 0; rc == DB_OK && s->constraints &&
                         i < s->constraints->n; i++) {
        const TableConstraint *t = &s->constraints->items[i];
        if (t->primary_key && has_key)
            return db_fail_at(DB_ESYNTAX, t->pos, "multiple primary keys "
                              "for table \"%s\" are not allowed",
                              s->table.text);
        uint32_t *columns = malloc(t->columns->n * sizeof *columns);
        if (columns == NULL)
            return db_fail(DB_ENOMEM, "out of memory");
        for (uint32_t k = 0; rc == DB_OK && k < t->columns->n; k++) {
            const Name *name = &t->columns->items[k];
            int32_t c = column_index(def, name->text);
            if (c < 0)
                rc = db_fail_at(DB_ENOTFOUND, name->pos, "column \"%s\" "
                                "named in key does not exist", name->text);
            columns[k] = (uint32_t)c;
        }
        has_key |= t->primary_key;
        if (rc == DB_OK && t->primary_key)
            rc = primary_key(def, columns, t->columns->n, t->pos, keys);
        else if (rc == DB_OK)
            rc = add_key(def, false, columns, t->columns->n, t->pos, keys);
        free(columns);
    }
    if (rc != DB_OK)
        return rc;
    /* Defaults last: their errors name a column, which now exists. */
    for (uint32_t i = 0; i < cols->n; i++) {
        const Expr *d = cols->items[i].default_value;
        if (d == NULL)
            continue;
        Column *col = &def->columns[i];
        rc = constant(d, &col->default_value);
        if (rc == DB_OK && col->default_value.type != VALUE_NULL)
            rc = exec_coerce(def, i, &col->default_value, d->pos);
        if (rc != DB_OK)
            return rc;
        col->has_default = col->default_value.type != VALUE_NULL;
    }
    return DB_OK;
}

/* Whether a table, view or index is called NAME: *taken. */
static DbStatus name_taken(Db *db, const char *name, bool *taken)
{
    const TableDef *def;
    const IndexDef *index;
    *taken = true;
    if (db_temp_view(db, name) != NULL)
        return DB_OK;
    DbStatus rc = catalog_find(db_catalog(db), name, &def);
    if (rc == DB_ENOTFOUND)
        rc = catalog_find_index(db_catalog(db), name, &index, &def);
    if (rc == DB_ENOTFOUND) {
        *taken = false;
        rc = DB_OK;
    }
    return rc;
}

/* The name PostgreSQL gives the index of constraint X of table TABLE:
 * TABLE_pkey, or TABLE_a_b_key for UNIQUE (a, b), with a number after
 * it (1, 2, ...) when another relation has that name. In *name, to
 * free. */
static DbStatus key_name(Db *db, const TableDef *table, const IndexDef *x,
                         char **name)
{
    size_t len = strlen(table->name) + 16;
    for (uint32_t i = 0; !x->primary_key && i < x->n_columns; i++)
        len += strlen(table->columns[x->columns[i]].name) + 1;
    char *base = malloc(len), *candidate = malloc(len + 12);
    if (base == NULL || candidate == NULL) {
        free(base);
        free(candidate);
        return db_fail(DB_ENOMEM, "out of memory");
    }
    size_t n = (size_t)snprintf(base, len, "%s", table->name);
    for (uint32_t i = 0; !x->primary_key && i < x->n_columns; i++)
        n += (size_t)snprintf(base + n, len - n, "_%s",
                              table->columns[x->columns[i]].name);
    snprintf(base + n, len - n, x->primary_key ? "_pkey" : "_key");
    DbStatus rc = DB_OK;
    bool taken = true;
    for (uint32_t number = 0; rc == DB_OK && taken; number++) {
        if (number == 0)
            snprintf(candidate, len + 12, "%s", base);
        else
            snprintf(candidate, len + 12, "%s%" PRIu32, base, number);
        rc = name_taken(db, candidate, &taken);
    }
    free(base);
    if (rc != DB_OK) {
        free(candidate);
        return rc;
    }
    *name = candidate;
    return DB_OK;
}

static DbStatus create_table(Db *db, const Stmt *s, ExecResult *result)
{
    snprintf(result->tag, sizeof result->tag, "CREATE TABLE");
    bool taken;
    DbStatus rc = name_taken(db, s->table.text, &taken);
    if (rc != DB_OK)
        return rc;
    if (taken) {
        if (!s->if_exists)
            return db_fail_at(DB_EDUPKEY, s->table.pos, "relation \"%s\" "
                              "already exists", s->table.text);
        snprintf(result->notice, sizeof result->notice, "relation \"%s\" "
                 "already exists, skipping", s->table.text);
        return DB_OK;
    }
    if (strncmp(s->table.text, "strata_", 7) == 0)
        return db_fail_at(DB_EUNSUPPORTED, s->table.pos, "the names "
                          "strata_... are kept for the catalog");
    TableDef def = {.name = s->table.text};
    KeyList keys = {0};
    char *sql = malloc(s->text_len + 1);
    if (sql == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    memcpy(sql, s->text, s->text_len);
    sql[s->text_len] = '\0';
    def.sql = sql;
    rc = define_table(s, &def, &keys);
    if (rc == DB_OK)
        rc = catalog_create(db_catalog(db), &def);
    /* The table is empty: its keys' indexes need only be made. */
    for (uint32_t i = 0; rc == DB_OK && i < keys.n; i++) {
        IndexDef *x = &keys.items[i];
        x->table = s->table.text;
        rc = key_name(db, &def, x, &x->name);
        if (rc == DB_OK)
            rc = catalog_create_index(db_catalog(db), x);
    }
    keys_free(&keys);
    free(sql);
    free(def.columns); /* names and defaults belong to the tree */
    return rc;
}

/* DROP TABLE and DROP VIEW: each refuses the other kind. */
static DbStatus drop(Db *db, const Stmt *s, ExecResult *result)
{
    bool view = s->kind == STMT_DROP_VIEW;
    const char *kind = view ? "view" : "table";
    snprintf(result->tag, sizeof result->tag, view ? "DROP VIEW"
                                                   : "DROP TABLE");
    if (view && db_temp_view(db, s->table.text) != NULL)
        return db_drop_temp_view(db, s->table.text);
    const TableDef *def;
    const IndexDef *index;
    DbStatus rc = catalog_find(db_catalog(db), s->table.text, &def);
    if (rc == DB_ENOTFOUND &&
        catalog_find_index(db_catalog(db), s->table.text, &index, &def) ==
            DB_OK)
        return db_fail_at(DB_ESYNTAX, s->table.pos, "\"%s\" is not a %s: "
                          "use DROP INDEX", s->table.text, kind);
    if (rc == DB_ENOTFOUND) {
        if (!s->if_exists)
            return db_fail_at(rc, s->table.pos, "%s \"%s\" does not exist",
                              kind, s->table.text);
        snprintf(result->notice, sizeof result->notice, "%s \"%s\" does "
                 "not exist, skipping", kind, s->table.text);
        return DB_OK;
    }
    if (rc == DB_OK && def->is_system)
        return db_fail_at(DB_EUNSUPPORTED, s->table.pos, "permission "
                          "denied: \"%s\" is a system catalog",
                          s->table.text);
    if (rc == DB_OK && def->is_view != view)
        return db_fail_at(DB_ESYNTAX, s->table.pos, "\"%s\" is not a %s: "
                          "use DROP %s", s->table.text, kind,
                          view ? "TABLE" : "VIEW");
    return rc == DB_OK ? catalog_drop(db_catalog(db), s->table.text) : rc;
}

/* --- CREATE INDEX, DROP INDEX ---------------------------------------- */

/* The entries of a new index go through a sort as rows of two values:
 * the key's bytes (as a text; the sort copies them), and whether a value
 * of the key is NULL (an integer 0 or 1). */
static int key_order(void *ctx, const Value *a, const Value *b)
{
    (void)ctx;
    uint32_t n = a->text.n < b->text.n ? a->text.n : b->text.n;
    int c = memcmp(a->text.s, b->text.s, n);
    return c != 0 ? c : (a->text.n > b->text.n) - (a->text.n < b->text.n);
}

/* Says that unique index X cannot be built: two rows have KEY's values. */
static DbStatus duplicated(const TableDef *def, const IndexDef *x,
                           const uint8_t *key, size_t size)
{
    Value values[CATALOG_MAX_COLUMNS];
    ColumnType types[CATALOG_MAX_COLUMNS];
    uint8_t scratch[BTREE_MAX_KEY];
    size_t used;
    for (uint32_t i = 0; i < x->n_columns; i++)
        types[i] = def->columns[x->columns[i]].type;
    DbStatus rc = record_key_decode(key, size, x->n_columns, x->desc, types,
                                    values, scratch, sizeof scratch, &used);
    if (rc != DB_OK)
        return rc;
    char text[512];
    key_text(def, x, values, text, sizeof text);
    rc = db_fail(DB_ECONSTRAINT, "could not create unique index \"%s\"",
                 x->name);
    db_fail_detail("Key %s is duplicated.", text);
    return rc;
}

/* Builds the entries of index X, new and empty, from the rows of its
 * table DEF: every entry through an external sort (in work_mem, the
 * rest in temporary files), then into the tree in key order, so that
 * the memory it takes is bounded however large the table. A unique
 * index fails on the first two equal entries, in PostgreSQL's words. */
static DbStatus build_index(Db *db, const TableDef *def, const IndexDef *x,
                            ExecResult *result)
{
    Btree *table = NULL, *tree = NULL;
    Sorter *sorter = NULL;
    BtreeCursor cursor = {0};
    Value *values = malloc((def->n_columns + 1) * sizeof *values);
    uint8_t *key = malloc(2 * BTREE_MAX_KEY), *previous = key + BTREE_MAX_KEY;
    size_t size, previous_size = 0;
    DbStatus rc = values && key ? DB_OK : db_fail(DB_ENOMEM, "out of memory");
    if (rc == DB_OK)
        rc = sorter_open(2, key_order, NULL, db_work_mem(db), &sorter);
    if (rc == DB_OK)
        rc = open_tree(db, def, &table);
    for (rc = rc == DB_OK ? btree_first(table, &cursor) : rc;
         rc == DB_OK && !cursor.end_of_tree; rc = btree_next(&cursor)) {
        rc = catalog_read_row(def, &cursor, values);
        if (rc == DB_OK)
            rc = exec_index_key(x, values, cursor.key, key, &size);
        Value entry[2] = {
            {.type = VALUE_TEXT, .text = {(const char *)key, (uint32_t)size}},
            {.type = VALUE_INTEGER, .i = has_null(x, values)}};
        if (rc == DB_OK)
            rc = sorter_add(sorter, entry);
        if (rc != DB_OK)
            break;
    }
    btree_cursor_close(&cursor);
    if (rc == DB_OK)
        rc = sorter_sort(sorter);
    if (rc == DB_OK)
        rc = open_index(db, x, &tree);
    while (rc == DB_OK) {
        const Value *entry;
        bool done;
        rc = sorter_next(sorter, &entry, &done);
        if (rc != DB_OK || done)
            break;
        const uint8_t *bytes = (const uint8_t *)entry[0].text.s;
        size = entry[0].text.n;
        /* Equal values sort next to each other, row ids after them. */
        if (x->unique && entry[1].i == 0 && previous_size == size &&
            memcmp(previous, bytes, size - RECORD_KEY_ROWID_SIZE) == 0) {
            rc = duplicated(def, x, bytes, size);
            break;
        }
        previous_size = entry[1].i == 0 ? size : 0;
        memcpy(previous, bytes, size);
        rc = btree_index_insert(tree, bytes, size);
    }
    if (sorter != NULL) {
        ExecContext ctx = {.db = db, .sorts = &result->sorts};
        exec_count_sort(&ctx, sorter);
        sorter_close(sorter);
    }
    if (tree != NULL)
        btree_close(tree);
    if (table != NULL)
        btree_close(table);
    free(values);
    free(key);
    return rc;
}

static DbStatus create_index(Db *db, const Stmt *s, ExecResult *result)
{
    snprintf(result->tag, sizeof result->tag, "CREATE INDEX");
    bool taken;
    DbStatus rc = name_taken(db, s->index.text, &taken);
    if (rc != DB_OK)
        return rc;
    if (taken) {
        if (!s->if_exists)
            return db_fail_at(DB_EDUPKEY, s->index.pos, "relation \"%s\" "
                              "already exists", s->index.text);
        snprintf(result->notice, sizeof result->notice, "relation \"%s\" "
                 "already exists, skipping", s->index.text);
        return DB_OK;
    }
    if (strncmp(s->index.text, "strata_", 7) == 0)
        return db_fail_at(DB_EUNSUPPORTED, s->index.pos, "the names "
                          "strata_... are kept for the catalog");
    const TableDef *def;
    if (db_temp_view(db, s->table.text) != NULL)
        return db_fail_at(DB_EUNSUPPORTED, s->table.pos, "cannot create "
                          "index on view \"%s\": a view has no rows of its "
                          "own", s->table.text);
    rc = catalog_find(db_catalog(db), s->table.text, &def);
    if (rc == DB_ENOTFOUND)
        return db_fail_at(rc, s->table.pos, "relation \"%s\" does not "
                          "exist", s->table.text);
    if (rc != DB_OK)
        return rc;
    if (def->is_view)
        return db_fail_at(DB_EUNSUPPORTED, s->table.pos, "cannot create "
                          "index on view \"%s\": a view has no rows of its "
                          "own", s->table.text);
    if (def->is_system)
        return db_fail_at(DB_EUNSUPPORTED, s->table.pos, "permission "
                          "denied: \"%s\" is a system catalog",
                          s->table.text);
    const IndexColumnList *list = s->index_columns;
    IndexDef x = {.name = s->index.text, .table = s->table.text,
                  .unique = s->unique, .n_columns = list->n,
                  .columns = malloc(list->n * sizeof *x.columns),
                  .desc = malloc(list->n * sizeof *x.desc),
                  .sql = malloc(s->text_len + 1)};
    if (x.columns == NULL || x.desc == NULL || x.sql == NULL)
        rc = db_fail(DB_ENOMEM, "out of memory");
    for (uint32_t i = 0; rc == DB_OK && i < list->n; i++) {
        int32_t c = column_index(def, list->items[i].name.text);
        if (c < 0)
            rc = db_fail_at(DB_ENOTFOUND, list->items[i].name.pos, "column "
                            "\"%s\" does not exist",
                            list->items[i].name.text);
        x.columns[i] = (uint32_t)c;
        x.desc[i] = list->items[i].desc;
    }
    if (rc == DB_OK) {
        memcpy(x.sql, s->text, s->text_len);
        x.sql[s->text_len] = '\0';
        rc = catalog_create_index(db_catalog(db), &x);
    }
    /* The catalog has changed: the table's description, with the new
     * index's root, is read again. */
    const IndexDef *made;
    if (rc == DB_OK)
        rc = catalog_find_index(db_catalog(db), s->index.text, &made, &def);
    if (rc == DB_OK)
        rc = build_index(db, def, made, result);
    free(x.columns);
    free(x.desc);
    free(x.sql);
    return rc;
}

static DbStatus drop_index(Db *db, const Stmt *s, ExecResult *result)
{
    snprintf(result->tag, sizeof result->tag, "DROP INDEX");
    const IndexDef *index;
    const TableDef *def;
    DbStatus rc = catalog_find_index(db_catalog(db), s->table.text, &index,
                                     &def);
    if (rc == DB_ENOTFOUND &&
        catalog_find(db_catalog(db), s->table.text, &def) == DB_OK)
        return db_fail_at(DB_ESYNTAX, s->table.pos, "\"%s\" is not an "
                          "index: use DROP %s", s->table.text,
                          def->is_view ? "VIEW" : "TABLE");
    if (rc == DB_ENOTFOUND) {
        if (!s->if_exists)
            return db_fail_at(rc, s->table.pos, "index \"%s\" does not "
                              "exist", s->table.text);
        snprintf(result->notice, sizeof result->notice, "index \"%s\" does "
                 "not exist, skipping", s->table.text);
        return DB_OK;
    }
    if (rc != DB_OK)
        return rc;
    /* As PostgreSQL: the constraint needs its index. */
    if (index->sql == NULL)
        return db_fail_at(DB_EUNSUPPORTED, s->table.pos, "cannot drop index "
                          "%s because constraint %s on table %s requires it",
                          index->name, index->name, def->name);
    return catalog_drop_index(db_catalog(db), s->table.text);
}

/* --- running a query -------------------------------------------------- */

/* What one statement runs with: its names bound, its plans, and the
 * current row of each source. */
typedef struct Run {
    Db *db;
    Binding b;
    ExecContext ctx;
    Plan *plan;
    Expr **planned;        /* expressions whose subqueries were planned */
    uint32_t n_planned, cap_planned;
    Arena arena;
    ExecSorts *sorts;      /* the statement's, in its result */
} Run;

static void run_init(Run *r, Db *db, ExecResult *result)
{
    *r = (Run){.db = db, .b = {.db = db}, .sorts = &result->sorts};
}

/* The context for running, once every source is known. */
static DbStatus run_ready(Run *r)
{
    free(r->ctx.rows);
    r->ctx = (ExecContext){.db = r->db, .binding = &r->b,
                           .work_mem = db_work_mem(r->db),
                           .sorts = r->sorts};
    r->ctx.rows = calloc(r->b.n_sources + 1, sizeof *r->ctx.rows);
    return r->ctx.rows ? DB_OK : db_fail(DB_ENOMEM, "out of memory");
}

static void run_free(Run *r)
{
    if (r->plan != NULL) {
        exec_close(&r->ctx, r->plan);
        plan_free(r->plan);
    }
    for (uint32_t i = 0; i < r->n_planned; i++)
        plan_free_expr(r->planned[i]);
    free(r->planned);
    free(r->ctx.rows);
    arena_free(&r->arena);
    bind_free(&r->b);
}

/* Binds E (of a statement on one table, whose row is source SOURCE, or
 * none: -1) and plans its subqueries. */
static DbStatus prepare_expr(Run *r, Expr *e, int source)
{
    if (e == NULL)
        return DB_OK;
    DbStatus rc = bind_table_expr(&r->b, e, source);
    if (rc == DB_OK)
        rc = plan_expr(&r->b, e);
    if (rc != DB_OK)
        return rc;
    if (r->n_planned == r->cap_planned) {
        uint32_t cap = r->cap_planned ? 2 * r->cap_planned : 8;
        Expr **grown = realloc(r->planned, cap * sizeof *grown);
        if (grown == NULL)
            return db_fail(DB_ENOMEM, "out of memory");
        r->planned = grown;
        r->cap_planned = cap;
    }
    r->planned[r->n_planned++] = e;
    return DB_OK;
}

/* Where EXPLAIN's lines go: rows of one column, counted as rows. */
typedef struct ExplainTo {
    RowSink *sink;
    ExecResult *result;
} ExplainTo;

static DbStatus explain_line(void *ctx, const char *text)
{
    ExplainTo *to = ctx;
    Value v = {.type = VALUE_TEXT,
               .text = {text, (uint32_t)strlen(text)}};
    to->result->count++;
    return to->sink->row(to->sink->ctx, &v);
}

/* book: begin run-select */
static DbStatus select_rows(Db *db, Stmt *s, RowSink *sink,
                            ExecResult *result)
{
    Run r;
    run_init(&r, db, result);
    BoundSelect *bs;
    DbStatus rc = bind_select(&r.b, s->select, &bs);
    if (rc == DB_OK)
        rc = plan_select(&r.b, bs, &r.plan);
    if (rc == DB_OK)
        rc = run_ready(&r);
    result->has_rows = true;
    if (rc == DB_OK && s->explain) {
        static const char *const names[] = {"QUERY PLAN"};
        static const ColumnType types[] = {TYPE_TEXT};
        /* EXPLAIN ANALYZE: the query runs to its end, its rows dropped,
         * each operator counting what it did. */
        if (s->analyze) {
            plan_time(r.plan);
            rc = exec_open(&r.ctx, r.plan);
            for (bool has_row = true; rc == DB_OK && has_row;)
                rc = exec_next(&r.ctx, r.plan, &has_row);
            exec_close(&r.ctx, r.plan);
        }
        if (rc == DB_OK)
            rc = sink->columns(sink->ctx, 1, names, types);
        ExplainTo to = {sink, result};
        if (rc == DB_OK)
            rc = s->analyze
                     ? plan_explain_analyze(&r.b, r.plan, explain_line, &to)
                     : plan_explain(&r.b, r.plan, explain_line, &to);
        snprintf(result->tag, sizeof result->tag, "EXPLAIN");
        run_free(&r);
        return rc;
    }
    if (rc == DB_OK)
        rc = sink->columns(sink->ctx, bs->n_results,
                           (const char *const *)bs->result_names,
                           bs->result_types);
    /* Pull rows from the top of the plan until it has none. */
    if (rc == DB_OK)
        rc = exec_open(&r.ctx, r.plan);
    while (rc == DB_OK) {
        bool has_row;
        rc = exec_next(&r.ctx, r.plan, &has_row);
        if (rc != DB_OK || !has_row)
            break;
        rc = sink->row(sink->ctx, r.ctx.rows[r.plan->source]);
        result->count++;
    }
    snprintf(result->tag, sizeof result->tag, "SELECT %" PRIu64,
             result->count);
    run_free(&r);
    return rc;
}
/* book: end run-select */

/* --- INSERT ----------------------------------------------------------- */

/* The rows an INSERT ... SELECT takes, kept first when the SELECT reads
 * the table being changed (its new rows must not be read again). */
static int keep_order(void *ctx, const Value *a, const Value *b)
{
    (void)ctx;
    (void)a;
    (void)b;
    return 0;
}

/* Inserts one row: VALUES (the N values for the TARGET columns) with
 * defaults for the others. */
static DbStatus insert_values(Db *db, const TableDef *def, const Stmt *s,
                              const uint32_t *target, uint32_t n,
                              const Value *given, const uint32_t *pos,
                              Value *values, bool *is_given)
{
    for (uint32_t c = 0; c < def->n_columns; c++) {
        is_given[c] = false;
        values[c] = def->columns[c].has_default
                        ? def->columns[c].default_value
                        : (Value){.type = VALUE_NULL};
    }
    DbStatus rc = DB_OK;
    for (uint32_t i = 0; rc == DB_OK && i < n; i++) {
        values[target[i]] = given[i];
        is_given[target[i]] = true;
        rc = exec_coerce(def, target[i], &values[target[i]], pos[i]);
    }
    /* A column left out still must not be NULL if it says so. */
    for (uint32_t c = 0; rc == DB_OK && c < def->n_columns; c++)
        if (!is_given[c])
            rc = exec_coerce(def, c, &values[c], s->table.pos);
    return rc == DB_OK ? exec_insert_row(db, def, values) : rc;
}

static DbStatus insert(Db *db, Stmt *s, ExecResult *result)
{
    const TableDef *def;
    DbStatus rc = find_table(db, &s->table, true, &def);
    if (rc != DB_OK)
        return rc;
    Run r;
    run_init(&r, db, result);
    uint32_t n_target = s->target ? s->target->n : def->n_columns;
    uint32_t *target = malloc((n_target + 1) * sizeof *target);
    uint32_t *pos = malloc((n_target + 1) * sizeof *pos);
    Value *given = malloc((n_target + 1) * sizeof *given);
    Value *values = malloc((def->n_columns + 1) * sizeof *values);
    bool *is_given = malloc((def->n_columns + 1) * sizeof *is_given);
    Sorter *kept = NULL;
    if (!target || !pos || !given || !values || !is_given)
        rc = db_fail(DB_ENOMEM, "out of memory");
    for (uint32_t i = 0; rc == DB_OK && i < n_target; i++) {
        target[i] = i;
        pos[i] = s->table.pos;
        if (s->target == NULL)
            continue;
        rc = find_column(def, &s->target->items[i], &target[i]);
        for (uint32_t j = 0; rc == DB_OK && j < i; j++)
            if (target[j] == target[i])
                rc = db_fail_at(DB_EDUPKEY, s->target->items[i].pos,
                                "column \"%s\" specified more than once",
                                s->target->items[i].text);
    }

    if (rc == DB_OK && s->rows != NULL) {
        /* VALUES: each row's expressions, bound, then evaluated. */
        for (uint32_t i = 0; rc == DB_OK && i < s->rows->n; i++) {
            ExprList *row = s->rows->items[i];
            for (uint32_t k = 0; rc == DB_OK && k < row->n; k++)
                rc = prepare_expr(&r, row->items[k].expr, -1);
        }
        if (rc == DB_OK)
            rc = run_ready(&r);
        for (uint32_t i = 0; rc == DB_OK && i < s->rows->n; i++) {
            const ExprList *row = s->rows->items[i];
            if (row->n > n_target) {
                rc = db_fail_at(DB_ESYNTAX, row->items[n_target].expr->pos,
                                "INSERT has more expressions than target "
                                "columns");
                break;
            }
            if (s->target != NULL && row->n < n_target) {
                rc = db_fail_at(DB_ESYNTAX, s->target->items[row->n].pos,
                                "INSERT has more target columns than "
                                "expressions");
                break;
            }
            arena_reset(&r.arena);
            for (uint32_t k = 0; rc == DB_OK && k < row->n; k++) {
                pos[k] = row->items[k].expr->pos;
                rc = exec_eval(&r.ctx, &r.arena, row->items[k].expr,
                               &given[k]);
            }
            if (rc == DB_OK)
                rc = insert_values(db, def, s, target, row->n, given, pos,
                                   values, is_given);
            if (rc == DB_OK)
                result->count++;
        }
    } else if (rc == DB_OK) {
        /* INSERT ... SELECT */
        BoundSelect *bs;
        rc = bind_select(&r.b, s->select, &bs);
        if (rc == DB_OK && bs->n_results > n_target)
            rc = db_fail_at(DB_ESYNTAX, s->select->pos, "INSERT has more "
                            "expressions than target columns");
        if (rc == DB_OK && s->target != NULL && bs->n_results < n_target)
            rc = db_fail_at(DB_ESYNTAX, s->target->items[bs->n_results].pos,
                            "INSERT has more target columns than "
                            "expressions");
        bool reads_target = false;
        for (uint32_t i = 0; rc == DB_OK && i < r.b.n_sources; i++)
            reads_target |= r.b.sources[i].table == def;
        if (rc == DB_OK)
            rc = plan_select(&r.b, bs, &r.plan);
        if (rc == DB_OK)
            rc = run_ready(&r);
        if (rc == DB_OK)
            rc = exec_open(&r.ctx, r.plan);
        if (rc == DB_OK && reads_target)
            rc = sorter_open(bs->n_results, keep_order, NULL,
                             db_work_mem(db), &kept);
        for (uint32_t k = 0; k < n_target; k++)
            pos[k] = s->select->pos;
        while (rc == DB_OK) {
            bool has_row;
            rc = exec_next(&r.ctx, r.plan, &has_row);
            if (rc != DB_OK || !has_row)
                break;
            const Value *row = r.ctx.rows[r.plan->source];
            if (kept != NULL) {
                rc = sorter_add(kept, row);
                continue;
            }
            memcpy(given, row, bs->n_results * sizeof *given);
            rc = insert_values(db, def, s, target, bs->n_results, given,
                               pos, values, is_given);
            result->count += rc == DB_OK;
        }
        if (kept != NULL) {
            /* The SELECT is done reading: now its rows go in. */
            exec_close(&r.ctx, r.plan);
            if (rc == DB_OK)
                rc = sorter_sort(kept);
            while (rc == DB_OK) {
                const Value *row;
                bool done;
                rc = sorter_next(kept, &row, &done);
                if (rc != DB_OK || done)
                    break;
                memcpy(given, row, bs->n_results * sizeof *given);
                rc = insert_values(db, def, s, target, bs->n_results, given,
                                   pos, values, is_given);
                result->count += rc == DB_OK;
            }
            exec_count_sort(&r.ctx, kept);
            sorter_close(kept);
        }
    }
    run_free(&r);
    free(target);
    free(pos);
    free(given);
    free(values);
    free(is_given);
    snprintf(result->tag, sizeof result->tag, "INSERT 0 %" PRIu64,
             result->count);
    return rc;
}

/* --- UPDATE and DELETE ------------------------------------------------ */

/* The row ids of the rows of DEF's table (source SOURCE) that WHERE
 * chooses, in order, found before any changes. */
static DbStatus chosen_rows(Run *r, const TableDef *def, uint32_t source,
                            Expr *where, int64_t **keys, uint64_t *n)
{
    *keys = NULL;
    *n = 0;
    DbStatus rc = plan_table_scan(&r->b, source, def, where, &r->plan);
    if (rc == DB_OK)
        rc = run_ready(r);
    if (rc == DB_OK)
        rc = exec_open(&r->ctx, r->plan);
    uint64_t cap = 0;
    while (rc == DB_OK) {
        bool has_row;
        rc = exec_next(&r->ctx, r->plan, &has_row);
        if (rc != DB_OK || !has_row)
            break;
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            int64_t *grown = realloc(*keys, cap * sizeof *grown);
            if (grown == NULL) {
                rc = db_fail(DB_ENOMEM, "out of memory");
                break;
            }
            *keys = grown;
        }
        (*keys)[(*n)++] = r->ctx.rows[source][def->n_columns].i;
    }
    exec_close(&r->ctx, r->plan);
    return rc;
}

/* Reads row KEY of DEF's table into VALUES (with the row id after the
 * columns) through CURSOR, which the caller closes. */
static DbStatus read_row(Btree *tree, const TableDef *def, int64_t key,
                         BtreeCursor *cursor, Value *values)
{
    bool found;
    DbStatus rc = btree_seek(tree, key, cursor, &found);
    if (rc == DB_OK && !found)
        rc = db_fail(DB_ECORRUPT, "row %" PRId64 " vanished", key);
    if (rc == DB_OK)
        rc = catalog_read_row(def, cursor, values);
    values[def->n_columns] = (Value){.type = VALUE_INTEGER, .i = key};
    return rc;
}

static DbStatus update(Db *db, Stmt *s, ExecResult *result)
{
    const TableDef *def;
    DbStatus rc = find_table(db, &s->table, true, &def);
    if (rc != DB_OK)
        return rc;
    Run r;
    run_init(&r, db, result);
    int source = bind_table_source(&r.b, def, def->name);
    uint32_t n_set = s->set->n;
    uint32_t *cols = malloc((n_set + 1) * sizeof *cols);
    Value *row = malloc((def->n_columns + 1) * sizeof *row);
    Value *next = malloc((def->n_columns + 1) * sizeof *next);
    int64_t *keys = NULL;
    uint64_t n_keys = 0;
    if (source < 0 || !cols || !row || !next)
        rc = db_fail(DB_ENOMEM, "out of memory");
    for (uint32_t i = 0; rc == DB_OK && i < n_set; i++) {
        /* SET x = 1, x = 2: the last one counts, as in SQLite. */
        rc = find_column(def, &s->set->items[i].column, &cols[i]);
        if (rc == DB_OK)
            rc = prepare_expr(&r, s->set->items[i].value, source);
    }
    if (rc == DB_OK)
        rc = prepare_expr(&r, s->where, source);
    /* The rows first, then the changes: a change can move rows between
     * leaves, under a cursor that walked them. */
    if (rc == DB_OK)
        rc = chosen_rows(&r, def, (uint32_t)source, s->where, &keys,
                         &n_keys);
    Btree *tree = NULL;
    if (rc == DB_OK)
        rc = open_tree(db, def, &tree);
    for (uint64_t k = 0; rc == DB_OK && k < n_keys; k++) {
        BtreeCursor cursor = {0};
        rc = read_row(tree, def, keys[k], &cursor, row);
        r.ctx.rows[source] = row;
        memcpy(next, row, (def->n_columns + 1) * sizeof *next);
        arena_reset(&r.arena);
        for (uint32_t i = 0; rc == DB_OK && i < n_set; i++) {
            const Expr *e = s->set->items[i].value;
            rc = exec_eval(&r.ctx, &r.arena, e, &next[cols[i]]);
            if (rc == DB_OK)
                rc = exec_coerce(def, cols[i], &next[cols[i]], e->pos);
        }
        /* The values may point into the cursor's leaf: copy them before
         * the cursor lets it go (the old ones too, for the indexes). */
        for (uint32_t c = 0; rc == DB_OK && c < def->n_columns; c++)
            rc = arena_copy_value(&r.arena, &next[c], &next[c]);
        for (uint32_t c = 0; rc == DB_OK && def->n_indexes > 0 &&
                             c < def->n_columns; c++)
            rc = arena_copy_value(&r.arena, &row[c], &row[c]);
        btree_cursor_close(&cursor);
        int64_t new_key = keys[k];
        if (rc == DB_OK && def->rowid_column >= 0) {
            Value *id = &next[def->rowid_column];
            if (id->type == VALUE_NULL)
                rc = db_fail_at(DB_ECONSTRAINT, s->pos, "null value in "
                                "column \"%s\" violates not-null "
                                "constraint",
                                def->columns[def->rowid_column].name);
            else
                new_key = id->i;
        }
        /* Each row is checked against the unique indexes as it changes,
         * in row id order, as SQLite does (PostgreSQL too, in the order
         * of its heap): UPDATE t SET u = u + 1 fails when a row takes
         * the value of a row not yet changed. */
        IndexChange ch = {0};
        if (rc == DB_OK)
            rc = change_prepare(db, def, keys[k], row, new_key, next, &ch);
        uint8_t *record = NULL;
        size_t size;
        if (rc == DB_OK)
            rc = make_record(def, next, &record, &size);
        if (rc == DB_OK && new_key == keys[k]) {
            rc = btree_replace(tree, keys[k], record, size);
        } else if (rc == DB_OK) {
            /* A new row id: the row moves to its new place in the tree. */
            rc = btree_insert(tree, new_key, record, size);
            if (rc == DB_EDUPKEY)
                rc = duplicate_key(def, new_key);
            if (rc == DB_OK)
                rc = btree_delete(tree, keys[k]);
        }
        free(record);
        if (rc == DB_OK)
            rc = change_apply(db, &ch);
        change_free(&ch);
        result->count += rc == DB_OK;
    }
    if (tree != NULL)
        btree_close(tree);
    if (r.ctx.rows != NULL) /* none when SET failed to bind */
        r.ctx.rows[source] = NULL;
    run_free(&r);
    free(keys);
    free(cols);
    free(row);
    free(next);
    snprintf(result->tag, sizeof result->tag, "UPDATE %" PRIu64,
             result->count);
    return rc;
}

static DbStatus delete_rows(Db *db, Stmt *s, ExecResult *result)
{
    const TableDef *def;
    DbStatus rc = find_table(db, &s->table, true, &def);
    if (rc != DB_OK)
        return rc;
    Run r;
    run_init(&r, db, result);
    int source = bind_table_source(&r.b, def, def->name);
    int64_t *keys = NULL;
    uint64_t n_keys = 0;
    Btree *tree = NULL;
    /* A row's values, to find its index entries. */
    Value *row = malloc((def->n_columns + 1) * sizeof *row);
    rc = source < 0 || row == NULL ? db_fail(DB_ENOMEM, "out of memory")
                                   : prepare_expr(&r, s->where, source);
    if (rc == DB_OK)
        rc = chosen_rows(&r, def, (uint32_t)source, s->where, &keys,
                         &n_keys);
    if (rc == DB_OK)
        rc = open_tree(db, def, &tree);
    for (uint64_t k = 0; rc == DB_OK && k < n_keys; k++) {
        if (def->n_indexes > 0) {
            /* The row's values, copied out of its leaf, say which
             * entries go. */
            BtreeCursor cursor = {0};
            rc = read_row(tree, def, keys[k], &cursor, row);
            arena_reset(&r.arena);
            for (uint32_t c = 0; rc == DB_OK && c < def->n_columns; c++)
                rc = arena_copy_value(&r.arena, &row[c], &row[c]);
            btree_cursor_close(&cursor);
            if (rc == DB_OK)
                rc = exec_index_row(db, def, keys[k], row, NULL);
        }
        if (rc == DB_OK)
            rc = btree_delete(tree, keys[k]);
        result->count += rc == DB_OK;
    }
    if (tree != NULL)
        btree_close(tree);
    run_free(&r);
    free(row);
    free(keys);
    snprintf(result->tag, sizeof result->tag, "DELETE %" PRIu64,
             result->count);
    return rc;
}

/* --- ANALYZE ---------------------------------------------------------- */

/* The statistics table (plan.h draws it), made by the first ANALYZE. */
static DbStatus stats_table(Db *db, const TableDef **out)
{
    Catalog *catalog = db_catalog(db);
    DbStatus rc = catalog_find(catalog, PLAN_STATS_TABLE, out);
    if (rc != DB_ENOTFOUND)
        return rc;
    static const char *const names[PLAN_STATS_COLUMNS] = {
        "tbl", "idx", "prefix", "n_rows", "n_distinct"};
    Column columns[PLAN_STATS_COLUMNS] = {0};
    for (uint32_t i = 0; i < PLAN_STATS_COLUMNS; i++) {
        columns[i].name = (char *)names[i];
        columns[i].type = i < 2 ? TYPE_TEXT : TYPE_INTEGER;
        columns[i].max_length = -1;
    }
    TableDef def = {.name = PLAN_STATS_TABLE,
                    .sql = "CREATE TABLE strata_stats (tbl TEXT, idx TEXT, "
                           "prefix INTEGER, n_rows INTEGER, "
                           "n_distinct INTEGER)",
                    .n_columns = PLAN_STATS_COLUMNS, .columns = columns,
                    .rowid_column = -1};
    rc = catalog_create(catalog, &def);
    return rc == DB_OK ? catalog_find(catalog, PLAN_STATS_TABLE, out) : rc;
}

/* Replaces table DEF's rows in the statistics table STATS: a row per
 * prefix of each of its indexes (exec_index_stats counts them). */
static DbStatus analyze_table(Db *db, const TableDef *stats,
                              const TableDef *def)
{
    Btree *tree;
    DbStatus rc = open_tree(db, stats, &tree);
    if (rc != DB_OK)
        return rc;
    Value row[PLAN_STATS_COLUMNS + 1];
    int64_t *keys = NULL;
    uint64_t n_keys = 0;
    BtreeCursor cursor = {0};
    size_t name_len = strlen(def->name);
    for (rc = btree_first(tree, &cursor); rc == DB_OK && !cursor.end_of_tree;
         rc = btree_next(&cursor)) {
        rc = catalog_read_row(stats, &cursor, row);
        if (rc != DB_OK || row[0].type != VALUE_TEXT ||
            row[0].text.n != name_len ||
            memcmp(row[0].text.s, def->name, name_len) != 0)
            continue;
        int64_t *grown = realloc(keys, (n_keys + 1) * sizeof *grown);
        if (grown == NULL) {
            rc = db_fail(DB_ENOMEM, "out of memory");
            break;
        }
        keys = grown;
        keys[n_keys++] = cursor.key;
    }
    btree_cursor_close(&cursor);
    /* The old rows go, with their entries in any index of STATS. */
    Arena arena = {0};
    for (uint64_t k = 0; rc == DB_OK && k < n_keys; k++) {
        if (stats->n_indexes > 0) {
            rc = read_row(tree, stats, keys[k], &cursor, row);
            arena_reset(&arena);
            for (uint32_t c = 0; rc == DB_OK && c < stats->n_columns; c++)
                rc = arena_copy_value(&arena, &row[c], &row[c]);
            btree_cursor_close(&cursor);
            if (rc == DB_OK)
                rc = exec_index_row(db, stats, keys[k], row, NULL);
        }
        if (rc == DB_OK)
            rc = btree_delete(tree, keys[k]);
    }
    arena_free(&arena);
    free(keys);
    btree_close(tree);
    for (uint32_t i = 0; rc == DB_OK && i < def->n_indexes; i++) {
        const IndexDef *ix = &def->indexes[i];
        uint64_t rows, *distinct = calloc(ix->n_columns, sizeof *distinct);
        rc = distinct ? exec_index_stats(db, ix, &rows, distinct)
                      : db_fail(DB_ENOMEM, "out of memory");
        for (uint32_t k = 0; rc == DB_OK && k < ix->n_columns; k++) {
            Value v[PLAN_STATS_COLUMNS + 1] = {
                {.type = VALUE_TEXT, .text = {def->name, (uint32_t)name_len}},
                {.type = VALUE_TEXT,
                 .text = {ix->name, (uint32_t)strlen(ix->name)}},
                {.type = VALUE_INTEGER, .i = (int64_t)k + 1},
                {.type = VALUE_INTEGER, .i = (int64_t)rows},
                {.type = VALUE_INTEGER, .i = (int64_t)distinct[k]},
                {.type = VALUE_NULL}};
            rc = exec_insert_row(db, stats, v);
        }
        free(distinct);
    }
    return rc;
}

/* The names of the tables (not views, nor the catalog's). */
typedef struct TableNames {
    char **names;
    uint32_t n;
} TableNames;

static DbStatus add_table_name(void *ctx, const TableDef *def)
{
    TableNames *t = ctx;
    if (def->is_view || def->is_system)
        return DB_OK;
    char **grown = realloc(t->names, (t->n + 1) * sizeof *grown);
    char *name = grown ? strdup(def->name) : NULL;
    if (grown != NULL)
        t->names = grown;
    if (name == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    t->names[t->n++] = name;
    return DB_OK;
}

/* ANALYZE [t]: the statistics of t's indexes, or of every table's, for
 * the planner (plan.c), as PostgreSQL's and SQLite's ANALYZE. */
static DbStatus analyze(Db *db, Stmt *s, ExecResult *result)
{
    snprintf(result->tag, sizeof result->tag, "ANALYZE");
    const TableDef *stats, *def;
    DbStatus rc = stats_table(db, &stats);
    if (rc == DB_OK && s->table.text != NULL) {
        rc = find_table(db, &s->table, false, &def);
        return rc == DB_OK && !def->is_view && !def->is_system
                   ? analyze_table(db, stats, def) : rc;
    }
    TableNames t = {0};
    if (rc == DB_OK)
        rc = catalog_each_table(db_catalog(db), add_table_name, &t);
    for (uint32_t i = 0; i < t.n; i++) {
        if (rc == DB_OK)
            rc = catalog_find(db_catalog(db), t.names[i], &def);
        if (rc == DB_OK)
            rc = analyze_table(db, stats, def);
        free(t.names[i]);
    }
    free(t.names);
    return rc;
}

/* --- views and settings ----------------------------------------------- */

static DbStatus create_view(Db *db, Stmt *s, ExecResult *result)
{
    snprintf(result->tag, sizeof result->tag, "CREATE VIEW");
    bool exists;
    DbStatus rc = name_taken(db, s->table.text, &exists);
    if (rc != DB_OK)
        return rc;
    if (exists) {
        if (!s->if_exists)
            return db_fail_at(DB_EDUPKEY, s->table.pos, "relation \"%s\" "
                              "already exists", s->table.text);
        snprintf(result->notice, sizeof result->notice, "relation \"%s\" "
                 "already exists, skipping", s->table.text);
        return DB_OK;
    }
    if (strncmp(s->table.text, "strata_", 7) == 0)
        return db_fail_at(DB_EUNSUPPORTED, s->table.pos, "the names "
                          "strata_... are kept for the catalog");
    /* The query must bind now, and give the columns it names. */
    Run r;
    run_init(&r, db, result);
    BoundSelect *bs;
    rc = bind_select(&r.b, s->select, &bs);
    if (rc == DB_OK && s->target != NULL && s->target->n != bs->n_results)
        rc = db_fail_at(DB_ESYNTAX, s->target->items[0].pos, "the view "
                        "names %u columns, its query gives %u",
                        s->target->n, bs->n_results);
    run_free(&r);
    if (rc != DB_OK)
        return rc;
    char *sql = malloc(s->text_len + 1);
    if (sql == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    memcpy(sql, s->text, s->text_len);
    sql[s->text_len] = '\0';
    rc = s->temp ? db_create_temp_view(db, s->table.text, sql)
                 : catalog_create_view(db_catalog(db), s->table.text, sql);
    free(sql);
    return rc;
}

/* SET work_mem = N (kB, as PostgreSQL takes it) or '4MB'; SHOW work_mem. */
static DbStatus set_or_show(Db *db, Stmt *s, RowSink *sink,
                            ExecResult *result)
{
    if (strcmp(s->table.text, "work_mem") != 0)
        return db_fail_at(DB_ENOTFOUND, s->table.pos, "unrecognized "
                          "configuration parameter \"%s\"", s->table.text);
    if (s->value == NULL) {
        static const char *const names[] = {"work_mem"};
        static const ColumnType types[] = {TYPE_TEXT};
        char text[32];
        size_t kb = db_work_mem(db) / 1024;
        if (kb % 1024 == 0)
            snprintf(text, sizeof text, "%zuMB", kb / 1024);
        else
            snprintf(text, sizeof text, "%zukB", kb);
        Value v = {.type = VALUE_TEXT,
                   .text = {text, (uint32_t)strlen(text)}};
        result->has_rows = true;
        result->count = 1;
        DbStatus rc = sink->columns(sink->ctx, 1, names, types);
        return rc == DB_OK ? sink->row(sink->ctx, &v) : rc;
    }
    snprintf(result->tag, sizeof result->tag, "SET");
    Value v;
    DbStatus rc = constant(s->value, &v);
    if (rc != DB_OK)
        return rc;
    double kb = -1;
    if (v.type == VALUE_INTEGER) {
        kb = (double)v.i;
    } else if (v.type == VALUE_TEXT) {
        char text[32], *end;
        snprintf(text, sizeof text, "%.*s", (int)v.text.n, v.text.s);
        kb = strtod(text, &end);
        while (*end == ' ')
            end++;
        if (strcasecmp(end, "MB") == 0)
            kb *= 1024;
        else if (strcasecmp(end, "GB") == 0)
            kb *= 1024 * 1024;
        else if (*end != '\0' && strcasecmp(end, "kB") != 0)
            kb = -1;
    }
    if (kb < 64 || kb > 1024.0 * 1024 * 1024)
        return db_fail_at(DB_ERANGE, s->value->pos, "work_mem must be "
                          "from 64kB to 1TB (a number of kB, or '4MB')");
    db_set_work_mem(db, (size_t)(kb * 1024));
    return DB_OK;
}

static DbStatus run(Db *db, Stmt *s, RowSink *sink, ExecResult *r)
{
    if (s->explain && s->kind != STMT_SELECT)
        return db_fail_at(DB_EUNSUPPORTED, s->pos, "EXPLAIN shows the plan "
                          "of a SELECT");
    switch (s->kind) {
    case STMT_CREATE_TABLE:
        return create_table(db, s, r);
    case STMT_DROP_TABLE:
    case STMT_DROP_VIEW:
        return drop(db, s, r);
    case STMT_CREATE_VIEW:
        return create_view(db, s, r);
    case STMT_INSERT:
        return insert(db, s, r);
    case STMT_SELECT:
        return select_rows(db, s, sink, r);
    case STMT_UPDATE:
        return update(db, s, r);
    case STMT_DELETE:
        return delete_rows(db, s, r);
    case STMT_SET:
        return set_or_show(db, s, sink, r);
    case STMT_CREATE_INDEX:
        return create_index(db, s, r);
    case STMT_DROP_INDEX:
        return drop_index(db, s, r);
    case STMT_ANALYZE:
        return analyze(db, s, r);
    }
    return db_fail(DB_ESYNTAX, "unknown statement %d", (int)s->kind);
}

/* book: begin exec-statement */
DbStatus exec_statement(Db *db, Stmt *stmt, RowSink *sink,
                        ExecResult *result)
{
    *result = (ExecResult){0};
    /* Every statement is a transaction: all of it is durable, or none. */
    DbStatus rc = db_begin(db);
    if (rc != DB_OK)
        return rc;
    rc = run(db, stmt, sink, result);
    if (rc == DB_OK)
        return db_commit(db);
    db_rollback(db);
    return rc;
}
/* book: end exec-statement */

DbStatus exec_sql(Db *db, const char *sql, uint32_t len, RowSink *sink,
                  ExecResult *result)
{
    *result = (ExecResult){0};
    Parse p;
    tokenize_parse(&p, sql, len);
    DbStatus rc = p.rc;
    if (rc == DB_OK)
        rc = exec_statement(db, p.stmt, sink, result);
    ast_free_stmt(p.stmt);
    if (rc != DB_OK)
        return db_set_error(db, rc);
    db_clear_error(db);
    return DB_OK;
}
