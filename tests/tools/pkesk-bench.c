/*
 * pkesk-bench.c - the cost of knowing who can read an encrypted message:
 * a registry of PARTIES parties with an OpenPGP certificate each (a v4
 * primary and subkey, inline), and a PGP/MIME message of about 100 KB
 * encrypted to READERS subkeys of them.  Times, per message: reading the
 * recipients from the armour (readers_scan), mapping them to parties and
 * checking them for one recipient (readmap_check), and the whole
 * scan_message plus policy_decide the milter runs, all in microseconds.
 * Not part of make check.
 * Usage: pkesk-bench [PARTIES [READERS [ROUNDS]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "grondslag/base/date.h"
#include "grondslag/decide/policy.h"
#include "grondslag/decide/readmap.h"
#include "grondslag/decide/registry.h"
#include "grondslag/scan/scan.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A v4 key packet (tag 6 or 14) with made-up key material for party i. */
static void key_packet(GByteArray *out, unsigned tag, unsigned i, uint8_t fpr_out[20])
{
	uint8_t body[4 + 2 + 1 + 2 + 64];
	size_t n = 0;
	body[n++] = 4;
	body[n++] = 0x60, body[n++] = (uint8_t)(i >> 16), body[n++] = (uint8_t)(i >> 8),
	body[n++] = (uint8_t)i;	/* the creation time makes each key unique */
	body[n++] = 22;	/* EdDSA-ish: any algorithm, the bytes are hashed only */
	body[n++] = 1;
	body[n++] = 0;
	for (size_t k = 0; k < 64; k++)
		body[n++] = (uint8_t)(i * 31 + k * 7 + tag);
	uint8_t head[3] = {0x99, 0, (uint8_t)n};
	gsize dl = 20;
	GChecksum *h = g_checksum_new(G_CHECKSUM_SHA1);
	g_checksum_update(h, head, 3);
	g_checksum_update(h, body, (gssize)n);
	g_checksum_get_digest(h, fpr_out, &dl);
	g_checksum_free(h);
	uint8_t ph[2] = {(uint8_t)(0xc0 | tag), (uint8_t)n};
	g_byte_array_append(out, ph, 2);
	g_byte_array_append(out, body, (guint)n);
}

static bool count_reader(void *arg, const struct reader_id *r)
{
	(void)r;
	(*(size_t *)arg)++;
	return true;
}

int main(int argc, char **argv)
{
	unsigned parties = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000;
	unsigned readers = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 3;
	unsigned rounds = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 2000;
	if (readers == 0 || readers > parties)
		readers = parties;
	GString *y = g_string_new("version: 1\nown_domains: [ncsc.nl]\n"
				  "eea: [{country: BE, valid_from: 1994-01-01}]\n"
				  "regimes: [{id: w, name: W, valid_from: 2018-11-09}]\n"
				  "bases: [{id: b, regime: w, article: A, approved_by: bench,\n"
				  "  permits: [provider-traceable, incident, personal-data, unscannable],\n"
				  "  tlp_max: RED}]\nparties:\n");
	uint8_t (*sub)[20] = calloc(parties, 20);
	for (unsigned i = 0; i < parties; i++) {
		GByteArray *cert = g_byte_array_new();
		uint8_t fpr[20];
		key_packet(cert, 6, i, fpr);
		key_packet(cert, 14, i, sub[i]);
		gchar *b64 = g_base64_encode(cert->data, cert->len);
		g_string_append_printf(y, "  - {id: p%u, name: P%u, type: eu-csirt, jurisdiction: BE,\n"
					  "     domains: [d%u.example], bases: [b], keys: [\"-----BEGIN "
					  "PGP PUBLIC KEY BLOCK-----\\n\\n%s\\n-----END PGP PUBLIC KEY "
					  "BLOCK-----\\n\"]}\n", i, i, i, b64);
		g_free(b64);
		g_byte_array_free(cert, TRUE);
	}
	double t0 = now();
	struct registry_errors *e = NULL;
	struct registry *reg = registry_load_buffer("bench.yaml", y->str, y->len, &e);
	double t_load = now() - t0;
	if (reg == NULL) {
		fprintf(stderr, "%s\n", registry_errors_count(e) ? registry_errors_get(e, 0) : "?");
		return 2;
	}
	registry_errors_free(e);
	/* The message: READERS PKESK v3 to the subkeys, ~100 KB of SEIPD. */
	GByteArray *m = g_byte_array_new();
	for (unsigned r = 0; r < readers; r++) {
		uint8_t pk[2 + 10 + 258] = {0xc1, 0xff};
		size_t n = 2;
		pk[1] = 0;
		pk[n++] = 3;
		memcpy(pk + n, sub[r] + 12, 8);
		n += 8;
		pk[n++] = 1;
		pk[n++] = 0x08, pk[n++] = 0;	/* a 2048-bit MPI */
		for (int k = 0; k < 256; k++)
			pk[n++] = (uint8_t)k;
		uint8_t hdr[3] = {0xc1, (uint8_t)(((n - 2 - 192) >> 8) + 192),
				  (uint8_t)((n - 2 - 192) & 0xff)};
		g_byte_array_append(m, hdr, 3);
		g_byte_array_append(m, pk + 2, (guint)(n - 2));
	}
	uint8_t sd[6] = {0xd2, 0xff, 0, 1, 0x86, 0xa0};	/* 100,000 octets */
	g_byte_array_append(m, sd, 6);
	for (int k = 0; k < 100000; k++) {
		uint8_t c = (uint8_t)(k * 131);
		g_byte_array_append(m, &c, 1);
	}
	gchar *armour = g_base64_encode(m->data, m->len);
	GString *msg = g_string_new("From: a@ncsc.nl\r\nTo: x@d0.example\r\nSubject: s\r\n"
				    "MIME-Version: 1.0\r\nContent-Type: multipart/encrypted; "
				    "protocol=\"application/pgp-encrypted\"; boundary=\"B\"\r\n\r\n"
				    "--B\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1"
				    "\r\n\r\n--B\r\nContent-Type: application/octet-stream\r\n\r\n"
				    "-----BEGIN PGP MESSAGE-----\r\n\r\n");
	for (size_t k = 0, al = strlen(armour); k < al; k += 64)
		g_string_append_printf(msg, "%.64s\r\n", armour + k);
	g_string_append(msg, "-----END PGP MESSAGE-----\r\n--B--\r\n");
	g_free(armour);

	struct scan_options so;
	memset(&so, 0, sizeof so);
	walk_limits_default(&so.limits);
	so.threshold = 1;
	struct findings *f = scan_message(&so, msg->str, msg->len);
	if (findings_reader_count(f) != readers) {
		fprintf(stderr, "pkesk-bench: %zu readers found, want %u\n",
			findings_reader_count(f), readers);
		return 1;
	}
	int32_t day = date_from_time(time(NULL));
	const char *rcpt = "x@d0.example";
	struct policy_options po;
	policy_options_default(&po);
	po.rcpts = &rcpt;
	po.nrcpts = 1;
	/* readers_scan over the ciphertext part as the walker sees it */
	const char *part = strstr(msg->str, "-----BEGIN PGP MESSAGE-----");
	size_t plen = msg->len - (size_t)(part - msg->str);
	double t_read = 0, t_map = 0, t_all = 0;
	size_t held = 0;
	for (unsigned r = 0; r < rounds; r++) {
		double a = now();
		size_t got = 0;
		readers_armor(part, plen, count_reader, &got);
		double b = now();
		struct readmap_check rc;
		readmap_check(reg, f, registry_party_by_id(reg, "p0"), day, &rcpt, 1, &rc);
		double c = now();
		struct findings *f2 = scan_message(&so, msg->str, msg->len);
		struct decision *d = policy_decide(reg, f2, rcpt, day, &po);
		held += decision_verdict(d) == VERDICT_HOLD;
		decision_free(d);
		findings_free(f2);
		double dd = now();
		t_read += b - a;
		t_map += c - b;
		t_all += dd - c;
	}
	printf("registry: %u parties with certificates (%zu keys) loaded in %.1f ms\n", parties,
	       registry_key_count(reg), t_load * 1e3);
	printf("message: %zu bytes, %u PKESK readers; %s for p0 (%zu of %u rounds held)\n",
	       msg->len, readers, held ? "held" : "delivered", held, rounds);
	printf("per message: read readers %.1f us, map and check %.2f us, "
	       "scan_message + policy_decide %.1f us (readers %.1f%% of it)\n",
	       t_read / rounds * 1e6, t_map / rounds * 1e6, t_all / rounds * 1e6,
	       100.0 * (t_read + t_map) / t_all);
	findings_free(f);
	registry_unref(reg);
	g_string_free(msg, TRUE);
	g_string_free(y, TRUE);
	g_byte_array_free(m, TRUE);
	free(sub);
	return 0;
}
