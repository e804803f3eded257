// errors.hpp — the one small exception hierarchy used at gaussmap's boundaries. `main` maps them
// to exit statuses: InputError -> 2 (bad scene, bad usage, over a limit), the rest -> 1.
#pragma once

#include <stdexcept>
#include <string>

namespace gm {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// Bad input: the message names the key path, e.g. "kernels[3].sigma[1]: must be > 0, got -2".
struct InputError : Error {
  using Error::Error;
};
struct IoError : Error {  // a file could not be read or written
  using Error::Error;
};
struct GlError : Error {  // no GL context, shader compile failure, out of memory, ...
  using Error::Error;
};

}  // namespace gm
