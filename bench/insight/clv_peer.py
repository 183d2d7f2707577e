#!/usr/bin/env python3
"""The CLV benchmark's peer: what the `lifetimes` package does, with NumPy and SciPy (Debian's
python3-numpy and python3-scipy; PyPI is not reachable here). BG/NBD and Gamma-Gamma
log-likelihoods vectorised over customers, minimised by scipy.optimize.minimize (BFGS) with
exact gradients (lifetimes gets them from autograd), then every customer scored: P(alive),
expected purchases over 12 months and the discounted CLV month by month, as lifetimes'
customer_lifetime_value. Prints one JSON line with the timings and parameters.

    clv_peer.py FILE.csv        # customer,x,t_x,T,monetary (bench/insight/clv_bench.cc --csv)
"""
import json
import sys
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import digamma, gammaln, hyp2f1


def bgnbd_nll(theta, x, tx, T):
    r, alpha, a, b = np.exp(theta)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    u = -(r + x) * np.log(alpha + T)
    v = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + tx), -np.inf)
    m = np.maximum(u, v)
    eu, ev = np.exp(u - m), np.exp(v - m)
    ll = a1 + a2 + m + np.log(eu + ev)
    wu = eu / (eu + ev)
    wv = 1 - wu
    dr = digamma(r + x) - digamma(r) + np.log(alpha) - wu * np.log(alpha + T) - wv * np.log(alpha + tx)
    dalpha = r / alpha - (r + x) * (wu / (alpha + T) + wv / (alpha + tx))
    da = digamma(a + b) - digamma(a + b + x) + wv / a
    db = digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x) - np.where(x > 0, wv / np.maximum(b + x - 1, 1e-300), 0)
    n = len(x)
    grad = -np.array([dr.sum() * r, dalpha.sum() * alpha, da.sum() * a, db.sum() * b]) / n
    return -ll.sum() / n, grad


def gg_nll(theta, x, m):
    p, q, g = np.exp(theta)
    px = p * x
    lgm = np.log(g + x * m)
    ll = gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(g) + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * lgm
    dp = x * (digamma(px + q) - digamma(px) + np.log(m) + np.log(x) - lgm)
    dq = digamma(px + q) - digamma(q) + np.log(g) - lgm
    dg = q / g - (px + q) / (g + x * m)
    n = len(x)
    return -ll.sum() / n, -np.array([dp.sum() * p, dq.sum() * q, dg.sum() * g]) / n


def expected_purchases(params, t, x, tx, T):
    r, alpha, a, b = params
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    num = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
    den = 1 + (x > 0) * (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x)
    return num / den


def main():
    data = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1)
    x, tx, T, monetary = data[:, 1], data[:, 2], data[:, 3], data[:, 4]
    start = time.perf_counter()
    fit = minimize(bgnbd_nll, [0.0, np.log(T.mean()), 0.0, 0.0], args=(x, tx, T), jac=True, method='BFGS', options={'gtol': 1e-9})
    bg = np.exp(fit.x)
    fit_bgnbd = time.perf_counter() - start
    t1 = time.perf_counter()
    rep = (x > 0) & (monetary > 0)
    gfit = minimize(gg_nll, [np.log(2), np.log(2), np.log(monetary[rep].mean() / 2)], args=(x[rep], monetary[rep]), jac=True, method='BFGS', options={'gtol': 1e-9})
    p, q, g = np.exp(gfit.x)
    fit_gg = time.perf_counter() - t1
    t2 = time.perf_counter()
    r, alpha, a, b = bg
    p_alive = np.where(x > 0, 1 / (1 + (a / np.maximum(b + x - 1, 1e-300)) * ((alpha + T) / (alpha + tx)) ** (r + x)), 1.0)
    spend = np.where(rep, p * (g + x * monetary) / (p * x + q - 1), p * g / (q - 1))
    month = 365.25 / 12 / 7
    clv = np.zeros_like(x)
    prev = np.zeros_like(x)
    for i in range(1, 13):
        cum = expected_purchases(bg, i * month, x, tx, T)
        clv += (cum - prev) * spend / 1.01 ** i
        prev = cum
    score = time.perf_counter() - t2
    total = time.perf_counter() - start
    print(json.dumps({
        'customers': len(x), 'fit_bgnbd_s': round(fit_bgnbd, 3), 'fit_gamma_gamma_s': round(fit_gg, 3),
        'score_s': round(score, 3), 'total_s': round(total, 3),
        'bgnbd': {'r': round(r, 4), 'alpha': round(alpha, 4), 'a': round(a, 4), 'b': round(b, 4), 'll': round(-fit.fun * len(x), 2), 'iterations': int(fit.nit)},
        'gamma_gamma': {'p': round(p, 4), 'q': round(q, 4), 'gamma': round(g, 4)},
        'mean_clv_12m': round(float(clv.mean()), 4), 'mean_p_alive': round(float(p_alive.mean()), 4),
    }))


if __name__ == '__main__':
    main()
