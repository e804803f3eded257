// cmd_view.cpp — `gaussmap view [SCENE.json|SCENE.png | --recover] [--no-recovery] [--size WxH]
// [--window-size WxH] [--frames N] [--screenshot OUT.png] [--window-shot OUT2.png] [--npy
// OUT.npy] [--backend auto|gpu|cpu] [--animate] [--stats]`: the interactive viewer (the default
// command), or a scripted run that renders N frames, writes the shots and exits 0. --recover opens
// the newest unsaved work of an ended viewer (src/viewer/recovery.hpp). A scene that fails to load
// opens the viewer anyway, with the error shown and the file left as it is (as editors do); a
// scripted run then exits 2 after its frames. Thin: parses, loads the scene, hands over to
// src/viewer. Errors are thrown (InputError -> 2, GlError / IoError -> 1). Without the viewer
// (GAUSSMAP_VIEWER=OFF) main.cpp supplies cmd_view.
#ifdef GAUSSMAP_HAS_VIEWER

#include <charconv>
#include <cstdio>
#include <string>

#include "cli/cli_util.hpp"
#include "cli/commands.hpp"
#include "core/errors.hpp"
#include "core/scene.hpp"
#include "viewer/recovery.hpp"
#include "viewer/viewer.hpp"

namespace gm::cli {

namespace {

const char* const kViewHelp =
    "usage: gaussmap [view] [SCENE.json | SCENE.png | --recover] [--no-recovery] [--size WxH]\n"
    "                [--window-size WxH] [--frames N] [--screenshot OUT.png]\n"
    "                [--window-shot OUT2.png] [--npy OUT.npy] [--backend auto|gpu|cpu]\n"
    "                [--animate] [--stats]\n"
    "\n"
    "Opens the viewer on SCENE (a scene JSON, or a PNG written by gaussmap, which carries its\n"
    "scene); without SCENE, the built-in two-kernel example. A SCENE that cannot be loaded\n"
    "opens the viewer on the example with the error shown; fix the file and press Open.\n"
    "\n"
    "  --size WxH             resample the scene on a W x H grid (same domain)\n"
    "  --window-size WxH      the window's size (default: 1400x860, fitted to the screen)\n"
    "  --frames N             scripted: render N frames (at least 3), write the shots, exit 0\n"
    "                         (exit 2 when SCENE could not be loaded)\n"
    "  --screenshot OUT.png   the colormapped field at the scene's resolution, scene embedded\n"
    "  --window-shot OUT.png  the whole window as it looks, panel included, scene embedded\n"
    "  --npy OUT.npy          the float field, <f4, shape (H, W)\n"
    "  (a shot option without --frames implies --frames 5)\n"
    "  --backend NAME         how the field is computed: auto (default: the CPU backend where\n"
    "                         GL is software, the shader on a hardware GPU), gpu or cpu; the\n"
    "                         panel's Performance section says which ran and why\n"
    "  --animate              scripted: move kernel 0 a little every frame, as a drag does\n"
    "  --stats                at exit, one JSON line on stdout: frames, median_frame_ms,\n"
    "                         median_field_ms, backend, field_frames, preview_frames,\n"
    "                         median_eval_ms, median_ui_ms, median_draw_ms (docs/viewer.md)\n"
    "  --recover              open the newest unsaved work of a viewer that ended without saving\n"
    "                         (crash, kill) as a modified document; exit 1 when there is none\n"
    "  --no-recovery          do not offer unsaved work of ended viewers at startup\n"
    "\n"
    "While a scene has unsaved changes the viewer keeps a recovery file in\n"
    "$GAUSSMAP_STATE_DIR, else $XDG_STATE_HOME/gaussmap, else ~/.local/state/gaussmap;\n"
    "the next start offers the work back if the viewer was killed or crashed.\n"
    "\n"
    "Needs a display (DISPLAY; `xvfb-run -a gaussmap view ...` works headless); without one, use\n"
    "`gaussmap render`. Mouse and keys: the Help section of the panel.\n"
    "The viewer shows the field as a GL texture; for a field larger than this GL's textures, use\n"
    "`gaussmap render --backend cpu`.\n"
    "Exit status: 0 ok, 1 no display / no GL / I/O failure, 2 bad input or usage.\n";

int parse_frames(const std::string& s) {
  int n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || ptr != s.data() + s.size() || n < 1 || n > 1000000)
    throw InputError("view: --frames: expected a whole number from 1 to 1000000, got \"" + s +
                     "\"");
  return n;
}

}  // namespace

int cmd_view(const Args& args) {
  ArgReader in(args, "view");
  std::string scene_path, size, window_size;
  viewer::ViewerOptions opt;
  bool frames_given = false, recover = false;
  while (!in.done()) {
    if (in.flag("--help") || in.flag("-h")) {
      std::fputs(kViewHelp, stdout);
      return 0;
    } else if (in.option("--frames")) {
      opt.frames = parse_frames(in.value());
      frames_given = true;
    } else if (in.option("--screenshot")) {
      opt.screenshot = in.value();
    } else if (in.option("--window-shot")) {
      opt.window_shot = in.value();
    } else if (in.option("--npy")) {
      opt.npy = in.value();
    } else if (in.flag("--recover")) {
      recover = true;
    } else if (in.flag("--no-recovery")) {
      opt.offer_recovery = false;
    } else if (in.option("--size")) {
      size = in.value();
    } else if (in.option("--window-size")) {
      window_size = in.value();
    } else if (in.option("--backend")) {
      opt.backend = in.value();
      if (opt.backend != "auto" && opt.backend != "gpu" && opt.backend != "cpu")
        throw InputError("view: --backend: expected auto, gpu or cpu, got \"" + opt.backend + "\"");
    } else if (in.flag("--animate")) {
      opt.animate = true;
    } else if (in.flag("--stats")) {
      opt.stats = true;
    } else if (scene_path.empty()) {
      scene_path = in.positional();
    } else {
      in.unknown();
    }
  }
  if (!frames_given && !(opt.screenshot.empty() && opt.window_shot.empty() && opt.npy.empty()))
    opt.frames = 5;
  if (recover) {
    if (!scene_path.empty())
      throw InputError("view: --recover opens recovered work; it takes no SCENE (got \"" +
                       scene_path + "\")");
    std::string dir = viewer::recovery_dir();
    viewer::RecoveryScan scan = viewer::scan_recoveries(dir);
    for (const auto& note : scan.notes) std::fprintf(stderr, "gaussmap: note: %s\n", note.c_str());
    if (scan.stale.empty())
      throw IoError("view --recover: no unsaved work of an ended viewer in " +
                    (dir.empty() ? std::string("(no recovery folder: HOME is not set)") : dir) +
                    (scan.live > 0 ? " (" + std::to_string(scan.live) +
                                         " file(s) of running viewers are never taken)"
                                   : std::string()));
    viewer::Recovery& r = scan.stale.front();
    std::fprintf(stderr, "gaussmap: recovering %s (%s, saved %s)\n", r.file.c_str(),
                 r.source.empty() ? "untitled" : r.source.c_str(), r.saved_at.c_str());
    opt.scene = std::move(r.scene);
    opt.scene_path = r.source;
    opt.recovered_from = r.file;
    opt.state_dir = dir;
    opt.offer_recovery = false;  // the newest was asked for; the others wait for the next start
  } else {
    for (const std::string& w : check_outputs("view", {{"SCENE", scene_path}},
                                              {{"--screenshot", opt.screenshot, ".png"},
                                               {"--window-shot", opt.window_shot, ".png"},
                                               {"--npy", opt.npy, ".npy"}}))
      std::fprintf(stderr, "warning: %s\n", w.c_str());
    try {
      opt.scene = scene_path.empty() ? seed_scene() : load_scene_any(scene_path);
      opt.scene_path = scene_path;
    } catch (const InputError& e) {
      opt.load_error = e.what();
    } catch (const IoError& e) {
      opt.load_error = e.what();
    }
    if (!opt.load_error.empty()) {
      // The viewer opens on the example, untitled; the file stays as it is on disk.
      opt.scene = seed_scene();
      opt.failed_path = scene_path;
    }
  }
  if (!window_size.empty()) {
    parse_size("view: --window-size", window_size, opt.window_width, opt.window_height);
    if (opt.window_width < 320 || opt.window_height < 240 || opt.window_width > 16384 ||
        opt.window_height > 16384)
      throw InputError("view: --window-size: each side from 320x240 to 16384, got \"" +
                       window_size + "\"");
  }
  if (!size.empty() && opt.load_error.empty()) apply_size(opt.scene, size);
  return viewer::run_viewer(opt);
}

}  // namespace gm::cli

#endif  // GAUSSMAP_HAS_VIEWER
