// attache: the Xapian shim's document builder: att_xgen (terms from text,
// stemmed for the document's language and accent-folded, words counted for
// the spelling table), att_xdoc, and value encodings.
#include <xxhash.h>

#include "xap_fold.h"
#include "xap_priv.h"

using xap::guard;

namespace {

// Words longer than this (in bytes, lower-cased) are not counted.
const size_t SPELL_MAX = 64;

// Per ASCII byte: itself lower-cased when Xapian takes it as part of a
// word, else 0 (from Xapian's own tables, so the two always agree).
struct ascii_words {
    char lower[128];
    ascii_words()
    {
        for (unsigned c = 0; c < 128; c++)
            lower[c] = Xapian::Unicode::is_wordchar(c) ? char(Xapian::Unicode::tolower(c)) : 0;
    }
};

const ascii_words ascii;

// A word being read: its bytes while it fits, its length in all.
struct word_buf {
    char v[SPELL_MAX];
    size_t n = 0;

    void add(const char *p, size_t k)
    {
        if (n + k <= SPELL_MAX)
            std::memcpy(v + n, p, k);
        n += k;
    }
    void end(xap::word_counts &out)
    {
        if (n != 0 && n <= SPELL_MAX)
            out.add(v, n);
        n = 0;
    }
};

// Count the words of text (lower-cased, as the query parser sees them):
// runs of Xapian's word characters; ASCII without decoding.
void count_words(att_xgen *w, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    word_buf word;
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x80) {
            p++;
            if (ascii.lower[c] != 0) {
                word.add(&ascii.lower[c], 1);
                continue;
            }
        } else {
            Xapian::Utf8Iterator it(p, size_t(end - p));
            unsigned ch = *it;
            p = (++it).raw();
            if (Xapian::Unicode::is_wordchar(ch)) {
                char u[4];
                word.add(u, Xapian::Unicode::to_utf8(Xapian::Unicode::tolower(ch), u));
                continue;
            }
        }
        word.end(w->spell);
    }
    word.end(w->spell);
}

// Stems one stemmer remembers at most (some 4 MB of English).
const size_t STEM_MEMO = size_t(1) << 16;

// The stemmer of xap::stemmer(code), remembering the stems it gave: a
// text asks for the same words again and again, and Snowball's stemmers
// took a fifth of the preparer's time. For one thread.
class memo_stem : public Xapian::StemImplementation {
  public:
    explicit memo_stem(const char *code) : inner(xap::stemmer(code)) {}

    std::string operator()(const std::string &word) override
    {
        auto it = memo.find(word);
        if (it != memo.end())
            return it->second;
        if (memo.size() >= STEM_MEMO)
            memo.clear();
        return memo.emplace(word, inner(word)).first->second;
    }

    std::string get_description() const override { return inner.get_description(); }

  private:
    Xapian::Stem inner;
    std::unordered_map<std::string, std::string> memo;
};

// g's stemmer for the language code, made at its first use.
const Xapian::Stem &stem_for(att_xgen *g, const char *code, const std::string &name)
{
    auto it = g->stems.find(name);
    if (it == g->stems.end())
        it = g->stems.emplace(name, Xapian::Stem(new memo_stem(code))).first;
    return it->second;
}

} // namespace

namespace xap {

void word_counts::add(const char *w, size_t n)
{
    if (4 * (used_ + 1) > 3 * slots_.size())
        grow();
    uint64_t h = XXH3_64bits(w, n);
    size_t mask = slots_.size() - 1;
    for (size_t i = size_t(h) & mask;; i = (i + 1) & mask) {
        slot &s = slots_[i];
        if (s.count == 0) {
            s = slot{h, uint32_t(arena_.size()), uint32_t(n), 1};
            arena_.append(w, n);
            used_++;
            return;
        }
        if (s.hash == h && s.len == n && arena_.compare(s.off, n, w, n) == 0) {
            s.count++;
            return;
        }
    }
}

void word_counts::grow()
{
    std::vector<slot> old(slots_.empty() ? 1024 : 2 * slots_.size());
    old.swap(slots_);
    size_t mask = slots_.size() - 1;
    for (const slot &s : old) {
        if (s.count == 0)
            continue;
        size_t i = size_t(s.hash) & mask;
        while (slots_[i].count != 0)
            i = (i + 1) & mask;
        slots_[i] = s;
    }
}

void word_counts::clear()
{
    std::vector<slot>().swap(slots_);
    std::string().swap(arena_);
    used_ = 0;
}

} // namespace xap

extern "C" {

att_xgen *att_xgen_new(void)
{
    return xap::guard_value<att_xgen *>(nullptr, []() {
        att_xgen *g = new att_xgen;
        g->stemmer = xap::stemmer_name(nullptr);
        g->tg.set_stemmer(stem_for(g, nullptr, g->stemmer));
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
            g->tg.set_stemmer(stem_for(g, code, name));
            g->stemmer = name;
        }
        return ATT_OK;
    });
}

int att_xwdb_add_spelling(att_xwdb *w, att_xgen *g, att_err *err)
{
    return guard(err, [&]() -> int {
        g->spell.each([&](const std::string &word, Xapian::termcount n) {
            w->db.add_spelling(word, n);
        });
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
