/* attache: libFuzzer target for the gazetteer of actors: the input is an
 * alias file loaded over a small gazetteer, whose dump must load into the
 * same gazetteer; then the input is searched as text and looked up. */
#include "actors.h"
#include "fuzz.h"

static const char base[] = "china\tChina\tChinese\tBeijing\tPRC\n"
                           "united-states\tUnited States\tUS\tU.S.\tAmerica\n"
                           "turkey\tT\xC3\xBCrkiye\tTurkiye\n"
                           "-\t\tLatin America\n";

static void ignore(void *ud, long line, const char *why)
{
    (void)ud;
    FUZZ_CHECK(line > 0 && why != NULL && *why != '\0');
}

static struct att_actors *load(const char *a, size_t alen, const char *b, size_t blen)
{
    struct att_actors *g = att_actors_new();
    struct att_err err = {0};

    FUZZ_CHECK(g != NULL);
    FUZZ_CHECK(att_actors_load(g, a, alen, ignore, NULL, &err) == ATT_OK);
    FUZZ_CHECK(att_actors_load(g, b, blen, ignore, NULL, &err) == ATT_OK);
    return g;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = fuzz_cstr(data, size), *d1, *d2;
    struct att_actors *g = load(base, sizeof base - 1, in, size), *h;
    struct att_actor_ids ids = {0};
    struct att_err err = {0};
    size_t n1, n2, first = strcspn(in, "\n");
    const char *id;

    d1 = att_actors_dump(g, &n1);
    FUZZ_CHECK(d1 != NULL);
    h = load(d1, n1, "", 0);
    d2 = att_actors_dump(h, &n2);
    FUZZ_CHECK(d2 != NULL && n1 == n2 && memcmp(d1, d2, n1) == 0); /* canonical */
    FUZZ_CHECK(att_actors_count(g) == att_actors_count(h));
    FUZZ_CHECK(att_actors_find(g, in, size, &ids, &err) == ATT_OK);
    for (size_t i = 0; i < ids.n; i++) {
        FUZZ_CHECK(att_actors_name(g, ids.v[i]) != NULL);
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(ids.v[i], ids.v[j]) != 0); /* distinct */
    }
    id = att_actors_lookup(g, in, first);
    FUZZ_CHECK(id == NULL || att_actors_name(g, id) != NULL);
    att_actor_ids_free(&ids);
    att_actors_free(g);
    att_actors_free(h);
    free(d1);
    free(d2);
    free(in);
    return 0;
}
