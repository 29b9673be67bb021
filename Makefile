# analytics-mcp: GNU make.  The user's CPPFLAGS/CFLAGS/LDFLAGS come after
# ours; hardening flags are the packager's (dpkg-buildflags, makepkg.conf).

VERSION    = 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
DATADIR   ?= $(PREFIX)/share/analytics-mcp
SYSCONFDIR ?= /etc
DESTDIR   ?=
# The wrappers are administrators' tools (section 8); Arch has no sbin
# and passes SBINDIR=/usr/bin.
SBINDIR   ?= $(PREFIX)/sbin
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
EXAMPLEDIR ?= $(DATADIR)/examples

CC        ?= cc
PKG_CONFIG ?= pkg-config
WARN = -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wformat=2 \
       -Wstrict-prototypes -Wmissing-prototypes -Wcast-qual \
       -Wwrite-strings -Wimplicit-fallthrough -Wvla \
       -Werror=implicit-function-declaration
# CI sets WERROR=-Werror.
WERROR ?=
# The libraries come from pkg-config, never from a guess: without it, or
# without one of them, the build stops at once and says what to install
# (make deps does).  Evaluated when a recipe runs, so that "make check"
# can install them first.
# libpq is not linked but loaded at run time (mcp-stdio/pq.c): its
# headers are needed, its library only by the test that calls it directly.
PKGS         = libbsd-overlay libpq
DEPS_CFLAGS  = $(shell $(PKG_CONFIG) --cflags $(PKGS)) -pthread
DEPS_LIBS    = $(shell $(PKG_CONFIG) --libs libbsd-overlay) -pthread
PQ_LIBS      = $(shell $(PKG_CONFIG) --libs libpq)
ALL_CFLAGS   = -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) $(WERROR) $(DEPS_CFLAGS) \
               -DMCP_VERSION='"$(VERSION)"' $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS  = $(LDFLAGS)

SRC = mcp-stdio/args.c mcp-stdio/array.c mcp-stdio/audit.c \
      mcp-stdio/banned.c \
      mcp-stdio/caller.c mcp-stdio/catalog.c mcp-stdio/complete.c \
      mcp-stdio/conn.c mcp-stdio/db.c \
      mcp-stdio/describe.c mcp-stdio/era.c mcp-stdio/explain.c \
      mcp-stdio/geo.c mcp-stdio/guard.c mcp-stdio/io.c mcp-stdio/job.c \
      mcp-stdio/json.c mcp-stdio/jsonchk.c mcp-stdio/jw.c mcp-stdio/lex.c \
      mcp-stdio/loop.c mcp-stdio/mcp.c mcp-stdio/pgv.c \
      mcp-stdio/prompt_text.c mcp-stdio/prompts.c \
      mcp-stdio/pq.c mcp-stdio/resources.c mcp-stdio/result.c \
      mcp-stdio/rowset.c mcp-stdio/rpc.c mcp-stdio/scalar.c \
      mcp-stdio/secret.c mcp-stdio/tools.c mcp-stdio/txn.c mcp-stdio/typname.c \
      mcp-stdio/util.c
OBJ = $(SRC:.c=.o)
MAIN_OBJ = mcp-stdio/main.o
BIN = analytics-mcp

UNIT = tests/unit/json_test tests/unit/jw_test tests/unit/guard_test \
       tests/unit/pgv_test tests/unit/caller_test tests/unit/io_test \
       tests/unit/rpc_test tests/unit/geo_test tests/unit/typname_test

all: $(BIN)

# Every object waits for this check (order-only: it changes no file).
depcheck:
	@command -v $(PKG_CONFIG) >/dev/null 2>&1 || { \
	    echo "error: $(PKG_CONFIG) is missing: run make deps" >&2; exit 1; }
	@$(PKG_CONFIG) --exists $(PKGS) || { \
	    echo "error: missing libraries ($(PKGS)): run make deps" >&2; \
	    exit 1; }
	@test -f /usr/include/jsmn.h || { \
	    echo "error: jsmn.h is missing (libjsmn-dev): run make deps" >&2; \
	    exit 1; }

$(OBJ) $(MAIN_OBJ): | depcheck

$(BIN): $(MAIN_OBJ) $(OBJ)
	$(CC) -o $@ $(MAIN_OBJ) $(OBJ) $(ALL_LDFLAGS) $(DEPS_LIBS)

mcp-stdio/%.o: mcp-stdio/%.c mcp-stdio/extern.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# jsmn is instantiated here and only here; its code compares int with
# size_t, hence the one exception to -Wconversion's sign checks.
mcp-stdio/json.o: mcp-stdio/json.c mcp-stdio/extern.h
	$(CC) $(ALL_CFLAGS) -Wno-sign-conversion -c -o $@ $<

tests/unit/%: tests/unit/%.c tests/unit/t.h $(OBJ)
	$(CC) $(ALL_CFLAGS) -Imcp-stdio -o $@ $< $(OBJ) $(ALL_LDFLAGS) $(DEPS_LIBS)

unit: $(UNIT)

# Installs missing Debian packages (as root), builds, starts a throwaway
# PostgreSQL and runs every test; the last line is "N passed, N failed".
check: deps
	$(MAKE) all unit
	$(MAKE) lint
	sh tests/run

# A scripted MCP session against a throwaway PostgreSQL with the sample
# data, shown as the model sees it; only the demo's packages (deps-demo).
demo: deps-demo
	@echo "Building analytics-mcp (make all) ..."
	@$(MAKE) -s --no-print-directory all
	@sh tests/demo.sh

# The same database kept running, and the lines that connect an MCP
# client to it; try-stop stops and removes it.  TRY_DIR (default
# /tmp/analytics-mcp-try) is where it lives.
TRY_DIR ?=
try: deps-demo
	@echo "Building analytics-mcp (make all) ..."
	@$(MAKE) -s --no-print-directory all
	@sh tests/demo.sh --try $(TRY_DIR)

try-stop:
	@sh tests/demo.sh --stop $(TRY_DIR)

# The Debian packages that building and testing need (as root; else it
# names the missing ones and fails).
deps:
	sh tests/deps.sh

deps-demo:
	@sh tests/deps.sh --demo

# What install puts where; tests/ship.sh checks the same list.
WRAPPERS = wrappers/analytics-mcp-keys wrappers/analytics-mcp-socat
MAN1     = man/analytics-mcp.1
MAN7     = man/analytics-mcp-deploy.7
MAN8     = man/analytics-mcp-keys.8 man/analytics-mcp-socat.8
DATA     = sql/analytics_ro_role.sql
DATA_BIN = sql/bootstrap_analytics_ro.sh
UNITS    = wrappers/systemd/analytics-mcp.socket \
           wrappers/systemd/analytics-mcp@.service \
           wrappers/systemd/analytics-mcp-socat.service
EXAMPLES = wrappers/sshd_config.example wrappers/ssh_config.example

# The units and examples name the programs by their /usr/local paths;
# install rewrites those for this installation's BINDIR and SBINDIR.
FIXPATHS = sed -E -e 's,/usr/local/s?bin/(analytics-mcp-[a-z]+),$(SBINDIR)/\1,g' \
               -e 's,/usr/local/bin/analytics-mcp([^-]|$$),$(BINDIR)/analytics-mcp\1,g'

install: all
	install -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(SBINDIR)" \
	    "$(DESTDIR)$(MANDIR)/man1" "$(DESTDIR)$(MANDIR)/man7" \
	    "$(DESTDIR)$(MANDIR)/man8" "$(DESTDIR)$(DATADIR)" \
	    "$(DESTDIR)$(EXAMPLEDIR)" "$(DESTDIR)$(SYSTEMDUNITDIR)" \
	    "$(DESTDIR)$(SYSCONFDIR)/analytics-mcp"
	install -m 0755 $(BIN) "$(DESTDIR)$(BINDIR)/$(BIN)"
	install -m 0755 $(WRAPPERS) "$(DESTDIR)$(SBINDIR)/"
	install -m 0644 $(MAN1) "$(DESTDIR)$(MANDIR)/man1/"
	install -m 0644 $(MAN7) "$(DESTDIR)$(MANDIR)/man7/"
	install -m 0644 $(MAN8) "$(DESTDIR)$(MANDIR)/man8/"
	install -m 0644 $(DATA) "$(DESTDIR)$(DATADIR)/"
	install -m 0755 $(DATA_BIN) "$(DESTDIR)$(DATADIR)/"
	for f in $(UNITS); do \
	    $(FIXPATHS) "$$f" >"$(DESTDIR)$(SYSTEMDUNITDIR)/$${f##*/}" && \
	    chmod 0644 "$(DESTDIR)$(SYSTEMDUNITDIR)/$${f##*/}" || exit 1; done
	for f in $(EXAMPLES); do \
	    $(FIXPATHS) "$$f" >"$(DESTDIR)$(EXAMPLEDIR)/$${f##*/}" && \
	    chmod 0644 "$(DESTDIR)$(EXAMPLEDIR)/$${f##*/}" || exit 1; done

# Removes what install put, then the directories that are ours when
# empty.  In a staging tree (DESTDIR set) the standard directories go too
# when empty; on the live system they may belong to others and stay.
uninstall:
	rm -f "$(DESTDIR)$(BINDIR)/$(BIN)"
	for f in $(notdir $(WRAPPERS)); do rm -f "$(DESTDIR)$(SBINDIR)/$$f"; done
	for f in $(notdir $(MAN1)); do rm -f "$(DESTDIR)$(MANDIR)/man1/$$f"; done
	for f in $(notdir $(MAN7)); do rm -f "$(DESTDIR)$(MANDIR)/man7/$$f"; done
	for f in $(notdir $(MAN8)); do rm -f "$(DESTDIR)$(MANDIR)/man8/$$f"; done
	for f in $(notdir $(DATA) $(DATA_BIN)); do \
	    rm -f "$(DESTDIR)$(DATADIR)/$$f"; done
	for f in $(notdir $(UNITS)); do \
	    rm -f "$(DESTDIR)$(SYSTEMDUNITDIR)/$$f"; done
	for f in $(notdir $(EXAMPLES)); do rm -f "$(DESTDIR)$(EXAMPLEDIR)/$$f"; done
	-rmdir "$(DESTDIR)$(EXAMPLEDIR)" "$(DESTDIR)$(DATADIR)" \
	    "$(DESTDIR)$(SYSCONFDIR)/analytics-mcp" 2>/dev/null
	if [ -n "$(DESTDIR)" ]; then \
	    for d in "$(BINDIR)" "$(SBINDIR)" "$(MANDIR)/man1" \
	        "$(MANDIR)/man7" "$(MANDIR)/man8" "$(DATADIR)" \
	        "$(SYSTEMDUNITDIR)" "$(SYSCONFDIR)"; do \
	        while [ "$$d" != / ] && [ "$$d" != . ] && \
	            rmdir "$(DESTDIR)$$d" 2>/dev/null; do \
	            d=$$(dirname "$$d"); done; \
	    done; \
	fi

# The mdoc(7) macro names: a .Sh or .Ss line whose first word is one of
# them calls that macro (".Ss In a container" renders as <a> container),
# which mandoc accepts without a word.
MDOC_MACROS = %A %B %C %D %I %J %N %O %P %Q %R %T %U %V Ac Ad An Ao Ap Aq \
	Ar At Bc Bd Bf Bk Bl Bo Bq Brc Bro Brq Bsx Bt Bx Cd Cm D1 Db Dc Dd Dl Do \
	Dq Dt Dv Dx Ec Ed Ef Ek El Em En Eo Er Es Ev Ex Fa Fc Fd Fl Fn Fo Fr Ft \
	Fx Hf Ic In It Lb Li Lk Lp Ms Mt Nd Nm No Ns Nx Oc Oo Op Os Ot Ox Pa Pc \
	Pf Po Pp Pq Qc Ql Qo Qq Re Rs Rsc Rv Sc Sh Sm So Sq Ss St Sx Sy Ta Tg Tn \
	Ud Ux Va Vt Xc Xo Xr
EMPTY :=
SPACE := $(EMPTY) $(EMPTY)
MDOC_MACRO_RE = $(subst $(SPACE),|,$(strip $(MDOC_MACROS)))

# Every manual page through mandoc's linter, every shell script through
# shellcheck and the C sources through cppcheck: no output is a pass.
SHELL_SCRIPTS = wrappers/analytics-mcp-keys wrappers/analytics-mcp-socat \
	sql/bootstrap_analytics_ro.sh docker/entrypoint.sh .ci/run tests/run \
	tests/deps.sh tests/demo.sh tests/lib.sh tests/pg.sh tests/reach.sh \
	tests/ship.sh tests/fuzz/fuzz.sh
lint:
	mandoc -Tlint -Wwarning man/*.[1-8]
	@bad=$$(grep -nE '^\.S[hs][[:space:]]+($(MDOC_MACRO_RE))([[:space:]]|$$)' \
	    man/*.[1-8]); [ -z "$$bad" ] || { printf '%s\n' "$$bad" \
	    "a heading starts with an mdoc macro name: write \\& before it" \
	    >&2; exit 1; }
	shellcheck -x $(SHELL_SCRIPTS)
	cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
	    --enable=warning,portability,performance -D__GNUC__ \
	    -DMCP_VERSION='"$(VERSION)"' -Imcp-stdio mcp-stdio/*.c

# A versioned tarball of the tracked files of DIST_REF (a commit or tree).
DIST_REF ?= HEAD
DIST_OUT ?= analytics-mcp-$(VERSION).tar.gz
dist:
	git archive --prefix=analytics-mcp-$(VERSION)/ -o $(DIST_OUT) \
	    $(DIST_REF)

# The binary and the unit tests built with AddressSanitizer and UBSan in
# a directory of their own; runs the unit tests, the golden transcripts
# and the integration suites (against a throwaway PostgreSQL) with them.
ASAN_DIR    = build-asan
ASAN_CFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
              -fno-omit-frame-pointer
ASAN_OBJ    = $(patsubst mcp-stdio/%.c,$(ASAN_DIR)/%.o,$(SRC))
ASAN_UNIT   = $(patsubst tests/unit/%,$(ASAN_DIR)/%,$(UNIT))

$(ASAN_OBJ) $(ASAN_DIR)/main.o: | depcheck

$(ASAN_DIR)/%.o: mcp-stdio/%.c mcp-stdio/extern.h
	@mkdir -p $(ASAN_DIR)
	$(CC) $(ALL_CFLAGS) $(ASAN_CFLAGS) -c -o $@ $<

$(ASAN_DIR)/json.o: mcp-stdio/json.c mcp-stdio/extern.h
	@mkdir -p $(ASAN_DIR)
	$(CC) $(ALL_CFLAGS) $(ASAN_CFLAGS) -Wno-sign-conversion -c -o $@ $<

$(ASAN_DIR)/$(BIN): $(ASAN_DIR)/main.o $(ASAN_OBJ)
	$(CC) $(ASAN_CFLAGS) -o $@ $(ASAN_DIR)/main.o $(ASAN_OBJ) \
	    $(ALL_LDFLAGS) $(DEPS_LIBS)

$(ASAN_DIR)/%_test: tests/unit/%_test.c tests/unit/t.h $(ASAN_OBJ)
	$(CC) $(ALL_CFLAGS) $(ASAN_CFLAGS) -Imcp-stdio -o $@ $< $(ASAN_OBJ) \
	    $(ALL_LDFLAGS) $(DEPS_LIBS)

asan: $(ASAN_DIR)/$(BIN) $(ASAN_UNIT)
	for t in $(ASAN_UNIT); do \
	    ./$$t >$$t.out || { cat $$t.out; exit 1; }; done
	for t in $(FUZZ_TARGETS); do \
	    ./$(ASAN_DIR)/$${t}_replay tests/fuzz/corpus/$$t || exit 1; done
	python3 tests/golden.py $(ASAN_DIR)/$(BIN)
	sh tests/run --integration $(ASAN_DIR)/$(BIN)

# libFuzzer targets (tests/fuzz/): the request-line handler with the
# database stubbed out (nodb.c), the SQL guard, and PostgreSQL values as
# JSON.  make fuzz builds them with Debian's clang under ASan and UBSan and
# runs each for FUZZ_SECONDS; make unit builds the same targets with the
# plain driver (replay.c) and the normal flags, and make check replays
# every corpus through them.  See tests/README.
FUZZ_TARGETS = request guard pgv
FUZZ_SECONDS ?= 60
FUZZ_CC     ?= clang
FUZZ_DIR     = build-fuzz
FUZZ_SAN     = -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer
FUZZ_CFLAGS  = -std=c11 -D_GNU_SOURCE -O1 -g $(DEPS_CFLAGS) \
               -DMCP_VERSION='"$(VERSION)"' $(FUZZ_SAN)
FUZZ_OBJ     = $(patsubst mcp-stdio/%.c,$(FUZZ_DIR)/%.o,\
               $(filter-out mcp-stdio/db.c,$(SRC)))
FUZZ_BIN     = $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%_fuzz)
FUZZ_REPLAY  = $(FUZZ_TARGETS:%=tests/fuzz/%_replay)
REPLAY_OBJ   = $(filter-out mcp-stdio/db.o,$(OBJ))

unit: $(FUZZ_REPLAY) tests/fuzz/guard_differential

# Every program here links nodb.c in place of db.c: loop.o needs a
# runner, and none of them has a database to give it.
tests/fuzz/%_replay: tests/fuzz/%.c tests/fuzz/replay.c tests/fuzz/nodb.c \
    $(REPLAY_OBJ)
	$(CC) $(ALL_CFLAGS) -Imcp-stdio -o $@ tests/fuzz/$*.c \
	    tests/fuzz/replay.c tests/fuzz/nodb.c $(REPLAY_OBJ) \
	    $(ALL_LDFLAGS) $(DEPS_LIBS)

# The guard against a throwaway PostgreSQL over the guard's corpus
# (tests/run runs it).
tests/fuzz/guard_differential: tests/fuzz/differential.c $(REPLAY_OBJ) \
    tests/fuzz/nodb.c
	$(CC) $(ALL_CFLAGS) -Imcp-stdio -o $@ tests/fuzz/differential.c \
	    tests/fuzz/nodb.c $(REPLAY_OBJ) $(ALL_LDFLAGS) $(DEPS_LIBS) $(PQ_LIBS)

# make asan replays the corpora too, through targets built like its own.
ASAN_REPLAY = $(FUZZ_TARGETS:%=$(ASAN_DIR)/%_replay)

$(ASAN_DIR)/%_replay: tests/fuzz/%.c tests/fuzz/replay.c tests/fuzz/nodb.c \
    $(ASAN_OBJ)
	$(CC) $(ALL_CFLAGS) $(ASAN_CFLAGS) -Imcp-stdio -o $@ tests/fuzz/$*.c \
	    tests/fuzz/replay.c tests/fuzz/nodb.c \
	    $(filter-out $(ASAN_DIR)/db.o,$(ASAN_OBJ)) $(ALL_LDFLAGS) \
	    $(DEPS_LIBS)

asan: $(ASAN_REPLAY)

$(FUZZ_OBJ): | depcheck

$(FUZZ_DIR)/%.o: mcp-stdio/%.c mcp-stdio/extern.h
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/%_fuzz: tests/fuzz/%.c tests/fuzz/nodb.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Imcp-stdio -o $@ \
	    tests/fuzz/$*.c tests/fuzz/nodb.c $(FUZZ_OBJ) $(DEPS_LIBS)

fuzz:
	sh tests/deps.sh --fuzz
	$(MAKE) $(FUZZ_BIN)
	sh tests/fuzz/fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The benchmarks, never part of check (see bench/README.md): bench.py runs
# analytics-mcp against psql, COPY and the Node reference server (npm ci
# from bench/package-lock.json) and prints the README's table, writing
# bench/out/; then sessions.py starts 500 analyst sessions at once through
# PgBouncer, and straight to PostgreSQL, each on a throwaway cluster of
# its own (the figures of analytics-mcp-deploy(7)).  Installs what it
# needs, as make check does.
bench:
	sh tests/deps.sh --bench
	$(MAKE) all
	python3 bench/bench.py ./$(BIN)
	@tmp=$$(mktemp -d /tmp/analytics-mcp-bench.XXXXXX); \
	chmod 0755 "$$tmp"; \
	if sh tests/pg.sh start "$$tmp/pg" >"$$tmp/pg.log" 2>&1; then \
	    python3 bench/sessions.py "$$tmp/pg" ./$(BIN); rc=$$?; \
	else cat "$$tmp/pg.log"; rc=1; fi; \
	sh tests/pg.sh destroy "$$tmp/pg"; rm -rf "$$tmp"; exit $$rc

clean:
	rm -f $(BIN) $(MAIN_OBJ) $(OBJ) $(UNIT) $(FUZZ_REPLAY) \
	    tests/fuzz/guard_differential
	rm -rf $(ASAN_DIR) $(FUZZ_DIR) analytics-mcp-$(VERSION).tar.gz

.PHONY: all unit check deps depcheck demo install uninstall clean lint dist \
	asan deps-demo try try-stop fuzz bench
