// cli_util.cpp — option parsing, scene loading and the output-collision check for the subcommands.
#include "cli_util.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <utility>

#include "core/errors.hpp"
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
  return load_scene(path,
                    use);  // tells JSON from a gaussmap PNG by content; messages name the file
}

void parse_size(const std::string& option, const std::string& text, int& w, int& h) {
  auto x = text.find_first_of("xX");
  auto parse = [](const std::string& s, int& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
  };
  if (x == std::string::npos || !parse(text.substr(0, x), w) || !parse(text.substr(x + 1), h))
    throw InputError(option + ": expected WxH (e.g. 1024x768), got \"" + text + "\"");
}

void apply_size(Scene& scene, const std::string& size, GridUse use) {
  int w = 0, h = 0;
  parse_size("--size", size, w, h);
  if (!scene.domain_x) scene.domain_x = scene.x_range();
  if (!scene.domain_y) scene.domain_y = scene.y_range();
  scene.width = w, scene.height = h;
  try {
    validate(scene, use);
  } catch (const InputError& e) {
    throw InputError(std::string("--size: ") + e.what());
  }
}

bool same_file(const std::string& a, const std::string& b) {
  namespace fs = std::filesystem;
  std::error_code ec;
  bool eq = fs::equivalent(a, b, ec);  // st_dev + st_ino; an error when either is missing
  if (!ec) return eq;
  fs::path ca = fs::weakly_canonical(fs::absolute(a, ec), ec);
  if (ec) return a == b;
  fs::path cb = fs::weakly_canonical(fs::absolute(b, ec), ec);
  if (ec) return a == b;
  return ca.lexically_normal() == cb.lexically_normal();
}

namespace {
std::string lower_extension(const std::string& path) {
  std::string e = std::filesystem::path(path).extension().string();
  std::transform(e.begin(), e.end(), e.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return e;
}
}  // namespace

std::vector<std::string> check_outputs(const std::string& command,
                                       const std::vector<PathArg>& inputs,
                                       const std::vector<PathArg>& outputs) {
  std::vector<std::string> warnings;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const PathArg& out = outputs[i];
    if (out.path.empty()) continue;
    for (const PathArg& in : inputs)
      if (!in.path.empty() && same_file(out.path, in.path))
        throw InputError(command + ": " + out.option + " " + out.path + " is the input " +
                         in.option + " " + in.path + "; refusing to overwrite it");
    for (std::size_t j = 0; j < i; ++j)
      if (!outputs[j].path.empty() && same_file(out.path, outputs[j].path))
        throw InputError(command + ": " + outputs[j].option + " " + outputs[j].path + " and " +
                         out.option + " " + out.path +
                         " are the same file; give each output its own name");
    std::string ext = lower_extension(out.path);
    if (!out.ext.empty() && !ext.empty() && ext != out.ext)
      warnings.push_back(out.option + " " + out.path + ": written as " + out.ext +
                         " content; the name ends in " + ext);
  }
  return warnings;
}

}  // namespace gm::cli
