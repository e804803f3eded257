"""pytest setup for the gaussmap Python suite: the module comes from the build tree
(PYTHONPATH=build/python, as CI runs it); shared helpers for the tests."""

import os

import numpy as np
import pytest

import gaussmap as gm

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")


def gpu_or_skip():
    """Skip (visibly) where no GL 4.5 context can be made; the reason is the core's message."""
    try:
        gm.render(gm.Scene(2, 2, centers=[(0, 0)], sigma=1), backend="gpu")
    except RuntimeError as e:
        pytest.skip(f"no GL for the gpu backend: {e}")


def rel_err(got, ref):
    """max |got - ref| relative to the reference's peak magnitude."""
    ref = np.asarray(ref, dtype=np.float64)
    return float(np.abs(np.asarray(got, dtype=np.float64) - ref).max() / np.abs(ref).max())


@pytest.fixture
def examples_dir():
    return EXAMPLES
