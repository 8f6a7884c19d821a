/*
 * gate.c - from findings and an envelope to the milter's action, per
 * recipient, without libmilter.  See gate.h.
 *
 * The safe direction everywhere: a recipient is delivered only when the
 * policy said deliver for it; a missing decision (out of memory) or
 * missing findings (scan failed) turns the whole message into tempfail,
 * never into a delivery.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grondslag/base/date.h"
#include "grondslag/base/names.h"
#include "grondslag/decide/gate.h"
#include "grondslag/decide/readmap.h"
#include "grondslag/scan/ipclass.h"
#include "grondslag/base/json.h"

#define GATE_COUNTRIES_MAX 32

struct gate_rcpt {
	char *rcpt;		/* as given */
	struct decision *d;
	bool held;		/* deleted from the MTA's recipients */
	bool would_hold;	/* the policy said hold (simulate: not held) */
	char *reasons;		/* comma-separated reason codes */
	char *bases;		/* basis ids, comma-separated */
	char *articles;		/* their articles, "; "-separated */
};

struct gate_result {
	enum gate_action action;
	enum gate_mode mode;
	const struct findings *f;
	char *queue_id, *sender;
	struct gate_rcpt *r;
	size_t nr;
	size_t held;
	size_t would_hold;
	unsigned categories;
	char countries[GATE_COUNTRIES_MAX * 16];	/* "BE:3,NL:1" */
	struct hold_rcpt *hold;
	size_t nhold;
	const char **delivered;
	size_t ndelivered;
	struct hold_share *share;
	size_t nshare;
	char readers[1024];	/* who can read its encrypted parts (readmap.h) */
};

static const struct name_value actions[] = {
	{"pass", GATE_PASS},
	{"accept", GATE_ACCEPT},
	{"partial", GATE_PARTIAL},
	{"discard", GATE_DISCARD},
	{"tempfail", GATE_TEMPFAIL},
};

const char *gate_action_name(enum gate_action a)
{
	return name_of(actions, NAMES_LEN(actions), (int)a, "?");
}

static const struct name_value modes[] = {
	{"enforce", GATE_ENFORCE},
	{"simulate", GATE_SIMULATE},
};

bool gate_mode_parse(const char *s, enum gate_mode *out)
{
	int v = value_of(modes, NAMES_LEN(modes), s, NAMES_NOCASE);
	if (v >= 0)
		*out = (enum gate_mode)v;
	return v >= 0;
}

const char *gate_mode_name(enum gate_mode m)
{
	return name_of(modes, NAMES_LEN(modes), (int)m, "enforce");
}
/* Append text to a bounded buffer at *len (cut silently when full). */
static void buf_add(char *buf, size_t n, size_t *len, const char *text)
{
	if (*len >= n)
		return;
	int w = snprintf(buf + *len, n - *len, "%s", text);
	if (w < 0)
		return;
	*len += (size_t)w < n - *len ? (size_t)w : n - *len - 1;
}

/* The reasons of a decision, comma-separated (malloc'ed). */
static char *reasons_text(const struct decision *d)
{
	char buf[512];
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < decision_reason_count(d); i++) {
		if (i > 0)
			buf_add(buf, sizeof buf, &len, ",");
		buf_add(buf, sizeof buf, &len, policy_reason_name(decision_reason(d, i)));
	}
	return strdup(buf);
}

/* Basis ids ("a,b") or articles ("x; y") of a decision (malloc'ed). */
static char *bases_text(const struct decision *d, bool articles)
{
	char buf[1024];
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < decision_basis_count(d); i++) {
		const struct registry_basis *b = decision_basis(d, i);
		if (i > 0)
			buf_add(buf, sizeof buf, &len, articles ? "; " : ",");
		buf_add(buf, sizeof buf, &len, articles ? b->article : b->id);
	}
	return strdup(buf);
}

/* Category names joined with ",". */
static void categories_text(unsigned cats, char *buf, size_t n)
{
	static const enum category all[] = {CAT_PROVIDER_TRACEABLE, CAT_INCIDENT,
					    CAT_UNSCANNABLE, CAT_PERSONAL_DATA, CAT_CREDENTIALS};
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		if (!(cats & all[i]))
			continue;
		if (len > 0)
			buf_add(buf, n, &len, ",");
		buf_add(buf, n, &len, category_name(all[i]));
	}
	if (len == 0)
		buf_add(buf, n, &len, "none");
}

struct country_count {
	char cc[3];
	uint32_t count;
};

/* "BE:3,NL:1,unknown:2": public addresses per country, most first. */
static void countries_text(const struct findings *f, char *buf, size_t n)
{
	struct country_count c[GATE_COUNTRIES_MAX];
	size_t nc = 0;
	uint32_t unknown = 0;
	for (size_t i = 0; i < findings_ip_count(f); i++) {
		const struct finding_ip *ip = findings_ip(f, i);
		if (ip->scope != IP_SCOPE_PUBLIC)
			continue;
		if (ip->country[0] == '\0') {
			unknown++;
			continue;
		}
		size_t j = 0;
		while (j < nc && strcmp(c[j].cc, ip->country) != 0)
			j++;
		if (j == nc) {
			if (nc == GATE_COUNTRIES_MAX) {
				unknown++;	/* XXX counted as unknown past the cap */
				continue;
			}
			memcpy(c[nc].cc, ip->country, 3);
			c[nc++].count = 0;
		}
		c[j].count++;
	}
	/* Insertion sort, most first (nc is small). */
	for (size_t i = 1; i < nc; i++)
		for (size_t j = i; j > 0 && c[j].count > c[j - 1].count; j--) {
			struct country_count t = c[j];
			c[j] = c[j - 1];
			c[j - 1] = t;
		}
	size_t len = 0;
	buf[0] = '\0';
	char item[32];
	for (size_t i = 0; i < nc; i++) {
		snprintf(item, sizeof item, "%s%.2s:%u", len ? "," : "", c[i].cc, c[i].count);
		buf_add(buf, n, &len, item);
	}
	if (unknown > 0) {
		snprintf(item, sizeof item, "%sunknown:%u", len ? "," : "", unknown);
		buf_add(buf, n, &len, item);
	}
}

void gate_free(struct gate_result *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < g->nr; i++) {
		free(g->r[i].rcpt);
		decision_free(g->r[i].d);
		free(g->r[i].reasons);
		free(g->r[i].bases);
		free(g->r[i].articles);
	}
	free(g->r);
	free(g->hold);
	free(g->delivered);
	free(g->share);
	free(g->queue_id);
	free(g->sender);
	free(g);
}

/* Decide every recipient; false when out of memory. */
static bool gate_decide_rcpts(struct gate_result *g, const struct gate_input *in,
			      struct registry *reg)
{
	for (size_t i = 0; i < in->nrcpts; i++) {
		struct gate_rcpt *r = &g->r[i];
		r->rcpt = strdup(in->rcpts[i] != NULL ? in->rcpts[i] : "");
		if (r->rcpt == NULL)
			return false;
		g->nr = i + 1;
		struct policy_options po = in->policy;
		po.rcpts = in->rcpts;	/* a reader key of any recipient's party is addressed */
		po.nrcpts = in->nrcpts;
		r->d = policy_decide(reg, g->f, r->rcpt, in->date, &po);
		if (r->d == NULL)
			return false;
		r->reasons = reasons_text(r->d);
		r->bases = bases_text(r->d, false);
		r->articles = bases_text(r->d, true);
		if (r->reasons == NULL || r->bases == NULL || r->articles == NULL)
			return false;
		r->would_hold = decision_verdict(r->d) == VERDICT_HOLD;
		r->held = r->would_hold && in->mode == GATE_ENFORCE;
		g->categories |= decision_categories(r->d);
		g->held += r->held;
		g->would_hold += r->would_hold;
	}
	return true;
}

/* Fill one share record for recipient r. */
static void gate_fill_share(struct gate_result *g, const struct gate_input *in,
			    const struct gate_rcpt *r, struct hold_share *sh)
{
	const struct registry_party *p = decision_party(r->d);
	sh->queue_id = g->queue_id;
	sh->sender = g->sender;
	sh->recipient = r->rcpt;
	sh->party = p != NULL ? p->id : NULL;
	sh->bases = r->bases;
	sh->articles = r->articles;
	sh->categories = decision_categories(r->d);
	sh->tlp = (int)decision_tlp(r->d);
	sh->public_addresses =
		(uint32_t)(findings_public_ip_count(g->f) + findings_public_net_count(g->f));
	sh->countries = g->countries;
	sh->simulated = r->would_hold;
	sh->when = in->now;
}

/* Build the hold, delivered and share lists from the decisions. */
static bool gate_build_lists(struct gate_result *g, const struct gate_input *in)
{
	size_t n = g->nr ? g->nr : 1;
	g->hold = calloc(n, sizeof *g->hold);
	g->delivered = calloc(n, sizeof *g->delivered);
	g->share = calloc(n, sizeof *g->share);
	if (g->hold == NULL || g->delivered == NULL || g->share == NULL)
		return false;
	for (size_t i = 0; i < g->nr; i++) {
		const struct gate_rcpt *r = &g->r[i];
		if (r->held) {
			struct hold_rcpt *h = &g->hold[g->nhold++];
			const struct registry_party *p = decision_party(r->d);
			h->recipient = r->rcpt;
			h->party = p != NULL ? p->id : NULL;
			h->reasons = r->reasons;
			h->explanation = decision_explain(r->d);
			continue;
		}
		g->delivered[g->ndelivered++] = r->rcpt;
		if (decision_categories(r->d) != 0)
			gate_fill_share(g, in, r, &g->share[g->nshare++]);
	}
	return true;
}

struct gate_result *gate_decide(const struct gate_input *in, struct registry *reg,
				const struct findings *f)
{
	struct gate_result *g = calloc(1, sizeof *g);
	if (g == NULL)
		return NULL;
	g->mode = in->mode;
	g->f = f;
	if (f != NULL && reg != NULL)
		readmap_describe(reg, f, in->date, g->readers, sizeof g->readers);
	g->queue_id = strdup(in->queue_id != NULL ? in->queue_id : "");
	g->sender = strdup(in->sender != NULL ? in->sender : "");
	if (g->queue_id == NULL || g->sender == NULL) {
		gate_free(g);
		return NULL;
	}
	if (!in->outbound) {
		g->action = GATE_PASS;
		return g;
	}
	if (f == NULL || reg == NULL || in->nrcpts > GATE_MAX_RCPTS) {
		g->action = GATE_TEMPFAIL;
		return g;
	}
	countries_text(f, g->countries, sizeof g->countries);
	g->r = calloc(in->nrcpts ? in->nrcpts : 1, sizeof *g->r);
	if (g->r == NULL || !gate_decide_rcpts(g, in, reg) || !gate_build_lists(g, in)) {
		/* Some recipient has no decision: nothing may be delivered. */
		g->action = GATE_TEMPFAIL;
		return g;
	}
	if (g->held == 0)
		g->action = GATE_ACCEPT;
	else if (g->held == g->nr)
		g->action = GATE_DISCARD;
	else
		g->action = GATE_PARTIAL;
	return g;
}

enum gate_action gate_action(const struct gate_result *g)
{
	return g->action;
}

size_t gate_rcpt_count(const struct gate_result *g)
{
	return g->nr;
}

const char *gate_rcpt(const struct gate_result *g, size_t i)
{
	return i < g->nr ? g->r[i].rcpt : NULL;
}

bool gate_rcpt_held(const struct gate_result *g, size_t i)
{
	return i < g->nr && g->r[i].held;
}

bool gate_rcpt_would_hold(const struct gate_result *g, size_t i)
{
	return i < g->nr && g->r[i].would_hold;
}

const struct decision *gate_decision(const struct gate_result *g, size_t i)
{
	return i < g->nr ? g->r[i].d : NULL;
}

unsigned gate_categories(const struct gate_result *g)
{
	return g->categories;
}

enum tlp_level gate_tlp(const struct gate_result *g)
{
	return g->f != NULL ? findings_tlp(g->f) : TLP_NONE;
}

const char *gate_countries(const struct gate_result *g)
{
	return g->countries;
}

size_t gate_public_count(const struct gate_result *g)
{
	return g->f != NULL && g->action != GATE_PASS
		       ? findings_public_ip_count(g->f) + findings_public_net_count(g->f)
		       : 0;
}

bool gate_regulated(const struct gate_result *g)
{
	return g->categories != 0;
}

const struct hold_rcpt *gate_hold_rcpts(const struct gate_result *g, size_t *n)
{
	*n = g->nhold;
	return g->hold;
}

const char *const *gate_delivered(const struct gate_result *g, size_t *n)
{
	*n = g->ndelivered;
	return g->delivered;
}

size_t gate_share_count(const struct gate_result *g)
{
	return g->nshare;
}

const struct hold_share *gate_share(const struct gate_result *g, size_t i)
{
	return i < g->nshare ? &g->share[i] : NULL;
}

/* Distinct basis ids of the delivered recipients, comma-separated. */
static void delivered_bases(const struct gate_result *g, char *buf, size_t n)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < g->nr; i++) {
		if (g->r[i].held)
			continue;
		for (size_t k = 0; k < decision_basis_count(g->r[i].d); k++) {
			const char *id = decision_basis(g->r[i].d, k)->id;
			bool seen = false;
			for (size_t j = 0; j < i && !seen; j++)
				for (size_t m = 0; !g->r[j].held && m < decision_basis_count(g->r[j].d); m++)
					seen |= strcmp(decision_basis(g->r[j].d, m)->id, id) == 0;
			for (size_t m = 0; m < k && !seen; m++)
				seen |= strcmp(decision_basis(g->r[i].d, m)->id, id) == 0;
			if (seen)
				continue;
			if (len > 0)
				buf_add(buf, n, &len, ",");
			buf_add(buf, n, &len, id);
		}
	}
}

bool gate_header(const struct gate_result *g, const char *ref, char *buf, size_t n)
{
	if (n == 0)
		return false;
	buf[0] = '\0';
	if (g->action == GATE_PASS || g->action == GATE_TEMPFAIL || g->action == GATE_DISCARD ||
	    !gate_regulated(g))
		return false;
	char cats[128], bases[GATE_HEADER_MAX], item[64], date[DATE_TEXT_MAX];
	size_t len = 0, cap = n < GATE_HEADER_MAX ? n : GATE_HEADER_MAX;
	categories_text(g->categories, cats, sizeof cats);
	delivered_bases(g, bases, sizeof bases);
	if (g->mode == GATE_SIMULATE) {
		snprintf(item, sizeof item, "simulate; would-hold=%zu", g->would_hold);
		buf_add(buf, cap, &len, item);
	} else if (g->held > 0) {
		snprintf(item, sizeof item, "partial; held=%zu", g->held);
		buf_add(buf, cap, &len, item);
	} else {
		buf_add(buf, cap, &len, "deliver");
	}
	if (ref != NULL && *ref && g->held > 0) {
		buf_add(buf, cap, &len, "; ref=");
		buf_add(buf, cap, &len, ref);
	}
	buf_add(buf, cap, &len, "; categories=");
	buf_add(buf, cap, &len, cats);
	if (g->nr > 0) {
		buf_add(buf, cap, &len, "; date=");
		buf_add(buf, cap, &len, date_format(decision_date(g->r[0].d), date, sizeof date));
	}
	if (bases[0]) {
		buf_add(buf, cap, &len, "; bases=");
		buf_add(buf, cap, &len, bases);
	}
	return true;
}

/* Union of the reason codes of all recipients, in enum order. */
static void reasons_union(const struct gate_result *g, char *buf, size_t n)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int r = 0; r < REASON_COUNT; r++) {
		bool any = false;
		for (size_t i = 0; i < g->nr && !any; i++)
			any = decision_has_reason(g->r[i].d, (enum policy_reason)r);
		if (!any)
			continue;
		if (len > 0)
			buf_add(buf, n, &len, ",");
		buf_add(buf, n, &len, policy_reason_name((enum policy_reason)r));
	}
	if (len == 0)
		buf_add(buf, n, &len, "none");
}

void gate_log_line(const struct gate_result *g, char *buf, size_t n)
{
	char reasons[512], cats[128];
	reasons_union(g, reasons, sizeof reasons);
	categories_text(g->categories, cats, sizeof cats);
	size_t pub = gate_public_count(g);
	char would[48] = "";
	if (g->mode == GATE_SIMULATE)
		snprintf(would, sizeof would, " would-hold=%zu", g->would_hold);
	snprintf(buf, n, "verdict=%s mode=%s rcpts=%zu held=%zu%s reasons=%s categories=%s public=%zu",
		 gate_action_name(g->action), gate_mode_name(g->mode),
		 g->nr, g->held, would, reasons, cats, pub);
}

void gate_rcpt_log_line(const struct gate_result *g, size_t i, char *buf, size_t n)
{
	if (i >= g->nr) {
		snprintf(buf, n, "rcpt=%zu/%zu none", i + 1, g->nr);
		return;
	}
	const struct gate_rcpt *r = &g->r[i];
	const struct registry_party *p = decision_party(r->d);
	snprintf(buf, n, "rcpt=%zu/%zu verdict=%s%s party=%.64s match=%s reasons=%.400s", i + 1,
		 g->nr, r->held ? "hold" : "deliver",
		 !r->held && r->would_hold ? " would-hold" : "", p != NULL ? p->id : "-",
		 registry_match_name(decision_match(r->d)), r->reasons[0] ? r->reasons : "none");
}


char *gate_summary_json(const struct gate_result *g)
{
	struct json *j = json_new_string();
	if (j == NULL)
		return NULL;
	char cats[128];
	categories_text(g->categories, cats, sizeof cats);
	json_obj_begin(j);
	json_key(j, "categories");
	json_str(j, cats);
	if (g->f != NULL) {
		json_key(j, "tlp");
		json_str(j, tlp_name(findings_tlp(g->f)));
		json_key(j, "public_addresses");
		json_uint(j, findings_public_ip_count(g->f));
		json_key(j, "public_networks");
		json_uint(j, findings_public_net_count(g->f));
		json_key(j, "countries");
		json_str(j, g->countries);
		if (g->readers[0] != '\0') {
			json_key(j, "readers");
			json_str(j, g->readers);
		}
		json_key(j, "parts");
		json_arr_begin(j);
		for (size_t i = 0; i < findings_part_count(g->f); i++) {
			const struct finding_part *p = findings_part(g->f, i);
			json_obj_begin(j);
			json_key(j, "path");
			json_str(j, p->path);
			json_key(j, "type");
			json_str(j, p->type);
			/* the sender's words: withheld from all but jurists by
			 * the control socket, like the Subject */
			if (p->filename != NULL) {
				json_key(j, "filename");
				json_str(j, p->filename);
			}
			json_key(j, "status");
			json_str(j, part_status_name(p->status));
			if (p->reason != UNSCAN_NONE) {
				json_key(j, "reason");
				json_str(j, unscan_reason_name(p->reason));
			}
			json_obj_end(j);
		}
		json_arr_end(j);
	}
	json_obj_end(j);
	return json_string_done(j, NULL);
}

char *gate_findings_json(const struct gate_result *g)
{
	struct json *j = json_new_string();
	if (j == NULL)
		return NULL;
	char text[IP_PREFIX_TEXT_MAX];
	json_obj_begin(j);
	json_key(j, "addresses");
	json_arr_begin(j);
	for (size_t i = 0; g->f != NULL && i < findings_ip_count(g->f); i++) {
		const struct finding_ip *ip = findings_ip(g->f, i);
		json_obj_begin(j);
		json_key(j, "ip");
		json_str(j, ip_addr_format(&ip->addr, text, sizeof text));
		json_key(j, "scope");
		json_str(j, ipclass_scope_name(ip->scope));
		json_key(j, "count");
		json_uint(j, ip->count);
		json_key(j, "country");
		json_str(j, ip->country);
		json_key(j, "asn");
		json_uint(j, ip->asn);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_key(j, "networks");
	json_arr_begin(j);
	for (size_t i = 0; g->f != NULL && i < findings_net_count(g->f); i++) {
		const struct finding_net *nt = findings_net(g->f, i);
		if (nt->is_range) {
			char last[IP_ADDR_TEXT_MAX];
			json_obj_begin(j);
			json_key(j, "first");
			json_str(j, ip_addr_format(&nt->first, text, sizeof text));
			json_key(j, "last");
			json_str(j, ip_addr_format(&nt->last, last, sizeof last));
			json_obj_end(j);
		} else {
			json_str(j, ip_prefix_format(&nt->prefix, text, sizeof text));
		}
	}
	json_arr_end(j);
	json_obj_end(j);
	return json_string_done(j, NULL);
}
