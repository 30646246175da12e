/*
 * Model metrics with sklearn.metrics' definitions: mean_squared_error
 * (root), mean_absolute_error, r2_score (1 for a perfect fit of a
 * constant target, else 0 when the target is constant),
 * mean_absolute_percentage_error (a fraction, |y| floored at machine
 * epsilon); accuracy_score, precision/recall/f1 (binary: of class 1;
 * otherwise macro over the classes present in y or the predictions; 0
 * where a ratio is 0/0, as zero_division gives), roc_auc_score from the
 * Mann-Whitney rank statistic with mid-ranks for ties (the trapezoidal
 * area sklearn computes), one-vs-rest macro for several classes, and
 * log_loss with probabilities clipped to [eps, 1 - eps] and each row
 * renormalised.
 */
#include <float.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "xmalloc.h"

void
mlk_metrics_regression(const double *y, const double *pred, size_t n,
    struct mlk_reg_metrics *out)
{
	double se = 0, ae = 0, ape = 0, ym = 0, tot = 0;

	if (n == 0) {
		out->rmse = out->mae = out->r2 = out->mape = NAN;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		double e = y[i] - pred[i];

		se += e * e;
		ae += fabs(e);
		ape += fabs(e) / fmax(fabs(y[i]), DBL_EPSILON);
		ym += y[i];
	}
	ym /= (double)n;
	for (size_t i = 0; i < n; i++)
		tot += (y[i] - ym) * (y[i] - ym);
	out->rmse = sqrt(se / (double)n);
	out->mae = ae / (double)n;
	out->mape = ape / (double)n;
	if (tot != 0)
		out->r2 = 1 - se / tot;
	else
		out->r2 = se == 0 ? 1 : 0;
}

struct scored {
	double s;
	int pos;
};

static int
cmp_scored(const void *a, const void *b)
{
	double x = ((const struct scored *)a)->s;
	double y = ((const struct scored *)b)->s;

	return (x > y) - (x < y);
}

/* AUC of the scores for "pos", by mid-ranks; NAN without both kinds. */
static double
auc(struct scored *v, size_t n)
{
	double npos = 0, rsum = 0;

	qsort(v, n, sizeof(*v), cmp_scored);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		double np = 0;

		while (j < n && v[j].s == v[i].s)
			np += v[j++].pos;
		/* ranks i+1 .. j share their mean */
		rsum += np * ((double)(i + 1) + (double)j) / 2;
		npos += np;
		i = j;
	}
	if (npos == 0 || npos == (double)n)
		return NAN;
	return (rsum - npos * (npos + 1) / 2) / (npos * ((double)n - npos));
}

/*
 * The same by a radix sort of keys made of a score's bits (for a double
 * >= 0 they order as the numbers do, and equal numbers have equal bits)
 * and, below them, the row's kind. 0 when a score is negative, -0 or
 * NaN: qsort's comparisons are then the rule.
 */
static int
auc_radix(const double *s, size_t stride, const uint32_t *y, uint32_t c,
    size_t n, double *out)
{
	uint64_t *k = mlk_fit_big((2 * n + 1) * sizeof(uint64_t)), *t = k + n,
	         *sw;
	size_t *cnt = xmalloc(65536 * sizeof(size_t));
	double npos = 0, rsum = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t u;

		memcpy(&u, s + i * stride, sizeof(u));
		if (u > UINT64_C(0x7ff0000000000000)) {
			free(k);
			free(cnt);
			return 0;
		}
		k[i] = u << 1 | (y[i] == c);
	}
	for (unsigned sh = 0; sh < 64; sh += 16) {
		size_t sum = 0;

		memset(cnt, 0, 65536 * sizeof(size_t));
		for (size_t i = 0; i < n; i++)
			cnt[(k[i] >> sh) & 0xffff]++;
		if (cnt[(k[0] >> sh) & 0xffff] == n)
			continue; /* one digit for all: already in order */
		for (size_t d = 0; d < 65536; d++) {
			size_t x = cnt[d];

			cnt[d] = sum;
			sum += x;
		}
		for (size_t i = 0; i < n; i++)
			t[cnt[(k[i] >> sh) & 0xffff]++] = k[i];
		sw = k, k = t, t = sw;
	}
	for (size_t i = 0; i < n;) {
		size_t j = i;
		double np = 0;

		while (j < n && k[j] >> 1 == k[i] >> 1)
			np += (double)(k[j++] & 1);
		rsum += np * ((double)(i + 1) + (double)j) / 2;
		npos += np;
		i = j;
	}
	free(k < t ? k : t);
	free(cnt);
	if (npos == 0 || npos == (double)n)
		*out = NAN;
	else
		*out = (rsum - npos * (npos + 1) / 2) /
		    (npos * ((double)n - npos));
	return 1;
}

/* The AUC of column c of the scores (a row's stride apart) for class c. */
static double
auc_of(const double *s, size_t stride, const uint32_t *y, uint32_t c, size_t n)
{
	struct scored *v;
	double a;

	if (auc_radix(s, stride, y, c, n, &a))
		return a;
	v = xmalloc((n ? n : 1) * sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = (struct scored){ s[i * stride], y[i] == c };
	a = auc(v, n);
	free(v);
	return a;
}

static size_t
argmax(const double *r, size_t k)
{
	size_t best = 0;

	for (size_t c = 1; c < k; c++)
		if (r[c] > r[best])
			best = c;
	return best;
}

static double
ratio(double a, double b)
{
	return b == 0 ? 0 : a / b;
}

void
mlk_metrics_classification(const uint32_t *y, const double *proba, size_t n,
    size_t k, struct mlk_clf_metrics *out)
{
	size_t *tp = xcalloc(k, sizeof(size_t)),
	       *np = xcalloc(k, sizeof(size_t));
	size_t *nt = xcalloc(k, sizeof(size_t)), correct = 0, used = 0;
	double ll = 0, P = 0, R = 0, F = 0, A = 0;

	for (size_t i = 0; i < n; i++) {
		const double *r = proba + i * k;
		size_t pr = argmax(r, k), c = y[i];
		double s = 0, pc = 0;

		correct += pr == c;
		tp[c] += pr == c;
		np[pr]++;
		nt[c]++;
		for (size_t e = 0; e < k; e++) {
			double q =
			    fmin(fmax(r[e], DBL_EPSILON), 1 - DBL_EPSILON);

			s += q;
			if (e == c)
				pc = q;
		}
		ll -= log(pc / s);
	}
	out->accuracy = n ? (double)correct / (double)n : NAN;
	out->log_loss = n ? ll / (double)n : NAN;
	if (k == 2) {
		P = ratio((double)tp[1], (double)np[1]);
		R = ratio((double)tp[1], (double)nt[1]);
		F = ratio(2.0 * (double)tp[1], (double)(np[1] + nt[1]));
		A = auc_of(proba + 1, 2, y, 1, n);
	} else {
		for (size_t c = 0; c < k; c++) {
			double p, r;

			if (np[c] == 0 && nt[c] == 0)
				continue;
			p = ratio((double)tp[c], (double)np[c]);
			r = ratio((double)tp[c], (double)nt[c]);
			P += p;
			R += r;
			F += ratio(2 * p * r, p + r);
			used++;
		}
		P = used ? P / (double)used : NAN;
		R = used ? R / (double)used : NAN;
		F = used ? F / (double)used : NAN;
		for (size_t c = 0; c < k && !isnan(A); c++)
			A += auc_of(proba + c, k, y, (uint32_t)c, n);
		A /= (double)k;
	}
	out->precision = P;
	out->recall = R;
	out->f1 = F;
	out->roc_auc = A;
	free(tp);
	free(np);
	free(nt);
}
