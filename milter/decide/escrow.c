/*
 * escrow.c - decrypting with the escrow key through GPGME (escrow.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <gpgme.h>

#include "grondslag/decide/escrow.h"

#define ESCROW_SUBKEYS_MAX 16

struct escrow {
	char *home;		/* NULL: GnuPG's default */
	char fpr[41];
	uint8_t keyids[ESCROW_SUBKEYS_MAX][8];
	struct walk_escrow walk;
};

static pthread_once_t escrow_once = PTHREAD_ONCE_INIT;

static void escrow_init(void)
{
	(void)gpgme_check_version(NULL);
}

/* A context in the escrow key's home that never asks for a passphrase. */
static gpgme_error_t escrow_ctx(const struct escrow *e, gpgme_ctx_t *ctx)
{
	gpgme_error_t ge = gpgme_new(ctx);
	if (ge == 0)
		ge = gpgme_set_protocol(*ctx, GPGME_PROTOCOL_OpenPGP);
	if (ge == 0 && e->home != NULL)
		ge = gpgme_ctx_set_engine_info(*ctx, GPGME_PROTOCOL_OpenPGP, NULL, e->home);
	if (ge == 0)
		ge = gpgme_set_pinentry_mode(*ctx, GPGME_PINENTRY_MODE_ERROR);
	if (ge != 0 && *ctx != NULL) {
		gpgme_release(*ctx);
		*ctx = NULL;
	}
	return ge;
}

static bool keyid_bytes(const char *hex, uint8_t out[8])
{
	if (hex == NULL || strlen(hex) != 16)
		return false;
	for (int i = 0; i < 8; i++) {
		int a = g_ascii_xdigit_value(hex[2 * i]), b = g_ascii_xdigit_value(hex[2 * i + 1]);
		if (a < 0 || b < 0)
			return false;
		out[i] = (uint8_t)(a << 4 | b);
	}
	return true;
}

/* ---- the plaintext, bounded while it is written ---------------------------------- */

struct sink {
	unsigned char *buf;
	size_t len, cap, max;
	bool over;
};

static ssize_t sink_write(void *handle, const void *buf, size_t n)
{
	struct sink *s = handle;
	if (n > s->max - s->len) {
		s->over = true;
		errno = EFBIG;
		return -1;
	}
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 65536;
		while (cap < s->len + n)
			cap = cap > s->max / 2 ? s->max : cap * 2;
		unsigned char *nb = realloc(s->buf, cap);
		if (nb == NULL) {
			errno = ENOMEM;
			return -1;
		}
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, buf, n);
	s->len += n;
	return (ssize_t)n;
}

static int escrow_decrypt(void *arg, const void *data, size_t len, size_t max,
			  unsigned char **out, size_t *outlen)
{
	const struct escrow *e = arg;
	gpgme_ctx_t ctx = NULL;
	gpgme_data_t in = NULL, plain = NULL;
	struct sink s = {.max = max};
	struct gpgme_data_cbs cbs = {.write = sink_write};
	int rc = -1;
	if (escrow_ctx(e, &ctx) != 0 || gpgme_data_new_from_mem(&in, data, len, 0) != 0 ||
	    gpgme_data_new_from_cbs(&plain, &cbs, &s) != 0)
		goto out;
	if (gpgme_op_decrypt(ctx, in, plain) != 0 || s.over)
		goto out;
	/* Opened with one of our keys: was it the escrow key?  A home with
	 * other secret keys must not make this a general decryptor. */
	gpgme_decrypt_result_t r = gpgme_op_decrypt_result(ctx);
	bool ours = false;
	for (gpgme_recipient_t p = r != NULL ? r->recipients : NULL; p != NULL && !ours; p = p->next) {
		uint8_t id[8];
		if (p->status != 0 || !keyid_bytes(p->keyid, id))
			continue;
		for (size_t i = 0; i < e->walk.nkeyids && !ours; i++)
			ours = memcmp(e->keyids[i], id, 8) == 0;
	}
	if (!ours)
		goto out;
	*out = s.buf != NULL ? s.buf : malloc(1);
	*outlen = s.len;
	s.buf = NULL;
	rc = *out != NULL ? 0 : -1;
out:
	free(s.buf);
	gpgme_data_release(plain);
	gpgme_data_release(in);
	if (ctx != NULL)
		gpgme_release(ctx);
	return rc;
}

/* ---- the key ----------------------------------------------------------------------- */

struct escrow *escrow_open(const char *gnupg_home, const char *fpr, char *err, size_t errlen)
{
	pthread_once(&escrow_once, escrow_init);
	struct escrow *e = calloc(1, sizeof *e);
	gpgme_ctx_t ctx = NULL;
	gpgme_key_t key = NULL;
	if (e == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (fpr == NULL || strlen(fpr) != 40) {
		snprintf(err, errlen, "EscrowKey: not a 40-digit fingerprint");
		goto fail;
	}
	memcpy(e->fpr, fpr, 41);
	if (gnupg_home != NULL && gnupg_home[0] != '\0' && (e->home = strdup(gnupg_home)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	gpgme_error_t ge = escrow_ctx(e, &ctx);
	if (ge == 0)
		ge = gpgme_get_key(ctx, fpr, &key, 1);
	if (ge != 0) {
		snprintf(err, errlen, "EscrowKey %s: no secret key in %s: %s", fpr,
			 e->home != NULL ? e->home : "the default GnuPG home", gpgme_strerror(ge));
		goto fail;
	}
	if (key->revoked || key->disabled) {
		snprintf(err, errlen, "EscrowKey %s: the key is revoked or disabled", fpr);
		goto fail;
	}
	size_t n = 0;
	for (gpgme_subkey_t sk = key->subkeys; sk != NULL; sk = sk->next) {
		if (!sk->can_encrypt || !sk->secret || sk->revoked)
			continue;
		if (n == ESCROW_SUBKEYS_MAX || !keyid_bytes(sk->keyid, e->keyids[n])) {
			snprintf(err, errlen, "EscrowKey %s: more than %d encryption subkeys", fpr,
				 ESCROW_SUBKEYS_MAX);
			goto fail;
		}
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "EscrowKey %s: no encryption subkey with a secret part", fpr);
		goto fail;
	}
	e->walk = (struct walk_escrow){.keyids = (const uint8_t(*)[8])e->keyids, .nkeyids = n,
				       .decrypt = escrow_decrypt, .arg = e};
	gpgme_key_unref(key);
	gpgme_release(ctx);
	return e;
fail:
	if (key != NULL)
		gpgme_key_unref(key);
	if (ctx != NULL)
		gpgme_release(ctx);
	escrow_free(e);
	return NULL;
}

void escrow_free(struct escrow *e)
{
	if (e == NULL)
		return;
	free(e->home);
	free(e);
}

const struct walk_escrow *escrow_walk(const struct escrow *e)
{
	return e != NULL ? &e->walk : NULL;
}

const char *escrow_fpr(const struct escrow *e)
{
	return e != NULL ? e->fpr : "";
}
