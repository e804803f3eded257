// cli_util.hpp — small helpers shared by the subcommands: option parsing, loading a scene from a
// .json file or from a gaussmap .png (its embedded scene), --size, and the check that no output
// file is an input or another output.
#pragma once

#include <optional>
#include <string>
#include <vector>

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

// "WxH" -> w, h (InputError "OPTION: expected WxH ..." otherwise; the range is the caller's).
void parse_size(const std::string& option, const std::string& text, int& w, int& h);
// "WxH" -> width, height (InputError "--size: ..." otherwise). Keeps the picture: a scene on the
// default (pixel-index) domain gets that domain made explicit, so the same field is resampled.
void apply_size(Scene& scene, const std::string& size, GridUse use = GridUse::Whole);

// A file a command reads or writes, as the user named it: `option` is how it was given ("SCENE",
// "-o", "--npy"); `ext` is the extension its content calls for (".png"), "" for inputs.
struct PathArg {
  std::string option;
  std::string path;
  std::string ext = {};
};

// True when `a` and `b` name the same file: the same device and inode where both exist (hard
// links, symlinks), else the same path once "." / ".." and symlinked folders are resolved.
bool same_file(const std::string& a, const std::string& b);

// Every command that writes files calls this before doing any work. Throws InputError (exit 2)
// naming both when an output is an input or another output ("render: -o s.json is the input
// SCENE s.json ..."); empty paths are ignored. Returns warnings (printed by the caller as
// "warning: ...") for an output whose extension is not the one its content calls for.
std::vector<std::string> check_outputs(const std::string& command,
                                       const std::vector<PathArg>& inputs,
                                       const std::vector<PathArg>& outputs);

}  // namespace gm::cli
