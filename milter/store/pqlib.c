/*
 * pqlib.c - libpq, loaded with dlopen() when the first PostgreSQL store
 * is opened (pqlib.h says why; the loading is base/dynlib.c's).
 *
 * Public functions (to db_pg.c): pqlib_load(), pqlib_load_soname(),
 * pqlib_loaded().
 * A missing library is an error of the store's open (the CLI says it and
 * exits 1, the daemon does not start) - never a crash on first use.
 * Limits: none of its own.
 */
#include "grondslag/base/dynlib.h"
#include "pqlib.h"

static struct pqlib table;
const struct pqlib *const pqlib = &table;

/* Each entry of struct pqlib and libpq's name for it. */
static const struct dynlib_sym symbols[] = {
	{"PQcancel", offsetof(struct pqlib, cancel)},
	{"PQclear", offsetof(struct pqlib, clear)},
	{"PQcmdStatus", offsetof(struct pqlib, cmd_status)},
	{"PQcmdTuples", offsetof(struct pqlib, cmd_tuples)},
	{"PQconnectdbParams", offsetof(struct pqlib, connectdb_params)},
	{"PQconsumeInput", offsetof(struct pqlib, consume_input)},
	{"PQerrorMessage", offsetof(struct pqlib, error_message)},
	{"PQexec", offsetof(struct pqlib, exec)},
	{"PQexecParams", offsetof(struct pqlib, exec_params)},
	{"PQfinish", offsetof(struct pqlib, finish)},
	{"PQfreeCancel", offsetof(struct pqlib, free_cancel)},
	{"PQfreemem", offsetof(struct pqlib, freemem)},
	{"PQgetCancel", offsetof(struct pqlib, get_cancel)},
	{"PQgetResult", offsetof(struct pqlib, get_result)},
	{"PQgetisnull", offsetof(struct pqlib, getisnull)},
	{"PQgetlength", offsetof(struct pqlib, getlength)},
	{"PQgetvalue", offsetof(struct pqlib, getvalue)},
	{"PQisBusy", offsetof(struct pqlib, is_busy)},
	{"PQmakeEmptyPGresult", offsetof(struct pqlib, make_empty_pgresult)},
	{"PQnfields", offsetof(struct pqlib, nfields)},
	{"PQntuples", offsetof(struct pqlib, ntuples)},
	{"PQreset", offsetof(struct pqlib, reset)},
	{"PQresultErrorField", offsetof(struct pqlib, result_error_field)},
	{"PQresultErrorMessage", offsetof(struct pqlib, result_error_message)},
	{"PQresultStatus", offsetof(struct pqlib, result_status)},
	{"PQsendQuery", offsetof(struct pqlib, send_query)},
	{"PQsetNoticeReceiver", offsetof(struct pqlib, set_notice_receiver)},
	{"PQsocket", offsetof(struct pqlib, socket)},
	{"PQstatus", offsetof(struct pqlib, status)},
	{"PQtransactionStatus", offsetof(struct pqlib, transaction_status)},
	{"PQunescapeBytea", offsetof(struct pqlib, unescape_bytea)},
};

/* The table has one entry per name above: no member left NULL. */
_Static_assert(sizeof symbols / sizeof symbols[0] * sizeof(void *) == sizeof(struct pqlib),
	       "struct pqlib and symbols[] name the same functions");

static struct dynlib lib = {
	.what = "the PostgreSQL client library",
	.need = "a PostgreSQL store needs the package libpq5",
	.syms = symbols,
	.nsyms = sizeof symbols / sizeof symbols[0],
	.table = &table,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

int pqlib_load_soname(const char *soname, char *why, size_t whylen)
{
	return dynlib_load(&lib, soname, why, whylen);
}

int pqlib_load(char *why, size_t whylen)
{
	return pqlib_load_soname(PQLIB_SONAME, why, whylen);
}

bool pqlib_loaded(void)
{
	return dynlib_loaded(&lib);
}
