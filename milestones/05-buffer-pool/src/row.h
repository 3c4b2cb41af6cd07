/*
 * row.h - the table's one row type, (id, username, email), and its bytes.
 */
#ifndef ROW_H
#define ROW_H

#include <stdint.h>

#include "status.h"

#define ROW_USERNAME_MAX 32 /* bytes, not counting the terminating NUL */
#define ROW_EMAIL_MAX 255

typedef struct Row {
    uint32_t id;
    char username[ROW_USERNAME_MAX + 1];
    char email[ROW_EMAIL_MAX + 1];
} Row;

/* book: begin row-layout */
/* Row record, the value of a leaf cell: only the bytes the row needs.
 * The id is not in it: it is the cell's key.
 *   offset  size  field
 *        0     1  username length U (0 to 32)
 *        1     U  username
 *      1+U     1  email length E (0 to 255)
 *      2+U     E  email
 */
#define ROW_MAX_SIZE (1 + ROW_USERNAME_MAX + 1 + ROW_EMAIL_MAX)
/* book: end row-layout */

/* Writes ROW's record into DST (room for ROW_MAX_SIZE bytes); returns its
 * size. Can't fail. */
uint16_t row_serialize(const Row *row, uint8_t *dst);

/* Reads the record of SIZE bytes at SRC into *row, whose id is ID.
 * DB_ECORRUPT: the lengths break the limits or do not add up to SIZE, so
 * these bytes were not written by row_serialize; *row is then
 * unspecified. */
DbStatus row_deserialize(uint32_t id, const uint8_t *src, uint16_t size,
                         Row *row);

#endif
