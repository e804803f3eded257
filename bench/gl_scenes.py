#!/usr/bin/python3
"""gl_scenes.py — scenes beyond `gaussmap bench`'s fixed cases for the GPU-vs-peers comparison
(bench/gl_peers.cpp): a few wide cut-off kernels, max with a cutoff, one small kernel on a
4096x4096 target, the 3-kernel points answer, 500 small prob_or kernels, 200 rotated kernels without
a cutoff, 3,000 small rotated cut-off kernels at 2048x2048. Deterministic (seed 7).
Usage: /usr/bin/python3 bench/gl_scenes.py OUTDIR, then
       build/bench/gaussmap_gl_peers --repeats 5 OUTDIR/*.json
"""
import json
import os
import random
import sys


def kernels(rng, n, w, h, smin, smax, rotated=False, wmin=0.5, wmax=1.5):
    out = []
    for _ in range(n):
        k = {"center": [rng.uniform(0, w - 1), rng.uniform(0, h - 1)],
             "sigma": [rng.uniform(smin, smax), rng.uniform(smin, smax)],
             "weight": rng.uniform(wmin, wmax)}
        if rotated:
            k["angle_deg"] = rng.uniform(0, 180)
        out.append(k)
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gl_scenes.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(7)

    def scene(name, w, h, ks, **extra):
        d = {"gaussmap": 1, "width": w, "height": h, "kernels": ks}
        d.update(extra)
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(d, f)

    scene("max-cut", 1920, 1080, kernels(rng, 40, 1920, 1080, 20, 80), combine="max",
          cutoff_sigma=3, normalization="peak")
    scene("sum-200-nocut", 1280, 720, kernels(rng, 200, 1280, 720, 10, 60, rotated=True))
    scene("probor-500-cut2", 1024, 768, kernels(rng, 500, 1024, 768, 4, 12), combine="prob_or",
          cutoff_sigma=2, normalization="peak")
    scene("sum-3k-cut3", 2048, 2048, kernels(rng, 3000, 2048, 2048, 2, 8, rotated=True),
          cutoff_sigma=3)
    scene("few-big-cut", 1920, 1080, kernels(rng, 5, 1920, 1080, 150, 300), cutoff_sigma=2.5)
    scene("points-800", 800, 400, kernels(rng, 3, 800, 400, 8, 8))
    scene("one-small", 4096, 4096, kernels(rng, 1, 4096, 4096, 5, 5), cutoff_sigma=3)


if __name__ == "__main__":
    main()
