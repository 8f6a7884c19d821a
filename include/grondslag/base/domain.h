/*
 * domain.h - one canonical text for mail domains and addresses, so that
 * the registry and the recipients of a message compare byte for byte.
 *
 * A domain is lower-cased, one trailing dot dropped, and internationalised
 * labels are converted to A-labels ("müller.de" -> "xn--mller-kva.de",
 * also "MÜLLER.de" and decomposed forms, by UTS #46 mapping and NFC through
 * libidn2).  The result must be a syntactically valid host name: labels of
 * 1..63 letters, digits and hyphens, no leading or trailing hyphen, at
 * least two labels, 253 octets at most.  An address is "local@domain": the
 * local part is kept byte for byte except that ASCII letters are
 * lower-cased (mail systems treat local parts case-insensitively in
 * practice, and a registry must not be evaded by "CERT@cert.be"); one pair
 * of angle brackets around the whole address is removed.
 *
 * Public functions:
 *   domain_normalize()          canonical domain, false when invalid
 *   domain_address_normalize()  canonical address, false when invalid
 *   domain_parent()             the domain without its first label
 * Limits: DOMAIN_TEXT_MAX, ADDRESS_TEXT_MAX; input longer than 1024 bytes
 * is refused before any conversion.
 */
#ifndef GRONDSLAG_DOMAIN_H
#define GRONDSLAG_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>

#define DOMAIN_TEXT_MAX 254		/* 253 octets plus NUL */
#define DOMAIN_LOCAL_MAX 64		/* RFC 5321 local part */
#define ADDRESS_TEXT_MAX (DOMAIN_LOCAL_MAX + 1 + DOMAIN_TEXT_MAX)

/* Canonical form of a domain into out (size >= DOMAIN_TEXT_MAX). */
bool domain_normalize(const char *in, char *out, size_t outsize);

/* Canonical "local@domain" into out (size >= ADDRESS_TEXT_MAX); *domain,
 * when not NULL, points at the domain inside out. */
bool domain_address_normalize(const char *in, char *out, size_t outsize, const char **domain);

/* Pointer just past the first label of a canonical domain, or NULL when it
 * has a single label. */
const char *domain_parent(const char *domain);

#endif
