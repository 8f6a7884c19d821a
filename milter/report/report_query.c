/*
 * report_query.c - the register of shares of a report (see report.h):
 * what regulated data went to which party, on which bases and articles,
 * per month, each line under the regime of its bases (Wbni, Cbw, ...), so
 * that the periods of the two laws are shown apart.
 *
 * The regime of a line is the one the share recorded (shares.regime, if a
 * later schema has it), else it comes from the registry (basis id ->
 * regime).  A
 * line whose bases are empty (the own organisation) is under "none"; one
 * whose bases the registry does not know (or with no registry) under
 * "unknown"; bases of two regimes in one share under "mixed".  One scan of
 * the shares of the period counts them by month, party, bases, articles
 * and simulated (report_map.c: faster than a sorting GROUP BY) and
 * the shares per bucket of the series.  Limit: REPORT_MAX_ROWS lines
 * (then lines_truncated; the totals still count every share).
 */
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/date.h"
#include "report_priv.h"

/* Index of the regime with id, adding it (name, dates) when new; -1 out of
 * memory. */
static long regime_index(struct report *r, const char *id, const char *name, int32_t from,
			 int32_t until)
{
	for (size_t i = 0; i < r->nregimes; i++)
		if (strcmp(r->regimes[i].id, id) == 0)
			return (long)i;
	struct report_regime *n = realloc(r->regimes, (r->nregimes + 1) * sizeof *n);
	if (n == NULL)
		return -1;
	r->regimes = n;
	struct report_regime *g = &n[r->nregimes];
	memset(g, 0, sizeof *g);
	g->id = report_strdup(id);
	g->name = report_strdup(name);
	g->from = from;
	g->until = until;
	if (g->id == NULL || g->name == NULL) {
		free(g->id);
		free(g->name);
		return -1;
	}
	return (long)r->nregimes++;
}

/* Every regime of the registry, in its order, so that an empty period of
 * a regime shows as such. */
static int registry_regimes(struct report *r, const struct registry *reg)
{
	for (size_t i = 0; reg != NULL && i < registry_regime_count(reg); i++) {
		const struct registry_regime *g = registry_regime(reg, i);
		if (regime_index(r, g->id, g->name, g->valid.from, g->valid.until) < 0)
			return -1;
	}
	return 0;
}

/* The regime of a comma-separated list of basis ids. */
static long regime_of_bases(struct report *r, const struct registry *reg, const char *bases)
{
	const struct registry_regime *found = NULL;
	bool any = false, unknown = false, mixed = false;
	for (const char *p = bases; *p != '\0';) {
		size_t len = strcspn(p, ",");
		char id[256];
		size_t lead = 0;
		while (lead < len && p[lead] == ' ')
			lead++;
		size_t k = len - lead < sizeof id - 1 ? len - lead : sizeof id - 1;
		memcpy(id, p + lead, k);
		id[k] = '\0';
		while (k > 0 && id[k - 1] == ' ')
			id[--k] = '\0';
		if (k > 0) {
			any = true;
			const struct registry_basis *b = reg ? registry_basis_by_id(reg, id) : NULL;
			if (b == NULL || b->regime == NULL)
				unknown = true;
			else if (found != NULL && found != b->regime)
				mixed = true;
			else
				found = b->regime;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if (!any)
		return regime_index(r, "none", "no basis (own organisation, or simulate mode)", DATE_MIN, DATE_MAX);
	if (unknown)
		return regime_index(r, "unknown", "bases not in the registry", DATE_MIN, DATE_MAX);
	if (mixed)
		return regime_index(r, "mixed", "bases of more than one regime", DATE_MIN, DATE_MAX);
	return regime_index(r, found->id, found->name, found->valid.from, found->valid.until);
}

/* Order of the register: regime, month, party, bases, simulated last. */
static int cmp_lines(const void *a, const void *b)
{
	const struct report_share_row *x = a, *y = b;
	int c;
	if (x->regime != y->regime)
		return x->regime < y->regime ? -1 : 1;
	if ((c = strcmp(x->month, y->month)) != 0 || (c = strcmp(x->party, y->party)) != 0 ||
	    (c = strcmp(x->bases, y->bases)) != 0 || (c = strcmp(x->articles, y->articles)) != 0)
		return c;
	return (int)x->simulated - (int)y->simulated;
}

/* The next field of a line key (fields separated by US, 0x1f), copied. */
static char *key_field(const char **p)
{
	size_t n = strcspn(*p, "\x1f");
	char *f = strndup(*p, n);
	*p += n + ((*p)[n] == '\x1f');
	return f;
}

/* The regime a share recorded itself (shares.regime, when the store has
 * that column), named from the registry when it knows it. */
static long regime_stored(struct report *r, const struct registry *reg, const char *id)
{
	for (size_t i = 0; reg != NULL && i < registry_regime_count(reg); i++) {
		const struct registry_regime *g = registry_regime(reg, i);
		if (strcmp(g->id, id) == 0)
			return regime_index(r, g->id, g->name, g->valid.from, g->valid.until);
	}
	return regime_index(r, id, id, DATE_MIN, DATE_MAX);
}

/* A register line from a counted group: key "month US regime US party US
 * bases US articles US simulated" (regime "" unless the store has it). */
static int line_from_entry(struct report *r, const struct registry *reg,
			   const struct report_map_entry *e, struct report_share_row *l)
{
	memset(l, 0, sizeof *l);
	const char *p = e->key;
	char *month = key_field(&p);
	char *stored = key_field(&p);
	l->party = key_field(&p);
	l->bases = key_field(&p);
	l->articles = key_field(&p);
	if (month != NULL)
		snprintf(l->month, sizeof l->month, "%s", month);
	bool have_month = month != NULL;
	free(month);
	l->simulated = *p == '1';
	const struct registry_party *party =
		reg && l->party && l->party[0] ? registry_party_by_id(reg, l->party) : NULL;
	l->name = report_strdup(party ? party->name : "");
	if (!have_month || stored == NULL || l->party == NULL || l->bases == NULL ||
	    l->articles == NULL || l->name == NULL) {
		free(stored);
		return -1;
	}
	if (party != NULL)
		snprintf(l->country, sizeof l->country, "%s", party->jurisdiction);
	l->shares = e->count;
	l->addresses = e->sum;
	l->categories = e->bits;
	l->tlp = e->tlp;
	long g = stored[0] ? regime_stored(r, reg, stored) : regime_of_bases(r, reg, l->bases);
	free(stored);
	if (g < 0)
		return -1;
	l->regime = (size_t)g;
	return 0;
}

/* The month ("2026-08") of a day; the last answer is kept, the rows of
 * the store come roughly in time order. */
static const char *month_of(int64_t day, int64_t *cached_day, char month[16])
{
	if (day != *cached_day) {
		time_t t = (time_t)(day * 86400);
		struct tm tm;
		gmtime_r(&t, &tm);
		snprintf(month, 16, "%04d-%02d", (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100);
		*cached_day = day;
	}
	return month;
}

/* The counters of one scan of the shares. */
struct share_scan {
	struct report *r;
	struct report_map m;
	int64_t cached_day;		/* of month */
	char month[16];
	char *buf;			/* the key of a line */
	size_t cap;
};

/* Count one share (store_report_shares() callback; non-zero: out of
 * memory). */
static int share_row(void *arg, const struct store_report_share *sh)
{
	struct share_scan *c = arg;
	struct report *r = c->r;
	struct report_map *m = &c->m;
	int64_t day = (int64_t)sh->shared_at / 86400;
	bool sim = sh->simulated;
	uint64_t addrs = sh->public_addresses;
	if (sim) {
		r->shares_simulated++;
	} else if (sh->party_len == 0) {
		/* the own organisation: delivered inside, not shared */
		r->shares_internal++;
	} else {
		struct report_bucket *b = report_bucket_of(r, (int32_t)day);
		if (b != NULL)
			b->shares++;
		r->shares++;
		r->addresses += addrs;
	}
	const char *f[4] = {sh->regime, sh->party, sh->bases, sh->articles};
	size_t len[4] = {sh->regime_len, sh->party_len, sh->bases_len, sh->articles_len};
	size_t need = 16 + len[0] + len[1] + len[2] + len[3];
	if (need > c->cap) {
		char *n = realloc(c->buf, need * 2);
		if (n == NULL)
			return -1;
		c->buf = n;
		c->cap = need * 2;
	}
	char *k = c->buf;
	size_t n = (size_t)snprintf(k, c->cap, "%s\x1f", month_of(day, &c->cached_day, c->month));
	for (int i = 0; i < 4; i++) {
		memcpy(k + n, f[i], len[i]);
		n += len[i];
		k[n++] = '\x1f';
	}
	k[n++] = sim ? '1' : '0';
	struct report_map_entry *e = report_map_get(m, k, n);
	if (e == NULL) {
		if (!m->full)
			return -1;
		r->lines_truncated = true;	/* counted in the totals only */
		return 0;
	}
	e->count++;
	e->sum += addrs;
	e->bits |= sh->categories & 31;
	if (sh->tlp > e->tlp)
		e->tlp = sh->tlp;
	return 0;
}

/* The register lines from the counted groups, with the regime totals. */
static int lines_from(struct report *r, const struct registry *reg, const struct report_map *m)
{
	r->lines = calloc(m->n ? m->n : 1, sizeof *r->lines);
	if (r->lines == NULL)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		const struct report_map_entry *e = &m->slots[i];
		if (e->key == NULL)
			continue;
		struct report_share_row *l = &r->lines[r->nlines++];	/* freed by report_free() */
		if (line_from_entry(r, reg, e, l) != 0)
			return -1;
		struct report_regime *g = &r->regimes[l->regime];
		g->lines++;
		if (l->simulated) {
			g->simulated += l->shares;
		} else {
			g->shares += l->shares;
			g->addresses += l->addresses;
		}
	}
	if (r->nlines > 1)
		qsort(r->lines, r->nlines, sizeof *r->lines, cmp_lines);
	return 0;
}

int report_query_shares(struct report *r, struct store *s, const struct registry *reg,
			char *err, size_t errlen)
{
	if (registry_regimes(r, reg) != 0) {
		snprintf(err, errlen, "report: out of memory");
		return -1;
	}
	/* a regime the share recorded itself wins over today's registry */
	struct share_scan c = {.r = r, .m = {.max = REPORT_MAX_ROWS}, .cached_day = INT64_MIN};
	int ok = report_scan_end(
		store_report_shares(s, r->since, r->until, share_row, &c, err, errlen), err,
		errlen);
	free(c.buf);
	if (ok == 0 && lines_from(r, reg, &c.m) != 0) {
		snprintf(err, errlen, "report: out of memory");
		ok = -1;
	}
	report_map_free(&c.m);
	return ok;
}
