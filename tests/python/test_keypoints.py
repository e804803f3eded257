"""keypoint_heatmaps against plain numpy implementations written here from the published rules:

- msra (mmpose generate_gaussian_heatmaps, SimpleBaseline / HRNet targets): centre mu = int(x + 0.5)
  (truncation toward zero, in the keypoints' dtype); radius r = 3 sigma; patch coordinates
  g = 0 .. ceil(2r + 1) - 1 with centre floor((2r + 1) / 2); the patch's first column
  left = int(mu - r) and end right = int(mu + r + 1), both truncated toward zero; a keypoint with
  left >= W, top >= H, right < 0 or bottom < 0 gets weight 0; values exp(-(dx^2 + dy^2) / 2 sigma^2)
  in float32 (the patch grid is float32), max-combined.
- udp (generate_udp_gaussian_heatmaps): the same patch, centre shifted by x - mu (sub-pixel).
- exact: ours, exp(-d^2 / 2 sigma^2) in float64 at pixel centres with d <= 3 sigma.

These are written per pixel of the heatmap (not per patch as mmpose is), so the two codes share
no structure. Values may differ in the last bits of float32 exp (numpy's SIMD exp against the C
library's); the pattern of zeros and the integer placement must match exactly.
"""

import math

import numpy as np
import pytest

import gaussmap as gm


def patch_numpy(kp, vis, size, sigma, udp):
    """Per-pixel formulation of mmpose's MSRA / UDP targets (see the module docstring)."""
    N, K, _ = kp.shape
    W, H = size
    sig = np.broadcast_to(np.asarray(sigma, dtype=np.float64).reshape(-1), (N,))
    maps = np.zeros((K, H, W), np.float32)
    weights = vis.astype(np.float32).copy()
    half = np.float32(0.5) if kp.dtype == np.float32 else 0.5
    for n in range(N):
        s = float(sig[n])
        r = 3 * s
        size_g = 2 * r + 1
        length = math.ceil(size_g)
        centre = math.floor(size_g / 2)
        two_s2 = np.float32(2 * s * s)
        for k in range(K):
            if vis[n, k] < 0.5:
                continue
            x, y = kp[n, k]
            mux, muy = int(x + half), int(y + half)  # int() truncates toward zero
            left, top = int(mux - r), int(muy - r)
            right, bottom = int(mux + r + 1), int(muy + r + 1)
            if left >= W or top >= H or right < 0 or bottom < 0:
                weights[n, k] = 0
                continue
            x0 = centre + ((float(x) - mux) if udp else 0.0)
            y0 = centre + ((float(y) - muy) if udp else 0.0)
            cols = np.arange(max(left, 0), min(right, W))
            rows = np.arange(max(top, 0), min(bottom, H))
            gx = cols - left
            gy = rows - top
            cols, gx = cols[gx < length], gx[gx < length]
            rows, gy = rows[gy < length], gy[gy < length]
            dx = gx.astype(np.float32) - np.float32(x0)
            dy = gy.astype(np.float32) - np.float32(y0)
            q = dy[:, None] * dy[:, None] + dx[None, :] * dx[None, :]
            v = np.exp(-q / two_s2)
            assert v.dtype == np.float32
            region = maps[k][np.ix_(rows, cols)]
            maps[k][np.ix_(rows, cols)] = np.maximum(region, v)
    return maps, weights


def exact_numpy(kp, vis, size, sigma):
    N, K, _ = kp.shape
    W, H = size
    sig = np.broadcast_to(np.asarray(sigma, dtype=np.float64).reshape(-1), (N,))
    X, Y = np.meshgrid(np.arange(W, dtype=float), np.arange(H, dtype=float))
    maps = np.zeros((K, H, W), np.float32)
    weights = vis.astype(np.float32).copy()
    for n in range(N):
        for k in range(K):
            if vis[n, k] < 0.5:
                continue
            d2 = (X - kp[n, k, 0]) ** 2 + (Y - kp[n, k, 1]) ** 2
            inside = d2 <= (3 * sig[n]) ** 2
            if not inside.any():
                weights[n, k] = 0
            v = np.where(inside, np.exp(-d2 / (2 * sig[n] ** 2)), 0).astype(np.float32)
            maps[k] = np.maximum(maps[k], v)
    return maps, weights


def random_keypoints(seed, N, K, W, H, dtype, margin=8):
    rng = np.random.default_rng(seed)
    kp = rng.uniform(-margin, [W + margin, H + margin], (N, K, 2)).astype(dtype)
    # Integers, half-integers and near-halves exercise the rounding rules.
    kp[0, : K // 3] = np.round(kp[0, : K // 3] * 2) / 2
    kp[-1, -2:] = np.array([[-0.5, 2.5], [2.4999999, -3.2]], dtype=dtype)
    vis = (rng.uniform(0, 1, (N, K)) > 0.2).astype(np.float64)
    vis[0, 0] = 0.7  # drawn, weight 0.7
    vis[0, 1] = 0.3  # not drawn, weight 0.3 kept (mmpose copies the visibilities)
    return kp, vis


SIGMAS = [2.0, 1.5, 2.2, 0.7, np.array([1.0, 2.5, 1.7, 3.3, 0.9, 2.0])]


@pytest.mark.parametrize("encoding", ["msra", "udp"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("si", range(len(SIGMAS)))
def test_mmpose_encodings_against_numpy(encoding, dtype, si):
    sigma = SIGMAS[si]
    kp, vis = random_keypoints(si, 6, 17, 48, 64, dtype)
    got, gw = gm.keypoint_heatmaps(kp, (48, 64), sigma, visible=vis, encoding=encoding)
    ref, rw = patch_numpy(kp, vis, (48, 64), sigma, encoding == "udp")
    assert got.shape == (17, 64, 48) and got.dtype == np.float32
    assert gw.shape == (6, 17) and gw.dtype == np.float32
    np.testing.assert_array_equal(gw, rw)
    np.testing.assert_array_equal(got == 0, ref == 0)
    ulps = np.abs(got.view(np.int32).astype(np.int64) - ref.view(np.int32).astype(np.int64))
    rel = np.abs(got - ref).max()
    print(f"{encoding} {np.dtype(dtype).name} sigma {sigma}: max |diff| {rel:.2e}, "
          f"max {ulps.max()} ulp, {np.count_nonzero(ulps)} of {ulps.size} values differ")
    assert ulps.max() <= 4


def test_msra_truncation_quirk_shifts_the_peak_at_the_border():
    # sigma 1.5: r = 4.5, patch 10 wide, centre 5. A keypoint at x = 2: left = int(2 - 4.5) = -2
    # (toward zero; floor would give -3), so the peak lands on column -2 + 5 = 3, not 2.
    hm, _ = gm.keypoint_heatmaps(np.array([[2.0, 20.0]]), (32, 40), 1.5, encoding="msra")
    assert np.unravel_index(hm[0].argmax(), hm[0].shape) == (20, 3)
    hm, _ = gm.keypoint_heatmaps(np.array([[12.0, 20.0]]), (32, 40), 1.5, encoding="msra")
    assert np.unravel_index(hm[0].argmax(), hm[0].shape) == (20, 12)
    ex, _ = gm.keypoint_heatmaps(np.array([[2.0, 20.0]]), (32, 40), 1.5, encoding="exact")
    assert np.unravel_index(ex[0].argmax(), ex[0].shape) == (20, 2)


@pytest.mark.parametrize("si", range(len(SIGMAS)))
def test_exact_against_numpy(si):
    sigma = SIGMAS[si]
    kp, vis = random_keypoints(50 + si, 6, 17, 48, 64, np.float64)
    got, gw = gm.keypoint_heatmaps(kp, (48, 64), sigma, visible=vis, encoding="exact")
    ref, rw = exact_numpy(kp, vis, (48, 64), sigma)
    np.testing.assert_array_equal(gw, rw)
    np.testing.assert_array_equal(got == 0, ref == 0)
    ulps = np.abs(got.view(np.int32).astype(np.int64) - ref.view(np.int32).astype(np.int64))
    print(f"exact sigma {sigma}: max |diff| {np.abs(got - ref).max():.2e}, max {ulps.max()} ulp")
    assert ulps.max() <= 1  # both float64, rounded once to float32


def test_shapes_defaults_and_batch():
    kp, vis = random_keypoints(1, 3, 5, 20, 16, np.float32)
    one, w1 = gm.keypoint_heatmaps(kp[0], (20, 16), 1.2)  # (K, 2), all visible
    assert one.shape == (5, 16, 20) and w1.shape == (5,)
    B = 4
    batch = np.stack([kp + i for i in range(B)])
    bvis = np.stack([vis] * B)
    maps, weights = gm.keypoint_heatmaps_batch(batch, (20, 16), 1.2, visible=bvis,
                                               encoding="udp", threads=3)
    assert maps.shape == (B, 5, 16, 20) and weights.shape == (B, 3, 5)
    for i in range(B):
        m, w = gm.keypoint_heatmaps(batch[i], (20, 16), 1.2, visible=bvis[i], encoding="udp",
                                    threads=1)
        assert np.array_equal(maps[i], m) and np.array_equal(weights[i], w)
    out = np.full((5, 16, 20), 7, np.float32)
    got, _ = gm.keypoint_heatmaps(kp[0], (20, 16), 1.2, out=out)
    assert got is out and np.array_equal(out, one)


@pytest.mark.parametrize("call, exc, needle", [
    (lambda: gm.keypoint_heatmaps(np.zeros((3, 3)), (8, 8), 1), ValueError, "keypoints"),
    (lambda: gm.keypoint_heatmaps(np.zeros((2, 2)), (8, 8), 0), ValueError, "sigma"),
    (lambda: gm.keypoint_heatmaps(np.zeros((2, 2)), (8, 8), [1, 2, 3]), ValueError, "sigma"),
    (lambda: gm.keypoint_heatmaps(np.zeros((2, 2)), (0, 8), 1), ValueError, "size"),
    (lambda: gm.keypoint_heatmaps(np.zeros((2, 2)), 8, 1), TypeError, "size"),
    (lambda: gm.keypoint_heatmaps(np.zeros((2, 2)), (8, 8), 1, encoding="dark"), ValueError,
     "encoding"),
    (lambda: gm.keypoint_heatmaps(np.array([[np.nan, 1], [1, 1]]), (8, 8), 1), ValueError,
     "keypoints"),
    (lambda: gm.keypoint_heatmaps(np.zeros((2, 2)), (8, 8), 1, visible=[1, 1, 1]), ValueError,
     "visible"),
    (lambda: gm.keypoint_heatmaps(np.array([["a", "b"]]), (8, 8), 1), TypeError, "keypoints"),
    (lambda: gm.keypoint_heatmaps(np.zeros((2, 2)), (8, 8), 1, out=np.zeros((2, 8, 8))),
     TypeError, "out"),
])
def test_bad_keypoint_inputs_name_the_parameter(call, exc, needle):
    with pytest.raises(exc) as e:
        call()
    assert needle in str(e.value), str(e.value)


def test_invisible_keypoints_may_be_nan():
    kp = np.array([[[np.nan, np.nan], [3.0, 4.0]]])
    hm, w = gm.keypoint_heatmaps(kp, (8, 8), 1, visible=[[0, 1]])
    assert w.tolist() == [[0, 1]] and hm[0].max() == 0 and hm[1].max() == 1
