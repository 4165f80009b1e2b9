#include "tools/seed/personnel_client.h"

#include <string>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "google/rpc/error_details.pb.h"
#include "grpcpp/client_context.h"

namespace ladder::seed {
namespace {

constexpr int kAttempts = 4;
constexpr absl::Duration kFirstBackoff = absl::Milliseconds(250);
// The service's largest page: fewer round trips for a county of a few dozen people.
constexpr int kPageSize = 1000;

// Worth another try: the server or the network hiccuped. The request id makes a retried
// mutation return the first attempt's result if that one did commit.
bool IsTransient(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded;
}

// The same status (code and details, so callers can still branch on the ErrorInfo reason)
// with the call and its request in front of the message.
absl::Status Annotate(absl::string_view method, const google::protobuf::Message& request, const absl::Status& status) {
  absl::Status annotated(status.code(), absl::StrCat(method, " {", request.ShortDebugString(), "} failed: ",
                                                     absl::StatusCodeToString(status.code()), ": ", status.message()));
  status.ForEachPayload(
      [&annotated](absl::string_view type_url, const absl::Cord& payload) { annotated.SetPayload(type_url, payload); });
  return annotated;
}

}  // namespace

PersonnelClient::PersonnelClient(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline, std::string actor)
    : stub_(v1::PersonnelService::NewStub(channel)), deadline_(deadline), actor_(std::move(actor)) {}

template <typename Request, typename Response>
absl::StatusOr<Response> PersonnelClient::Call(absl::string_view method, Rpc<Request, Response> rpc,
                                               const Request& request) {
  absl::Duration backoff = kFirstBackoff;
  absl::Status status;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
    context.AddMetadata("x-ladder-actor", actor_);
    Response response;
    status = FromGrpcStatus((stub_.get()->*rpc)(&context, request, &response));
    if (status.ok()) return response;
    if (!IsTransient(status.code()) || attempt == kAttempts) break;
    absl::SleepFor(backoff);
    backoff *= 2;
  }
  return Annotate(method, request, status);
}

absl::StatusOr<v1::OrgUnit> PersonnelClient::CreateOrgUnit(const v1::CreateOrgUnitRequest& request) {
  return Call("CreateOrgUnit", &v1::PersonnelService::Stub::CreateOrgUnit, request);
}

absl::StatusOr<v1::Team> PersonnelClient::CreateTeam(const v1::CreateTeamRequest& request) {
  return Call("CreateTeam", &v1::PersonnelService::Stub::CreateTeam, request);
}

absl::StatusOr<v1::Team> PersonnelClient::UpdateTeam(const v1::UpdateTeamRequest& request) {
  return Call("UpdateTeam", &v1::PersonnelService::Stub::UpdateTeam, request);
}

absl::StatusOr<v1::Employee> PersonnelClient::CreateEmployee(const v1::CreateEmployeeRequest& request) {
  return Call("CreateEmployee", &v1::PersonnelService::Stub::CreateEmployee, request);
}

absl::StatusOr<v1::Employee> PersonnelClient::GetEmployee(const v1::GetEmployeeRequest& request) {
  return Call("GetEmployee", &v1::PersonnelService::Stub::GetEmployee, request);
}

absl::StatusOr<v1::Employee> PersonnelClient::ChangeLevel(const v1::ChangeLevelRequest& request) {
  return Call("ChangeLevel", &v1::PersonnelService::Stub::ChangeLevel, request);
}

absl::StatusOr<v1::Employee> PersonnelClient::EndEmployment(const v1::EndEmploymentRequest& request) {
  return Call("EndEmployment", &v1::PersonnelService::Stub::EndEmployment, request);
}

absl::StatusOr<v1::CountyQuota> PersonnelClient::GetCountyQuota(const v1::GetCountyQuotaRequest& request) {
  return Call("GetCountyQuota", &v1::PersonnelService::Stub::GetCountyQuota, request);
}

absl::StatusOr<std::vector<v1::OrgUnit>> PersonnelClient::ListAllOrgUnits(v1::ListOrgUnitsRequest request) {
  std::vector<v1::OrgUnit> all;
  request.set_page_size(kPageSize);
  do {
    absl::StatusOr<v1::ListOrgUnitsResponse> page =
        Call("ListOrgUnits", &v1::PersonnelService::Stub::ListOrgUnits, request);
    if (!page.ok()) return page.status();
    all.insert(all.end(), page->org_units().begin(), page->org_units().end());
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty());
  return all;
}

absl::StatusOr<std::vector<v1::Team>> PersonnelClient::ListAllTeams(v1::ListTeamsRequest request) {
  std::vector<v1::Team> all;
  request.set_page_size(kPageSize);
  do {
    absl::StatusOr<v1::ListTeamsResponse> page = Call("ListTeams", &v1::PersonnelService::Stub::ListTeams, request);
    if (!page.ok()) return page.status();
    all.insert(all.end(), page->teams().begin(), page->teams().end());
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty());
  return all;
}

absl::StatusOr<std::vector<v1::Employee>> PersonnelClient::ListAllEmployees(v1::ListEmployeesRequest request) {
  std::vector<v1::Employee> all;
  request.set_page_size(kPageSize);
  do {
    absl::StatusOr<v1::ListEmployeesResponse> page =
        Call("ListEmployees", &v1::PersonnelService::Stub::ListEmployees, request);
    if (!page.ok()) return page.status();
    all.insert(all.end(), page->employees().begin(), page->employees().end());
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty());
  return all;
}

std::string ErrorMetadata(const absl::Status& status, absl::string_view key) {
  // absl::optional, which is not std::optional in this Abseil build.
  const auto payload = status.GetPayload(kErrorInfoTypeUrl);
  google::rpc::ErrorInfo info;
  if (!payload.has_value() || !info.ParseFromString(std::string(*payload))) return "";
  const auto it = info.metadata().find(std::string(key));
  return it == info.metadata().end() ? "" : it->second;
}

}  // namespace ladder::seed
