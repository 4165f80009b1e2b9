#include "bench/dataset.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/db/connection_pool.h"
#include "common/db/sql_error.h"
#include "common/status/macros.h"
#include "cppconn/exception.h"

namespace ladder::bench {
namespace {

constexpr int kRowsPerInsert = 2000;

// Employee enums, as the schema stores them (ladder.personnel.v1 / ladder.common.v1).
constexpr int kCityBranch = 1, kCounty = 2;
constexpr int kCustomerManager = 1, kInternalRecruitment = 1, kActive = 3;
constexpr int kJunior = 1, kIntermediate = 2, kSenior = 3;

// Runs the statements on one session of its own.
absl::Status ExecuteAll(const db::DatabaseOptions& options, const std::vector<std::string>& sql) {
  LADDER_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> connection, db::Connection::Open(options));
  try {
    for (const std::string& statement : sql) connection->Execute(statement);
  } catch (const sql::SQLException& e) {
    return db::FromSqlException(e, "loading the benchmark data");
  }
  return absl::OkStatus();
}

// INSERT … VALUES in statements of kRowsPerInsert rows.
void AppendInserts(const std::string& head, const std::vector<std::string>& rows, std::vector<std::string>& sql) {
  for (size_t begin = 0; begin < rows.size(); begin += kRowsPerInsert) {
    const size_t end = std::min(rows.size(), begin + kRowsPerInsert);
    sql.push_back(absl::StrCat(head, absl::StrJoin(rows.begin() + begin, rows.begin() + end, ", ")));
  }
}

// The level of the k-th manager of a county: juniors 30%, then intermediates, then seniors
// (10% in the promotion county, 18% elsewhere: within the 20% cap, a few slots free).
int LevelOf(int k, int per_county, bool promotion_county) {
  const int juniors = per_county * 30 / 100;
  const int seniors = per_county * (promotion_county ? 10 : 18) / 100;
  if (k < juniors) return kJunior;
  if (k < per_county - seniors) return kIntermediate;
  return kSenior;
}

}  // namespace

absl::StatusOr<Branch> LoadBranch(const db::DatabaseOptions& personnel, const BranchShape& shape) {
  Branch branch;
  branch.shape = shape;
  branch.city_id = 1;
  std::vector<std::string> sql;
  sql.push_back(
      absl::StrCat("INSERT INTO org_units (id, display_name, kind, parent_id, create_time) VALUES (1, "
                   "'基准省分公司', ",
                   kCityBranch, ", 0, UTC_TIMESTAMP(6))"));
  std::vector<std::string> rows;
  for (int c = 0; c < shape.counties; ++c) {
    const int64_t id = c + 2;
    branch.county_ids.push_back(id);
    // The county row keeps its levelled managers per level, as the service maintains them.
    int held[4] = {0, 0, 0, 0};
    for (int k = 0; k < shape.managers_per_county; ++k) ++held[LevelOf(k, shape.managers_per_county, c == 0)];
    rows.push_back(absl::StrCat("(", id, ", '县区", c + 1, "', ", kCounty, ", 1, UTC_TIMESTAMP(6), ", held[kJunior],
                                ", ", held[kIntermediate], ", ", held[kSenior], ")"));
  }
  AppendInserts(
      "INSERT INTO org_units (id, display_name, kind, parent_id, create_time, juniors, intermediates, "
      "seniors) VALUES ",
      rows, sql);
  rows.clear();
  // Team t of county c has id c * teams_per_county + t + 1.
  for (int c = 0; c < shape.counties; ++c) {
    for (int t = 0; t < shape.teams_per_county; ++t) {
      rows.push_back(absl::StrCat("(", c * shape.teams_per_county + t + 1, ", ", branch.county_ids[c], ", '班组", t + 1,
                                  "', 0, UTC_TIMESTAMP(6))"));
    }
  }
  AppendInserts("INSERT INTO teams (id, county_id, display_name, supervisor_id, create_time) VALUES ", rows, sql);
  rows.clear();

  branch.employees = int64_t{shape.counties} * shape.managers_per_county;
  branch.promotion_county = branch.county_ids[0];
  branch.warmup_county = branch.county_ids[shape.counties > 1 ? 1 : 0];
  for (int64_t i = 0; i < branch.employees; ++i) {
    const int64_t id = i + 1;
    const int c = static_cast<int>(i % shape.counties);
    const int k = static_cast<int>(i / shape.counties);
    const int level = LevelOf(k, shape.managers_per_county, c == 0);
    if (c == 0 && level == kIntermediate) branch.promotion_candidates.push_back(id);
    if (branch.county_ids[c] == branch.warmup_county && c != 0 && level == kJunior) {
      branch.warmup_candidates.push_back(id);
    }
    const int64_t team = int64_t{c} * shape.teams_per_county + k % shape.teams_per_county + 1;
    const int hire_year = 2012 + static_cast<int>(id % 12);
    rows.push_back(absl::StrCat("(", id, ", 'P", absl::StrCat(10000000 + id).substr(1), "', '客户经理", id, "', ",
                                branch.county_ids[c], ", ", team, ", ", kCustomerManager, ", ", kInternalRecruitment,
                                ", ", kActive, ", ", level, ", ", 5 + level, ", '2024-07-01', '", hire_year,
                                "-04-30', '", hire_year, "-03-01', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))"));
  }
  const int seniors = shape.managers_per_county - shape.managers_per_county * 30 / 100 -
                      static_cast<int>(branch.promotion_candidates.size());
  branch.promotion_free_slots = shape.managers_per_county * 20 / 100 - seniors;
  AppendInserts(
      "INSERT INTO employees (id, employee_number, display_name, county_id, team_id, role, "
      "entry_channel, status, level, post_grade, level_since, trial_ends_on, hire_date, "
      "create_time, update_time) VALUES ",
      rows, sql);
  LADDER_RETURN_IF_ERROR(ExecuteAll(personnel, sql));
  return branch;
}

absl::StatusOr<int64_t> LoadCycle(const db::DatabaseOptions& evaluation, int64_t scorecard_id, const Branch& branch) {
  LADDER_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> connection, db::Connection::Open(evaluation));
  int64_t cycle_id = 0;
  try {
    connection->Execute(absl::StrCat("UPDATE scorecards SET in_use = 1 WHERE id = ", scorecard_id));
    connection->Execute(
        absl::StrCat("INSERT INTO cycles (display_name, period, start_date, end_date, scorecard_id, scope_id, "
                     "state, participant_count, create_time) VALUES ('2026年第三季度', 2, '2026-07-01', "
                     "'2026-09-30', ",
                     scorecard_id, ", ", branch.city_id, ", 1, ", branch.employees, ", UTC_TIMESTAMP(6))"));
    cycle_id = connection->LastInsertId();
  } catch (const sql::SQLException& e) {
    return db::FromSqlException(e, "creating the benchmark cycle");
  }
  const BranchShape& shape = branch.shape;
  std::vector<std::string> rows;
  for (int64_t i = 0; i < branch.employees; ++i) {
    const int c = static_cast<int>(i % shape.counties);
    const int k = static_cast<int>(i / shape.counties);
    const int64_t team = int64_t{c} * shape.teams_per_county + k % shape.teams_per_county + 1;
    rows.push_back(absl::StrCat("(", cycle_id, ", ", i + 1, ", ", branch.county_ids[c], ", ", team, ", ",
                                LevelOf(k, shape.managers_per_county, c == 0), ", 1, UTC_TIMESTAMP(6))"));
  }
  std::vector<std::string> sql;
  AppendInserts(
      "INSERT INTO evaluations (cycle_id, employee_id, county_id, team_id, level, state, "
      "update_time) VALUES ",
      rows, sql);
  LADDER_RETURN_IF_ERROR(ExecuteAll(evaluation, sql));
  return cycle_id;
}

absl::Status ScoreAndFinalise(const db::DatabaseOptions& evaluation, int64_t older, int64_t newer, int64_t employees) {
  std::vector<std::string> sql = {
      absl::StrCat("UPDATE cycles SET display_name = '2026年第二季度', start_date = '2026-04-01', "
                   "end_date = '2026-06-30' WHERE id = ",
                   older)};
  // In slices: one statement over a million rows would outlast the session's statement bound.
  constexpr int64_t kSlice = 50000;
  for (int64_t cycle : {older, newer}) {
    const int lower = cycle == older ? 30 : 0;
    for (int64_t first = 1; first <= employees; first += kSlice) {
      sql.push_back(absl::StrCat("UPDATE evaluations SET composite_milli = 40000 + (employee_id * 7919) % 60001 - ",
                                 lower * 100, " WHERE cycle_id = ", cycle, " AND employee_id BETWEEN ", first, " AND ",
                                 first + kSlice - 1));
    }
  }
  sql.push_back(absl::StrCat("UPDATE cycles SET state = 3 WHERE id IN (", older, ", ", newer, ")"));
  sql.push_back("ANALYZE TABLE evaluations, cycles");
  return ExecuteAll(evaluation, sql);
}

}  // namespace ladder::bench
