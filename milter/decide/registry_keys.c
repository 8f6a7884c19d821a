/*
 * registry_keys.c - the certificates of the registry: a party's keys:
 * (OpenPGP) and certificates: (X.509), the organisation's own_keys: and
 * the shared_keys: handed to many; part of the schema walk (same error
 * style: every problem, with its line).
 *
 * An entry is armoured text in the registry itself, or a file beside it
 * pinned by its SHA-256: the registry's detached signature covers the
 * pin, so a key file changed after signing refuses the load (the error
 * names the digest the file has, for the jurist who re-signs).  Every key
 * and subkey is entered into one hash table under each identifier a
 * message can name it by (keyparse.h), so a reader costs one probe; a key
 * listed for two owners is an error naming both.
 *
 * Public functions: regw_keys() (private to the registry files),
 * registry_key_find(), registry_key_count(), registry_key_valid_on(),
 * registry_key_owner_name().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "grondslag/decide/keyparse.h"
#include "registry_priv.h"

#define KEY_TEXT_MAX (2 + 2 * 32 + 1 + 2 * READER_ID_MAX + 1)

/* The table key of an identifier; false for readers no key can name. */
static bool key_text(const struct reader_id *id, char *buf)
{
	static const char digits[] = "0123456789ABCDEF";
	char *o = buf;
	switch (id->kind) {
	case READER_PGP_KEYID:
		*o++ = 'k';
		break;
	case READER_PGP_FPR:
		*o++ = 'f';
		*o++ = (char)('0' + id->key_version % 10);
		break;
	case READER_X509_ISSUER:
		*o++ = 'x';
		for (size_t i = 0; i < 32; i++) {
			*o++ = digits[id->issuer[i] >> 4];
			*o++ = digits[id->issuer[i] & 15];
		}
		break;
	case READER_X509_SKI:
		*o++ = 's';
		break;
	default:
		return false;
	}
	*o++ = ':';
	for (size_t i = 0; i < id->id_len && i < READER_ID_MAX; i++) {
		*o++ = digits[id->id[i] >> 4];
		*o++ = digits[id->id[i] & 15];
	}
	*o = '\0';
	return true;
}

const char *registry_key_owner_name(enum registry_key_owner o)
{
	return o == KEY_OWNER_OWN ? "own" : o == KEY_OWNER_SHARED ? "shared" : "party";
}

/* "party 'cert-be'", "own_keys", "shared_keys" */
static void owner_text(const struct registry_key *k, char *buf, size_t n)
{
	if (k->owner == KEY_OWNER_PARTY)
		snprintf(buf, n, "party '%s'", k->party != NULL ? k->party->id : "?");
	else
		snprintf(buf, n, "%s", k->owner == KEY_OWNER_OWN ? "own_keys" : "shared_keys");
}

struct add_ctx {
	struct walk *w;
	enum registry_key_owner owner;
	struct registry_party *party;
	const char *what, *key;
	unsigned line;
};

/* One parsed key into the table under each of its identifiers. */
static void add_key(void *arg, const struct keyparse_key *pk)
{
	struct add_ctx *c = arg;
	struct registry *r = c->w->r;
	struct registry_key *k = arena_alloc(&r->arena, sizeof *k);
	if (k == NULL)
		return;
	k->owner = c->owner;
	k->party = c->party;
	k->label = arena_strdup(&r->arena, pk->label);
	k->x509 = pk->kind == KEYPARSE_X509;
	k->expires = pk->expires;
	k->revoked = pk->revoked;
	k->line = c->line;
	for (size_t i = 0; i < pk->nids; i++) {
		char t[KEY_TEXT_MAX], who[WHAT_MAX];
		if (!key_text(&pk->ids[i], t))
			continue;
		const char *kt = arena_strdup(&r->arena, t);
		if (kt == NULL)
			return;
		const struct registry_key *old = strtab_put(&r->keys, kt, k);
		if (old == NULL)
			continue;
		owner_text(old, who, sizeof who);
		regerr_add(c->w->e, c->line, "%s: %s: %s is already listed for %s (line %u)", c->what,
			   c->key, pk->label, who, old->line);
		return;
	}
	r->nkeys++;
}

/* The file of a {file, sha256} entry, read and checked against its pin;
 * NULL after reporting. */
static char *read_pinned(struct walk *w, const struct ynode *n, const char *what,
			 const char *key, size_t *len)
{
	static const struct field f[] = {{"file", true}, {"sha256", true}};
	const struct ynode *v[2];
	char q[REGERR_QUOTE_MAX], q2[REGERR_QUOTE_MAX];
	if (!regw_get_fields(w, n, what, f, 2, v) || v[0] == NULL || v[1] == NULL ||
	    !regw_want_kind(w, v[0], YN_SCALAR, what, "file") ||
	    !regw_want_kind(w, v[1], YN_SCALAR, what, "sha256"))
		return NULL;
	const char *name = v[0]->text, *file = w->r->file;
	const char *slash = strrchr(file, '/');
	char path[4096];
	if (name[0] == '/' || slash == NULL)
		snprintf(path, sizeof path, "%s", name);
	else
		snprintf(path, sizeof path, "%.*s/%s", (int)(slash - file), file, name);
	/* A regular file only: a FIFO or a device would stall the load
	 * (O_NONBLOCK keeps even the open from waiting). */
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	const char *why = fd < 0 ? strerror(errno)
			  : fstat(fd, &st) != 0 ? strerror(errno)
			  : !S_ISREG(st.st_mode) ? "not a regular file" : NULL;
	char *buf = why == NULL ? malloc(KEYPARSE_MAX_BYTES + 1) : NULL;
	if (why != NULL || buf == NULL) {
		regerr_add(w->e, v[0]->line, "%s: %s: cannot read '%s': %s", what, key,
			   regerr_quote(path, q, sizeof q), why != NULL ? why : "no memory");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	bool rerr = false;
	*len = 0;
	while (*len < KEYPARSE_MAX_BYTES + 1) {
		ssize_t got = read(fd, buf + *len, KEYPARSE_MAX_BYTES + 1 - *len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			rerr = got < 0;
			break;
		}
		*len += (size_t)got;
	}
	close(fd);
	if (rerr || *len > KEYPARSE_MAX_BYTES) {
		regerr_add(w->e, v[0]->line, "%s: %s: '%s': %s", what, key,
			   regerr_quote(path, q, sizeof q),
			   rerr ? "read error" : "larger than the key file limit");
		free(buf);
		return NULL;
	}
	gchar *hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)buf, *len);
	bool same = hex != NULL && strcasecmp(hex, v[1]->text) == 0;
	if (!same)
		regerr_add(w->e, v[1]->line,
			   "%s: %s: '%s' has sha256 %s, the registry pins '%s' (re-sign after a change)",
			   what, key, regerr_quote(path, q, sizeof q), hex != NULL ? hex : "?",
			   regerr_quote(v[1]->text, q2, sizeof q2));
	g_free(hex);
	if (!same) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Keep a party's OpenPGP material as written (arena), what the relay
 * encrypts to; room for every entry of its keys: was made by the caller. */
static void keep_openpgp(struct walk *w, struct registry_party *p, const char *data, size_t len)
{
	char *copy = arena_alloc(&w->r->arena, len + 1);
	if (copy == NULL || p->openpgp == NULL)
		return;
	memcpy(copy, data, len);
	copy[len] = '\0';
	((const char **)p->openpgp)[p->nopenpgp] = copy;
	((size_t *)p->openpgp_len)[p->nopenpgp++] = len;
}

void regw_keys(struct walk *w, const struct ynode *seq, enum registry_key_owner owner,
	       struct registry_party *p, const char *what, const char *key, int want_x509)
{
	if (!regw_want_kind(w, seq, YN_SEQ, what, key))
		return;
	if (p != NULL && want_x509 == 0 && seq->nkids > 0) {
		p->openpgp = arena_alloc(&w->r->arena, seq->nkids * sizeof *p->openpgp);
		p->openpgp_len = arena_alloc(&w->r->arena, seq->nkids * sizeof *p->openpgp_len);
		p->nopenpgp = 0;
		if (p->openpgp_len == NULL)
			p->openpgp = NULL;
	}
	for (size_t i = 0; i < seq->nkids; i++) {
		const struct ynode *n = seq->kids[i];
		char err[160];
		size_t len = 0;
		char *owned = NULL;
		const char *data;
		if (n->kind == YN_SCALAR) {
			data = n->text;
			len = strlen(data);
			if (strstr(data, "-----BEGIN ") == NULL) {
				regerr_add(w->e, n->line,
					   "%s: %s: want armoured text or {file, sha256}", what, key);
				continue;
			}
		} else if (n->kind == YN_MAP) {
			if ((data = owned = read_pinned(w, n, what, key, &len)) == NULL)
				continue;
		} else {
			regerr_add(w->e, n->line, "%s: %s: want armoured text or {file, sha256}, got %s",
				   what, key, ytree_kind_name(n->kind));
			continue;
		}
		struct add_ctx c = {w, owner, p, what, key, n->line};
		enum keyparse_kind kind;
		/* Parse first, enter after: a kind mismatch enters nothing. */
		if (keyparse(data, len, NULL, NULL, &kind, err, sizeof err) < 0)
			regerr_add(w->e, n->line, "%s: %s: %s", what, key, err);
		else if (want_x509 >= 0 && (kind == KEYPARSE_X509) != (want_x509 != 0))
			regerr_add(w->e, n->line, "%s: %s: %s material where %s is wanted", what, key,
				   keyparse_kind_name(kind), want_x509 ? "x509" : "openpgp");
		else {
			keyparse(data, len, add_key, &c, &kind, err, sizeof err);
			if (p != NULL)
				p->ncerts++;
			if (p != NULL && want_x509 == 0)
				keep_openpgp(w, p, data, len);
		}
		free(owned);
	}
}

const struct registry_key *registry_key_find(const struct registry *r,
					     const struct reader_id *id)
{
	char t[KEY_TEXT_MAX];
	if (r->nkeys == 0 || !key_text(id, t))
		return NULL;
	return strtab_get(&r->keys, t);
}

size_t registry_key_count(const struct registry *r)
{
	return r->nkeys;
}

bool registry_key_valid_on(const struct registry_key *k, int32_t date)
{
	int64_t end = ((int64_t)date + 1) * 86400;
	return k->expires >= end && k->revoked >= end;
}
