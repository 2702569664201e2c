// attache: what the shim's searching (xap_search.cc) asks of its near-
// duplicate collapsing (xap_dups.cc) and what the writing side
// (xap_group.cc) shares with it.
#ifndef ATT_XAP_DUPS_H
#define ATT_XAP_DUPS_H

#include "xap_priv.h"

namespace xap {

// The boolean term of group value v ("N:doc"). (xap_group.cc)
std::string group_term(const std::string &v);

// A page of hits: the iterators of m to return, in order (the rank of
// the k-th is offset + k + 1), and the totals to report.
struct page {
    Xapian::MSet m;
    std::vector<Xapian::MSetIterator> hits;
    Xapian::doccount estimate = 0, lower = 0, upper = 0;
};

// Whether s collapses on db: with collapse, when some passage of db is
// in a group (an index without any, as one written before groups
// existed, is searched as without collapse, at no cost).
bool collapsing(const att_search *s, const Xapian::Database &db);

// The collapse key of s on enq over db: the group slot when collapsing
// (each group once), else the document slot with per_doc.
void set_collapse(Xapian::Enquire &enq, const att_search *s, const Xapian::Database &db);

// The page of s from enq over db (set_collapse applied). Collapsing, the page
// is cut from the collapsed ranking read from its start at least 101 deep
// (all of it with exact_total), so that every page ending within it has
// the same counts, exact when fewer match (Xapian's counts of a collapsed
// page alone move with the page). With per_doc too, a document's passages
// past the per_doc-th are left out of that ranking, read further when
// needed, so every page is a slice of the same list; the totals are exact
// when it was read to its end, else estimated from the share left out.
page get_page(Xapian::Enquire &enq, const att_search *s, Xapian::doccount check,
              const Xapian::Database &db);

// With s->collapse, each hit of r gets the other passages of its group.
void list_dups(att_xdb *x, const att_search *s, att_result *r);

// Free h's list of copies.
void free_dups(att_hit *h);

} // namespace xap

#endif
