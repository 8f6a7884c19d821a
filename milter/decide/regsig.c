/*
 * regsig.c - verify the detached OpenPGP signature of the registry with
 * GPGME against the configured signer fingerprints, and turn the outcome
 * into accept / warn / refuse under the RegistrySignature mode.
 *
 * The trust decision is the signer list, not GnuPG's web of trust: a
 * signature counts when gpg reports it cryptographically good
 * (sig->status) and the PRIMARY key that made it (a signing subkey maps to
 * its primary via gpgme_get_key) is listed.  Expiry and revocation come
 * from the status, the summary bits and the key itself.
 *
 * Public functions: see regsig.h.  Limits: REGSIG_MAX_BYTES for the
 * registry, REGSIG_MAX_SIG_BYTES for the signature, REGSIG_MAX_SIGS
 * signatures per file.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gpgme.h>

#include "grondslag/base/names.h"
#include "grondslag/decide/regsig.h"

static pthread_once_t regsig_once = PTHREAD_ONCE_INIT;
static const char *regsig_gpgme_version;

/* gpgme_check_version must run once before any context (it also sets
 * SIGPIPE to ignored, which a milter wants anyway). */
static void regsig_init(void)
{
	regsig_gpgme_version = gpgme_check_version(NULL);
}

static const struct name_value modes[] = {
	{"required", REGSIG_REQUIRED},
	{"optional", REGSIG_OPTIONAL},
	{"none", REGSIG_NONE},
};

bool regsig_mode_parse(const char *s, enum regsig_mode *out)
{
	int v = value_of(modes, NAMES_LEN(modes), s, 0);
	if (v >= 0)
		*out = (enum regsig_mode)v;
	return v >= 0;
}

const char *regsig_mode_name(enum regsig_mode m)
{
	return name_of(modes, NAMES_LEN(modes), (int)m, "?");
}

static const struct name_value statuses[] = {
	{"ok", REGSIG_OK},
	{"unsigned", REGSIG_UNSIGNED},
	{"bad", REGSIG_BAD},
	{"unknown-signer", REGSIG_UNKNOWN_SIGNER},
	{"expired", REGSIG_EXPIRED},
	{"revoked", REGSIG_REVOKED},
	{"error", REGSIG_ERROR},
	{"skipped", REGSIG_SKIPPED},
	{"unreadable", REGSIG_UNREADABLE},
};

const char *regsig_status_name(enum regsig_status s)
{
	return name_of(statuses, NAMES_LEN(statuses), (int)s, "?");
}

bool regsig_fpr_normalize(const char *in, char out[REGSIG_FPR_LEN + 1])
{
	size_t n = 0;
	out[0] = '\0';
	if (in == NULL)
		return false;
	for (const char *p = in; *p != '\0'; p++) {
		char c = *p;
		if (c == ' ')
			continue;
		if (c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')) || n == REGSIG_FPR_LEN) {
			out[0] = '\0';
			return false;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	if (n != REGSIG_FPR_LEN) {
		out[0] = '\0';
		return false;
	}
	return true;
}

/* Read a whole file into a NUL-terminated malloc'd buffer (never mmap: a
 * mapping could change under us after verification).  Returns 0, or an
 * errno value (EFBIG past max). */
static int read_file(const char *path, size_t max, char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	struct stat st;
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		int e = S_ISDIR(st.st_mode) ? EISDIR : errno;
		close(fd);
		return e;
	}
	size_t cap = 0, n = 0;
	char *buf = NULL;
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > max) {
				free(buf);
				close(fd);
				return EFBIG;
			}
			cap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				close(fd);
				return ENOMEM;
			}
			buf = nb;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n > max) {
		free(buf);
		return EFBIG;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

/* One signature of the verify result, copied out: the result becomes
 * invalid once gpgme_get_key runs another operation on the context. */
struct sig_copy {
	gpgme_error_t status;
	gpgme_sigsum_t summary;
	char fpr[64];
};

/* Is the normalized primary fingerprint in the configured list? */
static bool signer_listed(const char *fpr, const char *const *signers, size_t nsigners)
{
	for (size_t i = 0; i < nsigners; i++) {
		char want[REGSIG_FPR_LEN + 1];
		/* An invalid entry matches nothing; the configuration check
		 * reports it. */
		if (regsig_fpr_normalize(signers[i], want) && strcmp(want, fpr) == 0)
			return true;
	}
	return false;
}

/* Judge one cryptographically good (or expired/revoked) signature:
 * find its primary key and apply the signer list. */
static enum regsig_status judge_good(gpgme_ctx_t ctx, const struct sig_copy *s,
				     const char *const *signers, size_t nsigners, char *fpr_out,
				     char *err, size_t errlen)
{
	gpgme_key_t key = NULL;
	gpgme_error_t ge = gpgme_get_key(ctx, s->fpr, &key, 0);
	if (ge != 0 || key == NULL || key->fpr == NULL) {
		snprintf(err, errlen, "signing key %.64s not found in the GnuPG home: %s", s->fpr,
			 ge != 0 ? gpgme_strerror(ge) : "no fingerprint");
		if (key != NULL)
			gpgme_key_unref(key);
		return REGSIG_ERROR;
	}
	char primary[REGSIG_FPR_LEN + 1];
	bool ok = regsig_fpr_normalize(key->fpr, primary);
	bool key_revoked = key->revoked != 0, key_expired = key->expired != 0;
	gpgme_key_unref(key);
	if (!ok) {
		/* v5 keys have 64-digit fingerprints: not a listed v4 signer. */
		snprintf(err, errlen, "signing key %.64s has no v4 fingerprint", s->fpr);
		snprintf(fpr_out, REGSIG_FPR_LEN + 1, "%.40s", s->fpr);
		return REGSIG_UNKNOWN_SIGNER;
	}
	memcpy(fpr_out, primary, sizeof primary);
	if (!signer_listed(primary, signers, nsigners)) {
		snprintf(err, errlen, "%s is not a RegistrySigner", primary);
		return REGSIG_UNKNOWN_SIGNER;
	}
	gpgme_err_code_t code = gpgme_err_code(s->status);
	if (code == GPG_ERR_CERT_REVOKED || (s->summary & GPGME_SIGSUM_KEY_REVOKED) || key_revoked)
		return REGSIG_REVOKED;
	if (code == GPG_ERR_KEY_EXPIRED || code == GPG_ERR_SIG_EXPIRED ||
	    (s->summary & (GPGME_SIGSUM_KEY_EXPIRED | GPGME_SIGSUM_SIG_EXPIRED)) || key_expired)
		return REGSIG_EXPIRED;
	if (s->summary & GPGME_SIGSUM_RED) {
		snprintf(err, errlen, "gpg marks the signature red (summary 0x%x)",
			 (unsigned)s->summary);
		return REGSIG_BAD;
	}
	return REGSIG_OK;
}

/* Rank for combining several signatures: the worst one decides, except
 * that one good listed signature beats unlisted/expired co-signatures. */
static int status_rank(enum regsig_status s)
{
	switch (s) {
	case REGSIG_BAD: return 6;
	case REGSIG_ERROR: return 5;
	case REGSIG_OK: return 4;
	case REGSIG_REVOKED: return 3;
	case REGSIG_EXPIRED: return 2;
	case REGSIG_UNKNOWN_SIGNER: return 1;
	default: return 0;
	}
}

/* Classify every copied signature and keep the deciding one. */
static enum regsig_status judge_all(gpgme_ctx_t ctx, const struct sig_copy *sigs, size_t n,
				    const char *const *signers, size_t nsigners,
				    struct regsig_result *out)
{
	enum regsig_status best = REGSIG_BAD;
	int best_rank = -1;
	for (size_t i = 0; i < n; i++) {
		char fpr[REGSIG_FPR_LEN + 1] = "", err[sizeof out->error] = "";
		enum regsig_status st;
		gpgme_err_code_t code = gpgme_err_code(sigs[i].status);
		if (code == GPG_ERR_BAD_SIGNATURE) {
			st = REGSIG_BAD;	/* describe() says what that means */
		} else if (code == GPG_ERR_NO_PUBKEY) {
			st = REGSIG_UNKNOWN_SIGNER;
			snprintf(fpr, sizeof fpr, "%.40s", sigs[i].fpr);
			snprintf(err, sizeof err, "no public key %.64s in the GnuPG home", sigs[i].fpr);
		} else if (code == GPG_ERR_NO_ERROR || code == GPG_ERR_KEY_EXPIRED ||
			   code == GPG_ERR_SIG_EXPIRED || code == GPG_ERR_CERT_REVOKED) {
			st = judge_good(ctx, &sigs[i], signers, nsigners, fpr, err, sizeof err);
		} else {
			st = REGSIG_ERROR;
			snprintf(err, sizeof err, "signature status: %s", gpgme_strerror(sigs[i].status));
		}
		if (status_rank(st) > best_rank) {
			best_rank = status_rank(st);
			best = st;
			memcpy(out->fingerprint, fpr, sizeof fpr);
			snprintf(out->error, sizeof out->error, "%s", err);
		}
	}
	return best;
}

/* Run gpgme_op_verify on the two buffers and copy the signatures out. */
static enum regsig_status run_verify(gpgme_ctx_t ctx, const char *data, size_t len,
				     const char *sigdata, size_t siglen, struct sig_copy *sigs,
				     size_t *nsigs, struct regsig_result *out)
{
	gpgme_data_t dsig = NULL, dtext = NULL;
	enum regsig_status st = REGSIG_ERROR;
	gpgme_error_t ge = gpgme_data_new_from_mem(&dsig, sigdata, siglen, 0);
	if (ge == 0)
		ge = gpgme_data_new_from_mem(&dtext, data, len, 0);
	if (ge == 0)
		ge = gpgme_op_verify(ctx, dsig, dtext, NULL);
	gpgme_verify_result_t vr = ge == 0 ? gpgme_op_verify_result(ctx) : NULL;
	if (ge != 0) {
		gpgme_err_code_t code = gpgme_err_code(ge);
		/* Garbage or an empty .asc: not a signature at all. */
		if (code == GPG_ERR_NO_DATA || code == GPG_ERR_BAD_DATA || code == GPG_ERR_INV_PACKET)
			st = REGSIG_BAD;
		snprintf(out->error, sizeof out->error, "%s: %s",
			 st == REGSIG_BAD ? "not an OpenPGP signature" : "GPGME verify",
			 gpgme_strerror(ge));
	} else if (vr == NULL || vr->signatures == NULL) {
		st = REGSIG_BAD;
		snprintf(out->error, sizeof out->error, "no signature found");
	} else {
		*nsigs = 0;
		st = REGSIG_OK;
		for (gpgme_signature_t s = vr->signatures; s != NULL; s = s->next) {
			if (*nsigs == REGSIG_MAX_SIGS) {
				st = REGSIG_ERROR;
				snprintf(out->error, sizeof out->error,
					 "more than %u signatures", REGSIG_MAX_SIGS);
				break;
			}
			sigs[*nsigs].status = s->status;
			sigs[*nsigs].summary = s->summary;
			snprintf(sigs[*nsigs].fpr, sizeof sigs[*nsigs].fpr, "%s",
				 s->fpr != NULL ? s->fpr : "");
			(*nsigs)++;
		}
	}
	gpgme_data_release(dsig);
	gpgme_data_release(dtext);
	return st;
}

gpgme_ctx_t regsig_context_new(const char *gnupg_home, char *err, size_t errlen)
{
	if (gnupg_home != NULL && gnupg_home[0] != '\0') {
		/* A mistyped GnuPGHome should say so, not "no public key". */
		struct stat sh;
		int rc = stat(gnupg_home, &sh);
		if (rc != 0 || !S_ISDIR(sh.st_mode)) {
			snprintf(err, errlen, "GnuPG home %.200s: %s", gnupg_home,
				 rc != 0 ? strerror(errno) : "not a directory");
			return NULL;
		}
	}
	pthread_once(&regsig_once, regsig_init);
	if (regsig_gpgme_version == NULL) {
		snprintf(err, errlen, "GPGME initialisation failed");
		return NULL;
	}
	gpgme_ctx_t ctx = NULL;
	gpgme_error_t ge = gpgme_new(&ctx);
	if (ge == 0)
		ge = gpgme_set_protocol(ctx, GPGME_PROTOCOL_OpenPGP);
	/* Per context, not process-wide: the home is configuration, and a
	 * global engine setting would leak into every other GPGME user.  It
	 * costs a few ms (gpg --version), paid only on (re)load. */
	if (ge == 0 && gnupg_home != NULL && gnupg_home[0] != '\0')
		ge = gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_OpenPGP, NULL, gnupg_home);
	if (ge != 0) {
		snprintf(err, errlen, "GPGME context: %s", gpgme_strerror(ge));
		gpgme_release(ctx);
		return NULL;
	}
	/* Never fetch keys from the network. */
	gpgme_set_offline(ctx, 1);
	return ctx;
}

enum regsig_status regsig_verify_buffer(const char *data, size_t len, const char *sigdata,
					size_t siglen, const char *gnupg_home,
					const char *const *signers, size_t nsigners,
					struct regsig_result *out)
{
	out->fingerprint[0] = '\0';
	out->error[0] = '\0';
	if (sigdata == NULL)
		return out->status = REGSIG_UNSIGNED;
	gpgme_ctx_t ctx = regsig_context_new(gnupg_home, out->error, sizeof out->error);
	if (ctx == NULL)
		return out->status = REGSIG_ERROR;
	struct sig_copy sigs[REGSIG_MAX_SIGS];
	size_t nsigs = 0;
	enum regsig_status st = run_verify(ctx, data, len, sigdata, siglen, sigs, &nsigs, out);
	if (st == REGSIG_OK)
		st = judge_all(ctx, sigs, nsigs, signers, nsigners, out);
	gpgme_release(ctx);
	return out->status = st;
}

enum regsig_status regsig_verify(const char *registry_file, const char *sig_file,
				 const char *gnupg_home, const char *const *signers,
				 size_t nsigners, enum regsig_mode mode,
				 struct regsig_result *out)
{
	memset(out, 0, sizeof *out);
	int e = read_file(registry_file, REGSIG_MAX_BYTES, &out->data, &out->len);
	if (e != 0) {
		snprintf(out->error, sizeof out->error, "cannot read %.200s: %s", registry_file,
			 e == EFBIG ? "file larger than the registry limit" : strerror(e));
		return out->status = REGSIG_UNREADABLE;
	}
	if (mode == REGSIG_NONE)
		return out->status = REGSIG_SKIPPED;
	if (sig_file != NULL)
		snprintf(out->sig_file, sizeof out->sig_file, "%s", sig_file);
	else
		snprintf(out->sig_file, sizeof out->sig_file, "%s.asc", registry_file);
	char *sig = NULL;
	size_t siglen = 0;
	e = read_file(out->sig_file, REGSIG_MAX_SIG_BYTES, &sig, &siglen);
	if (e == ENOENT)
		return out->status = REGSIG_UNSIGNED;
	if (e != 0) {
		snprintf(out->error, sizeof out->error, "cannot read %.200s: %s", out->sig_file,
			 e == EFBIG ? "file larger than the signature limit" : strerror(e));
		return out->status = REGSIG_ERROR;
	}
	regsig_verify_buffer(out->data, out->len, sig, siglen, gnupg_home, signers, nsigners, out);
	free(sig);
	return out->status;
}

void regsig_result_free(struct regsig_result *out)
{
	if (out == NULL)
		return;
	free(out->data);
	out->data = NULL;
	out->len = 0;
}

/* The refusal / acceptance sentence for one status. */
static void describe(enum regsig_mode mode, enum regsig_status status, const char *fpr,
		     const char *detail, const char *sig, char *buf, size_t size)
{
	switch (status) {
	case REGSIG_OK:
		snprintf(buf, size, "good signature by %s (listed signer)", fpr);
		break;
	case REGSIG_UNSIGNED:
		snprintf(buf, size, "RegistrySignature %s and no signature file %s",
			 regsig_mode_name(mode), sig);
		break;
	case REGSIG_BAD:
		snprintf(buf, size, "bad signature in %s: %s", sig,
			 detail[0] ? detail
				   : "the file was altered after signing, or it signs another file");
		break;
	case REGSIG_UNKNOWN_SIGNER:
		snprintf(buf, size, "%s is not signed by a RegistrySigner: %s", sig,
			 detail[0] ? detail : "unlisted key");
		break;
	case REGSIG_EXPIRED:
		snprintf(buf, size, "signature %s by %s: the key or signature has expired", sig, fpr);
		break;
	case REGSIG_REVOKED:
		snprintf(buf, size, "signature %s by %s: the key is revoked", sig, fpr);
		break;
	case REGSIG_SKIPPED:
		snprintf(buf, size, "signature not checked (RegistrySignature none)");
		break;
	case REGSIG_UNREADABLE:
		snprintf(buf, size, "%s", detail[0] ? detail : "cannot read the registry");
		break;
	case REGSIG_ERROR:
	default:
		snprintf(buf, size, "cannot verify %s: %s", sig, detail[0] ? detail : "error");
		break;
	}
}

enum regsig_verdict regsig_decide(enum regsig_mode mode, enum regsig_status status,
				  const struct regsig_result *res, const char *registry_file,
				  const char *sig_file, char *msg, size_t msglen)
{
	char sigbuf[4200], what[8192];
	const char *file = registry_file != NULL ? registry_file : "(registry)";
	if (sig_file == NULL && res != NULL && res->sig_file[0] != '\0')
		sig_file = res->sig_file;
	if (sig_file == NULL) {
		snprintf(sigbuf, sizeof sigbuf, "%.4000s.asc", file);
		sig_file = sigbuf;
	}
	describe(mode, status, res != NULL && res->fingerprint[0] ? res->fingerprint : "?",
		 res != NULL ? res->error : "", sig_file, what, sizeof what);
	enum regsig_verdict v;
	if (status == REGSIG_UNREADABLE)
		v = REGSIG_REFUSE;
	else if (mode == REGSIG_NONE || status == REGSIG_OK)
		v = REGSIG_ACCEPT;
	else if (mode == REGSIG_OPTIONAL && status == REGSIG_UNSIGNED)
		v = REGSIG_ACCEPT_WARN;
	else
		v = REGSIG_REFUSE;
	if (v == REGSIG_ACCEPT_WARN)
		snprintf(msg, msglen, "registry %s: warning: no signature file %s; accepted unsigned "
			 "(RegistrySignature optional)", file, sig_file);
	else if (mode == REGSIG_NONE && status != REGSIG_UNREADABLE)
		snprintf(msg, msglen, "registry %s: signature not checked (RegistrySignature none)",
			 file);
	else
		snprintf(msg, msglen, "registry %s: %s%s", file, v == REGSIG_REFUSE ? "refused: " : "",
			 what);
	return v;
}
