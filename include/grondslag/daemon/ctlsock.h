/*
 * ctlsock.h - the control socket: how the grondslag command
 * talks to the daemon, the only writer of the store.  Core module, no
 * libmilter.
 *
 * Who is calling is decided by the kernel, never by the client: the
 * daemon reads SO_PEERCRED of each connection, maps the uid to a login
 * name (getpwuid_r) and the name to a role from the configuration
 * (Jurist, Admin, Auditor; uid 0 is an admin unless configured
 * otherwise).  The socket file is therefore mode 0666 (created under
 * umask 0777, then chmod'ed: no moment with other modes): anybody may
 * connect, and a caller in no role is refused and the attempt recorded
 * in the audit chain ("refused", with uid and user name).
 *
 * Protocol: one request per connection: one JSON object on one line (at
 * most CTLSOCK_REQUEST_MAX bytes, all of it within ControlRequestTimeout
 * seconds of the connect), answered by one JSON object on one line, then
 * the daemon closes.  Many clients are served at once (ctlsock.c); one
 * uid may hold ControlUserConnections connections (a ControlConsoleUser
 * ControlConsoleConnections).  A request too slow, too long, empty or not
 * a JSON object with a known command, and a connection over the limit,
 * are answered ("bad-request" or "refused"), logged and recorded as
 * "refused" within the refusal limit below.
 *   {"cmd":"held", "since":UNIX, "party":P, "sender":S, "reason_code":R
 *    [, "offset":N][, "limit":M]}
 *        soonest expiry first; a page: M holds (1..CTLSOCK_HELD_MAX,
 *        default every one up to STORE_LIST_MAX) from the N-th on;
 *        "total" counts every hold the filter matches, "truncated" says
 *        more follow the page
 *   {"cmd":"show", "ref":REF, "content":true|false}
 *   {"cmd":"approve", "ref":REF, "reason":TEXT, "basis":ID, "rcpts":[..]}
 *   {"cmd":"deny", "ref":REF, "reason":TEXT, "rcpts":[..]}
 *   {"cmd":"approve"|"deny", "all_matching":true, <filters of held>,
 *    "reason":TEXT[, "basis":ID][, "dry_run":true][, "plan":HEX]}
 *        bulk: the recipients still held that match party and reason
 *        code, per hold; dry_run decides and rolls back; plan (the
 *        digest a dry run answered) makes it change nothing unless the
 *        matching recipients are still exactly those
 *   {"cmd":"content", "ref":REF[, "part":PATH][, "offset":N]}
 *        jurists: the message itself as the scanner read it: "headers",
 *        "parts" (every part: path, type, filename, bytes, text bytes,
 *        status, reason, depth) and "page" (part, offset, total, next,
 *        text: CTLSOCK_CONTENT_PAGE bytes of one part's extracted text,
 *        default the body); each request ONE recorded "view" (what=
 *        content, part, offset); others refused and recorded
 *   {"cmd":"release-resolve", "ref":REF, "resolution":"delivered"|"resend",
 *    "reason":TEXT}
 *        admins: settle a release the releaser left to the admins
 *        (unknown, unconfirmed, duplicate; store_release_resolve());
 *        any other hold is refused
 *   {"cmd":"claim", "ref":REF[, "take_over":true]}
 *   {"cmd":"handover", "ref":REF, "to":LOGIN, "note":TEXT}
 *   {"cmd":"comment", "ref":REF, "text":TEXT}
 *   {"cmd":"advice", "ref":REF, "to":LOGIN, "question":TEXT}
 *        jurists: case handling (ctlsock_case.c, store_case_act()): take
 *        the case (from a colleague holding it only with take_over),
 *        hand it to a colleague with a note (the holder, or anybody while
 *        nobody holds it), comment without deciding (also on a closed
 *        hold; answers the advice asked of the commenter), ask a
 *        colleague for advice.  LOGIN: the first word of a Jurist line,
 *        not oneself; TEXT: 1..2000 bytes of UTF-8, no control character
 *        but LF, no bidirectional override.  Each is ONE record (claim
 *        {taken_from}, handover {from, to, note}, comment {text,
 *        answers_advice}, advice {of, question}); a bad request records
 *        nothing; an act the case's state forbids (closed, held by a
 *        colleague, already asked) is "refused" and recorded.  The
 *        answer gives "case" as show does.
 *   {"cmd":"overview"}
 *        every role: "counts" {open, pending, partly_approved, releasing,
 *        expiring_soon (awaiting a decision, expiring within
 *        ExpiryWarning days), overdue, release_failing}, and the lists
 *        "oldest" (0 or 1), "expiring" (soonest first) and
 *        "release_failures" (most attempts first) of at most
 *        STORE_OVERVIEW_LIST holds: {ref, state, received, age, expires,
 *        expires_in, release_attempts, release_error}; no Subject, no
 *        addresses: not recorded
 *   {"cmd":"report", ...}, {"cmd":"stats"},
 *   {"cmd":"audit-records", "after":SEQ, "since":T},
 *   {"cmd":"audit-checkpoints", "offset":O}
 *        every role: the record read without the store file (a report
 *        built by the daemon, the statistics, the audit chain in pages,
 *        the checkpoint file in pieces; ctlsock_read.c says what each
 *        takes, answers and records)
 * REF in any case; party: a registry id or name, or a party id of the
 * stored holds, any case; reason_code:
 * a hold reason code, any case; basis: a registry basis id, any case,
 * of every approved recipient's party, valid on the policy's date.
 * held and show give "expires" (Unix time) and "expires_in" (seconds);
 * show gives "bases": per party of its recipients, the registry's bases
 * valid today (what an approval may name), and "history": every record
 * of the hold in the audit chain, oldest first ({seq, at, actor, role,
 * event, details}; the list views that showed its Subject included; the
 * newest 500, "history_omitted" counting older ones), and "case":
 * {holder (null: nobody), since, advice_pending: [{asked_by, asked_of,
 * asked_at}]}; each hold of held gives "holder", "holder_since",
 * "advice_pending" (a count) and, when some is, "advice_of" and
 * "advice_since" (the oldest).
 * Any request may carry "on_behalf_of":LOGIN: honoured only from a
 * ControlConsoleUser (the web console, which authenticates people
 * itself); the person's role then applies, records name the person with
 * the console's uid and "channel" (its login), and the answer gives
 * "channel".  From any other caller it is refused and recorded.
 * Every answer has "status": "ok", "refused" (role, or the state
 * machine: e.g. the sender approving), "not-found", "bad-request" or
 * "error", and "error" (a sentence) unless ok; plus "role" and "user".
 *
 * Roles:  jurist   everything; held and show carry the Subject (content)
 *                  and each such request is recorded as ONE "view"
 *                  (details what=subject, or what=content for --content)
 *         admin    held, show without content (status); no decisions;
 *                  release-resolve (a delivery fact, not a decision)
 *         auditor  held, show without content (reading)
 *  Every role: report, stats, audit-records, audit-checkpoints.
 *  For admins and auditors "subject" is null and "subject_withheld" says
 *  why: the Subject is written by the sender and can carry addresses.
 *         none     refused and recorded
 *
 * Public functions:
 *   ctlsock_role_of(), ctlsock_role_name()
 *   ctlsock_handle()     one request -> one response (pure, testable)
 *   ctlsock_open(), ctlsock_run(), ctlsock_close()   the daemon's thread
 *   ctlsock_refusals_drain()  record every pending refusal count now
 *   ctlsock_json_copy()  re-emit a parsed JSON value (also for the CLI)
 * Limits: CTLSOCK_CONN_MAX connections at once; filters and texts up to
 * 2000 bytes;
 * HOLDSTATE_MAX_RCPTS recipients per approval.
 *
 * Refusals are bounded, none is lost (env->refusals, see ratelim.h): per
 * caller uid at most CTLSOCK_REFUSALS_PER_WINDOW refusals per
 * CTLSOCK_REFUSAL_WINDOW seconds are recorded one by one; the rest of
 * that window are counted (the caller still gets "refused", saying so),
 * and when the window ends ONE "refused" record with the same actor
 * carries the count: details {"command":"*","refused":"rate limit: ..",
 * "suppressed":N,"from":T0,"to":T1,"uid":U} (T0, T1: the first and last
 * refusal counted).  The end is noticed at any later request, at the
 * caller's next refusal, when the slot is needed for another caller
 * (CTLSOCK_REFUSAL_SLOTS callers are tracked at once) and when the
 * thread stops (ctlsock_refusals_drain()).  So a local user connecting
 * in a loop grows the chain by at most about 11 records a minute, and
 * every attempt is still accounted for in it.  A summary that cannot be
 * written is kept and retried at the next request; at shutdown it is
 * logged (LOG_ERR, with its numbers) instead.
 */
#ifndef GRONDSLAG_CTLSOCK_H
#define GRONDSLAG_CTLSOCK_H

#include <stddef.h>
#include <time.h>

#include "grondslag/config/config.h"
#include "grondslag/daemon/notifier.h"
#include "grondslag/daemon/ratelim.h"
#include "grondslag/decide/registry.h"
#include "grondslag/scan/walk.h"
#include "grondslag/daemon/releaser.h"
#include "grondslag/store/store.h"

#define CTLSOCK_REQUEST_MAX (64 * 1024)
#define CTLSOCK_REQUEST_MAX_TEXT "65536"
/* Connections served at once (more wait in the backlog), and seconds an
 * answer may sit untaken before the connection is dropped. */
#define CTLSOCK_CONN_MAX 512
#define CTLSOCK_WRITE_IDLE 60
#define CTLSOCK_TEXT_MAX 2000
/* Bytes of a part's text in one content answer (a page). */
#define CTLSOCK_CONTENT_PAGE (64 * 1024)
#define CTLSOCK_HELD_MAX 1000	/* holds of one page of held */
/* The refusal limit (see above): records per caller and window, the
 * window in seconds, callers tracked at once. */
#define CTLSOCK_REFUSALS_PER_WINDOW 10
#define CTLSOCK_REFUSAL_WINDOW 60
#define CTLSOCK_REFUSAL_SLOTS 64

/* A sender (a Sender line) sees only the holds of their own mail and may
 * ask for an urgent review of one; nothing else. */
enum ctlsock_role { CTLSOCK_NONE, CTLSOCK_AUDITOR, CTLSOCK_ADMIN, CTLSOCK_JURIST, CTLSOCK_SENDER };

/* The caller as the kernel told us. */
struct ctlsock_peer {
	long uid;
	const char *user;		/* login name; "#UID" when the uid has none */
};

/* What the handler works with. */
struct ctlsock_env {
	struct store *store;
	const char *hostname;		/* for notices' Message-ID */
	const char *notice_from;	/* NoticeFrom */
	struct notifier *notifier;	/* kicked after a notice; may be NULL */
	struct releaser *releaser;	/* kicked after the last approval; NULL:
					 * ReleaseRelay empty (nothing released) */
	/* The current configuration, pinned for one request (ctlsock_run
	 * only; the roles follow reloads). */
	const struct config *(*config_get)(void *arg, void **pin);
	void (*config_put)(void *arg, void *pin);
	/* The current registry and the policy's date at now, pinned for one
	 * request and unpinned with config_put (NULL: none).  The filters
	 * and the basis a jurist names are checked against it; without it
	 * a party filter or a basis is refused, never guessed. */
	const struct registry *(*registry_get)(void *arg, time_t now, int32_t *date, void **pin);
	/* The escrow key of the snapshot registry_get pinned (pin) and its
	 * fingerprint: a jurist's view of a held message opens what the scan
	 * opened, recorded (NULL, or NULL returned: sealed stays sealed). */
	const struct walk_escrow *(*escrow_of)(void *arg, void *pin, const char **fpr);
	void *arg;
	time_t now;			/* 0: time(NULL) (tests fix it) */
	/* Refusals counted beyond the limit (ratelim_new() with the
	 * CTLSOCK_REFUSAL* constants); NULL: every refusal is recorded.
	 * Used by the serving thread only, so without a lock. */
	struct ratelim *refusals;
};

/* The role of user (uid) in c: Jurist, then Admin, then Auditor, then
 * Sender lines; uid 0 in none of them is admin. */
enum ctlsock_role ctlsock_role_of(const struct config *c, const char *user, long uid);
const char *ctlsock_role_name(enum ctlsock_role r);

/* Handle one request (len bytes, no NUL needed) from peer under config
 * c.  *resp gets the answer (malloc'ed, one line ending in "\n").  0, or
 * -1 when out of memory (no answer). */
int ctlsock_handle(const struct ctlsock_env *env, const struct config *c,
		   const struct ctlsock_peer *peer, const char *req, size_t len, char **resp,
		   size_t *resplen);

/* Answer a request that never became one (slow, oversized, empty) or a
 * connection over its caller's limit: status ("bad-request", "refused")
 * and why, logged and recorded as a refusal of peer within the refusal
 * limit.  Same contract as ctlsock_handle(). */
int ctlsock_reject(const struct ctlsock_env *env, const struct config *c,
		   const struct ctlsock_peer *peer, const char *status, const char *why,
		   char **resp, size_t *resplen);

struct ctlsock;
/* Create the socket at path (mode 0666, see above; a stale socket file
 * is replaced, a live one is an error) and listen.  NULL + err. */
struct ctlsock *ctlsock_open(const char *path, char *err, size_t errlen);
/* Serve requests in a thread of our own (call after fork and after
 * privileges are dropped).  env is copied.  0, or -1 + err. */
int ctlsock_run(struct ctlsock *cs, const struct ctlsock_env *env, char *err, size_t errlen);
/* Stop the thread (when running; it drains env->refusals first), close
 * and remove the socket. */
void ctlsock_close(struct ctlsock *cs);
/* Record every pending refusal count of env->refusals (at now; 0:
 * time(NULL)), open windows or not.  0, or -1 when one could not be
 * recorded: it is logged with its numbers and kept in the table. */
int ctlsock_refusals_drain(const struct ctlsock_env *env, time_t now);

struct json;
struct jsonr_value;
/* Write v to j, at most depth levels deep (deeper: empty containers). */
void ctlsock_json_copy(struct json *j, const struct jsonr_value *v, int depth);

#endif
