// test_worker_pool.cpp — the threads that evaluations borrow (src/core/worker_pool.hpp): every
// index runs exactly once per call, call after call; two callers at once both finish (one on
// threads of its own); a forked child, which has none of its parent's threads, still runs its
// calls; the spinning barrier orders phases and lets a thread leave; the fast backend still gives
// the same field on the pool, from two callers at once, and in a child after fork().
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "core/fast_eval.hpp"
#include "core/scene.hpp"
#include "core/worker_pool.hpp"

using namespace gm;

namespace {

// Counts of body(t) per index over one run_parallel(n) call; every count must be 1.
std::vector<int> run_counts(int n) {
  std::vector<std::atomic<int>> hits(std::size_t(n) + 1);
  run_parallel(n, [&](int t) { hits[std::size_t(t)].fetch_add(1); });
  std::vector<int> out;
  for (auto& h : hits) out.push_back(h.load());
  return out;
}

Scene small_cut_scene() {
  Scene s;
  s.width = 300, s.height = 200;
  s.cutoff_sigma = 3.0;
  for (int k = 0; k < 400; ++k) {
    Kernel g;
    g.cx = 7.3 + (k * 37) % 290, g.cy = 3.1 + (k * 53) % 195;
    g.sx = 3.0 + (k % 6), g.sy = 2.5 + (k % 4);
    g.angle_deg = k % 4 == 0 ? 30.0 : 0.0;
    g.weight = 1.0 + 0.01 * k;
    s.kernels.push_back(g);
  }
  return s;
}

}  // namespace

TEST_CASE("worker pool: every index once per call, call after call") {
  for (int round = 0; round < 200; ++round) {
    const int n = 1 + round % 6;
    const std::vector<int> c = run_counts(n);
    for (int t = 0; t < n; ++t) REQUIRE(c[std::size_t(t)] == 1);
    REQUIRE(c[std::size_t(n)] == 0);
  }
}

TEST_CASE("worker pool: t = 0 runs on the calling thread") {
  const std::thread::id me = std::this_thread::get_id();
  std::atomic<bool> zero_here{false}, others_elsewhere{true};
  run_parallel(3, [&](int t) {
    if (t == 0)
      zero_here = std::this_thread::get_id() == me;
    else if (std::this_thread::get_id() == me)
      others_elsewhere = false;
  });
  CHECK(zero_here.load());
  CHECK(others_elsewhere.load());
}

TEST_CASE("worker pool: two callers at once both finish, each index once") {
  for (int round = 0; round < 50; ++round) {
    std::vector<int> a, b;
    std::thread other([&] { a = run_counts(3); });
    b = run_counts(3);
    other.join();
    for (int t = 0; t < 3; ++t) {
      REQUIRE(a[std::size_t(t)] == 1);
      REQUIRE(b[std::size_t(t)] == 1);
    }
  }
}

TEST_CASE("worker pool: a forked child runs its calls (the parent's threads are not in it)") {
  run_counts(4);  // the parent's pool exists and has threads
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    alarm(20);  // a hang fails the test instead of stopping the suite
    for (int round = 0; round < 20; ++round) {
      const std::vector<int> c = run_counts(4);
      for (int t = 0; t < 4; ++t)
        if (c[std::size_t(t)] != 1) _exit(3);
    }
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("spin barrier: no thread passes a phase before all have arrived; a thread may leave") {
  constexpr int kThreads = 4, kPhases = 300;
  SpinBarrier bar(kThreads);
  std::vector<std::atomic<int>> arrived(kPhases);
  std::atomic<int> early{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([&, t] {
      for (int ph = 0; ph < kPhases; ++ph) {
        if (t == kThreads - 1 && ph == kPhases / 2) {  // leaves halfway
          bar.arrive_and_drop();
          return;
        }
        arrived[std::size_t(ph)].fetch_add(1);
        bar.arrive_and_wait();
        const int want = ph < kPhases / 2 ? kThreads : kThreads - 1;
        if (arrived[std::size_t(ph)].load() != want) early.fetch_add(1);
      }
    });
  for (std::thread& t : ts) t.join();
  CHECK(early.load() == 0);
}

TEST_CASE("worker pool: the fast backend's field on the pool, from two callers, after fork") {
  const Scene scene = small_cut_scene();
  FastEvalOptions one;
  one.threads = 1;
  FastEvalOptions two;
  two.threads = 2;
  const Field ref = evaluate_fast(scene, one);
  auto same = [&](const Field& f) {
    return f.data.size() == ref.data.size() &&
           std::memcmp(f.data.data(), ref.data.data(), ref.data.size() * sizeof(float)) == 0;
  };
  for (int round = 0; round < 5; ++round) CHECK(same(evaluate_fast(scene, two)));
  Field a, b;
  std::thread other([&] { a = evaluate_fast(scene, two); });
  b = evaluate_fast(scene, two);
  other.join();
  CHECK(same(a));
  CHECK(same(b));
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    alarm(20);
    _exit(same(evaluate_fast(scene, two)) ? 0 : 3);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
