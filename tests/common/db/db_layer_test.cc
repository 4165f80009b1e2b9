// The MySQL layer of common/ against the real test MariaDB: migrations, transactions with
// retry, request-id idempotency and its retention.

#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/barrier.h"
#include "common/db/audit_log.h"
#include "common/db/call_deadline.h"
#include "common/db/connection_pool.h"
#include "common/db/idempotency.h"
#include "common/db/migration.h"
#include "common/db/sql_error.h"
#include "common/db/transaction.h"
#include "common/status/errors.h"
#include "cppconn/resultset.h"
#include "gtest/gtest.h"
#include "ladder/common/v1/policy.pb.h"
#include "tests/support/test_database.h"

namespace ladder::testing {
namespace {

const std::vector<db::Migration>& Migrations() {
  static const auto* migrations = new std::vector<db::Migration>{
      {1, "counters",
       "CREATE TABLE IF NOT EXISTS counters (id INT PRIMARY KEY, value INT NOT NULL);\n"
       "INSERT INTO counters VALUES (1, 0);"},
      // Every idempotent mutation writes an audit event and keys its request id by caller.
      {2, "common", (new std::string(CommonMigrationsSql()))->c_str()},
  };
  return *migrations;
}

class DbLayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = ScratchDatabase::Create("db_layer", Migrations());
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = std::move(*database);
    pool_ = std::make_unique<db::ConnectionPool>(database_->options());
  }

  int64_t Counter() { return database_->QueryInt("SELECT value FROM counters WHERE id = 1").value_or(-1); }

  static db::RequestKey Key(const std::string& id, const std::string& fingerprint) {
    db::RequestKey key;
    key.request_id = id;
    key.method = "/test/Increment";
    key.fingerprint = fingerprint;
    key.caller = "user:test";
    return key;
  }

  absl::StatusOr<common::v1::Policy> Increment(const db::RequestKey& key) {
    db::MutationContext mutation;
    mutation.request = key;
    mutation.actor = "user:test";
    mutation.role = "HR_ADMIN";
    return db::RunIdempotent<common::v1::Policy>(
        *pool_, mutation, [&](db::Connection& connection) -> absl::StatusOr<common::v1::Policy> {
          connection.Execute("UPDATE counters SET value = value + 1 WHERE id = 1");
          common::v1::Policy response;
          response.set_version("done");
          return response;
        });
  }

  std::unique_ptr<ScratchDatabase> database_;
  std::unique_ptr<db::ConnectionPool> pool_;
};

TEST_F(DbLayerTest, MigrationsApplyOnceAndRefuseEditedHistory) {
  // Applying again changes nothing (the INSERT would fail on its primary key otherwise).
  ASSERT_TRUE(db::ApplyMigrations(database_->options(), Migrations()).ok());
  EXPECT_EQ(database_->QueryInt("SELECT COUNT(*) FROM schema_migrations").value_or(-1),
            static_cast<int64_t>(Migrations().size()));
  std::vector<db::Migration> edited = {{1, "counters", "CREATE TABLE counters2 (id INT);"}};
  absl::Status status = db::ApplyMigrations(database_->options(), edited);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_NE(status.message().find("changed after it was applied"), absl::string_view::npos);
}

TEST_F(DbLayerTest, FailedBodyRollsBackEverything) {
  absl::Status status = db::RunInTransaction(*pool_, [](db::Connection& connection) {
    connection.Execute("UPDATE counters SET value = 100 WHERE id = 1");
    return absl::FailedPreconditionError("refused after writing");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Counter(), 0);
}

TEST_F(DbLayerTest, RetryableFailureRunsTheWholeBodyAgain) {
  int attempts = 0;
  absl::Status status = db::RunInTransaction(*pool_, [&](db::Connection& connection) {
    connection.Execute("UPDATE counters SET value = value + 1 WHERE id = 1");
    if (++attempts < 3) return db::MarkRetryable(absl::AbortedError("simulated deadlock"));
    return absl::OkStatus();
  });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(Counter(), 1);  // The two failed attempts were rolled back.
}

TEST_F(DbLayerTest, SqlErrorsBecomeStatusesWithTheirErrno) {
  absl::Status status = db::RunInTransaction(*pool_, [](db::Connection& connection) {
    connection.Execute("INSERT INTO counters VALUES (1, 5)");
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(db::MysqlErrno(status).value_or(0), db::kErrDuplicateEntry);
  // The database's text (keys, values) stays in the server's log.
  EXPECT_EQ(std::string(status.message()).find("Duplicate"), std::string::npos) << status;
  EXPECT_EQ(std::string(status.message()).find("PRIMARY"), std::string::npos) << status;
  EXPECT_TRUE(ErrorReason(status).has_value()) << status;

  status = db::RunInTransaction(*pool_, [](db::Connection& connection) {
    connection.Execute("SELECT no_such_column FROM counters");
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(std::string(status.message()).find("no_such_column"), std::string::npos) << status;
}

TEST_F(DbLayerTest, RequestIdHasOneEffectAndRefusesOtherContent) {
  db::RequestKey key = Key("req-1", "fingerprint-a");
  ASSERT_TRUE(Increment(key).ok());
  auto replay = Increment(key);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->version(), "done");
  EXPECT_EQ(Counter(), 1);

  key.fingerprint = "fingerprint-b";
  auto reused = Increment(key);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorReason(reused.status()).value_or(""), "REQUEST_ID_REUSED");
  EXPECT_EQ(Counter(), 1);

  // Without an id nothing is deduplicated.
  ASSERT_TRUE(Increment(db::RequestKey{}).ok());
  ASSERT_TRUE(Increment(db::RequestKey{}).ok());
  EXPECT_EQ(Counter(), 3);

  // Ids are the caller's own: another caller's "req-1", whatever its content, is a request
  // of its own, and neither blocks nor replays the first caller's.
  db::RequestKey other = Key("req-1", "fingerprint-b");
  other.caller = "user:someone-else";
  auto theirs = Increment(other);
  ASSERT_TRUE(theirs.ok()) << theirs.status();
  EXPECT_EQ(Counter(), 4);
  ASSERT_TRUE(Increment(other).ok());
  EXPECT_EQ(Counter(), 4);
}

// Sixteen calls with one request id at the same moment: one effect, and every caller gets
// the first call's response (the later ones wait on the id's claim, then read it).
TEST_F(DbLayerTest, ConcurrentDuplicatesAllGetTheFirstResult) {
  constexpr int kCallers = 16;
  std::vector<absl::StatusOr<common::v1::Policy>> results(kCallers);
  absl::Barrier* start = new absl::Barrier(kCallers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      if (start->Block()) delete start;
      results[i] = Increment(Key("at-once", "f1"));
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->version(), "done");
  }
  EXPECT_EQ(Counter(), 1);
}

// Replicas that start together migrate once, and every one of them comes up.
TEST_F(DbLayerTest, ConcurrentMigratorsApplyOnce) {
  db::DatabaseOptions fresh = database_->options();
  fresh.database += "_fresh";
  constexpr int kMigrators = 4;
  std::vector<absl::Status> results(kMigrators);
  absl::Barrier* start = new absl::Barrier(kMigrators);
  std::vector<std::thread> threads;
  for (int i = 0; i < kMigrators; ++i) {
    threads.emplace_back([&, i] {
      if (start->Block()) delete start;
      results[i] = db::ApplyMigrations(fresh, Migrations());
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::Status& status : results) EXPECT_TRUE(status.ok()) << status;
  auto connection = db::Connection::Open(fresh, true);
  ASSERT_TRUE(connection.ok()) << connection.status();
  std::unique_ptr<sql::ResultSet> rows(
      (*connection)
          ->Prepare("SELECT (SELECT COUNT(*) FROM schema_migrations), (SELECT COUNT(*) FROM schema_migration_lock), "
                    "(SELECT COUNT(*) FROM counters)")
          .executeQuery());
  ASSERT_TRUE(rows->next());
  EXPECT_EQ(rows->getInt(1), 2);
  EXPECT_EQ(rows->getInt(2), 0) << "the lock is released";
  EXPECT_EQ(rows->getInt(3), 1) << "the data migration ran once";
  (*connection)->Execute("DROP DATABASE `" + fresh.database + "`");
}

// An event whose transaction took its pending id first but committed last is sealed last:
// ids follow the order in which events became visible, so a reader paging by id never has
// an event appear behind its position.
TEST_F(DbLayerTest, SealingOrdersEventsByCommitNotByAllocation) {
  const auto event = [](const std::string& resource) {
    db::AuditEvent e;
    e.occurred_at = absl::Now();
    e.actor = "user:test";
    e.role = "HR_ADMIN";
    e.action = "/test/Append";
    e.resource = resource;
    e.outcome = "OK";
    return e;
  };
  auto slow = db::Connection::Open(database_->options(), true);
  ASSERT_TRUE(slow.ok()) << slow.status();
  (*slow)->Execute("START TRANSACTION");
  ASSERT_TRUE(db::AppendAuditEvent(**slow, event("first-allocated")).ok());
  ASSERT_TRUE(db::RecordAuditEvent(*pool_, event("first-committed")).ok());
  absl::StatusOr<db::SealResult> sealed = db::SealPendingAuditEvents(*pool_);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->sealed, 1) << "an uncommitted event is not sealed";
  (*slow)->Execute("COMMIT");
  sealed = db::SealPendingAuditEvents(*pool_);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->sealed, 1);

  absl::StatusOr<db::AuditPage> page = db::ListAuditEvents(*pool_, 0, 10, "");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->events.size(), 2u);
  EXPECT_EQ(page->events[0].event.resource, "first-allocated");
  EXPECT_EQ(page->events[1].event.resource, "first-committed");
  EXPECT_EQ(page->events[0].id, page->events[1].id + 1);
  absl::StatusOr<db::AuditVerification> verified = db::VerifyAuditChain(*pool_);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->intact) << verified->problem;
  EXPECT_EQ(verified->events_checked, 2);
  EXPECT_EQ(database_->QueryInt("SELECT COUNT(*) FROM audit_pending").value_or(-1), 0);

  // A row slipped in below the chain (only INSERT is needed) is caught, not skipped.
  ASSERT_TRUE(database_
                  ->Execute("INSERT INTO audit_events SELECT 0, occurred_us, actor, role, action, resource, "
                            "request_id, outcome, before_json, after_json, previous_hash, hash, on_behalf_of, trace_id "
                            "FROM audit_events WHERE id = 1")
                  .ok());
  verified = db::VerifyAuditChain(*pool_);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_FALSE(verified->intact);
  EXPECT_EQ(verified->first_broken_id, 0);
}

// Sealing moves events in multi-row statements of up to 100 rows, which for large events
// adds up to more than the server's packet limit (max_allowed_packet, 16 MiB by default).
// That holds because the connector sends long string parameters of a prepared statement as
// long data, piece by piece; a change to the text protocol or to how rows are bound would
// make this batch (a 20-row statement of 20 MiB) fail and every later seal with it.
TEST_F(DbLayerTest, SealingEventsLargerThanThePacketLimitTogether) {
  constexpr int kEvents = 30;
  const std::string megabyte(1 << 20, 'x');
  for (int i = 0; i < kEvents; ++i) {
    db::AuditEvent event;
    event.occurred_at = absl::Now();
    event.actor = "user:test";
    event.role = "HR_ADMIN";
    event.action = "/test/Large";
    event.resource = absl::StrCat("large/", i);
    event.outcome = "OK";
    event.before_json = megabyte;
    event.after_json = "{}";
    ASSERT_TRUE(db::RecordAuditEvent(*pool_, event).ok()) << i;
  }
  absl::StatusOr<db::SealResult> sealed = db::SealPendingAuditEvents(*pool_);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->sealed, kEvents);
  EXPECT_EQ(database_->QueryInt("SELECT COUNT(*) FROM audit_pending").value_or(-1), 0);
  EXPECT_EQ(database_->QueryInt("SELECT MIN(LENGTH(before_json)) FROM audit_events").value_or(-1),
            static_cast<int64_t>(megabyte.size()));
  absl::StatusOr<db::AuditVerification> verified = db::VerifyAuditChain(*pool_);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->intact) << verified->problem;
  EXPECT_EQ(verified->events_checked, kEvents);
}

TEST_F(DbLayerTest, PurgeForgetsOnlyRequestsPastRetention) {
  ASSERT_TRUE(Increment(Key("recent", "f")).ok());
  ASSERT_TRUE(Increment(Key("old", "f")).ok());
  ASSERT_TRUE(database_
                  ->Execute("UPDATE request_log SET created_at = UTC_TIMESTAMP(6) - INTERVAL 40 DAY "
                            "WHERE request_id = 'old'")
                  .ok());
  auto purged = db::PurgeRequestLog(*pool_, absl::Hours(24 * 30));
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(database_->QueryInt("SELECT COUNT(*) FROM request_log WHERE request_id = 'recent'").value_or(-1), 1);
  // The forgotten id is a new request now.
  ASSERT_TRUE(Increment(Key("old", "f")).ok());
  EXPECT_EQ(Counter(), 3);
}

// A statement runs no longer than its call has left: the server stops it, and the session
// goes back to the configured bound for the next call.
TEST_F(DbLayerTest, ACallsDeadlineBoundsItsStatements) {
  db::DatabaseOptions options = database_->options();
  options.pool_size = 1;  // the next call gets the same session
  db::ConnectionPool pool(options);
  const auto sleep = [&] {
    return db::WithConnection(pool, [](db::Connection& connection) {
      connection.Query("SELECT SLEEP(5)");
      return absl::OkStatus();
    });
  };
  const absl::Time start = absl::Now();
  absl::Status status;
  {
    const db::ScopedCallDeadline deadline(absl::Now() + absl::Milliseconds(1500));
    status = sleep();
  }
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_GE(took, absl::Milliseconds(1300));
  EXPECT_LT(took, absl::Milliseconds(2500)) << "the statement ran on past the call's deadline";

  absl::StatusOr<double> bound = absl::InternalError("not read");
  ASSERT_TRUE(db::WithConnection(pool, [&](db::Connection& connection) {
                std::unique_ptr<sql::ResultSet> row(connection.Query("SELECT @@max_statement_time"));
                if (row->next()) bound = row->getDouble(1);
                return absl::OkStatus();
              }).ok());
  ASSERT_TRUE(bound.ok()) << bound.status();
  EXPECT_DOUBLE_EQ(*bound, absl::ToDoubleSeconds(options.statement_timeout));
}

// Health's ping does not wait for a pooled session: a pool busy with slow calls is not a
// database that is down.
TEST_F(DbLayerTest, PingAnswersWhileEverySessionIsBusy) {
  db::DatabaseOptions options = database_->options();
  options.pool_size = 1;
  options.acquire_timeout = absl::Seconds(3);
  db::ConnectionPool pool(options);
  absl::StatusOr<db::ConnectionLease> held = pool.Acquire();
  ASSERT_TRUE(held.ok()) << held.status();
  const absl::Time start = absl::Now();
  EXPECT_TRUE(pool.Ping().ok());
  EXPECT_TRUE(pool.Ping().ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST_F(DbLayerTest, UnreachableServerIsUnavailable) {
  db::DatabaseOptions options = database_->options();
  options.socket = "/nonexistent/mysqld.sock";
  options.connect_timeout = absl::Seconds(1);
  db::ConnectionPool pool(options);
  absl::Status status = pool.Ping();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_EQ(ErrorReason(status).value_or(""), "DATABASE_UNAVAILABLE");
}

}  // namespace
}  // namespace ladder::testing
