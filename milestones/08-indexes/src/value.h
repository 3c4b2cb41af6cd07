/*
 * value.h - what values do in expressions: compare, convert, compute.
 *
 * Where SQL engines disagree, Strata does as SQLite does, so that its
 * answers can be checked against sqlite3's: integer division truncates,
 * dividing by zero gives NULL, an integer that overflows becomes a real,
 * text compares by its bytes, NULL sorts first, and a comparison's answer
 * is the integer 1 or 0.
 */
#ifndef VALUE_H
#define VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "status.h"

/* Memory for the values an expression makes (a concatenation, a cast to
 * text), taken in blocks and given back all at once, when the row they
 * belong to is done with. */
typedef struct ArenaBlock ArenaBlock;
typedef struct Arena {
    ArenaBlock *blocks;
    size_t used;           /* bytes taken in the first block */
    size_t total;          /* bytes held, for memory accounting */
} Arena;

/* N bytes from ARENA, or NULL if memory runs out. */
void *arena_alloc(Arena *arena, size_t n);
/* Makes every allocation free again, keeping the first block. */
void arena_reset(Arena *arena);
void arena_free(Arena *arena);
/* A copy of V whose text lives in ARENA. */
DbStatus arena_copy_value(Arena *arena, const Value *v, Value *out);

/* An affinity (SQLite's word): the type a value is nudged toward before
 * it is compared, when it looks like one. A column has its type's; CAST
 * has its target's; other expressions have none. */
#define AFFINITY_NONE 0
#define AFFINITY_INTEGER 'i'
#define AFFINITY_REAL 'r'
#define AFFINITY_NUMERIC 'n'
#define AFFINITY_TEXT 't'

/* The affinity of a column of TYPE. */
char value_type_affinity(ColumnType type);

/* The order of two values, as ORDER BY sorts them: NULL first, then
 * numbers by value (an integer and a real compare exactly), then text by
 * its bytes. <0, 0, >0. */
int value_compare(const Value *a, const Value *b);

/* Compares A and B for a comparison operator, applying the operands'
 * affinities first as SQLite does. *is_null: either is NULL, and the
 * answer is unknown. */
int value_compare_for(const Value *a, char a_affinity, const Value *b,
                      char b_affinity, bool *is_null);

/* Whether a comparison of a value of affinity A_AFFINITY with one of
 * B_AFFINITY compares the first as it is (only the second may change):
 * then the comparison orders the first side's values as value_compare
 * does, and an index of them can answer it. */
bool value_compare_keeps(char a_affinity, char b_affinity);

/* B (of affinity B_AFFINITY) as value_compare_for compares it with a
 * value of affinity A_AFFINITY, into *out (a text it makes goes in
 * ARENA): with value_compare_keeps(A, B), value_compare_for(a, A, b, B)
 * is value_compare(a, out). DB_ENOMEM. */
DbStatus value_compare_operand(Arena *arena, const Value *b,
                               char b_affinity, char a_affinity,
                               Value *out);

/* Whether V counts as true in WHERE: a number other than zero, a text
 * whose leading number is not zero. *is_null: V is NULL. */
bool value_truth(const Value *v, bool *is_null);

/* OP (a TK_ code: PLUS, MINUS, STAR, SLASH, REM) of A and B into *out.
 * NULL in, NULL out. DB_OK always, except DB_ENOMEM. */
DbStatus value_arith(int op, const Value *a, const Value *b, Value *out);

/* -V. */
void value_negate(const Value *v, Value *out);

/* A || B, in ARENA. */
DbStatus value_concat(Arena *arena, const Value *a, const Value *b,
                      Value *out);

/* V converted to the type of CAST(V AS T), where T has AFFINITY, as
 * SQLite converts: text to a number by its leading digits, a number to
 * text as SQLite prints it. Texts go in ARENA. */
DbStatus value_cast(Arena *arena, const Value *v, char affinity,
                    Value *out);

/* R as SQLite prints it, into BUF of SIZE bytes (32 is enough): 15
 * significant digits, and a point even in a whole number ("40.0",
 * "1.0e+20"), so a real never reads as an integer. Returns the length. */
int value_format_real(double r, char *buf, size_t size);

/* V as text (a number printed as SQLite prints it), in ARENA. */
DbStatus value_to_text(Arena *arena, const Value *v, Value *out);

/* V with numeric affinity applied, as a comparison with an INTEGER or
 * REAL column applies it: a text that is all a number becomes that
 * number (an integer if it has no fraction); any other text stays. */
void value_numeric_affinity(const Value *v, Value *out);

/* V as a number: text by its leading digits ('12abc' is 12, 'x' is 0). */
void value_to_number(const Value *v, Value *out);

/* The affinity of a type name as CAST and SQLite's columns read it: INT
 * anywhere gives INTEGER; CHAR, CLOB or TEXT: TEXT; REAL, FLOA or DOUB:
 * REAL; anything else NUMERIC (so CAST(x AS SIGNED) is NUMERIC). */
char value_name_affinity(const char *type_name);

/* Whether TEXT matches the LIKE PATTERN (% any run, _ any character,
 * ESCAPE makes the next character literal; ASCII letters match either
 * case). */
bool value_like(const char *text, uint32_t text_len, const char *pattern,
                uint32_t pattern_len, int escape);

/* The name typeof() gives V's type. */
const char *value_type_name(const Value *v);

#endif
