/* attache: how documents are laid out in the index: term prefixes, value
 * slots and metadata keys, shared by the indexer and the daemon. */
#ifndef ATT_TERMS_H
#define ATT_TERMS_H

#include <stdbool.h>
#include <stddef.h>

/* Free-text prefixes (terms with positions). */
#define ATT_P_TITLE "S"     /* title words */
#define ATT_P_QUOTE "XQ"    /* words inside quotations */
#define ATT_P_SPEAKER "XS"  /* words of speaker names */
#define ATT_P_AUTHOR "A"    /* words of the document's author */

/* Boolean prefixes (filters, deletion, lookup). */
#define ATT_P_DOC "XD"      /* parent document id */
#define ATT_P_FILE "XF"     /* file the passage came from */
#define ATT_P_SOURCE "XO"   /* source, lower-cased */
#define ATT_P_SPK "XP"      /* speaker quoted in the passage, lower-cased */
#define ATT_P_AUT "XA"      /* the document's author, lower-cased */
#define ATT_P_ACTOR "XC"    /* actor named in the passage: its id ("china") */
#define ATT_P_LANG "XL"     /* the document's language ("fr") */
#define ATT_P_YEAR "Y"      /* Y2025 */
#define ATT_P_MONTH "M"     /* M202511 */
#define ATT_P_DAY "D"       /* D20251124 */
#define ATT_P_GROUP "XG"    /* near-duplicate group: XG + the group value (att_term) */
#define ATT_P_BAND "XB"     /* LSH band of the passage's signature (lib/shingle.h) */

/* Value slots. */
enum att_slot {
    ATT_SLOT_DATE = 0,      /* "YYYYMMDD", unknown parts "00" ("18620000") */
    ATT_SLOT_DOC = 1,       /* parent document id, for collapsing */
    ATT_SLOT_PASSAGE = 2,   /* passage number, sortable-encoded */
    ATT_SLOT_SOURCE = 3,    /* source as written, for facets */
    ATT_SLOT_AUTHOR = 4,    /* author as written, for facets */
    ATT_SLOT_LANG = 5,      /* language code, for facets */
    ATT_SLOT_ACTORS = 6,    /* the passage's actor ids, each followed by '\n' */
    /* Near-duplicate group, for collapsing copies: "N:doc", the key of the
     * group's least passage; unset for a passage resembling no other
     * (lib/xap_group.cc). */
    ATT_SLOT_GROUP = 7
};

/* Metadata keys. */
#define ATT_META_FORMAT "attache:format"     /* index layout version */
#define ATT_META_SHARE "attache:share"       /* "K/N": holds only share K of N */
#define ATT_META_REVISION "attache:revision" /* commits made by attache */
#define ATT_META_FILE "F:"                   /* per-file bookkeeping */
/* The gazetteer of actors the passages were tagged with (the built-in
 * one and the alias file, as att_actors_dump writes it), and the alias
 * file's own lines (remembered for runs without --aliases). */
#define ATT_META_ACTORS "attache:aliases"
#define ATT_META_ALIAS_FILE "attache:alias-file"
#define ATT_FORMAT_VERSION "3"

/* Longest term we write (glass's limit is 245 bytes); longer ones are
 * hashed (see att_term). */
#define ATT_TERM_MAX 240

/* The stemmer of the text terms, for indexing and for queries alike,
 * when no language is given. */
#define ATT_STEMMER "english"

/* The languages attache stems, by ISO 639-1 code, for messages. */
#define ATT_LANGS "ar ca da de en es eu fi fr ga hu hy id it lt ne nl no pt ro ru sv ta tr"

/* The name of Xapian's stemmer for the language of ISO 639-1 code (lower
 * case: "fr" gives "french"; "nb" and "nn" Norwegian), or NULL when
 * attache has none for it. Pure. */
const char *att_lang_stemmer(const char *code);

/* Whether att_lang_stemmer knows code. */
bool att_lang_known(const char *code);

/* Build prefix + value into out (at least ATT_TERM_MAX + 1 bytes) as a
 * boolean term; a value that would make it longer than ATT_TERM_MAX keeps
 * its first 200 bytes (cut on a UTF-8 boundary) followed by a hash of the
 * whole value, so distinct values give distinct terms. Returns the
 * length. Pure. */
size_t att_term(char *out, const char *prefix, const char *val, size_t len);

/* The one rule for the values of boolean filters (source, speaker, author,
 * language, actor), on the index's side and the query's alike: s[0..len)
 * lower-cased (every script, by att_fold_lower), its runs of white space
 * (ASCII's and Unicode's, as the no-break space) made one space and those
 * at either end dropped, then accent-folded (att_fold: "Erdoğan" and
 * "erdogan" agree). Into out (len + 1 bytes, never longer than s);
 * returns the length. Pure. */
size_t att_term_fold(char *out, const char *s, size_t len);

/* The date slot value ("YYYYMMDD") for an ISO date "YYYY[-MM[-DD]]";
 * returns false when iso is not one. out has at least 9 bytes. */
int att_date_slot(const char *iso, char out[9]);

/* The rule for dates in filters and in query ranges ("1860..1865"):
 * "YYYY", "YYYY-MM" or "YYYY-MM-DD" naming a real date, written as
 * att_date_normalize writes it. True when s[0..len) is one, with out its
 * date slot value as a bound of a range: its first day ("20251100" for
 * 2025-11) or, with end, past its last ("20251199"). Pure. */
bool att_date_bound(const char *s, size_t len, bool end, char out[9]);

/* The rule for wildcards in queries, for the daemon's cap on their number
 * and the shim's expansion alike: a "word*" is a '*' right after a word
 * byte (an ASCII letter or digit, or any byte of a UTF-8 sequence); the
 * word is the run of word bytes before it. Finds the first one at or after
 * q[*pos]: true with q[*word .. *star) the word, q[*star] its '*', and
 * *pos moved past it; false when there is none. Pure. */
bool att_wildcard_next(const char *q, size_t len, size_t *pos, size_t *word, size_t *star);

/* The number of "word*" wildcards in q[0..len), by att_wildcard_next. */
size_t att_wildcard_count(const char *q, size_t len);

#endif
