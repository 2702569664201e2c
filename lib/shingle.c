/* attache: MinHash signatures of word shingles and their LSH band terms
 * (see shingle.h). Words are cut by the index's own rule (index_words.h)
 * and folded by the filters' rule (att_term_fold). Pure: thread-safe. */
#include <stdio.h>
#include <string.h>
#include <xxhash.h>

#include "index_words.h"
#include "shingle.h"
#include "terms.h"

#define WORD_MAX 256 /* longer words are hashed as written, ASCII lower-cased */

/* A 64-bit mixer (splitmix64's finaliser): a well spread function of x. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* The hash of the word the scanner just found, lower-cased and folded. */
static uint64_t word_hash(const struct att_wscan *s, const struct att_word *w)
{
    char form[WORD_MAX], low[WORD_MAX + 1];
    size_t n;
    const char *p = att_word_form(s, w, form, sizeof form, &n);
    bool ascii = true;

    if (n > WORD_MAX)
        n = WORD_MAX;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        ascii = ascii && c < 0x80;
        low[i] = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
    }
    if (!ascii && n < WORD_MAX / 2)
        n = att_term_fold(low, p, n); /* never longer than the word */
    return XXH3_64bits(low, n);
}

/* The hash functions: function k maps x to a[k] * x + b[k] (a[k] odd: a
 * permutation of 64-bit values). The same constants on every call. */
struct perm {
    uint64_t a[ATT_SIG_K], b[ATT_SIG_K];
};

static void perm_init(struct perm *p)
{
    for (unsigned k = 0; k < ATT_SIG_K; k++) {
        p->a[k] = mix(2 * k + 1) | 1;
        p->b[k] = mix(2 * k + 2);
    }
}

/* Fold the shingle hash x into the running minima. */
static void take_shingle(const struct perm *p, uint64_t x, uint64_t min[ATT_SIG_K])
{
    for (unsigned k = 0; k < ATT_SIG_K; k++) {
        uint64_t h = p->a[k] * x + p->b[k];

        if (h < min[k])
            min[k] = h;
    }
}

bool att_sig_make(const char *text, size_t len, struct att_sig *sig)
{
    struct att_wscan s = {(const unsigned char *)text, len, 0};
    struct att_word w;
    uint64_t ring[ATT_SHINGLE_WORDS] = {0}, min[ATT_SIG_K];
    size_t words = 0, shingles = 0;
    struct perm p;

    memset(sig, 0, sizeof *sig);
    memset(min, 0xff, sizeof min);
    perm_init(&p);
    while (att_word_next(&s, &w)) {
        ring[words % ATT_SHINGLE_WORDS] = word_hash(&s, &w);
        words++;
        if (words < ATT_SHINGLE_WORDS)
            continue;
        /* The shingle's words in order, oldest first. */
        uint64_t x = 0;

        for (size_t i = 0; i < ATT_SHINGLE_WORDS; i++)
            x = mix(x ^ ring[(words + i) % ATT_SHINGLE_WORDS]);
        take_shingle(&p, x, min);
        shingles++;
    }
    if (shingles < ATT_SHINGLE_MIN)
        return false;
    for (unsigned k = 0; k < ATT_SIG_K; k++)
        sig->v[k] = (uint16_t)(min[k] >> 48);
    return true;
}

void att_sig_encode(const struct att_sig *sig, char out[ATT_SIG_HEX + 1])
{
    static const char digits[] = "0123456789abcdef";

    for (unsigned k = 0; k < ATT_SIG_K; k++) {
        for (unsigned i = 0; i < 4; i++)
            out[4 * k + i] = digits[(sig->v[k] >> (12 - 4 * i)) & 0xf];
    }
    out[ATT_SIG_HEX] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

bool att_sig_decode(const char *p, size_t len, struct att_sig *sig)
{
    if (len != ATT_SIG_HEX)
        return false;
    for (unsigned k = 0; k < ATT_SIG_K; k++) {
        unsigned v = 0;

        for (unsigned i = 0; i < 4; i++) {
            int d = hex_value(p[4 * k + i]);

            if (d < 0)
                return false;
            v = v << 4 | (unsigned)d;
        }
        sig->v[k] = (uint16_t)v;
    }
    return true;
}

unsigned att_sig_agree(const struct att_sig *a, const struct att_sig *b)
{
    unsigned n = 0;

    for (unsigned k = 0; k < ATT_SIG_K; k++)
        n += a->v[k] == b->v[k];
    return n;
}

double att_sig_resemblance(const struct att_sig *a, const struct att_sig *b)
{
    return (double)att_sig_agree(a, b) / ATT_SIG_K;
}

bool att_sig_same(const struct att_sig *a, const struct att_sig *b)
{
    return att_sig_agree(a, b) >= ATT_SIG_SAME_NUM;
}

size_t att_sig_band_term(const struct att_sig *sig, unsigned band, const char *prefix,
                         char *out)
{
    uint32_t h = 0;
    int n;

    for (unsigned r = 0; r < ATT_SIG_ROWS; r++)
        h = h << 16 | sig->v[(band * ATT_SIG_ROWS + r) % ATT_SIG_K];
    n = snprintf(out, ATT_BAND_TERM_MAX, "%.3s%c%08x", prefix, 'a' + (int)(band % 26),
                 (unsigned)h);
    return n > 0 ? (size_t)n : 0;
}
