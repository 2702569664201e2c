// bench/query_floor: the raw-Xapian floor under attached's searches: the
// same queries, parsed the same way, run in-process on T threads (each
// with its own Database), top 10 with their stored data read; optionally
// with Xapian's own MSet::snippet. Benchmark tool only.
//
// Usage: query_floor DB QUERYFILE [-t THREADS] [-n QUERIES] [--snippet]
#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

using clk = std::chrono::steady_clock;

static std::vector<std::string> load(const char *path)
{
    std::ifstream in(path);
    std::vector<std::string> v;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        if (line[0] == '{') { // a JSON request: take its "q"
            size_t k = line.find("\"q\":\"");
            if (k == std::string::npos)
                continue;
            size_t e = line.find('"', k + 5);
            line = line.substr(k + 5, e - k - 5);
        }
        v.push_back(line);
    }
    return v;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        std::cerr << "usage: query_floor DB QUERYFILE [-t THREADS] [-n QUERIES] [--snippet]\n";
        return 2;
    }
    int threads = 1;
    long total = 2000;
    bool snippet = false;
    for (int i = 3; i < argc; i++) {
        if (!std::strcmp(argv[i], "-t") && i + 1 < argc)
            threads = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "-n") && i + 1 < argc)
            total = std::atol(argv[++i]);
        else if (!std::strcmp(argv[i], "--snippet"))
            snippet = true;
    }
    std::vector<std::string> qs = load(argv[2]);
    if (qs.empty())
        return 2;
    std::atomic<long> next{0};
    std::vector<std::vector<double>> lat(threads);
    auto t0 = clk::now();
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; t++) {
        ts.emplace_back([&, t] {
            Xapian::Database db(argv[1]);
            Xapian::Stem stem("english");
            for (long i; (i = next++) < total;) {
                auto q0 = clk::now();
                Xapian::QueryParser qp;
                qp.set_database(db);
                qp.set_stemmer(stem);
                qp.set_stemming_strategy(Xapian::QueryParser::STEM_ALL);
                qp.set_default_op(Xapian::Query::OP_AND);
                qp.add_prefix("", "");
                qp.add_prefix("", "S");
                Xapian::Enquire enq(db);
                enq.set_query(qp.parse_query(qs[i % qs.size()], Xapian::QueryParser::FLAG_DEFAULT));
                Xapian::MSet m = enq.get_mset(0, 10);
                size_t bytes = 0;
                for (auto it = m.begin(); it != m.end(); ++it) {
                    std::string d = it.get_document().get_data();
                    bytes += d.size();
                    if (snippet)
                        bytes += m.snippet(d, 240, stem).size();
                }
                lat[t].push_back(std::chrono::duration<double, std::micro>(clk::now() - q0)
                                     .count() + (bytes == 0 ? 0 : 0));
            }
        });
    }
    for (auto &t : ts)
        t.join();
    double secs = std::chrono::duration<double>(clk::now() - t0).count();
    std::vector<double> all;
    for (auto &v : lat)
        all.insert(all.end(), v.begin(), v.end());
    std::sort(all.begin(), all.end());
    auto pct = [&](double q) { return all[(size_t)(q * (all.size() - 1) + 0.5)]; };
    std::printf("{\"threads\":%d,\"queries\":%zu,\"seconds\":%.3f,\"qps\":%.1f,\"p50_us\":%.0f,"
                "\"p90_us\":%.0f,\"p99_us\":%.0f,\"max_us\":%.0f,\"snippet\":%s}\n",
                threads, all.size(), secs, all.size() / secs, pct(.5), pct(.9), pct(.99),
                all.back(), snippet ? "true" : "false");
    return 0;
}
