// attache: the Xapian shim's copier: compacted copies of several live
// databases read at one moment (att_xdb_copy), for attache-index --snapshot.
#include "xap_priv.h"

using xap::guard;

extern "C" {

int att_xdb_copy(const char *const *srcs, size_t n, const char *const *dsts, att_err *err)
{
    return guard(err, [&]() -> int {
        std::vector<Xapian::Database> dbs;

        // Open them all before copying any: each handle stays at the
        // revision it opened, so the copies are of one moment however long
        // the compaction of the first one takes.
        for (size_t i = 0; i < n; i++) {
            dbs.emplace_back(srcs[i]);
            xap::check_format(dbs.back());
        }
        for (size_t i = 0; i < n; i++)
            dbs[i].compact(dsts[i], Xapian::DBCOMPACT_NO_RENUMBER);
        return ATT_OK;
    });
}

} // extern "C"
