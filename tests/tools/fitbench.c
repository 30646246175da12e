/*
 * fitbench: times lib/fit on random data, for tests/bench/fit.sh.
 *
 *   fitbench gen FILE ROWS P [SEED]
 *       writes X (ROWS x P, column-major), y (a noisy linear function of
 *       X) and a binary class (as doubles), all raw float64, to FILE
 *   fitbench ridge|logistic FILE ROWS P [RUNS]
 *       fits RUNS times (default 3) and prints one JSON line with the
 *       median wall time of a fit in milliseconds
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fit.h"

static uint64_t rng_state;

static double
unif(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double)(rng_state >> 11) * (1.0 / 9007199254740992.0);
}

static double
gauss(void)
{
	double u = unif() + 1e-300, v = unif();

	return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
gen(const char *path, size_t n, size_t p, uint64_t seed)
{
	double *X = malloc(n * p * sizeof(double)), *y = malloc(n * 8);
	double *c = malloc(n * 8), w[256];
	FILE *f;

	if (!X || !y || !c || p > 256)
		return 1;
	rng_state = seed * 2654435761u + 88172645463325252ull;
	for (size_t j = 0; j < p; j++)
		w[j] = gauss();
	for (size_t i = 0; i < n; i++) {
		double z = 0;

		for (size_t j = 0; j < p; j++) {
			X[j * n + i] = gauss() * (1 + (double)j / 4);
			z += X[j * n + i] * w[j];
		}
		y[i] = z + 0.5 * gauss() + 3;
		c[i] = z + gauss() > 0;
	}
	if (!(f = fopen(path, "wb")) || fwrite(X, 8, n * p, f) != n * p ||
	    fwrite(y, 8, n, f) != n || fwrite(c, 8, n, f) != n ||
	    fclose(f) != 0) {
		perror(path);
		return 1;
	}
	free(X);
	free(y);
	free(c);
	return 0;
}

int
main(int argc, char **argv)
{
	size_t n, p, runs = 3;
	double *X, *y, *c, t[64];
	uint32_t *yc;
	int iters = 0;
	FILE *f;

	if (argc < 5) {
		fprintf(stderr,
		    "usage: fitbench gen|ridge|logistic FILE ROWS "
		    "P [SEED|RUNS]\n");
		return 2;
	}
	n = strtoul(argv[3], NULL, 10);
	p = strtoul(argv[4], NULL, 10);
	if (!strcmp(argv[1], "gen"))
		return gen(argv[2], n, p,
		    argc > 5 ? strtoull(argv[5], 0, 10) : 1);
	if (argc > 5)
		runs = strtoul(argv[5], NULL, 10);
	if (runs < 1 || runs > 64)
		runs = 3;
	X = malloc(n * p * 8), y = malloc(n * 8), c = malloc(n * 8);
	yc = malloc(n * sizeof(uint32_t));
	if (!X || !y || !c || !yc || !(f = fopen(argv[2], "rb")) ||
	    fread(X, 8, n * p, f) != n * p || fread(y, 8, n, f) != n ||
	    fread(c, 8, n, f) != n) {
		fprintf(stderr, "fitbench: cannot read %s\n", argv[2]);
		return 1;
	}
	fclose(f);
	for (size_t i = 0; i < n; i++)
		yc[i] = c[i] != 0;
	for (size_t r = 0; r < runs; r++) {
		struct mlk_fit_opts o;
		struct mlk_fit fit;
		struct mlk_error *err;
		double t0 = now();

		if (!strcmp(argv[1], "ridge")) {
			mlk_fit_opts_init(&o, MLK_ALGO_RIDGE);
			err = mlk_fit_regression(X, n, p, y, &o, &fit);
		} else {
			mlk_fit_opts_init(&o, MLK_ALGO_LOGISTIC);
			err = mlk_fit_logistic(X, n, p, yc, 2, &o, &fit);
		}
		t[r] = (now() - t0) * 1000;
		if (err) {
			fprintf(stderr, "fitbench: %s\n", err->msg);
			return 1;
		}
		iters = fit.iterations;
		mlk_fit_release(&fit);
	}
	qsort(t, runs, sizeof(double), cmp_double);
	printf("{\"median_ms\":%.3f,\"iterations\":%d}\n",
	    runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2,
	    iters);
	free(X);
	free(y);
	free(c);
	free(yc);
	return 0;
}
