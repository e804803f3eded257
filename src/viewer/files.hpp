// files.hpp — the viewer's file chores, kept out of the UI code: open a scene from .json or from a
// gaussmap .png (the scene rides in its tEXt chunk), screenshot names that never overwrite, the
// window title with the modified mark. Every function here reports failure by throwing a one-line
// gm::Error; the UI catches and shows it.
#pragma once

#include <string>
#include <vector>

#include "core/scene.hpp"

namespace gm::viewer {

// Load a scene from `path` through gm::load_scene (a scene .json or a gaussmap PNG, told apart by
// content). Throws InputError / IoError with a one-line message naming the file (a PNG without a
// scene, a JPEG, an .npy, ... say what they are; an empty path asks for a name). The viewer shows
// the message in its File section and keeps running.
Scene open_scene_file(const std::string& path);
// Save `scene` as JSON to `path` (atomic). Throws InputError for an empty path or a .png name
// (screenshots carry scenes, they are not saved over), IoError naming the path and the reason.
void save_scene_file(const Scene& scene, const std::string& path);

// The first "<dir>/<stem>-NNNN.png" (NNNN from 0001) for which none of the files the shot would
// write exists: the .png itself, and the given sibling suffixes (e.g. ".npy", "-window.png") put in
// place of ".png". `dir` "" means the current folder.
std::string next_shot_name(const std::string& dir, const std::string& stem = "gaussmap",
                           const std::vector<std::string>& sibling_suffixes = {".npy",
                                                                               "-window.png"});
// "OUT.png" -> "OUT.npy" / "OUT-window.png" (replaces a trailing .png, else appends).
std::string sibling_path(const std::string& png_path, const std::string& suffix);

// "gaussmap — scene.json*" (the * when modified; "untitled" without a path).
std::string window_title(const std::string& path, bool dirty);

bool has_extension(const std::string& path, const std::string& ext);  // case-insensitive, ".json"

}  // namespace gm::viewer
