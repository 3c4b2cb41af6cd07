/*
 * func.h - the functions SQL can call: scalar functions (abs, coalesce,
 * length, ...) and aggregates (count, sum, avg, ...), as SQLite defines
 * them.
 */
#ifndef FUNC_H
#define FUNC_H

#include <stdbool.h>
#include <stdint.h>

#include "bind.h"
#include "value.h"

/* Sets *F to the number of the scalar function NAME that takes N_ARGS
 * arguments. DB_ENOTFOUND, the error at POS in the statement: there is
 * no function of that name, or it takes another number of arguments. */
DbStatus func_find(const char *name, uint32_t n_args, uint32_t pos, int *f);

/* The type function F gives for arguments of TYPES (TYPE_ANY: unknown). */
ColumnType func_result_type(int f, const ColumnType *types, uint32_t n);

/* Calls function F on the N values ARGS; texts it makes go in ARENA.
 * DB_ERANGE: abs() of the smallest integer ("integer overflow"). */
DbStatus func_call(int f, Arena *arena, const Value *args, uint32_t n,
                   Value *out);

/* The state of one aggregate over one group. */
typedef struct AggState {
    AggregateKind kind;
    bool distinct;
    uint64_t count;        /* rows counted (or summed) */
    int64_t int_sum;       /* while every value summed is an integer */
    double real_sum;
    bool has_real;         /* a real was summed: the sum is real_sum */
    bool overflow;         /* the integer sum overflowed */
    Value best;            /* min or max so far; its text in own */
    char *own;
    size_t own_cap;
    void *seen;            /* DISTINCT: the values met (func.c) */
} AggState;

/* Starts STATE for a new group. */
void agg_init(AggState *state, AggregateKind kind, bool distinct);

/* Adds one row's value V (ignored for count(*)). DB_ENOMEM; DB_ERANGE:
 * sum() of integers overflowed ("integer overflow"), as in SQLite. */
DbStatus agg_step(AggState *state, const Value *v);

/* The aggregate's value for the group (its text, if any, lives in
 * STATE until agg_init or agg_free). */
DbStatus agg_final(AggState *state, Value *out);

void agg_free(AggState *state);

/* The type aggregate KIND gives over values of ARG. */
ColumnType agg_result_type(AggregateKind kind, ColumnType arg);

#endif
