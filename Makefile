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

.PHONY: all prereqs cairo configure compile leaflets check test asan clean distclean help

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

## leaflets (default): typeset every leaflet into output/ (with print/, booklet/, proofs/)
leaflets: compile
	@$(BUILD)/leafpress build

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

## clean: remove build outputs; keep the built cairo (build/deps)
clean:
	rm -rf $(ASAN_BUILD)
	@if [ -d $(BUILD) ]; then find $(BUILD) -mindepth 1 -maxdepth 1 ! -name deps -exec rm -rf {} +; fi

## distclean: clean, and also remove build/deps (cairo) and every output (PDFs, print/, booklet/, proofs/)
distclean:
	rm -rf $(ASAN_BUILD) $(BUILD)
	rm -f output/*.pdf output/*.png
	rm -rf output/print output/booklet output/proofs

help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## /make /'
