/*
 * main.c - grondslag-web, the jurists' web console: start-up.  Order (as
 * clamav-milter and Postfix do it): read the configuration and check it;
 * read the server certificate, its key and the client CAs into memory;
 * bind the listening socket (a port below 1024 needs root); then drop to
 * WebUserID (when root) and only then serve.  The console's login must be
 * a ControlConsoleUser of the daemon: that is what lets it speak for the
 * people it authenticates, and nothing else does.
 *
 * Proxy mode (WebUserHeader set): no certificates are read; WebListen
 * must be unix:/PATH (a TCP address is refused: anyone reaching a port
 * could name any person in the header), made mode 0666 like the control
 * socket, the peer's uid (a WebProxyUser) being the gate.
 *
 *   grondslag-web [-c FILE] [-n]     -n: check the configuration, exit
 *
 * Runs in the foreground (a service manager supervises it), logs to
 * syslog (LOG_MAIL, ident grondslag-web) and stderr.  SIGTERM/SIGINT
 * stop it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "grondslag/base/log.h"
#include "http.h"

#define DEFAULT_CONFIG "/etc/grondslag/grondslag.conf"
#define PEM_MAX (1u << 20)

/* The whole of a PEM file (malloc'ed, NUL-terminated) or NULL + message. */
static char *read_pem(const char *key, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0 && (size_t)st.st_size < PEM_MAX &&
	    (buf = malloc((size_t)st.st_size + 1)) != NULL) {
		size_t got = 0;
		while (got < (size_t)st.st_size) {
			ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		buf[got] = '\0';
		if (got != (size_t)st.st_size) {
			free(buf);
			buf = NULL;
		}
	}
	if (buf == NULL)
		log_msg(LOG_ERR, "%s %.200s: cannot be read (%s)", key, path,
			errno ? strerror(errno) : "empty or too large");
	if (fd >= 0)
		close(fd);
	return buf;
}

/* Bind and listen on WebListen ("ADDR:PORT", IPv6 as "[ADDR]:PORT");
 * the socket or -1. */
static int listen_on(const char *spec)
{
	char host[128];
	const char *colon = strrchr(spec, ':');
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	memset(&ss, 0, sizeof ss);
	size_t hl = colon != NULL ? (size_t)(colon - spec) : 0;
	char *end = NULL;
	long port = colon != NULL ? strtol(colon + 1, &end, 10) : 0;
	if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']')
		spec++, hl -= 2;
	if (colon == NULL || hl == 0 || hl >= sizeof host || end == colon + 1 || *end != '\0' ||
	    port < 1 || port > 65535) {
		log_msg(LOG_ERR, "WebListen %.100s: give ADDRESS:PORT", spec);
		return -1;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		sl = sizeof *a4;
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		sl = sizeof *a6;
	} else {
		log_msg(LOG_ERR, "WebListen %.100s: not an IP address", host);
		return -1;
	}
	int one = 1, fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 64) != 0) {
		log_msg(LOG_ERR, "WebListen %.100s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Bind and listen on the unix socket path (proxy mode); a stale socket
 * there is replaced, anything else is left alone.  The socket or -1. */
static int listen_unix(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	if (strlen(path) >= sizeof sa.sun_path) {
		log_msg(LOG_ERR, "WebListen unix:%.100s: the path is too long", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode) || unlink(path) != 0) {
			log_msg(LOG_ERR, "WebListen unix:%.100s: exists and is no socket we may replace",
				path);
			return -1;
		}
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* created without any access, then opened to all: the peer's uid is
	 * checked on every connection (WebProxyUser), as the daemon does */
	mode_t old = umask(0777);
	int rc = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc != 0 || chmod(path, 0666) != 0 || listen(fd, 64) != 0) {
		log_msg(LOG_ERR, "WebListen unix:%.100s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Resolve the WebProxyUser logins of c into srv; false + logged. */
static bool proxy_users(struct web_server *srv)
{
	srv->nproxy = 0;
	for (size_t i = 0; i < config_list_count(srv->c, CONF_WEB_PROXY_USER); i++) {
		const char *v = config_list(srv->c, CONF_WEB_PROXY_USER, i);
		char name[64];
		size_t n = strcspn(v, " \t");
		snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), v);
		struct passwd *pw = getpwnam(name);
		if (pw == NULL || srv->nproxy == WEB_PROXY_UIDS) {
			log_msg(LOG_ERR, "WebProxyUser %.64s: %s", name,
				pw == NULL ? "no such user" : "too many lines");
			return false;
		}
		srv->proxy_uid[srv->nproxy++] = pw->pw_uid;
	}
	return srv->nproxy > 0;
}

/* Start the HTTP(S) server on the listening socket fd. */
static struct MHD_Daemon *start(struct web_server *srv, int fd, const char *cert,
				const char *key, const char *ca)
{
	const struct config *c = srv->c;
	struct MHD_OptionItem tls[] = {
		{MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)cert},
		{MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)key},
		{MHD_OPTION_HTTPS_MEM_TRUST, 0, (void *)ca},
		{MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"},
		{MHD_OPTION_END, 0, NULL},
	};
	if (srv->proxy)
		tls[0].option = MHD_OPTION_END;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_POLL | MHD_USE_ERROR_LOG | (srv->proxy ? 0 : MHD_USE_TLS);
	return MHD_start_daemon(
		flags, 0, NULL, NULL, web_http_handle, srv,
		MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_ARRAY, tls,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)config_uint(c, CONF_WEB_CONNECTIONS),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)config_uint(c, CONF_WEB_REQUEST_TIMEOUT),
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
		MHD_OPTION_URI_LOG_CALLBACK, web_http_uri, NULL,
		MHD_OPTION_NOTIFY_COMPLETED, web_http_done, srv,
		MHD_OPTION_NOTIFY_CONNECTION, web_http_conn, srv,
		MHD_OPTION_END);
}

/* Become WebUserID when root; 0 or -1. */
static int drop_privileges(const struct config *c)
{
	const char *user = config_str(c, CONF_WEB_USER_ID);
	if (geteuid() != 0 || *user == '\0')
		return 0;
	struct passwd *pw = getpwnam(user);
	if (pw == NULL) {
		log_msg(LOG_ERR, "WebUserID %.64s: no such user", user);
		return -1;
	}
	if (pw->pw_uid == 0 || initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0 || setuid(0) == 0) {
		log_msg(LOG_ERR, "WebUserID %.64s: cannot become this user", user);
		return -1;
	}
	return 0;
}

/* Is the user we run as a ControlConsoleUser?  Otherwise the daemon
 * would refuse every page: say so at start instead. */
static bool is_delegate(const struct config *c)
{
	struct passwd *me = getpwuid(geteuid());
	for (size_t i = 0; me != NULL && i < config_list_count(c, CONF_CONTROL_CONSOLE_USER); i++)
		if (strcmp(config_list(c, CONF_CONTROL_CONSOLE_USER, i), me->pw_name) == 0)
			return true;
	log_msg(LOG_ERR, "grondslag-web runs as %.64s, which is no ControlConsoleUser: the daemon "
			 "would let it speak for nobody", me != NULL ? me->pw_name : "an unnamed uid");
	return false;
}

static void usage(void)
{
	fprintf(stderr, "usage: grondslag-web [-c FILE] [-n]\n");
}

int main(int argc, char **argv)
{
	const char *file = DEFAULT_CONFIG;
	bool check = false;
	int opt;
	while ((opt = getopt(argc, argv, "c:nh")) != -1) {
		if (opt == 'c')
			file = optarg;
		else if (opt == 'n')
			check = true;
		else {
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	log_open("grondslag-web", true, false);
	char err[512];
	struct config *c = config_load(file, err, sizeof err);
	if (c == NULL) {
		log_msg(LOG_ERR, "%s", err);
		return 2;
	}
	/* one way out, so that -n and every refusal free what they took */
	int rc = 2;
	char *cert = NULL, *key = NULL, *ca = NULL;
	struct web_server srv = {.c = c, .proxy = *config_str(c, CONF_WEB_USER_HEADER) != '\0',
				 .timeout = (unsigned)config_uint(c, CONF_WEB_REQUEST_TIMEOUT)};
	pthread_mutex_init(&srv.mu, NULL);
	struct MHD_Daemon *d = NULL;
	if (*config_str(c, CONF_CONTROL_SOCKET) == '\0') {
		log_msg(LOG_ERR, "%s: ControlSocket is empty: the console has nobody to ask", file);
		goto out;
	}
	if (!web_certmap_check(c, err, sizeof err)) {
		log_msg(LOG_ERR, "%s: %s", file, err);
		goto out;
	}
	if (!web_proxy_check(c, err, sizeof err)) {
		log_msg(LOG_ERR, "%s: %s", file, err);
		goto out;
	}
	if (srv.proxy) {
		if (!proxy_users(&srv))
			goto out;
		if (config_list_count(c, CONF_WEB_USER_MAP) == 0)
			log_msg(LOG_WARNING, "%s: no WebUserMap line: nobody can sign in", file);
	} else {
		if (config_list_count(c, CONF_WEB_CERTIFICATE_MAP) == 0)
			log_msg(LOG_WARNING, "%s: no WebCertificateMap line: nobody can sign in",
				file);
		cert = read_pem("WebCertificate", config_str(c, CONF_WEB_CERTIFICATE));
		key = cert ? read_pem("WebKey", config_str(c, CONF_WEB_KEY)) : NULL;
		ca = key ? read_pem("WebClientCA", config_str(c, CONF_WEB_CLIENT_CA)) : NULL;
		if (ca == NULL)
			goto out;
	}
	if (check) {
		printf("%s: ok\n", file);
		rc = 0;
		goto out;
	}
	rc = 1;
	const char *where = config_str(c, CONF_WEB_LISTEN);
	int fd = srv.proxy ? listen_unix(where + 5) : listen_on(where);
	if (fd < 0 || drop_privileges(c) != 0 || !is_delegate(c))
		goto out;
	srv.sessions = web_sessions_new((unsigned)config_uint(c, CONF_WEB_SESSION_TIMEOUT));
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_t watch;
	d = srv.sessions == NULL ? NULL : start(&srv, fd, cert, key, ca);
	if (d != NULL && pthread_create(&watch, NULL, web_http_watch, &srv) != 0) {
		MHD_stop_daemon(d);
		d = NULL;
	}
	/* the key is in MHD's credentials now: ours can go */
	if (key != NULL)
		explicit_bzero(key, strlen(key));
	if (d == NULL) {
		log_msg(LOG_ERR, "cannot start the %s server%s", srv.proxy ? "HTTP" : "HTTPS",
			srv.proxy ? "" : " (certificate, key or client CA?)");
		goto out;
	}
	log_msg(LOG_INFO, "serving %s on %s as uid %ld", srv.proxy ? "http for the proxy" : "https",
		config_str(c, CONF_WEB_LISTEN), (long)getuid());
	int sig = 0;
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
		log_msg(LOG_INFO, "SIGHUP: restart grondslag-web to read the configuration again");
	pthread_mutex_lock(&srv.mu);
	srv.stop = true;
	pthread_mutex_unlock(&srv.mu);
	pthread_join(watch, NULL);
	MHD_stop_daemon(d);
	log_msg(LOG_INFO, "stopped (signal %d)", sig);
	rc = 0;
out:
	web_sessions_free(srv.sessions);
	free(cert);
	if (key != NULL)
		explicit_bzero(key, strlen(key));
	free(key);
	free(ca);
	pthread_mutex_destroy(&srv.mu);
	config_free(c);
	return rc;
}
