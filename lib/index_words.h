/* attache: a scanner of the words of a text as Xapian's term generator
 * cuts them for the index, with byte offsets and the clause and stop
 * marks between them, for highlighting. Pure: thread-safe. */
#ifndef ATT_INDEX_WORDS_H
#define ATT_INDEX_WORDS_H

#include <stdbool.h>
#include <stddef.h>

/* Words are cut where Xapian's term generator cuts them (the index's own
 * rule, so that every word a search finds can be marked): a word is a run
 * of Xapian word characters (letters, marks, numbers, '_' in any script),
 * joined across an infix between two word characters (' & U+00B7 U+05F4
 * U+2027 U+2019 U+201B; between two digits , . ; and a few others instead;
 * zero-width characters in either), then up to three '+' or '#' ("C++")
 * when no word character follows them; a run of single capital letters
 * and dots ("U.S.") is one word, an acronym. ASCII is classified here;
 * other characters go to Xapian's tables through xap_unicode.h. */

/* How the index writes a word, case aside, when not as the text does. */
enum att_wform {
    ATT_WF_TEXT,    /* as in the text */
    ATT_WF_ACRONYM, /* without its dots */
    ATT_WF_MARKS    /* U+2019 and U+201B as ', without zero-width characters */
};

/* A cursor over t[0..len) that yields words; start it at pos 0 (or at any
 * character boundary). */
struct att_wscan {
    const unsigned char *t;
    size_t len;
    size_t pos;
};

struct att_word {
    size_t a, b;          /* the word is t[a..b): whole characters */
    bool cjk;             /* holds an ideograph or kana: may be cut anywhere */
    bool split;           /* a clause or stop mark lies between it and the word before */
    enum att_wform form;  /* how the index writes it */
};

/* The next word at or after s->pos into *w, s->pos moved past it; false
 * when there is none. An invalid byte is a separator. */
bool att_word_next(struct att_wscan *s, struct att_word *w);

/* The word as the index writes it, case aside: an acronym without its
 * dots, U+2019 and U+201B as ', zero-width characters left out. The text
 * itself when that is the same, or when the word is longer than buf (cap
 * bytes); else buf. *n gets the length: never more than the word's, never
 * 0. */
const char *att_word_form(const struct att_wscan *s, const struct att_word *w, char *buf,
                          size_t cap, size_t *n);

#endif
