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
/* Row layout (293 bytes, the same for every row)
 *   offset  size  field
 *        0     4  id, little-endian
 *        4    33  username, then NUL bytes up to the field's end
 *       37   256  email, then NUL bytes up to the field's end
 */
#define ROW_ID_OFFSET 0
#define ROW_USERNAME_OFFSET 4
#define ROW_EMAIL_OFFSET (ROW_USERNAME_OFFSET + ROW_USERNAME_MAX + 1)
#define ROW_SIZE (ROW_EMAIL_OFFSET + ROW_EMAIL_MAX + 1)
/* book: end row-layout */

/* Writes ROW into the ROW_SIZE bytes at DST. Can't fail. */
void row_serialize(const Row *row, uint8_t *dst);

/* Reads a row from the ROW_SIZE bytes at SRC. DB_ECORRUPT: a string field
 * has no terminating NUL, so these bytes were not written by
 * row_serialize; *row is then unspecified. */
DbStatus row_deserialize(const uint8_t *src, Row *row);

#endif
