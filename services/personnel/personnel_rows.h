#pragma once

// Column lists and row ↔ resource conversions of the personnel schema, kept apart from
// the transaction logic of the store.

#include <cstdint>

#include "absl/status/statusor.h"
#include "common/api/resource_name.h"
#include "common/db/statement.h"
#include "cppconn/resultset.h"
#include "ladder/personnel/v1/employee.pb.h"
#include "ladder/personnel/v1/level_change.pb.h"
#include "ladder/personnel/v1/org_unit.pb.h"
#include "ladder/personnel/v1/team.pb.h"

namespace ladder::personnel::rows {

// Dates and instants are selected as numbers (days and microseconds since 1970-01-01, in
// the sessions' UTC): the driver would otherwise format each one as text for every row, and
// the service parse it back — most of a list's CPU before this.
#define LADDER_DAYS(column) "DATEDIFF(" column ", '1970-01-01')"
#define LADDER_MICROS(column) "CAST(UNIX_TIMESTAMP(" column ") * 1000000 AS SIGNED)"

inline constexpr char kOrgUnitColumns[] = "id, display_name, kind, parent_id, " LADDER_MICROS("create_time");
inline constexpr char kTeamColumns[] = "id, county_id, display_name, supervisor_id, " LADDER_MICROS("create_time");
inline constexpr char kEmployeeColumns[] =
    "id, employee_number, display_name, county_id, team_id, role, entry_channel, status, "
    "level, post_grade, " LADDER_DAYS("level_since") ", " LADDER_DAYS("trial_ends_on") ", "
    LADDER_DAYS("hire_date") ", separation_reason, " LADDER_DAYS("separation_date") ", version, "
    LADDER_MICROS("create_time") ", " LADDER_MICROS("update_time");
inline constexpr char kLevelChangeColumns[] =
    "id, employee_id, kind, from_level, to_level, from_county_id, to_county_id, reason, "
    "decision, policy_version, " LADDER_DAYS("effective_date") ", actor, "
    LADDER_MICROS("commit_time") ", to_levelled, to_seniors, to_senior_cap, from_levelled, "
    "from_seniors, from_senior_cap";

#undef LADDER_DAYS
#undef LADDER_MICROS

// Each reads the current row of a result set selected with the matching column list.
absl::StatusOr<v1::OrgUnit> OrgUnitFromRow(const sql::ResultSet& row);
absl::StatusOr<v1::Team> TeamFromRow(const sql::ResultSet& row);
absl::StatusOr<v1::Employee> EmployeeFromRow(const sql::ResultSet& row);
absl::StatusOr<v1::LevelChange> LevelChangeFromRow(const sql::ResultSet& row);

// Resource names and the ids stored in rows; an empty name is id 0.
using api::IdOf;

// Binds a "YYYY-MM-DD" date, or NULL for an unset google.type.Date.
void BindDate(db::Statement& statement, int index, const google::type::Date& date);

}  // namespace ladder::personnel::rows
