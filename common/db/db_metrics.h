#pragma once

// What the database layer reports to Prometheus (common/observability/metrics.h):
//   ladder_db_pool_connections{database,state="in_use"|"idle"}  sessions now
//   ladder_db_pool_max_connections{database}                   the pool's bound
//   ladder_db_pool_waits_total{database}                       acquisitions that found every session busy
//   ladder_db_pool_wait_seconds{database}                      how long those waited (histogram)
//   ladder_db_pool_exhausted_total{database}                   waits that ended without a session
//   ladder_db_transaction_seconds{database}                    a transaction with its retries (histogram)
//   ladder_db_statement_seconds{database,kind="read"|"write"}  one statement's round trip (histogram, from 100 µs)
//   ladder_db_transaction_retries_total{database,cause}        the cause MarkRetryable names (sql_error.h)
//   ladder_db_transaction_retries_exhausted_total{database}    transactions that gave up retrying
//   ladder_request_replays_total{database}                     repeats of a request_id answered from the log
// `database` is the schema's name: one per service in production.

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"

namespace ladder::db {

// A query (rows back) or anything else: a change, COMMIT, a session setting.
enum class StatementKind { kRead, kWrite };

class DatabaseMetrics final {
 public:
  // The series of one database, created on first use and shared by every pool of it.
  static DatabaseMetrics& For(const std::string& database);

  void SetPool(int open, int idle, int max);
  void ObserveWait(absl::Duration waited, bool got_session);
  void ObserveTransaction(absl::Duration took);
  void ObserveStatement(StatementKind kind, double seconds) {
    (kind == StatementKind::kRead ? read_seconds_ : write_seconds_).Observe(seconds);
  }
  // A transaction that failed retryably with `status` and runs again.
  void NoteRetry(const absl::Status& status);
  void NoteRetriesExhausted() { retries_exhausted_.Increment(); }
  void NoteReplay() { replays_.Increment(); }

 private:
  explicit DatabaseMetrics(const std::string& database);

  prometheus::Gauge& in_use_;
  prometheus::Gauge& idle_;
  prometheus::Gauge& max_;
  prometheus::Counter& waits_;
  prometheus::Histogram& wait_seconds_;
  prometheus::Counter& exhausted_;
  prometheus::Histogram& transaction_seconds_;
  prometheus::Histogram& read_seconds_;
  prometheus::Histogram& write_seconds_;
  const std::string database_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, prometheus::Counter*> retries_ ABSL_GUARDED_BY(mu_);
  prometheus::Counter& retries_exhausted_;
  prometheus::Counter& replays_;
};

}  // namespace ladder::db
