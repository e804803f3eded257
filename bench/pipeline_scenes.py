#!/usr/bin/env python3
"""pipeline_scenes.py — writes the scenes that time `gaussmap render` as a whole process
(bench/pipeline.sh): tiny (4x4, 1 kernel), points (800x400, 3 kernels), k64 (1920x1080, 64 kernels,
sigma 20..120 px, no cutoff) and k50k (4000x3000, 50,000 kernels, sigma 2..8 px, cutoff 3).
Deterministic (fixed seeds), standard library only. Usage: pipeline_scenes.py OUT_DIR"""
import json
import os
import random
import sys


def kernels(n, w, h, smin, smax, seed):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        out.append({"center": [round(rng.uniform(0, w - 1), 3), round(rng.uniform(0, h - 1), 3)],
                    "sigma": [round(rng.uniform(smin, smax), 3), round(rng.uniform(smin, smax), 3)],
                    "weight": round(rng.uniform(0.5, 1.5), 3)})
    return out


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    scenes = {
        "tiny": {"width": 4, "height": 4,
                 "kernels": [{"center": [1.5, 1.5], "sigma": [1, 1]}]},
        "points": {"width": 800, "height": 400, "normalization": "pdf", "combine": "sum",
                   "kernels": [{"center": [100, 100], "sigma": [8, 8]},
                               {"center": [300, 100], "sigma": [8, 8]},
                               {"center": [600, 300], "sigma": [8, 8]}],
                   "view": {"colormap": "turbo", "range": "auto", "scale": "log"}},
        "k64": {"width": 1920, "height": 1080, "kernels": kernels(64, 1920, 1080, 20, 120, 64)},
        "k50k": {"width": 4000, "height": 3000, "cutoff_sigma": 3,
                 "kernels": kernels(50000, 4000, 3000, 2, 8, 50000)},
    }
    for name, s in scenes.items():
        s = {"gaussmap": 1, **s}
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(s, f)


if __name__ == "__main__":
    main()
