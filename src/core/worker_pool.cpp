// worker_pool.cpp — see worker_pool.hpp.
#include "worker_pool.hpp"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <thread>
#include <vector>

namespace gm {

bool spin_until(const std::function<bool()>& pred) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                   std::chrono::duration<double>(kSpinSeconds));
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (pred()) return true;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    if (Clock::now() >= end) return pred();
  }
}

void SpinBarrier::arrive(bool drop) {
  std::uint32_t phase;
  {
    std::lock_guard<std::mutex> lk(m_);
    phase = phase_.load(std::memory_order_relaxed);
    if (drop)
      --count_;
    else
      ++arrived_;
    if (arrived_ == count_) {  // the last one in: the phase is over
      arrived_ = 0;
      phase_.store(phase + 1, std::memory_order_release);
      phase_.notify_all();
      return;
    }
    if (drop) return;
  }
  const auto moved = [&] { return phase_.load(std::memory_order_acquire) != phase; };
  if (spin_until(moved)) return;
  while (!moved()) phase_.wait(phase, std::memory_order_acquire);
}

namespace {

class Pool {
 public:
  explicit Pool(pid_t pid) : pid_(pid) {}
  pid_t pid() const { return pid_; }

  // body(t) for t in [1, n) on pool threads, body(0) here; false (nothing run) while another
  // call has the pool.
  bool try_run(int n, const std::function<void(int)>& body) {
    std::unique_lock<std::mutex> use(use_, std::try_to_lock);
    if (!use.owns_lock()) return false;
    {
      std::lock_guard<std::mutex> lk(m_);
      while (int(threads_.size()) < n - 1) {
        const int index = int(threads_.size()) + 1;
        threads_.emplace_back([this, index] { work(index); });
      }
      body_ = &body;
      asked_ = n - 1;
      running_.store(n - 1, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    body(0);
    const auto finished = [this] { return running_.load(std::memory_order_acquire) == 0; };
    if (!spin_until(finished)) {
      std::unique_lock<std::mutex> lk(m_);
      done_.wait(lk, finished);
    }
    return true;
  }

 private:
  // Pool thread `index` (1-based): runs body(index) for every call that asks for it.
  void work(int index) {
    std::uint64_t seen = 0;
    for (;;) {
      spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; });
      std::unique_lock<std::mutex> lk(m_);
      wake_.wait(lk, [&] { return generation_.load(std::memory_order_relaxed) != seen; });
      seen = generation_.load(std::memory_order_relaxed);
      if (index > asked_) continue;
      const std::function<void(int)>* body = body_;
      lk.unlock();
      (*body)(index);
      lk.lock();
      if (running_.fetch_sub(1, std::memory_order_acq_rel) == 1) done_.notify_one();
    }
  }

  const pid_t pid_;
  std::mutex use_;  // held by the call that has the pool
  std::mutex m_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> threads_;
  const std::function<void(int)>* body_ = nullptr;
  int asked_ = 0;
  std::atomic<int> running_{0};
  std::atomic<std::uint64_t> generation_{0};  // changed (under m_) by every call
};

// This process's pool. Pools are never destroyed: their threads wait until the process ends.
Pool& pool() {
  static std::atomic<Pool*> current{nullptr};
  const pid_t me = getpid();
  Pool* p = current.load(std::memory_order_acquire);
  while (p == nullptr || p->pid() != me) {
    Pool* fresh = new Pool(me);
    if (current.compare_exchange_strong(p, fresh, std::memory_order_acq_rel)) return *fresh;
    delete fresh;  // another thread made one first; p is now that one
  }
  return *p;
}

}  // namespace

void run_parallel(int n, const std::function<void(int)>& body) {
  if (n <= 1) {
    if (n == 1) body(0);
    return;
  }
  if (pool().try_run(n, body)) return;
  std::vector<std::thread> own;
  own.reserve(std::size_t(n - 1));
  for (int t = 1; t < n; ++t) own.emplace_back(body, t);
  body(0);
  for (std::thread& t : own) t.join();
}

}  // namespace gm
