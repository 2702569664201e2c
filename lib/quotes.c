/* attache: quotations in UTF-8 text and who said them. Pairs quote marks in
 * each paragraph (apostrophes told apart by their neighbours), then reads the
 * sentence around each quotation for "X said", "said X" or "according to X". */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "attache/text.h"

#define QUOTE_MAX 3000    /* bytes: a longer quotation is a mismatched pair */
#define REACH 60          /* tokens from a quotation to its attribution, at most */
#define RUN_MAX 8         /* tokens in a title and a name together */
#define APPOSITION_MAX 12 /* tokens in ", director of X," between name and verb */
#define ADVERBS_MAX 3     /* "also", "later" ... between a name and its verb */
#define LOOKAHEAD 4       /* words of a next sentence searched for "said" */
#define GROUP_MAX 16384   /* bytes of a sentence group read at once */
#define MARGIN 2048       /* bytes read around the quotations of a longer group */

/* ---------------------------------------------------------------- tables */

/* "X said": verbs whose subject is the speaker. */
static const char *const verbs[] = {
    "said", "says", "say", "stated", "added", "adds", "noted", "told",
    "tells", "warned", "warns", "urged", "urges", "emphasized", "emphasised", "emphasizes",
    "emphasises", "stressed", "stresses", "declared", "declares", "insisted", "insists",
    "argued", "argues", "wrote", "writes", "asked", "asks", "replied", "replies",
    "explained", "explains", "announced", "announces", "mentioned", "mentions", "called",
    "tweeted", "posted", "remarked", "recalled", "continued", "concluded",
    "responded", "answered", "acknowledged", "claimed", "vowed", "pledged",
    "cautioned", "affirmed", "reiterated", "underscored", "highlighted", "proclaimed",
    "saying", "stating", "adding", "noting", "telling", "warning", "urging", "writing",
    "declaring", "insisting", "arguing", "explaining", "asking", "calling", "stressing",
    "emphasizing", "emphasising", NULL,
};

/* "said X": verbs whose object may be the speaker, after a quotation. */
static const char *const verbs_before_name[] = {
    "said", "says", "added", "asked", "replied", "wrote", "continued", "explained", "noted",
    "stated", "insisted", "declared", "recalled", "concluded", NULL,
};

/* "X, in a statement, saying": the speaker is the clause's subject. */
static const char *const participles[] = {
    "saying", "stating", "adding", "noting", "telling", "warning", "urging", "writing",
    "declaring", "insisting", "arguing", "explaining", "asking", "calling", "stressing",
    "emphasizing", "emphasising", NULL,
};

/* Between a subject and its verb: "Xi also said", "Wang has repeatedly said". */
static const char *const adverbs[] = {
    "also", "later", "then", "again", "has", "had", "have", "previously", "reportedly",
    "once", "earlier", "further", "separately", "publicly", "would", "will", "recently",
    "repeatedly", "similarly", "simply", "directly", "firmly", "clearly", "openly", NULL,
};

/* Titles, their modifiers and nationalities: stripped from a name into the
 * role. Compared without regard to ASCII case. */
static const char *const roles[] = {
    "President", "Vice", "Prime", "Minister", "Foreign", "Defense", "Defence", "Trade",
    "Finance", "Commerce", "Treasury", "Interior", "Justice", "Health", "Energy", "Home",
    "State", "Secretary", "Ambassador", "Amb", "Spokesperson", "Spokesman", "Spokeswoman",
    "Senator", "Sen", "Gen", "General", "Chancellor", "King", "Queen", "Premier", "Chairman",
    "Chairwoman", "Chair", "Director", "Mr", "Mrs", "Ms", "Dr", "Prof", "Professor",
    "Governor", "Gov", "Mayor", "Rep", "Representative", "Pope", "Prince", "Princess",
    "Sheikh", "Emir", "Sultan", "Lt", "Col", "Colonel", "Captain", "Capt", "Admiral", "Adm",
    "Commander", "Envoy", "Speaker", "Leader", "Chief", "Deputy", "Assistant", "Acting",
    "Former", "Senior", "Executive", "Councillor", "Counselor", "Commissioner", "Lord",
    "Sir", "Dame", "Judge", "Attorney", "Ministry", "Office", "Department", "Spokespeople",
    "Official", "National", "Security", "Adviser", "Advisor", "White", "House", "Press",
    "H.E", "Chinese", "Japanese", "American", "U.S", "US", "British", "U.K", "UK",
    "French", "German", "Russian", "Indian", "Korean", "South", "North", "Taiwanese",
    "Australian", "Canadian", "Italian", "Spanish", "Israeli", "Iranian", "Ukrainian",
    "Turkish", "Pakistani", "Philippine", "Vietnamese", "Indonesian", "Saudi", "European",
    "EU", "U.N", "UN", "NATO", "Brazilian", "Mexican", "Egyptian", "Dutch", "Polish", NULL,
};

/* Joiners inside a title: "Secretary of the Treasury". */
static const char *const joiners[] = {"of", "the", "for", NULL};

/* Lower-case name particles: "Osama bin Laden", "Ursula von der Leyen". */
static const char *const particles[] = {
    "bin", "bint", "ibn", "al", "el", "de", "del", "della", "der", "den", "van", "von",
    "da", "dos", "du", "di", "la", "le", "ter", NULL,
};

/* Capitalised words that never make a name (mostly sentence openers). */
static const char *const stops[] = {
    "The", "A", "An", "This", "That", "These", "Those", "It", "Its", "He", "She", "They",
    "We", "I", "You", "His", "Her", "Their", "Our", "My", "But", "And", "Or", "So", "Yet",
    "In", "On", "At", "As", "By", "To", "Of", "For", "From", "With", "After", "Before",
    "When", "While", "If", "However", "Meanwhile", "According", "Regarding", "Earlier",
    "Later", "Both", "Also", "Then", "Still", "Now", "Not", "No", "Yes", "Why", "What",
    "Who", "How", "Where", "Some", "Many", "Most", "All", "Each", "Such", "There", "Here",
    "Today", "Yesterday", "Tomorrow", "Last", "Next", "Monday", "Tuesday", "Wednesday",
    "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April",
    "June", "July", "August", "September", "October", "November", "December", "Jan", "Feb",
    "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Although",
    "Though", "Because", "Since", "Unless", "Until", "Despite", "During", "Under", "Over",
    "Through", "Without", "Within", "Among", "Between", "Against", "Upon", "Instead",
    "Indeed", "Moreover", "Furthermore", "Nevertheless", "Notwithstanding", "Therefore",
    "Thus", "Hence", "Perhaps", "Even", "Just", "Only", "Every", "Any", "Several", "Other",
    "Another", "Few", "More", "Much", "Let", "Please", "Dear", "Thank", "Tonight", "Together",
    "Again", "Finally", "First", "Second", "Third", "Above", "Below", "Once", "Whether",
    "Like", "Unlike", "Including", "Following", "Given", "Nor", "Either", "Neither",
    "Whereas", "Whereby", "Ladies", "Gentlemen", "Americans", "Mister", NULL,
};

/* Subjects that are not names but rule a name out: "officials said". */
static const char *const generic[] = {
    "it", "they", "we", "i", "you", "official", "officials", "ministry", "spokesperson",
    "spokesman", "spokeswoman", "statement", "government", "source", "sources", "report",
    "minister", "aide", "aides", "analyst", "analysts", "diplomat", "diplomats", "embassy",
    "agency", "media", "people", "lawmakers", "leader", "leaders", "president", "office",
    "readout", "release", "experts", "observers", "critics", "residents", "who", "which",
    NULL,
};

/* ------------------------------------------------------------ small kit */

enum cls { K_SPACE, K_WORD, K_OPEN, K_PUNCT };
enum mark { M_NONE, M_DQ, M_LDQ, M_RDQ, M_SQ, M_LSQ, M_RSQ };
enum tkind { T_WORD, T_PUNCT, T_QUOTE };
enum res { R_NONE, R_NAME, R_BLOCK, R_PRONOUN };
enum ckind { C_NAMED, C_BLOCK };

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

/* Make room for element n of an array of size-byte elements at *pv. */
static int grow(void *pv, size_t *cap, size_t n, size_t size)
{
    void *old, *p;
    size_t ncap;

    if (n < *cap)
        return ATT_OK;
    ncap = *cap ? *cap * 2 : 16;
    memcpy(&old, pv, sizeof old);
    p = realloc(old, ncap * size);
    if (p == NULL)
        return ATT_E_NOMEM;
    memcpy(pv, &p, sizeof p);
    *cap = ncap;
    return ATT_OK;
}

static unsigned char fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static bool same(const char *w, const unsigned char *s, size_t n, bool nocase)
{
    size_t k;

    for (k = 0; k < n && w[k] != '\0'; k++) {
        if (nocase ? fold((unsigned char)w[k]) != fold(s[k]) : (unsigned char)w[k] != s[k])
            return false;
    }
    return k == n && w[k] == '\0';
}

static bool in_table(const char *const *table, const unsigned char *s, size_t n, bool nocase)
{
    unsigned char first = nocase ? fold(s[0]) : s[0];

    for (size_t k = 0; table[k] != NULL; k++) {
        unsigned char w = (unsigned char)table[k][0];

        if ((nocase ? fold(w) : w) == first && same(table[k], s, n, nocase))
            return true;
    }
    return false;
}

static bool ascii_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* --------------------------------------------------------- characters */

static enum cls ascii_class(unsigned char c)
{
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
        return K_SPACE;
    if (c == '\0')
        return K_PUNCT;
    if (ascii_alnum(c) || c >= 0x80 || strchr("$%&@#_", c) != NULL)
        return K_WORD;
    if (c == '(' || c == '[' || c == '{')
        return K_OPEN;
    return K_PUNCT;
}

/* Class of the character at t[i] (i < hi); *n gets its length. */
static enum cls class_at(const unsigned char *t, size_t hi, size_t i, size_t *n)
{
    *n = 1;
    if (t[i] < 0x80)
        return ascii_class(t[i]);
    if (t[i] == 0xC2 && i + 1 < hi && (t[i + 1] == 0xA0 || t[i + 1] == 0xAB || t[i + 1] == 0xBB)) {
        *n = 2;
        return t[i + 1] == 0xA0 ? K_SPACE : t[i + 1] == 0xAB ? K_OPEN : K_PUNCT;
    }
    if (t[i] != 0xE2 || i + 2 >= hi || t[i + 1] != 0x80)
        return K_WORD;
    *n = 3;
    switch (t[i + 2]) {
    case 0x93: case 0x94: case 0x98: case 0x9C: case 0x9E:
        return K_OPEN;
    case 0x99: case 0x9D: case 0xA6:
        return K_PUNCT;
    case 0x89: case 0x8A: case 0xAF:
        return K_SPACE;
    default:
        *n = 1;
        return K_WORD;
    }
}

/* Class of the character ending at t[i], the paragraph starting at lo. */
static enum cls class_before(const unsigned char *t, size_t lo, size_t i)
{
    size_t j = i - 1, n;
    enum cls k;

    if (i <= lo)
        return K_SPACE;
    while (j > lo && i - j < 3 && (t[j] & 0xC0) == 0x80)
        j--;
    k = class_at(t, i, j, &n);
    return j + n == i ? k : K_WORD;
}

static enum cls class_after(const unsigned char *t, size_t hi, size_t i)
{
    size_t n;

    return i >= hi ? K_SPACE : class_at(t, hi, i, &n);
}

/* The quote mark at t[i], if any; *n gets its length. */
static enum mark mark_at(const unsigned char *t, size_t hi, size_t i, size_t *n)
{
    *n = 1;
    if (t[i] == '"')
        return M_DQ;
    if (t[i] == '\'')
        return M_SQ;
    if (t[i] == 0xC2 && i + 1 < hi && (t[i + 1] == 0xAB || t[i + 1] == 0xBB)) {
        *n = 2;
        return t[i + 1] == 0xAB ? M_LDQ : M_RDQ;
    }
    if (t[i] != 0xE2 || i + 2 >= hi || t[i + 1] != 0x80)
        return M_NONE;
    *n = 3;
    switch (t[i + 2]) {
    case 0x9C: case 0x9E:
        return M_LDQ;
    case 0x9D:
        return M_RDQ;
    case 0x98:
        return M_LSQ;
    case 0x99:
        return M_RSQ;
    default:
        return M_NONE;
    }
}

/* ------------------------------------------------------ pairing marks */

/* Words in t[a, b) that hold a letter or digit, counting no further than 2. */
static unsigned count_words(const unsigned char *t, size_t a, size_t b)
{
    unsigned words = 0;
    bool in = false, counted = false;
    size_t n;

    while (a < b && words < 2) {
        if (class_at(t, b, a, &n) == K_SPACE) {
            in = false;
        } else {
            if (!in)
                counted = false;
            in = true;
            if (!counted && (ascii_alnum(t[a]) || t[a] >= 0x80)) {
                counted = true;
                words++;
            }
        }
        a += n;
    }
    return words;
}

/* Trim the inner bounds: white space, and a trailing , ; or : which belongs
 * to the sentence around the quotation ("touched," plunging). */
static void trim_inner(const unsigned char *t, size_t *s, size_t *e)
{
    size_t n;

    while (*s < *e && class_at(t, *e, *s, &n) == K_SPACE)
        *s += n;
    while (*e > *s) {
        unsigned char c = t[*e - 1];

        if (c == ',' || c == ';' || c == ':' || ascii_class(c) == K_SPACE)
            (*e)--;
        else if (*e - *s >= 2 && c == 0xA0 && t[*e - 2] == 0xC2)
            *e -= 2;
        else
            break;
    }
}

/* Close the quotation opened at o by the mark t[i, i + n). */
static int close_quote(struct ctx *c, struct open *o, size_t i, size_t n, bool dbl)
{
    struct spanv *v = dbl ? &c->dv : &c->sv;
    struct span sp = {o->at, i + n, o->inner, i, dbl};

    o->on = false;
    if (i - o->at > QUOTE_MAX)
        return ATT_OK;
    trim_inner(c->t, &sp.s, &sp.e);
    if (count_words(c->t, sp.s, sp.e) < 2)
        return ATT_OK;
    if (grow(&v->v, &v->cap, v->n, sizeof *v->v) != ATT_OK)
        return ATT_E_NOMEM;
    v->v[v->n++] = sp;
    return ATT_OK;
}

static void open_quote(struct open *o, size_t i, size_t n)
{
    o->on = true;
    o->at = i;
    o->inner = i + n;
}

static int on_double(struct ctx *c, enum mark m, size_t i, size_t n)
{
    enum cls p = class_before(c->t, c->lo, i), q = class_after(c->t, c->hi, i + n);
    bool closer = (p == K_WORD || p == K_PUNCT) && (q == K_SPACE || q == K_PUNCT);

    if (c->dq.on && i - c->dq.at > QUOTE_MAX)
        c->dq.on = false; /* a stray mark: start over from this one */
    if (m == M_LDQ) {
        open_quote(&c->dq, i, n);
        return ATT_OK;
    }
    if (c->dq.on)
        return close_quote(c, &c->dq, i, n, true);
    if (m == M_DQ && !closer)
        open_quote(&c->dq, i, n);
    return ATT_OK;
}

/* "'90s", "'08": an apostrophe before two digits. */
static bool decade(const unsigned char *t, size_t hi, size_t j)
{
    if (j + 1 >= hi || !(t[j] >= '0' && t[j] <= '9') || !(t[j + 1] >= '0' && t[j + 1] <= '9'))
        return false;
    return j + 2 >= hi || t[j + 2] == 's' || !ascii_alnum(t[j + 2]);
}

/* "the students' books": s' before a lower-case word that is not a verb of
 * saying ("'we want more cars' said the man" still closes). */
static bool plural_possessive(const struct ctx *c, size_t i, size_t j)
{
    const unsigned char *t = c->t;
    size_t k = j, w;

    if (i == c->lo || t[i - 1] != 's')
        return false;
    while (k < c->hi && (t[k] == ' ' || t[k] == '\t'))
        k++;
    for (w = k; w < c->hi && w - k < 16 && t[w] >= 'a' && t[w] <= 'z'; w++)
        ;
    return w > k && !in_table(verbs, t + k, w - k, false);
}

static int on_single(struct ctx *c, enum mark m, size_t i, size_t n)
{
    enum cls p = class_before(c->t, c->lo, i), q = class_after(c->t, c->hi, i + n);
    bool opener = (p == K_SPACE || p == K_OPEN) && q != K_SPACE;
    bool closer = (p == K_WORD || p == K_PUNCT) && (q == K_SPACE || q == K_PUNCT);

    if ((p == K_WORD && q == K_WORD) || decade(c->t, c->hi, i + n))
        return ATT_OK; /* an apostrophe: "don't", "China's", "'90s" */
    if (c->sq.on && i - c->sq.at > QUOTE_MAX)
        c->sq.on = false;
    if (c->sq.on && closer && m != M_LSQ && !plural_possessive(c, i, i + n))
        return close_quote(c, &c->sq, i, n, false);
    if (opener || (m == M_LSQ && q != K_SPACE))
        open_quote(&c->sq, i, n);
    return ATT_OK;
}

/* Keep x unless it sits inside the last kept quotation (the outer one wins)
 * or crosses it; a double-quoted span wins a crossing with a single one. */
static int keep(struct spanv *k, const struct span *x)
{
    if (k->n > 0 && x->os < k->v[k->n - 1].oe) {
        const struct span *last = &k->v[k->n - 1];

        if (x->oe <= last->oe || last->dbl || !x->dbl)
            return ATT_OK;
        k->n--;
    }
    if (grow(&k->v, &k->cap, k->n, sizeof *k->v) != ATT_OK)
        return ATT_E_NOMEM;
    k->v[k->n++] = *x;
    return ATT_OK;
}

/* Pair the quote marks of the paragraph into c->kept, in text order. */
static int pair_marks(struct ctx *c)
{
    size_t i = c->lo, a = 0, b = 0, n;
    int rc = ATT_OK;

    c->dv.n = c->sv.n = c->kept.n = 0;
    c->dq.on = c->sq.on = false;
    while (i < c->hi && rc == ATT_OK) {
        enum mark m = mark_at(c->t, c->hi, i, &n);

        if (m == M_DQ || m == M_LDQ || m == M_RDQ)
            rc = on_double(c, m, i, n);
        else if (m != M_NONE)
            rc = on_single(c, m, i, n);
        i += n;
    }
    while (rc == ATT_OK && (a < c->dv.n || b < c->sv.n)) {
        if (b >= c->sv.n || (a < c->dv.n && c->dv.v[a].os <= c->sv.v[b].os))
            rc = keep(&c->kept, &c->dv.v[a++]);
        else
            rc = keep(&c->kept, &c->sv.v[b++]);
    }
    return rc;
}

/* ----------------------------------------------------------- tokens */

static bool word_char(const unsigned char *t, size_t hi, size_t i, size_t *n)
{
    enum cls k = class_at(t, hi, i, n);

    if (k == K_WORD)
        return true;
    if (t[i] == '.' || t[i] == '\'' || t[i] == '-')
        return true;
    return *n == 3 && t[i] == 0xE2 && t[i + 1] == 0x80 && t[i + 2] == 0x99;
}

static bool edge_char(const unsigned char *t, size_t a, size_t b, bool back, size_t *n)
{
    size_t i = back ? b - 1 : a;

    *n = 1;
    if (t[i] == '.' || t[i] == '\'' || t[i] == '-')
        return true;
    *n = 3;
    if (b - a < 3)
        return false;
    i = back ? b - 3 : a;
    return t[i] == 0xE2 && t[i + 1] == 0x80 && (t[i + 2] == 0x99 || t[i + 2] == 0x98);
}

/* Starts with a capital letter (ASCII or Latin-1), or "al-Assad". */
static bool capital(const unsigned char *t, size_t a, size_t b)
{
    if (t[a] >= 'A' && t[a] <= 'Z')
        return true;
    if (b - a >= 2 && t[a] == 0xC3 && t[a + 1] >= 0x80 && t[a + 1] <= 0x9E && t[a + 1] != 0x97)
        return true;
    if (b - a >= 4 && (t[a] == 'a' || t[a] == 'e') && t[a + 1] == 'l' && t[a + 2] == '-')
        return t[a + 3] >= 'A' && t[a + 3] <= 'Z';
    return false;
}

/* "Xi's", "students'": core [a, b), raw end e. */
static bool possessive(const unsigned char *t, size_t a, size_t b, size_t e)
{
    if (b - a >= 2 && t[b - 1] == 's' && t[b - 2] == '\'')
        return true;
    if (b - a >= 4 && t[b - 1] == 's' && t[b - 2] == 0x99 && t[b - 3] == 0x80)
        return true;
    return t[b - 1] == 's' && e > b && (t[b] == '\'' || t[b] == 0xE2);
}

/* "I've", "We'll": an apostrophe before a lower-case letter ("O'Brien" is
 * a name; possessives are told apart before). */
static bool contraction(const unsigned char *t, size_t a, size_t b)
{
    for (size_t i = a; i + 1 < b; i++) {
        bool apos = t[i] == '\'' || (t[i] == 0x99 && i >= a + 2 && t[i - 1] == 0x80);

        if (apos && t[i + 1] >= 'a' && t[i + 1] <= 'z')
            return true;
    }
    return false;
}

/* The word lists a word is looked up in, and the flag each gives. */
static const struct lexicon {
    const char *const *words;
    unsigned flag;
    bool nocase;
    bool lower; /* every entry starts lower-case: other words are skipped */
} lexicons[] = {
    {verbs, F_VERB, false, true},     {verbs_before_name, F_BEFORE, false, true},
    {participles, F_ING, false, true}, {adverbs, F_ADV, false, true},
    {joiners, F_JOIN, false, true},    {particles, F_PART, false, true},
    {roles, F_ROLE, true, false},      {generic, F_GENERIC, true, false},
};

static unsigned word_flags(const unsigned char *t, size_t a, size_t b, size_t e)
{
    bool lower = t[a] >= 'a' && t[a] <= 'z';
    unsigned f = lower ? F_LOWER : 0;

    if (capital(t, a, b) && !in_table(stops, t + a, b - a, false))
        f |= F_CAP;
    if (possessive(t, a, b, e))
        f |= F_POSS;
    if (contraction(t, a, b))
        f |= F_CONTR;
    for (size_t k = 0; k < sizeof lexicons / sizeof lexicons[0]; k++) {
        const struct lexicon *x = &lexicons[k];

        if ((lower || !x->lower) && in_table(x->words, t + a, b - a, x->nocase))
            f |= x->flag;
    }
    return f;
}

static int push_tok(struct tokv *v, size_t a, size_t b, size_t e, enum tkind kind)
{
    if (grow(&v->v, &v->cap, v->n, sizeof *v->v) != ATT_OK)
        return ATT_E_NOMEM;
    v->v[v->n].a = a;
    v->v[v->n].b = b;
    v->v[v->n].e = e;
    v->v[v->n].q = 0;
    v->v[v->n].kind = kind;
    v->v[v->n].flags = 0;
    v->n++;
    return ATT_OK;
}

/* A word [i, j): its core has no dots, apostrophes or hyphens at the edges. */
static int push_word(struct ctx *c, size_t i, size_t j)
{
    size_t a = i, b = j, n;

    while (a < b && edge_char(c->t, a, b, false, &n))
        a += n;
    while (b > a && edge_char(c->t, a, b, true, &n))
        b -= n;
    if (a == b)
        return push_tok(&c->toks, i, j, j, T_PUNCT);
    if (push_tok(&c->toks, a, b, j, T_WORD) != ATT_OK)
        return ATT_E_NOMEM;
    c->toks.v[c->toks.n - 1].flags = word_flags(c->t, a, b, j);
    return ATT_OK;
}

/* Tokens of [gs, ge), each kept quotation qa.. one token. */
static int tokenize(struct ctx *c, size_t gs, size_t ge, size_t qa, size_t qb)
{
    size_t i = gs, n, q = qa;
    int rc = ATT_OK;

    c->toks.n = 0;
    while (i < ge && rc == ATT_OK) {
        size_t stop = q < qb ? c->kept.v[q].os : ge;

        if (q < qb && i >= stop) {
            rc = push_tok(&c->toks, c->kept.v[q].os, c->kept.v[q].oe, c->kept.v[q].oe, T_QUOTE);
            c->toks.v[c->toks.n - 1].q = q;
            i = c->kept.v[q].oe > i ? c->kept.v[q].oe : i;
            q++;
        } else if (class_at(c->t, ge, i, &n) == K_SPACE) {
            i += n;
        } else if (word_char(c->t, ge, i, &n)) {
            size_t j = i;

            while (j < ge && j < stop && word_char(c->t, ge, j, &n))
                j += n;
            rc = push_word(c, i, j);
            i = j;
        } else {
            rc = push_tok(&c->toks, i, i + n, i + n, T_PUNCT);
            i += n;
        }
    }
    return rc;
}

/* ------------------------------------------------------- token tests */

static const struct tok *tk(const struct ctx *c, size_t k)
{
    return &c->toks.v[k];
}

static bool is_word(const struct ctx *c, size_t k)
{
    return k < c->toks.n && tk(c, k)->kind == T_WORD;
}

/* Token k is a word with every flag in f. */
static bool has(const struct ctx *c, size_t k, unsigned f)
{
    return is_word(c, k) && (tk(c, k)->flags & f) == f;
}

static bool tok_is(const struct ctx *c, size_t k, const char *w, bool nocase)
{
    return is_word(c, k) && same(w, c->t + tk(c, k)->a, tk(c, k)->b - tk(c, k)->a, nocase);
}

static bool punct_is(const struct ctx *c, size_t k, char p)
{
    return k < c->toks.n && tk(c, k)->kind == T_PUNCT && c->t[tk(c, k)->a] == (unsigned char)p;
}

/* A word that may be part of a name: capitalised, no possessive. */
static bool cap(const struct ctx *c, size_t k)
{
    return has(c, k, F_CAP) && !has(c, k, F_POSS);
}

/* A name word proper: no contraction, and not a title unless it follows a
 * name word ("Martin Luther King"). */
static bool name_word(const struct ctx *c, size_t k)
{
    if (!cap(c, k) || has(c, k, F_CONTR))
        return false;
    if (!has(c, k, F_ROLE))
        return true;
    return k > 0 && cap(c, k - 1) && !has(c, k - 1, F_ROLE);
}

/* ------------------------------------------------------------ names */

/* The title block ending just before token k, as a byte range in w. */
static void role_back(const struct ctx *c, size_t k, struct who *w)
{
    size_t r = k;

    while (r > 0 && k - r < RUN_MAX) {
        if (has(c, r - 1, F_ROLE))
            r--;
        else if (r >= 2 && has(c, r - 1, F_JOIN) && (has(c, r - 2, F_ROLE)
                 || (r >= 3 && has(c, r - 2, F_JOIN) && has(c, r - 3, F_ROLE))))
            r--;
        else
            break;
    }
    w->ra = w->rb = 0;
    if (r < k) {
        w->ra = tk(c, r)->a;
        w->rb = tk(c, k - 1)->e;
    }
}

/* The name that ends at token e, with its title: R_NAME, R_BLOCK when only
 * a title or a generic subject ends there, else R_NONE. */
static enum res name_back(const struct ctx *c, size_t e, struct who *w)
{
    size_t k = e;

    if (has(c, e, F_GENERIC))
        return R_BLOCK;
    if (!name_word(c, e))
        return has(c, e, F_ROLE) ? R_BLOCK : R_NONE;
    while (k > 0 && e - k + 1 < RUN_MAX) {
        size_t j = k - 1;

        while (j > 0 && k - j < 3 && has(c, j, F_PART))
            j--; /* "von der" */
        if (!name_word(c, j))
            break;
        k = j;
    }
    if (k > 0 && has(c, k - 1, F_JOIN))
        return R_BLOCK; /* "the President of the United States" */
    w->sa = tk(c, k)->a;
    w->sb = tk(c, e)->b;
    role_back(c, k, w);
    return R_NAME;
}

/* The name that starts at token k, after "said" or "according to". */
static enum res name_forward(const struct ctx *c, size_t k, struct who *w)
{
    size_t r, s;

    if (tok_is(c, k, "the", false) || tok_is(c, k, "a", false))
        k++;
    for (r = k; (has(c, r, F_ROLE) || (has(c, r, F_JOIN) && has(c, r + 1, F_ROLE)))
                && r - k < RUN_MAX; r++)
        ;
    for (s = r; s < c->toks.n && s - r < RUN_MAX; s++) {
        size_t j = s;

        while (s > r && j < s + 2 && has(c, j, F_PART))
            j++; /* "von der" */
        if (has(c, j, F_CAP | F_POSS))
            return R_NONE; /* "said Xi's aide" */
        if (!cap(c, j))
            break;
        s = j;
    }
    if (s == r)
        return r > k ? R_BLOCK : R_NONE;
    w->sa = tk(c, r)->a;
    w->sb = tk(c, s - 1)->b;
    w->ra = w->rb = 0;
    if (r > k) {
        w->ra = tk(c, k)->a;
        w->rb = tk(c, r - 1)->e;
    }
    return R_NAME;
}

/* ", director of the Center," before a verb: the name before the first comma. */
static enum res apposition(const struct ctx *c, size_t j, struct who *w)
{
    for (size_t m = j; m > 0 && j - m < APPOSITION_MAX; m--) {
        if (tk(c, m - 1)->kind == T_QUOTE)
            return R_NONE;
        if (!punct_is(c, m - 1, ','))
            continue;
        if (m < 2 || !(has(c, m, F_LOWER) || has(c, m, F_ROLE)))
            return R_NONE;
        return name_back(c, m - 2, w) == R_NAME ? R_NAME : R_NONE;
    }
    return R_NONE;
}

/* "Warren (D-Mass.) said": the token before a parenthesis that ends at j. */
static size_t skip_parenthesis(const struct ctx *c, size_t j)
{
    if (!punct_is(c, j, ')'))
        return j;
    for (size_t m = j; m > 1 && j - m < APPOSITION_MAX; m--) {
        if (punct_is(c, m - 1, '('))
            return m - 2;
        if (tk(c, m - 1)->kind == T_QUOTE)
            break;
    }
    return j;
}

/* The subject of the verb at token k: "Xi said", "he said", "Xi also said". */
static enum res subject_of(const struct ctx *c, size_t k, struct who *w)
{
    size_t j, steps = 0;

    if (k == 0)
        return R_NONE;
    j = k - 1;
    while (j > 0 && steps < ADVERBS_MAX && has(c, j, F_ADV)) {
        j--;
        steps++;
    }
    j = skip_parenthesis(c, j);
    if (punct_is(c, j, ','))
        return apposition(c, j, w);
    if (!is_word(c, j))
        return R_NONE;
    if (tok_is(c, j, "he", true) || tok_is(c, j, "she", true))
        return R_PRONOUN;
    return name_back(c, j, w);
}

/* ---------------------------------------------------- attributions */

static int push_cons(struct consv *v, size_t at, enum ckind kind, const struct who *w)
{
    if (grow(&v->v, &v->cap, v->n, sizeof *v->v) != ATT_OK)
        return ATT_E_NOMEM;
    v->v[v->n].at = at;
    v->v[v->n].kind = kind;
    v->v[v->n].who = *w;
    v->n++;
    return ATT_OK;
}

/* True if a quotation follows token k closely: "saying it "...". */
static bool quote_soon(const struct ctx *c, size_t k)
{
    for (size_t j = k + 1; j < c->toks.n && j <= k + 3; j++) {
        if (tk(c, j)->kind == T_QUOTE)
            return true;
    }
    return false;
}

/* An attribution verb at token k: record who it names, if anyone. */
static int on_verb(struct ctx *c, size_t k)
{
    struct who w = {0, 0, 0, 0};
    enum res r = subject_of(c, k, &w);

    if (r == R_NONE && has(c, k, F_BEFORE) && !is_word(c, k - 1))
        r = name_forward(c, k + 1, &w);
    if (r == R_NONE && c->has_subject && has(c, k, F_ING) && quote_soon(c, k)) {
        r = R_NAME;
        w = c->subject;
    }
    if (r == R_PRONOUN) {
        /* "he said" names whoever was named in this or the previous sentence */
        r = c->has_last && c->group_no - c->last_group <= 1 ? R_NAME : R_BLOCK;
        w = c->last;
    }
    if (r == R_NONE)
        return ATT_OK;
    if (r == R_NAME) {
        c->last = w;
        c->has_last = true;
        c->last_group = c->group_no;
    }
    return push_cons(&c->verbs, k, r == R_NAME ? C_NAMED : C_BLOCK, &w);
}

/* Find the attributions of the tokenized group, in token order. */
static int scan_group(struct ctx *c)
{
    struct who w;
    int rc = ATT_OK;

    c->verbs.n = c->accs.n = 0;
    c->has_subject = false;
    for (size_t k = 0; k < c->toks.n && rc == ATT_OK; k++) {
        if (!is_word(c, k))
            continue;
        if (cap(c, k) && has(c, k + 1, F_LOWER) && !has(c, k + 1, F_PART)
            && name_back(c, k, &w) == R_NAME) {
            c->subject = w;
            c->has_subject = true;
        }
        if (tok_is(c, k, "according", true) && tok_is(c, k + 1, "to", false)) {
            if (name_forward(c, k + 2, &w) == R_NAME)
                rc = push_cons(&c->accs, k, C_NAMED, &w);
        } else if (has(c, k, F_VERB)) {
            rc = on_verb(c, k);
        }
    }
    return rc;
}

/* The attribution in v nearest to the quotation token at, within REACH:
 * one before it, or one after it but before the next quotation token
 * limit ("X said "A" and "B"" names both; '"A" ... "B," X said' only B). */
static const struct cons *nearest(const struct consv *v, size_t at, size_t limit)
{
    const struct cons *before = NULL, *after = NULL;
    size_t lo = 0, hi = v->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (v->v[mid].at < at)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && at - v->v[lo - 1].at <= REACH)
        before = &v->v[lo - 1];
    if (lo < v->n && v->v[lo].at < limit && v->v[lo].at - at <= REACH)
        after = &v->v[lo];
    if (before != NULL && after != NULL)
        return at - before->at <= after->at - at ? before : after;
    return before != NULL ? before : after;
}

/* --------------------------------------------------------- output */

static bool space_byte(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* A malloc'd copy of t[a, b) with each run of white space made one space. */
static char *copy_name(const unsigned char *t, size_t a, size_t b, bool *nomem)
{
    char *s;
    size_t o = 0;

    if (a >= b)
        return NULL;
    s = malloc(b - a + 1);
    if (s == NULL) {
        *nomem = true;
        return NULL;
    }
    while (a < b) {
        bool nbsp = t[a] == 0xC2 && a + 1 < b && t[a + 1] == 0xA0;

        if (space_byte(t[a]) || nbsp) {
            if (o > 0 && s[o - 1] != ' ')
                s[o++] = ' ';
            a += nbsp ? 2 : 1;
        } else {
            s[o++] = (char)t[a++];
        }
    }
    while (o > 0 && s[o - 1] == ' ')
        o--;
    s[o] = '\0';
    return s;
}

/* Append a quotation with the speaker in w (NULL: unknown). */
static int emit(struct ctx *c, const struct span *sp, const struct who *w)
{
    struct att_quotes *q = c->out;
    struct att_quote *x;
    bool nomem = false;

    if (grow(&q->v, &q->cap, q->n, sizeof *q->v) != ATT_OK)
        return ATT_E_NOMEM;
    x = &q->v[q->n];
    x->start = sp->s;
    x->end = sp->e;
    x->speaker = w != NULL ? copy_name(c->t, w->sa, w->sb, &nomem) : NULL;
    x->role = w != NULL ? copy_name(c->t, w->ra, w->rb, &nomem) : NULL;
    q->n++;
    return nomem ? ATT_E_NOMEM : ATT_OK;
}

/* The index of the first quotation token after token k, or the count. */
static size_t next_quote(const struct ctx *c, size_t k)
{
    for (k++; k < c->toks.n && tk(c, k)->kind != T_QUOTE; k++)
        ;
    return k;
}

/* Attribute and emit every quotation token of the group. A group opening
 * with a quotation and holding no attribution goes on the previous group's
 * quotation ('"A," Xi said. "B."') when there was one. */
static int attribute(struct ctx *c)
{
    bool quiet = c->verbs.n == 0 && c->accs.n == 0;
    bool quoted = false;
    int rc = ATT_OK;

    for (size_t k = 0; k < c->toks.n && rc == ATT_OK; k = next_quote(c, k)) {
        size_t limit = next_quote(c, k);
        const struct cons *x;
        const struct who *w = NULL;

        if (tk(c, k)->kind != T_QUOTE)
            continue;
        x = nearest(&c->verbs, k, limit);
        if (x == NULL)
            x = nearest(&c->accs, k, limit);
        if (x != NULL && x->kind == C_NAMED)
            w = &x->who;
        else if (k == 0 && quiet && c->prev_quoted && c->prev_named)
            w = &c->prev_who;
        rc = emit(c, &c->kept.v[tk(c, k)->q], w);
        if (w != NULL)
            c->prev_who = *w;
        c->prev_named = w != NULL;
        quoted = true;
    }
    c->prev_quoted = quoted;
    return rc;
}

/* --------------------------------------------------------- driving */

/* True if one of the first words of [a, b) is a verb of saying, so that
 * '"We will win!" Xi said.' reads as one sentence. */
static bool said_soon(const unsigned char *t, size_t a, size_t b)
{
    for (unsigned words = 0; a < b && words < LOOKAHEAD; words++) {
        size_t w = a;

        while (w < b && t[w] >= 'a' && t[w] <= 'z')
            w++;
        if (w > a && in_table(verbs, t + a, w - a, false)
            && !in_table(participles, t + a, w - a, false))
            return true;
        while (w < b && !space_byte(t[w]))
            w++;
        while (w < b && space_byte(t[w]))
            w++;
        a = w;
    }
    return false;
}

/* Read [a, b), holding quotations qa..qb: tokens, attributions, output. */
static int piece(struct ctx *c, size_t a, size_t b, size_t qa, size_t qb)
{
    int rc = tokenize(c, a, b, qa, qb);

    if (rc == ATT_OK)
        rc = scan_group(c);
    if (rc == ATT_OK)
        rc = attribute(c);
    return rc;
}

/* Read the group g with quotations qa..qb as sentence group no. A
 * group over GROUP_MAX bytes (a text without full stops) is read in pieces
 * around its quotations, to bound memory; the rest of it is skipped. */
static int group(struct ctx *c, size_t no, struct att_span g, size_t qa, size_t qb)
{
    const struct span *v = c->kept.v;
    size_t floor = g.start;
    int rc = ATT_OK;

    c->group_no = no;
    if (g.end - g.start <= GROUP_MAX)
        return piece(c, g.start, g.end, qa, qb);
    while (qa < qb && rc == ATT_OK) {
        size_t q = qa + 1, a, b;

        while (q < qb && v[q].oe - v[qa].os <= GROUP_MAX)
            q++;
        a = v[qa].os > floor + MARGIN ? v[qa].os - MARGIN : floor;
        b = v[q - 1].oe + MARGIN < g.end ? v[q - 1].oe + MARGIN : g.end;
        if (q < qb && b > v[q].os)
            b = v[q].os;
        rc = piece(c, a, b, qa, q);
        floor = b;
        qa = q;
    }
    return rc;
}

/* The next group of sentences from sentence *k: it grows until no
 * quotation crosses its end, and takes in a next sentence that attributes
 * the quotation it ends with. *q moves past its quotations. */
static struct att_span next_group(const struct ctx *c, size_t *k, size_t *q)
{
    const struct att_span *s = c->sent.v;
    size_t ns = c->sent.n, qa = *q;
    struct att_span g = {c->lo + s[*k].start, c->lo + s[*k].end};

    (*k)++;
    while (*q < c->kept.n && c->kept.v[*q].os < g.end) {
        while (c->kept.v[*q].oe > g.end && *k < ns)
            g.end = c->lo + s[(*k)++].end;
        (*q)++;
    }
    if (*q > qa && c->kept.v[*q - 1].oe == g.end && *k < ns
        && said_soon(c->t, c->lo + s[*k].start, c->lo + s[*k].end))
        g.end = c->lo + s[(*k)++].end;
    while (*q < c->kept.n && c->kept.v[*q].os < g.end)
        (*q)++;
    return g;
}

/* Walk the paragraph's sentence groups. A group without quotations is read
 * only when the next one has some, for its "he said". */
static int walk_groups(struct ctx *c)
{
    struct att_span prev = {0, 0};
    size_t k = 0, q = 0, no = 0;
    int rc = ATT_OK;

    while (k < c->sent.n && rc == ATT_OK) {
        size_t qa = q;
        struct att_span g = next_group(c, &k, &q);

        no++;
        if (q == qa) {
            prev = g;
            c->prev_quoted = false;
            continue;
        }
        if (prev.end > prev.start)
            rc = group(c, no - 1, prev, qa, qa);
        prev.start = prev.end = 0;
        if (rc == ATT_OK)
            rc = group(c, no, g, qa, q);
    }
    return rc;
}

static int paragraph(struct ctx *c)
{
    int rc = pair_marks(c);

    if (rc != ATT_OK || c->kept.n == 0)
        return rc;
    c->sent.n = 0;
    rc = att_sentences((const char *)c->t + c->lo, c->hi - c->lo, &c->sent, NULL);
    if (rc != ATT_OK)
        return rc;
    c->has_last = c->prev_quoted = c->prev_named = false;
    return walk_groups(c);
}

/* Quotations of text[0..len), appended to *out in text order with their
 * speakers (see text.h). Paragraph by paragraph: marks are paired within a
 * line, and only paragraphs holding a quotation are read further. On
 * ATT_E_NOMEM what was appended stays in *out for att_quotes_free(). */
int att_quotes_find(const char *text, size_t len, struct att_quotes *out, struct att_err *err)
{
    struct ctx c;
    int rc = ATT_OK;

    memset(&c, 0, sizeof c);
    c.t = (const unsigned char *)text;
    c.out = out;
    while (c.lo < len && rc == ATT_OK) {
        for (c.hi = c.lo; c.hi < len && text[c.hi] != '\n' && text[c.hi] != '\r'; c.hi++)
            ;
        rc = paragraph(&c);
        c.lo = c.hi + 1;
    }
    free(c.dv.v);
    free(c.sv.v);
    free(c.kept.v);
    free(c.toks.v);
    free(c.verbs.v);
    free(c.accs.v);
    att_spans_free(&c.sent);
    if (rc != ATT_OK)
        return att_err_set(err, rc, "out of memory finding quotations");
    return ATT_OK;
}

/* Free every speaker, role and the array; q is left empty. NULL is a no-op. */
void att_quotes_free(struct att_quotes *q)
{
    if (q == NULL)
        return;
    for (size_t k = 0; k < q->n; k++) {
        free(q->v[k].speaker);
        free(q->v[k].role);
    }
    free(q->v);
    q->v = NULL;
    q->n = 0;
    q->cap = 0;
}
