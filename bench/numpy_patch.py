#!/usr/bin/python3
"""numpy_patch.py — the CPU peer anyone writes with numpy: per kernel, its patch (the box of its
cutoff ellipse, or of 11.75 sigma without a cutoff, as gaussmap's CPU backend uses), the formula
evaluated on that patch with vectorized numpy (float64), folded into the field. Point sampling
only; one thread. Not shipped in the binary: a peer for `gaussmap bench`, on the same scenes.

    gaussmap bench --write-cases /tmp/cases            # the bench's cases as scene files
    /usr/bin/python3 bench/numpy_patch.py /tmp/cases/*.json [--repeats N] [--json]
    /usr/bin/python3 bench/numpy_patch.py SCENE.json --check FIELD.npy   # agreement, max |diff|

Times are medians over the repeats after one warm-up run, like `gaussmap bench`; JSON rows carry
`case` (the file name without .json), `backend` ("numpy-patch") and `median_ms`.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import numpy as np

NUMERICAL_RADIUS = math.sqrt(138.0)  # exp(-138/2) = 1e-30: gaussmap's box without a cutoff


def grid(scene):
    w, h = scene["width"], scene["height"]
    dom = scene.get("domain", {})
    x0, x1 = dom.get("x", [0, w - 1])
    y0, y1 = dom.get("y", [0, h - 1])
    dx = (x1 - x0) / (w - 1) if w > 1 else 1.0
    dy = (y1 - y0) / (h - 1) if h > 1 else 1.0
    return x0, y0, dx, dy


def covariance(k):
    if "covariance" in k:
        (a, b), (_, c) = k["covariance"]
        return a, b, c
    sx, sy = k["sigma"] if isinstance(k["sigma"], list) else (k["sigma"], k["sigma"])
    deg = math.fmod(k.get("angle_deg", 0.0), 180.0)
    deg += 180.0 if deg < 0 else 0.0
    if deg == 0.0:
        return sx * sx, 0.0, sy * sy
    if deg == 90.0:
        return sy * sy, 0.0, sx * sx
    t = math.radians(deg)
    cs, sn = math.cos(t), math.sin(t)
    return (cs * cs * sx * sx + sn * sn * sy * sy, cs * sn * (sx * sx - sy * sy),
            sn * sn * sx * sx + cs * cs * sy * sy)


def index_range(c, half, g0, d, n):
    """Indices i in [0, n) with |g0 + i d - c| <= half, padded by one."""
    if d == 0:
        return (0, n) if abs(g0 - c) <= half else (0, 0)
    a, b = (c - half - g0) / d, (c + half - g0) / d
    a, b = min(a, b), max(a, b)
    lo, hi = max(math.ceil(a) - 1, 0), min(math.floor(b) + 1, n - 1)
    return (lo, hi + 1) if lo <= hi else (0, 0)


def render(scene):
    if scene.get("sampling", "point") != "point":
        raise ValueError("numpy_patch: point sampling only")
    w, h = scene["width"], scene["height"]
    x0, y0, dx, dy = grid(scene)
    combine = scene.get("combine", "sum")
    cutoff = scene.get("cutoff_sigma")
    pdf = scene.get("normalization", "pdf") == "pdf"
    xs, ys = x0 + np.arange(w) * dx, y0 + np.arange(h) * dy
    field = np.zeros((h, w))
    kernels = [k for k in scene["kernels"] if k.get("visible", True)]
    reached = np.zeros((h, w), dtype=np.int32) if combine == "max" else None
    if combine == "max":
        field[:] = -np.inf
    radius = cutoff if cutoff is not None else NUMERICAL_RADIUS
    for k in kernels:
        a, b, c = covariance(k)
        det = a * c - b * b
        ia, ib, ic = c / det, -b / det, a / det
        wgt = k.get("weight", 1.0)
        amp = wgt / (2 * math.pi * math.sqrt(det)) if pdf else wgt
        cx, cy = k["center"]
        c0, c1 = index_range(cx, radius * math.sqrt(a), x0, dx, w)
        r0, r1 = index_range(cy, radius * math.sqrt(c), y0, dy, h)
        if c0 >= c1 or r0 >= r1:
            continue
        ux = xs[c0:c1][None, :] - cx
        uy = ys[r0:r1][:, None] - cy
        d2 = ia * ux * ux + 2 * ib * ux * uy + ic * uy * uy
        v = amp * np.exp(-0.5 * d2)
        inside = d2 <= cutoff * cutoff if cutoff is not None else np.ones_like(d2, dtype=bool)
        patch = field[r0:r1, c0:c1]
        if combine == "sum":
            patch += np.where(inside, v, 0.0)
        elif combine == "max":
            np.maximum(patch, np.where(inside, v, -np.inf), out=patch)
            reached[r0:r1, c0:c1] += inside
        else:  # prob_or: acc += v (1 - acc)
            cl = np.clip(np.where(inside, v, 0.0), 0.0, 1.0)
            patch += cl * (1.0 - patch)
    if combine == "max":  # a kernel that misses a pixel folds in its 0; no kernel at all gives 0
        field = np.where(reached < len(kernels), np.maximum(field, 0.0), field)
        field[np.isinf(field)] = 0.0
    return field.astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenes", nargs="+")
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--check", metavar="NPY", help="print max |numpy - NPY| / max |NPY|")
    args = ap.parse_args()
    rows = []
    for path in args.scenes:
        with open(path) as f:
            scene = json.load(f)
        name = os.path.basename(path).removesuffix(".json")
        try:
            field = render(scene)  # warm-up
        except ValueError as e:
            rows.append({"case": name, "backend": "numpy-patch", "median_ms": None,
                         "note": str(e)})
            continue
        if args.check:
            ref = np.load(args.check)
            print(f"{name}: max |numpy - npy| / peak = "
                  f"{np.abs(field - ref).max() / max(np.abs(ref).max(), 1e-300):.3g}",
                  file=sys.stderr)
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            render(scene)
            times.append((time.perf_counter() - t0) * 1e3)
        rows.append({"case": name, "backend": "numpy-patch", "median_ms": statistics.median(times),
                     "repeats": args.repeats})
    if args.json:
        print(json.dumps({"rows": rows}, indent=2))
        return
    print(f"{'case':<18} {'backend':<12} {'median_ms':>10}  note")
    for r in rows:
        ms = f"{r['median_ms']:10.3f}" if r["median_ms"] is not None else f"{'-':>10}"
        print(f"{r['case']:<18} {r['backend']:<12} {ms}  {r.get('note', '')}")


if __name__ == "__main__":
    main()
