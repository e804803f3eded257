// atomic_file.cpp — AtomicFile (temp file, fsync, rename, folder fsync), the one- and many-file
// helpers on top of it, and bounded reads.
//
// The temp file is made with mkstemp in the target's folder (a rename never crosses file
// systems). The folder is fsynced after the rename so the new name is durable; some file systems
// cannot fsync a folder, and the data is in place anyway, so that failure is ignored.
#include "atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "errors.hpp"
#include "page_hint.hpp"

namespace gm {

namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

[[noreturn]] void write_failed(const std::string& path, int err) {
  throw IoError("cannot write \"" + path + "\": " + errno_text(err));
}

mode_t current_umask() {
  // umask(2) can only be read by setting it, which races with other threads; Linux reports it
  // in /proc/self/status.
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Umask:", 0) == 0)
      return static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
  }
  // No such line (a kernel before 4.7, or a sandbox's own /proc): read it by setting it back,
  // once per process (setting it races with other threads' file creation).
  static const mode_t mask = [] {
    const mode_t m = ::umask(022);
    ::umask(m);
    return m;
  }();
  return mask;
}

void sync_folder(const std::string& dir) {
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  if (path_.empty()) throw IoError("cannot write \"\": empty path");
  if (path_.back() == '/') write_failed(path_, EISDIR);
  const auto slash = path_.rfind('/');
  const bool bare = slash == std::string::npos;
  dir_ = bare ? std::string(1, '.') : slash == 0 ? std::string(1, '/') : path_.substr(0, slash);
  const std::string name = bare ? path_ : path_.substr(slash + 1);
  struct stat st {};
  mode_t mode = 0;
  bool keep_mode = false;
  if (::lstat(path_.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) write_failed(path_, EISDIR);
    if (S_ISREG(st.st_mode)) mode = st.st_mode & 07777, keep_mode = true;
    // A device, FIFO or socket would be replaced by a plain file (think -o /dev/null as root).
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
      throw IoError("cannot write \"" + path_ + "\": not a regular file");
  } else if (errno != ENOENT) {
    write_failed(path_, errno);
  }
  if (!keep_mode) mode = 0666 & ~current_umask();

  tmp_ = (dir_ == "/" ? "/" : dir_ + "/") + "." + name + ".tmp-XXXXXX";
  fd_ = ::mkstemp(tmp_.data());
  if (fd_ < 0) write_failed(path_, errno);
  staged_ = true;
  if (::fchmod(fd_, mode) != 0) fail(errno);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      tmp_(std::move(other.tmp_)),
      dir_(std::move(other.dir_)),
      fd_(other.fd_),
      staged_(other.staged_) {
  other.fd_ = -1;
  other.staged_ = false;
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (staged_) ::unlink(tmp_.c_str());
}

void AtomicFile::fail(int err) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (staged_) ::unlink(tmp_.c_str());
  staged_ = false;
  write_failed(path_, err);
}

void AtomicFile::write(const void* data, std::size_t n) {
  if (fd_ < 0) throw Error("AtomicFile::write after finish: \"" + path_ + "\"");
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail(errno);
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

void AtomicFile::finish() {
  if (fd_ < 0) return;
  if (::fsync(fd_) != 0) fail(errno);
  int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) fail(errno);
}

void AtomicFile::commit(bool sync) {
  if (!staged_) throw Error("AtomicFile::commit without a staged file: \"" + path_ + "\"");
  finish();
  struct stat st {};
  // Checked again just before the rename: a folder created meanwhile must not be replaced.
  if (::lstat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) fail(EISDIR);
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) fail(errno);
  staged_ = false;
  if (sync) sync_folder(dir_);
}

void commit_all(std::vector<AtomicFile>& files) {
  for (AtomicFile& f : files) f.finish();  // throws before any rename; the rest are discarded
  std::vector<std::string> folders;
  for (AtomicFile& f : files) {
    f.commit(false);
    if (std::find(folders.begin(), folders.end(), f.folder()) == folders.end())
      folders.push_back(f.folder());
  }
  for (const std::string& d : folders) sync_folder(d);
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
  AtomicFile f(path);
  f.write(bytes);
  f.commit();
}

void write_files_atomic(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<AtomicFile> staged;
  staged.reserve(files.size());
  for (const auto& [path, bytes] : files) {
    staged.emplace_back(path);
    staged.back().write(bytes);
  }
  commit_all(staged);
}

std::string read_file(const std::string& path, long long max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot read \"" + path + "\": " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    throw IoError("cannot read \"" + path + "\": " + errno_text(err));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw IoError("cannot read \"" + path + "\": " + errno_text(EISDIR));
  }
  auto too_big = [&](long long size) {
    ::close(fd);
    throw InputError("\"" + path + "\": file is " +
                     (size >= 0 ? std::to_string(size) : "more than " + std::to_string(max_bytes)) +
                     " bytes, over the limit of " + std::to_string(max_bytes) + " bytes");
  };
  if (S_ISREG(st.st_mode) && st.st_size > max_bytes) too_big(st.st_size);
  std::string out;
  if (S_ISREG(st.st_mode)) {
    out.reserve(static_cast<std::size_t>(st.st_size));
    prepare_output_pages(out.data(), out.capacity());
  }
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      throw IoError("cannot read \"" + path + "\": " + errno_text(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (static_cast<long long>(out.size()) > max_bytes) too_big(-1);
  }
  ::close(fd);
  return out;
}

}  // namespace gm
