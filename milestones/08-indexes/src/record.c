/*
 * record.c - a row of typed values as a record of bytes, and back; and
 * values as an index key whose bytes sort as the values do.
 *
 * Owns: the record format drawn in record.h, and the key format below.
 * Does not: know which table a record belongs to or check a value against
 * its column (exec.c does, before a record is made), or store records
 * or keys (the B+trees do).
 *
 * A record carries no types of its own: the table's columns say what
 * each value is, so an integer costs only the bytes its value needs.
 * Decoding checks every length against the bytes there are, because a
 * record comes from the file and may be damaged.
 *
 * An index key is compared by memcmp alone, so its bytes must sort as
 * SQL sorts the values, whatever their types (value_compare): a tag
 * byte first, that puts NULL before numbers before text; a number as its
 * exact value in binary floating point wide enough for both a double and
 * any 64-bit integer, so that 1 and 1.0 are the same bytes and 2^53 + 1
 * is not 2^53; a text as its bytes, with a terminator that sorts before
 * any byte, so that 'ab' comes before 'abc'. Each value's bytes end by
 * themselves (no value's bytes are a prefix of another's), so a list of
 * values sorts as its first value, then its second, ..., and the key of
 * a prefix of the columns is a prefix of the key.
 */
/* book: begin key-format */
/* Index key: each indexed value, then the row id
 *   bytes                value
 *   05                   NULL (and a REAL NaN, which SQLite makes NULL)
 *   14 ~E ~F             a negative number: the E and F of its absolute
 *                        value, each byte inverted (x -> ff - x)
 *   15                   zero: 0, 0.0, -0.0, FALSE
 *   16 E F               a positive number, 1.f x 2^e (TRUE is 1):
 *                          E  e + 1100 in 2 bytes, high byte first
 *                             (ffff: infinity, F then 00)
 *                          F  the bits of f after the point, 7 to a byte,
 *                             highest first, as (bits << 1) | 1 while
 *                             another byte follows, (bits << 1) for the
 *                             last; up to the last nonzero 7 bits, or
 *                             one 00 if f is 0
 *   20 T... 00 01        a text: its bytes, each 00 among them as 00 ff,
 *                        then 00 01
 *   a DESC column:       every byte of its value, the tag too, inverted
 *   row id (8)           the signed 64-bit integer with its sign bit
 *                        flipped, high byte first
 *
 * Example: (7, 'ab') with row id 3 is
 *   16 04 4e c0 | 20 61 62 00 01 | 80 00 00 00 00 00 00 03
 * (7 is 1.11 x 2^2 in binary: E = 2 + 1100 = 0x044e; F: the bits 11,
 * as 7 bits 1100000, shifted left, the last: 0xc0).
 */
/* book: end key-format */
#include "record.h"

#include <math.h>
#include <string.h>

#include "bytes.h"
#include "varint.h"

static size_t value_size(const Value *v)
{
    switch (v->type) {
    case VALUE_NULL:
        return 0;
    case VALUE_INTEGER:
        return varint_size(zigzag(v->i));
    case VALUE_REAL:
        return 8;
    case VALUE_TEXT:
        return varint_size(v->text.n) + v->text.n;
    case VALUE_BOOLEAN:
        return 1;
    }
    return 0;
}

size_t record_size(const Value *values, uint32_t n)
{
    size_t size = varint_size(n) + (n + 7) / 8;
    for (uint32_t i = 0; i < n; i++)
        size += value_size(&values[i]);
    return size;
}

/* book: begin record-encode */
void record_encode(const Value *values, uint32_t n, uint8_t *out)
{
    uint8_t *p = out + varint_put(out, n);
    uint8_t *nulls = p;
    memset(nulls, 0, (n + 7) / 8);
    p += (n + 7) / 8;
    for (uint32_t i = 0; i < n; i++) {
        const Value *v = &values[i];
        switch (v->type) {
        case VALUE_NULL:
            nulls[i / 8] |= (uint8_t)(1u << (i % 8));
            break;
        case VALUE_INTEGER:
            p += varint_put(p, zigzag(v->i));
            break;
        case VALUE_REAL: {
            uint64_t bits;
            memcpy(&bits, &v->r, 8);
            put_u64(p, bits);
            p += 8;
            break;
        }
        case VALUE_TEXT:
            p += varint_put(p, v->text.n);
            memcpy(p, v->text.s, v->text.n);
            p += v->text.n;
            break;
        case VALUE_BOOLEAN:
            *p++ = v->b ? 1 : 0;
            break;
        }
    }
}
/* book: end record-encode */

static DbStatus corrupt(const char *what)
{
    return db_fail(DB_ECORRUPT, "a record is damaged: %s", what);
}

DbStatus record_decode(const uint8_t *rec, size_t len,
                       const ColumnType *types, uint32_t n, Value *out)
{
    uint64_t count;
    size_t at = varint_get(rec, len, &count);
    if (at == 0)
        return corrupt("its column count is cut short");
    if (count != n)
        return db_fail(DB_ECORRUPT, "a record is damaged: it has %llu "
                       "columns, its table %u", (unsigned long long)count,
                       n);
    const uint8_t *nulls = rec + at;
    if (len - at < (n + 7) / 8)
        return corrupt("its null bitmap is cut short");
    at += (n + 7) / 8;
    for (uint32_t i = 0; i < n; i++) {
        Value *v = &out[i];
        if (nulls[i / 8] & (1u << (i % 8))) {
            v->type = VALUE_NULL;
            continue;
        }
        uint64_t u;
        size_t used;
        switch (types[i]) {
        case TYPE_INTEGER:
            used = varint_get(rec + at, len - at, &u);
            if (used == 0)
                return corrupt("an integer is cut short");
            v->type = VALUE_INTEGER;
            v->i = unzigzag(u);
            at += used;
            break;
        case TYPE_REAL:
            if (len - at < 8)
                return corrupt("a real is cut short");
            u = get_u64(rec + at);
            v->type = VALUE_REAL;
            memcpy(&v->r, &u, 8);
            at += 8;
            break;
        case TYPE_TEXT:
            used = varint_get(rec + at, len - at, &u);
            if (used == 0 || u > len - at - used || u > RECORD_MAX_TEXT)
                return corrupt("a text is longer than the record");
            v->type = VALUE_TEXT;
            v->text.s = (const char *)rec + at + used;
            v->text.n = (uint32_t)u;
            at += used + u;
            break;
        case TYPE_BOOLEAN:
            if (len - at < 1 || rec[at] > 1)
                return corrupt("a boolean is neither 0 nor 1");
            v->type = VALUE_BOOLEAN;
            v->b = rec[at++] == 1;
            break;
        default:
            return corrupt("its table has a column of unknown type");
        }
    }
    if (at != len)
        return corrupt("bytes are left over after its last column");
    return DB_OK;
}

/* --- index keys ------------------------------------------------------- */

enum {
    KEY_NULL = 0x05,
    KEY_NEGATIVE = 0x14,
    KEY_ZERO = 0x15,
    KEY_POSITIVE = 0x16,
    KEY_TEXT = 0x20,
};

#define KEY_EXPONENT_BIAS 1100
#define KEY_INFINITY 0xffff
/* The longest F: 62 bits (an integer below 2^63 has 62 after its first). */
#define KEY_FRACTION_MAX 9
/* Tag, E and F: the most bytes a number takes. */
#define KEY_NUMBER_MAX (1 + 2 + KEY_FRACTION_MAX)

/* A nonzero number as sign, exponent and the 64 bits after its leading
 * 1, highest first: value = (-1)^negative x 1.fraction x 2^exponent. */
typedef struct KeyNumber {
    bool negative;
    bool infinite;
    int exponent;
    uint64_t fraction;
} KeyNumber;

static int highest_bit(uint64_t u)
{
    int bit = 63;
    while (!(u >> bit))
        bit--;
    return bit;
}

/* The bits of magnitude U (> 0) after its highest, left-aligned. */
static uint64_t after_highest(uint64_t u, int bit)
{
    return bit == 0 ? 0 : u << (64 - bit);
}

static KeyNumber integer_number(int64_t i)
{
    uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
    int bit = highest_bit(u);
    return (KeyNumber){.negative = i < 0, .exponent = bit,
                       .fraction = after_highest(u, bit)};
}

static KeyNumber real_number(double r)
{
    uint64_t bits;
    memcpy(&bits, &r, 8);
    KeyNumber n = {.negative = bits >> 63};
    int biased = (int)(bits >> 52 & 0x7ff);
    uint64_t mantissa = bits & ((1ull << 52) - 1);
    if (biased == 0x7ff) {
        n.infinite = true;
    } else if (biased > 0) {
        n.exponent = biased - 1023;
        n.fraction = mantissa << 12;
    } else {
        /* Subnormal: mantissa x 2^-1074, its highest bit the leading 1. */
        int bit = highest_bit(mantissa);
        n.exponent = bit - 1074;
        n.fraction = after_highest(mantissa, bit);
    }
    return n;
}

/* Writes number N's E and F (not inverted) into OUT; returns the bytes. */
static size_t put_number(uint8_t *out, const KeyNumber *n)
{
    uint16_t e = n->infinite ? KEY_INFINITY
                             : (uint16_t)(n->exponent + KEY_EXPONENT_BIAS);
    out[0] = (uint8_t)(e >> 8);
    out[1] = (uint8_t)e;
    size_t at = 2;
    uint64_t f = n->fraction;
    do {
        uint8_t bits = (uint8_t)(f >> 57);
        f <<= 7;
        out[at++] = (uint8_t)(bits << 1 | (f != 0));
    } while (f != 0);
    return at;
}

/* The bytes the text V takes in a key. */
static size_t text_key_size(const Value *v)
{
    size_t n = 1 + v->text.n + 2;
    for (uint32_t i = 0; i < v->text.n; i++)
        n += v->text.s[i] == 0;
    return n;
}

/* book: begin key-append */
/* Writes the key of V, NULL or a number, ascending, into OUT (at least
 * KEY_NUMBER_MAX bytes); returns its size. */
static size_t put_scalar(uint8_t *out, const Value *v)
{
    if (v->type == VALUE_NULL || (v->type == VALUE_REAL && isnan(v->r))) {
        out[0] = KEY_NULL;
        return 1;
    }
    bool zero = v->type == VALUE_REAL ? v->r == 0
                : v->type == VALUE_BOOLEAN ? !v->b : v->i == 0;
    if (zero) {
        out[0] = KEY_ZERO;
        return 1;
    }
    KeyNumber num = v->type == VALUE_REAL ? real_number(v->r)
                    : integer_number(v->type == VALUE_BOOLEAN ? 1 : v->i);
    out[0] = num.negative ? KEY_NEGATIVE : KEY_POSITIVE;
    size_t n = 1 + put_number(out + 1, &num);
    /* A larger magnitude is a smaller negative number. */
    for (size_t i = 1; num.negative && i < n; i++)
        out[i] = (uint8_t)~out[i];
    return n;
}

DbStatus record_key_append(uint8_t *key, size_t cap, size_t *size,
                           const Value *v, bool desc)
{
    uint8_t number[KEY_NUMBER_MAX];
    size_t n = v->type == VALUE_TEXT ? text_key_size(v)
                                     : put_scalar(number, v);
    if (n > cap - *size)
        return db_fail(DB_ETOOLONG, "an index key needs more than %zu "
                       "bytes", cap);
    uint8_t *out = key + *size;
    if (v->type == VALUE_TEXT) {
        size_t at = 0;
        out[at++] = KEY_TEXT;
        for (uint32_t i = 0; i < v->text.n; i++) {
            out[at++] = (uint8_t)v->text.s[i];
            if (v->text.s[i] == 0)
                out[at++] = 0xff;
        }
        out[at++] = 0x00;
        out[at++] = 0x01;
    } else {
        memcpy(out, number, n);
    }
    for (size_t i = 0; desc && i < n; i++)
        out[i] = (uint8_t)~out[i];
    *size += n;
    return DB_OK;
}
/* book: end key-append */

DbStatus record_key_append_rowid(uint8_t *key, size_t cap, size_t *size,
                                 int64_t rowid)
{
    if (RECORD_KEY_ROWID_SIZE > cap - *size)
        return db_fail(DB_ETOOLONG, "an index key needs more than %zu "
                       "bytes", cap);
    uint64_t u = (uint64_t)rowid ^ (1ull << 63);
    for (int i = 0; i < 8; i++)
        key[*size + (size_t)i] = (uint8_t)(u >> (56 - 8 * i));
    *size += RECORD_KEY_ROWID_SIZE;
    return DB_OK;
}

DbStatus record_key_rowid(const uint8_t *key, size_t size, int64_t *rowid)
{
    if (size < RECORD_KEY_ROWID_SIZE)
        return db_fail(DB_ECORRUPT, "an index key of %zu bytes is too "
                       "short to end in a row id", size);
    uint64_t u = 0;
    for (size_t i = size - RECORD_KEY_ROWID_SIZE; i < size; i++)
        u = u << 8 | key[i];
    *rowid = (int64_t)(u ^ (1ull << 63));
    return DB_OK;
}

static DbStatus corrupt_key(const char *what)
{
    return db_fail(DB_ECORRUPT, "an index key is damaged: %s", what);
}

/* The number whose E and F (not inverted) are at IN (AVAIL bytes), into
 * *V: an integer if it is one that fits, else a real. *USED: its bytes. */
static DbStatus get_number(const uint8_t *in, size_t avail, bool negative,
                           Value *v, size_t *used)
{
    if (avail < 3)
        return corrupt_key("a number is cut short");
    unsigned e = (unsigned)in[0] << 8 | in[1];
    uint64_t f = 0;
    size_t at = 2;
    for (int k = 0;; k++) {
        if (k == KEY_FRACTION_MAX || at == avail)
            return corrupt_key("a number's fraction does not end");
        f |= (uint64_t)(in[at] >> 1) << (57 - 7 * k);
        if (!(in[at++] & 1))
            break;
    }
    *used = at;
    int exponent = (int)e - KEY_EXPONENT_BIAS;
    if (e == KEY_INFINITY) {
        *v = (Value){.type = VALUE_REAL, .r = negative ? -INFINITY
                                                       : INFINITY};
    } else if (exponent >= 0 && exponent < 63 &&
               (exponent == 0 ? f == 0 : f << exponent == 0)) {
        uint64_t u = 1ull << exponent | (exponent ? f >> (64 - exponent)
                                                  : 0);
        *v = (Value){.type = VALUE_INTEGER,
                     .i = negative ? -(int64_t)u : (int64_t)u};
    } else if (negative && exponent == 63 && f == 0) {
        *v = (Value){.type = VALUE_INTEGER, .i = INT64_MIN};
    } else if (exponent > 1023 || exponent < -1074) {
        return corrupt_key("a number out of any type's range");
    } else {
        /* ldexp is exact where the result is a double; whether it was
         * one (no bits of F past a double's 52) is checked by encoding
         * it again. */
        double r = ldexp((double)(f >> 12 | 1ull << 52), exponent - 52);
        *v = (Value){.type = VALUE_REAL, .r = negative ? -r : r};
    }
    return DB_OK;
}

/* V as a column of TYPE holds it: DB_ECORRUPT if none does. */
static DbStatus as_type(Value *v, ColumnType type)
{
    if (v->type == VALUE_NULL)
        return DB_OK;
    switch (type) {
    case TYPE_INTEGER:
        if (v->type == VALUE_INTEGER)
            return DB_OK;
        break;
    case TYPE_REAL:
        if (v->type == VALUE_INTEGER)
            *v = (Value){.type = VALUE_REAL, .r = (double)v->i};
        if (v->type == VALUE_REAL)
            return DB_OK;
        break;
    case TYPE_TEXT:
        if (v->type == VALUE_TEXT)
            return DB_OK;
        break;
    case TYPE_BOOLEAN:
        if (v->type == VALUE_INTEGER && (v->i == 0 || v->i == 1)) {
            *v = (Value){.type = VALUE_BOOLEAN, .b = v->i == 1};
            return DB_OK;
        }
        break;
    }
    return corrupt_key("a value of another type than its column's");
}

/* book: begin key-decode */
DbStatus record_key_decode(const uint8_t *key, size_t size, uint32_t n,
                           const bool *desc, const ColumnType *types,
                           Value *values, uint8_t *scratch,
                           size_t scratch_cap, size_t *used)
{
    size_t at = 0, scratch_used = 0;
    for (uint32_t c = 0; c < n; c++) {
        bool down = desc != NULL && desc[c];
        uint8_t flip = down ? 0xff : 0x00;
        size_t start = at;
        if (at == size)
            return corrupt_key("it ends before its last value");
        uint8_t tag = key[at++] ^ flip;
        Value *v = &values[c];
        if (tag == KEY_NULL) {
            *v = (Value){.type = VALUE_NULL};
        } else if (tag == KEY_ZERO) {
            *v = (Value){.type = VALUE_INTEGER, .i = 0};
        } else if (tag == KEY_POSITIVE || tag == KEY_NEGATIVE) {
            uint8_t number[KEY_NUMBER_MAX];
            size_t avail = size - at < KEY_NUMBER_MAX ? size - at
                                                      : KEY_NUMBER_MAX;
            uint8_t invert = tag == KEY_NEGATIVE ? flip ^ 0xff : flip;
            for (size_t i = 0; i < avail; i++)
                number[i] = key[at + i] ^ invert;
            size_t len = 0;
            DbStatus rc = get_number(number, avail, tag == KEY_NEGATIVE, v,
                                     &len);
            if (rc != DB_OK)
                return rc;
            at += len;
        } else if (tag == KEY_TEXT) {
            uint8_t *text = scratch + scratch_used;
            uint32_t len = 0;
            for (;;) {
                if (at == size)
                    return corrupt_key("a text does not end");
                uint8_t b = key[at++] ^ flip;
                if (b == 0) {
                    if (at == size)
                        return corrupt_key("a text does not end");
                    uint8_t next = key[at++] ^ flip;
                    if (next == 0x01)
                        break;
                    if (next != 0xff)
                        return corrupt_key("a text's zero byte is not "
                                           "followed by ff or 01");
                }
                if (scratch_used + len == scratch_cap)
                    return db_fail(DB_ETOOLONG, "no room to decode an "
                                   "index key's text");
                text[len++] = b;
            }
            scratch_used += len;
            *v = (Value){.type = VALUE_TEXT,
                         .text = {(const char *)text, len}};
        } else {
            return corrupt_key("a value with an unknown tag");
        }
        /* Only one way to write each value: the same bytes again. */
        if (v->type == VALUE_INTEGER || v->type == VALUE_REAL) {
            uint8_t again[KEY_NUMBER_MAX];
            size_t len = 0;
            record_key_append(again, sizeof again, &len, v, down);
            if (len != at - start || memcmp(again, key + start, len) != 0)
                return corrupt_key("a number not written as it would be");
        }
        if (types != NULL) {
            DbStatus rc = as_type(v, types[c]);
            if (rc != DB_OK)
                return rc;
        }
    }
    *used = at;
    return DB_OK;
}
/* book: end key-decode */
