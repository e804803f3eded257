// cmd_bench.cpp — `gaussmap bench [SCENE...]`: a fixed set of cases (or the given scene files)
// through every backend, one table.
//
// Backends: reference (gm::evaluate_reference, float64), naive (the per-pixel loop over all kernels
// with exp and the full formula, single thread: the floor everyone starts from), cpu
// (gm::evaluate_fast on the best instruction-set path of this CPU; cpu-baseline, cpu-avx2 and
// cpu-avx512 force one path) and gpu (headless EGL + MixtureRenderer; GPU time from the renderer's
// timer query and, separately, wall time including the read_field() readback). Times are medians
// over --repeats runs after one warm-up run, always. A backend that would take longer than the
// budget on a case (estimated on two crops of its image) is skipped, and its row says so. Progress
// goes to stderr, the table (or --json) to stdout.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli_util.hpp"
#include "commands.hpp"
#include "core/bench_cases.hpp"
#include "core/colormap.hpp"
#include "core/errors.hpp"
#include "core/fast_eval.hpp"
#include "core/kernel_math.hpp"
#include "core/reference.hpp"
#include "core/scene_io.hpp"
#include "gl/headless_context.hpp"
#include "gl/mixture_renderer.hpp"

namespace gm::cli {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// CPU time of the whole process (all threads, llvmpipe's included), seconds.
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

std::string load_average() {
  std::ifstream f("/proc/loadavg");
  std::string one;
  f >> one;
  return one.empty() ? "unknown" : one;
}

// The naive floor: per pixel, per kernel, the formula with std::exp (point sampling, float64),
// one thread. Area sampling falls back to the reference's kernel value.
Field evaluate_naive(const Scene& scene) {
  Field out(scene.width, scene.height);
  Grid grid = Grid::of(scene);
  std::vector<Gaussian> gs;
  for (const Kernel& k : scene.kernels)
    if (k.visible) gs.push_back(resolve(k, scene.normalization, scene.cutoff_sigma));
  for (int row = 0; row < scene.height; ++row) {
    for (int col = 0; col < scene.width; ++col) {
      double x = grid.x(col), y = grid.y(row);
      double acc = combine_init(scene.combine);
      for (const Gaussian& g : gs) {
        double v;
        if (scene.sampling == Sampling::Point) {
          double d2 = g.d2(x, y);
          v = d2 > g.cutoff_d2 ? 0.0 : g.amp * std::exp(-0.5 * d2);
        } else {
          v = reference_kernel_value(g, scene.sampling, x, y, grid.cell_w, grid.cell_h);
        }
        acc = combine_fold(scene.combine, acc, v);
      }
      out.at(row, col) = float(combine_finish(scene.combine, acc));
    }
  }
  return out;
}

// The colorizer everyone writes first, the floor for `colorize`: per pixel the formula of
// gm::normalize_value, round(255 t), the table; one thread.
Image colorize_naive(const Field& f, const View& v) {
  const ColormapTable& table = colormap_table(v.colormap);
  const ValueRange r = view_range(v, f);
  Image img;
  img.width = f.width, img.height = f.height;
  img.rgba.resize(f.data.size() * 4);
  for (std::size_t i = 0; i < f.data.size(); ++i) {
    const double t = normalize_value(f.data[i], r, v.scale);
    const auto& rgb = table[std::min<std::size_t>(std::size_t(std::lround(t * 255.0)), 255)];
    img.rgba[4 * i] = rgb[0], img.rgba[4 * i + 1] = rgb[1], img.rgba[4 * i + 2] = rgb[2];
    img.rgba[4 * i + 3] = 255;
  }
  return img;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

struct Case {
  std::string name;
  std::string what;
  Scene scene;
  double touched = 0;  // pixel-kernel pairs inside the cutoff ellipses (cutoff cases), else 0
};

// Pixel-kernel pairs within the cutoff ellipse (pi k^2 sx sy / cell area per kernel, clipped to
// nothing: an estimate for the "touched" column).
double touched_estimate(const Scene& s) {
  if (!s.cutoff_sigma) return 0;
  Grid g = Grid::of(s);
  double k2 = *s.cutoff_sigma * *s.cutoff_sigma, t = 0;
  for (const Kernel& k : s.kernels)
    if (k.visible) {
      Gaussian gs = resolve(k, s.normalization, s.cutoff_sigma);
      t += kPi * k2 * std::sqrt(gs.det) / (g.cell_w * g.cell_h);
    }
  return std::min(t, double(s.width) * s.height * double(s.kernels.size()));
}

std::vector<Case> make_cases(bool sweep) {
  std::vector<Case> cs;
  for (BenchCase& b : bench_cases(sweep)) {
    Case c{std::move(b.name), std::move(b.what), std::move(b.scene), 0};
    c.touched = touched_estimate(c.scene);
    cs.push_back(std::move(c));
  }
  return cs;
}

// The middle of a scene's image: a crop of about 2e6 pixel-kernel pairs (at least 8x8 pixels),
// times `scale` on each side, with the same kernels and the domain cut to match.
Scene centre_crop(const Scene& s, double evals, int scale) {
  const double shrink = std::sqrt(std::max(evals / 2e6, 1.0));
  Scene c = s;
  c.width = std::min(s.width, scale * std::max(8, int(s.width / shrink)));
  c.height = std::min(s.height, scale * std::max(8, int(s.height / shrink)));
  const Grid g = Grid::of(s);
  const int col0 = (s.width - c.width) / 2, row0 = (s.height - c.height) / 2;
  c.domain_x = std::array<double, 2>{g.x(col0), g.x(col0 + c.width - 1)};
  c.domain_y = std::array<double, 2>{g.y(row0), g.y(row0 + c.height - 1)};
  return c;
}

struct Row {
  std::string case_name, size, backend, note;
  int kernels = 0;
  double pixels = 0, ms = -1, touched = 0;
  double cpu_ms = -1;  // process CPU time per run (all threads)
  int repeats = 0;
};

double median(std::vector<double> v) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) {
      auto p = line.find(':');
      if (p != std::string::npos) return line.substr(p + 2);
    }
  return "unknown CPU";
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    o += c;
  }
  return o;
}

void print_help() {
  std::printf(
      "usage: gaussmap bench [SCENE...] [--quick] [--json] [--repeats N] [--backends LIST]\n"
      "                      [--case NAME] [--sweep] [--budget SECONDS] [--write-cases DIR]\n"
      "Runs a fixed set of cases (or the given scene files, .json or gaussmap .png) through each\n"
      "backend and prints one table: median ms over the repeats (always after a warm-up run),\n"
      "megapixels/s and kernel evaluations/s (pixels x kernels / s);\n"
      "touched/s: pixel-kernel pairs inside the cutoff ellipses per second (cutoff cases); "
      "cpu_ms:\n"
      "process CPU time per run, all threads (on a shared machine, wall time / cpu_ms shows the\n"
      "contention). The gpu rows: the timer query (gpu) and the wall time with readback "
      "(gpu+read).\n"
      "  --quick          small repeats and a small time budget (a smoke run)\n"
      "  --json           the same numbers as JSON on stdout\n"
      "  --repeats N      timed runs per case and backend (default 9; --quick 2)\n"
      "  --backends LIST  comma-separated from reference,naive,cpu,gpu (default: all) and\n"
      "                   cpu-baseline,cpu-avx2,cpu-avx512 (the cpu backend on one SIMD path),\n"
      "                   colorize (gm::colorize of the case's field) and colorize-naive (the\n"
      "                   per-pixel formula, one thread: its floor)\n"
      "  --case NAME      only cases whose name contains NAME (repeatable)\n"
      "  --sweep          add the scaling cases (ms vs kernels, ms vs pixels)\n"
      "  --write-cases D  write the selected cases' scenes to D/<case>.json and exit (for the\n"
      "                   peers under bench/, which time the same scenes outside the binary)\n"
      "  --budget S       skip a backend on a case when its estimated time for the warm-up and\n"
      "                   the repeats (timed on two crops of the image) is over S seconds, gpu "
      "over\n"
      "                   10 S (default 60; --quick 2); the row says so\n"
      "Cases: tiny, points, seed-hd, k64, k64-cut3, k64-rot, k10k-cut3, k100k-cut3.\n"
      "The cpu rows run on the path the machine line names (GAUSSMAP_CPU=baseline|avx2|avx512\n"
      "caps it).\n");
}

}  // namespace

int cmd_bench(const Args& args) {
  bool quick = false, json = false, sweep = false;
  int repeats = -1;
  double budget = -1;
  std::vector<std::string> backends = {"reference", "naive", "cpu", "gpu"};
  std::vector<std::string> filters, scene_files;
  std::string write_dir;  // --write-cases: the cases' scenes as files, for peers outside the binary
  const std::vector<std::string> known = {"reference",    "naive",    "cpu",
                                          "cpu-baseline", "cpu-avx2", "cpu-avx512",
                                          "gpu",          "colorize", "colorize-naive"};
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw InputError("bench: " + a + " needs a value");
      return args[++i];
    };
    if (a == "--help" || a == "-h") {
      print_help();
      return 0;
    } else if (a == "--quick") {
      quick = true;
    } else if (a == "--json") {
      json = true;
    } else if (a == "--write-cases") {
      write_dir = value();
    } else if (a == "--sweep") {
      sweep = true;
    } else if (a == "--repeats") {
      const std::string& v = value();
      try {
        repeats = std::stoi(v);
      } catch (...) {
        repeats = 0;
      }
      if (repeats < 1 || repeats > 100000)
        throw InputError("bench: --repeats: must be an integer >= 1, got " + v);
    } else if (a == "--budget") {
      const std::string& v = value();
      try {
        budget = std::stod(v);
      } catch (...) {
        budget = -1;
      }
      if (!(budget > 0)) throw InputError("bench: --budget: must be a number > 0, got " + v);
    } else if (a == "--backends") {
      backends.clear();
      std::stringstream ss(value());
      for (std::string b; std::getline(ss, b, ',');) {
        if (std::find(known.begin(), known.end(), b) == known.end())
          throw InputError("bench: --backends: unknown backend '" + b +
                           "' (reference, naive, cpu, cpu-baseline, cpu-avx2, cpu-avx512, gpu, "
                           "colorize, colorize-naive)");
        backends.push_back(b);
      }
    } else if (a == "--case") {
      filters.push_back(value());
    } else if (!a.empty() && a[0] != '-') {
      scene_files.push_back(a);
    } else {
      throw InputError("bench: unknown argument '" + a + "' (see gaussmap bench --help)");
    }
  }
  if (repeats < 0) repeats = quick ? 2 : 9;
  if (budget < 0) budget = quick ? 2.0 : 60.0;
  auto wants = [&](const std::string& b) {
    return std::find(backends.begin(), backends.end(), b) != backends.end();
  };

  std::vector<Case> cases;
  if (scene_files.empty()) {
    cases = make_cases(sweep);
  } else {
    for (const std::string& f : scene_files) {
      Case c{f, "scene file " + f, load_scene_any(f), 0};
      c.touched = touched_estimate(c.scene);
      cases.push_back(std::move(c));
    }
  }
  if (!filters.empty()) {
    std::erase_if(cases, [&](const Case& c) {
      return std::none_of(filters.begin(), filters.end(), [&](const std::string& f) {
        return c.name.find(f) != std::string::npos;
      });
    });
    if (cases.empty()) throw InputError("bench: --case: no case matches");
  }
  if (!write_dir.empty()) {  // the scenes only, named <case>.json, for bench/ peers
    for (const Case& c : cases) save_scene(c.scene, write_dir + "/" + c.name + ".json");
    std::printf("wrote %zu scenes to %s\n", cases.size(), write_dir.c_str());
    return 0;
  }
  if (quick && scene_files.empty())  // the smoke run keeps to the small cases
    std::erase_if(cases, [](const Case& c) {
      return double(c.scene.width) * c.scene.height * double(c.scene.kernels.size()) > 5e7;
    });

  // Machine.
  const unsigned cores = std::thread::hardware_concurrency();
  std::string gl_renderer = "none", gpu_skip;
  std::unique_ptr<gl::HeadlessContext> ctx;
  std::unique_ptr<gl::MixtureRenderer> renderer;
  if (wants("gpu")) {
    try {
      ctx = gl::HeadlessContext::create();
      renderer = std::make_unique<gl::MixtureRenderer>(ctx->loader());
      gl_renderer = renderer->renderer_name() + " (EGL " + ctx->platform() + ")";
    } catch (const std::exception& e) {
      gpu_skip = e.what();
      renderer.reset();
      ctx.reset();
    }
  }
  const std::string cpu_path = to_string(fast_eval_path());
  const std::string machine =
      std::to_string(cores) + " cores, " + cpu_model() + "; cpu path: " + cpu_path +
      "; GL: " + (gpu_skip.empty() ? gl_renderer : "none") + "; load average " + load_average();
  if (!json) {
    std::printf("machine: %s\n", machine.c_str());
    if (!gpu_skip.empty()) std::printf("gpu: skipped (%s)\n", gpu_skip.c_str());
    std::fflush(stdout);
  } else if (!gpu_skip.empty()) {
    std::fprintf(stderr, "gpu: skipped (%s)\n", gpu_skip.c_str());
  }

  std::vector<Row> rows;
  for (const Case& c : cases) {
    const Scene& s = c.scene;
    const double px = double(s.width) * s.height;
    const double evals = px * double(s.kernels.size());
    std::fprintf(stderr, "bench: %s (%s)\n", c.name.c_str(), c.what.c_str());
    for (const std::string& b : backends) {
      Row r;
      r.case_name = c.name, r.backend = b, r.kernels = int(s.kernels.size()), r.pixels = px;
      r.size = std::to_string(s.width) + "x" + std::to_string(s.height);
      r.touched = c.touched;
      if (b == "gpu" && !renderer) continue;
      FastEvalOptions cpu_opts;
      if (b.rfind("cpu-", 0) == 0) {
        cpu_opts.path = b == "cpu-baseline" ? CpuPath::Baseline
                        : b == "cpu-avx2"   ? CpuPath::Avx2
                                            : CpuPath::Avx512;
        if (fast_eval_path(cpu_opts.path) != cpu_opts.path) {
          r.note = "not on this CPU";
          rows.push_back(r);
          continue;
        }
      }
      Field colorize_input;  // colorize rows: the case's field, from the cpu backend
      if (b.rfind("colorize", 0) == 0) colorize_input = evaluate_fast(s);
      auto run_on = [&](const Scene& sc) {
        if (b == "colorize") {
          (void)colorize(colorize_input, sc.view);
        } else if (b == "colorize-naive") {
          (void)colorize_naive(colorize_input, sc.view);
        } else if (b == "reference") {
          (void)evaluate_reference(sc);
        } else if (b == "naive") {
          (void)evaluate_naive(sc);
        } else if (b.rfind("cpu", 0) == 0) {
          (void)evaluate_fast(sc, cpu_opts);
        } else {
          renderer->render_field(sc);
          (void)renderer->read_field();
        }
      };
      if (b.rfind("cpu", 0) != 0 && b.rfind("colorize", 0) != 0 && evals > 2e7) {
        // Estimate from a crop of the middle of the image with the same kernels: the cost per
        // pixel is the same (all kernels per pixel, or those of its tile where there is binning).
        // Two crops (the second with 4x the pixels) separate the cost per call (kernel upload,
        // binning) from the cost per pixel: est = a + b * pixels.
        const Scene c1 = centre_crop(s, evals, 1), c2 = centre_crop(s, evals, 2);
        const double p1 = double(c1.width) * c1.height, p2 = double(c2.width) * c2.height;
        double est = 0;
        try {
          auto timed = [&](const Scene& sc) {
            if (b == "gpu") run_on(sc);  // first use of a size: allocations
            auto t0 = Clock::now();
            run_on(sc);
            return seconds_since(t0);
          };
          const double t1 = timed(c1), t2 = timed(c2);
          const double per_px = p2 > p1 ? std::max((t2 - t1) / (p2 - p1), 0.0) : 0.0;
          est = per_px > 0 ? std::max(t2 - per_px * p2, 0.0) + per_px * px : t2 * px / p2;
        } catch (const std::exception& e) {
          r.note = std::string("failed: ") + e.what();
          rows.push_back(r);
          continue;
        }
        // The warm-up and every repeat run: skip the backend on this case rather than run fewer.
        // The GPU's crops carry its per-call work (upload, binning of every kernel) into a few
        // pixels, so its estimate runs high (5x seen with 100,000 kernels): skip only when it is
        // clearly hopeless.
        const double total = est * (repeats + 1);
        if (total > (b == "gpu" ? 10 * budget : budget)) {
          r.note = "skipped: " + std::to_string(repeats + 1) + " runs of est. " + fmt("%.3g", est) +
                   " s exceed --budget " + fmt("%g", budget) + " s";
          rows.push_back(r);
          if (b == "gpu") {
            r.backend = "gpu+read";
            rows.push_back(r);
          }
          continue;
        }
      }
      std::vector<double> wall, gpu;
      double cpu_total = 0;
      try {
        run_on(s);  // warm-up: first-touch allocations, caches, GL state
        for (int k = 0; k < repeats; ++k) {
          const double c0 = process_cpu_seconds();
          auto t0 = Clock::now();
          run_on(s);
          wall.push_back(seconds_since(t0) * 1e3);
          cpu_total += process_cpu_seconds() - c0;
          if (b == "gpu") gpu.push_back(renderer->last_gpu_ms());
        }
      } catch (const std::exception& e) {
        r.note = std::string("failed: ") + e.what();
        rows.push_back(r);
        continue;
      }
      r.ms = median(wall);
      r.repeats = repeats;
      r.cpu_ms = cpu_total / repeats * 1e3;
      if (b == "gpu") {  // two rows: the timer query, and the wall time with the readback
        Row t = r;
        t.ms = median(gpu);
        if (t.ms < 0) t.note = "no timer query result";
        rows.push_back(t);
        r.backend = "gpu+read";
      }
      rows.push_back(r);
    }
  }

  if (json) {
    std::printf(
        "{\n  \"machine\": \"%s\",\n  \"cores\": %u,\n  \"cpu_path\": \"%s\",\n  "
        "\"gl_renderer\": \"%s\",\n",
        json_escape(machine).c_str(), cores, cpu_path.c_str(), json_escape(gl_renderer).c_str());
    if (!gpu_skip.empty())
      std::printf("  \"gpu_skipped\": \"%s\",\n", json_escape(gpu_skip).c_str());
    std::printf("  \"rows\": [\n");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      double sec = r.ms * 1e-3;
      std::printf("    {\"case\": \"%s\", \"size\": \"%s\", \"kernels\": %d, \"backend\": \"%s\"",
                  json_escape(r.case_name).c_str(), r.size.c_str(), r.kernels, r.backend.c_str());
      if (r.ms >= 0) {
        std::printf(
            ", \"median_ms\": %.6g, \"repeats\": %d, \"mpix_per_s\": %.6g, \"evals_per_s\": %.6g",
            r.ms, r.repeats, r.pixels / sec * 1e-6, r.pixels * r.kernels / sec);
        if (r.touched > 0) std::printf(", \"touched_evals_per_s\": %.6g", r.touched / sec);
        if (r.cpu_ms >= 0) std::printf(", \"cpu_time_ms\": %.6g", r.cpu_ms);
      } else {
        std::printf(", \"median_ms\": null");
      }
      if (!r.note.empty()) std::printf(", \"note\": \"%s\"", json_escape(r.note).c_str());
      std::printf("}%s\n", i + 1 < rows.size() ? "," : "");
    }
    std::printf("  ]\n}\n");
    return 0;
  }

  std::printf("%-18s %-10s %7s %-10s %10s %10s %11s %11s %10s  %s\n", "case", "size", "kernels",
              "backend", "median_ms", "Mpx/s", "evals/s", "touched/s", "cpu_ms", "note");
  for (const Row& r : rows) {
    if (r.ms < 0) {
      std::printf("%-18s %-10s %7d %-10s %10s %10s %11s %11s %10s  %s\n", r.case_name.c_str(),
                  r.size.c_str(), r.kernels, r.backend.c_str(), "-", "-", "-", "-", "-",
                  r.note.c_str());
      continue;
    }
    double sec = r.ms * 1e-3;
    const std::string& note = r.note;
    std::printf("%-18s %-10s %7d %-10s %10.3f %10.1f %11.3g %11s %10.3f  %s\n", r.case_name.c_str(),
                r.size.c_str(), r.kernels, r.backend.c_str(), r.ms, r.pixels / sec * 1e-6,
                r.pixels * r.kernels / sec,
                r.touched > 0 ? fmt("%.3g", r.touched / sec).c_str() : "-", r.cpu_ms, note.c_str());
  }
  return 0;
}

}  // namespace gm::cli
