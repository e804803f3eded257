// files.cpp — open by extension, non-overwriting shot names, window title (see files.hpp).
#include "viewer/files.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>

#include "core/errors.hpp"
#include "core/scene_io.hpp"

namespace gm::viewer {

bool has_extension(const std::string& path, const std::string& ext) {
  if (path.size() < ext.size()) return false;
  return std::equal(ext.rbegin(), ext.rend(), path.rbegin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

namespace {
// The UI shows one line: make sure it names the file (the parser's messages name only the key).
std::string with_path(const std::string& path, const char* what) {
  std::string m = what;
  return m.find(path) == std::string::npos ? path + ": " + m : m;
}
}  // namespace

Scene open_scene_file(const std::string& path) {
  if (path.empty()) throw InputError("enter a file name to open");
  try {
    return load_scene(path);  // JSON or a gaussmap PNG, by content; names what other files are
  } catch (const InputError& e) {
    throw InputError(with_path(path, e.what()));
  } catch (const IoError& e) {
    throw IoError(with_path(path, e.what()));
  } catch (const Error& e) {
    throw Error(with_path(path, e.what()));
  }
}

void save_scene_file(const Scene& scene, const std::string& path) {
  if (path.empty()) throw InputError("enter a file name to save to");
  if (has_extension(path, ".png"))
    throw InputError(path + ": save scenes as .json (screenshots carry the scene in their PNG)");
  save_scene(scene, path);
}

std::string sibling_path(const std::string& png_path, const std::string& suffix) {
  if (has_extension(png_path, ".png")) return png_path.substr(0, png_path.size() - 4) + suffix;
  return png_path + suffix;
}

std::string next_shot_name(const std::string& dir, const std::string& stem,
                           const std::vector<std::string>& sibling_suffixes) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (int i = 1; i < 1000000; ++i) {
    char num[16];
    std::snprintf(num, sizeof num, "-%04d", i);
    std::string name = stem + num + ".png";
    std::string path = dir.empty() ? name : (fs::path(dir) / name).string();
    bool taken = fs::exists(path, ec);
    for (const auto& s : sibling_suffixes) taken = taken || fs::exists(sibling_path(path, s), ec);
    if (!taken) return path;
  }
  throw IoError("no free screenshot name in " + (dir.empty() ? std::string(".") : dir));
}

std::string window_title(const std::string& path, bool dirty) {
  std::string name =
      path.empty() ? std::string("untitled") : std::filesystem::path(path).filename().string();
  return "gaussmap \xe2\x80\x94 " + name + (dirty ? "*" : "");
}

}  // namespace gm::viewer
