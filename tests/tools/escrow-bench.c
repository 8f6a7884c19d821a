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

#include "bench.h"

#include "grondslag/decide/escrow.h"
#include "grondslag/scan/scan.h"

static int sh(const char *cmd)
{
	int rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "escrow-bench: failed: %s\n", cmd);
	return rc;
}

/* What a round of each loop needs. */
struct run {
	const struct walk_escrow *w;
	const char *ct, *msg;
	size_t ctlen, mlen, plain, ips;
	struct scan_options so;
};

static int round_decrypt(void *arg)
{
	struct run *u = arg;
	unsigned char *out = NULL;
	const char *why;
	if (u->w->decrypt(u->w->arg, u->ct, u->ctlen, 64u << 20, 60000, &out, &u->plain,
			  &why) != 0) {
		fprintf(stderr, "escrow-bench: decryption failed\n");
		return -1;
	}
	free(out);
	return 0;
}

static int round_scan(void *arg)
{
	struct run *u = arg;
	struct findings *fi = scan_message(&u->so, u->msg, u->mlen);
	u->ips = fi != NULL ? findings_public_ip_count(fi) : 0;
	findings_free(fi);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned kb = 100, rounds = 50;
	char dir[] = "/tmp/escbXXXXXX", cmd[2048], fpr[64] = "";
	if (bench_start(argc, argv, &kb, &rounds, dir) != 0)
		return 1;
	snprintf(cmd, sizeof cmd,
		 BENCH_GPG BENCH_GPG_KEY("Escrow", "e@t.test", "F") " && "
		 BENCH_GPG_KEY("Party", "p@t.test", "P") " && echo $F >%s/fpr && "
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
	GString *msg = g_string_new(NULL);
	g_string_append_printf(msg, "From: a@ncsc.test\r\nSubject: list\r\nMIME-Version: 1.0\r\n"
			       "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; "
			       "boundary=B\r\n\r\n--B\r\nContent-Type: application/pgp-encrypted\r\n\r\n"
			       "Version: 1\r\n\r\n--B\r\nContent-Type: application/octet-stream\r\n\r\n%s\r\n"
			       "--B--\r\n", ct);
	struct run u = {.w = escrow_walk(e), .ct = ct, .ctlen = ctlen, .msg = msg->str,
			.mlen = msg->len};
	double dec = bench_ms(rounds, round_decrypt, &u);
	if (dec < 0)
		return 1;
	double scan[2];
	size_t ips[2];
	for (int with = 0; with < 2; with++) {
		memset(&u.so, 0, sizeof u.so);
		walk_limits_default(&u.so.limits);
		u.so.limits.escrow = with ? u.w : NULL;
		scan[with] = bench_ms(rounds, round_scan, &u);
		ips[with] = u.ips;
	}
	printf("escrow: %zu KB ciphertext (%zu KB plaintext), %u rounds\n", ctlen / 1024,
	       u.plain / 1024, rounds);
	printf("  decryption alone (GPGME + gpg-agent)   %8.2f ms per message\n", dec);
	printf("  scan, sealed (readers only)           %8.2f ms per message, %zu addresses\n",
	       scan[0], ips[0]);
	printf("  scan with the escrow key              %8.2f ms per message, %zu addresses\n",
	       scan[1], ips[1]);
	escrow_free(e);
	bench_cleanup(dir, "escrow-bench");
	g_string_free(msg, TRUE);
	g_free(f);
	g_free(ct);
	return 0;
}
