/*
 * os.c - POSIX file I/O for the database, and the faults tests inject.
 *
 * Owns: file descriptors, retrying interrupted and short system calls,
 * and the fault modes of STRATA_FAULT (described in os.h).
 * Does not: know about pages or formats (the pager and the log do).
 *
 * Normally every call goes straight to the operating system. In crash
 * mode each file's writes wait in memory, in order, until os_sync applies
 * them; the names of new files, and renames, wait for os_sync_dir. At the
 * crash point every waiting rename is kept or undone, newest first, every
 * waiting write is kept, dropped or torn (some of its 512-byte sectors
 * arrive, in no particular order), as the seed decides, and every waiting
 * name is removed, before the process exits: what reaches the disk is
 * what a power cut could have left there.
 * This is the model SQLite's crash tests use.
 */
#define _DEFAULT_SOURCE /* flock(2), which POSIX leaves out */

#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- the fault plan --------------------------------------------------- */

typedef enum PointKind {
    POINT_ANY, POINT_WRITE, POINT_SYNC, POINT_READ, POINT_INPUT
} PointKind;

static struct {
    bool parsed;
    bool set;              /* STRATA_FAULT is set: os_random follows seed */
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
    dev_t dev;             /* the file itself, whatever its name */
    ino_t ino;
    Pending *pending;
    size_t n_pending, cap_pending;
    bool name_unsynced;    /* created, and its directory not synced since */
    bool unlinked;         /* its name is gone, but not the open files */
    uint32_t n_open;       /* OsFiles that refer to it */
    struct FileState *next;
} FileState;

static FileState *file_states;

/* A rename that its directory has not been synced since (crash mode
 * only): a power cut may undo it, and then TO names what it named before
 * (kept open as old_fd, its waiting writes in old_state) and FROM the
 * renamed file again. */
typedef struct Renamed {
    char *from, *to;
    int old_fd;            /* -1: nothing had the name TO */
    FileState *old_state;  /* NULL: no writes of the old file wait */
    struct Renamed *next;  /* the one before: the list is newest first */
} Renamed;

static Renamed *renames;

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
                         : fault.kind == POINT_ANY   ? fault.points
                                                     : fault.reads));
        fclose(out);
    }
}

static void parse_fault(void)
{
    fault.parsed = true;
    const char *spec = getenv("STRATA_FAULT");
    if (spec == NULL || *spec == '\0')
        return;
    fault.set = true;
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
                         : strcmp(value, "input") == 0 ? POINT_INPUT
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

static FileState *state_named(const char *path)
{
    for (FileState *s = file_states; s != NULL; s = s->next)
        if (strcmp(s->path, path) == 0)
            return s;
    return NULL;
}

/* Renames R->to back to R->from and puts the old file back at R->to,
 * copied from old_fd, with its waiting writes still waiting. */
static void undo_rename(Renamed *r)
{
    FileState *moved = state_named(r->to);
    if (rename(r->to, r->from) != 0)
        return;
    if (moved != NULL) {
        free(moved->path);
        moved->path = r->from;
        r->from = NULL;
    }
    if (r->old_fd < 0)
        return;
    struct stat st;
    int fd = fstat(r->old_fd, &st) != 0 ? -1
             : open(r->to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                    st.st_mode & 07777);
    if (fd < 0)
        return;
    char buf[4096];
    ssize_t got;
    for (off_t at = 0; (got = pread(r->old_fd, buf, sizeof buf, at)) > 0;
         at += got)
        apply(fd, &(Pending){(uint64_t)at, (size_t)got, (uint8_t *)buf}, 0,
              (size_t)got);
    close(fd);
    if (r->old_state != NULL) {
        r->old_state->next = file_states;
        file_states = r->old_state;
        r->old_state = NULL;
    }
}

/* The power goes out: decide the fate of every waiting rename, write and
 * name. */
static void crash_now(void)
{
    for (Renamed *r = renames; r != NULL; r = r->next) {
        if (next_random() % 2 == 0) {
            undo_rename(r);
        } else {
            /* A rename on the disk holds the name it gave. */
            FileState *moved = state_named(r->to);
            if (moved != NULL)
                moved->name_unsynced = false;
        }
    }
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
    /* A read is a point only when its kind is counted, so that the
     * points of every other count stay where they are. */
    bool is_read = kind == POINT_READ || kind == POINT_INPUT;
    if (is_read && fault.kind != kind)
        return 0;
    fault.points++;
    uint64_t of_kind = kind == POINT_WRITE  ? ++fault.writes
                       : kind == POINT_SYNC ? ++fault.syncs
                       : is_read            ? ++fault.reads
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

/* The state of the file open as FD under the name PATH. */
static FileState *state_for(const char *path, int fd)
{
    FileState *s = state_named(path);
    if (s != NULL)
        return s;
    struct stat st;
    if (fstat(fd, &st) != 0 || (s = calloc(1, sizeof *s)) == NULL)
        return NULL;
    if ((s->path = strdup(path)) == NULL) {
        free(s);
        return NULL;
    }
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    s->next = file_states;
    file_states = s;
    return s;
}

/* The link in the list to the state of the file ST describes, whatever
 * its name; the list's end if it has none. */
static FileState **state_link(const struct stat *st)
{
    FileState **p = &file_states;
    while (*p != NULL && ((*p)->dev != st->st_dev || (*p)->ino != st->st_ino))
        p = &(*p)->next;
    return p;
}

static void drop_pending(FileState *s)
{
    for (size_t i = 0; i < s->n_pending; i++)
        free(s->pending[i].data);
    s->n_pending = 0;
}

static void free_state(FileState *s)
{
    drop_pending(s);
    free(s->pending);
    free(s->path);
    free(s);
}

/* S has lost its name: freed, unless files still open use it, which
 * then keep it without a name until the last of them is closed. */
static void forget_state(FileState *s)
{
    if (s->n_open == 0)
        free_state(s);
    else
        s->unlinked = true;
}

/* The state whose waiting writes F's reads and writes go through; NULL
 * when they go straight to the file: outside crash mode, and once the
 * file has no name, which a crash cannot leave anything of (its waiting
 * writes are applied then, so that its open files still read them). */
static FileState *waiting(OsFile *f)
{
    FileState *s = f->state;
    if (s == NULL || !s->unlinked)
        return s;
    for (size_t i = 0; i < s->n_pending; i++)
        apply(f->fd, &s->pending[i], 0, s->pending[i].len);
    drop_pending(s);
    return NULL;
}

static void free_renamed(Renamed *r)
{
    if (r->old_fd >= 0)
        close(r->old_fd);
    if (r->old_state != NULL)
        forget_state(r->old_state);
    free(r->from);
    free(r->to);
    free(r);
}

/* Opens PATH with FLAGS (plus O_RDWR) and refuses anything but a regular
 * file: O_NONBLOCK, so that opening a FIFO cannot hang, O_NOCTTY, so that
 * opening a terminal cannot make it ours. */
static int open_regular(const char *path, int flags, int *fd)
{
    *fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | flags,
               0644);
    if (*fd < 0)
        return errno;
    struct stat st;
    int err = fstat(*fd, &st) != 0 ? errno : !S_ISREG(st.st_mode) ? EINVAL
                                                                   : 0;
    if (err == 0 && fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) & ~O_NONBLOCK)
                        != 0)
        err = errno;
    if (err != 0) {
        close(*fd);
        *fd = -1;
    }
    return err;
}

/* --- the file operations ---------------------------------------------- */

int os_open(const char *path, OsFile **out)
{
    *out = NULL;
    OsFile *f = calloc(1, sizeof *f);
    if (f == NULL)
        return ENOMEM;
    bool created = true;
    int err = open_regular(path, O_CREAT | O_EXCL, &f->fd);
    if (err == EEXIST) {
        created = false;
        err = open_regular(path, 0, &f->fd);
    }
    if (err != 0) {
        free(f);
        return err;
    }
    if (crash_mode()) {
        f->state = state_for(path, f->fd);
        if (f->state == NULL) {
            close(f->fd);
            free(f);
            return ENOMEM;
        }
        if (created)
            f->state->name_unsynced = true;
        f->state->n_open++;
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
    int err = open_regular(path, 0, &f->fd);
    if (err != 0) {
        free(f);
        return err;
    }
    if (crash_mode() && (f->state = state_for(path, f->fd)) == NULL) {
        close(f->fd);
        free(f);
        return ENOMEM;
    }
    if (f->state != NULL)
        f->state->n_open++;
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
    if (flock(f->fd, LOCK_EX | LOCK_NB) == 0)
        return 0;
    return errno == EWOULDBLOCK ? EAGAIN : errno;
}

int os_same_file(OsFile *f, OsFile *g, bool *same)
{
    struct stat mine, theirs;
    *same = false;
    if (fstat(f->fd, &mine) != 0 || fstat(g->fd, &theirs) != 0)
        return errno;
    *same = mine.st_dev == theirs.st_dev && mine.st_ino == theirs.st_ino;
    return 0;
}

int os_named(OsFile *f, const char *path, bool *named)
{
    struct stat mine, theirs;
    *named = false;
    if (fstat(f->fd, &mine) != 0)
        return errno;
    if (mine.st_nlink == 0)
        return 0;
    if (stat(path, &theirs) != 0)
        return errno == ENOENT ? 0 : errno;
    *named = mine.st_dev == theirs.st_dev && mine.st_ino == theirs.st_ino;
    return 0;
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
    FileState *s = waiting(f);
    int err = real_size(f, size);
    if (err != 0 || s == NULL)
        return err;
    for (size_t i = 0; i < s->n_pending; i++) {
        const Pending *w = &s->pending[i];
        if (w->offset + w->len > *size)
            *size = w->offset + w->len;
    }
    return 0;
}

int os_read(OsFile *f, uint64_t offset, void *buf, size_t n, size_t *n_read)
{
    *n_read = 0;
    int err = io_point(POINT_READ);
    if (err != 0)
        return err;
    FileState *s = waiting(f);
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
    if (s == NULL || s->n_pending == 0)
        return 0;

    /* Crash mode: waiting writes cover what the disk has, in order. */
    uint64_t size;
    err = os_size(f, &size);
    if (err != 0)
        return err;
    size_t want = offset >= size ? 0
                  : size - offset < n ? (size_t)(size - offset) : n;
    memset((char *)buf + done, 0, want > done ? want - done : 0);
    for (size_t i = 0; i < s->n_pending; i++) {
        const Pending *w = &s->pending[i];
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
    int err = io_point(POINT_INPUT);
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
    FileState *s = waiting(f);
    if (s != NULL) {
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

/* Whether PATH's directory is the one DIR describes. */
static bool in_dir(const char *path, const struct stat *dir)
{
    char name[4096];
    struct stat st;
    dir_of(path, name, sizeof name);
    return stat(name, &st) == 0 && st.st_dev == dir->st_dev &&
           st.st_ino == dir->st_ino;
}

int os_resolve(const char *path, char **out)
{
    *out = NULL;
    char *name = strdup(path);
    for (int links = 0; name != NULL; links++) {
        struct stat st;
        if (lstat(name, &st) != 0 || !S_ISLNK(st.st_mode)) {
            *out = name;
            return 0;
        }
        char target[4096], dir[4096];
        ssize_t len = readlink(name, target, sizeof target - 1);
        if (len < 0 || links == 40) {
            int err = len < 0 ? errno : ELOOP;
            free(name);
            return err;
        }
        target[len] = '\0';
        /* A relative target is relative to the link's directory. */
        dir_of(name, dir, sizeof dir);
        free(name);
        name = malloc(strlen(dir) + len + 2);
        if (name != NULL && (target[0] == '/' || strcmp(dir, ".") == 0))
            strcpy(name, target);
        else if (name != NULL)
            sprintf(name, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, target);
    }
    return ENOMEM;
}

int os_random(void *buf, size_t n)
{
    if (!fault.parsed)
        parse_fault();
    if (fault.set) {
        /* A generator of its own, so the crash's fate stays the seed's. */
        static uint64_t state;
        static bool started;
        if (!started) {
            state = fault.seed ^ 0x9E3779B97F4A7C15ull;
            started = true;
        }
        for (size_t i = 0; i < n; i++) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            ((uint8_t *)buf)[i] = (uint8_t)(state >> 56);
        }
        return 0;
    }
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    size_t done = 0;
    while (done < n) {
        ssize_t got = read(fd, (uint8_t *)buf + done, n - done);
        if (got > 0) {
            done += (size_t)got;
        } else if (got == 0 || errno != EINTR) {
            int err = got == 0 ? EIO : errno;
            close(fd);
            return err;
        }
    }
    close(fd);
    return 0;
}

int os_sync_dir(const char *path)
{
    int err = io_point(POINT_SYNC);
    if (err != 0)
        return err;
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    if (crash_mode()) {
        struct stat here;
        if (stat(dir, &here) != 0)
            return errno;
        for (FileState *s = file_states; s != NULL; s = s->next)
            if (in_dir(s->path, &here))
                s->name_unsynced = false;
        for (Renamed **p = &renames; *p != NULL;) {
            Renamed *r = *p;
            if (in_dir(r->to, &here)) {
                *p = r->next;
                free_renamed(r);
            } else {
                p = &r->next;
            }
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
     * lost, closed or not; unless its name is gone too. */
    FileState *s = f->state;
    if (s != NULL && --s->n_open == 0 && s->unlinked)
        free_state(s);
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
                forget_state(gone);
                break;
            }
        }
    }
    return 0;
}

/* os_rename in crash mode: also keeps what a power cut before the next
 * os_sync_dir needs to undo it. */
static int crash_rename(const char *from, const char *to)
{
    Renamed *r = calloc(1, sizeof *r);
    char *new_path = strdup(to);
    if (r != NULL)
        r->old_fd = -1;
    if (r == NULL || new_path == NULL || (r->from = strdup(from)) == NULL ||
        (r->to = strdup(to)) == NULL) {
        if (r != NULL)
            free_renamed(r);
        free(new_path);
        return ENOMEM;
    }
    r->old_fd = open(to, O_RDONLY | O_CLOEXEC);
    if (rename(from, to) != 0) {
        int err = errno;
        free_renamed(r);
        free(new_path);
        return err;
    }
    /* The old file's waiting writes wait with the rename; the renamed
     * file's state takes its new name. */
    struct stat st;
    FileState **link;
    if (r->old_fd >= 0 && fstat(r->old_fd, &st) == 0 &&
        *(link = state_link(&st)) != NULL) {
        r->old_state = *link;
        *link = r->old_state->next;
    }
    FileState *moved = stat(to, &st) == 0 ? *state_link(&st) : NULL;
    if (moved != NULL) {
        free(moved->path);
        moved->path = new_path;
    } else {
        free(new_path);
    }
    r->next = renames;
    renames = r;
    return 0;
}

int os_rename(const char *from, const char *to)
{
    int err = io_point(POINT_ANY);
    if (err != 0)
        return err;
    if (crash_mode())
        return crash_rename(from, to);
    return rename(from, to) == 0 ? 0 : errno;
}

int os_copy_mode(OsFile *from, OsFile *to)
{
    struct stat st;
    if (fstat(from->fd, &st) != 0)
        return errno;
    return fchmod(to->fd, st.st_mode & 07777) == 0 ? 0 : errno;
}
