// test_skip.hpp — how a test case whose subject is missing (no GL context, no display) reports it:
// a reported skip, never a pass. skip_case() prints why and counts the case; tests/test_main.cpp
// then ends the run with exit status 77 (CTest's SKIP_RETURN_CODE, set in tests/CMakeLists.txt)
// when something was skipped and nothing failed, and prints how many cases ran. Under CI (the
// environment variable CI set and not "false" / "0") a missing subject is a FAILURE instead: CI
// must prove that it tested the GPU path.
#pragma once

#include <string>

namespace gm::test {

// True when the environment says this is a CI run (CI=true, as GitHub Actions and GitLab set it).
bool ci_mode();

// Marks the current test case skipped (or, under CI, failed) because `why`; the caller returns.
void skip_case(const std::string& why);

// Marks the current test case as one that ran with a GL context: the tally's "gl=" count, which
// .ci/run adds up to prove that CI exercised the GPU path (a GL executable also holds CPU-only
// cases).
void note_gl_case();

}  // namespace gm::test
