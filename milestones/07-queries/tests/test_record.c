/*
 * test_record.c - records on their own: every type and NULL round-trips,
 * integers take the bytes their value needs, and damaged bytes are
 * refused instead of read past.
 */
#include <stdlib.h>
#include <string.h>

#include "record.h"
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

int main(void)
{
    RUN(test_varints_take_the_bytes_their_value_needs);
    RUN(test_varints_read_as_the_plain_loop_reads_them);
    RUN(test_every_type_and_null_round_trips);
    RUN(test_small_integers_take_one_byte);
    RUN(test_damaged_records_are_refused);
    return unittest_report();
}
