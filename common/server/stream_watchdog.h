#pragma once

// Ends client streams that stay silent. A sync server gives every open stream a thread, and
// a stream is authorized by what its first message asks; a stream whose first message does
// not arrive in time is cancelled, so an idle stream holds its thread that long at most.

#include <cstdint>
#include <map>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"

namespace ladder::server {

class StreamWatchdog final {
 public:
  // Disarms the watch when destroyed.
  class Watch final {
   public:
    Watch(StreamWatchdog* watchdog, uint64_t id) : watchdog_(watchdog), id_(id) {}
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;
    ~Watch() { Disarm(); }
    void Disarm();

   private:
    StreamWatchdog* watchdog_;
    uint64_t id_;
  };

  StreamWatchdog() = default;
  ~StreamWatchdog();
  StreamWatchdog(const StreamWatchdog&) = delete;
  StreamWatchdog& operator=(const StreamWatchdog&) = delete;

  // The watchdog of this process's servers.
  static StreamWatchdog& Process();

  // Cancels `context` once the first-message timeout has passed, unless the watch is
  // disarmed (or destroyed) first. The context must outlive the watch.
  Watch ArmFirstMessage(grpc::ServerContext* context);

  // How long a client stream may take to send its first message (StartServer sets it).
  void set_first_message_timeout(absl::Duration timeout);

 private:
  void Run();
  void Disarm(uint64_t id);

  absl::Mutex mu_;
  std::map<uint64_t, std::pair<absl::Time, grpc::ServerContext*>> armed_ ABSL_GUARDED_BY(mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  absl::Duration first_message_timeout_ ABSL_GUARDED_BY(mu_) = absl::Seconds(10);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace ladder::server
