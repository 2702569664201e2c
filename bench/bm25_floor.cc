// bench/bm25_floor: a plain-BM25 baseline for the relevance set. Reads every
// passage of an attache index (document data: the passage record, lib/record.h),
// indexes the passage texts alone into a temporary Xapian database (removed at exit)
// (TermGenerator, English stemmer, STEM_SOME) and answers each query with
// QueryParser (OP_OR, English stemmer, STEM_SOME, a short stop list).
// Benchmark tool only.
//
// Usage: bm25_floor INDEX < QUERIES
// QUERIES: one query a line, "ID<TAB>QUERY". Output: the top 10 of each,
// one hit a line, "ID<TAB>RANK<TAB>DOC#N<TAB>TEXT" (the passage text with
// its white space runs made one space); a query without hits prints nothing.
// Exit status 0, 1 when the index cannot be read, 2 for bad usage.
#include <xapian.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "xap_priv.h"

extern "C" {
#include "record.h"
}

static const char *const STOP_WORDS[] = {
    "the", "a", "an", "of", "and", "or", "to", "in", "on", "for", "is", "are", "was",
    "were", "be", "by", "with", "as", "at", "that", "this", "it",
};

// The passage's "doc#n" key and its text, from attache's document data
// (a passage record, lib/record.h, as the shim stores it); false when the
// data is not a passage.
static bool passage(std::string data, std::string &key, std::string &text)
{
    att_rec r;
    att_err err;
    xap::unpack_record(data);
    if (att_rec_decode(data.data(), data.size(), &r, &err) != ATT_OK)
        return false;
    key = std::string(r.doc.p, r.doc.n) + "#" + std::to_string(r.n);
    text.assign(r.text.p, r.text.n);
    return true;
}

static std::string one_line(const std::string &s)
{
    std::string out;
    bool space = false;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            space = !out.empty();
            continue;
        }
        if (space)
            out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// Copy every passage of the attache index into `plain`, text only.
static unsigned long copy_passages(const char *index, Xapian::WritableDatabase &plain)
{
    Xapian::Database src(index);
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("english"));
    tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
    unsigned long n = 0;
    for (Xapian::PostingIterator it = src.postlist_begin(""); it != src.postlist_end(""); ++it) {
        std::string key, text;
        if (!passage(src.get_document(*it).get_data(), key, text))
            continue;
        Xapian::Document d;
        tg.set_document(d);
        tg.index_text(text);
        d.set_data(key + "\t" + one_line(text));
        plain.add_document(d);
        n++;
    }
    plain.commit();
    return n;
}

static int run(const char *index, const std::string &tmp);

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::cerr << "usage: bm25_floor INDEX < QUERIES (one \"ID<TAB>QUERY\" a line)\n";
        return 2;
    }
    const char *base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/bm25_floor.XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr) {
        std::cerr << "bm25_floor: cannot create a temporary folder in " << tmpl << "\n";
        return 1;
    }
    int rc = run(argv[1], buf.data());
    std::error_code ec;
    std::filesystem::remove_all(buf.data(), ec);
    return rc;
}

// Build the plain database in `tmp`, then answer the queries on stdin.
static int run(const char *index, const std::string &tmp)
{
    try {
        Xapian::WritableDatabase plain(tmp, Xapian::DB_CREATE_OR_OVERWRITE);
        if (copy_passages(index, plain) == 0) {
            std::cerr << "bm25_floor: no passages in " << index << "\n";
            return 1;
        }
        Xapian::SimpleStopper stopper;
        for (const char *w : STOP_WORDS)
            stopper.add(w);
        Xapian::QueryParser qp;
        qp.set_database(plain);
        qp.set_stemmer(Xapian::Stem("english"));
        qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        qp.set_stopper(&stopper);
        qp.set_default_op(Xapian::Query::OP_OR);
        Xapian::Enquire enq(plain);
        std::string line;
        while (std::getline(std::cin, line)) {
            size_t tab = line.find('\t');
            if (tab == std::string::npos)
                continue;
            std::string id = line.substr(0, tab);
            Xapian::Query q;
            try {
                q = qp.parse_query(line.substr(tab + 1), Xapian::QueryParser::FLAG_DEFAULT);
            } catch (const Xapian::QueryParserError &) {
                continue; // an unparsable query has no hits
            }
            enq.set_query(q);
            Xapian::MSet m = enq.get_mset(0, 10);
            unsigned rank = 1;
            for (Xapian::MSetIterator h = m.begin(); h != m.end(); ++h, ++rank)
                std::cout << id << "\t" << rank << "\t" << h.get_document().get_data() << "\n";
        }
    } catch (const Xapian::Error &e) {
        std::cerr << "bm25_floor: " << e.get_description() << "\n";
        return 1;
    }
    return 0;
}
