/*
 * os.c - POSIX file I/O for the database, and the faults tests inject.
 *
 * Owns: file descriptors, retrying interrupted and short system calls,
 * and the fault modes of STRATA_FAULT (described in os.h).
 * Does not: know about pages or formats (the pager and the log do).
 *
 * Normally every call goes straight to the operating system. In crash
 * mode each file's writes wait in memory, in order, until os_sync applies
 * them; the names of new files wait for os_sync_dir. At the crash point
 * every waiting write is kept, dropped or torn (some of its 512-byte
 * sectors arrive, in no particular order), as the seed decides, and every
 * waiting name is removed, before the process exits: what reaches the
 * disk is what a power cut could have left there.
 * This is the model SQLite's crash tests use.
 */
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- the fault plan --------------------------------------------------- */

typedef enum PointKind {
    POINT_ANY, POINT_WRITE, POINT_SYNC, POINT_READ
} PointKind;

static struct {
    bool parsed;
    enum { FAULT_NONE, FAULT_COUNT, FAULT_CRASH, FAULT_EIO } mode;
    uint64_t target;       /* N */
    PointKind kind;        /* which points count toward N, for eio */
    uint64_t seed;
    const char *count_path;
    uint64_t points;       /* I/O points so far */
    uint64_t writes, syncs, reads;
} fault;

/* A write waiting for its file's next os_sync (crash mode only). */
typedef struct Pending {
    uint64_t offset;
    size_t len;
    uint8_t *data;
} Pending;

/* What crash mode remembers of a file, by name, open or closed. */
typedef struct FileState {
    char *path;
    Pending *pending;
    size_t n_pending, cap_pending;
    bool name_unsynced;    /* created, and its directory not synced since */
    struct FileState *next;
} FileState;

static FileState *file_states;

struct OsFile {
    int fd;
    FileState *state;      /* crash mode only, else NULL */
};

static void write_count(void)
{
    FILE *out = fopen(fault.count_path, "w");
    if (out != NULL) {
        fprintf(out, "%llu\n", (unsigned long long)(
                         fault.kind == POINT_SYNC    ? fault.syncs
                         : fault.kind == POINT_WRITE ? fault.writes
                         : fault.kind == POINT_READ  ? fault.reads
                                                     : fault.points));
        fclose(out);
    }
}

static void parse_fault(void)
{
    fault.parsed = true;
    const char *spec = getenv("STRATA_FAULT");
    if (spec == NULL || *spec == '\0')
        return;
    static char copy[512];
    snprintf(copy, sizeof copy, "%s", spec);
    for (char *item = strtok(copy, ","); item; item = strtok(NULL, ",")) {
        char *value = strchr(item, '=');
        if (value == NULL)
            continue;
        *value++ = '\0';
        if (strcmp(item, "count") == 0) {
            fault.mode = FAULT_COUNT;
            fault.count_path = value;
            atexit(write_count);
        } else if (strcmp(item, "crash") == 0) {
            fault.mode = FAULT_CRASH;
            fault.target = strtoull(value, NULL, 10);
        } else if (strcmp(item, "eio") == 0) {
            fault.mode = FAULT_EIO;
            fault.target = strtoull(value, NULL, 10);
        } else if (strcmp(item, "seed") == 0) {
            fault.seed = strtoull(value, NULL, 10);
        } else if (strcmp(item, "kind") == 0) {
            fault.kind = strcmp(value, "sync") == 0    ? POINT_SYNC
                         : strcmp(value, "write") == 0 ? POINT_WRITE
                         : strcmp(value, "read") == 0  ? POINT_READ
                                                       : POINT_ANY;
        }
    }
}

static bool crash_mode(void)
{
    if (!fault.parsed)
        parse_fault();
    return fault.mode == FAULT_CRASH;
}

/* A small generator, so that a seed replays the same crash anywhere. */
static uint64_t next_random(void)
{
    fault.seed = fault.seed * 6364136223846793005ull + 1442695040888963407ull;
    return fault.seed >> 33;
}

/* Writes bytes FROM to FROM + LEN of the waiting write W to the file. */
static void apply(int fd, const Pending *w, size_t from, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t put = pwrite(fd, w->data + from + done, len - done,
                             (off_t)(w->offset + from + done));
        if (put <= 0 && errno != EINTR)
            return;
        if (put > 0)
            done += (size_t)put;
    }
}

/* Tears W: only some of the 512-byte sectors of the file that it covers
 * reach the disk, a prefix, a suffix or any scattering of them, since
 * neither the kernel nor the disk keeps unsynced writes in order. */
static void tear(int fd, const Pending *w)
{
    uint64_t first = w->offset / 512, end = w->offset + w->len;
    uint64_t n = (end + 511) / 512 - first;
    uint64_t how = next_random() % 3, cut = next_random() % (n + 1);
    for (uint64_t i = 0; i < n; i++) {
        bool keep = how == 0   ? i < cut   /* a prefix */
                    : how == 1 ? i >= cut  /* a suffix */
                               : next_random() % 2 == 0;
        if (!keep)
            continue;
        uint64_t lo = (first + i) * 512, hi = lo + 512;
        lo = lo > w->offset ? lo : w->offset;
        hi = hi < end ? hi : end;
        apply(fd, w, (size_t)(lo - w->offset), (size_t)(hi - lo));
    }
}

/* The power goes out: decide the fate of every waiting write and name. */
static void crash_now(void)
{
    for (FileState *s = file_states; s != NULL; s = s->next) {
        if (s->name_unsynced) {
            unlink(s->path);
            continue;
        }
        int fd = open(s->path, O_WRONLY);
        if (fd < 0)
            continue;
        for (size_t i = 0; i < s->n_pending; i++) {
            const Pending *w = &s->pending[i];
            switch (next_random() % 3) {
            case 0: /* dropped */
                break;
            case 1:
                tear(fd, w);
                break;
            default: /* kept */
                apply(fd, w, 0, w->len);
            }
        }
        close(fd);
    }
    _exit(OS_CRASH_STATUS);
}

/* Counts an I/O point of KIND; returns EIO if this point is to fail, and
 * does not return at all if it is the point to crash at. */
static int io_point(PointKind kind)
{
    if (!fault.parsed)
        parse_fault();
    /* A read is a point only when reads are counted, so that the points
     * of every other count stay where they are. */
    if (kind == POINT_READ && fault.kind != POINT_READ)
        return 0;
    fault.points++;
    uint64_t of_kind = kind == POINT_WRITE  ? ++fault.writes
                       : kind == POINT_SYNC ? ++fault.syncs
                       : kind == POINT_READ ? ++fault.reads
                                            : 0;
    uint64_t n = fault.kind == POINT_ANY ? fault.points
                 : fault.kind == kind    ? of_kind
                                         : 0;
    if (fault.mode == FAULT_CRASH && n == fault.target)
        crash_now();
    if (fault.mode == FAULT_EIO && n == fault.target)
        return EIO;
    return 0;
}

static FileState *state_for(const char *path)
{
    for (FileState *s = file_states; s != NULL; s = s->next)
        if (strcmp(s->path, path) == 0)
            return s;
    FileState *s = calloc(1, sizeof *s);
    if (s == NULL || (s->path = strdup(path)) == NULL) {
        free(s);
        return NULL;
    }
    s->next = file_states;
    file_states = s;
    return s;
}

static void drop_pending(FileState *s)
{
    for (size_t i = 0; i < s->n_pending; i++)
        free(s->pending[i].data);
    s->n_pending = 0;
}

/* --- the file operations ---------------------------------------------- */

int os_open(const char *path, OsFile **out)
{
    *out = NULL;
    OsFile *f = calloc(1, sizeof *f);
    if (f == NULL)
        return ENOMEM;
    bool created = true;
    f->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (f->fd < 0 && errno == EEXIST) {
        created = false;
        f->fd = open(path, O_RDWR | O_CLOEXEC);
    }
    if (f->fd < 0) {
        int err = errno;
        free(f);
        return err;
    }
    if (crash_mode()) {
        f->state = state_for(path);
        if (f->state == NULL) {
            close(f->fd);
            free(f);
            return ENOMEM;
        }
        if (created)
            f->state->name_unsynced = true;
    }
    *out = f;
    return 0;
}

int os_open_existing(const char *path, OsFile **out)
{
    *out = NULL;
    OsFile *f = calloc(1, sizeof *f);
    if (f == NULL)
        return ENOMEM;
    f->fd = open(path, O_RDWR | O_CLOEXEC);
    if (f->fd < 0) {
        int err = errno;
        free(f);
        return err;
    }
    if (crash_mode() && (f->state = state_for(path)) == NULL) {
        close(f->fd);
        free(f);
        return ENOMEM;
    }
    *out = f;
    return 0;
}

int os_open_reading(const char *path, OsFile **out)
{
    *out = NULL;
    OsFile *f = calloc(1, sizeof *f);
    if (f == NULL)
        return ENOMEM;
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    int err = f->fd < 0 ? errno : 0;
    struct stat st;
    if (err == 0 && fstat(f->fd, &st) != 0)
        err = errno;
    else if (err == 0 && S_ISDIR(st.st_mode))
        err = EISDIR;
    if (err != 0) {
        if (f->fd >= 0)
            close(f->fd);
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

static int real_size(OsFile *f, uint64_t *size)
{
    struct stat st;
    if (fstat(f->fd, &st) != 0)
        return errno;
    *size = (uint64_t)st.st_size;
    return 0;
}

int os_size(OsFile *f, uint64_t *size)
{
    int err = real_size(f, size);
    if (err != 0 || f->state == NULL)
        return err;
    for (size_t i = 0; i < f->state->n_pending; i++) {
        const Pending *w = &f->state->pending[i];
        if (w->offset + w->len > *size)
            *size = w->offset + w->len;
    }
    return 0;
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
    if (f->state == NULL || f->state->n_pending == 0)
        return 0;

    /* Crash mode: waiting writes cover what the disk has, in order. */
    uint64_t size;
    int err = os_size(f, &size);
    if (err != 0)
        return err;
    size_t want = offset >= size ? 0
                  : size - offset < n ? (size_t)(size - offset) : n;
    memset((char *)buf + done, 0, want > done ? want - done : 0);
    for (size_t i = 0; i < f->state->n_pending; i++) {
        const Pending *w = &f->state->pending[i];
        uint64_t lo = w->offset > offset ? w->offset : offset;
        uint64_t hi = w->offset + w->len < offset + want ? w->offset + w->len
                                                         : offset + want;
        if (lo < hi)
            memcpy((char *)buf + (lo - offset), w->data + (lo - w->offset),
                   (size_t)(hi - lo));
    }
    *n_read = want;
    return 0;
}

int os_read_next(OsFile *f, void *buf, size_t n, size_t *n_read)
{
    *n_read = 0;
    int err = io_point(POINT_READ);
    if (err != 0)
        return err;
    ssize_t got;
    do
        got = read(f->fd, buf, n);
    while (got < 0 && errno == EINTR);
    if (got < 0)
        return errno;
    *n_read = (size_t)got;
    return 0;
}

int os_write(OsFile *f, uint64_t offset, const void *buf, size_t n)
{
    int err = io_point(POINT_WRITE);
    if (err != 0)
        return err;
    if (f->state != NULL) {
        FileState *s = f->state;
        if (s->n_pending == s->cap_pending) {
            size_t cap = s->cap_pending ? 2 * s->cap_pending : 16;
            Pending *grown = realloc(s->pending, cap * sizeof *grown);
            if (grown == NULL)
                return ENOMEM;
            s->pending = grown;
            s->cap_pending = cap;
        }
        uint8_t *copy = malloc(n ? n : 1);
        if (copy == NULL)
            return ENOMEM;
        memcpy(copy, buf, n);
        s->pending[s->n_pending++] = (Pending){offset, n, copy};
        return 0;
    }
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
    int err = io_point(POINT_SYNC);
    if (err != 0)
        return err;
    if (f->state != NULL) {
        for (size_t i = 0; i < f->state->n_pending; i++)
            apply(f->fd, &f->state->pending[i], 0,
                  f->state->pending[i].len);
        drop_pending(f->state);
        return 0;
    }
    return fdatasync(f->fd) == 0 ? 0 : errno;
}

/* The directory part of PATH, "." if it has none. */
static void dir_of(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(dir, size, ".");
    else if (slash == path)
        snprintf(dir, size, "/");
    else
        snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

int os_sync_dir(const char *path)
{
    int err = io_point(POINT_SYNC);
    if (err != 0)
        return err;
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    if (crash_mode()) {
        for (FileState *s = file_states; s != NULL; s = s->next) {
            char other[4096];
            dir_of(s->path, other, sizeof other);
            if (strcmp(dir, other) == 0)
                s->name_unsynced = false;
        }
        return 0;
    }
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    err = fsync(fd) == 0 ? 0 : errno;
    close(fd);
    return err;
}

int os_close(OsFile *f)
{
    /* Crash mode keeps the file's state: its waiting writes may still be
     * lost, closed or not. */
    int err = close(f->fd) == 0 ? 0 : errno;
    free(f);
    return err;
}

int os_unlink(const char *path)
{
    int err = io_point(POINT_ANY);
    if (err != 0)
        return err;
    if (unlink(path) != 0)
        return errno;
    if (crash_mode()) {
        for (FileState **p = &file_states; *p != NULL; p = &(*p)->next) {
            if (strcmp((*p)->path, path) == 0) {
                FileState *gone = *p;
                *p = gone->next;
                drop_pending(gone);
                free(gone->pending);
                free(gone->path);
                free(gone);
                break;
            }
        }
    }
    return 0;
}
