// cli_util.cpp — option parsing and scene loading for the subcommands.
#include "cli_util.hpp"

#include <charconv>
#include <utility>

#include "core/errors.hpp"
#include "core/image_io.hpp"
#include "core/scene_io.hpp"

namespace gm::cli {

bool ArgReader::option(const char* name) {
  if (done()) return false;
  const std::string& a = args_[i_];
  std::string n = name;
  if (a == n) {
    opt_ = n, inline_value_.reset(), ++i_;
    return true;
  }
  if (a.size() > n.size() && a.compare(0, n.size(), n) == 0 && a[n.size()] == '=') {
    opt_ = n, inline_value_ = a.substr(n.size() + 1), ++i_;
    return true;
  }
  return false;
}

bool ArgReader::flag(const char* name) {
  if (done() || args_[i_] != name) return false;
  ++i_;
  return true;
}

std::string ArgReader::value() {
  if (inline_value_) return *std::exchange(inline_value_, std::nullopt);
  if (done()) throw InputError(cmd_ + ": " + opt_ + " needs a value");
  return args_[i_++];
}

std::string ArgReader::positional() {
  if (done()) throw InputError(cmd_ + ": missing argument");
  if (args_[i_].rfind("--", 0) == 0) unknown();
  return args_[i_++];
}

void ArgReader::unknown() const {
  throw InputError(cmd_ + ": unknown argument \"" + args_[i_] + "\" (see gaussmap " + cmd_ +
                   " --help)");
}

Scene load_scene_any(const std::string& path, GridUse use) {
  auto ends_with = [&](const char* ext) {
    std::string e = ext;
    return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
  };
  if (ends_with(".png") || ends_with(".PNG")) {
    std::optional<std::string> text = read_png_scene(path);
    if (!text) throw InputError(path + ": this PNG carries no gaussmap scene");
    return scene_from_json_text(*text, use);
  }
  return load_scene(path, use);
}

void apply_size(Scene& scene, const std::string& size, GridUse use) {
  auto x = size.find_first_of("xX");
  int w = 0, h = 0;
  auto parse = [](const std::string& s, int& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
  };
  if (x == std::string::npos || !parse(size.substr(0, x), w) || !parse(size.substr(x + 1), h))
    throw InputError("--size: expected WxH (e.g. 1024x768), got \"" + size + "\"");
  if (!scene.domain_x) scene.domain_x = scene.x_range();
  if (!scene.domain_y) scene.domain_y = scene.y_range();
  scene.width = w, scene.height = h;
  try {
    validate(scene, use);
  } catch (const InputError& e) {
    throw InputError(std::string("--size: ") + e.what());
  }
}

}  // namespace gm::cli
