// deflate_band.cpp — the band coders of deflate_band.hpp: ISA-L's igzip (stateful isal_deflate,
// raw deflate) and zlib (raw deflate, windowBits -15), each reused band after band by one thread.
#include "deflate_band.hpp"

#include <isa-l/igzip_lib.h>
#include <zlib.h>

#include <new>
#include <stdexcept>
#include <vector>

#include "errors.hpp"

namespace gm {

DeflateCoder deflate_coder(int level) {
  using K = DeflateCoder::Kind;
  switch (level) {
    case 0:
      return {K::zlib, 0};  // stored blocks
    case 1:
      return {K::isal, 1};
    case 2:
      return {K::isal, 2};
    case 3:
      return {K::zlib, 2};
    case 4:
      return {K::zlib, 3};
    default:
      if (level >= 5 && level <= 9) return {K::zlib, level};
      throw std::out_of_range("compression level must be 0..9, got " + std::to_string(level));
  }
}

DeflateCoder deflate_coder(int level, std::size_t bytes) {
  DeflateCoder c = deflate_coder(level);
  if (c.kind == DeflateCoder::Kind::isal && bytes < kIsalMinBytes)
    c.kind = DeflateCoder::Kind::zlib;
  return c;
}

std::string zlib_header(int level) {
  // CMF 0x78: deflate with a 32 KiB window. FLEVEL (informative only): as zlib sets it for a
  // level of the same speed (0 fastest, 1 fast, 2 default, 3 slowest); FCHECK makes the 16-bit
  // header a multiple of 31.
  const DeflateCoder c = deflate_coder(level);
  int zl = c.kind == DeflateCoder::Kind::zlib ? c.level : c.level + 1;  // ISA-L 1, 2 ~ zlib 2, 3
  int flevel = zl < 2 ? 0 : zl < 6 ? 1 : zl == 6 ? 2 : 3;
  unsigned cmf = 0x78, flg = unsigned(flevel) << 6;
  flg += 31 - (cmf * 256 + flg) % 31;
  return {char(cmf), char(flg)};
}

struct BandDeflater::State {
  DeflateCoder coder;
  ByteBuffer out;        // the band's output, then copied out
  ByteBuffer isal_work;  // ISA-L's level buffer (hash tables, tokens; it clears what it reads)
  z_stream zs{};
  bool zs_open = false;
};

namespace {

std::size_t isal_work_size(int level) {
  return level == 1 ? ISAL_DEF_LVL1_DEFAULT : ISAL_DEF_LVL2_DEFAULT;
}

}  // namespace

BandDeflater::BandDeflater(DeflateCoder coder) : state_(std::make_unique<State>()) {
  state_->coder = coder;
  if (coder.kind == DeflateCoder::Kind::isal) {
    state_->isal_work.get(isal_work_size(coder.level));
  } else {
    int rc = deflateInit2(&state_->zs, coder.level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    if (rc == Z_MEM_ERROR) throw std::bad_alloc();
    if (rc != Z_OK)
      throw Error("deflate: zlib cannot start at level " + std::to_string(coder.level));
    state_->zs_open = true;
  }
}

BandDeflater::~BandDeflater() {
  if (state_ && state_->zs_open) deflateEnd(&state_->zs);
}

void BandDeflater::deflate(const std::uint8_t* in, std::size_t n, bool last, std::string& out) {
  State& s = *state_;
  // Deflate's worst case is the input in stored blocks (5 bytes per block of up to 64 KiB) plus
  // a little: one call usually finishes; the buffer grows when it does not. Compressed into a
  // buffer of this thread's, then copied: `out` gets only what the band takes.
  std::size_t room = n + n / 8192 + 64;
  ByteBuffer& buf = s.out;
  auto ensure = [&](std::size_t used) { return buf.get(used + room, used) + used; };
  if (s.coder.kind == DeflateCoder::Kind::isal) {
    isal_zstream z;
    isal_deflate_init(&z);
    z.level = std::uint32_t(s.coder.level);
    z.level_buf = s.isal_work.get(0);
    z.level_buf_size = std::uint32_t(s.isal_work.size());
    z.next_in = const_cast<std::uint8_t*>(in);
    z.avail_in = std::uint32_t(n);
    z.end_of_stream = last ? 1 : 0;
    z.flush = last ? NO_FLUSH : FULL_FLUSH;
    while (true) {
      z.next_out = ensure(z.total_out);
      z.avail_out = std::uint32_t(buf.size() - z.total_out);
      if (int rc = isal_deflate(&z); rc != COMP_OK)
        throw Error("deflate: ISA-L failed (" + std::to_string(rc) + ")");
      // Done: the final block written, or (flush) all input taken and the flush's empty stored
      // block out, which ISA-L shows by output room left over (igzip_lib.h).
      const bool done =
          last ? z.internal_state.state == ZSTATE_END
               : z.avail_in == 0 && (z.avail_out > 0 || z.internal_state.state == ZSTATE_NEW_HDR);
      if (done) break;
      room = n / 4 + 4096;
    }
    out.append(reinterpret_cast<const char*>(buf.get(0)), z.total_out);
    return;
  }
  z_stream& z = s.zs;
  if (deflateReset(&z) != Z_OK) throw Error("deflate: zlib reset failed");
  z.next_in = const_cast<Bytef*>(in);
  z.avail_in = uInt(n);
  const int flush = last ? Z_FINISH : Z_FULL_FLUSH;
  while (true) {
    z.next_out = ensure(z.total_out);
    z.avail_out = uInt(buf.size() - z.total_out);
    const int rc = ::deflate(&z, flush);
    if (rc == Z_STREAM_ERROR) throw Error("deflate: zlib failed");
    // Done: Z_STREAM_END after Z_FINISH; after a full flush, output room left over (zlib.h).
    if (last ? rc == Z_STREAM_END : z.avail_in == 0 && z.avail_out > 0) break;
    room = n / 4 + 4096;
  }
  out.append(reinterpret_cast<const char*>(buf.get(0)), z.total_out);
}

std::uint32_t adler32_of(std::uint32_t adler, const std::uint8_t* in, std::size_t n) {
  // ISA-L's is several times faster on megabytes; zlib's spares a small input ISA-L's first-call
  // CPU probe (kIsalMinBytes).
  if (n < kIsalMinBytes) return std::uint32_t(::adler32(adler, in, uInt(n)));
  return isal_adler32(adler, in, n);
}

std::uint32_t adler32_join(std::uint32_t a, std::uint32_t b, std::size_t b_len) {
  return std::uint32_t(adler32_combine(a, b, z_off_t(b_len)));
}

}  // namespace gm
