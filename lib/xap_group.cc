// attache: the Xapian shim's near-duplicate groups on the writing side: a
// passage's group is the least passage key (document id, then passage
// number) among itself and the passages of other documents it resembles
// (lib/shingle.h), kept current as passages come and go, in the writer's
// transaction. (Search side: xap_dups.cc.)
#include <algorithm>
#include <map>

#include "xap_dups.h"

extern "C" {
#include "shingle.h"
}

using xap::guard;

// What a writer remembers between deleting a file's passages and adding
// their successors: the keys that left, and the passages that lost one of
// them as a neighbour.
struct att_xgroup {
    std::set<std::string> gone;        // group values ("N:doc") of passages deleted
    std::set<Xapian::docid> lost;      // passages that resembled one of them
};

namespace xap {

std::string group_term(const std::string &v)
{
    char t[ATT_TERM_MAX + 1];
    size_t n = att_term(t, ATT_P_GROUP, v.data(), v.size());
    return std::string(t, n);
}

} // namespace xap

namespace {

using xap::group_term;

// One passage as the grouping sees it.
struct passage {
    Xapian::docid id = 0;
    std::string doc;
    unsigned n = 0;
    bool has_sig = false;
    att_sig sig{};
    std::string group;                 // its group value, "" when none
    Xapian::Document d;
};

// The key of a passage as a group value: "N:doc" (the number first, so
// that the value parses whatever the document id holds).
std::string key_of(const std::string &doc, unsigned n)
{
    return std::to_string(n) + ":" + doc;
}

// Whether group value a sorts before b: by document id, then number.
bool key_less(const std::string &a, const std::string &b)
{
    size_t ca = a.find(':'), cb = b.find(':');
    int c = a.compare(ca + 1, std::string::npos, b, cb + 1, std::string::npos);
    if (c != 0)
        return c < 0;
    return std::strtoul(a.c_str(), nullptr, 10) < std::strtoul(b.c_str(), nullptr, 10);
}

// Passage id of db into p; false when it is gone.
bool load(Xapian::Database &db, Xapian::docid id, passage &p)
{
    try {
        p.d = db.get_document(id);
    } catch (const Xapian::DocNotFoundError &) {
        return false;
    }
    p.id = id;
    p.doc = p.d.get_value(ATT_SLOT_DOC);
    p.n = (unsigned)Xapian::sortable_unserialise(p.d.get_value(ATT_SLOT_PASSAGE));
    std::string s = p.d.get_value(ATT_SLOT_SIG);
    p.has_sig = att_sig_decode(s.data(), s.size(), &p.sig);
    p.group = p.d.get_value(ATT_SLOT_GROUP);
    return true;
}

// The passages of other documents p resembles, by its band terms.
std::vector<passage> neighbours(Xapian::Database &db, const passage &p)
{
    std::set<Xapian::docid> seen{p.id};
    std::vector<passage> out;
    if (!p.has_sig)
        return out;
    for (unsigned b = 0; b < ATT_SIG_BANDS; b++) {
        char t[ATT_BAND_TERM_MAX];
        size_t n = att_sig_band_term(&p.sig, b, ATT_P_BAND, t);
        std::string term(t, n);
        for (auto it = db.postlist_begin(term); it != db.postlist_end(term); ++it) {
            passage c;
            if (!seen.insert(*it).second || !load(db, *it, c))
                continue;
            if (c.has_sig && c.doc != p.doc && att_sig_same(&p.sig, &c.sig))
                out.push_back(std::move(c));
        }
    }
    return out;
}

// The group p should have: the least key among it and nbs; "" when nbs
// is empty.
std::string group_of(const passage &p, const std::vector<passage> &nbs)
{
    if (nbs.empty())
        return std::string();
    std::string g = key_of(p.doc, p.n);
    for (const passage &c : nbs) {
        std::string k = key_of(c.doc, c.n);
        if (key_less(k, g))
            g = k;
    }
    return g;
}

// Give p the group g (its value and boolean term) when it has another.
void set_group(Xapian::WritableDatabase &db, passage &p, const std::string &g)
{
    if (p.group == g)
        return;
    if (!p.group.empty()) {
        try {
            p.d.remove_term(group_term(p.group));
        } catch (const Xapian::InvalidArgumentError &) {
            // No such term: nothing to take away.
        }
    }
    if (g.empty()) {
        p.d.remove_value(ATT_SLOT_GROUP);
    } else {
        p.d.add_value(ATT_SLOT_GROUP, g);
        p.d.add_boolean_term(group_term(g));
    }
    db.replace_document(p.id, p.d);
    p.group = g;
}

// Every passage indexed by term.
std::vector<Xapian::docid> indexed_by(Xapian::Database &db, const std::string &term)
{
    std::vector<Xapian::docid> ids;
    for (auto it = db.postlist_begin(term); it != db.postlist_end(term); ++it)
        ids.push_back(*it);
    return ids;
}

// Passage q, which lost a neighbour (lost) and may have gained some
// (added: their keys), brought up to date.
void update(Xapian::WritableDatabase &db, att_xgroup *g, Xapian::docid q, bool lost,
            const std::vector<std::string> &added)
{
    passage p;
    if (!load(db, q, p) || !p.has_sig)
        return;
    std::string self = key_of(p.doc, p.n);
    // The least key left is unknown when the one that went was the least,
    // or when q was (it may have no neighbour left): count again.
    if (p.group.empty() || (lost && (p.group == self || g->gone.count(p.group)))) {
        set_group(db, p, group_of(p, neighbours(db, p)));
        return;
    }
    std::string least = p.group;
    for (const std::string &k : added)
        least = key_less(k, least) ? k : least;
    set_group(db, p, least);
}

} // namespace

extern "C" {

att_xgroup *att_xgroup_new(void)
{
    return xap::guard_value<att_xgroup *>(nullptr, []() { return new att_xgroup; });
}

void att_xgroup_free(att_xgroup *g)
{
    delete g;
}

int att_xgroup_leave(att_xwdb *w, att_xgroup *g, const char *term, size_t len, att_err *err)
{
    return guard(err, [&]() -> int {
        for (Xapian::docid id : indexed_by(w->db, std::string(term, len))) {
            passage p;
            if (!load(w->db, id, p) || !p.has_sig)
                continue;
            std::vector<passage> nbs = neighbours(w->db, p);
            if (nbs.empty())
                continue;
            g->gone.insert(key_of(p.doc, p.n));
            for (const passage &c : nbs)
                g->lost.insert(c.id);
        }
        return ATT_OK;
    });
}

int att_xgroup_settle(att_xwdb *w, att_xgroup *g, const char *term, size_t len, att_err *err)
{
    int rc = guard(err, [&]() -> int {
        std::vector<Xapian::docid> fresh;
        std::map<Xapian::docid, std::vector<std::string>> added;
        if (term != nullptr)
            fresh = indexed_by(w->db, std::string(term, len));
        for (Xapian::docid id : fresh) {
            passage p;
            if (!load(w->db, id, p) || !p.has_sig)
                continue;
            std::vector<passage> nbs = neighbours(w->db, p);
            set_group(w->db, p, group_of(p, nbs));
            for (const passage &c : nbs)
                added[c.id].push_back(key_of(p.doc, p.n));
        }
        for (Xapian::docid id : fresh) { // grouped in full above
            added.erase(id);
            g->lost.erase(id);
        }
        for (Xapian::docid id : g->lost)
            update(w->db, g, id, true, added.count(id) ? added[id] : std::vector<std::string>());
        for (const auto &kv : added) {
            if (!g->lost.count(kv.first))
                update(w->db, g, kv.first, false, kv.second);
        }
        return ATT_OK;
    });
    g->gone.clear();
    g->lost.clear();
    return rc;
}

int att_xwdb_regroup_all(att_xwdb *w, att_err *err)
{
    return guard(err, [&]() -> int {
        // Only passages that share a band term with another can have a
        // group: those in a band's posting list of two or more.
        std::set<Xapian::docid> linked;
        for (auto t = w->db.allterms_begin(ATT_P_BAND); t != w->db.allterms_end(ATT_P_BAND);
             ++t) {
            if (t.get_termfreq() < 2)
                continue;
            for (auto it = w->db.postlist_begin(*t); it != w->db.postlist_end(*t); ++it)
                linked.insert(*it);
        }
        for (Xapian::docid id : linked) {
            passage p;
            if (load(w->db, id, p) && p.has_sig)
                set_group(w->db, p, group_of(p, neighbours(w->db, p)));
        }
        return ATT_OK;
    });
}

int att_xdoc_signature(att_xdoc *d, const char *text, size_t len, att_err *err)
{
    att_sig sig;
    if (!att_sig_make(text, len, &sig))
        return ATT_OK;
    return guard(err, [&]() -> int {
        char enc[ATT_SIG_BYTES], t[ATT_BAND_TERM_MAX];
        att_sig_encode(&sig, enc);
        d->doc.add_value(ATT_SLOT_SIG, std::string(enc, sizeof enc));
        for (unsigned b = 0; b < ATT_SIG_BANDS; b++)
            d->doc.add_boolean_term(std::string(t, att_sig_band_term(&sig, b, ATT_P_BAND, t)));
        return ATT_OK;
    });
}

} // extern "C"
