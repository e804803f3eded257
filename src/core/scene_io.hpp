// scene_io.hpp — scene JSON load/save with validation (docs/semantics.md, "Files"). Every error is
// an InputError whose one-line message names the key path and what was wrong, e.g.
//   "kernels[3].sigma[1]: must be > 0, got -2".
#pragma once

#include <string>
#include <string_view>

#include "scene.hpp"

namespace gm {

// Limits enforced before any large allocation (docs/reliability.md).
struct Limits {
  static constexpr long long kMaxPixels =
      64LL * 1024 * 1024;                 // CPU path: W*H (float field 256 MiB)
  static constexpr int kMaxSide = 32768;  // W and H each
  // W and H each of a grid only ever rendered by windows or bands (GridUse::Windowed): the
  // CLI's `render --npy` alone, Python's window=, gaussmap.dask. Each window is within kMaxPixels.
  static constexpr int kMaxStreamSide = 65536;
  static constexpr int kMaxKernels = 200000;
  static constexpr long long kMaxSceneBytes = 64LL * 1024 * 1024;
  static constexpr int kMaxJsonDepth = 64;
  // Float32 range for the fast CPU and GPU backends: coordinates (domain ends, centres), marginal
  // sigmas and kernel peak values stay where float32 holds them and their squares' inverses.
  static constexpr double kMaxCoordinate = 1e15;
  static constexpr double kMinSigma = 1e-15, kMaxSigma = 1e15;
  static constexpr double kMaxPeak = 1e30;
  static constexpr int kMaxContourLevels = 64;  // view.contours: 0..64
};

// How much of a scene's grid is held in memory at once, which sets the size limits.
enum class GridUse {
  Whole,     // the whole field: W, H <= kMaxSide and W*H <= kMaxPixels
  Windowed,  // windows or bands of it only: W, H <= kMaxStreamSide (check each window with
             // check_window_pixels)
};

Scene scene_from_json_text(const std::string& text,
                           GridUse use = GridUse::Whole);  // throws InputError
// The same through the general reader alone (a DOM with key paths), skipping the plain-form fast
// path: the reference the tests hold that path to.
Scene scene_from_json_text_general(const std::string& text, GridUse use = GridUse::Whole);
// A scene from a file: a scene .json, or a PNG written by gaussmap (its "gaussmap" text chunk),
// told apart by content. Other files are recognised by their first bytes (PNG without a scene,
// .npy, JPEG, gzip/zip, PDF, binary, empty, ...) and named in the message. Every InputError
// message starts with the path: "PATH: kernels[3].sigma[1]: must be > 0, got -2".
Scene load_scene(const std::string& path,
                 GridUse use = GridUse::Whole);  // throws IoError / InputError
// What `bytes` (a file's content or its first few KiB) is, when it is plainly not a scene:
// "a JPEG image", "a NumPy array (.npy)", "an empty file", "binary data", ...; "" when it may be
// scene JSON (text; the parser then reports what is wrong with it). PNGs give "a PNG image".
std::string non_scene_kind(std::string_view bytes);
std::string scene_to_json_text(const Scene& scene, int indent = 2);
void save_scene(const Scene& scene, const std::string& path);  // atomic; throws IoError

// Checks every semantic rule of docs/semantics.md on an in-memory scene (the viewer's edits,
// --size); throws InputError naming the key path.
void validate(const Scene& scene, GridUse use = GridUse::Whole);

// A field of rows x cols held in memory at once: InputError naming `what` over kMaxPixels.
void check_window_pixels(long long rows, long long cols, const std::string& what);

// A covariance kernel [[a, b01], [b10, c]] into `k` (sx = sy = 1, angle 0, cov_xy the mean of
// b01 and b10), as both scene readers take it; false, `k` unchanged, when the matrix is not
// symmetric within 1e-12 of its largest entry.
bool set_covariance(Kernel& k, double a, double b01, double b10, double c);

}  // namespace gm
