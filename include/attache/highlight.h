/* attache: highlighting: which words of a passage match a query, and a
 * snippet of whole sentences around them. Words are cut by the index's own
 * rule; the caller supplies the word matcher (the daemon's comes from the
 * Xapian shim, which stems). */
#ifndef ATTACHE_HIGHLIGHT_H
#define ATTACHE_HIGHLIGHT_H

#include <stdbool.h>
#include <stddef.h>

#include "attache.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Says whether one word matches the query. word[0..len) (never empty,
 * valid UTF-8 when the text is) is the word as the index writes it but
 * for case, which is the text's: an acronym without its dots ("U.S." is
 * "US"), U+2019 and U+201B as an apostrophe, zero-width characters left
 * out; otherwise the text itself. */
struct att_matcher {
    bool (*match)(void *ud, const char *word, size_t len);
    void *ud;
};

/* The query's phrases, for att_match_phrase_spans_in: n phrases; phrase k
 * (k < n) is len(ud, k) words (at least 1); match(ud, k, words, lens)
 * says whether words[j][0..lens[j]) for j < len(ud, k), consecutive words
 * of the text (each as for att_matcher), are an occurrence of it. */
struct att_phrases {
    size_t n;
    size_t (*len)(void *ud, size_t k);
    bool (*match)(void *ud, size_t k, const char *const *words, const size_t *lens);
    void *ud;
};

/* Append to *out the byte ranges of text[0..len) whose words match. Words
 * are cut as Xapian's term generator cuts them for the index: runs of
 * Xapian word characters (letters, marks, numbers and '_' of any script)
 * joined by an apostrophe, '&' or a middle dot between two of them
 * ("don't", "O'Brien", "AT&T"), by ',' '.' or ';' between two digits
 * ("3,000", "1.5"), followed by up to three '+' or '#' ("C++"); capitals
 * with dots are one word ("U.S.", its range ending at the last letter).
 * Ranges never cut a UTF-8 character; an invalid byte separates words.
 * Matched words separated only by white space (or by
 * punctuation inside a phrase such as "U.S.-China") are merged into one
 * range, so a matched phrase is one span; the words of an occurrence of
 * one of the matcher's phrases are one range whatever lies between them.
 * Ranges are ordered and disjoint.
 * Returns ATT_OK or ATT_E_NOMEM. Pure: thread-safe. */
int att_match_spans(const char *text, size_t len, const struct att_matcher *m,
                    struct att_spans *out, struct att_err *err);

/* The same with text's sentences (from att_sentences) given, for a caller
 * that also makes a snippet of the text: they are found once. */
int att_match_spans_in(const char *text, size_t len, const struct att_spans *sentences,
                       const struct att_matcher *m, struct att_spans *out,
                       struct att_err *err);

/* The same, with each occurrence of one of the phrases p (NULL: none)
 * marked as one range, its words matched whatever m says of them alone
 * (so a matcher that says no to the words that are only in phrases marks
 * them only where the whole phrase occurs). */
int att_match_phrase_spans_in(const char *text, size_t len, const struct att_spans *sentences,
                              const struct att_matcher *m, const struct att_phrases *p,
                              struct att_spans *out, struct att_err *err);

/* The same, text's sentences found here. */
int att_match_phrase_spans(const char *text, size_t len, const struct att_matcher *m,
                           const struct att_phrases *p, struct att_spans *out,
                           struct att_err *err);

struct att_snippet_opts {
    const char *pre;    /* put before each match ("<b>") */
    const char *post;   /* put after each match ("</b>") */
    size_t length;      /* most bytes of passage text to show (240) */
    const char *ellipsis; /* marks text left out ("…") */
};

/* A snippet of text[0..len): the window of whole sentences (see
 * att_sentences) that holds the most matches within opts->length bytes of
 * text, with the matches (ranges from att_match_spans, ordered) wrapped in
 * pre/post and the ellipsis where text was left out at either end. When
 * the best single sentence is longer than the length, it is cut at word
 * boundaries around its first match. With no matches, the start of the
 * text. Never cuts a UTF-8 character; a match cut by the window's edge is
 * shown whole or not at all. Returns a malloc'd NUL-terminated string
 * (caller frees), NULL when out of memory. Pure: thread-safe. */
char *att_snippet(const char *text, size_t len, const struct att_spans *matches,
                  const struct att_snippet_opts *opts);

/* The same with text's sentences given (see att_match_spans_in). */
char *att_snippet_in(const char *text, size_t len, const struct att_spans *sentences,
                     const struct att_spans *matches, const struct att_snippet_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
