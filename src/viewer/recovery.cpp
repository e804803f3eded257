// recovery.cpp — recovery files (write, read, find the stale ones, delete) and the autosave
// schedule; see recovery.hpp. Linux-specific parts: /proc/PID/stat for a process's start time and
// state (where /proc is missing, liveness falls back to kill(pid, 0) alone).
#include "viewer/recovery.hpp"

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <pwd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/errors.hpp"
#include "core/image_io.hpp"
#include "core/scene_io.hpp"

namespace gm::viewer {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A recovery file holds one scene plus a small header.
constexpr long long kMaxRecoveryBytes = Limits::kMaxSceneBytes + (1LL << 20);

struct ProcStat {
  char state = '?';
  std::uint64_t start = 0;
};

std::optional<ProcStat> read_proc_stat(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
  auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(text.substr(close + 1));
  std::vector<std::string> f;
  for (std::string w; rest >> w;) f.push_back(w);
  if (f.size() < 20) return std::nullopt;  // f[0] is field 3 (state), f[19] field 22 (starttime)
  ProcStat st;
  st.state = f[0].empty() ? '?' : f[0][0];
  char* end = nullptr;
  st.start = std::strtoull(f[19].c_str(), &end, 10);
  if (!end || *end) return std::nullopt;
  return st;
}

bool starts_with(const std::string& s, const char* p) {
  return s.rfind(p, 0) == 0;
}
bool ends_with(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

// "<pid>[-<start>]" at the front of `s` (after the "recovery-" prefix); the rest must be `tail`.
std::optional<ProcessId> parse_name_id(const std::string& s, const std::string& tail_prefix) {
  ProcessId id;
  std::size_t i = 0;
  auto digits = [&](std::uint64_t& v) {
    std::size_t j = i;
    v = 0;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9' && j - i < 19)
      v = v * 10 + std::uint64_t(s[j++] - '0');
    bool ok = j > i;
    i = j;
    return ok;
  };
  std::uint64_t v = 0;
  if (!digits(v) || v == 0 || v > 0x7fffffff) return std::nullopt;
  id.pid = int(v);
  if (i < s.size() && s[i] == '-') {
    ++i;
    if (!digits(v)) return std::nullopt;
    id.start = v;
  }
  if (s.compare(i, tail_prefix.size(), tail_prefix) != 0) return std::nullopt;
  return id;
}

void make_private_dirs(const std::string& dir) {
  if (dir.empty()) throw IoError("no folder for recovery files (set HOME or GAUSSMAP_STATE_DIR)");
  for (std::size_t at = 1; at <= dir.size(); ++at) {
    if (at < dir.size() && dir[at] != '/') continue;
    std::string part = dir.substr(0, at);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
      throw IoError("cannot create the recovery folder \"" + part + "\": " + std::strerror(errno));
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw IoError("cannot create the recovery folder \"" + dir + "\": not a folder");
}

std::int64_t parse_utc(const std::string& s) {
  int y, mo, d, h, mi, se;
  char z = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z) != 7 ||
      z != 'Z')
    return -1;
  std::tm t{};
  t.tm_year = y - 1900, t.tm_mon = mo - 1, t.tm_mday = d, t.tm_hour = h, t.tm_min = mi,
  t.tm_sec = se;
  return std::int64_t(::timegm(&t));
}

// Nesting depth by a plain scan (no recursion), as scene_io does, before nlohmann sees the text.
void check_depth(const std::string& text, const std::string& file) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > Limits::kMaxJsonDepth + 1) throw InputError(file + ": JSON nested too deep");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

}  // namespace

std::string recovery_dir_from(const char* gaussmap_state_dir, const char* xdg_state_home,
                              const char* home) {
  if (gaussmap_state_dir && *gaussmap_state_dir) return gaussmap_state_dir;
  // The XDG spec: a relative $XDG_STATE_HOME is invalid and ignored.
  if (xdg_state_home && xdg_state_home[0] == '/') return std::string(xdg_state_home) + "/gaussmap";
  if (home && *home) return std::string(home) + "/.local/state/gaussmap";
  return {};
}

std::string recovery_dir() {
  const char* home = std::getenv("HOME");
  if (!home || !*home) {
    if (const passwd* pw = ::getpwuid(::getuid())) home = pw->pw_dir;
  }
  return recovery_dir_from(std::getenv("GAUSSMAP_STATE_DIR"), std::getenv("XDG_STATE_HOME"), home);
}

std::optional<std::uint64_t> process_start(int pid) {
  auto st = read_proc_stat(pid);
  if (!st) return std::nullopt;
  return st->start;
}

ProcessId this_process() {
  ProcessId p;
  p.pid = int(::getpid());
  p.start = process_start(p.pid);
  return p;
}

bool process_alive(int pid, std::optional<std::uint64_t> start) {
  if (pid <= 0) return false;
  if (::kill(pid_t(pid), 0) != 0 && errno == ESRCH) return false;  // EPERM: alive, not ours
  if (auto st = read_proc_stat(pid)) {
    if (st->state == 'Z' || st->state == 'X') return false;  // killed, not yet reaped
    if (start && st->start != *start) return false;          // the pid was reused
  }
  return true;
}

std::string recovery_file_name(const ProcessId& p) {
  std::string n = "recovery-" + std::to_string(p.pid);
  if (p.start) n += "-" + std::to_string(*p.start);
  return n + ".json";
}

std::string format_utc(std::int64_t unix_s) {
  std::time_t t = std::time_t(unix_s);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string describe_saved_time(std::int64_t saved_unix, std::int64_t now_unix) {
  std::time_t t = std::time_t(saved_unix);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char buf[48];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M %Z", &tm);
  std::int64_t age = now_unix - saved_unix;
  std::string ago;
  if (age < 0)
    ago = "in the future";
  else if (age < 60)
    ago = "just now";
  else if (age < 3600)
    ago = std::to_string(age / 60) + " min ago";
  else if (age < 48 * 3600)
    ago = std::to_string(age / 3600) + " h ago";
  else
    ago = std::to_string(age / 86400) + " days ago";
  return std::string(buf) + " (" + ago + ")";
}

std::string encode_recovery(const Scene& scene, const std::string& source, std::int64_t saved_unix,
                            const ProcessId& owner) {
  // A path that is not UTF-8 is written with U+FFFD in place of its bad bytes (JSON holds text).
  std::string src = json(source).dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out = "{\n  \"gaussmap_recovery\": 1,\n  \"source\": " + src +
                    ",\n  \"saved_at\": \"" + format_utc(saved_unix) +
                    "\",\n  \"pid\": " + std::to_string(owner.pid);
  if (owner.start) out += ",\n  \"start\": " + std::to_string(*owner.start);
  out += ",\n  \"scene\": " + scene_to_json_text(scene, -1) + "\n}\n";
  return out;
}

Recovery decode_recovery(const std::string& text, const std::string& file) {
  if (static_cast<long long>(text.size()) > kMaxRecoveryBytes)
    throw InputError(file + ": " + std::to_string(text.size()) + " bytes, over the limit of " +
                     std::to_string(kMaxRecoveryBytes));
  check_depth(text, file);
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw InputError(file + ": not JSON (truncated or corrupted)");
  if (!j.is_object() || !j.contains("gaussmap_recovery"))
    throw InputError(file + ": not a gaussmap recovery file (no \"gaussmap_recovery\" key)");
  const json& ver = j["gaussmap_recovery"];
  if (!ver.is_number_integer() || ver.get<long long>() != 1)
    throw InputError(file + ": gaussmap_recovery: unsupported version " + ver.dump());
  Recovery r;
  r.file = file;
  if (j.contains("source")) {
    if (!j["source"].is_string()) throw InputError(file + ": source: expected a string");
    r.source = j["source"].get<std::string>();
  }
  if (j.contains("saved_at")) {
    if (!j["saved_at"].is_string()) throw InputError(file + ": saved_at: expected a string");
    r.saved_at = j["saved_at"].get<std::string>();
    r.saved_unix = parse_utc(r.saved_at);
  }
  const json& pid = j.contains("pid") ? j["pid"] : json();
  if (!pid.is_number_integer() || pid.get<long long>() <= 0 || pid.get<long long>() > 0x7fffffff)
    throw InputError(file + ": pid: expected a positive whole number, got " + pid.dump());
  r.owner.pid = int(pid.get<long long>());
  if (j.contains("start")) {
    if (!j["start"].is_number_unsigned())
      throw InputError(file + ": start: expected a whole number");
    r.owner.start = j["start"].get<std::uint64_t>();
  }
  if (!j.contains("scene") || !j["scene"].is_object())
    throw InputError(file + ": scene: expected the scene object");
  try {
    r.scene = scene_from_json_text(j["scene"].dump());
  } catch (const InputError& e) {
    // Key paths are relative to the scene object: "scene.kernels[0].sigma[1]: ...".
    std::string m = e.what();
    throw InputError(file + ": " + (starts_with(m, "scene") ? m : "scene." + m));
  }
  return r;
}

Recovery read_recovery(const std::string& file) {
  Recovery r = decode_recovery(read_file(file, kMaxRecoveryBytes), file);
  if (r.saved_unix <= 0) {
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0) r.saved_unix = std::int64_t(st.st_mtime);
    if (r.saved_at.empty()) r.saved_at = format_utc(r.saved_unix);
  }
  return r;
}

void write_recovery(const std::string& file, const Scene& scene, const std::string& source,
                    const ProcessId& owner) {
  std::string dir = fs::path(file).parent_path().string();
  if (!dir.empty()) make_private_dirs(dir);
  write_file_atomic(file, encode_recovery(scene, source, std::int64_t(std::time(nullptr)), owner));
}

std::string remove_recovery(const std::string& file) {
  if (::unlink(file.c_str()) == 0 || errno == ENOENT) return {};
  return "cannot delete \"" + file + "\": " + std::strerror(errno);
}

RecoveryScan scan_recoveries(const std::string& dir, const AliveFn& alive) {
  RecoveryScan scan;
  if (dir.empty()) return scan;
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  if (ec) {
    if (ec != std::errc::no_such_file_or_directory)
      scan.notes.push_back("cannot list the recovery folder \"" + dir + "\": " + ec.message());
    return scan;
  }
  for (; it != end; it.increment(ec)) {
    if (ec) {
      scan.notes.push_back("cannot list the recovery folder \"" + dir + "\": " + ec.message());
      break;
    }
    const std::string name = it->path().filename().string();
    const std::string path = it->path().string();
    if (starts_with(name, ".recovery-") && name.find(".json.tmp-") != std::string::npos) {
      // The temporary file of a write that never finished (the process was killed meanwhile).
      auto id = parse_name_id(name.substr(10), ".json.tmp-");
      if (id && !alive(id->pid, id->start)) ::unlink(path.c_str());
      continue;
    }
    if (!starts_with(name, "recovery-") || !ends_with(name, ".json")) continue;
    auto name_id = parse_name_id(name.substr(9), ".json");
    try {
      Recovery r = read_recovery(path);
      if (alive(r.owner.pid, r.owner.start)) {
        ++scan.live;
        continue;
      }
      scan.stale.push_back(std::move(r));
    } catch (const std::exception& e) {
      if (name_id && alive(name_id->pid, name_id->start)) {
        ++scan.live;  // a running viewer's file: its business
        continue;
      }
      scan.notes.push_back(std::string("ignored a recovery file that cannot be read: ") + e.what());
    }
  }
  std::sort(scan.stale.begin(), scan.stale.end(), [](const Recovery& a, const Recovery& b) {
    return a.saved_unix != b.saved_unix ? a.saved_unix > b.saved_unix : a.file < b.file;
  });
  return scan;
}

// ---------------------------------------------------------------------------------------------
// AutosaveSchedule

void AutosaveSchedule::observe(std::uint64_t revision, bool dirty, double now) {
  bool was_pending = pending_;
  if (!seen_ || *seen_ != revision) {
    seen_ = revision;
    last_change_ = now;
  }
  pending_ = dirty && (!on_disk_ || *on_disk_ != revision);
  if (pending_ && !was_pending) first_change_ = last_change_;
}

bool AutosaveSchedule::due(double now) const {
  return pending_ && now >= not_before_ &&
         (now - last_change_ >= p_.quiet_s || now - first_change_ >= p_.max_delay_s);
}

double AutosaveSchedule::seconds_until_due(double now) const {
  if (!pending_) return std::numeric_limits<double>::infinity();
  double t = std::min(last_change_ + p_.quiet_s, first_change_ + p_.max_delay_s);
  t = std::max(t, not_before_);
  return std::max(0.0, t - now);
}

void AutosaveSchedule::written(double now, double write_s) {
  on_disk_ = seen_;
  pending_ = false;
  not_before_ = now + p_.min_gap_factor * std::max(write_s, 0.0);
}

void AutosaveSchedule::failed(double now) {
  not_before_ = now + p_.retry_s;
}

}  // namespace gm::viewer
