#include "services/careerpath/eligibility_rules.h"

#include <functional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/time/dates.h"

namespace ladder::careerpath {
namespace {

using common::v1::Level;
using common::v1::Level_Name;
namespace pv1 = ::ladder::personnel::v1;

constexpr char kFreeSlotRule[] = "FREE_SENIOR_SLOT";

// Composites are exact to a thousandth: shown as they are, never rounded across a threshold
// ("84.95", not "85.0"), and thresholds without a needless ".0" ("≥ 85").
std::string Score(double composite) { return absl::StrCat(composite); }

// "senior" for LEVEL_SENIOR: how the evidence names a level.
std::string LevelWord(Level level) { return absl::AsciiStrToLower(absl::StripPrefix(Level_Name(level), "LEVEL_")); }

void Add(cv1::Eligibility& result, std::string rule, std::string requirement, bool passed, std::string evidence) {
  cv1::RuleCheck* check = result.add_rules();
  check->set_rule(std::move(rule));
  check->set_requirement(std::move(requirement));
  check->set_passed(passed);
  check->set_evidence(std::move(evidence));
}

// Common ground: a customer manager in post, holding a level.
bool CheckInPost(const Facts& facts, cv1::Eligibility& result) {
  const pv1::Employee& employee = facts.employee;
  const bool manager = employee.role() == pv1::ROLE_CUSTOMER_MANAGER;
  Add(result, "CUSTOMER_MANAGER", "is a customer manager", manager,
      absl::StrCat(employee.name(), " is ", pv1::Role_Name(employee.role())));
  const bool active =
      employee.status() == pv1::EMPLOYMENT_STATUS_ACTIVE && employee.level() != Level::LEVEL_UNSPECIFIED;
  Add(result, "HOLDS_LEVEL", "is in post and holds a level", active,
      absl::StrCat("status ", pv1::EmploymentStatus_Name(employee.status()), ", level ", Level_Name(employee.level())));
  return manager && active;
}

int MonthsAtLevel(const Facts& facts) {
  if (!facts.employee.has_level_since()) return 0;
  absl::StatusOr<absl::CivilDay> since = ToCivilDay(facts.employee.level_since(), "level_since");
  return since.ok() ? WholeMonthsBetween(*since, facts.today) : 0;
}

// Composites of the last `cycles` finalised cycles each passing `passes`; the evidence
// names every cycle looked at.
// The newest finalised cycles scored at the level the employee holds now (POLICY §6,
// "evidence is used once"): after a promotion or demotion, cycles scored at the old level
// no longer count toward any rule, so one pair of cycles cannot demote and then eliminate.
std::vector<const evaluation::v1::ScoreHistoryEntry*> CyclesAtCurrentLevel(const Facts& facts) {
  std::vector<const evaluation::v1::ScoreHistoryEntry*> cycles;
  for (const auto& entry : facts.history) {
    // A cycle recorded without a level (none is) would count, rather than be lost.
    if (entry.level() != Level::LEVEL_UNSPECIFIED && entry.level() != facts.employee.level()) break;
    cycles.push_back(&entry);
  }
  return cycles;
}

void CheckComposites(const Facts& facts, int cycles, const std::string& rule, const std::string& requirement,
                     const std::function<bool(double)>& passes, const std::string& comparison,
                     cv1::Eligibility& result) {
  const std::vector<const evaluation::v1::ScoreHistoryEntry*> at_level = CyclesAtCurrentLevel(facts);
  std::string evidence;
  bool passed = static_cast<int>(at_level.size()) >= cycles;
  for (int i = 0; i < cycles && i < static_cast<int>(at_level.size()); ++i) {
    const auto& entry = *at_level[i];
    const bool ok = passes(entry.composite());
    passed = passed && ok;
    absl::StrAppend(&evidence, evidence.empty() ? "" : "; ", "composite ", Score(entry.composite()), " in ",
                    entry.cycle_display_name(), ok ? " " : " not ", comparison);
  }
  if (static_cast<int>(at_level.size()) < cycles) {
    absl::StrAppend(&evidence, evidence.empty() ? "" : "; ", "only ", at_level.size(), " finalised cycle(s) at ",
                    Level_Name(facts.employee.level()), " of the ", cycles, " needed");
  }
  Add(result, rule, requirement, passed, evidence);
}

const common::v1::PromotionRule* PromotionFrom(const policy::Policy& policy, Level level) {
  for (const auto& rule : policy.promotions()) {
    if (rule.from_level() == level) return &rule;
  }
  return nullptr;
}

void CheckPromotion(const Facts& facts, const policy::Policy& policy, cv1::Eligibility& result) {
  const Level from = facts.employee.level();
  const common::v1::PromotionRule* rule = PromotionFrom(policy, from);
  if (rule == nullptr) {
    Add(result, "NEXT_LEVEL", "has a level above", false,
        absl::StrCat(Level_Name(from), " is the highest level; see career moves"));
    return;
  }
  result.set_to_level(rule->to_level());
  const int months = MonthsAtLevel(facts);
  Add(result, "MIN_MONTHS_AT_LEVEL", absl::StrCat("at least ", rule->min_months_at_level(), " months at level"),
      months >= rule->min_months_at_level(),
      absl::StrCat(months, " months at level ", months >= rule->min_months_at_level() ? "≥ " : "< ",
                   rule->min_months_at_level()));
  const double min = rule->min_composite();
  CheckComposites(
      facts, rule->cycles(), "MIN_COMPOSITE",
      absl::StrCat("composite ≥ ", Score(min), " in each of the last ", rule->cycles(), " finalised cycles"),
      [min](double c) { return c >= min; }, absl::StrCat("≥ ", Score(min)), result);
  if (rule->requires_free_slot()) {
    const std::string label = LevelWord(rule->to_level());
    if (!facts.quota.has_value()) {
      Add(result, kFreeSlotRule, absl::StrCat("a free ", label, " slot in the county"), false,
          "the county's quota is unknown");
      return;
    }
    const auto& quota = *facts.quota;
    int holders = 0;
    for (const auto& level : quota.levels()) {
      if (level.level() == rule->to_level()) holders = level.head_count();
    }
    const bool free = quota.free_senior_slots() > 0 && !quota.over_cap();
    Add(result, kFreeSlotRule, absl::StrCat("a free ", label, " slot in the county"), free,
        absl::StrCat(free ? "free " : "no free ", label, " slot in ", facts.county_display_name, ": ", holders, " ",
                     label, "s, cap ", quota.senior_cap()));
  }
}

void CheckDemotion(const Facts& facts, const policy::Policy& policy, cv1::Eligibility& result) {
  const Level from = facts.employee.level();
  const bool has_lower = from > Level::LEVEL_JUNIOR;
  Add(result, "LEVEL_BELOW", "has a level below", has_lower,
      has_lower ? absl::StrCat(Level_Name(from), " → ", Level_Name(static_cast<Level>(from - 1)))
                : absl::StrCat(Level_Name(from), " is the lowest level; see elimination"));
  if (has_lower) result.set_to_level(static_cast<Level>(from - 1));
  const double below = policy.demotion().below_composite();
  CheckComposites(
      facts, policy.demotion().consecutive_cycles(), "LOW_COMPOSITE",
      absl::StrCat("composite < ", Score(below), " in ", policy.demotion().consecutive_cycles(),
                   " consecutive finalised cycles"),
      [below](double c) { return c < below; }, absl::StrCat("< ", Score(below)), result);
}

void CheckElimination(const Facts& facts, const policy::Policy& policy, cv1::Eligibility& result) {
  const auto& rule = policy.elimination();
  const bool at_level = facts.employee.level() == rule.at_level();
  Add(result, "AT_ELIMINATION_LEVEL", absl::StrCat("holds ", Level_Name(rule.at_level())), at_level,
      absl::StrCat("holds ", Level_Name(facts.employee.level())));
  const double below = rule.below_composite();
  CheckComposites(
      facts, rule.consecutive_cycles(), "LOW_COMPOSITE",
      absl::StrCat("composite < ", Score(below), " in ", rule.consecutive_cycles(), " consecutive finalised cycles"),
      [below](double c) { return c < below; }, absl::StrCat("< ", Score(below)), result);
}

void CheckCareerMove(const Facts& facts, common::v1::CareerMoveTarget target, const policy::Policy& policy,
                     cv1::Eligibility& result) {
  const auto& moves = policy.career_moves();
  bool allowed = false;
  for (int t : moves.targets()) allowed = allowed || t == target;
  Add(result, "CAREER_MOVE_TARGET", "the post is a career move the policy names", allowed,
      common::v1::CareerMoveTarget_Name(target));
  const bool level_ok = facts.employee.level() == moves.from_level();
  Add(result, "CAREER_MOVE_LEVEL", absl::StrCat("holds ", Level_Name(moves.from_level())), level_ok,
      absl::StrCat("holds ", Level_Name(facts.employee.level())));
}

}  // namespace

cv1::Eligibility CheckEligibility(const Facts& facts, cv1::Target target,
                                  common::v1::CareerMoveTarget career_move_target, const policy::Policy& policy) {
  cv1::Eligibility result;
  result.set_employee(facts.employee.name());
  result.set_target(target);
  result.set_career_move_target(career_move_target);
  result.set_from_level(facts.employee.level());
  result.set_policy_version(policy.version());
  if (!facts.history.empty()) result.set_latest_composite(facts.history.front().composite());
  if (facts.employee.has_level_since()) {
    absl::StatusOr<absl::CivilDay> since = ToCivilDay(facts.employee.level_since(), "");
    if (since.ok()) result.set_days_at_level(static_cast<int32_t>(facts.today - *since));
  }
  if (CheckInPost(facts, result)) {
    switch (target) {
      case cv1::TARGET_PROMOTION:
        CheckPromotion(facts, policy, result);
        break;
      case cv1::TARGET_DEMOTION:
        CheckDemotion(facts, policy, result);
        break;
      case cv1::TARGET_ELIMINATION:
        CheckElimination(facts, policy, result);
        break;
      case cv1::TARGET_CAREER_MOVE:
        CheckCareerMove(facts, career_move_target, policy, result);
        break;
      default:
        Add(result, "TARGET", "a known target", false, "unknown target");
        break;
    }
  }
  bool all = result.rules_size() > 0;
  for (const auto& rule : result.rules()) all = all && rule.passed();
  result.set_eligible(all);
  return result;
}

std::string FirstFailure(const cv1::Eligibility& eligibility) {
  for (const auto& rule : eligibility.rules()) {
    if (!rule.passed()) return absl::StrCat(rule.rule(), ": ", rule.evidence());
  }
  return "";
}

bool FailsOnlyForSlot(const cv1::Eligibility& eligibility) {
  bool slot_failed = false;
  for (const auto& rule : eligibility.rules()) {
    if (rule.passed()) continue;
    if (rule.rule() != kFreeSlotRule) return false;
    slot_failed = true;
  }
  return slot_failed;
}

}  // namespace ladder::careerpath
