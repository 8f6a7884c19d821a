/*
 * test_ctlsock_log.c - the log line of each control socket request
 * (ctlsock_log.c), table driven: user, uid, role, command, reference and
 * outcome of jurist, admin, auditor and outsider requests, never an
 * address or anything else a caller typed; a caller refused in a loop
 * is logged as often as recorded, no more.  The lines are read from the
 * log itself (stderr, as in the foreground).
 */
#include "testutil.h"
#include "fixture_store.h"
#include "fixture_dir.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "grondslag/config/config.h"
#include "grondslag/daemon/ctlsock.h"
#include "grondslag/base/log.h"
#include "grondslag/daemon/ratelim.h"
#include "grondslag/store/store.h"

static int setup_dir(void **state)
{
	(void)state;
	log_open("test", true, false);
	return fixture_dir_make("ctllog");
}

static int remove_dir(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

static const char conf_text[] =
	"Jurist alice alice@ncsc.nl\nJurist bob bob@ncsc.nl\nAdmin carol\nAuditor dave\n"
	"ReleaseApprovals 2\nReleaseRelay\n";

static const struct hold_rcpt held[] = {
	{"<soc@cisa.gov>", "cisa", "no-basis", "No basis."},
};
static const char message[] = "Subject: list\r\n\r\n8.8.8.8\r\n";

/* Answer req from (user, uid); the log lines it wrote, in buf. */
static void request(const struct ctlsock_env *env, const struct config *c, const char *user,
		    long uid, const char *req, char *buf, size_t len)
{
	char path[256];
	snprintf(path, sizeof path, "%s/log", dir);
	fflush(stderr);
	int saved = dup(2), fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	struct ctlsock_peer p = {.uid = uid, .user = user};
	char *resp = NULL;
	size_t rlen;
	int rc = ctlsock_handle(env, c, &p, req, strlen(req), &resp, &rlen);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	free(resp);
	assert_int_equal(rc, 0);
	ssize_t n = pread(fd, buf, len - 1, 0);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
}

/* The lines of buf starting (after the stamp) with "control:". */
static int control_lines(const char *buf)
{
	int n = 0;
	for (const char *p = buf; (p = strstr(p, ": control: ")) != NULL; p++)
		n++;
	return n;
}

static const struct {
	const char *name, *user;
	long uid;
	const char *req;	/* "@" stands for the hold's reference */
	const char *want;	/* in the one control line; "@" as above */
} rows[] = {
	{"outsider", "eve", 1005, "{\"cmd\":\"held\"}",
	 "notice: control: user=eve uid=1005 role=none cmd=held ref=- outcome=refused "
	 "reason=\"the caller has no role (Jurist, Admin, Auditor, Sender)\""},
	{"admin lists", "carol", 1003, "{\"cmd\":\"held\"}",
	 "info: control: user=carol uid=1003 role=admin cmd=held ref=- outcome=accepted"},
	{"admin may not approve", "carol", 1003,
	 "{\"cmd\":\"approve\",\"ref\":\"@\",\"reason\":\"x\"}",
	 "control: user=carol uid=1003 role=admin cmd=approve ref=@ outcome=refused "
	 "reason=\"the role admin may not approve\""},
	{"auditor shows", "dave", 1004, "{\"cmd\":\"show\",\"ref\":\"@\"}",
	 "control: user=dave uid=1004 role=auditor cmd=show ref=@ outcome=accepted"},
	{"auditor may not see content", "dave", 1004,
	 "{\"cmd\":\"show\",\"ref\":\"@\",\"content\":true}",
	 "role=auditor cmd=show ref=@ outcome=refused reason=\"only a jurist may view the "
	 "content of a hold\""},
	{"jurist approves", "bob", 1002,
	 "{\"cmd\":\"approve\",\"ref\":\"@\",\"reason\":\"art. 20\"}",
	 "control: user=bob uid=1002 role=jurist cmd=approve ref=@ outcome=accepted"},
	{"reference in lower case", "bob", 1002, "{\"cmd\":\"show\",\"ref\":\"@lower\"}",
	 "role=jurist cmd=show ref=@ outcome=accepted"},
	{"no such hold", "bob", 1002, "{\"cmd\":\"show\",\"ref\":\"G20200101-0000000000\"}",
	 "cmd=show ref=G20200101-0000000000 outcome=not-found"},
	{"an address as reference", "bob", 1002, "{\"cmd\":\"show\",\"ref\":\"<soc@cisa.gov>\"}",
	 "cmd=show ref=invalid outcome=bad-request"},
	{"an address as command", "bob", 1002, "{\"cmd\":\"<soc@cisa.gov>\"}",
	 "cmd=unknown ref=- outcome=bad-request reason=\"malformed request: unknown command\""},
	{"not json", "bob", 1002, "soc@cisa.gov",
	 "cmd=- ref=- outcome=bad-request reason=\"malformed request"},
	{"the sender approves", "alice", 1001,
	 "{\"cmd\":\"approve\",\"ref\":\"@\",\"reason\":\"mine\",\"rcpts\":[\"<soc@cisa.gov>\"]}",
	 "notice: control: user=alice uid=1001 role=jurist cmd=approve ref=@ outcome=refused"},
	{"bulk deny", "bob", 1002,
	 "{\"cmd\":\"deny\",\"all_matching\":true,\"party\":\"cisa\",\"reason\":\"old\"}",
	 "role=jurist cmd=deny bulk=all-matching ref=- outcome=accepted"},
	{"admin resolves nothing", "carol", 1003,
	 "{\"cmd\":\"release-resolve\",\"ref\":\"@\",\"resolution\":\"delivered\","
	 "\"reason\":\"log\"}", "role=admin cmd=release-resolve ref=@ outcome=refused"},
};

/* s with every "@" (not followed by a letter) replaced by ref. */
static void fill(const char *s, const char *ref, char *out, size_t len)
{
	size_t o = 0;
	for (; *s && o + STORE_REF_MAX + 1 < len; s++) {
		if (*s == '@' && strncmp(s + 1, "lower", 5) == 0) {
			for (const char *r = ref; *r; r++)
				out[o++] = (char)(*r >= 'A' && *r <= 'Z' ? *r - 'A' + 'a' : *r);
			s += 5;
		} else if (*s == '@' && (s[1] == '"' || s[1] == ' ' || s[1] == '\0')) {
			o += (size_t)snprintf(out + o, len - o, "%s", ref);
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
}

static void test_lines(void **state)
{
	(void)state;
	char path[256], err[512], ref[STORE_REF_MAX];
	snprintf(path, sizeof path, "%s/g.conf", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(conf_text, f);
	fclose(f);
	struct config *c = config_load(path, err, sizeof err);
	fixture_databasef(path, sizeof path, dir, "s.db");
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	struct hold_record h = {.queue_id = "Q1", .sender = "<alice@ncsc.nl>", .subject = "list",
			       .received = time(NULL), .registry_digest = "ab",
			       .summary_json = "{}", .findings_json = "{}", .data = message,
			       .len = sizeof message - 1, .fd = -1, .rcpts = held, .nrcpts = 1};
	if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
		fail_msg("store_hold_put: %s", err);
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl"};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char req[512], want[512], buf[4096];
		fill(rows[i].req, ref, req, sizeof req);
		fill(rows[i].want, ref, want, sizeof want);
		request(&env, c, rows[i].user, rows[i].uid, req, buf, sizeof buf);
		assert_int_eq_msg(rows[i].name, control_lines(buf), 1);
		if (strstr(buf, want) == NULL)
			fail_msg("%s: got \"%s\", want a line with \"%s\"", rows[i].name, buf, want);
		/* no address, no content: whatever the caller sent or the
		 * answer said */
		if (strchr(strstr(buf, ": control: "), '@') != NULL || strstr(buf, "8.8.8.8") ||
		    strstr(buf, "Subject") || strstr(buf, "list"))
			fail_msg("%s: an address or content in the log: %s", rows[i].name, buf);
	}
	store_close(s);
	config_free(c);
}

/* A caller refused in a loop: logged as often as recorded (the first
 * CTLSOCK_REFUSALS_PER_WINDOW of the window), then only counted. */
static void test_loop_bounded(void **state)
{
	(void)state;
	char path[256], err[512], buf[4096];
	snprintf(path, sizeof path, "%s/g.conf", dir);
	struct config *c = config_load(path, err, sizeof err);
	fixture_databasef(path, sizeof path, dir, "loop.db");
	struct store *s = fixture_store_open(path, err, sizeof err);
	struct ratelim *rl = ratelim_new(CTLSOCK_REFUSALS_PER_WINDOW, CTLSOCK_REFUSAL_WINDOW,
					 CTLSOCK_REFUSAL_SLOTS);
	if (c == NULL || s == NULL || rl == NULL)
		fail_msg("setup: %s", err);
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl",
				  .refusals = rl, .now = time(NULL)};
	int logged = 0;
	for (int i = 0; i < CTLSOCK_REFUSALS_PER_WINDOW + 5; i++) {
		request(&env, c, "eve", 1005, "{\"cmd\":\"held\"}", buf, sizeof buf);
		logged += control_lines(buf);
	}
	assert_int_eq_msg("lines of the loop", logged, CTLSOCK_REFUSALS_PER_WINDOW);
	/* another caller is logged as ever */
	request(&env, c, "carol", 1003, "{\"cmd\":\"held\"}", buf, sizeof buf);
	assert_int_eq_msg("the admin's line", control_lines(buf), 1);
	ratelim_free(rl);
	store_close(s);
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_loop_bounded),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
