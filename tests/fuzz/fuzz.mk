# attache: libFuzzer targets (tests/fuzz/fuzz_*.c), included by the Makefile.
# `make fuzz-build` builds each into build/fuzz/ with clang and ASan/UBSan,
# linked against the library's C files built the same way (of Xapian, only
# the Unicode tables, through lib/xap_unicode.cc);
# `make fuzz` runs each for FUZZ_SECONDS on var/fuzz/<target>/corpus/;
# `make fuzz-check` runs each for a fixed number of inputs over its seeds
# (tests/run does). Both replay tests/fuzz/regress/<target>/ first and fail
# on any crash, leak or sanitizer report. FUZZ_TARGETS picks some targets
# (make fuzz FUZZ_TARGETS=fuzz_html); see tests/fuzz/README.md.

FUZZ_CC      ?= clang
FUZZ_CXX     ?= clang++
FUZZ_SECONDS ?= 300
FUZZ_FLAGS   ?=
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_B       := build/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_PKGS    := libcjson libxml-2.0 libxxhash md4c
FUZZ_CFLAGS  := -std=c11 $(WARN) -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) \
                -fsanitize=fuzzer-no-link -pthread \
                $(shell pkg-config --cflags $(FUZZ_PKGS) 2>/dev/null)
FUZZ_LIBS    := $(shell pkg-config --libs $(FUZZ_PKGS) xapian-core 2>/dev/null) -lunistring -lstdc++ \
                -pthread -lm
# Word boundaries in highlighting are Xapian's (lib/xap_unicode.cc): the one
# C++ file linked in. vptr checks would need the C++ UBSan runtime.
FUZZ_CXXFLAGS := -std=c++17 $(WARN) -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) \
                 -fno-sanitize=vptr -fsanitize=fuzzer-no-link -pthread \
                 $(shell pkg-config --cflags xapian-core 2>/dev/null)

FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES   := $(FUZZ_SRC:tests/fuzz/%.c=%)
FUZZ_BINS    := $(FUZZ_NAMES:%=$(FUZZ_B)/%)
FUZZ_OBJ     := $(FUZZ_SRC:%.c=$(FUZZ_B)/%.o)
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_B)/%.o,$(wildcard lib/*.c) client/render.c) \
                $(FUZZ_B)/lib/xap_unicode.o $(FUZZ_B)/gen/actors_data.o
FUZZ_LIBA    := $(FUZZ_B)/libattache-fuzz.a

.PHONY: fuzz-build fuzz fuzz-check
.SECONDARY: $(FUZZ_OBJ)

fuzz-build: $(FUZZ_BINS)

$(FUZZ_B)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_B)/lib/xap_unicode.o: lib/xap_unicode.cc
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(CPPFLAGS) $(FUZZ_CXXFLAGS) -c -o $@ $<

$(FUZZ_B)/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_B)/client/%.o: client/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_B)/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) -Iclient $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_LIBA): $(FUZZ_LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_B)/fuzz_%: $(FUZZ_B)/tests/fuzz/fuzz_%.o $(FUZZ_LIBA)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(FUZZ_LIBS)

fuzz: $(FUZZ_TARGETS:%=$(FUZZ_B)/%)
	@FUZZ_SECONDS='$(FUZZ_SECONDS)' FUZZ_FLAGS='$(FUZZ_FLAGS)' \
	    tests/fuzz/run.sh long $(FUZZ_B) $(FUZZ_TARGETS)

fuzz-check: $(FUZZ_TARGETS:%=$(FUZZ_B)/%)
	@FUZZ_FLAGS='$(FUZZ_FLAGS)' tests/fuzz/run.sh check $(FUZZ_B) $(FUZZ_TARGETS)
