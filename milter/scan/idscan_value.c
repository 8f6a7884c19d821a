/*
 * idscan_value.c - recognising one value for the identifier scanner (see
 * idscan_priv.h): host names against the top-level domains in use, e-mail
 * addresses, http/https/ftp URLs, defanged forms ([.] (.) {.} [dot] [@]
 * [at] hxxp fxp), file names that only look like hosts, secrets and user
 * names, and the names of columns and labels.  Pure functions over
 * bounded input; no allocation.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grondslag/base/domain.h"
#include "idscan_priv.h"

/* ---- top-level domains ---------------------------------------------- */

/* Country codes in use (ISO 3166-1 alpha-2 with the IANA additions ac,
 * eu, su, uk), IANA root zone database, 2026. */
static const char cctlds[] =
	"ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo "
	"bq br bs bt bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk "
	"dm do dz ec ee eg er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq "
	"gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh "
	"ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn "
	"mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg "
	"ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so "
	"sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy "
	"uz va vc ve vg vi vn vu wf ws ye yt za zm zw ";

/* Generic top-level domains seen in incident data; a name under another
 * generic one is missed, never invented. */
static const char *const gtlds[] = {
	"com", "net", "org", "info", "biz", "gov", "edu", "mil", "int", "name", "pro", "aero",
	"coop", "museum", "mobi", "asia", "tel", "travel", "jobs", "cat", "app", "dev", "page",
	"cloud", "online", "site", "xyz", "top", "shop", "store", "tech", "club", "live", "email",
	"link", "click", "space", "website", "blog", "news", "agency", "digital", "network",
	"systems", "solutions", "services", "group", "company", "center", "global", "world",
	"today", "life", "media", "ltd", "llc", "host", "hosting", "server", "security", "bank",
	"insurance", "health", "gmbh", "amsterdam", "frl", "berlin", "nyc", "london", "paris",
	"tokyo", "wien", "brussels", "vlaanderen", "bayern", "nrw", "icu", "work", "vip", "win",
	"bid", "loan", "men", "date", "download", "review", "stream", "party", "trade", "science",
	"zip", "mov", "support", "software", "energy", "cyou", "sbs", "rest", "bar", "buzz",
};

/* Country-code domains that are also common file extensions: a bare
 * "name.ext" under one of these is a file, not a host, unless a column
 * name or defanging says otherwise. */
static const char *const file_like[] = {"zip", "mov", "py", "sh", "pl", "md", "rs", "cc",
					 "so", "ps", "ai", "pm", "ml", "mk", "in", "sc"};

bool idscan_name_in(const char *const *l, size_t n, const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		/* by length, then bytes: a NUL byte in s (a cell may hold one)
		 * must not end the comparison early */
		if (l[i][0] == s[0] && strlen(l[i]) == len && memcmp(l[i], s, len) == 0)
			return true;
	return false;
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static bool tld_exists(const char *t, size_t len)
{
	if (len >= 5 && memcmp(t, "xn--", 4) == 0)
		return true;
	for (size_t i = 0; i < len; i++)
		if (t[i] < 'a' || t[i] > 'z')
			return false;
	if (len == 2) {
		for (const char *p = cctlds; *p; p += 3)
			if (p[0] == t[0] && p[1] == t[1])
				return true;
		return false;
	}
	return idscan_name_in(gtlds, N_OF(gtlds), t, len);
}

bool idscan_is_hostname(const char *s, size_t len)
{
	if (len < 4 || len > 253)
		return false;
	size_t labels = 0, start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			char c = s[i];
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
				return false;
			continue;
		}
		size_t l = i - start;
		if (l == 0 || l > 63 || s[start] == '-' || s[i - 1] == '-')
			return false;
		labels++;
		if (i == len)
			return labels >= 2 && tld_exists(s + start, l);
		start = i + 1;
	}
	return false;
}

/* ---- value recognition ---------------------------------------------- */

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Copy tok into v->text in lower case with defanging undone. */
static bool refang(const char *t, size_t n, struct val *v)
{
	static const struct {
		const char *from;
		size_t len;
		char to;
	} subs[] = {{"[.]", 3, '.'},   {"(.)", 3, '.'},	 {"{.}", 3, '.'}, {"[dot]", 5, '.'},
		    {"(dot)", 5, '.'}, {"[@]", 3, '@'},	 {"(@)", 3, '@'}, {"[at]", 4, '@'},
		    {"(at)", 4, '@'},  {"[:]", 3, ':'}};
	size_t o = 0;
	v->defanged = false;
	v->url = false;
	if (n >= 4 && (lower(t[0]) == 'h' && lower(t[1]) == 'x' && lower(t[2]) == 'x' &&
		       lower(t[3]) == 'p')) {
		memcpy(v->text, "http", 4);
		o = 4;
		t += 4;
		n -= 4;
		v->defanged = true;
	} else if (n >= 3 && lower(t[0]) == 'f' && lower(t[1]) == 'x' && lower(t[2]) == 'p') {
		memcpy(v->text, "ftp", 3);
		o = 3;
		t += 3;
		n -= 3;
		v->defanged = true;
	}
	for (size_t i = 0; i < n; i++) {
		if (o + 1 >= IDSCAN_VALUE_MAX)
			return false;
		if (t[i] == '[' || t[i] == '(' || t[i] == '{') {
			bool hit = false;
			char nx = i + 1 < n ? lower(t[i + 1]) : '\0';
			if (nx != '.' && nx != '@' && nx != ':' && nx != 'd' && nx != 'a')
				return false;	/* no defanging starts so */
			for (size_t k = 0; k < N_OF(subs) && !hit; k++) {
				size_t fl = subs[k].len;
				if (n - i >= fl && strncasecmp(t + i, subs[k].from, fl) == 0) {
					v->text[o++] = subs[k].to;
					i += fl - 1;
					hit = v->defanged = true;
				}
			}
			if (hit)
				continue;
			return false;
		}
		v->text[o++] = lower(t[i]);
	}
	v->text[o] = '\0';
	v->len = o;
	return true;
}

/* True when t (lower case) is a bare "name.ext" with a file-like ext. */
static bool file_name_like(const char *t, size_t n)
{
	const char *dot = memchr(t, '.', n);
	if (dot == NULL || memchr(dot + 1, '.', n - (size_t)(dot + 1 - t)) != NULL)
		return false;
	return idscan_name_in(file_like, N_OF(file_like), dot + 1, n - (size_t)(dot + 1 - t));
}

/* A byte of a local part (strchr would also take the NUL byte). */
static bool local_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr(".!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

/* Internationalised labels of v->text[off, off + *hl) to A-labels in
 * place (the tail moved), so "münchen.de" counts as "xn--mnchen-3ya.de"
 * wherever it is written.  False when the name is no valid domain. */
static bool alabels(struct val *v, size_t off, size_t *hl)
{
	char *h = v->text + off;
	bool ascii = true;
	for (size_t i = 0; i < *hl && ascii; i++)
		ascii = (unsigned char)h[i] < 0x80;
	if (ascii)
		return true;
	char in[IDSCAN_VALUE_MAX], out[DOMAIN_TEXT_MAX];
	memcpy(in, h, *hl);
	in[*hl] = '\0';
	if (!domain_normalize(in, out, sizeof out))
		return false;
	size_t ol = strlen(out), tail = strlen(h + *hl);
	if (off + ol + tail >= IDSCAN_VALUE_MAX)
		return false;
	memmove(h + ol, h + *hl, tail + 1);
	memcpy(h, out, ol);
	v->len = v->len - *hl + ol;
	*hl = ol;
	return true;
}

/* Recognise one token as an e-mail address, URL or host name; trusted
 * (column, label) relaxes the file-name rule. */
bool idscan_classify(const char *t, size_t n, bool trusted, struct val *v)
{
	while (n > 0 && (t[n - 1] == '.' || t[n - 1] == ','))
		n--;
	if (n < 4 || n >= IDSCAN_VALUE_MAX || !refang(t, n, v))
		return false;
	char *s = v->text;
	size_t len = v->len;
	if (len > 7 && memcmp(s, "mailto:", 7) == 0) {
		memmove(s, s + 7, len - 6);
		len -= 7;
	}
	char *sep = strstr(s, "://");
	if (sep != NULL) {
		size_t sl = (size_t)(sep - s);
		if (!((sl == 4 && memcmp(s, "http", 4) == 0) || (sl == 5 && memcmp(s, "https", 5) == 0) ||
		      (sl == 3 && memcmp(s, "ftp", 3) == 0)))
			return false;
		char *h = sep + 3;
		size_t hl = strcspn(h, "/?#:");
		char *at = memchr(h, '@', hl);
		if (at != NULL) {
			hl -= (size_t)(at + 1 - h);
			h = at + 1;
		}
		while (hl > 0 && h[hl - 1] == '.')
			hl--;
		if (!alabels(v, (size_t)(h - s), &hl) || !idscan_is_hostname(h, hl))
			return false;
		memmove(s, h, hl);
		s[hl] = '\0';
		v->len = hl;
		v->doff = 0;
		v->kind = IDSCAN_HOST;
		v->url = true;
		return true;
	}
	char *at = memchr(s, '@', len);
	if (at != NULL) {
		size_t ll = (size_t)(at - s), dl = len - ll - 1;
		if (ll == 0 || ll > 64 || memchr(at + 1, '@', dl) != NULL || s[0] == '.')
			return false;
		for (size_t i = 0; i < ll; i++)
			if (!local_char(s[i]))
				return false;
		v->len = len;
		if (!alabels(v, ll + 1, &dl) || !idscan_is_hostname(at + 1, dl))
			return false;
		len = v->len;
		v->len = len;
		v->doff = ll + 1;
		v->kind = IDSCAN_EMAIL;
		return true;
	}
	size_t hl = strcspn(s, "/");
	if (hl < len && hl == 0)
		return false;
	v->len = len;
	if (!alabels(v, 0, &hl) || !idscan_is_hostname(s, hl))
		return false;
	len = v->len;
	if (!trusted && !v->defanged && (hl < len || file_name_like(s, hl)))
		return false;	/* a path or a file name, not a listed host */
	s[hl] = '\0';
	v->len = hl;
	v->doff = 0;
	v->kind = IDSCAN_HOST;
	return true;
}

/* A password or hash cell: printable, no blanks, 3..256 bytes. */
bool idscan_secret_like(const char *t, size_t n)
{
	if (n < 3 || n > 256)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] <= ' ' || t[i] == 0x7f)
			return false;
	return true;
}

/* A user name: 2..64 of [A-Za-z0-9._-], at least one letter. */
bool idscan_user_like(const char *t, size_t n)
{
	bool letter = false;
	if (n < 2 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = lower(t[i]);
		letter |= c >= 'a' && c <= 'z';
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return letter;
}

/* ---- names of columns and labels ------------------------------------ */

static const char *const id_names[] = {"email", "e-mail", "mail", "emailaddress", "email_address",
				       "e-mailadres", "mailadres", "host", "hostname", "fqdn",
				       "domain", "domain_name", "domainname", "url", "uri",
				       "http_host", "victim", "website_url"};
static const char *const user_names[] = {"user", "username", "user_name", "login", "account",
					 "userid", "user_id", "gebruiker", "gebruikersnaam"};
static const char *const pass_names[] = {"password", "pass", "passwd", "pwd", "hash",
					 "password_hash", "passwordhash", "secret", "wachtwoord"};
static const char *const header_names[] = {
	"from", "to", "cc", "bcc", "reply-to", "sender", "date", "sent", "subject", "message-id",
	"in-reply-to", "references", "return-path", "received", "van", "aan", "onderwerp",
	"datum", "verzonden", "de", "von", "an", "betreff", "list-id", "list-unsubscribe",
	"list-post", "list-help", "delivered-to", "envelope-to", "x-original-to", "organization"};

/* Name of a column or label, normalised (lower case, blanks and dots as
 * '_'), with a source/destination prefix taken off. */
size_t idscan_norm_name(const char *t, size_t n, char *out, size_t size)
{
	size_t o = 0;
	while (n > 0 && (*t == '"' || *t == ' ' || *t == '\''))
		t++, n--;
	while (n > 0 && (t[n - 1] == '"' || t[n - 1] == ' ' || t[n - 1] == '\''))
		n--;
	for (size_t i = 0; i < n && o + 1 < size; i++)
		out[o++] = t[i] == ' ' || t[i] == '.' ? '_' : lower(t[i]);
	out[o] = '\0';
	static const char *const prefixes[] = {"src_", "source_", "dst_", "destination_",
					       "victim_", "infected_", "compromised_", "client_"};
	if (memchr(out, '_', o) == NULL)
		return o;
	for (size_t i = 0; i < N_OF(prefixes); i++) {
		size_t pl = strlen(prefixes[i]);
		if (o > pl && out[0] == prefixes[i][0] && memcmp(out, prefixes[i], pl) == 0) {
			memmove(out, out + pl, o - pl + 1);
			return o - pl;
		}
	}
	return o;
}

/* Role of a name already normalised (norm_name). */
enum col_role idscan_normed_role(const char *nm, size_t l)
{
	if (idscan_name_in(id_names, N_OF(id_names), nm, l))
		return COL_ID;
	if (idscan_name_in(user_names, N_OF(user_names), nm, l))
		return COL_USER;
	if (idscan_name_in(pass_names, N_OF(pass_names), nm, l))
		return COL_PASS;
	return COL_NONE;
}

enum col_role idscan_name_role(const char *t, size_t n)
{
	char nm[40];
	if (n >= sizeof nm)
		return COL_NONE;
	size_t l = idscan_norm_name(t, n, nm, sizeof nm);
	return idscan_normed_role(nm, l);
}

bool idscan_is_mail_header(const char *nm, size_t l)
{
	return idscan_name_in(header_names, N_OF(header_names), nm, l);
}

