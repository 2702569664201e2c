/* attache-index: from a file on disk to the Xapian documents of its
 * passages, without touching the index (runs in its own thread). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "attache/text.h"
#include "buf.h"
#include "ids.h"
#include "log.h"
#include "prepare.h"
#include "readfile.h"
#include "record.h"
#include "records.h"
#include "shingle.h"
#include "stream.h"
#include "terms.h"

struct doc_list {
    struct att_doc *v;
    size_t n, cap;
    const char *file_id;
    struct preparer *p;
    struct rec *r;          /* the file's record */
    bool jsonl;             /* its records' ids are checked against other files' */
    bool lost;              /* a record was left out: another file holds its id */
    uint64_t *ids, meta_h;  /* ids kept; hash of the metadata taken from the folder */
    size_t nids, cids;
    unsigned applied;       /* fields taken from the folder's metadata file */
};

/* A .jsonl record's id: kept (*keep) unless another file holds it, which
 * is noted for the end of the run. */
static int claim_id(struct doc_list *l, const struct att_doc *doc, long line, bool *keep)
{
    uint64_t key = ids_key(doc->id);
    struct rec *keeper;
    int rc = ids_claim(&l->p->ids, l->r, key, &keeper);

    *keep = rc == ATT_OK && keeper == NULL;
    if (rc == ATT_OK && keeper != NULL) {
        l->lost = true;
        return state_conflict(l->p->st, doc->id, line, l->r, keeper);
    }
    if (rc != ATT_OK || att_grow(&l->ids, &l->cids, l->nids + 1, sizeof *l->ids,
                                 SIZE_MAX / sizeof *l->ids) != ATT_OK)
        return ATT_E_NOMEM;
    l->ids[l->nids++] = key;
    return ATT_OK;
}

/* What doc lacks, from its folder's metadata file. */
static int take_meta(struct doc_list *l, struct att_doc *doc)
{
    int rc = att_sidecar_apply(&l->p->set, doc, &l->meta_h, &l->applied);

    l->meta_h = XXH3_64bits_withSeed("\n", 1, l->meta_h); /* the next document's */
    return rc;
}

static int collect_doc(void *ud, struct att_doc *doc, long line)
{
    struct doc_list *l = ud;
    bool keep = true;
    int rc;

    if (doc->warning != NULL && line > 0)
        att_log(ATT_WARN, "%s:%ld: %s", l->file_id, line, doc->warning);
    else if (doc->warning != NULL)
        att_log(ATT_WARN, "%s: %s", l->file_id, doc->warning);
    rc = l->jsonl ? claim_id(l, doc, line, &keep) : ATT_OK;
    if (rc == ATT_OK && keep)
        rc = take_meta(l, doc);
    if (rc != ATT_OK || !keep)
        return rc; /* left out: the reader frees it */
    /* No ceiling of its own: --max-file-size bounds the documents. */
    if (att_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v, SIZE_MAX / sizeof *l->v) != ATT_OK)
        return ATT_E_NOMEM;
    l->v[l->n++] = *doc; /* steal every field */
    att_doc_init(doc);
    return 0;
}

static void bad_line(void *ud, long line, const char *why)
{
    struct doc_list *l = ud;

    att_log(ATT_WARN, "%s:%ld: skipped: %s", l->file_id, line, why);
}

static void doc_list_free(struct doc_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        att_doc_clear(&l->v[i]);
    free(l->v);
    free(l->ids);
    l->v = NULL;
    l->ids = NULL;
    l->n = 0;
}

/* The passage's record (lib/record.h) into x's data: text, offsets and
 * sentences, the document's metadata, quotations and actors. */
static int set_record(struct preparer *pp, struct att_xdoc *x, const struct att_doc *d,
                      unsigned n, struct att_span p, const struct att_quotes *q, size_t q0,
                      size_t q1, const struct att_sig *sig, struct att_err *err)
{
    struct att_rec_in in = {d,        n,           pp->base_off + p.start, pp->base_off + p.end,
                            d->body + p.start, p.end - p.start, q->v + q0, q1 - q0,
                            p.start,  pp->actors.v, pp->actors.n, sig};
    struct att_buf b;
    int rc;

    att_buf_init(&b, SIZE_MAX / 2);
    rc = att_rec_encode(&in, &b, err);
    if (rc == ATT_OK)
        rc = att_xdoc_data(x, b.p, b.len, err);
    att_buf_free(&b);
    return rc;
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

/* The date's value and year, month and day terms. */
static int date_terms(struct att_xdoc *x, const char *date, struct att_err *err)
{
    char slot[9], t[16];
    int rc;

    if (date == NULL || !att_date_slot(date, slot))
        return ATT_OK;
    rc = att_xdoc_value(x, ATT_SLOT_DATE, slot, 8, err);
    snprintf(t, sizeof t, "%.4s", slot);
    if (rc == ATT_OK)
        rc = add_term(x, ATT_P_YEAR, t, err);
    snprintf(t, sizeof t, "%.6s", slot);
    if (rc == ATT_OK && strcmp(slot + 4, "0000") != 0)
        rc = add_term(x, ATT_P_MONTH, t, err);
    if (rc == ATT_OK && strcmp(slot + 6, "00") != 0)
        rc = add_term(x, ATT_P_DAY, slot, err);
    return rc;
}

/* A filter term (folded) and a facet value (as written) for val. */
static int keyed(struct att_xdoc *x, const char *prefix, unsigned slot, const char *val,
                 struct att_err *err)
{
    int rc;

    if (val == NULL)
        return ATT_OK;
    rc = add_folded(x, prefix, val, err);
    if (rc == ATT_OK)
        rc = att_xdoc_value(x, slot, val, strlen(val), err);
    return rc;
}

/* Boolean terms and values every passage of d carries. */
static int doc_terms(struct att_xdoc *x, const struct att_doc *d, const char *file_id,
                     struct att_err *err)
{
    int rc = add_term(x, ATT_P_DOC, d->id, err);

    if (rc == ATT_OK)
        rc = add_term(x, ATT_P_FILE, file_id, err);
    if (rc == ATT_OK)
        rc = keyed(x, ATT_P_SOURCE, ATT_SLOT_SOURCE, d->source, err);
    if (rc == ATT_OK)
        rc = keyed(x, ATT_P_AUT, ATT_SLOT_AUTHOR, d->author, err);
    if (rc == ATT_OK)
        rc = keyed(x, ATT_P_LANG, ATT_SLOT_LANG, d->language, err);
    if (rc == ATT_OK)
        rc = date_terms(x, d->date, err);
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

static void hash_hex(const char *data, size_t len, char out[33])
{
    XXH128_hash_t h = XXH3_128bits(data, len);

    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
}


/* The actors text[0..len) names, into pp->actors, as filter terms and as
 * the value the actor facet counts ("china\nrussia\n"). */
static int actor_terms(struct preparer *pp, struct att_xdoc *x, const char *text, size_t len,
                       struct att_err *err)
{
    struct att_buf v;
    int rc;

    pp->actors.n = 0;
    if (pp->o.actors == NULL)
        return ATT_OK;
    rc = att_actors_find(pp->o.actors, text, len, &pp->actors, err);
    if (rc != ATT_OK || pp->actors.n == 0)
        return rc;
    att_buf_init(&v, SIZE_MAX / 2);
    for (size_t i = 0; rc == ATT_OK && i < pp->actors.n; i++) {
        rc = add_term(x, ATT_P_ACTOR, pp->actors.v[i], err);
        if (rc == ATT_OK && att_buf_addf(&v, "%s\n", pp->actors.v[i]) != ATT_OK)
            rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    }
    if (rc == ATT_OK)
        rc = att_xdoc_value(x, ATT_SLOT_ACTORS, v.p, v.len, err);
    att_buf_free(&v);
    return rc;
}

static int push_doc(struct job *j, struct att_xdoc *x)
{
    /* No ceiling of its own: --max-file-size bounds the passages. */
    if (att_grow(&j->docs, &j->cap, j->ndocs + 1, sizeof *j->docs,
                 SIZE_MAX / sizeof *j->docs) != ATT_OK)
        return ATT_E_NOMEM;
    j->docs[j->ndocs++] = x;
    return ATT_OK;
}

static int build_passage(struct preparer *pp, struct job *j, const struct att_doc *d,
                         unsigned n, struct att_span p, const struct att_quotes *q,
                         size_t q0, size_t q1, struct att_err *err)
{
    struct att_xdoc *x = att_xdoc_new(pp->g);
    struct att_sig sig;
    bool has_sig;
    char enc[32];
    int rc;

    if (x == NULL || push_doc(j, x) != ATT_OK) {
        att_xdoc_free(x);
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    }
    rc = att_xdoc_text(x, "", d->body + p.start, p.end - p.start, 1, ATT_XT_SPELLING, err);
    has_sig = rc == ATT_OK && att_sig_make(d->body + p.start, p.end - p.start, &sig);
    if (has_sig) /* its copies in other documents are found by it */
        rc = att_xdoc_bands(x, &sig, err);
    /* A title made from the body repeats passage 0's first words: indexing
     * it on every passage would only cost time (a fifth more postings on
     * the speeches) and pull every passage towards those words. */
    if (rc == ATT_OK && d->title && !d->title_from_body)
        rc = att_xdoc_text(x, ATT_P_TITLE, d->title, strlen(d->title), 1, 0, err);
    if (rc == ATT_OK && d->author)
        rc = att_xdoc_text(x, ATT_P_AUTHOR, d->author, strlen(d->author), 1, 0, err);
    if (rc == ATT_OK)
        rc = quote_terms(x, d, q, q0, q1, err);
    if (rc == ATT_OK)
        rc = actor_terms(pp, x, d->body + p.start, p.end - p.start, err);
    if (rc == ATT_OK)
        rc = doc_terms(x, d, j->r->id, err);
    if (rc == ATT_OK)
        rc = att_xdoc_value(x, ATT_SLOT_PASSAGE, enc, att_sortable(n, enc), err);
    if (rc == ATT_OK)
        rc = set_record(pp, x, d, n, p, q, q0, q1, has_sig ? &sig : NULL, err);
    return rc;
}

/* True when name's words are some of full's ("Xi" in "Xi Jinping"). */
static bool words_within(const char *name, const char *full)
{
    size_t n = strlen(name);

    for (const char *p = strstr(full, name); p != NULL; p = strstr(p + 1, name)) {
        bool starts = p == full || p[-1] == ' ', ends = p[n] == '\0' || p[n] == ' ';

        if (starts && ends)
            return true;
    }
    return false;
}

/* Speakers across documents: a speaker the document names only in short
 * ("Xi") that the gazetteer lists as an alias of someone whose name holds
 * it ("Xi Jinping", from an --aliases file) becomes that name. Other
 * aliases (a capital for its country) are left as written. */
static int resolve_speakers(const struct att_actors *g, struct att_quotes *qs,
                            struct att_err *err)
{
    for (size_t i = 0; g != NULL && i < qs->n; i++) {
        const char *sp = qs->v[i].speaker, *id, *full;
        char *copy;

        id = sp != NULL ? att_actors_lookup(g, sp, strlen(sp)) : NULL;
        full = id != NULL ? att_actors_name(g, id) : NULL;
        if (full == NULL || strcmp(full, sp) == 0 || !words_within(sp, full))
            continue;
        copy = strdup(full);
        if (copy == NULL)
            return att_err_set(err, ATT_E_NOMEM, "out of memory");
        free(qs->v[i].speaker);
        qs->v[i].speaker = copy;
    }
    return ATT_OK;
}

/* Split d into passages and build each into j. */
int prepare_doc(struct preparer *pp, struct job *j, const struct att_doc *d,
                struct att_err *err)
{
    struct att_spans ps = {0};
    struct att_quotes qs = {0};
    size_t q = 0;
    int rc = att_xgen_set_language(pp->g, d->language, err);

    if (rc == ATT_OK)
        rc = att_passages(d->body, d->body_len, NULL, &ps, err);
    if (rc == ATT_OK)
        rc = att_quotes_find(d->body, d->body_len, &qs, err);
    if (rc == ATT_OK)
        rc = resolve_speakers(pp->o.actors, &qs, err);
    for (size_t i = 0; rc == ATT_OK && i < ps.n; i++) {
        size_t q0, q1;

        while (q < qs.n && qs.v[q].start < ps.v[i].start)
            q++; /* a quote that straddles two passages belongs to neither */
        q0 = q;
        while (q < qs.n && qs.v[q].end <= ps.v[i].end)
            q++;
        q1 = q;
        rc = build_passage(pp, j, d, pp->base_n + (unsigned)i, ps.v[i], &qs, q0, q1, err);
    }
    pp->batch_passages += (unsigned)ps.n;
    pp->batch_bytes += d->body_len;
    att_spans_free(&ps);
    att_quotes_free(&qs);
    return rc;
}

void job_free(struct job *j)
{
    if (j == NULL)
        return;
    for (size_t i = 0; i < j->ndocs; i++)
        att_xdoc_free(j->docs[i]);
    free(j->docs);
    att_xgen_free(j->spell);
    stream_part_free(j->sp);
    free(j);
}

int prepare_init(struct preparer *p, struct state *st, const struct build_opts *o,
                 struct att_err *err)
{
    memset(p, 0, sizeof *p);
    p->st = st;
    p->o = *o;
    p->g = att_xgen_new();
    return p->g ? ATT_OK : att_err_set(err, ATT_E_NOMEM, "out of memory");
}

void prepare_fini(struct preparer *p)
{
    att_actor_ids_free(&p->actors);
    att_xgen_free(p->g);
    p->g = NULL;
    meta_cache_free(&p->meta);
    ids_end(&p->ids);
}

int prepare_begin(struct preparer *p, const struct walk_list *files, struct att_err *err)
{
    if (ids_begin(&p->ids, p->st, files, p->o.max_file) != ATT_OK)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    return ATT_OK;
}

/* End the batch after this job when it is big enough: the job carries the
 * batch's spelling words, and the writer commits after it. */
static int maybe_end_batch(struct preparer *p, struct job *j)
{
    struct att_xgen *g;

    if (p->batch_passages < p->o.batch_passages && p->batch_bytes < p->o.batch_bytes)
        return ATT_OK;
    g = att_xgen_new();
    if (g == NULL)
        return ATT_E_NOMEM;
    j->spell = p->g;
    p->g = g;
    p->batch_passages = 0;
    p->batch_bytes = 0;
    return ATT_OK;
}

/* A .jsonl file indexed before its records' ids were kept: read once to
 * learn them. */
static bool ids_unknown(const struct rec *r, const struct walk_file *f)
{
    return f->fmt == ATT_FMT_JSONL && r->nids == 0 && r->docs > 0;
}

/* r holds no document now: its ids go back, and the metadata it was
 * offered is remembered. */
static void forget_docs(struct preparer *p, struct rec *r)
{
    ids_settle(&p->ids, r, NULL, 0);
    r->conflict = false;
    memcpy(r->meta, p->offered, sizeof r->meta);
    r->meta_used[0] = '\0';
}

/* The file's ids and metadata hashes into its record, once its documents
 * are read; a file whose content is the same (same) and whose documents
 * come out as before becomes a JOB_SAME. */
static void settle(struct preparer *p, struct job *j, struct doc_list *l, bool same,
                   bool unknown)
{
    struct rec *r = j->r;
    char used[17] = "";
    bool ids_changed = ids_settle(&p->ids, r, l->ids, l->nids);

    l->ids = NULL;
    if (unknown) /* the index holds all of its records */
        ids_changed = l->lost;
    if (l->applied > 0)
        snprintf(used, sizeof used, "%016llx", (unsigned long long)l->meta_h);
    j->meta_only = same && strcmp(used, r->meta_used) != 0;
    j->kind = same && !ids_changed && !j->meta_only ? JOB_SAME : JOB_INDEX;
    memcpy(r->meta, p->offered, sizeof r->meta);
    memcpy(r->meta_used, used, sizeof used);
    r->conflict = l->lost;
}

/* Parse data into j's documents, with what its folder's metadata file
 * adds; a file that cannot be parsed becomes a JOB_FAIL, one read again
 * only for its metadata (same: its content did not change) may become a
 * JOB_SAME. Returns non-zero only when memory ran out. */
static int parse_into(struct preparer *p, struct job *j, const struct walk_file *f,
                      const char *data, size_t len, bool same, struct att_err *err)
{
    struct doc_list l = {.file_id = f->id, .p = p, .r = j->r, .jsonl = f->fmt == ATT_FMT_JSONL};
    struct att_doc_sink sink = {collect_doc, bad_line, &l};
    struct att_err perr = {0};
    bool unknown = ids_unknown(j->r, f);
    int rc = att_doc_parse(f->id, f->fmt, data, len, &sink, &perr);

    if (rc == ATT_E_NOMEM && l.n == 0) {
        doc_list_free(&l);
        return att_err_set(err, rc, "%s: %s", f->id, perr.msg);
    }
    if (rc != ATT_OK) {
        j->kind = JOB_FAIL;
        snprintf(j->why, sizeof j->why, "%s", perr.msg[0] ? perr.msg : att_strerror(rc));
        forget_docs(p, j->r);
        doc_list_free(&l);
        return ATT_OK;
    }
    settle(p, j, &l, same, unknown);
    for (size_t i = 0; j->kind == JOB_INDEX && rc == ATT_OK && i < l.n; i++)
        rc = prepare_doc(p, j, &l.v[i], err);
    j->ndoc = (uint32_t)l.n;
    doc_list_free(&l);
    return rc;
}

/* The record for f, marked seen; NULL with *dup when another path gave the
 * same id this run, NULL without it when memory ran out. */
static struct rec *claim(struct preparer *p, const struct walk_file *f, bool *dup)
{
    struct rec *r = state_find(p->st, f->id);

    *dup = false;
    if (r == NULL)
        r = state_add(p->st, f->id);
    else if (r->seen)
        *dup = true;
    if (r == NULL || *dup)
        return NULL;
    r->seen = true;
    return r;
}

/* True when f needs no reading: unchanged since the record (and offered
 * the same metadata), or a remembered failure not to be retried. Counts
 * it. */
static bool untouched(struct preparer *p, const struct rec *r, const struct walk_file *f)
{
    bool fits_now;

    if (r->size != f->size || r->mtime_ns != f->mtime_ns || r->hash[0] == '\0')
        return false;
    if (r->failed == NULL) {
        /* Its folder's metadata changed, or one of its records was left
         * out (another file may have let go of the id): read it again. */
        if (strcmp(r->meta, p->offered) != 0 || r->conflict || ids_unknown(r, f))
            return false;
        p->c.unchanged++;
        return true;
    }
    /* Remembered as too large ("-"): retried once the limit allows. */
    fits_now = strcmp(r->hash, "-") == 0 && (size_t)r->size <= p->o.max_file;
    if (p->o.retry_failed || fits_now)
        return false;
    p->c.skipped++;
    return true;
}

/* Read f into j: fills the hash and the documents, or makes j a JOB_SAME
 * or JOB_FAIL. Returns non-zero only when memory ran out. */
static int read_into(struct preparer *p, struct job *j, const struct walk_file *f,
                     struct att_err *err)
{
    struct rec *r = j->r;
    struct att_err ferr = {0};
    char hash[33];
    char *data = NULL;
    size_t len = 0;
    bool same;
    int rc = readfile_load(f->path, p->o.max_file, &data, &len, &ferr);

    if (rc == ATT_E_NOMEM)
        return att_err_set(err, rc, "%s: %s", f->id, ferr.msg);
    if (rc != ATT_OK) {
        /* Too large stays too large until the file changes: remember it.
         * A file that could not be opened may be fixed by a chmod, which
         * leaves its time alone: try it again next run. */
        snprintf(r->hash, sizeof r->hash, "%s", rc == ATT_E_TOOBIG ? "-" : "");
        j->kind = JOB_FAIL;
        snprintf(j->why, sizeof j->why, "%s", ferr.msg);
        forget_docs(p, r);
        return ATT_OK;
    }
    p->c.bytes_read += len;
    hash_hex(data, len, hash);
    same = strcmp(hash, r->hash) == 0 && r->failed == NULL;
    if (same && strcmp(r->meta, p->offered) == 0 && !r->conflict && !ids_unknown(r, f)) {
        j->kind = JOB_SAME; /* touched, or changed and changed back */
        free(data);
        return ATT_OK;
    }
    memcpy(r->hash, hash, sizeof r->hash);
    rc = parse_into(p, j, f, data, len, same, err);
    free(data);
    return rc;
}

struct job *prepare_file(struct preparer *p, const struct walk_file *f, bool *fatal,
                         struct att_err *err)
{
    struct job *j = NULL;
    struct rec *r;
    bool dup;

    *fatal = false;
    r = claim(p, f, &dup);
    if (dup) {
        att_log(ATT_WARN, "%s: the same document id comes from two paths; %s skipped", f->id,
                f->path);
        return NULL;
    }
    if (r == NULL || meta_for_file(&p->meta, f->path, &p->set, p->offered) != ATT_OK)
        goto nomem;
    if (untouched(p, r, f))
        return NULL;
    j = calloc(1, sizeof *j);
    if (j == NULL || state_set_str(&r->root, f->root) != ATT_OK)
        goto nomem;
    j->r = r;
    /* A streamed file's record has no hash while a pass over it is under
     * way: it held documents if it holds passages. */
    j->existed = r->failed == NULL && (r->hash[0] != '\0' ? strcmp(r->hash, "-") != 0
                                                         : r->passages > 0);
    r->size = f->size;
    r->mtime_ns = f->mtime_ns;
    if (f->fmt == ATT_FMT_JSONL)
        return stream_file(p, j, f, fatal, err);
    /* Parsed whole, a text takes about 25 times its size: past an eighth of
     * a batch's text (6 MB by default) it is streamed. */
    if ((f->fmt == ATT_FMT_TXT || f->fmt == ATT_FMT_MD) && (size_t)f->size > p->o.batch_bytes / 8)
        return stream_text_file(p, j, f, fatal, err);
    if (read_into(p, j, f, err) != ATT_OK || maybe_end_batch(p, j) != ATT_OK)
        goto nomem;
    return j;
nomem:
    job_free(j);
    *fatal = true;
    if (err->code != ATT_E_NOMEM)
        att_err_set(err, ATT_E_NOMEM, "out of memory");
    return NULL;
}

int prepare_end_batch(struct preparer *p, struct job *j)
{
    return maybe_end_batch(p, j);
}
