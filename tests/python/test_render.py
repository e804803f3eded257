"""Fields of gaussmap.render against scipy, computed at test time: the pdf sum of the README's
question, covariance kernels, linspace domains, peak/max, cutoff, prob_or and area sampling.
Error budgets sit a few times above the measured error, which is printed (pytest -s)."""

import numpy as np
import pytest
from scipy.special import ndtr
from scipy.stats import multivariate_normal

import gaussmap as gm
from conftest import gpu_or_skip, rel_err

BACKENDS = ["cpu", "reference", "gpu"]
# float32 backends against float64 scipy: max error relative to the peak.
BUDGET = {"cpu": 2e-6, "gpu": 2e-6, "reference": 1e-12}


def backend_or_skip(backend):
    if backend == "gpu":
        gpu_or_skip()


def grid(w, h, domain=None):
    if domain is None:
        xs, ys = np.arange(w, dtype=float), np.arange(h, dtype=float)
    else:
        xs, ys = np.linspace(*domain[0], w), np.linspace(*domain[1], h)
    X, Y = np.meshgrid(xs, ys)
    return np.dstack([X, Y])


@pytest.mark.parametrize("backend", BACKENDS)
def test_seed_question_pdf_sum(backend):
    backend_or_skip(backend)
    centers = [(100, 100), (300, 100), (600, 300)]
    field = gm.render(gm.Scene(800, 400, centers, sigma=8), backend=backend)
    assert field.shape == (400, 800) and field.flags.c_contiguous
    assert field.dtype == (np.float64 if backend == "reference" else np.float32)
    pos = grid(800, 400)
    ref = sum(multivariate_normal(mean=c, cov=64).pdf(pos) for c in centers)
    err = rel_err(field, ref)
    print(f"{backend}: pdf sum vs scipy, max error / peak = {err:.2e}")
    assert err <= BUDGET[backend]


@pytest.mark.parametrize("backend", BACKENDS)
def test_covariance_and_domain_against_scipy(backend):
    backend_or_skip(backend)
    rng = np.random.default_rng(7)
    n = 6
    centers = rng.uniform(-2.5, 2.5, (n, 2))
    a = rng.uniform(0.05, 0.6, n)
    c = rng.uniform(0.05, 0.6, n)
    b = rng.uniform(-0.8, 0.8, n) * np.sqrt(a * c)
    cov = np.stack([np.stack([a, b], 1), np.stack([b, c], 1)], 1)
    w = rng.uniform(0.2, 2.0, n)
    domain = ((-3, 3), (2, -2))  # y up
    s = gm.Scene(160, 120, centers, covariance=cov, weight=w, domain=domain)
    field = gm.render(s, backend=backend)
    pos = grid(160, 120, domain)
    ref = sum(w[i] * multivariate_normal(mean=centers[i], cov=cov[i]).pdf(pos) for i in range(n))
    err = rel_err(field, ref)
    print(f"{backend}: rotated covariances on a linspace domain, max error / peak = {err:.2e}")
    assert err <= BUDGET[backend]


@pytest.mark.parametrize("backend", BACKENDS)
def test_peak_max_cutoff(backend):
    backend_or_skip(backend)
    centers = np.array([(20.3, 30.7), (26.0, 33.5), (50.5, 10.25)])
    sig = np.array([(3.0, 5.0), (4.0, 4.0), (2.5, 1.5)])
    ang = np.array([0.0, 0.0, 30.0])
    s = gm.Scene(80, 48, centers, sigma=sig, angle_deg=ang, normalization="peak",
                 combine="max", cutoff_sigma=3)
    field = gm.render(s, backend=backend)
    pos = grid(80, 48)
    vals = []
    for (cx, cy), (sx, sy), t in zip(centers, sig, np.radians(ang)):
        R = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
        cov = R @ np.diag([sx * sx, sy * sy]) @ R.T
        d = pos - (cx, cy)
        d2 = np.einsum("...i,ij,...j->...", d, np.linalg.inv(cov), d)
        vals.append(np.where(d2 > 9, 0.0, np.exp(-0.5 * d2)))
    ref = np.max(vals, axis=0)
    err = rel_err(field, ref)
    print(f"{backend}: peak/max/cutoff 3, max error / peak = {err:.2e}")
    assert err <= BUDGET[backend]
    assert np.array_equal(field == 0, ref == 0), "the cutoff rim differs from scipy's d > 3"


@pytest.mark.parametrize("backend", BACKENDS)
def test_prob_or_and_area_sampling(backend):
    backend_or_skip(backend)
    centers = np.array([(10.2, 9.7), (14.6, 12.1)])
    sig = np.array([(0.4, 0.7), (1.5, 0.9)])
    s = gm.Scene(24, 20, centers, sigma=sig, sampling="area", combine="prob_or",
                 normalization="peak", weight=[0.9, 0.7])
    field = gm.render(s, backend=backend)
    X, Y = np.meshgrid(np.arange(24.0), np.arange(20.0))
    prod = np.ones_like(X)
    for (cx, cy), (sx, sy), w in zip(centers, sig, [0.9, 0.7]):
        px = ndtr((X + 0.5 - cx) / sx) - ndtr((X - 0.5 - cx) / sx)
        py = ndtr((Y + 0.5 - cy) / sy) - ndtr((Y - 0.5 - cy) / sy)
        v = w * 2 * np.pi * sx * sy * px * py  # peak normalization: mass = w 2 pi sx sy
        prod *= 1 - np.clip(v, 0, 1)
    ref = 1 - prod
    err = rel_err(field, ref)
    print(f"{backend}: prob_or of area-sampled sub-pixel kernels, max error / peak = {err:.2e}")
    assert err <= max(BUDGET[backend], 2e-6 if backend != "reference" else 1e-12)


def test_auto_backend_is_one_of_the_two():
    choice, why = gm.auto_backend()
    print("auto:", choice, "-", why)
    assert choice in ("cpu", "gpu") and why
    np.testing.assert_array_equal(
        gm.render(gm.Scene(8, 8, [(3, 3)], sigma=2), backend="auto"),
        gm.render(gm.Scene(8, 8, [(3, 3)], sigma=2), backend=choice))


def test_out_is_filled_in_place_and_returned():
    s = gm.Scene(64, 32, [(10, 10)], sigma=3)
    out = np.full((32, 64), np.nan, dtype=np.float32)
    got = gm.render(s, out=out)
    assert got is out
    np.testing.assert_array_equal(out, gm.render(s))
    out64 = np.zeros((32, 64))
    assert gm.render(s, backend="reference", out=out64) is out64
    assert out64.max() > 0


def test_results_are_plain_writeable_arrays():
    for backend in ("cpu", "reference"):
        f = gm.render(gm.Scene(64, 32, [(10, 10)], sigma=3), backend=backend)
        assert f.flags.c_contiguous and f.flags.writeable
        f[0, 0] = 1


def test_threads_do_not_change_the_bits():
    rng = np.random.default_rng(3)
    s = gm.Scene(300, 200, rng.uniform(0, 300, (40, 2)), sigma=rng.uniform(2, 9, 40))
    one = gm.render(s, threads=1)
    assert np.array_equal(one, gm.render(s, threads=2))
    assert np.array_equal(one, gm.render(s, threads=5))
    r1 = gm.render(s, backend="reference", threads=1, window=(0, 0, 20, 300))
    r3 = gm.render(s, backend="reference", threads=3, window=(0, 0, 20, 300))
    assert np.array_equal(r1, r3)


def test_scene_inputs_dict_and_path(tmp_path, examples_dir):
    path = f"{examples_dir}/points_to_heatmap.json"
    s = gm.load(path)
    by_path = gm.render(path)
    assert np.array_equal(by_path, gm.render(s))
    assert np.array_equal(by_path, gm.render(s.to_dict()))
    import pathlib
    assert np.array_equal(by_path, gm.render(pathlib.Path(path)))


def test_colorize():
    f = np.linspace(0, 1, 256, dtype=np.float32)[None, :].repeat(3, 0)
    rgba = gm.colorize(f, "gray")
    assert rgba.shape == (3, 256, 4) and rgba.dtype == np.uint8
    assert (rgba[..., 3] == 255).all()
    assert rgba[0, 0, 0] == 0 and rgba[0, -1, 0] == 255
    # fixed range: values above vmax saturate
    sat = gm.colorize(f, "gray", range=(0, 0.5))
    assert sat[0, -1, 0] == 255 and sat[0, 128, 0] == 255
    assert gm.colorize(f, "viridis", scale="sqrt").shape == (3, 256, 4)
