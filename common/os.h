/*
 * os.h - the database's only door to the file system.
 *
 * Every byte Strata reads or writes to a file passes through these
 * functions. Keeping that door narrow means one place can later count,
 * fail or "lose" writes to prove crash safety (chapter 04).
 *
 * Every function returns 0 on success or an errno value on failure, and
 * never exits the process.
 */
#ifndef STRATA_OS_H
#define STRATA_OS_H

#include <stddef.h>
#include <stdint.h>

typedef struct OsFile OsFile;

/* Opens PATH for reading and writing, creating it (mode 0644) if missing.
 * On failure *out is NULL and nothing was created or changed. */
int os_open(const char *path, OsFile **out);

/* Takes an exclusive lock on the whole file so that a second process
 * cannot open the same database. EAGAIN: another process holds it. */
int os_lock(OsFile *f);

/* Reads up to N bytes at OFFSET. *n_read is less than N only at the end
 * of the file. */
int os_read(OsFile *f, uint64_t offset, void *buf, size_t n, size_t *n_read);

/* Writes N bytes at OFFSET, extending the file if needed. After an error
 * the bytes at OFFSET are unknown. */
int os_write(OsFile *f, uint64_t offset, const void *buf, size_t n);

/* Asks the operating system to put every write so far on the disk. */
int os_sync(OsFile *f);

/* The file's size in bytes. */
int os_size(OsFile *f, uint64_t *size);

/* Closes the file and frees F, also when closing fails. */
int os_close(OsFile *f);

#endif
