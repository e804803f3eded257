// npy_stream.cpp — band-by-band .npy writing into a temporary file, renamed when complete.
#include "npy_stream.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

#include "errors.hpp"

namespace gm {

namespace {

[[noreturn]] void io_fail(const std::string& path, int err) {
  throw IoError("cannot write \"" + path + "\": " + std::strerror(err));
}

}  // namespace

std::string npy_f4_header(std::int64_t rows, std::int64_t cols) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) +
                     ", " + std::to_string(cols) + "), }";
  const std::size_t used = 10 + dict.size() + 1;  // magic, version, length, dict, '\n'
  dict.append((64 - used % 64) % 64, ' ');
  dict += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += char(dict.size() & 0xff);
  out += char((dict.size() >> 8) & 0xff);
  return out + dict;
}

NpyStreamWriter::NpyStreamWriter(const std::string& path, std::int64_t rows, std::int64_t cols)
    : path_(path), rows_(rows), cols_(cols) {
  if (path.empty() || path.back() == '/') io_fail(path, path.empty() ? ENOENT : EISDIR);
  const auto slash = path.rfind('/');
  dir_ = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  struct stat st {};
  bool keep_mode = false;
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) io_fail(path, EISDIR);
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
      throw IoError("cannot write \"" + path + "\": not a regular file");
    keep_mode = S_ISREG(st.st_mode);
  } else if (errno != ENOENT) {
    io_fail(path, errno);
  }
  // O_EXCL on a fresh name: the umask applies as for any new file (mkstemp would force 0600).
  static std::atomic<unsigned> counter{0};
  std::random_device rd;
  for (int attempt = 0; fd_ < 0; ++attempt) {
    tmp_ = (dir_ == "/" ? "/" : dir_ + "/") + "." + name + ".tmp-" + std::to_string(::getpid()) +
           "-" + std::to_string(counter++) + "-" + std::to_string(rd() % 1000000);
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0 && (errno != EEXIST || attempt > 100)) io_fail(path, errno);
  }
  if (keep_mode) ::fchmod(fd_, st.st_mode & 07777);
  file_ = ::fdopen(fd_, "wb");  // stdio loops over short writes and buffers the header
  if (!file_) {
    int err = errno;
    ::close(fd_);
    ::unlink(tmp_.c_str());
    io_fail(path, err);
  }
  const std::string header = npy_f4_header(rows, cols);
  if (std::fwrite(header.data(), 1, header.size(), file_) != header.size()) {
    int err = errno;  // the destructor does not run for a constructor that throws
    std::fclose(file_);
    ::unlink(tmp_.c_str());
    io_fail(path, err);
  }
}

NpyStreamWriter::~NpyStreamWriter() {
  if (file_) std::fclose(file_);
  if (!committed_) ::unlink(tmp_.c_str());
}

void NpyStreamWriter::write_rows(const float* data, std::int64_t n) {
  static_assert(std::endian::native == std::endian::little, "the .npy holds <f4");
  if (n < 0 || written_ + n > rows_)
    throw Error("npy stream: " + std::to_string(written_ + n) + " rows for a file of " +
                std::to_string(rows_));
  const std::size_t count = std::size_t(n) * std::size_t(cols_);
  if (std::fwrite(data, sizeof(float), count, file_) != count) io_fail(path_, errno);
  written_ += n;
}

void NpyStreamWriter::commit() {
  if (written_ != rows_)
    throw Error("npy stream: " + std::to_string(written_) + " of " + std::to_string(rows_) +
                " rows written");
  if (std::fflush(file_) != 0 || ::fsync(fd_) != 0) io_fail(path_, errno);
  int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) io_fail(path_, errno);
  struct stat st {};
  if (::lstat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) io_fail(path_, EISDIR);
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) io_fail(path_, errno);
  committed_ = true;
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace gm
