#include "services/careerpath/careerpath_service.h"

#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/pagination.h"
#include "common/api/resource_name.h"
#include "common/api/validation.h"
#include "common/auth/caller.h"
#include "common/server/rpc_support.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/macros.h"
#include "common/time/dates.h"
#include "common/util/stable_hash.h"
#include "services/careerpath/case_proposal.h"
#include "services/careerpath/distribution.h"
#include "services/careerpath/request_validation.h"
#include "services/careerpath/review_operation.h"
#include "services/careerpath/waitlist_order.h"

namespace ladder::careerpath {
namespace {

using api::FormatName;
using api::ParseName;
using common::v1::Level;
using grpc::ServerContext;

constexpr char kService[] = "/ladder.careerpath.v1.CareerPathService/";

template <typename T>
grpc::Status Respond(absl::StatusOr<T> result, T* response) {
  return server::Respond(std::move(result), response, kErrorDomain);
}

grpc::Status Respond(const absl::Status& status) { return server::Respond(status, kErrorDomain); }

// The level change that sets `name`'s first level, with a request id derived from the
// employee: one initial level per person, whoever asks and however often.
pv1::ChangeLevelRequest InitialLevelChange(const std::string& name, const std::string& evidence,
                                           const policy::Policy& policy) {
  pv1::ChangeLevelRequest change;
  change.set_name(name);
  change.set_expected_level(Level::LEVEL_UNSPECIFIED);
  change.set_level(policy.entry().initial_level());
  change.set_reason(absl::StrCat("initial level: ", evidence));
  change.set_policy_version(policy.version());
  change.set_request_id(absl::StrCat("initial-level-", api::ParseName(name, "employees", "").value()));
  return change;
}

MutationContext ContextFor(const ServerContext& context, absl::string_view method,
                           const google::protobuf::Message& request) {
  return server::MutationFor(context, absl::StrCat(kService, method), request);
}

cv1::Target TargetFor(cv1::Case::Kind kind) {
  switch (kind) {
    case cv1::Case::KIND_PROMOTION:
      return cv1::TARGET_PROMOTION;
    case cv1::Case::KIND_DEMOTION:
      return cv1::TARGET_DEMOTION;
    case cv1::Case::KIND_ELIMINATION:
      return cv1::TARGET_ELIMINATION;
    case cv1::Case::KIND_CAREER_MOVE:
      return cv1::TARGET_CAREER_MOVE;
    default:
      return cv1::TARGET_UNSPECIFIED;
  }
}

pv1::Role RoleFor(common::v1::CareerMoveTarget target) {
  switch (target) {
    case common::v1::CAREER_MOVE_TARGET_GROUP_DATA_SUPERVISOR:
      return pv1::ROLE_GROUP_DATA_SUPERVISOR;
    case common::v1::CAREER_MOVE_TARGET_BRANCH_CHIEF:
      return pv1::ROLE_BRANCH_CHIEF;
    default:
      return pv1::ROLE_OTHER;
  }
}

absl::Status WrongState(const cv1::Case& value, absl::string_view action) {
  return RuleViolationError(
      value.state() == cv1::Case::STATE_APPLIED ? "CASE_ALREADY_APPLIED" : "WRONG_CASE_STATE", value.name(),
      absl::StrCat(value.name(), " is ", cv1::Case::State_Name(value.state()), "; it cannot be ", action),
      {{"state", cv1::Case::State_Name(value.state())}});
}

bool IsSeniorPromotion(const cv1::Case& value) {
  return value.kind() == cv1::Case::KIND_PROMOTION && value.to_level() == Level::LEVEL_SENIOR;
}

// An elimination made by a failed trial rather than by a review.
bool IsTrialElimination(const cv1::Case& value) {
  if (value.kind() != cv1::Case::KIND_ELIMINATION) return false;
  for (const auto& rule : value.evidence().rules()) {
    if (rule.rule() == "TRIAL_FAILED") return true;
  }
  return false;
}

// Whether personnel already shows the case's effect: an earlier approval applied it but its
// outcome was never recorded here (personnel's answer was lost), or someone made the same
// move outside the case (personnel then refuses the case's request, whose id it has not
// seen).
bool Landed(const cv1::Case& value, const pv1::Employee& employee) {
  switch (value.kind()) {
    case cv1::Case::KIND_PROMOTION:
    case cv1::Case::KIND_DEMOTION:
      return employee.status() == pv1::EMPLOYMENT_STATUS_ACTIVE && employee.level() == value.to_level();
    case cv1::Case::KIND_ELIMINATION:
      return employee.status() == pv1::EMPLOYMENT_STATUS_SEPARATED;
    case cv1::Case::KIND_CAREER_MOVE:
      return employee.role() == RoleFor(value.career_move_target());
    default:
      return false;
  }
}

// The evidence for ending the assignment of a customer manager whose trial failed: still
// on trial, and the latest trial assessment failed (POLICY §4, §6).
cv1::Eligibility TrialEvidence(const pv1::Employee& employee, const std::optional<ev1::TrialAssessment>& trial,
                               const policy::Policy& policy) {
  cv1::Eligibility eligibility;
  eligibility.set_employee(employee.name());
  eligibility.set_target(cv1::TARGET_ELIMINATION);
  eligibility.set_policy_version(policy.version());
  const bool on_trial =
      employee.role() == pv1::ROLE_CUSTOMER_MANAGER && employee.status() == pv1::EMPLOYMENT_STATUS_ON_TRIAL;
  cv1::RuleCheck* rule = eligibility.add_rules();
  rule->set_rule("ON_TRIAL");
  rule->set_requirement("is a customer manager on trial");
  rule->set_passed(on_trial);
  rule->set_evidence(absl::StrCat(employee.name(), " is ", pv1::Role_Name(employee.role()), ", status ",
                                  pv1::EmploymentStatus_Name(employee.status())));
  const bool failed = trial.has_value() && trial->outcome() == ev1::TrialAssessment::OUTCOME_FAILED;
  rule = eligibility.add_rules();
  rule->set_rule("TRIAL_FAILED");
  rule->set_requirement("a failed trial assessment ends the customer-manager assignment");
  rule->set_passed(failed && policy.elimination().on_failed_trial());
  rule->set_evidence(trial.has_value() ? absl::StrCat("trial assessment ", trial->name(), ": ",
                                                      ev1::TrialAssessment::Outcome_Name(trial->outcome()), ", score ",
                                                      trial->score())
                                       : "no trial assessment");
  eligibility.set_eligible(on_trial && rule->passed());
  return eligibility;
}

// Runs `work` for a call whose effect is a case, answering as the first call with its
// request id did. The work checks facts before its transaction claims the id, so a
// duplicate sent while the first call runs can read those facts after the first committed
// (the case already applied, the employee already nominated) and fail on them: the
// recorded response is looked up before the work and again when the work fails.
absl::StatusOr<cv1::Case> FirstAnswer(CaseStore& store, const MutationContext& mutation,
                                      const std::function<absl::StatusOr<cv1::Case>()>& work) {
  LADDER_ASSIGN_OR_RETURN(std::optional<cv1::Case> recorded, store.RecordedResponse(mutation.request));
  if (recorded.has_value()) return *recorded;
  absl::StatusOr<cv1::Case> result = work();
  if (!result.ok() && !mutation.request.request_id.empty()) {
    LADDER_ASSIGN_OR_RETURN(std::optional<cv1::Case> first, store.RecordedResponse(mutation.request));
    if (first.has_value()) return *first;
  }
  return result;
}

}  // namespace

absl::StatusOr<const policy::Policy*> CareerPathServiceImpl::PolicyToday() const {
  const policy::Policy* policy = policies_->InForceAt(TodayInBranch());
  if (policy == nullptr) return absl::FailedPreconditionError("no policy version is in force today");
  return policy;
}

grpc::Status CareerPathServiceImpl::GetPolicy(ServerContext*, const cv1::GetPolicyRequest* request,
                                              common::v1::Policy* response) {
  if (absl::Status s = ValidateGetPolicy(*request); !s.ok()) return Respond(s);
  absl::CivilDay day = TodayInBranch();
  if (request->has_date()) day = *ToCivilDay(request->date(), "date");
  const policy::Policy* policy = policies_->InForceAt(day);
  if (policy == nullptr) {
    return Respond(ErrorWithReason(absl::StatusCode::kNotFound, "NO_POLICY_IN_FORCE",
                                   absl::StrCat("no policy version was in force on ", ToSqlDate(day))));
  }
  *response = *policy;
  return grpc::Status::OK;
}

grpc::Status CareerPathServiceImpl::ListPolicyVersions(ServerContext*, const cv1::ListPolicyVersionsRequest* request,
                                                       cv1::ListPolicyVersionsResponse* response) {
  absl::StatusOr<api::PageRequest> page =
      api::ParsePageRequest(request->page_size(), request->page_token(), "policies");
  if (!page.ok()) return Respond(page.status());
  const auto& versions = policies_->versions();
  // The "id" of a version is its position plus one, in effective-date order.
  size_t index = static_cast<size_t>(page->after_id);
  for (; index < versions.size() && response->policies_size() < page->page_size; ++index) {
    *response->add_policies() = versions[index];
  }
  if (index < versions.size()) response->set_next_page_token(api::MakePageToken(index, "policies"));
  return grpc::Status::OK;
}

absl::StatusOr<Facts> CareerPathServiceImpl::GatherFacts(const pv1::Employee& employee,
                                                         const std::string& as_of_period_end) {
  LADDER_ASSIGN_OR_RETURN(auto history, evaluation_->ScoreHistory(employee.name()));
  std::optional<pv1::CountyQuota> quota;
  std::string county_display_name;
  if (employee.role() == pv1::ROLE_CUSTOMER_MANAGER && !employee.county().empty()) {
    LADDER_ASSIGN_OR_RETURN(quota, personnel_->GetCountyQuota(employee.county()));
    LADDER_ASSIGN_OR_RETURN(pv1::OrgUnit county, personnel_->GetOrgUnit(employee.county()));
    county_display_name = county.display_name();
  }
  return FactsFrom(employee, std::move(history), as_of_period_end, std::move(quota), std::move(county_display_name),
                   TodayInBranch());
}

absl::StatusOr<cv1::Eligibility> CareerPathServiceImpl::Judge(const std::string& employee, cv1::Target target,
                                                              common::v1::CareerMoveTarget move) {
  absl::StatusOr<pv1::Employee> person = personnel_->GetEmployee(employee);
  if (absl::IsNotFound(person.status())) {
    return InvalidFieldError("employee", absl::StrCat(employee, " does not exist"));
  }
  if (!person.ok()) return person.status();
  return JudgeEmployee(*person, target, move);
}

absl::StatusOr<cv1::Eligibility> CareerPathServiceImpl::JudgeEmployee(const pv1::Employee& employee, cv1::Target target,
                                                                      common::v1::CareerMoveTarget move) {
  LADDER_ASSIGN_OR_RETURN(const policy::Policy* policy, PolicyToday());
  LADDER_ASSIGN_OR_RETURN(Facts facts, GatherFacts(employee, ""));
  return careerpath::CheckEligibility(facts, target, move, *policy);
}

absl::StatusOr<cv1::Eligibility> CareerPathServiceImpl::JudgeTrial(const pv1::Employee& employee,
                                                                   const policy::Policy& policy) {
  LADDER_ASSIGN_OR_RETURN(auto trial, evaluation_->LatestTrialAssessment(employee.name()));
  return TrialEvidence(employee, trial, policy);
}

grpc::Status CareerPathServiceImpl::CheckEligibility(ServerContext*, const cv1::CheckEligibilityRequest* request,
                                                     cv1::Eligibility* response) {
  if (absl::Status s = ValidateCheckEligibility(*request); !s.ok()) return Respond(s);
  return Respond(Judge(request->employee(), request->target(), request->career_move_target()), response);
}

grpc::Status CareerPathServiceImpl::AssignInitialLevel(ServerContext* context,
                                                       const cv1::AssignInitialLevelRequest* request,
                                                       cv1::AssignInitialLevelResponse* response) {
  return Respond(AssignInitial(*context, *request), response);
}

absl::StatusOr<cv1::AssignInitialLevelResponse> CareerPathServiceImpl::AssignInitial(
    ServerContext& context, const cv1::AssignInitialLevelRequest& request) {
  LADDER_RETURN_IF_ERROR(ValidateAssignInitialLevel(request));
  const MutationContext mutation = ContextFor(context, "AssignInitialLevel", request);
  const db::RequestKey& key = mutation.request;
  if (key.request_id.empty()) return AssignInitialOnce(request, mutation);
  // The effects (personnel's level, or the elimination case) have request ids of their own,
  // derived from the employee; the caller's id is claimed first and maps to the answer, so
  // that a retry — even one sent while the first call runs — gets it, and the same id for
  // another employee is refused.
  return RunClaimedAs<cv1::AssignInitialLevelResponse>(*store_, key,
                                                       [&] { return AssignInitialOnce(request, mutation); });
}

absl::StatusOr<cv1::AssignInitialLevelResponse> CareerPathServiceImpl::AssignInitialOnce(
    const cv1::AssignInitialLevelRequest& request, const MutationContext& mutation) {
  LADDER_ASSIGN_OR_RETURN(const policy::Policy* policy, PolicyToday());
  cv1::AssignInitialLevelResponse response;
  absl::StatusOr<pv1::Employee> employee = personnel_->GetEmployee(request.employee());
  if (absl::IsNotFound(employee.status())) {
    return InvalidFieldError("employee", absl::StrCat(request.employee(), " does not exist"));
  }
  if (!employee.ok()) return employee.status();
  const std::string& name = employee->name();
  if (employee->role() != pv1::ROLE_CUSTOMER_MANAGER) {
    return RuleViolationError("NOT_A_CUSTOMER_MANAGER", name, absl::StrCat(name, " is not a customer manager"));
  }
  if (employee->status() == pv1::EMPLOYMENT_STATUS_SEPARATED) {
    return RuleViolationError(reason::kEmployeeSeparated, name,
                              absl::StrCat(name, " has left; no level is set for a separated employee"));
  }
  bool passed = false;
  std::optional<ev1::TrialAssessment> trial;
  std::string evidence;
  if (employee->status() == pv1::EMPLOYMENT_STATUS_ON_TRIAL) {
    const absl::CivilDay trial_end = *ToCivilDay(employee->trial_ends_on(), "trial_ends_on");
    if (TodayInBranch() <= trial_end) {
      return RuleViolationError("TRIAL_NOT_OVER", name,
                                absl::StrCat("the trial of ", name, " runs until ", ToSqlDate(trial_end)));
    }
    LADDER_ASSIGN_OR_RETURN(trial, evaluation_->LatestTrialAssessment(name));
    if (!trial.has_value()) {
      return RuleViolationError("NO_ASSESSMENT", name,
                                absl::StrCat(name, " has no trial assessment; record one first"));
    }
    passed = trial->outcome() == ev1::TrialAssessment::OUTCOME_PASSED;
    evidence = absl::StrCat("trial assessment ", trial->name(), ": ",
                            ev1::TrialAssessment::Outcome_Name(trial->outcome()), ", score ", trial->score());
  } else if (employee->status() == pv1::EMPLOYMENT_STATUS_AWAITING_LEVEL) {
    LADDER_ASSIGN_OR_RETURN(auto candidate, evaluation_->LatestCandidateAssessment(name));
    if (!candidate.has_value()) {
      return RuleViolationError("NO_ASSESSMENT", name,
                                absl::StrCat(name, " has no candidate assessment; record one first"));
    }
    if (!candidate->passed()) {
      return RuleViolationError(
          "ASSESSMENT_NOT_PASSED", name,
          absl::StrCat(name, "'s candidate assessment totals ", candidate->total(), ", below the pass mark"));
    }
    passed = true;
    evidence = absl::StrCat("candidate assessment ", candidate->name(), ": total ", candidate->total());
  } else {
    return RuleViolationError(
        "ALREADY_LEVELLED", name,
        absl::StrCat(name, " is ", pv1::EmploymentStatus_Name(employee->status()), "; the initial level is set once"));
  }

  if (passed) {
    LADDER_ASSIGN_OR_RETURN(*response.mutable_employee(),
                            personnel_->ChangeLevel(InitialLevelChange(name, evidence, *policy)));
    return response;
  }
  // A failed trial: elimination is proposed, for HR to approve.
  const cv1::Eligibility eligibility = TrialEvidence(*employee, trial, *policy);
  if (!policy->elimination().on_failed_trial()) {
    return RuleViolationError("NOT_ELIGIBLE", name, "the policy does not eliminate on a failed trial");
  }
  NewCase fresh;
  fresh.value = NewCaseFrom(eligibility, *employee, cv1::TARGET_ELIMINATION, "");
  fresh.review_key = absl::StrCat("trial:", name);
  // The case's own request id: one per caller's request, apart from the answer's.
  MutationContext for_case = mutation;
  if (!for_case.request.request_id.empty()) {
    for_case.request.display_id = for_case.request.request_id;
    for_case.request.request_id = absl::StrCat("initial-level-case-", StableHashHex(for_case.request.request_id));
  }
  LADDER_ASSIGN_OR_RETURN(auto created, store_->CreateCase(fresh, for_case));
  *response.mutable_employee() = *employee;
  *response.mutable_elimination_case() = created.first;
  return response;
}

grpc::Status CareerPathServiceImpl::RunCycleReview(ServerContext* context, const cv1::RunCycleReviewRequest* request,
                                                   google::longrunning::Operation* response) {
  return Respond(StartReview(*context, *request), response);
}

absl::StatusOr<google::longrunning::Operation> CareerPathServiceImpl::StartReview(
    ServerContext& context, const cv1::RunCycleReviewRequest& request) {
  LADDER_RETURN_IF_ERROR(ValidateRunCycleReview(request));
  if (request.request_id().empty()) return StartReviewOnce(context, request);
  // The id maps to the operation the first call started; a retry is shown its state now.
  const MutationContext mutation = ContextFor(context, "RunCycleReview", request);
  LADDER_ASSIGN_OR_RETURN(google::longrunning::Operation first,
                          RunClaimedAs<google::longrunning::Operation>(
                              *store_, mutation.request, [&] { return StartReviewOnce(context, request); }));
  LADDER_ASSIGN_OR_RETURN(int64_t id, ParseOperationName(first.name(), "name"));
  LADDER_ASSIGN_OR_RETURN(careerpath::Review now, reviews_->GetReview(id));
  return OperationOf(now);
}

absl::StatusOr<google::longrunning::Operation> CareerPathServiceImpl::StartReviewOnce(
    ServerContext& context, const cv1::RunCycleReviewRequest& request) {
  LADDER_ASSIGN_OR_RETURN(const policy::Policy* policy, PolicyToday());
  // Checked now, so that a cycle that cannot be reviewed is refused by the call itself.
  LADDER_ASSIGN_OR_RETURN(ReviewScope scope, reviewer_.ScopeOf(request.cycle(), *policy, TodayInBranch()));
  const MutationContext mutation = ContextFor(context, "RunCycleReview", request);
  LADDER_ASSIGN_OR_RETURN(careerpath::Review review, reviews_->StartReview(api::IdOf(scope.cycle.name()),
                                                                           scope.cycle.participant_count(), mutation));
  if (review_started_) review_started_();
  return OperationOf(review);
}

grpc::Status CareerPathServiceImpl::ReviewCycle(ServerContext* context, const cv1::ReviewCycleRequest* request,
                                                cv1::ReviewCycleResponse* response) {
  return Respond(Review(*context, *request), response);
}

absl::StatusOr<cv1::ReviewCycleResponse> CareerPathServiceImpl::Review(ServerContext& context,
                                                                       const cv1::ReviewCycleRequest& request) {
  LADDER_RETURN_IF_ERROR(ValidateReviewCycle(request));
  if (request.request_id().empty()) return ReviewOnce(context, request);
  // Each case has a review key of its own, so any review creates a case once; the caller's
  // request id is claimed first and maps to this call's answer, so that a retry — even one
  // sent while the review still runs — is told what the first created.
  const MutationContext mutation = ContextFor(context, "ReviewCycle", request);
  return RunClaimedAs<cv1::ReviewCycleResponse>(*store_, mutation.request,
                                                [&] { return ReviewOnce(context, request); });
}

absl::StatusOr<cv1::ReviewCycleResponse> CareerPathServiceImpl::ReviewOnce(ServerContext& context,
                                                                           const cv1::ReviewCycleRequest& request) {
  LADDER_ASSIGN_OR_RETURN(const policy::Policy* policy, PolicyToday());
  LADDER_ASSIGN_OR_RETURN(ReviewScope scope, reviewer_.ScopeOf(request.cycle(), *policy, TodayInBranch()));
  // One reply holds every case made: past this size it would near gRPC's message limit, and
  // the call would outlive its connection. RunCycleReview reviews any size.
  if (scope.cycle.participant_count() > kMaxParticipantsInOneCall) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "CYCLE_TOO_LARGE",
                           absl::StrCat(request.cycle(), " has ", scope.cycle.participant_count(),
                                        " participants; ReviewCycle reviews at most ", kMaxParticipantsInOneCall,
                                        " in one call: use RunCycleReview"),
                           {{"participant_count", absl::StrCat(scope.cycle.participant_count())},
                            {"max_participants", absl::StrCat(kMaxParticipantsInOneCall)}});
  }
  MutationContext mutation = ContextFor(context, "ReviewCycle", request);
  mutation.request = db::RequestKey{};  // Each case carries its own review key.
  cv1::ReviewCycleResponse response;
  std::string page_token;
  do {
    LADDER_ASSIGN_OR_RETURN(ev1::ListEvaluationsResponse page,
                            evaluation_->ListEvaluationsPage(request.cycle(), page_token, kReviewPageSize));
    LADDER_ASSIGN_OR_RETURN(
        ReviewDecisions decisions,
        reviewer_.Decide(scope, std::vector<ev1::Evaluation>(page.evaluations().begin(), page.evaluations().end())));
    response.set_reviewed_count(response.reviewed_count() + decisions.reviewed);
    for (const NewCase& fresh : decisions.cases) {
      LADDER_ASSIGN_OR_RETURN(auto created, store_->CreateCase(fresh, mutation));
      if (created.second) {
        *response.add_created_cases() = created.first;
      } else {
        response.set_existing_case_count(response.existing_case_count() + 1);
      }
    }
    page_token = page.next_page_token();
  } while (!page_token.empty());
  return response;
}

grpc::Status CareerPathServiceImpl::GetCase(ServerContext*, const cv1::GetCaseRequest* request, cv1::Case* response) {
  if (absl::Status s = ValidateGetCase(*request); !s.ok()) return Respond(s);
  return Respond(store_->GetCase(ParseName(request->name(), "cases", "name").value()), response);
}

grpc::Status CareerPathServiceImpl::ListCases(ServerContext*, const cv1::ListCasesRequest* request,
                                              cv1::ListCasesResponse* response) {
  if (absl::Status s = ValidateListCases(*request); !s.ok()) return Respond(s);
  CaseQuery query;
  if (!request->county().empty()) query.county_id = ParseName(request->county(), "orgUnits", "county").value();
  if (!request->cycle().empty()) query.cycle_id = ParseName(request->cycle(), "cycles", "cycle").value();
  if (!request->employee().empty()) {
    query.employee_id = ParseName(request->employee(), "employees", "employee").value();
  }
  query.kind = request->kind();
  query.state = request->state();
  const std::string filter = absl::StrCat("cases|", query.county_id, "|", query.cycle_id, "|", query.employee_id, "|",
                                          query.kind, "|", query.state);
  absl::StatusOr<api::PageRequest> page = api::ParsePageRequest(request->page_size(), request->page_token(), filter);
  if (!page.ok()) return Respond(page.status());
  query.page = *page;
  absl::StatusOr<api::Page<cv1::Case>> result = store_->ListCases(query);
  if (!result.ok()) return Respond(result.status());
  for (auto& value : result->items) *response->add_cases() = std::move(value);
  if (result->next_after_id.has_value()) {
    response->set_next_page_token(api::MakePageToken(*result->next_after_id, filter));
  }
  return grpc::Status::OK;
}

grpc::Status CareerPathServiceImpl::ApproveCase(ServerContext* context, const cv1::ApproveCaseRequest* request,
                                                cv1::Case* response) {
  return Respond(Approve(*context, *request), response);
}

absl::Status CareerPathServiceImpl::ApplyInPersonnel(const cv1::Case& value, int post_grade) {
  const std::string request_id = absl::StrCat("case-", ParseName(value.name(), "cases", "").value());
  const std::string reason = absl::StrCat(cv1::Case::Kind_Name(value.kind()), " by ", value.name(),
                                          value.cycle().empty() ? "" : absl::StrCat(" after ", value.cycle()));
  switch (value.kind()) {
    case cv1::Case::KIND_PROMOTION:
    case cv1::Case::KIND_DEMOTION: {
      pv1::ChangeLevelRequest change;
      change.set_name(value.employee());
      change.set_expected_level(value.from_level());
      change.set_level(value.to_level());
      change.set_reason(reason);
      change.set_decision(value.name());
      change.set_policy_version(value.policy_version());
      change.set_request_id(request_id);
      return personnel_->ChangeLevel(change).status();
    }
    case cv1::Case::KIND_ELIMINATION: {
      pv1::EndEmploymentRequest end;
      end.set_name(value.employee());
      bool trial = false;
      for (const auto& rule : value.evidence().rules()) trial = trial || rule.rule() == "TRIAL_FAILED";
      end.set_reason(trial ? pv1::SEPARATION_REASON_TRIAL_FAILED : pv1::SEPARATION_REASON_ELIMINATED);
      end.set_note(reason);
      end.set_decision(value.name());
      end.set_policy_version(value.policy_version());
      end.set_request_id(request_id);
      return personnel_->EndEmployment(end).status();
    }
    case cv1::Case::KIND_CAREER_MOVE: {
      pv1::ChangeRoleRequest change;
      change.set_name(value.employee());
      change.set_role(RoleFor(value.career_move_target()));
      change.set_post_grade(post_grade);
      change.set_reason(reason);
      change.set_decision(value.name());
      change.set_policy_version(value.policy_version());
      change.set_request_id(request_id);
      return personnel_->ChangeRole(change).status();
    }
    default:
      return absl::InternalError(absl::StrCat(value.name(), " has no kind"));
  }
}

absl::StatusOr<cv1::Case> CareerPathServiceImpl::Approve(ServerContext& context,
                                                         const cv1::ApproveCaseRequest& request) {
  LADDER_RETURN_IF_ERROR(ValidateApproveCase(request));
  const MutationContext mutation = ContextFor(context, "ApproveCase", request);
  return FirstAnswer(*store_, mutation, [&] { return ApproveOnce(request, mutation); });
}

absl::StatusOr<cv1::Case> CareerPathServiceImpl::ApproveOnce(const cv1::ApproveCaseRequest& request,
                                                             const MutationContext& mutation) {
  const int64_t id = ParseName(request.name(), "cases", "name").value();
  LADDER_ASSIGN_OR_RETURN(cv1::Case value, store_->GetCase(id));
  if (!request.etag().empty() && request.etag() != value.etag()) {
    return ErrorWithReason(absl::StatusCode::kAborted, reason::kEtagMismatch,
                           absl::StrCat(value.name(), " changed since it was read"), {{"field", "etag"}});
  }
  if (!IsOpen(value)) return WrongState(value, "approved");
  LADDER_ASSIGN_OR_RETURN(const policy::Policy* policy, PolicyToday());
  absl::StatusOr<pv1::Employee> employee = personnel_->GetEmployee(value.employee());
  if (!employee.ok()) return employee.status();
  // A case belongs to the county it was opened in: its waitlist, its cap, and who may decide
  // it. Someone transferred since is decided by their new county, on a new case.
  if (employee->county() != value.county()) {
    return RuleViolationError("EMPLOYEE_MOVED", value.name(),
                              absl::StrCat(value.name(), " was opened in ", value.county(),
                                           " and its employee has moved to another county since; "
                                           "withdraw it and review the employee there"),
                              {{"employee", value.employee()}});
  }
  int post_grade = 0;
  if (value.kind() == cv1::Case::KIND_CAREER_MOVE) {
    LADDER_ASSIGN_OR_RETURN(post_grade, store_->PostGradeOf(id));
  }
  // Personnel shows the case's effect already: an earlier approval applied it but its
  // outcome was never recorded here (the answer was lost). Applying it again with the same
  // personnel request id lands nothing twice; it only records the outcome.
  const bool landed = Landed(value, *employee);
  // Re-check against today's facts: the case was proposed on older ones.
  cv1::Eligibility now = value.evidence();
  bool slot_only = false;
  if (!landed) {
    LADDER_ASSIGN_OR_RETURN(now, IsTrialElimination(value)
                                     ? JudgeTrial(*employee, *policy)
                                     : JudgeEmployee(*employee, TargetFor(value.kind()), value.career_move_target()));
    slot_only = IsSeniorPromotion(value) && FailsOnlyForSlot(now);
    if (!now.eligible() && !slot_only) {
      return RuleViolationError("NO_LONGER_ELIGIBLE", value.name(),
                                absl::StrCat(value.name(), " no longer qualifies: ", FirstFailure(now)),
                                {{"employee", value.employee()}});
    }
  }
  // Decide and apply under the county's lock, so a county's approvals are taken one at a
  // time on fresh numbers: nobody jumps the line (a senior promotion waits while as many
  // better-placed cases wait as there are free slots), and nobody waits for a slot that is
  // free. If personnel cannot be reached, nothing is written and the case is unchanged.
  return store_->Transition(
      id,
      [&](const cv1::Case& current, const std::vector<cv1::Case>& waitlist) -> absl::StatusOr<CaseTransition> {
        if (!IsOpen(current)) return WrongState(current, "approved");
        CaseTransition change;
        change.evidence = now;
        change.decided = true;
        if (IsSeniorPromotion(current) && !landed) {
          LADDER_ASSIGN_OR_RETURN(pv1::CountyQuota quota, personnel_->GetCountyQuota(current.county()));
          const int free_slots = quota.over_cap() ? 0 : quota.free_senior_slots();
          cv1::Case candidate = current;
          *candidate.mutable_evidence() = now;
          *candidate.mutable_decide_time() = ToProtoTimestamp(absl::Now());  // `now` is today's
          int ahead = 0;
          for (const cv1::Case& queued : waitlist) {
            if (queued.name() != current.name() && WaitlistBefore(queued, candidate)) ++ahead;
          }
          if (free_slots == 0 || ahead >= free_slots) {
            change.state = cv1::Case::STATE_WAITING_FOR_SLOT;
            if (slot_only) {
              change.reason = FirstFailure(now);
            } else if (free_slots == 0) {
              int seniors = 0;
              for (const auto& level : quota.levels()) {
                if (level.level() == Level::LEVEL_SENIOR) seniors = level.head_count();
              }
              change.reason = absl::StrCat("FREE_SENIOR_SLOT: the county's last free slot was taken meanwhile (",
                                           seniors, " seniors, cap ", quota.senior_cap(), ")");
            } else {
              change.reason = absl::StrCat(ahead, " better-placed case(s) of the county wait ahead for ", free_slots,
                                           " free slot(s)");
            }
            return change;
          }
        }
        cv1::Case approved = current;
        *approved.mutable_evidence() = now;
        const absl::Status applied = ApplyInPersonnel(approved, post_grade);
        if (applied.ok()) {
          change.state = cv1::Case::STATE_APPLIED;
          change.reason = "";
          change.applied = true;
          return change;
        }
        // Personnel could not be reached: nothing is written; a retry finds out whether it landed.
        if (absl::IsUnavailable(applied)) return applied;
        if (landed) {
          // The effect was made outside this case (HR changed the level directly…).
          return RuleViolationError("NO_LONGER_ELIGIBLE", current.name(),
                                    absl::StrCat(current.name(), " no longer applies: ", applied.message()),
                                    {{"employee", current.employee()}});
        }
        if (ErrorReason(applied).value_or("") == reason::kSeniorCapReached) {
          // The cap was reached meanwhile by a change outside this service.
          change.state = cv1::Case::STATE_WAITING_FOR_SLOT;
          change.reason = std::string(applied.message());
        } else {
          // Personnel refused for another reason (the level changed meanwhile…): back to
          // proposed, with personnel's words.
          change.state = cv1::Case::STATE_PROPOSED;
          change.reason = absl::StrCat("personnel refused: ", applied.message());
        }
        return change;
      },
      mutation);
}

grpc::Status CareerPathServiceImpl::RejectCase(ServerContext* context, const cv1::RejectCaseRequest* request,
                                               cv1::Case* response) {
  if (absl::Status s = ValidateRejectCase(*request); !s.ok()) return Respond(s);
  return Respond(Close(*context, "RejectCase", *request, request->name(), request->reason(), cv1::Case::STATE_REJECTED),
                 response);
}

grpc::Status CareerPathServiceImpl::WithdrawCase(ServerContext* context, const cv1::WithdrawCaseRequest* request,
                                                 cv1::Case* response) {
  if (absl::Status s = ValidateWithdrawCase(*request); !s.ok()) return Respond(s);
  return Respond(
      Close(*context, "WithdrawCase", *request, request->name(), request->reason(), cv1::Case::STATE_WITHDRAWN),
      response);
}

absl::StatusOr<cv1::Case> CareerPathServiceImpl::Close(ServerContext& context, absl::string_view method,
                                                       const google::protobuf::Message& request,
                                                       const std::string& name, const std::string& reason,
                                                       cv1::Case::State state) {
  // The caller validated the request.
  const int64_t id = ParseName(name, "cases", "name").value();
  MutationContext mutation = ContextFor(context, method, request);
  return store_->Transition(
      id,
      [&](const cv1::Case& current, const std::vector<cv1::Case>&) -> absl::StatusOr<CaseTransition> {
        if (current.state() != cv1::Case::STATE_PROPOSED && current.state() != cv1::Case::STATE_WAITING_FOR_SLOT) {
          return WrongState(current, state == cv1::Case::STATE_REJECTED ? "rejected" : "withdrawn");
        }
        CaseTransition change;
        change.state = state;
        change.reason = reason;
        change.decided = true;
        return change;
      },
      mutation);
}

grpc::Status CareerPathServiceImpl::NominateCareerMove(ServerContext* context,
                                                       const cv1::NominateCareerMoveRequest* request,
                                                       cv1::Case* response) {
  return Respond(Nominate(*context, *request), response);
}

absl::StatusOr<cv1::Case> CareerPathServiceImpl::Nominate(ServerContext& context,
                                                          const cv1::NominateCareerMoveRequest& request) {
  LADDER_RETURN_IF_ERROR(ValidateNominateCareerMove(request));
  const MutationContext mutation = ContextFor(context, "NominateCareerMove", request);
  return FirstAnswer(*store_, mutation, [&] { return NominateOnce(request, mutation); });
}

absl::StatusOr<cv1::Case> CareerPathServiceImpl::NominateOnce(const cv1::NominateCareerMoveRequest& request,
                                                              const MutationContext& mutation) {
  LADDER_ASSIGN_OR_RETURN(cv1::Eligibility eligibility,
                          Judge(request.employee(), cv1::TARGET_CAREER_MOVE, request.target()));
  if (!eligibility.eligible()) {
    return RuleViolationError("NOT_ELIGIBLE", request.employee(),
                              absl::StrCat(request.employee(), " cannot be nominated: ", FirstFailure(eligibility)));
  }
  LADDER_ASSIGN_OR_RETURN(pv1::Employee employee, personnel_->GetEmployee(request.employee()));
  NewCase fresh;
  fresh.value = NewCaseFrom(eligibility, employee, cv1::TARGET_CAREER_MOVE, "");
  fresh.value.set_state_reason(request.reason());
  fresh.post_grade = request.post_grade();
  LADDER_ASSIGN_OR_RETURN(auto created, store_->CreateCase(fresh, mutation));
  return created.first;
}

absl::StatusOr<cv1::DistributionReport> CareerPathServiceImpl::Report(
    const std::string& org_unit, const google::protobuf::RepeatedPtrField<cv1::ProposedMove>* moves,
    std::vector<cv1::RefusedMove>* refused) {
  // The caller validated the names of `org_unit` and of the moves.
  LADDER_ASSIGN_OR_RETURN(const policy::Policy* policy, PolicyToday());
  absl::StatusOr<pv1::OrgUnit> unit = personnel_->GetOrgUnit(org_unit);
  if (absl::IsNotFound(unit.status())) {
    return InvalidFieldError("org_unit", absl::StrCat(org_unit, " does not exist"));
  }
  if (!unit.ok()) return unit.status();
  LADDER_ASSIGN_OR_RETURN(std::vector<pv1::CountyQuota> quotas, personnel_->CountyQuotasOf(*unit));
  std::vector<CountyCounts> counts;
  for (const pv1::CountyQuota& quota : quotas) {
    CountyCounts entry{quota.county(), quota.county_display_name(), {}};
    for (const auto& level : quota.levels()) entry.head_counts[level.level()] = level.head_count();
    counts.push_back(std::move(entry));
  }
  if (moves != nullptr) {
    std::vector<ResolvedMove> resolved;
    for (int i = 0; i < moves->size(); ++i) {
      const cv1::ProposedMove& move = (*moves)[i];
      ResolvedMove entry;
      entry.move = move;
      absl::StatusOr<pv1::Employee> employee = personnel_->GetEmployee(move.employee());
      if (!employee.ok() && !absl::IsNotFound(employee.status())) return employee.status();
      // Someone outside the report's counties gets the same answer as nobody: a county's HR
      // may simulate their county, and must not learn who works elsewhere.
      const bool in_report =
          employee.ok() && std::any_of(counts.begin(), counts.end(),
                                       [&](const CountyCounts& county) { return county.county == employee->county(); });
      if (!in_report) {
        return InvalidFieldError(absl::StrCat("moves[", i, "].employee"),
                                 absl::StrCat(move.employee(), " is not an employee of ", org_unit));
      }
      if (employee->role() == pv1::ROLE_CUSTOMER_MANAGER && employee->status() == pv1::EMPLOYMENT_STATUS_ACTIVE) {
        entry.county = employee->county();
        entry.level = employee->level();
      }
      resolved.push_back(std::move(entry));
    }
    *refused = ApplyMoves(resolved, *policy, counts);
  }
  return BuildReport(org_unit, counts, *policy);
}

grpc::Status CareerPathServiceImpl::GetDistributionReport(ServerContext*,
                                                          const cv1::GetDistributionReportRequest* request,
                                                          cv1::DistributionReport* response) {
  if (absl::Status s = ValidateGetDistributionReport(*request); !s.ok()) return Respond(s);
  return Respond(Report(request->org_unit(), nullptr, nullptr), response);
}

grpc::Status CareerPathServiceImpl::SimulateDistribution(ServerContext*,
                                                         const cv1::SimulateDistributionRequest* request,
                                                         cv1::SimulateDistributionResponse* response) {
  if (absl::Status s = ValidateSimulateDistribution(*request); !s.ok()) return Respond(s);
  std::vector<cv1::RefusedMove> refused;
  absl::StatusOr<cv1::DistributionReport> report = Report(request->org_unit(), &request->moves(), &refused);
  if (!report.ok()) return Respond(report.status());
  *response->mutable_report() = *std::move(report);
  for (auto& move : refused) *response->add_refused_moves() = std::move(move);
  return grpc::Status::OK;
}

}  // namespace ladder::careerpath
