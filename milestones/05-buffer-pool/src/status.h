/*
 * status.h - the one list of everything that can go wrong.
 *
 * Every function that can fail returns a DbStatus. A function that fails
 * also records a one-line reason with db_fail(); whoever reports the
 * failure to the user prints db_errmsg().
 */
#ifndef STATUS_H
#define STATUS_H

typedef enum DbStatus {
    DB_OK = 0,
    DB_EIO,      /* the operating system failed a read, write or sync */
    DB_ENOMEM,   /* out of memory */
    DB_ECORRUPT, /* the file's bytes break the rules of the format */
    DB_EFORMAT,  /* not a Strata file, or a format this build cannot read */
    DB_ELOCKED,  /* another process has the database open */
    DB_EMISMATCH, /* a log that is not of its database, or not of the
                   * point of its history that the database file holds */
    DB_ESYNTAX,  /* a statement that could not be parsed */
    DB_EBADID,   /* an id outside 1 .. 4294967295 */
    DB_ETOOLONG, /* a string longer than its column allows */
    DB_EDUPKEY,  /* a key that is already in the table */
    DB_ENOTFOUND, /* a key that is not in the table */
    DB_EFULL,    /* every frame of the buffer pool is pinned */
} DbStatus;

/* Records why something failed (printf-style) and returns RC, so a
 * function can fail in one line: return db_fail(DB_EDUPKEY, "...");
 * This function can't fail: if memory runs out, the reason is cut short. */
DbStatus db_fail(DbStatus rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The reason recorded by the last db_fail(). */
const char *db_errmsg(void);

#endif
