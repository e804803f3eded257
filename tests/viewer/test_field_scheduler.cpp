// test_field_scheduler.cpp — the viewer's backend choice (no GL needed): auto takes the CPU on
// Mesa's software rasterizers and the shader on hardware GL; either can be forced; anything else
// is refused naming the option.
#include <doctest/doctest.h>

#include "core/errors.hpp"
#include "viewer/field_scheduler.hpp"

using namespace gm;
using namespace gm::viewer;

TEST_CASE("field scheduler: auto picks the CPU on a software GL, the shader on a GPU") {
  for (const char* soft : {"llvmpipe (LLVM 15.0.6, 256 bits)", "softpipe", "Mesa X11 swrast"}) {
    BackendChoice c = choose_backend("auto", soft);
    CHECK(c.backend == FieldBackend::Cpu);
    CHECK(c.why.find(soft) != std::string::npos);
  }
  for (const char* hw : {"NVIDIA H100 80GB HBM3/PCIe/SSE2", "AMD Radeon RX 7900 XTX (radeonsi)",
                         "Mesa Intel(R) UHD Graphics 620 (KBL GT2)"}) {
    BackendChoice c = choose_backend("auto", hw);
    CHECK(c.backend == FieldBackend::Gpu);
  }
  CHECK(choose_backend("gpu", "llvmpipe").backend == FieldBackend::Gpu);
  CHECK(choose_backend("cpu", "NVIDIA H100").backend == FieldBackend::Cpu);
  CHECK(std::string(to_string(FieldBackend::Cpu)) == "cpu");
  CHECK_THROWS_WITH_AS(choose_backend("fast", "llvmpipe"), doctest::Contains("--backend"),
                       InputError);
}
