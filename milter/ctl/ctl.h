/*
 * ctl.h - shared pieces of the grondslag command-line tool: the command
 * table entry type, file loading and the common set-up of configuration
 * and geo data.  Each command lives in its own cmd_*.c.
 */
#ifndef GRONDSLAG_CTL_H
#define GRONDSLAG_CTL_H

#include <stdbool.h>
#include <stddef.h>

#include "grondslag/config/config.h"
#include "grondslag/scan/geo.h"

/* Exit codes shared by all commands. */
enum { CTL_OK = 0, CTL_HELD = 1, CTL_ERROR = 2 };

struct ctl_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *help;
};

/* A whole file in memory (mapped when possible). */
struct ctl_file {
	char *data;
	size_t len;
	bool mapped;
};

/* 0, or -1 with a message on stderr naming the file. */
int ctl_file_read(const char *path, struct ctl_file *out);
void ctl_file_release(struct ctl_file *f);

/* Load the configuration (path NULL = embedded defaults); prints errors. */
struct config *ctl_config(const char *path);
/* Open the geo databases the configuration names; prints errors. */
struct geo *ctl_geo(const struct config *c, bool *failed);

int cmd_scan(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_registry(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_report(int argc, char **argv);	/* cmd_report.c (reports) */
int cmd_stats(int argc, char **argv);
int cmd_jurist(int argc, char **argv);	/* cmd_jurist.c: held, show, approve, deny */
int cmd_store(int argc, char **argv);	/* cmd_store.c: store init */


#endif
