/* attache: Xapian's Unicode character classes for C, so that the C units
 * cut words where the term generator does. Thread-safe; never throws. */
#ifndef ATT_XAP_UNICODE_H
#define ATT_XAP_UNICODE_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* True if the code point is a word character to Xapian's term generator:
 * a letter, mark, number or connector punctuation such as '_'
 * (Xapian::Unicode::is_wordchar). False for anything past U+10FFFF. */
bool att_uni_is_wordchar(unsigned cp);

/* True if the code point is a decimal digit of any script (Unicode
 * category Nd), the digits between which the term generator keeps ',' '.'
 * and ';' inside a word ("3,000", "1.5"). */
bool att_uni_is_digit(unsigned cp);

/* The letter case of a code point by its Unicode category: 1 for an
 * upper-case or title-case letter (Lu, Lt), -1 for a lower-case letter
 * (Ll), 0 for anything else (other letters, marks, digits, punctuation,
 * anything past U+10FFFF). */
int att_uni_case(unsigned cp);

#ifdef __cplusplus
}
#endif
#endif
