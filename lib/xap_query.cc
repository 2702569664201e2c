// attache: the Xapian shim's queries: the query string parsed (words
// stemmed for the query's language and accent-folded, wildcards, date
// ranges, field prefixes) and the request's filters added.
#include <map>

#include "xap_fold.h"
#include "xap_priv.h"

extern "C" {
#include "fold.h"
}

namespace xap {

char *dup_c(const std::string &v)
{
    char *p = static_cast<char *>(std::malloc(v.size() + 1));
    if (p == nullptr)
        throw std::bad_alloc();
    std::memcpy(p, v.data(), v.size());
    p[v.size()] = '\0';
    return p;
}

std::string term_for(const char *prefix, const char *val, bool fold)
{
    char term[ATT_TERM_MAX + 1];
    std::string v(val);
    if (fold) {
        std::vector<char> f(v.size() + 1);
        v.assign(f.data(), att_term_fold(f.data(), v.data(), v.size()));
    }
    return std::string(term, att_term(term, prefix, v.data(), v.size()));
}

} // namespace xap

namespace {

// The date slot's value for s as a bound of a range (att_date_bound), ""
// when s is not a date.
std::string date_bound(const std::string &s, bool end)
{
    char out[9];
    if (!att_date_bound(s.data(), s.size(), end, out))
        return "";
    return std::string(out, 8);
}

// Date ranges in queries: "2025-11-01..2025-11-30", "1860..1865".
class DateRange : public Xapian::RangeProcessor {
  public:
    DateRange() : Xapian::RangeProcessor(ATT_SLOT_DATE) {}
    Xapian::Query operator()(const std::string &b, const std::string &e) override
    {
        std::string lo = b.empty() ? "" : date_bound(b, false);
        std::string hi = e.empty() ? "" : date_bound(e, true);
        if ((!b.empty() && lo.empty()) || (!e.empty() && hi.empty()))
            return Xapian::Query(Xapian::Query::OP_INVALID);
        if (lo.empty())
            return Xapian::Query(Xapian::Query::OP_VALUE_LE, ATT_SLOT_DATE, hi);
        if (hi.empty())
            return Xapian::Query(Xapian::Query::OP_VALUE_GE, ATT_SLOT_DATE, lo);
        return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, ATT_SLOT_DATE, lo, hi);
    }
};

// Function words dropped from queries (kept inside phrases): with OR they
// would match nearly every passage, with AND they add nothing.
const Xapian::Stopper &stopper()
{
    static const char *const words[] = {
        "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at",
        "be", "been", "before", "being", "but", "by", "can", "could", "did", "do", "does",
        "for", "from", "had", "has", "have", "he", "her", "here", "him", "his", "how", "i",
        "if", "in", "into", "is", "it", "its", "me", "more", "most", "my", "no", "nor", "not",
        "of", "on", "or", "other", "our", "ours", "she", "should", "so", "some", "such",
        "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
        "those", "to", "too", "us", "very", "was", "we", "were", "what", "when", "where",
        "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your"};
    static const Xapian::SimpleStopper s(std::begin(words), std::end(words));
    return s;
}

// Call fn(b, star, lower) for each "word*" in q[0..len) (the rule of
// att_wildcard_next): the word starts at b, its '*' is at star, lower is
// the word lower-cased.
template <typename F> void each_wildcard(const char *q, size_t len, F &&fn)
{
    size_t pos = 0, b, star;
    while (att_wildcard_next(q, len, &pos, &b, &star)) {
        std::string lower;
        for (Xapian::Utf8Iterator it(q + b, star - b); it != Xapian::Utf8Iterator(); ++it)
            Xapian::Unicode::append_utf8(lower, Xapian::Unicode::tolower(*it));
        fn(b, star, lower);
    }
}

// The value of a boolean prefix in a query ("source:El País") as a filter
// term, folded as the index folds it (att_term_fold).
class FoldedValue : public Xapian::FieldProcessor {
  public:
    explicit FoldedValue(const char *prefix) : prefix(prefix) {}
    Xapian::Query operator()(const std::string &v) override
    {
        return Xapian::Query(xap::term_for(prefix, v.c_str(), true));
    }

  private:
    const char *prefix;
};

} // namespace

namespace xap {

// The index holds folded stems, so a wildcard matches the beginnings of
// stems: "emancipat*" would find nothing, as "emancipation" is indexed as
// "emancip". Each word* becomes its stem* in the query's language lang
// ("emancip*", "presid*" for "president*", "happi*" for "happy*"), when
// the stem keeps 3 bytes, else its word folded ("neg*" for "nég*").
std::string stem_wildcards(const std::string &q, const char *lang)
{
    // A Stem keeps state: one per thread and stemmer.
    thread_local std::map<std::string, Xapian::Stem> stems;
    std::string name = xap::stemmer_name(lang);
    auto it = stems.find(name);
    if (it == stems.end())
        it = stems.emplace(name, xap::stemmer(lang)).first;
    const Xapian::Stem &stem = it->second;
    std::string out;
    size_t done = 0;
    each_wildcard(q.data(), q.size(), [&](size_t b, size_t star, const std::string &lower) {
        std::string st = stem(lower);
        if (st.size() < 3)
            st = xap::fold(lower);
        if (st != lower) {
            out.append(q, done, b - done);
            out.append(st);
            done = star;
        }
    });
    return out + q.substr(done);
}

Xapian::Query parse(const att_search *s, Xapian::Database &db, Xapian::QueryParser &qp)
{
    static DateRange dates; // stateless: shared by every thread
    static FoldedValue source(ATT_P_SOURCE), actor(ATT_P_ACTOR), language(ATT_P_LANG);
    qp.set_database(db);
    qp.set_stemmer(xap::stemmer(s->lang));
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_ALL);
    qp.set_default_op(s->match == ATT_MATCH_ANY ? Xapian::Query::OP_OR : Xapian::Query::OP_AND);
    if (xap::stemmer_name(s->lang) == ATT_STEMMER) // the stop list is English
        qp.set_stopper(&stopper());
    qp.add_prefix("", "");
    qp.add_prefix("", ATT_P_TITLE); // plain words also match titles and
    qp.add_prefix("", ATT_P_AUTHOR); // authors (document context)
    qp.add_prefix("title", ATT_P_TITLE);
    qp.add_prefix("quote", ATT_P_QUOTE);
    qp.add_prefix("speaker", ATT_P_SPEAKER);
    qp.add_prefix("author", ATT_P_AUTHOR);
    qp.add_boolean_prefix("source", &source);
    qp.add_boolean_prefix("actor", &actor);
    qp.add_boolean_prefix("language", &language);
    qp.add_rangeprocessor(&dates);
    qp.set_max_expansion(s->max_wildcard ? s->max_wildcard : 1000,
                         Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
    unsigned flags = Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_WILDCARD |
                     Xapian::QueryParser::FLAG_PURE_NOT;
    if (s->spelling)
        flags |= Xapian::QueryParser::FLAG_SPELLING_CORRECTION;
    std::string q(s->q ? s->q : "", s->q ? s->qlen : 0);
    if (q.find_first_not_of(" \t\r\n") == std::string::npos)
        return Xapian::Query(std::string()); // not the shared static MatchAll:
                                              // its reference count is not atomic
    return qp.parse_query(stem_wildcards(q, s->lang), flags);
}

Xapian::Query with_filters(Xapian::Query q, const att_search *s)
{
    std::vector<Xapian::Query> f;
    if (s->source && *s->source)
        f.emplace_back(xap::term_for(ATT_P_SOURCE, s->source, true));
    if (s->speaker && *s->speaker)
        f.emplace_back(xap::term_for(ATT_P_SPK, s->speaker, true));
    if (s->author && *s->author)
        f.emplace_back(xap::term_for(ATT_P_AUT, s->author, true));
    if (s->actor && *s->actor)
        f.emplace_back(xap::term_for(ATT_P_ACTOR, s->actor, true));
    if (s->language && *s->language)
        f.emplace_back(xap::term_for(ATT_P_LANG, s->language, true));
    if (s->doc && *s->doc)
        f.emplace_back(xap::term_for(ATT_P_DOC, s->doc, false));
    DateRange dates;
    if ((s->from && *s->from) || (s->to && *s->to)) {
        Xapian::Query r = dates(s->from ? s->from : "", s->to ? s->to : "");
        if (r.get_type() == Xapian::Query::OP_INVALID)
            throw Xapian::QueryParserError("filter dates must be YYYY, YYYY-MM or YYYY-MM-DD");
        f.push_back(r);
    }
    if (f.empty())
        return q;
    Xapian::Query all(Xapian::Query::OP_AND, f.begin(), f.end());
    return Xapian::Query(Xapian::Query::OP_FILTER, q, all);
}

// The stems of "word*" patterns in q, lower-cased: a word of a hit that
// starts with one of them was matched through the wildcard's expansion.
void collect_wildcards(att_xquery *xq, const char *q, size_t len)
{
    each_wildcard(q, len, [&](size_t, size_t, const std::string &lower) {
        xq->wildcards.push_back(lower);
    });
}

} // namespace xap
