#pragma once

// Shared by the security tests: the three real services (TLS, verified callers, access
// policies) over scratch databases, a small branch with two counties to be in and out of
// scope of, the identities of every role, and calls made from text-format requests by
// method name, so one table can drive every RPC of every service.

#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/api/resource_name.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "services/careerpath/mysql_review_store.h"
#include "services/careerpath/review_operation.h"
#include "tests/services/careerpath/careerpath_test_base.h"
#include "tests/support/test_credentials.h"

namespace ladder::testing {

// Who a call is made as: a token role, a service certificate, or nobody.
struct Caller {
  std::string label;
  TestIdentity identity;  // used when token is true
  bool token = false;
  std::string certificate;  // a service name: mutual TLS as that service
};

inline Caller Anonymous() { return Caller{"anonymous", {}, false, ""}; }
inline Caller AsService(const std::string& service) { return Caller{"service:" + service, {}, false, service}; }
inline Caller AsUser(const TestIdentity& identity) { return Caller{identity.role, identity, true, ""}; }

class SecurityTestBase : public CareerPathServiceTestBase {
 protected:
  // The branch the tests act on; names filled in by BuildWorld().
  struct World {
    std::string city, county_a, county_b, team_a, team_b;
    pv1::Employee employee_a, employee_b;
    std::string scorecard, cycle_a, cycle_b, cycle_a_closing, evaluation_a, evaluation_b;
    std::string case_a, case_b;
    // Reviews of cycle A and cycle B (operations of RunCycleReview).
    std::string operation_a, operation_b;
    std::map<std::string, std::string> Placeholders() const {
      return {{"{city}", city},
              {"{countyA}", county_a},
              {"{countyB}", county_b},
              {"{teamA}", team_a},
              {"{teamB}", team_b},
              {"{empA}", employee_a.name()},
              {"{empB}", employee_b.name()},
              {"{scorecard}", scorecard},
              {"{cycleA}", cycle_a},
              {"{cycleB}", cycle_b},
              {"{cycleA2}", cycle_a_closing},
              {"{evalA}", evaluation_a},
              {"{evalB}", evaluation_b},
              {"{caseA}", case_a},
              {"{caseB}", case_b},
              {"{opA}", operation_a},
              {"{opB}", operation_b}};
    }
  };

  World BuildWorld() {
    World world;
    world.city = CreateCityBranch().name();
    world.county_a = CreateCounty(world.city);
    world.county_b = CreateCounty(world.city);
    world.team_a = CreateTeam(world.county_a);
    world.team_b = CreateTeam(world.county_b);
    // Four juniors and a senior of long standing per county: the county has a senior
    // slot, and the senior (the one the scoped callers are about) may be nominated.
    for (int i = 0; i < 4; ++i) {
      CreateManagerAt(world.county_a, kJunior, world.team_a);
      CreateManagerAt(world.county_b, kJunior, world.team_b);
    }
    world.employee_a = SeniorInTeam(world.county_a, world.team_a);
    world.employee_b = SeniorInTeam(world.county_b, world.team_b);
    world.scorecard = CreateScorecard().name();
    world.cycle_a = CreateCycle(world.county_a, world.scorecard).name();
    world.cycle_b = CreateCycle(world.county_b, world.scorecard).name();
    world.cycle_a_closing = CreateCycle(world.county_a, world.scorecard).name();
    world.evaluation_a = EvaluationName(world.cycle_a, world.employee_a.name());
    world.evaluation_b = EvaluationName(world.cycle_b, world.employee_b.name());
    world.operation_a = StartedReview(world.cycle_a);
    world.operation_b = StartedReview(world.cycle_b);
    world.case_a = Nominate(world.employee_a.name());
    world.case_b = Nominate(world.employee_b.name());
    return world;
  }

  // A review of `cycle` as RunCycleReview records it, made in the store: the cycle is not
  // finalised, so the call would refuse it (the worker then ends it as failed, which keeps
  // its operation and scope).
  std::string StartedReview(const std::string& cycle) {
    db::ConnectionPool pool(careerpath_database_->options());
    careerpath::MySqlReviewStore reviews(&pool);
    db::MutationContext context;
    context.actor = "user:test";
    context.role = "HR_ADMIN";
    context.request.method = "/ladder.careerpath.v1.CareerPathService/RunCycleReview";
    absl::StatusOr<careerpath::Review> review = reviews.StartReview(api::IdOf(cycle), 1, context);
    EXPECT_TRUE(review.ok()) << review.status();
    return review.ok() ? careerpath::OperationName(review->id) : "";
  }

  // A senior since 2023 (hired 2020) in `team`.
  pv1::Employee SeniorInTeam(const std::string& county, const std::string& team) {
    pv1::Employee employee =
        CreateEmployee(county, pv1::ROLE_CUSTOMER_MANAGER, pv1::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT, team);
    pv1::Employee result = employee;
    Level held = Level::LEVEL_UNSPECIFIED;
    for (Level next : {kJunior, kIntermediate, kSenior}) {
      const absl::CivilDay day = next == kSenior ? absl::CivilDay(2023, 1, 1) : absl::CivilDay(2020, 3, 1);
      EXPECT_THAT(ChangeLevelOn(employee.name(), held, next, day, &result), IsOk());
      held = next;
    }
    return result;
  }

  std::string Nominate(const std::string& employee) {
    cv1::NominateCareerMoveRequest request;
    request.set_employee(employee);
    request.set_target(common::v1::CAREER_MOVE_TARGET_OTHER_POST);
    request.set_post_grade(9);
    request.set_reason("matrix");
    cv1::Case created;
    EXPECT_THAT(CallCareer(&CareerStub::NominateCareerMove, request, &created), IsOk());
    return created.name();
  }

  // The callers of the matrix, scoped to county A, team A and employee A of `world`.
  static std::vector<Caller> Callers(const World& world) {
    return {
        {"HR_ADMIN", {"hr-admin", "HR_ADMIN"}, true, ""},
        {"AUDITOR", {"auditor", "AUDITOR"}, true, ""},
        {"COUNTY_HR", {"county-hr", "COUNTY_HR", {world.county_a}}, true, ""},
        {"SUPERVISOR", {"supervisor", "SUPERVISOR", {}, world.team_a}, true, ""},
        {"SERVICE_STAFF", {"service-staff", "SERVICE_STAFF", {}, world.team_a}, true, ""},
        {"EMPLOYEE", {"employee", "EMPLOYEE", {}, "", world.employee_a.name()}, true, ""},
        {"PAYROLL", {"payroll", "PAYROLL"}, true, ""},
        {"OPERATOR", {"on-call", "OPERATOR"}, true, ""},
        {"service:personnel", {}, false, "personnel"},
        {"service:evaluation", {}, false, "evaluation"},
        {"service:careerpath", {}, false, "careerpath"},
        {"anonymous", {}, false, ""},
    };
  }

  // Calls `method` ("/pkg.Service/Method") at `address` with the request written in text
  // format, as `caller`.
  static grpc::Status RawCall(const std::string& address, const std::string& method, const std::string& text,
                              const Caller& caller) {
    const std::string service_name = method.substr(1, method.rfind('/') - 1);
    const std::string method_name = method.substr(method.rfind('/') + 1);
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_name);
    if (service == nullptr) return grpc::Status(grpc::StatusCode::INTERNAL, "no such service");
    const google::protobuf::MethodDescriptor* descriptor = service->FindMethodByName(method_name);
    if (descriptor == nullptr) return grpc::Status(grpc::StatusCode::INTERNAL, "no such method");
    std::unique_ptr<google::protobuf::Message> request(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor->input_type())->New());
    if (!google::protobuf::TextFormat::ParseFromString(text, request.get())) {
      return grpc::Status(grpc::StatusCode::INTERNAL, "bad text request in the test: " + text);
    }
    return RawBytesCall(address, method, request->SerializeAsString(), caller);
  }

  // Sends `bytes` as the request of `method`, unparsed: for hostile input.
  static grpc::Status RawBytesCall(const std::string& address, const std::string& method, const std::string& bytes,
                                   const Caller& caller) {
    grpc::GenericStub stub(ChannelFor(address, caller));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    if (caller.token) Authorize(context, caller.identity);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status status) { done.set_value(std::move(status)); });
    grpc::Status status = done.get_future().get();
    ExpectWellFormedRefusal(status, method);
    return status;
  }

  // Every refusal the security tests see: never INTERNAL, never the database's own words,
  // and a google.rpc.ErrorInfo to branch on — except where gRPC itself answers (no identity,
  // a message over the size limit, a deadline).
  static void ExpectWellFormedRefusal(const grpc::Status& status, const std::string& method) {
    if (status.ok()) return;
    EXPECT_NE(status.error_code(), grpc::StatusCode::INTERNAL) << method << ": " << status.error_message();
    for (const char* database_text : {"MySQL", "Duplicate entry", "for key", "SQLSTATE", "Deadlock", "errno"}) {
      EXPECT_EQ(status.error_message().find(database_text), std::string::npos)
          << method << " answered with database text: " << status.error_message();
    }
    const bool from_grpc =
        status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
        status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
        status.error_code() == grpc::StatusCode::CANCELLED ||
        (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED && status.error_details().empty());
    if (!from_grpc) {
      EXPECT_TRUE(ErrorReason(FromGrpcStatus(status)).has_value())
          << method << " refused (" << status.error_code() << ") without an ErrorInfo: " << status.error_message();
    }
  }

  static std::shared_ptr<grpc::Channel> ChannelFor(const std::string& address, const Caller& caller) {
    // One channel per address and certificate: handshakes are not what is tested here.
    static auto* const channels = new std::map<std::string, std::shared_ptr<grpc::Channel>>();
    const std::string key = absl::StrCat(address, "|", caller.certificate);
    auto it = channels->find(key);
    if (it != channels->end()) return it->second;
    auto channel = grpc::CreateChannel(address, ClientCredentials(caller.certificate));
    (*channels)[key] = channel;
    return channel;
  }

  static std::string Fill(const std::string& text, const World& world) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& [key, value] : world.Placeholders()) pairs.emplace_back(key, value);
    return absl::StrReplaceAll(text, pairs);
  }
};

}  // namespace ladder::testing
