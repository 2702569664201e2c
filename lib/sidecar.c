/* attache: attache-meta.jsonl, the metadata a folder gives its files:
 * each line a JSON object (cJSON) naming files and fields; the fields one
 * file gets; filling a document's missing metadata. No file access. */
#include <cjson/cJSON.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "attache/text.h"
#include "buf.h"
#include "doc_priv.h"
#include "sidecar.h"

#define WHY_MAX 200 /* bytes of a reason given for a skipped line */

/* Members that are not fields a sidecar may give: a document's identity
 * and text are its own. */
static const char *const reserved[] = {"id", "body", "text", "content"};

static const char *const named[] = {"title", "author", "date", "source", "url", "language"};

static bool is_named(const char *name)
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcmp(name, named[i]) == 0)
            return true;
    return false;
}

static bool good_name(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > ATT_SIDECAR_NAME_MAX)
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static void rule_free(struct att_sidecar_rule *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].name);
        free(r->v[i].value);
    }
    free(r->v);
    free(r->file);
    memset(r, 0, sizeof *r);
}

void att_sidecar_free(struct att_sidecar *sc)
{
    if (sc == NULL)
        return;
    for (size_t i = 0; i < sc->n; i++)
        rule_free(&sc->rules[i]);
    free(sc->rules);
    free(sc->named);
    free(sc->wide);
    memset(sc, 0, sizeof *sc);
}

/* "file": a name or a pattern, without '/'. */
static const char *take_file(struct att_sidecar_rule *r, const cJSON *it, int *rc)
{
    const char *s = cJSON_IsString(it) ? it->valuestring : NULL;

    if (s == NULL || *s == '\0' || strchr(s, '/') != NULL)
        return "\"file\" is not a file name or a pattern without '/'";
    free(r->file);
    r->file = strdup(s);
    if (r->file == NULL)
        *rc = ATT_E_NOMEM;
    r->glob = strpbrk(s, "*?[\\") != NULL;
    return NULL;
}

/* why (WHY_MAX bytes) filled from fmt: the reason a line is skipped. */
__attribute__((format(printf, 2, 3)))
static const char *say(char *why, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, WHY_MAX, fmt, ap);
    va_end(ap);
    return why;
}

/* A date or a language in the form attache stores; NULL, or why not. */
static const char *normalise(const char *name, char **val, char *why)
{
    char out[11];

    if (strcmp(name, "date") == 0 && !att_date_normalize(*val, strlen(*val), out))
        return say(why, "date '%.60s' not understood", *val);
    if (strcmp(name, "language") == 0 && !att_lang_normalize(*val, strlen(*val), out))
        return say(why, "language '%.60s' not understood", *val);
    if (strcmp(name, "date") == 0 || strcmp(name, "language") == 0)
        memcpy(*val, out, strlen(out) + 1); /* never longer than what it was made from */
    return NULL;
}

/* *val repaired when a \u escape of half a pair left it invalid UTF-8. */
static int valid_utf8(char **val)
{
    size_t n;
    char *fixed;

    if (att_utf8_valid(*val, strlen(*val)))
        return ATT_OK;
    fixed = att_utf8_repair(*val, strlen(*val), &n);
    if (fixed == NULL)
        return ATT_E_NOMEM;
    free(*val);
    *val = fixed;
    return ATT_OK;
}

/* The value of member it (named name) into *val (malloc'd); NULL, or why
 * the line is skipped. Numbers are taken for the date and further fields. */
static const char *take_value(const char *name, const cJSON *it, char **val, char *why,
                              int *rc)
{
    bool num_ok = strcmp(name, "date") == 0 || !is_named(name);

    *val = NULL;
    if (cJSON_IsString(it))
        *rc = att_doc_collapse(it->valuestring, strlen(it->valuestring), val);
    else if (cJSON_IsNumber(it) && num_ok)
        *val = att_doc_number_text(it->valuedouble);
    else
        return say(why, "the value of '%s' is not a string", name);
    if (*rc == ATT_OK && *val == NULL && !cJSON_IsString(it))
        *rc = ATT_E_NOMEM;
    if (*rc != ATT_OK)
        return NULL;
    if (*val == NULL)
        return say(why, "the value of '%s' is empty", name);
    *rc = valid_utf8(val);
    return *rc == ATT_OK ? normalise(name, val, why) : NULL;
}

/* Set name to val in r (consumes val), a later member of the same name
 * replacing an earlier one. */
static int rule_set(struct att_sidecar_rule *r, const char *name, char *val)
{
    char *n;

    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->v[i].name, name) == 0) {
            free(r->v[i].value);
            r->v[i].value = val;
            return ATT_OK;
        }
    }
    n = strdup(name);
    if (n == NULL || att_grow(&r->v, &r->cap, r->n + 1, sizeof *r->v, ATT_SIDECAR_MAX_SET) !=
                     ATT_OK) {
        free(n);
        free(val);
        return ATT_E_NOMEM;
    }
    r->v[r->n++] = (struct att_meta_pair){n, val};
    return ATT_OK;
}

/* One member of a line's object into r; NULL, or why the line is skipped
 * (*rc says when memory ran out). */
static const char *take_member(struct att_sidecar_rule *r, const cJSON *it, char *why, int *rc)
{
    const char *name = it->string;
    char *val = NULL;
    const char *bad;
    size_t further = 0;

    if (strcmp(name, "file") == 0)
        return take_file(r, it, rc);
    if (!good_name(name))
        return say(why, "field name '%.40s' is not 1 to 32 lower-case letters, digits, "
                   "'_' or '-'", name);
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        if (strcmp(name, reserved[i]) == 0)
            return say(why, "'%s' cannot be given here", name);
    }
    for (size_t i = 0; i < r->n; i++)
        further += !is_named(r->v[i].name) && strcmp(r->v[i].name, name) != 0;
    if (!is_named(name) && further >= ATT_MAX_FIELDS)
        return say(why, "more than %d further fields", ATT_MAX_FIELDS);
    bad = take_value(name, it, &val, why, rc);
    if (bad != NULL || *rc != ATT_OK) {
        free(val);
        return bad;
    }
    *rc = rule_set(r, name, val);
    return NULL;
}

static int push_rule(struct att_sidecar *sc, struct att_sidecar_rule *r)
{
    /* No ceiling of its own: the caller bounds the file's size. */
    if (att_grow(&sc->rules, &sc->cap, sc->n + 1, sizeof *sc->rules,
                 SIZE_MAX / sizeof *sc->rules) != ATT_OK)
        return ATT_E_NOMEM;
    sc->rules[sc->n++] = *r;
    memset(r, 0, sizeof *r);
    return ATT_OK;
}

/* The line s[0..n) (not blank, no comment) into a rule of sc, or told to
 * on_bad. Returns ATT_OK or ATT_E_NOMEM. */
static int parse_line(struct att_sidecar *sc, const char *s, size_t n, long line,
                      void (*on_bad)(void *, long, const char *), void *ud)
{
    struct att_sidecar_rule r = {0};
    const char *end = NULL, *why = NULL;
    char buf[WHY_MAX];
    int rc = ATT_OK;
    cJSON *o = cJSON_ParseWithLengthOpts(s, n, &end, false);

    if (o == NULL || (end != NULL && !att_doc_blank(end, n - (size_t)(end - s))))
        why = "not valid JSON";
    else if (!cJSON_IsObject(o))
        why = "not a JSON object";
    for (const cJSON *it = why ? NULL : o->child; it != NULL && why == NULL && rc == ATT_OK;
         it = it->next)
        why = take_member(&r, it, buf, &rc);
    if (why == NULL && rc == ATT_OK)
        rc = push_rule(sc, &r);
    else if (why != NULL && rc == ATT_OK && on_bad != NULL)
        on_bad(ud, line, why);
    rule_free(&r);
    cJSON_Delete(o);
    return rc;
}

static int by_name_then_order(const void *a, const void *b, void *arg)
{
    const struct att_sidecar *sc = arg;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(sc->rules[i].file, sc->rules[j].file);

    return c != 0 ? c : (i > j) - (i < j);
}

/* The two lookups: rules for a plain name (sorted), the rest (in order). */
static int index_rules(struct att_sidecar *sc)
{
    sc->named = malloc((sc->n ? sc->n : 1) * sizeof *sc->named);
    sc->wide = malloc((sc->n ? sc->n : 1) * sizeof *sc->wide);
    if (sc->named == NULL || sc->wide == NULL)
        return ATT_E_NOMEM;
    for (size_t i = 0; i < sc->n; i++) {
        if (sc->rules[i].file != NULL && !sc->rules[i].glob)
            sc->named[sc->nnamed++] = i;
        else
            sc->wide[sc->nwide++] = i;
    }
    qsort_r(sc->named, sc->nnamed, sizeof *sc->named, by_name_then_order, sc);
    return ATT_OK;
}

int att_sidecar_parse(const char *data, size_t len, struct att_sidecar *sc,
                      void (*on_bad)(void *ud, long line, const char *why), void *ud,
                      struct att_err *err)
{
    char *owned = NULL;
    long line = 0;
    int rc = ATT_OK;
    size_t at;

    if (data == NULL)
        len = 0;
    if (len > 0 && att_doc_clean_input(&data, &len, &owned) != ATT_OK)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    at = len > 0 ? att_doc_bom(data, len) : 0;
    while (rc == ATT_OK && at < len) {
        const char *nl = memchr(data + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (data + at)) : len - at, k = 0;

        line++;
        while (k < n && att_doc_space((unsigned char)data[at + k]))
            k++;
        if (k < n && data[at + k] != '#')
            rc = parse_line(sc, data + at, n, line, on_bad, ud);
        at += n + 1;
    }
    if (rc == ATT_OK)
        rc = index_rules(sc);
    free(owned);
    return rc == ATT_OK ? ATT_OK : att_err_set(err, rc, "out of memory");
}

static bool wide_matches(const struct att_sidecar_rule *r, const char *name)
{
    return r->file == NULL || strcmp(r->file, name) == 0 || fnmatch(r->file, name, 0) == 0;
}

/* Rule r's fields into set, replacing values of the same name. */
static void merge_rule(struct att_sidecar_set *set, const struct att_sidecar_rule *r)
{
    for (size_t i = 0; i < r->n; i++) {
        size_t k = 0;

        while (k < set->n && strcmp(set->name[k], r->v[i].name) != 0)
            k++;
        if (k == set->n && set->n == ATT_SIDECAR_MAX_SET)
            continue; /* a name too many: the document could not take it */
        set->name[k] = r->v[i].name;
        set->value[k] = r->v[i].value;
        set->n += k == set->n;
    }
}

/* The first of sc's named rules whose name is not below name. */
static size_t first_named(const struct att_sidecar *sc, const char *name)
{
    size_t lo = 0, hi = sc->nnamed;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strcmp(sc->rules[sc->named[mid]].file, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void att_sidecar_match(const struct att_sidecar *sc, const char *name,
                       struct att_sidecar_set *set)
{
    size_t a = first_named(sc, name), hi = a, b = 0;

    set->n = 0;
    while (hi < sc->nnamed && strcmp(sc->rules[sc->named[hi]].file, name) == 0)
        hi++;
    /* Both lists are in line order: merge them, so later lines win. */
    while (a < hi || b < sc->nwide) {
        if (b < sc->nwide && !wide_matches(&sc->rules[sc->wide[b]], name)) {
            b++;
            continue;
        }
        if (a < hi && (b >= sc->nwide || sc->named[a] < sc->wide[b]))
            merge_rule(set, &sc->rules[sc->named[a++]]);
        else
            merge_rule(set, &sc->rules[sc->wide[b++]]);
    }
    for (size_t i = 1; i < set->n; i++) { /* by name: a few dozen at most */
        const char *n = set->name[i], *v = set->value[i];
        size_t k = i;

        for (; k > 0 && strcmp(set->name[k - 1], n) > 0; k--) {
            set->name[k] = set->name[k - 1];
            set->value[k] = set->value[k - 1];
        }
        set->name[k] = n;
        set->value[k] = v;
    }
}

static uint64_t mix(uint64_t h, const char *name, const char *value)
{
    h = XXH3_64bits_withSeed(name, strlen(name) + 1, h);
    return XXH3_64bits_withSeed(value, strlen(value) + 1, h);
}

void att_sidecar_hash(const struct att_sidecar_set *set, char out[17])
{
    uint64_t h = 0;

    out[0] = '\0';
    for (size_t i = 0; i < set->n; i++)
        h = mix(h, set->name[i], set->value[i]);
    if (set->n > 0)
        snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* The slot of d for a named field, NULL for a further one. */
static char **slot_of(struct att_doc *d, const char *name)
{
    char **slots[] = {&d->title, &d->author, &d->date, &d->source, &d->url, &d->language};

    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcmp(name, named[i]) == 0)
            return slots[i];
    return NULL;
}

/* Whether d's value for a named field may be replaced. */
static bool missing(const struct att_doc *d, char *const *slot)
{
    if (*slot == NULL)
        return true;
    if (slot == &d->title)
        return d->title_from_body;
    return slot == &d->date && d->date_from_name;
}

int att_sidecar_apply(const struct att_sidecar_set *set, struct att_doc *d, uint64_t *h,
                      unsigned *applied)
{
    for (size_t i = 0; i < set->n; i++) {
        char **slot = slot_of(d, set->name[i]);
        char *v;
        int rc;

        if (slot != NULL && !missing(d, slot))
            continue;
        if (slot == NULL && att_doc_field(d, set->name[i]) != NULL)
            continue;
        v = slot != NULL ? strdup(set->value[i]) : NULL;
        rc = slot != NULL ? (v ? ATT_OK : ATT_E_NOMEM)
                          : att_doc_set_field(d, set->name[i], set->value[i]);
        if (rc == ATT_E_TOOBIG)
            continue; /* the document has all the further fields it can hold */
        if (rc != ATT_OK)
            return rc;
        if (slot != NULL) {
            free(*slot);
            *slot = v;
            d->title_from_body = d->title_from_body && slot != &d->title;
            d->date_from_name = d->date_from_name && slot != &d->date;
        }
        *h = mix(*h, set->name[i], set->value[i]);
        (*applied)++;
    }
    return ATT_OK;
}
