# The two commands of the README:
#   make run    installs what is missing, builds, starts the stack in the foreground
#   make test   installs what is missing, builds, runs every test (ctest)
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
PREFIX ?= /usr/local
CMAKE_FLAGS ?=

.PHONY: all setup configure build web test run bench install format clean fuzz tsan

# make test SANITIZE=address,undefined (or thread): the same build and tests
# with sanitizers, in their own build directory.
comma := ,
SANITIZE ?=
ifneq ($(SANITIZE),)
BUILD_DIR := build-$(subst $(comma),-,$(SANITIZE))
CMAKE_FLAGS += -DMS_SANITIZE=$(SANITIZE) -DMS_BUILD_BENCH=OFF
endif

all: build

# What each entry point installs (scripts/setup.sh groups) and builds:
# `make run` and `make install` only the programs, so they need neither the
# test libraries nor the peers (Prometheus, node_exporter, VictoriaMetrics);
# `make build`, `make test` and `make bench` build everything, tests and
# benchmarks included.
SETUP_FLAGS ?= --test
TREE_FLAGS ?= -DMS_BUILD_TESTS=ON -DMS_BUILD_BENCH=ON
test: SETUP_FLAGS = --test --browser --fuzz
fuzz: SETUP_FLAGS = --fuzz
web: SETUP_FLAGS = --web
run: SETUP_FLAGS = --web
run install: TREE_FLAGS = -DMS_BUILD_TESTS=OFF -DMS_BUILD_BENCH=OFF
install: SETUP_FLAGS =

setup:
	@bash scripts/setup.sh $(SETUP_FLAGS)

configure: setup
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(TREE_FLAGS) $(CMAKE_FLAGS) > /dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The built-in dashboard (dashboards/web/dist): npm ci + build when stale.
web: setup
	@bash dashboards/web/build.sh

# After ctest, the plain build runs every libFuzzer target briefly (a fixed
# seed and run count, so the same inputs everywhere); `make fuzz` runs longer.
test: build web
	@cd $(BUILD_DIR) && ctest -j $(JOBS) --output-on-failure --timeout 600
ifeq ($(SANITIZE),)
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=60 FUZZ_RUNS=20000 FUZZ_SEED=1
endif

run: build web
	@bash scripts/run-stack.sh $(BUILD_DIR)

# ThreadSanitizer over the concurrency tests: tsdb (append + query +
# retention), the query engine's shards and gate, ingest, the HTTP server and
# the server end to end (scrape manager, forwarder, crash tests). Not
# tsdb_Crash: it forks a process that starts threads, which TSan cannot run
# (the server-level crash tests, which exec the binaries, cover the same).
TSAN_DIR ?= build-thread
TSAN_TESTS ?= tsdb_|RemoteWriteSender|DownsampledQuery|Promql.*Parallel|ShardRunner|QueryGate|Ingester|IngestLimits|HttpServer|StackPool|ServerIntegration|ServerCrash|Forwarder|Spool
tsan: setup
	@cmake -S . -B $(TSAN_DIR) -DMS_SANITIZE=thread -DMS_BUILD_BENCH=OFF > /dev/null
	@cmake --build $(TSAN_DIR) -j $(JOBS)
	@cd $(TSAN_DIR) && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/tests/tsan.supp" \
	  ctest -j $(JOBS) --output-on-failure --timeout 900 -R '$(TSAN_TESTS)' -E 'tsdb_Crash'

# libFuzzer (clang-14) with ASan and UBSan over every parser of client input:
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_RUNS=10000000] [FUZZ_TARGETS="promql remote_write"]
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?= -1
FUZZ_SEED ?= 0
FUZZ_TARGETS ?= text_parser promql api_params remote_write remote_read system_json config import chunk spool \
  alerts_api rule_file
fuzz: setup
	@CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_DIR) -DMS_FUZZ=ON \
	  -DMS_SANITIZE=address,undefined -DMS_WERROR=OFF -DMS_BUILD_TESTS=OFF \
	  -DMS_BUILD_BENCH=OFF > /dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS) --target $(addsuffix _fuzz,$(FUZZ_TARGETS))
	@FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_SEED=$(FUZZ_SEED) bash scripts/fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: build
	@bash bench/run-all.sh $(BUILD_DIR)

install: build
	@cmake --install $(BUILD_DIR) --prefix $(PREFIX)

format:
	@find common exporter tsdb promql server tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	@rm -rf $(BUILD_DIR)
