/*
 * cmd_jurist.c - the jurists' commands: held, show, approve, deny, and
 * the admins' release-resolve.  They
 * never touch the store: each sends one request over ControlSocket to the
 * daemon, which knows the caller from the kernel (SO_PEERCRED) and
 * checks the role (see include/grondslag/daemon/ctlsock.h).
 *
 *   held    [--since YYYY-MM-DD] [--party P] [--sender S] [--reason CODE]
 *   show    REF [--content]
 *   approve REF --reason TEXT [--basis ID] [--rcpt ADDR]...
 *   deny    REF --reason TEXT [--rcpt ADDR]...
 *   approve|deny --all-matching [--since D] [--party P] [--sender S]
 *           [--reason-code CODE] --reason TEXT [--basis ID] [--dry-run | --yes]
 *   release-resolve REF --delivered|--resend --reason TEXT   (admins)
 *   claim REF [--take-over]
 *   handover REF LOGIN --note TEXT
 *   comment REF --text TEXT
 *   advice REF LOGIN --question TEXT
 *   urgent REF --text TEXT   (senders: their own holds only)
 * all with [-c CONFIG] [--socket PATH] [--json].  The socket is --socket,
 * else ControlSocket of -c CONFIG (default /etc/grondslag/grondslag.conf).
 * A bulk decision without --yes first shows what it will change (a dry
 * run of the daemon) and asks on the terminal; the confirmed run carries
 * the preview's plan digest, so the daemon changes nothing when the
 * matching recipients changed meanwhile.  Without a terminal and without
 * --yes it changes nothing (exit 2).
 * Exit: 0 ok, 1 refused (role, or the rules: e.g. the sender approving;
 * a bulk decision not confirmed), 2 error (no such hold, bad request,
 * daemon not reachable).
 * Limits: the answer is read up to 64 MiB within 60 seconds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "grondslag/daemon/ctlsock.h"
#include "grondslag/base/date.h"
#include "grondslag/base/json.h"
#include "grondslag/base/jsonr.h"
#include "grondslag/base/limits.h"

#define DEFAULT_CONFIG "/etc/grondslag/grondslag.conf"
#define MAX_RCPT_ARGS RCPTS_MAX	/* limits.h */

struct jopts {
	const char *cmd, *config, *socket, *ref, *since, *party, *sender, *code, *reason, *basis;
	const char *resolution;		/* release-resolve: delivered | resend */
	const char *to, *text;		/* case handling: the colleague, the words */
	bool take_over;			/* claim: from the colleague holding it */
	const char *rcpts[MAX_RCPT_ARGS];
	size_t nrcpts;
	bool json, content, all, dry_run, yes;
	char plan[65];			/* the preview's digest, "" when none */
};

/* The arguments of the case commands: 0, or -1 with a message. */
static int case_usage(const struct jopts *o)
{
	static const struct {
		const char *cmd, *usage;
		bool to, text;
	} cases[] = {
		{"claim", "claim REF [--take-over]", false, false},
		{"handover", "handover REF LOGIN --note TEXT", true, true},
		{"comment", "comment REF --text TEXT", false, true},
		{"advice", "advice REF LOGIN --question TEXT", true, true},
		{"urgent", "urgent REF --text TEXT", false, true},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (strcmp(o->cmd, cases[i].cmd) != 0)
			continue;
		if ((cases[i].to && o->to == NULL) || cases[i].text != (o->text != NULL) ||
		    (o->take_over && i != 0)) {
			fprintf(stderr, "grondslag %s: usage: grondslag %s\n", o->cmd, cases[i].usage);
			return -1;
		}
		return 0;
	}
	if (o->text != NULL || o->take_over) {
		fprintf(stderr, "grondslag %s: --note, --text, --question and --take-over are for"
			" the case commands\n", o->cmd);
		return -1;
	}
	return 0;
}

/* Parse argv (argv[0] is the command); 0, or -1 with a message. */
static int parse(int argc, char **argv, struct jopts *o)
{
	memset(o, 0, sizeof *o);
	o->cmd = argv[0];
	bool held = strcmp(o->cmd, "held") == 0;
	bool colleague = strcmp(o->cmd, "handover") == 0 || strcmp(o->cmd, "advice") == 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		const char **slot = strcmp(a, "-c") == 0 ? &o->config
				  : strcmp(a, "--socket") == 0 ? &o->socket
				  : strcmp(a, "--since") == 0 ? &o->since
				  : strcmp(a, "--party") == 0 ? &o->party
				  : strcmp(a, "--sender") == 0 ? &o->sender
				  : strcmp(a, "--reason-code") == 0 ? &o->code
				  : strcmp(a, "--reason") == 0 ? (held ? &o->code : &o->reason)
				  : strcmp(a, "--basis") == 0 ? &o->basis
				  : strcmp(a, "--note") == 0 ? &o->text
				  : strcmp(a, "--text") == 0 ? &o->text
				  : strcmp(a, "--question") == 0 ? &o->text
				  : NULL;
		if (slot != NULL && v != NULL) {
			*slot = v;
			i++;
		} else if (strcmp(a, "--rcpt") == 0 && v != NULL && o->nrcpts < MAX_RCPT_ARGS) {
			o->rcpts[o->nrcpts++] = v;
			i++;
		} else if (strcmp(a, "--json") == 0) {
			o->json = true;
		} else if ((strcmp(a, "--delivered") == 0 || strcmp(a, "--resend") == 0) &&
			   o->resolution == NULL) {
			o->resolution = a + 2;
		} else if (strcmp(a, "--content") == 0) {
			o->content = true;
		} else if (strcmp(a, "--all-matching") == 0) {
			o->all = true;
		} else if (strcmp(a, "--dry-run") == 0) {
			o->dry_run = true;
		} else if (strcmp(a, "--yes") == 0 || strcmp(a, "-y") == 0) {
			o->yes = true;
		} else if (strcmp(a, "--take-over") == 0) {
			o->take_over = true;
		} else if (a[0] != '-' && o->ref == NULL && !held) {
			o->ref = a;
		} else if (a[0] != '-' && o->to == NULL && colleague) {
			o->to = a;
		} else {
			fprintf(stderr, "grondslag %s: unknown or incomplete option \"%.64s\"\n", o->cmd, a);
			return -1;
		}
	}
	bool decide = strcmp(o->cmd, "approve") == 0 || strcmp(o->cmd, "deny") == 0;
	bool resolve = strcmp(o->cmd, "release-resolve") == 0;
	if (resolve != (o->resolution != NULL) || (resolve && o->reason == NULL)) {
		fprintf(stderr, "grondslag %s: release-resolve REF needs exactly one of --delivered"
			" (the MTA's log shows the copy queued) and --resend (it was not), and"
			" --reason TEXT\n", o->cmd);
		return -1;
	}
	if (!held && !o->all && o->ref == NULL) {
		fprintf(stderr, "grondslag %s: a hold reference is needed\n", o->cmd);
		return -1;
	}
	if (case_usage(o) != 0)
		return -1;
	if (decide && o->reason == NULL) {
		fprintf(stderr, "grondslag %s: --reason TEXT is required\n", o->cmd);
		return -1;
	}
	if (o->all && (o->ref != NULL || o->nrcpts > 0 || !decide)) {
		fprintf(stderr, "grondslag %s: --all-matching takes filters, not REF or --rcpt\n",
			o->cmd);
		return -1;
	}
	if ((o->dry_run || o->yes) && !decide) {
		fprintf(stderr, "grondslag %s: --dry-run and --yes are for approve and deny\n",
			o->cmd);
		return -1;
	}
	if (o->dry_run && !o->all) {
		fprintf(stderr, "grondslag %s: --dry-run is for --all-matching\n", o->cmd);
		return -1;
	}
	if (o->dry_run && o->yes) {
		fprintf(stderr, "grondslag %s: --dry-run or --yes, not both\n", o->cmd);
		return -1;
	}
	return 0;
}

/* The socket path: --socket, else ControlSocket of the configuration. */
static char *socket_path(const struct jopts *o)
{
	if (o->socket != NULL)
		return strdup(o->socket);
	const char *file = o->config;
	if (file == NULL && access(DEFAULT_CONFIG, R_OK) == 0)
		file = DEFAULT_CONFIG;
	struct config *c = ctl_config(file);
	if (c == NULL)
		return NULL;
	char *p = *config_str(c, CONF_CONTROL_SOCKET) ? strdup(config_str(c, CONF_CONTROL_SOCKET))
						       : NULL;
	if (p == NULL)
		fprintf(stderr, "grondslag: no ControlSocket in %s (give --socket PATH)\n",
			file ? file : "the defaults");
	config_free(c);
	return p;
}

/* Write the filters of held / bulk into the request. */
static bool write_filters(struct json *j, const struct jopts *o)
{
	if (o->since != NULL) {
		int32_t day;
		if (!date_parse(o->since, &day)) {
			fprintf(stderr, "grondslag %s: --since: \"%.32s\" is not YYYY-MM-DD\n", o->cmd,
				o->since);
			return false;
		}
		json_key(j, "since");
		json_int(j, (int64_t)day * 86400);
	}
	const char *keys[] = {"party", "sender", "reason_code"};
	const char *vals[] = {o->party, o->sender, o->code};
	for (size_t i = 0; i < 3; i++) {
		if (vals[i] != NULL) {
			json_key(j, keys[i]);
			json_str(j, vals[i]);
		}
	}
	return true;
}

/* The request line (malloc'ed) or NULL. */
static char *build_request(const struct jopts *o, size_t *len)
{
	struct json *j = json_new_string();
	if (j == NULL)
		return NULL;
	bool ok = true;
	json_obj_begin(j);
	json_key(j, "cmd");
	json_str(j, o->cmd);
	/* the case commands' words go in the member the daemon reads */
	const char *text_key = strcmp(o->cmd, "handover") == 0 ? "note"
			       : strcmp(o->cmd, "advice") == 0 ? "question" : "text";
	const char *keys[] = {"ref", "reason", "basis", "resolution", "to", text_key};
	const char *vals[] = {o->ref, o->reason, o->basis, o->resolution, o->to, o->text};
	for (size_t i = 0; i < 6; i++) {
		if (vals[i] != NULL) {
			json_key(j, keys[i]);
			json_str(j, vals[i]);
		}
	}
	if (o->take_over) {
		json_key(j, "take_over");
		json_bool(j, true);
	}
	if (o->content) {
		json_key(j, "content");
		json_bool(j, true);
	}
	if (o->nrcpts > 0) {
		json_key(j, "rcpts");
		json_arr_begin(j);
		for (size_t i = 0; i < o->nrcpts; i++)
			json_str(j, o->rcpts[i]);
		json_arr_end(j);
	}
	if (o->all) {
		json_key(j, "all_matching");
		json_bool(j, true);
	}
	if (o->dry_run) {
		json_key(j, "dry_run");
		json_bool(j, true);
	}
	if (o->plan[0] != '\0') {
		json_key(j, "plan");
		json_str(j, o->plan);
	}
	if (strcmp(o->cmd, "held") == 0 || o->all)
		ok = write_filters(j, o);
	json_obj_end(j);
	char *buf = json_string_done(j, len);
	if (buf != NULL && !ok) {
		free(buf);
		buf = NULL;
	}
	return buf;
}

/* Exit code of an answer's status. */
static int exit_of(const char *status)
{
	if (status != NULL && strcmp(status, "ok") == 0)
		return CTL_OK;
	if (status != NULL && strcmp(status, "refused") == 0)
		return CTL_HELD;
	return CTL_ERROR;
}

/* "3d04h", "2h05m", "12m": the age of a hold. */
static void age_text(uint64_t s, char *buf, size_t len)
{
	if (s >= 86400)
		snprintf(buf, len, "%llud%02lluh", (unsigned long long)(s / 86400),
			 (unsigned long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, len, "%lluh%02llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%llum", (unsigned long long)(s / 60));
}

/* A string member, "" when absent. */
static const char *str_of(const struct jsonr_value *v, const char *key)
{
	const char *s = jsonr_str(jsonr_get(v, key));
	return s ? s : "";
}

/* An unsigned member, 0 when absent. */
static uint64_t num_of(const struct jsonr_value *v, const char *key)
{
	uint64_t n = 0;
	jsonr_u64(jsonr_get(v, key), &n);
	return n;
}

/* The recipients of a hold, one line each. */
static void print_rcpts(const struct jsonr_value *h, uint64_t required, bool explain)
{
	const struct jsonr_value *rs = jsonr_get(h, "recipients");
	for (size_t i = 0; i < jsonr_count(rs); i++) {
		const struct jsonr_value *r = jsonr_at(rs, i);
		printf("  %-9s %s  party %s  reasons %s", str_of(r, "state"), str_of(r, "rcpt"),
		       *str_of(r, "party") ? str_of(r, "party") : "(unknown)", str_of(r, "reasons"));
		if (jsonr_get(r, "approvals") != NULL)
			printf("  approvals %llu/%llu", (unsigned long long)num_of(r, "approvals"),
			       (unsigned long long)required);
		if (*str_of(r, "relay_queue_id"))
			printf("  relay queue id %s", str_of(r, "relay_queue_id"));
		printf("\n");
		if (explain && *str_of(r, "explanation"))
			printf("            %s\n", str_of(r, "explanation"));
	}
}

/* When HoldExpiry ends the hold: the UTC time and how long is left. */
static void print_expiry(const struct jsonr_value *h)
{
	uint64_t at = 0;
	const char *in = jsonr_str(jsonr_get(h, "expires_in"));	/* may be negative */
	const char *state = str_of(h, "state");
	if (!jsonr_u64(jsonr_get(h, "expires"), &at) || in == NULL ||
	    strcmp(state, "released") == 0 || strcmp(state, "denied") == 0 ||
	    strcmp(state, "expired") == 0)
		return;
	long long left = strtoll(in, NULL, 10);
	char when[32], span[32];
	time_t t = (time_t)at;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
	age_text((uint64_t)(left < 0 ? -left : left), span, sizeof span);
	if (left >= 0)
		printf("  expires %s (in %s): then denied as expired unless decided\n", when, span);
	else
		printf("  expiry due since %s (%s ago): expired at the next run\n", when, span);
}

/* The head lines of a hold (held and show). */
static void print_hold_head(const struct jsonr_value *h)
{
	char age[32];
	const struct jsonr_value *s = jsonr_get(h, "summary");
	age_text(num_of(h, "age"), age, sizeof age);
	printf("%s  %s  age %s  from %s\n", str_of(h, "ref"), str_of(h, "state"), age,
	       str_of(h, "sender"));
	if (*str_of(h, "sender_auth"))
		printf("  sent by SMTP AUTH login: %s\n", str_of(h, "sender_auth"));
	print_expiry(h);
	if (*str_of(h, "subject_withheld"))
		printf("  subject: (withheld: %s)\n", str_of(h, "subject_withheld"));
	else
		printf("  subject: %s\n", str_of(h, "subject"));
	printf("  categories: %s  TLP %s  public addresses %llu, networks %llu  countries %s\n",
	       *str_of(s, "categories") ? str_of(s, "categories") : "-",
	       *str_of(s, "tlp") ? str_of(s, "tlp") : "-",
	       (unsigned long long)num_of(s, "public_addresses"),
	       (unsigned long long)num_of(s, "public_networks"),
	       *str_of(s, "countries") ? str_of(s, "countries") : "-");
	if (*str_of(s, "readers"))
		printf("  encrypted content %s\n", str_of(s, "readers"));
}

/* A release that keeps failing: how often, the relay's last answer, and
 * (show) when the next attempt is due. */
static void print_release(const struct jsonr_value *h)
{
	uint64_t n = num_of(h, "release_attempts");
	const char *why = str_of(h, "release_error");
	if (n == 0 && *why == '\0')
		return;
	/* the releaser stopped and left it to the admins (store.h): a copy
	 * delivered without the milter's check, or whose delivery nobody can
	 * tell, is never sent again; a changed message is never sent */
	if (strncmp(why, "unconfirmed:", 12) == 0 || strncmp(why, "unknown:", 8) == 0 ||
	    strncmp(why, "duplicate:", 10) == 0) {
		printf("  RELEASE NEEDS AN ADMIN: %s\n", why);
		if (*why == 'd')
			printf("  action (admin): the recipients had the message from the hold named;"
			       " once it is released there: grondslag release-resolve %s --delivered"
			       " --reason TEXT\n", str_of(h, "ref"));
		else
			printf("  action (admin): look the queue id up in the MTA's log, then"
			       " grondslag release-resolve %s --delivered --reason TEXT (queued) or"
			       " --resend --reason TEXT (not queued)\n", str_of(h, "ref"));
		return;
	}
	if (strstr(why, "does not match its SHA-256") != NULL) {
		printf("  RELEASE REFUSED (stored message changed): %s\n", why);
		return;
	}
	printf("  release failing: %llu attempt%s, last: %s\n", (unsigned long long)n,
	       n == 1 ? "" : "s", *why ? why : "-");
	time_t due = (time_t)num_of(h, "release_due");
	if (due > 0) {
		char when[32];
		struct tm tm;
		gmtime_r(&due, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
		printf("  next attempt: %s\n", when);
	}
}

/* "Mon 2026-12-07 14:05 UTC" of t into buf. */
static void when_text(uint64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm);
}

/* Where the case stands: a hold of held (its members) or show's "case". */
static void print_case(const struct jsonr_value *h)
{
	const struct jsonr_value *c = jsonr_get(h, "case");
	const struct jsonr_value *pend = jsonr_get(c, "advice_pending");
	const char *holder = str_of(c != NULL ? c : h, "holder");
	char when[32];
	if (*holder) {
		when_text(num_of(c != NULL ? c : h, c != NULL ? "since" : "holder_since"), when,
			  sizeof when);
		printf("  case held by %s since %s\n", holder, when);
	}
	if (c == NULL && num_of(h, "advice_pending") > 0) {
		when_text(num_of(h, "advice_since"), when, sizeof when);
		printf("  advice pending: %llu (asked of %s since %s)\n",
		       (unsigned long long)num_of(h, "advice_pending"), str_of(h, "advice_of"), when);
	}
	for (size_t i = 0; i < jsonr_count(pend); i++) {
		const struct jsonr_value *p = jsonr_at(pend, i);
		when_text(num_of(p, "asked_at"), when, sizeof when);
		printf("  advice pending: asked of %s by %s since %s\n", str_of(p, "asked_of"),
		       str_of(p, "asked_by"), when);
	}
	/* the sender's urgent request: a listing's members, or show's */
	const struct jsonr_value *u = jsonr_get(c, "urgent");
	if (c == NULL && *str_of(h, "urgent_by")) {
		when_text(num_of(h, "urgent_since"), when, sizeof when);
		printf("  URGENT review asked by %s since %s\n", str_of(h, "urgent_by"), when);
	} else if (jsonr_type(u) == JSONR_OBJECT) {
		when_text(num_of(u, "at"), when, sizeof when);
		printf("  URGENT review asked by %s since %s: %s\n", str_of(u, "by"), when,
		       str_of(jsonr_get(u, "record"), "text"));
	}
}

/* held, human form. */
static void print_held(const struct jsonr_value *a)
{
	const struct jsonr_value *hs = jsonr_get(a, "holds");
	uint64_t required = num_of(a, "required");
	printf("%zu held message%s (release needs %llu distinct jurist approval%s per recipient)\n",
	       jsonr_count(hs), jsonr_count(hs) == 1 ? "" : "s", (unsigned long long)required,
	       required == 1 ? "" : "s");
	for (size_t i = 0; i < jsonr_count(hs); i++) {
		printf("\n");
		print_hold_head(jsonr_at(hs, i));
		print_rcpts(jsonr_at(hs, i), required, false);
		print_release(jsonr_at(hs, i));
		print_case(jsonr_at(hs, i));
	}
	if (jsonr_bool(jsonr_get(a, "truncated")))
		printf("\n(more holds match: narrow the filters)\n");
}

/* show, human form. */
static void print_show(const struct jsonr_value *a)
{
	print_hold_head(a);
	printf("  queue id %s, %llu bytes, sha256 %s\n", str_of(a, "queue_id"),
	       (unsigned long long)num_of(a, "size"), str_of(a, "sha256"));
	printf("held recipients:\n");
	print_rcpts(a, num_of(a, "required"), true);
	print_release(a);
	print_case(a);
	const struct jsonr_value *d = jsonr_get(a, "delivered"), *ap = jsonr_get(a, "approvals");
	for (size_t i = 0; i < jsonr_count(d); i++)
		printf("  delivered %s\n", jsonr_str(jsonr_at(d, i)));
	const struct jsonr_value *parts = jsonr_get(jsonr_get(a, "summary"), "parts");
	printf("parts:\n");
	for (size_t i = 0; i < jsonr_count(parts); i++) {
		const struct jsonr_value *p = jsonr_at(parts, i);
		printf("  %s  %s  %s%s%s\n", str_of(p, "path"), str_of(p, "type"), str_of(p, "status"),
		       *str_of(p, "reason") ? " " : "", str_of(p, "reason"));
	}
	printf("approvals (%zu):\n", jsonr_count(ap));
	for (size_t i = 0; i < jsonr_count(ap); i++) {
		const struct jsonr_value *x = jsonr_at(ap, i);
		char when[32];
		time_t t = (time_t)num_of(x, "at");
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
		printf("  %s  %s  %s  basis \"%s\": %s\n", when, str_of(x, "jurist"),
		       str_of(x, "rcpt"), str_of(x, "basis"), str_of(x, "reason"));
	}
	if (jsonr_get(a, "findings") != NULL) {
		printf("content (this view is recorded):\nheaders:\n%s\nfindings:\n",
		       str_of(a, "headers"));
		struct json *j = json_new(stdout, true);
		ctlsock_json_copy(j, jsonr_get(a, "findings"), 32);
		json_free(j);
	}
}

/* The plural ending of a count's noun: "1 hold", "2 holds". */
static const char *plural_s(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

/* A bulk answer: what was (or, in a dry run, would be) decided, hold by
 * hold with the recipients named. */
static void print_bulk(const struct jopts *o, const struct jsonr_value *a)
{
	bool dry = jsonr_bool(jsonr_get(a, "dry_run")), deny = strcmp(o->cmd, "deny") == 0;
	unsigned long long rcpts = (unsigned long long)num_of(a, "recipients"),
			   matched = (unsigned long long)num_of(a, "matched"),
			   applied = (unsigned long long)num_of(a, "applied");
	if (dry)
		printf("%s (dry run, nothing changed): %llu recipient%s of %llu hold%s would be %s"
		       "%s\n", o->cmd, rcpts, plural_s(rcpts), matched, plural_s(matched),
		       deny ? "denied" : "approved by you",
		       num_of(a, "refused") ? "; some holds would refuse (see below)" : "");
	else
		printf("%s: %llu recipient%s of %llu hold%s matched, %llu hold%s %s, %llu"
		       " refused, %llu failed\n", o->cmd, rcpts, plural_s(rcpts), matched,
		       plural_s(matched), applied, plural_s(applied),
		       deny ? "denied" : "approved by you",
		       (unsigned long long)num_of(a, "refused"),
		       (unsigned long long)num_of(a, "failed"));
	const struct jsonr_value *rs = jsonr_get(a, "results");
	for (size_t i = 0; i < jsonr_count(rs); i++) {
		const struct jsonr_value *r = jsonr_at(rs, i), *rc = jsonr_get(r, "recipients");
		printf("  %s  from %s  %s%s%s\n", str_of(r, "ref"), str_of(r, "sender"),
		       str_of(r, "status"), *str_of(r, "error") ? ": " : "", str_of(r, "error"));
		for (size_t k = 0; k < jsonr_count(rc); k++) {
			const struct jsonr_value *x = jsonr_at(rc, k);
			printf("    %s  party %s  reasons %s\n", str_of(x, "rcpt"),
			       *str_of(x, "party") ? str_of(x, "party") : "(unknown)",
			       str_of(x, "reasons"));
		}
	}
	if (jsonr_bool(jsonr_get(a, "truncated")))
		printf("(more holds match: narrow the filters)\n");
}

/* approve / deny, human form. */
static void print_decision(const struct jopts *o, const struct jsonr_value *a)
{
	if (o->all) {
		print_bulk(o, a);
		return;
	}
	if (o->resolution != NULL) {
		printf("%s: release resolved as %s by %s (recorded); state %s\n", str_of(a, "ref"),
		       o->resolution, str_of(a, "user"), str_of(a, "state"));
		if (strcmp(o->resolution, "resend") == 0)
			printf("the releaser sends a new copy now (see show)\n");
		return;
	}
	printf("%s: %s by %s; state %s\n", str_of(a, "ref"),
	       strcmp(o->cmd, "deny") == 0 ? "denied" : "approval recorded", str_of(a, "user"),
	       str_of(a, "state"));
	print_rcpts(a, num_of(a, "required"), false);
	if (strcmp(o->cmd, "deny") == 0)
		printf(jsonr_bool(jsonr_get(a, "notice")) ? "the sender's notice is queued\n"
							   : "no notice: the sender cannot be told\n");
	else if (strcmp(str_of(a, "release"), "queued") == 0)
		printf("approved; the release is queued: the relay's queue id is recorded when it"
		       " is delivered (see show)\n");
	else if (strncmp(str_of(a, "release"), "pending", 7) == 0)
		printf("approved; release %s: nothing has been sent\n", str_of(a, "release"));
	else
		printf("more approvals are needed before anything is released\n");
}

/* Print the answer; the exit code. */
static int report(const struct jopts *o, const char *ans, size_t alen)
{
	struct jsonr_doc *d = jsonr_parse(ans, alen, NULL, NULL);
	const struct jsonr_value *a = jsonr_root(d);
	const char *status = jsonr_str(jsonr_get(a, "status"));
	int rc = d == NULL ? CTL_ERROR : exit_of(status);
	if (o->json) {
		fwrite(ans, 1, alen, stdout);
	} else if (d == NULL) {
		fprintf(stderr, "grondslag: the daemon's answer is not JSON\n");
	} else if (rc != CTL_OK) {
		fprintf(stderr, "grondslag %s: %s: %s\n", o->cmd, status ? status : "error",
			str_of(a, "error"));
		if (o->all)
			print_decision(o, a);
	} else if (strcmp(o->cmd, "held") == 0) {
		print_held(a);
	} else if (strcmp(o->cmd, "show") == 0) {
		print_show(a);
	} else if (o->text != NULL || strcmp(o->cmd, "claim") == 0) {
		printf("%s: %s by %s (recorded)\n", o->ref, o->cmd, str_of(a, "user"));
		print_case(a);
	} else {
		print_decision(o, a);
	}
	if (o->all && rc == CTL_OK && num_of(a, "applied") == 0 && num_of(a, "refused") > 0)
		rc = CTL_HELD;
	jsonr_free(d);
	return rc;
}

/* One request of o to the daemon at path, its answer reported; the
 * exit code. */
static int run_one(const struct jopts *o, const char *path)
{
	size_t len = 0, alen = 0;
	char *req = build_request(o, &len);
	char *ans = req ? ctl_exchange(path, req, len, &alen) : NULL;
	int rc = ans ? report(o, ans, alen) : CTL_ERROR;
	free(ans);
	free(req);
	return rc;
}

/* A bulk decision without --yes: the daemon's dry run is shown, the
 * jurist confirms on the terminal, and the confirmed run names the plan
 * shown (the daemon refuses when it no longer matches).  The exit code. */
static int run_confirmed(struct jopts *o, const char *path)
{
	size_t len = 0, alen = 0;
	o->dry_run = true;
	char *req = build_request(o, &len);
	char *ans = req ? ctl_exchange(path, req, len, &alen) : NULL;
	o->dry_run = false;
	free(req);
	if (ans == NULL)
		return CTL_ERROR;
	struct jsonr_doc *d = jsonr_parse(ans, alen, NULL, NULL);
	const struct jsonr_value *a = jsonr_root(d);
	int rc = d == NULL ? CTL_ERROR : exit_of(jsonr_str(jsonr_get(a, "status")));
	uint64_t n = num_of(a, "recipients");
	const char *plan = str_of(a, "plan");
	if (rc != CTL_OK) {
		rc = report(o, ans, alen);
		n = 0;
	} else {
		if (o->json)
			fwrite(ans, 1, alen, stdout);
		else
			print_bulk(o, a);
		snprintf(o->plan, sizeof o->plan, "%s", plan);
	}
	jsonr_free(d);
	free(ans);
	if (rc != CTL_OK || n == 0)
		return rc;
	fflush(stdout);
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "grondslag %s: nothing changed: confirm on a terminal, or add --yes"
				" (--dry-run only shows)\n", o->cmd);
		return CTL_ERROR;
	}
	printf("%s %s %llu recipient%s? [y/N] ", strcmp(o->cmd, "deny") == 0 ? "Deny" : "Approve",
	       n == 1 ? "this" : "these", (unsigned long long)n, plural_s((unsigned long long)n));
	fflush(stdout);
	char line[16] = "";
	if (fgets(line, sizeof line, stdin) == NULL ||
	    (strcmp(line, "y\n") != 0 && strcmp(line, "yes\n") != 0 && strcmp(line, "Y\n") != 0)) {
		printf("nothing changed\n");
		return CTL_HELD;
	}
	return run_one(o, path);
}

int cmd_jurist(int argc, char **argv)
{
	struct jopts o;
	if (parse(argc, argv, &o) != 0)
		return CTL_ERROR;
	char *path = socket_path(&o);
	if (path == NULL)
		return CTL_ERROR;
	int rc = o.all && !o.yes && !o.dry_run ? run_confirmed(&o, path) : run_one(&o, path);
	free(path);
	return rc;
}
