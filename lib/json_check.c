/* Checks of a parsed JSON request that cJSON does not make: how deep it
 * nests, and whether an object repeats a key. */
#include <stdlib.h>
#include <string.h>

#include "json_check.h"

/* Levels of arrays and objects (a plain value adds none). */
int att_json_depth(const cJSON *o)
{
    int d = 0;

    if (!cJSON_IsArray(o) && !cJSON_IsObject(o))
        return 0;
    for (const cJSON *c = o->child; c != NULL; c = c->next) {
        int k = att_json_depth(c);

        if (k > d)
            d = k;
    }
    return d + 1;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* The first key that appears twice in an object of o (at any depth), or
 * NULL. JSON leaves duplicates undefined: cJSON would take the first, a
 * Python client means the last, so neither is guessed. Keys are sorted,
 * not compared pairwise: an object of many keys costs n log n. */
const char *att_json_duplicate_key(const cJSON *o)
{
    const cJSON *stack[64], **keys = stack;
    const char *dup = NULL;
    size_t n = 0;

    if (!cJSON_IsArray(o) && !cJSON_IsObject(o))
        return NULL;
    for (const cJSON *c = o->child; c != NULL && dup == NULL; c = c->next) {
        dup = att_json_duplicate_key(c);
        n++;
    }
    if (dup != NULL || !cJSON_IsObject(o) || n < 2)
        return dup;
    if (n > sizeof stack / sizeof *stack && (keys = malloc(n * sizeof *keys)) == NULL)
        return o->child->string; /* out of memory: refuse rather than guess */
    n = 0;
    for (const cJSON *c = o->child; c != NULL; c = c->next)
        keys[n++] = c;
    qsort(keys, n, sizeof *keys, cmp_key);
    for (size_t i = 1; i < n && dup == NULL; i++) {
        if (strcmp(keys[i - 1]->string, keys[i]->string) == 0)
            dup = keys[i]->string;
    }
    if (keys != stack)
        free(keys);
    return dup;
}
