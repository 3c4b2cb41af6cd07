/*
 * db.h - a database: one file, its catalog, one transaction at a time,
 * and the last error, all in one object that nothing else shares.
 */
#ifndef DB_H
#define DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "catalog.h"
#include "pager.h"
#include "status.h"

typedef struct Db Db;

/* What went wrong in the last call that failed, as psql reports it. */
typedef struct DbError {
    DbStatus rc;
    char *message;       /* one line, no "ERROR:" */
    char *detail;        /* a second line ("Key (id)=(1) already exists."),
                          * or NULL */
    int64_t pos;         /* byte offset in the statement, -1: none */
} DbError;

typedef struct DbOptions {
    uint32_t pool_frames;        /* 0: POOL_DEFAULT_FRAMES */
    const EvictPolicy *policy;   /* NULL: the first of EVICT_POLICIES */
} DbOptions;

/* Opens the database file at PATH (creating it, with an empty catalog,
 * if it does not exist), after recovering what its log holds. Fails as
 * pager_open does, or with DB_EFORMAT when its catalog does not describe
 * itself as this milestone's does. On failure *out is NULL and the
 * reason is in db_errmsg(). */
DbStatus db_open(const char *path, const DbOptions *options, Db **out);

/* Checkpoints and closes the database, also on failure (DB_EIO: the log
 * stays and nothing committed is lost). */
DbStatus db_close(Db *db);

/* One transaction around a statement: nothing is durable before
 * db_commit returns DB_OK; db_rollback undoes everything since db_begin
 * (and forgets what the catalog had read, which may be undone too). */
DbStatus db_begin(Db *db);
DbStatus db_commit(Db *db);
void db_rollback(Db *db);

Pager *db_pager(Db *db);
Catalog *db_catalog(Db *db);

/* The memory a sort or a hash table of one statement may hold before it
 * writes to temporary files or chooses another way (SET work_mem). */
#define DB_DEFAULT_WORK_MEM (4u * 1024 * 1024)
size_t db_work_mem(const Db *db);
void db_set_work_mem(Db *db, size_t bytes);

/* Views made with CREATE TEMP VIEW: the session's own, kept in memory,
 * gone when the database closes. db_temp_view gives the CREATE VIEW
 * statement of view NAME, or NULL. DB_ENOMEM; DB_ENOTFOUND. */
const char *db_temp_view(const Db *db, const char *name);
DbStatus db_create_temp_view(Db *db, const char *name, const char *sql);
DbStatus db_drop_temp_view(Db *db, const char *name);

/* Records the failure RC, whose reason is in db_errmsg(), as DB's last
 * error, at position POS of the statement (-1: none); returns RC. */
DbStatus db_set_error(Db *db, DbStatus rc);

/* The last error recorded; rc is DB_OK when there was none. */
const DbError *db_error(const Db *db);
void db_clear_error(Db *db);

/* Checks the whole file: every tree of the catalog, its overflow chains
 * and rows, the free list, and that every page is used exactly once
 * (\check). DB_ECORRUPT: the first violation, in db_errmsg(). */
DbStatus db_check(Db *db);

/* Prints one line per page: what it is and who owns it (\pages). */
DbStatus db_print_pages(Db *db, FILE *out);

/* Prints the header and slots of page PAGE_NUM (\page N). */
DbStatus db_print_page(Db *db, uint32_t page_num, FILE *out);

#endif
