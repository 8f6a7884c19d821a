/*
 * cmd_registry.c - "grondslag registry check|lookup|verify|import-ti".
 *   check FILE        validate, print every error as file:line: message
 *   check -c CONFIG [FILE]  the same for the configured Registry (or
 *                     FILE), and the roll-back check against the
 *                     configured store (regserial.h): a serial lower
 *                     than the highest loaded, or equal with other
 *                     contents, is an error (exit 2)
 *   lookup ADDR       the party of an address and its bases valid on a date
 *   verify [FILE]     the detached OpenPGP signature (cmd_regsig.c)
 *   import-ti FILE    Trusted Introducer directory to party entries
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "grondslag/base/date.h"
#include "grondslag/base/json.h"
#include "grondslag/decide/registry.h"
#include "regload.h"

static const char registry_usage[] =
	"usage: grondslag registry check FILE | check -c CONFIG [FILE]\n"
	"       grondslag registry lookup [-c CONFIG] [--registry FILE] [--date YYYY-MM-DD] [--json] ADDR\n"
	"       grondslag registry verify [-c CONFIG] [-s SIGFILE] [FILE]\n"
	"       grondslag registry import-ti FILE|-\n";

/* registry check -c CONFIG [FILE]: the registry as the daemon would
 * take it (signature not asked: a draft is checked before it is signed),
 * with the roll-back check against the configured store. */
static int registry_check_conf(const char *conf, const char *file)
{
	struct config *c = ctl_config(conf);
	if (c == NULL)
		return CTL_ERROR;
	struct registry *r = NULL;
	int rc = ctl_registry_load_mode(c, file, REGSIG_NONE, &r);
	if (rc == CTL_OK) {
		uint64_t serial = registry_serial(r);
		printf("%s: ok (serial %s%.0llu, %zu regimes, %zu bases, %zu parties)\n",
		       registry_file(r), serial ? "" : "none", (unsigned long long)serial,
		       registry_regime_count(r), registry_basis_count(r), registry_party_count(r));
	}
	registry_unref(r);
	config_free(c);
	return rc;
}

/* registry check FILE: every error, or a one-line summary. */
static int registry_check(int argc, char **argv)
{
	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "-c") == 0)
		return registry_check_conf(argv[2], argc == 4 ? argv[3] : NULL);
	if (argc != 2) {
		fputs(registry_usage, stderr);
		return CTL_ERROR;
	}
	struct registry_errors *errs = NULL;
	struct registry *r = registry_load(argv[1], &errs);
	if (r == NULL) {
		size_t n = registry_errors_count(errs);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "%s\n", registry_errors_get(errs, i));
		if (n == 0)
			fprintf(stderr, "%s: cannot load (out of memory)\n", argv[1]);
		else
			fprintf(stderr, "%s: %zu error%s\n", argv[1], n, n == 1 ? "" : "s");
		registry_errors_free(errs);
		return CTL_ERROR;
	}
	registry_errors_free(errs);
	char eea[512];
	if (registry_eea_warning(r, argv[1], eea, sizeof eea))
		fprintf(stderr, "warning: %s\n", eea);
	printf("%s: ok (%zu regimes, %zu bases, %zu parties, %zu own domains", argv[1],
	       registry_regime_count(r), registry_basis_count(r), registry_party_count(r),
	       registry_own_domain_count(r));
	if (registry_key_count(r) > 0)	/* keys and subkeys of the certificates */
		printf(", %zu keys", registry_key_count(r));
	printf(")\n");
	registry_unref(r);
	return CTL_OK;
}

/* Print a lookup result for people. */
static void lookup_text(const struct registry_lookup *l, const char *day)
{
	const struct registry_party *p = l->r.party;
	printf("%s on %s\n", l->r.valid_address ? l->r.address : "(invalid address)", day);
	if (l->r.own_domain)
		printf("  own domain: always delivered (and recorded)\n");
	if (p == NULL) {
		printf("  party: unknown (regulated data is held)\n");
		return;
	}
	printf("  party: %s (%s), %s, jurisdiction %s, matched by %s\n", p->name, p->id,
	       party_type_name(p->type), p->jurisdiction, registry_match_name(l->r.match));
	printf("  EEA on that date: %s; transfer mechanism: %s\n", l->in_eea ? "yes" : "no",
	       l->transfer ? transfer_mechanism_name(l->transfer->mechanism) : "none valid");
	if (l->nvalid == 0)
		printf("  bases valid: none\n");
	for (size_t i = 0; i < l->nvalid; i++) {
		const struct registry_basis *b = l->valid[i];
		printf("  basis %s: %s (regime %s), tlp_max %s%s\n", b->id, b->article,
		       b->regime ? b->regime->id : "?", tlp_name(b->tlp_max),
		       b->constituency_match ? ", constituency must match" : "");
	}
}

/* Print a lookup result as JSON. */
static void lookup_json(const struct registry_lookup *l, const char *day)
{
	const struct registry_party *p = l->r.party;
	struct json *j = json_new(stdout, true);
	json_obj_begin(j);
	json_key(j, "address");
	json_str(j, l->r.valid_address ? l->r.address : NULL);
	json_key(j, "date");
	json_str(j, day);
	json_key(j, "own_domain");
	json_bool(j, l->r.own_domain);
	json_key(j, "party");
	json_str(j, p ? p->id : NULL);
	json_key(j, "party_name");
	json_str(j, p ? p->name : NULL);
	json_key(j, "match");
	json_str(j, registry_match_name(l->r.match));
	json_key(j, "in_eea");
	json_bool(j, l->in_eea);
	json_key(j, "transfer");
	json_str(j, l->transfer ? transfer_mechanism_name(l->transfer->mechanism) : NULL);
	json_key(j, "bases");
	json_arr_begin(j);
	for (size_t i = 0; i < l->nvalid; i++) {
		json_obj_begin(j);
		json_key(j, "id");
		json_str(j, l->valid[i]->id);
		json_key(j, "article");
		json_str(j, l->valid[i]->article);
		json_key(j, "regime");
		json_str(j, l->valid[i]->regime ? l->valid[i]->regime->id : NULL);
		json_key(j, "tlp_max");
		json_str(j, tlp_name(l->valid[i]->tlp_max));
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
	json_free(j);
}

/* registry lookup ADDR. */
static int registry_lookup_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"registry", required_argument, NULL, 'r'},
		{"date", required_argument, NULL, 'd'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	const char *conf = NULL, *file = NULL;
	bool json = false;
	int32_t date = date_from_time(time(NULL));
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:r:d:j", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 'r': file = optarg; break;
		case 'j': json = true; break;
		case 'd':
			if (!date_parse(optarg, &date)) {
				fprintf(stderr, "grondslag registry lookup: --date %.32s: not a "
						"date (YYYY-MM-DD)\n", optarg);
				return CTL_ERROR;
			}
			break;
		default:
			fputs(registry_usage, stderr);
			return CTL_ERROR;
		}
	}
	if (optind + 1 != argc) {
		fputs(registry_usage, stderr);
		return CTL_ERROR;
	}
	struct config *c = ctl_config(conf);
	if (c == NULL)
		return CTL_ERROR;
	struct registry *r = NULL;
	if (ctl_registry_load(c, file, &r) != CTL_OK) {
		config_free(c);
		return CTL_ERROR;
	}
	struct registry_lookup l;
	registry_lookup(r, argv[optind], date, &l);
	char day[16];
	date_format(date, day, sizeof day);
	if (json)
		lookup_json(&l, day);
	else
		lookup_text(&l, day);
	registry_unref(r);
	config_free(c);
	return CTL_OK;
}

int cmd_registry(int argc, char **argv)
{
	if (argc < 2) {
		fputs(registry_usage, stderr);
		return CTL_ERROR;
	}
	if (strcmp(argv[1], "check") == 0)
		return registry_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "lookup") == 0)
		return registry_lookup_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "verify") == 0)
		return cmd_registry_verify(argc - 1, argv + 1);
	if (strcmp(argv[1], "import-ti") == 0)
		return cmd_registry_import_ti(argc - 1, argv + 1);
	fprintf(stderr, "grondslag registry: unknown action \"%.32s\"\n", argv[1]);
	fputs(registry_usage, stderr);
	return CTL_ERROR;
}
