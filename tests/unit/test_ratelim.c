/*
 * test_ratelim.c - the per-key refusal limiter (ratelim.c), table-driven:
 * scripts of hits (key, time) and hand-backs (expired, drain, put back)
 * with the verdict and summary each must give: window edges at W - 1, W
 * and W + 1, eviction past the table size, drain, a clock stepping back,
 * saturating counts; and the invariant that every counted event comes
 * back in exactly one summary.
 */
#include "testutil.h"

#include "grondslag/daemon/ratelim.h"

enum op { HIT, EXPIRE, DRAIN, PUTBACK, END };

/* One step: op at time t for key; want verdict (HIT), return value
 * (PUTBACK: 0 or -1) and the summary handed back (sup 0: none). */
struct step {
	enum op op;
	long key;
	time_t t;
	int want;			/* HIT: verdict; PUTBACK: rc; else unused */
	long skey;
	uint64_t sup;			/* PUTBACK: the count put back */
	time_t from, to;
};

#define R RATELIM_RECORD
#define C RATELIM_COUNT

/* limit 2, window 10 s, 3 slots. */
static const struct {
	const char *name;
	struct step steps[16];
} scripts[] = {
	{"window edges: W - 1 inside, W and W + 1 a new window",
	 {{HIT, 1, 100, R, 0, 0, 0, 0}, {HIT, 1, 101, R, 0, 0, 0, 0}, {HIT, 1, 102, C, 0, 0, 0, 0},
	  {HIT, 1, 109, C, 0, 0, 0, 0}, {HIT, 1, 110, R, 1, 2, 102, 109},
	  {HIT, 1, 111, R, 0, 0, 0, 0}, {HIT, 1, 112, C, 0, 0, 0, 0},
	  {HIT, 1, 121, R, 1, 1, 112, 112}, {END, 0, 0, 0, 0, 0, 0, 0}}},
	{"no summary when nothing was counted",
	 {{HIT, 1, 0, R, 0, 0, 0, 0}, {HIT, 1, 5, R, 0, 0, 0, 0}, {HIT, 1, 10, R, 0, 0, 0, 0},
	  {EXPIRE, 0, 30, 0, 0, 0, 0, 0}, {END, 0, 0, 0, 0, 0, 0, 0}}},
	{"expired: not at W - 1, once at W",
	 {{HIT, 1, 0, R, 0, 0, 0, 0}, {HIT, 1, 0, R, 0, 0, 0, 0}, {HIT, 1, 3, C, 0, 0, 0, 0},
	  {HIT, 1, 4, C, 0, 0, 0, 0}, {EXPIRE, 0, 9, 0, 0, 0, 0, 0}, {EXPIRE, 0, 10, 0, 1, 2, 3, 4},
	  {EXPIRE, 0, 11, 0, 0, 0, 0, 0}, {HIT, 1, 11, R, 0, 0, 0, 0}, {END, 0, 0, 0, 0, 0, 0, 0}}},
	{"keys are independent",
	 {{HIT, 1, 0, R, 0, 0, 0, 0}, {HIT, 1, 0, R, 0, 0, 0, 0}, {HIT, 1, 0, C, 0, 0, 0, 0},
	  {HIT, 2, 1, R, 0, 0, 0, 0}, {HIT, 2, 1, R, 0, 0, 0, 0}, {HIT, 2, 2, C, 0, 0, 0, 0},
	  {HIT, 2, 2, C, 0, 0, 0, 0}, {EXPIRE, 0, 10, 0, 1, 1, 0, 0},
	  {EXPIRE, 0, 10, 0, 0, 0, 0, 0}, {EXPIRE, 0, 11, 0, 2, 2, 2, 2},
	  {END, 0, 0, 0, 0, 0, 0, 0}}},
	{"eviction of the oldest hands back its count",
	 {{HIT, 1, 0, R, 0, 0, 0, 0}, {HIT, 1, 0, R, 0, 0, 0, 0}, {HIT, 1, 0, C, 0, 0, 0, 0},
	  {HIT, 2, 0, R, 0, 0, 0, 0}, {HIT, 3, 0, R, 0, 0, 0, 0}, {HIT, 4, 1, R, 1, 1, 0, 0},
	  {HIT, 5, 1, R, 0, 0, 0, 0}, {HIT, 6, 1, R, 0, 0, 0, 0}, {HIT, 7, 1, R, 0, 0, 0, 0},
	  {DRAIN, 0, 0, 0, 0, 0, 0, 0}, {END, 0, 0, 0, 0, 0, 0, 0}}},
	{"an ended idle slot is reused before anything is evicted",
	 {{HIT, 1, 0, R, 0, 0, 0, 0}, {HIT, 2, 5, R, 0, 0, 0, 0}, {HIT, 2, 5, R, 0, 0, 0, 0},
	  {HIT, 2, 5, C, 0, 0, 0, 0}, {HIT, 3, 5, R, 0, 0, 0, 0}, {HIT, 4, 10, R, 0, 0, 0, 0},
	  {DRAIN, 0, 10, 0, 2, 1, 5, 5}, {END, 0, 0, 0, 0, 0, 0, 0}}},
	{"drain: windows stay open, the limit still applies",
	 {{HIT, 1, 0, R, 0, 0, 0, 0}, {HIT, 1, 0, R, 0, 0, 0, 0}, {HIT, 1, 0, C, 0, 0, 0, 0},
	  {HIT, 1, 1, C, 0, 0, 0, 0}, {DRAIN, 0, 1, 0, 1, 2, 0, 1}, {DRAIN, 0, 0, 0, 0, 0, 0, 0},
	  {HIT, 1, 2, C, 0, 0, 0, 0}, {DRAIN, 0, 2, 0, 1, 1, 2, 2}, {DRAIN, 0, 0, 0, 0, 0, 0, 0},
	  {END, 0, 0, 0, 0, 0, 0, 0}}},
	{"clock stepped back: the window ends, nothing lost",
	 {{HIT, 1, 100, R, 0, 0, 0, 0}, {HIT, 1, 100, R, 0, 0, 0, 0}, {HIT, 1, 100, C, 0, 0, 0, 0},
	  {HIT, 1, 50, R, 1, 1, 100, 100}, {HIT, 1, 50, R, 0, 0, 0, 0}, {HIT, 1, 51, C, 0, 0, 0, 0},
	  {EXPIRE, 0, 40, 0, 1, 1, 51, 51}, {EXPIRE, 0, 40, 0, 0, 0, 0, 0},
	  {END, 0, 0, 0, 0, 0, 0, 0}}},
	{"put back into the key's open window: one summary for both",
	 {{HIT, 1, 0, R, 0, 0, 0, 0}, {HIT, 1, 0, R, 0, 0, 0, 0}, {HIT, 1, 4, C, 0, 0, 0, 0},
	  {PUTBACK, 1, 4, 0, 1, 5, 1, 2}, {EXPIRE, 0, 10, 0, 1, 6, 1, 4},
	  {END, 0, 0, 0, 0, 0, 0, 0}}},
	{"put back after the slot left: kept, handed back at the next request",
	 {{PUTBACK, 9, 20, 0, 9, 3, 5, 8}, {EXPIRE, 0, 20, 0, 9, 3, 5, 8},
	  {EXPIRE, 0, 20, 0, 0, 0, 0, 0}, {END, 0, 0, 0, 0, 0, 0, 0}}},
	{"put back, then the key's next hit hands it back first",
	 {{PUTBACK, 9, 20, 0, 9, 3, 5, 8}, {HIT, 9, 21, R, 9, 3, 5, 8},
	  {END, 0, 0, 0, 0, 0, 0, 0}}},
	{"put back into a full table of open windows fails",
	 {{HIT, 1, 0, R, 0, 0, 0, 0}, {HIT, 2, 0, R, 0, 0, 0, 0}, {HIT, 3, 0, R, 0, 0, 0, 0},
	  {PUTBACK, 9, 1, -1, 9, 1, 0, 0}, {PUTBACK, 9, 10, 0, 9, 1, 0, 0},
	  {EXPIRE, 0, 10, 0, 9, 1, 0, 0}, {END, 0, 0, 0, 0, 0, 0, 0}}},
	{"huge counts saturate",
	 {{HIT, 1, 0, R, 0, 0, 0, 0}, {HIT, 1, 0, R, 0, 0, 0, 0}, {HIT, 1, 0, C, 0, 0, 0, 0},
	  {PUTBACK, 1, 0, 0, 1, UINT64_MAX, 0, 0}, {HIT, 1, 1, C, 0, 0, 0, 0},
	  {DRAIN, 0, 1, 0, 1, UINT64_MAX, 0, 1}, {END, 0, 0, 0, 0, 0, 0, 0}}},
};

/* Check a summary against the step's expectation. */
static void check_summary(const char *row, const struct step *st,
			  const struct ratelim_summary *got)
{
	assert_int_eq_msg(row, got->suppressed, st->sup);
	if (st->sup == 0)
		return;
	assert_int_eq_msg(row, got->key, st->skey);
	assert_int_eq_msg(row, got->from, st->from);
	assert_int_eq_msg(row, got->to, st->to);
}

/* Run one step on rl. */
static void run_step(struct ratelim *rl, const char *row, const struct step *st)
{
	struct ratelim_summary got;
	switch (st->op) {
	case HIT:
		assert_int_eq_msg(row, ratelim_hit(rl, st->key, "eve", "none", st->t, &got), st->want);
		break;
	case EXPIRE:
		assert_int_eq_msg(row, ratelim_expired(rl, st->t, &got), st->sup > 0);
		break;
	case DRAIN:
		assert_int_eq_msg(row, ratelim_drain(rl, &got), st->sup > 0);
		break;
	case PUTBACK: {
		struct ratelim_summary s = {.key = st->skey, .suppressed = st->sup,
					    .from = st->from, .to = st->to};
		assert_int_eq_msg(row, ratelim_putback(rl, &s, st->t), st->want);
		return;
	}
	case END: return;
	}
	check_summary(row, st, &got);
}

static void test_scripts(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(scripts); i++) {
		struct ratelim *rl = ratelim_new(2, 10, 3);
		assert_non_null(rl);
		for (size_t k = 0; scripts[i].steps[k].op != END; k++) {
			char row[160];
			snprintf(row, sizeof row, "%s, step %zu", scripts[i].name, k + 1);
			run_step(rl, row, &scripts[i].steps[k]);
		}
		ratelim_free(rl);
	}
}

/* Every counted event comes back in exactly one summary, whatever the
 * order of keys, evictions and expiries: n keys past the table size,
 * each refused often, then drained. */
static void test_nothing_lost(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		unsigned limit, window;
		size_t slots, keys, hits;
		time_t step;		/* seconds between rounds */
	} rows[] = {
		{"64 slots, 1000 keys", 10, 60, 64, 1000, 25, 0},
		{"one slot, 50 keys", 3, 60, 1, 50, 7, 1},
		{"windows ending while it runs", 2, 5, 8, 40, 9, 1},
		{"limit 0: everything counted", 0, 60, 4, 10, 5, 0},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct ratelim *rl = ratelim_new(rows[i].limit, rows[i].window, rows[i].slots);
		struct ratelim_summary s;
		uint64_t recorded = 0, summed = 0;
		time_t now = 1000;
		assert_non_null(rl);
		for (size_t h = 0; h < rows[i].hits; h++, now += rows[i].step) {
			for (size_t k = 0; k < rows[i].keys; k++) {
				recorded += ratelim_hit(rl, (long)k, "u", "none", now, &s) == R;
				summed += s.suppressed;
				while (ratelim_expired(rl, now, &s))
					summed += s.suppressed;
			}
		}
		while (ratelim_drain(rl, &s))
			summed += s.suppressed;
		assert_int_eq_msg(rows[i].name, recorded + summed, rows[i].keys * rows[i].hits);
		if (rows[i].limit == 0)
			assert_int_eq_msg(rows[i].name, recorded, 0);
		ratelim_free(rl);
	}
}

/* Who the summary names: the last user and role given, cut to size. */
static void test_names(void **state)
{
	(void)state;
	char longname[200];
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	struct ratelim *rl = ratelim_new(0, 60, 2);
	struct ratelim_summary s;
	assert_int_eq_msg("counted", ratelim_hit(rl, 1005, "eve", "none", 0, &s), C);
	assert_int_eq_msg("counted", ratelim_hit(rl, 1005, longname, "a-very-long-role-name", 0, &s),
			  C);
	assert_true(ratelim_drain(rl, &s));
	assert_int_eq_msg("key", s.key, 1005);
	assert_int_eq_msg("user cut", strlen(s.user), RATELIM_USER_MAX - 1);
	assert_str_eq_msg("role cut", s.role, "a-very-long-rol");
	ratelim_free(rl);
}

/* Invalid tables are refused; a NULL table records everything. */
static void test_edges(void **state)
{
	(void)state;
	struct ratelim_summary s;
	assert_null(ratelim_new(10, 0, 64));
	assert_null(ratelim_new(10, 60, 0));
	assert_int_eq_msg("NULL table", ratelim_hit(NULL, 1, "u", "none", 0, &s), R);
	assert_int_eq_msg("NULL table summary", s.suppressed, 0);
	assert_false(ratelim_expired(NULL, 0, &s));
	assert_false(ratelim_drain(NULL, &s));
	ratelim_free(NULL);
	/* times at the ends of time_t do not overflow the window check */
	struct ratelim *rl = ratelim_new(1, 60, 2);
	assert_int_eq_msg("min", ratelim_hit(rl, 1, "u", "none", INT64_MIN, &s), R);
	assert_int_eq_msg("max", ratelim_hit(rl, 1, "u", "none", INT64_MAX, &s), R);
	assert_int_eq_msg("max again", ratelim_hit(rl, 1, "u", "none", INT64_MAX, &s), C);
	assert_true(ratelim_drain(rl, &s));
	assert_int_eq_msg("max counted", s.suppressed, 1);
	ratelim_free(rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scripts),
		cmocka_unit_test(test_nothing_lost),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
