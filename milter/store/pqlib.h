/*
 * pqlib.h - libpq loaded when a PostgreSQL store is opened, not when a
 * program starts (pqlib.c): private to the store's PostgreSQL driver
 * (db_pg.c), which includes it after libpq-fe.h for libpq's types.
 *
 * Why: libpq brings some twenty libraries with it (OpenSSL, Kerberos,
 * LDAP, SASL, GnuTLS), all built with immediate binding, so every start
 * of every program resolved their symbols - most runs (a scan, a check, a
 * store in SQLite) never speak to PostgreSQL.
 *
 * After pqlib_load() has succeeded, the driver calls libpq by its own
 * names: each PQ function it uses is a macro below that calls through the
 * table pqlib.c filled with dlsym().  A PQ function used without its
 * entry here is an undefined reference at link time (the programs are not
 * linked with libpq), never a silent new dependency: add it to the table
 * (struct pqlib, and the names in pqlib.c) and here.
 */
#ifndef GRONDSLAG_STORE_PQLIB_H
#define GRONDSLAG_STORE_PQLIB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

/* The soname loaded: the ABI of libpq.so.5, Debian's package libpq5 (the
 * Makefile's test programs build pqlib.c with another, one that is not
 * there). */
#ifndef PQLIB_SONAME
#define PQLIB_SONAME "libpq.so.5"
#endif

/* libpq's functions the driver uses, each with libpq's own type. */
struct pqlib {
	__typeof__(PQcancel) *cancel;
	__typeof__(PQclear) *clear;
	__typeof__(PQcmdStatus) *cmd_status;
	__typeof__(PQcmdTuples) *cmd_tuples;
	__typeof__(PQconnectdbParams) *connectdb_params;
	__typeof__(PQconsumeInput) *consume_input;
	__typeof__(PQerrorMessage) *error_message;
	__typeof__(PQexec) *exec;
	__typeof__(PQexecParams) *exec_params;
	__typeof__(PQfinish) *finish;
	__typeof__(PQfreeCancel) *free_cancel;
	__typeof__(PQfreemem) *freemem;
	__typeof__(PQgetCancel) *get_cancel;
	__typeof__(PQgetResult) *get_result;
	__typeof__(PQgetisnull) *getisnull;
	__typeof__(PQgetlength) *getlength;
	__typeof__(PQgetvalue) *getvalue;
	__typeof__(PQisBusy) *is_busy;
	__typeof__(PQmakeEmptyPGresult) *make_empty_pgresult;
	__typeof__(PQnfields) *nfields;
	__typeof__(PQntuples) *ntuples;
	__typeof__(PQreset) *reset;
	__typeof__(PQresultErrorField) *result_error_field;
	__typeof__(PQresultErrorMessage) *result_error_message;
	__typeof__(PQresultStatus) *result_status;
	__typeof__(PQsendQuery) *send_query;
	__typeof__(PQsetNoticeReceiver) *set_notice_receiver;
	__typeof__(PQsocket) *socket;
	__typeof__(PQstatus) *status;
	__typeof__(PQtransactionStatus) *transaction_status;
	__typeof__(PQunescapeBytea) *unescape_bytea;
};

/* The table, to be used only after pqlib_load() succeeded (in the
 * calling thread); then it never changes (the library stays loaded until
 * the process ends). */
extern const struct pqlib *const pqlib;

/* Load libpq (PQLIB_SONAME) once per process, safe from any thread: 0, or
 * -1 with why saying which library could not be loaded or which function
 * it lacks, and that the package libpq5 is needed.  A failed load is
 * tried again by the next call. */
int pqlib_load(char *why, size_t whylen);

/* Whether libpq was loaded (the unit tests). */
bool pqlib_loaded(void);

/* pqlib_load() of another soname (the unit tests: a library that is not
 * there, one without libpq's functions); once a load succeeded, every
 * call succeeds without loading anything. */
int pqlib_load_soname(const char *soname, char *why, size_t whylen);

#define PQcancel(...) (pqlib->cancel(__VA_ARGS__))
#define PQclear(...) (pqlib->clear(__VA_ARGS__))
#define PQcmdStatus(...) (pqlib->cmd_status(__VA_ARGS__))
#define PQcmdTuples(...) (pqlib->cmd_tuples(__VA_ARGS__))
#define PQconnectdbParams(...) (pqlib->connectdb_params(__VA_ARGS__))
#define PQconsumeInput(...) (pqlib->consume_input(__VA_ARGS__))
#define PQerrorMessage(...) (pqlib->error_message(__VA_ARGS__))
#define PQexec(...) (pqlib->exec(__VA_ARGS__))
#define PQexecParams(...) (pqlib->exec_params(__VA_ARGS__))
#define PQfinish(...) (pqlib->finish(__VA_ARGS__))
#define PQfreeCancel(...) (pqlib->free_cancel(__VA_ARGS__))
#define PQfreemem(...) (pqlib->freemem(__VA_ARGS__))
#define PQgetCancel(...) (pqlib->get_cancel(__VA_ARGS__))
#define PQgetResult(...) (pqlib->get_result(__VA_ARGS__))
#define PQgetisnull(...) (pqlib->getisnull(__VA_ARGS__))
#define PQgetlength(...) (pqlib->getlength(__VA_ARGS__))
#define PQgetvalue(...) (pqlib->getvalue(__VA_ARGS__))
#define PQisBusy(...) (pqlib->is_busy(__VA_ARGS__))
#define PQmakeEmptyPGresult(...) (pqlib->make_empty_pgresult(__VA_ARGS__))
#define PQnfields(...) (pqlib->nfields(__VA_ARGS__))
#define PQntuples(...) (pqlib->ntuples(__VA_ARGS__))
#define PQreset(...) (pqlib->reset(__VA_ARGS__))
#define PQresultErrorField(...) (pqlib->result_error_field(__VA_ARGS__))
#define PQresultErrorMessage(...) (pqlib->result_error_message(__VA_ARGS__))
#define PQresultStatus(...) (pqlib->result_status(__VA_ARGS__))
#define PQsendQuery(...) (pqlib->send_query(__VA_ARGS__))
#define PQsetNoticeReceiver(...) (pqlib->set_notice_receiver(__VA_ARGS__))
#define PQsocket(...) (pqlib->socket(__VA_ARGS__))
#define PQstatus(...) (pqlib->status(__VA_ARGS__))
#define PQtransactionStatus(...) (pqlib->transaction_status(__VA_ARGS__))
#define PQunescapeBytea(...) (pqlib->unescape_bytea(__VA_ARGS__))

#endif
