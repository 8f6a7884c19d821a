/*
 * seal_gpg.c - the GPGME half of relay encryption (seal.h): a throwaway
 * GnuPG home per call holding only the party's registered certificates,
 * which keys of them can be encrypted to, the ciphertext.
 *
 * Why a throwaway home: the registry (signed by the jurists) is the one
 * source of the keys, so a key someone imported elsewhere can never be
 * used, and the registry's certificates are trusted as its data
 * (GPGME_ENCRYPT_ALWAYS_TRUST: no web of trust is asked).  Why fail
 * closed: every GPGME error returns -1 and the caller tempfails or holds;
 * a message is never sent as plaintext because encryption failed.
 *
 * Public functions: seal_keys_usable(), seal_keys_check(), seal_encrypt(), seal_ciphertext(),
 * seal_message(); seal_home_open(), seal_home_usable(), seal_home_until(),
 * seal_home_ref(), seal_home_unref(), seal_home_encrypt(),
 * seal_home_ciphertext() (a home kept for many encryptions),
 * seal_homes_sweep() (those a crash left).
 * Limits: SEAL_KEYS_MAX keys per party; the ciphertext grows with the
 * message only (no limit of its own: the spool's MaxMessageSize bounds it).
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gpgme.h>

#include "grondslag/decide/release.h"
#include "grondslag/decide/seal.h"

#define SEAL_KEYS_MAX 64

static pthread_once_t seal_once = PTHREAD_ONCE_INIT;

static void seal_init(void)
{
	(void)gpgme_check_version(NULL);
}

struct home {
	char dir[4096];
	gpgme_ctx_t ctx;
	gpgme_key_t keys[SEAL_KEYS_MAX + 1];
	size_t nkeys;
};

/* Remove dir and what gpg left in it (files, and one level of folders). */
static void rm_tree(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (d != NULL) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char p[4352];
			snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
			struct stat st;
			if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && depth < 2)
				rm_tree(p, depth + 1);
			else
				unlink(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

int seal_homes_sweep(const char *tmpdir, time_t older)
{
	DIR *d = opendir(tmpdir != NULL && *tmpdir ? tmpdir : "/tmp");
	if (d == NULL)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		/* only what home_open() makes (its mkdtemp() name) */
		if (strncmp(e->d_name, "grondslag-seal.", 15) != 0 || strlen(e->d_name) != 21)
			continue;
		char p[4352];
		snprintf(p, sizeof p, "%s/%s", tmpdir != NULL && *tmpdir ? tmpdir : "/tmp",
			 e->d_name);
		struct stat st;
		if (lstat(p, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
		    st.st_mtime >= older)
			continue;
		rm_tree(p, 0);
		n++;
	}
	closedir(d);
	return n;
}

static void home_close(struct home *h)
{
	for (size_t i = 0; i < h->nkeys; i++)
		gpgme_key_unref(h->keys[i]);
	h->nkeys = 0;
	if (h->ctx != NULL)
		gpgme_release(h->ctx);
	h->ctx = NULL;
	if (h->dir[0] != '\0')
		rm_tree(h->dir, 0);
	h->dir[0] = '\0';
}

static int fail(struct home *h, const char *what, gpgme_error_t ge, char *err, size_t errlen)
{
	snprintf(err, errlen, "relay encryption: %s: %s", what, gpgme_strerror(ge));
	home_close(h);
	return -1;
}

/* Can key k be encrypted to now?  Not revoked, expired, disabled or
 * invalid, and a subkey (or the primary) that may encrypt and is itself
 * neither revoked nor expired. */
static bool key_usable(gpgme_key_t k)
{
	if (k->revoked || k->expired || k->disabled || k->invalid || !k->can_encrypt)
		return false;
	for (gpgme_subkey_t s = k->subkeys; s != NULL; s = s->next)
		if (s->can_encrypt && !s->revoked && !s->expired && !s->disabled && !s->invalid)
			return true;
	return false;
}

/* A context of its own on the GnuPG home dir. */
static gpgme_error_t ctx_for(const char *dir, gpgme_ctx_t *ctx)
{
	pthread_once(&seal_once, seal_init);
	gpgme_error_t ge = gpgme_new(ctx);
	if (ge == 0)
		ge = gpgme_set_protocol(*ctx, GPGME_PROTOCOL_OpenPGP);
	if (ge == 0)
		ge = gpgme_ctx_set_engine_info(*ctx, GPGME_PROTOCOL_OpenPGP, NULL, dir);
	if (ge == 0)
		ge = gpgme_set_pinentry_mode(*ctx, GPGME_PINENTRY_MODE_ERROR);
	return ge;
}

/* A home under tmpdir with p's OpenPGP material imported and its usable
 * keys listed into h->keys.  0, or -1 + err (h closed). */
static int home_open(struct home *h, const struct registry_party *p, const char *tmpdir,
		     char *err, size_t errlen)
{
	pthread_once(&seal_once, seal_init);
	memset(h, 0, sizeof *h);
	snprintf(h->dir, sizeof h->dir, "%s/grondslag-seal.XXXXXX",
		 tmpdir != NULL && *tmpdir ? tmpdir : "/tmp");
	if (mkdtemp(h->dir) == NULL) {
		snprintf(err, errlen, "relay encryption: cannot make a GnuPG home in %s: %s",
			 tmpdir, strerror(errno));
		h->dir[0] = '\0';
		return -1;
	}
	gpgme_error_t ge = ctx_for(h->dir, &h->ctx);
	if (ge != 0)
		return fail(h, "context", ge, err, errlen);
	for (size_t i = 0; i < p->nopenpgp; i++) {
		gpgme_data_t d = NULL;
		ge = gpgme_data_new_from_mem(&d, p->openpgp[i], p->openpgp_len[i], 0);
		if (ge == 0)
			ge = gpgme_op_import(h->ctx, d);
		gpgme_data_release(d);
		if (ge != 0)
			return fail(h, "import", ge, err, errlen);
	}
	ge = gpgme_op_keylist_start(h->ctx, NULL, 0);
	gpgme_key_t k = NULL;
	while (ge == 0 && (ge = gpgme_op_keylist_next(h->ctx, &k)) == 0) {
		if (key_usable(k) && h->nkeys < SEAL_KEYS_MAX)
			h->keys[h->nkeys++] = k;
		else
			gpgme_key_unref(k);
	}
	if (gpgme_err_code(ge) != GPG_ERR_EOF)
		return fail(h, "key listing", ge, err, errlen);
	return 0;
}

/* Until when usable key k stays usable: the earlier of its primary's
 * expiry and the last expiry of its usable encryption subkeys; 0 never. */
static time_t key_until(gpgme_key_t k)
{
	time_t sub = 0;
	bool never = false;
	for (gpgme_subkey_t s = k->subkeys; s != NULL; s = s->next) {
		if (!s->can_encrypt || s->revoked || s->expired || s->disabled || s->invalid)
			continue;
		if (s->expires <= 0)
			never = true;
		else if ((time_t)s->expires > sub)
			sub = (time_t)s->expires;
	}
	time_t prim = k->subkeys != NULL && k->subkeys->expires > 0 ? (time_t)k->subkeys->expires : 0;
	time_t until = never ? 0 : sub;
	if (prim != 0 && (until == 0 || prim < until))
		until = prim;
	return until;
}

int seal_keys_check(const struct registry_party *p, const char *tmpdir, size_t *usable,
		    time_t *until, char *err, size_t errlen)
{
	struct home h;
	*usable = 0;
	*until = 0;
	if (p->nopenpgp == 0)
		return 0;
	if (home_open(&h, p, tmpdir, err, errlen) != 0)
		return -1;
	*usable = h.nkeys;
	for (size_t i = 0; i < h.nkeys; i++) {
		time_t t = key_until(h.keys[i]);
		if (t != 0 && (*until == 0 || t < *until))
			*until = t;
	}
	home_close(&h);
	return 0;
}

int seal_keys_usable(const struct registry_party *p, const char *tmpdir, size_t *usable,
		     char *err, size_t errlen)
{
	time_t until;
	return seal_keys_check(p, tmpdir, usable, &until, err, errlen);
}

/* ---- a home kept for a snapshot (sealcache.h) -------------------------- */

struct seal_home {
	struct home h;		/* its listing context released: keys only */
	time_t until;
	atomic_uint refs;
};

struct seal_home *seal_home_open(const struct registry_party *p, const char *tmpdir, char *err,
				 size_t errlen)
{
	struct seal_home *sh = calloc(1, sizeof *sh);
	if (sh == NULL) {
		snprintf(err, errlen, "relay encryption: out of memory");
		return NULL;
	}
	if (home_open(&sh->h, p, tmpdir, err, errlen) != 0) {
		free(sh);
		return NULL;
	}
	/* the keys outlive the context: each encryption makes its own (a
	 * GPGME context is one thread's) */
	gpgme_release(sh->h.ctx);
	sh->h.ctx = NULL;
	for (size_t i = 0; i < sh->h.nkeys; i++) {
		time_t t = key_until(sh->h.keys[i]);
		if (t != 0 && (sh->until == 0 || t < sh->until))
			sh->until = t;
	}
	atomic_init(&sh->refs, 1);
	return sh;
}

size_t seal_home_usable(const struct seal_home *sh) { return sh->h.nkeys; }
time_t seal_home_until(const struct seal_home *sh) { return sh->until; }

struct seal_home *seal_home_ref(struct seal_home *sh)
{
	if (sh != NULL)
		atomic_fetch_add(&sh->refs, 1);
	return sh;
}

void seal_home_unref(struct seal_home *sh)
{
	if (sh == NULL || atomic_fetch_sub(&sh->refs, 1) != 1)
		return;
	home_close(&sh->h);
	free(sh);
}

/* The fingerprints of the keys encrypted to, comma-separated, into fprs
 * (cut at fprslen). */
static void key_fprs(const struct home *h, char *fprs, size_t fprslen)
{
	size_t n = 0;
	fprs[0] = '\0';
	for (size_t i = 0; i < h->nkeys && n < fprslen; i++) {
		int w = snprintf(fprs + n, fprslen - n, "%s%s", n > 0 ? "," : "",
				 h->keys[i]->fpr != NULL ? h->keys[i]->fpr : "?");
		n += w > 0 ? (size_t)w : 0;
	}
}

/* Encrypt plain to the usable keys of home h through ctx (a context on
 * h's directory), the fingerprints used into fprs (may be NULL). */
static int encrypt_in(const struct home *h, gpgme_ctx_t ctx, const struct registry_party *p,
		      const char *plain, size_t len, char **asc, size_t *asclen, char *fprs,
		      size_t fprslen, char *err, size_t errlen)
{
	*asc = NULL;
	if (h->nkeys == 0) {
		snprintf(err, errlen, "relay encryption: party %s has no usable key", p->id);
		return -1;
	}
	gpgme_set_armor(ctx, 1);
	gpgme_key_t keys[SEAL_KEYS_MAX + 1];
	memcpy(keys, h->keys, sizeof keys);	/* gpgme takes a mutable array */
	gpgme_data_t in = NULL, out = NULL;
	gpgme_error_t ge = gpgme_data_new_from_mem(&in, plain, len, 0);
	if (ge == 0)
		ge = gpgme_data_new(&out);
	if (ge == 0)
		ge = gpgme_op_encrypt(ctx, keys, GPGME_ENCRYPT_ALWAYS_TRUST | GPGME_ENCRYPT_NO_ENCRYPT_TO,
				      in, out);
	if (ge == 0) {
		gpgme_encrypt_result_t r = gpgme_op_encrypt_result(ctx);
		if (r != NULL && r->invalid_recipients != NULL)
			ge = gpg_error(GPG_ERR_UNUSABLE_PUBKEY);
	}
	gpgme_data_release(in);
	if (ge != 0) {
		gpgme_data_release(out);
		snprintf(err, errlen, "relay encryption: encrypt: %s", gpgme_strerror(ge));
		return -1;
	}
	if (fprs != NULL && fprslen > 0)
		key_fprs(h, fprs, fprslen);
	size_t n = 0;
	char *buf = gpgme_data_release_and_get_mem(out, &n);
	*asc = buf != NULL ? malloc(n + 1) : NULL;
	if (*asc != NULL) {
		memcpy(*asc, buf, n);
		(*asc)[n] = '\0';
		*asclen = n;
	}
	gpgme_free(buf);
	if (*asc == NULL) {
		snprintf(err, errlen, "relay encryption: out of memory");
		return -1;
	}
	return 0;
}

/* seal_encrypt(), and the fingerprints used into fprs (may be NULL). */
static int encrypt_for(const struct registry_party *p, const char *tmpdir, const char *plain,
		       size_t len, char **asc, size_t *asclen, char *fprs, size_t fprslen,
		       char *err, size_t errlen)
{
	struct home h;
	*asc = NULL;
	if (p->nopenpgp == 0) {
		snprintf(err, errlen, "relay encryption: party %s has no OpenPGP key", p->id);
		return -1;
	}
	if (home_open(&h, p, tmpdir, err, errlen) != 0)
		return -1;
	int rc = encrypt_in(&h, h.ctx, p, plain, len, asc, asclen, fprs, fprslen, err, errlen);
	home_close(&h);
	return rc;
}

int seal_home_encrypt(const struct seal_home *sh, const struct registry_party *p,
		      const char *plain, size_t len, char **asc, size_t *asclen, char *fprs,
		      size_t fprslen, char *err, size_t errlen)
{
	gpgme_ctx_t ctx = NULL;
	*asc = NULL;
	gpgme_error_t ge = ctx_for(sh->h.dir, &ctx);
	if (ge != 0) {
		snprintf(err, errlen, "relay encryption: context: %s", gpgme_strerror(ge));
		return -1;
	}
	int rc = encrypt_in(&sh->h, ctx, p, plain, len, asc, asclen, fprs, fprslen, err, errlen);
	gpgme_release(ctx);
	return rc;
}

int seal_encrypt(const struct registry_party *p, const char *tmpdir, const char *plain,
		 size_t len, char **asc, size_t *asclen, char *err, size_t errlen)
{
	return encrypt_for(p, tmpdir, plain, len, asc, asclen, NULL, 0, err, errlen);
}

/* seal_ciphertext() in home sh, or (NULL) a home of its own. */
static int ciphertext(const struct seal_home *sh, const struct registry_party *p,
		      const char *tmpdir, const char *msg, size_t len,
		      char boundary[SEAL_BOUNDARY_MAX], char **asc, size_t *asclen, char *fprs,
		      size_t fprslen, char *err, size_t errlen)
{
	char r1[RELEASE_NONCE_HEX], r2[RELEASE_NONCE_HEX], inner[SEAL_BOUNDARY_MAX];
	*asc = NULL;
	if (!release_nonce_new(r1) || !release_nonce_new(r2)) {
		snprintf(err, errlen, "relay encryption: no random bytes for a boundary");
		return -1;
	}
	snprintf(boundary, SEAL_BOUNDARY_MAX, "=_gs-%s", r1);
	snprintf(inner, sizeof inner, "=_gi-%s", r2);
	size_t ilen = 0;
	char *ent = seal_inner(msg, len, inner, &ilen);
	if (ent == NULL) {
		snprintf(err, errlen, "relay encryption: message without a header/body separator,"
			 " or out of memory");
		return -1;
	}
	int rc = sh != NULL ? seal_home_encrypt(sh, p, ent, ilen, asc, asclen, fprs, fprslen, err,
						errlen)
			    : encrypt_for(p, tmpdir, ent, ilen, asc, asclen, fprs, fprslen, err, errlen);
	free(ent);
	return rc;
}

int seal_ciphertext(const struct registry_party *p, const char *tmpdir, const char *msg,
		    size_t len, char boundary[SEAL_BOUNDARY_MAX], char **asc, size_t *asclen,
		    char *fprs, size_t fprslen, char *err, size_t errlen)
{
	return ciphertext(NULL, p, tmpdir, msg, len, boundary, asc, asclen, fprs, fprslen, err,
			  errlen);
}

int seal_home_ciphertext(const struct seal_home *sh, const struct registry_party *p,
			 const char *msg, size_t len, char boundary[SEAL_BOUNDARY_MAX], char **asc,
			 size_t *asclen, char *fprs, size_t fprslen, char *err, size_t errlen)
{
	return ciphertext(sh, p, NULL, msg, len, boundary, asc, asclen, fprs, fprslen, err,
			  errlen);
}

int seal_message(const struct registry_party *p, const char *tmpdir, const char *msg,
		 size_t len, const char *placeholder, char **out, size_t *outlen, char *fprs,
		 size_t fprslen, char *err, size_t errlen)
{
	char outer[SEAL_BOUNDARY_MAX], *asc = NULL;
	size_t alen = 0;
	*out = NULL;
	if (seal_ciphertext(p, tmpdir, msg, len, outer, &asc, &alen, fprs, fprslen, err,
			    errlen) != 0)
		return -1;
	return seal_finish(msg, len, asc, alen, outer, placeholder, out, outlen, err, errlen);
}
