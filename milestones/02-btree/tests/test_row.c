/*
 * test_row.c - the row layout: round trips at the limits, and bytes that
 * are not a row.
 */
#include <string.h>

#include "row.h"
#include "unittest.h"

static void test_layout_constants(void)
{
    CHECK_EQ(ROW_SIZE, 293);
    CHECK_EQ(ROW_USERNAME_OFFSET, 4);
    CHECK_EQ(ROW_EMAIL_OFFSET, 37);
}

static void test_round_trip_at_maximum_lengths(void)
{
    Row in = {.id = 4294967295u}, out;
    memset(in.username, 'u', ROW_USERNAME_MAX);
    memset(in.email, 'e', ROW_EMAIL_MAX);
    uint8_t bytes[ROW_SIZE];
    row_serialize(&in, bytes);
    CHECK_EQ(row_deserialize(bytes, &out), DB_OK);
    CHECK_EQ(out.id, 4294967295u);
    CHECK_STR(out.username, in.username);
    CHECK_STR(out.email, in.email);
}

static void test_id_is_little_endian(void)
{
    Row in = {.id = 0x01020304, .username = "a", .email = "b"};
    uint8_t bytes[ROW_SIZE];
    row_serialize(&in, bytes);
    CHECK_EQ(bytes[0], 0x04);
    CHECK_EQ(bytes[3], 0x01);
}

static void test_serialize_pads_with_zeros(void)
{
    uint8_t bytes[ROW_SIZE];
    memset(bytes, 0xAA, sizeof bytes);
    Row in = {.id = 1, .username = "ab", .email = "c"};
    row_serialize(&in, bytes);
    for (int i = ROW_USERNAME_OFFSET + 2; i < ROW_EMAIL_OFFSET; i++)
        CHECK_EQ(bytes[i], 0);
    for (int i = ROW_EMAIL_OFFSET + 1; i < ROW_SIZE; i++)
        CHECK_EQ(bytes[i], 0);
}

static void test_string_without_nul_is_corrupt(void)
{
    uint8_t bytes[ROW_SIZE];
    memset(bytes, 'x', sizeof bytes);
    Row out;
    CHECK_EQ(row_deserialize(bytes, &out), DB_ECORRUPT);
}

int main(void)
{
    RUN(test_layout_constants);
    RUN(test_round_trip_at_maximum_lengths);
    RUN(test_id_is_little_endian);
    RUN(test_serialize_pads_with_zeros);
    RUN(test_string_without_nul_is_corrupt);
    return unittest_report();
}
