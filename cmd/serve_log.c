/*
 * mlk serve's access log: a line per request on stderr, in the common
 * log format with the seconds the request took.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "serve_log.h"

/* The lines a thread holds back until serve_log_flush(). */
static _Thread_local struct {
	int on;
	size_t len;
	char buf[8192];
} batch;

/* Appends s, at most n bytes of it; returns the end. */
static char *
put_str(char *p, const char *s, size_t n)
{
	size_t len = strnlen(s, n);

	memcpy(p, s, len);
	return p + len;
}

/* Appends v in decimal; returns the end. */
static char *
put_uint(char *p, unsigned long long v)
{
	char tmp[24];
	size_t n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* The client's address, as inet_ntop() writes it. */
static char *
put_client(char *p, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	char host[INET6_ADDRSTRLEN] = "-";

	if (sa && sa->sa_family == AF_INET) {
		const unsigned char *a = (const unsigned char *)&(
		    (const struct sockaddr_in *)(const void *)sa)
		                             ->sin_addr;

		for (int i = 0; i < 4; i++) {
			if (i)
				*p++ = '.';
			p = put_uint(p, a[i]);
		}
		return p;
	}
	if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    host, sizeof(host));
	return put_str(p, host, sizeof(host));
}

/* [27/Nov/2026:17:25:01 +0000], formatted once a second by each thread. */
static char *
put_when(char *p)
{
	static _Thread_local time_t last = (time_t)-1;
	static _Thread_local char when[40];
	static _Thread_local size_t len;
	time_t t = time(NULL);
	struct tm tm;

	if (t != last) {
		gmtime_r(&t, &tm);
		len = strftime(when, sizeof(when), "%d/%b/%Y:%H:%M:%S +0000",
		    &tm);
		last = t;
	}
	memcpy(p, when, len);
	return p + len;
}

/*
 * The access log line: client, time, request line, status, bytes,
 * seconds. Written without stdio, in one write() so that lines from
 * several threads do not mix; held back, in a thread that batches,
 * until it flushes.
 */
void
serve_log_request(struct MHD_Connection *c, const char *method, const char *url,
    const char *proto, int status, size_t bytes, double secs)
{
	char line[INET6_ADDRSTRLEN + SERVE_LOG_METHOD + SERVE_LOG_URL +
	    SERVE_LOG_PROTO + 128];
	char *p = line;
	unsigned long long us =
	    secs > 0 ? (unsigned long long)(secs * 1e6 + 0.5) : 0;

	p = put_client(p, c);
	p = put_str(p, " - - [", 6);
	p = put_when(p);
	p = put_str(p, "] \"", 3);
	p = put_str(p, method, SERVE_LOG_METHOD);
	*p++ = ' ';
	p = put_str(p, url, SERVE_LOG_URL);
	*p++ = ' ';
	p = put_str(p, proto, SERVE_LOG_PROTO);
	p = put_str(p, "\" ", 2);
	p = put_uint(p, (unsigned)status);
	*p++ = ' ';
	p = put_uint(p, bytes);
	*p++ = ' ';
	p = put_uint(p, us / 1000000);
	*p++ = '.';
	for (unsigned long long d = 100000; d; d /= 10)
		*p++ = (char)('0' + us / d % 10);
	*p++ = '\n';
	if (!batch.on) {
		if (write(STDERR_FILENO, line, (size_t)(p - line)) < 0)
			errno = 0;
		return;
	}
	if (batch.len + (size_t)(p - line) > sizeof(batch.buf))
		serve_log_flush();
	memcpy(batch.buf + batch.len, line, (size_t)(p - line));
	batch.len += (size_t)(p - line);
}

void
serve_log_batch(int on)
{
	serve_log_flush();
	batch.on = on;
}

void
serve_log_flush(void)
{
	if (batch.len && write(STDERR_FILENO, batch.buf, batch.len) < 0)
		errno = 0;
	batch.len = 0;
}
