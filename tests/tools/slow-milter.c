/*
 * slow-milter.c - a test instrument for tests/e2e/release-cases.sh: a
 * libmilter filter that answers "continue" to everything, but at the end
 * of a message waits while the file HOLDFILE exists (at most 120 s).
 * Placed after grondslag-milter in the MTA's milter list, it keeps the
 * MTA from answering the released copy's final "." until the test has
 * killed grondslag's daemon: the daemon dies between the milter marking
 * the release token used and the releaser seeing the relay's 250.
 *
 *   slow-milter unix:/path/slow.sock HOLDFILE
 */
#include <stdio.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

static const char *holdfile;

/* Wait while the hold file exists, then let the message go on. */
static sfsistat slow_eom(SMFICTX *ctx)
{
	(void)ctx;
	for (int i = 0; i < 1200 && access(holdfile, F_OK) == 0; i++)
		usleep(100000);
	return SMFIS_CONTINUE;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: slow-milter SOCKET HOLDFILE\n");
		return 2;
	}
	holdfile = argv[2];
	struct smfiDesc d = {.xxfi_name = "slow", .xxfi_version = SMFI_VERSION,
			     .xxfi_eom = slow_eom};
	if (smfi_setconn(argv[1]) != MI_SUCCESS || smfi_register(d) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "slow-milter: cannot listen on %s\n", argv[1]);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
