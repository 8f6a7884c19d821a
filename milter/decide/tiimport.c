/*
 * tiimport.c - Trusted Introducer teams.json -> registry party entries
 * (YAML text) for a jurist to complete.  Imports never create a basis:
 * the only "bases" this file can write is the literal "bases: []".
 *
 * The directory is hostile input like any other: it is read with the
 * bounded jsonr reader, every value is validated with the same functions
 * the registry uses (domain, address, prefix), and directory text that
 * reaches the output is either a double-quoted YAML scalar with every
 * line-breaking character escaped, or a comment with them replaced.
 *
 * Public functions: tiimport_run(), tiimport_slug(), tiimport_range_cidrs()
 * Limits: jsonr's; TIIMPORT_MAX_COMMENT bytes per comment; 256 CIDRs per
 * range.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/clean.h"
#include "grondslag/base/domain.h"
#include "grondslag/base/jsonr.h"
#include "grondslag/base/strtab.h"
#include "grondslag/decide/regsig.h"
#include "grondslag/decide/tiimport.h"

#define RANGE_MAX_CIDRS 256
#define SLUG_BASE_MAX 56

/* Public mail providers: their domain never becomes a contact domain
 * (every user of the provider would resolve to the team).
 * XXX a short list of the common ones; the jurist still checks. */
static const char *const public_mail_domains[] = {
	"gmail.com",   "googlemail.com", "outlook.com", "hotmail.com", "live.com",
	"yahoo.com",   "aol.com",	 "icloud.com",	"me.com",      "gmx.de",
	"gmx.net",     "gmx.at",	 "web.de",	"protonmail.com", "proton.me",
	"mail.ru",     "yandex.ru",	 "qq.com",	"163.com",     "outlook.de",
};

/* ---- a string set, for unique ids/domains/addresses ---------------- */

/* Insert a copy of s into set (a strtab whose keys it owns, each its own
 * value); false when out of memory (already present counts as done). */
static bool strset_add(struct strtab *set, const char *s)
{
	if (strtab_get(set, s) != NULL)
		return true;
	char *copy = strdup(s);
	if (copy == NULL)
		return false;
	strtab_put(set, copy, copy);
	if (set->oom) {
		free(copy);
		return false;
	}
	return true;
}

/* ---- a growable list of owned strings ------------------------------- */

struct strlist {
	char **v;
	size_t n, cap;
};

static bool strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

/* Append a copy of s unless it is already there. */
static bool strlist_add(struct strlist *l, const char *s)
{
	if (strlist_has(l, s))
		return true;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **nv = realloc(l->v, cap * sizeof *nv);
		if (nv == NULL)
			return false;
		l->v = nv;
		l->cap = cap;
	}
	if ((l->v[l->n] = strdup(s)) == NULL)
		return false;
	l->n++;
	return true;
}

static void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* ---- output helpers ------------------------------------------------- */

/* Decode one UTF-8 sequence at s; its length in *n (1 for a bad byte). */
static unsigned long utf8_at(const unsigned char *s, size_t *n)
{
	if (s[0] < 0x80) {
		*n = 1;
		return s[0];
	}
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 1;
	unsigned long cp = len == 4 ? s[0] & 0x07u : len == 3 ? s[0] & 0x0fu : s[0] & 0x1fu;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*n = 1;
			return 0xfffd;
		}
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	*n = len;
	return len == 1 ? 0xfffd : cp;
}

/* Characters YAML (1.1, as libyaml reads it) treats as line breaks or
 * that are invisible: never raw in our output. */
static bool yaml_unsafe(unsigned long cp)
{
	return clean_unwanted_cp((uint32_t)cp, CLEAN_INVISIBLE);
}

/* A double-quoted YAML scalar. */
static void yaml_quoted(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', out);
	while (*p != '\0') {
		size_t n;
		unsigned long cp = utf8_at(p, &n);
		if (cp == '"' || cp == '\\')
			fprintf(out, "\\%c", (int)cp);
		else if (yaml_unsafe(cp))
			fprintf(out, "\\u%04lX", cp > 0xffff ? 0xfffdUL : cp);
		else
			fwrite(p, 1, n, out);
		p += n;
	}
	fputc('"', out);
}

/* Directory text inside a comment: bounded, line breaks replaced. */
static void yaml_comment_text(FILE *out, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t written = 0;
	while (*p != '\0') {
		size_t n;
		unsigned long cp = utf8_at(p, &n);
		if (written + n > max) {
			fputs("...", out);
			return;
		}
		if (yaml_unsafe(cp))
			fputc('?', out);
		else
			fwrite(p, 1, n, out);
		written += n;
		p += n;
	}
}

/* Directory text for a name: line breaks, controls and invisible
 * characters become spaces (the registry refuses control characters),
 * cut at a character boundary to fit size. */
static void clean_text(const char *in, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;
	while (*p != '\0') {
		size_t n;
		unsigned long cp = utf8_at(p, &n);
		if (yaml_unsafe(cp)) {
			if (o + 1 >= size)
				break;
			out[o++] = ' ';
		} else {
			if (o + n >= size)
				break;
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	out[o] = '\0';
}

struct ti {
	const char *name;	/* the file, for messages */
	FILE *out, *warn;
	struct strtab ids, domains, addresses;	/* owned keys: strset_add() */
	size_t written, skipped;
	bool oom;
};

/* "file: team 'X': message" on the warning stream. */
static void team_warn(struct ti *t, const char *team, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void team_warn(struct ti *t, const char *team, const char *fmt, ...)
{
	fprintf(t->warn, "%s: team '", t->name);
	yaml_comment_text(t->warn, team != NULL ? team : "?", 64);
	fputs("': ", t->warn);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(t->warn, fmt, ap);
	va_end(ap);
	fputc('\n', t->warn);
}

/* ---- field extraction ----------------------------------------------- */

void tiimport_slug(const char *name, char *out)
{
	size_t n = 0;
	bool dash = false;
	for (const unsigned char *p = (const unsigned char *)name; p != NULL && *p != '\0'; p++) {
		unsigned char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && n > 0 && n < SLUG_BASE_MAX)
				out[n++] = '-';
			dash = false;
			if (n < SLUG_BASE_MAX)
				out[n++] = (char)c;
		} else {
			dash = true;
		}
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	if (n == 0) {
		strcpy(out, "team");
		return;
	}
	out[n] = '\0';
}

/* A unique id for the team, recorded in t->ids. */
static bool unique_id(struct ti *t, const char *short_name, char *id)
{
	char base[TIIMPORT_ID_MAX + 1];
	tiimport_slug(short_name, base);
	snprintf(id, TIIMPORT_ID_MAX + 1, "%s", base);
	for (unsigned k = 2; strtab_get(&t->ids, id) != NULL; k++) {
		char suffix[16];
		int n = snprintf(suffix, sizeof suffix, "-%u", k);
		/* Shorten the base when the suffix needs the room. */
		size_t keep = strlen(base);
		if (keep + (size_t)n > TIIMPORT_ID_MAX)
			keep = TIIMPORT_ID_MAX - (size_t)n;
		memcpy(id, base, keep);
		memcpy(id + keep, suffix, (size_t)n + 1);
	}
	return strset_add(&t->ids, id);
}

/* A country code from "AT" or {"code": "AT"}, upper-cased; false if invalid. */
static bool country_code(const struct jsonr_value *v, char out[3])
{
	const char *s = jsonr_type(v) == JSONR_OBJECT ? jsonr_str(jsonr_get(v, "code")) : jsonr_str(v);
	if (jsonr_type(v) == JSONR_NUMBER || s == NULL || strlen(s) != 2)
		return false;
	for (int i = 0; i < 2; i++) {
		char c = s[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < 'A' || c > 'Z')
			return false;
		out[i] = c;
	}
	out[2] = '\0';
	return true;
}

static bool public_mail_domain(const char *d)
{
	for (size_t i = 0; i < sizeof public_mail_domains / sizeof public_mail_domains[0]; i++)
		if (strcmp(d, public_mail_domains[i]) == 0)
			return true;
	return false;
}

/* emails[].address (or plain strings) -> addresses and contact domains. */
static void team_emails(struct ti *t, const char *team, const struct jsonr_value *emails,
			struct strlist *addrs, struct strlist *doms)
{
	for (size_t i = 0; i < jsonr_count(emails); i++) {
		const struct jsonr_value *e = jsonr_at(emails, i);
		const char *raw = jsonr_type(e) == JSONR_STRING ? jsonr_str(e)
			: jsonr_str(jsonr_get(e, "address"));
		char addr[ADDRESS_TEXT_MAX];
		const char *dom = NULL;
		if (raw == NULL || jsonr_type(jsonr_get(e, "address")) == JSONR_NUMBER ||
		    !domain_address_normalize(raw, addr, sizeof addr, &dom)) {
			team_warn(t, team, "emails[%zu]: not a valid address, dropped", i);
			continue;
		}
		if (strlist_has(addrs, addr))
			continue;
		if (strtab_get(&t->addresses, addr) != NULL) {
			team_warn(t, team, "address %s already belongs to an earlier team, dropped",
				  addr);
			continue;
		}
		t->oom |= !strlist_add(addrs, addr);
		if (strlist_has(doms, dom))
			continue;
		if (public_mail_domain(dom)) {
			team_warn(t, team, "%s is a public mail provider: address only, no domain",
				  dom);
		} else if (strtab_get(&t->domains, dom) != NULL) {
			team_warn(t, team, "domain %s already belongs to an earlier team: address only",
				  dom);
		} else {
			t->oom |= !strlist_add(doms, dom);
		}
	}
}

/* pgp_keys[].fingerprint (or strings) -> 40 upper-case hex digits. */
static void team_pgp(struct ti *t, const char *team, const struct jsonr_value *keys,
		     struct strlist *fprs)
{
	for (size_t i = 0; i < jsonr_count(keys); i++) {
		const struct jsonr_value *k = jsonr_at(keys, i);
		const char *raw = jsonr_type(k) == JSONR_STRING ? jsonr_str(k)
			: jsonr_str(jsonr_get(k, "fingerprint"));
		char fpr[REGSIG_FPR_LEN + 1];
		if (raw == NULL || jsonr_type(jsonr_get(k, "fingerprint")) == JSONR_NUMBER ||
		    !regsig_fpr_normalize(raw, fpr)) {
			team_warn(t, team, "pgp_keys[%zu]: not a 40-hex-digit fingerprint, dropped",
				  i);
			continue;
		}
		t->oom |= !strlist_add(fprs, fpr);
	}
}

/* constituency.asns: 679 or "AS679"/"679", 1..4294967295. */
static void team_asns(struct ti *t, const char *team, const struct jsonr_value *asns,
		      struct strlist *out)
{
	for (size_t i = 0; i < jsonr_count(asns); i++) {
		const struct jsonr_value *a = jsonr_at(asns, i);
		const char *s = jsonr_str(a);
		uint64_t v = 0;
		bool ok = s != NULL && s[0] != '\0';
		if (ok && jsonr_type(a) == JSONR_STRING && (s[0] == 'A' || s[0] == 'a') &&
		    (s[1] == 'S' || s[1] == 's'))
			s += 2;
		for (const char *p = s; ok && *p != '\0'; p++) {
			ok = *p >= '0' && *p <= '9' && v <= UINT32_MAX;
			v = v * 10 + (uint64_t)(*p - '0');
		}
		if (!ok || s[0] == '\0' || v == 0 || v > UINT32_MAX) {
			team_warn(t, team, "constituency.asns[%zu]: not an AS number, dropped", i);
			continue;
		}
		char buf[16];
		snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
		t->oom |= !strlist_add(out, buf);
	}
}

/* Add one to an address (wrapping is the caller's concern). */
static void addr_inc(struct ip_addr *a)
{
	for (int i = a->family == IP_V4 ? 3 : 15; i >= 0; i--)
		if (++a->octet[i] != 0)
			break;
}

int tiimport_range_cidrs(const struct ip_addr *first, const struct ip_addr *last,
			 struct ip_prefix *out, size_t max)
{
	if (first->family != last->family || ip_addr_cmp(first, last) > 0)
		return -1;
	unsigned bits = first->family == IP_V4 ? 32 : 128;
	struct ip_addr cur = *first;
	size_t n = 0;
	for (;;) {
		/* The largest block that starts at cur and ends within last. */
		struct ip_prefix p = {.addr = cur, .len = (uint8_t)bits};
		struct ip_addr lo, hi;
		for (unsigned len = 0; len <= bits; len++) {
			struct ip_prefix q = {.addr = cur, .len = (uint8_t)len};
			ip_prefix_first(&q, &lo);
			ip_prefix_last(&q, &hi);
			if (ip_addr_cmp(&lo, &cur) == 0 && ip_addr_cmp(&hi, last) <= 0) {
				p = q;
				break;
			}
		}
		if (n == max)
			return -1;
		out[n++] = p;
		ip_prefix_last(&p, &hi);
		if (ip_addr_cmp(&hi, last) == 0)
			return (int)n;
		cur = hi;
		addr_inc(&cur);
	}
}

/* Copy s without surrounding spaces into buf; false if too long. */
static bool trimmed(const char *s, size_t n, char *buf, size_t size)
{
	while (n > 0 && *s == ' ') {
		s++;
		n--;
	}
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n == 0 || n >= size)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

/* One ipranges entry -> prefixes: CIDR, single address, or "a - b". */
static void one_range(struct ti *t, const char *team, size_t i, const char *s,
		      struct strlist *out)
{
	char text[2 * IP_ADDR_TEXT_MAX + 8], a[IP_ADDR_TEXT_MAX + 8], b[IP_ADDR_TEXT_MAX + 8];
	char buf[IP_PREFIX_TEXT_MAX];
	struct ip_prefix px[RANGE_MAX_CIDRS];
	struct ip_addr first, last;
	const char *dash;
	int n = -1;
	if (!trimmed(s, strlen(s), text, sizeof text)) {
		n = -1;
	} else if (strchr(text, '/') != NULL) {
		if (ip_prefix_parse(text, false, &px[0])) {
			n = 1;
		} else if (ip_prefix_parse(text, true, &px[0])) {
			n = 1;
			team_warn(t, team, "constituency.ipranges[%zu]: host bits set, using %s", i,
				  ip_prefix_format(&px[0], buf, sizeof buf));
		}
	} else if ((dash = strchr(text, '-')) != NULL) {
		if (trimmed(text, (size_t)(dash - text), a, sizeof a) &&
		    trimmed(dash + 1, strlen(dash + 1), b, sizeof b) && ip_addr_parse(a, &first) &&
		    ip_addr_parse(b, &last))
			n = tiimport_range_cidrs(&first, &last, px, RANGE_MAX_CIDRS);
	} else if (ip_addr_parse(text, &first)) {
		n = tiimport_range_cidrs(&first, &first, px, 1);
	}
	if (n <= 0) {
		team_warn(t, team, "constituency.ipranges[%zu]: not a prefix, address or range, "
			  "dropped", i);
		return;
	}
	for (int k = 0; k < n; k++)
		t->oom |= !strlist_add(out, ip_prefix_format(&px[k], buf, sizeof buf));
}

static void team_ranges(struct ti *t, const char *team, const struct jsonr_value *ranges,
			struct strlist *out)
{
	for (size_t i = 0; i < jsonr_count(ranges); i++) {
		const char *s = jsonr_type(jsonr_at(ranges, i)) == JSONR_STRING
			? jsonr_str(jsonr_at(ranges, i)) : NULL;
		if (s == NULL)
			team_warn(t, team, "constituency.ipranges[%zu]: not a string, dropped", i);
		else
			one_range(t, team, i, s, out);
	}
}

static void team_countries(struct ti *t, const char *team, const struct jsonr_value *cs,
			   struct strlist *out)
{
	for (size_t i = 0; i < jsonr_count(cs); i++) {
		char cc[3];
		if (country_code(jsonr_at(cs, i), cc))
			t->oom |= !strlist_add(out, cc);
		else
			team_warn(t, team, "constituency.countries[%zu]: not a country code, dropped",
				  i);
	}
}

/* ---- emitting one party --------------------------------------------- */

/* "    key:" and a block list, or "    key: []". */
static void emit_list(FILE *out, const char *indent, const char *key, const struct strlist *l,
		      bool quote)
{
	if (l->n == 0) {
		fprintf(out, "%s%s: []\n", indent, key);
		return;
	}
	fprintf(out, "%s%s:\n", indent, key);
	for (size_t i = 0; i < l->n; i++) {
		fprintf(out, "%s  - ", indent);
		if (quote)
			yaml_quoted(out, l->v[i]);
		else
			fputs(l->v[i], out);
		fputc('\n', out);
	}
}

/* A comment listing the directory's own constituency words (types and
 * domains): context for the jurist, never data. */
static void emit_directory_comment(FILE *out, const char *label, const struct jsonr_value *l)
{
	size_t n = jsonr_count(l), used = 0;
	if (n == 0)
		return;
	fprintf(out, "    # directory constituency %s: ", label);
	for (size_t i = 0; i < n && used < TIIMPORT_MAX_COMMENT; i++) {
		const char *s = jsonr_str(jsonr_at(l, i));
		if (s == NULL)
			continue;
		if (i > 0)
			fputs(", ", out);
		yaml_comment_text(out, s, TIIMPORT_MAX_COMMENT - used);
		used += strlen(s) + 2;
	}
	if (used >= TIIMPORT_MAX_COMMENT)
		fputs(" ...", out);
	fputc('\n', out);
}

struct team_data {
	struct strlist addrs, doms, pgp, countries, asns, prefixes;
};

static void team_data_free(struct team_data *d)
{
	strlist_free(&d->addrs);
	strlist_free(&d->doms);
	strlist_free(&d->pgp);
	strlist_free(&d->countries);
	strlist_free(&d->asns);
	strlist_free(&d->prefixes);
}

/* Write one party entry.  The legal fields are constants here on purpose:
 * no directory value can reach type, transfer or bases. */
static void emit_party(struct ti *t, const struct jsonr_value *team, const char *id,
		       const char *short_name, const char *cc, const struct team_data *d)
{
	FILE *out = t->out;
	const char *official = jsonr_str(jsonr_get(team, "official_name"));
	const struct jsonr_value *cons = jsonr_get(team, "constituency");
	if (t->written == 0)
		fputs("parties:\n", out);
	fprintf(out, "  - id: %s\n    name: ", id);
	yaml_quoted(out, short_name);
	fputc('\n', out);
	if (official != NULL && strcmp(official, short_name) != 0) {
		fputs("    # official name: ", out);
		yaml_comment_text(out, official, TIIMPORT_MAX_COMMENT);
		fputc('\n', out);
	}
	fputs("    type: other  # set by jurist\n", out);
	fprintf(out, "    jurisdiction: %s\n", cc);
	if (d->doms.n > 0) {
		fputs("    # contact domains from the e-mail addresses: verify that each whole "
		      "domain is the team's\n", out);
		emit_list(out, "    ", "domains", &d->doms, true);
	}
	emit_list(out, "    ", "addresses", &d->addrs, true);
	emit_list(out, "    ", "pgp", &d->pgp, false);
	fputs("    constituency:\n", out);
	emit_list(out, "      ", "countries", &d->countries, false);
	emit_list(out, "      ", "asns", &d->asns, false);
	emit_list(out, "      ", "prefixes", &d->prefixes, true);
	emit_directory_comment(out, "types", jsonr_get(cons, "types"));
	emit_directory_comment(out, "domains", jsonr_get(cons, "domains"));
	fputs("    transfer: {mechanism: none}  # set by jurist (eea, adequacy, art46, art49)\n",
	      out);
	fputs("    bases: []  # imports never create a basis; only a jurist adds one\n", out);
	fputs("    source: trusted-introducer\n", out);
	fputs("    external_ids: {trusted-introducer: ", out);
	yaml_quoted(out, short_name);
	fputs("}\n", out);
}

/* Convert one team; skipped (with a warning) when it could not load. */
static void one_team(struct ti *t, size_t index, const struct jsonr_value *team)
{
	const char *raw_name = jsonr_str(jsonr_get(team, "short_name"));
	char label[32], cc[3], id[TIIMPORT_ID_MAX + 1], short_name[TIIMPORT_MAX_COMMENT + 1];
	snprintf(label, sizeof label, "#%zu", index);
	clean_text(raw_name != NULL ? raw_name : "", short_name, sizeof short_name);
	if (jsonr_type(team) != JSONR_OBJECT || strspn(short_name, " ") == strlen(short_name) ||
	    jsonr_type(jsonr_get(team, "short_name")) != JSONR_STRING) {
		team_warn(t, label, "no short_name, skipped");
		t->skipped++;
		return;
	}
	if (!country_code(jsonr_get(team, "country"), cc)) {
		team_warn(t, short_name, "no valid country for the jurisdiction, skipped");
		t->skipped++;
		return;
	}
	struct team_data d;
	memset(&d, 0, sizeof d);
	const struct jsonr_value *cons = jsonr_get(team, "constituency");
	team_emails(t, short_name, jsonr_get(team, "emails"), &d.addrs, &d.doms);
	team_pgp(t, short_name, jsonr_get(team, "pgp_keys"), &d.pgp);
	team_countries(t, short_name, jsonr_get(cons, "countries"), &d.countries);
	team_asns(t, short_name, jsonr_get(cons, "asns"), &d.asns);
	team_ranges(t, short_name, jsonr_get(cons, "ipranges"), &d.prefixes);
	if (d.addrs.n == 0) {
		team_warn(t, short_name, "no usable e-mail address, skipped");
		t->skipped++;
	} else if (!t->oom && unique_id(t, short_name, id)) {
		for (size_t i = 0; i < d.addrs.n; i++)
			t->oom |= !strset_add(&t->addresses, d.addrs.v[i]);
		for (size_t i = 0; i < d.doms.n; i++)
			t->oom |= !strset_add(&t->domains, d.doms.v[i]);
		emit_party(t, team, id, short_name, cc, &d);
		t->written++;
	} else {
		t->oom = true;
	}
	team_data_free(&d);
}

/* The output's opening comment: what this is and what it is not. */
static void emit_header(struct ti *t)
{
	fputs("# Parties imported from the Trusted Introducer directory ", t->out);
	yaml_comment_text(t->out, t->name, TIIMPORT_MAX_COMMENT);
	fputs("\n# by \"grondslag registry import-ti\", for a jurist to verify and complete.\n"
	      "#\n"
	      "# IMPORTS NEVER CREATE A BASIS.  Every party below has \"bases: []\", type\n"
	      "# \"other\" and transfer mechanism \"none\": only a jurist enters a basis, a\n"
	      "# party type and a transfer mechanism (see grondslag-registry(5)).\n"
	      "# Contact domains come from the teams' e-mail addresses; constituency\n"
	      "# domains of the directory are shown as comments only.\n"
	      "# Merge the entries below into the \"parties:\" list of the registry.\n",
	      t->out);
}

int tiimport_run(const char *data, size_t len, const char *name, FILE *out, FILE *warn)
{
	struct jsonr_error err;
	struct ti t = {.name = name != NULL ? name : "teams.json", .out = out, .warn = warn};
	struct jsonr_doc *doc = jsonr_parse(data, len, NULL, &err);
	if (doc == NULL) {
		fprintf(warn, "%s:%u:%u: %s\n", t.name, err.line, err.column, err.message);
		return -1;
	}
	const struct jsonr_value *teams = jsonr_root(doc);
	if (jsonr_type(teams) == JSONR_OBJECT)
		teams = jsonr_get(teams, "teams");
	if (jsonr_type(teams) != JSONR_ARRAY) {
		fprintf(warn, "%s: want an array of teams or an object with a \"teams\" array\n",
			t.name);
		jsonr_free(doc);
		return -1;
	}
	emit_header(&t);
	for (size_t i = 0; i < jsonr_count(teams) && !t.oom; i++)
		one_team(&t, i, jsonr_at(teams, i));
	if (t.written == 0)
		fputs("parties: []\n", out);
	jsonr_free(doc);
	strtab_free_keys(&t.ids);
	strtab_free_keys(&t.domains);
	strtab_free_keys(&t.addresses);
	if (t.oom) {
		fprintf(warn, "%s: out of memory\n", t.name);
		return -1;
	}
	fprintf(warn, "%s: %zu parties written, %zu teams skipped; no bases (a jurist adds them)\n",
		t.name, t.written, t.skipped);
	if (fflush(out) != 0 || ferror(out))
		return -1;
	return (int)(t.written > INT32_MAX ? INT32_MAX : t.written);
}
