/* attache: the words of the quotation finder: its word lists (verbs of
 * saying, titles, bodies, particles ...) and the flags of a word, with
 * Unicode letter case. Reading names from words is quotes_who.c's job. */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "quotes_priv.h"
#include "xap_unicode.h"

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
    "accused", "described", "conceded", "countered", "confirmed", "predicted", "promised",
    "suggested", "observed", "admitted", "reminded",
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
    "repeatedly", "similarly", "simply", "directly", "firmly", "clearly", "openly", "afterwards",
    "today", "yesterday", "tonight", NULL,
};

/* Titles proper, and honorifics: a person holds them ("the Pope" is one
 * person). Compared without regard to ASCII case. */
static const char *const titles[] = {
    "President", "Minister", "Premier", "Secretary", "Ambassador", "Amb", "Spokesperson",
    "Spokesman", "Spokeswoman", "Spokespeople", "Senator", "Sen", "Gen", "General",
    "Chancellor", "King", "Queen", "Chairman", "Chairwoman", "Chair", "Chairperson",
    "Director", "Mr", "Mrs", "Ms", "Dr", "Prof", "Professor", "Governor", "Gov", "Mayor",
    "Rep", "Representative", "Pope", "Cardinal", "Archbishop", "Bishop", "Rabbi", "Reverend",
    "Rev", "Prince", "Princess", "Sheikh", "Emir", "Sultan", "Lt", "Lieutenant", "Col",
    "Colonel", "Major", "Captain", "Capt", "Admiral", "Adm", "Commander", "Sergeant", "Sgt",
    "Corporal", "Cpl", "Envoy", "Speaker", "Leader", "Chief", "Councillor", "Counselor",
    "Commissioner", "Coordinator", "Lord", "Sir", "Dame", "Judge", "Attorney", "Official",
    "Adviser", "Advisor", "Holiness", "Majesty", "Excellency", "Highness", "Eminence",
    "Lordship", "Ladyship", NULL,
};

/* Titles written with capitals: "H.E" (His Excellency). */
static const char *const honorifics[] = {"H.E", NULL};

/* Words that go with a title without being one: its office, rank and
 * nationality ("Foreign", "Vice", "White House", "Chinese"). */
static const char *const modifiers[] = {
    "Vice", "Prime", "Foreign", "Defense", "Defence", "Trade", "Finance", "Commerce",
    "Treasury", "Interior", "Justice", "Health", "Energy", "Home", "State", "Deputy",
    "Assistant", "Acting", "Former", "Senior", "Executive", "Ministry", "Office", "Department",
    "National", "Security", "White", "House", "Press", "Chinese", "Japanese", "American",
    "British", "French", "German", "Russian", "Indian", "Korean", "South",
    "North", "Taiwanese", "Australian", "Canadian", "Italian", "Spanish", "Israeli", "Iranian",
    "Ukrainian", "Turkish", "Pakistani", "Philippine", "Vietnamese", "Indonesian", "Saudi",
    "European", "Brazilian", "Mexican", "Egyptian", "Dutch", "Polish", NULL,
};

/* Modifiers written in capitals, compared with case ("US", not "us"). */
static const char *const acronyms[] = {
    "U.S", "US", "U.K", "UK", "EU", "U.N", "UN", "NATO", NULL,
};

/* Joiners inside a title or a body: "Secretary of the Treasury". */
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
    "Whereas", "Whereby", "Ladies", "Gentlemen", "Americans", "Mister", "Asked", "Speaking",
    "One",
    NULL,
};

/* Subjects that are not names but rule a name out: "officials said". */
static const char *const generic[] = {
    "it", "they", "we", "i", "you", "official", "officials", "ministry", "spokesperson",
    "spokesman", "spokeswoman", "statement", "government", "source", "sources", "report",
    "minister", "aide", "aides", "analyst", "analysts", "diplomat", "diplomats", "embassy",
    "agency", "media", "people", "lawmakers", "leader", "leaders", "president", "office",
    "readout", "release", "experts", "observers", "critics", "residents", "who", "which",
    "communique", "communiqu\xC3\xA9", "delegation", "delegate", NULL,
};

/* Nouns for a body or its voice: "China's foreign ministry said", "a
 * Downing Street spokesperson said", "the ministry said". */
static const char *const bodies[] = {
    "ministry", "office", "department", "ministers", "government", "embassy", "council",
    "commission", "presidency", "secretariat", "spokesperson", "spokesman", "spokeswoman",
    NULL,
};

static const char *const spokes[] = {"spokesperson", "spokesman", "spokeswoman", NULL};

/* Days and months, which name no one: "Lavrov on Tuesday said". */
static const char *const times[] = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
    "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", NULL,
};

/* A document speaks through these: "Section 3 reads", "which states that". */
static const char *const docverbs[] = {
    "reads", "read", "states", "provides", "stipulates", "specifies", NULL,
};

/* What a document is called after "according to a": "statement from X". */
static const char *const docnouns[] = {
    "statement", "readout", "report", "release", "transcript", "account", "letter", NULL,
};

/* ------------------------------------------------------- look-ups */

static unsigned char fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* w (NUL-terminated) equals s[0..n), ignoring ASCII case when nocase. */
bool att_q_same(const char *w, const unsigned char *s, size_t n, bool nocase)
{
    size_t k;

    for (k = 0; k < n && w[k] != '\0'; k++) {
        if (nocase ? fold((unsigned char)w[k]) != fold(s[k]) : (unsigned char)w[k] != s[k])
            return false;
    }
    return k == n && w[k] == '\0';
}


/* ---------------------------------------------------------- words */

/* The letter case of the character at t[a, b): 1 upper, -1 lower, 0 neither. */
int att_q_case_at(const unsigned char *t, size_t a, size_t b)
{
    size_t n;
    uint32_t cp;

    if (a >= b)
        return 0;
    if (t[a] < 0x80)
        return t[a] >= 'A' && t[a] <= 'Z' ? 1 : t[a] >= 'a' && t[a] <= 'z' ? -1 : 0;
    cp = att_utf8_decode((const char *)t + a, b - a, &n);
    return att_uni_case(cp);
}

/* Starts with a capital letter of any script, or "al-Assad". */
static bool capital(const unsigned char *t, size_t a, size_t b)
{
    if (att_q_case_at(t, a, b) > 0)
        return true;
    if (b - a >= 4 && (t[a] == 'a' || t[a] == 'e') && t[a + 1] == 'l' && t[a + 2] == '-')
        return att_q_case_at(t, a + 3, b) > 0;
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

/* The word lists a word is looked up in, the flag each gives, and whether
 * it is compared without regard to ASCII case. X_STOP and X_DOCNOUN are
 * only for this file. */
#define X_STOP (1u << 30)
#define X_DOCNOUN (1u << 29)

static const struct lexicon {
    const char *const *words;
    unsigned flag;
    bool nocase;
} lexicons[] = {
    {verbs, F_VERB, false},      {verbs_before_name, F_BEFORE, false},
    {participles, F_ING, false}, {adverbs, F_ADV, false},
    {joiners, F_JOIN, false},    {particles, F_PART, false},
    {titles, F_ROLE | F_TITLE, true}, {modifiers, F_ROLE, true},
    {acronyms, F_ROLE, false},   {honorifics, F_ROLE | F_TITLE, false},
    {generic, F_GENERIC, true},  {bodies, F_BODY, false},
    {spokes, F_SPOKES, false},   {times, F_TIME, false},
    {docverbs, F_DOCV, false},   {stops, X_STOP, false},
    {docnouns, X_DOCNOUN, false},
};

/* Every word of the lists in one hash table, keyed by the word folded to
 * lower case; built once, then only read (thread-safe). */
#define LEX_SLOTS 2048 /* a power of two, above twice the words of the lists */
#define LEX_LONGEST 24 /* no word of the lists is longer */

static struct lexslot {
    const char *w;
    unsigned short len;
    unsigned short lexicon; /* index in lexicons + 1; 0: a free slot */
} lex[LEX_SLOTS];
static pthread_once_t lex_once = PTHREAD_ONCE_INIT;

static uint32_t lex_hash(const unsigned char *s, size_t n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ fold(s[i])) * 16777619u;
    return h & (LEX_SLOTS - 1);
}

static void lex_build(void)
{
    for (size_t k = 0; k < sizeof lexicons / sizeof lexicons[0]; k++) {
        for (const char *const *w = lexicons[k].words; *w != NULL; w++) {
            size_t n = strlen(*w);
            uint32_t i = lex_hash((const unsigned char *)*w, n);

            while (lex[i].lexicon != 0)
                i = (i + 1) & (LEX_SLOTS - 1);
            lex[i] = (struct lexslot){*w, (unsigned short)n, (unsigned short)(k + 1)};
        }
    }
}

/* The flags of every list holding s[0..n). */
static unsigned lookup(const unsigned char *s, size_t n)
{
    unsigned f = 0;

    if (n == 0 || n > LEX_LONGEST)
        return 0;
    pthread_once(&lex_once, lex_build);
    for (uint32_t i = lex_hash(s, n); lex[i].lexicon != 0; i = (i + 1) & (LEX_SLOTS - 1)) {
        const struct lexicon *x = &lexicons[lex[i].lexicon - 1];

        if (lex[i].len == n && att_q_same(lex[i].w, s, n, x->nocase))
            f |= x->flag;
    }
    return f;
}

bool att_q_saying(const unsigned char *s, size_t n)
{
    return (lookup(s, n) & F_VERB) != 0;
}

bool att_q_participle(const unsigned char *s, size_t n)
{
    return (lookup(s, n) & F_ING) != 0;
}

/* "Secretary-General", "Vice-President": a hyphenated word whose every part
 * is a role is one, and a title when a part is. */
static unsigned hyphen_roles(const unsigned char *t, size_t a, size_t b)
{
    unsigned f = F_ROLE;
    size_t i = a, j;

    if (memchr(t + a, '-', b - a) == NULL)
        return 0;
    for (; i < b; i = j + 1) {
        unsigned g;

        for (j = i; j < b && t[j] != '-'; j++)
            ;
        g = lookup(t + i, j - i);
        if (!(g & F_ROLE))
            return 0;
        f |= g & F_TITLE;
    }
    return f;
}

/* The F_* flags of the word with core t[a, b), raw end e. */
unsigned att_q_word_flags(const unsigned char *t, size_t a, size_t b, size_t e)
{
    bool lower = att_q_case_at(t, a, b) < 0;
    unsigned x = lookup(t + a, b - a);
    unsigned f = (lower ? F_LOWER : 0) | (x & ~(X_STOP | X_DOCNOUN));

    if (capital(t, a, b) && !(x & X_STOP))
        f |= F_CAP;
    if (t[a] >= '0' && t[a] <= '9')
        f |= F_DIGIT;
    if (possessive(t, a, b, e))
        f |= F_POSS;
    if (contraction(t, a, b))
        f |= F_CONTR;
    if ((f & F_CAP) && !(f & F_ROLE))
        f |= hyphen_roles(t, a, b);
    return f;
}

/* s[0..n) is a word that follows "according to a" before the source:
 * "statement", "readout". */
bool att_q_docnoun(const unsigned char *s, size_t n)
{
    return (lookup(s, n) & X_DOCNOUN) != 0;
}
