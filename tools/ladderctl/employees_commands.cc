// employees import|list|get.

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "common/status/errors.h"
#include "common/time/dates.h"
#include "google/protobuf/util/json_util.h"
#include "tools/ladderctl/cli.h"
#include "tools/ladderctl/csv_reader.h"
#include "tools/ladderctl/display_width.h"
#include "tools/ladderctl/import_report.h"
#include "tools/ladderctl/names.h"
#include "tools/ladderctl/progress.h"
#include "tools/ladderctl/request_ids.h"
#include "tools/ladderctl/resolve.h"
#include "tools/ladderctl/table_printer.h"

namespace ladder::ladderctl {
namespace {

using google::type::Date;

absl::CivilDay Day(const Date& date) { return absl::CivilDay(date.year(), date.month(), date.day()); }

// Column positions in the file; -1 when absent.
struct EmployeeColumns {
  int number = -1, name = -1, county = -1, team = -1, role = -1, channel = -1, hire = -1, post_grade = -1, level = -1,
      level_since = -1, junior_since = -1, intermediate_since = -1, separation_date = -1, separation_reason = -1;
};

struct EmployeeRow {
  int64_t row = 0;
  std::string number;
  std::string display_name;
  std::string county_name;  // as written
  std::string county;       // orgUnits/N
  std::string team_name;
  std::string team;  // teams/N or empty
  Role role = Role::ROLE_UNSPECIFIED;
  EntryChannel channel = EntryChannel::ENTRY_CHANNEL_UNSPECIFIED;
  Date hire_date;
  int post_grade = 0;
  Level level = Level::LEVEL_UNSPECIFIED;
  // The day each level step takes effect, junior first, up to `level`.
  std::map<Level, Date> step_dates;
  bool separates = false;
  Date separation_date;
  SeparationReason separation_reason = SeparationReason::SEPARATION_REASON_UNSPECIFIED;
};

struct Lookups {
  // County display name → its org units (more than one: ambiguous).
  std::map<std::string, std::vector<pv1::OrgUnit>> counties;
  std::string known_counties;
  // (county resource, team display name) → team.
  std::map<std::pair<std::string, std::string>, pv1::Team> teams;
  // Employee number → employee, as the service holds them.
  std::map<std::string, pv1::Employee> employees;
};

const char* kEmployeeColumnsHelp =
    "Columns (header names in Chinese or English; order free; other columns are ignored):\n"
    "  工号 / employee_number      required: 1-32 letters, digits, '-' or '_'; unique\n"
    "  姓名 / display_name         required\n"
    "  区县 / county               required: the county's name, e.g. 柯城区\n"
    "  团队 / team                 the team's name in that county (teams import creates them)\n"
    "  岗位 / role                 required: 客户经理, 客户服务员, 集团数据督导, 分局长 or 其他\n"
    "  入职渠道 / entry_channel    for 客户经理: 内部招聘, 转岗 or 外部招聘\n"
    "  入职日期 / hire_date        required: YYYY-MM-DD (or YYYY/M/D)\n"
    "  岗级 / post_grade           for 集团数据督导, 分局长, 其他: 1-30\n"
    "  级别 / level                for existing staff: 初级, 中级 or 高级\n"
    "  定级日期 / level_since      with 级别: the day the level took effect\n"
    "  初级日期 / junior_since     optional: the day of the first level, for the history\n"
    "  中级日期 / intermediate_since  optional: the day 中级 took effect\n"
    "  离职日期 / separation_date  for people who have left: the last day\n"
    "  离职原因 / separation_reason  with 离职日期: 辞职, 退休, 辞退, 淘汰, 试岗不合格 or 其他\n"
    "\n"
    "Each new employee is created; a level is then reached step by step (初级, then 中级, then\n"
    "高级), each step on its day, so the history reads as it happened; a step without a day\n"
    "takes the next step's. Senior promotions and departures come last, in the order of\n"
    "their dates, once every row's lower levels are in; each senior promotion needs a free\n"
    "slot under its county's cap (floor(20% x N)): a row beyond it is refused\n"
    "(SENIOR_CAP_REACHED) and the rest go on. A departure after the cap was filled may leave\n"
    "a county over its cap, as it would in life. A team without a supervisor gets its\n"
    "集团数据督导 from the file.\n"
    "\n"
    "Safe to run again: employees that exist (same 工号) are not created twice, levels\n"
    "already reached are not changed, and every change carries a request id derived from\n"
    "the row, so an interrupted import finishes on the next run without duplicates. The\n"
    "import never demotes, moves or renames anyone; such differences are shown as notes.";

std::string LevelWord(Level level) { return LevelText(level); }

class EmployeeImport {
 public:
  EmployeeImport(Context& context, const Args& args)
      : context_(context),
        path_(args.positional[0]),
        dry_run_(args.Flag("dry-run")),
        errors_path_(args.Get("errors")) {}

  int Run();

 private:
  bool ReadColumns(const std::vector<std::string>& header);
  std::optional<EmployeeRow> ParseRow(const CsvRecord& record);
  bool Cell(const CsvRecord& record, int column, std::string* value) const;
  void Bad(const CsvRecord& record, int column, const std::string& message);
  std::optional<Date> DateCell(const CsvRecord& record, int column, bool required);

  absl::Status LoadLookups();
  void PredictSeniorCap(const std::vector<EmployeeRow>& rows,
                        const std::vector<std::pair<const EmployeeRow*, bool>>& later);
  // Creates the employee or finds it; false when the row cannot go on.
  bool EnsureEmployee(const EmployeeRow& row, pv1::Employee* employee);
  bool RaiseLevel(const EmployeeRow& row, pv1::Employee* employee, Level level);
  bool Separate(const EmployeeRow& row, pv1::Employee* employee);
  void SetSupervisors(const std::vector<EmployeeRow>& rows);
  // False (and the import stopped) when the service was unavailable.
  bool Check(const absl::Status& status, const EmployeeRow& row, int column);

  Context& context_;
  std::string path_;
  bool dry_run_;
  std::string errors_path_;
  EmployeeColumns col_;
  std::unique_ptr<CsvColumns> columns_;
  Lookups lookups_;
  ImportReport report_;
  Date today_;
  // What this run did.
  int created_ = 0, existing_ = 0, initial_ = 0, to_intermediate_ = 0, to_senior_ = 0, separated_ = 0, supervisors_ = 0;
};

bool EmployeeImport::Cell(const CsvRecord& record, int column, std::string* value) const {
  if (column < 0) {
    value->clear();
    return false;
  }
  *value = record.fields[column];
  return !value->empty();
}

void EmployeeImport::Bad(const CsvRecord& record, int column, const std::string& message) {
  report_.Problem(record.row, column + 1, columns_->NameOf(column), message);
}

std::optional<Date> EmployeeImport::DateCell(const CsvRecord& record, int column, bool required) {
  std::string text;
  if (!Cell(record, column, &text)) {
    if (required) Bad(record, column, "is empty; give a date as YYYY-MM-DD");
    return std::nullopt;
  }
  std::optional<Date> date = ParseDate(text);
  if (!date.has_value()) {
    Bad(record, column, absl::StrCat("'", text, "' is not a date; write it as YYYY-MM-DD, e.g. 2024-03-18"));
    return std::nullopt;
  }
  if (Day(*date) > Day(today_)) {
    Bad(record, column, absl::StrCat(text, " is in the future (today is ", DateText(today_), ")"));
    return std::nullopt;
  }
  return date;
}

bool EmployeeImport::ReadColumns(const std::vector<std::string>& header) {
  columns_ = std::make_unique<CsvColumns>(header);
  CsvColumns& c = *columns_;
  col_.number = c.Find({"工号", "employee_number", "number"});
  col_.name = c.Find({"姓名", "display_name", "name"});
  col_.county = c.Find({"区县", "county"});
  col_.team = c.Find({"团队", "team"});
  col_.role = c.Find({"岗位", "role"});
  col_.channel = c.Find({"入职渠道", "entry_channel"});
  col_.hire = c.Find({"入职日期", "hire_date"});
  col_.post_grade = c.Find({"岗级", "post_grade"});
  col_.level = c.Find({"级别", "level"});
  col_.level_since = c.Find({"定级日期", "level_since"});
  col_.junior_since = c.Find({"初级日期", "junior_since"});
  col_.intermediate_since = c.Find({"中级日期", "intermediate_since"});
  col_.separation_date = c.Find({"离职日期", "separation_date"});
  col_.separation_reason = c.Find({"离职原因", "separation_reason"});
  std::vector<std::string> missing;
  if (col_.number < 0) missing.push_back("工号 (employee_number)");
  if (col_.name < 0) missing.push_back("姓名 (display_name)");
  if (col_.county < 0) missing.push_back("区县 (county)");
  if (col_.role < 0) missing.push_back("岗位 (role)");
  if (col_.hire < 0) missing.push_back("入职日期 (hire_date)");
  if (col_.level >= 0 && col_.level_since < 0) missing.push_back("定级日期 (level_since), with 级别");
  if (col_.separation_date >= 0 && col_.separation_reason < 0) {
    missing.push_back("离职原因 (separation_reason), with 离职日期");
  }
  if (!missing.empty()) {
    context_.Error(absl::StrCat(path_, ": row 1: missing column", missing.size() > 1 ? "s " : " ",
                                absl::StrJoin(missing, ", "),
                                "; see 'ladderctl employees import --help' for the columns"));
    return false;
  }
  const std::set<int> used = {col_.number,
                              col_.name,
                              col_.county,
                              col_.team,
                              col_.role,
                              col_.channel,
                              col_.hire,
                              col_.post_grade,
                              col_.level,
                              col_.level_since,
                              col_.junior_since,
                              col_.intermediate_since,
                              col_.separation_date,
                              col_.separation_reason};
  for (size_t i = 0; i < header.size(); ++i) {
    if (used.count(static_cast<int>(i)) == 0) {
      context_.Note(absl::StrCat("note: column ", i + 1, " (", header[i], ") is not used"));
    }
  }
  return true;
}

std::optional<EmployeeRow> EmployeeImport::ParseRow(const CsvRecord& record) {
  const size_t problems_before = report_.problems().size();
  for (const CsvProblem& problem : record.problems) report_.Problem(problem);
  if (!record.problems.empty()) return std::nullopt;
  EmployeeRow row;
  row.row = record.row;
  std::string text;

  if (!Cell(record, col_.number, &row.number)) {
    Bad(record, col_.number, "is empty");
  } else if (row.number.size() > 32 || !std::all_of(row.number.begin(), row.number.end(), [](char c) {
               return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
             })) {
    Bad(record, col_.number,
        absl::StrCat("'", row.number, "' is not an employee number: 1-32 letters, digits, '-' or '_'"));
  }
  if (!Cell(record, col_.name, &row.display_name)) {
    Bad(record, col_.name, "is empty");
  } else if (DisplayWidth(row.display_name) > 200 || row.display_name.size() > 400) {
    Bad(record, col_.name, "is longer than 100 characters");
  }
  if (!Cell(record, col_.county, &row.county_name)) {
    Bad(record, col_.county, "is empty");
  } else {
    const auto county = lookups_.counties.find(row.county_name);
    if (county == lookups_.counties.end()) {
      Bad(record, col_.county,
          absl::StrCat("unknown county '", row.county_name, "'",
                       lookups_.known_counties.empty()
                           ? "; there are no counties yet: run 'ladderctl orgunits import' first"
                           : absl::StrCat("; known: ", lookups_.known_counties)));
    } else if (county->second.size() > 1) {
      Bad(record, col_.county, absl::StrCat("'", row.county_name, "' names counties of several city branches"));
    } else {
      row.county = county->second[0].name();
    }
  }
  if (Cell(record, col_.team, &row.team_name) && !row.county.empty()) {
    const auto team = lookups_.teams.find({row.county, row.team_name});
    if (team == lookups_.teams.end()) {
      Bad(record, col_.team,
          absl::StrCat("'", row.team_name, "' is not a team of ", row.county_name,
                       "; create it with 'ladderctl teams import'"));
    } else {
      row.team = team->second.name();
    }
  }
  if (!Cell(record, col_.role, &text)) {
    Bad(record, col_.role, absl::StrCat("is empty; give one of ", RoleChoices()));
  } else if (std::optional<Role> role = ParseRole(text); !role.has_value()) {
    Bad(record, col_.role, absl::StrCat("'", text, "' is not a role; give one of ", RoleChoices()));
  } else {
    row.role = *role;
  }
  const bool manager = row.role == Role::ROLE_CUSTOMER_MANAGER;
  if (Cell(record, col_.channel, &text)) {
    std::optional<EntryChannel> channel = ParseEntryChannel(text);
    if (!channel.has_value()) {
      Bad(record, col_.channel,
          absl::StrCat("'", text, "' is not an entry channel; give one of ", EntryChannelChoices()));
    } else if (manager) {
      row.channel = *channel;
    }
  } else if (manager) {
    Bad(record, col_.channel >= 0 ? col_.channel : col_.role,
        absl::StrCat("a 客户经理 needs an entry channel (入职渠道): ", EntryChannelChoices()));
  }
  if (std::optional<Date> hire = DateCell(record, col_.hire, true)) row.hire_date = *hire;
  if (Cell(record, col_.post_grade, &text)) {
    int grade = 0;
    if (!absl::SimpleAtoi(text, &grade) || grade < 0 || grade > 30) {
      Bad(record, col_.post_grade, absl::StrCat("'", text, "' is not a post grade 0-30"));
    } else if (manager || row.role == Role::ROLE_CUSTOMER_SERVICE_STAFF) {
      if (grade != 0) {
        report_.Note(record.row, "岗级 is set by the policy for this role; the file's value is not used");
      }
    } else {
      row.post_grade = grade;
    }
  }

  if (Cell(record, col_.level, &text)) {
    std::optional<Level> level = ParseLevel(text);
    if (!level.has_value()) {
      Bad(record, col_.level, absl::StrCat("'", text, "' is not a level; give one of ", LevelChoices()));
    } else if (!manager && row.role != Role::ROLE_UNSPECIFIED) {
      Bad(record, col_.level, "only a 客户经理 holds a level");
    } else {
      row.level = *level;
      std::optional<Date> since = DateCell(record, col_.level_since, true);
      std::optional<Date> junior =
          row.level > Level::LEVEL_JUNIOR ? DateCell(record, col_.junior_since, false) : std::nullopt;
      std::optional<Date> intermediate =
          row.level > Level::LEVEL_INTERMEDIATE ? DateCell(record, col_.intermediate_since, false) : std::nullopt;
      if (since.has_value()) {
        // Each step's day and the column it comes from; a step without a day of its own
        // takes the next step's.
        std::map<Level, std::pair<Date, int>> steps;
        steps[row.level] = {*since, col_.level_since};
        if (row.level == Level::LEVEL_SENIOR) {
          steps[Level::LEVEL_INTERMEDIATE] =
              intermediate.has_value() ? std::pair{*intermediate, col_.intermediate_since} : steps[Level::LEVEL_SENIOR];
        }
        if (row.level >= Level::LEVEL_INTERMEDIATE) {
          steps[Level::LEVEL_JUNIOR] =
              junior.has_value() ? std::pair{*junior, col_.junior_since} : steps[Level::LEVEL_INTERMEDIATE];
        }
        // The history must read forward: no step before the hire date or the step before.
        std::pair<Date, int> previous = {row.hire_date, col_.hire};
        for (const auto& [level_reached, step] : steps) {
          row.step_dates[level_reached] = step.first;
          if (previous.first.year() != 0 && step.second != previous.second && Day(step.first) < Day(previous.first)) {
            Bad(record, step.second,
                absl::StrCat(DateText(step.first), " is before ", columns_->NameOf(previous.second), " ",
                             DateText(previous.first)));
            break;
          }
          previous = step;
        }
      }
    }
  } else if (Cell(record, col_.level_since, &text)) {
    Bad(record, col_.level_since, "is given without a level (级别)");
  }

  if (Cell(record, col_.separation_date, &text)) {
    if (std::optional<Date> day = DateCell(record, col_.separation_date, true)) {
      row.separates = true;
      row.separation_date = *day;
      Date last = row.hire_date;
      if (!row.step_dates.empty()) last = row.step_dates.rbegin()->second;
      if (last.year() != 0 && Day(*day) < Day(last)) {
        Bad(record, col_.separation_date,
            absl::StrCat(DateText(*day), " is before ", DateText(last), ", the last date of the row"));
      }
    }
    std::string reason_text;
    if (!Cell(record, col_.separation_reason, &reason_text)) {
      Bad(record, col_.separation_reason, absl::StrCat("is empty; give one of ", SeparationReasonChoices()));
    } else if (std::optional<SeparationReason> reason = ParseSeparationReason(reason_text)) {
      row.separation_reason = *reason;
    } else {
      Bad(record, col_.separation_reason,
          absl::StrCat("'", reason_text, "' is not a reason; give one of ", SeparationReasonChoices()));
    }
  } else if (Cell(record, col_.separation_reason, &text)) {
    Bad(record, col_.separation_reason, "is given without a separation date (离职日期)");
  }
  if (report_.problems().size() != problems_before) return std::nullopt;
  return row;
}

absl::Status EmployeeImport::LoadLookups() {
  absl::StatusOr<std::vector<pv1::OrgUnit>> units = ListAllOrgUnits(context_.services());
  if (!units.ok()) return units.status();
  for (const pv1::OrgUnit& unit : *units) {
    if (unit.kind() != pv1::OrgUnit::KIND_COUNTY) continue;
    lookups_.counties[unit.display_name()].push_back(unit);
    absl::StrAppend(&lookups_.known_counties, lookups_.known_counties.empty() ? "" : ", ", unit.display_name());
  }
  absl::StatusOr<std::vector<pv1::Team>> teams = ListAllTeams(context_.services());
  if (!teams.ok()) return teams.status();
  for (const pv1::Team& team : *teams) lookups_.teams[{team.county(), team.display_name()}] = team;
  absl::StatusOr<std::vector<pv1::Employee>> employees = ListAllEmployees(context_.services());
  if (!employees.ok()) return employees.status();
  for (const pv1::Employee& employee : *employees) {
    lookups_.employees[employee.employee_number()] = employee;
  }
  return absl::OkStatus();
}

bool EmployeeImport::Check(const absl::Status& status, const EmployeeRow& row, int column) {
  if (status.ok()) return true;
  if (ExitCodeFor(status) == kExitUnavailable) {
    report_.Stop(status);
  } else {
    report_.Failed(row.row, column + 1, columns_->NameOf(column), status);
  }
  return false;
}

bool EmployeeImport::EnsureEmployee(const EmployeeRow& row, pv1::Employee* employee) {
  const auto found = lookups_.employees.find(row.number);
  if (found != lookups_.employees.end()) {
    *employee = found->second;
    ++existing_;
    if (employee->county() != row.county) {
      report_.Problem(row.row, col_.county + 1, columns_->NameOf(col_.county),
                      absl::StrCat(row.number, " exists (", employee->name(), ", ", employee->display_name(),
                                   ") in another county; the import does "
                                   "not move people"));
      return false;
    }
    if (employee->display_name() != row.display_name) {
      report_.Note(row.row, absl::StrCat(row.number, " exists as ", employee->display_name(), " (", employee->name(),
                                         "); the name is left as it is"));
    }
    return true;
  }
  pv1::CreateEmployeeRequest request;
  pv1::Employee& wanted = *request.mutable_employee();
  wanted.set_employee_number(row.number);
  wanted.set_display_name(row.display_name);
  wanted.set_county(row.county);
  wanted.set_team(row.team);
  wanted.set_role(row.role);
  wanted.set_entry_channel(row.channel);
  *wanted.mutable_hire_date() = row.hire_date;
  wanted.set_post_grade(row.post_grade);
  if (dry_run_) {
    *employee = wanted;
    ++created_;
    return true;
  }
  request.set_request_id(RequestId("emp", row.number, request.SerializeAsString()));
  absl::Status status =
      context_.services().Call(context_.services().personnel(), &pv1::PersonnelService::Stub::CreateEmployee,
                               "PersonnelService.CreateEmployee", request, employee);
  if (absl::IsAlreadyExists(status)) {
    // Created meanwhile by someone else: carry on with that record.
    absl::StatusOr<pv1::Employee> holder = ResolveEmployee(context_.services(), row.number);
    if (holder.ok() && holder->county() == row.county) {
      *employee = *holder;
      ++existing_;
      return true;
    }
  }
  if (!Check(status, row, col_.number)) return false;
  ++created_;
  lookups_.employees[row.number] = *employee;
  return true;
}

bool EmployeeImport::RaiseLevel(const EmployeeRow& row, pv1::Employee* employee, Level level) {
  if (employee->level() >= level) return true;
  const Date day = row.step_dates.at(level);
  if (dry_run_) {
    employee->set_level(level);
    (level == Level::LEVEL_JUNIOR ? initial_ : level == Level::LEVEL_INTERMEDIATE ? to_intermediate_ : to_senior_)++;
    return true;
  }
  pv1::ChangeLevelRequest request;
  request.set_name(employee->name());
  request.set_expected_level(employee->level());
  request.set_level(level);
  request.set_reason(employee->level() == Level::LEVEL_UNSPECIFIED ? absl::StrCat("建档导入：定为", LevelWord(level))
                                                                   : absl::StrCat("建档导入：晋升", LevelWord(level)));
  *request.mutable_effective_date() = day;
  request.set_request_id(RequestId(absl::StrCat("lvl", level), row.number, request.SerializeAsString()));
  pv1::Employee changed;
  absl::Status status =
      context_.services().Call(context_.services().personnel(), &pv1::PersonnelService::Stub::ChangeLevel,
                               "PersonnelService.ChangeLevel", request, &changed);
  const int column = level == row.level                                                   ? col_.level_since
                     : level == Level::LEVEL_JUNIOR && col_.junior_since >= 0             ? col_.junior_since
                     : level == Level::LEVEL_INTERMEDIATE && col_.intermediate_since >= 0 ? col_.intermediate_since
                                                                                          : col_.level;
  if (!Check(status, row, level == Level::LEVEL_SENIOR ? col_.level : column)) return false;
  *employee = changed;
  (level == Level::LEVEL_JUNIOR ? initial_ : level == Level::LEVEL_INTERMEDIATE ? to_intermediate_ : to_senior_)++;
  return true;
}

bool EmployeeImport::Separate(const EmployeeRow& row, pv1::Employee* employee) {
  if (employee->status() == EmploymentStatus::EMPLOYMENT_STATUS_SEPARATED) return true;
  if (dry_run_) {
    ++separated_;
    return true;
  }
  pv1::EndEmploymentRequest request;
  request.set_name(employee->name());
  request.set_reason(row.separation_reason);
  request.set_note("建档导入");
  *request.mutable_effective_date() = row.separation_date;
  request.set_request_id(RequestId("end", row.number, request.SerializeAsString()));
  pv1::Employee ended;
  absl::Status status =
      context_.services().Call(context_.services().personnel(), &pv1::PersonnelService::Stub::EndEmployment,
                               "PersonnelService.EndEmployment", request, &ended);
  if (!Check(status, row, col_.separation_date)) return false;
  *employee = ended;
  ++separated_;
  return true;
}

void EmployeeImport::PredictSeniorCap(const std::vector<EmployeeRow>& rows,
                                      const std::vector<std::pair<const EmployeeRow*, bool>>& later) {
  // The levels each county holds once the rows' lower levels are in: today's, raised by the
  // file (a senior-to-be counts as 中级 until its promotion).
  std::map<std::string, std::map<std::string, Level>> levels;  // county → number → level
  for (const auto& [number, employee] : lookups_.employees) {
    if (employee.role() == Role::ROLE_CUSTOMER_MANAGER &&
        employee.status() == EmploymentStatus::EMPLOYMENT_STATUS_ACTIVE &&
        employee.level() != Level::LEVEL_UNSPECIFIED) {
      levels[employee.county()][number] = employee.level();
    }
  }
  for (const EmployeeRow& row : rows) {
    if (row.role != Role::ROLE_CUSTOMER_MANAGER || row.county.empty()) continue;
    auto& county = levels[row.county];
    const auto it = county.find(row.number);
    const Level held = it == county.end() ? Level::LEVEL_UNSPECIFIED : it->second;
    const Level reached = std::min(row.level, Level::LEVEL_INTERMEDIATE);
    if (std::max(held, reached) != Level::LEVEL_UNSPECIFIED) county[row.number] = std::max(held, reached);
  }
  std::map<std::string, int> shares;  // county → the senior share that caps it, in percent
  for (const auto& [row, senior] : later) {
    auto& county = levels[row->county];
    if (!senior) {
      county.erase(row->number);
      continue;
    }
    if (county.count(row->number) > 0 && county[row->number] == Level::LEVEL_SENIOR) continue;
    if (shares.count(row->county) == 0) {
      pv1::GetCountyQuotaRequest request;
      request.set_name(absl::StrCat(row->county, "/quota"));
      pv1::CountyQuota quota;
      absl::Status status =
          context_.services().Call(context_.services().personnel(), &pv1::PersonnelService::Stub::GetCountyQuota,
                                   "PersonnelService.GetCountyQuota", request, &quota);
      if (!status.ok()) {
        context_.Note(
            absl::StrCat("note: the senior cap of ", row->county_name, " was not checked: ", DescribeError(status)));
        shares[row->county] = 100;
      } else {
        for (const auto& level : quota.levels()) {
          if (level.level() == Level::LEVEL_SENIOR) shares[row->county] = level.suggested_share_percent();
        }
      }
    }
    const int n = static_cast<int>(county.size());
    const int cap = shares[row->county] * n / 100;
    int seniors = 0;
    for (const auto& [number, level] : county) seniors += level == Level::LEVEL_SENIOR;
    if (seniors < cap) {
      county[row->number] = Level::LEVEL_SENIOR;
      continue;
    }
    report_.Problem(
        row->row, col_.level + 1, columns_->NameOf(col_.level),
        absl::StrFormat("would be refused (SENIOR_CAP_REACHED): on %s, %s would have %d "
                        "levelled customer managers, a senior cap of %d and %d seniors",
                        DateText(row->step_dates.at(Level::LEVEL_SENIOR)), row->county_name, n, cap, seniors),
        kExitRefused);
  }
}

void EmployeeImport::SetSupervisors(const std::vector<EmployeeRow>& rows) {
  std::set<std::string> done;
  for (const EmployeeRow& row : rows) {
    if (row.role != Role::ROLE_GROUP_DATA_SUPERVISOR || row.team.empty() || row.separates ||
        report_.HasProblem(row.row) || done.count(row.team) > 0) {
      continue;
    }
    done.insert(row.team);
    const pv1::Team& team = lookups_.teams.at({row.county, row.team_name});
    if (!team.supervisor().empty()) continue;
    const auto employee = lookups_.employees.find(row.number);
    if (dry_run_) {
      ++supervisors_;
      continue;
    }
    if (employee == lookups_.employees.end()) continue;
    pv1::UpdateTeamRequest request;
    request.mutable_team()->set_name(team.name());
    request.mutable_team()->set_supervisor(employee->second.name());
    request.mutable_update_mask()->add_paths("supervisor");
    request.set_request_id(RequestId("sup", row.team, request.SerializeAsString()));
    pv1::Team updated;
    absl::Status status =
        context_.services().Call(context_.services().personnel(), &pv1::PersonnelService::Stub::UpdateTeam,
                                 "PersonnelService.UpdateTeam", request, &updated);
    if (!Check(status, row, col_.team)) {
      if (report_.stopped()) return;
      continue;
    }
    ++supervisors_;
  }
}

int EmployeeImport::Run() {
  today_ = ToDate(TodayInBranch());
  absl::StatusOr<std::unique_ptr<CsvReader>> reader = CsvReader::Open(path_);
  if (!reader.ok()) return context_.Fail(reader.status());
  absl::StatusOr<std::vector<std::string>> header = (*reader)->ReadHeader();
  if (!header.ok()) return context_.Fail(header.status());
  if (!ReadColumns(*header)) return kExitBadInput;
  if (absl::Status status = LoadLookups(); !status.ok()) return context_.Fail(status);

  // Every row is checked before anything is written.
  std::vector<EmployeeRow> rows;
  std::map<std::string, int64_t> numbers;
  int64_t total = 0;
  CsvRecord record;
  while ((*reader)->Next(&record)) {
    ++total;
    std::optional<EmployeeRow> row = ParseRow(record);
    if (!row.has_value()) continue;
    const auto [it, fresh] = numbers.emplace(row->number, row->row);
    if (!fresh) {
      Bad(record, col_.number, absl::StrCat(row->number, " is already on row ", it->second));
      continue;
    }
    rows.push_back(*std::move(row));
  }
  if (!(*reader)->fatal().ok()) return context_.Fail((*reader)->fatal());
  if (total == 0) {
    context_.Error(absl::StrCat(path_, ": the file has a header but no rows"));
    return kExitBadInput;
  }
  // Senior promotions and departures, in the order of their dates (a promotion before a
  // departure of the same day), so each senior promotion meets the county's N of its day.
  std::vector<std::pair<const EmployeeRow*, bool>> later;  // (row, is a senior promotion)
  for (const EmployeeRow& row : rows) {
    if (row.level == Level::LEVEL_SENIOR) later.push_back({&row, true});
    if (row.separates) later.push_back({&row, false});
  }
  const auto day_of = [](const std::pair<const EmployeeRow*, bool>& step) {
    return Day(step.second ? step.first->step_dates.at(Level::LEVEL_SENIOR) : step.first->separation_date);
  };
  std::stable_sort(later.begin(), later.end(), [&](const auto& a, const auto& b) {
    if (day_of(a) != day_of(b)) return day_of(a) < day_of(b);
    return a.second && !b.second;
  });
  if (dry_run_) PredictSeniorCap(rows, later);

  // Creations, initial levels and promotions to 中级, row by row; the senior promotions and
  // the departures wait until every county's N is known.
  std::map<int64_t, pv1::Employee> records;
  {
    Progress progress("employees", static_cast<int64_t>(rows.size()), context_.progress);
    for (const EmployeeRow& row : rows) {
      pv1::Employee employee;
      if (!report_.stopped() && EnsureEmployee(row, &employee)) {
        bool ok = employee.status() != EmploymentStatus::EMPLOYMENT_STATUS_SEPARATED;
        for (Level level : {Level::LEVEL_JUNIOR, Level::LEVEL_INTERMEDIATE}) {
          if (ok && row.level >= level) ok = RaiseLevel(row, &employee, level);
        }
        if (ok && employee.level() > row.level && row.level != Level::LEVEL_UNSPECIFIED) {
          report_.Note(row.row, absl::StrCat(row.number, " holds ", LevelWord(employee.level()), "; the file says ",
                                             LevelWord(row.level), ": left as it is (an import never demotes)"));
        }
        if (ok) records[row.row] = employee;
      }
      progress.Advance();
    }
  }
  if (!later.empty() && !report_.stopped()) {
    Progress progress("seniors and departures", static_cast<int64_t>(later.size()), context_.progress);
    for (const auto& [row, senior] : later) {
      if (report_.stopped()) break;
      const auto it = records.find(row->row);
      if (it != records.end() && !report_.HasProblem(row->row)) {
        if (senior) {
          if (it->second.status() != EmploymentStatus::EMPLOYMENT_STATUS_SEPARATED) {
            RaiseLevel(*row, &it->second, Level::LEVEL_SENIOR);
          }
        } else {
          Separate(*row, &it->second);
        }
      }
      progress.Advance();
    }
  }
  if (!report_.stopped()) SetSupervisors(rows);

  const char* verb = dry_run_ ? "would be " : "";
  std::fprintf(context_.out,
               "%s%s: %lld rows, %zu bad; employees: %d %screated, %d already there; levels: %d "
               "%sset, %d %sraised to 中级, %d %sraised to 高级; %d departures %srecorded; %d team "
               "supervisors %sset\n",
               dry_run_ ? "dry run (nothing changed): " : "", path_.c_str(), static_cast<long long>(total),
               report_.bad_rows(), created_, verb, existing_, initial_, verb, to_intermediate_, verb, to_senior_, verb,
               separated_, verb, supervisors_, verb);
  report_.Print(context_, errors_path_);
  return report_.exit_code();
}

int ImportEmployees(Context& context, const Args& args) {
  EmployeeImport import(context, args);
  return import.Run();
}

// --- employees list / get ---------------------------------------------------------------

int ListEmployees(Context& context, const Args& args) {
  const std::optional<Format> format = FormatOf(context, args);
  if (!format.has_value()) return kExitBadInput;
  pv1::ListEmployeesRequest request;
  if (args.Has("county")) {
    absl::StatusOr<pv1::OrgUnit> county = ResolveOrgUnit(context.services(), args.Get("county"));
    if (!county.ok()) return context.Fail(county.status());
    request.set_county(county->name());
  }
  if (args.Has("team")) {
    std::string team = args.Get("team");
    if (!absl::StartsWith(team, "teams/")) {
      absl::StatusOr<std::vector<pv1::Team>> teams = ListAllTeams(context.services());
      if (!teams.ok()) return context.Fail(teams.status());
      std::string found;
      for (const pv1::Team& candidate : *teams) {
        if (candidate.display_name() == team && (request.county().empty() || candidate.county() == request.county())) {
          found = candidate.name();
        }
      }
      if (found.empty()) return context.Fail(absl::NotFoundError(absl::StrCat("no team is called '", team, "'")));
      team = found;
    }
    request.set_team(team);
  }
  if (args.Has("level")) {
    std::optional<Level> level = ParseLevel(args.Get("level"));
    if (!level.has_value()) return context.Usage(absl::StrCat("--level: give one of ", LevelChoices()));
    request.set_level(*level);
  }
  if (args.Has("role")) {
    std::optional<Role> role = ParseRole(args.Get("role"));
    if (!role.has_value()) return context.Usage(absl::StrCat("--role: give one of ", RoleChoices()));
    request.set_role(*role);
  }
  if (args.Has("status")) {
    std::optional<EmploymentStatus> status = ParseStatus(args.Get("status"));
    if (!status.has_value()) {
      return context.Usage("--status: give 试岗期, 待定级, 在岗 or 离职 (on_trial, awaiting_level, active, separated)");
    }
    request.set_status(*status);
  }
  absl::StatusOr<std::vector<pv1::Employee>> employees = ListAllEmployees(context.services(), request);
  if (!employees.ok()) return context.Fail(employees.status());
  const bool machine = *format != Format::kText;
  std::map<std::string, std::string> counties, teams;
  if (!machine) {
    absl::StatusOr<std::map<std::string, std::string>> c = OrgUnitNames(context.services());
    if (!c.ok()) return context.Fail(c.status());
    counties = *c;
    absl::StatusOr<std::map<std::string, std::string>> t = TeamNames(context.services());
    if (!t.ok()) return context.Fail(t.status());
    teams = *t;
  }
  Table table({{"name", "employee"},
               {"employee_number", "工号"},
               {"display_name", "姓名"},
               {"county", "county"},
               {"team", "team"},
               {"role", "role"},
               {"level", "level"},
               {"status", "status"},
               {"level_since", "level since"},
               {"hire_date", "hired"}});
  for (const pv1::Employee& e : *employees) {
    table.AddRow({e.name(), e.employee_number(), e.display_name(), machine ? e.county() : counties[e.county()],
                  machine ? e.team() : teams[e.team()], RoleText(e.role(), machine),
                  e.level() == Level::LEVEL_UNSPECIFIED && !machine ? "" : LevelText(e.level(), machine),
                  StatusText(e.status(), machine), DateText(e.level_since()), DateText(e.hire_date())});
  }
  const std::string text = *format == Format::kJson  ? table.ToJson()
                           : *format == Format::kCsv ? table.ToCsv()
                                                     : table.ToText();
  std::fputs(text.c_str(), context.out);
  if (!machine) {
    std::fprintf(context.out, "%zu employee%s\n", employees->size(), employees->size() == 1 ? "" : "s");
  }
  return kExitOk;
}

int GetEmployee(Context& context, const Args& args) {
  const std::optional<Format> format = FormatOf(context, args);
  if (!format.has_value()) return kExitBadInput;
  absl::StatusOr<pv1::Employee> employee = ResolveEmployee(context.services(), args.positional[0]);
  if (!employee.ok()) return context.Fail(employee.status());
  pv1::ListLevelChangesRequest request;
  request.set_parent(employee->name());
  request.set_page_size(1000);
  std::vector<pv1::LevelChange> changes;
  do {
    pv1::ListLevelChangesResponse page;
    absl::Status status =
        context.services().Call(context.services().personnel(), &pv1::PersonnelService::Stub::ListLevelChanges,
                                "PersonnelService.ListLevelChanges", request, &page);
    if (!status.ok()) return context.Fail(status);
    changes.insert(changes.end(), page.level_changes().begin(), page.level_changes().end());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());

  if (*format == Format::kJson) {
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(*employee, &json, options);
    std::string out = absl::StrCat("{\"employee\": ", json, ", \"level_changes\": [");
    for (size_t i = 0; i < changes.size(); ++i) {
      std::string change;
      (void)google::protobuf::util::MessageToJsonString(changes[i], &change, options);
      absl::StrAppend(&out, i == 0 ? "" : ", ", change);
    }
    absl::StrAppend(&out, "]}\n");
    std::fputs(out.c_str(), context.out);
    return kExitOk;
  }
  absl::StatusOr<std::map<std::string, std::string>> counties = OrgUnitNames(context.services());
  if (!counties.ok()) return context.Fail(counties.status());
  absl::StatusOr<std::map<std::string, std::string>> teams = TeamNames(context.services());
  if (!teams.ok()) return context.Fail(teams.status());
  const pv1::Employee& e = *employee;
  if (*format == Format::kText) {
    Table facts({{"field", "field"}, {"value", "value"}});
    facts.AddRow({"employee", e.name()});
    facts.AddRow({"工号", e.employee_number()});
    facts.AddRow({"姓名", e.display_name()});
    facts.AddRow({"county", (*counties)[e.county()]});
    facts.AddRow({"team", (*teams)[e.team()]});
    facts.AddRow({"role", RoleText(e.role())});
    if (e.role() == Role::ROLE_CUSTOMER_MANAGER) {
      facts.AddRow({"entry channel", EntryChannelText(e.entry_channel())});
      facts.AddRow({"level", e.level() == Level::LEVEL_UNSPECIFIED ? "" : LevelText(e.level())});
      facts.AddRow({"level since", DateText(e.level_since())});
      if (e.has_trial_ends_on()) facts.AddRow({"trial ends", DateText(e.trial_ends_on())});
    }
    facts.AddRow({"status", StatusText(e.status())});
    facts.AddRow({"post grade", absl::StrCat(e.post_grade())});
    facts.AddRow({"hired", DateText(e.hire_date())});
    if (e.status() == EmploymentStatus::EMPLOYMENT_STATUS_SEPARATED) {
      facts.AddRow({"left", absl::StrCat(DateText(e.separation_date()), " (",
                                         SeparationReasonText(e.separation_reason()), ")")});
    }
    std::string text = facts.ToText();
    // The facts read better without the header.
    text = text.substr(text.find('\n', text.find('\n') + 1) + 1);
    std::fputs(text.c_str(), context.out);
    std::fprintf(context.out, "\nLevel history (%zu):\n", changes.size());
  }
  const bool machine = *format != Format::kText;
  Table history({{"effective_date", "effective"},
                 {"kind", "change"},
                 {"from_level", "from"},
                 {"to_level", "to"},
                 {"county", "county"},
                 {"county_counts", machine ? "county_counts" : "county N / seniors / cap"},
                 {"reason", "reason"},
                 {"decision", "decision"},
                 {"actor", "by"}});
  for (const pv1::LevelChange& change : changes) {
    const auto& counts = change.to_county_counts();
    std::string kind = pv1::LevelChange::Kind_Name(change.kind());
    if (!machine) kind = absl::AsciiStrToLower(kind.substr(5));
    history.AddRow({DateText(change.effective_date()), kind, LevelText(change.from_level(), machine),
                    LevelText(change.to_level(), machine),
                    machine ? change.to_county() : (*counties)[change.to_county()],
                    absl::StrCat(counts.levelled_customer_managers(), "/", counts.seniors(), "/", counts.senior_cap()),
                    change.reason(), change.decision(), change.actor()});
  }
  const std::string text = *format == Format::kCsv ? history.ToCsv() : history.ToText();
  std::fputs(text.c_str(), context.out);
  return kExitOk;
}

}  // namespace

void RegisterEmployeeCommands() {
  Registry().push_back(
      Command{{"employees", "import"},
              "FILE.csv",
              1,
              1,
              "create employees (and their levels and history) from a CSV file",
              absl::StrCat("FILE.csv is UTF-8 (\"CSV UTF-8\" in Excel; its byte-order mark is fine) with a header\n"
                           "row. Every row is checked first; bad rows are reported (row, column, reason) and\n"
                           "skipped, the good ones are imported. --dry-run checks everything, including the\n"
                           "senior caps the file would reach, and changes nothing.\n\n",
                           kEmployeeColumnsHelp),
              {{"dry-run", "", "check every row and change nothing"},
               {"errors", "FILE", "also write every problem to FILE (CSV)"}},
              ImportEmployees});
  Registry().push_back(Command{{"employees", "list"},
                               "",
                               0,
                               0,
                               "employees, filtered by county, team, level, role, status",
                               "COUNTY and TEAM are names (柯城区, 柯城区一组) or resource names.",
                               {FormatFlag(),
                                {"county", "COUNTY", "only this county"},
                                {"team", "TEAM", "only this team"},
                                {"level", "LEVEL", "初级, 中级 or 高级"},
                                {"role", "ROLE", "e.g. 客户经理"},
                                {"status", "STATUS", "试岗期, 待定级, 在岗 or 离职"}},
                               ListEmployees});
  Registry().push_back(Command{{"employees", "get"},
                               "EMPLOYEE",
                               1,
                               1,
                               "one employee and the level history",
                               "EMPLOYEE is an employee number (工号, e.g. KC0042) or a resource name (employees/42).\n"
                               "The history shows every change of level, county, role or employment, with the\n"
                               "county's numbers as committed (N / seniors / cap).",
                               {FormatFlag()},
                               GetEmployee});
}

}  // namespace ladder::ladderctl
