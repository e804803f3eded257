// file_flow.hpp — what Open, Save, Save As, New and Quit do to files, decided without a window so
// that every path is tested (tests/viewer/test_file_flow.cpp); the panel and the shortcuts only
// call these functions and draw the question that is pending.
//
// The rules, so that no file is written that the user only meant to read:
//  * The File field is where Open reads and Save As writes. Save never looks at it: Save writes
//    the document's own file, the one it was opened from or last saved as. A document without one
//    (untitled, opened from a gaussmap .png, or whose file failed to load) has to be saved with
//    Save As.
//  * Save As asks before it replaces an existing file that is not the document's own.
//  * Open, New and Quit with unsaved changes ask first; "Save first" saves to the document's own
//    file (never to the path about to be opened), and is offered only when there is one.
//  * A failed Open leaves the document, its own file and the field as they were (the field keeps
//    the failed path so a typo can be fixed).
#pragma once

#include <cstdint>
#include <string>

#include "viewer/editor.hpp"

namespace gm::viewer {

class FileFlow {
 public:
  // What waits for the user's answer.
  enum class Ask {
    None,
    Discard,  // unsaved changes: Save first / Discard / Cancel, then `then`
    Replace,  // Save As onto an existing file: Replace / Cancel
  };
  enum class Then { Nothing, Open, New, Quit };
  enum class Answer { SaveFirst, Discard, Replace, Cancel };

  explicit FileFlow(Editor& editor) : editor_(editor) {}

  // The File field's text (the UI edits it; Open and Save As read it).
  std::string field;

  // Where Save writes: the document's path unless it is "" or a .png (screenshots carry scenes,
  // they are not saved over).
  std::string own_file() const;

  void open(const std::string& path);  // reads `path` only
  void open_field() { open(field); }
  void new_scene();
  void quit();
  void save();
  void save_as(const std::string& path);
  void save_as_field() { save_as(field); }
  void answer(Answer a);

  // The document's file failed to load at startup (`gaussmap view bad.json`): the document stays
  // untitled, the field holds `path`, the error is shown; Open retries once the file is fixed.
  void start_failed(const std::string& path, const std::string& error);

  Ask ask() const { return ask_; }
  Then then() const { return then_; }
  const std::string& ask_path() const { return ask_path_; }  // the file to open / replace
  bool can_save_first() const { return !own_file().empty(); }

  // The last failure, one line; "" after a success.
  const std::string& error() const { return error_; }
  void clear_error() { error_.clear(); }
  // A short note for a toast after each action ("Saved x.json"), taken once.
  std::string take_notice();
  bool notice_is_error() const { return notice_error_; }
  bool quit_requested() const { return quit_; }
  std::uint64_t loads() const { return loads_; }  // counts documents loaded (the UI refits)

 private:
  // Saves to `path` and records the result; Save As also puts `path` in the field.
  bool write(const std::string& path, bool save_as);
  void run(Then t, const std::string& path);
  void note(std::string text, bool error);

  Editor& editor_;
  Ask ask_ = Ask::None;
  Then then_ = Then::Nothing;
  std::string ask_path_;
  std::string error_, notice_;
  bool notice_error_ = false;
  bool quit_ = false;
  std::uint64_t loads_ = 0;
};

}  // namespace gm::viewer
