/*
 * geo.c - country and ASN of public addresses through libmaxminddb.
 *
 * Two optional MaxMind DB files (country, ASN) are opened once with
 * MMDB_MODE_MMAP and checked: a regular non-empty file, sane metadata
 * (binary format 2, IPv4 or IPv6 tree, a known record size) and a probe
 * lookup that must not fail.  The dotted lookup path of each ("country_code",
 * "country.iso_code", "autonomous_system_number") is split once at open into
 * the NULL-terminated array MMDB_aget_value() wants, so a lookup does no
 * string work beyond reading the value.
 *
 * Lookups go through MMDB_lookup_sockaddr() with a sockaddr built from the
 * ip_addr octets: no text parsing in the hot path.  IPv4 addresses in an
 * IPv6 database use libmaxminddb's IPv4 subtree (::/96).  IPv4-mapped,
 * NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses are looked up by the
 * IPv4 address they embed, because that is the address the classifier
 * judged public (ipclass.h) and the one a registry constituency names.
 *
 * The daemon never maps the admin's file: libmaxminddb maps the file it
 * opens, and a file copied over the old one in place (truncated, then
 * written) would take the pages from under a lookup (SIGBUS, the milter
 * dies).  At every open (start, SIGHUP) the file is read once into a
 * private copy
 * the daemon alone holds, a sealed memfd (no one can shrink or write
 * it), or where memfd is not available an unlinked temporary file; that
 * copy is what MMDB_open() maps.  A file that changes while it is read
 * is read again (at most GEO_COPY_TRIES times); a half-written file fails
 * the checks below like any corrupt one, and a reload keeps the old data.
 * Cost: the size of the files in memory (twice during a reload), about
 * 20 MB for the default data, and ~13 ms of CPU per open.  A one-shot
 * command (geo_options.map_in_place) maps the files instead: the copy
 * would be most of its start-up.
 *
 * A MMDB_s is read-only after MMDB_open(), so concurrent lookups from the
 * milter's threads are safe; the lookup counter is atomic.
 *
 * Public functions: geo_open, geo_close, geo_lookup, geo_enrich,
 * geo_lookups (in geo.h).
 *
 * Limits: a lookup path has at most GEO_PATH_MAX components of at most 255
 * bytes in all; a country value counts only when it is exactly two ASCII
 * letters; an AS number only when it fits in 32 bits.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <maxminddb.h>

#include "grondslag/scan/geo.h"

#define GEO_PATH_MAX 8
#define GEO_PATH_BYTES 256
#define GEO_COPY_TRIES 3

/* One opened database and its split lookup path. */
struct geo_db {
	bool open;
	MMDB_s mmdb;
	char path_buf[GEO_PATH_BYTES];
	const char *path[GEO_PATH_MAX + 1];	/* NULL-terminated */
};

struct geo {
	struct geo_db country;
	struct geo_db asn;
	atomic_uint_fast64_t lookups;
};

/* Split a dotted path into db->path; false on an empty or oversized one. */
static bool geo_split_path(struct geo_db *db, const char *dotted)
{
	size_t len = strlen(dotted);
	if (len == 0 || len >= sizeof db->path_buf)
		return false;
	memcpy(db->path_buf, dotted, len + 1);
	size_t n = 0;
	char *p = db->path_buf;
	for (;;) {
		char *dot = strchr(p, '.');
		if (dot != NULL)
			*dot = '\0';
		if (*p == '\0' || n == GEO_PATH_MAX)
			return false;
		db->path[n++] = p;
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	db->path[n] = NULL;
	return true;
}

/* Build a sockaddr for a; an IPv6 address embedding IPv4 becomes that IPv4. */
static socklen_t geo_sockaddr(const struct ip_addr *a, struct sockaddr_storage *ss)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b };
	const uint8_t *v4 = NULL;

	memset(ss, 0, sizeof *ss);
	if (a->family == IP_V4)
		v4 = a->octet;
	else if (memcmp(a->octet, mapped, 12) == 0 || memcmp(a->octet, nat64, 12) == 0)
		v4 = a->octet + 12;
	else if (a->octet[0] == 0x20 && a->octet[1] == 0x02)
		v4 = a->octet + 2;	/* 6to4: 2002:AABB:CCDD::/48 */

	if (v4 != NULL) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, v4, 4);
		return sizeof *sin;
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	memcpy(&sin6->sin6_addr, a->octet, 16);
	return sizeof *sin6;
}

/* Look sa up in db; *data gets the value at the path (has_data false when
 * the address or the path is absent).  Returns 0, or -1 on a database error. */
static int geo_db_value(const struct geo_db *db, const struct sockaddr *sa,
			MMDB_entry_data_s *data)
{
	int err = MMDB_SUCCESS;

	memset(data, 0, sizeof *data);
	MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&db->mmdb, sa, &err);
	if (err == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
		return 0;	/* an IPv4-only file has no answer: unknown, not broken */
	if (err != MMDB_SUCCESS)
		return -1;
	if (!r.found_entry)
		return 0;
	/* MMDB_aget_value wants a mutable entry; r is our own copy. */
	err = MMDB_aget_value(&r.entry, data, db->path);
	if (err == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR) {
		data->has_data = false;
		return 0;
	}
	return err == MMDB_SUCCESS ? 0 : -1;
}

/* Country code from a value: exactly two ASCII letters, upper-cased. */
static void geo_country_value(const MMDB_entry_data_s *d, char country[3])
{
	country[0] = '\0';
	if (!d->has_data || d->type != MMDB_DATA_TYPE_UTF8_STRING || d->data_size != 2)
		return;
	for (int i = 0; i < 2; i++) {
		char c = d->utf8_string[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < 'A' || c > 'Z') {
			country[0] = '\0';
			return;
		}
		country[i] = c;
	}
	country[2] = '\0';
}

/* AS number from a string: optional "AS" (any case), then 1..10 digits. */
static uint32_t geo_asn_string(const char *s, uint32_t len)
{
	if (len >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's')) {
		s += 2;
		len -= 2;
	}
	if (len == 0 || len > 10)
		return 0;
	uint64_t v = 0;
	for (uint32_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return v > UINT32_MAX ? 0 : (uint32_t)v;
}

/* AS number from a value of any integer type or a digit string; 0 = none. */
static uint32_t geo_asn_value(const MMDB_entry_data_s *d)
{
	if (!d->has_data)
		return 0;
	switch (d->type) {
	case MMDB_DATA_TYPE_UINT16:
		return d->uint16;
	case MMDB_DATA_TYPE_UINT32:
		return d->uint32;
	case MMDB_DATA_TYPE_UINT64:
		return d->uint64 > UINT32_MAX ? 0 : (uint32_t)d->uint64;
	case MMDB_DATA_TYPE_INT32:
		return d->int32 > 0 ? (uint32_t)d->int32 : 0;
	case MMDB_DATA_TYPE_UTF8_STRING:
		return geo_asn_string(d->utf8_string, d->data_size);
	default:
		return 0;
	}
}

/* Copy all of in to out (both at offset 0); 0 or -1 with errno. */
static int geo_copy_fd(int in, int out)
{
	char buf[65536];
	if (lseek(in, 0, SEEK_SET) != 0 || lseek(out, 0, SEEK_SET) != 0 || ftruncate(out, 0) != 0)
		return -1;
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (int)n;
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return -1;
			done += w;
		}
	}
}

/* Did the file change between two fstat()s? */
static bool geo_changed(const struct stat *a, const struct stat *b)
{
	return a->st_size != b->st_size || a->st_mtim.tv_sec != b->st_mtim.tv_sec ||
	       a->st_mtim.tv_nsec != b->st_mtim.tv_nsec || a->st_ino != b->st_ino;
}

/* Where the private copy lives: a sealed memfd opened by its /proc path,
 * or (no memfd or no /proc) an unlinked temporary file. */
struct geo_copy {
	int fd;
	char path[512];
	bool unlink_after_open;
};

static int geo_copy_target(struct geo_copy *c)
{
	c->unlink_after_open = false;
	c->fd = memfd_create("grondslag-geo", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (c->fd >= 0) {
		snprintf(c->path, sizeof c->path, "/proc/self/fd/%d", c->fd);
		if (access(c->path, R_OK) == 0)
			return 0;
		close(c->fd);
	}
	const char *tmp = getenv("TMPDIR");
	snprintf(c->path, sizeof c->path, "%s/grondslag-geo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	c->fd = mkostemp(c->path, O_CLOEXEC);
	c->unlink_after_open = c->fd >= 0;
	return c->fd >= 0 ? 0 : -1;
}

/* Read file into a private copy (c); 0, or -1 with "KEY FILE: why". */
static int geo_private_copy(const char *key, const char *file, struct geo_copy *c, char *err,
			    size_t errlen)
{
	int in = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (in < 0 || geo_copy_target(c) != 0) {
		snprintf(err, errlen, "%s %.200s: %s%s", key, file, in < 0 ? "" : "private copy: ",
			 strerror(errno));
		if (in >= 0)
			close(in);
		return -1;
	}
	int rc = -1, e = 0;
	for (int i = 0; i < GEO_COPY_TRIES && rc != 0; i++) {
		struct stat before, after;
		rc = fstat(in, &before) == 0 && geo_copy_fd(in, c->fd) == 0 &&
				     fstat(in, &after) == 0
			     ? 0
			     : -1;
		e = rc != 0 ? errno : 0;
		if (rc == 0 && geo_changed(&before, &after)) {
			rc = -1;
			e = EAGAIN;
		}
	}
	close(in);
	if (rc == 0 && !c->unlink_after_open)
		(void)fcntl(c->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
	if (rc != 0) {
		snprintf(err, errlen, "%s %.200s: %s", key, file,
			 e == EAGAIN ? "changed while being read (being written? try again)"
				     : strerror(e));
		if (c->unlink_after_open)
			unlink(c->path);
		close(c->fd);
		return -1;
	}
	return 0;
}

/* MMDB_open() of file, or of a private copy of it unless in_place; 0, or
 * an MMDB_* error with errno, or -1 with err written. */
static int geo_mmdb_open(MMDB_s *mmdb, const char *key, const char *file, bool in_place,
			 char *err, size_t errlen)
{
	if (in_place) {
		errno = 0;
		return MMDB_open(file, MMDB_MODE_MMAP, mmdb);
	}
	struct geo_copy copy;
	if (geo_private_copy(key, file, &copy, err, errlen) != 0)
		return -1;
	errno = 0;
	int rc = MMDB_open(copy.path, MMDB_MODE_MMAP, mmdb);
	int e = errno;
	/* the mapping holds the copy: no name or descriptor is needed now */
	if (copy.unlink_after_open)
		unlink(copy.path);
	close(copy.fd);
	errno = e;
	return rc;
}

/* Open and check one database; on failure write "KEY FILE: reason". */
static int geo_db_open(struct geo_db *db, const char *key, const char *file,
		       const char *pathkey, const char *dotted, bool in_place, char *err,
		       size_t errlen)
{
	struct stat st;

	if (!geo_split_path(db, dotted)) {
		snprintf(err, errlen, "%s \"%.100s\": not a valid lookup path", pathkey, dotted);
		return -1;
	}
	if (stat(file, &st) != 0) {
		snprintf(err, errlen, "%s %.200s: %s", key, file, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		snprintf(err, errlen, "%s %.200s: %s", key, file,
			 S_ISREG(st.st_mode) ? "empty file" : "not a regular file");
		return -1;
	}
	int rc = geo_mmdb_open(&db->mmdb, key, file, in_place, err, errlen);
	if (rc == -1)
		return -1;
	if (rc == MMDB_FILE_OPEN_ERROR || rc == MMDB_IO_ERROR) {
		snprintf(err, errlen, "%s %.200s: %s", key, file,
			 errno ? strerror(errno) : MMDB_strerror(rc));
		return -1;
	}
	if (rc != MMDB_SUCCESS) {
		snprintf(err, errlen, "%s %.200s: corrupt database (%s)", key, file, MMDB_strerror(rc));
		return -1;
	}
	db->open = true;
	const MMDB_metadata_s *md = &db->mmdb.metadata;
	if (md->binary_format_major_version != 2 || (md->ip_version != 4 && md->ip_version != 6) ||
	    (md->record_size != 24 && md->record_size != 28 && md->record_size != 32) ||
	    md->node_count == 0) {
		snprintf(err, errlen, "%s %.200s: corrupt database (implausible metadata)", key, file);
		return -1;
	}
	/* The probe walks the tree and decodes a record, so a file with broken
	 * pointers fails now instead of on the first message. */
	struct ip_addr probe = { .family = IP_V4, .octet = { 1, 1, 1, 1 } };
	struct sockaddr_storage ss;
	MMDB_entry_data_s data;
	geo_sockaddr(&probe, &ss);
	if (geo_db_value(db, (const struct sockaddr *)&ss, &data) != 0) {
		snprintf(err, errlen, "%s %.200s: corrupt database (probe lookup failed)", key, file);
		return -1;
	}
	return 0;
}

struct geo *geo_open(const struct geo_options *o, char *err, size_t errlen)
{
	struct geo *g = calloc(1, sizeof *g);
	if (g == NULL) {
		snprintf(err, errlen, "geo: out of memory");
		return NULL;
	}
	atomic_init(&g->lookups, 0);
	if (o->country_db != NULL && o->country_db[0] != '\0' &&
	    geo_db_open(&g->country, "GeoCountryDatabase", o->country_db, "GeoCountryPath",
			o->country_path ? o->country_path : "country_code", o->map_in_place, err,
			errlen) != 0)
		goto fail;
	if (o->asn_db != NULL && o->asn_db[0] != '\0' &&
	    geo_db_open(&g->asn, "GeoASNDatabase", o->asn_db, "GeoASNPath",
			o->asn_path ? o->asn_path : "autonomous_system_number", o->map_in_place,
			err, errlen) != 0)
		goto fail;
	return g;
fail:
	geo_close(g);
	return NULL;
}

void geo_close(struct geo *g)
{
	if (g == NULL)
		return;
	if (g->country.open)
		MMDB_close(&g->country.mmdb);
	if (g->asn.open)
		MMDB_close(&g->asn.mmdb);
	free(g);
}

int geo_lookup(struct geo *g, const struct ip_addr *a, char country[3], uint32_t *asn)
{
	struct sockaddr_storage ss;
	MMDB_entry_data_s data;
	int rc = 0;

	country[0] = '\0';
	*asn = 0;
	if (g == NULL || (!g->country.open && !g->asn.open))
		return 0;
	if (a->family != IP_V4 && a->family != IP_V6)
		return -1;
	atomic_fetch_add_explicit(&g->lookups, 1, memory_order_relaxed);
	geo_sockaddr(a, &ss);
	if (g->country.open) {
		if (geo_db_value(&g->country, (const struct sockaddr *)&ss, &data) == 0)
			geo_country_value(&data, country);
		else
			rc = -1;
	}
	if (g->asn.open) {
		if (geo_db_value(&g->asn, (const struct sockaddr *)&ss, &data) == 0)
			*asn = geo_asn_value(&data);
		else
			rc = -1;
	}
	return rc;
}

size_t geo_enrich(struct geo *g, struct findings *f)
{
	size_t errors = 0, n = findings_ip_count(f);

	for (size_t i = 0; i < n; i++) {
		struct finding_ip *fi = findings_ip_mut(f, i);
		if (fi == NULL || fi->scope != IP_SCOPE_PUBLIC || fi->geo_done)
			continue;
		/* geo_done stays false after a database error: the address is
		 * unknown, and a later enrich may try again. */
		if (geo_lookup(g, &fi->addr, fi->country, &fi->asn) == 0)
			fi->geo_done = true;
		else
			errors++;
	}
	return errors;
}

uint64_t geo_lookups(const struct geo *g)
{
	return g == NULL ? 0 : (uint64_t)atomic_load_explicit(&g->lookups, memory_order_relaxed);
}
