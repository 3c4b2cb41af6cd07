/*
 * func.c - the scalar functions and the aggregates, with SQLite's
 * meaning where engines differ (length counts characters, lower and upper
 * fold ASCII only, round() returns a real, sum() of no rows is NULL and
 * total() of no rows is 0.0).
 *
 * Owns: what each function computes, and the state of an aggregate.
 * Does not: decide which rows form a group (exec.c does).
 */
#include "func.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef DbStatus (*ScalarFn)(Arena *arena, const Value *args, uint32_t n,
                             Value *out);

static const Value NULL_VALUE = {.type = VALUE_NULL};

static DbStatus f_abs(Arena *arena, const Value *a, uint32_t n, Value *out)
{
    (void)arena;
    (void)n;
    Value v;
    if (a[0].type == VALUE_NULL) {
        *out = NULL_VALUE;
        return DB_OK;
    }
    value_to_number(&a[0], &v);
    /* As in SQLite: an integer stays one; anything else, a text too,
     * becomes a real. */
    if (a[0].type == VALUE_TEXT && v.type == VALUE_INTEGER)
        v = (Value){.type = VALUE_REAL, .r = (double)v.i};
    if (v.type == VALUE_INTEGER) {
        if (v.i == INT64_MIN)
            return db_fail(DB_ERANGE, "integer overflow");
        *out = (Value){.type = VALUE_INTEGER, .i = v.i < 0 ? -v.i : v.i};
    } else {
        *out = (Value){.type = VALUE_REAL, .r = fabs(v.r)};
    }
    return DB_OK;
}

/* The first argument that is not NULL. */
static DbStatus f_coalesce(Arena *arena, const Value *a, uint32_t n,
                           Value *out)
{
    (void)arena;
    *out = NULL_VALUE;
    for (uint32_t i = 0; i < n; i++) {
        if (a[i].type != VALUE_NULL) {
            *out = a[i];
            break;
        }
    }
    return DB_OK;
}

static DbStatus f_nullif(Arena *arena, const Value *a, uint32_t n,
                         Value *out)
{
    (void)arena;
    (void)n;
    bool is_null;
    int c = value_compare_for(&a[0], AFFINITY_NONE, &a[1], AFFINITY_NONE,
                              &is_null);
    *out = !is_null && c == 0 ? NULL_VALUE : a[0];
    return DB_OK;
}

static DbStatus f_length(Arena *arena, const Value *a, uint32_t n,
                         Value *out)
{
    (void)n;
    if (a[0].type == VALUE_NULL) {
        *out = NULL_VALUE;
        return DB_OK;
    }
    Value t;
    DbStatus rc = value_to_text(arena, &a[0], &t);
    if (rc != DB_OK)
        return rc;
    int64_t chars = 0;
    for (uint32_t i = 0; i < t.text.n; i++)
        chars += ((unsigned char)t.text.s[i] & 0xc0) != 0x80;
    *out = (Value){.type = VALUE_INTEGER, .i = chars};
    return DB_OK;
}

/* lower() and upper(): ASCII letters only, as SQLite without ICU. */
static DbStatus fold_case(Arena *arena, const Value *a, bool upper,
                          Value *out)
{
    if (a[0].type == VALUE_NULL) {
        *out = NULL_VALUE;
        return DB_OK;
    }
    Value t;
    DbStatus rc = value_to_text(arena, &a[0], &t);
    char *s = rc == DB_OK ? arena_alloc(arena, t.text.n + 1) : NULL;
    if (s == NULL)
        return rc != DB_OK ? rc : db_fail(DB_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < t.text.n; i++) {
        char c = t.text.s[i];
        if (upper && c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        else if (!upper && c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        s[i] = c;
    }
    *out = (Value){.type = VALUE_TEXT, .text = {s, t.text.n}};
    return DB_OK;
}

static DbStatus f_lower(Arena *arena, const Value *a, uint32_t n,
                        Value *out)
{
    (void)n;
    return fold_case(arena, a, false, out);
}

static DbStatus f_upper(Arena *arena, const Value *a, uint32_t n,
                        Value *out)
{
    (void)n;
    return fold_case(arena, a, true, out);
}

/* The byte where character I (from 0) of the N bytes of S starts. */
static uint32_t char_offset(const char *s, uint32_t n, int64_t i)
{
    uint32_t at = 0;
    while (at < n && i > 0) {
        at++;
        while (at < n && ((unsigned char)s[at] & 0xc0) == 0x80)
            at++;
        i--;
    }
    return at;
}

/* substr(X, Y[, Z]): characters from Y (1 is the first; a negative Y
 * counts from the end), Z of them (a negative Z: those before Y). As in
 * SQLite, Y and Z are taken as 32-bit integers (their low 32 bits), and Z
 * is 1,000,000,000 (its longest string) when not given:
 * substr(x, -2000000000) is ''. */
static DbStatus f_substr(Arena *arena, const Value *a, uint32_t n,
                         Value *out)
{
    for (uint32_t i = 0; i < n; i++) {
        if (a[i].type == VALUE_NULL) {
            *out = NULL_VALUE;
            return DB_OK;
        }
    }
    Value t, y, z;
    DbStatus rc = value_to_text(arena, &a[0], &t);
    if (rc != DB_OK)
        return rc;
    value_cast(arena, &a[1], AFFINITY_INTEGER, &y);
    int64_t start = (int32_t)(uint32_t)(uint64_t)y.i, len = 1000000000;
    bool before = false; /* Z < 0: the characters before Y */
    if (n == 3) {
        value_cast(arena, &a[2], AFFINITY_INTEGER, &z);
        len = (int32_t)(uint32_t)(uint64_t)z.i;
        if (len < 0) {
            len = -len;
            before = true;
        }
    }
    int64_t chars = 0;
    for (uint32_t i = 0; i < t.text.n; i++)
        chars += ((unsigned char)t.text.s[i] & 0xc0) != 0x80;
    if (start < 0) {
        start += chars;
        if (start < 0) {
            len = start + len < 0 ? 0 : start + len;
            start = 0;
        }
    } else if (start > 0) {
        start--;
    } else if (len > 0) {
        len--; /* substr(x, 0, n) starts before the first character */
    }
    if (before) {
        start -= len;
        if (start < 0) {
            len += start;
            start = 0;
        }
    }
    uint32_t from = char_offset(t.text.s, t.text.n, start);
    uint32_t to = from + char_offset(t.text.s + from, t.text.n - from, len);
    *out = (Value){.type = VALUE_TEXT,
                   .text = {t.text.s + from, to - from}};
    return DB_OK;
}

/* round(X[, D]): a real, rounded half away from zero to D digits. */
static DbStatus f_round(Arena *arena, const Value *a, uint32_t n,
                        Value *out)
{
    if (a[0].type == VALUE_NULL || (n == 2 && a[1].type == VALUE_NULL)) {
        *out = NULL_VALUE;
        return DB_OK;
    }
    Value x, d = {.type = VALUE_INTEGER, .i = 0};
    value_cast(arena, &a[0], AFFINITY_REAL, &x);
    if (n == 2)
        value_cast(arena, &a[1], AFFINITY_INTEGER, &d);
    int64_t digits = d.i < 0 ? 0 : d.i > 30 ? 30 : d.i;
    double r = x.r;
    /* From 2^52 up every double is whole already. */
    if (fabs(r) < 4503599627370496.0) {
        double scale = pow(10.0, (double)digits);
        double up = floor(fabs(r) * scale + 0.5) / scale;
        if (isfinite(up))
            r = r < 0 ? -up : up;
    }
    *out = (Value){.type = VALUE_REAL, .r = r};
    return DB_OK;
}

static DbStatus f_typeof(Arena *arena, const Value *a, uint32_t n,
                         Value *out)
{
    (void)arena;
    (void)n;
    const char *name = value_type_name(&a[0]);
    *out = (Value){.type = VALUE_TEXT,
                   .text = {name, (uint32_t)strlen(name)}};
    return DB_OK;
}

/* min(X, Y, ...) and max(X, Y, ...) of several arguments (not the
 * aggregates): NULL if any is NULL. */
static DbStatus extreme(const Value *a, uint32_t n, int sign, Value *out)
{
    *out = a[0];
    for (uint32_t i = 0; i < n; i++) {
        if (a[i].type == VALUE_NULL) {
            *out = NULL_VALUE;
            return DB_OK;
        }
        if (sign * value_compare(&a[i], out) > 0)
            *out = a[i];
    }
    return DB_OK;
}

static DbStatus f_min(Arena *arena, const Value *a, uint32_t n, Value *out)
{
    (void)arena;
    return extreme(a, n, -1, out);
}

static DbStatus f_max(Arena *arena, const Value *a, uint32_t n, Value *out)
{
    (void)arena;
    return extreme(a, n, 1, out);
}

/* book: begin functions */
static const struct Function {
    const char *name;
    uint32_t min_args, max_args;
    ScalarFn fn;
    ColumnType result;     /* TYPE_ANY: as its first argument */
} FUNCTIONS[] = {
    {"abs", 1, 1, f_abs, TYPE_ANY},
    {"coalesce", 2, 100, f_coalesce, TYPE_ANY},
    {"ifnull", 2, 2, f_coalesce, TYPE_ANY},
    {"length", 1, 1, f_length, TYPE_INTEGER},
    {"lower", 1, 1, f_lower, TYPE_TEXT},
    {"max", 2, 100, f_max, TYPE_ANY},
    {"min", 2, 100, f_min, TYPE_ANY},
    {"nullif", 2, 2, f_nullif, TYPE_ANY},
    {"round", 1, 2, f_round, TYPE_REAL},
    {"substr", 2, 3, f_substr, TYPE_TEXT},
    {"substring", 2, 3, f_substr, TYPE_TEXT},
    {"typeof", 1, 1, f_typeof, TYPE_TEXT},
    {"upper", 1, 1, f_upper, TYPE_TEXT},
};
/* book: end functions */
#define N_FUNCTIONS (sizeof FUNCTIONS / sizeof FUNCTIONS[0])

DbStatus func_find(const char *name, uint32_t n_args, uint32_t pos, int *f)
{
    for (size_t i = 0; i < N_FUNCTIONS; i++) {
        const struct Function *fn = &FUNCTIONS[i];
        if (strcasecmp(fn->name, name) != 0)
            continue;
        if (n_args >= fn->min_args && n_args <= fn->max_args) {
            *f = (int)i;
            return DB_OK;
        }
        char takes[64];
        if (fn->min_args == fn->max_args)
            snprintf(takes, sizeof takes, "%u argument%s", fn->min_args,
                     fn->min_args == 1 ? "" : "s");
        else if (fn->max_args == fn->min_args + 1)
            snprintf(takes, sizeof takes, "%u or %u arguments",
                     fn->min_args, fn->max_args);
        else if (n_args < fn->min_args)
            snprintf(takes, sizeof takes, "at least %u arguments",
                     fn->min_args);
        else
            snprintf(takes, sizeof takes, "at most %u arguments",
                     fn->max_args);
        return db_fail_at(DB_ENOTFOUND, pos, "function %s takes %s, not %u",
                          name, takes, n_args);
    }
    return db_fail_at(DB_ENOTFOUND, pos, "function %s does not exist",
                      name);
}

ColumnType func_result_type(int f, const ColumnType *types, uint32_t n)
{
    ColumnType t = FUNCTIONS[f].result;
    if (t != TYPE_ANY)
        return t;
    /* abs, coalesce, min, max, nullif: the arguments' type if they
     * agree. */
    for (uint32_t i = 1; i < n; i++)
        if (types[i] != types[0])
            return TYPE_ANY;
    return n > 0 ? types[0] : TYPE_ANY;
}

DbStatus func_call(int f, Arena *arena, const Value *args, uint32_t n,
                   Value *out)
{
    return FUNCTIONS[f].fn(arena, args, n, out);
}

/* --- aggregates ------------------------------------------------------- */

/* The values a DISTINCT aggregate has met in its group: a hash set of
 * copies. */
typedef struct Seen {
    uint32_t n, cap;       /* cap: a power of two */
    Value *slots;          /* type VALUE_NULL: free */
} Seen;

static uint64_t hash_value(const Value *v)
{
    uint64_t h = 1469598103934665603ull;
    const unsigned char *p;
    size_t n;
    Value num;
    double r;
    if (v->type == VALUE_TEXT) {
        p = (const unsigned char *)v->text.s;
        n = v->text.n;
    } else {
        /* Numbers equal as values hash alike: 2 and 2.0. */
        value_to_number(v, &num);
        r = num.type == VALUE_INTEGER ? (double)num.i : num.r;
        if (r == 0)
            r = 0; /* -0.0 and 0.0 */
        p = (const unsigned char *)&r;
        n = sizeof r;
    }
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* Adds V to SEEN; *added is false if it was there. */
static DbStatus seen_add(Seen *seen, const Value *v, bool *added)
{
    if (2 * (seen->n + 1) > seen->cap) {
        uint32_t cap = seen->cap ? 2 * seen->cap : 64;
        Value *slots = calloc(cap, sizeof *slots);
        if (slots == NULL)
            return db_fail(DB_ENOMEM, "out of memory");
        for (uint32_t i = 0; i < seen->cap; i++) {
            if (seen->slots[i].type == VALUE_NULL)
                continue;
            uint32_t s = (uint32_t)hash_value(&seen->slots[i]) & (cap - 1);
            while (slots[s].type != VALUE_NULL)
                s = (s + 1) & (cap - 1);
            slots[s] = seen->slots[i];
        }
        free(seen->slots);
        seen->slots = slots;
        seen->cap = cap;
    }
    uint32_t s = (uint32_t)hash_value(v) & (seen->cap - 1);
    for (; seen->slots[s].type != VALUE_NULL; s = (s + 1) & (seen->cap - 1)) {
        if (value_compare(&seen->slots[s], v) == 0) {
            *added = false;
            return DB_OK;
        }
    }
    Value copy = *v;
    if (v->type == VALUE_TEXT) {
        char *t = malloc(v->text.n ? v->text.n : 1);
        if (t == NULL)
            return db_fail(DB_ENOMEM, "out of memory");
        memcpy(t, v->text.s, v->text.n);
        copy.text.s = t;
    }
    seen->slots[s] = copy;
    seen->n++;
    *added = true;
    return DB_OK;
}

static void seen_free(Seen *seen)
{
    if (seen == NULL)
        return;
    for (uint32_t i = 0; i < seen->cap; i++)
        if (seen->slots[i].type == VALUE_TEXT)
            free((char *)seen->slots[i].text.s);
    free(seen->slots);
    free(seen);
}

void agg_init(AggState *state, AggregateKind kind, bool distinct)
{
    char *own = state->own;
    size_t own_cap = state->own_cap;
    seen_free(state->seen);
    *state = (AggState){.kind = kind, .distinct = distinct, .own = own,
                        .own_cap = own_cap};
}

void agg_free(AggState *state)
{
    seen_free(state->seen);
    free(state->own);
    *state = (AggState){0};
}

/* Keeps V as the group's min or max, its text copied into the state. */
static DbStatus keep_best(AggState *state, const Value *v)
{
    state->best = *v;
    if (v->type != VALUE_TEXT)
        return DB_OK;
    if (v->text.n > state->own_cap) {
        char *grown = realloc(state->own, v->text.n);
        if (grown == NULL)
            return db_fail(DB_ENOMEM, "out of memory");
        state->own = grown;
        state->own_cap = v->text.n;
    }
    if (v->text.n > 0)
        memcpy(state->own, v->text.s, v->text.n);
    state->best.text.s = state->own;
    return DB_OK;
}

/* book: begin agg-step */
DbStatus agg_step(AggState *state, const Value *v)
{
    if (state->kind == AGG_COUNT_STAR) {
        state->count++;
        return DB_OK;
    }
    if (v->type == VALUE_NULL)
        return DB_OK; /* every other aggregate skips NULLs */
    if (state->distinct) {
        if (state->seen == NULL &&
            (state->seen = calloc(1, sizeof(Seen))) == NULL)
            return db_fail(DB_ENOMEM, "out of memory");
        bool added;
        DbStatus rc = seen_add(state->seen, v, &added);
        if (rc != DB_OK || !added)
            return rc;
    }
    switch (state->kind) {
    case AGG_MIN:
    case AGG_MAX: {
        int c = state->count == 0 ? 0 : value_compare(v, &state->best);
        state->count++;
        if (state->count == 1 || (state->kind == AGG_MIN ? c < 0 : c > 0))
            return keep_best(state, v);
        return DB_OK;
    }
    default: {
        /* count, sum, total, avg: the sum kept as an integer as long as
         * every value is one, as SQLite does, and as a real beside it. */
        Value n, whole;
        value_to_number(v, &n);
        state->count++;
        /* A text counts as an integer only if it is all one ('5'); any
         * other ('', '5a') makes the sum a real, as in SQLite. */
        if (v->type == VALUE_TEXT) {
            value_numeric_affinity(v, &whole);
            if (whole.type != VALUE_INTEGER && n.type == VALUE_INTEGER)
                n = (Value){.type = VALUE_REAL, .r = (double)n.i};
        }
        if (n.type == VALUE_REAL)
            state->has_real = true;
        else if (__builtin_add_overflow(state->int_sum, n.i,
                                        &state->int_sum))
            state->overflow = true;
        state->real_sum += n.type == VALUE_INTEGER ? (double)n.i : n.r;
        return DB_OK;
    }
    }
}
/* book: end agg-step */

DbStatus agg_final(AggState *state, Value *out)
{
    switch (state->kind) {
    case AGG_COUNT_STAR:
    case AGG_COUNT:
        *out = (Value){.type = VALUE_INTEGER, .i = (int64_t)state->count};
        return DB_OK;
    case AGG_MIN:
    case AGG_MAX:
        *out = state->count ? state->best : NULL_VALUE;
        return DB_OK;
    case AGG_SUM:
        if (state->count == 0) {
            *out = NULL_VALUE;
        } else if (state->has_real) {
            *out = (Value){.type = VALUE_REAL, .r = state->real_sum};
        } else {
            if (state->overflow)
                return db_fail(DB_ERANGE, "integer overflow");
            *out = (Value){.type = VALUE_INTEGER, .i = state->int_sum};
        }
        return DB_OK;
    case AGG_TOTAL:
        *out = (Value){.type = VALUE_REAL, .r = state->real_sum};
        return DB_OK;
    case AGG_AVG:
        *out = state->count == 0
                   ? NULL_VALUE
                   : (Value){.type = VALUE_REAL,
                             .r = state->real_sum / (double)state->count};
        return DB_OK;
    }
    *out = NULL_VALUE;
    return DB_OK;
}

ColumnType agg_result_type(AggregateKind kind, ColumnType arg)
{
    switch (kind) {
    case AGG_COUNT_STAR:
    case AGG_COUNT:
        return TYPE_INTEGER;
    case AGG_TOTAL:
    case AGG_AVG:
        return TYPE_REAL;
    case AGG_SUM:
        return arg == TYPE_REAL ? TYPE_REAL : TYPE_ANY;
    default:
        return arg;
    }
}
