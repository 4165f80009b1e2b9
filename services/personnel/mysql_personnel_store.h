#pragma once

#include <memory>

#include "common/db/connection_pool.h"
#include "services/personnel/personnel_metrics.h"
#include "services/personnel/personnel_store.h"

namespace ladder::personnel {

// PersonnelStore on a MySQL-compatible database (schema: migrations/).
//
// The senior-cap protocol: a transaction that can change a county's N or its holders of a
// capped level first locks the county's org_units row (SELECT … FOR UPDATE; two counties in
// id order, so transfers cannot deadlock each other), then the employee row, then counts
// the county and compares, writes, and commits. Sessions run READ COMMITTED, so the count
// sees every change committed before the lock was granted.
class MySqlPersonnelStore final : public PersonnelStore {
 public:
  explicit MySqlPersonnelStore(db::ConnectionPool* pool) : pool_(pool) {}

  absl::StatusOr<OrgUnit> CreateOrgUnit(const OrgUnit& org_unit, const MutationContext& context) override;
  absl::StatusOr<OrgUnit> GetOrgUnit(int64_t id) override;
  absl::StatusOr<Page<OrgUnit>> ListOrgUnits(const OrgUnitQuery& query) override;

  absl::StatusOr<Team> CreateTeam(const Team& team, const MutationContext& context) override;
  absl::StatusOr<Team> GetTeam(int64_t id) override;
  absl::StatusOr<Page<Team>> ListTeams(const TeamQuery& query) override;
  absl::StatusOr<Team> UpdateTeam(int64_t id, const TeamPatch& patch, const MutationContext& context) override;

  absl::StatusOr<Employee> CreateEmployee(const Employee& employee, const MutationContext& context) override;
  absl::StatusOr<Employee> GetEmployee(int64_t id) override;
  absl::StatusOr<std::vector<Employee>> BatchGetEmployees(const std::vector<int64_t>& ids) override;
  absl::StatusOr<Page<Employee>> ListEmployees(const EmployeeQuery& query) override;
  absl::StatusOr<Employee> ApplyTransition(int64_t id, const std::string& expected_etag, const policy::Policy& policy,
                                           const TransitionRule& rule, const MutationContext& context) override;

  absl::StatusOr<Page<LevelChange>> ListLevelChanges(const LevelChangeQuery& query) override;
  absl::StatusOr<CountyWithCounts> GetCountyHeadCounts(int64_t county_id) override;
  absl::StatusOr<Page<CountyWithCounts>> ListCountyHeadCounts(int64_t city_id, const api::PageRequest& page) override;
  absl::Status Ping() override;
  // Every county's levelled managers per level, as its row keeps them (for the metrics).
  absl::StatusOr<std::vector<CountyLevelCounts>> CountyLevelCountsNow();

 private:
  db::ConnectionPool* pool_;
};

}  // namespace ladder::personnel
