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
 * STRATA_FAULT. Every os_write, os_sync, os_sync_dir, os_unlink and
 * os_rename is an "I/O point", numbered from 1 in the order the process
 * makes them.
 *
 *   count=PATH       count the I/O points; write the total to PATH at exit
 *   crash=N,seed=S   at point N, cut the power: each write made since its
 *                    file was last synced is kept, dropped, or torn (some
 *                    of its 512-byte sectors reach the disk: a prefix, a
 *                    suffix or a scattering), as the seed decides;
 *                    a rename made since its directory was last synced
 *                    is kept or undone; a file created since then
 *                    disappears; then the process exits with status
 *                    OS_CRASH_STATUS, before doing point N
 *   eio=N            point N fails with EIO instead of happening
 *   kind=sync        with any of the three: count only the syncs (os_sync
 *                    and os_sync_dir), so that N is the Nth sync
 *                    (kind=write: only the os_write calls; kind=read:
 *                    only the os_read calls, and kind=input only the
 *                    os_read_next calls, which are I/O points for their
 *                    kind alone, so that no other count moves)
 *   seed=S           with any of them, or alone: os_random's bytes come
 *                    from S too, so that a run's files come out the same
 *                    byte for byte every time (as in the book's dumps)
 *
 * To lose unsynced writes on a crash, crash mode keeps them in memory
 * until their file is synced (reads see them as the page cache would) and
 * skips the real fsync, which a simulated crash does not need. A file
 * that lost its name while open (a temporary file) writes straight
 * through: a crash cannot leave anything of a file without a name.
 */
#ifndef STRATA_OS_H
#define STRATA_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OS_CRASH_STATUS 99

typedef struct OsFile OsFile;

/* Opens PATH for reading and writing, creating it (mode 0644) if missing.
 * EINVAL: PATH is not a regular file (a device, a FIFO, a socket), which
 * a database and its log must be. On failure *out is NULL and nothing was
 * created or changed. A new file's name is durable only after
 * os_sync_dir. */
int os_open(const char *path, OsFile **out);

/* Opens PATH for reading and writing only if it exists: ENOENT if not,
 * EINVAL as for os_open. */
int os_open_existing(const char *path, OsFile **out);

/* Opens PATH for reading only, to be read from start to end with
 * os_read_next: a file strata reads but never writes, such as the CSV
 * file of .import (a pipe will do). EISDIR: PATH is a directory. */
int os_open_reading(const char *path, OsFile **out);

/* Takes an exclusive lock on the whole file so that a second process
 * cannot open the same database. The lock belongs to F (flock(2)), not
 * to the process: it holds until F is closed, whatever other descriptor
 * of the same file the process opens and closes meanwhile (a POSIX
 * fcntl lock would be lost then). EAGAIN: another open file holds it. */
int os_lock(OsFile *f);

/* Sets *same to whether F and G are one file: the same device and inode,
 * whatever names they were opened by. */
int os_same_file(OsFile *f, OsFile *g, bool *same);

/* Sets *named to whether PATH still names F: false once F has been
 * removed (no link left) or PATH leads to another file or to none. */
int os_named(OsFile *f, const char *path, bool *named);

/* Sets *out to the name of the file that PATH leads to: PATH itself,
 * unless it is a symbolic link, which is followed (relative to its own
 * directory) until a name is not one; a missing file is fine. So every
 * link to a file gives that file's own name. The caller frees *out.
 * ELOOP: too many links in a row. */
int os_resolve(const char *path, char **out);

/* Fills BUF with N random bytes from the system (from the fault seed
 * when STRATA_FAULT is set, see above). */
int os_random(void *buf, size_t n);

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

/* Removes the file PATH (ENOENT if there is none). A file open when its
 * name goes stays readable and writable until it is closed. */
int os_unlink(const char *path);

/* Gives the file FROM the name TO, in one step: whoever opens TO finds
 * the old file or the new one, never a mix. A file TO named before is
 * removed. The new name is durable only after os_sync_dir. */
int os_rename(const char *from, const char *to);

/* Gives TO the permission bits of FROM. */
int os_copy_mode(OsFile *from, OsFile *to);

#endif
