// worker_pool.hpp — threads that evaluations borrow instead of creating their own.
//
// The fast backend splits one evaluation over all cores. Creating its threads each time cost
// 0.05-0.1 ms here before the second core did any work, against 1-3 ms for a whole 1024x1024
// evaluation; the viewer and the Python module evaluate again and again. So the threads are
// made once per process and wait, asleep, for the next evaluation.
//
// - One evaluation uses the pool at a time. Another one that starts meanwhile (two Python threads,
//   dask's threaded scheduler) creates threads of its own for that call, as before.
// - After fork() the child has none of the parent's threads: a process whose id differs from the
//   pool's makes a new pool (the old one is left alone; its mutex may be held by a thread that
//   does not exist in the child).
//
// Waiting is spin-then-sleep: a thread with nothing to do spins for up to kSpinSeconds before it
// sleeps in the kernel. On this class of machine (a KVM guest) a sleeping thread took ~40 us to
// wake, several times over per evaluation (each phase boundary), against phases of 0.05-1 ms.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>

namespace gm {

// How long a waiting thread spins before it sleeps.
constexpr double kSpinSeconds = 2e-4;

// Spins while pred() is false, for up to kSpinSeconds; returns pred().
bool spin_until(const std::function<bool()>& pred);

// A barrier for a fixed set of threads, like std::barrier (arrive_and_wait, arrive_and_drop),
// whose waiting threads spin before they sleep.
class SpinBarrier {
 public:
  explicit SpinBarrier(int threads) : count_(threads) {}
  void arrive_and_wait() { arrive(false); }
  // Leaves the barrier for good (this and every later phase no longer wait for the caller).
  void arrive_and_drop() { arrive(true); }

 private:
  void arrive(bool drop);
  std::mutex m_;
  int count_, arrived_ = 0;
  std::atomic<std::uint32_t> phase_{0};
};

// Runs body(t) for every t in [0, n): t = 0 on the calling thread, the others on pool threads
// (or on threads made for this call where the pool is in use). Returns when all have returned.
// body must not throw.
void run_parallel(int n, const std::function<void(int)>& body);

}  // namespace gm
