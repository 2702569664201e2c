/* attache: UTF-8 decoding (the one decoder of the project), validation,
 * repair and safe cutting. Pure functions: thread-safe. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attache/text.h"

#define REPLACEMENT 0xFFFD

/* The code point of the valid multi-byte sequence at s[0..len) (len > 0,
 * s[0] >= 0x80) with its length in *n; *n = 0 when the bytes are not valid
 * UTF-8: a bad lead byte, a truncated sequence, an overlong form, a
 * surrogate or a value past U+10FFFF. */
static inline uint32_t decode_multi(const unsigned char *s, size_t len, size_t *n)
{
    unsigned char c = s[0];
    size_t k;
    uint32_t cp;

    *n = 0;
    if (c >= 0xC2 && c <= 0xDF) {
        k = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        k = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 4;
        cp = c & 0x07;
    } else {
        return REPLACEMENT; /* a continuation byte, C0, C1 or F5..FF */
    }
    if (len < k)
        return REPLACEMENT;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return REPLACEMENT;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) || cp > 0x10FFFF)
        return REPLACEMENT;
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return REPLACEMENT;
    *n = k;
    return cp;
}

uint32_t att_utf8_decode(const char *s, size_t len, size_t *adv)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t cp;
    size_t n;

    if (len == 0) {
        *adv = 0;
        return REPLACEMENT;
    }
    if (u[0] < 0x80) {
        *adv = 1;
        return u[0];
    }
    cp = decode_multi(u, len, &n);
    *adv = n > 0 ? n : 1;
    return cp;
}

/* Length of the valid UTF-8 sequence at s[i..len), or 0 if invalid. */
static inline size_t seq_len(const unsigned char *s, size_t i, size_t len)
{
    size_t n;

    if (s[i] < 0x80)
        return 1;
    (void)decode_multi(s + i, len - i, &n);
    return n;
}

bool att_utf8_valid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        size_t n = seq_len(u, i, len);

        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

char *att_utf8_repair(const char *s, size_t len, size_t *out_len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, o = 0, need = 0;
    char *out;

    /* First pass: the exact size (each bad byte becomes U+FFFD, 3 bytes). */
    while (i < len) {
        size_t n = seq_len(u, i, len);

        need += n ? n : 3;
        i += n ? n : 1;
    }
    out = malloc(need + 1);
    if (out == NULL)
        return NULL;
    i = 0;
    while (i < len) {
        size_t n = seq_len(u, i, len);

        if (n == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else if (u[i] == 0) {
            out[o++] = ' ';
            i++;
        } else {
            memcpy(out + o, s + i, n);
            o += n;
            i += n;
        }
    }
    out[o] = '\0';
    if (out_len != NULL)
        *out_len = o;
    return out;
}

size_t att_utf8_floor(const char *s, size_t len, size_t n)
{
    if (n >= len)
        return len;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}
