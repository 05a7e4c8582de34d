# leafpress: the one entry point. `make` installs what is missing, builds and
# typesets every leaflet into output/; `make check` runs all tests, also under
# AddressSanitizer/UBSan. See README.md, "Building and testing".

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.NOTPARALLEL:
.DEFAULT_GOAL := all

BUILD      := build
ASAN_BUILD := build-asan
CTEST      := ctest --output-on-failure --no-tests=error

# configure DIR, EXTRA-CMAKE-ARGS: only when DIR has no build files yet; later
# changes (CMakeLists.txt, new src/ or tests/ files) make ninja re-run cmake.
define configure
	@if [ ! -f $(1)/build.ninja ] || [ ! -f $(1)/CMakeCache.txt ]; then \
	    echo "cmake: configuring $(1)/"; \
	    cmake -S . -B $(1) -G Ninja --log-level=WARNING $(2); \
	fi
endef

.PHONY: all prereqs cairo configure compile leaflets check test asan fuzz clean distclean help

all: leaflets

## prereqs: check the Debian packages; install the missing ones (as root)
prereqs:
	@bash scripts/prereqs.sh

## cairo: build cairo 1.18 into build/deps/prefix unless the system has it
cairo: prereqs
	@bash scripts/build-cairo.sh

configure: cairo
	$(call configure,$(BUILD),-DCMAKE_BUILD_TYPE=RelWithDebInfo)

## compile: build build/leafpress (and the test programs)
compile: configure
	@cmake --build $(BUILD)

## leaflets (default): typeset every leaflet into output/ (with print/, booklet/, proofs/), the
##   English, Turkish and Arabic samples into output/samples/, the heart clinic (its cardio theme) into output/clinic/
leaflets: compile
	@$(BUILD)/leafpress build
	@$(BUILD)/leafpress build -o output/samples --contacts tests/data/languages/contacts.yaml \
	    tests/data/languages/*.md
	@cd tests/data/clinic && $(CURDIR)/$(BUILD)/leafpress build -o $(CURDIR)/output/clinic

## test: run the test suite in build/
test: compile
	$(CTEST) --test-dir $(BUILD)

## asan: build in build-asan/ with ASan+LSan+UBSan and run the test suite there
asan: cairo
	$(call configure,$(ASAN_BUILD),-DCMAKE_BUILD_TYPE=Debug -DLEAFPRESS_SANITIZE=ON)
	@cmake --build $(ASAN_BUILD)
	$(CTEST) --test-dir $(ASAN_BUILD)

## check: test, then asan (what CI runs)
check: test asan

## fuzz: build fuzz/ with clang + libFuzzer in build-fuzz/ and fuzz each target
##   for FUZZ_SECONDS (default 60) each, one at a time, one process (one core); new inputs go
##   to build-fuzz/corpus/NAME, crashes to build-fuzz/artifacts/ (see fuzz/README.md).
##   pipeline runs without leak checks: fontconfig's process-wide caches are only
##   told apart with full stack unwinding, which the ctest replay under ASan does.
FUZZ_BUILD   := build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := frontmatter body style contacts pipeline
FUZZ_FLAGS   ?= -timeout=10 -rss_limit_mb=4096
fuzz: cairo
	@command -v clang >/dev/null || { echo "make fuzz needs clang (apt-get install clang)"; exit 1; }
	$(call configure,$(FUZZ_BUILD),-DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLEAFPRESS_FUZZ=ON)
	@cmake --build $(FUZZ_BUILD) --target fuzz_targets
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/artifacts; \
	    echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan.supp:print_suppressions=0 \
	    leaks=1; [ $$t = pipeline ] && leaks=0; \
	    ASAN_OPTIONS=detect_leaks=$$leaks \
	    $(FUZZ_BUILD)/fuzz_$$t $(FUZZ_FLAGS) -detect_leaks=$$leaks -max_total_time=$(FUZZ_SECONDS) \
	        -dict=fuzz/dict/$$t.dict -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t- \
	        $(FUZZ_BUILD)/corpus/$$t fuzz/corpus/$$t 2>&1 | grep -E '^(#[0-9]+ +DONE|==|SUMMARY|Done)' || true; \
	    if ls $(FUZZ_BUILD)/artifacts/$$t-* >/dev/null 2>&1; then \
	        echo "fuzz: $$t found problems: $(FUZZ_BUILD)/artifacts/$$t-*"; exit 1; fi; \
	done

## clean: remove build outputs; keep the built cairo (build/deps)
clean:
	rm -rf $(ASAN_BUILD) $(FUZZ_BUILD)
	@if [ -d $(BUILD) ]; then find $(BUILD) -mindepth 1 -maxdepth 1 ! -name deps -exec rm -rf {} +; fi

## distclean: clean, and also remove build/deps (cairo) and every output (PDFs, print/, booklet/, proofs/)
distclean:
	rm -rf $(ASAN_BUILD) $(BUILD)
	rm -f output/*.pdf output/*.png
	rm -rf output/print output/booklet output/proofs

help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## /make /'
