// attache: which words of a hit match its query, for highlighting: the
// query's terms by place and its phrases (collect_terms), and the matching
// of a word (att_result_match) or of words in a row (att_result_phrase_match).
#include <algorithm>
#include <cctype>

#include "xap_fold.h"
#include "xap_priv.h"

extern "C" {
#include "fold.h"
}

namespace {

// A term's place: 'b' body (unprefixed), 'q' quotations, 't' title, 0
// another field; *word gets the term without its prefix.
char term_class(const std::string &term, std::string *word)
{
    const size_t qlen = sizeof ATT_P_QUOTE - 1, tlen = sizeof ATT_P_TITLE - 1;
    auto capital = [](char c) { return c >= 'A' && c <= 'Z'; }; // prefixes are capitals
    if (term.compare(0, qlen, ATT_P_QUOTE) == 0 && !capital(term[qlen])) {
        *word = term.substr(qlen);
        return 'q';
    }
    if (term.compare(0, tlen, ATT_P_TITLE) == 0 && term.size() > tlen && !capital(term[tlen])) {
        *word = term.substr(tlen);
        return 't';
    }
    *word = term;
    return !term.empty() && !capital(term[0]) ? 'b' : 0;
}

// The window of a phrase query: N in its description "(a@1 PHRASE N b@2)".
size_t phrase_window(const Xapian::Query &q)
{
    std::string d = q.get_description();
    size_t at = d.find(" PHRASE ");
    return at == std::string::npos ? 0 : std::strtoul(d.c_str() + at + 8, nullptr, 10);
}

void collect_query(att_xquery *xq, const Xapian::Query &q);

// A phrase of the body, a title or quotations, its words in a row (not
// "a ADJ b", whose window is wider): into xq->phrases, once. Any other's
// terms are taken as words of their own.
void collect_phrase(att_xquery *xq, const Xapian::Query &q)
{
    size_t n = q.get_num_subqueries();
    att_xphrase p;
    char place = 0;
    bool ok = n > 0 && phrase_window(q) == n;
    for (size_t i = 0; ok && i < n; i++) {
        Xapian::Query sub = q.get_subquery(i);
        std::string word;
        char c = sub.get_type() == Xapian::Query::LEAF_TERM
                     ? term_class(*sub.get_terms_begin(), &word) : 0;
        c = c == 't' ? 'b' : c; // a title phrase is marked in the text too
        ok = c != 0 && (i == 0 || c == place);
        place = c;
        p.terms.push_back(word);
    }
    if (!ok) {
        for (size_t i = 0; i < n; i++)
            collect_query(xq, q.get_subquery(i));
        return;
    }
    p.quote = place == 'q';
    for (const att_xphrase &o : xq->phrases) {
        if (o.quote == p.quote && o.terms == p.terms)
            return;
    }
    xq->phrases.push_back(p);
}

// The terms of q by place, its phrases apart.
void collect_query(att_xquery *xq, const Xapian::Query &q)
{
    if (q.get_type() == Xapian::Query::LEAF_TERM) {
        std::string word;
        char c = term_class(*q.get_terms_begin(), &word);
        if (c == 'q')
            xq->quote.insert(word);
        else if (c == 'b')
            xq->body.insert(word);
        return;
    }
    if (q.get_type() == Xapian::Query::OP_PHRASE) {
        collect_phrase(xq, q);
        return;
    }
    for (size_t i = 0; i < q.get_num_subqueries(); i++)
        collect_query(xq, q.get_subquery(i));
}

// Lower-case word into out (ASCII quickly, the rest through Xapian's
// Unicode tables, as the term generator does).
void lower_word(const char *word, size_t len, std::string &out)
{
    bool ascii = true;
    for (size_t i = 0; i < len && ascii; i++)
        ascii = (unsigned char)word[i] < 0x80;
    if (ascii) {
        out.assign(word, len);
        for (char &c : out)
            c = c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c;
        return;
    }
    out.clear();
    for (Xapian::Utf8Iterator it(word, len); it != Xapian::Utf8Iterator(); ++it)
        Xapian::Unicode::append_utf8(out, Xapian::Unicode::tolower(*it));
}

// The leading bytes a word shares with its stem t: a stem keeps the first
// letters of its word (at most its last one changes, as in happy/happi),
// but for a few short exceptions (skies/sky, dying/die): 3 bytes when the
// stem is longer than 3, else 1.
size_t kept_start(const std::string &t)
{
    return t.size() > 3 ? 3 : std::min<size_t>(1, t.size());
}

// True when some term in set could be the stem of lower: comparing the
// leading bytes (kept_start) rules out most words without running the
// stemmer.
bool may_stem_to(const std::string &lower, const std::set<std::string> &set)
{
    for (const std::string &t : set) {
        size_t n = kept_start(t);
        if (lower.size() >= n && lower.compare(0, n, t, 0, n) == 0)
            return true;
    }
    return false;
}

// Whether word (as written) is term: lower-cased, stemmed and folded as
// the index writes it (the leading bytes are compared first, as in
// may_stem_to).
bool stems_to(const att_xquery *q, const char *word, size_t len, const std::string &term)
{
    static thread_local std::string lower, folded_buf;
    lower_word(word, len, lower);
    if (q->keeps_start) {
        bool plain = !att_fold_needed(lower.data(), lower.size());
        const std::string &folded = plain ? lower : (folded_buf = xap::fold(lower));
        size_t n = kept_start(term);
        if (folded.size() < n || folded.compare(0, n, term, 0, n) != 0)
            return false;
    }
    return q->stem(lower) == term;
}

} // namespace

// What att_result_match learnt of one query: the bytes that may begin a
// matching word, and each word it has judged. A response's hits share
// most of their words, so each is lower-cased, folded and stemmed once.
struct att_xmatch {
    bool first[256] = {};
    std::unordered_map<std::string, unsigned char> words; // lower-cased: SEEN_*
};

namespace {

const unsigned char SEEN_BODY = 1, SEEN_QUOTE = 2; // matches outside, inside quotations
const size_t SEEN_MAX = 65536;                      // words remembered, at most

// The bytes a matching word (lower-cased, folded) may begin with: those
// of the wildcards, and, where stems keep their word's start, those of
// the terms (kept_start is at least 1 byte); any, else.
void first_bytes(const att_xquery *q, att_xmatch *m)
{
    bool any = !q->keeps_start;
    auto add = [&](const std::string &t) {
        if (t.empty())
            any = true;
        else
            m->first[(unsigned char)t[0]] = true;
    };
    for (const std::string &t : q->wildcards)
        add(t);
    for (const std::string &t : q->body)
        add(t);
    for (const std::string &t : q->quote)
        add(t);
    for (size_t c = 0; c < 256; c++)
        m->first[c] = m->first[c] || any || c >= 0x80;
}

// SEEN_BODY when lower (a word lower-cased) matches the query outside
// quotations, SEEN_QUOTE when it does inside them: its folded form starts
// with a wildcard's stem, or (past the leading bytes checked first, as in
// may_stem_to) its stem is a term of the body or, inside, of quotations.
unsigned char judge(const att_xquery *q, const std::string &lower)
{
    static thread_local std::string folded_buf;
    bool plain = !att_fold_needed(lower.data(), lower.size());
    const std::string &folded = plain ? lower : (folded_buf = xap::fold(lower));
    for (const std::string &w : q->wildcards) {
        if (folded.compare(0, w.size(), w) == 0)
            return SEEN_BODY | SEEN_QUOTE;
    }
    bool pb = !q->keeps_start || may_stem_to(folded, q->body);
    bool pq = pb || may_stem_to(folded, q->quote);
    if (!pq)
        return 0;
    std::string stem = q->stem(lower);
    bool sb = q->body.count(stem) > 0, sq = sb || q->quote.count(stem) > 0;
    return (pb && sb ? SEEN_BODY : 0) | (pq && sq ? SEEN_QUOTE : 0);
}

} // namespace

namespace xap {

// The terms of q for highlighting: phrases apart, the rest by place.
void collect_terms(att_xquery *xq, const Xapian::Query &q)
{
    collect_query(xq, q);
}

} // namespace xap

extern "C" {

bool att_result_match(const att_result *r, size_t i, const char *word, size_t len,
                      bool in_quote)
{
    (void)i;
    return xap::guard_value<bool>(false, [&]() {
        const att_xquery *q = r->query;
        if (q == nullptr)
            return false;
        if (!q->seen) {
            q->seen = std::make_shared<att_xmatch>();
            first_bytes(q, q->seen.get());
        }
        att_xmatch *m = q->seen.get();
        unsigned char c = len > 0 ? (unsigned char)word[0] : 0;
        if (len > 0 && !m->first[c >= 'A' && c <= 'Z' ? c | 0x20 : c])
            return false; // most words: no lower-casing, no look-up
        static thread_local std::string lower;
        lower_word(word, len, lower);
        auto it = m->words.find(lower);
        if (it == m->words.end()) {
            if (m->words.size() >= SEEN_MAX)
                m->words.clear();
            it = m->words.emplace(lower, judge(q, lower)).first;
        }
        return (it->second & (in_quote ? SEEN_QUOTE : SEEN_BODY)) != 0;
    });
}

size_t att_result_nphrases(const att_result *r)
{
    return r->query != nullptr ? r->query->phrases.size() : 0;
}

size_t att_result_phrase_len(const att_result *r, size_t k)
{
    return k < att_result_nphrases(r) ? r->query->phrases[k].terms.size() : 0;
}

bool att_result_phrase_match(const att_result *r, size_t k, const char *const *words,
                             const size_t *lens, bool in_quote)
{
    return xap::guard_value<bool>(false, [&]() {
        if (k >= att_result_nphrases(r))
            return false;
        const att_xphrase &p = r->query->phrases[k];
        if (p.quote && !in_quote)
            return false;
        for (size_t j = 0; j < p.terms.size(); j++) {
            if (!stems_to(r->query, words[j], lens[j], p.terms[j]))
                return false;
        }
        return true;
    });
}

} // extern "C"
