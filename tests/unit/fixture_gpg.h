/*
 * fixture_gpg.h - GnuPG homes for the signature tests (test_regsig,
 * test_auditsig): read a key's fingerprints from gpg, and remove the
 * homes again (their gpg-agents first).  Keys are made by each test with
 * fixture_run() (options differ); none is ever committed.  Include after
 * testutil.h.
 */
#ifndef GRONDSLAG_FIXTURE_GPG_H
#define GRONDSLAG_FIXTURE_GPG_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_shell.h"

#define FIXTURE_FPR_LEN 40

/* Primary fingerprint of the key of email in home into primary, and
 * (subsign not NULL) the fingerprint of its signing subkey, from
 * gpg --with-colons; fails the test when there is none. */
static void fixture_gpg_fpr(const char *home, const char *email, char *primary, char *subsign)
{
	char cmd[512], line[1024];
	snprintf(cmd, sizeof cmd, "gpg --homedir %s --batch --with-colons --list-keys %s 2>/dev/null",
		 home, email);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	bool in_sign_sub = false;
	primary[0] = '\0';
	if (subsign != NULL)
		subsign[0] = '\0';
	while (fgets(line, sizeof line, p) != NULL) {
		if (strncmp(line, "sub:", 4) == 0) {
			/* field 12 is the capabilities; "s" = signing */
			const char *f = line;
			for (int i = 0; i < 11 && f != NULL; i++)
				f = (f = strchr(f, ':')) != NULL ? f + 1 : NULL;
			in_sign_sub = f != NULL && *f == 's';
		} else if (strncmp(line, "fpr:", 4) == 0) {
			const char *v = line + strlen("fpr:::::::::");
			if (primary[0] == '\0')
				snprintf(primary, FIXTURE_FPR_LEN + 1, "%.40s", v);
			else if (in_sign_sub && subsign != NULL)
				snprintf(subsign, FIXTURE_FPR_LEN + 1, "%.40s", v);
			in_sign_sub = false;
		}
	}
	pclose(p);
	if (strlen(primary) != FIXTURE_FPR_LEN)
		fail_msg("%s: no fingerprint found", email);
}

/* Stop the gpg-agents of the two homes and remove dir (holding them).
 * 0, or -1 when that failed. */
static int fixture_gpg_remove(const char *dir, const char *home, const char *pub)
{
	char cmd[768];
	snprintf(cmd, sizeof cmd,
		 "gpgconf --homedir %s --kill gpg-agent; gpgconf --homedir %s --kill gpg-agent; "
		 "rm -rf %s", home, pub, dir);
	int rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "cleanup failed: %s\n", cmd);
	return rc == 0 ? 0 : -1;
}

#endif
