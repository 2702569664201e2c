/* attache-index: how many changesets each commit keeps for replicas
 * (XAPIAN_MAX_CHANGESETS), given once with --changesets N and
 * remembered in the index's metadata. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "changesets.h"
#include "numparse.h"

/* The count the index in dir remembers, -1 when none (or no index). */
static long stored_count(const char *dir)
{
    struct att_xdb *db = NULL;
    char *v = NULL;
    long long n = -1;

    if (att_xdb_open(dir, &db, NULL) == ATT_OK &&
        att_xdb_get_meta(db, CHANGESETS_META, strlen(CHANGESETS_META), &v, NULL, NULL) ==
            ATT_OK && v != NULL && att_parse_int(v, 0, RUN_MAX_CHANGESETS, &n, NULL) != ATT_OK)
        n = -1;
    free(v);
    att_xdb_close(db);
    return (long)n;
}

long changesets_setup(const struct run_opts *o)
{
    long n = o->changesets_given ? (long)o->changesets : stored_count(o->db);
    const char *env = getenv("XAPIAN_MAX_CHANGESETS");
    char text[32];

    if (n < 0)
        return -1;
    snprintf(text, sizeof text, "%ld", n);
    if (o->changesets_given || env == NULL || *env == '\0') /* an empty one is unset */
        setenv("XAPIAN_MAX_CHANGESETS", text, 1);
    return n;
}

int changesets_remember(struct builder *b, long count, struct att_err *err)
{
    char want[32], *have = NULL;
    size_t hlen = 0;
    int rc;

    if (count < 0)
        return ATT_OK;
    snprintf(want, sizeof want, "%ld", count);
    rc = att_xwdb_get_meta(b->w, CHANGESETS_META, strlen(CHANGESETS_META), &have, &hlen, err);
    if (rc == ATT_OK && (have == NULL || hlen != strlen(want) || memcmp(have, want, hlen) != 0))
        rc = build_set_meta(b, CHANGESETS_META, want, strlen(want), err);
    free(have);
    return rc;
}
