/*
 * store_hold.c - held messages in the store (see store.h): writing a hold
 * in one transaction, reading it back.
 *
 * A hold is: the raw message (table hold_messages), its row in holds with
 * the SHA-256 and size of the message, one row per held recipient, one per
 * recipient delivered now, and optionally the sender's notice and the
 * jurists' notices in the outbox - all committed together, so a crash leaves all or nothing.
 *
 * A message in a file is streamed on SQLite: the blob is reserved with
 * zeroblob() and filled in 64 KiB chunks read with pread(), hashing as it
 * goes, so a 10 MB message never sits in memory twice.  PostgreSQL takes
 * a value in one piece: the file is read once into memory (hashed on the
 * way) and sent as one parameter.
 * Limits: a message of at most 1,000,000,000 bytes (SQLite's default
 * SQLITE_MAX_LENGTH, under PostgreSQL's 1 GB per value); larger is an
 * error, never a truncated copy.  At
 * most RCPTS_MAX recipients, held and delivered together (limits.h).
 */
#include <errno.h>
#include <glib.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "grondslag/base/limits.h"
#include "store_priv.h"

#define CHUNK (64 * 1024)
#define MAX_MESSAGE 1000000000ULL
#define REF_ATTEMPTS 4

/* How put_once() ended. */
enum put_result { PUT_OK, PUT_ERROR, PUT_REF_TAKEN, PUT_RETRY };

/* Copy GChecksum's hex digest into out. */
static void digest_hex(GChecksum *cs, char out[STORE_SHA256_HEX])
{
	snprintf(out, STORE_SHA256_HEX, "%s", g_checksum_get_string(cs));
}

/* The SHA-256 of n bytes at m as hex.  Nettle's, not GLib's: every look
 * at a held message and every release hashes the whole stored message
 * again, and Nettle uses the CPU's SHA instructions (a 13 MB message in
 * 9 ms instead of 60). */
void store_sha256_hex(const char *m, size_t n, char out[STORE_SHA256_HEX])
{
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_init(&c);
	sha256_update(&c, n, (const uint8_t *)m);
	sha256_digest(&c, sizeof d, d);
	for (size_t i = 0; i < sizeof d; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* What stream_read() reads from: the message file, hashed on the way. */
struct file_source {
	int fd;
	GChecksum *cs;		/* NULL: no hashing */
	int error;		/* errno of a failed read, 0 */
};

/* db_blob_reader over a file_source: pread() want bytes at off. */
static long stream_read(void *arg, void *buf, size_t want, uint64_t off)
{
	struct file_source *src = arg;
	ssize_t n;
	do
		n = pread(src->fd, buf, want, (off_t)off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		src->error = errno;
	if (n > 0 && src->cs != NULL)
		g_checksum_update(src->cs, (const guchar *)buf, n);
	return (long)n;
}

/* The whole file in memory (a backend that takes a blob in one piece):
 * malloc'ed, hashed on the way; NULL + err. */
static char *slurp_file(struct file_source *src, uint64_t size, char *err, size_t errlen)
{
	char *buf = malloc(size > 0 ? (size_t)size : 1);
	if (buf == NULL) {
		store_errf(err, errlen, "store: out of memory");
		return NULL;
	}
	for (uint64_t off = 0; off < size;) {
		size_t want = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
		long n = stream_read(src, buf + off, want, off);
		if (n <= 0) {
			store_errf(err, errlen, "store: read message file: %s",
				   n == 0 ? "file shorter than its size" : strerror(src->error));
			free(buf);
			return NULL;
		}
		off += (uint64_t)n;
	}
	return buf;
}

/* Insert the message row; 1 when ref is taken, -1 on error, 0 ok.
 * A message in a file is streamed into a reserved blob where the backend
 * can (SQLite), else read whole and sent as one value (PostgreSQL). */
static int put_message(struct store *s, const struct hold_record *h, const char *ref,
		       uint64_t size, char sha[STORE_SHA256_HEX], char *err, size_t errlen)
{
	/* the caller's digest, when given, saves hashing the message again */
	GChecksum *cs = h->sha256 ? NULL : g_checksum_new(G_CHECKSUM_SHA256);
	struct file_source src = {.fd = h->fd, .cs = cs};
	bool stream = h->fd >= 0 && db_blob_streams(s->db);
	char *whole = NULL;
	int rc = -1;
	if (h->fd >= 0 && !stream && (whole = slurp_file(&src, size, err, errlen)) == NULL)
		goto out;
	struct db_stmt *st = store_prepare(
		s, "INSERT INTO hold_messages(ref, message) VALUES(?1, ?2)", err, errlen);
	if (st == NULL)
		goto out;
	store_bind_text(st, 1, ref);
	if (stream)
		db_bind_zeroblob(st, 2, size);
	else
		db_bind_blob(st, 2, whole ? whole : h->data ? h->data : "", size);
	int step = db_step(st);
	db_finalize(st);
	if (step != DB_DONE) {
		/* a reference taken, unless the file refuses every write (a
		 * store moved to PostgreSQL, store_copy.c): that is said */
		if (db_error_kind(s->db) == DB_ERR_CONSTRAINT &&
		    strstr(db_errmsg(s->db), "moved to PostgreSQL") == NULL) {
			rc = 1;
			goto out;
		}
		store_sqlerr(s, err, errlen, "insert message");
		goto out;
	}
	rc = 0;
	if (stream && db_blob_fill(s->db, "hold_messages", "message", "ref", ref, size,
				   stream_read, &src) != DB_OK) {
		if (src.error != 0)
			store_errf(err, errlen, "store: read message file: %s",
				   strerror(src.error));
		else
			store_sqlerr(s, err, errlen, "write message blob");
		rc = -1;
	} else if (h->fd < 0 && size > 0 && cs != NULL) {
		g_checksum_update(cs, (const guchar *)h->data, (gssize)size);
	}
	if (cs != NULL)
		digest_hex(cs, sha);
	else
		snprintf(sha, STORE_SHA256_HEX, "%s", h->sha256);
out:
	free(whole);
	if (cs != NULL)
		g_checksum_free(cs);
	return rc;
}

/* Insert the holds row. */
static int put_hold_row(struct store *s, const struct hold_record *h, const char *ref,
			uint64_t size, const char *sha, time_t now, char *err, size_t errlen)
{
	struct db_stmt *st = store_prepare(
		s,
		"INSERT INTO holds(ref, queue_id, sender, subject, received, stored,"
		" decided_on, categories, tlp, summary_json, findings_json,"
		" registry_digest, sha256, size, state_changed, retry_key, message_key,"
		" sender_auth, sender_canonical)"
		" VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?6,?15,?16,?17,?18)",
		err, errlen);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, ref);
	store_bind_text(st, 2, h->queue_id);
	store_bind_text(st, 3, h->sender);
	store_bind_text(st, 4, h->subject);
	db_bind_int64(st, 5, (int64_t)h->received);
	db_bind_int64(st, 6, (int64_t)now);
	db_bind_int64(st, 7, h->decided_on);
	if (h->retry_key != NULL && *h->retry_key != '\0')
		store_bind_text(st, 15, h->retry_key);
	if (h->message_key != NULL && *h->message_key != '\0')
		store_bind_text(st, 16, h->message_key);
	db_bind_int64(st, 8, h->categories);
	db_bind_int64(st, 9, h->tlp);
	store_bind_text(st, 10, h->summary_json ? h->summary_json : "{}");
	store_bind_text(st, 11, h->findings_json ? h->findings_json : "{}");
	store_bind_text(st, 12, h->registry_digest);
	store_bind_text(st, 13, sha);
	db_bind_int64(st, 14, (int64_t)size);
	store_bind_text(st, 17, h->sender_auth ? h->sender_auth : "");
	store_bind_text(st, 18, h->sender_canonical ? h->sender_canonical : "");
	int rc = db_step(st) == DB_DONE ? 0 : -1;
	if (rc != 0)
		store_sqlerr(s, err, errlen, "insert hold");
	db_finalize(st);
	return rc;
}

/* Insert the held and the delivered recipients. */
static int put_recipients(struct store *s, const struct hold_record *h, const char *ref,
			  char *err, size_t errlen)
{
	struct db_stmt *st = store_prepare(s,
					 "INSERT INTO hold_recipients(ref, recipient, party, reasons,"
					 " explanation) VALUES(?1, ?2, ?3, ?4, ?5)",
					 err, errlen);
	if (st == NULL)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < h->nrcpts; i++) {
		const struct hold_rcpt *r = &h->rcpts[i];
		db_reset(st);
		store_bind_text(st, 1, ref);
		store_bind_text(st, 2, r->recipient);
		if (r->party != NULL)
			store_bind_text(st, 3, r->party);
		else
			db_bind_null(st, 3);
		store_bind_text(st, 4, r->reasons);
		store_bind_text(st, 5, r->explanation);
		if (db_step(st) != DB_DONE) {
			store_sqlerr(s, err, errlen, "insert held recipient");
			rc = -1;
		}
	}
	db_finalize(st);
	if (rc != 0 || h->ndelivered == 0)
		return rc;
	st = store_prepare(s, "INSERT INTO hold_delivered(ref, recipient) VALUES(?1, ?2)", err,
			   errlen);
	if (st == NULL)
		return -1;
	for (size_t i = 0; rc == 0 && i < h->ndelivered; i++) {
		db_reset(st);
		store_bind_text(st, 1, ref);
		store_bind_text(st, 2, h->delivered[i]);
		if (db_step(st) != DB_DONE) {
			store_sqlerr(s, err, errlen, "insert delivered recipient");
			rc = -1;
		}
	}
	db_finalize(st);
	return rc;
}

/* The "hold" record of the chain: what was held, for whom, why; never
 * the addresses found (only counts, ids and reason codes). */
static int put_audit(struct store *s, const struct hold_record *h, const char *ref,
		     const char *sha, uint64_t size, time_t now, char *err, size_t errlen)
{
	struct audit_details *d = audit_details_new();
	GString *rcpts = g_string_new(NULL), *reasons = g_string_new(NULL);
	for (size_t i = 0; i < h->nrcpts; i++) {
		g_string_append_printf(rcpts, "%s%s", i ? "," : "", h->rcpts[i].recipient);
		g_string_append_printf(reasons, "%s%s", i ? ";" : "", h->rcpts[i].reasons);
	}
	audit_details_str(d, "queue_id", h->queue_id);
	audit_details_str(d, "sender", h->sender);
	/* who sent it, as a person: the SASL login when there was one */
	if (h->sender_auth != NULL && *h->sender_auth != '\0')
		audit_details_str(d, "sender_auth", h->sender_auth);
	audit_details_str(d, "held", rcpts->str);
	audit_details_str(d, "reasons", reasons->str);
	audit_details_int(d, "delivered", (int64_t)h->ndelivered);
	audit_details_int(d, "categories", h->categories);
	audit_details_str(d, "sha256", sha);
	audit_details_int(d, "size", (int64_t)size);
	audit_details_str(d, "registry", h->registry_digest);
	g_string_free(rcpts, TRUE);
	g_string_free(reasons, TRUE);
	char *details = audit_details_finish(d);
	if (details == NULL) {
		store_errf(err, errlen, "store: out of memory");
		return -1;
	}
	struct store_audit a = {.event = "hold", .ref = ref, .details = details};
	int rc = store_audit_append(s, &a, now, NULL, err, errlen);
	free(details);
	return rc;
}

/* Queue the sender's notice and the jurists' inside the hold's
 * transaction. */
static int put_notices(struct store *s, const struct hold_record *h, const char *ref, time_t now,
		       char *err, size_t errlen)
{
	if (h->notice_to != NULL && h->notice_message != NULL) {
		struct hold_notice it = {.kind = "hold", .to = h->notice_to,
					       .message = h->notice_message};
		if (store_notices_insert(s, &it, 1, ref, now, err, errlen) != 0)
			return -1;
	}
	return store_notices_insert(s, h->notices, h->nnotices, ref, now, err, errlen);
}

/* Is h a client's retry of a hold within its window (retry_key)?  1 and
 * its reference in existing, with a "hold-retry" record; 0; -1. */
static int find_retry(struct store *s, const struct hold_record *h, time_t now,
		      char existing[STORE_REF_MAX], char *err, size_t errlen)
{
	if (h->retry_key == NULL || *h->retry_key == '\0')
		return 0;
	struct db_stmt *st = store_prepare(s, "SELECT ref FROM holds WHERE retry_key = ?1"
					    " AND received >= ?2 ORDER BY received LIMIT 1",
					 err, errlen);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, h->retry_key);
	db_bind_int64(st, 2, (int64_t)now - (int64_t)h->retry_window);
	int step = db_step(st), rc = step == DB_DONE ? 0 : step == DB_ROW ? 1 : -1;
	if (rc == 1)
		snprintf(existing, STORE_REF_MAX, "%s", db_column_text(st, 0));
	else if (rc < 0)
		store_sqlerr(s, err, errlen, "find a retried hold");
	db_finalize(st);
	if (rc != 1)
		return rc;
	struct audit_details *d = audit_details_new();
	audit_details_str(d, "queue_id", h->queue_id);
	audit_details_str(d, "sender", h->sender);
	char *details = audit_details_finish(d);
	if (details == NULL) {
		store_errf(err, errlen, "store: out of memory");
		return -1;
	}
	struct store_audit a = {.event = "hold-retry", .ref = existing, .details = details};
	rc = store_audit_append(s, &a, now, NULL, err, errlen) == 0 ? 1 : -1;
	free(details);
	return rc;
}

/* The rows of the hold under reference ref (or the record of a retry of
 * the hold in existing), inside the caller's transaction. */
static enum put_result put_locked(struct store *s, const struct hold_record *h, const char *ref,
				  uint64_t size, char existing[STORE_REF_MAX], char *err,
				  size_t errlen)
{
	char sha[STORE_SHA256_HEX];
	time_t now = time(NULL);
	int rc = find_retry(s, h, now, existing, err, errlen);
	if (rc != 0)
		return rc < 0 ? PUT_ERROR : PUT_RETRY;
	rc = put_message(s, h, ref, size, sha, err, errlen);
	if (rc == 1)
		return PUT_REF_TAKEN;
	if (rc != 0 || put_hold_row(s, h, ref, size, sha, now, err, errlen) != 0 ||
	    put_recipients(s, h, ref, err, errlen) != 0 ||
	    put_audit(s, h, ref, sha, size, now, err, errlen) != 0 ||
	    put_notices(s, h, ref, now, err, errlen) != 0)
		return PUT_ERROR;
	for (size_t i = 0; i < h->nshares; i++)
		if (store_put_share(s, &h->shares[i], err, errlen) != 0)
			return PUT_ERROR;
	return PUT_OK;
}

/* One attempt at writing the hold under reference ref, one transaction:
 * kept when the hold (or the record of its retry) was written. */
static enum put_result put_once(struct store *s, const struct hold_record *h, const char *ref,
				uint64_t size, char existing[STORE_REF_MAX], char *err,
				size_t errlen)
{
	if ((s = store_txn_begin(s, err, errlen)) == NULL)
		return PUT_ERROR;
	enum put_result r = put_locked(s, h, ref, size, existing, err, errlen);
	bool keep = r == PUT_OK || r == PUT_RETRY;
	return store_txn_end(s, 0, keep, err, errlen) == 0 ? r : PUT_ERROR;
}

/* Is text 64 lowercase hex digits? */
static bool sha256_hex_valid(const char *text)
{
	size_t n = 0;
	for (; text[n] != '\0'; n++)
		if (!((text[n] >= '0' && text[n] <= '9') || (text[n] >= 'a' && text[n] <= 'f')))
			return false;
	return n == STORE_SHA256_HEX - 1;
}

/* The message size to store, checking the arguments. */
static int message_size(const struct hold_record *h, uint64_t *size, char *err, size_t errlen)
{
	if (h->fd >= 0) {
		struct stat st;
		if (fstat(h->fd, &st) != 0) {
			store_errf(err, errlen, "store: message file: %s", strerror(errno));
			return -1;
		}
		*size = h->len > 0 ? h->len : (uint64_t)st.st_size;
		if (S_ISREG(st.st_mode) && *size > (uint64_t)st.st_size) {
			store_errf(err, errlen, "store: message file shorter than %llu bytes",
				   (unsigned long long)*size);
			return -1;
		}
	} else {
		if (h->data == NULL && h->len > 0) {
			store_errf(err, errlen, "store: no message data");
			return -1;
		}
		*size = h->len;
	}
	if (*size > MAX_MESSAGE) {
		store_errf(err, errlen, "store: message of %llu bytes is over the limit",
			   (unsigned long long)*size);
		return -1;
	}
	return 0;
}

int store_hold_put(struct store *s, const struct hold_record *h, char ref_out[STORE_REF_MAX],
		   char *err, size_t errlen)
{
	uint64_t size = 0;
	if (s == NULL || h == NULL || ref_out == NULL || (h->nrcpts > 0 && h->rcpts == NULL) ||
	    (h->ndelivered > 0 && h->delivered == NULL) || (h->nshares > 0 && h->shares == NULL) ||
	    (h->nnotices > 0 && h->notices == NULL)) {
		store_errf(err, errlen, "store: invalid hold");
		return -1;
	}
	if (h->nrcpts == 0) {
		store_errf(err, errlen, "store: a hold needs at least one held recipient");
		return -1;
	}
	/* a hold is only stored when it can be loaded, decided, released and
	 * expired again: one recipient limit for all of them (limits.h) */
	if (h->nrcpts + h->ndelivered > RCPTS_MAX) {
		store_errf(err, errlen, "store: more than %d recipients in one hold", RCPTS_MAX);
		return -1;
	}
	if (h->ref != NULL && !store_ref_valid(h->ref)) {
		store_errf(err, errlen, "store: invalid reference");
		return -1;
	}
	if (h->sha256 != NULL && !sha256_hex_valid(h->sha256)) {
		store_errf(err, errlen, "store: invalid SHA-256");
		return -1;
	}
	if (message_size(h, &size, err, errlen) != 0)
		return -1;
	enum put_result r = PUT_REF_TAKEN;
	char ref[STORE_REF_MAX];
	for (int attempt = 0; r == PUT_REF_TAKEN && attempt < REF_ATTEMPTS; attempt++) {
		if (h->ref != NULL) {
			snprintf(ref, sizeof ref, "%s", h->ref);
		} else if (store_ref_new(h->received > 0 ? h->received : time(NULL), ref) != 0) {
			store_errf(err, errlen, "store: no random bytes for a reference");
			r = PUT_ERROR;
			break;
		}
		r = put_once(s, h, ref, size, ref, err, errlen);
		if (r == PUT_REF_TAKEN && h->ref != NULL)
			break;	/* a caller's reference is not ours to change */
	}
	if (r == PUT_REF_TAKEN)
		store_errf(err, errlen, "store: reference already in use");
	if (r != PUT_OK && r != PUT_RETRY)
		return -1;
	snprintf(ref_out, STORE_REF_MAX, "%s", ref);
	return r == PUT_RETRY ? 1 : 0;
}

char *store_hold_message(struct store *s, const char *ref, size_t *len)
{
	if (s == NULL || ref == NULL)
		return NULL;
	size_t n = 0;
	s = store_take(s);
	char *out = db_blob_read(s->db, "hold_messages", "message", "ref", ref, &n);
	store_give(s);
	if (out != NULL && len != NULL)
		*len = n;
	return out;
}

int store_hold_message_stamp(struct store *s, const char *ref, char *out, size_t outlen)
{
	if (s == NULL || ref == NULL || outlen == 0)
		return -1;
	s = store_take(s);
	bool pg = db_backend(s->db) == DB_POSTGRES;
	int64_t version = 0;
	/* the hold's row too: its sha256 and size are what the message is
	 * checked against, so an edit of them is a change of the message */
	struct db_stmt *st = store_prepare(
		s,
		pg ? "SELECT length(m.message), CAST(CAST(m.xmin AS TEXT) AS BIGINT), h.size,"
		     " CAST(CAST(h.xmin AS TEXT) AS BIGINT), h.sha256"
		     " FROM hold_messages m JOIN holds h ON h.ref = m.ref WHERE m.ref = ?1"
		   : "SELECT length(m.message), 0, h.size, 0, h.sha256"
		     " FROM hold_messages m JOIN holds h ON h.ref = m.ref WHERE m.ref = ?1",
		NULL, 0);
	int rc = st != NULL && (pg || store_query_int(s->db, "PRAGMA data_version", &version) ==
						  DB_OK)
			 ? 1
			 : -1;
	if (st != NULL && rc == 1) {
		store_bind_text(st, 1, ref);
		int step = db_step(st);
		const char *sha = step == DB_ROW ? db_column_text(st, 4) : NULL;
		if (step == DB_ROW && sha != NULL && sha256_hex_valid(sha)) {
			int n = snprintf(out, outlen, "%lld:%lld:%lld:%lld:%s",
					 (long long)db_column_int64(st, 0),
					 (long long)(pg ? db_column_int64(st, 1) : version),
					 (long long)db_column_int64(st, 2),
					 (long long)(pg ? db_column_int64(st, 3) : version), sha);
			rc = n > 0 && (size_t)n < outlen ? 0 : -1;
		} else if (step == DB_ROW) {
			rc = -1;	/* a recorded digest that is none: no stamp */
		} else if (step != DB_DONE) {
			rc = -1;
		}
	}
	db_finalize(st);
	store_give(s);
	return rc;
}

int store_hold_message_checked(struct store *s, const char *ref, char **msg, size_t *len,
			       char *why, size_t whylen)
{
	*msg = NULL;
	snprintf(why, whylen, "%s", "");
	char err[256];
	struct store_hold_record *h = store_hold_get(s, ref, err, sizeof err);
	size_t n = 0;
	char *m = h != NULL ? store_hold_message(s, ref, &n) : NULL;
	if (m == NULL) {
		snprintf(why, whylen, "the stored message of %.40s cannot be read", ref);
		store_hold_record_free(h);
		return -1;
	}
	char have[STORE_SHA256_HEX];
	store_sha256_hex(m, n, have);
	int rc = 0;
	/* a changed message, whatever changed it (an edit of the database, a
	 * bad restore, a disk error), is never released or shown as held */
	if ((uint64_t)n != h->size || strcmp(have, h->sha256) != 0) {
		snprintf(why, whylen, "the stored message does not match its SHA-256 (recorded %s,"
			 " %llu bytes; now %s, %zu bytes)", h->sha256,
			 (unsigned long long)h->size, have, n);
		free(m);
		m = NULL;
		rc = 1;
	}
	store_hold_record_free(h);
	*msg = m;
	if (len != NULL)
		*len = rc == 0 ? n : 0;
	return rc;
}

void store_hold_record_free(struct store_hold_record *r)
{
	if (r == NULL)
		return;
	free(r->queue_id);
	free(r->sender);
	free(r->sender_auth);
	free(r->subject);
	free(r->summary_json);
	free(r->findings_json);
	free(r->registry_digest);
	free(r->state);
	for (size_t i = 0; r->rcpts != NULL && i < r->nrcpts; i++) {
		free(r->rcpts[i].recipient);
		free(r->rcpts[i].party);
		free(r->rcpts[i].reasons);
		free(r->rcpts[i].explanation);
		free(r->rcpts[i].state);
		free(r->rcpts[i].relay_queue_id);
	}
	free(r->rcpts);
	for (size_t i = 0; r->delivered != NULL && i < r->ndelivered; i++)
		free(r->delivered[i]);
	free(r->delivered);
	free(r->release_error);
	free(r);
}

/* Fill the scalar fields of r from the holds row; 1 found, 0 not, -1. */
static int get_hold_row(struct store *s, const char *ref, struct store_hold_record *r)
{
	struct db_stmt *st = store_prepare(
		s,
		"SELECT ref, queue_id, sender, subject, received, stored, decided_on,"
		" categories, tlp, summary_json, findings_json, registry_digest, sha256,"
		" size, state, release_attempts, release_error, release_due, sender_auth"
		" FROM holds WHERE ref = ?1",
		NULL, 0);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, ref);
	int rc = db_step(st);
	if (rc != DB_ROW) {
		db_finalize(st);
		return rc == DB_DONE ? 0 : -1;
	}
	snprintf(r->ref, sizeof r->ref, "%s", db_column_text(st, 0));
	r->queue_id = store_column_dup(st, 1);
	r->sender = store_column_dup(st, 2);
	r->subject = store_column_dup(st, 3);
	r->received = (time_t)db_column_int64(st, 4);
	r->stored = (time_t)db_column_int64(st, 5);
	r->decided_on = (int32_t)db_column_int64(st, 6);
	r->categories = (unsigned)db_column_int64(st, 7);
	r->tlp = (int)db_column_int64(st, 8);
	r->summary_json = store_column_dup(st, 9);
	r->findings_json = store_column_dup(st, 10);
	r->registry_digest = store_column_dup(st, 11);
	snprintf(r->sha256, sizeof r->sha256, "%s", db_column_text(st, 12));
	r->size = (uint64_t)db_column_int64(st, 13);
	r->state = store_column_dup(st, 14);
	r->release_attempts = (unsigned)db_column_int64(st, 15);
	r->release_error = store_column_opt(st, 16);
	r->release_due = (time_t)db_column_int64(st, 17);
	r->sender_auth = store_column_dup(st, 18);
	db_finalize(st);
	bool ok = r->queue_id && r->sender && r->sender_auth && r->subject && r->summary_json &&
		  r->findings_json && r->registry_digest && r->state;
	return ok ? 1 : -1;
}

/* Fill r->rcpts and r->delivered. */
static int get_recipients(struct store *s, const char *ref, struct store_hold_record *r)
{
	struct db_stmt *st = store_prepare(s,
					 "SELECT recipient, party, reasons, explanation, state,"
					 " relay_queue_id FROM hold_recipients WHERE ref = ?1"
					 " ORDER BY id",
					 NULL, 0);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, ref);
	int rc = 0;
	while (rc == 0 && db_step(st) == DB_ROW) {
		void *n = realloc(r->rcpts, (r->nrcpts + 1) * sizeof *r->rcpts);
		if (n == NULL) {
			rc = -1;
			break;
		}
		r->rcpts = n;
		struct store_hold_rcpt_record *x = &r->rcpts[r->nrcpts++];
		x->recipient = store_column_dup(st, 0);
		x->party = db_column_null(st, 1) ? NULL : store_column_dup(st, 1);
		x->reasons = store_column_dup(st, 2);
		x->explanation = store_column_dup(st, 3);
		x->state = store_column_dup(st, 4);
		x->relay_queue_id = store_column_opt(st, 5);
		if (!x->recipient || !x->reasons || !x->explanation || !x->state)
			rc = -1;
	}
	db_finalize(st);
	st = rc == 0 ? store_prepare(s, "SELECT recipient FROM hold_delivered WHERE ref = ?1"
					" ORDER BY id", NULL, 0)
		     : NULL;
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, ref);
	while (rc == 0 && db_step(st) == DB_ROW) {
		void *n = realloc(r->delivered, (r->ndelivered + 1) * sizeof *r->delivered);
		if (n == NULL) {
			rc = -1;
			break;
		}
		r->delivered = n;
		if ((r->delivered[r->ndelivered++] = store_column_dup(st, 0)) == NULL)
			rc = -1;
	}
	db_finalize(st);
	return rc;
}

struct store_hold_record *store_hold_get(struct store *s, const char *ref, char *err,
					 size_t errlen)
{
	store_errf(err, errlen, "%s", "");
	if (s == NULL || ref == NULL)
		return NULL;
	struct store_hold_record *r = calloc(1, sizeof *r);
	if (r == NULL) {
		store_errf(err, errlen, "store: out of memory");
		return NULL;
	}
	/* one read transaction: the hold and its recipients as of one moment */
	s = store_read_begin(s);
	int found = get_hold_row(s, ref, r);
	if (found == 1 && get_recipients(s, ref, r) != 0)
		found = -1;
	if (found < 0)
		store_sqlerr(s, err, errlen, "read hold");
	store_read_end(s);
	if (found != 1) {
		store_hold_record_free(r);
		return NULL;
	}
	return r;
}
