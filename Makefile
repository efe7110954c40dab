# Hearth's front door. `make run` brings everything up; `make test` runs every test.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
CLANG_FORMAT ?= $(shell command -v clang-format-14 || command -v clang-format)
FORMAT_FILES = $(shell git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'fuzz/*.cpp' 'bench/*.cpp' 2>/dev/null)

.PHONY: run test bench fuzz format format-check setup build build-dev web db-start db-stop db-wipe clean

run:            ## install what is missing, build, start PostgreSQL, serve Hearth at :8080
	@scripts/run.sh

test:           ## every test: format, unit, integration, web unit, end-to-end, fuzz smoke
	@scripts/test.sh

bench:          ## HTTP and gateway benchmarks against their peers (bench/README.md; BENCH_ONLY=...)
	@scripts/bench.sh

fuzz:           ## run each libFuzzer target (FUZZ_SECONDS each, default 60)
	@scripts/fuzz.sh $${FUZZ_SECONDS:-60}

setup:
	@scripts/setup.sh

build:          ## optimised hearthd in build/release
	cmake --preset release >/dev/null && cmake --build build/release --target hearthd -j$(JOBS)

build-dev:      ## sanitized build with tests in build/dev
	cmake --preset dev >/dev/null && cmake --build build/dev -j$(JOBS)

web:            ## the web client in web/dist
	cd web && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run build

format:
	$(CLANG_FORMAT) -i $(FORMAT_FILES)

format-check:
	$(CLANG_FORMAT) --dry-run --Werror $(FORMAT_FILES)

db-start:
	@scripts/db.sh start
db-stop:
	@scripts/db.sh stop
db-wipe:        ## delete the private database (all data!)
	@scripts/db.sh wipe

clean:
	rm -rf build web/dist
