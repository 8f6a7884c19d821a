/*
 * ctlsock_req.c - one request of the control socket (see ctlsock.h):
 * parse the JSON line, decide the caller's role, refuse what the role may
 * not do (recorded, bounded: ctlsock_refuse.c), call the store, write the
 * JSON answer.  Pure: no
 * sockets here, so the tests drive it with a real store in a temp dir.
 *
 * Public functions: ctlsock_handle(), ctlsock_reject() (the roles are
 * ctlsock_role.c's).  Views and decisions go to the
 * store's audit chain in the store's own transactions; held/show by an
 * admin or auditor are reads without the Subject and are not recorded; a
 * jurist's held or show (which carry the Subject, content) is recorded as
 * one "view" each.  Decisions, bulk and the deny notice are in
 * ctlsock_decide.c, the names a jurist gives in ctlsock_names.c, the
 * request's arguments in ctlsock_args.c, the members every answer shares
 * in ctlsock_answer.c, the message itself (content, and the record of
 * every look at it) in ctlsock_content.c.
 * Limits: see ctlsock.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctlsock_priv.h"
#include "grondslag/base/date.h"
#include "grondslag/base/jsonr.h"
#include "grondslag/base/log.h"
#include "grondslag/base/names.h"

#define MAX_JURIST_MAIL 64
/* How many references one record of a listing's Subject view names. */
#define VIEW_REFS_MAX 100
#define SUBJECT_WITHHELD "the Subject is content: only jurists see it"

/* Collected identities of a jurist (jurist_mail()). */
struct ids {
	const char **out;
	size_t n;
	char *buf;
	size_t cap, used;
};

/* Add the blank-separated identities of v (sasl: prefixes dropped) to
 * ids; false when they do not fit. */
static bool ids_add(struct ids *ids, const char *v)
{
	while (*(v += strspn(v, " \t")) != '\0') {
		size_t len = strcspn(v, " \t");
		const char *id = v;
		v += len;
		if (strncmp(id, "sasl:", 5) == 0)
			id += 5, len -= 5;
		if (ids->n == MAX_JURIST_MAIL || ids->used + len + 1 > ids->cap)
			return false;
		memcpy(ids->buf + ids->used, id, len);
		ids->buf[ids->used + len] = '\0';
		ids->out[ids->n++] = ids->buf + ids->used;
		ids->used += len + 1;
	}
	return true;
}

/* The identities of jurist user, copied into buf (cap bytes) and pointed
 * to by out: the login name itself (as a SASL login: many sites
 * authenticate mail with the system login) and every address and
 * sasl:LOGIN of the user's Jurist lines; n.  More than MAX_JURIST_MAIL
 * identities or bytes past cap set *overflow (the caller refuses). */
static size_t jurist_mail(const struct config *c, const char *user, const char **out,
			  char *buf, size_t cap, bool *overflow)
{
	struct ids ids = {.out = out, .buf = buf, .cap = cap};
	bool ok = ids_add(&ids, user);
	for (size_t i = 0; ok && i < config_list_count(c, CONF_JURIST); i++) {
		const char *v = config_list(c, CONF_JURIST, i);
		if (ctlsock_names_user(v, user))
			ok = ids_add(&ids, v + strcspn(v, " \t")) &&
			     ids_add(&ids, config_list_more(c, CONF_JURIST, i));
	}
	*overflow = !ok;
	return ids.n;
}

/* How the release of a hold fares: failed attempts, the last failure
 * (the relay's reply, for the jurist to see why nothing arrived), and
 * when the next attempt is due (0: not known here). */
static void write_release(struct json *j, unsigned attempts, const char *error, time_t due)
{
	json_key(j, "release_attempts");
	json_uint(j, attempts);
	json_key(j, "release_error");
	if (error != NULL)
		json_str(j, error);
	else
		json_null(j);
	if (due > 0) {
		json_key(j, "release_due");
		json_int(j, (int64_t)due);
	}
}

/* Does the caller see the Subject and the parts' names?  A jurist, and a
 * sender, who reaches the holds of their own mail only (it is their own
 * text). */
static bool sees_subject(const struct ctlsock_req *r)
{
	return r->role == CTLSOCK_JURIST || r->role == CTLSOCK_SENDER;
}

/* The fields a listing and show both give of a hold. */
static void write_head(struct ctlsock_req *r, const char *ref, const char *state,
		       const char *queue_id, const char *sender, const char *subject,
		       time_t received, const char *summary_json)
{
	struct json *j = r->j;
	json_key(j, "ref");
	json_str(j, ref);
	json_key(j, "state");
	json_str(j, state);
	json_key(j, "received");
	json_int(j, (int64_t)received);
	json_key(j, "age");
	json_int(j, (int64_t)(r->now - received));
	/* when HoldExpiry ends it (UTC, Unix time) and how long is left
	 * (negative: overdue, the expiry run has not come by yet) */
	time_t expires = received + (time_t)config_uint(r->c, CONF_HOLD_EXPIRY) * 86400;
	json_key(j, "expires");
	json_int(j, (int64_t)expires);
	json_key(j, "expires_in");
	json_int(j, (int64_t)(expires - r->now));
	json_key(j, "queue_id");
	json_str(j, queue_id);
	json_key(j, "sender");
	json_str(j, sender);
	/* the Subject is written by the sender and scanned like the body:
	 * content, for jurists only (their views are recorded by the caller) */
	json_key(j, "subject");
	if (sees_subject(r)) {
		json_str(j, subject);
	} else {
		json_null(j);
		json_key(j, "subject_withheld");
		json_str(j, SUBJECT_WITHHELD);
	}
	ctlsock_embed_summary(j, summary_json, sees_subject(r));
}

/* One hold of a listing. */
static void write_summary(struct ctlsock_req *r, const struct store_hold_summary *h)
{
	struct json *j = r->j;
	/* a sender sees where the hold stands, not the jurists' work on it
	 * (approvals, the relay's replies to a release) */
	bool sender = r->role == CTLSOCK_SENDER;
	json_obj_begin(j);
	write_head(r, h->ref, h->state, h->queue_id, h->sender, h->subject, h->received,
		   h->summary_json);
	json_key(j, "recipients");
	json_arr_begin(j);
	for (size_t i = 0; i < h->nrcpts; i++) {
		json_obj_begin(j);
		json_key(j, "rcpt");
		json_str(j, h->rcpts[i]);
		json_key(j, "state");
		json_str(j, h->rcpt_states[i]);
		json_key(j, "party");
		json_str(j, h->parties[i]);
		json_key(j, "reasons");
		json_str(j, h->reasons[i]);
		if (!sender) {
			json_key(j, "approvals");
			json_uint(j, h->approvals[i]);
		}
		json_obj_end(j);
	}
	json_arr_end(j);
	if (!sender)
		write_release(j, h->release_attempts, h->release_error, 0);
	ctlsock_write_case_summary(r, j, h);
	json_obj_end(j);
}

/* Record that a jurist is about to see the Subjects of the holds of l:
 * one "view" record for the whole listing (not one per hold, so a
 * console polling held grows the chain by one record per request),
 * naming up to VIEW_REFS_MAX references and the count.  0 or -1. */
static int record_list_view(struct ctlsock_req *r, const struct store_hold_list *l)
{
	size_t cap = VIEW_REFS_MAX * (STORE_REF_MAX + 1) + 1, n = 0;
	char *refs = malloc(cap);
	if (refs == NULL)
		return -1;
	refs[0] = '\0';
	for (size_t i = 0; i < l->n && i < VIEW_REFS_MAX; i++)
		n += (size_t)snprintf(refs + n, cap - n, "%s%s", i ? " " : "", l->holds[i].ref);
	struct audit_details *d = audit_details_new();
	audit_details_str(d, "what", "subject");
	audit_details_int(d, "holds", (int64_t)l->n);
	audit_details_str(d, "refs", refs);
	free(refs);
	char *details = audit_details_finish(d), err[256];
	struct store_audit a = {.actor = &r->actor, .event = "view", .ref = "",
				.details = details};
	int rc = details != NULL ? store_audit_put(r->env->store, &a, err, sizeof err) : -1;
	free(details);
	return rc;
}

/* held: the open holds matching the filter. */
static void cmd_held(struct ctlsock_req *r)
{
	struct store_hold_filter f;
	struct store_hold_list l;
	char err[300];
	if (!ctlsock_filter(r, &f, err, sizeof err) || !ctlsock_page(r, &f, err, sizeof err)) {
		ctlsock_status(r, "bad-request", err);
		return;
	}
	if (!ctlsock_sender_filter(r, &f))
		return;
	f.urgent = jsonr_bool(jsonr_get(r->root, "urgent"));
	if (store_holds_list(r->env->store, &f, &l, err, sizeof err) != 0) {
		ctlsock_status(r, "error", err);
		return;
	}
	if (r->role == CTLSOCK_JURIST && l.n > 0 && record_list_view(r, &l) != 0) {
		ctlsock_status(r, "error", "the view could not be recorded, so nothing is shown");
		store_hold_list_free(&l);
		return;
	}
	ctlsock_status(r, "ok", NULL);
	json_key(r->j, "required");
	json_uint(r->j, config_uint(r->c, CONF_RELEASE_APPROVALS));
	json_key(r->j, "truncated");
	json_bool(r->j, l.truncated);
	json_key(r->j, "total");
	json_uint(r->j, l.total);
	json_key(r->j, "urgent_total");
	json_uint(r->j, l.urgent_total);
	/* filtered by a party: the bases a bulk decision over its holds may name */
	if (f.party != NULL && *f.party != '\0')
		ctlsock_write_party_bases(r, f.party);
	json_key(r->j, "offset");
	json_uint(r->j, f.offset);
	json_key(r->j, "holds");
	json_arr_begin(r->j);
	for (size_t i = 0; i < l.n; i++)
		write_summary(r, &l.holds[i]);
	json_arr_end(r->j);
	store_hold_list_free(&l);
}

/* The approvals of ref (the history), as an array. */
static int write_approvals(struct ctlsock_req *r, const char *ref)
{
	struct store_approval *a;
	size_t n;
	char err[256];
	if (store_hold_approvals(r->env->store, ref, &a, &n, err, sizeof err) != 0)
		return -1;
	json_key(r->j, "approvals");
	json_arr_begin(r->j);
	for (size_t i = 0; i < n; i++) {
		json_obj_begin(r->j);
		json_key(r->j, "rcpt");
		json_str(r->j, a[i].recipient);
		json_key(r->j, "jurist");
		json_str(r->j, a[i].jurist);
		json_key(r->j, "at");
		json_int(r->j, (int64_t)a[i].at);
		json_key(r->j, "reason");
		json_str(r->j, a[i].reason);
		json_key(r->j, "basis");
		json_str(r->j, a[i].basis);
		json_obj_end(r->j);
	}
	json_arr_end(r->j);
	store_approvals_free(a, n);
	return 0;
}

/* The fields of a stored hold. */
static void write_record(struct ctlsock_req *r, const struct store_hold_record *h)
{
	struct json *j = r->j;
	bool sender = r->role == CTLSOCK_SENDER;	/* as in write_summary() */
	write_head(r, h->ref, h->state, h->queue_id, h->sender, h->subject, h->received,
		   h->summary_json);
	/* who sent it as a person: the SMTP AUTH login, when there was one */
	json_key(j, "sender_auth");
	json_str(j, h->sender_auth);
	json_key(j, "size");
	json_uint(j, h->size);
	json_key(j, "sha256");
	json_str(j, h->sha256);
	json_key(j, "registry_digest");
	json_str(j, h->registry_digest);
	json_key(j, "required");
	json_uint(j, config_uint(r->c, CONF_RELEASE_APPROVALS));
	ctlsock_write_rcpts(j, h, !sender);
	if (!sender)
		write_release(j, h->release_attempts, h->release_error,
			      h->release_error != NULL ? h->release_due : 0);
	json_key(j, "delivered");
	json_arr_begin(j);
	for (size_t i = 0; i < h->ndelivered; i++)
		json_str(j, h->delivered[i]);
	json_arr_end(j);
}

/* show REF [content]: the whole decision; the address list only with
 * content, for jurists, after the view is recorded. */
static void cmd_show(struct ctlsock_req *r)
{
	const struct jsonr_value *cv = jsonr_get(r->root, "content");
	bool content = jsonr_bool(cv);
	if (r->ref == NULL || !store_ref_valid(r->ref)) {
		ctlsock_status(r, "bad-request", "ref is not a hold reference");
		return;
	}
	if (content && r->role != CTLSOCK_JURIST) {
		ctlsock_refuse(r, "only a jurist may view the content of a hold");
		return;
	}
	struct store_hold_record *h = ctlsock_hold_seen(r);
	if (h == NULL)
		return;
	if (r->role == CTLSOCK_SENDER) {
		/* their own hold: where it stands, and their urgent request;
		 * not the jurists' work on it (approvals, bases, history) */
		ctlsock_status(r, "ok", NULL);
		write_record(r, h);
		ctlsock_write_case(r, r->ref);
		store_hold_record_free(h);
		return;
	}
	char *msg = NULL;
	size_t len = 0;
	if (content && ctlsock_message_of(r, r->ref, &msg, &len) == 1) {
		store_hold_record_free(h);
		return;
	}
	/* a jurist sees the Subject: one record, "content" covering it */
	if (r->role == CTLSOCK_JURIST &&
	    ctlsock_view_record(r, r->ref, content ? "content" : "subject", NULL, 0) != 0) {
		ctlsock_status(r, "error", "the view could not be recorded, so nothing is shown");
		store_hold_record_free(h);
		free(msg);
		return;
	}
	ctlsock_status(r, "ok", NULL);
	write_record(r, h);
	if (write_approvals(r, r->ref) != 0) {
		json_key(r->j, "approvals");
		json_null(r->j);
	}
	ctlsock_write_bases(r, h);
	ctlsock_write_case(r, r->ref);
	/* after the view of this request: the history shows it too */
	ctlsock_write_history(r, r->ref, h->received);
	if (content) {
		ctlsock_embed(r->j, "findings", h->findings_json);
		ctlsock_write_headers(r, msg, len);
	}
	free(msg);
	store_hold_record_free(h);
}

/* Fill d for an approve or deny of ref by the caller.  Returns false
 * with *why when the request is bad. */
static bool decision_of(struct ctlsock_req *r, enum hold_event ev, struct store_decision *d,
			const char **mail, const char **why)
{
	bool bad = false;
	memset(d, 0, sizeof *d);
	d->event = ev;
	d->actor = &r->actor;
	d->reason = ctlsock_arg(r, "reason", &bad);
	d->basis = ev == HEV_APPROVE ? ctlsock_arg(r, "basis", &bad) : NULL;
	d->dry_run = jsonr_bool(jsonr_get(r->root, "dry_run"));
	r->basis = NULL;
	if (!bad && d->basis != NULL && *d->basis) {
		/* the registry's basis, in its own spelling; whether it fits
		 * the recipients is checked per hold (ctlsock_basis_fits) */
		r->basis = ctlsock_basis_named(r, d->basis, r->why, sizeof r->why);
		if (r->basis == NULL) {
			*why = r->why;
			return false;
		}
		d->basis = r->basis->id;
	}
	d->required = (unsigned)config_uint(r->c, CONF_RELEASE_APPROVALS);
	d->now = r->now;
	bool overflow = false;
	if (ev == HEV_APPROVE) {
		d->njurist_mail = jurist_mail(r->c, r->actor.user, mail, r->jurist_ids,
					      sizeof r->jurist_ids, &overflow);
		d->jurist_mail = mail;
		d->delimiters = config_str(r->c, CONF_RECIPIENT_DELIMITER);
	}
	*why = bad ? "reason or basis is not a string of at most 2000 bytes" : NULL;
	/* fail closed: an identity not compared could be the sender's */
	if (overflow)
		*why = "the Jurist lines of this user name more addresses and logins than can be "
		       "compared (64); shorten them";
	if (!bad && (d->reason == NULL || d->reason[0] == '\0'))
		*why = "a reason is required";
	return *why == NULL;
}

/* The recipients of an approve or deny ("rcpts": array of strings). */
static bool rcpts_of(struct ctlsock_req *r, const char ***out, size_t *n)
{
	const struct jsonr_value *a = jsonr_get(r->root, "rcpts");
	*out = NULL;
	*n = 0;
	if (jsonr_type(a) == JSONR_NONE || jsonr_type(a) == JSONR_NULL)
		return true;
	if (jsonr_type(a) != JSONR_ARRAY || jsonr_count(a) > HOLDSTATE_MAX_RCPTS)
		return false;
	*out = calloc(jsonr_count(a) + 1, sizeof **out);
	if (*out == NULL)
		return false;
	for (size_t i = 0; i < jsonr_count(a); i++) {
		const char *s = jsonr_str(jsonr_at(a, i));
		if (jsonr_type(jsonr_at(a, i)) != JSONR_STRING || s == NULL ||
		    strlen(s) >= HOLDSTATE_NAME_MAX)
			return false;
		(*out)[(*n)++] = s;
	}
	return true;
}

/* approve / deny of one hold. */
static void cmd_decide_one(struct ctlsock_req *r, enum hold_event ev)
{
	struct store_decision d;
	const char *mail[MAX_JURIST_MAIL], *why, **rcpts = NULL;
	size_t nrcpts = 0;
	if (r->ref == NULL || !store_ref_valid(r->ref)) {
		ctlsock_status(r, "bad-request", "ref is not a hold reference");
		return;
	}
	if (!decision_of(r, ev, &d, mail, &why)) {
		ctlsock_status(r, "bad-request", why);
		return;
	}
	if (!rcpts_of(r, &rcpts, &nrcpts)) {
		free(rcpts);
		ctlsock_status(r, "bad-request", "rcpts is not an array of addresses");
		return;
	}
	d.rcpts = rcpts;
	d.nrcpts = nrcpts;
	struct ctlsock_outcome o;
	ctlsock_decide(r, r->ref, &d, &o);
	free(rcpts);
	ctlsock_status(r, o.status, o.rc == 0 ? NULL : o.error);
	ctlsock_write_outcome(r, r->ref, &o);
}

/* approve | deny: one hold, or every open hold matching the filters. */
static void cmd_decide(struct ctlsock_req *r)
{
	enum hold_event ev = strcmp(r->cmd, "approve") == 0 ? HEV_APPROVE : HEV_DENY;
	if (jsonr_bool(jsonr_get(r->root, "all_matching"))) {
		struct store_decision d;
		const char *mail[MAX_JURIST_MAIL], *why;
		if (!decision_of(r, ev, &d, mail, &why)) {
			ctlsock_status(r, "bad-request", why);
			return;
		}
		ctlsock_bulk(r, &d);
	} else {
		cmd_decide_one(r, ev);
	}
}

/* The roles that may read the record: every role (a jurist who is also
 * the DPO is a jurist: one role per login). */
#define READERS (1u << CTLSOCK_JURIST | 1u << CTLSOCK_ADMIN | 1u << CTLSOCK_AUDITOR)

/* The commands, with the roles that may use them. */
static const struct {
	const char *name;
	void (*run)(struct ctlsock_req *r);
	unsigned roles;		/* bit (1 << role) */
} commands[] = {
	/* a sender: the holds of their own mail only (ctlsock_sender.c) */
	{"held", cmd_held, READERS | 1u << CTLSOCK_SENDER},
	{"show", cmd_show, READERS | 1u << CTLSOCK_SENDER},
	{"approve", cmd_decide, 1u << CTLSOCK_JURIST},
	{"deny", cmd_decide, 1u << CTLSOCK_JURIST},
	{"release-resolve", ctlsock_resolve, 1u << CTLSOCK_ADMIN},
	/* reading the record without the store file (ctlsock_read.c) */
	{"report", ctlsock_report, READERS},
	{"stats", ctlsock_stats, READERS},
	{"audit-records", ctlsock_audit_records, READERS},
	{"audit-checkpoints", ctlsock_audit_checkpoints, READERS},
	/* the holds at a glance: counts, references and times (no content) */
	{"overview", ctlsock_overview, READERS},
	{"content", ctlsock_content, 1u << CTLSOCK_JURIST},
	/* case handling (ctlsock_case.c) */
	{"claim", ctlsock_case, 1u << CTLSOCK_JURIST},
	{"handover", ctlsock_case, 1u << CTLSOCK_JURIST},
	{"comment", ctlsock_case, 1u << CTLSOCK_JURIST},
	{"advice", ctlsock_case, 1u << CTLSOCK_JURIST},
	{"urgent", ctlsock_urgent, 1u << CTLSOCK_SENDER},
};

/* Parse, check the role, run. */
static void dispatch(struct ctlsock_req *r, const char *req, size_t len)
{
	struct jsonr_limits lim = {.max_bytes = CTLSOCK_REQUEST_MAX, .max_depth = 4,
				   .max_values = HOLDSTATE_MAX_RCPTS + 64};
	struct jsonr_error jerr;
	struct jsonr_doc *doc = jsonr_parse(req, len, &lim, &jerr);
	r->root = jsonr_root(doc);
	r->cmd = jsonr_str(jsonr_get(r->root, "cmd"));
	r->ref = jsonr_str(jsonr_get(r->root, "ref"));
	if (r->cmd != NULL && strlen(r->cmd) > 32)
		r->cmd = NULL;
	if (r->ref != NULL && strlen(r->ref) >= STORE_REF_MAX)
		r->ref = NULL;
	if (r->ref != NULL) {
		/* a reference is Crockford base32: read and typed in any case;
		 * anything else stays as the caller wrote it (the record of a
		 * refusal keeps the caller's text) */
		for (size_t k = 0; k <= strlen(r->ref); k++)
			r->refbuf[k] = (char)toupper((unsigned char)r->ref[k]);
		if (store_ref_valid(r->refbuf))
			r->ref = r->refbuf;
	}
	size_t i = 0;
	while (r->cmd != NULL && i < sizeof commands / sizeof commands[0] &&
	       strcmp(commands[i].name, r->cmd) != 0)
		i++;
	r->cmd_known = r->cmd != NULL && i < sizeof commands / sizeof commands[0];
	if (doc != NULL && !ctlsock_delegate(r)) {
		/* answered: a delegation refused */
	} else if (r->role == CTLSOCK_NONE) {
		ctlsock_refuse(r, "the caller has no role (Jurist, Admin, Auditor, Sender)");
	} else if (doc == NULL || jsonr_type(r->root) != JSONR_OBJECT) {
		/* malformed: recorded (bounded) like a refusal, a probe is visible */
		char why[200];
		snprintf(why, sizeof why, "malformed request: %.150s",
			 doc == NULL ? jerr.message : "not a JSON object");
		ctlsock_refuse_as(r, "bad-request", why);
	} else if (r->cmd == NULL || i == sizeof commands / sizeof commands[0]) {
		ctlsock_refuse_as(r, "bad-request", "malformed request: unknown command");
	} else if (!(commands[i].roles & (1u << r->role))) {
		char why[128];
		snprintf(why, sizeof why, "the role %s may not %s", ctlsock_role_name(r->role),
			 r->cmd);
		ctlsock_refuse(r, why);
	} else {
		commands[i].run(r);
	}
	ctlsock_log_action(r);
	jsonr_free(doc);
}

/* Begin the answer to peer in r (and j); false when out of memory. */
static bool answer_begin(struct ctlsock_req *r, const struct ctlsock_env *env,
			 const struct config *c, const struct ctlsock_peer *peer)
{
	struct json *j = json_new_string();
	if (j == NULL)
		return false;
	*r = (struct ctlsock_req){.env = env, .c = c, .peer = peer, .j = j};
	r->role = ctlsock_role_of(c, peer->user, peer->uid);
	r->actor = (struct store_actor){.user = peer->user, .uid = peer->uid,
					.role = ctlsock_role_name(r->role)};
	r->now = env->now ? env->now : time(NULL);
	r->today = date_from_time(r->now);
	if (env->registry_get != NULL)
		r->reg = env->registry_get(env->arg, r->now, &r->today, &r->reg_pin);
	/* any request is a moment to record the counts of ended windows */
	ctlsock_refusals_flush(env, r->now);
	json_obj_begin(j);
	return true;
}

/* End the answer of r into *resp (and unpin its registry); 0 or -1. */
static int answer_end(struct ctlsock_req *r, char **resp, size_t *resplen)
{
	if (r->env->registry_get != NULL && r->env->config_put != NULL)
		r->env->config_put(r->env->arg, r->reg_pin);
	/* who the answer was given to: the person a delegate spoke for */
	json_key(r->j, "user");
	json_str(r->j, r->actor.user);
	json_key(r->j, "role");
	json_str(r->j, ctlsock_role_name(r->role));
	if (r->actor.channel != NULL) {
		json_key(r->j, "channel");
		json_str(r->j, r->actor.channel);
	}
	json_obj_end(r->j);
	*resp = json_string_done(r->j, resplen);
	return *resp != NULL ? 0 : -1;
}

int ctlsock_handle(const struct ctlsock_env *env, const struct config *c,
		   const struct ctlsock_peer *peer, const char *req, size_t len, char **resp,
		   size_t *resplen)
{
	struct ctlsock_req r;
	*resp = NULL;
	*resplen = 0;
	if (!answer_begin(&r, env, c, peer))
		return -1;
	dispatch(&r, req, len);
	return answer_end(&r, resp, resplen);
}

int ctlsock_reject(const struct ctlsock_env *env, const struct config *c,
		   const struct ctlsock_peer *peer, const char *status, const char *why,
		   char **resp, size_t *resplen)
{
	struct ctlsock_req r;
	*resp = NULL;
	*resplen = 0;
	if (!answer_begin(&r, env, c, peer))
		return -1;
	ctlsock_refuse_as(&r, status, why);
	ctlsock_log_action(&r);
	return answer_end(&r, resp, resplen);
}
