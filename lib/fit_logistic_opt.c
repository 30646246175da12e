/*
 * Minimisers for the logistic objective. L-BFGS as scipy's L-BFGS-B
 * that sklearn calls (no bounds): 10 correction pairs, first step of
 * length min(1, 1/||g||), a line search for the strong Wolfe conditions
 * (sufficient decrease 1e-4, curvature 0.9) with at most 20
 * evaluations, and its stopping rules: max |g_i| <= tol (pgtol), or a
 * relative decrease of f (when there is one) below ftol = min(2.2e-9, tol^2) (scipy's
 * default factr; lowered for tight tol so that tol decides). Newton
 * solves with the exact Hessian by Cholesky (LAPACK dposv) and
 * backtracks until f decreases (or, within rounding of f, the gradient
 * does); it stops when max |g_i| <= tol.
 */
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "fit_impl.h"
#include "fit_logistic.h"
#include "xmalloc.h"

#define LBFGS_M 10
#define MAXLS 20

static double
maxabs(const double *g, size_t d)
{
	double m = 0;

	for (size_t i = 0; i < d; i++) {
		if (isnan(g[i]))
			return NAN;
		m = fmax(m, fabs(g[i]));
	}
	return m;
}

struct ls {
	struct logit *lg;
	const double *x, *d;
	double *xt, *gt; /* the trial point and its gradient */
	size_t dim;
	double f0, dg0;
	int nev;
};

static double
ls_eval(struct ls *s, double a, double *dg)
{
	for (size_t i = 0; i < s->dim; i++)
		s->xt[i] = s->x[i] + a * s->d[i];
	s->nev++;
	double f = mlk_logit_eval(s->lg, s->xt, s->gt, NULL);
	*dg = mlk_fit_dot(s->gt, s->d, s->dim);
	return f;
}

/*
 * Near the minimum f changes by less than its rounding error and the
 * sufficient decrease test becomes noise: accept, as Hager and Zhang's
 * approximate Wolfe conditions do, a step where f is within rounding of
 * f0 and the slope has shrunk enough.
 */
static int
approx_wolfe(const struct ls *s, double fa, double dga)
{
	const double c1 = 1e-4, c2 = 0.9;

	return fa <= s->f0 + 1e-12 * fabs(s->f0) &&
	    dga <= (2 * c1 - 1) * s->dg0 && fabs(dga) <= -c2 * s->dg0;
}

/* Minimiser of the cubic through (a, fa, da) and (b, fb, db). */
static double
cubic(double a, double fa, double da, double b, double fb, double db)
{
	double d1 = da + db - 3 * (fa - fb) / (a - b);
	double r = d1 * d1 - da * db, d2;

	if (!(r >= 0))
		return NAN;
	d2 = (b > a ? 1 : -1) * sqrt(r);
	return b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
}

/*
 * Strong Wolfe line search (Nocedal and Wright, algorithms 3.5 and 3.6).
 * Returns 0 with s->xt, s->gt, *f at the accepted step, -1 when none.
 */
static int
wolfe(struct ls *s, double a, double *f)
{
	const double c1 = 1e-4, c2 = 0.9;
	double ap = 0, fp = s->f0, dgp = s->dg0, fa, dga;
	double lo, hi, flo, fhi, dglo, dghi;

	for (;;) {
		fa = ls_eval(s, a, &dga);
		if (isfinite(fa) && approx_wolfe(s, fa, dga)) {
			*f = fa;
			return 0;
		}
		if (!isfinite(fa) || fa > s->f0 + c1 * a * s->dg0 ||
		    (s->nev > 1 && fa >= fp)) {
			lo = ap, flo = fp, dglo = dgp;
			hi = a, fhi = fa, dghi = dga;
			break;
		}
		if (fabs(dga) <= -c2 * s->dg0) {
			*f = fa;
			return 0;
		}
		if (dga >= 0) {
			lo = a, flo = fa, dglo = dga;
			hi = ap, fhi = fp, dghi = dgp;
			break;
		}
		if (s->nev >= MAXLS) {
			*f = fa; /* sufficient decrease holds */
			return 0;
		}
		ap = a, fp = fa, dgp = dga;
		a *= 4;
	}
	while (s->nev < MAXLS) {
		double w = hi - lo, at = NAN;

		if (isfinite(fhi))
			at = cubic(lo, flo, dglo, hi, fhi, dghi);
		if (!isfinite(at) || (at - lo) / w < 0.1 || (hi - at) / w < 0.1)
			at = lo + 0.5 * w;
		fa = ls_eval(s, at, &dga);
		if (isfinite(fa) && approx_wolfe(s, fa, dga)) {
			*f = fa;
			return 0;
		}
		if (!isfinite(fa) || fa > s->f0 + c1 * at * s->dg0 ||
		    fa >= flo) {
			hi = at, fhi = fa, dghi = dga;
		} else {
			if (fabs(dga) <= -c2 * s->dg0) {
				*f = fa;
				return 0;
			}
			if (dga * (hi - lo) >= 0)
				hi = lo, fhi = flo, dghi = dglo;
			lo = at, flo = fa, dglo = dga;
		}
	}
	/* Out of evaluations: the best point with sufficient decrease. */
	if (lo > 0 && flo < s->f0) {
		fa = ls_eval(s, lo, &dga);
		*f = fa;
		return 0;
	}
	return -1;
}

void
mlk_logit_lbfgs(struct logit *lg, const struct mlk_fit_opts *o, double *x,
    struct mlk_fit *out)
{
	size_t dim = lg->d, m = 0, head = 0;
	double *g = xmalloc(dim * sizeof(double));
	double *dir = xmalloc(dim * sizeof(double));
	double *xt = xmalloc(dim * sizeof(double));
	double *gt = xmalloc(dim * sizeof(double));
	double *S = xmalloc(LBFGS_M * dim * sizeof(double));
	double *Y = xmalloc(LBFGS_M * dim * sizeof(double));
	double rho[LBFGS_M], al[LBFGS_M];
	double ftol = fmin(2.220446049250313e-09, o->tol * o->tol);
	double f = mlk_logit_eval(lg, x, g, NULL);
	int it = 0;

	lg->bad = !isfinite(f) || !isfinite(maxabs(g, dim));
	out->converged = lg->bad || maxabs(g, dim) <= o->tol;
	while (!out->converged && it < o->max_iter) {
		double gamma = 1, a0 = 1, fn, dg0;
		struct ls s;

		/* two-loop recursion: dir = -H g */
		for (size_t i = 0; i < dim; i++)
			dir[i] = -g[i];
		for (size_t t = 0; t < m; t++) {
			size_t j = (head + LBFGS_M - 1 - t) % LBFGS_M;

			al[j] = rho[j] * mlk_fit_dot(S + j * dim, dir, dim);
			mlk_fit_axpy(dim, -al[j], Y + j * dim, dir);
		}
		if (m > 0) {
			size_t j = (head + LBFGS_M - 1) % LBFGS_M;

			gamma = mlk_fit_dot(S + j * dim, Y + j * dim, dim) /
			    mlk_fit_dot(Y + j * dim, Y + j * dim, dim);
		}
		for (size_t i = 0; i < dim; i++)
			dir[i] *= gamma;
		for (size_t t = m; t-- > 0;) {
			size_t j = (head + LBFGS_M - 1 - t) % LBFGS_M;
			double b = rho[j] * mlk_fit_dot(Y + j * dim, dir, dim);

			mlk_fit_axpy(dim, al[j] - b, S + j * dim, dir);
		}
		dg0 = mlk_fit_dot(g, dir, dim);
		if (!(dg0 < 0)) { /* not a descent direction: restart */
			m = 0;
			for (size_t i = 0; i < dim; i++)
				dir[i] = -g[i];
			dg0 = mlk_fit_dot(g, dir, dim);
		}
		if (m == 0)
			a0 = fmin(1, 1 / sqrt(mlk_fit_dot(dir, dir, dim)));
		s = (struct ls){ lg, x, dir, xt, gt, dim, f, dg0, 0 };
		if (wolfe(&s, a0, &fn) < 0)
			break; /* no progress along dir: give up */
		it++;
		{
			double *sj = S + head * dim, *yj = Y + head * dim, sy;

			for (size_t i = 0; i < dim; i++) {
				sj[i] = xt[i] - x[i];
				yj[i] = gt[i] - g[i];
			}
			sy = mlk_fit_dot(sj, yj, dim);
			if (sy > DBL_EPSILON * mlk_fit_dot(yj, yj, dim)) {
				rho[head] = 1 / sy;
				head = (head + 1) % LBFGS_M;
				if (m < LBFGS_M)
					m++;
			}
		}
		memcpy(x, xt, dim * sizeof(double));
		memcpy(g, gt, dim * sizeof(double));
		if (o->on_iter)
			o->on_iter(o->ctx, it, lg->C * fn);
		/* a measurable decrease that is too small; none at all
		   (rounding, an approximate Wolfe step) leaves it to g */
		if (maxabs(g, dim) <= o->tol ||
		    (f - fn > 0 &&
		        (f - fn) / fmax(fmax(fabs(f), fabs(fn)), 1) <= ftol))
			out->converged = 1;
		f = fn;
	}
	out->iterations = it;
	free(g);
	free(dir);
	free(xt);
	free(gt);
	free(S);
	free(Y);
}

void
mlk_logit_newton(struct logit *lg, const struct mlk_fit_opts *o, double *x,
    struct mlk_fit *out)
{
	size_t d = lg->d, kp = lg->k * lg->p;
	double *g = xmalloc(d * sizeof(double));
	double *H = xmalloc(d * d * sizeof(double));
	double *step = xmalloc(d * sizeof(double));
	double *xt = xmalloc(d * sizeof(double));
	double *gt = xmalloc(d * sizeof(double));
	double *Ht = xmalloc(d * d * sizeof(double));
	double f = mlk_logit_eval(lg, x, g, H);
	int it = 0;

	lg->bad = !isfinite(f) || !isfinite(maxabs(g, d));
	out->converged = lg->bad;
	while (!out->converged) {
		double t = 1, fn = f, dg, *sw;
		int ok = 0, solved;

		/*
		 * Multinomial intercepts: the loss does not change when they
		 * all move together, so H is singular along that direction;
		 * adding s e e' there is harmless (g is orthogonal to e) and
		 * keeps the step's intercepts summing to zero.
		 */
		if (lg->k > 1 && lg->fit_intercept) {
			double s = 0;

			for (size_t c = 0; c < lg->k; c++)
				s += H[(kp + c) * d + kp + c];
			s /= (double)lg->k;
			for (size_t c = 0; c < lg->k; c++)
				for (size_t e = 0; e < lg->k; e++)
					H[(kp + c) * d + kp + e] += s;
		}
		for (size_t i = 0; i < d; i++)
			step[i] = -g[i];
		solved = LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', (lapack_int)d, 1,
		             H, (lapack_int)d, step, (lapack_int)d) == 0;
		if (!solved)
			for (size_t i = 0; i < d; i++)
				step[i] = -g[i];
		dg = mlk_fit_dot(g, step, d);
		if (maxabs(g, d) <= o->tol) {
			/*
			 * Converged. The next Newton step is at hand: when
			 * its decrement g'H^-1 g is tiny, the quadratic model
			 * holds and the step squares the error at no cost
			 * (no pass over the rows): the optimum to about
			 * machine precision rather than to tol.
			 */
			if (solved && -dg <= 1e-4)
				for (size_t i = 0; i < d; i++)
					x[i] += step[i];
			out->converged = 1;
			break;
		}
		if (it >= o->max_iter)
			break;
		/*
		 * The trial point's Hessian comes in the same pass as its
		 * loss and gradient: the full step is nearly always taken,
		 * so that is one pass over the rows per iteration.
		 */
		for (int bt = 0; bt < 40; bt++, t *= 0.5) {
			for (size_t i = 0; i < d; i++)
				xt[i] = x[i] + t * step[i];
			fn = mlk_logit_eval(lg, xt, gt, Ht);
			/* or, within rounding of f, a smaller gradient */
			if (fn <= f + 1e-4 * t * dg ||
			    (fn <= f + 1e-12 * fabs(f) &&
			        maxabs(gt, d) < maxabs(g, d))) {
				ok = 1;
				break;
			}
		}
		if (!ok)
			break;
		it++;
		memcpy(x, xt, d * sizeof(double));
		memcpy(g, gt, d * sizeof(double));
		sw = H, H = Ht, Ht = sw;
		f = fn;
		if (o->on_iter)
			o->on_iter(o->ctx, it, lg->C * f);
	}
	out->iterations = it;
	free(g);
	free(H);
	free(Ht);
	free(step);
	free(xt);
	free(gt);
}
