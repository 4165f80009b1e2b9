#pragma once

// The policy's rules for moving up, down or out (POLICY §6), applied to one employee:
// pure functions of the facts and the policy, each rule reported with its evidence.

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/policy/policy_set.h"
#include "ladder/careerpath/v1/eligibility.pb.h"
#include "ladder/evaluation/v1/evaluation.pb.h"
#include "ladder/personnel/v1/county_quota.pb.h"
#include "ladder/personnel/v1/employee.pb.h"

namespace ladder::careerpath {

namespace cv1 = ::ladder::careerpath::v1;

// What the rules are judged on.
struct Facts {
  personnel::v1::Employee employee;
  // The employee's county's display name, for the evidence.
  std::string county_display_name;
  // Finalised composites, newest first, as of the day of the judgement.
  std::vector<evaluation::v1::ScoreHistoryEntry> history;
  // The county's quota now; needed for a promotion to a capped level.
  std::optional<personnel::v1::CountyQuota> quota;
  // The day the judgement is made (months at level are counted to it).
  absl::CivilDay today;
};

// Every rule that applies to `target`, in the policy's order, and whether all passed.
cv1::Eligibility CheckEligibility(const Facts& facts, cv1::Target target,
                                  common::v1::CareerMoveTarget career_move_target, const policy::Policy& policy);

// The one-line explanation of a failed rule set: the first failed rule's evidence.
std::string FirstFailure(const cv1::Eligibility& eligibility);

// Whether a failed eligibility failed only for want of a free slot (the waitlist case).
bool FailsOnlyForSlot(const cv1::Eligibility& eligibility);

}  // namespace ladder::careerpath
