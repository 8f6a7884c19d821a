/*
 * test_geo.c - geo lookups against small test databases that the test
 * builds itself from the tests/geo sources (tests/geo/build.sh into
 * $BUILD/geo-test): both country layouts, numeric and string AS numbers,
 * IPv6, addresses embedding IPv4, wrong lookup paths, and every open error
 * (missing, empty, garbage, truncated, directory, bad path), and a file
 * truncated and rewritten in place while lookups run (an admin's cp over
 * the old file; a mapped file would SIGBUS), then the new data after a
 * reopen (SIGHUP).  A database that cannot be built is a failure, never a
 * skip.
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grondslag/scan/findings.h"
#include "grondslag/scan/geo.h"

static char dbdir[512];

/* Path of a built test database (or of a scratch file beside them). */
static const char *db(const char *name)
{
	static char buf[4][640];
	static int next;
	char *p = buf[next++ % 4];
	snprintf(p, sizeof buf[0], "%s/%s", dbdir, name);
	return p;
}

/* Parse a textual address for a test row (fails the test when bad). */
static struct ip_addr addr(const char *text)
{
	struct ip_addr a;
	memset(&a, 0, sizeof a);
	if (inet_pton(AF_INET, text, a.octet) == 1) {
		a.family = IP_V4;
	} else if (inet_pton(AF_INET6, text, a.octet) == 1) {
		a.family = IP_V6;
	} else {
		fail_msg("bad test address %s", text);
	}
	return a;
}

/* Build the databases once for the whole run. */
static int setup_dbs(void **state)
{
	(void)state;
	const char *build = getenv("BUILD");
	snprintf(dbdir, sizeof dbdir, "%s/geo-test", build && *build ? build : "build");
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "sh tests/geo/build.sh '%s'", dbdir);
	if (system(cmd) != 0) {
		fprintf(stderr, "tests/geo/build.sh %s failed (run from the source root)\n", dbdir);
		return -1;
	}
	static const char *want[] = { "country.mmdb", "country-geoip2.mmdb", "asn.mmdb",
				      "asn-string.mmdb" };
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		struct stat st;
		if (stat(db(want[i]), &st) != 0 || st.st_size == 0) {
			fprintf(stderr, "missing test database %s\n", db(want[i]));
			return -1;
		}
	}
	return 0;
}

static struct geo *open_ok(const char *cdb, const char *cpath, const char *adb, const char *apath)
{
	char err[512] = "";
	struct geo_options o = { cdb, cpath, adb, apath, false };
	struct geo *g = geo_open(&o, err, sizeof err);
	if (g == NULL)
		fail_msg("geo_open: got error \"%s\", want success", err);
	return g;
}

struct lookup_row {
	const char *ip;
	const char *country;
	uint32_t asn;
};

static const struct lookup_row lookup_rows[] = {
	{ "193.0.6.139", "NL", 3333 },
	{ "193.0.0.1", "NL", 3333 },
	{ "193.0.7.255", "NL", 3333 },
	{ "193.0.8.0", "", 0 },			/* just past the /21 */
	{ "145.100.200.1", "NL", 1103 },
	{ "2001:67c:2e8::1", "NL", 3333 },
	{ "194.7.1.1", "BE", 5432 },
	{ "2a02:a000::1", "BE", 5432 },
	{ "133.5.5.5", "JP", 2907 },
	{ "2001:200::1", "JP", 2500 },
	{ "212.58.230.1", "GB", 2818 },
	{ "2a01:4b00::1", "GB", 2818 },
	{ "8.8.8.8", "US", 15169 },
	{ "2001:4860:4860::8888", "US", 15169 },
	{ "205.193.1.1", "CA", 25689 },
	{ "2607:f2c0::1", "CA", 25689 },
	{ "193.99.144.80", "DE", 12306 },
	{ "2a00:1450:4001::1", "DE", 15169 },
	{ "195.154.1.1", "FR", 12876 },
	{ "2001:bc8::1", "FR", 12876 },
	{ "9.9.9.9", "", 0 },			/* not in the test data */
	{ "2a03:2880::1", "", 0 },
	/* Embedded IPv4 is looked up as that IPv4 address. */
	{ "::ffff:193.0.6.139", "NL", 3333 },
	{ "64:ff9b::c100:68b", "NL", 3333 },	/* NAT64 of 193.0.6.139 */
	{ "2002:c100:68b::1", "NL", 3333 },	/* 6to4 of 193.0.6.139 */
	{ "::ffff:8.8.8.8", "US", 15169 },
	/* Reader checks: lower case is upper-cased, three letters is no code. */
	{ "91.198.174.1", "NL", 0 },
	{ "185.15.56.1", "", 0 },
};

/* One lookup of ip through g: clean, and the country and AS number
 * wanted ("" and 0: unknown). */
static void expect_lookup(struct geo *g, const char *row, const char *ip, const char *country,
			  uint32_t asn)
{
	struct ip_addr a = addr(ip);
	char got[3] = "??";
	uint32_t n = 99;
	assert_int_eq_msg(row, geo_lookup(g, &a, got, &n), 0);
	assert_str_eq_msg(row, got, country);
	assert_int_eq_msg(row, n, asn);
}

/* Run every lookup row against one pair of databases. */
static void run_lookup_rows(const char *cdb, const char *cpath, const char *adb, const char *apath)
{
	struct geo *g = open_ok(db(cdb), cpath, db(adb), apath);
	for (size_t i = 0; i < ARRAY_LEN(lookup_rows); i++) {
		const struct lookup_row *r = &lookup_rows[i];
		char row[160];
		snprintf(row, sizeof row, "%s %s/%s", r->ip, cdb, adb);
		expect_lookup(g, row, r->ip, r->country, r->asn);
	}
	geo_close(g);
}

static void test_lookup_iplocation_layout(void **state)
{
	(void)state;
	run_lookup_rows("country.mmdb", "country_code", "asn.mmdb", "autonomous_system_number");
}

static void test_lookup_geoip2_layout_string_asn(void **state)
{
	(void)state;
	/* asn-string.mmdb stores "AS3333" (IPv4) and "3333" (IPv6). */
	run_lookup_rows("country-geoip2.mmdb", "country.iso_code", "asn-string.mmdb",
			"autonomous_system_number");
}

static void test_default_paths(void **state)
{
	(void)state;
	/* NULL paths mean the defaults of config_keys.def. */
	struct geo *g = open_ok(db("country.mmdb"), NULL, db("asn.mmdb"), NULL);
	expect_lookup(g, "defaults", "193.0.6.139", "NL", 3333);
	geo_close(g);
}

struct path_row {
	const char *name;
	const char *cdb, *cpath, *adb, *apath;
};

static void test_wrong_paths_give_unknown(void **state)
{
	(void)state;
	static const struct path_row rows[] = {
		{ "geoip2 path on ip-location-db layout", "country.mmdb", "country.iso_code",
		  "asn.mmdb", "asn" },
		{ "flat path on geoip2 layout", "country-geoip2.mmdb", "country_code", "asn.mmdb",
		  "autonomous_system_organization" },	/* a string that is no number */
		{ "path into a string", "country.mmdb", "country_code.x", "asn.mmdb",
		  "autonomous_system_number.0" },
		{ "map where a string is wanted", "country-geoip2.mmdb", "country", "asn.mmdb",
		  "nothing" },
		{ "swapped databases", "asn.mmdb", "country_code", "country.mmdb",
		  "autonomous_system_number" },
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct geo *g = open_ok(db(rows[i].cdb), rows[i].cpath, db(rows[i].adb), rows[i].apath);
		expect_lookup(g, rows[i].name, "193.0.6.139", "", 0);
		geo_close(g);
	}
}

static void test_no_databases(void **state)
{
	(void)state;
	struct geo *g = open_ok(NULL, NULL, "", NULL);
	expect_lookup(g, "no databases", "8.8.8.8", "", 0);
	assert_int_eq_msg("no databases: lookups", geo_lookups(g), 0);
	geo_close(g);

	/* Only one of the two configured. */
	g = open_ok(NULL, NULL, db("asn.mmdb"), NULL);
	expect_lookup(g, "asn only", "8.8.8.8", "", 15169);
	geo_close(g);
}

/* Write len bytes of data into path (a scratch fixture). */
static void write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	if (fp == NULL)
		fail_msg("cannot write %s", path);
	if (len > 0 && fwrite(data, 1, len, fp) != len)
		fail_msg("short write %s", path);
	fclose(fp);
}

/* A copy of the first keep bytes (or the last drop removed) of a database. */
static void truncated_copy(const char *src, const char *dst, long keep, long drop)
{
	FILE *fp = fopen(src, "rb");
	if (fp == NULL)
		fail_msg("cannot read %s", src);
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	size_t want = keep >= 0 ? (size_t)keep : n - (size_t)drop;
	if (want > n)
		want = n;
	write_file(dst, buf, want);
}

struct open_err_row {
	const char *name;
	bool country;		/* the broken file is the country (else ASN) one */
	const char *file;	/* scratch name under dbdir, or absolute */
	const char *path;	/* lookup path to configure */
	const char *want_prefix;
	const char *want_suffix;
};

static void test_open_errors(void **state)
{
	(void)state;
	static const char garbage[] = "this is not a MaxMind database, just some text\n";
	write_file(db("garbage.mmdb"), garbage, sizeof garbage - 1);
	write_file(db("empty.mmdb"), "", 0);
	truncated_copy(db("country.mmdb"), db("half.mmdb"), 1500, 0);
	truncated_copy(db("country.mmdb"), db("nometa.mmdb"), -1, 40);
	mkdir(db("adir.mmdb"), 0755);

	static const struct open_err_row rows[] = {
		{ "missing", true, "/nonexistent/geo/x.mmdb", "country_code",
		  "GeoCountryDatabase /nonexistent/geo/x.mmdb: ", "No such file or directory" },
		{ "missing asn", false, "/nonexistent/asn.mmdb", "autonomous_system_number",
		  "GeoASNDatabase /nonexistent/asn.mmdb: ", "No such file or directory" },
		{ "garbage", true, "garbage.mmdb", "country_code", "GeoCountryDatabase ",
		  ": corrupt database (The MaxMind DB file contains invalid metadata)" },
		{ "truncated", true, "half.mmdb", "country_code", "GeoCountryDatabase ", NULL },
		{ "metadata cut", false, "nometa.mmdb", "autonomous_system_number",
		  "GeoASNDatabase ", NULL },
		{ "empty", true, "empty.mmdb", "country_code", "GeoCountryDatabase ",
		  ": empty file" },
		{ "directory", false, "adir.mmdb", "autonomous_system_number", "GeoASNDatabase ",
		  ": not a regular file" },
		{ "empty path", true, "country.mmdb", "", "GeoCountryPath \"\": ",
		  "not a valid lookup path" },
		{ "empty component", false, "asn.mmdb", "a..b", "GeoASNPath \"a..b\": ",
		  "not a valid lookup path" },
		{ "trailing dot", true, "country.mmdb", "country.", "GeoCountryPath ", NULL },
		{ "too deep", true, "country.mmdb", "a.b.c.d.e.f.g.h.i", "GeoCountryPath ", NULL },
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		const struct open_err_row *r = &rows[i];
		const char *file = r->file[0] == '/' ? r->file : db(r->file);
		struct geo_options o = { db("country.mmdb"), "country_code", db("asn.mmdb"),
					 "autonomous_system_number", false };
		if (r->country) {
			o.country_db = file;
			o.country_path = r->path;
		} else {
			o.asn_db = file;
			o.asn_path = r->path;
		}
		char err[512] = "";
		struct geo *g = geo_open(&o, err, sizeof err);
		if (g != NULL) {
			geo_close(g);
			fail_msg("%s: got success, want an error", r->name);
		}
		if (strncmp(err, r->want_prefix, strlen(r->want_prefix)) != 0)
			fail_msg("%s: got \"%s\", want prefix \"%s\"", r->name, err, r->want_prefix);
		const char *suffix = r->want_suffix ? r->want_suffix : "";
		size_t el = strlen(err), sl = strlen(suffix);
		if (el < sl || strcmp(err + el - sl, suffix) != 0)
			fail_msg("%s: got \"%s\", want suffix \"%s\"", r->name, err, suffix);
		if (strchr(err, '\n') != NULL)
			fail_msg("%s: got a multi-line message \"%s\"", r->name, err);
		if (r->want_suffix == NULL && strstr(err, "corrupt database") == NULL &&
		    strstr(err, "not a valid lookup path") == NULL)
			fail_msg("%s: got \"%s\", want a corrupt-database or path message", r->name, err);
	}
}

/* Add one address to f as the scanner would. */
static void add_ip(struct findings *f, unsigned part, const char *text)
{
	struct ipscan_match m;
	memset(&m, 0, sizeof m);
	m.kind = IPSCAN_ADDR;
	m.addr = addr(text);
	findings_add_match(f, part, &m);
}

static const struct finding_ip *find_ip(const struct findings *f, const char *text)
{
	struct ip_addr a = addr(text);
	for (size_t i = 0; i < findings_ip_count(f); i++)
		if (memcmp(&findings_ip(f, i)->addr, &a, sizeof a) == 0)
			return findings_ip(f, i);
	fail_msg("address %s not in findings", text);
	return NULL;
}

static void test_enrich_once(void **state)
{
	(void)state;
	struct geo *g = open_ok(db("country.mmdb"), "country_code", db("asn.mmdb"),
				"autonomous_system_number");
	struct findings *f = findings_alloc();
	assert_non_null(f);
	int part = findings_part_add(f, "1", "text/plain", NULL, 0);
	assert_true(part >= 0);
	static const char *ips[] = { "193.0.6.139", "8.8.8.8", "193.0.6.139", "10.1.2.3",
				     "2001:db8::1", "::ffff:193.0.6.139", "2a00:1450:4001::1",
				     "8.8.8.8", "192.168.1.1", "9.9.9.9" };
	for (size_t i = 0; i < ARRAY_LEN(ips); i++)
		add_ip(f, (unsigned)part, ips[i]);

	size_t public = 0;
	for (size_t i = 0; i < findings_ip_count(f); i++)
		if (findings_ip(f, i)->scope == IP_SCOPE_PUBLIC)
			public++;
	assert_int_eq_msg("public distinct", public, 5);

	assert_int_eq_msg("enrich errors", geo_enrich(g, f), 0);
	assert_int_eq_msg("lookups after first enrich", geo_lookups(g), public);
	assert_int_eq_msg("enrich errors (again)", geo_enrich(g, f), 0);
	assert_int_eq_msg("lookups after second enrich", geo_lookups(g), public);

	static const struct lookup_row want[] = {
		{ "193.0.6.139", "NL", 3333 },
		{ "8.8.8.8", "US", 15169 },
		{ "::ffff:193.0.6.139", "NL", 3333 },
		{ "2a00:1450:4001::1", "DE", 15169 },
		{ "9.9.9.9", "", 0 },
	};
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		const struct finding_ip *fi = find_ip(f, want[i].ip);
		assert_true(fi->geo_done);
		assert_str_eq_msg(want[i].ip, fi->country, want[i].country);
		assert_int_eq_msg(want[i].ip, fi->asn, want[i].asn);
	}
	static const char *special[] = { "10.1.2.3", "2001:db8::1", "192.168.1.1" };
	for (size_t i = 0; i < ARRAY_LEN(special); i++) {
		const struct finding_ip *fi = find_ip(f, special[i]);
		if (fi->geo_done || fi->country[0] != '\0' || fi->asn != 0)
			fail_msg("%s: special address got a lookup", special[i]);
	}
	findings_free(f);
	geo_close(g);
}

struct thread_arg {
	struct geo *g;
	int bad;
};

/* Look up the same rows many times; count wrong answers. */
static void *lookup_thread(void *p)
{
	struct thread_arg *t = p;
	for (int n = 0; n < 200; n++) {
		for (size_t i = 0; i < ARRAY_LEN(lookup_rows); i++) {
			struct ip_addr a = addr(lookup_rows[i].ip);
			char c[3];
			uint32_t asn;
			if (geo_lookup(t->g, &a, c, &asn) != 0 ||
			    strcmp(c, lookup_rows[i].country) != 0 || asn != lookup_rows[i].asn)
				t->bad++;
		}
	}
	return NULL;
}

static void test_concurrent_lookups(void **state)
{
	(void)state;
	struct geo *g = open_ok(db("country.mmdb"), "country_code", db("asn.mmdb"),
				"autonomous_system_number");
	pthread_t th[4];
	struct thread_arg args[4];
	for (int i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){ g, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, lookup_thread, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_eq_msg("wrong answers in a thread", args[i].bad, 0);
	}
	assert_int_eq_msg("lookups", geo_lookups(g), 4 * 200 * ARRAY_LEN(lookup_rows));
	geo_close(g);
}

/* The whole of a test database (they are small: a larger one fails
 * rather than being copied in part). */
static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = malloc(1 << 20);
	if (fp == NULL || buf == NULL)
		fail_msg("cannot read %s", path);
	*len = fread(buf, 1, 1 << 20, fp);
	if (*len == 0 || *len == 1 << 20)
		fail_msg("%s: got %zu bytes, want a test database under 1 MB", path, *len);
	fclose(fp);
	return buf;
}

/* Rewrite path in place as cp(1) does: truncate, then write in pieces,
 * with pauses in which readers see a short or empty file. */
static void rewrite_in_place(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		fail_msg("cannot rewrite %s", path);
	usleep(2000);
	for (size_t done = 0; done < len;) {
		size_t n = len - done < 4096 ? len - done : 4096;
		if (write(fd, data + done, n) != (ssize_t)n)
			fail_msg("short write to %s", path);
		done += n;
		usleep(200);
	}
	close(fd);
}

struct rewrite_reader {
	struct geo *g;
	atomic_bool stop;
	long lookups, wrong;
};

/* Look 193.0.6.139 up until stopped; count answers other than NL. */
static void *rewrite_reader_main(void *arg)
{
	struct rewrite_reader *r = arg;
	struct ip_addr a = addr("193.0.6.139");
	while (!atomic_load(&r->stop)) {
		char c[3] = "";
		uint32_t asn = 0;
		if (geo_lookup(r->g, &a, c, &asn) != 0 || strcmp(c, "NL") != 0 || asn != 3333)
			r->wrong++;
		r->lookups++;
	}
	return NULL;
}

/* The admin copies new files over the old ones in place under load. */
static void test_rewritten_in_place(void **state)
{
	(void)state;
	size_t clen, glen, alen;
	char *country = slurp(db("country.mmdb"), &clen);
	char *geoip2 = slurp(db("country-geoip2.mmdb"), &glen);
	char *asn = slurp(db("asn.mmdb"), &alen);
	write_file(db("live-country.mmdb"), country, clen);
	write_file(db("live-asn.mmdb"), asn, alen);
	struct rewrite_reader r = {.g = open_ok(db("live-country.mmdb"), "country_code",
					       db("live-asn.mmdb"), "autonomous_system_number")};
	pthread_t t[2];
	struct rewrite_reader r2 = {.g = r.g};
	assert_int_equal(pthread_create(&t[0], NULL, rewrite_reader_main, &r), 0);
	assert_int_equal(pthread_create(&t[1], NULL, rewrite_reader_main, &r2), 0);
	for (int i = 0; i < 30; i++) {
		/* the new country file has the GeoIP2 layout */
		rewrite_in_place(db("live-country.mmdb"), i % 2 ? country : geoip2,
				 i % 2 ? clen : glen);
		rewrite_in_place(db("live-asn.mmdb"), i % 2 ? "" : asn, i % 2 ? 0 : alen);
	}
	rewrite_in_place(db("live-country.mmdb"), geoip2, glen);
	rewrite_in_place(db("live-asn.mmdb"), asn, alen);
	atomic_store(&r.stop, true);
	atomic_store(&r2.stop, true);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	if (r.lookups + r2.lookups < 100)
		fail_msg("got %ld lookups during the rewrites, want many", r.lookups + r2.lookups);
	assert_int_eq_msg("wrong answers during the rewrites", r.wrong + r2.wrong, 0);
	geo_close(r.g);
	/* reload (SIGHUP): the new file, with its own layout, answers */
	struct geo *g = open_ok(db("live-country.mmdb"), "country.iso_code", db("live-asn.mmdb"),
				NULL);
	expect_lookup(g, "after the reload", "194.7.1.1", "BE", 5432);
	geo_close(g);
	free(country);
	free(geoip2);
	free(asn);
}

/* Does this process map path (a line of /proc/self/maps ends in it)? */
static bool mapped(const char *path)
{
	FILE *fp = fopen("/proc/self/maps", "r");
	if (fp == NULL)
		fail_msg("cannot read /proc/self/maps");
	char line[4096];
	size_t n = strlen(path);
	bool found = false;
	while (!found && fgets(line, sizeof line, fp) != NULL) {
		size_t l = strcspn(line, "\n");
		found = l >= n && memcmp(line + l - n, path, n) == 0;
	}
	fclose(fp);
	return found;
}

/* The daemon (the default) never maps the admin's files, only its own
 * copy; a one-shot command (map_in_place) maps the files themselves,
 * sparing each run the copy.  Both answer alike. */
static void test_mapping(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		bool in_place;
	} rows[] = {{"daemon: private copy", false}, {"command: in place", true}};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char cdb[640], adb[640], err[512] = "";
		snprintf(cdb, sizeof cdb, "%s", db("country.mmdb"));
		snprintf(adb, sizeof adb, "%s", db("asn.mmdb"));
		struct geo_options o = {cdb, "country_code", adb, "autonomous_system_number",
					rows[i].in_place};
		struct geo *g = geo_open(&o, err, sizeof err);
		if (g == NULL)
			fail_msg("%s: geo_open: got \"%s\", want success", rows[i].name, err);
		assert_int_eq_msg(rows[i].name, mapped(cdb), rows[i].in_place);
		assert_int_eq_msg(rows[i].name, mapped(adb), rows[i].in_place);
		expect_lookup(g, rows[i].name, "193.0.6.139", "NL", 3333);
		geo_close(g);
		assert_false(mapped(cdb));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_iplocation_layout),
		cmocka_unit_test(test_lookup_geoip2_layout_string_asn),
		cmocka_unit_test(test_default_paths),
		cmocka_unit_test(test_wrong_paths_give_unknown),
		cmocka_unit_test(test_no_databases),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_enrich_once),
		cmocka_unit_test(test_concurrent_lookups),
		cmocka_unit_test(test_rewritten_in_place),
		cmocka_unit_test(test_mapping),
	};
	return cmocka_run_group_tests(tests, setup_dbs, NULL);
}
