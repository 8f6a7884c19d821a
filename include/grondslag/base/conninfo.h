/*
 * conninfo.h - is a Database value a PostgreSQL connection string or an
 * SQLite file?  One answer for the config checks, the daemon and the
 * store: a URI "postgresql://..." or "postgres://...", or key=value
 * conninfo ("host=/run/postgresql dbname=grondslag"); anything else is
 * a path.  A connection string may carry a password (better: none, with
 * peer or certificate authentication, or a ~/.pgpass file): it is never
 * shown.
 */
#ifndef GRONDSLAG_BASE_CONNINFO_H
#define GRONDSLAG_BASE_CONNINFO_H

#include <stdbool.h>
#include <stddef.h>

bool conninfo_is(const char *database);
/* database with any password in it replaced by "***" (a URI's user:pass@
 * and ?password=, a conninfo's password=), for logs, errors and the
 * effective-config dump; a path is copied as it is.  Truncated to outlen. */
void conninfo_redact(const char *database, char *out, size_t outlen);

#endif
