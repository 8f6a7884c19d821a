/*
 * audit_csv.c - grondslag audit export --format csv: the record for a
 * person with a spreadsheet.  One row per record with named columns; the
 * details that most records carry have columns of their own, codes are
 * written as names (data categories, TLP, times as ISO 8601 UTC, yes/no)
 * and the rest of the details follow as "key: value; key: value" in one
 * column, never as JSON.  The exact, hashable form is --format jsonl.
 *
 *   seq,time,actor,uid,role,event,ref,sender,recipients,party,categories,
 *   tlp,basis,reason,state,other,prev_hash,hash
 *
 * Every cell goes through csv_field() (RFC 4180, formulas defused).
 * Public functions (audit_against.h): audit_csv_header(), audit_csv_row().
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_against.h"
#include "grondslag/base/csv.h"
#include "grondslag/base/jsonr.h"
#include "grondslag/base/strbuf.h"
#include "grondslag/scan/findings.h"

/* The details with a column of their own, in column order after ref. */
static const char *const own[] = {"sender", "recipients", "party", "categories", "tlp",
				  "basis",  "reason",	  "state"};
#define NOWN (sizeof own / sizeof own[0])

/* Detail keys holding a Unix time. */
static bool is_time_key(const char *k)
{
	return strcmp(k, "at") == 0 || strcmp(k, "from") == 0 || strcmp(k, "to") == 0;
}

static void iso_time(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The value of detail k as a person reads it, into buf. */
static const char *value_text(const char *k, const struct jsonr_value *v, char *buf, size_t len)
{
	uint64_t n;
	switch (jsonr_type(v)) {
	case JSONR_STRING:
		return jsonr_str(v);
	case JSONR_TRUE:
		return "yes";
	case JSONR_FALSE:
		return "no";
	case JSONR_NUMBER:
		if (!jsonr_u64(v, &n))
			return jsonr_str(v) ? jsonr_str(v) : "";
		if (strcmp(k, "categories") == 0) {
			buf[0] = '\0';
			for (unsigned bit = 1; bit <= CAT_LAST; bit <<= 1)
				if (n & bit)
					snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
						 buf[0] ? ", " : "", category_name((enum category)bit));
			return buf[0] ? buf : "none";
		}
		if (strcmp(k, "tlp") == 0) {
			const char *t = tlp_name((enum tlp_level)n);
			return t[0] ? t : "none";
		}
		if (strcmp(k, "simulated") == 0)
			return n ? "yes" : "no";
		if (is_time_key(k)) {
			iso_time((int64_t)n, buf);
			return buf;
		}
		snprintf(buf, len, "%" PRIu64, n);
		return buf;
	default:
		return "";
	}
}

void audit_csv_header(FILE *out)
{
	fputs("seq,time,actor,uid,role,event,ref", out);
	for (size_t i = 0; i < NOWN; i++)
		fprintf(out, ",%s", own[i]);
	fputs(",other,prev_hash,hash\n", out);
}

static void field(FILE *out, const char *s, bool last)
{
	csv_field(out, s);
	fputc(last ? '\n' : ',', out);
}

int audit_csv_row(const struct audit_record *r, FILE *out)
{
	char num[32], when[32], uid[32], buf[256];
	snprintf(num, sizeof num, "%" PRId64, r->seq);
	iso_time(r->at, when);
	snprintf(uid, sizeof uid, "%" PRId64, r->uid);
	const char *head[] = {num, when, r->actor, r->uid < 0 ? "" : uid, r->role, r->event, r->ref};
	for (size_t i = 0; i < 7; i++)
		field(out, head[i], false);
	struct jsonr_doc *d = jsonr_parse(r->details, strlen(r->details), NULL, NULL);
	const struct jsonr_value *o = jsonr_root(d);
	for (size_t i = 0; i < NOWN; i++) {
		const struct jsonr_value *v = jsonr_get(o, own[i]);
		field(out, value_text(own[i], v, buf, sizeof buf), false);
	}
	/* the rest, "key: value; ..." in the record's (sorted) key order */
	struct strbuf other = {0};
	for (size_t i = 0; jsonr_type(o) == JSONR_OBJECT && i < jsonr_count(o); i++) {
		size_t klen;
		const char *k = jsonr_key(o, i, &klen);
		bool mine = false;
		for (size_t m = 0; m < NOWN && !mine; m++)
			mine = strcmp(k, own[m]) == 0;
		if (mine)
			continue;
		const char *v = value_text(k, jsonr_at(o, i), buf, sizeof buf);
		strbuf_printf(&other, "%s%s: %s", other.len ? "; " : "", k, v);
	}
	/* details that are not an object (never written so): as stored */
	field(out, d == NULL ? r->details : other.len ? other.s : "", false);
	bool oom = other.oom;
	free(other.s);
	jsonr_free(d);
	field(out, r->prev_hash, false);
	field(out, r->hash, true);
	return ferror(out) || oom ? 1 : 0;
}
