/*
 * varint.h - integers in as few bytes as their value needs, from
 * milestone 06 on (records, and the keys in a leaf's cells).
 *
 * A varint holds 7 bits of a number per byte, lowest first; the high bit
 * of a byte says another follows: 1 byte up to 127, 10 for 64 bits.
 * Zigzag maps 0, -1, 1, -2, ... to 0, 1, 2, 3, ... so that a small
 * negative number is a short varint too: -64 .. 63 take one byte.
 * Owns: the encoding. Does not: know what the numbers mean.
 */
#ifndef STRATA_VARINT_H
#define STRATA_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define VARINT_MAX 10  /* bytes of the longest varint */

static inline size_t varint_size(uint64_t value)
{
    size_t n = 1;
    while (value >= 0x80) {
        value >>= 7;
        n++;
    }
    return n;
}

static inline size_t varint_put(uint8_t *out, uint64_t value)
{
    size_t n = 0;
    while (value >= 0x80) {
        out[n++] = (uint8_t)(value | 0x80);
        value >>= 7;
    }
    out[n++] = (uint8_t)value;
    return n;
}

/* Reads a varint of at most LEN bytes at IN into *value. Returns the
 * bytes read, or 0 when it does not end within LEN bytes or needs more
 * than 64 bits: bytes from a file are never trusted to end. */
static inline size_t varint_get(const uint8_t *in, size_t len,
                                uint64_t *value)
{
    /* The common cases first: one, two or three bytes. */
    if (len > 0 && in[0] < 0x80) {
        *value = in[0];
        return 1;
    }
    if (len >= 3 && in[1] < 0x80) {
        *value = (in[0] & 0x7fu) | (uint64_t)in[1] << 7;
        return 2;
    }
    if (len >= 3 && in[2] < 0x80) {
        *value = (in[0] & 0x7fu) | (uint64_t)(in[1] & 0x7fu) << 7 |
                 (uint64_t)in[2] << 14;
        return 3;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < len && i < VARINT_MAX; i++) {
        uint8_t byte = in[i];
        v |= (uint64_t)(byte & 0x7f) << (7 * i);
        if (byte < 0x80) {
            /* The tenth byte may hold only the 64th bit. */
            if (i == VARINT_MAX - 1 && byte > 1)
                return 0;
            *value = v;
            return i + 1;
        }
    }
    return 0;
}

static inline uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v < 0 ? -1 : 0);
}

static inline int64_t unzigzag(uint64_t u)
{
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

#endif
