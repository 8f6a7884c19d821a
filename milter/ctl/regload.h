/*
 * regload.h - load the registry for a command of the grondslag tool the
 * way the daemon will: read the file once, apply the RegistrySignature
 * mode (regsig), then parse exactly the bytes that were verified.
 *
 * Public functions:
 *   ctl_registry_load()      the configured policy
 *   ctl_registry_load_mode() the same with the signature mode chosen by
 *                            the caller (e.g. none for checking a draft)
 *   cmd_registry_verify(), cmd_registry_import_ti()  (cmd_regsig.c)
 * The loaders print the signature verdict (warnings and refusals) and every
 * parse error ("file:line: message") on stderr and return CTL_OK or
 * CTL_ERROR; *out is the registry (registry_unref() it) or NULL.
 */
#ifndef GRONDSLAG_CTL_REGLOAD_H
#define GRONDSLAG_CTL_REGLOAD_H

#include "grondslag/config/config.h"
#include "grondslag/decide/regsig.h"
#include "grondslag/decide/registry.h"

/* override_file NULL = the configuration's Registry. */
int ctl_registry_load(const struct config *c, const char *override_file, struct registry **out);
int ctl_registry_load_mode(const struct config *c, const char *override_file,
			   enum regsig_mode mode, struct registry **out);

/* The configuration's signature mode (an unknown value counts as
 * required: refusing is the safe side). */
enum regsig_mode ctl_registry_sigmode(const struct config *c);

/* Verify file with the configured signers and home; prints nothing.
 * Returns the status; res as regsig_verify() (regsig_result_free it). */
enum regsig_status ctl_registry_verify(const struct config *c, const char *file,
				       const char *sig_file, enum regsig_mode mode,
				       struct regsig_result *res);

/* "registry verify" and "registry import-ti", argv[0] = the subcommand
 * name; implemented in cmd_regsig.c (declared here until ctl.h has them). */
int cmd_registry_verify(int argc, char **argv);
int cmd_registry_import_ti(int argc, char **argv);

#endif
