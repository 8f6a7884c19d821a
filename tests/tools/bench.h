/*
 * bench.h - what the GnuPG benches (seal-bench, escrow-bench) share: the
 * clock, the timing loop, their arguments and directory, and the shell
 * that makes a key for the run.  Header-only: each tool is one program.
 */
#ifndef GRONDSLAG_BENCH_H
#define GRONDSLAG_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* The start of the shell of a run: $G is gpg on the home %s, unattended. */
#define BENCH_GPG "G='gpg --homedir %s --batch --quiet --pinentry-mode loopback --passphrase='; "
/* Shell: key 'NAME <EMAIL>' (never expiring) with an encryption subkey in
 * $G's home, its fingerprint in shell variable VAR. */
#define BENCH_GPG_KEY(name, email, var)                                                        \
	"$G --quick-gen-key '" name " <" email ">' ed25519 cert never 2>/dev/null && " var    \
	"=$($G --with-colons --list-keys " email " | awk -F: '/^fpr/{print $10; exit}') && "   \
	"$G --quick-add-key $" var " cv25519 encr never 2>/dev/null"

static double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Milliseconds per round of fn(arg) over rounds rounds; -1 when a round
 * failed (fn non-zero: it said why). */
static double bench_ms(unsigned rounds, int (*fn)(void *arg), void *arg)
{
	double t0 = bench_now();
	for (unsigned i = 0; i < rounds; i++)
		if (fn(arg) != 0)
			return -1;
	return (bench_now() - t0) / (rounds ? rounds : 1) * 1e3;
}

/* SIZE_KB and ROUNDS from the command line (defaults kb, rounds), and
 * the run's directory from template dir (mkdtemp).  0, or -1. */
static int bench_start(int argc, char **argv, unsigned *kb, unsigned *rounds, char *dir)
{
	if (argc > 1)
		*kb = (unsigned)atoi(argv[1]);
	if (argc > 2)
		*rounds = (unsigned)atoi(argv[2]);
	return mkdtemp(dir) != NULL ? 0 : -1;
}

/* Stop the gpg-agent of the run's home and remove it. */
static void bench_cleanup(const char *dir, const char *tool)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "gpgconf --homedir %s --kill gpg-agent; rm -rf %s", dir, dir);
	if (system(cmd) != 0)
		fprintf(stderr, "%s: cleanup failed\n", tool);
}

#endif
