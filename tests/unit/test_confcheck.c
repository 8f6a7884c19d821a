/*
 * test_confcheck.c - settings that cannot work (confcheck.h), table
 * driven: each row edits a configuration that has no finding, on a
 * system of our own (users, groups, directories), and names the one
 * finding it must cause: severity, the line of the setting, its text.
 */
#include "testutil.h"

#include <strings.h>
#include <sys/stat.h>

#include "fixture_dir.h"
#include "grondslag/config/confcheck.h"

/* ---- the system the checks see -------------------------------------- */

static const struct {
	const char *name;
	uid_t uid;
	gid_t gid, extra;	/* extra: one supplementary group, 0 none */
} users[] = {
	{"root", 0, 0, 0},		{"grondslag", 110, 110, 0},
	{"alice", 1001, 1001, 300},	{"bob", 1002, 1002, 300},
	{"carol", 1003, 1003, 0},	{"", 0, 0, 0},	/* this process */
};

static const struct {
	const char *name;
	gid_t gid;
} groups[] = {{"grondslag", 110}, {"postfix", 120}, {"jurists", 300}};

static const struct {
	const char *path;
	mode_t mode;
	uid_t uid;
	gid_t gid;
} files[] = {
	{"/", S_IFDIR | 0755, 0, 0},
	{"/run", S_IFDIR | 0755, 0, 0},
	{"/run/grondslag", S_IFDIR | 0755, 110, 110},	/* both sockets */
	{"/run/locked", S_IFDIR | 0750, 110, 120},	/* group postfix only */
	{"/run/jurists", S_IFDIR | 0750, 0, 300},	/* group jurists only */
	{"/run/private", S_IFDIR | 0700, 110, 110},
	{"/var", S_IFDIR | 0755, 0, 0},
	{"/var/lib", S_IFDIR | 0755, 0, 0},
	{"/var/lib/grondslag", S_IFDIR | 0750, 110, 110},
	{"/var/lib/rootonly", S_IFDIR | 0755, 0, 0},
	{"/var/spool", S_IFDIR | 0755, 0, 0},
	{"/var/spool/grondslag", S_IFDIR | 0700, 110, 110},
	{"/usr", S_IFDIR | 0755, 0, 0},
	{"/usr/bin", S_IFDIR | 0755, 0, 0},
	{"/usr/bin/pdftotext", S_IFREG | 0755, 0, 0},
	{"/usr/bin/README", S_IFREG | 0644, 0, 0},
	{"/etc", S_IFDIR | 0755, 0, 0},
	{"/etc/grondslag", S_IFDIR | 0755, 0, 0},
	{"/etc/grondslag/registry.yaml", S_IFREG | 0644, 0, 0},
	{"/etc/grondslag/secret.yaml", S_IFREG | 0600, 0, 0},
	{"/etc/private", S_IFDIR | 0700, 0, 0},
	{"/var/lib/grondslag/audit-gnupg", S_IFDIR | 0700, 110, 110},
};

static int fake_user(void *arg, const char *name, struct confcheck_user *u)
{
	(void)arg;
	for (size_t i = 0; i < ARRAY_LEN(users); i++) {
		if (strcmp(users[i].name, name) != 0)
			continue;
		*u = (struct confcheck_user){.uid = users[i].uid, .gid = users[i].gid};
		u->groups[u->ngroups++] = users[i].gid;
		if (users[i].extra)
			u->groups[u->ngroups++] = users[i].extra;
		return 0;
	}
	return -1;
}

static int fake_group(void *arg, const char *name, gid_t *gid)
{
	(void)arg;
	for (size_t i = 0; i < ARRAY_LEN(groups); i++)
		if (strcmp(groups[i].name, name) == 0) {
			*gid = groups[i].gid;
			return 0;
		}
	return -1;
}

/* The test's directory and its configuration file, as the checks see
 * them: /tmp and dir searchable by all, the file of mode conf_mode. */
static mode_t conf_mode = 0644;

static int fake_stat(void *arg, const char *path, struct confcheck_stat *st)
{
	(void)arg;
	size_t dl = strlen(dir);
	if (strcmp(path, "/tmp") == 0 || strcmp(path, dir) == 0) {
		*st = (struct confcheck_stat){S_IFDIR | 0755, 0, 0};
		return 0;
	}
	if (strncmp(path, dir, dl) == 0 && strcmp(path + dl, "/g.conf") == 0) {
		*st = (struct confcheck_stat){S_IFREG | conf_mode, 0, 0};
		return 0;
	}
	for (size_t i = 0; i < ARRAY_LEN(files); i++)
		if (strcmp(files[i].path, path) == 0) {
			*st = (struct confcheck_stat){files[i].mode, files[i].uid, files[i].gid};
			return 0;
		}
	return -1;
}

static const struct confcheck_sys fake = {fake_user, fake_group, fake_stat, NULL};

/* ---- the configuration every row edits ------------------------------ */

static const char *const base[] = {
	"Registry /etc/grondslag/registry.yaml",		/* 1 */
	"Socket unix:/run/grondslag/milter.sock",		/* 2 */
	"SocketGroup postfix",					/* 3 */
	"SocketMode 0660",					/* 4 */
	"UserID grondslag",					/* 5 */
	"Database /var/lib/grondslag/grondslag.db",		/* 6 */
	"SpoolDirectory /var/spool/grondslag",			/* 7 */
	"ControlSocket /run/grondslag/control.sock",		/* 8 */
	"Jurist alice alice@example.org",			/* 9 */
	"Jurist bob bob@example.org",				/* 10 */
	"PidFile /run/grondslag/grondslag-milter.pid",		/* 11 */
	"ReleaseApprovals 2",					/* 12 */
	"ReleaseRelay 127.0.0.1:25",				/* 13 */
	"NoticeRelay 127.0.0.1:25",				/* 14 */
	"InternalHosts 10.0.0.0/8",				/* 15 */
	"PdfToText /usr/bin/pdftotext",				/* 16 */
};

/* The key of a line ("Key value" or "-Key" or "+Key value"). */
static size_t key_len(const char *l)
{
	return strcspn(l, " \t\n");
}

/* base with the row's edits, one per line: "Key value" replaces the
 * base line of that key (same line number), else is appended; "+Key
 * value" is appended; "-Key" blanks every base line of that key. */
static void write_conf(const char *path, const char *edits)
{
	char lines[ARRAY_LEN(base)][300], extra[1024] = "";
	for (size_t i = 0; i < ARRAY_LEN(base); i++)
		snprintf(lines[i], sizeof lines[i], "%s", base[i]);
	for (const char *e = edits; e && *e;) {
		size_t n = strcspn(e, "\n");
		char ed[300];
		snprintf(ed, sizeof ed, "%.*s", (int)n, e);
		e += n + (e[n] == '\n');
		bool drop = ed[0] == '-', append = ed[0] == '+';
		const char *l = drop || append ? ed + 1 : ed;
		bool done = false;
		for (size_t i = 0; i < ARRAY_LEN(base) && !append; i++) {
			if (key_len(lines[i]) != key_len(l) ||
			    strncasecmp(lines[i], l, key_len(l)) != 0)
				continue;
			snprintf(lines[i], sizeof lines[i], "%s", drop ? "" : l);
			done = true;
			if (!drop)
				break;
		}
		if (!done && !drop)
			snprintf(extra + strlen(extra), sizeof extra - strlen(extra), "%s\n", l);
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (size_t i = 0; i < ARRAY_LEN(base); i++)
		fprintf(f, "%s\n", lines[i]);
	fputs(extra, f);
	fclose(f);
}

#define W CONFCHECK_WARNING
#define E CONFCHECK_ERROR

static const struct row {
	const char *name, *edits;
	size_t nwant;			/* findings in all */
	enum confcheck_severity sev;	/* of the one wanted among them */
	unsigned line;
	const char *want;		/* in its text */
} rows[] = {
	{"a setup that works", "", 0, W, 0, NULL},
	{"inet milter socket", "Socket inet:8890@127.0.0.1", 0, W, 0, NULL},
	/* the people of the control socket */
	{"jurist without login", "+Jurist mallory mallory@example.org", 1, E, 17,
	 "Jurist mallory: no such login on this system"},
	{"too few jurists with a login", "Jurist mallory mallory@example.org", 2, E, 9,
	 "Jurist mallory: no such login on this system"},
	{"too few jurists with a login (the count)", "Jurist mallory mallory@example.org", 2, E, 12,
	 "ReleaseApprovals 2 needs 2 distinct jurists, but only 1 Jurist login exists on this "
	 "system"},
	{"a mistyped jurist among enough", "+Jurist carol carol@example.org\n+Jurist malory m@example.org",
	 1, E, 18, "Jurist malory: no such login"},
	{"admin without login", "Admin ghost", 1, E, 17, "Admin ghost: no such login"},
	{"auditor without login", "Auditor ghost", 1, E, 17, "Auditor ghost: no such login"},
	{"console user without login", "ControlConsoleUser webui", 1, E, 17,
	 "ControlConsoleUser webui: no such login"},
	{"fewer jurists than approvals", "ReleaseApprovals 3", 1, E, 12,
	 "ReleaseApprovals 3 needs 3 distinct jurists, but 2 Jurist logins are given"},
	{"one jurist, default approvals", "-ReleaseApprovals\n-Jurist\n+Jurist alice a@example.org",
	 1, E, 17, "ReleaseApprovals 2 needs 2 distinct jurists, but 1 Jurist login is given"},
	{"a jurist twice is one person", "+Jurist alice a2@example.org", 1, W, 17,
	 "Jurist alice is given again (first on line 9): one person counts once"},
	{"control socket without jurists", "-Jurist", 1, E, 8,
	 "ControlSocket is set but there is no Jurist line"},
	{"jurists without control socket", "-ControlSocket", 1, E, 9,
	 "Jurist lines but no ControlSocket"},
	{"nobody reviews", "-ControlSocket\n-Jurist", 1, W, 0, "no ControlSocket and no Jurist"},
	{"nobody reviews, simulate", "-ControlSocket\n-Jurist\nMode simulate", 0, W, 0, NULL},
	{"jurist also admin", "Admin alice", 1, W, 17,
	 "Admin alice is also on a Jurist line: the control socket treats alice as a jurist"},
	{"admin also auditor", "Admin carol\nAuditor carol", 1, W, 18,
	 "Auditor carol is also on an Admin line: the control socket treats carol as an admin"},
	{"control socket dir of group postfix", "ControlSocket /run/locked/control.sock", 2, E, 8,
	 "Jurist alice cannot reach the socket: /run/locked is mode 0750, owner uid 110, "
	 "group gid 120"},
	{"control socket dir of the jurists' group", "ControlSocket /run/jurists/control.sock", 0,
	 W, 0, NULL},
	{"admin outside the jurists' group",
	 "ControlSocket /run/jurists/control.sock\nAdmin carol", 1, E, 8,
	 "Admin carol cannot reach the socket: /run/jurists is mode 0750"},
	{"control socket dir missing", "ControlSocket /run/nowhere/control.sock", 1, E, 8,
	 "ControlSocket: the directory /run/nowhere does not exist"},
	{"control socket path too long",
	 "ControlSocket /run/grondslag/0123456789012345678901234567890123456789012345678901234567"
	 "8901234567890123456789012345678901234567890123456789.sock", 1, E, 8,
	 "ControlSocket: the path is longer than a unix socket allows"},
	/* the milter socket */
	{"socket group missing", "SocketGroup mta", 1, E, 3, "SocketGroup: no such group \"mta\""},
	{"socket mode shuts out the group", "SocketMode 0600", 1, E, 4,
	 "SocketMode 0600 does not let group postfix read and write the socket"},
	{"socket mode not octal", "SocketMode 0689", 1, E, 4, "SocketMode \"0689\" is not an octal"},
	{"socket dir the MTA cannot search", "Socket unix:/run/private/milter.sock", 1, E, 2,
	 "Socket: the MTA (group postfix) cannot reach the socket: /run/private is mode 0700"},
	{"socket dir missing", "Socket unix:/run/none/milter.sock", 1, E, 2,
	 "Socket: the directory /run/none does not exist"},
	/* the daemon's user and its directories */
	{"no such daemon user", "UserID grondslog", 1, E, 5,
	 "UserID: no such user \"grondslog\""},
	{"database dir missing", "Database /var/lib/none/grondslag.db", 1, E, 6,
	 "Database: the directory /var/lib/none does not exist"},
	{"database dir not writable", "Database /var/lib/rootonly/grondslag.db", 1, E, 6,
	 "Database: the daemon's user (UserID) cannot write in /var/lib/rootonly"},
	{"spool not writable", "SpoolDirectory /var/lib/rootonly", 1, E, 7,
	 "SpoolDirectory: the daemon's user (UserID) cannot write in /var/lib/rootonly"},
	{"spool missing", "SpoolDirectory /var/spool/none", 1, E, 7,
	 "SpoolDirectory: the directory /var/spool/none does not exist"},
	{"pid file dir missing", "PidFile /run/none/milter.pid", 1, E, 11,
	 "PidFile: the directory /run/none does not exist"},
	{"metrics dir not writable", "MetricsFile /var/lib/rootonly/m.prom", 1, W, 17,
	 "MetricsFile: the daemon's user (UserID) cannot write in /var/lib/rootonly"},
	{"metrics file in the daemon's dir", "MetricsFile /var/lib/grondslag/m.prom", 0, W, 0, NULL},
	{"registry the daemon cannot read again", "Registry /etc/grondslag/secret.yaml", 1, W, 1,
	 "Registry /etc/grondslag/secret.yaml: the daemon's user (UserID) cannot read it: "
	 "/etc/grondslag/secret.yaml is mode 0600, owner uid 0"},
	{"registry in a closed directory", "Registry /etc/private/registry.yaml", 1, W, 1,
	 "cannot read it: /etc/private is mode 0700"},
	{"signing home missing",
	 "AuditSigningKey 0123456789ABCDEF0123456789ABCDEF01234567\nAuditGnupgHome /var/lib/none",
	 1, E, 18, "AuditGnupgHome: the directory /var/lib/none does not exist"},
	{"signing home of root",
	 "AuditSigningKey 0123456789ABCDEF0123456789ABCDEF01234567\nAuditGnupgHome /var/lib/rootonly",
	 1, E, 18, "AuditGnupgHome: the daemon's user (UserID) cannot write in /var/lib/rootonly"},
	{"signing home of the daemon",
	 "AuditSigningKey 0123456789ABCDEF0123456789ABCDEF01234567\n"
	 "AuditGnupgHome /var/lib/grondslag/audit-gnupg", 0, W, 0, NULL},
	{"a home without a key is not looked at", "AuditGnupgHome /var/lib/none", 0, W, 0, NULL},
	{"escrow home missing",
	 "EscrowKey 0123456789ABCDEF0123456789ABCDEF01234567\nEscrowGnupgHome /var/lib/none",
	 1, E, 18, "EscrowGnupgHome: the directory /var/lib/none does not exist"},
	{"escrow home of root",
	 "EscrowKey 0123456789ABCDEF0123456789ABCDEF01234567\nEscrowGnupgHome /var/lib/rootonly",
	 1, E, 18, "EscrowGnupgHome: the daemon's user (UserID) cannot write in /var/lib/rootonly"},
	{"an escrow home without a key is not looked at", "EscrowGnupgHome /var/lib/none", 0, W, 0,
	 NULL},
	/* relays and other gaps */
	{"release relay empty", "ReleaseRelay", 1, W, 13,
	 "ReleaseRelay is empty: approved holds are never sent"},
	{"release relay without port", "ReleaseRelay mail.example.org", 1, E, 13,
	 "ReleaseRelay \"mail.example.org\" is not HOST:PORT"},
	{"notice relay empty", "NoticeRelay", 1, W, 14,
	 "NoticeRelay is empty: the notices to senders and jurists"},
	{"notice relay without port", "NoticeRelay [::1]", 1, E, 14,
	 "NoticeRelay \"[::1]\" is not HOST:PORT"},
	{"pdftotext missing", "PdfToText /usr/bin/pdf2text", 1, W, 16,
	 "PdfToText /usr/bin/pdf2text is not an executable file"},
	{"pdftotext not executable", "PdfToText /usr/bin/README", 1, W, 16,
	 "PdfToText /usr/bin/README is not an executable file"},
	{"decision date fixed", "DecisionDate 2024-01-10", 1, W, 17,
	 "DecisionDate 2024-01-10 fixes the day of every decision"},
	{"digest from the first day", "ExpiryWarning 14", 1, W, 17,
	 "ExpiryWarning 14 is not below HoldExpiry 14"},
	{"no digest at all is fine", "ExpiryWarning 0", 0, W, 0, NULL},
	{"nothing counts as outgoing", "InternalHosts", 1, W, 15,
	 "InternalHosts and InternalDomains are both empty"},
	{"internal domains only", "InternalHosts\nInternalDomains example.org", 0, W, 0, NULL},
	/* senders and the console's link */
	{"a sender needs no system login", "Sender ghost ghost@example.org", 0, W, 0, NULL},
	{"a sender who is a jurist", "Sender alice alice@example.org", 1, W, 17,
	 "Sender alice is also on a Jurist line: the control socket treats alice as that role "
	 "only"},
	{"the console's URL", "WebBaseURL https://grondslag.example.org:8443/web", 0, W, 0, NULL},
	{"a console URL of another scheme", "WebBaseURL ftp://grondslag.example.org", 1, E, 17,
	 "WebBaseURL \"ftp://grondslag.example.org\" is not an http:// or https:// URL"},
	{"a console URL with a blank", "WebBaseURL https://grondslag.example.org/a b", 1, E, 17,
	 "is not an http:// or https:// URL"},
	{"a console URL without a host", "WebBaseURL https://", 1, E, 17,
	 "is not an http:// or https:// URL"},
};

static void test_rows(void **state)
{
	(void)state;
	char path[128], err[2048];
	snprintf(path, sizeof path, "%s/g.conf", dir);
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		const struct row *r = &rows[i];
		write_conf(path, r->edits);
		struct config *c = config_load(path, err, sizeof err);
		if (c == NULL)
			fail_msg("%s: config_load: %s", r->name, err);
		struct confcheck_finding f[16];
		size_t n = confcheck_run(c, &fake, f, 16);
		if (n != r->nwant) {
			char all[4096] = "";
			for (size_t k = 0; k < n && k < 16; k++)
				snprintf(all + strlen(all), sizeof all - strlen(all), "\n  %u %s",
					 f[k].line, f[k].text);
			fail_msg("%s: got %zu findings, want %zu:%s", r->name, n, r->nwant, all);
		}
		bool found = r->nwant == 0;
		for (size_t k = 0; k < n && k < 16 && !found; k++)
			found = f[k].severity == r->sev && f[k].line == r->line &&
				strstr(f[k].text, r->want) != NULL;
		if (!found)
			fail_msg("%s: no %s at line %u containing \"%s\"; first: %u \"%s\"", r->name,
				 confcheck_severity_name(r->sev), r->line, r->want, f[0].line, f[0].text);
		config_free(c);
	}
}

/* The configuration file itself is read again as UserID at a reload. */
static void test_config_file_mode(void **state)
{
	(void)state;
	static const struct {
		mode_t mode;
		size_t nwant;
	} modes[] = {{0644, 0}, {0600, 1}, {0640, 1}, {0604, 0}};
	char path[128], err[512];
	snprintf(path, sizeof path, "%s/g.conf", dir);
	write_conf(path, "");
	struct config *c = config_load(path, err, sizeof err);
	assert_non_null(c);
	for (size_t i = 0; i < ARRAY_LEN(modes); i++) {
		char name[32];
		snprintf(name, sizeof name, "mode %04o", (unsigned)modes[i].mode);
		conf_mode = modes[i].mode;
		struct confcheck_finding f[4];
		size_t n = confcheck_run(c, &fake, f, 4);
		assert_int_eq_msg(name, n, modes[i].nwant);
		if (n > 0 && (f[0].severity != CONFCHECK_WARNING || f[0].line != 0 ||
			      strstr(f[0].text, "the configuration ") != f[0].text ||
			      strstr(f[0].text, "cannot read it") == NULL))
			fail_msg("%s: got %u \"%s\"", name, f[0].line, f[0].text);
	}
	conf_mode = 0644;
	config_free(c);
}

/* The line -n prints: file:line: severity: text; no line for a default. */
static void test_format(void **state)
{
	(void)state;
	char path[128], err[512], line[1024];
	snprintf(path, sizeof path, "%s/g.conf", dir);
	write_conf(path, "ReleaseRelay");
	struct config *c = config_load(path, err, sizeof err);
	assert_non_null(c);
	struct confcheck_finding f[4];
	assert_int_equal(confcheck_run(c, &fake, f, 4), 1);
	confcheck_format(c, &f[0], line, sizeof line);
	char want[256];
	snprintf(want, sizeof want, "%s:13: warning: ReleaseRelay is empty: ", path);
	if (strncmp(line, want, strlen(want)) != 0)
		fail_msg("got \"%s\", want it to start \"%s\"", line, want);
	config_free(c);

	c = config_defaults();
	assert_non_null(c);
	size_t n = confcheck_run(c, &fake, f, 4);
	assert_true(n >= 1);
	confcheck_format(c, &f[0], line, sizeof line);
	assert_int_equal(strncmp(line, "(defaults): ", 12), 0);
	/* more findings than room: counted, never written past max */
	assert_int_equal(confcheck_run(c, &fake, f, 0), n);
	config_free(c);
}

/* config_list_line(): each value of a LIST keeps its own line. */
static void test_list_lines(void **state)
{
	(void)state;
	char path[128], err[512];
	snprintf(path, sizeof path, "%s/g.conf", dir);
	write_conf(path, "+Jurist carol carol@example.org");
	struct config *c = config_load(path, err, sizeof err);
	assert_non_null(c);
	assert_int_equal(config_list_count(c, CONF_JURIST), 3);
	assert_int_equal(config_list_line(c, CONF_JURIST, 0), 9);
	assert_int_equal(config_list_line(c, CONF_JURIST, 1), 10);
	assert_int_equal(config_list_line(c, CONF_JURIST, 2), 17);
	assert_int_equal(config_list_line(c, CONF_JURIST, 3), 0);
	assert_int_equal(config_line(c, CONF_RELEASE_APPROVALS), 12);
	assert_int_equal(config_line(c, CONF_HOLD_EXPIRY), 0);
	config_free(c);
}

/* The real system: root exists, a made-up login does not, and a
 * directory of ours is judged by its real mode. */
static void test_system(void **state)
{
	(void)state;
	const struct confcheck_sys *sys = confcheck_system();
	struct confcheck_user u;
	struct confcheck_stat st;
	assert_int_equal(sys->user(sys->arg, "root", &u), 0);
	assert_int_equal(u.uid, 0);
	assert_int_equal(sys->user(sys->arg, "no-such-login-grondslag", &u), -1);
	assert_int_equal(sys->stat(sys->arg, dir, &st), 0);
	assert_true(S_ISDIR(st.mode));
	assert_int_equal(st.mode & 0777, 0700);	/* mkdtemp */
	assert_int_equal(sys->stat(sys->arg, "/nonexistent/x", &st), -1);
	gid_t g;
	assert_int_equal(sys->group(sys->arg, "root", &g), 0);
	assert_int_equal(g, 0);
}

static int setup(void **state)
{
	(void)state;
	return fixture_dir_make("confcheck");
}

static int teardown(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_config_file_mode),
		cmocka_unit_test(test_list_lines),
		cmocka_unit_test(test_system),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
