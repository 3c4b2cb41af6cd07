/*
 * crc32c.c - CRC-32C three ways: a table lookup per byte, slicing-by-8,
 * and the CPU's own instruction, the fastest chosen once at run time.
 *
 * Owns: the checksum arithmetic. Does not: know what it protects.
 *
 * The reflected polynomial 0x82F63B78 is CRC-32C's. crc32c(0,
 * "123456789", 9) is 0xE3069283, the standard check value; every method
 * gives the same result for every input (tests/test_crc32c.c in 04 and
 * 05 compares them). Each method works on the register, the checksum
 * inverted; the public functions invert on the way in and out.
 *
 * The instruction (SSE4.2's crc32 on x86-64, the CRC extension of ARMv8)
 * is compiled with a target attribute, so the rest of the build keeps
 * its flags and runs on any CPU; cpuid or the kernel's hardware
 * capabilities say at run time whether it may be called.
 */
#include "crc32c.h"

#include <pthread.h>

#include "bytes.h"

#define POLY 0x82F63B78u

/* table[k][b]: the register after byte B followed by K zero bytes. */
static uint32_t table[8][256];
static Crc32cMethod best;
/* Several threads may make the first call at once (milestone 09 on). */
static pthread_once_t ready = PTHREAD_ONCE_INIT;

/* One byte at a time: the register's low byte, xored with the next byte
 * of data, picks from the table what to xor into the rest, shifted. */
static uint32_t bytewise(uint32_t reg, const uint8_t *p, size_t n)
{
    while (n--)
        reg = table[0][(reg ^ *p++) & 0xFF] ^ (reg >> 8);
    return reg;
}

/* Eight bytes per step: the eight lookups are independent of each other,
 * where byte by byte each waits for the one before. */
static uint32_t slice8(uint32_t reg, const uint8_t *p, size_t n)
{
    for (; n >= 8; n -= 8, p += 8) {
        uint32_t lo = reg ^ get_u32(p), hi = get_u32(p + 4);
        reg = table[7][lo & 0xFF] ^ table[6][(lo >> 8) & 0xFF] ^
              table[5][(lo >> 16) & 0xFF] ^ table[4][lo >> 24] ^
              table[3][hi & 0xFF] ^ table[2][(hi >> 8) & 0xFF] ^
              table[1][(hi >> 16) & 0xFF] ^ table[0][hi >> 24];
    }
    return bytewise(reg, p, n);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <nmmintrin.h>
#define HAVE_HARDWARE 1

static int hardware_offered(void)
{
    unsigned int eax, ebx, ecx, edx;
    return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_SSE4_2);
}

/* Four words a step: the loop's own count, add and branch are paid once
 * per 32 bytes, not per 8 (a page is 2,000 instructions fewer). */
__attribute__((target("sse4.2")))
static uint32_t hardware(uint32_t reg, const uint8_t *p, size_t n)
{
    uint64_t reg64 = reg;
    for (; n >= 32; n -= 32, p += 32) {
        reg64 = _mm_crc32_u64(reg64, get_u64(p));
        reg64 = _mm_crc32_u64(reg64, get_u64(p + 8));
        reg64 = _mm_crc32_u64(reg64, get_u64(p + 16));
        reg64 = _mm_crc32_u64(reg64, get_u64(p + 24));
    }
    for (; n >= 8; n -= 8, p += 8)
        reg64 = _mm_crc32_u64(reg64, get_u64(p));
    reg = (uint32_t)reg64;
    if (n >= 4) {
        reg = _mm_crc32_u32(reg, get_u32(p));
        n -= 4;
        p += 4;
    }
    while (n--)
        reg = _mm_crc32_u8(reg, *p++);
    return reg;
}

#elif defined(__aarch64__) && defined(__linux__) && \
    (defined(__GNUC__) || defined(__clang__))
#include <sys/auxv.h>
#define HAVE_HARDWARE 1
#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7) /* from the kernel's asm/hwcap.h */
#endif
/* The two compilers name the extension and its instructions apart. */
#ifdef __clang__
#define CRC_TARGET __attribute__((target("crc")))
#define CRC_U64(reg, v) __builtin_arm_crc32cd(reg, v)
#define CRC_U8(reg, v) __builtin_arm_crc32cb(reg, v)
#else
#define CRC_TARGET __attribute__((target("+crc")))
#define CRC_U64(reg, v) __builtin_aarch64_crc32cx(reg, v)
#define CRC_U8(reg, v) __builtin_aarch64_crc32cb(reg, v)
#endif

static int hardware_offered(void)
{
    return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0;
}

CRC_TARGET
static uint32_t hardware(uint32_t reg, const uint8_t *p, size_t n)
{
    for (; n >= 32; n -= 32, p += 32) {
        reg = CRC_U64(reg, get_u64(p));
        reg = CRC_U64(reg, get_u64(p + 8));
        reg = CRC_U64(reg, get_u64(p + 16));
        reg = CRC_U64(reg, get_u64(p + 24));
    }
    for (; n >= 8; n -= 8, p += 8)
        reg = CRC_U64(reg, get_u64(p));
    while (n--)
        reg = CRC_U8(reg, *p++);
    return reg;
}

#else
#define HAVE_HARDWARE 0
#endif

static void prepare(void)
{
    for (uint32_t byte = 0; byte < 256; byte++) {
        uint32_t reg = byte;
        for (int bit = 0; bit < 8; bit++)
            reg = (reg >> 1) ^ (POLY & (0u - (reg & 1u)));
        table[0][byte] = reg;
    }
    for (int k = 1; k < 8; k++)
        for (int byte = 0; byte < 256; byte++)
            table[k][byte] = (table[k - 1][byte] >> 8) ^
                             table[0][table[k - 1][byte] & 0xFF];
    best = CRC32C_SLICE8;
#if HAVE_HARDWARE
    if (hardware_offered())
        best = CRC32C_HARDWARE;
#endif
}

/* The register after N bytes at P by METHOD, or by slicing-by-8 where
 * this machine lacks METHOD. */
static uint32_t by(Crc32cMethod method, uint32_t reg, const uint8_t *p,
                   size_t n)
{
    switch (method) {
    case CRC32C_BYTEWISE:
        return bytewise(reg, p, n);
    case CRC32C_HARDWARE:
#if HAVE_HARDWARE
        if (best == CRC32C_HARDWARE)
            return hardware(reg, p, n);
#endif
        break;
    case CRC32C_SLICE8:
    case CRC32C_METHODS:
        break;
    }
    return slice8(reg, p, n);
}

uint32_t crc32c(uint32_t crc, const void *data, size_t n)
{
    pthread_once(&ready, prepare);
    return ~by(best, ~crc, data, n);
}

int crc32c_has(Crc32cMethod method)
{
    pthread_once(&ready, prepare);
    return method <= best;
}

uint32_t crc32c_by(Crc32cMethod method, uint32_t crc, const void *data,
                   size_t n)
{
    pthread_once(&ready, prepare);
    return ~by(method, ~crc, data, n);
}

Crc32cMethod crc32c_method(void)
{
    pthread_once(&ready, prepare);
    return best;
}

const char *crc32c_method_name(Crc32cMethod method)
{
    switch (method) {
    case CRC32C_BYTEWISE:
        return "byte by byte";
    case CRC32C_SLICE8:
        return "slicing-by-8";
    case CRC32C_HARDWARE:
#if defined(__x86_64__)
        return "SSE4.2 crc32 instruction";
#else
        return "ARMv8 CRC instructions";
#endif
    case CRC32C_METHODS:
        break;
    }
    return "unknown";
}
