/*
 * hostport.c - split "host:port" / "[v6]:port" (see hostport.h).
 */
#include <string.h>

#include "grondslag/base/hostport.h"

bool hostport_parse(const char *s, char *host, size_t hostlen, char *port, size_t portlen)
{
	const char *h = s, *colon;
	size_t hl;
	if (s == NULL || *s == '\0')
		return false;
	if (*h == '[') {
		const char *end = strchr(h, ']');
		if (end == NULL || end[1] != ':')
			return false;
		h++;
		hl = (size_t)(end - h);
		colon = end + 1;
	} else {
		colon = strrchr(h, ':');
		if (colon == NULL)
			return false;
		hl = (size_t)(colon - h);
	}
	const char *p = colon + 1;
	size_t pl = strlen(p);
	if (hl == 0 || hl >= hostlen || pl == 0 || pl >= portlen || pl > 5 ||
	    strspn(p, "0123456789") != pl)
		return false;
	memcpy(host, h, hl);
	host[hl] = '\0';
	memcpy(port, p, pl + 1);
	return true;
}
