#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/auth/caller.h"
#include "common/db/call_deadline.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "services/careerpath/upstream.h"

namespace ladder::careerpath {
namespace {

// A failed call upstream, as careerpath's callers should see it: the other service's
// unavailability is ours; its refusals keep their code, reason and metadata.
absl::Status Upstream(const grpc::Status& status, absl::string_view service, absl::string_view call) {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return ErrorWithReason(absl::StatusCode::kUnavailable,
                           absl::StrCat(service == "personnel" ? "PERSONNEL" : "EVALUATION", "_UNAVAILABLE"),
                           absl::StrCat("the ", service, " service is unavailable (", call, "); retry later"));
  }
  return FromGrpcStatus(status);
}

class Caller {
 public:
  explicit Caller(absl::Duration deadline) : deadline_(deadline) {}
  std::unique_ptr<grpc::ClientContext> Context() const {
    auto context = std::make_unique<grpc::ClientContext>();
    // The call being served bounds the calls it makes: none outlives its caller's deadline.
    context->set_deadline(absl::ToChronoTime(std::min(absl::Now() + deadline_, db::CurrentCallDeadline())));
    // Careerpath calls as itself (its certificate); the person whose call this serves goes
    // along, so personnel's audit trail names who decided, not only who applied it.
    if (const auth::Principal* caller = auth::CurrentCaller(); caller != nullptr) {
      context->AddMetadata(std::string(auth::kOnBehalfOfMetadata), caller->actor);
    }
    return context;
  }

 private:
  absl::Duration deadline_;
};

class GrpcPersonnelGateway final : public PersonnelGateway {
 public:
  GrpcPersonnelGateway(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline)
      : stub_(pv1::PersonnelService::NewStub(std::move(channel))), caller_(deadline) {}

  absl::StatusOr<pv1::Employee> GetEmployee(const std::string& name) override {
    pv1::GetEmployeeRequest request;
    request.set_name(name);
    return Call(&pv1::PersonnelService::Stub::GetEmployee, request, "GetEmployee");
  }

  absl::StatusOr<std::vector<pv1::Employee>> BatchGetEmployees(const std::vector<std::string>& names) override {
    std::vector<pv1::Employee> employees;
    for (size_t begin = 0; begin < names.size(); begin += 1000) {
      pv1::BatchGetEmployeesRequest request;
      for (size_t i = begin; i < std::min(names.size(), begin + 1000); ++i) request.add_names(names[i]);
      absl::StatusOr<pv1::BatchGetEmployeesResponse> response =
          Call(&pv1::PersonnelService::Stub::BatchGetEmployees, request, "BatchGetEmployees");
      if (!response.ok()) return response.status();
      employees.insert(employees.end(), response->employees().begin(), response->employees().end());
    }
    return employees;
  }

  absl::StatusOr<pv1::OrgUnit> GetOrgUnit(const std::string& name) override {
    pv1::GetOrgUnitRequest request;
    request.set_name(name);
    return Call(&pv1::PersonnelService::Stub::GetOrgUnit, request, "GetOrgUnit");
  }

  absl::StatusOr<std::vector<pv1::CountyQuota>> CountyQuotasOf(const pv1::OrgUnit& unit) override {
    if (unit.kind() == pv1::OrgUnit::KIND_COUNTY) {
      absl::StatusOr<pv1::CountyQuota> quota = GetCountyQuota(unit.name());
      if (!quota.ok()) return quota.status();
      return std::vector<pv1::CountyQuota>{*std::move(quota)};
    }
    // One call (and one grouped count in personnel) per page of counties.
    pv1::ListCountyQuotasRequest request;
    request.set_parent(unit.name());
    request.set_page_size(1000);
    std::vector<pv1::CountyQuota> quotas;
    do {
      absl::StatusOr<pv1::ListCountyQuotasResponse> page =
          Call(&pv1::PersonnelService::Stub::ListCountyQuotas, request, "ListCountyQuotas");
      if (!page.ok()) return page.status();
      quotas.insert(quotas.end(), page->county_quotas().begin(), page->county_quotas().end());
      request.set_page_token(page->next_page_token());
    } while (!request.page_token().empty());
    return quotas;
  }

  absl::StatusOr<pv1::CountyQuota> GetCountyQuota(const std::string& county) override {
    pv1::GetCountyQuotaRequest request;
    request.set_name(absl::StrCat(county, "/quota"));
    return Call(&pv1::PersonnelService::Stub::GetCountyQuota, request, "GetCountyQuota");
  }

  absl::StatusOr<pv1::Employee> ChangeLevel(const pv1::ChangeLevelRequest& request) override {
    return Call(&pv1::PersonnelService::Stub::ChangeLevel, request, "ChangeLevel");
  }
  absl::StatusOr<pv1::Employee> ChangeRole(const pv1::ChangeRoleRequest& request) override {
    return Call(&pv1::PersonnelService::Stub::ChangeRole, request, "ChangeRole");
  }
  absl::StatusOr<pv1::Employee> EndEmployment(const pv1::EndEmploymentRequest& request) override {
    return Call(&pv1::PersonnelService::Stub::EndEmployment, request, "EndEmployment");
  }

 private:
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(grpc::Status (pv1::PersonnelService::Stub::*rpc)(grpc::ClientContext*, const Request&,
                                                                                 Response*),
                                const Request& request, absl::string_view name) {
    Response response;
    grpc::Status status = (stub_.get()->*rpc)(caller_.Context().get(), request, &response);
    if (!status.ok()) return Upstream(status, "personnel", name);
    return response;
  }

  std::unique_ptr<pv1::PersonnelService::Stub> stub_;
  Caller caller_;
};

class GrpcEvaluationGateway final : public EvaluationGateway {
 public:
  GrpcEvaluationGateway(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline)
      : stub_(ev1::EvaluationService::NewStub(std::move(channel))), caller_(deadline) {}

  absl::StatusOr<ev1::Cycle> GetCycle(const std::string& name) override {
    ev1::GetCycleRequest request;
    request.set_name(name);
    return Call(&ev1::EvaluationService::Stub::GetCycle, request, "GetCycle");
  }

  absl::StatusOr<std::vector<ev1::Evaluation>> ListEvaluations(const std::string& cycle) override {
    ev1::ListEvaluationsRequest request;
    request.set_parent(cycle);
    request.set_page_size(1000);
    std::vector<ev1::Evaluation> evaluations;
    do {
      absl::StatusOr<ev1::ListEvaluationsResponse> page =
          Call(&ev1::EvaluationService::Stub::ListEvaluations, request, "ListEvaluations");
      if (!page.ok()) return page.status();
      evaluations.insert(evaluations.end(), page->evaluations().begin(), page->evaluations().end());
      request.set_page_token(page->next_page_token());
    } while (!request.page_token().empty());
    return evaluations;
  }

  absl::StatusOr<ev1::ListEvaluationsResponse> ListEvaluationsPage(const std::string& cycle,
                                                                   const std::string& page_token,
                                                                   int page_size) override {
    ev1::ListEvaluationsRequest request;
    request.set_parent(cycle);
    request.set_page_size(page_size);
    request.set_page_token(page_token);
    return Call(&ev1::EvaluationService::Stub::ListEvaluations, request, "ListEvaluations");
  }

  absl::StatusOr<std::vector<ev1::ScoreHistory>> BatchScoreHistories(
      const std::vector<std::string>& employees) override {
    std::vector<ev1::ScoreHistory> histories;
    for (size_t begin = 0; begin < employees.size(); begin += 1000) {
      ev1::BatchGetScoreHistoriesRequest request;
      for (size_t i = begin; i < std::min(employees.size(), begin + 1000); ++i) request.add_employees(employees[i]);
      absl::StatusOr<ev1::BatchGetScoreHistoriesResponse> response =
          Call(&ev1::EvaluationService::Stub::BatchGetScoreHistories, request, "BatchGetScoreHistories");
      if (!response.ok()) return response.status();
      histories.insert(histories.end(), response->histories().begin(), response->histories().end());
    }
    return histories;
  }

  absl::StatusOr<std::vector<ev1::ScoreHistoryEntry>> ScoreHistory(const std::string& employee) override {
    ev1::ListScoreHistoryRequest request;
    request.set_employee(employee);
    request.set_page_size(100);
    // The rules look at the last few cycles only: one page is plenty.
    absl::StatusOr<ev1::ListScoreHistoryResponse> page =
        Call(&ev1::EvaluationService::Stub::ListScoreHistory, request, "ListScoreHistory");
    if (!page.ok()) return page.status();
    return std::vector<ev1::ScoreHistoryEntry>(page->entries().begin(), page->entries().end());
  }

  absl::StatusOr<std::optional<ev1::TrialAssessment>> LatestTrialAssessment(const std::string& employee) override {
    ev1::ListTrialAssessmentsRequest request;
    request.set_employee(employee);
    request.set_page_size(1000);
    std::optional<ev1::TrialAssessment> latest;
    do {
      absl::StatusOr<ev1::ListTrialAssessmentsResponse> page =
          Call(&ev1::EvaluationService::Stub::ListTrialAssessments, request, "ListTrialAssessments");
      if (!page.ok()) return page.status();
      if (page->trial_assessments_size() > 0) latest = *page->trial_assessments().rbegin();
      request.set_page_token(page->next_page_token());
    } while (!request.page_token().empty());
    return latest;
  }

  absl::StatusOr<std::optional<ev1::CandidateAssessment>> LatestCandidateAssessment(
      const std::string& employee) override {
    ev1::ListCandidateAssessmentsRequest request;
    request.set_employee(employee);
    request.set_page_size(1000);
    std::optional<ev1::CandidateAssessment> latest;
    do {
      absl::StatusOr<ev1::ListCandidateAssessmentsResponse> page =
          Call(&ev1::EvaluationService::Stub::ListCandidateAssessments, request, "ListCandidateAssessments");
      if (!page.ok()) return page.status();
      if (page->candidate_assessments_size() > 0) latest = *page->candidate_assessments().rbegin();
      request.set_page_token(page->next_page_token());
    } while (!request.page_token().empty());
    return latest;
  }

 private:
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(grpc::Status (ev1::EvaluationService::Stub::*rpc)(grpc::ClientContext*, const Request&,
                                                                                  Response*),
                                const Request& request, absl::string_view name) {
    Response response;
    grpc::Status status = (stub_.get()->*rpc)(caller_.Context().get(), request, &response);
    if (!status.ok()) return Upstream(status, "evaluation", name);
    return response;
  }

  std::unique_ptr<ev1::EvaluationService::Stub> stub_;
  Caller caller_;
};

}  // namespace

std::unique_ptr<PersonnelGateway> MakeGrpcPersonnelGateway(std::shared_ptr<grpc::Channel> channel,
                                                           absl::Duration deadline) {
  return std::make_unique<GrpcPersonnelGateway>(std::move(channel), deadline);
}

std::unique_ptr<EvaluationGateway> MakeGrpcEvaluationGateway(std::shared_ptr<grpc::Channel> channel,
                                                             absl::Duration deadline) {
  return std::make_unique<GrpcEvaluationGateway>(std::move(channel), deadline);
}

}  // namespace ladder::careerpath
