// orgunits import|list, teams import|list, quota COUNTY.

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/ladderctl/cli.h"
#include "tools/ladderctl/csv_reader.h"
#include "tools/ladderctl/import_report.h"
#include "tools/ladderctl/names.h"
#include "tools/ladderctl/request_ids.h"
#include "tools/ladderctl/resolve.h"
#include "tools/ladderctl/table_printer.h"

namespace ladder::ladderctl {
namespace {

const FlagSpec kDryRun{"dry-run", "", "check every row and change nothing"};
const FlagSpec kErrors{"errors", "FILE", "also write every problem to FILE (CSV)"};

int PrintTable(Context& context, const Table& table, Format format) {
  const std::string text = format == Format::kJson  ? table.ToJson()
                           : format == Format::kCsv ? table.ToCsv()
                                                    : table.ToText();
  std::fputs(text.c_str(), context.out);
  return kExitOk;
}

// Opens the file and reads its header, or prints why not.
struct OpenedCsv {
  std::unique_ptr<CsvReader> reader;
  std::unique_ptr<CsvColumns> columns;
};

absl::StatusOr<OpenedCsv> OpenCsv(const std::string& path) {
  OpenedCsv opened;
  absl::StatusOr<std::unique_ptr<CsvReader>> reader = CsvReader::Open(path);
  if (!reader.ok()) return reader.status();
  opened.reader = *std::move(reader);
  absl::StatusOr<std::vector<std::string>> header = opened.reader->ReadHeader();
  if (!header.ok()) return header.status();
  opened.columns = std::make_unique<CsvColumns>(*std::move(header));
  return opened;
}

// --- orgunits import ---------------------------------------------------------------------

struct OrgRow {
  int64_t row = 0;
  std::string display_name;
  pv1::OrgUnit::Kind kind = pv1::OrgUnit::KIND_UNSPECIFIED;
  std::string parent;  // display name
};

int ImportOrgUnits(Context& context, const Args& args) {
  const bool dry_run = args.Flag("dry-run");
  absl::StatusOr<OpenedCsv> csv = OpenCsv(args.positional[0]);
  if (!csv.ok()) return context.Fail(csv.status());
  CsvColumns& columns = *csv->columns;
  const int name_col = columns.Find({"名称", "display_name", "name"});
  const int kind_col = columns.Find({"类型", "kind"});
  const int parent_col = columns.Find({"上级", "parent"});
  if (name_col < 0 || kind_col < 0) {
    context.Error(absl::StrCat(args.positional[0], ": row 1: missing column ",
                               name_col < 0 ? "名称 (display_name)" : "类型 (kind)",
                               "; the columns are 名称, 类型, 上级 (display_name, kind, parent)"));
    return kExitBadInput;
  }
  ImportReport report;
  std::vector<OrgRow> rows;
  CsvRecord record;
  while (csv->reader->Next(&record)) {
    for (const CsvProblem& problem : record.problems) report.Problem(problem);
    if (!record.problems.empty()) continue;
    OrgRow row;
    row.row = record.row;
    row.display_name = record.fields[name_col];
    if (row.display_name.empty()) {
      report.Problem(record.row, name_col + 1, columns.NameOf(name_col), "is empty");
      continue;
    }
    const std::optional<pv1::OrgUnit::Kind> kind = ParseOrgUnitKind(record.fields[kind_col]);
    if (!kind.has_value()) {
      report.Problem(record.row, kind_col + 1, columns.NameOf(kind_col),
                     absl::StrCat("'", record.fields[kind_col], "' is not 市分公司 or 区县 (city_branch or county)"));
      continue;
    }
    row.kind = *kind;
    if (parent_col >= 0) row.parent = record.fields[parent_col];
    if (row.kind == pv1::OrgUnit::KIND_COUNTY && row.parent.empty()) {
      report.Problem(record.row, parent_col >= 0 ? parent_col + 1 : 0,
                     parent_col >= 0 ? columns.NameOf(parent_col) : "上级", "a county needs its city branch (上级)");
      continue;
    }
    rows.push_back(std::move(row));
  }
  if (!csv->reader->fatal().ok()) return context.Fail(csv->reader->fatal());
  // City branches first, so that their counties find them.
  std::stable_sort(rows.begin(), rows.end(), [](const OrgRow& a, const OrgRow& b) {
    return a.kind == pv1::OrgUnit::KIND_CITY_BRANCH && b.kind != pv1::OrgUnit::KIND_CITY_BRANCH;
  });

  absl::StatusOr<std::vector<pv1::OrgUnit>> existing = ListAllOrgUnits(context.services());
  if (!existing.ok()) return context.Fail(existing.status());
  std::map<std::string, pv1::OrgUnit> branches;            // by display name
  std::set<std::pair<std::string, std::string>> counties;  // (parent name, display name)
  for (const pv1::OrgUnit& unit : *existing) {
    if (unit.kind() == pv1::OrgUnit::KIND_CITY_BRANCH)
      branches[unit.display_name()] = unit;
    else
      counties.insert({unit.parent(), unit.display_name()});
  }
  int created = 0, present = 0;
  for (const OrgRow& row : rows) {
    pv1::CreateOrgUnitRequest request;
    request.mutable_org_unit()->set_display_name(row.display_name);
    request.mutable_org_unit()->set_kind(row.kind);
    if (row.kind == pv1::OrgUnit::KIND_CITY_BRANCH) {
      if (branches.count(row.display_name) > 0) {
        ++present;
        continue;
      }
    } else {
      const auto parent = branches.find(row.parent);
      if (parent == branches.end()) {
        report.Problem(row.row, parent_col + 1, columns.NameOf(parent_col),
                       absl::StrCat("'", row.parent, "' is not a city branch (list it first, as 市分公司)"));
        continue;
      }
      if (counties.count({parent->second.name(), row.display_name}) > 0) {
        ++present;
        continue;
      }
      request.mutable_org_unit()->set_parent(parent->second.name());
    }
    if (dry_run) {
      ++created;
      if (row.kind == pv1::OrgUnit::KIND_CITY_BRANCH) {
        branches[row.display_name].set_name(absl::StrCat("(new ", row.display_name, ")"));
      }
      continue;
    }
    request.set_request_id(
        RequestId("org", row.display_name, absl::StrCat(row.kind, "|", row.parent, "|", row.display_name)));
    pv1::OrgUnit unit;
    absl::Status status =
        context.services().Call(context.services().personnel(), &pv1::PersonnelService::Stub::CreateOrgUnit,
                                "PersonnelService.CreateOrgUnit", request, &unit);
    if (ExitCodeFor(status) == kExitUnavailable) {
      report.Stop(status);
      break;
    }
    if (!status.ok()) {
      report.Failed(row.row, name_col + 1, columns.NameOf(name_col), status);
      continue;
    }
    ++created;
    if (unit.kind() == pv1::OrgUnit::KIND_CITY_BRANCH)
      branches[unit.display_name()] = unit;
    else
      counties.insert({unit.parent(), unit.display_name()});
  }
  std::fprintf(context.out, "%s%s: %zu rows; %d %s, %d already there, %zu bad rows\n", dry_run ? "dry run: " : "",
               args.positional[0].c_str(), rows.size() + report.bad_rows(), created, dry_run ? "to create" : "created",
               present, report.bad_rows());
  report.Print(context, args.Get("errors"));
  return report.exit_code();
}

// --- teams import -------------------------------------------------------------------------

int ImportTeams(Context& context, const Args& args) {
  const bool dry_run = args.Flag("dry-run");
  absl::StatusOr<OpenedCsv> csv = OpenCsv(args.positional[0]);
  if (!csv.ok()) return context.Fail(csv.status());
  CsvColumns& columns = *csv->columns;
  const int county_col = columns.Find({"区县", "county"});
  const int team_col = columns.Find({"团队", "team", "名称", "display_name"});
  if (county_col < 0 || team_col < 0) {
    context.Error(absl::StrCat(args.positional[0], ": row 1: missing column ",
                               county_col < 0 ? "区县 (county)" : "团队 (team)",
                               "; the columns are 区县, 团队 (county, team)"));
    return kExitBadInput;
  }
  absl::StatusOr<std::vector<pv1::OrgUnit>> units = ListAllOrgUnits(context.services());
  if (!units.ok()) return context.Fail(units.status());
  std::map<std::string, std::vector<pv1::OrgUnit>> counties;
  std::string known;
  for (const pv1::OrgUnit& unit : *units) {
    if (unit.kind() != pv1::OrgUnit::KIND_COUNTY) continue;
    counties[unit.display_name()].push_back(unit);
    absl::StrAppend(&known, known.empty() ? "" : ", ", unit.display_name());
  }
  absl::StatusOr<std::vector<pv1::Team>> teams = ListAllTeams(context.services());
  if (!teams.ok()) return context.Fail(teams.status());
  std::set<std::pair<std::string, std::string>> present_teams;
  for (const pv1::Team& team : *teams) present_teams.insert({team.county(), team.display_name()});

  // Every row is checked before anything is written.
  ImportReport report;
  struct TeamRow {
    int64_t row;
    std::string county;
    std::string name;
  };
  std::vector<TeamRow> wanted;
  std::set<std::pair<std::string, std::string>> in_file;
  int rows = 0, created = 0, present = 0;
  CsvRecord record;
  while (csv->reader->Next(&record)) {
    ++rows;
    for (const CsvProblem& problem : record.problems) report.Problem(problem);
    if (!record.problems.empty()) continue;
    const std::string& county_name = record.fields[county_col];
    const std::string& team_name = record.fields[team_col];
    const auto county = counties.find(county_name);
    if (county == counties.end()) {
      report.Problem(record.row, county_col + 1, columns.NameOf(county_col),
                     absl::StrCat("unknown county '", county_name, "'; known: ", known));
      continue;
    }
    if (county->second.size() > 1) {
      report.Problem(record.row, county_col + 1, columns.NameOf(county_col),
                     absl::StrCat("'", county_name, "' names counties of several city branches"));
      continue;
    }
    if (team_name.empty()) {
      report.Problem(record.row, team_col + 1, columns.NameOf(team_col), "is empty");
      continue;
    }
    const std::string& county_resource = county->second[0].name();
    if (!in_file.insert({county_resource, team_name}).second) {
      report.Problem(record.row, team_col + 1, columns.NameOf(team_col),
                     absl::StrCat(team_name, " of ", county_name, " is listed twice"));
      continue;
    }
    if (present_teams.count({county_resource, team_name}) > 0) {
      ++present;
      continue;
    }
    wanted.push_back(TeamRow{record.row, county_resource, team_name});
  }
  if (!csv->reader->fatal().ok()) return context.Fail(csv->reader->fatal());
  for (const TeamRow& row : wanted) {
    if (dry_run) {
      ++created;
      continue;
    }
    pv1::CreateTeamRequest request;
    request.mutable_team()->set_display_name(row.name);
    request.mutable_team()->set_county(row.county);
    request.set_request_id(RequestId("team", row.name, absl::StrCat(row.county, "|", row.name)));
    pv1::Team team;
    absl::Status status =
        context.services().Call(context.services().personnel(), &pv1::PersonnelService::Stub::CreateTeam,
                                "PersonnelService.CreateTeam", request, &team);
    if (ExitCodeFor(status) == kExitUnavailable) {
      report.Stop(status);
      break;
    }
    if (!status.ok()) {
      report.Failed(row.row, team_col + 1, columns.NameOf(team_col), status);
      continue;
    }
    ++created;
  }
  std::fprintf(context.out, "%s%s: %d rows; %d %s, %d already there, %zu bad rows\n", dry_run ? "dry run: " : "",
               args.positional[0].c_str(), rows, created, dry_run ? "to create" : "created", present,
               report.bad_rows());
  report.Print(context, args.Get("errors"));
  return report.exit_code();
}

// --- lists --------------------------------------------------------------------------------

int ListOrgUnits(Context& context, const Args& args) {
  const std::optional<Format> format = FormatOf(context, args);
  if (!format.has_value()) return kExitBadInput;
  absl::StatusOr<std::vector<pv1::OrgUnit>> units = ListAllOrgUnits(context.services());
  if (!units.ok()) return context.Fail(units.status());
  std::map<std::string, std::string> names;
  for (const pv1::OrgUnit& unit : *units) names[unit.name()] = unit.display_name();
  const bool machine = *format != Format::kText;
  Table table({{"name", "name"}, {"display_name", "org unit"}, {"kind", "kind"}, {"parent", "parent"}});
  for (const pv1::OrgUnit& unit : *units) {
    const bool branch = unit.kind() == pv1::OrgUnit::KIND_CITY_BRANCH;
    table.AddRow({unit.name(), unit.display_name(),
                  machine  ? pv1::OrgUnit::Kind_Name(unit.kind())
                  : branch ? "市分公司"
                           : "区县",
                  machine ? unit.parent() : names[unit.parent()]});
  }
  return PrintTable(context, table, *format);
}

int ListTeams(Context& context, const Args& args) {
  const std::optional<Format> format = FormatOf(context, args);
  if (!format.has_value()) return kExitBadInput;
  pv1::ListTeamsRequest request;
  if (args.Has("county")) {
    absl::StatusOr<pv1::OrgUnit> county = ResolveOrgUnit(context.services(), args.Get("county"));
    if (!county.ok()) return context.Fail(county.status());
    request.set_county(county->name());
  }
  absl::StatusOr<std::vector<pv1::Team>> teams = ListAllTeams(context.services(), request);
  if (!teams.ok()) return context.Fail(teams.status());
  absl::StatusOr<std::map<std::string, std::string>> counties = OrgUnitNames(context.services());
  if (!counties.ok()) return context.Fail(counties.status());
  std::vector<std::string> supervisors;
  for (const pv1::Team& team : *teams) {
    if (!team.supervisor().empty()) supervisors.push_back(team.supervisor());
  }
  absl::StatusOr<std::map<std::string, pv1::Employee>> people = GetEmployees(context.services(), supervisors);
  if (!people.ok()) return context.Fail(people.status());
  Table table({{"name", "name"}, {"display_name", "team"}, {"county", "county"}, {"supervisor", "supervisor"}});
  for (const pv1::Team& team : *teams) {
    std::string supervisor = team.supervisor();
    if (*format == Format::kText && people->count(supervisor) > 0) {
      const pv1::Employee& who = people->at(supervisor);
      supervisor = absl::StrCat(who.display_name(), " (", who.employee_number(), ")");
    }
    table.AddRow({team.name(), team.display_name(),
                  *format == Format::kText ? (*counties)[team.county()] : team.county(), supervisor});
  }
  return PrintTable(context, table, *format);
}

// --- quota ---------------------------------------------------------------------------------

int Quota(Context& context, const Args& args) {
  const std::optional<Format> format = FormatOf(context, args);
  if (!format.has_value()) return kExitBadInput;
  absl::StatusOr<pv1::OrgUnit> unit = ResolveOrgUnit(context.services(), args.positional[0]);
  if (!unit.ok()) return context.Fail(unit.status());
  std::vector<pv1::OrgUnit> counties;
  if (unit->kind() == pv1::OrgUnit::KIND_COUNTY) {
    counties.push_back(*unit);
  } else {
    pv1::ListOrgUnitsRequest request;
    request.set_parent(unit->name());
    request.set_kind(pv1::OrgUnit::KIND_COUNTY);
    absl::StatusOr<std::vector<pv1::OrgUnit>> children = ListAllOrgUnits(context.services(), request);
    if (!children.ok()) return context.Fail(children.status());
    counties = *children;
  }
  const bool machine = *format != Format::kText;
  Table table({{"county", "county"},
               {"levelled", "N", Align::kRight, true},
               {"junior", "初级", Align::kRight, true},
               {"intermediate", "中级", Align::kRight, true},
               {"senior", "高级", Align::kRight, true},
               {"suggested", machine ? "suggested" : "suggested 初/中/高", Align::kRight},
               {"senior_cap", "senior cap", Align::kRight, true},
               {"free_senior_slots", "free", Align::kRight, true},
               {"on_trial", "on trial", Align::kRight, true},
               {"awaiting_level", "awaiting", Align::kRight, true},
               {"over_cap", "", Align::kLeft, machine}});
  std::string policy;
  for (const pv1::OrgUnit& county : counties) {
    pv1::GetCountyQuotaRequest request;
    request.set_name(absl::StrCat(county.name(), "/quota"));
    pv1::CountyQuota quota;
    absl::Status status =
        context.services().Call(context.services().personnel(), &pv1::PersonnelService::Stub::GetCountyQuota,
                                "PersonnelService.GetCountyQuota", request, &quota);
    if (!status.ok()) return context.Fail(status);
    policy = quota.policy_version();
    int heads[4] = {0, 0, 0, 0};
    std::string suggested;
    for (const auto& level : quota.levels()) {
      if (level.level() >= 1 && level.level() <= 3) heads[level.level()] = level.head_count();
      absl::StrAppend(&suggested, suggested.empty() ? "" : "/", level.suggested_head_count());
    }
    table.AddRow({machine ? county.name() : county.display_name(), absl::StrCat(quota.levelled_customer_managers()),
                  absl::StrCat(heads[1]), absl::StrCat(heads[2]), absl::StrCat(heads[3]), suggested,
                  absl::StrCat(quota.senior_cap()), absl::StrCat(quota.free_senior_slots()),
                  absl::StrCat(quota.on_trial()), absl::StrCat(quota.awaiting_level()),
                  machine                          ? (quota.over_cap() ? "true" : "false")
                  : quota.over_cap()               ? "OVER CAP"
                  : quota.free_senior_slots() == 0 ? "at cap"
                                                   : ""});
  }
  PrintTable(context, table, *format);
  if (*format == Format::kText) {
    std::fprintf(context.out, "N: customer managers holding a level. Senior cap: floor(20%% x N) under policy %s.\n",
                 policy.c_str());
  }
  return kExitOk;
}

}  // namespace

void RegisterOrgCommands() {
  Registry().push_back(Command{{"orgunits", "import"},
                               "FILE.csv",
                               1,
                               1,
                               "create the city branch and its counties listed in a CSV file",
                               "Columns (header names in Chinese or English):\n"
                               "  名称 / display_name   the org unit's name, e.g. 衢州分公司 or 柯城区\n"
                               "  类型 / kind           市分公司 (city_branch) or 区县 (county)\n"
                               "  上级 / parent         for a county: the name of its city branch\n"
                               "Org units that exist already (same name, same city branch) are left as they are, so\n"
                               "the same file can be imported again.",
                               {kDryRun, kErrors},
                               ImportOrgUnits});
  Registry().push_back(
      Command{{"orgunits", "list"}, "", 0, 0, "the city branches and counties", "", {FormatFlag()}, ListOrgUnits});
  Registry().push_back(
      Command{{"teams", "import"},
              "FILE.csv",
              1,
              1,
              "create the teams listed in a CSV file",
              "Columns: 区县 / county (the county's name) and 团队 / team (the team's name, unique in\n"
              "the county). Teams that exist already are left as they are. A team's supervisor is\n"
              "set by 'employees import' from its 集团数据督导 row.",
              {kDryRun, kErrors},
              ImportTeams});
  Registry().push_back(Command{{"teams", "list"},
                               "",
                               0,
                               0,
                               "teams with their county and supervisor",
                               "",
                               {FormatFlag(), {"county", "COUNTY", "only this county's teams"}},
                               ListTeams});
  Registry().push_back(Command{{"quota"},
                               "COUNTY",
                               1,
                               1,
                               "a county's head count per level against its senior cap",
                               "COUNTY is a county's name (柯城区) or resource name (orgUnits/3); a city branch gives\n"
                               "one line per county. N counts the customer managers holding a level; the senior cap\n"
                               "is floor(20% x N): a senior promotion or transfer-in needs a free slot.",
                               {FormatFlag()},
                               Quota});
}

}  // namespace ladder::ladderctl
