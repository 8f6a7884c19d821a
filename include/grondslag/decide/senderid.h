/*
 * senderid.h - who sent a message, as a person: the sender's envelope
 * address in one canonical spelling, so that a jurist's own mail is
 * recognised however it was spelt (Sender+tag@NCSC.NL,
 * "sender"@ncsc.nl, <@relay:sender@ncsc.nl>), and the comparison of a
 * hold's sender (that address and the SMTP AUTH identity) with the
 * addresses and SASL identities of a jurist.  Pure, no I/O.
 *
 * Canonical address: angle brackets and an RFC 5321 source route
 * dropped; a quoted local part unquoted (backslash escapes resolved);
 * the subaddress cut at the first of the delimiter characters (like
 * Postfix's recipient_delimiter: "+", or a set such as "+-"), unless
 * that would leave nothing; the local part lower-cased (mail systems
 * deliver local parts case-insensitively, and for "is this the jurist?"
 * a false yes is safe, a false no is not); the domain canonical
 * (domain_normalize: case, IDNA, a trailing dot).
 *
 * Public functions:
 *   senderid_address()  the canonical address, false when it is none
 *   senderid_match()    does a jurist identity name the hold's sender?
 *   senderid_owns()     is a hold's envelope sender a Sender's address?
 *   senderid_sender_owns() is a hold (envelope and SMTP AUTH) a Sender's?
 * Limits: input up to 1024 bytes; local parts up to 256 bytes once
 * unquoted.
 */
#ifndef GRONDSLAG_SENDERID_H
#define GRONDSLAG_SENDERID_H

#include <stdbool.h>
#include <stddef.h>

#define SENDERID_MAX 512

/* The canonical form of address in (see above) into out (size >=
 * SENDERID_MAX), the subaddress cut at any character of delims (NULL or
 * "": none).  False (out "") when in is not an address: null sender,
 * no domain, a bad domain. */
bool senderid_address(const char *in, const char *delims, char *out, size_t outsize);

/* Does id (one of a jurist's addresses or SASL identities, as
 * configured) name the sender of a hold: its envelope address as given
 * (envelope), canonical at hold time (canonical, may be ""), or its SMTP
 * AUTH identity (auth, may be "")?  Addresses are compared canonically
 * (delims as above), identities without regard to case; an identity
 * that is an address also matches that address, and the other way
 * round (a false match refuses a jurist, never lets one through). */
bool senderid_match(const char *id, const char *envelope, const char *canonical,
		    const char *auth, const char *delims);

/* Is envelope (a hold's envelope sender, as given) the address mine (of
 * a Sender line)?  Compared as mail software delivers: the domain
 * canonical (case, IDNA, a trailing dot), the local part exactly once
 * unquoted (no case folding, no subaddress cut), angle brackets and a
 * source route dropped.  The opposite of senderid_match()'s bias: a
 * false yes here would show a person somebody else's hold. */
bool senderid_owns(const char *mine, const char *envelope);

/* Is a hold with envelope sender envelope and SMTP AUTH identity auth
 * (NULL or "": none) the mail of the person of a Sender line: login
 * (its login name) and ids (its blank-separated addresses and
 * sasl:NAME identities; a line's parts may be asked one at a time)?
 * With an SMTP AUTH identity that identity decides alone, compared
 * exactly with the login, a sasl:NAME or an address as spelt: the
 * envelope is whatever the client wrote (a relay that does not tie
 * MAIL FROM to the login lets anybody write anybody's address).
 * Without one, the envelope decides (senderid_owns()). */
bool senderid_sender_owns(const char *login, const char *ids, const char *envelope,
			  const char *auth);

#endif
