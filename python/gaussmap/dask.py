"""gaussmap.dask: a scene's field as a lazy dask array, chunk by chunk, for fields larger than one
machine's memory.

Each chunk is ``gaussmap.render(scene, window=chunk)`` of only the kernels that can touch it (the
cutoff ellipse, or the numerical radius of the CPU backend without a cutoff): a task carries its
bucket of kernels as a plain numpy table and the grid as a short JSON header, never the whole
scene. Every chunk equals the same slice of the whole render bit for bit, so any chunking on any
worker gives the same array. It runs on dask's schedulers, dask.distributed included:

    >>> from dask.distributed import Client
    >>> client = Client("tcp://scheduler:8786")        # or Client(LocalCluster(...))
    >>> arr = gaussmap.dask.render(scene, chunks=(4096, 4096))
    >>> arr.to_zarr("field.zarr")                       # written chunk by chunk by the workers
"""

from __future__ import annotations

import json
import os
from typing import Optional, Tuple, Union

import numpy as np

from . import _gaussmap
from . import auto_backend
from .scene import Scene, as_scene

__all__ = ["render", "chunk_buckets"]


def _render_chunk(header_json: str, table: np.ndarray, window: Tuple[int, int, int, int],
                  backend: str, threads: Optional[int], kernels_left_out: bool) -> np.ndarray:
    """One task: the window of the scene made of the header and this bucket of kernels."""
    scene = _gaussmap._Scene.from_table(header_json, table)
    return _gaussmap.render(scene, backend, window, threads, None, kernels_left_out)


def _chunk_sizes(total: int, step: int) -> Tuple[int, ...]:
    return tuple(min(step, total - i) for i in range(0, total, step))


def _check_chunks(chunks) -> Tuple[int, int]:
    if isinstance(chunks, (int, np.integer)) and not isinstance(chunks, bool):
        chunks = (chunks, chunks)
    try:
        cr, cc = (int(c) for c in chunks)
    except (TypeError, ValueError):
        raise TypeError("chunks: expected an int or (rows, cols)") from None
    if cr < 1 or cc < 1:
        raise ValueError(f"chunks: must be >= 1 each, got ({cr}, {cc})")
    return cr, cc


def chunk_buckets(scene: Union[Scene, dict, str, os.PathLike], chunks=(4096, 4096),
                  backend: str = "cpu"):
    """(n_rows, n_cols, offsets, indices): the kernels of each chunk, row-major chunk order;
    chunk c holds kernels indices[offsets[c]:offsets[c + 1]] (ascending)."""
    s = as_scene(scene)
    cr, cc = _check_chunks(chunks)
    return _gaussmap.bucket_kernels(s._s, cr, cc, backend)


def render(scene: Union[Scene, dict, str, os.PathLike], chunks=(4096, 4096), backend: str = "cpu",
           threads: Optional[int] = 1):
    """The scene's field as a lazy dask.array.Array of shape (H, W).

    Args:
        scene: a gaussmap.Scene, a dict in the scene-file format or a path. Grids up to
            65536 x 65536 (each chunk within the in-memory limit of 64 Mi pixels).
        chunks: (rows, cols) of each chunk (or one int for square chunks).
        backend: "cpu" (float32), "reference" (float64), "gpu" (each worker's headless EGL)
            or "auto" (decided here, on the client).
        threads: worker threads per chunk (default 1: dask runs chunks in parallel).

    Returns:
        dask.array.Array, float32 (float64 for "reference"), equal bit for bit to
        ``gaussmap.render(scene, backend=backend)``.
    """
    import dask.array as da
    from dask.base import tokenize
    from dask.highlevelgraph import HighLevelGraph

    s = as_scene(scene)
    if not isinstance(backend, str):
        raise TypeError(f"backend: expected a str, got {type(backend).__name__}")
    if backend == "auto":
        backend = auto_backend()[0]
    if backend not in ("cpu", "reference", "gpu"):
        raise ValueError(f'backend: expected "cpu", "reference", "gpu" or "auto", got "{backend}"')
    cr, cc = _check_chunks(chunks)
    H, W = s.shape
    header = s.to_dict()
    header["kernels"] = []
    header_json = json.dumps(header)
    table = s.kernel_table()
    visible = int(np.count_nonzero(table[:, 10]))
    n_rows, n_cols, offsets, indices = _gaussmap.bucket_kernels(s._s, cr, cc, backend)
    # The GPU has no way to fold the 0 of a left-out kernel into "max": negative weights there
    # keep every kernel in every chunk.
    no_buckets = (backend == "gpu" and header.get("combine") == "max"
                  and bool((table[table[:, 10] != 0, 8] < 0).any()))
    name = "gaussmap-render-" + tokenize(header_json, table, cr, cc, backend, threads)
    dsk = {}
    for i in range(n_rows):
        for j in range(n_cols):
            window = (i * cr, j * cc, min(cr, H - i * cr), min(cc, W - j * cc))
            if no_buckets:
                sub, left_out = table, False
            else:
                c = i * n_cols + j
                sub = table[indices[offsets[c]:offsets[c + 1]]]
                left_out = len(sub) < visible
            dsk[(name, i, j)] = (_render_chunk, header_json, sub, window, backend, threads,
                                 left_out)
    graph = HighLevelGraph.from_collections(name, dsk, dependencies=())
    dtype = np.float64 if backend == "reference" else np.float32
    return da.Array(graph, name, (_chunk_sizes(H, cr), _chunk_sizes(W, cc)), dtype=dtype)
