/* attache: the open-addressing hash table of hashmap.h. */
#include <stdlib.h>
#include <string.h>

#include "attache/attache.h"
#include "hashmap.h"

struct att_map_slot *att_map_find(const struct att_map *m, uint64_t h, att_map_is is,
                                  const void *key)
{
    size_t i;

    if (m->nslots == 0)
        return NULL;
    i = (size_t)(h ^ (h >> 32)) & (m->nslots - 1);
    while (m->slots[i].used && (m->slots[i].hash != h ||
                                (is != NULL && (m->slots[i].val == NULL ||
                                                !is(m->slots[i].val, key)))))
        i = (i + 1) & (m->nslots - 1);
    return &m->slots[i];
}

void *att_map_get(const struct att_map *m, uint64_t h, att_map_is is, const void *key)
{
    struct att_map_slot *s = att_map_find(m, h, is, key);

    return s != NULL && s->used ? s->val : NULL;
}

/* Twice the slots (1024 at first), every used one moved over. */
static int grow(struct att_map *m)
{
    size_t n = m->nslots ? m->nslots * 2 : 1024;
    struct att_map_slot *old = m->slots;
    size_t oldn = m->nslots;

    if (n > SIZE_MAX / sizeof *m->slots)
        return ATT_E_NOMEM;
    m->slots = calloc(n, sizeof *m->slots);
    if (m->slots == NULL) {
        m->slots = old;
        return ATT_E_NOMEM;
    }
    m->nslots = n;
    for (size_t i = 0; i < oldn; i++) {
        if (old[i].used) {
            size_t j = (size_t)(old[i].hash ^ (old[i].hash >> 32)) & (n - 1);

            while (m->slots[j].used)
                j = (j + 1) & (n - 1);
            m->slots[j] = old[i];
        }
    }
    free(old);
    return ATT_OK;
}

int att_map_put(struct att_map *m, uint64_t h, void *val, att_map_is is, const void *key)
{
    struct att_map_slot *s;

    if ((m->used + 1) * 2 > m->nslots && grow(m) != ATT_OK)
        return ATT_E_NOMEM;
    s = att_map_find(m, h, is, key);
    if (!s->used) {
        s->used = true;
        s->hash = h;
        m->used++;
    }
    s->val = val;
    return ATT_OK;
}

void att_map_free(struct att_map *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}
