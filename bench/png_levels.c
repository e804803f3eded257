/* png_levels.c — how zlib level, strategy and row filter trade time for size when libspng writes
 * gaussmap's pictures (docs/performance.md, "Writing the PNG"). Reads a PNG (decoded by libspng
 * to RGB, as gaussmap writes opaque pictures), re-encodes it with every setting, prints the
 * process CPU time of the best of REPEATS runs (ms) and the size (bytes). Not part of the build:
 * bench/png_levels.sh compiles and runs it.
 *   usage: png_levels PICTURE.png [REPEATS] */
#include <spng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

static double cpu_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static unsigned char *read_rgb(const char *path, unsigned *w, unsigned *h) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  spng_ctx *ctx = spng_ctx_new(0);
  spng_set_png_file(ctx, f);
  struct spng_ihdr ihdr;
  size_t n = 0;
  unsigned char *px = NULL;
  if (spng_get_ihdr(ctx, &ihdr) == 0 && spng_decoded_image_size(ctx, SPNG_FMT_RGB8, &n) == 0) {
    px = malloc(n);
    if (px && spng_decode_image(ctx, px, n, SPNG_FMT_RGB8, 0) != 0) free(px), px = NULL;
    *w = ihdr.width, *h = ihdr.height;
  }
  spng_ctx_free(ctx);
  fclose(f);
  return px;
}

static size_t encode(const unsigned char *rgb, unsigned w, unsigned h, int level, int strategy,
                     int filter) {
  spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
  spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
  spng_set_option(ctx, SPNG_IMG_COMPRESSION_LEVEL, level);
  spng_set_option(ctx, SPNG_IMG_COMPRESSION_STRATEGY, strategy);
  spng_set_option(ctx, SPNG_FILTER_CHOICE, filter);
  struct spng_ihdr ihdr = {w, h, 8, SPNG_COLOR_TYPE_TRUECOLOR, 0, 0, 0};
  spng_set_ihdr(ctx, &ihdr);
  size_t len = 0;
  int err = spng_encode_image(ctx, rgb, (size_t)w * h * 3, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
  if (err == 0) free(spng_get_png_buffer(ctx, &len, &err));
  spng_ctx_free(ctx);
  return err ? 0 : len;
}

int main(int argc, char **argv) {
  if (argc < 2) return fprintf(stderr, "usage: png_levels PICTURE.png [REPEATS]\n"), 2;
  int repeats = argc > 2 ? atoi(argv[2]) : 3;
  unsigned w = 0, h = 0;
  unsigned char *rgb = read_rgb(argv[1], &w, &h);
  if (!rgb) return fprintf(stderr, "cannot read %s\n", argv[1]), 1;
  const struct { const char *name; int value; } filters[] = {
      {"none", SPNG_FILTER_CHOICE_NONE}, {"up", SPNG_FILTER_CHOICE_UP},
      {"paeth", SPNG_FILTER_CHOICE_PAETH}, {"adaptive", SPNG_FILTER_CHOICE_ALL}};
  const struct { const char *name; int value; } strategies[] = {
      {"default", Z_DEFAULT_STRATEGY}, {"rle", Z_RLE}, {"huffman", Z_HUFFMAN_ONLY}};
  const int levels[] = {0, 1, 2, 3, 6, 9};
  printf("%ux%u RGB, %zu bytes raw\n%-6s %-8s %-9s %10s %12s %7s\n", w, h, (size_t)w * h * 3,
         "level", "strategy", "filter", "cpu_ms", "bytes", "ratio");
  for (size_t li = 0; li < sizeof levels / sizeof *levels; ++li)
    for (size_t si = 0; si < sizeof strategies / sizeof *strategies; ++si)
      for (size_t fi = 0; fi < sizeof filters / sizeof *filters; ++fi) {
        int level = levels[li];
        if (level == 0 && (si > 0 || fi > 0)) continue;          /* stored: nothing to vary */
        if (si > 0 && level != 1) continue;                       /* rle/huffman ignore the level */
        if (level >= 2 && level != 6 && fi != 0) continue;        /* filters at 1, 6 and 9 only */
        double best = 1e30;
        size_t size = 0;
        for (int r = 0; r < repeats; ++r) {
          double t0 = cpu_ms();
          size = encode(rgb, w, h, level, strategies[si].value, filters[fi].value);
          double t = cpu_ms() - t0;
          if (t < best) best = t;
        }
        printf("%-6d %-8s %-9s %10.1f %12zu %7.3f\n", level, strategies[si].name,
               filters[fi].name, best, size, (double)size / ((double)w * h * 3));
        fflush(stdout);
      }
  free(rgb);
  return 0;
}
