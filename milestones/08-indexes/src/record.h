/*
 * record.h - typed values, a row of them as the bytes of a record, and
 * values as the bytes of an index key, whose memcmp order is SQL order.
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

/* Index keys: the encoding is drawn in record.c. */

/* The bytes a row id takes at the end of an index key. */
#define RECORD_KEY_ROWID_SIZE 8

/* Appends to KEY (of CAP bytes, *SIZE used so far) the encoding of V,
 * ascending or (DESC) descending, such that memcmp of two keys orders
 * them as value_compare orders the values: NULL first, then numbers by
 * value (INTEGER, REAL and BOOLEAN compared exactly: 1, 1.0 and TRUE
 * encode equal, 2^53 + 1 and 2^53 differ, -0.0 is 0), then TEXT by its
 * bytes; DESC reverses that column's order. A REAL NaN encodes as NULL,
 * as SQLite makes it. The encoding of a list of values is a prefix of
 * the encoding of any longer list that starts with them, so a seek by a
 * prefix of the columns works. DB_ETOOLONG: it does not fit in CAP, and
 * then KEY and *SIZE are as they were. */
DbStatus record_key_append(uint8_t *key, size_t cap, size_t *size,
                           const Value *v, bool desc);

/* Appends ROWID in RECORD_KEY_ROWID_SIZE bytes that memcmp orders as the
 * signed integers (always ascending). DB_ETOOLONG as above. */
DbStatus record_key_append_rowid(uint8_t *key, size_t cap, size_t *size,
                                 int64_t rowid);

/* The row id in the last RECORD_KEY_ROWID_SIZE bytes of a whole index
 * key of SIZE bytes. DB_ECORRUPT: the key is too short. */
DbStatus record_key_rowid(const uint8_t *key, size_t size, int64_t *rowid);

/* Decodes the N values at the start of KEY (SIZE bytes) into VALUES,
 * DESC[i] saying whether value i was appended descending (DESC NULL: all
 * ascending). TYPES[i], if TYPES is not NULL, is the column's type: the
 * value comes back of that type (a REAL column's 1.0 as REAL 1.0, a
 * BOOLEAN's as a boolean), and a value that no column of that type holds
 * is DB_ECORRUPT. With TYPES NULL a number comes back INTEGER if it is
 * an integer that fits, else REAL. Texts are copied into SCRATCH (of
 * SCRATCH_CAP bytes; SIZE bytes always suffice) and point there. *USED:
 * the bytes of KEY the N values took (the row id, if any, follows).
 * DB_ECORRUPT: KEY is not N such values (cut short, an unknown tag, a
 * number or text not written as record_key_append writes it); VALUES
 * are then unspecified. DB_ETOOLONG: SCRATCH is too small. */
DbStatus record_key_decode(const uint8_t *key, size_t size, uint32_t n,
                           const bool *desc, const ColumnType *types,
                           Value *values, uint8_t *scratch,
                           size_t scratch_cap, size_t *used);

#endif
