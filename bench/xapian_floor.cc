// bench/xapian_floor: the raw-Xapian floor under attache-index. Reads the
// same files, cuts the same passages (with libattache's splitter), and
// indexes each passage with nothing but a TermGenerator (English stemmer,
// positions) and add_document, one commit at the end. Benchmark tool only.
//
// Usage: xapian_floor [--stem some|all] DBDIR (FILE... | --files LISTFILE)
// (--files: the file names one per line, for corpora too big for argv).
#include <xapian.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

extern "C" {
#include "attache/doc.h"
#include "attache/text.h"
}

int main(int argc, char **argv)
{
    auto strategy = Xapian::TermGenerator::STEM_SOME;
    int i = 1;
    if (argc > 2 && std::strcmp(argv[1], "--stem") == 0) {
        strategy = std::strcmp(argv[2], "all") == 0 ? Xapian::TermGenerator::STEM_ALL
                                                    : Xapian::TermGenerator::STEM_SOME;
        i = 3;
    }
    if (argc - i < 2) {
        std::cerr << "usage: xapian_floor [--stem some|all] DBDIR (FILE... | --files LISTFILE)\n";
        return 2;
    }
    std::vector<std::string> files;
    if (argc - i == 3 && std::strcmp(argv[i + 1], "--files") == 0) {
        std::ifstream list(argv[i + 2]);
        if (!list) {
            std::cerr << "xapian_floor: cannot read " << argv[i + 2] << "\n";
            return 2;
        }
        for (std::string line; std::getline(list, line);) {
            if (!line.empty())
                files.push_back(line);
        }
    } else {
        files.assign(argv + i + 1, argv + argc);
    }
    auto t0 = std::chrono::steady_clock::now();
    try {
        Xapian::WritableDatabase db(argv[i], Xapian::DB_CREATE_OR_OVERWRITE);
        Xapian::TermGenerator tg;
        tg.set_stemmer(Xapian::Stem("english"));
        tg.set_stemming_strategy(strategy);
        unsigned long passages = 0;
        for (const std::string &f : files) {
            std::ifstream in(f, std::ios::binary);
            std::ostringstream ss;
            ss << in.rdbuf();
            std::string raw = ss.str();
            struct att_doc d;
            att_doc_init(&d); // the text attache indexes: header block apart
            if (att_read_txt(raw.data(), raw.size(), &d, nullptr) != ATT_OK)
                return 1;
            std::string body(d.body, d.body_len);
            att_doc_clear(&d);
            struct att_spans ps = {nullptr, 0, 0};
            if (att_passages(body.data(), body.size(), nullptr, &ps, nullptr) != ATT_OK)
                return 1;
            for (size_t p = 0; p < ps.n; p++) {
                Xapian::Document doc;
                tg.set_document(doc);
                tg.index_text(body.substr(ps.v[p].start, ps.v[p].end - ps.v[p].start));
                doc.set_data(body.substr(ps.v[p].start, ps.v[p].end - ps.v[p].start));
                db.add_document(doc);
                passages++;
            }
            att_spans_free(&ps);
        }
        db.commit();
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("{\"passages\":%lu,\"seconds\":%.3f}\n", passages, s);
    } catch (const Xapian::Error &e) {
        std::cerr << e.get_description() << "\n";
        return 1;
    }
    return 0;
}
