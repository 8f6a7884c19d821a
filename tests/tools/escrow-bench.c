/*
 * escrow-bench.c - the cost of reading encrypted mail with the escrow key:
 * a GnuPG home made for the run (an escrow key without passphrase, as
 * behind gpg-agent), a PGP/MIME message of about SIZE KB of incident text
 * encrypted to it and to one party key, and the times per message, in
 * milliseconds, of the decryption alone (GPGME, one context per call as
 * the milter does) and of the whole scan_message with and without the
 * escrow key (sealed: only the readers are read).  Not part of make
 * check.  Usage: escrow-bench [SIZE_KB [ROUNDS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "grondslag/decide/escrow.h"
#include "grondslag/scan/scan.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int sh(const char *cmd)
{
	int rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "escrow-bench: failed: %s\n", cmd);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned kb = argc > 1 ? (unsigned)atoi(argv[1]) : 100;
	unsigned rounds = argc > 2 ? (unsigned)atoi(argv[2]) : 50;
	char dir[] = "/tmp/escbXXXXXX", cmd[2048], fpr[64] = "";
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(cmd, sizeof cmd,
		 "G='gpg --homedir %s --batch --quiet --pinentry-mode loopback --passphrase='; "
		 "$G --quick-gen-key 'Escrow <e@t.test>' ed25519 cert never 2>/dev/null && "
		 "F=$($G --with-colons --list-keys e@t.test | awk -F: '/^fpr/{print $10; exit}') && "
		 "$G --quick-add-key $F cv25519 encr never 2>/dev/null && "
		 "$G --quick-gen-key 'Party <p@t.test>' ed25519 cert never 2>/dev/null && "
		 "P=$($G --with-colons --list-keys p@t.test | awk -F: '/^fpr/{print $10; exit}') && "
		 "$G --quick-add-key $P cv25519 encr never 2>/dev/null && echo $F >%s/fpr && "
		 "awk 'BEGIN{for(i=0;i<%u;i++) printf \"%%d.%%d.%%d.%%d,2024-02-0%%d,fortigate\\n\", "
		 "130+i%%90, i%%251, (i*7)%%253, 1+i%%250, 1+i%%9}' >%s/plain && "
		 "(printf 'Content-Type: text/plain\\n\\n'; cat %s/plain) | $G --trust-model always "
		 "--armor --encrypt -r e@t.test -r p@t.test >%s/ct.asc",
		 dir, dir, kb * 1024 / 34, dir, dir, dir);
	if (sh(cmd) != 0)
		return 1;
	gchar *f = NULL, *ct = NULL;
	gsize flen, ctlen;
	snprintf(cmd, sizeof cmd, "%s/fpr", dir);
	if (!g_file_get_contents(cmd, &f, &flen, NULL) || flen < 40)
		return 1;
	memcpy(fpr, f, 40);
	snprintf(cmd, sizeof cmd, "%s/ct.asc", dir);
	if (!g_file_get_contents(cmd, &ct, &ctlen, NULL))
		return 1;
	char err[512];
	struct escrow *e = escrow_open(dir, fpr, err, sizeof err);
	if (e == NULL) {
		fprintf(stderr, "escrow-bench: %s\n", err);
		return 1;
	}
	const struct walk_escrow *w = escrow_walk(e);
	GString *msg = g_string_new(NULL);
	g_string_append_printf(msg, "From: a@ncsc.test\r\nSubject: list\r\nMIME-Version: 1.0\r\n"
			       "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; "
			       "boundary=B\r\n\r\n--B\r\nContent-Type: application/pgp-encrypted\r\n\r\n"
			       "Version: 1\r\n\r\n--B\r\nContent-Type: application/octet-stream\r\n\r\n%s\r\n"
			       "--B--\r\n", ct);
	double t0 = now();
	size_t plain = 0;
	for (unsigned r = 0; r < rounds; r++) {
		unsigned char *out = NULL;
		size_t n = 0;
		const char *why;
		if (w->decrypt(w->arg, ct, ctlen, 64u << 20, 60000, &out, &n, &why) != 0) {
			fprintf(stderr, "escrow-bench: decryption failed\n");
			return 1;
		}
		plain = n;
		free(out);
	}
	double dec = (now() - t0) / rounds * 1e3;
	double scan[2];
	size_t ips[2];
	for (int with = 0; with < 2; with++) {
		struct scan_options so;
		memset(&so, 0, sizeof so);
		walk_limits_default(&so.limits);
		so.limits.escrow = with ? w : NULL;
		t0 = now();
		for (unsigned r = 0; r < rounds; r++) {
			struct findings *fi = scan_message(&so, msg->str, msg->len);
			ips[with] = fi != NULL ? findings_public_ip_count(fi) : 0;
			findings_free(fi);
		}
		scan[with] = (now() - t0) / rounds * 1e3;
	}
	printf("escrow: %zu KB ciphertext (%zu KB plaintext), %u rounds\n", ctlen / 1024,
	       plain / 1024, rounds);
	printf("  decryption alone (GPGME + gpg-agent)   %8.2f ms per message\n", dec);
	printf("  scan, sealed (readers only)           %8.2f ms per message, %zu addresses\n",
	       scan[0], ips[0]);
	printf("  scan with the escrow key              %8.2f ms per message, %zu addresses\n",
	       scan[1], ips[1]);
	escrow_free(e);
	snprintf(cmd, sizeof cmd, "gpgconf --homedir %s --kill gpg-agent; rm -rf %s", dir, dir);
	(void)sh(cmd);
	g_string_free(msg, TRUE);
	g_free(f);
	g_free(ct);
	return 0;
}
