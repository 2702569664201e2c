/* attache: text analysis: sentences, passages and quotations, all as byte
 * offsets into UTF-8 text the caller keeps. Pure functions: thread-safe. */
#ifndef ATTACHE_TEXT_H
#define ATTACHE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attache.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Split text[0..len) into sentences, appended to *out as trimmed byte
 * ranges. A sentence ends at . ! ? (and closing quotes or brackets after
 * them) followed by space and a likely sentence start, but not after
 * abbreviations ("U.S.", "Mr.", "Gen.", "Jan.", "No.", "para."), initials
 * ("John F. Kennedy"), decimals ("$1.5") or inside a quotation that goes
 * on; closing marks (” ’ " » “ 」 』, and a space before ») stay with the
 * sentence they end. Linear in len. Returns ATT_OK or ATT_E_NOMEM. */
int att_sentences(const char *text, size_t len, struct att_spans *out, struct att_err *err);

/* Passage sizes in words. */
struct att_passage_opts {
    unsigned max_words;    /* a paragraph longer than this is cut (120) */
    unsigned min_words;    /* smallest window worth cutting (40) */
    unsigned target_words; /* aim of a window (80) */
    unsigned hard_words;   /* a single sentence over this is cut (300) */
};

/* Defaults above. */
void att_passage_opts_default(struct att_passage_opts *o);

/* Split a document body into passages: paragraphs (separated by one or
 * more newlines); a paragraph over max_words is cut into windows of whole
 * sentences of about min..max words; a sentence over hard_words is cut at
 * word boundaries. Ranges are trimmed of white space, never empty, in
 * order, never overlapping, and never cut a UTF-8 character. opts may be
 * NULL for the defaults. Returns ATT_OK or ATT_E_NOMEM. */
int att_passages(const char *body, size_t len, const struct att_passage_opts *opts,
                 struct att_spans *out, struct att_err *err);

/* One quotation. start/end delimit the quoted words (without the quote
 * marks) as byte offsets into the analysed text. speaker is the person the
 * quote is attributed to with any title stripped ("Wang Yi"), role the
 * stripped title ("Foreign Minister"); both malloc'd, NULL when unknown. */
struct att_quote {
    size_t start;
    size_t end;
    char *speaker;
    char *role;
};

struct att_quotes {
    struct att_quote *v;
    size_t n;
    size_t cap;
};

/* Find quotations ("...", curly double, curly single, straight single
 * quotes that are not apostrophes, « », „ “, 「 」 and 『 』) of at least two
 * words in text[0..len) and attribute a speaker from the sentence around
 * each, as the fullest name the text gives that person or body. Appends to
 * *out in text order. Linear-ish in len. Returns ATT_OK or ATT_E_NOMEM. */
int att_quotes_find(const char *text, size_t len, struct att_quotes *out, struct att_err *err);
void att_quotes_free(struct att_quotes *q); /* NULL-safe; leaves q empty */

/* UTF-8 helpers. */

/* Decode the character at s[0..len) (len > 0): returns its code point and
 * stores its length in bytes in *adv. Bytes that do not begin a valid
 * sequence (a stray continuation byte, C0, C1, F5..FF, a truncated
 * sequence, an overlong form, a surrogate, a value past U+10FFFF) give
 * U+FFFD with *adv = 1, as att_utf8_repair replaces them; a genuine U+FFFD
 * has *adv = 3. With len == 0, U+FFFD and *adv = 0. The only UTF-8
 * decoder of the project. */
uint32_t att_utf8_decode(const char *s, size_t len, size_t *adv);

/* True if s[0..len) is valid UTF-8 (no overlongs, surrogates, > U+10FFFF). */
bool att_utf8_valid(const char *s, size_t len);

/* A malloc'd, NUL-terminated copy of s[0..len) with every invalid byte
 * sequence replaced by U+FFFD and NUL bytes by spaces; *out_len gets its
 * length. NULL when out of memory. */
char *att_utf8_repair(const char *s, size_t len, size_t *out_len);

/* The largest n <= len that does not split a UTF-8 character of s. */
size_t att_utf8_floor(const char *s, size_t len, size_t n);

#ifdef __cplusplus
}
#endif
#endif
