/*
 * test_record.c - records on their own: every type and NULL round-trips,
 * integers take the bytes their value needs, and damaged bytes are
 * refused instead of read past. Index keys: memcmp orders random values
 * of mixed types as SQL does (by an order computed here, apart from the
 * encoder), column by column, DESC reversed, the row id last; a prefix
 * of the columns is a prefix of the key; keys decode to their values;
 * the numbers a double cannot hold, -0.0, infinities and NaN; damaged
 * keys are refused.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "value.h"
#include "varint.h"
#include "unittest.h"

static void test_varints_take_the_bytes_their_value_needs(void)
{
    uint8_t buf[VARINT_MAX];
    uint64_t v;
    CHECK_EQ(varint_put(buf, 0), 1);
    CHECK_EQ(varint_put(buf, 127), 1);
    CHECK_EQ(varint_put(buf, 128), 2);
    CHECK_EQ(varint_put(buf, UINT64_MAX), 10);
    CHECK_EQ(varint_get(buf, 10, &v), 10);
    CHECK(v == UINT64_MAX);
    /* Cut short, or an eleventh byte's worth of bits: refused. */
    CHECK_EQ(varint_get(buf, 9, &v), 0);
    memset(buf, 0xff, sizeof buf);
    CHECK_EQ(varint_get(buf, 10, &v), 0);
}

/* The plain loop varint_get shortens for one to three bytes. */
static size_t reference_get(const uint8_t *in, size_t len, uint64_t *value)
{
    uint64_t v = 0;
    for (size_t i = 0; i < len && i < VARINT_MAX; i++) {
        if (i == VARINT_MAX - 1 && (in[i] & 0x7f) > 1)
            return 0;
        v |= (uint64_t)(in[i] & 0x7f) << (7 * i);
        if ((in[i] & 0x80) == 0) {
            *value = v;
            return i + 1;
        }
    }
    return 0;
}

static void test_varints_read_as_the_plain_loop_reads_them(void)
{
    /* Every length of the bytes available, over values at each byte
     * count's edges and over random bytes, damaged ones among them. */
    uint8_t buf[VARINT_MAX + 2];
    srand(7);
    for (int round = 0; round < 20000; round++) {
        if (round < 2 * 10) {
            int bits = 7 * (round / 2);
            uint64_t edge = bits >= 64 ? UINT64_MAX : (1ull << bits);
            memset(buf, 0, sizeof buf);
            varint_put(buf, round % 2 ? edge : edge - 1);
        } else {
            for (size_t i = 0; i < sizeof buf; i++)
                buf[i] = (uint8_t)(rand() % 4 == 0 ? rand() & 0x7f
                                                   : rand() | 0x80);
        }
        for (size_t len = 0; len <= sizeof buf; len++) {
            uint64_t a = 12345, b = 12345;
            size_t got = varint_get(buf, len, &a);
            CHECK_EQ(got, reference_get(buf, len, &b));
            if (got > 0)
                CHECK(a == b);
        }
    }
}

static void test_every_type_and_null_round_trips(void)
{
    ColumnType types[] = {TYPE_INTEGER, TYPE_INTEGER, TYPE_REAL, TYPE_TEXT,
                          TYPE_BOOLEAN, TYPE_TEXT, TYPE_INTEGER, TYPE_INTEGER,
                          TYPE_BOOLEAN};
    Value in[9] = {
        {.type = VALUE_INTEGER, .i = -1},
        {.type = VALUE_INTEGER, .i = INT64_MIN},
        {.type = VALUE_REAL, .r = -0.25},
        {.type = VALUE_TEXT, .text = {"it's", 4}},
        {.type = VALUE_BOOLEAN, .b = true},
        {.type = VALUE_TEXT, .text = {"", 0}},
        {.type = VALUE_NULL},
        {.type = VALUE_INTEGER, .i = INT64_MAX},
        {.type = VALUE_NULL},
    };
    size_t size = record_size(in, 9);
    uint8_t *rec = malloc(size);
    record_encode(in, 9, rec);
    Value out[9];
    CHECK_EQ(record_decode(rec, size, types, 9, out), DB_OK);
    CHECK_EQ(out[0].i, -1);
    CHECK(out[1].i == INT64_MIN && out[7].i == INT64_MAX);
    CHECK(out[2].r == -0.25);
    CHECK(out[3].text.n == 4 && memcmp(out[3].text.s, "it's", 4) == 0);
    CHECK(out[4].type == VALUE_BOOLEAN && out[4].b);
    CHECK(out[5].type == VALUE_TEXT && out[5].text.n == 0);
    CHECK(out[6].type == VALUE_NULL && out[8].type == VALUE_NULL);
    free(rec);
}

static void test_small_integers_take_one_byte(void)
{
    /* 1 count + 1 bitmap + 1 byte for each of -64 and 63. */
    Value in[2] = {{.type = VALUE_INTEGER, .i = -64},
                   {.type = VALUE_INTEGER, .i = 63}};
    CHECK_EQ(record_size(in, 2), 4);
    in[1].i = 64;
    CHECK_EQ(record_size(in, 2), 5);
}

static void test_damaged_records_are_refused(void)
{
    ColumnType types[] = {TYPE_TEXT, TYPE_BOOLEAN};
    Value in[2] = {{.type = VALUE_TEXT, .text = {"hello", 5}},
                   {.type = VALUE_BOOLEAN, .b = false}};
    uint8_t rec[16];
    size_t size = record_size(in, 2);
    record_encode(in, 2, rec);
    Value out[2];
    CHECK_EQ(record_decode(rec, size, types, 2, out), DB_OK);
    /* Every shorter prefix is cut short somewhere. */
    for (size_t len = 0; len < size; len++)
        CHECK_EQ(record_decode(rec, len, types, 2, out), DB_ECORRUPT);
    /* A byte too many, another column count, a text longer than the
     * record, a boolean that is 2. */
    CHECK_EQ(record_decode(rec, size + 1, types, 2, out), DB_ECORRUPT);
    CHECK_EQ(record_decode(rec, size, types, 1, out), DB_ECORRUPT);
    rec[2] = 100;
    CHECK_EQ(record_decode(rec, size, types, 2, out), DB_ECORRUPT);
    rec[2] = 5;
    rec[size - 1] = 2;
    CHECK_EQ(record_decode(rec, size, types, 2, out), DB_ECORRUPT);
}


/* --- index keys ------------------------------------------------------- */

static unsigned long long seed = 20261202;

static uint64_t next_random(void)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return seed >> 11 ^ seed << 21;
}

/* The order the keys must have, computed apart from record.c and
 * value.c: NULL (and NaN, which SQLite makes NULL) first, then numbers
 * by exact value (a long double holds every int64 and every double
 * exactly), then texts by memcmp, a prefix first. */
_Static_assert(LDBL_MANT_DIG >= 64, "the oracle needs 64-bit mantissas");

static int rank(const Value *v)
{
    if (v->type == VALUE_NULL || (v->type == VALUE_REAL && isnan(v->r)))
        return 0;
    return v->type == VALUE_TEXT ? 2 : 1;
}

static long double number_of(const Value *v)
{
    return v->type == VALUE_INTEGER ? (long double)v->i
           : v->type == VALUE_REAL  ? (long double)v->r
                                    : (long double)v->b;
}

static int oracle(const Value *a, const Value *b)
{
    int ra = rank(a), rb = rank(b);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    if (ra == 0)
        return 0;
    if (ra == 1) {
        long double x = number_of(a), y = number_of(b);
        return (x > y) - (x < y);
    }
    uint32_t n = a->text.n < b->text.n ? a->text.n : b->text.n;
    int c = n ? memcmp(a->text.s, b->text.s, n) : 0;
    if (c != 0)
        return c < 0 ? -1 : 1;
    return (a->text.n > b->text.n) - (a->text.n < b->text.n);
}

static int sign(int c)
{
    return (c > 0) - (c < 0);
}

static int compare_bytes(const uint8_t *a, size_t a_size, const uint8_t *b,
                         size_t b_size)
{
    size_t n = a_size < b_size ? a_size : b_size;
    int c = n ? memcmp(a, b, n) : 0;
    if (c != 0)
        return sign(c);
    return (a_size > b_size) - (a_size < b_size);
}

/* Texts for random values live here, a few bytes each. */
static char text_pool[4096][6];

/* A random value: often one of the hard cases (integers around 2^53 and
 * the ends of int64, reals equal to integers, halves, subnormals,
 * infinities, -0.0), texts of bytes 00, 01, 61 and ff. */
static Value random_value(int slot)
{
    uint64_t r = next_random();
    static const int64_t edges[] = {0, 1, -1, 2, 7, 9007199254740992,
                                    9007199254740993, -9007199254740993,
                                    INT64_MAX, INT64_MIN, INT64_MAX - 1,
                                    INT64_MIN + 1, 4611686018427387904};
    static const double reals[] = {0.0, -0.0, 1.0, 0.5, -0.5, 1.5, 0.1,
                                   9007199254740992.0, 9223372036854775808.0,
                                   -9223372036854775808.0, 1e300, -1e-300,
                                   5e-324, -5e-324, 2.2250738585072014e-308,
                                   INFINITY, -INFINITY, 1.7976931348623157e308};
    switch (r % 8) {
    case 0:
        return (Value){.type = VALUE_NULL};
    case 1: {
        /* An edge, or one off it (wrapping at the ends of int64). */
        uint64_t edge = (uint64_t)edges[next_random() % (sizeof edges /
                                                         sizeof edges[0])];
        return (Value){.type = VALUE_INTEGER,
                       .i = (int64_t)(edge + next_random() % 3 - 1)};
    }
    case 2:
        return (Value){.type = VALUE_INTEGER,
                       .i = (int64_t)next_random() >> (next_random() % 64)};
    case 3: {
        double d = reals[next_random() % (sizeof reals / sizeof reals[0])];
        return (Value){.type = VALUE_REAL, .r = d};
    }
    case 4: {
        /* A real near an integer, or any bits that are a number. */
        double d;
        if (next_random() % 2) {
            d = (double)((int64_t)next_random() >> (next_random() % 64));
            d = nextafter(d, next_random() % 2 ? INFINITY : -INFINITY);
            if (next_random() % 2)
                d = (double)(int64_t)d;
        } else {
            uint64_t bits = next_random();
            memcpy(&d, &bits, 8);
            if (isnan(d))
                d = 3.25;
        }
        return (Value){.type = VALUE_REAL, .r = d};
    }
    case 5:
        return (Value){.type = VALUE_BOOLEAN, .b = next_random() % 2};
    default: {
        static const char bytes[] = {0x00, 0x01, 0x61, (char)0xff};
        uint32_t n = (uint32_t)(next_random() % 6);
        char *s = text_pool[slot % 4096];
        for (uint32_t i = 0; i < n; i++)
            s[i] = bytes[next_random() % 4];
        return (Value){.type = VALUE_TEXT, .text = {s, n}};
    }
    }
}

/* The key of N values, each DESC[i] or not. */
static size_t make_key(uint8_t *key, size_t cap, const Value *values,
                       uint32_t n, const bool *desc)
{
    size_t size = 0;
    for (uint32_t i = 0; i < n; i++)
        if (record_key_append(key, cap, &size, &values[i],
                              desc != NULL && desc[i]) != DB_OK)
            return 0;
    return size;
}

static void test_key_order_is_sql_order(void)
{
    for (int round = 0; round < 200000; round++) {
        Value a = random_value(0), b = random_value(1);
        bool desc = round % 3 == 0;
        uint8_t ka[64], kb[64];
        size_t na = make_key(ka, sizeof ka, &a, 1, &desc);
        size_t nb = make_key(kb, sizeof kb, &b, 1, &desc);
        CHECK(na > 0 && nb > 0);
        int expected = oracle(&a, &b) * (desc ? -1 : 1);
        if (compare_bytes(ka, na, kb, nb) != expected)
            UNITTEST_FAIL("round %d: types %d %d, ints %lld %lld, reals "
                          "%.17g %.17g: bytes say %d, SQL %d", round,
                          a.type, b.type, (long long)a.i, (long long)b.i,
                          a.r, b.r, compare_bytes(ka, na, kb, nb), expected);
        /* value_compare, the engine's own order, agrees. */
        CHECK_EQ(sign(value_compare(&a, &b)), oracle(&a, &b));
    }
}

static void test_lists_order_column_by_column(void)
{
    for (int round = 0; round < 50000; round++) {
        Value a[3], b[3];
        bool desc[3];
        uint32_t n = 1 + (uint32_t)(next_random() % 3);
        for (uint32_t i = 0; i < n; i++) {
            a[i] = random_value((int)(2 * i));
            /* Often equal in a column, so later columns decide. */
            b[i] = next_random() % 2 ? a[i] : random_value((int)(2 * i + 1));
            desc[i] = next_random() % 2;
        }
        int expected = 0;
        for (uint32_t i = 0; i < n && expected == 0; i++)
            expected = oracle(&a[i], &b[i]) * (desc[i] ? -1 : 1);
        uint8_t ka[256], kb[256];
        size_t na = make_key(ka, sizeof ka, a, n, desc);
        size_t nb = make_key(kb, sizeof kb, b, n, desc);
        CHECK_EQ(compare_bytes(ka, na, kb, nb), expected);
        /* With the row ids after them, equal values sort by row id. */
        int64_t ra = (int64_t)next_random(), rb = (int64_t)next_random();
        CHECK_EQ(record_key_append_rowid(ka, sizeof ka, &na, ra), DB_OK);
        CHECK_EQ(record_key_append_rowid(kb, sizeof kb, &nb, rb), DB_OK);
        CHECK_EQ(compare_bytes(ka, na, kb, nb),
                 expected != 0 ? expected : (ra > rb) - (ra < rb));
    }
}

static void test_a_prefix_of_the_columns_is_a_prefix_of_the_key(void)
{
    for (int round = 0; round < 20000; round++) {
        Value v[4];
        bool desc[4];
        for (int i = 0; i < 4; i++) {
            v[i] = random_value(i);
            desc[i] = next_random() % 2;
        }
        uint8_t whole[256], part[256];
        size_t n_whole = make_key(whole, sizeof whole, v, 4, desc);
        for (uint32_t n = 0; n <= 4; n++) {
            size_t n_part = make_key(part, sizeof part, v, n, desc);
            CHECK(n_part <= n_whole &&
                  memcmp(part, whole, n_part) == 0);
        }
    }
}

/* Two values are the same to the decoder's caller: of the same type,
 * and equal (a REAL to the bit, but -0.0, which is 0.0). */
static bool same(const Value *a, const Value *b)
{
    if (a->type != b->type)
        return false;
    if (a->type == VALUE_REAL)
        return a->r == b->r;
    return oracle(a, b) == 0;
}

static void test_keys_decode_to_their_values(void)
{
    ColumnType types[4];
    for (int round = 0; round < 50000; round++) {
        Value in[4], out[4];
        bool desc[4];
        for (int i = 0; i < 4; i++) {
            in[i] = random_value(i);
            desc[i] = next_random() % 2;
            if (in[i].type == VALUE_REAL && isnan(in[i].r))
                in[i] = (Value){.type = VALUE_NULL};
            types[i] = in[i].type == VALUE_INTEGER ? TYPE_INTEGER
                       : in[i].type == VALUE_REAL  ? TYPE_REAL
                       : in[i].type == VALUE_TEXT  ? TYPE_TEXT
                                                   : TYPE_BOOLEAN;
        }
        uint8_t key[256], scratch[256];
        size_t size = make_key(key, sizeof key, in, 4, desc);
        int64_t rowid = (int64_t)next_random(), back;
        CHECK_EQ(record_key_append_rowid(key, sizeof key, &size, rowid),
                 DB_OK);
        size_t used;
        CHECK_EQ(record_key_decode(key, size, 4, desc, types, out, scratch,
                                   size, &used),
                 DB_OK);
        CHECK_EQ(used, size - RECORD_KEY_ROWID_SIZE);
        for (int i = 0; i < 4; i++)
            CHECK(same(&in[i], &out[i]));
        CHECK_EQ(record_key_rowid(key, size, &back), DB_OK);
        CHECK(back == rowid);
        /* Without the types a number is an integer if it is one. */
        CHECK_EQ(record_key_decode(key, size, 4, desc, NULL, out, scratch,
                                   size, &used),
                 DB_OK);
        for (int i = 0; i < 4; i++) {
            CHECK_EQ(oracle(&in[i], &out[i]), 0);
            if (out[i].type == VALUE_REAL)
                CHECK(out[i].r != floor(out[i].r) || isinf(out[i].r) ||
                      fabs(out[i].r) >= 9223372036854775808.0);
        }
    }
}

/* The key of one value, ascending. */
static size_t key_of(uint8_t *key, Value v)
{
    size_t size = 0;
    record_key_append(key, 64, &size, &v, false);
    return size;
}

static int order_of(Value a, Value b)
{
    uint8_t ka[64], kb[64];
    size_t na = key_of(ka, a), nb = key_of(kb, b);
    return compare_bytes(ka, na, kb, nb);
}

#define INT(x) ((Value){.type = VALUE_INTEGER, .i = (x)})
#define REAL(x) ((Value){.type = VALUE_REAL, .r = (x)})
#define TEXT(s, n) ((Value){.type = VALUE_TEXT, .text = {(s), (n)}})

static void test_the_tricky_numbers(void)
{
    Value null = {.type = VALUE_NULL};
    Value yes = {.type = VALUE_BOOLEAN, .b = true};
    Value no = {.type = VALUE_BOOLEAN, .b = false};
    CHECK_EQ(order_of(INT(1), REAL(1.0)), 0);
    CHECK_EQ(order_of(INT(1), yes), 0);
    CHECK_EQ(order_of(INT(0), REAL(-0.0)), 0);
    CHECK_EQ(order_of(REAL(0.0), REAL(-0.0)), 0);
    CHECK_EQ(order_of(no, INT(0)), 0);
    CHECK_EQ(order_of(INT(9007199254740993), REAL(9007199254740992.0)), 1);
    CHECK_EQ(order_of(INT(9007199254740992), REAL(9007199254740992.0)), 0);
    CHECK_EQ(order_of(INT(-9007199254740993), REAL(-9007199254740992.0)),
             -1);
    CHECK_EQ(order_of(INT(INT64_MIN), REAL(-9223372036854775808.0)), 0);
    CHECK_EQ(order_of(INT(INT64_MAX), REAL(9223372036854775808.0)), -1);
    CHECK_EQ(order_of(INT(INT64_MAX - 1), INT(INT64_MAX)), -1);
    CHECK_EQ(order_of(REAL(-INFINITY), INT(INT64_MIN)), -1);
    CHECK_EQ(order_of(REAL(INFINITY), REAL(1.7976931348623157e308)), 1);
    CHECK_EQ(order_of(REAL(5e-324), INT(0)), 1);
    CHECK_EQ(order_of(REAL(-5e-324), INT(0)), -1);
    CHECK_EQ(order_of(REAL(5e-324), REAL(1e-323)), -1);
    CHECK_EQ(order_of(REAL(0.1), REAL(nextafter(0.1, 1))), -1);
    CHECK_EQ(order_of(INT(1), REAL(1.5)), -1);
    CHECK_EQ(order_of(REAL(1.5), INT(2)), -1);
    CHECK_EQ(order_of(REAL(-1.5), INT(-1)), -1);
    CHECK_EQ(order_of(REAL(NAN), null), 0);
    CHECK_EQ(order_of(null, REAL(-INFINITY)), -1);
    CHECK_EQ(order_of(REAL(INFINITY), TEXT("", 0)), -1);
    CHECK_EQ(order_of(TEXT("a", 1), TEXT("a\0", 2)), -1);
    CHECK_EQ(order_of(TEXT("a\0", 2), TEXT("a\1", 2)), -1);
    CHECK_EQ(order_of(TEXT("a\0", 2), TEXT("ab", 2)), -1);
    CHECK_EQ(order_of(TEXT("a\xff", 2), TEXT("b", 1)), -1);

    /* The example drawn in record.c. */
    uint8_t key[32];
    size_t size = 0;
    Value seven = INT(7), ab = TEXT("ab", 2);
    CHECK_EQ(record_key_append(key, sizeof key, &size, &seven, false),
             DB_OK);
    CHECK_EQ(record_key_append(key, sizeof key, &size, &ab, false), DB_OK);
    CHECK_EQ(record_key_append_rowid(key, sizeof key, &size, 3), DB_OK);
    static const uint8_t drawn[] = {0x16, 0x04, 0x4e, 0xc0, 0x20, 0x61,
                                    0x62, 0x00, 0x01, 0x80, 0, 0, 0, 0,
                                    0, 0, 0x03};
    CHECK_EQ(size, sizeof drawn);
    CHECK(memcmp(key, drawn, sizeof drawn) == 0);
}

static void test_damaged_keys_are_refused(void)
{
    Value in[3] = {REAL(-2.75), TEXT("x\0y", 3), INT(123456789)};
    bool desc[3] = {false, true, false};
    uint8_t key[64], scratch[64];
    size_t size = make_key(key, sizeof key, in, 3, desc);
    Value out[3];
    size_t used;
    CHECK_EQ(record_key_decode(key, size, 3, desc, NULL, out, scratch,
                               sizeof scratch, &used),
             DB_OK);
    /* Every shorter prefix ends inside a value. */
    for (size_t len = 0; len < size; len++)
        CHECK_EQ(record_key_decode(key, len, 3, desc, NULL, out, scratch,
                                   sizeof scratch, &used),
                 DB_ECORRUPT);
    /* An unknown tag; a number written two ways (a last 7 bits of zero
     * after a byte that says more follow); a text's 00 before 02; an
     * INTEGER column's value that is a real. */
    uint8_t bad[64];
    memcpy(bad, key, size);
    bad[0] = 0x30;
    CHECK_EQ(record_key_decode(bad, size, 3, desc, NULL, out, scratch,
                               sizeof scratch, &used),
             DB_ECORRUPT);
    static const uint8_t two_ways[] = {0x16, 0x04, 0x4e, 0xc1, 0x00};
    CHECK_EQ(record_key_decode(two_ways, sizeof two_ways, 1, NULL, NULL,
                               out, scratch, sizeof scratch, &used),
             DB_ECORRUPT);
    static const uint8_t zero_two[] = {0x20, 0x61, 0x00, 0x02, 0x00, 0x01};
    CHECK_EQ(record_key_decode(zero_two, sizeof zero_two, 1, NULL, NULL,
                               out, scratch, sizeof scratch, &used),
             DB_ECORRUPT);
    ColumnType integer = TYPE_INTEGER;
    CHECK_EQ(record_key_decode(key, size, 1, desc, &integer, out, scratch,
                               sizeof scratch, &used),
             DB_ECORRUPT);
    /* Too small a scratch, too short a key for a row id, and no room for
     * a value: refused, the key as it was. */
    CHECK_EQ(record_key_decode(key, size, 3, desc, NULL, out, scratch, 2,
                               &used),
             DB_ETOOLONG);
    int64_t rowid;
    CHECK_EQ(record_key_rowid(key, 7, &rowid), DB_ECORRUPT);
    size_t full = size;
    CHECK_EQ(record_key_append(key, size + 3, &full, &in[0], false),
             DB_ETOOLONG);
    CHECK_EQ(full, size);
    CHECK_EQ(record_key_append_rowid(key, size + 7, &full, 1), DB_ETOOLONG);
    CHECK_EQ(full, size);
}

int main(void)
{
    RUN(test_varints_take_the_bytes_their_value_needs);
    RUN(test_varints_read_as_the_plain_loop_reads_them);
    RUN(test_every_type_and_null_round_trips);
    RUN(test_small_integers_take_one_byte);
    RUN(test_damaged_records_are_refused);
    RUN(test_key_order_is_sql_order);
    RUN(test_lists_order_column_by_column);
    RUN(test_a_prefix_of_the_columns_is_a_prefix_of_the_key);
    RUN(test_keys_decode_to_their_values);
    RUN(test_the_tricky_numbers);
    RUN(test_damaged_keys_are_refused);
    return unittest_report();
}
