#pragma once

#include <functional>
#include <string>

#include "common/policy/policy_set.h"
#include "ladder/personnel/v1/personnel_service.grpc.pb.h"
#include "services/personnel/personnel_store.h"

namespace ladder::personnel {

// The ErrorInfo domain of this service's errors.
inline constexpr char kErrorDomain[] = "personnel.ladder";

// The gRPC adapter of PersonnelService: validates requests, turns them into store calls and
// rules, and maps statuses once at the edge. No SQL here.
class PersonnelServiceImpl final : public v1::PersonnelService::Service {
 public:
  // Neither is owned; both must outlive the service.
  PersonnelServiceImpl(PersonnelStore* store, const policy::PolicySet* policies) : store_(store), policies_(policies) {}

  grpc::Status CreateOrgUnit(grpc::ServerContext* context, const v1::CreateOrgUnitRequest* request,
                             v1::OrgUnit* response) override;
  grpc::Status GetOrgUnit(grpc::ServerContext* context, const v1::GetOrgUnitRequest* request,
                          v1::OrgUnit* response) override;
  grpc::Status ListOrgUnits(grpc::ServerContext* context, const v1::ListOrgUnitsRequest* request,
                            v1::ListOrgUnitsResponse* response) override;

  grpc::Status CreateTeam(grpc::ServerContext* context, const v1::CreateTeamRequest* request,
                          v1::Team* response) override;
  grpc::Status GetTeam(grpc::ServerContext* context, const v1::GetTeamRequest* request, v1::Team* response) override;
  grpc::Status ListTeams(grpc::ServerContext* context, const v1::ListTeamsRequest* request,
                         v1::ListTeamsResponse* response) override;
  grpc::Status UpdateTeam(grpc::ServerContext* context, const v1::UpdateTeamRequest* request,
                          v1::Team* response) override;

  grpc::Status CreateEmployee(grpc::ServerContext* context, const v1::CreateEmployeeRequest* request,
                              v1::Employee* response) override;
  grpc::Status GetEmployee(grpc::ServerContext* context, const v1::GetEmployeeRequest* request,
                           v1::Employee* response) override;
  grpc::Status BatchGetEmployees(grpc::ServerContext* context, const v1::BatchGetEmployeesRequest* request,
                                 v1::BatchGetEmployeesResponse* response) override;
  grpc::Status ListEmployees(grpc::ServerContext* context, const v1::ListEmployeesRequest* request,
                             v1::ListEmployeesResponse* response) override;
  grpc::Status UpdateEmployee(grpc::ServerContext* context, const v1::UpdateEmployeeRequest* request,
                              v1::Employee* response) override;
  grpc::Status TransferEmployee(grpc::ServerContext* context, const v1::TransferEmployeeRequest* request,
                                v1::Employee* response) override;
  grpc::Status ChangeLevel(grpc::ServerContext* context, const v1::ChangeLevelRequest* request,
                           v1::Employee* response) override;
  grpc::Status ChangeRole(grpc::ServerContext* context, const v1::ChangeRoleRequest* request,
                          v1::Employee* response) override;
  grpc::Status EndEmployment(grpc::ServerContext* context, const v1::EndEmploymentRequest* request,
                             v1::Employee* response) override;
  grpc::Status ListLevelChanges(grpc::ServerContext* context, const v1::ListLevelChangesRequest* request,
                                v1::ListLevelChangesResponse* response) override;
  grpc::Status GetCountyQuota(grpc::ServerContext* context, const v1::GetCountyQuotaRequest* request,
                              v1::CountyQuota* response) override;
  grpc::Status ListCountyQuotas(grpc::ServerContext* context, const v1::ListCountyQuotasRequest* request,
                                v1::ListCountyQuotasResponse* response) override;

 private:
  // The policy in force today (the caps are always checked against it).
  absl::StatusOr<const policy::Policy*> CurrentPolicy() const;
  // Applies a transition rule to an employee with the current policy, recording
  // `policy_version` (if given, it must be a known version) as the decision's version.
  using PolicyRule = std::function<absl::StatusOr<personnel::Transition>(const v1::Employee&, const policy::Policy&)>;
  absl::StatusOr<v1::Employee> ApplyRule(const grpc::ServerContext& context, absl::string_view method,
                                         const google::protobuf::Message& request, const std::string& name,
                                         const std::string& etag, const std::string& policy_version,
                                         const PolicyRule& rule);

  PersonnelStore* store_;
  const policy::PolicySet* policies_;
};

}  // namespace ladder::personnel
