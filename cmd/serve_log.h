/* mlk serve's access log (serve_log.c). */
#ifndef MLK_CMD_SERVE_LOG_H
#define MLK_CMD_SERVE_LOG_H

#include <microhttpd.h>
#include <stddef.h>

/* The sizes of the request line's fields as kept, with their NUL. */
#define SERVE_LOG_METHOD 16
#define SERVE_LOG_URL 256
#define SERVE_LOG_PROTO 16

/*
 * Writes the access log line of a request: client, time, request line
 * (method, url and proto as kept, cut to the sizes above), status,
 * bytes, seconds.
 */
void serve_log_request(struct MHD_Connection *, const char *method,
    const char *url, const char *proto, int status, size_t bytes, double secs);

/*
 * From a thread that calls serve_log_batch(1), lines are held back until
 * it calls serve_log_flush(), and then written in one write().
 */
void serve_log_batch(int on);
void serve_log_flush(void);

#endif
