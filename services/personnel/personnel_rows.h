#pragma once

// Column lists and row ↔ resource conversions of the personnel schema, kept apart from
// the transaction logic of the store.

#include <cstdint>

#include "absl/status/statusor.h"
#include "cppconn/prepared_statement.h"
#include "cppconn/resultset.h"
#include "ladder/personnel/v1/employee.pb.h"
#include "ladder/personnel/v1/level_change.pb.h"
#include "ladder/personnel/v1/org_unit.pb.h"
#include "ladder/personnel/v1/team.pb.h"

namespace ladder::personnel::rows {

inline constexpr char kOrgUnitColumns[] = "id, display_name, kind, parent_id, create_time";
inline constexpr char kTeamColumns[] = "id, county_id, display_name, supervisor_id, create_time";
inline constexpr char kEmployeeColumns[] =
    "id, employee_number, display_name, county_id, team_id, role, entry_channel, status, "
    "level, post_grade, level_since, trial_ends_on, hire_date, separation_reason, "
    "separation_date, version, create_time, update_time";
inline constexpr char kLevelChangeColumns[] =
    "id, employee_id, kind, from_level, to_level, from_county_id, to_county_id, reason, "
    "decision, policy_version, effective_date, actor, commit_time, to_levelled, to_seniors, "
    "to_senior_cap, from_levelled, from_seniors, from_senior_cap";

// Each reads the current row of a result set selected with the matching column list.
absl::StatusOr<v1::OrgUnit> OrgUnitFromRow(const sql::ResultSet& row);
absl::StatusOr<v1::Team> TeamFromRow(const sql::ResultSet& row);
absl::StatusOr<v1::Employee> EmployeeFromRow(const sql::ResultSet& row);
absl::StatusOr<v1::LevelChange> LevelChangeFromRow(const sql::ResultSet& row);

// Resource names and the ids stored in rows; an empty name is id 0.
int64_t IdOf(const std::string& name);

// Binds a "YYYY-MM-DD" date, or NULL for an unset google.type.Date.
void BindDate(sql::PreparedStatement& statement, int index, const google::type::Date& date);

}  // namespace ladder::personnel::rows
