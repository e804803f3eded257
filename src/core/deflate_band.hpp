// deflate_band.hpp — one band of a zlib stream (RFC 1950/1951) that is compressed in independent
// bands on several cores, pigz style: each band is a raw deflate stream of its own (no match
// reaches into an earlier band), a band that is not the last ends byte-aligned with an empty
// stored block and no final-block bit (a full flush), the last one with the final block. Put in
// order behind zlib_header() and followed by the big-endian Adler-32 of all the input (the
// bands' own Adler-32s joined with adler32_combine), the bands are one valid zlib stream.
//
// Which coder compresses at each compression level 0..9 (PNG writer's --png-level), chosen by
// measurement on gaussmap's pictures (docs/performance.md, "Writing the PNG"): ISA-L's igzip
// (libisal) for the fast levels, 3 to 4 times zlib's speed at a similar size; zlib for the small
// files. Each level writes files no larger than the level below on those pictures.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

namespace gm {

struct DeflateCoder {
  enum class Kind { stored, isal, zlib };
  Kind kind = Kind::stored;
  int level = 0;  // the library's own level
};

// 0: stored (zlib level 0); 1, 2: ISA-L levels 1 and 2; 3: zlib 2; 4: zlib 3; 5..9: zlib 5..9.
// (ISA-L's level 3 is left out: slower than its level 2 and on smooth pictures larger; zlib's
// level 4 is slower than its level 3 and not smaller.) Throws std::out_of_range outside 0..9.
DeflateCoder deflate_coder(int level);
// The coder for `bytes` of input at `level`: below kIsalMinBytes, ISA-L's levels are zlib's 1
// and 2. Each ISA-L stream pays a fixed set-up (its Huffman tables, the hash of its level buffer,
// and on its first call a CPU-feature probe that traps to the hypervisor in a VM) that costs more
// than zlib takes for a small picture or scene text: a 4x4 render's encode 0.29 -> 0.21 ms.
constexpr std::size_t kIsalMinBytes = std::size_t(32) << 10;
DeflateCoder deflate_coder(int level, std::size_t bytes);

// The two bytes that open the zlib stream: 32 KiB window, no dictionary, FLEVEL from the level.
std::string zlib_header(int level);

// Working memory reused band after band: grown when asked for more (keeping its first `keep`
// bytes), never shrunk, never zeroed (whatever is read from it was written first).
class ByteBuffer {
 public:
  std::uint8_t* get(std::size_t n, std::size_t keep = 0) {
    if (n > size_) {
      std::unique_ptr<std::uint8_t[]> bigger(new std::uint8_t[n]);
      if (keep) std::memcpy(bigger.get(), data_.get(), keep);
      data_ = std::move(bigger);
      size_ = n;
    }
    return data_.get();
  }
  std::size_t size() const { return size_; }

 private:
  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_ = 0;
};

// Compresses bands one after another (one per thread: it owns the coder's working memory).
class BandDeflater {
 public:
  explicit BandDeflater(DeflateCoder coder);
  ~BandDeflater();
  BandDeflater(const BandDeflater&) = delete;
  BandDeflater& operator=(const BandDeflater&) = delete;

  // Appends to `out` the raw deflate data of in[0, n): a stream of its own, ended by a full flush
  // (byte-aligned, not final) unless `last`, where it ends with the final block. n < 2^31.
  void deflate(const std::uint8_t* in, std::size_t n, bool last, std::string& out);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Adler-32 of in[0, n) continued from `adler` (1 for a start), as zlib's adler32 (ISA-L's SIMD).
std::uint32_t adler32_of(std::uint32_t adler, const std::uint8_t* in, std::size_t n);
// Adler-32 of A followed by B, from A's and B's and B's length (zlib's adler32_combine).
std::uint32_t adler32_join(std::uint32_t a, std::uint32_t b, std::size_t b_len);

}  // namespace gm
