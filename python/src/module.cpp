// module.cpp — the _gaussmap extension: registers the bindings and maps gaussmap's errors to
// Python's (bad input -> ValueError, file errors -> OSError, GL failures -> RuntimeError).
#include "common.hpp"
#include "core/errors.hpp"

PYBIND11_MODULE(_gaussmap, m) {
  namespace py = pybind11;
  m.doc() = "gaussmap's C++ core; use the gaussmap package, not this module.";
  m.attr("__version__") = GAUSSMAP_VERSION;
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const gm::InputError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const gm::IoError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    } catch (const gm::GlError& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });
  gm::py_bind::bind_scene(m);
  gm::py_bind::bind_render(m);
  gm::py_bind::bind_keypoints(m);
}
