#pragma once

// The demo city branch as data: who works where, hired when, and what level history each
// customer manager should end up with. Pure and deterministic: the same seed and the same
// day give the same branch on every platform, so the loader can derive stable request ids
// from it and a second run finds everything already there.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "ladder/common/v1/level.pb.h"
#include "ladder/personnel/v1/employee.pb.h"

namespace ladder::seed {

using ::ladder::common::v1::Level;
using ::ladder::personnel::v1::EntryChannel;
using ::ladder::personnel::v1::Role;

struct PlannedEmployee {
  // "KC0042": the county's two-letter prefix and a number in hiring order.
  std::string employee_number;
  std::string display_name;
  Role role = Role::ROLE_UNSPECIFIED;
  // Customer managers only.
  EntryChannel entry_channel = EntryChannel::ENTRY_CHANNEL_UNSPECIFIED;
  absl::CivilDay hire_date;
  // Index into PlannedCounty::teams.
  int team = 0;
  // Group data supervisors only; the service derives the others.
  int post_grade = 0;

  // Customer managers: the level to reach (LEVEL_UNSPECIFIED: left on trial or awaiting
  // the initial level) and the day each step takes effect. Senior candidates are planned
  // as intermediates; the loader promotes them while the county has room.
  Level target_level = Level::LEVEL_UNSPECIFIED;
  absl::CivilDay junior_on;
  absl::CivilDay intermediate_on;
  absl::CivilDay senior_on;
  // Set for the managers who resign after holding their level.
  bool resigns = false;
  absl::CivilDay resigns_on;
};

struct PlannedTeam {
  std::string display_name;  // "柯城区一组"
  // Indexes into PlannedCounty::employees.
  int supervisor = 0;
  std::vector<int> staff;
};

struct PlannedCounty {
  std::string display_name;  // "柯城区"
  std::string prefix;        // "KC"
  std::vector<PlannedTeam> teams;
  // Supervisors, customer service staff and customer managers, in hiring order.
  std::vector<PlannedEmployee> employees;
  // Indexes into `employees` of the intermediates to promote to senior, best first.
  std::vector<int> senior_candidates;
  // Senior slots to leave free. 0 means: promote until the service refuses
  // (SENIOR_CAP_REACHED), which leaves the county exactly at its cap.
  int free_senior_slots = 0;
};

struct PlannedBranch {
  std::string display_name;  // "衢州分公司"
  std::vector<PlannedCounty> counties;
};

// The branch for `seed` as of `today` (in the branch's time zone). Every date is on or
// before `today`, and each level step is later than the one before and than the trial.
PlannedBranch PlanDemoBranch(uint64_t seed, absl::CivilDay today);

}  // namespace ladder::seed
