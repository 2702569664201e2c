// attache: the Xapian shim's searching: pages of hits, facets and
// spelling suggestions. (Queries: xap_query.cc; which words of a hit
// match its query: xap_match.cc.)
#include <algorithm>
#include <cctype>
#include <map>
#include <memory>

#include "xap_dups.h"
#include "xap_fold.h"

extern "C" {
#include "buf.h"
#include "fold.h"
}

using xap::dup_c;
using xap::guard;
using xap::parse;
using xap::stem_wildcards;
using xap::with_filters;

namespace {

// The counts of a facet, most frequent first, each value cut to its first
// n bytes (0: whole) and those that then agree added up: a year from the
// date slot's YYYYMMDD. With split, a value is a list of items each ended
// by '\n', and each item is counted. (Xapian's own ValueCountMatchSpy does
// the counting, as it is the one remote databases can run.)
void take_counts(const Xapian::ValueCountMatchSpy &c, size_t n_bytes, bool split,
                 att_count **out, size_t *n)
{
    std::map<std::string, uint32_t> sums;
    for (auto t = c.values_begin(); t != c.values_end(); ++t) {
        const std::string &v = *t;
        for (size_t b = 0, e; split && b < v.size(); b = e + 1) {
            e = v.find('\n', b);
            e = e == std::string::npos ? v.size() : e;
            if (e > b)
                sums[v.substr(b, e - b)] += t.get_termfreq();
        }
        if (!split && !v.empty())
            sums[n_bytes ? v.substr(0, n_bytes) : v] += t.get_termfreq();
    }
    std::vector<std::pair<std::string, uint32_t>> v(sums.begin(), sums.end());
    std::stable_sort(v.begin(), v.end(),
                     [](const auto &a, const auto &b) { return a.second > b.second; });
    *out = static_cast<att_count *>(std::calloc(v.size() + 1, sizeof **out));
    if (*out == nullptr)
        throw std::bad_alloc();
    for (const auto &e : v) {
        (*out)[*n].value = dup_c(e.first);
        (*out)[*n].count = e.second;
        ++*n;
    }
}

// How many matches Xapian looks at, at least, before it stops counting:
// with too few, its estimate moved with the page size (a filtered query
// estimated 2 with limit 1, 20 with limit 10 for 29 matches). At least
// CHECK_AT_LEAST, so that a set that small is counted exactly and a larger
// one's estimate does not depend on the page; every match with facets (the
// spies see them all anyway) or exact_total.
const Xapian::doccount CHECK_AT_LEAST = 100;

Xapian::doccount check_at_least(const att_search *s, Xapian::doccount all)
{
    if (s->facets || s->exact_total)
        return all;
    return std::max<Xapian::doccount>(CHECK_AT_LEAST, s->offset + s->limit);
}

// The words of a query string, lower-cased: runs of letters, digits and
// bytes past ASCII (field names and operators come along, and agree
// between a query and its correction).
std::vector<std::string> query_words(const std::string &q)
{
    std::vector<std::string> out;
    std::string w;
    for (size_t i = 0; i <= q.size(); i++) {
        unsigned char c = i < q.size() ? (unsigned char)q[i] : ' ';
        if (std::isalnum(c) || c >= 0x80) {
            w.push_back((char)std::tolower(c));
        } else if (!w.empty()) {
            out.push_back(w);
            w.clear();
        }
    }
    return out;
}

// Edits (insertion, deletion, substitution, swap of neighbours) from a to
// b, counting at most 3.
unsigned edits(const std::string &a, const std::string &b)
{
    size_t n = a.size(), m = b.size();
    if ((n > m ? n - m : m - n) > 2)
        return 3;
    std::vector<std::vector<unsigned>> d(n + 1, std::vector<unsigned>(m + 1));
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            unsigned sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, sub});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return std::min(d[n][m], 3u);
}

// Passages holding word (stemmed as the query's words are).
Xapian::doccount word_freq(att_xdb *x, const Xapian::Stem &stem, const std::string &word)
{
    return x->db.get_termfreq(stem(word));
}

// Whether correcting word o into c is likely what was meant. A word the
// index does not hold is a typo. One it holds is taken as meant ("putin"
// is not "put", "covid" not "could", "naive" not "native"), unless it is
// in a single passage (a typo of the texts themselves), one edit away
// from a word at least 50 times as frequent.
bool likely_typo(att_xdb *x, const Xapian::Stem &stem, const std::string &o,
                 const std::string &c)
{
    Xapian::doccount fo = word_freq(x, stem, o);
    if (fo == 0)
        return true;
    return fo == 1 && edits(o, c) == 1 && word_freq(x, stem, c) >= 50;
}

// Offer a corrected query only when it is likely to help: Xapian corrects
// any word it does not know as typed, which with stemmed terms and the
// title field includes good words ("red line" became "re life"), and
// offers common words for rare ones ("putin": "put"). So each changed
// word must be likely_typo, and the corrected query must find clearly
// more: at least 5 times as many passages and at least 5 more (when the
// query found nothing, anything found is more).
void suggest(att_xdb *x, const att_search *s, const std::string &corrected, att_result *r)
{
    if (corrected.empty())
        return;
    std::vector<std::string> ow = query_words(std::string(s->q ? s->q : "", s->q ? s->qlen : 0));
    std::vector<std::string> cw = query_words(corrected);
    Xapian::Stem stem = xap::stemmer(s->lang);
    for (size_t i = 0; i < ow.size(); i++) {
        if (std::find(cw.begin(), cw.end(), ow[i]) != cw.end())
            continue;
        if (!likely_typo(x, stem, ow[i], ow.size() == cw.size() ? cw[i] : std::string()))
            return;
    }
    Xapian::QueryParser qp;
    att_search plain = *s;
    plain.q = corrected.c_str();
    plain.qlen = corrected.size();
    plain.spelling = false;
    Xapian::Enquire enq(x->db);
    enq.set_query(with_filters(parse(&plain, x->db, qp), s));
    Xapian::doccount found = enq.get_mset(0, 0, CHECK_AT_LEAST).get_matches_estimated();
    Xapian::doccount had = r->estimate;
    if (had == 0 ? found > 0 : found >= 5 * had && found >= had + 5)
        r->spelling = dup_c(corrected);
}

// Facets of the whole match set of query, in a pass of their own that
// returns no hits: the spies then see each document once (with remote
// databases, the hits of a page were also counted a second time), and
// only the query that made the page (after auto's fallback) is counted.
void count_facets(att_xdb *x, const att_search *s, const Xapian::Query &query,
                  Xapian::doccount all, att_result *r)
{
    static const unsigned slots[ATT_FACET_COUNT] = {
        ATT_SLOT_SOURCE, ATT_SLOT_DATE, ATT_SLOT_AUTHOR, ATT_SLOT_LANG, ATT_SLOT_ACTORS};
    std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> spies;
    Xapian::Enquire enq(x->db);
    enq.set_query(query);
    xap::set_collapse(enq, s, x->db);
    for (unsigned slot : slots) {
        spies.emplace_back(new Xapian::ValueCountMatchSpy(slot));
        enq.add_matchspy(spies.back().get());
    }
    enq.get_mset(0, 0, all);
    for (int f = 0; f < ATT_FACET_COUNT; f++)
        take_counts(*spies[f], f == ATT_FACET_YEAR ? 4 : 0, f == ATT_FACET_ACTOR,
                    &r->facets[f].v, &r->facets[f].n);
}

// The hits of pg into r, with the terms and wildcards of query for
// highlighting them.
void take_hits(const att_search *s, const Xapian::Query &query, const xap::page &pg,
               att_result *r)
{
    r->estimate = pg.estimate;
    r->lower = pg.lower;
    r->upper = pg.upper;
    r->query = new att_xquery;
    r->query->stem = xap::stemmer(s->lang);
    r->query->keeps_start = xap::stems_keep_start(s->lang);
    xap::collect_terms(r->query, query);
    std::string wild = stem_wildcards(std::string(s->q ? s->q : "", s->q ? s->qlen : 0), s->lang);
    xap::collect_wildcards(r->query, wild.data(), wild.size());
    r->hits = static_cast<att_hit *>(std::calloc(pg.hits.size() + 1, sizeof *r->hits));
    if (r->hits == nullptr)
        throw std::bad_alloc();
    for (const Xapian::MSetIterator &it : pg.hits) {
        att_hit &h = r->hits[r->n];
        h.docid = *it;
        h.rank = s->offset + (unsigned)r->n + 1;
        h.score = it.get_weight();
        std::string data = xap::record_of(it.get_document());
        h.data = dup_c(data);
        h.len = data.size();
        r->n++;
    }
}

// One attempt at the search; throws on any error.
void run_search(att_xdb *x, const att_search *s, att_result *r)
{
    Xapian::QueryParser qp;
    att_search plain = *s;
    plain.spelling = false;
    att_xexpansions seen; // expansion terms, for explain
    Xapian::Query query = with_filters(xap::expand(parse(&plain, x->db, qp), s, &seen), s);
    Xapian::Enquire enq(x->db);
    enq.set_query(query);
    xap::set_collapse(enq, s, x->db);
    // Equal scores are ordered by document id, not by Xapian's document
    // numbers, which depend on how the index was built and split into
    // shards, so the same passages come back in the same order. (Passages
    // of one document are always written in order to one database, so
    // among themselves the numbers keep passage order. A KeyMaker on both
    // slots would say so directly, but remote databases refuse one.)
    if (s->sort != ATT_SORT_RELEVANCE)
        enq.set_sort_by_value_then_relevance(ATT_SLOT_DATE, s->sort == ATT_SORT_DATE_DESC);
    else
        enq.set_sort_by_relevance_then_value(ATT_SLOT_DOC, false);
    if (s->time_limit_ms)
        enq.set_time_limit(s->time_limit_ms / 1000.0);
    Xapian::doccount all = x->db.get_doccount();
    Xapian::doccount check = check_at_least(s, all);
    xap::page pg = xap::get_page(enq, s, check, x->db);
    if (s->match == ATT_MATCH_AUTO && pg.lower < s->limit &&
        s->q != nullptr && s->qlen > 0) {
        // Fewer passages than a page hold every word: rank those that hold
        // some. (Checked against the page size, not the offset, so every
        // page of one query makes the same choice.) Relaxed when that
        // finds more: with one word, any word is every word.
        Xapian::doccount strict = pg.upper;
        Xapian::QueryParser any;
        att_search loose = plain;
        loose.match = ATT_MATCH_ANY;
        seen.clear();
        query = with_filters(xap::expand(parse(&loose, x->db, any), s, &seen), s);
        enq.set_query(query);
        pg = xap::get_page(enq, s, check, x->db);
        r->relaxed = pg.lower > strict;
    }
    r->revision = xap::revision_sum(x->shards);
    take_hits(s, query, pg, r);
    r->query->expansions = std::move(seen);
    xap::list_dups(x, s, r);
    if (s->explain)
        xap::explain_hits(x, s, query, r);
    if (s->spelling && r->estimate < 5) {
        // Spelling correction is costly (a trigram search per word), so it
        // runs only when few passages matched.
        Xapian::QueryParser sp;
        att_search with = *s;
        with.spelling = true;
        parse(&with, x->db, sp);
        suggest(x, s, sp.get_corrected_query_string(), r);
    }
    if (s->facets)
        count_facets(x, s, query, all, r);
}

// The search, after connecting again when a remote source stopped
// answering.
int search_sources(att_xdb *x, const att_search *s, att_result *r, att_err *err)
{
    for (int attempt = 0;; attempt++) {
        if (!xap::all_up(x) && !x->opts.partial)
            return att_err_set(err, ATT_E_OPENING, "out of reach: %s",
                               xap::missing_text(x).c_str());
        if (x->shards.empty())
            return att_err_set(err, ATT_E_OPENING, "no database is in reach: %s",
                               xap::missing_text(x).c_str());
        // DatabaseModifiedError leaves through the guard as
        // ATT_E_MODIFIED: the caller reopens and retries (the daemon's
        // dispatch layer is the one place that does).
        try {
            run_search(x, s, r);
        } catch (const Xapian::NetworkError &) {
            // A remote source stopped answering, or a connection went
            // stale: connect again, leave out what does not answer, and
            // let the rule above decide, once.
            att_result_free(r);
            if (attempt > 0 || !xap::any_remote_up(x))
                throw;
            xap::reconnect_remotes(x);
            continue;
        }
        return ATT_OK;
    }
}

// The sources left out into r->missing.
void list_missing(const att_xdb *x, att_result *r)
{
    // missing[] has room for nmissing entries at least; one more per source.
    size_t cap = r->nmissing;
    size_t max = r->nmissing + x->sources.size();
    for (auto &src : x->sources) {
        if (src.up)
            continue;
        if (att_grow(&r->missing, &cap, r->nmissing + 1, sizeof *r->missing, max) != ATT_OK)
            throw std::bad_alloc();
        r->missing[r->nmissing] = dup_c(src.spec);
        r->nmissing++;
    }
}

} // namespace

extern "C" {

const char *att_facet_name(enum att_facet f)
{
    static const char *const names[ATT_FACET_COUNT] = {"source", "year", "author", "language",
                                                       "actor"};
    return f >= 0 && f < ATT_FACET_COUNT ? names[f] : "?";
}

void att_result_free(att_result *r)
{
    if (r == nullptr)
        return;
    xap::explain_free(r);
    for (size_t i = 0; r->hits && i < r->n; i++) {
        std::free(r->hits[i].data);
        xap::free_dups(&r->hits[i]);
    }
    std::free(r->hits);
    for (auto &f : r->facets) {
        for (size_t i = 0; i < f.n; i++)
            std::free(f.v[i].value);
        std::free(f.v);
    }
    std::free(r->spelling);
    for (size_t i = 0; i < r->nmissing; i++)
        std::free(r->missing[i]);
    std::free(r->missing);
    delete r->query;
    std::memset(r, 0, sizeof *r);
}

int att_xdb_search(att_xdb *x, const att_search *s, att_result *r, att_err *err)
{
    auto t0 = std::chrono::steady_clock::now();
    std::memset(r, 0, sizeof *r);
    int rc = guard(err, [&]() -> int {
        int found = search_sources(x, s, r, err);
        if (found == ATT_OK)
            list_missing(x, r);
        return found;
    });
    if (rc != ATT_OK || !s->time_limit_ms)
        return rc;
    // Xapian stops quietly at its time limit: the clock tells.
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                    .count();
    r->partial = ms >= s->time_limit_ms;
    if (r->partial && r->n == 0)
        return att_err_set(err, ATT_E_TIMEOUT, "no match found within %u ms",
                           s->time_limit_ms);
    return ATT_OK;
}

} // extern "C"
