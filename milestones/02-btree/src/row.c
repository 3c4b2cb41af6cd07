/*
 * row.c - turning a Row into its fixed 293 bytes and back.
 *
 * Owns: the row layout drawn in row.h.
 * Does not: decide where a row lives (the table does) or check user input
 * (the statement layer does).
 */
#include "row.h"

#include <string.h>

#include "bytes.h"

void row_serialize(const Row *row, uint8_t *dst)
{
    put_u32(dst + ROW_ID_OFFSET, row->id);
    /* strncpy pads with NULs to the field's end, so no stale bytes from a
     * previous row stay in the page. */
    strncpy((char *)dst + ROW_USERNAME_OFFSET, row->username,
            ROW_USERNAME_MAX + 1);
    strncpy((char *)dst + ROW_EMAIL_OFFSET, row->email, ROW_EMAIL_MAX + 1);
}

DbStatus row_deserialize(const uint8_t *src, Row *row)
{
    const uint8_t *username = src + ROW_USERNAME_OFFSET;
    const uint8_t *email = src + ROW_EMAIL_OFFSET;
    if (memchr(username, '\0', ROW_USERNAME_MAX + 1) == NULL ||
        memchr(email, '\0', ROW_EMAIL_MAX + 1) == NULL)
        return db_fail(DB_ECORRUPT,
                       "a string field has no terminating NUL");

    row->id = get_u32(src + ROW_ID_OFFSET);
    memcpy(row->username, username, ROW_USERNAME_MAX + 1);
    memcpy(row->email, email, ROW_EMAIL_MAX + 1);
    return DB_OK;
}
