# attache: one non-recursive Makefile. `make` builds, `make test` installs
# what is missing, builds and runs every test, `make run` starts a demo.

PREFIX  ?= /usr/local
DESTDIR ?=
SANITIZE ?=

PKGS    := xapian-core libevent libevent_pthreads libcjson libxml-2.0 libxxhash md4c libzstd zlib \
           libsystemd

ifeq ($(SANITIZE),1)
B       := build/san
BIN     := $(B)/bin
OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDSAN   := -fsanitize=address,undefined
else
B       := build/rel
BIN     := bin
OPT     := -O2 -g
LDSAN   :=
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN     := -Wall -Wextra -Werror
CPPFLAGS += -Iinclude -Ilib -D_GNU_SOURCE -MMD -MP
CFLAGS   += -std=c11 $(WARN) $(OPT) -pthread $(PKG_CFLAGS)
CXXFLAGS += -std=c++17 $(WARN) $(OPT) -pthread $(PKG_CFLAGS)
# libunistring (accent folding) ships no pkg-config file.
LDLIBS   += $(PKG_LIBS) -lunistring -pthread -lm

LIB_C   := $(wildcard lib/*.c)
LIB_CXX := $(wildcard lib/*.cc)
LIB_OBJ := $(LIB_C:%.c=$(B)/%.o) $(LIB_CXX:%.cc=$(B)/%.o) $(B)/gen/actors_data.o
LIBA    := $(B)/libattache.a

INDEXER_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard indexer/*.c))
DAEMON_OBJ  := $(patsubst %.c,$(B)/%.o,$(wildcard daemon/*.c))
# The search page's assets (web/), compiled into attached as bytes.
WEB_ASSETS  := $(sort $(wildcard web/*.css web/*.js))
DAEMON_OBJ  += $(B)/gen/web_assets.o
CLIENT_OBJ  := $(patsubst %.c,$(B)/%.o,$(wildcard client/*.c))

PROGS := $(BIN)/attache-index
ifneq ($(DAEMON_OBJ),)
PROGS += $(BIN)/attached
endif
ifneq ($(CLIENT_OBJ),)
PROGS += $(BIN)/attache
endif

UNIT_SRC := $(wildcard tests/unit/test_*.c tests/unit/test_*.cc)
UNIT_BIN := $(patsubst tests/unit/%.cc,$(B)/tests/%,$(UNIT_SRC:tests/unit/%.c=$(B)/tests/%))
HELPER_SRC := $(wildcard tests/tools/*.c)
HELPER_BIN := $(HELPER_SRC:tests/tools/%.c=$(B)/tests/%)

.PHONY: all deps test unit check-build install uninstall clean distclean run stop
.DEFAULT_GOAL := all

all: $(LIBA) $(PROGS)

deps:
	@tools/deps.sh

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/%.o: %.cc
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c -o $@ $<

# The gazetteer of actors, compiled in as the bytes of data/actors.tsv.
build/gen/actors_data.c: data/actors.tsv
	@mkdir -p $(@D)
	{ echo '/* Generated from data/actors.tsv by the Makefile: do not edit. */'; \
	  echo '#include <stddef.h>'; \
	  echo 'extern const char att_actors_builtin_text[];'; \
	  echo 'extern const size_t att_actors_builtin_len;'; \
	  echo 'const char att_actors_builtin_text[] = {'; \
	  od -An -v -tx1 $< | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0};'; \
	  echo 'const size_t att_actors_builtin_len = sizeof att_actors_builtin_text - 1;'; \
	} > $@.tmp && mv $@.tmp $@

# The search page's assets (daemon/web_page.h says what it defines).
build/gen/web_assets.c: tools/embed-assets.sh $(WEB_ASSETS)
	@mkdir -p $(@D)
	tools/embed-assets.sh $@ $(WEB_ASSETS)

$(B)/gen/web_assets.o: CPPFLAGS += -Idaemon

$(B)/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(BIN)/attache-index: $(INDEXER_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(CXX) $(LDSAN) -o $@ $^ $(LDLIBS)

$(BIN)/attached: $(DAEMON_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(CXX) $(LDSAN) -o $@ $^ $(LDLIBS)

$(BIN)/attache: $(CLIENT_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(CXX) $(LDSAN) -o $@ $^ $(LDLIBS)

$(B)/tests/test_%: $(B)/tests/unit/test_%.o $(LIBA)
	@mkdir -p $(@D)
	$(CXX) $(LDSAN) -o $@ $^ $(LDLIBS) $(CMOCKA_LIBS)

$(B)/tests/%: $(B)/tests/tools/%.o $(LIBA)
	@mkdir -p $(@D)
	$(CXX) $(LDSAN) -o $@ $^ $(LDLIBS)

# Everything the test suite runs, for one build flavour.
check-build: all $(UNIT_BIN) $(HELPER_BIN) $(B)/bench/load $(B)/bench/bm25_floor

# Tools some tests drive: a headless browser (the search page), promtool
# (the metrics), a YAML reader (docs/openapi.yaml), nginx (TLS in front of
# attached). Installed when possible; a test whose tool is missing is
# skipped by name.
TEST_DEPS := chromium chromium-driver prometheus python3-yaml nginx-light

# `make test`: install what is missing, build both flavours, run everything.
# The sub-makes re-read this file once the packages (and pkg-config) exist.
test: deps
	@tools/deps.sh $(TEST_DEPS) || echo "attache: some test tools could not be" \
	    "installed; the tests that need them are skipped by name" >&2
	@$(MAKE) --no-print-directory check-build
	@$(MAKE) --no-print-directory SANITIZE=1 check-build
	@tests/run

# Unit tests of the release build only, quickly.
unit: check-build
	@tests/run --unit-only

MAN1 := $(wildcard docs/man/*.1)
MAN8 := $(wildcard docs/man/*.8)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include/attache \
	    $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 755 $(PROGS) contrib/attache-replica $(DESTDIR)$(PREFIX)/bin/
	install -m 644 include/attache/*.h $(DESTDIR)$(PREFIX)/include/attache/
	install -m 644 $(LIBA) $(DESTDIR)$(PREFIX)/lib/
	$(if $(MAN1),install -m 644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1/)
	$(if $(MAN8),install -m 644 $(MAN8) $(DESTDIR)$(PREFIX)/share/man/man8/)

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,$(notdir $(PROGS)) attache-replica)
	rm -rf $(DESTDIR)$(PREFIX)/include/attache
	rm -f $(DESTDIR)$(PREFIX)/lib/libattache.a
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/man/man1/,$(notdir $(MAN1)))
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/man/man8/,$(notdir $(MAN8)))

clean:
	rm -rf build bin

distclean: clean
	rm -rf var

-include $(shell find build -name '*.d' 2>/dev/null)

# Benchmark tools (not installed).
$(B)/bench/xapian_floor: $(B)/bench/xapian_floor.o $(LIBA)
	@mkdir -p $(@D)
	$(CXX) $(LDSAN) -o $@ $^ $(LDLIBS)

$(B)/bench/load: $(B)/bench/load.o
	@mkdir -p $(@D)
	$(CC) $(LDSAN) -o $@ $^ $(LDLIBS)

$(B)/bench/query_floor: $(B)/bench/query_floor.o $(LIBA)
	@mkdir -p $(@D)
	$(CXX) $(LDSAN) -o $@ $^ $(LDLIBS)

$(B)/bench/bm25_floor: $(B)/bench/bm25_floor.o $(LIBA)
	@mkdir -p $(@D)
	$(CXX) $(LDSAN) -o $@ $^ $(LDLIBS)

$(B)/bench/fts5_peer: $(B)/bench/fts5_peer.o $(B)/bench/peer.o $(LIBA)
	@mkdir -p $(@D)
	$(CXX) $(LDSAN) -o $@ $^ $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3) $(LDLIBS)

$(B)/bench/sphinx_peer.o: CFLAGS += $(shell pkg-config --cflags libmariadb 2>/dev/null)
$(B)/bench/sphinx_peer: $(B)/bench/sphinx_peer.o $(B)/bench/peer.o $(LIBA)
	@mkdir -p $(@D)
	$(CXX) $(LDSAN) -o $@ $^ $(shell pkg-config --libs libmariadb 2>/dev/null || echo -lmariadb) $(LDLIBS)

# The JSON writer against cJSON on one search response (ns per response).
$(B)/bench/jsonw_bench: $(B)/bench/jsonw_bench.o $(LIBA)
	@mkdir -p $(@D)
	$(CXX) $(LDSAN) -o $@ $^ $(LDLIBS)

bench-tools: $(B)/bench/xapian_floor $(B)/bench/load $(B)/bench/query_floor $(B)/bench/fts5_peer \
	$(B)/bench/sphinx_peer $(B)/bench/bm25_floor $(B)/bench/jsonw_bench
.PHONY: bench-tools

# The demo: make run, make stop.
include tools/run.mk
include tests/fuzz/fuzz.mk

# `make bench`: attache beside its peers on the real corpus and on 10 MB
# and 100 MB scale corpora, into bench/RESULTS.md and charts (~10 min on
# 2 cores; bench/README.md). `make bench-1g` adds the 1 GB corpus to the
# same results (~40 min). The peers need SQLite's and MariaDB's client
# headers, Sphinx and gnuplot.
BENCH_DEPS := libsqlite3-dev libmariadb-dev sphinxsearch gnuplot-nox

bench:
	@tools/deps.sh $(BENCH_DEPS)
	@$(MAKE) --no-print-directory all bench-tools
	bench/run

bench-1g:
	@tools/deps.sh $(BENCH_DEPS)
	@$(MAKE) --no-print-directory all bench-tools
	bench/run --only-scale --scale 1G --add
.PHONY: bench bench-1g

# `make soak`: the soak test (tests/blackbox/test_soak.py, docs/RELIABILITY.md)
# for SOAK_SECONDS (default 90) instead of the 15 s of `make test`.
# check-build: all and bench/load, and build/rel/tests, without which
# tests/run skips the flavour.
soak:
	@$(MAKE) --no-print-directory check-build
	ATTACHE_SOAK_SECONDS=$${SOAK_SECONDS:-90} tests/run --flavour rel --only test_soak
.PHONY: soak

# `make memcheck`: black-box modules on the release programs under valgrind's
# memcheck (tests/run --flavour memcheck; docs/RELIABILITY.md). Not part of
# `make test`. MEMCHECK_ONLY: the modules, as substrings of their file names
# (MEMCHECK_ONLY=test_ runs them all, for hours); the default takes about
# 40 minutes on 2 busy cores.
MEMCHECK_ONLY ?= test_daemon_ test_client test_corpus_load test_bench_load
memcheck:
	@tools/deps.sh valgrind
	@$(MAKE) --no-print-directory check-build
	tests/run --flavour memcheck $(foreach m,$(MEMCHECK_ONLY),--only $(m))
.PHONY: memcheck

# `make test-big`: the streamed tests (tests/blackbox/test_jsonl_stream.py)
# on a 1 GB .jsonl file and a 200 MB .txt: peak memory under the bound, one
# appended line indexed alone. Needs about 3 GB of disk under /tmp and a few
# minutes.
test-big:
	@$(MAKE) --no-print-directory check-build
	ATTACHE_TEST_BIG=1 tests/run --flavour rel --no-fuzz --only test_jsonl_stream
.PHONY: test-big

# `make test-replication`: the replica tests (tests/blackbox/test_replication.py,
# docs/SCALING.md "Replicas") with the long variant: the real corpus
# replicated through many updates, rebuilds and compactions (a few minutes).
test-replication:
	@$(MAKE) --no-print-directory check-build
	ATTACHE_TEST_REPLICATION_LONG=1 tests/run --flavour rel --no-fuzz --only test_replication
.PHONY: test-replication
