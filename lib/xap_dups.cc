// attache: the Xapian shim's near-duplicate collapsing on the searching
// side: the collapse key, pages when collapsing meets per_doc, and the
// copies each hit lists. (Groups are made by the writer: xap_group.cc.)
#include <algorithm>
#include <map>

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
// groups was counted 6..13. Up to this many matches (by its upper bound),
// the ranking is read whole once more, so that the counts are exact and
// the same on every page, as they are without collapsing; past it, they
// are Xapian's estimates.
const Xapian::doccount COLLAPSE_EXACT = 100;

// The page of s (collapse, no per_doc) into pg: Xapian's own page, read
// again whole when its counts are not exact and it is short enough (or
// exact_total asks for them).
void collapsed_page(Xapian::Enquire &enq, const att_search *s, Xapian::doccount check,
                    xap::page &pg)
{
    pg.m = enq.get_mset(s->offset, s->limit, check);
    Xapian::doccount upper = pg.m.get_matches_upper_bound();
    bool exact = pg.m.get_matches_lower_bound() == upper;
    if (!exact && (upper <= COLLAPSE_EXACT || s->exact_total)) {
        Xapian::MSet all = enq.get_mset(0, upper + 1, std::max(check, upper + 1));
        pg.m = all; // fewer than asked: every group is in it
        pg.estimate = pg.lower = pg.upper = all.size();
        for (auto it = all.begin(); it != all.end(); ++it) {
            if (it.get_rank() >= s->offset && it.get_rank() < s->offset + s->limit)
                pg.hits.push_back(it);
        }
        return;
    }
    for (auto it = pg.m.begin(); it != pg.m.end(); ++it)
        pg.hits.push_back(it);
    pg.estimate = pg.m.get_matches_estimated();
    pg.lower = pg.m.get_matches_lower_bound();
    pg.upper = upper;
}

// The page of s (collapse and per_doc) into pg: the group-collapsed
// ranking read from its start until it holds the page after per_doc (the
// whole of it when it is short enough, or with exact_total).
void per_doc_page(Xapian::Enquire &enq, const att_search *s, Xapian::doccount check,
                  xap::page &pg)
{
    Xapian::doccount want = s->offset + s->limit;
    Xapian::doccount need = std::max<Xapian::doccount>(want + 1, 20);
    std::vector<Xapian::MSetIterator> kept;
    bool ended;
    for (;;) {
        pg.m = enq.get_mset(0, need, std::max(check, need));
        std::map<std::string, unsigned> seen;
        kept.clear();
        for (auto it = pg.m.begin(); it != pg.m.end(); ++it) {
            if (++seen[it.get_document().get_value(ATT_SLOT_DOC)] <= s->per_doc)
                kept.push_back(it);
        }
        ended = pg.m.size() < need;
        Xapian::doccount upper = pg.m.get_matches_upper_bound();
        if (!ended && (upper <= COLLAPSE_EXACT || s->exact_total) && need <= upper) {
            need = upper + 1; // short: read it whole, for exact counts
            continue;
        }
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

void set_collapse(Xapian::Enquire &enq, const att_search *s)
{
    if (s->collapse)
        enq.set_collapse_key(ATT_SLOT_GROUP, 1);
    else if (s->per_doc)
        enq.set_collapse_key(ATT_SLOT_DOC, s->per_doc);
}

page get_page(Xapian::Enquire &enq, const att_search *s, Xapian::doccount check)
{
    page pg;
    if (s->collapse && s->per_doc) {
        per_doc_page(enq, s, check, pg);
        return pg;
    }
    if (s->collapse) {
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
    if (!s->collapse)
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
