// The change feed as a payroll system follows it: WatchChanges on one replica while sixteen
// writers on another change levels, transfer and end employment at once, through a restart
// of the watched replica and a reconnect from the saved cursor. Every committed change
// arrives once, in each employee's order, with what it did; rejected calls publish nothing.

#include "common/db/change_feed.h"

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "common/db/connection_pool.h"
#include "tests/services/personnel/personnel_test_base.h"

namespace ladder::testing {
namespace {

using Stub = pv1::PersonnelService::Stub;
using Kind = pv1::Change::Kind;
constexpr int kWriters = 16;

// What one writer did that committed, in order: the change's kind and the employee after it.
struct Step {
  Kind kind;
  Level level;
  std::string county;
};

class ChangeFeedTest : public PersonnelServiceTestBase {
 protected:
  // A second replica over the same database: the one the consumer follows and restarts.
  void StartFeedReplica() {
    auto started = PersonnelTestServer::Start(database_->options());
    ASSERT_TRUE(started.ok()) << started.status();
    std::lock_guard<std::mutex> lock(replica_mutex_);
    feed_replica_ = std::move(*started);
  }
  std::unique_ptr<Stub> FeedStub() {
    std::lock_guard<std::mutex> lock(replica_mutex_);
    return feed_replica_ == nullptr ? nullptr : feed_replica_->NewStub();  // nullptr while restarting
  }
  void StopFeedReplica() {
    std::unique_ptr<PersonnelTestServer> stopping;
    {
      std::lock_guard<std::mutex> lock(replica_mutex_);
      stopping = std::move(feed_replica_);
    }
    stopping.reset();
  }

  std::mutex replica_mutex_;
  std::unique_ptr<PersonnelTestServer> feed_replica_;
};

TEST_F(ChangeFeedTest, AConsumerGetsEveryCommittedChangeOnceThroughARestart) {
  const std::string city = CreateCityBranch().name();
  const std::string county_a = CreateCounty(city).name();
  const std::string county_b = CreateCounty(city).name();
  std::vector<pv1::Employee> employees;
  for (int i = 0; i < kWriters; ++i) employees.push_back(CreateManagerAt(county_a, Level::LEVEL_JUNIOR));
  ASSERT_FALSE(HasFailure());

  // Where the feed stands now: the consumer starts here, after the setup's changes.
  pv1::ListChangesResponse head;
  {
    pv1::ListChangesRequest request;
    request.set_page_size(1000);
    std::string cursor;
    do {
      request.set_cursor(cursor);
      ASSERT_THAT(Call(&Stub::ListChanges, request, &head), IsOk());
      cursor = head.next_cursor();
    } while (head.changes_size() == 1000);
  }
  StartFeedReplica();

  std::set<std::string> ours;
  for (const pv1::Employee& employee : employees) ours.insert(employee.name());
  std::mutex seen_mutex;
  std::map<std::string, std::vector<pv1::Change>> seen;  // per employee, in arrival order
  std::set<std::string> seen_names;
  int duplicates = 0;
  std::atomic<int> seen_count{0};
  std::atomic<int> reconnects{0};
  std::atomic<bool> stop{false};

  // The consumer: follows the feed from its saved cursor, reconnecting whenever the stream
  // ends, and keeps the cursor of the last message it fully handled.
  std::thread consumer([&] {
    std::string saved = head.next_cursor();
    while (!stop.load()) {
      std::unique_ptr<Stub> stub = FeedStub();
      if (stub == nullptr) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      auto context = CallContext(absl::Seconds(60), "payroll-system");
      pv1::WatchChangesRequest request;
      request.set_cursor(saved);
      std::unique_ptr<grpc::ClientReader<pv1::WatchChangesResponse>> stream =
          stub->WatchChanges(context.get(), request);
      pv1::WatchChangesResponse message;
      while (!stop.load() && stream->Read(&message)) {
        std::lock_guard<std::mutex> lock(seen_mutex);
        for (const pv1::Change& change : message.changes()) {
          if (!seen_names.insert(change.name()).second) ++duplicates;
          if (ours.count(change.employee()) == 0) continue;
          seen[change.employee()].push_back(change);
          ++seen_count;
        }
        saved = message.cursor();
      }
      context->TryCancel();
      stream->Finish();
      ++reconnects;
    }
  });

  // The writers: each works on one employee; a stale expected level is refused and must
  // publish nothing.
  std::vector<std::vector<Step>> committed(kWriters);
  std::atomic<int> refused{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::unique_ptr<Stub> stub = server_->NewStub();
      const std::string name = employees[w].name();
      const auto record = [&](const grpc::Status& status, Kind kind, const pv1::Employee& after) {
        if (status.ok()) {
          committed[w].push_back({kind, after.level(), after.county()});
        } else {
          ++refused;
        }
      };
      pv1::Employee after;
      for (int round = 0; round < 2; ++round) {
        pv1::ChangeLevelRequest up;
        up.set_name(name);
        up.set_expected_level(Level::LEVEL_JUNIOR);
        up.set_level(Level::LEVEL_INTERMEDIATE);
        up.set_reason("feed test");
        record(stub->ChangeLevel(CallContext().get(), up, &after), pv1::Change::KIND_LEVEL_CHANGED, after);
        // Stale now: refused, rolled back.
        record(stub->ChangeLevel(CallContext().get(), up, &after), pv1::Change::KIND_LEVEL_CHANGED, after);

        pv1::TransferEmployeeRequest transfer;
        transfer.set_name(name);
        transfer.set_county(round == 0 ? county_b : county_a);
        transfer.set_reason("feed test");
        record(stub->TransferEmployee(CallContext().get(), transfer, &after), pv1::Change::KIND_EMPLOYEE_TRANSFERRED,
               after);

        pv1::ChangeLevelRequest down = up;
        down.set_expected_level(Level::LEVEL_INTERMEDIATE);
        down.set_level(Level::LEVEL_JUNIOR);
        record(stub->ChangeLevel(CallContext().get(), down, &after), pv1::Change::KIND_LEVEL_CHANGED, after);
      }
      pv1::EndEmploymentRequest end;
      end.set_name(name);
      end.set_reason(pv1::SEPARATION_REASON_RESIGNED);
      record(stub->EndEmployment(CallContext().get(), end, &after), pv1::Change::KIND_EMPLOYMENT_ENDED, after);
    });
  }

  // Restart the watched replica while the writers are at it.
  while (seen_count.load() < kWriters * 2) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  StopFeedReplica();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  StartFeedReplica();
  for (std::thread& writer : writers) writer.join();

  int expected = 0;
  for (const auto& steps : committed) expected += static_cast<int>(steps.size());
  const absl::Time patience = absl::Now() + absl::Seconds(20);
  while (seen_count.load() < expected && absl::Now() < patience) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // A little longer: anything extra (a duplicate, a refused call) would arrive now.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  stop = true;
  {
    std::lock_guard<std::mutex> lock(replica_mutex_);
    feed_replica_.reset();  // ends the watch
  }
  consumer.join();

  EXPECT_EQ(refused.load(), kWriters * 2) << "each writer's stale change is refused";
  EXPECT_EQ(duplicates, 0);
  EXPECT_GE(reconnects.load(), 2) << "the consumer reconnected after the restart";
  EXPECT_EQ(seen_count.load(), expected);
  for (int w = 0; w < kWriters; ++w) {
    SCOPED_TRACE(employees[w].name());
    const std::vector<pv1::Change>& changes = seen[employees[w].name()];
    ASSERT_EQ(changes.size(), committed[w].size());
    for (size_t i = 0; i < changes.size(); ++i) {
      const pv1::Change& change = changes[i];
      EXPECT_EQ(change.kind(), committed[w][i].kind) << i;
      EXPECT_EQ(change.employee_after().level(), committed[w][i].level) << i;
      EXPECT_EQ(change.employee_after().county(), committed[w][i].county) << i;
      EXPECT_EQ(change.actor(), "user:test");
      EXPECT_EQ(change.counties(0), committed[w][i].county);
      EXPECT_TRUE(change.has_level_change()) << "every change of a customer manager is in the level history";
      if (change.kind() == pv1::Change::KIND_EMPLOYEE_TRANSFERRED) {
        ASSERT_EQ(change.counties_size(), 2);
        EXPECT_EQ(change.level_change().to_county(), change.counties(0));
        EXPECT_EQ(change.level_change().from_county(), change.counties(1));
      }
    }
  }
}

// The level history entries the feed carries are the ones ListLevelChanges serves.
TEST_F(ChangeFeedTest, LevelChangesInTheFeedAreTheLevelHistory) {
  const std::string county = CreateCounty().name();
  const pv1::Employee junior = CreateManagerAt(county, Level::LEVEL_INTERMEDIATE);
  ASSERT_FALSE(HasFailure());

  pv1::ListChangesRequest request;
  request.set_county(county);
  request.add_kinds(pv1::Change::KIND_LEVEL_CHANGED);
  pv1::ListChangesResponse feed;
  ASSERT_THAT(Call(&Stub::ListChanges, request, &feed), IsOk());
  pv1::ListLevelChangesRequest history_request;
  history_request.set_parent(junior.name());
  pv1::ListLevelChangesResponse history;
  ASSERT_THAT(Call(&Stub::ListLevelChanges, history_request, &history), IsOk());
  ASSERT_EQ(feed.changes_size(), 2);
  ASSERT_EQ(history.level_changes_size(), 2);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(feed.changes(i).level_change().SerializeAsString(), history.level_changes(i).SerializeAsString())
        << feed.changes(i).level_change().DebugString() << "\nvs\n"
        << history.level_changes(i).DebugString();
  }
  EXPECT_FALSE(feed.next_cursor().empty());

  // Continuing from the end gives nothing more; a cursor that is not one is refused.
  request.set_cursor(feed.next_cursor());
  ASSERT_THAT(Call(&Stub::ListChanges, request, &feed), IsOk());
  EXPECT_EQ(feed.changes_size(), 0);
  request.set_cursor("not-a-cursor");
  EXPECT_THAT(Call(&Stub::ListChanges, request, &feed), FailsWith(grpc::StatusCode::INVALID_ARGUMENT, "INVALID_FIELD"));
}

// Each bad request is refused naming its field, and a cursor older than what the feed keeps
// is refused as expired (the consumer starts again from a List), not read from the horizon.
TEST_F(ChangeFeedTest, BadRequestsAndExpiredCursorsAreRefused) {
  const std::string county = CreateCounty().name();
  CreateManagerAt(county, Level::LEVEL_INTERMEDIATE);
  ASSERT_FALSE(HasFailure());
  pv1::ListChangesResponse feed;
  const auto refusal = [&](const pv1::ListChangesRequest& request) { return Call(&Stub::ListChanges, request, &feed); };
  pv1::ListChangesRequest request;
  request.set_page_size(-1);
  EXPECT_THAT(refusal(request), RejectsField("page_size"));
  request.set_page_size(1001);
  EXPECT_THAT(refusal(request), RejectsField("page_size"));
  request = {};
  request.add_kinds(pv1::Change::KIND_LEVEL_CHANGED);
  request.add_kinds(static_cast<pv1::Change::Kind>(99));
  EXPECT_THAT(refusal(request), RejectsField("kinds[1]"));
  request = {};
  request.set_county("counties/1");
  EXPECT_THAT(refusal(request), RejectsField("county"));

  // Everything so far is made older than a day and pruned with a day's retention.
  request = {};
  request.set_page_size(1);
  ASSERT_THAT(refusal(request), IsOk());
  ASSERT_EQ(feed.changes_size(), 1);
  const std::string oldest_cursor = feed.next_cursor();
  ASSERT_TRUE(database_->Execute("UPDATE audit_events SET occurred_us = occurred_us - 2 * 86400000000").ok());
  db::ConnectionPool pool(database_->options());
  absl::StatusOr<int64_t> pruned = db::PruneChanges(pool, absl::Hours(24));
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  ASSERT_GT(*pruned, 1);
  request.set_cursor(oldest_cursor);
  EXPECT_THAT(refusal(request), FailsWith(grpc::StatusCode::FAILED_PRECONDITION, "CURSOR_EXPIRED"));

  pv1::WatchChangesRequest watch;
  watch.set_cursor(oldest_cursor);
  auto context = CallContext(absl::Seconds(10));
  std::unique_ptr<grpc::ClientReader<pv1::WatchChangesResponse>> stream = stub_->WatchChanges(context.get(), watch);
  pv1::WatchChangesResponse message;
  EXPECT_FALSE(stream->Read(&message));
  EXPECT_THAT(stream->Finish(), FailsWith(grpc::StatusCode::FAILED_PRECONDITION, "CURSOR_EXPIRED"));

  // From the start (an empty cursor) the feed reads on from what it kept.
  request.clear_cursor();
  EXPECT_THAT(refusal(request), IsOk());
}

}  // namespace
}  // namespace ladder::testing
