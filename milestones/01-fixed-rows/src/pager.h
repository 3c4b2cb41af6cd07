/*
 * pager.h - the database file as an array of 4096-byte pages, cached in
 * memory.
 */
#ifndef PAGER_H
#define PAGER_H

#include <stdint.h>

#include "status.h"

#define PAGE_SIZE 4096
#define PAGER_MAX_PAGES 101     /* the header page and 100 table pages */
#define PAGER_FORMAT_VERSION 1  /* changes whenever the file format does */
#define PAGER_HEADER_SIZE 24    /* bytes of page 0 the pager owns */

typedef struct Pager Pager;

/* Opens the database file at PATH, creating it if it does not exist, and
 * checks that it is a Strata file of this format: DB_EFORMAT if it is not
 * (another program's file, or another format version), DB_ECORRUPT if it
 * is truncated or inconsistent, DB_ELOCKED if another process has it
 * open, DB_EIO if the system refused. A new or empty file gets a fresh
 * header page in memory. On failure *out is NULL and the file is
 * untouched. */
DbStatus pager_open(const char *path, Pager **out);

/* The number of pages in the database, the header page included. */
uint32_t pager_page_count(const Pager *pager);

/* Points *page at page PAGE_NUM's bytes in the cache, reading it from the
 * file the first time. Asking for the page just past the end appends a
 * zeroed page. DB_EFULL: PAGE_NUM is beyond PAGER_MAX_PAGES. DB_EIO: the
 * read failed. The pointer stays valid until pager_close. */
DbStatus pager_get_page(Pager *pager, uint32_t page_num, uint8_t **page);

/* Closes the file and frees the pager without writing anything: every
 * change since pager_open is lost. For giving up on a file that failed
 * its checks. */
void pager_discard(Pager *pager);

/* Saves the database and frees the pager, also when saving fails. The
 * save writes a new copy beside the file (PATH-tmp) and renames it over
 * the file, so a crash at any moment leaves the old database or the new
 * one, whole. DB_EIO: the file is as it was at pager_open, and every
 * change since is lost (or, when the failure came after the rename, the
 * file is saved but a power cut may undo that). */
DbStatus pager_close(Pager *pager);

#endif
