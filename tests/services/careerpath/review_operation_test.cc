// RunCycleReview, the long-running review: its operation and progress, a review stopped
// between two batches (its server shut down) that another server finishes with exactly the
// cases an uninterrupted review makes, a replica that died holding a review, cancel, and
// the refusals. The reviews run in small batches here, so a small cycle crosses several.

#include "services/careerpath/review_operation.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/api/resource_name.h"
#include "gmock/gmock.h"
#include "services/careerpath/mysql_review_store.h"
#include "tests/services/careerpath/careerpath_test_base.h"
#include "tests/support/concurrent_duplicates.h"
#include "tests/support/test_credentials.h"

namespace ladder::testing {
namespace {

namespace lro = ::google::longrunning;
using grpc::StatusCode;
using OperationsStub = lro::Operations::Stub;

// The evaluation client of the career-path server, able to hold the review worker before a
// page of participants: pages pass until `HoldAfter`'s count, the next waits for Release
// (then passes) or Fail (then it and every later page fail UNAVAILABLE, as in an outage).
class PageGate final : public careerpath::EvaluationGateway {
 public:
  explicit PageGate(std::unique_ptr<careerpath::EvaluationGateway> real) : real_(std::move(real)) {}

  void HoldAfter(int pages) {
    absl::MutexLock lock(&mu_);
    hold_after_ = pages;
    pages_ = 0;
    released_ = failing_ = false;
  }
  void Open() {
    absl::MutexLock lock(&mu_);
    hold_after_ = -1;
    failing_ = false;
  }
  bool WaitUntilHeld(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&held_), timeout);
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    released_ = true;
  }
  void Fail() {
    absl::MutexLock lock(&mu_);
    failing_ = true;
  }

  absl::StatusOr<ev1::ListEvaluationsResponse> ListEvaluationsPage(const std::string& cycle,
                                                                   const std::string& page_token,
                                                                   int page_size) override {
    {
      absl::MutexLock lock(&mu_);
      if (failing_) return absl::UnavailableError("the test took evaluation away");
      if (hold_after_ >= 0 && pages_++ >= hold_after_) {
        held_ = true;
        mu_.Await(absl::Condition(this, &PageGate::Unblocked));
        held_ = false;
        if (failing_) return absl::UnavailableError("the test took evaluation away");
        hold_after_ = -1;
      }
    }
    return real_->ListEvaluationsPage(cycle, page_token, page_size);
  }

  absl::StatusOr<ev1::Cycle> GetCycle(const std::string& name) override { return real_->GetCycle(name); }
  absl::StatusOr<std::vector<ev1::Evaluation>> ListEvaluations(const std::string& cycle) override {
    return real_->ListEvaluations(cycle);
  }
  absl::StatusOr<std::vector<ev1::ScoreHistory>> BatchScoreHistories(
      const std::vector<std::string>& employees) override {
    return real_->BatchScoreHistories(employees);
  }
  absl::StatusOr<std::vector<ev1::ScoreHistoryEntry>> ScoreHistory(const std::string& employee) override {
    return real_->ScoreHistory(employee);
  }
  absl::StatusOr<std::optional<ev1::TrialAssessment>> LatestTrialAssessment(const std::string& employee) override {
    return real_->LatestTrialAssessment(employee);
  }
  absl::StatusOr<std::optional<ev1::CandidateAssessment>> LatestCandidateAssessment(
      const std::string& employee) override {
    return real_->LatestCandidateAssessment(employee);
  }

 private:
  bool Unblocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return released_ || failing_; }

  std::unique_ptr<careerpath::EvaluationGateway> real_;
  absl::Mutex mu_;
  int hold_after_ ABSL_GUARDED_BY(mu_) = -1;
  int pages_ ABSL_GUARDED_BY(mu_) = 0;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  bool failing_ ABSL_GUARDED_BY(mu_) = false;
};

constexpr int kBatch = 5;

class ReviewOperationTest : public CareerPathServiceTestBase {
 protected:
  static void SetUpTestSuite() {
    CareerPathServiceTestBase::SetUpTestSuite();
    if (careerpath_server_ == nullptr) return;
    // This suite's own career-path server: small batches, the gate in front of evaluation.
    delete careerpath_server_;
    careerpath_server_ = nullptr;
    ASSERT_TRUE(StartCareerPath());
  }

  // Starts the suite's career-path server, with a gate of its own.
  static bool StartCareerPath(absl::Duration lease = absl::Seconds(30)) {
    CareerPathTestServer::Options options;
    options.review_batch_size = kBatch;
    options.review_lease = lease;
    options.wrap_evaluation = [](std::unique_ptr<careerpath::EvaluationGateway> real) {
      auto gate = std::make_unique<PageGate>(std::move(real));
      gate_ = gate.get();
      return std::unique_ptr<careerpath::EvaluationGateway>(std::move(gate));
    };
    auto server = CareerPathTestServer::Start(careerpath_database_->options(), personnel_server_->address(),
                                              evaluation_server_->address(), std::move(options));
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return false;
    careerpath_server_ = std::move(*server).release();
    return true;
  }

  // Shuts the server down while its worker is held before a page: the page fails, and the
  // worker stops after it, giving the review up.
  static void StopCareerPath() {
    gate_->Fail();
    delete careerpath_server_;
    careerpath_server_ = nullptr;
    gate_ = nullptr;
  }

  void SetUp() override {
    CareerPathServiceTestBase::SetUp();
    operations_ = careerpath_server_->NewOperationsStub();
    gate_->Open();
  }

  void Reconnect() {
    career_ = careerpath_server_->NewStub();
    operations_ = careerpath_server_->NewOperationsStub();
  }

  // A county of `weak` juniors who failed two quarters (elimination cases) and `good` who
  // did well, with the second quarter's cycle finalised.
  ev1::Cycle CycleOfCounty(int weak, int good) {
    const std::string county = CreateNamedCounty(Unique("county-"));
    std::vector<pv1::Employee> weak_ones, good_ones;
    for (int i = 0; i < weak; ++i) weak_ones.push_back(ManagerMonthsAtLevel(county, kJunior, 40));
    for (int i = 0; i < good; ++i) good_ones.push_back(ManagerMonthsAtLevel(county, kJunior, 40));
    std::map<std::string, double> first = Everyone(good_ones, 75), second = first;
    for (const auto& employee : weak_ones) {
      first[employee.name()] = 50;
      second[employee.name()] = 58.5;
    }
    FinalisedCycle(county, QuarterBefore(2), first);
    return FinalisedCycle(county, QuarterBefore(1), second);
  }

  grpc::Status Run(const std::string& cycle, lro::Operation* operation, const std::string& request_id = "",
                   const std::string& actor = "hr-wang") {
    cv1::RunCycleReviewRequest request;
    request.set_cycle(cycle);
    request.set_request_id(request_id);
    return CallCareer(&CareerStub::RunCycleReview, request, operation, actor);
  }

  grpc::Status GetOperation(const std::string& name, lro::Operation* operation, const std::string& actor = "hr-wang") {
    lro::GetOperationRequest request;
    request.set_name(name);
    auto context = CallContext(absl::Seconds(10), actor);
    return operations_->GetOperation(context.get(), request, operation);
  }

  static cv1::RunCycleReviewMetadata MetadataOf(const lro::Operation& operation) {
    cv1::RunCycleReviewMetadata metadata;
    EXPECT_TRUE(operation.metadata().UnpackTo(&metadata)) << operation.DebugString();
    return metadata;
  }

  // Polls the operation until it is done (at most `timeout`).
  lro::Operation WaitDone(const std::string& name, absl::Duration timeout = absl::Seconds(60)) {
    const absl::Time give_up = absl::Now() + timeout;
    lro::Operation operation;
    while (absl::Now() < give_up) {
      EXPECT_THAT(GetOperation(name, &operation), IsOk());
      if (operation.done()) return operation;
      absl::SleepFor(absl::Milliseconds(50));
    }
    ADD_FAILURE() << name << " not done after " << timeout << ": " << operation.DebugString();
    return operation;
  }

  std::vector<cv1::Case> CasesOf(const std::string& cycle) {
    cv1::ListCasesRequest request;
    request.set_cycle(cycle);
    return ListAllCases(request);
  }

  static std::unique_ptr<grpc::ClientContext> ContextAs(const TestIdentity& identity) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    Authorize(*context, identity);
    return context;
  }
  // County HR of a county of their own, not the one reviewed.
  TestIdentity CountyHrElsewhere() {
    return TestIdentity{"county-hr-elsewhere", "COUNTY_HR", {CreateNamedCounty(Unique("elsewhere-"))}};
  }

  std::unique_ptr<OperationsStub> operations_;
  inline static PageGate* gate_ = nullptr;
};

TEST_F(ReviewOperationTest, AnInterruptedReviewResumesFromItsLastBatchAndMakesEachCaseOnce) {
  const ev1::Cycle cycle = CycleOfCounty(/*weak=*/18, /*good=*/12);

  gate_->HoldAfter(2);
  lro::Operation started;
  ASSERT_THAT(Run(cycle.name(), &started), IsOk());
  EXPECT_FALSE(started.done());
  EXPECT_EQ(MetadataOf(started).participant_count(), 30);
  EXPECT_EQ(MetadataOf(started).cycle(), cycle.name());
  EXPECT_EQ(MetadataOf(started).requested_by(), "user:hr-wang");

  // Two batches committed, the third held: progress is that of the committed work.
  ASSERT_TRUE(gate_->WaitUntilHeld(absl::Seconds(20)));
  lro::Operation midway;
  ASSERT_THAT(GetOperation(started.name(), &midway), IsOk());
  EXPECT_FALSE(midway.done());
  EXPECT_EQ(MetadataOf(midway).processed_count(), 2 * kBatch);
  const int made_before = static_cast<int>(CasesOf(cycle.name()).size());
  EXPECT_EQ(MetadataOf(midway).created_case_count(), made_before);

  // The server stops; another one (a new process, as far as leases go) takes the review over.
  StopCareerPath();
  ASSERT_TRUE(StartCareerPath());
  Reconnect();
  const lro::Operation finished = WaitDone(started.name());
  ASSERT_TRUE(finished.has_response()) << finished.DebugString();
  cv1::RunCycleReviewResponse result;
  ASSERT_TRUE(finished.response().UnpackTo(&result));
  EXPECT_EQ(result.reviewed_count(), 30);
  EXPECT_EQ(MetadataOf(finished).processed_count(), 30);
  EXPECT_TRUE(MetadataOf(finished).has_end_time());

  // Exactly the cases of an uninterrupted review: one elimination per weak junior, none twice,
  // and the one-call review of the same cycle finds each of them made and nothing missing.
  const std::vector<cv1::Case> cases = CasesOf(cycle.name());
  EXPECT_EQ(result.created_case_count(), static_cast<int>(cases.size()));
  EXPECT_GT(static_cast<int>(cases.size()), made_before);
  std::set<std::pair<std::string, int>> moves;
  int eliminations = 0;
  for (const cv1::Case& value : cases) {
    EXPECT_TRUE(moves.insert({value.employee(), value.kind()}).second) << value.employee() << " twice";
    eliminations += value.kind() == cv1::Case::KIND_ELIMINATION ? 1 : 0;
  }
  EXPECT_EQ(eliminations, 18);
  const cv1::ReviewCycleResponse uninterrupted = Review(cycle.name());
  EXPECT_EQ(uninterrupted.created_cases_size(), 0);
  EXPECT_EQ(uninterrupted.existing_case_count(), static_cast<int>(cases.size()));
  EXPECT_EQ(uninterrupted.reviewed_count(), 30);

  // A later review is a new operation that makes nothing new.
  lro::Operation again;
  ASSERT_THAT(Run(cycle.name(), &again), IsOk());
  EXPECT_NE(again.name(), started.name());
  const lro::Operation again_done = WaitDone(again.name());
  cv1::RunCycleReviewResponse again_result;
  ASSERT_TRUE(again_done.response().UnpackTo(&again_result)) << again_done.DebugString();
  EXPECT_EQ(again_result.created_case_count(), 0);
  EXPECT_EQ(again_result.existing_case_count(), static_cast<int>(cases.size()));
}

TEST_F(ReviewOperationTest, AReplicaThatDiedHoldingAReviewLeavesItToAnotherWhenItsLeaseRunsOut) {
  const ev1::Cycle cycle = CycleOfCounty(/*weak=*/6, /*good=*/4);
  // The review was started, and taken by a replica that then died: its lease (2 s) holds.
  db::ConnectionPool pool(careerpath_database_->options());
  careerpath::MySqlReviewStore store(&pool);
  db::MutationContext context;
  context.actor = "user:hr-wang";
  context.role = "hr_admin";
  context.request.method = "/ladder.careerpath.v1.CareerPathService/RunCycleReview";
  StopCareerPath();
  auto review = store.StartReview(ladder::api::IdOf(cycle.name()), cycle.participant_count(), context);
  ASSERT_TRUE(review.ok()) << review.status();
  auto taken = store.LeaseReview("a-replica-that-died", absl::Seconds(2));
  ASSERT_TRUE(taken.ok() && taken->has_value()) << taken.status();
  ASSERT_EQ((*taken)->id, review->id);

  const absl::Time restarted = absl::Now();
  ASSERT_TRUE(StartCareerPath());
  Reconnect();
  const std::string name = careerpath::OperationName(review->id);
  absl::SleepFor(absl::Milliseconds(1000));
  lro::Operation waiting;
  ASSERT_THAT(GetOperation(name, &waiting), IsOk());
  EXPECT_EQ(MetadataOf(waiting).processed_count(), 0) << "taken before the lease ran out";
  const lro::Operation finished = WaitDone(name, absl::Seconds(30));
  EXPECT_TRUE(finished.has_response()) << finished.DebugString();
  EXPECT_GE(absl::Now() - restarted, absl::Milliseconds(1500));
  EXPECT_EQ(static_cast<int>(CasesOf(cycle.name()).size()), 6);
}

TEST_F(ReviewOperationTest, CancelStopsTheReviewBeforeItsNextBatchAndKeepsWhatWasCommitted) {
  const ev1::Cycle cycle = CycleOfCounty(/*weak=*/15, /*good=*/0);
  gate_->HoldAfter(1);
  lro::Operation started;
  ASSERT_THAT(Run(cycle.name(), &started), IsOk());
  ASSERT_TRUE(gate_->WaitUntilHeld(absl::Seconds(20)));

  // County HR of another county may not cancel it; the cycle's HR may.
  lro::CancelOperationRequest cancel;
  cancel.set_name(started.name());
  google::protobuf::Empty empty;
  {
    auto context = ContextAs(CountyHrElsewhere());
    EXPECT_EQ(operations_->CancelOperation(context.get(), cancel, &empty).error_code(), StatusCode::PERMISSION_DENIED);
  }
  {
    auto context = CallContext(absl::Seconds(10), "hr-wang");
    ASSERT_THAT(operations_->CancelOperation(context.get(), cancel, &empty), IsOk());
  }
  lro::Operation asked;
  ASSERT_THAT(GetOperation(started.name(), &asked), IsOk());
  EXPECT_TRUE(MetadataOf(asked).cancel_requested());
  gate_->Release();

  const lro::Operation stopped = WaitDone(started.name());
  ASSERT_TRUE(stopped.has_error()) << stopped.DebugString();
  EXPECT_EQ(stopped.error().code(), static_cast<int>(StatusCode::CANCELLED));
  EXPECT_EQ(MetadataOf(stopped).processed_count(), kBatch);
  EXPECT_EQ(static_cast<int>(CasesOf(cycle.name()).size()), MetadataOf(stopped).created_case_count());
  EXPECT_EQ(MetadataOf(stopped).created_case_count(), kBatch);

  // Cancelling a finished operation changes nothing; a new review does the rest.
  {
    auto context = CallContext(absl::Seconds(10), "hr-wang");
    EXPECT_THAT(operations_->CancelOperation(context.get(), cancel, &empty), IsOk());
  }
  lro::Operation rest;
  ASSERT_THAT(Run(cycle.name(), &rest), IsOk());
  const lro::Operation rest_done = WaitDone(rest.name());
  cv1::RunCycleReviewResponse result;
  ASSERT_TRUE(rest_done.response().UnpackTo(&result)) << rest_done.DebugString();
  EXPECT_EQ(result.created_case_count(), 15 - kBatch);
  EXPECT_EQ(result.existing_case_count(), kBatch);
}

TEST_F(ReviewOperationTest, OneReviewPerCycleAtATimeAndARetryGetsTheFirstOperation) {
  const ev1::Cycle cycle = CycleOfCounty(/*weak=*/4, /*good=*/4);
  gate_->HoldAfter(0);
  cv1::RunCycleReviewRequest request;
  request.set_cycle(cycle.name());
  request.set_request_id("review-once");
  const lro::Operation first = SendTogether<CareerStub>(
      6, [] { return careerpath_server_->NewStub(); }, &CareerStub::RunCycleReview, request);
  ASSERT_FALSE(first.name().empty());
  // Without a request id, asking while it runs is told the running one.
  lro::Operation other;
  ASSERT_THAT(Run(cycle.name(), &other), IsOk());
  EXPECT_EQ(other.name(), first.name());
  gate_->Release();
  const lro::Operation done = WaitDone(first.name());
  EXPECT_TRUE(done.has_response()) << done.DebugString();
  // The retry after it ended (by the same caller: request ids are per caller) is given the
  // same operation, done.
  lro::Operation retried;
  ASSERT_THAT(Run(cycle.name(), &retried, "review-once", "test"), IsOk());
  EXPECT_EQ(retried.name(), first.name());
  EXPECT_TRUE(retried.done());

  // Listed, newest first, for HR admins and auditors; not for county HR.
  lro::ListOperationsRequest list;
  list.set_name("operations");
  lro::ListOperationsResponse page;
  {
    auto context = ContextAs(TestIdentity{"auditor-li", "AUDITOR"});
    ASSERT_THAT(operations_->ListOperations(context.get(), list, &page), IsOk());
  }
  ASSERT_GT(page.operations_size(), 0);
  EXPECT_EQ(page.operations(0).name(), first.name());
  {
    auto context = ContextAs(CountyHrElsewhere());
    EXPECT_EQ(operations_->ListOperations(context.get(), list, &page).error_code(), StatusCode::PERMISSION_DENIED);
  }
}

TEST_F(ReviewOperationTest, TheOneCallReviewRefusesACycleTooLargeForOneReply) {
  const ev1::Cycle cycle = CycleOfCounty(/*weak=*/2, /*good=*/2);
  // As if the cycle had more participants than one reply may list (they are counted when the
  // cycle is created, so the count is what the bound reads).
  const absl::Status counted = evaluation_database_->Execute(
      absl::StrCat("UPDATE cycles SET participant_count = 5001 WHERE id = ", ladder::api::IdOf(cycle.name())));
  ASSERT_TRUE(counted.ok()) << counted;
  cv1::ReviewCycleRequest request;
  request.set_cycle(cycle.name());
  cv1::ReviewCycleResponse response;
  EXPECT_THAT(CallCareer(&CareerStub::ReviewCycle, request, &response),
              FailsWith(StatusCode::FAILED_PRECONDITION, "CYCLE_TOO_LARGE"));
  EXPECT_TRUE(CasesOf(cycle.name()).empty());
  // The long-running review takes it.
  lro::Operation operation;
  ASSERT_THAT(Run(cycle.name(), &operation), IsOk());
  const lro::Operation done = WaitDone(operation.name());
  EXPECT_TRUE(done.has_response()) << done.DebugString();
  EXPECT_EQ(static_cast<int>(CasesOf(cycle.name()).size()), 2);
}

TEST_F(ReviewOperationTest, Refusals) {
  lro::Operation operation;
  EXPECT_THAT(Run("cycles/x", &operation), RejectsField("cycle"));
  EXPECT_THAT(Run("cycles/987654", &operation), RejectsField("cycle"));
  EXPECT_THAT(GetOperation("operations/987654", &operation), FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  EXPECT_THAT(GetOperation("reviews/1", &operation), RejectsField("name"));

  // A cycle not yet finalised is refused by the call itself.
  ev1::CreateCycleRequest open = CycleRequest(CreateScorecard().name(), CreateNamedCounty(Unique("county-")),
                                              ToDate(QuarterBefore(1).start), ToDate(QuarterBefore(1).end));
  open.mutable_cycle()->set_display_name(Unique("open-"));
  ev1::Cycle cycle;
  ASSERT_THAT(Call(&EvalStub::CreateCycle, open, &cycle), IsOk());
  EXPECT_THAT(Run(cycle.name(), &operation), FailsWith(StatusCode::FAILED_PRECONDITION, "CYCLE_NOT_FINALIZED"));

  lro::ListOperationsRequest list;
  list.set_filter("done = true");
  lro::ListOperationsResponse page;
  {
    auto context = CallContext(absl::Seconds(10), "hr-wang");
    EXPECT_THAT(operations_->ListOperations(context.get(), list, &page), RejectsField("filter"));
  }
  list.clear_filter();
  list.set_name("reviews");
  {
    auto context = CallContext(absl::Seconds(10), "hr-wang");
    EXPECT_THAT(operations_->ListOperations(context.get(), list, &page), RejectsField("name"));
  }
  lro::CancelOperationRequest cancel;
  google::protobuf::Empty empty;
  cancel.set_name("operations/x");
  {
    auto context = CallContext(absl::Seconds(10), "hr-wang");
    EXPECT_THAT(operations_->CancelOperation(context.get(), cancel, &empty), RejectsField("name"));
  }
  cancel.set_name("operations/987654");
  {
    auto context = CallContext(absl::Seconds(10), "hr-wang");
    EXPECT_THAT(operations_->CancelOperation(context.get(), cancel, &empty),
                FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  }
}

}  // namespace
}  // namespace ladder::testing
