// viewer.hpp — the viewer's entry point for the CLI (`gaussmap view`): open a GLFW window with a
// GL 4.5 core context, run the ImGui panel + canvas on a scene, and optionally script it
// (render N frames, write the shots, exit) for tests and batch screenshots. While the document has
// unsaved changes the viewer keeps a recovery file, and offers the work of viewers that were
// killed or crashed (recovery.hpp, docs/viewer.md).
#pragma once

#include <string>

#include "core/scene.hpp"

namespace gm::viewer {

struct ViewerOptions {
  Scene scene = seed_scene();
  std::string scene_path;   // where `scene` came from ("" = untitled); shown in the title
  int frames = 0;           // > 0: automation — render this many frames (at least 3), write, exit
  std::string screenshot;   // automation: colormapped field at scene resolution (PNG + scene)
  std::string window_shot;  // automation: the whole window as it looks (PNG + scene)
  std::string npy;          // automation: the float field (.npy)
  // Logical (screen-coordinate) window size; 0 = 1400 x 860, shrunk to fit the monitor's work area.
  int window_width = 0, window_height = 0;
  // The scene file could not be loaded (`gaussmap view bad.json`): the viewer opens anyway, on the
  // built-in example as an untitled document, shows `load_error` in its File section and keeps
  // `failed_path` in the File field (Open reloads it once fixed; nothing writes it without asking).
  // Automation runs (frames > 0) render, write their shots, then fail with this error (exit 2).
  std::string load_error;
  std::string failed_path;
  std::string backend = "auto";  // field backend: auto | gpu | cpu (field_scheduler.hpp)
  bool animate = false;          // automation: move kernel 0 a little every frame, as a drag does
  bool stats = false;  // at exit, one JSON line on stdout: frames, median frame / field ms, backend

  // No lost work (recovery.hpp). Automation runs (frames > 0) never write, adopt or delete
  // recovery files; they only show the offer.
  std::string state_dir;       // the recovery folder; "" = recovery_dir()
  bool offer_recovery = true;  // at startup, offer the work of viewers that ended unsaved
  bool autosave = true;        // keep a recovery file while the document has unsaved changes
  std::string recovered_from;  // `scene` is recovered work from this file (`view --recover`):
                               // it opens modified; the file is deleted once this viewer's own
                               // recovery file holds the work (or it is saved / discarded)
};

// Runs until the window closes (or the automation frames are done). Returns the exit status.
// Throws GlError when no window or GL 4.5 context can be made (no display, too old a driver),
// IoError when an automation shot cannot be written.
int run_viewer(const ViewerOptions& options);

}  // namespace gm::viewer
