// A client that retries while its first call still runs: sixteen calls with one request id
// and one body at the same moment have one effect, and every caller is told the first
// call's result (docs/api.md, "Idempotent retries") — for careerpath's case RPCs.

#include <atomic>
#include <memory>
#include <string>

#include "tests/services/careerpath/careerpath_test_base.h"
#include "tests/support/concurrent_duplicates.h"
#include "tests/support/forwarding_case_store.h"

namespace ladder::testing {
namespace {

constexpr int kCallers = 16;

// The real store, whose request log can be made to look empty to the next lookups: what a
// duplicate sees when it looks before the first call with its request id commits.
class LookingTooEarlyStore final : public ForwardingCaseStore {
 public:
  using ForwardingCaseStore::ForwardingCaseStore;

  void MissNextLookups(int count) { misses_ = count; }

  absl::StatusOr<std::optional<cv1::Case>> RecordedResponse(const db::RequestKey& key) override {
    int left = misses_.load();
    while (left > 0 && !misses_.compare_exchange_weak(left, left - 1)) {
    }
    if (left > 0) return std::optional<cv1::Case>();
    return ForwardingCaseStore::RecordedResponse(key);
  }

 private:
  std::atomic<int> misses_{0};
};

class CareerPathConcurrentRetriesTest : public CareerPathServiceTestBase {
 protected:
  static void SetUpTestSuite() {
    CareerPathServiceTestBase::SetUpTestSuite();
    if (careerpath_server_ == nullptr) return;
    // This suite's own career-path server, on a store whose lookups a test can steer.
    delete careerpath_server_;
    careerpath_server_ = nullptr;
    CareerPathTestServer::Options options;
    options.wrap_store = [](careerpath::CaseStore* real) {
      auto store = std::make_unique<LookingTooEarlyStore>(real);
      store_ = store.get();
      return std::unique_ptr<careerpath::CaseStore>(std::move(store));
    };
    auto server = CareerPathTestServer::Start(careerpath_database_->options(), personnel_server_->address(),
                                              evaluation_server_->address(), std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    careerpath_server_ = std::move(*server).release();
  }
  static void TearDownTestSuite() {
    CareerPathServiceTestBase::TearDownTestSuite();
    store_ = nullptr;
  }

  static LookingTooEarlyStore* store_;

  // Sends `request` from kCallers threads at once; every call must get the first's answer.
  template <typename Request, typename Response>
  Response SendTogether(grpc::Status (CareerStub::*method)(grpc::ClientContext*, const Request&, Response*),
                        const Request& request) {
    return ::ladder::testing::SendTogether<CareerStub>(
        kCallers, [this] { return careerpath_server_->NewStub(); }, method, request);
  }

  cv1::NominateCareerMoveRequest Nomination(const pv1::Employee& senior) {
    cv1::NominateCareerMoveRequest request;
    request.set_employee(senior.name());
    request.set_target(common::v1::CAREER_MOVE_TARGET_GROUP_DATA_SUPERVISOR);
    request.set_post_grade(9);
    request.set_reason("集团数据督导岗位空缺");
    request.set_request_id(Unique("nominate-"));
    return request;
  }

  size_t CasesOf(const pv1::Employee& employee) {
    cv1::ListCasesRequest request;
    request.set_employee(employee.name());
    return ListAllCases(request).size();
  }
};

TEST_F(CareerPathConcurrentRetriesTest, NominateRejectWithdrawAndApprove) {
  const std::string county = CreateNamedCounty(Unique("并发县"));
  // Three seniors need a county of at least 15 levelled managers (cap 20%).
  for (int i = 0; i < 13; ++i) ManagerMonthsAtLevel(county, kJunior, 30);
  ManagerMonthsAtLevel(county, kIntermediate, 30);
  const pv1::Employee rejected_one = ManagerMonthsAtLevel(county, kSenior, 30);
  const pv1::Employee withdrawn_one = ManagerMonthsAtLevel(county, kSenior, 30);
  const pv1::Employee moved_one = ManagerMonthsAtLevel(county, kSenior, 30);

  const cv1::Case to_reject = SendTogether(&CareerStub::NominateCareerMove, Nomination(rejected_one));
  EXPECT_EQ(CasesOf(rejected_one), 1u);
  cv1::RejectCaseRequest reject;
  reject.set_name(to_reject.name());
  reject.set_reason("岗位已满");
  reject.set_request_id(Unique("reject-"));
  EXPECT_EQ(SendTogether(&CareerStub::RejectCase, reject).state(), cv1::Case::STATE_REJECTED);

  const cv1::Case to_withdraw = SendTogether(&CareerStub::NominateCareerMove, Nomination(withdrawn_one));
  cv1::WithdrawCaseRequest withdraw;
  withdraw.set_name(to_withdraw.name());
  withdraw.set_reason("本人放弃");
  withdraw.set_request_id(Unique("withdraw-"));
  EXPECT_EQ(SendTogether(&CareerStub::WithdrawCase, withdraw).state(), cv1::Case::STATE_WITHDRAWN);

  const cv1::Case to_apply = SendTogether(&CareerStub::NominateCareerMove, Nomination(moved_one));
  cv1::ApproveCaseRequest approve;
  approve.set_name(to_apply.name());
  approve.set_request_id(Unique("approve-"));
  const cv1::Case applied = SendTogether(&CareerStub::ApproveCase, approve);
  EXPECT_EQ(applied.state(), cv1::Case::STATE_APPLIED);
  EXPECT_EQ(CasesOf(moved_one), 1u);
  // One role change in personnel for the one approval.
  EXPECT_EQ(ChangesCarryingOut(moved_one.name(), to_apply.name()), 1);
}

// The interleaving sixteen callers make only now and then, forced: a duplicate that looked
// for its request id's answer just before the first call committed, and then finds the case
// applied (or its employee nominated) by that call. It is told the first call's answer, not
// that the case is in the wrong state.
TEST_F(CareerPathConcurrentRetriesTest, ADuplicateThatLookedBeforeTheFirstCommittedGetsItsAnswer) {
  const std::string county = CreateNamedCounty(Unique("先后县"));
  for (int i = 0; i < 5; ++i) ManagerMonthsAtLevel(county, kJunior, 30);
  const pv1::Employee senior = ManagerMonthsAtLevel(county, kSenior, 30);

  const cv1::NominateCareerMoveRequest nominate = Nomination(senior);
  cv1::Case nominated;
  ASSERT_THAT(CallCareer(&CareerStub::NominateCareerMove, nominate, &nominated), IsOk());
  store_->MissNextLookups(1);
  cv1::Case nominated_again;
  EXPECT_THAT(CallCareer(&CareerStub::NominateCareerMove, nominate, &nominated_again), IsOk());
  EXPECT_EQ(nominated_again.SerializeAsString(), nominated.SerializeAsString());

  cv1::ApproveCaseRequest approve;
  approve.set_name(nominated.name());
  approve.set_request_id(Unique("approve-"));
  cv1::Case applied;
  ASSERT_THAT(CallCareer(&CareerStub::ApproveCase, approve, &applied), IsOk());
  ASSERT_EQ(applied.state(), cv1::Case::STATE_APPLIED);
  store_->MissNextLookups(1);
  cv1::Case applied_again;
  EXPECT_THAT(CallCareer(&CareerStub::ApproveCase, approve, &applied_again), IsOk());
  EXPECT_EQ(applied_again.SerializeAsString(), applied.SerializeAsString());
  EXPECT_EQ(CasesOf(senior), 1u);
  EXPECT_EQ(ChangesCarryingOut(senior.name(), nominated.name()), 1);
}

TEST_F(CareerPathConcurrentRetriesTest, AssignInitialLevel) {
  const std::string county = CreateNamedCounty(Unique("定级县"));
  const pv1::Employee trainee =
      CreateEmployee(county, pv1::ROLE_CUSTOMER_MANAGER, pv1::ENTRY_CHANNEL_INTERNAL_RECRUITMENT);
  ev1::RecordTrialAssessmentRequest trial;
  trial.mutable_trial_assessment()->set_employee(trainee.name());
  trial.mutable_trial_assessment()->set_outcome(ev1::TrialAssessment::OUTCOME_PASSED);
  trial.mutable_trial_assessment()->set_score(81);
  trial.mutable_trial_assessment()->set_assessor("营业部");
  *trial.mutable_trial_assessment()->mutable_assessed_on() = MakeDate(2026, 5, 20);
  ev1::TrialAssessment recorded;
  ASSERT_THAT(Call(&EvalStub::RecordTrialAssessment, trial, &recorded), IsOk());

  cv1::AssignInitialLevelRequest assign;
  assign.set_employee(trainee.name());
  assign.set_request_id(Unique("assign-"));
  const cv1::AssignInitialLevelResponse assigned = SendTogether(&CareerStub::AssignInitialLevel, assign);
  EXPECT_EQ(assigned.employee().level(), kJunior);
  EXPECT_EQ(History(trainee.name()).size(), 1u) << "the first level was given more than once";
}

LookingTooEarlyStore* CareerPathConcurrentRetriesTest::store_ = nullptr;

}  // namespace
}  // namespace ladder::testing
