/* attache: the table of open connections per client IP address
 * (ipcount.h): a hash map of counted entries, rebuilt when the slots
 * left behind by addresses that closed outnumber the live ones. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "ipcount.h"

struct entry {
    unsigned char addr[16];
    unsigned n;           /* connections open, at least 1 */
};

#define REBUILD_MIN 256   /* dead slots tolerated before a rebuild is worth it */

static uint64_t hash_of(const unsigned char *addr)
{
    return XXH3_64bits(addr, 16);
}

static bool is_addr(const void *val, const void *key)
{
    return memcmp(((const struct entry *)val)->addr, key, 16) == 0;
}

void att_ipcount_init(struct att_ipcount *t)
{
    memset(t, 0, sizeof *t);
    pthread_mutex_init(&t->mu, NULL);
}

void att_ipcount_destroy(struct att_ipcount *t)
{
    for (size_t i = 0; i < t->map.nslots; i++)
        free(t->map.slots[i].val);
    att_map_free(&t->map);
    pthread_mutex_destroy(&t->mu);
}

bool att_ipkey_of(const struct sockaddr *sa, struct att_ipkey *k)
{
    static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    memset(k, 0, sizeof *k);
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;

        memcpy(k->addr, v4mapped, 12);
        memcpy(k->addr + 12, &in->sin_addr, 4);
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        memcpy(k->addr, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
        return true;
    }
    return false;
}

/* A fresh map of the live entries alone (dead slots dropped); on failure
 * the old one stays, which is only slower. Caller holds t->mu. */
static void rebuild(struct att_ipcount *t)
{
    struct att_map fresh = {0};

    for (size_t i = 0; i < t->map.nslots; i++) {
        struct entry *e = t->map.slots[i].val;

        if (e != NULL && att_map_put(&fresh, t->map.slots[i].hash, e, is_addr, e->addr) != ATT_OK) {
            att_map_free(&fresh);
            return;
        }
    }
    att_map_free(&t->map);
    t->map = fresh;
    t->dead = 0;
}

int att_ipcount_take(struct att_ipcount *t, struct att_ipkey *k, unsigned max,
                     struct att_err *err)
{
    uint64_t h = hash_of(k->addr);
    struct entry *e;
    int rc = ATT_OK;

    k->counted = false;
    pthread_mutex_lock(&t->mu);
    e = att_map_get(&t->map, h, is_addr, k->addr);
    if (e != NULL && max > 0 && e->n >= max) {
        rc = att_err_set(err, ATT_E_TOOBIG, "%u connections from this address already", e->n);
    } else if (e != NULL) {
        e->n++;
    } else if ((e = calloc(1, sizeof *e)) == NULL) {
        rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    } else {
        memcpy(e->addr, k->addr, 16);
        e->n = 1;
        rc = att_map_put(&t->map, h, e, is_addr, k->addr);
        if (rc != ATT_OK) {
            free(e);
            att_err_set(err, rc, "out of memory");
        } else {
            t->live++;
        }
    }
    pthread_mutex_unlock(&t->mu);
    k->counted = rc == ATT_OK;
    return rc;
}

void att_ipcount_release(struct att_ipcount *t, struct att_ipkey *k)
{
    struct att_map_slot *s;

    if (!k->counted)
        return;
    k->counted = false;
    pthread_mutex_lock(&t->mu);
    s = att_map_find(&t->map, hash_of(k->addr), is_addr, k->addr);
    if (s != NULL && s->used && --((struct entry *)s->val)->n == 0) {
        free(s->val);
        s->val = NULL; /* the slot stays used: others may lie past it */
        t->live--;
        if (++t->dead >= REBUILD_MIN && t->dead > t->live)
            rebuild(t);
    }
    pthread_mutex_unlock(&t->mu);
}

unsigned att_ipcount_get(struct att_ipcount *t, const struct att_ipkey *k)
{
    struct entry *e;
    unsigned n;

    pthread_mutex_lock(&t->mu);
    e = att_map_get(&t->map, hash_of(k->addr), is_addr, k->addr);
    n = e != NULL ? e->n : 0;
    pthread_mutex_unlock(&t->mu);
    return n;
}

size_t att_ipcount_size(struct att_ipcount *t)
{
    size_t n;

    pthread_mutex_lock(&t->mu);
    n = t->live;
    pthread_mutex_unlock(&t->mu);
    return n;
}
