#include "common/policy/quota.h"

#include <fstream>
#include <sstream>
#include <string>

#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"

namespace ladder::policy {
namespace {

using ::testing::HasSubstr;

constexpr char kPolicyFile[] = "config/policy/v1.1.0.textproto";

// The policy as shipped, read the way the services read it.
Policy LoadShippedPolicy() {
  std::ifstream in(kPolicyFile);
  EXPECT_TRUE(in.good()) << kPolicyFile << " is not readable; run from the repository root";
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<Policy> policy = ParsePolicyText(text.str(), kPolicyFile);
  EXPECT_TRUE(policy.ok()) << policy.status();
  return policy.ok() ? *policy : Policy();
}

// A policy built in code with the given shares (senior hard-capped), to show that nothing
// in the quota arithmetic assumes the shipped 30/50/20.
Policy VariantPolicy(int junior, int intermediate, int senior) {
  Policy policy;
  policy.set_version("9.0.0");
  auto add = [&](Level level, int grade, int share, bool hard_cap) {
    LevelPolicy* entry = policy.add_levels();
    entry->set_level(level);
    entry->set_display_name(Level_Name(level));
    entry->set_post_grade(grade);
    entry->set_suggested_share_percent(share);
    entry->set_share_is_hard_cap(hard_cap);
  };
  add(Level::LEVEL_JUNIOR, 6, junior, false);
  add(Level::LEVEL_INTERMEDIATE, 7, intermediate, false);
  add(Level::LEVEL_SENIOR, 8, senior, true);
  return policy;
}

class QuotaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    policy_ = LoadShippedPolicy();
    ASSERT_NE(FindLevel(policy_, Level::LEVEL_SENIOR), nullptr);
    // The shipped file is what these expectations are derived from.
    ASSERT_EQ(FindLevel(policy_, Level::LEVEL_SENIOR)->suggested_share_percent(), 20);
    ASSERT_TRUE(FindLevel(policy_, Level::LEVEL_SENIOR)->share_is_hard_cap());
  }
  Policy policy_;
};

TEST_F(QuotaTest, SeniorCapIsFloorOfTwentyPercentForSmallCounties) {
  for (int n = 0; n <= 20; ++n) {
    const int expected = n * 20 / 100;  // Integer division is the floor for n >= 0.
    EXPECT_EQ(SeniorCap(policy_, n), expected) << "N = " << n;
  }
  // The thresholds POLICY §3 names: fewer than 5 has no senior slot.
  EXPECT_EQ(SeniorCap(policy_, 4), 0);
  EXPECT_EQ(SeniorCap(policy_, 5), 1);
  EXPECT_EQ(SeniorCap(policy_, 9), 1);
  EXPECT_EQ(SeniorCap(policy_, 10), 2);
}

TEST_F(QuotaTest, SeniorCapForLargeCounties) {
  for (int n : {1000, 100000, 1'000'003}) {
    const int expected = static_cast<int>(static_cast<int64_t>(n) * 20 / 100);
    EXPECT_EQ(SeniorCap(policy_, n), expected) << "N = " << n;
  }
  EXPECT_EQ(SeniorCap(policy_, 1'000'003), 200'000);  // 200000.6 rounded down.
}

TEST_F(QuotaTest, LevelCapOfAnUncappedLevelIsN) {
  const LevelPolicy* junior = FindLevel(policy_, Level::LEVEL_JUNIOR);
  ASSERT_NE(junior, nullptr);
  ASSERT_FALSE(junior->share_is_hard_cap());
  for (int n : {0, 1, 7, 100}) EXPECT_EQ(LevelCap(*junior, n), n);
}

TEST_F(QuotaTest, SeniorCapFollowsAVariantShare) {
  const Policy variant = VariantPolicy(30, 45, 25);
  for (int n = 0; n <= 40; ++n) {
    EXPECT_EQ(SeniorCap(variant, n), n * 25 / 100) << "N = " << n;
  }
  EXPECT_EQ(SeniorCap(variant, 4), 1);  // 20% would give 0 here.
}

TEST_F(QuotaTest, SuggestedHeadCountsSumToN) {
  for (int n = 0; n <= 200; ++n) {
    const HeadCounts counts = SuggestedHeadCounts(policy_, n);
    int sum = 0;
    for (const auto& [level, count] : counts) {
      EXPECT_GE(count, 0) << "N = " << n;
      sum += count;
    }
    EXPECT_EQ(sum, n) << "N = " << n;
  }
}

TEST_F(QuotaTest, SuggestedSeniorsNeverExceedTheCap) {
  for (int n = 0; n <= 200; ++n) {
    HeadCounts counts = SuggestedHeadCounts(policy_, n);
    EXPECT_LE(counts[Level::LEVEL_SENIOR], SeniorCap(policy_, n)) << "N = " << n;
  }
}

TEST_F(QuotaTest, SuggestedHeadCountsStayWithinOneOfTheExactShareForUncappedLevels) {
  // Largest remainder never moves an uncapped level more than one head from share × N.
  for (int n = 0; n <= 200; ++n) {
    HeadCounts counts = SuggestedHeadCounts(policy_, n);
    for (const LevelPolicy& level : policy_.levels()) {
      const int floor = level.suggested_share_percent() * n / 100;
      EXPECT_GE(counts[level.level()], floor) << Level_Name(level.level()) << " N = " << n;
      EXPECT_LE(counts[level.level()], floor + 1) << Level_Name(level.level()) << " N = " << n;
    }
  }
}

TEST_F(QuotaTest, SuggestedHeadCountsForSeven) {
  // 2.1 / 3.5 / 1.4 → floors 2/3/1, the one head left goes to the largest remainder (.5).
  HeadCounts counts = SuggestedHeadCounts(policy_, 7);
  EXPECT_EQ(counts[Level::LEVEL_JUNIOR], 2);
  EXPECT_EQ(counts[Level::LEVEL_INTERMEDIATE], 4);
  EXPECT_EQ(counts[Level::LEVEL_SENIOR], 1);
}

TEST_F(QuotaTest, SuggestedHeadCountsForFourNeverRoundTheSeniorUp) {
  // 1.2 / 2.0 / 0.8: senior has the largest remainder but its cap is floor(0.8) = 0,
  // so the head goes to the next remainder, junior.
  HeadCounts counts = SuggestedHeadCounts(policy_, 4);
  EXPECT_EQ(counts[Level::LEVEL_JUNIOR], 2);
  EXPECT_EQ(counts[Level::LEVEL_INTERMEDIATE], 2);
  EXPECT_EQ(counts[Level::LEVEL_SENIOR], 0);
}

TEST_F(QuotaTest, SuggestedHeadCountsForTenAreExact) {
  HeadCounts counts = SuggestedHeadCounts(policy_, 10);
  EXPECT_EQ(counts[Level::LEVEL_JUNIOR], 3);
  EXPECT_EQ(counts[Level::LEVEL_INTERMEDIATE], 5);
  EXPECT_EQ(counts[Level::LEVEL_SENIOR], 2);
}

TEST_F(QuotaTest, SuggestedHeadCountsForFiveBreakTheTieByTheLargerShare) {
  // 1.5 / 2.5 / 1.0: junior and intermediate tie on remainder .5; the larger share
  // (intermediate, 50%) takes the one head left.
  HeadCounts counts = SuggestedHeadCounts(policy_, 5);
  EXPECT_EQ(counts[Level::LEVEL_JUNIOR], 1);
  EXPECT_EQ(counts[Level::LEVEL_INTERMEDIATE], 3);
  EXPECT_EQ(counts[Level::LEVEL_SENIOR], 1);
}

TEST_F(QuotaTest, SuggestedHeadCountsBreakAFullTieByTheLowerLevel) {
  // 40/40/20: N = 1 gives 0.4 / 0.4 / 0.2; junior and intermediate tie on remainder and
  // share, so the lower level (junior) takes the head.
  const Policy variant = VariantPolicy(40, 40, 20);
  HeadCounts counts = SuggestedHeadCounts(variant, 1);
  EXPECT_EQ(counts[Level::LEVEL_JUNIOR], 1);
  EXPECT_EQ(counts[Level::LEVEL_INTERMEDIATE], 0);
  EXPECT_EQ(counts[Level::LEVEL_SENIOR], 0);
}

TEST_F(QuotaTest, SuggestedHeadCountsOfAVariantPolicy) {
  const Policy variant = VariantPolicy(30, 45, 25);
  for (int n = 0; n <= 200; ++n) {
    HeadCounts counts = SuggestedHeadCounts(variant, n);
    EXPECT_EQ(counts[Level::LEVEL_JUNIOR] + counts[Level::LEVEL_INTERMEDIATE] + counts[Level::LEVEL_SENIOR], n)
        << "N = " << n;
    EXPECT_LE(counts[Level::LEVEL_SENIOR], n * 25 / 100) << "N = " << n;
  }
  // N = 8: 2.4 / 3.6 / 2.0 → floors 2/3/2, the head left goes to intermediate (.6).
  HeadCounts eight = SuggestedHeadCounts(variant, 8);
  EXPECT_EQ(eight[Level::LEVEL_JUNIOR], 2);
  EXPECT_EQ(eight[Level::LEVEL_INTERMEDIATE], 4);
  EXPECT_EQ(eight[Level::LEVEL_SENIOR], 2);
}

TEST_F(QuotaTest, ComputeStandingWithinTheCap) {
  // N = 10 → cap 2; one senior → one free slot.
  const QuotaStanding standing =
      ComputeStanding(policy_, {{Level::LEVEL_JUNIOR, 4}, {Level::LEVEL_INTERMEDIATE, 5}, {Level::LEVEL_SENIOR, 1}});
  EXPECT_EQ(standing.levelled, 10);
  EXPECT_EQ(standing.senior_cap, 2);
  EXPECT_EQ(standing.free_senior_slots, 1);
  EXPECT_FALSE(standing.over_cap);
  EXPECT_EQ(standing.suggested.at(Level::LEVEL_JUNIOR), 3);
  EXPECT_EQ(standing.suggested.at(Level::LEVEL_INTERMEDIATE), 5);
  EXPECT_EQ(standing.suggested.at(Level::LEVEL_SENIOR), 2);
  EXPECT_EQ(standing.head_counts.at(Level::LEVEL_SENIOR), 1);
}

TEST_F(QuotaTest, ComputeStandingAtTheCapHasNoFreeSlot) {
  const QuotaStanding standing =
      ComputeStanding(policy_, {{Level::LEVEL_JUNIOR, 3}, {Level::LEVEL_INTERMEDIATE, 5}, {Level::LEVEL_SENIOR, 2}});
  EXPECT_EQ(standing.senior_cap, 2);
  EXPECT_EQ(standing.free_senior_slots, 0);
  EXPECT_FALSE(standing.over_cap);
}

TEST_F(QuotaTest, ComputeStandingOverTheCapAfterExits) {
  // Two seniors of N = 9: cap floor(1.8) = 1, so the county is over its cap.
  const QuotaStanding standing =
      ComputeStanding(policy_, {{Level::LEVEL_JUNIOR, 3}, {Level::LEVEL_INTERMEDIATE, 4}, {Level::LEVEL_SENIOR, 2}});
  EXPECT_EQ(standing.levelled, 9);
  EXPECT_EQ(standing.senior_cap, 1);
  EXPECT_TRUE(standing.over_cap);
  EXPECT_EQ(standing.free_senior_slots, 0);
}

TEST_F(QuotaTest, ComputeStandingIgnoresLevelsOutsideThePolicyAndFillsMissingOnes) {
  // Unlevelled managers (on trial, awaiting a level) are not part of N.
  const QuotaStanding standing =
      ComputeStanding(policy_, {{Level::LEVEL_UNSPECIFIED, 7}, {Level::LEVEL_INTERMEDIATE, 5}});
  EXPECT_EQ(standing.levelled, 5);
  EXPECT_EQ(standing.head_counts.at(Level::LEVEL_JUNIOR), 0);
  EXPECT_EQ(standing.head_counts.at(Level::LEVEL_SENIOR), 0);
  EXPECT_EQ(standing.head_counts.count(Level::LEVEL_UNSPECIFIED), 0u);
  EXPECT_EQ(standing.senior_cap, 1);
  EXPECT_EQ(standing.free_senior_slots, 1);
}

TEST_F(QuotaTest, ComputeStandingOfAnEmptyCounty) {
  const QuotaStanding standing = ComputeStanding(policy_, {});
  EXPECT_EQ(standing.levelled, 0);
  EXPECT_EQ(standing.senior_cap, 0);
  EXPECT_EQ(standing.free_senior_slots, 0);
  EXPECT_FALSE(standing.over_cap);
}

TEST_F(QuotaTest, CheckCapAllowsAnIncreaseUpToTheCap) {
  for (int n = 0; n <= 50; ++n) {
    const int cap = n * 20 / 100;
    EXPECT_TRUE(CheckCapAfterIncrease(policy_, Level::LEVEL_SENIOR, cap, n, "orgUnits/3", "柯城区").ok())
        << "N = " << n;
    const absl::Status above = CheckCapAfterIncrease(policy_, Level::LEVEL_SENIOR, cap + 1, n, "orgUnits/3", "柯城区");
    EXPECT_EQ(above.code(), absl::StatusCode::kFailedPrecondition) << "N = " << n;
    EXPECT_EQ(ErrorReason(above), std::string(reason::kSeniorCapReached)) << "N = " << n;
  }
}

TEST_F(QuotaTest, CheckCapRefusalNamesTheCountyAndTheNumbers) {
  const absl::Status status = CheckCapAfterIncrease(policy_, Level::LEVEL_SENIOR, 3, 10, "orgUnits/3", "柯城区");
  ASSERT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("柯城区"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("orgUnits/3"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("cap 2"));

  auto payload = status.GetPayload(kErrorInfoTypeUrl);
  ASSERT_TRUE(payload.has_value());
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(info.ParseFromString(std::string(*payload)));
  EXPECT_EQ(info.metadata().at("cap"), "2");
  EXPECT_EQ(info.metadata().at("holders"), "2");  // Held now, before the refused change.
  EXPECT_EQ(info.metadata().at("levelled_customer_managers"), "10");
  EXPECT_EQ(info.metadata().at("policy_version"), policy_.version());

  auto precondition = status.GetPayload(kPreconditionFailureTypeUrl);
  ASSERT_TRUE(precondition.has_value());
  google::rpc::PreconditionFailure failure;
  ASSERT_TRUE(failure.ParseFromString(std::string(*precondition)));
  ASSERT_EQ(failure.violations_size(), 1);
  EXPECT_EQ(failure.violations(0).subject(), "orgUnits/3");
}

TEST_F(QuotaTest, CheckCapNeverRefusesALevelWithoutAHardCap) {
  for (Level level : {Level::LEVEL_JUNIOR, Level::LEVEL_INTERMEDIATE}) {
    for (int n = 0; n <= 20; ++n) {
      EXPECT_TRUE(CheckCapAfterIncrease(policy_, level, n, n, "orgUnits/3", "x").ok());
      // Even numbers no real county has are not this function's business for such a level.
      EXPECT_TRUE(CheckCapAfterIncrease(policy_, level, n + 5, n, "orgUnits/3", "x").ok());
    }
  }
}

TEST_F(QuotaTest, CheckCapUsesTheVariantShare) {
  const Policy variant = VariantPolicy(30, 45, 25);
  // N = 4: 25% gives one senior slot where the shipped 20% gives none.
  EXPECT_TRUE(CheckCapAfterIncrease(variant, Level::LEVEL_SENIOR, 1, 4, "orgUnits/1", "x").ok());
  EXPECT_EQ(CheckCapAfterIncrease(policy_, Level::LEVEL_SENIOR, 1, 4, "orgUnits/1", "x").code(),
            absl::StatusCode::kFailedPrecondition);
  const absl::Status above = CheckCapAfterIncrease(variant, Level::LEVEL_SENIOR, 2, 4, "orgUnits/1", "x");
  EXPECT_EQ(above.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(above), std::string(reason::kSeniorCapReached));
}

TEST_F(QuotaTest, CheckCapOnAnotherHardCappedLevelUsesTheGenericReason) {
  Policy variant = VariantPolicy(30, 50, 20);
  variant.mutable_levels(1)->set_share_is_hard_cap(true);  // Intermediate capped at 50%.
  EXPECT_TRUE(CheckCapAfterIncrease(variant, Level::LEVEL_INTERMEDIATE, 5, 10, "orgUnits/1", "x").ok());
  const absl::Status above = CheckCapAfterIncrease(variant, Level::LEVEL_INTERMEDIATE, 6, 10, "orgUnits/1", "x");
  EXPECT_EQ(above.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(above), std::string(reason::kLevelCapReached));
}

}  // namespace
}  // namespace ladder::policy
