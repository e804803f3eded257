"""The GIL is released while fields are computed (a second Python thread keeps running), two
threads may render at once, and 10,000 calls leak no references and no memory."""

import gc
import sys
import threading
import time

import numpy as np
import pytest

import gaussmap as gm


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4  # resident pages of 4 KiB


def count_during(call):
    """(counts, seconds, counts per second alone): how far a pure-Python counter thread gets
    while `call` runs in this thread, and how fast it counts while this thread sleeps."""
    box = {"n": 0, "stop": False}

    def spin():
        while not box["stop"]:
            box["n"] += 1

    old = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    t = threading.Thread(target=spin)
    t.start()
    try:
        n0, t0 = box["n"], time.perf_counter()
        time.sleep(0.2)
        rate = (box["n"] - n0) / (time.perf_counter() - t0)
        n0, t0 = box["n"], time.perf_counter()
        call()
        return box["n"] - n0, time.perf_counter() - t0, rate
    finally:
        box["stop"] = True
        t.join()
        sys.setswitchinterval(old)


@pytest.mark.parametrize("what", ["cpu", "reference", "keypoints"])
def test_gil_is_released_while_computing(what):
    s = gm.Scene(3000, 2000, np.random.default_rng(0).uniform(0, 3000, (2000, 2)), sigma=30,
                 angle_deg=30)
    if what == "keypoints":
        kp = np.random.default_rng(1).uniform(0, 256, (24, 6, 17, 2))
        call = lambda: gm.keypoint_heatmaps_batch(kp, (256, 256), 3.0, threads=1)  # noqa: E731
    elif what == "reference":
        call = lambda: gm.render(s, backend="reference", window=(0, 0, 2, 3000), threads=1)  # noqa
    else:
        call = lambda: gm.render(s, threads=1)  # noqa: E731
    during, seconds, rate = count_during(call)
    share = during / (rate * seconds)
    print(f"{what}: the call took {seconds * 1e3:.0f} ms; a Python thread ran {share:.0%} of its "
          f"solo speed meanwhile ({during} steps)")
    # Holding the GIL, the counter runs only around the call (a switch interval of 1 ms at each
    # end: a few percent of a call of 100 ms or more); released, it runs all along.
    assert seconds > 0.03
    assert share > 0.3


def test_two_threads_render_at_once():
    rng = np.random.default_rng(2)
    scenes = [gm.Scene(400, 300, rng.uniform(0, 400, (50, 2)), sigma=rng.uniform(2, 20, 50))
              for _ in range(2)]
    expect = [gm.render(s, threads=1) for s in scenes]
    got = [None, None]

    def work(i):
        for _ in range(5):
            got[i] = gm.render(scenes[i], threads=1)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert all(np.array_equal(g, e) for g, e in zip(got, expect))


def test_no_leaks_over_10000_calls():
    s = gm.Scene(32, 24, [(5, 5), (20, 10)], sigma=[2, 3], cutoff_sigma=3)
    out = np.zeros((24, 32), np.float32)
    kp = np.random.default_rng(3).uniform(0, 16, (2, 5, 2))
    bad = gm.Scene(8, 8, [(1, 1)], sigma=1)

    def calls():
        gm.render(s)
        gm.render(s, out=out)
        gm.render(s, window=(1, 2, 10, 12))
        gm.render(s, backend="reference", window=(0, 0, 2, 3))
        gm.keypoint_heatmaps(kp, (16, 16), 1.5, encoding="msra")
        gm.colorize(out)
        try:
            gm.render(bad, window=(0, 0, 9, 9))
        except ValueError:
            pass

    for _ in range(200):  # warm up caches and allocator pools
        calls()
    gc.collect()
    refs = (sys.getrefcount(s), sys.getrefcount(out), sys.getrefcount(kp), sys.getrefcount(bad))
    objects = len(gc.get_objects())
    rss = rss_kib()
    for _ in range(10_000):
        calls()
    gc.collect()
    grown = rss_kib() - rss
    print(f"10,000 rounds of 6 calls: RSS +{grown} KiB, gc objects "
          f"{objects} -> {len(gc.get_objects())}")
    assert (sys.getrefcount(s), sys.getrefcount(out), sys.getrefcount(kp),
            sys.getrefcount(bad)) == refs
    assert len(gc.get_objects()) - objects < 100
    # One leaked 32x24 field per call would be 60,000 x 3 KiB = 180 MiB.
    assert grown < 8 * 1024
