/* attache: what the files of the quotation finder share: quotes.c (entry
 * point, pairing marks, sentence groups), quotes_speaker.c (tokens and
 * attribution), quotes_names.c (word lists, names and titles) and
 * quotes_ident.c (the names of a document, and who a short name is). Private. */
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
/* What a name search found: a name, something that rules one out, "he",
 * a title alone ("the Pope"), or a body named before ("the ministry"). */
enum res { R_NONE, R_NAME, R_BLOCK, R_PRONOUN, R_TITLE, R_REFER };
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
    F_TITLE = 1u << 12,   /* a title proper among the roles: "Minister", "Pope" */
    F_BODY = 1u << 13,    /* a body or its voice: "ministry", "spokesperson" */
    F_TIME = 1u << 14,    /* a day or a month: "Tuesday" */
    F_SPOKES = 1u << 15,  /* "spokesperson", "spokesman", "spokeswoman" */
    F_DIGIT = 1u << 16,   /* starts with a digit: "51", "2022" */
    F_DOCV = 1u << 17,    /* a document's verb: "reads", "states", "provides" */
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

/* A speaker [sa, sb) and role [ra, rb) (ra == rb: no role); inst when it
 * is a body ("State Department"), spokes when it speaks through a
 * spokesperson. */
struct who {
    size_t sa, sb, ra, rb;
    bool inst, spokes;
};

/* A name the document gives somewhere: [a, b) with its title [ra, rb), where
 * it first occurs, its first and last words, its count of words; inst when
 * read as a body. */
struct ent {
    size_t a, b, ra, rb, pos;
    size_t fa, fb, la, lb;
    unsigned words;
    bool inst;
};

struct entv {
    struct ent *v;
    size_t n, cap;
    uint32_t *slot; /* hash of the names: index + 1, 0 when free */
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

/* An open quotation while pairing marks; low when opened by a German
 * low mark, which “ closes. */
struct open {
    bool on, low;
    size_t at, inner;
};

/* Everything one call works with; buffers are reused paragraph to paragraph. */
struct ctx {
    const unsigned char *t;
    size_t lo, hi; /* the paragraph */
    struct open dq, sq, cq, wq; /* double, single, corner 「」 and white corner 『』 */
    struct spanv dv, sv, kept;
    struct att_spans sent;
    struct tokv toks;
    struct consv verbs, accs;
    struct who last, subject, prev_who; /* last named person, clause subject */
    struct who inst, spk;               /* last body, last spokesperson that spoke */
    bool has_last, has_subject, prev_named, prev_quoted, has_inst, has_spk;
    bool para_named;             /* a person was named in this paragraph */
    size_t group_no, last_group; /* groups of the paragraph; the one last was named in */
    size_t para_no, last_para;   /* paragraphs of the text; the one last was named in */
    struct entv ents;            /* the names of the whole text */
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

/* quotes_speaker.c: tokens of c->t[gs, ge) into c->toks, each kept
 * quotation qa..qb one token. Returns ATT_OK or ATT_E_NOMEM. */
int att_q_tokenize(struct ctx *c, size_t gs, size_t ge, size_t qa, size_t qb);

/* quotes_ident.c: collect the names of text[0..len) into c->ents (a pass
 * before the quotations are read). Returns ATT_OK or ATT_E_NOMEM. */
int att_q_collect(struct ctx *c, size_t len);

/* quotes_ident.c: the fullest name of the text that w's name is the end or
 * the start of ("Xi" -> "Xi Jinping", "Council" -> "UN Security Council"),
 * preferring one given before pos; w is left alone when there is none. */
void att_q_expand(const struct ctx *c, size_t pos, struct who *w);

/* quotes_ident.c: true if a name of the text has the word t[a, b) as its
 * first or last word (a one-word speaker that has support). */
bool att_q_known(const struct ctx *c, size_t a, size_t b);

/* quotes_ident.c: the person last given the title t[a, b) before pos ("the
 * Pope" -> "Francis", titled "Pope"). Fills *w and returns true if any. */
bool att_q_titled(const struct ctx *c, size_t a, size_t b, size_t pos, struct who *w);

/* quotes_ident.c: free c->ents. */
void att_q_ents_free(struct ctx *c);

/* quotes_names.c: s[0..n) is a verb of saying ("said"), a participle of
 * one ("saying"); both compared with case. */
bool att_q_saying(const unsigned char *s, size_t n);
bool att_q_participle(const unsigned char *s, size_t n);

/* quotes_names.c: w (NUL-terminated) equals s[0..n), ignoring ASCII case
 * when nocase. */
bool att_q_same(const char *w, const unsigned char *s, size_t n, bool nocase);

/* quotes_names.c: the letter case of the character at t[a, b): 1 upper or
 * title case, -1 lower case, 0 neither (Unicode categories). */
int att_q_case_at(const unsigned char *t, size_t a, size_t b);

/* quotes_names.c: the F_* flags of the word with core t[a, b), raw end e. */
unsigned att_q_word_flags(const unsigned char *t, size_t a, size_t b, size_t e);

/* quotes_names.c: s[0..n) is "statement", "readout" ... ("according to a
 * statement from X"). */
bool att_q_docnoun(const unsigned char *s, size_t n);

/* quotes_who.c, reading c->toks: the speaker whose words end at token e
 * (a name with the title before it, a body such as "China's foreign
 * ministry", "he", "the Pope", "the ministry"), the one starting at token k
 * (after "said" or "according to"), and the subject of the verb at token k
 * ("Xi said", "Xi also said", "His Holiness, Pope Francis, said"). Each
 * fills *w on R_NAME, and the title word in w's role on R_TITLE. */
enum res att_q_name_back(const struct ctx *c, size_t e, struct who *w);
enum res att_q_name_forward(const struct ctx *c, size_t k, struct who *w);
enum res att_q_subject_of(const struct ctx *c, size_t k, struct who *w);

/* quotes_who.c: token k opens a sentence: the first, or after . ! ? or a
 * word of four letters or more ending with a dot (not "Mr.", "U.S."). */
bool att_q_opens(const struct ctx *c, size_t k);

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

static inline bool punct_is(const struct ctx *c, size_t k, char p)
{
    return k < c->toks.n && tk(c, k)->kind == T_PUNCT && c->t[tk(c, k)->a] == (unsigned char)p;
}

#endif
