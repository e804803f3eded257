// cli_util.hpp — small helpers shared by the subcommands: option parsing, loading a scene from a
// .json file or from a gaussmap .png (its embedded scene), and --size.
#pragma once

#include <optional>
#include <string>

#include "commands.hpp"
#include "core/scene.hpp"
#include "core/scene_io.hpp"

namespace gm::cli {

// Walks argv-style arguments; options may be `--name value` or `--name=value`.
class ArgReader {
 public:
  ArgReader(const Args& args, std::string command) : args_(args), cmd_(std::move(command)) {}
  bool done() const { return i_ >= args_.size(); }
  const std::string& peek() const { return args_[i_]; }
  // True (and consumes it) when the next argument is the option `name`; its value, if any,
  // is then read with value().
  bool option(const char* name);
  bool flag(const char* name);        // an option with no value
  std::string value();                // the value of the option just matched; InputError if missing
  std::string positional();           // the next argument, which must not start with "--"
  [[noreturn]] void unknown() const;  // InputError naming the unexpected argument

 private:
  const Args& args_;
  std::string cmd_;
  std::size_t i_ = 0;
  std::string opt_;
  std::optional<std::string> inline_value_;
};

// A scene from a .json file or a gaussmap .png. Throws IoError / InputError.
Scene load_scene_any(const std::string& path, GridUse use = GridUse::Whole);

// "WxH" -> width, height (InputError "--size: ..." otherwise). Keeps the picture: a scene on the
// default (pixel-index) domain gets that domain made explicit, so the same field is resampled.
void apply_size(Scene& scene, const std::string& size, GridUse use = GridUse::Whole);

}  // namespace gm::cli
