// attache: the Xapian shim's writer: att_xwdb_* (transactions, documents,
// metadata) and the merging and compaction of databases (att_xdb_merge).
#include <memory>

#include "xap_priv.h"

using xap::guard;

namespace {

// Stamp this attache's format on a database it has just created (no
// document, no format yet), so that every index and shard carries it even
// when nothing is ever committed to it.
void stamp_new(Xapian::WritableDatabase &db)
{
    if (db.get_lastdocid() != 0 || !db.get_metadata(ATT_META_FORMAT).empty())
        return;
    db.set_metadata(ATT_META_FORMAT, ATT_FORMAT_VERSION);
    db.commit();
}

// When several databases are merged, a metadata key they share keeps the
// first one's value, except the revision, which keeps the highest (a
// reader must never see it go back).
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

extern "C" {

int att_xwdb_open(const char *path, unsigned flags, att_xwdb **out, att_err *err)
{
    *out = nullptr;
    return guard(err, [&]() -> int {
        int action = (flags & ATT_XW_CREATE) ? Xapian::DB_CREATE_OR_OPEN : Xapian::DB_OPEN;
        std::unique_ptr<att_xwdb> w(new att_xwdb{Xapian::WritableDatabase(path, action), false});
        xap::check_format(w->db);
        if (flags & ATT_XW_CREATE)
            stamp_new(w->db);
        *out = w.release();
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
        return xap::copy_out(v, val, vlen, err);
    });
}

int att_xwdb_each_meta(att_xwdb *w, const char *prefix, size_t plen, att_meta_fn fn, void *ud,
                       att_err *err)
{
    return xap::each_meta(w->db, prefix, plen, fn, ud, err);
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
    return att_xdb_merge(&src, 1, dst, err);
}

int att_xdb_merge(const char *const *srcs, size_t n, const char *dst, att_err *err)
{
    return guard(err, [&]() -> int {
        Xapian::Database db;
        merger m;

        for (size_t i = 0; i < n; i++) {
            Xapian::Database src(srcs[i]);
            xap::check_format(src); // never carry an index of another format on
            db.add_database(src);
        }
        // One source keeps its document ids; several are renumbered in
        // turn (nothing outside the database refers to them).
        db.compact(dst, n == 1 ? Xapian::DBCOMPACT_NO_RENUMBER : 0, 0, m);
        return ATT_OK;
    });
}

} // extern "C"
