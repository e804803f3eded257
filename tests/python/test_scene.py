"""gaussmap.Scene: from arrays equal to the same scene from JSON, dict/JSON/pickle round trips,
load/save, and bad inputs raising ValueError / TypeError that name the parameter or key path."""

import json
import pickle

import numpy as np
import pytest

import gaussmap as gm


def test_scene_from_arrays_equals_scene_from_json(examples_dir):
    with open(f"{examples_dir}/keypoints.json") as f:
        d = json.load(f)
    from_json = gm.Scene.from_dict(d)
    ks = d["kernels"]
    assert all("sigma" in k or "covariance" in k for k in ks)
    n = len(ks)
    # Build it again from arrays, kernel by kernel form.
    centers = np.array([k["center"] for k in ks], dtype=float)
    dom = d.get("domain")
    kw = dict(domain=(tuple(dom["x"]), tuple(dom["y"])) if dom else None,
              normalization=d.get("normalization", "pdf"), combine=d.get("combine", "sum"),
              sampling=d.get("sampling", "point"), cutoff_sigma=d.get("cutoff_sigma"))
    if all("sigma" in k for k in ks):
        s = gm.Scene(d["width"], d["height"], centers,
                     sigma=np.array([k["sigma"] for k in ks], dtype=float),
                     angle_deg=np.array([k.get("angle_deg", 0) for k in ks], dtype=float),
                     weight=np.array([k.get("weight", 1) for k in ks], dtype=float), **kw)
    else:
        pytest.skip("example mixes sigma and covariance kernels")
    assert len(s) == n
    # The view block is not part of the array constructor: compare fields and kernel tables.
    assert np.array_equal(s.kernel_table(), from_json.kernel_table())
    assert np.array_equal(gm.render(s), gm.render(from_json))
    assert np.array_equal(gm.render(s, backend="reference"),
                          gm.render(from_json, backend="reference"))


def test_scene_from_arrays_equals_json_covariance():
    cov = np.array([[[4.0, 1.5], [1.5, 2.0]], [[1.0, -0.2], [-0.2, 3.0]]])
    s = gm.Scene(40, 30, [(10.5, 12), (25, 8.25)], covariance=cov, weight=[1, -0.5],
                 domain=((0, 39), (29, 0)), cutoff_sigma=4, combine="sum")
    text = {"gaussmap": 1, "width": 40, "height": 30, "domain": {"x": [0, 39], "y": [29, 0]},
            "cutoff_sigma": 4,
            "kernels": [{"center": [10.5, 12], "covariance": [[4, 1.5], [1.5, 2]], "weight": 1},
                        {"center": [25, 8.25], "covariance": [[1, -0.2], [-0.2, 3]],
                         "weight": -0.5}]}
    assert s == gm.Scene.from_dict(text)
    assert s == gm.Scene.from_dict(s.to_dict())
    assert s == pickle.loads(pickle.dumps(s))
    assert np.array_equal(gm.render(s), gm.render(text))


def test_broadcasting_of_per_kernel_values():
    c = [(1, 1), (5, 5), (9, 2)]
    a = gm.Scene(12, 12, c, sigma=2.0, weight=0.5)
    b = gm.Scene(12, 12, c, sigma=[(2, 2)] * 3, weight=[0.5] * 3, angle_deg=[0, 0, 0])
    assert a == b
    assert gm.Scene(12, 12, c, sigma=[1, 2, 3]).kernel_table()[:, 2:4].tolist() == \
        [[1, 1], [2, 2], [3, 3]]


def test_load_save_round_trip(tmp_path, examples_dir):
    for name in ["seed", "keypoints", "linspace", "points_to_heatmap", "subpixel_area"]:
        s = gm.load(f"{examples_dir}/{name}.json")
        p = tmp_path / f"{name}.json"
        gm.save(p, s)
        assert gm.load(p) == s, name
        assert np.array_equal(gm.render(gm.load(p)), gm.render(s))


def test_pickle_carries_plain_arrays():
    s = gm.Scene(16, 16, [(3, 3), (9, 9)], sigma=[1.5, 2.5], cutoff_sigma=3)
    fn, args = s.__reduce__()
    assert isinstance(args[0], str) and isinstance(args[1], np.ndarray)
    assert pickle.loads(pickle.dumps(s)) == s


@pytest.mark.parametrize("make, exc, needle", [
    (lambda: gm.Scene(10, 10, [(1, 1)], sigma=-2), ValueError, "kernels[0].sigma[0]: must be > 0"),
    (lambda: gm.Scene(10, 10, [(1, 1), (2, 2)], sigma=[1, 0]), ValueError, "kernels[1].sigma"),
    (lambda: gm.Scene(10, 10, [(1, np.nan)], sigma=1), ValueError, "kernels[0].center[1]"),
    (lambda: gm.Scene(10, 10, [(1, 1)], covariance=[[[1, 2], [2, 1]]]), ValueError,
     "kernels[0].covariance"),
    (lambda: gm.Scene(10, 10, [(1, 1)], covariance=[[[1, 2], [0, 1]]]), ValueError,
     "covariance[0]: must be symmetric"),
    (lambda: gm.Scene(0, 10, [(1, 1)], sigma=1), ValueError, "width"),
    (lambda: gm.Scene(10, 10, [(1, 1)], sigma=1, combine="avg"), ValueError, "combine"),
    (lambda: gm.Scene(10, 10, [(1, 1)], sigma=1, normalization="area"), ValueError,
     "normalization"),
    (lambda: gm.Scene(10, 10, [(1, 1)], sigma=1, cutoff_sigma=0), ValueError, "cutoff_sigma"),
    (lambda: gm.Scene(10, 10, [(1, 1, 1)], sigma=1), ValueError, "centers"),
    (lambda: gm.Scene(10, 10, [(1, 1)], sigma=[1, 2]), ValueError, "sigma"),
    (lambda: gm.Scene(10, 10, [(1, 1)]), ValueError, "sigma"),
    (lambda: gm.Scene(10, 10, "abc", sigma=1), TypeError, "centers"),
    (lambda: gm.Scene(10.5, 10, [(1, 1)], sigma=1), TypeError, "width"),
    (lambda: gm.Scene(10, 10, [(1, 1)], sigma="x"), TypeError, "sigma"),
    (lambda: gm.Scene(10, 10, [(1, 1)], sigma=1, domain=((0, 1),)), ValueError, "domain"),
    (lambda: gm.Scene(10, 10, [(1, 1)], sigma=1, domain=((0, 0), (0, 1))), ValueError,
     "domain.x"),
    (lambda: gm.Scene.from_dict({"width": 4, "height": 4, "kernels": [{"center": [1, 1]}]}),
     ValueError, "kernels[0]"),
    (lambda: gm.Scene.from_dict({"width": 4, "height": 4, "kernels": [], "colour": 1}),
     ValueError, "colour"),
    (lambda: gm.Scene.from_dict([1]), TypeError, "scene"),
])
def test_bad_scene_inputs_name_the_parameter(make, exc, needle):
    with pytest.raises(exc) as e:
        make()
    assert needle in str(e.value), str(e.value)
    assert "\n" not in str(e.value)


S = gm.Scene(20, 10, [(5, 5)], sigma=2)


@pytest.mark.parametrize("call, exc, needle", [
    (lambda: gm.render(S, backend="cuda"), ValueError, "backend"),
    (lambda: gm.render(S, backend=3), TypeError, "backend"),
    (lambda: gm.render(S, window=(0, 0, 11, 5)), ValueError, "window"),
    (lambda: gm.render(S, window=(-1, 0, 2, 2)), ValueError, "window"),
    (lambda: gm.render(S, window=(0, 0, 0, 2)), ValueError, "window"),
    (lambda: gm.render(S, window=(0, 0, 2)), TypeError, "window"),
    (lambda: gm.render(S, window="all"), TypeError, "window"),
    (lambda: gm.render(S, window=(0.5, 0, 2, 2)), TypeError, "window"),
    (lambda: gm.render(S, threads=0), ValueError, "threads"),
    (lambda: gm.render(S, threads=1.5), TypeError, "threads"),
    (lambda: gm.render(S, out=np.zeros((10, 20))), TypeError, "out"),
    (lambda: gm.render(S, out=np.zeros((10, 21), np.float32)), ValueError, "out"),
    (lambda: gm.render(S, out=np.zeros((20, 10), np.float32).T), ValueError, "out"),
    (lambda: gm.render(S, out=[0.0] * 200), TypeError, "out"),
    (lambda: gm.render(S, backend="reference", out=np.zeros((10, 20), np.float32)), TypeError,
     "out"),
    (lambda: gm.render(42), TypeError, "scene"),
    (lambda: gm.render("/nonexistent/scene.json"), OSError, "/nonexistent/scene.json"),
    (lambda: gm.render({"width": 4}), ValueError, "height"),
    (lambda: gm.render(gm.Scene(30000, 30000, [(1, 1)], sigma=1)), ValueError, "kMaxPixels"),
    (lambda: gm.colorize(np.zeros((2, 2)), "rainbow"), ValueError, "colormap"),
    (lambda: gm.colorize(np.zeros((2, 2)), range=(1, 0)), ValueError, "range"),
    (lambda: gm.colorize(np.zeros((2, 2)), range="full"), ValueError, "range"),
    (lambda: gm.colorize(np.zeros(4)), ValueError, "field"),
    (lambda: gm.colorize(np.zeros((2, 2)), scale="cubic"), ValueError, "scale"),
])
def test_bad_render_inputs_name_the_parameter(call, exc, needle):
    with pytest.raises(exc) as e:
        call()
    assert needle in str(e.value), str(e.value)


def test_readonly_out_is_refused():
    out = np.zeros((10, 20), np.float32)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="out: must be writeable"):
        gm.render(S, out=out)


def test_prob_or_clamp_warns():
    s = gm.Scene(8, 8, [(3, 3)], sigma=0.2, combine="prob_or")  # pdf peak 4 > 1
    with pytest.warns(RuntimeWarning):
        gm.render(s)
