#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/api/page.h"
#include "common/api/pagination.h"
#include "common/db/idempotency.h"
#include "common/db/mutation_context.h"
#include "common/policy/quota.h"
#include "ladder/personnel/v1/county_quota.pb.h"
#include "ladder/personnel/v1/employee.pb.h"
#include "ladder/personnel/v1/level_change.pb.h"
#include "ladder/personnel/v1/org_unit.pb.h"
#include "ladder/personnel/v1/team.pb.h"
#include "services/personnel/employee_rules.h"

namespace ladder::personnel {

using ::ladder::personnel::v1::CountyCounts;
using ::ladder::personnel::v1::LevelChange;
using ::ladder::personnel::v1::OrgUnit;
using ::ladder::personnel::v1::Team;

using api::Page;

using db::MutationContext;

struct OrgUnitQuery {
  OrgUnit::Kind kind = OrgUnit::KIND_UNSPECIFIED;
  int64_t parent_id = 0;  // 0: any.
  api::PageRequest page;
};

struct TeamQuery {
  int64_t county_id = 0;  // 0: any.
  api::PageRequest page;
};

// The writable fields of a team; unset means unchanged.
struct TeamPatch {
  std::optional<std::string> display_name;
  std::optional<std::string> supervisor;  // "employees/{id}", or empty for none.
};

struct EmployeeQuery {
  int64_t county_id = 0;  // 0: any.
  int64_t team_id = 0;    // 0: any.
  Role role = Role::ROLE_UNSPECIFIED;
  Level level = Level::LEVEL_UNSPECIFIED;
  EmploymentStatus status = EmploymentStatus::EMPLOYMENT_STATUS_UNSPECIFIED;
  api::PageRequest page;
};

struct LevelChangeQuery {
  int64_t employee_id = 0;  // 0: every employee.
  int64_t county_id = 0;    // 0: any.
  api::PageRequest page;
};

// A county's customer managers by state, for its quota.
struct CountyHeadCounts {
  policy::HeadCounts levelled;
  int on_trial = 0;
  int awaiting_level = 0;
};

// Decides, without I/O, what a command does to the employee as it is now. Called inside the
// store's transaction after the employee and the counties concerned are locked; may be
// called again if the transaction is retried.
using TransitionRule = std::function<absl::StatusOr<Transition>(const Employee& current)>;

// The personnel system of record. Every mutation is one transaction that also records the
// request id (see common/db/idempotency.h). The store keeps the senior cap: a mutation that
// raises a capped level's holders in a county is checked against the cap computed from the
// county's numbers after the change, under a lock on the county row.
class PersonnelStore {
 public:
  virtual ~PersonnelStore() = default;

  virtual absl::StatusOr<OrgUnit> CreateOrgUnit(const OrgUnit& org_unit, const MutationContext& context) = 0;
  virtual absl::StatusOr<OrgUnit> GetOrgUnit(int64_t id) = 0;
  virtual absl::StatusOr<Page<OrgUnit>> ListOrgUnits(const OrgUnitQuery& query) = 0;

  virtual absl::StatusOr<Team> CreateTeam(const Team& team, const MutationContext& context) = 0;
  virtual absl::StatusOr<Team> GetTeam(int64_t id) = 0;
  virtual absl::StatusOr<Page<Team>> ListTeams(const TeamQuery& query) = 0;
  // Changes the fields set in `patch` of team `id`, in one transaction.
  virtual absl::StatusOr<Team> UpdateTeam(int64_t id, const TeamPatch& patch, const MutationContext& context) = 0;

  // `employee` is complete (see NewEmployee in employee_rules.h); the store checks that
  // its county and team exist and fit.
  virtual absl::StatusOr<Employee> CreateEmployee(const Employee& employee, const MutationContext& context) = 0;
  virtual absl::StatusOr<Employee> GetEmployee(int64_t id) = 0;
  // In the order of `ids`; NOT_FOUND naming the first missing one.
  virtual absl::StatusOr<std::vector<Employee>> BatchGetEmployees(const std::vector<int64_t>& ids) = 0;
  virtual absl::StatusOr<Page<Employee>> ListEmployees(const EmployeeQuery& query) = 0;

  // Applies `rule` to employee `id` with the policy `policy` guarding the caps, and
  // records the level change it produces. `expected_etag`, if not empty, must match.
  virtual absl::StatusOr<Employee> ApplyTransition(int64_t id, const std::string& expected_etag,
                                                   const policy::Policy& policy, const TransitionRule& rule,
                                                   const MutationContext& context) = 0;

  virtual absl::StatusOr<Page<LevelChange>> ListLevelChanges(const LevelChangeQuery& query) = 0;

  // A county with its head counts.
  struct CountyWithCounts {
    OrgUnit county;
    CountyHeadCounts counts;
  };
  // The county's head counts; NOT_FOUND if it does not exist, FAILED_PRECONDITION
  // (WRONG_ORG_UNIT_KIND) if it is not a county.
  virtual absl::StatusOr<CountyWithCounts> GetCountyHeadCounts(int64_t county_id) = 0;
  // A page of the counties of a city branch (`page.after_id` is a county id) with their
  // head counts, counted in one grouped statement.
  virtual absl::StatusOr<Page<CountyWithCounts>> ListCountyHeadCounts(int64_t city_id,
                                                                      const api::PageRequest& page) = 0;

  // OK while the database answers.
  virtual absl::Status Ping() = 0;
};

}  // namespace ladder::personnel
