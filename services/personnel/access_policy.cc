#include "services/personnel/access_policy.h"

#include <set>

#include "common/api/resource_name.h"
#include "common/server/change_feed_rpcs.h"
#include "common/status/macros.h"
#include "services/personnel/request_validation.h"

namespace ladder::personnel {
namespace {

using auth::Grants;
using auth::Principal;
using auth::Scope;
using server::Access;

// What a named employee, team or county touches, read from the store.
class Scopes {
 public:
  explicit Scopes(PersonnelStore* store) : store_(store) {}

  absl::StatusOr<Scope> OfEmployee(absl::string_view name) const {
    LADDER_ASSIGN_OR_RETURN(int64_t id, api::ParseName(name, "employees", "name"));
    LADDER_ASSIGN_OR_RETURN(v1::Employee employee, store_->GetEmployee(id));
    return Scope{{api::IdOf(employee.county())}, api::IdOf(employee.team()), id};
  }
  absl::StatusOr<Scope> OfTeam(absl::string_view name) const {
    LADDER_ASSIGN_OR_RETURN(int64_t id, api::ParseName(name, "teams", "team"));
    LADDER_ASSIGN_OR_RETURN(v1::Team team, store_->GetTeam(id));
    return Scope{{api::IdOf(team.county())}, id, 0};
  }
  static absl::StatusOr<Scope> OfCounty(absl::string_view name) {
    LADDER_ASSIGN_OR_RETURN(int64_t id, api::ParseName(name, "orgUnits", "county"));
    return Scope{{id}, 0, 0};
  }
  // A county filter and a team filter together: the team's county must be the filter's.
  absl::StatusOr<Scope> OfFilters(absl::string_view county, absl::string_view team) const {
    Scope scope;
    if (!team.empty()) {
      LADDER_ASSIGN_OR_RETURN(scope, OfTeam(team));
    }
    if (!county.empty()) {
      LADDER_ASSIGN_OR_RETURN(Scope of_county, OfCounty(county));
      scope.counties.push_back(of_county.counties.front());
    }
    return scope;
  }

 private:
  PersonnelStore* store_;
};

// The county a county HR's list is narrowed to when it names none: theirs, if they have one.
absl::StatusOr<std::string> TheOwnCounty(const Principal& principal) {
  if (principal.counties.size() != 1) {
    return absl::PermissionDeniedError("county HR of several counties name one of them in `county`");
  }
  return api::FormatName("orgUnits", principal.counties.front());
}

// A list with county and team filters, narrowed to what the caller may see: county HR of
// one county see it without naming it; supervisors and service staff see their team.
template <typename Request>
absl::Status NarrowToCountyOrTeam(const Principal& principal, Request& request) {
  if (principal.role == auth::Role::kCountyHr && request.county().empty() && request.team().empty()) {
    LADDER_ASSIGN_OR_RETURN(std::string county, TheOwnCounty(principal));
    request.set_county(county);
  }
  if ((principal.role == auth::Role::kSupervisor || principal.role == auth::Role::kServiceStaff) &&
      request.team().empty()) {
    request.set_team(api::FormatName("teams", principal.team));
  }
  return absl::OkStatus();
}

// Reference data: every signed-in role and the other services.
Grants Everyone() {
  return {auth::kHrAdmin,         auth::kAuditor,     auth::kAnyCountyHr,          auth::kAnySupervisor,
          auth::kAnyServiceStaff, auth::kAnyEmployee, auth::Service("evaluation"), auth::Service("careerpath")};
}

// A person's record: HR of their county, their supervisor and service staff, themselves,
// auditors, and the services that evaluate and promote them.
Grants PersonReaders() {
  return {auth::kHrAdmin,
          auth::kAuditor,
          auth::kCountyHrOwnCounties,
          auth::kSupervisorOwnTeam,
          auth::kServiceStaffOwnTeam,
          auth::kEmployeeSelf,
          auth::Service("evaluation"),
          auth::Service("careerpath")};
}

}  // namespace

PersonnelAccessPolicy::PersonnelAccessPolicy(PersonnelServiceImpl* impl, PersonnelStore* store,
                                             std::shared_ptr<auth::Authenticator> authenticator,
                                             db::ConnectionPool* audit_pool)
    : GuardedService(
          server::CallGuard("ladder.personnel.v1.PersonnelService", authenticator, audit_pool, kErrorDomain)) {
  // A county HR's token may name counties only; personnel knows each unit's kind.
  authenticator->SetCountyCheck([store](int64_t id) -> absl::StatusOr<bool> {
    absl::StatusOr<v1::OrgUnit> unit = store->GetOrgUnit(id);
    if (absl::IsNotFound(unit.status())) return false;
    if (!unit.ok()) return unit.status();
    return unit->kind() == v1::OrgUnit::KIND_COUNTY;
  });
  const auto scopes = std::make_shared<Scopes>(store);
  using P = PersonnelServiceImpl;

  // The organisation. Branches and counties are set up by HR admins; county HR run the
  // teams of their counties.
  Unary("CreateOrgUnit", {{auth::kHrAdmin}}, impl, &P::CreateOrgUnit);
  Unary("GetOrgUnit", {Everyone()}, impl, &P::GetOrgUnit);
  Unary("ListOrgUnits", {Everyone()}, impl, &P::ListOrgUnits);
  Unary("CreateTeam",
        {{auth::kHrAdmin, auth::kCountyHrOwnCounties},
         [](const v1::CreateTeamRequest& r) { return Scopes::OfCounty(r.team().county()); }},
        impl, &P::CreateTeam);
  Unary("GetTeam", {Everyone()}, impl, &P::GetTeam);
  Unary("ListTeams", {Everyone()}, impl, &P::ListTeams);
  Unary("UpdateTeam",
        {{auth::kHrAdmin, auth::kCountyHrOwnCounties},
         [scopes](const v1::UpdateTeamRequest& r) { return scopes->OfTeam(r.team().name()); }},
        impl, &P::UpdateTeam);

  // People. County HR hire and move people within their counties (a transfer needs both
  // ends); levels, roles and separations come from careerpath's decisions, or from an HR
  // admin's correction — both on the audit trail.
  Unary("CreateEmployee",
        {{auth::kHrAdmin, auth::kCountyHrOwnCounties},
         [scopes](const v1::CreateEmployeeRequest& r) {
           return scopes->OfFilters(r.employee().county(), r.employee().team());
         }},
        impl, &P::CreateEmployee);
  Unary("GetEmployee",
        {PersonReaders(), [scopes](const v1::GetEmployeeRequest& r) { return scopes->OfEmployee(r.name()); }}, impl,
        &P::GetEmployee);
  Unary("BatchGetEmployees",
        {PersonReaders(),
         [scopes](const v1::BatchGetEmployeesRequest& r) -> absl::StatusOr<Scope> {
           // Every one of them must be in reach: the scope is their union.
           Scope all;
           std::set<int64_t> teams, employees;
           for (const std::string& name : r.names()) {
             LADDER_ASSIGN_OR_RETURN(Scope one, scopes->OfEmployee(name));
             all.counties.push_back(one.counties.front());
             teams.insert(one.team);
             employees.insert(one.employee);
           }
           if (teams.size() == 1) all.team = *teams.begin();
           if (employees.size() == 1) all.employee = *employees.begin();
           return all;
         },
         /*narrow=*/nullptr,
         // One lookup per name above: the batch's size is checked before them.
         ValidateBatchGetEmployees},
        impl, &P::BatchGetEmployees);
  Unary("ListEmployees",
        {{auth::kHrAdmin, auth::kAuditor, auth::kCountyHrOwnCounties, auth::kSupervisorOwnTeam,
          auth::kServiceStaffOwnTeam, auth::Service("evaluation"), auth::Service("careerpath")},
         [scopes](const v1::ListEmployeesRequest& r) { return scopes->OfFilters(r.county(), r.team()); },
         NarrowToCountyOrTeam<v1::ListEmployeesRequest>},
        impl, &P::ListEmployees);
  Unary("UpdateEmployee",
        {{auth::kHrAdmin, auth::kCountyHrOwnCounties},
         [scopes](const v1::UpdateEmployeeRequest& r) -> absl::StatusOr<Scope> {
           LADDER_ASSIGN_OR_RETURN(Scope scope, scopes->OfEmployee(r.employee().name()));
           if (!r.employee().team().empty()) {
             LADDER_ASSIGN_OR_RETURN(Scope team, scopes->OfTeam(r.employee().team()));
             scope.counties.push_back(team.counties.front());
           }
           return scope;
         }},
        impl, &P::UpdateEmployee);
  Unary("TransferEmployee",
        {{auth::kHrAdmin, auth::kCountyHrOwnCounties},
         [scopes](const v1::TransferEmployeeRequest& r) -> absl::StatusOr<Scope> {
           LADDER_ASSIGN_OR_RETURN(Scope scope, scopes->OfEmployee(r.name()));
           LADDER_ASSIGN_OR_RETURN(Scope destination, Scopes::OfCounty(r.county()));
           scope.counties.push_back(destination.counties.front());
           return scope;
         }},
        impl, &P::TransferEmployee);
  const Grants decisions = {auth::kHrAdmin, auth::Service("careerpath")};
  Unary("ChangeLevel", {decisions}, impl, &P::ChangeLevel);
  Unary("ChangeRole", {decisions}, impl, &P::ChangeRole);
  Unary("EndEmployment", {decisions}, impl, &P::EndEmployment);
  Unary("ListLevelChanges",
        {{auth::kHrAdmin, auth::kAuditor, auth::kCountyHrOwnCounties, auth::kSupervisorOwnTeam, auth::kEmployeeSelf,
          auth::Service("careerpath")},
         [scopes](const v1::ListLevelChangesRequest& r) -> absl::StatusOr<Scope> {
           Scope scope;
           if (r.parent() != "employees/-") {
             LADDER_ASSIGN_OR_RETURN(scope, scopes->OfEmployee(r.parent()));
           }
           if (!r.county().empty()) {
             LADDER_ASSIGN_OR_RETURN(Scope county, Scopes::OfCounty(r.county()));
             scope.counties.push_back(county.counties.front());
           }
           return scope;
         },
         [](const Principal& principal, v1::ListLevelChangesRequest& r) -> absl::Status {
           if (principal.role == auth::Role::kCountyHr && r.parent() == "employees/-" && r.county().empty()) {
             LADDER_ASSIGN_OR_RETURN(std::string county, TheOwnCounty(principal));
             r.set_county(county);
           }
           return absl::OkStatus();
         }},
        impl, &P::ListLevelChanges);

  // Quotas are head counts, not people: readable by all.
  Unary("GetCountyQuota", {Everyone()}, impl, &P::GetCountyQuota);
  Unary("ListCountyQuotas", {Everyone()}, impl, &P::ListCountyQuotas);

  // The change feed: for HR, auditors and pay systems; county HR see the changes that touch
  // their counties (a transfer touches both).
  server::WatchOptions watch;
  watch.ending = streams_ending();
  const Grants feed_readers = {auth::kHrAdmin, auth::kAuditor, auth::kCountyHrOwnCounties, auth::kPayroll};
  Unary<v1::ListChangesRequest, v1::ListChangesResponse>(
      "ListChanges", server::ChangeFeedAccess<v1::ListChangesRequest>(feed_readers),
      server::ListChangesHandler<v1::ListChangesRequest, v1::ListChangesResponse, v1::Change>(audit_pool,
                                                                                              kErrorDomain));
  ServerStreaming<v1::WatchChangesRequest, v1::WatchChangesResponse>(
      "WatchChanges", server::ChangeFeedAccess<v1::WatchChangesRequest>(feed_readers),
      server::WatchChangesHandler<v1::WatchChangesRequest, v1::WatchChangesResponse, v1::Change>(audit_pool,
                                                                                                 kErrorDomain, watch));

  AuditTrailMethods<v1::ListAuditEventsRequest, v1::ListAuditEventsResponse, v1::VerifyAuditTrailRequest,
                    v1::VerifyAuditTrailResponse>(audit_pool);
}

}  // namespace ladder::personnel
