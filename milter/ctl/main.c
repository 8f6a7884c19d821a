/*
 * main.c - the grondslag command-line tool: one table of commands (as
 * smtpctl does), each in its own file.  Exit codes: 0 ok, 1 held (check),
 * 2 error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "grondslag/base/version.h"

static const struct ctl_command commands[] = {
	{"scan", cmd_scan, "scan [-c CONFIG] [--json] FILE...",
	 "Scan messages and print the addresses, markers and unreadable parts found."},
	{"check", cmd_check,
	 "check [-c CONFIG] [--registry FILE] [--date D] --from ADDR --to ADDR... [--json] MESSAGE",
	 "Decide for each recipient whether the message may go (exit 0), or is held (1)."},
	{"registry", cmd_registry, "registry check|lookup|verify|import-ti ...",
	 "Validate the registry, look up a recipient, verify its signature, import parties."},
	{"config", cmd_config, "config [-c CONFIG] [dump|sample|man]",
	 "Check the configuration and print it (or the documented defaults)."},
	{"report", cmd_report,
	 "report [-c CONFIG] [--database FILE | --socket PATH] [--since D] [--until D]"
	 " [--party P] [--basis B] [--sender S] [--sender-names] [--no-compare] [--lang en|nl]"
	 " [--format text|csv|json|html] [-o FILE]",
	 "What was shared and held, per party, basis and category (the store, or the daemon)."},
	{"stats", cmd_stats, "stats [-c CONFIG] [--database FILE | --socket PATH] [--prometheus]"
	 " [-o FILE]",
	 "Counts of holds and decisions (the store, or the daemon)."},
	{"store", cmd_store, "store init|migrate [-c CONFIG] [--database FILE|CONNINFO] |"
	 " store migrate --from FILE --to CONNINFO",
	 "Create a new, empty store (never overwrites one; the daemon never creates it), migrate a PostgreSQL store to this version, or move an SQLite store into PostgreSQL."},
	{"audit", cmd_audit,
	 "audit verify|export [-c CONFIG] [--database FILE | --socket PATH] [--since D]"
	 " [--format jsonl|csv]",
	 "Verify the tamper-evident record of decisions, or export it for the DPO."},
	{"held", cmd_jurist,
	 "held [-c CONFIG] [--socket PATH] [--since D] [--party P] [--sender S] [--reason CODE] [--json]",
	 "Held messages waiting for a decision (asks the daemon over ControlSocket)."},
	{"show", cmd_jurist, "show REF [--content] [-c CONFIG] [--socket PATH] [--json]",
	 "One hold: decision, findings by part, approvals; --content (jurists, recorded)."},
	{"approve", cmd_jurist,
	 "approve REF --reason TEXT [--basis ID] [--rcpt ADDR]... | approve --all-matching"
	 " FILTERS --reason TEXT [--basis ID] [--dry-run|--yes]",
	 "Approve a hold (all or some recipients); ReleaseApprovals jurists release it."},
	{"deny", cmd_jurist,
	 "deny REF --reason TEXT [--rcpt ADDR]... | deny --all-matching FILTERS --reason TEXT"
	 " [--dry-run|--yes]",
	 "Deny a hold (all or some recipients) for good; the sender is told why."},
	{"release-resolve", cmd_jurist,
	 "release-resolve REF --delivered|--resend --reason TEXT [-c CONFIG] [--socket PATH] [--json]",
	 "Admins: settle a release left unknown, unconfirmed or duplicate, from the MTA's log."},
	{"claim", cmd_jurist, "claim REF [--take-over] [-c CONFIG] [--socket PATH] [--json]",
	 "Jurists: take the case of a hold (--take-over: from the colleague holding it)."},
	{"handover", cmd_jurist, "handover REF LOGIN --note TEXT [-c CONFIG] [--socket PATH] [--json]",
	 "Jurists: hand the case to a colleague (a Jurist login), with a note."},
	{"comment", cmd_jurist, "comment REF --text TEXT [-c CONFIG] [--socket PATH] [--json]",
	 "Jurists: comment on a hold without deciding (answers advice asked of you)."},
	{"advice", cmd_jurist,
	 "advice REF LOGIN --question TEXT [-c CONFIG] [--socket PATH] [--json]",
	 "Jurists: ask a colleague (a Jurist login) for advice on a hold."},
	{"urgent", cmd_jurist, "urgent REF --text TEXT [-c CONFIG] [--socket PATH] [--json]",
	 "Senders: ask the jurists for an urgent review of a hold of your own mail, saying why "
	 "(once per hold; the jurists are told by mail)."},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* Top-level help. */
static void usage(FILE *out)
{
	fprintf(out, "usage: grondslag COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-56s\n      %s\n", commands[i].usage, commands[i].help);
}

/* Options that may stand before the command as well as after it
 * (grondslag -c CONF held): the ones that take a value, then flags. */
static const char *const global_valued[] = {"-c", "--socket", "--database", NULL};
static const char *const global_flags[] = {"--json", NULL};

static bool in_list(const char *a, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(a, *list) == 0)
			return true;
	return false;
}

/* The arguments of the command at argv[first]: its name, its own
 * arguments, then the global options that came before it (every
 * command reads its options after its positional arguments too). */
static char **command_args(int argc, char **argv, int first, int *n)
{
	char **v = calloc((size_t)argc + 1, sizeof *v);
	if (v == NULL)
		return NULL;
	int k = 0;
	for (int i = first; i < argc; i++)
		v[k++] = argv[i];
	for (int i = 1; i < first; i++)
		v[k++] = argv[i];
	*n = k;
	return v;
}

int main(int argc, char **argv)
{
	int first = 1;
	while (first < argc) {
		if (in_list(argv[first], global_valued) && first + 1 < argc)
			first += 2;
		else if (in_list(argv[first], global_flags))
			first++;
		else
			break;
	}
	if (first >= argc) {
		usage(stderr);
		return CTL_ERROR;
	}
	const char *name = argv[first];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
		usage(stdout);
		return CTL_OK;
	}
	if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
		printf("grondslag %s\n", GRONDSLAG_VERSION);
		return CTL_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(name, commands[i].name) != 0)
			continue;
		/* --help of a command: its usage, never an error */
		if (first + 1 < argc &&
		    (strcmp(argv[first + 1], "--help") == 0 || strcmp(argv[first + 1], "-h") == 0)) {
			printf("usage: grondslag %s\n  %s\n", commands[i].usage, commands[i].help);
			return CTL_OK;
		}
		int n;
		char **v = command_args(argc, argv, first, &n);
		if (v == NULL) {
			fprintf(stderr, "grondslag: out of memory\n");
			return CTL_ERROR;
		}
		int rc = commands[i].run(n, v);
		free(v);
		return rc;
	}
	fprintf(stderr, "grondslag: unknown command \"%.64s\"\n", name);
	usage(stderr);
	return CTL_ERROR;
}
