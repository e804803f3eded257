// image_io.hpp — files gaussmap writes and reads: .npy (<f4, (H, W), C order), .png (8-bit RGBA
// with the scene JSON in a tEXt chunk, keyword "gaussmap"), and atomic writes (temp file in the
// same folder, fsync, rename): a failed write never truncates an existing file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "field.hpp"

namespace gm {

// Atomically replace `path` with `bytes`. Throws IoError naming the path and the reason.
void write_file_atomic(const std::string& path, const std::string& bytes);
// Several files, all or nothing as far as the file system allows: every file is written to its
// temporary name and synced first; only when all are written are they renamed into place. A
// failure while writing any of them leaves every target as it was. Refuses targets that exist
// and are not regular files (devices, FIFOs).
void write_files_atomic(const std::vector<std::pair<std::string, std::string>>& files);
std::string read_file(const std::string& path, long long max_bytes);  // throws IoError / InputError

std::string encode_npy(const Field& f);
Field decode_npy(const std::string& bytes);  // accepts <f4 and <f8 (converted), C order, 2-D
void write_npy(const std::string& path, const Field& f);
Field read_npy(const std::string& path);

struct Image {  // 8-bit RGBA, row 0 on top
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;  // size 4*W*H
};

std::string encode_png(const Image& img, const std::string& scene_json);  // scene_json may be empty
void write_png(const std::string& path, const Image& img, const std::string& scene_json);
Image decode_png(const std::string& bytes);                           // pixels
std::optional<std::string> png_scene_text(const std::string& bytes);  // the "gaussmap" tEXt chunk
std::optional<std::string> read_png_scene(const std::string& path);

}  // namespace gm
