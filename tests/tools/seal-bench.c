/*
 * seal-bench.c - the cost of encrypting at the relay (seal.h): a party
 * key made for the run, a registry carrying it on a basis that requires
 * encryption, a plaintext message of about SIZE KB of incident text, and
 * the times per message, in milliseconds, of the key check the policy
 * asks for (seal_keys_usable: a throwaway GnuPG home, import, listing;
 * and as the milter asks it, kept per snapshot: sealcache.h),
 * of the whole encryption (seal_message: the same plus the ciphertext and
 * the PGP/MIME message; and the ciphertext in the home the snapshot keeps
 * for the party, as the milter encrypts) and, beside them, of scan_message on the same
 * plaintext.  Not part of make check.  Usage: seal-bench [SIZE_KB [ROUNDS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "bench.h"

#include "grondslag/decide/registry.h"
#include "grondslag/decide/seal.h"
#include "grondslag/decide/sealcache.h"
#include "grondslag/scan/scan.h"

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

/* One run: the party, the message and what a round of each loop needs. */
struct run {
	const struct registry_party *p;
	const char *dir, *msg;
	size_t mlen, outlen;
	struct seal_cache *cache;
	struct scan_options so;
	char err[512];
};

static int round_check(void *arg)
{
	struct run *u = arg;
	size_t n = 0;
	if (seal_keys_usable(u->p, u->dir, &n, u->err, sizeof u->err) != 0 || n != 1) {
		fprintf(stderr, "seal-bench: key check: %s\n", u->err);
		return -1;
	}
	return 0;
}

/* the milter's path: the check kept per snapshot (sealcache.h), the
 * first message of the day paying for it */
static int round_kept(void *arg)
{
	struct run *u = arg;
	size_t n = 0;
	if (seal_cache_usable(u->cache, u->p, u->dir, time(NULL), &n, u->err, sizeof u->err) != 0 ||
	    n != 1) {
		fprintf(stderr, "seal-bench: kept key check: %s\n", u->err);
		return -1;
	}
	return 0;
}

static int round_encrypt(void *arg)
{
	struct run *u = arg;
	char *out = NULL;
	if (seal_message(u->p, u->dir, u->msg, u->mlen, "...", &out, &u->outlen, NULL, 0, u->err,
			 sizeof u->err) != 0) {
		fprintf(stderr, "seal-bench: %s\n", u->err);
		return -1;
	}
	free(out);
	return 0;
}

/* the milter's path: the inner entity encrypted in the home the
 * snapshot keeps for the party (the PGP/MIME body around it is cheap) */
static int round_kept_encrypt(void *arg)
{
	struct run *u = arg;
	char boundary[SEAL_BOUNDARY_MAX], *asc = NULL;
	size_t alen = 0;
	if (seal_cache_ciphertext(u->cache, u->p, u->dir, time(NULL), u->msg, u->mlen, boundary,
				  &asc, &alen, NULL, 0, u->err, sizeof u->err) != 0) {
		fprintf(stderr, "seal-bench: kept encryption: %s\n", u->err);
		return -1;
	}
	free(asc);
	return 0;
}

static int round_scan(void *arg)
{
	struct run *u = arg;
	findings_free(scan_message(&u->so, u->msg, u->mlen));
	return 0;
}

int main(int argc, char **argv)
{
	unsigned kb = 100, rounds = 30;
	char dir[] = "/tmp/sealbXXXXXX", cmd[2048];
	if (bench_start(argc, argv, &kb, &rounds, dir) != 0)
		return 1;
	snprintf(cmd, sizeof cmd,
		 BENCH_GPG BENCH_GPG_KEY("Party", "p@p.test", "P") " && "
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
	struct run u = {.p = r != NULL ? registry_party_by_id(r, "cert-p") : NULL, .dir = dir,
			.msg = msg, .mlen = mlen, .cache = seal_cache_new()};
	if (u.p == NULL || u.cache == NULL)
		return 1;
	walk_limits_default(&u.so.limits);
	double check = bench_ms(rounds, round_check, &u);
	double kept = bench_ms(rounds, round_kept, &u);
	double enc = bench_ms(rounds, round_encrypt, &u);
	double kept_enc = bench_ms(rounds, round_kept_encrypt, &u);
	double scan = bench_ms(rounds, round_scan, &u);
	if (check < 0 || kept < 0 || enc < 0 || kept_enc < 0)
		return 1;
	printf("relay encryption: %zu KB plaintext -> %zu KB PGP/MIME, %u rounds\n", mlen / 1024,
	       u.outlen / 1024, rounds);
	printf("  key check (policy, GPGME)             %8.2f ms per message\n", check);
	printf("  key check kept per snapshot           %8.2f ms per message\n", kept);
	printf("  encryption (seal_message, GPGME)      %8.2f ms per message\n", enc);
	printf("  encryption in the kept home           %8.2f ms per message\n", kept_enc);
	printf("  scan of the plaintext, for scale      %8.2f ms per message\n", scan);
	seal_cache_free(u.cache);
	registry_unref(r);
	bench_cleanup(dir, "seal-bench");
	g_free(armour);
	g_free(msg);
	return 0;
}
