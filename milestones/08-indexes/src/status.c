/*
 * status.c - the reason behind the last failure, as one line of text.
 *
 * Owns: the message, position and detail of the last failure, kept per
 * thread (C11 _Thread_local), so that layers far below a statement can
 * say what went wrong without knowing whose statement it is. The Db
 * that runs the statement copies them into its own error at once
 * (db_set_error), so two databases open in one process each keep theirs.
 */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct Reason {
    char *text;        /* NULL: the fallback holds it */
    char fallback[128];
    int64_t pos;
    char *detail;
} Reason;

static _Thread_local Reason last = {.pos = -1};

/* Formats FMT into a new string; NULL if memory runs out. */
static char *format(const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    char *text = len < 0 ? NULL : malloc((size_t)len + 1);
    if (text != NULL)
        vsnprintf(text, (size_t)len + 1, fmt, again);
    va_end(again);
    return text;
}

static void record(const char *fmt, va_list ap)
{
    /* The arguments may include the current message, so the new text is
     * made before the old one is freed. */
    va_list again;
    va_copy(again, ap);
    char *text = format(fmt, ap);
    if (text == NULL && last.text != NULL) {
        /* Out of memory: say it as far as the fallback holds. */
        vsnprintf(last.fallback, sizeof last.fallback, fmt, again);
    }
    /* (Out of memory with the fallback already in use: it stays.) */
    va_end(again);
    free(last.text);
    last.text = text;
    free(last.detail);
    last.detail = NULL;
    last.pos = -1;
}

DbStatus db_fail(DbStatus rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(fmt, ap);
    va_end(ap);
    return rc;
}

DbStatus db_fail_at(DbStatus rc, uint32_t pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(fmt, ap);
    va_end(ap);
    last.pos = pos;
    return rc;
}

void db_fail_detail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *detail = format(fmt, ap);
    va_end(ap);
    free(last.detail);
    last.detail = detail;
}

const char *db_errmsg(void)
{
    return last.text != NULL ? last.text : last.fallback;
}

int64_t db_errpos(void)
{
    return last.pos;
}

const char *db_errdetail(void)
{
    return last.detail;
}
