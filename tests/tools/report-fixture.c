/*
 * report-fixture.c - build a store with a fixed record for the report
 * tests (tests/golden/t-report.sh, t-report-html.sh), through the store
 * API only (store_hold_put, store_hold_decide, store_shares_put,
 * store_notice_*), so the schema stays the store's.  Every time is fixed.
 *
 *   report-fixture DB golden   holds and shares around the Wbni/Cbw
 *                              boundary of tests/golden/report/registry.yaml
 *                              (2026-08-15), in and just outside the period
 *                              2026-07-27 .. 2026-09-07 of the goldens
 *   report-fixture DB empty    an empty store
 *   report-fixture DB long     two years of holds and shares (2024-09-02 ..
 *                              2026-09-01), generated deterministically
 *   report-fixture DB foreign  an SQLite file that is not a grondslag store
 *
 * DB must not exist yet.  Exit 0, or 1 with a message.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/date.h"
#include "grondslag/scan/findings.h"
#include "grondslag/decide/holdstate.h"
#include "grondslag/store/store.h"

#define DAY 86400
#define HOUR 3600

static char err[1024];

/* Midnight UTC of a date plus seconds. */
static time_t at(int y, unsigned m, unsigned d, long seconds)
{
	return (time_t)date_from_ymd(y, m, d) * DAY + seconds;
}

enum outcome { OPEN, DENY, RELEASE, EXPIRE };

/* One held message: up to three recipients "rcpt|party|reasons" (party
 * "-" for unknown). */
struct fx_hold {
	time_t received;
	const char *sender;
	unsigned categories;
	int tlp;
	const char *rcpts[3];
	enum outcome outcome;
	long decide_after;	/* seconds after received */
};

/* Two jurists: a release needs both (ReleaseApprovals 2), so the
 * register of decisions shows both approvers, each with a basis and
 * words of their own. */
static const struct store_actor jurists[2] = {{"jan", 1000, "jurist", NULL},
					      {"els", 1001, "jurist", NULL}};
static const char *const jurist_mail[2][1] = {{"jan@ncsc.nl"}, {"els@ncsc.nl"}};
static const char *const approval_reason[2] = {"fixture: the CSIRT needs the list",
					       "fixture: agreed, within the basis"};

/* Apply one event (an approval: by jurist k); exits on failure (a test
 * tool, not the daemon). */
static void decide_by(struct store *s, const char *ref, enum hold_event ev, time_t now, int k)
{
	struct store_decision d = {.event = ev, .now = now, .required = 2};
	if (ev == HEV_APPROVE || ev == HEV_DENY) {
		d.actor = &jurists[k];
		d.reason = ev == HEV_DENY ? "fixture: no basis for this party" : approval_reason[k];
		d.basis = ev == HEV_APPROVE ? "fixture-basis" : NULL;
		d.jurist_mail = jurist_mail[k];
		d.njurist_mail = 1;
	}
	if (ev == HEV_RELEASE_DONE)
		d.relay_queue_id = "4XyZ1";
	struct store_decision_result res;
	int rc = store_hold_decide(s, ref, &d, &res, err, sizeof err);
	if (rc != 0) {
		fprintf(stderr, "report-fixture: decide %s: rc %d %s %s\n", ref, rc, res.reason, err);
		exit(1);
	}
}

static void decide(struct store *s, const char *ref, enum hold_event ev, time_t now)
{
	decide_by(s, ref, ev, now, 0);
}

/* Store one hold and take it to its outcome. */
static void put_hold(struct store *s, const struct fx_hold *h)
{
	struct hold_rcpt r[3];
	char buf[3][3][128];
	size_t n = 0;
	for (; n < 3 && h->rcpts[n] != NULL; n++) {
		const char *p = h->rcpts[n];
		for (int k = 0; k < 3; k++) {
			size_t len = strcspn(p, "|");
			snprintf(buf[n][k], sizeof buf[n][k], "%.*s", (int)len, p);
			p += len + (p[len] == '|');
		}
		r[n] = (struct hold_rcpt){buf[n][0], strcmp(buf[n][1], "-") ? buf[n][1] : NULL,
						buf[n][2], "fixture"};
	}
	static const char msg[] = "Subject: fixture\r\n\r\nbody\r\n";
	struct hold_record sh = {
		.queue_id = "Q1", .sender = h->sender, .subject = "fixture",
		.received = h->received, .decided_on = date_from_time(h->received),
		.categories = h->categories, .tlp = h->tlp, .registry_digest = "00",
		.data = msg, .len = sizeof msg - 1, .fd = -1, .rcpts = r, .nrcpts = n,
	};
	/* references in order, not random: the reports name them, and their
	 * golden files must not change from run to run */
	static unsigned serial;
	char ref[STORE_REF_MAX], day[16];
	if (store_ref_new(h->received, ref) != 0) {
		fprintf(stderr, "report-fixture: no random bytes\n");
		exit(1);
	}
	snprintf(day, sizeof day, "%.9s", ref);
	snprintf(ref, sizeof ref, "%s-%010u", day, ++serial);
	sh.ref = ref;
	if (store_hold_put(s, &sh, ref, err, sizeof err) != 0) {
		fprintf(stderr, "report-fixture: hold: %s\n", err);
		exit(1);
	}
	time_t t = h->received + h->decide_after;
	switch (h->outcome) {
	case OPEN:
		break;
	case DENY:
		decide(s, ref, HEV_DENY, t);
		break;
	case EXPIRE:
		decide(s, ref, HEV_EXPIRE, t);
		break;
	case RELEASE:
		decide_by(s, ref, HEV_APPROVE, t - 3600 < h->received ? h->received : t - 3600, 1);
		decide(s, ref, HEV_APPROVE, t - 60);
		decide(s, ref, HEV_RELEASE_STARTED, t - 30);
		decide(s, ref, HEV_RELEASE_DONE, t);
		break;
	}
}

/* Write n shares in one transaction. */
static void put_shares(struct store *s, const struct hold_share *sh, size_t n)
{
	if (store_shares_put(s, sh, n, err, sizeof err) != 0) {
		fprintf(stderr, "report-fixture: shares: %s\n", err);
		exit(1);
	}
}

#define PT CAT_PROVIDER_TRACEABLE
#define INC CAT_INCIDENT
#define PD CAT_PERSONAL_DATA
#define UNS CAT_UNSCANNABLE

/* The record of the golden tests. */
static void golden(struct store *s)
{
	const char *uk = "<soc@ncsc.gov.uk>|ncsc-uk|no-basis";
	const struct fx_hold holds[] = {
		/* before the period: not counted */
		{at(2026, 7, 26, DAY - 1), "<alice@ncsc.nl>", PT, TLP_AMBER, {uk}, OPEN, 0},
		/* 2026-W31 */
		{at(2026, 7, 28, 9 * HOUR), "<alice@ncsc.nl>", PT | INC, TLP_AMBER, {uk}, DENY,
		 2 * HOUR},
		{at(2026, 7, 29, 14 * HOUR + 1800), "<alice@ncsc.nl>", PT | PD, TLP_NONE,
		 {"<central@cisa.gov>|cisa|no-basis,no-transfer-mechanism"}, OPEN, 0},
		{at(2026, 7, 30, 10 * HOUR), "<bob@ncsc.nl>", UNS, TLP_NONE,
		 {"<irt@csirt.example.org>|-|unknown-party"}, RELEASE, DAY + 3 * HOUR},
		/* 2026-W32 */
		{at(2026, 8, 4, 8 * HOUR + 900), "<alice@ncsc.nl>", PT, TLP_GREEN,
		 {uk, "<cert@cert.be>|cert-be|constituency-mismatch"}, EXPIRE, 14 * DAY},
		{at(2026, 8, 6, 16 * HOUR), "<Carol@NCSC.nl>", INC, TLP_RED,
		 {"<cert@cert.be>|cert-be|tlp-exceeds"}, DENY, 1800},
		/* 2026-W33: nothing; 2026-W34 */
		{at(2026, 8, 18, 11 * HOUR), "<alice@ncsc.nl>", PT, TLP_NONE, {uk}, RELEASE,
		 5 * HOUR},
		{at(2026, 8, 19, 12 * HOUR), "<=cmd<b>x@evil.example>", PT, TLP_NONE,
		 {"<a@csirt.example.org>|-|unknown-party"}, OPEN, 0},
		/* 2026-W36 */
		{at(2026, 8, 31, 9 * HOUR), "<bob@ncsc.nl>", PT | INC, TLP_CLEAR,
		 {"<central@cisa.gov>|cisa|no-basis", "<irt@csirt.example.org>|-|unknown-party"},
		 OPEN, 0},
		/* the first second after the period: not counted */
		{at(2026, 9, 7, 0), "<alice@ncsc.nl>", PT, TLP_NONE, {uk}, OPEN, 0},
	};
	for (size_t i = 0; i < sizeof holds / sizeof holds[0]; i++)
		put_hold(s, &holds[i]);

	const char *w = "wbni-20-2-eu-csirt", *wa = "Wbni art. 20(2)";
	const struct hold_share shares[] = {
		{"Q2", "<alice@ncsc.nl>", "<cert@cert.be>", "cert-be", w, wa, PT | INC, TLP_AMBER,
		 120, "BE:120", false, at(2026, 7, 28, 10 * HOUR), NULL, NULL},
		{"Q3", "<alice@ncsc.nl>", "<cert@cert.be>", "cert-be", w, wa, PT, TLP_GREEN, 30,
		 "BE:30", false, at(2026, 7, 30, 9 * HOUR), NULL, NULL},
		{"Q4", "<bob@ncsc.nl>", "<soc@surf.nl>", "surfcert", "wbni-3-2-designated-ccrt",
		 "Wbni art. 3(2) jo. art. 20(2)", PT, TLP_AMBER, 12, "NL:12", false,
		 at(2026, 8, 3, 13 * HOUR), NULL, NULL},
		/* the last second of the Wbni, the first of the Cbw */
		{"Q5", "<alice@ncsc.nl>", "<cert@cert.be>", "cert-be", w, wa, PT, TLP_NONE, 5, "BE:5",
		 false, at(2026, 8, 14, DAY - 1), NULL, NULL},
		{"Q6", "<alice@ncsc.nl>", "<cert@cert.be>", "cert-be", "cbw-eu-csirt", "Cbw art. 20",
		 PT | PD, TLP_AMBER_STRICT, 40, "BE:40", false, at(2026, 8, 15, 0), NULL, NULL},
		{"Q7", "<bob@ncsc.nl>", "<cert@cert.be>", "cert-be", "cbw-eu-csirt", "Cbw art. 20",
		 INC, TLP_AMBER, 7, "BE:7", false, at(2026, 9, 1, 8 * HOUR), NULL, NULL},
		/* own organisation: no basis needed */
		{"Q8", "<alice@ncsc.nl>", "<team@ncsc.nl>", NULL, "", "", PT, TLP_NONE, 3, "NL:3",
		 false, at(2026, 8, 20, 9 * HOUR), NULL, NULL},
		/* simulate mode: delivered, would have been held */
		{"Q9", "<bob@ncsc.nl>", "<soc@ncsc.gov.uk>", "ncsc-uk", "", "", PT, TLP_NONE, 9,
		 "GB:9", true, at(2026, 8, 21, 9 * HOUR), NULL, NULL},
		/* a basis the registry no longer knows */
		{"QA", "<alice@ncsc.nl>", "<cert@cert.be>", "cert-be", "old-basis", "Wbni art. 20(2)",
		 PT, TLP_NONE, 2, "BE:2", false, at(2026, 8, 22, 9 * HOUR), NULL, NULL},
		/* after the period */
		{"QB", "<alice@ncsc.nl>", "<cert@cert.be>", "cert-be", "cbw-eu-csirt", "Cbw art. 20",
		 PT, TLP_NONE, 99, "BE:99", false, at(2026, 9, 7, 0), NULL, NULL},
	};
	put_shares(s, shares, sizeof shares / sizeof shares[0]);

	/* notices for stats: one sent, one failed, one queued */
	time_t now = at(2026, 9, 1, 0);
	for (int i = 0; i < 3; i++)
		if (store_notice_put_at(s, "hold", "", "alice@ncsc.nl", "Subject: n\r\n\r\nn\r\n",
					now, err, sizeof err) != 0) {
			fprintf(stderr, "report-fixture: notice: %s\n", err);
			exit(1);
		}
	struct store_notice n;
	if (store_notice_next(s, now, &n) == 1)
		store_notice_done(s, n.id);
	if (store_notice_next(s, now, &n) == 1)
		store_notice_failed(s, n.id, now, "550 no such user");
}

/* Two years, generated by a fixed linear congruential sequence. */
static void long_record(struct store *s)
{
	static const char *const rcpts[] = {
		"<soc@ncsc.gov.uk>|ncsc-uk|no-basis",
		"<central@cisa.gov>|cisa|no-basis,no-transfer-mechanism",
		"<cert@cert.be>|cert-be|constituency-mismatch",
		"<cert@cert.be>|cert-be|tlp-exceeds",
		"<irt@csirt.example.org>|-|unknown-party",
		"<soc@surf.nl>|surfcert|unscannable",
	};
	static const char *const senders[] = {"<alice@ncsc.nl>", "<bob@ncsc.nl>",
					      "<carol@ncsc.nl>", "<dave@ncsc.nl>"};
	uint32_t x = 12345;
	time_t start = at(2024, 9, 2, 0);
	struct hold_share *sh = calloc(800, sizeof *sh);
	size_t nsh = 0;
	for (int week = 0; week < 104; week++) {
		x = x * 1103515245u + 12345u;
		unsigned nholds = (x >> 16) % 9 + (week > 60 ? 3 : 0);
		for (unsigned i = 0; i < nholds; i++) {
			x = x * 1103515245u + 12345u;
			unsigned v = x >> 8;
			struct fx_hold h = {start + week * 7 * DAY + (time_t)(v % (7 * DAY)),
					    senders[v % 4], PT | (v & 1 ? INC : 0), TLP_NONE,
					    {rcpts[(v >> 3) % 6]}, (enum outcome)((v >> 7) % 4),
					    (long)(v % (3 * DAY)) + 600};
			if (h.outcome == EXPIRE)
				h.decide_after = 14 * DAY;
			put_hold(s, &h);
		}
		for (unsigned i = 0; i < (x >> 20) % 7 && nsh < 800; i++) {
			time_t t = start + week * 7 * DAY + (time_t)i * DAY;
			bool cbw = t >= at(2026, 8, 15, 0);
			sh[nsh++] = (struct hold_share){
				"Q", "<alice@ncsc.nl>", "<cert@cert.be>", "cert-be",
				cbw ? "cbw-eu-csirt" : "wbni-20-2-eu-csirt",
				cbw ? "Cbw art. 20" : "Wbni art. 20(2)", PT, TLP_AMBER,
				(uint32_t)(x >> 24), "BE:1", false, t, NULL, NULL};
		}
	}
	put_shares(s, sh, nsh);
	free(sh);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: report-fixture DB golden|empty|long|foreign\n");
		return 1;
	}
	if (strcmp(argv[2], "foreign") == 0) {
		sqlite3 *db = NULL;
		int rc = sqlite3_open(argv[1], &db);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1)", NULL, NULL,
					  NULL);
		sqlite3_close(db);
		return rc == SQLITE_OK ? 0 : 1;
	}
	/* a new store is made as `grondslag store init` makes it */
	if (access(argv[1], F_OK) != 0 && store_init(argv[1], NULL, err, sizeof err) != 0) {
		fprintf(stderr, "%s: %s\n", argv[1], err);
		return 1;
	}
	struct store *s = store_open(argv[1], err, sizeof err);
	if (s == NULL) {
		fprintf(stderr, "report-fixture: %s\n", err);
		return 1;
	}
	if (strcmp(argv[2], "golden") == 0) {
		golden(s);
	} else if (strcmp(argv[2], "long") == 0) {
		long_record(s);
	} else if (strcmp(argv[2], "empty") != 0) {
		fprintf(stderr, "report-fixture: unknown record \"%s\"\n", argv[2]);
		store_close(s);
		return 1;
	}
	store_close(s);
	return 0;
}
