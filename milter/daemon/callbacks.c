/*
 * callbacks.c - the libmilter adapter: per-connection and per-message
 * contexts, spooling the message as it streams in, and at end of message
 * one decision point that carries out what gate.c decided.
 *
 * Lifetimes (style.md): the connection context pins the snapshot it
 * started with; the message context is reset by ONE function,
 * msg_reset(), called from envfrom, eom, abort and close.
 *
 * Order at end of message (never fail open):
 *   scan -> decide -> [held: store the hold with the sender's and the
 *   jurists' notices and the share records - the record the core
 *   assembles (notice_hold_record()) - one transaction, fsynced;
 *   a client's retry of a message already held finds that hold instead]
 *   -> strip inbound X-Grondslag headers
 *   -> delete the held recipients -> add our header -> answer.
 * A message carrying a release token (HeaderName-Release, from the
 * daemon's releaser: release.h) is checked first: a valid, unused token
 * for exactly this message and these recipients is marked used - seen,
 * pending: the MTA may still refuse the copy, and only the relay's 250 to
 * the releaser makes the release final (store.h) - in one transaction
 * with its record, and the message passes unscanned, token stripped; any
 * other token is recorded as a refused attempt and the message goes the
 * normal way (scanned, held like any other).
 * Any failure before the answer is the On-InternalError action
 * (tempfail, or reject); modifications requested before a tempfail are
 * dropped by the MTA.
 *
 * Protocol (cb_negotiate): on a unix socket the MTA is asked not to wait
 * for our replies to connect, MAIL, headers, end of headers and body
 * (SMFIP_NR_*): they are all "continue", and a failure among them is
 * remembered (msg_fail) and answered at the end of message.  RCPT is
 * answered: past RCPTS_MAX recipients (limits.h) each further one gets
 * 452 4.5.3 and the client sends it in another transaction; one longer
 * than RCPT_TEXT_MAX gets 501 5.1.3 (RFC 5321 4.5.3.1.10).  Over TCP
 * every reply stays (Nagle stalls, see cb_negotiate).
 *
 * Held recipients are deleted in the MTA's own form (route.h: the
 * client's mailbox without a source route the MTA dropped), taken at RCPT
 * time with the {rcpt_addr} macro; a message whose held recipients the
 * MTA did not describe is tempfailed before anything is stored, never
 * delivered (a deletion is never confirmed by the MTA).
 *
 * Public functions: callbacks_register(), callbacks_inflight().
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <libmilter/mfapi.h>

#include "daemon.h"
#include "grondslag/base/fault.h"
#include "grondslag/daemon/metrics.h"
#include "grondslag/daemon/relayseal.h"
#include "grondslag/decide/gate.h"
#include "grondslag/base/log.h"
#include "grondslag/notice/notice.h"
#include "grondslag/decide/release.h"
#include "grondslag/decide/route.h"
#include "grondslag/decide/seal.h"
#include "grondslag/scan/scan.h"
#include "grondslag/base/spool.h"

#define RCPT_MAX GATE_MAX_RCPTS
#define STRIP_MAX 256		/* inbound X-Grondslag headers removed per message */
#define HEADER_NAME_MAX 128
#define SUBJECT_MAX 200
#define SENDER_AUTH_MAX 255	/* {auth_authen} kept with a hold */

struct strip {
	char name[HEADER_NAME_MAX];
	int index;		/* 1-based among headers of that name */
};

struct msg_ctx {
	bool active;		/* between MAIL FROM and the end of message */
	bool outbound;
	char *sender;
	char **rcpts;
	char **forms;		/* per recipient: the text that deletes it, or NULL */
	size_t nrcpts, caprcpts;
	char qid[64];
	char subject[SUBJECT_MAX + 1];
	size_t nstrip;
	bool strip_overflow;
	bool eoh;
	bool failed;		/* spooling failed: internal error at eom */
	char error[256];
	unsigned nrelease;	/* release token headers seen */
	char release[RELEASE_HEADER_MAX + 1];	/* the first one's value */
	/* {auth_authen} at MAIL FROM ("": none): who sent it, as a person */
	char auth[SENDER_AUTH_MAX + 1];
	/* the encryption group of the transaction (seal_group(): a party
	 * that requires encryption, or "" for plaintext); set by the first
	 * recipient */
	char group[128];	/* longer ids: held apart by their first 127 bytes */
	/* last: msg_reset() clears everything before it; entries past nstrip
	 * are never read, and clearing 34 KB per message showed in profiles */
	struct strip strip[STRIP_MAX];
};

struct conn_ctx {
	unsigned long noreply;	/* SMFIP_NR_* the MTA agreed to (cb_negotiate) */
	bool chgbody;		/* the MTA lets us replace the body (cb_negotiate) */
	struct snapshot *snap;
	bool internal_host;
	struct spool *spool;
	struct msg_ctx msg;
};

struct daemon daemon_state;
static atomic_long inflight;

long callbacks_inflight(void)
{
	return atomic_load(&inflight);
}

/* THE reset: forget the message (called from envfrom, eom, abort, close). */
static void msg_reset(struct conn_ctx *c)
{
	struct msg_ctx *m = &c->msg;
	if (m->active)
		atomic_fetch_sub(&inflight, 1);
	free(m->sender);
	for (size_t i = 0; i < m->nrcpts; i++) {
		free(m->rcpts[i]);
		free(m->forms[i]);
	}
	free(m->rcpts);
	free(m->forms);
	spool_reset(c->spool);
	memset(m, 0, offsetof(struct msg_ctx, strip));
}

/* Record a failure; the message gets On-InternalError at eom. */
static void msg_fail(struct conn_ctx *c, const char *why)
{
	if (!c->msg.failed)
		snprintf(c->msg.error, sizeof c->msg.error, "%s", why);
	c->msg.failed = true;
}

/* Our connection context, created on first use. */
static struct conn_ctx *conn_get(SMFICTX *ctx)
{
	struct conn_ctx *c = smfi_getpriv(ctx);
	if (c != NULL)
		return c;
	c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	c->snap = snapshot_slot_get(&daemon_state.slot);
	const struct config *cf = snapshot_config(c->snap);
	c->spool = spool_alloc(config_str(cf, CONF_SPOOL_DIRECTORY),
			       (size_t)config_uint(cf, CONF_SPOOL_MEMORY), 0);
	if (c->spool == NULL) {
		snapshot_unref(c->snap);
		free(c);
		return NULL;
	}
	smfi_setpriv(ctx, c);
	return c;
}

/* The queue id macro, when the MTA has sent it by now. */
static void msg_qid(SMFICTX *ctx, struct msg_ctx *m)
{
	const char *q = smfi_getsymval(ctx, "i");
	if (q != NULL && *q)
		log_sanitize(m->qid, sizeof m->qid, q, sizeof m->qid - 1);
}

/* The On-InternalError action with a reply text; never accepts. */
static sfsistat internal_error(SMFICTX *ctx, struct conn_ctx *c, const char *why)
{
	bool reject = c->snap != NULL && snapshot_on_error(c->snap) == ON_ERROR_REJECT;
	log_qid(LOG_ERR, c->msg.qid, "verdict=%s error=\"%.200s\"", reject ? "reject" : "tempfail",
		why);
	metrics_add(METRIC_TEMPFAILED, 1);
	if (reject) {
		smfi_setreply(ctx, "550", "5.7.1", "grondslag: message could not be checked");
		return SMFIS_REJECT;
	}
	smfi_setreply(ctx, "451", "4.7.1", "grondslag: message could not be checked, try again later");
	return SMFIS_TEMPFAIL;
}

/* The answer to a stage before the end of message: none at all when the
 * MTA agreed not to wait for it (cb_negotiate), else "continue". */
static sfsistat go_on(const struct conn_ctx *c, unsigned long stage)
{
	return (c->noreply & stage) != 0 ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat cb_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	(void)host;
	struct conn_ctx *c = conn_get(ctx);
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	struct ip_addr a = {0};
	if (sa == NULL) {
		/* Local submission (no network client): outbound, scanned. */
		c->internal_host = true;
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		a.family = IP_V4;
		memcpy(a.octet, &in->sin_addr, 4);
		c->internal_host = snapshot_internal_host(c->snap, &a);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(in6->sin6_addr.s6_addr, mapped, 12) == 0) {
			a.family = IP_V4;
			memcpy(a.octet, in6->sin6_addr.s6_addr + 12, 4);
		} else {
			a.family = IP_V6;
			memcpy(a.octet, in6->sin6_addr.s6_addr, 16);
		}
		c->internal_host = snapshot_internal_host(c->snap, &a);
	} else {
		/* A unix-domain client of the MTA is local too. */
		c->internal_host = true;
	}
	return go_on(c, SMFIP_NR_CONN);
}

static sfsistat cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn_ctx *c = conn_get(ctx);
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	msg_reset(c);
	struct msg_ctx *m = &c->msg;
	m->active = true;
	atomic_fetch_add(&inflight, 1);
	m->sender = strdup(argv != NULL && argv[0] != NULL ? argv[0] : "<>");
	if (m->sender == NULL)
		msg_fail(c, "out of memory");
	msg_qid(ctx, m);
	const char *auth = smfi_getsymval(ctx, "{auth_authen}");
	bool authenticated = auth != NULL && *auth;
	/* kept for the hold: a jurist is the sender of what they sent
	 * authenticated, whatever envelope sender they gave; bounded, and
	 * without controls (it reaches the record and the logs) */
	if (authenticated)
		log_sanitize(m->auth, sizeof m->auth, auth, SENDER_AUTH_MAX);
	m->outbound = c->internal_host || authenticated ||
		      (m->sender != NULL && snapshot_internal_sender(c->snap, m->sender));
	return go_on(c, SMFIP_NR_MAIL);
}

/* Room for one more recipient; false out of memory. */
static bool rcpts_grow(struct msg_ctx *m)
{
	if (m->nrcpts < m->caprcpts)
		return true;
	size_t cap = m->caprcpts ? m->caprcpts * 2 : 8;
	char **n = realloc(m->rcpts, cap * sizeof *n);
	if (n != NULL)
		m->rcpts = n;
	char **f = n != NULL ? realloc(m->forms, cap * sizeof *f) : NULL;
	if (f == NULL)
		return false;
	m->forms = f;
	m->caprcpts = cap;
	return true;
}

static sfsistat cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn_ctx *c = conn_get(ctx);
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	struct msg_ctx *m = &c->msg;
	msg_qid(ctx, m);
	if (argv == NULL || argv[0] == NULL)
		return go_on(c, SMFIP_NR_RCPT);
	/* One limit for accepting, storing, deciding and expiring: past it
	 * this recipient waits for the client's next transaction. */
	if (m->nrcpts >= RCPT_MAX) {
		if (m->nrcpts == RCPT_MAX)
			log_qid(LOG_NOTICE, m->qid, "more than %d recipients: 452 for the rest",
				RCPT_MAX);
		smfi_setreply(ctx, "452", "4.5.3", "Too many recipients");
		return SMFIS_TEMPFAIL;
	}
	/* Longer than any part can hold, delete or release (limits.h): held,
	 * it could only be answered 451 again and again. */
	if (!route_fits(argv[0])) {
		log_qid(LOG_NOTICE, m->qid, "recipient longer than %d bytes: 501", RCPT_TEXT_MAX);
		smfi_setreply(ctx, "501", "5.1.3", "Recipient address too long");
		return SMFIS_REJECT;
	}
	/* One ciphertext per party (seal.h): a recipient of another
	 * encryption group waits for the client's next transaction, like one
	 * past the recipient limit. */
	const struct config *cf = snapshot_config(c->snap);
	if (m->outbound && config_bool(cf, CONF_RELAY_ENCRYPT)) {
		const char *group = seal_group(snapshot_registry(c->snap), argv[0],
					       snapshot_date(c->snap, time(NULL)));
		if (m->nrcpts > 0 && strcmp(group, m->group) != 0) {
			log_qid(LOG_INFO, m->qid, "recipient of encryption group '%s' after '%s': 452,"
				" sent in another transaction", *group ? group : "plaintext",
				*m->group ? m->group : "plaintext");
			smfi_setreply(ctx, "452", "4.5.3",
				      "Recipients of another party are encrypted separately: send again");
			return SMFIS_TEMPFAIL;
		}
		snprintf(m->group, sizeof m->group, "%s", group);
	}
	if (!rcpts_grow(m)) {
		msg_fail(c, "out of memory");
		return go_on(c, SMFIP_NR_RCPT);
	}
	/* Kept exactly as given (with <>): the gate, the store and the
	 * release token name recipients that way.  The deletion text is the
	 * MTA's own form; NULL when the MTA did not report it. */
	char form[ROUTE_TEXT_MAX];
	const char *mta_addr = smfi_getsymval(ctx, "{rcpt_addr}");
	bool known = route_delete_form(argv[0], mta_addr, form, sizeof form);
	m->rcpts[m->nrcpts] = strdup(argv[0]);
	m->forms[m->nrcpts] = known ? strdup(form) : NULL;
	if (m->rcpts[m->nrcpts] == NULL || (known && m->forms[m->nrcpts] == NULL)) {
		free(m->rcpts[m->nrcpts]);
		free(m->forms[m->nrcpts]);
		msg_fail(c, "out of memory");
	} else {
		m->nrcpts++;
	}
	return go_on(c, SMFIP_NR_RCPT);
}

/* Remember an inbound header of ours for removal at eom. */
static void msg_strip(struct conn_ctx *c, const char *name)
{
	struct msg_ctx *m = &c->msg;
	if (m->nstrip >= STRIP_MAX) {
		m->strip_overflow = true;
		return;
	}
	int index = 1;
	for (size_t i = 0; i < m->nstrip; i++)
		index += strcasecmp(m->strip[i].name, name) == 0;
	snprintf(m->strip[m->nstrip].name, HEADER_NAME_MAX, "%s", name);
	m->strip[m->nstrip++].index = index;
}

/* Keep the Subject (for the store and the notices), bounded.  A longer
 * one loses its last, partial word as well: cut inside an address (or an
 * encoded word holding one), the rest would be a piece of an address the
 * notices' screening cannot recognise. */
static void keep_subject(struct msg_ctx *m, const char *value)
{
	log_sanitize(m->subject, sizeof m->subject, value, SUBJECT_MAX);
	if (strlen(value) <= SUBJECT_MAX)
		return;
	char *blank = strrchr(m->subject, ' ');
	if (blank != NULL)
		*blank = '\0';
	else
		m->subject[0] = '\0';
}

static sfsistat cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn_ctx *c = conn_get(ctx);
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	struct msg_ctx *m = &c->msg;
	const char *ours = config_str(snapshot_config(c->snap), CONF_HEADER_NAME);
	if (name == NULL || value == NULL)
		return go_on(c, SMFIP_NR_HDR);
	if (strncasecmp(name, ours, strlen(ours)) == 0) {
		/* the release token: kept for the check at eom (too long: left
		 * empty, so it is refused as malformed) */
		if (strncasecmp(name + strlen(ours), "-Release", 9) == 0 && m->nrelease++ == 0 &&
		    strlen(value) <= RELEASE_HEADER_MAX)
			snprintf(m->release, sizeof m->release, "%s", value);
		/* X-Grondslag and X-Grondslag-*: only we may set them. */
		if (strlen(name) < HEADER_NAME_MAX)
			msg_strip(c, name);
		else
			m->strip_overflow = true;
		return go_on(c, SMFIP_NR_HDR);
	}
	if (strcasecmp(name, "Subject") == 0 && m->subject[0] == '\0')
		keep_subject(m, value);
	if (!m->outbound || m->failed)
		return go_on(c, SMFIP_NR_HDR);
	/* Rebuild the raw header: the scanner reads the Subject from it. */
	char err[256];
	if (spool_write(c->spool, name, strlen(name), err, sizeof err) != 0 ||
	    spool_write(c->spool, ": ", 2, err, sizeof err) != 0 ||
	    spool_crlf(c->spool, value, strlen(value), err, sizeof err) != 0 ||
	    spool_write(c->spool, "\r\n", 2, err, sizeof err) != 0)
		msg_fail(c, err);
	return go_on(c, SMFIP_NR_HDR);
}

/* End of the header: the blank line, once. */
static void msg_eoh(struct conn_ctx *c)
{
	struct msg_ctx *m = &c->msg;
	if (m->eoh)
		return;
	m->eoh = true;
	char err[256];
	if (m->outbound && !m->failed && spool_write(c->spool, "\r\n", 2, err, sizeof err) != 0)
		msg_fail(c, err);
}

static sfsistat cb_eoh(SMFICTX *ctx)
{
	struct conn_ctx *c = conn_get(ctx);
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	msg_eoh(c);
	return SMFIS_CONTINUE;	/* only when the MTA insisted on sending it */
}

static sfsistat cb_body(SMFICTX *ctx, unsigned char *buf, size_t len)
{
	struct conn_ctx *c = conn_get(ctx);
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	msg_eoh(c);
	struct msg_ctx *m = &c->msg;
	char err[256];
	if (m->outbound && !m->failed && spool_write(c->spool, buf, len, err, sizeof err) != 0)
		msg_fail(c, err);
	return go_on(c, SMFIP_NR_BODY);
}

/* Remove every inbound header of ours (highest index first, so the
 * indices of the others stay valid on every MTA). */
static int apply_strip(SMFICTX *ctx, const struct msg_ctx *m)
{
	for (size_t i = m->nstrip; i-- > 0;)
		if (smfi_chgheader(ctx, (char *)m->strip[i].name, m->strip[i].index, NULL) !=
		    MI_SUCCESS)
			return -1;
	return 0;
}

/* Record the decision durably, in ONE transaction and one fsync: for a
 * hold the message, its held recipients, the sender's and the jurists'
 * notices (never lost, never sent for a hold not stored) and the
 * share records of the recipients delivered now; otherwise the share
 * records alone.  The record is the core's (notice_hold_record()); here it
 * only goes to the store.  Nothing is answered to the MTA before this
 * returns 0, and a failure leaves nothing half-written (the MTA's retry
 * starts clean).  0 or -1. */
static int store_decision(struct conn_ctx *c, const struct gate_result *g, bool hold,
			  const char *data, size_t len, int32_t date, const struct relayseal *rs,
			  bool as_is, char ref[STORE_REF_MAX], char *err, size_t errlen)
{
	struct msg_ctx *m = &c->msg;
	const struct config *cf = snapshot_config(c->snap);
	time_t now = time(NULL);
	if (hold && store_ref_new(now, ref) != 0) {
		snprintf(err, errlen, "no random bytes for a hold reference");
		ref[0] = '\0';
		return -1;
	}
	struct hold_facts facts = {
		.ref = hold ? ref : NULL, .queue_id = m->qid, .sender = m->sender,
		.sender_auth = m->auth, .subject = m->subject,
		.rcpts = (const char *const *)m->rcpts, .nrcpts = m->nrcpts,
		.data = data, .len = len, .date = date, .received = now,
		.registry_digest = snapshot_digest(c->snap),
		.header_prefix = config_str(cf, CONF_HEADER_NAME),
		.recipient_delimiter = config_str(cf, CONF_RECIPIENT_DELIMITER),
		.expiry_days = (unsigned)config_uint(cf, CONF_HOLD_EXPIRY),
		/* every delivered recipient shares the one encrypted copy */
		.encrypted_for = rs != NULL ? rs->party->id : NULL,
		.key_fprs = rs != NULL ? rs->fprs : NULL,
		.sealed_as_is = as_is,
	};
	struct notice_setup setup = {
		.from = daemon_state.notice_from, .hostname = daemon_state.hostname,
		.expiry_days = facts.expiry_days,
		.console_url = config_str(cf, CONF_WEB_BASE_URL), .senders = cf,
	};
	setup.jurist_mail = config_jurist_mail(cf, &setup.njurist_mail);
	struct holdrec *r = notice_hold_record(g, &facts, &setup, err, errlen);
	int rc = -1;
	if (r == NULL)
		goto out;
	const struct hold_record *h = holdrec_record(r);
	if (!holdrec_held(r)) {
		rc = store_shares_put(daemon_state.store, h->shares, h->nshares, err, errlen);
		goto out;
	}
	rc = store_hold_put(daemon_state.store, h, ref, err, errlen);
	if (rc == 1) {
		/* the client's retry of a message held before the MTA had our
		 * reply: answer as then, with that hold, and store nothing new */
		log_qid(LOG_NOTICE, m->qid, "retry of held message %s: no second hold", ref);
		rc = 0;
	} else if (rc == 0 && h->nnotices > 0) {
		notifier_kick(daemon_state.notifier);
	}
out:
	if (rc != 0 && hold)
		ref[0] = '\0';
	holdrec_free(r);
	return rc;
}

/* True when the MTA told us ({rcpt_addr}) in which form it queued every
 * recipient that g deletes: the deletion is never confirmed, so a guess
 * could deliver a held recipient.  Checked before anything is stored. */
static bool held_forms_known(const struct msg_ctx *m, const struct gate_result *g)
{
	for (size_t i = 0; i < gate_rcpt_count(g); i++)
		if (gate_rcpt_held(g, i) && (i >= m->nrcpts || m->forms[i] == NULL))
			return false;
	return true;
}

/* Tell the MTA: strip, delete held recipients, add our header. */
static int apply_actions(SMFICTX *ctx, struct conn_ctx *c, const struct gate_result *g,
			 const char *ref, char *err, size_t errlen)
{
	if (apply_strip(ctx, &c->msg) != 0) {
		snprintf(err, errlen, "smfi_chgheader failed");
		return -1;
	}
	for (size_t i = 0; i < gate_rcpt_count(g); i++) {
		if (!gate_rcpt_held(g, i))
			continue;
		/* held_forms_known() made sure the form is there */
		if (i >= c->msg.nrcpts || c->msg.forms[i] == NULL ||
		    smfi_delrcpt(ctx, c->msg.forms[i]) != MI_SUCCESS) {
			snprintf(err, errlen, "smfi_delrcpt failed (recipient %zu)", i + 1);
			return -1;
		}
	}
	char value[GATE_HEADER_MAX + 1];
	const char *name = config_str(snapshot_config(c->snap), CONF_HEADER_NAME);
	if (gate_header(g, ref, value, sizeof value) &&
	    smfi_addheader(ctx, (char *)name, value) != MI_SUCCESS) {
		snprintf(err, errlen, "smfi_addheader failed");
		return -1;
	}
	return 0;
}

/* The copy becomes PGP/MIME (relayseal.h): the Subject a placeholder,
 * the Content-* fields and MIME-Version replaced, the body the
 * ciphertext.  Deletions run from the last field back, so each index
 * still names the field it named. */
static int apply_seal(SMFICTX *ctx, const struct relayseal *rs, char *err, size_t errlen)
{
	bool ok = true;
	for (size_t i = rs->nedits; ok && i-- > 0;)
		ok = smfi_chgheader(ctx, (char *)rs->edits[i].name, rs->edits[i].index, NULL) ==
		     MI_SUCCESS;
	for (int i = rs->subjects; ok && i > 1; i--)
		ok = smfi_chgheader(ctx, "Subject", i, NULL) == MI_SUCCESS;
	if (ok)
		ok = (rs->subjects > 0 ? smfi_chgheader(ctx, "Subject", 1, (char *)rs->placeholder)
				       : smfi_addheader(ctx, "Subject", (char *)rs->placeholder)) ==
		     MI_SUCCESS;
	ok = ok && smfi_addheader(ctx, "MIME-Version", "1.0") == MI_SUCCESS &&
	     smfi_addheader(ctx, "Content-Type", (char *)rs->content_type) == MI_SUCCESS &&
	     smfi_replacebody(ctx, rs->body, (int)rs->bodylen) == MI_SUCCESS;
	if (!ok)
		snprintf(err, errlen, "smfi_chgheader/replacebody failed (relay encryption)");
	return ok ? 0 : -1;
}

/* Milliseconds since t0 (CLOCK_MONOTONIC). */
static long long elapsed_us(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)(t.tv_sec - t0->tv_sec) * 1000000 + (t.tv_nsec - t0->tv_nsec) / 1000;
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

/* Log the decision: one line per message, one per recipient. */
static void log_decision(const struct msg_ctx *m, const struct gate_result *g, const char *ref,
			 size_t bytes, long ms)
{
	char line[LOG_LINE_MAX];
	gate_log_line(g, line, sizeof line);
	log_qid(LOG_INFO, m->qid, "%s%s%.40s size=%zu ms=%ld", line, *ref ? " ref=" : "", ref,
		bytes, ms);
	for (size_t i = 0; i < gate_rcpt_count(g); i++) {
		gate_rcpt_log_line(g, i, line, sizeof line);
		log_qid(LOG_INFO, m->qid, "%s", line);
	}
}

/* A message with a release token: 1 when the token is valid and now
 * used (the message passes as released); 0: refused and recorded, the
 * message is treated like any other; -1: not to be delivered by any
 * route (why in why): the store could not be asked, or the copy is our
 * releaser's own (its mac is good) from an attempt the releaser already
 * gave up and retries with a new token - delivered here as any message,
 * should the gate let it pass, it would arrive twice. */
static int release_accepted(struct conn_ctx *c, const char *data, size_t len, char *why_out,
			    size_t why_len)
{
	struct msg_ctx *m = &c->msg;
	const char *prefix = config_str(snapshot_config(c->snap), CONF_HEADER_NAME);
	struct release_token t;
	char digest[RELEASE_DIGEST_HEX], why[200] = "", err[256] = "";
	char *canon = NULL;
	time_t now = time(NULL);
	int rc = 1;
	bool asked = false;	/* the store saw it (and recorded the outcome) */
	bool parsed = m->nrelease == 1 && release_token_parse(m->release, &t);
	if (!parsed) {
		snprintf(why, sizeof why, "%s", m->nrelease > 1 ? "more than one token" : "malformed");
	} else if (!daemon_state.have_release_key) {
		snprintf(why, sizeof why, "no release key");
	} else {
		release_digest(data, len, prefix, digest);
		canon = release_rcpts_canon((const char *const *)m->rcpts, m->nrcpts);
		enum release_verdict v = canon ? release_token_check(daemon_state.release_key, &t,
								     digest, canon, now)
					       : RELEASE_MALFORMED;
		if (v != RELEASE_OK) {
			snprintf(why, sizeof why, "%s", release_verdict_name(v));
		} else {
			struct store_release_use u = {.ref = t.ref, .nonce = t.nonce, .digest = digest,
						      .rcpts_canon = canon, .mta_queue_id = m->qid,
						      .now = now};
			rc = store_release_use(daemon_state.store, &u, why, sizeof why, err,
					       sizeof err);
			asked = true;
			/* marked, the MTA without our reply yet: "used" is not
			 * "delivered" (store.h) */
			if (rc == 0)
				fault_point("release-seen");
		}
	}
	/* refusals the store did not see are recorded here: every attempt
	 * is in the chain */
	if (rc == 1 && !asked &&
	    store_release_refused(daemon_state.store, parsed ? t.ref : "", parsed ? t.nonce : "",
				  why, m->qid, err, sizeof err) != 0)
		log_qid(LOG_ERR, m->qid, "release token refusal not recorded: %.200s", err);
	bool abandoned = rc == 1 && asked && strcmp(why, STORE_RELEASE_ABANDONED) == 0;
	if (rc < 0)
		snprintf(why_out, why_len, "release token not checked: %.200s", err);
	else if (abandoned)
		snprintf(why_out, why_len, "release token of an abandoned attempt (%.100s): the"
			 " releaser sends a new copy; this one is not delivered", why);
	else if (rc == 1)
		log_qid(LOG_WARNING, m->qid, "release token refused (%.100s): handled as any message",
			why);
	free(canon);
	return rc < 0 || abandoned ? -1 : rc == 0;
}

/* The released copy passes: our headers (the token) go, one is added. */
static sfsistat eom_released(SMFICTX *ctx, struct conn_ctx *c)
{
	struct msg_ctx *m = &c->msg;
	struct release_token t;
	char name[HEADER_NAME_MAX + 16];
	release_token_parse(m->release, &t);
	snprintf(name, sizeof name, "%s-Released",
		 config_str(snapshot_config(c->snap), CONF_HEADER_NAME));
	if (apply_strip(ctx, m) != 0 || smfi_addheader(ctx, name, t.ref) != MI_SUCCESS)
		return internal_error(ctx, c, "smfi_chgheader/addheader failed (release)");
	log_qid(LOG_INFO, m->qid, "verdict=released ref=%.40s rcpts=%zu", t.ref, m->nrcpts);
	return SMFIS_CONTINUE;
}

/* The monitoring counters of one decided message (metrics.h). */
static void count_decision(const struct gate_result *g, enum gate_action act)
{
	size_t held = 0, would = 0;
	for (size_t i = 0; i < gate_rcpt_count(g); i++) {
		held += gate_rcpt_held(g, i);
		would += gate_rcpt_would_hold(g, i) && !gate_rcpt_held(g, i);
	}
	metrics_add(act == GATE_DISCARD ? METRIC_DISCARDED
		    : act == GATE_PARTIAL ? METRIC_PARTIAL : METRIC_ACCEPTED, 1);
	metrics_add(METRIC_HELD_RCPTS, held);
	metrics_add(METRIC_SIMULATED_HOLDS, would);
	metrics_add(METRIC_SHARED_RCPTS, gate_share_count(g) - (would <= gate_share_count(g) ? would : 0));
}

/* Scan, decide, store and act for an outbound message. */
static sfsistat eom_outbound(SMFICTX *ctx, struct conn_ctx *c)
{
	struct msg_ctx *m = &c->msg;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char err[512];
	const char *data;
	size_t len;
	if (m->failed)
		return internal_error(ctx, c, m->error);
	if (spool_finish(c->spool, &data, &len, err, sizeof err) != 0)
		return internal_error(ctx, c, err);
	int released = m->nrelease > 0 ? release_accepted(c, data, len, err, sizeof err) : 0;
	if (released < 0)
		return internal_error(ctx, c, err);
	if (released > 0)
		return eom_released(ctx, c);
	struct findings *f = scan_message(snapshot_scan(c->snap), data, len);
	metrics_add(METRIC_SCANNED, 1);
	/* Sealed for the escrow key and not opened: said with the queue id
	 * and why (never what); a failure that may pass (gpg-agent hung or
	 * gone, the deadline) is a tempfail, never a decision on sealed
	 * content that could have been read. */
	const char *dwhy;
	bool dtemp;
	unsigned dfailed = findings_decrypt_failures(f, &dwhy, &dtemp);
	if (dfailed > 0)
		log_qid(LOG_WARNING, m->qid, "escrow: %u sealed part(s) not decrypted: %s", dfailed,
			dwhy);
	if (dtemp) {
		findings_free(f);
		return internal_error(ctx, c, "escrow decryption did not finish (gpg or gpg-agent)");
	}
	/* Opened with the escrow key: on the record before anything else,
	 * or not at all (the client retries). */
	unsigned opened = findings_decrypted_count(f);
	if (opened > 0 && store_escrow_record(daemon_state.store, NULL, "", m->qid, opened,
					      snapshot_escrow_fpr(c->snap), err, sizeof err) != 0) {
		findings_free(f);
		return internal_error(ctx, c, err);
	}
	metrics_observe_scan((double)elapsed_us(&t0) / 1e6);
	time_t now = time(NULL);
	struct relayseal rs;
	relayseal_begin(&rs, c->snap, data, len, f);
	if (rs.on && rs.relay_encrypts && rs.unsealable)
		log_qid(LOG_WARNING, m->qid, "relay encryption: the header cannot be rewritten (no "
			"header/body separator, too many fields or a name too long): recipients "
			"whose basis requires encryption are held (unsealable)");
	struct gate_input in = {
		.queue_id = m->qid, .sender = m->sender,
		.rcpts = (const char *const *)m->rcpts, .nrcpts = m->nrcpts,
		.outbound = true, .mode = snapshot_mode(c->snap),
		.date = snapshot_date(c->snap, now), .policy = *snapshot_policy(c->snap),
		.now = now,
	};
	relayseal_options(&rs, &in.policy);
	struct gate_result *g = gate_decide(&in, snapshot_registry(c->snap), f);
	sfsistat rc = SMFIS_CONTINUE;
	char ref[STORE_REF_MAX] = "";
	enum gate_action act = g != NULL ? gate_action(g) : GATE_TEMPFAIL;
	if (act == GATE_TEMPFAIL) {
		rc = internal_error(ctx, c, f == NULL ? "scan failed" : "no decision");
		goto out;
	}
	if (act == GATE_PARTIAL && !held_forms_known(m, g)) {
		rc = internal_error(ctx, c, "the MTA did not report a held recipient's address "
					    "({rcpt_addr}): it cannot be deleted safely");
		goto out;
	}
	/* Encrypted before anything is stored or answered: a failure is a
	 * tempfail, never plaintext. */
	int sealed = act == GATE_DISCARD ? 0 : relayseal_plan(&rs, g, data, len, err, sizeof err);
	if (sealed < 0 || (sealed > 0 && !c->chgbody)) {
		rc = internal_error(ctx, c, sealed < 0 ? err : "relay encryption: the MTA does not"
					" let the milter replace the body");
		goto out;
	}
	/* Durable FIRST: nothing is answered before the record is fsynced. */
	if (store_decision(c, g, act == GATE_PARTIAL || act == GATE_DISCARD, data, len, in.date,
			   sealed > 0 ? &rs : NULL, !rs.on, ref, err, sizeof err) != 0) {
		rc = internal_error(ctx, c, err);
		goto out;
	}
	/* stored, the MTA without our reply yet: a client's retry after the
	 * MTA's 451 finds this hold (holdkey.h) */
	fault_point("hold-stored");
	if (act == GATE_DISCARD) {
		rc = SMFIS_DISCARD;
	} else if (apply_actions(ctx, c, g, ref, err, sizeof err) != 0 ||
		   (sealed > 0 && apply_seal(ctx, &rs, err, sizeof err) != 0)) {
		rc = internal_error(ctx, c, err);
		goto out;
	}
	if (sealed > 0)
		log_qid(LOG_INFO, m->qid, "encrypted for party=%s keys=%s size=%zu", rs.party->id,
			rs.fprs, rs.bodylen);
	log_decision(m, g, ref, len, elapsed_ms(&t0));
	count_decision(g, act);
out:
	relayseal_end(&rs);
	gate_free(g);
	findings_free(f);
	return rc;
}

static sfsistat cb_eom(SMFICTX *ctx)
{
	struct conn_ctx *c = conn_get(ctx);
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	struct msg_ctx *m = &c->msg;
	msg_qid(ctx, m);
	msg_eoh(c);
	sfsistat rc;
	if (m->strip_overflow) {
		rc = internal_error(ctx, c, "too many inbound grondslag headers to remove");
	} else if (m->outbound) {
		rc = eom_outbound(ctx, c);
	} else {
		/* Inbound or foreign: untouched, except our headers go. */
		rc = SMFIS_CONTINUE;
		if (apply_strip(ctx, m) != 0)
			rc = internal_error(ctx, c, "smfi_chgheader failed");
		else
			log_qid(LOG_DEBUG, m->qid, "verdict=pass rcpts=%zu stripped=%zu", m->nrcpts,
				m->nstrip);
		metrics_add(METRIC_UNTOUCHED, 1);
	}
	msg_reset(c);
	return rc;
}

static sfsistat cb_abort(SMFICTX *ctx)
{
	struct conn_ctx *c = smfi_getpriv(ctx);
	if (c != NULL)
		msg_reset(c);
	return SMFIS_CONTINUE;
}

static sfsistat cb_close(SMFICTX *ctx)
{
	struct conn_ctx *c = smfi_getpriv(ctx);
	if (c == NULL)
		return SMFIS_CONTINUE;
	msg_reset(c);
	spool_free(c->spool);
	snapshot_unref(c->snap);
	free(c);
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

/* Registered for inet sockets only: without it Postfix's lone DATA macro
 * packet waits for a delayed ACK (recipes section 4). */
static sfsistat cb_data(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

/* What we need of the MTA (the modifications of apply_actions) and the
 * stages we need not see: no HELO or unknown-command callback, and the
 * end of the headers is also noticed by the first body chunk or the end
 * of message (msg_eoh), so it is not sent: one command less per message,
 * which costs the MTA and libmilter's worker pool a hand-off each. */
#define WANT_ACTIONS (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_DELRCPT)
/* Taken when offered: replacing the body is only needed to encrypt at the
 * relay (relayseal.h); an MTA without it is served, and a message it
 * would have to encrypt is tempfailed. */
#define OPTIONAL_ACTIONS SMFIF_CHGBODY
#define SKIP_STAGES (SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NOEOH)
/* Every stage before the end of message but RCPT answers "continue" (a
 * failure is remembered and answered at eom), so the MTA need not wait
 * for those replies: a clean message then costs the MTA and us one round
 * trip per recipient instead of one per command (measured: a third less
 * CPU in a do-nothing filter).  RCPT keeps its reply: past the recipient
 * limit it answers 452, which a no-reply stage cannot.  Not over TCP: the MTA's back-to-back small writes
 * would each wait for a delayed ACK (Nagle; recipes section 4). */
#define NR_STAGES (SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_HDR | SMFIP_NR_BODY)

static bool over_inet;

/* Option negotiation, the first callback of a connection: take what the
 * MTA offers of the above.  Without the modifications we need, refuse
 * the connection (the MTA applies its default action, tempfail). */
static sfsistat cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
			     unsigned long f2, unsigned long f3, unsigned long *pf0,
			     unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	(void)f2;
	(void)f3;
	if ((f0 & WANT_ACTIONS) != WANT_ACTIONS) {
		log_msg(LOG_ERR, "the MTA offers the milter actions %#lx, need %#lx: refused", f0,
			(unsigned long)WANT_ACTIONS);
		return SMFIS_REJECT;
	}
	struct conn_ctx *c = conn_get(ctx);
	if (c == NULL)
		return SMFIS_ALL_OPTS;	/* no context: replies as usual, cb_* tempfail */
	unsigned long want = SKIP_STAGES | (over_inet ? 0 : SMFIP_NODATA | NR_STAGES);
	c->noreply = f1 & NR_STAGES & want;
	c->chgbody = (f0 & OPTIONAL_ACTIONS) != 0;
	*pf0 = WANT_ACTIONS | (f0 & OPTIONAL_ACTIONS);
	*pf1 = f1 & want;
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

int callbacks_register(bool inet)
{
	static struct smfiDesc desc = {
		.xxfi_name = "grondslag",
		.xxfi_version = SMFI_VERSION,
		.xxfi_flags = WANT_ACTIONS,
		.xxfi_negotiate = cb_negotiate,
		.xxfi_connect = cb_connect,
		.xxfi_envfrom = cb_envfrom,
		.xxfi_envrcpt = cb_envrcpt,
		.xxfi_header = cb_header,
		.xxfi_eoh = cb_eoh,
		.xxfi_body = cb_body,
		.xxfi_eom = cb_eom,
		.xxfi_abort = cb_abort,
		.xxfi_close = cb_close,
	};
	over_inet = inet;
	desc.xxfi_data = inet ? cb_data : NULL;
	return smfi_register(desc) == MI_SUCCESS ? 0 : -1;
}
