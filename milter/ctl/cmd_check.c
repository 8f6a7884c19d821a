/*
 * cmd_check.c - "grondslag check": the what-if tool.  Scans one message
 * and decides for every envelope recipient on a date, exactly as the
 * milter would - the same scan options (config_scan_options()), the same
 * policy options and the same call (gate_decide()) - without sending
 * anything.  Exit 0 when every recipient is delivered, 1 when any is held,
 * 2 on error.  It judges as in Mode enforce whatever the Mode: under
 * simulate it shows what the milter would hold.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "grondslag/base/date.h"
#include "grondslag/base/json.h"
#include "grondslag/base/limits.h"
#include "grondslag/decide/gate.h"
#include "grondslag/decide/policy.h"
#include "grondslag/decide/scanopt.h"
#include "grondslag/scan/scan.h"
#include "regload.h"
#include "scan_output.h"

#define CHECK_MAX_RCPTS RCPTS_MAX	/* as the milter: limits.h */

static const char check_usage[] =
	"usage: grondslag check [-c CONFIG] [--registry FILE] [--date YYYY-MM-DD]\n"
	"                       --from ADDR --to ADDR [--to ADDR...] [--json] MESSAGE\n";

struct check_args {
	const char *conf, *registry, *from, *message;
	const char *to[CHECK_MAX_RCPTS];
	size_t nto;
	int32_t date;
	bool json;
};

/* Parse the command line; CTL_OK or CTL_ERROR (usage printed). */
static int parse_args(int argc, char **argv, struct check_args *a)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"registry", required_argument, NULL, 'r'},
		{"date", required_argument, NULL, 'd'},
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	memset(a, 0, sizeof *a);
	a->date = date_from_time(time(NULL));
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:r:d:f:t:j", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': a->conf = optarg; break;
		case 'r': a->registry = optarg; break;
		case 'f': a->from = optarg; break;
		case 'j': a->json = true; break;
		case 'd':
			if (!date_parse(optarg, &a->date)) {
				fprintf(stderr, "grondslag check: --date %.32s: not a date "
						"(YYYY-MM-DD)\n", optarg);
				return CTL_ERROR;
			}
			break;
		case 't':
			if (a->nto == CHECK_MAX_RCPTS) {
				fprintf(stderr, "grondslag check: more than %d recipients\n",
					CHECK_MAX_RCPTS);
				return CTL_ERROR;
			}
			a->to[a->nto++] = optarg;
			break;
		default:
			fputs(check_usage, stderr);
			return CTL_ERROR;
		}
	}
	if (optind + 1 != argc || a->nto == 0 || a->from == NULL) {
		fputs(check_usage, stderr);
		return CTL_ERROR;
	}
	a->message = argv[optind];
	return CTL_OK;
}

/* One recipient as a JSON object. */
static void decision_json(struct json *j, const struct decision *d)
{
	const struct registry_party *p = decision_party(d);
	json_obj_begin(j);
	json_key(j, "recipient");
	json_str(j, decision_recipient(d));
	json_key(j, "party");
	json_str(j, p ? p->id : NULL);
	json_key(j, "party_name");
	json_str(j, p ? p->name : NULL);
	json_key(j, "match");
	json_str(j, registry_match_name(decision_match(d)));
	json_key(j, "verdict");
	json_str(j, policy_verdict_name(decision_verdict(d)));
	json_key(j, "reasons");
	json_arr_begin(j);
	for (size_t i = 0; i < decision_reason_count(d); i++)
		json_str(j, policy_reason_name(decision_reason(d, i)));
	json_arr_end(j);
	json_key(j, "bases");
	json_arr_begin(j);
	for (size_t i = 0; i < decision_basis_count(d); i++) {
		const struct registry_basis *b = decision_basis(d, i);
		json_obj_begin(j);
		json_key(j, "id");
		json_str(j, b->id);
		json_key(j, "article");
		json_str(j, b->article);
		json_key(j, "regime");
		json_str(j, b->regime ? b->regime->id : NULL);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_key(j, "outside_constituency");
	json_obj_begin(j);
	for (size_t i = 0; i < decision_country_count(d); i++) {
		uint32_t n = 0;
		const char *cc = decision_country(d, i, &n);
		json_key(j, cc);
		json_uint(j, n);
	}
	json_obj_end(j);
	json_key(j, "geo_unknown");
	json_uint(j, decision_geo_unknown_count(d));
	json_key(j, "explanation");
	json_str(j, decision_explain(d));
	json_obj_end(j);
}

/* One recipient as text lines. */
static void decision_text(FILE *out, const struct decision *d)
{
	const struct registry_party *p = decision_party(d);
	fprintf(out, "  %-7s %s", policy_verdict_name(decision_verdict(d)),
		decision_recipient(d));
	if (p)
		fprintf(out, " (%s)", p->name);
	for (size_t i = 0; i < decision_reason_count(d); i++)
		fprintf(out, "%s%s", i ? "," : " [", policy_reason_name(decision_reason(d, i)));
	fputs(decision_reason_count(d) ? "]\n" : "\n", out);
	fprintf(out, "          %s\n", decision_explain(d));
}

int cmd_check(int argc, char **argv)
{
	struct check_args *a = malloc(sizeof *a);
	if (a == NULL)
		return CTL_ERROR;
	int rc = parse_args(argc, argv, a);
	struct config *c = NULL;
	struct registry *reg = NULL;
	struct geo *geo = NULL;
	struct findings *f = NULL;
	struct gate_result *g = NULL;
	if (rc != CTL_OK)
		goto out;
	rc = CTL_ERROR;
	if ((c = ctl_config(a->conf)) == NULL)
		goto out;
	bool geo_failed;
	geo = ctl_geo(c, &geo_failed);
	if (geo_failed || ctl_registry_load(c, a->registry, &reg) != CTL_OK)
		goto out;

	struct ctl_file file;
	if (ctl_file_read(a->message, &file) != 0)
		goto out;
	struct scan_options so;
	struct scanopt_domains dom;
	config_scan_options(c, geo, &so);
	if (!scanopt_fill(&so, &dom, c, reg)) {
		ctl_file_release(&file);
		fprintf(stderr, "grondslag check: out of memory\n");
		goto out;
	}
	f = scan_message(&so, file.data, file.len);
	scanopt_free(&dom);
	ctl_file_release(&file);
	if (f == NULL) {
		fprintf(stderr, "grondslag check: %s: out of memory\n", a->message);
		goto out;
	}
	/* the daemon's judgement of an outbound message from this sender to
	 * these recipients on that date */
	struct gate_input in = {
		.queue_id = "", .sender = a->from, .rcpts = a->to, .nrcpts = a->nto,
		.outbound = true, .mode = GATE_ENFORCE, .date = a->date, .now = time(NULL),
	};
	policy_options_config(c, &in.policy);
	g = gate_decide(&in, reg, f);
	if (g == NULL || gate_action(g) == GATE_TEMPFAIL) {
		fprintf(stderr, "grondslag check: out of memory deciding for %s\n", a->message);
		goto out;
	}

	struct json *j = NULL;
	char day[16];
	date_format(a->date, day, sizeof day);
	if (a->json) {
		j = json_new(stdout, true);
		json_obj_begin(j);
		json_key(j, "message");
		json_str(j, a->message);
		json_key(j, "from");
		json_str(j, a->from);
		json_key(j, "date");
		json_str(j, day);
		scan_output_json_summary(j, f);
		json_key(j, "recipients");
		json_arr_begin(j);
	} else {
		printf("%s on %s, from %s\n", a->message, day, a->from);
		scan_output_text(stdout, "  findings", f);
	}
	rc = CTL_OK;
	for (size_t i = 0; i < gate_rcpt_count(g); i++) {
		const struct decision *d = gate_decision(g, i);
		if (gate_rcpt_would_hold(g, i))
			rc = CTL_HELD;
		if (j)
			decision_json(j, d);
		else
			decision_text(stdout, d);
	}
	if (j) {
		json_arr_end(j);
		json_obj_end(j);
		json_free(j);
	}
	if (fflush(stdout) != 0)
		rc = CTL_ERROR;
out:
	gate_free(g);
	findings_free(f);
	registry_unref(reg);
	geo_close(geo);
	config_free(c);
	free(a);
	return rc;
}
