#include "services/careerpath/cycle_review.h"

#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/dates.h"
#include "services/careerpath/case_proposal.h"
#include "services/careerpath/eligibility_rules.h"

namespace ladder::careerpath {

absl::StatusOr<ReviewScope> CycleReviewer::ScopeOf(const std::string& cycle_name, const policy::Policy& policy,
                                                   absl::CivilDay today) {
  absl::StatusOr<ev1::Cycle> cycle = evaluation_->GetCycle(cycle_name);
  if (absl::IsNotFound(cycle.status())) {
    return InvalidFieldError("cycle", absl::StrCat(cycle_name, " does not exist"));
  }
  if (!cycle.ok()) return cycle.status();
  if (cycle->state() != ev1::Cycle::STATE_FINALIZED) {
    return RuleViolationError("CYCLE_NOT_FINALIZED", cycle->name(),
                              absl::StrCat(cycle->name(), " is ", ev1::Cycle::State_Name(cycle->state()),
                                           "; review it once it is finalised"));
  }
  ReviewScope scope;
  LADDER_ASSIGN_OR_RETURN(absl::CivilDay end, ToCivilDay(cycle->end_date(), "end_date"));
  scope.period_end = ToSqlDate(end);
  LADDER_ASSIGN_OR_RETURN(scope.unit, personnel_->GetOrgUnit(cycle->scope()));
  scope.cycle = *std::move(cycle);
  scope.policy = &policy;
  scope.today = today;
  return scope;
}

absl::StatusOr<const CountyFacts*> CycleReviewer::FactsOf(ReviewScope& scope, const std::string& county) {
  CountyFacts& facts = scope.counties[county];
  if (facts.quota.county().empty()) {  // Not in the scope's quotas: moved in from elsewhere.
    LADDER_ASSIGN_OR_RETURN(facts.quota, personnel_->GetCountyQuota(county));
  }
  if (facts.display_name.empty()) {
    LADDER_ASSIGN_OR_RETURN(pv1::OrgUnit unit, personnel_->GetOrgUnit(county));
    facts.display_name = unit.display_name();
  }
  return &facts;
}

absl::StatusOr<ReviewDecisions> CycleReviewer::Decide(ReviewScope& scope, const std::vector<ev1::Evaluation>& page) {
  ReviewDecisions decisions;
  if (page.empty()) return decisions;
  if (!scope.counties_read) {
    LADDER_ASSIGN_OR_RETURN(std::vector<pv1::CountyQuota> quotas, personnel_->CountyQuotasOf(scope.unit));
    for (pv1::CountyQuota& quota : quotas) scope.counties[quota.county()].quota = std::move(quota);
    scope.counties_read = true;
  }
  std::vector<std::string> names;
  names.reserve(page.size());
  for (const ev1::Evaluation& evaluation : page) names.push_back(evaluation.employee());
  LADDER_ASSIGN_OR_RETURN(std::vector<pv1::Employee> employees, personnel_->BatchGetEmployees(names));

  std::vector<const pv1::Employee*> judged;
  for (const pv1::Employee& employee : employees) {
    if (employee.role() != pv1::ROLE_CUSTOMER_MANAGER || employee.status() != pv1::EMPLOYMENT_STATUS_ACTIVE) {
      continue;  // Left the post since the cycle; nothing to decide.
    }
    if (scope.unit.kind() == pv1::OrgUnit::KIND_COUNTY && employee.county() != scope.cycle.scope()) {
      continue;  // Moved out of the cycle's county since: their new county reviews them.
    }
    judged.push_back(&employee);
  }
  decisions.reviewed = static_cast<int>(judged.size());
  if (judged.empty()) return decisions;

  std::vector<std::string> judged_names;
  std::vector<int64_t> judged_ids;
  std::vector<const CountyFacts*> county_of;
  for (const pv1::Employee* employee : judged) {
    judged_names.push_back(employee->name());
    judged_ids.push_back(api::IdOf(employee->name()));
    const CountyFacts* facts = nullptr;
    if (!employee->county().empty()) {
      LADDER_ASSIGN_OR_RETURN(facts, FactsOf(scope, employee->county()));
    }
    county_of.push_back(facts);
  }
  LADDER_ASSIGN_OR_RETURN(std::vector<ev1::ScoreHistory> histories, evaluation_->BatchScoreHistories(judged_names));
  // Moves already open for someone: one case per move, one place in a waitlist. One open
  // from this cycle is this review's own, made before (its key makes it once).
  LADDER_ASSIGN_OR_RETURN(std::vector<OpenCase> open, store_->OpenCasesOf(judged_ids));
  std::set<std::pair<int64_t, int>> open_elsewhere;
  const int64_t cycle_id = api::IdOf(scope.cycle.name());
  for (const OpenCase& value : open) {
    if (value.cycle_id != cycle_id) open_elsewhere.insert({value.employee_id, value.kind});
  }

  for (size_t i = 0; i < judged.size(); ++i) {
    const pv1::Employee& employee = *judged[i];
    std::optional<pv1::CountyQuota> quota;
    std::string county_display_name;
    if (county_of[i] != nullptr) {
      quota = county_of[i]->quota;
      county_display_name = county_of[i]->display_name;
    }
    std::vector<ev1::ScoreHistoryEntry> history(histories[i].entries().begin(), histories[i].entries().end());
    const Facts facts = FactsFrom(employee, std::move(history), scope.period_end, std::move(quota),
                                  std::move(county_display_name), scope.today);
    for (cv1::Target target : {cv1::TARGET_PROMOTION, cv1::TARGET_DEMOTION, cv1::TARGET_ELIMINATION}) {
      cv1::Eligibility eligibility =
          CheckEligibility(facts, target, common::v1::CAREER_MOVE_TARGET_UNSPECIFIED, *scope.policy);
      // A promotion held back only by the cap is still proposed: approved, it waits for a slot.
      const bool propose = eligibility.eligible() || (target == cv1::TARGET_PROMOTION && FailsOnlyForSlot(eligibility));
      if (!propose) continue;
      if (open_elsewhere.count({judged_ids[i], KindFor(target)}) > 0) continue;
      NewCase fresh;
      fresh.value = NewCaseFrom(eligibility, employee, target, scope.cycle.name());
      fresh.review_key = ReviewKey(scope.cycle.name(), employee.name(), target);
      decisions.cases.push_back(std::move(fresh));
    }
  }
  return decisions;
}

}  // namespace ladder::careerpath
