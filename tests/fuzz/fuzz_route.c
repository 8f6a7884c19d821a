/*
 * fuzz_route.c - where a recipient can go (route.h) on arbitrary bytes: no
 * crash, no overflow, and the promises hold: a valid route names at most
 * ROUTE_TARGETS_MAX targets, each "user@domain" that fits an address; a
 * deletion text is "<...>" and never longer than what was given plus the
 * brackets.  The input is split at its first NUL into the recipient as
 * given and the MTA's {rcpt_addr}.
 * Seeds: tests/fuzz/seeds/route/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/decide/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 2);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	buf[size + 1] = '\0';
	const char *given = buf;
	const char *mta = buf + strlen(buf) + 1;
	struct route rt;
	bool ok = route_parse(given, &rt);
	if (ok != rt.valid || (ok && (rt.ntargets == 0 || rt.ntargets > ROUTE_TARGETS_MAX)))
		abort();
	for (size_t i = 0; ok && i < rt.ntargets; i++)
		if (strchr(rt.targets[i], '@') == NULL ||
		    strnlen(rt.targets[i], ADDRESS_TEXT_MAX) >= ADDRESS_TEXT_MAX)
			abort();
	char key[ROUTE_TEXT_MAX], form[ROUTE_TEXT_MAX];
	if (route_key(given, key, sizeof key) && strlen(key) > strlen(given))
		abort();
	if (route_delete_form(given, mta, form, sizeof form)) {
		size_t n = strlen(form);
		if (n < 3 || form[0] != '<' || form[n - 1] != '>' || n > strlen(given) + 2)
			abort();
	}
	free(buf);
	return 0;
}
