#pragma once

// PersonnelService calls as the seed makes them: each with a deadline and the caller's
// name in `x-ladder-actor`, transient failures retried (safe: every mutation carries a
// request_id), and a failed call's status naming the call and its request, so whoever
// reads the error knows exactly what was refused.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "ladder/personnel/v1/personnel_service.grpc.pb.h"

namespace ladder::seed {

namespace v1 = ::ladder::personnel::v1;

class PersonnelClient final {
 public:
  PersonnelClient(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline, std::string actor);

  absl::StatusOr<v1::OrgUnit> CreateOrgUnit(const v1::CreateOrgUnitRequest& request);
  absl::StatusOr<v1::Team> CreateTeam(const v1::CreateTeamRequest& request);
  absl::StatusOr<v1::Team> UpdateTeam(const v1::UpdateTeamRequest& request);
  absl::StatusOr<v1::Employee> CreateEmployee(const v1::CreateEmployeeRequest& request);
  absl::StatusOr<v1::Employee> GetEmployee(const v1::GetEmployeeRequest& request);
  absl::StatusOr<v1::Employee> ChangeLevel(const v1::ChangeLevelRequest& request);
  absl::StatusOr<v1::Employee> EndEmployment(const v1::EndEmploymentRequest& request);
  absl::StatusOr<v1::CountyQuota> GetCountyQuota(const v1::GetCountyQuotaRequest& request);

  // Every page of a list call, in the service's order.
  absl::StatusOr<std::vector<v1::OrgUnit>> ListAllOrgUnits(v1::ListOrgUnitsRequest request);
  absl::StatusOr<std::vector<v1::Team>> ListAllTeams(v1::ListTeamsRequest request);
  absl::StatusOr<std::vector<v1::Employee>> ListAllEmployees(v1::ListEmployeesRequest request);

 private:
  template <typename Request, typename Response>
  using Rpc = grpc::Status (v1::PersonnelService::Stub::*)(grpc::ClientContext*, const Request&, Response*);

  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(absl::string_view method, Rpc<Request, Response> rpc, const Request& request);

  std::unique_ptr<v1::PersonnelService::Stub> stub_;
  absl::Duration deadline_;
  std::string actor_;
};

// The google.rpc.ErrorInfo metadata value `key` of a failed call's status, or "".
std::string ErrorMetadata(const absl::Status& status, absl::string_view key);

}  // namespace ladder::seed
