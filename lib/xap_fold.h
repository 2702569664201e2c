// attache: the shim's stemmers (C++ only): Xapian's stemmer of a language
// with its stems accent-folded by att_fold (lib/fold.h), the one stemmer
// of documents, queries, wildcards and highlighting alike.
#ifndef ATT_XAP_FOLD_H
#define ATT_XAP_FOLD_H

#include <xapian.h>

#include <string>

namespace xap {

// s folded by att_fold (s itself when pure ASCII).
std::string fold(const std::string &s);

// The name of Xapian's stemmer attache uses for the language code: its
// own (att_lang_stemmer; "fr", "FR", "fr-CA" and "fr_CA" alike) or, for
// NULL, "" and a language without one (zh, ja, pl, ...), English, the
// stemmer of queries without a language, so that both sides agree.
std::string stemmer_name(const char *code);

// A stemmer for the language code (as stemmer_name): a word's stem, after
// Cyrillic ё is read as е (the Russian stemmer knows only е), folded. Its
// terms are those of the index. A Stem keeps state: one per thread.
Xapian::Stem stemmer(const char *code);

// Whether the stems of that language begin as their words do (English,
// French, Russian, ...); not those that strip prefixes (Arabic "ال",
// Indonesian, Irish, Tamil).
bool stems_keep_start(const char *code);

} // namespace xap

#endif
