// png_write_tool.cpp — gaussmap's PNG writer from raw pixels, for tests/cli/png_writer.sh, which
// checks the files with Python's zlib and PIL (readers that share no code with the writer).
//   png_write_tool PIXELS.rgba WIDTH HEIGHT LEVEL THREADS BAND_ROWS TEXT_FILE|- OUT.png
// PIXELS.rgba: WIDTH*HEIGHT*4 bytes, row 0 first. Exit 0 written, 1 failed, 2 wrong command line.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "core/image_io.hpp"

int main(int argc, char** argv) {
  if (argc != 9) {
    std::fprintf(stderr,
                 "usage: png_write_tool PIXELS.rgba WIDTH HEIGHT LEVEL THREADS BAND_ROWS "
                 "TEXT_FILE|- OUT.png\n");
    return 2;
  }
  try {
    gm::Image img;
    img.width = std::atoi(argv[2]), img.height = std::atoi(argv[3]);
    const std::string px = gm::read_file(argv[1], 1LL << 32);
    img.rgba.assign(px.begin(), px.end());
    gm::PngOptions opt;
    opt.level = std::atoi(argv[4]), opt.threads = std::atoi(argv[5]);
    opt.band_rows = std::atoi(argv[6]);
    const std::string text = std::string(argv[7]) == "-" ? "" : gm::read_file(argv[7], 1LL << 30);
    gm::write_png(argv[8], img, text, opt);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "png_write_tool: %s\n", e.what());
    return 1;
  }
  return 0;
}
