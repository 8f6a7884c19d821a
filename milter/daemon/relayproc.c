/*
 * relayproc.c - the released copy's SMTP transaction in its own process
 * (see relayproc.h for why): the releaser's side (start, wait, outcome,
 * forget) and the process (relayproc_main).
 *
 * Public functions: relayproc_start(), relayproc_wait(),
 * relayproc_outcome(), relayproc_forget(), relayproc_main().
 * Limits: a receipt is at most 1 KB; the copy at most what the store
 * holds (SIZE_MAX in principle; the daemon's MaxMessageSize in practice).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "grondslag/base/fault.h"
#include "grondslag/daemon/relayproc.h"

extern char **environ;

#define RECEIPT_MAX 1024

/* dir/release-NONCE.SUFFIX into out. */
static void file_of(const char *dir, const char *nonce, const char *suffix, char *out,
		    size_t outlen)
{
	snprintf(out, outlen, "%s/release-%.40s.%s", dir, nonce, suffix);
}

/* Write all of buf to fd. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsync the directory holding path (a rename or a new file in it). */
static void sync_dir(const char *path)
{
	char copy[4096];
	snprintf(copy, sizeof copy, "%s", path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int relayproc_start(const struct relayproc_job *j, pid_t *pid, char *err, size_t errlen)
{
	char msg[4096], reply[4096], timeout[16];
	file_of(j->dir, j->nonce, "msg", msg, sizeof msg);
	file_of(j->dir, j->nonce, "reply", reply, sizeof reply);
	unlink(reply);		/* a stale receipt of this nonce cannot exist: be sure */
	int fd = open(msg, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", msg, strerror(errno));
		return -1;
	}
	/* the lock is the process's sign of life: taken here, inherited with
	 * the descriptor, released when the process ends */
	if (flock(fd, LOCK_EX) != 0 || write_all(fd, j->data, j->len) != 0 || fsync(fd) != 0 ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "%s: %s", msg, strerror(errno));
		close(fd);
		unlink(msg);
		return -1;
	}
	snprintf(timeout, sizeof timeout, "%u", j->timeout);
	size_t argc = 8 + j->nrcpts;
	char **argv = calloc(argc + 1, sizeof *argv);
	if (argv == NULL) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		unlink(msg);
		return -1;
	}
	const char *fixed[] = {j->exe, RELAYPROC_ARG, j->host, j->port, j->helo, timeout, reply,
			       j->from};
	for (size_t i = 0; i < 8; i++)
		argv[i] = (char *)fixed[i];
	for (size_t i = 0; i < j->nrcpts; i++)
		argv[8 + i] = (char *)j->rcpts[i];
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, STDIN_FILENO);
	/* the daemon's threads block SIGTERM and SIGHUP for libmilter's
	 * signal thread: the relay process starts with none blocked */
	posix_spawnattr_t at;
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
	int e = posix_spawn(pid, j->exe, &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	free(argv);
	close(fd);
	if (e != 0) {
		snprintf(err, errlen, "cannot start %s: %s", j->exe, strerror(e));
		unlink(msg);
		return -1;
	}
	return 0;
}

void relayproc_wait(pid_t pid)
{
	int ws;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
}

/* Parse a receipt: "SENT CODE QUEUEID\nTEXT\n".  true when well formed. */
static bool parse_receipt(char *buf, int *sent, struct smtpc_result *res)
{
	char *nl = strchr(buf, '\n');
	if (nl == NULL)
		return false;
	*nl = '\0';
	char *text = nl + 1;
	text[strcspn(text, "\n")] = '\0';
	char *save = NULL, *s = strtok_r(buf, " ", &save), *c = strtok_r(NULL, " ", &save),
	     *q = strtok_r(NULL, " ", &save);
	if (s == NULL || c == NULL || q == NULL || strlen(s) != 1 || s[0] < '0' || s[0] > '2')
		return false;
	*sent = s[0] - '0';
	res->code = atoi(c);
	snprintf(res->queue_id, sizeof res->queue_id, "%s", strcmp(q, "-") == 0 ? "" : q);
	snprintf(res->text, sizeof res->text, "%s", text);
	return true;
}

enum relayproc_state relayproc_outcome(const char *dir, const char *nonce, int *sent,
				       struct smtpc_result *res)
{
	char path[4096], buf[RECEIPT_MAX + 1];
	memset(res, 0, sizeof *res);
	*sent = 1;
	file_of(dir, nonce, "reply", path, sizeof path);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, RECEIPT_MAX);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		if (n > 0 && parse_receipt(buf, sent, res))
			return RELAYPROC_DONE;
		/* renamed into place complete: a bad one is not ours to trust */
		return RELAYPROC_LOST;
	}
	file_of(dir, nonce, "msg", path, sizeof path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return RELAYPROC_LOST;
	bool running = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	close(fd);
	if (running)
		return RELAYPROC_RUNNING;
	/* the lock may have been released by a process that wrote its receipt
	 * just now: look once more */
	file_of(dir, nonce, "reply", path, sizeof path);
	return access(path, F_OK) == 0 ? relayproc_outcome(dir, nonce, sent, res) : RELAYPROC_LOST;
}

void relayproc_forget(const char *dir, const char *nonce)
{
	char path[4096];
	file_of(dir, nonce, "reply", path, sizeof path);
	unlink(path);
	file_of(dir, nonce, "msg", path, sizeof path);
	unlink(path);
}

/* Read all of fd (the copy) into a new buffer. */
static char *read_copy(int fd, size_t *len)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size < 0)
		return NULL;
	char *buf = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (buf != NULL && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return NULL;
		}
		got += (size_t)n;
	}
	*len = got;
	return buf;
}

/* Write the receipt: temporary name, fsync, rename, fsync the directory. */
static int write_receipt(const char *path, int sent, const struct smtpc_result *res)
{
	char tmp[4200], buf[RECEIPT_MAX];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	int n = snprintf(buf, sizeof buf, "%d %d %s\n%s\n", sent, res->code,
			 res->queue_id[0] && !strpbrk(res->queue_id, " \n") ? res->queue_id : "-",
			 res->text);
	if (n < 0)
		return -1;
	size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	int rc = write_all(fd, buf, len) == 0 && fsync(fd) == 0 ? 0 : -1;
	if (close(fd) != 0 || rc != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	sync_dir(path);
	return 0;
}

int relayproc_main(int argc, char **argv)
{
	if (argc < 9 || strcmp(argv[1], RELAYPROC_ARG) != 0) {
		fprintf(stderr, "usage: grondslag-milter %s HOST PORT HELO TIMEOUT RECEIPT FROM"
			" RCPT... <COPY\n", RELAYPROC_ARG);
		return 2;
	}
	size_t len = 0;
	char *data = read_copy(STDIN_FILENO, &len);
	struct smtpc_result res;
	memset(&res, 0, sizeof res);
	int sent;
	if (data == NULL) {
		/* nothing was sent: a failure the releaser retries */
		sent = 1;
		snprintf(res.text, sizeof res.text, "relay process: cannot read the copy");
	} else {
		sent = smtpc_send_waiting(argv[2], argv[3], argv[4], argv[7],
					  (const char *const *)argv + 8, (size_t)(argc - 8), data,
					  len, (unsigned)strtoul(argv[5], NULL, 10),
					  RELAYPROC_DATA_DONE_TIMEOUT, &res);
	}
	free(data);
	/* the window a crash can leave without a receipt: the relay has
	 * answered, nothing has recorded it yet */
	fault_point("relay-after-reply");
	return write_receipt(argv[6], sent, &res) == 0 ? 0 : 1;
}
