# Rapport — the two commands a newcomer needs:
#   make run    install dependencies, build, start the server on 127.0.0.1:8080 with data in ./data
#   make test   install dependencies, build, and run every test (what CI runs)
# Other targets: build, web, web-test, unit, asan, fuzz, blackbox, crosscheck, bench, bench-smoke,
# fmt, fmt-check, clean.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 30
# The sanitizer and fuzzing builds: -O1 with line tables only (stack traces keep file:line)
# compiles in about half the time of -O2 -g and still runs the checks at speed.
CHECK_FLAGS ?= -O1 -g1 -DNDEBUG
RAPPORT    := $(BUILD)/src/cli/rapport
FORMAT_FILES = $(shell git ls-files '*.cc' '*.h' 2>/dev/null || find src bench -name '*.cc' -o -name '*.h')

WEB_SOURCES = $(shell find web/src web/index.html web/vite.config.ts web/tsconfig.json web/package.json -type f 2>/dev/null)

.PHONY: run test setup build web web-test unit asan fuzz blackbox crosscheck bench bench-smoke fmt fmt-check clean

run: build
	./scripts/run $(RAPPORT)

test: setup fmt-check build unit web-test asan fuzz bench-smoke blackbox crosscheck

setup:
	./scripts/setup

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: setup $(BUILD)/build.ninja web
	cmake --build $(BUILD) -j $(JOBS)

# The console (web/): built into web/dist, which `rapport serve` serves at /.
web: web/dist/index.html
web/dist/index.html: $(WEB_SOURCES) web/package-lock.json | setup
	cd web && npm run build

web-test: setup
	@echo "== console unit tests (Vitest) =="
	cd web && npm test

unit: build
	@echo "== unit tests =="
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan: setup
	@echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer =="
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$(CHECK_FLAGS)" -DRAPPORT_SANITIZE=ON -DRAPPORT_BENCH=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

fuzz: setup
	@echo "== fuzzing ($(FUZZ_SECONDS) s per target) =="
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$(CHECK_FLAGS)" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=$(CHECK_FLAGS)" -DRAPPORT_FUZZ=ON -DRAPPORT_TESTS=OFF -DRAPPORT_BENCH=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers
	./scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS)

blackbox: build
	@echo "== black-box tests of the built binary =="
	cd tests && RAPPORT_BIN=$(CURDIR)/$(RAPPORT) npm test

# The warehouse's answers against ClickHouse (started on 127.0.0.1), DuckDB and a plain reference.
crosscheck: build
	@echo "== analytics cross-check with ClickHouse and DuckDB =="
	RAPPORT_WAREHOUSE_BENCH=$(CURDIR)/$(BUILD)/bench/warehouse_bench node bench/warehouse/crosscheck.mjs --work $(CURDIR)/$(BUILD)/warehouse-crosscheck

bench: build
	./scripts/setup --bench
	./bench/ingest.sh
	$(BUILD)/bench/profiles_bench
	$(BUILD)/bench/audiences_bench
	node bench/e2e_latency.mjs
	RAPPORT_WAREHOUSE_BENCH=$(CURDIR)/$(BUILD)/bench/warehouse_bench node bench/warehouse/compare.mjs
	RAPPORT_CLV_BENCH=$(CURDIR)/$(BUILD)/bench/clv_bench node bench/insight/compare.mjs
	$(BUILD)/bench/attribution_bench

# Proves the in-process benchmarks run (tiny sizes; figures are not checked).
bench-smoke: build
	@echo "== benchmark smoke run =="
	$(BUILD)/bench/profiles_bench --profiles 2000 --events 6000 --lookups 2000 --dir $(CURDIR)/$(BUILD)/profiles-bench-smoke
	$(BUILD)/bench/audiences_bench --profiles 500 --events 3000 --audiences 20 --dir $(CURDIR)/$(BUILD)/audiences-bench-smoke
	RAPPORT_WAREHOUSE_BENCH=$(CURDIR)/$(BUILD)/bench/warehouse_bench node bench/warehouse/compare.mjs --smoke --work $(CURDIR)/$(BUILD)/warehouse-bench-smoke
	$(BUILD)/bench/clv_bench --customers 20000
	$(BUILD)/bench/attribution_bench --conversions 20000 --journeys 20000

fmt:
	clang-format -i $(FORMAT_FILES)

fmt-check:
	@echo "== clang-format check =="
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format ok"

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) web/dist
