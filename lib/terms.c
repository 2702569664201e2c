/* attache: building index terms and values by the layout in terms.h, and
 * the rules for the parts of a query that must match them (dates,
 * wildcards). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unictype.h>
#include <unistr.h>
#include <xxhash.h>

#include "attache/doc.h"
#include "attache/text.h"
#include "fold.h"
#include "terms.h"

size_t att_term(char *out, const char *prefix, const char *val, size_t len)
{
    size_t plen = strlen(prefix);

    if (plen + len <= ATT_TERM_MAX) {
        memcpy(out, prefix, plen);
        memcpy(out + plen, val, len);
        out[plen + len] = '\0';
        return plen + len;
    }
    size_t keep = att_utf8_floor(val, len, 200 - plen);
    XXH128_hash_t h = XXH3_128bits(val, len);

    memcpy(out, prefix, plen);
    memcpy(out + plen, val, keep);
    return plen + keep + (size_t)snprintf(out + plen + keep, ATT_TERM_MAX + 1 - plen - keep,
                                          "#%016llx%016llx", (unsigned long long)h.high64,
                                          (unsigned long long)h.low64);
}

/* White space to att_term_fold: ASCII's and Unicode's (no-break space). */
static bool fold_space(uint32_t cp)
{
    return cp < 0x80 ? isspace((int)cp) != 0 : uc_is_property_white_space(cp);
}

size_t att_term_fold(char *out, const char *s, size_t len)
{
    size_t o = 0, i = 0;
    bool space = false;

    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t n = 1;
        uint32_t cp = c < 0x80 ? c : att_utf8_decode(s + i, len - i, &n);

        if (fold_space(cp)) {
            space = o > 0;
            i += n;
            continue;
        }
        if (space)
            out[o++] = ' ';
        space = false;
        if (c < 0x80)
            out[o++] = (char)tolower(c);
        else if (cp == 0xFFFD && n == 1)
            out[o++] = (char)c; /* an invalid byte, kept */
        else
            o += (size_t)u8_uctomb((uint8_t *)out + o, att_fold_lower(cp), 4);
        i += n;
    }
    out[o] = '\0';
    return att_fold(out, out, o);
}

int att_date_slot(const char *iso, char out[9])
{
    size_t n = strlen(iso);

    if (n != 4 && n != 7 && n != 10)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int want_dash = (i == 4 || i == 7);

        if (want_dash ? iso[i] != '-' : !isdigit((unsigned char)iso[i]))
            return 0;
    }
    memcpy(out, "00000000", 9);
    memcpy(out, iso, 4);
    if (n >= 7)
        memcpy(out + 4, iso + 5, 2);
    if (n == 10)
        memcpy(out + 6, iso + 8, 2);
    return 1;
}

bool att_date_bound(const char *s, size_t len, bool end, char out[9])
{
    char norm[11], iso[11];

    if (len > 10 || !att_date_normalize(s, len, norm) || strlen(norm) != len ||
        memcmp(norm, s, len) != 0)
        return false;
    memcpy(iso, s, len);
    iso[len] = '\0';
    if (!att_date_slot(iso, out))
        return false;
    if (end && len == 4)
        memcpy(out + 4, "9999", 4);
    else if (end && len == 7)
        memcpy(out + 6, "99", 2);
    return true;
}

static bool word_byte(unsigned char c)
{
    return c >= 0x80 || isalnum(c);
}

bool att_wildcard_next(const char *q, size_t len, size_t *pos, size_t *word, size_t *star)
{
    for (size_t i = *pos; i < len; i++) {
        size_t b = i;

        if (q[i] != '*')
            continue;
        while (b > 0 && word_byte((unsigned char)q[b - 1]))
            b--;
        if (b == i)
            continue;
        *word = b;
        *star = i;
        *pos = i + 1;
        return true;
    }
    *pos = len;
    return false;
}

size_t att_wildcard_count(const char *q, size_t len)
{
    size_t pos = 0, word, star, n = 0;

    while (att_wildcard_next(q, len, &pos, &word, &star))
        n++;
    return n;
}

static const struct {
    char code[3];
    const char *stemmer;
} stemmers[] = {
    {"ar", "arabic"},     {"ca", "catalan"},  {"da", "danish"},   {"de", "german"},
    {"en", "english"},    {"es", "spanish"},  {"eu", "basque"},   {"fi", "finnish"},
    {"fr", "french"},     {"ga", "irish"},    {"hu", "hungarian"}, {"hy", "armenian"},
    {"id", "indonesian"}, {"it", "italian"},  {"lt", "lithuanian"}, {"nb", "norwegian"},
    {"ne", "nepali"},     {"nl", "dutch"},    {"nn", "norwegian"}, {"no", "norwegian"},
    {"pt", "portuguese"}, {"ro", "romanian"}, {"ru", "russian"},  {"sv", "swedish"},
    {"ta", "tamil"},      {"tr", "turkish"},
};

const char *att_lang_stemmer(const char *code)
{
    for (size_t i = 0; code != NULL && i < sizeof stemmers / sizeof stemmers[0]; i++)
        if (strcmp(stemmers[i].code, code) == 0)
            return stemmers[i].stemmer;
    return NULL;
}

bool att_lang_known(const char *code)
{
    return att_lang_stemmer(code) != NULL;
}
