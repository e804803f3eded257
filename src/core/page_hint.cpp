// page_hint.cpp — madvise on a fresh output buffer: huge pages or one populating call
// (page_hint.hpp). Linux only: the build targets Linux (POSIX I/O, EGL).
#include "page_hint.hpp"

#include <cstdint>

#include <sys/mman.h>

namespace gm {

namespace {

// The whole pages of [p, p + bytes) aligned to `align`: madvise(lo, hi - lo, advice).
void advise(std::uintptr_t a, std::uintptr_t b, std::uintptr_t align, int advice) {
  const std::uintptr_t lo = (a + align - 1) & ~(align - 1), hi = b & ~(align - 1);
  if (hi > lo) ::madvise(reinterpret_cast<void*>(lo), hi - lo, advice);
}

}  // namespace

void prepare_output_pages(void* p, std::size_t bytes) {
  constexpr std::uintptr_t kPage = 4096, kHuge = std::uintptr_t(2) << 20;  // x86-64, arm64
  if (!p || bytes < kPrefaultBytes) return;
  const auto a = reinterpret_cast<std::uintptr_t>(p), b = a + bytes;
  // One system call faults pages in: cheaper than a trap per page (Linux 5.14; older kernels
  // answer EINVAL and the pages fault in on first write as before).
  if (bytes < 2 * kHuge) return advise(a, b, kPage, MADV_POPULATE_WRITE);
  // Huge pages on the aligned middle; the two ragged ends (up to 2 MiB each) populated.
  const std::uintptr_t mid0 = (a + kHuge - 1) & ~(kHuge - 1), mid1 = b & ~(kHuge - 1);
  advise(a, b, kHuge, MADV_HUGEPAGE);
  advise(a, mid0, kPage, MADV_POPULATE_WRITE);
  advise(mid1, b, kPage, MADV_POPULATE_WRITE);
}

}  // namespace gm
