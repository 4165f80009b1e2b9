#include "services/personnel/personnel_service.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/field_mask.h"
#include "common/api/pagination.h"
#include "common/api/resource_name.h"
#include "common/policy/quota.h"
#include "common/server/rpc_support.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/macros.h"
#include "common/time/dates.h"
#include "services/personnel/employee_rules.h"
#include "services/personnel/request_validation.h"

namespace ladder::personnel {
namespace {

using api::FormatName;
using api::ParseName;
using grpc::ServerContext;

constexpr char kService[] = "/ladder.personnel.v1.PersonnelService/";

template <typename T>
grpc::Status Respond(absl::StatusOr<T> result, T* response) {
  return server::Respond(std::move(result), response, kErrorDomain);
}

grpc::Status Respond(const absl::Status& status) { return server::Respond(status, kErrorDomain); }

MutationContext ContextFor(const ServerContext& context, absl::string_view method,
                           const google::protobuf::Message& request) {
  return server::MutationFor(context, absl::StrCat(kService, method), request);
}

// A county's quota under `policy`, from its head counts.
v1::CountyQuota QuotaOf(const v1::OrgUnit& county, const CountyHeadCounts& counts, const policy::Policy& policy) {
  const policy::QuotaStanding standing = policy::ComputeStanding(policy, counts.levelled);
  v1::CountyQuota quota;
  quota.set_name(absl::StrCat(county.name(), "/quota"));
  quota.set_county(county.name());
  quota.set_county_display_name(county.display_name());
  quota.set_policy_version(policy.version());
  quota.set_levelled_customer_managers(standing.levelled);
  for (const policy::LevelPolicy& level : policy.levels()) {
    auto* entry = quota.add_levels();
    entry->set_level(level.level());
    entry->set_head_count(standing.head_counts.at(level.level()));
    entry->set_suggested_share_percent(level.suggested_share_percent());
    entry->set_suggested_head_count(standing.suggested.at(level.level()));
  }
  quota.set_senior_cap(standing.senior_cap);
  quota.set_free_senior_slots(standing.free_senior_slots);
  quota.set_over_cap(standing.over_cap);
  quota.set_on_trial(counts.on_trial);
  quota.set_awaiting_level(counts.awaiting_level);
  return quota;
}

}  // namespace

absl::StatusOr<const policy::Policy*> PersonnelServiceImpl::CurrentPolicy() const {
  const policy::Policy* policy = policies_->InForceAt(TodayInBranch());
  if (policy == nullptr) {
    return absl::FailedPreconditionError("no policy version is in force today; add one to the policy directory");
  }
  return policy;
}

absl::StatusOr<v1::Employee> PersonnelServiceImpl::ApplyRule(const ServerContext& context, absl::string_view method,
                                                             const google::protobuf::Message& request,
                                                             const std::string& name, const std::string& etag,
                                                             const std::string& policy_version,
                                                             const PolicyRule& rule) {
  LADDER_ASSIGN_OR_RETURN(int64_t id, ParseName(name, "employees", "name"));
  LADDER_ASSIGN_OR_RETURN(const policy::Policy* policy, CurrentPolicy());
  if (!policy_version.empty() && policies_->Find(policy_version) == nullptr) {
    return InvalidFieldError("policy_version", absl::StrCat(policy_version, " is not a known version"),
                             reason::kUnknownPolicyVersion);
  }
  TransitionRule bound = [&](const v1::Employee& current) -> absl::StatusOr<personnel::Transition> {
    absl::StatusOr<personnel::Transition> transition = rule(current, *policy);
    if (transition.ok() && transition->change.has_value() && !policy_version.empty()) {
      transition->change->set_policy_version(policy_version);
    }
    return transition;
  };
  return store_->ApplyTransition(id, etag, *policy, bound, ContextFor(context, method, request));
}

grpc::Status PersonnelServiceImpl::CreateOrgUnit(ServerContext* context, const v1::CreateOrgUnitRequest* request,
                                                 v1::OrgUnit* response) {
  if (absl::Status s = ValidateCreateOrgUnit(*request); !s.ok()) return Respond(s);
  return Respond(store_->CreateOrgUnit(request->org_unit(), ContextFor(*context, "CreateOrgUnit", *request)), response);
}

grpc::Status PersonnelServiceImpl::GetOrgUnit(ServerContext*, const v1::GetOrgUnitRequest* request,
                                              v1::OrgUnit* response) {
  absl::StatusOr<int64_t> id = ParseName(request->name(), "orgUnits", "name");
  if (!id.ok()) return Respond(id.status());
  return Respond(store_->GetOrgUnit(*id), response);
}

grpc::Status PersonnelServiceImpl::ListOrgUnits(ServerContext*, const v1::ListOrgUnitsRequest* request,
                                                v1::ListOrgUnitsResponse* response) {
  OrgUnitQuery query;
  query.kind = request->kind();
  if (!v1::OrgUnit::Kind_IsValid(query.kind)) {
    return Respond(InvalidFieldError("kind", absl::StrCat("has unknown value ", query.kind)));
  }
  if (!request->parent().empty()) {
    absl::StatusOr<int64_t> parent = ParseName(request->parent(), "orgUnits", "parent");
    if (!parent.ok()) return Respond(parent.status());
    query.parent_id = *parent;
  }
  const std::string filter = absl::StrCat("orgUnits|", query.kind, "|", query.parent_id);
  absl::StatusOr<api::PageRequest> page = api::ParsePageRequest(request->page_size(), request->page_token(), filter);
  if (!page.ok()) return Respond(page.status());
  query.page = *page;
  absl::StatusOr<Page<v1::OrgUnit>> result = store_->ListOrgUnits(query);
  if (!result.ok()) return Respond(result.status());
  for (auto& unit : result->items) *response->add_org_units() = std::move(unit);
  response->set_next_page_token(api::NextPageToken(*result, filter));
  return grpc::Status::OK;
}

grpc::Status PersonnelServiceImpl::CreateTeam(ServerContext* context, const v1::CreateTeamRequest* request,
                                              v1::Team* response) {
  if (absl::Status s = ValidateCreateTeam(*request); !s.ok()) return Respond(s);
  return Respond(store_->CreateTeam(request->team(), ContextFor(*context, "CreateTeam", *request)), response);
}

grpc::Status PersonnelServiceImpl::GetTeam(ServerContext*, const v1::GetTeamRequest* request, v1::Team* response) {
  absl::StatusOr<int64_t> id = ParseName(request->name(), "teams", "name");
  if (!id.ok()) return Respond(id.status());
  return Respond(store_->GetTeam(*id), response);
}

grpc::Status PersonnelServiceImpl::ListTeams(ServerContext*, const v1::ListTeamsRequest* request,
                                             v1::ListTeamsResponse* response) {
  TeamQuery query;
  if (!request->county().empty()) {
    absl::StatusOr<int64_t> county = ParseName(request->county(), "orgUnits", "county");
    if (!county.ok()) return Respond(county.status());
    query.county_id = *county;
  }
  const std::string filter = absl::StrCat("teams|", query.county_id);
  absl::StatusOr<api::PageRequest> page = api::ParsePageRequest(request->page_size(), request->page_token(), filter);
  if (!page.ok()) return Respond(page.status());
  query.page = *page;
  absl::StatusOr<Page<v1::Team>> result = store_->ListTeams(query);
  if (!result.ok()) return Respond(result.status());
  for (auto& team : result->items) *response->add_teams() = std::move(team);
  response->set_next_page_token(api::NextPageToken(*result, filter));
  return grpc::Status::OK;
}

grpc::Status PersonnelServiceImpl::UpdateTeam(ServerContext* context, const v1::UpdateTeamRequest* request,
                                              v1::Team* response) {
  if (absl::Status s = ValidateUpdateTeam(*request); !s.ok()) return Respond(s);
  const auto& mask = request->update_mask();
  TeamPatch patch;
  if (api::MaskIncludes(mask, "display_name")) patch.display_name = request->team().display_name();
  if (api::MaskIncludes(mask, "supervisor")) patch.supervisor = request->team().supervisor();
  const int64_t id = ParseName(request->team().name(), "teams", "team.name").value();
  return Respond(store_->UpdateTeam(id, patch, ContextFor(*context, "UpdateTeam", *request)), response);
}

grpc::Status PersonnelServiceImpl::CreateEmployee(ServerContext* context, const v1::CreateEmployeeRequest* request,
                                                  v1::Employee* response) {
  if (absl::Status s = ValidateCreateEmployee(*request); !s.ok()) return Respond(s);
  absl::StatusOr<const policy::Policy*> policy = CurrentPolicy();
  if (!policy.ok()) return Respond(policy.status());
  return Respond(store_->CreateEmployee(NewEmployee(request->employee(), **policy),
                                        ContextFor(*context, "CreateEmployee", *request)),
                 response);
}

grpc::Status PersonnelServiceImpl::GetEmployee(ServerContext*, const v1::GetEmployeeRequest* request,
                                               v1::Employee* response) {
  absl::StatusOr<int64_t> id = ParseName(request->name(), "employees", "name");
  if (!id.ok()) return Respond(id.status());
  return Respond(store_->GetEmployee(*id), response);
}

grpc::Status PersonnelServiceImpl::BatchGetEmployees(ServerContext*, const v1::BatchGetEmployeesRequest* request,
                                                     v1::BatchGetEmployeesResponse* response) {
  if (absl::Status s = ValidateBatchGetEmployees(*request); !s.ok()) return Respond(s);
  std::vector<int64_t> ids;
  ids.reserve(request->names_size());
  for (const std::string& name : request->names()) {
    ids.push_back(ParseName(name, "employees", "names").value());
  }
  absl::StatusOr<std::vector<v1::Employee>> employees = store_->BatchGetEmployees(ids);
  if (!employees.ok()) return Respond(employees.status());
  for (auto& employee : *employees) *response->add_employees() = std::move(employee);
  return grpc::Status::OK;
}

grpc::Status PersonnelServiceImpl::ListEmployees(ServerContext*, const v1::ListEmployeesRequest* request,
                                                 v1::ListEmployeesResponse* response) {
  if (absl::Status s = ValidateListEmployees(*request); !s.ok()) return Respond(s);
  EmployeeQuery query;
  if (!request->county().empty()) query.county_id = ParseName(request->county(), "orgUnits", "county").value();
  if (!request->team().empty()) query.team_id = ParseName(request->team(), "teams", "team").value();
  query.role = request->role();
  query.level = request->level();
  query.status = request->status();
  const std::string filter = absl::StrCat("employees|", query.county_id, "|", query.team_id, "|", query.role, "|",
                                          query.level, "|", query.status);
  absl::StatusOr<api::PageRequest> page = api::ParsePageRequest(request->page_size(), request->page_token(), filter);
  if (!page.ok()) return Respond(page.status());
  query.page = *page;
  absl::StatusOr<Page<v1::Employee>> result = store_->ListEmployees(query);
  if (!result.ok()) return Respond(result.status());
  for (auto& employee : result->items) *response->add_employees() = std::move(employee);
  response->set_next_page_token(api::NextPageToken(*result, filter));
  return grpc::Status::OK;
}

grpc::Status PersonnelServiceImpl::UpdateEmployee(ServerContext* context, const v1::UpdateEmployeeRequest* request,
                                                  v1::Employee* response) {
  if (absl::Status s = ValidateUpdateEmployee(*request); !s.ok()) return Respond(s);
  const v1::Employee& changes = request->employee();
  const auto& mask = request->update_mask();
  EmployeePatch patch;
  if (api::MaskIncludes(mask, "display_name")) patch.display_name = changes.display_name();
  if (api::MaskIncludes(mask, "employee_number")) patch.employee_number = changes.employee_number();
  if (api::MaskIncludes(mask, "team")) patch.team = changes.team();
  // With an empty mask, post_grade is only written where the caller may set it.
  const bool explicit_post_grade = api::MaskNames(mask, "post_grade");
  const bool wants_post_grade = api::MaskIncludes(mask, "post_grade");
  return Respond(
      ApplyRule(*context, "UpdateEmployee", *request, changes.name(), changes.etag(), "",
                [&](const v1::Employee& current, const policy::Policy&) -> absl::StatusOr<personnel::Transition> {
                  EmployeePatch bound = patch;
                  if (wants_post_grade && (explicit_post_grade || HasFreePostGrade(current.role()))) {
                    bound.post_grade = changes.post_grade();
                  }
                  return DecideUpdate(current, bound);
                }),
      response);
}

grpc::Status PersonnelServiceImpl::TransferEmployee(ServerContext* context, const v1::TransferEmployeeRequest* request,
                                                    v1::Employee* response) {
  if (absl::Status s = ValidateTransferEmployee(*request); !s.ok()) return Respond(s);
  absl::StatusOr<absl::CivilDay> day = EffectiveDate(request->effective_date(), "effective_date", TodayInBranch());
  if (!day.ok()) return Respond(day.status());
  TransferCommand command{request->county(), request->team(), request->reason(), *day};
  return Respond(ApplyRule(*context, "TransferEmployee", *request, request->name(), "", "",
                           [&](const v1::Employee& current, const policy::Policy& policy) {
                             return DecideTransfer(current, command, policy);
                           }),
                 response);
}

grpc::Status PersonnelServiceImpl::ChangeLevel(ServerContext* context, const v1::ChangeLevelRequest* request,
                                               v1::Employee* response) {
  if (absl::Status s = ValidateChangeLevel(*request); !s.ok()) return Respond(s);
  absl::StatusOr<absl::CivilDay> day = EffectiveDate(request->effective_date(), "effective_date", TodayInBranch());
  if (!day.ok()) return Respond(day.status());
  LevelCommand command{request->expected_level(), request->level(), request->reason(), request->decision(), *day};
  return Respond(ApplyRule(*context, "ChangeLevel", *request, request->name(), "", request->policy_version(),
                           [&](const v1::Employee& current, const policy::Policy& policy) {
                             return DecideLevelChange(current, command, policy);
                           }),
                 response);
}

grpc::Status PersonnelServiceImpl::ChangeRole(ServerContext* context, const v1::ChangeRoleRequest* request,
                                              v1::Employee* response) {
  if (absl::Status s = ValidateChangeRole(*request); !s.ok()) return Respond(s);
  absl::StatusOr<absl::CivilDay> day = EffectiveDate(request->effective_date(), "effective_date", TodayInBranch());
  if (!day.ok()) return Respond(day.status());
  RoleCommand command{request->role(),   request->post_grade(), request->team(),
                      request->reason(), request->decision(),   *day};
  return Respond(ApplyRule(*context, "ChangeRole", *request, request->name(), "", request->policy_version(),
                           [&](const v1::Employee& current, const policy::Policy& policy) {
                             return DecideRoleChange(current, command, policy);
                           }),
                 response);
}

grpc::Status PersonnelServiceImpl::EndEmployment(ServerContext* context, const v1::EndEmploymentRequest* request,
                                                 v1::Employee* response) {
  if (absl::Status s = ValidateEndEmployment(*request); !s.ok()) return Respond(s);
  absl::StatusOr<absl::CivilDay> day = EffectiveDate(request->effective_date(), "effective_date", TodayInBranch());
  if (!day.ok()) return Respond(day.status());
  SeparationCommand command{request->reason(), request->note(), request->decision(), *day};
  return Respond(ApplyRule(*context, "EndEmployment", *request, request->name(), "", request->policy_version(),
                           [&](const v1::Employee& current, const policy::Policy& policy) {
                             return DecideSeparation(current, command, policy);
                           }),
                 response);
}

grpc::Status PersonnelServiceImpl::ListLevelChanges(ServerContext*, const v1::ListLevelChangesRequest* request,
                                                    v1::ListLevelChangesResponse* response) {
  LevelChangeQuery query;
  if (request->parent() != "employees/-") {
    absl::StatusOr<int64_t> employee = ParseName(request->parent(), "employees", "parent");
    if (!employee.ok()) return Respond(employee.status());
    query.employee_id = *employee;
  }
  if (!request->county().empty()) {
    absl::StatusOr<int64_t> county = ParseName(request->county(), "orgUnits", "county");
    if (!county.ok()) return Respond(county.status());
    query.county_id = *county;
  }
  const std::string filter = absl::StrCat("levelChanges|", query.employee_id, "|", query.county_id);
  absl::StatusOr<api::PageRequest> page = api::ParsePageRequest(request->page_size(), request->page_token(), filter);
  if (!page.ok()) return Respond(page.status());
  query.page = *page;
  if (query.employee_id != 0) {
    // An employee without history is still an employee: tell the two apart.
    absl::StatusOr<v1::Employee> employee = store_->GetEmployee(query.employee_id);
    if (!employee.ok()) return Respond(employee.status());
  }
  absl::StatusOr<Page<v1::LevelChange>> result = store_->ListLevelChanges(query);
  if (!result.ok()) return Respond(result.status());
  for (auto& change : result->items) *response->add_level_changes() = std::move(change);
  response->set_next_page_token(api::NextPageToken(*result, filter));
  return grpc::Status::OK;
}

grpc::Status PersonnelServiceImpl::GetCountyQuota(ServerContext*, const v1::GetCountyQuotaRequest* request,
                                                  v1::CountyQuota* response) {
  absl::StatusOr<int64_t> county_id = api::ParseNameWithSuffix(request->name(), "orgUnits", "quota", "name");
  if (!county_id.ok()) return Respond(county_id.status());
  absl::StatusOr<const policy::Policy*> policy = CurrentPolicy();
  if (!policy.ok()) return Respond(policy.status());
  absl::StatusOr<PersonnelStore::CountyWithCounts> county = store_->GetCountyHeadCounts(*county_id);
  if (!county.ok()) return Respond(county.status());
  *response = QuotaOf(county->county, county->counts, **policy);
  return grpc::Status::OK;
}

grpc::Status PersonnelServiceImpl::ListCountyQuotas(ServerContext*, const v1::ListCountyQuotasRequest* request,
                                                    v1::ListCountyQuotasResponse* response) {
  absl::StatusOr<int64_t> city_id = ParseName(request->parent(), "orgUnits", "parent");
  if (!city_id.ok()) return Respond(city_id.status());
  absl::StatusOr<const policy::Policy*> policy = CurrentPolicy();
  if (!policy.ok()) return Respond(policy.status());
  absl::StatusOr<v1::OrgUnit> city = store_->GetOrgUnit(*city_id);
  if (!city.ok()) return Respond(city.status());
  if (city->kind() != v1::OrgUnit::KIND_CITY_BRANCH) {
    return Respond(RuleViolationError(reason::kWrongOrgUnitKind, city->name(),
                                      absl::StrCat(city->name(),
                                                   " is not a city branch; ask "
                                                   "GetCountyQuota for one county")));
  }
  const std::string filter = absl::StrCat("countyQuotas|", *city_id);
  absl::StatusOr<api::PageRequest> page = api::ParsePageRequest(request->page_size(), request->page_token(), filter);
  if (!page.ok()) return Respond(page.status());
  absl::StatusOr<Page<PersonnelStore::CountyWithCounts>> result = store_->ListCountyHeadCounts(*city_id, *page);
  if (!result.ok()) return Respond(result.status());
  for (const auto& county : result->items) {
    *response->add_county_quotas() = QuotaOf(county.county, county.counts, **policy);
  }
  response->set_next_page_token(api::NextPageToken(*result, filter));
  return grpc::Status::OK;
}

}  // namespace ladder::personnel
