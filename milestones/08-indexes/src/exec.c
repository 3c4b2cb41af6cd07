/*
 * exec.c - the executor: each plan operator as an iterator, and the
 * evaluation of expressions over the current rows.
 *
 * Owns: what each operator does with the rows of its children, the
 * running state of a plan (cursors, hash tables, sorts), three-valued
 * logic, and subqueries run for the expressions that hold them.
 * Does not: choose operators (plan.c does), or parse, bind or change
 * tables (stmt.c runs statements).
 *
 * Rows are pulled from the top: the projection asks its child for a
 * row, which asks its own, down to the scans. Nothing is copied on the
 * way up: an operator makes a row by pointing its source at values (a
 * scan at the record it just decoded, a sort at the row it just merged),
 * and every expression above reads the current row of each source.
 *
 *          Project: name, (price * 2)          <- next()
 *            Filter: (price > 10)               <- next()
 *              Scan items                        <- next(): decodes a row
 *
 * An index scan walks two trees: the index's keys in a range, in key
 * order, and for each key the table's row, by the row id at the key's
 * end (a descent of the table's tree per row):
 *
 *   index t_b:  ['abc' | 7] ['abd' | 2] ['abd' | 9] ['b' | 4] ...
 *                  seek ^-------- b >= 'abc' AND b < 'b' --^ stop
 *   table t:    row 7, row 2, row 9
 *
 * Backward (for an ORDER BY against the index's order), the same keys
 * from the last before the stop back to the seek's: rows 9, 2, 7.
 */
#include "exec.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "func.h"
#include "parse.h"
#include "sort.h"

/* A hash table entry of a hash join: a copy of a row of the inner side
 * and its keys. */
typedef struct HashEntry {
    struct HashEntry *next;
    uint64_t hash;
    Value *keys;
    Value *row;
} HashEntry;

/* A range of an index's keys: from START (NULL: the first key) up to,
 * not including, END (NULL: past the last). */
typedef struct KeyRange {
    uint8_t *start, *end;
    size_t start_size, end_size;
} KeyRange;

/* The running state of one plan node. */
typedef struct PlanState {
    Arena arena;           /* values this node made for its row */
    Arena scratch;         /* values made while deciding, per row */
    Value *values;         /* its row: a decoded record, a projection */
    Value *nulls;          /* a row of NULLs (the right of a LEFT JOIN) */
    bool done;

    /* PLAN_SCAN */
    Btree *tree;
    BtreeCursor cursor;
    bool cursor_open;
    bool started, empty;
    int64_t low, high;     /* a backward scan stops below LOW */
    bool has_low, has_high;
    int64_t *rowids;       /* rowid IN (list): the row ids, in order */
    uint32_t n_rowids, rowid_at;
    ColumnType *types;

    /* PLAN_INDEX_SCAN (with tree and cursor above: the table's, for
     * fetching each row): the index's tree and cursor, and the ranges of
     * its keys to read, in key order. */
    Btree *index_tree;
    BtreeCursor index_cursor;
    KeyRange *ranges;
    uint32_t n_ranges, range_at, ranges_cap;

    /* PLAN_NESTED_LOOP, PLAN_HASH_JOIN */
    bool have_outer, matched;

    /* PLAN_HASH_JOIN */
    HashEntry **buckets;
    uint32_t n_buckets;
    HashEntry *chain;      /* the entry to try next for this outer row */
    uint64_t chain_hash;   /* ... and the hash of its keys */
    Value *probe;          /* this outer row's keys ... */
    Arena values_arena;    /* ... and what they hold */
    uint64_t batch_rows;   /* rows of the right side in the table */
    uint32_t batches;      /* batches so far */
    bool right_done;       /* the right side has given every row */

    /* PLAN_SORT, PLAN_SET_OP, PLAN_AGGREGATE */
    Sorter *sorter;
    Value *previous;       /* the last row given, for DISTINCT */
    bool have_previous;
    Value *pending;        /* AGGREGATE: the first row of the next group */
    bool have_pending;
    AggState *aggs;
    Value **shadow;        /* AGGREGATE: per kept source, its row */

    /* PLAN_LIMIT */
    int64_t limit, offset, given;

    /* PLAN_APPEND */
    bool on_right;

} PlanState;

/* What a subquery of an expression keeps between its runs: its answer
 * when nothing it reads can change (it is not correlated). */
typedef struct Kept {
    Arena scratch;
    bool cached;
    Value cache;
    Arena cache_arena;
    Value *set;            /* IN (SELECT ...) run once: its values ... */
    uint64_t set_n;
    bool set_has_null;     /* ... and whether one was NULL */
    bool set_numbers;      /* every value of the set is a number */
    bool set_texts;        /* ... or every one a text */
} Kept;

static void free_kept(void *p)
{
    Kept *k = p;
    arena_free(&k->scratch);
    arena_free(&k->cache_arena);
    free(k->set);
    free(k);
}

static const Value NULL_VALUE = {.type = VALUE_NULL};

static DbStatus no_memory(void)
{
    return db_fail(DB_ENOMEM, "out of memory");
}

/* A row of N values, all NULL. */
static Value *null_row(uint32_t n)
{
    Value *row = calloc(n + 1, sizeof *row);
    return row;
}

/* --- expressions ------------------------------------------------------ */

static DbStatus run_subquery(ExecContext *ctx, const Expr *e, Value *out);

/* The truth of E: 1, 0, or NULL (unknown), as an integer value. */
static Value truth_value(bool value, bool is_null)
{
    return is_null ? NULL_VALUE
                   : (Value){.type = VALUE_INTEGER, .i = value ? 1 : 0};
}

/* exec_eval, with its two commonest cases, a column and a literal, done
 * here without the call: the operands of nearly every comparison. */
static DbStatus eval_operand(ExecContext *ctx, Arena *arena, const Expr *e,
                             Value *out)
{
    if (e->aggregate < 0 && e->kind == EXPR_COLUMN) {
        const Value *row = ctx->rows[e->source];
        *out = row ? row[e->column] : NULL_VALUE;
        return DB_OK;
    }
    if (e->kind == EXPR_LITERAL && e->aggregate < 0) {
        *out = e->value;
        return DB_OK;
    }
    return exec_eval(ctx, arena, e, out);
}

static DbStatus eval_compare(ExecContext *ctx, Arena *arena, const Expr *e,
                             Value *out)
{
    Value l, r;
    DbStatus rc = eval_operand(ctx, arena, e->left, &l);
    if (rc == DB_OK)
        rc = eval_operand(ctx, arena, e->right, &r);
    if (rc != DB_OK)
        return rc;
    if (e->op == TK_IS || e->op == TK_ISNOT) {
        /* IS: equal, NULL counting as equal to NULL. */
        bool l_null = l.type == VALUE_NULL, r_null = r.type == VALUE_NULL;
        bool is_null, same = l_null && r_null;
        if (!l_null && !r_null)
            same = value_compare_for(&l, e->left->affinity, &r,
                                     e->right->affinity, &is_null) == 0;
        *out = truth_value(e->op == TK_IS ? same : !same, false);
        return DB_OK;
    }
    bool is_null;
    int c = value_compare_for(&l, e->left->affinity, &r, e->right->affinity,
                              &is_null);
    bool v;
    switch (e->op) {
    case TK_EQ: v = c == 0; break;
    case TK_NE: v = c != 0; break;
    case TK_LT: v = c < 0; break;
    case TK_LE: v = c <= 0; break;
    case TK_GT: v = c > 0; break;
    default: v = c >= 0; break;
    }
    *out = truth_value(v, is_null);
    return DB_OK;
}

/* book: begin three-valued */
/* AND and OR in three-valued logic: false AND unknown is false, true OR
 * unknown is true; otherwise unknown stays unknown. The right side is
 * not evaluated when the left decides. */
static DbStatus eval_logic(ExecContext *ctx, Arena *arena, const Expr *e,
                           Value *out)
{
    Value l, r;
    DbStatus rc = exec_eval(ctx, arena, e->left, &l);
    if (rc != DB_OK)
        return rc;
    bool l_null, r_null;
    bool lv = value_truth(&l, &l_null);
    bool and = e->op == TK_AND;
    if (!l_null && lv != and) {
        *out = truth_value(lv, false); /* false AND .., true OR .. */
        return DB_OK;
    }
    rc = exec_eval(ctx, arena, e->right, &r);
    if (rc != DB_OK)
        return rc;
    bool rv = value_truth(&r, &r_null);
    if (!r_null && rv != and)
        *out = truth_value(rv, false);
    else
        *out = truth_value(and, l_null || r_null);
    return DB_OK;
}
/* book: end three-valued */

static DbStatus eval_between(ExecContext *ctx, Arena *arena, const Expr *e,
                             Value *out)
{
    Value x, lo, hi;
    DbStatus rc = exec_eval(ctx, arena, e->left, &x);
    if (rc == DB_OK)
        rc = exec_eval(ctx, arena, e->right, &lo);
    if (rc == DB_OK)
        rc = exec_eval(ctx, arena, e->third, &hi);
    if (rc != DB_OK)
        return rc;
    bool n1, n2;
    bool ge = value_compare_for(&x, e->left->affinity, &lo,
                                e->right->affinity, &n1) >= 0;
    bool le = value_compare_for(&x, e->left->affinity, &hi,
                                e->third->affinity, &n2) <= 0;
    /* x >= lo AND x <= hi, three-valued. */
    Value v;
    if ((!n1 && !ge) || (!n2 && !le))
        v = truth_value(false, false);
    else
        v = truth_value(true, n1 || n2);
    if (e->negated && v.type != VALUE_NULL)
        v.i = !v.i;
    *out = v;
    return DB_OK;
}

/* X IN (list): true if X equals one of them; else unknown if X or one of
 * them is NULL; else false. */
static DbStatus eval_in_list(ExecContext *ctx, Arena *arena, const Expr *e,
                             Value *out)
{
    Value x;
    DbStatus rc = exec_eval(ctx, arena, e->left, &x);
    if (rc != DB_OK)
        return rc;
    bool found = false, saw_null = false;
    uint32_t n = e->list ? e->list->n : 0;
    for (uint32_t i = 0; i < n && !found; i++) {
        Value v;
        const Expr *item = e->list->items[i].expr;
        rc = exec_eval(ctx, arena, item, &v);
        if (rc != DB_OK)
            return rc;
        /* Only x's affinity applies, to every item, as in SQLite. */
        bool is_null;
        found = value_compare_for(&x, e->left->affinity, &v, AFFINITY_NONE,
                                  &is_null) == 0 && !is_null;
        saw_null |= is_null;
    }
    if (n == 0)
        *out = truth_value(e->negated, false); /* x IN () is false */
    else if (found)
        *out = truth_value(!e->negated, false);
    else
        *out = truth_value(e->negated, saw_null);
    return DB_OK;
}

static DbStatus eval_like(ExecContext *ctx, Arena *arena, const Expr *e,
                          Value *out)
{
    Value x, pattern, escape = NULL_VALUE;
    DbStatus rc = exec_eval(ctx, arena, e->left, &x);
    if (rc == DB_OK)
        rc = exec_eval(ctx, arena, e->right, &pattern);
    if (rc == DB_OK && e->third != NULL)
        rc = exec_eval(ctx, arena, e->third, &escape);
    if (rc != DB_OK)
        return rc;
    if (x.type == VALUE_NULL || pattern.type == VALUE_NULL ||
        (e->third != NULL && escape.type == VALUE_NULL)) {
        *out = NULL_VALUE;
        return DB_OK;
    }
    Value xt, pt, et;
    rc = value_to_text(arena, &x, &xt);
    if (rc == DB_OK)
        rc = value_to_text(arena, &pattern, &pt);
    int esc = -1;
    if (rc == DB_OK && e->third != NULL) {
        rc = value_to_text(arena, &escape, &et);
        if (rc == DB_OK && et.text.n != 1)
            return db_fail_at(DB_ESYNTAX, e->third->pos, "ESCAPE expression "
                              "must be a single character");
        esc = (unsigned char)et.text.s[0];
    }
    if (rc != DB_OK)
        return rc;
    bool m = value_like(xt.text.s, xt.text.n, pt.text.s, pt.text.n, esc);
    *out = truth_value(e->negated ? !m : m, false);
    return DB_OK;
}

static DbStatus eval_case(ExecContext *ctx, Arena *arena, const Expr *e,
                          Value *out)
{
    Value operand;
    DbStatus rc = DB_OK;
    if (e->left != NULL)
        rc = exec_eval(ctx, arena, e->left, &operand);
    for (uint32_t i = 0; rc == DB_OK && i + 1 < e->list->n; i += 2) {
        const Expr *when = e->list->items[i].expr;
        Value w;
        rc = exec_eval(ctx, arena, when, &w);
        if (rc != DB_OK)
            break;
        bool hit, is_null;
        if (e->left != NULL)
            hit = value_compare_for(&operand, e->left->affinity, &w,
                                    when->affinity, &is_null) == 0 &&
                  !is_null;
        else
            hit = value_truth(&w, &is_null) && !is_null;
        if (hit)
            return exec_eval(ctx, arena, e->list->items[i + 1].expr, out);
    }
    if (rc != DB_OK)
        return rc;
    if (e->right != NULL)
        return exec_eval(ctx, arena, e->right, out);
    *out = NULL_VALUE;
    return DB_OK;
}

static DbStatus eval_function(ExecContext *ctx, Arena *arena,
                              const Expr *e, Value *out)
{
    uint32_t n = e->list ? e->list->n : 0;
    Value args_small[8];
    Value *args = n <= 8 ? args_small : arena_alloc(arena, n * sizeof *args);
    if (args == NULL)
        return no_memory();
    for (uint32_t i = 0; i < n; i++) {
        DbStatus rc = exec_eval(ctx, arena, e->list->items[i].expr,
                                &args[i]);
        if (rc != DB_OK)
            return rc;
    }
    DbStatus rc = func_call(e->function, arena, args, n, out);
    if (rc != DB_OK && db_errpos() < 0)
        return db_fail_at(rc, e->pos, "%s", db_errmsg());
    return rc;
}

DbStatus exec_eval(ExecContext *ctx, Arena *arena, const Expr *e,
                   Value *out)
{
    Value v;
    DbStatus rc;
    if (e->aggregate >= 0) {
        /* Above the aggregation: the group's value. */
        const Value *row = ctx->rows[e->source];
        *out = row ? row[e->aggregate] : NULL_VALUE;
        return DB_OK;
    }
    switch (e->kind) {
    case EXPR_LITERAL:
        *out = e->value;
        return DB_OK;
    case EXPR_COLUMN: {
        const Value *row = ctx->rows[e->source];
        *out = row ? row[e->column] : NULL_VALUE;
        return DB_OK;
    }
    case EXPR_UNARY:
        rc = exec_eval(ctx, arena, e->left, &v);
        if (rc != DB_OK)
            return rc;
        if (e->op == TK_MINUS) {
            value_negate(&v, out);
        } else if (e->op == TK_NOT) {
            bool is_null, t = value_truth(&v, &is_null);
            *out = truth_value(!t, is_null);
        } else {
            *out = v;
        }
        return DB_OK;
    case EXPR_BINARY:
        switch (e->op) {
        case TK_AND:
        case TK_OR:
            return eval_logic(ctx, arena, e, out);
        case TK_PLUS:
        case TK_MINUS:
        case TK_STAR:
        case TK_SLASH:
        case TK_REM: {
            Value r;
            rc = exec_eval(ctx, arena, e->left, &v);
            if (rc == DB_OK)
                rc = exec_eval(ctx, arena, e->right, &r);
            return rc == DB_OK ? value_arith(e->op, &v, &r, out) : rc;
        }
        case TK_CONCAT: {
            Value r;
            rc = exec_eval(ctx, arena, e->left, &v);
            if (rc == DB_OK)
                rc = exec_eval(ctx, arena, e->right, &r);
            return rc == DB_OK ? value_concat(arena, &v, &r, out) : rc;
        }
        default:
            return eval_compare(ctx, arena, e, out);
        }
    case EXPR_IS_NULL:
        rc = exec_eval(ctx, arena, e->left, &v);
        *out = truth_value((v.type == VALUE_NULL) != e->negated, false);
        return rc;
    case EXPR_IS_TRUTH: {
        rc = exec_eval(ctx, arena, e->left, &v);
        bool is_null, truth = value_truth(&v, &is_null);
        bool holds = !is_null && truth == (e->value.i == 1);
        *out = truth_value(holds != e->negated, false);
        return rc;
    }
    case EXPR_BETWEEN:
        return eval_between(ctx, arena, e, out);
    case EXPR_LIKE:
        return eval_like(ctx, arena, e, out);
    case EXPR_IN_LIST:
        return eval_in_list(ctx, arena, e, out);
    case EXPR_CASE:
        return eval_case(ctx, arena, e, out);
    case EXPR_CAST:
        rc = exec_eval(ctx, arena, e->left, &v);
        return rc == DB_OK ? value_cast(arena, &v, e->affinity, out) : rc;
    case EXPR_FUNCTION:
        return eval_function(ctx, arena, e, out);
    case EXPR_SUBQUERY:
    case EXPR_EXISTS:
    case EXPR_IN_SELECT:
        return run_subquery(ctx, e, out);
    }
    *out = NULL_VALUE;
    return DB_OK;
}

/* Whether every one of the N conditions is true for the current rows. */
static DbStatus all_true(ExecContext *ctx, Arena *arena, Expr **conditions,
                         uint32_t n, bool *ok)
{
    *ok = true;
    for (uint32_t i = 0; i < n && *ok; i++) {
        Value v;
        DbStatus rc = exec_eval(ctx, arena, conditions[i], &v);
        if (rc != DB_OK)
            return rc;
        bool is_null;
        *ok = value_truth(&v, &is_null) && !is_null;
    }
    return DB_OK;
}

/* --- subqueries in expressions ---------------------------------------- */

static int by_value(const void *a, const void *b)
{
    return value_compare(a, b);
}

/* IN (SELECT ...) of a subquery that reads nothing of the rows around
 * it: its values, run once, sorted for a binary search. */
static DbStatus build_set(ExecContext *ctx, const Expr *e, Kept *st)
{
    Plan *plan = e->plan;
    st->set_numbers = st->set_texts = true;
    DbStatus rc = exec_open(ctx, plan);
    uint64_t cap = 0;
    while (rc == DB_OK) {
        bool has_row;
        rc = exec_next(ctx, plan, &has_row);
        if (rc != DB_OK || !has_row)
            break;
        Value v = ctx->rows[plan->source][0];
        if (v.type == VALUE_NULL) {
            st->set_has_null = true;
            continue;
        }
        if (st->set_n == cap) {
            cap = cap ? 2 * cap : 64;
            Value *grown = realloc(st->set, cap * sizeof *grown);
            if (grown == NULL) {
                rc = no_memory();
                break;
            }
            st->set = grown;
        }
        rc = arena_copy_value(&st->cache_arena, &v, &st->set[st->set_n++]);
    }
    exec_close(ctx, plan);
    if (rc == DB_OK && st->set_n > 1)
        qsort(st->set, st->set_n, sizeof *st->set, by_value);
    for (uint64_t i = 0; i < st->set_n; i++) {
        st->set_numbers &= st->set[i].type != VALUE_TEXT;
        st->set_texts &= st->set[i].type == VALUE_TEXT;
    }
    return rc;
}

/* Whether X is in the set of ST (sorted by value_compare). A binary
 * search agrees with the comparison only where no affinity can change a
 * value: a number among numbers, a text among texts of no numeric
 * affinity; anything else is compared one by one. */
static bool in_set(const Kept *st, const Value *x, char x_affinity,
                   char set_affinity)
{
    bool fast = (x->type != VALUE_TEXT && st->set_numbers) ||
                (x->type == VALUE_TEXT && st->set_texts &&
                 x_affinity != AFFINITY_INTEGER &&
                 x_affinity != AFFINITY_REAL &&
                 x_affinity != AFFINITY_NUMERIC);
    if (fast) {
        for (uint64_t lo = 0, hi = st->set_n; lo < hi;) {
            uint64_t mid = lo + (hi - lo) / 2;
            int c = value_compare(x, &st->set[mid]);
            if (c == 0)
                return true;
            if (c < 0)
                hi = mid;
            else
                lo = mid + 1;
        }
        return false;
    }
    for (uint64_t i = 0; i < st->set_n; i++) {
        bool is_null;
        if (value_compare_for(x, x_affinity, &st->set[i], set_affinity,
                              &is_null) == 0 && !is_null)
            return true;
    }
    return false;
}

/* book: begin run-subquery */
static DbStatus run_subquery(ExecContext *ctx, const Expr *e, Value *out)
{
    Plan *plan = e->plan;
    if (plan->kept == NULL) {
        if ((plan->kept = calloc(1, sizeof(Kept))) == NULL)
            return no_memory();
        plan->free_kept = free_kept;
    }
    Kept *st = plan->kept;
    arena_reset(&st->scratch);
    Value x = NULL_VALUE;
    DbStatus rc = DB_OK;
    if (e->kind == EXPR_IN_SELECT) {
        rc = exec_eval(ctx, &st->scratch, e->left, &x);
        if (rc != DB_OK)
            return rc;
    }
    if (!e->correlated && st->cached) {
        if (e->kind != EXPR_IN_SELECT) {
            *out = st->cache;
            return DB_OK;
        }
    } else if (!e->correlated && e->kind == EXPR_IN_SELECT) {
        rc = build_set(ctx, e, st);
        st->cached = rc == DB_OK;
        if (rc != DB_OK)
            return rc;
    }
    if (e->kind == EXPR_IN_SELECT && !e->correlated) {
        /* x IN set: found, or unknown if x or a value was NULL. */
        if (st->set_n == 0 && !st->set_has_null) {
            *out = truth_value(e->negated, false);
            return DB_OK;
        }
        if (x.type == VALUE_NULL) {
            *out = NULL_VALUE;
            return DB_OK;
        }
        bool found = in_set(st, &x, e->left->affinity,
                            e->bound->results[0]->affinity);
        *out = found ? truth_value(!e->negated, false)
                     : truth_value(e->negated, st->set_has_null);
        return DB_OK;
    }

    /* Run it: for its first row (a scalar, EXISTS), or through all its
     * rows (a correlated IN). */
    arena_reset(&st->cache_arena);
    rc = exec_open(ctx, plan);
    bool found = false, saw_null = false, has_row = false;
    *out = NULL_VALUE;
    while (rc == DB_OK) {
        rc = exec_next(ctx, plan, &has_row);
        if (rc != DB_OK || !has_row)
            break;
        const Value *row = ctx->rows[plan->source];
        if (e->kind == EXPR_SUBQUERY) {
            rc = arena_copy_value(&st->cache_arena, &row[0], out);
            break;
        }
        if (e->kind == EXPR_EXISTS)
            break;
        bool is_null;
        if (value_compare_for(&x, e->left->affinity, &row[0],
                              e->bound->results[0]->affinity,
                              &is_null) == 0 && !is_null) {
            found = true;
            break;
        }
        saw_null |= is_null;
    }
    exec_close(ctx, plan);
    if (rc != DB_OK)
        return rc;
    if (e->kind == EXPR_EXISTS)
        *out = truth_value(e->negated ? !has_row : has_row, false);
    else if (e->kind == EXPR_IN_SELECT)
        *out = found ? truth_value(!e->negated, false)
                     : x.type == VALUE_NULL && (has_row || saw_null)
                         ? NULL_VALUE
                         : truth_value(e->negated, saw_null);
    if (!e->correlated) {
        st->cache = *out;
        st->cached = true;
    }
    return DB_OK;
}
/* book: end run-subquery */

/* --- scans ------------------------------------------------------------ */

/* The first row id a range's low end lets in: V is the end's value, OPEN
 * whether it is > rather than >=. *none: no row id can be that high. */
static int64_t low_bound(const Value *v, bool open, bool *none, bool *all)
{
    Value n;
    *none = *all = false;
    value_numeric_affinity(v, &n);
    if (v->type == VALUE_NULL) {
        *none = true; /* id > NULL is never true */
        return 0;
    }
    if (n.type == VALUE_TEXT) {
        *none = true; /* a text is above every number */
        return 0;
    }
    if (n.type == VALUE_INTEGER) {
        if (open && n.i == INT64_MAX)
            *none = true;
        return open ? n.i + !*none : n.i;
    }
    double c = ceil(n.r);
    if (c > 9223372036854775807.0) {
        *none = true;
        return 0;
    }
    if (c < -9223372036854775808.0) {
        *all = true;
        return INT64_MIN;
    }
    int64_t i = (int64_t)c;
    return open && c == n.r && i < INT64_MAX ? i + 1 : i;
}

/* The last row id a range's high end lets in. */
static int64_t high_bound(const Value *v, bool open, bool *none, bool *all)
{
    Value n;
    *none = *all = false;
    value_numeric_affinity(v, &n);
    if (v->type == VALUE_NULL) {
        *none = true;
        return 0;
    }
    if (n.type == VALUE_TEXT) {
        *all = true; /* id < a text: every row id */
        return INT64_MAX;
    }
    if (n.type == VALUE_INTEGER) {
        if (open && n.i == INT64_MIN)
            *none = true;
        return open ? n.i - !*none : n.i;
    }
    double f = floor(n.r);
    if (f < -9223372036854775808.0) {
        *none = true;
        return 0;
    }
    if (f > 9223372036854775807.0) {
        *all = true;
        return INT64_MAX;
    }
    int64_t i = (int64_t)f;
    return open && f == n.r && i > INT64_MIN ? i - 1 : i;
}

/* Opens the tree of the scan's table and makes room for its rows, once:
 * a rewound scan has both (rewind_scan). */
static DbStatus table_open(ExecContext *ctx, Plan *p, PlanState *st)
{
    if (st->tree != NULL)
        return DB_OK;
    DbStatus rc = btree_open(db_pager(ctx->db), p->table->root, &st->tree);
    if (rc != DB_OK)
        return rc;
    uint32_t n = p->table->n_columns;
    st->values = calloc(n + 1, sizeof *st->values);
    st->types = calloc(n ? n : 1, sizeof *st->types);
    if (st->values == NULL || st->types == NULL)
        return no_memory();
    for (uint32_t i = 0; i < n; i++)
        st->types[i] = p->table->columns[i].type;
    return DB_OK;
}

static int by_rowid(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The row ids of rowid IN (list), each once, in order: the values that
 * are whole numbers as the comparison sees them (value_numeric_affinity:
 * '5' and 5.0 are 5; 5.5, 'x' and NULL name no row id). */
static DbStatus rowid_list(ExecContext *ctx, Plan *p, PlanState *st)
{
    const ExprList *list = p->range.in->list;
    uint32_t n = list ? list->n : 0;
    st->rowids = calloc(n ? n : 1, sizeof *st->rowids);
    if (st->rowids == NULL)
        return no_memory();
    for (uint32_t i = 0; i < n; i++) {
        Value v;
        DbStatus rc = exec_eval(ctx, &st->scratch, list->items[i].expr, &v);
        if (rc != DB_OK)
            return rc;
        bool none, all, none_high, all_high;
        int64_t low = low_bound(&v, false, &none, &all);
        int64_t high = high_bound(&v, false, &none_high, &all_high);
        if (!none && !all && !none_high && !all_high && low == high)
            st->rowids[st->n_rowids++] = low;
    }
    if (st->n_rowids > 1)
        qsort(st->rowids, st->n_rowids, sizeof *st->rowids, by_rowid);
    uint32_t kept = st->n_rowids ? 1 : 0;
    for (uint32_t i = 1; i < st->n_rowids; i++)
        if (st->rowids[i] != st->rowids[kept - 1])
            st->rowids[kept++] = st->rowids[i];
    st->n_rowids = kept;
    return DB_OK;
}

static DbStatus scan_open(ExecContext *ctx, Plan *p, PlanState *st)
{
    DbStatus rc = table_open(ctx, p, st);
    if (rc != DB_OK)
        return rc;
    if (p->range.in != NULL)
        return rowid_list(ctx, p, st);
    /* Where the range starts and ends, from values known now. */
    int64_t low = INT64_MIN;
    st->has_low = st->has_high = false;
    st->empty = false;
    if (p->range.low != NULL) {
        Value v;
        bool none, all;
        rc = exec_eval(ctx, &st->scratch, p->range.low, &v);
        if (rc != DB_OK)
            return rc;
        low = low_bound(&v, p->range.low_open, &none, &all);
        st->low = low;
        st->has_low = !all;
        st->empty |= none;
    }
    if (p->range.high != NULL) {
        Value v;
        bool none, all;
        rc = exec_eval(ctx, &st->scratch, p->range.high, &v);
        if (rc != DB_OK)
            return rc;
        st->high = high_bound(&v, p->range.high_open, &none, &all);
        st->has_high = !all;
        st->empty |= none;
    }
    if (st->empty)
        return DB_OK;
    bool found;
    if (p->range.backward)
        rc = st->has_high && st->high < INT64_MAX
                 ? btree_seek_before(st->tree, st->high + 1, &st->cursor)
                 : btree_last(st->tree, &st->cursor);
    else
        rc = p->range.low != NULL
                 ? btree_seek(st->tree, low, &st->cursor, &found)
                 : btree_first(st->tree, &st->cursor);
    st->cursor_open = true;
    st->started = false;
    return rc;
}

/* Decodes the row under the scan's cursor into its source. */
static DbStatus scan_row(ExecContext *ctx, Plan *p, PlanState *st)
{
    const uint8_t *payload;
    size_t size;
    DbStatus rc = btree_payload(&st->cursor, &payload, &size);
    if (rc != DB_OK)
        return rc; /* it names the row and the page */
    const TableDef *def = p->table;
    rc = record_decode(payload, size, st->types, def->n_columns,
                       st->values);
    if (rc != DB_OK)
        return db_fail(rc, "table \"%s\", row %" PRId64 ": %s", def->name,
                       st->cursor.key, db_errmsg());
    Value key = {.type = VALUE_INTEGER, .i = st->cursor.key};
    if (def->rowid_column >= 0)
        st->values[def->rowid_column] = key;
    st->values[def->n_columns] = key;
    ctx->rows[p->source] = st->values;
    return DB_OK;
}

static DbStatus scan_next(ExecContext *ctx, Plan *p, PlanState *st,
                          bool *has_row)
{
    *has_row = false;
    if (st->empty)
        return DB_OK;
    for (;;) {
        DbStatus rc;
        if (st->rowids != NULL) {
            /* The next row id of the list that the table has. */
            if (st->rowid_at == st->n_rowids)
                return DB_OK;
            bool found;
            btree_cursor_close(&st->cursor);
            rc = btree_seek(st->tree, st->rowids[st->rowid_at++],
                            &st->cursor, &found);
            st->cursor_open = true;
            if (rc != DB_OK)
                return rc;
            if (!found)
                continue;
        } else {
            bool back = p->range.backward;
            rc = !st->started ? DB_OK
                 : back       ? btree_prev(&st->cursor)
                              : btree_next(&st->cursor);
            st->started = true;
            if (rc != DB_OK || st->cursor.end_of_tree)
                return rc;
            if (back ? st->has_low && st->cursor.key < st->low
                     : st->has_high && st->cursor.key > st->high)
                return DB_OK;
        }
        rc = scan_row(ctx, p, st);
        if (rc != DB_OK)
            return rc;
        arena_reset(&st->scratch);
        bool ok;
        rc = all_true(ctx, &st->scratch, p->conditions, p->n_conditions,
                      &ok);
        if (rc != DB_OK || ok) {
            *has_row = rc == DB_OK;
            return rc;
        }
    }
}

/* --- index scans ------------------------------------------------------ */

/* Key order: memcmp, a key before the longer keys it is a prefix of. */
static int key_compare(const uint8_t *a, size_t a_size, const uint8_t *b,
                       size_t b_size)
{
    size_t n = a_size < b_size ? a_size : b_size;
    int c = n ? memcmp(a, b, n) : 0;
    if (c != 0)
        return c;
    return (a_size > b_size) - (a_size < b_size);
}

/* Makes KEY[0 .. *size) the smallest key above every key that starts
 * with it: its trailing 0xff bytes dropped, the last byte left raised.
 * false: there is none (no byte, or all 0xff). */
static bool key_successor(uint8_t *key, size_t *size)
{
    while (*size > 0 && key[*size - 1] == 0xff)
        (*size)--;
    if (*size == 0)
        return false;
    key[*size - 1]++;
    return true;
}

/* A copy of the N bytes of KEY in ARENA, into *out. */
static DbStatus keep_key(Arena *arena, const uint8_t *key, size_t n,
                         uint8_t **out)
{
    *out = arena_alloc(arena, n ? n : 1);
    if (*out == NULL)
        return no_memory();
    memcpy(*out, key, n);
    return DB_OK;
}

/* One end of a range of values: V (NULL: none), and whether V itself is
 * out. */
typedef struct Bound {
    const Value *v;
    bool open;
} Bound;

/* The keys of an index whose first N_EQ columns are EQ and whose next
 * column (DESC: descending in the key) lies between LOW and HIGH, as a
 * range of keys into *out (its ends in ARENA). *none: no key is in it.
 * A bound that does not fit in a key widens the range (the scan's
 * conditions still decide each row); equal values that do not fit
 * match nothing, since no key can hold them. */
static DbStatus key_range(const IndexDef *ix, const Value *eq, uint32_t n_eq,
                          Bound low, Bound high, bool ranged, Arena *arena,
                          KeyRange *out, bool *none)
{
    uint8_t key[BTREE_MAX_KEY];
    size_t n = 0;
    *none = false;
    *out = (KeyRange){0};
    for (uint32_t i = 0; i < n_eq; i++) {
        DbStatus rc = record_key_append(key, sizeof key, &n, &eq[i],
                                        ix->desc[i]);
        if (rc == DB_ETOOLONG) {
            *none = true;
            return DB_OK;
        }
        if (rc != DB_OK)
            return rc;
    }
    size_t prefix = n;
    /* END starts from the prefix too (START's successor may change it). */
    uint8_t end[BTREE_MAX_KEY];
    memcpy(end, key, prefix);
    /* In key order: a descending column's high end comes first. */
    bool desc = ranged && ix->desc[n_eq];
    Bound from = desc ? high : low, to = desc ? low : high;
    DbStatus rc = DB_OK;

    /* START: the prefix, the prefix and FROM, or the key after every
     * key that starts with those when FROM is open. */
    size_t m = prefix;
    bool widened = from.v == NULL;
    if (from.v != NULL) {
        rc = record_key_append(key, sizeof key, &m, from.v, desc);
        widened = rc == DB_ETOOLONG;
        if (widened)
            m = prefix;
        else if (rc != DB_OK)
            return rc;
    }
    if (from.v != NULL && from.open && !widened && !key_successor(key, &m)) {
        *none = true;
        return DB_OK;
    }
    if (m > 0) {
        rc = keep_key(arena, key, m, &out->start);
        out->start_size = m;
    }
    if (rc != DB_OK)
        return rc;

    /* END, not included: the key after every key that starts with the
     * prefix (and TO, when TO is in), or the prefix and an open TO. */
    m = prefix;
    widened = to.v == NULL;
    if (to.v != NULL) {
        rc = record_key_append(end, sizeof end, &m, to.v, desc);
        widened = rc == DB_ETOOLONG;
        if (widened)
            m = prefix;
        else if (rc != DB_OK)
            return rc;
    }
    if ((widened || !to.open) && !key_successor(end, &m))
        return DB_OK; /* to the last key */
    out->end_size = m;
    return keep_key(arena, end, m, &out->end);
}

static int by_start(const void *a, const void *b)
{
    const KeyRange *x = a, *y = b;
    if (x->start == NULL || y->start == NULL)
        return (x->start != NULL) - (y->start != NULL);
    return key_compare(x->start, x->start_size, y->start, y->start_size);
}

/* The value of probe E, converted as its comparison with index column
 * COL converts it (E's side having AFFINITY there), into *out; E NULL
 * (x IS NULL): NULL. */
static DbStatus probe(ExecContext *ctx, Arena *arena, const Plan *p,
                      uint32_t col, const Expr *e, char affinity,
                      Value *out)
{
    Value v = NULL_VALUE;
    DbStatus rc = e == NULL ? DB_OK : exec_eval(ctx, arena, e, &v);
    if (rc != DB_OK)
        return rc;
    const Column *c = &p->table->columns[p->index.index->columns[col]];
    return value_compare_operand(arena, &v, affinity,
                                 value_type_affinity(c->type), out);
}

/* Evaluates the probes and makes the ranges of keys the scan reads. */
static DbStatus index_ranges(ExecContext *ctx, Plan *p, PlanState *st,
                             Arena *arena)
{
    const IndexRange *r = &p->index;
    Value *eq = arena_alloc(arena, (r->n_eq + 1) * sizeof *eq);
    if (eq == NULL)
        return no_memory();
    bool empty = false;
    DbStatus rc = DB_OK;
    for (uint32_t i = 0; rc == DB_OK && i < r->n_eq; i++) {
        if ((int32_t)i == r->in_column)
            continue;
        rc = probe(ctx, arena, p, i, r->eq[i], r->affinities[i], &eq[i]);
        empty |= eq[i].type == VALUE_NULL && !r->is_equal[i];
    }
    Value low, high;
    Bound lo = {NULL, false}, hi = {NULL, false};
    if (rc == DB_OK && r->low != NULL) {
        rc = probe(ctx, arena, p, r->n_eq, r->low, r->affinities[r->n_eq],
                   &low);
        lo = (Bound){&low, r->low_open};
        empty |= low.type == VALUE_NULL;
    }
    if (rc == DB_OK && r->high != NULL) {
        rc = probe(ctx, arena, p, r->n_eq, r->high,
                   r->affinities[r->n_eq + 1], &high);
        hi = (Bound){&high, r->high_open};
        empty |= high.type == VALUE_NULL;
    }
    /* A range with no low end still leaves out the NULLs: x < 5 is
     * never true of a NULL x. */
    static const Value null = {.type = VALUE_NULL};
    bool ranged = r->low != NULL || r->high != NULL;
    if (ranged && r->low == NULL)
        lo = (Bound){&null, true};
    if (rc != DB_OK || empty)
        return rc;

    /* The values of the IN list, or one lookup without one. */
    const ExprList *list = r->in_column >= 0 ? r->eq[r->in_column]->list
                                             : NULL;
    uint32_t n = r->in_column >= 0 ? (list ? list->n : 0) : 1;
    if (n > st->ranges_cap) {
        free(st->ranges);
        st->ranges_cap = 0;
        if ((st->ranges = calloc(n, sizeof *st->ranges)) == NULL)
            return no_memory();
        st->ranges_cap = n;
    }
    for (uint32_t i = 0; rc == DB_OK && i < n; i++) {
        if (list != NULL) {
            Value *v = &eq[r->in_column];
            rc = probe(ctx, arena, p, (uint32_t)r->in_column,
                       list->items[i].expr, AFFINITY_NONE, v);
            if (rc != DB_OK || v->type == VALUE_NULL)
                continue;
        }
        bool none;
        rc = key_range(r->index, eq, r->n_eq, lo, hi, ranged,
                       &st->values_arena, &st->ranges[st->n_ranges], &none);
        st->n_ranges += rc == DB_OK && !none;
    }
    if (rc != DB_OK || st->n_ranges < 2)
        return rc;
    /* In key order, each once: the IN list's duplicates (1 and 1.0 are
     * one key) start where the range before them does. */
    qsort(st->ranges, st->n_ranges, sizeof *st->ranges, by_start);
    uint32_t kept = 1;
    for (uint32_t i = 1; i < st->n_ranges; i++)
        if (by_start(&st->ranges[kept - 1], &st->ranges[i]) != 0)
            st->ranges[kept++] = st->ranges[i];
    st->n_ranges = kept;
    return DB_OK;
}

static DbStatus index_scan_open(ExecContext *ctx, Plan *p, PlanState *st)
{
    DbStatus rc = table_open(ctx, p, st);
    if (rc == DB_OK && st->index_tree == NULL)
        rc = btree_open(db_pager(ctx->db), p->index.index->root,
                        &st->index_tree);
    if (rc != DB_OK)
        return rc;
    rc = index_ranges(ctx, p, st, &st->scratch);
    arena_reset(&st->scratch);
    st->range_at = 0;
    st->started = false;
    return rc;
}

/* Reads row ROWID of the scan's table into its source, through the
 * scan's table cursor. */
static DbStatus fetch_row(ExecContext *ctx, Plan *p, PlanState *st,
                          int64_t rowid)
{
    btree_cursor_close(&st->cursor);
    bool found;
    DbStatus rc = btree_seek(st->tree, rowid, &st->cursor, &found);
    st->cursor_open = true;
    if (rc != DB_OK)
        return rc;
    if (!found)
        return db_fail(DB_ECORRUPT, "index \"%s\" has an entry for row %"
                       PRId64 ", which table \"%s\" does not have",
                       p->index.index->name, rowid, p->table->name);
    return scan_row(ctx, p, st);
}

/* The keys of each range in turn, and the row of each; backward, the
 * last range first, each from its end back to its start. */
static DbStatus index_scan_next(ExecContext *ctx, Plan *p, PlanState *st,
                                bool *has_row)
{
    bool back = p->index.backward;
    *has_row = false;
    for (;;) {
        if (st->range_at >= st->n_ranges)
            return DB_OK;
        const KeyRange *r = &st->ranges[back ? st->n_ranges - 1 -
                                                   st->range_at
                                             : st->range_at];
        DbStatus rc;
        if (!st->started) {
            btree_cursor_close(&st->index_cursor);
            rc = back ? btree_index_seek_before(st->index_tree, r->end,
                                                r->end_size,
                                                &st->index_cursor)
                      : btree_index_seek(st->index_tree, r->start,
                                         r->start_size, &st->index_cursor);
            st->started = true;
        } else {
            rc = back ? btree_prev(&st->index_cursor)
                      : btree_next(&st->index_cursor);
        }
        /* The ranges after this one start further on (backward: those
         * before it end before). */
        if (rc != DB_OK || st->index_cursor.end_of_tree)
            return rc;
        const uint8_t *key;
        size_t size;
        rc = btree_index_key(&st->index_cursor, &key, &size);
        if (rc != DB_OK)
            return rc;
        if (back ? r->start != NULL && key_compare(key, size, r->start,
                                                   r->start_size) < 0
                 : r->end != NULL && key_compare(key, size, r->end,
                                                 r->end_size) >= 0) {
            st->range_at++;
            st->started = false;
            continue;
        }
        int64_t rowid;
        rc = record_key_rowid(key, size, &rowid);
        if (rc == DB_OK)
            rc = fetch_row(ctx, p, st, rowid);
        if (rc != DB_OK)
            return rc;
        arena_reset(&st->scratch);
        bool ok;
        rc = all_true(ctx, &st->scratch, p->conditions, p->n_conditions,
                      &ok);
        if (rc != DB_OK || ok) {
            *has_row = rc == DB_OK;
            return rc;
        }
    }
}

/* --- statistics ------------------------------------------------------- */

DbStatus exec_index_stats(Db *db, const IndexDef *index, uint64_t *rows,
                          uint64_t *distinct)
{
    *rows = 0;
    memset(distinct, 0, index->n_columns * sizeof *distinct);
    Btree *tree;
    DbStatus rc = btree_open(db_pager(db), index->root, &tree);
    if (rc != DB_OK)
        return rc;
    /* The key before, and where each of its values ends in it: a prefix
     * of K columns starts a new distinct value where its bytes differ
     * from the key before's (equal values encode equal). */
    uint8_t prev[BTREE_MAX_KEY], scratch[BTREE_MAX_KEY];
    size_t prev_ends[CATALOG_MAX_COLUMNS + 1], ends[CATALOG_MAX_COLUMNS + 1];
    BtreeCursor cursor = {0};
    for (rc = btree_first(tree, &cursor);
         rc == DB_OK && !cursor.end_of_tree; rc = btree_next(&cursor)) {
        const uint8_t *key;
        size_t size, at = 0;
        rc = btree_index_key(&cursor, &key, &size);
        for (uint32_t k = 0; rc == DB_OK && k < index->n_columns; k++) {
            Value v;
            size_t used;
            rc = record_key_decode(key + at, size - at, 1, &index->desc[k],
                                   NULL, &v, scratch, sizeof scratch, &used);
            ends[k] = at += used;
        }
        if (rc != DB_OK || size > sizeof prev)
            break;
        bool same = *rows > 0;
        for (uint32_t k = 0; k < index->n_columns; k++) {
            same = same && ends[k] == prev_ends[k] &&
                   memcmp(key, prev, ends[k]) == 0;
            distinct[k] += !same;
            prev_ends[k] = ends[k];
        }
        memcpy(prev, key, size);
        (*rows)++;
    }
    btree_cursor_close(&cursor);
    btree_close(tree);
    if (rc == DB_OK && !cursor.end_of_tree)
        rc = db_fail(DB_ECORRUPT, "index \"%s\": a key longer than any "
                     "index takes", index->name);
    return rc;
}

/* --- joins ------------------------------------------------------------ */

/* Puts the right side's source on a row of NULLs (a LEFT JOIN's). */
static DbStatus null_right(ExecContext *ctx, Plan *p, PlanState *st)
{
    const Source *s = &ctx->binding->sources[p->right->source];
    if (st->nulls == NULL && (st->nulls = null_row(s->n_columns)) == NULL)
        return no_memory();
    ctx->rows[p->right->source] = st->nulls;
    return DB_OK;
}

/* book: begin nested-loop */
static DbStatus nested_loop_next(ExecContext *ctx, Plan *p, PlanState *st,
                                 bool *has_row)
{
    for (;;) {
        if (!st->have_outer) {
            DbStatus rc = exec_next(ctx, p->child, has_row);
            if (rc != DB_OK || !*has_row)
                return rc;
            /* The inner side starts over for each outer row (a scan
             * opened again is rewound, not made anew). */
            rc = exec_open(ctx, p->right);
            if (rc != DB_OK)
                return rc;
            st->have_outer = true;
            st->matched = false;
        }
        bool inner;
        DbStatus rc = exec_next(ctx, p->right, &inner);
        if (rc != DB_OK)
            return rc;
        if (inner) {
            arena_reset(&st->scratch);
            bool ok;
            rc = all_true(ctx, &st->scratch, p->conditions,
                          p->n_conditions, &ok);
            if (rc != DB_OK || !ok)
                continue;
            st->matched = true;
            *has_row = true;
            return rc;
        }
        st->have_outer = false;
        if (p->left_join && !st->matched) {
            /* No inner row matched: the outer row, with NULLs. */
            *has_row = true;
            return null_right(ctx, p, st);
        }
    }
}
/* book: end nested-loop */

static uint64_t hash_keys(const Value *keys, uint32_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < n; i++) {
        const Value *v = &keys[i];
        const unsigned char *bytes;
        size_t len;
        double r;
        if (v->type == VALUE_TEXT) {
            bytes = (const unsigned char *)v->text.s;
            len = v->text.n;
        } else {
            /* Numbers as doubles: 2 and 2.0 are one key. */
            Value num;
            value_to_number(v, &num);
            r = num.type == VALUE_INTEGER ? (double)num.i : num.r;
            if (r == 0)
                r = 0;
            bytes = (const unsigned char *)&r;
            len = sizeof r;
        }
        for (size_t j = 0; j < len; j++)
            h = (h ^ bytes[j]) * 1099511628211ull;
        h = (h ^ 0xff) * 1099511628211ull;
    }
    return h;
}

/* The values of the N expressions KEYS for the current rows, into OUT;
 * false if one is NULL (a NULL key matches nothing). */
static DbStatus eval_keys(ExecContext *ctx, Arena *arena, Expr **keys,
                          uint32_t n, Value *out, bool *usable)
{
    *usable = true;
    for (uint32_t i = 0; i < n; i++) {
        DbStatus rc = exec_eval(ctx, arena, keys[i], &out[i]);
        if (rc != DB_OK)
            return rc;
        if (out[i].type == VALUE_NULL)
            *usable = false;
    }
    return DB_OK;
}

/* book: begin hash-build */
/* Reads rows of the right side into the hash table, keyed by its side of
 * the equalities, until the table holds work_mem or the side ends: one
 * batch. A right side larger than work_mem is joined batch by batch, the
 * left side read again for each (hash_next). The batch before is
 * dropped first. */
static DbStatus hash_fill(ExecContext *ctx, Plan *p, PlanState *st)
{
    const Source *s = &ctx->binding->sources[p->right->source];
    uint32_t width = s->n_columns + 1;
    arena_free(&st->arena);
    memset(st->buckets, 0, st->n_buckets * sizeof *st->buckets);
    st->batch_rows = 0;
    st->batches++;
    DbStatus rc = DB_OK;
    while (rc == DB_OK && st->arena.total < ctx->work_mem) {
        bool has_row, usable;
        rc = exec_next(ctx, p->right, &has_row);
        if (rc != DB_OK)
            break;
        if (!has_row) {
            st->right_done = true;
            exec_close(ctx, p->right);
            break;
        }
        arena_reset(&st->scratch);
        rc = eval_keys(ctx, &st->scratch, p->build_keys, p->n_keys,
                       st->probe, &usable);
        if (rc != DB_OK || !usable)
            continue;
        HashEntry *entry = arena_alloc(&st->arena, sizeof *entry);
        Value *copy = arena_alloc(&st->arena,
                                  (width + p->n_keys) * sizeof *copy);
        if (entry == NULL || copy == NULL)
            return no_memory();
        const Value *row = ctx->rows[p->right->source];
        for (uint32_t i = 0; rc == DB_OK && i < width; i++)
            rc = arena_copy_value(&st->arena, &row[i], &copy[i]);
        for (uint32_t i = 0; rc == DB_OK && i < p->n_keys; i++)
            rc = arena_copy_value(&st->arena, &st->probe[i],
                                  &copy[width + i]);
        entry->row = copy;
        entry->keys = copy + width;
        entry->hash = hash_keys(entry->keys, p->n_keys);
        uint32_t b = (uint32_t)(entry->hash & (st->n_buckets - 1));
        entry->next = st->buckets[b];
        st->buckets[b] = entry;
        st->batch_rows++;
    }
    return rc;
}
/* book: end hash-build */

static DbStatus hash_open(ExecContext *ctx, Plan *p, PlanState *st)
{
    /* A bucket per row of a batch, about: a batch holds what fits in
     * work_mem, and a row takes at least 64 bytes of it. */
    double rows = p->right->rows;
    double fit = (double)ctx->work_mem / 64;
    st->n_buckets = 1024;
    while (st->n_buckets < rows && st->n_buckets < fit &&
           st->n_buckets < (1u << 24))
        st->n_buckets *= 2;
    st->buckets = calloc(st->n_buckets, sizeof *st->buckets);
    st->probe = calloc(p->n_keys, sizeof *st->probe);
    if (st->buckets == NULL || st->probe == NULL)
        return no_memory();
    DbStatus rc = exec_open(ctx, p->right);
    if (rc == DB_OK)
        rc = hash_fill(ctx, p, st);
    return rc == DB_OK ? exec_open(ctx, p->child) : rc;
}

static DbStatus hash_next(ExecContext *ctx, Plan *p, PlanState *st,
                          bool *has_row)
{
    for (;;) {
        while (st->chain != NULL) {
            HashEntry *e = st->chain;
            st->chain = e->next;
            if (e->hash != st->chain_hash)
                continue;
            bool equal = true;
            for (uint32_t i = 0; i < p->n_keys && equal; i++)
                equal = value_compare(&e->keys[i], &st->probe[i]) == 0;
            if (!equal)
                continue;
            ctx->rows[p->right->source] = e->row;
            arena_reset(&st->scratch);
            bool ok;
            DbStatus rc = all_true(ctx, &st->scratch, p->conditions,
                                   p->n_conditions, &ok);
            if (rc != DB_OK || ok) {
                *has_row = rc == DB_OK;
                return rc;
            }
        }
        DbStatus rc = exec_next(ctx, p->child, has_row);
        if (rc != DB_OK)
            return rc;
        if (!*has_row) {
            if (st->right_done)
                return DB_OK;
            /* The next batch of the right side, and the left again. */
            rc = hash_fill(ctx, p, st);
            if (rc != DB_OK || st->batch_rows == 0)
                return rc;
            rc = exec_open(ctx, p->child);
            if (rc != DB_OK)
                return rc;
            continue;
        }
        bool usable;
        arena_reset(&st->values_arena);
        rc = eval_keys(ctx, &st->values_arena, p->keys, p->n_keys,
                       st->probe, &usable);
        if (rc != DB_OK)
            return rc;
        if (!usable)
            continue;
        /* (Both sides are numbers, or both texts: plan.c's hashable.) */
        st->chain_hash = hash_keys(st->probe, p->n_keys);
        st->chain = st->buckets[st->chain_hash & (st->n_buckets - 1)];
    }
}

/* --- sorting ---------------------------------------------------------- */

/* Orders two rows of a PLAN_SORT by its key columns. */
static int compare_sort_rows(void *ctx, const Value *a, const Value *b)
{
    const Plan *p = ctx;
    for (uint32_t i = 0; i < p->n_sort; i++) {
        uint32_t col = p->keys_columns[i];
        int c = value_compare(&a[col], &b[col]);
        if (c != 0)
            return p->desc[i] ? -c : c;
    }
    return 0;
}

/* Whether two rows are equal in their first N columns (DISTINCT). */
static bool same_row(const Value *a, const Value *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (value_compare(&a[i], &b[i]) != 0)
            return false;
    return true;
}

/* book: begin sort-open */
/* Pulls every row of the child into the sorter, which keeps what fits
 * in work_mem and writes the rest in sorted runs to temporary files. */
static DbStatus sort_open(ExecContext *ctx, Plan *p, PlanState *st)
{
    DbStatus rc = exec_open(ctx, p->child);
    if (rc == DB_OK)
        rc = sorter_open(p->n_columns, compare_sort_rows, p, ctx->work_mem,
                         &st->sorter);
    while (rc == DB_OK) {
        bool has_row;
        rc = exec_next(ctx, p->child, &has_row);
        if (rc != DB_OK || !has_row)
            break;
        rc = sorter_add(st->sorter, ctx->rows[p->child->source]);
    }
    exec_close(ctx, p->child);
    if (rc == DB_OK)
        rc = sorter_sort(st->sorter);
    return rc;
}
/* book: end sort-open */

/* Copies the N values of ROW into *COPY (allocated at the first call),
 * their texts into ARENA, which it empties first; sets *HAVE. */
static DbStatus keep_row(Arena *arena, Value **copy, bool *have,
                         const Value *row, uint32_t n)
{
    arena_reset(arena);
    if (*copy == NULL && (*copy = calloc(n ? n : 1, sizeof **copy)) == NULL)
        return no_memory();
    for (uint32_t i = 0; i < n; i++) {
        DbStatus rc = arena_copy_value(arena, &row[i], &(*copy)[i]);
        if (rc != DB_OK)
            return rc;
    }
    *have = true;
    return DB_OK;
}

static DbStatus keep_previous(PlanState *st, const Value *row, uint32_t n)
{
    return keep_row(&st->arena, &st->previous, &st->have_previous, row, n);
}

static DbStatus sort_next(ExecContext *ctx, Plan *p, PlanState *st,
                          bool *has_row)
{
    for (;;) {
        const Value *row;
        bool done;
        DbStatus rc = sorter_next(st->sorter, &row, &done);
        if (rc != DB_OK || done) {
            *has_row = false;
            return rc;
        }
        if (p->distinct && st->have_previous &&
            same_row(row, st->previous, p->distinct_columns))
            continue;
        if (p->distinct) {
            rc = keep_previous(st, row, p->distinct_columns);
            if (rc != DB_OK)
                return rc;
        }
        ctx->rows[p->source] = (Value *)row;
        *has_row = true;
        return DB_OK;
    }
}

/* --- set operations --------------------------------------------------- */

/* UNION, INTERSECT and EXCEPT: the rows of both sides, each with a last
 * column saying which side it came from, sorted (stably, left side
 * first), so that equal rows are next to each other; then each run of
 * equal rows gives one row or none. Equal rows may differ in form (0 and
 * 0.0): as in SQLite, whose temporary index keeps the last of equal keys,
 * the row given is the run's last (UNION) or its last of the left side
 * (INTERSECT, EXCEPT). */
static int compare_set_rows(void *ctx, const Value *a, const Value *b)
{
    const Plan *p = ctx;
    for (uint32_t i = 0; i <= p->n_columns; i++) {
        int c = value_compare(&a[i], &b[i]);
        if (c != 0)
            return c;
    }
    return 0;
}

static DbStatus add_side(ExecContext *ctx, Plan *p, Plan *side, int tag,
                         PlanState *st, Value *row)
{
    DbStatus rc = exec_open(ctx, side);
    while (rc == DB_OK) {
        bool has_row;
        rc = exec_next(ctx, side, &has_row);
        if (rc != DB_OK || !has_row)
            break;
        memcpy(row, ctx->rows[side->source], p->n_columns * sizeof *row);
        row[p->n_columns] = (Value){.type = VALUE_INTEGER, .i = tag};
        rc = sorter_add(st->sorter, row);
    }
    exec_close(ctx, side);
    return rc;
}

static DbStatus set_op_open(ExecContext *ctx, Plan *p, PlanState *st)
{
    Value *row = calloc(p->n_columns + 1, sizeof *row);
    if (row == NULL)
        return no_memory();
    DbStatus rc = sorter_open(p->n_columns + 1, compare_set_rows, p,
                              ctx->work_mem, &st->sorter);
    if (rc == DB_OK)
        rc = add_side(ctx, p, p->child, 0, st, row);
    if (rc == DB_OK)
        rc = add_side(ctx, p, p->right, 1, st, row);
    if (rc == DB_OK)
        rc = sorter_sort(st->sorter);
    free(row);
    return rc;
}

/* Copies the N values of ROW into ST->pending (in values_arena). */
static DbStatus keep_pending(PlanState *st, const Value *row, uint32_t n)
{
    return keep_row(&st->values_arena, &st->pending, &st->have_pending, row,
                    n);
}

static DbStatus set_op_next(ExecContext *ctx, Plan *p, PlanState *st,
                            bool *has_row)
{
    uint32_t n = p->n_columns + 1; /* the values, and the side */
    *has_row = false;
    while (!st->done || st->have_pending) {
        const Value *row;
        bool done;
        DbStatus rc;
        if (!st->have_pending) {
            rc = sorter_next(st->sorter, &row, &done);
            if (rc != DB_OK || done) {
                st->done = true;
                return rc;
            }
            rc = keep_pending(st, row, n);
            if (rc != DB_OK)
                return rc;
        }
        /* A run of equal rows starts with the pending one. */
        rc = keep_previous(st, st->pending, n);
        st->have_pending = false;
        bool left = st->previous[p->n_columns].i == 0;
        bool right = !left;
        while (rc == DB_OK) {
            rc = sorter_next(st->sorter, &row, &done);
            if (rc != DB_OK || done) {
                st->done = true;
                break;
            }
            if (!same_row(row, st->previous, p->n_columns)) {
                rc = keep_pending(st, row, n);
                break;
            }
            bool from_left = row[p->n_columns].i == 0;
            if (p->op == TK_UNION || from_left)
                rc = keep_previous(st, row, n);
            left |= from_left;
            right |= !from_left;
        }
        if (rc != DB_OK)
            return rc;
        bool take = p->op == TK_UNION       ? true
                    : p->op == TK_INTERSECT ? left && right
                                            : left && !right;
        if (take) {
            ctx->rows[p->source] = st->previous;
            *has_row = true;
            return DB_OK;
        }
    }
    return DB_OK;
}

/* --- aggregation ------------------------------------------------------ */

/* The width of a row AGGREGATE sorts: the group's keys, each aggregate's
 * argument, and the columns kept for above the aggregation. */
static uint32_t agg_width(const BoundSelect *bs)
{
    return bs->n_group + bs->n_aggregates + bs->n_kept;
}

static int compare_groups(void *ctx, const Value *a, const Value *b)
{
    const BoundSelect *bs = ctx;
    for (uint32_t i = 0; i < bs->n_group; i++) {
        int c = value_compare(&a[i], &b[i]);
        if (c != 0)
            return c;
    }
    return 0;
}

/* The row of the current input that aggregation works on, into ROW. */
static DbStatus agg_input(ExecContext *ctx, const BoundSelect *bs,
                          Arena *arena, Value *row)
{
    uint32_t at = 0;
    for (uint32_t i = 0; i < bs->n_group; i++) {
        DbStatus rc = exec_eval(ctx, arena, bs->group_exprs[i], &row[at++]);
        if (rc != DB_OK)
            return rc;
    }
    for (uint32_t i = 0; i < bs->n_aggregates; i++) {
        const Expr *agg = bs->aggregates[i];
        row[at] = NULL_VALUE;
        if (agg->list != NULL && agg->list->n > 0) {
            DbStatus rc = exec_eval(ctx, arena, agg->list->items[0].expr,
                                    &row[at]);
            if (rc != DB_OK)
                return rc;
        }
        at++;
    }
    for (uint32_t i = 0; i < bs->n_kept; i++) {
        const Value *src = ctx->rows[bs->kept_source[i]];
        row[at++] = src ? src[bs->kept_column[i]] : NULL_VALUE;
    }
    return DB_OK;
}

/* Starts every aggregate over a new group. */
static void agg_start(const BoundSelect *bs, PlanState *st)
{
    for (uint32_t i = 0; i < bs->n_aggregates; i++)
        agg_init(&st->aggs[i], (AggregateKind)bs->aggregates[i]->function,
                 bs->aggregates[i]->distinct);
}

static DbStatus agg_add(const BoundSelect *bs, PlanState *st,
                        const Value *row)
{
    for (uint32_t i = 0; i < bs->n_aggregates; i++) {
        DbStatus rc = agg_step(&st->aggs[i], &row[bs->n_group + i]);
        if (rc != DB_OK)
            return db_fail_at(rc, bs->aggregates[i]->pos, "%s",
                              db_errmsg());
    }
    return DB_OK;
}

/* The kept columns of the group's last row (ROW, or NULLs when there was
 * none), where the expressions above will read them. */
static DbStatus agg_keep(ExecContext *ctx, const BoundSelect *bs,
                         PlanState *st, const Value *row)
{
    uint32_t base = bs->n_group + bs->n_aggregates;
    for (uint32_t i = 0; i < bs->n_kept; i++) {
        uint32_t src = bs->kept_source[i];
        Value *shadow = st->shadow[i];
        DbStatus rc = row ? arena_copy_value(&st->arena, &row[base + i],
                                             &shadow[bs->kept_column[i]])
                          : DB_OK;
        if (rc != DB_OK)
            return rc;
        if (row == NULL)
            shadow[bs->kept_column[i]] = NULL_VALUE;
        ctx->rows[src] = shadow;
    }
    return DB_OK;
}

/* The group's aggregates, as the row of the aggregate source. */
static DbStatus agg_finish(ExecContext *ctx, Plan *p, PlanState *st)
{
    const BoundSelect *bs = p->bs;
    for (uint32_t i = 0; i < bs->n_aggregates; i++) {
        DbStatus rc = agg_final(&st->aggs[i], &st->values[i]);
        if (rc != DB_OK)
            return db_fail_at(rc, bs->aggregates[i]->pos, "%s",
                              db_errmsg());
    }
    ctx->rows[p->source] = st->values;
    return DB_OK;
}

static DbStatus aggregate_open(ExecContext *ctx, Plan *p, PlanState *st)
{
    const BoundSelect *bs = p->bs;
    uint32_t width = agg_width(bs);
    st->aggs = calloc(bs->n_aggregates + 1, sizeof *st->aggs);
    st->values = calloc(bs->n_aggregates + 1, sizeof *st->values);
    st->previous = calloc(width + 1, sizeof *st->previous);
    st->shadow = calloc(bs->n_kept + 1, sizeof *st->shadow);
    if (!st->aggs || !st->values || !st->previous || !st->shadow)
        return no_memory();
    /* A kept column reads its source's row: one shadow row per kept
     * source, shared by its columns. */
    for (uint32_t i = 0; i < bs->n_kept; i++) {
        for (uint32_t j = 0; j < i && st->shadow[i] == NULL; j++)
            if (bs->kept_source[j] == bs->kept_source[i])
                st->shadow[i] = st->shadow[j];
        if (st->shadow[i] != NULL)
            continue;
        const Source *s = &ctx->binding->sources[bs->kept_source[i]];
        if ((st->shadow[i] = null_row(s->n_columns)) == NULL)
            return no_memory();
    }
    DbStatus rc = exec_open(ctx, p->child);
    if (rc != DB_OK || bs->n_group == 0)
        return rc;
    /* GROUP BY: the rows sorted by their groups. */
    Value *row = calloc(width + 1, sizeof *row);
    if (row == NULL)
        return no_memory();
    rc = sorter_open(width, compare_groups, (void *)bs, ctx->work_mem,
                     &st->sorter);
    while (rc == DB_OK) {
        bool has_row;
        rc = exec_next(ctx, p->child, &has_row);
        if (rc != DB_OK || !has_row)
            break;
        arena_reset(&st->scratch);
        rc = agg_input(ctx, bs, &st->scratch, row);
        if (rc == DB_OK)
            rc = sorter_add(st->sorter, row);
    }
    free(row);
    exec_close(ctx, p->child);
    if (rc == DB_OK)
        rc = sorter_sort(st->sorter);
    return rc;
}

/* The groups' rows, one per group; without GROUP BY, one row over all
 * the input, even when there is none. */
static DbStatus aggregate_next(ExecContext *ctx, Plan *p, PlanState *st,
                               bool *has_row)
{
    const BoundSelect *bs = p->bs;
    uint32_t width = agg_width(bs);
    *has_row = false;
    if (st->done)
        return DB_OK;
    DbStatus rc = DB_OK;
    if (bs->n_group == 0) {
        st->done = true;
        agg_start(bs, st);
        bool any = false;
        Value *row = st->previous;
        while (rc == DB_OK) {
            bool more;
            rc = exec_next(ctx, p->child, &more);
            if (rc != DB_OK || !more)
                break;
            arena_reset(&st->scratch);
            rc = agg_input(ctx, bs, &st->scratch, row);
            if (rc == DB_OK)
                rc = agg_add(bs, st, row);
            if (rc == DB_OK) {
                arena_reset(&st->arena);
                rc = agg_keep(ctx, bs, st, row);
            }
            any = true;
        }
        if (rc == DB_OK && !any)
            rc = agg_keep(ctx, bs, st, NULL);
        if (rc == DB_OK)
            rc = agg_finish(ctx, p, st);
        *has_row = rc == DB_OK;
        return rc;
    }

    /* The group starts with the row kept when the last one ended. */
    const Value *row;
    bool done;
    if (!st->have_pending) {
        rc = sorter_next(st->sorter, &row, &done);
        if (rc != DB_OK || done) {
            st->done = true;
            return rc;
        }
        rc = keep_pending(st, row, width);
        if (rc != DB_OK)
            return rc;
    }
    agg_start(bs, st);
    rc = keep_previous(st, st->pending, width);
    st->have_pending = false;
    while (rc == DB_OK) {
        rc = agg_add(bs, st, st->previous);
        if (rc != DB_OK)
            break;
        rc = sorter_next(st->sorter, &row, &done);
        if (rc != DB_OK || done) {
            st->done = true;
            break;
        }
        if (compare_groups((void *)bs, row, st->previous) != 0) {
            rc = keep_pending(st, row, width);
            break;
        }
        /* The same group: this row is its last so far. */
        rc = keep_previous(st, row, width);
    }
    if (rc == DB_OK)
        rc = agg_keep(ctx, bs, st, st->previous);
    if (rc == DB_OK)
        rc = agg_finish(ctx, p, st);
    *has_row = rc == DB_OK;
    return rc;
}

/* --- the rest --------------------------------------------------------- */

static DbStatus project_next(ExecContext *ctx, Plan *p, PlanState *st,
                             bool *has_row)
{
    DbStatus rc = exec_next(ctx, p->child, has_row);
    if (rc != DB_OK || !*has_row)
        return rc;
    arena_reset(&st->arena);
    for (uint32_t i = 0; i < p->n_exprs; i++) {
        rc = exec_eval(ctx, &st->arena, p->exprs[i], &st->values[i]);
        if (rc != DB_OK)
            return rc;
    }
    ctx->rows[p->source] = st->values;
    return DB_OK;
}

static DbStatus subquery_next(ExecContext *ctx, Plan *p, PlanState *st,
                              bool *has_row)
{
    for (;;) {
        DbStatus rc = exec_next(ctx, p->child, has_row);
        if (rc != DB_OK || !*has_row)
            return rc;
        ctx->rows[p->source] = ctx->rows[p->child->source];
        arena_reset(&st->scratch);
        bool ok;
        rc = all_true(ctx, &st->scratch, p->conditions, p->n_conditions,
                      &ok);
        if (rc != DB_OK || ok)
            return rc;
    }
}

static DbStatus filter_next(ExecContext *ctx, Plan *p, PlanState *st,
                            bool *has_row)
{
    for (;;) {
        DbStatus rc = exec_next(ctx, p->child, has_row);
        if (rc != DB_OK || !*has_row)
            return rc;
        arena_reset(&st->scratch);
        bool ok;
        rc = all_true(ctx, &st->scratch, p->conditions, p->n_conditions,
                      &ok);
        if (rc != DB_OK || ok)
            return rc;
    }
}

/* LIMIT and OFFSET: integers (a negative LIMIT is none, as in SQLite). */
static DbStatus limit_open(ExecContext *ctx, Plan *p, PlanState *st)
{
    Value v, n;
    DbStatus rc = exec_eval(ctx, &st->scratch, p->limit, &v);
    if (rc != DB_OK)
        return rc;
    if (v.type == VALUE_TEXT || v.type == VALUE_NULL)
        return db_fail_at(DB_ETYPE, p->limit->pos, "LIMIT must be an "
                          "integer");
    value_cast(&st->scratch, &v, AFFINITY_INTEGER, &n);
    st->limit = n.i;
    st->offset = 0;
    if (p->offset != NULL) {
        rc = exec_eval(ctx, &st->scratch, p->offset, &v);
        if (rc != DB_OK)
            return rc;
        if (v.type == VALUE_TEXT || v.type == VALUE_NULL)
            return db_fail_at(DB_ETYPE, p->offset->pos, "OFFSET must be "
                              "an integer");
        value_cast(&st->scratch, &v, AFFINITY_INTEGER, &n);
        st->offset = n.i < 0 ? 0 : n.i;
    }
    return exec_open(ctx, p->child);
}

static DbStatus limit_next(ExecContext *ctx, Plan *p, PlanState *st,
                           bool *has_row)
{
    if (st->limit >= 0 && st->given >= st->limit) {
        *has_row = false; /* LIMIT 0 skips nothing: it ends */
        return DB_OK;
    }
    while (st->offset > 0) {
        DbStatus rc = exec_next(ctx, p->child, has_row);
        if (rc != DB_OK || !*has_row)
            return rc;
        st->offset--;
    }
    DbStatus rc = exec_next(ctx, p->child, has_row);
    st->given += *has_row;
    return rc;
}

static DbStatus append_next(ExecContext *ctx, Plan *p, PlanState *st,
                            bool *has_row)
{
    if (!st->on_right) {
        DbStatus rc = exec_next(ctx, p->child, has_row);
        if (rc != DB_OK || *has_row) {
            ctx->rows[p->source] = ctx->rows[p->child->source];
            return rc;
        }
        exec_close(ctx, p->child);
        st->on_right = true;
        rc = exec_open(ctx, p->right);
        if (rc != DB_OK)
            return rc;
    }
    DbStatus rc = exec_next(ctx, p->right, has_row);
    if (*has_row)
        ctx->rows[p->source] = ctx->rows[p->right->source];
    return rc;
}

/* --- the protocol ----------------------------------------------------- */

void exec_count_sort(ExecContext *ctx, const Sorter *sorter)
{
    if (ctx->sorts == NULL)
        return;
    if (ctx->sorts->n < EXEC_SORTS_KEPT)
        sorter_stats(sorter, &ctx->sorts->first[ctx->sorts->n]);
    ctx->sorts->n++;
}

/* Makes an open scan start over, as a new one would, but keeping what
 * costs to make: its trees, its row, its arenas' memory and (an index
 * scan's) room for ranges. The inner side of a nested loop is opened
 * again for each outer row. */
static void rewind_scan(ExecContext *ctx, Plan *p)
{
    PlanState *st = p->state;
    if (st->cursor_open)
        btree_cursor_close(&st->cursor);
    btree_cursor_close(&st->index_cursor);
    free(st->rowids);
    arena_reset(&st->arena);
    arena_reset(&st->scratch);
    arena_reset(&st->values_arena);
    *st = (PlanState){.arena = st->arena, .scratch = st->scratch,
                      .values_arena = st->values_arena,
                      .values = st->values, .types = st->types,
                      .tree = st->tree, .index_tree = st->index_tree,
                      .ranges = st->ranges, .ranges_cap = st->ranges_cap};
    ctx->rows[p->source] = NULL;
}

static DbStatus open_node(ExecContext *ctx, Plan *p)
{
    bool scan = p->kind == PLAN_SCAN || p->kind == PLAN_INDEX_SCAN;
    if (p->state != NULL && scan)
        rewind_scan(ctx, p);
    else if (p->state != NULL)
        exec_close(ctx, p);
    PlanState *st = p->state;
    if (st == NULL && (st = p->state = calloc(1, sizeof *st)) == NULL)
        return no_memory();
    switch (p->kind) {
    case PLAN_SCAN:
        return scan_open(ctx, p, st);
    case PLAN_INDEX_SCAN:
        return index_scan_open(ctx, p, st);
    case PLAN_ONE_ROW:
        return DB_OK;
    case PLAN_SUBQUERY:
    case PLAN_FILTER:
        return exec_open(ctx, p->child);
    case PLAN_NESTED_LOOP:
        return exec_open(ctx, p->child);
    case PLAN_HASH_JOIN:
        return hash_open(ctx, p, st);
    case PLAN_AGGREGATE:
        return aggregate_open(ctx, p, st);
    case PLAN_PROJECT:
        st->values = calloc(p->n_exprs + 1, sizeof *st->values);
        return st->values ? exec_open(ctx, p->child) : no_memory();
    case PLAN_SORT:
        return sort_open(ctx, p, st);
    case PLAN_LIMIT:
        return limit_open(ctx, p, st);
    case PLAN_APPEND:
        return exec_open(ctx, p->child);
    case PLAN_SET_OP:
        return set_op_open(ctx, p, st);
    }
    return DB_OK;
}

static DbStatus next_node(ExecContext *ctx, Plan *p, bool *has_row)
{
    PlanState *st = p->state;
    *has_row = false;
    switch (p->kind) {
    case PLAN_SCAN:
        return scan_next(ctx, p, st, has_row);
    case PLAN_INDEX_SCAN:
        return index_scan_next(ctx, p, st, has_row);
    case PLAN_ONE_ROW:
        *has_row = !st->done;
        st->done = true;
        return DB_OK;
    case PLAN_SUBQUERY:
        return subquery_next(ctx, p, st, has_row);
    case PLAN_FILTER:
        return filter_next(ctx, p, st, has_row);
    case PLAN_NESTED_LOOP:
        return nested_loop_next(ctx, p, st, has_row);
    case PLAN_HASH_JOIN:
        return hash_next(ctx, p, st, has_row);
    case PLAN_AGGREGATE:
        return aggregate_next(ctx, p, st, has_row);
    case PLAN_PROJECT:
        return project_next(ctx, p, st, has_row);
    case PLAN_SORT:
        return sort_next(ctx, p, st, has_row);
    case PLAN_LIMIT:
        return limit_next(ctx, p, st, has_row);
    case PLAN_APPEND:
        return append_next(ctx, p, st, has_row);
    case PLAN_SET_OP:
        return set_op_next(ctx, p, st, has_row);
    }
    return DB_OK;
}

/* Seconds on a clock that only goes forward. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Each node counts its runs and rows, and with p->timed the time spent
 * in it and below it, for EXPLAIN ANALYZE. */
DbStatus exec_open(ExecContext *ctx, Plan *p)
{
    double start = p->timed ? now() : 0;
    DbStatus rc = open_node(ctx, p);
    p->loops++;
    if (p->timed)
        p->seconds += now() - start;
    return rc;
}

DbStatus exec_next(ExecContext *ctx, Plan *p, bool *has_row)
{
    double start = p->timed ? now() : 0;
    DbStatus rc = next_node(ctx, p, has_row);
    p->actual_rows += *has_row;
    if (p->timed)
        p->seconds += now() - start;
    return rc;
}

void exec_close(ExecContext *ctx, Plan *p)
{
    if (p == NULL || p->state == NULL)
        return;
    PlanState *st = p->state;
    if (p->child)
        exec_close(ctx, p->child);
    if (p->right)
        exec_close(ctx, p->right);
    if (st->cursor_open)
        btree_cursor_close(&st->cursor);
    if (st->tree)
        btree_close(st->tree);
    btree_cursor_close(&st->index_cursor);
    if (st->index_tree)
        btree_close(st->index_tree);
    free(st->ranges);
    free(st->rowids);
    if (st->sorter) {
        exec_count_sort(ctx, st->sorter);
        sorter_close(st->sorter);
    }
    for (uint32_t i = 0; st->aggs && p->bs && i < p->bs->n_aggregates; i++)
        agg_free(&st->aggs[i]);
    for (uint32_t i = 0; st->shadow && p->bs && i < p->bs->n_kept; i++) {
        bool shared = false;
        for (uint32_t j = 0; j < i && !shared; j++)
            shared = st->shadow[j] == st->shadow[i];
        if (!shared)
            free(st->shadow[i]);
    }
    arena_free(&st->arena);
    arena_free(&st->scratch);
    arena_free(&st->values_arena);
    free(st->values);
    free(st->nulls);
    free(st->types);
    free(st->buckets);
    free(st->probe);
    free(st->previous);
    free(st->pending);
    free(st->aggs);
    free(st->shadow);
    free(st);
    p->state = NULL;
    /* A source this node pointed at is gone with it. */
    if (p->kind == PLAN_SCAN || p->kind == PLAN_INDEX_SCAN ||
        p->kind == PLAN_PROJECT ||
        p->kind == PLAN_SORT || p->kind == PLAN_SET_OP)
        ctx->rows[p->source] = NULL;
}
