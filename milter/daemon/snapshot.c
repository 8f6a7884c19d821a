/*
 * snapshot.c - build, share and swap the daemon's immutable bundle of
 * configuration, registry and geo data.  See snapshot.h.
 *
 * The registry is read once, its signature checked per RegistrySignature
 * (regsig), and exactly the verified bytes are parsed and hashed: what is
 * judged is what was signed.
 */
#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "grondslag/base/date.h"
#include "grondslag/base/domain.h"
#include "grondslag/scan/geo.h"
#include "grondslag/decide/escrow.h"
#include "grondslag/decide/regserial.h"
#include "grondslag/decide/regsig.h"
#include "grondslag/decide/scanopt.h"
#include "grondslag/decide/sealcache.h"
#include "grondslag/daemon/snapshot.h"

struct snapshot {
	atomic_ulong refs;
	unsigned long generation;
	struct config *config;
	struct registry *registry;
	struct geo *geo;
	struct scan_options scan;
	struct scanopt_domains scan_domains;
	struct escrow *escrow;	/* EscrowKey, NULL: none */
	struct seal_cache *seal;	/* relay encryption key checks of this registry */
	struct policy_options policy;
	enum gate_mode mode;
	enum snapshot_on_error on_error;
	bool date_fixed;
	int32_t date;
	struct ip_prefix *hosts;
	size_t nhosts;
	char **domains;
	size_t ndomains;
	char digest[65];
	char warning[1024];
	char signer[REGSIG_FPR_LEN + 1];
	const char *sig_status;
};

/* Append one line to the error buffer. */
static void err_add(char *err, size_t errlen, const char *line)
{
	size_t len = strnlen(err, errlen);
	if (len + 1 >= errlen)
		return;
	snprintf(err + len, errlen - len, "%s%s", len ? "\n" : "", line);
}

/* Split a blank- or comma-separated list into words; calls fn per word. */
static bool split_words(const char *text, bool (*fn)(struct snapshot *, const char *, char *, size_t),
			struct snapshot *s, char *err, size_t errlen)
{
	bool ok = true;
	const char *p = text;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		size_t n = strcspn(p, " \t,");
		if (n == 0)
			break;
		char word[DOMAIN_TEXT_MAX + 8];
		if (n >= sizeof word) {
			err_add(err, errlen, "a list entry is too long");
			return false;
		}
		memcpy(word, p, n);
		word[n] = '\0';
		ok &= fn(s, word, err, errlen);
		p += n;
	}
	return ok;
}

/* One InternalHosts entry: a prefix, or a single address. */
static bool add_host(struct snapshot *s, const char *word, char *err, size_t errlen)
{
	struct ip_prefix p;
	char line[160];
	if (!ip_prefix_parse(word, false, &p)) {
		struct ip_addr a;
		if (!ip_addr_parse(word, &a)) {
			snprintf(line, sizeof line, "InternalHosts: \"%.64s\" is not an address or prefix", word);
			err_add(err, errlen, line);
			return false;
		}
		p.addr = a;
		p.len = a.family == IP_V4 ? 32 : 128;
	}
	if (s->nhosts >= SNAPSHOT_MAX_HOSTS) {
		err_add(err, errlen, "InternalHosts: too many prefixes");
		return false;
	}
	struct ip_prefix *n = realloc(s->hosts, (s->nhosts + 1) * sizeof *n);
	if (n == NULL) {
		err_add(err, errlen, "out of memory");
		return false;
	}
	s->hosts = n;
	s->hosts[s->nhosts++] = p;
	return true;
}

/* One InternalDomains entry, canonical. */
static bool add_domain(struct snapshot *s, const char *word, char *err, size_t errlen)
{
	char canon[DOMAIN_TEXT_MAX], line[160];
	if (!domain_normalize(word, canon, sizeof canon)) {
		snprintf(line, sizeof line, "InternalDomains: \"%.64s\" is not a domain", word);
		err_add(err, errlen, line);
		return false;
	}
	if (s->ndomains >= SNAPSHOT_MAX_DOMAINS) {
		err_add(err, errlen, "InternalDomains: too many domains");
		return false;
	}
	char **n = realloc(s->domains, (s->ndomains + 1) * sizeof *n);
	if (n == NULL || (n[s->ndomains] = strdup(canon)) == NULL) {
		if (n != NULL)
			s->domains = n;
		err_add(err, errlen, "out of memory");
		return false;
	}
	s->domains = n;
	s->ndomains++;
	return true;
}

/* Read, verify and parse the registry; fills s->registry and digest. */
static bool load_registry(struct snapshot *s, char *err, size_t errlen)
{
	const struct config *c = s->config;
	const char *file = config_str(c, CONF_REGISTRY);
	enum regsig_mode mode;
	if (!regsig_mode_parse(config_str(c, CONF_REGISTRY_SIGNATURE), &mode))
		mode = REGSIG_REQUIRED;
	size_t n = config_list_count(c, CONF_REGISTRY_SIGNER);
	const char **signers = calloc(n ? n : 1, sizeof *signers);
	if (signers == NULL) {
		err_add(err, errlen, "out of memory");
		return false;
	}
	for (size_t i = 0; i < n; i++)
		signers[i] = config_list(c, CONF_REGISTRY_SIGNER, i);
	const char *home = config_str(c, CONF_GNUPG_HOME);
	struct regsig_result res;
	enum regsig_status st = regsig_verify(file, NULL, *home ? home : NULL, signers, n, mode, &res);
	free(signers);
	char msg[1024];
	enum regsig_verdict v = regsig_decide(mode, st, &res, file, NULL, msg, sizeof msg);
	if (v == REGSIG_REFUSE || st == REGSIG_UNREADABLE) {
		err_add(err, errlen, msg);
		regsig_result_free(&res);
		return false;
	}
	if (v == REGSIG_ACCEPT_WARN)
		snprintf(s->warning, sizeof s->warning, "%s", msg);
	snprintf(s->signer, sizeof s->signer, "%s", res.fingerprint);
	s->sig_status = regsig_status_name(st);
	struct registry_errors *e = NULL;
	s->registry = registry_load_buffer(file, res.data, res.len, &e);
	for (size_t i = 0; i < registry_errors_count(e) && i < 20; i++)
		err_add(err, errlen, registry_errors_get(e, i));
	if (s->registry == NULL && registry_errors_count(e) == 0)
		err_add(err, errlen, "cannot load the registry");
	registry_errors_free(e);
	char eea[512];
	if (s->registry != NULL && registry_eea_warning(s->registry, file, eea, sizeof eea))
		snprintf(s->warning + strlen(s->warning), sizeof s->warning - strlen(s->warning),
			 "%s%s", *s->warning ? "; " : "", eea);
	if (s->registry != NULL) {
		gchar *hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
							 (const guchar *)res.data, res.len);
		snprintf(s->digest, sizeof s->digest, "%s", hex != NULL ? hex : "");
		g_free(hex);
	}
	regsig_result_free(&res);
	return s->registry != NULL;
}

/* The daemon's own keys: hosts, domains, mode, error action, date. */
static bool load_settings(struct snapshot *s, char *err, size_t errlen)
{
	const struct config *c = s->config;
	bool ok = split_words(config_str(c, CONF_INTERNAL_HOSTS), add_host, s, err, errlen);
	ok &= split_words(config_str(c, CONF_INTERNAL_DOMAINS), add_domain, s, err, errlen);
	if (!gate_mode_parse(config_str(c, CONF_MODE), &s->mode)) {
		err_add(err, errlen, "Mode: must be enforce or simulate");
		ok = false;
	}
	/* Only tempfail and reject exist: an accepting error action would
	 * fail open. */
	s->on_error = strcasecmp(config_str(c, CONF_ON_INTERNAL_ERROR), "reject") == 0
			      ? ON_ERROR_REJECT
			      : ON_ERROR_TEMPFAIL;
	struct regserial_force force;
	if (!regserial_force_parse(config_str(c, CONF_REGISTRY_ROLLBACK), &force)) {
		err_add(err, errlen, "RegistryRollback: not a registry serial or \"none\"");
		ok = false;
	}
	const char *d = config_str(c, CONF_DECISION_DATE);
	if (*d) {
		if (!date_parse(d, &s->date)) {
			err_add(err, errlen, "DecisionDate: not a date YYYY-MM-DD");
			ok = false;
		}
		s->date_fixed = true;
	}
	return ok;
}

/* Open the geo databases named by the configuration (none: no geo). */
static bool load_geo(struct snapshot *s, char *err, size_t errlen)
{
	struct geo_options go;
	config_geo_options(s->config, &go);
	if (go.country_db == NULL && go.asn_db == NULL)
		return true;
	char gerr[512];
	s->geo = geo_open(&go, gerr, sizeof gerr);
	if (s->geo == NULL) {
		char line[600];
		snprintf(line, sizeof line, "geo: %s", gerr);
		err_add(err, errlen, line);
		return false;
	}
	return true;
}

struct snapshot *snapshot_load(const char *file, char *err, size_t errlen)
{
	if (errlen > 0)
		err[0] = '\0';
	struct snapshot *s = calloc(1, sizeof *s);
	if (s == NULL) {
		err_add(err, errlen, "out of memory");
		return NULL;
	}
	atomic_init(&s->refs, 1);
	s->generation = 1;
	char cerr[4096];
	s->config = file != NULL ? config_load(file, cerr, sizeof cerr) : config_defaults();
	if (s->config == NULL) {
		err_add(err, errlen, file != NULL ? cerr : "out of memory");
		free(s);
		return NULL;
	}
	bool ok = load_settings(s, err, errlen);
	ok = load_registry(s, err, errlen) && ok;
	ok = ok && load_geo(s, err, errlen);
	if (!ok) {
		snapshot_unref(s);
		return NULL;
	}
	config_scan_options(s->config, s->geo, &s->scan);
	if (!scanopt_fill(&s->scan, &s->scan_domains, s->config, s->registry)) {
		err_add(err, errlen, "out of memory");
		snapshot_unref(s);
		return NULL;
	}
	const char *fpr = config_str(s->config, CONF_ESCROW_KEY);
	if (*fpr != '\0') {
		char eerr[512];
		s->escrow = escrow_open(config_str(s->config, CONF_ESCROW_GNUPG_HOME), fpr, eerr,
					sizeof eerr);
		if (s->escrow == NULL) {
			err_add(err, errlen, eerr);
			snapshot_unref(s);
			return NULL;
		}
		s->scan.limits.escrow = escrow_walk(s->escrow);
	}
	policy_options_config(s->config, &s->policy);
	s->seal = seal_cache_new();
	if (s->seal == NULL) {
		err_add(err, errlen, "out of memory");
		snapshot_unref(s);
		return NULL;
	}
	return s;
}

struct snapshot *snapshot_ref(struct snapshot *s)
{
	if (s != NULL)
		atomic_fetch_add(&s->refs, 1);
	return s;
}

void snapshot_unref(struct snapshot *s)
{
	if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	if (s->registry != NULL)
		registry_unref(s->registry);
	geo_close(s->geo);
	scanopt_free(&s->scan_domains);
	escrow_free(s->escrow);
	seal_cache_free(s->seal);
	config_free(s->config);
	for (size_t i = 0; i < s->ndomains; i++)
		free(s->domains[i]);
	free(s->domains);
	free(s->hosts);
	free(s);
}

struct seal_cache *snapshot_seal_cache(const struct snapshot *s)
{
	return s->seal;
}

const char *snapshot_escrow_fpr(const struct snapshot *s)
{
	return s->escrow != NULL ? escrow_fpr(s->escrow) : NULL;
}

const struct config *snapshot_config(const struct snapshot *s)
{
	return s->config;
}

struct registry *snapshot_registry(const struct snapshot *s)
{
	return s->registry;
}

const struct scan_options *snapshot_scan(const struct snapshot *s)
{
	return &s->scan;
}

const struct policy_options *snapshot_policy(const struct snapshot *s)
{
	return &s->policy;
}

enum gate_mode snapshot_mode(const struct snapshot *s)
{
	return s->mode;
}

enum snapshot_on_error snapshot_on_error(const struct snapshot *s)
{
	return s->on_error;
}

int32_t snapshot_date(const struct snapshot *s, time_t now)
{
	return s->date_fixed ? s->date : date_from_time(now);
}

bool snapshot_internal_host(const struct snapshot *s, const struct ip_addr *a)
{
	for (size_t i = 0; i < s->nhosts; i++)
		if (ip_prefix_contains(&s->hosts[i], a))
			return true;
	return false;
}

bool snapshot_internal_sender(const struct snapshot *s, const char *sender)
{
	if (s->ndomains == 0 || sender == NULL)
		return false;
	char canon[ADDRESS_TEXT_MAX];
	const char *dom = NULL;
	if (!domain_address_normalize(sender, canon, sizeof canon, &dom) || dom == NULL)
		return false;
	size_t dl = strlen(dom);
	for (size_t i = 0; i < s->ndomains; i++) {
		size_t n = strlen(s->domains[i]);
		if (strcmp(dom, s->domains[i]) == 0 ||
		    (dl > n && dom[dl - n - 1] == '.' && strcmp(dom + dl - n, s->domains[i]) == 0))
			return true;
	}
	return false;
}

const char *snapshot_digest(const struct snapshot *s)
{
	return s->digest;
}

const char *snapshot_warning(const struct snapshot *s)
{
	return s->warning;
}

const char *snapshot_signer(const struct snapshot *s)
{
	return s->signer;
}

const char *snapshot_signature_status(const struct snapshot *s)
{
	return s->sig_status != NULL ? s->sig_status : "";
}

unsigned long snapshot_generation(const struct snapshot *s)
{
	return s->generation;
}

int snapshot_slot_init(struct snapshot_slot *slot, const char *file, struct snapshot *first)
{
	memset(slot, 0, sizeof *slot);
	if (pthread_mutex_init(&slot->lock, NULL) != 0)
		return -1;
	slot->file = file != NULL ? strdup(file) : NULL;
	if (file != NULL && slot->file == NULL)
		return -1;
	slot->cur = first;
	slot->generation = first->generation;
	return 0;
}

struct snapshot *snapshot_slot_get(struct snapshot_slot *slot)
{
	pthread_mutex_lock(&slot->lock);
	struct snapshot *s = snapshot_ref(slot->cur);
	pthread_mutex_unlock(&slot->lock);
	return s;
}

int snapshot_slot_reload(struct snapshot_slot *slot, char *err, size_t errlen)
{
	/* Loading is slow (gpg, parsing): done outside the lock, so
	 * connections starting meanwhile get the old snapshot. */
	struct snapshot *s = snapshot_load(slot->file, err, errlen);
	if (s == NULL)
		return -1;
	pthread_mutex_lock(&slot->lock);
	s->generation = slot->generation + 1;
	pthread_mutex_unlock(&slot->lock);
	/* the caller's last word (the registry's roll-back check), before
	 * anything judges mail with it */
	if (slot->admit != NULL && slot->admit(slot->admit_arg, s, err, errlen) != 0) {
		snapshot_unref(s);
		return -1;
	}
	pthread_mutex_lock(&slot->lock);
	slot->generation = s->generation;
	struct snapshot *old = slot->cur;
	slot->cur = s;
	pthread_mutex_unlock(&slot->lock);
	snapshot_unref(old);
	return 0;
}

void snapshot_slot_destroy(struct snapshot_slot *slot)
{
	snapshot_unref(slot->cur);
	slot->cur = NULL;
	free(slot->file);
	slot->file = NULL;
	pthread_mutex_destroy(&slot->lock);
}
