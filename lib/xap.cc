// attache: the only C++ in the project: the extern "C" API of
// include/attache/index.h over Xapian. Every entry point runs its body
// through guard(), which turns any exception into a status and message.
#include <xapian.h>

#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <memory>
#include <fstream>
#include <new>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

extern "C" {
#include "attache/index.h"
#include "terms.h"
}

struct att_xwdb {
    Xapian::WritableDatabase db;
    bool in_tx = false;
};

struct att_xgen {
    Xapian::TermGenerator tg;
    // Words for the spelling table, counted here and handed to a writer
    // with att_xwdb_add_spelling(): one add_spelling() per distinct word
    // and batch instead of one per word (TermGenerator's FLAG_SPELLING made
    // the whole build ~1.6x slower).
    std::unordered_map<std::string, Xapian::termcount> spell;
};

struct att_xdoc {
    Xapian::Document doc;
    att_xgen *g;
    Xapian::termpos pos = 0;
};

// One source of a reader: an index folder or a remote database.
struct att_source {
    std::string spec;                  // as given
    std::string host;                  // remote: tcp://HOST:PORT
    unsigned port = 0;                 // 0: local
    std::string stub;                  // local: its stubs' text when opened
    std::vector<Xapian::Database> dbs; // local: one per shard; remote: one
    bool up = false;
    std::string error;                 // why it is out
    unsigned fails = 0;                // tries since it went out
    std::chrono::steady_clock::time_point retry_at;
};

struct att_xdb {
    std::string path;                  // the first source (for messages)
    std::vector<att_source> sources;
    att_xdb_opts opts{2000, 1000, false};
    std::vector<Xapian::Database> shards; // every database of the sources up
    Xapian::Database db;               // all of them as one
};

namespace {

// "Type: message (context): system error", e.g. "DatabaseError: Error
// writing block 510: No space left on device".
std::string describe(const Xapian::Error &e)
{
    std::string m = e.get_type();
    m += ": " + e.get_msg();
    if (!e.get_context().empty())
        m += " (" + e.get_context() + ")";
    const char *sys = e.get_error_string();
    if (sys != nullptr && *sys != '\0')
        m += std::string(": ") + sys;
    return m;
}

int fail(att_err *err, int code, const Xapian::Error &e)
{
    return att_err_set(err, code, "%s", describe(e).c_str());
}

// Run f, mapping every exception it throws to a status code.
template <typename F> int guard(att_err *err, F &&f)
{
    try {
        return f();
    } catch (const Xapian::DatabaseLockError &e) {
        return fail(err, ATT_E_LOCKED, e);
    } catch (const Xapian::DatabaseModifiedError &e) {
        return fail(err, ATT_E_MODIFIED, e);
    } catch (const Xapian::DatabaseCorruptError &e) {
        return fail(err, ATT_E_CORRUPT, e);
    } catch (const Xapian::DatabaseOpeningError &e) {
        return fail(err, ATT_E_OPENING, e);
    } catch (const Xapian::QueryParserError &e) {
        return fail(err, ATT_E_QUERY, e);
    } catch (const Xapian::WildcardError &e) {
        return fail(err, ATT_E_QUERY, e);
    } catch (const Xapian::DocNotFoundError &e) {
        return fail(err, ATT_E_NOTFOUND, e);
    } catch (const Xapian::DatabaseCreateError &e) {
        return fail(err, ATT_E_IO, e);
    } catch (const Xapian::NetworkError &e) {
        return fail(err, ATT_E_OPENING, e);
    } catch (const Xapian::Error &e) {
        return fail(err, ATT_E_INDEX, e);
    } catch (const std::bad_alloc &) {
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    } catch (const std::exception &e) {
        return att_err_set(err, ATT_E_INTERNAL, "unexpected exception: %s", e.what());
    } catch (...) {
        return att_err_set(err, ATT_E_INTERNAL, "unexpected C++ exception");
    }
}

// A malloc'd NUL-terminated copy of s for the C side.
int copy_out(const std::string &s, char **val, size_t *vlen, att_err *err)
{
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (p == nullptr)
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    *val = p;
    if (vlen != nullptr)
        *vlen = s.size();
    return ATT_OK;
}

const unsigned TERM_MAX = 240; // glass's limit is 245 bytes

// The text of path/XAPIANDB prefixed with "+", or "" when there is none
// (so an empty stub and a missing one differ).
std::string read_one_stub(const std::string &path)
{
    std::ifstream in(path + "/XAPIANDB");
    std::ostringstream ss;
    if (!in)
        return "";
    ss << "+" << in.rdbuf();
    return ss.str();
}

// The stub of path followed by the stubs of the folders it names (a
// sharded index: each shard is an index folder with a stub of its own), so
// that a swap in any of them shows as a change.
std::string read_stub(const std::string &path)
{
    std::string all = read_one_stub(path);
    if (all.empty())
        return all;
    std::istringstream lines(all.substr(1));
    std::string kind, where;
    while (lines >> kind >> where) {
        if (kind == "auto")
            all += "\n" + read_one_stub(where[0] == '/' ? where : path + "/" + where);
    }
    return all;
}

// Open a source: each database a local stub names ("auto DIR" lines,
// relative to the stub's folder; a shard is itself a folder with a stub),
// or the path itself when it holds no stub; or the remote database.
// Throws when it cannot.
void open_source(att_source &s, const att_xdb_opts &o)
{
    std::vector<Xapian::Database> dbs;
    std::string stub;
    if (s.port != 0) {
        dbs.push_back(Xapian::Remote::open(s.host, s.port, o.timeout_ms, o.timeout_ms));
    } else {
        stub = read_stub(s.spec);
        if (stub.empty()) {
            dbs.emplace_back(s.spec);
        } else {
            std::istringstream lines(read_one_stub(s.spec).substr(1));
            std::string kind, where;
            while (lines >> kind >> where)
                dbs.emplace_back(where[0] == '/' ? where : s.spec + "/" + where);
            if (dbs.empty())
                throw Xapian::DatabaseOpeningError("empty stub file: " + s.spec + "/XAPIANDB");
        }
    }
    s.dbs = std::move(dbs);
    s.stub = std::move(stub);
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
    s.retry_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::min(wait, 30000u));
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

// After a network error: connect afresh to every remote source that is
// up, and take out those that do not answer. Any connection may be the
// broken one, or hold a reply nobody read: the server closed it while it
// was idle, or another server's time-out ended the search half-way.
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

// The sources that are out, as "SPEC (why)" for an error message.
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

// Count the words of text (lower-cased, as the query parser sees them).
void count_words(att_xgen *w, const char *text, size_t len)
{
    std::string word;
    for (Xapian::Utf8Iterator it(text, len); it != Xapian::Utf8Iterator(); ++it) {
        unsigned ch = *it;
        if (Xapian::Unicode::is_wordchar(ch)) {
            Xapian::Unicode::append_utf8(word, Xapian::Unicode::tolower(ch));
            continue;
        }
        if (!word.empty() && word.size() <= 64)
            w->spell[word]++;
        word.clear();
    }
    if (!word.empty() && word.size() <= 64)
        w->spell[word]++;
}

} // namespace

extern "C" {

/* ---- writing ---- */

int att_xwdb_open(const char *path, unsigned flags, att_xwdb **out, att_err *err)
{
    *out = nullptr;
    return guard(err, [&]() -> int {
        int action = (flags & ATT_XW_CREATE) ? Xapian::DB_CREATE_OR_OPEN : Xapian::DB_OPEN;
        *out = new att_xwdb{Xapian::WritableDatabase(path, action), false};
        return ATT_OK;
    });
}

void att_xwdb_close(att_xwdb *w)
{
    if (w == nullptr)
        return;
    try {
        if (w->in_tx)
            w->db.cancel_transaction();
    } catch (...) {
        // Closing anyway: the uncommitted work is dropped either way.
    }
    try {
        w->db.close();
    } catch (...) {
    }
    delete w;
}

int att_xwdb_begin(att_xwdb *w, att_err *err)
{
    return guard(err, [&]() -> int {
        w->db.begin_transaction(true); // flushed: commit_transaction() is durable
        w->in_tx = true;
        return ATT_OK;
    });
}

int att_xwdb_commit(att_xwdb *w, att_err *err)
{
    return guard(err, [&]() -> int {
        if (w->in_tx) {
            w->in_tx = false;
            w->db.commit_transaction();
        } else {
            w->db.commit();
        }
        return ATT_OK;
    });
}

int att_xwdb_cancel(att_xwdb *w, att_err *err)
{
    return guard(err, [&]() -> int {
        if (w->in_tx) {
            w->in_tx = false;
            w->db.cancel_transaction();
        }
        return ATT_OK;
    });
}

int att_xwdb_replace(att_xwdb *w, const char *uterm, size_t ulen, const att_xdoc *d,
                     att_err *err)
{
    return guard(err, [&]() -> int {
        w->db.replace_document(std::string(uterm, ulen), d->doc);
        return ATT_OK;
    });
}

int att_xwdb_add(att_xwdb *w, const att_xdoc *d, att_err *err)
{
    return guard(err, [&]() -> int {
        w->db.add_document(d->doc);
        return ATT_OK;
    });
}

int att_xwdb_delete_term(att_xwdb *w, const char *term, size_t len, att_err *err)
{
    return guard(err, [&]() -> int {
        w->db.delete_document(std::string(term, len));
        return ATT_OK;
    });
}

int att_xwdb_set_meta(att_xwdb *w, const char *key, size_t klen, const char *val, size_t vlen,
                      att_err *err)
{
    return guard(err, [&]() -> int {
        w->db.set_metadata(std::string(key, klen), std::string(val, vlen));
        return ATT_OK;
    });
}

int att_xwdb_get_meta(att_xwdb *w, const char *key, size_t klen, char **val, size_t *vlen,
                      att_err *err)
{
    *val = nullptr;
    return guard(err, [&]() -> int {
        std::string v = w->db.get_metadata(std::string(key, klen));
        if (v.empty())
            return ATT_OK;
        return copy_out(v, val, vlen, err);
    });
}

static int each_meta(const Xapian::Database &db, const char *prefix, size_t plen, att_meta_fn fn,
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

int att_xwdb_each_meta(att_xwdb *w, const char *prefix, size_t plen, att_meta_fn fn, void *ud,
                       att_err *err)
{
    return each_meta(w->db, prefix, plen, fn, ud, err);
}

int att_xwdb_termfreq(att_xwdb *w, const char *term, size_t len, uint32_t *freq, att_err *err)
{
    return guard(err, [&]() -> int {
        *freq = w->db.get_termfreq(std::string(term, len));
        return ATT_OK;
    });
}

int att_xwdb_doccount(att_xwdb *w, uint32_t *count, att_err *err)
{
    return guard(err, [&]() -> int {
        *count = w->db.get_doccount();
        return ATT_OK;
    });
}

// When several databases are merged, a metadata key they share keeps the
// first one's value, except the revision, which keeps the highest (a
// reader must never see it go back).
namespace {
class merger : public Xapian::Compactor {
  public:
    std::string resolve_duplicate_metadata(const std::string &key, size_t n,
                                           const std::string tags[]) override
    {
        if (key != ATT_META_REVISION)
            return tags[0];
        size_t best = 0;
        for (size_t i = 1; i < n; i++) {
            if (std::strtoull(tags[i].c_str(), nullptr, 10) >
                std::strtoull(tags[best].c_str(), nullptr, 10))
                best = i;
        }
        return tags[best];
    }
};
} // namespace

int att_xdb_compact(const char *src, const char *dst, att_err *err)
{
    return att_xdb_merge(&src, 1, dst, err);
}

int att_xdb_merge(const char *const *srcs, size_t n, const char *dst, att_err *err)
{
    return guard(err, [&]() -> int {
        Xapian::Database db;
        merger m;

        for (size_t i = 0; i < n; i++)
            db.add_database(Xapian::Database(srcs[i]));
        // One source keeps its document ids; several are renumbered in
        // turn (nothing outside the database refers to them).
        db.compact(dst, n == 1 ? Xapian::DBCOMPACT_NO_RENUMBER : 0, 0, m);
        return ATT_OK;
    });
}

/* ---- building documents ---- */

att_xgen *att_xgen_new(void)
{
    try {
        att_xgen *g = new att_xgen;
        g->tg.set_stemmer(Xapian::Stem("english"));
        g->tg.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL);
        return g;
    } catch (...) {
        return nullptr;
    }
}

void att_xgen_free(att_xgen *g)
{
    delete g;
}

int att_xwdb_add_spelling(att_xwdb *w, att_xgen *g, att_err *err)
{
    return guard(err, [&]() -> int {
        for (const auto &kv : g->spell)
            w->db.add_spelling(kv.first, kv.second);
        g->spell.clear();
        return ATT_OK;
    });
}

size_t att_xgen_spelling_words(const att_xgen *g)
{
    return g->spell.size();
}

att_xdoc *att_xdoc_new(att_xgen *g)
{
    try {
        att_xdoc *d = new att_xdoc;
        d->g = g;
        return d;
    } catch (...) {
        return nullptr;
    }
}

void att_xdoc_free(att_xdoc *d)
{
    delete d;
}

int att_xdoc_text(att_xdoc *d, const char *prefix, const char *text, size_t len,
                  unsigned wdf_inc, unsigned flags, att_err *err)
{
    return guard(err, [&]() -> int {
        Xapian::TermGenerator &tg = d->g->tg;
        tg.set_document(d->doc);
        tg.set_termpos(d->pos);
        if (flags & ATT_XT_SPELLING)
            count_words(d->g, text, len);
        tg.index_text(Xapian::Utf8Iterator(text, len), wdf_inc, prefix);
        d->pos = tg.get_termpos() + 100;
        return ATT_OK;
    });
}

int att_xdoc_term(att_xdoc *d, const char *term, size_t len, att_err *err)
{
    if (len == 0 || len > TERM_MAX)
        return att_err_set(err, ATT_E_TOOBIG, "term of %zu bytes (1..%u allowed)", len,
                           TERM_MAX);
    return guard(err, [&]() -> int {
        d->doc.add_boolean_term(std::string(term, len));
        return ATT_OK;
    });
}

int att_xdoc_value(att_xdoc *d, unsigned slot, const char *val, size_t len, att_err *err)
{
    return guard(err, [&]() -> int {
        d->doc.add_value(slot, std::string(val, len));
        return ATT_OK;
    });
}

int att_xdoc_data(att_xdoc *d, const char *data, size_t len, att_err *err)
{
    return guard(err, [&]() -> int {
        d->doc.set_data(std::string(data, len));
        return ATT_OK;
    });
}

/* ---- reading ---- */

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
        // A local source must open (a wrong path is a mistake to report);
        // a remote one may be out for now and join later.
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
                                               missing_text(x.get()));
        combine(x.get());
        *out = x.release();
        return ATT_OK;
    });
}

void att_xdb_sources(att_xdb *x, att_xdb_source *out, size_t max, size_t *n)
{
    *n = 0;
    for (auto &s : x->sources) {
        if (*n == max)
            break;
        att_xdb_source &o = out[(*n)++];
        std::memset(&o, 0, sizeof o);
        o.spec = s.spec.c_str();
        o.remote = s.port != 0;
        o.up = s.up;
        try {
            for (auto &d : s.dbs) {
                std::string r = d.get_metadata(ATT_META_REVISION);
                o.revision += r.empty() ? 0 : std::strtoull(r.c_str(), nullptr, 10);
                o.passages += d.get_doccount();
            }
        } catch (const Xapian::Error &e) {
            o.up = false;
            std::snprintf(o.error, sizeof o.error, "%s", describe(e).c_str());
            continue;
        }
        if (!s.up)
            std::snprintf(o.error, sizeof o.error, "%s", s.error.c_str());
    }
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
        for (auto &s : x->sources) {
            if (!s.up && now < s.retry_at)
                continue;
            if (s.up && (s.port != 0 || read_stub(s.spec) == s.stub))
                continue;
            // Out and due for a try, or a rebuild swapped in another
            // generation: open it afresh.
            try {
                att_source fresh = s;
                open_source(fresh, x->opts);
                s = std::move(fresh);
                moved = true;
            } catch (const Xapian::Error &e) {
                if (s.port == 0 && x->sources.size() == 1)
                    throw; // the one local index: the caller reports it
                moved = moved || s.up;
                source_down(s, describe(e), x->opts);
            }
        }
        if (moved)
            combine(x);
        try {
            moved = x->db.reopen() || moved;
        } catch (const Xapian::NetworkError &) {
            reconnect_remotes(x);
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
        for (auto &s : x->shards) {
            std::string r = s.get_metadata("attache:revision");
            info->revision += r.empty() ? 0 : std::strtoull(r.c_str(), nullptr, 10);
        }
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
        return copy_out(v, val, vlen, err);
    });
}

int att_xdb_each_meta(att_xdb *x, const char *prefix, size_t plen, att_meta_fn fn, void *ud,
                      att_err *err)
{
    // Xapian lists only the first database's metadata of several.
    for (auto &s : x->shards) {
        int rc = each_meta(s, prefix, plen, fn, ud, err);
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
            const std::string data = x->db.get_document(*p).get_data();
            int rc = fn(ud, *p, data.data(), data.size());
            if (rc != 0)
                return rc;
        }
        return ATT_OK;
    });
}

size_t att_sortable(double v, char *out)
{
    std::string s = Xapian::sortable_serialise(v);
    std::memcpy(out, s.data(), s.size());
    return s.size();
}


} // extern "C"

/* ---- searching ---- */

struct att_xquery {
    Xapian::Stem stem{"english"};
    std::set<std::string> body;   // unprefixed terms of the query
    std::set<std::string> quote;  // XQ terms, prefix removed
    std::vector<std::string> wildcards;          // "soyb" for soyb*, lower-cased
};

namespace {

// "YYYY[-MM[-DD]]" to the date slot's "YYYYMMDD" ("" when s is not a
// date). As an end of a range, unknown parts become "99" so that a year
// or month includes all its days.
std::string date_bound(const std::string &s, bool end)
{
    char out[9];
    if (!att_date_slot(s.c_str(), out))
        return "";
    std::string v(out, 8);
    if (end && s.size() == 4)
        v.replace(4, 4, "9999");
    else if (end && s.size() == 7)
        v.replace(6, 2, "99");
    return v;
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

// Counts of one value slot (or its first n bytes) over the match set.
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

// Call fn(b, star, lower) for each "word*" in q[0..len): the word starts
// at b, its '*' is at star, lower is the word lower-cased.
template <typename F> void each_wildcard(const char *q, size_t len, F &&fn)
{
    for (size_t i = 0; i < len; i++) {
        if (q[i] != '*')
            continue;
        size_t b = i;
        while (b > 0 && ((unsigned char)q[b - 1] >= 0x80 || std::isalnum((unsigned char)q[b - 1])))
            b--;
        if (b == i)
            continue;
        std::string lower;
        for (Xapian::Utf8Iterator it(q + b, i - b); it != Xapian::Utf8Iterator(); ++it)
            Xapian::Unicode::append_utf8(lower, Xapian::Unicode::tolower(*it));
        fn(b, i, lower);
    }
}

// The index holds stems, so a wildcard matches the beginnings of stems:
// "emancipat*" would find nothing, as "emancipation" is indexed as
// "emancip". Each word* becomes its stem* ("emancip*", "presid*" for
// "president*", "happi*" for "happy*"), when the stem keeps 3 letters.
std::string stem_wildcards(const std::string &q)
{
    thread_local Xapian::Stem stem("english"); // a Stem keeps state: one per thread
    std::string out;
    size_t done = 0;
    each_wildcard(q.data(), q.size(), [&](size_t b, size_t star, const std::string &lower) {
        std::string st = stem(lower);
        if (st.size() >= 3 && st != lower) {
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
    qp.set_database(db);
    qp.set_stemmer(Xapian::Stem("english"));
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_ALL);
    qp.set_default_op(s->match == ATT_MATCH_ANY ? Xapian::Query::OP_OR : Xapian::Query::OP_AND);
    qp.set_stopper(&stopper());
    qp.add_prefix("", "");
    qp.add_prefix("", ATT_P_TITLE); // plain words also match titles
    qp.add_prefix("title", ATT_P_TITLE);
    qp.add_prefix("quote", ATT_P_QUOTE);
    qp.add_prefix("speaker", ATT_P_SPEAKER);
    qp.add_boolean_prefix("source", ATT_P_SOURCE);
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
    return qp.parse_query(stem_wildcards(q), flags);
}

Xapian::Query with_filters(Xapian::Query q, const att_search *s)
{
    std::vector<Xapian::Query> f;
    if (s->source && *s->source)
        f.emplace_back(term_for(ATT_P_SOURCE, s->source, true));
    if (s->speaker && *s->speaker)
        f.emplace_back(term_for(ATT_P_SPK, s->speaker, true));
    if (s->doc && *s->doc)
        f.emplace_back(term_for(ATT_P_DOC, s->doc, false));
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

char *dup_c(const std::string &v)
{
    char *p = static_cast<char *>(std::malloc(v.size() + 1));
    if (p == nullptr)
        throw std::bad_alloc();
    std::memcpy(p, v.data(), v.size());
    p[v.size()] = '\0';
    return p;
}

// The counts of a facet, most frequent first, each value cut to its first
// n bytes (0: whole) and those that then agree added up: a year from the
// date slot's YYYYMMDD. (Xapian's own ValueCountMatchSpy does the
// counting, as it is the one remote databases can run.)
void take_counts(const Xapian::ValueCountMatchSpy &c, size_t n_bytes, att_count **out,
                 size_t *n)
{
    std::map<std::string, uint32_t> sums;
    for (auto t = c.values_begin(); t != c.values_end(); ++t) {
        const std::string &v = *t;
        if (!v.empty())
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

void collect_terms(att_xquery *xq, const Xapian::Query &q)
{
    for (auto t = q.get_unique_terms_begin(); t != q.get_unique_terms_end(); ++t) {
        const std::string &term = *t;
        if (term.compare(0, 2, ATT_P_QUOTE) == 0)
            xq->quote.insert(term.substr(2));
        else if (!term.empty() && !(term[0] >= 'A' && term[0] <= 'Z'))
            xq->body.insert(term);
    }
}

// The stems of "word*" patterns in q, lower-cased: a word of a hit that
// starts with one of them was matched through the wildcard's expansion.
void collect_wildcards(att_xquery *xq, const char *q, size_t len)
{
    each_wildcard(q, len, [&](size_t, size_t, const std::string &lower) {
        xq->wildcards.push_back(lower);
    });
}

uint64_t revision_of(att_xdb *x)
{
    uint64_t rev = 0;
    for (auto &s : x->shards) {
        std::string r = s.get_metadata(ATT_META_REVISION);
        rev += r.empty() ? 0 : std::strtoull(r.c_str(), nullptr, 10);
    }
    return rev;
}

// Offer a corrected query only when it finds more than the query did:
// Xapian corrects any word it does not know as typed, which with stemmed
// terms and the title field includes good words ("red line" became "re
// life").
void suggest(att_xdb *x, const att_search *s, const std::string &corrected, att_result *r)
{
    if (corrected.empty())
        return;
    Xapian::QueryParser qp;
    att_search plain = *s;
    plain.q = corrected.c_str();
    plain.qlen = corrected.size();
    plain.spelling = false;
    Xapian::Enquire enq(x->db);
    enq.set_query(with_filters(parse(&plain, x->db, qp), s));
    if (enq.get_mset(0, 1).get_matches_estimated() > r->estimate)
        r->spelling = dup_c(corrected);
}

// Facets of the whole match set of query, in a pass of their own that
// returns no hits: the spies then see each document once (with remote
// databases, the hits of a page were also counted a second time), and
// only the query that made the page (after auto's fallback) is counted.
void count_facets(att_xdb *x, const att_search *s, const Xapian::Query &query,
                  Xapian::doccount all, att_result *r)
{
    Xapian::ValueCountMatchSpy sources(ATT_SLOT_SOURCE), years(ATT_SLOT_DATE);
    Xapian::Enquire enq(x->db);
    enq.set_query(query);
    if (s->per_doc)
        enq.set_collapse_key(ATT_SLOT_DOC, s->per_doc);
    enq.add_matchspy(&sources);
    enq.add_matchspy(&years);
    enq.get_mset(0, 0, all);
    take_counts(sources, 0, &r->sources, &r->nsources);
    take_counts(years, 4, &r->years, &r->nyears);
}

// One attempt at the search; throws on any error.
void run_search(att_xdb *x, const att_search *s, att_result *r)
{
    Xapian::QueryParser qp;
    att_search plain = *s;
    plain.spelling = false;
    Xapian::Query query = with_filters(parse(&plain, x->db, qp), s);
    Xapian::Enquire enq(x->db);
    enq.set_query(query);
    if (s->per_doc)
        enq.set_collapse_key(ATT_SLOT_DOC, s->per_doc);
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
    Xapian::MSet m = enq.get_mset(s->offset, s->limit, s->facets ? all : s->offset + s->limit);
    if (s->match == ATT_MATCH_AUTO && m.get_matches_lower_bound() < s->limit &&
        s->q != nullptr && s->qlen > 0) {
        // Fewer passages than a page hold every word: rank those that hold
        // some. (Checked against the page size, not the offset, so every
        // page of one query makes the same choice.)
        Xapian::QueryParser any;
        att_search loose = plain;
        loose.match = ATT_MATCH_ANY;
        query = with_filters(parse(&loose, x->db, any), s);
        enq.set_query(query);
        m = enq.get_mset(s->offset, s->limit);
    }
    r->revision = revision_of(x);
    r->estimate = m.get_matches_estimated();
    r->lower = m.get_matches_lower_bound();
    r->upper = m.get_matches_upper_bound();
    r->query = new att_xquery;
    collect_terms(r->query, query);
    std::string wild = stem_wildcards(std::string(s->q ? s->q : "", s->q ? s->qlen : 0));
    collect_wildcards(r->query, wild.data(), wild.size());
    r->hits = static_cast<att_hit *>(std::calloc(m.size() + 1, sizeof *r->hits));
    if (r->hits == nullptr)
        throw std::bad_alloc();
    for (auto it = m.begin(); it != m.end(); ++it) {
        att_hit &h = r->hits[r->n];
        h.docid = *it;
        h.rank = it.get_rank() + 1;
        h.score = it.get_weight();
        std::string data = it.get_document().get_data();
        h.data = dup_c(data);
        h.len = data.size();
        r->n++;
    }
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

} // namespace

extern "C" {

void att_result_free(att_result *r)
{
    if (r == nullptr)
        return;
    for (size_t i = 0; r->hits && i < r->n; i++)
        std::free(r->hits[i].data);
    std::free(r->hits);
    for (size_t i = 0; i < r->nsources; i++)
        std::free(r->sources[i].value);
    for (size_t i = 0; i < r->nyears; i++)
        std::free(r->years[i].value);
    std::free(r->sources);
    std::free(r->years);
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
        for (int attempt = 0;; attempt++) {
            if (!all_up(x) && !x->opts.partial)
                return att_err_set(err, ATT_E_OPENING, "out of reach: %s",
                                   missing_text(x).c_str());
            if (x->shards.empty())
                return att_err_set(err, ATT_E_OPENING, "no database is in reach: %s",
                                   missing_text(x).c_str());
            try {
                try {
                    run_search(x, s, r);
                } catch (const Xapian::DatabaseModifiedError &) {
                    // The indexer committed twice during this search:
                    // catch up and try once more.
                    att_result_free(r);
                    x->db.reopen();
                    run_search(x, s, r);
                }
            } catch (const Xapian::NetworkError &) {
                // A remote source stopped answering, or a connection went
                // stale: connect again, leave out what does not answer,
                // and let the rule above decide, once.
                att_result_free(r);
                if (attempt > 0 || !any_remote_up(x))
                    throw;
                reconnect_remotes(x);
                continue;
            }
            break;
        }
        for (auto &src : x->sources) {
            if (src.up)
                continue;
            char **m = static_cast<char **>(
                std::realloc(r->missing, (r->nmissing + 1) * sizeof *r->missing));
            if (m == nullptr)
                throw std::bad_alloc();
            r->missing = m;
            r->missing[r->nmissing] = dup_c(src.spec);
            r->nmissing++;
        }
        return ATT_OK;
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

// Lower-case word into out (ASCII quickly, the rest through Xapian's
// Unicode tables, as the term generator does).
static void lower_word(const char *word, size_t len, std::string &out)
{
    out.clear();
    bool ascii = true;
    for (size_t i = 0; i < len && ascii; i++)
        ascii = (unsigned char)word[i] < 0x80;
    if (ascii) {
        out.assign(word, len);
        for (char &c : out)
            c = (char)std::tolower((unsigned char)c);
        return;
    }
    for (Xapian::Utf8Iterator it(word, len); it != Xapian::Utf8Iterator(); ++it)
        Xapian::Unicode::append_utf8(out, Xapian::Unicode::tolower(*it));
}

// True when some term in set could be the stem of lower: a stem keeps
// the first letters of its word (at most its last one changes, as in
// happy/happi), so comparing min(3, |term|) leading bytes rules out most
// words without running the stemmer.
static bool may_stem_to(const std::string &lower, const std::set<std::string> &set)
{
    for (const std::string &t : set) {
        size_t n = std::min<size_t>(3, t.size());
        if (lower.size() >= n && lower.compare(0, n, t, 0, n) == 0)
            return true;
    }
    return false;
}

extern "C" bool att_result_match(const att_result *r, size_t i, const char *word, size_t len,
                                 bool in_quote)
{
    try {
        const att_xquery *q = r->query;
        if (q == nullptr)
            return false;
        static thread_local std::string lower;
        lower_word(word, len, lower);
        (void)i;
        for (const std::string &w : q->wildcards) {
            if (lower.compare(0, w.size(), w) == 0)
                return true;
        }
        if (!may_stem_to(lower, q->body) && !(in_quote && may_stem_to(lower, q->quote)))
            return false;
        std::string stem = q->stem(lower);
        return q->body.count(stem) || (in_quote && q->quote.count(stem));
    } catch (...) {
        return false;
    }
}

struct get_entry {
    unsigned n;
    std::string data;
};

int att_xdb_get(att_xdb *x, const char *doc_id, long passage, att_doc_fn fn, void *ud,
                att_err *err)
{
    return guard(err, [&]() -> int {
        std::string t = term_for(ATT_P_DOC, doc_id, false);
        std::vector<get_entry> v;
        for (auto p = x->db.postlist_begin(t); p != x->db.postlist_end(t); ++p) {
            Xapian::Document d = x->db.get_document(*p);
            unsigned n = (unsigned)Xapian::sortable_unserialise(d.get_value(ATT_SLOT_PASSAGE));
            if (passage < 0 || (long)n == passage)
                v.push_back({n, d.get_data()});
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

uint64_t att_xdb_revision(att_xdb *x)
{
    try {
        return revision_of(x);
    } catch (...) {
        return 0;
    }
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

} // extern "C"
