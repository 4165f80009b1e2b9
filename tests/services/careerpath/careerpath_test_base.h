#pragma once

// Shared set-up of the career-path service tests: per test suite, scratch databases for
// personnel, evaluation and career path, and the three real services talking to each other
// over loopback. People, levels and scores are made through the personnel and evaluation
// APIs (levels backdated through ChangeLevel's effective date, scores through finalised
// cycles), so every rule is judged on facts made the way production makes them.

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/time/dates.h"
#include "ladder/careerpath/v1/careerpath_service.grpc.pb.h"
#include "services/careerpath/migrations.h"
#include "tests/services/evaluation/evaluation_test_base.h"
#include "tests/support/careerpath_test_server.h"

namespace ladder::testing {

namespace cv1 = ::ladder::careerpath::v1;
using CareerStub = cv1::CareerPathService::Stub;

// A calendar quarter: its days and how the tests name its cycle.
struct Quarter {
  absl::CivilDay start;
  absl::CivilDay end;
  std::string label;  // "2026-Q3"
};

// The quarter `back` quarters before the current one (1: the last one completed).
inline Quarter QuarterBefore(int back) {
  const absl::CivilDay today = TodayInBranch();
  const int index = static_cast<int>(today.year()) * 4 + (today.month() - 1) / 3 - back;
  const int year = index / 4;
  const int first_month = (index % 4) * 3 + 1;
  Quarter quarter;
  quarter.start = absl::CivilDay(year, first_month, 1);
  quarter.end = absl::CivilDay(absl::CivilMonth(year, first_month) + 3) - 1;
  quarter.label = absl::StrCat(year, "-Q", index % 4 + 1);
  return quarter;
}

class CareerPathServiceTestBase : public EvaluationServiceTestBase {
 protected:
  static void SetUpTestSuite() {
    EvaluationServiceTestBase::SetUpTestSuite();
    if (personnel_server_ == nullptr || evaluation_server_ == nullptr) return;
    const std::string prefix = ::testing::UnitTest::GetInstance()->current_test_suite()->name();
    auto database = ScratchDatabase::Create(prefix + "_c", careerpath::Migrations());
    ASSERT_TRUE(database.ok()) << database.status();
    careerpath_database_ = std::move(*database).release();
    auto server = CareerPathTestServer::Start(careerpath_database_->options(), personnel_server_->address(),
                                              evaluation_server_->address());
    ASSERT_TRUE(server.ok()) << server.status();
    careerpath_server_ = std::move(*server).release();
  }
  static void TearDownTestSuite() {
    delete careerpath_server_;
    careerpath_server_ = nullptr;
    delete careerpath_database_;
    careerpath_database_ = nullptr;
    EvaluationServiceTestBase::TearDownTestSuite();
  }
  // Takes the evaluation service away, as an outage would.
  static void StopEvaluation() {
    delete evaluation_server_;
    evaluation_server_ = nullptr;
  }

  void SetUp() override {
    EvaluationServiceTestBase::SetUp();
    ASSERT_NE(careerpath_server_, nullptr) << "the career-path test server did not start";
    career_ = careerpath_server_->NewStub();
  }

  template <typename Request, typename Response>
  grpc::Status CallCareer(grpc::Status (CareerStub::*method)(grpc::ClientContext*, const Request&, Response*),
                          const Request& request, Response* response, const std::string& actor = "hr-wang") {
    auto context = CallContext(absl::Seconds(60), actor);
    return (career_.get()->*method)(context.get(), request, response);
  }

  // ------------------------------------------------------------ people

  // A county named `display_name` in a city branch of its own.
  std::string CreateNamedCounty(const std::string& display_name) {
    pv1::CreateOrgUnitRequest request;
    request.mutable_org_unit()->set_display_name(display_name);
    request.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_COUNTY);
    request.mutable_org_unit()->set_parent(CreateCityBranch().name());
    pv1::OrgUnit unit;
    EXPECT_THAT(CallPeople(&PeopleStub::CreateOrgUnit, request, &unit), IsOk());
    return unit.name();
  }

  grpc::Status ChangeLevelOn(const std::string& employee, Level from, Level to, absl::CivilDay day,
                             pv1::Employee* result) {
    pv1::ChangeLevelRequest request;
    request.set_name(employee);
    request.set_expected_level(from);
    request.set_level(to);
    request.set_reason("test set-up");
    *request.mutable_effective_date() = ToDate(day);
    return CallPeople(&PeopleStub::ChangeLevel, request, result);
  }

  // A customer manager (hired 2020-03-01) holding `level` since `since`; the levels below
  // were held from the hire date. Make juniors and intermediates before seniors: the cap
  // counts the county's levelled managers at each promotion.
  pv1::Employee ManagerSince(const std::string& county, Level level, absl::CivilDay since) {
    pv1::Employee employee = CreateEmployee(county);
    pv1::Employee result = employee;
    Level held = Level::LEVEL_UNSPECIFIED;
    for (Level next : {kJunior, kIntermediate, kSenior}) {
      if (next > level) break;
      const absl::CivilDay day = next == level ? since : absl::CivilDay(2020, 3, 1);
      EXPECT_THAT(ChangeLevelOn(employee.name(), held, next, day, &result), IsOk())
          << employee.name() << " → " << common::v1::Level_Name(next);
      held = next;
    }
    return result;
  }

  pv1::Employee ManagerMonthsAtLevel(const std::string& county, Level level, int months) {
    return ManagerSince(county, level, AddMonths(TodayInBranch(), -months));
  }

  pv1::Employee GetEmployee(const std::string& name) {
    pv1::GetEmployeeRequest request;
    request.set_name(name);
    pv1::Employee employee;
    EXPECT_THAT(CallPeople(&PeopleStub::GetEmployee, request, &employee), IsOk());
    return employee;
  }

  pv1::CountyQuota Quota(const std::string& county) {
    pv1::GetCountyQuotaRequest request;
    request.set_name(county + "/quota");
    pv1::CountyQuota quota;
    EXPECT_THAT(CallPeople(&PeopleStub::GetCountyQuota, request, &quota), IsOk());
    return quota;
  }

  static int HeadCount(const pv1::CountyQuota& quota, Level level) {
    for (const auto& entry : quota.levels()) {
      if (entry.level() == level) return entry.head_count();
    }
    return -1;
  }

  // The level history of an employee ("employees/{id}") or of a county ("employees/-" with
  // `county`), oldest first.
  std::vector<pv1::LevelChange> History(const std::string& parent, const std::string& county = "") {
    pv1::ListLevelChangesRequest request;
    request.set_parent(parent);
    request.set_county(county);
    request.set_page_size(1000);
    std::vector<pv1::LevelChange> changes;
    do {
      pv1::ListLevelChangesResponse response;
      const grpc::Status status = CallPeople(&PeopleStub::ListLevelChanges, request, &response);
      EXPECT_THAT(status, IsOk());
      if (!status.ok()) break;
      changes.insert(changes.end(), response.level_changes().begin(), response.level_changes().end());
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty());
    return changes;
  }

  // Changes of an employee's history that carry out `decision` (a case name).
  int ChangesCarryingOut(const std::string& employee, const std::string& decision) {
    int count = 0;
    for (const auto& change : History(employee)) count += change.decision() == decision ? 1 : 0;
    return count;
  }

  grpc::Status EndEmployment(const std::string& employee, pv1::SeparationReason reason) {
    pv1::EndEmploymentRequest request;
    request.set_name(employee);
    request.set_reason(reason);
    pv1::Employee result;
    return CallPeople(&PeopleStub::EndEmployment, request, &result);
  }

  // ------------------------------------------------------------ scores

  // A cycle of `scope` over `quarter`, each participant in `composites` scored evenly so
  // that its composite is the given number, then reviewed and finalised.
  ev1::Cycle FinalisedCycle(const std::string& scope, const Quarter& quarter,
                            const std::map<std::string, double>& composites) {
    ev1::CreateCycleRequest request =
        CycleRequest(CreateScorecard().name(), scope, ToDate(quarter.start), ToDate(quarter.end));
    request.mutable_cycle()->set_display_name(Unique(quarter.label + "-"));
    ev1::Cycle cycle;
    EXPECT_THAT(Call(&EvalStub::CreateCycle, request, &cycle), IsOk());
    for (const auto& [employee, composite] : composites) {
      EXPECT_THAT(Record(EvaluationName(cycle.name(), employee), Standard(composite, composite, composite)), IsOk())
          << employee << " in " << cycle.name();
    }
    EXPECT_THAT(StartReview(cycle.name()), IsOk());
    EXPECT_THAT(Finalize(cycle.name(), &cycle), IsOk());
    return cycle;
  }

  // The same composite for everyone in `employees`.
  static std::map<std::string, double> Everyone(const std::vector<pv1::Employee>& employees, double composite) {
    std::map<std::string, double> scores;
    for (const auto& employee : employees) scores[employee.name()] = composite;
    return scores;
  }

  // ------------------------------------------------------------ career path

  cv1::ReviewCycleResponse Review(const std::string& cycle, const std::string& request_id = "") {
    cv1::ReviewCycleRequest request;
    request.set_cycle(cycle);
    request.set_request_id(request_id);
    cv1::ReviewCycleResponse response;
    EXPECT_THAT(CallCareer(&CareerStub::ReviewCycle, request, &response), IsOk()) << cycle;
    return response;
  }

  grpc::Status Approve(const std::string& name, cv1::Case* result, const std::string& request_id = "",
                       const std::string& etag = "") {
    cv1::ApproveCaseRequest request;
    request.set_name(name);
    request.set_request_id(request_id);
    request.set_etag(etag);
    return CallCareer(&CareerStub::ApproveCase, request, result);
  }

  grpc::Status Reject(const std::string& name, const std::string& reason, cv1::Case* result,
                      const std::string& request_id = "") {
    cv1::RejectCaseRequest request;
    request.set_name(name);
    request.set_reason(reason);
    request.set_request_id(request_id);
    return CallCareer(&CareerStub::RejectCase, request, result);
  }

  grpc::Status Withdraw(const std::string& name, const std::string& reason, cv1::Case* result) {
    cv1::WithdrawCaseRequest request;
    request.set_name(name);
    request.set_reason(reason);
    return CallCareer(&CareerStub::WithdrawCase, request, result);
  }

  cv1::Case GetCase(const std::string& name) {
    cv1::GetCaseRequest request;
    request.set_name(name);
    cv1::Case value;
    EXPECT_THAT(CallCareer(&CareerStub::GetCase, request, &value), IsOk()) << name;
    return value;
  }

  // Every case the request's filters select, page by page.
  std::vector<cv1::Case> ListAllCases(cv1::ListCasesRequest request) {
    std::vector<cv1::Case> all;
    do {
      cv1::ListCasesResponse response;
      const grpc::Status status = CallCareer(&CareerStub::ListCases, request, &response);
      EXPECT_THAT(status, IsOk());
      if (!status.ok()) break;
      all.insert(all.end(), response.cases().begin(), response.cases().end());
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty());
    return all;
  }

  // The county's waitlist as ListCases gives it.
  std::vector<cv1::Case> Waitlist(const std::string& county) {
    cv1::ListCasesRequest request;
    request.set_county(county);
    request.set_state(cv1::Case::STATE_WAITING_FOR_SLOT);
    return ListAllCases(request);
  }

  cv1::Eligibility Eligibility(const std::string& employee, cv1::Target target) {
    cv1::CheckEligibilityRequest request;
    request.set_employee(employee);
    request.set_target(target);
    cv1::Eligibility result;
    EXPECT_THAT(CallCareer(&CareerStub::CheckEligibility, request, &result), IsOk()) << employee;
    return result;
  }

  // The case of `kind` for `employee` among `cases`, or an empty case.
  static cv1::Case CaseOf(const google::protobuf::RepeatedPtrField<cv1::Case>& cases, const std::string& employee,
                          cv1::Case::Kind kind) {
    for (const auto& value : cases) {
      if (value.employee() == employee && value.kind() == kind) return value;
    }
    return cv1::Case();
  }

  static const cv1::RuleCheck* RuleOf(const cv1::Eligibility& eligibility, const std::string& rule) {
    for (const auto& check : eligibility.rules()) {
      if (check.rule() == rule) return &check;
    }
    return nullptr;
  }

  inline static ScratchDatabase* careerpath_database_ = nullptr;
  inline static CareerPathTestServer* careerpath_server_ = nullptr;
  std::unique_ptr<CareerStub> career_;
};

}  // namespace ladder::testing
