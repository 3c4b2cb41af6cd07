/*
 * plan.c - the planner: turns a bound SELECT into a tree of operators.
 *
 * Owns: which operator does what (scans, joins, filters, aggregation,
 * sorting), where each condition of WHERE and ON is applied, when a
 * join uses a hash table, and how EXPLAIN shows the tree.
 * Does not: run anything (exec.c does), or resolve names (bind.c did).
 *
 * Milestone 07 plans by rules, not by cost (milestone 08 adds costs):
 *
 *   - the tables are joined in the order FROM names them, each one the
 *     inner loop of the ones before it;
 *   - each condition of WHERE is split at its ANDs, and each part is
 *     applied as early as the tables it reads allow: at a table's scan
 *     if it reads that table alone, at the join that brings in the last
 *     table it reads otherwise (on the right of a LEFT JOIN, after the
 *     join, since before it the NULLs it adds are not there yet);
 *   - a comparison of a table's row id with a value known before its
 *     scan starts narrows the scan to a range of row ids: a lookup;
 *   - an equality between an inner table and the tables before it joins
 *     through a hash table of the inner table's rows (in batches of
 *     work_mem, the tables before it read again for each batch, when
 *     the inner table is larger); other joins by nested loops.
 *
 * A SELECT becomes, from the bottom up:
 *
 *   scans and joins -> [aggregate -> filter HAVING] -> project the
 *   results -> [sort DISTINCT] -> [sort ORDER BY] -> [limit]
 */
#include "plan.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "func.h"
#include "parse.h"

/* A hash join needs at least this many inner rows to beat a loop. */
#define HASH_JOIN_MIN_ROWS 64

/* The planner's view of one SELECT. */
typedef struct Planner {
    Binding *b;
    BoundSelect *bs;
    Expr **conjuncts;          /* the ANDed parts of WHERE and ON */
    uint64_t *reads;           /* which FROM items each reads (a bit
                                * each; bit 63: an item past the 63rd) */
    bool *from_on;             /* it came from an ON */
    int32_t *on_item;          /* ... of that item */
    bool *used;                /* it has a place in the plan */
    uint32_t n, cap;
} Planner;

static Plan *new_plan(PlanKind kind, Plan *child)
{
    Plan *p = calloc(1, sizeof *p);
    if (p != NULL) {
        p->kind = kind;
        p->child = child;
        p->source = child ? child->source : 0;
    }
    return p;
}

static DbStatus no_memory(void)
{
    return db_fail(DB_ENOMEM, "out of memory");
}

/* --- which items an expression reads ---------------------------------- */

/* The bit of FROM item number I. */
static uint64_t item_bit(uint32_t i)
{
    return i < 63 ? (uint64_t)1 << i : (uint64_t)1 << 63;
}

static uint64_t reads_of(const BoundSelect *bs, const Expr *e);

static uint64_t reads_of_list(const BoundSelect *bs, const ExprList *list)
{
    uint64_t r = 0;
    for (uint32_t i = 0; list && i < list->n; i++)
        r |= reads_of(bs, list->items[i].expr);
    return r;
}

/* The FROM items of BS that E reads; outer queries' sources and other
 * selects' do not count (they are fixed while BS runs). A subquery that
 * reads BS's items counts as reading all of them, to be safe. */
static uint64_t reads_of(const BoundSelect *bs, const Expr *e)
{
    if (e == NULL)
        return 0;
    if (e->kind == EXPR_COLUMN) {
        for (uint32_t i = 0; i < bs->n_from; i++)
            if ((uint32_t)e->source == bs->from_sources[i])
                return item_bit(i);
        return 0;
    }
    if (e->kind == EXPR_SUBQUERY || e->kind == EXPR_EXISTS ||
        e->kind == EXPR_IN_SELECT) {
        uint64_t r = reads_of(bs, e->left);
        if (e->correlated)
            r |= bs->n_from >= 63 ? ~(uint64_t)0
                                  : ((uint64_t)1 << bs->n_from) - 1;
        return r;
    }
    return reads_of(bs, e->left) | reads_of(bs, e->right) |
           reads_of(bs, e->third) | reads_of_list(bs, e->list);
}

/* --- conjuncts -------------------------------------------------------- */

static DbStatus add_conjunct(Planner *pl, Expr *e, int32_t on_item)
{
    if (e->kind == EXPR_BINARY && e->op == TK_AND) {
        DbStatus rc = add_conjunct(pl, e->left, on_item);
        return rc == DB_OK ? add_conjunct(pl, e->right, on_item) : rc;
    }
    if (pl->n == pl->cap) {
        uint32_t cap = pl->cap ? 2 * pl->cap : 16;
        Expr **c = realloc(pl->conjuncts, cap * sizeof *c);
        if (c != NULL)
            pl->conjuncts = c;
        uint64_t *r = realloc(pl->reads, cap * sizeof *r);
        if (r != NULL)
            pl->reads = r;
        bool *f = realloc(pl->from_on, cap * sizeof *f);
        if (f != NULL)
            pl->from_on = f;
        int32_t *o = realloc(pl->on_item, cap * sizeof *o);
        if (o != NULL)
            pl->on_item = o;
        bool *u = realloc(pl->used, cap * sizeof *u);
        if (u != NULL)
            pl->used = u;
        if (!c || !r || !f || !o || !u)
            return no_memory();
        pl->cap = cap;
    }
    pl->conjuncts[pl->n] = e;
    pl->reads[pl->n] = reads_of(pl->bs, e);
    pl->from_on[pl->n] = on_item >= 0;
    pl->on_item[pl->n] = on_item;
    pl->used[pl->n++] = false;
    return DB_OK;
}

/* Gives the unused conjuncts that WANT chooses to a new array. */
static DbStatus take(Planner *pl, bool (*want)(Planner *, uint32_t, void *),
                     void *ctx, Expr ***out, uint32_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    for (uint32_t i = 0; i < pl->n; i++) {
        if (pl->used[i] || !want(pl, i, ctx))
            continue;
        Expr **grown = realloc(*out, (*n_out + 1) * sizeof *grown);
        if (grown == NULL)
            return no_memory();
        *out = grown;
        (*out)[(*n_out)++] = pl->conjuncts[i];
        pl->used[i] = true;
    }
    return DB_OK;
}

/* --- access paths ----------------------------------------------------- */

/* Whether E is column COL of SOURCE. */
static bool is_column(const Expr *e, uint32_t source, int col)
{
    return e->kind == EXPR_COLUMN && (uint32_t)e->source == source &&
           e->column == col;
}

/* The row id column of a table source: its INTEGER PRIMARY KEY, or the
 * hidden one (numbered n_columns). */
static int rowid_column(const Source *s)
{
    return s->table->rowid_column >= 0 ? s->table->rowid_column
                                       : (int)s->n_columns;
}

/* Narrows the scan of item I (a table) with the conjuncts that compare
 * its row id with what is known before it: the constants and the items
 * before it. They stay conditions of the scan too: the range only keeps
 * the scan from reading rows no condition could take. */
static void choose_range(Planner *pl, uint32_t item, Plan *scan)
{
    const Source *s = &pl->b->sources[scan->source];
    int col = rowid_column(s);
    uint64_t before = item_bit(item) - 1;
    if (item >= 63)
        return;
    for (uint32_t i = 0; i < pl->n; i++) {
        Expr *e = pl->conjuncts[i];
        if (pl->used[i] || pl->from_on[i])
            continue;
        Expr *value = NULL;
        int op = 0;
        if (e->kind == EXPR_BINARY &&
            (e->op == TK_EQ || e->op == TK_LT || e->op == TK_LE ||
             e->op == TK_GT || e->op == TK_GE)) {
            if (is_column(e->left, scan->source, col)) {
                value = e->right;
                op = e->op;
            } else if (is_column(e->right, scan->source, col)) {
                value = e->left;
                /* 5 < id is id > 5 */
                op = e->op == TK_LT ? TK_GT : e->op == TK_GT ? TK_LT
                     : e->op == TK_LE ? TK_GE : e->op == TK_GE ? TK_LE
                                                                : e->op;
            }
        } else if (e->kind == EXPR_BETWEEN && !e->negated &&
                   is_column(e->left, scan->source, col) &&
                   (reads_of(pl->bs, e->right) & ~before) == 0 &&
                   (reads_of(pl->bs, e->third) & ~before) == 0) {
            if (scan->range.low == NULL && scan->range.high == NULL) {
                scan->range.low = e->right;
                scan->range.high = e->third;
            }
            continue;
        }
        if (value == NULL || (reads_of(pl->bs, value) & ~before) != 0)
            continue;
        RowidRange *r = &scan->range;
        if (op == TK_EQ) {
            r->low = r->high = value;
            r->low_open = r->high_open = false;
            return; /* a lookup: nothing narrower */
        }
        if ((op == TK_GT || op == TK_GE) && r->low == NULL) {
            r->low = value;
            r->low_open = op == TK_GT;
        } else if ((op == TK_LT || op == TK_LE) && r->high == NULL) {
            r->high = value;
            r->high_open = op == TK_LT;
        }
    }
}

static bool reads_only_item(Planner *pl, uint32_t i, void *ctx)
{
    uint32_t item = *(uint32_t *)ctx;
    /* The ON of a LEFT JOIN's right item applies to it alone, and a
     * WHERE on that item applies after the join. */
    const SrcItem *it = &pl->bs->select->from->items[item];
    if (it->join == JOIN_LEFT && !pl->from_on[i])
        return false;
    if (pl->from_on[i] && pl->on_item[i] != (int32_t)item)
        return false;
    return pl->reads[i] == item_bit(item) && item < 63;
}

/* The plan that reads FROM item I on its own, with the conditions that
 * read it alone. */
static DbStatus access(Planner *pl, uint32_t item, Plan **out)
{
    BoundSelect *bs = pl->bs;
    uint32_t src = bs->from_sources[item];
    const Source *s = &pl->b->sources[src];
    Plan *p;
    if (s->sub != NULL) {
        Plan *child;
        DbStatus rc = plan_select(pl->b, s->sub, &child);
        if (rc != DB_OK)
            return rc;
        p = new_plan(PLAN_SUBQUERY, child);
        if (p == NULL) {
            plan_free(child);
            return no_memory();
        }
        p->rows = child->rows;
    } else {
        p = new_plan(PLAN_SCAN, NULL);
        if (p == NULL)
            return no_memory();
        p->table = s->table;
        Btree *tree;
        double rows = 1000;
        if (btree_open(db_pager(pl->b->db), s->table->root, &tree) == DB_OK) {
            btree_estimate_rows(tree, &rows);
            btree_close(tree);
        }
        p->rows = rows;
    }
    /* Planning a subquery may add sources, and move the array. */
    s = &pl->b->sources[src];
    p->source = src;
    p->n_columns = s->n_columns;
    if (p->kind == PLAN_SCAN)
        choose_range(pl, item, p);
    DbStatus rc = take(pl, reads_only_item, &item, &p->conditions,
                       &p->n_conditions);
    if (rc != DB_OK) {
        plan_free(p);
        return rc;
    }
    *out = p;
    return DB_OK;
}

/* --- joins ------------------------------------------------------------ */

typedef struct JoinStep {
    uint32_t item;
    uint64_t left;             /* the items before it */
} JoinStep;

/* A condition the join of ITEM can apply: it reads ITEM and nothing
 * after it; the ON of another LEFT JOIN stays with that join. */
static bool joinable(Planner *pl, uint32_t i, void *ctx)
{
    const JoinStep *j = ctx;
    uint64_t here = item_bit(j->item);
    const SrcItem *it = &pl->bs->select->from->items[j->item];
    /* A LEFT JOIN's ON is its own, whatever it reads (ON NULL too: it
     * keeps every row of the left, with NULLs; a correlated subquery,
     * which counts as reading every item). */
    if (it->join == JOIN_LEFT)
        return pl->from_on[i] && pl->on_item[i] == (int32_t)j->item;
    if ((pl->reads[i] & ~(j->left | here)) != 0)
        return false;
    if ((pl->reads[i] & here) == 0)
        return false;
    return !pl->from_on[i] || pl->on_item[i] <= (int32_t)j->item;
}

/* Whether a hash of E's values agrees with comparing them: numbers hash
 * as numbers and text as text, so both sides must be one or the other. */
static bool hashable(const Expr *a, const Expr *b)
{
    bool an = a->result == TYPE_INTEGER || a->result == TYPE_REAL;
    bool bn = b->result == TYPE_INTEGER || b->result == TYPE_REAL;
    return (an && bn) || (a->result == TYPE_TEXT && b->result == TYPE_TEXT &&
                          a->affinity == b->affinity);
}

/* An equality of the inner item with the items before it, for a hash
 * join: its sides, inner first. */
static bool hash_key(Planner *pl, uint32_t i, const JoinStep *j,
                     Expr **inner, Expr **outer)
{
    Expr *e = pl->conjuncts[i];
    if (pl->used[i] || e->kind != EXPR_BINARY || e->op != TK_EQ)
        return false;
    uint64_t here = item_bit(j->item);
    uint64_t l = reads_of(pl->bs, e->left), r = reads_of(pl->bs, e->right);
    if (l == here && r != 0 && (r & ~j->left) == 0) {
        *inner = e->left;
        *outer = e->right;
    } else if (r == here && l != 0 && (l & ~j->left) == 0) {
        *inner = e->right;
        *outer = e->left;
    } else {
        return false;
    }
    return hashable(*inner, *outer) && joinable(pl, i, (void *)j);
}

/* book: begin join */
/* Joins item J->item to LEFT, the plan of the items before it. */
static DbStatus join(Planner *pl, Plan *left, const JoinStep *j,
                     size_t work_mem, Plan **out)
{
    const SrcItem *it = &pl->bs->select->from->items[j->item];
    Plan *right;
    DbStatus rc = access(pl, j->item, &right);
    if (rc != DB_OK)
        return rc;
    /* A hash join: the inner table in memory, keyed by its side of the
     * equalities, unless it is small or read by row id already. */
    const Source *s = &pl->b->sources[right->source];
    bool lookup = right->kind == PLAN_SCAN && right->range.low != NULL &&
                  right->range.low == right->range.high;
    Plan *p = NULL;
    if (it->join == JOIN_INNER && !lookup &&
        right->rows >= HASH_JOIN_MIN_ROWS) {
        Expr *inner, *outer;
        for (uint32_t i = 0; i < pl->n; i++) {
            if (!hash_key(pl, i, j, &inner, &outer))
                continue;
            if (p == NULL && (p = new_plan(PLAN_HASH_JOIN, left)) == NULL)
                break;
            Expr **k = realloc(p->keys, (p->n_keys + 1) * sizeof *k);
            Expr **bk = k ? realloc(p->build_keys,
                                    (p->n_keys + 1) * sizeof *bk) : NULL;
            if (k != NULL)
                p->keys = k;
            if (bk == NULL) {
                plan_free(p);
                plan_free(right);
                return no_memory();
            }
            p->build_keys = bk;
            p->keys[p->n_keys] = outer;
            p->build_keys[p->n_keys++] = inner;
            pl->used[i] = true;
        }
        /* About what a row of the right side takes in the table. */
        double bytes = right->rows * (48.0 + 24 * s->n_columns);
        if (p != NULL)
            p->batches = (uint32_t)(bytes / (double)work_mem) + 1;
    }
    if (p == NULL && (p = new_plan(PLAN_NESTED_LOOP, left)) == NULL) {
        plan_free(right);
        return no_memory();
    }
    p->right = right;
    p->left_join = it->join == JOIN_LEFT;
    p->rows = left->rows * right->rows;
    rc = take(pl, joinable, (void *)j, &p->conditions, &p->n_conditions);
    if (rc != DB_OK) {
        plan_free(p);
        return rc;
    }
    *out = p;
    return DB_OK;
}
/* book: end join */

static bool any_left(Planner *pl, uint32_t i, void *ctx)
{
    (void)pl;
    (void)i;
    (void)ctx;
    return true;
}

/* The rows of FROM and WHERE. */
static DbStatus plan_from(Planner *pl, size_t work_mem, Plan **out)
{
    BoundSelect *bs = pl->bs;
    Select *sel = bs->select;
    DbStatus rc = DB_OK;
    for (uint32_t i = 0; rc == DB_OK && i < bs->n_from; i++)
        if (sel->from->items[i].on != NULL)
            rc = add_conjunct(pl, sel->from->items[i].on, (int32_t)i);
    if (rc == DB_OK && sel->where != NULL)
        rc = add_conjunct(pl, sel->where, -1);
    if (rc != DB_OK)
        return rc;

    Plan *p;
    if (bs->n_from == 0) {
        p = new_plan(PLAN_ONE_ROW, NULL);
        if (p == NULL)
            return no_memory();
        p->rows = 1;
    } else {
        rc = access(pl, 0, &p);
        JoinStep step = {.left = item_bit(0)};
        for (uint32_t i = 1; rc == DB_OK && i < bs->n_from; i++) {
            step.item = i;
            Plan *joined = NULL;
            rc = join(pl, p, &step, work_mem, &joined);
            if (rc != DB_OK)
                plan_free(p);
            else
                p = joined;
            step.left |= item_bit(i);
        }
        if (rc != DB_OK)
            return rc;
    }
    /* What is left: a WHERE on the right of a LEFT JOIN, conditions of
     * no item (a constant, a subquery of outer rows). */
    Expr **rest;
    uint32_t n_rest;
    rc = take(pl, any_left, NULL, &rest, &n_rest);
    if (rc == DB_OK && n_rest > 0) {
        Plan *f = new_plan(PLAN_FILTER, p);
        if (f == NULL) {
            free(rest);
            rc = no_memory();
        } else {
            f->conditions = rest;
            f->n_conditions = n_rest;
            f->rows = p->rows / 4;
            p = f;
        }
    }
    if (rc != DB_OK) {
        plan_free(p);
        return rc;
    }
    *out = p;
    return DB_OK;
}

/* --- subqueries in expressions ---------------------------------------- */

static DbStatus plan_subqueries(Binding *b, Expr *e);

static DbStatus plan_subqueries_list(Binding *b, ExprList *list)
{
    for (uint32_t i = 0; list && i < list->n; i++) {
        DbStatus rc = plan_subqueries(b, list->items[i].expr);
        if (rc != DB_OK)
            return rc;
    }
    return DB_OK;
}

/* Gives every subquery in E a plan of its own. */
static DbStatus plan_subqueries(Binding *b, Expr *e)
{
    if (e == NULL)
        return DB_OK;
    DbStatus rc = DB_OK;
    if ((e->kind == EXPR_SUBQUERY || e->kind == EXPR_EXISTS ||
         e->kind == EXPR_IN_SELECT) && e->plan == NULL)
        rc = plan_select(b, e->bound, &e->plan);
    if (rc == DB_OK)
        rc = plan_subqueries(b, e->left);
    if (rc == DB_OK)
        rc = plan_subqueries(b, e->right);
    if (rc == DB_OK)
        rc = plan_subqueries(b, e->third);
    if (rc == DB_OK)
        rc = plan_subqueries_list(b, e->list);
    return rc;
}

DbStatus plan_expr(Binding *b, Expr *e)
{
    return plan_subqueries(b, e);
}

static DbStatus plan_select_subqueries(Binding *b, BoundSelect *bs)
{
    Select *s = bs->select;
    DbStatus rc = plan_subqueries(b, s->where);
    for (uint32_t i = 0; rc == DB_OK && s->from && i < s->from->n; i++)
        rc = plan_subqueries(b, s->from->items[i].on);
    for (uint32_t i = 0; rc == DB_OK && i < bs->n_results; i++)
        rc = plan_subqueries(b, bs->results[i]);
    for (uint32_t i = 0; rc == DB_OK && i < bs->n_group; i++)
        rc = plan_subqueries(b, bs->group_exprs[i]);
    if (rc == DB_OK)
        rc = plan_subqueries(b, s->having);
    for (uint32_t i = 0; rc == DB_OK && i < bs->n_order; i++)
        rc = plan_subqueries(b, bs->order_exprs[i]);
    return rc;
}

/* --- a select --------------------------------------------------------- */

/* A sort of P's output source by the ORDER BY of BS (over the results
 * and, after them, the hidden keys PROJECT computed). */
static Plan *sort_by_order(BoundSelect *bs, Plan *p, uint32_t n_columns)
{
    Plan *s = new_plan(PLAN_SORT, p);
    if (s == NULL)
        return NULL;
    s->n_columns = n_columns;
    s->n_sort = bs->n_order;
    s->desc = calloc(bs->n_order, sizeof *s->desc);
    if (s->desc == NULL) {
        plan_free(s);
        return NULL;
    }
    /* Which column each key is: a result, or a hidden key after them. */
    s->keys_columns = calloc(bs->n_order, sizeof *s->keys_columns);
    if (s->keys_columns == NULL) {
        plan_free(s);
        return NULL;
    }
    uint32_t hidden = bs->n_results;
    for (uint32_t i = 0; i < bs->n_order; i++) {
        s->desc[i] = bs->order_desc[i];
        s->keys_columns[i] = bs->order_result[i] >= 0
                                 ? (uint32_t)bs->order_result[i]
                                 : hidden++;
    }
    s->rows = p->rows;
    return s;
}

/* The plan of one select of a compound, or of a simple select, up to
 * its projection (and its DISTINCT, and, when WITH_ORDER, its ORDER BY
 * and LIMIT). */
static DbStatus plan_one(Binding *b, BoundSelect *bs, bool with_order,
                         Plan **out)
{
    size_t work_mem = db_work_mem(b->db);
    Planner pl = {.b = b, .bs = bs};
    DbStatus rc = plan_select_subqueries(b, bs);
    Plan *p = NULL;
    if (rc == DB_OK)
        rc = plan_from(&pl, work_mem, &p);
    free(pl.conjuncts);
    free(pl.reads);
    free(pl.from_on);
    free(pl.on_item);
    free(pl.used);
    if (rc != DB_OK)
        return rc;

    if (bs->aggregated) {
        Plan *a = new_plan(PLAN_AGGREGATE, p);
        if (a == NULL)
            goto no_memory;
        a->bs = bs;
        a->source = bs->aggregate_source;
        a->rows = bs->n_group ? p->rows / 10 + 1 : 1;
        p = a;
        if (bs->select->having != NULL) {
            Plan *f = new_plan(PLAN_FILTER, p);
            if (f == NULL)
                goto no_memory;
            f->conditions = malloc(sizeof *f->conditions);
            if (f->conditions == NULL) {
                free(f);
                goto no_memory;
            }
            f->conditions[0] = bs->select->having;
            f->n_conditions = 1;
            f->rows = p->rows / 2;
            p = f;
        }
    }

    /* The results, and the ORDER BY keys that are not results. */
    Plan *proj = new_plan(PLAN_PROJECT, p);
    if (proj == NULL)
        goto no_memory;
    p = proj;
    proj->bs = bs;
    proj->source = bs->output_source;
    uint32_t n_hidden = 0;
    for (uint32_t i = 0; with_order && i < bs->n_order; i++)
        n_hidden += bs->order_result[i] < 0;
    proj->n_exprs = bs->n_results + n_hidden;
    proj->exprs = malloc((proj->n_exprs + 1) * sizeof *proj->exprs);
    if (proj->exprs == NULL)
        goto no_memory;
    memcpy(proj->exprs, bs->results, bs->n_results * sizeof *bs->results);
    uint32_t k = bs->n_results;
    for (uint32_t i = 0; with_order && i < bs->n_order; i++)
        if (bs->order_result[i] < 0)
            proj->exprs[k++] = bs->order_exprs[i];
    proj->n_columns = proj->n_exprs;
    proj->rows = proj->child->rows;

    if (bs->select->distinct) {
        /* Equal result rows are made adjacent by sorting on all of them,
         * after the ORDER BY keys when those are results themselves. */
        Plan *d = new_plan(PLAN_SORT, p);
        if (d == NULL)
            goto no_memory;
        p = d;
        d->distinct = true;
        d->n_columns = proj->n_columns;
        bool order_in_results = n_hidden == 0 && with_order;
        uint32_t n_keys = bs->n_results +
                          (order_in_results ? bs->n_order : 0);
        d->n_sort = n_keys;
        d->keys_columns = calloc(n_keys + 1, sizeof *d->keys_columns);
        d->desc = calloc(n_keys + 1, sizeof *d->desc);
        if (d->keys_columns == NULL || d->desc == NULL)
            goto no_memory;
        uint32_t at = 0;
        for (uint32_t i = 0; order_in_results && i < bs->n_order; i++) {
            d->keys_columns[at] = (uint32_t)bs->order_result[i];
            d->desc[at++] = bs->order_desc[i];
        }
        for (uint32_t i = 0; i < bs->n_results; i++)
            d->keys_columns[at++] = i;
        d->distinct_columns = bs->n_results;
        d->rows = p->rows;
        if (order_in_results)
            with_order = false; /* sorted already */
    }
    if (with_order && bs->n_order > 0) {
        Plan *s = sort_by_order(bs, p, proj->n_columns);
        if (s == NULL)
            goto no_memory;
        p = s;
    }
    *out = p;
    return DB_OK;

no_memory:
    plan_free(p);
    return no_memory();
}

/* book: begin plan-select */
DbStatus plan_select(Binding *b, BoundSelect *bs, Plan **out)
{
    *out = NULL;
    Plan *p;
    DbStatus rc;
    if (bs->prior == NULL) {
        rc = plan_one(b, bs, true, &p);
    } else {
        /* A compound: each select, then the set operation over their
         * rows, then the compound's ORDER BY on its result columns. */
        Plan *left, *right;
        rc = plan_select(b, bs->prior, &left);
        if (rc != DB_OK)
            return rc;
        /* The prior's ORDER BY and LIMIT are its own only when written
         * in parentheses, which the grammar does not allow: none. */
        rc = plan_one(b, bs, false, &right);
        if (rc != DB_OK) {
            plan_free(left);
            return rc;
        }
        int src = bind_add_source(b, NULL, NULL, bs->n_results);
        p = src >= 0 ? new_plan(bs->select->op == TK_ALL ? PLAN_APPEND
                                                         : PLAN_SET_OP,
                                left)
                     : NULL;
        if (p == NULL) {
            plan_free(left);
            plan_free(right);
            return no_memory();
        }
        p->right = right;
        p->op = bs->select->op;
        p->source = (uint32_t)src;
        p->n_columns = bs->n_results;
        p->rows = left->rows + right->rows;
        if (bs->n_order > 0) {
            Plan *s = sort_by_order(bs, p, bs->n_results);
            if (s == NULL) {
                plan_free(p);
                return no_memory();
            }
            p = s;
        }
    }
    if (rc != DB_OK)
        return rc;
    if (bs->select->limit != NULL) {
        Plan *l = new_plan(PLAN_LIMIT, p);
        if (l == NULL) {
            plan_free(p);
            return no_memory();
        }
        l->limit = bs->select->limit;
        l->offset = bs->select->offset;
        l->n_columns = p->n_columns;
        l->rows = p->rows;
        p = l;
    }
    *out = p;
    return DB_OK;
}
/* book: end plan-select */


DbStatus plan_table_scan(Binding *b, uint32_t source, const TableDef *def,
                         Expr *where, Plan **out)
{
    (void)def;
    /* A select of one FROM item, made up, for the planner's rules. */
    SrcItem item = {.source = (int)source};
    SrcList from = {.n = 1, .cap = 1, .items = &item};
    Select select = {.from = &from, .where = where};
    BoundSelect bs = {.select = &select, .n_from = 1,
                      .from_sources = &source};
    Planner pl = {.b = b, .bs = &bs};
    DbStatus rc = where ? add_conjunct(&pl, where, -1) : DB_OK;
    if (rc == DB_OK)
        rc = access(&pl, 0, out);
    /* What reads no column of the table (a constant, a subquery):
     * after the scan. */
    Expr **rest = NULL;
    uint32_t n_rest = 0;
    if (rc == DB_OK)
        rc = take(&pl, any_left, NULL, &rest, &n_rest);
    if (rc == DB_OK && n_rest > 0) {
        Plan *f = new_plan(PLAN_FILTER, *out);
        if (f == NULL) {
            free(rest);
            rc = no_memory();
        } else {
            f->conditions = rest;
            f->n_conditions = n_rest;
            *out = f;
        }
    }
    free(pl.conjuncts);
    free(pl.reads);
    free(pl.from_on);
    free(pl.on_item);
    free(pl.used);
    return rc;
}

static void free_list_plans(ExprList *list)
{
    for (uint32_t i = 0; list && i < list->n; i++)
        plan_free_expr(list->items[i].expr);
}

void plan_free_expr(Expr *e)
{
    if (e == NULL)
        return;
    if (e->plan != NULL) {
        plan_free(e->plan);
        e->plan = NULL;
    }
    plan_free_expr(e->left);
    plan_free_expr(e->right);
    plan_free_expr(e->third);
    free_list_plans(e->list);
}

void plan_free(Plan *p)
{
    if (p == NULL)
        return;
    if (p->free_kept != NULL)
        p->free_kept(p->kept);
    plan_free(p->child);
    plan_free(p->right);
    for (uint32_t i = 0; i < p->n_conditions; i++)
        plan_free_expr(p->conditions[i]);
    for (uint32_t i = 0; p->kind == PLAN_PROJECT && i < p->n_exprs; i++)
        plan_free_expr(p->exprs[i]);
    if (p->kind == PLAN_AGGREGATE) {
        for (uint32_t i = 0; i < p->bs->n_group; i++)
            plan_free_expr(p->bs->group_exprs[i]);
        for (uint32_t i = 0; i < p->bs->n_aggregates; i++)
            plan_free_expr(p->bs->aggregates[i]);
    }
    free(p->conditions);
    free(p->keys);
    free(p->build_keys);
    free(p->exprs);
    free(p->desc);
    free(p->keys_columns);
    free(p);
}

/* --- EXPLAIN ---------------------------------------------------------- */

typedef struct Text {
    char *buf;
    size_t size, len;
} Text;

static void put(Text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + n >= t->size)
        n = t->size > t->len + 1 ? t->size - t->len - 1 : 0;
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static void put_expr(const Binding *b, const Expr *e, Text *t);

static void put_list(const Binding *b, const ExprList *list, Text *t)
{
    for (uint32_t i = 0; list && i < list->n; i++) {
        if (i > 0)
            put(t, ", ");
        put_expr(b, list->items[i].expr, t);
    }
}

static const char *op_text(int op)
{
    switch (op) {
    case TK_PLUS: return "+";
    case TK_MINUS: return "-";
    case TK_STAR: return "*";
    case TK_SLASH: return "/";
    case TK_REM: return "%";
    case TK_CONCAT: return "||";
    case TK_EQ: return "=";
    case TK_NE: return "<>";
    case TK_LT: return "<";
    case TK_LE: return "<=";
    case TK_GT: return ">";
    case TK_GE: return ">=";
    case TK_AND: return "AND";
    case TK_OR: return "OR";
    case TK_IS: return "IS";
    case TK_ISNOT: return "IS NOT";
    case TK_NOT: return "NOT";
    default: return "?";
    }
}

static void put_expr(const Binding *b, const Expr *e, Text *t)
{
    char buf[64];
    if (e == NULL)
        return;
    switch (e->kind) {
    case EXPR_LITERAL:
        if (e->value.type == VALUE_TEXT) {
            put(t, "'");
            size_t n = e->value.text.n < 40 ? e->value.text.n : 40;
            snprintf(buf, sizeof buf, "%.*s%s", (int)n, e->value.text.s,
                     e->value.text.n > 40 ? "..." : "");
            put(t, buf);
            put(t, "'");
        } else if (e->value.type == VALUE_INTEGER) {
            snprintf(buf, sizeof buf, "%" PRId64, e->value.i);
            put(t, buf);
        } else if (e->value.type == VALUE_REAL) {
            snprintf(buf, sizeof buf, "%.15g", e->value.r);
            put(t, buf);
        } else {
            put(t, "NULL");
        }
        return;
    case EXPR_COLUMN: {
        const Source *s = e->source >= 0 &&
                                  (uint32_t)e->source < b->n_sources
                              ? &b->sources[e->source] : NULL;
        if (s != NULL && s->name != NULL) {
            put(t, s->name);
            put(t, ".");
        }
        put(t, e->name.text ? e->name.text : "?");
        return;
    }
    case EXPR_UNARY:
        put(t, e->op == TK_NOT ? "NOT " : op_text(e->op));
        put_expr(b, e->left, t);
        return;
    case EXPR_BINARY:
        put(t, "(");
        put_expr(b, e->left, t);
        put(t, " ");
        put(t, op_text(e->op));
        put(t, " ");
        put_expr(b, e->right, t);
        put(t, ")");
        return;
    case EXPR_IS_NULL:
        put_expr(b, e->left, t);
        put(t, e->negated ? " IS NOT NULL" : " IS NULL");
        return;
    case EXPR_IS_TRUTH:
        put_expr(b, e->left, t);
        put(t, e->negated ? " IS NOT " : " IS ");
        put(t, e->value.i ? "TRUE" : "FALSE");
        return;
    case EXPR_BETWEEN:
        put_expr(b, e->left, t);
        put(t, e->negated ? " NOT BETWEEN " : " BETWEEN ");
        put_expr(b, e->right, t);
        put(t, " AND ");
        put_expr(b, e->third, t);
        return;
    case EXPR_LIKE:
        put_expr(b, e->left, t);
        put(t, e->negated ? " NOT LIKE " : " LIKE ");
        put_expr(b, e->right, t);
        return;
    case EXPR_IN_LIST:
        put_expr(b, e->left, t);
        put(t, e->negated ? " NOT IN (" : " IN (");
        put_list(b, e->list, t);
        put(t, ")");
        return;
    case EXPR_IN_SELECT:
        put_expr(b, e->left, t);
        put(t, e->negated ? " NOT IN (subquery)" : " IN (subquery)");
        return;
    case EXPR_EXISTS:
        put(t, "EXISTS (subquery)");
        return;
    case EXPR_SUBQUERY:
        put(t, "(subquery)");
        return;
    case EXPR_CASE:
        put(t, "CASE");
        if (e->left) {
            put(t, " ");
            put_expr(b, e->left, t);
        }
        for (uint32_t i = 0; i + 1 < e->list->n; i += 2) {
            put(t, " WHEN ");
            put_expr(b, e->list->items[i].expr, t);
            put(t, " THEN ");
            put_expr(b, e->list->items[i + 1].expr, t);
        }
        if (e->right) {
            put(t, " ELSE ");
            put_expr(b, e->right, t);
        }
        put(t, " END");
        return;
    case EXPR_CAST:
        put(t, "CAST(");
        put_expr(b, e->left, t);
        put(t, " AS ");
        put(t, e->type->name.text);
        put(t, ")");
        return;
    case EXPR_FUNCTION:
        put(t, e->name.text);
        put(t, e->distinct ? "(DISTINCT " : "(");
        if (e->star)
            put(t, "*");
        put_list(b, e->list, t);
        put(t, ")");
        return;
    }
}

void plan_expr_text(const Binding *b, const Expr *e, char *buf, size_t size)
{
    Text t = {buf, size, 0};
    buf[0] = '\0';
    put_expr(b, e, &t);
}

typedef struct Explain {
    const Binding *b;
    DbStatus (*line)(void *ctx, const char *text);
    void *ctx;
    char buf[1024];
} Explain;

static void put_conditions(Explain *x, Text *t, const char *label,
                           Expr **conditions, uint32_t n)
{
    if (n == 0)
        return;
    put(t, label);
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0)
            put(t, " AND ");
        put_expr(x->b, conditions[i], t);
    }
}

static DbStatus explain_node(Explain *x, const Plan *p, int depth);

static DbStatus explain_subplans(Explain *x, const Expr *e, int depth)
{
    if (e == NULL)
        return DB_OK;
    DbStatus rc = DB_OK;
    if (e->plan != NULL) {
        snprintf(x->buf, sizeof x->buf, "%*sSubquery%s:", 2 * depth, "",
                 e->correlated ? " (correlated: runs for each row)"
                               : " (runs once)");
        rc = x->line(x->ctx, x->buf);
        if (rc == DB_OK)
            rc = explain_node(x, e->plan, depth + 1);
    }
    if (rc == DB_OK)
        rc = explain_subplans(x, e->left, depth);
    if (rc == DB_OK)
        rc = explain_subplans(x, e->right, depth);
    if (rc == DB_OK)
        rc = explain_subplans(x, e->third, depth);
    for (uint32_t i = 0; rc == DB_OK && e->list && i < e->list->n; i++)
        rc = explain_subplans(x, e->list->items[i].expr, depth);
    return rc;
}

static DbStatus explain_node(Explain *x, const Plan *p, int depth)
{
    Text t = {x->buf, sizeof x->buf, 0};
    x->buf[0] = '\0';
    for (int i = 0; i < depth; i++)
        put(&t, "  ");
    const Source *s = &x->b->sources[p->source];
    char num[32];
    switch (p->kind) {
    case PLAN_SCAN:
        put(&t, "Scan ");
        put(&t, p->table->name);
        if (s->name && strcmp(s->name, p->table->name) != 0) {
            put(&t, " AS ");
            put(&t, s->name);
        }
        if (p->range.low != NULL && p->range.low == p->range.high) {
            put(&t, " (row id = ");
            put_expr(x->b, p->range.low, &t);
            put(&t, ")");
        } else if (p->range.low || p->range.high) {
            put(&t, " (row ids ");
            if (p->range.low) {
                put(&t, p->range.low_open ? "> " : ">= ");
                put_expr(x->b, p->range.low, &t);
            }
            if (p->range.low && p->range.high)
                put(&t, " and ");
            if (p->range.high) {
                put(&t, p->range.high_open ? "< " : "<= ");
                put_expr(x->b, p->range.high, &t);
            }
            put(&t, ")");
        }
        put_conditions(x, &t, " filter: ", p->conditions, p->n_conditions);
        break;
    case PLAN_ONE_ROW:
        put(&t, "One row (no FROM)");
        break;
    case PLAN_SUBQUERY:
        put(&t, "Subquery");
        if (s->name) {
            put(&t, " AS ");
            put(&t, s->name);
        }
        put_conditions(x, &t, " filter: ", p->conditions, p->n_conditions);
        break;
    case PLAN_FILTER:
        put_conditions(x, &t, "Filter: ", p->conditions, p->n_conditions);
        break;
    case PLAN_NESTED_LOOP:
        put(&t, p->left_join ? "Nested loop left join" : "Nested loop");
        put_conditions(x, &t, " on ", p->conditions, p->n_conditions);
        break;
    case PLAN_HASH_JOIN:
        put(&t, "Hash join on ");
        for (uint32_t i = 0; i < p->n_keys; i++) {
            if (i > 0)
                put(&t, " AND ");
            put_expr(x->b, p->keys[i], &t);
            put(&t, " = ");
            put_expr(x->b, p->build_keys[i], &t);
        }
        if (p->batches > 1) {
            char n[32];
            snprintf(n, sizeof n, " in %" PRIu32 " batches", p->batches);
            put(&t, n);
        }
        put_conditions(x, &t, " filter: ", p->conditions, p->n_conditions);
        break;
    case PLAN_AGGREGATE:
        put(&t, p->bs->n_group ? "Aggregate by sort, group by " :
                                 "Aggregate");
        for (uint32_t i = 0; i < p->bs->n_group; i++) {
            if (i > 0)
                put(&t, ", ");
            put_expr(x->b, p->bs->group_exprs[i], &t);
        }
        put(&t, p->bs->n_aggregates ? ": " : "");
        for (uint32_t i = 0; i < p->bs->n_aggregates; i++) {
            if (i > 0)
                put(&t, ", ");
            put_expr(x->b, p->bs->aggregates[i], &t);
        }
        break;
    case PLAN_PROJECT:
        put(&t, "Project: ");
        for (uint32_t i = 0; i < p->n_exprs; i++) {
            if (i > 0)
                put(&t, ", ");
            put_expr(x->b, p->exprs[i], &t);
        }
        break;
    case PLAN_SORT:
        put(&t, p->distinct ? "Sort, distinct, by column " :
                              "Sort by column ");
        for (uint32_t i = 0; i < p->n_sort; i++) {
            snprintf(num, sizeof num, "%s%u%s", i ? ", " : "",
                     p->keys_columns[i] + 1, p->desc[i] ? " DESC" : "");
            put(&t, num);
        }
        break;
    case PLAN_LIMIT:
        put(&t, "Limit ");
        put_expr(x->b, p->limit, &t);
        if (p->offset) {
            put(&t, " offset ");
            put_expr(x->b, p->offset, &t);
        }
        break;
    case PLAN_APPEND:
        put(&t, "Append (UNION ALL)");
        break;
    case PLAN_SET_OP:
        put(&t, p->op == TK_UNION      ? "Union, by sort"
                : p->op == TK_INTERSECT ? "Intersect, by sort"
                                        : "Except, by sort");
        break;
    }
    DbStatus rc = x->line(x->ctx, x->buf);
    /* The subqueries of the node's expressions, indented under it. */
    for (uint32_t i = 0; rc == DB_OK && i < p->n_conditions; i++)
        rc = explain_subplans(x, p->conditions[i], depth + 1);
    for (uint32_t i = 0; rc == DB_OK && p->kind == PLAN_PROJECT &&
                         i < p->n_exprs; i++)
        rc = explain_subplans(x, p->exprs[i], depth + 1);
    if (rc == DB_OK && p->child != NULL)
        rc = explain_node(x, p->child, depth + 1);
    if (rc == DB_OK && p->right != NULL)
        rc = explain_node(x, p->right, depth + 1);
    return rc;
}

DbStatus plan_explain(const Binding *b, const Plan *plan,
                      DbStatus (*line)(void *ctx, const char *text),
                      void *ctx)
{
    Explain x = {.b = b, .line = line, .ctx = ctx};
    return explain_node(&x, plan, 0);
}
