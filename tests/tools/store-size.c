/*
 * store-size.c - how much disk the store needs per hold (not part of make
 * check; the figures are in docs/operations.md, "Store sizing").
 *
 *   store-size DIR [N [SIZE]]...   pairs of hold count and message size
 *                                  (bytes); default 1000 30000, 200
 *                                  300000, 20 3000000
 *
 * For each pair: a new store in DIR (store_init), then N holds through
 * store_hold_put() exactly as the milter stores them (the message, two
 * held recipients, one delivered with its share record, the findings
 * with 200 addresses, the jurists' notice in the same transaction), with
 * the sizes of the database and of its WAL after every commit: database
 * bytes per hold, the peak WAL and the WAL at the end, and what the
 * database and WAL take after the last connection closed (checkpointed).
 * The message is text with an address list, as a real incident report.
 * STORE_SIZE_READER=1: a second connection holds one read transaction open
 * for the whole run (a long report or audit export): no checkpoint can
 * reset the WAL meanwhile, so it grows by everything written.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "grondslag/store/store.h"

static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* A message of about size bytes: headers, a text body with addresses. */
static char *make_message(size_t size, unsigned seed)
{
	char *m = malloc(size + 512);
	size_t n = (size_t)snprintf(m, 512,
				    "Received: from ws1.ncsc.nl by relay.ncsc.nl; Mon, 3 Mar 2025\r\n"
				    "From: <alice@ncsc.nl>\r\nTo: <cert@cert.be>, <info@jpcert.or.jp>\r\n"
				    "Subject: incident %u: scanning hosts\r\nMessage-ID: <%u@ncsc.nl>\r\n"
				    "\r\nHosts seen scanning our constituency:\r\n",
				    seed, seed);
	unsigned x = seed * 2654435761u;
	while (n + 80 < size) {
		x = x * 1103515245u + 12345u;
		n += (size_t)snprintf(m + n, 80, "%u.%u.%u.%u  first seen 2025-03-0%u  tcp/22\r\n",
				      1 + (x >> 24) % 222, (x >> 16) & 255, (x >> 8) & 255, x & 255,
				      1 + (x >> 5) % 9);
	}
	m[n] = '\0';
	return m;
}

static char *findings_json(void)
{
	size_t cap = 200 * 24 + 64, n = 0;
	char *j = malloc(cap);
	n += (size_t)snprintf(j + n, cap - n, "{\"addresses\":[");
	for (int i = 0; i < 200; i++)
		n += (size_t)snprintf(j + n, cap - n, "%s\"198.51.%d.%d\"", i ? "," : "", i / 250,
				      i % 250);
	snprintf(j + n, cap - n, "]}");
	return j;
}

static int run(const char *dir, long count, size_t size)
{
	char db[600], wal[620], err[512];
	snprintf(db, sizeof db, "%s/size-%ld-%zu.db", dir, count, size);
	snprintf(wal, sizeof wal, "%s-wal", db);
	unlink(db);
	unlink(wal);
	if (store_init(db, NULL, err, sizeof err) != 0) {
		fprintf(stderr, "store-size: %s\n", err);
		return -1;
	}
	struct store *s = store_open(db, err, sizeof err);
	if (s == NULL) {
		fprintf(stderr, "store-size: %s\n", err);
		return -1;
	}
	long long db0 = file_size(db), peak_wal = 0;
	sqlite3 *reader = NULL;
	const char *rd = getenv("STORE_SIZE_READER");
	if (rd != NULL && *rd == '1') {
		if (sqlite3_open_v2(db, &reader, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
		    sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM holds;", NULL, NULL, NULL) !=
			    SQLITE_OK) {
			fprintf(stderr, "store-size: reader: %s\n", sqlite3_errmsg(reader));
			return -1;
		}
	}
	char *findings = findings_json();
	static const struct hold_rcpt rcpts[] = {
		{"<info@jpcert.or.jp>", "jpcert", "constituency-mismatch", "Not their constituency."},
		{"<soc@cisa.gov>", "cisa", "no-basis", "No basis in the registry."},
	};
	const char *delivered[] = {"<cert@cert.be>"};
	struct hold_share share = {.queue_id = "4XyZ1", .sender = "<alice@ncsc.nl>",
				    .recipient = "<cert@cert.be>", .party = "cert-be",
				    .bases = "wbni-20", .articles = "Art. 20 Wbni",
				    .categories = 3, .tlp = 2, .public_addresses = 200,
				    .countries = "BE:120,NL:80"};
	const char notice[] = "From: grondslag@ncsc.nl\r\nTo: jurists@ncsc.nl\r\nSubject: held"
			      "\r\n\r\nA message is held for your decision (about 600 bytes of"
			      " text in practice: reference, sender, recipients, reasons).\r\n";
	struct hold_notice jn = {.kind = "jurist", .to = "jurists@ncsc.nl", .message = notice};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < count; i++) {
		char *msg = make_message(size, (unsigned)i);
		char ref[STORE_REF_MAX];
		struct hold_record h = {
			.queue_id = "4XyZ1", .sender = "<alice@ncsc.nl>",
			.subject = "incident: scanning hosts", .received = time(NULL),
			.decided_on = 20000, .categories = 3, .tlp = 2,
			.summary_json = "{\"public\":200,\"countries\":{\"BE\":120,\"NL\":80}}",
			.findings_json = findings, .registry_digest = "ab12cd34", .data = msg,
			.len = strlen(msg), .fd = -1, .rcpts = rcpts, .nrcpts = 2,
			.delivered = delivered, .ndelivered = 1, .notice_to = "<alice@ncsc.nl>",
			.notice_message = notice, .shares = &share, .nshares = 1,
			.notices = &jn, .nnotices = 1,
		};
		int rc = store_hold_put(s, &h, ref, err, sizeof err);
		free(msg);
		if (rc != 0) {
			fprintf(stderr, "store-size: hold %ld: %s\n", i, err);
			store_close(s);
			return -1;
		}
		long long w = file_size(wal);
		if (w > peak_wal)
			peak_wal = w;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long long db_open = file_size(db), wal_open = file_size(wal);
	if (reader != NULL) {
		sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL);
		sqlite3_close(reader);
	}
	store_close(s);
	long long db_closed = file_size(db), wal_closed = file_size(wal);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%s%6ld holds of %8zu bytes: db %9lld B (%7.0f B/hold, %.2fx the message), WAL peak"
	       " %9lld B, at end %9lld B; closed: db %9lld B, WAL %lld B; %.1f holds/s\n",
	       reader ? "reader open: " : "", count, size, db_open, (double)(db_closed - db0) / (double)count,
	       (double)(db_closed - db0) / (double)count / (double)size, peak_wal, wal_open,
	       db_closed, wal_closed, (double)count / secs);
	free(findings);
	unlink(db);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc % 2 != 0) {
		fprintf(stderr, "usage: store-size DIR [N SIZE]...\n");
		return 2;
	}
	static const char *const defaults[] = {"1000", "30000", "200", "300000", "20", "3000000"};
	const char *const *pairs = argc > 2 ? (const char *const *)argv + 2 : defaults;
	int npairs = argc > 2 ? (argc - 2) / 2 : 3;
	for (int i = 0; i < npairs; i++)
		if (run(argv[1], atol(pairs[2 * i]), (size_t)atol(pairs[2 * i + 1])) != 0)
			return 1;
	return 0;
}
