#include "tools/ladderctl/resolve.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace ladder::ladderctl {
namespace {

constexpr int kPageSize = 1000;

bool LooksLikeName(absl::string_view text, absl::string_view collection) {
  if (!absl::ConsumePrefix(&text, collection) || !absl::ConsumePrefix(&text, "/")) return false;
  int64_t id = 0;
  return absl::SimpleAtoi(text, &id) && id > 0;
}

template <typename Request, typename Response, typename Item, typename Stub>
absl::StatusOr<std::vector<Item>> ListAll(Clients& clients, Stub& stub,
                                          grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&, Response*),
                                          const char* method, Request request,
                                          const google::protobuf::RepeatedPtrField<Item>& (Response::*items)() const) {
  std::vector<Item> all;
  request.set_page_size(kPageSize);
  do {
    Response page;
    absl::Status status = clients.Call(stub, rpc, method, request, &page, 3.0);
    if (!status.ok()) return status;
    const auto& got = (page.*items)();
    all.insert(all.end(), got.begin(), got.end());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return all;
}

}  // namespace

absl::StatusOr<std::vector<pv1::OrgUnit>> ListAllOrgUnits(Clients& clients, pv1::ListOrgUnitsRequest request) {
  return ListAll(clients, clients.personnel(), &pv1::PersonnelService::Stub::ListOrgUnits,
                 "PersonnelService.ListOrgUnits", std::move(request), &pv1::ListOrgUnitsResponse::org_units);
}

absl::StatusOr<std::vector<pv1::Team>> ListAllTeams(Clients& clients, pv1::ListTeamsRequest request) {
  return ListAll(clients, clients.personnel(), &pv1::PersonnelService::Stub::ListTeams, "PersonnelService.ListTeams",
                 std::move(request), &pv1::ListTeamsResponse::teams);
}

absl::StatusOr<std::vector<pv1::Employee>> ListAllEmployees(Clients& clients, pv1::ListEmployeesRequest request) {
  return ListAll(clients, clients.personnel(), &pv1::PersonnelService::Stub::ListEmployees,
                 "PersonnelService.ListEmployees", std::move(request), &pv1::ListEmployeesResponse::employees);
}

absl::StatusOr<std::vector<ev1::Cycle>> ListAllCycles(Clients& clients, ev1::ListCyclesRequest request) {
  return ListAll(clients, clients.evaluation(), &ev1::EvaluationService::Stub::ListCycles,
                 "EvaluationService.ListCycles", std::move(request), &ev1::ListCyclesResponse::cycles);
}

absl::StatusOr<std::vector<ev1::Scorecard>> ListAllScorecards(Clients& clients) {
  return ListAll(clients, clients.evaluation(), &ev1::EvaluationService::Stub::ListScorecards,
                 "EvaluationService.ListScorecards", ev1::ListScorecardsRequest(),
                 &ev1::ListScorecardsResponse::scorecards);
}

absl::StatusOr<std::vector<cv1::Case>> ListAllCases(Clients& clients, cv1::ListCasesRequest request) {
  return ListAll(clients, clients.careerpath(), &cv1::CareerPathService::Stub::ListCases, "CareerPathService.ListCases",
                 std::move(request), &cv1::ListCasesResponse::cases);
}

absl::StatusOr<std::map<std::string, pv1::Employee>> GetEmployees(Clients& clients,
                                                                  const std::vector<std::string>& names) {
  std::vector<std::string> unique = names;
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  std::map<std::string, pv1::Employee> found;
  for (size_t begin = 0; begin < unique.size(); begin += kPageSize) {
    pv1::BatchGetEmployeesRequest request;
    for (size_t i = begin; i < std::min(unique.size(), begin + kPageSize); ++i) {
      request.add_names(unique[i]);
    }
    pv1::BatchGetEmployeesResponse response;
    absl::Status status = clients.Call(clients.personnel(), &pv1::PersonnelService::Stub::BatchGetEmployees,
                                       "PersonnelService.BatchGetEmployees", request, &response, 3.0);
    if (!status.ok()) return status;
    for (const pv1::Employee& employee : response.employees()) found[employee.name()] = employee;
  }
  return found;
}

absl::StatusOr<pv1::OrgUnit> ResolveOrgUnit(Clients& clients, const std::string& text) {
  if (LooksLikeName(text, "orgUnits")) {
    pv1::GetOrgUnitRequest request;
    request.set_name(text);
    pv1::OrgUnit unit;
    absl::Status status = clients.Call(clients.personnel(), &pv1::PersonnelService::Stub::GetOrgUnit,
                                       "PersonnelService.GetOrgUnit", request, &unit);
    if (!status.ok()) return status;
    return unit;
  }
  absl::StatusOr<std::vector<pv1::OrgUnit>> units = ListAllOrgUnits(clients);
  if (!units.ok()) return units.status();
  std::vector<pv1::OrgUnit> matches;
  std::vector<std::string> known;
  for (const pv1::OrgUnit& unit : *units) {
    known.push_back(unit.display_name());
    if (unit.display_name() == text) matches.push_back(unit);
  }
  if (matches.size() == 1) return matches[0];
  if (matches.size() > 1) {
    std::vector<std::string> names;
    for (const auto& unit : matches) names.push_back(unit.name());
    return absl::FailedPreconditionError(absl::StrCat("'", text, "' names ", matches.size(), " org units (",
                                                      absl::StrJoin(names, ", "), "); give the resource name instead"));
  }
  return absl::NotFoundError(
      absl::StrCat("no org unit is called '", text, "'",
                   known.empty() ? " (there are none yet)" : absl::StrCat("; known: ", absl::StrJoin(known, ", "))));
}

absl::StatusOr<pv1::Employee> ResolveEmployee(Clients& clients, const std::string& text) {
  if (LooksLikeName(text, "employees")) {
    pv1::GetEmployeeRequest request;
    request.set_name(text);
    pv1::Employee employee;
    absl::Status status = clients.Call(clients.personnel(), &pv1::PersonnelService::Stub::GetEmployee,
                                       "PersonnelService.GetEmployee", request, &employee);
    if (!status.ok()) return status;
    return employee;
  }
  absl::StatusOr<std::vector<pv1::Employee>> employees = ListAllEmployees(clients);
  if (!employees.ok()) return employees.status();
  for (const pv1::Employee& employee : *employees) {
    if (employee.employee_number() == text) return employee;
  }
  return absl::NotFoundError(absl::StrCat("no employee has the number (工号) '", text, "'"));
}

absl::StatusOr<ev1::Cycle> ResolveCycle(Clients& clients, const std::string& text) {
  std::string name = text;
  int64_t id = 0;
  if (absl::SimpleAtoi(text, &id) && id > 0) name = absl::StrCat("cycles/", id);
  if (LooksLikeName(name, "cycles")) {
    ev1::GetCycleRequest request;
    request.set_name(name);
    ev1::Cycle cycle;
    absl::Status status = clients.Call(clients.evaluation(), &ev1::EvaluationService::Stub::GetCycle,
                                       "EvaluationService.GetCycle", request, &cycle);
    if (!status.ok()) return status;
    return cycle;
  }
  absl::StatusOr<std::vector<ev1::Cycle>> cycles = ListAllCycles(clients);
  if (!cycles.ok()) return cycles.status();
  std::vector<ev1::Cycle> matches;
  std::vector<std::string> known;
  for (const ev1::Cycle& cycle : *cycles) {
    known.push_back(absl::StrCat(cycle.display_name(), " (", cycle.name(), ")"));
    if (cycle.display_name() == text) matches.push_back(cycle);
  }
  if (matches.size() == 1) return matches[0];
  if (matches.size() > 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("'", text, "' names ", matches.size(), " cycles (of different scopes); give cycles/N"));
  }
  return absl::NotFoundError(absl::StrCat("no cycle is called '", text, "'",
                                          known.empty() ? "" : absl::StrCat("; known: ", absl::StrJoin(known, ", "))));
}

absl::StatusOr<ev1::Scorecard> ResolveScorecard(Clients& clients, const std::string& text) {
  absl::StatusOr<std::vector<ev1::Scorecard>> scorecards = ListAllScorecards(clients);
  if (!scorecards.ok()) return scorecards.status();
  for (const ev1::Scorecard& scorecard : *scorecards) {
    if (scorecard.name() == text || scorecard.display_name() == text) return scorecard;
  }
  return absl::NotFoundError(absl::StrCat("no scorecard is called '", text, "'"));
}

std::string CaseName(const std::string& text) {
  int64_t id = 0;
  if (absl::SimpleAtoi(text, &id)) return absl::StrCat("cases/", id);
  return text;
}

absl::StatusOr<std::map<std::string, std::string>> OrgUnitNames(Clients& clients) {
  absl::StatusOr<std::vector<pv1::OrgUnit>> units = ListAllOrgUnits(clients);
  if (!units.ok()) return units.status();
  std::map<std::string, std::string> names;
  for (const pv1::OrgUnit& unit : *units) names[unit.name()] = unit.display_name();
  return names;
}

absl::StatusOr<std::map<std::string, std::string>> TeamNames(Clients& clients) {
  absl::StatusOr<std::vector<pv1::Team>> teams = ListAllTeams(clients);
  if (!teams.ok()) return teams.status();
  std::map<std::string, std::string> names;
  for (const pv1::Team& team : *teams) names[team.name()] = team.display_name();
  return names;
}

}  // namespace ladder::ladderctl
