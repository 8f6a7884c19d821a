/*
 * main.c - grondslag-milter(8): start-up, signals and shut-down of the
 * daemon.  The per-message work is in callbacks.c and the pure core.
 *
 *   grondslag-milter [-c FILE] [-f] [-n] [-d]
 *
 * Start-up order (as clamav-milter): parse the configuration; open
 * everything that can fail (the readers' libraries, registry with its
 * signature, geo databases, store, spool directory) while we can still say so on the terminal;
 * -n stops here; open the milter socket under umask 0777, then give it
 * SocketMode/SocketGroup; daemonise; write the pid file; drop privileges
 * to UserID; start the notifier, the releaser and the control socket's
 * thread; smfi_main().  The release key (ReleaseKeyFile) is read, or
 * created, with everything else before privileges are dropped; it stays
 * in memory only.  The control socket (ControlSocket) is created
 * with the milter socket, while we are still root, and served from a
 * thread started after fork and after privileges are dropped.
 *
 * Signals: libmilter's signal thread turns SIGTERM/SIGINT into a stop, and
 * would turn SIGHUP into one too.  We need SIGHUP to reload, so this file
 * interposes sigwait() (the only caller in the process is libmilter's
 * signal thread): SIGHUP reloads the snapshot there and waiting goes on;
 * every other signal is returned to libmilter as before.  After
 * smfi_main() returns, messages in flight are finished (bounded wait)
 * before the store is closed.
 *
 * The record (audit chain): start, stop, every reload (refused ones
 * too) and every registry load with its digest and serial are written to
 * the store.  A registry whose serial goes back (regserial.h) is refused
 * at start, by -n and on SIGHUP (the old snapshot stays), unless
 * RegistryRollback forces exactly that serial, which is recorded.
 * With AuditSigningKey, the checkpointer signs the chain head at start
 * (before the start record), every AuditCheckpointInterval and last of
 * all at shut-down, after every thread that writes records has stopped.
 * The key is opened after privileges are dropped (so gpg-agent runs as
 * UserID) and a key that cannot sign stops the daemon there.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "daemon.h"
#include "grondslag/daemon/relayseal.h"
#include "grondslag/base/conninfo.h"
#include "grondslag/daemon/anchor_ship.h"
#include "grondslag/daemon/checkpointer.h"
#include "grondslag/config/confcheck.h"
#include "grondslag/daemon/metrics.h"
#include "grondslag/daemon/ctlsock.h"
#include "grondslag/base/log.h"
#include "grondslag/notice/notice.h"
#include "grondslag/base/version.h"
#include "grondslag/daemon/relayproc.h"
#include "grondslag/decide/regserial.h"
#include "grondslag/decide/seal.h"
#include "grondslag/scan/archive.h"
#include "grondslag/scan/ole2.h"

#define DEFAULT_CONFIG "/etc/grondslag/grondslag.conf"
#define DRAIN_SECONDS 30	/* longest wait for messages in flight at exit */

static void usage(void)
{
	fprintf(stderr, "usage: grondslag-milter [-c FILE] [-f] [-n] [-d]\n"
			"  -c FILE  configuration (default " DEFAULT_CONFIG ")\n"
			"  -f       stay in the foreground, log to stderr\n"
			"  -n       check configuration, registry, geo data, store and the\n"
			"           readers' libraries, then exit\n"
			"  -d       debug logging\n");
}

/* The roll-back check of the registry (regserial.h): the mark read
 * from the store, and the verdict at start (recorded by run()). */
static struct regserial_mark start_mark;
static enum regserial_verdict start_verdict;

/* Record a daemon event (start, stop, reload, registry-load) in the
 * chain; a failure is logged and -1 returned, the daemon goes on (the
 * mail flow must not stop because a record of a reload could not be
 * written).  load: for a registry-load, the roll-back check's verdict
 * and the mark it was compared with (the serial is recorded: the newest
 * registry-load record is the next mark). */
static int record_event_load(const char *event, const struct snapshot *s, const char *why,
			     enum regserial_verdict v, const struct regserial_mark *mark)
{
	struct audit_details *d = audit_details_new();
	if (s != NULL && mark != NULL) {
		audit_details_int(d, "serial", (int64_t)registry_serial(snapshot_registry(s)));
		if (v == REGSERIAL_FORCED) {
			audit_details_str(d, "forced", "RegistryRollback");
			audit_details_int(d, "previous_serial", (int64_t)mark->serial);
			audit_details_str(d, "previous_digest", mark->digest);
		}
	}
	if (s != NULL) {
		const struct config *c = snapshot_config(s);
		audit_details_str(d, "config", config_file(c) ? config_file(c) : "");
		audit_details_str(d, "registry", config_str(c, CONF_REGISTRY));
		audit_details_str(d, "digest", snapshot_digest(s));
		audit_details_str(d, "signature", config_str(c, CONF_REGISTRY_SIGNATURE));
		audit_details_str(d, "signature_status", snapshot_signature_status(s));
		audit_details_str(d, "signer", snapshot_signer(s));
		audit_details_str(d, "warning", snapshot_warning(s));
		audit_details_int(d, "generation", (int64_t)snapshot_generation(s));
	}
	if (why != NULL)
		audit_details_str(d, "refused", why);
	audit_details_int(d, "pid", (int64_t)getpid());
	char *details = audit_details_finish(d), err[512];
	struct store_audit a = {.event = event, .details = details};
	int rc = details != NULL ? store_audit_put(daemon_state.store, &a, err, sizeof err) : -1;
	if (rc != 0)
		log_msg(LOG_ERR, "audit record %s not written: %s", event,
			details ? err : "out of memory");
	free(details);
	return rc;
}

static void record_event(const char *event, const struct snapshot *s, const char *why)
{
	record_event_load(event, s, why, REGSERIAL_ACCEPT, NULL);
}

/* The roll-back check of s against the store's mark (into *mark): the
 * verdict and its sentence.  A mark that cannot be read refuses. */
static enum regserial_verdict registry_check(const struct snapshot *s,
					     struct regserial_mark *mark, char *msg, size_t len)
{
	const struct config *c = snapshot_config(s);
	struct regserial_force force;
	char err[256];
	regserial_force_parse(config_str(c, CONF_REGISTRY_ROLLBACK), &force);
	if (store_registry_mark(daemon_state.store, mark, err, sizeof err) < 0) {
		snprintf(msg, len, "the registry's roll-back mark cannot be read: %s", err);
		return REGSERIAL_REFUSE;
	}
	return regserial_decide(registry_serial(snapshot_registry(s)), snapshot_digest(s), mark,
				strcmp(config_str(c, CONF_REGISTRY_SIGNATURE), "required") == 0,
				&force, msg, len);
}

/* Log the check's sentence, when there is one, at its weight. */
static void registry_check_log(const struct snapshot *s, enum regserial_verdict v,
			       const char *msg)
{
	if (*msg)
		log_msg(v == REGSERIAL_REFUSE ? LOG_ERR : LOG_WARNING, "%s: %s",
			config_str(snapshot_config(s), CONF_REGISTRY), msg);
}

/* snapshot_slot.admit: a reloaded registry passes the roll-back check
 * and its load is recorded before it judges any mail; a forced load that
 * cannot be recorded is refused. */
static int registry_admit(void *arg, struct snapshot *s, char *err, size_t errlen)
{
	(void)arg;
	struct regserial_mark mark;
	char msg[1024];
	enum regserial_verdict v = registry_check(s, &mark, msg, sizeof msg);
	if (v == REGSERIAL_REFUSE) {
		snprintf(err, errlen, "%s: %s", config_str(snapshot_config(s), CONF_REGISTRY), msg);
		return -1;
	}
	registry_check_log(s, v, msg);
	if (record_event_load("registry-load", s, NULL, v, &mark) != 0 && v == REGSERIAL_FORCED) {
		snprintf(err, errlen, "the forced registry roll-back could not be recorded");
		return -1;
	}
	return 0;
}

static void reconfigure_release(const struct config *c);

/* Reload on SIGHUP: a broken file keeps the old snapshot. */
static void reload(void)
{
	char err[4096];
	/* a reload is also a moment to look at due releases and expiries */
	releaser_kick(daemon_state.releaser);
	if (snapshot_slot_reload(&daemon_state.slot, err, sizeof err) != 0) {
		char first[300];
		snprintf(first, sizeof first, "%.299s", err);
		for (char *line = strtok(err, "\n"); line != NULL; line = strtok(NULL, "\n"))
			log_msg(LOG_ERR, "reload refused, keeping the current snapshot: %s", line);
		record_event("reload", NULL, first);
		return;
	}
	struct snapshot *s = snapshot_slot_get(&daemon_state.slot);
	record_event("reload", s, NULL);	/* registry-load: registry_admit() */
	log_msg(LOG_NOTICE, "reloaded: snapshot %lu, registry %.200s sha256 %s",
		snapshot_generation(s), config_str(snapshot_config(s), CONF_REGISTRY),
		snapshot_digest(s));
	if (*snapshot_warning(s))
		log_msg(LOG_WARNING, "%s", snapshot_warning(s));
	reconfigure_release(snapshot_config(s));
	snapshot_unref(s);
}

/* A reload runs in libmilter's signal thread; the teardown after
 * smfi_main() frees what it touches (releaser, roundup): stopping, set
 * under the lock, ends reloads first. */
static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;
static bool stopping;

/*
 * XXX Interposed sigwait(): libmilter's signal thread waits for SIGHUP,
 * SIGTERM and SIGINT and stops the filter on any of them.  Here SIGHUP is
 * handled (reload) and not returned, so a reload never stops the filter.
 */
int sigwait(const sigset_t *set, int *sig)
{
	for (;;) {
		int s = sigwaitinfo(set, NULL);
		if (s < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (s == SIGHUP) {
			pthread_mutex_lock(&reload_lock);
			if (stopping)
				log_msg(LOG_NOTICE, "SIGHUP while stopping: not reloaded");
			else
				reload();
			pthread_mutex_unlock(&reload_lock);
			continue;
		}
		*sig = s;
		return 0;
	}
}

/* Print every line of a multi-line error, prefixed. */
static void print_errors(const char *what, char *err)
{
	for (char *line = strtok(err, "\n"); line != NULL; line = strtok(NULL, "\n"))
		log_msg(LOG_ERR, "%s: %s", what, line);
}

/* TCP_NODELAY on the listening inet socket libmilter opened (accepted
 * sockets inherit it): libmilter writes each eom action separately. */
static void listener_nodelay(void)
{
	for (int fd = 0; fd < 1024; fd++) {
		struct stat st;
		int acc = 0, one = 1;
		socklen_t len = sizeof acc;
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode))
			continue;
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) != 0 || !acc)
			continue;
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0 ||
		    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
			log_msg(LOG_WARNING, "TCP_NODELAY on the milter socket: %s", strerror(errno));
	}
}

/* Look up UserID; 0 with *pw NULL when empty. */
static int lookup_user(const char *user, struct passwd **pw)
{
	*pw = NULL;
	if (*user == '\0')
		return 0;
	*pw = getpwnam(user);
	if (*pw == NULL) {
		log_msg(LOG_ERR, "UserID: no such user \"%.64s\"", user);
		return -1;
	}
	return 0;
}

/* Open the milter socket; unix sockets get SocketMode and SocketGroup. */
static int open_socket(const struct config *c, const struct passwd *pw)
{
	const char *sock = config_str(c, CONF_SOCKET);
	bool inet = strncmp(sock, "inet", 4) == 0;
	if (smfi_setconn((char *)sock) != MI_SUCCESS || callbacks_register(inet) != 0) {
		log_msg(LOG_ERR, "Socket %.200s: cannot register the filter", sock);
		return -1;
	}
	smfi_settimeout((int)config_uint(c, CONF_MILTER_TIMEOUT));
	mode_t old = umask(0777);
	int rc = smfi_opensocket(true);
	umask(old);
	if (rc != MI_SUCCESS) {
		log_msg(LOG_ERR, "Socket %.200s: cannot open it (in use, or no permission?)", sock);
		return -1;
	}
	if (inet) {
		listener_nodelay();
		return 0;
	}
	const char *path = strchr(sock, ':') != NULL ? strchr(sock, ':') + 1 : sock;
	char *end;
	unsigned long mode = strtoul(config_str(c, CONF_SOCKET_MODE), &end, 8);
	if (*end != '\0' || mode > 0777) {
		log_msg(LOG_ERR, "SocketMode: \"%.16s\" is not an octal mode", config_str(c, CONF_SOCKET_MODE));
		return -1;
	}
	gid_t gid = pw != NULL ? pw->pw_gid : (gid_t)-1;
	const char *group = config_str(c, CONF_SOCKET_GROUP);
	if (*group) {
		struct group *gr = getgrnam(group);
		if (gr == NULL) {
			log_msg(LOG_ERR, "SocketGroup: no such group \"%.64s\"", group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	if (chown(path, pw != NULL ? pw->pw_uid : (uid_t)-1, gid) != 0 ||
	    chmod(path, (mode_t)mode) != 0) {
		log_msg(LOG_ERR, "Socket %.200s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Fork into the background, new session, stdio on /dev/null. */
static int daemonise(void)
{
	pid_t pid = fork();
	if (pid < 0) {
		log_msg(LOG_ERR, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		_exit(0);
	setsid();
	if (chdir("/") != 0)
		return -1;
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

/* Write the pid file (before dropping privileges: it lives in /run). */
static int write_pidfile(const char *path)
{
	if (*path == '\0')
		return 0;
	FILE *f = fopen(path, "w");
	if (f == NULL || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
		log_msg(LOG_ERR, "PidFile %.200s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Become UserID for good; the store's files are handed over first. */
static int drop_privileges(const struct passwd *pw, const char *db)
{
	if (pw == NULL)
		return 0;
	if (getuid() != 0) {
		if (getuid() == pw->pw_uid)
			return 0;
		log_msg(LOG_ERR, "UserID %.64s: started as uid %ld, cannot switch", pw->pw_name,
			(long)getuid());
		return -1;
	}
	static const char *const suffix[] = {"", "-wal", "-shm"};
	char path[4200];
	/* a PostgreSQL store has no files here: the server keeps it */
	for (size_t i = 0; i < 3 && !conninfo_is(db); i++) {
		snprintf(path, sizeof path, "%s%s", db, suffix[i]);
		if (chown(path, pw->pw_uid, pw->pw_gid) != 0 && errno != ENOENT)
			log_msg(LOG_WARNING, "chown %.200s: %s", path, strerror(errno));
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0 || setuid(0) == 0) {
		log_msg(LOG_ERR, "cannot become user %.64s: %s", pw->pw_name, strerror(errno));
		return -1;
	}
	return 0;
}

/* Is dir an existing directory? */
static int check_spool(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		log_msg(LOG_ERR, "SpoolDirectory %.200s: %s", dir,
			errno ? strerror(errno) : "not a directory");
		return -1;
	}
	return 0;
}

/* Read (or create) the release key: ReleaseKeyFile, or next to the
 * Database.  Without it nothing can be released, so it is fatal. */
static int load_release_key(const struct config *c)
{
	char path[4200], err[512];
	const char *file = config_str(c, CONF_RELEASE_KEY_FILE);
	if (*file)
		snprintf(path, sizeof path, "%s", file);
	else if (!conninfo_is(config_str(c, CONF_DATABASE)))
		snprintf(path, sizeof path, "%s.release-key", config_str(c, CONF_DATABASE));
	else {
		log_msg(LOG_ERR, "Database is a PostgreSQL connection string: set ReleaseKeyFile");
		return -1;
	}
	if (release_key_load(path, true, daemon_state.release_key, err, sizeof err) != 0) {
		log_msg(LOG_ERR, "%s", err);
		return -1;
	}
	daemon_state.have_release_key = true;
	return 0;
}

/* Say at start (and with -n) when the released copies cannot pass the
 * milter's release check: from a source address outside InternalHosts
 * the milter treats them as inbound mail and never sees their token, so
 * every release would be "unconfirmed" (delivered unchecked, raised to
 * the admins, store.h).  A ReleaseRelay port of an MTA without this
 * milter cannot be seen from here: docs/operations.md. */
static void warn_release_path(const struct snapshot *s)
{
	const char *relay = config_str(snapshot_config(s), CONF_RELEASE_RELAY);
	struct ip_addr a;
	char err[256], text[IP_ADDR_TEXT_MAX];
	if (*relay == '\0')
		return;
	if (releaser_source(relay, &a, err, sizeof err) != 0)
		log_msg(LOG_WARNING, "%s: cannot tell whether released copies pass the milter", err);
	else if (!snapshot_internal_host(s, &a))
		log_msg(LOG_WARNING, "ReleaseRelay %.100s: the releaser's source address %s is not"
			" in InternalHosts, so released copies do not pass the milter's release"
			" check; each release would be unconfirmed (delivered unchecked, raised"
			" to the admins)", relay, ip_addr_format(&a, text, sizeof text));
}

/* Settings that work but leave a gap the operator should know of
 * (logged at -n, at start and never fatal). */
static void warn_gaps(const struct config *c)
{
	/* mail from InternalHosts (or an InternalDomains sender) is taken
	 * as ours without SMTP AUTH: such a message names no login, so a
	 * jurist who sends it under an address missing from their Jurist
	 * line is not recognised as its sender and could approve it */
	bool unauthenticated = *config_str(c, CONF_INTERNAL_HOSTS) != '\0' ||
			       *config_str(c, CONF_INTERNAL_DOMAINS) != '\0';
	if (config_list_count(c, CONF_JURIST) > 0 && unauthenticated)
		log_msg(LOG_WARNING,
			"InternalHosts/InternalDomains let mail out without SMTP AUTH while Jurist "
			"lines exist: a jurist is recognised as the sender of such mail only by the "
			"addresses on their Jurist line; require SMTP AUTH for people (Postfix "
			"smtpd_sender_login_maps with reject_sender_login_mismatch) and keep "
			"InternalHosts to hosts that send no person's mail");
	/* whoever can write the database can rewrite the chain and any
	 * checkpoint on this host: only a copy that left it anchors */
	const char *to[NOTICE_JURISTS_MAX];
	bool mail = anchor_mail_to(c, to) > 0 && *config_str(c, CONF_NOTICE_RELAY) != '\0';
	if (!mail && *config_str(c, CONF_AUDIT_ANCHOR_SYSLOG) == '\0')
		log_msg(LOG_WARNING,
			"nothing anchors the audit record off this host: set AuditAnchorMail (with "
			"NoticeRelay) or AuditAnchorSyslog; whoever can write the database can "
			"otherwise rewrite the record unseen%s",
			*config_str(c, CONF_AUDIT_SIGNING_KEY) ? " (the signed checkpoints stay on "
								 "this host)" : "");
}

/* Settings that cannot work on this system (confcheck.h), each logged
 * as file:line; the number of errors among them. */
static size_t check_setup(const struct config *c)
{
	struct confcheck_finding f[64];
	char line[CONFCHECK_TEXT_MAX + 400];
	size_t n = confcheck_run(c, confcheck_system(), f, 64), errors = 0;
	for (size_t i = 0; i < n && i < 64; i++) {
		confcheck_format(c, &f[i], line, sizeof line);
		log_msg(f[i].severity == CONFCHECK_ERROR ? LOG_ERR : LOG_WARNING, "%s", line);
		errors += f[i].severity == CONFCHECK_ERROR;
	}
	if (n > 64)
		log_msg(LOG_ERR, "%zu more findings not shown", n - 64);
	return n > 64 ? errors + 1 : errors;
}

/* The readers' libraries that a scan loads on first use (archives,
 * compound files: base/dynlib.h), loaded here at start: a host without
 * one refuses to start, rather than holding the first archive it sees
 * as unscannable. */
static int load_readers(void)
{
	char err[512];
	int rc = 0;
	if (arc_lib_load(err, sizeof err) != 0) {
		log_msg(LOG_ERR, "%s", err);
		rc = -1;
	}
	if (ole2_lib_load(err, sizeof err) != 0) {
		log_msg(LOG_ERR, "%s", err);
		rc = -1;
	}
	return rc;
}

/* Everything that can fail, before any privilege is given up. */
static int open_everything(const char *conf, bool check)
{
	char err[8192];
	struct snapshot *s = snapshot_load(conf, err, sizeof err);
	if (s == NULL) {
		print_errors(conf, err);
		return -1;
	}
	if (load_readers() != 0) {
		snapshot_unref(s);
		return -1;
	}
	if (*snapshot_warning(s))
		log_msg(LOG_WARNING, "%s", snapshot_warning(s));
	const struct config *c = snapshot_config(s);
	warn_gaps(c);
	size_t errors = check_setup(c);
	const char *db = config_str(c, CONF_DATABASE);
	daemon_state.store = store_open(db, err, sizeof err);
	if (daemon_state.store == NULL) {
		/* err names the file and says what to do */
		log_msg(LOG_ERR, "%s", err);
		snapshot_unref(s);
		return -1;
	}
	char msg[1024];
	start_verdict = registry_check(s, &start_mark, msg, sizeof msg);
	registry_check_log(s, start_verdict, msg);
	if (check && *config_str(c, CONF_REGISTRY_ROLLBACK))
		log_msg(LOG_WARNING, "RegistryRollback %.40s is set: remove it once the forced"
			" registry is loaded (it lets exactly that serial go back)",
			config_str(c, CONF_REGISTRY_ROLLBACK));
	if (start_verdict == REGSERIAL_REFUSE) {
		snapshot_unref(s);
		return -1;
	}
	if (check_spool(config_str(c, CONF_SPOOL_DIRECTORY)) != 0 || load_release_key(c) != 0 ||
	    snapshot_slot_init(&daemon_state.slot, conf, s) != 0) {
		snapshot_unref(s);
		return -1;
	}
	/* GnuPG homes (the parties' keys) a previous run kept and could not
	 * remove because it crashed: made before this second, not ours */
	int swept = seal_homes_sweep(config_str(c, CONF_SPOOL_DIRECTORY), time(NULL));
	if (swept > 0)
		log_msg(LOG_NOTICE, "SpoolDirectory: %d GnuPG home%s of a previous run removed", swept,
			swept == 1 ? "" : "s");
	warn_release_path(s);
	daemon_state.slot.admit = registry_admit;
	if (gethostname(daemon_state.hostname, sizeof daemon_state.hostname - 1) != 0)
		strcpy(daemon_state.hostname, "localhost");
	/* the relay's name in a shared store: its release attempts and the
	 * leases of the jobs for the whole store */
	const char *relay_name = *config_str(c, CONF_RELAY_NAME) ? config_str(c, CONF_RELAY_NAME)
								 : daemon_state.hostname;
	if (store_relay_set(daemon_state.store, relay_name) != 0) {
		log_msg(LOG_ERR, "RelayName \"%.100s\": at most %d printable characters without"
			" blanks", relay_name, STORE_RELAY_MAX - 1);
		snapshot_unref(s);
		return -1;
	}
	/* the connections of the threads that use the store, opened before
	 * any of them starts */
	if (store_pool_grow(daemon_state.store, (unsigned)config_uint(c, CONF_DATABASE_CONNECTIONS),
			    (unsigned)config_uint(c, CONF_DATABASE_TIMEOUT), err, sizeof err) != 0) {
		log_msg(LOG_ERR, "DatabaseConnections: %s", err);
		snapshot_unref(s);
		return -1;
	}
	snprintf(daemon_state.notice_from, sizeof daemon_state.notice_from, "%s",
		 config_str(c, CONF_NOTICE_FROM));
	if (errors > 0) {
		log_msg(LOG_ERR, "%s: %zu error%s above: this setup cannot work", conf, errors,
			errors == 1 ? "" : "s");
		return -1;
	}
	char shown[1024];
	conninfo_redact(db, shown, sizeof shown);	/* never a password in the log */
	log_msg(check ? LOG_NOTICE : LOG_INFO,
		"%s: configuration OK; registry %.200s (%zu parties, sha256 %s); mode %s; store %.200s",
		conf, config_str(c, CONF_REGISTRY), registry_party_count(snapshot_registry(s)),
		snapshot_digest(s), gate_mode_name(snapshot_mode(s)), shown);
	return 0;
}

/* Wait (bounded) until no message is between MAIL FROM and its end. */
static void drain(void)
{
	for (int i = 0; i < DRAIN_SECONDS * 10 && callbacks_inflight() > 0; i++) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	if (callbacks_inflight() > 0)
		log_msg(LOG_WARNING, "exiting with %ld messages in flight", callbacks_inflight());
}

/* Start the notice sender (none when NoticeRelay is empty). */
static void start_notifier(const struct config *c)
{
	const char *relay = config_str(c, CONF_NOTICE_RELAY);
	if (*relay == '\0') {
		log_msg(LOG_INFO, "NoticeRelay is empty: notices stay in the outbox");
		return;
	}
	char err[256];
	daemon_state.notifier = notifier_start(daemon_state.store, relay, daemon_state.hostname,
					       daemon_state.notice_from, err, sizeof err);
	if (daemon_state.notifier == NULL)
		log_msg(LOG_ERR, "notices will not be sent: %s", err);
}

static struct roundup *roundup;	/* NULL: no jurists, or ExpiryWarning 0 */

/* The roundup's settings from c (to: room for the addresses); true when
 * somebody is to get one. */
static bool roundup_setup_of(const struct config *c, const char **to, struct roundup_setup *in)
{
	size_t nmail;
	const char *const *mail = config_jurist_mail(c, &nmail);
	size_t nto = notice_jurist_to(mail, nmail, to, NOTICE_JURISTS_MAX);
	*in = (struct roundup_setup){
		.store = daemon_state.store, .from = daemon_state.notice_from,
		.hostname = daemon_state.hostname, .to = to, .nto = nto,
		.expiry_days = (unsigned)config_uint(c, CONF_HOLD_EXPIRY),
		.warning_days = (unsigned)config_uint(c, CONF_EXPIRY_WARNING),
		.notifier = daemon_state.notifier,
	};
	return nto > 0 && in->warning_days > 0;
}

/* The jurists' addresses: say once at start when nobody gets the
 * jurists' notices; make the roundup (run by the releaser). */
static void setup_jurist_notices(const struct config *c)
{
	const char *to[NOTICE_JURISTS_MAX];
	struct roundup_setup in;
	size_t nmail;
	const char *const *mail = config_jurist_mail(c, &nmail);
	if (notice_jurist_to(mail, nmail, to, NOTICE_JURISTS_MAX) == 0) {
		log_msg(LOG_WARNING, "no JuristNotice and no Jurist lines: the jurists are not told "
			"of new holds or of holds close to expiry");
		return;
	}
	if (!roundup_setup_of(c, to, &in))
		return;
	roundup = roundup_new(&in);
	if (roundup == NULL)
		log_msg(LOG_ERR, "out of memory: no digest of holds close to expiry");
}

/* After a reload: the releaser and the roundup follow HoldExpiry,
 * ReleaseRetry, ReleaseRelay (set or emptied), ExpiryWarning and the
 * jurists' addresses. */
static void reconfigure_release(const struct config *c)
{
	const char *to[NOTICE_JURISTS_MAX];
	struct roundup_setup in;
	bool wanted = roundup_setup_of(c, to, &in);
	if (roundup != NULL)
		roundup_configure(roundup, &in);	/* ExpiryWarning 0 or nobody: none sent */
	else if (wanted && (roundup = roundup_new(&in)) == NULL)
		log_msg(LOG_ERR, "out of memory: no digest of holds close to expiry");
	const char *relay = config_str(c, CONF_RELEASE_RELAY);
	if (daemon_state.releaser == NULL)
		return;	/* it could not start: said then */
	if (*relay == '\0')
		log_msg(LOG_WARNING, "ReleaseRelay is empty now: approved holds wait until it is set");
	struct releaser_config rc = {
		.relay = relay, .expiry_days = (unsigned)config_uint(c, CONF_HOLD_EXPIRY),
		.retry_base = (unsigned)config_uint(c, CONF_RELEASE_RETRY), .roundup = roundup,
	};
	char err[256];
	if (releaser_configure(daemon_state.releaser, &rc, err, sizeof err) != 0)
		log_msg(LOG_ERR, "reload: %s; the releaser keeps its settings", err);
}

/* Start the releaser.  With ReleaseRelay empty it still expires
 * undecided holds and sends the jurists' digest; approved holds wait
 * (confcheck says so at start). */
static void start_releaser(const struct config *c)
{
	const char *relay = config_str(c, CONF_RELEASE_RELAY);
	struct releaser_setup in = {
		.store = daemon_state.store, .relay = relay, .helo = daemon_state.hostname,
		.notice_from = daemon_state.notice_from,
		.header_name = config_str(c, CONF_HEADER_NAME),
		.expiry_days = (unsigned)config_uint(c, CONF_HOLD_EXPIRY),
		.retry_base = (unsigned)config_uint(c, CONF_RELEASE_RETRY),
		.notifier = daemon_state.notifier, .roundup = roundup,
		.spool_dir = config_str(c, CONF_SPOOL_DIRECTORY),
		.seal = relayseal_release, .seal_arg = &daemon_state.slot,
	};
	memcpy(in.key, daemon_state.release_key, sizeof in.key);
	char err[256];
	daemon_state.releaser = releaser_new(&in, err, sizeof err);
	explicit_bzero(in.key, sizeof in.key);
	if (daemon_state.releaser == NULL || releaser_start(daemon_state.releaser, err,
							     sizeof err) != 0) {
		log_msg(LOG_ERR, "nothing will be released: %s", err);
		releaser_free(daemon_state.releaser);
		daemon_state.releaser = NULL;
	}
}

static struct metrics_writer *metrics;	/* NULL when MetricsFile is empty */

/* Start rewriting MetricsFile (after privileges are dropped, so the file
 * belongs to the daemon's user). */
static void start_metrics(const struct config *c)
{
	const char *path = config_str(c, CONF_METRICS_FILE);
	if (*path == '\0')
		return;
	char err[600];
	metrics = metrics_writer_start(path, (unsigned)config_uint(c, CONF_METRICS_INTERVAL), err,
				       sizeof err);
	if (metrics == NULL)
		log_msg(LOG_ERR, "MetricsFile: %s", err);
}

static struct checkpointer *checkpoints;	/* NULL when nothing signs or anchors */

static struct anchor_ship *anchors;	/* NULL when nothing anchors off the host */

/* Open the signing key and start the checkpoints (as UserID, after the
 * drop, so gpg-agent runs as the owner of AuditGnupgHome).  A key that
 * is set but cannot sign is fatal: never run silently unsigned. */
static int start_checkpoints(const struct config *c)
{
	const char *key = config_str(c, CONF_AUDIT_SIGNING_KEY);
	bool none;
	anchors = anchor_ship_new(c, daemon_state.store, daemon_state.notice_from,
				  daemon_state.hostname, &none);
	if (anchors == NULL && !none) {
		log_msg(LOG_ERR, "audit checkpoints: out of memory");
		return -1;
	}
	if (*key == '\0' && anchors == NULL)
		return 0;
	char err[600], file[4200];
	struct auditsig_signer *signer = NULL;
	if (*key != '\0' && (signer = auditsig_signer_open(config_str(c, CONF_AUDIT_GNUPG_HOME), key,
							   err, sizeof err)) == NULL) {
		log_msg(LOG_ERR, "%s", err);
		return -1;
	}
	auditsig_file_path(config_str(c, CONF_AUDIT_CHECKPOINT_FILE), config_str(c, CONF_DATABASE),
			   file, sizeof file);
	struct checkpointer_setup in = {
		.store = daemon_state.store, .signer = signer, .file = file,
		.host = daemon_state.hostname, .ship = anchors ? anchor_ship_line : NULL,
		.ship_arg = anchors,
		.interval = (unsigned)config_uint(c, CONF_AUDIT_CHECKPOINT_INTERVAL),
	};
	checkpoints = checkpointer_start(&in, err, sizeof err);
	if (checkpoints == NULL) {
		log_msg(LOG_ERR, "audit checkpoints: %s", err);
		return -1;
	}
	return 0;
}

static struct ctlsock *control;	/* NULL when ControlSocket is empty */
static struct ratelim *refusals;	/* its refusal counts (ctlsock.h) */

/* The control socket's view of the configuration: the current snapshot,
 * pinned for one request (roles follow SIGHUP reloads). */
static const struct config *control_config_get(void *arg, void **pin)
{
	struct snapshot *s = snapshot_slot_get(arg);
	*pin = s;
	return s != NULL ? snapshot_config(s) : NULL;
}

/* The registry of the current snapshot and its date at now, pinned for
 * one request (the party, reason and basis a jurist names are checked
 * against it). */
static const struct registry *control_registry_get(void *arg, time_t now, int32_t *date,
						   void **pin)
{
	struct snapshot *s = snapshot_slot_get(arg);
	*pin = s;
	if (s == NULL)
		return NULL;
	*date = snapshot_date(s, now);
	return snapshot_registry(s);
}

/* The escrow key of the snapshot control_registry_get() pinned. */
static const struct walk_escrow *control_escrow_of(void *arg, void *pin, const char **fpr)
{
	(void)arg;
	const struct snapshot *s = pin;	/* NULL: no snapshot pinned */
	if (s == NULL)
		return NULL;
	*fpr = snapshot_escrow_fpr(s);
	return snapshot_scan(s)->limits.escrow;
}

/* Unpin what control_config_get() pinned. */
static void control_config_put(void *arg, void *pin)
{
	(void)arg;
	snapshot_unref(pin);
}

/* Create the control socket (as root, before daemonising). */
static int open_control(const struct config *c)
{
	const char *path = config_str(c, CONF_CONTROL_SOCKET);
	char err[512];
	if (*path == '\0')
		return 0;
	control = ctlsock_open(path, err, sizeof err);
	if (control == NULL) {
		log_msg(LOG_ERR, "%s", err);
		return -1;
	}
	return 0;
}

/* Serve the control socket (after fork and dropping privileges). */
static int run_control(void)
{
	struct ctlsock_env env = {
		.store = daemon_state.store, .hostname = daemon_state.hostname,
		.notice_from = daemon_state.notice_from, .notifier = daemon_state.notifier,
		.releaser = daemon_state.releaser,
		.config_get = control_config_get, .config_put = control_config_put,
		.registry_get = control_registry_get, .escrow_of = control_escrow_of,
		.arg = &daemon_state.slot,
	};
	char err[256];
	if (control == NULL)
		return 0;
	refusals = ratelim_new(CTLSOCK_REFUSALS_PER_WINDOW, CTLSOCK_REFUSAL_WINDOW,
			       CTLSOCK_REFUSAL_SLOTS);
	if (refusals == NULL) {
		log_msg(LOG_ERR, "control socket: out of memory");
		return -1;
	}
	env.refusals = refusals;
	if (ctlsock_run(control, &env, err, sizeof err) != 0) {
		log_msg(LOG_ERR, "%s", err);
		return -1;
	}
	return 0;
}

/* Stop the control socket's thread (it records the pending refusal
 * counts), then free what it used. */
static void stop_control(void)
{
	ctlsock_close(control);
	control = NULL;
	ratelim_free(refusals);
	refusals = NULL;
}

/* Steps after the check: socket, daemon, pid file, user, notifier. */
static int run(bool foreground)
{
	struct snapshot *s = snapshot_slot_get(&daemon_state.slot);
	const struct config *c = snapshot_config(s);
	struct passwd *pw;
	char pidfile[4096];
	snprintf(pidfile, sizeof pidfile, "%s", config_str(c, CONF_PID_FILE));
	int rc = lookup_user(config_str(c, CONF_USER_ID), &pw);
	if (rc == 0)
		rc = open_socket(c, pw);
	if (rc == 0)
		rc = open_control(c);
	if (rc == 0 && !foreground)
		rc = daemonise();
	if (rc == 0)
		rc = write_pidfile(pidfile);
	if (rc == 0)
		rc = drop_privileges(pw, config_str(c, CONF_DATABASE));
	if (rc == 0)
		rc = start_checkpoints(c);
	if (rc == 0) {
		start_notifier(c);
		anchor_ship_notifier(anchors, daemon_state.notifier);
		setup_jurist_notices(c);
		start_releaser(c);
		start_metrics(c);
	}
	if (rc == 0)
		rc = run_control();
	snapshot_unref(s);
	if (rc != 0) {
		stop_control();
		checkpointer_stop(checkpoints);
		anchor_ship_free(anchors);
		return 1;
	}
	log_msg(LOG_NOTICE, "started (pid %ld)", (long)getpid());
	s = snapshot_slot_get(&daemon_state.slot);
	record_event("start", s, NULL);
	rc = record_event_load("registry-load", s, NULL, start_verdict, &start_mark);
	if (rc != 0 && start_verdict == REGSERIAL_FORCED)
		log_msg(LOG_ERR, "the forced registry roll-back could not be recorded: stopping");
	snapshot_unref(s);
	rc = rc != 0 && start_verdict == REGSERIAL_FORCED ? 1
	     : smfi_main() == MI_SUCCESS			 ? 0
								 : 1;
	pthread_mutex_lock(&reload_lock);
	stopping = true;
	pthread_mutex_unlock(&reload_lock);
	stop_control();
	log_msg(LOG_NOTICE, "stopping: finishing messages in flight");
	drain();
	record_event("stop", NULL, NULL);
	/* the releaser finishes the attempt in progress (its outcome is
	 * recorded) and kicks the notifier: stop it first */
	releaser_free(daemon_state.releaser);
	daemon_state.releaser = NULL;
	roundup_free(roundup);
	roundup = NULL;
	anchor_ship_notifier(anchors, NULL);
	notifier_stop(daemon_state.notifier);
	daemon_state.notifier = NULL;
	metrics_writer_stop(metrics);
	metrics = NULL;
	/* last: no thread is left that writes a record after it */
	checkpointer_stop(checkpoints);
	checkpoints = NULL;
	anchor_ship_free(anchors);
	anchors = NULL;
	store_close(daemon_state.store);
	if (*pidfile)
		unlink(pidfile);
	snapshot_slot_destroy(&daemon_state.slot);
	log_msg(LOG_NOTICE, "stopped");
	return rc;
}

int main(int argc, char **argv)
{
	/* the releaser's relay process (relayproc.h): this executable again */
	if (argc > 1 && strcmp(argv[1], RELAYPROC_ARG) == 0)
		return relayproc_main(argc, argv);
	if (argc == 2 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)) {
		printf("grondslag-milter %s\n", GRONDSLAG_VERSION);
		return 0;
	}
	const char *conf = DEFAULT_CONFIG;
	bool foreground = false, check = false, debug = false;
	int ch;
	while ((ch = getopt(argc, argv, "c:fndh")) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 'f': foreground = true; break;
		case 'n': check = true; break;
		case 'd': debug = true; break;
		default: usage(); return 2;
		}
	}
	if (optind != argc) {
		usage();
		return 2;
	}
	/* Blocked in every thread from the start (threads inherit the mask);
	 * libmilter's signal thread sigwaits for them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	log_open("grondslag-milter", foreground || check, debug);
	if (open_everything(conf, check) != 0)
		return 1;
	if (check) {
		store_close(daemon_state.store);
		snapshot_slot_destroy(&daemon_state.slot);
		return 0;
	}
	return run(foreground);
}
