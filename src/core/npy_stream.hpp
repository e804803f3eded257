// npy_stream.hpp — a .npy file (<f4, shape (rows, cols), C order) written band by band, for
// fields larger than memory: the header first, then rows in order, all into a temporary file in
// the target's folder that is renamed over the target only when every row is written and synced
// (the same guarantee as write_file_atomic: a failure or a crash never leaves a partial file and
// never truncates an existing one). Memory: only the caller's band.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace gm {

class NpyStreamWriter {
 public:
  // Creates the temporary file and writes the header. Throws IoError naming `path`.
  NpyStreamWriter(const std::string& path, std::int64_t rows, std::int64_t cols);
  ~NpyStreamWriter();  // not committed: the temporary file is removed
  NpyStreamWriter(const NpyStreamWriter&) = delete;
  NpyStreamWriter& operator=(const NpyStreamWriter&) = delete;

  // The next `n` rows, n * cols floats. Throws IoError (disk full, ...) naming the path.
  void write_rows(const float* data, std::int64_t n);
  // Every row written: sync, rename over the target, sync the folder.
  void commit();

  std::int64_t rows_written() const { return written_; }

 private:
  std::string path_, tmp_, dir_;
  std::int64_t rows_, cols_, written_ = 0;
  int fd_ = -1;
  std::FILE* file_ = nullptr;  // over fd_
  bool committed_ = false;
};

// The .npy v1.0 header for a little-endian float32 C-order array of shape (rows, cols), padded
// so that the data starts at a multiple of 64 bytes.
std::string npy_f4_header(std::int64_t rows, std::int64_t cols);

}  // namespace gm
