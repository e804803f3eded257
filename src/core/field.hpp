// field.hpp — a row-major (H, W) scalar field; row 0 is the top row (y0), as in every file written.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace gm {

// A rectangle of a grid in pixel indices: rows [row0, row0 + rows), columns [col0, col0 + cols).
// clang-format off
struct Window { int row0 = 0, col0 = 0, rows = 0, cols = 0; };
// clang-format on

// std::allocator whose element construction without arguments leaves a value uninitialized
// (default-initialization): a field that is about to be overwritten is not zero-filled first.
// Zero-filling 8 MiB of fresh memory on one thread costs more than most renders (its page faults
// run serially, before any work); left to the writer, they are taken by the threads that write.
template <class T>
struct DefaultInitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <class U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  template <class U, class... A>
  void construct(U* p, A&&... a) {
    if constexpr (sizeof...(A) == 0)
      ::new (static_cast<void*>(p)) U;
    else
      ::new (static_cast<void*>(p)) U(std::forward<A>(a)...);
  }
};

template <class T>
struct FieldT {
  int width = 0, height = 0;
  std::vector<T, DefaultInitAllocator<T>> data;  // size width*height, index row*width + col

  FieldT() = default;
  FieldT(int w, int h) : width(w), height(h), data(std::size_t(w) * std::size_t(h), T(0)) {}
  // A field of unspecified values, for a writer that sets every one.
  static FieldT uninitialized(int w, int h) {
    FieldT f;
    f.width = w, f.height = h;
    f.data.resize(std::size_t(w) * std::size_t(h));
    return f;
  }
  T& at(int row, int col) { return data[std::size_t(row) * width + col]; }
  const T& at(int row, int col) const { return data[std::size_t(row) * width + col]; }
};

using Field = FieldT<float>;    // what the GPU and the fast CPU backend produce, what .npy holds
using FieldD = FieldT<double>;  // what the float64 reference produces

template <class T>
struct MinMax {
  T min = 0, max = 0;
};
template <class T>
MinMax<T> min_max(const FieldT<T>& f) {
  if (f.data.empty()) return {};
  auto [lo, hi] = std::minmax_element(f.data.begin(), f.data.end());
  return {*lo, *hi};
}

// Max |a-b| and that figure relative to the reference's peak magnitude (max |ref|).
struct FieldError {
  double max_abs = 0;
  double max_rel_peak = 0;  // max_abs / max|ref| (max_abs itself when the reference is all zero)
  double peak = 0;
};
template <class A>
FieldError compare(const FieldT<A>& got, const FieldD& ref) {
  FieldError e;
  for (std::size_t i = 0; i < ref.data.size() && i < got.data.size(); ++i) {
    e.peak = std::max(e.peak, ref.data[i] < 0 ? -ref.data[i] : ref.data[i]);
    double d = double(got.data[i]) - ref.data[i];
    e.max_abs = std::max(e.max_abs, d < 0 ? -d : d);
  }
  e.max_rel_peak = e.peak > 0 ? e.max_abs / e.peak : e.max_abs;
  return e;
}

}  // namespace gm
