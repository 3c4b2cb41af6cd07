/*
 * plan.c - the planner: turns a bound SELECT into a tree of operators.
 *
 * Owns: which operator does what (scans, joins, filters, aggregation,
 * sorting), where each condition of WHERE and ON is applied, how each
 * table is read and joined, and how EXPLAIN shows the tree.
 * Does not: run anything (exec.c does), or resolve names (bind.c did).
 *
 * The rules, kept from milestone 07:
 *
 *   - each item of FROM is joined as the inner side of the items
 *     before it (a left-deep tree), in the order chosen below;
 *   - each condition of WHERE and of an inner join's ON is split at its
 *     ANDs, and each part is applied as early as the items it reads
 *     allow: at an item's scan if it reads that item alone, at the
 *     join that brings in the last item it reads otherwise (on the
 *     right of a LEFT JOIN, after the join, since before it the NULLs
 *     it adds are not there yet); a LEFT JOIN's ON stays at its join;
 *   - every condition stays where it is applied even when an access
 *     path used it to narrow what a scan reads: the paths only keep a
 *     scan from reading rows no condition could take.
 *
 * The costs (milestone 08). The unit is a row read in order by a scan
 * of a table's tree. N is the table's rows, as btree_estimate_rows
 * guesses them from the way down to its first leaf. Without statistics
 * the selectivities are SQLite's defaults (sqlite3DefaultRowEst and
 * whereRangeScanEst, where.c):
 *
 *   full scan                      cost N, rows N
 *   row id = v                     cost log2 N, rows 1
 *   row id IN (k values)           cost k x log2 N, rows k
 *   row ids in a range             cost log2 N + rows, rows N/4 with
 *                                  one end, N/64 with both; with ends
 *                                  written as numbers, N x the share
 *                                  of first .. last row id they cover
 *   index: equality (=, IS, IS     rows 10 for one column, 9, 8, 7, 6
 *     NULL) on the first k           for more, or after ANALYZE its
 *     columns, then perhaps a        n_rows / n_distinct for the prefix
 *     range on the next one          (plan.h); 1 when they are all the
 *                                    columns of a UNIQUE index; times
 *                                    the values of an IN list, then
 *                                    1/4 or 1/64 for a range; at most N;
 *                                  cost lookups x log2 N + rows x 4
 *                                    (COST_FETCH: each row is fetched
 *                                    from the table by its row id, a
 *                                    descent, where a scan steps along
 *                                    a leaf)
 *   any other condition            keeps 1/4 of the rows (FILTER_KEEPS)
 *   a sort                         rows x log2 rows / 4 (COST_SORT)
 *
 * Each table takes its cheapest path. When the select wants ORDER BY
 * order and a path gives it (an index whose columns after its
 * equalities are the ORDER BY's, in its directions; the table's tree
 * for ORDER BY its row id, read backward for DESC), that path costs no
 * sort, and with a LIMIT only the part of it read before the LIMIT's
 * rows are found (the sort reads everything). An index is read backward
 * too, for an ORDER BY that is the reverse of its directions after its
 * equalities (every column reversed, the row id too): the same keys,
 * from the last, at a descent per leaf more (btree_prev), which the
 * costs leave out.
 *
 * For a join, the inner item is read one of three ways, the cheapest
 * for L rows of the items before it:
 *
 *   index (or row id) nested loop  L x the cost of a path whose bounds
 *                                  read the outer rows (b.k = a.k)
 *   hash join (07)                 the inner path's cost + its rows +
 *                                  L for each batch of work_mem
 *   nested loop                    L x the inner path's cost
 *
 * (a FROM subquery's path costs its estimated rows).
 *
 * The join order (milestone 08; 07 took FROM's). An order's cost is
 * the cost of its first item's path plus, for each item joined after
 * it, the cost of its join as above, with L the rows estimated for the
 * items before it. A join makes L x a lookup's rows (index nested
 * loop), the larger of L and the inner rows (hash join: a key join), or
 * L x the inner rows x FILTER_KEEPS for each condition it applies
 * (nested loop); a LEFT JOIN at least L. The order is the cheapest
 * found:
 *
 *   up to ORDER_DP_ITEMS (10) items   dynamic programming over the
 *                                     subsets of the items, System R's
 *                                     (by_subsets): 2^N subsets, each
 *                                     extended by each item not in it
 *   11 to 63 items                    greedy (by_greedy): the item
 *                                     cheapest to read alone, then each
 *                                     time the item cheapest to join
 *   64 items (MAX_FROM_ITEMS, the     FROM's order (the planner takes
 *     most bind allows)                 bit 63 of the set a condition
 *                                     reads as shared, by items past
 *                                     the 63rd)
 *
 * The right item of a LEFT JOIN is joined only after every item FROM
 * names before it (its left side, all its ON may read); any other item
 * may go anywhere. Among orders of equal cost the first found is kept,
 * and FROM's is found first. With ORDER BY on columns of one table
 * only, the orders that begin with that table read in that order (a
 * path that gives it) and join the rest without a hash join (which
 * keeps the order only within a batch) are searched too: such an order
 * costs no sort, and with a LIMIT only the share (LIMIT + OFFSET + 1) /
 * rows of its cost; any other order costs its sort. The output columns
 * never depend on the order: each result reads its own item's row.
 *
 * A SELECT becomes, from the bottom up:
 *
 *   scans and joins -> [aggregate -> filter HAVING] -> project the
 *   results -> [sort DISTINCT] -> [sort ORDER BY] -> [limit]
 */
#include "plan.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "func.h"
#include "parse.h"

/* The cost model's constants (the header tells the model). */
#define COST_FETCH 4.0         /* a row fetched by its row id */
#define COST_SORT 0.25         /* a sort, per row and level of log2 */
#define RANGE_ONE_END 0.25     /* the rows x > v keeps (SQLite's) */
#define RANGE_BOTH_ENDS (1.0 / 64) /* ... x BETWEEN v AND w */
#define FILTER_KEEPS 0.25      /* ... any other condition */

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
    const struct Order *order; /* the order the rows of item
                                * order_item are wanted in, or NULL */
    uint32_t order_item;
    bool ordered;              /* ... and the plan reads that item first,
                                * in that order, and keeps it */
    Plan **subs;               /* each FROM subquery's plan, until taken */
    double *alone_cost;        /* each item's cheapest path alone ... */
    double *alone_rows;        /* ... and the rows it makes */
} Planner;

/* Frees what the planner holds. */
static void planner_free(Planner *pl)
{
    for (uint32_t i = 0; pl->subs && i < pl->bs->n_from; i++)
        plan_free(pl->subs[i]);
    free(pl->subs);
    free(pl->alone_cost);
    free(pl->alone_rows);
    free(pl->conjuncts);
    free(pl->reads);
    free(pl->from_on);
    free(pl->on_item);
    free(pl->used);
}

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

/* Whether conjunct I is the ON of a LEFT JOIN: it decides which rows of
 * that join's right item match, and is applied at that join alone. Any
 * other conjunct, of WHERE or of an inner join's ON, only filters the
 * joined rows, wherever it is applied. */
static bool left_on(const Planner *pl, uint32_t i)
{
    return pl->from_on[i] &&
           pl->bs->select->from->items[pl->on_item[i]].join == JOIN_LEFT;
}

/* Whether conjunct I may narrow what the scan of ITEM reads: it is not
 * the ON of another LEFT JOIN (which decides that item's rows). */
static bool narrows(const Planner *pl, uint32_t i, uint32_t item)
{
    return !pl->used[i] &&
           (!left_on(pl, i) || pl->on_item[i] == (int32_t)item);
}

/* Whether E can be computed before the scan starts: it reads no item
 * but those in KNOWN (the constants, the outer query, the items to the
 * left when the scan is the inner side of a join). */
static bool known_before(const Planner *pl, const Expr *e, uint64_t known)
{
    return (reads_of(pl->bs, e) & ~known) == 0;
}

/* Whether conjunct E compares column COL of SOURCE with a value known
 * before the scan, as col OP value: *value and *op (flipped when the
 * column is on the right: 5 < id is id > 5). */
static bool compares_column(const Planner *pl, const Expr *e,
                            uint32_t source, int col, uint64_t known,
                            Expr **value, int *op)
{
    if (e->kind != EXPR_BINARY ||
        (e->op != TK_EQ && e->op != TK_LT && e->op != TK_LE &&
         e->op != TK_GT && e->op != TK_GE))
        return false;
    if (is_column(e->left, source, col)) {
        *value = e->right;
        *op = e->op;
    } else if (is_column(e->right, source, col)) {
        *value = e->left;
        *op = e->op == TK_LT ? TK_GT : e->op == TK_GT ? TK_LT
              : e->op == TK_LE ? TK_GE : e->op == TK_GE ? TK_LE : e->op;
    } else {
        return false;
    }
    return known_before(pl, *value, known);
}

/* Whether conjunct E is col IS value (or value IS col) with a value known
 * before the scan that the comparison converts, not the column (*value),
 * or col IS NULL (*value NULL). */
static bool is_equality(const Planner *pl, const Expr *e, uint32_t source,
                        int col, uint64_t known, Expr **value)
{
    if (e->kind == EXPR_IS_NULL && !e->negated &&
        is_column(e->left, source, col)) {
        *value = NULL;
        return true;
    }
    if (e->kind != EXPR_BINARY || e->op != TK_IS)
        return false;
    const Expr *c = is_column(e->left, source, col) ? e->left : e->right;
    *value = c == e->left ? e->right : e->left;
    return is_column(c, source, col) && known_before(pl, *value, known) &&
           value_compare_keeps(c->affinity, (*value)->affinity);
}

/* Narrows the scan of ITEM (a table, source SOURCE) to a range of row
 * ids, into *r, with the conjuncts that compare its row id with what
 * KNOWN gives. They stay conditions too: the range only keeps the scan
 * from reading rows no condition could take. *reads: the items the
 * range's ends read. */
static void choose_range(Planner *pl, uint32_t item, uint32_t source,
                         uint64_t known, RowidRange *r, uint64_t *reads)
{
    const Source *s = &pl->b->sources[source];
    int col = rowid_column(s);
    *r = (RowidRange){0};
    *reads = 0;
    if (item >= 63)
        return;
    Expr *in = NULL;
    for (uint32_t i = 0; i < pl->n; i++) {
        Expr *e = pl->conjuncts[i];
        if (!narrows(pl, i, item))
            continue;
        Expr *value = NULL;
        int op = 0;
        if (e->kind == EXPR_IN_LIST && !e->negated && in == NULL &&
            is_column(e->left, source, col) &&
            (reads_of_list(pl->bs, e->list) & ~known) == 0) {
            in = e;
            continue;
        }
        if (e->kind == EXPR_BETWEEN && !e->negated &&
            is_column(e->left, source, col) &&
            known_before(pl, e->right, known) &&
            known_before(pl, e->third, known)) {
            if (r->low == NULL && r->high == NULL) {
                r->low = e->right;
                r->high = e->third;
                *reads |= reads_of(pl->bs, e->right) |
                          reads_of(pl->bs, e->third);
            }
            continue;
        }
        if (!compares_column(pl, e, source, col, known, &value, &op))
            continue;
        if (op == TK_EQ) {
            r->low = r->high = value;
            r->low_open = r->high_open = false;
            *reads = reads_of(pl->bs, value);
            return; /* a lookup: nothing narrower */
        }
        if ((op == TK_GT || op == TK_GE) && r->low == NULL) {
            r->low = value;
            r->low_open = op == TK_GT;
            *reads |= reads_of(pl->bs, value);
        } else if ((op == TK_LT || op == TK_LE) && r->high == NULL) {
            r->high = value;
            r->high_open = op == TK_LT;
            *reads |= reads_of(pl->bs, value);
        }
    }
    /* A few lookups rather than a range. */
    if (in != NULL) {
        *r = (RowidRange){.in = in};
        *reads = reads_of_list(pl->bs, in->list);
    }
}

/* The order a select wants its one table's rows in: its ORDER BY, when
 * every key is a column of that table (columns[], as numbered in the
 * source), and the rows it needs of them (LIMIT + OFFSET; -1: all). */
typedef struct Order {
    uint32_t n;
    int *columns;
    bool *desc;
    double need;
} Order;

/* One way to read a table, as choose_path weighs it. */
typedef struct Path {
    const IndexDef *index;     /* NULL: the table's own tree */
    RowidRange range;          /* the table's tree: the row ids read */
    IndexRange ix;             /* an index: the keys read (eq and
                                * affinities are the path's) */
    double cost;               /* rows read in order; see the header */
    double rows;               /* the rows it makes, conditions applied */
    bool ordered;              /* they come in the wanted order */
    uint64_t reads;            /* the items its bounds read */
} Path;

static void path_free(Path *path)
{
    free(path->ix.eq);
    free(path->ix.is_equal);
    free(path->ix.affinities);
    path->ix.eq = NULL;
    path->ix.is_equal = NULL;
    path->ix.affinities = NULL;
}

/* The conjuncts that will be the scan's own conditions (they read ITEM
 * alone), and how many of them PATH's bounds come from, for the rows
 * estimate: each condition the path does not apply keeps FILTER_KEEPS. */
static double after_conditions(Planner *pl, uint32_t item, double rows,
                               uint32_t n_bounds);

/* Whether ORDER is the order of ITEM's rows read through the index of
 * PATH (its equalities fix some columns, which the order may name
 * anywhere; the IN column, the range column and the columns after it,
 * then the row id, give the order), reading forward, or when BACK
 * backward: every one of those columns then in the other direction. */
static bool index_gives_order(const Source *s, const Path *path,
                              const Order *order, bool back)
{
    const IndexDef *ix = path->index;
    const IndexRange *r = &path->ix;
    /* The index's columns in the order its keys give, then the row id:
     * positions n_eq.., with the IN column first. */
    uint32_t next = r->in_column >= 0 ? (uint32_t)r->in_column : r->n_eq;
    for (uint32_t i = 0; i < order->n; i++) {
        int col = order->columns[i];
        bool fixed = false;
        for (uint32_t k = 0; k < r->n_eq && !fixed; k++)
            fixed = (int32_t)k != r->in_column &&
                    (int)ix->columns[k] == col;
        if (fixed)
            continue; /* one value: any order of it is that order */
        if (next >= ix->n_columns) {
            /* After the columns, the row id, which is unique: an
             * order that reaches it is the key's to the end. */
            return col == rowid_column(s) && order->desc[i] == back;
        }
        if ((int)ix->columns[next] != col ||
            order->desc[i] != (ix->desc[next] != back))
            return false;
        next = next == (uint32_t)r->in_column ? r->n_eq : next + 1;
    }
    return true;
}

/* The rows an equality on the first K columns of an index matches,
 * without statistics: SQLite's defaults (sqlite3DefaultRowEst). */
static double equal_rows(uint32_t k)
{
    static const double rows[] = {10, 9, 8, 7, 6};
    return rows[k > 5 ? 4 : k - 1];
}

/* The rows an equality on the first PREFIX columns of index IX of table
 * DEF matches per value, as the last ANALYZE counted them; NaN when it
 * did not (no ANALYZE, or not of this index). */
static double analyzed_rows(Planner *pl, const TableDef *def,
                            const IndexDef *ix, uint32_t prefix)
{
    const TableDef *stats;
    Btree *tree;
    double rows = NAN;
    if (catalog_find(db_catalog(pl->b->db), PLAN_STATS_TABLE, &stats) !=
            DB_OK ||
        stats->n_columns != PLAN_STATS_COLUMNS ||
        btree_open(db_pager(pl->b->db), stats->root, &tree) != DB_OK)
        return rows;
    Value v[PLAN_STATS_COLUMNS + 1];
    BtreeCursor cursor = {0};
    DbStatus rc;
    for (rc = btree_first(tree, &cursor); rc == DB_OK && !cursor.end_of_tree;
         rc = btree_next(&cursor)) {
        if (catalog_read_row(stats, &cursor, v) != DB_OK)
            break;
        if (v[0].type == VALUE_TEXT && v[1].type == VALUE_TEXT &&
            v[2].type == VALUE_INTEGER && v[3].type == VALUE_INTEGER &&
            v[4].type == VALUE_INTEGER && v[2].i == (int64_t)prefix &&
            v[4].i > 0 && v[3].i >= 0 &&
            strlen(def->name) == v[0].text.n &&
            memcmp(def->name, v[0].text.s, v[0].text.n) == 0 &&
            strlen(ix->name) == v[1].text.n &&
            memcmp(ix->name, v[1].text.s, v[1].text.n) == 0) {
            rows = (double)v[3].i / (double)v[4].i;
            break;
        }
    }
    btree_cursor_close(&cursor);
    btree_close(tree);
    return rows;
}

/* The cost of a descent from a root to a leaf of a tree of N rows. */
static double descent(double n)
{
    return log2(n + 2);
}

/* The path through index IX for ITEM (source SOURCE, N rows): the
 * longest prefix of its columns that the conjuncts fix by equality (one
 * of them may be an IN list of known values), then a range on the next
 * column. *useful: it narrows the rows, or gives ORDER's order. */
static DbStatus index_path(Planner *pl, uint32_t item, uint32_t source,
                           uint64_t known, const IndexDef *ix, double n,
                           const Order *order, Path *path, bool *useful)
{
    *path = (Path){.index = ix};
    *useful = false;
    IndexRange *r = &path->ix;
    r->index = ix;
    r->in_column = -1;
    r->eq = calloc(ix->n_columns + 1, sizeof *r->eq);
    r->is_equal = calloc(ix->n_columns + 1, sizeof *r->is_equal);
    r->affinities = calloc(ix->n_columns + 2, sizeof *r->affinities);
    if (r->eq == NULL || r->is_equal == NULL || r->affinities == NULL)
        return no_memory();
    uint32_t n_bounds = 0;     /* conjuncts of ITEM alone it applies */
    uint32_t k = 0;
    for (; k < ix->n_columns && item < 63; k++) {
        int col = (int)ix->columns[k];
        bool found = false;
        for (uint32_t i = 0; i < pl->n && !found; i++) {
            Expr *e = pl->conjuncts[i], *value;
            int op;
            if (!narrows(pl, i, item))
                continue;
            if (compares_column(pl, e, source, col, known, &value, &op) &&
                op == TK_EQ) {
                const Expr *c = value == e->right ? e->left : e->right;
                if (!value_compare_keeps(c->affinity, value->affinity))
                    continue;
                r->eq[k] = value;
                r->affinities[k] = value->affinity;
                path->reads |= reads_of(pl->bs, value);
                found = true;
            } else if (r->in_column < 0 && e->kind == EXPR_IN_LIST &&
                       !e->negated && is_column(e->left, source, col) &&
                       (reads_of_list(pl->bs, e->list) & ~known) == 0) {
                /* Only the column's affinity applies, to every item. */
                r->eq[k] = e;
                r->affinities[k] = AFFINITY_NONE;
                r->in_column = (int32_t)k;
                path->reads |= reads_of_list(pl->bs, e->list);
                found = true;
            } else if (is_equality(pl, e, source, col, known, &value) &&
                       (pl->on_item[i] == (int32_t)item ||
                        !pl->b->sources[source].right_of_left_join)) {
                /* x IS value, x IS NULL: NULL takes the NULL keys. Not
                 * from a WHERE on the right of a LEFT JOIN: unlike a
                 * comparison, it is true of the NULLs the join adds,
                 * which it would then add for rows it should have
                 * matched. */
                r->eq[k] = value;
                r->is_equal[k] = true;
                r->affinities[k] = value ? value->affinity : AFFINITY_NONE;
                path->reads |= reads_of(pl->bs, value);
                found = true;
            }
            n_bounds += found && pl->reads[i] == item_bit(item);
        }
        if (!found)
            break;
    }
    r->n_eq = k;
    /* A range on the next column: its first low and high ends. */
    for (uint32_t i = 0; k < ix->n_columns && item < 63 && i < pl->n;
         i++) {
        Expr *e = pl->conjuncts[i], *value;
        int op, col = (int)ix->columns[k];
        if (!narrows(pl, i, item))
            continue;
        if (e->kind == EXPR_BETWEEN && !e->negated &&
            is_column(e->left, source, col) && r->low == NULL &&
            r->high == NULL && known_before(pl, e->right, known) &&
            known_before(pl, e->third, known) &&
            value_compare_keeps(e->left->affinity, e->right->affinity) &&
            value_compare_keeps(e->left->affinity, e->third->affinity)) {
            r->low = e->right;
            r->high = e->third;
            r->affinities[k] = e->right->affinity;
            r->affinities[k + 1] = e->third->affinity;
        } else if (compares_column(pl, e, source, col, known, &value,
                                   &op) && op != TK_EQ) {
            const Expr *c = value == e->right ? e->left : e->right;
            if (!value_compare_keeps(c->affinity, value->affinity))
                continue;
            if ((op == TK_GT || op == TK_GE) && r->low == NULL) {
                r->low = value;
                r->low_open = op == TK_GT;
                r->affinities[k] = value->affinity;
            } else if ((op == TK_LT || op == TK_LE) && r->high == NULL) {
                r->high = value;
                r->high_open = op == TK_LT;
                r->affinities[k + 1] = value->affinity;
            } else {
                continue;
            }
        } else {
            continue;
        }
        path->reads |= reads_of(pl->bs, e) & ~item_bit(item);
        n_bounds += pl->reads[i] == item_bit(item);
    }

    /* How many rows it reads: see the header. */
    double rows = n, lookups = 1;
    double analyzed = r->n_eq > 0 ? analyzed_rows(pl, pl->b->sources[source]
                                                          .table,
                                                  ix, r->n_eq)
                                  : NAN;
    bool takes_nulls = false; /* a UNIQUE index holds any number */
    for (uint32_t i = 0; i < r->n_eq; i++)
        takes_nulls |= r->is_equal[i];
    if (r->n_eq == ix->n_columns && ix->unique && !takes_nulls)
        rows = 1;
    else if (!isnan(analyzed))
        rows = fmax(analyzed, 1);
    else if (r->n_eq > 0)
        rows = equal_rows(r->n_eq);
    if (r->in_column >= 0) {
        const ExprList *list = r->eq[r->in_column]->list;
        lookups = list ? list->n : 0;
        rows *= lookups;
    }
    if (r->low != NULL && r->high != NULL)
        rows *= RANGE_BOTH_ENDS;
    else if (r->low != NULL || r->high != NULL)
        rows *= RANGE_ONE_END;
    rows = fmin(rows, n);
    path->cost = lookups * descent(n) + rows * COST_FETCH;
    path->rows = after_conditions(pl, item, rows, n_bounds);
    const Source *s = &pl->b->sources[source];
    path->ordered = order != NULL &&
                    (index_gives_order(s, path, order, false) ||
                     (r->backward = index_gives_order(s, path, order, true)));
    *useful = r->n_eq > 0 || r->low != NULL || r->high != NULL ||
              path->ordered;
    return DB_OK;
}

static bool reads_only_item(Planner *pl, uint32_t i, void *ctx)
{
    uint32_t item = *(uint32_t *)ctx;
    /* The ON of a LEFT JOIN's right item applies to it alone, and any
     * other condition on that item after the join. */
    const SrcItem *it = &pl->bs->select->from->items[item];
    if (it->join == JOIN_LEFT ? pl->on_item[i] != (int32_t)item
                              : left_on(pl, i))
        return false;
    return pl->reads[i] == item_bit(item) && item < 63;
}

static double after_conditions(Planner *pl, uint32_t item, double rows,
                               uint32_t n_bounds)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < pl->n; i++)
        n += !pl->used[i] && reads_only_item(pl, i, &item);
    for (uint32_t i = n_bounds; i < n; i++)
        rows *= FILTER_KEEPS;
    return rows;
}

/* What a sort of ROWS rows costs. */
static double sort_cost(double rows)
{
    return rows * log2(rows + 2) * COST_SORT;
}

/* The cost of PATH to the query: with ORDER, a sort of its rows when
 * they do not come in order, or, when they do, only the part read for
 * the rows the LIMIT needs. */
static double total_cost(const Path *path, const Order *order)
{
    if (order == NULL)
        return path->cost;
    if (!path->ordered)
        return path->cost + sort_cost(path->rows);
    if (order->need >= 0 && path->rows > order->need)
        return path->cost * (order->need + 1) / path->rows;
    return path->cost;
}

/* The value of E when it is a number written as such; else NaN. */
static double literal_number(const Expr *e)
{
    if (e->kind == EXPR_LITERAL && e->value.type == VALUE_INTEGER)
        return (double)e->value.i;
    if (e->kind == EXPR_LITERAL && e->value.type == VALUE_REAL)
        return e->value.r;
    return NAN;
}

/* The first and last row ids of TREE (last < first: none, or it could
 * not tell). */
static void rowid_span(Btree *tree, double *first, double *last)
{
    BtreeCursor cursor = {0};
    bool empty;
    int64_t key;
    if (btree_first(tree, &cursor) == DB_OK && !cursor.end_of_tree &&
        btree_last_key(tree, &empty, &key) == DB_OK && !empty) {
        *first = (double)cursor.key;
        *last = (double)key;
    }
    btree_cursor_close(&cursor);
}

/* The cheapest way to read ITEM, a table, when the items in KNOWN have
 * their rows (ORDER: the order wanted, or NULL) into *best. */
static DbStatus choose_path(Planner *pl, uint32_t item, uint64_t known,
                            const Order *order, Path *best)
{
    uint32_t source = pl->bs->from_sources[item];
    const TableDef *def = pl->b->sources[source].table;
    /* The table's tree: a lookup, a range of row ids, or all of it, in
     * row id order. */
    *best = (Path){0};
    choose_range(pl, item, source, known, &best->range, &best->reads);
    const RowidRange *r = &best->range;
    double n = 1000, first = 0, last = -1;
    Btree *tree;
    if (btree_open(db_pager(pl->b->db), def->root, &tree) == DB_OK) {
        btree_estimate_rows(tree, &n);
        if (r->low != NULL || r->high != NULL)
            rowid_span(tree, &first, &last);
        btree_close(tree);
    }
    uint32_t n_bounds = 0;
    double rows = n;
    if (r->low != NULL && r->low == r->high) {
        rows = fmin(1, n);
        n_bounds = 1;
    } else if (r->in != NULL) {
        rows = fmin(r->in->list ? r->in->list->n : 0, n);
        n_bounds = 1;
    } else if (r->low != NULL || r->high != NULL) {
        rows = n * (r->low && r->high ? RANGE_BOTH_ENDS : RANGE_ONE_END);
        n_bounds = (r->low != NULL) + (r->high != NULL);
        /* Ends written as numbers: the share of the row ids from the
         * first to the last that they let in. */
        double lo = r->low ? literal_number(r->low) : first;
        double hi = r->high ? literal_number(r->high) : last;
        if (!isnan(lo) && !isnan(hi) && last >= first)
            rows = n * fmax(0, fmin(hi, last) - fmax(lo, first) + 1) /
                   (last - first + 1);
    }
    best->cost = r->in ? rows * descent(n)
                 : rows < n ? descent(n) + rows : n;
    if (best->reads != 0)
        n_bounds = 0; /* join conditions, not the scan's */
    best->rows = after_conditions(pl, item, rows, n_bounds);
    /* The tree gives ORDER BY its row id, read backward for DESC (an IN
     * list's row ids are looked up in ascending order only). */
    if (order != NULL && order->n > 0 &&
        order->columns[0] == rowid_column(&pl->b->sources[source])) {
        best->range.backward = order->desc[0] && r->in == NULL;
        best->ordered = !order->desc[0] || best->range.backward;
    }
    double best_cost = total_cost(best, order);

    for (uint32_t i = 0; i < def->n_indexes; i++) {
        Path path;
        bool useful;
        DbStatus rc = index_path(pl, item, source, known, &def->indexes[i],
                                 n, order, &path, &useful);
        if (rc != DB_OK) {
            path_free(&path);
            path_free(best);
            return rc;
        }
        double cost = total_cost(&path, order);
        if (useful && cost < best_cost) {
            path_free(best);
            *best = path;
            best_cost = cost;
        } else {
            path_free(&path);
        }
    }
    return DB_OK;
}

/* The plan that reads FROM item ITEM on its own, with the conditions
 * that read it alone: a table through PATH (which it takes), a subquery
 * by its own plan (pl->subs[item], which it takes). */
static DbStatus access(Planner *pl, uint32_t item, Path *path, Plan **out)
{
    BoundSelect *bs = pl->bs;
    uint32_t src = bs->from_sources[item];
    const Source *s = &pl->b->sources[src];
    Plan *p;
    if (s->sub != NULL) {
        Plan *child = pl->subs[item];
        pl->subs[item] = NULL;
        p = new_plan(PLAN_SUBQUERY, child);
        if (p == NULL) {
            plan_free(child);
            return no_memory();
        }
        p->rows = child->rows;
    } else {
        p = new_plan(path->index ? PLAN_INDEX_SCAN : PLAN_SCAN, NULL);
        if (p == NULL) {
            path_free(path);
            return no_memory();
        }
        p->table = s->table;
        p->range = path->range;
        p->index = path->ix;
        p->rows = path->rows;
        path->ix.eq = NULL;
        path->ix.is_equal = NULL;
        path->ix.affinities = NULL;
    }
    p->source = src;
    p->n_columns = s->n_columns;
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

/* How an item is joined to the items before it. */
typedef enum JoinMethod {
    BY_LOOP,                   /* a nested loop over its own path */
    BY_HASH,                   /* a hash join */
    BY_PROBE,                  /* an index (or row id) nested loop */
} JoinMethod;

typedef struct JoinStep {
    uint32_t item;
    uint64_t left;             /* the items before it */
    bool no_hash;              /* keep the order of the outer rows, which
                                * a hash join keeps only within a batch */
} JoinStep;

/* A condition the join of ITEM can apply. A LEFT JOIN's ON is its own,
 * whatever it reads (ON NULL too: it keeps every row of the left, with
 * NULLs; a correlated subquery, which counts as reading every item);
 * any other condition, when it reads ITEM and no item not joined yet. */
static bool joinable(Planner *pl, uint32_t i, void *ctx)
{
    const JoinStep *j = ctx;
    uint64_t here = item_bit(j->item);
    const SrcItem *it = &pl->bs->select->from->items[j->item];
    if (it->join == JOIN_LEFT)
        return pl->on_item[i] == (int32_t)j->item;
    return !left_on(pl, i) && (pl->reads[i] & ~(j->left | here)) == 0 &&
           (pl->reads[i] & here) != 0;
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

/* The cheapest way to join an item, as weigh finds it. */
typedef struct Weighed {
    JoinMethod method;
    double cost;               /* of the join, the outer side's not
                                * counted */
    double rows;               /* the rows it makes */
    uint32_t batches;          /* BY_HASH: the batches of work_mem */
    Path path;                 /* the inner path (a table's), if kept */
} Weighed;

/* book: begin join-cost */
/* Weighs the three ways to join item J->item to L rows of the items
 * J->left (the header gives the costs) into *w: the cheapest, what it
 * costs and the rows it makes. With KEEP, w->path is the inner path it
 * reads, for the caller to free. */
static DbStatus weigh(Planner *pl, const JoinStep *j, double l,
                      size_t work_mem, bool keep, Weighed *w)
{
    const SrcItem *it = &pl->bs->select->from->items[j->item];
    const Source *s = &pl->b->sources[pl->bs->from_sources[j->item]];
    double inner_cost = pl->alone_cost[j->item];
    double inner_rows = pl->alone_rows[j->item];
    Path probed = {0};
    *w = (Weighed){.method = BY_LOOP, .cost = l * inner_cost};
    if (s->sub == NULL) {
        DbStatus rc = choose_path(pl, j->item, j->left, NULL, &probed);
        if (rc != DB_OK)
            return rc;
    }
    bool hashing = false;
    Expr *inner, *outer;
    for (uint32_t i = 0; i < pl->n && it->join == JOIN_INNER && !j->no_hash;
         i++)
        hashing |= hash_key(pl, i, j, &inner, &outer);
    double bytes = inner_rows * (48.0 + 24 * s->n_columns);
    w->batches = (uint32_t)(bytes / (double)work_mem) + 1;
    double hash = inner_cost + inner_rows + w->batches * l;
    if (hashing && hash < w->cost) {
        w->method = BY_HASH;
        w->cost = hash;
    }
    if (probed.reads != 0 && l * probed.cost < w->cost) {
        w->method = BY_PROBE;
        w->cost = l * probed.cost;
    }
    if (w->method == BY_PROBE) {
        w->rows = l * probed.rows;
    } else if (w->method == BY_HASH) {
        /* A key join: about one row of the smaller side per row of the
         * larger. */
        w->rows = fmax(l, inner_rows);
    } else {
        /* Each condition of the join keeps FILTER_KEEPS (those of the
         * inner item alone are its path's). */
        w->rows = l * inner_rows;
        for (uint32_t i = 0; i < pl->n; i++)
            if (!pl->used[i] && joinable(pl, i, (void *)j) &&
                !reads_only_item(pl, i, (void *)&j->item))
                w->rows *= FILTER_KEEPS;
    }
    if (it->join == JOIN_LEFT)
        w->rows = fmax(w->rows, l);
    DbStatus rc = DB_OK;
    if (keep && s->sub == NULL && w->method == BY_PROBE)
        w->path = probed;
    else if (keep && s->sub == NULL)
        rc = choose_path(pl, j->item, 0, NULL, &w->path);
    if (!keep || w->method != BY_PROBE)
        path_free(&probed);
    return rc;
}
/* book: end join-cost */

/* book: begin join */
/* Joins item J->item to LEFT, the plan of the items before it, the way
 * weigh finds cheapest: by an index (or row id) nested loop, the inner
 * table looked up by each left row's values; by a hash table of the
 * inner rows, keyed by its side of the equalities; or by a nested loop
 * over the inner rows. On failure LEFT is still the caller's. */
static DbStatus join(Planner *pl, Plan *left, const JoinStep *j,
                     size_t work_mem, Plan **out)
{
    const SrcItem *it = &pl->bs->select->from->items[j->item];
    Weighed w;
    DbStatus rc = weigh(pl, j, left->rows, work_mem, true, &w);
    if (rc != DB_OK)
        return rc;
    Plan *right;
    rc = access(pl, j->item, &w.path, &right);
    path_free(&w.path);
    if (rc != DB_OK)
        return rc;
    Plan *p = new_plan(w.method == BY_HASH ? PLAN_HASH_JOIN
                                           : PLAN_NESTED_LOOP, left);
    if (p == NULL) {
        plan_free(right);
        return no_memory();
    }
    p->right = right;
    p->rows = w.rows;
    p->left_join = it->join == JOIN_LEFT;
    for (uint32_t i = 0; w.method == BY_HASH && i < pl->n; i++) {
        Expr *inner, *outer;
        if (!hash_key(pl, i, j, &inner, &outer))
            continue;
        Expr **k = realloc(p->keys, (p->n_keys + 1) * sizeof *k);
        Expr **bk = k ? realloc(p->build_keys,
                                (p->n_keys + 1) * sizeof *bk) : NULL;
        if (k != NULL)
            p->keys = k;
        if (bk == NULL) {
            rc = no_memory();
            goto fail;
        }
        p->build_keys = bk;
        p->keys[p->n_keys] = outer;
        p->build_keys[p->n_keys++] = inner;
        pl->used[i] = true;
        p->batches = w.batches;
    }
    rc = take(pl, joinable, (void *)j, &p->conditions, &p->n_conditions);
    if (rc != DB_OK)
        goto fail;
    *out = p;
    return DB_OK;

fail:
    p->child = NULL;
    plan_free(p);
    return rc;
}
/* book: end join */

/* --- join order ------------------------------------------------------- */

/* Up to this many FROM items, the order is searched over every subset
 * of them; beyond it, greedily (see the header). */
#define ORDER_DP_ITEMS 10

/* The cheapest order found for a set of items: its cost, the rows it
 * makes, and the item joined last (-1: none found yet). */
typedef struct Best {
    double cost, rows;
    int32_t last;
} Best;

/* The items that must be joined before ITEM: for the right item of a
 * LEFT JOIN, every item FROM names before it (its left side, which
 * its ON may read); none for any other item. */
static uint64_t needs_before(const Planner *pl, uint32_t item)
{
    return pl->bs->select->from->items[item].join == JOIN_LEFT
               ? item_bit(item) - 1 : 0;
}

/* Whether COST is cheaper than *BEST, by more than rounding: among
 * orders that cost the same the first found stays, the nearest to
 * FROM's. */
static bool cheaper(double cost, const Best *best)
{
    return best->last < 0 || cost < best->cost * (1 - 1e-9);
}

/* *TO becomes FROM, the items LEFT, joined to ITEM, when that is
 * cheaper. */
static DbStatus extend(Planner *pl, const Best *from, uint64_t left,
                       uint32_t item, bool no_hash, size_t work_mem,
                       Best *to)
{
    JoinStep j = {.item = item, .left = left, .no_hash = no_hash};
    Weighed w;
    DbStatus rc = weigh(pl, &j, from->rows, work_mem, false, &w);
    if (rc == DB_OK && cheaper(from->cost + w.cost, to))
        *to = (Best){from->cost + w.cost, w.rows, (int32_t)item};
    return rc;
}

/* The cost of the rows of BEST to the select: a sort when they do not
 * come in the wanted order, or, when they do, only the part read for
 * the rows a LIMIT needs. */
static double order_cost(const Planner *pl, const Best *best, bool ordered)
{
    const Order *order = pl->order;
    if (order == NULL)
        return best->cost;
    if (!ordered)
        return best->cost + sort_cost(best->rows);
    if (order->need >= 0 && best->rows > order->need)
        return best->cost * (order->need + 1) / best->rows;
    return best->cost;
}

/* book: begin join-order */
/* The order of N items (N <= ORDER_DP_ITEMS) by dynamic programming over
 * their subsets, as System R's: any[S] is the cheapest order of the set
 * S, found from the cheapest of each S less one item, joined to that
 * item as the inner side; ord[S] the same for orders that begin with
 * the item the ORDER BY is of, read in its order, and keep it (no hash
 * join). Subsets come in increasing number, so each S is complete
 * before it is extended. */
static DbStatus by_subsets(Planner *pl, size_t work_mem, Best *any,
                           Best *ord)
{
    uint32_t n = pl->bs->n_from;
    uint64_t all = item_bit(n) - 1;
    DbStatus rc = DB_OK;
    for (uint64_t s = 1; rc == DB_OK && s <= all; s++) {
        for (uint32_t t = 0; rc == DB_OK && t < n; t++) {
            if ((s & item_bit(t)) != 0 || (needs_before(pl, t) & ~s) != 0)
                continue;
            if (any[s].last >= 0)
                rc = extend(pl, &any[s], s, t, false, work_mem,
                            &any[s | item_bit(t)]);
            if (rc == DB_OK && ord[s].last >= 0)
                rc = extend(pl, &ord[s], s, t, true, work_mem,
                            &ord[s | item_bit(t)]);
        }
    }
    return rc;
}
/* book: end join-order */

/* The order of many items, greedily: from FIRST (-1: the item cheapest
 * to read alone, at *best), the cheapest item to join next, until all
 * are; into CHAIN, and its cost at *best. */
static DbStatus by_greedy(Planner *pl, size_t work_mem, int32_t first,
                          bool no_hash, uint32_t *chain, Best *best)
{
    uint32_t n = pl->bs->n_from;
    if (first < 0) {
        for (uint32_t t = 0; t < n; t++) {
            Best alone = {pl->alone_cost[t], pl->alone_rows[t], (int32_t)t};
            if (needs_before(pl, t) == 0 && cheaper(alone.cost, best))
                *best = alone;
        }
        first = best->last;
    }
    chain[0] = (uint32_t)first;
    uint64_t left = item_bit(chain[0]);
    for (uint32_t k = 1; k < n; k++) {
        Best next = {.last = -1};
        for (uint32_t t = 0; t < n; t++) {
            if ((left & item_bit(t)) != 0 ||
                (needs_before(pl, t) & ~left) != 0)
                continue;
            DbStatus rc = extend(pl, best, left, t, no_hash, work_mem,
                                 &next);
            if (rc != DB_OK)
                return rc;
        }
        chain[k] = (uint32_t)next.last;
        left |= item_bit(chain[k]);
        *best = next;
    }
    return DB_OK;
}

/* The order in which to join the FROM items, into CHAIN (its first item
 * the outermost); *ordered: the first item is read in the order the
 * select wants (pl->order), and every join keeps it. */
static DbStatus choose_order(Planner *pl, size_t work_mem, uint32_t *chain,
                             bool *ordered)
{
    uint32_t n = pl->bs->n_from;
    *ordered = false;
    for (uint32_t i = 0; i < n; i++)
        chain[i] = i;
    if (n == 1 && pl->order == NULL)
        return DB_OK;
    if (n > 63) {
        /* Bit 63 of reads is taken as shared: FROM's order. */
        return DB_OK;
    }
    /* The item the ORDER BY is of, read in its order, first (if it
     * can be: not a LEFT JOIN's right item). */
    Best seed = {.last = -1};
    if (pl->order != NULL && needs_before(pl, pl->order_item) == 0) {
        Path path;
        DbStatus rc = choose_path(pl, pl->order_item, 0, pl->order, &path);
        if (rc != DB_OK)
            return rc;
        if (path.ordered)
            seed = (Best){path.cost, path.rows, (int32_t)pl->order_item};
        path_free(&path);
    }
    Best any, ord = {.last = -1};
    DbStatus rc = DB_OK;
    uint32_t *ord_chain = NULL;
    if (n <= ORDER_DP_ITEMS) {
        uint64_t all = item_bit(n) - 1;
        Best *cells = malloc(2 * (all + 1) * sizeof *cells);
        if (cells == NULL)
            return no_memory();
        Best *any_of = cells, *ord_of = cells + all + 1;
        for (uint64_t s = 0; s <= all; s++)
            any_of[s] = ord_of[s] = (Best){.last = -1};
        for (uint32_t t = 0; t < n; t++)
            if (needs_before(pl, t) == 0)
                any_of[item_bit(t)] = (Best){pl->alone_cost[t],
                                             pl->alone_rows[t], (int32_t)t};
        if (seed.last >= 0)
            ord_of[item_bit(pl->order_item)] = seed;
        rc = by_subsets(pl, work_mem, any_of, ord_of);
        any = any_of[all];
        ord = ord_of[all];
        /* The chosen order, from its last item back. */
        bool use_ord = ord.last >= 0 &&
                       order_cost(pl, &ord, true) <
                           order_cost(pl, &any, false);
        Best *from = use_ord ? ord_of : any_of;
        uint64_t s = all;
        for (uint32_t k = n; rc == DB_OK && k > 0; k--) {
            chain[k - 1] = (uint32_t)from[s].last;
            s &= ~item_bit(chain[k - 1]);
        }
        *ordered = use_ord;
        free(cells);
        return rc;
    }
    any = (Best){.last = -1};
    rc = by_greedy(pl, work_mem, -1, false, chain, &any);
    if (rc == DB_OK && seed.last >= 0) {
        ord_chain = malloc(n * sizeof *ord_chain);
        ord = seed;
        rc = ord_chain ? by_greedy(pl, work_mem, seed.last, true, ord_chain,
                                   &ord)
                       : no_memory();
        if (rc == DB_OK && order_cost(pl, &ord, true) <
                               order_cost(pl, &any, false)) {
            memcpy(chain, ord_chain, n * sizeof *chain);
            *ordered = true;
        }
    }
    free(ord_chain);
    return rc;
}

static bool any_left(Planner *pl, uint32_t i, void *ctx)
{
    (void)pl;
    (void)i;
    (void)ctx;
    return true;
}

/* The plan of each FROM subquery, and what each item costs to read on
 * its own, for the order's search. */
static DbStatus weigh_items(Planner *pl)
{
    BoundSelect *bs = pl->bs;
    uint32_t n = bs->n_from;
    pl->subs = calloc(n, sizeof *pl->subs);
    pl->alone_cost = calloc(n, sizeof *pl->alone_cost);
    pl->alone_rows = calloc(n, sizeof *pl->alone_rows);
    if (pl->subs == NULL || pl->alone_cost == NULL || pl->alone_rows == NULL)
        return no_memory();
    for (uint32_t i = 0; i < n; i++) {
        DbStatus rc;
        if (pl->b->sources[bs->from_sources[i]].sub != NULL) {
            /* Planning it may add sources, and move the array. */
            rc = plan_select(pl->b, pl->b->sources[bs->from_sources[i]].sub,
                             &pl->subs[i]);
            if (rc != DB_OK)
                return rc;
            /* Read once per outer row, as a nested loop does. */
            pl->alone_cost[i] = pl->alone_rows[i] = pl->subs[i]->rows;
            continue;
        }
        Path path;
        rc = choose_path(pl, i, 0, NULL, &path);
        if (rc != DB_OK)
            return rc;
        pl->alone_cost[i] = path.cost;
        pl->alone_rows[i] = path.rows;
        path_free(&path);
    }
    return DB_OK;
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
    if (rc == DB_OK && bs->n_from > 0)
        rc = weigh_items(pl);
    if (rc != DB_OK)
        return rc;

    Plan *p;
    if (bs->n_from == 0) {
        p = new_plan(PLAN_ONE_ROW, NULL);
        if (p == NULL)
            return no_memory();
        p->rows = 1;
    } else {
        uint32_t *chain = malloc(bs->n_from * sizeof *chain);
        if (chain == NULL)
            return no_memory();
        rc = choose_order(pl, work_mem, chain, &pl->ordered);
        /* The first item, then each next one joined to those before. */
        Path path = {0};
        uint32_t first = chain[0];
        if (rc == DB_OK && pl->b->sources[bs->from_sources[first]].sub == NULL)
            rc = choose_path(pl, first, 0, pl->ordered ? pl->order : NULL,
                             &path);
        if (rc == DB_OK)
            rc = access(pl, first, &path, &p);
        path_free(&path);
        JoinStep step = {.left = item_bit(first), .no_hash = pl->ordered};
        for (uint32_t k = 1; rc == DB_OK && k < bs->n_from; k++) {
            step.item = chain[k];
            Plan *joined = NULL;
            rc = join(pl, p, &step, work_mem, &joined);
            if (rc != DB_OK)
                plan_free(p);
            else
                p = joined;
            step.left |= item_bit(chain[k]);
        }
        free(chain);
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
/* A literal integer of at least 0, or -1. */
static double literal_count(const Expr *e)
{
    return e && e->kind == EXPR_LITERAL && e->value.type == VALUE_INTEGER &&
                   e->value.i >= 0
               ? (double)e->value.i : -1;
}

/* The order a select wants the rows of one of its tables in (*item),
 * when an index could give it: each ORDER BY key a column of that
 * table, no aggregation or DISTINCT in between (nested loops keep the
 * order of their outer rows: a plan that reads the table first keeps
 * it when no join is a hash join). *order's columns are the caller's
 * to free. false: none. */
static bool wanted_order(Binding *b, BoundSelect *bs, Order *order,
                         uint32_t *item)
{
    *order = (Order){0};
    if (bs->n_order == 0 || bs->n_from == 0 || bs->aggregated ||
        bs->select->distinct)
        return false;
    const Expr *key = bs->order_exprs[0] ? bs->order_exprs[0]
                                         : bs->results[bs->order_result[0]];
    for (*item = 0; *item < bs->n_from; (*item)++)
        if (key->kind == EXPR_COLUMN &&
            (uint32_t)key->source == bs->from_sources[*item])
            break;
    if (*item == bs->n_from ||
        b->sources[bs->from_sources[*item]].sub != NULL)
        return false;
    order->columns = calloc(bs->n_order, sizeof *order->columns);
    if (order->columns == NULL)
        return false;
    order->n = bs->n_order;
    order->desc = bs->order_desc;
    for (uint32_t i = 0; i < bs->n_order; i++) {
        const Expr *e = bs->order_exprs[i]
                            ? bs->order_exprs[i]
                            : bs->results[bs->order_result[i]];
        if (e->kind != EXPR_COLUMN ||
            (uint32_t)e->source != bs->from_sources[*item]) {
            free(order->columns);
            order->columns = NULL;
            return false;
        }
        order->columns[i] = e->column;
    }
    double limit = literal_count(bs->select->limit);
    double offset = bs->select->offset ? literal_count(bs->select->offset)
                                       : 0;
    order->need = limit >= 0 && offset >= 0 ? limit + offset : -1;
    return true;
}

static DbStatus plan_one(Binding *b, BoundSelect *bs, bool with_order,
                         Plan **out)
{
    size_t work_mem = db_work_mem(b->db);
    Planner pl = {.b = b, .bs = bs};
    Order order;
    if (with_order && wanted_order(b, bs, &order, &pl.order_item))
        pl.order = &order;
    DbStatus rc = plan_select_subqueries(b, bs);
    Plan *p = NULL;
    if (rc == DB_OK)
        rc = plan_from(&pl, work_mem, &p);
    if (pl.order != NULL)
        free(order.columns);
    if (pl.ordered)
        with_order = false; /* the scan gives the order */
    planner_free(&pl);
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
        double limit = literal_count(l->limit);
        l->rows = limit >= 0 ? fmin(p->rows, limit) : p->rows;
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
    Path path = {0};
    if (rc == DB_OK)
        rc = choose_path(&pl, 0, 0, NULL, &path);
    if (rc == DB_OK)
        rc = access(&pl, 0, &path, out);
    path_free(&path);
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
    planner_free(&pl);
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
    free(p->index.eq);
    free(p->index.is_equal);
    free(p->index.affinities);
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
            value_format_real(e->value.r, buf, sizeof buf);
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
    bool analyze;              /* show what each node's run did */
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

/* What an index scan reads, as "(b = 5 AND c > 2)". */
static void put_index_range(Explain *x, const Plan *p, Text *t)
{
    const IndexRange *r = &p->index;
    const IndexDef *ix = r->index;
    uint32_t n = 0;
    for (uint32_t i = 0; i <= r->n_eq && i < ix->n_columns; i++) {
        const char *name = p->table->columns[ix->columns[i]].name;
        const Expr *ends[2] = {NULL, NULL};
        const char *ops[2] = {NULL, NULL};
        if (i < r->n_eq && (int32_t)i == r->in_column) {
            put(t, n++ ? " AND " : "  (");
            put(t, name);
            put(t, " IN (");
            put_list(x->b, r->eq[i]->list, t);
            put(t, ")");
            continue;
        }
        if (i < r->n_eq && r->eq[i] == NULL) {
            put(t, n++ ? " AND " : "  (");
            put(t, name);
            put(t, " IS NULL");
            continue;
        }
        if (i < r->n_eq) {
            ends[0] = r->eq[i];
            ops[0] = r->is_equal[i] ? " IS " : " = ";
        } else {
            ends[0] = r->low;
            ops[0] = r->low_open ? " > " : " >= ";
            ends[1] = r->high;
            ops[1] = r->high_open ? " < " : " <= ";
        }
        for (int e = 0; e < 2; e++) {
            if (ends[e] == NULL)
                continue;
            put(t, n++ ? " AND " : "  (");
            put(t, name);
            put(t, ops[e]);
            put_expr(x->b, ends[e], t);
        }
    }
    if (n > 0)
        put(t, ")");
}

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
        put(&t, p->range.backward ? "Scan Backward " : "Scan ");
        put(&t, p->table->name);
        if (s->name && strcmp(s->name, p->table->name) != 0) {
            put(&t, " AS ");
            put(&t, s->name);
        }
        if (p->range.in != NULL) {
            put(&t, " (row id IN (");
            put_list(x->b, p->range.in->list, &t);
            put(&t, "))");
        } else if (p->range.low != NULL && p->range.low == p->range.high) {
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
    case PLAN_INDEX_SCAN:
        put(&t, p->index.backward ? "Index Scan Backward using "
                                  : "Index Scan using ");
        put(&t, p->index.index->name);
        put(&t, " on ");
        put(&t, p->table->name);
        if (s->name && strcmp(s->name, p->table->name) != 0) {
            put(&t, " AS ");
            put(&t, s->name);
        }
        put_index_range(x, p, &t);
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
    /* Its estimate, as PostgreSQL shows one: a whole number of rows, at
     * least 1 unless none. */
    snprintf(num, sizeof num, "  (rows=%.0f)",
             p->rows > 0 && p->rows < 1 ? 1 : p->rows);
    put(&t, num);
    if (x->analyze && p->loops == 0) {
        put(&t, "  (never run)");
    } else if (x->analyze) {
        char actual[96];
        snprintf(actual, sizeof actual, "  (actual rows=%.0f loops=%" PRIu64
                 " time=%.3f ms)", (double)p->actual_rows / (double)p->loops,
                 p->loops, p->seconds * 1000);
        put(&t, actual);
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

DbStatus plan_explain_analyze(const Binding *b, const Plan *plan,
                              DbStatus (*line)(void *ctx,
                                               const char *text),
                              void *ctx)
{
    Explain x = {.b = b, .line = line, .ctx = ctx, .analyze = true};
    return explain_node(&x, plan, 0);
}

static void time_expr(Expr *e);

static void time_exprs(Expr **list, uint32_t n)
{
    for (uint32_t i = 0; list && i < n; i++)
        time_expr(list[i]);
}

/* The plans of the subqueries in E. */
static void time_expr(Expr *e)
{
    if (e == NULL)
        return;
    if (e->plan != NULL)
        plan_time(e->plan);
    time_expr(e->left);
    time_expr(e->right);
    time_expr(e->third);
    for (uint32_t i = 0; e->list && i < e->list->n; i++)
        time_expr(e->list->items[i].expr);
}

void plan_time(Plan *p)
{
    if (p == NULL)
        return;
    p->timed = true;
    plan_time(p->child);
    plan_time(p->right);
    time_exprs(p->conditions, p->n_conditions);
    time_exprs(p->keys, p->n_keys);
    time_exprs(p->build_keys, p->n_keys);
    time_expr(p->range.low);
    time_expr(p->range.high);
    time_expr(p->range.in);
    time_exprs(p->index.eq, p->index.n_eq);
    time_expr(p->index.low);
    time_expr(p->index.high);
    time_expr(p->limit);
    time_expr(p->offset);
    if (p->kind == PLAN_PROJECT)
        time_exprs(p->exprs, p->n_exprs);
    if (p->kind == PLAN_AGGREGATE) {
        time_exprs(p->bs->group_exprs, p->bs->n_group);
        time_exprs(p->bs->aggregates, p->bs->n_aggregates);
    }
}
