/*
 * http.h - the libmicrohttpd side of grondslag-web (http.c, main.c):
 * only these two files include microhttpd.h and GnuTLS.
 */
#ifndef GRONDSLAG_WEB_HTTP_H
#define GRONDSLAG_WEB_HTTP_H

#include <microhttpd.h>

#include "web.h"

struct web_server {
	const struct config *c;
	struct web_sessions *sessions;
};

/* MHD_AccessHandlerCallback: one request (cls: the web_server). */
enum MHD_Result web_http_handle(void *cls, struct MHD_Connection *conn, const char *url,
				const char *method, const char *version, const char *upload,
				size_t *upload_size, void **con_cls);
/* MHD_OPTION_URI_LOG_CALLBACK: keeps the raw URI (with its query). */
void *web_http_uri(void *cls, const char *uri, struct MHD_Connection *conn);
/* MHD_OPTION_NOTIFY_COMPLETED: frees the request. */
void web_http_done(void *cls, struct MHD_Connection *conn, void **con_cls,
		   enum MHD_RequestTerminationCode toe);

#endif
