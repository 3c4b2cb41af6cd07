/*
 * test_row.c - the row record: round trips at the limits, and bytes that
 * are not a record.
 */
#include <string.h>

#include "row.h"
#include "unittest.h"

static void test_record_takes_only_what_it_needs(void)
{
    Row in = {.id = 1, .username = "user1",
              .email = "person1@example.com"};
    uint8_t bytes[ROW_MAX_SIZE];
    CHECK_EQ(row_serialize(&in, bytes), 1 + 5 + 1 + 19);
    CHECK_EQ(bytes[0], 5);
    CHECK_EQ(bytes[6], 19);
    CHECK_EQ(ROW_MAX_SIZE, 289);
}

static void test_round_trip_at_maximum_lengths(void)
{
    Row in = {.id = 4294967295u}, out;
    memset(in.username, 'u', ROW_USERNAME_MAX);
    memset(in.email, 'e', ROW_EMAIL_MAX);
    uint8_t bytes[ROW_MAX_SIZE];
    uint16_t size = row_serialize(&in, bytes);
    CHECK_EQ(size, ROW_MAX_SIZE);
    CHECK_EQ(row_deserialize(in.id, bytes, size, &out), DB_OK);
    CHECK_EQ(out.id, 4294967295u);
    CHECK_STR(out.username, in.username);
    CHECK_STR(out.email, in.email);
}

static void test_empty_strings_round_trip(void)
{
    Row in = {.id = 3}, out;
    uint8_t bytes[ROW_MAX_SIZE];
    uint16_t size = row_serialize(&in, bytes);
    CHECK_EQ(size, 2);
    CHECK_EQ(row_deserialize(3, bytes, size, &out), DB_OK);
    CHECK_STR(out.username, "");
    CHECK_STR(out.email, "");
}

static void test_lengths_that_do_not_add_up_are_corrupt(void)
{
    Row out;
    uint8_t too_long_name[] = {33, 'a'};
    CHECK_EQ(row_deserialize(1, too_long_name, sizeof too_long_name, &out),
             DB_ECORRUPT);
    uint8_t past_the_end[] = {3, 'a', 'b'};
    CHECK_EQ(row_deserialize(1, past_the_end, sizeof past_the_end, &out),
             DB_ECORRUPT);
    uint8_t email_too_long[] = {1, 'a', 5, 'b'};
    CHECK_EQ(row_deserialize(1, email_too_long, sizeof email_too_long,
                             &out), DB_ECORRUPT);
    uint8_t bytes_left_over[] = {1, 'a', 1, 'b', 'c'};
    CHECK_EQ(row_deserialize(1, bytes_left_over, sizeof bytes_left_over,
                             &out), DB_ECORRUPT);
    CHECK_EQ(row_deserialize(1, bytes_left_over, 0, &out), DB_ECORRUPT);
}

int main(void)
{
    RUN(test_record_takes_only_what_it_needs);
    RUN(test_round_trip_at_maximum_lengths);
    RUN(test_empty_strings_round_trip);
    RUN(test_lengths_that_do_not_add_up_are_corrupt);
    return unittest_report();
}
