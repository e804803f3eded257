// test_windows_buckets.cpp — the float64 reference's windows (bit for bit the whole render's
// slice), the kernel buckets of bucketing.hpp (a window rendered from its bucket gives the same
// bits, in the reference and the fast backend, for every combine rule, with and without a
// cutoff), the windowed grid limits, and the band-by-band .npy writer (header, content,
// atomicity).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "core/bucketing.hpp"
#include "core/errors.hpp"
#include "core/fast_eval.hpp"
#include "core/image_io.hpp"
#include "core/npy_stream.hpp"
#include "core/reference.hpp"
#include "core/scene_io.hpp"
#include "core/window.hpp"

using namespace gm;

namespace {

Scene random_scene(unsigned seed, int w, int h, int n, Combine combine,
                   std::optional<double> cutoff, Sampling sampling = Sampling::Point) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  Scene s;
  s.width = w, s.height = h;
  s.combine = combine, s.cutoff_sigma = cutoff, s.sampling = sampling;
  s.normalization = Normalization::Peak;
  for (int i = 0; i < n; ++i) {
    Kernel k;
    k.cx = -5 + (w + 10) * u(rng), k.cy = -5 + (h + 10) * u(rng);
    k.sx = 0.7 + 5 * u(rng), k.sy = 0.7 + 5 * u(rng), k.angle_deg = 180 * u(rng);
    // Negative weights for max: the left-out kernels' 0 then decides pixels.
    k.weight = combine == Combine::Max ? -0.2 - u(rng) : 0.05 + 0.9 * u(rng);
    k.visible = i % 7 != 3;
    s.kernels.push_back(k);
  }
  return s;
}

template <class T>
std::vector<T> slice(const FieldT<T>& f, const Window& w) {
  std::vector<T> out;
  for (int r = 0; r < w.rows; ++r)
    for (int c = 0; c < w.cols; ++c) out.push_back(f.at(w.row0 + r, w.col0 + c));
  return out;
}
// A field's values as a plain vector, to compare with a slice.
template <class T>
std::vector<T> values(const FieldT<T>& f) {
  return {f.data.begin(), f.data.end()};
}

const Window kWindows[] = {
    {0, 0, 1, 1}, {3, 5, 17, 23}, {0, 0, 40, 61}, {39, 0, 1, 61}, {10, 40, 30, 21}};

}  // namespace

TEST_CASE("reference: a window is bit for bit the whole render's slice, any thread count") {
  for (Combine c : {Combine::Sum, Combine::Max, Combine::ProbOr}) {
    Scene s = random_scene(1, 61, 40, 9, c, std::nullopt);
    s.domain_x = std::array<double, 2>{3.5, -2.0};  // reversed, non-integer steps
    const FieldD whole = evaluate_reference(s).field;
    for (const Window& w : kWindows) {
      const FieldD win = evaluate_reference(s, w, 3).field;
      REQUIRE(win.width == w.cols);
      REQUIRE(win.height == w.rows);
      CHECK(values(win) == slice(whole, w));
    }
  }
  Scene s = random_scene(2, 10, 8, 2, Combine::Sum, 3.0);
  std::string msg;
  try {
    evaluate_reference(s, Window{0, 5, 8, 6});
  } catch (const InputError& e) {
    msg = e.what();
  }
  CHECK(msg == "window (row0 0, col0 5, rows 8, cols 6) is empty or outside the 10x8 grid");
}

TEST_CASE("buckets: a window from its bucket equals the whole render, reference and fast") {
  int cases = 0;
  for (Combine c : {Combine::Sum, Combine::Max, Combine::ProbOr})
    for (std::optional<double> cut : {std::optional<double>{}, std::optional<double>{2.5}})
      for (Sampling sm : {Sampling::Point, Sampling::Area}) {
        Scene s = random_scene(10 + unsigned(c) * 4 + (cut ? 2 : 0) + unsigned(sm), 61, 40, 30, c,
                               cut, sm);
        const FieldD ref = evaluate_reference(s).field;
        const Field fast = evaluate_fast(s);
        for (const Window& w : kWindows) {
          std::size_t visible = 0;
          for (const Kernel& k : s.kernels) visible += k.visible;
          for (BucketRule rule : {BucketRule::Exact, BucketRule::FastCpu}) {
            const std::vector<int> idx = kernels_touching(s, w, rule);
            const Scene sub = scene_subset(s, idx);
            const bool left_out = idx.size() < visible;
            if (rule == BucketRule::Exact) {
              std::vector<double> got(std::size_t(w.rows) * std::size_t(w.cols));
              evaluate_reference_into(sub, w, got.data(), 1, left_out);
              CHECK(got == slice(ref, w));
            } else {
              FastEvalOptions o;
              o.window = w;
              o.kernels_left_out = left_out;
              CHECK(values(evaluate_fast(sub, o)) == slice(fast, w));
            }
            ++cases;
          }
        }
      }
  MESSAGE(cases << " window/bucket cases, every one bit-identical");
}

TEST_CASE("buckets: cutoff boxes exclude far kernels; no cutoff keeps all for the reference") {
  Scene s;
  s.width = 200, s.height = 100, s.cutoff_sigma = 3.0;
  Kernel near_k, far_k;
  near_k.cx = 20, near_k.cy = 20, near_k.sx = near_k.sy = 2;
  far_k.cx = 180, far_k.cy = 80, far_k.sx = far_k.sy = 2;
  s.kernels = {near_k, far_k};
  const Window w{0, 0, 40, 40};
  CHECK(kernels_touching(s, w, BucketRule::Exact) == std::vector<int>{0});
  s.cutoff_sigma.reset();
  CHECK(kernels_touching(s, w, BucketRule::Exact) == std::vector<int>{0, 1});
  CHECK(kernels_touching(s, w, BucketRule::FastCpu) == std::vector<int>{0});  // 11.75 sigma
  const ChunkBuckets b = bucket_kernels(s, 50, 50, BucketRule::FastCpu);
  CHECK(b.n_rows == 2);
  CHECK(b.n_cols == 4);
  CHECK(b.offsets.back() == 2);  // each kernel in exactly one chunk
}

TEST_CASE("limits: windowed grids go to 65536 per side; whole renders keep kMaxSide/kMaxPixels") {
  const std::string big = R"({"width": 40000, "height": 30000, "kernels": []})";
  CHECK_THROWS_AS(scene_from_json_text(big), InputError);
  Scene s = scene_from_json_text(big, GridUse::Windowed);
  CHECK(s.width == 40000);
  CHECK_THROWS_AS(validate(s), InputError);
  CHECK_NOTHROW(validate(s, GridUse::Windowed));
  CHECK_THROWS_WITH_AS(
      scene_from_json_text(R"({"width": 65537, "height": 2, "kernels": []})", GridUse::Windowed),
      "width: must be between 1 and 65536, got 65537", InputError);
  CHECK_THROWS_AS(check_window_pixels(8193, 8192, "window"), InputError);
  CHECK_NOTHROW(check_window_pixels(8192, 8192, "window"));
}

TEST_CASE("npy stream: header, rows in order, rename only when complete") {
  namespace fs = std::filesystem;
  std::string tmpl = (fs::temp_directory_path() / "gm_npy_stream_XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  const fs::path dir = tmpl;
  const std::string path = (dir / "f.npy").string();
  Field f(7, 5);
  for (std::size_t i = 0; i < f.data.size(); ++i) f.data[i] = float(i) * 0.25f - 3;
  {
    NpyStreamWriter w(path, 5, 7);
    w.write_rows(f.data.data(), 2);
    w.write_rows(f.data.data() + 14, 3);
    CHECK(!fs::exists(path));  // nothing at the target before commit
    w.commit();
  }
  CHECK(read_npy(path).data == f.data);
  CHECK(npy_f4_header(5, 7) == encode_npy(f).substr(0, npy_f4_header(5, 7).size()));
  {  // abandoned: the old file stays, no temporary file remains
    NpyStreamWriter w(path, 5, 7);
    w.write_rows(f.data.data(), 1);
    CHECK_THROWS_AS(w.commit(), Error);  // 1 of 5 rows
  }
  CHECK(read_npy(path).data == f.data);
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++files;
  CHECK(files == 1);
  CHECK_THROWS_AS(NpyStreamWriter((dir / "no" / "f.npy").string(), 1, 1), IoError);
  fs::remove_all(dir);
}
