#pragma once

// The load generator of the benchmarks: a closed loop at fixed concurrency (each of N slots
// starts its next call as soon as its last one completes), with a warm-up whose calls are
// not counted and a measured window. Two drivers share it:
//   RunCallbacks  asynchronous gRPC calls (the callback API): N calls in flight from a
//                 handful of gRPC threads, so the client costs little of the core it shares;
//   RunThreads    N threads making blocking calls, for the raw database baselines, whose
//                 driver (Connector/C++) has no asynchronous API.
// A run can also be bounded by work instead of time: a slot that has nothing left to do
// retires, and the run ends when every slot has.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ladder::bench {

using Clock = std::chrono::steady_clock;

struct RunOptions {
  int concurrency = 16;
  absl::Duration warmup = absl::Seconds(1);
  // absl::InfiniteDuration(): until every slot runs out of work (no warm-up then).
  absl::Duration measure = absl::Seconds(5);
};

// What a run (or several, merged) measured.
struct Result {
  int64_t calls = 0;      // completed successfully inside the measured window
  int64_t failures = 0;   // completed with an error inside the window
  int64_t completed = 0;  // every completed call, warm-up included
  // CPU time the processes spent per completed call, warm-up included, where measured (µs).
  double client_cpu_us = -1;
  double server_cpu_us = -1;
  double database_cpu_us = -1;
  double seconds = 0;  // length of the measured window(s)
  std::vector<float> latencies_us;
  std::string first_error;

  void Merge(const Result& other);
  double Qps() const { return seconds > 0 ? static_cast<double>(calls) / seconds : 0; }
  // Latency quantile in milliseconds (q in [0, 1]; 1 is the maximum). Sorts on first use.
  double QuantileMs(double q);
  double MeanMs() const;

 private:
  bool sorted_ = false;
};

// "12345 qps  p50 1.23  p90 …  p99 …  max … ms" for logs and the table.
std::string Describe(Result& result);

class CallbackLoop;

// One slot of a callback-driven loop: starts one asynchronous call at a time and reports
// its completion with Done(), from whatever thread completes it.
class Slot {
 public:
  virtual ~Slot() = default;

 protected:
  // Starts the next call; false when there is no more work for this slot.
  virtual bool Start() = 0;
  // Completion of the call Start() began (exactly once per started call).
  void Done(bool ok, absl::string_view error = {});

 private:
  friend class CallbackLoop;
  CallbackLoop* loop_ = nullptr;
  Clock::time_point started_;
  Result result_;
};

// Runs `slots` (one call in flight each; options.concurrency is ignored) and returns what
// they measured, merged.
Result RunCallbacks(const RunOptions& options, std::vector<std::unique_ptr<Slot>>& slots);

// What one blocking operation of RunThreads did.
enum class Outcome { kOk, kFailed, kNoMoreWork };

// Runs `op(worker)` in a loop on options.concurrency threads.
Result RunThreads(const RunOptions& options, const std::function<Outcome(int worker, std::string* error)>& op);

// CPU time (user + system) of a process so far, in seconds; -1 if unreadable.
double ProcessCpuSeconds(int pid);

// Measures the CPU time processes spend during a run: the client (this process), the
// servers and the database.
class CpuMeter {
 public:
  CpuMeter(std::vector<int> servers, int database);
  // Fills result's *_cpu_us from the CPU spent since construction, per completed call.
  void Charge(Result& result) const;

 private:
  double Sum(const std::vector<int>& pids) const;
  std::vector<int> servers_;
  int database_;
  double client_, server_, database_cpu_;
};

// Pins the calling thread (and the threads it creates later) to `cpu`; -1 does nothing.
void PinCurrentThread(int cpu);

}  // namespace ladder::bench
