// png_io.hpp — the picture as a PNG, through libspng: 8-bit RGB (every pixel opaque) or RGBA,
// with the scene JSON in an iTXt chunk, keyword "gaussmap", compressed when the JSON is at most
// 1 MiB, PIL's limit for compressed text (PIL: Image.open(p).text["gaussmap"]). Reading accepts the
// scene in tEXt, zTXt or iTXt, anywhere in the file, within the size limits of scene_io.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "atomic_file.hpp"

namespace gm {

struct Image {  // 8-bit RGBA, row 0 on top
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;  // size 4*W*H
};

// zlib level of the pixel data when the user asks for none: as fast as level 1 on gaussmap's
// pictures and 10-20% smaller (table in docs/performance.md, "Writing the PNG").
constexpr int kPngDefaultLevel = 2;

struct PngOptions {
  int level = kPngDefaultLevel;  // 0 (stored) .. 9 (smallest, slowest)
};

// scene_json may be empty (no text chunk); it must not contain a NUL byte (InputError).
std::string encode_png(const Image& img, const std::string& scene_json,
                       const PngOptions& options = {});
// Streams the encoded PNG into `out` (no whole-file buffer).
void write_png(AtomicFile& out, const Image& img, const std::string& scene_json,
               const PngOptions& options = {});
void write_png(const std::string& path, const Image& img, const std::string& scene_json,
               const PngOptions& options = {});  // atomically

Image decode_png(const std::string& bytes);  // any PNG, as RGBA; InputError "png: ..." when bad
std::optional<std::string> png_scene_text(const std::string& bytes);  // the "gaussmap" text
std::optional<std::string> read_png_scene(const std::string& path);

}  // namespace gm
