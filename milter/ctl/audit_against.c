/*
 * audit_against.c - grondslag audit verify --against FILE: the chain
 * checked against the checkpoints that left the host (anchor.h): the
 * mails AuditAnchorMail received (a mailbox, saved .eml files joined) or
 * the lines a remote syslog wrote.  Every checkpoint line found must
 * name a record of the chain with exactly its hash: a record named but
 * gone means records were deleted, another hash means the chain was
 * rewritten, which no re-hashing on the host can hide once the line has
 * left.  Signed lines are also checked against the trusted keys (when
 * any are given); unsigned ones count by where they were kept.
 *
 * Public function: audit_verify_against().
 * Limits: FILE up to AGAINST_FILE_MAX bytes; AUDITSIG_CHECK_MAX lines.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_against.h"
#include "ctl.h"
#include "grondslag/store/anchor.h"
#include "grondslag/base/json.h"

#define AGAINST_FILE_MAX (1024L * 1024 * 1024)

/* One line found, and what became of it. */
struct against_entry {
	struct anchor_found f;
	bool good;			/* matches the chain (and its signature) */
	bool checked;			/* its record was seen in the chain */
	char why[240];
};

struct against {
	struct against_entry *e;
	size_t n, cap;
	bool overflow;
	size_t next;			/* pass 2: first entry not yet reached */
	struct audit_verify *chain;
};

/* anchor_scan() callback: keep the line. */
static int collect(void *arg, const struct anchor_found *f)
{
	struct against *a = arg;
	if (a->n == AUDITSIG_CHECK_MAX) {
		a->overflow = true;
		return 1;
	}
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		struct against_entry *e = realloc(a->e, cap * sizeof *e);
		if (e == NULL) {
			a->overflow = true;
			return 1;
		}
		a->e = e;
		a->cap = cap;
	}
	struct against_entry *x = &a->e[a->n++];
	memset(x, 0, sizeof *x);
	x->f = *f;
	if (!f->ok)
		snprintf(x->why, sizeof x->why, "not a checkpoint line: %s", f->why);
	return 0;
}

/* By seq (malformed first), then line. */
static int by_seq(const void *pa, const void *pb)
{
	const struct against_entry *a = pa, *b = pb;
	int64_t sa = a->f.ok ? a->f.cp.seq : 0, sb = b->f.ok ? b->f.cp.seq : 0;
	if (sa != sb)
		return sa < sb ? -1 : 1;
	return a->f.line < b->f.line ? -1 : a->f.line > b->f.line;
}

/* Per record: the chain check, and the lines naming this record. */
static int row(void *arg, const struct audit_record *r)
{
	struct against *a = arg;
	audit_verify_row(a->chain, r);
	while (a->next < a->n && (!a->e[a->next].f.ok || a->e[a->next].f.cp.seq <= r->seq)) {
		struct against_entry *x = &a->e[a->next++];
		if (!x->f.ok)
			continue;
		x->checked = true;
		char why[160] = "";
		if (x->f.cp.seq < r->seq)
			snprintf(why, sizeof why, "record %" PRId64 " is gone from the chain "
				 "(records deleted)", x->f.cp.seq);
		else if (strcmp(x->f.cp.hash, r->hash) != 0)
			snprintf(why, sizeof why, "record %" PRId64 " has another hash than when the "
				 "checkpoint left: the chain was rewritten", x->f.cp.seq);
		x->good = why[0] == '\0' && x->why[0] == '\0';
		/* after a signature problem, if any: both are told */
		if (why[0] != '\0') {
			size_t n = strlen(x->why);
			snprintf(x->why + n, sizeof x->why - n, "%s%s", n ? "; " : "", why);
		}
	}
	return 0;
}

/* Read all of path (bounded); NULL + message printed. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	if (f == NULL) {
		fprintf(stderr, "grondslag: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while (buf != NULL && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = cap < (size_t)AGAINST_FILE_MAX ? realloc(buf, cap * 2) : NULL;
			if (nb == NULL) {
				free(buf);
				buf = NULL;
				fprintf(stderr, "grondslag: %s: too large or out of memory\n", path);
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (buf != NULL && ferror(f)) {
		fprintf(stderr, "grondslag: %s: read error\n", path);
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Check the signature of every signed line (when keys are given). */
static void check_signatures(struct against *a, const struct against_keys *k, size_t *nsigned)
{
	for (size_t i = 0; i < a->n; i++) {
		struct against_entry *x = &a->e[i];
		if (!x->f.ok || !x->f.is_signed)
			continue;
		(*nsigned)++;
		if (k->nkeys == 0)
			continue;
		char err[200] = "";
		enum regsig_status st = auditsig_verify(&x->f.cp, k->home, k->keys, k->nkeys, err,
							sizeof err);
		if (st != REGSIG_OK && st != REGSIG_EXPIRED)
			snprintf(x->why, sizeof x->why, "signature %s: %.180s",
				 regsig_status_name(st), err);
	}
}

/* The report, as text or JSON. */
static void print(const struct against *a, const char *file, bool chain_ok, int64_t records,
		  int64_t bad_seq, const char *why, const char *head, size_t good, size_t nsigned,
		  size_t nkeys, int64_t anchored, bool json)
{
	if (json) {
		struct json *j = json_new(stdout, false);
		json_obj_begin(j);
		json_key(j, "intact");
		json_bool(j, chain_ok && a->n > 0 && good == a->n);
		json_key(j, "chain_intact");
		json_bool(j, chain_ok);
		json_key(j, "records");
		json_int(j, records);
		json_key(j, "head");
		json_str(j, head);
		json_key(j, "against");
		json_str(j, file);
		json_key(j, "found");
		json_uint(j, a->n);
		json_key(j, "good");
		json_uint(j, good);
		json_key(j, "anchored_seq");
		json_int(j, anchored);
		json_key(j, "problems");
		json_arr_begin(j);
		for (size_t i = 0; i < a->n; i++) {
			if (a->e[i].good)
				continue;
			json_obj_begin(j);
			json_key(j, "line");
			json_int(j, a->e[i].f.line);
			json_key(j, "seq");
			json_int(j, a->e[i].f.ok ? a->e[i].f.cp.seq : 0);
			json_key(j, "why");
			json_str(j, a->e[i].why);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_obj_end(j);
		json_free(j);
		fputc('\n', stdout);
		return;
	}
	if (chain_ok)
		printf("audit chain intact: %" PRId64 " records, head %s\n", records, head);
	else
		printf("audit chain BROKEN at record %" PRId64 ": %s\n", bad_seq, why);
	for (size_t i = 0; i < a->n; i++)
		if (!a->e[i].good)
			printf("checkpoint BAD (%s line %" PRId64 "): %s\n", file, a->e[i].f.line,
			       a->e[i].why);
	if (a->n == 0) {
		printf("checkpoints received: NONE in %s: nothing to check against\n", file);
		return;
	}
	printf("checkpoints received: %zu good of %zu in %s (%zu signed%s)\n", good, a->n, file,
	       nsigned, nsigned > 0 && nkeys == 0 ? ", signatures not checked: no key" : "");
	if (anchored > 0)
		printf("the last good one anchors record %" PRId64 " of %" PRId64 "\n", anchored,
		       records);
}

int audit_verify_against(const struct ctl_chain *ch, const char *file, const struct against_keys *k,
			 bool json)
{
	size_t len = 0;
	char *text = read_all(file, &len);
	if (text == NULL)
		return -1;
	struct against a = {.chain = audit_verify_new()};
	anchor_scan(text, len, collect, &a);
	free(text);
	if (a.overflow || a.chain == NULL) {
		fprintf(stderr, "grondslag: %s: more than %u checkpoint lines, or out of memory\n",
			file, AUDITSIG_CHECK_MAX);
		free(a.e);
		audit_verify_free(a.chain);
		return -1;
	}
	if (a.n > 0)
		qsort(a.e, a.n, sizeof *a.e, by_seq);
	size_t nsigned = 0, good = 0;
	check_signatures(&a, k, &nsigned);
	if (ctl_chain_scan(ch, INT64_MIN, row, &a) != 0) {
		fprintf(stderr, "grondslag: cannot read the audit records\n");
		free(a.e);
		audit_verify_free(a.chain);
		return -1;
	}
	int64_t records = 0, bad_seq = 0, anchored = 0;
	const char *why = "", *head = "";
	bool chain_ok = audit_verify_result(a.chain, &records, &bad_seq, &why, &head);
	for (size_t i = 0; i < a.n; i++) {
		struct against_entry *x = &a.e[i];
		if (x->f.ok && !x->checked)
			snprintf(x->why, sizeof x->why, "record %" PRId64 " is not in the chain (it "
				 "ends at %" PRId64 "): records deleted", x->f.cp.seq, records);
		good += x->good;
		if (x->good && x->f.cp.seq > anchored)
			anchored = x->f.cp.seq;
	}
	print(&a, file, chain_ok, records, bad_seq, why, head, good, nsigned, k->nkeys, anchored,
	      json);
	bool ok = chain_ok && a.n > 0 && good == a.n;
	free(a.e);
	audit_verify_free(a.chain);
	return ok ? 0 : 1;
}
