// Unit tests of explain (lib/xap_explain.cc) on queries built by hand: a
// word's OP_SYNONYM group reports the expansions that matched, scaled
// groups and scaled sums keep their share, and the parts add up to the
// score Xapian gives.
#include "xap_priv.h" // before cmocka.h, whose fail() macro it would meet

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmath>

extern "C" {
#include <cmocka.h>
}

namespace {

using Q = Xapian::Query;

// Passages: 1 holds china, beij and soybean (and Ssoybean in its title),
// 2 beij and chines, 3 only soybean and has no parent id term (as attache
// never writes, weighed another way), 4..9 fill the collection.
char dir[64];

int setup(void **state)
{
    (void)state;
    std::snprintf(dir, sizeof dir, "/tmp/att-explain-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

int teardown(void **state)
{
    (void)state;
    return system(("rm -rf '" + std::string(dir) + "'").c_str());
}

Xapian::Database corpus()
{
    static int made;
    std::string path = std::string(dir) + "/db" + std::to_string(++made);
    Xapian::WritableDatabase db(path, Xapian::DB_CREATE_OR_OVERWRITE);
    const char *const docs[][5] = {
        {"XDone", "china", "beij", "soybean", "Ssoybean"},
        {"XDtwo", "beij", "chines", "trade", nullptr},
        {nullptr, "soybean", "trade", nullptr, nullptr},
    };
    for (const auto &d : docs) {
        Xapian::Document doc;
        for (int i = 1; i < 5 && d[i] != nullptr; i++)
            doc.add_term(d[i], (Xapian::termcount)i);
        if (d[0] != nullptr)
            doc.add_boolean_term(d[0]);
        doc.add_value(ATT_SLOT_PASSAGE, Xapian::sortable_serialise(0));
        db.add_document(doc);
    }
    for (int i = 4; i < 10; i++) {
        Xapian::Document doc;
        doc.add_term("weather", 2);
        doc.add_term("report");
        doc.add_boolean_term("XDf" + std::to_string(i));
        db.add_document(doc);
    }
    db.close(); // a failed test leaves without its destructors: no lock left
    return Xapian::Database(path);
}

double score(const Xapian::Database &db, const Q &q, Xapian::docid did)
{
    Xapian::Enquire enq(db);
    enq.set_query(q);
    Xapian::MSet m = enq.get_mset(0, 100);
    for (auto it = m.begin(); it != m.end(); ++it) {
        if (*it == did)
            return it.get_weight();
    }
    return -1;
}

double sum(const std::vector<xap::explain_part> &parts)
{
    double s = 0;
    for (const auto &p : parts)
        s += p.weight;
    return s;
}

const xap::explain_term *find_term(const xap::explain_part &p, const std::string &t)
{
    for (const auto &et : p.terms) {
        if (et.term == t)
            return &et;
    }
    return nullptr;
}

Q any_of(Q::op op, std::vector<Q> v)
{
    return Q(op, v.begin(), v.end());
}

Q china_group()
{
    return any_of(Q::OP_SYNONYM, {Q("china"), Q("beij"), Q("chines")});
}

void expansions_of_a_synonym_group(void **state)
{
    (void)state;
    Xapian::Database db = corpus();
    decltype(att_xquery::expansions) side;
    att_xquery xq;
    xap::note_expansion(&xq, "beij", "China", "alias");
    side = xq.expansions;
    Q q(Q::OP_OR, china_group(), Q("soybean"));

    // Passage 2 holds no "china": the group matched through two expansions,
    // one the side table names (an alias), one it does not.
    auto parts = xap::explain_doc(db, q, 2, nullptr, &side);
    assert_int_equal(parts.size(), 1);
    assert_string_equal(parts[0].where, "body");
    assert_int_equal(parts[0].words.size(), 1);
    assert_string_equal(parts[0].words[0].c_str(), "china");
    assert_int_equal(parts[0].terms.size(), 2);
    const xap::explain_term *b = find_term(parts[0], "beij");
    const xap::explain_term *c = find_term(parts[0], "chines");
    assert_non_null(b);
    assert_non_null(c);
    assert_true(b->expansion);
    assert_string_equal(b->from.c_str(), "China");
    assert_string_equal(b->kind.c_str(), "alias");
    assert_true(c->expansion);
    assert_string_equal(c->from.c_str(), "china");
    assert_true(c->kind.empty());
    assert_true(std::fabs(parts[0].weight - score(db, q, 2)) < 1e-9);

    // Passage 1: the user's own word and an expansion; soybean apart.
    parts = xap::explain_doc(db, q, 1, nullptr, nullptr);
    assert_int_equal(parts.size(), 2);
    for (const auto &p : parts) {
        if (p.words[0] != "china")
            continue;
        assert_false(find_term(p, "china")->expansion);
        assert_true(find_term(p, "beij")->expansion);
        assert_true(find_term(p, "beij")->kind.empty()); // no side table
        assert_null(find_term(p, "chines"));
    }
    assert_true(std::fabs(sum(parts) - score(db, q, 1)) < 1e-9);
}

void parts_add_up_to_the_score(void **state)
{
    (void)state;
    Xapian::Database db = corpus();
    const Q qs[] = {
        any_of(Q::OP_OR, {Q("china"), Q("soybean"), Q("Ssoybean"), Q("trade")}),
        Q(Q::OP_AND, Q("beij"), Q(Q::OP_OR, Q("soybean"), Q("trade"))),
        Q(Q::OP_AND_MAYBE, Q("soybean"), Q("china")),
        Q(Q::OP_FILTER, Q(Q::OP_OR, Q("soybean"), Q("trade")), Q("XDone")),
    };
    for (const Q &q : qs) {
        for (Xapian::docid did = 1; did <= 3; did++) {
            double want = score(db, q, did);
            auto parts = xap::explain_doc(db, q, did, nullptr, nullptr);
            if (want < 0) {
                assert_true(parts.empty());
                continue;
            }
            assert_false(parts.empty());
            assert_true(std::fabs(sum(parts) - want) < 1e-9 * (1 + want));
            for (size_t i = 1; i < parts.size(); i++)
                assert_true(parts[i - 1].weight >= parts[i].weight);
        }
    }
}

void scaled_parts_keep_their_share(void **state)
{
    (void)state;
    Xapian::Database db = corpus();
    // A scaled group is weighed whole; a scaled sum gives each of its parts
    // its factor (which Xapian 1.4 does not tell: measured).
    Q group(Q::OP_SCALE_WEIGHT, china_group(), 0.5);
    Q sumq(Q::OP_SCALE_WEIGHT, Q(Q::OP_OR, Q("soybean"), Q("Ssoybean")), 0.25);
    Q q(Q::OP_OR, group, sumq);
    auto parts = xap::explain_doc(db, q, 1, nullptr, nullptr);
    assert_int_equal(parts.size(), 3);
    assert_true(std::fabs(sum(parts) - score(db, q, 1)) < 1e-9);
    double plain = score(db, Q(Q::OP_OR, china_group(), Q("nothing")), 1);
    double body = score(db, Q("soybean"), 1);
    for (const auto &p : parts) {
        if (p.words[0] == "china")
            assert_true(std::fabs(p.weight - plain * 0.5) < 1e-9);
        if (p.terms[0].term == "soybean" && std::string(p.where) == "body")
            assert_true(std::fabs(p.weight - body * 0.25) < 1e-9);
        if (std::string(p.where) == "title")
            assert_string_equal(p.terms[0].where, "title");
    }
}

void wildcards_are_no_expansions(void **state)
{
    (void)state;
    Xapian::Database db = corpus();
    // A pattern over two prefixes is a group of wildcards: its terms are
    // the user's own.
    Q q(Q::OP_SYNONYM, Q(Q::OP_WILDCARD, "soy"), Q(Q::OP_WILDCARD, "Ssoy"));
    auto parts = xap::explain_doc(db, q, 1, nullptr, nullptr);
    assert_int_equal(parts.size(), 1);
    assert_string_equal(parts[0].words[0].c_str(), "soy*");
    assert_int_equal(parts[0].terms.size(), 2);
    for (const auto &t : parts[0].terms) {
        assert_false(t.expansion);
        assert_string_equal(t.term.c_str(), "soybean");
    }
    assert_true(std::fabs(parts[0].weight - score(db, q, 1)) < 1e-9);
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(expansions_of_a_synonym_group),
        cmocka_unit_test(parts_add_up_to_the_score),
        cmocka_unit_test(scaled_parts_keep_their_share),
        cmocka_unit_test(wildcards_are_no_expansions),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
