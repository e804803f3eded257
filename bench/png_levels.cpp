// png_levels.cpp — the PNG writer at every compression level beside the encoder it replaced, same
// run (docs/performance.md, "Writing the PNG"). For each picture (any PNG; its "gaussmap" text,
// if any, is written again with it): libspng's encoder as gaussmap used it before (one zlib
// stream at zlib level L, no row filter, RGB rows converted one at a time from the RGBA picture,
// the scene in an iTXt chunk) and gaussmap's writer (png_write.cpp: ISA-L or zlib in bands on
// every core) at levels 0..9. Prints the wall time of the best of REPEATS runs (ms), the process
// CPU time of that run (all threads, ms) and the file's size (bytes). Not part of gaussmap.
// --threads 1 gives the CPU cost of one core; --band-kib N sets the bands' size (default: the
// writer's choice, about 512 KiB of rows) to show what the bands' fresh dictionaries cost.
//   usage: gaussmap_png_levels [--repeats N] [--threads N] [--band-kib N] PICTURE.png...
#include <spng.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/png_io.hpp"

namespace {

double cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

double wall_ms() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The previous writer, libspng's progressive encoder, as src/core/png_io.cpp had it.
std::size_t libspng_encode(const gm::Image& img, const std::string& json, int level) {
  spng_ctx* ctx = spng_ctx_new(SPNG_CTX_ENCODER);
  spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
  spng_set_option(ctx, SPNG_IMG_COMPRESSION_LEVEL, level);
  spng_set_option(ctx, SPNG_FILTER_CHOICE, SPNG_FILTER_CHOICE_NONE);
  spng_set_option(ctx, SPNG_TEXT_COMPRESSION_LEVEL, std::max(level, 3));
  bool opaque = true;
  for (std::size_t i = 3; i < img.rgba.size(); i += 4) opaque = opaque && img.rgba[i] == 255;
  spng_ihdr ihdr{};
  ihdr.width = std::uint32_t(img.width), ihdr.height = std::uint32_t(img.height);
  ihdr.bit_depth = 8;
  ihdr.color_type = opaque ? SPNG_COLOR_TYPE_TRUECOLOR : SPNG_COLOR_TYPE_TRUECOLOR_ALPHA;
  spng_set_ihdr(ctx, &ihdr);
  char empty[1] = {0};
  spng_text text{};
  if (!json.empty()) {
    std::memcpy(text.keyword, "gaussmap", 9);
    text.type = SPNG_ITXT;
    text.compression_flag = json.size() <= (1u << 20) ? 1 : 0;
    text.language_tag = empty;
    text.translated_keyword = empty;
    text.text = const_cast<char*>(json.data());
    text.length = json.size();
    spng_set_text(ctx, &text, 1);
  }
  int err = spng_encode_image(ctx, nullptr, 0, SPNG_FMT_PNG,
                              SPNG_ENCODE_PROGRESSIVE | SPNG_ENCODE_FINALIZE);
  const std::size_t w = std::size_t(img.width);
  std::vector<std::uint8_t> rgb(3 * w);
  for (int y = 0; y < img.height && err == 0; ++y) {
    const std::uint8_t* row = img.rgba.data() + std::size_t(y) * 4 * w;
    if (opaque) {
      for (std::size_t x = 0; x < w; ++x)
        rgb[3 * x] = row[4 * x], rgb[3 * x + 1] = row[4 * x + 1], rgb[3 * x + 2] = row[4 * x + 2];
      err = spng_encode_row(ctx, rgb.data(), rgb.size());
    } else {
      err = spng_encode_row(ctx, row, 4 * w);
    }
  }
  std::size_t len = 0;
  if (err == SPNG_EOI) err = 0;
  if (err == 0) std::free(spng_get_png_buffer(ctx, &len, &err));
  spng_ctx_free(ctx);
  if (err) std::fprintf(stderr, "libspng: %s\n", spng_strerror(err));
  return err ? 0 : len;
}

struct Timing {
  double wall = 1e300, cpu = 0;
  std::size_t bytes = 0;
};

Timing best_of(int repeats, const std::function<std::size_t()>& run) {
  Timing t;
  for (int r = 0; r < repeats; ++r) {
    const double w0 = wall_ms(), c0 = cpu_ms();
    const std::size_t bytes = run();
    const double w = wall_ms() - w0, c = cpu_ms() - c0;
    if (w < t.wall) t = {w, c, bytes};
    if (w > 2000) break;  // slow settings: one run is enough
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = 5, threads = 0, band_kib = 0;
  std::vector<std::string> pictures;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--repeats" && i + 1 < argc)
      repeats = std::max(1, std::atoi(argv[++i]));
    else if (a == "--threads" && i + 1 < argc)
      threads = std::atoi(argv[++i]);
    else if (a == "--band-kib" && i + 1 < argc)
      band_kib = std::atoi(argv[++i]);
    else if (!a.empty() && a[0] != '-')
      pictures.push_back(a);
    else
      return std::fprintf(stderr,
                          "usage: gaussmap_png_levels [--repeats N] [--threads N] "
                          "PICTURE.png...\n"),
             2;
  }
  if (pictures.empty())
    return std::fprintf(stderr, "usage: gaussmap_png_levels [--repeats N] PICTURE.png...\n"), 2;
  for (const std::string& path : pictures) {
    const std::string bytes = gm::read_file(path, 1LL << 31);
    const gm::Image img = gm::decode_png(bytes);
    const std::string json = gm::png_scene_text(bytes).value_or("");
    std::printf("== %s: %dx%d, %zu bytes of scene text, best of %d, %s threads, bands of %s\n",
                path.c_str(), img.width, img.height, json.size(), repeats,
                threads > 0 ? std::to_string(threads).c_str() : "all",
                band_kib > 0 ? (std::to_string(band_kib) + " KiB").c_str() : "the writer's size");
    std::printf("%-5s | %10s %12s | %10s %10s %12s | %8s %8s\n", "level", "libspng_ms", "bytes",
                "new_ms", "new_cpu_ms", "bytes", "speedup", "size");
    for (int level = 0; level <= 9; ++level) {
      Timing old = best_of(repeats, [&] { return libspng_encode(img, json, level); });
      gm::PngOptions opt;
      opt.level = level, opt.threads = threads;
      if (band_kib > 0) {  // rows of the band size, as the writer lays them out (RGB if opaque)
        bool opaque = true;
        for (std::size_t i = 3; i < img.rgba.size(); i += 4) opaque = opaque && img.rgba[i] == 255;
        const std::size_t stride = 1 + std::size_t(opaque ? 3 : 4) * std::size_t(img.width);
        opt.band_rows = int(std::max<std::size_t>(1, std::size_t(band_kib) * 1024 / stride));
      }
      Timing now = best_of(repeats, [&] { return gm::encode_png(img, json, opt).size(); });
      std::printf("%-5d | %10.2f %12zu | %10.2f %10.2f %12zu | %7.1fx %7.3fx\n", level, old.wall,
                  old.bytes, now.wall, now.cpu, now.bytes, old.wall / now.wall,
                  double(now.bytes) / double(old.bytes));
      std::fflush(stdout);
    }
  }
  return 0;
}
