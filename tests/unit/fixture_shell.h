/*
 * fixture_shell.h - run a shell command from a test's set-up (making
 * GnuPG keys, signing files) and fail the test when it fails.  Include
 * after testutil.h.
 */
#ifndef GRONDSLAG_FIXTURE_SHELL_H
#define GRONDSLAG_FIXTURE_SHELL_H

#include <stdarg.h>
#include <stdlib.h>

/* Run the printf-formatted command; fail the test on a non-zero exit. */
static void __attribute__((format(printf, 1, 2))) fixture_run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	if (rc != 0)
		fail_msg("command failed (%d): %s", rc, cmd);
}

#endif
