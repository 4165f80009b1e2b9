// The senior cap under concurrency (POLICY §3): promotions, transfers-in and exits racing
// in one county never leave more seniors than floor(20% × N) through a promotion or a
// transfer-in, and the level history proves it change by change.

#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "tests/services/personnel/personnel_test_base.h"

namespace ladder::testing {
namespace {

using Stub = pv1::PersonnelService::Stub;
constexpr auto kJunior = Level::LEVEL_JUNIOR;
constexpr auto kIntermediate = Level::LEVEL_INTERMEDIATE;
constexpr auto kSenior = Level::LEVEL_SENIOR;

constexpr int kPromotionThreads = 32;
constexpr int kTransferThreads = 4;
constexpr int kSeparationThreads = 4;

int Cap(int levelled) { return levelled * 20 / 100; }

// What the racing threads saw.
struct Outcome {
  std::atomic<int> promoted{0};
  std::atomic<int> transferred{0};
  std::atomic<int> separated{0};
  std::atomic<int> refused_by_cap{0};
  absl::Mutex mu;
  std::vector<std::string> unexpected ABSL_GUARDED_BY(mu);

  void Record(const grpc::Status& status, std::atomic<int>& success) {
    if (status.ok()) {
      ++success;
      return;
    }
    const ErrorView view = ViewOf(status);
    if (view.code == grpc::StatusCode::FAILED_PRECONDITION && view.reason == "SENIOR_CAP_REACHED") {
      ++refused_by_cap;
      return;
    }
    absl::MutexLock lock(&mu);
    unexpected.push_back(absl::StrCat(view.code, " ", view.reason, ": ", view.message));
  }
};

class SeniorCapConcurrencyTest : public PersonnelServiceTestBase {
 protected:
  // Races promotions of `target`'s intermediates against transfers of `source`'s seniors
  // into `target` and, if asked, exits of `target`'s juniors. While it runs, `during` is
  // called over and over from another thread.
  void Race(const County& target, const County& source, int separations, Outcome& outcome,
            const std::function<void()>& during) {
    std::atomic<size_t> next_promotion{0}, next_transfer{0}, next_separation{0};
    absl::Notification done;
    std::thread reader([&] {
      while (!done.HasBeenNotified()) during();
    });
    std::vector<std::thread> threads;
    for (int t = 0; t < kPromotionThreads; ++t) {
      threads.emplace_back([&] {
        auto stub = server_->NewStub();
        for (size_t i; (i = next_promotion++) < target.intermediates.size();) {
          pv1::ChangeLevelRequest request;
          request.set_name(target.intermediates[i].name());
          request.set_expected_level(kIntermediate);
          request.set_level(kSenior);
          request.set_reason("race");
          pv1::Employee result;
          auto context = CallContext();
          outcome.Record(stub->ChangeLevel(context.get(), request, &result), outcome.promoted);
        }
      });
    }
    for (int t = 0; t < kTransferThreads; ++t) {
      threads.emplace_back([&] {
        auto stub = server_->NewStub();
        for (size_t i; (i = next_transfer++) < source.seniors.size();) {
          pv1::TransferEmployeeRequest request;
          request.set_name(source.seniors[i].name());
          request.set_county(target.name);
          request.set_reason("race");
          pv1::Employee result;
          auto context = CallContext();
          outcome.Record(stub->TransferEmployee(context.get(), request, &result), outcome.transferred);
        }
      });
    }
    for (int t = 0; separations > 0 && t < kSeparationThreads; ++t) {
      threads.emplace_back([&] {
        auto stub = server_->NewStub();
        for (size_t i; (i = next_separation++) < static_cast<size_t>(separations);) {
          pv1::EndEmploymentRequest request;
          request.set_name(target.juniors[i].name());
          request.set_reason(pv1::SEPARATION_REASON_RESIGNED);
          pv1::Employee result;
          auto context = CallContext();
          outcome.Record(stub->EndEmployment(context.get(), request, &result), outcome.separated);
        }
      });
    }
    for (auto& thread : threads) thread.join();
    done.Notify();
    reader.join();
  }
};

TEST_F(SeniorCapConcurrencyTest, PromotionsAndTransfersInNeverExceedTheCap) {
  const std::string city = CreateCityBranch().name();
  const County target = MakeCounty(city, 15, 30, 5);
  const County source = MakeCounty(city, 40, 0, 10);
  ASSERT_EQ(Quota(target.name).senior_cap(), 10);

  Outcome outcome;
  std::atomic<int> reads{0}, violations{0};
  Race(target, source, /*separations=*/0, outcome, [&] {
    pv1::GetCountyQuotaRequest request;
    request.set_name(target.name + "/quota");
    pv1::CountyQuota quota;
    auto context = CallContext();
    if (!server_->NewStub()->GetCountyQuota(context.get(), request, &quota).ok()) return;
    ++reads;
    if (HeadCount(quota, kSenior) > quota.senior_cap()) ++violations;
  });

  {
    absl::MutexLock lock(&outcome.mu);
    EXPECT_THAT(outcome.unexpected, ::testing::IsEmpty());
  }
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(violations.load(), 0) << "a reader saw more seniors than the cap";
  const pv1::CountyQuota final_quota = Quota(target.name);
  const int seniors = HeadCount(final_quota, kSenior);
  EXPECT_EQ(final_quota.levelled_customer_managers(), 50 + outcome.transferred.load());
  EXPECT_EQ(seniors, 5 + outcome.promoted.load() + outcome.transferred.load());
  // Every slot is taken: a refusal only ever happens when none is free, and no change here
  // frees one.
  EXPECT_EQ(seniors, final_quota.senior_cap());
  EXPECT_EQ(final_quota.free_senior_slots(), 0);
  EXPECT_GT(outcome.refused_by_cap.load(), 0);
}

TEST_F(SeniorCapConcurrencyTest, HistoryProvesEveryIncreaseWasWithinTheCapAtItsCommit) {
  const std::string city = CreateCityBranch().name();
  const County target = MakeCounty(city, 15, 30, 5);
  const County source = MakeCounty(city, 40, 0, 10);

  Outcome outcome;
  Race(target, source, /*separations=*/10, outcome, [] {});
  {
    absl::MutexLock lock(&outcome.mu);
    EXPECT_THAT(outcome.unexpected, ::testing::IsEmpty());
  }
  EXPECT_EQ(outcome.separated.load(), 10);

  // Replay the county's history in commit order (the county row lock serialises every
  // change of the county, and ids are taken under it) and check each recorded step.
  pv1::ListLevelChangesRequest request;
  request.set_parent("employees/-");
  request.set_county(target.name);
  request.set_page_size(1000);
  int levelled = 0, seniors = 0, increases = 0, steps = 0;
  do {
    pv1::ListLevelChangesResponse response;
    ASSERT_THAT(Call(&Stub::ListLevelChanges, request, &response), IsOk());
    for (const pv1::LevelChange& change : response.level_changes()) {
      ++steps;
      const bool leaves = change.from_county() == target.name && change.from_level() != Level::LEVEL_UNSPECIFIED &&
                          (change.to_county() != target.name || change.to_level() == Level::LEVEL_UNSPECIFIED);
      const bool arrives = change.to_county() == target.name && change.to_level() != Level::LEVEL_UNSPECIFIED &&
                           (change.from_county() != target.name || change.from_level() == Level::LEVEL_UNSPECIFIED);
      const bool within = change.from_county() == target.name && change.to_county() == target.name &&
                          change.from_level() != Level::LEVEL_UNSPECIFIED &&
                          change.to_level() != Level::LEVEL_UNSPECIFIED;
      if (leaves) {
        --levelled;
        if (change.from_level() == kSenior) --seniors;
      }
      if (arrives) {
        ++levelled;
        if (change.to_level() == kSenior) ++seniors;
      }
      if (within) seniors += (change.to_level() == kSenior) - (change.from_level() == kSenior);
      const pv1::CountyCounts& recorded =
          change.to_county() == target.name ? change.to_county_counts() : change.from_county_counts();
      ASSERT_EQ(recorded.levelled_customer_managers(), levelled) << change.ShortDebugString();
      ASSERT_EQ(recorded.seniors(), seniors) << change.ShortDebugString();
      ASSERT_EQ(recorded.senior_cap(), Cap(levelled)) << change.ShortDebugString();
      const bool senior_increase = change.to_county() == target.name && change.to_level() == kSenior &&
                                   (change.from_level() != kSenior || change.from_county() != target.name);
      if (senior_increase) {
        ++increases;
        EXPECT_LE(seniors, Cap(levelled)) << "over the cap at " << change.name();
      }
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());

  EXPECT_EQ(increases, 5 + outcome.promoted.load() + outcome.transferred.load());
  const pv1::CountyQuota final_quota = Quota(target.name);
  EXPECT_EQ(final_quota.levelled_customer_managers(), levelled);
  EXPECT_EQ(HeadCount(final_quota, kSenior), seniors);
  EXPECT_GT(steps, 100);
  // The counts the county row keeps for the cap check are what its employees give.
  const std::string county_id = target.name.substr(target.name.rfind('/') + 1);
  const absl::StatusOr<int64_t> kept_levelled =
      database_->QueryInt("SELECT juniors + intermediates + seniors FROM org_units WHERE id = " + county_id);
  const absl::StatusOr<int64_t> kept_seniors =
      database_->QueryInt("SELECT seniors FROM org_units WHERE id = " + county_id);
  ASSERT_TRUE(kept_levelled.ok() && kept_seniors.ok()) << kept_levelled.status() << kept_seniors.status();
  EXPECT_EQ(*kept_levelled, levelled);
  EXPECT_EQ(*kept_seniors, seniors);
}

}  // namespace
}  // namespace ladder::testing
