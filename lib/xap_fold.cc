// attache: the shim's stemmers (see xap_fold.h): a Xapian::StemImplementation
// around Xapian's own stemmer that folds accents out of its stems.
#include "xap_fold.h"

#include <cctype>
#include <vector>

extern "C" {
#include "fold.h"
#include "terms.h"
}

namespace {

// Stemming first and folding after keeps the stemmers' rules that need the
// accents: French "nationalité"/"nationalités" stem to "national" only
// with their é, Spanish "negociación"/"negociaciones" to "negoci" only
// with their ó.
class FoldStem : public Xapian::StemImplementation {
  public:
    explicit FoldStem(const std::string &name) : inner(name), name(name) {}

    std::string operator()(const std::string &word) override
    {
        if (!att_fold_needed(word.data(), word.size())) {
            std::string st = inner(word);
            if (att_fold_needed(st.data(), st.size())) // no stemmer does this: in case
                return xap::fold(st);
            return st;
        }
        std::string w = word;
        // ё (D1 91) and Ё (D0 81) as е (D0 B5) and Е (D0 95): same length.
        for (size_t i = 0; i + 1 < w.size(); i++) {
            if (w[i] == '\xD1' && w[i + 1] == '\x91') {
                w[i] = '\xD0';
                w[i + 1] = '\xB5';
            } else if (w[i] == '\xD0' && w[i + 1] == '\x81') {
                w[i + 1] = '\x95';
            }
        }
        std::string f = xap::fold(inner(w));
        return f.empty() ? w : f;
    }

    std::string get_description() const override { return "attache-folded " + name; }

  private:
    Xapian::Stem inner;
    std::string name;
};

} // namespace

namespace xap {

std::string fold(const std::string &s)
{
    if (!att_fold_needed(s.data(), s.size()))
        return s;
    std::vector<char> out(s.size() + 1);
    return std::string(out.data(), att_fold(out.data(), s.data(), s.size()));
}

std::string stemmer_name(const char *code)
{
    char c[3] = {0, 0, 0};
    for (size_t i = 0; code != nullptr && i < 2 && code[i] != '\0'; i++)
        c[i] = (char)std::tolower((unsigned char)code[i]);
    bool two = c[1] != '\0' && (code[2] == '\0' || code[2] == '-' || code[2] == '_');
    const char *name = two ? att_lang_stemmer(c) : nullptr;
    return name != nullptr ? name : ATT_STEMMER;
}

Xapian::Stem stemmer(const char *code)
{
    return Xapian::Stem(new FoldStem(stemmer_name(code)));
}

bool stems_keep_start(const char *code)
{
    std::string n = stemmer_name(code);
    return n != "arabic" && n != "indonesian" && n != "irish" && n != "tamil";
}

} // namespace xap
