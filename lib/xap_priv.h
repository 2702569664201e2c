// attache: what the files of the Xapian shim (lib/xap_*.cc) share: the
// handle structs behind include/attache/index.h, and guard(), through
// which every extern "C" entry point runs so that no exception leaves it.
#ifndef ATT_XAP_PRIV_H
#define ATT_XAP_PRIV_H

#include <xapian.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

extern "C" {
#include "attache/index.h"
#include "shingle.h"
#include "stub.h"
#include "terms.h"
}

struct att_xwdb {
    Xapian::WritableDatabase db;
    bool in_tx = false;
};

namespace xap {

// Words counted for the spelling table: an open-addressed table of their
// hashes and counts, the words' bytes in one arena (a std::unordered_map
// of strings made the counting a fifth of the preparer's time).
class word_counts {
  public:
    // Count word w[0..n) once more.
    void add(const char *w, size_t n);
    size_t size() const { return used_; }
    // f(word, count) for each word counted, in no particular order.
    template <typename F> void each(F &&f) const
    {
        for (const slot &s : slots_) {
            if (s.count != 0)
                f(std::string(arena_, s.off, s.len), s.count);
        }
    }
    void clear();

  private:
    struct slot {
        uint64_t hash;
        uint32_t off, len;
        Xapian::termcount count;       // 0: the slot is free
    };
    std::vector<slot> slots_;          // a power of two, at most 3/4 used
    std::string arena_;
    size_t used_ = 0;
    void grow();
};

} // namespace xap

struct att_xgen {
    Xapian::TermGenerator tg;
    std::string stemmer;               // the name of tg's stemmer (xap_fold.h)
    // The stemmers tg was given, by name: each remembers its stems
    // (xap_doc.cc), across documents of other languages in between.
    std::map<std::string, Xapian::Stem> stems;
    // Words for the spelling table, counted here and handed to a writer
    // with att_xwdb_add_spelling(): one add_spelling() per distinct word
    // and batch instead of one per word (TermGenerator's FLAG_SPELLING made
    // the whole build ~1.6x slower).
    xap::word_counts spell;
};

struct att_xdoc {
    Xapian::Document doc;
    att_xgen *g;
    Xapian::termpos pos = 0;
    bool has_sig = false;              // att_xdoc_bands gave it sig
    att_sig sig{};
};

// One source of a reader: an index folder or a remote database.
struct att_source {
    std::string spec;                  // as given
    std::string host;                  // remote: tcp://HOST:PORT
    unsigned port = 0;                 // 0: local
    std::string stub;                  // local: what its stubs named when opened
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

// A phrase of a query: its terms in order, prefix removed, to be found
// as consecutive words.
struct att_xphrase {
    std::vector<std::string> terms;
    bool quote = false;                // quote:"..." (XQ terms)
};

// Expansion terms of a query: term -> (the query word it came from, the
// kind of expansion: "alias").
using att_xexpansions = std::map<std::string, std::pair<std::string, std::string>>;
struct att_xmatch; // what att_result_match learnt of a query (xap_match.cc)

// The parsed query of a result, for highlighting its hits.
struct att_xquery {
    Xapian::Stem stem;                 // the query's (xap::stemmer)
    bool keeps_start = true;           // xap::stems_keep_start
    std::set<std::string> body;        // unprefixed terms outside phrases
    std::set<std::string> quote;       // XQ terms outside phrases, prefix removed
    std::vector<std::string> wildcards; // "soyb" for soyb*, lower-cased, folded
    std::vector<att_xphrase> phrases;  // of the body, titles and quotations
    // The terms a query expansion added (after the user's own term, as
    // the later subqueries of an OP_SYNONYM): term as indexed -> (the
    // query word it came from, its kind: "alias", "wordnet"). Filled by
    // the query's builder (xap::note_expansion); read by explain, which
    // without an entry still reports the term, of no known kind.
    std::map<std::string, std::pair<std::string, std::string>> expansions;
    mutable std::shared_ptr<att_xmatch> seen; // made by the first att_result_match
};

namespace xap {

// An index written in another layout (attache:format) than this attache's.
struct version_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// "Type: message (context): system error", e.g. "DatabaseError: Error
// writing block 510: No space left on device".
inline std::string describe(const Xapian::Error &e)
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

inline int fail(att_err *err, int code, const Xapian::Error &e)
{
    return att_err_set(err, code, "%s", describe(e).c_str());
}

// Run f (returning a status), mapping every exception it throws to a
// status and message in err.
template <typename F> int guard(att_err *err, F &&f) noexcept
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
    } catch (const version_error &e) {
        return att_err_set(err, ATT_E_VERSION, "%s", e.what());
    } catch (const std::bad_alloc &) {
        return att_err_set(err, ATT_E_NOMEM, "out of memory");
    } catch (const std::exception &e) {
        return att_err_set(err, ATT_E_INTERNAL, "unexpected exception: %s", e.what());
    } catch (...) {
        return att_err_set(err, ATT_E_INTERNAL, "unexpected C++ exception");
    }
}

// For the entry points with no status to return: f's value, or fallback
// when it throws anything.
template <typename T, typename F> T guard_value(T fallback, F &&f) noexcept
{
    try {
        return f();
    } catch (...) {
        return fallback;
    }
}

// A malloc'd NUL-terminated copy of s for the C side.
inline int copy_out(const std::string &s, char **val, size_t *vlen, att_err *err)
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

// As copy_out, throwing std::bad_alloc when out of memory.
char *dup_c(const std::string &v);

// Throw version_error when db was written in another layout than this
// attache's (attache:format); a database without the key (one attache
// never committed to) is taken as this layout. (xap_read.cc)
void check_format(const Xapian::Database &db);

// The attache:revision of each of dbs, summed: the revision readers of
// them as one see. (xap_read.cc)
uint64_t revision_sum(const std::vector<Xapian::Database> &dbs);

// Call fn for each metadata key of db starting with prefix (see
// att_xwdb_each_meta). (xap_read.cc)
int each_meta(const Xapian::Database &db, const char *prefix, size_t plen, att_meta_fn fn,
              void *ud, att_err *err);

// The sources of a reader (xap_read.cc): whether all are up, whether a
// remote one is, and those out as "SPEC (why); ..." for a message.
bool all_up(const att_xdb *x);
bool any_remote_up(const att_xdb *x);
std::string missing_text(const att_xdb *x);

// After a network error: connect afresh to every remote source that is
// up, and take out those that do not answer. (xap_read.cc)
void reconnect_remotes(att_xdb *x);

// The terms of q into xq for highlighting: its phrases (of the body,
// titles and quotations, words in a row), and the other terms of the
// body and quotations. (xap_match.cc)
void collect_terms(att_xquery *xq, const Xapian::Query &q);

// The query string of s parsed by qp over db: words stemmed for s->lang
// and accent-folded, "word*" wildcards, date ranges, field prefixes, the
// English stop list, s->match as the default operator. (xap_query.cc)
Xapian::Query parse(const att_search *s, Xapian::Database &db, Xapian::QueryParser &qp);

// q filtered by the request's filters (source, speaker, author, actor,
// language, doc, dates). (xap_query.cc)
Xapian::Query with_filters(Xapian::Query q, const att_search *s);

// q with the words of s->q that name an actor of s->actors expanded to
// its other names (xap_expand.cc); each expansion term into *seen (may be
// NULL). q itself when there is nothing to expand.
Xapian::Query expand(const Xapian::Query &q, const att_search *s, att_xexpansions *seen);

// q with each "word*" made "stem*" in the stemmer of lang. (xap_query.cc)
std::string stem_wildcards(const std::string &q, const char *lang);

// The stems of q's "word*" patterns into xq->wildcards. (xap_query.cc)
void collect_wildcards(att_xquery *xq, const char *q, size_t len);

// The boolean term prefix + val, folded (lower-cased) first when fold is
// set, hashed when too long (att_term). (xap_query.cc)
std::string term_for(const char *prefix, const char *val, bool fold);

// Record in xq that term (as indexed, prefix included) was added to the
// query as an expansion of word, of kind ("alias", "wordnet").
// (xap_explain.cc)
void note_expansion(att_xquery *xq, const std::string &term, const std::string &word,
                    const std::string &kind);

// One index term of an explained part (xap_explain.cc).
struct explain_term {
    std::string term;                  // prefix removed
    const char *where;                 // static: "body", "title", ... (where_of)
    bool expansion = false;            // added by an expansion, not the user's own
    std::string from;                  // expansion: the query word it came from
    std::string kind;                  // expansion: its kind, "" when unknown
};

// One weighted part of a query that matched a document, and its share of
// the document's score.
struct explain_part {
    const char *where;                 // static: a term's place, or "phrase"
    std::vector<std::string> words;    // the query words it came from
    std::vector<explain_term> terms;   // its terms that matched the document
    double weight = 0;
};

// The parts of query that match document did of db and add to its score
// (weight > 0), heaviest first, each weighed by Xapian on its own
// (Enquire's default BM25 over db, as att_xdb_search ranks): for OR and
// AND queries they add up to the document's score. did must match query
// for that. qp (may be NULL) gives the words as typed (unstem);
// expansions (may be NULL) name the terms expansions added. Throws
// Xapian::Error. (xap_explain.cc)
std::vector<explain_part> explain_doc(const Xapian::Database &db, const Xapian::Query &query,
                                      Xapian::docid did, const Xapian::QueryParser *qp,
                                      const decltype(att_xquery::expansions) *expansions);

// With s->explain: r->explain, one per hit of r, for query, the query
// that found them. Throws. (xap_explain.cc)
void explain_hits(att_xdb *x, const att_search *s, const Xapian::Query &query, att_result *r);

// Free r->explain (of r->n hits) and set it to NULL. (xap_explain.cc)
void explain_free(att_result *r);

// Passage records (lib/record.h) as stored (xap_record.cc): packed for
// Xapian's document data, and the plain record back (throws
// DatabaseCorruptError on a damaged frame).
std::string pack_record(const char *data, size_t len);
void unpack_record(std::string &data);
std::string record_of(const Xapian::Document &d);

} // namespace xap

#endif
