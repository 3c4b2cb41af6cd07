/*
 * test_value.c - values in expressions, as SQLite computes them: the
 * order of mixed types, comparisons with affinity, arithmetic at the
 * edges of 64 bits, casts, LIKE, and reals printed as sqlite3 prints
 * them. Every expected answer here is what sqlite3 3.40 gives.
 */
#include <string.h>

#include "parse.h"
#include "unittest.h"
#include "value.h"

static Value integer(int64_t i)
{
    return (Value){.type = VALUE_INTEGER, .i = i};
}

static Value real(double r)
{
    return (Value){.type = VALUE_REAL, .r = r};
}

static Value text(const char *s)
{
    return (Value){.type = VALUE_TEXT, .text = {s, (uint32_t)strlen(s)}};
}

static const Value null = {.type = VALUE_NULL};

static bool is_text(const Value *v, const char *s)
{
    return v->type == VALUE_TEXT && v->text.n == strlen(s) &&
           memcmp(v->text.s, s, v->text.n) == 0;
}

static void test_null_sorts_first_then_numbers_then_text(void)
{
    Value one = integer(1), half = real(0.5), a = text("a");
    CHECK(value_compare(&null, &half) < 0);
    CHECK(value_compare(&half, &one) < 0);
    CHECK(value_compare(&one, &a) < 0);
    CHECK(value_compare(&null, &null) == 0);
    /* Text by its bytes: 'B' (0x42) before 'a' (0x61). */
    Value b = text("B");
    CHECK(value_compare(&b, &a) < 0);
}

static void test_an_integer_and_a_real_compare_exactly(void)
{
    /* 2^53 + 1 is no double: converted, it would equal 2^53. */
    Value big = integer(9007199254740993), near = real(9007199254740992.0);
    CHECK(value_compare(&big, &near) > 0);
    Value three = integer(3), three_r = real(3.0);
    CHECK(value_compare(&three, &three_r) == 0);
    Value max = integer(INT64_MAX), huge = real(9.3e18);
    CHECK(value_compare(&max, &huge) < 0);
}

static void test_a_column_s_affinity_reads_text_as_a_number(void)
{
    /* 2 < '1': a number is below any text, with no affinity. */
    Value two = integer(2), t1 = text("1");
    bool is_null;
    CHECK(value_compare_for(&two, AFFINITY_NONE, &t1, AFFINITY_NONE,
                            &is_null) < 0);
    CHECK(!is_null);
    /* An INTEGER column against '1': the text becomes the number 1. */
    CHECK(value_compare_for(&two, AFFINITY_INTEGER, &t1, AFFINITY_NONE,
                            &is_null) > 0);
    CHECK(value_compare_for(&null, AFFINITY_NONE, &t1, AFFINITY_NONE,
                            &is_null) == 0 || is_null);
    CHECK(is_null);
}

static void test_integer_arithmetic_overflows_into_a_real(void)
{
    Value out, a = integer(INT64_MAX), one = integer(1);
    CHECK_EQ(value_arith(TK_PLUS, &a, &one, &out), DB_OK);
    CHECK(out.type == VALUE_REAL && out.r == 9223372036854775808.0);
    Value min = integer(INT64_MIN), minus_one = integer(-1);
    CHECK_EQ(value_arith(TK_SLASH, &min, &minus_one, &out), DB_OK);
    CHECK(out.type == VALUE_REAL && out.r == 9223372036854775808.0);
    CHECK_EQ(value_arith(TK_REM, &min, &minus_one, &out), DB_OK);
    CHECK(out.type == VALUE_INTEGER && out.i == 0);
}

static void test_division_truncates_and_by_zero_is_null(void)
{
    Value out, seven = integer(7), two = integer(2), zero = integer(0);
    Value minus_seven = integer(-7), three = integer(3);
    CHECK_EQ(value_arith(TK_SLASH, &seven, &two, &out), DB_OK);
    CHECK(out.type == VALUE_INTEGER && out.i == 3);
    CHECK_EQ(value_arith(TK_SLASH, &minus_seven, &two, &out), DB_OK);
    CHECK(out.type == VALUE_INTEGER && out.i == -3);
    CHECK_EQ(value_arith(TK_REM, &minus_seven, &three, &out), DB_OK);
    CHECK(out.type == VALUE_INTEGER && out.i == -1);
    CHECK_EQ(value_arith(TK_SLASH, &seven, &zero, &out), DB_OK);
    CHECK(out.type == VALUE_NULL);
    Value zero_r = real(0.0);
    CHECK_EQ(value_arith(TK_SLASH, &seven, &zero_r, &out), DB_OK);
    CHECK(out.type == VALUE_NULL);
    /* 5.5 % 2: both as integers, the answer a real. */
    Value five_half = real(5.5);
    CHECK_EQ(value_arith(TK_REM, &five_half, &two, &out), DB_OK);
    CHECK(out.type == VALUE_REAL && out.r == 1.0);
}

static void test_text_in_arithmetic_is_read_for_its_number(void)
{
    Value out, t = text("12abc"), one = integer(1), x = text("abc");
    CHECK_EQ(value_arith(TK_PLUS, &t, &one, &out), DB_OK);
    CHECK(out.type == VALUE_INTEGER && out.i == 13);
    CHECK_EQ(value_arith(TK_STAR, &x, &one, &out), DB_OK);
    CHECK(out.type == VALUE_INTEGER && out.i == 0);
    Value three = text("3"), four = text("4");
    CHECK_EQ(value_arith(TK_PLUS, &three, &four, &out), DB_OK);
    CHECK(out.type == VALUE_INTEGER && out.i == 7);
    CHECK_EQ(value_arith(TK_PLUS, &null, &one, &out), DB_OK);
    CHECK(out.type == VALUE_NULL);
}

static void test_casts_convert_as_sqlite_does(void)
{
    Arena arena = {0};
    Value out, e3 = text("1e3"), spaced = text(" 12 "), hex = text("0x10");
    CHECK_EQ(value_cast(&arena, &e3, AFFINITY_INTEGER, &out), DB_OK);
    CHECK(out.type == VALUE_INTEGER && out.i == 1);
    CHECK_EQ(value_cast(&arena, &spaced, AFFINITY_INTEGER, &out), DB_OK);
    CHECK(out.type == VALUE_INTEGER && out.i == 12);
    CHECK_EQ(value_cast(&arena, &hex, AFFINITY_INTEGER, &out), DB_OK);
    CHECK(out.type == VALUE_INTEGER && out.i == 0);
    /* A real past the integers saturates. */
    Value big = real(9.9e18), small = real(-9.9e18);
    CHECK_EQ(value_cast(&arena, &big, AFFINITY_INTEGER, &out), DB_OK);
    CHECK(out.type == VALUE_INTEGER && out.i == INT64_MAX);
    CHECK_EQ(value_cast(&arena, &small, AFFINITY_INTEGER, &out), DB_OK);
    CHECK(out.type == VALUE_INTEGER && out.i == INT64_MIN);
    /* NUMERIC keeps a whole '3.0' as the integer 3. */
    Value t30 = text("3.0");
    CHECK_EQ(value_cast(&arena, &t30, AFFINITY_NUMERIC, &out), DB_OK);
    CHECK(out.type == VALUE_INTEGER && out.i == 3);
    Value seven = integer(7);
    CHECK_EQ(value_cast(&arena, &seven, AFFINITY_TEXT, &out), DB_OK);
    CHECK(is_text(&out, "7"));
    Value abc = text("abc");
    CHECK_EQ(value_cast(&arena, &abc, AFFINITY_REAL, &out), DB_OK);
    CHECK(out.type == VALUE_REAL && out.r == 0.0);
    CHECK_EQ(value_name_affinity("SIGNED"), AFFINITY_NUMERIC);
    CHECK_EQ(value_name_affinity("BIGINT"), AFFINITY_INTEGER);
    CHECK_EQ(value_name_affinity("VARCHAR"), AFFINITY_TEXT);
    CHECK_EQ(value_name_affinity("DOUBLE"), AFFINITY_REAL);
    arena_free(&arena);
}

static void test_reals_print_as_sqlite3_prints_them(void)
{
    char buf[32];
    struct {
        double r;
        const char *text;
    } cases[] = {
        {40.0, "40.0"},
        {0.1 + 0.2, "0.3"},
        {1.0 / 3, "0.333333333333333"},
        {1e20, "1.0e+20"},
        {9223372036854775808.0, "9.22337203685478e+18"},
        {-0.0, "0.0"},
        {-2.5, "-2.5"},
        {1.5e-7, "1.5e-07"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = value_format_real(cases[i].r, buf, sizeof buf);
        CHECK_EQ(n, (int)strlen(cases[i].text));
        CHECK(strcmp(buf, cases[i].text) == 0);
    }
}

static void test_like_ignores_ascii_case_and_honours_escape(void)
{
    CHECK(value_like("Hello", 5, "h%", 2, -1));
    CHECK(value_like("Hello", 5, "_ello", 5, -1));
    CHECK(!value_like("Hello", 5, "_llo", 4, -1));
    CHECK(value_like("a%b", 3, "a\\%b", 4, '\\'));
    CHECK(!value_like("axb", 3, "a\\%b", 4, '\\'));
    /* Only ASCII letters fold: 'À' is not 'à'. */
    CHECK(!value_like("\xc3\x80", 2, "\xc3\xa0", 2, -1));
    CHECK(value_like("", 0, "%", 1, -1));
}

static void test_truth_of_values(void)
{
    bool is_null;
    Value zero = integer(0), half = real(0.5), t = text("2x");
    Value word = text("yes");
    CHECK(!value_truth(&zero, &is_null) && !is_null);
    CHECK(value_truth(&half, &is_null) && !is_null);
    CHECK(value_truth(&t, &is_null));
    CHECK(!value_truth(&word, &is_null));
    value_truth(&null, &is_null);
    CHECK(is_null);
}

int main(void)
{
    RUN(test_null_sorts_first_then_numbers_then_text);
    RUN(test_an_integer_and_a_real_compare_exactly);
    RUN(test_a_column_s_affinity_reads_text_as_a_number);
    RUN(test_integer_arithmetic_overflows_into_a_real);
    RUN(test_division_truncates_and_by_zero_is_null);
    RUN(test_text_in_arithmetic_is_read_for_its_number);
    RUN(test_casts_convert_as_sqlite_does);
    RUN(test_reals_print_as_sqlite3_prints_them);
    RUN(test_like_ignores_ascii_case_and_honours_escape);
    RUN(test_truth_of_values);
    return unittest_report();
}
