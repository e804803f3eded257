#!/usr/bin/python3
"""Prints the scipy-computed numbers that tests/core/test_reference.cpp asserts.

Run with Debian's /usr/bin/python3 (apt-get install python3-scipy). Not used at build or test time:
the numbers it prints are committed in the test.
"""
import numpy as np
from scipy import integrate, stats

np.set_printoptions(precision=17)

def p(name, v):
    print(f"{name} = {float(v)!r}")

# 1. Rotated covariance pdf at points (scipy multivariate_normal).
cov = np.array([[4.0, 1.5], [1.5, 2.0]])
mvn = stats.multivariate_normal(mean=[1.0, -2.0], cov=cov)
for pt in [(1.0, -2.0), (2.5, -1.0), (-1.0, -3.5), (4.0, 0.0)]:
    p(f"cov_pdf{pt}", mvn.pdf(pt))

# sigma + angle: sx=3, sy=1, 30 degrees -> covariance R diag R^T
t = np.deg2rad(30.0)
R = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
cov2 = R @ np.diag([9.0, 1.0]) @ R.T
mvn2 = stats.multivariate_normal(mean=[10.0, 5.0], cov=cov2)
for pt in [(12.0, 6.0), (8.0, 6.0), (10.0, 5.0)]:
    p(f"angle_pdf{pt}", mvn2.pdf(pt))

# 2. linspace grid [-3,3] x [-2,2], 7x5, one kernel, the full field (row 0 = y0 = -2).
xs = np.linspace(-3, 3, 7)
ys = np.linspace(-2, 2, 5)
X, Y = np.meshgrid(xs, ys)
mvn3 = stats.multivariate_normal(mean=[0.5, -0.25], cov=[[1.0, 0.3], [0.3, 0.5]])
F = mvn3.pdf(np.dstack([X, Y]))
print("linspace_field =", [float(v) for v in F.ravel()])

# arange grid (pixel indices), 6x4, isotropic sigma 1.5 at (2.2, 1.7), peak normalization
xs = np.arange(6)
ys = np.arange(4)
X, Y = np.meshgrid(xs, ys)
G = np.exp(-((X - 2.2) ** 2 + (Y - 1.7) ** 2) / (2 * 1.5 ** 2))
print("arange_peak_field =", [float(v) for v in G.ravel()])

# 3. prob_or of the seed's formula at points: 1 - (1 - p1)(1 - p2), peak kernels
k1 = lambda x, y: 0.6 * np.exp(-0.5 * (((x - 320) / 45) ** 2 + ((y - 240) / 75) ** 2))
k2 = lambda x, y: 0.9 * np.exp(-0.5 * (((x - 335) / 18) ** 2 + ((y - 215) / 18) ** 2))
for pt in [(320, 240), (335, 215), (300, 300), (400, 150)]:
    a, b = k1(*pt), k2(*pt)
    p(f"prob_or{pt}", 1 - (1 - a) * (1 - b))

# 4. Area sampling, axis aligned: mean over the cell = products of normal-CDF differences / area.
def cell_mean_axis(cx, cy, sx, sy, x, y, cw, ch):
    px = stats.norm.cdf(x + cw / 2, cx, sx) - stats.norm.cdf(x - cw / 2, cx, sx)
    py = stats.norm.cdf(y + ch / 2, cy, sy) - stats.norm.cdf(y - ch / 2, cy, sy)
    return px * py / (cw * ch)
for args in [(0.0, 0.0, 0.3, 0.5, 0.0, 0.0, 1.0, 1.0), (0.0, 0.0, 0.3, 0.5, 1.0, 0.0, 1.0, 1.0),
             (2.0, 3.0, 5.0, 2.0, 4.0, 1.0, 1.0, 1.0), (0.0, 0.0, 0.2, 0.2, 0.5, 0.5, 1.0, 1.0)]:
    p(f"area_axis{args}", cell_mean_axis(*args))

# 5. Area sampling, rotated: dblquad of the scipy pdf over the cell / area, tight tolerances.
def cell_mean_rot(mean, cov, x, y, cw, ch):
    m = stats.multivariate_normal(mean=mean, cov=cov)
    v, err = integrate.dblquad(lambda yy, xx: m.pdf([xx, yy]), x - cw / 2, x + cw / 2,
                               y - ch / 2, y + ch / 2, epsabs=1e-14, epsrel=1e-12)
    return v / (cw * ch)
for args in [([0.0, 0.0], [[0.3, 0.2], [0.2, 0.5]], 0.0, 0.0, 1.0, 1.0),
             ([0.0, 0.0], [[0.3, 0.2], [0.2, 0.5]], 1.0, 0.0, 1.0, 1.0),
             ([0.2, 0.1], [[4.0, -1.5], [-1.5, 1.0]], 1.0, -1.0, 1.0, 1.0),
             ([0.5, 0.5], [[0.04, 0.035], [0.035, 0.04]], 0.0, 0.0, 1.0, 1.0)]:
    p(f"area_rot{args}", cell_mean_rot(*args))
