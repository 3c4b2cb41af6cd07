/*
 * disk-limit.c - the fastest durable commits this disk allows, two ways.
 *
 *   disk-limit prepare N FILE     writes N pages of 4096 bytes, synced
 *   disk-limit append N FILE      N times: append a page, fdatasync
 *   disk-limit overwrite N FILE   N times: overwrite the next page of a
 *                                 prepared file, fdatasync
 *
 * A commit in a log must at least write its bytes and wait for them to
 * be durable. Appending also grows the file, so each sync writes the
 * file's new size too; overwriting a file whose pages already exist
 * writes the data alone (a log reused from its start after a checkpoint
 * does this). scripts/bench times both beside the databases' commits;
 * `prepare` is untimed setup for `overwrite`. Exit 1 on an I/O error.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096

static int fail(const char *what, const char *path)
{
    fprintf(stderr, "disk-limit: %s %s: ", what, path);
    perror(NULL);
    return 1;
}

int main(int argc, char **argv)
{
    long n = argc == 4 ? atol(argv[2]) : 0;
    int append = argc == 4 && strcmp(argv[1], "append") == 0;
    int prepare = argc == 4 && strcmp(argv[1], "prepare") == 0;
    if (n < 1 || !(append || prepare || strcmp(argv[1], "overwrite") == 0)) {
        fprintf(stderr, "usage: disk-limit prepare|append|overwrite N "
                "FILE\n");
        return 2;
    }
    const char *path = argv[3];
    int fd = open(path, O_RDWR | O_CREAT | (append || prepare ? O_TRUNC : 0),
                  0644);
    if (fd < 0)
        return fail("open", path);
    struct stat st;
    if (!append && !prepare &&
        (fstat(fd, &st) != 0 || st.st_size < (off_t)n * PAGE)) {
        fprintf(stderr, "disk-limit: %s holds fewer than %ld pages: "
                "prepare it first\n", path, n);
        return 1;
    }
    static unsigned char page[PAGE];
    memset(page, 0x55, sizeof page);
    for (long i = 0; i < n; i++) {
        if (pwrite(fd, page, PAGE, (off_t)i * PAGE) != PAGE)
            return fail("write", path);
        if (!prepare && fdatasync(fd) != 0)
            return fail("fdatasync", path);
    }
    if (prepare && fsync(fd) != 0)
        return fail("fsync", path);
    return close(fd) == 0 ? 0 : fail("close", path);
}
