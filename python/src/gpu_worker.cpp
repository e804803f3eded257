// gpu_worker.cpp — the GL thread of the Python module (gpu_worker.hpp).
#include "gpu_worker.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "core/errors.hpp"
#include "gl/headless_context.hpp"

namespace gm::py_bind {

namespace {

class GpuThread {
 public:
  GpuThread() : thread_([this] { loop(); }) {}
  ~GpuThread() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  void run(const std::function<void(gl::MixtureRenderer&)>& job) {
    std::packaged_task<void()> task([&] {
      if (!renderer_) throw GlError(init_error_);
      job(*renderer_);
    });
    std::future<void> done = task.get_future();
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(task));
    }
    cv_.notify_one();
    done.get();
  }

 private:
  void loop() {
    std::unique_ptr<gl::HeadlessContext> ctx;
    try {
      ctx = gl::HeadlessContext::create();
      renderer_ = std::make_unique<gl::MixtureRenderer>(ctx->loader());
    } catch (const std::exception& e) {
      init_error_ = e.what();
    }
    for (;;) {
      std::packaged_task<void()> task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) break;  // stop_ and nothing left
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
    }
    renderer_.reset();  // GL objects go while their context is current, on this thread
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::packaged_task<void()>> queue_;
  bool stop_ = false;
  std::unique_ptr<gl::MixtureRenderer> renderer_;
  std::string init_error_;
  std::thread thread_;  // last: starts once everything above is built
};

std::mutex g_mu;
std::unique_ptr<GpuThread> g_thread;

GpuThread& gpu_thread() {
  std::lock_guard<std::mutex> lock(g_mu);
  if (!g_thread) g_thread = std::make_unique<GpuThread>();
  return *g_thread;
}

}  // namespace

void run_on_gpu(const std::function<void(gl::MixtureRenderer&)>& job) {
  gpu_thread().run(job);
}

std::string gpu_renderer_name() {
  std::string name;
  run_on_gpu([&](gl::MixtureRenderer& r) { name = r.renderer_name(); });
  return name;
}

void shutdown_gpu() {
  std::unique_ptr<GpuThread> t;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    t = std::move(g_thread);
  }
  t.reset();
}

}  // namespace gm::py_bind
