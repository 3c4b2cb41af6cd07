/*
 * plan.h - a query plan: a tree of operators, each of which makes rows
 * from the rows of the operators below it, and which EXPLAIN prints.
 */
#ifndef PLAN_H
#define PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bind.h"
#include "btree.h"
#include "value.h"

typedef enum PlanKind {
    PLAN_SCAN,             /* a table's rows: all, or a range of row ids */
    PLAN_INDEX_SCAN,       /* a table's rows in the order of one of its
                            * indexes, a range of its keys: each key's
                            * row fetched by its row id */
    PLAN_ONE_ROW,          /* one row of no columns: SELECT without FROM */
    PLAN_SUBQUERY,         /* a subquery or view of FROM, as a source */
    PLAN_FILTER,           /* the rows of its child for which cond holds */
    PLAN_NESTED_LOOP,      /* for each row of child, every row of right */
    PLAN_HASH_JOIN,        /* right's rows in a hash table, probed by
                            * each row of child */
    PLAN_AGGREGATE,        /* groups of its child's rows, and their
                            * aggregates */
    PLAN_PROJECT,          /* computes the results into its source */
    PLAN_SORT,             /* its child's rows in order (and distinct) */
    PLAN_LIMIT,            /* OFFSET rows skipped, LIMIT rows passed */
    PLAN_APPEND,           /* UNION ALL: child's rows, then right's */
    PLAN_SET_OP,           /* UNION, INTERSECT, EXCEPT: through a sort */
} PlanKind;

/* A range of row ids a scan reads: [low, high], with each end open or
 * closed; a lookup of one row id is low = high; or, with IN, a lookup of
 * each distinct row id an IN list names, in order. The ends and the
 * list's values are expressions, evaluated when the scan starts (they
 * may read the current rows of sources to the left: a join by row id). */
typedef struct RowidRange {
    Expr *low, *high;      /* NULL: unbounded */
    bool low_open, high_open;
    Expr *in;              /* rowid IN (list): its expression, or NULL */
    bool backward;         /* from the last row id back (ORDER BY DESC) */
} RowidRange;

/* What an index scan reads: the keys of INDEX whose first n_eq columns
 * equal the values eq[0 .. n_eq) (eq[in_column], if there is one, is an
 * IN list: one lookup per distinct value, in key order), and whose next
 * column, when low or high is given, lies between them (backward: the
 * same keys, last first). Each value is an expression evaluated when the
 * scan starts, converted as its comparison with the column converts it
 * (value_compare_operand with the affinity in affinities[]); a NULL value
 * matches nothing, except in a column whose equality is an IS
 * (is_equal), where it takes the NULL keys (an eq of NULL there: x IS
 * NULL). */
typedef struct IndexRange {
    const IndexDef *index;
    uint32_t n_eq;
    Expr **eq;             /* n_eq values; an IN list's expression */
    bool *is_equal;        /* n_eq: whether it is x IS value */
    int32_t in_column;     /* the column of eq that is an IN list, or -1 */
    Expr *low, *high;      /* on column n_eq; NULL: unbounded */
    bool low_open, high_open;
    /* The affinity each value has in its comparison: eq's n_eq, then
     * low's, then high's (an IN list's items have none). */
    char *affinities;
    bool backward;         /* read from the last key back (for ORDER BY) */
} IndexRange;

/* book: begin stats */
/* ANALYZE's statistics, which the planner reads (stmt.c writes them), in
 * a table the first ANALYZE makes, as SQLite's ANALYZE makes
 * sqlite_stat1:
 *
 *   tbl   idx    prefix  n_rows  n_distinct
 *   t     t_a_b       1   30000          12   the values of a
 *   t     t_a_b       2   30000        2900   ... of (a, b)
 *
 * a row per index of each table analyzed and prefix of its columns: the
 * index's keys, and the distinct values the prefix takes in them (NULL
 * counts as one value). An equality on the prefix then matches n_rows /
 * n_distinct rows, as many as the table has grown since. */
#define PLAN_STATS_TABLE "strata_stats"
#define PLAN_STATS_COLUMNS 5
/* book: end stats */

typedef struct Plan Plan;

struct Plan {
    PlanKind kind;
    Plan *child, *right;
    double rows;           /* the rows it is estimated to make */

    /* PLAN_SCAN, PLAN_INDEX_SCAN, PLAN_SUBQUERY: the source it fills.
     * PLAN_PROJECT, PLAN_SORT, PLAN_SET_OP, PLAN_AGGREGATE: the source of
     * its output. */
    uint32_t source;
    const TableDef *table;     /* PLAN_SCAN, PLAN_INDEX_SCAN */
    RowidRange range;          /* PLAN_SCAN */
    IndexRange index;          /* PLAN_INDEX_SCAN */
    Expr **conditions;         /* PLAN_FILTER, PLAN_NESTED_LOOP's ON,
                                * PLAN_HASH_JOIN's residue: all must
                                * hold */
    uint32_t n_conditions;
    bool left_join;            /* PLAN_NESTED_LOOP: keep child's rows that
                                * match none, with right's NULL */
    Expr **keys;               /* PLAN_HASH_JOIN: child's side ... */
    Expr **build_keys;         /* ... and right's, equal pairwise */
    uint32_t n_keys;
    uint32_t batches;          /* HASH_JOIN: the batches work_mem
                                * should take, as estimated */

    BoundSelect *bs;           /* PLAN_AGGREGATE, PLAN_PROJECT */
    Expr **exprs;              /* PLAN_PROJECT: what it computes */
    uint32_t n_exprs;

    /* PLAN_SORT: by N_SORT columns of its child's output source (their
     * numbers in keys_columns), each ascending or descending; with
     * distinct, rows equal in their first distinct_columns columns are
     * kept once. */
    uint32_t n_sort;
    uint32_t *keys_columns;
    bool *desc;
    bool distinct;
    uint32_t distinct_columns;
    uint32_t n_columns;        /* of the output source: its width */

    Expr *limit, *offset;      /* PLAN_LIMIT */
    int op;                    /* PLAN_SET_OP: TK_UNION, TK_INTERSECT, ... */

    /* What running it did (exec.c counts; EXPLAIN ANALYZE shows): how
     * often it was opened, the rows it gave in all, and, when timed
     * (plan_time), the seconds spent in it and the nodes below it. */
    uint64_t loops, actual_rows;
    bool timed;
    double seconds;

    /* Running state (exec.c): the node's, and, at the top of a
     * subquery's plan, what is kept between its runs (freed with the
     * plan, by the function exec.c leaves here). */
    struct PlanState *state;
    void *kept;
    void (*free_kept)(void *kept);
};

/* Plans the bound select BS of binding B. *out: the plan's top, whose
 * source (bs->output_source) holds each result row, its first
 * bs->n_results columns. Expressions with subqueries get plans of their
 * own (expr->plan). DB_ENOMEM. */
DbStatus plan_select(Binding *b, BoundSelect *bs, Plan **out);

/* The plan of a statement on one table (UPDATE, DELETE): a scan of
 * DEF, whose rows are source SOURCE of B, for the rows WHERE (bound;
 * NULL: all) chooses, narrowed to a range of row ids where WHERE
 * allows. DB_ENOMEM. */
DbStatus plan_table_scan(Binding *b, uint32_t source, const TableDef *def,
                         Expr *where, Plan **out);

/* Gives every subquery in the bound expression E a plan of its own. */
DbStatus plan_expr(Binding *b, Expr *e);

/* Frees a plan and the plans of the subqueries in its expressions. */
void plan_free(Plan *plan);

/* Frees the plans plan_expr gave E's subqueries. */
void plan_free_expr(Expr *e);

/* Prints PLAN as EXPLAIN shows it: one operator per line, children
 * indented below it, with the expressions each applies. Lines go to
 * LINE (called once per line). */
DbStatus plan_explain(const Binding *b, const Plan *plan,
                      DbStatus (*line)(void *ctx, const char *text),
                      void *ctx);

/* Makes every node of PLAN, and of its subqueries' plans, timed: each
 * run measures the time spent in it (two clock readings per row). */
void plan_time(Plan *plan);

/* Prints PLAN as plan_explain does, each node with what its run did
 * beside its estimate: "(actual rows=R loops=L time=T ms)", R the rows
 * per loop (as the estimate counts them) and T the time of all loops. */
DbStatus plan_explain_analyze(const Binding *b, const Plan *plan,
                              DbStatus (*line)(void *ctx,
                                               const char *text),
                              void *ctx);

/* An expression as SQL, for EXPLAIN (into BUF, SIZE bytes). */
void plan_expr_text(const Binding *b, const Expr *e, char *buf,
                    size_t size);

#endif
