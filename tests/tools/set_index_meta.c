/* Test helper: set_index_meta DB KEY VALUE sets a metadata key in every
 * database of the attache index folder DB (its live generation, or each
 * shard's), through the shim, as a test's way to stamp an index. */
#include <stdio.h>
#include <string.h>

#include "attache/index.h"
#include "stub.h"

/* Set key to val in the live generation of the index folder dir. */
static int set_in(const char *dir, const char *key, const char *val, struct att_err *err)
{
    struct att_stub st;
    struct att_xwdb *w = NULL;
    int rc = att_stub_read(dir, &st, err);

    if (rc == ATT_OK && st.gen == 0)
        rc = att_err_set(err, ATT_E_OPENING, "%s: no live generation", dir);
    if (rc == ATT_OK)
        rc = att_xwdb_open(st.dbs[0], 0, &w, err);
    if (rc == ATT_OK)
        rc = att_xwdb_set_meta(w, key, strlen(key), val, strlen(val), err);
    if (rc == ATT_OK)
        rc = att_xwdb_commit(w, err);
    att_xwdb_close(w);
    att_stub_free(&st);
    return rc;
}

int main(int argc, char **argv)
{
    struct att_stub top;
    struct att_err err = {0};
    int rc;

    if (argc != 4) {
        fprintf(stderr, "usage: set_index_meta DB KEY VALUE\n");
        return 2;
    }
    rc = att_stub_read(argv[1], &top, &err);
    for (size_t k = 0; rc == ATT_OK && top.shards != 0 && k < top.n; k++)
        rc = set_in(top.dbs[k], argv[2], argv[3], &err);
    if (rc == ATT_OK && top.shards == 0)
        rc = set_in(argv[1], argv[2], argv[3], &err);
    att_stub_free(&top);
    if (rc != ATT_OK) {
        fprintf(stderr, "set_index_meta: %s\n", err.msg);
        return 1;
    }
    return 0;
}
