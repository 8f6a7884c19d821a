/*
 * regload.c - the registry as a command sees it: signature policy first
 * (regsig), then the parser on the very same bytes, with every message on
 * stderr.  See regload.h.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "grondslag/base/conninfo.h"
#include "grondslag/decide/regserial.h"
#include "grondslag/store/store.h"
#include "regload.h"

enum regsig_mode ctl_registry_sigmode(const struct config *c)
{
	enum regsig_mode mode;
	if (!regsig_mode_parse(config_str(c, CONF_REGISTRY_SIGNATURE), &mode))
		mode = REGSIG_REQUIRED;
	return mode;
}

enum regsig_status ctl_registry_verify(const struct config *c, const char *file,
				       const char *sig_file, enum regsig_mode mode,
				       struct regsig_result *res)
{
	size_t n = config_list_count(c, CONF_REGISTRY_SIGNER);
	const char **signers = calloc(n ? n : 1, sizeof *signers);
	if (signers == NULL) {
		memset(res, 0, sizeof *res);
		snprintf(res->error, sizeof res->error, "out of memory");
		return res->status = REGSIG_UNREADABLE;
	}
	for (size_t i = 0; i < n; i++)
		signers[i] = config_list(c, CONF_REGISTRY_SIGNER, i);
	const char *home = config_str(c, CONF_GNUPG_HOME);
	enum regsig_status st = regsig_verify(file, sig_file, home[0] ? home : NULL, signers, n,
					      mode, res);
	free(signers);
	return st;
}

/* The roll-back check (regserial.h) of registry r (its verified bytes
 * data) against the mark in the configured store, as the daemon will
 * make it.  No store yet: nothing was loaded, nothing to compare; a
 * store this user cannot read: said, not checked.  mode: the configured
 * signature mode (what the daemon applies).  CTL_OK, or CTL_ERROR
 * with the reason on stderr. */
static int rollback_check(const struct config *c, const char *file, const struct registry *r,
			  const char *data, size_t len, enum regsig_mode mode)
{
	const char *db = config_str(c, CONF_DATABASE);
	/* no store file yet: nothing to compare with; a store in PostgreSQL
	 * is always checked (it has no file to look for) */
	if (*db == '\0' || (!conninfo_is(db) && access(db, F_OK) != 0))
		return CTL_OK;
	char err[512], msg[1024];
	struct store *s = store_open_readonly(db, err, sizeof err);
	struct regserial_mark mark;
	if (s == NULL || store_registry_mark(s, &mark, err, sizeof err) < 0) {
		char shown[1024];
		conninfo_redact(db, shown, sizeof shown);
		fprintf(stderr, "grondslag: %s: roll-back not checked: the store %s cannot be read"
				" (%s)\n", file, shown, err);
		store_close(s);
		return CTL_OK;
	}
	store_close(s);
	struct regserial_force force;
	regserial_force_parse(config_str(c, CONF_REGISTRY_ROLLBACK), &force);
	gchar *hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, len);
	enum regserial_verdict v = regserial_decide(registry_serial(r), hex ? hex : "", &mark,
						    mode == REGSIG_REQUIRED, &force, msg, sizeof msg);
	g_free(hex);
	/* a registry without a serial is said by "registry check -c" (and
	 * the daemon's log), not by every report */
	if (*msg && v != REGSERIAL_ACCEPT_WARN)
		fprintf(stderr, "grondslag: %s: %s\n", file, msg);
	return v == REGSERIAL_REFUSE ? CTL_ERROR : CTL_OK;
}

int ctl_registry_load_mode(const struct config *c, const char *override_file,
			   enum regsig_mode mode, struct registry **out)
{
	*out = NULL;
	const char *file = override_file != NULL ? override_file : config_str(c, CONF_REGISTRY);
	if (file[0] == '\0') {
		fprintf(stderr, "grondslag: no registry: set Registry in the configuration\n");
		return CTL_ERROR;
	}
	struct regsig_result res;
	enum regsig_status st = ctl_registry_verify(c, file, NULL, mode, &res);
	char msg[8192];
	enum regsig_verdict v = regsig_decide(mode, st, &res, file, NULL, msg, sizeof msg);
	if (v != REGSIG_ACCEPT || st == REGSIG_UNREADABLE)
		fprintf(stderr, "grondslag: %s\n", msg);
	if (v == REGSIG_REFUSE) {
		if (st == REGSIG_UNKNOWN_SIGNER && config_list_count(c, CONF_REGISTRY_SIGNER) == 0)
			fprintf(stderr, "grondslag: no RegistrySigner is configured\n");
		regsig_result_free(&res);
		return CTL_ERROR;
	}
	/* Parse the verified bytes, never the file again. */
	struct registry_errors *e = NULL;
	struct registry *r = registry_load_buffer(file, res.data, res.len, &e);
	for (size_t i = 0; i < registry_errors_count(e); i++)
		fprintf(stderr, "%s\n", registry_errors_get(e, i));
	if (r == NULL && registry_errors_count(e) == 0)
		fprintf(stderr, "grondslag: %s: cannot load the registry\n", file);
	registry_errors_free(e);
	char eea[512];
	if (r != NULL && registry_eea_warning(r, file, eea, sizeof eea))
		fprintf(stderr, "grondslag: warning: %s\n", eea);
	int rc = r != NULL ? rollback_check(c, file, r, res.data, res.len, ctl_registry_sigmode(c)) : CTL_ERROR;
	regsig_result_free(&res);
	if (rc != CTL_OK && r != NULL) {
		registry_unref(r);
		r = NULL;
	}
	*out = r;
	return rc;
}

int ctl_registry_load(const struct config *c, const char *override_file, struct registry **out)
{
	return ctl_registry_load_mode(c, override_file, ctl_registry_sigmode(c), out);
}
