/* attache: names and titles for the quotation finder: the word lists, the
 * flags of a word, and reading a speaker's name and title around a verb
 * of saying ("Foreign Minister Wang Yi said", "said Xi"). */
#include <stdbool.h>
#include <stddef.h>

#include "quotes_priv.h"

#define RUN_MAX 8         /* tokens in a title and a name together */
#define APPOSITION_MAX 12 /* tokens in ", director of X," between name and verb */
#define ADVERBS_MAX 3     /* "also", "later" ... between a name and its verb */

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

static bool in_table(const char *const *table, const unsigned char *s, size_t n, bool nocase)
{
    unsigned char first = nocase ? fold(s[0]) : s[0];

    for (size_t k = 0; table[k] != NULL; k++) {
        unsigned char w = (unsigned char)table[k][0];

        if ((nocase ? fold(w) : w) == first && att_q_same(table[k], s, n, nocase))
            return true;
    }
    return false;
}

bool att_q_saying(const unsigned char *s, size_t n)
{
    return in_table(verbs, s, n, false);
}

bool att_q_participle(const unsigned char *s, size_t n)
{
    return in_table(participles, s, n, false);
}

/* ---------------------------------------------------------- words */

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

/* The F_* flags of the word with core t[a, b), raw end e. */
unsigned att_q_word_flags(const unsigned char *t, size_t a, size_t b, size_t e)
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

/* ---------------------------------------------------- name tokens */

static bool punct_is(const struct ctx *c, size_t k, char p)
{
    return k < c->toks.n && tk(c, k)->kind == T_PUNCT && c->t[tk(c, k)->a] == (unsigned char)p;
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
enum res att_q_name_back(const struct ctx *c, size_t e, struct who *w)
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
enum res att_q_name_forward(const struct ctx *c, size_t k, struct who *w)
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
        return att_q_name_back(c, m - 2, w) == R_NAME ? R_NAME : R_NONE;
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
enum res att_q_subject_of(const struct ctx *c, size_t k, struct who *w)
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
    return att_q_name_back(c, j, w);
}
