// The MySQL layer of common/ against the real test MariaDB: migrations, transactions with
// retry, request-id idempotency and its retention.

#include <memory>
#include <vector>

#include "common/db/connection_pool.h"
#include "common/db/idempotency.h"
#include "common/db/migration.h"
#include "common/db/sql_error.h"
#include "common/db/transaction.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "ladder/common/v1/policy.pb.h"
#include "tests/support/test_database.h"

namespace ladder::testing {
namespace {

const std::vector<db::Migration>& Migrations() {
  static const auto* migrations = new std::vector<db::Migration>{
      {1, "counters", "CREATE TABLE IF NOT EXISTS counters (id INT PRIMARY KEY, value INT NOT NULL);\n"
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
    return db::RunIdempotent<common::v1::Policy>(*pool_, mutation, [&](db::Connection& connection)
                                                                  -> absl::StatusOr<common::v1::Policy> {
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
