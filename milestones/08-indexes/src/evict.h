/*
 * evict.h - how the buffer pool chooses which frame to give up: the one
 * interface every eviction policy implements.
 *
 * A policy sees frames by number (0 .. n_frames - 1), never pages. The
 * pool tells it each time a frame is used, and asks it for a victim among
 * the frames it may take: those that hold no pinned page and no change of
 * the running transaction. To add a policy, write the five functions in a
 * file of its own, like evict_lru.c, and name it in EVICT_POLICIES.
 */
#ifndef EVICT_H
#define EVICT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define EVICT_NONE UINT32_MAX

/* Whether the pool may take FRAME now. */
typedef bool (*EvictableFn)(void *ctx, uint32_t frame);

typedef struct EvictPolicy {
    const char *name;
    /* The policy's state for N_FRAMES frames; NULL if out of memory. */
    void *(*create)(uint32_t n_frames);
    void (*destroy)(void *state);
    /* FRAME was just used (pinned): it is the most recent use. */
    void (*touch)(void *state, uint32_t frame);
    /* A frame to reuse, among those EVICTABLE allows, or EVICT_NONE. */
    uint32_t (*victim)(void *state, EvictableFn evictable, void *ctx);
    /* Prints on one line, for .pool, what the policy knows of the
     * frames: "NAME: ...". */
    void (*print)(void *state, FILE *out);
} EvictPolicy;

extern const EvictPolicy evict_lru;
extern const EvictPolicy evict_clock;

/* Every policy, for --eviction NAME; the first is the default. */
#define EVICT_POLICIES {&evict_lru, &evict_clock}

#endif
