// file_flow.cpp — Open / Save / Save As / New / Quit decisions (see file_flow.hpp).
#include "viewer/file_flow.hpp"

#include <filesystem>
#include <utility>

#include "viewer/files.hpp"

namespace gm::viewer {

std::string FileFlow::own_file() const {
  const std::string& p = editor_.path();
  return has_extension(p, ".png") ? std::string() : p;
}

void FileFlow::note(std::string text, bool error) {
  notice_ = std::move(text);
  notice_error_ = error;
}

std::string FileFlow::take_notice() {
  return std::exchange(notice_, std::string());
}

void FileFlow::open(const std::string& path) {
  if (editor_.dirty()) {
    ask_ = Ask::Discard, then_ = Then::Open, ask_path_ = path;
    return;
  }
  run(Then::Open, path);
}

void FileFlow::new_scene() {
  if (editor_.dirty()) {
    ask_ = Ask::Discard, then_ = Then::New, ask_path_.clear();
    return;
  }
  run(Then::New, {});
}

void FileFlow::quit() {
  if (editor_.dirty()) {
    ask_ = Ask::Discard, then_ = Then::Quit, ask_path_.clear();
    return;
  }
  run(Then::Quit, {});
}

void FileFlow::save() {
  std::string own = own_file();
  if (own.empty()) {
    error_ = editor_.path().empty()
                 ? "untitled scene: type a file name above and press Save As"
                 : editor_.path() + " is a picture: type a .json name above and press Save As";
    note("Save: use Save As", true);
    return;
  }
  write(own, false);
}

void FileFlow::save_as(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string own = own_file();
  bool exists = !path.empty() && fs::exists(path, ec);
  bool is_own = exists && !own.empty() && fs::equivalent(path, own, ec) && !ec;
  if (exists && !is_own && !has_extension(path, ".png") && !fs::is_directory(path, ec)) {
    ask_ = Ask::Replace, then_ = Then::Nothing, ask_path_ = path;
    return;
  }
  write(path, true);  // empty, .png, folder: save_scene_file's error says why
}

bool FileFlow::write(const std::string& path, bool save_as) {
  try {
    save_scene_file(editor_.scene(), path);
    editor_.mark_saved(path);
    if (save_as) field = path;
    error_.clear();
    note("Saved " + path, false);
    return true;
  } catch (const std::exception& e) {
    error_ = e.what();
    note("Save failed: see the File section", true);
    return false;
  }
}

void FileFlow::run(Then t, const std::string& path) {
  switch (t) {
    case Then::Nothing:
      break;
    case Then::Quit:
      quit_ = true;
      break;
    case Then::New:
      editor_.load(seed_scene(), "");
      ++loads_;
      error_.clear();
      break;
    case Then::Open:
      try {
        Scene s = open_scene_file(path);
        editor_.load(std::move(s), path);
        ++loads_;
        field = has_extension(path, ".png") ? sibling_path(path, ".json") : path;
        error_.clear();
        note("Opened " + path, false);
      } catch (const std::exception& e) {
        field = path;  // kept, to fix a typo; Save still writes only the document's own file
        error_ = e.what();
        note("Open failed: see the File section", true);
      }
      break;
  }
}

void FileFlow::answer(Answer a) {
  const Ask ask = std::exchange(ask_, Ask::None);
  const Then then = std::exchange(then_, Then::Nothing);
  const std::string path = std::exchange(ask_path_, std::string());
  if (ask == Ask::None || a == Answer::Cancel) return;
  if (ask == Ask::Replace) {
    if (a == Answer::Replace) write(path, true);
    return;
  }
  // Ask::Discard
  if (a == Answer::SaveFirst) {
    if (own_file().empty()) {
      // Offered only with an own file; refuse rather than guess a name.
      save();
      return;
    }
    if (!write(own_file(), false)) return;  // the save failed: stay, nothing is lost
  } else if (a != Answer::Discard) {
    return;
  }
  run(then, path);
}

void FileFlow::start_failed(const std::string& path, const std::string& error) {
  field = path;
  std::error_code ec;
  if (!path.empty() && !std::filesystem::exists(path, ec) && !ec)
    error_ = path + " does not exist yet: Save As writes it";
  else
    error_ = error + " (fix the file, then press Open to load it)";
  note("Could not open " + path + ": see the File section", true);
}

}  // namespace gm::viewer
