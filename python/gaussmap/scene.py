"""gaussmap.Scene: a scene (image grid, Gaussian kernels, combine rules) built from numpy arrays.

The C++ core holds and validates it (the same rules and key-path messages as the scene files and
the ``gaussmap`` command line); this class only shapes the arrays.
"""

from __future__ import annotations

import json
import os
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from . import _gaussmap

ArrayLike = Union[float, Sequence[float], np.ndarray]

# Columns of the kernel table the core exchanges with Python (one float64 row per kernel).
_COLUMNS = ("cx", "cy", "sx", "sy", "angle_deg", "cov_xx", "cov_xy", "cov_yy", "weight",
            "use_covariance", "visible")


def _type_name(v: Any) -> str:
    return type(v).__name__


def _float_array(value: Any, name: str) -> np.ndarray:
    """value as a float64 array; TypeError naming the parameter when it is not numeric."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}: expected numbers, got {_type_name(value)}")
    try:
        arr = np.asarray(value)
    except Exception as e:  # ragged lists and the like
        raise TypeError(f"{name}: expected numbers ({e})") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name}: expected numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name}: expected real numbers, got dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False)


def _per_kernel(value: Any, n: int, name: str, width: int = 1) -> np.ndarray:
    """A scalar, (N,) or, for width 2, (N, 2) -> (N, width) float64."""
    arr = _float_array(value, name)
    if arr.ndim == 0:
        return np.full((n, width), float(arr))
    if arr.ndim == 1 and arr.shape[0] == n:
        return np.repeat(arr[:, None], width, axis=1)
    if width == 2 and arr.shape == (n, 2):
        return arr
    shapes = "a scalar, (N,)" + (" or (N, 2)" if width == 2 else "")
    raise ValueError(f"{name}: expected {shapes} with N = {n}, got shape {arr.shape}")


class Scene:
    """A gaussmap scene: an image grid, N Gaussian kernels and the rules that combine them.

    Args:
        width, height: image size in pixels.
        centers: (N, 2) kernel centres (x, y) in domain units.
        sigma: standard deviations: a scalar, (N,) (isotropic) or (N, 2) (sx, sy).
        angle_deg: rotation of each kernel (scalar or (N,)), in the x/y frame of the domain.
        covariance: (N, 2, 2) symmetric positive definite matrices, instead of sigma/angle_deg
            (as scipy's ``multivariate_normal(cov=...)``).
        weight: scalar or (N,); any finite real.
        domain: ((x0, x1), (y0, y1)), the coordinates of the centres of the first and last pixel
            (numpy ``linspace``); default pixel indices ((0, W-1), (0, H-1)). Row 0 is y0, the top.
        normalization: "pdf" (w * the scipy pdf) or "peak" (peak value w).
        combine: "sum", "max" or "prob_or".
        sampling: "point" (value at the pixel centre) or "area" (mean over the pixel's cell).
        cutoff_sigma: k: a kernel contributes exactly 0 where its Mahalanobis distance d > k.

    Bad values raise ValueError (TypeError for a wrong type) naming the parameter or the scene
    key path, e.g. ``kernels[3].sigma[1]: must be > 0, got -2``.
    """

    __slots__ = ("_s",)

    def __init__(self, width: int, height: int, centers: ArrayLike,
                 sigma: Optional[ArrayLike] = None, angle_deg: ArrayLike = 0.0,
                 covariance: Optional[ArrayLike] = None, weight: ArrayLike = 1.0,
                 domain: Optional[Tuple[Tuple[float, float], Tuple[float, float]]] = None,
                 normalization: str = "pdf", combine: str = "sum", sampling: str = "point",
                 cutoff_sigma: Optional[float] = None) -> None:
        for name, v in (("width", width), ("height", height)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"{name}: expected an int, got {_type_name(v)}")
        for name, v in (("normalization", normalization), ("combine", combine),
                        ("sampling", sampling)):
            if not isinstance(v, str):
                raise TypeError(f"{name}: expected a str, got {_type_name(v)}")
        c = _float_array(centers, "centers")
        if c.ndim == 1 and c.shape == (2,):
            c = c[None, :]
        if c.ndim != 2 or c.shape[1] != 2:
            raise ValueError(f"centers: expected shape (N, 2), got {c.shape}")
        n = c.shape[0]
        table = np.zeros((n, len(_COLUMNS)))
        table[:, 0:2] = c
        # The fields a kernel's form does not use keep the core's defaults (sx = sy = 1,
        # covariance identity), as a scene file loads them.
        table[:, [2, 3, 5, 7, 10]] = 1.0  # sx, sy, cov_xx, cov_yy, visible
        if (sigma is None) == (covariance is None):
            raise ValueError("sigma: give either sigma (with angle_deg) or covariance")
        if covariance is not None:
            cov = _float_array(covariance, "covariance")
            if cov.shape == (2, 2):
                cov = np.broadcast_to(cov, (n, 2, 2))
            if cov.shape != (n, 2, 2):
                raise ValueError(f"covariance: expected shape (N, 2, 2) with N = {n}, "
                                 f"got {cov.shape}")
            # Symmetric to 1e-12 of the matrix's largest entry, as the scene files are.
            scale = np.abs(cov).reshape(n, 4).max(axis=1) if n else np.zeros(0)
            bad = np.nonzero(np.abs(cov[:, 0, 1] - cov[:, 1, 0]) > 1e-12 * scale)[0]
            if bad.size:
                i = int(bad[0])
                raise ValueError(f"covariance[{i}]: must be symmetric, got [[{cov[i, 0, 0]}, "
                                 f"{cov[i, 0, 1]}], [{cov[i, 1, 0]}, {cov[i, 1, 1]}]]")
            table[:, 5] = cov[:, 0, 0]
            b01, b10 = cov[:, 0, 1], cov[:, 1, 0]
            table[:, 6] = np.where(b01 == b10, b01, b01 + (b10 - b01) / 2)  # as files do
            table[:, 7] = cov[:, 1, 1]
            table[:, 9] = 1.0
        else:
            table[:, 2:4] = _per_kernel(sigma, n, "sigma", 2)
            table[:, 4] = _per_kernel(angle_deg, n, "angle_deg")[:, 0]
        table[:, 8] = _per_kernel(weight, n, "weight")[:, 0]
        header: dict = {"gaussmap": 1, "width": int(width), "height": int(height),
                        "normalization": normalization, "combine": combine,
                        "sampling": sampling, "kernels": []}
        if domain is not None:
            d = _float_array(domain, "domain")
            if d.shape != (2, 2):
                raise ValueError(f"domain: expected ((x0, x1), (y0, y1)), got shape {d.shape}")
            header["domain"] = {"x": [float(d[0, 0]), float(d[0, 1])],
                                "y": [float(d[1, 0]), float(d[1, 1])]}
        if cutoff_sigma is not None:
            header["cutoff_sigma"] = float(_float_array(cutoff_sigma, "cutoff_sigma"))
        self._s = _gaussmap._Scene.from_table(_dumps(header), table)

    @classmethod
    def _wrap(cls, cpp: Any) -> "Scene":
        s = cls.__new__(cls)
        s._s = cpp
        return s

    @classmethod
    def from_dict(cls, d: dict) -> "Scene":
        """A scene from a dict in the scene-file format (what ``json.load`` gives for a scene
        file). Keys are checked as the command line checks files: ValueError naming the key path."""
        if not isinstance(d, dict):
            raise TypeError(f"scene: expected a dict, got {_type_name(d)}")
        return cls._wrap(_gaussmap._Scene.from_json(_dumps(d)))

    def to_dict(self) -> dict:
        """The scene as a dict in the scene-file format (``json.dump`` writes a scene file)."""
        return json.loads(self._s.to_json(-1))

    @property
    def width(self) -> int:
        """Image width in pixels."""
        return self._s.width

    @property
    def height(self) -> int:
        """Image height in pixels."""
        return self._s.height

    @property
    def shape(self) -> Tuple[int, int]:
        """(height, width): the shape of the rendered field."""
        return (self._s.height, self._s.width)

    def __len__(self) -> int:
        return self._s.kernel_count

    def kernel_table(self) -> np.ndarray:
        """(N, 11) float64, one row per kernel: cx, cy, sx, sy, angle_deg, cov_xx, cov_xy,
        cov_yy, weight, use_covariance (0/1), visible (0/1). A copy."""
        return self._s.table()

    def subset(self, indices: Union[Sequence[int], np.ndarray]) -> "Scene":
        """The same grid and settings with only the kernels ``indices``, in that order."""
        return Scene._wrap(self._s.subset(np.asarray(indices, dtype=np.int64)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scene) and self._s == other._s

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        d = json.loads(self._s.to_json(-1))
        return (f"gaussmap.Scene({d['width']}x{d['height']}, {len(self)} kernels, "
                f"{d.get('normalization', 'pdf')}, {d.get('combine', 'sum')})")

    # Pickling (dask, multiprocessing): the header as JSON text and the kernels as a numpy table,
    # both exact (JSON numbers round-trip float64).
    def __reduce__(self):
        header = json.loads(self._s.to_json(-1))
        header["kernels"] = []
        return (_from_state, (json.dumps(header), self._s.table()))


def _from_state(header_json: str, table: np.ndarray) -> Scene:
    return Scene._wrap(_gaussmap._Scene.from_table(header_json, table))


def _json_default(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (np.floating, np.integer, np.bool_)):
        return v.item()
    raise TypeError(f"scene: value of type {_type_name(v)} is not JSON")


def _dumps(d: dict) -> str:
    # allow_nan=False would raise before the core could name the key; NaN goes through as the
    # non-standard token and the core's parser names the key path.
    return json.dumps(d, default=_json_default)


def as_scene(scene: Any) -> Scene:
    """A Scene from a Scene, a dict in the scene-file format, or a path (.json or gaussmap .png)."""
    if isinstance(scene, Scene):
        return scene
    if isinstance(scene, dict):
        return Scene.from_dict(scene)
    if isinstance(scene, (str, os.PathLike)):
        return load(scene)
    raise TypeError(f"scene: expected a gaussmap.Scene, a dict or a path, got {_type_name(scene)}")


def load(path: Union[str, os.PathLike]) -> Scene:
    """Load a scene from a .json scene file or a gaussmap .png (its embedded scene).

    Raises OSError when the file cannot be read, ValueError naming the key path when it is not a
    valid scene."""
    return Scene._wrap(_gaussmap.load(os.fspath(path)))


def save(path: Union[str, os.PathLike], scene: Scene) -> None:
    """Write a scene as a .json scene file, atomically (temp file + rename)."""
    if not isinstance(scene, Scene):
        raise TypeError(f"scene: expected a gaussmap.Scene, got {_type_name(scene)}")
    _gaussmap.save(os.fspath(path), scene._s)
