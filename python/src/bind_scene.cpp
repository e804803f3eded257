// bind_scene.cpp — the scene for Python: _Scene (gm::Scene) built from JSON text or from a kernel
// table (one float64 row per kernel, the columns of kTableColumns), validated by gm::validate with
// its key-path messages; load / save; the kernel buckets of windows and chunks (bucketing.hpp).
// Scenes from Python may be larger than an in-memory field (GridUse::Windowed): render() checks
// the pixels of what it materializes.
#include <pybind11/operators.h>

#include "common.hpp"
#include "core/bucketing.hpp"
#include "core/errors.hpp"
#include "core/image_io.hpp"
#include "core/scene_io.hpp"
#include "core/window.hpp"

namespace gm::py_bind {

namespace {

constexpr const char* kTableColumns[] = {"cx",     "cy",     "sx",     "sy",     "angle_deg",
                                         "cov_xx", "cov_xy", "cov_yy", "weight", "use_covariance",
                                         "visible"};
constexpr py::ssize_t kCols = 11;

py::array_t<double> kernel_table(const Scene& s) {
  std::vector<double> t(s.kernels.size() * kCols);
  for (std::size_t i = 0; i < s.kernels.size(); ++i) {
    const Kernel& k = s.kernels[i];
    double* r = &t[i * kCols];
    r[0] = k.cx, r[1] = k.cy, r[2] = k.sx, r[3] = k.sy, r[4] = k.angle_deg;
    r[5] = k.cov_xx, r[6] = k.cov_xy, r[7] = k.cov_yy, r[8] = k.weight;
    r[9] = k.use_covariance ? 1 : 0, r[10] = k.visible ? 1 : 0;
  }
  return adopt(std::move(t), {py::ssize_t(s.kernels.size()), kCols});
}

Scene from_table(const std::string& header_json,
                 const py::array_t<double, py::array::c_style | py::array::forcecast>& table) {
  Scene s = scene_from_json_text(header_json, GridUse::Windowed);
  if (table.ndim() != 2 || table.shape(1) != kCols)
    throw py::value_error("kernel table: expected shape (N, " + std::to_string(kCols) + ")");
  const py::ssize_t n = table.shape(0);
  if (n > Limits::kMaxKernels)
    throw InputError("kernels: " + std::to_string(n) + " kernels, over the limit of " +
                     std::to_string(Limits::kMaxKernels) + " (kMaxKernels)");
  auto t = table.unchecked<2>();
  s.kernels.resize(std::size_t(n));
  for (py::ssize_t i = 0; i < n; ++i) {
    Kernel& k = s.kernels[std::size_t(i)];
    k.cx = t(i, 0), k.cy = t(i, 1), k.sx = t(i, 2), k.sy = t(i, 3), k.angle_deg = t(i, 4);
    k.cov_xx = t(i, 5), k.cov_xy = t(i, 6), k.cov_yy = t(i, 7), k.weight = t(i, 8);
    k.use_covariance = t(i, 9) != 0, k.visible = t(i, 10) != 0;
  }
  validate(s, GridUse::Windowed);
  return s;
}

bool ends_with_png(const std::string& p) {
  if (p.size() < 4) return false;
  std::string e = p.substr(p.size() - 4);
  for (char& c : e) c = char(std::tolower(static_cast<unsigned char>(c)));
  return e == ".png";
}

Scene load_any(const std::string& path) {
  if (ends_with_png(path)) {
    std::optional<std::string> text = read_png_scene(path);
    if (!text) throw InputError(path + ": this PNG carries no gaussmap scene");
    return scene_from_json_text(*text, GridUse::Windowed);
  }
  return load_scene(path, GridUse::Windowed);
}

BucketRule parse_rule(const std::string& backend) {
  return backend == "cpu" ? BucketRule::FastCpu : BucketRule::Exact;
}

}  // namespace

void bind_scene(py::module_& m) {
  py::class_<Scene>(m, "_Scene", "A validated gaussmap scene (C++ side of gaussmap.Scene).")
      .def_static(
          "from_json",
          [](const std::string& text) { return scene_from_json_text(text, GridUse::Windowed); },
          py::arg("text"))
      .def_static("from_table", &from_table, py::arg("header_json"), py::arg("table"))
      .def("to_json", &scene_to_json_text, py::arg("indent") = 2)
      .def("table", &kernel_table)
      .def_readonly("width", &Scene::width)
      .def_readonly("height", &Scene::height)
      .def_property_readonly("kernel_count", [](const Scene& s) { return s.kernels.size(); })
      .def("warnings", &scene_warnings)
      .def(
          "subset",
          [](const Scene& s, const py::array_t<std::int64_t, py::array::forcecast>& idx) {
            std::vector<int> v;
            v.reserve(std::size_t(idx.size()));
            for (py::ssize_t i = 0; i < idx.size(); ++i) {
              std::int64_t j = idx.data()[i];
              if (j < 0 || j >= std::int64_t(s.kernels.size()))
                throw py::index_error("subset: kernel index " + std::to_string(j) +
                                      " out of range");
              v.push_back(int(j));
            }
            return scene_subset(s, v);
          },
          py::arg("indices"))
      .def(py::self == py::self);  // NOLINT

  m.def("load", &load_any, py::arg("path"));
  m.def(
      "save", [](const std::string& path, const Scene& s) { save_scene(s, path); }, py::arg("path"),
      py::arg("scene"));
  m.def(
      "kernels_touching",
      [](const Scene& s, const py::object& w, const std::string& backend) {
        std::vector<int> v =
            kernels_touching(s, checked_window(s, window_arg(w)), parse_rule(backend));
        return adopt(std::vector<std::int64_t>(v.begin(), v.end()), {py::ssize_t(v.size())});
      },
      py::arg("scene"), py::arg("window"), py::arg("backend"));
  m.def(
      "bucket_kernels",
      [](const Scene& s, int chunk_rows, int chunk_cols, const std::string& backend) {
        ChunkBuckets b;
        {
          py::gil_scoped_release nogil;
          b = bucket_kernels(s, chunk_rows, chunk_cols, parse_rule(backend));
        }
        const auto n_off = py::ssize_t(b.offsets.size()), n_idx = py::ssize_t(b.indices.size());
        return py::make_tuple(b.n_rows, b.n_cols, adopt(std::move(b.offsets), {n_off}),
                              adopt(std::move(b.indices), {n_idx}));
      },
      py::arg("scene"), py::arg("chunk_rows"), py::arg("chunk_cols"), py::arg("backend"));
}

}  // namespace gm::py_bind
