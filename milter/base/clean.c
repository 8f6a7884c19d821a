/*
 * clean.c - replace the characters that could forge a line or hide
 * themselves in hostile text (see clean.h).
 */
#include "grondslag/base/clean.h"

char clean_char(unsigned c, unsigned flags)
{
	bool bad = c < 0x20 || c == 0x7f || ((flags & CLEAN_ASCII) && c > 0x7f) ||
		   (c == ' ' && (flags & CLEAN_SPACE)) || (c == '/' && (flags & CLEAN_SLASH)) ||
		   (c == '!' && (flags & CLEAN_BANG));
	if (bad)
		return flags & CLEAN_TO_BLANK ? ' ' : '?';
	return (char)c;
}

size_t clean_copy(char *dst, size_t n, const char *src, size_t max, unsigned flags)
{
	size_t i = 0;
	if (n == 0)
		return 0;
	for (; src != NULL && i < max && i + 1 < n && src[i] != '\0'; i++)
		dst[i] = clean_char((unsigned char)src[i], flags);
	dst[i] = '\0';
	return i;
}

void clean_put(FILE *f, const char *src, size_t max, unsigned flags)
{
	for (size_t i = 0; src != NULL && i < max && src[i] != '\0'; i++)
		fputc(clean_char((unsigned char)src[i], flags), f);
}

void clean_in_place(char *s, unsigned flags)
{
	for (; s != NULL && *s != '\0'; s++)
		*s = clean_char((unsigned char)*s, flags);
}

/* Line breaks a reader (YAML, a mail client) may honour, and the
 * characters that change how the text around them reads ("Trojan
 * Source") or do not show at all. */
bool clean_unwanted_cp(uint32_t cp, unsigned flags)
{
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029)
		return true;
	if ((flags & CLEAN_BIDI) && ((cp >= 0x202a && cp <= 0x202e) ||
				     (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
				     cp == 0x200f || cp == 0x061c))
		return true;
	return (flags & CLEAN_INVISIBLE) && (cp == 0xfeff || cp == 0xfffd);
}
