/*
 * http.h - the libmicrohttpd side of grondslag-web (http.c, main.c):
 * only these two files include microhttpd.h and GnuTLS.
 */
#ifndef GRONDSLAG_WEB_HTTP_H
#define GRONDSLAG_WEB_HTTP_H

#include <microhttpd.h>
#include <pthread.h>
#include <sys/types.h>

#include "web.h"

#define WEB_PROXY_UIDS 16

struct web_conn;
struct web_server {
	const struct config *c;
	struct web_sessions *sessions;
	bool proxy;			/* WebUserHeader: the person from the proxy */
	uid_t proxy_uid[WEB_PROXY_UIDS];	/* WebProxyUser, resolved at start */
	size_t nproxy;
	unsigned timeout;		/* WebRequestTimeout */
	pthread_mutex_t mu;		/* guards conns and stop */
	struct web_conn *conns;		/* open connections (the deadline watch) */
	bool stop;
};

/* MHD_AccessHandlerCallback: one request (cls: the web_server). */
enum MHD_Result web_http_handle(void *cls, struct MHD_Connection *conn, const char *url,
				const char *method, const char *version, const char *upload,
				size_t *upload_size, void **con_cls);
/* MHD_OPTION_URI_LOG_CALLBACK: keeps the raw URI (with its query). */
void *web_http_uri(void *cls, const char *uri, struct MHD_Connection *conn);
/* MHD_OPTION_NOTIFY_CONNECTION: tracks each connection for the request
 * deadline, and in proxy mode marks one whose peer uid is no
 * WebProxyUser (every request on it is refused). */
void web_http_conn(void *cls, struct MHD_Connection *conn, void **socket_context,
		   enum MHD_ConnectionNotificationCode code);
/* The deadline watch (a thread of srv): cuts a connection that has not
 * sent a whole request within WebRequestTimeout of its start or of its
 * previous answer, however slowly it trickles bytes (MHD's own timeout
 * counts idle time only).  Returns when srv->stop is set. */
void *web_http_watch(void *srv);
/* MHD_OPTION_NOTIFY_COMPLETED: frees the request. */
void web_http_done(void *cls, struct MHD_Connection *conn, void **con_cls,
		   enum MHD_RequestTerminationCode toe);

#endif
