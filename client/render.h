/* attache (client): daemon responses made readable: hits with their
 * highlighted words, quotations, wrapping to the terminal's width. */
#ifndef ATT_RENDER_CLIENT_H
#define ATT_RENDER_CLIENT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>

/* Markers the client asks the daemon to put around matches. */
#define MARK_ON "\x01"
#define MARK_OFF "\x02"
#define BOLD_ON "\x03"  /* for the client's own text: a title */
#define BOLD_OFF "\x04"

struct style {
    bool color;
    int width;
    bool full; /* whole passages instead of snippets */
};

/* The members of a hit (att_hit_field bits, lib/protocol.h) that
 * render_search prints with st, and with an explanation when explained:
 * what a search for it asks the daemon for. Keep the two in step. */
unsigned render_search_fields(const struct style *st, bool explained);

/* Print a search response; returns the number of hits. */
int render_search(FILE *out, const cJSON *resp, const struct style *st);

/* Print a get response (a document's passages). */
void render_get(FILE *out, const cJSON *resp, const struct style *st);

/* Print a stats response as "key: value" lines. */
void render_stats(FILE *out, const cJSON *resp);

/* Print text (which may hold MARK_ON/MARK_OFF) wrapped to st->width with
 * indent spaces before every line. Never cuts a UTF-8 character; wide East
 * Asian characters count as two columns. */
void render_wrapped(FILE *out, const char *text, int indent, const struct style *st);

/* The same with a first line indented by first (a hanging indent). */
void render_hanging(FILE *out, const char *text, int first, int indent,
                    const struct style *st);

#endif
