#include "common/db/db_metrics.h"

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/db/sql_error.h"
#include "common/observability/metrics.h"
#include "prometheus/family.h"

namespace ladder::db {
namespace {

using observability::Metrics;

prometheus::Family<prometheus::Gauge>& PoolConnections() {
  static auto& family = prometheus::BuildGauge()
                            .Name("ladder_db_pool_connections")
                            .Help("Database sessions of the pool, by state (in_use, idle).")
                            .Register(Metrics());
  return family;
}

prometheus::Family<prometheus::Gauge>& PoolMax() {
  static auto& family = prometheus::BuildGauge()
                            .Name("ladder_db_pool_max_connections")
                            .Help("The most sessions the pool opens.")
                            .Register(Metrics());
  return family;
}

prometheus::Family<prometheus::Counter>& Counter(const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(Metrics());
}

prometheus::Family<prometheus::Histogram>& Histogram(const char* name, const char* help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(Metrics());
}

prometheus::Family<prometheus::Counter>& Retries() {
  static auto& family =
      Counter("ladder_db_transaction_retries_total", "Transactions run again after a retryable failure, by cause.");
  return family;
}

prometheus::Family<prometheus::Histogram>& Statements() {
  static auto& family = Histogram("ladder_db_statement_seconds",
                                  "Time the database took to answer one statement, by kind (read: a query; "
                                  "write: anything else, COMMIT included).");
  return family;
}

// Statements answer in a fraction of a millisecond when all is well: finer at the bottom than
// the call latencies' buckets, up to the 10 s statement bound.
const prometheus::Histogram::BucketBoundaries& StatementBuckets() {
  static const auto* const buckets = new prometheus::Histogram::BucketBoundaries{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

}  // namespace

DatabaseMetrics& DatabaseMetrics::For(const std::string& database) {
  static absl::Mutex mu;
  static auto* all ABSL_GUARDED_BY(mu) = new absl::flat_hash_map<std::string, std::unique_ptr<DatabaseMetrics>>();
  absl::MutexLock lock(&mu);
  std::unique_ptr<DatabaseMetrics>& metrics = (*all)[database];
  if (metrics == nullptr) metrics.reset(new DatabaseMetrics(database));
  return *metrics;
}

DatabaseMetrics::DatabaseMetrics(const std::string& database)
    : in_use_(PoolConnections().Add({{"database", database}, {"state", "in_use"}})),
      idle_(PoolConnections().Add({{"database", database}, {"state", "idle"}})),
      max_(PoolMax().Add({{"database", database}})),
      waits_(Counter("ladder_db_pool_waits_total", "Acquisitions that found every session busy and waited.")
                 .Add({{"database", database}})),
      wait_seconds_(Histogram("ladder_db_pool_wait_seconds", "How long acquisitions that waited waited.")
                        .Add({{"database", database}}, observability::LatencyBuckets())),
      exhausted_(Counter("ladder_db_pool_exhausted_total",
                         "Acquisitions that waited and got no session (UNAVAILABLE or the call's deadline).")
                     .Add({{"database", database}})),
      transaction_seconds_(
          Histogram("ladder_db_transaction_seconds", "Time of a transaction from its first attempt to its outcome.")
              .Add({{"database", database}}, observability::LatencyBuckets())),
      read_seconds_(Statements().Add({{"database", database}, {"kind", "read"}}, StatementBuckets())),
      write_seconds_(Statements().Add({{"database", database}, {"kind", "write"}}, StatementBuckets())),
      database_(database),
      retries_exhausted_(Counter("ladder_db_transaction_retries_exhausted_total",
                                 "Transactions that failed retryably after their whole retry budget.")
                             .Add({{"database", database}})),
      replays_(Counter("ladder_request_replays_total",
                       "Repeats of a request_id answered with the stored response, changing nothing.")
                   .Add({{"database", database}})) {}

void DatabaseMetrics::SetPool(int open, int idle, int max) {
  in_use_.Set(open - idle);
  idle_.Set(idle);
  max_.Set(max);
}

void DatabaseMetrics::ObserveWait(absl::Duration waited, bool got_session) {
  waits_.Increment();
  wait_seconds_.Observe(absl::ToDoubleSeconds(waited));
  if (!got_session) exhausted_.Increment();
}

void DatabaseMetrics::ObserveTransaction(absl::Duration took) {
  transaction_seconds_.Observe(absl::ToDoubleSeconds(took));
}

void DatabaseMetrics::NoteRetry(const absl::Status& status) {
  // Causes come from a fixed set in the code (sql_error.h), so the label set stays bounded.
  const std::string cause = RetryCause(status);
  prometheus::Counter* counter;
  {
    absl::MutexLock lock(&mu_);
    prometheus::Counter*& known = retries_[cause];
    if (known == nullptr) known = &Retries().Add({{"database", database_}, {"cause", cause}});
    counter = known;
  }
  counter->Increment();
}

}  // namespace ladder::db
