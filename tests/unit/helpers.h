/* attache: small helpers shared by the unit tests (header only, each
 * function static inline): a clock for timing checks and a replayable
 * random generator; SLOW tells a sanitizer build. */
#ifndef ATT_TEST_HELPERS_H
#define ATT_TEST_HELPERS_H

#include <stdint.h>
#include <time.h>

#if defined(__SANITIZE_ADDRESS__)
#define SLOW 1 /* sanitizers: smaller inputs, fewer rounds, no timing */
#else
#define SLOW 0
#endif

/* Monotonic seconds. */
static inline double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A deterministic generator (xorshift32; *state not 0), so that a failure
 * can be replayed. */
static inline uint32_t rnd(uint32_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state;
}

#endif
