/*
 * test_crc32c.c - every CRC-32C method this machine can run gives the
 * same checksum: on the standard check value, and on random buffers of
 * random lengths at random alignments, whole and in pieces.
 *
 * The buffers come from a fixed seed, printed when a check fails; give
 * another as the first argument to try more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"
#include "unittest.h"

static unsigned long long seed = 20261123;

/* xorshift64: the same numbers from the same seed on every machine. */
static unsigned long long next_random(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

static void test_every_method_gives_the_check_value(void)
{
    for (int m = 0; m < CRC32C_METHODS; m++) {
        if (!crc32c_has((Crc32cMethod)m))
            continue;
        CHECK_EQ(crc32c_by((Crc32cMethod)m, 0, "123456789", 9),
                 0xE3069283u);
        /* In pieces, the same. */
        CHECK_EQ(crc32c_by((Crc32cMethod)m,
                           crc32c_by((Crc32cMethod)m, 0, "1234", 4),
                           "56789", 5),
                 0xE3069283u);
    }
    CHECK_EQ(crc32c(0, "123456789", 9), 0xE3069283u);
    CHECK_EQ(crc32c(0, "", 0), 0);
}

static void test_the_fastest_method_this_cpu_has_is_used(void)
{
    CHECK(crc32c_has(CRC32C_BYTEWISE));
    CHECK(crc32c_has(CRC32C_SLICE8));
    CHECK(crc32c_has(crc32c_method()));
    CHECK(crc32c_method() == CRC32C_METHODS - 1 ||
          !crc32c_has(crc32c_method() + 1));
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    /* The compiler's own test of the CPU, apart from crc32c.c's. */
    __builtin_cpu_init();
    CHECK_EQ(crc32c_has(CRC32C_HARDWARE),
             __builtin_cpu_supports("sse4.2") != 0);
#endif
}

static void test_every_method_agrees_on_random_buffers(void)
{
    enum { MAX_LEN = 9000, MAX_SHIFT = 16, CASES = 2000 };
    static unsigned char buf[MAX_LEN + MAX_SHIFT];
    unsigned long long start_seed = seed;
    for (int i = 0; i < CASES; i++) {
        /* Half the cases short, where the tails and the head matter. */
        size_t len = next_random() % (i % 2 ? MAX_LEN : 40);
        size_t shift = next_random() % MAX_SHIFT;
        size_t cut = len ? next_random() % (len + 1) : 0;
        uint32_t start = i % 3 ? (uint32_t)next_random() : 0;
        unsigned char *data = buf + shift;
        for (size_t j = 0; j < len; j++)
            data[j] = (unsigned char)next_random();

        uint32_t expected = crc32c_by(CRC32C_BYTEWISE, start, data, len);
        for (int m = 0; m < CRC32C_METHODS; m++) {
            Crc32cMethod method = (Crc32cMethod)m;
            if (!crc32c_has(method))
                continue;
            uint32_t whole = crc32c_by(method, start, data, len);
            uint32_t pieces = crc32c_by(
                method, crc32c_by(method, start, data, cut), data + cut,
                len - cut);
            if (whole != expected || pieces != expected)
                UNITTEST_FAIL("seed %llu, case %d: %s gives %08x whole and "
                              "%08x cut at %zu, byte by byte %08x (%zu "
                              "bytes at offset %zu, from %08x)",
                              start_seed, i, crc32c_method_name(method),
                              whole, pieces, cut, expected, len, shift,
                              start);
        }
        CHECK_EQ(crc32c(start, data, len), expected);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1)
        seed = strtoull(argv[1], NULL, 10) | 1; /* xorshift needs a bit */
    RUN(test_every_method_gives_the_check_value);
    RUN(test_the_fastest_method_this_cpu_has_is_used);
    RUN(test_every_method_agrees_on_random_buffers);
    return unittest_report();
}
