/*
 * ctlsock_content.c - what a jurist reads of a held message itself: the
 * stored message, checked against the digest it was held with, and the
 * record of each look at it.  "content" gives the header section, every
 * part the scanner read (its path: archive members and office or PDF
 * members as "!"-paths, so a tree; media type, file name, size, state)
 * and one page of the text the scanner extracted from one part, exactly
 * as it saw it (charsets converted, markup as text, office and PDF as
 * their text): the jurist judges what the scanner judged.  Nothing is
 * rendered here; the console shows it as escaped text.
 *
 *   {"cmd":"content", "ref":REF[, "part":PATH][, "offset":N]}
 *     -> "headers", "parts":[{path,type,filename,bytes,text,status,
 *        reason,depth}], "page":{part,offset,total,next,text}
 *   PATH: a part's path (default: the first part with text, the body);
 *   N: a byte offset into that part's text (moved forward to a character
 *   boundary); a page is CTLSOCK_CONTENT_PAGE bytes, "next" the offset of
 *   the next page (null at the end).
 *
 * Every such request is ONE recorded "view" (what=content, part, offset)
 * before anything is answered; not recorded, nothing shown.  Held mail
 * also encrypted to the escrow key (EscrowKey) is opened for the view as
 * the scan opened it, with a "decrypt" record of the jurist first: the
 * plaintext is never stored, only shown on such a recorded look.  Only
 * jurists (the commands table); a changed stored message is refused and
 * recorded as "tampered".
 *
 * A large attachment is read in pages: the first page walks the message
 * and keeps its text (ctlsock_textcache.c), the next pages are cut from
 * that text while the stored message is unchanged (its stamp), without
 * reading, hashing and walking the whole message again.
 *
 * Public functions (ctlsock_priv.h): ctlsock_content(),
 * ctlsock_view_record(), ctlsock_message_of(), ctlsock_write_headers().
 * Limits: the walk limits of the configuration (MaxParts, ScanTimeout,
 * ...); 64 KiB of headers; CTLSOCK_CONTENT_PAGE bytes of text per answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlsock_priv.h"
#include "grondslag/base/log.h"
#include "grondslag/config/config.h"
#include "grondslag/scan/findings.h"
#include "grondslag/scan/findings_json.h"
#include "grondslag/scan/walk.h"

#define PART_PATH_MAX 1024

/* The walk's collector: every part's text into t (ctlsock_textcache.c),
 * and one page of one part.  The page is kept apart: a message whose text
 * is too large to keep whole still has its page. */
struct collect {
	struct ctlsock_text *t;
	const char *want;		/* the part asked for; NULL: the first */
	long chosen;			/* its index, -1 until seen */
	uint64_t offset;		/* where the page begins */
	char *page;			/* CTLSOCK_CONTENT_PAGE + 4 bytes */
	size_t plen;
	bool oom;
};

/* The part a request wants of the parts whose text began, in order: the
 * one at path want, or the first (never the Subject); -1 none. */
static long choose(const struct ctlsock_text *t, size_t upto, const char *want)
{
	for (size_t i = 0; i < upto; i++) {
		const struct finding_part *p = findings_part(t->f, t->order[i]);
		if (p != NULL && strcmp(p->path, "subject") != 0 &&
		    (want == NULL || strcmp(want, p->path) == 0))
			return t->order[i];
	}
	return -1;
}

static void on_begin(void *arg, unsigned part)
{
	struct collect *k = arg;
	if (!ctlsock_text_begin(k->t, part)) {
		k->oom = true;
		return;
	}
	if (k->chosen < 0)
		k->chosen = choose(k->t, k->t->norder, k->want);
}

static int on_text(void *arg, unsigned part, const char *buf, size_t len)
{
	struct collect *k = arg;
	uint64_t at = part < k->t->nparts ? k->t->total[part] : 0;
	if (!ctlsock_text_append(k->t, part, buf, len)) {
		k->oom = true;
		return 1;
	}
	if ((long)part != k->chosen)
		return 0;
	/* the bytes of [offset, offset + page + 4) in this chunk */
	uint64_t lo = k->offset > at ? k->offset - at : 0;
	size_t room = CTLSOCK_CONTENT_PAGE + 4 - k->plen;
	if (lo < len && room > 0) {
		size_t n = len - (size_t)lo < room ? len - (size_t)lo : room;
		memcpy(k->page + k->plen, buf + lo, n);
		k->plen += n;
	}
	return 0;
}

static void on_end(void *arg, unsigned part)
{
	(void)arg;
	(void)part;
}

static const struct walk_handler handler = {on_begin, on_text, on_end};

/* A UTF-8 continuation byte? */
static bool cont(char c)
{
	return ((unsigned char)c & 0xC0) == 0x80;
}

/* The page of k: from a character boundary at or after the offset, at
 * most CTLSOCK_CONTENT_PAGE bytes ending at one. */
static void write_page(struct json *j, const struct collect *k, const char *path)
{
	uint64_t total =
		k->chosen >= 0 && (size_t)k->chosen < k->t->nparts ? k->t->total[k->chosen] : 0;
	size_t skip = 0, n = k->plen;
	while (skip < n && skip < 4 && k->offset > 0 && cont(k->page[skip]))
		skip++;
	n -= skip;
	if (n > CTLSOCK_CONTENT_PAGE) {
		n = CTLSOCK_CONTENT_PAGE;
		while (n > 0 && cont(k->page[skip + n]))
			n--;
	}
	uint64_t start = k->offset + skip;
	json_key(j, "page");
	json_obj_begin(j);
	json_key(j, "part");
	json_str(j, path);
	json_key(j, "offset");
	json_uint(j, start);
	json_key(j, "total");
	json_uint(j, total);
	json_key(j, "next");
	if (start + n < total)
		json_uint(j, start + n);
	else
		json_null(j);
	json_key(j, "text");
	json_strn(j, k->page + skip, n);
	json_obj_end(j);
}

/* Every part the scanner saw (the Subject is in the headers). */
static void write_parts(struct json *j, const struct collect *k)
{
	json_key(j, "parts");
	json_arr_begin(j);
	for (size_t i = 0; i < findings_part_count(k->t->f); i++) {
		const struct finding_part *p = findings_part(k->t->f, i);
		if (strcmp(p->path, "subject") == 0)
			continue;
		json_obj_begin(j);
		findings_json_part_ident(j, p);
		json_key(j, "text");
		json_uint(j, i < k->t->nparts ? k->t->total[i] : 0);
		json_key(j, "status");
		json_str(j, part_status_name(p->status));
		json_key(j, "reason");
		json_str(j, p->status == PART_UNSCANNABLE ? unscan_reason_name(p->reason) : NULL);
		json_key(j, "depth");
		json_uint(j, p->depth);
		json_obj_end(j);
	}
	json_arr_end(j);
}

int ctlsock_view_record(struct ctlsock_req *r, const char *ref, const char *what,
			const char *part, int64_t offset)
{
	struct audit_details *d = audit_details_new();
	audit_details_str(d, "what", what);
	if (part != NULL) {
		audit_details_str(d, "part", part);
		audit_details_int(d, "offset", offset);
	}
	char *details = audit_details_finish(d), err[256];
	struct store_audit a = {.actor = &r->actor, .event = "view", .ref = ref,
				.details = details};
	int rc = details != NULL ? store_audit_put(r->env->store, &a, err, sizeof err) : -1;
	free(details);
	return rc;
}

int ctlsock_message_of(struct ctlsock_req *r, const char *ref, char **msg, size_t *len)
{
	char why[300];
	int rc = store_hold_message_checked(r->env->store, ref, msg, len, why, sizeof why);
	if (rc != 1)
		return rc;
	log_msg(LOG_ERR, "hold %s: content view REFUSED: %s", ref, why);
	struct audit_details *d = audit_details_new();
	audit_details_str(d, "what", "content");
	audit_details_str(d, "reason", why);
	char *details = audit_details_finish(d), err[256];
	struct store_audit a = {.actor = &r->actor, .event = "tampered", .ref = ref,
				.details = details};
	if (details == NULL || store_audit_put(r->env->store, &a, err, sizeof err) != 0)
		log_msg(LOG_ERR, "hold %s: refusal not recorded", ref);
	free(details);
	ctlsock_status(r, "error", why);
	return 1;
}

void ctlsock_write_headers(struct ctlsock_req *r, const char *msg, size_t len)
{
	size_t n = 0;
	while (msg != NULL && n < len && n < 65536) {
		if (msg[n] == '\n' && (n + 1 >= len || msg[n + 1] == '\n' ||
				       (msg[n + 1] == '\r' && n + 2 < len && msg[n + 2] == '\n')))
			break;
		n++;
	}
	json_key(r->j, "headers");
	if (msg == NULL)
		json_null(r->j);
	else
		json_strn(r->j, msg, n + (n < len));
}

/* The request's part and offset; false + answered when malformed. */
static bool args_of(struct ctlsock_req *r, const char **part, int64_t *offset)
{
	const struct jsonr_value *pv = jsonr_get(r->root, "part");
	const struct jsonr_value *ov = jsonr_get(r->root, "offset");
	uint64_t v = 0;
	*part = jsonr_str(pv);
	if ((jsonr_type(pv) != JSONR_NONE &&
	     (jsonr_type(pv) != JSONR_STRING || *part == NULL || **part == '\0' ||
	      strlen(*part) >= PART_PATH_MAX)) ||
	    (jsonr_type(ov) != JSONR_NONE &&
	     (jsonr_type(ov) != JSONR_NUMBER || !jsonr_u64(ov, &v) || v > INT64_MAX / 2))) {
		ctlsock_status(r, "bad-request", "part is a part's path, offset a byte offset");
		return false;
	}
	*offset = (int64_t)v;
	return true;
}

/* The page of k from the kept text of part k->chosen. */
static void page_from_kept(struct collect *k)
{
	const struct ctlsock_text *t = k->t;
	uint64_t total = t->total[k->chosen];
	if (k->offset >= total)
		return;
	uint64_t n = total - k->offset;
	if (n > CTLSOCK_CONTENT_PAGE + 4)
		n = CTLSOCK_CONTENT_PAGE + 4;
	memcpy(k->page, t->text + t->start[k->chosen] + k->offset, (size_t)n);
	k->plen = (size_t)n;
}

/* Walk msg for k (a new text in k->t); 0, or -1 + answered. */
static int walk(struct ctlsock_req *r, struct collect *k, const char *msg, size_t len,
		const struct walk_limits *lim, const char *efpr)
{
	char err[256];
	unsigned opened = 0;
	k->t = ctlsock_text_new(msg, len, lim);
	if (k->t == NULL || walk_message(msg, len, lim, k->t->f, &handler, k) < 0 || k->oom) {
		ctlsock_status(r, "error", "the message could not be read");
		return -1;
	}
	if ((opened = findings_decrypted_count(k->t->f)) > 0 &&
	    store_escrow_record(r->env->store, &r->actor, r->ref, "", opened, efpr, err,
				sizeof err) != 0) {
		ctlsock_status(r, "error", "the decryption could not be recorded, so nothing is shown");
		return -1;
	}
	return 0;
}

void ctlsock_content(struct ctlsock_req *r)
{
	const char *part;
	int64_t offset;
	char *msg = NULL;
	size_t len = 0;
	if (r->ref == NULL || !store_ref_valid(r->ref)) {
		ctlsock_status(r, "bad-request", "ref is not a hold reference");
		return;
	}
	if (!args_of(r, &part, &offset))
		return;
	struct collect k = {.want = part, .chosen = -1, .offset = (uint64_t)offset,
			    .page = malloc(CTLSOCK_CONTENT_PAGE + 4)};
	struct walk_limits lim;
	config_walk_limits(r->c, &lim);
	const char *efpr = NULL;
	if (r->env->escrow_of != NULL)
		lim.escrow = r->env->escrow_of(r->env->arg, r->reg_pin, &efpr);
	/* the text kept from a walk of this very message, when it is still
	 * the one checked then (the stamp) */
	char stamp[STORE_HOLD_STAMP_MAX] = "";
	if (store_hold_message_stamp(r->env->store, r->ref, stamp, sizeof stamp) == 0)
		k.t = ctlsock_text_get(r->ref, stamp, &lim, r->now);
	int rc = 0;
	if (k.page == NULL) {
		ctlsock_status(r, "error", "out of memory");
		rc = -1;
	} else if (k.t != NULL) {
		k.chosen = choose(k.t, k.t->norder, part);
		if (k.chosen >= 0)
			page_from_kept(&k);
	} else {
		int got = ctlsock_message_of(r, r->ref, &msg, &len);
		if (got == 1) {
			rc = -1;
		} else if (got != 0 || msg == NULL) {
			ctlsock_status(r, "not-found", "no such hold (or its message cannot be read)");
			rc = -1;
		} else if ((rc = walk(r, &k, msg, len, &lim, efpr)) == 0 && *stamp) {
			ctlsock_text_keep(k.t, r->ref, stamp, r->now);
		}
	}
	if (rc != 0) {
		/* answered */
	} else if (part != NULL && k.chosen < 0) {
		ctlsock_status(r, "not-found", "the message has no part with text at that path");
	} else if (ctlsock_view_record(r, r->ref, "content",
				       k.chosen >= 0 ? findings_part(k.t->f, k.chosen)->path : "",
				       offset) != 0) {
		ctlsock_status(r, "error", "the view could not be recorded, so nothing is shown");
	} else {
		ctlsock_status(r, "ok", NULL);
		json_key(r->j, "ref");
		json_str(r->j, r->ref);
		ctlsock_write_headers(r, k.t->head, k.t->hlen);
		write_parts(r->j, &k);
		write_page(r->j, &k, k.chosen >= 0 ? findings_part(k.t->f, k.chosen)->path : NULL);
	}
	ctlsock_text_put(k.t);
	free(k.page);
	free(msg);
}
