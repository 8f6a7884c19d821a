/*
 * cmd_scan.c - "grondslag scan [-c CONFIG] [--json] FILE...": what the
 * detection engine finds in each message.  The person running it holds the
 * message already, so unlike the daemon's logs this output does list the
 * addresses found.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "grondslag/base/json.h"
#include "grondslag/decide/scanopt.h"
#include "grondslag/scan/scan.h"
#include "scan_output.h"

int cmd_scan(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *conf = NULL;
	bool json = false;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'j':
			json = true;
			break;
		default:
			fprintf(stderr, "usage: grondslag scan [-c CONFIG] [--json] FILE...\n");
			return CTL_ERROR;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: grondslag scan [-c CONFIG] [--json] FILE...\n");
		return CTL_ERROR;
	}
	struct config *c = ctl_config(conf);
	if (c == NULL)
		return CTL_ERROR;
	bool geo_failed;
	struct scan_options so;
	struct scanopt_domains dom;
	config_scan_options(c, ctl_geo(c, &geo_failed), &so);
	if (!scanopt_fill(&so, &dom, c, NULL)) {
		config_free(c);
		return CTL_ERROR;
	}
	if (geo_failed) {
		scanopt_free(&dom);
		config_free(c);
		return CTL_ERROR;
	}

	/* Into a file or a pipe the findings go out in 64 KiB blocks rather
	 * than stdio's block size (set before the first byte, as it must). */
	static char outbuf[65536];
	if (!isatty(STDOUT_FILENO))
		(void)setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

	int rc = CTL_OK;
	for (int i = optind; i < argc; i++) {
		struct ctl_file file;
		if (ctl_file_read(argv[i], &file) != 0) {
			rc = CTL_ERROR;
			continue;
		}
		struct findings *f = scan_message(&so, file.data, file.len);
		ctl_file_release(&file);
		if (f == NULL) {
			fprintf(stderr, "grondslag: %s: out of memory\n", argv[i]);
			rc = CTL_ERROR;
			continue;
		}
		if (json)
			scan_output_json(stdout, argv[i], f);
		else
			scan_output_text(stdout, argv[i], f);
		findings_free(f);
	}
	geo_close(so.geo);
	scanopt_free(&dom);
	config_free(c);
	if (fflush(stdout) != 0)
		rc = CTL_ERROR;
	return rc;
}
