// bind_keypoints.cpp — keypoint heatmap targets for Python (core/keypoints.hpp), batched: the
// Python layer reshapes (K, 2) and (N, K, 2) inputs to (1, N, K, 2). Inputs are read as float64
// (float32 keypoints are remembered, see KeypointBatch::xy_float32); outputs are float32 arrays
// allocated by numpy (or the caller's out=) and filled with the GIL released.
#include "common.hpp"
#include "core/keypoints.hpp"

namespace gm::py_bind {

namespace {

using F64 = py::array_t<double, py::array::c_style | py::array::forcecast>;

py::tuple heatmaps(const py::array& keypoints_in, const py::object& visible_in,
                   const py::object& sigma_in, int width, int height, const std::string& encoding,
                   const py::object& threads_obj, const py::object& out) {
  auto enc = parse_keypoint_encoding(encoding);
  if (!enc)
    throw py::value_error("encoding: expected \"msra\", \"udp\" or \"exact\", got \"" + encoding +
                          "\"");
  const int threads = threads_arg(threads_obj);
  F64 xy = F64::ensure(keypoints_in);
  if (!xy || xy.ndim() != 4 || xy.shape(3) != 2)
    throw py::value_error("keypoints: expected shape (B, N, K, 2)");
  KeypointBatch in;
  in.batch = int(xy.shape(0)), in.instances = int(xy.shape(1)), in.keypoints = int(xy.shape(2));
  in.xy = xy.data();
  in.xy_float32 = keypoints_in.dtype().is(py::dtype::of<float>());
  in.width = width, in.height = height;
  F64 vis;
  if (!visible_in.is_none()) {
    vis = F64::ensure(visible_in);
    if (!vis || vis.ndim() != 3 || vis.shape(0) != in.batch || vis.shape(1) != in.instances ||
        vis.shape(2) != in.keypoints)
      throw py::value_error("visible: expected shape (" + std::to_string(in.batch) + ", " +
                            std::to_string(in.instances) + ", " + std::to_string(in.keypoints) +
                            ") like keypoints without the last axis");
    in.visible = vis.data();
  }
  F64 sig = F64::ensure(sigma_in);
  if (!sig || sig.ndim() != 1 ||
      !(sig.size() == 1 || sig.size() == in.instances ||
        sig.size() == py::ssize_t(in.batch) * in.instances))
    throw py::value_error("sigma: expected a scalar or one value per instance (N,)");
  in.sigma = sig.data(), in.sigma_count = std::size_t(sig.size());
  if (std::string err = keypoint_input_error(in); !err.empty()) throw py::value_error(err);
  const std::vector<py::ssize_t> shape = {in.batch, in.keypoints, height, width};
  if (double(in.batch) * in.keypoints * height * width > double(1LL << 31))
    throw py::value_error("size: B x K x H x W is over 2^31 values");
  py::array_t<float> maps =
      out.is_none() ? py::array_t<float>(shape) : check_out<float>(out, shape, "out", "float32");
  py::array_t<float> weights(
      {py::ssize_t(in.batch), py::ssize_t(in.instances), py::ssize_t(in.keypoints)});
  float* mp = maps.mutable_data();
  float* wp = weights.mutable_data();
  {
    py::gil_scoped_release nogil;
    keypoint_heatmaps(in, *enc, mp, wp, threads);
  }
  return py::make_tuple(maps, weights);
}

}  // namespace

void bind_keypoints(py::module_& m) {
  m.def("keypoint_heatmaps", &heatmaps, py::arg("keypoints"), py::arg("visible"), py::arg("sigma"),
        py::arg("width"), py::arg("height"), py::arg("encoding"), py::arg("threads"),
        py::arg("out"));
}

}  // namespace gm::py_bind
