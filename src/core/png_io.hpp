// png_io.hpp — the picture as a PNG: 8-bit RGB (every pixel opaque) or RGBA, with the scene JSON
// in an iTXt chunk, keyword "gaussmap", compressed when the JSON is at most 1 MiB, PIL's limit for
// compressed text (PIL: Image.open(p).text["gaussmap"]). Reading (png_io.cpp, libspng) accepts
// the scene in tEXt, zTXt or iTXt, anywhere in the file, within the size limits of scene_io.hpp.
//
// Writing (png_write.cpp) frames the chunks itself and compresses the rows in bands on all cores
// (deflate_band.hpp), because libspng, like libpng, compresses the pixels as one zlib stream on one
// core and takes no deflate stream made elsewhere: about 100 MB/s of RGB here, 33 ms for a
// 1920x1080 picture and 380 ms for 4000x3000 at zlib level 2, the longest phase of a whole render.
// At the default level (ISA-L's igzip) the same pictures take 10 and 118 ms of CPU, shared among
// the cores, in files 1-32% larger (docs/performance.md, "Writing the PNG").
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "atomic_file.hpp"

namespace gm {

struct Image {  // 8-bit RGBA, row 0 on top
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;  // size 4*W*H
};

// Compression level when the user asks for none: ISA-L's level 2, as fast as its level 1 on
// gaussmap's pictures and a little smaller (table in docs/performance.md, "Writing the PNG").
constexpr int kPngDefaultLevel = 2;

struct PngOptions {
  // 0 (stored) .. 9 (smallest, slowest): 1 and 2 ISA-L, 3..9 zlib (deflate_band.hpp has the map).
  int level = kPngDefaultLevel;
  int threads = 0;    // threads that compress, 0 = one per core
  int band_rows = 0;  // rows per independently compressed band, 0 = about 512 KiB of pixels
};

// A picture given as rows made on demand, e.g. colorized band by band by the caller.
struct PngRows {
  int width = 0, height = 0;
  bool alpha = false;  // rows are RGBA (4 bytes a pixel), else RGB (3 bytes)
  // Writes rows y0 .. y0+count-1 (0 on top): row y0+i at out + i*stride, 3 or 4 * width bytes.
  // Called from the compressing threads, at the same time for different rows, each row once, in
  // no set order. What it throws fails the write with that exception.
  std::function<void(int y0, int count, std::uint8_t* out, std::size_t stride)> rows;
};

// scene_json may be empty (no text chunk); it must not contain a NUL byte (InputError).
std::string encode_png(const Image& img, const std::string& scene_json,
                       const PngOptions& options = {});
// Streams the encoded PNG into `out` (no whole-file buffer).
void write_png(AtomicFile& out, const Image& img, const std::string& scene_json,
               const PngOptions& options = {});
void write_png(const std::string& path, const Image& img, const std::string& scene_json,
               const PngOptions& options = {});  // atomically
// The same from rows made on demand (no whole picture in memory).
std::string encode_png(const PngRows& rows, const std::string& scene_json,
                       const PngOptions& options = {});
void write_png(AtomicFile& out, const PngRows& rows, const std::string& scene_json,
               const PngOptions& options = {});
void write_png(const std::string& path, const PngRows& rows, const std::string& scene_json,
               const PngOptions& options = {});

Image decode_png(const std::string& bytes);  // any PNG, as RGBA; InputError "png: ..." when bad
std::optional<std::string> png_scene_text(const std::string& bytes);  // the "gaussmap" text
std::optional<std::string> read_png_scene(const std::string& path);

}  // namespace gm
