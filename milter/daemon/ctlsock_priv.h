/*
 * ctlsock_priv.h - what the files of the control socket share
 * (ctlsock.c the server, ctlsock_req.c one request, ctlsock_refuse.c
 * refusals and their bounded record, ctlsock_decide.c decisions, bulk and
 * the deny notice, ctlsock_names.c the party, reason code and basis a
 * jurist names, checked against the registry, ctlsock_resolve.c an
 * admin settling a stuck release, ctlsock_args.c the request's arguments,
 * ctlsock_answer.c the members every answer shares, ctlsock_read.c the
 * record read by auditors without the store file, ctlsock_textcache.c the
 * text of a message kept between the pages of its content).  Private to those
 * files.  Calls go one way: ctlsock.c -> ctlsock_req.c (the dispatcher)
 * -> the commands' files -> ctlsock_args.c, ctlsock_answer.c,
 * ctlsock_names.c; none calls back into the dispatcher.
 */
#ifndef GRONDSLAG_CTLSOCK_PRIV_H
#define GRONDSLAG_CTLSOCK_PRIV_H

#include <stdbool.h>

#define CTLSOCK_PERSON_MAX 64	/* a login named by a delegate, with NUL */

#include "grondslag/daemon/ctlsock.h"
#include "grondslag/base/json.h"
#include "grondslag/base/jsonr.h"
#include "grondslag/scan/walk.h"

/* One request being answered. */
struct ctlsock_req {
	const struct ctlsock_env *env;
	const struct config *c;
	const struct ctlsock_peer *peer;
	enum ctlsock_role role;
	struct store_actor actor;
	const struct jsonr_value *root;	/* the request object */
	const char *cmd, *ref;		/* NULL when absent */
	struct json *j;			/* the answer, inside its object */
	time_t now;
	char jurist_ids[8192];		/* the caller's identities (approve) */
	char refbuf[STORE_REF_MAX];	/* ref in canonical (upper) case */
	const struct registry *reg;	/* pinned for the request; may be NULL */
	void *reg_pin;
	int32_t today;			/* the policy's date at now */
	const struct registry_basis *basis;	/* approve: the basis named */
	char why[300];			/* a message outliving a helper */
	char party_held[HOLDSTATE_NAME_MAX];	/* a party known from the holds */
	/* for the log line of the request (ctlsock_log.c) */
	const char *status;		/* the answer's status; NULL: none yet */
	bool cmd_known;			/* cmd is one of the commands */
	bool counted;			/* a refusal only counted: not logged */
	char refused[220];		/* why a refusal (no addresses in it) */
	char person[CTLSOCK_PERSON_MAX];	/* on_behalf_of, accepted */
};

/* The outcome of one decision on one hold. */
struct ctlsock_outcome {
	int rc;				/* store_hold_decide(): 0, 1, 2, -1; 3 a
					 * bad request (the basis) */
	const char *status;		/* ok, refused, not-found, bad-request, error */
	char error[300];
	struct store_decision_result res;
	bool noticed;			/* a notice was queued */
};

/* ctlsock_answer.c: "status" (and "error" when not NULL) of the answer. */
void ctlsock_status(struct ctlsock_req *r, const char *status, const char *error);
/* Answer "refused" and record it, or only count it beyond the limit
 * (ctlsock_refuse.c). */
void ctlsock_refuse(struct ctlsock_req *r, const char *why);
/* The same, answering status ("bad-request" for a malformed request). */
void ctlsock_refuse_as(struct ctlsock_req *r, const char *status, const char *why);
/* The same, recording why but answering told (NULL: why). */
void ctlsock_refuse_told(struct ctlsock_req *r, const char *status, const char *why,
			 const char *told);
/* Record the counts of the refusal windows ended at now (a failure is
 * kept for the next request). */
void ctlsock_refusals_flush(const struct ctlsock_env *env, time_t now);
/* ctlsock_args.c: a string member of the request, NULL when absent; bad
 * set when it is no string or too long. */
const char *ctlsock_arg(const struct ctlsock_req *r, const char *key, bool *bad);
/* The filters of held and bulk: party (id or name, any case) and reason
 * code checked and made canonical.  false + why (for the caller). */
bool ctlsock_filter(struct ctlsock_req *r, struct store_hold_filter *f, char *why,
		    size_t whylen);
/* ctlsock_textcache.c: the text of a held message as the scanner read
 * it, kept between the pages a jurist reads (see there). */
#define CTLSOCK_TEXT_KEEP_MAX (32u << 20)	/* bytes of text kept of one message */
#define CTLSOCK_TEXT_BUDGET (64u << 20)	/* bytes of text of all walks, collected or kept */
#define CTLSOCK_TEXT_HEAD 65540		/* bytes of the message kept: the header section */
struct ctlsock_text {
	char ref[STORE_REF_MAX];
	char stamp[STORE_HOLD_STAMP_MAX]; /* store_hold_message_stamp() when kept */
	char sha256[STORE_SHA256_HEX];	/* of the message walked */
	struct walk_limits lim;		/* of the walk */
	time_t at;			/* when kept */
	unsigned refs;			/* the cache's and each user's */
	struct findings *f;		/* the parts */
	char *head;			/* the message's first hlen bytes */
	size_t hlen, msglen;
	char *text;			/* every part's text, one after another */
	size_t tlen, tcap;
	bool over;			/* no text kept: too much, past the budget, escrow */
	uint64_t *start, *total;	/* per part index: where its text begins, bytes */
	size_t nparts;
	unsigned *order;		/* the parts whose text began, in order */
	size_t norder;
};
/* A new, empty walk of msg under lim (one user); NULL out of memory. */
struct ctlsock_text *ctlsock_text_new(const char *msg, size_t len, const struct walk_limits *lim);
/* The walk's text stream of part began, and len more bytes of it; false
 * when out of memory. */
bool ctlsock_text_begin(struct ctlsock_text *t, unsigned part);
bool ctlsock_text_append(struct ctlsock_text *t, unsigned part, const char *buf, size_t len);
/* The kept walk of ref under stamp and lim at now (one more user), or
 * NULL. */
struct ctlsock_text *ctlsock_text_get(const char *ref, const char *stamp,
				      const struct walk_limits *lim, time_t now);
/* Keep t as the walk of ref under stamp (unless it may not be kept). */
void ctlsock_text_keep(struct ctlsock_text *t, const char *ref, const char *stamp, time_t now);
/* One user fewer. */
void ctlsock_text_put(struct ctlsock_text *t);
/* Tests: the budget of all walks' text set to budget (0: unchanged), the
 * one before returned; *used the bytes taken now, *peak the most taken
 * since the last call (each may be NULL). */
size_t ctlsock_text_budget(size_t budget, size_t *used, size_t *peak);

/* The page of held (offset, limit) into f; false + why when malformed. */
bool ctlsock_page(struct ctlsock_req *r, struct store_hold_filter *f, char *why, size_t whylen);
/* The party id a filter names: a registry party (id or name, any case),
 * else a party id of the stored holds (any case); NULL + why. */
const char *ctlsock_party_filter(struct ctlsock_req *r, const char *text, char *why,
				 size_t whylen);
/* ctlsock_names.c: the registry's party whose id or name is text (any
 * case), the hold reason code text names (any case), the basis with id
 * text (any case); NULL + why. */
const struct registry_party *ctlsock_party_named(const struct ctlsock_req *r, const char *text,
						 char *why, size_t whylen);
const char *ctlsock_reason_named(const char *text, char *why, size_t whylen);
const struct registry_basis *ctlsock_basis_named(const struct ctlsock_req *r, const char *text,
						 char *why, size_t whylen);
/* May r->basis be named for the recipients of h an approval concerns
 * (rcpts, or every held one when n is 0)?  Each needs a party of the
 * registry listing the basis, valid on r->today.  true, or false + why. */
bool ctlsock_basis_fits(const struct ctlsock_req *r, const struct store_hold_record *h,
			const char *const *rcpts, size_t n, char *why, size_t whylen);
/* ctlsock_answer.c: key and the stored JSON text as JSON; the
 * recipients array of a hold. */
void ctlsock_embed(struct json *j, const char *key, const char *text);
void ctlsock_write_rcpts(struct json *j, const struct store_hold_record *h, bool relay);

/* Apply d to ref (a deny also queues the sender's notice). */
void ctlsock_decide(struct ctlsock_req *r, const char *ref, struct store_decision *d,
		    struct ctlsock_outcome *o);
/* The members of an answer about one decision. */
void ctlsock_write_outcome(struct ctlsock_req *r, const char *ref,
			   const struct ctlsock_outcome *o);
/* Bulk: d on every open hold matching the request's filters. */
void ctlsock_bulk(struct ctlsock_req *r, struct store_decision *d);
/* The RFC 5322 text telling sender `to` that the n recipients `denied`
 * of h will not get the message, and the jurist's reason (malloc'ed),
 * NULL when out of memory. */
char *ctlsock_deny_notice(const struct ctlsock_env *env, const struct store_hold_record *h,
			  const char *to, const char *reason, const char *const *denied,
			  size_t n, time_t now);

/* ctlsock_log.c: the one log line of a request: who (user, uid, role),
 * what (command, reference), and the outcome; never content or an
 * address. */
void ctlsock_log_action(const struct ctlsock_req *r);

/* ctlsock_withhold.c: "summary": the stored summary, the parts' file
 * names (written by the sender, like the Subject) only when content. */
void ctlsock_embed_summary(struct json *j, const char *summary_json, bool content);

/* ctlsock_bases.c: "bases": per party of h's recipients, the registry's
 * bases of that party valid on r->today (none without a registry). */
void ctlsock_write_bases(struct ctlsock_req *r, const struct store_hold_record *h);
/* "bases": the same for one party (held filtered by it). */
void ctlsock_write_party_bases(struct ctlsock_req *r, const char *party);

/* ctlsock_delegate.c: is user one of c's ControlConsoleUser lines? */
bool ctlsock_is_console(const struct config *c, const char *user);
/* Take the request's on_behalf_of (if any): from a ControlConsoleUser
 * the named person becomes the actor (role by name, channel the
 * delegate); from anybody else it is refused and recorded.  false when
 * the request was answered (refused). */
bool ctlsock_delegate(struct ctlsock_req *r);

/* ctlsock_role.c: does a LIST value (a Jurist line, ...) name user as
 * its first word? */
bool ctlsock_names_user(const char *v, const char *user);
/* Is the hold with envelope sender envelope and SMTP AUTH identity auth
 * ("" or NULL: none) the mail of user by user's Sender lines
 * (senderid_sender_owns())? */
bool ctlsock_sender_owns(const struct config *c, const char *user, const char *envelope,
			 const char *auth);

/* ctlsock_case.c: claim, handover, comment, advice (r->cmd names it). */
void ctlsock_case(struct ctlsock_req *r);
/* Is text fit for the chain (1 to CASE_TEXT_MAX bytes of UTF-8 without
 * controls but line feeds, no bidi overrides)?  NULL, or why not. */
const char *ctlsock_text_check(const char *text);

/* ctlsock_sender.c: a Sender's requests.  Is the hold h the caller's own
 * (the caller is no sender: true)?  When not, the attempt is recorded and
 * answered exactly as an unknown reference ("not-found"): a sender learns
 * nothing of holds that are not theirs.  false: answered. */
bool ctlsock_sender_may_see(struct ctlsock_req *r, const struct store_hold_record *h);
/* The same for a reference that names no hold (recorded for a sender,
 * answered "not-found"). */
void ctlsock_sender_unknown(struct ctlsock_req *r);
/* The hold r->ref as the caller may see it, or NULL when the request is
 * answered (an error, no such hold, a sender's look at another's). */
struct store_hold_record *ctlsock_hold_seen(struct ctlsock_req *r);
/* held for a sender: the filter keeps the caller's own mail only (a
 * pre-filter in the query, the exact test on its rows).  false: answered
 * (the Sender lines name too much to filter on). */
bool ctlsock_sender_filter(struct ctlsock_req *r, struct store_hold_filter *f);
/* urgent: the sender asks for an urgent review of ref, with "text". */
void ctlsock_urgent(struct ctlsock_req *r);
/* "case": where the case of ref stands (holder, pending advice, the
 * sender's urgent request; a sender sees only the latter); null when it
 * cannot be read. */
void ctlsock_write_case(struct ctlsock_req *r, const char *ref);
/* The case members of one hold of a listing (a sender's: the urgent
 * request only). */
void ctlsock_write_case_summary(const struct ctlsock_req *r, struct json *j,
				const struct store_hold_summary *h);

/* ctlsock_overview.c: the overview of the holds (counts, the oldest,
 * expiring soon, release failures). */
void ctlsock_overview(struct ctlsock_req *r);

/* ctlsock_resolve.c: the admin's release-resolve request. */
void ctlsock_resolve(struct ctlsock_req *r);

/* ctlsock_read.c: the record read without the store file: report,
 * stats, the audit chain in pages, the checkpoint file in pieces. */
void ctlsock_report(struct ctlsock_req *r);
void ctlsock_stats(struct ctlsock_req *r);
void ctlsock_audit_records(struct ctlsock_req *r);
void ctlsock_audit_checkpoints(struct ctlsock_req *r);

/* ctlsock_history.c: "history", every record of the hold ref in the
 * chain (list views of its Subject since since included), oldest first;
 * null when they cannot be read. */
void ctlsock_write_history(struct ctlsock_req *r, const char *ref, time_t since);
/* ctlsock_content.c: content (the message's text, one page, recorded). */
void ctlsock_content(struct ctlsock_req *r);
/* Record that what ("content", "subject") of ref is about to be shown
 * (with the part and offset when part is not NULL); 0 or -1. */
int ctlsock_view_record(struct ctlsock_req *r, const char *ref, const char *what,
			const char *part, int64_t offset);
/* The stored message of ref for a content view, checked against its
 * digest: a changed message is not shown as the one held, but recorded
 * ("tampered") and raised to the admins.  0 and *msg, 1 changed (the
 * request is answered), -1 unreadable. */
int ctlsock_message_of(struct ctlsock_req *r, const char *ref, char **msg, size_t *len);
/* "headers": the header section of msg (at most 64 KiB; null for NULL). */
void ctlsock_write_headers(struct ctlsock_req *r, const char *msg, size_t len);

#endif
