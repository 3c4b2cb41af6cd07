/*
 * crc32c-speed.c - how fast each CRC-32C method of common/crc32c.c runs
 * on this machine.
 *
 *   crc32c-speed
 *
 * Checksums a 4096-byte page over and over for a fifth of a second by
 * each method the CPU can run, and prints one line per method: its
 * name, GB/s (10^9 bytes per second) and nanoseconds per page, the best
 * of three tries. scripts/bench builds it with common/crc32c.c and puts
 * its lines in the report: a checksum covers every page the log writes.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

#include "crc32c.h"

#define PAGE 4096

/* The last checksum, so that the compiler must compute them all. */
static volatile uint32_t sink;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void)
{
    static unsigned char page[PAGE];
    for (int i = 0; i < PAGE; i++)
        page[i] = (unsigned char)(i * 7 + 3);
    for (int m = 0; m < CRC32C_METHODS; m++) {
        if (!crc32c_has((Crc32cMethod)m))
            continue;
        double best = 0; /* pages per second */
        uint32_t crc = 0;
        for (int try = 0; try < 3; try++) {
            long pages = 0;
            double start = now(), elapsed;
            do {
                /* Each checksum feeds the next: none can be skipped. */
                for (int i = 0; i < 1000; i++)
                    crc = crc32c_by((Crc32cMethod)m, crc, page, PAGE);
                pages += 1000;
                elapsed = now() - start;
            } while (elapsed < 0.2);
            if (pages / elapsed > best)
                best = pages / elapsed;
        }
        sink = crc;
        printf("%-26s %6.2f GB/s %7.0f ns per page%s\n",
               crc32c_method_name((Crc32cMethod)m), best * PAGE / 1e9,
               1e9 / best, m == (int)crc32c_method() ? ", used" : "");
    }
    return 0;
}
