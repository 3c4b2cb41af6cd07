/*
 * record.c - a row of typed values as a record of bytes, and back.
 *
 * Owns: the record format drawn in record.h.
 * Does not: know which table a record belongs to or check a value against
 * its column (exec.c does, before a record is made), or store records
 * (the B+tree does).
 *
 * A record carries no types of its own: the table's columns say what
 * each value is, so an integer costs only the bytes its value needs.
 * Decoding checks every length against the bytes there are, because a
 * record comes from the file and may be damaged.
 */
#include "record.h"

#include <string.h>

#include "bytes.h"
#include "varint.h"

static size_t value_size(const Value *v)
{
    switch (v->type) {
    case VALUE_NULL:
        return 0;
    case VALUE_INTEGER:
        return varint_size(zigzag(v->i));
    case VALUE_REAL:
        return 8;
    case VALUE_TEXT:
        return varint_size(v->text.n) + v->text.n;
    case VALUE_BOOLEAN:
        return 1;
    }
    return 0;
}

size_t record_size(const Value *values, uint32_t n)
{
    size_t size = varint_size(n) + (n + 7) / 8;
    for (uint32_t i = 0; i < n; i++)
        size += value_size(&values[i]);
    return size;
}

/* book: begin record-encode */
void record_encode(const Value *values, uint32_t n, uint8_t *out)
{
    uint8_t *p = out + varint_put(out, n);
    uint8_t *nulls = p;
    memset(nulls, 0, (n + 7) / 8);
    p += (n + 7) / 8;
    for (uint32_t i = 0; i < n; i++) {
        const Value *v = &values[i];
        switch (v->type) {
        case VALUE_NULL:
            nulls[i / 8] |= (uint8_t)(1u << (i % 8));
            break;
        case VALUE_INTEGER:
            p += varint_put(p, zigzag(v->i));
            break;
        case VALUE_REAL: {
            uint64_t bits;
            memcpy(&bits, &v->r, 8);
            put_u64(p, bits);
            p += 8;
            break;
        }
        case VALUE_TEXT:
            p += varint_put(p, v->text.n);
            memcpy(p, v->text.s, v->text.n);
            p += v->text.n;
            break;
        case VALUE_BOOLEAN:
            *p++ = v->b ? 1 : 0;
            break;
        }
    }
}
/* book: end record-encode */

static DbStatus corrupt(const char *what)
{
    return db_fail(DB_ECORRUPT, "a record is damaged: %s", what);
}

DbStatus record_decode(const uint8_t *rec, size_t len,
                       const ColumnType *types, uint32_t n, Value *out)
{
    uint64_t count;
    size_t at = varint_get(rec, len, &count);
    if (at == 0)
        return corrupt("its column count is cut short");
    if (count != n)
        return db_fail(DB_ECORRUPT, "a record is damaged: it has %llu "
                       "columns, its table %u", (unsigned long long)count,
                       n);
    const uint8_t *nulls = rec + at;
    if (len - at < (n + 7) / 8)
        return corrupt("its null bitmap is cut short");
    at += (n + 7) / 8;
    for (uint32_t i = 0; i < n; i++) {
        Value *v = &out[i];
        if (nulls[i / 8] & (1u << (i % 8))) {
            v->type = VALUE_NULL;
            continue;
        }
        uint64_t u;
        size_t used;
        switch (types[i]) {
        case TYPE_INTEGER:
            used = varint_get(rec + at, len - at, &u);
            if (used == 0)
                return corrupt("an integer is cut short");
            v->type = VALUE_INTEGER;
            v->i = unzigzag(u);
            at += used;
            break;
        case TYPE_REAL:
            if (len - at < 8)
                return corrupt("a real is cut short");
            u = get_u64(rec + at);
            v->type = VALUE_REAL;
            memcpy(&v->r, &u, 8);
            at += 8;
            break;
        case TYPE_TEXT:
            used = varint_get(rec + at, len - at, &u);
            if (used == 0 || u > len - at - used || u > RECORD_MAX_TEXT)
                return corrupt("a text is longer than the record");
            v->type = VALUE_TEXT;
            v->text.s = (const char *)rec + at + used;
            v->text.n = (uint32_t)u;
            at += used + u;
            break;
        case TYPE_BOOLEAN:
            if (len - at < 1 || rec[at] > 1)
                return corrupt("a boolean is neither 0 nor 1");
            v->type = VALUE_BOOLEAN;
            v->b = rec[at++] == 1;
            break;
        default:
            return corrupt("its table has a column of unknown type");
        }
    }
    if (at != len)
        return corrupt("bytes are left over after its last column");
    return DB_OK;
}
