/*
 * regserial.c - roll-back protection of the registry (see regserial.h):
 * the rules, pure (the mark comes from the store, the verdict goes to
 * the daemon and the grondslag command).
 *
 * Public functions: regserial_decide(), regserial_force_parse(),
 * regserial_verdict_name().
 */
#include <stdio.h>
#include <string.h>

#include "grondslag/base/names.h"
#include "grondslag/decide/registry.h"
#include "grondslag/decide/regserial.h"

static const struct name_value verdicts[] = {
	{"accept", REGSERIAL_ACCEPT},
	{"accept-warn", REGSERIAL_ACCEPT_WARN},
	{"forced", REGSERIAL_FORCED},
	{"refuse", REGSERIAL_REFUSE},
};

const char *regserial_verdict_name(enum regserial_verdict v)
{
	return name_of(verdicts, NAMES_LEN(verdicts), (int)v, "?");
}

bool regserial_force_parse(const char *text, struct regserial_force *out)
{
	memset(out, 0, sizeof *out);
	if (text == NULL || *text == '\0')
		return true;
	out->set = true;
	if (strcmp(text, "none") == 0)
		return true;
	uint64_t v = 0;
	size_t n = strlen(text);
	if (n > 16 || text[0] == '0')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(text[i] - '0');
	}
	out->serial = v;
	return v <= REGISTRY_SERIAL_MAX;
}

/* "serial 7 (sha256 ab12..., loaded 2026-12-07 05:00 UTC)": the mark. */
static void mark_text(const struct regserial_mark *m, char *buf, size_t len)
{
	char when[32] = "?";
	struct tm tm;
	if (gmtime_r(&m->at, &tm) != NULL)
		strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
	snprintf(buf, len, "serial %llu (sha256 %.12s..., loaded %s, audit record %lld)",
		 (unsigned long long)m->serial, m->digest, when, (long long)m->seq);
}

/* The refusal, or the forcing when force names exactly this serial. */
static enum regserial_verdict refuse_or_force(uint64_t serial, const struct regserial_force *f,
					      const char *why, char *msg, size_t msglen)
{
	char name[24];
	if (serial == 0)
		snprintf(name, sizeof name, "none");
	else
		snprintf(name, sizeof name, "%llu", (unsigned long long)serial);
	if (f != NULL && f->set && f->serial == serial) {
		snprintf(msg, msglen, "%s; accepted because RegistryRollback %s forces it (recorded)",
			 why, name);
		return REGSERIAL_FORCED;
	}
	snprintf(msg, msglen, "%s; refused (to force exactly this file: RegistryRollback %s,"
			      " recorded)", why, name);
	return REGSERIAL_REFUSE;
}

enum regserial_verdict regserial_decide(uint64_t serial, const char *digest,
					const struct regserial_mark *mark, bool required,
					const struct regserial_force *force, char *msg,
					size_t msglen)
{
	char why[400], was[200];
	msg[0] = '\0';
	bool marked = mark != NULL && mark->found && mark->serial > 0;
	if (marked)
		mark_text(mark, was, sizeof was);
	if (serial == 0) {
		if (required) {
			snprintf(msg, msglen, "the registry has no serial: with RegistrySignature"
					      " required every registry must carry one (serial: N,"
					      " higher than the last); refused");
			return REGSERIAL_REFUSE;
		}
		if (marked) {
			snprintf(why, sizeof why, "the registry has no serial, but %s was loaded"
						  " before: a roll-back", was);
			return refuse_or_force(0, force, why, msg, msglen);
		}
		snprintf(msg, msglen, "the registry has no serial: roll-back protection is off"
				      " (add \"serial: 1\" and raise it with every change)");
		return REGSERIAL_ACCEPT_WARN;
	}
	if (!marked || serial > mark->serial)
		return REGSERIAL_ACCEPT;
	if (serial == mark->serial) {
		if (digest != NULL && strcmp(digest, mark->digest) == 0)
			return REGSERIAL_ACCEPT;
		snprintf(why, sizeof why, "registry serial %llu equals the highest loaded, %s,"
					  " but the contents differ (sha256 %.12s...): a changed"
					  " registry needs a higher serial",
			 (unsigned long long)serial, was, digest ? digest : "");
		return refuse_or_force(serial, force, why, msg, msglen);
	}
	snprintf(why, sizeof why, "registry serial %llu is lower than the highest loaded, %s:"
				  " a roll-back", (unsigned long long)serial, was);
	return refuse_or_force(serial, force, why, msg, msglen);
}
