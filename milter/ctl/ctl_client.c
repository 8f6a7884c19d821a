/*
 * ctl_client.c - the grondslag command as a client of the daemon's
 * control socket: one request, one answer (ctlsock.h), and the reads of
 * the record that go through it when this user cannot read the store
 * file: the audit chain in pages, the checkpoint file in pieces.
 *
 * Which way a read goes (report, stats, audit verify|export): the store
 * file when --database names it or this user can read it (root, the
 * daemon's user, a copy: it works with the daemon stopped), else the
 * control socket (--socket, or ControlSocket of the configuration), as
 * an auditor, admin or jurist there.  --socket always takes the socket.
 *
 * Public functions (ctl.h): ctl_exchange(), ctl_read_via(), ctl_ask(),
 * ctl_audit_scan_socket(), ctl_checkpoints_socket().
 * Limits: an answer of at most ANSWER_MAX bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "grondslag/base/json.h"
#include "grondslag/base/jsonr.h"
#include "grondslag/store/audit.h"
#include "grondslag/store/store.h"

#define ANSWER_MAX (64u << 20)

/* Send req to the daemon at path; the answer (malloc'ed) or NULL. */
char *ctl_exchange(const char *path, const char *req, size_t len, size_t *alen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sa.sun_path) {
		fprintf(stderr, "grondslag: %.200s: socket path too long\n", path);
		return NULL;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = {60, 0};
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		fprintf(stderr, "grondslag: control socket %.200s: %s (is grondslag-milter running?)\n",
			path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	for (size_t off = 0; off < len;) {
		ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (w <= 0 && errno != EINTR)
			break;
		off += w > 0 ? (size_t)w : 0;
	}
	char *ans = NULL;
	size_t cap = 0;
	*alen = 0;
	for (;;) {
		if (*alen + 1 >= cap) {
			cap = cap ? cap * 2 : 65536;
			char *n = cap <= ANSWER_MAX ? realloc(ans, cap) : NULL;
			if (n == NULL)
				break;
			ans = n;
		}
		ssize_t r = read(fd, ans + *alen, cap - *alen - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		*alen += (size_t)r;
	}
	close(fd);
	if (ans == NULL || *alen == 0) {
		fprintf(stderr, "grondslag: no answer from the daemon\n");
		free(ans);
		return NULL;
	}
	ans[*alen] = '\0';
	return ans;
}


const char *ctl_read_via(const struct config *c, const char *database, const char *socket)
{
	if (socket != NULL)
		return socket;
	if (database != NULL || access(config_str(c, CONF_DATABASE), R_OK) == 0)
		return NULL;
	const char *cs = config_str(c, CONF_CONTROL_SOCKET);
	return *cs != '\0' ? cs : NULL;
}

struct jsonr_doc *ctl_ask(const char *path, const char *req, size_t len, const char *what)
{
	size_t alen = 0;
	char *ans = ctl_exchange(path, req, len, &alen);
	if (ans == NULL)
		return NULL;
	struct jsonr_doc *d = jsonr_parse(ans, alen, NULL, NULL);
	free(ans);
	const struct jsonr_value *a = jsonr_root(d);
	const char *status = jsonr_str(jsonr_get(a, "status"));
	if (d == NULL) {
		fprintf(stderr, "grondslag %s: the daemon's answer is not JSON\n", what);
	} else if (status == NULL || strcmp(status, "ok") != 0) {
		const char *e = jsonr_str(jsonr_get(a, "error"));
		fprintf(stderr, "grondslag %s: %s: %s\n", what, status ? status : "error",
			e ? e : "no reason given");
		jsonr_free(d);
		d = NULL;
	}
	return d;
}

/* A string member of an answer's object, "" when absent. */
static const char *member(const struct jsonr_value *v, const char *key)
{
	const char *s = jsonr_str(jsonr_get(v, key));
	return s != NULL ? s : "";
}

/* Feed the records of one page to cb; *last gets the last seq.  0 on,
 * 1 cb stopped, -1 a record is malformed. */
static int feed_page(const struct jsonr_value *recs, int64_t *last,
		     int (*cb)(void *arg, const struct audit_record *r), void *arg)
{
	for (size_t i = 0; i < jsonr_count(recs); i++) {
		const struct jsonr_value *v = jsonr_at(recs, i);
		uint64_t seq, at, uid = 0;
		const struct jsonr_value *u = jsonr_get(v, "uid");
		if (!jsonr_u64(jsonr_get(v, "seq"), &seq) || !jsonr_u64(jsonr_get(v, "at"), &at) ||
		    (seq <= (uint64_t)*last) || seq > INT64_MAX || at > INT64_MAX ||
		    (jsonr_type(u) != JSONR_NULL && (!jsonr_u64(u, &uid) || uid > INT64_MAX)))
			return -1;
		struct audit_record r = {
			.seq = (int64_t)seq, .at = (int64_t)at, .actor = member(v, "actor"),
			.uid = jsonr_type(u) == JSONR_NULL ? -1 : (int64_t)uid,
			.role = member(v, "role"), .event = member(v, "event"),
			.ref = member(v, "ref"), .details = member(v, "details"),
			.prev_hash = member(v, "prev_hash"), .hash = member(v, "hash")};
		*last = r.seq;
		if (cb(arg, &r) != 0)
			return 1;
	}
	return 0;
}

int ctl_audit_scan_socket(const char *path, int64_t since,
			  int (*cb)(void *arg, const struct audit_record *r), void *arg)
{
	int64_t last = 0;
	for (;;) {
		char req[160];
		int len = snprintf(req, sizeof req,
				   "{\"cmd\":\"audit-records\",\"after\":%lld,\"since\":%lld}\n",
				   (long long)last, (long long)(since > 0 ? since : 0));
		struct jsonr_doc *d = ctl_ask(path, req, (size_t)len, "audit");
		if (d == NULL)
			return -1;
		const struct jsonr_value *a = jsonr_root(d);
		const struct jsonr_value *recs = jsonr_get(a, "records");
		bool more = jsonr_bool(jsonr_get(a, "more"));
		int64_t before = last;
		int rc = jsonr_type(recs) == JSONR_ARRAY ? feed_page(recs, &last, cb, arg) : -1;
		jsonr_free(d);
		if (rc < 0 || (more && last == before)) {
			fprintf(stderr, "grondslag audit: the daemon's page of records is malformed\n");
			return -1;
		}
		if (rc == 1 || !more)
			return 0;
	}
}

FILE *ctl_checkpoints_socket(const char *path, bool *missing)
{
	FILE *f = tmpfile();
	if (f == NULL) {
		fprintf(stderr, "grondslag audit: a temporary file: %s\n", strerror(errno));
		return NULL;
	}
	uint64_t off = 0;
	for (;;) {
		char req[128];
		int len = snprintf(req, sizeof req, "{\"cmd\":\"audit-checkpoints\",\"offset\":%llu}\n",
				   (unsigned long long)off);
		struct jsonr_doc *d = ctl_ask(path, req, (size_t)len, "audit");
		if (d == NULL)
			break;
		const struct jsonr_value *a = jsonr_root(d);
		size_t n = 0;
		const char *data = jsonr_strn(jsonr_get(a, "data"), &n);
		bool eof = jsonr_bool(jsonr_get(a, "eof"));
		*missing = jsonr_bool(jsonr_get(a, "missing"));
		bool ok = data != NULL && fwrite(data, 1, n, f) == n;
		jsonr_free(d);
		off += n;
		if (ok && (eof || *missing)) {
			rewind(f);
			return f;
		}
		if (!ok || n == 0)
			break;
	}
	fclose(f);
	return NULL;
}

bool ctl_chain_open(struct ctl_chain *ch, const struct config *c, const char *database,
		    const char *socket)
{
	*ch = (struct ctl_chain){0};
	const char *via = ctl_read_via(c, database, socket);
	if (via != NULL) {
		ch->socket = strdup(via);
		if (ch->socket == NULL)
			fprintf(stderr, "grondslag: out of memory\n");
		return ch->socket != NULL;
	}
	char err[1024];
	ch->store = store_open_readonly(database ? database : config_str(c, CONF_DATABASE), err,
				       sizeof err);
	if (ch->store == NULL)
		fprintf(stderr, "grondslag: %s%s\n", err,
			*config_str(c, CONF_CONTROL_SOCKET) ? ""
			: " (without access to the store, set ControlSocket to read it through"
			  " the daemon)");
	return ch->store != NULL;
}

void ctl_chain_close(struct ctl_chain *ch)
{
	if (ch->store != NULL)
		store_close(ch->store);
	free(ch->socket);
	*ch = (struct ctl_chain){0};
}

int ctl_chain_scan(const struct ctl_chain *ch, int64_t since,
		   int (*cb)(void *arg, const struct audit_record *r), void *arg)
{
	if (ch->store != NULL)
		return store_audit_scan(ch->store, since, cb, arg);
	return ctl_audit_scan_socket(ch->socket, since, cb, arg);
}
