/* attache-index: a .jsonl file read line by line into jobs of a few
 * hundred passages (stream.h); each record indexed only when its line's
 * hash differs from the one its file's table remembers (records.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "buf.h"
#include "ids.h"
#include "log.h"
#include "records.h"
#include "stream.h"
#include "terms.h"

#define CHUNK 4096            /* bytes of hex digests, reads: see READ_SIZE */
#define READ_SIZE (1u << 20)  /* bytes read at a time */
#define JOB_PASSAGES 256      /* a job is handed on past this many passages */
#define JOB_BYTES (4u << 20)  /* ... or this much text */

struct sfile {
    struct preparer *p;
    struct rec *r;
    const struct walk_file *f;
    int fd;
    struct job *j;            /* the job being filled */
    struct rtab *view;        /* the records as this pass sees them */
    XXH3_state_t *hs;         /* hash of the bytes read so far */
    uint64_t seed;            /* mixed into every line's hash: the folder metadata */
    int64_t pos;              /* bytes read (hashed) so far */
    int64_t done;             /* bytes of whole lines dealt with */
    char phash[33];           /* XXH3-128 of those bytes */
    long line;                /* number of the line at hand */
    uint64_t line_hash;
    size_t job_bytes;
    bool rescan, lost, changed, skipping;
    struct att_buf lb;        /* the line at hand */
    struct att_err *err;
};

static struct stream_part *new_part(void)
{
    return calloc(1, sizeof(struct stream_part));
}

static int push(uint64_t **v, size_t *n, size_t *cap, uint64_t x)
{
    if (att_grow(v, cap, *n + 1, sizeof **v, SIZE_MAX / sizeof **v) != ATT_OK)
        return ATT_E_NOMEM;
    (*v)[(*n)++] = x;
    return ATT_OK;
}

static void hex128(XXH3_state_t *hs, char out[33])
{
    XXH128_hash_t h = XXH3_128bits_digest(hs);

    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
}

/* Hash the file's first n bytes (from its start) into s->hs; false when
 * fewer could be read. */
static bool hash_prefix(struct sfile *s, int64_t n, char *buf)
{
    while (s->pos < n) {
        size_t want = n - s->pos < READ_SIZE ? (size_t)(n - s->pos) : READ_SIZE;
        ssize_t got = read(s->fd, buf, want);

        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return false;
        XXH3_128bits_update(s->hs, buf, (size_t)got);
        for (const char *q = buf; (q = memchr(q, '\n', (size_t)(buf + got - q))) != NULL; q++)
            s->line++;
        s->pos += got;
    }
    return true;
}

/* Where to start: after what the index holds when the file only grew
 * (its first r->done bytes hash as they did), else from the start with
 * a full pass. The first job says which. */
static int start(struct sfile *s, char *buf)
{
    struct rec *r = s->r;
    struct stream_part *sp = s->j->sp;
    bool same_meta = strcmp(r->meta, s->p->offered) == 0, resume = false;
    char h[33];

    if (r->stream && r->failed == NULL && same_meta && !r->conflict && r->done > 0 &&
        r->done <= s->f->size && hash_prefix(s, r->done, buf)) {
        hex128(s->hs, h);
        resume = strcmp(h, r->phash) == 0;
    }
    if (!resume) {
        XXH3_128bits_reset(s->hs);
        s->pos = 0;
        s->line = 0;
        if (lseek(s->fd, 0, SEEK_SET) != 0)
            return att_err_set(s->err, ATT_E_IO, "cannot read: %s", strerror(errno));
    }
    s->done = s->pos;
    hex128(s->hs, s->phash);
    s->view = rtab_clone(r->stream && r->failed == NULL ? r->tab : NULL);
    if (s->view == NULL)
        return att_err_set(s->err, ATT_E_NOMEM, "out of memory");
    s->rescan = resume ? r->rescan : true;
    sp->reset = !resume && (!r->stream || r->failed != NULL);
    sp->clear_seen = !resume && !sp->reset;
    for (size_t i = 0; sp->clear_seen && i < s->view->nslots; i++)
        s->view->vals[i] &= ~(uint64_t)REC_SEEN;
    s->changed = sp->reset; /* whatever the records, the index changes */
    return ATT_OK;
}

static int hand_on(struct sfile *s);

/* A record read: skipped when its line is the one the table remembers,
 * left out when another file holds its id, else built into the job. */
static int on_doc(void *ud, struct att_doc *doc, long line)
{
    struct sfile *s = ud;
    struct preparer *p = s->p;
    struct stream_part *sp = s->j->sp;
    uint64_t key = ids_key(doc->id), *v = rtab_get(s->view, key), meta_h = 0;
    unsigned applied = 0;
    size_t n0 = s->j->ndocs;
    struct rec *keeper = NULL;
    int rc;

    if (v != NULL && ((*v ^ s->line_hash) & REC_HASH_MASK) == 0) {
        *v |= REC_SEEN;
        sp->unchanged++;
        return ATT_OK;
    }
    /* Met before in this pass (an id twice in the file): the job so far
     * goes first, so that this line's passages replace the earlier ones. */
    if (v != NULL && (*v & REC_SEEN) && s->j->ndocs + s->j->sp->nups > 0) {
        rc = hand_on(s);
        if (rc != ATT_OK)
            return rc;
        sp = s->j->sp;
        n0 = 0;
    }
    if (v == NULL && ids_claim(&p->ids, s->r, key, &keeper) != ATT_OK)
        return ATT_E_NOMEM;
    if (keeper != NULL) {
        s->lost = true;
        return state_conflict(p->st, doc->id, line, s->r, keeper);
    }
    if (doc->warning != NULL)
        att_log(ATT_WARN, "%s:%ld: %s", s->f->id, line, doc->warning);
    rc = att_sidecar_apply(&p->set, doc, &meta_h, &applied);
    if (rc == ATT_OK)
        rc = prepare_doc(p, s->j, doc, s->err);
    for (size_t i = n0; rc == ATT_OK && i < s->j->ndocs; i++) {
        char term[ATT_TERM_MAX + 1];
        size_t n = rec_term(term, s->f->id, key);

        rc = att_xdoc_term(s->j->docs[i], term, n, s->err);
    }
    if (rc != ATT_OK)
        return rc;
    if (push(&sp->dels, &sp->ndels, &sp->cdels, key) != ATT_OK ||
        push(&sp->ups, &sp->nups, &sp->cups, key) != ATT_OK ||
        push(&sp->ups, &sp->nups, &sp->cups,
             rec_val(s->line_hash, s->j->ndocs - n0, true)) != ATT_OK)
        return ATT_E_NOMEM;
    if (v != NULL)
        sp->updated++;
    else
        sp->added++;
    s->changed = true;
    s->job_bytes += doc->body_len;
    return rtab_put(s->view, key, rec_val(s->line_hash, s->j->ndocs - n0, true));
}

static void on_bad(void *ud, long line, const char *why)
{
    struct sfile *s = ud;

    att_log(ATT_WARN, "%s:%ld: skipped: %s", s->f->id, line, why);
}

/* Hand the job on (its progress: s->done) and start the next one. */
static int hand_on(struct sfile *s)
{
    struct stream_part *sp = s->j->sp;

    sp->done = s->done;
    memcpy(sp->phash, s->phash, sizeof sp->phash);
    sp->rescan = s->rescan;
    s->job_bytes = 0;
    return stream_hand_on(s->p, &s->j, s->err);
}

int stream_hand_on(struct preparer *p, struct job **jp, struct att_err *err)
{
    struct job *j = *jp, *next = calloc(1, sizeof *next);

    if (next == NULL || (next->sp = new_part()) == NULL) {
        job_free(next);
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    }
    next->r = j->r;
    next->existed = j->existed;
    next->kind = JOB_STREAM;
    next->sp->plain = j->sp->plain;
    *jp = next;
    if (prepare_end_batch(p, j) != ATT_OK) {
        job_free(j);
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    }
    return p->emit(p->emit_ud, j, p->nfile) ? ATT_OK : ATT_E_INTERNAL;
}

/* One whole line (its bytes in s->lb) read: a record, or nothing. */
static int one_line(struct sfile *s, bool whole)
{
    struct att_doc_sink sink = {on_doc, on_bad, s};
    const char *d = s->lb.p;
    size_t n = s->lb.len;
    int rc = ATT_OK;

    s->line++;
    if (s->line == 1 && n >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0 && s->done == 0) {
        d += 3;
        n -= 3;
    }
    s->j->sp->lines++;
    if (s->skipping) {
        att_log(ATT_WARN, "%s:%ld: skipped: a record over %zu MB (--max-record)", s->f->id,
                s->line, s->p->o.max_record >> 20);
    } else {
        s->line_hash = XXH3_64bits_withSeed(d, n, s->seed);
        rc = att_read_jsonl_line(s->f->id, d, n, s->line, &sink, s->err);
    }
    s->skipping = false;
    att_buf_reset(&s->lb);
    if (whole) {
        s->done = s->pos; /* s->hs has hashed exactly these bytes */
        hex128(s->hs, s->phash);
    }
    if (rc == ATT_OK && whole && (s->j->ndocs >= JOB_PASSAGES || s->job_bytes >= JOB_BYTES))
        rc = hand_on(s);
    return rc;
}

/* Bytes buf[0..n) of the file: hashed, cut into lines, each line read. */
static int feed(struct sfile *s, const char *buf, size_t n)
{
    int rc = ATT_OK;

    while (rc == ATT_OK && n > 0) {
        const char *nl = memchr(buf, '\n', n);
        size_t k = nl != NULL ? (size_t)(nl - buf) + 1 : n;

        XXH3_128bits_update(s->hs, buf, k);
        s->pos += (int64_t)k;
        if (!s->skipping && s->lb.len + k > s->p->o.max_record + 1) {
            s->skipping = true;
            att_buf_reset(&s->lb);
        }
        if (!s->skipping && att_buf_add(&s->lb, buf, k) != ATT_OK)
            return att_err_set(s->err, ATT_E_NOMEM, "out of memory");
        if (nl != NULL)
            rc = one_line(s, true);
        buf += k;
        n -= k;
    }
    return rc;
}

/* Read from where start() left to the size the walk saw (less when the
 * file shrank). Returns ATT_OK, ATT_E_IO, or a failure of one_line. */
static int read_rest(struct sfile *s, char *buf)
{
    int rc = ATT_OK;

    while (rc == ATT_OK && s->pos < s->f->size && !*s->p->stop) {
        size_t want = s->f->size - s->pos < READ_SIZE ? (size_t)(s->f->size - s->pos)
                                                       : READ_SIZE;
        ssize_t got = read(s->fd, buf, want);

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return att_err_set(s->err, ATT_E_IO, "cannot read: %s", strerror(errno));
        if (got == 0)
            break;
        rc = feed(s, buf, (size_t)got);
    }
    if (rc == ATT_OK && !*s->p->stop && (s->lb.len > 0 || s->skipping))
        rc = one_line(s, false); /* the last line, without its newline */
    return rc;
}

/* The records of a full pass that were not met are gone; the file's ids
 * settle; the last job says what the file holds. */
static int finish(struct sfile *s)
{
    struct stream_part *sp = s->j->sp;
    size_t n;
    bool ok;
    uint64_t *keys;

    for (size_t i = 0; s->rescan && i < s->view->nslots; i++) {
        if (s->view->keys[i] == 0 || (s->view->vals[i] & REC_SEEN))
            continue;
        if (push(&sp->gone, &sp->ngone, &sp->cgone, s->view->keys[i]) != ATT_OK)
            return att_err_set(s->err, ATT_E_NOMEM, "out of memory");
        sp->removed++;
        s->changed = true;
    }
    for (size_t i = 0; i < sp->ngone; i++)
        rtab_del(s->view, sp->gone[i]);
    keys = rtab_keys(s->view, &n, &ok);
    if (!ok)
        return att_err_set(s->err, ATT_E_NOMEM, "out of memory");
    ids_settle(&s->p->ids, s->r, keys, n);
    sp->final = true;
    sp->rescan = false;
    sp->done = s->done;
    memcpy(sp->phash, s->phash, sizeof sp->phash);
    sp->changed = s->changed;
    sp->conflict = s->lost;
    memcpy(sp->meta, s->p->offered, sizeof sp->meta);
    hex128(s->hs, sp->hash);
    if (n == 0) { /* as the whole-file reader says it */
        sp->fail = true;
        snprintf(s->j->why, sizeof s->j->why, "no document in the file");
    }
    return ATT_OK;
}

/* The file cannot be read: the job says why (the file's passages go). */
static void cannot(struct sfile *s, const char *why)
{
    stream_fail(s->j, why);
}

void stream_fail(struct job *j, const char *why)
{
    j->sp->fail = true;
    snprintf(j->why, sizeof j->why, "%s", why);
    for (size_t i = 0; i < j->ndocs; i++)
        att_xdoc_free(j->docs[i]);
    j->ndocs = 0;
}

static int run(struct sfile *s)
{
    char *buf = malloc(READ_SIZE);
    ssize_t got;
    int rc;

    if (buf == NULL)
        return att_err_set(s->err, ATT_E_NOMEM, "out of memory");
    got = pread(s->fd, buf, 8192, 0);
    if (got > 0 && memchr(buf, '\0', (size_t)got) != NULL) {
        free(buf);
        cannot(s, "binary content");
        return ATT_OK;
    }
    rc = start(s, buf);
    if (rc == ATT_OK)
        rc = read_rest(s, buf);
    free(buf);
    if (rc == ATT_OK && !*s->p->stop)
        rc = finish(s);
    return rc;
}

struct job *stream_file(struct preparer *p, struct job *j, const struct walk_file *f,
                        bool *fatal, struct att_err *err)
{
    struct sfile s = {.p = p, .r = j->r, .f = f, .j = j, .err = err};
    struct att_err ferr = {0};
    int rc = ATT_OK;

    j->kind = JOB_STREAM;
    j->sp = new_part();
    s.hs = XXH3_createState();
    att_buf_init(&s.lb, SIZE_MAX / 2);
    s.seed = XXH3_64bits(p->offered, strlen(p->offered));
    s.fd = open(f->path, O_RDONLY | O_CLOEXEC);
    s.err = &ferr;
    if (j->sp == NULL || s.hs == NULL) {
        rc = att_err_set(&ferr, ATT_E_NOMEM, "out of memory");
    } else if (s.fd < 0) {
        snprintf(ferr.msg, sizeof ferr.msg, "cannot open: %s", strerror(errno));
        cannot(&s, ferr.msg);
    } else {
        XXH3_128bits_reset(s.hs);
        rc = run(&s);
    }
    if (rc == ATT_E_IO) {
        cannot(&s, ferr.msg);
        rc = ATT_OK;
    }
    if (s.fd >= 0)
        close(s.fd);
    XXH3_freeState(s.hs);
    rtab_free(s.view);
    att_buf_free(&s.lb);
    if (rc == ATT_OK && !*p->stop)
        return s.j;
    if (rc == ATT_OK && s.j->ndocs + s.j->sp->nups > 0)
        hand_on(&s); /* stopped: what was read is kept */
    job_free(s.j);
    *fatal = rc != ATT_OK && rc != ATT_E_INTERNAL;
    if (*fatal)
        att_err_set(err, rc, "%s: %s", f->id, ferr.msg);
    return NULL;
}
