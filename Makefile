# Makefile - build the workbook binary, its tests, the sanitizer build.
#
#   make            build ./workbook
#   make run        install what is missing, build, run LAB 9-1
#   make test       install what is missing, build, run every TAP test
#   make asan       the same tests under AddressSanitizer + UBSan
#   make fuzz       build the libFuzzer targets (tests/fuzz/) with clang
#   make fuzz-smoke run each fuzz target briefly from its seed corpus
#   make bench      print the speed figures (bench/)
#   make deps       install the Debian packages the build needs
#   make book       build the HTML course book into build/book/

PKGS    := lua5.4 libpng zlib openblas lapacke cairo libcmark-gfm nettle hdf5-serial readline
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Libraries without a pkg-config file (Debian's libsvm-dev, liblinear-dev,
# libdnnl-dev; oneDNN there runs on OpenMP, libgomp; liblbfgs-dev)
LIBS_EXTRA := -lsvm -llinear -ldnnl -lgomp -llbfgs

CC      ?= cc
OPT     ?= -O2 -g
WARN    := -Wall -Wextra -Wno-unused-parameter -Wno-format-truncation
# -fno-math-errno: sqrtf and friends may then vectorise (no errno to set)
CFLAGS_ALL = -std=gnu11 $(OPT) -fno-math-errno $(WARN) -pthread -Iruntime -I$(B) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) $(LIBS_EXTRA) -lm -pthread $(EXTRA_LIBS)

B       ?= build/obj
BIN     ?= workbook

# Sources are found by folder (README, Layout): runtime/bind/ holds the Lua
# bindings, every other folder under runtime/ except lua/ holds core C.
# Adding a file to any folder needs no edit here.
CORE_DIRS := $(filter-out runtime/bind/ runtime/lua/,$(sort $(dir $(wildcard runtime/*/*.c))))
CORE_SRC := $(sort $(foreach d,$(CORE_DIRS),$(wildcard $(d)*.c)))
BIND_SRC := $(sort $(wildcard runtime/bind/*.c))
HDRS     := $(wildcard runtime/*.h runtime/*/*.h)
LUA_SRC  := $(sort $(wildcard runtime/lua/*.lua))
CORE_OBJ := $(CORE_SRC:runtime/%.c=$(B)/%.o)
BIND_OBJ := $(BIND_SRC:runtime/%.c=$(B)/%.o)
CTESTS   := $(patsubst tests/c/%.c,$(B)/tests/%,$(wildcard tests/c/*.c))
LUATESTS := $(filter-out tests/lua/tap.lua,$(wildcard tests/lua/*.lua))

.PHONY: all run test check asan bench deps clean book layout fuzz fuzz-smoke
all: $(BIN)

$(BIN): $(B)/main.o $(B)/embed.o $(BIND_OBJ) $(CORE_OBJ)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

# The layout rules (which folder may include which) are checked before
# anything compiles; scripts/layout.sh says what they are.
$(B)/layout.ok: scripts/layout.sh $(CORE_SRC) $(BIND_SRC) $(HDRS) | $(B)
	sh scripts/layout.sh && touch $@
layout: $(B)/layout.ok

$(B)/%.o: runtime/%.c $(HDRS) $(B)/layout.ok | $(B)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(B)/main.o: runtime/main.c $(HDRS) $(B)/modules.h | $(B)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The Lua state (libraries, C modules, embedded Lua), shared with the fuzz
# harnesses, lists the C modules.
$(B)/bind/wbstate.o: $(B)/modules.h

# The C modules: every luaopen_NAME defined in runtime/bind/*.c.
$(B)/modules.h: $(BIND_SRC) scripts/modules.sh | $(B)
	sh scripts/modules.sh $(BIND_SRC) > $@.tmp && mv $@.tmp $@

# The Lua half of the runtime, embedded as byte arrays.
$(B)/embed.c: $(LUA_SRC) scripts/embed.sh | $(B)
	sh scripts/embed.sh $(LUA_SRC) > $@.tmp && mv $@.tmp $@
$(B)/embed.o: $(B)/embed.c
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(B)/tests/%: tests/c/%.c tests/tap.h $(wildcard tests/c/*.h) $(CORE_OBJ) | $(B)
	@mkdir -p $(B)/tests
	$(CC) $(CFLAGS_ALL) -Itests -o $@ $< $(CORE_OBJ) $(LDLIBS_ALL)

# C benchmarks: bench/NAME.c -> $(B)/bench/NAME, linked with the core.
$(B)/bench/%: bench/%.c $(CORE_OBJ) | $(B)
	@mkdir -p $(B)/bench
	$(CC) $(CFLAGS_ALL) -o $@ $< $(CORE_OBJ) $(LDLIBS_ALL)

$(B):
	mkdir -p $(B)

deps:
	@sh scripts/deps.sh

run: deps
	$(MAKE) all
	./$(BIN) run ch9/lab1.lua

# Build first (after deps), then run both halves of the suite with prove.
test: deps
	$(MAKE) all
	$(MAKE) check

check: $(BIN) $(CTESTS)
	WORKBOOK=./$(BIN) prove -f $(CTESTS)
	WORKBOOK=./$(BIN) prove -f --exec './$(BIN) run' $(LUATESTS)

asan: deps
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(MAKE) check B=build/asan BIN=build/asan/workbook OPT="-O1 -g" \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -DWB_POISON_UNINIT"

# The HTML course book (runs every lab; cached under build/book-cache).
book: deps
	$(MAKE) all
	./$(BIN) book

bench: all
	@for f in bench/*.sh; do sh "$$f"; done
	@for f in bench/*.lua; do [ -e "$$f" ] && ./$(BIN) run "$$f"; done; true

# Fuzz targets: tests/fuzz/fuzz_NAME.c -> build/fuzz/fuzz_NAME, libFuzzer
# with AddressSanitizer + UBSan, the core compiled by clang with coverage
# into an archive (a target links only what it calls). fuzz-smoke runs
# each from its seed corpus (tests/fuzz/corpus/NAME, never written to:
# new inputs go to a scratch folder) for FUZZ_RUNS inputs or
# FUZZ_SECONDS, whichever ends first; a crash, leak or timeout fails it
# (the input that did it is kept in build/fuzz/artifacts/).
# A longer run (tests/fuzz/README.md): build/fuzz/fuzz_NAME
#   -max_total_time=300 -rss_limit_mb=2048 SCRATCH_DIR tests/fuzz/corpus/NAME
FUZZ_CC      ?= clang
FUZZ_B       := build/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS   = $(CFLAGS_ALL) -Wno-unknown-warning-option -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_B)/%)
FUZZ_OBJ     := $(CORE_SRC:runtime/%.c=$(FUZZ_B)/obj/%.o)
FUZZ_RUNS    ?= 3000
FUZZ_SECONDS ?= 10

fuzz:
	@sh scripts/deps.sh fuzz
	$(MAKE) $(FUZZ_BIN)

$(FUZZ_B)/obj/%.o: runtime/%.c $(HDRS) $(B)/layout.ok
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_B)/libcore.a: $(FUZZ_OBJ)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_B)/libcore.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Itests/fuzz -o $@ $< $(FUZZ_B)/libcore.a $(LDLIBS_ALL)

# Targets that go through the Lua runtime (tests/fuzz/fuzz_lua.h) link the
# bindings (the state, runtime/bind/wbstate.c, among them) and the
# embedded Lua as well.
FUZZ_LUA     := wbw json tensor
FUZZ_LUA_BIN := $(FUZZ_LUA:%=$(FUZZ_B)/fuzz_%)
FUZZ_RT_OBJ  := $(BIND_SRC:runtime/%.c=$(FUZZ_B)/obj/%.o) $(FUZZ_B)/obj/embed.o

$(FUZZ_B)/obj/bind/wbstate.o: $(B)/modules.h

$(FUZZ_B)/obj/embed.o: $(B)/embed.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_B)/librt.a: $(FUZZ_RT_OBJ)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_LUA_BIN): $(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h tests/fuzz/fuzz_lua.h $(FUZZ_B)/librt.a $(FUZZ_B)/libcore.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Itests/fuzz -o $@ $< $(FUZZ_B)/librt.a $(FUZZ_B)/libcore.a $(LDLIBS_ALL)

fuzz-smoke: fuzz
	@for f in $(FUZZ_BIN); do \
	  name=$${f##*/fuzz_}; scratch=$$(mktemp -d); \
	  echo "fuzz-smoke: $$name"; mkdir -p $(FUZZ_B)/artifacts; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    $$f -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_SECONDS) -timeout=120 \
	      -rss_limit_mb=2560 -print_final_stats=1 -report_slow_units=1000 \
	      -artifact_prefix=$(FUZZ_B)/artifacts/$$name- $$scratch tests/fuzz/corpus/$$name \
	      > $$scratch.log 2>&1; rc=$$?; \
	  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+.*DONE)' $$scratch.log; \
	  if [ $$rc -ne 0 ]; then tail -40 $$scratch.log; rm -rf $$scratch $$scratch.log; exit 1; fi; \
	  rm -rf $$scratch $$scratch.log; \
	done

clean:
	rm -rf build $(BIN)
