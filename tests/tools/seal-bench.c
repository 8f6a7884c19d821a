/*
 * seal-bench.c - the cost of encrypting at the relay (seal.h): a party
 * key made for the run, a registry carrying it on a basis that requires
 * encryption, a plaintext message of about SIZE KB of incident text, and
 * the times per message, in milliseconds, of the key check the policy
 * asks for (seal_keys_usable: a throwaway GnuPG home, import, listing;
 * and as the milter asks it, kept per snapshot: sealcache.h),
 * of the whole encryption (seal_message: the same plus the ciphertext and
 * the PGP/MIME message) and, beside them, of scan_message on the same
 * plaintext.  Not part of make check.  Usage: seal-bench [SIZE_KB [ROUNDS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "grondslag/decide/registry.h"
#include "grondslag/decide/seal.h"
#include "grondslag/decide/sealcache.h"
#include "grondslag/scan/scan.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The registry: one party, its key inline, on a basis that requires encryption. */
static struct registry *registry_with(const char *armour)
{
	GString *y = g_string_new(
		"version: 1\nown_domains: [ncsc.test]\n"
		"regimes:\n  - {id: wbni, name: Wbni, valid_from: 2018-11-09}\n"
		"bases:\n  - {id: sealed, regime: wbni, article: A, approved_by: b, encrypt: required,\n"
		"     permits: [provider-traceable, incident, personal-data], tlp_max: AMBER}\n"
		"parties:\n  - id: cert-p\n    name: P\n    type: eu-csirt\n    jurisdiction: BE\n"
		"    domains: [p.test]\n    bases: [sealed]\n    keys:\n      - |\n");
	gchar **lines = g_strsplit(armour, "\n", -1);
	for (gchar **l = lines; *l != NULL; l++)
		if (**l != '\0')
			g_string_append_printf(y, "        %s\n", *l);
	g_strfreev(lines);
	struct registry_errors *e = NULL;
	struct registry *r = registry_load_buffer("bench", y->str, y->len, &e);
	for (size_t i = 0; e != NULL && i < registry_errors_count(e); i++)
		fprintf(stderr, "seal-bench: %s\n", registry_errors_get(e, i));
	registry_errors_free(e);
	g_string_free(y, TRUE);
	return r;
}

int main(int argc, char **argv)
{
	unsigned kb = argc > 1 ? (unsigned)atoi(argv[1]) : 100;
	unsigned rounds = argc > 2 ? (unsigned)atoi(argv[2]) : 30;
	char dir[] = "/tmp/sealbXXXXXX", cmd[2048], err[512] = "";
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(cmd, sizeof cmd,
		 "G='gpg --homedir %s --batch --quiet --pinentry-mode loopback --passphrase='; "
		 "$G --quick-gen-key 'Party <p@p.test>' ed25519 cert never 2>/dev/null && "
		 "P=$($G --with-colons --list-keys p@p.test | awk -F: '/^fpr/{print $10; exit}') && "
		 "$G --quick-add-key $P cv25519 encr never 2>/dev/null && "
		 "$G --armor --export p@p.test >%s/p.asc && "
		 "(printf 'From: a@ncsc.test\\r\\nTo: p@p.test\\r\\nSubject: list\\r\\n"
		 "Content-Type: text/plain\\r\\n\\r\\n'; awk 'BEGIN{for(i=0;i<%u;i++) "
		 "printf \"%%d.%%d.%%d.%%d,2024-02-0%%d,fortigate\\r\\n\", 130+i%%90, i%%251, "
		 "(i*7)%%253, 1+i%%250, 1+i%%9}') >%s/msg",
		 dir, dir, kb * 1024 / 35, dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "seal-bench: making the key failed\n");
		return 1;
	}
	gchar *armour = NULL, *msg = NULL;
	gsize alen = 0, mlen = 0;
	snprintf(cmd, sizeof cmd, "%s/p.asc", dir);
	if (!g_file_get_contents(cmd, &armour, &alen, NULL))
		return 1;
	snprintf(cmd, sizeof cmd, "%s/msg", dir);
	if (!g_file_get_contents(cmd, &msg, &mlen, NULL))
		return 1;
	struct registry *r = registry_with(armour);
	const struct registry_party *p = r != NULL ? registry_party_by_id(r, "cert-p") : NULL;
	if (p == NULL)
		return 1;
	double t0 = now();
	for (unsigned i = 0; i < rounds; i++) {
		size_t n = 0;
		if (seal_keys_usable(p, dir, &n, err, sizeof err) != 0 || n != 1) {
			fprintf(stderr, "seal-bench: key check: %s\n", err);
			return 1;
		}
	}
	double check = (now() - t0) / rounds * 1e3;
	/* the milter's path: the check kept per snapshot (sealcache.h), the
	 * first message of the day paying for it */
	struct seal_cache *cache = seal_cache_new();
	t0 = now();
	for (unsigned i = 0; i < rounds; i++) {
		size_t n = 0;
		if (seal_cache_usable(cache, p, dir, time(NULL), &n, err, sizeof err) != 0 || n != 1) {
			fprintf(stderr, "seal-bench: kept key check: %s\n", err);
			return 1;
		}
	}
	double kept = (now() - t0) / rounds * 1e3;
	seal_cache_free(cache);
	size_t outlen = 0;
	t0 = now();
	for (unsigned i = 0; i < rounds; i++) {
		char *out = NULL;
		if (seal_message(p, dir, msg, mlen, "...", &out, &outlen, NULL, 0, err, sizeof err) != 0) {
			fprintf(stderr, "seal-bench: %s\n", err);
			return 1;
		}
		free(out);
	}
	double enc = (now() - t0) / rounds * 1e3;
	struct scan_options so;
	memset(&so, 0, sizeof so);
	walk_limits_default(&so.limits);
	t0 = now();
	for (unsigned i = 0; i < rounds; i++)
		findings_free(scan_message(&so, msg, mlen));
	double scan = (now() - t0) / rounds * 1e3;
	printf("relay encryption: %zu KB plaintext -> %zu KB PGP/MIME, %u rounds\n", mlen / 1024,
	       outlen / 1024, rounds);
	printf("  key check (policy, GPGME)             %8.2f ms per message\n", check);
	printf("  key check kept per snapshot           %8.2f ms per message\n", kept);
	printf("  encryption (seal_message, GPGME)      %8.2f ms per message\n", enc);
	printf("  scan of the plaintext, for scale      %8.2f ms per message\n", scan);
	registry_unref(r);
	snprintf(cmd, sizeof cmd, "gpgconf --homedir %s --kill gpg-agent; rm -rf %s", dir, dir);
	if (system(cmd) != 0)
		fprintf(stderr, "seal-bench: cleanup failed\n");
	g_free(armour);
	g_free(msg);
	return 0;
}
