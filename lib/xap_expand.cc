// attache: query expansion: a word of a query that names an actor (a
// country, its capital, its people: the gazetteer of lib/actors.h) also
// matches the actor's other names, as one synonym group: each name counts
// as the word itself (also where every word must match).
#include <algorithm>
#include <cctype>
#include <set>

#include "xap_fold.h"
#include "xap_priv.h"

extern "C" {
#include "actors.h"
}

namespace {

// Most words of an alias kept as a phrase of the expansion.
const size_t ALIAS_WORDS = 3;

// Lower-case the UTF-8 text [b, e) as the term generator does.
std::string lower(const char *b, size_t len)
{
    std::string out;
    for (Xapian::Utf8Iterator it(b, len); it != Xapian::Utf8Iterator(); ++it)
        Xapian::Unicode::append_utf8(out, Xapian::Unicode::tolower(*it));
    return out;
}

// The words of alias (runs of word characters), lower-cased, into out:
// true when it is worth expanding to. Not "U.S." (the index holds no
// "u" and "s"), nor aliases of more than ALIAS_WORDS words, nor those of
// several words that are not all names ("capital of Iraq", "Mexican
// capital"): each phrase costs a look at positions.
bool usable(const char *alias, std::vector<std::string> &out)
{
    std::string w;
    bool names = true;
    for (Xapian::Utf8Iterator it(alias); it != Xapian::Utf8Iterator(); ++it) {
        if (Xapian::Unicode::is_wordchar(*it)) {
            names = names && (!w.empty() || Xapian::Unicode::get_category(*it) !=
                                                  Xapian::Unicode::LOWERCASE_LETTER);
            Xapian::Unicode::append_utf8(w, Xapian::Unicode::tolower(*it));
        } else if (!w.empty()) {
            out.push_back(w);
            w.clear();
        }
    }
    if (!w.empty())
        out.push_back(w);
    bool letters = std::all_of(out.begin(), out.end(),
                               [](const std::string &x) { return x.size() > 1; });
    return !out.empty() && out.size() <= ALIAS_WORDS && letters && (out.size() == 1 || names);
}

// One word of the query to expand: its stem (as the parser made it) and
// the expansions, each a list of stems (more than one: a phrase).
struct expansion {
    std::string word;
    std::vector<std::vector<std::string>> alts;
};

// e without the phrases that hold one of its single words or the word's
// own stem t: "Great Britain" adds nothing to "Britain" but the cost of
// looking at positions.
void drop_covered(expansion &e, const std::string &t)
{
    std::set<std::string> single{t};
    for (const auto &a : e.alts) {
        if (a.size() == 1)
            single.insert(a[0]);
    }
    auto known = [&](const std::string &x) { return single.count(x) > 0; };
    auto covered = [&](const std::vector<std::string> &a) {
        return a.size() > 1 && std::any_of(a.begin(), a.end(), known);
    };
    e.alts.erase(std::remove_if(e.alts.begin(), e.alts.end(), covered), e.alts.end());
}

// The expansions of the plain words of the query text (outside quotes,
// not field names or their values) that name an actor, by stem.
std::map<std::string, expansion> actor_expansions(const att_search *s, const Xapian::Stem &stem)
{
    std::map<std::string, expansion> out;
    const char *q = s->q;
    size_t len = s->qlen, i = 0;
    bool quoted = false;
    while (i < len) {
        unsigned char c = (unsigned char)q[i];
        if (c == '"')
            quoted = !quoted;
        if (!(std::isalpha(c) || c >= 0x80)) {
            i++;
            continue;
        }
        size_t b = i;
        while (i < len && (std::isalnum((unsigned char)q[i]) || (unsigned char)q[i] >= 0x80))
            i++;
        bool field = i < len && q[i] == ':';
        bool after_field = b > 0 && q[b - 1] == ':';
        if (quoted || field || after_field)
            continue;
        const char *id = att_actors_lookup(s->actors, q + b, i - b);
        if (id == nullptr)
            continue;
        std::string word = lower(q + b, i - b);
        std::string t = stem(word);
        if (out.count(t))
            continue;
        expansion &e = out[t];
        e.word = word;
        const char *const *aliases;
        size_t n = att_actors_aliases(s->actors, id, &aliases);
        for (size_t k = 0; k < n; k++) {
            std::vector<std::string> words;
            if (!usable(aliases[k], words))
                continue;
            std::vector<std::string> stems;
            for (const std::string &w : words)
                stems.push_back(stem(w));
            if (stems.size() == 1 && stems[0] == t)
                continue;
            e.alts.push_back(stems);
        }
        drop_covered(e, t);
        if (e.alts.empty())
            out.erase(t);
    }
    return out;
}

// The word's term q and its expansions e (each term given prefix) as one
// synonym group, q first.
Xapian::Query alternatives(const Xapian::Query &q, const expansion &e, const std::string &prefix,
                           att_xexpansions *seen)
{
    std::vector<Xapian::Query> alts{q};
    for (const auto &stems : e.alts) {
        std::vector<Xapian::Query> terms;
        for (const std::string &t : stems) {
            terms.emplace_back(prefix + t);
            if (seen != nullptr)
                (*seen)[prefix + t] = {e.word, "alias"};
        }
        if (terms.size() == 1)
            alts.push_back(terms[0]);
        else
            alts.emplace_back(Xapian::Query::OP_PHRASE, terms.begin(), terms.end(), terms.size());
    }
    return Xapian::Query(Xapian::Query::OP_SYNONYM, alts.begin(), alts.end());
}

// q with each leaf term of the body or titles that has expansions made
// a synonym group of the term and them; phrases, wildcards, exclusions and
// filters stay as they are.
Xapian::Query rewrite(const Xapian::Query &q, const std::map<std::string, expansion> &ex,
                      att_xexpansions *seen, bool *changed)
{
    auto op = q.get_type();
    if (op == Xapian::Query::LEAF_TERM) {
        std::string term = *q.get_terms_begin();
        std::string prefix = term.compare(0, 1, ATT_P_TITLE) == 0 ? ATT_P_TITLE : "";
        bool body = !term.empty() && !(term[0] >= 'A' && term[0] <= 'Z');
        if (!body && prefix.empty())
            return q;
        auto it = ex.find(term.substr(prefix.size()));
        if (it == ex.end())
            return q;
        *changed = true;
        return alternatives(q, it->second, prefix, seen);
    }
    bool all = op == Xapian::Query::OP_AND || op == Xapian::Query::OP_OR ||
               op == Xapian::Query::OP_AND_MAYBE || op == Xapian::Query::OP_XOR;
    bool first = op == Xapian::Query::OP_AND_NOT || op == Xapian::Query::OP_FILTER;
    if (!all && !first)
        return q;
    size_t n = q.get_num_subqueries();
    std::vector<Xapian::Query> sub;
    bool any = false;
    for (size_t k = 0; k < n; k++) {
        Xapian::Query s = q.get_subquery(k);
        sub.push_back(all || k == 0 ? rewrite(s, ex, seen, &any) : s);
    }
    if (!any)
        return q;
    *changed = true;
    return Xapian::Query(op, sub.begin(), sub.end());
}

} // namespace

namespace xap {

Xapian::Query expand(const Xapian::Query &q, const att_search *s, att_xexpansions *seen)
{
    if (s->actors == nullptr || s->no_expand || s->q == nullptr || s->qlen == 0)
        return q;
    Xapian::Stem stem = stemmer(s->lang);
    std::map<std::string, expansion> ex = actor_expansions(s, stem);
    if (ex.empty())
        return q;
    bool changed = false;
    Xapian::Query out = rewrite(q, ex, seen, &changed);
    return changed ? out : q;
}

} // namespace xap
