/*
 * token.c - random tokens, the console's sessions and the CSRF check.
 *
 * A session is a cookie (HttpOnly, Secure, SameSite=Strict) bound to the
 * client certificate it was made for: a cookie presented over a
 * connection with another certificate is not that session.  Each session
 * has its own CSRF token, put into every form and compared in constant
 * time on every POST.  Sessions live in memory only (a restart signs
 * everybody out; the certificate signs them in again) and end after
 * WebSessionTimeout idle seconds.  They hold no decisions: those are the
 * daemon's.
 *
 * Public functions: web_token_new(), web_token_equal(),
 * web_sessions_new(), web_sessions_get(), web_sessions_free().
 * Limits: WEB_SESSIONS_MAX sessions; when full, the one idle longest
 * makes room.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "web.h"

bool web_token_new(char out[WEB_TOKEN_HEX + 1])
{
	unsigned char raw[WEB_TOKEN_HEX / 2];
	size_t got = 0;
	while (got < sizeof raw) {
		ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof raw; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[WEB_TOKEN_HEX] = '\0';
	return true;
}

bool web_token_equal(const char *given, const char *want)
{
	if (given == NULL || want == NULL || strlen(want) != WEB_TOKEN_HEX ||
	    strnlen(given, WEB_TOKEN_HEX + 1) != WEB_TOKEN_HEX)
		return false;
	/* every byte compared, whatever differs first: no timing hint */
	unsigned diff = 0;
	for (size_t i = 0; i < WEB_TOKEN_HEX; i++)
		diff |= (unsigned char)given[i] ^ (unsigned char)want[i];
	return diff == 0;
}

struct slot {
	struct web_session s;
	time_t used;
	bool live;
};

struct web_sessions {
	pthread_mutex_t lock;
	unsigned timeout;
	struct slot slot[WEB_SESSIONS_MAX];
};

struct web_sessions *web_sessions_new(unsigned timeout)
{
	struct web_sessions *s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	s->timeout = timeout;
	return s;
}

void web_sessions_free(struct web_sessions *s)
{
	if (s == NULL)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* A new session in the free (or longest idle) slot; false without
 * randomness. */
static bool make(struct web_sessions *s, const char *fpr, const char *login, time_t now,
		 struct slot **out)
{
	struct slot *best = &s->slot[0];
	for (size_t i = 0; i < WEB_SESSIONS_MAX; i++) {
		struct slot *k = &s->slot[i];
		if (!k->live || now - k->used > (time_t)s->timeout) {
			best = k;
			break;
		}
		if (k->used < best->used)
			best = k;
	}
	struct slot n = {.used = now, .live = true};
	if (!web_token_new(n.s.id) || !web_token_new(n.s.csrf))
		return false;
	snprintf(n.s.login, sizeof n.s.login, "%s", login);
	snprintf(n.s.fpr, sizeof n.s.fpr, "%s", fpr);
	*best = n;
	*out = best;
	return true;
}

bool web_sessions_get(struct web_sessions *s, const char *id, const char *fpr,
		      const char *login, time_t now, struct web_session *out, bool *fresh)
{
	struct slot *hit = NULL;
	bool ok = true;
	*fresh = false;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; id != NULL && hit == NULL && i < WEB_SESSIONS_MAX; i++) {
		struct slot *k = &s->slot[i];
		if (k->live && web_token_equal(id, k->s.id)) {
			/* another certificate, or too old: not this session */
			if (strcmp(k->s.fpr, fpr) != 0 || strcmp(k->s.login, login) != 0 ||
			    now - k->used > (time_t)s->timeout)
				k->live = false;
			else
				hit = k;
		}
	}
	if (hit == NULL) {
		ok = make(s, fpr, login, now, &hit);
		*fresh = ok;
	}
	if (ok) {
		hit->used = now;
		*out = hit->s;
	}
	pthread_mutex_unlock(&s->lock);
	return ok;
}
