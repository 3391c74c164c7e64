# conftest: conformance test harness and fuzzer for SyncML DS 1.2 and its encryption profile.
#
#   make            build ./conftest and build/libconftest.a
#   make test       unit tests (gcc build), the same tests under ASan+UBSan (clang build),
#                   and the command-line tests
#   make clean      remove every build product
#
# Out-of-tree builds: every object goes under $(BUILD); `make BUILD=build/san SANITIZE=1` is how
# `make test` builds its sanitizer twin.

CC       ?= cc
BUILD    ?= build
SANITIZE ?=

PKGS        := libxml-2.0 openssl jansson sqlite3 libcurl libmicrohttpd gsl
WBXML_CFLAGS := $(shell pkg-config --cflags libwbxml2 2>/dev/null || echo -I/usr/include/libwbxml-1.0)
# Debian's libwbxml2.pc emits a broken relative -L path: link the library by name instead.
WBXML_LIBS  := -lwbxml2

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wvla -Wpointer-arith
CSTD     := -std=c11 -D_POSIX_C_SOURCE=200809L
OPT      ?= -O2 -g
ifeq ($(SANITIZE),1)
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
endif

INCLUDES := -Iharness $(shell pkg-config --cflags $(PKGS)) $(WBXML_CFLAGS)
ALL_CFLAGS = $(CSTD) $(WARN) $(OPT) $(INCLUDES) $(CFLAGS)
LIBS     := $(shell pkg-config --libs $(PKGS)) $(WBXML_LIBS)
TEST_LIBS := $(shell pkg-config --libs check)

VERSION  := $(shell cat VERSION)

# `make V=1` shows the full commands.
ifeq ($(V),1)
Q :=
say = @:
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif

# The core library: everything but the command-line front end.
LIB_SRCS := $(wildcard harness/base/*.c harness/livefuzz/*.c harness/syncml/*.c harness/wbxml/*.c harness/crypto/*.c harness/vectors/*.c harness/sut/*.c harness/net/*.c harness/serve/*.c harness/scn/*.c harness/engine/*.c harness/report/*.c)
CLI_SRCS := $(wildcard harness/cli/*.c)
TEST_SRCS := $(wildcard tests/unit/*.c)

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/%.o)

LIB      := $(BUILD)/libconftest.a
BIN      := $(BUILD)/conftest
UNIT     := $(BUILD)/unit-tests
BENCH    := $(BUILD)/bench/bench

.PHONY: all test bench unit-tests cli-tests suite-tests fuzz-live-tests mutation suite-clean san-tests interop clean \
        fuzz-targets fuzz-replay fuzz-replay-run fuzz-smoke fuzz-smoke-libfuzzer fuzz-smoke-afl
all: conftest

# ./conftest is the build of the default configuration; sanitizer builds stay under $(BUILD).
conftest: $(BIN)
	cp $(BIN) $@

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -DCONFTEST_VERSION='"$(VERSION)"' -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(BIN): $(CLI_OBJS) $(LIB)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJS) $(LIB) $(LIBS)

$(UNIT): $(TEST_OBJS) $(LIB)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(TEST_OBJS) $(LIB) $(LIBS) $(TEST_LIBS)

# Unit tests in this build configuration. CK_DEFAULT_TIMEOUT bounds every test case.
unit-tests: $(UNIT)
	CK_DEFAULT_TIMEOUT=60 CONFTEST_TESTDATA=tests/data CONFTEST_VECTORS=vectors $(UNIT)

cli-tests: $(BIN)
	tests/cli/run.sh $(BIN)

# The scenario suite against the builtin reference: green when clean, and every scenario red
# with the seeded bug it names (tests/proof/seeded-bugs.sh).
suite-tests: $(BIN)
	tests/proof/seeded-bugs.sh $(BIN) scenarios

# The same, by its name in the issue tracker: ends with `mutation score: CAUGHT/TOTAL`.
mutation: suite-tests

# The live fuzzer against the builtin reference: finds the seeded crash and hang bugs on its own,
# its saved scenarios reproduce them, and it finds nothing on the clean reference.
fuzz-live-tests: $(BIN)
	tests/fuzz/live.sh $(BIN)

# The suite once, against the clean reference (the sanitizer build runs this instead of the
# whole proof: the proof is about what scenarios judge, the sanitizers about memory).
suite-clean: $(BIN)
	$(BIN) run scenarios -q --seed 1 -j 4

# The sanitizer twin: clang when available (it also proves the code builds warning-free with
# clang), gcc otherwise.
SAN_CC := $(shell command -v clang >/dev/null 2>&1 && echo clang || echo gcc)
san-tests:
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    $(MAKE) --no-print-directory BUILD=build/san SANITIZE=1 CC=$(SAN_CC) unit-tests cli-tests suite-clean

# The benchmark program is built (never run) so that it cannot rot: timing belongs to make bench.
test: all $(BENCH) unit-tests cli-tests suite-tests fuzz-live-tests san-tests fuzz-replay

# Interoperability with SyncEvolution (a third-party DS 1.2 stack) on loopback: the suites with
# it as the server and as the client under test (reports under reports/), then data moved both
# ways. Needs root to install it and ../shared/peers (PEERS=DIR to point elsewhere).
# See docs/INTEROP.md.
PEERS ?= ../shared/peers
interop: all
	tests/interop/suites.sh $(PEERS)
	tests/interop/syncevolution.sh $(PEERS)

# ---- fuzzing (docs/FUZZING.md) ----
# One set of targets (fuzz/targets/*.c), built for an engine chosen by FUZZ_ENGINE:
#   replay     the standalone driver (fuzz/standalone_main.c): runs a corpus, no mutation;
#              `make test` replays every corpus with it under ASan+UBSan
#   libfuzzer  clang -fsanitize=fuzzer (the library built with -fsanitize=fuzzer-no-link)
#   afl        afl-clang-fast, persistent mode through its libFuzzer driver
#   external   OSS-Fuzz and ClusterFuzzLite (.clusterfuzzlite/build.sh): their CC, CFLAGS and
#              LIB_FUZZING_ENGINE, linked by FUZZ_LD (their CXX)
FUZZ_TARGETS := $(patsubst fuzz/targets/%.c,%,$(wildcard fuzz/targets/*.c))
FUZZ_ENGINE ?= replay
FUZZ_SECONDS ?= 20
FUZZ_BINS := $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
FUZZ_LD ?= $(CC)
ifeq ($(FUZZ_ENGINE),replay)
FUZZ_DRIVER := $(BUILD)/fuzz/standalone_main.o
FUZZ_LINK :=
else ifeq ($(FUZZ_ENGINE),external)
FUZZ_DRIVER :=
FUZZ_LINK := $(LIB_FUZZING_ENGINE)
else
FUZZ_DRIVER :=
FUZZ_LINK := -fsanitize=fuzzer
endif

$(BUILD)/fuzz/%: $(BUILD)/fuzz/targets/%.o $(BUILD)/fuzz/fuzz_common.o $(FUZZ_DRIVER) $(LIB)
	$(call say,LINK,$@)
	$(Q)$(FUZZ_LD) $(OPT) $(CFLAGS) $(FUZZ_LINK) -o $@ $(filter %.o,$^) $(LIB) $(LIBS)

$(BUILD)/fuzz/%.o: fuzz/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Ifuzz -MMD -MP -c $< -o $@

fuzz-targets: $(FUZZ_BINS)

# Replay every corpus (and the regression inputs) through every target, sanitized.
fuzz-replay-run: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
	    if CONFTEST_VECTORS=vectors $(BUILD)/fuzz/$$t fuzz/corpus/$$t >$(BUILD)/fuzz/$$t.log 2>&1; then \
	        echo "  $$t: $$(tail -1 $(BUILD)/fuzz/$$t.log)"; \
	    else \
	        cat $(BUILD)/fuzz/$$t.log; echo "FAIL $$t: the replay of fuzz/corpus/$$t failed"; exit 1; \
	    fi; \
	done

# Keep the fuzz objects: they are not intermediate files to be removed after linking.
.SECONDARY: $(patsubst fuzz/%.c,$(BUILD)/fuzz/%.o,$(wildcard fuzz/*.c fuzz/targets/*.c))

fuzz-replay:
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    $(MAKE) --no-print-directory BUILD=build/san SANITIZE=1 CC=$(SAN_CC) FUZZ_ENGINE=replay fuzz-replay-run

# Every target for FUZZ_SECONDS with each engine; a crash fails and leaves the reproducer
# under build/fuzz-<engine>/findings/<target>/.
fuzz-smoke: fuzz-smoke-libfuzzer fuzz-smoke-afl

fuzz-smoke-libfuzzer:
	$(MAKE) --no-print-directory BUILD=build/fuzz-libfuzzer SANITIZE=1 CC=clang FUZZ_ENGINE=libfuzzer \
	    CFLAGS=-fsanitize=fuzzer-no-link fuzz-targets
	tests/fuzz/smoke.sh libfuzzer build/fuzz-libfuzzer $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-smoke-afl:
	AFL_QUIET=1 $(MAKE) --no-print-directory BUILD=build/fuzz-afl CC=afl-clang-fast FUZZ_ENGINE=afl fuzz-targets
	tests/fuzz/smoke.sh afl build/fuzz-afl $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# ---- benchmarks (bench/run.sh): figures beside their limits; never part of make test ----
$(BENCH): $(BUILD)/bench/bench.o $(LIB)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(BUILD)/bench/bench.o $(LIB) $(LIBS)

bench: $(BENCH) conftest
	bench/run.sh $(BENCH)

clean:
	rm -rf build conftest

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(wildcard $(BUILD)/fuzz/*.d $(BUILD)/fuzz/targets/*.d)
