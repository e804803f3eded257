"""gaussmap: heat maps made of 2-D Gaussian kernels, in process.

The same C++ core as the ``gaussmap`` command line: a fast float32 CPU backend, a float64
reference, and the GL renderer through headless EGL. Inputs are numpy arrays, outputs are numpy
arrays (float32 fields of shape (H, W), row 0 = the domain's y0, the top row).

    >>> import gaussmap as gm
    >>> s = gm.Scene(800, 400, centers=[(100, 100), (300, 100)], sigma=8)
    >>> field = gm.render(s)                       # float32 (400, 800), the scipy pdf sum

Functions: render, colorize, load, save, keypoint_heatmaps, keypoint_heatmaps_batch; the Scene
class; gaussmap.dask for chunked, lazy fields. The GIL is released while fields are computed.
"""

from __future__ import annotations

import atexit
import os
import warnings
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from . import _gaussmap
from .scene import Scene, as_scene, load, save

__all__ = ["Scene", "render", "colorize", "load", "save", "keypoint_heatmaps",
           "keypoint_heatmaps_batch", "auto_backend", "__version__"]
__version__: str = _gaussmap.__version__

atexit.register(_gaussmap.shutdown_gpu)  # the GL thread ends before the interpreter does


def render(scene: Union[Scene, dict, str, os.PathLike], backend: str = "cpu",
           window: Optional[Tuple[int, int, int, int]] = None, threads: Optional[int] = None,
           out: Optional[np.ndarray] = None) -> np.ndarray:
    """Render a scene's field.

    Args:
        scene: a gaussmap.Scene, a dict in the scene-file format, or a path to a .json scene or
            a gaussmap .png.
        backend: "cpu" (fast float32, threads), "reference" (float64, slow, the oracle), "gpu"
            (GL 4.5 through headless EGL) or "auto" (the command line's rule: "cpu" for small scenes,
            where GL is a software rasterizer such as llvmpipe and where there is no GPU; else
            "gpu").
        window: (row0, col0, rows, cols): only that window of the scene's grid; the values are
            bit-identical to the same slice of the whole field.
        threads: worker threads for "cpu" and "reference" (default: all cores).
        out: a C-contiguous, writeable array of the result's shape and dtype to fill.

    Returns:
        float32 array of shape (H, W), or (rows, cols) for a window; float64 for "reference".
        Row 0 is the domain's y0 (the top row). Without ``out`` the array owns the evaluator's
        buffer (no copy).

    Raises:
        ValueError / TypeError naming the parameter or the scene's key path; RuntimeError when
        the GPU backend has no GL; OSError for unreadable files.
    """
    s = as_scene(scene)
    for w in s._s.warnings():
        warnings.warn(w, RuntimeWarning, stacklevel=2)
    if not isinstance(backend, str):
        raise TypeError(f"backend: expected a str, got {type(backend).__name__}")
    return _gaussmap.render(s._s, backend, window, threads, out)


def auto_backend() -> Tuple[str, str]:
    """("gpu" or "cpu", why): what backend="auto" picks on this machine for a large scene
    (small scenes always go to the CPU). The GL facts are learnt once per process."""
    return tuple(_gaussmap.auto_backend())  # type: ignore[return-value]


def colorize(field: np.ndarray, colormap: str = "viridis",
             range: Union[str, Tuple[float, float]] = "auto",  # noqa: A002 (the scene-file key)
             scale: str = "linear") -> np.ndarray:
    """Map a 2-D field through a colormap: (H, W, 4) uint8 RGBA, alpha 255.

    Args:
        field: 2-D array (converted to float32).
        colormap: viridis, magma, inferno, plasma, cividis, turbo or gray.
        range: "auto" (the field's min..max) or (vmin, vmax).
        scale: linear, sqrt or log (log floors vmin at vmax * 1e-6 when vmin <= 0).

    The same tables and mapping as the command line's pictures and the GPU's colormap pass.
    """
    for name, v in (("colormap", colormap), ("scale", scale)):
        if not isinstance(v, str):
            raise TypeError(f"{name}: expected a str, got {type(v).__name__}")
    if not isinstance(range, str):
        try:
            lo, hi = (float(x) for x in range)
        except (TypeError, ValueError):
            raise TypeError("range: expected \"auto\" or (vmin, vmax)") from None
        range = (lo, hi)
    arr = np.asarray(field)
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise TypeError(f"field: expected a real array, got dtype {arr.dtype}")
    return _gaussmap.colorize(arr, colormap, range, scale)


def _keypoint_args(keypoints: Any, sigma: Any, visible: Any, size: Any, lead: int):
    kp = np.asarray(keypoints)
    if not (np.issubdtype(kp.dtype, np.floating) or np.issubdtype(kp.dtype, np.integer)):
        raise TypeError(f"keypoints: expected a real array, got dtype {kp.dtype}")
    if kp.dtype not in (np.float32, np.float64):
        kp = kp.astype(np.float64)
    try:
        w, h = (int(v) for v in size)
    except (TypeError, ValueError):
        raise TypeError("size: expected (W, H) as two ints") from None
    sig = np.asarray(sigma, dtype=np.float64).reshape(-1)
    vis = None if visible is None else np.asarray(visible, dtype=np.float64)
    return kp, sig, vis, w, h


def keypoint_heatmaps(keypoints: np.ndarray, size: Tuple[int, int], sigma: Union[float, np.ndarray],
                      visible: Optional[np.ndarray] = None, encoding: str = "exact",
                      threads: Optional[int] = None,
                      out: Optional[np.ndarray] = None) -> Tuple[np.ndarray, np.ndarray]:
    """Gaussian keypoint targets, as pose-estimation training needs them.

    Args:
        keypoints: (N, K, 2) or (K, 2): x, y of K keypoints of N instances, in heatmap pixels
            (pixel centres at integers: pixel (row i, col j) is the point x = j, y = i).
        size: (W, H) of the heatmaps.
        sigma: a scalar, or (N,) one per instance, in heatmap pixels.
        visible: (N, K) (or (K,)) visibility; keypoints with visible < 0.5 are not drawn.
        encoding: "msra": mmpose's generate_gaussian_heatmaps (MSRAHeatmap: centre rounded to a
            pixel, a (6 sigma + 1)-wide patch with edges truncated toward zero), value for value;
            "udp": mmpose's generate_udp_gaussian_heatmaps (UDP: the same patch, sub-pixel centre);
            "exact": exp(-d^2 / 2 sigma^2) at every pixel centre with d <= 3 sigma from the
            sub-pixel keypoint, 0 beyond.
        threads: worker threads (default: all cores, fewer for small jobs).
        out: a float32 (K, H, W) C-contiguous array to fill.

    Returns:
        (heatmaps, weights): float32 (K, H, W), instances max-combined, peak 1; float32 (N, K)
        (or (K,)): the visibility value, 0 where a visible keypoint draws nothing in the heatmap.
    """
    kp, sig, vis, w, h = _keypoint_args(keypoints, sigma, visible, size, 0)
    single = kp.ndim == 2
    if single:
        kp = kp[None]
    if kp.ndim != 3 or kp.shape[2] != 2:
        raise ValueError(f"keypoints: expected shape (N, K, 2) or (K, 2), got {np.shape(keypoints)}")
    if vis is not None:
        if single and vis.ndim == 1:
            vis = vis[None]
        vis = vis[None]
    o = None if out is None else _batch_view(out)
    maps, weights = _gaussmap.keypoint_heatmaps(kp[None], vis, sig, w, h, encoding, threads, o)
    return (out if out is not None else maps[0]), (weights[0, 0] if single else weights[0])


def _batch_view(out: Any) -> Any:
    return out[None] if isinstance(out, np.ndarray) else out


def keypoint_heatmaps_batch(keypoints: np.ndarray, size: Tuple[int, int],
                            sigma: Union[float, np.ndarray], visible: Optional[np.ndarray] = None,
                            encoding: str = "exact", threads: Optional[int] = None,
                            out: Optional[np.ndarray] = None) -> Tuple[np.ndarray, np.ndarray]:
    """keypoint_heatmaps for a whole batch in one call: (B, N, K, 2) -> (B, K, H, W).

    sigma: scalar, (N,) or (B, N); visible: (B, N, K); out: float32 (B, K, H, W).
    Returns (heatmaps (B, K, H, W), weights (B, N, K)), float32. Planes are spread over the
    threads with the GIL released: one call replaces a Python loop over samples, instances and
    keypoints in a data loader.
    """
    kp, sig, vis, w, h = _keypoint_args(keypoints, sigma, visible, size, 1)
    if kp.ndim != 4 or kp.shape[3] != 2:
        raise ValueError(f"keypoints: expected shape (B, N, K, 2), got {kp.shape}")
    return tuple(_gaussmap.keypoint_heatmaps(kp, vis, sig, w, h, encoding, threads, out))  # type: ignore[return-value]
