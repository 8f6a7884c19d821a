/*
 * certmap.c - which person a TLS client certificate is: the
 * WebCertificateMap lines name a login per certificate, by its SHA-256
 * fingerprint (one certificate exactly) or by its subject DN (any
 * certificate the WebClientCA issued with that subject, e.g. renewed
 * ones).  The login must also hold a role (Jurist, Admin, Auditor or
 * Sender line):
 * a certificate mapped to nobody, or to somebody without a role, gets no
 * page at all.  The role itself is the daemon's business.
 *
 * Behind a reverse proxy (proxy mode) the person is the value of one
 * header the proxy writes (WebUserHeader), mapped the same way by the
 * WebUserMap lines ("LOGIN NAME", the name compared exactly), to a login
 * that must hold a role too.
 *
 * Public functions: web_certmap_parse(), web_certmap_find(),
 * web_certmap_check(), web_usermap_find(), web_proxy_check(),
 * web_login_is_sender().
 * Limits: logins of WEB_LOGIN_MAX-1 bytes of [A-Za-z0-9._-].
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "web.h"

/* Normalise a fingerprint (hex digits, colons allowed, any case) into
 * out (64 lowercase digits); false when it is not one. */
static bool fpr_norm(const char *in, size_t n, char out[65])
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)in[i];
		if (ch == ':')
			continue;
		if (!isxdigit(ch) || k == 64)
			return false;
		out[k++] = (char)tolower(ch);
	}
	out[k] = '\0';
	return k == 64;
}

static bool login_ok(const char *s, size_t n)
{
	if (n == 0 || n >= WEB_LOGIN_MAX || s[0] == '-' || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._-", s[i]) == NULL)
			return false;
	return true;
}

bool web_certmap_parse(const char *value, struct web_certmap_line *out, char *why,
		       size_t whylen)
{
	memset(out, 0, sizeof *out);
	size_t n = strcspn(value, " \t");
	const char *rest = value + n + strspn(value + n, " \t");
	if (!login_ok(value, n)) {
		snprintf(why, whylen, "WebCertificateMap: \"%.64s\": no login name first", value);
		return false;
	}
	memcpy(out->login, value, n);
	if (strncmp(rest, "sha256:", 7) == 0) {
		if (fpr_norm(rest + 7, strlen(rest + 7), out->fpr))
			return true;
		snprintf(why, whylen, "WebCertificateMap %s: sha256: needs 64 hex digits", out->login);
		return false;
	}
	if (strncmp(rest, "subject:", 8) == 0 && rest[8] != '\0') {
		out->subject = rest + 8;
		return true;
	}
	snprintf(why, whylen, "WebCertificateMap %s: give sha256:FINGERPRINT or subject:DN",
		 out->login);
	return false;
}

bool web_certmap_check(const struct config *c, char *why, size_t whylen)
{
	struct web_certmap_line l;
	for (size_t i = 0; i < config_list_count(c, CONF_WEB_CERTIFICATE_MAP); i++)
		if (!web_certmap_parse(config_list(c, CONF_WEB_CERTIFICATE_MAP, i), &l, why, whylen))
			return false;
	return true;
}

/* Is login the first word of a line of key k? */
static bool has_line(const struct config *c, enum config_key k, const char *login)
{
	size_t n = strlen(login);
	for (size_t i = 0; i < config_list_count(c, k); i++) {
		const char *v = config_list(c, k, i);
		if (strncmp(v, login, n) == 0 && (v[n] == '\0' || v[n] == ' ' || v[n] == '\t'))
			return true;
	}
	return false;
}

/* login (a mapped login) into out when it holds a role; false + why. */
static bool role_login(const struct config *c, const char *l, char *out, size_t outlen,
		       char *why, size_t whylen)
{
	if (!has_line(c, CONF_JURIST, l) && !has_line(c, CONF_ADMIN, l) &&
	    !has_line(c, CONF_AUDITOR, l) && !has_line(c, CONF_SENDER, l)) {
		snprintf(why, whylen, "%s has no role (Jurist, Admin, Auditor, Sender)", l);
		return false;
	}
	snprintf(out, outlen, "%s", l);
	return true;
}

bool web_login_is_sender(const struct config *c, const char *login)
{
	/* the daemon's order: a login on a line of another role is that */
	return has_line(c, CONF_SENDER, login) && !has_line(c, CONF_JURIST, login) &&
	       !has_line(c, CONF_ADMIN, login) && !has_line(c, CONF_AUDITOR, login);
}

bool web_certmap_find(const struct config *c, const char *fpr, const char *subject, char *login,
		      size_t loginlen, char *why, size_t whylen)
{
	char want[65] = "";
	const char *hit = NULL;
	struct web_certmap_line l;
	if (fpr != NULL && !fpr_norm(fpr, strlen(fpr), want))
		want[0] = '\0';
	/* the fingerprint names one certificate: it wins over a subject */
	for (int pass = 0; pass < 2 && hit == NULL; pass++) {
		for (size_t i = 0; hit == NULL && i < config_list_count(c, CONF_WEB_CERTIFICATE_MAP);
		     i++) {
			const char *v = config_list(c, CONF_WEB_CERTIFICATE_MAP, i);
			if (!web_certmap_parse(v, &l, why, whylen))
				continue;
			if (pass == 0 ? (*want && strcmp(l.fpr, want) == 0)
				      : (l.subject != NULL && subject != NULL &&
					 strcmp(l.subject, subject) == 0))
				hit = v;
		}
	}
	if (hit == NULL) {
		snprintf(why, whylen, "this certificate is mapped to nobody (WebCertificateMap)");
		return false;
	}
	web_certmap_parse(hit, &l, why, whylen);
	return role_login(c, l.login, login, loginlen, why, whylen);
}

/* The name part of a WebUserMap value after its login (n bytes); NULL
 * when the line has no valid login or no name. */
static const char *usermap_name(const char *v, size_t *n)
{
	size_t ln = strcspn(v, " \t");
	const char *name = v + ln + strspn(v + ln, " \t");
	if (!login_ok(v, ln) || *name == '\0')
		return NULL;
	*n = strlen(name);
	while (*n > 0 && (name[*n - 1] == ' ' || name[*n - 1] == '\t'))
		(*n)--;
	return name;
}

bool web_usermap_find(const struct config *c, const char *name, char *login, size_t loginlen,
		      char *why, size_t whylen)
{
	if (name == NULL || *name == '\0') {
		snprintf(why, whylen, "the proxy named nobody (no user header)");
		return false;
	}
	for (size_t i = 0; i < config_list_count(c, CONF_WEB_USER_MAP); i++) {
		const char *v = config_list(c, CONF_WEB_USER_MAP, i);
		size_t n = 0;
		const char *mine = usermap_name(v, &n);
		if (mine == NULL || n != strlen(name) || memcmp(mine, name, n) != 0)
			continue;
		char l[WEB_LOGIN_MAX];
		size_t ln = strcspn(v, " \t");
		memcpy(l, v, ln);
		l[ln] = '\0';
		return role_login(c, l, login, loginlen, why, whylen);
	}
	snprintf(why, whylen, "this user is mapped to nobody (WebUserMap)");
	return false;
}

bool web_proxy_check(const struct config *c, char *why, size_t whylen)
{
	const char *h = config_str(c, CONF_WEB_USER_HEADER);
	const char *listen = config_str(c, CONF_WEB_LISTEN);
	bool unix_listen = strncmp(listen, "unix:", 5) == 0;
	if (*h == '\0') {
		if (unix_listen)
			snprintf(why, whylen, "WebListen %.100s: a unix socket is for proxy mode only "
					      "(set WebUserHeader)", listen);
		return !unix_listen;
	}
	/* an HTTP token: the name of one header, nothing that could split it */
	for (const char *p = h; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') {
			snprintf(why, whylen, "WebUserHeader %.64s: not a header name", h);
			return false;
		}
	/* the header is only as trustworthy as the one who may write it: a TCP
	 * port would let any client name any person */
	if (!unix_listen || listen[5] != '/') {
		snprintf(why, whylen, "WebUserHeader is set (proxy mode) but WebListen %.100s is no "
				      "unix:/PATH: proxy mode serves a unix socket only", listen);
		return false;
	}
	if (config_list_count(c, CONF_WEB_PROXY_USER) == 0) {
		snprintf(why, whylen, "proxy mode needs WebProxyUser (the reverse proxy's login)");
		return false;
	}
	for (size_t i = 0; i < config_list_count(c, CONF_WEB_USER_MAP); i++) {
		size_t n;
		if (usermap_name(config_list(c, CONF_WEB_USER_MAP, i), &n) == NULL) {
			snprintf(why, whylen, "WebUserMap \"%.64s\": give LOGIN NAME",
				 config_list(c, CONF_WEB_USER_MAP, i));
			return false;
		}
	}
	return true;
}
