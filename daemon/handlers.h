/* attached: the operations. Each does what can fail first; once it has
 * an answer it calls reply_begin, which writes the response's "id" and
 * "ok", and then writes its own members (the caller closes the object).
 * Returns ATT_OK or a status with err filled, and fails only before
 * reply_begin. Run in the worker's thread, with its index handle. */
#ifndef ATT_HANDLERS_H
#define ATT_HANDLERS_H

#include <stdbool.h>

#include "jsonw.h"
#include "protocol.h"
#include "server.h"

struct reply {
    struct att_jw *jw;              /* the response line */
    const struct att_request *req;
    bool begun;                     /* reply_begin was called */
    size_t hits;                    /* for the request log */
};

/* {"id":...,"ok":true and rp->begun set. */
void reply_begin(struct reply *rp);

int handle_search(struct worker *w, const struct att_request *req, struct reply *rp,
                  struct att_err *err);
int handle_get(struct worker *w, const struct att_request *req, struct reply *rp,
               struct att_err *err);
int handle_stats(struct worker *w, struct reply *rp, struct att_err *err);
int handle_ping(struct worker *w, struct reply *rp, struct att_err *err);
int handle_auth(struct worker *w, struct reply *rp, struct att_err *err); /* after the check */

#endif
