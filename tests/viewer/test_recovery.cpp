// test_recovery.cpp — no lost work, without a window: recovery files (write, parse, round trip),
// stale vs live processes (our own pid is live; a child we spawned and reaped is dead; a reused pid
// with another start time is dead), corrupted files ignored with a note, the autosave schedule,
// the folder rule, and the viewer's file errors (one line, never a crash). The checks of the files
// that tests/cli/viewer_recovery.sh makes run in tests/tools/viewer_check.cpp.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/image_io.hpp"
#include "core/scene_io.hpp"
#include "viewer/editor.hpp"
#include "viewer/files.hpp"
#include "viewer/recovery.hpp"

namespace fs = std::filesystem;
using namespace gm::viewer;

namespace {

fs::path scratch(const char* name) {
  fs::path d = fs::temp_directory_path() /
               (std::string("gm_recovery_test_") + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// A pid that certainly ended: a child we forked, that exited and that we reaped.
int dead_pid() {
  pid_t p = ::fork();
  if (p == 0) ::_exit(0);
  REQUIRE(p > 0);
  int status = 0;
  REQUIRE(::waitpid(p, &status, 0) == p);
  return int(p);
}

gm::Scene edited_scene() {
  gm::Scene s = gm::seed_scene();
  s.kernels[0].weight = 0.5;
  s.kernels[1].angle_deg = 17.25;
  s.kernels[1].cx = 1.0 / 3.0;  // needs all 17 digits to round-trip
  s.combine = gm::Combine::Max;
  return s;
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

std::string one_line(const gm::Error& e) {
  return e.what();
}

}  // namespace

TEST_CASE("recovery: our own pid is live, a reaped child is dead, a reused pid is dead") {
  ProcessId self = this_process();
  CHECK(self.pid == int(::getpid()));
  CHECK(process_alive(self.pid));
  CHECK(process_alive(self.pid, self.start));
  int dead = dead_pid();
  CHECK_FALSE(process_alive(dead));
  CHECK_FALSE(process_alive(0));
  CHECK_FALSE(process_alive(-5));
  if (self.start) {  // /proc is there: the same pid with another start time is someone else
    CHECK_FALSE(process_alive(self.pid, *self.start + 12345));
    MESSAGE("start time of this process: " << *self.start << " ticks");
  }
  // A killed child that is not reaped yet (a zombie) has ended too.
  pid_t z = ::fork();
  if (z == 0) {
    ::pause();
    ::_exit(0);
  }
  REQUIRE(z > 0);
  CHECK(process_alive(int(z)));
  ::kill(z, SIGKILL);
  for (int i = 0; i < 200 && process_alive(int(z)); ++i) ::usleep(5000);
  CHECK_FALSE(process_alive(int(z)));  // zombie until waitpid below
  int status = 0;
  ::waitpid(z, &status, 0);
}

TEST_CASE("recovery: a file round-trips the scene exactly, with its header") {
  fs::path d = scratch("roundtrip");
  gm::Scene s = edited_scene();
  ProcessId me = this_process();
  fs::path f = d / "sub" / "dir" / recovery_file_name(me);
  write_recovery(f.string(), s, "/some/where/scene.json", me);  // creates the folders
  CHECK(fs::is_regular_file(f));
  CHECK((fs::status(d / "sub").permissions() & fs::perms::others_all) == fs::perms::none);
  Recovery r = read_recovery(f.string());
  CHECK(r.scene == s);
  CHECK(r.source == "/some/where/scene.json");
  CHECK(r.owner.pid == me.pid);
  CHECK(r.owner.start == me.start);
  CHECK(r.file == f.string());
  CHECK(r.saved_at.size() == 20);
  CHECK(std::abs(r.saved_unix - std::int64_t(std::time(nullptr))) < 60);
  CHECK(format_utc(0) == "1970-01-01T00:00:00Z");
  CHECK(recovery_file_name({123, std::nullopt}) == "recovery-123.json");
  CHECK(recovery_file_name({123, 456}) == "recovery-123-456.json");
  // Untitled work, written again over the old file (atomic replace, no temp file left behind).
  write_recovery(f.string(), gm::seed_scene(), "", me);
  r = read_recovery(f.string());
  CHECK(r.source.empty());
  CHECK(r.scene == gm::seed_scene());
  int files = 0;
  for (auto& e : fs::directory_iterator(f.parent_path())) ++files, (void)e;
  CHECK(files == 1);
  CHECK(remove_recovery(f.string()).empty());
  CHECK_FALSE(fs::exists(f));
  CHECK(remove_recovery(f.string()).empty());  // already gone is fine
  fs::remove_all(d);
}

TEST_CASE(
    "recovery: stale files are offered newest first, live ones never, corrupted with a note") {
  fs::path d = scratch("scan");
  ProcessId me = this_process();
  int dead1 = dead_pid(), dead2 = dead_pid(), dead3 = dead_pid();
  gm::Scene a = edited_scene(), b = gm::seed_scene();
  // Ours (live), newest of all: never offered.
  write_text(d / recovery_file_name(me), encode_recovery(a, "live.json", 2000000000, me));
  // Two of ended processes, the second newer.
  write_text(d / ("recovery-" + std::to_string(dead1) + ".json"),
             encode_recovery(a, "old.json", 1700000000, {dead1, std::nullopt}));
  write_text(d / ("recovery-" + std::to_string(dead2) + ".json"),
             encode_recovery(b, "", 1800000000, {dead2, std::nullopt}));
  // Corrupted ones of an ended process: truncated, not a recovery file, a bad scene, deep nesting.
  std::string full = encode_recovery(a, "x.json", 1750000000, {dead3, std::nullopt});
  write_text(d / ("recovery-" + std::to_string(dead3) + ".json"), full.substr(0, full.size() / 2));
  write_text(d / "recovery-999999991.json", "{\"width\": 3}");
  std::string bad = full;
  std::size_t sigma_at = bad.find("\"sigma\":[");
  REQUIRE(sigma_at != std::string::npos);
  bad[sigma_at + 9] = '-';  // sigma[0] 45 -> -5
  write_text(d / "recovery-999999992.json", bad);
  write_text(d / "recovery-999999993.json", std::string(100000, '['));
  write_text(d / "recovery-999999994.json", "");
  // Not ours to read: other names; a leftover temp file of an ended writer is cleaned up.
  write_text(d / "notes.txt", "hello");
  write_text(d / (".recovery-" + std::to_string(dead1) + ".json.tmp-AbC123"), "{\"gaus");
  write_text(d / (".recovery-" + std::to_string(me.pid) + ".json.tmp-XyZ789"), "{\"gaus");

  auto alive = [&](int pid, std::optional<std::uint64_t> start) {
    if (pid >= 999999990) return false;  // the made-up pids of the corrupted files
    return process_alive(pid, start);
  };
  RecoveryScan scan = scan_recoveries(d.string(), alive);
  REQUIRE(scan.stale.size() == 2);
  CHECK(scan.stale[0].owner.pid == dead2);  // newest first
  CHECK(scan.stale[0].scene == b);
  CHECK(scan.stale[0].source.empty());
  CHECK(scan.stale[1].owner.pid == dead1);
  CHECK(scan.stale[1].scene == a);
  CHECK(scan.stale[1].source == "old.json");
  CHECK(scan.live == 1);
  REQUIRE(scan.notes.size() == 5);
  std::string all;
  for (const auto& n : scan.notes) {
    MESSAGE(n);
    CHECK(n.find('\n') == std::string::npos);
    all += n + "\n";
  }
  CHECK(all.find("not JSON") != std::string::npos);
  CHECK(all.find("not a gaussmap recovery file") != std::string::npos);
  CHECK(all.find("scene.kernels[0].sigma[0]: must be > 0") != std::string::npos);
  CHECK(all.find("nested too deep") != std::string::npos);
  // Corrupted files stay where they are (a person may still want them); the dead temp file went.
  CHECK(fs::exists(d / ("recovery-" + std::to_string(dead3) + ".json")));
  CHECK_FALSE(fs::exists(d / (".recovery-" + std::to_string(dead1) + ".json.tmp-AbC123")));
  CHECK(fs::exists(d / (".recovery-" + std::to_string(me.pid) + ".json.tmp-XyZ789")));

  // The default liveness test agrees for the real pids; a missing folder is an empty scan.
  RecoveryScan plain = scan_recoveries(d.string());
  CHECK(plain.stale.size() == 2);
  CHECK(scan_recoveries((d / "missing").string()).stale.empty());
  CHECK(scan_recoveries((d / "missing").string()).notes.empty());
  CHECK(scan_recoveries("").stale.empty());
  fs::remove_all(d);
}

TEST_CASE("recovery: the folder rule (GAUSSMAP_STATE_DIR, XDG_STATE_HOME, HOME)") {
  CHECK(recovery_dir_from("/t/state", "/x", "/home/u") == "/t/state");
  CHECK(recovery_dir_from(nullptr, "/x", "/home/u") == "/x/gaussmap");
  CHECK(recovery_dir_from("", "relative/ignored", "/home/u") == "/home/u/.local/state/gaussmap");
  CHECK(recovery_dir_from(nullptr, nullptr, nullptr).empty());
}

TEST_CASE("recovery: an unwritable folder is an IoError naming it, never a crash") {
  fs::path d = scratch("unwritable");
  write_text(d / "file", "x");
  // A folder under a regular file cannot be made, whoever we are (root ignores permissions).
  fs::path f = d / "file" / "state" / "recovery-1.json";
  try {
    write_recovery(f.string(), gm::seed_scene(), "", this_process());
    FAIL("write_recovery should have thrown");
  } catch (const gm::IoError& e) {
    MESSAGE(e.what());
    CHECK(std::string(e.what()).find((d / "file").string()) != std::string::npos);
  }
  fs::remove_all(d);
}

TEST_CASE("autosave schedule: 2 s after the last edit, every 5 s during a long drag") {
  AutosaveSchedule a;
  a.observe(1, false, 0.0);
  CHECK_FALSE(a.pending());
  CHECK(std::isinf(a.seconds_until_due(0.0)));
  a.observe(2, true, 10.0);  // an edit
  CHECK(a.pending());
  CHECK_FALSE(a.due(11.0));
  CHECK(a.seconds_until_due(11.0) == doctest::Approx(1.0));
  a.observe(2, true, 12.0);
  CHECK(a.due(12.0));
  a.written(12.0, 0.001);
  CHECK_FALSE(a.pending());
  CHECK_FALSE(a.due(20.0));
  // A drag: a new revision every 0.1 s. Quiet never comes; the 5 s cap does.
  double t = 30.0;
  std::uint64_t rev = 3;
  int writes = 0;
  for (; t < 42.0; t += 0.1) {
    a.observe(rev++, true, t);
    if (a.due(t)) {
      a.written(t, 0.001);
      ++writes;
    }
  }
  CHECK(writes == 2);  // at ~35 s and ~40 s
  // Undo back to the state on disk: nothing to write. Saved (clean): nothing pending.
  a.observe(100, true, 50.0);
  a.written(50.0, 0.001);
  a.observe(101, true, 51.0);
  CHECK(a.pending());
  a.observe(100, true, 52.0);
  CHECK_FALSE(a.pending());
  a.observe(101, false, 53.0);
  CHECK_FALSE(a.pending());
  // A failed write retries after 10 s, not every frame.
  a.observe(rev + 1, true, 60.0);
  CHECK(a.due(62.0));
  a.failed(62.0);
  CHECK_FALSE(a.due(63.0));
  CHECK(a.seconds_until_due(63.0) == doctest::Approx(9.0));
  CHECK(a.due(72.0));
  // A slow write (a huge scene) spaces the next one out: 20 x its duration.
  a.written(72.0, 0.5);
  a.observe(rev + 2, true, 73.0);
  CHECK_FALSE(a.due(80.0));
  CHECK(a.due(82.0));
}

TEST_CASE("recovery: a recovered document opens modified, with its source path") {
  Editor ed;
  ed.load_recovered(edited_scene(), "/w/scene.json");
  CHECK(ed.dirty());
  CHECK(ed.path() == "/w/scene.json");
  CHECK(ed.scene() == edited_scene());
  CHECK_FALSE(ed.can_undo());
  ed.mark_saved("/w/scene.json");
  CHECK_FALSE(ed.dirty());
  CHECK(describe_saved_time(1000, 1000 + 30).find("just now") != std::string::npos);
  CHECK(describe_saved_time(1000, 1000 + 720).find("12 min ago") != std::string::npos);
  CHECK(describe_saved_time(1000, 1000 + 3 * 86400).find("3 days ago") != std::string::npos);
}

TEST_CASE("files: load and save errors are one line that names the file and the problem") {
  fs::path d = scratch("errors");
  gm::Scene s = gm::seed_scene();
  auto expect = [](auto&& fn, const std::string& needle) {
    try {
      fn();
      FAIL("expected an error containing: " << needle);
    } catch (const gm::Error& e) {
      std::string m = one_line(e);
      MESSAGE(m);
      CHECK(m.find('\n') == std::string::npos);
      CHECK_MESSAGE(m.find(needle) != std::string::npos, m << " lacks " << needle);
    }
  };
  // Open: missing file, a folder, bad JSON with its key path, a PNG without a scene, no name.
  expect([&] { open_scene_file((d / "missing.json").string()); }, "missing.json");
  fs::create_directories(d / "folder.json");
  expect([&] { open_scene_file((d / "folder.json").string()); }, "folder.json");
  write_text(
      d / "bad.json",
      "{\"width\": 8, \"height\": 8, \"kernels\": [{\"center\": [1, 1], \"sigma\": [1, -2]}]}");
  expect([&] { open_scene_file((d / "bad.json").string()); }, "kernels[0].sigma[1]: must be > 0");
  expect([&] { open_scene_file((d / "bad.json").string()); }, "bad.json: ");
  write_text(d / "trunc.json", "{\"width\": 8, \"hei");
  expect([&] { open_scene_file((d / "trunc.json").string()); }, "trunc.json: ");
  gm::Image img;
  img.width = 1, img.height = 1, img.rgba = {1, 2, 3, 255};
  gm::write_png((d / "plain.png").string(), img, "");
  expect([&] { open_scene_file((d / "plain.png").string()); }, "carries no gaussmap scene");
  write_text(d / "junk.png", "not a png at all");
  expect([&] { open_scene_file((d / "junk.png").string()); }, "junk.png: ");
  expect([&] { open_scene_file(""); }, "enter a file name");
  // Save: no name, a .png name, a missing folder, a folder in the way, under a regular file.
  expect([&] { save_scene_file(s, ""); }, "enter a file name");
  expect([&] { save_scene_file(s, (d / "x.png").string()); }, "save scenes as .json");
  expect([&] { save_scene_file(s, (d / "nope" / "x.json").string()); }, "x.json");
  expect([&] { save_scene_file(s, (d / "folder.json").string()); }, "folder.json");
  write_text(d / "afile", "x");
  expect([&] { save_scene_file(s, (d / "afile" / "x.json").string()); }, "x.json");
  CHECK_FALSE(fs::exists(d / "x.png"));
  // A failed save never touches the existing file.
  write_text(d / "keep.json", "precious");
  ::chmod(d.c_str(), 0555);
  bool root = ::geteuid() == 0;
  if (!root) expect([&] { save_scene_file(s, (d / "keep.json").string()); }, "keep.json");
  ::chmod(d.c_str(), 0755);
  std::ifstream in(d / "keep.json");
  std::string kept((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(kept == "precious");
  // Screenshot into a missing folder: a name is found, the write fails with an IoError.
  std::string shot = next_shot_name((d / "no_such_dir").string());
  expect([&] { gm::write_png(shot, img, gm::scene_to_json_text(s)); }, "gaussmap-0001.png");
  // And a good save works (the viewer's path for Ctrl+S).
  save_scene_file(s, (d / "ok.json").string());
  CHECK(open_scene_file((d / "ok.json").string()) == s);
  fs::remove_all(d);
}

// --- checks for tests/cli/viewer_recovery.sh ----------------------------------------------------
