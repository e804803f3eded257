// test_main.cpp — doctest's main for every test executable, plus the skip and tally rules of
// tests/test_skip.hpp. At the end of a run it prints one line
//   gm-tally: label=LABEL ran=N skipped=K failed=F gl=G
// (LABEL is the executable's CTest label, G the cases that ran with a GL context) that .ci/run adds
// up, and it exits 77 when test cases were skipped and none failed, so that CTest reports the
// executable as skipped, not passed.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "test_skip.hpp"

#ifndef GM_TEST_LABEL
#define GM_TEST_LABEL "unlabelled"
#endif

namespace {

struct Tally {
  int started = 0;  // test cases entered (subcase re-entries not counted)
  int skipped = 0;
  int failed = 0;
  int with_gl = 0;      // test cases that ran with a GL context
  std::string current;  // name of the running test case
  bool current_skipped = false, current_gl = false;
};

Tally& tally() {
  static Tally t;
  return t;
}

// A listener (not a reporter): counts the cases the run enters and the ones that fail.
struct TallyListener : doctest::IReporter {
  explicit TallyListener(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_start(const doctest::TestCaseData& d) override {
    ++tally().started;
    tally().current = d.m_name;
    tally().current_skipped = false;
    tally().current_gl = false;
  }
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats& st) override {
    if (!st.testCaseSuccess) ++tally().failed;
  }
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};

}  // namespace

REGISTER_LISTENER("gm_tally", 1, TallyListener);

namespace gm::test {

bool ci_mode() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && *ci != '\0' && std::strcmp(ci, "false") != 0 && std::strcmp(ci, "0") != 0;
}

void skip_case(const std::string& why) {
  if (ci_mode()) {
    FAIL_CHECK("CI is set: a missing test subject is a failure, not a skip: " << why);
    return;
  }
  Tally& t = tally();
  if (!t.current_skipped) ++t.skipped;
  t.current_skipped = true;
  std::printf("SKIPPED: %s: %s\n", t.current.c_str(), why.c_str());
  std::fflush(stdout);
}

void note_gl_case() {
  Tally& t = tally();
  if (!t.current_gl) ++t.with_gl;
  t.current_gl = true;
}

}  // namespace gm::test

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int rc = context.run();
  if (context.shouldExit()) return rc;  // --help, --list-test-cases and the like
  const Tally& t = tally();
  std::printf("gm-tally: label=%s ran=%d skipped=%d failed=%d gl=%d\n", GM_TEST_LABEL,
              t.started - t.skipped, t.skipped, t.failed, t.with_gl);
  if (rc == 0 && t.skipped > 0) {
    std::printf("%d of %d test case(s) SKIPPED (see the SKIPPED lines above): exit 77\n", t.skipped,
                t.started);
    return 77;
  }
  return rc;
}
