# Chartroom's front door. `make demo` and `make test` work on a fresh Debian 12 machine: both
# install what is missing first (scripts/install-deps.sh), then build with CMake presets.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
export CCACHE_DIR ?= $(CURDIR)/.ccache
export CCACHE_SLOPPINESS ?= pch_defines,time_macros,include_file_mtime,include_file_ctime
FUZZ_SECONDS ?= 60

.PHONY: all build deps test asan demo bench fuzz format release clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j $(JOBS)
	@scripts/build-web.sh

release: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)
	@scripts/build-web.sh

# The PostgreSQL store's tests need a server: scripts/with-postgres.sh starts a throwaway one and
# sets TEST_PG_DSN for the whole run.
test: build
	@scripts/with-postgres.sh ctest --preset dev -j $(JOBS)

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer.
asan: deps
	@cmake --preset asan-ubsan >/dev/null
	@cmake --build --preset asan-ubsan -j $(JOBS)
	@ctest --preset asan-ubsan -j $(JOBS)

demo: release
	@scripts/demo.sh build/release/src/cli/chartroom

bench: release
	@scripts/bench.sh build/release

fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)
	@scripts/fuzz.sh build/fuzz $(FUZZ_SECONDS)

format:
	@find src tests bench \( -name '*.cpp' -o -name '*.hpp' \) -not -path '*/generated/*' \
	  | xargs clang-format -i

clean:
	@rm -rf build
