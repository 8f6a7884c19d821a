/*
 * eval-corpus.c - run the scanner over every file below one or more
 * directories (make eval CORPUS=...) and print, per folder, how many
 * messages, parts, unscannable reasons and addresses were found.  Under
 * make eval it is built with ASan + UBSan, so a crash, leak or sanitizer
 * report on any corpus file fails the run.
 *
 * With -f FILE it also writes one line per scanned file (path, distinct
 * addresses, prefixes and ranges, 1 when provider-traceable, 1 when the
 * identifier lists alone flag it: listed e-mail addresses or hosts at
 * their threshold, or a credential), so that two runs can be compared
 * file by file (tests/eval.sh does: recall on the incident folders,
 * false alarms on fp-text and on the mail corpora).
 *
 * usage: eval-corpus [-c CONFIG] [-f FILE] DIR...
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grondslag/config/config.h"
#include "grondslag/decide/scanopt.h"
#include "grondslag/scan/scan.h"

struct tally {
	char folder[512];
	unsigned files, parts, unscannable, reasons[UNSCAN_COUNT];
	unsigned long long ips, public_ips, nets;
	unsigned cats[5];
	unsigned idents;	/* flagged by the identifier lists */
};

static struct tally *tallies;
static size_t ntallies;
static FILE *per_file;	/* -f: one line per scanned file */

/* The tally of the folder (first two path components below the root). */
static struct tally *tally_for(const char *folder)
{
	for (size_t i = 0; i < ntallies; i++)
		if (strcmp(tallies[i].folder, folder) == 0)
			return &tallies[i];
	struct tally *n = realloc(tallies, (ntallies + 1) * sizeof *n);
	if (n == NULL) {
		perror("realloc");
		exit(2);
	}
	tallies = n;
	memset(&tallies[ntallies], 0, sizeof *tallies);
	snprintf(tallies[ntallies].folder, sizeof tallies[0].folder, "%s", folder);
	return &tallies[ntallies++];
}

/* Read a whole file; NULL on error. */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (buf && got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return buf;
}

/* Did the identifier lists alone make a category of f? */
static bool ident_flagged(const struct scan_options *so, const struct findings *f)
{
	unsigned eth = so->email_threshold ? so->email_threshold : 1;
	unsigned hth = so->host_threshold ? so->host_threshold : 1;
	return findings_email_count(f) >= eth || findings_host_count(f) >= hth ||
	       findings_credential_count(f) > 0;
}

static void scan_file(const struct scan_options *so, const char *path, const char *folder)
{
	size_t len;
	char *msg = slurp(path, &len);
	if (msg == NULL)
		return;
	struct findings *f = scan_message(so, msg, len);
	free(msg);
	if (f == NULL)
		return;
	struct tally *t = tally_for(folder);
	t->files++;
	t->parts += (unsigned)findings_part_count(f);
	for (size_t i = 0; i < findings_part_count(f); i++) {
		const struct finding_part *p = findings_part(f, i);
		if (p->status == PART_UNSCANNABLE) {
			t->unscannable++;
			t->reasons[p->reason < UNSCAN_COUNT ? p->reason : UNSCAN_INTERNAL]++;
		}
	}
	if (findings_message_reason(f) != UNSCAN_NONE)
		t->reasons[findings_message_reason(f)]++;
	t->ips += findings_ip_count(f);
	t->public_ips += findings_public_ip_count(f);
	t->nets += findings_net_count(f);
	unsigned c = findings_categories(f);
	for (unsigned b = 0; b < 5; b++)
		t->cats[b] += (c >> b) & 1;
	bool ident = ident_flagged(so, f);
	t->idents += ident;
	if (per_file != NULL)
		fprintf(per_file, "%s\t%zu\t%zu\t%u\t%u\n", path, findings_ip_count(f),
			findings_net_count(f), (c & CAT_PROVIDER_TRACEABLE) ? 1u : 0u,
			ident ? 1u : 0u);
	findings_free(f);
}

/* Walk dir recursively (bounded depth); folder = root-relative label. */
static void walk_dir(const struct scan_options *so, const char *dir, const char *folder,
		     int depth)
{
	if (depth > 16)
		return;
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			char sub[512];
			if (depth == 0)
				snprintf(sub, sizeof sub, "%s", de->d_name);
			else
				snprintf(sub, sizeof sub, "%s", folder);
			walk_dir(so, path, sub, depth + 1);
		} else if (S_ISREG(st.st_mode) && strcmp(de->d_name, "SOURCE.txt") != 0) {
			scan_file(so, path, depth == 0 ? "." : folder);
		}
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	const char *conf = NULL;
	int i = 1;
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "-c") == 0) {
			conf = argv[i + 1];
		} else if (strcmp(argv[i], "-f") == 0) {
			per_file = fopen(argv[i + 1], "a");
			if (per_file == NULL) {
				perror(argv[i + 1]);
				return 2;
			}
		} else {
			break;
		}
	}
	if (i >= argc || argv[i][0] == '-') {
		fprintf(stderr, "usage: eval-corpus [-c CONFIG] [-f FILE] DIR...\n");
		return 2;
	}
	char err[4096];
	struct config *c = config_load(conf, err, sizeof err);
	if (c == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	struct scan_options so;
	struct scanopt_domains dom;
	config_scan_options(c, NULL, &so);
	if (!scanopt_fill(&so, &dom, c, NULL)) {
		fprintf(stderr, "out of memory\n");
		config_free(c);
		return 2;
	}
	struct geo_options go;
	config_geo_options(c, &go);
	if (go.country_db || go.asn_db) {
		so.geo = geo_open(&go, err, sizeof err);
		if (so.geo == NULL) {
			fprintf(stderr, "%s\n", err);
			config_free(c);
			return 2;
		}
	}
	for (; i < argc; i++) {
		size_t before = ntallies;
		walk_dir(&so, argv[i], ".", 0);
		printf("== %s\n", argv[i]);
		printf("%-34s %6s %6s %6s %8s %8s %5s %5s %5s %5s %5s %5s  %s\n", "folder", "msgs",
		       "parts", "unscan", "addrs", "public", "trace", "incid", "unsc", "pers", "cred",
		       "ident", "unscannable reasons");
		for (size_t k = before; k < ntallies; k++) {
			struct tally *t = &tallies[k];
			printf("%-34.34s %6u %6u %6u %8llu %8llu %5u %5u %5u %5u %5u %5u ", t->folder,
			       t->files, t->parts, t->unscannable, t->ips, t->public_ips, t->cats[0],
			       t->cats[1], t->cats[2], t->cats[3], t->cats[4], t->idents);
			for (int r = 1; r < UNSCAN_COUNT; r++)
				if (t->reasons[r])
					printf(" %s=%u", unscan_reason_name((enum unscan_reason)r),
					       t->reasons[r]);
			putchar('\n');
		}
	}
	free(tallies);
	if (per_file != NULL && fclose(per_file) != 0) {
		perror("eval-corpus: -f");
		return 2;
	}
	geo_close(so.geo);
	scanopt_free(&dom);
	config_free(c);
	return 0;
}
