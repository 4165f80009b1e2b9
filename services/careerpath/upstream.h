#pragma once

// What careerpath reads from and writes to the other services, through their contracts
// only. Interfaces, so the rules and the workflow are tested with fakes as well as with the
// real services.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "ladder/evaluation/v1/evaluation_service.grpc.pb.h"
#include "ladder/personnel/v1/personnel_service.grpc.pb.h"

namespace ladder::careerpath {

namespace pv1 = ::ladder::personnel::v1;
namespace ev1 = ::ladder::evaluation::v1;

class PersonnelGateway {
 public:
  virtual ~PersonnelGateway() = default;
  virtual absl::StatusOr<pv1::Employee> GetEmployee(const std::string& name) = 0;
  // In the order of `names`, any number of them.
  virtual absl::StatusOr<std::vector<pv1::Employee>> BatchGetEmployees(const std::vector<std::string>& names) = 0;
  virtual absl::StatusOr<pv1::OrgUnit> GetOrgUnit(const std::string& name) = 0;
  // The quotas of every county of a city branch, or of the county itself.
  virtual absl::StatusOr<std::vector<pv1::CountyQuota>> CountyQuotasOf(const pv1::OrgUnit& unit) = 0;
  virtual absl::StatusOr<pv1::CountyQuota> GetCountyQuota(const std::string& county) = 0;
  virtual absl::StatusOr<pv1::Employee> ChangeLevel(const pv1::ChangeLevelRequest& request) = 0;
  virtual absl::StatusOr<pv1::Employee> ChangeRole(const pv1::ChangeRoleRequest& request) = 0;
  virtual absl::StatusOr<pv1::Employee> EndEmployment(const pv1::EndEmploymentRequest& request) = 0;
};

class EvaluationGateway {
 public:
  virtual ~EvaluationGateway() = default;
  virtual absl::StatusOr<ev1::Cycle> GetCycle(const std::string& name) = 0;
  // Every evaluation of a cycle.
  virtual absl::StatusOr<std::vector<ev1::Evaluation>> ListEvaluations(const std::string& cycle) = 0;
  // One page of them, from `page_token` ("" for the first); the response's next_page_token
  // is where the next page starts ("" after the last).
  virtual absl::StatusOr<ev1::ListEvaluationsResponse> ListEvaluationsPage(const std::string& cycle,
                                                                           const std::string& page_token,
                                                                           int page_size) = 0;
  // The finalised composites of each of `employees` (at most 1000), newest first, in order.
  virtual absl::StatusOr<std::vector<ev1::ScoreHistory>> BatchScoreHistories(
      const std::vector<std::string>& employees) = 0;
  // Finalised composites of an employee, newest first.
  virtual absl::StatusOr<std::vector<ev1::ScoreHistoryEntry>> ScoreHistory(const std::string& employee) = 0;
  // The latest trial / candidate assessment of an employee, if any.
  virtual absl::StatusOr<std::optional<ev1::TrialAssessment>> LatestTrialAssessment(const std::string& employee) = 0;
  virtual absl::StatusOr<std::optional<ev1::CandidateAssessment>> LatestCandidateAssessment(
      const std::string& employee) = 0;
};

std::unique_ptr<PersonnelGateway> MakeGrpcPersonnelGateway(std::shared_ptr<grpc::Channel> channel,
                                                           absl::Duration deadline);
std::unique_ptr<EvaluationGateway> MakeGrpcEvaluationGateway(std::shared_ptr<grpc::Channel> channel,
                                                             absl::Duration deadline);

}  // namespace ladder::careerpath
