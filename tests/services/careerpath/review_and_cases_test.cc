// ReviewCycle and the case workflow: the cases a finalised cycle calls for, each explained;
// reviews that create nothing new when run again; approval applied through personnel once,
// with or without a request id; rejection, withdrawal, nominations, and the refusals.

#include <algorithm>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "services/careerpath/eligibility_rules.h"
#include "tests/services/careerpath/careerpath_test_base.h"
#include "tests/support/concurrent_duplicates.h"

namespace ladder::testing {
namespace {

using grpc::StatusCode;
using ::testing::HasSubstr;

class ReviewAndCasesTest : public CareerPathServiceTestBase {
 protected:
  // A county of 10 levelled managers (cap 2, one senior: one free slot), two finalised
  // quarters, and the people each rule is about.
  struct Scene {
    std::string county;
    pv1::Employee rising_junior, weak_junior, weak_intermediate, rising_intermediate, steady, senior;
    std::vector<pv1::Employee> others;
    ev1::Cycle older, newer;
  };
  Scene MakeScene() {
    Scene scene;
    scene.county = CreateNamedCounty("衢江区");
    scene.rising_junior = ManagerMonthsAtLevel(scene.county, kJunior, 14);
    scene.weak_junior = ManagerMonthsAtLevel(scene.county, kJunior, 40);
    for (int i = 0; i < 4; ++i) scene.others.push_back(ManagerMonthsAtLevel(scene.county, kJunior, 40));
    scene.weak_intermediate = ManagerMonthsAtLevel(scene.county, kIntermediate, 30);
    scene.rising_intermediate = ManagerMonthsAtLevel(scene.county, kIntermediate, 26);
    scene.steady = ManagerMonthsAtLevel(scene.county, kIntermediate, 26);
    scene.senior = ManagerMonthsAtLevel(scene.county, kSenior, 26);
    std::map<std::string, double> first = Everyone(scene.others, 75);
    first[scene.rising_junior.name()] = 90;
    first[scene.weak_junior.name()] = 50;
    first[scene.weak_intermediate.name()] = 55;
    first[scene.rising_intermediate.name()] = 95;
    first[scene.steady.name()] = 80;
    first[scene.senior.name()] = 85;
    std::map<std::string, double> second = first;
    second[scene.rising_junior.name()] = 88;
    second[scene.weak_junior.name()] = 58.5;
    second[scene.weak_intermediate.name()] = 50;
    second[scene.rising_intermediate.name()] = 92;
    scene.older = FinalisedCycle(scene.county, QuarterBefore(2), first);
    scene.newer = FinalisedCycle(scene.county, QuarterBefore(1), second);
    return scene;
  }
};

TEST_F(ReviewAndCasesTest, ReviewMakesTheCasesThePolicyCallsForEachExplained) {
  const Scene scene = MakeScene();

  // After one cycle nobody has the two cycles the rules need.
  cv1::ReviewCycleResponse first = Review(scene.older.name());
  EXPECT_EQ(first.created_cases_size(), 0);
  EXPECT_EQ(first.reviewed_count(), 10);
  EXPECT_EQ(first.existing_case_count(), 0);

  const cv1::ReviewCycleResponse review = Review(scene.newer.name(), "review-newer");
  EXPECT_EQ(review.reviewed_count(), 10);
  ASSERT_EQ(review.created_cases_size(), 4);

  const cv1::Case up = CaseOf(review.created_cases(), scene.rising_junior.name(), cv1::Case::KIND_PROMOTION);
  ASSERT_FALSE(up.name().empty());
  EXPECT_EQ(up.from_level(), kJunior);
  EXPECT_EQ(up.to_level(), kIntermediate);
  EXPECT_EQ(up.county(), scene.county);
  EXPECT_EQ(up.cycle(), scene.newer.name());
  EXPECT_EQ(up.state(), cv1::Case::STATE_PROPOSED);
  EXPECT_EQ(up.policy_version(), "1.1.0");
  EXPECT_EQ(up.proposed_by(), "user:hr-wang");
  EXPECT_TRUE(up.has_create_time());
  EXPECT_FALSE(up.etag().empty());
  EXPECT_TRUE(up.evidence().eligible());
  ASSERT_NE(RuleOf(up.evidence(), "MIN_MONTHS_AT_LEVEL"), nullptr);
  EXPECT_EQ(RuleOf(up.evidence(), "MIN_MONTHS_AT_LEVEL")->evidence(), "14 months at level ≥ 12");
  EXPECT_EQ(RuleOf(up.evidence(), "MIN_COMPOSITE")->evidence(),
            absl::StrCat("composite 88 in ", scene.newer.display_name(), " ≥ 85; composite 90 in ",
                         scene.older.display_name(), " ≥ 85"));

  const cv1::Case to_senior =
      CaseOf(review.created_cases(), scene.rising_intermediate.name(), cv1::Case::KIND_PROMOTION);
  EXPECT_EQ(to_senior.to_level(), kSenior);
  EXPECT_EQ(RuleOf(to_senior.evidence(), "FREE_SENIOR_SLOT")->evidence(),
            "free senior slot in 衢江区: 1 seniors, cap 2");

  const cv1::Case down = CaseOf(review.created_cases(), scene.weak_intermediate.name(), cv1::Case::KIND_DEMOTION);
  EXPECT_EQ(down.from_level(), kIntermediate);
  EXPECT_EQ(down.to_level(), kJunior);
  EXPECT_EQ(RuleOf(down.evidence(), "LOW_COMPOSITE")->evidence(),
            absl::StrCat("composite 50 in ", scene.newer.display_name(), " < 60; composite 55 in ",
                         scene.older.display_name(), " < 60"));

  const cv1::Case out = CaseOf(review.created_cases(), scene.weak_junior.name(), cv1::Case::KIND_ELIMINATION);
  EXPECT_EQ(out.from_level(), kJunior);
  EXPECT_EQ(out.to_level(), Level::LEVEL_UNSPECIFIED);
  EXPECT_TRUE(out.evidence().eligible());

  // Running it again creates nothing new. With the same request id it is a retry, told the
  // first call's answer; with another id or none, a second review that finds the cases.
  const cv1::ReviewCycleResponse retried = Review(scene.newer.name(), "review-newer");
  EXPECT_EQ(retried.SerializeAsString(), review.SerializeAsString());
  for (const char* id : {"review-newer-again", ""}) {
    const cv1::ReviewCycleResponse again = Review(scene.newer.name(), id);
    EXPECT_EQ(again.created_cases_size(), 0) << id;
    EXPECT_EQ(again.existing_case_count(), 4) << id;
  }
  cv1::ListCasesRequest by_cycle;
  by_cycle.set_cycle(scene.newer.name());
  EXPECT_EQ(ListAllCases(by_cycle).size(), 4u);
  EXPECT_EQ(GetCase(up.name()).SerializeAsString(), up.SerializeAsString());
}

// Eight reviews of one cycle at once: every one succeeds, between them they create each case
// the cycle calls for once, and each one accounts for all of them (created or existing).
TEST_F(ReviewAndCasesTest, ConcurrentReviewsCreateEachCaseOnce) {
  const Scene scene = MakeScene();
  constexpr int kReviews = 8;
  std::vector<grpc::Status> statuses(kReviews);
  std::vector<cv1::ReviewCycleResponse> responses(kReviews);
  std::vector<std::thread> threads;
  for (int i = 0; i < kReviews; ++i) {
    threads.emplace_back([&, i] {
      cv1::ReviewCycleRequest request;
      request.set_cycle(scene.newer.name());
      request.set_request_id(absl::StrCat("review-at-once-", i));
      auto stub = careerpath_server_->NewStub();
      auto context = CallContext(absl::Seconds(60), "hr-wang");
      statuses[i] = stub->ReviewCycle(context.get(), request, &responses[i]);
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<std::string> created;
  for (int i = 0; i < kReviews; ++i) {
    ASSERT_THAT(statuses[i], IsOk()) << "review " << i;
    EXPECT_EQ(responses[i].created_cases_size() + responses[i].existing_case_count(), 4) << "review " << i;
    for (const cv1::Case& value : responses[i].created_cases()) {
      EXPECT_TRUE(created.insert(value.name()).second) << value.name() << " reported created twice";
    }
  }
  EXPECT_EQ(created.size(), 4u);
  cv1::ListCasesRequest by_cycle;
  by_cycle.set_cycle(scene.newer.name());
  EXPECT_EQ(ListAllCases(by_cycle).size(), 4u);
}

// A client that retries one review while it still runs: every duplicate is told what the
// first call created, and the cases exist once.
TEST_F(ReviewAndCasesTest, ConcurrentDuplicatesOfOneReviewGetTheFirstAnswer) {
  const Scene scene = MakeScene();
  cv1::ReviewCycleRequest request;
  request.set_cycle(scene.newer.name());
  request.set_request_id("review-retried-at-once");
  const cv1::ReviewCycleResponse first = SendTogether<CareerStub>(
      8, [] { return careerpath_server_->NewStub(); }, &CareerStub::ReviewCycle, request);
  EXPECT_EQ(first.created_cases_size(), 4);
  cv1::ListCasesRequest by_cycle;
  by_cycle.set_cycle(scene.newer.name());
  EXPECT_EQ(ListAllCases(by_cycle).size(), 4u);
}

// Evidence is used once (POLICY §6): the two low quarters that demoted an intermediate do
// not also eliminate the junior they made, however often the cycle is reviewed.
TEST_F(ReviewAndCasesTest, CyclesThatDemotedDoNotThenEliminate) {
  const Scene scene = MakeScene();
  const cv1::ReviewCycleResponse review = Review(scene.newer.name());
  const cv1::Case down = CaseOf(review.created_cases(), scene.weak_intermediate.name(), cv1::Case::KIND_DEMOTION);
  ASSERT_FALSE(down.name().empty());
  cv1::Case applied;
  ASSERT_THAT(Approve(down.name(), &applied, "approve-down", down.etag()), IsOk());
  EXPECT_EQ(GetEmployee(scene.weak_intermediate.name()).level(), kJunior);

  const cv1::ReviewCycleResponse again = Review(scene.newer.name());
  EXPECT_EQ(again.created_cases_size(), 0);
  EXPECT_EQ(CaseOf(again.created_cases(), scene.weak_intermediate.name(), cv1::Case::KIND_ELIMINATION).name(), "");
  cv1::CheckEligibilityRequest check;
  check.set_employee(scene.weak_intermediate.name());
  check.set_target(cv1::TARGET_ELIMINATION);
  cv1::Eligibility eligibility;
  ASSERT_THAT(CallCareer(&CareerStub::CheckEligibility, check, &eligibility), IsOk());
  EXPECT_FALSE(eligibility.eligible());
  EXPECT_THAT(careerpath::FirstFailure(eligibility), HasSubstr("at LEVEL_JUNIOR"));
}

TEST_F(ReviewAndCasesTest, ReviewRefusesWhatIsNotAFinalisedCycle) {
  const std::string county = CreateCounty();
  CreateStaff(county, 2, 0, 0);
  const ev1::Cycle open = CreateCycle(county);
  cv1::ReviewCycleRequest request;
  cv1::ReviewCycleResponse response;
  request.set_cycle(open.name());
  EXPECT_THAT(CallCareer(&CareerStub::ReviewCycle, request, &response),
              FailsWith(StatusCode::FAILED_PRECONDITION, "CYCLE_NOT_FINALIZED"));
  ASSERT_THAT(StartReview(open.name()), IsOk());
  EXPECT_THAT(CallCareer(&CareerStub::ReviewCycle, request, &response),
              FailsWith(StatusCode::FAILED_PRECONDITION, "CYCLE_NOT_FINALIZED"));

  request.set_cycle("cycles/987654");
  EXPECT_THAT(CallCareer(&CareerStub::ReviewCycle, request, &response), RejectsField("cycle"));
  request.set_cycle("employees/1");
  EXPECT_THAT(CallCareer(&CareerStub::ReviewCycle, request, &response), RejectsField("cycle"));
  request.set_cycle(open.name());
  request.set_request_id(std::string(65, 'r'));
  EXPECT_THAT(CallCareer(&CareerStub::ReviewCycle, request, &response), RejectsField("request_id"));

  cv1::ListCasesRequest by_cycle;
  by_cycle.set_cycle(open.name());
  EXPECT_TRUE(ListAllCases(by_cycle).empty());
}

TEST_F(ReviewAndCasesTest, ALaterCycleDoesNotProposeWhatIsAlreadyOpen) {
  const std::string county = CreateNamedCounty("江山市");
  const pv1::Employee star = ManagerMonthsAtLevel(county, kJunior, 20);
  const pv1::Employee weak = ManagerMonthsAtLevel(county, kJunior, 20);
  const std::map<std::string, double> scores = {{star.name(), 95}, {weak.name(), 40}};
  FinalisedCycle(county, QuarterBefore(3), scores);
  const ev1::Cycle second = FinalisedCycle(county, QuarterBefore(2), scores);
  const ev1::Cycle third = FinalisedCycle(county, QuarterBefore(1), scores);

  ASSERT_EQ(Review(second.name()).created_cases_size(), 2);
  // The same people qualify again after the third cycle, but their cases are still open:
  // nobody gets a second promotion or elimination case for the same move.
  const cv1::ReviewCycleResponse later = Review(third.name());
  EXPECT_EQ(later.created_cases_size(), 0);
  cv1::ListCasesRequest request;
  request.set_employee(star.name());
  EXPECT_EQ(ListAllCases(request).size(), 1u);
  request.set_employee(weak.name());
  ASSERT_EQ(ListAllCases(request).size(), 1u);

  // Once the first case is closed, a later review may propose again.
  cv1::Case closed;
  ASSERT_THAT(Reject(ListAllCases(request)[0].name(), "given another quarter", &closed), IsOk());
  const cv1::ReviewCycleResponse after = Review(third.name());
  ASSERT_EQ(after.created_cases_size(), 1);
  EXPECT_EQ(after.created_cases(0).employee(), weak.name());
  EXPECT_EQ(after.created_cases(0).kind(), cv1::Case::KIND_ELIMINATION);
  EXPECT_EQ(after.created_cases(0).cycle(), third.name());
}

TEST_F(ReviewAndCasesTest, GetAndListCasesWithFiltersAndPages) {
  const Scene scene = MakeScene();
  const cv1::ReviewCycleResponse review = Review(scene.newer.name());
  ASSERT_EQ(review.created_cases_size(), 4);
  std::set<std::string> made;
  for (const auto& value : review.created_cases()) made.insert(value.name());

  cv1::ListCasesRequest request;
  request.set_county(scene.county);
  request.set_page_size(1);
  std::vector<cv1::Case> all = ListAllCases(request);
  ASSERT_EQ(all.size(), 4u);
  std::set<std::string> listed;
  for (const auto& value : all) listed.insert(value.name());
  EXPECT_EQ(listed, made);
  // Newest first.
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_GT(std::stoll(IdOf(all[i - 1].name())), std::stoll(IdOf(all[i].name())));
  }

  request.set_page_size(0);
  request.set_kind(cv1::Case::KIND_PROMOTION);
  EXPECT_EQ(ListAllCases(request).size(), 2u);
  request.set_kind(cv1::Case::KIND_DEMOTION);
  EXPECT_EQ(ListAllCases(request).size(), 1u);
  request.set_kind(cv1::Case::KIND_UNSPECIFIED);
  request.set_state(cv1::Case::STATE_PROPOSED);
  EXPECT_EQ(ListAllCases(request).size(), 4u);
  request.set_state(cv1::Case::STATE_APPLIED);
  EXPECT_TRUE(ListAllCases(request).empty());
  request.set_state(cv1::Case::STATE_UNSPECIFIED);
  request.set_employee(scene.weak_junior.name());
  ASSERT_EQ(ListAllCases(request).size(), 1u);
  EXPECT_EQ(ListAllCases(request)[0].kind(), cv1::Case::KIND_ELIMINATION);

  cv1::ListCasesResponse response;
  cv1::ListCasesRequest bad;
  bad.set_county("teams/1");
  EXPECT_THAT(CallCareer(&CareerStub::ListCases, bad, &response), RejectsField("county"));
  bad = cv1::ListCasesRequest();
  bad.set_cycle("cycles/x");
  EXPECT_THAT(CallCareer(&CareerStub::ListCases, bad, &response), RejectsField("cycle"));
  bad = cv1::ListCasesRequest();
  bad.set_employee("employees/0");
  EXPECT_THAT(CallCareer(&CareerStub::ListCases, bad, &response), RejectsField("employee"));
  bad = cv1::ListCasesRequest();
  bad.set_kind(static_cast<cv1::Case::Kind>(77));
  EXPECT_THAT(CallCareer(&CareerStub::ListCases, bad, &response), RejectsField("kind"));
  bad = cv1::ListCasesRequest();
  bad.set_state(static_cast<cv1::Case::State>(77));
  EXPECT_THAT(CallCareer(&CareerStub::ListCases, bad, &response), RejectsField("state"));
  bad = cv1::ListCasesRequest();
  bad.set_page_size(1001);
  EXPECT_THAT(CallCareer(&CareerStub::ListCases, bad, &response), RejectsField("page_size"));

  // A token is bound to the filters it was issued for.
  cv1::ListCasesRequest paged;
  paged.set_county(scene.county);
  paged.set_page_size(1);
  ASSERT_THAT(CallCareer(&CareerStub::ListCases, paged, &response), IsOk());
  ASSERT_FALSE(response.next_page_token().empty());
  paged.set_page_token(response.next_page_token());
  paged.set_kind(cv1::Case::KIND_PROMOTION);
  EXPECT_THAT(CallCareer(&CareerStub::ListCases, paged, &response), RejectsField("page_token"));

  cv1::GetCaseRequest get;
  cv1::Case value;
  get.set_name("cases/987654");
  EXPECT_THAT(CallCareer(&CareerStub::GetCase, get, &value), FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  get.set_name("cases/abc");
  EXPECT_THAT(CallCareer(&CareerStub::GetCase, get, &value), RejectsField("name"));
}

TEST_F(ReviewAndCasesTest, ApprovalAppliesThroughPersonnelExactlyOnce) {
  const Scene scene = MakeScene();
  const cv1::ReviewCycleResponse review = Review(scene.newer.name());
  const cv1::Case up = CaseOf(review.created_cases(), scene.rising_junior.name(), cv1::Case::KIND_PROMOTION);
  ASSERT_FALSE(up.name().empty());
  const size_t history_before = History(scene.rising_junior.name()).size();

  cv1::Case applied;
  ASSERT_THAT(Approve(up.name(), &applied, "approve-up", up.etag()), IsOk());
  EXPECT_EQ(applied.state(), cv1::Case::STATE_APPLIED);
  EXPECT_EQ(applied.decided_by(), "user:hr-wang");
  EXPECT_TRUE(applied.has_decide_time());
  EXPECT_TRUE(applied.has_apply_time());
  EXPECT_NE(applied.etag(), up.etag());
  EXPECT_EQ(applied.waitlist_position(), 0);
  EXPECT_TRUE(applied.evidence().eligible());

  const pv1::Employee promoted = GetEmployee(scene.rising_junior.name());
  EXPECT_EQ(promoted.level(), kIntermediate);
  auto history = History(scene.rising_junior.name());
  ASSERT_EQ(history.size(), history_before + 1);
  EXPECT_EQ(history.back().kind(), pv1::LevelChange::KIND_PROMOTION);
  EXPECT_EQ(history.back().decision(), up.name());
  EXPECT_EQ(history.back().policy_version(), "1.1.0");
  EXPECT_THAT(history.back().reason(), HasSubstr(up.name()));

  // The same request again: the first answer, and nothing applied twice.
  cv1::Case retried;
  ASSERT_THAT(Approve(up.name(), &retried, "approve-up", up.etag()), IsOk());
  EXPECT_EQ(retried.SerializeAsString(), applied.SerializeAsString());
  // Without a request id, or with a new one: refused, the case is applied already.
  EXPECT_THAT(Approve(up.name(), &retried), FailsWith(StatusCode::FAILED_PRECONDITION, "CASE_ALREADY_APPLIED"));
  EXPECT_THAT(Approve(up.name(), &retried, "approve-up-2"),
              FailsWith(StatusCode::FAILED_PRECONDITION, "CASE_ALREADY_APPLIED"));
  // The id belongs to that request.
  const cv1::Case down = CaseOf(review.created_cases(), scene.weak_intermediate.name(), cv1::Case::KIND_DEMOTION);
  EXPECT_THAT(Approve(down.name(), &retried, "approve-up"),
              FailsWith(StatusCode::INVALID_ARGUMENT, "REQUEST_ID_REUSED"));
  EXPECT_EQ(GetCase(down.name()).state(), cv1::Case::STATE_PROPOSED);

  EXPECT_EQ(History(scene.rising_junior.name()).size(), history_before + 1);
  EXPECT_EQ(ChangesCarryingOut(scene.rising_junior.name(), up.name()), 1);
  EXPECT_EQ(GetCase(up.name()).state(), cv1::Case::STATE_APPLIED);

  // The senior promotion has the free slot (N 10, cap 2, one senior).
  const cv1::Case to_senior =
      CaseOf(review.created_cases(), scene.rising_intermediate.name(), cv1::Case::KIND_PROMOTION);
  ASSERT_THAT(Approve(to_senior.name(), &applied), IsOk());
  EXPECT_EQ(applied.state(), cv1::Case::STATE_APPLIED);
  EXPECT_EQ(HeadCount(Quota(scene.county), kSenior), 2);

  // A demotion and an elimination apply the same way.
  ASSERT_THAT(Approve(down.name(), &applied), IsOk());
  EXPECT_EQ(applied.state(), cv1::Case::STATE_APPLIED);
  EXPECT_EQ(GetEmployee(scene.weak_intermediate.name()).level(), kJunior);
  EXPECT_EQ(History(scene.weak_intermediate.name()).back().kind(), pv1::LevelChange::KIND_DEMOTION);

  const cv1::Case out = CaseOf(review.created_cases(), scene.weak_junior.name(), cv1::Case::KIND_ELIMINATION);
  ASSERT_THAT(Approve(out.name(), &applied), IsOk());
  EXPECT_EQ(applied.state(), cv1::Case::STATE_APPLIED);
  const pv1::Employee eliminated = GetEmployee(scene.weak_junior.name());
  EXPECT_EQ(eliminated.status(), pv1::EMPLOYMENT_STATUS_SEPARATED);
  EXPECT_EQ(eliminated.separation_reason(), pv1::SEPARATION_REASON_ELIMINATED);
  EXPECT_EQ(ChangesCarryingOut(scene.weak_junior.name(), out.name()), 1);
  // The exit shrank N to 9: the cap is floor(1.8) = 1 with two seniors, nobody demoted.
  const pv1::CountyQuota quota = Quota(scene.county);
  EXPECT_EQ(quota.levelled_customer_managers(), 9);
  EXPECT_TRUE(quota.over_cap());
}

TEST_F(ReviewAndCasesTest, RejectWithdrawAndStateRules) {
  const Scene scene = MakeScene();
  const cv1::ReviewCycleResponse review = Review(scene.newer.name());
  const cv1::Case down = CaseOf(review.created_cases(), scene.weak_intermediate.name(), cv1::Case::KIND_DEMOTION);
  const cv1::Case out = CaseOf(review.created_cases(), scene.weak_junior.name(), cv1::Case::KIND_ELIMINATION);
  const cv1::Case up = CaseOf(review.created_cases(), scene.rising_junior.name(), cv1::Case::KIND_PROMOTION);

  cv1::Case result;
  EXPECT_THAT(Reject(down.name(), "", &result), RejectsField("reason"));
  EXPECT_THAT(Reject(down.name(), std::string(501, 'x'), &result), RejectsField("reason"));
  EXPECT_THAT(Approve(down.name(), &result, "", "12345"), FailsWith(StatusCode::ABORTED, "ETAG_MISMATCH"));
  EXPECT_EQ(GetCase(down.name()).SerializeAsString(), down.SerializeAsString());

  ASSERT_THAT(Reject(down.name(), "主管复核：季度业绩受病假影响", &result, "reject-down"), IsOk());
  EXPECT_EQ(result.state(), cv1::Case::STATE_REJECTED);
  EXPECT_EQ(result.state_reason(), "主管复核：季度业绩受病假影响");
  EXPECT_EQ(result.decided_by(), "user:hr-wang");
  EXPECT_TRUE(result.has_decide_time());
  cv1::Case again;
  ASSERT_THAT(Reject(down.name(), "主管复核：季度业绩受病假影响", &again, "reject-down"), IsOk());
  EXPECT_EQ(again.SerializeAsString(), result.SerializeAsString());

  // A rejected case is closed: it cannot be approved, rejected or withdrawn.
  EXPECT_THAT(Approve(down.name(), &result), FailsWith(StatusCode::FAILED_PRECONDITION, "WRONG_CASE_STATE"));
  EXPECT_THAT(Reject(down.name(), "again", &result), FailsWith(StatusCode::FAILED_PRECONDITION, "WRONG_CASE_STATE"));
  EXPECT_THAT(Withdraw(down.name(), "again", &result), FailsWith(StatusCode::FAILED_PRECONDITION, "WRONG_CASE_STATE"));
  EXPECT_EQ(GetEmployee(scene.weak_intermediate.name()).level(), kIntermediate);

  ASSERT_THAT(Withdraw(out.name(), "proposed in error", &result), IsOk());
  EXPECT_EQ(result.state(), cv1::Case::STATE_WITHDRAWN);
  EXPECT_EQ(result.state_reason(), "proposed in error");
  EXPECT_THAT(Approve(out.name(), &result), FailsWith(StatusCode::FAILED_PRECONDITION, "WRONG_CASE_STATE"));
  EXPECT_EQ(GetEmployee(scene.weak_junior.name()).status(), pv1::EMPLOYMENT_STATUS_ACTIVE);

  // An applied case cannot be rejected or withdrawn either.
  ASSERT_THAT(Approve(up.name(), &result), IsOk());
  EXPECT_THAT(Reject(up.name(), "too late", &result),
              FailsWith(StatusCode::FAILED_PRECONDITION, "CASE_ALREADY_APPLIED"));
  EXPECT_THAT(Withdraw(up.name(), "too late", &result),
              FailsWith(StatusCode::FAILED_PRECONDITION, "CASE_ALREADY_APPLIED"));

  EXPECT_THAT(Approve("cases/987654", &result), FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  EXPECT_THAT(Approve("case/1", &result), RejectsField("name"));
  EXPECT_THAT(Reject("cases/987654", "x", &result), FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  EXPECT_THAT(Approve(up.name(), &result, std::string(65, 'i')), RejectsField("request_id"));
}

// Careerpath's change feed: each case's proposal and every later state, once, in order, with
// the case as it was left; filtered by kind and county.
TEST_F(ReviewAndCasesTest, TheChangeFeedCarriesEveryStateOfEveryCase) {
  const Scene scene = MakeScene();
  const cv1::ReviewCycleResponse review = Review(scene.newer.name());
  const cv1::Case down = CaseOf(review.created_cases(), scene.weak_intermediate.name(), cv1::Case::KIND_DEMOTION);
  const cv1::Case out = CaseOf(review.created_cases(), scene.weak_junior.name(), cv1::Case::KIND_ELIMINATION);
  const cv1::Case up = CaseOf(review.created_cases(), scene.rising_junior.name(), cv1::Case::KIND_PROMOTION);
  cv1::Case result;
  ASSERT_THAT(Reject(down.name(), "复核不降级", &result), IsOk());
  ASSERT_THAT(Withdraw(out.name(), "proposed in error", &result), IsOk());
  ASSERT_THAT(Approve(up.name(), &result), IsOk());
  EXPECT_THAT(Reject(up.name(), "too late", &result),
              FailsWith(StatusCode::FAILED_PRECONDITION, "CASE_ALREADY_APPLIED"));

  cv1::ListChangesRequest request;
  request.set_county(scene.county);
  request.set_page_size(1000);
  cv1::ListChangesResponse feed;
  ASSERT_THAT(CallCareer(&CareerStub::ListChanges, request, &feed), IsOk());
  std::map<std::string, std::vector<cv1::Change::Kind>> kinds;
  std::map<std::string, cv1::Case> last;
  for (const cv1::Change& change : feed.changes()) {
    EXPECT_EQ(change.county(), scene.county);
    EXPECT_EQ(change.career_case(), change.case_after().name());
    kinds[change.career_case()].push_back(change.kind());
    last[change.career_case()] = change.case_after();
  }
  EXPECT_EQ(kinds.size(), static_cast<size_t>(review.created_cases_size()));
  EXPECT_EQ(kinds[down.name()],
            (std::vector<cv1::Change::Kind>{cv1::Change::KIND_CASE_PROPOSED, cv1::Change::KIND_CASE_REJECTED}));
  EXPECT_EQ(kinds[out.name()],
            (std::vector<cv1::Change::Kind>{cv1::Change::KIND_CASE_PROPOSED, cv1::Change::KIND_CASE_WITHDRAWN}));
  ASSERT_GE(kinds[up.name()].size(), 2u);
  EXPECT_EQ(kinds[up.name()].front(), cv1::Change::KIND_CASE_PROPOSED);
  EXPECT_EQ(kinds[up.name()].back(), cv1::Change::KIND_CASE_APPLIED) << "the refused rejection published nothing";
  for (const std::string& name : {down.name(), out.name(), up.name()}) {
    EXPECT_EQ(last[name].state(), GetCase(name).state()) << name;
  }

  // Only approvals and their outcomes, from the cursor after the proposals.
  request.add_kinds(cv1::Change::KIND_CASE_APPLIED);
  ASSERT_THAT(CallCareer(&CareerStub::ListChanges, request, &feed), IsOk());
  ASSERT_EQ(feed.changes_size(), 1);
  EXPECT_EQ(feed.changes(0).career_case(), up.name());
  request.set_cursor(feed.next_cursor());
  ASSERT_THAT(CallCareer(&CareerStub::ListChanges, request, &feed), IsOk());
  EXPECT_EQ(feed.changes_size(), 0);
}

TEST_F(ReviewAndCasesTest, ApprovalReChecksEligibility) {
  const Scene scene = MakeScene();
  const cv1::ReviewCycleResponse review = Review(scene.newer.name());
  const cv1::Case up = CaseOf(review.created_cases(), scene.rising_junior.name(), cv1::Case::KIND_PROMOTION);
  const cv1::Case to_senior =
      CaseOf(review.created_cases(), scene.rising_intermediate.name(), cv1::Case::KIND_PROMOTION);

  // Someone left meanwhile: the case no longer holds.
  ASSERT_THAT(EndEmployment(scene.rising_junior.name(), pv1::SEPARATION_REASON_RESIGNED), IsOk());
  cv1::Case result;
  const grpc::Status refused = Approve(up.name(), &result);
  EXPECT_THAT(refused, FailsWith(StatusCode::FAILED_PRECONDITION, "NO_LONGER_ELIGIBLE"));
  EXPECT_THAT(refused.error_message(), HasSubstr("HOLDS_LEVEL"));
  EXPECT_EQ(GetCase(up.name()).SerializeAsString(), up.SerializeAsString());

  // Someone was moved by HR directly: the level is not the case's any more.
  pv1::Employee moved;
  ASSERT_THAT(ChangeLevelOn(scene.rising_intermediate.name(), kIntermediate, kJunior, TodayInBranch(), &moved), IsOk());
  EXPECT_THAT(Approve(to_senior.name(), &result), FailsWith(StatusCode::FAILED_PRECONDITION, "NO_LONGER_ELIGIBLE"));
  EXPECT_EQ(GetCase(to_senior.name()).state(), cv1::Case::STATE_PROPOSED);
  EXPECT_EQ(GetEmployee(scene.rising_intermediate.name()).level(), kJunior);
}

TEST_F(ReviewAndCasesTest, NominateCareerMoveAndApply) {
  const std::string county = CreateNamedCounty("常山县");
  std::vector<pv1::Employee> juniors;
  for (int i = 0; i < 8; ++i) juniors.push_back(ManagerMonthsAtLevel(county, kJunior, 30));
  const pv1::Employee intermediate = ManagerMonthsAtLevel(county, kIntermediate, 30);
  const pv1::Employee senior = ManagerMonthsAtLevel(county, kSenior, 30);
  const pv1::Employee staff = CreateEmployee(county, pv1::ROLE_CUSTOMER_SERVICE_STAFF);
  ASSERT_EQ(HeadCount(Quota(county), kSenior), 1);

  cv1::NominateCareerMoveRequest request;
  request.set_employee(senior.name());
  request.set_target(common::v1::CAREER_MOVE_TARGET_GROUP_DATA_SUPERVISOR);
  request.set_post_grade(9);
  request.set_reason("集团数据督导岗位空缺，推荐高级客户经理");
  request.set_request_id("nominate-1");
  cv1::Case nominated;
  ASSERT_THAT(CallCareer(&CareerStub::NominateCareerMove, request, &nominated), IsOk());
  EXPECT_EQ(nominated.kind(), cv1::Case::KIND_CAREER_MOVE);
  EXPECT_EQ(nominated.state(), cv1::Case::STATE_PROPOSED);
  EXPECT_EQ(nominated.from_level(), kSenior);
  EXPECT_EQ(nominated.to_level(), Level::LEVEL_UNSPECIFIED);
  EXPECT_EQ(nominated.career_move_target(), common::v1::CAREER_MOVE_TARGET_GROUP_DATA_SUPERVISOR);
  EXPECT_EQ(nominated.state_reason(), request.reason());
  EXPECT_TRUE(nominated.cycle().empty());
  EXPECT_TRUE(nominated.evidence().eligible());

  cv1::Case retried;
  ASSERT_THAT(CallCareer(&CareerStub::NominateCareerMove, request, &retried), IsOk());
  EXPECT_EQ(retried.name(), nominated.name());
  cv1::ListCasesRequest mine;
  mine.set_employee(senior.name());
  EXPECT_EQ(ListAllCases(mine).size(), 1u);

  cv1::Case applied;
  ASSERT_THAT(Approve(nominated.name(), &applied), IsOk());
  EXPECT_EQ(applied.state(), cv1::Case::STATE_APPLIED);
  const pv1::Employee moved = GetEmployee(senior.name());
  EXPECT_EQ(moved.role(), pv1::ROLE_GROUP_DATA_SUPERVISOR);
  EXPECT_EQ(moved.post_grade(), 9);
  EXPECT_EQ(moved.level(), Level::LEVEL_UNSPECIFIED);
  EXPECT_EQ(HeadCount(Quota(county), kSenior), 0);
  EXPECT_EQ(ChangesCarryingOut(senior.name(), nominated.name()), 1);

  // Refusals: the rule is named.
  cv1::Case refused;
  request.set_request_id("");
  request.set_employee(intermediate.name());
  grpc::Status status = CallCareer(&CareerStub::NominateCareerMove, request, &refused);
  EXPECT_THAT(status, FailsWith(StatusCode::FAILED_PRECONDITION, "NOT_ELIGIBLE"));
  EXPECT_THAT(status.error_message(), HasSubstr("CAREER_MOVE_LEVEL"));
  request.set_employee(staff.name());
  status = CallCareer(&CareerStub::NominateCareerMove, request, &refused);
  EXPECT_THAT(status, FailsWith(StatusCode::FAILED_PRECONDITION, "NOT_ELIGIBLE"));
  EXPECT_THAT(status.error_message(), HasSubstr("CUSTOMER_MANAGER"));
  request.set_employee(senior.name());  // a supervisor now
  EXPECT_THAT(CallCareer(&CareerStub::NominateCareerMove, request, &refused),
              FailsWith(StatusCode::FAILED_PRECONDITION, "NOT_ELIGIBLE"));

  request.set_employee(intermediate.name());
  request.set_target(common::v1::CAREER_MOVE_TARGET_UNSPECIFIED);
  EXPECT_THAT(CallCareer(&CareerStub::NominateCareerMove, request, &refused), RejectsField("target"));
  request.set_target(common::v1::CAREER_MOVE_TARGET_BRANCH_CHIEF);
  request.set_post_grade(31);
  EXPECT_THAT(CallCareer(&CareerStub::NominateCareerMove, request, &refused), RejectsField("post_grade"));
  request.set_post_grade(0);
  request.set_reason("");
  EXPECT_THAT(CallCareer(&CareerStub::NominateCareerMove, request, &refused), RejectsField("reason"));
  request.set_reason("x");
  request.set_employee("employees/987654");
  EXPECT_THAT(CallCareer(&CareerStub::NominateCareerMove, request, &refused), RejectsField("employee"));
  EXPECT_EQ(ListAllCases(mine).size(), 1u);
}

// A case belongs to the county it was opened in: once its employee has moved, approving it
// would let the old county's HR decide about someone of another county.
TEST_F(ReviewAndCasesTest, ACaseIsNotApprovedAfterItsEmployeeMovedCounty) {
  const std::string city = CreateCityBranch().name();
  const std::string from = CreateCounty(city);
  const std::string to = CreateCounty(city);
  for (int i = 0; i < 8; ++i) {
    ManagerMonthsAtLevel(from, kJunior, 30);
    ManagerMonthsAtLevel(to, kJunior, 30);
  }
  const pv1::Employee senior = ManagerMonthsAtLevel(from, kSenior, 30);

  cv1::NominateCareerMoveRequest nominate;
  nominate.set_employee(senior.name());
  nominate.set_target(common::v1::CAREER_MOVE_TARGET_GROUP_DATA_SUPERVISOR);
  nominate.set_post_grade(9);
  nominate.set_reason("推荐");
  cv1::Case opened;
  ASSERT_THAT(CallCareer(&CareerStub::NominateCareerMove, nominate, &opened), IsOk());
  ASSERT_THAT(Transfer(senior, to), IsOk());

  cv1::ApproveCaseRequest approve;
  approve.set_name(opened.name());
  cv1::Case approved;
  EXPECT_THAT(CallCareer(&CareerStub::ApproveCase, approve, &approved),
              FailsWith(StatusCode::FAILED_PRECONDITION, "EMPLOYEE_MOVED"));
  EXPECT_EQ(GetEmployee(senior.name()).role(), pv1::ROLE_CUSTOMER_MANAGER) << "nothing applied";
}

}  // namespace
}  // namespace ladder::testing
