/*
 * cmd_config.c - "grondslag config": check a configuration file and print
 * the effective settings, or print the documented defaults as a sample
 * file or man page section (how conf/grondslag.conf.sample and the key
 * list of docs/grondslag.conf.5 are made and checked).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

int cmd_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	const char *conf = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		if (ch == 'c') {
			conf = optarg;
		} else {
			fprintf(stderr, "usage: grondslag config [-c CONFIG] [dump|sample|man]\n");
			return CTL_ERROR;
		}
	}
	const char *what = optind < argc ? argv[optind] : "dump";
	if (strcmp(what, "sample") == 0 || strcmp(what, "man") == 0) {
		config_doc(what, stdout);
		return CTL_OK;
	}
	if (strcmp(what, "dump") != 0) {
		fprintf(stderr, "grondslag config: unknown action \"%.32s\"\n", what);
		return CTL_ERROR;
	}
	struct config *c = ctl_config(conf);
	if (c == NULL)
		return CTL_ERROR;
	config_dump(c, stdout);
	config_free(c);
	return CTL_OK;
}
