/*
 * crc32c.c - CRC-32C, one table lookup per byte.
 *
 * Owns: the checksum arithmetic. Does not: know what it protects.
 *
 * The reflected polynomial 0x82F63B78 is CRC-32C's; the table holds the
 * remainder of every byte value and is built on first use. crc32c(0,
 * "123456789", 9) is 0xE3069283, the standard check value.
 */
#include "crc32c.h"

static uint32_t table[256];
static int table_ready;

static void build_table(void)
{
    for (uint32_t byte = 0; byte < 256; byte++) {
        uint32_t crc = byte;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
        table[byte] = crc;
    }
    table_ready = 1;
}

uint32_t crc32c(uint32_t crc, const void *data, size_t n)
{
    if (!table_ready)
        build_table();
    const uint8_t *p = data;
    crc = ~crc;
    while (n--)
        crc = table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}
