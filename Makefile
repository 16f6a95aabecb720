# mldash front door. `make run` brings the stack up, `make test` runs the suite.
BUILD       ?= build
BUILD_ASAN  ?= build-asan
PREFIX      ?= /usr/local
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all build deps test test-unit test-asan run stop status install clean bench

all: build

deps:
	@deploy/install-deps.sh --quiet

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

# The sanitizer build runs the unit tests (integration tests run the normal
# build behind nginx).
test-asan: deps
	@cmake -S . -B $(BUILD_ASAN) -DMLDASH_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_ASAN) -j $(JOBS) -- --no-print-directory
	cd $(BUILD_ASAN) && ctest -L unit --output-on-failure

test-unit: build
	cd $(BUILD) && ctest -L unit --output-on-failure

test: build test-asan
	cd $(BUILD) && ctest --output-on-failure

run: build
	@deploy/devstack.sh up
	@deploy/devstack.sh demo
	@echo "mldash is running: http://127.0.0.1:$${MLDASH_PORT:-8080}/"

stop:
	@deploy/devstack.sh down

status:
	@deploy/devstack.sh status

# Installs into $(DESTDIR)$(PREFIX): binaries, migrations, web/, the nginx
# site, systemd units and the example configuration.
install: deps
	@cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

# Benchmarks (not timed tests): numbers go in the notes and docs/performance.md.
bench: build
	build/bench/forecast_bench
	build/bench/budget_bench
	bench/import_bench.sh
	bench/ml_bench.sh

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
