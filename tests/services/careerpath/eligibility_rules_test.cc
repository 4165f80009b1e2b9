// The rules for moving up, down or out (POLICY §6), applied to facts built by hand: each
// rule passing and failing, and the evidence a person reads.

#include "services/careerpath/eligibility_rules.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ladder::careerpath {
namespace {

using common::v1::Level;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace pv1 = ::ladder::personnel::v1;
namespace ev1 = ::ladder::evaluation::v1;

constexpr auto kJunior = Level::LEVEL_JUNIOR;
constexpr auto kIntermediate = Level::LEVEL_INTERMEDIATE;
constexpr auto kSenior = Level::LEVEL_SENIOR;

const policy::Policy& Shipped() {
  static const policy::PolicySet* set = [] {
    absl::StatusOr<policy::PolicySet> loaded = policy::PolicySet::LoadFromDirectory("config/policy");
    EXPECT_TRUE(loaded.ok()) << loaded.status() << " (run from the repository root)";
    return new policy::PolicySet(loaded.ok() ? *std::move(loaded) : policy::PolicySet());
  }();
  const policy::Policy* policy = set->Find("1.1.0");
  EXPECT_NE(policy, nullptr);
  static const policy::Policy empty;
  return policy != nullptr ? *policy : empty;
}

google::type::Date Date(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

ev1::ScoreHistoryEntry Entry(const std::string& cycle, double composite) {
  ev1::ScoreHistoryEntry entry;
  entry.set_cycle("cycles/1");
  entry.set_cycle_display_name(cycle);
  entry.set_composite(composite);
  return entry;
}

pv1::CountyQuota Quota(int levelled, int seniors, int cap) {
  pv1::CountyQuota quota;
  quota.set_county("orgUnits/7");
  quota.set_levelled_customer_managers(levelled);
  for (Level level : {kJunior, kIntermediate, kSenior}) {
    auto* entry = quota.add_levels();
    entry->set_level(level);
    entry->set_head_count(level == kSenior ? seniors : 0);
  }
  quota.set_senior_cap(cap);
  quota.set_free_senior_slots(std::max(0, cap - seniors));
  quota.set_over_cap(seniors > cap);
  return quota;
}

// A customer manager in post at `level` since `since`, judged on 2026-11-26.
Facts Manager(Level level, google::type::Date since) {
  Facts facts;
  facts.employee.set_name("employees/42");
  facts.employee.set_role(pv1::ROLE_CUSTOMER_MANAGER);
  facts.employee.set_status(pv1::EMPLOYMENT_STATUS_ACTIVE);
  facts.employee.set_county("orgUnits/7");
  facts.employee.set_level(level);
  *facts.employee.mutable_level_since() = since;
  facts.county_display_name = "龙游县";
  facts.today = absl::CivilDay(2026, 11, 26);
  return facts;
}

const cv1::RuleCheck* Rule(const cv1::Eligibility& eligibility, const std::string& rule) {
  for (const auto& check : eligibility.rules()) {
    if (check.rule() == rule) return &check;
  }
  return nullptr;
}

std::vector<std::string> RuleNames(const cv1::Eligibility& eligibility) {
  std::vector<std::string> names;
  for (const auto& check : eligibility.rules()) names.push_back(check.rule());
  return names;
}

cv1::Eligibility Check(const Facts& facts, cv1::Target target,
                       common::v1::CareerMoveTarget move = common::v1::CAREER_MOVE_TARGET_UNSPECIFIED,
                       const policy::Policy& policy = Shipped()) {
  return CheckEligibility(facts, target, move, policy);
}

// ------------------------------------------------------------------ promotion

TEST(PromotionRuleTest, JuniorQualifiesWithTenureAndTwoHighComposites) {
  Facts facts = Manager(kJunior, Date(2025, 9, 10));  // 14 months on 2026-11-26
  facts.history = {Entry("2026-Q2", 87.5), Entry("2026-Q1", 90)};
  const cv1::Eligibility result = Check(facts, cv1::TARGET_PROMOTION);

  EXPECT_TRUE(result.eligible());
  EXPECT_EQ(result.employee(), "employees/42");
  EXPECT_EQ(result.target(), cv1::TARGET_PROMOTION);
  EXPECT_EQ(result.from_level(), kJunior);
  EXPECT_EQ(result.to_level(), kIntermediate);
  EXPECT_EQ(result.policy_version(), "1.1.0");
  EXPECT_THAT(RuleNames(result),
              ElementsAre("CUSTOMER_MANAGER", "HOLDS_LEVEL", "MIN_MONTHS_AT_LEVEL", "MIN_COMPOSITE"));
  ASSERT_NE(Rule(result, "MIN_MONTHS_AT_LEVEL"), nullptr);
  EXPECT_EQ(Rule(result, "MIN_MONTHS_AT_LEVEL")->evidence(), "14 months at level ≥ 12");
  EXPECT_EQ(Rule(result, "MIN_MONTHS_AT_LEVEL")->requirement(), "at least 12 months at level");
  ASSERT_NE(Rule(result, "MIN_COMPOSITE"), nullptr);
  EXPECT_EQ(Rule(result, "MIN_COMPOSITE")->evidence(), "composite 87.5 in 2026-Q2 ≥ 85; composite 90 in 2026-Q1 ≥ 85");
  EXPECT_TRUE(result.has_latest_composite());
  EXPECT_DOUBLE_EQ(result.latest_composite(), 87.5);
  EXPECT_EQ(result.days_at_level(), absl::CivilDay(2026, 11, 26) - absl::CivilDay(2025, 9, 10));
}

TEST(PromotionRuleTest, TooFewMonthsAtLevel) {
  // A month counts once its day is reached: 2025-11-27 → 2026-11-26 is 11 months.
  Facts facts = Manager(kJunior, Date(2025, 11, 27));
  facts.history = {Entry("2026-Q3", 95), Entry("2026-Q2", 95)};
  cv1::Eligibility result = Check(facts, cv1::TARGET_PROMOTION);
  EXPECT_FALSE(result.eligible());
  EXPECT_FALSE(Rule(result, "MIN_MONTHS_AT_LEVEL")->passed());
  EXPECT_EQ(Rule(result, "MIN_MONTHS_AT_LEVEL")->evidence(), "11 months at level < 12");
  EXPECT_TRUE(Rule(result, "MIN_COMPOSITE")->passed());
  EXPECT_EQ(FirstFailure(result), "MIN_MONTHS_AT_LEVEL: 11 months at level < 12");

  facts = Manager(kJunior, Date(2025, 11, 26));  // exactly 12
  facts.history = {Entry("2026-Q3", 95), Entry("2026-Q2", 95)};
  result = Check(facts, cv1::TARGET_PROMOTION);
  EXPECT_TRUE(result.eligible()) << FirstFailure(result);
  EXPECT_EQ(Rule(result, "MIN_MONTHS_AT_LEVEL")->evidence(), "12 months at level ≥ 12");
}

TEST(PromotionRuleTest, OneLowCompositeFails) {
  Facts facts = Manager(kJunior, Date(2024, 1, 1));
  facts.history = {Entry("2026-Q3", 91), Entry("2026-Q2", 84.9), Entry("2026-Q1", 99)};
  const cv1::Eligibility result = Check(facts, cv1::TARGET_PROMOTION);
  EXPECT_FALSE(result.eligible());
  EXPECT_TRUE(Rule(result, "MIN_MONTHS_AT_LEVEL")->passed());
  EXPECT_FALSE(Rule(result, "MIN_COMPOSITE")->passed());
  // Only the last two cycles are looked at.
  EXPECT_EQ(Rule(result, "MIN_COMPOSITE")->evidence(),
            "composite 91 in 2026-Q3 ≥ 85; composite 84.9 in 2026-Q2 not ≥ 85");
}

TEST(PromotionRuleTest, ACompositeJustBelowTheThresholdIsNotShownRoundedUp) {
  Facts facts = Manager(kJunior, Date(2024, 1, 1));
  facts.history = {Entry("2026-Q3", 84.95), Entry("2026-Q2", 90)};
  const cv1::Eligibility result = Check(facts, cv1::TARGET_PROMOTION);
  EXPECT_FALSE(Rule(result, "MIN_COMPOSITE")->passed());
  EXPECT_THAT(Rule(result, "MIN_COMPOSITE")->evidence(), HasSubstr("composite 84.95 in 2026-Q3 not ≥ 85"));
}

TEST(PromotionRuleTest, TooFewFinalisedCycles) {
  Facts facts = Manager(kJunior, Date(2024, 1, 1));
  facts.history = {Entry("2026-Q3", 99)};
  cv1::Eligibility result = Check(facts, cv1::TARGET_PROMOTION);
  EXPECT_FALSE(result.eligible());
  EXPECT_EQ(Rule(result, "MIN_COMPOSITE")->evidence(),
            "composite 99 in 2026-Q3 ≥ 85; only 1 finalised cycle(s) at LEVEL_JUNIOR of the 2 needed");

  facts.history.clear();
  result = Check(facts, cv1::TARGET_PROMOTION);
  EXPECT_FALSE(result.eligible());
  EXPECT_FALSE(result.has_latest_composite());
  EXPECT_EQ(Rule(result, "MIN_COMPOSITE")->evidence(), "only 0 finalised cycle(s) at LEVEL_JUNIOR of the 2 needed");
}

TEST(PromotionRuleTest, IntermediateToSeniorWithAFreeSlot) {
  Facts facts = Manager(kIntermediate, Date(2024, 5, 1));  // 30 months
  facts.history = {Entry("2026-Q3", 92), Entry("2026-Q2", 90)};
  facts.quota = Quota(20, 3, 4);
  const cv1::Eligibility result = Check(facts, cv1::TARGET_PROMOTION);
  EXPECT_TRUE(result.eligible()) << FirstFailure(result);
  EXPECT_EQ(result.to_level(), kSenior);
  EXPECT_THAT(RuleNames(result), ElementsAre("CUSTOMER_MANAGER", "HOLDS_LEVEL", "MIN_MONTHS_AT_LEVEL", "MIN_COMPOSITE",
                                             "FREE_SENIOR_SLOT"));
  EXPECT_EQ(Rule(result, "MIN_MONTHS_AT_LEVEL")->evidence(), "30 months at level ≥ 24");
  EXPECT_EQ(Rule(result, "MIN_COMPOSITE")->evidence(), "composite 92 in 2026-Q3 ≥ 90; composite 90 in 2026-Q2 ≥ 90");
  EXPECT_EQ(Rule(result, "FREE_SENIOR_SLOT")->evidence(), "free senior slot in 龙游县: 3 seniors, cap 4");
  EXPECT_FALSE(FailsOnlyForSlot(result));
}

TEST(PromotionRuleTest, NoFreeSeniorSlot) {
  Facts facts = Manager(kIntermediate, Date(2024, 5, 1));
  facts.history = {Entry("2026-Q3", 92), Entry("2026-Q2", 90)};
  facts.quota = Quota(20, 4, 4);
  const cv1::Eligibility result = Check(facts, cv1::TARGET_PROMOTION);
  EXPECT_FALSE(result.eligible());
  EXPECT_FALSE(Rule(result, "FREE_SENIOR_SLOT")->passed());
  EXPECT_EQ(Rule(result, "FREE_SENIOR_SLOT")->evidence(), "no free senior slot in 龙游县: 4 seniors, cap 4");
  EXPECT_TRUE(FailsOnlyForSlot(result));
  EXPECT_EQ(FirstFailure(result), "FREE_SENIOR_SLOT: no free senior slot in 龙游县: 4 seniors, cap 4");
}

TEST(PromotionRuleTest, OverTheCapIsNoFreeSlot) {
  Facts facts = Manager(kIntermediate, Date(2024, 5, 1));
  facts.history = {Entry("2026-Q3", 92), Entry("2026-Q2", 90)};
  facts.quota = Quota(19, 4, 3);
  const cv1::Eligibility result = Check(facts, cv1::TARGET_PROMOTION);
  EXPECT_FALSE(Rule(result, "FREE_SENIOR_SLOT")->passed());
  EXPECT_EQ(Rule(result, "FREE_SENIOR_SLOT")->evidence(), "no free senior slot in 龙游县: 4 seniors, cap 3");
  EXPECT_TRUE(FailsOnlyForSlot(result));
}

TEST(PromotionRuleTest, UnknownQuotaFailsTheSlotRule) {
  Facts facts = Manager(kIntermediate, Date(2024, 5, 1));
  facts.history = {Entry("2026-Q3", 92), Entry("2026-Q2", 90)};
  const cv1::Eligibility result = Check(facts, cv1::TARGET_PROMOTION);
  EXPECT_FALSE(Rule(result, "FREE_SENIOR_SLOT")->passed());
  EXPECT_EQ(Rule(result, "FREE_SENIOR_SLOT")->evidence(), "the county's quota is unknown");
}

TEST(PromotionRuleTest, SlotAndAnotherRuleFailingIsNotTheWaitlistCase) {
  Facts facts = Manager(kIntermediate, Date(2025, 5, 1));  // 18 months < 24
  facts.history = {Entry("2026-Q3", 92), Entry("2026-Q2", 90)};
  facts.quota = Quota(20, 4, 4);
  const cv1::Eligibility result = Check(facts, cv1::TARGET_PROMOTION);
  EXPECT_FALSE(result.eligible());
  EXPECT_FALSE(FailsOnlyForSlot(result));
  EXPECT_EQ(FirstFailure(result), "MIN_MONTHS_AT_LEVEL: 18 months at level < 24");
}

TEST(PromotionRuleTest, SeniorHasNoLevelAbove) {
  Facts facts = Manager(kSenior, Date(2022, 1, 1));
  facts.history = {Entry("2026-Q3", 99), Entry("2026-Q2", 99)};
  const cv1::Eligibility result = Check(facts, cv1::TARGET_PROMOTION);
  EXPECT_FALSE(result.eligible());
  EXPECT_THAT(RuleNames(result), ElementsAre("CUSTOMER_MANAGER", "HOLDS_LEVEL", "NEXT_LEVEL"));
  EXPECT_EQ(result.to_level(), Level::LEVEL_UNSPECIFIED);
}

// ------------------------------------------------------------------ demotion and elimination

TEST(DemotionRuleTest, TwoConsecutiveLowCompositesDemoteOneLevel) {
  Facts facts = Manager(kIntermediate, Date(2023, 1, 1));
  facts.history = {Entry("2026-Q3", 59.9), Entry("2026-Q2", 55), Entry("2026-Q1", 80)};
  const cv1::Eligibility result = Check(facts, cv1::TARGET_DEMOTION);
  EXPECT_TRUE(result.eligible()) << FirstFailure(result);
  EXPECT_EQ(result.to_level(), kJunior);
  EXPECT_THAT(RuleNames(result), ElementsAre("CUSTOMER_MANAGER", "HOLDS_LEVEL", "LEVEL_BELOW", "LOW_COMPOSITE"));
  EXPECT_EQ(Rule(result, "LOW_COMPOSITE")->evidence(), "composite 59.9 in 2026-Q3 < 60; composite 55 in 2026-Q2 < 60");

  facts = Manager(kSenior, Date(2023, 1, 1));
  facts.history = {Entry("2026-Q3", 40), Entry("2026-Q2", 50)};
  EXPECT_EQ(Check(facts, cv1::TARGET_DEMOTION).to_level(), kIntermediate);
}

TEST(DemotionRuleTest, NotConsecutiveOrNotLowIsNoDemotion) {
  Facts facts = Manager(kIntermediate, Date(2023, 1, 1));
  facts.history = {Entry("2026-Q3", 70), Entry("2026-Q2", 50), Entry("2026-Q1", 50)};
  cv1::Eligibility result = Check(facts, cv1::TARGET_DEMOTION);
  EXPECT_FALSE(result.eligible());
  EXPECT_EQ(Rule(result, "LOW_COMPOSITE")->evidence(),
            "composite 70 in 2026-Q3 not < 60; composite 50 in 2026-Q2 < 60");

  facts.history = {Entry("2026-Q3", 60), Entry("2026-Q2", 50)};  // 60 is not below 60
  EXPECT_FALSE(Check(facts, cv1::TARGET_DEMOTION).eligible());

  facts.history = {Entry("2026-Q3", 10)};
  EXPECT_FALSE(Check(facts, cv1::TARGET_DEMOTION).eligible());
}

TEST(DemotionRuleTest, AJuniorHasNoLevelBelow) {
  Facts facts = Manager(kJunior, Date(2023, 1, 1));
  facts.history = {Entry("2026-Q3", 10), Entry("2026-Q2", 10)};
  const cv1::Eligibility result = Check(facts, cv1::TARGET_DEMOTION);
  EXPECT_FALSE(result.eligible());
  EXPECT_FALSE(Rule(result, "LEVEL_BELOW")->passed());
  EXPECT_EQ(Rule(result, "LEVEL_BELOW")->evidence(), "LEVEL_JUNIOR is the lowest level; see elimination");
}

TEST(EliminationRuleTest, AJuniorWithTwoLowCompositesIsEliminated) {
  Facts facts = Manager(kJunior, Date(2023, 1, 1));
  facts.history = {Entry("2026-Q3", 45), Entry("2026-Q2", 58)};
  const cv1::Eligibility result = Check(facts, cv1::TARGET_ELIMINATION);
  EXPECT_TRUE(result.eligible()) << FirstFailure(result);
  EXPECT_THAT(RuleNames(result),
              ElementsAre("CUSTOMER_MANAGER", "HOLDS_LEVEL", "AT_ELIMINATION_LEVEL", "LOW_COMPOSITE"));
  EXPECT_EQ(Rule(result, "LOW_COMPOSITE")->evidence(), "composite 45 in 2026-Q3 < 60; composite 58 in 2026-Q2 < 60");
  EXPECT_EQ(result.to_level(), Level::LEVEL_UNSPECIFIED);
}

TEST(EliminationRuleTest, OnlyJuniorsAndOnlyOnTwoLowComposites) {
  Facts facts = Manager(kIntermediate, Date(2023, 1, 1));
  facts.history = {Entry("2026-Q3", 45), Entry("2026-Q2", 58)};
  cv1::Eligibility result = Check(facts, cv1::TARGET_ELIMINATION);
  EXPECT_FALSE(result.eligible());
  EXPECT_FALSE(Rule(result, "AT_ELIMINATION_LEVEL")->passed());
  EXPECT_EQ(Rule(result, "AT_ELIMINATION_LEVEL")->evidence(), "holds LEVEL_INTERMEDIATE");

  facts = Manager(kJunior, Date(2023, 1, 1));
  facts.history = {Entry("2026-Q3", 45), Entry("2026-Q2", 61)};
  result = Check(facts, cv1::TARGET_ELIMINATION);
  EXPECT_FALSE(result.eligible());
  EXPECT_FALSE(Rule(result, "LOW_COMPOSITE")->passed());
}

// Evidence is used once (POLICY §6): two low quarters as an intermediate demote; the same
// two quarters do not then eliminate the new junior, who needs two low cycles as a junior.
TEST(EliminationRuleTest, CyclesScoredAtTheOldLevelDoNotCountAfterADemotion) {
  Facts facts = Manager(kJunior, Date(2026, 10, 15));
  ev1::ScoreHistoryEntry q3 = Entry("2026-Q3", 59.9), q2 = Entry("2026-Q2", 56);
  q3.set_level(kIntermediate);
  q2.set_level(kIntermediate);
  facts.history = {q3, q2};
  cv1::Eligibility result = Check(facts, cv1::TARGET_ELIMINATION);
  EXPECT_FALSE(result.eligible());
  EXPECT_FALSE(Rule(result, "LOW_COMPOSITE")->passed());
  EXPECT_EQ(Rule(result, "LOW_COMPOSITE")->evidence(), "only 0 finalised cycle(s) at LEVEL_JUNIOR of the 2 needed");

  // One low cycle as a junior, then one from before: still not two at this level.
  ev1::ScoreHistoryEntry q4 = Entry("2026-Q4", 40);
  q4.set_level(kJunior);
  facts.history = {q4, q3, q2};
  result = Check(facts, cv1::TARGET_ELIMINATION);
  EXPECT_FALSE(result.eligible());
  EXPECT_THAT(Rule(result, "LOW_COMPOSITE")->evidence(), HasSubstr("composite 40 in 2026-Q4 < 60"));

  // Two low cycles as a junior: eliminated.
  ev1::ScoreHistoryEntry q1 = Entry("2027-Q1", 50);
  q1.set_level(kJunior);
  facts.history = {q1, q4, q3, q2};
  result = Check(facts, cv1::TARGET_ELIMINATION);
  EXPECT_TRUE(result.eligible()) << FirstFailure(result);
}

// The same for promotions: high cycles as a junior do not carry a new intermediate on.
TEST(PromotionRuleTest, CyclesScoredAtTheOldLevelDoNotCountAfterAPromotion) {
  Facts facts = Manager(kIntermediate, Date(2023, 1, 1));
  ev1::ScoreHistoryEntry a = Entry("2026-Q3", 95), b = Entry("2026-Q2", 96);
  a.set_level(kIntermediate);
  b.set_level(kJunior);
  facts.history = {a, b};
  facts.quota = Quota(50, 5, 10);
  const cv1::Eligibility result = Check(facts, cv1::TARGET_PROMOTION);
  EXPECT_FALSE(result.eligible());
  EXPECT_FALSE(Rule(result, "MIN_COMPOSITE")->passed());
}

// ------------------------------------------------------------------ career moves

TEST(CareerMoveRuleTest, ASeniorMayMoveToEveryNamedPost) {
  Facts facts = Manager(kSenior, Date(2023, 1, 1));
  for (auto target : {common::v1::CAREER_MOVE_TARGET_GROUP_DATA_SUPERVISOR, common::v1::CAREER_MOVE_TARGET_BRANCH_CHIEF,
                      common::v1::CAREER_MOVE_TARGET_OTHER_POST}) {
    const cv1::Eligibility result = Check(facts, cv1::TARGET_CAREER_MOVE, target);
    EXPECT_TRUE(result.eligible()) << FirstFailure(result);
    EXPECT_EQ(result.career_move_target(), target);
    EXPECT_THAT(RuleNames(result),
                ElementsAre("CUSTOMER_MANAGER", "HOLDS_LEVEL", "CAREER_MOVE_TARGET", "CAREER_MOVE_LEVEL"));
  }
}

TEST(CareerMoveRuleTest, OnlySeniorsAndOnlyPostsThePolicyNames) {
  Facts facts = Manager(kIntermediate, Date(2023, 1, 1));
  cv1::Eligibility result = Check(facts, cv1::TARGET_CAREER_MOVE, common::v1::CAREER_MOVE_TARGET_BRANCH_CHIEF);
  EXPECT_FALSE(result.eligible());
  EXPECT_EQ(FirstFailure(result), "CAREER_MOVE_LEVEL: holds LEVEL_INTERMEDIATE");

  policy::Policy narrow = Shipped();
  narrow.mutable_career_moves()->clear_targets();
  narrow.mutable_career_moves()->add_targets(common::v1::CAREER_MOVE_TARGET_BRANCH_CHIEF);
  facts = Manager(kSenior, Date(2023, 1, 1));
  result = Check(facts, cv1::TARGET_CAREER_MOVE, common::v1::CAREER_MOVE_TARGET_OTHER_POST, narrow);
  EXPECT_FALSE(result.eligible());
  EXPECT_FALSE(Rule(result, "CAREER_MOVE_TARGET")->passed());
  EXPECT_EQ(Rule(result, "CAREER_MOVE_TARGET")->evidence(), "CAREER_MOVE_TARGET_OTHER_POST");
  EXPECT_TRUE(Check(facts, cv1::TARGET_CAREER_MOVE, common::v1::CAREER_MOVE_TARGET_BRANCH_CHIEF, narrow).eligible());
}

// ------------------------------------------------------------------ who is in post

TEST(InPostRuleTest, AnotherRoleIsRefusedWithTheRuleNamed) {
  Facts facts = Manager(kSenior, Date(2023, 1, 1));
  facts.employee.set_role(pv1::ROLE_CUSTOMER_SERVICE_STAFF);
  facts.employee.set_level(Level::LEVEL_UNSPECIFIED);
  facts.history = {Entry("2026-Q3", 99), Entry("2026-Q2", 99)};
  for (cv1::Target target : {cv1::TARGET_PROMOTION, cv1::TARGET_DEMOTION, cv1::TARGET_ELIMINATION}) {
    const cv1::Eligibility result = Check(facts, target);
    EXPECT_FALSE(result.eligible());
    // Nothing else is judged for someone out of the track.
    EXPECT_THAT(RuleNames(result), ElementsAre("CUSTOMER_MANAGER", "HOLDS_LEVEL"));
    EXPECT_EQ(FirstFailure(result), "CUSTOMER_MANAGER: employees/42 is ROLE_CUSTOMER_SERVICE_STAFF");
  }
}

TEST(InPostRuleTest, SeparatedOrUnlevelledIsRefused) {
  Facts facts = Manager(kIntermediate, Date(2023, 1, 1));
  facts.employee.set_status(pv1::EMPLOYMENT_STATUS_SEPARATED);
  cv1::Eligibility result = Check(facts, cv1::TARGET_DEMOTION);
  EXPECT_FALSE(result.eligible());
  EXPECT_EQ(FirstFailure(result), "HOLDS_LEVEL: status EMPLOYMENT_STATUS_SEPARATED, level LEVEL_INTERMEDIATE");

  facts = Manager(Level::LEVEL_UNSPECIFIED, Date(2023, 1, 1));
  facts.employee.clear_level_since();
  facts.employee.set_status(pv1::EMPLOYMENT_STATUS_AWAITING_LEVEL);
  result = Check(facts, cv1::TARGET_PROMOTION);
  EXPECT_FALSE(result.eligible());
  EXPECT_FALSE(Rule(result, "HOLDS_LEVEL")->passed());
  EXPECT_EQ(result.days_at_level(), 0);
}

TEST(InPostRuleTest, AnUnknownTargetIsNeverEligible) {
  const Facts facts = Manager(kJunior, Date(2023, 1, 1));
  const cv1::Eligibility result = Check(facts, cv1::TARGET_UNSPECIFIED);
  EXPECT_FALSE(result.eligible());
  EXPECT_EQ(FirstFailure(result), "TARGET: unknown target");
  EXPECT_EQ(FirstFailure(Check(Manager(kJunior, Date(2023, 1, 1)), cv1::TARGET_CAREER_MOVE,
                               common::v1::CAREER_MOVE_TARGET_BRANCH_CHIEF)),
            "CAREER_MOVE_LEVEL: holds LEVEL_JUNIOR");
}

}  // namespace
}  // namespace ladder::careerpath
