#pragma once

// What a case proposes, shared by the calls that judge one person and the reviews that judge
// a cycle's thousands: the case kind of a target, the facts a judgement is made on, and the
// new case made from a judgement.

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "ladder/careerpath/v1/career_case.pb.h"
#include "ladder/careerpath/v1/eligibility.pb.h"
#include "ladder/evaluation/v1/evaluation.pb.h"
#include "ladder/personnel/v1/county_quota.pb.h"
#include "ladder/personnel/v1/employee.pb.h"
#include "services/careerpath/eligibility_rules.h"

namespace ladder::careerpath {

cv1::Case::Kind KindFor(cv1::Target target);

// Proposed, approved or waiting for a slot.
bool IsOpen(const cv1::Case& value);

// The facts about `employee` for a judgement on `today`: the history drops the cycles that
// end after `as_of_period_end` (when set, "YYYY-MM-DD"), so a review of a cycle judges on
// what was known at its end.
Facts FactsFrom(const personnel::v1::Employee& employee, std::vector<evaluation::v1::ScoreHistoryEntry> history,
                const std::string& as_of_period_end, std::optional<personnel::v1::CountyQuota> quota,
                std::string county_display_name, absl::CivilDay today);

// The case proposing `target` for `employee` on the grounds of `eligibility`; `cycle` is the
// reviewed cycle's name, empty for a case not made by a review.
cv1::Case NewCaseFrom(const cv1::Eligibility& eligibility, const personnel::v1::Employee& employee, cv1::Target target,
                      const std::string& cycle);

// The key that makes a review's case of `target` for `employee` in `cycle` once, whichever
// review (or retry, or resumed batch) gets there first.
std::string ReviewKey(const std::string& cycle, const std::string& employee, cv1::Target target);

}  // namespace ladder::careerpath
