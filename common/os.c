/*
 * os.c - POSIX file I/O for the database: open, lock, read, write, sync.
 *
 * Owns: file descriptors, retrying interrupted and short system calls.
 * Does not: know about pages or formats (the pager does).
 */
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct OsFile {
    int fd;
};

int os_open(const char *path, OsFile **out)
{
    *out = NULL;
    OsFile *f = malloc(sizeof *f);
    if (f == NULL)
        return ENOMEM;
    f->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (f->fd < 0) {
        int err = errno;
        free(f);
        return err;
    }
    *out = f;
    return 0;
}

int os_lock(OsFile *f)
{
    struct flock lock = {
        .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0,
    };
    if (fcntl(f->fd, F_SETLK, &lock) == 0)
        return 0;
    return (errno == EACCES || errno == EAGAIN) ? EAGAIN : errno;
}

int os_read(OsFile *f, uint64_t offset, void *buf, size_t n, size_t *n_read)
{
    size_t done = 0;
    while (done < n) {
        ssize_t got = pread(f->fd, (char *)buf + done, n - done,
                            (off_t)(offset + done));
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (got == 0)
            break;
        done += (size_t)got;
    }
    *n_read = done;
    return 0;
}

int os_write(OsFile *f, uint64_t offset, const void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t put = pwrite(f->fd, (const char *)buf + done, n - done,
                             (off_t)(offset + done));
        if (put < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        done += (size_t)put;
    }
    return 0;
}

int os_sync(OsFile *f)
{
    return fsync(f->fd) == 0 ? 0 : errno;
}

int os_size(OsFile *f, uint64_t *size)
{
    struct stat st;
    if (fstat(f->fd, &st) != 0)
        return errno;
    *size = (uint64_t)st.st_size;
    return 0;
}

int os_close(OsFile *f)
{
    int err = close(f->fd) == 0 ? 0 : errno;
    free(f);
    return err;
}
