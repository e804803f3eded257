"""Windows and kernel buckets: render(window=...) equals the slice of the whole field bit for bit
in every backend, and a window rendered from only its bucket of kernels (the ones that can touch
it) equals it too — with and without a cutoff, every combine rule, both samplings."""

import numpy as np
import pytest

import gaussmap as gm
from gaussmap import _gaussmap
from conftest import gpu_or_skip


def random_scene(seed, n=60, w=173, h=131, **kw):
    rng = np.random.default_rng(seed)
    centers = rng.uniform([-10, -10], [w + 10, h + 10], (n, 2))
    sig = rng.uniform(0.6, 9.0, (n, 2))
    ang = rng.uniform(0, 180, n)
    weight = rng.uniform(0.1, 0.95, n)
    return gm.Scene(w, h, centers, sigma=sig, angle_deg=ang, weight=weight, **kw)


VARIANTS = [
    dict(),
    dict(cutoff_sigma=3),
    dict(cutoff_sigma=2.5, combine="max", normalization="peak"),
    dict(combine="prob_or", normalization="peak"),
    dict(sampling="area", cutoff_sigma=3),
    dict(sampling="area"),
    dict(domain=((5, -3), (-1, 7.5))),
]
WINDOWS = [(0, 0, 131, 173), (0, 0, 1, 1), (17, 33, 40, 64), (130, 172, 1, 1), (64, 0, 67, 173),
           (5, 100, 126, 73)]


def backends():
    return ["cpu", "reference", "gpu"]


@pytest.mark.parametrize("backend", backends())
@pytest.mark.parametrize("vi", range(len(VARIANTS)))
def test_window_equals_slice_of_whole(backend, vi):
    if backend == "gpu":
        gpu_or_skip()
    kw = VARIANTS[vi]
    s = random_scene(vi, n=25 if backend == "reference" else 60, **kw)
    if backend == "reference":  # slow: a smaller grid
        s = random_scene(vi, n=12, w=61, h=47, **kw)
    whole = gm.render(s, backend=backend)
    H, W = whole.shape
    for (r0, c0, r, c) in WINDOWS:
        r0, c0 = min(r0, H - 1), min(c0, W - 1)
        r, c = min(r, H - r0), min(c, W - c0)
        win = gm.render(s, backend=backend, window=(r0, c0, r, c))
        assert win.shape == (r, c)
        assert np.array_equal(win, whole[r0:r0 + r, c0:c0 + c]), (backend, kw, (r0, c0, r, c))


@pytest.mark.parametrize("backend", ["cpu", "reference", "gpu"])
@pytest.mark.parametrize("vi", range(len(VARIANTS)))
def test_bucket_of_a_window_gives_the_same_bits(backend, vi):
    if backend == "gpu":
        gpu_or_skip()
    kw = VARIANTS[vi]
    if backend == "gpu" and kw.get("combine") == "max":
        pytest.skip("the GPU takes every kernel for max (no kernels_left_out there)")
    small = backend == "reference"
    s = random_scene(100 + vi, n=15 if small else 80, w=70 if small else 173,
                     h=50 if small else 131, **kw)
    whole = gm.render(s, backend=backend)
    H, W = whole.shape
    sizes = []
    for (r0, c0, r, c) in [(0, 0, H // 2, W // 3), (H // 3, W // 2, H - H // 3, W - W // 2),
                           (H - 4, 0, 4, W)]:
        idx = _gaussmap.kernels_touching(s._s, (r0, c0, r, c), backend)
        sizes.append(len(idx))
        sub = s.subset(idx)
        left_out = len(idx) < len(s)
        got = _gaussmap.render(sub._s, backend, (r0, c0, r, c), None, None, left_out)
        assert np.array_equal(got, whole[r0:r0 + r, c0:c0 + c]), (backend, kw, (r0, c0, r, c))
    print(backend, kw, "bucket sizes", sizes, "of", len(s))
    if "cutoff_sigma" in kw or backend == "cpu":
        assert min(sizes) < len(s), "bucketing left every kernel in"
    else:
        assert min(sizes) == sum(s.kernel_table()[:, 10] != 0)  # no cutoff: every visible one


def test_bucket_that_drops_a_needed_kernel_is_caught():
    # The check above can fail: drop the kernel nearest the window and the bits change.
    s = random_scene(5, cutoff_sigma=3)
    whole = gm.render(s)
    win = (20, 20, 40, 40)
    idx = list(_gaussmap.kernels_touching(s._s, win, "cpu"))
    got = gm.render(s.subset(idx[1:]), window=win)
    assert not np.array_equal(got, whole[20:60, 20:60])


def test_chunk_buckets_cover_every_chunk():
    s = random_scene(9, n=200, w=300, h=200, cutoff_sigma=3)
    n_rows, n_cols, off, idx = _gaussmap.bucket_kernels(s._s, 64, 100, "cpu")
    assert (n_rows, n_cols) == (4, 3) and len(off) == 13
    for ci in range(n_rows):
        for cj in range(n_cols):
            c = ci * n_cols + cj
            win = (ci * 64, cj * 100, min(64, 200 - ci * 64), 100)
            expect = _gaussmap.kernels_touching(s._s, win, "cpu")
            assert np.array_equal(idx[off[c]:off[c + 1]], expect)
    assert len(idx) < 2 * len(s)  # most kernels sit in one or two chunks
