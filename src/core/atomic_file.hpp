// atomic_file.hpp — atomic writes (temp file in the target's folder, fsync, rename, fsync of the
// folder: a failed or interrupted write never leaves a half-written target and never truncates an
// existing one) and bounded reads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gm {

// One output being written: a hidden temp file ".<name>.tmp-XXXXXX" beside `path`, filled by
// write(), made durable by finish() and renamed over `path` by commit(). Destroyed without a
// commit, the temp file is removed and the target is untouched. Errors are IoErrors naming the
// target path and the reason. A target that exists and is neither a regular file nor a symlink
// (a device, a FIFO, a socket) or is a folder is refused before anything is written; a symlink is
// replaced, not followed. The new file takes the old one's permission bits, else 0666 & ~umask.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, std::size_t n);
  void write(std::string_view bytes) { write(bytes.data(), bytes.size()); }
  // fsync and close the temp file (done by commit() when not called before).
  void finish();
  // Rename over the target, then fsync the folder (sync_folder = false leaves that to the caller,
  // see commit_all).
  void commit(bool sync_folder = true);

  const std::string& path() const { return path_; }
  const std::string& folder() const { return dir_; }

 private:
  [[noreturn]] void fail(int err);
  std::string path_, tmp_, dir_;
  int fd_ = -1;
  bool staged_ = false;  // the temp file exists and waits for its rename
};

// Renames every finished file into place, in order, then fsyncs each folder once. All files are
// finish()ed first: a failure while syncing any of them leaves every target as it was. (Only a
// failure of a later rename itself, after every file is complete on disk, could leave one target
// new and another old.)
void commit_all(std::vector<AtomicFile>& files);

// Atomically replace `path` with `bytes`.
void write_file_atomic(const std::string& path, std::string_view bytes);
// Several files, all or nothing as far as the file system allows (commit_all).
void write_files_atomic(const std::vector<std::pair<std::string, std::string>>& files);

// The whole file, refused (InputError naming the file and the limit) past max_bytes; IoError when
// it cannot be read.
std::string read_file(const std::string& path, long long max_bytes);

}  // namespace gm
