/*
 * status.h - the one list of everything that can go wrong.
 *
 * Every function that can fail returns a DbStatus. A function that fails
 * also records a one-line reason with db_fail() (and, for an error in a
 * statement, where in its text with db_fail_at()); the Db that ran the
 * statement takes the reason as its own error (db_set_error in db.h).
 */
#ifndef STATUS_H
#define STATUS_H

#include <stdint.h>

typedef enum DbStatus {
    DB_OK = 0,
    DB_EIO,        /* the operating system failed a read, write or sync */
    DB_ENOMEM,     /* out of memory */
    DB_ECORRUPT,   /* the file's bytes break the rules of the format */
    DB_EFORMAT,    /* not a Strata file, or a format this build cannot
                    * read */
    DB_ELOCKED,    /* another process has the database open */
    DB_EMISMATCH,  /* a log that is not of its database, or not of the
                    * point of its history that the database file holds */
    DB_ESYNTAX,    /* a statement that could not be parsed */
    DB_EDUPKEY,    /* a key, or a name, that is already there */
    DB_ENOTFOUND,  /* a key, or a name, that is not there */
    DB_EFULL,      /* no room: every frame of the pool pinned, no row id
                    * left */
    DB_ERANGE,     /* a number out of range */
    DB_ETYPE,      /* a value of the wrong type for its column */
    DB_ETOOLONG,   /* a text longer than its column allows */
    DB_ECONSTRAINT, /* a NOT NULL or key constraint violated */
    DB_EUNSUPPORTED, /* SQL that a later milestone understands */
} DbStatus;

/* Records why something failed (printf-style) and returns RC, so a
 * function can fail in one line: return db_fail(DB_EDUPKEY, "...");
 * The arguments may include db_errmsg() (a reason that wraps another).
 * This function can't fail: if memory runs out, the reason is cut short.
 * The reason belongs to the calling thread. */
DbStatus db_fail(DbStatus rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The same, for an error at byte POS of the statement being run. */
DbStatus db_fail_at(DbStatus rc, uint32_t pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Adds a second line to the reason just recorded, as psql's DETAIL. */
void db_fail_detail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* The reason recorded by the last db_fail() on this thread; its
 * position in the statement (-1: none) and its detail (NULL: none). */
const char *db_errmsg(void);
int64_t db_errpos(void);
const char *db_errdetail(void);

#endif
