/*
 * ctlsock_case.c - case handling through the control socket: claim,
 * handover, comment and advice (jurists only: the dispatcher refuses and
 * records every other role), and where a case stands in the answers of
 * show and held.
 *
 * What is checked here, before the store sees it: the reference, the
 * colleague named (the first word of a Jurist line, never oneself: a
 * handover or a question to oneself records nothing that happened), and
 * the text (the note, comment or question): required, at most
 * CASE_TEXT_MAX bytes of UTF-8 without control characters (a line feed
 * excepted) or bidirectional overrides, so that what the chain keeps reads
 * the same in every viewer and cannot forge a line of the history.  What
 * depends on the case's state (closed, held by a colleague, already asked)
 * is the store's check, under its write lock; a refusal of that kind is
 * recorded like every refusal.
 *
 * Public (ctlsock_priv.h): ctlsock_case(), ctlsock_write_case(),
 * ctlsock_write_case_summary().
 * Limits: CASE_TEXT_MAX bytes of text.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ctlsock_priv.h"
#include "grondslag/base/clean.h"

#define CASE_TEXT_MAX 2000

/* The acts, their request member holding the text, and what the text is
 * called in an error. */
static const struct {
	const char *cmd;
	enum store_case_kind kind;
	const char *text_key;		/* NULL: no text */
	bool colleague;			/* names a colleague ("to") */
} acts[] = {
	{"claim", STORE_CASE_CLAIM, NULL, false},
	{"handover", STORE_CASE_HANDOVER, "note", true},
	{"comment", STORE_CASE_COMMENT, "text", false},
	{"advice", STORE_CASE_ADVICE, "question", true},
};

/* The code point of the UTF-8 sequence at s (at most n bytes) and its
 * length in *len; false for a malformed, overlong or surrogate one. */
static bool utf8_next(const unsigned char *s, size_t n, uint32_t *cp, size_t *len)
{
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t k = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3
		 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (k == 0 || k > n)
		return false;
	uint32_t c = k == 1 ? s[0] : (uint32_t)(s[0] & (0x7f >> k));
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return false;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[k] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return false;
	*cp = c;
	*len = k;
	return true;
}

const char *ctlsock_text_check(const char *text)
{
	size_t n = strlen(text), blank = strspn(text, " \t\n");
	if (blank == n)
		return "the text is empty";
	if (n > CASE_TEXT_MAX)
		return "the text is longer than 2000 bytes";
	for (size_t i = 0, len; i < n; i += len) {
		uint32_t cp;
		if (!utf8_next((const unsigned char *)text + i, n - i, &cp, &len))
			return "the text is not UTF-8";
		if (cp != '\n' && clean_unwanted_cp(cp, CLEAN_BIDI))
			return "the text holds a control character or a bidirectional override "
			       "(only line feeds are allowed)";
	}
	return NULL;
}

/* Is login the first word of a Jurist line? */
static bool is_jurist(const struct config *c, const char *login)
{
	for (size_t i = 0; i < config_list_count(c, CONF_JURIST); i++)
		if (ctlsock_names_user(config_list(c, CONF_JURIST, i), login))
			return true;
	return false;
}

void ctlsock_case(struct ctlsock_req *r)
{
	size_t i = 0;
	while (i < sizeof acts / sizeof acts[0] - 1 && strcmp(acts[i].cmd, r->cmd) != 0)
		i++;
	if (r->ref == NULL || !store_ref_valid(r->ref)) {
		ctlsock_status(r, "bad-request", "ref is not a hold reference");
		return;
	}
	bool bad = false;
	struct store_case_act a = {.kind = acts[i].kind, .actor = &r->actor, .now = r->now};
	a.to = acts[i].colleague ? ctlsock_arg(r, "to", &bad) : NULL;
	a.text = acts[i].text_key ? ctlsock_arg(r, acts[i].text_key, &bad) : NULL;
	a.take_over = jsonr_bool(jsonr_get(r->root, "take_over"));
	const char *why = NULL;
	if (bad)
		why = "to and the text are strings of at most 2000 bytes";
	else if (acts[i].colleague && (a.to == NULL || *a.to == '\0'))
		why = "name the colleague (a Jurist login)";
	else if (acts[i].colleague && !is_jurist(r->c, a.to))
		why = "the colleague named is not a Jurist login";
	else if (acts[i].colleague && strcmp(a.to, r->actor.user) == 0)
		why = a.kind == STORE_CASE_HANDOVER ? "a case cannot be handed over to oneself"
						    : "advice cannot be asked of oneself";
	else if (acts[i].text_key && a.text == NULL)
		why = a.kind == STORE_CASE_HANDOVER ? "a handover needs a note"
		      : a.kind == STORE_CASE_ADVICE ? "a request for advice needs a question"
						    : "a comment needs its text";
	else if (acts[i].text_key)
		why = ctlsock_text_check(a.text);
	if (why != NULL) {
		ctlsock_status(r, "bad-request", why);
		return;
	}
	char err[300] = "";
	int rc = store_case_act(r->env->store, r->ref, &a, err, sizeof err);
	if (rc == 1) {
		snprintf(r->why, sizeof r->why, "%s", err);
		ctlsock_refuse(r, r->why);
	} else if (rc == 2) {
		ctlsock_status(r, "not-found", "no such hold");
	} else if (rc != 0) {
		ctlsock_status(r, "error", *err ? err : "the act could not be recorded");
	} else {
		ctlsock_status(r, "ok", NULL);
		ctlsock_write_case(r, r->ref);
	}
}

void ctlsock_write_case(struct ctlsock_req *r, const char *ref)
{
	struct store_case c;
	char err[256];
	json_key(r->j, "case");
	if (store_case_get(r->env->store, ref, &c, err, sizeof err) != 0) {
		json_null(r->j);
		return;
	}
	json_obj_begin(r->j);
	/* a sender sees their own request, not who works on the case */
	if (r->role == CTLSOCK_SENDER)
		goto urgent;
	json_key(r->j, "holder");
	if (c.holder != NULL)
		json_str(r->j, c.holder);
	else
		json_null(r->j);
	json_key(r->j, "since");
	json_int(r->j, (int64_t)c.since);
	json_key(r->j, "advice_pending");
	json_arr_begin(r->j);
	for (size_t k = 0; k < c.npending; k++) {
		json_obj_begin(r->j);
		json_key(r->j, "asked_by");
		json_str(r->j, c.pending[k].asked_by);
		json_key(r->j, "asked_of");
		json_str(r->j, c.pending[k].asked_of);
		json_key(r->j, "asked_at");
		json_int(r->j, (int64_t)c.pending[k].asked_at);
		json_obj_end(r->j);
	}
	json_arr_end(r->j);
urgent:
	json_key(r->j, "urgent");
	if (c.urgent_by == NULL) {
		json_null(r->j);
	} else {
		json_obj_begin(r->j);
		json_key(r->j, "by");
		json_str(r->j, c.urgent_by);
		json_key(r->j, "at");
		json_int(r->j, (int64_t)c.urgent_at);
		json_key(r->j, "waited");
		json_int(r->j, (int64_t)(r->now - c.urgent_at));
		ctlsock_embed(r->j, "record", c.urgent_details);
		json_obj_end(r->j);
	}
	json_obj_end(r->j);
	store_case_free(&c);
}

void ctlsock_write_case_summary(const struct ctlsock_req *r, struct json *j,
				const struct store_hold_summary *h)
{
	json_key(j, "urgent_by");
	if (h->urgent_by != NULL)
		json_str(j, h->urgent_by);
	else
		json_null(j);
	json_key(j, "urgent_since");
	json_int(j, (int64_t)h->urgent_since);
	if (r->role == CTLSOCK_SENDER)
		return;
	json_key(j, "holder");
	if (h->holder != NULL)
		json_str(j, h->holder);
	else
		json_null(j);
	json_key(j, "holder_since");
	json_int(j, (int64_t)h->holder_since);
	json_key(j, "advice_pending");
	json_uint(j, h->advice_pending);
	if (h->advice_pending > 0) {
		json_key(j, "advice_of");
		json_str(j, h->advice_of != NULL ? h->advice_of : "");
		json_key(j, "advice_since");
		json_int(j, (int64_t)h->advice_since);
	}
}
