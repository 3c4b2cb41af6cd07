/*
 * row.c - turning a Row into its variable-length record and back.
 *
 * Owns: the record layout drawn in row.h.
 * Does not: decide where a row lives (the table does) or check user input
 * (the statement layer does).
 */
#include "row.h"

#include <string.h>

_Static_assert(ROW_USERNAME_MAX < 256 && ROW_EMAIL_MAX == 255,
               "each length fits in its one byte");

uint16_t row_serialize(const Row *row, uint8_t *dst)
{
    size_t username_len = strlen(row->username);
    size_t email_len = strlen(row->email);
    uint8_t *p = dst;
    *p++ = (uint8_t)username_len;
    memcpy(p, row->username, username_len);
    p += username_len;
    *p++ = (uint8_t)email_len;
    memcpy(p, row->email, email_len);
    p += email_len;
    return (uint16_t)(p - dst);
}

DbStatus row_deserialize(uint32_t id, const uint8_t *src, uint16_t size,
                         Row *row)
{
    /* Each length is checked against the limit and against the bytes
     * left, before a single byte is copied. */
    if (size < 2 || src[0] > ROW_USERNAME_MAX || 1u + src[0] + 1u > size)
        return db_fail(DB_ECORRUPT, "its username length is impossible");
    uint8_t username_len = src[0];
    uint8_t email_len = src[1 + username_len]; /* at most ROW_EMAIL_MAX */
    if (2u + username_len + email_len != size)
        return db_fail(DB_ECORRUPT, "its email length is impossible");

    row->id = id;
    memcpy(row->username, src + 1, username_len);
    row->username[username_len] = '\0';
    memcpy(row->email, src + 2 + username_len, email_len);
    row->email[email_len] = '\0';
    return DB_OK;
}
