// main.cpp — the `gaussmap` command: dispatches to view (default), render, verify, bench, and maps
// every error to one line on stderr and an exit status (0 ok, 1 runtime failure, 2 bad input).
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <new>

#include "commands.hpp"
#include "core/errors.hpp"

namespace {

const char* kHelp =
    R"(gaussmap — heat maps of 2-D Gaussian kernels, exact on the CPU and fast on the GPU

usage: gaussmap [view] [SCENE.json|SCENE.png] [options]   open the viewer (default: built-in example)
       gaussmap render SCENE -o OUT.png [--npy OUT.npy] [--backend gpu|cpu|reference] [--size WxH]
       gaussmap verify SCENE              GPU field against the float64 reference
       gaussmap bench [--json]            timings of every backend on fixed cases
       gaussmap --version | --help
Run `gaussmap COMMAND --help` for the options of a command.
Exit status: 0 ok, 1 runtime failure (no GL, I/O), 2 bad input or usage.
)";

}  // namespace

#ifndef GAUSSMAP_HAS_VIEWER
namespace gm::cli {
int cmd_view(const Args&) {
  throw Error(
      "this gaussmap was built without the viewer (GAUSSMAP_VIEWER=OFF); use gaussmap render");
}
}  // namespace gm::cli
#endif

int main(int argc, char** argv) {
  using namespace gm;
  cli::Args args(argv + 1, argv + argc);
  try {
    if (!args.empty()) {
      const std::string& cmd = args[0];
      cli::Args rest(args.begin() + 1, args.end());
      if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        std::fputs(kHelp, stdout);
        return 0;
      }
      if (cmd == "--version" || cmd == "-V") {
        std::cout << "gaussmap " << GAUSSMAP_VERSION << "\n";
        return 0;
      }
      if (cmd == "render") return cli::cmd_render(rest);
      if (cmd == "verify") return cli::cmd_verify(rest);
      if (cmd == "bench") return cli::cmd_bench(rest);
      if (cmd == "view") return cli::cmd_view(rest);
      if (cmd.rfind("-", 0) != 0 && (cmd.find('.') == std::string::npos))
        throw InputError("unknown command \"" + cmd + "\" (see gaussmap --help)");
    }
    return cli::cmd_view(args);  // the default command: `gaussmap [SCENE] [view options]`
  } catch (const InputError& e) {
    std::cerr << "gaussmap: " << e.what() << "\n";
    return 2;
  } catch (const Error& e) {
    std::cerr << "gaussmap: " << e.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "gaussmap: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "gaussmap: " << e.what() << "\n";
    return 1;
  }
}
