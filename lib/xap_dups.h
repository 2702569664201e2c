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

// The collapse key of s on enq: the group slot with collapse (each group
// once), else the document slot with per_doc.
void set_collapse(Xapian::Enquire &enq, const att_search *s);

// The page of s from enq (set_collapse applied). With collapse, when
// Xapian's counts of the page are not exact and at most 100 match (or
// with exact_total), the collapsed ranking is read whole again to count
// it. With collapse and per_doc together, the collapsed ranking is read
// from its start and a document's passages past the per_doc-th are left
// out of it, so every page is a slice of the same list; the totals are
// exact when the list was read to its end (always when at most 100
// match, or with exact_total), else estimated from the share left out.
page get_page(Xapian::Enquire &enq, const att_search *s, Xapian::doccount check);

// With s->collapse, each hit of r gets the other passages of its group.
void list_dups(att_xdb *x, const att_search *s, att_result *r);

// Free h's list of copies.
void free_dups(att_hit *h);

} // namespace xap

#endif
