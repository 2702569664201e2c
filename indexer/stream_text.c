/* attache-index: a .txt or .md file larger than one batch's text, read in
 * pieces of about a megabyte, each cut where a paragraph (else a line, a
 * sentence, a word) ends, so that memory does not grow with the file.
 * Each piece's passages are a part of their own (records.h: plain),
 * numbered and placed as in the whole document; the record's progress
 * goes into the index with each batch, and a killed run resumes at the
 * last piece committed. Pieces are cut by their own bytes alone, so a
 * resumed pass gives the passages a clean one does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "buf.h"
#include "log.h"
#include "records.h"
#include "stream.h"

#define PIECE (1u << 20)      /* a piece ends in the second half of this many bytes */
#define READ_SIZE (1u << 20)  /* bytes read at a time */

struct tfile {
    struct preparer *p;
    struct rec *r;
    const struct walk_file *f;
    int fd;
    struct job *j;            /* the part being filled */
    struct att_doc head;      /* the document's metadata, from its first piece */
    XXH3_state_t *hs;         /* hash of the bytes cut into pieces so far */
    int64_t done;             /* their count */
    struct att_buf buf;       /* bytes read past them */
    bool eof;
    unsigned base_n;          /* passages before the next piece */
    int64_t base_off;         /* bytes of the document's text before it */
    char hash[33];            /* of the whole file */
    struct att_err *err;
};

static void hex128(XXH128_hash_t h, char out[33])
{
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
}

/* Hash the file's bytes from where fd is to n (-1: its end) into hs.
 * ATT_OK, or ATT_E_IO (err filled) when fewer could be read. */
static int hash_to(int fd, int64_t n, XXH3_state_t *hs, char *buf, struct att_err *err)
{
    int64_t pos = 0;

    while (n < 0 || pos < n) {
        size_t want = n < 0 || n - pos > READ_SIZE ? READ_SIZE : (size_t)(n - pos);
        ssize_t got = read(fd, buf, want);

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return att_err_set(err, ATT_E_IO, "cannot read: %s", strerror(errno));
        if (got == 0)
            return n < 0 ? ATT_OK : att_err_set(err, ATT_E_IO, "the file shrank");
        XXH3_128bits_update(hs, buf, (size_t)got);
        pos += got;
    }
    return ATT_OK;
}

/* Read until more than a piece is buffered or the file ends. */
static int fill(struct tfile *s)
{
    char *tmp = malloc(READ_SIZE);
    int rc = tmp ? ATT_OK : att_err_set(s->err, ATT_E_NOMEM, "out of memory");

    while (rc == ATT_OK && !s->eof && s->buf.len <= PIECE) {
        ssize_t got = read(s->fd, tmp, READ_SIZE);

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            rc = att_err_set(s->err, ATT_E_IO, "cannot read: %s", strerror(errno));
        else if (got == 0)
            s->eof = true;
        else if (att_buf_add(&s->buf, tmp, (size_t)got) != ATT_OK)
            rc = att_err_set(s->err, ATT_E_NOMEM, "out of memory");
    }
    free(tmp);
    return rc;
}

/* The last place in d[lo..hi) after which a piece may end, by the
 * strongest boundary found: a paragraph, a line, a sentence, a word; 0
 * when none. */
static size_t boundary(const char *d, size_t lo, size_t hi)
{
    static const char *const after[] = {"\n\n", "\n", ". ", "? ", "! ", " "};

    for (size_t k = 0; k < sizeof after / sizeof *after; k++) {
        size_t m = strlen(after[k]);

        for (size_t i = hi - m; i >= lo; i--) {
            if (memcmp(d + i, after[k], m) == 0)
                return i + m;
        }
    }
    return 0;
}

/* Bytes in the next piece: all that is left at the end of the file when
 * it fits, else a cut in the second half of PIECE bytes (on a UTF-8
 * character's start when no boundary is found). Depends on those bytes
 * only, whatever was read past them. */
static size_t cut(const char *d, size_t n, bool eof)
{
    size_t at;

    if (n <= PIECE && eof)
        return n;
    at = boundary(d, PIECE / 2, PIECE);
    if (at == 0) {
        at = PIECE;
        while (at > PIECE / 2 && ((unsigned char)d[at] & 0xC0) == 0x80)
            at--;
    }
    return at;
}

static int steal_doc(void *ud, struct att_doc *doc, long line)
{
    (void)line;
    *(struct att_doc *)ud = *doc;
    att_doc_init(doc);
    return ATT_OK;
}

/* A piece parsed as its file's format (a later one after a line break,
 * so that it has no header or front matter of its own). ATT_OK, ATT_E_EMPTY
 * (no text: out stays empty), or ATT_E_NOMEM. */
static int parse_piece(struct tfile *s, const char *d, size_t n, bool first,
                       struct att_doc *out)
{
    struct att_doc_sink sink = {steal_doc, NULL, out};
    struct att_err perr = {0};
    char *copy = first ? NULL : malloc(n + 1);
    int rc;

    att_doc_init(out);
    if (!first && copy == NULL)
        return att_err_set(s->err, ATT_E_NOMEM, "out of memory");
    if (copy != NULL) {
        copy[0] = '\n';
        memcpy(copy + 1, d, n);
    }
    rc = att_doc_parse(s->f->id, s->f->fmt, copy ? copy : d, copy ? n + 1 : n, &sink, &perr);
    free(copy);
    if (rc == ATT_E_NOMEM)
        return att_err_set(s->err, rc, "out of memory");
    return rc == ATT_OK ? ATT_OK : ATT_E_EMPTY;
}

/* The document's metadata from its first piece (cut from byte 0), with
 * what its folder offers; the piece's text in *text when asked for. */
static int read_head(struct tfile *s, const char *d, size_t n, struct att_doc *text)
{
    uint64_t meta_h = 0;
    unsigned applied = 0;
    int rc = parse_piece(s, d, n, true, &s->head);

    if (rc == ATT_E_EMPTY)
        return att_err_set(s->err, ATT_E_IO, "no text in its first %u KB", (unsigned)n >> 10);
    if (rc != ATT_OK)
        return rc;
    if (s->head.warning != NULL)
        att_log(ATT_WARN, "%s: %s", s->f->id, s->head.warning);
    if (att_sidecar_apply(&s->p->set, &s->head, &meta_h, &applied) != ATT_OK)
        return att_err_set(s->err, ATT_E_NOMEM, "out of memory");
    if (text != NULL) {
        att_doc_init(text);
        text->body = s->head.body;
        text->body_len = s->head.body_len;
    } else {
        free(s->head.body);
    }
    s->head.body = NULL;
    s->head.body_len = 0;
    return ATT_OK;
}

/* Markdown's text ends at its last paragraph, which in the whole text a
 * blank line follows: the bytes of it a piece's text lacks. */
static size_t md_gap(enum att_format fmt, const struct att_doc *t)
{
    size_t nl = 0;

    while (nl < 2 && nl < t->body_len && t->body[t->body_len - 1 - nl] == '\n')
        nl++;
    return fmt == ATT_FMT_MD ? 2 - nl : 0;
}

/* The next piece's passages into the part at hand, its bytes consumed. */
static int one_piece(struct tfile *s)
{
    struct att_doc body, d;
    size_t n = cut(s->buf.p, s->buf.len, s->eof), n0 = s->j->ndocs;
    bool first = s->done == 0, lead;
    int rc = first ? read_head(s, s->buf.p, n, &body)
                   : parse_piece(s, s->buf.p, n, false, &body);

    /* The line break put before a later piece is not the document's. */
    lead = !first && rc == ATT_OK && body.body_len > 0 && body.body[0] == '\n';
    if (rc == ATT_OK) {
        d = s->head;
        d.body = body.body;
        d.body_len = body.body_len;
        s->base_off -= lead;
        s->p->base_n = s->base_n;
        s->p->base_off = (size_t)s->base_off;
        rc = prepare_doc(s->p, s->j, &d, s->err);
        s->p->base_n = 0;
        s->p->base_off = 0;
        s->base_n += (unsigned)(s->j->ndocs - n0);
        s->base_off += (int64_t)(body.body_len + md_gap(s->f->fmt, &body));
        att_doc_clear(&body);
    } else if (rc == ATT_E_EMPTY) {
        rc = ATT_OK; /* blank: nothing to index, its bytes are read */
    }
    if (rc != ATT_OK)
        return rc;
    XXH3_128bits_update(s->hs, s->buf.p, n);
    s->done += (int64_t)n;
    s->p->c.bytes_read += n;
    memmove(s->buf.p, s->buf.p + n, s->buf.len - n);
    s->buf.len -= n;
    return ATT_OK;
}

/* The part's progress: the bytes read, and whether the file is done. */
static void mark(struct tfile *s, bool final)
{
    struct stream_part *sp = s->j->sp;

    sp->done = s->done;
    hex128(XXH3_128bits_digest(s->hs), sp->phash);
    sp->tbase = s->base_off;
    sp->rescan = !final;
    sp->final = final;
    if (final) {
        sp->changed = true;
        memcpy(sp->hash, s->hash, sizeof sp->hash);
        memcpy(sp->meta, s->p->offered, sizeof sp->meta);
    }
}

/* Unchanged since its pass ended: a JOB_SAME. Else where to start: where
 * a killed pass over the same bytes stopped, or at the start (the file's
 * passages go first). */
static int start(struct tfile *s, char *tmp, bool *same)
{
    struct rec *r = s->r;
    bool meta = strcmp(r->meta, s->p->offered) == 0, ok = r->failed == NULL && meta;
    char h[33] = "";
    int rc;

    XXH3_128bits_reset(s->hs);
    rc = hash_to(s->fd, -1, s->hs, tmp, s->err);
    if (rc != ATT_OK)
        return rc;
    hex128(XXH3_128bits_digest(s->hs), s->hash);
    *same = ok && !r->rescan && strcmp(s->hash, r->hash) == 0;
    if (*same)
        return ATT_OK;
    XXH3_128bits_reset(s->hs);
    if (lseek(s->fd, 0, SEEK_SET) != 0)
        return att_err_set(s->err, ATT_E_IO, "cannot read: %s", strerror(errno));
    if (ok && r->stream && r->rescan && r->done > 0 && r->done <= s->f->size &&
        hash_to(s->fd, r->done, s->hs, tmp, s->err) == ATT_OK)
        hex128(XXH3_128bits_digest(s->hs), h);
    if (h[0] != '\0' && strcmp(h, r->phash) == 0) { /* resumed */
        s->done = r->done;
        s->base_n = r->passages;
        s->base_off = r->tbase;
        return ATT_OK;
    }
    XXH3_128bits_reset(s->hs);
    s->j->sp->reset = true;
    return lseek(s->fd, 0, SEEK_SET) == 0
               ? ATT_OK : att_err_set(s->err, ATT_E_IO, "cannot read: %s", strerror(errno));
}

/* A resumed pass needs the metadata of the first piece, read apart. */
static int head_again(struct tfile *s)
{
    int64_t at = s->done;
    int rc;

    if (lseek(s->fd, 0, SEEK_SET) != 0)
        return att_err_set(s->err, ATT_E_IO, "cannot read: %s", strerror(errno));
    rc = fill(s);
    if (rc == ATT_OK)
        rc = read_head(s, s->buf.p, cut(s->buf.p, s->buf.len, s->eof), NULL);
    att_buf_reset(&s->buf);
    s->eof = false;
    if (rc == ATT_OK && lseek(s->fd, at, SEEK_SET) != at)
        rc = att_err_set(s->err, ATT_E_IO, "cannot read: %s", strerror(errno));
    return rc;
}

static int run(struct tfile *s)
{
    char *tmp = malloc(READ_SIZE);
    bool same = false;
    int rc = tmp ? start(s, tmp, &same) : att_err_set(s->err, ATT_E_NOMEM, "out of memory");

    free(tmp);
    if (rc == ATT_OK && same) {
        s->j->kind = JOB_SAME;
        return ATT_OK;
    }
    if (rc == ATT_OK && s->done > 0)
        rc = head_again(s);
    while (rc == ATT_OK && !*s->p->stop) {
        rc = fill(s);
        if (rc == ATT_OK && s->buf.len > 0)
            rc = one_piece(s);
        if (rc != ATT_OK || (s->eof && s->buf.len == 0))
            break;
        mark(s, false);
        rc = stream_hand_on(s->p, &s->j, s->err);
    }
    if (rc == ATT_OK && !*s->p->stop)
        mark(s, true);
    return rc;
}

/* The file cannot be read: the part says why (the file's passages go). */
static void cannot(struct tfile *s, const char *why)
{
    memcpy(s->j->sp->hash, s->hash, sizeof s->hash);
    stream_fail(s->j, why);
}

struct job *stream_text_file(struct preparer *p, struct job *j, const struct walk_file *f,
                             bool *fatal, struct att_err *err)
{
    struct tfile s = {.p = p, .r = j->r, .f = f, .j = j};
    struct att_err ferr = {0};
    int rc = ATT_OK;

    j->kind = JOB_STREAM;
    j->sp = calloc(1, sizeof *j->sp);
    s.hs = XXH3_createState();
    s.err = &ferr;
    att_doc_init(&s.head);
    att_buf_init(&s.buf, SIZE_MAX / 2);
    s.fd = open(f->path, O_RDONLY | O_CLOEXEC);
    if (j->sp == NULL || s.hs == NULL) {
        rc = att_err_set(&ferr, ATT_E_NOMEM, "out of memory");
    } else if (s.fd < 0) {
        j->sp->plain = true;
        snprintf(ferr.msg, sizeof ferr.msg, "cannot open: %s", strerror(errno));
        cannot(&s, ferr.msg);
    } else {
        j->sp->plain = true;
        rc = run(&s);
    }
    if (rc == ATT_E_IO) {
        cannot(&s, ferr.msg);
        rc = ATT_OK;
    }
    if (s.fd >= 0)
        close(s.fd);
    XXH3_freeState(s.hs);
    att_doc_clear(&s.head);
    att_buf_free(&s.buf);
    if (rc == ATT_OK && !*p->stop)
        return s.j;
    job_free(s.j); /* stopped: the pieces read before were handed on */
    *fatal = rc != ATT_OK && rc != ATT_E_INTERNAL;
    if (*fatal)
        att_err_set(err, rc, "%s: %s", f->id, ferr.msg);
    return NULL;
}
