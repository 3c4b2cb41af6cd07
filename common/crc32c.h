/*
 * crc32c.h - the CRC-32C checksum (Castagnoli polynomial), as used by
 * iSCSI, ext4 and many logs: a 32-bit fingerprint of a run of bytes that
 * changes whenever any byte of them does.
 */
#ifndef STRATA_CRC32C_H
#define STRATA_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* The checksum of N bytes at DATA, continuing from CRC: start with 0 and
 * pass the result back in to checksum data given in pieces. Uses the
 * fastest method this machine offers; every method gives the same
 * result. */
uint32_t crc32c(uint32_t crc, const void *data, size_t n);

/* The ways to compute it, slowest first. */
typedef enum Crc32cMethod {
    CRC32C_BYTEWISE, /* one table lookup per byte: the definition */
    CRC32C_SLICE8,   /* eight bytes per step, in portable C */
    CRC32C_HARDWARE, /* the CPU's instruction: SSE4.2 or ARMv8 CRC */
    CRC32C_METHODS   /* how many there are */
} Crc32cMethod;

/* 1 if METHOD was compiled in and this CPU can run it, else 0. The first
 * two always can. */
int crc32c_has(Crc32cMethod method);

/* The checksum by METHOD; where crc32c_has refuses it, by slicing-by-8
 * (the same result). */
uint32_t crc32c_by(Crc32cMethod method, uint32_t crc, const void *data,
                   size_t n);

/* The method crc32c uses: the last one crc32c_has allows. */
Crc32cMethod crc32c_method(void);

/* The method's name in a few words, e.g. "slicing-by-8". */
const char *crc32c_method_name(Crc32cMethod method);

#endif
