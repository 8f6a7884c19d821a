/*
 * ctlsock_delegate.c - a person speaking through a delegate: the web
 * console (grondslag-web) authenticates people itself and names, in each
 * request, the person on whose behalf it acts ("on_behalf_of": LOGIN).
 *
 * Why the daemon can believe it: only a peer whose login (SO_PEERCRED,
 * the kernel's word) is a ControlConsoleUser may say so.  Any other
 * caller naming a person is refused and the attempt recorded as that
 * caller's, so a local user cannot borrow a jurist's role by claiming to
 * be the console.  The person's role comes from the Jurist, Admin and
 * Auditor lines by name only (never the root rule of a uid); the actor
 * of every record is the person, with the delegate's uid and login
 * ("channel"), so the chain names both who decided and through what.
 *
 * Public (ctlsock_priv.h): ctlsock_is_console(), ctlsock_delegate().
 * Limits: a person's login is 1..CTLSOCK_PERSON_MAX-1 bytes of
 * [A-Za-z0-9._-], not starting with '-' or '.'.
 */
#include <stdio.h>
#include <string.h>

#include "ctlsock_priv.h"

bool ctlsock_is_console(const struct config *c, const char *user)
{
	for (size_t i = 0; user != NULL && i < config_list_count(c, CONF_CONTROL_CONSOLE_USER);
	     i++)
		if (ctlsock_names_user(config_list(c, CONF_CONTROL_CONSOLE_USER, i), user))
			return true;
	return false;
}

/* Is s a login name we accept for a person (no spaces, no controls, no
 * "#UID" form, nothing a log or record could misread)? */
static bool login_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= CTLSOCK_PERSON_MAX || s[0] == '-' || s[0] == '.')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

bool ctlsock_delegate(struct ctlsock_req *r)
{
	const struct jsonr_value *v = jsonr_get(r->root, "on_behalf_of");
	if (jsonr_type(v) == JSONR_NONE)
		return true;
	const char *person = jsonr_type(v) == JSONR_STRING ? jsonr_str(v) : NULL;
	if (!ctlsock_is_console(r->c, r->peer->user)) {
		char why[200];
		snprintf(why, sizeof why,
			 "only a ControlConsoleUser may act on behalf of another person (claimed: "
			 "%.64s)", person != NULL && login_ok(person) ? person : "?");
		ctlsock_refuse(r, why);
		return false;
	}
	if (person == NULL || !login_ok(person)) {
		ctlsock_refuse_as(r, "bad-request", "on_behalf_of is not a login name");
		return false;
	}
	snprintf(r->person, sizeof r->person, "%s", person);
	r->role = ctlsock_role_of(r->c, r->person, -1);
	r->actor = (struct store_actor){.user = r->person, .uid = r->peer->uid,
					.role = ctlsock_role_name(r->role),
					.channel = r->peer->user};
	return true;
}
