#include "services/evaluation/access_policy.h"

#include "common/api/resource_name.h"
#include "common/server/change_feed_rpcs.h"
#include "common/status/macros.h"
#include "services/evaluation/request_validation.h"

namespace ladder::evaluation {
namespace {

using auth::Grants;
using auth::Principal;
using auth::Scope;

// What a named cycle, evaluation, employee or assessment touches.
class Scopes {
 public:
  Scopes(EvaluationStore* store, PersonnelDirectory* personnel) : store_(store), personnel_(personnel) {}

  // A cycle touches its scope: a county, or the whole branch (which no county reaches).
  absl::StatusOr<Scope> OfCycle(absl::string_view name) const {
    LADDER_ASSIGN_OR_RETURN(int64_t id, api::ParseName(name, "cycles", "cycle"));
    LADDER_ASSIGN_OR_RETURN(ev1::Cycle cycle, store_->GetCycle(id));
    return Scope{{api::IdOf(cycle.scope())}, 0, 0};
  }
  // An evaluation touches its participant as the cycle's snapshot placed them.
  absl::StatusOr<Scope> OfEvaluation(absl::string_view name) const {
    LADDER_ASSIGN_OR_RETURN(auto ids, ParseEvaluationName(name, "name"));
    LADDER_ASSIGN_OR_RETURN(ev1::Evaluation evaluation, store_->GetEvaluation(ids.first, ids.second));
    return Scope{{api::IdOf(evaluation.county())}, api::IdOf(evaluation.team()), ids.second};
  }
  // An employee where personnel places them today.
  absl::StatusOr<Scope> OfEmployee(absl::string_view name) const {
    LADDER_ASSIGN_OR_RETURN(int64_t id, api::ParseName(name, "employees", "employee"));
    LADDER_ASSIGN_OR_RETURN(personnel::v1::Employee employee, personnel_->GetEmployee(std::string(name)));
    return Scope{{api::IdOf(employee.county())}, api::IdOf(employee.team()), id};
  }
  absl::StatusOr<Scope> OfTrial(absl::string_view name) const {
    LADDER_ASSIGN_OR_RETURN(int64_t id, api::ParseName(name, "trialAssessments", "name"));
    LADDER_ASSIGN_OR_RETURN(ev1::TrialAssessment assessment, store_->GetTrialAssessment(id));
    return OfEmployee(assessment.employee());
  }
  absl::StatusOr<Scope> OfCandidate(absl::string_view name) const {
    LADDER_ASSIGN_OR_RETURN(int64_t id, api::ParseName(name, "candidateAssessments", "name"));
    LADDER_ASSIGN_OR_RETURN(ev1::CandidateAssessment assessment, store_->GetCandidateAssessment(id));
    return OfEmployee(assessment.employee());
  }
  static absl::StatusOr<Scope> OfFilters(absl::string_view county, absl::string_view team) {
    Scope scope;
    if (!county.empty()) {
      LADDER_ASSIGN_OR_RETURN(int64_t id, api::ParseName(county, "orgUnits", "county"));
      scope.counties.push_back(id);
    }
    if (!team.empty()) {
      LADDER_ASSIGN_OR_RETURN(scope.team, api::ParseName(team, "teams", "team"));
    }
    return scope;
  }

 private:
  EvaluationStore* store_;
  PersonnelDirectory* personnel_;
};

absl::Status NarrowToOwnCounty(const Principal& principal, std::string* county) {
  if (principal.role != auth::Role::kCountyHr || !county->empty()) return absl::OkStatus();
  if (principal.counties.size() != 1) {
    return absl::PermissionDeniedError("county HR of several counties name one of them in `county`");
  }
  *county = api::FormatName("orgUnits", principal.counties.front());
  return absl::OkStatus();
}

// Scorecards and cycles say how people are evaluated, not how they scored.
Grants Everyone() {
  return {auth::kHrAdmin,         auth::kAuditor,     auth::kAnyCountyHr,         auth::kAnySupervisor,
          auth::kAnyServiceStaff, auth::kAnyEmployee, auth::Service("careerpath")};
}

// One person's results: HR of their county, their supervisor and service staff, themselves,
// auditors, and careerpath, which decides on them.
Grants ResultReaders() {
  return {auth::kHrAdmin,
          auth::kAuditor,
          auth::kCountyHrOwnCounties,
          auth::kSupervisorOwnTeam,
          auth::kServiceStaffOwnTeam,
          auth::kEmployeeSelf,
          auth::Service("careerpath")};
}

}  // namespace

EvaluationAccessPolicy::EvaluationAccessPolicy(EvaluationServiceImpl* impl, EvaluationStore* store,
                                               PersonnelDirectory* personnel,
                                               std::shared_ptr<auth::Authenticator> authenticator,
                                               db::ConnectionPool* audit_pool)
    : GuardedService(
          server::CallGuard("ladder.evaluation.v1.EvaluationService", authenticator, audit_pool, kErrorDomain)) {
  // A county HR's token may name counties only; personnel knows each unit's kind.
  authenticator->SetCountyCheck([personnel](int64_t id) -> absl::StatusOr<bool> {
    absl::StatusOr<personnel::v1::OrgUnit> unit = personnel->GetOrgUnit(absl::StrCat("orgUnits/", id));
    if (absl::IsNotFound(unit.status())) return false;
    if (!unit.ok()) return unit.status();
    return unit->kind() == personnel::v1::OrgUnit::KIND_COUNTY;
  });
  const auto scopes = std::make_shared<Scopes>(store, personnel);
  using E = EvaluationServiceImpl;

  // Scorecards are the branch's, set by HR admins.
  Unary("CreateScorecard", {{auth::kHrAdmin}}, impl, &E::CreateScorecard);
  Unary("GetScorecard", {Everyone()}, impl, &E::GetScorecard);
  Unary("ListScorecards", {Everyone()}, impl, &E::ListScorecards);
  Unary("UpdateScorecard", {{auth::kHrAdmin}}, impl, &E::UpdateScorecard);

  // Cycles: HR admins for the branch, county HR for their own counties.
  Unary("CreateCycle",
        {{auth::kHrAdmin, auth::kCountyHrOwnCounties},
         [](const ev1::CreateCycleRequest& r) { return Scopes::OfFilters(r.cycle().scope(), ""); }},
        impl, &E::CreateCycle);
  Unary("GetCycle", {Everyone()}, impl, &E::GetCycle);
  Unary("ListCycles", {Everyone()}, impl, &E::ListCycles);
  const auto cycle_of_name = [scopes](const auto& r) { return scopes->OfCycle(r.name()); };
  Unary("StartReview",
        {{auth::kHrAdmin, auth::kCountyHrOwnCounties},
         [cycle_of_name](const ev1::StartReviewRequest& r) { return cycle_of_name(r); }},
        impl, &E::StartReview);
  Unary("FinalizeCycle",
        {{auth::kHrAdmin, auth::kCountyHrOwnCounties},
         [cycle_of_name](const ev1::FinalizeCycleRequest& r) { return cycle_of_name(r); }},
        impl, &E::FinalizeCycle);

  // Scoring: supervisors score their own team; county HR their counties. Bulk imports are
  // an HR task: the whole import is checked against its cycle.
  Unary("RecordScores",
        {{auth::kHrAdmin, auth::kCountyHrOwnCounties, auth::kSupervisorOwnTeam},
         [scopes](const ev1::RecordScoresRequest& r) { return scopes->OfEvaluation(r.name()); }},
        impl, &E::RecordScores);
  ClientStreaming<ev1::ImportScoresRequest, ev1::ImportScoresResponse>(
      "ImportScores",
      {{auth::kHrAdmin, auth::kCountyHrOwnCounties},
       [scopes](const ev1::ImportScoresRequest& r) { return scopes->OfCycle(r.header().cycle()); }},
      [impl](grpc::ServerContext* context, server::MessageReader<ev1::ImportScoresRequest>* reader,
             ev1::ImportScoresResponse* response) { return impl->ImportScoresFrom(context, reader, response); });
  Unary("GetEvaluation",
        {ResultReaders(), [scopes](const ev1::GetEvaluationRequest& r) { return scopes->OfEvaluation(r.name()); }},
        impl, &E::GetEvaluation);
  Unary("ListEvaluations",
        {{auth::kHrAdmin, auth::kAuditor, auth::kCountyHrOwnCounties, auth::kSupervisorOwnTeam,
          auth::kServiceStaffOwnTeam, auth::Service("careerpath")},
         [](const ev1::ListEvaluationsRequest& r) { return Scopes::OfFilters(r.county(), r.team()); },
         [](const Principal& principal, ev1::ListEvaluationsRequest& r) -> absl::Status {
           if ((principal.role == auth::Role::kSupervisor || principal.role == auth::Role::kServiceStaff) &&
               r.team().empty()) {
             r.set_team(api::FormatName("teams", principal.team));
           }
           return NarrowToOwnCounty(principal, r.mutable_county());
         }},
        impl, &E::ListEvaluations);

  // Quality inspection: service staff flag and resolve in their own team.
  const Grants inspectors = {auth::kHrAdmin, auth::kCountyHrOwnCounties, auth::kServiceStaffOwnTeam};
  Unary("FlagForRecheck",
        {inspectors, [scopes](const ev1::FlagForRecheckRequest& r) { return scopes->OfEvaluation(r.name()); }}, impl,
        &E::FlagForRecheck);
  Unary("ResolveRecheck",
        {inspectors, [scopes](const ev1::ResolveRecheckRequest& r) { return scopes->OfEvaluation(r.name()); }}, impl,
        &E::ResolveRecheck);

  // Rankings compare people across a county: HR and auditors, and careerpath.
  Unary("ListRankings",
        {{auth::kHrAdmin, auth::kAuditor, auth::kCountyHrOwnCounties, auth::Service("careerpath")},
         [](const ev1::ListRankingsRequest& r) { return Scopes::OfFilters(r.county(), ""); },
         [](const Principal& principal, ev1::ListRankingsRequest& r) {
           return NarrowToOwnCounty(principal, r.mutable_county());
         }},
        impl, &E::ListRankings);
  Unary("ListScoreHistory",
        {ResultReaders(), [scopes](const ev1::ListScoreHistoryRequest& r) { return scopes->OfEmployee(r.employee()); }},
        impl, &E::ListScoreHistory);
  // Many people's composites at once: for the reviews of careerpath, HR admins and auditors
  // (whose reach is the whole branch, so no per-person lookup is needed).
  Unary("BatchGetScoreHistories",
        {{auth::kHrAdmin, auth::kAuditor, auth::Service("careerpath")},
         [](const ev1::BatchGetScoreHistoriesRequest&) -> absl::StatusOr<Scope> { return Scope{}; },
         /*narrow=*/nullptr,
         ValidateBatchGetScoreHistories},
        impl, &E::BatchGetScoreHistories);

  // Trial and candidate assessments: recorded by HR, read by HR, auditors, the person and
  // careerpath.
  const Grants assessors = {auth::kHrAdmin, auth::kCountyHrOwnCounties};
  const Grants assessment_readers = {auth::kHrAdmin, auth::kAuditor, auth::kCountyHrOwnCounties, auth::kEmployeeSelf,
                                     auth::Service("careerpath")};
  Unary("RecordTrialAssessment",
        {assessors,
         [scopes](const ev1::RecordTrialAssessmentRequest& r) {
           return scopes->OfEmployee(r.trial_assessment().employee());
         }},
        impl, &E::RecordTrialAssessment);
  Unary("GetTrialAssessment",
        {assessment_readers, [scopes](const ev1::GetTrialAssessmentRequest& r) { return scopes->OfTrial(r.name()); }},
        impl, &E::GetTrialAssessment);
  Unary("ListTrialAssessments",
        {assessment_readers,
         [scopes](const ev1::ListTrialAssessmentsRequest& r) { return scopes->OfEmployee(r.employee()); }},
        impl, &E::ListTrialAssessments);
  Unary("RecordCandidateAssessment",
        {assessors,
         [scopes](const ev1::RecordCandidateAssessmentRequest& r) {
           return scopes->OfEmployee(r.candidate_assessment().employee());
         }},
        impl, &E::RecordCandidateAssessment);
  Unary("GetCandidateAssessment",
        {assessment_readers,
         [scopes](const ev1::GetCandidateAssessmentRequest& r) { return scopes->OfCandidate(r.name()); }},
        impl, &E::GetCandidateAssessment);
  Unary("ListCandidateAssessments",
        {assessment_readers,
         [scopes](const ev1::ListCandidateAssessmentsRequest& r) { return scopes->OfEmployee(r.employee()); }},
        impl, &E::ListCandidateAssessments);

  // The change feed (finalised cycles, corrected scores): scores, so HR and auditors only;
  // county HR see their counties'.
  const Grants feed_readers = {auth::kHrAdmin, auth::kAuditor, auth::kCountyHrOwnCounties};
  Unary<ev1::ListChangesRequest, ev1::ListChangesResponse>(
      "ListChanges", server::ChangeFeedAccess<ev1::ListChangesRequest>(feed_readers),
      server::ListChangesHandler<ev1::ListChangesRequest, ev1::ListChangesResponse, ev1::Change>(audit_pool,
                                                                                                 kErrorDomain));
  server::WatchOptions watch;
  watch.ending = streams_ending();
  ServerStreaming<ev1::WatchChangesRequest, ev1::WatchChangesResponse>(
      "WatchChanges", server::ChangeFeedAccess<ev1::WatchChangesRequest>(feed_readers),
      server::WatchChangesHandler<ev1::WatchChangesRequest, ev1::WatchChangesResponse, ev1::Change>(
          audit_pool, kErrorDomain, watch));

  AuditTrailMethods<ev1::ListAuditEventsRequest, ev1::ListAuditEventsResponse, ev1::VerifyAuditTrailRequest,
                    ev1::VerifyAuditTrailResponse>(audit_pool);
}

}  // namespace ladder::evaluation
