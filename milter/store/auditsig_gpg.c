/*
 * auditsig_gpg.c - signing and verifying audit checkpoints with GPGME
 * (see auditsig.h).  Verification reuses regsig_verify_buffer(): the same
 * trust decision as for the registry (the configured fingerprint is the
 * trust, not GnuPG's web of trust).
 *
 * The signer is opened once at start-up and makes a trial signature
 * there: a key that is missing, expired, revoked, disabled, protected by
 * a passphrase or otherwise unable to sign stops the daemon at start,
 * never later into a stream of unsigned checkpoints.  Pinentry is
 * loopback without a passphrase callback, so a protected key fails at
 * once instead of waiting for a prompt nobody sees.
 *
 * Public functions: auditsig_signer_open(), auditsig_signer_key(),
 * auditsig_sign(), auditsig_signer_free(), auditsig_verify().
 * Limits: signatures longer than AUDITSIG_SIG_MAX base64 characters are
 * refused (a key of more than 8192 bits).  One GPGME context per signer,
 * used under its mutex.
 */
#include <glib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gpgme.h>

#include "grondslag/store/auditsig.h"

struct auditsig_signer {
	pthread_mutex_t lock;
	gpgme_ctx_t ctx;
	char fpr[REGSIG_FPR_LEN + 1];
};

/* The signing context: regsig's (home checked, offline) with loopback
 * pinentry (a key with a passphrase fails at start instead of hanging on
 * a prompt) and binary signatures.  NULL + err. */
static gpgme_ctx_t context_new(const char *gnupg_home, char *err, size_t errlen)
{
	gpgme_ctx_t ctx = regsig_context_new(gnupg_home, err, errlen);
	if (ctx == NULL)
		return NULL;
	gpgme_error_t ge = gpgme_set_pinentry_mode(ctx, GPGME_PINENTRY_MODE_LOOPBACK);
	if (ge != 0) {
		snprintf(err, errlen, "GPGME context: %s", gpgme_strerror(ge));
		gpgme_release(ctx);
		return NULL;
	}
	gpgme_set_armor(ctx, 0);
	return ctx;
}

/* Why key cannot make signatures now, or NULL when it can. */
static const char *key_unusable(gpgme_key_t key)
{
	if (key->revoked)
		return "the key is revoked";
	if (key->expired)
		return "the key has expired";
	if (key->disabled)
		return "the key is disabled";
	if (key->invalid)
		return "the key is invalid";
	if (!key->secret)
		return "no secret key";
	bool sub_ok = false;
	for (gpgme_subkey_t sk = key->subkeys; sk != NULL; sk = sk->next)
		if (sk->can_sign && !sk->revoked && !sk->expired && !sk->disabled && !sk->invalid &&
		    sk->secret)
			sub_ok = true;
	return sub_ok ? NULL : "no valid (sub)key that can sign";
}

/* Find the secret key and make it the context's only signer. */
static int select_key(struct auditsig_signer *s, char *err, size_t errlen)
{
	gpgme_key_t key = NULL;
	gpgme_error_t ge = gpgme_get_key(s->ctx, s->fpr, &key, 1);
	if (ge != 0 || key == NULL) {
		snprintf(err, errlen, "AuditSigningKey %s: no secret key in the GnuPG home (%s)",
			 s->fpr, gpgme_strerror(ge));
		return -1;
	}
	const char *why = key_unusable(key);
	char primary[REGSIG_FPR_LEN + 1];
	if (why == NULL && (!regsig_fpr_normalize(key->fpr, primary) || strcmp(primary, s->fpr)))
		why = "the fingerprint is not the primary key's";	/* a subkey was named */
	if (why == NULL && (ge = gpgme_signers_add(s->ctx, key)) != 0)
		why = gpgme_strerror(ge);
	gpgme_key_unref(key);
	if (why != NULL) {
		snprintf(err, errlen, "AuditSigningKey %s: %s", s->fpr, why);
		return -1;
	}
	return 0;
}

struct auditsig_signer *auditsig_signer_open(const char *gnupg_home, const char *fpr,
					     char *err, size_t errlen)
{
	struct auditsig_signer *s = calloc(1, sizeof *s);
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	if (!regsig_fpr_normalize(fpr, s->fpr)) {
		snprintf(err, errlen, "AuditSigningKey \"%.64s\" is not a fingerprint (40 hex digits)",
			 fpr ? fpr : "");
		auditsig_signer_free(s);
		return NULL;
	}
	s->ctx = context_new(gnupg_home, err, errlen);
	if (s->ctx == NULL || select_key(s, err, errlen) != 0) {
		auditsig_signer_free(s);
		return NULL;
	}
	/* the trial: what gpg-agent, the key and the home allow, now */
	struct auditsig_checkpoint trial = {.seq = 1, .at = (int64_t)time(NULL)};
	memset(trial.hash, '0', AUDIT_HASH_HEX - 1);
	auditsig_set_host(&trial, "trial");
	char why[256];
	if (auditsig_sign(s, &trial, why, sizeof why) != 0) {
		snprintf(err, errlen, "AuditSigningKey %s cannot sign: %s", s->fpr, why);
		auditsig_signer_free(s);
		return NULL;
	}
	return s;
}

const char *auditsig_signer_key(const struct auditsig_signer *s)
{
	return s->fpr;
}

/* Detached binary signature of text with the context's signer, base64
 * into out (cap bytes).  0 or -1 + err. */
static int sign_text(gpgme_ctx_t ctx, const char *text, char *out, size_t cap, char *err,
		     size_t errlen)
{
	gpgme_data_t plain = NULL, sig = NULL;
	gpgme_error_t ge = gpgme_data_new_from_mem(&plain, text, strlen(text), 0);
	if (ge == 0)
		ge = gpgme_data_new(&sig);
	if (ge == 0)
		ge = gpgme_op_sign(ctx, plain, sig, GPGME_SIG_MODE_DETACH);
	gpgme_sign_result_t res = ge == 0 ? gpgme_op_sign_result(ctx) : NULL;
	int rc = -1;
	if (ge != 0) {
		snprintf(err, errlen, "GPGME sign: %s", gpgme_strerror(ge));
	} else if (res == NULL || res->signatures == NULL || res->invalid_signers != NULL) {
		snprintf(err, errlen, "GPGME sign: no signature made");
	} else {
		size_t len = 0;
		char *bin = gpgme_data_release_and_get_mem(sig, &len);
		sig = NULL;
		gchar *b64 = bin != NULL && len > 0 ? g_base64_encode((const guchar *)bin, len) : NULL;
		if (b64 == NULL || strlen(b64) >= cap)
			snprintf(err, errlen, "signature missing or longer than %zu characters", cap - 1);
		else
			rc = snprintf(out, cap, "%s", b64) < 0 ? -1 : 0;
		g_free(b64);
		gpgme_free(bin);
	}
	gpgme_data_release(plain);
	gpgme_data_release(sig);
	return rc;
}

int auditsig_sign(struct auditsig_signer *s, struct auditsig_checkpoint *cp, char *err,
		  size_t errlen)
{
	memcpy(cp->key, s->fpr, sizeof cp->key);
	cp->sig[0] = '\0';
	char *text = auditsig_text(cp);
	if (text == NULL) {
		snprintf(err, errlen, "checkpoint not well formed");
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	int rc = sign_text(s->ctx, text, cp->sig, sizeof cp->sig, err, errlen);
	pthread_mutex_unlock(&s->lock);
	free(text);
	if (rc != 0)
		cp->sig[0] = '\0';
	return rc;
}

void auditsig_signer_free(struct auditsig_signer *s)
{
	if (s == NULL)
		return;
	gpgme_release(s->ctx);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

enum regsig_status auditsig_verify(const struct auditsig_checkpoint *cp, const char *gnupg_home,
				   const char *const *fprs, size_t nfprs, char *err, size_t errlen)
{
	char *text = auditsig_text(cp);
	size_t siglen = 0;
	guchar *sig = text != NULL && cp->sig[0] ? g_base64_decode(cp->sig, &siglen) : NULL;
	if (text == NULL || sig == NULL || siglen == 0) {
		snprintf(err, errlen, "no signature, or the checkpoint is not well formed");
		free(text);
		g_free(sig);
		return REGSIG_BAD;
	}
	struct regsig_result res;
	memset(&res, 0, sizeof res);
	enum regsig_status st = regsig_verify_buffer(text, strlen(text), (const char *)sig, siglen,
						     gnupg_home, fprs, nfprs, &res);
	/* the key the checkpoint names must be the key that signed it: with
	 * several trusted keys (a rotation), one may not vouch for another */
	if ((st == REGSIG_OK || st == REGSIG_EXPIRED) && strcmp(res.fingerprint, cp->key) != 0) {
		snprintf(err, errlen, "made by %s, but the checkpoint names %s", res.fingerprint,
			 cp->key);
		st = REGSIG_UNKNOWN_SIGNER;
	} else if (st == REGSIG_UNKNOWN_SIGNER && res.fingerprint[0])
		snprintf(err, errlen, "made by %s, not a trusted audit key", res.fingerprint);
	else
		snprintf(err, errlen, "%s", res.error);
	free(text);
	g_free(sig);
	return st;
}
