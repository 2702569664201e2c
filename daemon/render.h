/* attached: passage records (lib/record.h) into a response, through the
 * JSON writer: every documented member present, null when unknown. */
#ifndef ATT_RENDER_H
#define ATT_RENDER_H

#include <stdbool.h>

#include "attache/highlight.h"
#include "attache/index.h"
#include "jsonw.h"
#include "record.h"

/* The member key (NULL in an array): the passage's document, with the
 * members of mask (ATT_HF_DOC_* bits of protocol.h). */
void render_doc(struct att_jw *w, const char *key, const struct att_rec *r, unsigned mask);

/* The member key: the passage, with the members of mask (ATT_HF_P_*),
 * and with quotes its quotations (no matches: the get operation). */
void render_passage(struct att_jw *w, const char *key, const struct att_rec *r, unsigned mask,
                    bool quotes);

/* The member key: the passage's quotations, [{"text","speaker","role",
 * "start","end","matches"}], matches found with m (NULL: none); spans is
 * scratch space the caller keeps from one call to the next. */
void render_quotes(struct att_jw *w, const char *key, const struct att_rec *r,
                   const struct att_matcher *m, const struct att_phrases *ph,
                   struct att_spans *spans);

/* The member key: a hit's copies, [{"doc","passage"},...]. */
void render_dups(struct att_jw *w, const char *key, const struct att_dup *dups, size_t ndups);

/* The member key: [[start,end],...] */
void render_spans(struct att_jw *w, const char *key, const struct att_spans *s);

#endif
