/*
 * sort.c - the external merge sort: rows sorted in memory while they fit
 * the budget, written out as sorted runs when they do not, and the runs
 * merged back into one order.
 *
 * Owns: the copies of the rows it is given, the runs and their format,
 * the temporary files, and the accounting of its memory budget.
 * Does not: know what a row means or how two rows compare (the caller's
 * SortCompare does), touch the database file, or reach the file system
 * except through os.h.
 *
 * Rows are copied into an arena of blocks as they come. When the next
 * row would not fit in the budget, the rows held are sorted and written
 * out, in order, as a run, and memory starts empty again. Runs form a
 * stack that counts like the digits of a number in base F, the fan-in
 * (as many runs as the budget has merge buffers for): a new run is of
 * level 0, and whenever the F runs on top are of one level, they are
 * merged into one run of the next. With F = 3:
 *
 *   rows in:  ..... ..... ..... ..... ..... ..... ..... ..... .....
 *               |     |     |     |     |     |     |     |     |
 *   level 0:  [run] [run] [run] [run] [run] [run] [run] [run] [run]
 *                \    |    /       \    |    /       \    |    /
 *   level 1:      [ run  ]          [ run  ]          [ run  ]
 *                        \_______________|_______________/
 *   level 2:                      [      run       ]
 *
 * A merge reads each of its runs through a buffer of its own and keeps
 * the runs in a binary heap by their next row, so it writes the least
 * row of all next, one row at a time. At sorter_sort the last rows
 * become a run, and while more than F runs are left, neighbours are
 * merged: as many as bring the count down to F (F at most), those with
 * the fewest bytes between them. The last merge, of F runs at most,
 * feeds sorter_next itself and writes nothing. When no run was ever
 * written, sorter_sort sorts the rows in memory and no file is made.
 *
 * The order is stable. The rows of memory are sorted with a merge sort,
 * which keeps equal rows in the order they came, and a merge combines
 * only runs that are neighbours on the stack (rows added one after
 * another, oldest run first) and, between equal rows, takes the older
 * run's.
 *
 * The states, and the calls that move between them:
 *
 *   sorter_open -> ADDING --sorter_sort--> IN_MEMORY  no run was written
 *                  |    ^                  MERGING    the last merge feeds
 *                  +----+ sorter_add                  sorter_next
 *                  (spill, merge)
 *
 *   a failure in any of them -> FAILED: memory and files given back at
 *                               once; only the statistics are left
 *
 * Temporary files. Each level writes its runs into a file of its own,
 * closed as soon as its runs have been merged into the next level, which
 * frees its disk space: so the disk holds at most about twice the rows,
 * and the sorter a few descriptors. A file gets a name in $TMPDIR (or
 * /tmp) from os_open, and loses it to os_unlink right after. That is
 * safe on POSIX: unlink removes a name, not the file, which lives on
 * while a descriptor refers to it, and pread and pwrite through that
 * descriptor work as before; the system frees the file when the last
 * descriptor closes, which exit, a crash and kill -9 all do. So a name
 * exists only between two calls, and nothing of a sort is ever left
 * behind. (After a power cut, the file system's recovery frees such
 * nameless files.)
 *
 * Memory. The sorter counts every byte it holds: the arena's blocks, 12
 * bytes for each row in memory (its pointer in the array that sorts it
 * and half a pointer of that sort's scratch, allocated at the sort but
 * counted from the row's arrival, so that the sort cannot overrun), the
 * run stack, the write buffer, and in a merge, each run's buffer,
 * decoded row and heap slot. Not counted: malloc's own headers. A row is
 * taken only if all of that still fits in the budget; if it does not,
 * the rows held are spilled first. Two kinds of row go past the budget:
 * a row that does not fit even with no other row held is taken alone
 * and written as a run of one row; and in a merge each run's current
 * row is held whole, so a row longer than a merge buffer grows that
 * run's buffer while it is current. A comparison needs the whole row:
 * SQLite's and PostgreSQL's sorters do the same.
 */
#include "sort.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "os.h"
#include "varint.h"

/* book: begin run-format */
/* A run: its rows one after another, no header and no padding, from its
 * offset in its level's file to its end (the run stack keeps both).
 * A row
 *   offset  size    field
 *        0  varint  L: the bytes of the values that follow
 *        .  L       the sorter's N values, each a type tag and its bytes:
 *                     tag 0  NULL     nothing more
 *                     tag 1  INTEGER  varint of the value, zigzagged
 *                     tag 2  REAL     8 bytes, IEEE 754, little-endian
 *                     tag 3  TEXT     varint length T, then the T bytes
 *                     tag 4  BOOLEAN  1 byte, 0 or 1
 *
 * Varints and zigzag are drawn in common/varint.h. Only the process that
 * wrote a run reads it, but it still checks every length and tag, as it
 * does any bytes from a file.
 */
/* book: end run-format */
enum { TAG_NULL, TAG_INTEGER, TAG_REAL, TAG_TEXT, TAG_BOOLEAN };

/* The bytes of a value's tag and what follows it, but a text's bytes. */
#define VALUE_HEAD_MAX (1 + VARINT_MAX)

/* A merge buffer, the write buffer and an arena block are this big: a
 * thirty-second of the budget, within these bounds. */
#define SORT_MIN_BUFFER (1u * 1024)
#define SORT_MAX_BUFFER (64u * 1024)

/* Levels with a file of their own; higher levels share the last. */
#define SORT_FILES 32

/* Names tried for a temporary file before giving up. */
#define SORT_NAME_TRIES 100

/* What a row in memory costs beyond its bytes in the arena. */
#define ROW_POINTERS (3 * sizeof(const Value *) / 2)

typedef enum SortState {
    SORT_ADDING,
    SORT_IN_MEMORY,
    SORT_MERGING,
    SORT_FAILED,
} SortState;

/* A block of the arena: rows, each its N values, then its texts' bytes,
 * then padding up to the alignment of a Value. */
typedef struct Block {
    struct Block *next;
    size_t size;           /* bytes of data */
    size_t used;
    _Alignas(Value) unsigned char data[];
} Block;

/* A sorted run on the stack. */
typedef struct Run {
    uint64_t offset;       /* in its level's file */
    uint64_t size;
    uint32_t level;        /* merges its most merged row went through */
} Run;

/* A level's temporary file. */
typedef struct TempFile {
    OsFile *file;          /* NULL: none open */
    uint64_t size;         /* where the next run starts */
    uint32_t n_runs;       /* runs in it not merged away yet */
} TempFile;

/* A merge's way through one run. */
typedef struct Cursor {
    OsFile *file;
    uint64_t next;         /* offset of the next byte to read */
    uint64_t end;          /* offset after the run */
    uint8_t *buf;          /* bytes read, c->pos .. c->len not used yet */
    size_t cap, len, pos;
    Value *row;            /* the current row; its texts point into buf */
    bool has_row;
} Cursor;

struct Sorter {
    uint32_t n_values;
    SortCompare cmp;
    void *ctx;
    SortState state;
    size_t budget;
    size_t buffer_size;
    uint32_t fan_in;
    size_t memory;         /* bytes held now, as counted above */
    SortStats stats;

    /* The rows in memory. */
    Block *first, *last;
    size_t n_rows;
    const Value **sorted;  /* while sorting: n_rows pointers, then
                            * n_rows / 2 of scratch */
    size_t next_row;       /* IN_MEMORY: the next for sorter_next */

    /* The runs. */
    Run *runs;             /* the stack, oldest first */
    uint32_t n_runs, cap_runs;
    TempFile files[SORT_FILES];
    uint32_t n_names;      /* temporary names made, to make the next */
    uint8_t *out;          /* the write buffer */
    size_t out_len;
    TempFile *out_file;    /* what the write buffer goes to */

    /* A merge. */
    Cursor *cursors;
    uint32_t n_cursors;
    uint32_t *heap;        /* cursors with a row, the least row first */
    uint32_t n_heap;
    bool top_taken;        /* MERGING: sorter_next returned the heap's top
                            * row, whose cursor moves on at the next call */
};

/* --- memory, counted ----------------------------------------------------- */

static void count(Sorter *s, size_t n)
{
    s->memory += n;
    if (s->memory > s->stats.peak_memory)
        s->stats.peak_memory = s->memory;
}

static void *mem_get(Sorter *s, size_t n)
{
    void *p = malloc(n);
    if (p != NULL)
        count(s, n);
    return p;
}

static void mem_put(Sorter *s, void *p, size_t n)
{
    if (p != NULL) {
        free(p);
        s->memory -= n;
    }
}

static DbStatus no_memory(void)
{
    return db_fail(DB_ENOMEM, "out of memory");
}

/* --- errors -------------------------------------------------------------- */

static DbStatus io_error(int err, const char *what)
{
    if (err == ENOMEM)
        return no_memory();
    return db_fail(DB_EIO, "%s a temporary file of the sort failed: %s",
                   what, strerror(err));
}

static DbStatus corrupt(const char *why)
{
    return db_fail(DB_ECORRUPT, "a temporary file of the sort is damaged: "
                   "%s", why);
}

/* --- encoding a row ------------------------------------------------------ */

static size_t value_size(const Value *v)
{
    switch (v->type) {
    case VALUE_NULL:
        return 1;
    case VALUE_INTEGER:
        return 1 + varint_size(zigzag(v->i));
    case VALUE_REAL:
        return 1 + 8;
    case VALUE_TEXT:
        return 1 + varint_size(v->text.n) + v->text.n;
    case VALUE_BOOLEAN:
        return 1 + 1;
    }
    assert(!"a value of no known type");
    return 0;
}

/* Writes V's tag and bytes, but a text's bytes themselves, into OUT
 * (VALUE_HEAD_MAX bytes at most); returns how many. */
static size_t put_value_head(const Value *v, uint8_t *out)
{
    uint64_t bits;
    switch (v->type) {
    case VALUE_NULL:
        out[0] = TAG_NULL;
        return 1;
    case VALUE_INTEGER:
        out[0] = TAG_INTEGER;
        return 1 + varint_put(out + 1, zigzag(v->i));
    case VALUE_REAL:
        out[0] = TAG_REAL;
        memcpy(&bits, &v->r, 8);
        put_u64(out + 1, bits);
        return 1 + 8;
    case VALUE_TEXT:
        out[0] = TAG_TEXT;
        return 1 + varint_put(out + 1, v->text.n);
    case VALUE_BOOLEAN:
        out[0] = TAG_BOOLEAN;
        out[1] = v->b ? 1 : 0;
        return 1 + 1;
    }
    assert(!"a value of no known type");
    return 0;
}

/* Reads the N values of the row of LEN bytes at P into OUT; texts point
 * into P. DB_ECORRUPT: the bytes are not such a row. */
static DbStatus decode_row(const Sorter *s, const uint8_t *p, size_t len,
                           Value *out)
{
    size_t at = 0;
    for (uint32_t i = 0; i < s->n_values; i++) {
        Value *v = &out[i];
        uint64_t u;
        size_t n;
        if (at == len)
            return corrupt("a row has fewer values than it should");
        switch (p[at++]) {
        case TAG_NULL:
            v->type = VALUE_NULL;
            break;
        case TAG_INTEGER:
            if ((n = varint_get(p + at, len - at, &u)) == 0)
                return corrupt("an integer runs past its row");
            v->type = VALUE_INTEGER;
            v->i = unzigzag(u);
            at += n;
            break;
        case TAG_REAL:
            if (len - at < 8)
                return corrupt("a real runs past its row");
            u = get_u64(p + at);
            v->type = VALUE_REAL;
            memcpy(&v->r, &u, 8);
            at += 8;
            break;
        case TAG_TEXT:
            if ((n = varint_get(p + at, len - at, &u)) == 0 ||
                u > len - at - n || u > UINT32_MAX)
                return corrupt("a text runs past its row");
            at += n;
            v->type = VALUE_TEXT;
            v->text.s = (const char *)p + at;
            v->text.n = (uint32_t)u;
            at += (size_t)u;
            break;
        case TAG_BOOLEAN:
            if (at == len || p[at] > 1)
                return corrupt("a boolean is neither 0 nor 1");
            v->type = VALUE_BOOLEAN;
            v->b = p[at++] == 1;
            break;
        default:
            return corrupt("a value has an unknown type tag");
        }
    }
    if (at != len)
        return corrupt("a row has bytes left over after its values");
    return DB_OK;
}

/* --- temporary files ----------------------------------------------------- */

/* Makes a new temporary file in $TMPDIR (or /tmp) and removes its name
 * at once. Its name is new: a file that has it already is left alone,
 * since os_open would open it. */
static DbStatus temp_create(Sorter *s, OsFile **out)
{
    *out = NULL;
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || *dir == '\0')
        dir = "/tmp";
    char path[4096];
    OsFile *f;
    for (int tries = 0;; tries++) {
        int len = snprintf(path, sizeof path, "%s/strata-sort-%ld-%" PRIxPTR
                           "-%" PRIu32, dir, (long)getpid(), (uintptr_t)s,
                           s->n_names++);
        if (len < 0 || (size_t)len >= sizeof path)
            return db_fail(DB_EIO, "cannot make a temporary file in %s: "
                           "the name is too long", dir);
        if (os_open_existing(path, &f) != 0)
            break;
        os_close(f);
        if (tries == SORT_NAME_TRIES)
            return db_fail(DB_EIO, "cannot make a temporary file in %s: "
                           "the names are taken", dir);
    }
    int err = os_open(path, &f);
    if (err != 0)
        return err == ENOMEM ? no_memory()
                             : db_fail(DB_EIO, "cannot make a temporary "
                                       "file in %s: %s", dir, strerror(err));
    err = os_unlink(path);
    if (err != 0) {
        /* The name must not outlive the error: try once more. */
        os_close(f);
        int again = os_unlink(path);
        return db_fail(DB_EIO, "cannot remove the temporary file %s: %s%s",
                       path, strerror(err), again == 0 ? "" : " (it is left)");
    }
    *out = f;
    return DB_OK;
}

static TempFile *file_of(Sorter *s, uint32_t level)
{
    return &s->files[level < SORT_FILES ? level : SORT_FILES - 1];
}

/* --- writing a run ------------------------------------------------------- */

static DbStatus out_write(Sorter *s, const void *bytes, size_t n)
{
    TempFile *f = s->out_file;
    int err = os_write(f->file, f->size, bytes, n);
    if (err != 0)
        return io_error(err, "writing");
    f->size += n;
    s->stats.bytes_spilled += n;
    return DB_OK;
}

static DbStatus out_flush(Sorter *s)
{
    if (s->out_len == 0)
        return DB_OK;
    DbStatus rc = out_write(s, s->out, s->out_len);
    s->out_len = 0;
    return rc;
}

/* Appends N bytes to the run being written; bytes too many for the
 * buffer go to the file directly. */
static DbStatus put(Sorter *s, const void *bytes, size_t n)
{
    if (n <= s->buffer_size - s->out_len) {
        if (n > 0)
            memcpy(s->out + s->out_len, bytes, n);
        s->out_len += n;
        return DB_OK;
    }
    DbStatus rc = out_flush(s);
    if (rc != DB_OK)
        return rc;
    if (n < s->buffer_size)
        return put(s, bytes, n);
    return out_write(s, bytes, n);
}

static DbStatus put_row(Sorter *s, const Value *row)
{
    uint8_t head[VALUE_HEAD_MAX];
    uint64_t body = 0;
    for (uint32_t i = 0; i < s->n_values; i++)
        body += value_size(&row[i]);
    DbStatus rc = put(s, head, varint_put(head, body));
    for (uint32_t i = 0; i < s->n_values && rc == DB_OK; i++) {
        rc = put(s, head, put_value_head(&row[i], head));
        if (rc == DB_OK && row[i].type == VALUE_TEXT)
            rc = put(s, row[i].text.s, row[i].text.n);
    }
    return rc;
}

/* Starts RUN, of LEVEL, at the end of its level's file, which is made
 * if the level has none open. */
static DbStatus run_begin(Sorter *s, uint32_t level, Run *run)
{
    TempFile *f = file_of(s, level);
    if (f->file == NULL) {
        DbStatus rc = temp_create(s, &f->file);
        if (rc != DB_OK)
            return rc;
        f->size = 0;
    }
    s->out_file = f;
    s->out_len = 0;
    *run = (Run){.offset = f->size, .level = level};
    return DB_OK;
}

static DbStatus run_end(Sorter *s, Run *run)
{
    DbStatus rc = out_flush(s);
    if (rc != DB_OK)
        return rc;
    run->size = s->out_file->size - run->offset;
    s->out_file->n_runs++;
    return DB_OK;
}

/* --- the rows in memory -------------------------------------------------- */

/* The bytes ROW takes in the arena; false if they do not fit in a
 * size_t. */
static bool row_bytes(const Sorter *s, const Value *row, size_t *size)
{
    size_t align = _Alignof(Value), values = s->n_values * sizeof(Value);
    size_t text = 0;
    for (uint32_t i = 0; i < s->n_values; i++) {
        if (row[i].type != VALUE_TEXT)
            continue;
        if (row[i].text.n > SIZE_MAX - text)
            return false;
        text += row[i].text.n;
    }
    if (text > SIZE_MAX - values - align)
        return false;
    *size = values + (text + align - 1) / align * align;
    return true;
}

static size_t budget_left(const Sorter *s)
{
    return s->memory < s->budget ? s->budget - s->memory : 0;
}

static void free_rows(Sorter *s)
{
    while (s->first != NULL) {
        Block *b = s->first;
        s->first = b->next;
        mem_put(s, b, sizeof *b + b->size);
    }
    s->last = NULL;
    free(s->sorted); /* counted in ROW_POINTERS */
    s->sorted = NULL;
    s->memory -= s->n_rows * ROW_POINTERS;
    s->n_rows = 0;
}

/* A stable merge sort of the N rows at ROWS, with room for N / 2 of them
 * at TMP. */
static void merge_sort(Sorter *s, const Value **rows, const Value **tmp,
                       size_t n)
{
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            const Value *row = rows[i];
            size_t j = i;
            for (; j > 0 && s->cmp(s->ctx, rows[j - 1], row) > 0; j--)
                rows[j] = rows[j - 1];
            rows[j] = row;
        }
        return;
    }
    size_t half = n / 2;
    merge_sort(s, rows, tmp, half);
    merge_sort(s, rows + half, tmp, n - half);
    if (s->cmp(s->ctx, rows[half - 1], rows[half]) <= 0)
        return;
    /* Only the first half moves aside: the merged rows fill ROWS from
     * the front, never faster than the second half is read from it. */
    memcpy(tmp, rows, half * sizeof *rows);
    size_t i = 0, j = half, k = 0;
    while (i < half && j < n)
        rows[k++] = s->cmp(s->ctx, rows[j], tmp[i]) < 0 ? rows[j++]
                                                         : tmp[i++];
    while (i < half)
        rows[k++] = tmp[i++];
}

/* Puts the rows in memory into s->sorted, in order. */
static DbStatus sort_rows(Sorter *s)
{
    size_t n = s->n_rows;
    if (n == 0)
        return DB_OK;
    s->sorted = malloc((n + n / 2) * sizeof *s->sorted);
    if (s->sorted == NULL)
        return no_memory();
    size_t i = 0;
    for (const Block *b = s->first; b != NULL; b = b->next) {
        for (size_t at = 0, size; at < b->used; at += size) {
            const Value *row = (const Value *)(const void *)(b->data + at);
            s->sorted[i++] = row;
            row_bytes(s, row, &size);
        }
    }
    assert(i == n);
    merge_sort(s, s->sorted, s->sorted + n, n);
    return DB_OK;
}

/* --- merging runs -------------------------------------------------------- */

/* Whether cursor A's row comes before cursor B's: ties go to the older
 * run, which has the lower index. */
static bool before(const Sorter *s, uint32_t a, uint32_t b)
{
    int c = s->cmp(s->ctx, s->cursors[a].row, s->cursors[b].row);
    return c < 0 || (c == 0 && a < b);
}

static void sift_down(Sorter *s, uint32_t i)
{
    uint32_t *heap = s->heap, item = heap[i];
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= s->n_heap)
            break;
        if (child + 1 < s->n_heap && before(s, heap[child + 1], heap[child]))
            child++;
        if (!before(s, heap[child], item))
            break;
        heap[i] = heap[child];
        i = child;
    }
    heap[i] = item;
}

/* Makes the next NEED bytes of C's run readable at c->buf + c->pos,
 * growing its buffer for a row longer than it. */
static DbStatus cursor_fill(Sorter *s, Cursor *c, size_t need)
{
    size_t have = c->len - c->pos;
    if (have >= need)
        return DB_OK;
    if (need - have > c->end - c->next)
        return corrupt("a row runs past the end of its run");
    if (c->cap < need) {
        uint8_t *grown = mem_get(s, need);
        if (grown == NULL)
            return no_memory();
        memcpy(grown, c->buf + c->pos, have);
        mem_put(s, c->buf, c->cap);
        c->buf = grown;
        c->cap = need;
    } else {
        memmove(c->buf, c->buf + c->pos, have);
    }
    c->pos = 0;
    c->len = have;
    size_t want = c->cap - have, got;
    if (want > c->end - c->next)
        want = (size_t)(c->end - c->next);
    int err = os_read(c->file, c->next, c->buf + have, want, &got);
    if (err != 0)
        return io_error(err, "reading");
    if (got < want)
        return corrupt("it is shorter than what was written to it");
    c->next += got;
    c->len += got;
    return DB_OK;
}

/* Moves C to its run's next row, or sets c->has_row false at its end. */
static DbStatus cursor_next(Sorter *s, Cursor *c)
{
    size_t have = c->len - c->pos;
    if (c->cap > s->buffer_size && have <= s->buffer_size) {
        /* The long row is gone: give its memory back. */
        uint8_t *small = mem_get(s, s->buffer_size);
        if (small == NULL)
            return no_memory();
        memcpy(small, c->buf + c->pos, have);
        mem_put(s, c->buf, c->cap);
        c->buf = small;
        c->cap = s->buffer_size;
        c->pos = 0;
        c->len = have;
    }
    uint64_t left = have + (c->end - c->next);
    c->has_row = false;
    if (left == 0)
        return DB_OK;
    DbStatus rc = cursor_fill(s, c, left < VARINT_MAX ? (size_t)left
                                                      : VARINT_MAX);
    if (rc != DB_OK)
        return rc;
    uint64_t body;
    size_t head = varint_get(c->buf + c->pos, c->len - c->pos, &body);
    if (head == 0 || body > left - head || body > SIZE_MAX - head)
        return corrupt("a row runs past the end of its run");
    if ((rc = cursor_fill(s, c, head + (size_t)body)) != DB_OK ||
        (rc = decode_row(s, c->buf + c->pos + head, (size_t)body, c->row)) !=
            DB_OK)
        return rc;
    c->pos += head + (size_t)body;
    c->has_row = true;
    return DB_OK;
}

static void merge_close(Sorter *s)
{
    for (uint32_t i = 0; i < s->n_cursors; i++) {
        mem_put(s, s->cursors[i].buf, s->cursors[i].cap);
        mem_put(s, s->cursors[i].row, s->n_values * sizeof(Value));
    }
    mem_put(s, s->cursors, s->n_cursors * sizeof *s->cursors);
    mem_put(s, s->heap, s->n_cursors * sizeof *s->heap);
    s->cursors = NULL;
    s->heap = NULL;
    s->n_cursors = s->n_heap = 0;
}

/* Opens a merge of the K runs from the stack's FIRST on: a cursor on the
 * first row of each, in a heap. */
static DbStatus merge_open(Sorter *s, uint32_t first, uint32_t k)
{
    s->cursors = mem_get(s, k * sizeof *s->cursors);
    s->heap = mem_get(s, k * sizeof *s->heap);
    if (s->cursors == NULL || s->heap == NULL) {
        mem_put(s, s->cursors, k * sizeof *s->cursors);
        mem_put(s, s->heap, k * sizeof *s->heap);
        s->cursors = NULL;
        s->heap = NULL;
        return no_memory();
    }
    memset(s->cursors, 0, k * sizeof *s->cursors);
    s->n_cursors = k;
    s->n_heap = 0;
    for (uint32_t i = 0; i < k; i++) {
        const Run *run = &s->runs[first + i];
        Cursor *c = &s->cursors[i];
        c->file = file_of(s, run->level)->file;
        c->next = run->offset;
        c->end = run->offset + run->size;
        if ((c->buf = mem_get(s, s->buffer_size)) != NULL)
            c->cap = s->buffer_size;
        c->row = mem_get(s, s->n_values * sizeof(Value));
        if (c->buf == NULL || c->row == NULL)
            return no_memory(); /* merge_close frees what there is */
        DbStatus rc = cursor_next(s, c);
        if (rc != DB_OK)
            return rc;
        if (c->has_row)
            s->heap[s->n_heap++] = i;
    }
    for (uint32_t i = s->n_heap / 2; i-- > 0;)
        sift_down(s, i);
    return DB_OK;
}

/* Moves the cursor at the heap's top to its next row, and the heap to
 * the least row. */
static DbStatus merge_advance(Sorter *s)
{
    DbStatus rc = cursor_next(s, &s->cursors[s->heap[0]]);
    if (rc != DB_OK)
        return rc;
    if (!s->cursors[s->heap[0]].has_row)
        s->heap[0] = s->heap[--s->n_heap];
    if (s->n_heap > 0)
        sift_down(s, 0);
    return DB_OK;
}

static DbStatus runs_push(Sorter *s, const Run *run)
{
    if (s->n_runs == s->cap_runs) {
        uint32_t cap = s->cap_runs ? 2 * s->cap_runs : 16;
        Run *grown = mem_get(s, cap * sizeof *grown);
        if (grown == NULL)
            return no_memory();
        if (s->n_runs > 0)
            memcpy(grown, s->runs, s->n_runs * sizeof *grown);
        mem_put(s, s->runs, s->cap_runs * sizeof *s->runs);
        s->runs = grown;
        s->cap_runs = cap;
    }
    s->runs[s->n_runs++] = *run;
    return DB_OK;
}

/* Merges the K runs from the stack's FIRST on into one run, which takes
 * their place, and closes the files that no run needs any more. */
static DbStatus merge_runs(Sorter *s, uint32_t first, uint32_t k)
{
    uint32_t level = 0;
    for (uint32_t i = first; i < first + k; i++)
        level = s->runs[i].level > level ? s->runs[i].level : level;
    Run merged;
    DbStatus rc = merge_open(s, first, k);
    if (rc == DB_OK)
        rc = run_begin(s, level + 1, &merged);
    while (rc == DB_OK && s->n_heap > 0) {
        rc = put_row(s, s->cursors[s->heap[0]].row);
        if (rc == DB_OK)
            rc = merge_advance(s);
    }
    if (rc == DB_OK)
        rc = run_end(s, &merged);
    merge_close(s);
    if (rc != DB_OK)
        return rc;
    for (uint32_t i = first; i < first + k; i++) {
        TempFile *f = file_of(s, s->runs[i].level);
        if (--f->n_runs == 0) {
            /* Closing a file without a name can't lose anything. */
            os_close(f->file);
            *f = (TempFile){0};
        }
    }
    s->runs[first] = merged;
    memmove(&s->runs[first + 1], &s->runs[first + k],
            (s->n_runs - first - k) * sizeof *s->runs);
    s->n_runs -= k - 1;
    s->stats.merges++;
    return DB_OK;
}

/* Sorts the rows in memory, writes them out as a run of level 0, frees
 * them, and merges the runs on top of the stack while F of them are of
 * one level. */
static DbStatus spill(Sorter *s)
{
    Run run;
    DbStatus rc = sort_rows(s);
    if (rc == DB_OK)
        rc = run_begin(s, 0, &run);
    for (size_t i = 0; i < s->n_rows && rc == DB_OK; i++)
        rc = put_row(s, s->sorted[i]);
    if (rc == DB_OK)
        rc = run_end(s, &run);
    free_rows(s);
    if (rc == DB_OK)
        rc = runs_push(s, &run);
    if (rc != DB_OK)
        return rc;
    s->stats.runs++;
    uint32_t f = s->fan_in;
    while (rc == DB_OK && s->n_runs >= f &&
           s->runs[s->n_runs - f].level == s->runs[s->n_runs - 1].level)
        rc = merge_runs(s, s->n_runs - f, f);
    return rc;
}

/* --- the sorter ---------------------------------------------------------- */

/* Gives back everything but the sorter itself and its statistics. */
static void release(Sorter *s)
{
    merge_close(s);
    free_rows(s);
    for (int i = 0; i < SORT_FILES; i++) {
        if (s->files[i].file != NULL)
            os_close(s->files[i].file);
        s->files[i] = (TempFile){0};
    }
    mem_put(s, s->runs, s->cap_runs * sizeof *s->runs);
    s->runs = NULL;
    s->n_runs = s->cap_runs = 0;
    mem_put(s, s->out, s->buffer_size);
    s->out = NULL;
}

static DbStatus fail(Sorter *s, DbStatus rc)
{
    release(s);
    s->state = SORT_FAILED;
    return rc;
}

DbStatus sorter_open(uint32_t n_values, SortCompare cmp, void *ctx,
                     size_t memory_budget, Sorter **out)
{
    assert(n_values > 0 && cmp != NULL);
    *out = NULL;
    size_t buffer = memory_budget / 32;
    buffer = buffer < SORT_MIN_BUFFER   ? SORT_MIN_BUFFER
             : buffer > SORT_MAX_BUFFER ? SORT_MAX_BUFFER
                                        : buffer;
    /* What a merge needs for each run, and what it needs besides: the
     * sorter, the write buffer, and a sixteenth for the run stack. */
    size_t fixed = sizeof(Sorter) + buffer + memory_budget / 16;
    size_t per_run = buffer + sizeof(Cursor) + sizeof(uint32_t);
    if (n_values > (SIZE_MAX - per_run) / sizeof(Value))
        return db_fail(DB_ERANGE, "a sort of %" PRIu32 " values is too "
                       "wide", n_values);
    per_run += n_values * sizeof(Value);
    if (memory_budget < SORT_MIN_MEMORY)
        return db_fail(DB_ERANGE, "a sort memory budget of %zu bytes is "
                       "too small: the least is %u", memory_budget,
                       SORT_MIN_MEMORY);
    if (memory_budget < fixed || (memory_budget - fixed) / per_run < 2)
        return db_fail(DB_ERANGE, "a sort memory budget of %zu bytes is "
                       "too small for rows of %" PRIu32 " values",
                       memory_budget, n_values);
    size_t fan_in = (memory_budget - fixed) / per_run;
    Sorter *s = calloc(1, sizeof *s);
    if (s == NULL)
        return no_memory();
    s->n_values = n_values;
    s->cmp = cmp;
    s->ctx = ctx;
    s->state = SORT_ADDING;
    s->budget = memory_budget;
    s->buffer_size = buffer;
    s->fan_in = fan_in < UINT32_MAX ? (uint32_t)fan_in : UINT32_MAX;
    s->stats.budget = memory_budget;
    s->stats.fan_in = s->fan_in;
    count(s, sizeof *s);
    if ((s->out = mem_get(s, buffer)) == NULL) {
        free(s);
        return no_memory();
    }
    *out = s;
    return DB_OK;
}

/* Finds SIZE bytes for a row in the arena, within the budget: in the
 * last block, in a new one, or, after the rows held are spilled, in an
 * empty arena; a row too big for the budget alone is let in past it. */
static DbStatus arena_reserve(Sorter *s, size_t size, unsigned char **at)
{
    Block *b = s->last;
    while (b == NULL || b->size - b->used < size ||
           budget_left(s) < ROW_POINTERS) {
        size_t left = budget_left(s), need = sizeof *b + size + ROW_POINTERS;
        if (left >= need || s->n_rows == 0) {
            /* A whole block if it fits; else what is left; else, alone,
             * just the row. */
            size_t data = size > s->buffer_size ? size : s->buffer_size;
            if (sizeof *b + data + ROW_POINTERS > left)
                data = left >= need ? left - sizeof *b - ROW_POINTERS : size;
            if ((b = mem_get(s, sizeof *b + data)) == NULL)
                return no_memory();
            *b = (Block){.size = data};
            if (s->last != NULL)
                s->last->next = b;
            else
                s->first = b;
            s->last = b;
            break;
        }
        DbStatus rc = spill(s);
        if (rc != DB_OK)
            return rc;
        b = s->last;
    }
    *at = b->data + b->used;
    b->used += size;
    count(s, ROW_POINTERS);
    return DB_OK;
}

DbStatus sorter_add(Sorter *s, const Value *row)
{
    assert(s->state == SORT_ADDING);
    size_t size;
    if (!row_bytes(s, row, &size))
        return fail(s, no_memory());
    unsigned char *at = NULL;
    DbStatus rc = arena_reserve(s, size, &at);
    if (rc != DB_OK)
        return fail(s, rc);
    Value *copy = (Value *)(void *)at;
    char *text = (char *)(at + s->n_values * sizeof(Value));
    for (uint32_t i = 0; i < s->n_values; i++) {
        assert(row[i].type >= VALUE_NULL && row[i].type <= VALUE_BOOLEAN);
        copy[i] = row[i];
        if (row[i].type == VALUE_TEXT) {
            if (row[i].text.n > 0)
                memcpy(text, row[i].text.s, row[i].text.n);
            copy[i].text.s = text;
            text += row[i].text.n;
        }
    }
    s->n_rows++;
    s->stats.rows++;
    return DB_OK;
}

DbStatus sorter_sort(Sorter *s)
{
    assert(s->state == SORT_ADDING);
    DbStatus rc;
    if (s->n_runs == 0) {
        if ((rc = sort_rows(s)) != DB_OK)
            return fail(s, rc);
        /* No more runs to write: the write buffer goes. */
        mem_put(s, s->out, s->buffer_size);
        s->out = NULL;
        s->state = SORT_IN_MEMORY;
        s->next_row = 0;
        return DB_OK;
    }
    if (s->n_rows > 0 && (rc = spill(s)) != DB_OK)
        return fail(s, rc);
    while (s->n_runs > s->fan_in) {
        /* Merge the neighbours with the fewest bytes: as many as leave F
         * runs, or F. */
        uint32_t k = s->n_runs - s->fan_in + 1, best = 0;
        k = k < s->fan_in ? k : s->fan_in;
        uint64_t bytes = 0, least = UINT64_MAX;
        for (uint32_t i = 0; i < s->n_runs; i++) {
            bytes += s->runs[i].size;
            if (i >= k)
                bytes -= s->runs[i - k].size;
            if (i + 1 >= k && bytes <= least) {
                least = bytes;
                best = i + 1 - k;
            }
        }
        if ((rc = merge_runs(s, best, k)) != DB_OK)
            return fail(s, rc);
    }
    mem_put(s, s->out, s->buffer_size);
    s->out = NULL;
    for (uint32_t i = 0; i < s->n_runs; i++)
        if (s->runs[i].level + 1 > s->stats.merge_passes)
            s->stats.merge_passes = s->runs[i].level + 1;
    s->stats.last_merge = s->n_runs;
    if ((rc = merge_open(s, 0, s->n_runs)) != DB_OK)
        return fail(s, rc);
    s->state = SORT_MERGING;
    s->top_taken = false;
    return DB_OK;
}

DbStatus sorter_next(Sorter *s, const Value **row, bool *done)
{
    *row = NULL;
    *done = false;
    if (s->state == SORT_IN_MEMORY) {
        if (s->next_row < s->n_rows) {
            *row = s->sorted[s->next_row++];
            return DB_OK;
        }
    } else {
        assert(s->state == SORT_MERGING);
        if (s->top_taken) {
            s->top_taken = false;
            DbStatus rc = merge_advance(s);
            if (rc != DB_OK)
                return fail(s, rc);
        }
        if (s->n_heap > 0) {
            *row = s->cursors[s->heap[0]].row;
            s->top_taken = true;
            return DB_OK;
        }
    }
    /* The end: no row is needed any more. */
    release(s);
    *done = true;
    return DB_OK;
}

void sorter_stats(const Sorter *s, SortStats *out)
{
    *out = s->stats;
}

void sorter_close(Sorter *s)
{
    if (s == NULL)
        return;
    release(s);
    free(s);
}
