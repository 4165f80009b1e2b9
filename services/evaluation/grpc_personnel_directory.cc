#include <algorithm>
#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/db/call_deadline.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "services/evaluation/personnel_directory.h"

namespace ladder::evaluation {
namespace {

namespace pv1 = ::ladder::personnel::v1;

using api::IdOf;

// Maps a failed call to personnel for our callers: its unavailability is ours.
absl::Status Upstream(const grpc::Status& status, absl::string_view what) {
  absl::Status converted = FromGrpcStatus(status);
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return ErrorWithReason(absl::StatusCode::kUnavailable, "PERSONNEL_UNAVAILABLE",
                           absl::StrCat("the personnel service is unavailable (", what, "); retry later"));
  }
  return converted;
}

class GrpcPersonnelDirectory final : public PersonnelDirectory {
 public:
  GrpcPersonnelDirectory(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline)
      : stub_(pv1::PersonnelService::NewStub(std::move(channel))), deadline_(deadline) {}

  absl::StatusOr<std::vector<ParticipantRecord>> ListParticipants(const std::string& scope,
                                                                  absl::string_view field) override {
    pv1::GetOrgUnitRequest get;
    get.set_name(scope);
    pv1::OrgUnit unit;
    {
      auto context = Context();
      grpc::Status status = stub_->GetOrgUnit(context.get(), get, &unit);
      if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
        return InvalidFieldError(field, absl::StrCat(scope, " does not exist in personnel"));
      }
      if (!status.ok()) return Upstream(status, "GetOrgUnit");
    }
    std::vector<std::string> counties;
    if (unit.kind() == pv1::OrgUnit::KIND_COUNTY) {
      counties.push_back(unit.name());
    } else {
      pv1::ListOrgUnitsRequest list;
      list.set_parent(unit.name());
      list.set_kind(pv1::OrgUnit::KIND_COUNTY);
      list.set_page_size(1000);
      do {
        pv1::ListOrgUnitsResponse page;
        auto context = Context();
        grpc::Status status = stub_->ListOrgUnits(context.get(), list, &page);
        if (!status.ok()) return Upstream(status, "ListOrgUnits");
        for (const auto& county : page.org_units()) counties.push_back(county.name());
        list.set_page_token(page.next_page_token());
      } while (!list.page_token().empty());
    }
    std::vector<ParticipantRecord> participants;
    for (const std::string& county : counties) {
      pv1::ListEmployeesRequest list;
      list.set_county(county);
      list.set_role(pv1::ROLE_CUSTOMER_MANAGER);
      list.set_status(pv1::EMPLOYMENT_STATUS_ACTIVE);
      list.set_page_size(1000);
      do {
        pv1::ListEmployeesResponse page;
        auto context = Context();
        grpc::Status status = stub_->ListEmployees(context.get(), list, &page);
        if (!status.ok()) return Upstream(status, "ListEmployees");
        for (const auto& employee : page.employees()) {
          if (employee.level() == common::v1::LEVEL_UNSPECIFIED) continue;
          participants.push_back(ParticipantRecord{IdOf(employee.name()), IdOf(employee.county()),
                                                   IdOf(employee.team()), employee.level()});
        }
        list.set_page_token(page.next_page_token());
      } while (!list.page_token().empty());
    }
    return participants;
  }

  absl::StatusOr<pv1::Employee> GetEmployee(const std::string& name) override {
    pv1::GetEmployeeRequest request;
    request.set_name(name);
    pv1::Employee employee;
    auto context = Context();
    grpc::Status status = stub_->GetEmployee(context.get(), request, &employee);
    if (!status.ok()) return Upstream(status, "GetEmployee");
    return employee;
  }

  absl::StatusOr<pv1::OrgUnit> GetOrgUnit(const std::string& name) override {
    pv1::GetOrgUnitRequest request;
    request.set_name(name);
    pv1::OrgUnit unit;
    auto context = Context();
    grpc::Status status = stub_->GetOrgUnit(context.get(), request, &unit);
    if (!status.ok()) return Upstream(status, "GetOrgUnit");
    return unit;
  }

 private:
  std::unique_ptr<grpc::ClientContext> Context() const {
    auto context = std::make_unique<grpc::ClientContext>();
    // The call being served bounds the calls it makes: none outlives its caller's deadline.
    context->set_deadline(absl::ToChronoTime(std::min(absl::Now() + deadline_, db::CurrentCallDeadline())));
    return context;
  }

  std::unique_ptr<pv1::PersonnelService::Stub> stub_;
  absl::Duration deadline_;
};

}  // namespace

std::unique_ptr<PersonnelDirectory> MakeGrpcPersonnelDirectory(std::shared_ptr<grpc::Channel> channel,
                                                               absl::Duration deadline) {
  return std::make_unique<GrpcPersonnelDirectory>(std::move(channel), deadline);
}

}  // namespace ladder::evaluation
