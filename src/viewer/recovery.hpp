// recovery.hpp — "no lost work" for the viewer, kept out of the ImGui code: the recovery file each
// viewer process writes while its document has unsaved changes, finding the files of viewers that
// ended without saving (crash, kill), reading and deleting them, and the autosave schedule.
//
// A recovery file is `<dir>/recovery-<pid>-<start>.json` (`<start>`: the process's start time in
// clock ticks since boot, from /proc; omitted where /proc is missing), written atomically:
//   {"gaussmap_recovery": 1, "source": "/path/scene.json" or "", "saved_at":
//   "2026-11-21T16:20:05Z",
//    "pid": 1234, "start": 5678, "scene": {...the scene JSON...}}
// A file is *stale* (offered back) when its process is gone: kill(pid, 0) fails with ESRCH, the
// process is a zombie, or the pid now belongs to a process started at another time (pid reuse).
// Files of a live process are never offered. <dir> is $GAUSSMAP_STATE_DIR, else
// $XDG_STATE_HOME/gaussmap, else ~/.local/state/gaussmap (created 0700 on the first write).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/scene.hpp"

namespace gm::viewer {

// The folder for recovery files; "" when none can be named (no HOME). The second form takes the
// environment's values (null = unset) so the rule can be tested.
std::string recovery_dir();
std::string recovery_dir_from(const char* gaussmap_state_dir, const char* xdg_state_home,
                              const char* home);

struct ProcessId {
  int pid = 0;
  std::optional<std::uint64_t> start;  // start time, clock ticks since boot (/proc/PID/stat)
};
ProcessId this_process();
std::optional<std::uint64_t> process_start(int pid);  // nullopt: no such process, or no /proc
// True while process `pid` runs (a zombie does not) and, when `start` is given and the process's
// start time can be read, it is that same process (not a later one that got the pid again).
bool process_alive(int pid, std::optional<std::uint64_t> start = std::nullopt);

struct Recovery {
  std::string file;             // the recovery file itself
  std::string source;           // the scene's own file ("" = untitled)
  std::string saved_at;         // ISO 8601, UTC
  std::int64_t saved_unix = 0;  // the same, seconds since 1970 (file mtime when unparseable)
  ProcessId owner;
  Scene scene;
};

std::string recovery_file_name(const ProcessId& p);  // "recovery-<pid>[-<start>].json"
std::string format_utc(std::int64_t unix_s);         // "2026-11-21T16:20:05Z"
// For people: "2026-11-21 16:20 UTC (12 min ago)", in local time.
std::string describe_saved_time(std::int64_t saved_unix, std::int64_t now_unix);
std::string encode_recovery(const Scene& scene, const std::string& source, std::int64_t saved_unix,
                            const ProcessId& owner);
// Throws InputError "<file>: <what>" (not JSON, not a recovery file, a bad header value, or the
// scene's own key-path message: "<file>: scene.kernels[0].sigma[1]: must be > 0, got -2").
Recovery decode_recovery(const std::string& text, const std::string& file);
Recovery read_recovery(const std::string& file);  // + IoError when it cannot be read
// Creates the folder (0700) if needed, then writes atomically (gm::write_file_atomic). IoError.
void write_recovery(const std::string& file, const Scene& scene, const std::string& source,
                    const ProcessId& owner);
// Deletes a recovery file; a missing file is fine. Returns "" or the reason it failed.
std::string remove_recovery(const std::string& file);

struct RecoveryScan {
  std::vector<Recovery> stale;     // newest first
  std::vector<std::string> notes;  // one line per file that was ignored (unreadable, corrupted)
  int live = 0;                    // files of running viewers (never offered)
};
using AliveFn = std::function<bool(int pid, std::optional<std::uint64_t> start)>;
// The recovery files in `dir` whose process has ended. Never throws: a missing folder is an empty
// scan; a corrupted file is left in place and named in `notes`. Leftover temporary files of ended
// processes (a kill during a write) are deleted.
RecoveryScan scan_recoveries(const std::string& dir, const AliveFn& alive = process_alive);

// When to write the recovery file: `quiet_s` after the last edit, but at least every `max_delay_s`
// while edits keep coming (a long drag), never sooner than `min_gap_factor` times the last write's
// duration after it (a huge scene), and `retry_s` after a failed write. Times in seconds, any
// clock.
class AutosaveSchedule {
 public:
  struct Params {
    double quiet_s = 2.0;
    double max_delay_s = 5.0;
    double retry_s = 10.0;
    double min_gap_factor = 20.0;
  };
  AutosaveSchedule() = default;
  explicit AutosaveSchedule(Params p) : p_(p) {}

  // Every frame: the document's revision and dirty mark.
  void observe(std::uint64_t revision, bool dirty, double now);
  bool due(double now) const;
  double seconds_until_due(double now) const;  // +inf when nothing is pending
  bool pending() const { return pending_; }
  void written(double now, double write_s);  // the current revision is on disk
  void failed(double now);
  void removed() { on_disk_.reset(); }  // the file was deleted

 private:
  Params p_;
  std::optional<std::uint64_t> seen_, on_disk_;
  bool pending_ = false;
  double first_change_ = 0, last_change_ = 0;
  double not_before_ = -std::numeric_limits<double>::infinity();
};

}  // namespace gm::viewer
