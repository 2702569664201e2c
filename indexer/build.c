/* attache-index: applies prepared jobs to the index in atomic batches;
 * the reading and parsing run meanwhile in a preparer thread. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "log.h"
#include "prepare.h"
#include "records.h"
#include "store.h"
#include "terms.h"

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
    rc = records_flush(b, err); /* a streamed file's progress goes with its passages */
    if (rc != ATT_OK)
        return rc;
    snprintf(rev, sizeof rev, "%llu", (unsigned long long)(b->revision + 1));
    rc = att_xwdb_set_meta(b->w, ATT_META_REVISION, strlen(ATT_META_REVISION), rev,
                           strlen(rev), err);
    if (rc == ATT_OK)
        rc = att_xwdb_set_meta(b->w, ATT_META_FORMAT, strlen(ATT_META_FORMAT),
                               ATT_FORMAT_VERSION, strlen(ATT_FORMAT_VERSION), err);
    if (rc == ATT_OK && b->o.share_n > 1) {
        char share[32];

        snprintf(share, sizeof share, "%u/%u", b->o.share_k, b->o.share_n);
        rc = att_xwdb_set_meta(b->w, ATT_META_SHARE, strlen(ATT_META_SHARE), share,
                               strlen(share), err);
    }
    if (rc == ATT_OK)
        rc = att_xwdb_commit(b->w, err);
    b->in_tx = false;
    if (rc == ATT_OK)
        b->revision++;
    b->batch_passages = 0;
    return rc;
}

int build_touch(struct builder *b, struct att_err *err)
{
    int rc = ensure_tx(b, err);

    return rc == ATT_OK ? build_flush(b, err) : rc;
}

int build_set_meta(struct builder *b, const char *key, const char *val, size_t len,
                   struct att_err *err)
{
    int rc = ensure_tx(b, err);

    return rc == ATT_OK ? att_xwdb_set_meta(b->w, key, strlen(key), val, len, err) : rc;
}

void build_abort(struct builder *b)
{
    if (b->in_tx)
        att_xwdb_cancel(b->w, NULL);
    b->in_tx = false;
    b->dirty = NULL;
}

static struct att_xgroup *groups(struct builder *b, struct att_err *err)
{
    if (b->grp == NULL && (b->grp = att_xgroup_new(b->w, b->path)) == NULL)
        att_err_set(err, ATT_E_NOMEM, "out of memory");
    return b->grp;
}

int build_drop(struct builder *b, const char *term, size_t n, struct att_err *err)
{
    struct att_xgroup *g = groups(b, err);
    int rc = g ? att_xgroup_leave(b->w, g, term, n, err) : ATT_E_NOMEM;

    return rc == ATT_OK ? att_xwdb_delete_term(b->w, term, n, err) : rc;
}

int build_add(struct builder *b, struct att_xdoc *const *docs, size_t ndocs,
              struct att_err *err)
{
    struct att_xgroup *g = groups(b, err);
    int rc = g ? ATT_OK : ATT_E_NOMEM;

    for (size_t i = 0; rc == ATT_OK && i < ndocs; i++)
        rc = att_xgroup_add(b->w, g, docs[i], err);
    if (rc == ATT_OK)
        return att_xgroup_settle(b->w, g, err);
    att_xgroup_free(b->grp); /* and what it noted of a change that failed */
    b->grp = NULL;
    return rc;
}

/* Replace the passages indexed by term[0..n) with docs[0..ndocs) (none:
 * delete them), groups and all. */
static int swap_passages(struct builder *b, const char *term, size_t n,
                         struct att_xdoc *const *docs, size_t ndocs, struct att_err *err)
{
    int rc = build_drop(b, term, n, err);

    return rc == ATT_OK ? build_add(b, docs, ndocs, err) : rc;
}

void build_end(struct builder *b)
{
    att_xgroup_free(b->grp);
    b->grp = NULL;
    free(b->path);
    b->path = NULL;
}

/* r, indexed whole or failed, is no longer a stream (a text that shrank). */
static void whole(struct rec *r)
{
    r->stream = false;
    r->rescan = false;
    r->done = 0;
    r->tbase = 0;
    r->phash[0] = '\0';
}

/* Record a file that could not be indexed; its old passages go too. */
static int fail_file(struct builder *b, struct rec *r, const char *why, struct att_err *err)
{
    char term[ATT_TERM_MAX + 1];
    size_t n = att_term(term, ATT_P_FILE, r->id, strlen(r->id));
    int rc = swap_passages(b, term, n, NULL, 0, err);

    att_log(ATT_ERROR, "%s: skipped: %s", r->id, why);
    b->c.failed++;
    whole(r);
    r->docs = 0;
    r->passages = 0;
    r->lane = b->lane;
    if (rc == ATT_OK && state_set_str(&r->failed, why) != ATT_OK)
        rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    if (rc == ATT_OK)
        rc = state_save(b->w, r, err);
    return rc;
}

/* Replace r's passages with the job's documents. */
static int replace_file(struct builder *b, struct job *j, struct att_err *err)
{
    struct rec *r = j->r;
    char term[ATT_TERM_MAX + 1];
    size_t n = att_term(term, ATT_P_FILE, r->id, strlen(r->id));
    int rc = swap_passages(b, term, n, j->docs, j->ndocs, err);

    b->batch_passages += (unsigned)j->ndocs;
    whole(r);
    r->docs = j->ndoc;
    r->passages = (uint32_t)j->ndocs;
    r->lane = b->lane;
    free(r->failed);
    r->failed = NULL;
    if (rc == ATT_OK)
        rc = state_save(b->w, r, err);
    if (rc == ATT_OK && j->existed) {
        b->c.updated++;
        b->c.meta_updated += j->meta_only;
    } else if (rc == ATT_OK)
        b->c.added++;
    return rc;
}

static int apply_job(struct builder *b, struct job *j, struct att_err *err)
{
    int rc;

    if (j->kind == JOB_END) { /* words counted since the last commit, if any */
        if (j->spell == NULL || att_xgen_spelling_words(j->spell) == 0)
            return ATT_OK;
        rc = ensure_tx(b, err);
        return rc == ATT_OK ? att_xwdb_add_spelling(b->w, j->spell, err) : rc;
    }
    rc = ensure_tx(b, err);
    if (rc != ATT_OK)
        return rc;
    switch (j->kind) {
    case JOB_INDEX:
        rc = replace_file(b, j, err);
        break;
    case JOB_SAME:
        b->c.unchanged++;
        rc = state_save(b->w, j->r, err);
        break;
    case JOB_FAIL:
        rc = fail_file(b, j->r, j->why, err);
        break;
    case JOB_STREAM:
        rc = records_apply(b, j, err);
        break;
    case JOB_END:
        break;
    }
    if (rc == ATT_OK && j->spell != NULL)
        rc = att_xwdb_add_spelling(b->w, j->spell, err);
    /* The preparer marks the end of each batch with its spelling words;
     * with several lanes, a lane the marks miss commits on its own count. */
    if (rc == ATT_OK && (j->spell != NULL || b->batch_passages >= 2 * b->o.batch_passages))
        rc = build_flush(b, err);
    return rc;
}

/* The hand-off between the preparer thread and the writers (one per
 * lane): a FIFO of jobs, bounded by the passages it holds so memory stays
 * flat. Each lane takes the next job when it is free. */
#define QUEUE_MAX_PASSAGES 4096

struct queue {
    pthread_mutex_t mu;
    pthread_cond_t can_put, can_take;
    struct job *head, *tail;
    size_t passages;
    bool aborted;              /* a writer gave up: everyone stops */
    /* what the preparer reads */
    struct preparer p;
    const struct walk_list *files;
    volatile sig_atomic_t *stop;
    struct job **ends;         /* a closing job per lane, made in advance */
    size_t nlanes;
    unsigned shards;           /* > 1: jobs go to the lane of their shard */
    size_t done;               /* files written, for the progress bar */
    struct progress *pg;
    struct att_err err;        /* the preparer's fatal error */
};

/* Queue j; false when the writer has aborted (j is then freed). */
static bool put(struct queue *q, struct job *j)
{
    pthread_mutex_lock(&q->mu);
    while (!q->aborted && q->head != NULL && q->passages + j->ndocs > QUEUE_MAX_PASSAGES)
        pthread_cond_wait(&q->can_put, &q->mu);
    if (q->aborted) {
        pthread_mutex_unlock(&q->mu);
        job_free(j);
        return false;
    }
    if (q->tail != NULL)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
    q->passages += j->ndocs;
    pthread_cond_broadcast(&q->can_take); /* the lane it is for may not be the first */
    pthread_mutex_unlock(&q->mu);
    return true;
}

/* The first queued job lane may take (unlinked), or NULL. */
static struct job *unlink_for(struct queue *q, int lane)
{
    struct job *prev = NULL;

    for (struct job *j = q->head; j != NULL; prev = j, j = j->next) {
        if (j->lane >= 0 && j->lane != lane)
            continue;
        if (prev != NULL)
            prev->next = j->next;
        else
            q->head = j->next;
        if (q->tail == j)
            q->tail = prev;
        return j;
    }
    return NULL;
}

/* The next job for lane, or NULL once another lane has aborted the run. */
static struct job *take(struct queue *q, int lane)
{
    struct job *j = NULL;

    pthread_mutex_lock(&q->mu);
    while (!q->aborted && (j = unlink_for(q, lane)) == NULL)
        pthread_cond_wait(&q->can_take, &q->mu);
    if (j == NULL) {
        pthread_mutex_unlock(&q->mu);
        return NULL;
    }
    q->passages -= j->ndocs;
    pthread_cond_broadcast(&q->can_put);
    pthread_mutex_unlock(&q->mu);
    return j;
}

/* A streamed file's job before its last: to the writer of its file. */
static bool emit_job(void *ud, struct job *j, size_t done)
{
    struct queue *q = ud;

    j->done = done;
    j->lane = q->shards > 1 ? (int)store_shard_of(j->r->id, q->shards) : 0;
    return put(q, j);
}

static void *preparer_main(void *arg)
{
    struct queue *q = arg;
    bool fatal = prepare_begin(&q->p, q->files, &q->err) != ATT_OK;
    size_t i;

    for (i = 0; i < q->files->n && !*q->stop && !fatal; i++) {
        const struct walk_file *f = &q->files->v[i];
        struct job *j;

        if (q->p.o.share_n > 1 && store_shard_of(f->id, q->p.o.share_n) != q->p.o.share_k)
            continue; /* another index's share */
        q->p.nfile = i;
        j = prepare_file(&q->p, f, &fatal, &q->err);

        if (j != NULL) {
            j->done = i + 1;
            j->lane = q->shards > 1 ? (int)store_shard_of(j->r->id, q->shards) : -1;
            if (j->sp != NULL && j->lane < 0)
                j->lane = 0; /* a streamed file's jobs all go to one writer */
        }
        if (j != NULL && !put(q, j))
            break;
    }
    /* The closing jobs were made before the thread started, so that every
     * writer gets one, even when memory ran out here. The first carries
     * the last batch's spelling words. */
    for (size_t k = 0; k < q->nlanes; k++) {
        struct job *end = q->ends[k];

        q->ends[k] = NULL;
        end->kind = JOB_END;
        end->done = i;
        end->lane = (int)k;
        if (fatal) {
            end->why[0] = '!';
        } else if (k == 0) {
            end->spell = q->p.g;
            q->p.g = NULL;
        }
        put(q, end);
    }
    return NULL;
}

/* A writer stopped early: wake the preparer and the other lanes. */
static void drain(struct queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->aborted = true;
    pthread_cond_broadcast(&q->can_put);
    pthread_cond_broadcast(&q->can_take);
    pthread_mutex_unlock(&q->mu);
}

static void discard(struct queue *q)
{
    while (q->head != NULL) {
        struct job *j = q->head;

        q->head = j->next;
        job_free(j);
    }
    q->tail = NULL;
}

/* A writer's loop: apply jobs until its JOB_END, or until another lane
 * aborts. */
static int consume(struct builder *b, struct queue *q)
{
    int rc = ATT_OK;

    for (;;) {
        struct job *j = take(q, (int)b->lane);
        bool end, fatal;
        size_t done;

        if (j == NULL)
            return ATT_OK; /* the lane that failed reports */
        end = j->kind == JOB_END;
        fatal = end && j->why[0] == '!';
        done = j->done;
        if (j->sp != NULL)
            progress_records(q->pg, j->sp->lines);
        rc = fatal ? att_err_set(&b->err, q->err.code, "%s", q->err.msg)
                   : apply_job(b, j, &b->err);
        job_free(j);
        pthread_mutex_lock(&q->mu); /* files written, not merely read ahead */
        if (done > q->done)
            q->done = done;
        progress_tick(q->pg, q->done);
        pthread_mutex_unlock(&q->mu);
        if (rc != ATT_OK)
            drain(q);
        if (end || rc != ATT_OK)
            return rc;
    }
}

struct lane {
    struct builder *b;
    struct queue *q;
    int rc;
};

static void *lane_main(void *arg)
{
    struct lane *l = arg;

    l->rc = consume(l->b, l->q);
    return NULL;
}

static void free_ends(struct queue *q)
{
    for (size_t k = 0; k < q->nlanes; k++)
        free(q->ends[k]);
    free(q->ends);
}

int build_run(struct builder *lanes, size_t nlanes, unsigned shards,
              const struct walk_list *files, volatile sig_atomic_t *stop,
              struct progress *pg, struct att_err *err)
{
    struct queue q = {.files = files, .stop = stop, .nlanes = nlanes,
                      .shards = shards, .pg = pg};
    struct lane *ls = calloc(nlanes, sizeof *ls);
    pthread_t *tids = calloc(nlanes, sizeof *tids); /* [0]: the preparer */
    size_t running = 1;
    int rc = ls && tids ? prepare_init(&q.p, lanes[0].st, &lanes[0].o, err)
                        : att_err_set(err, ATT_E_NOMEM, "out of memory");

    if (rc != ATT_OK) {
        free(ls);
        free(tids);
        return rc;
    }
    q.p.emit = emit_job;
    q.p.emit_ud = &q;
    q.p.stop = stop;
    q.ends = calloc(nlanes, sizeof *q.ends);
    for (size_t k = 0; q.ends != NULL && k < nlanes; k++) {
        q.ends[k] = calloc(1, sizeof *q.ends[k]);
        if (q.ends[k] == NULL)
            rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    }
    if (q.ends == NULL)
        rc = att_err_set(err, ATT_E_NOMEM, "out of memory");
    pthread_mutex_init(&q.mu, NULL);
    pthread_cond_init(&q.can_put, NULL);
    pthread_cond_init(&q.can_take, NULL);
    if (rc == ATT_OK && pthread_create(&tids[0], NULL, preparer_main, &q) != 0)
        rc = att_err_set(err, ATT_E_INTERNAL, "cannot start a thread");
    /* Lane 0 writes from this thread, the others from their own; when a
     * thread cannot start, the lanes already running share its work, but
     * a shard's files have no other writer: then the run stops. */
    for (size_t k = 0; rc == ATT_OK && k < nlanes; k++)
        ls[k] = (struct lane){.b = &lanes[k], .q = &q};
    while (rc == ATT_OK && running < nlanes &&
           pthread_create(&tids[running], NULL, lane_main, &ls[running]) == 0)
        running++;
    if (rc == ATT_OK) {
        if (shards > 1 && running < nlanes) {
            ls[0].rc = att_err_set(&lanes[0].err, ATT_E_INTERNAL, "cannot start a thread");
            drain(&q);
        } else {
            ls[0].rc = consume(&lanes[0], &q);
        }
        for (size_t k = 1; k < running; k++)
            pthread_join(tids[k], NULL);
        pthread_join(tids[0], NULL);
        for (size_t k = 0; k < running && rc == ATT_OK; k++) {
            if (ls[k].rc != ATT_OK)
                rc = att_err_set(err, ls[k].rc, "%s", ls[k].b->err.msg);
        }
    }
    discard(&q);
    lanes[0].c.unchanged += q.p.c.unchanged;
    lanes[0].c.skipped += q.p.c.skipped;
    lanes[0].c.bytes_read += q.p.c.bytes_read;
    prepare_fini(&q.p);
    free_ends(&q);
    pthread_cond_destroy(&q.can_put);
    pthread_cond_destroy(&q.can_take);
    pthread_mutex_destroy(&q.mu);
    free(ls);
    free(tids);
    return rc;
}

int build_remove(struct builder *b, struct rec *r, struct att_err *err)
{
    char term[ATT_TERM_MAX + 1];
    size_t n = att_term(term, ATT_P_FILE, r->id, strlen(r->id));
    int rc = ensure_tx(b, err);

    if (rc == ATT_OK)
        rc = swap_passages(b, term, n, NULL, 0, err);
    if (rc == ATT_OK)
        rc = state_forget(b->w, r, err);
    if (rc == ATT_OK) {
        b->c.removed++;
        b->batch_passages += r->passages;
        if (b->batch_passages >= b->o.batch_passages)
            rc = build_flush(b, err);
    }
    return rc;
}
