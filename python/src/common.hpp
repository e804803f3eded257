// common.hpp — what the binding files share: numpy arrays that own a std::vector (zero-copy
// results), checks of caller-supplied `out=` arrays, and the `threads=` argument.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/field.hpp"
#include "core/scene.hpp"

namespace gm::py_bind {

namespace py = pybind11;

// A numpy array over the vector's memory, which it takes over (no copy).
template <class T, class A>
py::array_t<T> adopt(std::vector<T, A>&& v, std::vector<py::ssize_t> shape) {
  auto* heap = new std::vector<T, A>(std::move(v));
  py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<T, A>*>(p); });
  return py::array_t<T>(std::move(shape), heap->data(), owner);
}

// `out`: a writeable, C-contiguous array of dtype T and the given shape. TypeError for a wrong
// type or dtype, ValueError for a wrong shape or layout; the message names `name`.
template <class T>
py::array_t<T> check_out(const py::object& out, const std::vector<py::ssize_t>& shape,
                         const char* name, const char* dtype_name) {
  if (!py::isinstance<py::array>(out))
    throw py::type_error(std::string(name) + ": expected a numpy array, got " +
                         std::string(py::str(py::type::of(out).attr("__name__"))));
  py::array a = py::reinterpret_borrow<py::array>(out);
  if (!a.dtype().is(py::dtype::of<T>()))
    throw py::type_error(std::string(name) + ": expected dtype " + dtype_name + ", got " +
                         std::string(py::str(a.dtype())));
  bool same = a.ndim() == py::ssize_t(shape.size());
  for (std::size_t i = 0; same && i < shape.size(); ++i) same = a.shape(py::ssize_t(i)) == shape[i];
  if (!same) {
    std::string want = "(", got = "(";
    for (std::size_t i = 0; i < shape.size(); ++i)
      want += (i ? ", " : "") + std::to_string(shape[i]);
    for (py::ssize_t i = 0; i < a.ndim(); ++i) got += (i ? ", " : "") + std::to_string(a.shape(i));
    throw py::value_error(std::string(name) + ": expected shape " + want + "), got " + got + ")");
  }
  if (!(a.flags() & py::array::c_style))
    throw py::value_error(std::string(name) + ": must be C-contiguous");
  if (!a.writeable()) throw py::value_error(std::string(name) + ": must be writeable");
  return py::reinterpret_borrow<py::array_t<T>>(a);
}

// threads=None -> 0 (all cores); else an int >= 1 (ValueError naming "threads").
inline int threads_arg(const py::object& threads) {
  if (threads.is_none()) return 0;
  if (!py::isinstance<py::int_>(threads) || py::isinstance<py::bool_>(threads))
    throw py::type_error("threads: expected an int or None, got " +
                         std::string(py::str(py::type::of(threads).attr("__name__"))));
  long long n = threads.cast<long long>();
  if (n < 1 || n > 1024)
    throw py::value_error("threads: must be between 1 and 1024, got " + std::to_string(n));
  return int(n);
}

// window=None -> nullopt; else a sequence (row0, col0, rows, cols) of ints (TypeError otherwise,
// naming "window"); checked against the grid later (checked_window).
inline std::optional<Window> window_arg(const py::object& w) {
  if (w.is_none()) return std::nullopt;
  const char* want = "window: expected (row0, col0, rows, cols) as four ints, got ";
  if (!py::isinstance<py::sequence>(w) || py::isinstance<py::str>(w))
    throw py::type_error(want + std::string(py::str(py::type::of(w).attr("__name__"))));
  py::sequence s = py::reinterpret_borrow<py::sequence>(w);
  if (s.size() != 4) throw py::type_error(want + std::string(py::repr(w)));
  int v[4];
  for (int i = 0; i < 4; ++i) {
    py::object e = s[std::size_t(i)];
    if (py::isinstance<py::bool_>(e) || !py::hasattr(e, "__index__"))
      throw py::type_error(want + std::string(py::repr(w)));
    long long x = py::int_(e).cast<long long>();
    if (x < -(1LL << 30) || x > (1LL << 30))
      throw py::value_error("window: value " + std::to_string(x) + " out of range");
    v[i] = int(x);
  }
  return Window{v[0], v[1], v[2], v[3]};
}

void bind_scene(py::module_& m);
void bind_render(py::module_& m);
void bind_keypoints(py::module_& m);

}  // namespace gm::py_bind
