#include "common/server/stream_watchdog.h"

#include "spdlog/spdlog.h"

namespace ladder::server {

void StreamWatchdog::Watch::Disarm() {
  if (watchdog_ == nullptr) return;
  watchdog_->Disarm(id_);
  watchdog_ = nullptr;
}

StreamWatchdog::~StreamWatchdog() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

StreamWatchdog& StreamWatchdog::Process() {
  static StreamWatchdog* watchdog = new StreamWatchdog();
  return *watchdog;
}

StreamWatchdog::Watch StreamWatchdog::ArmFirstMessage(grpc::ServerContext* context) {
  absl::MutexLock lock(&mu_);
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  const uint64_t id = next_id_++;
  armed_.emplace(id, std::make_pair(absl::Now() + first_message_timeout_, context));
  return Watch(this, id);
}

void StreamWatchdog::set_first_message_timeout(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  first_message_timeout_ = timeout;
}

void StreamWatchdog::Disarm(uint64_t id) {
  absl::MutexLock lock(&mu_);
  armed_.erase(id);
}

void StreamWatchdog::Run() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    // Watches are short-lived and few (one per open stream before its first message); a scan
    // a tick is cheaper than keeping them ordered by deadline.
    const absl::Time now = absl::Now();
    for (auto it = armed_.begin(); it != armed_.end();) {
      if (it->second.first <= now) {
        // Under the lock: the watch's owner cannot finish (and free the context) meanwhile.
        it->second.second->TryCancel();
        spdlog::info("event=stream_cancelled reason=no_first_message peer={}", it->second.second->peer());
        it = armed_.erase(it);
      } else {
        ++it;
      }
    }
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Milliseconds(200));
  }
}

}  // namespace ladder::server
