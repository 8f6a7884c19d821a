/*
 * cmd_regsig.c - two "grondslag registry" subcommands:
 *
 *   registry verify [-c CONFIG] [-s SIGFILE] [FILE]
 *       Check the detached signature of the registry (FILE, default the
 *       configured Registry; SIGFILE default FILE.asc) against the
 *       configured RegistrySigner fingerprints in GnuPGHome, whatever the
 *       RegistrySignature mode.  Exit 0 and "FILE: good signature by FPR
 *       (listed signer)" on stdout, else the refusal on stderr and exit 2.
 *
 *   registry import-ti [-c CONFIG] FILE|-
 *       Turn a Trusted Introducer teams.json into registry party entries
 *       (YAML on stdout, warnings on stderr) for a jurist to complete.
 *       Imports never create a basis.  Exit 0, or 2 when the file is
 *       unusable.
 *
 * Both are called with argv[0] = the subcommand ("verify", "import-ti").
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "grondslag/decide/tiimport.h"
#include "regload.h"

#define VERIFY_USAGE "usage: grondslag registry verify [-c CONFIG] [-s SIGFILE] [FILE]\n"
#define IMPORT_USAGE "usage: grondslag registry import-ti FILE|-\n"

int cmd_registry_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"signature", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	const char *conf = NULL, *sig = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:s:", opts, NULL)) != -1) {
		if (ch == 'c') {
			conf = optarg;
		} else if (ch == 's') {
			sig = optarg;
		} else {
			fputs(VERIFY_USAGE, stderr);
			return CTL_ERROR;
		}
	}
	if (argc - optind > 1) {
		fputs(VERIFY_USAGE, stderr);
		return CTL_ERROR;
	}
	struct config *c = ctl_config(conf);
	if (c == NULL)
		return CTL_ERROR;
	const char *file = optind < argc ? argv[optind] : config_str(c, CONF_REGISTRY);
	if (file[0] == '\0') {
		fprintf(stderr, "grondslag: no registry: give FILE or set Registry\n");
		config_free(c);
		return CTL_ERROR;
	}
	/* The question asked is "is it signed", so always as if required. */
	struct regsig_result res;
	enum regsig_status st = ctl_registry_verify(c, file, sig, REGSIG_REQUIRED, &res);
	int rc = CTL_ERROR;
	if (st == REGSIG_OK) {
		printf("%s: good signature by %s (listed signer)\n", file, res.fingerprint);
		rc = CTL_OK;
	} else {
		char msg[8192];
		regsig_decide(REGSIG_REQUIRED, st, &res, file, sig, msg, sizeof msg);
		fprintf(stderr, "grondslag: %s\n", msg);
		if (config_list_count(c, CONF_REGISTRY_SIGNER) == 0)
			fprintf(stderr, "grondslag: no RegistrySigner is configured\n");
	}
	regsig_result_free(&res);
	config_free(c);
	return rc;
}

int cmd_registry_import_ti(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	int ch;
	optind = 1;
	/* -c is accepted for symmetry; the import needs no configuration. */
	while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		if (ch != 'c') {
			fputs(IMPORT_USAGE, stderr);
			return CTL_ERROR;
		}
	}
	if (argc - optind != 1) {
		fputs(IMPORT_USAGE, stderr);
		return CTL_ERROR;
	}
	const char *file = argv[optind];
	struct ctl_file f;
	if (ctl_file_read(strcmp(file, "-") == 0 ? "/dev/stdin" : file, &f) != 0)
		return CTL_ERROR;
	int n = tiimport_run(f.data != NULL ? f.data : "", f.len, file, stdout, stderr);
	ctl_file_release(&f);
	return n >= 0 ? CTL_OK : CTL_ERROR;
}
