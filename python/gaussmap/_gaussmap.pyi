"""Type stubs of the _gaussmap extension (python/src/*.cpp). Use the gaussmap package instead:
it shapes the arguments and documents them."""

from typing import Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str

Window = Sequence[int]  # (row0, col0, rows, cols)

class _Scene:
    width: int
    height: int
    kernel_count: int
    @staticmethod
    def from_json(text: str) -> _Scene: ...
    @staticmethod
    def from_table(header_json: str, table: npt.ArrayLike) -> _Scene: ...
    def to_json(self, indent: int = 2) -> str: ...
    def table(self) -> npt.NDArray[np.float64]: ...
    def warnings(self) -> list[str]: ...
    def subset(self, indices: npt.ArrayLike) -> _Scene: ...
    def __eq__(self, other: object) -> bool: ...

def load(path: str) -> _Scene: ...
def save(path: str, scene: _Scene) -> None: ...
def kernels_touching(scene: _Scene, window: Window, backend: str) -> npt.NDArray[np.int64]: ...
def bucket_kernels(
    scene: _Scene, chunk_rows: int, chunk_cols: int, backend: str
) -> Tuple[int, int, npt.NDArray[np.int64], npt.NDArray[np.int32]]: ...
def render(
    scene: _Scene,
    backend: str,
    window: Optional[Window],
    threads: Optional[int],
    out: Optional[np.ndarray],
    kernels_left_out: bool = ...,
) -> np.ndarray: ...
def colorize(
    field: npt.ArrayLike, colormap: str, range: Union[str, Tuple[float, float]], scale: str
) -> npt.NDArray[np.uint8]: ...
def auto_backend() -> Tuple[str, str]: ...
def shutdown_gpu() -> None: ...
def keypoint_heatmaps(
    keypoints: np.ndarray,
    visible: Optional[npt.ArrayLike],
    sigma: npt.ArrayLike,
    width: int,
    height: int,
    encoding: str,
    threads: Optional[int],
    out: Optional[np.ndarray],
) -> Tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]: ...
