#pragma once

// Brings the service's data up to a PlannedBranch, through the API only.
//
// It reconciles rather than replays: it reads what exists (org units, teams, employees by
// number) and sends only the calls still missing, each with a request id derived from the
// seed and what it does ("seed1-emp-KC0042-create"). So a second run creates nothing, a
// run cut short is finished by the next one, and a call retried after a lost response
// returns its first result. Level steps take their dates from the stored hire date, so a
// run on a later day continues the history of people created on an earlier one.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "tools/seed/demo_branch.h"
#include "tools/seed/personnel_client.h"

namespace ladder::seed {

// What one run changed; all zero on a run that finds the branch complete.
struct LoadStats {
  int org_units_created = 0;
  int teams_created = 0;
  int employees_created = 0;
  int supervisors_set = 0;
  int initial_levels = 0;
  int promotions_to_intermediate = 0;
  int promotions_to_senior = 0;
  int separations = 0;
  // Senior promotions the service refused because the county was at its cap. Expected:
  // filling a county to its cap ends with one.
  int cap_refusals = 0;
  // Records under a planned employee number that the plan does not describe.
  int left_alone = 0;
};

struct LoadedCounty {
  std::string display_name;
  std::string name;  // "orgUnits/{id}"
};

class BranchLoader final {
 public:
  BranchLoader(PersonnelClient& client, const PlannedBranch& plan, uint64_t seed, absl::CivilDay today);

  // Stops at the first unexpected error, whose message names the call.
  absl::Status Load();

  const LoadStats& stats() const { return stats_; }
  const std::string& branch_name() const { return branch_name_; }
  const std::vector<LoadedCounty>& counties() const { return counties_; }

 private:
  // Employees of one county by employee number, as last returned by the service.
  using Roster = std::map<std::string, v1::Employee>;

  absl::StatusOr<v1::OrgUnit> EnsureOrgUnit(const std::string& display_name, v1::OrgUnit::Kind kind,
                                            const std::string& parent, const std::string& key);
  absl::Status LoadCounty(const PlannedCounty& plan, const std::string& county);
  absl::StatusOr<std::vector<v1::Team>> EnsureTeams(const PlannedCounty& plan, const std::string& county);
  absl::Status EnsureEmployees(const PlannedCounty& plan, const std::string& county, const std::vector<v1::Team>& teams,
                               Roster& roster);
  absl::Status EnsureSupervisors(const PlannedCounty& plan, const std::vector<v1::Team>& teams, const Roster& roster);
  absl::Status EnsureLevels(const PlannedCounty& plan, Roster& roster);
  // Sets `note` to what the service said when it refused a promotion at the cap.
  absl::Status EnsureSeniors(const PlannedCounty& plan, const std::string& county, Roster& roster, std::string& note);
  absl::Status ChangeLevel(const PlannedEmployee& planned, v1::Employee& current, Level level,
                           absl::CivilDay planned_day, const std::string& reason);

  // "seed1-emp-KC0042-junior".
  std::string RequestId(absl::string_view kind, absl::string_view key, absl::string_view action) const;
  // A planned day moved by as much as the stored hire date differs from the planned one,
  // then kept after `not_before` and not in the future.
  absl::CivilDay Effective(const PlannedEmployee& planned, const v1::Employee& current, absl::CivilDay day,
                           absl::CivilDay not_before) const;

  PersonnelClient& client_;
  const PlannedBranch& plan_;
  uint64_t seed_;
  absl::CivilDay today_;
  LoadStats stats_;
  std::string branch_name_;
  std::vector<LoadedCounty> counties_;
  // Planned employee numbers held by someone the plan does not describe.
  std::set<std::string> left_alone_;
};

}  // namespace ladder::seed
