/* attache: the daemon's ceiling on memory held for clients, as a pure
 * rule. Each worker checks it on a timer, seeing the total every worker
 * holds and what it holds itself, and acts on its own connections only:
 * this decides what it should do and for how many bytes. */
#ifndef ATT_MEMCAP_H
#define ATT_MEMCAP_H

#include <stddef.h>
#include <stdint.h>

enum att_memcap_act {
    ATT_MC_UNDER, /* at or under the ceiling: clients paused for memory may read again */
    ATT_MC_PAUSE, /* over: stop reading the heaviest clients, holding *share bytes */
    ATT_MC_CLOSE, /* over too long or too far: close the heaviest non-readers */
};

struct att_memcap_in {
    size_t cap;        /* the ceiling in bytes; 0: none */
    size_t total;      /* held for clients by every worker (not counting what
                          connections already closing still hold) */
    size_t mine;       /* of which this worker's connections hold */
    uint64_t now_us;   /* a monotonic clock */
    uint64_t grace_us; /* over the ceiling this long: close */
};

/* One worker's memory of the checks before (zero at first). */
struct att_memcap {
    uint64_t over_since_us; /* 0: under the ceiling at the last check */
    unsigned checks;        /* checks made, counting this one: numbers them */
};

/* What the worker should do now. Over the ceiling, *share is this
 * worker's part of the excess (total - cap), in proportion to what it
 * holds (mine / total), rounded up: the workers' shares add up to the
 * excess, so together they act on about as much as is needed. Close
 * when the total has been over the ceiling for grace_us or more, or
 * is over it by half the ceiling again; pause otherwise. *share is 0
 * for ATT_MC_UNDER. Pure: m is the only state. */
enum att_memcap_act att_memcap_decide(struct att_memcap *m, const struct att_memcap_in *in,
                                      size_t *share);

#endif
