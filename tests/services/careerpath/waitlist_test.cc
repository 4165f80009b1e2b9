// The waitlist for senior slots: approved promotions blocked by the cap wait in the order
// of their evidence; when slots free (an exit, a demotion, a career move), the head of the
// line is applied on approval after a full re-check; nobody jumps the line, and nobody
// waits for a slot that is free.

#include "gmock/gmock.h"
#include "tests/services/careerpath/careerpath_test_base.h"

namespace ladder::testing {
namespace {

using grpc::StatusCode;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class WaitlistTest : public CareerPathServiceTestBase {
 protected:
  // Names of the waiting cases in ListCases order, checking the positions run 1, 2, 3…
  std::vector<std::string> Line(const std::string& county) {
    std::vector<std::string> names;
    const std::vector<cv1::Case> cases = Waitlist(county);
    for (size_t i = 0; i < cases.size(); ++i) {
      EXPECT_EQ(cases[i].state(), cv1::Case::STATE_WAITING_FOR_SLOT);
      EXPECT_EQ(cases[i].waitlist_position(), static_cast<int>(i + 1)) << cases[i].name();
      EXPECT_EQ(GetCase(cases[i].name()).waitlist_position(), static_cast<int>(i + 1)) << cases[i].name();
      names.push_back(cases[i].name());
    }
    return names;
  }

  cv1::Case ApproveOk(const std::string& name) {
    cv1::Case result;
    EXPECT_THAT(Approve(name, &result), IsOk()) << name;
    return result;
  }
};

TEST_F(WaitlistTest, BlockedPromotionsWaitInOrderAndTakeFreedSlotsInTurn) {
  const std::string county = CreateNamedCounty("开化县");
  // N = 24: the cap is floor(4.8) = 4, and all four senior slots are held.
  for (int i = 0; i < 14; ++i) ManagerMonthsAtLevel(county, kJunior, 40);
  const pv1::Employee a = ManagerMonthsAtLevel(county, kIntermediate, 30);
  const pv1::Employee b = ManagerMonthsAtLevel(county, kIntermediate, 40);
  const pv1::Employee c = ManagerMonthsAtLevel(county, kIntermediate, 28);
  const pv1::Employee d = ManagerMonthsAtLevel(county, kIntermediate, 30);
  const pv1::Employee e = ManagerMonthsAtLevel(county, kIntermediate, 30);
  const pv1::Employee f = ManagerMonthsAtLevel(county, kIntermediate, 30);
  std::vector<pv1::Employee> seniors;
  for (int i = 0; i < 4; ++i) seniors.push_back(ManagerMonthsAtLevel(county, kSenior, 30));
  ASSERT_EQ(Quota(county).free_senior_slots(), 0);

  std::map<std::string, double> older = {{a.name(), 95}, {b.name(), 95}, {c.name(), 95},
                                         {d.name(), 95}, {e.name(), 95}, {f.name(), 80}};
  std::map<std::string, double> newer = {{a.name(), 96}, {b.name(), 93}, {c.name(), 93},
                                         {d.name(), 91}, {e.name(), 97}, {f.name(), 80}};
  FinalisedCycle(county, QuarterBefore(2), older);
  const ev1::Cycle cycle = FinalisedCycle(county, QuarterBefore(1), newer);

  // Held back only by the cap, each is still proposed.
  const cv1::ReviewCycleResponse review = Review(cycle.name());
  ASSERT_EQ(review.created_cases_size(), 5);
  std::map<std::string, std::string> case_of;
  for (const auto& value : review.created_cases()) {
    EXPECT_EQ(value.kind(), cv1::Case::KIND_PROMOTION);
    EXPECT_EQ(value.to_level(), kSenior);
    EXPECT_FALSE(value.evidence().eligible());
    EXPECT_EQ(RuleOf(value.evidence(), "FREE_SENIOR_SLOT")->evidence(),
              "no free senior slot in 开化县: 4 seniors, cap 4");
    case_of[value.employee()] = value.name();
  }
  const std::string ca = case_of[a.name()], cb = case_of[b.name()], cc = case_of[c.name()], cd = case_of[d.name()],
                    ce = case_of[e.name()];

  // Approved worst first, each waits; the line is ordered by the evidence: the latest
  // composite (97, 96, 93, 93, 91), then the longer time at level (b 40 months before c 28).
  for (const std::string& name : {cd, cc, cb, ca, ce}) {
    const cv1::Case waiting = ApproveOk(name);
    EXPECT_EQ(waiting.state(), cv1::Case::STATE_WAITING_FOR_SLOT) << name;
    EXPECT_THAT(waiting.state_reason(), HasSubstr("FREE_SENIOR_SLOT"));
    EXPECT_EQ(waiting.decided_by(), "user:hr-wang");
    EXPECT_FALSE(waiting.has_apply_time());
  }
  EXPECT_THAT(Line(county), ElementsAre(ce, ca, cb, cc, cd));
  // Approving again while nothing is free changes nothing.
  EXPECT_EQ(ApproveOk(cd).waitlist_position(), 5);
  EXPECT_EQ(HeadCount(Quota(county), kSenior), 4);

  // HR moves e down directly; e's case still heads the line until someone acts on it.
  pv1::Employee moved;
  ASSERT_THAT(ChangeLevelOn(e.name(), kIntermediate, kJunior, TodayInBranch(), &moved), IsOk());

  // A senior leaves: N 23, cap floor(4.6) = 4, three seniors: one slot.
  ASSERT_THAT(EndEmployment(seniors[0].name(), pv1::SEPARATION_REASON_RETIRED), IsOk());
  ASSERT_EQ(Quota(county).free_senior_slots(), 1);
  EXPECT_EQ(Line(county).front(), ce);

  // Nobody jumps the line: a is second.
  cv1::Case result = ApproveOk(ca);
  EXPECT_EQ(result.state(), cv1::Case::STATE_WAITING_FOR_SLOT);
  EXPECT_THAT(result.state_reason(), HasSubstr("1 better-placed case(s)"));
  EXPECT_EQ(HeadCount(Quota(county), kSenior), 3);

  // Applying the head re-checks everything: e is no longer an intermediate.
  grpc::Status status = Approve(ce, &result);
  EXPECT_THAT(status, FailsWith(StatusCode::FAILED_PRECONDITION, "NO_LONGER_ELIGIBLE"));
  EXPECT_THAT(status.error_message(), HasSubstr(ce));
  EXPECT_EQ(GetCase(ce).state(), cv1::Case::STATE_WAITING_FOR_SLOT);
  ASSERT_THAT(Withdraw(ce, "moved down by HR meanwhile", &result), IsOk());
  EXPECT_THAT(Line(county), ElementsAre(ca, cb, cc, cd));

  // c is third with one slot free: it waits.
  EXPECT_EQ(ApproveOk(cc).state(), cv1::Case::STATE_WAITING_FOR_SLOT);
  // The head takes the slot.
  result = ApproveOk(ca);
  EXPECT_EQ(result.state(), cv1::Case::STATE_APPLIED);
  EXPECT_EQ(result.waitlist_position(), 0);
  EXPECT_TRUE(result.evidence().eligible());
  EXPECT_EQ(GetEmployee(a.name()).level(), kSenior);
  EXPECT_EQ(HeadCount(Quota(county), kSenior), 4);
  EXPECT_THAT(Line(county), ElementsAre(cb, cc, cd));

  // Two slots free: a senior moved down, another moved on to a post beyond the track.
  ASSERT_THAT(ChangeLevelOn(seniors[1].name(), kSenior, kIntermediate, TodayInBranch(), &moved), IsOk());
  cv1::NominateCareerMoveRequest nominate;
  nominate.set_employee(seniors[2].name());
  nominate.set_target(common::v1::CAREER_MOVE_TARGET_BRANCH_CHIEF);
  nominate.set_reason("分局长");
  cv1::Case move;
  ASSERT_THAT(CallCareer(&CareerStub::NominateCareerMove, nominate, &move), IsOk());
  EXPECT_EQ(ApproveOk(move.name()).state(), cv1::Case::STATE_APPLIED);
  const pv1::CountyQuota quota = Quota(county);
  ASSERT_EQ(quota.levelled_customer_managers(), 22);
  ASSERT_EQ(quota.free_senior_slots(), 2);

  // Nobody waits for a slot that is free: c, second in line, has the second slot.
  result = ApproveOk(cc);
  EXPECT_EQ(result.state(), cv1::Case::STATE_APPLIED) << result.state_reason();
  result = ApproveOk(cb);
  EXPECT_EQ(result.state(), cv1::Case::STATE_APPLIED) << result.state_reason();
  EXPECT_THAT(Line(county), ElementsAre(cd));

  // The cap is full again: d waits, and the cap never broke.
  result = ApproveOk(cd);
  EXPECT_EQ(result.state(), cv1::Case::STATE_WAITING_FOR_SLOT);
  EXPECT_EQ(result.waitlist_position(), 1);
  EXPECT_EQ(HeadCount(Quota(county), kSenior), 4);
  EXPECT_EQ(Quota(county).senior_cap(), 4);
  for (const auto& change : History("employees/-", county)) {
    EXPECT_LE(change.to_county_counts().seniors(), change.to_county_counts().senior_cap()) << change.name();
  }
  for (const auto& [employee, name] :
       std::vector<std::pair<std::string, std::string>>{{a.name(), ca}, {b.name(), cb}, {c.name(), cc}}) {
    EXPECT_EQ(ChangesCarryingOut(employee, name), 1) << name;
    EXPECT_EQ(GetCase(name).state(), cv1::Case::STATE_APPLIED);
  }
  EXPECT_EQ(ChangesCarryingOut(d.name(), cd), 0);

  // A waiting case may be withdrawn or rejected.
  ASSERT_THAT(Reject(cd, "not this year", &result), IsOk());
  EXPECT_TRUE(Line(county).empty());
}

}  // namespace
}  // namespace ladder::testing
