// commands.hpp — the subcommands of `gaussmap`. Each takes the arguments after its name and returns
// the process exit status (0 ok, 1 runtime failure, 2 bad input or usage). Errors are thrown as
// gm::Error subclasses and mapped to one line on stderr by main.
#pragma once

#include <string>
#include <vector>

namespace gm::cli {

using Args = std::vector<std::string>;

int cmd_render(const Args& args);
int cmd_verify(const Args& args);
int cmd_bench(const Args& args);  // src/cli/cmd_bench.cpp
int cmd_view(const Args& args);   // src/cli/cmd_view.cpp (the viewer; default command)

}  // namespace gm::cli
