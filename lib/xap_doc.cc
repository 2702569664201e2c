// attache: the Xapian shim's document builder: att_xgen (terms from text,
// stemmed for the document's language and accent-folded, words counted for
// the spelling table), att_xdoc, and value encodings.
#include "xap_fold.h"
#include "xap_priv.h"

using xap::guard;

namespace {

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

att_xgen *att_xgen_new(void)
{
    return xap::guard_value<att_xgen *>(nullptr, []() {
        att_xgen *g = new att_xgen;
        g->stemmer = xap::stemmer_name(nullptr);
        g->tg.set_stemmer(xap::stemmer(nullptr));
        g->tg.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL);
        return g;
    });
}

void att_xgen_free(att_xgen *g)
{
    delete g;
}

int att_xgen_set_language(att_xgen *g, const char *code, att_err *err)
{
    return guard(err, [&]() -> int {
        std::string name = xap::stemmer_name(code);
        if (name != g->stemmer) {
            g->tg.set_stemmer(xap::stemmer(code));
            g->stemmer = name;
        }
        return ATT_OK;
    });
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
    return xap::guard_value<att_xdoc *>(nullptr, [&]() {
        att_xdoc *d = new att_xdoc;
        d->g = g;
        return d;
    });
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
        // Let go of the document: its reference count is not atomic, and a
        // writer thread adds it to a database while this generator builds
        // the next one (holding it, set_document would count it down then).
        tg.set_document(Xapian::Document());
        return ATT_OK;
    });
}

int att_xdoc_term(att_xdoc *d, const char *term, size_t len, att_err *err)
{
    if (len == 0 || len > ATT_TERM_MAX)
        return att_err_set(err, ATT_E_TOOBIG, "term of %zu bytes (1..%u allowed)", len,
                           (unsigned)ATT_TERM_MAX);
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
        d->doc.set_data(xap::pack_record(data, len));
        return ATT_OK;
    });
}

size_t att_sortable(double v, char *out)
{
    return xap::guard_value<size_t>(0, [&]() {
        std::string s = Xapian::sortable_serialise(v);
        std::memcpy(out, s.data(), s.size());
        return s.size();
    });
}

} // extern "C"
