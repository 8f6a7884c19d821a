/*
 * fixture_gpg.h - GnuPG homes for the tests of signatures and encryption
 * (test_regsig, test_auditsig, test_escrow, test_seal, test_relayseal):
 * make the test's directory with its two homes, make an encryption key
 * (fixture_gpg_key(); signing keys are made by each test with
 * fixture_run(), their options differ), read a key's fingerprints from
 * gpg, and remove the homes again (their gpg-agents first).  No key is
 * ever committed.  Include after testutil.h.
 */
#ifndef GRONDSLAG_FIXTURE_GPG_H
#define GRONDSLAG_FIXTURE_GPG_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
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

/* The test's directory /tmp/<prefix>XXXXXX into dir (at least 64
 * bytes) and its two GnuPG homes, dir/s (secret keys) and dir/p (public
 * keys only), mode 0700, into home and pub (at least 128 bytes each).
 * 0, or -1. */
static int __attribute__((unused)) fixture_gpg_dirs(const char *prefix, char *dir, char *home, char *pub)
{
	snprintf(dir, 64, "/tmp/%.20sXXXXXX", prefix);
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(home, 128, "%s/s", dir);
	snprintf(pub, 128, "%s/p", dir);
	return mkdir(home, 0700) == 0 && mkdir(pub, 0700) == 0 ? 0 : -1;
}

/* A key "Key <email>" in home: an ed25519 certification primary key
 * valid for expire ("2y", "never"), and with encr (not NULL) a cv25519
 * encryption subkey valid for that long; pass the passphrase ("" none),
 * extra more gpg options (a faked time); its fingerprint into fpr. */
static void __attribute__((unused)) fixture_gpg_key(const char *home, const char *email, const char *pass,
			    const char *extra, const char *expire, const char *encr, char *fpr)
{
	fixture_run("gpg --homedir %s --batch --pinentry-mode loopback --passphrase '%s' %s "
		    "--quick-gen-key 'Key <%s>' ed25519 cert %s 2>/dev/null", home, pass, extra,
		    email, expire);
	fixture_gpg_fpr(home, email, fpr, NULL);
	if (encr != NULL)
		fixture_run("gpg --homedir %s --batch --pinentry-mode loopback --passphrase '%s' %s "
			    "--quick-add-key %s cv25519 encr %s 2>/dev/null", home, pass, extra, fpr,
			    encr);
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
