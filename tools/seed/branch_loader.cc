#include "tools/seed/branch_loader.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/dates.h"

namespace ladder::seed {
namespace {

using ::ladder::personnel::v1::EmploymentStatus;

const char* LevelWord(Level level) {
  switch (level) {
    case Level::LEVEL_JUNIOR:
      return "junior";
    case Level::LEVEL_INTERMEDIATE:
      return "intermediate";
    case Level::LEVEL_SENIOR:
      return "senior";
    default:
      return "level";
  }
}

const v1::Employee* Find(const std::map<std::string, v1::Employee>& roster, const std::string& number) {
  const auto it = roster.find(number);
  return it == roster.end() ? nullptr : &it->second;
}

v1::Employee* Find(std::map<std::string, v1::Employee>& roster, const std::string& number) {
  const auto it = roster.find(number);
  return it == roster.end() ? nullptr : &it->second;
}

bool IsSeparated(const v1::Employee& employee) {
  return employee.status() == EmploymentStatus::EMPLOYMENT_STATUS_SEPARATED;
}

std::string Describe(const LoadStats& before, const LoadStats& after) {
  std::string text;
  const auto add = [&text](int count, absl::string_view what) {
    if (count == 0) return;
    absl::StrAppend(&text, text.empty() ? "" : ", ", count, " ", what);
  };
  add(after.teams_created - before.teams_created, "teams created");
  add(after.employees_created - before.employees_created, "employees created");
  add(after.supervisors_set - before.supervisors_set, "supervisors set");
  add(after.initial_levels - before.initial_levels, "initial levels");
  add(after.promotions_to_intermediate - before.promotions_to_intermediate, "to intermediate");
  add(after.separations - before.separations, "resigned");
  add(after.promotions_to_senior - before.promotions_to_senior, "to senior");
  return text.empty() ? "nothing to do" : text;
}

}  // namespace

BranchLoader::BranchLoader(PersonnelClient& client, const PlannedBranch& plan, uint64_t seed, absl::CivilDay today)
    : client_(client), plan_(plan), seed_(seed), today_(today) {}

std::string BranchLoader::RequestId(absl::string_view kind, absl::string_view key, absl::string_view action) const {
  return absl::StrCat("seed", seed_, "-", kind, "-", key, "-", action);
}

absl::CivilDay BranchLoader::Effective(const PlannedEmployee& planned, const v1::Employee& current, absl::CivilDay day,
                                       absl::CivilDay not_before) const {
  const absl::StatusOr<absl::CivilDay> hired = ToCivilDay(current.hire_date(), "hire_date");
  if (hired.ok()) day += *hired - planned.hire_date;
  return std::min(std::max(day, not_before), today_);
}

absl::StatusOr<v1::OrgUnit> BranchLoader::EnsureOrgUnit(const std::string& display_name, v1::OrgUnit::Kind kind,
                                                        const std::string& parent, const std::string& key) {
  v1::ListOrgUnitsRequest list;
  list.set_kind(kind);
  list.set_parent(parent);
  const auto find = [&]() -> absl::StatusOr<std::optional<v1::OrgUnit>> {
    LADDER_ASSIGN_OR_RETURN(std::vector<v1::OrgUnit> units, client_.ListAllOrgUnits(list));
    for (v1::OrgUnit& unit : units) {
      if (unit.display_name() == display_name) return std::move(unit);
    }
    return std::nullopt;
  };
  LADDER_ASSIGN_OR_RETURN(std::optional<v1::OrgUnit> found, find());
  if (found.has_value()) return *std::move(found);

  v1::CreateOrgUnitRequest create;
  create.mutable_org_unit()->set_display_name(display_name);
  create.mutable_org_unit()->set_kind(kind);
  create.mutable_org_unit()->set_parent(parent);
  create.set_request_id(RequestId("org", key, "create"));
  absl::StatusOr<v1::OrgUnit> created = client_.CreateOrgUnit(create);
  if (created.ok()) {
    ++stats_.org_units_created;
    return created;
  }
  // Created by someone else since the list: it exists, which is all that matters here.
  if (!absl::IsAlreadyExists(created.status())) return created.status();
  LADDER_ASSIGN_OR_RETURN(found, find());
  if (!found.has_value()) return created.status();
  return *std::move(found);
}

absl::Status BranchLoader::Load() {
  LADDER_ASSIGN_OR_RETURN(const v1::OrgUnit city,
                          EnsureOrgUnit(plan_.display_name, v1::OrgUnit::KIND_CITY_BRANCH, "", "city"));
  branch_name_ = city.name();
  v1::ListOrgUnitsRequest list;
  list.set_kind(v1::OrgUnit::KIND_COUNTY);
  list.set_parent(city.name());
  LADDER_ASSIGN_OR_RETURN(const std::vector<v1::OrgUnit> existing, client_.ListAllOrgUnits(list));
  int present = 0;
  for (const PlannedCounty& county : plan_.counties) {
    present += std::count_if(existing.begin(), existing.end(),
                             [&](const v1::OrgUnit& unit) { return unit.display_name() == county.display_name; });
  }
  absl::PrintF("%s (%s): %s, with %d of its %d counties\n", plan_.display_name, city.name(),
               stats_.org_units_created > 0 ? "created" : "exists", present, plan_.counties.size());

  for (const PlannedCounty& county : plan_.counties) {
    LADDER_ASSIGN_OR_RETURN(const v1::OrgUnit unit,
                            EnsureOrgUnit(county.display_name, v1::OrgUnit::KIND_COUNTY, city.name(), county.prefix));
    counties_.push_back(LoadedCounty{county.display_name, unit.name()});
    LADDER_RETURN_IF_ERROR(LoadCounty(county, unit.name()));
  }
  return absl::OkStatus();
}

absl::Status BranchLoader::LoadCounty(const PlannedCounty& plan, const std::string& county) {
  const LoadStats before = stats_;
  v1::ListEmployeesRequest list;
  list.set_county(county);
  LADDER_ASSIGN_OR_RETURN(const std::vector<v1::Employee> employees, client_.ListAllEmployees(list));
  Roster roster;
  for (const v1::Employee& employee : employees) roster[employee.employee_number()] = employee;

  // Only people the plan describes get a history from it. A record under a planned number
  // with another name was renamed by HR, and is left alone; if no planned number holds its
  // planned name, the county was loaded with another seed, and mixing two plans would
  // give neither: refuse before changing anything.
  int matching = 0;
  for (const PlannedEmployee& planned : plan.employees) {
    const v1::Employee* existing = Find(roster, planned.employee_number);
    if (existing == nullptr) continue;
    if (existing->display_name() == planned.display_name) {
      ++matching;
    } else {
      roster.erase(planned.employee_number);
      left_alone_.insert(planned.employee_number);
      ++stats_.left_alone;
    }
  }
  const int others = stats_.left_alone - before.left_alone;
  if (matching == 0 && others > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(plan.display_name, " (", county, ") holds ", others,
                     " employees under the numbers this plan uses but none with its names: it was loaded "
                     "with another --seed. Run with that seed, or load into an empty database"));
  }

  LADDER_ASSIGN_OR_RETURN(const std::vector<v1::Team> teams, EnsureTeams(plan, county));
  LADDER_RETURN_IF_ERROR(EnsureEmployees(plan, county, teams, roster));
  LADDER_RETURN_IF_ERROR(EnsureSupervisors(plan, teams, roster));
  LADDER_RETURN_IF_ERROR(EnsureLevels(plan, roster));
  std::string senior_note;
  LADDER_RETURN_IF_ERROR(EnsureSeniors(plan, county, roster, senior_note));
  absl::PrintF("  %s (%s): %d teams, %d employees; this run: %s\n", plan.display_name, county, teams.size(),
               roster.size() + others, Describe(before, stats_));
  if (!senior_note.empty()) absl::PrintF("    %s\n", senior_note);
  if (others > 0) {
    absl::PrintF("    %d employees hold a planned number under another name: left as they are\n", others);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Team>> BranchLoader::EnsureTeams(const PlannedCounty& plan, const std::string& county) {
  v1::ListTeamsRequest list;
  list.set_county(county);
  std::map<std::string, v1::Team> by_name;
  const auto refresh = [&]() -> absl::Status {
    LADDER_ASSIGN_OR_RETURN(std::vector<v1::Team> teams, client_.ListAllTeams(list));
    for (v1::Team& team : teams) by_name[team.display_name()] = std::move(team);
    return absl::OkStatus();
  };
  LADDER_RETURN_IF_ERROR(refresh());

  std::vector<v1::Team> teams;
  for (size_t i = 0; i < plan.teams.size(); ++i) {
    const std::string& display_name = plan.teams[i].display_name;
    if (by_name.count(display_name) == 0) {
      v1::CreateTeamRequest create;
      create.mutable_team()->set_display_name(display_name);
      create.mutable_team()->set_county(county);
      create.set_request_id(RequestId("team", absl::StrCat(plan.prefix, i + 1), "create"));
      absl::StatusOr<v1::Team> created = client_.CreateTeam(create);
      if (created.ok()) {
        ++stats_.teams_created;
        by_name[display_name] = *std::move(created);
      } else if (absl::IsAlreadyExists(created.status())) {
        LADDER_RETURN_IF_ERROR(refresh());
        if (by_name.count(display_name) == 0) return created.status();
      } else {
        return created.status();
      }
    }
    teams.push_back(by_name[display_name]);
  }
  return teams;
}

absl::Status BranchLoader::EnsureEmployees(const PlannedCounty& plan, const std::string& county,
                                           const std::vector<v1::Team>& teams, Roster& roster) {
  for (const PlannedEmployee& planned : plan.employees) {
    if (roster.count(planned.employee_number) > 0 || left_alone_.count(planned.employee_number) > 0) {
      continue;
    }
    v1::CreateEmployeeRequest create;
    v1::Employee& employee = *create.mutable_employee();
    employee.set_employee_number(planned.employee_number);
    employee.set_display_name(planned.display_name);
    employee.set_county(county);
    employee.set_team(teams[planned.team].name());
    employee.set_role(planned.role);
    employee.set_entry_channel(planned.entry_channel);
    *employee.mutable_hire_date() = ToDate(planned.hire_date);
    employee.set_post_grade(planned.post_grade);
    create.set_request_id(RequestId("emp", planned.employee_number, "create"));
    absl::StatusOr<v1::Employee> created = client_.CreateEmployee(create);
    if (created.ok()) {
      ++stats_.employees_created;
      roster[planned.employee_number] = *std::move(created);
      continue;
    }
    // The number is taken, by someone the county listing did not show (created since, or
    // moved to another county); the error does not say who, as it may be out of reach.
    if (!absl::IsAlreadyExists(created.status())) return created.status();
    absl::PrintF("    note: %s is already used by another employee; left as it is\n", planned.employee_number);
  }
  return absl::OkStatus();
}

absl::Status BranchLoader::EnsureSupervisors(const PlannedCounty& plan, const std::vector<v1::Team>& teams,
                                             const Roster& roster) {
  for (size_t i = 0; i < plan.teams.size(); ++i) {
    // A supervisor recorded by anyone, the seed or HR, stays.
    if (!teams[i].supervisor().empty()) continue;
    const PlannedEmployee& planned = plan.employees[plan.teams[i].supervisor];
    const v1::Employee* supervisor = Find(roster, planned.employee_number);
    if (supervisor == nullptr || IsSeparated(*supervisor) || supervisor->role() != Role::ROLE_GROUP_DATA_SUPERVISOR) {
      continue;
    }
    v1::UpdateTeamRequest update;
    update.mutable_team()->set_name(teams[i].name());
    update.mutable_team()->set_supervisor(supervisor->name());
    update.mutable_update_mask()->add_paths("supervisor");
    update.set_request_id(RequestId("team", absl::StrCat(plan.prefix, i + 1), "supervisor"));
    LADDER_RETURN_IF_ERROR(client_.UpdateTeam(update).status());
    ++stats_.supervisors_set;
  }
  return absl::OkStatus();
}

absl::Status BranchLoader::ChangeLevel(const PlannedEmployee& planned, v1::Employee& current, Level level,
                                       absl::CivilDay day, const std::string& reason) {
  v1::ChangeLevelRequest request;
  request.set_name(current.name());
  request.set_expected_level(current.level());
  request.set_level(level);
  request.set_reason(reason);
  *request.mutable_effective_date() = ToDate(day);
  request.set_request_id(RequestId("emp", planned.employee_number, LevelWord(level)));
  absl::StatusOr<v1::Employee> changed = client_.ChangeLevel(request);
  if (!changed.ok()) return changed.status();
  current = *std::move(changed);
  return absl::OkStatus();
}

absl::Status BranchLoader::EnsureLevels(const PlannedCounty& plan, Roster& roster) {
  // Step by step over the whole county (every initial level, then every promotion, then
  // the resignations), the order in which such a history is usually recorded.
  for (const PlannedEmployee& planned : plan.employees) {
    if (planned.target_level == Level::LEVEL_UNSPECIFIED) continue;
    v1::Employee* current = Find(roster, planned.employee_number);
    if (current == nullptr || IsSeparated(*current) || current->role() != Role::ROLE_CUSTOMER_MANAGER ||
        current->level() != Level::LEVEL_UNSPECIFIED) {
      continue;
    }
    absl::CivilDay not_before = planned.hire_date;
    if (current->status() == EmploymentStatus::EMPLOYMENT_STATUS_ON_TRIAL) {
      LADDER_ASSIGN_OR_RETURN(const absl::CivilDay trial_ends, ToCivilDay(current->trial_ends_on(), "trial_ends_on"));
      if (trial_ends >= today_) continue;  // The level can only follow the trial.
      not_before = trial_ends + 1;
    }
    const bool external = current->entry_channel() == EntryChannel::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT;
    LADDER_RETURN_IF_ERROR(ChangeLevel(planned, *current, Level::LEVEL_JUNIOR,
                                       Effective(planned, *current, planned.junior_on, not_before),
                                       external ? "外部招聘笔试、面试合格，定为初级" : "试岗期满，考核合格，定为初级"));
    ++stats_.initial_levels;
  }
  for (const PlannedEmployee& planned : plan.employees) {
    if (planned.target_level < Level::LEVEL_INTERMEDIATE) continue;
    v1::Employee* current = Find(roster, planned.employee_number);
    if (current == nullptr || IsSeparated(*current) || current->level() != Level::LEVEL_JUNIOR) {
      continue;
    }
    LADDER_ASSIGN_OR_RETURN(const absl::CivilDay since, ToCivilDay(current->level_since(), "level_since"));
    LADDER_RETURN_IF_ERROR(ChangeLevel(planned, *current, Level::LEVEL_INTERMEDIATE,
                                       Effective(planned, *current, planned.intermediate_on, since + 1),
                                       "连续考核优秀，晋升中级"));
    ++stats_.promotions_to_intermediate;
  }
  for (const PlannedEmployee& planned : plan.employees) {
    if (!planned.resigns) continue;
    v1::Employee* current = Find(roster, planned.employee_number);
    if (current == nullptr || IsSeparated(*current)) continue;
    absl::CivilDay not_before = planned.hire_date;
    if (const auto since = ToCivilDay(current->level_since(), "level_since"); since.ok()) {
      not_before = *since + 1;
    }
    v1::EndEmploymentRequest request;
    request.set_name(current->name());
    request.set_reason(v1::SEPARATION_REASON_RESIGNED);
    request.set_note("个人原因辞职");
    *request.mutable_effective_date() = ToDate(Effective(planned, *current, planned.resigns_on, not_before));
    request.set_request_id(RequestId("emp", planned.employee_number, "resign"));
    LADDER_ASSIGN_OR_RETURN(*current, client_.EndEmployment(request));
    ++stats_.separations;
  }
  return absl::OkStatus();
}

absl::Status BranchLoader::EnsureSeniors(const PlannedCounty& plan, const std::string& county, Roster& roster,
                                         std::string& note) {
  v1::GetCountyQuotaRequest get_quota;
  get_quota.set_name(absl::StrCat(county, "/quota"));
  LADDER_ASSIGN_OR_RETURN(const v1::CountyQuota quota, client_.GetCountyQuota(get_quota));
  int free = quota.free_senior_slots();
  int promoted = 0;
  std::string refusal;
  for (int index : plan.senior_candidates) {
    const PlannedEmployee& planned = plan.employees[index];
    v1::Employee* current = Find(roster, planned.employee_number);
    if (current == nullptr || IsSeparated(*current) || current->level() != Level::LEVEL_INTERMEDIATE) {
      continue;
    }
    if (plan.free_senior_slots > 0 && free <= plan.free_senior_slots) break;
    LADDER_ASSIGN_OR_RETURN(const absl::CivilDay since, ToCivilDay(current->level_since(), "level_since"));
    const absl::Status promotion =
        ChangeLevel(planned, *current, Level::LEVEL_SENIOR, Effective(planned, *current, planned.senior_on, since + 1),
                    "连续考核优秀，县区有高级名额，晋升高级");
    if (promotion.ok()) {
      ++stats_.promotions_to_senior;
      ++promoted;
      --free;
      continue;
    }
    // Filling the county to its cap ends when the service refuses the next promotion.
    if (plan.free_senior_slots == 0 && ErrorReason(promotion) == std::string(reason::kSeniorCapReached)) {
      ++stats_.cap_refusals;
      refusal = absl::StrCat(planned.employee_number, " refused as expected (", reason::kSeniorCapReached, ": ",
                             ErrorMetadata(promotion, "holders"), " seniors, cap ", ErrorMetadata(promotion, "cap"),
                             " of ", ErrorMetadata(promotion, "levelled_customer_managers"), " levelled)");
      break;
    }
    return promotion;
  }

  // The cap is the service's to keep; check that it did.
  LADDER_ASSIGN_OR_RETURN(const v1::CountyQuota after, client_.GetCountyQuota(get_quota));
  if (!refusal.empty() && after.free_senior_slots() > 0) {
    return absl::InternalError(absl::StrCat("ChangeLevel refused a senior promotion in ", county,
                                            " with SENIOR_CAP_REACHED, but "
                                            "GetCountyQuota reports ",
                                            after.free_senior_slots(),
                                            " free senior slots: ", after.ShortDebugString()));
  }
  if (promoted > 0 && after.over_cap()) {
    return absl::InternalError(absl::StrCat("after ", promoted, " senior promotions ", county,
                                            " is over its senior cap: ", after.ShortDebugString()));
  }
  if (!refusal.empty()) {
    note = absl::StrCat("senior promotion of ", refusal);
  } else if (plan.free_senior_slots == 0 && after.free_senior_slots() > 0) {
    // The plan holds enough candidates for a 20% share; a larger one leaves room.
    note = absl::StrCat("no senior candidates left; ", after.free_senior_slots(), " senior slots stay free");
  }
  return absl::OkStatus();
}

}  // namespace ladder::seed
