/* attache: accent folding, the one rule by which the index and the queries
 * both forget diacritics of the Latin script ("Erdoğan" and "Erdogan" are
 * the same word), through libunistring's Unicode tables. */
#ifndef ATT_FOLD_H
#define ATT_FOLD_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Fold s[0..len) into out (at least len + 1 bytes; out may be s itself),
 * NUL-terminated; returns the length, never more than len and never 0 for
 * len > 0. The rule, character by character:
 * - a letter of the Latin script loses its diacritics, by its canonical
 *   Unicode decomposition (é→e, ğ→g, ñ→n, ǖ→u, ệ→e, Å→A, İ→I);
 * - a few Latin letters with no decomposition are spelled out: ø→o, ł→l,
 *   đ→d, ð→d, ħ→h, ı→i, ß→ss, æ→ae, œ→oe, þ→th (capitals likewise);
 * - a combining mark (Unicode category Mn) after a Latin letter is dropped
 *   (decomposed text: "e" U+0301);
 * - Cyrillic ё and Ё become е and Е, as Russian writing mostly does;
 * - everything else stays as written: case, other scripts (й, Greek
 *   accents, Arabic vowel marks), marks after them, invalid bytes.
 * A character whose folded form would take more bytes than it does is
 * kept as written. Pure-ASCII text is copied as it is. Pure: thread-safe. */
size_t att_fold(char *out, const char *s, size_t len);

/* True when s[0..len) holds a byte past ASCII, the only text att_fold can
 * change. */
bool att_fold_needed(const char *s, size_t len);

/* Lower-case c by Unicode's simple mapping (libunistring's uc_tolower),
 * but keep it when its lower case takes more UTF-8 bytes than it does
 * (Ⱥ, whose ⱥ takes three), so a text never grows. Pure. */
unsigned att_fold_lower(unsigned c);

#ifdef __cplusplus
}
#endif
#endif
