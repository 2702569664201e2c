/* attache: accent folding (see fold.h): each character of the Latin script
 * stripped to its base letter through libunistring's canonical
 * decompositions; no other script is touched, but for Cyrillic ё. */
#include <stdint.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "attache/text.h"
#include "fold.h"

/* Latin letters without a decomposition, spelled in ASCII, by code point. */
static const struct {
    uint32_t cp;
    char to[3];
} spelled[] = {
    {0x00C6, "AE"}, {0x00D0, "D"},  {0x00D8, "O"},  {0x00DE, "TH"}, {0x00DF, "ss"},
    {0x00E6, "ae"}, {0x00F0, "d"},  {0x00F8, "o"},  {0x00FE, "th"}, {0x0110, "D"},
    {0x0111, "d"},  {0x0126, "H"},  {0x0127, "h"},  {0x0131, "i"},  {0x0141, "L"},
    {0x0142, "l"},  {0x0152, "OE"}, {0x0153, "oe"}, {0x1E9E, "SS"},
};

static size_t utf8_len(uint32_t cp)
{
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

static bool is_latin(uint32_t cp)
{
    const uc_script_t *sc = uc_script(cp);

    return sc != NULL && sc == uc_script('a');
}

/* The ASCII spelling of cp from the table, or NULL. */
static const char *spelling(uint32_t cp)
{
    if (cp < spelled[0].cp || cp > spelled[sizeof spelled / sizeof spelled[0] - 1].cp)
        return NULL;
    for (size_t k = 0; k < sizeof spelled / sizeof spelled[0]; k++)
        if (spelled[k].cp == cp)
            return spelled[k].to;
    return NULL;
}

/* The folded form of the Latin letter cp into o (room for 4 bytes); returns
 * its length. A canonical decomposition is a base letter followed by
 * combining marks (or a single other letter): follow the first code point
 * down, leave the marks. */
static size_t fold_latin(uint32_t cp, char *o)
{
    ucs4_t d[UC_DECOMPOSITION_MAX_LENGTH];
    const char *sp;

    while (uc_canonical_decomposition(cp, d) > 0)
        cp = d[0];
    sp = spelling(cp);
    if (sp != NULL) {
        memcpy(o, sp, strlen(sp));
        return strlen(sp);
    }
    return (size_t)u8_uctomb((uint8_t *)o, cp, 4);
}

/* Fold the character cp (n bytes at in) into o (room for n bytes); returns
 * the bytes written. *latin: the last letter kept was of the Latin script,
 * so that a combining mark is dropped. */
static size_t fold_char(uint32_t cp, const char *in, size_t n, bool *latin, char *o)
{
    char tmp[8];
    size_t k;

    if (cp == 0xFFFD && n == 1) { /* an invalid byte */
        *latin = false;
        memmove(o, in, n);
        return n;
    }
    if (uc_is_general_category(cp, UC_CATEGORY_Mn)) {
        if (*latin)
            return 0;
        memmove(o, in, n);
        return n;
    }
    *latin = is_latin(cp);
    if (cp == 0x451 || cp == 0x401) /* ё Ё as е Е */
        cp = cp == 0x451 ? 0x435 : 0x415;
    k = *latin ? fold_latin(cp, tmp) : (size_t)u8_uctomb((uint8_t *)tmp, cp, 4);
    if (k > n) {
        memmove(o, in, n);
        return n;
    }
    memcpy(o, tmp, k);
    return k;
}

size_t att_fold(char *out, const char *s, size_t len)
{
    size_t i = 0, o = 0;
    bool latin = false;

    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t n;
        uint32_t cp;

        if (c < 0x80) {
            out[o++] = (char)c;
            latin = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
            i++;
            continue;
        }
        cp = att_utf8_decode(s + i, len - i, &n);
        o += fold_char(cp, s + i, n, &latin, out + o);
        i += n;
    }
    out[o] = '\0';
    return o;
}

bool att_fold_needed(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return true;
    return false;
}

unsigned att_fold_lower(unsigned c)
{
    ucs4_t l = uc_tolower(c);

    return utf8_len(l) > utf8_len(c) ? c : l;
}
