// keypoints.cpp — keypoint heatmap targets (keypoints.hpp).
//
// Msra and Udp follow mmpose's numpy code operation for operation, so that the values agree:
// the patch grid is float32 (np.arange(..., dtype=float32)), so the offsets x - x0, their squares,
// the sum, the division by 2 sigma^2 (rounded to float32) and exp all run in float32; integer
// positions come from int64 truncation (toward zero) of float64 (or float32) values. Built with
// -ffp-contract=off (src/core/CMakeLists.txt): a fused multiply-add would round differently.
#include "keypoints.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <thread>
#include <vector>

namespace gm {

std::optional<KeypointEncoding> parse_keypoint_encoding(const std::string& name) {
  if (name == "msra") return KeypointEncoding::Msra;
  if (name == "udp") return KeypointEncoding::Udp;
  if (name == "exact") return KeypointEncoding::Exact;
  return std::nullopt;
}

namespace {

struct Plane {
  float* map;  // (H, W)
  int width, height;
};

void draw_max(Plane& p, int row, int col, float v) {
  float& dst = p.map[std::size_t(row) * std::size_t(p.width) + std::size_t(col)];
  dst = std::max(dst, v);
}

// The Msra patch of one sigma: its values do not depend on the keypoint (the centre is an integer
// pixel), so it is computed once per sigma and plane task, with the same float32 operations.
struct PatchCache {
  static constexpr std::int64_t kMaxLen = 512;  // longer patches are computed per keypoint
  double sigma = -1;
  std::int64_t len = 0;
  std::vector<float> values;  // len x len
};

// mmpose's patch: returns false (weight 0) when the patch is wholly outside the heatmap.
// udp: the Gaussian centred at the sub-pixel keypoint (kx, ky) inside the patch.
bool draw_patch(Plane& p, double kx, double ky, bool f32, double sigma, bool udp,
                PatchCache& cache) {
  const double radius = sigma * 3;
  const double size = 2 * radius + 1;
  const auto len = std::int64_t(std::ceil(size));  // len(np.arange(0, size, 1))
  const double centre = std::floor(size / 2);      // size // 2
  auto round_half = [&](double v) {                // (v + 0.5).astype(int64)
    return f32 ? std::int64_t(float(v) + 0.5f) : std::int64_t(v + 0.5);
  };
  const std::int64_t mux = round_half(kx), muy = round_half(ky);
  const auto left = std::int64_t(double(mux) - radius), top = std::int64_t(double(muy) - radius);
  const auto right = std::int64_t(double(mux) + radius + 1),
             bottom = std::int64_t(double(muy) + radius + 1);
  const std::int64_t W = p.width, H = p.height;
  if (left >= W || top >= H || right < 0 || bottom < 0) return false;
  double x0 = centre, y0 = centre;
  if (udp) x0 += kx - double(mux), y0 += ky - double(muy);  // float64, as numpy promotes
  const float fx0 = float(x0), fy0 = float(y0);
  const float two_s2 = float(2 * (sigma * sigma));
  const std::int64_t gx1 = std::max<std::int64_t>(0, -left), gy1 = std::max<std::int64_t>(0, -top);
  const std::int64_t gx2 = std::min(std::min(W, right) - left, len);
  const std::int64_t gy2 = std::min(std::min(H, bottom) - top, len);
  auto value = [&](std::int64_t gx, std::int64_t gy) {  // mmpose's float32 expression
    const float dx = float(gx) - fx0, dy = float(gy) - fy0;
    return std::exp(-(dx * dx + dy * dy) / two_s2);
  };
  if (!udp && len <= PatchCache::kMaxLen) {
    if (cache.sigma != sigma) {
      cache.sigma = sigma, cache.len = len;
      cache.values.resize(std::size_t(len * len));
      for (std::int64_t gy = 0; gy < len; ++gy)
        for (std::int64_t gx = 0; gx < len; ++gx)
          cache.values[std::size_t(gy * len + gx)] = value(gx, gy);
    }
    for (std::int64_t gy = gy1; gy < gy2; ++gy) {
      const float* src = &cache.values[std::size_t(gy * len)];
      float* dst = p.map + std::size_t(top + gy) * std::size_t(p.width) + std::size_t(left);
      for (std::int64_t gx = gx1; gx < gx2; ++gx) dst[gx] = std::max(dst[gx], src[gx]);
    }
    return true;
  }
  std::vector<float> dx2(std::size_t(std::max<std::int64_t>(gx2 - gx1, 0)));
  for (std::int64_t gx = gx1; gx < gx2; ++gx) {
    const float d = float(gx) - fx0;
    dx2[std::size_t(gx - gx1)] = d * d;
  }
  for (std::int64_t gy = gy1; gy < gy2; ++gy) {
    const float dy = float(gy) - fy0;
    const float dy2 = dy * dy;
    for (std::int64_t gx = gx1; gx < gx2; ++gx) {
      const float v = std::exp(-(dx2[std::size_t(gx - gx1)] + dy2) / two_s2);
      draw_max(p, int(top + gy), int(left + gx), v);
    }
  }
  return true;
}

// Ours: sub-pixel centre, float64, exactly 0 beyond 3 sigma. Returns whether a pixel was drawn.
bool draw_exact(Plane& p, double kx, double ky, double sigma) {
  const double rad = 3 * sigma, rad2 = rad * rad, inv = 1 / (2 * sigma * sigma);
  const double c0 = std::max(std::ceil(kx - rad), 0.0),
               c1 = std::min(std::floor(kx + rad), p.width - 1.0);
  const double r0 = std::max(std::ceil(ky - rad), 0.0),
               r1 = std::min(std::floor(ky + rad), p.height - 1.0);
  bool drawn = false;
  if (!(c0 <= c1 && r0 <= r1)) return false;
  // exp(-(dx^2 + dy^2) inv) = exp(-dx^2 inv) exp(-dy^2 inv): one exp per column and per row
  // (float64, within 2 ulp of the direct form; the float32 result almost never differs).
  std::vector<double> dx2(std::size_t(c1 - c0 + 1)), ex(dx2.size());
  for (std::size_t i = 0; i < dx2.size(); ++i) {
    const double dx = (c0 + double(i)) - kx;
    dx2[i] = dx * dx;
    ex[i] = std::exp(-dx2[i] * inv);
  }
  for (int row = int(r0); row <= int(r1); ++row) {
    const double dy = row - ky, dy2 = dy * dy, ey = std::exp(-dy2 * inv);
    float* dst = p.map + std::size_t(row) * std::size_t(p.width) + std::size_t(c0);
    for (std::size_t i = 0; i < dx2.size(); ++i) {
      if (dx2[i] + dy2 > rad2) continue;
      dst[i] = std::max(dst[i], float(ex[i] * ey));
      drawn = true;
    }
  }
  return drawn;
}

}  // namespace

std::string keypoint_input_error(const KeypointBatch& in) {
  if (in.width < 1 || in.height < 1 || in.width > 65536 || in.height > 65536)
    return "size: (W, H) must be between 1 and 65536 each, got (" + std::to_string(in.width) +
           ", " + std::to_string(in.height) + ")";
  const std::size_t n = std::size_t(in.batch) * std::size_t(in.instances);
  for (std::size_t i = 0; i < in.sigma_count; ++i)
    if (!(in.sigma[i] > 0) || !std::isfinite(in.sigma[i]) || in.sigma[i] > 1e6)
      return "sigma[" + std::to_string(i) + "]: must be > 0, finite and <= 1e6, got " +
             std::to_string(in.sigma[i]);
  for (std::size_t i = 0; i < n * std::size_t(in.keypoints); ++i) {
    const double v = in.visible ? in.visible[i] : 1.0;
    if (std::isnan(v)) return "visible: must not be NaN (flat index " + std::to_string(i) + ")";
    if (v < 0.5) continue;
    for (int c = 0; c < 2; ++c) {
      const double x = in.xy[2 * i + std::size_t(c)];
      if (!(std::abs(x) <= 1e9))
        return "keypoints: a visible keypoint's coordinate must be finite and within +-1e9, got " +
               std::to_string(x) + " (flat index " + std::to_string(2 * i + std::size_t(c)) + ")";
    }
  }
  return "";
}

void keypoint_heatmaps(const KeypointBatch& in, KeypointEncoding enc, float* heatmaps,
                       float* weights, int threads) {
  const int B = in.batch, N = in.instances, K = in.keypoints;
  const std::size_t plane = std::size_t(in.width) * std::size_t(in.height);
  const std::int64_t planes = std::int64_t(B) * K;
  std::atomic<std::int64_t> next{0};
  auto work = [&] {
    for (std::int64_t t = next++; t < planes; t = next++) {
      const int b = int(t / K), k = int(t % K);
      Plane p{heatmaps + std::size_t(t) * plane, in.width, in.height};
      PatchCache cache;
      std::fill(p.map, p.map + plane, 0.0f);
      for (int n = 0; n < N; ++n) {
        const std::size_t i = (std::size_t(b) * N + std::size_t(n)) * K + std::size_t(k);
        const double vis = in.visible ? in.visible[i] : 1.0;
        float& w = weights[i];
        w = float(vis);
        if (vis < 0.5) continue;
        const double s =
            in.sigma[in.sigma_count == 1                ? 0
                     : in.sigma_count == std::size_t(N) ? std::size_t(n)
                                                        : std::size_t(b) * N + std::size_t(n)];
        const double kx = in.xy[2 * i], ky = in.xy[2 * i + 1];
        bool drawn =
            enc == KeypointEncoding::Exact
                ? draw_exact(p, kx, ky, s)
                : draw_patch(p, kx, ky, in.xy_float32, s, enc == KeypointEncoding::Udp, cache);
        if (!drawn) w = 0.0f;
      }
    }
  };
  // Default: all cores, but no more workers than 64 Ki output values each (a thread costs ~20 us
  // to start, as much as filling a 64x64 target with 17 keypoints).
  int nt = threads;
  if (nt <= 0) {
    const auto values = std::int64_t(plane) * planes;
    nt = int(std::min<std::int64_t>(std::max(1u, std::thread::hardware_concurrency()),
                                    std::max<std::int64_t>(1, values >> 16)));
  }
  nt = int(std::clamp<std::int64_t>(nt, 1, std::max<std::int64_t>(planes, 1)));
  std::vector<std::thread> pool;
  for (int i = 1; i < nt; ++i) pool.emplace_back(work);
  work();
  for (std::thread& th : pool) th.join();
}

}  // namespace gm
