/*
 * http.c - one HTTP request of grondslag-web (libmicrohttpd, GnuTLS):
 * who is asking (the verified TLS client certificate, mapped to a person:
 * certmap.c), the session cookie and the CSRF check, the request limits,
 * the route, and the security headers of every answer.
 *
 * The order of refusals: no valid client certificate (issued by a
 * WebClientCA, for client authentication) -> 403 and nothing else; a
 * certificate mapped to nobody -> 403; a body over WEB_BODY_MAX -> 413; a
 * POST from another origin, without the form encoding, or without the
 * session's CSRF token -> 403; only then is the daemon asked, on behalf of
 * the person, and what the daemon refuses is its refusal (recorded there).
 *
 * Proxy mode (WebUserHeader): no TLS here; the connection must come from
 * a WebProxyUser uid (SO_PEERCRED, checked when it is accepted) and the
 * person is the one value of WebUserHeader, mapped by WebUserMap; no such
 * uid, no header, two of them or an unmapped name -> 403.
 *
 * Every connection is tracked (web_conn) so that the deadline watch can
 * cut one that trickles a request slower than WebRequestTimeout allows.
 *
 * Public functions: web_http_handle(), web_http_uri(), web_http_done(),
 * web_http_conn(), web_http_watch().
 */
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "grondslag/base/log.h"
#include "http.h"

#define COOKIE "__Host-grondslag"
#define URI_MAX 4096

/* One connection (MHD's socket context), in srv->conns. */
struct web_conn {
	struct web_conn *prev, *next;
	int fd;
	time_t mark;			/* since when a request is awaited */
	bool receiving;			/* no answer is being made or sent */
	bool cut;			/* the watch shut it down */
	bool outsider;			/* proxy mode: a uid that is no WebProxyUser */
	long uid;			/* the peer's uid (unix socket), else -1 */
};

/* One request as it comes in (MHD's per-request pointer). */
struct req {
	char uri[URI_MAX + 1];		/* as the client sent it, with the query */
	bool uri_too_long;
	char *body;
	size_t len;
	bool too_big;
	bool headers_seen;		/* the first call (headers only) is over */
};

static const char stylesheet[] =
	"body{font-family:sans-serif;margin:0 1em;color:#111;background:#fff}"
	"header{display:flex;justify-content:space-between;border-bottom:1px solid #999}"
	"table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #bbb;padding:.2em .4em;"
	"text-align:left;vertical-align:top}td{unicode-bidi:isolate}.error{color:#a00;font-weight:bold}"
	"fieldset{margin:.5em 0}label{display:block;margin:.3em 0}a:focus,button:focus,input:focus,"
	"select:focus,textarea:focus{outline:3px solid #1a5fb4}"
	"strong.urgent{color:#fff;background:#a00;padding:0 .3em}"
	"#urgent-request{border-left:4px solid #a00;padding-left:.5em}\n";

void *web_http_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	(void)conn;
	struct req *r = calloc(1, sizeof *r);
	if (r != NULL) {
		size_t n = strlen(uri);
		r->uri_too_long = n > URI_MAX;
		memcpy(r->uri, uri, r->uri_too_long ? 0 : n);
	}
	return r;
}

/* The tracked connection of conn, NULL when none. */
static struct web_conn *conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

/* Mark conn as receiving (awaiting a request since now) or not. */
static void conn_receiving(struct web_server *srv, struct MHD_Connection *conn, bool on)
{
	struct web_conn *k = conn_of(conn);
	if (k == NULL)
		return;
	pthread_mutex_lock(&srv->mu);
	k->receiving = on;
	k->mark = time(NULL);
	pthread_mutex_unlock(&srv->mu);
}

/* Is uid one of the WebProxyUser uids of srv? */
static bool proxy_uid(const struct web_server *srv, uid_t uid)
{
	for (size_t i = 0; i < srv->nproxy; i++)
		if (srv->proxy_uid[i] == uid)
			return true;
	return false;
}

void web_http_conn(void *cls, struct MHD_Connection *conn, void **socket_context,
		   enum MHD_ConnectionNotificationCode code)
{
	struct web_server *srv = cls;
	struct web_conn *k = *socket_context;
	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		/* MHD tells us before it closes the descriptor: once k is out of
		 * the list the watch can no longer touch the (reusable) fd */
		if (k == NULL)
			return;
		pthread_mutex_lock(&srv->mu);
		if (k->prev != NULL)
			k->prev->next = k->next;
		else
			srv->conns = k->next;
		if (k->next != NULL)
			k->next->prev = k->prev;
		pthread_mutex_unlock(&srv->mu);
		free(k);
		*socket_context = NULL;
		return;
	}
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	k = calloc(1, sizeof *k);
	if (k == NULL || ci == NULL) {
		/* untracked would mean unbounded: refuse it instead */
		if (ci != NULL)
			shutdown(ci->connect_fd, SHUT_RDWR);
		free(k);
		return;
	}
	k->fd = ci->connect_fd;
	k->mark = time(NULL);
	k->receiving = true;
	k->uid = -1;
	if (srv->proxy) {
		struct ucred cr;
		socklen_t cl = sizeof cr;
		if (getsockopt(k->fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0 && cl == sizeof cr)
			k->uid = (long)cr.uid;
		k->outsider = k->uid < 0 || !proxy_uid(srv, (uid_t)k->uid);
	}
	pthread_mutex_lock(&srv->mu);
	k->next = srv->conns;
	if (k->next != NULL)
		k->next->prev = k;
	srv->conns = k;
	pthread_mutex_unlock(&srv->mu);
	*socket_context = k;
}

void *web_http_watch(void *arg)
{
	struct web_server *srv = arg;
	for (;;) {
		pthread_mutex_lock(&srv->mu);
		if (srv->stop) {
			pthread_mutex_unlock(&srv->mu);
			return NULL;
		}
		time_t now = time(NULL);
		for (struct web_conn *k = srv->conns; k != NULL; k = k->next)
			if (k->receiving && !k->cut && now - k->mark >= (time_t)srv->timeout) {
				/* the connection's thread sees end of file and closes it */
				shutdown(k->fd, SHUT_RDWR);
				k->cut = true;
				log_msg(LOG_NOTICE, "web: a connection (uid %ld) sent no whole request "
						    "within %u s: cut off", k->uid, srv->timeout);
			}
		pthread_mutex_unlock(&srv->mu);
		sleep(1);
	}
}

void web_http_done(void *cls, struct MHD_Connection *conn, void **con_cls,
		   enum MHD_RequestTerminationCode toe)
{
	(void)toe;
	/* answered: the next request on this connection has its own time */
	conn_receiving(cls, conn, true);
	struct req *r = *con_cls;
	if (r != NULL)
		free(r->body);
	free(r);
	*con_cls = NULL;
}

/* Queue page p with the security headers (and the cookie, when new). */
static enum MHD_Result send_page(struct MHD_Connection *conn, struct web_page *p,
				 const char *cookie, unsigned timeout)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(p->len, p->body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(p->body);
		return MHD_NO;
	}
	static const char *const headers[][2] = {
		{"Content-Type", "text/html; charset=utf-8"},
		{"Content-Security-Policy",
		 "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
		 "frame-ancestors 'none'; base-uri 'none'"},
		{"X-Content-Type-Options", "nosniff"},
		{"X-Frame-Options", "DENY"},
		{"Referrer-Policy", "same-origin"},
		{"Cache-Control", "no-store"},
		{"Cross-Origin-Opener-Policy", "same-origin"},
		{"Cross-Origin-Resource-Policy", "same-origin"},
		{"Strict-Transport-Security", "max-age=31536000"},
	};
	for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++)
		MHD_add_response_header(resp, headers[i][0], headers[i][1]);
	MHD_add_response_header(resp, "Content-Language", web_lang());
	if (cookie != NULL) {
		char c[256];
		snprintf(c, sizeof c, COOKIE "=%s; Path=/; Max-Age=%u; Secure; HttpOnly; SameSite=Strict",
			 cookie, timeout);
		MHD_add_response_header(resp, "Set-Cookie", c);
	}
	enum MHD_Result rc = MHD_queue_response(conn, p->status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result send_css(struct MHD_Connection *conn)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		sizeof stylesheet - 1, (void *)stylesheet, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "text/css; charset=utf-8");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'none'");
	MHD_add_response_header(resp, "Cache-Control", "max-age=3600");
	enum MHD_Result rc = MHD_queue_response(conn, 200, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* How many times a request carries one header. */
struct header_count {
	const char *name;
	unsigned n;
};

/* MHD_KeyValueIterator: counts the header of cls (a header_count). */
static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	(void)kind;
	(void)value;
	struct header_count *hc = cls;
	if (strcasecmp(key, hc->name) == 0)
		hc->n++;
	return MHD_YES;
}

/* Proxy mode: the person the proxy names (WebUserHeader, exactly once),
 * on a connection of a WebProxyUser.  The session is bound to the name. */
static bool person_of_proxy(struct web_server *srv, struct MHD_Connection *conn, char *login,
			    size_t loginlen, char fpr[65], char *why, size_t whylen)
{
	struct web_conn *k = conn_of(conn);
	if (k == NULL || k->outsider) {
		snprintf(why, whylen, "this socket serves the reverse proxy only (uid %ld is no "
				      "WebProxyUser)", k != NULL ? k->uid : -1L);
		return false;
	}
	const char *h = config_str(srv->c, CONF_WEB_USER_HEADER);
	struct header_count hc = {h, 0};
	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &hc);
	if (hc.n == 0) {
		snprintf(why, whylen, "the proxy named nobody (no %.64s header)", h);
		return false;
	}
	if (hc.n > 1) {
		/* two values: which one the proxy wrote is not ours to guess */
		snprintf(why, whylen, "more than one %.64s header: refused", h);
		return false;
	}
	const char *name = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, h);
	if (!web_usermap_find(srv->c, name, login, loginlen, why, whylen))
		return false;
	/* modes never mix: a login cannot be taken for a fingerprint */
	snprintf(fpr, 65, "%s", login);
	return true;
}

/* The person of the connection's client certificate: true + login and
 * fpr, false + why (no certificate, not valid, mapped to nobody). */
static bool person_of(struct web_server *srv, struct MHD_Connection *conn, char *login,
		      size_t loginlen, char fpr[65], char *why, size_t whylen)
{
	if (srv->proxy)
		return person_of_proxy(srv, conn, login, loginlen, fpr, why, whylen);
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	gnutls_session_t tls = ci != NULL ? (gnutls_session_t)ci->tls_session : NULL;
	unsigned status = 0, n = 0;
	/* chain to a WebClientCA, in its validity, and made for clients */
	gnutls_typed_vdata_st purpose = {.type = GNUTLS_DT_KEY_PURPOSE_OID,
					 .data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT};
	const gnutls_datum_t *chain = tls != NULL ? gnutls_certificate_get_peers(tls, &n) : NULL;
	if (chain == NULL || n == 0) {
		snprintf(why, whylen, "no client certificate: sign in with your certificate");
		return false;
	}
	if (gnutls_certificate_verify_peers(tls, &purpose, 1, &status) != 0 || status != 0) {
		snprintf(why, whylen, "the client certificate is not valid here");
		return false;
	}
	gnutls_x509_crt_t crt;
	gnutls_datum_t dn = {NULL, 0};
	unsigned char digest[32];
	size_t dlen = sizeof digest;
	bool ok = gnutls_x509_crt_init(&crt) == 0;
	if (ok && (gnutls_x509_crt_import(crt, &chain[0], GNUTLS_X509_FMT_DER) != 0 ||
		   gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, digest, &dlen) != 0 ||
		   dlen != 32 || gnutls_x509_crt_get_dn3(crt, &dn, 0) != 0))
		ok = false;
	if (ok) {
		for (size_t i = 0; i < 32; i++)
			snprintf(fpr + 2 * i, 3, "%02x", digest[i]);
		ok = web_certmap_find(srv->c, fpr, (const char *)dn.data, login, loginlen, why,
				      whylen);
	} else {
		snprintf(why, whylen, "the client certificate cannot be read");
	}
	gnutls_free(dn.data);
	gnutls_x509_crt_deinit(crt);
	return ok;
}

/* A POST may change something: it must come from our own pages. */
static const char *post_refusal(struct web_server *srv, struct MHD_Connection *conn,
				const struct web_form *f, const struct web_session *s)
{
	const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	const char *site = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
	const char *type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	if (!web_origin_ok(origin, config_str(srv->c, CONF_WEB_ORIGIN), host))
		return "a form from another origin (or without an Origin header) is refused";
	if (site != NULL && strcmp(site, "same-origin") != 0)
		return "a cross-site request is refused";
	if (type == NULL || strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0)
		return "only forms of this console are accepted";
	if (!web_token_equal(web_form_get(f, "csrf"), s->csrf))
		return "the form's token is missing or wrong (reload the page and try again)";
	return NULL;
}

/* Route an authenticated request of session s. */
static void route(struct web_server *srv, struct MHD_Connection *conn, const char *method,
		  struct req *r, const struct web_session *s, struct web_page *out)
{
	struct web_ctx x = {.c = srv->c, .socket = config_str(srv->c, CONF_CONTROL_SOCKET),
			    .s = s, .now = time(NULL)};
	char path[URI_MAX + 1], why[300];
	size_t pl = strcspn(r->uri, "?");
	memcpy(path, r->uri, pl);
	path[pl] = '\0';
	const char *query = r->uri[pl] == '?' ? r->uri + pl + 1 : "";
	bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	bool post = strcmp(method, "POST") == 0;
	struct web_form f;
	const char *data = post ? (r->body ? r->body : "") : query;
	size_t len = post ? r->len : strlen(query);
	if (web_form_parse(data, len, &f, why, sizeof why) != 0) {
		web_page_error(400, "Bad request", why, out);
		return;
	}
	bool bulk = strcmp(path, "/bulk") == 0 || strcmp(path, "/bulk/confirm") == 0;
	if (post && (strcmp(path, "/decide") == 0 || strcmp(path, "/confirm") == 0 ||
		     strcmp(path, "/case") == 0 || bulk)) {
		const char *no = post_refusal(srv, conn, &f, s);
		if (no != NULL) {
			log_msg(LOG_WARNING, "web: %s: POST %s refused: %s", s->login, path, no);
			web_page_error(403, "Refused", no, out);
		} else if (strcmp(path, "/case") == 0) {
			web_page_case(&x, &f, out);
		} else if (bulk) {
			web_page_bulk(&x, &f, strcmp(path, "/bulk/confirm") == 0, out);
		} else {
			web_page_decide(&x, &f, strcmp(path, "/confirm") == 0, out);
		}
	} else if (get && strcmp(path, "/") == 0) {
		web_page_queue(&x, &f, out);
	} else if (get && strcmp(path, "/overview") == 0 && f.n == 0) {
		web_page_overview(&x, out);
	} else if (get && strncmp(path, "/hold/", 6) == 0 && pl > 14 &&
		   strcmp(path + pl - 8, "/message") == 0) {
		path[pl - 8] = '\0';
		web_page_message(&x, path + 6, &f, out);
	} else if (get && strncmp(path, "/hold/", 6) == 0) {
		web_page_hold(&x, path + 6, out);
	} else if (!get && !post) {
		web_page_error(405, "Method not allowed", "use the links and forms of the console", out);
	} else {
		web_page_error(404, "Not found", "no such page", out);
	}
	web_form_free(&f);
}

enum MHD_Result web_http_handle(void *cls, struct MHD_Connection *conn, const char *url,
				const char *method, const char *version, const char *upload,
				size_t *upload_size, void **con_cls)
{
	(void)version;
	struct web_server *srv = cls;
	struct req *r = *con_cls;
	if (r == NULL)
		return MHD_NO;
	if (!r->headers_seen) {
		/* the first call has the headers only: the body comes next */
		r->headers_seen = true;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		/* collect the body, counting past the limit without keeping it */
		if (!r->too_big && r->len + *upload_size <= WEB_BODY_MAX) {
			char *n = realloc(r->body, r->len + *upload_size + 1);
			if (n == NULL)
				return MHD_NO;
			r->body = n;
			memcpy(r->body + r->len, upload, *upload_size);
			r->len += *upload_size;
			r->body[r->len] = '\0';
		} else {
			r->too_big = true;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	/* the request is in: from here on the answer is being made */
	conn_receiving(srv, conn, false);
	/* the language of every page of this request */
	web_lang_set(web_lang_of(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     "Accept-Language")));
	struct web_page page = {0};
	char login[WEB_LOGIN_MAX], fpr[65] = "", why[300], id[WEB_TOKEN_HEX + 2] = "";
	struct web_session s;
	bool fresh = false;
	if (!person_of(srv, conn, login, sizeof login, fpr, why, sizeof why)) {
		log_msg(LOG_NOTICE, "web: refused: %s", why);
		web_page_error(403, "No access", why, &page);
		return send_page(conn, &page, NULL, 0);
	}
	/* even the stylesheet only for a person with a mapped certificate */
	if (strcmp(url, "/style.css") == 0 && strcmp(method, "GET") == 0)
		return send_css(conn);
	if (r->uri_too_long || r->too_big) {
		web_page_error(r->too_big ? 413 : 414, "Too large", "the request is too large", &page);
		return send_page(conn, &page, NULL, 0);
	}
	web_cookie_get(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Cookie"), COOKIE, id,
		       sizeof id);
	if (!web_sessions_get(srv->sessions, *id ? id : NULL, fpr, login, time(NULL), &s, &fresh)) {
		web_page_error(503, "Unavailable", "no session could be made", &page);
		return send_page(conn, &page, NULL, 0);
	}
	s.sender = web_login_is_sender(srv->c, s.login);
	route(srv, conn, method, r, &s, &page);
	return send_page(conn, &page, fresh ? s.id : NULL,
			 (unsigned)config_uint(srv->c, CONF_WEB_SESSION_TIMEOUT));
}
