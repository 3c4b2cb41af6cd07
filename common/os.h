/*
 * os.h - the database's only door to the file system.
 *
 * Every byte Strata reads or writes to a file passes through these
 * functions. Keeping that door narrow lets one place count, fail or "lose"
 * writes on purpose, to prove that no committed change is ever lost.
 *
 * Every function returns 0 on success or an errno value on failure, and
 * never exits the process (except to simulate a crash, below).
 *
 * Fault injection, for tests only, is chosen by the environment variable
 * STRATA_FAULT. Every os_write, os_sync, os_sync_dir and os_unlink is an
 * "I/O point", numbered from 1 in the order the process makes them.
 *
 *   count=PATH       count the I/O points; write the total to PATH at exit
 *   crash=N,seed=S   at point N, cut the power: each write made since its
 *                    file was last synced is kept, dropped, or torn (some
 *                    of its 512-byte sectors reach the disk: a prefix, a
 *                    suffix or a scattering), as the seed decides;
 *                    a file created since its directory was last synced
 *                    disappears; then the process exits with status
 *                    OS_CRASH_STATUS, before doing point N
 *   eio=N            point N fails with EIO instead of happening
 *   kind=sync        with any of the three: count only the syncs (os_sync
 *                    and os_sync_dir), so that N is the Nth sync
 *                    (kind=write: only the os_write calls; kind=read:
 *                    only the os_read_next calls, which are I/O points
 *                    for this kind alone, so that no other count moves)
 *
 * To lose unsynced writes on a crash, crash mode keeps them in memory
 * until their file is synced (reads see them as the page cache would) and
 * skips the real fsync, which a simulated crash does not need.
 */
#ifndef STRATA_OS_H
#define STRATA_OS_H

#include <stddef.h>
#include <stdint.h>

#define OS_CRASH_STATUS 99

typedef struct OsFile OsFile;

/* Opens PATH for reading and writing, creating it (mode 0644) if missing.
 * On failure *out is NULL and nothing was created or changed. A new file's
 * name is durable only after os_sync_dir. */
int os_open(const char *path, OsFile **out);

/* Opens PATH for reading and writing only if it exists: ENOENT if not. */
int os_open_existing(const char *path, OsFile **out);

/* Opens PATH for reading only, to be read from start to end with
 * os_read_next: a file strata reads but never writes, such as the CSV
 * file of .import (a pipe will do). EISDIR: PATH is a directory. */
int os_open_reading(const char *path, OsFile **out);

/* Takes an exclusive lock on the whole file so that a second process
 * cannot open the same database. EAGAIN: another process holds it. */
int os_lock(OsFile *f);

/* Reads up to N bytes at OFFSET. *n_read is less than N only at the end
 * of the file. */
int os_read(OsFile *f, uint64_t offset, void *buf, size_t n, size_t *n_read);

/* Reads up to N bytes of a file opened with os_open_reading, from where
 * the last read stopped. *n_read is 0 only at the end of the file. */
int os_read_next(OsFile *f, void *buf, size_t n, size_t *n_read);

/* Writes N bytes at OFFSET, extending the file if needed. The bytes are
 * durable only after os_sync. After an error the bytes at OFFSET are
 * unknown. */
int os_write(OsFile *f, uint64_t offset, const void *buf, size_t n);

/* Puts every write so far on the disk (fdatasync). After an error the
 * state of those writes on the disk is unknown, and retrying does not
 * make it known: treat it as fatal. */
int os_sync(OsFile *f);

/* Makes the names created in PATH's directory durable (fsync of the
 * directory), so that a new file does not vanish in a crash. */
int os_sync_dir(const char *path);

/* The file's size in bytes. */
int os_size(OsFile *f, uint64_t *size);

/* Closes the file and frees F, also when closing fails. */
int os_close(OsFile *f);

/* Removes the file PATH (ENOENT if there is none). */
int os_unlink(const char *path);

#endif
