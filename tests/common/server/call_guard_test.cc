// The call guard's decision on its own, without a server or a database: the order of its
// steps (limits before any lookup, scopes only for limited grants), what a refusal says and
// records, and what the wire parser refuses.

#include "common/server/call_guard.h"

#include <string>
#include <vector>

#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/slice.h"
#include "gtest/gtest.h"
#include "ladder/personnel/v1/personnel_service.pb.h"

namespace ladder::server {
namespace {

using ::ladder::personnel::v1::BatchGetEmployeesRequest;
using ::testing::HasSubstr;

auth::Principal Caller(auth::Role role, std::vector<int64_t> counties = {}) {
  auth::Principal principal;
  principal.actor = "user:guard-test-" + std::string(auth::RoleName(role));
  principal.role = role;
  principal.counties = std::move(counties);
  return principal;
}

class CallGuardTest : public ::testing::Test {
 protected:
  CallGuardTest()
      : guard_(
            "ladder.personnel.v1.PersonnelService", nullptr,
            [this](const db::AuditEvent& event) {
              recorded_.push_back(event);
              return absl::OkStatus();
            },
            "personnel.ladder") {}

  // An access rule over batches: HR admins anything, county HR their own counties; the
  // scope is the county named by the request's first name ("orgUnits/7" → 7), counted.
  Access<BatchGetEmployeesRequest> Rule() {
    Access<BatchGetEmployeesRequest> access{{auth::kHrAdmin, auth::kCountyHrOwnCounties}};
    access.limits = [](const BatchGetEmployeesRequest& request) -> absl::Status {
      if (request.names_size() > 3) return InvalidFieldError("names", "at most 3");
      return absl::OkStatus();
    };
    access.scope = [this](const BatchGetEmployeesRequest& request) -> absl::StatusOr<auth::Scope> {
      ++lookups_;
      if (request.names_size() == 0) return absl::NotFoundError("nothing");
      if (request.names(0) == "broken") return absl::UnavailableError("the directory is down");
      return auth::Scope{{std::stoll(request.names(0))}, 0, 0};
    };
    return access;
  }

  static BatchGetEmployeesRequest Naming(std::vector<std::string> names) {
    BatchGetEmployeesRequest request;
    for (std::string& name : names) request.add_names(std::move(name));
    return request;
  }

  absl::Status Authorize(const auth::Principal& caller, BatchGetEmployeesRequest request,
                         const Access<BatchGetEmployeesRequest>& access) {
    return guard_.Authorize(context_, "BatchGetEmployees", access, caller, request);
  }

  grpc::ServerContext context_;
  std::vector<db::AuditEvent> recorded_;
  int lookups_ = 0;
  CallGuard guard_;
};

TEST_F(CallGuardTest, ARoleTheRuleDoesNotNameIsRefusedWithoutALookupAndTheRefusalRecorded) {
  const auth::Principal employee = Caller(auth::Role::kEmployee);
  const absl::Status refused = Authorize(employee, Naming({"7"}), Rule());
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(refused.message()), HasSubstr("BatchGetEmployees"));
  EXPECT_EQ(lookups_, 0);
  ASSERT_EQ(recorded_.size(), 1u);
  EXPECT_EQ(recorded_[0].actor, employee.actor);
  EXPECT_EQ(recorded_[0].outcome, "PERMISSION_DENIED");
  EXPECT_EQ(recorded_[0].action, "/ladder.personnel.v1.PersonnelService/BatchGetEmployees");
}

TEST_F(CallGuardTest, LimitsAreCheckedBeforeAnyLookup) {
  const absl::Status refused = Authorize(Caller(auth::Role::kCountyHr, {7}), Naming({"7", "7", "7", "7"}), Rule());
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ViolatedField(refused).value_or(""), "names");
  EXPECT_EQ(lookups_, 0) << "an oversized request cost a lookup";
  EXPECT_TRUE(recorded_.empty()) << "a bad request is no refusal of access";
}

TEST_F(CallGuardTest, AnUnlimitedGrantNeedsNoScope) {
  EXPECT_TRUE(Authorize(Caller(auth::Role::kHrAdmin), Naming({"9"}), Rule()).ok());
  EXPECT_EQ(lookups_, 0);
}

TEST_F(CallGuardTest, ALimitedGrantReachesItsOwnScopeOnly) {
  const auth::Principal county_hr = Caller(auth::Role::kCountyHr, {7});
  EXPECT_TRUE(Authorize(county_hr, Naming({"7"}), Rule()).ok());
  EXPECT_EQ(Authorize(county_hr, Naming({"8"}), Rule()).code(), absl::StatusCode::kPermissionDenied);
  // What does not exist reaches nothing a limited grant covers: refused the same way, so
  // that the caller learns nothing of what exists.
  EXPECT_EQ(Authorize(county_hr, Naming({}), Rule()).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(lookups_, 3);
  EXPECT_EQ(recorded_.size(), 2u);
}

TEST_F(CallGuardTest, AFailedLookupIsPassedOnNotTakenForARefusal) {
  const absl::Status failed = Authorize(Caller(auth::Role::kCountyHr, {7}), Naming({"broken"}), Rule());
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(recorded_.empty());
}

TEST_F(CallGuardTest, ANarrowingRefusalSaysWhatToAskInstead) {
  Access<BatchGetEmployeesRequest> access = Rule();
  access.narrow = [](const auth::Principal&, BatchGetEmployeesRequest&) {
    return absl::PermissionDeniedError("name one of your counties");
  };
  const absl::Status refused = Authorize(Caller(auth::Role::kCountyHr, {7}), Naming({"7"}), access);
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(refused.message()), HasSubstr("name one of your counties"));
  EXPECT_EQ(lookups_, 0);
  EXPECT_EQ(recorded_.size(), 1u);
}

TEST_F(CallGuardTest, TheWireParserRefusesWhatProtobufWouldFailAsInternal) {
  BatchGetEmployeesRequest parsed;
  const std::string good = Naming({"employees/1"}).SerializeAsString();
  grpc::Slice good_slice(good);
  EXPECT_TRUE(guard_.Parse(grpc::ByteBuffer(&good_slice, 1), parsed).ok());
  EXPECT_EQ(parsed.names(0), "employees/1");

  // A string field (names, field 1) holding invalid UTF-8.
  const std::string invalid_utf8 = std::string("\x0a\x02\xc3\x28", 4);
  grpc::Slice bad_slice(invalid_utf8);
  const absl::Status refused = guard_.Parse(grpc::ByteBuffer(&bad_slice, 1), parsed);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedField(refused).value_or(""), HasSubstr("names"));

  const std::string truncated = std::string("\x0a\x09", 2);
  grpc::Slice truncated_slice(truncated);
  EXPECT_EQ(guard_.Parse(grpc::ByteBuffer(&truncated_slice, 1), parsed).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ladder::server
