/* A minimal TAP producer for the C unit tests: ok/not ok lines, a plan. */
#ifndef MLK_TAP_H
#define MLK_TAP_H

/* Records one result; returns cond. The message is printf-style. */
int tap_ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Compares strings, printing both on failure. */
int tap_is_str(const char *got, const char *want, const char *name);
int tap_is_int(long long got, long long want, const char *name);
/* Prints the plan and returns the exit status for main(). */
int tap_done(void);

#endif
