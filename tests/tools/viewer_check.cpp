// viewer_check.cpp — the checks that tests/cli/viewer_shots.sh and viewer_recovery.sh run on the
// files the viewer wrote. Inputs are arguments (any path, spaces included); every check prints its
// figures and ends with "PASS ..." (exit 0) or "FAIL ..." (exit 1); a wrong command line is exit 2.
//   compare A.png B.png [--max N] [--mean M]   two pictures of one size agree: max per-channel
//                                               difference <= N (default 0), mean <= M (0.05)
//   reference SHOT.png [--max N] [--mean M]    a screenshot against the float64 reference field of
//                                               the scene embedded in it, through the same colormap
//                                               (defaults 8 and 0.05)
//   scene SHOT.png OUT.json [SCENE.json]       writes the scene a screenshot carries to OUT.json;
//                                               with SCENE.json, it must equal that file's scene
//   window W.png                               a window shot is not blank and shows the panel
//   recovery REC.json [SHOT.png]               REC parses as a recovery file; SHOT's embedded scene
//                                               equals its scene
//   same-recovery A.json B.json                two recovery files hold the same scene
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "core/colormap.hpp"
#include "core/image_io.hpp"
#include "core/reference.hpp"
#include "core/scene_io.hpp"
#include "shot_checks.hpp"
#include "viewer/recovery.hpp"

namespace {

using gm::test::ShotDiff;

struct Usage {
  std::string what;
};

// Positional arguments and the --max / --mean limits.
struct Args {
  std::vector<std::string> pos;
  double max = -1, mean = -1;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 2; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--max" || s == "--mean") {
      if (i + 1 >= argc) throw Usage{s + " needs a number"};
      char* end = nullptr;
      double v = std::strtod(argv[++i], &end);
      if (end == argv[i] || *end != '\0' || !(v >= 0)) throw Usage{s + ": not a number >= 0"};
      (s == "--max" ? a.max : a.mean) = v;
    } else {
      a.pos.push_back(s);
    }
  }
  return a;
}

void need(const Args& a, std::size_t lo, std::size_t hi, const char* form) {
  if (a.pos.size() < lo || a.pos.size() > hi) throw Usage{std::string("usage: ") + form};
}

gm::Image load_png(const std::string& path) {
  return gm::decode_png(gm::read_file(path, 1LL << 30));
}

int verdict(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "PASS" : "FAIL", what.c_str());
  return ok ? 0 : 1;
}

int check_diff(const std::string& label, const gm::Image& a, const gm::Image& b, double max_ok,
               double mean_ok) {
  if (a.width != b.width || a.height != b.height) {
    return verdict(false, label + ": sizes differ (" + std::to_string(a.width) + "x" +
                              std::to_string(a.height) + " vs " + std::to_string(b.width) + "x" +
                              std::to_string(b.height) + ")");
  }
  ShotDiff d = gm::test::diff_rgb(a, b);
  std::printf(
      "%s: %dx%d, max channel diff %d (limit %g), mean %.5f (limit %g), %.4f%% of pixels "
      "differ\n",
      label.c_str(), a.width, a.height, d.max, max_ok, d.mean, mean_ok, 100 * d.frac);
  return verdict(d.max <= max_ok && d.mean <= mean_ok, label);
}

int compare(const Args& a) {
  need(a, 2, 2, "compare A.png B.png [--max N] [--mean M]");
  return check_diff("compare \"" + a.pos[0] + "\" vs \"" + a.pos[1] + "\"", load_png(a.pos[0]),
                    load_png(a.pos[1]), a.max < 0 ? 0 : a.max, a.mean < 0 ? 0.05 : a.mean);
}

int reference(const Args& a) {
  need(a, 1, 1, "reference SHOT.png [--max N] [--mean M]");
  const std::string bytes = gm::read_file(a.pos[0], 1LL << 30);
  auto text = gm::png_scene_text(bytes);
  if (!text) return verdict(false, a.pos[0] + " carries no scene");
  gm::Scene s = gm::scene_from_json_text(*text);
  auto ref = gm::evaluate_reference(s);
  gm::Field f(s.width, s.height);
  for (std::size_t i = 0; i < f.data.size(); ++i) f.data[i] = float(ref.field.data[i]);
  return check_diff("reference \"" + a.pos[0] + "\"", gm::decode_png(bytes),
                    gm::colorize(f, s.view), a.max < 0 ? 8 : a.max, a.mean < 0 ? 0.05 : a.mean);
}

int scene(const Args& a) {
  need(a, 2, 3, "scene SHOT.png OUT.json [SCENE.json]");
  auto text = gm::read_png_scene(a.pos[0]);
  if (!text) return verdict(false, a.pos[0] + " carries no scene");
  gm::Scene s = gm::scene_from_json_text(*text);
  gm::save_scene(s, a.pos[1]);
  std::printf("scene of \"%s\": %dx%d, %zu kernels, written to \"%s\"\n", a.pos[0].c_str(), s.width,
              s.height, s.kernels.size(), a.pos[1].c_str());
  if (a.pos.size() == 2) return verdict(true, "the screenshot carries a valid scene");
  return verdict(s == gm::load_scene(a.pos[2]), "the screenshot's scene equals " + a.pos[2]);
}

int window(const Args& a) {
  need(a, 1, 1, "window W.png");
  gm::Image img = load_png(a.pos[0]);
  if (img.width < 400 || img.height < 200)
    return verdict(false, "window shot " + std::to_string(img.width) + "x" +
                              std::to_string(img.height) + " is smaller than 400x200");
  // The panel is on the left: text, frames, widgets -> many colours (anti-aliased text alone gives
  // dozens). The canvas right of it holds the colormapped map.
  const int pw = gm::test::panel_width(img);
  const std::size_t panel = gm::test::distinct_colors(img, 0, 0, pw - 10, img.height);
  const std::size_t canvas = gm::test::distinct_colors(img, pw + 10, 0, img.width, img.height);
  const double top = gm::test::top_color_share(img);
  std::printf(
      "window \"%s\": %dx%d, distinct colours: panel %zu (min 40), canvas %zu (min 40); "
      "most common colour covers %.1f%% (max 90%%)\n",
      a.pos[0].c_str(), img.width, img.height, panel, canvas, 100 * top);
  return verdict(panel >= 40 && canvas >= 40 && top < 0.9, "window shot shows the panel and map");
}

int recovery(const Args& a) {
  need(a, 1, 2, "recovery REC.json [SHOT.png]");
  gm::viewer::Recovery r = gm::viewer::read_recovery(a.pos[0]);
  std::printf("recovery file \"%s\": pid %d, source \"%s\", saved %s, %zu kernels\n",
              a.pos[0].c_str(), r.owner.pid, r.source.c_str(), r.saved_at.c_str(),
              r.scene.kernels.size());
  if (a.pos.size() == 1) return verdict(true, "a valid recovery file");
  auto text = gm::read_png_scene(a.pos[1]);
  if (!text) return verdict(false, a.pos[1] + " carries no scene");
  return verdict(gm::scene_from_json_text(*text) == r.scene,
                 a.pos[1] + " shows the recovery file's scene");
}

int same_recovery(const Args& a) {
  need(a, 2, 2, "same-recovery A.json B.json");
  return verdict(
      gm::viewer::read_recovery(a.pos[0]).scene == gm::viewer::read_recovery(a.pos[1]).scene,
      "\"" + a.pos[0] + "\" and \"" + a.pos[1] + "\" hold the same scene");
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  try {
    Args a = parse(argc, argv);
    if (cmd == "compare") return compare(a);
    if (cmd == "reference") return reference(a);
    if (cmd == "scene") return scene(a);
    if (cmd == "window") return window(a);
    if (cmd == "recovery") return recovery(a);
    if (cmd == "same-recovery") return same_recovery(a);
    throw Usage{"usage: viewer_check compare|reference|scene|window|recovery|same-recovery ..."};
  } catch (const Usage& u) {
    std::fprintf(stderr, "viewer_check: %s\n", u.what.c_str());
    return 2;
  } catch (const std::exception& e) {
    return verdict(false, cmd + ": " + e.what());
  }
}
