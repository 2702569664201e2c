/* attached: stored passage data (the JSON the indexer wrote) into the
 * response's objects. */
#ifndef ATT_RENDER_H
#define ATT_RENDER_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "attache/highlight.h"
#include "attache/index.h"

/* {"id","title","date","source","url"} of the passage's document, each
 * null when the stored passage does not have it. */
cJSON *render_doc(const cJSON *stored);

/* {"n","start","end","text"} and, with quotes, "quotes" (no matches). */
cJSON *render_passage(const cJSON *stored, bool quotes);

/* The passage's quotations: [{"text","speaker","role","start","end",
 * "matches"}], matches found with m (NULL: none). */
cJSON *render_quotes(const cJSON *stored, const struct att_matcher *m,
                     const struct att_phrases *ph);

/* A hit's copies: [{"doc","passage"},...] (ndups of them). */
cJSON *render_dups(const struct att_dup *dups, size_t ndups);

/* [[start,end],...] */
cJSON *render_spans(const struct att_spans *s);

#endif
