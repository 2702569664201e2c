/* attached: the operations. Each fills the response object it is given
 * (which already holds "id" and "ok") and returns ATT_OK or a status with
 * err filled. Run in the worker's thread, with its index handle. */
#ifndef ATT_HANDLERS_H
#define ATT_HANDLERS_H

#include <cjson/cJSON.h>

#include "protocol.h"
#include "server.h"

struct reply_info {
    size_t hits;  /* for the request log */
};

int handle_search(struct worker *w, const struct att_request *req, cJSON *resp,
                  struct reply_info *info, struct att_err *err);
int handle_get(struct worker *w, const struct att_request *req, cJSON *resp,
               struct att_err *err);
int handle_stats(struct worker *w, cJSON *resp, struct att_err *err);
int handle_ping(struct worker *w, cJSON *resp, struct att_err *err);
int handle_auth(struct worker *w, cJSON *resp, struct att_err *err); /* after the check */

#endif
