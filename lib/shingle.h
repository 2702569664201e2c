/* attache: how alike two passages are, for finding copies of one text:
 * MinHash signatures over word shingles, their LSH band terms and the
 * resemblance they estimate. Pure: thread-safe, no allocation. */
#ifndef ATT_SHINGLE_H
#define ATT_SHINGLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A shingle is ATT_SHINGLE_WORDS words in a row, each word cut as the
 * index cuts it, lower-cased and accent-folded (att_term_fold). A text of
 * fewer than ATT_SHINGLE_MIN shingles (bylines, headings, short lines) has
 * no signature: it is never anyone's copy. */
#define ATT_SHINGLE_WORDS 4
#define ATT_SHINGLE_MIN 8

/* A signature holds, for each of ATT_SIG_K hash functions, the top 16
 * bits of the least hash of the text's shingles. The share of positions
 * where two signatures agree estimates the Jaccard resemblance of the two
 * sets of shingles (standard error about 0.06 near the threshold). */
#define ATT_SIG_K 64
#define ATT_SIG_HEX (4 * ATT_SIG_K) /* encoded: 4 hex digits per value */

/* Copies: an estimated resemblance of at least ATT_SIG_SAME_NUM /
 * ATT_SIG_K (0.5). Copies of a story that differ by a few words per
 * paragraph are well above it (a changed word changes the 4 shingles
 * holding it: 3 changes in 60 words still leave about 0.65); two
 * different paragraphs on one topic share almost no 4-word run and stay
 * near 0. */
#define ATT_SIG_SAME_NUM 32

/* The LSH bands: band i hashes values [i * ROWS, (i + 1) * ROWS). Two
 * texts share a band term, and so are compared at all, with probability
 * 1 - (1 - J^2)^6: 0.82 at a resemblance J of 0.5, 0.93 at 0.6, 0.98 at
 * 0.7, 0.998 at 0.8, 0.06 at 0.1. (Each band is a term of every passage:
 * 10 bands made a first build's memory grow by a fifth.) */
#define ATT_SIG_BANDS 6
#define ATT_SIG_ROWS 2
#define ATT_BAND_TERM_MAX 16 /* prefix, band letter, 8 hex digits, NUL */

struct att_sig {
    uint16_t v[ATT_SIG_K];
};

/* The signature of text[0..len) into *sig; false (and *sig zeroed) when
 * the text has fewer than ATT_SHINGLE_MIN shingles. */
bool att_sig_make(const char *text, size_t len, struct att_sig *sig);

/* Encode sig into out as ATT_SIG_HEX lower-case hex digits and a NUL;
 * decode p[0..len) back, false when it is not ATT_SIG_HEX hex digits. */
void att_sig_encode(const struct att_sig *sig, char out[ATT_SIG_HEX + 1]);
bool att_sig_decode(const char *p, size_t len, struct att_sig *sig);

/* Positions where a and b agree, 0..ATT_SIG_K. */
unsigned att_sig_agree(const struct att_sig *a, const struct att_sig *b);

/* The estimated Jaccard resemblance of a's and b's shingles, 0..1. */
double att_sig_resemblance(const struct att_sig *a, const struct att_sig *b);

/* Whether a and b are copies: att_sig_agree(a, b) >= ATT_SIG_SAME_NUM. */
bool att_sig_same(const struct att_sig *a, const struct att_sig *b);

/* Band term band (0..ATT_SIG_BANDS-1) of sig into out (at least
 * ATT_BAND_TERM_MAX bytes), prefixed by prefix (at most 3 bytes), NUL-
 * terminated; returns its length. */
size_t att_sig_band_term(const struct att_sig *sig, unsigned band, const char *prefix,
                         char *out);

#ifdef __cplusplus
}
#endif
#endif
