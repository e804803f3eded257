// viewer.hpp — the viewer's entry point for the CLI (`gaussmap view`): open a GLFW window with a
// GL 4.5 core context, run the ImGui panel + canvas on a scene, and optionally script it
// (render N frames, write the shots, exit) for tests and batch screenshots.
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
  int window_width = 1400, window_height = 860;  // logical (screen-coordinate) size
};

// Runs until the window closes (or the automation frames are done). Returns the exit status.
// Throws GlError when no window or GL 4.5 context can be made (no display, too old a driver),
// IoError when an automation shot cannot be written.
int run_viewer(const ViewerOptions& options);

}  // namespace gm::viewer
