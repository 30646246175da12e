# mlk: one GNU Makefile. Local overrides go in config.mk.
#   make              build ./mlk
#   make check        run every test suite (SANITIZE=1 for ASan+UBSan)
#   make demo         build and run the example pipeline
#   make bench        run the benchmarks, one JSON object per line
#   make lint         clang-format check and cppcheck
#   make deps         install the Debian packages mlk needs, when missing
#   make install      PREFIX=/usr/local DESTDIR=

-include config.mk

VERSION   ?= 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

# The one list of Debian packages: building, testing, and the demo.
DEB_PACKAGES = gcc make pkg-config git man-db curl \
	libgit2-dev libarchive-dev zlib1g-dev libyaml-dev libssl-dev \
	libopenblas-dev liblapacke-dev libmicrohttpd-dev libjansson-dev \
	bats bats-support bats-assert jq groff-base gzip bzip2 xz-utils zstd zip \
	sqlite3 python3
# What make bench adds: the tools mlk is compared with.
DEB_BENCH_PACKAGES = python3-pandas python3-sklearn python3-flask gunicorn \
	wrk nodejs npm
# What make lint adds.
DEB_LINT_PACKAGES = clang-format cppcheck

PKGS = libgit2 jansson yaml-0.1 zlib libcrypto
# Loaded by the mlk binary when first used (cmd/lazylib.c); linked into
# the unit tests and tools.
LAZY_PKGS = lapacke openblas libmicrohttpd libarchive

CC       ?= cc
CFLAGS   ?= -O2 -g
CSTD      = -std=c11 -D_GNU_SOURCE
WARN      = -Wall -Wextra -Wshadow -Wno-unused-parameter -Wvla \
	-Wmissing-prototypes -Wstrict-prototypes -Wformat=2
ifeq ($(DEVELOPER),1)
WARN     += -Werror
endif
ifeq ($(SANITIZE),1)
BUILD     = build/san
SANFLAGS  = -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
else
BUILD     = build/std
SANFLAGS  =
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) $(LAZY_PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LAZY_LIBS  := $(shell pkg-config --libs $(LAZY_PKGS) 2>/dev/null)
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) $(SANFLAGS) -Ilib \
	-DMLK_VERSION='"$(VERSION)"' $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS) -Wl,--as-needed
LIBS_MLK = $(PKG_LIBS) -ldl -lpthread -lm
LIBS_ALL = $(PKG_LIBS) $(LAZY_LIBS) -lpthread -lm

LIB_SRC  = $(sort $(wildcard lib/*.c))
CMD_SRC  = $(sort $(wildcard cmd/*.c))
UNIT_SRC = $(sort $(wildcard tests/unit/*_test.c))
TOOL_SRC = $(sort $(wildcard tests/tools/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ  = $(CMD_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN = $(UNIT_SRC:%.c=$(BUILD)/%)
TOOL_BIN = $(TOOL_SRC:%.c=$(BUILD)/%)
LIBMLK   = $(BUILD)/libmlk.a
MLK_BIN  = $(BUILD)/mlk

.PHONY: all check unit demo bench lint deps deps-bench install uninstall \
	clean FORCE

all: mlk

mlk: $(MLK_BIN)
ifneq ($(SANITIZE),1)
	cp $(MLK_BIN) mlk
endif

# Rebuild everything when the flags change (git's GIT-CFLAGS).
$(BUILD)/FLAGS: FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' > $@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@

# Relink when a source file comes or goes, not only when one changes.
$(BUILD)/OBJS: FORCE
	@mkdir -p $(BUILD)
	@echo '$(LIB_OBJ) $(CMD_OBJ)' > $@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@

$(BUILD)/%.o: %.c $(BUILD)/FLAGS
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBMLK): $(LIB_OBJ) $(BUILD)/OBJS
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

$(MLK_BIN): $(CMD_OBJ) $(LIBMLK) $(BUILD)/OBJS
	$(CC) $(ALL_LDFLAGS) -o $@ $(CMD_OBJ) $(LIBMLK) $(LIBS_MLK)

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(BUILD)/tests/unit/tap.o $(LIBMLK)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/tests/unit/tap.o $(LIBMLK) $(LIBS_ALL)

$(BUILD)/tests/tools/%: $(BUILD)/tests/tools/%.o $(LIBMLK)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBMLK) $(LIBS_ALL)

unit: $(UNIT_BIN)

# Every suite: C unit tests, then one bats suite per command.
check: deps $(MLK_BIN) $(UNIT_BIN) $(TOOL_BIN)
	@MLK=$(CURDIR)/$(MLK_BIN) MLK_TOOLS=$(CURDIR)/$(BUILD)/tests/tools \
		MLK_SRC=$(CURDIR) tests/run $(UNIT_BIN)

demo: deps mlk
	examples/demo.sh $(CURDIR)/mlk

bench: deps deps-bench $(MLK_BIN) $(TOOL_BIN)
	@MLK=$(CURDIR)/$(MLK_BIN) MLK_TOOLS=$(CURDIR)/$(BUILD)/tests/tools \
		MLK_SRC=$(CURDIR) tests/bench/run

lint:
	@tests/install-deps $(DEB_LINT_PACKAGES)
	clang-format --dry-run --Werror lib/*.c lib/*.h cmd/*.c cmd/*.h
	cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
		--suppress=missingIncludeSystem -Ilib lib cmd

deps:
	@tests/install-deps $(DEB_PACKAGES)

deps-bench:
	@tests/install-deps $(DEB_BENCH_PACKAGES)

install: mlk
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
		$(DESTDIR)$(FISHCOMPDIR)
	install -m 755 mlk $(DESTDIR)$(BINDIR)/mlk
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5
	install -m 644 man/*.7 $(DESTDIR)$(MANDIR)/man7
	install -m 644 completions/mlk.bash $(DESTDIR)$(BASHCOMPDIR)/mlk
	install -m 644 completions/_mlk $(DESTDIR)$(ZSHCOMPDIR)/_mlk
	install -m 644 completions/mlk.fish $(DESTDIR)$(FISHCOMPDIR)/mlk.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mlk $(DESTDIR)$(BASHCOMPDIR)/mlk \
		$(DESTDIR)$(ZSHCOMPDIR)/_mlk $(DESTDIR)$(FISHCOMPDIR)/mlk.fish
	cd man && for f in *.[157]; do \
		rm -f $(DESTDIR)$(MANDIR)/man$${f##*.}/$$f; done

clean:
	rm -rf build mlk

FORCE:

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(UNIT_SRC:%.c=$(BUILD)/%.d) \
	$(TOOL_SRC:%.c=$(BUILD)/%.d)
