/* attache-index: one file in, its passages out, in atomic batches. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "attache/text.h"
#include "build.h"
#include "log.h"
#include "terms.h"

struct doc_list {
    struct att_doc *v;
    size_t n, cap;
    long bad_lines;
    const char *file_id;
};

int build_begin(struct builder *b, struct att_xwdb *w, struct state *st,
                const struct build_opts *o, struct att_err *err)
{
    char *rev = NULL;
    int rc;

    memset(b, 0, sizeof *b);
    b->w = w;
    b->st = st;
    b->o = *o;
    rc = att_xwdb_get_meta(w, ATT_META_REVISION, strlen(ATT_META_REVISION), &rev, NULL, err);
    if (rc != ATT_OK)
        return rc;
    b->revision = rev ? strtoull(rev, NULL, 10) : 0;
    free(rev);
    return ATT_OK;
}

static int ensure_tx(struct builder *b, struct att_err *err)
{
    int rc;

    if (b->in_tx)
        return ATT_OK;
    rc = att_xwdb_begin(b->w, err);
    b->in_tx = rc == ATT_OK;
    return rc;
}

int build_flush(struct builder *b, struct att_err *err)
{
    char rev[32];
    int rc;

    if (!b->in_tx)
        return ATT_OK;
    snprintf(rev, sizeof rev, "%llu", (unsigned long long)(b->revision + 1));
    rc = att_xwdb_set_meta(b->w, ATT_META_REVISION, strlen(ATT_META_REVISION), rev,
                           strlen(rev), err);
    if (rc == ATT_OK)
        rc = att_xwdb_set_meta(b->w, ATT_META_FORMAT, strlen(ATT_META_FORMAT),
                               ATT_FORMAT_VERSION, strlen(ATT_FORMAT_VERSION), err);
    if (rc == ATT_OK)
        rc = att_xwdb_commit(b->w, err);
    b->in_tx = false;
    if (rc == ATT_OK)
        b->revision++;
    b->batch_passages = 0;
    b->batch_bytes = 0;
    return rc;
}

int build_touch(struct builder *b, struct att_err *err)
{
    int rc = ensure_tx(b, err);

    return rc == ATT_OK ? build_flush(b, err) : rc;
}

void build_abort(struct builder *b)
{
    if (b->in_tx)
        att_xwdb_cancel(b->w, NULL);
    b->in_tx = false;
}

static int maybe_flush(struct builder *b, struct att_err *err)
{
    if (b->batch_passages >= b->o.batch_passages || b->batch_bytes >= b->o.batch_bytes)
        return build_flush(b, err);
    return ATT_OK;
}

/* Read a whole file into a malloc'd, NUL-terminated buffer. */
static int read_all(const char *path, size_t max, char **data, size_t *len, struct att_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    size_t got = 0;
    char *buf;

    *data = NULL;
    if (fd < 0)
        return att_err_set(err, ATT_E_IO, "cannot open: %s", strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return att_err_set(err, ATT_E_IO, "not a regular file");
    }
    if ((size_t)st.st_size > max) {
        close(fd);
        return att_err_set(err, ATT_E_TOOBIG, "file of %lld bytes is over the limit of %zu "
                           "(--max-file-size)", (long long)st.st_size, max);
    }
    buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        close(fd);
        return att_err_set(err, ATT_E_NOMEM, "out of memory reading %lld bytes",
                           (long long)st.st_size);
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* shrank while we read: index what is there */
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return ATT_OK;
}

static int collect_doc(void *ud, struct att_doc *doc, long line)
{
    struct doc_list *l = ud;

    (void)line;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        struct att_doc *v = realloc(l->v, cap * sizeof *v);

        if (v == NULL)
            return ATT_E_NOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *doc; /* steal every field */
    att_doc_init(doc);
    return 0;
}

static void bad_line(void *ud, long line, const char *why)
{
    struct doc_list *l = ud;

    l->bad_lines++;
    att_log(ATT_WARN, "%s:%ld: skipped: %s", l->file_id, line, why);
}

static void doc_list_free(struct doc_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        att_doc_clear(&l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* The JSON a hit renders from: passage text and offsets, the document's
 * metadata and the passage's quotations (offsets into the passage). */
static char *passage_data(const struct att_doc *d, unsigned n, struct att_span p,
                          const struct att_quotes *q, size_t q0, size_t q1)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *qa;
    char *text = NULL;

    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "doc", d->id);
    cJSON_AddNumberToObject(o, "n", n);
    if (d->title)
        cJSON_AddStringToObject(o, "title", d->title);
    if (d->date)
        cJSON_AddStringToObject(o, "date", d->date);
    if (d->source)
        cJSON_AddStringToObject(o, "source", d->source);
    if (d->url)
        cJSON_AddStringToObject(o, "url", d->url);
    cJSON_AddNumberToObject(o, "start", (double)p.start);
    cJSON_AddNumberToObject(o, "end", (double)p.end);
    text = strndup(d->body + p.start, p.end - p.start);
    if (text == NULL || cJSON_AddStringToObject(o, "text", text) == NULL)
        goto out;
    free(text);
    text = NULL;
    qa = cJSON_AddArrayToObject(o, "quotes");
    for (size_t i = q0; qa != NULL && i < q1; i++) {
        cJSON *e = cJSON_CreateObject();

        cJSON_AddItemToArray(qa, e);
        cJSON_AddNumberToObject(e, "start", (double)(q->v[i].start - p.start));
        cJSON_AddNumberToObject(e, "end", (double)(q->v[i].end - p.start));
        if (q->v[i].speaker)
            cJSON_AddStringToObject(e, "speaker", q->v[i].speaker);
        if (q->v[i].role)
            cJSON_AddStringToObject(e, "role", q->v[i].role);
    }
    text = cJSON_PrintUnformatted(o);
out:
    cJSON_Delete(o);
    return text;
}

static int add_term(struct att_xdoc *x, const char *prefix, const char *val, struct att_err *err)
{
    char term[ATT_TERM_MAX + 1];
    size_t n = att_term(term, prefix, val, strlen(val));

    return att_xdoc_term(x, term, n, err);
}

static int add_folded(struct att_xdoc *x, const char *prefix, const char *val,
                      struct att_err *err)
{
    size_t len = strlen(val);
    char *f = malloc(len + 1);
    int rc;

    if (f == NULL)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    att_term_fold(f, val, len);
    rc = *f ? add_term(x, prefix, f, err) : ATT_OK;
    free(f);
    return rc;
}

/* Boolean terms and values every passage of d carries. */
static int doc_terms(struct att_xdoc *x, const struct att_doc *d, const char *file_id,
                     struct att_err *err)
{
    char slot[9], t[16];
    int rc = add_term(x, ATT_P_DOC, d->id, err);

    if (rc == ATT_OK)
        rc = add_term(x, ATT_P_FILE, file_id, err);
    if (rc == ATT_OK && d->source)
        rc = add_folded(x, ATT_P_SOURCE, d->source, err);
    if (rc == ATT_OK && d->date && att_date_slot(d->date, slot)) {
        rc = att_xdoc_value(x, ATT_SLOT_DATE, slot, 8, err);
        snprintf(t, sizeof t, "%.4s", slot);
        if (rc == ATT_OK)
            rc = add_term(x, ATT_P_YEAR, t, err);
        snprintf(t, sizeof t, "%.6s", slot);
        if (rc == ATT_OK && strcmp(slot + 4, "0000") != 0)
            rc = add_term(x, ATT_P_MONTH, t, err);
        if (rc == ATT_OK && strcmp(slot + 6, "00") != 0)
            rc = add_term(x, ATT_P_DAY, slot, err);
    }
    if (rc == ATT_OK)
        rc = att_xdoc_value(x, ATT_SLOT_DOC, d->id, strlen(d->id), err);
    return rc;
}

/* Quotation words and speakers of quotes q0..q1 (all inside the passage). */
static int quote_terms(struct att_xdoc *x, const struct att_doc *d, const struct att_quotes *q,
                       size_t q0, size_t q1, struct att_err *err)
{
    int rc = ATT_OK;

    for (size_t i = q0; rc == ATT_OK && i < q1; i++) {
        const struct att_quote *e = &q->v[i];

        rc = att_xdoc_text(x, ATT_P_QUOTE, d->body + e->start, e->end - e->start, 1, 0, err);
        if (rc == ATT_OK && e->speaker) {
            rc = att_xdoc_text(x, ATT_P_SPEAKER, e->speaker, strlen(e->speaker), 1, 0, err);
            if (rc == ATT_OK)
                rc = add_folded(x, ATT_P_SPK, e->speaker, err);
        }
    }
    return rc;
}

static int add_passage(struct builder *b, const struct att_doc *d, const char *file_id,
                       unsigned n, struct att_span p, const struct att_quotes *q, size_t q0,
                       size_t q1, struct att_err *err)
{
    struct att_xdoc *x = att_xdoc_new(b->w);
    char enc[32];
    char *data = NULL;
    int rc;

    if (x == NULL)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    rc = att_xdoc_text(x, "", d->body + p.start, p.end - p.start, 1, ATT_XT_SPELLING, err);
    if (rc == ATT_OK && d->title)
        rc = att_xdoc_text(x, ATT_P_TITLE, d->title, strlen(d->title), 1, 0, err);
    if (rc == ATT_OK)
        rc = quote_terms(x, d, q, q0, q1, err);
    if (rc == ATT_OK)
        rc = doc_terms(x, d, file_id, err);
    if (rc == ATT_OK)
        rc = att_xdoc_value(x, ATT_SLOT_PASSAGE, enc, att_sortable(n, enc), err);
    data = rc == ATT_OK ? passage_data(d, n, p, q, q0, q1) : NULL;
    if (rc == ATT_OK && data == NULL)
        rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    if (rc == ATT_OK)
        rc = att_xdoc_data(x, data, strlen(data), err);
    if (rc == ATT_OK)
        rc = att_xwdb_add(b->w, x, err);
    free(data);
    att_xdoc_free(x);
    return rc;
}

/* Split d into passages and add each; *count gets how many. */
static int add_doc(struct builder *b, const struct att_doc *d, const char *file_id,
                   uint32_t *count, struct att_err *err)
{
    struct att_spans ps = {0};
    struct att_quotes qs = {0};
    size_t q = 0;
    int rc = att_passages(d->body, d->body_len, NULL, &ps, err);

    if (rc == ATT_OK)
        rc = att_quotes_find(d->body, d->body_len, &qs, err);
    for (size_t i = 0; rc == ATT_OK && i < ps.n; i++) {
        size_t q0, q1;

        while (q < qs.n && qs.v[q].start < ps.v[i].start)
            q++; /* a quote that straddles two passages belongs to neither */
        q0 = q;
        while (q < qs.n && qs.v[q].end <= ps.v[i].end)
            q++;
        q1 = q;
        rc = add_passage(b, d, file_id, (unsigned)i, ps.v[i], &qs, q0, q1, err);
    }
    *count += (uint32_t)ps.n;
    b->batch_passages += (unsigned)ps.n;
    b->batch_bytes += d->body_len;
    att_spans_free(&ps);
    att_quotes_free(&qs);
    return rc;
}

static void hash_hex(const char *data, size_t len, char out[33])
{
    XXH128_hash_t h = XXH3_128bits(data, len);

    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
}

static int set_str(char **dst, const char *src)
{
    char *p = src ? strdup(src) : NULL;

    if (src != NULL && p == NULL)
        return ATT_E_NOMEM;
    free(*dst);
    *dst = p;
    return ATT_OK;
}

/* Record a file that could not be indexed; its old passages go too. */
static int fail_file(struct builder *b, struct rec *r, const char *why, struct att_err *err)
{
    char term[ATT_TERM_MAX + 1];
    size_t n = att_term(term, ATT_P_FILE, r->id, strlen(r->id));
    int rc = att_xwdb_delete_term(b->w, term, n, err);

    att_log(ATT_ERROR, "%s: skipped: %s", r->id, why);
    b->c.failed++;
    r->docs = 0;
    r->passages = 0;
    if (rc == ATT_OK && set_str(&r->failed, why) != ATT_OK)
        rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    if (rc == ATT_OK)
        rc = state_save(b->w, r, err);
    return rc;
}

/* Replace r's passages with those of the parsed documents. */
static int replace_file(struct builder *b, struct rec *r, const struct doc_list *l,
                        struct att_err *err)
{
    char term[ATT_TERM_MAX + 1];
    size_t n = att_term(term, ATT_P_FILE, r->id, strlen(r->id));
    int rc = att_xwdb_delete_term(b->w, term, n, err);

    r->docs = 0;
    r->passages = 0;
    for (size_t i = 0; rc == ATT_OK && i < l->n; i++) {
        rc = add_doc(b, &l->v[i], r->id, &r->passages, err);
        r->docs++;
    }
    free(r->failed);
    r->failed = NULL;
    if (rc == ATT_OK)
        rc = state_save(b->w, r, err);
    return rc;
}

/* Parse and index data for r. Per-file problems are recorded, not
 * returned: only index failures come back as errors. */
static int index_contents(struct builder *b, struct rec *r, const struct walk_file *f,
                          const char *data, size_t len, struct att_err *err)
{
    struct doc_list l = {.file_id = f->id};
    struct att_doc_sink sink = {collect_doc, bad_line, &l};
    struct att_err perr = {0};
    bool existed = r->hash[0] != '\0' && r->failed == NULL;
    int rc;

    hash_hex(data, len, perr.msg);
    if (strcmp(perr.msg, r->hash) == 0 && r->failed == NULL) {
        b->c.unchanged++; /* touched, or changed and changed back */
        return state_save(b->w, r, err);
    }
    memcpy(r->hash, perr.msg, sizeof r->hash);
    perr.msg[0] = '\0';
    rc = att_doc_parse(f->id, f->fmt, data, len, &sink, &perr);

    if (rc == ATT_E_NOMEM && l.n == 0) {
        doc_list_free(&l);
        return att_err_set(err, rc, "%s: %s", f->id, perr.msg);
    }
    if (rc != ATT_OK) {
        doc_list_free(&l);
        return fail_file(b, r, perr.msg[0] ? perr.msg : att_strerror(rc), err);
    }
    rc = replace_file(b, r, &l, err);
    doc_list_free(&l);
    if (rc == ATT_OK) {
        if (existed)
            b->c.updated++;
        else
            b->c.added++;
    }
    return rc;
}

int build_file(struct builder *b, const struct walk_file *f, const char *root,
               struct att_err *err)
{
    struct rec *r = state_find(b->st, f->id);
    struct att_err ferr = {0};
    char *data = NULL;
    size_t len = 0;
    int rc;

    if (r == NULL) {
        r = state_add(b->st, f->id);
        if (r == NULL)
            return att_err_set(err, ATT_E_NOMEM, "out of memory");
    } else if (r->seen) {
        att_log(ATT_WARN, "%s: the same document id comes from two paths; %s skipped", f->id,
                f->path);
        return ATT_OK;
    }
    r->seen = true;
    if (r->size == f->size && r->mtime_ns == f->mtime_ns && r->hash[0] != '\0') {
        if (r->failed == NULL) {
            b->c.unchanged++;
            return ATT_OK;
        }
        if (!b->o.retry_failed) {
            b->c.skipped++;
            return ATT_OK;
        }
    }
    rc = ensure_tx(b, err);
    if (rc != ATT_OK)
        return rc;
    if (set_str(&r->root, root) != ATT_OK)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    r->size = f->size;
    r->mtime_ns = f->mtime_ns;
    rc = read_all(f->path, b->o.max_file, &data, &len, &ferr);
    if (rc == ATT_E_NOMEM)
        return att_err_set(err, rc, "%s: %s", f->id, ferr.msg);
    if (rc != ATT_OK) {
        r->hash[0] = '\0';
        rc = fail_file(b, r, ferr.msg, err);
        return rc == ATT_OK ? maybe_flush(b, err) : rc;
    }
    b->c.bytes_read += len;
    rc = index_contents(b, r, f, data, len, err);
    free(data);
    return rc == ATT_OK ? maybe_flush(b, err) : rc;
}

int build_remove(struct builder *b, struct rec *r, struct att_err *err)
{
    char term[ATT_TERM_MAX + 1];
    size_t n = att_term(term, ATT_P_FILE, r->id, strlen(r->id));
    int rc = ensure_tx(b, err);

    if (rc == ATT_OK)
        rc = att_xwdb_delete_term(b->w, term, n, err);
    if (rc == ATT_OK)
        rc = state_forget(b->w, r, err);
    if (rc == ATT_OK) {
        b->c.removed++;
        b->batch_passages += r->passages;
        rc = maybe_flush(b, err);
    }
    return rc;
}
