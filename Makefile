# grondslag - one plain Makefile (GNU make).
#
#   make              build build/grondslag (and the daemon, once it exists)
#   make demo         install what is missing, build, run the main job
#   make check        install what is missing, build, run every test
#   make asan         the whole suite under ASan + UBSan
#   make fuzz         libFuzzer builds of the fuzz targets (clang)
#   make doc-screenshots  the screenshots of docs/jurists.md, from the browser test
#   make bench        throughput against baselines run in the same invocation,
#                     then the findings against BENCH_BASE's build (default main)
#                     or BENCH_BASELINE=old/grondslag, byte for byte
#   make eval CORPUS=../shared/corpus [EVAL_BASELINE=eval-files.tsv of a run on main] [EVAL_OLD=an earlier build/grondslag: findings compared byte for byte]
#   make install PREFIX=/usr/local DESTDIR=
#   make deb          the Debian package (contrib/debian) in build/deb, lintian
#   make deb-check    install that package on this host and try it (as root)
#
# Targets that need packages first run tests/deps.sh, then re-enter make so
# that pkg-config is asked only once the -dev packages are there.

PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
CC       ?= gcc
CFLAGS   ?= -O2 -g
LDFLAGS  ?=
CORPUS   ?= ../shared/corpus
BENCH_BASE ?= main
BENCH_BASELINE ?=

PKGS     := gmime-3.0 libmaxminddb yaml-0.1 sqlite3 gpgme gpg-error libidn2 nettle
# Their headers only: libraries loaded with dlopen() when first needed
# (milter/base/dynlib.c), so that no program pays at every start for them
# and the libraries below them: libpq when a PostgreSQL store is opened
# (store/pqlib.c, twenty libraries), libarchive at the first archive
# (scan/archlib.c) and libgsf at the first compound file (scan/gsflib.c;
# the two bring libxml2, ICU and the C++ runtime).  The daemon loads the
# last two at its start.
PKGS_DLOPEN := libpq libarchive libgsf-1
# -isystem: our warnings are errors, the libraries' headers are not ours.
PKG_CFLAGS = $(patsubst -I%,-isystem %,$(shell pkg-config --cflags $(PKGS) $(PKGS_DLOPEN)))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
MILTER_CFLAGS = $(patsubst -I%,-isystem %,$(shell pkg-config --cflags milter))
MILTER_LIBS   = $(shell pkg-config --libs milter)
CMOCKA_LIBS   = $(shell pkg-config --libs cmocka)
# Unit tests write the archives and compound files they read themselves.
TEST_LIBS     = $(shell pkg-config --libs libarchive libgsf-1)

WARN     := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wpointer-arith -Wvla -Werror
HARDEN   := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(HARDEN) -Iinclude $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pie -pthread $(LDFLAGS)

# The code is one folder per subsystem under milter/ (docs/design.md);
# include/grondslag/ mirrors it.  The core library is every subsystem but
# the CLI (milter/ctl/) and the daemon's libmilter adapter, the only two
# files that may include libmilter (tests/golden/t-layers.sh checks it).
SUBSYSTEMS := base scan config decide store notice report daemon
ADAPTER_SRCS := milter/daemon/main.c milter/daemon/callbacks.c
CORE_SRCS := $(filter-out $(ADAPTER_SRCS),$(sort $(foreach d,$(SUBSYSTEMS),$(wildcard milter/$(d)/*.c))))
CORE_OBJS := $(CORE_SRCS:milter/%.c=$(BUILD)/obj/%.o)
CTL_SRCS  := $(sort $(wildcard milter/ctl/*.c))
CTL_OBJS  := $(CTL_SRCS:milter/%.c=$(BUILD)/obj/%.o)
DAEMON_SRCS := $(wildcard $(ADAPTER_SRCS))
DAEMON_OBJS := $(DAEMON_SRCS:milter/%.c=$(BUILD)/obj/%.o)
LIB       := $(BUILD)/libgrondslag.a

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/tests/replay_%)
TOOLS_SRCS := $(sort $(wildcard tests/tools/*.c))
TOOLS_BINS := $(TOOLS_SRCS:tests/tools/%.c=$(BUILD)/tests/%)

# The jurists' web console: only milter/web/main.c and http.c use
# libmicrohttpd and GnuTLS; the rest of milter/web is pure (unit-tested
# through $(WEB_LIB)).
WEB_SRCS := $(sort $(wildcard milter/web/*.c))
WEB_MHD_SRCS := milter/web/main.c milter/web/http.c
WEB_PURE_OBJS := $(patsubst milter/web/%.c,$(BUILD)/obj/web/%.o,$(filter-out $(WEB_MHD_SRCS),$(WEB_SRCS)))
WEB_MHD_OBJS := $(WEB_MHD_SRCS:milter/web/%.c=$(BUILD)/obj/web/%.o)
WEB_LIB := $(BUILD)/libgrondslag-web.a
WEB_CFLAGS = $(patsubst -I%,-isystem %,$(shell pkg-config --cflags libmicrohttpd gnutls))
WEB_LIBS = $(shell pkg-config --libs libmicrohttpd gnutls)

PROGRAMS := $(BUILD)/grondslag $(BUILD)/grondslag-web
ifneq ($(DAEMON_SRCS),)
PROGRAMS += $(BUILD)/grondslag-milter
endif

.PHONY: all deps demo check test asan fuzz bench eval soak install clean tests-build deb deb-check \
	doc-screenshots
.DELETE_ON_ERROR:

all: $(PROGRAMS)

# Every compile writes its .d file (-MMD -MP): an object depends on
# exactly the headers it includes, no more.
DEPFLAGS = -MMD -MP -MF $@.d

$(BUILD)/obj/%.o: milter/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(if $(filter $(ADAPTER_SRCS),$<),$(MILTER_CFLAGS)) $(DEPFLAGS) -c $< -o $@

$(BUILD)/tests/.dir:
	mkdir -p $(@D) && touch $@

$(LIB): $(CORE_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/grondslag: $(CTL_OBJS) $(LIB)
	$(CC) $(ALL_LDFLAGS) $(CTL_OBJS) $(LIB) $(PKG_LIBS) -o $@

$(BUILD)/grondslag-milter: $(DAEMON_OBJS) $(LIB)
	$(CC) $(ALL_LDFLAGS) $(DAEMON_OBJS) $(LIB) $(PKG_LIBS) $(MILTER_LIBS) -o $@

$(BUILD)/obj/web/%.o: milter/web/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(if $(filter $(WEB_MHD_SRCS),$<),$(WEB_CFLAGS)) $(DEPFLAGS) -c $< -o $@

$(WEB_LIB): $(WEB_PURE_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/grondslag-web: $(WEB_MHD_OBJS) $(WEB_LIB) $(LIB)
	$(CC) $(ALL_LDFLAGS) $(WEB_MHD_OBJS) $(WEB_LIB) $(LIB) $(PKG_LIBS) $(WEB_LIBS) -o $@

# The daemon of the crash-window tests: the same objects, but fault.c
# with GRONDSLAG_FAULTS (fault.h), linked before the library so that its
# fault_point() is the one taken.
FAULTS_BIN := $(BUILD)/tests/grondslag-milter-faults
$(BUILD)/obj/fault-test.o: milter/base/fault.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DGRONDSLAG_FAULTS $(DEPFLAGS) -c $< -o $@

$(FAULTS_BIN): $(DAEMON_OBJS) $(BUILD)/obj/fault-test.o $(LIB) | $(BUILD)/tests/.dir
	$(CC) $(ALL_LDFLAGS) $(DAEMON_OBJS) $(BUILD)/obj/fault-test.o $(LIB) $(PKG_LIBS) $(MILTER_LIBS) -o $@

# The CLI and the daemon as they are on a host without libpq5: pqlib.c
# with a soname no system has, linked before the library (as fault.c
# above), for tests/golden/t-libpq-load.sh.
NOLIBPQ_BINS := $(BUILD)/tests/grondslag-nolibpq $(BUILD)/tests/grondslag-milter-nolibpq
$(BUILD)/obj/pqlib-absent.o: milter/store/pqlib.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DPQLIB_SONAME='"libpq-absent.so.5"' $(DEPFLAGS) -c $< -o $@

$(BUILD)/tests/grondslag-nolibpq: $(CTL_OBJS) $(BUILD)/obj/pqlib-absent.o $(LIB) | $(BUILD)/tests/.dir
	$(CC) $(ALL_LDFLAGS) $(CTL_OBJS) $(BUILD)/obj/pqlib-absent.o $(LIB) $(PKG_LIBS) -o $@

$(BUILD)/tests/grondslag-milter-nolibpq: $(DAEMON_OBJS) $(BUILD)/obj/pqlib-absent.o $(LIB) | $(BUILD)/tests/.dir
	$(CC) $(ALL_LDFLAGS) $(DAEMON_OBJS) $(BUILD)/obj/pqlib-absent.o $(LIB) $(PKG_LIBS) $(MILTER_LIBS) -o $@

# The same on a host without libarchive13 and libgsf-1-114 (archlib.c and
# gsflib.c with sonames no system has), for tests/golden/t-readers-load.sh.
NOREADERS_BINS := $(BUILD)/tests/grondslag-noreaders $(BUILD)/tests/grondslag-milter-noreaders
NOREADERS_OBJS := $(BUILD)/obj/archlib-absent.o $(BUILD)/obj/gsflib-absent.o
$(BUILD)/obj/archlib-absent.o: milter/scan/archlib.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DARCHLIB_SONAME='"libarchive-absent.so.13"' $(DEPFLAGS) -c $< -o $@

$(BUILD)/obj/gsflib-absent.o: milter/scan/gsflib.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DGSFLIB_SONAME='"libgsf-absent.so.114"' $(DEPFLAGS) -c $< -o $@

$(BUILD)/tests/grondslag-noreaders: $(CTL_OBJS) $(NOREADERS_OBJS) $(LIB) | $(BUILD)/tests/.dir
	$(CC) $(ALL_LDFLAGS) $(CTL_OBJS) $(NOREADERS_OBJS) $(LIB) $(PKG_LIBS) -o $@

$(BUILD)/tests/grondslag-milter-noreaders: $(DAEMON_OBJS) $(NOREADERS_OBJS) $(LIB) | $(BUILD)/tests/.dir
	$(CC) $(ALL_LDFLAGS) $(DAEMON_OBJS) $(NOREADERS_OBJS) $(LIB) $(PKG_LIBS) $(MILTER_LIBS) -o $@

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIB) | $(BUILD)/tests/.dir
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -Itests/unit $(DEPFLAGS) $(ALL_LDFLAGS) $< $(LIB) $(PKG_LIBS) $(TEST_LIBS) $(CMOCKA_LIBS) -o $@


# The console's pure parts (shorter stem: this rule wins over test_%).
$(BUILD)/tests/test_web_%: tests/unit/test_web_%.c $(WEB_LIB) $(LIB) | $(BUILD)/tests/.dir
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -Itests/unit -Imilter/web $(DEPFLAGS) $(ALL_LDFLAGS) $< $(WEB_LIB) $(LIB) $(PKG_LIBS) $(CMOCKA_LIBS) -o $@

# Fuzz targets built with the replay runner (gcc or clang, no libFuzzer):
# make check replays every seed; make fuzz builds the real fuzzers.
$(BUILD)/tests/replay_%: tests/fuzz/%.c tests/fuzz/replay.c $(LIB) | $(BUILD)/tests/.dir
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(DEPFLAGS) $(ALL_LDFLAGS) $< tests/fuzz/replay.c $(LIB) $(PKG_LIBS) -o $@

$(BUILD)/tests/%: tests/tools/%.c $(LIB) | $(BUILD)/tests/.dir
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(DEPFLAGS) $(ALL_LDFLAGS) $< $(LIB) $(PKG_LIBS) $(MILTER_LIBS) -o $@

-include $(wildcard $(BUILD)/obj/*/*.o.d $(BUILD)/obj/*.o.d $(BUILD)/tests/*.d)

tests-build: all $(UNIT_BINS) $(FUZZ_REPLAY) $(TOOLS_BINS) $(if $(DAEMON_SRCS),$(FAULTS_BIN) $(NOLIBPQ_BINS) $(NOREADERS_BINS))

deps:
	sh tests/deps.sh

# ---- the two commands of README ----------------------------------------
demo: deps
	$(MAKE) all
	sh tests/demo.sh

check:
	sh tests/deps.sh check
	$(MAKE) test

# The suite itself (no installing): unit, golden, fuzz replay, end to end.
test: tests-build
	BUILD=$(BUILD) sh tests/run.sh

ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
asan:
	sh tests/deps.sh check
	$(MAKE) BUILD=build-asan CFLAGS="$(ASAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" test

fuzz: deps
	sh tests/fuzz/build.sh

bench: deps
	$(MAKE) all $(TOOLS_BINS)
	BUILD=$(BUILD) CORPUS=$(CORPUS) BENCH_BASE=$(BENCH_BASE) BENCH_BASELINE=$(BENCH_BASELINE) \
		sh tests/bench/run.sh

# The screenshots of docs/jurists.md, made again by the console's browser
# test (as root, like check).
doc-screenshots: deps
	$(MAKE) all tests-build
	BUILD=$(BUILD) sh contrib/doc-screenshots.sh

# Not part of check: SOAK_MESSAGES (default 20000) through Postfix with
# the milter killed at random and the store's disk full for a while.
soak: deps
	$(MAKE) all
	BUILD=$(BUILD) sh tests/soak/soak.sh

eval: deps
	$(MAKE) all
	BUILD=$(BUILD) CORPUS=$(CORPUS) EVAL_BASELINE=$(EVAL_BASELINE) EVAL_OLD=$(EVAL_OLD) sh tests/eval.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
		$(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(PREFIX)/share/doc/grondslag
	install -m 755 $(BUILD)/grondslag $(DESTDIR)$(PREFIX)/bin/grondslag
	if [ -f $(BUILD)/grondslag-milter ]; then install -m 755 $(BUILD)/grondslag-milter $(DESTDIR)$(PREFIX)/sbin/; fi
	install -m 755 $(BUILD)/grondslag-web $(DESTDIR)$(PREFIX)/sbin/
	for m in docs/*.1; do [ -f $$m ] && install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man1/ || true; done
	for m in docs/*.5; do [ -f $$m ] && install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man5/ || true; done
	for m in docs/*.8; do [ -f $$m ] && install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man8/ || true; done
	install -m 644 conf/*.sample* docs/*.md $(DESTDIR)$(PREFIX)/share/doc/grondslag/
	install -D -m 644 contrib/postgresql-grants.sql \
		$(DESTDIR)$(PREFIX)/share/grondslag/postgresql-grants.sql
	install -d $(DESTDIR)$(PREFIX)/share/doc/grondslag/contrib
	install -m 644 contrib/grondslag-milter.service contrib/grondslag-web.service \
		contrib/grondslag.tmpfiles \
		$(DESTDIR)$(PREFIX)/share/doc/grondslag/contrib/

# The Debian package: a staged copy of the tree (tracked and new files,
# no build output) with contrib/debian as debian/ and the unit and
# tmpfiles.d entry copied in from contrib/, built by dpkg-buildpackage
# (its test step does not run the suite: make check does).  lintian's
# answer is kept in build/deb/lintian.txt; an error fails the target.
VERSION := $(shell sed -n 's/.*GRONDSLAG_VERSION "\(.*\)"/\1/p' include/grondslag/base/version.h)
DEB_DIR := $(BUILD)/deb
DEB_SRC := $(DEB_DIR)/grondslag-$(VERSION)
deb:
	sh tests/deps.sh deb
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_SRC)
	git ls-files -co --exclude-standard | grep -v '^build' | \
		tar -c -T - -f - | tar -x -C $(DEB_SRC) -f -
	rm -rf $(DEB_SRC)/debian
	cp -r contrib/debian $(DEB_SRC)/debian
	cp contrib/grondslag-milter.service $(DEB_SRC)/debian/grondslag.grondslag-milter.service
	cp contrib/grondslag-web.service $(DEB_SRC)/debian/grondslag.grondslag-web.service
	cp contrib/grondslag.tmpfiles $(DEB_SRC)/debian/grondslag.tmpfiles
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc >../build.log 2>&1 || \
		{ tail -30 ../build.log; exit 1; }
	lintian --info $(DEB_DIR)/grondslag_$(VERSION)_*.changes >$(DEB_DIR)/lintian.txt 2>&1; \
		rc=$$?; cat $(DEB_DIR)/lintian.txt; \
		echo "lintian: $$(grep -c '^E:' $(DEB_DIR)/lintian.txt) errors, $$(grep -c '^W:' $(DEB_DIR)/lintian.txt) warnings"; \
		! grep -q '^E:' $(DEB_DIR)/lintian.txt
	ls -l $(DEB_DIR)/*.deb

# Not part of check: installs the package on this host (root), checks
# it, upgrades it over an edited conffile and purges it.
deb-check: deb
	BUILD=$(BUILD) sh tests/pkg/t-deb.sh $(DEB_DIR)/grondslag_$(VERSION)_*.deb

clean:
	rm -rf build build-asan build-fuzz
