#include "bench/load.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ladder::bench {
namespace {

// The measured window of one run, shared by its slots or threads.
struct Window {
  Clock::time_point begin;  // measuring starts (after the warm-up)
  Clock::time_point end;    // no call starts after this
  bool bounded_by_time = true;
};

Window MakeWindow(const RunOptions& options) {
  Window window;
  const Clock::time_point now = Clock::now();
  if (options.measure == absl::InfiniteDuration()) {
    window.begin = now;
    window.end = Clock::time_point::max();
    window.bounded_by_time = false;
  } else {
    window.begin = now + absl::ToChronoNanoseconds(options.warmup);
    window.end = window.begin + absl::ToChronoNanoseconds(options.measure);
  }
  return window;
}

// Counts a completed call if it completed inside the window.
void Record(const Window& window, Clock::time_point started, Clock::time_point finished, bool ok,
            absl::string_view error, Result& result) {
  ++result.completed;
  if (finished < window.begin || (window.bounded_by_time && finished > window.end)) return;
  if (ok) {
    ++result.calls;
    result.latencies_us.push_back(std::chrono::duration<float, std::micro>(finished - started).count());
  } else {
    ++result.failures;
    if (result.first_error.empty()) result.first_error = std::string(error);
  }
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

namespace {

// A per-call average over merged results, weighted by their calls.
double Weighted(double a, int64_t a_calls, double b, int64_t b_calls) {
  if (a < 0) return b;
  if (b < 0) return a;
  return (a * a_calls + b * b_calls) / std::max<int64_t>(1, a_calls + b_calls);
}

}  // namespace

void Result::Merge(const Result& other) {
  client_cpu_us = Weighted(client_cpu_us, completed, other.client_cpu_us, other.completed);
  server_cpu_us = Weighted(server_cpu_us, completed, other.server_cpu_us, other.completed);
  database_cpu_us = Weighted(database_cpu_us, completed, other.database_cpu_us, other.completed);
  calls += other.calls;
  failures += other.failures;
  completed += other.completed;
  seconds += other.seconds;
  latencies_us.insert(latencies_us.end(), other.latencies_us.begin(), other.latencies_us.end());
  if (first_error.empty()) first_error = other.first_error;
  sorted_ = false;
}

double Result::QuantileMs(double q) {
  if (latencies_us.empty()) return 0;
  if (!sorted_) {
    std::sort(latencies_us.begin(), latencies_us.end());
    sorted_ = true;
  }
  // Nearest rank: the smallest sample with at least q of all samples at or below it.
  const double rank = std::ceil(q * static_cast<double>(latencies_us.size()));
  const size_t index = rank < 1 ? 0 : std::min(latencies_us.size(), static_cast<size_t>(rank)) - 1;
  return latencies_us[index] / 1000.0;
}

double Result::MeanMs() const {
  if (latencies_us.empty()) return 0;
  double sum = 0;
  for (float v : latencies_us) sum += v;
  return sum / latencies_us.size() / 1000.0;
}

std::string Describe(Result& result) {
  std::string text = absl::StrFormat("%9.0f qps  p50 %7.3f  p90 %7.3f  p99 %7.3f  max %8.3f ms  (%d calls",
                                     result.Qps(), result.QuantileMs(0.50), result.QuantileMs(0.90),
                                     result.QuantileMs(0.99), result.QuantileMs(1.0), result.calls);
  if (result.failures > 0) {
    absl::StrAppendFormat(&text, ", %d FAILED: %s", result.failures, result.first_error);
  }
  text += ")";
  if (result.client_cpu_us >= 0) {
    absl::StrAppendFormat(&text, "\n  %44sCPU per call: client %.0f us", "", result.client_cpu_us);
    if (result.server_cpu_us >= 0) absl::StrAppendFormat(&text, ", server %.0f us", result.server_cpu_us);
    if (result.database_cpu_us >= 0) {
      absl::StrAppendFormat(&text, ", database %.0f us", result.database_cpu_us);
    }
  }
  return text;
}

// The callback driver. Each slot is a chain: Start, completion, Done, Start, … ; only one
// link of a chain runs at a time, so a slot's own result needs no lock.
class CallbackLoop {
 public:
  CallbackLoop(const RunOptions& options, std::vector<std::unique_ptr<Slot>>& slots)
      : window_(MakeWindow(options)), slots_(slots), active_(static_cast<int>(slots.size())) {}

  Result Run() {
    const Clock::time_point begin = Clock::now();
    for (auto& slot : slots_) {
      slot->loop_ = this;
      slot->result_ = Result();
    }
    for (auto& slot : slots_) Launch(*slot);
    {
      std::unique_lock<std::mutex> lock(mu_);
      finished_.wait(lock, [this] { return active_ == 0; });
    }
    Result merged;
    for (auto& slot : slots_) merged.Merge(slot->result_);
    merged.seconds = window_.bounded_by_time ? Seconds(window_.end - window_.begin) : Seconds(last_done_ - begin);
    return merged;
  }

  void Launch(Slot& slot) {
    const Clock::time_point now = Clock::now();
    if (now < window_.end) {
      slot.started_ = now;
      if (slot.Start()) return;
    }
    // The slot retires. Notifying under the lock keeps the waiter in Run() from returning
    // (and destroying this loop) before the notification is over.
    std::lock_guard<std::mutex> lock(mu_);
    if (--active_ == 0) finished_.notify_all();
  }

  void Completed(Slot& slot, bool ok, absl::string_view error) {
    const Clock::time_point now = Clock::now();
    Record(window_, slot.started_, now, ok, error, slot.result_);
    if (!window_.bounded_by_time) {
      std::lock_guard<std::mutex> lock(mu_);
      last_done_ = std::max(last_done_, now);
    }
    Launch(slot);
  }

 private:
  const Window window_;
  std::vector<std::unique_ptr<Slot>>& slots_;
  std::mutex mu_;
  std::condition_variable finished_;
  int active_;                   // slots not yet retired; guarded by mu_
  Clock::time_point last_done_;  // guarded by mu_
};

void Slot::Done(bool ok, absl::string_view error) { loop_->Completed(*this, ok, error); }

Result RunCallbacks(const RunOptions& options, std::vector<std::unique_ptr<Slot>>& slots) {
  CallbackLoop loop(options, slots);
  return loop.Run();
}

Result RunThreads(const RunOptions& options, const std::function<Outcome(int worker, std::string* error)>& op) {
  const Window window = MakeWindow(options);
  const Clock::time_point begin = Clock::now();
  std::vector<Result> results(options.concurrency);
  std::vector<Clock::time_point> last(options.concurrency, begin);
  std::vector<std::thread> threads;
  for (int worker = 0; worker < options.concurrency; ++worker) {
    threads.emplace_back([&, worker] {
      std::string error;
      for (Clock::time_point started; (started = Clock::now()) < window.end;) {
        error.clear();
        const Outcome outcome = op(worker, &error);
        if (outcome == Outcome::kNoMoreWork) break;
        last[worker] = Clock::now();
        Record(window, started, last[worker], outcome == Outcome::kOk, error, results[worker]);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  Result merged;
  for (const Result& result : results) merged.Merge(result);
  merged.seconds = window.bounded_by_time ? Seconds(window.end - window.begin)
                                          : Seconds(*std::max_element(last.begin(), last.end()) - begin);
  return merged;
}

double ProcessCpuSeconds(int pid) {
  // Fields 14 and 15 of /proc/PID/stat: utime and stime in clock ticks. The command name
  // (field 2) may hold spaces, so count from its closing parenthesis.
  std::FILE* file = std::fopen(pid == 0 ? "/proc/self/stat" : absl::StrCat("/proc/", pid, "/stat").c_str(), "r");
  if (file == nullptr) return -1;
  char buffer[1024];
  const size_t n = std::fread(buffer, 1, sizeof(buffer) - 1, file);
  std::fclose(file);
  buffer[n] = '\0';
  const char* rest = std::strrchr(buffer, ')');
  if (rest == nullptr) return -1;
  unsigned long utime = 0, stime = 0;  // NOLINT(runtime/int): the format's types
  if (std::sscanf(rest + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) {
    return -1;
  }
  return static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
}

CpuMeter::CpuMeter(std::vector<int> servers, int database)
    : servers_(std::move(servers)),
      database_(database),
      client_(ProcessCpuSeconds(0)),
      server_(Sum(servers_)),
      database_cpu_(database > 0 ? ProcessCpuSeconds(database) : -1) {}

double CpuMeter::Sum(const std::vector<int>& pids) const {
  double sum = 0;
  for (int pid : pids) {
    const double seconds = ProcessCpuSeconds(pid);
    if (seconds < 0) return -1;
    sum += seconds;
  }
  return sum;
}

void CpuMeter::Charge(Result& result) const {
  const double calls = static_cast<double>(std::max<int64_t>(1, result.completed));
  result.client_cpu_us = (ProcessCpuSeconds(0) - client_) / calls * 1e6;
  if (!servers_.empty() && server_ >= 0) result.server_cpu_us = (Sum(servers_) - server_) / calls * 1e6;
  if (database_cpu_ >= 0) {
    result.database_cpu_us = (ProcessCpuSeconds(database_) - database_cpu_) / calls * 1e6;
  }
}

void PinCurrentThread(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0) {
    std::perror("sched_setaffinity");
  }
}

}  // namespace ladder::bench
