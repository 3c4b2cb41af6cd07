/*
 * record.h - typed values, and a row of them as the bytes of a record.
 */
#ifndef RECORD_H
#define RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* The types a column can have. */
typedef enum ColumnType {
    TYPE_INTEGER = 1,      /* 64-bit signed */
    TYPE_REAL = 2,         /* IEEE 754 double */
    TYPE_TEXT = 3,         /* bytes, as given (UTF-8 by convention) */
    TYPE_BOOLEAN = 4,
} ColumnType;

typedef enum ValueType {
    VALUE_NULL,
    VALUE_INTEGER,
    VALUE_REAL,
    VALUE_TEXT,
    VALUE_BOOLEAN,
} ValueType;

/* One value. A text's bytes belong to whoever made the value: a record
 * buffer it was decoded from, or a tree built by the parser. */
typedef struct Value {
    ValueType type;
    union {
        int64_t i;
        double r;
        bool b;
        struct {
            const char *s;
            uint32_t n;
        } text;
    };
} Value;

/* The longest text a value can hold, as SQLite's default limit. */
#define RECORD_MAX_TEXT 1000000000u

/* book: begin record-format */
/* Record: the payload of a row's cell in a table's tree (the row id is
 * the cell's key, not part of the record)
 *   offset  size       field
 *        0  varint     number of columns N
 *        .  (N+7)/8    null bitmap: bit i%8 of byte i/8 is set when
 *                      column i is NULL
 *        .  ...        each column that is not NULL, in order, encoded
 *                      by the column's type:
 *                        INTEGER  varint of the value, zigzagged
 *                        REAL     8 bytes, IEEE 754, little-endian
 *                        TEXT     varint length L, then the L bytes
 *                        BOOLEAN  1 byte, 0 or 1
 *
 * Varints and zigzag are drawn in common/varint.h.
 */
/* book: end record-format */

/* The bytes the record of the N VALUES takes. */
size_t record_size(const Value *values, uint32_t n);

/* Writes the record of the N VALUES into OUT (record_size bytes). The
 * values must already have their columns' types (or be NULL). Can't
 * fail. */
void record_encode(const Value *values, uint32_t n, uint8_t *out);

/* Reads the record of LEN bytes at REC, whose N columns have TYPES, into
 * OUT[0 .. N). Texts point into REC. DB_ECORRUPT: the bytes are not such
 * a record (another column count, a length past the end, a boolean that
 * is not 0 or 1, bytes left over); OUT is then unspecified. */
DbStatus record_decode(const uint8_t *rec, size_t len,
                       const ColumnType *types, uint32_t n, Value *out);

#endif
