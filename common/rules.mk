# rules.mk - the build that every milestone shares.
#
# A milestone's Makefile sets ROOT (the project's top directory) and
# includes this file. Then, inside the milestone:
#
#   make              builds ./strata and the unit tests
#   make SAN=1        builds ./strata-san with AddressSanitizer and UBSan
#   make CC=clang     builds with clang (objects are kept apart per compiler)
#   make unit         builds and runs the unit tests (one PASS/FAIL line each)
#   make clean        removes everything the build made
#   make V=1          shows the full compiler command lines
#   make LIBEDIT=0    builds without line editing, even where libedit is
#                     installed (objects are kept apart in build/*-plain)
#
# Line editing on a terminal (common/lineread.c) uses libedit when a test
# program against <histedit.h> compiles and links here (Debian package
# libedit-dev); without it, lines are read plain.
#
# Sources: src/*.c (main.c holds main), the shared common/*.c, and one unit
# test program per tests/test_*.c, linked with everything but main.c.

MILESTONE := $(notdir $(CURDIR))

ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
BIN := strata-san
else
SANFLAGS :=
BIN := strata
endif

ifeq ($(LIBEDIT),0)
HAVE_LIBEDIT := 0
else
EDIT_CFLAGS := $(shell pkg-config --cflags libedit 2>/dev/null)
EDIT_LIBS := $(or $(shell pkg-config --libs libedit 2>/dev/null),-ledit)
EDIT_TEST := '\043include <stdio.h>\n\043include <histedit.h>\n\
    int main(void) { return el_init("", stdin, stdout, stderr) == 0; }\n'
HAVE_LIBEDIT := $(shell printf $(EDIT_TEST) | $(CC) $(EDIT_CFLAGS) -x c - \
    -o /dev/null $(EDIT_LIBS) >/dev/null 2>&1 && echo 1)
endif
ifeq ($(HAVE_LIBEDIT),1)
EDIT_DEFS := -DSTRATA_LIBEDIT $(EDIT_CFLAGS)
else
EDIT_DEFS :=
EDIT_LIBS :=
endif

BUILD := build/$(notdir $(firstword $(CC)))$(if $(SANFLAGS),-san)$(if \
           $(filter 0,$(LIBEDIT)),-plain)

STRATA_CFLAGS := -std=c11 -Wall -Wextra -Wpedantic -Werror -g -O2 \
    -D_POSIX_C_SOURCE=200809L -DSTRATA_MILESTONE='"$(MILESTONE)"' \
    -Isrc -I$(ROOT)/common -MMD -MP $(EDIT_DEFS) $(SANFLAGS) $(CFLAGS)
STRATA_LDFLAGS := $(SANFLAGS) $(LDFLAGS)
STRATA_LDLIBS := -lm $(EDIT_LIBS) $(LDLIBS)

SRC_OBJS := $(patsubst src/%.c,$(BUILD)/src/%.o,$(wildcard src/*.c))

# The SQL grammar, from milestone 06 on: Debian's lemon turns src/parse.y
# into $(BUILD)/gen/parse.c and parse.h, which are never committed.
GRAMMAR := $(wildcard src/parse.y)
GEN := $(BUILD)/gen
GEN_OBJS := $(if $(GRAMMAR),$(GEN)/parse.o)
LEMON ?= lemon
LEMON_TEMPLATE ?= /usr/share/lemon/lempar.c
ifneq ($(GRAMMAR),)
STRATA_CFLAGS += -I$(GEN)
endif
COMMON_OBJS := $(patsubst $(ROOT)/common/%.c,$(BUILD)/common/%.o,\
                 $(wildcard $(ROOT)/common/*.c))
LIB_OBJS := $(filter-out $(BUILD)/src/main.o,$(SRC_OBJS)) $(GEN_OBJS) \
            $(COMMON_OBJS)
UNIT_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all unit clean FORCE
.SECONDARY:
.DEFAULT_GOAL := all

all: $(BIN) $(UNIT_BINS)

# Copied whenever it differs, so that ./strata is always the build just
# asked for, also after one with another CC or LIBEDIT.
$(BIN): $(BUILD)/strata FORCE
	$(Q)cmp -s $< $@ || cp $< $@

$(BUILD)/strata: $(SRC_OBJS) $(GEN_OBJS) $(COMMON_OBJS)
	@echo "  LINK  $(MILESTONE)/$(BIN)"
	$(Q)$(CC) $(STRATA_LDFLAGS) -o $@ $^ $(STRATA_LDLIBS)

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(@D)
	@echo "  CC    $(MILESTONE)/$<"
	$(Q)$(CC) $(STRATA_CFLAGS) -c $< -o $@

ifneq ($(GRAMMAR),)
# lemon exits non-zero on a conflict the precedence rules do not settle,
# which fails the build. -l: no #line, so that compiler messages point
# into the generated file a reader can open.
$(GEN)/parse.c: src/parse.y $(LEMON_TEMPLATE)
	@mkdir -p $(@D)
	@echo "  LEMON $(MILESTONE)/$<"
	$(Q)$(LEMON) -q -l -d$(GEN) -T$(LEMON_TEMPLATE) $<
$(GEN)/parse.h: $(GEN)/parse.c ;
# Every source may include parse.h: it must exist before they compile.
$(SRC_OBJS): | $(GEN)/parse.h
# Lemon's template fetches its %extra_context in every function, also
# in those that do not use it.
$(GEN)/parse.o: $(GEN)/parse.c
	@echo "  CC    $(MILESTONE)/$(notdir $<) (generated)"
	$(Q)$(CC) $(STRATA_CFLAGS) -Wno-unused-variable -c $< -o $@
endif

$(BUILD)/common/%.o: $(ROOT)/common/%.c
	@mkdir -p $(@D)
	@echo "  CC    common/$(notdir $<) ($(MILESTONE))"
	$(Q)$(CC) $(STRATA_CFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	@echo "  CC    $(MILESTONE)/$<"
	$(Q)$(CC) $(STRATA_CFLAGS) -c $< -o $@

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB_OBJS)
	$(Q)$(CC) $(STRATA_LDFLAGS) -o $@ $^ $(STRATA_LDLIBS)

# lineread.o is compiled another way with libedit: a file that says
# whether the build has it changes when that does, and lineread.o is
# compiled again.
EDIT_STAMP := $(BUILD)/libedit
$(shell mkdir -p $(BUILD) && echo "$(HAVE_LIBEDIT)" | cmp -s - $(EDIT_STAMP) \
    || echo "$(HAVE_LIBEDIT)" > $(EDIT_STAMP))
$(BUILD)/common/lineread.o: $(EDIT_STAMP)

# Runs every unit test program, even after one fails; fails if any did.
unit: $(UNIT_BINS)
	$(Q)status=0; for t in $(UNIT_BINS); do \
	    ./$$t || status=1; \
	done; exit $$status

clean:
	rm -rf build strata strata-san

# --- Fuzzing and grammar coverage (milestone 06 on) ----------------------
#
#   make fuzz               builds each tests/fuzz_*.c into a libFuzzer
#                           program (clang, ASan, UBSan) with a seed corpus
#                           and a dictionary made from the suites' SQL, and
#                           runs it for FUZZ_TIME seconds (default 60);
#                           new inputs go to build/fuzz/corpus/, a crash
#                           to build/fuzz/crash-*
#   make fuzz-build         ... builds them, and the seeds, only
#   make grammar-coverage   parses the suites' SQL with a parser built
#                           with -DYYCOVERAGE and prints Lemon's report:
#                           each (state, lookahead) pair, ok or missed,
#                           and a last line "N of M ... reached"
#
# Both build the whole milestone again in a directory of their own
# (BUILD=...), so their objects never mix with those of the normal build.
FUZZ_SRCS := $(wildcard tests/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/%.c,build/fuzz/tests/%,$(FUZZ_SRCS))
FUZZ_TIME ?= 60
FUZZ_SAN := -fsanitize=fuzzer-no-link,address,undefined \
            -fno-sanitize-recover=all -fno-omit-frame-pointer
SQL_CORPUS := python3 $(ROOT)/tests/sql_corpus.py -m $(MILESTONE)

.PHONY: fuzz fuzz-build grammar-coverage
# The fuzz target's own checks are not code under test: coverage of them
# would only lead the fuzzer astray.
build/fuzz/tests/fuzz_%.o: STRATA_CFLAGS += -fno-sanitize=fuzzer-no-link
ifneq ($(FUZZ_SRCS),)
fuzz-build:
	$(Q)$(MAKE) --no-print-directory CC=clang BUILD=build/fuzz \
	    SANFLAGS='$(FUZZ_SAN)' LDFLAGS=-fsanitize=fuzzer $(FUZZ_BINS)
	$(Q)$(SQL_CORPUS) --seeds build/fuzz/seeds --commands \
	    --dict build/fuzz/sql.dict --keywords src/tokenize.c

fuzz: fuzz-build
	$(Q)mkdir -p build/fuzz/corpus
	$(Q)for f in $(FUZZ_BINS); do \
	    UBSAN_OPTIONS=print_stacktrace=1 ./$$f -max_total_time=$(FUZZ_TIME) \
	        -timeout=20 -rss_limit_mb=2048 -max_len=4096 -len_control=0 \
	        -dict=build/fuzz/sql.dict \
	        -artifact_prefix=build/fuzz/ build/fuzz/corpus \
	        build/fuzz/seeds $(wildcard $(ROOT)/tests/fuzz_corpus) || exit 1; \
	done
else
fuzz fuzz-build:
	@echo "$(MILESTONE) has no tests/fuzz_*.c to build"; exit 1
endif

ifneq ($(wildcard tests/grammar_coverage.c),)
grammar-coverage:
	$(Q)$(MAKE) --no-print-directory BUILD=build/coverage \
	    CFLAGS=-DYYCOVERAGE build/coverage/tests/grammar_coverage
	$(Q)$(SQL_CORPUS) --seeds build/coverage/sql >/dev/null
	$(Q)build/coverage/tests/grammar_coverage build/coverage/sql/*
else
grammar-coverage:
	@echo "$(MILESTONE) has no grammar (tests/grammar_coverage.c)"; exit 1
endif

-include $(wildcard $(BUILD)/*/*.d)
