/*
 * db.c - a database as one object: the file (through the pager), its
 * catalog, the transaction of the statement running, and the last error.
 *
 * Owns: opening and closing a database, transactions at the level of a
 * statement, the error a statement left, and checking the file as a
 * whole (every tree of the catalog and the free list together, and each
 * index against its table).
 * Does not: know SQL (exec.c and the parser do) or print results.
 *
 * There is no global state above status.c's per-thread reason: each Db
 * holds its own pager, catalog and error, so one process can have two
 * databases open, and a server (milestone 09) one per connection.
 */
#include "db.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "btree.h"
#include "bytes.h"

/* A temporary view: its name and its CREATE VIEW statement. */
typedef struct TempView {
    char *name;
    char *sql;
} TempView;

struct Db {
    Pager *pager;
    Catalog *catalog;
    DbError error;
    size_t work_mem;
    TempView *temp_views;
    uint32_t n_temp_views;
};

static char *copy_string(const char *s)
{
    if (s == NULL)
        return NULL;
    char *t = malloc(strlen(s) + 1);
    if (t != NULL)
        strcpy(t, s);
    return t;
}

void db_clear_error(Db *db)
{
    free(db->error.message);
    free(db->error.detail);
    db->error = (DbError){.rc = DB_OK, .pos = -1};
}

DbStatus db_set_error(Db *db, DbStatus rc)
{
    db_clear_error(db);
    db->error.rc = rc;
    db->error.message = copy_string(db_errmsg());
    db->error.detail = copy_string(db_errdetail());
    db->error.pos = db_errpos();
    return rc;
}

const DbError *db_error(const Db *db)
{
    return &db->error;
}

Pager *db_pager(Db *db)
{
    return db->pager;
}

Catalog *db_catalog(Db *db)
{
    return db->catalog;
}

DbStatus db_open(const char *path, const DbOptions *options, Db **out)
{
    *out = NULL;
    Db *db = calloc(1, sizeof *db);
    if (db == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    db->error.pos = -1;
    db->work_mem = DB_DEFAULT_WORK_MEM;
    const EvictPolicy *const policies[] = EVICT_POLICIES;
    uint32_t frames = options && options->pool_frames
                          ? options->pool_frames : POOL_DEFAULT_FRAMES;
    const EvictPolicy *policy = options && options->policy
                                    ? options->policy : policies[0];
    DbStatus rc = pager_open(path, frames, policy, &db->pager);
    if (rc != DB_OK) {
        free(db);
        return rc;
    }
    /* A new file's header and catalog are its first transaction. */
    bool new_file = pager_page_count(db->pager) == 0;
    rc = pager_begin(db->pager);
    if (rc == DB_OK)
        rc = catalog_open(db->pager, new_file, &db->catalog);
    if (rc == DB_OK)
        rc = pager_commit(db->pager);
    else
        pager_rollback(db->pager);
    if (rc != DB_OK) {
        if (rc == DB_ECORRUPT)
            rc = db_fail(DB_ECORRUPT, "'%s' is corrupt: %s.", path,
                         db_errmsg());
        catalog_close(db->catalog);
        pager_discard(db->pager);
        free(db);
        return rc;
    }
    *out = db;
    return DB_OK;
}

DbStatus db_close(Db *db)
{
    for (uint32_t i = 0; i < db->n_temp_views; i++) {
        free(db->temp_views[i].name);
        free(db->temp_views[i].sql);
    }
    free(db->temp_views);
    catalog_close(db->catalog);
    DbStatus rc = pager_close(db->pager);
    db_clear_error(db);
    free(db);
    return rc;
}

size_t db_work_mem(const Db *db)
{
    return db->work_mem;
}

void db_set_work_mem(Db *db, size_t bytes)
{
    db->work_mem = bytes;
}

const char *db_temp_view(const Db *db, const char *name)
{
    for (uint32_t i = 0; i < db->n_temp_views; i++)
        if (strcmp(db->temp_views[i].name, name) == 0)
            return db->temp_views[i].sql;
    return NULL;
}

DbStatus db_create_temp_view(Db *db, const char *name, const char *sql)
{
    TempView *grown = realloc(db->temp_views,
                              (db->n_temp_views + 1) * sizeof *grown);
    if (grown == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    db->temp_views = grown;
    TempView *v = &grown[db->n_temp_views];
    v->name = copy_string(name);
    v->sql = copy_string(sql);
    if (v->name == NULL || v->sql == NULL) {
        free(v->name);
        free(v->sql);
        return db_fail(DB_ENOMEM, "out of memory");
    }
    db->n_temp_views++;
    return DB_OK;
}

DbStatus db_drop_temp_view(Db *db, const char *name)
{
    for (uint32_t i = 0; i < db->n_temp_views; i++) {
        if (strcmp(db->temp_views[i].name, name) != 0)
            continue;
        free(db->temp_views[i].name);
        free(db->temp_views[i].sql);
        db->temp_views[i] = db->temp_views[--db->n_temp_views];
        return DB_OK;
    }
    return db_fail(DB_ENOTFOUND, "view \"%s\" does not exist", name);
}

DbStatus db_begin(Db *db)
{
    return pager_begin(db->pager);
}

DbStatus db_commit(Db *db)
{
    DbStatus rc = pager_commit(db->pager);
    if (rc != DB_OK)
        catalog_forget(db->catalog); /* the commit was rolled back */
    return rc;
}

void db_rollback(Db *db)
{
    pager_rollback(db->pager);
    catalog_forget(db->catalog);
}

/* --- checking the whole file -------------------------------------------- */

typedef struct Check {
    Db *db;
    uint8_t *seen;              /* pages met so far */
    const TableDef *def;        /* the table whose tree is being checked */
    Value *values;
    uint8_t key[BTREE_MAX_KEY]; /* an index entry made from a row */
} Check;

/* Every row must read back as its table's columns say. */
static DbStatus check_row(void *ctx, int64_t key, const uint8_t *payload,
                          size_t size)
{
    Check *c = ctx;
    ColumnType types[CATALOG_MAX_COLUMNS];
    for (uint32_t i = 0; i < c->def->n_columns; i++)
        types[i] = c->def->columns[i].type;
    DbStatus rc = record_decode(payload, size, types, c->def->n_columns,
                                c->values);
    if (rc != DB_OK)
        return db_fail(rc, "table \"%s\", row %lld: %s", c->def->name,
                       (long long)key, db_errmsg());
    return DB_OK;
}

/* An index tree's shape and order are btree_check's; its entries are
 * checked against the table after. */
static DbStatus check_entry(void *ctx, int64_t key, const uint8_t *bytes,
                            size_t size)
{
    (void)ctx;
    (void)key;
    (void)bytes;
    (void)size;
    return DB_OK;
}

/* Whether the row VALUES escapes unique index X: a NULL in its key. */
static bool key_has_null(const IndexDef *x, const Value *values)
{
    for (uint32_t i = 0; i < x->n_columns; i++)
        if (values[x->columns[i]].type == VALUE_NULL)
            return true;
    return false;
}

/* Every entry of index X (TREE) is the entry of a row of its table
 * (TABLE), made from the row as it is, and a unique index has no two
 * entries of equal values without a NULL. */
static DbStatus check_entries(Check *c, const IndexDef *x, Btree *table,
                              Btree *tree)
{
    BtreeCursor cursor;
    uint8_t previous[BTREE_MAX_KEY];
    size_t previous_size = 0; /* 0: no earlier entry to compare */
    int64_t previous_row = 0;
    DbStatus rc;
    for (rc = btree_first(tree, &cursor); rc == DB_OK && !cursor.end_of_tree;
         rc = btree_next(&cursor)) {
        const uint8_t *entry;
        size_t size, made;
        int64_t rowid;
        rc = btree_index_key(&cursor, &entry, &size);
        if (rc == DB_OK)
            rc = record_key_rowid(entry, size, &rowid);
        if (rc != DB_OK)
            break;
        BtreeCursor row = {0};
        bool found;
        rc = btree_seek(table, rowid, &row, &found);
        if (rc == DB_OK && !found)
            rc = db_fail(DB_ECORRUPT, "index \"%s\" has an entry for row "
                         "%" PRId64 ", which table \"%s\" does not have",
                         x->name, rowid, x->table);
        if (rc == DB_OK)
            rc = catalog_read_row(c->def, &row, c->values);
        if (rc == DB_OK)
            rc = catalog_index_key(x, c->values, rowid, c->key, &made);
        if (rc == DB_OK && (made != size || memcmp(c->key, entry, size)))
            rc = db_fail(DB_ECORRUPT, "index \"%s\": the entry for row %"
                         PRId64 " is not made of the row's values",
                         x->name, rowid);
        bool unique = x->unique && rc == DB_OK &&
                      !key_has_null(x, c->values);
        btree_cursor_close(&row);
        if (rc != DB_OK)
            break;
        if (unique && previous_size == size &&
            memcmp(previous, entry, size - RECORD_KEY_ROWID_SIZE) == 0) {
            rc = db_fail(DB_ECORRUPT, "unique index \"%s\": rows %" PRId64
                         " and %" PRId64 " have the same key", x->name,
                         previous_row, rowid);
            break;
        }
        previous_size = unique ? size : 0;
        memcpy(previous, entry, size);
        previous_row = rowid;
    }
    btree_cursor_close(&cursor);
    return rc;
}

/* Every row of the table (TABLE) has its entry in index X (TREE). */
static DbStatus check_rows(Check *c, const IndexDef *x, Btree *table,
                           Btree *tree)
{
    BtreeCursor cursor;
    DbStatus rc;
    for (rc = btree_first(table, &cursor);
         rc == DB_OK && !cursor.end_of_tree; rc = btree_next(&cursor)) {
        size_t size;
        int64_t rowid = cursor.key;
        rc = catalog_read_row(c->def, &cursor, c->values);
        if (rc == DB_OK)
            rc = catalog_index_key(x, c->values, rowid, c->key, &size);
        BtreeCursor entry = {0};
        if (rc == DB_OK)
            rc = btree_index_seek(tree, c->key, size, &entry);
        const uint8_t *found = NULL;
        size_t found_size = 0;
        if (rc == DB_OK && !entry.end_of_tree)
            rc = btree_index_key(&entry, &found, &found_size);
        if (rc == DB_OK && (found_size != size ||
                            memcmp(found, c->key, size) != 0))
            rc = db_fail(DB_ECORRUPT, "row %" PRId64 " of table \"%s\" has "
                         "no entry in index \"%s\"", rowid, x->table,
                         x->name);
        btree_cursor_close(&entry);
        if (rc != DB_OK)
            break;
    }
    btree_cursor_close(&cursor);
    return rc;
}

/* The tree of index X, and its entries against the table (TABLE). */
static DbStatus check_index(Check *c, const IndexDef *x, Btree *table)
{
    Btree *tree;
    DbStatus rc = btree_open(c->db->pager, x->root, &tree);
    if (rc == DB_OK && !btree_is_index(tree))
        rc = db_fail(DB_ECORRUPT, "page %u is not the root of an index",
                     x->root);
    if (rc == DB_OK)
        rc = btree_check(tree, c->seen, check_entry, c);
    if (rc == DB_OK)
        rc = check_entries(c, x, table, tree);
    if (rc == DB_OK)
        rc = check_rows(c, x, table, tree);
    if (tree != NULL)
        btree_close(tree);
    return rc;
}

static DbStatus check_table(void *ctx, const TableDef *def)
{
    Check *c = ctx;
    if (def->is_view)
        return DB_OK;
    Btree *tree;
    DbStatus rc = btree_open(c->db->pager, def->root, &tree);
    if (rc != DB_OK)
        return db_fail(rc, "table \"%s\": %s", def->name, db_errmsg());
    if (btree_is_index(tree)) {
        btree_close(tree);
        return db_fail(DB_ECORRUPT, "table \"%s\": page %u is the root of "
                       "an index", def->name, def->root);
    }
    c->def = def;
    c->values = malloc((def->n_columns + 1) * sizeof *c->values);
    rc = c->values ? btree_check(tree, c->seen, check_row, c)
                   : db_fail(DB_ENOMEM, "out of memory");
    if (rc != DB_OK && rc != DB_ENOMEM)
        rc = db_fail(rc, "table \"%s\": %s", def->name, db_errmsg());
    for (uint32_t i = 0; rc == DB_OK && i < def->n_indexes; i++) {
        rc = check_index(c, &def->indexes[i], tree);
        if (rc != DB_OK && rc != DB_ENOMEM)
            rc = db_fail(rc, "index \"%s\": %s", def->indexes[i].name,
                         db_errmsg());
    }
    free(c->values);
    btree_close(tree);
    return rc;
}

/* A free page must not also be a tree page. */
static DbStatus mark_free(void *ctx, uint32_t page_num)
{
    uint8_t *seen = ctx;
    if (seen[page_num])
        return db_fail(DB_ECORRUPT, "page %u is both in a tree and on "
                       "the free list", page_num);
    seen[page_num] = 1;
    return DB_OK;
}

DbStatus db_check(Db *db)
{
    uint32_t pinned = bufpool_pinned(pager_pool(db->pager));
    if (pinned != 0)
        return db_fail(DB_ECORRUPT, "%u page%s still pinned between "
                       "statements: a pin was not released", pinned,
                       pinned == 1 ? " is" : "s are");
    uint32_t n_pages = pager_page_count(db->pager);
    Check *c = malloc(sizeof *c);
    if (c != NULL)
        *c = (Check){.db = db, .seen = calloc(n_pages, 1)};
    if (c == NULL || c->seen == NULL) {
        free(c);
        return db_fail(DB_ENOMEM, "out of memory");
    }
    DbStatus rc = catalog_each_table(db->catalog, check_table, c);
    if (rc == DB_OK)
        rc = pager_walk_free_list(db->pager, mark_free, c->seen);
    for (uint32_t page_num = 1; rc == DB_OK && page_num < n_pages;
         page_num++)
        if (!c->seen[page_num])
            rc = db_fail(DB_ECORRUPT, "page %u is neither in a tree nor "
                         "on the free list", page_num);
    free(c->seen);
    free(c);
    return rc;
}

/* --- looking at pages ----------------------------------------------------- */

/* Which table or index each page belongs to, for \pages. */
typedef struct Owners {
    Db *db;
    uint32_t n_pages;
    const char **owner;         /* a table or index name per page, or NULL */
    uint8_t *seen;
} Owners;

/* Marks the pages of the tree at ROOT as NAME's. */
static DbStatus mark_tree(Owners *o, uint32_t root, const char *name)
{
    Btree *tree;
    DbStatus rc = btree_open(o->db->pager, root, &tree);
    if (rc != DB_OK)
        return rc;
    memset(o->seen, 0, o->n_pages);
    rc = btree_pages(tree, o->seen);
    btree_close(tree);
    /* A damaged page stops the walk: the pages seen before it are the
     * table's, and the damaged one says what it is in its own line. */
    if (rc == DB_ECORRUPT)
        rc = DB_OK;
    for (uint32_t i = 0; rc == DB_OK && i < o->n_pages; i++)
        if (o->seen[i])
            o->owner[i] = name;
    return rc;
}

static DbStatus mark_owner(void *ctx, const TableDef *def)
{
    Owners *o = ctx;
    if (def->is_view)
        return DB_OK;
    DbStatus rc = mark_tree(o, def->root, def->name);
    for (uint32_t i = 0; rc == DB_OK && i < def->n_indexes; i++)
        rc = mark_tree(o, def->indexes[i].root, def->indexes[i].name);
    return rc;
}

DbStatus db_print_pages(Db *db, FILE *out)
{
    Owners o = {.db = db, .n_pages = pager_page_count(db->pager)};
    o.owner = calloc(o.n_pages, sizeof *o.owner);
    o.seen = calloc(o.n_pages, 1);
    DbStatus rc = o.owner && o.seen ? DB_OK
                                    : db_fail(DB_ENOMEM, "out of memory");
    /* The table names stay valid while nothing changes the schema. */
    if (rc == DB_OK)
        rc = catalog_each_table(db->catalog, mark_owner, &o);
    if (rc == DB_OK)
        fprintf(out, "page  type      cells  free  table\n");
    for (uint32_t page_num = 0; rc == DB_OK && page_num < o.n_pages;
         page_num++) {
        char line[96];
        rc = btree_describe_page(db->pager, page_num, line, sizeof line);
        if (rc == DB_OK)
            fprintf(out, "%4u  %s%s%s\n", page_num, line,
                    o.owner[page_num] ? "  " : "",
                    o.owner[page_num] ? o.owner[page_num] : "");
    }
    free(o.owner);
    free(o.seen);
    return rc;
}

DbStatus db_print_page(Db *db, uint32_t page_num, FILE *out)
{
    return btree_print_page(db->pager, page_num, out);
}
