/*
 * value.c - the rules values follow in expressions: SQLite's, so that
 * Strata's answers can be compared with sqlite3's.
 *
 * Owns: comparison and its affinities, truth, arithmetic with overflow,
 * conversions between text and numbers, LIKE, and the arena that
 * computed texts live in.
 * Does not: know columns or tables (bind.c does), or evaluate a tree of
 * expressions (exec.c does).
 *
 * SQLite's conversions, which every function here follows:
 *
 *   text to number, when a text takes part in arithmetic, as in
 *   '12abc' + 1 = 13: its longest prefix that is a number, else 0
 *   text to number for a comparison (an affinity): only if all of it is
 *   a number ('12 ' is 12, '12abc' stays text)
 *   number to text: integers as digits, reals with 15 significant digits
 *   and always a point (1.0, 0.3, 1.0e+20)
 *   integer overflow in + - * and in the division of the smallest
 *   integer by -1: the answer becomes a real
 */
#include "value.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* --- the arena -------------------------------------------------------- */

struct ArenaBlock {
    ArenaBlock *next;
    size_t size;           /* bytes of data[] */
    unsigned char data[];
};

#define ARENA_BLOCK 8192

void *arena_alloc(Arena *arena, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    ArenaBlock *b = arena->blocks;
    if (b == NULL || arena->used + n > b->size) {
        size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        ArenaBlock *block = malloc(sizeof *block + size);
        if (block == NULL)
            return NULL;
        block->size = size;
        if (b != NULL && arena->used == 0 && n > b->size) {
            /* An empty first block too small: it goes. */
            block->next = b->next;
            arena->total -= b->size;
            free(b);
        } else {
            block->next = b;
        }
        arena->blocks = block;
        arena->used = 0;
        arena->total += size;
        b = block;
    }
    void *p = b->data + arena->used;
    arena->used += n;
    return p;
}

void arena_reset(Arena *arena)
{
    ArenaBlock *b = arena->blocks;
    if (b == NULL)
        return;
    /* Keep the newest block (the largest needed lately), free the rest. */
    for (ArenaBlock *rest = b->next; rest != NULL;) {
        ArenaBlock *next = rest->next;
        arena->total -= rest->size;
        free(rest);
        rest = next;
    }
    b->next = NULL;
    arena->used = 0;
}

void arena_free(Arena *arena)
{
    for (ArenaBlock *b = arena->blocks; b != NULL;) {
        ArenaBlock *next = b->next;
        free(b);
        b = next;
    }
    *arena = (Arena){0};
}

DbStatus arena_copy_value(Arena *arena, const Value *v, Value *out)
{
    *out = *v;
    if (v->type != VALUE_TEXT || v->text.n == 0)
        return DB_OK;
    char *s = arena_alloc(arena, v->text.n);
    if (s == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    memcpy(s, v->text.s, v->text.n);
    out->text.s = s;
    return DB_OK;
}

/* --- text to numbers -------------------------------------------------- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads the number at the start of S (N bytes; leading white space
 * skipped) into *out, an integer if it has no point or exponent and fits
 * in 64 bits, else a real. Returns the bytes used, 0 if there is none. */
static size_t parse_number(const char *s, size_t n, Value *out)
{
    size_t i = 0;
    while (i < n && is_space(s[i]))
        i++;
    size_t start = i;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t digits = i;
    while (i < n && is_digit(s[i]))
        i++;
    bool integral = true;
    size_t int_end = i;
    if (i < n && s[i] == '.') {
        size_t j = i + 1;
        while (j < n && is_digit(s[j]))
            j++;
        if (j > i + 1 || int_end > digits) {
            integral = false;
            i = j;
        }
    }
    if (i == digits || (i == digits + 1 && s[digits] == '.'))
        return 0; /* no digit at all */
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < n && is_digit(s[j])) {
            while (j < n && is_digit(s[j]))
                j++;
            integral = false;
            i = j;
        }
    }
    char buf[400];
    size_t len = i - start;
    if (len >= sizeof buf) {
        /* Hundreds of digits: a real, near enough, from the first ones. */
        len = sizeof buf - 1;
        integral = false;
    }
    memcpy(buf, s + start, len);
    buf[len] = '\0';
    if (integral) {
        char *end;
        errno = 0;
        long long v = strtoll(buf, &end, 10);
        if (errno == 0) {
            *out = (Value){.type = VALUE_INTEGER, .i = v};
            return i;
        }
    }
    *out = (Value){.type = VALUE_REAL, .r = strtod(buf, NULL)};
    return i;
}

/* The integer at the start of text S (N bytes), as SQLite's % reads a
 * text: its leading digits only ('1e3' is 1), saturating at the ends of
 * 64 bits; 0 if there are none. */
static int64_t leading_integer(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && is_space(s[i]))
        i++;
    bool minus = i < n && s[i] == '-';
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    uint64_t v = 0;
    bool over = false;
    for (; i < n && is_digit(s[i]); i++) {
        if (v > (UINT64_MAX - 9) / 10)
            over = true;
        else
            v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (minus)
        return over || v > (uint64_t)INT64_MAX + 1 ? INT64_MIN
                                                  : (int64_t)(0 - v);
    return over || v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* The value of all of text S (N bytes), if all of it (but white space
 * around) is a number. */
static bool whole_number(const char *s, size_t n, Value *out)
{
    size_t used = parse_number(s, n, out);
    if (used == 0)
        return false;
    while (used < n && is_space(s[used]))
        used++;
    return used == n;
}

void value_to_number(const Value *v, Value *out)
{
    switch (v->type) {
    case VALUE_TEXT:
        if (parse_number(v->text.s, v->text.n, out) == 0)
            *out = (Value){.type = VALUE_INTEGER, .i = 0};
        return;
    case VALUE_BOOLEAN:
        *out = (Value){.type = VALUE_INTEGER, .i = v->b};
        return;
    default:
        *out = *v;
    }
}

/* A real as an integer, saturating at the ends, as CAST does. */
static int64_t real_to_integer(double r)
{
    if (isnan(r))
        return 0;
    if (r <= -9223372036854775808.0)
        return INT64_MIN;
    if (r >= 9223372036854775807.0)
        return INT64_MAX;
    return (int64_t)r;
}

/* A real with no fraction that fits, as an integer. */
static bool exact_integer(double r, int64_t *i)
{
    if (r != floor(r) || r < -9223372036854775808.0 ||
        r >= 9223372036854775808.0)
        return false;
    *i = (int64_t)r;
    return true;
}

/* --- numbers to text -------------------------------------------------- */

int value_format_real(double r, char *buf, size_t size)
{
    if (isinf(r))
        return snprintf(buf, size, r < 0 ? "-Inf" : "Inf");
    if (r == 0)
        r = 0; /* -0.0 prints as 0.0 */
    int n = snprintf(buf, size, "%.15g", r);
    char *e = strchr(buf, 'e');
    if (strchr(buf, '.') != NULL)
        return n;
    if (e == NULL)
        return n + snprintf(buf + n, size - (size_t)n, ".0");
    /* 1e+20 -> 1.0e+20 */
    memmove(e + 2, e, strlen(e) + 1);
    e[0] = '.';
    e[1] = '0';
    return n + 2;
}

DbStatus value_to_text(Arena *arena, const Value *v, Value *out)
{
    char buf[64];
    int n;
    switch (v->type) {
    case VALUE_NULL:
    case VALUE_TEXT:
        *out = *v;
        return DB_OK;
    case VALUE_INTEGER:
        n = snprintf(buf, sizeof buf, "%" PRId64, v->i);
        break;
    case VALUE_REAL:
        n = value_format_real(v->r, buf, sizeof buf);
        break;
    case VALUE_BOOLEAN:
        n = snprintf(buf, sizeof buf, "%d", v->b ? 1 : 0);
        break;
    default:
        n = 0;
    }
    Value text = {.type = VALUE_TEXT, .text = {buf, (uint32_t)n}};
    return arena_copy_value(arena, &text, out);
}

/* --- affinities ------------------------------------------------------- */

char value_type_affinity(ColumnType type)
{
    switch (type) {
    case TYPE_INTEGER:
    case TYPE_BOOLEAN:
        return AFFINITY_INTEGER;
    case TYPE_REAL:
        return AFFINITY_REAL;
    case TYPE_TEXT:
        return AFFINITY_TEXT;
    }
    return AFFINITY_NONE;
}

char value_name_affinity(const char *name)
{
    char up[64];
    size_t n = strlen(name);
    if (n >= sizeof up)
        n = sizeof up - 1;
    for (size_t i = 0; i < n; i++)
        up[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32
                                                      : name[i]);
    up[n] = '\0';
    if (strstr(up, "INT"))
        return AFFINITY_INTEGER;
    if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT"))
        return AFFINITY_TEXT;
    if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB"))
        return AFFINITY_REAL;
    return AFFINITY_NUMERIC;
}

void value_numeric_affinity(const Value *v, Value *out)
{
    *out = *v;
    Value n;
    if (v->type == VALUE_TEXT && whole_number(v->text.s, v->text.n, &n)) {
        int64_t i;
        if (n.type == VALUE_REAL && exact_integer(n.r, &i))
            n = (Value){.type = VALUE_INTEGER, .i = i};
        *out = n;
    } else if (v->type == VALUE_BOOLEAN) {
        *out = (Value){.type = VALUE_INTEGER, .i = v->b};
    }
}

/* --- comparison ------------------------------------------------------- */

static int compare_numbers(const Value *a, const Value *b)
{
    if (a->type == VALUE_INTEGER && b->type == VALUE_INTEGER)
        return (a->i > b->i) - (a->i < b->i);
    if (a->type == VALUE_REAL && b->type == VALUE_REAL)
        return (a->r > b->r) - (a->r < b->r);
    /* An integer against a real: exactly, though a double cannot hold
     * every 64-bit integer. */
    bool swap = a->type == VALUE_REAL;
    int64_t i = swap ? b->i : a->i;
    double r = swap ? a->r : b->r;
    int c;
    if (r >= 9223372036854775808.0)
        c = -1;
    else if (r < -9223372036854775808.0)
        c = 1;
    else {
        int64_t ri = (int64_t)r;
        if (i != ri)
            c = i < ri ? -1 : 1;
        else {
            double frac = r - (double)ri;
            c = frac > 0 ? -1 : frac < 0 ? 1 : 0;
        }
    }
    return swap ? -c : c;
}

/* The rank of a value's type in ORDER BY: NULL, numbers, text. */
static int rank(const Value *v)
{
    switch (v->type) {
    case VALUE_NULL:
        return 0;
    case VALUE_TEXT:
        return 2;
    default:
        return 1;
    }
}

static Value as_number(const Value *v)
{
    return v->type == VALUE_BOOLEAN
               ? (Value){.type = VALUE_INTEGER, .i = v->b} : *v;
}

int value_compare(const Value *a, const Value *b)
{
    int ra = rank(a), rb = rank(b);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    if (ra == 0)
        return 0;
    if (ra == 1) {
        Value x = as_number(a), y = as_number(b);
        return compare_numbers(&x, &y);
    }
    uint32_t n = a->text.n < b->text.n ? a->text.n : b->text.n;
    int c = n ? memcmp(a->text.s, b->text.s, n) : 0;
    if (c != 0)
        return c < 0 ? -1 : 1;
    return (a->text.n > b->text.n) - (a->text.n < b->text.n);
}

static bool numeric(char affinity)
{
    return affinity == AFFINITY_INTEGER || affinity == AFFINITY_REAL ||
           affinity == AFFINITY_NUMERIC;
}

/* book: begin compare-for */
int value_compare_for(const Value *a, char a_affinity, const Value *b,
                      char b_affinity, bool *is_null)
{
    *is_null = a->type == VALUE_NULL || b->type == VALUE_NULL;
    if (*is_null)
        return 0;
    /* Two integers: no affinity but text's changes either (the most
     * common comparison of all, so it goes first). */
    if (a->type == VALUE_INTEGER && b->type == VALUE_INTEGER &&
        a_affinity != AFFINITY_TEXT && b_affinity != AFFINITY_TEXT)
        return (a->i > b->i) - (a->i < b->i);
    /* SQLite's rule: a number-like side makes the other a number, if it
     * looks like one; else a text side makes an untyped one text. */
    Value x = *a, y = *b;
    char buf_x[64], buf_y[64];
    if (numeric(a_affinity) && !numeric(b_affinity)) {
        value_numeric_affinity(b, &y);
    } else if (numeric(b_affinity) && !numeric(a_affinity)) {
        value_numeric_affinity(a, &x);
    } else if (a_affinity == AFFINITY_TEXT && b_affinity == AFFINITY_NONE &&
               b->type != VALUE_TEXT && b->type != VALUE_NULL) {
        Value n = as_number(b);
        int len = n.type == VALUE_INTEGER
                      ? snprintf(buf_y, sizeof buf_y, "%" PRId64, n.i)
                      : value_format_real(n.r, buf_y, sizeof buf_y);
        y = (Value){.type = VALUE_TEXT, .text = {buf_y, (uint32_t)len}};
    } else if (b_affinity == AFFINITY_TEXT && a_affinity == AFFINITY_NONE &&
               a->type != VALUE_TEXT && a->type != VALUE_NULL) {
        Value n = as_number(a);
        int len = n.type == VALUE_INTEGER
                      ? snprintf(buf_x, sizeof buf_x, "%" PRId64, n.i)
                      : value_format_real(n.r, buf_x, sizeof buf_x);
        x = (Value){.type = VALUE_TEXT, .text = {buf_x, (uint32_t)len}};
    }
    return value_compare(&x, &y);
}
/* book: end compare-for */

bool value_truth(const Value *v, bool *is_null)
{
    *is_null = v->type == VALUE_NULL;
    Value n;
    value_to_number(v, &n);
    switch (n.type) {
    case VALUE_INTEGER:
        return n.i != 0;
    case VALUE_REAL:
        return n.r != 0.0;
    default:
        return false;
    }
}

/* --- arithmetic ------------------------------------------------------- */

/* book: begin arith */
DbStatus value_arith(int op, const Value *a, const Value *b, Value *out)
{
    if (a->type == VALUE_NULL || b->type == VALUE_NULL) {
        *out = (Value){.type = VALUE_NULL};
        return DB_OK;
    }
    Value x, y;
    value_to_number(a, &x);
    value_to_number(b, &y);
    if (op == TK_REM) {
        /* Both as integers (a text by its leading digits); the answer a
         * real if either was one. */
        int64_t i = a->type == VALUE_TEXT ? leading_integer(a->text.s,
                                                            a->text.n)
                    : x.type == VALUE_INTEGER ? x.i : real_to_integer(x.r);
        int64_t j = b->type == VALUE_TEXT ? leading_integer(b->text.s,
                                                            b->text.n)
                    : y.type == VALUE_INTEGER ? y.i : real_to_integer(y.r);
        if (j == 0) {
            *out = (Value){.type = VALUE_NULL};
            return DB_OK;
        }
        int64_t r = j == -1 ? 0 : i % j;
        *out = x.type == VALUE_REAL || y.type == VALUE_REAL
                   ? (Value){.type = VALUE_REAL, .r = (double)r}
                   : (Value){.type = VALUE_INTEGER, .i = r};
        return DB_OK;
    }
    if (x.type == VALUE_INTEGER && y.type == VALUE_INTEGER) {
        int64_t r;
        bool overflow;
        switch (op) {
        case TK_PLUS:
            overflow = __builtin_add_overflow(x.i, y.i, &r);
            break;
        case TK_MINUS:
            overflow = __builtin_sub_overflow(x.i, y.i, &r);
            break;
        case TK_STAR:
            overflow = __builtin_mul_overflow(x.i, y.i, &r);
            break;
        default: /* TK_SLASH: truncates toward zero */
            if (y.i == 0) {
                *out = (Value){.type = VALUE_NULL};
                return DB_OK;
            }
            overflow = x.i == INT64_MIN && y.i == -1;
            r = overflow ? 0 : x.i / y.i;
        }
        if (!overflow) {
            *out = (Value){.type = VALUE_INTEGER, .i = r};
            return DB_OK;
        }
        /* Too large for 64 bits: the answer is a real, as in SQLite. */
    }
    double p = x.type == VALUE_INTEGER ? (double)x.i : x.r;
    double q = y.type == VALUE_INTEGER ? (double)y.i : y.r;
    double r;
    switch (op) {
    case TK_PLUS:
        r = p + q;
        break;
    case TK_MINUS:
        r = p - q;
        break;
    case TK_STAR:
        r = p * q;
        break;
    default:
        if (q == 0.0) {
            *out = (Value){.type = VALUE_NULL};
            return DB_OK;
        }
        r = p / q;
    }
    *out = isnan(r) ? (Value){.type = VALUE_NULL}
                    : (Value){.type = VALUE_REAL, .r = r};
    return DB_OK;
}
/* book: end arith */

void value_negate(const Value *v, Value *out)
{
    Value n;
    if (v->type == VALUE_NULL) {
        *out = *v;
        return;
    }
    value_to_number(v, &n);
    if (n.type == VALUE_INTEGER && n.i == INT64_MIN)
        *out = (Value){.type = VALUE_REAL, .r = 9223372036854775808.0};
    else if (n.type == VALUE_INTEGER)
        *out = (Value){.type = VALUE_INTEGER, .i = -n.i};
    else
        *out = (Value){.type = VALUE_REAL, .r = -n.r};
}

DbStatus value_concat(Arena *arena, const Value *a, const Value *b,
                      Value *out)
{
    if (a->type == VALUE_NULL || b->type == VALUE_NULL) {
        *out = (Value){.type = VALUE_NULL};
        return DB_OK;
    }
    Value x, y;
    DbStatus rc = value_to_text(arena, a, &x);
    if (rc == DB_OK)
        rc = value_to_text(arena, b, &y);
    if (rc != DB_OK)
        return rc;
    uint64_t n = (uint64_t)x.text.n + y.text.n;
    if (n > RECORD_MAX_TEXT)
        return db_fail(DB_ETOOLONG, "string or blob too big");
    char *s = arena_alloc(arena, n ? n : 1);
    if (s == NULL)
        return db_fail(DB_ENOMEM, "out of memory");
    memcpy(s, x.text.s, x.text.n);
    memcpy(s + x.text.n, y.text.s, y.text.n);
    *out = (Value){.type = VALUE_TEXT, .text = {s, (uint32_t)n}};
    return DB_OK;
}

/* book: begin cast */
DbStatus value_cast(Arena *arena, const Value *v, char affinity,
                    Value *out)
{
    if (v->type == VALUE_NULL) {
        *out = *v;
        return DB_OK;
    }
    Value n;
    switch (affinity) {
    case AFFINITY_TEXT:
        return value_to_text(arena, v, out);
    case AFFINITY_INTEGER:
        /* A text gives its leading integer: '1e3' is 1, as in SQLite. */
        if (v->type == VALUE_TEXT) {
            size_t i = 0;
            while (i < v->text.n && is_space(v->text.s[i]))
                i++;
            size_t j = i;
            if (j < v->text.n && (v->text.s[j] == '+' ||
                                  v->text.s[j] == '-'))
                j++;
            while (j < v->text.n && is_digit(v->text.s[j]))
                j++;
            if (parse_number(v->text.s + i, j - i, &n) == 0)
                n = (Value){.type = VALUE_INTEGER, .i = 0};
        } else {
            value_to_number(v, &n);
        }
        *out = n.type == VALUE_REAL
                   ? (Value){.type = VALUE_INTEGER,
                             .i = real_to_integer(n.r)}
                   : n;
        return DB_OK;
    case AFFINITY_REAL:
        value_to_number(v, &n);
        *out = n.type == VALUE_INTEGER
                   ? (Value){.type = VALUE_REAL, .r = (double)n.i} : n;
        return DB_OK;
    default: /* NUMERIC: a text that reads as a whole integer is one */
        value_to_number(v, &n);
        int64_t i;
        if (v->type == VALUE_TEXT && n.type == VALUE_REAL &&
            exact_integer(n.r, &i))
            n = (Value){.type = VALUE_INTEGER, .i = i};
        *out = n;
        return DB_OK;
    }
}
/* book: end cast */

/* --- LIKE ------------------------------------------------------------- */

static char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The length of the UTF-8 character at S (of at most N bytes). */
static uint32_t char_len(const char *s, uint32_t n)
{
    unsigned char c = (unsigned char)s[0];
    uint32_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    return len <= n ? len : n;
}

bool value_like(const char *t, uint32_t tn, const char *p, uint32_t pn,
                int escape)
{
    uint32_t ti = 0, pi = 0;
    /* The last % seen and where the text stood then: to back up to. */
    uint32_t star_p = UINT32_MAX, star_t = 0;
    while (ti < tn) {
        if (pi < pn && (unsigned char)p[pi] == escape && pi + 1 < pn) {
            uint32_t len = char_len(p + pi + 1, pn - pi - 1);
            if (len <= tn - ti && fold(p[pi + 1]) == fold(t[ti]) &&
                memcmp(p + pi + 2, t + ti + 1, len - 1) == 0) {
                pi += 1 + len;
                ti += len;
                continue;
            }
        } else if (pi < pn && p[pi] == '%') {
            star_p = ++pi;
            star_t = ti;
            continue;
        } else if (pi < pn && p[pi] == '_') {
            pi++;
            ti += char_len(t + ti, tn - ti);
            continue;
        } else if (pi < pn) {
            uint32_t len = char_len(p + pi, pn - pi);
            if (len <= tn - ti && fold(p[pi]) == fold(t[ti]) &&
                memcmp(p + pi + 1, t + ti + 1, len - 1) == 0) {
                pi += len;
                ti += len;
                continue;
            }
        }
        if (star_p == UINT32_MAX)
            return false;
        /* Let the last % take one more character, and try again. */
        star_t += char_len(t + star_t, tn - star_t);
        ti = star_t;
        pi = star_p;
    }
    while (pi < pn && p[pi] == '%')
        pi++;
    return pi == pn;
}

const char *value_type_name(const Value *v)
{
    switch (v->type) {
    case VALUE_NULL:
        return "null";
    case VALUE_INTEGER:
        return "integer";
    case VALUE_REAL:
        return "real";
    case VALUE_TEXT:
        return "text";
    case VALUE_BOOLEAN:
        return "boolean";
    }
    return "null";
}
