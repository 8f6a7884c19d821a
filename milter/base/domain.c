/*
 * domain.c - canonical domains and addresses (see domain.h).
 *
 * ASCII domains are handled here with a bounded scan; only a domain with
 * non-ASCII bytes goes through libidn2 (UTS #46 non-transitional mapping
 * with NFC), because case folding and normalisation of Unicode labels need
 * tables that have no place in this project.  libidn2 is already a runtime
 * dependency of GMime.  Whatever libidn2 returns is checked again by the
 * same ASCII rules.
 */
#include "grondslag/base/domain.h"

#include <idn2.h>
#include <stdlib.h>
#include <string.h>

#define DOMAIN_INPUT_MAX 1024

/* Lower-case ASCII letter. */
static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Lower-case copy of an ASCII domain of len bytes, checked as a host name. */
static bool ascii_domain(const char *in, size_t len, char *out, size_t outsize)
{
	if (len > 0 && in[len - 1] == '.')
		len--;	/* one trailing dot is the root, not part of the name */
	if (len == 0 || len > DOMAIN_TEXT_MAX - 1 || len >= outsize)
		return false;
	size_t label = 0, labels = 1;
	for (size_t i = 0; i < len; i++) {
		char c = lower(in[i]);
		if (c == '.') {
			if (label == 0 || out[i - 1] == '-')
				return false;
			label = 0;
			labels++;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
			if (c == '-' && label == 0)
				return false;
			if (++label > 63)
				return false;
		} else {
			return false;
		}
		out[i] = c;
	}
	if (label == 0 || out[len - 1] == '-' || labels < 2)
		return false;
	out[len] = '\0';
	return true;
}

/* Canonical domain: ASCII path, or libidn2 for internationalised names. */
bool domain_normalize(const char *in, char *out, size_t outsize)
{
	if (in == NULL || outsize == 0)
		return false;
	size_t len = strnlen(in, DOMAIN_INPUT_MAX + 1);
	if (len > DOMAIN_INPUT_MAX)
		return false;
	bool ascii = true;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)in[i] >= 0x80)
			ascii = false;
	if (ascii)
		return ascii_domain(in, len, out, outsize);
	char *a = NULL;
	/* TR46 mapping folds case and compatibility forms; NFC first so
	 * that composed and decomposed input meet. */
	if (idn2_to_ascii_8z(in, &a, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK) {
		free(a);
		return false;
	}
	bool ok = ascii_domain(a, strlen(a), out, outsize);
	idn2_free(a);
	return ok;
}

/* Canonical "local@domain"; the domain follows the last '@'. */
bool domain_address_normalize(const char *in, char *out, size_t outsize, const char **domain)
{
	if (in == NULL)
		return false;
	size_t len = strnlen(in, DOMAIN_INPUT_MAX + 1);
	if (len > DOMAIN_INPUT_MAX)
		return false;
	if (len >= 2 && in[0] == '<' && in[len - 1] == '>') {
		in++;
		len -= 2;
	}
	const char *at = NULL;
	for (size_t i = 0; i < len; i++)
		if (in[i] == '@')
			at = in + i;
	if (at == NULL)
		return false;
	size_t local = (size_t)(at - in);
	if (local == 0 || local > DOMAIN_LOCAL_MAX || outsize < local + 2)
		return false;
	for (size_t i = 0; i < local; i++) {
		unsigned char c = (unsigned char)in[i];
		/* no controls, spaces or brackets: they never belong to an
		 * envelope address we would compare */
		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>')
			return false;
		out[i] = lower((char)c);
	}
	out[local] = '@';
	char dom[DOMAIN_INPUT_MAX + 1];
	memcpy(dom, at + 1, len - local - 1);
	dom[len - local - 1] = '\0';
	if (!domain_normalize(dom, out + local + 1, outsize - local - 1))
		return false;
	if (domain != NULL)
		*domain = out + local + 1;
	return true;
}

const char *domain_parent(const char *domain)
{
	const char *dot = strchr(domain, '.');
	return dot != NULL && dot[1] != '\0' ? dot + 1 : NULL;
}
