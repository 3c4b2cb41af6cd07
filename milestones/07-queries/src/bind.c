/*
 * bind.c - the binder: resolves every name of a SELECT against the
 * catalog and the FROM clause, and fills in the tree's bound fields.
 *
 * Owns: scopes (which names a part of a query can see), * expansion,
 * USING, views (read from the catalog and bound in place), aggregates and
 * where they may appear, ORDER BY's references to results, and the type
 * and affinity of each expression.
 * Does not: decide how a query runs (plan.c does) or run it (exec.c).
 *
 * A query's names are looked up from the inside out: a column is first
 * sought among the FROM items of its own SELECT, then among those of the
 * SELECT around it, and so on. Found outside, it makes the subquery
 * correlated: it must run again for each row of the query around it.
 *
 *   SELECT a FROM t WHERE b IN (SELECT c FROM u WHERE u.d = t.e)
 *                                                       ^^^ outer: t
 */
#include "bind.h"

#include <stdlib.h>
#include <string.h>

#include "func.h"
#include "parse.h"
#include "tokenize.h"
#include "value.h"

#define ROWID_NAME "rowid"

/* Where a name is looked up: the FROM items of one select, those of the
 * selects around it, and how many of the items may be seen (an ON
 * clause sees only the items up to its own). */
typedef struct Scope {
    BoundSelect *bs;
    uint32_t n_visible;        /* of bs's FROM items */
    const struct Scope *outer;
} Scope;

/* What may appear where: aggregates only in results, HAVING and ORDER BY
 * of a select; inside an aggregate's arguments, no other aggregate. */
typedef struct Context {
    Binding *b;
    const Scope *scope;
    BoundSelect *bs;           /* the select the expression is in */
    bool aggregates_allowed;
    bool in_aggregate;
    bool keeping;              /* record FROM columns read (see kept) */
    const char *clause;        /* for errors: "WHERE", "GROUP BY", ... */
} Context;

static DbStatus bind_expr(Context *c, Expr *e);
static DbStatus bind_query(Binding *b, Select *select, const Scope *outer,
                           uint32_t level, BoundSelect **out);

static char *copy_string(const char *s)
{
    char *t = malloc(strlen(s) + 1);
    if (t != NULL)
        strcpy(t, s);
    return t;
}

/* --- sources ---------------------------------------------------------- */

int bind_add_source(Binding *b, const char *name, const TableDef *table,
                    uint32_t n_columns)
{
    if (b->n_sources == b->cap_sources) {
        uint32_t cap = b->cap_sources ? 2 * b->cap_sources : 16;
        Source *grown = realloc(b->sources, cap * sizeof *grown);
        if (grown == NULL)
            return -1;
        b->sources = grown;
        b->cap_sources = cap;
    }
    Source *s = &b->sources[b->n_sources];
    *s = (Source){.table = table, .n_columns = n_columns};
    s->column_names = calloc(n_columns + 1, sizeof *s->column_names);
    s->types = calloc(n_columns + 1, sizeof *s->types);
    if (s->column_names == NULL || s->types == NULL ||
        (name != NULL && (s->name = copy_string(name)) == NULL)) {
        free(s->column_names);
        free(s->types);
        return -1;
    }
    return (int)b->n_sources++;
}

int bind_table_source(Binding *b, const TableDef *def, const char *name)
{
    int src = bind_add_source(b, name, def, def->n_columns);
    if (src < 0)
        return -1;
    Source *s = &b->sources[src];
    for (uint32_t i = 0; i < def->n_columns; i++) {
        s->column_names[i] = copy_string(def->columns[i].name);
        if (s->column_names[i] == NULL)
            return -1;
        s->types[i] = def->columns[i].type;
    }
    return src;
}

static DbStatus add_select(Binding *b, BoundSelect *bs)
{
    if (b->n_selects == b->cap_selects) {
        uint32_t cap = b->cap_selects ? 2 * b->cap_selects : 8;
        BoundSelect **grown = realloc(b->selects, cap * sizeof *grown);
        if (grown == NULL)
            return db_fail(DB_ENOMEM, "out of memory");
        b->selects = grown;
        b->cap_selects = cap;
    }
    b->selects[b->n_selects++] = bs;
    return DB_OK;
}

static void free_select(BoundSelect *bs)
{
    free(bs->from_sources);
    free(bs->group_exprs);
    free(bs->results);
    for (uint32_t i = 0; i < bs->n_results; i++)
        free(bs->result_names[i]);
    free(bs->result_names);
    free(bs->result_types);
    free(bs->result_affinities);
    free(bs->aggregates);
    free(bs->calls);
    free(bs->kept_source);
    free(bs->kept_column);
    free(bs->order_exprs);
    free(bs->order_result);
    free(bs->order_desc);
    free(bs);
}

void bind_free(Binding *b)
{
    for (uint32_t i = 0; i < b->n_sources; i++) {
        Source *s = &b->sources[i];
        for (uint32_t c = 0; c <= s->n_columns; c++)
            free(s->column_names[c]);
        free(s->column_names);
        free(s->types);
        free(s->merged);
        free(s->affinities);
        free(s->name);
    }
    free(b->sources);
    for (uint32_t i = 0; i < b->n_selects; i++)
        free_select(b->selects[i]);
    free(b->selects);
    for (uint32_t i = 0; i < b->n_views; i++) {
        ast_free_stmt(b->views[i]);
        free(b->view_texts[i]);
    }
    free(b->views);
    free(b->view_texts);
    *b = (Binding){0};
}

/* --- columns ---------------------------------------------------------- */

/* The column NAME of source S, or -1; a table's hidden row id answers to
 * "rowid" (its index is n_columns). */
static int find_in_source(const Source *s, const char *name)
{
    for (uint32_t i = 0; i < s->n_columns; i++)
        if (s->column_names[i] && strcmp(s->column_names[i], name) == 0)
            return (int)i;
    if (s->table != NULL && strcmp(name, ROWID_NAME) == 0)
        return s->table->rowid_column >= 0 ? s->table->rowid_column
                                           : (int)s->n_columns;
    return -1;
}

/* The type of column COL of source S. */
static ColumnType source_type(const Source *s, int col)
{
    return (uint32_t)col == s->n_columns ? TYPE_INTEGER : s->types[col];
}

/* The affinity of column COL of source S: its type's for a table's, what
 * the subquery gives it for a subquery's or a view's. */
static char source_affinity(const Source *s, int col)
{
    return s->affinities != NULL && (uint32_t)col < s->n_columns
               ? s->affinities[col]
               : value_type_affinity(source_type(s, col));
}

/* Marks every select from BS out to (not including) OUTER correlated:
 * each reads a row of a query around it. */
static void mark_correlated(BoundSelect *bs, const Scope *scope,
                            const Scope *found)
{
    (void)bs;
    for (const Scope *s = scope; s != NULL && s != found; s = s->outer)
        s->bs->correlated = true;
}

/* Records that the query reads column COL of SOURCE above its
 * aggregation, so that a group can show it as its last row had it. */
static DbStatus keep_column(BoundSelect *bs, uint32_t source, uint32_t col)
{
    for (uint32_t i = 0; i < bs->n_kept; i++)
        if (bs->kept_source[i] == source && bs->kept_column[i] == col)
            return DB_OK;
    uint32_t *s = realloc(bs->kept_source, (bs->n_kept + 1) * sizeof *s);
    if (s != NULL)
        bs->kept_source = s;
    uint32_t *c = realloc(bs->kept_column, (bs->n_kept + 1) * sizeof *c);
    if (c != NULL)
        bs->kept_column = c;
    if (s == NULL || c == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    bs->kept_source[bs->n_kept] = source;
    bs->kept_column[bs->n_kept++] = col;
    return DB_OK;
}

/* book: begin resolve-column */
static DbStatus resolve_column(Context *c, Expr *e)
{
    const char *table = e->table.text, *name = e->name.text;
    for (const Scope *scope = c->scope; scope != NULL;
         scope = scope->outer) {
        BoundSelect *bs = scope->bs;
        int found_source = -1, found_col = -1;
        for (uint32_t i = 0; i < scope->n_visible; i++) {
            uint32_t src = bs->from_sources[i];
            const Source *s = &c->b->sources[src];
            if (table != NULL &&
                (s->name == NULL || strcmp(s->name, table) != 0))
                continue;
            int col = find_in_source(s, name);
            if (col < 0 || (table == NULL && s->merged != NULL &&
                            col < (int)s->n_columns && s->merged[col]))
                continue;
            if (found_source >= 0)
                return db_fail_at(DB_ESYNTAX, e->pos, "column reference "
                                  "\"%s\" is ambiguous", name);
            found_source = (int)src;
            found_col = col;
        }
        if (found_source < 0)
            continue;
        e->source = found_source;
        e->column = found_col;
        const Source *s = &c->b->sources[found_source];
        e->result = source_type(s, found_col);
        e->affinity = source_affinity(s, found_col);
        if (scope != c->scope)
            mark_correlated(c->bs, c->scope, scope);
        else if (c->keeping && !c->in_aggregate)
            return keep_column(c->bs, (uint32_t)found_source,
                               (uint32_t)found_col);
        return DB_OK;
    }
    if (table != NULL) {
        /* A table of that name in view? Then the column is wrong. */
        for (const Scope *scope = c->scope; scope; scope = scope->outer)
            for (uint32_t i = 0; i < scope->n_visible; i++) {
                const Source *s =
                    &c->b->sources[scope->bs->from_sources[i]];
                if (s->name && strcmp(s->name, table) == 0)
                    return db_fail_at(DB_ENOTFOUND, e->pos, "column %s.%s "
                                      "does not exist", table, name);
            }
        return db_fail_at(DB_ENOTFOUND, e->pos, "missing FROM-clause entry "
                          "for table \"%s\"", table);
    }
    return db_fail_at(DB_ENOTFOUND, e->pos, "column \"%s\" does not exist",
                      name);
}
/* book: end resolve-column */

/* --- expressions ------------------------------------------------------ */

int bind_aggregate_kind(const char *name, uint32_t n_args, bool star)
{
    static const struct {
        const char *name;
        AggregateKind kind;
    } AGGREGATES[] = {
        {"count", AGG_COUNT}, {"sum", AGG_SUM}, {"total", AGG_TOTAL},
        {"avg", AGG_AVG},     {"min", AGG_MIN}, {"max", AGG_MAX},
    };
    for (size_t i = 0; i < sizeof AGGREGATES / sizeof AGGREGATES[0]; i++) {
        if (strcmp(AGGREGATES[i].name, name) != 0)
            continue;
        if (star)
            return AGGREGATES[i].kind == AGG_COUNT ? (int)AGG_COUNT_STAR
                                                   : -1;
        /* min(a, b) of two or more arguments is the scalar function. */
        return n_args == 1 ? (int)AGGREGATES[i].kind : -1;
    }
    return -1;
}

/* Gives aggregate call E its column in the aggregate source: the column
 * of an equal call met before (count(*) in the list and in HAVING are
 * computed once), or a new one. */
static DbStatus add_aggregate(BoundSelect *bs, Expr *e)
{
    bs->aggregated = true;
    Expr **calls = realloc(bs->calls, (bs->n_calls + 1) * sizeof *calls);
    if (calls == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    bs->calls = calls;
    bs->calls[bs->n_calls++] = e;
    for (uint32_t i = 0; i < bs->n_aggregates; i++) {
        if (bind_same_expr(bs->aggregates[i], e)) {
            e->aggregate = (int)i;
            return DB_OK;
        }
    }
    Expr **grown = realloc(bs->aggregates,
                           (bs->n_aggregates + 1) * sizeof *grown);
    if (grown == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    bs->aggregates = grown;
    e->aggregate = (int)bs->n_aggregates;
    bs->aggregates[bs->n_aggregates++] = e;
    return DB_OK;
}

static DbStatus bind_list(Context *c, ExprList *list)
{
    for (uint32_t i = 0; list && i < list->n; i++) {
        DbStatus rc = bind_expr(c, list->items[i].expr);
        if (rc != DB_OK)
            return rc;
    }
    return DB_OK;
}

static DbStatus bind_function(Context *c, Expr *e)
{
    uint32_t n = e->list ? e->list->n : 0;
    int agg = bind_aggregate_kind(e->name.text, n, e->star);
    if (agg >= 0) {
        if (!c->aggregates_allowed)
            return db_fail_at(DB_ESYNTAX, e->pos, "aggregate functions are "
                              "not allowed in %s", c->clause);
        if (c->in_aggregate)
            return db_fail_at(DB_ESYNTAX, e->pos, "aggregate function "
                              "calls cannot be nested");
        e->function = agg;
        Context inside = *c;
        inside.in_aggregate = true;
        DbStatus rc = bind_list(&inside, e->list);
        if (rc != DB_OK)
            return rc;
        ColumnType arg = n ? e->list->items[0].expr->result : TYPE_ANY;
        e->result = agg_result_type((AggregateKind)agg, arg);
        return add_aggregate(c->bs, e);
    }
    if (e->star || e->distinct)
        return db_fail_at(DB_ESYNTAX, e->pos, "%s(%s) is not an aggregate",
                          e->name.text, e->star ? "*" : "DISTINCT ...");
    int f;
    DbStatus rc = func_find(e->name.text, n, e->pos, &f);
    if (rc != DB_OK)
        return rc;
    e->function = f;
    rc = bind_list(c, e->list);
    if (rc != DB_OK)
        return rc;
    ColumnType types[100];
    for (uint32_t i = 0; i < n && i < 100; i++)
        types[i] = e->list->items[i].expr->result;
    e->result = func_result_type(f, types, n < 100 ? n : 100);
    return DB_OK;
}

/* A subquery in an expression: bound as a select of its own, inside C's
 * scope. */
static DbStatus bind_subquery(Context *c, Expr *e)
{
    BoundSelect *sub;
    DbStatus rc = bind_query(c->b, e->select, c->scope, c->bs->level + 1,
                             &sub);
    if (rc != DB_OK)
        return rc;
    if (e->kind != EXPR_EXISTS && sub->n_results != 1)
        return db_fail_at(DB_ESYNTAX, e->pos, "subquery has %u columns, "
                          "where one is needed", sub->n_results);
    e->correlated = sub->correlated;
    e->bound = sub;
    if (e->kind == EXPR_SUBQUERY) {
        e->result = sub->result_types[0];
        e->affinity = sub->result_affinities[0];
    } else {
        e->result = TYPE_INTEGER;
    }
    return DB_OK;
}

static ColumnType arith_type(ColumnType a, ColumnType b)
{
    if (a == TYPE_INTEGER && b == TYPE_INTEGER)
        return TYPE_INTEGER;
    if ((a == TYPE_INTEGER || a == TYPE_REAL) &&
        (b == TYPE_INTEGER || b == TYPE_REAL))
        return TYPE_REAL;
    return TYPE_ANY;
}

static DbStatus bind_expr(Context *c, Expr *e)
{
    if (e == NULL)
        return DB_OK;
    DbStatus rc = DB_OK;
    switch (e->kind) {
    case EXPR_LITERAL:
        if (e->too_big)
            return db_fail_at(DB_ERANGE, e->pos, "integer out of range");
        e->result = e->value.type == VALUE_INTEGER ? TYPE_INTEGER
                    : e->value.type == VALUE_REAL  ? TYPE_REAL
                    : e->value.type == VALUE_TEXT  ? TYPE_TEXT
                                                   : TYPE_ANY;
        return DB_OK;
    case EXPR_COLUMN:
        return resolve_column(c, e);
    case EXPR_FUNCTION:
        return bind_function(c, e);
    case EXPR_CAST:
        rc = bind_expr(c, e->left);
        e->affinity = value_name_affinity(e->type->name.text);
        e->result = e->affinity == AFFINITY_INTEGER ? TYPE_INTEGER
                    : e->affinity == AFFINITY_REAL  ? TYPE_REAL
                    : e->affinity == AFFINITY_TEXT  ? TYPE_TEXT
                                                    : TYPE_ANY;
        return rc;
    case EXPR_SUBQUERY:
    case EXPR_EXISTS:
        return bind_subquery(c, e);
    case EXPR_IN_SELECT:
        rc = bind_expr(c, e->left);
        if (rc == DB_OK)
            rc = bind_subquery(c, e);
        e->result = TYPE_INTEGER;
        return rc;
    default:
        break;
    }
    /* The rest: their operands, then their own type. */
    rc = bind_expr(c, e->left);
    if (rc == DB_OK)
        rc = bind_expr(c, e->right);
    if (rc == DB_OK)
        rc = bind_expr(c, e->third);
    if (rc == DB_OK)
        rc = bind_list(c, e->list);
    if (rc != DB_OK)
        return rc;
    switch (e->kind) {
    case EXPR_UNARY:
        /* NOT gives 1 or 0, + its operand, and - a number: -'5' is -5. */
        if (e->op == TK_NOT || e->left->result == TYPE_BOOLEAN)
            e->result = TYPE_INTEGER;
        else if (e->op == TK_MINUS)
            e->result = arith_type(e->left->result, TYPE_INTEGER);
        else
            e->result = e->left->result;
        break;
    case EXPR_BINARY:
        switch (e->op) {
        case TK_PLUS:
        case TK_MINUS:
        case TK_STAR:
        case TK_SLASH:
        case TK_REM:
            e->result = arith_type(e->left->result, e->right->result);
            break;
        case TK_CONCAT:
            e->result = TYPE_TEXT;
            break;
        default: /* comparisons, AND, OR, IS: 1 or 0 */
            e->result = TYPE_INTEGER;
        }
        break;
    case EXPR_CASE: {
        /* The branches' type if they agree. */
        ColumnType t = e->right ? e->right->result : TYPE_ANY;
        bool first = e->right == NULL;
        for (uint32_t i = 1; i < e->list->n; i += 2) {
            ColumnType bt = e->list->items[i].expr->result;
            if (first) {
                t = bt;
                first = false;
            } else if (bt != t) {
                t = TYPE_ANY;
            }
        }
        e->result = t;
        break;
    }
    default:
        e->result = TYPE_INTEGER; /* IS NULL, BETWEEN, LIKE, IN */
    }
    return DB_OK;
}

bool bind_same_expr(const Expr *a, const Expr *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    if (a->kind != b->kind || a->op != b->op || a->negated != b->negated)
        return false;
    switch (a->kind) {
    case EXPR_LITERAL:
        return a->value.type == b->value.type &&
               value_compare(&a->value, &b->value) == 0;
    case EXPR_COLUMN:
        return a->source == b->source && a->column == b->column;
    case EXPR_IS_TRUTH:
        if (a->value.i != b->value.i)
            return false;
        break;
    case EXPR_FUNCTION:
        if (strcmp(a->name.text, b->name.text) != 0 ||
            a->distinct != b->distinct || a->star != b->star)
            return false;
        break;
    case EXPR_CAST:
        if (strcmp(a->type->name.text, b->type->name.text) != 0)
            return false;
        break;
    case EXPR_SUBQUERY:
    case EXPR_EXISTS:
    case EXPR_IN_SELECT:
        return false; /* two subqueries are never taken for one */
    default:
        break;
    }
    if (!bind_same_expr(a->left, b->left) ||
        !bind_same_expr(a->right, b->right) ||
        !bind_same_expr(a->third, b->third))
        return false;
    uint32_t na = a->list ? a->list->n : 0, nb = b->list ? b->list->n : 0;
    if (na != nb)
        return false;
    for (uint32_t i = 0; i < na; i++)
        if (!bind_same_expr(a->list->items[i].expr, b->list->items[i].expr))
            return false;
    return true;
}

/* --- FROM ------------------------------------------------------------- */

/* Parses the CREATE VIEW statement SQL of a view (from the catalog) and
 * returns its SELECT, which B keeps. */
static DbStatus parse_view(Binding *b, const char *name, const char *sql,
                           Select **select)
{
    if (b->n_views == b->cap_views) {
        uint32_t cap = b->cap_views ? 2 * b->cap_views : 4;
        Stmt **views = realloc(b->views, cap * sizeof *views);
        if (views != NULL)
            b->views = views;
        char **texts = realloc(b->view_texts, cap * sizeof *texts);
        if (texts != NULL)
            b->view_texts = texts;
        if (views == NULL || texts == NULL)
            return db_fail(DB_ENOMEM, "out of memory");
        b->cap_views = cap;
    }
    char *text = copy_string(sql);
    if (text == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    Parse p;
    tokenize_parse(&p, text, (uint32_t)strlen(text));
    if (p.rc != DB_OK || p.stmt->kind != STMT_CREATE_VIEW) {
        ast_free_stmt(p.stmt);
        free(text);
        return db_fail(DB_ECORRUPT, "the definition of view \"%s\" in the "
                       "catalog does not parse: %s", name, db_errmsg());
    }
    b->views[b->n_views] = p.stmt;
    b->view_texts[b->n_views++] = text;
    *select = p.stmt->select;
    return DB_OK;
}

/* Makes source SRC the rows of bound subquery SUB, with column names
 * NAMES (a view's own list) or the subquery's. */
static DbStatus fill_from_subquery(Binding *b, int src, BoundSelect *sub,
                                   const NameList *names, uint32_t pos)
{
    Source *s = &b->sources[src];
    if (names != NULL && names->n != sub->n_results)
        return db_fail_at(DB_ESYNTAX, pos, "the view has %u column names "
                          "for %u columns", names->n, sub->n_results);
    s->sub = sub;
    s->affinities = malloc(sub->n_results + 1);
    if (s->affinities == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    memcpy(s->affinities, sub->result_affinities, sub->n_results);
    for (uint32_t i = 0; i < sub->n_results; i++) {
        s->column_names[i] = copy_string(names ? names->items[i].text
                                               : sub->result_names[i]);
        if (s->column_names[i] == NULL)
            return db_fail(DB_ENOMEM, "out of memory");
        s->types[i] = sub->result_types[i];
    }
    return DB_OK;
}

/* The FROM item ITEM of BS: a table, a view or a subquery, made a
 * source. */
static DbStatus bind_from_item(Binding *b, BoundSelect *bs, SrcItem *item,
                               const Scope *outer)
{
    const char *alias = item->alias.text;
    if (item->subquery != NULL) {
        BoundSelect *sub;
        DbStatus rc = bind_query(b, item->subquery, outer, bs->level + 1,
                                 &sub);
        if (rc != DB_OK)
            return rc;
        int src = bind_add_source(b, alias, NULL, sub->n_results);
        if (src < 0)
            return db_fail(DB_ENOMEM, "out of memory");
        item->source = src;
        return fill_from_subquery(b, src, sub, NULL, item->pos);
    }
    const char *name = item->table.text;
    const TableDef *def;
    const char *view_sql = db_temp_view(b->db, name);
    DbStatus rc = view_sql ? DB_OK
                           : catalog_find(db_catalog(b->db), name, &def);
    if (rc == DB_ENOTFOUND)
        return db_fail_at(rc, item->table.pos, "relation \"%s\" does not "
                          "exist", name);
    if (rc != DB_OK)
        return rc;
    if (view_sql == NULL && def->is_view)
        view_sql = def->sql;
    if (view_sql != NULL) {
        /* A view: its query, bound as a subquery of FROM. */
        Select *select = NULL;
        BoundSelect *sub;
        rc = parse_view(b, name, view_sql, &select);
        if (rc == DB_OK)
            rc = bind_query(b, select, NULL, bs->level + 1, &sub);
        if (rc != DB_OK)
            return db_fail_at(rc, item->table.pos, "view \"%s\": %s", name,
                              db_errmsg());
        int src = bind_add_source(b, alias ? alias : name, NULL,
                                  sub->n_results);
        if (src < 0)
            return db_fail(DB_ENOMEM, "out of memory");
        item->source = src;
        return fill_from_subquery(b, src, sub,
                                  b->views[b->n_views - 1]->target,
                                  item->pos);
    }
    int src = bind_table_source(b, def, alias ? alias : name);
    if (src < 0)
        return db_fail(DB_ENOMEM, "out of memory");
    item->source = src;
    return DB_OK;
}

/* USING (cols): the ON condition left.col = right.col, with left the
 * first item before ITEM that has col. */
static DbStatus bind_using(Context *c, SrcItem *item, uint32_t index)
{
    BoundSelect *bs = c->bs;
    Source *right = &c->b->sources[item->source];
    for (uint32_t k = 0; k < item->using->n; k++) {
        const Name *name = &item->using->items[k];
        int rcol = find_in_source(right, name->text);
        int lsrc = -1, lcol = -1;
        for (uint32_t i = 0; i < index && lsrc < 0; i++) {
            const Source *left = &c->b->sources[bs->from_sources[i]];
            int col = find_in_source(left, name->text);
            if (col >= 0) {
                lsrc = (int)bs->from_sources[i];
                lcol = col;
            }
        }
        if (rcol < 0 || lsrc < 0)
            return db_fail_at(DB_ENOTFOUND, name->pos, "column \"%s\" "
                              "specified in USING clause does not exist in "
                              "%s table", name->text,
                              rcol < 0 ? "right" : "left");
        Expr *l = calloc(1, sizeof *l), *r = calloc(1, sizeof *r);
        Expr *eq = calloc(1, sizeof *eq);
        if (l == NULL || r == NULL || eq == NULL) {
            free(l);
            free(r);
            free(eq);
            return db_fail(DB_ENOMEM, "out of memory");
        }
        const Source *ls = &c->b->sources[lsrc];
        *l = (Expr){.kind = EXPR_COLUMN, .pos = name->pos, .source = lsrc,
                    .column = lcol, .aggregate = -1,
                    .result = source_type(ls, lcol)};
        *r = (Expr){.kind = EXPR_COLUMN, .pos = name->pos,
                    .source = item->source, .column = rcol,
                    .aggregate = -1, .result = source_type(right, rcol)};
        l->affinity = source_affinity(ls, lcol);
        r->affinity = source_affinity(right, rcol);
        *eq = (Expr){.kind = EXPR_BINARY, .op = TK_EQ, .pos = name->pos,
                     .left = l, .right = r, .aggregate = -1,
                     .result = TYPE_INTEGER};
        /* The names of the tree need text, as every column node has. */
        l->name.text = copy_string(name->text);
        r->name.text = copy_string(name->text);
        if (item->on == NULL) {
            item->on = eq;
        } else {
            Expr *and = calloc(1, sizeof *and);
            if (and == NULL) {
                ast_free_expr(eq);
                return db_fail(DB_ENOMEM, "out of memory");
            }
            *and = (Expr){.kind = EXPR_BINARY, .op = TK_AND,
                          .pos = name->pos, .left = item->on, .right = eq,
                          .aggregate = -1, .result = TYPE_INTEGER};
            item->on = and;
        }
        /* SELECT * shows the column once, the left one; the right one
         * answers only to its qualified name. */
        if (rcol < (int)right->n_columns) {
            if (right->merged == NULL &&
                (right->merged = calloc(right->n_columns,
                                        sizeof *right->merged)) == NULL)
                return db_fail(DB_ENOMEM, "out of memory");
            right->merged[rcol] = true;
        }
    }
    return DB_OK;
}

/* --- results ---------------------------------------------------------- */

/* The name a result column gets: its alias; a column's name; a
 * function's name; else "?column?", as PostgreSQL names it. */
static char *result_name(const ExprItem *item)
{
    if (item->alias.text != NULL)
        return copy_string(item->alias.text);
    const Expr *e = item->expr;
    while (e->kind == EXPR_CAST)
        e = e->left;
    if (e->kind == EXPR_COLUMN)
        return copy_string(e->name.text);
    if (e->kind == EXPR_FUNCTION)
        return copy_string(e->name.text);
    return copy_string("?column?");
}

static DbStatus add_result(BoundSelect *bs, Expr *e, char *name)
{
    uint32_t n = bs->n_results + 1;
    Expr **results = realloc(bs->results, n * sizeof *results);
    if (results != NULL)
        bs->results = results;
    char **names = realloc(bs->result_names, n * sizeof *names);
    if (names != NULL)
        bs->result_names = names;
    ColumnType *types = realloc(bs->result_types, n * sizeof *types);
    if (types != NULL)
        bs->result_types = types;
    char *affinities = realloc(bs->result_affinities, n);
    if (affinities != NULL)
        bs->result_affinities = affinities;
    if (results == NULL || names == NULL || types == NULL ||
        affinities == NULL || name == NULL) {
        free(name);
        return db_fail(DB_ENOMEM, "out of memory");
    }
    bs->results[bs->n_results] = e;
    bs->result_names[bs->n_results] = name;
    /* SQLite's rule: a column, a CAST and a scalar subquery (its
     * column's) have an affinity; every other expression has none. */
    bs->result_affinities[bs->n_results] =
        e->kind == EXPR_COLUMN || e->kind == EXPR_CAST ||
                e->kind == EXPR_SUBQUERY
            ? e->affinity
            : AFFINITY_NONE;
    bs->result_types[bs->n_results++] = e->result;
    return DB_OK;
}

/* SELECT * or t.*: one result per visible column of the FROM items. The
 * expressions are new nodes, kept in the item's place (the list owns the
 * first, a chain of them through ->third owns the rest). */
static DbStatus expand_star(Context *c, ExprItem *item)
{
    BoundSelect *bs = c->bs;
    const char *table = item->star_table.text;
    bool any = false;
    Expr **chain = &item->expr;
    for (uint32_t i = 0; i < bs->n_from; i++) {
        uint32_t src = bs->from_sources[i];
        const Source *s = &c->b->sources[src];
        if (table && (s->name == NULL || strcmp(s->name, table) != 0))
            continue;
        any = true;
        for (uint32_t col = 0; col < s->n_columns; col++) {
            if (table == NULL && s->merged != NULL && s->merged[col])
                continue; /* a USING column shown on its left */
            Expr *e = calloc(1, sizeof *e);
            if (e == NULL)
                return db_fail(DB_ENOMEM, "out of memory");
            *e = (Expr){.kind = EXPR_COLUMN, .pos = item->star_pos,
                        .source = (int)src, .column = (int)col,
                        .aggregate = -1, .result = s->types[col]};
            e->affinity = source_affinity(s, (int)col);
            e->name.text = copy_string(s->column_names[col]);
            *chain = e;
            chain = &e->third;
            if (e->name.text == NULL)
                return db_fail(DB_ENOMEM, "out of memory");
            DbStatus rc = add_result(bs, e,
                                     copy_string(s->column_names[col]));
            if (rc == DB_OK && c->keeping)
                rc = keep_column(bs, src, col);
            if (rc != DB_OK)
                return rc;
        }
    }
    if (table != NULL && !any)
        return db_fail_at(DB_ENOTFOUND, item->star_pos, "missing "
                          "FROM-clause entry for table \"%s\"", table);
    if (bs->n_from == 0)
        return db_fail_at(DB_ESYNTAX, item->star_pos, "SELECT * with no "
                          "tables specified is not valid");
    return DB_OK;
}

/* ORDER BY and GROUP BY may name a result by its position (ORDER BY 2)
 * or its alias. Returns the result's index, or -1 for an expression. As
 * in SQLite, a position is an integer written as one that fits in 32
 * bits: TRUE and 2147483648 are constants, which order nothing. */
static DbStatus result_named(BoundSelect *bs, Expr *e, const char *clause,
                             int32_t *index)
{
    *index = -1;
    if (e->kind == EXPR_LITERAL && e->value.type == VALUE_INTEGER &&
        !e->keyword && e->value.i >= -INT32_MAX && e->value.i <= INT32_MAX) {
        if (e->value.i < 1 || e->value.i > (int64_t)bs->n_results)
            return db_fail_at(DB_ESYNTAX, e->pos, "%s position %lld is not "
                              "in select list", clause,
                              (long long)e->value.i);
        *index = (int32_t)(e->value.i - 1);
        return DB_OK;
    }
    if (e->kind == EXPR_COLUMN && e->table.text == NULL) {
        for (uint32_t i = 0; i < bs->n_results; i++) {
            if (strcmp(bs->result_names[i], e->name.text) == 0) {
                *index = (int32_t)i;
                return DB_OK;
            }
        }
    }
    return DB_OK;
}

static DbStatus bind_order_by(Context *c, BoundSelect *bs,
                              ExprList *order_by, bool compound)
{
    uint32_t n = order_by ? order_by->n : 0;
    bs->n_order = n;
    if (n == 0)
        return DB_OK;
    bs->order_exprs = calloc(n, sizeof *bs->order_exprs);
    bs->order_result = calloc(n, sizeof *bs->order_result);
    bs->order_desc = calloc(n, sizeof *bs->order_desc);
    if (!bs->order_exprs || !bs->order_result || !bs->order_desc)
        return db_fail(DB_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        Expr *e = order_by->items[i].expr;
        bs->order_desc[i] = order_by->items[i].desc;
        int32_t index;
        DbStatus rc = result_named(bs, e, "ORDER BY", &index);
        if (rc != DB_OK)
            return rc;
        bs->order_result[i] = index;
        if (index >= 0)
            continue;
        if (compound)
            return db_fail_at(DB_ESYNTAX, e->pos, "ORDER BY of a UNION, "
                              "INTERSECT or EXCEPT must name a result "
                              "column");
        rc = bind_expr(c, e);
        if (rc != DB_OK)
            return rc;
        /* The same expression as a result: sort by that result. */
        for (uint32_t r = 0; r < bs->n_results && index < 0; r++)
            if (bind_same_expr(bs->results[r], e))
                index = (int32_t)r;
        bs->order_result[i] = index;
        bs->order_exprs[i] = index < 0 ? e : NULL;
    }
    return DB_OK;
}

/* --- a select --------------------------------------------------------- */

/* GROUP BY keys: each an expression, or the result it names by position
 * (GROUP BY 2) or, when no column has that name, by alias. */
static DbStatus bind_group_by(Context *c, BoundSelect *bs, ExprList *list)
{
    bs->n_group = list ? list->n : 0;
    if (bs->n_group == 0)
        return DB_OK;
    bs->group_exprs = calloc(bs->n_group, sizeof *bs->group_exprs);
    if (bs->group_exprs == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < bs->n_group; i++) {
        Expr *e = list->items[i].expr;
        int32_t index = -1;
        DbStatus rc = DB_OK;
        if (e->kind == EXPR_LITERAL && e->value.type == VALUE_INTEGER) {
            rc = result_named(bs, e, "GROUP BY", &index);
        } else if (e->kind == EXPR_COLUMN && e->table.text == NULL) {
            /* A column first, as SQL says; an alias if there is none. */
            rc = bind_expr(c, e);
            if (rc == DB_ENOTFOUND) {
                DbStatus again = result_named(bs, e, "GROUP BY", &index);
                rc = index >= 0 ? again : rc;
            }
            if (rc == DB_OK && index < 0) {
                bs->group_exprs[i] = e;
                continue;
            }
        }
        if (rc != DB_OK)
            return rc;
        if (index >= 0) {
            if (bs->results[index]->aggregate >= 0)
                return db_fail_at(DB_ESYNTAX, e->pos, "aggregate "
                                  "functions are not allowed in GROUP BY");
            bs->group_exprs[i] = bs->results[index];
            continue;
        }
        rc = bind_expr(c, e);
        if (rc != DB_OK)
            return rc;
        bs->group_exprs[i] = e;
    }
    bs->aggregated = true;
    return DB_OK;
}

/* One SELECT of a compound, or a simple one. */
static DbStatus bind_one(Binding *b, Select *select, const Scope *outer,
                         BoundSelect *bs)
{
    bs->n_from = select->from ? select->from->n : 0;
    /* SQLite's limit too: the planner gives each item one bit of 64. */
    if (bs->n_from > MAX_FROM_ITEMS)
        return db_fail_at(DB_ERANGE, select->from->items[MAX_FROM_ITEMS].pos,
                          "at most %d tables in a join", MAX_FROM_ITEMS);
    bs->from_sources = calloc(bs->n_from ? bs->n_from : 1,
                              sizeof *bs->from_sources);
    if (bs->from_sources == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    DbStatus rc = DB_OK;

    /* FROM items: tables, views and subqueries made sources. A subquery
     * of FROM sees the queries around this one, not its neighbours. */
    for (uint32_t i = 0; rc == DB_OK && i < bs->n_from; i++) {
        SrcItem *item = &select->from->items[i];
        const char *a = item->alias.text ? item->alias.text
                                         : item->table.text;
        for (uint32_t j = 0; a && j < i; j++) {
            const SrcItem *o = &select->from->items[j];
            const char *bn = o->alias.text ? o->alias.text : o->table.text;
            if (bn && strcmp(a, bn) == 0)
                return db_fail_at(DB_ESYNTAX, item->pos, "table name "
                                  "\"%s\" specified more than once", a);
        }
        rc = bind_from_item(b, bs, item, outer);
        if (rc == DB_OK)
            bs->from_sources[i] = (uint32_t)item->source;
    }
    if (rc != DB_OK)
        return rc;

    Scope scope = {.bs = bs, .n_visible = 0, .outer = outer};
    Context c = {.b = b, .scope = &scope, .bs = bs};

    /* ON and USING, each seeing the items up to its own. */
    for (uint32_t i = 0; rc == DB_OK && i < bs->n_from; i++) {
        SrcItem *item = &select->from->items[i];
        if (item->join == JOIN_LEFT)
            b->sources[item->source].right_of_left_join = true;
        if (item->using != NULL)
            rc = bind_using(&c, item, i);
        scope.n_visible = i + 1;
        c.clause = "JOIN conditions";
        if (rc == DB_OK && item->on != NULL && item->using == NULL)
            rc = bind_expr(&c, item->on);
    }
    scope.n_visible = bs->n_from;

    c.clause = "WHERE";
    if (rc == DB_OK)
        rc = bind_expr(&c, select->where);

    /* The results, * expanded; they may hold aggregates. */
    c.aggregates_allowed = true;
    c.keeping = true;
    c.clause = "the select list";
    for (uint32_t i = 0; rc == DB_OK && select->results &&
                         i < select->results->n; i++) {
        ExprItem *item = &select->results->items[i];
        if (item->expr == NULL) {
            rc = expand_star(&c, item);
            continue;
        }
        rc = bind_expr(&c, item->expr);
        if (rc == DB_OK)
            rc = add_result(bs, item->expr, result_name(item));
    }

    c.aggregates_allowed = false;
    c.keeping = false;
    c.clause = "GROUP BY";
    if (rc == DB_OK)
        rc = bind_group_by(&c, bs, select->group_by);

    c.aggregates_allowed = true;
    c.keeping = true;
    c.clause = "HAVING";
    if (rc == DB_OK && select->having != NULL) {
        rc = bind_expr(&c, select->having);
        bs->aggregated = true;
    }
    c.clause = "ORDER BY";
    if (rc == DB_OK && select->op == 0)
        rc = bind_order_by(&c, bs, select->order_by, false);
    if (!bs->aggregated)
        bs->n_kept = 0;

    /* LIMIT and OFFSET: constants, evaluated once. */
    Context none = {.b = b, .scope = NULL, .bs = bs, .clause = "LIMIT"};
    if (rc == DB_OK)
        rc = bind_expr(&none, select->limit);
    if (rc == DB_OK)
        rc = bind_expr(&none, select->offset);
    if (rc != DB_OK)
        return rc;

    if (bs->aggregated) {
        int src = bind_add_source(b, NULL, NULL, bs->n_aggregates);
        if (src < 0)
            return db_fail(DB_ENOMEM, "out of memory");
        bs->aggregate_source = (uint32_t)src;
        /* Above the aggregation, a call reads its group's value there. */
        for (uint32_t i = 0; i < bs->n_calls; i++)
            bs->calls[i]->source = src;
    }
    int out = bind_add_source(b, NULL, NULL,
                              bs->n_results + bs->n_order);
    if (out < 0)
        return db_fail(DB_ENOMEM, "out of memory");
    bs->output_source = (uint32_t)out;
    return DB_OK;
}

/* book: begin bind-query */
static DbStatus bind_query(Binding *b, Select *select, const Scope *outer,
                           uint32_t level, BoundSelect **out)
{
    *out = NULL;
    /* A compound: each select on its own, the first one first. */
    BoundSelect *prior = NULL;
    if (select->prior != NULL) {
        DbStatus rc = bind_query(b, select->prior, outer, level, &prior);
        if (rc != DB_OK)
            return rc;
    }
    BoundSelect *bs = calloc(1, sizeof *bs);
    if (bs == NULL || add_select(b, bs) != DB_OK) {
        free(bs);
        return db_fail(DB_ENOMEM, "out of memory");
    }
    bs->select = select;
    bs->level = level;
    bs->prior = prior;
    DbStatus rc = bind_one(b, select, outer, bs);
    if (rc != DB_OK)
        return rc;
    if (prior != NULL) {
        if (prior->n_results != bs->n_results)
            return db_fail_at(DB_ESYNTAX, select->pos, "each %s query "
                              "must have the same number of columns",
                              select->op == TK_INTERSECT ? "INTERSECT"
                              : select->op == TK_EXCEPT  ? "EXCEPT"
                                                         : "UNION");
        bs->correlated |= prior->correlated;
        /* The compound's columns are named by its first select. */
        BoundSelect *first = prior;
        while (first->prior != NULL)
            first = first->prior;
        for (uint32_t i = 0; i < bs->n_results; i++) {
            char *name = malloc(strlen(first->result_names[i]) + 1);
            if (name == NULL)
                return db_fail(DB_ENOMEM, "out of memory");
            strcpy(name, first->result_names[i]);
            free(bs->result_names[i]);
            bs->result_names[i] = name;
            if (bs->result_types[i] != prior->result_types[i])
                bs->result_types[i] = TYPE_ANY;
            bs->result_affinities[i] = first->result_affinities[i];
        }
        Scope scope = {.bs = bs, .n_visible = 0, .outer = outer};
        Context c = {.b = b, .scope = &scope, .bs = bs,
                     .clause = "ORDER BY"};
        rc = bind_order_by(&c, bs, select->order_by, true);
        if (rc != DB_OK)
            return rc;
    }
    *out = bs;
    return DB_OK;
}
/* book: end bind-query */

DbStatus bind_select(Binding *b, Select *select, BoundSelect **out)
{
    return bind_query(b, select, NULL, 0, out);
}

DbStatus bind_table_expr(Binding *b, Expr *expr, int source)
{
    BoundSelect *bs = calloc(1, sizeof *bs);
    if (bs == NULL || add_select(b, bs) != DB_OK) {
        free(bs);
        return db_fail(DB_ENOMEM, "out of memory");
    }
    bs->n_from = source >= 0 ? 1 : 0;
    bs->from_sources = calloc(1, sizeof *bs->from_sources);
    if (bs->from_sources == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    bs->from_sources[0] = (uint32_t)(source >= 0 ? source : 0);
    Scope scope = {.bs = bs, .n_visible = bs->n_from};
    Context c = {.b = b, .scope = &scope, .bs = bs,
                 .clause = source >= 0 ? "UPDATE or DELETE" : "VALUES"};
    return bind_expr(&c, expr);
}
