// bind_render.cpp — render() and colorize() for Python. Fields are computed with the GIL released;
// results are numpy arrays that own the evaluator's buffer (no copy), or the caller's `out=`.
// Backends: "cpu" (fast float32), "reference" (float64, threads over rows), "gpu" (headless EGL on
// the GL thread, gpu_worker.hpp), "auto" (the command line's rule, core/backend_choice.hpp: the
// CPU for small scenes, where GL is software and where there is no GPU; else the GPU).
#include <algorithm>
#include <cmath>
#include <mutex>
#include <optional>

#include "common.hpp"
#include "core/backend_choice.hpp"
#include "core/colormap.hpp"
#include "core/errors.hpp"
#include "core/fast_eval.hpp"
#include "core/reference.hpp"
#include "core/scene_io.hpp"
#include "core/window.hpp"
#include "gpu_worker.hpp"

namespace gm::py_bind {

namespace {

// What "auto" knows of this machine's GL, learnt once per process: whether a GPU device node
// exists and, only when the rule asks for it (probe_gl), GL_RENDERER of a context made on the GL
// thread. A context that cannot be made counts as no device.
const GlFacts& machine_gl(bool need_renderer) {
  static std::mutex m;
  static GlFacts facts;
  static bool looked = false, probed = false;
  std::lock_guard<std::mutex> lock(m);
  if (!looked) facts.device = gpu_device_present(), looked = true;
  if (need_renderer && !probed) {
    probed = true;
    try {
      facts.renderer = gpu_renderer_name();
    } catch (const std::exception&) {
      facts.device = false;
    }
  }
  return facts;
}

// "auto" for one scene: the command line's rule (core/backend_choice.hpp). Returns "gpu" or
// "cpu" and why.
std::pair<std::string, std::string> auto_choice(const Scene& s) {
  BackendChoice c = choose_backend(s, machine_gl(false));
  if (c.probe_gl) c = choose_backend(s, machine_gl(true));
  return {c.gpu ? "gpu" : "cpu", c.reason};
}

// "auto" for this machine, whatever the scene: what a large scene gets.
std::pair<std::string, std::string> auto_choice_machine() {
  const GlFacts& f = machine_gl(true);
  if (!f.renderer) return {"cpu", "no GL context can be made here"};
  if (is_software_renderer(*f.renderer))
    return {"cpu", "GL is software (" + *f.renderer + "): the CPU backend is faster"};
  return {"gpu", "hardware GL (" + *f.renderer + "); small scenes still go to the CPU"};
}

std::string resolve_backend(const std::string& name, const Scene& s) {
  if (name == "cpu" || name == "reference" || name == "gpu") return name;
  if (name == "auto") {
    py::gil_scoped_release nogil;  // a probe starts GL on the GL thread
    return auto_choice(s).first;
  }
  throw py::value_error("backend: expected \"cpu\", \"reference\", \"gpu\" or \"auto\", got \"" +
                        name + "\"");
}

py::array render(const Scene& s, const std::string& backend_name, const py::object& window_obj,
                 const py::object& threads_obj, const py::object& out, bool kernels_left_out) {
  const std::string backend = resolve_backend(backend_name, s);
  const std::optional<Window> window = window_arg(window_obj);
  const Window w = checked_window(s, window);
  const int threads = threads_arg(threads_obj);
  try {
    check_window_pixels(w.rows, w.cols, window ? "window" : "scene");
  } catch (const InputError& e) {
    if (window) throw;
    throw InputError(std::string(e.what()) +
                     "; render it by windows (window=) or with gaussmap.dask");
  }
  const std::vector<py::ssize_t> shape = {w.rows, w.cols};
  if (backend == "reference") {
    py::array_t<double> a = out.is_none() ? py::array_t<double>(shape)
                                          : check_out<double>(out, shape, "out", "float64");
    double* dst = a.mutable_data();
    {
      py::gil_scoped_release nogil;
      evaluate_reference_into(s, w, dst, threads, kernels_left_out);
    }
    return a;
  }
  std::optional<py::array_t<float>> dst_out;
  if (!out.is_none()) dst_out = check_out<float>(out, shape, "out", "float32");
  if (backend == "cpu") {  // straight into the numpy buffer
    py::array_t<float> a = dst_out ? *dst_out : py::array_t<float>(shape);
    FastEvalOptions o;
    o.threads = threads;
    o.window = w;
    o.kernels_left_out = kernels_left_out;
    float* dst = a.mutable_data();
    py::gil_scoped_release nogil;
    evaluate_fast_into(s, o, dst);
    return a;
  }
  if (kernels_left_out && s.combine == Combine::Max)
    throw py::value_error("backend: gpu cannot render a max-combined bucket; use cpu");
  Field f;
  {
    py::gil_scoped_release nogil;
    run_on_gpu([&](gl::MixtureRenderer& r) {
      r.render_field(s, w);
      f = r.read_field();
    });
  }
  if (!dst_out) return adopt(std::move(f.data), shape);  // the readback buffer, no copy
  std::copy(f.data.begin(), f.data.end(), dst_out->mutable_data());
  return *dst_out;
}

py::array_t<std::uint8_t> colorize_field(
    const py::array_t<float, py::array::c_style | py::array::forcecast>& field,
    const std::string& colormap, const py::object& range, const std::string& scale) {
  if (field.ndim() != 2)
    throw py::value_error("field: expected a 2-D array, got " + std::to_string(field.ndim()) +
                          " dimensions");
  View v;
  auto cm = parse_colormap(colormap);
  if (!cm) throw py::value_error("colormap: unknown colormap \"" + colormap + "\"");
  v.colormap = *cm;
  auto sc = parse_scale(scale);
  if (!sc) throw py::value_error("scale: expected linear, sqrt or log, got \"" + scale + "\"");
  v.scale = *sc;
  if (py::isinstance<py::str>(range)) {
    if (range.cast<std::string>() != "auto")
      throw py::value_error("range: expected \"auto\" or (vmin, vmax)");
  } else {
    auto r = range.cast<std::pair<double, double>>();
    if (!(r.first < r.second) || !std::isfinite(r.first) || !std::isfinite(r.second))
      throw py::value_error("range: must be finite with vmin < vmax, got (" +
                            std::to_string(r.first) + ", " + std::to_string(r.second) + ")");
    v.range_auto = false, v.vmin = r.first, v.vmax = r.second;
  }
  const auto h = field.shape(0), w = field.shape(1);
  check_window_pixels(h, w, "field");
  Field f{int(w), int(h)};
  std::copy_n(field.data(), f.data.size(), f.data.begin());
  Image img;
  {
    py::gil_scoped_release nogil;
    img = colorize(f, v);
  }
  return adopt(std::move(img.rgba), {h, w, 4});
}

}  // namespace

void bind_render(py::module_& m) {
  m.def("render", &render, py::arg("scene"), py::arg("backend"), py::arg("window"),
        py::arg("threads"), py::arg("out"), py::arg("kernels_left_out") = false);
  m.def("colorize", &colorize_field, py::arg("field"), py::arg("colormap"), py::arg("range"),
        py::arg("scale"));
  m.def("auto_backend", [] {
    std::pair<std::string, std::string> c;
    {
      py::gil_scoped_release nogil;  // a probe starts GL on the GL thread
      c = auto_choice_machine();
    }
    return py::make_tuple(c.first, c.second);
  });
  m.def("shutdown_gpu", [] {
    py::gil_scoped_release nogil;
    shutdown_gpu();
  });
}

}  // namespace gm::py_bind
