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
 * pass the result back in to checksum data given in pieces. */
uint32_t crc32c(uint32_t crc, const void *data, size_t n);

#endif
