/*
 * exec.c - runs a parsed statement: looks up its names in the catalog,
 * checks its values against the columns' types and constraints, and
 * reads or changes the table's tree, all in one transaction.
 *
 * Owns: what each statement means, the type rules for a value going into
 * a column, row ids, and the wording of every error about a statement
 * (PostgreSQL's, where it has one).
 * Does not: parse (the grammar does), print (the sink does), or know how
 * rows are laid out in pages (record.c and the B+tree do).
 *
 * Milestone 06 evaluates no expressions: a value is a literal (with an
 * optional sign), and the one condition a WHERE may state is "the row id
 * column = a literal", answered by a lookup in the tree. Milestone 07
 * turns this file into a planner and an executor for all of SQL.
 */
#include "exec.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "parse.h"
#include "tokenize.h"

#define ROWID_NAME "rowid"   /* the hidden row id, as SQLite names it */
#define ROWID_PICK UINT32_MAX /* a result column that is the hidden row id */

static const char *value_type_name(const Value *v)
{
    switch (v->type) {
    case VALUE_NULL:
        return "unknown";
    case VALUE_INTEGER:
        return "integer";
    case VALUE_REAL:
        return "real";
    case VALUE_TEXT:
        return "text";
    case VALUE_BOOLEAN:
        return "boolean";
    }
    return "unknown";
}

static DbStatus unsupported(uint32_t pos, const char *what)
{
    return db_fail_at(DB_EUNSUPPORTED, pos, "%s comes in milestone 07",
                      what);
}

/* book: begin constant */
/* The value of E, which in milestone 06 must be a literal, perhaps with
 * a sign in front (the parser has folded the sign of a number into it).
 * Texts point into the tree. */
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
                          value_type_name(out));
    }
    case EXPR_COLUMN:
        return unsupported(e->pos, "a column where a value goes (milestone "
                           "06 takes a literal here)");
    case EXPR_BINARY:
        return unsupported(e->pos, "an operator where a value goes "
                           "(milestone 06 takes a literal here)");
    }
    return unsupported(e->pos, "an expression");
}
/* book: end constant */

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
        if (v->type == VALUE_BOOLEAN)
            return DB_OK;
        break;
    }
    return db_fail_at(DB_ETYPE, pos, "column \"%s\" is of type %s but "
                      "expression is of type %s", col->name,
                      catalog_type_name(col, type), value_type_name(v));
}
/* book: end coerce */

/* --- names -------------------------------------------------------------- */

static DbStatus find_table(Db *db, const Name *name, bool writing,
                           const TableDef **def)
{
    DbStatus rc = catalog_find(db_catalog(db), name->text, def);
    if (rc == DB_ENOTFOUND)
        return db_fail_at(rc, name->pos, "relation \"%s\" does not exist",
                          name->text);
    if (rc == DB_OK && writing && (*def)->is_system)
        return db_fail_at(DB_EUNSUPPORTED, name->pos, "permission denied: "
                          "\"%s\" is a system catalog; it changes only by "
                          "CREATE TABLE and DROP TABLE", name->text);
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

/* --- row ids and rows ---------------------------------------------------- */

static DbStatus open_tree(Db *db, const TableDef *def, Btree **tree)
{
    return btree_open(db_pager(db), def->root, tree);
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
    uint8_t *record = NULL;
    size_t size;
    if (rc == DB_OK)
        rc = make_record(def, values, &record, &size);
    if (rc == DB_OK)
        rc = btree_insert(tree, key, record, size);
    if (rc == DB_EDUPKEY)
        rc = duplicate_key(def, key);
    free(record);
    btree_close(tree);
    return rc;
}

/* --- which rows ---------------------------------------------------------- */

/* The rows a WHERE chooses: all of them, or the one with a row id. */
typedef struct Where {
    bool all;
    bool none;           /* the row id compared with NULL, or a fraction */
    int64_t key;
} Where;

/* True if E names the row id of DEF: its INTEGER PRIMARY KEY column, or
 * "rowid" when no column has that name. */
static bool is_rowid(const TableDef *def, const Expr *e)
{
    if (e->kind != EXPR_COLUMN)
        return false;
    int32_t c = column_index(def, e->name.text);
    if (c >= 0)
        return c == def->rowid_column;
    return strcmp(e->name.text, ROWID_NAME) == 0;
}

/* What milestone 06 says of any other WHERE. */
#define WHERE_LATER                                                        \
    "a condition other than \"row id = literal\" (as in WHERE id = 5) "   \
    "needs expressions, which"

/* book: begin where */
static DbStatus plan_where(const TableDef *def, const Expr *e, Where *w)
{
    *w = (Where){.all = e == NULL};
    if (e == NULL)
        return DB_OK;
    if (e->kind != EXPR_BINARY || e->op != TK_EQ)
        return unsupported(e->pos, WHERE_LATER);
    const Expr *column = e->left, *value = e->right;
    if (!is_rowid(def, column)) {
        column = e->right;
        value = e->left;
    }
    if (!is_rowid(def, column)) {
        uint32_t c;
        if (e->left->kind == EXPR_COLUMN &&
            find_column(def, &e->left->name, &c) != DB_OK)
            return DB_ENOTFOUND;
        return unsupported(e->pos, WHERE_LATER);
    }
    Value v;
    DbStatus rc = constant(value, &v);
    if (rc != DB_OK)
        return rc;
    if (v.type == VALUE_REAL && v.r == floor(v.r) &&
        fabs(v.r) < 9223372036854775808.0)
        v = (Value){.type = VALUE_INTEGER, .i = (int64_t)v.r};
    if (v.type == VALUE_INTEGER)
        w->key = v.i;
    else if (v.type == VALUE_NULL || v.type == VALUE_REAL)
        w->none = true; /* = NULL is never true; no row id is 1.5 */
    else
        return db_fail_at(DB_ETYPE, e->pos, "operator does not exist: "
                          "integer = %s", value_type_name(&v));
    return DB_OK;
}
/* book: end where */

/* The keys of the rows W chooses, in order, into a new array. */
static DbStatus chosen_keys(Btree *tree, const Where *w, int64_t **keys,
                            uint64_t *n)
{
    *keys = NULL;
    *n = 0;
    if (w->none)
        return DB_OK;
    BtreeCursor cursor;
    bool found = false;
    DbStatus rc = w->all ? btree_first(tree, &cursor)
                         : btree_seek(tree, w->key, &cursor, &found);
    uint64_t cap = 0;
    for (; rc == DB_OK && !cursor.end_of_tree && (w->all || found);
         rc = btree_next(&cursor)) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            int64_t *grown = realloc(*keys, cap * sizeof *grown);
            if (grown == NULL) {
                rc = db_fail(DB_ENOMEM, "out of memory");
                break;
            }
            *keys = grown;
        }
        (*keys)[(*n)++] = cursor.key;
        if (!w->all)
            break;
    }
    btree_cursor_close(&cursor);
    return rc;
}

/* --- the statements ------------------------------------------------------ */

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

/* Fills DEF from the columns and constraints of CREATE TABLE S. */
static DbStatus define_table(const Stmt *s, TableDef *def)
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
    int32_t key = -1;        /* the PRIMARY KEY column */
    uint32_t key_pos = 0;
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
        if (c->unique)
            return db_fail_at(DB_EUNSUPPORTED, c->unique_pos, "UNIQUE "
                              "needs an index: indexes come in milestone "
                              "08");
        if (c->primary_key) {
            if (key >= 0)
                return db_fail_at(DB_ESYNTAX, c->primary_key_pos,
                                  "multiple primary keys for table \"%s\" "
                                  "are not allowed", s->table.text);
            key = (int32_t)i;
            key_pos = c->primary_key_pos;
        }
    }
    for (uint32_t i = 0; s->constraints && i < s->constraints->n; i++) {
        const TableConstraint *t = &s->constraints->items[i];
        if (!t->primary_key)
            return db_fail_at(DB_EUNSUPPORTED, t->pos, "UNIQUE needs an "
                              "index: indexes come in milestone 08");
        if (key >= 0)
            return db_fail_at(DB_ESYNTAX, t->pos, "multiple primary keys "
                              "for table \"%s\" are not allowed",
                              s->table.text);
        if (t->columns->n > 1)
            return db_fail_at(DB_EUNSUPPORTED, t->pos, "a PRIMARY KEY of "
                              "several columns needs an index: indexes "
                              "come in milestone 08");
        uint32_t c;
        DbStatus rc = find_column(def, &t->columns->items[0], &c);
        if (rc != DB_OK)
            return rc;
        key = (int32_t)c;
        key_pos = t->pos;
    }
    if (key >= 0) {
        if (def->columns[key].type != TYPE_INTEGER)
            return db_fail_at(DB_EUNSUPPORTED, key_pos, "a PRIMARY KEY on "
                              "a column of type %s needs an index: "
                              "indexes come in milestone 08; only an "
                              "INTEGER PRIMARY KEY, the row id, is here",
                              def->columns[key].type == TYPE_TEXT
                                  ? "text" : def->columns[key].type ==
                                  TYPE_REAL ? "real" : "boolean");
        def->rowid_column = key;
        def->columns[key].primary_key = true;
        def->columns[key].not_null = true;
    }
    /* Defaults last: their errors name a column, which now exists. */
    for (uint32_t i = 0; i < cols->n; i++) {
        const Expr *d = cols->items[i].default_value;
        if (d == NULL)
            continue;
        Column *col = &def->columns[i];
        DbStatus rc = constant(d, &col->default_value);
        if (rc == DB_OK && col->default_value.type != VALUE_NULL)
            rc = exec_coerce(def, i, &col->default_value, d->pos);
        if (rc != DB_OK)
            return rc;
        col->has_default = col->default_value.type != VALUE_NULL;
    }
    return DB_OK;
}

static DbStatus create_table(Db *db, const Stmt *s, ExecResult *result)
{
    snprintf(result->tag, sizeof result->tag, "CREATE TABLE");
    const TableDef *existing;
    DbStatus rc = catalog_find(db_catalog(db), s->table.text, &existing);
    if (rc == DB_OK) {
        if (!s->if_exists)
            return db_fail_at(DB_EDUPKEY, s->table.pos, "relation \"%s\" "
                              "already exists", s->table.text);
        snprintf(result->notice, sizeof result->notice, "relation \"%s\" "
                 "already exists, skipping", s->table.text);
        return DB_OK;
    }
    if (rc != DB_ENOTFOUND)
        return rc;
    if (strncmp(s->table.text, "strata_", 7) == 0)
        return db_fail_at(DB_EUNSUPPORTED, s->table.pos, "the names "
                          "strata_... are kept for the catalog");
    TableDef def = {.name = s->table.text};
    char *sql = malloc(s->text_len + 1);
    if (sql == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    memcpy(sql, s->text, s->text_len);
    sql[s->text_len] = '\0';
    def.sql = sql;
    rc = define_table(s, &def);
    if (rc == DB_OK)
        rc = catalog_create(db_catalog(db), &def);
    free(sql);
    free(def.columns); /* names and defaults belong to the tree */
    return rc;
}

static DbStatus drop_table(Db *db, const Stmt *s, ExecResult *result)
{
    snprintf(result->tag, sizeof result->tag, "DROP TABLE");
    const TableDef *def;
    DbStatus rc = catalog_find(db_catalog(db), s->table.text, &def);
    if (rc == DB_ENOTFOUND) {
        if (!s->if_exists)
            return db_fail_at(rc, s->table.pos, "table \"%s\" does not "
                              "exist", s->table.text);
        snprintf(result->notice, sizeof result->notice, "table \"%s\" does "
                 "not exist, skipping", s->table.text);
        return DB_OK;
    }
    if (rc == DB_OK && def->is_system)
        return db_fail_at(DB_EUNSUPPORTED, s->table.pos, "permission "
                          "denied: \"%s\" is a system catalog",
                          s->table.text);
    return rc == DB_OK ? catalog_drop(db_catalog(db), s->table.text) : rc;
}

static DbStatus insert(Db *db, const Stmt *s, ExecResult *result)
{
    const TableDef *def;
    DbStatus rc = find_table(db, &s->table, true, &def);
    if (rc != DB_OK)
        return rc;
    /* Which column each value of a row goes to. */
    uint32_t n_target = s->target ? s->target->n : def->n_columns;
    uint32_t *target = malloc((n_target + 1) * sizeof *target);
    Value *values = malloc(def->n_columns * sizeof *values);
    bool *given = malloc(def->n_columns * sizeof *given);
    if (target == NULL || values == NULL || given == NULL)
        rc = db_fail(DB_ENOMEM, "out of memory");
    for (uint32_t i = 0; rc == DB_OK && i < n_target; i++) {
        target[i] = i;
        if (s->target == NULL)
            continue;
        rc = find_column(def, &s->target->items[i], &target[i]);
        for (uint32_t j = 0; rc == DB_OK && j < i; j++)
            if (target[j] == target[i])
                rc = db_fail_at(DB_EDUPKEY, s->target->items[i].pos,
                                "column \"%s\" specified more than once",
                                s->target->items[i].text);
    }
    for (uint32_t r = 0; rc == DB_OK && r < s->rows->n; r++) {
        const ExprList *row = s->rows->items[r];
        if (row->n > n_target) {
            rc = db_fail_at(DB_ESYNTAX, row->items[n_target]->pos,
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
        for (uint32_t c = 0; c < def->n_columns; c++) {
            given[c] = false;
            values[c] = def->columns[c].has_default
                            ? def->columns[c].default_value
                            : (Value){.type = VALUE_NULL};
        }
        for (uint32_t i = 0; rc == DB_OK && i < row->n; i++) {
            rc = constant(row->items[i], &values[target[i]]);
            given[target[i]] = true;
            if (rc == DB_OK)
                rc = exec_coerce(def, target[i], &values[target[i]],
                                 row->items[i]->pos);
        }
        /* A column left out still must not be NULL if it says so. */
        for (uint32_t c = 0; rc == DB_OK && c < def->n_columns; c++)
            if (!given[c])
                rc = exec_coerce(def, c, &values[c], s->table.pos);
        if (rc == DB_OK)
            rc = exec_insert_row(db, def, values);
        if (rc == DB_OK)
            result->count++;
    }
    free(target);
    free(values);
    free(given);
    snprintf(result->tag, sizeof result->tag, "INSERT 0 %" PRIu64,
             result->count);
    return rc;
}

static DbStatus select_rows(Db *db, const Stmt *s, RowSink *sink,
                            ExecResult *result)
{
    const TableDef *def;
    DbStatus rc = find_table(db, &s->table, false, &def);
    if (rc != DB_OK)
        return rc;
    /* The result's columns: all of them for "*", else those named. */
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->results->n; i++)
        n += s->results->items[i] ? 1 : def->n_columns;
    uint32_t *pick = malloc((n + 1) * sizeof *pick);
    const char **names = malloc((n + 1) * sizeof *names);
    ColumnType *types = malloc((n + 1) * sizeof *types);
    Value *row = malloc(def->n_columns * sizeof *row);
    Value *out = malloc((n + 1) * sizeof *out);
    if (!pick || !names || !types || !row || !out)
        rc = db_fail(DB_ENOMEM, "out of memory");
    uint32_t k = 0;
    for (uint32_t i = 0; rc == DB_OK && i < s->results->n; i++) {
        const Expr *e = s->results->items[i];
        if (e == NULL) {
            for (uint32_t c = 0; c < def->n_columns; c++)
                pick[k++] = c;
        } else if (e->kind == EXPR_COLUMN && def->rowid_column < 0 &&
                   strcmp(e->name.text, ROWID_NAME) == 0 &&
                   column_index(def, ROWID_NAME) < 0) {
            pick[k++] = ROWID_PICK; /* the hidden row id */
        } else if (e->kind == EXPR_COLUMN) {
            /* Not found: PostgreSQL's wording for a query's column. */
            int32_t c = column_index(def, e->name.text);
            pick[k++] = (uint32_t)c;
            if (c < 0)
                rc = db_fail_at(DB_ENOTFOUND, e->name.pos, "column \"%s\" "
                                "does not exist", e->name.text);
        } else {
            rc = unsupported(e->pos, "a result that is not a column");
        }
    }
    for (uint32_t i = 0; rc == DB_OK && i < n; i++) {
        bool rowid = pick[i] == ROWID_PICK;
        names[i] = rowid ? ROWID_NAME : def->columns[pick[i]].name;
        types[i] = rowid ? TYPE_INTEGER : def->columns[pick[i]].type;
    }
    Where w;
    if (rc == DB_OK)
        rc = plan_where(def, s->where, &w);
    Btree *tree = NULL;
    if (rc == DB_OK)
        rc = open_tree(db, def, &tree);
    if (rc == DB_OK)
        rc = sink->columns(sink->ctx, n, names, types);
    result->has_rows = true;
    BtreeCursor cursor = {0};
    bool found = false;
    if (rc == DB_OK && !w.none)
        rc = w.all ? btree_first(tree, &cursor)
                   : btree_seek(tree, w.key, &cursor, &found);
    for (; rc == DB_OK && !w.none && !cursor.end_of_tree &&
           (w.all || (found && result->count == 0));
         rc = btree_next(&cursor)) {
        rc = catalog_read_row(def, &cursor, row);
        for (uint32_t i = 0; rc == DB_OK && i < n; i++)
            out[i] = pick[i] == ROWID_PICK
                         ? (Value){.type = VALUE_INTEGER, .i = cursor.key}
                         : row[pick[i]];
        if (rc == DB_OK)
            rc = sink->row(sink->ctx, out);
        if (rc != DB_OK)
            break; /* before the next move could hide the failure */
        result->count++;
    }
    btree_cursor_close(&cursor);
    if (tree != NULL)
        btree_close(tree);
    free(pick);
    free(names);
    free(types);
    free(row);
    free(out);
    snprintf(result->tag, sizeof result->tag, "SELECT %" PRIu64,
             result->count);
    return rc;
}

/* Reads the row KEY of DEF's tree into VALUES; its payload stays in
 * CURSOR, which the caller closes. */
static DbStatus read_row(Btree *tree, const TableDef *def, int64_t key,
                         BtreeCursor *cursor, Value *values)
{
    bool found;
    DbStatus rc = btree_seek(tree, key, cursor, &found);
    if (rc == DB_OK && !found)
        rc = db_fail(DB_ECORRUPT, "row %" PRId64 " vanished", key);
    return rc == DB_OK ? catalog_read_row(def, cursor, values) : rc;
}

static DbStatus update(Db *db, const Stmt *s, ExecResult *result)
{
    const TableDef *def;
    DbStatus rc = find_table(db, &s->table, true, &def);
    if (rc != DB_OK)
        return rc;
    uint32_t n_set = s->set->n;
    uint32_t *cols = malloc(n_set * sizeof *cols);
    Value *set = malloc(n_set * sizeof *set);
    Value *row = malloc(def->n_columns * sizeof *row);
    if (!cols || !set || !row)
        rc = db_fail(DB_ENOMEM, "out of memory");
    for (uint32_t i = 0; rc == DB_OK && i < n_set; i++) {
        const Assignment *a = &s->set->items[i];
        rc = find_column(def, &a->column, &cols[i]);
        for (uint32_t j = 0; rc == DB_OK && j < i; j++)
            if (cols[j] == cols[i])
                rc = db_fail_at(DB_EDUPKEY, a->column.pos, "multiple "
                                "assignments to same column \"%s\"",
                                a->column.text);
        if (rc == DB_OK)
            rc = constant(a->value, &set[i]);
        if (rc == DB_OK)
            rc = exec_coerce(def, cols[i], &set[i], a->value->pos);
    }
    Where w;
    Btree *tree = NULL;
    int64_t *keys = NULL;
    uint64_t n_keys = 0;
    if (rc == DB_OK)
        rc = plan_where(def, s->where, &w);
    if (rc == DB_OK)
        rc = open_tree(db, def, &tree);
    /* The keys first, then the changes: a change can move rows between
     * leaves, under a cursor that walked them. */
    if (rc == DB_OK)
        rc = chosen_keys(tree, &w, &keys, &n_keys);
    for (uint64_t k = 0; rc == DB_OK && k < n_keys; k++) {
        BtreeCursor cursor = {0};
        uint8_t *record = NULL;
        size_t size;
        rc = read_row(tree, def, keys[k], &cursor, row);
        for (uint32_t i = 0; rc == DB_OK && i < n_set; i++)
            row[cols[i]] = set[i];
        int64_t new_key = def->rowid_column >= 0 &&
                                  row[def->rowid_column].type ==
                                      VALUE_INTEGER
                              ? row[def->rowid_column].i : keys[k];
        if (rc == DB_OK && def->rowid_column >= 0 &&
            row[def->rowid_column].type == VALUE_NULL)
            rc = db_fail_at(DB_ECONSTRAINT, s->pos, "null value in column "
                            "\"%s\" violates not-null constraint",
                            def->columns[def->rowid_column].name);
        if (rc == DB_OK)
            rc = make_record(def, row, &record, &size);
        btree_cursor_close(&cursor);
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
            result->count++;
    }
    if (tree != NULL)
        btree_close(tree);
    free(keys);
    free(cols);
    free(set);
    free(row);
    snprintf(result->tag, sizeof result->tag, "UPDATE %" PRIu64,
             result->count);
    return rc;
}

static DbStatus delete_rows(Db *db, const Stmt *s, ExecResult *result)
{
    const TableDef *def;
    DbStatus rc = find_table(db, &s->table, true, &def);
    if (rc != DB_OK)
        return rc;
    Where w;
    Btree *tree = NULL;
    int64_t *keys = NULL;
    uint64_t n_keys = 0;
    rc = plan_where(def, s->where, &w);
    if (rc == DB_OK)
        rc = open_tree(db, def, &tree);
    if (rc == DB_OK)
        rc = chosen_keys(tree, &w, &keys, &n_keys);
    for (uint64_t k = 0; rc == DB_OK && k < n_keys; k++) {
        rc = btree_delete(tree, keys[k]);
        if (rc == DB_OK)
            result->count++;
    }
    if (tree != NULL)
        btree_close(tree);
    free(keys);
    snprintf(result->tag, sizeof result->tag, "DELETE %" PRIu64,
             result->count);
    return rc;
}

static DbStatus run(Db *db, const Stmt *s, RowSink *sink, ExecResult *r)
{
    switch (s->kind) {
    case STMT_CREATE_TABLE:
        return create_table(db, s, r);
    case STMT_DROP_TABLE:
        return drop_table(db, s, r);
    case STMT_INSERT:
        return insert(db, s, r);
    case STMT_SELECT:
        return select_rows(db, s, sink, r);
    case STMT_UPDATE:
        return update(db, s, r);
    case STMT_DELETE:
        return delete_rows(db, s, r);
    }
    return db_fail(DB_ESYNTAX, "unknown statement %d", (int)s->kind);
}

/* book: begin exec-statement */
DbStatus exec_statement(Db *db, const Stmt *stmt, RowSink *sink,
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
