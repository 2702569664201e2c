/* attache-index: applies prepared jobs to the index in atomic batches;
 * the reading and parsing run meanwhile in a preparer thread. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "log.h"
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
    int rc = att_xwdb_delete_term(b->w, term, n, err);

    for (size_t i = 0; rc == ATT_OK && i < j->ndocs; i++)
        rc = att_xwdb_add(b->w, j->docs[i], err);
    r->docs = j->ndoc;
    r->passages = (uint32_t)j->ndocs;
    free(r->failed);
    r->failed = NULL;
    if (rc == ATT_OK)
        rc = state_save(b->w, r, err);
    if (rc == ATT_OK && j->existed)
        b->c.updated++;
    else if (rc == ATT_OK)
        b->c.added++;
    return rc;
}

static int apply_job(struct builder *b, struct job *j, struct att_err *err)
{
    int rc;

    if (j->kind == JOB_END) /* words counted since the last commit, if any */
        return b->in_tx && j->spell ? att_xwdb_add_spelling(b->w, j->spell, err) : ATT_OK;
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
    case JOB_END:
        break;
    }
    if (rc == ATT_OK && j->spell != NULL)
        rc = att_xwdb_add_spelling(b->w, j->spell, err);
    if (rc == ATT_OK && j->spell != NULL)
        rc = build_flush(b, err);
    return rc;
}

/* The hand-off between the preparer thread and the writer: a FIFO of
 * jobs, bounded by the passages it holds so memory stays flat. */
#define QUEUE_MAX_PASSAGES 4096

struct queue {
    pthread_mutex_t mu;
    pthread_cond_t can_put, can_take;
    struct job *head, *tail;
    size_t passages;
    bool aborted;              /* the writer gave up: stop preparing */
    /* what the preparer reads */
    struct preparer p;
    const struct walk_list *files;
    const char *const *roots;
    volatile sig_atomic_t *stop;
    struct job *end;           /* the closing job, made in advance */
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
    pthread_cond_signal(&q->can_take);
    pthread_mutex_unlock(&q->mu);
    return true;
}

static struct job *take(struct queue *q)
{
    struct job *j;

    pthread_mutex_lock(&q->mu);
    while (q->head == NULL)
        pthread_cond_wait(&q->can_take, &q->mu);
    j = q->head;
    q->head = j->next;
    if (q->head == NULL)
        q->tail = NULL;
    q->passages -= j->ndocs;
    pthread_cond_signal(&q->can_put);
    pthread_mutex_unlock(&q->mu);
    return j;
}

static void *preparer_main(void *arg)
{
    struct queue *q = arg;
    struct job *end = q->end;
    bool fatal = false;
    size_t i;

    for (i = 0; i < q->files->n && !*q->stop && !fatal; i++) {
        struct job *j = prepare_file(&q->p, &q->files->v[i], q->roots[i], &fatal, &q->err);

        if (j != NULL)
            j->done = i + 1;
        if (j != NULL && !put(q, j))
            break;
    }
    /* The closing job was made before the thread started, so that the
     * writer always gets one, even when memory ran out here. */
    q->end = NULL;
    end->kind = JOB_END;
    end->done = i;
    if (fatal) {
        end->why[0] = '!';
    } else {
        end->spell = q->p.g; /* the last batch's spelling words */
        q->p.g = NULL;
    }
    put(q, end);
    return NULL;
}

/* Free what is left in the queue after the writer stopped early. */
static void drain(struct queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->aborted = true;
    pthread_cond_broadcast(&q->can_put);
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

/* The writer's loop: apply jobs until the preparer's JOB_END. */
static int consume(struct builder *b, struct queue *q, struct progress *pg, struct att_err *err)
{
    int rc = ATT_OK;

    for (;;) {
        struct job *j = take(q);
        bool end = j->kind == JOB_END, fatal = end && j->why[0] == '!';

        size_t done = j->done;

        rc = fatal ? att_err_set(err, q->err.code, "%s", q->err.msg) : apply_job(b, j, err);
        job_free(j);
        progress_tick(pg, done); /* files written, not merely read ahead */
        if (end || rc != ATT_OK)
            return rc;
    }
}

int build_run(struct builder *b, const struct walk_list *files, const char *const *roots,
              volatile sig_atomic_t *stop, struct progress *pg, struct att_err *err)
{
    struct queue q = {.files = files, .roots = roots, .stop = stop};
    pthread_t tid;
    int rc = prepare_init(&q.p, b->st, &b->o, err);

    if (rc != ATT_OK)
        return rc;
    q.end = calloc(1, sizeof *q.end);
    if (q.end == NULL) {
        prepare_fini(&q.p);
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    }
    pthread_mutex_init(&q.mu, NULL);
    pthread_cond_init(&q.can_put, NULL);
    pthread_cond_init(&q.can_take, NULL);
    if (pthread_create(&tid, NULL, preparer_main, &q) != 0) {
        prepare_fini(&q.p);
        free(q.end);
        return att_err_set(err, ATT_E_INTERNAL, "cannot start a thread");
    }
    rc = consume(b, &q, pg, err);
    if (rc != ATT_OK)
        drain(&q);
    pthread_join(tid, NULL);
    discard(&q);
    b->c.unchanged += q.p.c.unchanged;
    b->c.skipped += q.p.c.skipped;
    b->c.bytes_read += q.p.c.bytes_read;
    prepare_fini(&q.p);
    pthread_cond_destroy(&q.can_put);
    pthread_cond_destroy(&q.can_take);
    pthread_mutex_destroy(&q.mu);
    return rc;
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
        if (b->batch_passages >= b->o.batch_passages)
            rc = build_flush(b, err);
    }
    return rc;
}
