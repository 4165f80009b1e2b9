#include "services/careerpath/access_policy.h"

#include "common/api/resource_name.h"
#include "common/server/change_feed_rpcs.h"
#include "common/status/macros.h"
#include "services/careerpath/review_operation.h"

namespace ladder::careerpath {
namespace {

using auth::Grants;
using auth::Principal;
using auth::Scope;

// What a named case, employee, cycle or org unit touches.
class Scopes {
 public:
  Scopes(CaseStore* store, PersonnelGateway* personnel, EvaluationGateway* evaluation)
      : store_(store), personnel_(personnel), evaluation_(evaluation) {}

  // A case touches its county (fixed when it was opened) and its employee.
  absl::StatusOr<Scope> OfCase(absl::string_view name) const {
    LADDER_ASSIGN_OR_RETURN(int64_t id, api::ParseName(name, "cases", "name"));
    LADDER_ASSIGN_OR_RETURN(cv1::Case found, store_->GetCase(id));
    return Scope{{api::IdOf(found.county())}, 0, api::IdOf(found.employee())};
  }
  absl::StatusOr<Scope> OfEmployee(absl::string_view name) const {
    LADDER_ASSIGN_OR_RETURN(int64_t id, api::ParseName(name, "employees", "employee"));
    LADDER_ASSIGN_OR_RETURN(pv1::Employee employee, personnel_->GetEmployee(std::string(name)));
    return Scope{{api::IdOf(employee.county())}, api::IdOf(employee.team()), id};
  }
  // A cycle touches its scope: a county, or the whole branch (which no county reaches).
  absl::StatusOr<Scope> OfCycle(absl::string_view name) const {
    LADDER_RETURN_IF_ERROR(api::ParseName(name, "cycles", "cycle").status());
    LADDER_ASSIGN_OR_RETURN(ev1::Cycle cycle, evaluation_->GetCycle(std::string(name)));
    return Scope{{api::IdOf(cycle.scope())}, 0, 0};
  }
  // A review touches its cycle's scope.
  static absl::StatusOr<Scope> OfReview(ReviewStore& reviews, EvaluationGateway& evaluation,
                                        absl::string_view operation) {
    LADDER_ASSIGN_OR_RETURN(int64_t id, ParseOperationName(operation, "name"));
    LADDER_ASSIGN_OR_RETURN(Review review, reviews.GetReview(id));
    LADDER_ASSIGN_OR_RETURN(ev1::Cycle cycle, evaluation.GetCycle(api::FormatName("cycles", review.cycle_id)));
    return Scope{{api::IdOf(cycle.scope())}, 0, 0};
  }
  static absl::StatusOr<Scope> OfOrgUnit(absl::string_view name, const char* field) {
    LADDER_ASSIGN_OR_RETURN(int64_t id, api::ParseName(name, "orgUnits", field));
    return Scope{{id}, 0, 0};
  }

 private:
  CaseStore* store_;
  PersonnelGateway* personnel_;
  EvaluationGateway* evaluation_;
};

// Policies are published rules, readable by every signed-in role and the other services.
Grants Everyone() {
  return {auth::kHrAdmin,         auth::kAuditor,     auth::kAnyCountyHr,         auth::kAnySupervisor,
          auth::kAnyServiceStaff, auth::kAnyEmployee, auth::Service("personnel"), auth::Service("evaluation")};
}

}  // namespace

CareerPathAccessPolicy::CareerPathAccessPolicy(CareerPathServiceImpl* impl, CaseStore* store,
                                               PersonnelGateway* personnel, EvaluationGateway* evaluation,
                                               std::shared_ptr<auth::Authenticator> authenticator,
                                               db::ConnectionPool* audit_pool)
    : GuardedService(
          server::CallGuard("ladder.careerpath.v1.CareerPathService", authenticator, audit_pool, kErrorDomain)) {
  // A county HR's token may name counties only; personnel knows each unit's kind.
  authenticator->SetCountyCheck([personnel](int64_t id) -> absl::StatusOr<bool> {
    absl::StatusOr<pv1::OrgUnit> unit = personnel->GetOrgUnit(absl::StrCat("orgUnits/", id));
    if (absl::IsNotFound(unit.status())) return false;
    if (!unit.ok()) return unit.status();
    return unit->kind() == pv1::OrgUnit::KIND_COUNTY;
  });
  const auto scopes = std::make_shared<Scopes>(store, personnel, evaluation);
  using C = CareerPathServiceImpl;

  Unary("GetPolicy", {Everyone()}, impl, &C::GetPolicy);
  Unary("ListPolicyVersions", {Everyone()}, impl, &C::ListPolicyVersions);

  // Eligibility is about one person: HR of their county, their supervisor, themselves.
  Unary("CheckEligibility",
        {{auth::kHrAdmin, auth::kAuditor, auth::kCountyHrOwnCounties, auth::kSupervisorOwnTeam, auth::kEmployeeSelf},
         [scopes](const cv1::CheckEligibilityRequest& r) { return scopes->OfEmployee(r.employee()); }},
        impl, &C::CheckEligibility);

  // Decisions are HR's: HR admins everywhere, county HR in their counties.
  const Grants deciders = {auth::kHrAdmin, auth::kCountyHrOwnCounties};
  Unary("AssignInitialLevel",
        {deciders, [scopes](const cv1::AssignInitialLevelRequest& r) { return scopes->OfEmployee(r.employee()); }},
        impl, &C::AssignInitialLevel);
  Unary("RunCycleReview",
        {deciders, [scopes](const cv1::RunCycleReviewRequest& r) { return scopes->OfCycle(r.cycle()); }}, impl,
        &C::RunCycleReview);
  Unary("ReviewCycle", {deciders, [scopes](const cv1::ReviewCycleRequest& r) { return scopes->OfCycle(r.cycle()); }},
        impl, &C::ReviewCycle);
  Unary("NominateCareerMove",
        {deciders, [scopes](const cv1::NominateCareerMoveRequest& r) { return scopes->OfEmployee(r.employee()); }},
        impl, &C::NominateCareerMove);
  Unary("ApproveCase", {deciders, [scopes](const cv1::ApproveCaseRequest& r) { return scopes->OfCase(r.name()); }},
        impl, &C::ApproveCase);
  Unary("RejectCase", {deciders, [scopes](const cv1::RejectCaseRequest& r) { return scopes->OfCase(r.name()); }}, impl,
        &C::RejectCase);
  Unary("WithdrawCase", {deciders, [scopes](const cv1::WithdrawCaseRequest& r) { return scopes->OfCase(r.name()); }},
        impl, &C::WithdrawCase);

  // Cases: HR and auditors; an employee sees their own.
  Unary("GetCase",
        {{auth::kHrAdmin, auth::kAuditor, auth::kCountyHrOwnCounties, auth::kEmployeeSelf},
         [scopes](const cv1::GetCaseRequest& r) { return scopes->OfCase(r.name()); }},
        impl, &C::GetCase);
  Unary("ListCases",
        {{auth::kHrAdmin, auth::kAuditor, auth::kCountyHrOwnCounties, auth::kEmployeeSelf},
         [](const cv1::ListCasesRequest& r) -> absl::StatusOr<Scope> {
           Scope scope;
           if (!r.county().empty()) {
             LADDER_ASSIGN_OR_RETURN(scope, Scopes::OfOrgUnit(r.county(), "county"));
           }
           if (!r.employee().empty()) {
             LADDER_ASSIGN_OR_RETURN(scope.employee, api::ParseName(r.employee(), "employees", "employee"));
           }
           return scope;
         },
         [](const Principal& principal, cv1::ListCasesRequest& r) -> absl::Status {
           if (principal.role == auth::Role::kEmployee && r.employee().empty()) {
             r.set_employee(api::FormatName("employees", principal.employee));
           }
           if (principal.role == auth::Role::kCountyHr && r.county().empty()) {
             if (principal.counties.size() != 1) {
               return absl::PermissionDeniedError("county HR of several counties name one of them in `county`");
             }
             r.set_county(api::FormatName("orgUnits", principal.counties.front()));
           }
           return absl::OkStatus();
         }},
        impl, &C::ListCases);

  // The distribution: counts per level, for HR and auditors.
  const Grants planners = {auth::kHrAdmin, auth::kAuditor, auth::kCountyHrOwnCounties};
  Unary("GetDistributionReport",
        {planners,
         [](const cv1::GetDistributionReportRequest& r) { return Scopes::OfOrgUnit(r.org_unit(), "org_unit"); }},
        impl, &C::GetDistributionReport);
  Unary(
      "SimulateDistribution",
      {planners, [](const cv1::SimulateDistributionRequest& r) { return Scopes::OfOrgUnit(r.org_unit(), "org_unit"); }},
      impl, &C::SimulateDistribution);

  // The change feed of cases: for HR and auditors; county HR see their counties' cases.
  const Grants feed_readers = {auth::kHrAdmin, auth::kAuditor, auth::kCountyHrOwnCounties};
  Unary<cv1::ListChangesRequest, cv1::ListChangesResponse>(
      "ListChanges", server::ChangeFeedAccess<cv1::ListChangesRequest>(feed_readers),
      server::ListChangesHandler<cv1::ListChangesRequest, cv1::ListChangesResponse, cv1::Change>(audit_pool,
                                                                                                 kErrorDomain));
  server::WatchOptions watch;
  watch.ending = streams_ending();
  ServerStreaming<cv1::WatchChangesRequest, cv1::WatchChangesResponse>(
      "WatchChanges", server::ChangeFeedAccess<cv1::WatchChangesRequest>(feed_readers),
      server::WatchChangesHandler<cv1::WatchChangesRequest, cv1::WatchChangesResponse, cv1::Change>(
          audit_pool, kErrorDomain, watch));

  AuditTrailMethods<cv1::ListAuditEventsRequest, cv1::ListAuditEventsResponse, cv1::VerifyAuditTrailRequest,
                    cv1::VerifyAuditTrailResponse>(audit_pool);
}

ReviewOperationsAccessPolicy::ReviewOperationsAccessPolicy(ReviewOperationsService* impl, ReviewStore* reviews,
                                                           EvaluationGateway* evaluation,
                                                           std::shared_ptr<auth::Authenticator> authenticator,
                                                           db::ConnectionPool* audit_pool)
    : GuardedService(
          server::CallGuard("google.longrunning.Operations", std::move(authenticator), audit_pool, kErrorDomain)) {
  namespace lro = ::google::longrunning;
  using O = ReviewOperationsService;
  auto of_review = [reviews, evaluation](const std::string& name) {
    return Scopes::OfReview(*reviews, *evaluation, name);
  };
  Unary("GetOperation",
        {{auth::kHrAdmin, auth::kAuditor, auth::kCountyHrOwnCounties},
         [of_review](const lro::GetOperationRequest& r) { return of_review(r.name()); }},
        impl, &O::GetOperation);
  Unary("ListOperations",
        {{auth::kHrAdmin, auth::kAuditor},
         [](const lro::ListOperationsRequest&) -> absl::StatusOr<Scope> { return Scope{}; }},
        impl, &O::ListOperations);
  Unary("CancelOperation",
        {{auth::kHrAdmin, auth::kCountyHrOwnCounties},
         [of_review](const lro::CancelOperationRequest& r) { return of_review(r.name()); }},
        impl, &O::CancelOperation);
}

}  // namespace ladder::careerpath
