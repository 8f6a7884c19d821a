/*
 * ctlsock_role.c - who a caller is to the control socket: the role of a
 * login from the Jurist, Admin, Auditor and Sender lines (root without a
 * line is an admin), the role's word, and whether a hold is the mail of
 * a Sender (its SMTP AUTH identity, else its envelope sender).
 *
 * Why a file of its own: the dispatcher, the delegate rule and the log
 * line all ask it, and none of them may call back into the dispatcher.
 *
 * Public functions: ctlsock_role_of(), ctlsock_role_name() (ctlsock.h),
 * ctlsock_names_user(), ctlsock_sender_owns() (ctlsock_priv.h).
 */
#include <stdbool.h>
#include <string.h>

#include "ctlsock_priv.h"
#include "grondslag/base/names.h"
#include "grondslag/config/config.h"
#include "grondslag/daemon/ctlsock.h"
#include "grondslag/decide/senderid.h"

static const struct name_value roles[] = {
	{"none", CTLSOCK_NONE},
	{"auditor", CTLSOCK_AUDITOR},
	{"admin", CTLSOCK_ADMIN},
	{"jurist", CTLSOCK_JURIST},
	{"sender", CTLSOCK_SENDER},
};

const char *ctlsock_role_name(enum ctlsock_role r)
{
	return name_of(roles, NAMES_LEN(roles), (int)r, "none");
}

bool ctlsock_names_user(const char *v, const char *user)
{
	size_t n = strcspn(v, " \t");
	return n == strlen(user) && strncmp(v, user, n) == 0;
}

/* Is user on one of the lines of key k? */
static bool listed(const struct config *c, enum config_key k, const char *user)
{
	for (size_t i = 0; i < config_list_count(c, k); i++)
		if (ctlsock_names_user(config_list(c, k, i), user))
			return true;
	return false;
}

enum ctlsock_role ctlsock_role_of(const struct config *c, const char *user, long uid)
{
	if (user != NULL && *user != '\0' && *user != '#') {
		if (listed(c, CONF_JURIST, user))
			return CTLSOCK_JURIST;
		if (listed(c, CONF_ADMIN, user))
			return CTLSOCK_ADMIN;
		if (listed(c, CONF_AUDITOR, user))
			return CTLSOCK_AUDITOR;
		if (listed(c, CONF_SENDER, user))
			return CTLSOCK_SENDER;
	}
	return uid == 0 ? CTLSOCK_ADMIN : CTLSOCK_NONE;
}

bool ctlsock_sender_owns(const struct config *c, const char *user, const char *envelope,
			 const char *auth)
{
	if (user == NULL || envelope == NULL)
		return false;
	for (size_t i = 0; i < config_list_count(c, CONF_SENDER); i++) {
		const char *v = config_list(c, CONF_SENDER, i);
		if (ctlsock_names_user(v, user) &&
		    (senderid_sender_owns(user, v + strcspn(v, " \t"), envelope, auth) ||
		     senderid_sender_owns(user, config_list_more(c, CONF_SENDER, i), envelope,
					  auth)))
			return true;
	}
	return false;
}
