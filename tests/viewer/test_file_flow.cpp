// test_file_flow.cpp — what the viewer's Open / Save / Save As / New / Quit write, on real files in
// a scratch folder: Save writes only the document's own file, never the File field's path; Save As
// asks before replacing another file; a failed Open changes nothing. No window needed.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "core/image_io.hpp"
#include "core/scene_io.hpp"
#include "viewer/editor.hpp"
#include "viewer/file_flow.hpp"

namespace fs = std::filesystem;
using gm::Scene;
using gm::viewer::Editor;
using gm::viewer::FileFlow;

namespace {

struct Scratch {
  fs::path dir;
  explicit Scratch(const char* name) {
    dir = fs::temp_directory_path() /
          (std::string("gm_file_flow_") + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string operator/(const char* name) const { return (dir / name).string(); }
};

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// so.json holds the seed scene; the editor has it open and one kernel added (unsaved).
struct Edited {
  Scratch dir;
  std::string so;
  std::string original;
  Editor editor;
  FileFlow flow{editor};
  explicit Edited(const char* name) : dir(name), so(dir / "so.json") {
    gm::save_scene(gm::seed_scene(), so);
    original = slurp(so);
    flow.open(so);
    REQUIRE(flow.error().empty());
    REQUIRE(editor.path() == so);
    editor.add_default_kernel();
    REQUIRE(editor.dirty());
  }
  // other.json: another scene (77 pixels wide) beside so.json.
  std::string put_other() const {
    std::string other = dir / "other.json";
    gm::Scene o = gm::seed_scene();
    o.width = 77;
    gm::save_scene(o, other);
    return other;
  }
};

}  // namespace

TEST_CASE("file flow: Open typo.json, 'Save first' saves so.json and never writes typo.json") {
  Edited e("save_first");
  const Scene edited = e.editor.scene();
  const std::string typo = e.dir / "typo.json";
  e.flow.field = typo;
  e.flow.open_field();
  REQUIRE(e.flow.ask() == FileFlow::Ask::Discard);
  CHECK(e.flow.ask_path() == typo);
  CHECK(e.flow.can_save_first());
  e.flow.answer(FileFlow::Answer::SaveFirst);
  CHECK_MESSAGE(!fs::exists(typo), "Save first wrote the file that was to be opened");
  CHECK_MESSAGE(gm::load_scene(e.so) == edited, "Save first did not save the document's own file");
  // typo.json does not exist: the open fails, the (now saved) document stays.
  CHECK(e.flow.error().find(typo) != std::string::npos);
  CHECK(e.editor.path() == e.so);
  CHECK_FALSE(e.editor.dirty());
  CHECK(e.flow.field == typo);  // kept, to fix the typo
  CHECK(e.flow.ask() == FileFlow::Ask::None);
}

TEST_CASE("file flow: after a failed Open, Save writes the document's own file, not the field") {
  Edited e("failed_open");
  e.flow.answer(FileFlow::Answer::Cancel);  // nothing pending: a no-op
  e.flow.save();
  REQUIRE(e.flow.error().empty());
  REQUIRE_FALSE(e.editor.dirty());
  const std::string typo = e.dir / "typo.json";
  e.flow.field = typo;
  e.flow.open_field();  // clean: opens at once, and fails
  CHECK(e.flow.ask() == FileFlow::Ask::None);
  CHECK_FALSE(e.flow.error().empty());
  CHECK(e.flow.field == typo);
  CHECK(e.editor.path() == e.so);

  e.editor.add_default_kernel();
  const Scene edited = e.editor.scene();
  e.flow.save();  // Ctrl+S
  CHECK_MESSAGE(!fs::exists(typo), "Save wrote the path of the failed Open");
  CHECK(gm::load_scene(e.so) == edited);
  CHECK_FALSE(e.editor.dirty());
}

TEST_CASE("file flow: Save ignores a field that names another existing file") {
  Edited e("field_other");
  const std::string other = e.put_other();
  const std::string other_text = slurp(other);
  e.flow.field = other;
  e.flow.save();
  CHECK(slurp(other) == other_text);
  CHECK(slurp(e.so) != e.original);
}

TEST_CASE(
    "file flow: Save As asks before replacing another file; Cancel keeps it, Replace writes") {
  Edited e("save_as");
  const std::string other = e.put_other();
  const std::string other_text = slurp(other);
  e.flow.field = other;
  e.flow.save_as_field();
  REQUIRE(e.flow.ask() == FileFlow::Ask::Replace);
  CHECK(e.flow.ask_path() == other);
  CHECK(slurp(other) == other_text);
  e.flow.answer(FileFlow::Answer::Cancel);
  CHECK(slurp(other) == other_text);
  CHECK(e.editor.dirty());
  CHECK(e.editor.path() == e.so);

  e.flow.save_as_field();
  REQUIRE(e.flow.ask() == FileFlow::Ask::Replace);
  e.flow.answer(FileFlow::Answer::Replace);
  CHECK(gm::load_scene(other) == e.editor.scene());
  CHECK(e.editor.path() == other);  // the document's own file is now other.json
  CHECK_FALSE(e.editor.dirty());
  CHECK(slurp(e.so) == e.original);

  // A new name is written at once; the document's own file (by another spelling) is not asked.
  const std::string fresh = e.dir / "fresh.json";
  e.flow.save_as(fresh);
  CHECK(e.flow.ask() == FileFlow::Ask::None);
  CHECK(fs::exists(fresh));
  e.editor.add_default_kernel();
  fs::create_directories(e.dir / "sub");
  e.flow.save_as((e.dir / "sub/../fresh.json"));
  CHECK(e.flow.ask() == FileFlow::Ask::None);
  CHECK(gm::load_scene(fresh) == e.editor.scene());
}

TEST_CASE("file flow: an untitled document is saved only by Save As; 'Save first' is not offered") {
  Scratch dir("untitled");
  Editor editor;
  FileFlow flow(editor);
  editor.add_default_kernel();
  const std::string target = dir / "x.json";
  gm::save_scene(gm::seed_scene(), target);
  const std::string before = slurp(target);
  flow.field = target;
  flow.save();
  CHECK_FALSE(flow.error().empty());
  CHECK(slurp(target) == before);
  flow.open_field();
  REQUIRE(flow.ask() == FileFlow::Ask::Discard);
  CHECK_FALSE(flow.can_save_first());
  flow.answer(FileFlow::Answer::SaveFirst);  // refused: no file is guessed
  CHECK(slurp(target) == before);
  CHECK(editor.dirty());
  CHECK(editor.path().empty());
}

TEST_CASE("file flow: a document opened from a gaussmap .png is never saved over the picture") {
  Edited e("png");
  const std::string png = e.dir / "shot.png";
  // A PNG carrying the scene, as the viewer's screenshots write it.
  gm::Image img;
  img.width = img.height = 1;
  img.rgba = {1, 2, 3, 255};
  gm::write_png(png, img, gm::scene_to_json_text(gm::seed_scene()));
  const std::string png_bytes = slurp(png);
  e.flow.save();
  e.flow.open(png);
  CHECK(e.flow.ask() == FileFlow::Ask::None);
  REQUIRE(e.flow.error().empty());
  CHECK(e.flow.own_file().empty());
  CHECK(e.flow.field == e.dir / "shot.json");
  e.editor.add_default_kernel();
  e.flow.save();
  CHECK_FALSE(e.flow.error().empty());
  CHECK(slurp(png) == png_bytes);
  CHECK_FALSE(fs::exists(e.dir / "shot.json"));
  e.flow.save_as_field();
  CHECK(gm::load_scene(e.dir / "shot.json") == e.editor.scene());
  CHECK(slurp(png) == png_bytes);
}

TEST_CASE("file flow: Discard opens, Cancel keeps; New and Quit ask the same way") {
  Edited e("discard");
  const std::string b = e.dir / "b.json";
  gm::Scene sb = gm::seed_scene();
  sb.height = 55;
  gm::save_scene(sb, b);
  e.flow.open(b);
  e.flow.answer(FileFlow::Answer::Cancel);
  CHECK(e.editor.path() == e.so);
  CHECK(e.editor.dirty());
  const auto loads = e.flow.loads();
  e.flow.open(b);
  e.flow.answer(FileFlow::Answer::Discard);
  CHECK(e.editor.path() == b);
  CHECK(e.editor.scene() == sb);
  CHECK(e.flow.loads() == loads + 1);
  CHECK(slurp(e.so) == e.original);

  e.editor.add_default_kernel();
  e.flow.quit();
  CHECK_FALSE(e.flow.quit_requested());
  REQUIRE(e.flow.ask() == FileFlow::Ask::Discard);
  CHECK(e.flow.then() == FileFlow::Then::Quit);
  e.flow.answer(FileFlow::Answer::Cancel);
  CHECK_FALSE(e.flow.quit_requested());
  e.flow.new_scene();
  REQUIRE(e.flow.then() == FileFlow::Then::New);
  e.flow.answer(FileFlow::Answer::SaveFirst);
  CHECK(gm::load_scene(b).kernels.size() == sb.kernels.size() + 1);
  CHECK(e.editor.path().empty());
  CHECK(e.editor.scene() == gm::seed_scene());
  e.flow.quit();
  CHECK(e.flow.quit_requested());
}

TEST_CASE("file flow: a scene that failed to load at startup is kept as it is on disk") {
  Scratch dir("start_failed");
  const std::string bad = dir / "bad.json";
  { std::ofstream(bad) << "{\"width\": 4, \"height\": 4, \"kernels\": [ oops ]}"; }
  const std::string text = slurp(bad);
  Editor editor;
  FileFlow flow(editor);
  std::string err;
  try {
    (void)gm::load_scene(bad);
  } catch (const std::exception& ex) {
    err = ex.what();
  }
  REQUIRE_FALSE(err.empty());
  flow.start_failed(bad, err);
  CHECK(flow.field == bad);
  CHECK(flow.error().find(bad) != std::string::npos);
  editor.add_default_kernel();
  flow.save();  // no own file: refused
  CHECK(slurp(bad) == text);
  flow.save_as_field();  // asks before replacing it
  CHECK(flow.ask() == FileFlow::Ask::Replace);
  flow.answer(FileFlow::Answer::Cancel);
  CHECK(slurp(bad) == text);
  // Fixed on disk: Open loads it (after the unsaved-changes question).
  gm::save_scene(gm::seed_scene(), bad);
  flow.open_field();
  flow.answer(FileFlow::Answer::Discard);
  CHECK(flow.error().empty());
  CHECK(editor.path() == bad);
}

TEST_CASE("file flow: `view new.json` for a file that does not exist yet: Save As creates it") {
  Scratch dir("start_missing");
  const std::string fresh = dir / "new.json";
  Editor editor;
  FileFlow flow(editor);
  flow.start_failed(fresh, "cannot read \"" + fresh + "\": No such file or directory");
  CHECK(flow.error() == fresh + " does not exist yet: Save As writes it");
  flow.save_as_field();
  CHECK(flow.ask() == FileFlow::Ask::None);
  CHECK(gm::load_scene(fresh) == editor.scene());
  CHECK(editor.path() == fresh);
}
