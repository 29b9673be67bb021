# analytics-mcp: GNU make.  The user's CPPFLAGS/CFLAGS/LDFLAGS come after
# ours; hardening flags are the packager's (dpkg-buildflags, makepkg.conf).

VERSION    = 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
DATADIR   ?= $(PREFIX)/share/analytics-mcp
SYSCONFDIR ?= /etc
DESTDIR   ?=

CC        ?= cc
PKG_CONFIG ?= pkg-config
WARN = -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wformat=2 \
       -Wstrict-prototypes -Wmissing-prototypes -Wcast-qual \
       -Wwrite-strings -Wimplicit-fallthrough -Wvla
# CI sets WERROR=-Werror.
WERROR ?=
DEPS_CFLAGS := $(shell $(PKG_CONFIG) --cflags libbsd-overlay libpq 2>/dev/null || echo -I/usr/include/postgresql)
DEPS_LIBS   := $(shell $(PKG_CONFIG) --libs libbsd-overlay libpq 2>/dev/null || echo -lbsd -lpq)
ALL_CFLAGS   = -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) $(WERROR) $(DEPS_CFLAGS) \
               $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS  = $(LDFLAGS)

SRC = mcp-stdio/audit.c mcp-stdio/caller.c mcp-stdio/db.c mcp-stdio/guard.c mcp-stdio/io.c \
      mcp-stdio/json.c mcp-stdio/jw.c mcp-stdio/loop.c mcp-stdio/mcp.c \
      mcp-stdio/pgv.c mcp-stdio/rpc.c mcp-stdio/tool.c mcp-stdio/util.c
OBJ = $(SRC:.c=.o)
MAIN_OBJ = mcp-stdio/main.o
BIN = analytics-mcp

UNIT = tests/unit/json_test tests/unit/jw_test tests/unit/guard_test \
       tests/unit/pgv_test tests/unit/caller_test

all: $(BIN)

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
check:
	sh tests/deps.sh
	$(MAKE) all unit
	sh tests/run

demo:
	sh tests/deps.sh
	$(MAKE) all
	sh tests/demo.sh

install: all
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/$(BIN)
	install -d $(DESTDIR)$(DATADIR)
	install -m 0644 sql/analytics_ro_role.sql $(DESTDIR)$(DATADIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/$(BIN)
	rm -f $(DESTDIR)$(DATADIR)/analytics_ro_role.sql
	-rmdir $(DESTDIR)$(DATADIR)

clean:
	rm -f $(BIN) $(MAIN_OBJ) $(OBJ) $(UNIT)

.PHONY: all unit check demo install uninstall clean
