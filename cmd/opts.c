/*
 * Option handling shared by every command: -h, --completion-helper, the
 * usage text, and small printing helpers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "strbuf.h"

void
cmd_print_usage(FILE *fp, const struct cmd_usage *u, int with_options)
{
	/* A synopsis line that starts with a space continues the one before. */
	for (size_t i = 0; u->synopsis[i]; i++)
		fprintf(fp, "%s %s\n",
		    i == 0                       ? "usage:" :
		        u->synopsis[i][0] == ' ' ? "      " :
		                                   "   or:",
		    u->synopsis[i]);
	if (with_options && u->options && u->options[0]) {
		fputc('\n', fp);
		for (size_t i = 0; u->options[i]; i++)
			fprintf(fp, "    %s\n", u->options[i]);
	}
}

struct mlk_error *
cmd_usage_error(const struct cmd_usage *u, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	for (size_t i = 0; u->synopsis[i]; i++)
		strbuf_addf(&sb, "\n%s %s",
		    i == 0                       ? "usage:" :
		        u->synopsis[i][0] == ' ' ? "      " :
		                                   "   or:",
		    u->synopsis[i]);
	err = mlk_error_new(MLK_ERR_USAGE, "%s", sb.buf);
	strbuf_release(&sb);
	return err;
}

static void
completion_helper(const struct option *longopts)
{
	const char *sep = "";

	for (size_t i = 0; longopts && longopts[i].name; i++) {
		if (strcmp(longopts[i].name, "completion-helper") == 0)
			continue;
		printf("%s--%s%s", sep, longopts[i].name,
		    longopts[i].has_arg == required_argument ? "=" : "");
		sep = " ";
	}
	printf("\n");
}

int
cmd_getopt(const struct cmd_opts *st, char **arg, struct mlk_error **err)
{
	static int checked;
	const char *bad;
	int c, idx = -1;

	*err = NULL;
	*arg = NULL;
	if (!checked) {
		checked = 1;
		for (int i = 1; i < st->argc; i++) {
			if (strcmp(st->argv[i], "--") == 0)
				break;
			if (strcmp(st->argv[i], "--completion-helper") == 0) {
				completion_helper(st->longopts);
				return CMD_OPT_EXIT;
			}
		}
	}
	opterr = 0;
	optopt = 0;
	c = getopt_long(st->argc, st->argv, st->shortopts, st->longopts, &idx);
	if (c == 'h') {
		cmd_print_usage(stdout, st->usage, 1);
		return CMD_OPT_EXIT;
	}
	if (c != '?' && c != ':') {
		*arg = optarg;
		return c;
	}
	bad = st->argv[optind - 1];
	if (strncmp(bad, "--", 2) == 0) {
		size_t n = strcspn(bad, "=");
		const char *what = "unknown option";

		for (size_t i = 0; st->longopts[i].name; i++)
			if (strlen(st->longopts[i].name) == n - 2 &&
			    strncmp(st->longopts[i].name, bad + 2, n - 2) == 0)
				what = st->longopts[i].has_arg == no_argument ?
				    "takes no value" :
				    "needs a value";
		if (strcmp(what, "unknown option") == 0)
			*err = cmd_usage_error(st->usage,
			    "unknown option '%.*s'", (int)n, bad);
		else
			*err = cmd_usage_error(st->usage, "option '%.*s' %s",
			    (int)n, bad, what);
	} else if (c == ':' || (optopt && strchr(st->shortopts, optopt)))
		*err = cmd_usage_error(st->usage, "option '-%c' needs a value",
		    optopt);
	else
		*err = cmd_usage_error(st->usage, "unknown option '-%c'",
		    optopt ? optopt : '?');
	return CMD_OPT_ERROR;
}

void
cmd_print_json(json_t *v)
{
	json_dumpf(v, stdout,
	    JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	fputc('\n', stdout);
	json_decref(v);
}

char *
cmd_fmt_time(char *buf, size_t size, int64_t seconds)
{
	time_t t = (time_t)seconds;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

char *
cmd_fmt_bytes(char *buf, size_t size, unsigned long long n)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)n;
	int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%llu B", n);
	else
		snprintf(buf, size, "%.1f %s", v, units[u]);
	return buf;
}

int
cmd_json_operands(int argc, char **argv, const struct cmd_usage *usage, int n,
    const char *missing, int *json, struct mlk_error **err)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "completion-helper", no_argument, NULL, 0 },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_opts st = { argc, argv, "h", longopts, usage };
	char *arg;
	int c;

	*json = 0;
	while ((c = cmd_getopt(&st, &arg, err)) != -1) {
		if (c == CMD_OPT_EXIT || c == CMD_OPT_ERROR)
			return 1;
		if (c == 'j')
			*json = 1;
	}
	if (argc - optind > n) {
		*err = cmd_usage_error(usage, "too many arguments");
		return 1;
	}
	if (argc - optind < n) {
		*err = cmd_usage_error(usage, "%s", missing);
		return 1;
	}
	return 0;
}
