// attache: the Xapian shim's near-duplicate groups on the writing side: a
// passage's group is the least passage key (document id, then passage
// number) among itself and the passages of other documents it resembles
// (lib/shingle.h), kept current as passages come and go, in the writer's
// transaction. (Search side: xap_dups.cc.)
#include <algorithm>
#include <map>
#include <memory>
#include <unordered_map>

#include "xap_dups.h"

extern "C" {
#include "record.h"
#include "shingle.h"
}

using xap::guard;

// What a writer remembers between deleting a file's passages and adding
// their successors: the keys that left, and the passages that lost one of
// them as a neighbour.
struct att_xgroup {
    // A database that held no passage when g was made (a first build or a
    // rebuild) has only those added through g: a passage whose band terms
    // no earlier one had then has no copy, and nothing needs asking the
    // database (whose term lookups made a first build a fifth slower).
    // bands: per band term hash, which document set it (a hash of its id;
    // BAND_MANY when several did), as passages are added: passages of one
    // document never group, so a band only that document set is no sign.
    bool fresh_db = false;
    std::vector<uint32_t> bands;
    // The database as last committed, read apart from the writer: Xapian's
    // writer reads through the cursors it writes with, and a read that
    // meets a full disk there could leave the writer unable to cancel
    // (std::terminate in a later commit). So which passages may have
    // copies is asked here, and the writer is read only for those.
    bool has_ro = false;
    Xapian::Database ro;
    // Band terms already asked of ro since it last moved: whether one of
    // its passages holds it (copies of a text ask the same terms again).
    std::unordered_map<std::string, bool> ro_bands;
    std::set<std::string> gone;        // group values ("N:doc") of passages deleted
    std::set<Xapian::docid> lost;      // passages that resembled one of them
    std::vector<Xapian::docid> fresh;  // passages added since, with a signature
    std::vector<std::string> fresh_doc; // their document ids
    std::vector<unsigned> fresh_n;     // their numbers
    std::vector<att_sig> fresh_sig;    // their signatures
    std::vector<bool> fresh_shared;    // whether a band term of theirs came before
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

// Band terms of more passages than this are not followed: text repeated
// all through one document (or boilerplate in hundreds) would make every
// passage read every other, and a 50 MB file of a repeated block took
// minutes. Copies are still found through their other bands.
const Xapian::doccount BAND_CAP = 64;

// Band terms remembered at most by one memo of their counts (about 6 MB).
const size_t BAND_MEMO = size_t(1) << 16;

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

// The signature in d's passage record (lib/record.h); false when it has
// none. (Not a value slot: Xapian 1.4 aborts when the disk fills while it
// writes value streams, and 128 more bytes of values per passage made
// that the likely place for a full disk to strike.)
bool sig_of(const Xapian::Document &d, att_sig *sig)
{
    std::string data = xap::record_of(d);
    att_rec r;
    att_err err;
    return att_rec_decode(data.data(), data.size(), &r, &err) == ATT_OK && att_rec_sig(&r, sig);
}

// Passage d (id, of document doc) into p.
void fill(passage &p, Xapian::docid id, Xapian::Document &&d, std::string &&doc)
{
    p.d = std::move(d);
    p.id = id;
    p.doc = std::move(doc);
    p.n = (unsigned)Xapian::sortable_unserialise(p.d.get_value(ATT_SLOT_PASSAGE));
    p.has_sig = sig_of(p.d, &p.sig);
    p.group = p.d.get_value(ATT_SLOT_GROUP);
}

// Passage id of db into p; false when it is gone.
bool load(Xapian::Database &db, Xapian::docid id, passage &p)
{
    Xapian::Document d;
    try {
        d = db.get_document(id);
    } catch (const Xapian::DocNotFoundError &) {
        return false;
    }
    std::string doc = d.get_value(ATT_SLOT_DOC);
    fill(p, id, std::move(d), std::move(doc));
    return true;
}

// The document of passage id of db, one of a posting list's (so there).
std::string doc_of(Xapian::Database &db, Xapian::docid id)
{
    return db.get_document(id, Xapian::DOC_ASSUME_VALID).get_value(ATT_SLOT_DOC);
}

// Passage id of db, one of a posting list's, into c unless it belongs to
// document skip (its document is read first, a value alone: a passage of
// skip costs no read of its data); false when it does or is gone.
bool candidate(Xapian::Database &db, Xapian::docid id, const std::string &skip, passage &c)
{
    try {
        Xapian::Document d = db.get_document(id, Xapian::DOC_ASSUME_VALID);
        std::string doc = d.get_value(ATT_SLOT_DOC);
        if (doc == skip)
            return false;
        fill(c, id, std::move(d), std::move(doc));
    } catch (const Xapian::DocNotFoundError &) {
        return false;
    }
    return true;
}

// A database read while its band terms stay as they are (within one
// leave, one settle or one regrouping: only groups are written then),
// with the number of passages of each band term asked once: the copies
// of a repeated text ask the same terms again and again.
struct bands_view {
    Xapian::Database &db;
    std::unordered_map<std::string, Xapian::doccount> tf;

    explicit bands_view(Xapian::Database &d) : db(d) {}

    Xapian::doccount freq(const std::string &term)
    {
        auto it = tf.find(term);
        if (it != tf.end())
            return it->second;
        if (tf.size() >= BAND_MEMO)
            tf.clear(); // bounded: a memo, not a copy of the table
        return tf[term] = db.get_termfreq(term);
    }
};

// The passages of other documents p resembles, by its band terms. (A
// band term no other passage has is not opened: in a writer, opening the
// posting list of a term written since the last commit writes it out
// alone, which made the build a fifth slower.)
std::vector<passage> neighbours(bands_view &v, const passage &p)
{
    std::set<Xapian::docid> seen{p.id};
    std::vector<passage> out;
    if (!p.has_sig)
        return out;
    for (unsigned b = 0; b < ATT_SIG_BANDS; b++) {
        char t[ATT_BAND_TERM_MAX];
        size_t n = att_sig_band_term(&p.sig, b, ATT_P_BAND, t);
        std::string term(t, n);
        Xapian::doccount tf = v.freq(term);
        if (tf < 2 || tf > BAND_CAP)
            continue;
        for (auto it = v.db.postlist_begin(term); it != v.db.postlist_end(term); ++it) {
            passage c;
            if (!seen.insert(*it).second || !candidate(v.db, *it, p.doc, c))
                continue;
            if (c.has_sig && att_sig_same(&p.sig, &c.sig))
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
    if (db.get_termfreq(term) == 0) // a new file: nothing to open
        return ids;
    for (auto it = db.postlist_begin(term); it != db.postlist_end(term); ++it)
        ids.push_back(*it);
    return ids;
}

// Passage q, which lost a neighbour (lost) and may have gained some
// (added: their keys), brought up to date.
void update(Xapian::WritableDatabase &db, bands_view &v, att_xgroup *g, Xapian::docid q,
            bool lost, const std::vector<std::string> &added)
{
    passage p;
    if (!load(db, q, p) || !p.has_sig)
        return;
    std::string self = key_of(p.doc, p.n);
    // The least key left is unknown when the one that went was the least,
    // or when q was (it may have no neighbour left): count again.
    if (p.group.empty() || (lost && (p.group == self || g->gone.count(p.group)))) {
        set_group(db, p, group_of(p, neighbours(v, p)));
        return;
    }
    std::string least = p.group;
    for (const std::string &k : added)
        least = key_less(k, least) ? k : least;
    set_group(db, p, least);
}

// Forget the change under way (not the bands seen).
void forget(att_xgroup *g)
{
    g->gone.clear();
    g->lost.clear();
    g->fresh.clear();
    g->fresh_doc.clear();
    g->fresh_n.clear();
    g->fresh_sig.clear();
    g->fresh_shared.clear();
}

// The read-only view moved to the last commit (what it remembered of the
// one before forgotten).
void ro_reopen(att_xgroup *g)
{
    if (g->ro.reopen())
        g->ro_bands.clear();
}

// The postings of t in the read-only view, reopened when the writer has
// committed past the revision it reads (a file streamed over many commits).
Xapian::doccount ro_termfreq(att_xgroup *g, const std::string &t)
{
    try {
        return g->ro.get_termfreq(t);
    } catch (const Xapian::DatabaseModifiedError &) {
        ro_reopen(g);
        return g->ro.get_termfreq(t);
    }
}

} // namespace

extern "C" {

// Slots of the band terms seen in a fresh database: 2^20 (4 MB), about
// 11% of them set after 20,000 passages of 6 bands (a slot set by another
// document only sends a passage to the database to be checked).
const size_t BAND_BITS = size_t(1) << 20;
const uint32_t BAND_MANY = 0xFFFFFFFFu;

att_xgroup *att_xgroup_new(att_xwdb *w, const char *path)
{
    return xap::guard_value<att_xgroup *>(nullptr, [&]() {
        std::unique_ptr<att_xgroup> g(new att_xgroup);
        g->fresh_db = w->db.get_doccount() == 0;
        g->bands.assign(BAND_BITS, 0);
        try {
            if (path != nullptr && !g->fresh_db) {
                g->ro = Xapian::Database(path);
                g->has_ro = true;
            }
        } catch (const Xapian::Error &) {
            // Without it, the writer answers (as it always can).
        }
        return g.release();
    });
}

void att_xgroup_free(att_xgroup *g)
{
    delete g;
}

int att_xgroup_leave(att_xwdb *w, att_xgroup *g, const char *term, size_t len, att_err *err)
{
    return guard(err, [&]() -> int {
        std::string t(term, len);
        if (g->has_ro) {
            ro_reopen(g); // the last commit
            if (ro_termfreq(g, t) == 0)
                return ATT_OK; // a new file (one never comes twice in a batch)
        }
        bands_view v(w->db);
        for (Xapian::docid id : indexed_by(w->db, t)) {
            passage p;
            if (!load(w->db, id, p) || !p.has_sig)
                continue;
            std::vector<passage> nbs = neighbours(v, p);
            if (nbs.empty())
                continue;
            g->gone.insert(key_of(p.doc, p.n));
            for (const passage &c : nbs)
                g->lost.insert(c.id);
        }
        return ATT_OK;
    });
}

// Whether a band term of sig was seen before in g's fresh database, set
// by another document than doc; marks them seen.
bool seen_bands(att_xgroup *g, const att_sig &sig, const std::string &doc)
{
    bool seen = false;
    uint32_t me = (uint32_t)std::hash<std::string>()(doc) | 1u;
    me = me == BAND_MANY ? 1u : me;
    for (unsigned b = 0; b < ATT_SIG_BANDS; b++) {
        char t[ATT_BAND_TERM_MAX];
        size_t n = att_sig_band_term(&sig, b, ATT_P_BAND, t);
        uint32_t &o = g->bands[std::hash<std::string>()(std::string(t, n)) % BAND_BITS];
        if (o == 0) {
            o = me;
        } else if (o != me) {
            seen = true;
            o = BAND_MANY;
        }
    }
    return seen;
}

// Whether a passage of ro holds term, each term asked once per revision.
bool ro_holds(att_xgroup *g, const std::string &term)
{
    auto it = g->ro_bands.find(term);
    if (it != g->ro_bands.end())
        return it->second;
    if (g->ro_bands.size() >= BAND_MEMO)
        g->ro_bands.clear();
    return g->ro_bands[term] = ro_termfreq(g, term) > 0;
}

// Whether a passage committed before holds a band term of sig: asked of
// the read-only view (see att_xgroup), else of the writer.
bool committed_bands(att_xwdb *w, att_xgroup *g, const att_sig &sig)
{
    for (unsigned b = 0; b < ATT_SIG_BANDS; b++) {
        char t[ATT_BAND_TERM_MAX];
        std::string term(t, att_sig_band_term(&sig, b, ATT_P_BAND, t));
        if (g->has_ro ? ro_holds(g, term) : w->db.get_termfreq(term) > 1)
            return true;
    }
    return false;
}

int att_xgroup_add(att_xwdb *w, att_xgroup *g, const att_xdoc *d, att_err *err)
{
    return guard(err, [&]() -> int {
        if (g->has_ro && g->fresh.empty())
            ro_reopen(g); // the first passage of a change: the last commit
        Xapian::docid id = w->db.add_document(d->doc);
        if (!d->has_sig)
            return ATT_OK; // too short to have copies
        const att_sig &as = d->sig;
        g->fresh.push_back(id);
        g->fresh_doc.push_back(d->doc.get_value(ATT_SLOT_DOC));
        g->fresh_n.push_back(
            (unsigned)Xapian::sortable_unserialise(d->doc.get_value(ATT_SLOT_PASSAGE)));
        g->fresh_sig.push_back(as);
        bool seen = seen_bands(g, as, g->fresh_doc.back());
        g->fresh_shared.push_back(seen || (!g->fresh_db && committed_bands(w, g, as)));
        return ATT_OK;
    });
}

// Group the passages g added (in full) and note their neighbours' new
// keys in added.
void group_fresh(Xapian::WritableDatabase &db, bands_view &v, att_xgroup *g,
                 std::map<Xapian::docid, std::vector<std::string>> &added)
{
    for (size_t i = 0; i < g->fresh.size(); i++) {
        if (!g->fresh_shared[i])
            continue;
        passage p;
        p.id = g->fresh[i];
        p.doc = g->fresh_doc[i];
        p.n = g->fresh_n[i];
        p.has_sig = true;
        p.sig = g->fresh_sig[i];
        std::vector<passage> nbs = neighbours(v, p);
        if (nbs.empty())
            continue;
        if (!load(db, p.id, p)) // its document, to give it a group
            continue;
        set_group(db, p, group_of(p, nbs));
        for (const passage &c : nbs)
            added[c.id].push_back(key_of(p.doc, p.n));
    }
}

int att_xgroup_settle(att_xwdb *w, att_xgroup *g, att_err *err)
{
    int rc = guard(err, [&]() -> int {
        std::map<Xapian::docid, std::vector<std::string>> added;
        bands_view v(w->db);
        group_fresh(w->db, v, g, added);
        for (Xapian::docid id : g->fresh) { // grouped in full above
            added.erase(id);
            g->lost.erase(id);
        }
        for (Xapian::docid id : g->lost)
            update(w->db, v, g, id, true,
                   added.count(id) ? added[id] : std::vector<std::string>());
        for (const auto &kv : added) {
            if (!g->lost.count(kv.first))
                update(w->db, v, g, kv.first, false, kv.second);
        }
        return ATT_OK;
    });
    forget(g);
    return rc;
}

// Whether the passages ids (a band term's) belong to two documents or more.
bool spans_documents(Xapian::Database &db, const std::vector<Xapian::docid> &ids)
{
    std::string first = ids.empty() ? std::string() : doc_of(db, ids[0]);
    for (size_t i = 1; i < ids.size(); i++) {
        if (doc_of(db, ids[i]) != first)
            return true;
    }
    return false;
}

int att_xwdb_regroup_all(att_xwdb *w, att_err *err)
{
    return guard(err, [&]() -> int {
        // Only passages that share a band term with a passage of another
        // document can have a group (linked). Those that share band terms
        // with passages of their own document only (alone) have none:
        // one that had a group keeps none.
        std::set<Xapian::docid> linked, alone;
        for (auto t = w->db.allterms_begin(ATT_P_BAND); t != w->db.allterms_end(ATT_P_BAND);
             ++t) {
            if (t.get_termfreq() < 2 || t.get_termfreq() > BAND_CAP)
                continue;
            std::vector<Xapian::docid> ids(w->db.postlist_begin(*t), w->db.postlist_end(*t));
            (spans_documents(w->db, ids) ? linked : alone).insert(ids.begin(), ids.end());
        }
        bands_view v(w->db);
        for (Xapian::docid id : linked) {
            passage p;
            if (load(w->db, id, p) && p.has_sig)
                set_group(w->db, p, group_of(p, neighbours(v, p)));
        }
        for (Xapian::docid id : alone) {
            passage p;
            if (!linked.count(id) && load(w->db, id, p) && p.has_sig && !p.group.empty())
                set_group(w->db, p, std::string());
        }
        return ATT_OK;
    });
}

int att_xdoc_bands(att_xdoc *d, const att_sig *sig, att_err *err)
{
    return guard(err, [&]() -> int {
        char t[ATT_BAND_TERM_MAX];
        for (unsigned b = 0; b < ATT_SIG_BANDS; b++)
            d->doc.add_boolean_term(std::string(t, att_sig_band_term(sig, b, ATT_P_BAND, t)));
        d->sig = *sig;
        d->has_sig = true;
        return ATT_OK;
    });
}

} // extern "C"
