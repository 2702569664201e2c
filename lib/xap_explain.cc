// attache: why a hit scores what it does (att_search.explain): the weighted
// parts of its query that match it, each weighed by Xapian on its own over
// that one passage, with the query expansions (OP_SYNONYM groups) it matched.
#include <algorithm>
#include <cctype>

#include "xap_priv.h"

namespace {

using Q = Xapian::Query;
using expansion_map = decltype(att_xquery::expansions);

// Most documents one passage's filter can match (the same document id in
// several sources).
const Xapian::doccount SAME_PASSAGE = 1000;

// Where a term is found, by its prefix (terms.h); *bare gets the term
// without it.
const char *where_of(const std::string &t, std::string *bare)
{
    static const struct {
        const char *prefix, *where;
    } places[] = {{ATT_P_QUOTE, "quotation"}, {ATT_P_SPEAKER, "speaker"},
                  {ATT_P_ACTOR, "actor"},     {ATT_P_TITLE, "title"},
                  {ATT_P_AUTHOR, "author"}};
    auto capital = [](char c) { return c >= 'A' && c <= 'Z'; }; // prefixes are capitals
    *bare = t;
    if (t.empty() || !capital(t[0]))
        return "body";
    for (const auto &p : places) {
        size_t n = std::strlen(p.prefix);
        if (t.compare(0, n, p.prefix) == 0 && (t.size() == n || !capital(t[n]))) {
            *bare = t.substr(n);
            return p.where;
        }
    }
    return "other";
}

// Accepts the one document did (for a document without a parent id term,
// which attache never writes; local databases only).
class OnlyDoc : public Xapian::MatchDecider {
  public:
    explicit OnlyDoc(Xapian::docid did) : did(did) {}
    bool operator()(const Xapian::Document &d) const override { return d.get_docid() == did; }

  private:
    Xapian::docid did;
};

// One document and the means to weigh parts of a query on it.
struct Explainer {
    Xapian::Database db;
    Xapian::docid did;
    Xapian::Document doc;
    Q only;                            // boolean: the document (and its copies)
    bool decide = false;               // only matches all: OnlyDoc decides
    const Xapian::QueryParser *qp;
    const expansion_map *expansions;
};

// Set e.doc and e.only for document did: its parent document's id term
// and passage number, which together name one passage (in each source
// holding it).
void pick_doc(Explainer &e, Xapian::docid did)
{
    e.did = did;
    e.doc = e.db.get_document(did);
    Xapian::TermIterator t = e.doc.termlist_begin();
    t.skip_to(ATT_P_DOC);
    const size_t plen = sizeof ATT_P_DOC - 1;
    if (t == e.doc.termlist_end() || (*t).compare(0, plen, ATT_P_DOC) != 0) {
        e.only = Q(std::string());
        e.decide = true;
        return;
    }
    e.only = Q(*t);
    std::string n = e.doc.get_value(ATT_SLOT_PASSAGE);
    if (!n.empty())
        e.only = Q(Q::OP_AND, e.only, Q(Q::OP_VALUE_RANGE, ATT_SLOT_PASSAGE, n, n));
}

// The weight q gives the document, as Xapian weighs it; -1 when q does not
// match it.
double measure(const Explainer &e, const Q &q)
{
    Xapian::Enquire enq(e.db);
    enq.set_query(Q(Q::OP_FILTER, q, e.only));
    OnlyDoc only(e.did);
    Xapian::MSet m = enq.get_mset(0, SAME_PASSAGE, nullptr, e.decide ? &only : nullptr);
    for (auto it = m.begin(); it != m.end(); ++it) {
        if (*it == e.did)
            return it.get_weight();
    }
    return -1;
}

bool has_term(const Explainer &e, const std::string &term)
{
    Xapian::TermIterator t = e.doc.termlist_begin();
    t.skip_to(term);
    return t != e.doc.termlist_end() && *t == term;
}

// The pattern of a wildcard query ("Ssoyb" for title:soyb*): the last word
// of its description, "Query(WILDCARD SYNONYM Ssoyb)", as Xapian 1.4 has no
// accessor for it.
std::string wildcard_pattern(const Q &q)
{
    std::string d = q.get_description();
    if (!d.empty() && d.back() == ')')
        d.pop_back();
    size_t sp = d.rfind(' ');
    return sp == std::string::npos ? d : d.substr(sp + 1);
}

bool is_wildcard_group(const Q &q)
{
    if (q.get_type() != Q::OP_SYNONYM)
        return false;
    for (size_t i = 0; i < q.get_num_subqueries(); i++) {
        if (q.get_subquery(i).get_type() != Q::OP_WILDCARD)
            return false;
    }
    return q.get_num_subqueries() > 0;
}

void add_word(std::vector<std::string> &words, const std::string &w)
{
    if (std::find(words.begin(), words.end(), w) == words.end())
        words.push_back(w);
}

// The query words the terms of q came from, as typed (the parser's
// unstem), else the terms themselves without prefix; "soyb*" for a
// wildcard.
std::vector<std::string> words_of(const Explainer &e, const Q &q)
{
    std::vector<std::string> words;
    if (q.get_type() == Q::OP_WILDCARD) {
        std::string bare;
        where_of(wildcard_pattern(q), &bare);
        words.push_back(bare + "*");
        return words;
    }
    for (auto t = q.get_terms_begin(); t != q.get_terms_end(); ++t) {
        bool any = false;
        for (auto u = e.qp ? e.qp->unstem_begin(*t) : Xapian::TermIterator();
             e.qp && u != e.qp->unstem_end(*t); ++u) {
            add_word(words, *u);
            any = true;
        }
        std::string bare;
        where_of(*t, &bare);
        if (!any)
            add_word(words, bare);
    }
    for (size_t i = 0; words.empty() && i < q.get_num_subqueries(); i++)
        words = words_of(e, q.get_subquery(i)); // wildcards of a group
    return words;
}

// The terms of the document that wildcard q matches.
void wildcard_terms(const Explainer &e, const Q &q, std::vector<xap::explain_term> &out)
{
    std::string pat = wildcard_pattern(q);
    Xapian::TermIterator t = e.doc.termlist_begin();
    for (t.skip_to(pat); t != e.doc.termlist_end() && (*t).compare(0, pat.size(), pat) == 0;
         ++t) {
        xap::explain_term et;
        et.where = where_of(*t, &et.term);
        out.push_back(et);
    }
}

// The terms of q the document holds, when q matches it (matched says so:
// a phrase's words may all be there apart), marked as expansions of word
// when expansion is set or the side table names them.
void matched_terms(const Explainer &e, const Q &q, bool matched, bool expansion,
                   const std::string &word, std::vector<xap::explain_term> &out)
{
    if (!matched)
        return;
    if (q.get_type() == Q::OP_WILDCARD) {
        wildcard_terms(e, q, out);
        return;
    }
    for (auto t = q.get_terms_begin(); t != q.get_terms_end(); ++t) {
        xap::explain_term et;
        et.where = where_of(*t, &et.term);
        if (!has_term(e, *t))
            continue;
        auto x = e.expansions ? e.expansions->find(*t) : expansion_map::const_iterator();
        bool named = e.expansions && x != e.expansions->end();
        et.expansion = expansion || named;
        if (et.expansion) {
            et.from = named ? x->second.first : word;
            et.kind = named ? x->second.second : "";
        }
        bool seen = false;
        for (const auto &o : out)
            seen = seen || (o.term == et.term && o.where == et.where);
        if (!seen)
            out.push_back(et);
    }
}

// Whether q, a subquery of a synonym group, may match the document: a
// term or a wildcard (whose terms matched_terms looks up), or another
// query that matches it.
bool sub_matches(const Explainer &e, const Q &q)
{
    Q::op t = q.get_type();
    return t == Q::LEAF_TERM || t == Q::OP_WILDCARD || measure(e, q) >= 0;
}

// The part of unit q that matched with weight w. A synonym group's first
// subquery is the user's own word, the others its expansions.
xap::explain_part describe(const Explainer &e, const Q &q, double w)
{
    xap::explain_part p;
    p.weight = w;
    p.words = words_of(e, q);
    std::string first = p.words.empty() ? std::string() : p.words[0];
    Q::op type = q.get_type();
    if (type == Q::OP_SYNONYM && !is_wildcard_group(q)) {
        p.words = words_of(e, q.get_subquery(0));
        first = p.words.empty() ? std::string() : p.words[0];
        for (size_t i = 0; i < q.get_num_subqueries(); i++)
            matched_terms(e, q.get_subquery(i), sub_matches(e, q.get_subquery(i)), i > 0,
                          first, p.terms);
    } else if (is_wildcard_group(q)) {
        for (size_t i = 0; i < q.get_num_subqueries(); i++)
            wildcard_terms(e, q.get_subquery(i), p.terms);
    } else {
        matched_terms(e, q, true, false, first, p.terms);
    }
    std::string bare;
    Q head = type == Q::OP_SYNONYM ? q.get_subquery(0) : q;
    if (type == Q::OP_PHRASE || type == Q::OP_NEAR)
        p.where = "phrase";
    else if (head.get_type() == Q::OP_WILDCARD)
        p.where = where_of(wildcard_pattern(head), &bare);
    else if (head.get_terms_begin() != head.get_terms_end())
        p.where = where_of(*head.get_terms_begin(), &bare);
    else
        p.where = p.terms.empty() ? "other" : p.terms[0].where;
    return p;
}

// A part of a query weighed on its own: unit, and the query whose terms it
// reports (unit without an OP_SCALE_WEIGHT around it); its weight times
// mult is its share.
struct Unit {
    Q unit, shape;
    double mult;
};

// Whether q's weight is the sum of its subqueries' (those that match) or,
// for FILTER and AND_NOT, its first one's.
bool additive(Q::op t)
{
    return t == Q::OP_AND || t == Q::OP_OR || t == Q::OP_XOR || t == Q::OP_AND_MAYBE ||
           t == Q::OP_FILTER || t == Q::OP_AND_NOT;
}

// Whether q gives no document any weight.
bool weightless(Q::op t)
{
    return t == Q::OP_VALUE_RANGE || t == Q::OP_VALUE_GE || t == Q::OP_VALUE_LE ||
           t == Q::OP_INVALID || t == Q::LEAF_MATCH_NOTHING || t == Q::LEAF_MATCH_ALL;
}

// The units of q that match the document, into out.
void collect(const Explainer &e, const Q &q, double mult, std::vector<Unit> &out)
{
    Q::op t = q.get_type();
    if (weightless(t))
        return;
    if (additive(t)) {
        // Its subqueries weigh only when it matches as a whole ("a AND b"
        // does not match a passage of a alone); an OR does when one does.
        if (t != Q::OP_OR && measure(e, q) < 0)
            return;
        bool first_only = t == Q::OP_FILTER || t == Q::OP_AND_NOT;
        for (size_t i = 0; i < (first_only ? 1 : q.get_num_subqueries()); i++)
            collect(e, q.get_subquery(i), mult, out);
        return;
    }
    if (t != Q::OP_SCALE_WEIGHT) {
        out.push_back({q, q, mult});
        return;
    }
    // OP_SCALE_WEIGHT: its factor has no accessor in Xapian 1.4. Around a
    // unit, the scaled unit is weighed as a whole; around more, the factor
    // is the ratio of the scaled weight to the plain one.
    Q child = q.get_subquery(0);
    Q::op ct = child.get_type();
    if (!additive(ct) && ct != Q::OP_SCALE_WEIGHT) {
        if (!weightless(ct))
            out.push_back({q, child, mult});
        return;
    }
    double scaled = measure(e, q), plain = measure(e, child);
    if (scaled > 0 && plain > 0)
        collect(e, child, mult * scaled / plain, out);
}

} // namespace

namespace xap {

void note_expansion(att_xquery *xq, const std::string &term, const std::string &word,
                    const std::string &kind)
{
    xq->expansions[term] = std::make_pair(word, kind);
}

std::vector<explain_part> explain_doc(const Xapian::Database &db, const Xapian::Query &query,
                                      Xapian::docid did, const Xapian::QueryParser *qp,
                                      const expansion_map *expansions)
{
    Explainer e;
    e.db = db;
    e.qp = qp;
    e.expansions = expansions;
    pick_doc(e, did);
    std::vector<Unit> units;
    collect(e, query, 1.0, units);
    std::vector<explain_part> parts;
    for (const Unit &u : units) {
        double w = measure(e, u.unit);
        if (w * u.mult > 0) // matched, and weighs
            parts.push_back(describe(e, u.shape, w * u.mult));
    }
    std::stable_sort(parts.begin(), parts.end(),
                     [](const explain_part &a, const explain_part &b) {
                         return a.weight > b.weight;
                     });
    return parts;
}

} // namespace xap

namespace {

char **words_c(const std::vector<std::string> &words)
{
    char **v = static_cast<char **>(std::calloc(words.size() + 1, sizeof *v));
    if (v == nullptr)
        throw std::bad_alloc();
    return v;
}

// parts into ex (zeroed), each counted as soon as it is there, so that
// explain_free frees what was made before running out of memory.
void to_c(const std::vector<xap::explain_part> &parts, att_explain *ex)
{
    ex->parts = static_cast<att_explain_part *>(std::calloc(parts.size() + 1, sizeof *ex->parts));
    if (ex->parts == nullptr)
        throw std::bad_alloc();
    for (const xap::explain_part &p : parts) {
        att_explain_part &c = ex->parts[ex->n++];
        c.where = p.where;
        c.weight = p.weight;
        c.words = words_c(p.words);
        for (const std::string &w : p.words)
            c.words[c.nwords++] = xap::dup_c(w);
        c.terms = static_cast<att_explain_term *>(std::calloc(p.terms.size() + 1,
                                                              sizeof *c.terms));
        if (c.terms == nullptr)
            throw std::bad_alloc();
        for (const xap::explain_term &t : p.terms) {
            att_explain_term &ct = c.terms[c.nterms++];
            ct.where = t.where;
            ct.expansion = t.expansion;
            ct.term = xap::dup_c(t.term);
            ct.from = t.expansion ? xap::dup_c(t.from) : nullptr;
            ct.kind = t.expansion && !t.kind.empty() ? xap::dup_c(t.kind) : nullptr;
        }
    }
}

} // namespace

namespace xap {

void explain_hits(att_xdb *x, const att_search *s, const Xapian::Query &query, att_result *r)
{
    // The query parsed again, for the words as typed (its unstem table).
    Xapian::QueryParser qp;
    att_search plain = *s;
    plain.spelling = false;
    parse(&plain, x->db, qp);
    r->explain = static_cast<att_explain *>(std::calloc(r->n + 1, sizeof *r->explain));
    if (r->explain == nullptr)
        throw std::bad_alloc();
    const expansion_map *expansions = r->query ? &r->query->expansions : nullptr;
    for (size_t i = 0; i < r->n; i++)
        to_c(explain_doc(x->db, query, r->hits[i].docid, &qp, expansions), &r->explain[i]);
}

void explain_free(att_result *r)
{
    for (size_t i = 0; r->explain != nullptr && i < r->n; i++) {
        att_explain &ex = r->explain[i];
        for (size_t k = 0; k < ex.n; k++) {
            att_explain_part &p = ex.parts[k];
            for (size_t j = 0; j < p.nwords; j++)
                std::free(p.words[j]);
            for (size_t j = 0; j < p.nterms; j++) {
                std::free(p.terms[j].term);
                std::free(p.terms[j].from);
                std::free(p.terms[j].kind);
            }
            std::free(p.words);
            std::free(p.terms);
        }
        std::free(ex.parts);
    }
    std::free(r->explain);
    r->explain = nullptr;
}

} // namespace xap
