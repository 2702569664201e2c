/* attache: libFuzzer target for the folder metadata file (lib/sidecar.c):
 * the input is a whole attache-meta.jsonl parsed by att_sidecar_parse; the
 * fields a few file names get are checked and applied to a document. */
#include "fuzz.h"
#include "sidecar.h"

static void on_bad(void *ud, long line, const char *why)
{
    long *last = ud;

    FUZZ_CHECK(line > *last && why != NULL && *why != '\0');
    *last = line;
}

/* What a rule promises: a name without '/', fields of good names with
 * non-empty valid UTF-8 values. */
static void check_rule(const struct att_sidecar_rule *r)
{
    FUZZ_CHECK(r->file == NULL || (*r->file != '\0' && strchr(r->file, '/') == NULL));
    FUZZ_CHECK(r->n <= ATT_SIDECAR_MAX_SET);
    for (size_t i = 0; i < r->n; i++) {
        size_t n = strlen(r->v[i].name);

        FUZZ_CHECK(n > 0 && n <= ATT_SIDECAR_NAME_MAX);
        FUZZ_CHECK(strspn(r->v[i].name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n);
        FUZZ_CHECK(*r->v[i].value != '\0');
        FUZZ_CHECK(att_utf8_valid(r->v[i].value, strlen(r->v[i].value)));
    }
}

/* The fields the file called name gets, sorted, applied to an empty
 * document (all of them take) and to one that has them all. */
static void check_file(const struct att_sidecar *sc, const char *name)
{
    struct att_sidecar_set set;
    struct att_doc d;
    uint64_t h = 0;
    unsigned n = 0;
    char hash[17];

    att_sidecar_match(sc, name, &set);
    for (size_t i = 1; i < set.n; i++)
        FUZZ_CHECK(strcmp(set.name[i - 1], set.name[i]) < 0);
    att_sidecar_hash(&set, hash);
    FUZZ_CHECK(strlen(hash) == (set.n > 0 ? 16 : 0));
    att_doc_init(&d);
    FUZZ_CHECK(att_sidecar_apply(&set, &d, &h, &n) == ATT_OK);
    FUZZ_CHECK(n <= set.n);
    FUZZ_CHECK(d.date == NULL || strlen(d.date) == 4 || strlen(d.date) == 7 ||
               strlen(d.date) == 10);
    FUZZ_CHECK(d.language == NULL || strlen(d.language) == 2);
    n = 0;
    FUZZ_CHECK(att_sidecar_apply(&set, &d, &h, &n) == ATT_OK);
    FUZZ_CHECK(n == 0); /* nothing is missing any more */
    att_doc_clear(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"a.txt", "1862_abraham_lincoln_r.txt", "[x].md",
                                        "*", ""};
    struct att_sidecar sc = {0};
    struct att_err err = {0, ""};
    long last = 0;
    int rc = att_sidecar_parse((const char *)data, size, &sc, on_bad, &last, &err);

    FUZZ_CHECK(rc == ATT_OK);
    FUZZ_CHECK(sc.nnamed + sc.nwide == sc.n);
    for (size_t i = 0; i < sc.n; i++)
        check_rule(&sc.rules[i]);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        check_file(&sc, names[i]);
    for (size_t i = 0; i < sc.n && i < 8; i++) /* each rule's own name */
        if (sc.rules[i].file != NULL)
            check_file(&sc, sc.rules[i].file);
    att_sidecar_free(&sc);
    return 0;
}
