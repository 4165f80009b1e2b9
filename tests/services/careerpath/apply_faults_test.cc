// What happens at the moment an approved case is applied through personnel: the cap
// reached meanwhile by a change outside this service, personnel unreachable, and an answer
// lost after personnel applied the change. The career-path service runs here with its
// personnel gateway wrapped, so each fault strikes exactly at that moment; the services
// behind it are the real ones.

#include <functional>

#include "absl/synchronization/mutex.h"
#include "common/server/server_runner.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "tests/services/careerpath/careerpath_test_base.h"
#include "tests/support/test_credentials.h"

namespace ladder::testing {
namespace {

using grpc::StatusCode;
using ::testing::HasSubstr;

// The real personnel gateway, with a fault injected into its writes when asked.
class FaultyPersonnel final : public careerpath::PersonnelGateway {
 public:
  enum class Fault {
    kNone,
    // Runs `before_write` first, then the real call.
    kBeforeWrite,
    // Fails as an outage would, without calling personnel.
    kDown,
    // Makes the real call, then answers as if personnel had not been reached.
    kLoseAnswer,
  };

  explicit FaultyPersonnel(std::unique_ptr<careerpath::PersonnelGateway> real) : real_(std::move(real)) {}

  void Set(Fault fault, std::function<void()> before_write = nullptr) {
    absl::MutexLock lock(&mu_);
    fault_ = fault;
    before_write_ = std::move(before_write);
  }
  int writes() {
    absl::MutexLock lock(&mu_);
    return writes_;
  }

  absl::StatusOr<pv1::Employee> GetEmployee(const std::string& name) override { return real_->GetEmployee(name); }
  absl::StatusOr<std::vector<pv1::Employee>> BatchGetEmployees(const std::vector<std::string>& names) override {
    return real_->BatchGetEmployees(names);
  }
  absl::StatusOr<pv1::OrgUnit> GetOrgUnit(const std::string& name) override { return real_->GetOrgUnit(name); }
  absl::StatusOr<std::vector<pv1::CountyQuota>> CountyQuotasOf(const pv1::OrgUnit& unit) override {
    return real_->CountyQuotasOf(unit);
  }
  absl::StatusOr<pv1::CountyQuota> GetCountyQuota(const std::string& county) override {
    return real_->GetCountyQuota(county);
  }
  absl::StatusOr<pv1::Employee> ChangeLevel(const pv1::ChangeLevelRequest& request) override {
    return Write([&] { return real_->ChangeLevel(request); });
  }
  absl::StatusOr<pv1::Employee> ChangeRole(const pv1::ChangeRoleRequest& request) override {
    return Write([&] { return real_->ChangeRole(request); });
  }
  absl::StatusOr<pv1::Employee> EndEmployment(const pv1::EndEmploymentRequest& request) override {
    return Write([&] { return real_->EndEmployment(request); });
  }

 private:
  absl::StatusOr<pv1::Employee> Write(const std::function<absl::StatusOr<pv1::Employee>()>& call) {
    Fault fault;
    std::function<void()> before;
    {
      absl::MutexLock lock(&mu_);
      ++writes_;
      fault = fault_;
      before = before_write_;
    }
    const absl::Status unreachable = ErrorWithReason(absl::StatusCode::kUnavailable, "PERSONNEL_UNAVAILABLE",
                                                     "the personnel service is unavailable (injected)");
    switch (fault) {
      case Fault::kDown:
        return unreachable;
      case Fault::kLoseAnswer: {
        absl::StatusOr<pv1::Employee> result = call();
        return result.ok() ? unreachable : result.status();
      }
      case Fault::kBeforeWrite:
        if (before) before();
        return call();
      case Fault::kNone:
        break;
    }
    return call();
  }

  std::unique_ptr<careerpath::PersonnelGateway> real_;
  absl::Mutex mu_;
  Fault fault_ ABSL_GUARDED_BY(mu_) = Fault::kNone;
  std::function<void()> before_write_ ABSL_GUARDED_BY(mu_);
  int writes_ ABSL_GUARDED_BY(mu_) = 0;
};

class ApplyFaultsTest : public CareerPathServiceTestBase {
 protected:
  static void SetUpTestSuite() {
    CareerPathServiceTestBase::SetUpTestSuite();
    if (careerpath_server_ == nullptr) return;
    auto policies = policy::PolicySet::LoadFromDirectory("config/policy");
    ASSERT_TRUE(policies.ok()) << policies.status();
    faulty_ = new Faulty;
    faulty_->policies = *std::move(policies);
    faulty_->pool = std::make_unique<db::ConnectionPool>(careerpath_database_->options());
    faulty_->store = std::make_unique<careerpath::MySqlCaseStore>(faulty_->pool.get());
    faulty_->personnel = new FaultyPersonnel(careerpath::MakeGrpcPersonnelGateway(
        grpc::CreateChannel(personnel_server_->address(), ClientCredentials("careerpath")), absl::Seconds(5)));
    faulty_->personnel_owner.reset(faulty_->personnel);
    faulty_->evaluation = careerpath::MakeGrpcEvaluationGateway(
        grpc::CreateChannel(evaluation_server_->address(), ClientCredentials("careerpath")), absl::Seconds(5));
    faulty_->reviews = std::make_unique<careerpath::MySqlReviewStore>(faulty_->pool.get());
    faulty_->service = std::make_unique<careerpath::CareerPathServiceImpl>(
        faulty_->store.get(), faulty_->reviews.get(), faulty_->personnel, faulty_->evaluation.get(),
        &faulty_->policies);
    server::ServerConfig config;
    config.service_name = "careerpath";
    config.listen = "127.0.0.1:0";
    config.transport = ServerTransport("careerpath");
    config.authenticator = TestAuthenticator();
    faulty_->guarded = std::make_unique<careerpath::CareerPathAccessPolicy>(
        faulty_->service.get(), faulty_->store.get(), faulty_->personnel, faulty_->evaluation.get(),
        config.authenticator, faulty_->pool.get());
    auto started = server::StartServer(config, {faulty_->guarded.get()});
    ASSERT_TRUE(started.ok()) << started.status();
    faulty_->server = std::move(started->server);
    faulty_->channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", started->port), ClientCredentials());
  }
  static void TearDownTestSuite() {
    if (faulty_ != nullptr) {
      if (faulty_->server) {
        faulty_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
        faulty_->server->Wait();
      }
      delete faulty_;
      faulty_ = nullptr;
    }
    CareerPathServiceTestBase::TearDownTestSuite();
  }

  void SetUp() override {
    CareerPathServiceTestBase::SetUp();
    ASSERT_NE(faulty_, nullptr);
    ASSERT_NE(faulty_->server, nullptr);
    // Every call of these tests goes to the career-path service with the faulty gateway.
    career_ = cv1::CareerPathService::NewStub(faulty_->channel);
    faulty_->personnel->Set(FaultyPersonnel::Fault::kNone);
  }

  struct Faulty {
    policy::PolicySet policies;
    std::unique_ptr<db::ConnectionPool> pool;
    std::unique_ptr<careerpath::MySqlCaseStore> store;
    std::unique_ptr<careerpath::MySqlReviewStore> reviews;
    FaultyPersonnel* personnel = nullptr;
    std::unique_ptr<careerpath::PersonnelGateway> personnel_owner;
    std::unique_ptr<careerpath::EvaluationGateway> evaluation;
    std::unique_ptr<careerpath::CareerPathServiceImpl> service;
    std::unique_ptr<careerpath::CareerPathAccessPolicy> guarded;
    std::unique_ptr<grpc::Server> server;
    std::shared_ptr<grpc::Channel> channel;
  };
  inline static Faulty* faulty_ = nullptr;
};

TEST_F(ApplyFaultsTest, CapReachedMeanwhileMakesTheCaseWaitWithPersonnelsReason) {
  const std::string county = CreateNamedCounty("常山县");
  // N = 10, cap 2, one senior: one slot.
  for (int i = 0; i < 6; ++i) ManagerMonthsAtLevel(county, kJunior, 30);
  const pv1::Employee rising = ManagerMonthsAtLevel(county, kIntermediate, 30);
  const pv1::Employee favourite = ManagerMonthsAtLevel(county, kIntermediate, 30);
  ManagerMonthsAtLevel(county, kIntermediate, 30);
  ManagerMonthsAtLevel(county, kSenior, 30);
  FinalisedCycle(county, QuarterBefore(2), {{rising.name(), 95}});
  const ev1::Cycle cycle = FinalisedCycle(county, QuarterBefore(1), {{rising.name(), 95}});
  const cv1::ReviewCycleResponse review = Review(cycle.name());
  ASSERT_EQ(review.created_cases_size(), 1);
  const cv1::Case& proposed = review.created_cases(0);
  ASSERT_TRUE(proposed.evidence().eligible());

  // Just before careerpath writes, HR promotes someone else directly: the last slot goes.
  faulty_->personnel->Set(FaultyPersonnel::Fault::kBeforeWrite, [&] {
    pv1::Employee promoted;
    EXPECT_THAT(ChangeLevelOn(favourite.name(), kIntermediate, kSenior, TodayInBranch(), &promoted), IsOk());
  });
  cv1::Case result;
  ASSERT_THAT(Approve(proposed.name(), &result), IsOk());
  EXPECT_EQ(result.state(), cv1::Case::STATE_WAITING_FOR_SLOT);
  EXPECT_THAT(result.state_reason(), HasSubstr("2 held, cap 2"));
  EXPECT_EQ(result.waitlist_position(), 1);
  EXPECT_FALSE(result.has_apply_time());
  EXPECT_EQ(GetEmployee(rising.name()).level(), kIntermediate);
  EXPECT_EQ(HeadCount(Quota(county), kSenior), 2);
  EXPECT_EQ(ChangesCarryingOut(rising.name(), proposed.name()), 0);
}

TEST_F(ApplyFaultsTest, PersonnelUnreachableAtApplyLeavesTheCaseUnchanged) {
  const std::string county = CreateNamedCounty("开化县");
  const pv1::Employee rising = ManagerMonthsAtLevel(county, kJunior, 20);
  FinalisedCycle(county, QuarterBefore(2), {{rising.name(), 90}});
  const ev1::Cycle cycle = FinalisedCycle(county, QuarterBefore(1), {{rising.name(), 90}});
  const cv1::Case proposed = Review(cycle.name()).created_cases(0);

  faulty_->personnel->Set(FaultyPersonnel::Fault::kDown);
  cv1::Case result;
  EXPECT_THAT(Approve(proposed.name(), &result, "approve-while-down"),
              FailsWith(StatusCode::UNAVAILABLE, "PERSONNEL_UNAVAILABLE"));
  EXPECT_EQ(GetCase(proposed.name()).SerializeAsString(), proposed.SerializeAsString());
  EXPECT_EQ(GetEmployee(rising.name()).level(), kJunior);

  // Back up: the same request applies it, once.
  faulty_->personnel->Set(FaultyPersonnel::Fault::kNone);
  ASSERT_THAT(Approve(proposed.name(), &result, "approve-while-down"), IsOk());
  EXPECT_EQ(result.state(), cv1::Case::STATE_APPLIED);
  EXPECT_EQ(ChangesCarryingOut(rising.name(), proposed.name()), 1);
}

TEST_F(ApplyFaultsTest, ALostAnswerIsRetriedWithoutApplyingTwice) {
  const std::string county = CreateNamedCounty("衢江区");
  const pv1::Employee rising = ManagerMonthsAtLevel(county, kJunior, 20);
  const pv1::Employee weak = ManagerMonthsAtLevel(county, kJunior, 20);
  FinalisedCycle(county, QuarterBefore(2), {{rising.name(), 90}, {weak.name(), 40}});
  const ev1::Cycle cycle = FinalisedCycle(county, QuarterBefore(1), {{rising.name(), 90}, {weak.name(), 40}});
  const cv1::ReviewCycleResponse review = Review(cycle.name());
  const cv1::Case up = CaseOf(review.created_cases(), rising.name(), cv1::Case::KIND_PROMOTION);
  const cv1::Case out = CaseOf(review.created_cases(), weak.name(), cv1::Case::KIND_ELIMINATION);
  ASSERT_FALSE(up.name().empty());
  ASSERT_FALSE(out.name().empty());

  // Personnel applies the promotion, but the answer never comes back.
  faulty_->personnel->Set(FaultyPersonnel::Fault::kLoseAnswer);
  cv1::Case result;
  EXPECT_THAT(Approve(up.name(), &result, "approve-up"), FailsWith(StatusCode::UNAVAILABLE, "PERSONNEL_UNAVAILABLE"));
  EXPECT_EQ(GetEmployee(rising.name()).level(), kIntermediate);
  EXPECT_EQ(GetCase(up.name()).state(), cv1::Case::STATE_PROPOSED);
  EXPECT_THAT(Approve(out.name(), &result), FailsWith(StatusCode::UNAVAILABLE, "PERSONNEL_UNAVAILABLE"));
  EXPECT_EQ(GetEmployee(weak.name()).status(), pv1::EMPLOYMENT_STATUS_SEPARATED);

  // The retries, with the same request id or without one, record the outcome and land
  // nothing more.
  faulty_->personnel->Set(FaultyPersonnel::Fault::kNone);
  ASSERT_THAT(Approve(up.name(), &result, "approve-up"), IsOk());
  EXPECT_EQ(result.state(), cv1::Case::STATE_APPLIED);
  ASSERT_THAT(Approve(out.name(), &result), IsOk());
  EXPECT_EQ(result.state(), cv1::Case::STATE_APPLIED);
  EXPECT_EQ(ChangesCarryingOut(rising.name(), up.name()), 1);
  EXPECT_EQ(ChangesCarryingOut(weak.name(), out.name()), 1);
  EXPECT_EQ(History(rising.name()).size(), 2u);  // the initial level (set-up), and this case
  EXPECT_THAT(Approve(up.name(), &result), FailsWith(StatusCode::FAILED_PRECONDITION, "CASE_ALREADY_APPLIED"));
}

TEST_F(ApplyFaultsTest, AMoveMadeOutsideTheCaseIsNotTakenForIt) {
  const std::string county = CreateNamedCounty("柯城区");
  const pv1::Employee rising = ManagerMonthsAtLevel(county, kJunior, 20);
  FinalisedCycle(county, QuarterBefore(2), {{rising.name(), 90}});
  const ev1::Cycle cycle = FinalisedCycle(county, QuarterBefore(1), {{rising.name(), 90}});
  const cv1::Case up = Review(cycle.name()).created_cases(0);

  // HR promotes directly: personnel shows the case's move, but not made by the case.
  pv1::Employee promoted;
  ASSERT_THAT(ChangeLevelOn(rising.name(), kJunior, kIntermediate, TodayInBranch(), &promoted), IsOk());
  cv1::Case result;
  EXPECT_THAT(Approve(up.name(), &result), FailsWith(StatusCode::FAILED_PRECONDITION, "NO_LONGER_ELIGIBLE"));
  EXPECT_EQ(GetCase(up.name()).state(), cv1::Case::STATE_PROPOSED);
  EXPECT_EQ(ChangesCarryingOut(rising.name(), up.name()), 0);
}

}  // namespace
}  // namespace ladder::testing
