/*
 * sort.h - an external merge sort: rows in, the same rows out in order,
 * in a bounded amount of memory, however many rows there are.
 *
 * ORDER BY, DISTINCT, GROUP BY and the set operations pass their rows
 * through a Sorter:
 *
 *   sorter_open -> sorter_add ... -> sorter_sort -> sorter_next ...
 *               -> sorter_close
 *
 * The order is stable: rows that the comparison finds equal come out in
 * the order they went in. So ORDER BY a, then b is the same as a stable
 * sort by b, then by a, and equal keys keep the order of the scan.
 *
 * Rows are kept in memory while they fit in the budget; beyond it they
 * go to temporary files in $TMPDIR (/tmp if it is unset), which have no
 * name from the moment they are made: nothing is left behind on any exit
 * path, an error, a crash or kill -9 included. When every row fits, no
 * file is made at all.
 */
#ifndef SORT_H
#define SORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "status.h"

/* The smallest memory budget a sorter takes. */
#define SORT_MIN_MEMORY (16u * 1024)

typedef struct Sorter Sorter;

/* Orders two rows of the sorter's N values each: < 0 when A comes first,
 * 0 when they are equal, > 0 when B comes first. It must be a total
 * order (if A < B and B < C then A < C; equal is transitive), can't
 * fail, and must not keep A or B: they are good only during the call. */
typedef int (*SortCompare)(void *ctx, const Value *a, const Value *b);

/* What a sort did, for the shell's \sorts and the tests. */
typedef struct SortStats {
    size_t budget;          /* the memory budget it was given */
    uint32_t fan_in;        /* the most runs one merge takes */
    uint64_t rows;          /* rows added */
    uint64_t runs;          /* sorted runs written from memory (0: the
                             * rows fitted, and no file was made) */
    uint64_t merges;        /* merges that wrote a run of their own */
    uint32_t last_merge;    /* runs the merge that feeds sorter_next
                             * takes (0: none, the rows fitted) */
    uint64_t bytes_spilled; /* bytes written to temporary files, by every
                             * merge too */
    uint32_t merge_passes;  /* merges the most merged row went through,
                             * the one that feeds sorter_next included
                             * (0: no runs) */
    size_t peak_memory;     /* the most the sorter held at once, in bytes */
} SortStats;

/* Makes a sorter for rows of N_VALUES values (at least one), ordered by
 * CMP, which gets CTX as its first argument. MEMORY_BUDGET bounds the
 * bytes the sorter holds: rows, their texts, the pointers that sort
 * them, the buffers of the merges, its own bookkeeping. Long rows still
 * sort, past the budget by their size: a row that does not fit in it
 * even alone is held alone, and a merge holds each run's current row
 * whole, so a row longer than a merge buffer (budget / 32, at most
 * 64 KiB) costs its size on top while it is current (see sort.c).
 * DB_ERANGE: MEMORY_BUDGET is below SORT_MIN_MEMORY, or too small for
 * two merge buffers of such rows. DB_ENOMEM: out of memory.
 * On failure *out is NULL. */
DbStatus sorter_open(uint32_t n_values, SortCompare cmp, void *ctx,
                     size_t memory_budget, Sorter **out);

/* Copies ROW (N_VALUES values, texts included) into the sorter: the
 * caller may reuse ROW's memory as soon as this returns. When the budget
 * is full, the rows held are sorted and written out as a run first, and
 * runs may be merged.
 * DB_EIO: a temporary file could not be made, written or read back (the
 * reason is recorded). DB_ENOMEM: out of memory. DB_ECORRUPT: a run read
 * back is not what was written.
 * After a failure the sorter holds no rows and no file any more; the
 * only calls left are sorter_stats and sorter_close. */
DbStatus sorter_add(Sorter *s, const Value *row);

/* Ends the input and gets the rows ready for sorter_next: sorts them in
 * memory, or writes the last run and merges runs until few enough are
 * left to merge in one pass while they are read.
 * The statuses, and the state after a failure, are sorter_add's. */
DbStatus sorter_sort(Sorter *s);

/* The next row in order: *row points at its N_VALUES values, whose texts
 * belong to the sorter and stay good until the next call of sorter_next
 * or sorter_close. After the last row, *done is true and *row NULL, and
 * the sorter has given back its memory and files.
 * The statuses, and the state after a failure, are sorter_add's. */
DbStatus sorter_next(Sorter *s, const Value **row, bool *done);

/* What the sorter has done so far. Can't fail. */
void sorter_stats(const Sorter *s, SortStats *out);

/* Frees the sorter's memory and closes its temporary files, which takes
 * their disk space back. At any point, after a failure too; S may be
 * NULL. Can't fail. */
void sorter_close(Sorter *s);

#endif
