/*
 * anchor_ship.c - checkpoint lines leave the host (see anchor_ship.h):
 * mail through the notice outbox, one syslog datagram.
 */
#include "grondslag/daemon/anchor_ship.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grondslag/store/anchor.h"
#include "grondslag/base/log.h"
#include "grondslag/notice/notice.h"

struct anchor_ship {
	struct store *store;
	char *from, *hostname;
	char *to[NOTICE_JURISTS_MAX];
	size_t nto;
	char syslog[300];
	pthread_mutex_t lock;		/* notifier */
	struct notifier *notifier;
};

size_t anchor_mail_to(const struct config *c, const char **to)
{
	size_t n = 0;
	for (size_t i = 0; i < config_list_count(c, CONF_AUDIT_ANCHOR_MAIL) &&
			   n < NOTICE_JURISTS_MAX; i++)
		to[n++] = config_list(c, CONF_AUDIT_ANCHOR_MAIL, i);
	if (n > 0)
		return n;
	size_t nmail;
	const char *const *mail = config_jurist_mail(c, &nmail);
	return notice_jurist_to(mail, nmail, to, NOTICE_JURISTS_MAX);
}

void anchor_ship_free(struct anchor_ship *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->nto; i++)
		free(a->to[i]);
	free(a->from);
	free(a->hostname);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

struct anchor_ship *anchor_ship_new(const struct config *c, struct store *store,
				    const char *from, const char *hostname, bool *none)
{
	const char *to[NOTICE_JURISTS_MAX];
	size_t nto = anchor_mail_to(c, to);
	const char *syslog = config_str(c, CONF_AUDIT_ANCHOR_SYSLOG);
	*none = nto == 0 && *syslog == '\0';
	if (*none)
		return NULL;
	struct anchor_ship *a = calloc(1, sizeof *a);
	if (a == NULL)
		return NULL;
	pthread_mutex_init(&a->lock, NULL);
	a->store = store;
	a->from = strdup(from);
	a->hostname = strdup(hostname);
	bool ok = a->from != NULL && a->hostname != NULL;
	for (; ok && a->nto < nto; a->nto++)
		ok = (a->to[a->nto] = strdup(to[a->nto])) != NULL;
	snprintf(a->syslog, sizeof a->syslog, "%s", syslog);
	if (!ok) {
		anchor_ship_free(a);
		return NULL;
	}
	return a;
}

void anchor_ship_notifier(struct anchor_ship *a, struct notifier *n)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->lock);
	a->notifier = n;
	pthread_mutex_unlock(&a->lock);
}

/* Queue the mail of line to every anchor address; kick the notifier. */
static void ship_mail(struct anchor_ship *a, const struct auditsig_checkpoint *cp,
		      const char *line, time_t now)
{
	char err[512] = "";
	char *mail = notice_checkpoint(a->from, (const char *const *)a->to, a->nto, a->hostname,
				       now, cp->seq, line);
	bool ok = mail != NULL;
	for (size_t i = 0; ok && i < a->nto; i++)
		ok = store_notice_put(a->store, "checkpoint", "", a->to[i], mail, err,
				      sizeof err) == 0;
	if (!ok)
		log_msg(LOG_ERR, "audit checkpoint %" PRId64 " not queued for mail: %s", cp->seq,
			mail == NULL ? "unusable address or out of memory" : err);
	free(mail);
	pthread_mutex_lock(&a->lock);
	if (a->notifier != NULL)
		notifier_kick(a->notifier);
	pthread_mutex_unlock(&a->lock);
}

void anchor_ship_line(void *arg, const struct auditsig_checkpoint *cp, const char *line)
{
	struct anchor_ship *a = arg;
	char err[512];
	time_t now = time(NULL);
	if (a->nto > 0)
		ship_mail(a, cp, line, now);
	if (a->syslog[0] != '\0' &&
	    anchor_syslog(a->syslog, a->hostname, line, now, err, sizeof err) != 0)
		log_msg(LOG_ERR, "audit checkpoint %" PRId64 " not sent to syslog: %s", cp->seq, err);
}
