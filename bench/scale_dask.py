#!/usr/bin/env python3
"""gaussmap.dask on a LocalCluster, written to Zarr, as docs/scale.md reports it: an N x N field
of K kernels (sigma 4..24 px, cutoff 3 sigma, peak, sum; the density of the CLI's 40000x30000 run)
in chunks of C x C, computed by 2 worker processes of 1 thread each and written with to_zarr.
Prints the wall time, the time per chunk (dask's task stream), each worker's peak memory, and a
spot check of chunks against gaussmap.render(window=...) in this process.

    PYTHONPATH=build/python /usr/bin/python3 bench/scale_dask.py --size 32768 --kernels 134000 \\
        --chunk 4096 --out /tmp/field.zarr

The same code runs on a real cluster: replace LocalCluster(...) by the scheduler's address,
Client("tcp://scheduler:8786"); nothing else changes (workers need gaussmap importable).
"""

import argparse
import resource
import shutil
import statistics
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=32768)
    ap.add_argument("--kernels", type=int, default=134000)
    ap.add_argument("--chunk", type=int, default=4096)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default="/tmp/gaussmap_scale.zarr")
    ap.add_argument("--scheduler", default=None, help="address of an existing dask scheduler")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--compare-whole", action="store_true",
                    help="only compare, in this process and one thread, the whole render's time "
                         "with the sum of the chunks' (grids up to 64 Mi pixels)")
    a = ap.parse_args()

    import gaussmap as gm
    import gaussmap.dask as gmd
    import zarr
    from distributed import Client, LocalCluster

    rng = np.random.default_rng(2026)
    n, k = a.size, a.kernels
    scene = gm.Scene(n, n, rng.uniform(0, n - 1, (k, 2)), sigma=rng.uniform(4, 24, (k, 2)),
                     angle_deg=rng.uniform(0, 180, k), weight=rng.uniform(0.2, 1.0, k),
                     normalization="peak", cutoff_sigma=3)
    if a.compare_whole:
        import dask
        whole_s, chunks_s = [], []
        for _ in range(3):
            t0 = time.perf_counter()
            whole = gm.render(scene, threads=1)
            whole_s.append(time.perf_counter() - t0)
            arr = gmd.render(scene, chunks=(a.chunk, a.chunk))
            blocks = arr.to_delayed()
            t0 = time.perf_counter()  # the chunks alone, not dask's final concatenation
            got = dask.compute(*blocks.ravel(), scheduler="synchronous")
            chunks_s.append(time.perf_counter() - t0)
        got = np.block([[got[i * blocks.shape[1] + j] for j in range(blocks.shape[1])]
                        for i in range(blocks.shape[0])])
        assert np.array_equal(got, whole)
        w, c = min(whole_s), min(chunks_s)
        print(f"{n}x{n}, {k} kernels, one thread: whole render {w:.2f} s, {arr.npartitions} "
              f"chunks of {a.chunk}x{a.chunk} {c:.2f} s (x{c / w:.2f}), bit-identical")
        return
    cluster = None
    if a.scheduler:
        client = Client(a.scheduler)
    else:
        cluster = LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, memory_limit=0)
        client = Client(cluster)
    t0 = time.perf_counter()
    arr = gmd.render(scene, chunks=(a.chunk, a.chunk))
    t_graph = time.perf_counter() - t0
    sizes = [len(task[2]) for task in dict(arr.dask).values()]
    client.get_task_stream()  # start recording
    t0 = time.perf_counter()
    arr.to_zarr(a.out, overwrite=True)
    wall = time.perf_counter() - t0
    stream = client.get_task_stream()
    chunk_s = []
    for ev in stream:
        if "_render_chunk" in str(ev.get("key", "")) or "gaussmap-render" in str(ev.get("key", "")):
            for st in ev.get("startstops", []):
                if st.get("action") == "compute":
                    chunk_s.append(st["stop"] - st["start"])
    peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    z = zarr.open(a.out, mode="r")
    ok = 0
    for (r0, c0) in [(0, 0), (n // 2, n // 3), (n - a.chunk, n - a.chunk)]:
        win = gm.render(scene, window=(r0, c0, 256, 256))
        assert np.array_equal(z[r0:r0 + 256, c0:c0 + 256], win)
        ok += 1
    print(f"{n}x{n}, {k} kernels, chunks {a.chunk}x{a.chunk} ({len(sizes)} tasks, "
          f"{a.workers} worker processes x 1 thread): graph {t_graph:.2f} s, "
          f"to_zarr wall {wall:.1f} s")
    print(f"kernels per task: mean {statistics.mean(sizes):.0f}, max {max(sizes)} of {k}")
    if chunk_s:
        print(f"render+write time per chunk (dask compute): median {statistics.median(chunk_s):.2f} s, "
              f"max {max(chunk_s):.2f} s over {len(chunk_s)} tasks")
    for w, kib in peaks.items():
        print(f"worker {w}: peak RSS {kib / 1024:.0f} MiB")
    print(f"spot check: {ok} windows of 256x256 equal gaussmap.render(window=...) bit for bit; "
          f"zarr {z.shape} {z.dtype}, chunks {z.chunks}")
    client.close()
    if cluster:
        cluster.close()
    if not a.keep:
        shutil.rmtree(a.out, ignore_errors=True)


if __name__ == "__main__":
    main()
