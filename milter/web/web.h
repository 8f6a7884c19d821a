/*
 * web.h - what the files of grondslag-web, the jurists' console, share.
 * The console is a client of the daemon's control socket: every page is
 * one request there, made on behalf of the person its TLS client
 * certificate names; the daemon decides, checks roles and records.  The
 * console keeps no decisions and no records of its own, only sessions
 * (a cookie and its CSRF token) in memory.
 *
 * Pure parts (no libmicrohttpd, unit-tested): buf.c (output buffer, HTML
 * escaping), certmap.c (certificate -> login), token.c (random tokens,
 * sessions, the CSRF check), form.c (form and query parsing), ctl.c (the
 * control socket client), page*.c (the pages).  main.c and http.c are
 * the only files that use libmicrohttpd and GnuTLS.
 */
#ifndef GRONDSLAG_WEB_H
#define GRONDSLAG_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "grondslag/config/config.h"

struct jsonr_value;
struct jsonr_doc;

/* ---- buf.c: a growing output buffer ---------------------------------- */
struct web_buf {
	char *p;
	size_t len, cap;
	bool failed;			/* out of memory or over WEB_PAGE_MAX */
};
#define WEB_PAGE_MAX (4u << 20)	/* bytes of one page */

void web_buf_add(struct web_buf *b, const char *s);	/* as is: our markup */
void web_buf_addn(struct web_buf *b, const char *s, size_t n);
void web_buf_addf(struct web_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* s as inert text, in element content or a double-quoted attribute:
 * markup characters as entities; control characters, bidirectional and
 * invisible formatting characters as a visible [U+XXXX]; bytes that are
 * not UTF-8 as U+FFFD.  NULL adds nothing. */
void web_buf_html(struct web_buf *b, const char *s);
/* s (n bytes, NULs included) as inert text for a <pre>: as web_buf_html,
 * but line ends (LF, CRLF: LF) and tabs kept; a lone CR is [U+000D]. */
void web_buf_pre(struct web_buf *b, const char *s, size_t n);
/* s percent-encoded for a query component (all but A-Z a-z 0-9 - . _ ~). */
void web_buf_url(struct web_buf *b, const char *s);
void web_buf_free(struct web_buf *b);
/* The text (NUL-terminated, owned by the caller) or NULL when failed. */
char *web_buf_take(struct web_buf *b, size_t *len);

/* ---- certmap.c: which person a client certificate is ------------------ */
#define WEB_LOGIN_MAX 64
/* One WebCertificateMap value: "LOGIN sha256:HEX" or "LOGIN subject:DN".
 * true + the parts (fpr: 64 lowercase hex digits; or subject), false +
 * why when malformed. */
struct web_certmap_line {
	char login[WEB_LOGIN_MAX];
	char fpr[65];			/* "" when a subject line */
	const char *subject;		/* into the value; NULL when fpr */
};
bool web_certmap_parse(const char *value, struct web_certmap_line *out, char *why,
		       size_t whylen);
/* The login of the certificate with SHA-256 fingerprint fpr (hex, any
 * case, colons allowed) and subject DN (RFC 4514) in c; a fingerprint line
 * wins over a subject line, the first of each.  The login must also be
 * on a Jurist, Admin, Auditor or Sender line.  true + login, false + why. */
bool web_certmap_find(const struct config *c, const char *fpr, const char *subject, char *login,
		      size_t loginlen, char *why, size_t whylen);
/* Is login a sender (a Sender line and no line of another role, the
 * daemon's order)?  For the pages' links only: the daemon decides. */
bool web_login_is_sender(const struct config *c, const char *login);
/* Check every WebCertificateMap line of c (at start); false + why. */
bool web_certmap_check(const struct config *c, char *why, size_t whylen);
/* Proxy mode: the login of the person the proxy names in its header
 * (name: the header's value), by the WebUserMap lines of c, holding a
 * role.  true + login, false + why (no name, mapped to nobody, no role). */
bool web_usermap_find(const struct config *c, const char *name, char *login, size_t loginlen,
		      char *why, size_t whylen);
/* The listening mode of c is coherent (at start): proxy mode (a
 * WebUserHeader) only on WebListen unix:/PATH, with a WebProxyUser and
 * well-formed WebUserMap lines; a unix socket only in proxy mode.
 * false + why. */
bool web_proxy_check(const struct config *c, char *why, size_t whylen);

/* ---- token.c: tokens, sessions, CSRF ---------------------------------- */
#define WEB_TOKEN_HEX 64		/* 32 random bytes as hex */
#define WEB_SESSIONS_MAX 1024
/* A new random token (WEB_TOKEN_HEX hex digits and NUL); false when the
 * kernel gives no randomness (fail closed: no session). */
bool web_token_new(char out[WEB_TOKEN_HEX + 1]);
/* Is given exactly want (both WEB_TOKEN_HEX hex digits)?  Compared in
 * constant time; NULL or another length is false. */
bool web_token_equal(const char *given, const char *want);

struct web_sessions;
struct web_session {
	char id[WEB_TOKEN_HEX + 1];	/* the cookie */
	char csrf[WEB_TOKEN_HEX + 1];	/* the token of every form */
	char login[WEB_LOGIN_MAX];
	char fpr[65];			/* the certificate it belongs to */
	bool sender;			/* a Sender (links and forms of the pages
					 * only; the daemon decides) */
};
struct web_sessions *web_sessions_new(unsigned timeout);
void web_sessions_free(struct web_sessions *s);
/* The session of cookie id for the certificate fpr and login at now: a
 * session of another certificate, or one idle longer than the timeout,
 * is not it.  *out a copy; *fresh when a new session was made (the
 * caller sets the cookie).  false when none could be made. */
bool web_sessions_get(struct web_sessions *s, const char *id, const char *fpr,
		      const char *login, time_t now, struct web_session *out, bool *fresh);

/* ---- form.c: application/x-www-form-urlencoded ------------------------ */
#define WEB_FORM_FIELDS 300
#define WEB_FORM_VALUE_MAX 4000
#define WEB_BODY_MAX (64 * 1024)
struct web_form {
	size_t n;
	char *key[WEB_FORM_FIELDS];
	char *val[WEB_FORM_FIELDS];
	char *mem;
};
/* Parse len bytes of a query string or form body.  0, or -1 + why: bad
 * percent escape, NUL, a value not UTF-8 or over the limits. */
int web_form_parse(const char *data, size_t len, struct web_form *f, char *why, size_t whylen);
void web_form_free(struct web_form *f);
/* The first value of key, NULL when absent. */
const char *web_form_get(const struct web_form *f, const char *key);
/* Every value of key into out (at most max); their count. */
size_t web_form_all(const struct web_form *f, const char *key, const char **out, size_t max);
/* The value of cookie name in a Cookie header, into out; false if none. */
bool web_cookie_get(const char *header, const char *name, char *out, size_t outlen);
/* Is origin (an Origin header) the console's own: want, or when want is
 * empty "https://" host?  NULL or "null" is not. */
bool web_origin_ok(const char *origin, const char *want, const char *host);

/* ---- ctl.c: the control socket ---------------------------------------- */
struct web_answer {
	struct jsonr_doc *doc;
	const struct jsonr_value *root;
	const char *status;		/* "ok", "refused", ...; "error" when none */
	const char *error;		/* NULL when ok */
	char *raw;
};
/* Send req (one JSON line) to the socket at path; fill a (free with
 * web_answer_free).  0, or -1 + why when the daemon could not be asked. */
int web_ctl_call(const char *path, const char *req, size_t len, struct web_answer *a,
		 char *why, size_t whylen);
void web_answer_free(struct web_answer *a);

/* ---- i18n.c: English, and Dutch when the browser prefers it ---------- */
/* "nl" or "en" for an Accept-Language header (NULL: "en"). */
const char *web_lang_of(const char *header);
/* The language of this thread's request (set per request). */
void web_lang_set(const char *lang);
const char *web_lang(void);
/* Our text en in the request's language (en itself when untranslated). */
const char *web_tr(const char *en);

/* ---- page*.c: the pages ------------------------------------------------ */
struct web_ctx {
	const struct config *c;
	const char *socket;		/* ControlSocket */
	const struct web_session *s;
	time_t now;
};
struct web_page {
	unsigned status;		/* HTTP status */
	char *body;			/* malloc'ed HTML */
	size_t len;
};
/* GET /?party=&reason=&sender=&urgent=1&sort=urgent|expiry */
void web_page_queue(const struct web_ctx *x, const struct web_form *q, struct web_page *out);
/* GET /hold/REF */
void web_page_hold(const struct web_ctx *x, const char *ref, struct web_page *out);
/* GET /hold/REF/message?part=PATH&offset=N: the message itself, as text */
void web_page_message(const struct web_ctx *x, const char *ref, const struct web_form *q,
		      struct web_page *out);
/* POST /decide: the confirmation (the daemon's dry run); POST /confirm:
 * the decision. */
void web_page_decide(const struct web_ctx *x, const struct web_form *f, bool confirmed,
		     struct web_page *out);
/* POST /bulk: the preview of one decision over the holds of a party (the
 * daemon's dry run, its plan digest in the form); POST /bulk/confirm: the
 * decision, refused by the daemon when the set changed (page_bulk.c). */
void web_page_bulk(const struct web_ctx *x, const struct web_form *f, bool confirmed,
		   struct web_page *out);
/* GET /overview: counts, the oldest, expiring soon, release failures. */
void web_page_overview(const struct web_ctx *x, struct web_page *out);
/* POST /case: claim, handover, comment or advice; a sender's urgent
 * request (page_case.c). */
void web_page_case(const struct web_ctx *x, const struct web_form *f, struct web_page *out);
/* A page saying why not (status, title, text); no daemon asked. */
void web_page_error(unsigned status, const char *title, const char *text,
		    struct web_page *out);
/* page.c shares these with page_decide.c */
void web_page_begin(struct web_buf *b, const char *title, const struct web_session *s);
void web_page_end(struct web_buf *b, unsigned status, struct web_page *out);
/* "3d 04h" of seconds (negative: "overdue"). */
void web_duration(int64_t s, char *buf, size_t len);
/* A JSON member as text: strings as they are, numbers in their text; NULL. */
const char *web_jstr(const struct jsonr_value *v, const char *key);
int64_t web_jint(const struct jsonr_value *v, const char *key);

#endif
