/*
 * test_relayproc.c - the relay process's files (relayproc.c): a receipt
 * is read back as written; a copy whose process still holds its lock is
 * "running"; no receipt and no lock is "lost", as is a receipt that is
 * not one; the process itself (relayproc_main, run in-process with the
 * copy on stdin) writes the relay's failure to its receipt; the daemon's
 * start of a relay process leaves the copy in the spool, and forget
 * removes both files.
 */
#include "testutil.h"
#include "fixture_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>

#include "grondslag/daemon/relayproc.h"

static int setup_dir(void **state)
{
	(void)state;
	return fixture_dir_make("relayproc");
}

static int remove_dir(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

/* Write text to dir/name. */
static void put(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_receipts(void **state)
{
	(void)state;
	static const struct {
		const char *name, *receipt;
		enum relayproc_state want;
		int sent, code;
		const char *qid, *text;
	} rows[] = {
		{"250", "0 250 4ABC12\n2.0.0 Ok: queued as 4ABC12\n", RELAYPROC_DONE, 0, 250,
		 "4ABC12", "2.0.0 Ok: queued as 4ABC12"},
		{"451", "1 451 -\n4.7.1 Service unavailable\n", RELAYPROC_DONE, 1, 451, "",
		 "4.7.1 Service unavailable"},
		{"no reply", "1 0 -\nconnection closed\n", RELAYPROC_DONE, 1, 0, "",
		 "connection closed"},
		{"554", "2 554 -\n5.7.1 no\n", RELAYPROC_DONE, 2, 554, "", "5.7.1 no"},
		{"garbage", "hello\n", RELAYPROC_LOST, 1, 0, "", ""},
		{"bad sent", "7 250 X\nt\n", RELAYPROC_LOST, 1, 0, "", ""},
		{"empty", "", RELAYPROC_LOST, 1, 0, "", ""},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char name[80];
		snprintf(name, sizeof name, "release-n%zu.reply", i);
		put(name, rows[i].receipt);
		snprintf(name, sizeof name, "n%zu", i);
		int sent = -1;
		struct smtpc_result res;
		enum relayproc_state st = relayproc_outcome(dir, name, &sent, &res);
		assert_int_eq_msg(rows[i].name, st, rows[i].want);
		if (st != RELAYPROC_DONE)
			continue;
		assert_int_eq_msg(rows[i].name, sent, rows[i].sent);
		assert_int_eq_msg(rows[i].name, res.code, rows[i].code);
		assert_str_eq_msg(rows[i].name, res.queue_id, rows[i].qid);
		assert_str_eq_msg(rows[i].name, res.text, rows[i].text);
	}
}

static void test_running_and_lost(void **state)
{
	(void)state;
	int sent;
	struct smtpc_result res;
	assert_int_eq_msg("nothing at all", relayproc_outcome(dir, "none", &sent, &res),
			  RELAYPROC_LOST);
	put("release-run.msg", "copy");
	char path[256];
	snprintf(path, sizeof path, "%s/release-run.msg", dir);
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	assert_int_eq_msg("locked copy", relayproc_outcome(dir, "run", &sent, &res),
			  RELAYPROC_RUNNING);
	close(fd);
	assert_int_eq_msg("unlocked copy, no receipt", relayproc_outcome(dir, "run", &sent, &res),
			  RELAYPROC_LOST);
	relayproc_forget(dir, "run");
	assert_int_equal(access(path, F_OK), -1);
}

/* relayproc_main against a port nobody listens on: a receipt saying
 * "not sent", read back by the releaser's side. */
static void test_main_writes_receipt(void **state)
{
	(void)state;
	char copy[256], receipt[256];
	put("release-m1.msg", "Subject: s\r\n\r\nbody\r\n");
	snprintf(copy, sizeof copy, "%s/release-m1.msg", dir);
	snprintf(receipt, sizeof receipt, "%s/release-m1.reply", dir);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(copy, O_RDONLY);
		if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
			_exit(9);
		char *argv[] = {"grondslag-milter", RELAYPROC_ARG, "127.0.0.1", "1", "mx.test", "5",
				receipt, "alice@ncsc.nl", "soc@cisa.gov", NULL};
		_exit(relayproc_main(9, argv));
	}
	int ws;
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFEXITED(ws));
	assert_int_eq_msg("exit", WEXITSTATUS(ws), 0);
	int sent = -1;
	struct smtpc_result res;
	assert_int_eq_msg("receipt", relayproc_outcome(dir, "m1", &sent, &res), RELAYPROC_DONE);
	assert_int_eq_msg("not sent", sent, 1);
	assert_int_eq_msg("no reply code", res.code, 0);
	relayproc_forget(dir, "m1");
	assert_int_equal(access(receipt, F_OK), -1);
	char *bad[] = {"grondslag-milter", RELAYPROC_ARG, NULL};
	assert_int_eq_msg("usage", relayproc_main(2, bad), 2);
}

/* relayproc_start writes the copy before the process reads it. */
static void test_start(void **state)
{
	(void)state;
	const char *rcpts[] = {"soc@cisa.gov"};
	static const char data[] = "Subject: s\r\n\r\nbody\r\n";
	struct relayproc_job j = {
		.dir = dir, .exe = "/bin/true", .nonce = "s1", .host = "127.0.0.1", .port = "1",
		.helo = "mx.test", .from = "alice@ncsc.nl", .rcpts = rcpts, .nrcpts = 1,
		.data = data, .len = sizeof data - 1, .timeout = 5,
	};
	pid_t pid;
	char err[256];
	assert_int_eq_msg("start", relayproc_start(&j, &pid, err, sizeof err), 0);
	relayproc_wait(pid);
	char path[256], buf[64] = "";
	snprintf(path, sizeof path, "%s/release-s1.msg", dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_str_eq_msg("the copy", buf, data);
	int sent;
	struct smtpc_result res;
	/* /bin/true writes no receipt: a process gone without one */
	assert_int_eq_msg("lost", relayproc_outcome(dir, "s1", &sent, &res), RELAYPROC_LOST);
	j.exe = "/nonexistent/grondslag-milter";
	j.nonce = "s2";
	assert_int_eq_msg("no executable", relayproc_start(&j, &pid, err, sizeof err), -1);
	relayproc_forget(dir, "s1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_receipts),
		cmocka_unit_test(test_running_and_lost),
		cmocka_unit_test(test_main_writes_receipt),
		cmocka_unit_test(test_start),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
