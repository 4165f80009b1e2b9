// Senior promotions approved concurrently in one county (POLICY §3, §6): many threads
// approve many qualified intermediates at once, each case more than once, with and
// without request ids. The county never holds more seniors than its cap (personnel's quota
// and its level history both show it), every case is applied at most once, and the cases
// left over wait in one consistent line: the latest composite, then the time at level,
// then the older case. When slots free later and the whole line is approved at once, the
// head of the line takes them.

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "services/careerpath/case_store.h"
#include "services/careerpath/waitlist_order.h"
#include "tests/services/careerpath/careerpath_test_base.h"

namespace ladder::testing {
namespace {

constexpr int kThreads = 16;
constexpr int kIntermediates = 30;

// What the approving threads saw.
struct Outcome {
  std::atomic<int> calls{0};
  std::atomic<int> already_applied{0};
  absl::Mutex mu;
  std::vector<std::string> unexpected ABSL_GUARDED_BY(mu);
};

class ConcurrentApprovalsTest : public CareerPathServiceTestBase {
 protected:
  // Approves every case of `names` twice — once without a request id, once with one —
  // from kThreads threads at once, while another thread keeps reading the county's quota.
  void ApproveAll(const std::vector<std::string>& names, const std::string& county, const std::string& wave,
                  Outcome& outcome, std::atomic<int>& over_cap_reads) {
    std::vector<std::pair<std::string, std::string>> work;
    for (const std::string& name : names) {
      work.emplace_back(name, "");
      work.emplace_back(name, absl::StrCat(wave, "-", IdOf(name)));
    }
    // Spread the two approvals of a case apart, deterministically.
    std::vector<std::pair<std::string, std::string>> order;
    for (size_t i = 0; i < work.size(); i += 2) order.push_back(work[i]);
    for (size_t i = work.size(); i >= 2; i -= 2) order.push_back(work[i - 1]);

    absl::Notification done;
    std::thread reader([&] {
      auto people = personnel_server_->NewStub();
      while (!done.HasBeenNotified()) {
        pv1::GetCountyQuotaRequest request;
        request.set_name(county + "/quota");
        pv1::CountyQuota quota;
        auto context = CallContext();
        if (!people->GetCountyQuota(context.get(), request, &quota).ok()) continue;
        if (HeadCount(quota, kSenior) > quota.senior_cap()) ++over_cap_reads;
      }
    });
    std::atomic<size_t> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        auto stub = careerpath_server_->NewStub();
        for (size_t i; (i = next++) < order.size();) {
          cv1::ApproveCaseRequest request;
          request.set_name(order[i].first);
          request.set_request_id(order[i].second);
          cv1::Case result;
          auto context = CallContext(absl::Seconds(60), absl::StrCat("hr-", t));
          const grpc::Status status = stub->ApproveCase(context.get(), request, &result);
          ++outcome.calls;
          if (status.ok() &&
              (result.state() == cv1::Case::STATE_APPLIED || result.state() == cv1::Case::STATE_WAITING_FOR_SLOT)) {
            continue;
          }
          const ErrorView view = ViewOf(status);
          if (view.code == grpc::StatusCode::FAILED_PRECONDITION && view.reason == "CASE_ALREADY_APPLIED") {
            ++outcome.already_applied;
            continue;
          }
          absl::MutexLock lock(&outcome.mu);
          outcome.unexpected.push_back(absl::StrCat(order[i].first, ": ", view.code, " ", view.reason, " ",
                                                    view.message, " state ", cv1::Case::State_Name(result.state())));
        }
      });
    }
    for (auto& thread : threads) thread.join();
    done.Notify();
    reader.join();
  }

  // Every promotion to senior in the county's history was within the cap at its commit.
  void ExpectHistoryWithinCap(const std::string& county, int expected_promotions) {
    int promotions = 0;
    for (const auto& change : History("employees/-", county)) {
      if (change.kind() != pv1::LevelChange::KIND_PROMOTION || change.to_level() != kSenior) continue;
      ++promotions;
      EXPECT_LE(change.to_county_counts().seniors(), change.to_county_counts().senior_cap())
          << "over the cap at " << change.name();
    }
    EXPECT_EQ(promotions, expected_promotions);
  }

  // The waitlist as ListCases gives it, checked to be in WaitlistBefore order with
  // positions 1, 2, 3…
  std::vector<std::string> CheckedLine(const std::string& county) {
    const std::vector<cv1::Case> line = Waitlist(county);
    std::vector<std::string> names;
    for (size_t i = 0; i < line.size(); ++i) {
      EXPECT_EQ(line[i].state(), cv1::Case::STATE_WAITING_FOR_SLOT) << line[i].name();
      EXPECT_EQ(line[i].waitlist_position(), static_cast<int>(i + 1)) << line[i].name();
      if (i > 0) {
        EXPECT_TRUE(careerpath::WaitlistBefore(line[i - 1], line[i]))
            << line[i - 1].name() << " (" << line[i - 1].evidence().latest_composite() << ", "
            << line[i - 1].evidence().days_at_level() << " days) is not before " << line[i].name() << " ("
            << line[i].evidence().latest_composite() << ", " << line[i].evidence().days_at_level() << " days)";
      }
      names.push_back(line[i].name());
    }
    return names;
  }
};

TEST_F(ConcurrentApprovalsTest, SeniorPromotionsNeverExceedTheCapAndTheRestWaitInOrder) {
  const std::string county = CreateNamedCounty("江山市");
  // N = 50: 15 juniors, 30 intermediates, 5 seniors; the cap is 10, five slots are free.
  for (int i = 0; i < 15; ++i) ManagerMonthsAtLevel(county, kJunior, 40);
  std::vector<pv1::Employee> intermediates;
  std::map<std::string, double> older, newer;
  for (int i = 0; i < kIntermediates; ++i) {
    // Composites 90–94 and tenures of 25, 31 or 37 months: ties on both, broken by the case.
    intermediates.push_back(ManagerMonthsAtLevel(county, kIntermediate, 25 + (i % 3) * 6));
    older[intermediates.back().name()] = 95;
    newer[intermediates.back().name()] = 90 + (i % 5);
  }
  std::vector<pv1::Employee> seniors;
  for (int i = 0; i < 5; ++i) seniors.push_back(ManagerMonthsAtLevel(county, kSenior, 40));
  ASSERT_EQ(Quota(county).senior_cap(), 10);
  ASSERT_EQ(Quota(county).free_senior_slots(), 5);
  FinalisedCycle(county, QuarterBefore(2), older);
  const ev1::Cycle cycle = FinalisedCycle(county, QuarterBefore(1), newer);

  const cv1::ReviewCycleResponse review = Review(cycle.name());
  ASSERT_EQ(review.created_cases_size(), kIntermediates);
  std::vector<std::string> names;
  std::map<std::string, std::string> employee_of;
  for (const auto& value : review.created_cases()) {
    ASSERT_EQ(value.to_level(), kSenior);
    names.push_back(value.name());
    employee_of[value.name()] = value.employee();
  }

  // ---- Wave 1: 30 cases, 60 approvals, 16 threads, five free slots.
  Outcome first;
  std::atomic<int> over_cap_reads{0};
  ApproveAll(names, county, "w1", first, over_cap_reads);
  {
    absl::MutexLock lock(&first.mu);
    EXPECT_THAT(first.unexpected, ::testing::IsEmpty());
  }
  EXPECT_EQ(first.calls.load(), 2 * kIntermediates);
  EXPECT_EQ(over_cap_reads.load(), 0) << "a reader saw more seniors than the cap";

  pv1::CountyQuota quota = Quota(county);
  EXPECT_EQ(HeadCount(quota, kSenior), 10);
  EXPECT_EQ(quota.senior_cap(), 10);
  std::vector<std::string> applied, waiting;
  for (const std::string& name : names) {
    const cv1::Case value = GetCase(name);
    const std::string& employee = employee_of[name];
    if (value.state() == cv1::Case::STATE_APPLIED) {
      applied.push_back(name);
      EXPECT_EQ(GetEmployee(employee).level(), kSenior) << name;
      EXPECT_EQ(ChangesCarryingOut(employee, name), 1) << name;
    } else {
      EXPECT_EQ(value.state(), cv1::Case::STATE_WAITING_FOR_SLOT) << name;
      waiting.push_back(name);
      EXPECT_EQ(GetEmployee(employee).level(), kIntermediate) << name;
      EXPECT_EQ(ChangesCarryingOut(employee, name), 0) << name;
    }
  }
  EXPECT_EQ(applied.size(), 5u);
  EXPECT_EQ(waiting.size(), 25u);
  std::vector<std::string> line = CheckedLine(county);
  std::vector<std::string> sorted_line = line, sorted_waiting = waiting;
  std::sort(sorted_line.begin(), sorted_line.end());
  std::sort(sorted_waiting.begin(), sorted_waiting.end());
  EXPECT_EQ(sorted_line, sorted_waiting);
  ExpectHistoryWithinCap(county, 5 + 5);  // the five seniors made by the set-up, and five cases

  // ---- Wave 2: HR moves two seniors down (N unchanged, cap 10, eight seniors: two slots),
  // and the whole line is approved at once. The two at its head take the slots.
  pv1::Employee moved;
  for (int i = 0; i < 2; ++i) {
    ASSERT_THAT(ChangeLevelOn(seniors[i].name(), kSenior, kIntermediate, TodayInBranch(), &moved), IsOk());
  }
  ASSERT_EQ(Quota(county).free_senior_slots(), 2);
  ASSERT_GE(line.size(), 3u);
  const std::vector<std::string> head = {line[0], line[1]};
  const std::vector<std::string> rest(line.begin() + 2, line.end());

  Outcome second;
  ApproveAll(line, county, "w2", second, over_cap_reads);
  {
    absl::MutexLock lock(&second.mu);
    EXPECT_THAT(second.unexpected, ::testing::IsEmpty());
  }
  EXPECT_EQ(over_cap_reads.load(), 0);
  for (const std::string& name : head) {
    EXPECT_EQ(GetCase(name).state(), cv1::Case::STATE_APPLIED) << name << " was at the head of the line";
    EXPECT_EQ(ChangesCarryingOut(employee_of[name], name), 1) << name;
  }
  EXPECT_EQ(CheckedLine(county), rest);
  quota = Quota(county);
  EXPECT_EQ(HeadCount(quota, kSenior), 10);
  EXPECT_EQ(quota.free_senior_slots(), 0);
  ExpectHistoryWithinCap(county, 5 + 5 + 2);

  // ---- Wave 3: nothing free; approving the line again changes nothing.
  Outcome third;
  ApproveAll(rest, county, "w3", third, over_cap_reads);
  {
    absl::MutexLock lock(&third.mu);
    EXPECT_THAT(third.unexpected, ::testing::IsEmpty());
  }
  EXPECT_EQ(CheckedLine(county), rest);
  EXPECT_EQ(HeadCount(Quota(county), kSenior), 10);
  ExpectHistoryWithinCap(county, 5 + 5 + 2);

  // ---- Wave 4: three slots free (three more seniors moved down), and while the line is
  // approved, HR promotes the first two moved-down people back directly through personnel.
  // Whoever wins each slot, the cap holds, nothing lands twice, and the line stays in order.
  for (int i = 2; i < 5; ++i) {
    ASSERT_THAT(ChangeLevelOn(seniors[i].name(), kSenior, kIntermediate, TodayInBranch(), &moved), IsOk());
  }
  ASSERT_EQ(Quota(county).free_senior_slots(), 3);
  std::atomic<int> direct{0};
  std::thread hr([&] {
    auto people = personnel_server_->NewStub();
    for (int i = 0; i < 2; ++i) {
      pv1::ChangeLevelRequest request;
      request.set_name(seniors[i].name());
      request.set_expected_level(kIntermediate);
      request.set_level(kSenior);
      request.set_reason("direct");
      pv1::Employee result;
      auto context = CallContext();
      if (people->ChangeLevel(context.get(), request, &result).ok()) ++direct;
    }
  });
  Outcome fourth;
  ApproveAll(rest, county, "w4", fourth, over_cap_reads);
  hr.join();
  {
    absl::MutexLock lock(&fourth.mu);
    EXPECT_THAT(fourth.unexpected, ::testing::IsEmpty());
  }
  EXPECT_EQ(over_cap_reads.load(), 0);
  int applied_now = 0;
  for (const std::string& name : rest) {
    const cv1::Case value = GetCase(name);
    const int landed = ChangesCarryingOut(employee_of[name], name);
    if (value.state() == cv1::Case::STATE_APPLIED) {
      ++applied_now;
      EXPECT_EQ(landed, 1) << name;
    } else {
      EXPECT_EQ(value.state(), cv1::Case::STATE_WAITING_FOR_SLOT) << name;
      EXPECT_EQ(landed, 0) << name;
    }
  }
  EXPECT_EQ(applied_now + direct.load(), 3);
  EXPECT_EQ(HeadCount(Quota(county), kSenior), 10);
  EXPECT_EQ(CheckedLine(county).size(), rest.size() - applied_now);
  ExpectHistoryWithinCap(county, 5 + 5 + 2 + 3);
}

}  // namespace
}  // namespace ladder::testing
