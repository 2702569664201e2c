// attache: the Xapian shim's reader: sources (index folders, sharded or
// not, and remote databases) opened as one, following swaps and bringing
// back sources that were out; and what can be read from them.
#include <algorithm>
#include <memory>

#include "xap_priv.h"

using xap::describe;
using xap::guard;

namespace xap {

void check_format(const Xapian::Database &db)
{
    std::string f = db.get_metadata(ATT_META_FORMAT);
    if (f.empty() && db.get_lastdocid() == 0)
        return; // new and empty: the writer stamps it
    if (f.empty())
        f = "1"; // written before the key existed
    if (f == ATT_FORMAT_VERSION)
        return;
    throw version_error("index format " + f.substr(0, 32) +
                        " is not supported by this attache (format " ATT_FORMAT_VERSION
                        "): rebuild it with attache-index --rebuild");
}

uint64_t revision_sum(const std::vector<Xapian::Database> &dbs)
{
    uint64_t rev = 0;
    for (auto &d : dbs) {
        std::string r = d.get_metadata(ATT_META_REVISION);
        rev += r.empty() ? 0 : std::strtoull(r.c_str(), nullptr, 10);
    }
    return rev;
}

int each_meta(const Xapian::Database &db, const char *prefix, size_t plen, att_meta_fn fn,
              void *ud, att_err *err)
{
    return guard(err, [&]() -> int {
        std::string p(prefix, plen);
        for (auto k = db.metadata_keys_begin(p); k != db.metadata_keys_end(p); ++k) {
            const std::string key = *k;
            const std::string val = db.get_metadata(key);
            int rc = fn(ud, key.data(), key.size(), val.data(), val.size());
            if (rc != 0)
                return rc;
        }
        return ATT_OK;
    });
}

} // namespace xap

namespace {

// Read dir's stub (lib/stub.h): false when it has none, else true with
// dbs the folders it names. Throws when it cannot be read.
bool read_stub(const std::string &dir, std::vector<std::string> &dbs)
{
    att_stub st;
    att_err err{};
    int rc = att_stub_read(dir.c_str(), &st, &err);
    if (rc == ATT_E_NOMEM)
        throw std::bad_alloc();
    if (rc != ATT_OK)
        throw Xapian::DatabaseOpeningError(err.msg);
    try {
        dbs.assign(st.dbs, st.dbs + st.n);
    } catch (...) {
        att_stub_free(&st);
        throw;
    }
    bool found = st.found;
    att_stub_free(&st);
    return found;
}

// What the stub of dir names, and what the stubs of those name (each shard
// of a sharded index is an index folder with a stub of its own), as one
// text, so that a swap in any of them shows as a change; "" when dir holds
// no stub. *dbs (when given): the folders dir's stub names.
std::string stub_state(const std::string &dir, std::vector<std::string> *dbs = nullptr)
{
    std::vector<std::string> top, sub;
    if (!read_stub(dir, top))
        return "";
    std::string all = "+";
    for (auto &p : top)
        all += p + "\n";
    for (auto &p : top) {
        all += read_stub(p, sub) ? "+" : "-";
        for (auto &q : sub)
            all += q + "\n";
    }
    if (dbs != nullptr)
        *dbs = std::move(top);
    return all;
}

// Open a source: each database a local stub names (a shard is itself a
// folder with a stub), or the path itself when it holds no stub; or the
// remote database. Throws when it cannot, or when one is of another
// format.
void open_source(att_source &s, const att_xdb_opts &o)
{
    std::vector<Xapian::Database> dbs;
    std::string state;
    if (s.port != 0) {
        dbs.push_back(Xapian::Remote::open(s.host, s.port, o.timeout_ms, o.timeout_ms));
    } else {
        std::vector<std::string> named;
        state = stub_state(s.spec, &named);
        if (state.empty())
            dbs.emplace_back(s.spec);
        else if (named.empty())
            throw Xapian::DatabaseOpeningError("empty stub file: " + s.spec + "/" ATT_STUB_NAME);
        for (auto &p : named)
            dbs.emplace_back(p);
    }
    for (auto &d : dbs)
        xap::check_format(d);
    s.dbs = std::move(dbs);
    s.stub = std::move(state);
    s.up = true;
    s.fails = 0;
    s.error.clear();
}

// Take s out after it failed (why); it is tried again after retry_ms,
// then after twice as long each time it still fails, up to 30 s (a try
// may wait for the connect time-out).
void source_down(att_source &s, const std::string &why, const att_xdb_opts &o)
{
    unsigned wait = o.retry_ms;
    for (unsigned i = 0; i < s.fails && wait < 30000; i++)
        wait *= 2;
    s.up = false;
    s.dbs.clear();
    s.error = why;
    s.fails++;
    s.retry_at = std::chrono::steady_clock::now() +
                 std::chrono::milliseconds(std::min(wait, 30000u));
}

// x->shards and x->db from the sources that are up.
void combine(att_xdb *x)
{
    x->shards.clear();
    x->db = Xapian::Database();
    for (auto &s : x->sources) {
        for (auto &d : s.dbs) {
            x->shards.push_back(d);
            x->db.add_database(d);
        }
    }
}

// "tcp://HOST:PORT" into s; false when spec is not of that form.
bool parse_remote(const std::string &spec, att_source &s)
{
    const std::string scheme = "tcp://";
    if (spec.compare(0, scheme.size(), scheme) != 0)
        return false;
    std::string rest = spec.substr(scheme.size());
    size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size())
        throw Xapian::DatabaseOpeningError("bad remote database " + spec +
                                           " (use tcp://HOST:PORT)");
    std::string host = rest.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    char *end = nullptr;
    unsigned long port = std::strtoul(rest.c_str() + colon + 1, &end, 10);
    if (*end != '\0' || port == 0 || port > 65535)
        throw Xapian::DatabaseOpeningError("bad port in " + spec);
    s.host = host;
    s.port = (unsigned)port;
    return true;
}

// Try source s afresh when it is out and due, or when a rebuild swapped
// in another generation; true when it came back or moved. Throws when it
// cannot be opened and it is x's one local source (the caller reports
// that); otherwise takes it out.
bool refresh_source(att_xdb *x, att_source &s, std::chrono::steady_clock::time_point now)
{
    if (!s.up && now < s.retry_at)
        return false;
    bool lone = s.port == 0 && x->sources.size() == 1;
    try {
        if (s.up && (s.port != 0 || stub_state(s.spec) == s.stub))
            return false;
        att_source fresh = s;
        open_source(fresh, x->opts);
        s = std::move(fresh);
        return true;
    } catch (const Xapian::Error &e) {
        if (lone)
            throw;
        bool was_up = s.up;
        source_down(s, describe(e), x->opts);
        return was_up;
    } catch (const xap::version_error &e) {
        if (lone)
            throw;
        bool was_up = s.up;
        source_down(s, e.what(), x->opts);
        return was_up;
    }
}

struct get_entry {
    unsigned n;
    std::string data;
};

} // namespace

namespace xap {

// Any connection may be the broken one, or hold a reply nobody read: the
// server closed it while it was idle, or another server's time-out ended
// the search half-way.
void reconnect_remotes(att_xdb *x)
{
    for (auto &s : x->sources) {
        if (!s.up || s.port == 0)
            continue;
        try {
            att_source fresh = s;
            open_source(fresh, x->opts);
            s = std::move(fresh);
        } catch (const Xapian::Error &e) {
            source_down(s, describe(e), x->opts);
        } catch (const version_error &e) {
            source_down(s, e.what(), x->opts);
        }
    }
    combine(x);
}

bool any_remote_up(const att_xdb *x)
{
    for (auto &s : x->sources) {
        if (s.up && s.port != 0)
            return true;
    }
    return false;
}

std::string missing_text(const att_xdb *x)
{
    std::string m;
    for (auto &s : x->sources) {
        if (s.up)
            continue;
        m += m.empty() ? "" : "; ";
        m += s.spec + " (" + s.error + ")";
    }
    return m;
}

bool all_up(const att_xdb *x)
{
    for (auto &s : x->sources) {
        if (!s.up)
            return false;
    }
    return true;
}

} // namespace xap

extern "C" {

int att_xdb_open(const char *path, att_xdb **out, att_err *err)
{
    return att_xdb_open_many(&path, 1, nullptr, out, err);
}

int att_xdb_open_many(const char *const *specs, size_t n, const att_xdb_opts *o, att_xdb **out,
                      att_err *err)
{
    *out = nullptr;
    return guard(err, [&]() -> int {
        std::unique_ptr<att_xdb> x(new att_xdb);
        if (o != nullptr)
            x->opts = *o;
        x->path = n > 0 ? specs[0] : "";
        for (size_t i = 0; i < n; i++) {
            att_source s;
            s.spec = specs[i];
            parse_remote(s.spec, s);
            x->sources.push_back(s);
        }
        // A local source must open (a wrong path is a mistake to report),
        // and none may be of another format; a remote one may be out for
        // now and join later.
        bool any = false;
        for (auto &s : x->sources) {
            try {
                open_source(s, x->opts);
                any = true;
            } catch (const Xapian::NetworkError &e) {
                if (n == 1)
                    throw;
                source_down(s, describe(e), x->opts);
            }
        }
        if (!any)
            throw Xapian::DatabaseOpeningError("no database could be opened: " +
                                               xap::missing_text(x.get()));
        combine(x.get());
        *out = x.release();
        return ATT_OK;
    });
}

void att_xdb_sources(att_xdb *x, att_xdb_source *out, size_t max, size_t *n)
{
    *n = 0;
    xap::guard_value<bool>(false, [&]() {
        for (auto &s : x->sources) {
            if (*n == max)
                break;
            att_xdb_source &o = out[(*n)++];
            std::memset(&o, 0, sizeof o);
            o.spec = s.spec.c_str();
            o.remote = s.port != 0;
            o.up = s.up;
            try {
                o.revision = xap::revision_sum(s.dbs);
                for (auto &d : s.dbs)
                    o.passages += d.get_doccount();
            } catch (const Xapian::Error &e) {
                o.up = false;
                std::snprintf(o.error, sizeof o.error, "%s", describe(e).c_str());
                continue;
            }
            if (!s.up)
                std::snprintf(o.error, sizeof o.error, "%s", s.error.c_str());
        }
        return true;
    });
}

void att_xdb_close(att_xdb *db)
{
    delete db;
}

int att_xdb_reopen(att_xdb *x, bool *changed, att_err *err)
{
    return guard(err, [&]() -> int {
        bool moved = false;
        auto now = std::chrono::steady_clock::now();
        for (auto &s : x->sources)
            moved = refresh_source(x, s, now) || moved;
        if (moved)
            combine(x);
        try {
            moved = x->db.reopen() || moved;
        } catch (const Xapian::NetworkError &) {
            xap::reconnect_remotes(x);
            moved = true;
        }
        if (changed != nullptr)
            *changed = moved;
        return ATT_OK;
    });
}

int att_xdb_get_info(att_xdb *x, struct att_xdb_info *info, bool count_terms, att_err *err)
{
    return guard(err, [&]() -> int {
        std::memset(info, 0, sizeof *info);
        info->doccount = x->db.get_doccount();
        info->lastdocid = x->db.get_lastdocid();
        info->avglength = x->db.get_avlength();
        info->shards = (unsigned)x->shards.size();
        info->revision = xap::revision_sum(x->shards);
        if (count_terms) {
            for (auto t = x->db.allterms_begin(); t != x->db.allterms_end(); ++t)
                info->terms++;
            for (auto t = x->db.spellings_begin(); t != x->db.spellings_end(); ++t) {
                info->spellings++;
                info->spelling_freq += t.get_termfreq();
            }
        }
        return ATT_OK;
    });
}

uint64_t att_xdb_revision(att_xdb *x)
{
    return xap::guard_value<uint64_t>(0, [&]() { return xap::revision_sum(x->shards); });
}

int att_xdb_prefix_count(att_xdb *x, const char *prefix, uint64_t *count, att_err *err)
{
    return guard(err, [&]() -> int {
        *count = 0;
        for (auto t = x->db.allterms_begin(prefix); t != x->db.allterms_end(prefix); ++t)
            ++*count;
        return ATT_OK;
    });
}

int att_xdb_termfreq(att_xdb *x, const char *term, size_t len, uint32_t *freq, att_err *err)
{
    return guard(err, [&]() -> int {
        *freq = x->db.get_termfreq(std::string(term, len));
        return ATT_OK;
    });
}

int att_xdb_get_meta(att_xdb *x, const char *key, size_t klen, char **val, size_t *vlen,
                     att_err *err)
{
    *val = nullptr;
    return guard(err, [&]() -> int {
        std::string v = x->db.get_metadata(std::string(key, klen));
        if (v.empty())
            return ATT_OK;
        return xap::copy_out(v, val, vlen, err);
    });
}

int att_xdb_each_meta(att_xdb *x, const char *prefix, size_t plen, att_meta_fn fn, void *ud,
                      att_err *err)
{
    // Xapian lists only the first database's metadata of several.
    for (auto &s : x->shards) {
        int rc = xap::each_meta(s, prefix, plen, fn, ud, err);
        if (rc != ATT_OK)
            return rc;
    }
    return ATT_OK;
}

int att_xdb_each_doc(att_xdb *x, const char *term, size_t len, att_doc_fn fn, void *ud,
                     att_err *err)
{
    return guard(err, [&]() -> int {
        std::string t(term, len);
        for (auto p = x->db.postlist_begin(t); p != x->db.postlist_end(t); ++p) {
            const std::string data = xap::record_of(x->db.get_document(*p));
            int rc = fn(ud, *p, data.data(), data.size());
            if (rc != 0)
                return rc;
        }
        return ATT_OK;
    });
}

int att_xdb_get(att_xdb *x, const char *doc_id, long passage, att_doc_fn fn, void *ud,
                att_err *err)
{
    return guard(err, [&]() -> int {
        std::string t = xap::term_for(ATT_P_DOC, doc_id, false);
        std::vector<get_entry> v;
        for (auto p = x->db.postlist_begin(t); p != x->db.postlist_end(t); ++p) {
            Xapian::Document d = x->db.get_document(*p);
            unsigned n = (unsigned)Xapian::sortable_unserialise(d.get_value(ATT_SLOT_PASSAGE));
            if (passage < 0 || (long)n == passage)
                v.push_back({n, xap::record_of(d)});
        }
        if (v.empty() && passage < 0)
            return att_err_set(err, ATT_E_NOTFOUND, "no document %s", doc_id);
        if (v.empty())
            return att_err_set(err, ATT_E_NOTFOUND, "no passage %ld in %s", passage, doc_id);
        std::sort(v.begin(), v.end(),
                  [](const get_entry &a, const get_entry &b) { return a.n < b.n; });
        for (const auto &e : v) {
            int rc = fn(ud, 0, e.data.data(), e.data.size());
            if (rc != 0)
                return rc;
        }
        return ATT_OK;
    });
}

} // extern "C"
