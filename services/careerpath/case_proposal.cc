#include "services/careerpath/case_proposal.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace ladder::careerpath {

cv1::Case::Kind KindFor(cv1::Target target) {
  switch (target) {
    case cv1::TARGET_PROMOTION:
      return cv1::Case::KIND_PROMOTION;
    case cv1::TARGET_DEMOTION:
      return cv1::Case::KIND_DEMOTION;
    case cv1::TARGET_ELIMINATION:
      return cv1::Case::KIND_ELIMINATION;
    case cv1::TARGET_CAREER_MOVE:
      return cv1::Case::KIND_CAREER_MOVE;
    default:
      return cv1::Case::KIND_UNSPECIFIED;
  }
}

bool IsOpen(const cv1::Case& value) {
  return value.state() == cv1::Case::STATE_PROPOSED || value.state() == cv1::Case::STATE_APPROVED ||
         value.state() == cv1::Case::STATE_WAITING_FOR_SLOT;
}

Facts FactsFrom(const personnel::v1::Employee& employee, std::vector<evaluation::v1::ScoreHistoryEntry> history,
                const std::string& as_of_period_end, std::optional<personnel::v1::CountyQuota> quota,
                std::string county_display_name, absl::CivilDay today) {
  Facts facts;
  facts.employee = employee;
  facts.today = today;
  for (auto& entry : history) {
    if (!as_of_period_end.empty() && entry.period_end() > as_of_period_end) continue;
    facts.history.push_back(std::move(entry));
  }
  facts.quota = std::move(quota);
  facts.county_display_name = std::move(county_display_name);
  return facts;
}

cv1::Case NewCaseFrom(const cv1::Eligibility& eligibility, const personnel::v1::Employee& employee, cv1::Target target,
                      const std::string& cycle) {
  cv1::Case value;
  value.set_kind(KindFor(target));
  value.set_employee(employee.name());
  value.set_county(employee.county());
  value.set_from_level(eligibility.from_level());
  value.set_to_level(eligibility.to_level());
  value.set_career_move_target(eligibility.career_move_target());
  value.set_cycle(cycle);
  *value.mutable_evidence() = eligibility;
  value.set_policy_version(eligibility.policy_version());
  return value;
}

std::string ReviewKey(const std::string& cycle, const std::string& employee, cv1::Target target) {
  return absl::StrCat("review:", cycle, ":", employee, ":", target);
}

}  // namespace ladder::careerpath
