"""scikit-build glue for `pip install .` (metadata in pyproject.toml): the CMake project builds the
_gaussmap extension (no viewer, no tests) and installs it into the gaussmap package, whose Python
files come from python/gaussmap."""

from skbuild import setup

setup(
    packages=["gaussmap"],
    package_dir={"": "python"},
    package_data={"gaussmap": ["*.pyi", "py.typed"]},
    cmake_args=["-DGAUSSMAP_VIEWER=OFF", "-DGAUSSMAP_TESTS=OFF", "-DCMAKE_BUILD_TYPE=Release"],
    cmake_install_dir="python",  # install(... DESTINATION gaussmap) lands in python/gaussmap
)
