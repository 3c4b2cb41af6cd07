# Strata - a teaching database, grown in numbered milestones.
#
#   make                    build every milestone
#   make test               build everything, run every suite on every
#                           milestone; ends with "N passed, N failed"
#   make test M=01          only milestone 01 (also: K=text, one test;
#                           SEED=n, replay a randomized test; UPDATE=1,
#                           rewrite expected output from M's output)
#   make test SAN=1         the same under AddressSanitizer and UBSan
#   make test V=1           ... naming every test that passes, too
#   make run                open the latest milestone on test.db, in its
#                           directory (as its chapter does)
#   make run M=01           ... or milestone 01
#   make diff A=01 B=02     what milestone 02 adds to 01 (FILE=src/x.c for
#                           one file, STAT=1 for a summary)
#   make slt                only the sqllogictest files, on every SQL
#                           milestone (M=07 for one)
#   make book               render the book to build/book/index.html
#   make bench              the milestones against sqlite3 on the same
#                           work: wall time, memory, instructions per
#                           operation (M=02 for one; ROWS=n to resize;
#                           QUICK=1 skips the 1,000,000-row part)
#   make clean              remove every build product

MILESTONES := $(sort $(patsubst %/Makefile,%,\
                $(wildcard milestones/[0-9][0-9]-*/Makefile)))
# The milestone called $(1), e.g. "01" -> milestones/01-fixed-rows.
milestone = $(or $(firstword $(wildcard milestones/$(1)-*/Makefile)),\
                 $(error no milestone $(1) in milestones/))
SELECTED := $(if $(M),$(patsubst %/Makefile,%,$(call milestone,$(M))),\
                      $(MILESTONES))
LATEST := $(lastword $(MILESTONES))
RUN_DIR := $(if $(M),$(patsubst %/Makefile,%,$(call milestone,$(M))),\
                     $(LATEST))

JOBS ?= 2
# -j$(JOBS) for a submake, unless make -jN already shares its job slots.
jobs = $(if $(findstring jobserver,$(MAKEFLAGS)),,-j$(JOBS))
# $(1) as one shell word, whatever quotes it holds.
quote = '$(subst ','\'',$(1))'

.PHONY: all build test slt run diff book bench deps clean

all: build

build:
	@for m in $(SELECTED); do \
	    $(MAKE) --no-print-directory $(jobs) -C $$m SAN=$(SAN) || exit 1; \
	done

deps:
	@scripts/install-deps

test: deps build
	@python3 tests/run.py -j $(JOBS) \
	    $(if $(M),-m $(M)) $(if $(filter 1,$(SAN)),--san) \
	    $(if $(K),-k $(call quote,$(K))) $(if $(SEED),--seed $(SEED)) \
	    $(if $(filter 1,$(UPDATE)),--update) $(if $(filter 1,$(V)),-v)

slt: deps build
	@python3 tests/run.py -j $(JOBS) -k slt $(if $(M),-m $(M)) \
	    $(if $(filter 1,$(SAN)),--san)

# Builds only ./strata, quietly (its compiler lines go to a log, shown if
# the build fails), then opens test.db in the milestone's directory, the
# file its chapter's sessions use: each milestone has its own, since a
# later one changes the format and refuses an earlier one's file. The
# REPL prints its own errors: make adds no "Error 1" to them.
run: deps
	@mkdir -p build
	@$(MAKE) --no-print-directory $(jobs) -C $(RUN_DIR) strata \
	    > build/run-build.log 2>&1 || { cat build/run-build.log; exit 1; }
	@cd $(RUN_DIR) && ./strata test.db || true

diff:
	@test -n "$(A)" -a -n "$(B)" || \
	    { echo "usage: make diff A=01 B=02 [FILE=src/x.c] [STAT=1]"; exit 2; }
	@scripts/diff-milestones $(if $(filter 1,$(STAT)),--stat) \
	    $(A) $(B) $(FILE)

book: deps build
	@python3 book/tools/render.py

bench: deps build
	@python3 scripts/bench $(if $(M),-m $(M)) $(if $(ROWS),-n $(ROWS)) \
	    $(if $(filter 1,$(QUICK)),--quick)

clean:
	@for m in $(MILESTONES); do $(MAKE) --no-print-directory -C $$m clean; \
	done
	rm -rf build
