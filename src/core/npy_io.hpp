// npy_io.hpp — the float field as a .npy file: NumPy format 1.0, dtype <f4, shape (H, W), C order
// (np.load gives the (H, W) float32 array, row 0 = domain y0). Reads <f4 and <f8 (converted).
#pragma once

#include <string>

#include "atomic_file.hpp"
#include "field.hpp"

namespace gm {

// The header of a (height, width) <f4 C-order array: magic, version 1.0, length, the dict,
// padded with spaces to a multiple of 64 bytes and ended by '\n'. The data follows it.
std::string npy_header(int width, int height);

std::string encode_npy(const Field& f);
Field decode_npy(const std::string& bytes);  // InputError "npy: ..." on a bad or unsupported file
// Writes the header and the field's bytes straight from memory into `out` (no copy of the data).
void write_npy(AtomicFile& out, const Field& f);
void write_npy(const std::string& path, const Field& f);  // atomically
Field read_npy(const std::string& path);

}  // namespace gm
