# The two commands of the README:
#   make run    installs what is missing, builds, starts the stack in the foreground
#   make test   installs what is missing, builds, runs every test (ctest)
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
PREFIX ?= /usr/local
CMAKE_FLAGS ?=

.PHONY: all setup configure build web test run bench install format clean

all: build

# Extra package groups for setup.sh: `make test` adds --browser (chromium, and
# node/npm if missing), `make run`/`make web` add --web (node/npm if missing).
SETUP_FLAGS ?=
test: SETUP_FLAGS = --browser
run web: SETUP_FLAGS = --web

setup:
	@bash scripts/setup.sh $(SETUP_FLAGS)

configure: setup
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) > /dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The built-in dashboard (dashboards/web/dist): npm ci + build when stale.
web: setup
	@bash dashboards/web/build.sh

test: build web
	@cd $(BUILD_DIR) && ctest -j $(JOBS) --output-on-failure --timeout 600

run: build web
	@bash scripts/run-stack.sh $(BUILD_DIR)

bench: build
	@bash bench/run-all.sh $(BUILD_DIR)

install: build
	@cmake --install $(BUILD_DIR) --prefix $(PREFIX)

format:
	@find common exporter tsdb promql server tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	@rm -rf $(BUILD_DIR)
