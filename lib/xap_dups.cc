// attache: the Xapian shim's near-duplicate collapsing on the searching
// side: the collapse key, pages when collapsing meets per_doc, and the
// copies each hit lists. (Groups are made by the writer: xap_group.cc.)
#include <algorithm>
#include <map>
#include <set>

#include "xap_dups.h"

namespace {

// A copy as listed: document id and passage number.
struct copy_key {
    std::string doc;
    unsigned n;
    bool operator<(const copy_key &o) const { return doc != o.doc ? doc < o.doc : n < o.n; }
};

// Xapian counts the passages a collapse drops only among those that
// could still enter the page asked for: a page of 1 of 14 matches in 6
// groups was counted 6..13, and its estimates moved with the page. So a
// collapsed page is cut from the ranking read at least this deep from its
// start: every page that ends within it gets the same counts, exact when
// fewer match.
const Xapian::doccount COLLAPSE_DEPTH = 101;

// The copies of a group past its first among the matches spy saw.
Xapian::doccount copies_seen(const Xapian::ValueCountMatchSpy &spy)
{
    Xapian::doccount n = 0;
    for (auto t = spy.values_begin(); t != spy.values_end(); ++t)
        n += t.get_termfreq() - 1;
    return n;
}

// The page of s (collapse, no per_doc) into pg: the ranking without
// collapse, read from its start as deep as the page and the copies it
// holds, each group's later members left out (its best-ranked passage
// stays, as with Xapian's own collapse). A spy on the group slot sees
// every match Xapian counts (at least check: all of them up to 100), so
// the counts are the uncollapsed ones, which do not move with the page,
// less the copies it saw. (Xapian's own collapsed counts cover only the
// passages that could enter the page, and moved with it.)
void collapsed_page(Xapian::Enquire &enq, const att_search *s, Xapian::doccount check,
                    xap::page &pg)
{
    enq.set_collapse_key(Xapian::BAD_VALUENO);
    Xapian::doccount want = s->offset + s->limit, deep = want + s->limit, drop = 0;
    for (;;) {
        Xapian::ValueCountMatchSpy spy(ATT_SLOT_GROUP); // counts of this read only
        enq.add_matchspy(&spy);
        pg.m = enq.get_mset(0, deep, std::max(check, deep));
        enq.clear_matchspies(); // before spy goes
        drop = copies_seen(spy);
        if (pg.m.size() < deep || deep >= want + drop || deep > Xapian::doccount(-1) / 2)
            break;
        deep = want + drop; // the copies would leave the page short: read further
    }
    std::set<std::string> groups;
    Xapian::doccount kept = 0;
    for (auto it = pg.m.begin(); it != pg.m.end() && kept < want; ++it) {
        std::string g = it.get_document().get_value(ATT_SLOT_GROUP);
        if (!g.empty() && !groups.insert(g).second)
            continue; // a copy of a better-ranked passage
        if (kept++ >= s->offset)
            pg.hits.push_back(it);
    }
    Xapian::doccount least = s->offset + (Xapian::doccount)pg.hits.size();
    auto less_drop = [&](Xapian::doccount n) { return std::max(n > drop ? n - drop : 0, least); };
    pg.lower = less_drop(pg.m.get_matches_lower_bound());
    pg.upper = std::max(pg.lower, less_drop(pg.m.get_matches_upper_bound()));
    pg.estimate = std::min(std::max(less_drop(pg.m.get_matches_estimated()), pg.lower), pg.upper);
}

// The page of s (collapse, no per_doc) into pg, read from the ranking's
// start (kept for exact_total).
void collapsed_page_deep(Xapian::Enquire &enq, const att_search *s, Xapian::doccount check,
                         xap::page &pg)
{
    Xapian::doccount want = s->offset + s->limit;
    Xapian::doccount need = std::max(want + 1, s->exact_total ? check + 1 : COLLAPSE_DEPTH);
    pg.m = enq.get_mset(0, need, std::max(check, need));
    for (auto it = pg.m.begin(); it != pg.m.end(); ++it) {
        if (it.get_rank() >= s->offset && it.get_rank() < want)
            pg.hits.push_back(it);
    }
    if (pg.m.size() < need) { // every group is in it
        pg.estimate = pg.lower = pg.upper = pg.m.size();
        return;
    }
    pg.estimate = pg.m.get_matches_estimated();
    pg.lower = pg.m.get_matches_lower_bound();
    pg.upper = pg.m.get_matches_upper_bound();
}

// The document id of hit it: its sort key when sorted by relevance (then
// by document id: run_search), else its value.
std::string doc_of(const att_search *s, const Xapian::MSetIterator &it)
{
    if (s->sort == ATT_SORT_RELEVANCE)
        return it.get_sort_key();
    return it.get_document().get_value(ATT_SLOT_DOC);
}

// The page of s (collapse and per_doc) into pg: the group-collapsed
// ranking read from its start, as deep as for collapsed_page and further
// until it holds the page after per_doc.
void per_doc_page(Xapian::Enquire &enq, const att_search *s, Xapian::doccount check,
                  xap::page &pg)
{
    Xapian::doccount want = s->offset + s->limit;
    Xapian::doccount need = std::max(want + 1, s->exact_total ? check + 1 : COLLAPSE_DEPTH);
    std::vector<Xapian::MSetIterator> kept;
    bool ended;
    for (;;) {
        pg.m = enq.get_mset(0, need, std::max(check, need));
        std::map<std::string, unsigned> seen;
        kept.clear();
        for (auto it = pg.m.begin(); it != pg.m.end(); ++it) {
            if (++seen[doc_of(s, it)] <= s->per_doc)
                kept.push_back(it);
        }
        ended = pg.m.size() < need;
        if (ended || kept.size() >= want || need > Xapian::doccount(-1) / 2)
            break;
        need *= 2; // per_doc left too few: read further
    }
    for (size_t k = s->offset; k < kept.size() && k < want; k++)
        pg.hits.push_back(kept[k]);
    Xapian::doccount n = (Xapian::doccount)kept.size();
    if (ended) {
        pg.estimate = pg.lower = pg.upper = n;
        return;
    }
    pg.lower = n;
    pg.upper = std::max(n, pg.m.get_matches_upper_bound());
    double share = pg.m.size() ? (double)n / pg.m.size() : 1.0;
    Xapian::doccount est = (Xapian::doccount)(pg.m.get_matches_estimated() * share + 0.5);
    pg.estimate = std::min(std::max(est, pg.lower), pg.upper);
}

// The copies of the passage d (its group's other members) into h.
void copies_of(Xapian::Database &db, Xapian::docid id, const Xapian::Document &d, att_hit &h)
{
    std::string g = d.get_value(ATT_SLOT_GROUP);
    if (g.empty())
        return;
    std::string term = xap::group_term(g);
    std::vector<copy_key> v;
    for (auto it = db.postlist_begin(term); it != db.postlist_end(term); ++it) {
        if (*it == id)
            continue;
        Xapian::Document c = db.get_document(*it);
        v.push_back({c.get_value(ATT_SLOT_DOC),
                     (unsigned)Xapian::sortable_unserialise(c.get_value(ATT_SLOT_PASSAGE))});
    }
    if (v.empty())
        return;
    std::sort(v.begin(), v.end());
    size_t n = std::min<size_t>(v.size(), ATT_MAX_DUPS);
    h.dups = static_cast<att_dup *>(std::calloc(n, sizeof *h.dups));
    if (h.dups == nullptr)
        throw std::bad_alloc();
    for (size_t k = 0; k < n; k++) {
        h.dups[k].doc = xap::dup_c(v[k].doc);
        h.dups[k].passage = v[k].n;
        h.ndups++;
    }
    h.dups_total = (uint32_t)v.size();
}

} // namespace

namespace xap {

bool collapsing(const att_search *s, const Xapian::Database &db)
{
    return s->collapse && db.get_value_freq(ATT_SLOT_GROUP) > 0;
}

void set_collapse(Xapian::Enquire &enq, const att_search *s, const Xapian::Database &db)
{
    if (collapsing(s, db))
        enq.set_collapse_key(ATT_SLOT_GROUP, 1);
    else if (s->per_doc)
        enq.set_collapse_key(ATT_SLOT_DOC, s->per_doc);
}

page get_page(Xapian::Enquire &enq, const att_search *s, Xapian::doccount check,
              const Xapian::Database &db)
{
    page pg;
    bool grouped = collapsing(s, db);
    if (grouped && s->per_doc) {
        per_doc_page(enq, s, check, pg);
        return pg;
    }
    if (grouped && s->exact_total) {
        collapsed_page_deep(enq, s, check, pg);
        return pg;
    }
    if (grouped) {
        collapsed_page(enq, s, check, pg);
        return pg;
    }
    pg.m = enq.get_mset(s->offset, s->limit, check);
    for (auto it = pg.m.begin(); it != pg.m.end(); ++it)
        pg.hits.push_back(it);
    pg.estimate = pg.m.get_matches_estimated();
    pg.lower = pg.m.get_matches_lower_bound();
    pg.upper = pg.m.get_matches_upper_bound();
    return pg;
}

void list_dups(att_xdb *x, const att_search *s, att_result *r)
{
    if (!collapsing(s, x->db))
        return;
    for (size_t i = 0; i < r->n; i++) {
        att_hit &h = r->hits[i];
        copies_of(x->db, h.docid, x->db.get_document(h.docid), h);
    }
}

void free_dups(att_hit *h)
{
    for (size_t k = 0; k < h->ndups; k++)
        std::free(h->dups[k].doc);
    std::free(h->dups);
    h->dups = nullptr;
    h->ndups = 0;
}

} // namespace xap
