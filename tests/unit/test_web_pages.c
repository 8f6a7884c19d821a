/*
 * test_web_pages.c - pages of the console made from the real daemon's
 * answers: the daemon's control socket served in this process on a real
 * store (this process's user is the ControlConsoleUser), the console's
 * page functions asking it as grondslag-web does, for a jurist and for a
 * Sender.  The hold page names an SMTP AUTH login only when the mail had
 * one.  The bulk preview and a hold's decision count recipients and holds
 * in words of one or of many, in English and Dutch.  A confirmed bulk decision the store
 * fails for one hold (its commit fails, as a full disk's would) shows
 * which holds were decided and which not, with the daemon's reason, not
 * an error page.  On SQLite (the pages do not depend on the backend).
 */
#include "testutil.h"
#include "fixture_store.h"
#include "fixture_dir.h"
#include "fixture_ctlsock.h"

#include <pwd.h>
#include <time.h>

#include "grondslag/config/config.h"
#include "grondslag/daemon/ctlsock.h"
#include "grondslag/decide/registry.h"
#include "grondslag/decide/senderid.h"
#include "grondslag/store/store.h"
#include "page_priv.h"
#include "web.h"

static const char registry_text[] =
	"version: 1\n"
	"own_domains: [ncsc.nl]\n"
	"regimes:\n"
	"  - {id: wbni, name: \"Wbni\", valid_from: 2018-11-09}\n"
	"bases:\n"
	"  - id: us-mou\n"
	"    regime: wbni\n"
	"    article: \"Wbni art. 3(2)\"\n"
	"    permits: [provider-traceable, incident]\n"
	"    tlp_max: AMBER\n"
	"    approved_by: \"test\"\n"
	"parties:\n"
	"  - id: cisa\n"
	"    name: \"CISA\"\n"
	"    type: third-country-csirt\n"
	"    jurisdiction: US\n"
	"    domains: [cisa.gov]\n"
	"    bases: [us-mou]\n";

static const struct hold_rcpt one_rcpt[] = {
	{"<soc@cisa.gov>", "cisa", "no-basis", "No basis."},
};
static const struct hold_rcpt two_rcpts[] = {
	{"<soc@cisa.gov>", "cisa", "no-basis", "No basis."},
	{"<ops@cisa.gov>", "cisa", "no-basis", "No basis."},
};
static const char message[] = "Subject: s\r\n\r\nbody 8.8.8.8\r\n";

/* The daemon of a test: its store, configuration and socket. */
struct daemon {
	struct store *s;
	struct config *c;
	struct ctlsock *cs;
	char sock[256];
};

static const struct config *fixed_get(void *arg, void **pin)
{
	*pin = NULL;
	return arg;
}

static void fixed_put(void *arg, void *pin)
{
	(void)arg;
	(void)pin;
}

static int setup_dir(void **state)
{
	(void)state;
	struct registry_errors *re = NULL;
	test_registry = registry_load_buffer("test.yaml", registry_text, sizeof registry_text - 1,
					     &re);
	registry_errors_free(re);
	return test_registry == NULL ? -1 : fixture_dir_make("webpages");
}

static int remove_dir(void **state)
{
	(void)state;
	registry_unref(test_registry);
	return fixture_dir_remove();
}

/* Start the daemon of name: Jurists alice and bob, Sender carol, this
 * process's user the console. */
static void daemon_start(struct daemon *d, const char *name)
{
	char err[1024], path[256], conf[512];
	struct passwd *pw = getpwuid(getuid());
	if (pw == NULL)
		fail_msg("who am I?");
	snprintf(conf, sizeof conf,
		 "Jurist alice alice@ncsc.nl\nJurist bob bob@ncsc.nl\n"
		 "Sender carol carol@ncsc.nl\nControlConsoleUser %s\nReleaseApprovals 2\n",
		 pw->pw_name);
	snprintf(path, sizeof path, "%s/%s.conf", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(conf, f);
	fclose(f);
	d->c = config_load(path, err, sizeof err);
	if (d->c == NULL)
		fail_msg("config: %s", err);
	snprintf(path, sizeof path, "%s/%s.db", dir, name);
	d->s = fixture_store_open(path, err, sizeof err);
	snprintf(d->sock, sizeof d->sock, "%s/%s.sock", dir, name);
	d->cs = d->s ? ctlsock_open(d->sock, err, sizeof err) : NULL;
	struct ctlsock_env env = {.store = d->s, .hostname = "mx.test",
				  .notice_from = "g@ncsc.nl", .config_get = fixed_get,
				  .config_put = fixed_put, .registry_get = registry_of,
				  .arg = d->c};
	if (d->cs == NULL || ctlsock_run(d->cs, &env, err, sizeof err) != 0)
		fail_msg("daemon: %s", err);
}

static void daemon_stop(struct daemon *d)
{
	ctlsock_close(d->cs);
	store_close(d->s);
	config_free(d->c);
}

/* A hold of sender (SMTP AUTH login auth, "" none) to rcpts. */
static void put_hold(struct store *s, const char *sender, const char *auth,
		     const struct hold_rcpt *rcpts, size_t n, char ref[STORE_REF_MAX])
{
	char canon[SENDERID_MAX], err[256];
	senderid_address(sender, NULL, canon, sizeof canon);
	struct hold_record h = {
		.queue_id = "Q1", .sender = sender, .sender_auth = auth, .sender_canonical = canon,
		.subject = "s", .received = time(NULL) - 60, .registry_digest = "ab",
		.summary_json = "{\"countries\":\"US:1\"}", .findings_json = "{}",
		.data = message, .len = sizeof message - 1, .fd = -1, .rcpts = rcpts, .nrcpts = n};
	if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
		fail_msg("store_hold_put: %s", err);
}

/* The page of fn as login (a Sender or not); the body (malloc'ed). */
static char *hold_page(const struct daemon *d, const char *login, bool sender, const char *ref,
		       unsigned *status)
{
	struct web_session ses = {.sender = sender};
	snprintf(ses.login, sizeof ses.login, "%s", login);
	snprintf(ses.csrf, sizeof ses.csrf, "%s", "00");
	struct web_ctx x = {.c = d->c, .socket = d->sock, .s = &ses, .now = time(NULL)};
	struct web_page p = {0};
	web_page_hold(&x, ref, &p);
	*status = p.status;
	return p.body;
}

/* The hold page's "Sender (SMTP AUTH)" row: there with the login when
 * the mail was sent with SMTP AUTH, absent (not empty) when it was not;
 * for the Sender and for a jurist alike. */
static void test_hold_auth_row(void **state)
{
	(void)state;
	struct daemon d;
	daemon_start(&d, "auth");
	char plain[STORE_REF_MAX], authed[STORE_REF_MAX];
	put_hold(d.s, "<carol@ncsc.nl>", "", one_rcpt, 1, plain);
	put_hold(d.s, "<carol@ncsc.nl>", "carol", one_rcpt, 1, authed);
	static const struct {
		const char *login;
		bool sender;
	} who[] = {{"carol", true}, {"alice", false}};
	for (size_t i = 0; i < ARRAY_LEN(who); i++) {
		unsigned st;
		char *page = hold_page(&d, who[i].login, who[i].sender, plain, &st);
		if (st != 200 || page == NULL || strstr(page, plain) == NULL)
			fail_msg("%s, hold without AUTH: status %u: %s", who[i].login, st,
				 page ? page : "(none)");
		if (strstr(page, "SMTP AUTH") != NULL)
			fail_msg("%s, hold without AUTH: the page has an SMTP AUTH row:\n%s",
				 who[i].login, page);
		free(page);
		page = hold_page(&d, who[i].login, who[i].sender, authed, &st);
		if (st != 200 || page == NULL ||
		    strstr(page, "<th scope=\"row\">Sender (SMTP AUTH)</th><td>carol</td>") == NULL)
			fail_msg("%s, hold with AUTH: status %u, want its login row:\n%s",
				 who[i].login, st, page ? page : "(none)");
		free(page);
	}
	daemon_stop(&d);
}

/* A form's page: fn (web_page_bulk, web_page_decide) of form (a query
 * string) as the jurist login, confirmed or its preview; the body. */
typedef void form_page_fn(const struct web_ctx *x, const struct web_form *f, bool confirmed,
			  struct web_page *out);
static char *form_page(const struct daemon *d, form_page_fn *fn, const char *login,
		       const char *form, bool confirmed, unsigned *status)
{
	struct web_session ses = {.sender = false};
	snprintf(ses.login, sizeof ses.login, "%s", login);
	snprintf(ses.csrf, sizeof ses.csrf, "%s", "00");
	struct web_ctx x = {.c = d->c, .socket = d->sock, .s = &ses, .now = time(NULL)};
	struct web_form f;
	char why[128];
	if (web_form_parse(form, strlen(form), &f, why, sizeof why) != 0)
		fail_msg("form %s: %s", form, why);
	struct web_page p = {0};
	fn(&x, &f, confirmed, &p);
	web_form_free(&f);
	*status = p.status;
	return p.body;
}

/* The bulk page of form as alice. */
static char *bulk_page(const struct daemon *d, const char *form, bool confirmed,
		       unsigned *status)
{
	return form_page(d, web_page_bulk, "alice", form, confirmed, status);
}

/* The bulk preview's sentence: "1 recipient of 1 hold", "3 recipients
 * of 2 holds", never "recipient(s)"; in Dutch too. */
static void test_bulk_plural(void **state)
{
	(void)state;
	struct daemon d;
	daemon_start(&d, "plural");
	char ref[STORE_REF_MAX];
	static const struct {
		const char *lang, *want;
	} after_one[] = {
		{"en", "<span id=\"bulk-rcpts\">1</span> recipient of <span id=\"bulk-holds\">1</span>"
		       " hold of party"},
		{"nl", "<span id=\"bulk-rcpts\">1</span> ontvanger van <span id=\"bulk-holds\">1</span>"
		       " bewaring van partij"},
	}, after_two[] = {
		{"en", "<span id=\"bulk-rcpts\">3</span> recipients of <span id=\"bulk-holds\">2</span>"
		       " holds of party"},
		{"nl", "<span id=\"bulk-rcpts\">3</span> ontvangers van <span id=\"bulk-holds\">2</span>"
		       " bewaringen van partij"},
	};
	const char *form = "party=cisa&action=deny&reason=Not+for+them";
	for (int round = 0; round < 2; round++) {
		if (round == 0)
			put_hold(d.s, "<erin@ncsc.nl>", "", one_rcpt, 1, ref);
		else
			put_hold(d.s, "<erin@ncsc.nl>", "", two_rcpts, 2, ref);
		for (size_t i = 0; i < 2; i++) {
			const char *lang = round ? after_two[i].lang : after_one[i].lang;
			const char *want = round ? after_two[i].want : after_one[i].want;
			web_lang_set(lang);
			unsigned st;
			char *page = bulk_page(&d, form, false, &st);
			web_lang_set("en");
			if (st != 200 || page == NULL || strstr(page, want) == NULL ||
			    strstr(page, "(s)") != NULL || strstr(page, "(en)") != NULL)
				fail_msg("%s, %d hold(s): status %u, want \"%s\" and no (s):\n%s", lang,
					 round + 1, st, want, page ? page : "(none)");
			free(page);
		}
	}
	daemon_stop(&d);
}

/* A hold's decision page counts in words of one or of many: a denial of
 * one recipient and of two, an approval that releases one recipient and
 * leaves one other waiting; never "recipient(s)" or "other(s)". */
static void test_decide_plural(void **state)
{
	(void)state;
	struct daemon d;
	daemon_start(&d, "decide");
	char ref[STORE_REF_MAX], form[256];
	put_hold(d.s, "<erin@ncsc.nl>", "", two_rcpts, 2, ref);
	static const struct {
		const char *login, *form, *lang;
		bool confirmed;
		const char *want;
	} steps[] = {
		{"alice", "action=deny&rcpt=soc%40cisa.gov&reason=No", "en", false,
		 "1 recipient would never receive this message."},
		{"alice", "action=deny&all=1&reason=No", "en", false,
		 "2 recipients would never receive this message."},
		{"alice", "action=deny&rcpt=soc%40cisa.gov&reason=No", "nl", false,
		 "1 ontvanger zou dit bericht nooit krijgen."},
		{"alice", "action=approve&rcpt=soc%40cisa.gov&basis=us-mou&reason=Ok", "en", true,
		 "Waiting for a second jurist"},
		{"bob", "action=approve&all=1&basis=us-mou&reason=Ok", "en", false,
		 "Released now: 1 recipient will have all 2 approvals; the message will be delivered"
		 " to them at once. 1 other waits for a second jurist."},
		{"bob", "action=approve&all=1&basis=us-mou&reason=Ok", "nl", false,
		 "Nu vrijgegeven: 1 ontvanger krijgt alle 2 goedkeuringen; het bericht wordt hun dan"
		 " meteen bezorgd. 1 andere wacht op een tweede jurist."},
	};
	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		snprintf(form, sizeof form, "ref=%s&%s", ref, steps[i].form);
		unsigned st;
		web_lang_set(steps[i].lang);
		char *page = form_page(&d, web_page_decide, steps[i].login, form,
				       steps[i].confirmed, &st);
		web_lang_set("en");
		if (st != 200 || page == NULL || strstr(page, steps[i].want) == NULL ||
		    strstr(page, "(s)") != NULL)
			fail_msg("%s %s (%s): status %u, want \"%s\", no (s):\n%s", steps[i].login,
				 steps[i].form, steps[i].lang, st, steps[i].want,
				 page ? page : "(none)");
		free(page);
	}
	daemon_stop(&d);
}

/* The value of the hidden field name of page, into out. */
static void hidden_value(const char *page, const char *name, char *out, size_t len)
{
	char key[64];
	snprintf(key, sizeof key, "name=\"%s\" value=\"", name);
	const char *v = page ? strstr(page, key) : NULL;
	if (v == NULL)
		fail_msg("no field %s in:\n%s", name, page ? page : "(none)");
	v += strlen(key);
	snprintf(out, len, "%.*s", (int)strcspn(v, "\""), v);
}

/* The row of the bulk table of ref: its last cell (what happened). */
static void row_of(const char *page, const char *ref, char *out, size_t len)
{
	char key[160];
	snprintf(key, sizeof key, "href=\"/hold/%s\"", ref);
	const char *r = strstr(page, key), *next = r ? strstr(r, "<td class=\"next\">") : NULL;
	if (next == NULL)
		fail_msg("no row of %s in:\n%s", ref, page);
	next += strlen("<td class=\"next\">");
	snprintf(out, len, "%.*s", (int)(strstr(next, "</td>") - next), next);
}

/* A confirmed bulk denial over three holds whose first commit fails: the
 * result page names the two denied and the one not decided (with the
 * daemon's reason), warns, and the store agrees. */
static void test_bulk_partly(void **state)
{
	(void)state;
	struct daemon d;
	daemon_start(&d, "partly");
	char refs[3][STORE_REF_MAX], plan[80], form[320], cell[512];
	for (int i = 0; i < 3; i++)
		put_hold(d.s, "<erin@ncsc.nl>", "", one_rcpt, 1, refs[i]);
	unsigned st;
	char *page = bulk_page(&d, "party=cisa&action=deny&reason=Not+for+them", false, &st);
	hidden_value(page, "plan", plan, sizeof plan);
	free(page);
	snprintf(form, sizeof form, "party=cisa&action=deny&reason=Not+for+them&plan=%s", plan);
	store_fail_next(d.s);
	page = bulk_page(&d, form, true, &st);
	if (page == NULL || strstr(page, "id=\"bulk-partly\"") == NULL ||
	    strstr(page, "<span id=\"bulk-applied\">2</span> holds decided,") == NULL ||
	    strstr(page, "<span id=\"bulk-not\">1</span> hold not.") == NULL ||
	    strstr(page, "Partly denied in bulk") == NULL)
		fail_msg("status %u, want the results with the warning:\n%s", st,
			 page ? page : "(none)");
	int denied = 0, failed = 0;
	for (int i = 0; i < 3; i++) {
		row_of(page, refs[i], cell, sizeof cell);
		char hstate[32] = "";
		struct store_hold_record *h = store_hold_get(d.s, refs[i], NULL, 0);
		if (h != NULL)
			snprintf(hstate, sizeof hstate, "%s", h->state);
		store_hold_record_free(h);
		if (strstr(cell, "denied; the sender is told") != NULL) {
			denied++;
			assert_str_eq_msg("a hold shown denied", hstate, "denied");
		} else if (strstr(cell, "not decided:") != NULL &&
			   strstr(cell, "injected failure") != NULL) {
			/* the daemon's reason, the store's words */
			failed++;
			assert_str_eq_msg("the hold not decided", hstate, "pending");
		} else {
			fail_msg("row of %s: %s", refs[i], cell);
		}
	}
	assert_int_eq_msg("denied", denied, 2);
	assert_int_eq_msg("not decided", failed, 1);
	free(page);
	daemon_stop(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hold_auth_row),
		cmocka_unit_test(test_bulk_plural),
		cmocka_unit_test(test_bulk_partly),
		cmocka_unit_test(test_decide_plural),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
