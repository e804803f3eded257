// page_hint.hpp — fresh output buffers (a field, a picture: megabytes written once) without a
// page fault per 4 KiB.
//
// A new buffer is faulted in one 4 KiB page at a time on its first write, and on this class of
// machine (a KVM guest) each fault costs several microseconds: a 1920x1080 float field (8 MiB,
// 2,048 pages) paid about 7 ms of faults, twice the time of computing it. Buffers of 4 MiB and
// more ask for transparent huge pages (granted on request where
// /sys/kernel/mm/transparent_hugepage/enabled is "madvise", Debian's default, or "always"): four
// 2 MiB faults instead. Smaller ones from 256 KiB are faulted in by one system call up front.
// Where the kernel offers neither, nothing changes.
#pragma once

#include <cstddef>
#include <vector>

namespace gm {

// Below this, the faults cost less than the call.
constexpr std::size_t kPrefaultBytes = std::size_t(256) << 10;

// Advises the kernel on [p, p + bytes), storage not yet written: huge pages from 4 MiB (the
// 2 MiB-aligned part), else its pages populated now. Never fails.
void prepare_output_pages(void* p, std::size_t bytes);

// v.resize(n) where growing v allocates: its new storage is prepared before the first write (the
// zero fill).
template <class T, class A>
void resize_output(std::vector<T, A>& v, std::size_t n) {
  if (n > v.capacity()) {
    v.reserve(n);
    prepare_output_pages(v.data(), n * sizeof(T));
  }
  v.resize(n);
}

}  // namespace gm
