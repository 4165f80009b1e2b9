// The change feed's storage (common/db/change_feed.h) against the real test MariaDB: changes
// ride on their audit events, are published in the order they committed, a position is
// resumable with nothing skipped or repeated, filters move the position on, and pruning
// refuses positions it made gaps behind.

#include "common/db/change_feed.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/db/audit_log.h"
#include "common/db/connection_pool.h"
#include "common/db/migration.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "tests/support/test_database.h"

namespace ladder::testing {
namespace {

class ChangeFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static const auto* migrations =
        new std::vector<db::Migration>{{1, "common", (new std::string(CommonMigrationsSql()))->c_str()}};
    auto database = ScratchDatabase::Create("change_feed", *migrations);
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = std::move(*database);
    pool_ = std::make_unique<db::ConnectionPool>(database_->options());
  }

  // An audit event carrying a change of `resource` in `county` (0: an event with no change).
  static db::AuditEvent Event(const std::string& resource, int64_t county, const std::string& kind = "KIND_A") {
    db::AuditEvent event;
    event.occurred_at = absl::Now();
    event.actor = "user:test";
    event.role = "HR_ADMIN";
    event.action = "/test/Change";
    event.resource = resource;
    event.outcome = "OK";
    if (county != 0) {
      event.change.kind = kind;
      event.change.county_id = county;
      event.change.payload = absl::StrCat("payload of ", resource, std::string(1, '\0'), "binary");
    }
    return event;
  }

  void Seal() {
    absl::StatusOr<db::SealResult> sealed = db::SealPendingAuditEvents(*pool_);
    ASSERT_TRUE(sealed.ok()) << sealed.status();
  }

  db::ChangeBatch Read(int64_t position, const db::ChangeFilter& filter = {}, int limit = 100) {
    absl::StatusOr<db::ChangeBatch> batch = db::ReadChanges(*pool_, position, filter, limit);
    EXPECT_TRUE(batch.ok()) << batch.status();
    return batch.ok() ? *std::move(batch) : db::ChangeBatch{};
  }

  static std::vector<std::string> Resources(const db::ChangeBatch& batch) {
    std::vector<std::string> resources;
    for (const db::StoredChange& change : batch.changes) resources.push_back(change.resource);
    return resources;
  }

  std::unique_ptr<ScratchDatabase> database_;
  std::unique_ptr<db::ConnectionPool> pool_;
};

// The case a feed keyed on allocation order gets wrong: a transaction that took its pending
// id first commits last. A consumer that read up to the change committed first must still
// get the late one after its position.
TEST_F(ChangeFeedTest, AChangeCommittedLateWithAnEarlierIdIsNotSkipped) {
  auto slow = db::Connection::Open(database_->options(), true);
  ASSERT_TRUE(slow.ok()) << slow.status();
  (*slow)->Execute("START TRANSACTION");
  ASSERT_TRUE(db::AppendAuditEvent(**slow, Event("employees/1", 7)).ok());  // allocated first
  ASSERT_TRUE(db::RecordAuditEvent(*pool_, Event("employees/2", 7)).ok());  // committed first
  Seal();
  const db::ChangeBatch first = Read(0);
  EXPECT_EQ(Resources(first), std::vector<std::string>{"employees/2"});
  ASSERT_EQ(first.changes.size(), 1u);
  EXPECT_EQ(first.position, first.changes[0].id);

  (*slow)->Execute("COMMIT");
  Seal();
  const db::ChangeBatch after = Read(first.position);
  EXPECT_EQ(Resources(after), std::vector<std::string>{"employees/1"});
  ASSERT_EQ(after.changes.size(), 1u);
  EXPECT_GT(after.changes[0].id, first.position);
  EXPECT_EQ(after.changes[0].payload, absl::StrCat("payload of employees/1", std::string(1, '\0'), "binary"));
  EXPECT_EQ(after.changes[0].actor, "user:test");
  EXPECT_EQ(after.changes[0].kind, "KIND_A");
}

// Nothing is published before it commits, and what rolled back is never published.
TEST_F(ChangeFeedTest, UncommittedAndRolledBackChangesAreNeverRead) {
  auto open = db::Connection::Open(database_->options(), true);
  ASSERT_TRUE(open.ok()) << open.status();
  (*open)->Execute("START TRANSACTION");
  ASSERT_TRUE(db::AppendAuditEvent(**open, Event("employees/9", 7)).ok());
  Seal();
  EXPECT_TRUE(Read(0).changes.empty());
  (*open)->Execute("ROLLBACK");
  ASSERT_TRUE(db::RecordAuditEvent(*pool_, Event("employees/10", 7)).ok());
  Seal();
  EXPECT_EQ(Resources(Read(0)), std::vector<std::string>{"employees/10"});
}

// Reading page by page from each batch's position gives every change once, in order; the
// audit events between them (refusals, changes not published) are passed over.
TEST_F(ChangeFeedTest, PagingFromEachPositionReadsEveryChangeOnce) {
  std::vector<std::string> written;
  for (int i = 0; i < 23; ++i) {
    const std::string resource = absl::StrCat("employees/", 100 + i);
    const absl::Status recorded = db::RecordAuditEvent(*pool_, Event(resource, 7));
    ASSERT_TRUE(recorded.ok()) << recorded;
    ASSERT_TRUE(db::RecordAuditEvent(*pool_, Event("refused", 0)).ok());
    written.push_back(resource);
  }
  Seal();
  std::vector<std::string> read;
  int64_t position = 0;
  for (int page = 0; page < 10; ++page) {
    const db::ChangeBatch batch = Read(position, {}, 5);
    for (const std::string& resource : Resources(batch)) read.push_back(resource);
    EXPECT_GE(batch.position, position);
    if (batch.position == position) break;
    position = batch.position;
  }
  EXPECT_EQ(read, written);
  EXPECT_TRUE(Read(position).changes.empty());
}

// A filter passes over what it leaves out: the position moves to the feed's end, so a
// consumer of one county does not read the other counties' changes again and again.
TEST_F(ChangeFeedTest, FiltersMoveThePositionPastWhatTheyLeaveOut) {
  ASSERT_TRUE(db::RecordAuditEvent(*pool_, Event("employees/1", 7, "KIND_A")).ok());
  db::AuditEvent moved = Event("employees/2", 8, "KIND_MOVE");
  moved.change.other_county_id = 7;
  ASSERT_TRUE(db::RecordAuditEvent(*pool_, moved).ok());
  ASSERT_TRUE(db::RecordAuditEvent(*pool_, Event("employees/3", 8, "KIND_A")).ok());
  Seal();
  const db::ChangeBatch all = Read(0);
  ASSERT_EQ(all.changes.size(), 3u);

  db::ChangeFilter county7;
  county7.county_id = 7;
  const db::ChangeBatch of7 = Read(0, county7);
  // A move touches both counties.
  EXPECT_EQ(Resources(of7), (std::vector<std::string>{"employees/1", "employees/2"}));
  EXPECT_EQ(of7.position, all.position) << "the position passes employees/3 too";

  db::ChangeFilter moves;
  moves.kinds = {"KIND_MOVE"};
  EXPECT_EQ(Resources(Read(0, moves)), std::vector<std::string>{"employees/2"});
  moves.county_id = 8;
  EXPECT_EQ(Resources(Read(0, moves)), std::vector<std::string>{"employees/2"});
}

// Pruning deletes the oldest changes past retention and moves the horizon: a position
// behind it is refused as expired (a consumer there would miss changes); one at or after
// it reads on; position 0 starts at the horizon.
TEST_F(ChangeFeedTest, PositionsBehindPrunedChangesAreRefused) {
  ASSERT_TRUE(db::RecordAuditEvent(*pool_, Event("employees/1", 7)).ok());
  ASSERT_TRUE(db::RecordAuditEvent(*pool_, Event("employees/2", 7)).ok());
  ASSERT_TRUE(db::RecordAuditEvent(*pool_, Event("employees/3", 7)).ok());
  Seal();
  const db::ChangeBatch all = Read(0);
  ASSERT_EQ(all.changes.size(), 3u);
  ASSERT_TRUE(database_
                  ->Execute(absl::StrCat("UPDATE audit_events SET occurred_us = occurred_us - 40 * 86400000000 "
                                         "WHERE id <= ",
                                         all.changes[1].id))
                  .ok());
  absl::StatusOr<int64_t> pruned = db::PruneChanges(*pool_, absl::Hours(24 * 30));
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(*pruned, 2);

  absl::StatusOr<db::ChangeBatch> expired = db::ReadChanges(*pool_, all.changes[0].id, {}, 100);
  ASSERT_EQ(expired.status().code(), absl::StatusCode::kFailedPrecondition) << expired.status();
  EXPECT_EQ(ErrorReason(expired.status()).value_or(""), reason::kCursorExpired);
  EXPECT_EQ(Resources(Read(all.changes[1].id)), std::vector<std::string>{"employees/3"});
  EXPECT_EQ(Resources(Read(0)), std::vector<std::string>{"employees/3"});
  // Nothing more is old enough: pruning again deletes nothing.
  pruned = db::PruneChanges(*pool_, absl::Hours(24 * 30));
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(*pruned, 0);
}

}  // namespace
}  // namespace ladder::testing
