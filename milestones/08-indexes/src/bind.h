/*
 * bind.h - a SELECT with its names resolved: which table or subquery
 * each name means, * expanded, aggregates found, ORDER BY matched to the
 * results, and the type of every expression.
 */
#ifndef BIND_H
#define BIND_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "catalog.h"
#include "db.h"

/* A source is anything a column can be read from while a query runs:
 * a table of FROM, a subquery of FROM, a view, or the rows an operator
 * makes (the results of a select, its aggregates). Sources are numbered
 * across the whole statement, so that a subquery can read the current
 * row of a source of the query around it (a correlated subquery). */
typedef struct Source {
    char *name;                /* what a qualified name calls it: the
                                * alias, else the table's name; NULL for
                                * an operator's rows */
    const TableDef *table;     /* a table of the catalog, or NULL */
    struct BoundSelect *sub;   /* a subquery or view of FROM, or NULL */
    uint32_t n_columns;
    char **column_names;
    ColumnType *types;         /* TYPE_ANY when not known */
    char *affinities;          /* a subquery's: its results'; NULL for a
                                * table (its columns' types give them) */
    bool *merged;              /* NULL, or per column: a USING column the
                                * item on its left shows (an unqualified
                                * name and * mean the left one) */
    bool right_of_left_join;   /* NULL when its LEFT JOIN finds no row */
} Source;

/* The aggregate functions, in func.c. */
typedef enum AggregateKind {
    AGG_COUNT_STAR,
    AGG_COUNT,
    AGG_SUM,
    AGG_TOTAL,
    AGG_AVG,
    AGG_MIN,
    AGG_MAX,
} AggregateKind;

/* The most FROM items one SELECT may have (more is an error). */
#define MAX_FROM_ITEMS 64

/* One SELECT of a statement (a compound is a chain of them). */
typedef struct BoundSelect {
    Select *select;            /* its tree, bound in place */
    uint32_t n_from;           /* its FROM items ... */
    uint32_t *from_sources;    /* ... and the source each is */
    uint32_t level;            /* 0 for the statement's, 1 inside, ... */

    /* The results, * expanded: expressions, names, types. */
    uint32_t n_results;
    Expr **results;
    char **result_names;
    ColumnType *result_types;
    char *result_affinities;   /* SQLite's rule: a result that is a column
                                * has its affinity; any other, none */

    /* GROUP BY: an expression per key (a result's, when it names one). */
    uint32_t n_group;
    Expr **group_exprs;

    /* Aggregation: the calls of aggregate functions, one of each kind
     * (each Expr has its index in ->aggregate; a call equal to one
     * before shares its index), every call with its repeats, and the
     * source whose row holds their values while the rows above the
     * aggregation are computed. */
    bool aggregated;
    uint32_t n_aggregates, n_calls;
    Expr **aggregates, **calls;
    uint32_t aggregate_source;
    /* The columns of FROM read above the aggregation (in the results,
     * HAVING, ORDER BY): a group shows them as its last row had them. */
    uint32_t n_kept;
    uint32_t *kept_source, *kept_column;

    /* ORDER BY: an expression per key, or the result it names. */
    uint32_t n_order;
    Expr **order_exprs;        /* NULL where a key is a result column */
    int32_t *order_result;     /* that result's index, or -1 */
    bool *order_desc;

    /* The source of the rows this select makes (its results). */
    uint32_t output_source;

    struct BoundSelect *prior; /* the select before select->op */
    bool correlated;           /* reads a source of an enclosing query */
} BoundSelect;

/* Everything bound for one statement. */
typedef struct Binding {
    Db *db;
    Source *sources;
    uint32_t n_sources, cap_sources;
    BoundSelect **selects;     /* every select bound, to free them */
    uint32_t n_selects, cap_selects;
    Stmt **views;              /* views' statements, parsed to bind them */
    uint32_t n_views, cap_views;
    char **view_texts;
} Binding;

/* Binds SELECT (of a statement in B->db) and everything in it,
 * recording its sources in B. DB_ENOTFOUND: a name that does not exist;
 * DB_ESYNTAX: an aggregate where none may be, an ambiguous name, ...;
 * with the position in db_errpos(). */
DbStatus bind_select(Binding *b, Select *select, BoundSelect **out);

/* Binds an expression of a statement on one table (UPDATE, DELETE,
 * INSERT ... VALUES) whose row is source SOURCE (-1: none, for VALUES). */
DbStatus bind_table_expr(Binding *b, Expr *expr, int source);

/* Adds table DEF to B as a source named NAME, with its columns; returns
 * its number, or -1 if memory runs out. */
int bind_table_source(Binding *b, const TableDef *def, const char *name);

/* Adds a source (of N_COLUMNS columns) to B; returns its number, or -1
 * if memory runs out. */
int bind_add_source(Binding *b, const char *name, const TableDef *table,
                    uint32_t n_columns);

/* Frees what B holds (the statement's tree stays). */
void bind_free(Binding *b);

/* The aggregate NAME(N_ARGS) is, or -1 if NAME is no aggregate. */
int bind_aggregate_kind(const char *name, uint32_t n_args, bool star);

/* Whether two bound expressions are the same expression. */
bool bind_same_expr(const Expr *a, const Expr *b);

#endif
