/*
 * idscan_format.c - identifiers that an incident format names by type
 * rather than by column (see idscan_priv.h):
 *   - STIX 2 patterns: "[domain-name:value = 'x.example']", with url,
 *     email-addr and hostname objects, OR/AND chains included;
 *   - typed values: a "type" member naming an identifier type (MISP
 *     "domain", "hostname", "url", "email-src" ..., STIX "domain-name",
 *     "email-addr", "url"; X-ARF "Source-Type: uri") followed within a
 *     few lines by the "value" (or X-ARF "Source") it describes.
 * What the format names needs no run: it is reported as labelled.
 */
#include <string.h>

#include "idscan_priv.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

enum idscan_format_label idscan_format_label(const char *nm, size_t l)
{
	static const char *const value[] = {"value", "source", "attribute_value", "ioc_value"};
	static const char *const type[] = {"type", "source-type", "sourcetype", "ioc_type",
					   "attribute_type"};
	if (l == 7 && memcmp(nm, "pattern", 7) == 0)
		return FMT_LABEL_PATTERN;
	if (idscan_name_in(value, N_OF(value), nm, l))
		return FMT_LABEL_VALUE;
	if (idscan_name_in(type, N_OF(type), nm, l))
		return FMT_LABEL_TYPE;
	return FMT_LABEL_NONE;
}

bool idscan_identifier_type(const char *t, size_t n)
{
	static const char *const types[] = {
		"domain",     "domain-name", "hostname", "fqdn",	"url",	 "uri", "link",
		"email",      "email-src",   "email-dst", "email-addr", "domain|ip",
		"hostname|port", "whois-registrant-email", "target-email", "target-machine"};
	char low[32];
	while (n > 0 && (*t == '"' || *t == '\''))
		t++, n--;
	while (n > 0 && (t[n - 1] == '"' || t[n - 1] == '\'' || t[n - 1] == ','))
		n--;
	if (n == 0 || n >= sizeof low)
		return false;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)(t[i] >= 'A' && t[i] <= 'Z' ? t[i] - 'A' + 'a' : t[i]);
	return idscan_name_in(types, N_OF(types), low, n);
}

/* Does p[i..] start with the object type of an identifier, then ":value"? */
static size_t stix_object(const char *p, size_t i, size_t n)
{
	static const char *const objs[] = {"domain-name:value", "url:value", "email-addr:value",
					   "x-hostname:value"};
	for (size_t k = 0; k < N_OF(objs); k++) {
		size_t ol = strlen(objs[k]);
		if (n - i >= ol && memcmp(p + i, objs[k], ol) == 0 &&
		    (i == 0 || p[i - 1] == '[' || p[i - 1] == ' ' || p[i - 1] == '('))
			return ol;
	}
	return 0;
}

size_t idscan_stix_values(const char *p, size_t n, struct val *out, size_t max)
{
	size_t got = 0;
	for (size_t i = 0; i < n && got < max; i++) {
		size_t ol = stix_object(p, i, n);
		if (ol == 0)
			continue;
		size_t j = i + ol;
		while (j < n && p[j] == ' ')
			j++;
		if (j >= n || p[j] != '=')
			continue;
		j++;
		while (j < n && p[j] == ' ')
			j++;
		if (j >= n || p[j] != '\'')
			continue;
		const char *v = p + ++j;
		while (j < n && p[j] != '\'')
			j++;
		if (j >= n)
			break;
		if (idscan_classify(v, (size_t)(p + j - v), true, &out[got]))
			got++;
		i = j;
	}
	return got;
}
