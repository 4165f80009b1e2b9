#pragma once

// Lists to the last page, and the names people use turned into resource names: a county
// by its name (柯城区), an employee by number (工号), a cycle by its name (2026年第三季度),
// a scorecard by its name. Resource names ("orgUnits/3") are accepted everywhere too.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/ladderctl/clients.h"

namespace ladder::ladderctl {

namespace pv1 = ::ladder::personnel::v1;
namespace ev1 = ::ladder::evaluation::v1;
namespace cv1 = ::ladder::careerpath::v1;

absl::StatusOr<std::vector<pv1::OrgUnit>> ListAllOrgUnits(Clients& clients, pv1::ListOrgUnitsRequest request = {});
absl::StatusOr<std::vector<pv1::Team>> ListAllTeams(Clients& clients, pv1::ListTeamsRequest request = {});
absl::StatusOr<std::vector<pv1::Employee>> ListAllEmployees(Clients& clients, pv1::ListEmployeesRequest request = {});
absl::StatusOr<std::vector<ev1::Cycle>> ListAllCycles(Clients& clients, ev1::ListCyclesRequest request = {});
absl::StatusOr<std::vector<ev1::Scorecard>> ListAllScorecards(Clients& clients);
absl::StatusOr<std::vector<cv1::Case>> ListAllCases(Clients& clients, cv1::ListCasesRequest request = {});
// Every employee of the names, in batches of 1,000.
absl::StatusOr<std::map<std::string, pv1::Employee>> GetEmployees(Clients& clients,
                                                                  const std::vector<std::string>& names);

// "orgUnits/3", or the display name of an org unit (a county, or the city branch).
// NOT_FOUND naming the text and the known names when none matches.
absl::StatusOr<pv1::OrgUnit> ResolveOrgUnit(Clients& clients, const std::string& text);
// "employees/42", or an employee number (工号).
absl::StatusOr<pv1::Employee> ResolveEmployee(Clients& clients, const std::string& text);
// "cycles/2", "2", or a cycle's display name.
absl::StatusOr<ev1::Cycle> ResolveCycle(Clients& clients, const std::string& text);
// "scorecards/1", or a scorecard's display name.
absl::StatusOr<ev1::Scorecard> ResolveScorecard(Clients& clients, const std::string& text);
// "cases/7" or "7".
std::string CaseName(const std::string& text);

// Display names of org units by resource name, for tables.
absl::StatusOr<std::map<std::string, std::string>> OrgUnitNames(Clients& clients);
// Display names of teams by resource name.
absl::StatusOr<std::map<std::string, std::string>> TeamNames(Clients& clients);

}  // namespace ladder::ladderctl
