#pragma once

// Shared set-up of the evaluation service tests: per test suite, a scratch database for
// personnel and one for evaluation, the real personnel service, and the real evaluation
// service reading people from it. People are created through the personnel API, so the
// senior cap and the entry rules apply as in production.

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ladder/evaluation/v1/evaluation_service.grpc.pb.h"
#include "ladder/personnel/v1/personnel_service.grpc.pb.h"
#include "services/evaluation/migrations.h"
#include "services/personnel/migrations.h"
#include "tests/support/evaluation_test_server.h"
#include "tests/support/personnel_test_server.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_database.h"

namespace ladder::testing {

namespace pv1 = ::ladder::personnel::v1;
namespace ev1 = ::ladder::evaluation::v1;
using ::ladder::common::v1::Level;
using EvalStub = ev1::EvaluationService::Stub;
using PeopleStub = pv1::PersonnelService::Stub;

inline constexpr auto kJunior = Level::LEVEL_JUNIOR;
inline constexpr auto kIntermediate = Level::LEVEL_INTERMEDIATE;
inline constexpr auto kSenior = Level::LEVEL_SENIOR;

inline google::type::Date MakeDate(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

// The id in a resource name: 42 for "employees/42".
inline std::string IdOf(const std::string& name) { return name.substr(name.rfind('/') + 1); }

inline std::string EvaluationName(const std::string& cycle, const std::string& employee) {
  return absl::StrCat(cycle, "/evaluations/", IdOf(employee));
}

// Scores in the order of the standard scorecard's indicators.
inline google::protobuf::RepeatedPtrField<ev1::Evaluation::Score> Scores(
    const std::vector<std::pair<std::string, double>>& scores) {
  google::protobuf::RepeatedPtrField<ev1::Evaluation::Score> out;
  for (const auto& [indicator, score] : scores) {
    auto* entry = out.Add();
    entry->set_indicator(indicator);
    entry->set_score(score);
  }
  return out;
}

// business_results 40 %, satisfaction 30 %, service_quality 30 %.
inline google::protobuf::RepeatedPtrField<ev1::Evaluation::Score> Standard(double business, double satisfaction,
                                                                           double quality) {
  return Scores({{"business_results", business}, {"satisfaction", satisfaction}, {"service_quality", quality}});
}

class EvaluationServiceTestBase : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string prefix = ::testing::UnitTest::GetInstance()->current_test_suite()->name();
    auto people_db = ScratchDatabase::Create(prefix + "_p", personnel::Migrations());
    ASSERT_TRUE(people_db.ok()) << people_db.status();
    personnel_database_ = std::move(*people_db).release();
    auto eval_db = ScratchDatabase::Create(prefix + "_e", evaluation::Migrations());
    ASSERT_TRUE(eval_db.ok()) << eval_db.status();
    evaluation_database_ = std::move(*eval_db).release();
    auto people = PersonnelTestServer::Start(personnel_database_->options());
    ASSERT_TRUE(people.ok()) << people.status();
    personnel_server_ = std::move(*people).release();
    auto evaluation = EvaluationTestServer::Start(evaluation_database_->options(), personnel_server_->address());
    ASSERT_TRUE(evaluation.ok()) << evaluation.status();
    evaluation_server_ = std::move(*evaluation).release();
  }
  static void TearDownTestSuite() {
    delete evaluation_server_;
    evaluation_server_ = nullptr;
    StopPersonnel();
    delete evaluation_database_;
    evaluation_database_ = nullptr;
    delete personnel_database_;
    personnel_database_ = nullptr;
  }
  // Takes the personnel service away, as an outage would.
  static void StopPersonnel() {
    delete personnel_server_;
    personnel_server_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(evaluation_server_, nullptr) << "the evaluation test server did not start";
    ASSERT_NE(personnel_server_, nullptr) << "the personnel test server did not start";
    stub_ = evaluation_server_->NewStub();
    people_ = personnel_server_->NewStub();
  }

  // A unique suffix for names within this binary's databases.
  static std::string Unique(absl::string_view prefix) {
    static std::atomic<int> counter{0};
    return absl::StrCat(prefix, ++counter);
  }

  template <typename Request, typename Response>
  grpc::Status Call(grpc::Status (EvalStub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response) {
    auto context = CallContext();
    return (stub_.get()->*method)(context.get(), request, response);
  }

  template <typename Request, typename Response>
  grpc::Status CallPeople(grpc::Status (PeopleStub::*method)(grpc::ClientContext*, const Request&, Response*),
                          const Request& request, Response* response) {
    auto context = CallContext();
    return (people_.get()->*method)(context.get(), request, response);
  }

  // ------------------------------------------------------------ people

  pv1::OrgUnit CreateCityBranch() {
    pv1::CreateOrgUnitRequest request;
    request.mutable_org_unit()->set_display_name(Unique("city-"));
    request.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_CITY_BRANCH);
    pv1::OrgUnit unit;
    EXPECT_THAT(CallPeople(&PeopleStub::CreateOrgUnit, request, &unit), IsOk());
    return unit;
  }

  std::string CreateCounty(const std::string& city = "") {
    pv1::CreateOrgUnitRequest request;
    request.mutable_org_unit()->set_display_name(Unique("county-"));
    request.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_COUNTY);
    request.mutable_org_unit()->set_parent(city.empty() ? CreateCityBranch().name() : city);
    pv1::OrgUnit unit;
    EXPECT_THAT(CallPeople(&PeopleStub::CreateOrgUnit, request, &unit), IsOk());
    return unit.name();
  }

  std::string CreateTeam(const std::string& county) {
    pv1::CreateTeamRequest request;
    request.mutable_team()->set_display_name(Unique("team-"));
    request.mutable_team()->set_county(county);
    pv1::Team team;
    EXPECT_THAT(CallPeople(&PeopleStub::CreateTeam, request, &team), IsOk());
    return team.name();
  }

  pv1::Employee CreateEmployee(const std::string& county, pv1::Role role = pv1::ROLE_CUSTOMER_MANAGER,
                               pv1::EntryChannel channel = pv1::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT,
                               const std::string& team = "") {
    pv1::CreateEmployeeRequest request;
    pv1::Employee* employee = request.mutable_employee();
    employee->set_employee_number(Unique("E"));
    employee->set_display_name("测试员工");
    employee->set_county(county);
    employee->set_team(team);
    employee->set_role(role);
    employee->set_entry_channel(channel);
    *employee->mutable_hire_date() = MakeDate(2020, 3, 1);
    pv1::Employee created;
    EXPECT_THAT(CallPeople(&PeopleStub::CreateEmployee, request, &created), IsOk());
    return created;
  }

  grpc::Status ChangeLevel(const pv1::Employee& employee, Level from, Level to, pv1::Employee* result) {
    pv1::ChangeLevelRequest request;
    request.set_name(employee.name());
    request.set_expected_level(from);
    request.set_level(to);
    request.set_reason("test");
    return CallPeople(&PeopleStub::ChangeLevel, request, result);
  }

  // A customer manager of `county` holding `level`, set through ChangeLevel step by step.
  pv1::Employee CreateManagerAt(const std::string& county, Level level, const std::string& team = "") {
    pv1::Employee employee =
        CreateEmployee(county, pv1::ROLE_CUSTOMER_MANAGER, pv1::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT, team);
    pv1::Employee result;
    Level held = Level::LEVEL_UNSPECIFIED;
    for (Level next : {kJunior, kIntermediate, kSenior}) {
      if (next > level) break;
      EXPECT_THAT(ChangeLevel(employee, held, next, &result), IsOk());
      held = next;
    }
    return held == Level::LEVEL_UNSPECIFIED ? employee : result;
  }

  // Managers of a county by level; juniors are made first so N leaves room for seniors.
  struct Staff {
    std::vector<pv1::Employee> juniors, intermediates, seniors;
    std::vector<pv1::Employee> All() const {
      std::vector<pv1::Employee> all = juniors;
      all.insert(all.end(), intermediates.begin(), intermediates.end());
      all.insert(all.end(), seniors.begin(), seniors.end());
      return all;
    }
  };
  Staff CreateStaff(const std::string& county, int juniors, int intermediates, int seniors) {
    Staff staff;
    for (int i = 0; i < juniors; ++i) staff.juniors.push_back(CreateManagerAt(county, kJunior));
    for (int i = 0; i < intermediates; ++i) {
      staff.intermediates.push_back(CreateManagerAt(county, kIntermediate));
    }
    for (int i = 0; i < seniors; ++i) staff.seniors.push_back(CreateManagerAt(county, kSenior));
    return staff;
  }

  grpc::Status Transfer(const pv1::Employee& employee, const std::string& county) {
    pv1::TransferEmployeeRequest request;
    request.set_name(employee.name());
    request.set_county(county);
    request.set_reason("test");
    pv1::Employee result;
    return CallPeople(&PeopleStub::TransferEmployee, request, &result);
  }

  // ------------------------------------------------------------ evaluation

  // The standard scorecard: business_results 40, satisfaction 30, service_quality 30.
  ev1::Scorecard StandardScorecard() {
    ev1::Scorecard scorecard;
    scorecard.set_display_name(Unique("客户经理考核表-"));
    for (const auto& [key, weight] : std::vector<std::pair<std::string, int>>{
             {"business_results", 40}, {"satisfaction", 30}, {"service_quality", 30}}) {
      auto* indicator = scorecard.add_indicators();
      indicator->set_key(key);
      indicator->set_display_name(key);
      indicator->set_weight_percent(weight);
    }
    return scorecard;
  }

  ev1::Scorecard CreateScorecard() {
    ev1::CreateScorecardRequest request;
    *request.mutable_scorecard() = StandardScorecard();
    ev1::Scorecard created;
    EXPECT_THAT(Call(&EvalStub::CreateScorecard, request, &created), IsOk());
    return created;
  }

  ev1::CreateCycleRequest CycleRequest(const std::string& scorecard, const std::string& scope,
                                       google::type::Date start = MakeDate(2026, 4, 1),
                                       google::type::Date end = MakeDate(2026, 6, 30)) {
    ev1::CreateCycleRequest request;
    ev1::Cycle* cycle = request.mutable_cycle();
    cycle->set_display_name(Unique("2026年第二季度-"));
    cycle->set_period(ev1::Cycle::PERIOD_QUARTERLY);
    *cycle->mutable_start_date() = start;
    *cycle->mutable_end_date() = end;
    cycle->set_scorecard(scorecard);
    cycle->set_scope(scope);
    return request;
  }

  ev1::Cycle CreateCycle(const std::string& scope, const std::string& scorecard = "",
                         google::type::Date start = MakeDate(2026, 4, 1),
                         google::type::Date end = MakeDate(2026, 6, 30)) {
    ev1::Cycle cycle;
    EXPECT_THAT(Call(&EvalStub::CreateCycle,
                     CycleRequest(scorecard.empty() ? CreateScorecard().name() : scorecard, scope, start, end), &cycle),
                IsOk());
    return cycle;
  }

  grpc::Status StartReview(const std::string& cycle, ev1::Cycle* result = nullptr, const std::string& request_id = "") {
    ev1::StartReviewRequest request;
    request.set_name(cycle);
    request.set_request_id(request_id);
    ev1::Cycle ignored;
    return Call(&EvalStub::StartReview, request, result != nullptr ? result : &ignored);
  }

  grpc::Status Finalize(const std::string& cycle, ev1::Cycle* result = nullptr, const std::string& request_id = "") {
    ev1::FinalizeCycleRequest request;
    request.set_name(cycle);
    request.set_request_id(request_id);
    ev1::Cycle ignored;
    return Call(&EvalStub::FinalizeCycle, request, result != nullptr ? result : &ignored);
  }

  grpc::Status Record(const std::string& evaluation,
                      const google::protobuf::RepeatedPtrField<ev1::Evaluation::Score>& scores,
                      ev1::Evaluation* result = nullptr, const std::string& request_id = "") {
    ev1::RecordScoresRequest request;
    request.set_name(evaluation);
    *request.mutable_scores() = scores;
    request.set_request_id(request_id);
    ev1::Evaluation ignored;
    return Call(&EvalStub::RecordScores, request, result != nullptr ? result : &ignored);
  }

  ev1::Evaluation GetEvaluation(const std::string& name) {
    ev1::GetEvaluationRequest request;
    request.set_name(name);
    ev1::Evaluation evaluation;
    EXPECT_THAT(Call(&EvalStub::GetEvaluation, request, &evaluation), IsOk());
    return evaluation;
  }

  ev1::Cycle GetCycle(const std::string& name) {
    ev1::GetCycleRequest request;
    request.set_name(name);
    ev1::Cycle cycle;
    EXPECT_THAT(Call(&EvalStub::GetCycle, request, &cycle), IsOk());
    return cycle;
  }

  // Every evaluation of the request's list, page by page; `pages` counts the pages.
  std::vector<ev1::Evaluation> ListAllEvaluations(ev1::ListEvaluationsRequest request, int* pages = nullptr) {
    std::vector<ev1::Evaluation> all;
    int count = 0;
    do {
      ev1::ListEvaluationsResponse response;
      const grpc::Status status = Call(&EvalStub::ListEvaluations, request, &response);
      EXPECT_THAT(status, IsOk());
      if (!status.ok()) break;
      all.insert(all.end(), response.evaluations().begin(), response.evaluations().end());
      request.set_page_token(response.next_page_token());
      ++count;
    } while (!request.page_token().empty());
    if (pages != nullptr) *pages = count;
    return all;
  }

  // One stream: a header, then the rows in messages of `batch` rows. Returns the status.
  grpc::Status Import(const ev1::ImportScoresRequest::Header& header,
                      const std::vector<ev1::ImportScoresRequest::Row>& rows, ev1::ImportScoresResponse* response,
                      size_t batch = 500) {
    auto context = CallContext(absl::Seconds(120));
    auto writer = stub_->ImportScores(context.get(), response);
    ev1::ImportScoresRequest message;
    *message.mutable_header() = header;
    if (!writer->Write(message)) return writer->Finish();
    for (size_t begin = 0; begin < rows.size(); begin += batch) {
      ev1::ImportScoresRequest chunk;
      for (size_t i = begin; i < std::min(rows.size(), begin + batch); ++i) {
        *chunk.mutable_rows()->add_rows() = rows[i];
      }
      if (!writer->Write(chunk)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  static ev1::ImportScoresRequest::Row Row(int64_t number, const std::string& employee,
                                           const google::protobuf::RepeatedPtrField<ev1::Evaluation::Score>& scores) {
    ev1::ImportScoresRequest::Row row;
    row.set_row_number(number);
    row.set_employee(employee);
    *row.mutable_scores() = scores;
    return row;
  }

  static ev1::ImportScoresRequest::Header Header(const std::string& cycle, bool all_or_nothing,
                                                 const std::string& request_id = "") {
    ev1::ImportScoresRequest::Header header;
    header.set_cycle(cycle);
    header.set_all_or_nothing(all_or_nothing);
    header.set_request_id(request_id);
    return header;
  }

  inline static ScratchDatabase* personnel_database_ = nullptr;
  inline static ScratchDatabase* evaluation_database_ = nullptr;
  inline static PersonnelTestServer* personnel_server_ = nullptr;
  inline static EvaluationTestServer* evaluation_server_ = nullptr;
  std::unique_ptr<EvalStub> stub_;
  std::unique_ptr<PeopleStub> people_;
};

}  // namespace ladder::testing
