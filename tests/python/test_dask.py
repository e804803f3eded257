"""gaussmap.dask on dask.distributed (a LocalCluster of 2 worker processes): the chunked array
equals the whole render bit for bit, with and without a cutoff; each task carries only its
bucket of kernels; to_zarr writes the field."""

import numpy as np
import pytest

import gaussmap as gm
import gaussmap.dask as gmd

distributed = pytest.importorskip("distributed")
zarr = pytest.importorskip("zarr")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def spread_scene(seed, n=400, w=700, h=500, sign=1, **kw):
    rng = np.random.default_rng(seed)
    return gm.Scene(w, h, rng.uniform(0, [w, h], (n, 2)), sigma=rng.uniform(1, 6, (n, 2)),
                    angle_deg=rng.uniform(0, 180, n), weight=sign * rng.uniform(0.2, 1, n), **kw)


@pytest.mark.parametrize("kw", [dict(), dict(cutoff_sigma=3),
                                dict(cutoff_sigma=3, combine="max", normalization="peak"),

                                dict(combine="prob_or", normalization="peak", sampling="area")])
def test_dask_equals_whole_render_on_two_worker_processes(client, kw):
    s = spread_scene(1, **kw)
    whole = gm.render(s)
    arr = gmd.render(s, chunks=(128, 200))
    assert arr.shape == (500, 700) and arr.dtype == np.float32
    assert arr.numblocks == (4, 4)
    got = arr.compute()
    workers = {w for w in client.run(lambda: 1)}
    assert len(workers) == 2
    assert np.array_equal(got, whole), f"max diff {np.abs(got - whole).max()}"


@pytest.mark.parametrize("backend", ["cpu", "reference"])
def test_max_of_negative_peaks_counts_the_left_out_zeros(client, backend):
    # One kernel per chunk: in the whole render the other kernels' 0 wins the max everywhere;
    # a chunk holding only its own kernel must fold that 0 in too (kernels_left_out).
    s = gm.Scene(120, 80, [(30, 20), (90, 20), (30, 60), (90, 60)], sigma=4, weight=-1.0,
                 cutoff_sigma=3, combine="max", normalization="peak")
    whole = gm.render(s, backend=backend)
    n_rows, n_cols, off, idx = gmd.chunk_buckets(s, (40, 60), backend)
    assert (n_rows, n_cols) == (2, 2) and list(np.diff(off)) == [1, 1, 1, 1]
    got = gmd.render(s, chunks=(40, 60), backend=backend).compute()
    assert np.array_equal(got, whole) and whole.min() == 0


def test_gpu_chunks_equal_whole(client):
    from conftest import gpu_or_skip
    gpu_or_skip()
    s = spread_scene(6, n=150, w=300, h=200, cutoff_sigma=3)
    whole = gm.render(s, backend="gpu")
    got = gmd.render(s, chunks=(64, 128), backend="gpu").compute()
    assert np.array_equal(got, whole), f"max diff {np.abs(got - whole).max()}"


def test_reference_chunks_equal_whole(client):
    s = spread_scene(2, n=20, w=90, h=70, cutoff_sigma=3)
    whole = gm.render(s, backend="reference")
    got = gmd.render(s, chunks=(32, 40), backend="reference").compute()
    assert got.dtype == np.float64 and np.array_equal(got, whole)


def test_each_task_carries_only_its_bucket():
    s = spread_scene(3, n=1000, w=2000, h=1600)
    arr = gmd.render(s, chunks=(400, 500))
    sizes = [len(task[2]) for task in dict(arr.dask).values()]
    print(f"kernels per task: max {max(sizes)}, mean {np.mean(sizes):.0f} of {len(s)}")
    assert len(sizes) == 16
    assert max(sizes) < len(s) / 4  # no chunk walks all the kernels
    assert sum(sizes) < 2 * len(s)


def test_to_zarr_writes_the_field(client, tmp_path):
    s = spread_scene(4, cutoff_sigma=3)
    path = str(tmp_path / "field.zarr")
    gmd.render(s, chunks=(256, 256)).to_zarr(path)
    z = zarr.open(path, mode="r")
    assert z.shape == (500, 700) and z.chunks == (256, 256) and z.dtype == np.float32
    assert np.array_equal(z[...], gm.render(s))


def test_bad_arguments():
    s = spread_scene(5, n=3, w=10, h=10)
    with pytest.raises(ValueError, match="chunks"):
        gmd.render(s, chunks=(0, 4))
    with pytest.raises(TypeError, match="chunks"):
        gmd.render(s, chunks="big")
    with pytest.raises(ValueError, match="backend"):
        gmd.render(s, backend="tpu")
