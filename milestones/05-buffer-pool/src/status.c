/*
 * status.c - the reason behind the last failure, as one line of text.
 *
 * Owns: the message buffer. Strata runs one statement at a time on one
 * thread, so one buffer is enough; it grows to fit any message (an
 * unrecognized line is quoted back whole).
 */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static char fallback[128];
static char *message = fallback;

DbStatus db_fail(DbStatus rc, const char *fmt, ...)
{
    /* The arguments may include the current message (a reason that wraps
     * another), so the new text is built before the old one is freed. */
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    size_t size = len < 0 ? 1 : (size_t)len + 1;

    char *text = malloc(size);
    if (text == NULL) {
        if (message == fallback)
            return rc; /* no room to say more: keep the last reason */
        text = fallback;
        size = sizeof fallback;
    }
    va_start(ap, fmt);
    vsnprintf(text, size, fmt, ap);
    va_end(ap);
    if (message != fallback)
        free(message);
    message = text;
    return rc;
}

const char *db_errmsg(void)
{
    return message;
}
