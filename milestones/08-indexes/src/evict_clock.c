/*
 * evict_clock.c - the clock (second chance) policy: a hand sweeps the
 * frames in a circle; a frame used since the hand last passed gets a
 * second chance, and the first one not used since is given up.
 *
 * Owns: one reference bit per frame and the hand.
 * Does not: know pages or pins (the pool's EvictableFn does).
 *
 * Clock approximates LRU with one bit per frame and no list to update on
 * every use, which is why PostgreSQL's buffer manager uses a variant.
 */
#include <stdlib.h>

#include "evict.h"

typedef struct Clock {
    uint32_t n_frames;
    uint32_t hand;
    bool *referenced;
} Clock;

static void *clock_create(uint32_t n_frames)
{
    Clock *clock = calloc(1, sizeof *clock);
    if (clock == NULL)
        return NULL;
    clock->n_frames = n_frames;
    clock->referenced = calloc(n_frames, sizeof *clock->referenced);
    if (clock->referenced == NULL) {
        free(clock);
        return NULL;
    }
    return clock;
}

static void clock_destroy(void *state)
{
    Clock *clock = state;
    free(clock->referenced);
    free(clock);
}

/* book: begin clock-victim */
static void clock_touch(void *state, uint32_t f)
{
    Clock *clock = state;
    clock->referenced[f] = true;
}

static uint32_t clock_victim(void *state, EvictableFn evictable, void *ctx)
{
    Clock *clock = state;
    /* Two turns are enough: the first clears every bit it passes. */
    for (uint32_t step = 0; step < 2 * clock->n_frames; step++) {
        uint32_t f = clock->hand;
        clock->hand = (clock->hand + 1) % clock->n_frames;
        if (!evictable(ctx, f))
            continue;
        if (clock->referenced[f]) {
            clock->referenced[f] = false; /* a second chance */
            continue;
        }
        return f;
    }
    return EVICT_NONE;
}
/* book: end clock-victim */

static void clock_print(void *state, FILE *out)
{
    Clock *clock = state;
    uint32_t n_set = 0;
    fprintf(out, "clock: hand at frame %u, referenced:", clock->hand);
    for (uint32_t f = 0; f < clock->n_frames; f++) {
        if (clock->referenced[f]) {
            fprintf(out, " %u", f);
            n_set++;
        }
    }
    fprintf(out, "%s\n", n_set == 0 ? " none" : "");
}

const EvictPolicy evict_clock = {
    .name = "clock",
    .create = clock_create,
    .destroy = clock_destroy,
    .touch = clock_touch,
    .victim = clock_victim,
    .print = clock_print,
};
