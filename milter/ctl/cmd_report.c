/*
 * cmd_report.c - "grondslag report" and "grondslag stats": reports from
 * the record (the store, opened read-only) for management, the DPO and
 * oversight, and counters for monitoring (report.h does the work).
 *
 *   grondslag report [-c CONFIG] [--database FILE] [--registry FILE]
 *                    [--since D] [--until D] [--format text|csv|json|html]
 *                    [-o FILE] [--top N] [--repeat-sender N]
 *                    [--repeat-party N] [--now D]
 *   grondslag stats [-c CONFIG] [--database FILE] [--prometheus] [-o FILE]
 *
 * The period is [since, until) in whole UTC days; until defaults to
 * tomorrow (today included), since to 13 weeks before until.  --now
 * fixes the generation time (reproducible output).  The registry (the
 * configured one, or --registry) only names parties, countries and
 * regimes: when it does not load, the report says so and goes on without.
 * -o writes a temporary file next to FILE and renames it, so a reader
 * (node_exporter's textfile collector) never sees half a file; a FILE
 * that exists and is not a regular file (/dev/null, a pipe) is written
 * in place, never replaced.
 *
 * Every report carries the statement of the audit chain verified here
 * (chain_check.c), never the daemon's word: exit 2 when it does not
 * verify (the report is still written, saying so).
 *
 * Public functions: cmd_report(), cmd_stats().
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain_check.h"
#include "ctl.h"
#include "grondslag/base/date.h"
#include "grondslag/base/json.h"
#include "grondslag/base/jsonr.h"
#include "grondslag/report/report.h"
#include "regload.h"

#define DAY 86400
#define DEFAULT_DAYS 91

/* A positive number of at most max, or false. */
static bool parse_count(const char *s, unsigned max, unsigned *out)
{
	unsigned long v = 0;
	if (s[0] == '\0')
		return false;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			return false;
	}
	*out = (unsigned)v;
	return v > 0;
}

/* Open the output: stdout; path itself when it exists and is not a
 * regular file (/dev/null, a pipe: never replace those); else a
 * temporary file beside path (*tmp set), renamed over it at the end. */
static FILE *out_open(const char *path, char *tmp, size_t tmplen)
{
	tmp[0] = '\0';
	if (path == NULL || strcmp(path, "-") == 0)
		return stdout;
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		FILE *f = fopen(path, "w");
		if (f == NULL)
			fprintf(stderr, "grondslag: %s: %s\n", path, strerror(errno));
		return f;
	}
	snprintf(tmp, tmplen, "%s.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "grondslag: %s: %s\n", path, strerror(errno));
		tmp[0] = '\0';
		return NULL;
	}
	fchmod(fd, 0644);	/* a report to share, a textfile to be read */
	FILE *f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		unlink(tmp);
		tmp[0] = '\0';
	}
	return f;
}

/* Finish the output: flush, fsync and rename into place (or remove the
 * temporary file when writing failed).  0 or -1. */
static int out_close(FILE *f, int wrc, const char *path, const char *tmp)
{
	if (f == stdout)
		return fflush(stdout) == 0 && wrc == 0 ? 0 : -1;
	if (tmp[0] == '\0') {	/* written in place (not a regular file) */
		int rc = fclose(f) == 0 && wrc == 0 ? 0 : -1;
		if (rc != 0)
			fprintf(stderr, "grondslag: %s: write failed\n", path);
		return rc;
	}
	int rc = wrc;
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0) {
		fprintf(stderr, "grondslag: %s: %s\n", path, strerror(errno ? errno : EIO));
		unlink(tmp);
	}
	return rc;
}

/* Parse a day for --since/--until/--now into a time (midnight UTC). */
static bool parse_day(const char *opt, const char *s, time_t *out)
{
	int32_t d;
	if (!date_parse(s, &d) || d < 0) {
		fprintf(stderr, "grondslag: %s: not a date (YYYY-MM-DD, from 1970): \"%.32s\"\n", opt,
			s);
		return false;
	}
	*out = (time_t)d * DAY;
	return true;
}

/* The options of "report" that are not the common ones. */
struct report_args {
	const char *conf, *database, *registry, *output, *socket;
	enum report_format format;
	time_t since, until;
	bool has_since, has_until;
	struct report_options o;
};

/* Parse argv into a; false on a usage error (already printed). */
static bool report_parse(int argc, char **argv, struct report_args *a)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"database", required_argument, NULL, 'D'},
		{"registry", required_argument, NULL, 'r'},
		{"since", required_argument, NULL, 's'},
		{"until", required_argument, NULL, 'u'},
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"top", required_argument, NULL, 't'},
		{"repeat-sender", required_argument, NULL, 'S'},
		{"repeat-party", required_argument, NULL, 'P'},
		{"now", required_argument, NULL, 'n'},
		{"socket", required_argument, NULL, 'k'},
		{"party", required_argument, NULL, 'p'},
		{"basis", required_argument, NULL, 'b'},
		{"sender", required_argument, NULL, 'e'},
		{"sender-names", no_argument, NULL, 'N'},
		{"lang", required_argument, NULL, 'L'},
		{"no-compare", no_argument, NULL, 'C'},
		{NULL, 0, NULL, 0},
	};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:o:", opts, NULL)) != -1) {
		bool ok = true;
		switch (ch) {
		case 'c': a->conf = optarg; break;
		case 'k': a->socket = optarg; break;
		case 'p': a->o.party = optarg; break;
		case 'b': a->o.basis = optarg; break;
		case 'e': a->o.sender = optarg; break;
		case 'N': a->o.pseudonymise = false; break;
		case 'C': a->o.previous = false; break;
		case 'L':
			a->o.lang = optarg;
			ok = report_lang_valid(optarg);
			if (!ok)
				fprintf(stderr, "grondslag report: --lang en|nl\n");
			break;
		case 'D': a->database = optarg; break;
		case 'r': a->registry = optarg; break;
		case 'o': a->output = optarg; break;
		case 's': ok = a->has_since = parse_day("--since", optarg, &a->since); break;
		case 'u': ok = a->has_until = parse_day("--until", optarg, &a->until); break;
		case 'n': ok = parse_day("--now", optarg, &a->o.now); break;
		case 'f':
			ok = report_format_parse(optarg, &a->format);
			if (!ok)
				fprintf(stderr, "grondslag report: --format text|csv|json|html\n");
			break;
		case 't': ok = parse_count(optarg, REPORT_TOP_MAX, &a->o.top); break;
		case 'S': ok = parse_count(optarg, 1000000, &a->o.repeat_sender); break;
		case 'P': ok = parse_count(optarg, 1000000, &a->o.repeat_party); break;
		default: ok = false;
		}
		if (!ok)
			return false;
	}
	if (optind != argc)
		return false;
	if (!a->has_until)
		a->until = ((a->o.now / DAY) + 1) * DAY;
	if (!a->has_since)
		a->since = a->until - (time_t)DEFAULT_DAYS * DAY;
	if (a->since < 0)
		a->since = 0;
	if (a->until <= a->since) {
		fprintf(stderr, "grondslag report: --until must be after --since\n");
		return false;
	}
	a->o.since = a->since;
	a->o.until = a->until;
	return true;
}

/* The registry for names and regimes, or NULL (with a warning). */
static struct registry *report_registry(const struct config *c, const char *override)
{
	if (override == NULL && config_str(c, CONF_REGISTRY)[0] == '\0')
		return NULL;
	struct registry *reg = NULL;
	if (ctl_registry_load(c, override, &reg) != CTL_OK || reg == NULL) {
		fprintf(stderr, "grondslag report: the registry did not load: party ids stand for"
				" countries and regimes are unknown\n");
		return NULL;
	}
	return reg;
}

/* The request of a report through the control socket (malloc'ed). */
static char *report_request(const struct report_args *a, size_t *len)
{
	static const char *const formats[] = {"text", "csv", "json", "html"};
	struct json *j = json_new_string();
	if (j == NULL)
		return NULL;
	json_obj_begin(j);
	json_key(j, "cmd");
	json_str(j, "report");
	const char *nk[] = {"since", "until", "now", "top", "repeat_sender", "repeat_party"};
	const int64_t nv[] = {a->o.since, a->o.until, a->o.now, a->o.top, a->o.repeat_sender,
			      a->o.repeat_party};
	for (size_t i = 0; i < 6; i++) {
		json_key(j, nk[i]);
		json_int(j, nv[i]);
	}
	json_key(j, "format");
	json_str(j, formats[a->format]);
	const char *sk[] = {"party", "basis", "sender"};
	const char *sv[] = {a->o.party, a->o.basis, a->o.sender};
	for (size_t i = 0; i < 3; i++) {
		if (sv[i] != NULL) {
			json_key(j, sk[i]);
			json_str(j, sv[i]);
		}
	}
	json_key(j, "pseudonymise");
	json_bool(j, a->o.pseudonymise);
	json_key(j, "compare");
	json_bool(j, a->o.previous);
	if (a->o.lang != NULL) {
		json_key(j, "lang");
		json_str(j, a->o.lang);
	}
	json_obj_end(j);
	return json_string_done(j, len);	/* one line, with its newline */
}

/* Where the report goes: the report r itself (the statement set into
 * it), or the daemon's document doc (n bytes) with the statement written
 * at its place at. */
struct report_doc {
	const struct report *r;
	const char *doc;
	size_t n;
	long at;
	bool nl;
};

/* Write the report to the output with the statement of the chain in
 * its place.  CTL_OK when written and the chain is verified; CTL_ERROR
 * otherwise (the report is still written, saying loudly that the chain
 * is not verified). */
static int report_output(const struct report_args *a, const struct report_doc *d,
			 const struct report_chain *chain)
{
	char tmp[4096];
	FILE *out = out_open(a->output, tmp, sizeof tmp);
	if (out == NULL)
		return CTL_ERROR;
	int wrc;
	if (d->r != NULL) {
		wrc = report_write(d->r, a->format, out);
	} else {
		fwrite(d->doc, 1, (size_t)d->at, out);
		wrc = report_chain_write(chain, a->format, d->nl, out);
		fwrite(d->doc + d->at, 1, d->n - (size_t)d->at, out);
	}
	if (out_close(out, wrc, a->output, tmp) != 0)
		return CTL_ERROR;
	if (!chain->verified) {
		fprintf(stderr, "grondslag report: the audit chain is NOT verified%s%.240s\n",
			chain->why[0] ? ": " : "", chain->why);
		return CTL_ERROR;
	}
	return CTL_OK;
}

/* The report made by the daemon (whose registry names the parties),
 * with the statement of the chain verified here, first, written where
 * the daemon's writer says it belongs. */
static int report_via_socket(const struct report_args *a, const struct config *c,
			     const char *path)
{
	struct report_chain chain;
	chain_check_statement(c, a->database, a->socket, &chain);
	size_t len = 0;
	char *req = report_request(a, &len);
	struct jsonr_doc *d = req != NULL ? ctl_ask(path, req, len, "report") : NULL;
	free(req);
	if (d == NULL)
		return CTL_ERROR;
	const struct jsonr_value *root = jsonr_root(d);
	struct report_doc rd = {.at = -1};
	rd.doc = jsonr_strn(jsonr_get(root, "report"), &rd.n);
	uint64_t at = 0;
	if (jsonr_u64(jsonr_get(root, "chain_at"), &at) && at <= (uint64_t)LONG_MAX)
		rd.at = (long)at;
	const char *lang = jsonr_str(jsonr_get(root, "lang"));
	rd.nl = lang != NULL && strcmp(lang, "nl") == 0;
	int rc = CTL_ERROR;
	if (rd.doc == NULL || rd.at < 0 || (size_t)rd.at > rd.n)
		fprintf(stderr, "grondslag report: the daemon's report says no place for the audit"
				" chain's statement (a daemon of another version?)\n");
	else
		rc = report_output(a, &rd, &chain);
	jsonr_free(d);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a = {.format = REPORT_TEXT};
	a.o.now = time(NULL);
	a.o.top = 10;
	a.o.repeat_sender = 3;
	a.o.repeat_party = 3;
	a.o.pseudonymise = true;
	a.o.previous = true;
	if (!report_parse(argc, argv, &a)) {
		fprintf(stderr,
			"usage: grondslag report [-c CONFIG] [--database FILE | --socket PATH]\n"
			"         [--registry FILE] [--since D] [--until D] [--party P] [--basis B]\n"
			"         [--sender S] [--sender-names] [--no-compare] [--lang en|nl]\n"
			"         [--format text|csv|json|html]\n"
			"         [-o FILE] [--top N] [--repeat-sender N] [--repeat-party N] [--now D]\n");
		return CTL_ERROR;
	}
	struct config *c = ctl_config_or_default(a.conf);
	if (c == NULL)
		return CTL_ERROR;
	const char *via = ctl_read_via(c, a.database, a.socket);
	if (via != NULL) {
		if (a.registry != NULL)
			fprintf(stderr, "grondslag report: through the control socket the daemon's"
					" registry names the parties (--registry is not used)\n");
		int vrc = report_via_socket(&a, c, via);
		config_free(c);
		return vrc;
	}
	const char *db = a.database ? a.database : config_str(c, CONF_DATABASE);
	if (a.o.lang == NULL)
		a.o.lang = config_str(c, CONF_REPORT_LANGUAGE);
	a.o.hold_expiry_days = config_uint(c, CONF_HOLD_EXPIRY);
	a.o.expiry_warning_days = config_uint(c, CONF_EXPIRY_WARNING);
	struct registry *reg = report_registry(c, a.registry);
	a.o.registry = reg;
	char err[1024];
	struct report *r = report_build(db, &a.o, err, sizeof err);
	int rc = CTL_ERROR;
	/* after the report is read: a record written meanwhile is in the
	 * statement, never a report newer than its statement */
	struct report_chain chain;
	if (r != NULL)
		chain_check_statement(c, a.database, a.socket, &chain);
	if (r == NULL) {
		fprintf(stderr, "grondslag: %s\n", err);
	} else if (report_set_chain(r, &chain) != 0) {
		fprintf(stderr, "grondslag report: out of memory\n");
	} else {
		struct report_doc rd = {.r = r};
		rc = report_output(&a, &rd, &chain);
	}
	report_free(r);
	if (reg != NULL)
		registry_unref(reg);
	config_free(c);
	return rc;
}

/* What only the running daemon counts (scans, tempfails, scan times)
 * lives in its MetricsFile: append it, so one scrape has both. */
static int append_daemon_metrics(const struct config *c, FILE *out)
{
	const char *path = config_str(c, CONF_METRICS_FILE);
	if (*path == '\0') {
		fputs("# daemon counters (scans, tempfails, scan times): set MetricsFile\n", out);
		return ferror(out) ? -1 : 0;
	}
	FILE *in = fopen(path, "r");
	if (in == NULL) {
		fprintf(out, "# daemon counters: %s not readable (daemon not running?)\n", path);
		return ferror(out) ? -1 : 0;
	}
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	return ferror(out) ? -1 : 0;
}

/* The statistics through the control socket into st; 0, or -1
 * (printed). */
static int stats_via_socket(const char *path, struct report_stats *st)
{
	static const char req[] = "{\"cmd\":\"stats\"}\n";
	struct jsonr_doc *d = ctl_ask(path, req, sizeof req - 1, "stats");
	if (d == NULL)
		return -1;
	const struct jsonr_value *v = jsonr_get(jsonr_root(d), "stats");
	struct {
		const char *key;
		uint64_t *to;
	} f[] = {{"holds", &st->holds}, {"held_recipients", &st->held_recipients},
		 {"shares", &st->shares}, {"shares_simulated", &st->shares_simulated},
		 {"public_addresses", &st->public_addresses},
		 {"notices_queued", &st->notices_queued}, {"notices_sent", &st->notices_sent},
		 {"notices_failed", &st->notices_failed}};
	bool ok = true;
	memset(st, 0, sizeof *st);
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		ok &= jsonr_u64(jsonr_get(v, f[i].key), f[i].to);
	for (size_t i = 0; i < 6; i++) {
		char key[64];
		snprintf(key, sizeof key, "holds_%s", report_hold_states[i]);
		ok &= jsonr_u64(jsonr_get(v, key), &st->holds_by_state[i]);
	}
	uint64_t lh = 0, ls = 0;
	ok &= jsonr_u64(jsonr_get(v, "last_hold"), &lh) && jsonr_u64(jsonr_get(v, "last_share"), &ls);
	st->last_hold = (int64_t)lh;
	st->last_share = (int64_t)ls;
	jsonr_free(d);
	if (!ok)
		fprintf(stderr, "grondslag stats: the daemon's answer lacks a count\n");
	return ok ? 0 : -1;
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"database", required_argument, NULL, 'D'},
		{"prometheus", no_argument, NULL, 'p'},
		{"output", required_argument, NULL, 'o'},
		{"socket", required_argument, NULL, 'k'},
		{NULL, 0, NULL, 0},
	};
	const char *conf = NULL, *database = NULL, *output = NULL, *socket = NULL;
	bool prometheus = false;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:o:", opts, NULL)) != -1) {
		if (ch == 'c') {
			conf = optarg;
		} else if (ch == 'D') {
			database = optarg;
		} else if (ch == 'p') {
			prometheus = true;
		} else if (ch == 'o') {
			output = optarg;
		} else if (ch == 'k') {
			socket = optarg;
		} else {
			fprintf(stderr, "usage: grondslag stats [-c CONFIG] [--database FILE |"
					" --socket PATH] [--prometheus] [-o FILE]\n");
			return CTL_ERROR;
		}
	}
	struct config *c = ctl_config_or_default(conf);
	if (c == NULL)
		return CTL_ERROR;
	struct report_stats st;
	char err[1024], tmp[4096];
	int rc = CTL_ERROR;
	const char *via = ctl_read_via(c, database, socket);
	if (via != NULL) {
		if (stats_via_socket(via, &st) != 0)
			goto done;
	} else if (report_stats_read(database ? database : config_str(c, CONF_DATABASE), &st, err,
				     sizeof err) != 0) {
		fprintf(stderr, "grondslag: %s\n", err);
		goto done;
	}
	{
		FILE *out = out_open(output, tmp, sizeof tmp);
		int w = 0;
		if (out != NULL && prometheus) {
			w = report_stats_write_prometheus(&st, time(NULL), out);
			if (w == 0)
				w = append_daemon_metrics(c, out);
		} else if (out != NULL) {
			fprintf(out,
				"held messages     %llu (pending %llu, partly approved %llu,"
				" releasing %llu, released %llu, denied %llu, expired %llu)\n"
				"held recipients   %llu\nshares            %llu (%llu public"
				" addresses), %llu in simulate mode\n"
				"notices           %llu sent, %llu queued, %llu failed\n",
				(unsigned long long)st.holds, (unsigned long long)st.holds_by_state[0],
				(unsigned long long)st.holds_by_state[1],
				(unsigned long long)st.holds_by_state[2],
				(unsigned long long)st.holds_by_state[3],
				(unsigned long long)st.holds_by_state[4],
				(unsigned long long)st.holds_by_state[5],
				(unsigned long long)st.held_recipients, (unsigned long long)st.shares,
				(unsigned long long)st.public_addresses,
				(unsigned long long)st.shares_simulated,
				(unsigned long long)st.notices_sent,
				(unsigned long long)st.notices_queued,
				(unsigned long long)st.notices_failed);
			w = ferror(out) ? -1 : 0;
		}
		if (out != NULL && out_close(out, w, output, tmp) == 0)
			rc = CTL_OK;
	}
done:
	config_free(c);
	return rc;
}
