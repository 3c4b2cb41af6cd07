/*
 * pager.h - the database file as an array of 4096-byte pages, cached in
 * memory, with a free list of pages to reuse.
 */
#ifndef PAGER_H
#define PAGER_H

#include <stdint.h>

#include "status.h"

#define PAGE_SIZE 4096
#define PAGER_FORMAT_VERSION 2  /* changes whenever the file format does */
#define PAGER_HEADER_SIZE 32    /* bytes of page 0 the pager owns */

/* Byte 0 of every page says what the page is. The pager marks the pages
 * on its free list with PAGE_TYPE_FREE; the layers above use other
 * values for theirs. */
#define PAGE_TYPE_FREE 0

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
 * file the first time. DB_ECORRUPT: PAGE_NUM is not a page of this file
 * (a page number read from a damaged page). DB_EIO: the read failed. The
 * pointer stays valid until pager_close. */
DbStatus pager_get_page(Pager *pager, uint32_t page_num, uint8_t **page);

/* Finds a page for new data: the first page of the free list if there is
 * one, else a new page at the end of the file. The page is zeroed.
 * DB_ENOMEM, DB_EIO, DB_ECORRUPT (a damaged free list). */
DbStatus pager_allocate_page(Pager *pager, uint32_t *page_num);

/* Puts page PAGE_NUM on the free list, for pager_allocate_page to reuse.
 * Its bytes are lost. */
DbStatus pager_free_page(Pager *pager, uint32_t page_num);

/* Walks the free list: calls VISIT on each page in list order, stopping
 * early if VISIT returns anything but DB_OK. DB_ECORRUPT: the list leaves
 * the file, loops, holds a page that is not marked free, or its length
 * disagrees with the header. */
DbStatus pager_walk_free_list(Pager *pager,
                              DbStatus (*visit)(void *ctx, uint32_t page_num),
                              void *ctx);

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
