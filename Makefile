# mldash front door. `make run` brings the stack up, `make test` runs the suite.
BUILD       ?= build
BUILD_ASAN  ?= build-asan
BUILD_FUZZ  ?= build-fuzz
PREFIX      ?= /usr/local
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 5

.PHONY: all build deps deps-test test test-unit test-asan run stop status install clean bench
.PHONY: bench-forecast bench-forecast-periods bench-budget bench-history bench-cluster-import
.PHONY: fuzz test-fuzz fuzz-build
.PHONY: test-replay test-cluster deb

all: build

deps:
	@deploy/install-deps.sh --quiet

# What only the tests need: Chromium from Debian, the pinned npm tools.
deps-test:
	@deploy/install-deps.sh --quiet --test
	@deploy/install-npm.sh

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

# The whole suite once more against an ASan+UBSan build: the unit tests,
# and the integration tests with the stack's workers, scheduler and CLI
# instrumented (leak checking on; any report fails the run). Its test stack
# listens on port 18081, beside the normal build's 18080.
test-asan: deps
	@cmake -S . -B $(BUILD_ASAN) -DMLDASH_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
		-DMLDASH_TEST_PORT=18081 $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_ASAN) -j $(JOBS) -- --no-print-directory
	cd $(BUILD_ASAN) && ctest --output-on-failure

# libFuzzer targets (clang, ASan+UBSan) in their own build; see docs/fuzzing.md.
# Only the pure libraries and the targets are built there.
fuzz-build: deps
	@cmake -S . -B $(BUILD_FUZZ) -DCMAKE_C_COMPILER=clang -DMLDASH_FUZZ=ON -DMLDASH_TESTS=OFF \
		-DFUZZ_SMOKE_SECONDS=$(FUZZ_SMOKE_SECONDS) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzz_targets -- --no-print-directory

# Replays every committed seed and fuzzes each target FUZZ_SMOKE_SECONDS.
test-fuzz: fuzz-build
	cd $(BUILD_FUZZ) && ctest -L fuzz -j $(JOBS) --output-on-failure

# Fuzzes each target FUZZ_SECONDS; new inputs go to $(BUILD_FUZZ)/tests/fuzz/scratch.
fuzz: fuzz-build
	@for t in $(BUILD_FUZZ)/tests/fuzz/fuzz_*; do \
		n=$$(basename $$t); \
		tests/fuzz/run.sh $$t tests/fuzz/corpus/$${n#fuzz_} \
			$(BUILD_FUZZ)/tests/fuzz/scratch/$${n#fuzz_} $(FUZZ_SECONDS) || exit 1; \
	done

# Closing the loop (#16) over a year: integration.history_replay with 365
# days of ../shared/datasets' conjura brand replayed day by day (make test
# replays 36), each month's day's run checked against the test's own
# computation; prints the replay's time and the ml_* tables' sizes. About
# 6 minutes. REPLAY_DAYS picks another length (at least 30);
# MLDASH_REPLAY_KEEP_DAILY_DAYS=400 keeps every day's run (a year's tables).
REPLAY_DAYS ?= 365
test-replay: build
	cd $(BUILD) && MLDASH_REPLAY_DAYS=$(REPLAY_DAYS) ctest -R '^integration\.history_replay$$' \
		--output-on-failure --verbose

# Two app hosts on a three-node Galera cluster (#17), the long way: half an
# hour of schedule on a fast clock and 20 s of load while a node dies
# (make test runs the short version: about 80 s). About 2 minutes.
test-cluster: deps-test build
	MLDASH_BUILD_DIR=$(BUILD) MLDASH_CLUSTER_LONG=1 tests/cluster/test_cluster.sh

test-unit: build
	cd $(BUILD) && ctest -L unit --output-on-failure

test: deps-test build test-asan test-fuzz
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
# site, systemd units and the example configuration; then
# deploy/post-install.sh adds the mldash account, the spool folder and the
# API token file (as root without DESTDIR; staged, only the token file).
install: deps
	@cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

# The Debian package (debian/): dpkg-buildpackage -us -uc -b in a copy of the
# tree, then lintian, which must report no error or warning. The .deb and
# lintian's report land in build-deb/ (DEB_DIR). About a minute.
DEB_DIR ?= build-deb
deb:
	@deploy/install-deps.sh --quiet --deb
	@deploy/build-deb.sh $(DEB_DIR)

# Benchmarks (not timed tests): one run on this machine, one report, written
# to bench/results/latest.md (git-ignored) and printed; about 7 minutes.
# What each row means: docs/performance.md. Forecast accuracy is apart:
# `make bench-forecast` (below).
bench: build
	@MLDASH_BUILD_DIR=$(BUILD) bench/run.sh

# Forecast accuracy on the real series of ../shared/datasets: mldash's
# forecasts against R's forecast::ets, Prophet and seasonal naive (MASE,
# band coverage), written to bench/results/forecast_accuracy.md and
# printed. R's packages come from Debian (deploy/install-deps.sh
# --bench-forecast, only when missing). About 4 minutes on 2 cores, most of
# it Prophet; a minute when R's answers are cached (bench/results/r-cache).
bench-forecast: build
	@deploy/install-deps.sh --quiet --bench-forecast
	@MLDASH=$(BUILD)/cli/mldash bench/forecast_accuracy.py

# The same on monthly, quarterly and yearly series that ship with R, against
# R's ets, thetaf and auto.arima: bench/results/forecast_periods.md. About
# 4 minutes, nearly all auto.arima; seconds when R's answers are cached.
bench-forecast-periods: build
	@deploy/install-deps.sh --quiet --bench-forecast
	@MLDASH=$(BUILD)/cli/mldash bench/forecast_periods.py

# Budget advice against known truth (#15): random sets of 8 synthetic
# channels with known response curves (concave and S-shaped, carry-over,
# weekly seasonality, noise), `mldash budget --adstock --json` on each
# set's history, the split scored under the true curves against the true
# optimum within the same bounds and total, and the 80% intervals checked
# against the true revenue. Written to bench/results/budget_accuracy.md and
# printed. BENCH_BUDGET_FLAGS: --seed S, --sets N (default 60), --keep DIR
# (each set's CSV, mldash's answer, the truth). About 2 minutes, nearly all
# of it mldash.
bench-budget: build
	@mkdir -p bench/results
	@MLDASH=$(BUILD)/cli/mldash $(BUILD)/bench/budget_accuracy \
		--out bench/results/budget_accuracy.md $(BENCH_BUDGET_FLAGS)

# Table space of a year of days' runs (#16): real ML runs at 50 channels, the
# trimmed day's run copied for 365 days, sizes from information_schema after
# ANALYZE TABLE; written to bench/results/history_size.md. About a minute.
bench-history: build
	@MLDASH_BUILD_DIR=$(BUILD) bench/history_size.sh

# A 1,000,000-row import on a three-node Galera cluster (#17): one write set
# against streaming replication in fragments, and one node alone;
# bench/results/cluster_import.md. About 5 minutes.
bench-cluster-import: deps-test build
	@MLDASH_BUILD_DIR=$(BUILD) bench/cluster_import.sh

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
