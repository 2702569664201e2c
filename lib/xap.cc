// attache: the only C++ in the project: the extern "C" API of
// include/attache/index.h over Xapian. Every entry point runs its body
// through guard(), which turns any exception into a status and message.
#include <xapian.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

extern "C" {
#include "attache/index.h"
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

struct att_xdb {
    std::string path;
    std::string stub;                  // the stub file's text when opened
    std::vector<Xapian::Database> shards;
    Xapian::Database db;               // all shards as one
};

namespace {

int fail(att_err *err, int code, const Xapian::Error &e)
{
    std::string m = e.get_type();
    m += ": ";
    m += e.get_msg();
    if (!e.get_context().empty())
        m += " (" + e.get_context() + ")";
    return att_err_set(err, code, "%s", m.c_str());
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
std::string read_stub(const std::string &path)
{
    std::ifstream in(path + "/XAPIANDB");
    std::ostringstream ss;
    if (!in)
        return "";
    ss << "+" << in.rdbuf();
    return ss.str();
}

// Open each database a stub names ("auto DIR" lines, relative to the
// stub's folder), or path itself when it holds no stub.
void open_shards(att_xdb *x)
{
    x->stub = read_stub(x->path);
    x->shards.clear();
    x->db = Xapian::Database();
    if (x->stub.empty()) {
        x->shards.emplace_back(x->path);
    } else {
        std::istringstream lines(x->stub.substr(1));
        std::string kind, where;
        while (lines >> kind >> where) {
            if (where[0] != '/')
                where = x->path + "/" + where;
            x->shards.emplace_back(where);
        }
        if (x->shards.empty())
            throw Xapian::DatabaseOpeningError("empty stub file: " + x->path + "/XAPIANDB");
    }
    for (auto &s : x->shards)
        x->db.add_database(s);
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

int att_xdb_compact(const char *src, const char *dst, att_err *err)
{
    return guard(err, [&]() -> int {
        Xapian::Database db(src);
        db.compact(dst, Xapian::DBCOMPACT_NO_RENUMBER);
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
    *out = nullptr;
    return guard(err, [&]() -> int {
        att_xdb *x = new att_xdb;
        x->path = path;
        try {
            open_shards(x);
        } catch (...) {
            delete x;
            throw;
        }
        *out = x;
        return ATT_OK;
    });
}

void att_xdb_close(att_xdb *db)
{
    delete db;
}

int att_xdb_reopen(att_xdb *x, bool *changed, att_err *err)
{
    return guard(err, [&]() -> int {
        bool moved;
        if (read_stub(x->path) != x->stub) {
            // A rebuild swapped in another database: open it afresh.
            att_xdb fresh;
            fresh.path = x->path;
            open_shards(&fresh);
            x->stub = fresh.stub;
            x->shards = fresh.shards;
            x->db = fresh.db;
            moved = true;
        } else {
            moved = x->db.reopen();
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
        for (auto &s : x->shards) {
            std::string r = s.get_metadata("attache:revision");
            info->revision += r.empty() ? 0 : std::strtoull(r.c_str(), nullptr, 10);
        }
        if (count_terms) {
            for (auto t = x->db.allterms_begin(); t != x->db.allterms_end(); ++t)
                info->terms++;
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
    return each_meta(x->db, prefix, plen, fn, ud, err);
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
