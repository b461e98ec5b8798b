# Makefile - build the workbook binary, its tests, the sanitizer build.
#
#   make            build ./workbook
#   make run        install what is missing, build, run LAB 9-1
#   make test       install what is missing, build, run every TAP test
#   make asan       the same tests under AddressSanitizer + UBSan
#   make bench      print the speed figures (bench/)
#   make deps       install the Debian packages the build needs
#   make book       build the HTML course book into build/book/

PKGS    := lua5.4 libpng zlib openblas lapacke cairo libcmark-gfm nettle hdf5-serial
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

.PHONY: all run test check asan bench deps clean book layout
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
	prove -f $(CTESTS)
	WORKBOOK=./$(BIN) prove -f --exec './$(BIN) run' $(LUATESTS)

asan: deps
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(MAKE) check B=build/asan BIN=build/asan/workbook OPT="-O1 -g" \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"

# The HTML course book (runs every lab; cached under build/book-cache).
book: deps
	$(MAKE) all
	./$(BIN) book

bench: all
	@for f in bench/*.sh; do sh "$$f"; done
	@for f in bench/*.lua; do [ -e "$$f" ] && ./$(BIN) run "$$f"; done; true

clean:
	rm -rf build $(BIN)
