/*
 * scanopt.c - scan options from configuration and registry (scanopt.h).
 */
#include <stdlib.h>
#include <string.h>

#include "grondslag/decide/scanopt.h"

/* Append a copy of word[0..len) to the list. */
static bool push(char ***v, size_t *n, const char *word, size_t len)
{
	char **nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (nv == NULL)
		return false;
	*v = nv;
	if ((nv[*n] = strndup(word, len)) == NULL)
		return false;
	(*n)++;
	return true;
}

/* Blank- or comma-separated words of s onto the list. */
static bool push_words(char ***v, size_t *n, const char *s)
{
	while (s != NULL && *s != '\0') {
		size_t skip = strspn(s, " \t,");
		s += skip;
		size_t len = strcspn(s, " \t,");
		if (len > 0 && !push(v, n, s, len))
			return false;
		s += len;
	}
	return true;
}

bool scanopt_fill(struct scan_options *so, struct scanopt_domains *d, const struct config *c,
		  const struct registry *reg)
{
	memset(d, 0, sizeof *d);
	bool ok = push_words(&d->own, &d->nown, config_str(c, CONF_INTERNAL_DOMAINS)) &&
		  push_words(&d->pub, &d->npub, config_str(c, CONF_PUBLIC_SERVICE_DOMAINS));
	for (size_t i = 0; ok && reg != NULL && i < registry_own_domain_count(reg); i++) {
		const char *dom = registry_own_domain(reg, i);
		ok = push(&d->own, &d->nown, dom, strlen(dom));
	}
	if (!ok) {
		scanopt_free(d);
		return false;
	}
	so->own_domains = (const char *const *)d->own;
	so->nown = d->nown;
	so->public_domains = (const char *const *)d->pub;
	so->npublic = d->npub;
	return true;
}

void scanopt_free(struct scanopt_domains *d)
{
	for (size_t i = 0; i < d->nown; i++)
		free(d->own[i]);
	for (size_t i = 0; i < d->npub; i++)
		free(d->pub[i]);
	free(d->own);
	free(d->pub);
	memset(d, 0, sizeof *d);
}
