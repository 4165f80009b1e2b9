#include "services/personnel/mysql_personnel_store.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/resource_name.h"
#include "common/db/change_feed.h"
#include "common/db/sql_error.h"
#include "common/db/transaction.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/dates.h"
#include "cppconn/exception.h"
#include "cppconn/resultset.h"
#include "services/personnel/personnel_metrics.h"
#include "services/personnel/personnel_rows.h"

namespace ladder::personnel {
namespace {

using api::FormatName;
using api::TrimPage;
using db::Connection;
using rows::IdOf;
using ResultSetPtr = std::unique_ptr<sql::ResultSet>;

constexpr int kCustomerManager = Role::ROLE_CUSTOMER_MANAGER;
constexpr int kActive = EmploymentStatus::EMPLOYMENT_STATUS_ACTIVE;

// The county rows locked by a transaction, by id.
struct LockedCounty {
  std::string display_name;
  int kind = 0;
  int64_t head_count_version = 0;
  // Its levelled customer managers per level, as the county row keeps them.
  policy::HeadCounts levelled;
};

absl::StatusOr<OrgUnit> ReadOrgUnit(Connection& connection, int64_t id) {
  db::Statement& select =
      connection.Prepare(absl::StrCat("SELECT ", rows::kOrgUnitColumns, " FROM org_units WHERE id = ?"));
  select.setInt64(1, id);
  ResultSetPtr row(select.executeQuery());
  if (!row->next()) return NotFoundError(FormatName("orgUnits", id));
  return rows::OrgUnitFromRow(*row);
}

absl::StatusOr<Team> ReadTeam(Connection& connection, int64_t id) {
  db::Statement& select = connection.Prepare(absl::StrCat("SELECT ", rows::kTeamColumns, " FROM teams WHERE id = ?"));
  select.setInt64(1, id);
  ResultSetPtr row(select.executeQuery());
  if (!row->next()) return NotFoundError(FormatName("teams", id));
  return rows::TeamFromRow(*row);
}

absl::StatusOr<Employee> ReadEmployee(Connection& connection, int64_t id, bool for_update) {
  db::Statement& select = connection.Prepare(
      absl::StrCat("SELECT ", rows::kEmployeeColumns, " FROM employees WHERE id = ?", for_update ? " FOR UPDATE" : ""));
  select.setInt64(1, id);
  ResultSetPtr row(select.executeQuery());
  if (!row->next()) return NotFoundError(FormatName("employees", id));
  return rows::EmployeeFromRow(*row);
}

// A reference to an org unit that must be a county; `field` is named in errors.
absl::StatusOr<OrgUnit> RequireCounty(Connection& connection, const std::string& name, absl::string_view field) {
  absl::StatusOr<OrgUnit> unit = ReadOrgUnit(connection, IdOf(name));
  if (absl::IsNotFound(unit.status())) {
    return InvalidFieldError(field, absl::StrCat(name, " does not exist"));
  }
  if (!unit.ok()) return unit.status();
  if (unit->kind() != OrgUnit::KIND_COUNTY) {
    return InvalidFieldError(field, absl::StrCat(name, " is not a county"));
  }
  return unit;
}

// A team reference that must be a team of `county`.
absl::Status RequireTeamInCounty(Connection& connection, const std::string& team, const std::string& county,
                                 absl::string_view field) {
  if (team.empty()) return absl::OkStatus();
  absl::StatusOr<Team> found = ReadTeam(connection, IdOf(team));
  if (absl::IsNotFound(found.status())) {
    return InvalidFieldError(field, absl::StrCat(team, " does not exist"));
  }
  if (!found.ok()) return found.status();
  if (found->county() != county) {
    return InvalidFieldError(field, absl::StrCat(team, " belongs to ", found->county(), ", not to ", county));
  }
  return absl::OkStatus();
}

absl::Status RequireUniqueEmployeeNumber(Connection& connection, const std::string& number, int64_t except_id) {
  db::Statement& select = connection.Prepare("SELECT id FROM employees WHERE employee_number = ? AND id <> ?");
  select.setString(1, number);
  select.setInt64(2, except_id);
  ResultSetPtr row(select.executeQuery());
  if (row->next()) {
    // Neither the holder nor their county is named: the caller may be HR of another county.
    return ErrorWithReason(absl::StatusCode::kAlreadyExists, reason::kAlreadyExists,
                           absl::StrCat("employee.employee_number: ", number,
                                        " is already used by another employee; employee numbers are "
                                        "unique across the organisation"),
                           {{"field", "employee.employee_number"}});
  }
  return absl::OkStatus();
}

// Locks the county rows (ascending id, so two transfers cannot deadlock each other).
absl::StatusOr<std::map<int64_t, LockedCounty>> LockCounties(Connection& connection, const std::set<int64_t>& ids) {
  // One statement shape for one or two counties keeps a single prepared statement.
  const int64_t first = *ids.begin();
  const int64_t second = *ids.rbegin();
  db::Statement& lock = connection.Prepare(
      "SELECT id, kind, display_name, head_count_version, juniors, intermediates, seniors "
      "FROM org_units WHERE id IN (?, ?) ORDER BY id FOR UPDATE");
  lock.setInt64(1, first);
  lock.setInt64(2, second);
  ResultSetPtr row(lock.executeQuery());
  std::map<int64_t, LockedCounty> locked;
  while (row->next()) {
    LockedCounty& county = locked[row->getInt64(1)];
    county.display_name = row->getString(3);
    county.kind = row->getInt(2);
    county.head_count_version = row->getInt64(4);
    county.levelled = {{Level::LEVEL_JUNIOR, row->getInt(5)},
                       {Level::LEVEL_INTERMEDIATE, row->getInt(6)},
                       {Level::LEVEL_SENIOR, row->getInt(7)}};
  }
  for (int64_t id : ids) {
    auto it = locked.find(id);
    if (it == locked.end() || it->second.kind != OrgUnit::KIND_COUNTY) {
      return InvalidFieldError("county", absl::StrCat(FormatName("orgUnits", id),
                                                      it == locked.end() ? " does not exist" : " is not a county"));
    }
  }
  return locked;
}

// The level `employee` counts as in `county_id`'s quota; LEVEL_UNSPECIFIED when not counted.
Level QuotaSlot(const Employee& employee, int64_t county_id) {
  return CountsInQuota(employee) && IdOf(employee.county()) == county_id ? employee.level() : Level::LEVEL_UNSPECIFIED;
}

// Writes the county row of a transaction that changes its head counts: the counts it keeps
// and its version, which the level change records. The row was locked (FOR UPDATE) before
// its counts were read, which orders such transactions on one server; the write makes them
// conflict on a cluster too, where only written rows are certified: of two that race on
// different nodes, one is aborted (and retried), so neither commits a stale count.
// Returns the county's new version. The row is advanced from what it holds (counts by their
// change, the version by one), never set to values computed from the read: an UPDATE that
// leaves a row as it was writes nothing, and a write set without the row would not conflict
// with the others on a cluster.
int64_t AdvanceHeadCounts(Connection& connection, int64_t county_id, const LockedCounty& locked,
                          const policy::HeadCounts& after) {
  auto change = [&](Level level) {
    auto held = [level](const policy::HeadCounts& counts) {
      auto it = counts.find(level);
      return it == counts.end() ? 0 : it->second;
    };
    return held(after) - held(locked.levelled);
  };
  db::Statement& advance = connection.Prepare(
      "UPDATE org_units SET head_count_version = head_count_version + 1, juniors = juniors + ?, "
      "intermediates = intermediates + ?, seniors = seniors + ? WHERE id = ?");
  advance.setInt(1, change(Level::LEVEL_JUNIOR));
  advance.setInt(2, change(Level::LEVEL_INTERMEDIATE));
  advance.setInt(3, change(Level::LEVEL_SENIOR));
  advance.setInt64(4, county_id);
  advance.executeUpdate();
  return locked.head_count_version + 1;
}

// Adds `number` customer managers of (status, level) to a county's head counts.
void AddCount(CountyHeadCounts& counts, int status, int level, int number) {
  if (status == EmploymentStatus::EMPLOYMENT_STATUS_ON_TRIAL) {
    counts.on_trial += number;
  } else if (status == EmploymentStatus::EMPLOYMENT_STATUS_AWAITING_LEVEL) {
    counts.awaiting_level += number;
  } else if (level > 0) {
    counts.levelled[static_cast<Level>(level)] += number;
  }
}

int Total(const policy::HeadCounts& counts) {
  int total = 0;
  for (const auto& [level, count] : counts) total += count;
  return total;
}

// Adds (sign +1) or removes (−1) the employee's contribution to `county`'s counts.
void Contribute(const Employee& employee, int64_t county_id, int sign, policy::HeadCounts& counts) {
  if (CountsInQuota(employee) && IdOf(employee.county()) == county_id) {
    counts[employee.level()] += sign;
  }
}

void WriteEmployee(Connection& connection, int64_t id, const Employee& next, absl::Time now) {
  db::Statement& update = connection.Prepare(
      "UPDATE employees SET employee_number = ?, display_name = ?, county_id = ?, team_id = ?, "
      "role = ?, entry_channel = ?, status = ?, level = ?, post_grade = ?, level_since = ?, "
      "trial_ends_on = ?, separation_reason = ?, separation_date = ?, version = version + 1, "
      "update_time = ? WHERE id = ?");
  update.setString(1, next.employee_number());
  update.setString(2, next.display_name());
  update.setInt64(3, IdOf(next.county()));
  update.setInt64(4, IdOf(next.team()));
  update.setInt(5, next.role());
  update.setInt(6, next.entry_channel());
  update.setInt(7, next.status());
  update.setInt(8, next.level());
  update.setInt(9, next.post_grade());
  rows::BindDate(update, 10, next.level_since());
  rows::BindDate(update, 11, next.trial_ends_on());
  update.setInt(12, next.separation_reason());
  rows::BindDate(update, 13, next.separation_date());
  update.setString(14, ToSqlTimestamp(now));
  update.setInt64(15, id);
  update.executeUpdate();
}

// `from_version` and `to_version`: what AdvanceHeadCounts gave each county (0: unchanged).
// Returns the new entry's id.
int64_t InsertLevelChange(Connection& connection, const LevelChange& change, const std::string& actor, absl::Time now,
                          int64_t from_version, int64_t to_version) {
  db::Statement& insert = connection.Prepare(
      "INSERT INTO level_changes (employee_id, kind, from_level, to_level, from_county_id, "
      "to_county_id, reason, decision, policy_version, effective_date, actor, commit_time, "
      "to_levelled, to_seniors, to_senior_cap, from_levelled, from_seniors, from_senior_cap, "
      "from_county_version, to_county_version) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.setInt64(1, IdOf(change.employee()));
  insert.setInt(2, change.kind());
  insert.setInt(3, change.from_level());
  insert.setInt(4, change.to_level());
  insert.setInt64(5, IdOf(change.from_county()));
  insert.setInt64(6, IdOf(change.to_county()));
  insert.setString(7, change.reason());
  insert.setString(8, change.decision());
  insert.setString(9, change.policy_version());
  rows::BindDate(insert, 10, change.effective_date());
  insert.setString(11, actor);
  insert.setString(12, ToSqlTimestamp(now));
  insert.setInt(13, change.to_county_counts().levelled_customer_managers());
  insert.setInt(14, change.to_county_counts().seniors());
  insert.setInt(15, change.to_county_counts().senior_cap());
  insert.setInt(16, change.from_county_counts().levelled_customer_managers());
  insert.setInt(17, change.from_county_counts().seniors());
  insert.setInt(18, change.from_county_counts().senior_cap());
  insert.setInt64(19, from_version);
  insert.setInt64(20, to_version);
  insert.executeUpdate();
  return connection.LastInsertId();
}

// Publishes a change of an employee on the change feed, with the call's audit event:
// `after` as the change left them, the history entry it added (if any), and the county
// they left (0: none, or the same).
void PublishEmployeeChange(const MutationContext& context, v1::Change::Kind kind, const Employee& after,
                           const LevelChange* level_change, int64_t previous_county) {
  if (!db::ChangeFeedPublishing()) return;
  v1::Change change;
  change.set_kind(kind);
  change.set_employee(after.name());
  const int64_t county = IdOf(after.county());
  change.add_counties(after.county());
  if (previous_county == county) previous_county = 0;
  if (previous_county != 0) change.add_counties(FormatName("orgUnits", previous_county));
  *change.mutable_employee_after() = after;
  if (level_change != nullptr) *change.mutable_level_change() = *level_change;
  db::FeedChange feed;
  feed.kind = v1::Change::Kind_Name(kind);
  feed.county_id = county;
  feed.other_county_id = previous_county;
  feed.payload = change.SerializeAsString();
  db::NoteFeedChange(context, std::move(feed));
}

}  // namespace

absl::StatusOr<OrgUnit> MySqlPersonnelStore::CreateOrgUnit(const OrgUnit& org_unit, const MutationContext& context) {
  return db::RunIdempotent<OrgUnit>(*pool_, context, [&](Connection& connection) -> absl::StatusOr<OrgUnit> {
    const int64_t parent_id = IdOf(org_unit.parent());
    if (parent_id != 0) {
      absl::StatusOr<OrgUnit> parent = ReadOrgUnit(connection, parent_id);
      if (absl::IsNotFound(parent.status())) {
        return InvalidFieldError("org_unit.parent", absl::StrCat(org_unit.parent(), " does not exist"));
      }
      if (!parent.ok()) return parent.status();
      if (parent->kind() != OrgUnit::KIND_CITY_BRANCH) {
        return InvalidFieldError("org_unit.parent", absl::StrCat(org_unit.parent(), " is not a city branch"));
      }
    }
    db::Statement& duplicate = connection.Prepare("SELECT id FROM org_units WHERE parent_id = ? AND display_name = ?");
    duplicate.setInt64(1, parent_id);
    duplicate.setString(2, org_unit.display_name());
    if (ResultSetPtr row(duplicate.executeQuery()); row->next()) {
      const std::string existing = FormatName("orgUnits", row->getInt64(1));
      return ErrorWithReason(absl::StatusCode::kAlreadyExists, reason::kAlreadyExists,
                             absl::StrCat("org_unit.display_name: ", existing, " already has this name here"),
                             {{"field", "org_unit.display_name"}, {"resource", existing}});
    }
    const absl::Time now = absl::Now();
    db::Statement& insert =
        connection.Prepare("INSERT INTO org_units (display_name, kind, parent_id, create_time) VALUES (?, ?, ?, ?)");
    insert.setString(1, org_unit.display_name());
    insert.setInt(2, org_unit.kind());
    insert.setInt64(3, parent_id);
    insert.setString(4, ToSqlTimestamp(now));
    insert.executeUpdate();
    return ReadOrgUnit(connection, connection.LastInsertId());
  });
}

absl::StatusOr<OrgUnit> MySqlPersonnelStore::GetOrgUnit(int64_t id) {
  return db::WithConnection<OrgUnit>(*pool_, [&](Connection& connection) { return ReadOrgUnit(connection, id); });
}

absl::StatusOr<Page<OrgUnit>> MySqlPersonnelStore::ListOrgUnits(const OrgUnitQuery& query) {
  return db::WithConnection<Page<OrgUnit>>(*pool_, [&](Connection& connection) -> absl::StatusOr<Page<OrgUnit>> {
    db::Statement& select = connection.Prepare(
        absl::StrCat("SELECT ", rows::kOrgUnitColumns,
                     " FROM org_units WHERE id > ? AND (? = 0 OR kind = ?) AND (? = 0 OR parent_id = ?) "
                     "ORDER BY id LIMIT ?"));
    select.setInt64(1, query.page.after_id);
    select.setInt(2, query.kind);
    select.setInt(3, query.kind);
    select.setInt64(4, query.parent_id);
    select.setInt64(5, query.parent_id);
    select.setInt(6, query.page.page_size + 1);
    ResultSetPtr row(select.executeQuery());
    std::vector<OrgUnit> units;
    while (row->next()) {
      LADDER_ASSIGN_OR_RETURN(OrgUnit unit, rows::OrgUnitFromRow(*row));
      units.push_back(std::move(unit));
    }
    return TrimPage<OrgUnit>(std::move(units), query.page.page_size,
                             [](const OrgUnit& unit) { return IdOf(unit.name()); });
  });
}

absl::StatusOr<Team> MySqlPersonnelStore::CreateTeam(const Team& team, const MutationContext& context) {
  return db::RunIdempotent<Team>(*pool_, context, [&](Connection& connection) -> absl::StatusOr<Team> {
    LADDER_RETURN_IF_ERROR(RequireCounty(connection, team.county(), "team.county").status());
    db::Statement& duplicate = connection.Prepare("SELECT id FROM teams WHERE county_id = ? AND display_name = ?");
    duplicate.setInt64(1, IdOf(team.county()));
    duplicate.setString(2, team.display_name());
    if (ResultSetPtr row(duplicate.executeQuery()); row->next()) {
      const std::string existing = FormatName("teams", row->getInt64(1));
      return ErrorWithReason(absl::StatusCode::kAlreadyExists, reason::kAlreadyExists,
                             absl::StrCat("team.display_name: ", existing, " already has this name in the county"),
                             {{"field", "team.display_name"}, {"resource", existing}});
    }
    if (!team.supervisor().empty()) {
      // A missing supervisor is refused like one of another county: the same answer whether
      // or not the person exists.
      absl::StatusOr<Employee> supervisor = ReadEmployee(connection, IdOf(team.supervisor()), false);
      if (!supervisor.ok() && !absl::IsNotFound(supervisor.status())) return supervisor.status();
      if (!supervisor.ok() || supervisor->role() != Role::ROLE_GROUP_DATA_SUPERVISOR ||
          supervisor->status() == EmploymentStatus::EMPLOYMENT_STATUS_SEPARATED ||
          supervisor->county() != team.county()) {
        return InvalidFieldError("team.supervisor", "must be an active group data supervisor of the team's county");
      }
    }
    db::Statement& insert = connection.Prepare(
        "INSERT INTO teams (county_id, display_name, supervisor_id, create_time) VALUES (?, ?, ?, ?)");
    insert.setInt64(1, IdOf(team.county()));
    insert.setString(2, team.display_name());
    insert.setInt64(3, IdOf(team.supervisor()));
    insert.setString(4, ToSqlTimestamp(absl::Now()));
    insert.executeUpdate();
    return ReadTeam(connection, connection.LastInsertId());
  });
}

absl::StatusOr<Team> MySqlPersonnelStore::GetTeam(int64_t id) {
  return db::WithConnection<Team>(*pool_, [&](Connection& connection) { return ReadTeam(connection, id); });
}

absl::StatusOr<Page<Team>> MySqlPersonnelStore::ListTeams(const TeamQuery& query) {
  return db::WithConnection<Page<Team>>(*pool_, [&](Connection& connection) -> absl::StatusOr<Page<Team>> {
    db::Statement& select = connection.Prepare(absl::StrCat(
        "SELECT ", rows::kTeamColumns, " FROM teams WHERE id > ? AND (? = 0 OR county_id = ?) ORDER BY id LIMIT ?"));
    select.setInt64(1, query.page.after_id);
    select.setInt64(2, query.county_id);
    select.setInt64(3, query.county_id);
    select.setInt(4, query.page.page_size + 1);
    ResultSetPtr row(select.executeQuery());
    std::vector<Team> teams;
    while (row->next()) {
      LADDER_ASSIGN_OR_RETURN(Team team, rows::TeamFromRow(*row));
      teams.push_back(std::move(team));
    }
    return TrimPage<Team>(std::move(teams), query.page.page_size, [](const Team& team) { return IdOf(team.name()); });
  });
}

absl::StatusOr<Team> MySqlPersonnelStore::UpdateTeam(int64_t id, const TeamPatch& patch,
                                                     const MutationContext& context) {
  return db::RunIdempotent<Team>(*pool_, context, [&](Connection& connection) -> absl::StatusOr<Team> {
    db::Statement& lock = connection.Prepare("SELECT id FROM teams WHERE id = ? FOR UPDATE");
    lock.setInt64(1, id);
    if (ResultSetPtr row(lock.executeQuery()); !row->next()) return NotFoundError(FormatName("teams", id));
    LADDER_ASSIGN_OR_RETURN(Team team, ReadTeam(connection, id));
    db::NoteAuditBefore(context, team);
    if (patch.display_name.has_value() && *patch.display_name != team.display_name()) {
      db::Statement& duplicate =
          connection.Prepare("SELECT id FROM teams WHERE county_id = ? AND display_name = ? AND id <> ?");
      duplicate.setInt64(1, IdOf(team.county()));
      duplicate.setString(2, *patch.display_name);
      duplicate.setInt64(3, id);
      if (ResultSetPtr row(duplicate.executeQuery()); row->next()) {
        return ErrorWithReason(absl::StatusCode::kAlreadyExists, reason::kAlreadyExists,
                               "team.display_name: another team of the county has this name",
                               {{"field", "team.display_name"}});
      }
      team.set_display_name(*patch.display_name);
    }
    if (patch.supervisor.has_value() && !patch.supervisor->empty()) {
      absl::StatusOr<Employee> supervisor = ReadEmployee(connection, IdOf(*patch.supervisor), false);
      if (!supervisor.ok() && !absl::IsNotFound(supervisor.status())) return supervisor.status();
      if (!supervisor.ok() || supervisor->role() != Role::ROLE_GROUP_DATA_SUPERVISOR ||
          supervisor->status() == EmploymentStatus::EMPLOYMENT_STATUS_SEPARATED ||
          supervisor->county() != team.county()) {
        return InvalidFieldError("team.supervisor", "must be an active group data supervisor of the team's county");
      }
    }
    if (patch.supervisor.has_value()) team.set_supervisor(*patch.supervisor);
    db::Statement& update = connection.Prepare("UPDATE teams SET display_name = ?, supervisor_id = ? WHERE id = ?");
    update.setString(1, team.display_name());
    update.setInt64(2, IdOf(team.supervisor()));
    update.setInt64(3, id);
    update.executeUpdate();
    return team;
  });
}

absl::StatusOr<Employee> MySqlPersonnelStore::CreateEmployee(const Employee& employee, const MutationContext& context) {
  return db::RunIdempotent<Employee>(*pool_, context, [&](Connection& connection) -> absl::StatusOr<Employee> {
    LADDER_RETURN_IF_ERROR(RequireCounty(connection, employee.county(), "employee.county").status());
    LADDER_RETURN_IF_ERROR(RequireTeamInCounty(connection, employee.team(), employee.county(), "employee.team"));
    LADDER_RETURN_IF_ERROR(RequireUniqueEmployeeNumber(connection, employee.employee_number(), 0));
    const std::string now = ToSqlTimestamp(absl::Now());
    db::Statement& insert = connection.Prepare(
        "INSERT INTO employees (employee_number, display_name, county_id, team_id, role, "
        "entry_channel, status, level, post_grade, level_since, trial_ends_on, hire_date, "
        "create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, NULL, ?, ?, ?, ?)");
    insert.setString(1, employee.employee_number());
    insert.setString(2, employee.display_name());
    insert.setInt64(3, IdOf(employee.county()));
    insert.setInt64(4, IdOf(employee.team()));
    insert.setInt(5, employee.role());
    insert.setInt(6, employee.entry_channel());
    insert.setInt(7, employee.status());
    insert.setInt(8, employee.post_grade());
    rows::BindDate(insert, 9, employee.trial_ends_on());
    rows::BindDate(insert, 10, employee.hire_date());
    insert.setString(11, now);
    insert.setString(12, now);
    try {
      insert.executeUpdate();
    } catch (const sql::SQLException& e) {
      // A concurrent create took the number between the check and the insert.
      if (e.getErrorCode() != db::kErrDuplicateEntry) throw;
      return RequireUniqueEmployeeNumber(connection, employee.employee_number(), 0);
    }
    LADDER_ASSIGN_OR_RETURN(Employee created, ReadEmployee(connection, connection.LastInsertId(), false));
    PublishEmployeeChange(context, v1::Change::KIND_EMPLOYEE_CREATED, created, nullptr, 0);
    return created;
  });
}

absl::StatusOr<Employee> MySqlPersonnelStore::GetEmployee(int64_t id) {
  return db::WithConnection<Employee>(*pool_,
                                      [&](Connection& connection) { return ReadEmployee(connection, id, false); });
}

absl::StatusOr<std::vector<Employee>> MySqlPersonnelStore::BatchGetEmployees(const std::vector<int64_t>& ids) {
  return db::WithConnection<std::vector<Employee>>(
      *pool_, [&](Connection& connection) -> absl::StatusOr<std::vector<Employee>> {
        // One statement per distinct batch size would fill the statement cache; instead read
        // in chunks of a fixed shape, padding with 0 (no employee has id 0).
        constexpr int kChunk = 100;
        const std::string placeholders = absl::StrJoin(std::vector<std::string>(kChunk, "?"), ", ");
        db::Statement& select = connection.Prepare(
            absl::StrCat("SELECT ", rows::kEmployeeColumns, " FROM employees WHERE id IN (", placeholders, ")"));
        std::map<int64_t, Employee> found;
        for (size_t start = 0; start < ids.size(); start += kChunk) {
          for (int i = 0; i < kChunk; ++i) {
            const size_t index = start + i;
            select.setInt64(i + 1, index < ids.size() ? ids[index] : 0);
          }
          ResultSetPtr row(select.executeQuery());
          while (row->next()) {
            LADDER_ASSIGN_OR_RETURN(Employee employee, rows::EmployeeFromRow(*row));
            found.emplace(IdOf(employee.name()), std::move(employee));
          }
        }
        std::vector<Employee> ordered;
        ordered.reserve(ids.size());
        for (int64_t id : ids) {
          auto it = found.find(id);
          if (it == found.end()) return NotFoundError(FormatName("employees", id));
          ordered.push_back(it->second);
        }
        return ordered;
      });
}

absl::StatusOr<Page<Employee>> MySqlPersonnelStore::ListEmployees(const EmployeeQuery& query) {
  return db::WithConnection<Page<Employee>>(*pool_, [&](Connection& connection) -> absl::StatusOr<Page<Employee>> {
    // Only the filters given appear in the statement, so each is served by an index; the
    // handful of shapes are each prepared once per connection.
    std::string where = "id > ?";
    if (query.county_id != 0) absl::StrAppend(&where, " AND county_id = ?");
    if (query.team_id != 0) absl::StrAppend(&where, " AND team_id = ?");
    if (query.role != Role::ROLE_UNSPECIFIED) absl::StrAppend(&where, " AND role = ?");
    if (query.status != EmploymentStatus::EMPLOYMENT_STATUS_UNSPECIFIED) {
      absl::StrAppend(&where, " AND status = ?");
    }
    if (query.level != Level::LEVEL_UNSPECIFIED) absl::StrAppend(&where, " AND level = ?");
    db::Statement& select = connection.Prepare(
        absl::StrCat("SELECT ", rows::kEmployeeColumns, " FROM employees WHERE ", where, " ORDER BY id LIMIT ?"));
    int index = 1;
    select.setInt64(index++, query.page.after_id);
    if (query.county_id != 0) select.setInt64(index++, query.county_id);
    if (query.team_id != 0) select.setInt64(index++, query.team_id);
    if (query.role != Role::ROLE_UNSPECIFIED) select.setInt(index++, query.role);
    if (query.status != EmploymentStatus::EMPLOYMENT_STATUS_UNSPECIFIED) {
      select.setInt(index++, query.status);
    }
    if (query.level != Level::LEVEL_UNSPECIFIED) select.setInt(index++, query.level);
    select.setInt(index, query.page.page_size + 1);
    ResultSetPtr row(select.executeQuery());
    std::vector<Employee> employees;
    while (row->next()) {
      LADDER_ASSIGN_OR_RETURN(Employee employee, rows::EmployeeFromRow(*row));
      employees.push_back(std::move(employee));
    }
    return TrimPage<Employee>(std::move(employees), query.page.page_size,
                              [](const Employee& employee) { return IdOf(employee.name()); });
  });
}

absl::StatusOr<Employee> MySqlPersonnelStore::ApplyTransition(int64_t id, const std::string& expected_etag,
                                                              const policy::Policy& policy, const TransitionRule& rule,
                                                              const MutationContext& context) {
  return db::RunIdempotent<Employee>(*pool_, context, [&](Connection& connection) -> absl::StatusOr<Employee> {
    // An unlocked read tells which counties the change touches; they are locked before the
    // employee row, in the same order as every other transaction of the store.
    LADDER_ASSIGN_OR_RETURN(Employee snapshot, ReadEmployee(connection, id, false));
    LADDER_ASSIGN_OR_RETURN(Transition planned, rule(snapshot));
    const std::set<int64_t> counties = {IdOf(snapshot.county()), IdOf(planned.next.county())};
    LADDER_ASSIGN_OR_RETURN(auto locked, LockCounties(connection, counties));

    LADDER_ASSIGN_OR_RETURN(Employee current, ReadEmployee(connection, id, true));
    db::NoteAuditBefore(context, current);
    if (!expected_etag.empty() && expected_etag != current.etag()) {
      return ErrorWithReason(
          absl::StatusCode::kAborted, reason::kEtagMismatch,
          absl::StrCat("employee.etag: ", current.name(), " changed since it was read; re-read it and retry"),
          {{"field", "employee.etag"}, {"etag", current.etag()}});
    }
    LADDER_ASSIGN_OR_RETURN(Transition transition, rule(current));
    Employee& next = transition.next;
    if (counties != std::set<int64_t>{IdOf(current.county()), IdOf(next.county())}) {
      // Moved to another county between the two reads: run again with the right locks.
      return db::MarkRetryable(absl::AbortedError(absl::StrCat(current.name(), " moved meanwhile")));
    }
    if (next.team() != current.team() || next.county() != current.county()) {
      LADDER_RETURN_IF_ERROR(RequireTeamInCounty(connection, next.team(), next.county(), "team"));
    }
    if (next.employee_number() != current.employee_number()) {
      LADDER_RETURN_IF_ERROR(RequireUniqueEmployeeNumber(connection, next.employee_number(), id));
    }

    // The cap check: each county's numbers after the change, and for every capped level
    // whose holders grow, the cap computed from N after the change.
    std::map<int64_t, CountyCounts> counts_after;
    std::map<int64_t, int64_t> versions;
    for (int64_t county_id : counties) {
      policy::HeadCounts before = locked[county_id].levelled;
      policy::HeadCounts after = before;
      Contribute(current, county_id, -1, after);
      Contribute(next, county_id, +1, after);
      const int levelled_after = Total(after);
      for (const auto& [level, holders] : after) {
        if (holders > before[level]) {
          absl::Status within =
              policy::CheckCapAfterIncrease(policy, level, holders, levelled_after, FormatName("orgUnits", county_id),
                                            locked[county_id].display_name);
          if (!within.ok()) {
            NoteCapRefusal(FormatName("orgUnits", county_id), locked[county_id].display_name,
                           common::v1::Level_Name(level));
            return within;
          }
        }
      }
      if (QuotaSlot(current, county_id) != QuotaSlot(next, county_id)) {
        versions[county_id] = AdvanceHeadCounts(connection, county_id, locked[county_id], after);
      }
      CountyCounts& counts = counts_after[county_id];
      counts.set_levelled_customer_managers(levelled_after);
      counts.set_seniors(after[Level::LEVEL_SENIOR]);
      counts.set_senior_cap(policy::SeniorCap(policy, levelled_after));
    }

    const absl::Time now = absl::Now();
    WriteEmployee(connection, id, next, now);
    if (transition.change.has_value()) {
      LevelChange& change = *transition.change;
      *change.mutable_from_county_counts() = counts_after[IdOf(current.county())];
      *change.mutable_to_county_counts() = counts_after[IdOf(next.county())];
      const int64_t change_id = InsertLevelChange(connection, change, context.actor, now,
                                                  versions[IdOf(current.county())], versions[IdOf(next.county())]);
      // As ListLevelChanges will read it back.
      change.set_name(absl::StrCat(current.name(), "/levelChanges/", change_id));
      change.set_actor(context.actor);
      LADDER_ASSIGN_OR_RETURN(absl::Time stored_time, FromSqlTimestamp(ToSqlTimestamp(now)));
      *change.mutable_commit_time() = ToProtoTimestamp(stored_time);
    }
    // What was written, read back in its stored form (new etag, stored timestamps).
    LADDER_ASSIGN_OR_RETURN(Employee written, ReadEmployee(connection, id, false));
    PublishEmployeeChange(context, transition.kind, written,
                          transition.change.has_value() ? &*transition.change : nullptr, IdOf(current.county()));
    return written;
  });
}

absl::StatusOr<Page<LevelChange>> MySqlPersonnelStore::ListLevelChanges(const LevelChangeQuery& query) {
  return db::WithConnection<Page<LevelChange>>(
      *pool_, [&](Connection& connection) -> absl::StatusOr<Page<LevelChange>> {
        std::string where = "id > ?";
        if (query.employee_id != 0) absl::StrAppend(&where, " AND employee_id = ?");
        if (query.county_id != 0) absl::StrAppend(&where, " AND (to_county_id = ? OR from_county_id = ?)");
        db::Statement& select = connection.Prepare(absl::StrCat(
            "SELECT ", rows::kLevelChangeColumns, " FROM level_changes WHERE ", where, " ORDER BY id LIMIT ?"));
        int index = 1;
        select.setInt64(index++, query.page.after_id);
        if (query.employee_id != 0) select.setInt64(index++, query.employee_id);
        if (query.county_id != 0) {
          select.setInt64(index++, query.county_id);
          select.setInt64(index++, query.county_id);
        }
        select.setInt(index, query.page.page_size + 1);
        ResultSetPtr row(select.executeQuery());
        std::vector<LevelChange> changes;
        while (row->next()) {
          LADDER_ASSIGN_OR_RETURN(LevelChange change, rows::LevelChangeFromRow(*row));
          changes.push_back(std::move(change));
        }
        return TrimPage<LevelChange>(std::move(changes), query.page.page_size,
                                     [](const LevelChange& change) { return IdOf(change.name()); });
      });
}

absl::StatusOr<PersonnelStore::CountyWithCounts> MySqlPersonnelStore::GetCountyHeadCounts(int64_t county_id) {
  return db::WithConnection<CountyWithCounts>(*pool_, [&](Connection& connection) -> absl::StatusOr<CountyWithCounts> {
    CountyWithCounts result;
    LADDER_ASSIGN_OR_RETURN(result.county, ReadOrgUnit(connection, county_id));
    if (result.county.kind() != OrgUnit::KIND_COUNTY) {
      return RuleViolationError(reason::kWrongOrgUnitKind, result.county.name(),
                                absl::StrCat(result.county.name(), " is not a county; quotas are kept per county"));
    }
    db::Statement& count = connection.Prepare(
        "SELECT status, level, COUNT(*) FROM employees WHERE county_id = ? AND role = ? "
        "AND status IN (?, ?, ?) GROUP BY status, level");
    count.setInt64(1, county_id);
    count.setInt(2, kCustomerManager);
    count.setInt(3, EmploymentStatus::EMPLOYMENT_STATUS_ON_TRIAL);
    count.setInt(4, EmploymentStatus::EMPLOYMENT_STATUS_AWAITING_LEVEL);
    count.setInt(5, kActive);
    ResultSetPtr row(count.executeQuery());
    while (row->next()) AddCount(result.counts, row->getInt(1), row->getInt(2), row->getInt(3));
    return result;
  });
}

absl::StatusOr<Page<PersonnelStore::CountyWithCounts>> MySqlPersonnelStore::ListCountyHeadCounts(
    int64_t city_id, const api::PageRequest& page) {
  return db::WithConnection<Page<CountyWithCounts>>(
      *pool_, [&](Connection& connection) -> absl::StatusOr<Page<CountyWithCounts>> {
        db::Statement& select = connection.Prepare(
            absl::StrCat("SELECT ", rows::kOrgUnitColumns,
                         " FROM org_units WHERE parent_id = ? AND kind = ? AND id > ? ORDER BY id LIMIT ?"));
        select.setInt64(1, city_id);
        select.setInt(2, OrgUnit::KIND_COUNTY);
        select.setInt64(3, page.after_id);
        select.setInt(4, page.page_size + 1);
        std::vector<CountyWithCounts> counties;
        {
          ResultSetPtr row(select.executeQuery());
          while (row->next()) {
            LADDER_ASSIGN_OR_RETURN(OrgUnit county, rows::OrgUnitFromRow(*row));
            counties.push_back(CountyWithCounts{std::move(county), {}});
          }
        }
        Page<CountyWithCounts> result =
            api::TrimPage<CountyWithCounts>(std::move(counties), page.page_size,
                                            [](const CountyWithCounts& entry) { return IdOf(entry.county.name()); });
        if (result.items.empty()) return result;
        // One grouped count over the page's range of county ids (an index range scan); counties
        // of other branches in that range are ignored.
        std::map<int64_t, CountyHeadCounts*> by_id;
        for (CountyWithCounts& entry : result.items) by_id[IdOf(entry.county.name())] = &entry.counts;
        db::Statement& count = connection.Prepare(
            "SELECT county_id, status, level, COUNT(*) FROM employees WHERE county_id BETWEEN ? AND ? "
            "AND role = ? AND status IN (?, ?, ?) GROUP BY county_id, status, level");
        count.setInt64(1, by_id.begin()->first);
        count.setInt64(2, by_id.rbegin()->first);
        count.setInt(3, kCustomerManager);
        count.setInt(4, EmploymentStatus::EMPLOYMENT_STATUS_ON_TRIAL);
        count.setInt(5, EmploymentStatus::EMPLOYMENT_STATUS_AWAITING_LEVEL);
        count.setInt(6, kActive);
        ResultSetPtr row(count.executeQuery());
        while (row->next()) {
          auto it = by_id.find(row->getInt64(1));
          if (it != by_id.end()) AddCount(*it->second, row->getInt(2), row->getInt(3), row->getInt(4));
        }
        return result;
      });
}

absl::Status MySqlPersonnelStore::Ping() { return pool_->Ping(); }

absl::StatusOr<std::vector<CountyLevelCounts>> MySqlPersonnelStore::CountyLevelCountsNow() {
  return db::WithConnection<std::vector<CountyLevelCounts>>(
      *pool_, [&](Connection& connection) -> absl::StatusOr<std::vector<CountyLevelCounts>> {
        // The counts the county rows keep: one row per county, no count of employees.
        db::Statement& select = connection.Prepare(
            "SELECT id, display_name, juniors, intermediates, seniors FROM org_units WHERE kind = ? ORDER BY id");
        select.setInt(1, v1::OrgUnit::KIND_COUNTY);
        std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
        std::vector<CountyLevelCounts> counties;
        while (rows->next()) {
          CountyLevelCounts& county = counties.emplace_back();
          county.county = FormatName("orgUnits", rows->getInt64(1));
          county.county_name = rows->getString(2);
          county.juniors = rows->getInt(3);
          county.intermediates = rows->getInt(4);
          county.seniors = rows->getInt(5);
        }
        return counties;
      });
}

}  // namespace ladder::personnel
