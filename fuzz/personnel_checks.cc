// The PersonnelService validators (services/personnel/request_validation.h) and the text
// fields each of them checks.

#include "absl/time/civil_time.h"
#include "common/api/field_mask.h"
#include "fuzz/service_checks.h"
#include "services/personnel/request_validation.h"

namespace ladder::fuzz {
namespace {

namespace pv1 = ::ladder::personnel::v1;
using api::MaskIncludes;

// A fixed "today", so that a crash found on one day reproduces on any other.
constexpr absl::CivilDay kToday(2026, 6, 15);

}  // namespace

std::vector<RequestCheck> PersonnelChecks() {
  std::vector<RequestCheck> checks;
  checks.push_back(MakeCheck<pv1::CreateOrgUnitRequest>(
      "CreateOrgUnit", personnel::ValidateCreateOrgUnit, [](const pv1::CreateOrgUnitRequest& r) -> TextFields {
        return {{"request_id", r.request_id()},
                {"org_unit.display_name", r.org_unit().display_name()},
                {"org_unit.parent", r.org_unit().parent()}};
      }));
  checks.push_back(MakeCheck<pv1::CreateTeamRequest>("CreateTeam", personnel::ValidateCreateTeam,
                                                     [](const pv1::CreateTeamRequest& r) -> TextFields {
                                                       return {{"request_id", r.request_id()},
                                                               {"team.display_name", r.team().display_name()},
                                                               {"team.county", r.team().county()},
                                                               {"team.supervisor", r.team().supervisor()}};
                                                     }));
  checks.push_back(MakeCheck<pv1::UpdateTeamRequest>(
      "UpdateTeam", personnel::ValidateUpdateTeam, [](const pv1::UpdateTeamRequest& r) {
        TextFields texts = {
            {"request_id", r.request_id()}, {"team.name", r.team().name()}, {"team.supervisor", r.team().supervisor()}};
        if (MaskIncludes(r.update_mask(), "display_name")) {
          texts.push_back({"team.display_name", r.team().display_name()});
        }
        return texts;
      }));
  checks.push_back(MakeCheck<pv1::CreateEmployeeRequest>(
      "CreateEmployee", personnel::ValidateCreateEmployee, [](const pv1::CreateEmployeeRequest& r) -> TextFields {
        return {{"request_id", r.request_id()},
                {"employee.employee_number", r.employee().employee_number()},
                {"employee.display_name", r.employee().display_name()},
                {"employee.county", r.employee().county()},
                {"employee.team", r.employee().team()}};
      }));
  checks.push_back(MakeCheck<pv1::UpdateEmployeeRequest>(
      "UpdateEmployee", personnel::ValidateUpdateEmployee, [](const pv1::UpdateEmployeeRequest& r) {
        const auto& mask = r.update_mask();
        TextFields texts = {{"request_id", r.request_id()},
                            {"employee.name", r.employee().name()},
                            {"employee.etag", r.employee().etag()}};
        for (const std::string& path : mask.paths()) texts.push_back({"update_mask", path});
        if (MaskIncludes(mask, "display_name")) {
          texts.push_back({"employee.display_name", r.employee().display_name()});
        }
        if (MaskIncludes(mask, "employee_number")) {
          texts.push_back({"employee.employee_number", r.employee().employee_number()});
        }
        if (MaskIncludes(mask, "team")) texts.push_back({"employee.team", r.employee().team()});
        return texts;
      }));
  checks.push_back(MakeCheck<pv1::TransferEmployeeRequest>("TransferEmployee", personnel::ValidateTransferEmployee,
                                                           [](const pv1::TransferEmployeeRequest& r) -> TextFields {
                                                             return {{"request_id", r.request_id()},
                                                                     {"name", r.name()},
                                                                     {"county", r.county()},
                                                                     {"team", r.team()},
                                                                     {"reason", r.reason()}};
                                                           }));
  checks.push_back(MakeCheck<pv1::ChangeLevelRequest>("ChangeLevel", personnel::ValidateChangeLevel,
                                                      [](const pv1::ChangeLevelRequest& r) -> TextFields {
                                                        return {{"request_id", r.request_id()},
                                                                {"name", r.name()},
                                                                {"reason", r.reason()},
                                                                {"decision", r.decision()},
                                                                {"policy_version", r.policy_version()}};
                                                      }));
  checks.push_back(MakeCheck<pv1::ChangeRoleRequest>(
      "ChangeRole", personnel::ValidateChangeRole, [](const pv1::ChangeRoleRequest& r) -> TextFields {
        return {{"request_id", r.request_id()}, {"name", r.name()},         {"team", r.team()},
                {"reason", r.reason()},         {"decision", r.decision()}, {"policy_version", r.policy_version()}};
      }));
  checks.push_back(MakeCheck<pv1::EndEmploymentRequest>("EndEmployment", personnel::ValidateEndEmployment,
                                                        [](const pv1::EndEmploymentRequest& r) -> TextFields {
                                                          return {{"request_id", r.request_id()},
                                                                  {"name", r.name()},
                                                                  {"note", r.note()},
                                                                  {"decision", r.decision()},
                                                                  {"policy_version", r.policy_version()}};
                                                        }));
  checks.push_back(MakeCheck<pv1::ListEmployeesRequest>("ListEmployees", personnel::ValidateListEmployees,
                                                        [](const pv1::ListEmployeesRequest& r) -> TextFields {
                                                          return {{"county", r.county()}, {"team", r.team()}};
                                                        }));
  checks.push_back(MakeCheck<pv1::BatchGetEmployeesRequest>("BatchGetEmployees", personnel::ValidateBatchGetEmployees,
                                                            [](const pv1::BatchGetEmployeesRequest& r) {
                                                              TextFields texts;
                                                              for (const std::string& name : r.names())
                                                                texts.push_back({"names[]", name});
                                                              return texts;
                                                            }));
  checks.push_back(MakeCheck<pv1::ChangeLevelRequest>(
      "EffectiveDate",
      [](const pv1::ChangeLevelRequest& r) {
        absl::StatusOr<absl::CivilDay> day = personnel::EffectiveDate(r.effective_date(), "effective_date", kToday);
        if (day.ok()) Require(*day <= kToday, "EffectiveDate", "accepted a day after today");
        return day.status();
      },
      [](const pv1::ChangeLevelRequest&) { return TextFields{}; }));
  return checks;
}

std::vector<SeedExample> PersonnelSeeds() {
  return {
      {"CreateOrgUnit",
       R"pb(org_unit { display_name: "柯城区" kind: KIND_COUNTY parent: "orgUnits/1" }
            request_id: "3f2b9c1e-0d4a-4c55-9a6e-1b7f0e2d9c11")pb"},
      {"CreateTeam", R"pb(team { display_name: "一组" county: "orgUnits/2" supervisor: "employees/7" })pb"},
      {"UpdateTeam", R"pb(team { name: "teams/3" display_name: "二组" }
                          update_mask { paths: "display_name" })pb"},
      {"CreateEmployee", R"pb(employee {
                                employee_number: "E-1001"
                                display_name: "张三"
                                county: "orgUnits/2"
                                team: "teams/3"
                                role: ROLE_CUSTOMER_MANAGER
                                entry_channel: ENTRY_CHANNEL_EXTERNAL_RECRUITMENT
                                hire_date { year: 2025 month: 3 day: 1 }
                                post_grade: 12
                              }
                              request_id: "r-1")pb"},
      {"UpdateEmployee", R"pb(employee { name: "employees/42" display_name: "李四" team: "teams/3" }
                              update_mask { paths: "display_name" paths: "team" })pb"},
      {"TransferEmployee", R"pb(name: "employees/42"
                                county: "orgUnits/4"
                                reason: "调动"
                                effective_date { year: 2026 month: 1 day: 31 })pb"},
      {"ChangeLevel", R"pb(name: "employees/42"
                           expected_level: LEVEL_JUNIOR
                           level: LEVEL_INTERMEDIATE
                           reason: "review"
                           decision: "cases/9"
                           policy_version: "1.1.0")pb"},
      {"ChangeRole", R"pb(name: "employees/42" role: ROLE_GROUP_DATA_SUPERVISOR post_grade: 14 reason: "x")pb"},
      {"EndEmployment", R"pb(name: "employees/42" reason: SEPARATION_REASON_RESIGNED note: "")pb"},
      {"ListEmployees", R"pb(county: "orgUnits/2" role: ROLE_CUSTOMER_MANAGER page_size: 50)pb"},
      {"BatchGetEmployees", R"pb(names: "employees/1" names: "employees/2")pb"},
      {"EffectiveDate", R"pb(effective_date { year: 2024 month: 2 day: 29 })pb"},
  };
}

}  // namespace ladder::fuzz
