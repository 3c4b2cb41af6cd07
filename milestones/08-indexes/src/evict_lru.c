/*
 * evict_lru.c - least recently used: give up the frame whose page was
 * used longest ago.
 *
 * Owns: a list of frames from least to most recently used, doubly linked
 * through two arrays, so that moving a frame to the end costs O(1).
 * Does not: know pages or pins (the pool's EvictableFn does).
 */
#include <stdlib.h>

#include "evict.h"

typedef struct Lru {
    uint32_t n_frames;
    uint32_t oldest, newest;  /* EVICT_NONE while the list is empty */
    uint32_t *prev, *next;    /* neighbours; EVICT_NONE at the ends */
    bool *listed;
} Lru;

static void *lru_create(uint32_t n_frames)
{
    Lru *lru = calloc(1, sizeof *lru);
    if (lru == NULL)
        return NULL;
    lru->n_frames = n_frames;
    lru->oldest = lru->newest = EVICT_NONE;
    lru->prev = malloc(n_frames * sizeof *lru->prev);
    lru->next = malloc(n_frames * sizeof *lru->next);
    lru->listed = calloc(n_frames, sizeof *lru->listed);
    if (!lru->prev || !lru->next || !lru->listed) {
        free(lru->prev);
        free(lru->next);
        free(lru->listed);
        free(lru);
        return NULL;
    }
    return lru;
}

static void lru_destroy(void *state)
{
    Lru *lru = state;
    free(lru->prev);
    free(lru->next);
    free(lru->listed);
    free(lru);
}

static void unlink_frame(Lru *lru, uint32_t f)
{
    if (lru->prev[f] != EVICT_NONE)
        lru->next[lru->prev[f]] = lru->next[f];
    else
        lru->oldest = lru->next[f];
    if (lru->next[f] != EVICT_NONE)
        lru->prev[lru->next[f]] = lru->prev[f];
    else
        lru->newest = lru->prev[f];
}

/* book: begin lru-touch */
static void lru_touch(void *state, uint32_t f)
{
    Lru *lru = state;
    if (lru->listed[f])
        unlink_frame(lru, f);
    lru->listed[f] = true;
    lru->prev[f] = lru->newest;
    lru->next[f] = EVICT_NONE;
    if (lru->newest != EVICT_NONE)
        lru->next[lru->newest] = f;
    else
        lru->oldest = f;
    lru->newest = f;
}

static uint32_t lru_victim(void *state, EvictableFn evictable, void *ctx)
{
    Lru *lru = state;
    for (uint32_t f = lru->oldest; f != EVICT_NONE; f = lru->next[f])
        if (evictable(ctx, f))
            return f;
    return EVICT_NONE;
}
/* book: end lru-touch */

static void lru_print(void *state, FILE *out)
{
    Lru *lru = state;
    fprintf(out, "lru: least recent first:%s",
            lru->oldest == EVICT_NONE ? " none" : "");
    for (uint32_t f = lru->oldest; f != EVICT_NONE; f = lru->next[f])
        fprintf(out, " %u", f);
    fprintf(out, "\n");
}

const EvictPolicy evict_lru = {
    .name = "lru",
    .create = lru_create,
    .destroy = lru_destroy,
    .touch = lru_touch,
    .victim = lru_victim,
    .print = lru_print,
};
