#include "services/personnel/personnel_rows.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/status/macros.h"
#include "common/time/dates.h"
#include "cppconn/datatype.h"

namespace ladder::personnel::rows {
namespace {

using api::FormatName;

// A column selected as days since 1970-01-01; NULL leaves the date unset.
absl::Status ReadDate(const sql::ResultSet& row, int column, google::type::Date* date) {
  const int64_t days = row.getInt64(column);
  if (row.wasNull()) return absl::OkStatus();
  *date = ToDate(absl::CivilDay(1970, 1, 1) + days);
  return absl::OkStatus();
}

// A column selected as microseconds since the epoch.
absl::Status ReadTimestamp(const sql::ResultSet& row, int column, google::protobuf::Timestamp* timestamp) {
  const int64_t micros = row.getInt64(column);
  if (row.wasNull()) return absl::InternalError("a NOT NULL timestamp column was NULL");
  *timestamp = ToProtoTimestamp(absl::FromUnixMicros(micros));
  return absl::OkStatus();
}

std::string NameOrEmpty(const char* collection, int64_t id) {
  return id == 0 ? std::string() : FormatName(collection, id);
}

v1::CountyCounts Counts(const sql::ResultSet& row, int first_column) {
  v1::CountyCounts counts;
  counts.set_levelled_customer_managers(row.getInt(first_column));
  counts.set_seniors(row.getInt(first_column + 1));
  counts.set_senior_cap(row.getInt(first_column + 2));
  return counts;
}

}  // namespace

void BindDate(db::Statement& statement, int index, const google::type::Date& date) {
  if (date.year() == 0) {
    statement.setNull(index, sql::DataType::DATE);
  } else {
    statement.setString(index, ToSqlDate(absl::CivilDay(date.year(), date.month(), date.day())));
  }
}

absl::StatusOr<v1::OrgUnit> OrgUnitFromRow(const sql::ResultSet& row) {
  v1::OrgUnit unit;
  unit.set_name(FormatName("orgUnits", row.getInt64(1)));
  unit.set_display_name(row.getString(2));
  unit.set_kind(static_cast<v1::OrgUnit::Kind>(row.getInt(3)));
  unit.set_parent(NameOrEmpty("orgUnits", row.getInt64(4)));
  LADDER_RETURN_IF_ERROR(ReadTimestamp(row, 5, unit.mutable_create_time()));
  return unit;
}

absl::StatusOr<v1::Team> TeamFromRow(const sql::ResultSet& row) {
  v1::Team team;
  team.set_name(FormatName("teams", row.getInt64(1)));
  team.set_county(FormatName("orgUnits", row.getInt64(2)));
  team.set_display_name(row.getString(3));
  team.set_supervisor(NameOrEmpty("employees", row.getInt64(4)));
  LADDER_RETURN_IF_ERROR(ReadTimestamp(row, 5, team.mutable_create_time()));
  return team;
}

absl::StatusOr<v1::Employee> EmployeeFromRow(const sql::ResultSet& row) {
  v1::Employee employee;
  employee.set_name(FormatName("employees", row.getInt64(1)));
  employee.set_employee_number(row.getString(2));
  employee.set_display_name(row.getString(3));
  employee.set_county(FormatName("orgUnits", row.getInt64(4)));
  employee.set_team(NameOrEmpty("teams", row.getInt64(5)));
  employee.set_role(static_cast<v1::Role>(row.getInt(6)));
  employee.set_entry_channel(static_cast<v1::EntryChannel>(row.getInt(7)));
  employee.set_status(static_cast<v1::EmploymentStatus>(row.getInt(8)));
  employee.set_level(static_cast<common::v1::Level>(row.getInt(9)));
  employee.set_post_grade(row.getInt(10));
  LADDER_RETURN_IF_ERROR(ReadDate(row, 11, employee.mutable_level_since()));
  LADDER_RETURN_IF_ERROR(ReadDate(row, 12, employee.mutable_trial_ends_on()));
  LADDER_RETURN_IF_ERROR(ReadDate(row, 13, employee.mutable_hire_date()));
  employee.set_separation_reason(static_cast<v1::SeparationReason>(row.getInt(14)));
  LADDER_RETURN_IF_ERROR(ReadDate(row, 15, employee.mutable_separation_date()));
  employee.set_etag(absl::StrCat(row.getInt64(16)));
  LADDER_RETURN_IF_ERROR(ReadTimestamp(row, 17, employee.mutable_create_time()));
  LADDER_RETURN_IF_ERROR(ReadTimestamp(row, 18, employee.mutable_update_time()));
  // An unset message field reads as absent to clients; keep unset dates unset.
  if (employee.level_since().year() == 0) employee.clear_level_since();
  if (employee.trial_ends_on().year() == 0) employee.clear_trial_ends_on();
  if (employee.separation_date().year() == 0) employee.clear_separation_date();
  return employee;
}

absl::StatusOr<v1::LevelChange> LevelChangeFromRow(const sql::ResultSet& row) {
  v1::LevelChange change;
  const int64_t employee_id = row.getInt64(2);
  change.set_name(absl::StrCat("employees/", employee_id, "/levelChanges/", row.getInt64(1)));
  change.set_employee(FormatName("employees", employee_id));
  change.set_kind(static_cast<v1::LevelChange::Kind>(row.getInt(3)));
  change.set_from_level(static_cast<common::v1::Level>(row.getInt(4)));
  change.set_to_level(static_cast<common::v1::Level>(row.getInt(5)));
  change.set_from_county(FormatName("orgUnits", row.getInt64(6)));
  change.set_to_county(FormatName("orgUnits", row.getInt64(7)));
  change.set_reason(row.getString(8));
  change.set_decision(row.getString(9));
  change.set_policy_version(row.getString(10));
  LADDER_RETURN_IF_ERROR(ReadDate(row, 11, change.mutable_effective_date()));
  change.set_actor(row.getString(12));
  LADDER_RETURN_IF_ERROR(ReadTimestamp(row, 13, change.mutable_commit_time()));
  *change.mutable_to_county_counts() = Counts(row, 14);
  *change.mutable_from_county_counts() = Counts(row, 17);
  return change;
}

}  // namespace ladder::personnel::rows
