/*
 * escrow.c - decrypting with the escrow key through GPGME (escrow.h).
 *
 * Every decryption runs in a thread of its own while the caller waits
 * with a deadline (the scan's remaining time): gpg has no time limit for
 * its agent, and a stopped or wedged gpg-agent must cost one tempfail,
 * not a milter thread for ever.  A failure says why in one word (walk.h)
 * and whether it may pass (tempfail) or the content stays sealed.
 * Limits: ESCROW_SUBKEYS_MAX subkeys; ESCROW_STUCK_MAX abandoned
 * decryptions still waiting before every new one fails at once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <gpgme.h>

#include "grondslag/decide/escrow.h"

#define ESCROW_SUBKEYS_MAX 16
/* Decryptions given up on and still waiting for gpg before the agent is
 * taken as hung (no more threads are started until one returns). */
#define ESCROW_STUCK_MAX 4

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

/* A context in the escrow key's home (NULL: GnuPG's default) that never
 * asks for a passphrase. */
static gpgme_error_t escrow_ctx(const char *home, gpgme_ctx_t *ctx)
{
	gpgme_error_t ge = gpgme_new(ctx);
	if (ge == 0)
		ge = gpgme_set_protocol(*ctx, GPGME_PROTOCOL_OpenPGP);
	if (ge == 0 && home != NULL)
		ge = gpgme_ctx_set_engine_info(*ctx, GPGME_PROTOCOL_OpenPGP, NULL, home);
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

/* One decryption, handed to its own thread so that the caller can stop
 * waiting: everything the thread needs is its own (the escrow may be
 * freed by a reload while a hung gpg still holds the thread). */
struct job {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done, abandoned;
	char *home;
	uint8_t keyids[ESCROW_SUBKEYS_MAX][8];
	size_t nkeyids;
	unsigned char *data;
	size_t len, max;
	int rc;			/* 0, -1 stays sealed, -2 temporary */
	const char *why;
	unsigned char *out;
	size_t outlen;
};

/* Decryptions whose caller gave up and that still wait for gpg: past
 * ESCROW_STUCK_MAX the agent is taken as hung and no thread is started. */
static atomic_uint escrow_stuck;

static void job_free(struct job *j)
{
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	free(j->home);
	free(j->data);
	free(j->out);
	free(j);
}

/* The status gpg gave the escrow key as a reader of the ciphertext
 * (GPG_ERR_NO_SECKEY: its secret key is not in the home), or -1 when no
 * reader is one of its subkeys. */
static int escrow_reader(gpgme_ctx_t ctx, const struct job *j)
{
	gpgme_decrypt_result_t r = gpgme_op_decrypt_result(ctx);
	for (gpgme_recipient_t p = r != NULL ? r->recipients : NULL; p != NULL; p = p->next) {
		uint8_t id[8];
		if (!keyid_bytes(p->keyid, id))
			continue;
		for (size_t i = 0; i < j->nkeyids; i++)
			if (memcmp(j->keyids[i], id, 8) == 0)
				return (int)gpgme_err_code(p->status);
	}
	return -1;
}

static bool key_locked(gpgme_err_code_t c)
{
	return c == GPG_ERR_BAD_PASSPHRASE || c == GPG_ERR_NO_PIN || c == GPG_ERR_NO_PIN_ENTRY ||
	       c == GPG_ERR_NO_PASSPHRASE || c == GPG_ERR_CANCELED || c == GPG_ERR_FULLY_CANCELED;
}

/* The reason word of a failed gpgme_op_decrypt(), and whether it may pass
 * (-2: tempfail) or stays sealed (-1).  reader: escrow_reader().  The
 * walker asks only for ciphertext one of whose readers is the escrow key,
 * so a secret key missing, unreadable or behind a passphrase the agent
 * does not hold means the organisation could not read what it must read:
 * never "unscannable", which a basis may let pass, but a tempfail until
 * the key is back.  Only content that is itself bad stays sealed: too
 * large, malformed, or a session key the escrow key (present, unlocked)
 * does not open - a crafted packet naming our key id would otherwise
 * tempfail its mail for ever. */
static int decrypt_error(gpgme_error_t ge, int reader, const char **why)
{
	gpgme_err_code_t c = gpgme_err_code(ge);
	if (key_locked(c) || (reader > 0 && key_locked((gpgme_err_code_t)reader))) {
		*why = "key-locked";
		return -2;
	}
	switch (c) {
	case GPG_ERR_NO_SECKEY:
	case GPG_ERR_DECRYPT_FAILED:
	case GPG_ERR_WRONG_SECKEY:
		if (reader < 0) {
			*why = "not-for-escrow-key";
			return -1;
		}
		if (c == GPG_ERR_DECRYPT_FAILED && reader == 0) {
			*why = "bad-data";	/* the key present and tried: the packet is bad */
			return -1;
		}
		*why = "key-unavailable";
		return -2;
	case GPG_ERR_NO_DATA:
	case GPG_ERR_BAD_DATA:
	case GPG_ERR_INV_DATA:
	case GPG_ERR_INV_PACKET:
	case GPG_ERR_UNKNOWN_PACKET:
	case GPG_ERR_UNSUPPORTED_ALGORITHM:
	case GPG_ERR_CHECKSUM:
	case GPG_ERR_BAD_MPI:
		*why = "bad-data";
		return -1;
	default:
		*why = "gpg-failed";
		return -2;
	}
}

/* The decryption itself, in the job's thread. */
static void job_run(struct job *j)
{
	gpgme_ctx_t ctx = NULL;
	gpgme_data_t in = NULL, plain = NULL;
	struct sink s = {.max = j->max};
	struct gpgme_data_cbs cbs = {.write = sink_write};
	j->rc = -2;
	j->why = "gpgme-failed";
	if (escrow_ctx(j->home, &ctx) != 0 ||
	    gpgme_data_new_from_mem(&in, (const char *)j->data, j->len, 0) != 0 ||
	    gpgme_data_new_from_cbs(&plain, &cbs, &s) != 0)
		goto out;
	gpgme_error_t ge = gpgme_op_decrypt(ctx, in, plain);
	if (s.over) {
		j->rc = -1;
		j->why = "too-large";
		goto out;
	}
	if (ge != 0) {
		j->rc = decrypt_error(ge, escrow_reader(ctx, j), &j->why);
		goto out;
	}
	/* Opened with one of our keys: was it the escrow key?  A home with
	 * other secret keys must not make this a general decryptor. */
	gpgme_decrypt_result_t r = gpgme_op_decrypt_result(ctx);
	bool ours = false;
	for (gpgme_recipient_t p = r != NULL ? r->recipients : NULL; p != NULL && !ours; p = p->next) {
		uint8_t id[8];
		if (p->status != 0 || !keyid_bytes(p->keyid, id))
			continue;
		for (size_t i = 0; i < j->nkeyids && !ours; i++)
			ours = memcmp(j->keyids[i], id, 8) == 0;
	}
	if (!ours) {
		j->rc = -1;
		j->why = "not-for-escrow-key";
		goto out;
	}
	j->out = s.buf != NULL ? s.buf : malloc(1);
	j->outlen = s.len;
	s.buf = NULL;
	j->rc = j->out != NULL ? 0 : -2;
	j->why = j->out != NULL ? "" : "out-of-memory";
out:
	free(s.buf);
	gpgme_data_release(plain);
	gpgme_data_release(in);
	if (ctx != NULL)
		gpgme_release(ctx);
}

static void *job_thread(void *arg)
{
	struct job *j = arg;
	job_run(j);
	pthread_mutex_lock(&j->mu);
	j->done = true;
	bool abandoned = j->abandoned;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	if (abandoned) {	/* the caller is gone: this thread cleans up */
		job_free(j);
		atomic_fetch_sub(&escrow_stuck, 1);
	}
	return NULL;
}

/* A job for data, with copies of what the thread needs; NULL when out of
 * memory. */
static struct job *job_new(const struct escrow *e, const void *data, size_t len, size_t max)
{
	struct job *j = calloc(1, sizeof *j);
	if (j == NULL)
		return NULL;
	j->data = malloc(len ? len : 1);
	j->home = e->home != NULL ? strdup(e->home) : NULL;
	pthread_condattr_t ca;
	bool ok = j->data != NULL && (e->home == NULL || j->home != NULL) &&
		  pthread_condattr_init(&ca) == 0;
	if (ok) {
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		ok = pthread_cond_init(&j->cv, &ca) == 0;
		pthread_condattr_destroy(&ca);
	}
	if (!ok || pthread_mutex_init(&j->mu, NULL) != 0) {
		if (ok)
			pthread_cond_destroy(&j->cv);
		free(j->data);
		free(j->home);
		free(j);
		return NULL;
	}
	memcpy(j->data, data, len);
	j->len = len;
	j->max = max;
	memcpy(j->keyids, e->keyids, sizeof j->keyids);
	j->nkeyids = e->walk.nkeyids;
	return j;
}

/* The walker's decrypt() (walk.h): the job's thread decrypts while this
 * one waits at most timeout_ms.  gpg waits for gpg-agent without a time
 * limit of its own, and a stopped or wedged agent would hold the milter
 * thread (and the MTA's connection) for ever; past the deadline the
 * thread is left to finish or hang alone and the message is tempfailed. */
static int escrow_decrypt(void *arg, const void *data, size_t len, size_t max,
			  unsigned timeout_ms, unsigned char **out, size_t *outlen, const char **why)
{
	const struct escrow *e = arg;
	if (atomic_load(&escrow_stuck) >= ESCROW_STUCK_MAX) {
		*why = "gpg-agent-hung";
		return -2;
	}
	struct job *j = job_new(e, data, len, max);
	pthread_attr_t ta;
	pthread_t t;
	bool started = false;
	if (j != NULL && pthread_attr_init(&ta) == 0) {
		pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
		started = pthread_create(&t, &ta, job_thread, j) == 0;
		pthread_attr_destroy(&ta);
	}
	if (!started) {
		if (j != NULL)
			job_free(j);
		*why = "out-of-memory";
		return -2;
	}
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&j->mu);
	int w = 0;
	while (!j->done && w != ETIMEDOUT)
		w = pthread_cond_timedwait(&j->cv, &j->mu, &until);
	if (!j->done) {
		j->abandoned = true;
		atomic_fetch_add(&escrow_stuck, 1);
		pthread_mutex_unlock(&j->mu);
		*why = "timeout";
		return -2;
	}
	pthread_mutex_unlock(&j->mu);
	int rc = j->rc;
	*why = j->why;
	if (rc == 0) {
		*out = j->out;
		*outlen = j->outlen;
		j->out = NULL;
	}
	job_free(j);
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
	gpgme_error_t ge = escrow_ctx(e->home, &ctx);
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
