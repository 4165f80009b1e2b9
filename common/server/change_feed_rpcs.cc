#include "common/server/change_feed_rpcs.h"

#include <chrono>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "common/api/pagination.h"
#include "common/api/resource_name.h"
#include "common/db/audit_log.h"
#include "common/observability/metrics.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "spdlog/spdlog.h"

namespace ladder::server {
namespace {

// Tokens are versioned so that their form can change without breaking saved cursors.
constexpr absl::string_view kCursorPrefix = "feed1:";
constexpr size_t kMaxCursorLength = 64;

// ladder_change_feed_*: the watches open, what they delivered, and how long after commit.
struct FeedMetrics {
  prometheus::Gauge& watches = prometheus::BuildGauge()
                                   .Name("ladder_change_feed_watches")
                                   .Help("WatchChanges streams open on this server.")
                                   .Register(observability::Metrics())
                                   .Add({});
  prometheus::Counter& delivered = prometheus::BuildCounter()
                                       .Name("ladder_change_feed_changes_delivered_total")
                                       .Help("Changes sent to watches (a change counts once per watch).")
                                       .Register(observability::Metrics())
                                       .Add({});
  prometheus::Histogram& delay =
      prometheus::BuildHistogram()
          .Name("ladder_change_feed_delivery_delay_seconds")
          .Help("From a change's commit to its sending on a watch that was following the feed's end.")
          .Register(observability::Metrics())
          .Add({}, prometheus::Histogram::BucketBoundaries{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30});

  static FeedMetrics& Get() {
    static auto* metrics = new FeedMetrics();
    return *metrics;
  }
};

// Counts a watch as open for as long as it lives.
class OpenWatch final {
 public:
  OpenWatch() { FeedMetrics::Get().watches.Increment(); }
  ~OpenWatch() { FeedMetrics::Get().watches.Decrement(); }
  OpenWatch(const OpenWatch&) = delete;
  OpenWatch& operator=(const OpenWatch&) = delete;
};

absl::Status BadCursor() {
  return InvalidFieldError("cursor", "is not a cursor of this feed (use a Change's or a response's cursor as given)");
}

}  // namespace

void RegisterChangeFeedMetrics() { FeedMetrics::Get(); }

std::string EncodeChangeCursor(int64_t position) {
  return absl::WebSafeBase64Escape(absl::StrCat(kCursorPrefix, position));
}

absl::StatusOr<int64_t> DecodeChangeCursor(const std::string& cursor) {
  if (cursor.empty()) return int64_t{0};
  if (cursor.size() > kMaxCursorLength) return BadCursor();
  std::string decoded;
  if (!absl::WebSafeBase64Unescape(cursor, &decoded) || !absl::StartsWith(decoded, kCursorPrefix)) {
    return BadCursor();
  }
  int64_t position = 0;
  if (!absl::SimpleAtoi(absl::string_view(decoded).substr(kCursorPrefix.size()), &position) || position < 0) {
    return BadCursor();
  }
  return position;
}

absl::StatusOr<int64_t> ChangeCountyOf(const std::string& county) {
  if (county.empty()) return int64_t{0};
  return api::ParseName(county, "orgUnits", "county");
}

void SealBeforeReading(db::ConnectionPool& pool) {
  // Best effort: the feed is still worth serving while another replica holds the head.
  if (absl::StatusOr<db::SealResult> sealed = db::SealIfPending(pool); !sealed.ok()) {
    spdlog::warn("event=audit_seal_failed error=\"{}\"", sealed.status().ToString());
  }
}

absl::Status FollowChanges(grpc::ServerContext& context, db::ConnectionPool& pool, int64_t position,
                           const db::ChangeFilter& filter, const WatchOptions& options,
                           const std::function<bool(const db::ChangeBatch&)>& send) {
  const OpenWatch open;
  FeedMetrics& metrics = FeedMetrics::Get();
  absl::Time last_sent = absl::InfinitePast();
  // Delays are recorded once the watch has caught up: a backlog read from an old cursor
  // is not what the feed's latency is.
  bool caught_up = false;
  const auto ending = [&options] { return options.ending != nullptr && options.ending->load(); };
  while (!context.IsCancelled()) {
    if (ending()) {
      return absl::UnavailableError("the server is shutting down: watch again, from the last cursor received");
    }
    SealBeforeReading(pool);
    absl::StatusOr<db::ChangeBatch> batch = db::ReadChanges(pool, position, filter, options.batch);
    if (!batch.ok()) return batch.status();
    const absl::Time now = absl::Now();
    // The first message goes out at once, so the consumer knows the watch is established
    // (and, starting from an empty cursor, where the feed stood).
    if (!batch->changes.empty() || now - last_sent >= options.heartbeat_interval) {
      if (!send(*batch)) return absl::OkStatus();  // the consumer went away
      last_sent = now;
      metrics.delivered.Increment(static_cast<double>(batch->changes.size()));
      if (caught_up) {
        const absl::Time sent = absl::Now();
        for (const db::StoredChange& change : batch->changes) {
          metrics.delay.Observe(absl::ToDoubleSeconds(sent - change.occurred_at));
        }
      }
    }
    if (static_cast<int>(batch->changes.size()) < options.batch) caught_up = true;
    position = batch->position;
    // More is likely to have committed while this batch was sealed and read: ask again at once
    // (changes then wait about one seal, not a seal and a poll interval). Only an empty
    // read waits for the interval.
    if (!batch->changes.empty()) continue;
    // Sleeps in short steps, so a cancelled watch frees its thread promptly.
    const absl::Time wake = absl::Now() + options.poll_interval;
    while (!context.IsCancelled() && !ending() && absl::Now() < wake) {
      absl::SleepFor(std::min(absl::Milliseconds(50), wake - absl::Now()));
    }
  }
  return absl::OkStatus();
}

}  // namespace ladder::server
