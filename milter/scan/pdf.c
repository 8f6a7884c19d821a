/*
 * pdf.c - PDF text through pdftotext in a limited child (see pdf.h).
 *
 * Why this shape: poppler is big C++ fed with hostile input; in-process it
 * could crash or hang the milter.  The child runs "pdftotext -q -enc UTF-8
 * -eol unix - -" with the PDF as stdin (a memfd: the PDF never touches a
 * named file), stdout a pipe to us, stderr /dev/null.  Between fork and
 * exec only async-signal-safe calls are made (the milter is threaded):
 * dup2, close_range, setrlimit, execve, _exit.  Everything is prepared
 * before fork.
 *
 * Exit mapping: exit 0 -> PDF_OK; SIGXCPU, or killed by us on the wall
 * clock -> PDF_TIMEOUT; any other exit or signal (bad PDF, encrypted PDF,
 * out of memory under RLIMIT_AS, exec failure 127) -> PDF_FAILED.
 *
 * Limits: cpu_seconds, max_memory, wall_ms, max_output (see pdf.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "grondslag/scan/pdf.h"

#define PDF_CHUNK 65536

bool pdf_magic(const void *buf, size_t len)
{
	return memmem(buf, len < 1024 ? len : 1024, "%PDF-", 5) != NULL;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* A private, nameless file holding the PDF, positioned at its start. */
static int input_fd(const void *buf, size_t len)
{
	int fd = memfd_create("grondslag-pdf", MFD_CLOEXEC);
	if (fd < 0) {
		const char *dir = secure_getenv("TMPDIR");
		char path[4096];
		size_t n = strlen(dir ? dir : "/tmp");
		if (n + 32 > sizeof path)
			dir = "/tmp";
		strcpy(path, dir ? dir : "/tmp");
		strcat(path, "/grondslag-pdf-XXXXXX");
		fd = mkostemp(path, O_CLOEXEC);
		if (fd < 0)
			return -1;
		unlink(path);
	}
	if (!write_all(fd, buf, len) || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static void child_exec(int in, int out, int null, const struct pdf_options *o, char *const argv[])
{
	static char *const envp[] = {"PATH=/usr/bin:/bin", "LC_ALL=C", NULL};
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(null, 2) < 0)
		_exit(126);
	if (close_range(3, ~0u, 0) != 0)
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	struct rlimit cpu = {o->cpu_seconds, o->cpu_seconds + 1};
	struct rlimit as = {o->max_memory, o->max_memory};
	struct rlimit zero = {0, 0};
	if (setrlimit(RLIMIT_CPU, &cpu) != 0 || setrlimit(RLIMIT_AS, &as) != 0 ||
	    setrlimit(RLIMIT_CORE, &zero) != 0 || setrlimit(RLIMIT_FSIZE, &zero) != 0)
		_exit(126);
	execve(argv[0], argv, envp);
	_exit(127);
}

/* Wait for the child, killing it when the deadline passes.  Returns the
 * wait status; *killed says whether we had to kill it. */
static int reap(pid_t pid, uint64_t deadline, bool *killed)
{
	int ws = 0;
	for (;;) {
		pid_t r = waitpid(pid, &ws, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return ws;
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			*killed = true;
			while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
				;
			return ws;
		}
		struct timespec ts = {0, 2000000};
		nanosleep(&ts, NULL);
	}
}

struct pump {
	int fd;
	uint64_t deadline, total, cap;
	char *buf;
	int (*emit)(void *arg, const char *buf, size_t len);
	void *arg;
	int emit_rc;
};

/* Read the child's output until EOF; the status that ends the run early,
 * or PDF_OK at EOF. */
static enum pdf_status pump_output(struct pump *p)
{
	for (;;) {
		uint64_t now = now_ms();
		if (now >= p->deadline)
			return PDF_TIMEOUT;
		struct pollfd pfd = {p->fd, POLLIN, 0};
		uint64_t wait = p->deadline - now;
		int r = poll(&pfd, 1, wait > 60000 ? 60000 : (int)wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return PDF_INTERNAL;
		if (r == 0)
			continue;	/* the deadline check above decides */
		ssize_t n = read(p->fd, p->buf, PDF_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return PDF_FAILED;
		if (n == 0)
			return PDF_OK;
		size_t use = (size_t)n;
		bool over = p->cap > 0 && p->total + use > p->cap;
		if (over)
			use = (size_t)(p->cap - p->total);
		p->total += use;
		if (use > 0 && (p->emit_rc = p->emit(p->arg, p->buf, use)) != 0)
			return PDF_STOPPED;
		if (over)
			return PDF_OUTPUT_LIMIT;
	}
}

/* Map how the child ended (and why we stopped reading) to a status. */
static enum pdf_status outcome(enum pdf_status pumped, int ws, bool killed)
{
	if (pumped != PDF_OK)
		return pumped == PDF_INTERNAL ? PDF_FAILED : pumped;
	if (killed)
		return PDF_TIMEOUT;
	if (WIFSIGNALED(ws) && (WTERMSIG(ws) == SIGXCPU || WTERMSIG(ws) == SIGKILL))
		return PDF_TIMEOUT;
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
		return PDF_OK;
	return PDF_FAILED;
}

/* Run argv in the limited child with the PDF on stdin, its stdout
 * pumped to emit(); o is complete (defaults filled in). */
static enum pdf_status run_tool(const void *buf, size_t len, const struct pdf_options *o,
				char *const argv[], int (*emit)(void *arg, const char *buf, size_t len),
				void *arg, int *emit_rc)
{
	struct pump p = {.cap = o->max_output, .emit = emit, .arg = arg};
	int out[2] = {-1, -1};
	int in = input_fd(buf, len);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	*emit_rc = 0;
	p.buf = malloc(PDF_CHUNK);
	if (in < 0 || null < 0 || p.buf == NULL || pipe2(out, O_CLOEXEC) != 0)
		goto internal;
	pid_t pid = fork();
	if (pid < 0)
		goto internal;
	if (pid == 0)
		child_exec(in, out[1], null, o, argv);
	close(out[1]);
	close(in);
	close(null);
	p.fd = out[0];
	p.deadline = now_ms() + o->wall_ms;
	enum pdf_status pumped = pump_output(&p);
	bool killed = false;
	if (pumped != PDF_OK) {
		kill(pid, SIGKILL);
		killed = true;
	}
	/* After EOF the child should exit at once; give it a moment. */
	int ws = reap(pid, killed ? 0 : now_ms() + 2000, &killed);
	close(out[0]);
	free(p.buf);
	*emit_rc = p.emit_rc;
	return outcome(pumped, ws, killed && pumped == PDF_OK);

internal:
	if (in >= 0)
		close(in);
	if (null >= 0)
		close(null);
	if (out[0] >= 0) {
		close(out[0]);
		close(out[1]);
	}
	free(p.buf);
	return PDF_INTERNAL;
}

/* The options with their defaults filled in. */
static struct pdf_options complete(const struct pdf_options *o)
{
	struct pdf_options opt = *o;
	if (opt.pdftotext == NULL || *opt.pdftotext == '\0')
		opt.pdftotext = PDF_DEFAULT_PDFTOTEXT;
	if (opt.cpu_seconds == 0)
		opt.cpu_seconds = 10;
	if (opt.max_memory == 0)
		opt.max_memory = 512ull << 20;
	if (opt.wall_ms == 0)
		opt.wall_ms = (opt.cpu_seconds + 2) * 1000u;
	return opt;
}

enum pdf_status pdf_extract(const void *buf, size_t len, const struct pdf_options *o,
			    int (*emit)(void *arg, const char *buf, size_t len), void *arg,
			    int *emit_rc)
{
	struct pdf_options opt = complete(o);
	char *const argv[] = {(char *)opt.pdftotext, "-q", "-enc", "UTF-8", "-eol", "unix",
			      "-", "-", NULL};
	return run_tool(buf, len, &opt, argv, emit, arg, emit_rc);
}

/* ---- embedded files ------------------------------------------------------ */

/* A growing buffer that the child's output is collected into. */
struct collect {
	char *buf;
	size_t len, cap, max;
};

static int collect_emit(void *arg, const char *buf, size_t len)
{
	struct collect *c = arg;
	if (len > c->max - c->len)
		return 1;
	if (c->len + len > c->cap) {
		size_t ncap = c->cap ? c->cap : 65536;
		while (ncap < c->len + len)
			ncap *= 2;
		char *nb = realloc(c->buf, ncap + 1);
		if (nb == NULL)
			return 2;
		c->buf = nb;
		c->cap = ncap;
	}
	memcpy(c->buf + c->len, buf, len);
	c->len += len;
	return 0;
}

/* The path of pdfdetach: next to the configured pdftotext. */
static void detach_path(const char *pdftotext, char *out, size_t cap)
{
	const char *slash = strrchr(pdftotext, '/');
	size_t dir = slash ? (size_t)(slash - pdftotext) + 1 : 0;
	if (dir + sizeof "pdfdetach" > cap)
		dir = 0;
	memcpy(out, pdftotext, dir);
	strcpy(out + dir, "pdfdetach");
}

/* Map a run's status for the caller: the remaining time is shared. */
static bool time_left(struct pdf_options *run, uint64_t deadline)
{
	uint64_t now = now_ms();
	if (now >= deadline)
		return false;
	run->wall_ms = (unsigned)(deadline - now);
	return true;
}

/* Parse "N embedded files" and "i: name" lines of pdfdetach -list. */
static unsigned list_names(char *text, size_t len, char **names, unsigned max)
{
	unsigned n = 0;
	text[len] = '\0';
	for (char *line = text, *next; line != NULL && *line; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		char *colon = strstr(line, ": ");
		if (colon == NULL || colon == line || n >= max)
			continue;
		bool digits = true;
		for (char *d = line; d < colon; d++)
			digits = digits && *d >= '0' && *d <= '9';
		if (!digits)
			continue;
		names[n++] = colon + 2;
	}
	return n;
}

enum pdf_status pdf_attachments(const void *buf, size_t len, const struct pdf_options *o,
				unsigned max_files,
				int (*each)(void *arg, const char *name, const void *data,
					    size_t n),
				void *arg, unsigned *nfiles)
{
	struct pdf_options opt = complete(o), run = opt;
	uint64_t deadline = now_ms() + opt.wall_ms;
	char tool[4096], *names[PDF_MAX_ATTACHMENTS];
	detach_path(opt.pdftotext, tool, sizeof tool);
	char *const list_argv[] = {tool, "-enc", "UTF-8", "-list", "/dev/stdin", NULL};
	struct collect list = {.max = 1u << 20};
	int rc;
	*nfiles = 0;
	enum pdf_status st = run_tool(buf, len, &run, list_argv, collect_emit, &list, &rc);
	if (st == PDF_STOPPED)
		st = rc == 2 ? PDF_INTERNAL : PDF_OUTPUT_LIMIT;
	if (st != PDF_OK || list.buf == NULL) {
		free(list.buf);
		return st;
	}
	if (max_files > PDF_MAX_ATTACHMENTS)
		max_files = PDF_MAX_ATTACHMENTS;
	unsigned n = list_names(list.buf, list.len, names, max_files + 1);
	if (n > max_files) {
		free(list.buf);
		return PDF_TOO_MANY;
	}
	for (unsigned i = 0; i < n && st == PDF_OK; i++) {
		char num[16];
		snprintf(num, sizeof num, "%u", i + 1);
		char *const save_argv[] = {tool, "-save", num, "-o", "/dev/stdout", "/dev/stdin", NULL};
		struct collect file = {.max = opt.max_output ? opt.max_output : UINT64_MAX};
		if (!time_left(&run, deadline)) {
			st = PDF_TIMEOUT;
			break;
		}
		run.max_output = 0;	/* the collector enforces the cap */
		st = run_tool(buf, len, &run, save_argv, collect_emit, &file, &rc);
		if (st == PDF_STOPPED)
			st = rc == 2 ? PDF_INTERNAL : PDF_OUTPUT_LIMIT;
		if (st == PDF_OK) {
			(*nfiles)++;
			if (each(arg, names[i], file.buf ? file.buf : "", file.len) != 0)
				st = PDF_STOPPED;
		}
		free(file.buf);
	}
	free(list.buf);
	return st;
}
