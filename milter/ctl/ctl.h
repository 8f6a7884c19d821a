/*
 * ctl.h - shared pieces of the grondslag command-line tool: the command
 * table entry type, file loading and the common set-up of configuration
 * and geo data.  Each command lives in its own cmd_*.c.
 */
#ifndef GRONDSLAG_CTL_H
#define GRONDSLAG_CTL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
	bool prefaulting;	/* a thread maps the pages ahead of the reader */
	pthread_t prefault;
};

/* 0, or -1 with a message on stderr naming the file. */
int ctl_file_read(const char *path, struct ctl_file *out);
void ctl_file_release(struct ctl_file *f);

/* Load the configuration (path NULL = embedded defaults); prints errors. */
struct config *ctl_config(const char *path);
/* The installed configuration, read when no -c names one. */
#define CTL_DEFAULT_CONFIG "/etc/grondslag/grondslag.conf"
/* ctl_config(path), or of CTL_DEFAULT_CONFIG when path is NULL and that
 * file is readable (else the embedded defaults). */
struct config *ctl_config_or_default(const char *path);
/* Open the geo databases the configuration names; prints errors. */
struct geo *ctl_geo(const struct config *c, bool *failed);

/* ctl_client.c: the daemon's control socket.  Send req, the answer
 * (malloc'ed, NUL-terminated) or NULL (printed). */
char *ctl_exchange(const char *path, const char *req, size_t len, size_t *alen);
/* Which way a read of the record goes: the socket path to use, or NULL
 * for the store file (see ctl_client.c). */
const char *ctl_read_via(const struct config *c, const char *database, const char *socket);
/* One request; the parsed answer when its status is ok, else NULL with
 * the daemon's reason printed ("grondslag WHAT: refused: ..."). */
struct jsonr_doc;
struct jsonr_doc *ctl_ask(const char *path, const char *req, size_t len, const char *what);
/* The records with at >= since, page by page, as store_audit_scan()
 * hands them: 0, or -1 (printed). */
struct audit_record;
int ctl_audit_scan_socket(const char *path, int64_t since,
			  int (*cb)(void *arg, const struct audit_record *r), void *arg);
/* The audit chain, read from the store file or through the socket. */
struct store;
struct ctl_chain {
	struct store *store;		/* NULL: through socket */
	char *socket;
};
/* Open the chain the way ctl_read_via() says (database, socket: the
 * options, NULL when not given); false (printed) when it cannot be. */
bool ctl_chain_open(struct ctl_chain *ch, const struct config *c, const char *database,
		    const char *socket);
void ctl_chain_close(struct ctl_chain *ch);
/* store_audit_scan() of either: 0, or -1. */
int ctl_chain_scan(const struct ctl_chain *ch, int64_t since,
		   int (*cb)(void *arg, const struct audit_record *r), void *arg);
/* The daemon's checkpoint file as a temporary file to read from the
 * start (*missing: it has none), or NULL (printed). */
FILE *ctl_checkpoints_socket(const char *path, bool *missing);

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
