// keypoints.hpp — keypoint heatmap targets for pose estimation, (K, H, W) float32 with instances
// max-combined, and the (N, K) keypoint weights. Three encodings (docs/python.md has pictures):
//   Msra  — mmpose's generate_gaussian_heatmaps (MSRAHeatmap codec, SimpleBaseline/HRNet): the
//           centre rounded to a pixel, int(x + 0.5); a (2r+1)-wide patch, r = 3 sigma, whose
//           edges int(mu - r), int(mu + r + 1) truncate toward zero; values in float32.
//   Udp   — mmpose's generate_udp_gaussian_heatmaps (UDP codec): the same patch, the Gaussian
//           centred at the sub-pixel keypoint inside it.
//   Exact — ours: exp(-d^2 / 2 sigma^2) at every pixel centre with d <= 3 sigma, d from the
//           sub-pixel keypoint, computed in float64 (as exp(-dx^2/2s^2) exp(-dy^2/2s^2)) and
//           rounded once to float32; 0 beyond.
// Pixel centres are at integer coordinates (pixel (row i, col j) is the point x = j, y = i).
// Weights: the visibility value (mmpose's copy of keypoints_visible); 0 where a visible keypoint
// draws nothing inside the heatmap (for Msra / Udp: mmpose's out-of-bounds test).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace gm {

enum class KeypointEncoding { Msra, Udp, Exact };
std::optional<KeypointEncoding> parse_keypoint_encoding(const std::string& name);

// One batch of samples. All arrays are C-ordered and owned by the caller.
struct KeypointBatch {
  int batch = 1;               // B
  int instances = 0;           // N per sample
  int keypoints = 0;           // K
  const double* xy = nullptr;  // (B, N, K, 2) in heatmap pixels
  // The caller's coordinates were float32: mmpose's x + 0.5 then rounds in float32, so Msra / Udp
  // round there too (a float32 2.4999999 + 0.5 is 3.0, not 2.9999999).
  bool xy_float32 = false;
  const double* visible = nullptr;  // (B, N, K); nullptr = all 1. < 0.5: not drawn
  const double* sigma = nullptr;    // sigma_count values: 1 (all), N (per instance) or B*N
  std::size_t sigma_count = 1;
  int width = 0, height = 0;  // heatmap size W, H
};

// Fills heatmaps (B, K, H, W) and weights (B, N, K), float32, both overwritten. Planes (b, k)
// are shared among `threads` workers (0 = all cores); the result does not depend on it.
// Inputs are checked by the caller (keypoint_input_error).
void keypoint_heatmaps(const KeypointBatch& in, KeypointEncoding enc, float* heatmaps,
                       float* weights, int threads);

// The first problem with the inputs as a one-line message naming the parameter ("" if none):
// sizes, sigma > 0 and finite, visible keypoints finite and within +-1e9.
std::string keypoint_input_error(const KeypointBatch& in);

}  // namespace gm
