// The order of a county's waitlist for senior slots: the higher latest composite first,
// then the longer time at level, then the older case.

#include "services/careerpath/waitlist_order.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/time/dates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ladder::careerpath {
namespace {

namespace cv1 = ::ladder::careerpath::v1;
using ::testing::ElementsAre;

cv1::Case Waiting(int id, double composite, int days) {
  cv1::Case value;
  value.set_name("cases/" + std::to_string(id));
  value.set_state(cv1::Case::STATE_WAITING_FOR_SLOT);
  value.mutable_evidence()->set_latest_composite(composite);
  value.mutable_evidence()->set_days_at_level(days);
  return value;
}

std::vector<std::string> Sorted(std::vector<cv1::Case> cases) {
  std::sort(cases.begin(), cases.end(), WaitlistBefore);
  std::vector<std::string> names;
  for (const auto& value : cases) names.push_back(value.name());
  return names;
}

TEST(WaitlistOrderTest, HigherCompositeFirstWhateverTheTenure) {
  EXPECT_TRUE(WaitlistBefore(Waiting(9, 96.5, 730), Waiting(1, 96.4, 2000)));
  EXPECT_FALSE(WaitlistBefore(Waiting(1, 96.4, 2000), Waiting(9, 96.5, 730)));
}

TEST(WaitlistOrderTest, LongerTenureBreaksATie) {
  EXPECT_TRUE(WaitlistBefore(Waiting(9, 93, 900), Waiting(1, 93, 899)));
  EXPECT_FALSE(WaitlistBefore(Waiting(1, 93, 899), Waiting(9, 93, 900)));
}

TEST(WaitlistOrderTest, TheOlderCaseBreaksAFullTie) {
  EXPECT_TRUE(WaitlistBefore(Waiting(2, 93, 900), Waiting(10, 93, 900)));
  EXPECT_FALSE(WaitlistBefore(Waiting(10, 93, 900), Waiting(2, 93, 900)));
  // Irreflexive, as a strict order must be.
  EXPECT_FALSE(WaitlistBefore(Waiting(2, 93, 900), Waiting(2, 93, 900)));
}

TEST(WaitlistOrderTest, NumericIdsNotTextual) {
  // "cases/10" sorts before "cases/9" as text; the older case is 9.
  EXPECT_TRUE(WaitlistBefore(Waiting(9, 90, 800), Waiting(10, 90, 800)));
}

TEST(WaitlistOrderTest, ACaseWithoutACompositeComesLast) {
  cv1::Case none = Waiting(1, 0, 5000);
  none.mutable_evidence()->clear_latest_composite();
  EXPECT_TRUE(WaitlistBefore(Waiting(5, 0, 1), none));
  EXPECT_FALSE(WaitlistBefore(none, Waiting(5, 0, 1)));
}

// A case judged on `day` (UTC+8), at the level since `since`.
cv1::Case JudgedOn(int id, double composite, absl::CivilDay since, absl::CivilDay day, bool decided) {
  cv1::Case value = Waiting(id, composite, static_cast<int>(day - since));
  const google::protobuf::Timestamp at = ToProtoTimestamp(
      absl::FromCivil(absl::CivilSecond(day.year(), day.month(), day.day(), 10, 0, 0), BranchTimeZone()));
  *value.mutable_create_time() = decided ? ToProtoTimestamp(absl::FromUnixSeconds(0)) : at;
  if (decided) *value.mutable_decide_time() = at;
  return value;
}

TEST(WaitlistOrderTest, TenureComparesCasesJudgedOnDifferentDays) {
  // a has held the level since 2024-01-01 and was judged on 2026-12-01 (1065 days); b since
  // 2024-02-01, judged three months later (1124 days). a has held it longer.
  const cv1::Case a = JudgedOn(7, 93, absl::CivilDay(2024, 1, 1), absl::CivilDay(2026, 12, 1), true);
  const cv1::Case b = JudgedOn(3, 93, absl::CivilDay(2024, 2, 1), absl::CivilDay(2027, 3, 1), false);
  ASSERT_LT(a.evidence().days_at_level(), b.evidence().days_at_level());
  EXPECT_TRUE(WaitlistBefore(a, b));
  EXPECT_FALSE(WaitlistBefore(b, a));
  // The same day taken: the older case.
  const cv1::Case c = JudgedOn(5, 93, absl::CivilDay(2024, 1, 1), absl::CivilDay(2027, 3, 1), false);
  EXPECT_TRUE(WaitlistBefore(c, a));
}

TEST(WaitlistOrderTest, AWholeLine) {
  EXPECT_THAT(Sorted({Waiting(1, 91, 1000), Waiting(2, 95, 760), Waiting(3, 91, 1200), Waiting(4, 95, 760),
                      Waiting(5, 99.9, 731), Waiting(6, 91, 1000)}),
              ElementsAre("cases/5", "cases/2", "cases/4", "cases/3", "cases/1", "cases/6"));
}

}  // namespace
}  // namespace ladder::careerpath
