// bench_cases.hpp — the fixed scenes that `gaussmap bench` times (tiny, points, seed-hd, k64,
// k64-cut3, k64-rot, k10k-cut3, k100k-cut3, and with `sweep` the scaling series), deterministic,
// in one place so that the peers under bench/ time exactly the same scenes.
#pragma once

#include <string>
#include <vector>

#include "scene.hpp"

namespace gm {

struct BenchCase {
  std::string name;  // "k64-cut3"
  std::string what;  // one line for the table's header
  Scene scene;
};

std::vector<BenchCase> bench_cases(bool sweep = false);

}  // namespace gm
