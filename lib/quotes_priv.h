/* attache: what the three files of the quotation finder share: quotes.c
 * (entry point, pairing marks, sentence groups), quotes_speaker.c (tokens and
 * attribution) and quotes_names.c (word lists, names and titles). Private. */
#ifndef ATT_QUOTES_PRIV_H
#define ATT_QUOTES_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attache/text.h"
#include "buf.h"

/* Ceiling passed to att_grow for the work arrays: none of their own, as
 * each element stands for at least one byte of the text. */
#define ATT_Q_ITEMS_MAX SIZE_MAX

enum cls { K_SPACE, K_WORD, K_OPEN, K_PUNCT };     /* a character's class */
enum tkind { T_WORD, T_PUNCT, T_QUOTE };           /* a token's kind */
enum res { R_NONE, R_NAME, R_BLOCK, R_PRONOUN };   /* what a name search found */
enum ckind { C_NAMED, C_BLOCK };                   /* an attribution names someone, or not */

/* What a word is, found once when it is read. */
enum {
    F_CAP = 1u << 0,      /* capitalised, not a common sentence opener */
    F_POSS = 1u << 1,     /* possessive: "Xi's", "students'" */
    F_CONTR = 1u << 2,    /* contraction: "I've" */
    F_LOWER = 1u << 3,    /* starts with an ASCII lower-case letter */
    F_VERB = 1u << 4,     /* verbs */
    F_BEFORE = 1u << 5,   /* verbs_before_name */
    F_ING = 1u << 6,      /* participles */
    F_ADV = 1u << 7,      /* adverbs */
    F_JOIN = 1u << 8,     /* joiners */
    F_PART = 1u << 9,     /* particles */
    F_ROLE = 1u << 10,    /* roles */
    F_GENERIC = 1u << 11, /* generic */
};

/* A quotation: outer bounds with the marks, inner bounds without. */
struct span {
    size_t os, oe, s, e;
    bool dbl;
};

struct spanv {
    struct span *v;
    size_t n, cap;
};

/* A token of a sentence: core bytes [a, b) without edge dots or
 * apostrophes, raw end e; a quotation token holds its index in q. */
struct tok {
    size_t a, b, e, q;
    enum tkind kind;
    unsigned flags; /* F_* of a word */
};

struct tokv {
    struct tok *v;
    size_t n, cap;
};

/* A speaker [sa, sb) and role [ra, rb) (ra == rb: no role). */
struct who {
    size_t sa, sb, ra, rb;
};

/* An attribution found at token at. */
struct cons {
    size_t at;
    enum ckind kind;
    struct who who;
};

struct consv {
    struct cons *v;
    size_t n, cap;
};

/* An open quotation while pairing marks. */
struct open {
    bool on;
    size_t at, inner;
};

/* Everything one call works with; buffers are reused paragraph to paragraph. */
struct ctx {
    const unsigned char *t;
    size_t lo, hi; /* the paragraph */
    struct open dq, sq;
    struct spanv dv, sv, kept;
    struct att_spans sent;
    struct tokv toks;
    struct consv verbs, accs;
    struct who last, subject, prev_who; /* last named speaker, clause subject */
    bool has_last, has_subject, prev_named, prev_quoted;
    size_t group_no, last_group; /* groups of the paragraph; the one last was named in */
    struct att_quotes *out;
};

/* ------------------------------------------------ between the files */

/* quotes.c: the class of the character at t[i] (i < hi); *n gets its
 * length in bytes. */
enum cls att_q_class_at(const unsigned char *t, size_t hi, size_t i, size_t *n);

/* quotes_speaker.c: read c->t[a, b), holding the kept quotations qa..qb:
 * tokenize it, find its attributions and append its quotations to c->out
 * with their speakers. Returns ATT_OK or ATT_E_NOMEM. */
int att_q_read(struct ctx *c, size_t a, size_t b, size_t qa, size_t qb);

/* quotes_names.c: s[0..n) is a verb of saying ("said"), a participle of
 * one ("saying"); both compared with case. */
bool att_q_saying(const unsigned char *s, size_t n);
bool att_q_participle(const unsigned char *s, size_t n);

/* quotes_names.c: w (NUL-terminated) equals s[0..n), ignoring ASCII case
 * when nocase. */
bool att_q_same(const char *w, const unsigned char *s, size_t n, bool nocase);

/* quotes_names.c: the F_* flags of the word with core t[a, b), raw end e. */
unsigned att_q_word_flags(const unsigned char *t, size_t a, size_t b, size_t e);

/* quotes_names.c, reading c->toks: the name ending at token e (with the
 * title before it), the name starting at token k (after "said" or
 * "according to"), and the subject of the verb at token k ("Xi said",
 * "he said", "Xi also said"). Each fills *w on R_NAME. */
enum res att_q_name_back(const struct ctx *c, size_t e, struct who *w);
enum res att_q_name_forward(const struct ctx *c, size_t k, struct who *w);
enum res att_q_subject_of(const struct ctx *c, size_t k, struct who *w);

/* ------------------------------------------- token tests, for both */

static inline const struct tok *tk(const struct ctx *c, size_t k)
{
    return &c->toks.v[k];
}

static inline bool is_word(const struct ctx *c, size_t k)
{
    return k < c->toks.n && tk(c, k)->kind == T_WORD;
}

/* Token k is a word with every flag in f. */
static inline bool has(const struct ctx *c, size_t k, unsigned f)
{
    return is_word(c, k) && (tk(c, k)->flags & f) == f;
}

static inline bool tok_is(const struct ctx *c, size_t k, const char *w, bool nocase)
{
    if (!is_word(c, k))
        return false;
    return att_q_same(w, c->t + tk(c, k)->a, tk(c, k)->b - tk(c, k)->a, nocase);
}

/* A word that may be part of a name: capitalised, no possessive. */
static inline bool cap(const struct ctx *c, size_t k)
{
    return has(c, k, F_CAP) && !has(c, k, F_POSS);
}

#endif
