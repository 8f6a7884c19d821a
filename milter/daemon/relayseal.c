/*
 * relayseal.c - relay encryption for one message in the milter; see
 * relayseal.h.  The key check runs GPGME (a throwaway home per party,
 * seal_gpg.c) at most once per party and day for a snapshot (its
 * sealcache.h), and is remembered per message as well; the plan encrypts
 * once, for the one party of the delivered recipients, in the GnuPG
 * home the snapshot keeps for that party (the releaser too).
 *
 * Public functions: relayseal_begin(), relayseal_options(),
 * relayseal_plan(), relayseal_end(), relayseal_release().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grondslag/base/jsonr.h"
#include "grondslag/base/log.h"
#include "grondslag/daemon/relayseal.h"
#include "grondslag/decide/seal.h"
#include "grondslag/scan/scan.h"

static void add_edit(void *arg, const char *name, size_t namelen, int index);

void relayseal_begin(struct relayseal *rs, const struct snapshot *s, const char *data,
		     size_t len, const struct findings *f)
{
	const struct config *c = snapshot_config(s);
	memset(rs, 0, sizeof *rs);
	rs->relay_encrypts = config_bool(c, CONF_RELAY_ENCRYPT);
	rs->tmpdir = config_str(c, CONF_SPOOL_DIRECTORY);
	rs->keys = snapshot_seal_cache(s);
	rs->placeholder = config_str(c, CONF_ENCRYPTED_SUBJECT);
	/* already encrypted as a whole, and nothing readable found in it:
	 * layer one judges its readers.  Anything readable is wrapped again. */
	rs->on = !seal_as_is(data, len, f);
	/* the header edits the plan will apply, read once here: a message
	 * they cannot describe can never leave encrypted, so it is held
	 * (unsealable), never tempfailed until the MTA bounces it */
	rs->unsealable = seal_fields(data, len, add_edit, rs, &rs->subjects) != 0 || rs->edits_over;
}

/* The policy's question: can party p be encrypted to? (remembered) */
static bool usable(void *arg, const struct registry_party *p)
{
	struct relayseal *rs = arg;
	if (!rs->relay_encrypts || p == NULL || rs->unsealable)
		return false;
	for (size_t i = 0; i < rs->nmemo; i++)
		if (rs->memo[i].party == p)
			return rs->memo[i].usable;
	size_t n = 0;
	if (seal_cache_usable(rs->keys, p, rs->tmpdir, time(NULL), &n, rs->error,
			      sizeof rs->error) != 0) {
		/* an error is not "no key": the message is tempfailed */
		rs->failed = true;
		return true;
	}
	if (rs->nmemo < RELAYSEAL_PARTIES_MAX) {
		rs->memo[rs->nmemo].party = p;
		rs->memo[rs->nmemo++].usable = n > 0;
	}
	return n > 0;
}

void relayseal_options(struct relayseal *rs, struct policy_options *o)
{
	if (!rs->on)
		return;
	o->seal = usable;
	o->seal_arg = rs;
	/* not a key question: said as its own reason (RelayEncrypt no
	 * answers no key for every message first) */
	o->unsealable = rs->relay_encrypts && rs->unsealable;
}

static void add_edit(void *arg, const char *name, size_t namelen, int index)
{
	struct relayseal *rs = arg;
	if (rs->nedits >= RELAYSEAL_EDITS_MAX || namelen >= RELAYSEAL_NAME_MAX) {
		rs->edits_over = true;
		return;
	}
	memcpy(rs->edits[rs->nedits].name, name, namelen);
	rs->edits[rs->nedits].name[namelen] = '\0';
	rs->edits[rs->nedits++].index = index;
}

/* The one party every delivered recipient's copy is encrypted to, or
 * NULL; -1 when delivered recipients of two parties, or of a party and
 * none, would share the copy (the RCPT split prevents it: fail closed). */
static int seal_party(const struct gate_result *g, const struct registry_party **out)
{
	bool any = false, plain = false;
	const struct registry_party *p = NULL;
	*out = NULL;
	for (size_t i = 0; i < gate_rcpt_count(g); i++) {
		if (gate_rcpt_held(g, i))
			continue;
		const struct decision *d = gate_decision(g, i);
		const struct registry_party *dp = d != NULL ? decision_party(d) : NULL;
		if (seal_needed(d)) {
			if (any && dp != p)
				return -1;
			any = true;
			p = dp;
		}
	}
	if (!any)
		return 0;
	/* a recipient delivered without the need shares the copy: fine when
	 * it is of the same party (it is encrypted to its own keys too) */
	for (size_t i = 0; i < gate_rcpt_count(g); i++) {
		const struct decision *d = gate_decision(g, i);
		plain = plain || (!gate_rcpt_held(g, i) && (d == NULL || decision_party(d) != p));
	}
	if (plain)
		return -1;
	*out = p;
	return 0;
}

int relayseal_plan(struct relayseal *rs, const struct gate_result *g, const char *data,
		   size_t len, char *err, size_t errlen)
{
	if (!rs->on)
		return 0;
	if (rs->failed) {
		snprintf(err, errlen, "%s", rs->error);
		return -1;
	}
	const struct registry_party *p = NULL;
	if (seal_party(g, &p) != 0) {
		snprintf(err, errlen, "relay encryption: delivered recipients of more than one "
			 "party would share one copy");
		return -1;
	}
	if (p == NULL)
		return 0;
	char outer[SEAL_BOUNDARY_MAX], *asc = NULL;
	size_t alen = 0;
	if (seal_cache_ciphertext(rs->keys, p, rs->tmpdir, time(NULL), data, len, outer, &asc, &alen,
				  rs->fprs, sizeof rs->fprs, err, errlen) != 0)
		return -1;
	rs->body = (unsigned char *)seal_body(asc, alen, outer, &rs->bodylen);
	free(asc);
	seal_content_type(outer, rs->content_type, sizeof rs->content_type);
	if (rs->body == NULL || rs->edits_over) {
		snprintf(err, errlen, "relay encryption: %s",
			 rs->body == NULL ? "out of memory" : "a header the milter cannot rewrite");
		return -1;
	}
	rs->party = p;
	return 1;
}

void relayseal_end(struct relayseal *rs)
{
	free(rs->body);
	rs->body = NULL;
}

/* Did the milter leave the held copy as it is (its verdict in the hold's
 * summary, holdrec.h)?  A summary without it (or unreadable): no. */
static bool held_as_is(const char *summary)
{
	if (summary == NULL)
		return false;
	struct jsonr_doc *d = jsonr_parse(summary, strlen(summary), NULL, NULL);
	const char *v = d != NULL ? jsonr_str(jsonr_get(jsonr_root(d), "seal")) : NULL;
	bool yes = v != NULL && strcmp(v, "as-is") == 0;
	jsonr_free(d);
	return yes;
}

/* The milter's rule for a held copy: left as it is only when the milter
 * said so when it held it AND a scan under the current snapshot agrees.
 * The new scan alone is not enough: with the EscrowKey removed since the
 * hold it reads nothing of what the milter's scan read, and the copy
 * would leave in the sender's encryption.  Content the escrow key read is
 * encrypted to the party's keys.  A scan that fails: encrypted. */
static bool release_as_is(const struct snapshot *s, const char *summary, const char *msg,
			  size_t len)
{
	if (!held_as_is(summary) || !seal_is_encrypted(msg, len))
		return false;
	struct findings *f = scan_message(snapshot_scan(s), msg, len);
	bool as_is = seal_as_is(msg, len, f);
	findings_free(f);
	return as_is;
}

/* The held copy rewritten for party p: encrypted in the snapshot's kept
 * home for p (sealcache.h), then the PGP/MIME message.  0, or -1 + err. */
static int release_seal(const struct snapshot *s, const struct registry_party *p, const char *msg,
			size_t len, char **out, size_t *outlen, char *fprs, size_t fprslen,
			char *err, size_t errlen)
{
	const struct config *c = snapshot_config(s);
	char outer[SEAL_BOUNDARY_MAX], *asc = NULL;
	size_t alen = 0;
	*out = NULL;
	if (seal_cache_ciphertext(snapshot_seal_cache(s), p, config_str(c, CONF_SPOOL_DIRECTORY),
				  time(NULL), msg, len, outer, &asc, &alen, fprs, fprslen, err,
				  errlen) != 0)
		return -1;
	return seal_finish(msg, len, asc, alen, outer, config_str(c, CONF_ENCRYPTED_SUBJECT), out,
			   outlen, err, errlen);
}

int relayseal_release(void *arg, const char *const *rcpts, size_t n, const char *summary,
		      const char *msg, size_t len, char **out, size_t *outlen, char *sealed_for,
		      size_t sflen, char *fprs, size_t fprslen, char *err, size_t errlen)
{
	struct snapshot *s = snapshot_slot_get(arg);
	if (s == NULL) {
		snprintf(err, errlen, "relay encryption: no configuration");
		return -1;
	}
	struct registry *reg = snapshot_registry(s);
	int32_t date = snapshot_date(s, time(NULL));
	const char *group = NULL;
	int rc = 0;
	if (sflen > 0)
		sealed_for[0] = '\0';
	if (fprslen > 0)
		fprs[0] = '\0';
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *g = seal_group(reg, rcpts[i], date);
		if (group != NULL && strcmp(group, g) != 0) {
			snprintf(err, errlen, "relay encryption: the approved recipients belong to"
				 " different parties (%s, %s): release them one party at a time",
				 *group ? group : "plaintext", *g ? g : "plaintext");
			rc = -1;
		}
		group = g;
	}
	if (rc == 0 && group != NULL && *group != '\0' && !release_as_is(s, summary, msg, len)) {
		const struct registry_party *p = registry_party_by_id(reg, group);
		const struct config *c = snapshot_config(s);
		if (!config_bool(c, CONF_RELAY_ENCRYPT)) {
			snprintf(err, errlen, "relay encryption: party %s requires encryption and"
				 " RelayEncrypt is no", group);
			rc = -1;
		} else if (p == NULL || release_seal(s, p, msg, len, out, outlen, fprs, fprslen, err,
						     errlen) != 0) {
			if (p == NULL)
				snprintf(err, errlen, "relay encryption: party %s not found", group);
			rc = -1;
		} else {
			snprintf(sealed_for, sflen, "%s", group);
			log_msg(LOG_INFO, "release: encrypted for party=%s keys=%s size=%zu", group,
				fprs, *outlen);
			rc = 1;
		}
	}
	snapshot_unref(s);
	return rc;
}
