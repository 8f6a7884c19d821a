/*
 * confcheck.c - settings that parse but cannot work on this system (see
 * confcheck.h): the people of the control socket, the directories the
 * daemon and its clients need, the relays.
 *
 * Each check names the line of the setting that causes the finding, so
 * "grondslag-milter -n" reads like a compiler: file:line: error: text.
 * Permissions are judged as the kernel does for a process of that user
 * (owner class, else group class, else other; root passes), walking every
 * directory from the top of the path: a socket in a directory its client
 * cannot search is as unreachable as no socket at all.
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "grondslag/base/conninfo.h"
#include "grondslag/config/confcheck.h"
#include "grondslag/base/hostport.h"

#define PATH_BUF 4200

/* Findings being collected. */
struct found {
	struct confcheck_finding *out;
	size_t max, n;
};

static void add(struct found *f, enum confcheck_severity sev, unsigned line, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));

static void add(struct found *f, enum confcheck_severity sev, unsigned line, const char *fmt,
		...)
{
	if (f->n < f->max) {
		struct confcheck_finding *x = &f->out[f->n];
		x->severity = sev;
		x->line = line;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(x->text, sizeof x->text, fmt, ap);
		va_end(ap);
	}
	f->n++;
}

/* ---- the real system ------------------------------------------------ */

static int sys_user(void *arg, const char *name, struct confcheck_user *u)
{
	(void)arg;
	int n = CONFCHECK_GROUPS_MAX;
	if (*name == '\0') {
		u->uid = geteuid();
		u->gid = getegid();
		n = getgroups(CONFCHECK_GROUPS_MAX, u->groups);
		u->ngroups = n > 0 ? (size_t)n : 0;
		return 0;
	}
	struct passwd *pw = getpwnam(name);
	if (pw == NULL)
		return -1;
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	/* more groups than we look at: the first CONFCHECK_GROUPS_MAX */
	if (getgrouplist(name, pw->pw_gid, u->groups, &n) < 0)
		n = CONFCHECK_GROUPS_MAX;
	u->ngroups = (size_t)n;
	return 0;
}

static int sys_group(void *arg, const char *name, gid_t *gid)
{
	(void)arg;
	struct group *gr = getgrnam(name);
	if (gr == NULL)
		return -1;
	*gid = gr->gr_gid;
	return 0;
}

static int sys_stat(void *arg, const char *path, struct confcheck_stat *st)
{
	(void)arg;
	struct stat s;
	if (stat(path, &s) != 0)
		return -1;
	*st = (struct confcheck_stat){.mode = s.st_mode, .uid = s.st_uid, .gid = s.st_gid};
	return 0;
}

const struct confcheck_sys *confcheck_system(void)
{
	static const struct confcheck_sys sys = {sys_user, sys_group, sys_stat, NULL};
	return &sys;
}

/* ---- permissions ---------------------------------------------------- */

static bool in_group(const struct confcheck_user *u, gid_t g)
{
	if (u->gid == g)
		return true;
	for (size_t i = 0; i < u->ngroups; i++)
		if (u->groups[i] == g)
			return true;
	return false;
}

/* May u do bits (1 search/execute, 2 write, 4 read) on a file st? */
static bool allowed(const struct confcheck_user *u, const struct confcheck_stat *st, unsigned bits)
{
	if (u->uid == 0)
		return true;
	unsigned m = st->uid == u->uid ? (st->mode >> 6) & 7u
		     : in_group(u, st->gid) ? (st->mode >> 3) & 7u
					    : st->mode & 7u;
	return (m & bits) == bits;
}

/* Where a path stops a user. */
enum reach { REACH_OK, REACH_MISSING, REACH_DENIED };

struct obstacle {
	char path[PATH_BUF];
	struct confcheck_stat st;
};

/* Can u search every directory down to and including dir (and, with
 * write, create files in dir)?  The first obstacle in *ob. */
static enum reach reach_dir(const struct confcheck_sys *sys, const struct confcheck_user *u,
			    const char *dir, bool write, struct obstacle *ob)
{
	size_t len = strlen(dir);
	if (len == 0 || len >= sizeof ob->path)
		return REACH_MISSING;
	for (size_t i = 0; i <= len; i++) {
		/* each prefix ending before a '/' (and "/" itself), then dir */
		if (i < len && dir[i] != '/')
			continue;
		size_t n = i == 0 ? 1 : i;
		memcpy(ob->path, dir, n);
		ob->path[n] = '\0';
		if (sys->stat(sys->arg, ob->path, &ob->st) != 0)
			return REACH_MISSING;
		if (!S_ISDIR(ob->st.mode))
			return REACH_MISSING;
		bool last = i == len;
		if (!allowed(u, &ob->st, last && write ? 3u : 1u))
			return REACH_DENIED;
	}
	return REACH_OK;
}

/* The directory part of path into buf ("." when it has none). */
static void dir_of(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(buf, len, ".");
	else if (slash == path)
		snprintf(buf, len, "/");
	else
		snprintf(buf, len, "%.*s", (int)(slash - path), path);
}

/* "mode 0750, owner uid 0, group gid 108" of an obstacle. */
static const char *describe(const struct obstacle *ob, char *buf, size_t len)
{
	snprintf(buf, len, "%.200s is mode %04o, owner uid %lu, group gid %lu", ob->path,
		 (unsigned)(ob->st.mode & 07777), (unsigned long)ob->st.uid,
		 (unsigned long)ob->st.gid);
	return buf;
}

/* ---- the people of the control socket ------------------------------- */

/* The login name of a role LIST value (its first word) into buf. */
static const char *login_of(const char *v, char *buf, size_t len)
{
	size_t n = strcspn(v, " \t");
	snprintf(buf, len, "%.*s", (int)(n < 64 ? n : 64), v);
	return buf;
}

/* The index of the first line of key k naming login, below i; -1. */
static long first_naming(const struct config *c, enum config_key k, const char *login, size_t i)
{
	char u[80];
	for (size_t j = 0; j < i; j++)
		if (strcmp(login_of(config_list(c, k, j), u, sizeof u), login) == 0)
			return (long)j;
	return -1;
}

static const enum config_key role_keys[] = {CONF_JURIST, CONF_ADMIN, CONF_AUDITOR,
					    CONF_CONTROL_CONSOLE_USER};
#define NROLE_KEYS (sizeof role_keys / sizeof role_keys[0])

/* Every login of a role exists; a person is named once and in one role. */
static void check_logins(const struct config *c, const struct confcheck_sys *sys,
			 struct found *f)
{
	char u[80];
	for (size_t r = 0; r < NROLE_KEYS; r++) {
		enum config_key k = role_keys[r];
		for (size_t i = 0; i < config_list_count(c, k); i++) {
			struct confcheck_user cu;
			unsigned line = config_list_line(c, k, i);
			login_of(config_list(c, k, i), u, sizeof u);
			long first = first_naming(c, k, u, i);
			if (first >= 0) {
				add(f, CONFCHECK_WARNING, line, "%s %s is given again (first on line %u)"
				    "%s", config_key_name(k), u,
				    config_list_line(c, k, (size_t)first),
				    k == CONF_JURIST ? ": one person counts once towards "
						       "ReleaseApprovals" : "");
				continue;
			}
			if (sys->user(sys->arg, u, &cu) != 0) {
				add(f, CONFCHECK_ERROR, line, "%s %s: no such login on this system: "
				    "that person cannot use the control socket",
				    config_key_name(k), u);
				continue;
			}
			/* the control socket takes the first role a login has,
			 * in this order: the others never apply */
			for (size_t e = 0; e < r && k != CONF_CONTROL_CONSOLE_USER; e++) {
				if (first_naming(c, role_keys[e], u, config_list_count(c, role_keys[e])) < 0)
					continue;
				add(f, CONFCHECK_WARNING, line, "%s %s is also on %s %s line: the control "
				    "socket treats %s as %s only", config_key_name(k), u,
				    role_keys[e] == CONF_JURIST ? "a" : "an",
				    config_key_name(role_keys[e]), u,
				    role_keys[e] == CONF_JURIST ? "a jurist" : "an admin");
				break;
			}
		}
	}
}

/* The number of distinct Jurist logins, and of those that exist. */
static size_t jurist_count(const struct config *c, const struct confcheck_sys *sys,
			   size_t *existing)
{
	size_t n = 0;
	char u[80];
	struct confcheck_user cu;
	*existing = 0;
	for (size_t i = 0; i < config_list_count(c, CONF_JURIST); i++) {
		login_of(config_list(c, CONF_JURIST, i), u, sizeof u);
		if (first_naming(c, CONF_JURIST, u, i) >= 0)
			continue;
		n++;
		*existing += sys->user(sys->arg, u, &cu) == 0;
	}
	return n;
}

/* Enough jurists for ReleaseApprovals, and a socket for them. */
static void check_four_eyes(const struct config *c, const struct confcheck_sys *sys,
			    struct found *f)
{
	size_t exist, nj = jurist_count(c, sys, &exist);
	bool sock = *config_str(c, CONF_CONTROL_SOCKET) != '\0';
	unsigned need = (unsigned)config_uint(c, CONF_RELEASE_APPROVALS);
	unsigned jline = nj ? config_list_line(c, CONF_JURIST, 0) : 0;
	if (sock && nj == 0)
		add(f, CONFCHECK_ERROR, config_line(c, CONF_CONTROL_SOCKET),
		    "ControlSocket is set but there is no Jurist line: nobody can approve or deny "
		    "a hold; each held message waits HoldExpiry days and expires");
	else if (!sock && nj > 0)
		add(f, CONFCHECK_ERROR, jline, "Jurist lines but no ControlSocket: the jurists "
		    "cannot reach the daemon, so no hold can be approved or denied");
	else if (!sock && strcmp(config_str(c, CONF_MODE), "enforce") == 0)
		add(f, CONFCHECK_WARNING, 0, "no ControlSocket and no Jurist: held mail is never "
		    "reviewed; each hold expires after HoldExpiry days");
	if (nj > 0 && exist < need) {
		unsigned line = config_line(c, CONF_RELEASE_APPROVALS);
		add(f, CONFCHECK_ERROR, line ? line : jline,
		    "ReleaseApprovals %u needs %u distinct jurists, but %s%zu Jurist login%s: "
		    "no hold can ever be released", need, need, exist < nj ? "only " : "", exist,
		    exist < nj ? (exist == 1 ? " exists on this system" : "s exist on this system")
			       : (exist == 1 ? " is given" : "s are given"));
	}
}

/* Every person with a role can search the way to the ControlSocket. */
static void check_control_reach(const struct config *c, const struct confcheck_sys *sys,
				struct found *f, const char *dir)
{
	unsigned line = config_line(c, CONF_CONTROL_SOCKET);
	char u[80], why[PATH_BUF + 100];
	struct obstacle ob;
	for (size_t r = 0; r < NROLE_KEYS; r++) {
		enum config_key k = role_keys[r];
		for (size_t i = 0; i < config_list_count(c, k); i++) {
			struct confcheck_user cu;
			login_of(config_list(c, k, i), u, sizeof u);
			if (first_naming(c, k, u, i) >= 0 || sys->user(sys->arg, u, &cu) != 0)
				continue;	/* said above */
			if (reach_dir(sys, &cu, dir, false, &ob) == REACH_DENIED)
				add(f, CONFCHECK_ERROR, line, "ControlSocket: %s %s cannot reach the "
				    "socket: %s and does not let %s search it (put the socket in a "
				    "directory every jurist can search; its role check is the gate)",
				    config_key_name(k), u, describe(&ob, why, sizeof why), u);
		}
	}
}

/* A unix socket path: fits sun_path, its directory exists. */
static bool socket_path_ok(const struct confcheck_sys *sys, struct found *f, unsigned line,
			   const char *key, const char *path, char *dir, size_t dirlen)
{
	struct sockaddr_un sa;
	struct confcheck_stat st;
	if (strlen(path) >= sizeof sa.sun_path) {
		add(f, CONFCHECK_ERROR, line, "%s: the path is longer than a unix socket allows "
		    "(%zu bytes)", key, sizeof sa.sun_path - 1);
		return false;
	}
	dir_of(path, dir, dirlen);
	if (sys->stat(sys->arg, dir, &st) != 0 || !S_ISDIR(st.mode)) {
		add(f, CONFCHECK_ERROR, line, "%s: the directory %.200s does not exist (make it, "
		    "e.g. with contrib/grondslag.tmpfiles)", key, dir);
		return false;
	}
	return true;
}

static void check_control(const struct config *c, const struct confcheck_sys *sys,
			  struct found *f)
{
	const char *path = config_str(c, CONF_CONTROL_SOCKET);
	char dir[PATH_BUF];
	if (*path != '\0' && socket_path_ok(sys, f, config_line(c, CONF_CONTROL_SOCKET),
					    "ControlSocket", path, dir, sizeof dir))
		check_control_reach(c, sys, f, dir);
}

/* ---- the milter socket ---------------------------------------------- */

static void check_milter_socket(const struct config *c, const struct confcheck_sys *sys,
				struct found *f)
{
	const char *sock = config_str(c, CONF_SOCKET);
	const char *colon = strchr(sock, ':');
	unsigned line = config_line(c, CONF_SOCKET);
	if (strncmp(sock, "inet", 4) == 0)
		return;
	const char *path = colon != NULL ? colon + 1 : sock;
	char dir[PATH_BUF], *end, why[PATH_BUF + 100];
	const char *smode = config_str(c, CONF_SOCKET_MODE);
	unsigned long mode = strtoul(smode, &end, 8);
	if (*smode == '\0' || *end != '\0' || mode > 0777) {
		add(f, CONFCHECK_ERROR, config_line(c, CONF_SOCKET_MODE),
		    "SocketMode \"%.16s\" is not an octal mode", smode);
		return;
	}
	if (!socket_path_ok(sys, f, line, "Socket", path, dir, sizeof dir))
		return;
	const char *group = config_str(c, CONF_SOCKET_GROUP);
	unsigned gline = config_line(c, CONF_SOCKET_GROUP);
	gid_t gid;
	if (*group == '\0')
		return;
	if (sys->group(sys->arg, group, &gid) != 0) {
		add(f, CONFCHECK_ERROR, gline, "SocketGroup: no such group \"%.64s\"", group);
		return;
	}
	if ((mode & 060) != 060 && (mode & 06) != 06)
		add(f, CONFCHECK_ERROR, config_line(c, CONF_SOCKET_MODE) ? config_line(c, CONF_SOCKET_MODE) : gline,
		    "SocketMode %04lo does not let group %.64s read and write the socket: the MTA "
		    "cannot connect", mode, group);
	/* the MTA as the kernel sees it: some user of that group only */
	struct confcheck_user mta = {.uid = (uid_t)-2, .gid = gid};
	struct obstacle ob;
	if (reach_dir(sys, &mta, dir, false, &ob) == REACH_DENIED)
		add(f, CONFCHECK_ERROR, line ? line : gline, "Socket: the MTA (group %.64s) cannot "
		    "reach the socket: %s", group, describe(&ob, why, sizeof why));
}

/* ---- the daemon's user and its directories -------------------------- */

/* dir of key k's path (file: its directory) must exist, and with write
 * be writable by u; sev for an unwritable one. */
static void check_dir(const struct config *c, const struct confcheck_sys *sys, struct found *f,
		      enum config_key k, bool file, const struct confcheck_user *u,
		      enum confcheck_severity sev, const char *why_write)
{
	const char *path = config_str(c, k);
	char dir[PATH_BUF], why[PATH_BUF + 100];
	struct obstacle ob;
	if (*path == '\0')
		return;
	if (file)
		dir_of(path, dir, sizeof dir);
	else
		snprintf(dir, sizeof dir, "%s", path);
	struct confcheck_stat st;
	if (sys->stat(sys->arg, dir, &st) != 0 || !S_ISDIR(st.mode)) {
		add(f, sev, config_line(c, k), "%s: the directory %.200s does not exist",
		    config_key_name(k), dir);
		return;
	}
	if (u != NULL && reach_dir(sys, u, dir, true, &ob) == REACH_DENIED)
		add(f, sev, config_line(c, k), "%s: the daemon's user (UserID) cannot write in "
		    "%.200s: %s; %s", config_key_name(k), dir, describe(&ob, why, sizeof why),
		    why_write);
}

/* A file the daemon reads again as UserID (a reload runs after the
 * start dropped root) must be readable by it: sev and why when not. */
static void check_readable(const struct confcheck_sys *sys, struct found *f, unsigned line,
			   const char *key, const char *path, const struct confcheck_user *u,
			   const char *why)
{
	char dir[PATH_BUF], desc[PATH_BUF + 100];
	struct obstacle ob;
	struct confcheck_stat st;
	if (u == NULL || *path == '\0')
		return;
	dir_of(path, dir, sizeof dir);
	/* what does not exist is said elsewhere (or at load) */
	enum reach r = reach_dir(sys, u, dir, false, &ob);
	if (r == REACH_OK && sys->stat(sys->arg, path, &st) == 0 && !allowed(u, &st, 4)) {
		snprintf(ob.path, sizeof ob.path, "%s", path);
		ob.st = st;
		r = REACH_DENIED;
	}
	if (r == REACH_DENIED)
		add(f, CONFCHECK_WARNING, line, "%s %.200s: the daemon's user (UserID) cannot read "
		    "it: %s; %s", key, path, describe(&ob, desc, sizeof desc), why);
}

/* A store in PostgreSQL has no file to keep the release key and the
 * checkpoints next to: they are named, or the daemon cannot start (the
 * relays sharing the store share the key file too: a token one relay
 * issued is then accepted by the other). */
static void check_shared_store(const struct config *c, struct found *f)
{
	if (*config_str(c, CONF_RELEASE_KEY_FILE) == '\0')
		add(f, CONFCHECK_ERROR, config_line(c, CONF_DATABASE),
		    "Database is a PostgreSQL connection string: set ReleaseKeyFile (the same"
		    " key file on every relay sharing the store)");
	bool checkpoints = *config_str(c, CONF_AUDIT_SIGNING_KEY) != '\0' ||
			   *config_str(c, CONF_AUDIT_ANCHOR_SYSLOG) != '\0' ||
			   config_list_count(c, CONF_AUDIT_ANCHOR_MAIL) > 0;
	if (checkpoints && *config_str(c, CONF_AUDIT_CHECKPOINT_FILE) == '\0')
		add(f, CONFCHECK_ERROR, config_line(c, CONF_DATABASE),
		    "Database is a PostgreSQL connection string: set AuditCheckpointFile");
}

static void check_daemon_user(const struct config *c, const struct confcheck_sys *sys,
			      struct found *f)
{
	const char *user = config_str(c, CONF_USER_ID);
	struct confcheck_user u;
	bool known = sys->user(sys->arg, user, &u) == 0;
	if (!known && *user != '\0')
		add(f, CONFCHECK_ERROR, config_line(c, CONF_USER_ID),
		    "UserID: no such user \"%.64s\": the daemon cannot start", user);
	const struct confcheck_user *pu = known ? &u : NULL;
	if (!conninfo_is(config_str(c, CONF_DATABASE)))
		check_dir(c, sys, f, CONF_DATABASE, true, pu, CONFCHECK_ERROR,
			  "SQLite makes its write-ahead log next to the database");
	else
		check_shared_store(c, f);
	check_dir(c, sys, f, CONF_SPOOL_DIRECTORY, false, pu, CONFCHECK_ERROR,
		  "large messages and releases in flight are written there");
	check_dir(c, sys, f, CONF_PID_FILE, true, NULL, CONFCHECK_ERROR, "");
	check_dir(c, sys, f, CONF_METRICS_FILE, true, pu, CONFCHECK_WARNING,
		  "the counters are not written");
	/* the signing key is opened after the drop: a home gpg cannot use
	 * stops the start there, after -n said nothing */
	if (*config_str(c, CONF_AUDIT_SIGNING_KEY) != '\0')
		check_dir(c, sys, f, CONF_AUDIT_GNUPG_HOME, false, pu, CONFCHECK_ERROR,
			  "gpg keeps its agent and trust database there");
	/* the escrow key is opened again at every reload, as UserID */
	if (*config_str(c, CONF_ESCROW_KEY) != '\0')
		check_dir(c, sys, f, CONF_ESCROW_GNUPG_HOME, false, pu, CONFCHECK_ERROR,
			  "gpg keeps its agent there and the escrow key cannot be used");
	static const char reload[] = "a reload (SIGHUP) runs as UserID and would be refused";
	if (config_file(c) != NULL)
		check_readable(sys, f, 0, "the configuration", config_file(c), pu, reload);
	check_readable(sys, f, config_line(c, CONF_REGISTRY), "Registry",
		       config_str(c, CONF_REGISTRY), pu, reload);
}

/* ---- relays and other gaps ------------------------------------------ */

/* key k: HOST:PORT, or empty (then the warning empty, if any). */
static void check_relay(const struct config *c, struct found *f, enum config_key k,
			const char *empty, const char *broken)
{
	const char *v = config_str(c, k);
	char host[256], port[16];
	if (*v == '\0') {
		if (empty != NULL)
			add(f, CONFCHECK_WARNING, config_line(c, k), "%s is empty: %s",
			    config_key_name(k), empty);
	} else if (!hostport_parse(v, host, sizeof host, port, sizeof port)) {
		add(f, CONFCHECK_ERROR, config_line(c, k), "%s \"%.100s\" is not HOST:PORT: %s",
		    config_key_name(k), v, broken);
	}
}

static void check_gaps(const struct config *c, const struct confcheck_sys *sys, struct found *f)
{
	check_relay(c, f, CONF_RELEASE_RELAY,
		    "approved holds are never sent (they wait until it is set); expiry and the "
		    "jurists' digest go on", "nothing can be released");
	check_relay(c, f, CONF_NOTICE_RELAY,
		    "the notices to senders and jurists (and mailed audit anchors) stay in the "
		    "outbox: nobody is told of a hold", "no notice can be sent");
	const char *pdf = config_str(c, CONF_PDF_TO_TEXT);
	struct confcheck_stat st;
	if (*pdf != '\0' && (sys->stat(sys->arg, pdf, &st) != 0 || !S_ISREG(st.mode) ||
			     (st.mode & 0111) == 0))
		add(f, CONFCHECK_WARNING, config_line(c, CONF_PDF_TO_TEXT),
		    "PdfToText %.200s is not an executable file (install poppler-utils): every "
		    "message with a PDF is unscannable", pdf);
	if (*config_str(c, CONF_DECISION_DATE) != '\0')
		add(f, CONFCHECK_WARNING, config_line(c, CONF_DECISION_DATE),
		    "DecisionDate %.16s fixes the day of every decision (for tests and what-if "
		    "runs): the registry's dated bases are not judged on today",
		    config_str(c, CONF_DECISION_DATE));
	uint64_t warn = config_uint(c, CONF_EXPIRY_WARNING);
	uint64_t expiry = config_uint(c, CONF_HOLD_EXPIRY);
	if (warn > 0 && warn >= expiry)
		add(f, CONFCHECK_WARNING, config_line(c, CONF_EXPIRY_WARNING),
		    "ExpiryWarning %llu is not below HoldExpiry %llu: every hold is in the daily "
		    "digest from the day it is made", (unsigned long long)warn,
		    (unsigned long long)expiry);
	if (*config_str(c, CONF_INTERNAL_HOSTS) == '\0' &&
	    *config_str(c, CONF_INTERNAL_DOMAINS) == '\0')
		add(f, CONFCHECK_WARNING, config_line(c, CONF_INTERNAL_HOSTS),
		    "InternalHosts and InternalDomains are both empty: only locally submitted and "
		    "SMTP-authenticated mail is scanned; what your servers relay passes unscanned");
}

bool confcheck_url_ok(const char *url)
{
	if (url == NULL)
		return false;
	size_t n = strlen(url), scheme = strncmp(url, "https://", 8) == 0 ? 8
				     : strncmp(url, "http://", 7) == 0 ? 7 : 0;
	if (scheme == 0 || n == scheme || n > CONFCHECK_URL_MAX)
		return false;
	/* RFC 3986 characters only: nothing that could end a line, the URL
	 * or a header, or be read differently by a mail reader */
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)url[i]) && strchr("-._~:/?#[]@!$&'()*+,;=%", url[i]) == NULL)
			return false;
	return true;
}

/* Senders: a login that has another role is that role only; the console's
 * link in the notices must be one a mail can carry. */
static void check_senders(const struct config *c, struct found *f)
{
	char u[80];
	static const enum config_key before[] = {CONF_JURIST, CONF_ADMIN, CONF_AUDITOR};
	for (size_t i = 0; i < config_list_count(c, CONF_SENDER); i++) {
		login_of(config_list(c, CONF_SENDER, i), u, sizeof u);
		unsigned line = config_list_line(c, CONF_SENDER, i);
		for (size_t e = 0; e < sizeof before / sizeof before[0]; e++) {
			if (first_naming(c, before[e], u, config_list_count(c, before[e])) < 0)
				continue;
			add(f, CONFCHECK_WARNING, line, "Sender %s is also on a %s line: the control "
			    "socket treats %s as that role only, never as a sender", u,
			    config_key_name(before[e]), u);
			break;
		}
	}
	const char *url = config_str(c, CONF_WEB_BASE_URL);
	if (*url != '\0' && !confcheck_url_ok(url))
		add(f, CONFCHECK_ERROR, config_line(c, CONF_WEB_BASE_URL),
		    "WebBaseURL \"%.100s\" is not an http:// or https:// URL of at most %d plain "
		    "characters: the senders' notices could not link to the console", url,
		    CONFCHECK_URL_MAX);
}

size_t confcheck_run(const struct config *c, const struct confcheck_sys *sys,
		     struct confcheck_finding *out, size_t max)
{
	struct found f = {out, max, 0};
	check_logins(c, sys, &f);
	check_four_eyes(c, sys, &f);
	check_control(c, sys, &f);
	check_milter_socket(c, sys, &f);
	check_daemon_user(c, sys, &f);
	check_gaps(c, sys, &f);
	check_senders(c, &f);
	return f.n;
}

const char *confcheck_severity_name(enum confcheck_severity s)
{
	return s == CONFCHECK_ERROR ? "error" : "warning";
}

void confcheck_format(const struct config *c, const struct confcheck_finding *f, char *buf,
		      size_t len)
{
	const char *file = config_file(c) ? config_file(c) : "(defaults)";
	if (f->line > 0)
		snprintf(buf, len, "%.300s:%u: %s: %s", file, f->line,
			 confcheck_severity_name(f->severity), f->text);
	else
		snprintf(buf, len, "%.300s: %s: %s", file, confcheck_severity_name(f->severity),
			 f->text);
}
