#!/usr/bin/env python3
"""In-process benchmarks of the Python module against what a Python user writes without it,
each pair timed in the same run (median of repeats; ratios are what to compare):

1. the seed question: the scipy answer (a sum of multivariate_normal(...).pdf over an mgrid,
   README's code) against gaussmap.render, 800x400, two kernels and three kernels;
2. pose targets: 6 people x 17 keypoints at 64x64, sigma 2 — an mmpose-style numpy loop (a patch
   per keypoint, max-combined; written here from the published rule; also a faster variant that
   computes the patch once) against
   gaussmap.keypoint_heatmaps(encoding="msra"), and a batch of 32 samples against
   keypoint_heatmaps_batch; torch on the CPU where it is installed.

    PYTHONPATH=build/python /usr/bin/python3 bench/bench_python.py [--repeats N] [--json]
"""

import argparse
import json
import statistics
import time

import numpy as np
from scipy.stats import multivariate_normal

import gaussmap as gm


def timeit(fn, repeats, min_time=0.2):
    """Median seconds per call over `repeats` rounds (each round loops to at least min_time/10)."""
    fn()  # warm-up
    t0 = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t0, 1e-7)
    loops = max(1, int(min_time / 10 / one))
    rounds = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(loops):
            fn()
        rounds.append((time.perf_counter() - t0) / loops)
    return statistics.median(rounds)


def scipy_seed(centers, cov, W, H):
    ys, xs = np.mgrid[0:H, 0:W]
    pos = np.dstack([xs, ys])
    return sum(multivariate_normal(mean=c, cov=cov).pdf(pos) for c in centers)


def mmpose_style_msra(keypoints, visible, W, H, sigma, patch_once=False):
    """A patch per keypoint, the MSRA rule: centre int(x + 0.5), radius 3 sigma, max-combined.
    As mmpose does, the Gaussian patch is computed for every keypoint; patch_once=True computes it
    once per call instead (a faster peer than mmpose itself)."""
    N, K, _ = keypoints.shape
    maps = np.zeros((K, H, W), np.float32)
    weights = visible.astype(np.float32).copy()
    r = 3 * sigma
    g = np.arange(0, 2 * r + 1, 1, dtype=np.float32)
    c = (2 * r + 1) // 2

    def make_patch():
        return np.exp(-((g[None, :] - c) ** 2 + (g[:, None] - c) ** 2) / (2 * sigma ** 2))

    once = make_patch() if patch_once else None
    for n in range(N):
        for k in range(K):
            if visible[n, k] < 0.5:
                continue
            mx, my = (keypoints[n, k] + 0.5).astype(np.int64)
            x0, y0 = int(mx - r), int(my - r)
            x1, y1 = int(mx + r + 1), int(my + r + 1)
            if x0 >= W or y0 >= H or x1 < 0 or y1 < 0:
                weights[n, k] = 0
                continue
            hx0, hx1, hy0, hy1 = max(0, x0), min(W, x1), max(0, y0), min(H, y1)
            patch = once if patch_once else make_patch()
            sub = patch[hy0 - y0:hy1 - y0, hx0 - x0:hx1 - x0]
            np.maximum(maps[k, hy0:hy1, hx0:hx1], sub, out=maps[k, hy0:hy1, hx0:hx1])
    return maps, weights


def torch_targets(torch, kp, W, H, sigma):
    """Dense torch version (what a torch user writes): every keypoint over the whole grid."""
    ys = torch.arange(H, dtype=torch.float32)[:, None]
    xs = torch.arange(W, dtype=torch.float32)[None, :]
    k = torch.from_numpy(kp.astype(np.float32))  # (N, K, 2)
    d2 = (xs - k[..., 0, None, None]) ** 2 + (ys - k[..., 1, None, None]) ** 2
    g = torch.exp(-d2 / (2 * sigma * sigma)) * (d2 <= (3 * sigma) ** 2)
    return g.amax(dim=0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--json", action="store_true", help="one JSON object per row")
    a = ap.parse_args()
    rows = []

    def row(case, impl, seconds, peer=None):
        r = {"case": case, "impl": impl, "median_ms": seconds * 1e3}
        if peer is not None:
            r["speedup_vs_peer"] = peer / seconds
        rows.append(r)

    # 1. The seed question.
    W, H = 800, 400
    for centers in ([(300, 200), (500, 200)], [(100, 100), (300, 100), (600, 300)]):
        case = f"seed {W}x{H}, {len(centers)} kernels, sigma 8, pdf sum"
        scene = gm.Scene(W, H, centers, sigma=8)
        ref = scipy_seed(centers, 64, W, H)
        err = np.abs(gm.render(scene) - ref).max() / ref.max()
        t_scipy = timeit(lambda: scipy_seed(centers, 64, W, H), a.repeats)
        row(case, "scipy (README's lines)", t_scipy)
        out = np.empty((H, W), np.float32)
        for threads in (1, None):
            t = timeit(lambda: gm.render(scene, threads=threads), a.repeats)
            row(case, f"gaussmap.render cpu, threads={threads}", t, t_scipy)
        t = timeit(lambda: gm.render(scene, out=out, threads=1), a.repeats)
        row(case, "gaussmap.render cpu, threads=1, out=", t, t_scipy)
        rows[-1]["max_err_rel_peak_vs_scipy"] = float(err)

    # 2. Keypoint targets.
    rng = np.random.default_rng(0)
    N, K, S, sigma = 6, 17, 64, 2.0
    kp = rng.uniform(0, S, (N, K, 2)).astype(np.float32)
    vis = (rng.uniform(0, 1, (N, K)) > 0.1).astype(np.float32)
    case = f"keypoints {N}x{K} at {S}x{S}, sigma {sigma}"
    m_ref, _ = mmpose_style_msra(kp, vis, S, S, sigma)
    m_got, _ = gm.keypoint_heatmaps(kp, (S, S), sigma, visible=vis, encoding="msra")
    t_loop = timeit(lambda: mmpose_style_msra(kp, vis, S, S, sigma), a.repeats)
    row(case, "numpy loop (mmpose style, msra)", t_loop)
    t_once = timeit(lambda: mmpose_style_msra(kp, vis, S, S, sigma, True), a.repeats)
    row(case, "numpy loop, msra, patch computed once", t_once, t_loop)
    for enc in ("msra", "udp", "exact"):
        t = timeit(lambda: gm.keypoint_heatmaps(kp, (S, S), sigma, visible=vis, encoding=enc),
                   a.repeats)
        row(case, f"gaussmap.keypoint_heatmaps {enc}", t, t_loop)
    rows[-3]["max_abs_diff_vs_loop"] = float(np.abs(m_got - m_ref).max())
    B = 32
    kpb = rng.uniform(0, S, (B, N, K, 2)).astype(np.float32)
    visb = np.ones((B, N, K), np.float32)
    caseb = f"batch of {B}: {N}x{K} at {S}x{S}"
    t_loopb = timeit(lambda: [mmpose_style_msra(kpb[b], visb[b], S, S, sigma) for b in range(B)],
                     max(3, a.repeats // 2))
    row(caseb, "numpy loop (mmpose style, msra)", t_loopb)
    for threads in (1, None):
        t = timeit(lambda: gm.keypoint_heatmaps_batch(kpb, (S, S), sigma, encoding="msra",
                                                      threads=threads), a.repeats)
        row(caseb, f"gaussmap.keypoint_heatmaps_batch msra, threads={threads}", t, t_loopb)
    try:
        import torch
        torch.set_num_threads(1)
        t = timeit(lambda: torch_targets(torch, kp, S, S, sigma), a.repeats)
        row(case, "torch CPU (dense, 1 thread)", t, t_loop)
    except ImportError:
        rows.append({"case": case, "impl": "torch CPU", "skipped": "torch is not installed"})

    if a.json:
        for r in rows:
            print(json.dumps(r))
        return
    print(f"{'case':44} {'implementation':52} {'median':>10}  {'vs peer':>8}")
    for r in rows:
        if "skipped" in r:
            print(f"{r['case']:44} {r['impl']:52} {'skipped':>10}  ({r['skipped']})")
            continue
        ms = r["median_ms"]
        sp = f"{r['speedup_vs_peer']:.0f}x" if "speedup_vs_peer" in r else "peer"
        print(f"{r['case']:44} {r['impl']:52} {ms:9.3f}ms  {sp:>8}")
        for key in ("max_err_rel_peak_vs_scipy", "max_abs_diff_vs_loop"):
            if key in r:
                print(f"{'':44}   {key} = {r[key]:.2e}")


if __name__ == "__main__":
    main()
