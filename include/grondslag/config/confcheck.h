/*
 * confcheck.h - settings that parse but cannot work together with this
 * system: a Jurist whose login does not exist, fewer jurists than
 * ReleaseApprovals, a ControlSocket the jurists cannot reach, a directory
 * the daemon's user cannot write, an empty relay.  grondslag-milter -n
 * prints every finding as "file:line: error|warning: text" (the line of
 * the setting that causes it) and fails on an error; the daemon refuses
 * to start on one too.
 *
 * The checks ask the system through struct confcheck_sys (users, groups,
 * stat), so the tests give them a system of their own; the daemon uses
 * confcheck_system() (getpwnam, getgrouplist, stat).
 *
 * Public functions:
 *   confcheck_system()   the real system
 *   confcheck_run()      every finding about a loaded configuration
 *   confcheck_format()   one finding as the line -n prints
 *   confcheck_severity_name()
 *   confcheck_url_ok()   can a notice carry this console URL (WebBaseURL)?
 * Limits: CONFCHECK_GROUPS_MAX groups per user are looked at; a finding's
 * text is cut at CONFCHECK_TEXT_MAX bytes.
 */
#ifndef GRONDSLAG_CONFCHECK_H
#define GRONDSLAG_CONFCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "grondslag/config/config.h"

#define CONFCHECK_GROUPS_MAX 64
#define CONFCHECK_TEXT_MAX 400
#define CONFCHECK_URL_MAX 200

enum confcheck_severity {
	CONFCHECK_WARNING,	/* works, but leaves a gap the operator should know */
	CONFCHECK_ERROR		/* cannot work: -n fails, the daemon does not start */
};

/* A user as the kernel sees it: uid, primary and supplementary groups. */
struct confcheck_user {
	uid_t uid;
	gid_t gid;
	gid_t groups[CONFCHECK_GROUPS_MAX];
	size_t ngroups;
};

struct confcheck_stat {
	mode_t mode;		/* type and permission bits, as st_mode */
	uid_t uid;
	gid_t gid;
};

struct confcheck_sys {
	/* 0 and *u; -1 when there is no such login.  name "": the user this
	 * process runs as (the daemon's user when UserID is empty). */
	int (*user)(void *arg, const char *name, struct confcheck_user *u);
	/* 0 and *gid; -1 when there is no such group. */
	int (*group)(void *arg, const char *name, gid_t *gid);
	/* 0 and *st (following symbolic links); -1 when path does not exist
	 * or cannot be looked at. */
	int (*stat)(void *arg, const char *path, struct confcheck_stat *st);
	void *arg;
};

struct confcheck_finding {
	enum confcheck_severity severity;
	unsigned line;		/* of the setting that causes it; 0: none given */
	char text[CONFCHECK_TEXT_MAX];
};

const struct confcheck_sys *confcheck_system(void);

/* Every finding about c on sys, in the order of the checks; at most max
 * are stored in out.  Returns the number found (may exceed max). */
size_t confcheck_run(const struct config *c, const struct confcheck_sys *sys,
		     struct confcheck_finding *out, size_t max);

/* "FILE:LINE: error: TEXT" (FILE: the config file, or "(defaults)"; no
 * ":LINE" for line 0) into buf. */
void confcheck_format(const struct config *c, const struct confcheck_finding *f, char *buf,
		      size_t len);
const char *confcheck_severity_name(enum confcheck_severity s);

/* Is url an http:// or https:// URL of at most CONFCHECK_URL_MAX bytes of
 * RFC 3986 characters (nothing that could end a line or a header)? */
bool confcheck_url_ok(const char *url);

#endif
