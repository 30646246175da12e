/*
 * timeit: run a command several times and print its wall time and peak
 * memory as one JSON object, for the benchmarks.
 *
 *   timeit [-n RUNS] [-w WARMUP] [-C DIR] [-p PREPARE] -- cmd args...
 *
 * The command's stdout and stderr go to /dev/null; when a run fails, the
 * tail of its stderr is shown. PREPARE, a shell command, runs untimed before
 * every run (hyperfine's --prepare), e.g. to make a fresh repository.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ERR_TAIL 2048

struct run {
	double ms;
	long rss_kb;
	int status;	/* exit code, or 128 + signal */
	int signal;	/* the signal that killed it, or 0 */
};

static _Noreturn void usage(void)
{
	fputs("usage: timeit [-n RUNS] [-w WARMUP] [-C DIR] [-p PREPARE] "
	      "-- cmd args...\n", stderr);
	exit(2);
}

static int parse_count(const char *s, int min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > 100000)
		usage();
	return (int)v;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The child: stdin and stdout from/to /dev/null, stderr to errfd. */
static _Noreturn void child_exec(char **argv, int errfd, int reportfd)
{
	int null = open("/dev/null", O_RDWR);
	int e;

	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(errfd, 2) < 0)
		goto fail;
	execvp(argv[0], argv);
fail:
	e = errno;
	if (write(reportfd, &e, sizeof(e)) != (ssize_t)sizeof(e))
		_exit(126);
	_exit(127);
}

static int status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/*
 * Runs argv once. Returns 0 when it could be run, whatever its exit code;
 * -1 when it could not (fork or exec failed), with errno set.
 */
static int run_once(char **argv, int errfd, struct run *r)
{
	struct rusage ru;
	int pipefd[2], status, e;
	double t0;
	pid_t pid;
	ssize_t n;

	if (ftruncate(errfd, 0) < 0 || lseek(errfd, 0, SEEK_SET) < 0)
		return -1;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(pipefd[0]);
		close(pipefd[1]);
		errno = e;
		return -1;
	}
	if (pid == 0)
		child_exec(argv, errfd, pipefd[1]);
	close(pipefd[1]);
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	r->ms = now_ms() - t0;
	r->rss_kb = ru.ru_maxrss;
	r->status = status_code(status);
	r->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	do
		n = read(pipefd[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == (ssize_t)sizeof(e)) {
		errno = e;
		return -1;
	}
	return 0;
}

static void show_stderr_tail(int errfd)
{
	char buf[ERR_TAIL];
	off_t size = lseek(errfd, 0, SEEK_END);
	off_t from = size > ERR_TAIL ? size - ERR_TAIL : 0;
	ssize_t n;

	if (size <= 0)
		return;
	n = pread(errfd, buf, sizeof(buf), from);
	if (n <= 0)
		return;
	fputs("timeit: the command's stderr ended with:\n", stderr);
	fwrite(buf, 1, (size_t)n, stderr);
	if (buf[n - 1] != '\n')
		fputc('\n', stderr);
}

static int prepare(const char *cmd)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0)
			dup2(null, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status_code(status);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void print_json(const struct run *runs, int n)
{
	double *ms = calloc((size_t)n, sizeof(*ms));
	double sum = 0, median;
	long rss = 0;
	int i;

	if (!ms) {
		perror("timeit");
		exit(1);
	}
	for (i = 0; i < n; i++) {
		ms[i] = runs[i].ms;
		sum += ms[i];
		if (runs[i].rss_kb > rss)
			rss = runs[i].rss_kb;
	}
	qsort(ms, (size_t)n, sizeof(*ms), cmp_double);
	median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
	/* p90 by nearest rank: the ceil(0.9 n)-th smallest. */
	printf("{\"runs\":%d,\"median_ms\":%.3f,\"p90_ms\":%.3f,"
	       "\"min_ms\":%.3f,\"mean_ms\":%.3f,\"max_rss_kb\":%ld,"
	       "\"exit\":%d}\n",
	       n, median, ms[(9 * n + 9) / 10 - 1], ms[0], sum / n, rss,
	       runs[n - 1].status);
	free(ms);
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *prep = NULL;
	int nruns = 5, warmup = 1, opt, i, status = 1;
	struct run *runs = NULL;
	FILE *errfile = NULL;
	char **cmd;

	while ((opt = getopt(argc, argv, "+n:w:C:p:")) != -1) {
		switch (opt) {
		case 'n':
			nruns = parse_count(optarg, 1);
			break;
		case 'w':
			warmup = parse_count(optarg, 0);
			break;
		case 'C':
			dir = optarg;
			break;
		case 'p':
			prep = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	cmd = argv + optind;
	if (dir && chdir(dir) < 0) {
		fprintf(stderr, "timeit: cannot change to '%s': %s\n", dir,
			strerror(errno));
		goto done;
	}
	errfile = tmpfile();
	runs = calloc((size_t)nruns, sizeof(*runs));
	if (!errfile || !runs) {
		perror("timeit");
		goto done;
	}

	status = 0;
	for (i = -warmup; i < nruns; i++) {
		struct run scratch = { 0 }, *r = i < 0 ? &scratch : &runs[i];
		int rc;

		if (prep && (rc = prepare(prep)) != 0) {
			fprintf(stderr, "timeit: prepare command '%s' failed "
				"with status %d\n", prep, rc);
			status = 1;
			goto done;
		}
		if (run_once(cmd, fileno(errfile), r) < 0) {
			fprintf(stderr, "timeit: cannot run '%s': %s\n", cmd[0],
				strerror(errno));
			status = 1;
			goto done;
		}
		if (r->status != 0) {
			if (r->signal)
				fprintf(stderr, "timeit: '%s' was killed by "
					"signal %d", cmd[0], r->signal);
			else
				fprintf(stderr, "timeit: '%s' exited with "
					"status %d", cmd[0], r->status);
			fprintf(stderr, " on %s %d\n", i < 0 ? "warmup" : "run",
				i < 0 ? i + warmup + 1 : i + 1);
			show_stderr_tail(fileno(errfile));
			if (i < 0) {
				runs[0] = *r;
				i = 0;
			}
			status = 1;
			nruns = i + 1;
			break;
		}
	}
	print_json(runs, nruns);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "timeit: cannot write: %s\n", strerror(errno));
		status = 1;
	}
done:
	free(runs);
	if (errfile)
		fclose(errfile);
	return status;
}
