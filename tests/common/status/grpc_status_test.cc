#include "common/status/grpc_status.h"

#include <string>

#include "absl/strings/cord.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace ladder {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kDomain[] = "personnel.ladder.example";

// The google.rpc.Status carried in the trailer of `status`.
google::rpc::Status Details(const grpc::Status& status) {
  google::rpc::Status details;
  EXPECT_FALSE(status.error_details().empty());
  EXPECT_TRUE(details.ParseFromString(status.error_details()));
  return details;
}

// Unpacks the first detail of type `Message` in `details` into `out`; false if none.
template <typename Message>
bool FindDetail(const google::rpc::Status& details, Message* out) {
  for (const auto& any : details.details()) {
    if (any.Is<Message>()) return any.UnpackTo(out);
  }
  return false;
}

TEST(GrpcStatusTest, EveryAbslCodeMapsToTheSameNumberedGrpcCode) {
  for (int code = 1; code <= 16; ++code) {
    const absl::Status status(static_cast<absl::StatusCode>(code), "message");
    const grpc::Status converted = ToGrpcStatus(status, kDomain);
    EXPECT_EQ(static_cast<int>(converted.error_code()), code) << absl::StatusCodeToString(status.code());
    EXPECT_EQ(Details(converted).code(), code);
    // And back again.
    EXPECT_EQ(static_cast<int>(FromGrpcStatus(converted).code()), code);
  }
}

TEST(GrpcStatusTest, OkMapsToOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus(), kDomain).ok());
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus(), kDomain).error_details().empty());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(GrpcStatusTest, ExplicitCodes) {
  EXPECT_EQ(ToGrpcStatus(absl::InvalidArgumentError("x"), kDomain).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ToGrpcStatus(absl::NotFoundError("x"), kDomain).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ToGrpcStatus(absl::FailedPreconditionError("x"), kDomain).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ToGrpcStatus(absl::AbortedError("x"), kDomain).error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ToGrpcStatus(absl::UnavailableError("x"), kDomain).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ToGrpcStatus(absl::UnauthenticatedError("x"), kDomain).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST(GrpcStatusTest, AnUnknownAbslCodeBecomesUnknown) {
  const absl::Status status(static_cast<absl::StatusCode>(42), "from the future");
  EXPECT_EQ(ToGrpcStatus(status, kDomain).error_code(), grpc::StatusCode::UNKNOWN);
}

TEST(GrpcStatusTest, MessagesOfOrdinaryErrorsAreKept) {
  const grpc::Status converted = ToGrpcStatus(absl::NotFoundError("employees/42 does not exist"), kDomain);
  EXPECT_EQ(converted.error_message(), "employees/42 does not exist");
  EXPECT_EQ(Details(converted).message(), "employees/42 does not exist");
}

TEST(GrpcStatusTest, InvalidFieldErrorCarriesBadRequestAndErrorInfo) {
  const absl::Status status = InvalidFieldError("employee.display_name", "is required");
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  const grpc::Status converted = ToGrpcStatus(status, kDomain);
  EXPECT_EQ(converted.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(converted.error_message(), HasSubstr("employee.display_name"));

  const google::rpc::Status details = Details(converted);
  EXPECT_EQ(details.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(details.message(), converted.error_message());

  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(FindDetail(details, &bad_request));
  ASSERT_EQ(bad_request.field_violations_size(), 1);
  EXPECT_EQ(bad_request.field_violations(0).field(), "employee.display_name");
  EXPECT_EQ(bad_request.field_violations(0).description(), "is required");

  google::rpc::ErrorInfo info;
  ASSERT_TRUE(FindDetail(details, &info));
  EXPECT_EQ(info.reason(), reason::kInvalidField);
  EXPECT_EQ(info.domain(), kDomain);
  EXPECT_EQ(info.metadata().at("field"), "employee.display_name");
}

TEST(GrpcStatusTest, RuleViolationCarriesErrorInfoAndPreconditionFailure) {
  const absl::Status status =
      RuleViolationError(reason::kSeniorCapReached, "orgUnits/3", "no free senior slot in 柯城区",
                         {{"cap", "1"}, {"county", "orgUnits/3"}});
  ASSERT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  const grpc::Status converted = ToGrpcStatus(status, kDomain);
  EXPECT_EQ(converted.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(converted.error_message(), "no free senior slot in 柯城区");

  const google::rpc::Status details = Details(converted);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(FindDetail(details, &info));
  EXPECT_EQ(info.reason(), reason::kSeniorCapReached);
  EXPECT_EQ(info.domain(), kDomain);
  EXPECT_EQ(info.metadata().at("cap"), "1");

  google::rpc::PreconditionFailure failure;
  ASSERT_TRUE(FindDetail(details, &failure));
  ASSERT_EQ(failure.violations_size(), 1);
  EXPECT_EQ(failure.violations(0).type(), reason::kSeniorCapReached);
  EXPECT_EQ(failure.violations(0).subject(), "orgUnits/3");

  google::rpc::BadRequest bad_request;
  EXPECT_FALSE(FindDetail(details, &bad_request));
}

TEST(GrpcStatusTest, ADomainAlreadySetIsKept) {
  absl::Status status = ErrorWithReason(absl::StatusCode::kAborted, reason::kLevelChanged, "stale");
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason::kLevelChanged));
  info.set_domain("evaluation.ladder.example");
  status.SetPayload(kErrorInfoTypeUrl, absl::Cord(info.SerializeAsString()));

  google::rpc::ErrorInfo sent;
  ASSERT_TRUE(FindDetail(Details(ToGrpcStatus(status, kDomain)), &sent));
  EXPECT_EQ(sent.domain(), "evaluation.ladder.example");
}

TEST(GrpcStatusTest, InternalMessagesAreReplaced) {
  const std::string secret = "SELECT * FROM employees failed: Access denied for user 'root'";
  for (absl::StatusCode code : {absl::StatusCode::kInternal, absl::StatusCode::kUnknown}) {
    const grpc::Status converted = ToGrpcStatus(absl::Status(code, secret), kDomain);
    EXPECT_EQ(static_cast<int>(converted.error_code()), static_cast<int>(code));
    EXPECT_FALSE(converted.error_message().empty());
    EXPECT_THAT(converted.error_message(), Not(HasSubstr("Access denied")));
    EXPECT_THAT(converted.error_message(), Not(HasSubstr("SELECT")));
    // The trailer must not leak it either.
    EXPECT_EQ(converted.error_details().find("Access denied"), std::string::npos);

    const google::rpc::Status details = Details(converted);
    EXPECT_EQ(details.message(), converted.error_message());
    google::rpc::ErrorInfo info;
    ASSERT_TRUE(FindDetail(details, &info));
    EXPECT_EQ(info.reason(), reason::kInternal);
    EXPECT_EQ(info.domain(), kDomain);
  }
}

TEST(GrpcStatusTest, InternalErrorWithItsOwnReasonKeepsTheReasonButNotTheMessage) {
  const grpc::Status converted = ToGrpcStatus(
      ErrorWithReason(absl::StatusCode::kInternal, reason::kDatabaseUnavailable, "connect to 10.0.0.5:3306 failed"),
      kDomain);
  EXPECT_THAT(converted.error_message(), Not(HasSubstr("10.0.0.5")));
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(FindDetail(Details(converted), &info));
  EXPECT_EQ(info.reason(), reason::kDatabaseUnavailable);
}

TEST(GrpcStatusTest, RoundTripKeepsCodeMessageReasonAndField) {
  const absl::Status original = InvalidFieldError("names[1]", "must be a resource name");
  const absl::Status back = FromGrpcStatus(ToGrpcStatus(original, kDomain));
  EXPECT_EQ(back.code(), original.code());
  EXPECT_EQ(back.message(), original.message());
  EXPECT_EQ(ErrorReason(back), std::string(reason::kInvalidField));
  EXPECT_EQ(ViolatedField(back), "names[1]");
}

TEST(GrpcStatusTest, RoundTripOfARuleViolation) {
  const absl::Status original =
      RuleViolationError(reason::kTrialNotOver, "employees/7", "the trial runs until 2026-03-31");
  const absl::Status back = FromGrpcStatus(ToGrpcStatus(original, kDomain));
  EXPECT_EQ(back.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(back.message(), "the trial runs until 2026-03-31");
  EXPECT_EQ(ErrorReason(back), std::string(reason::kTrialNotOver));
  EXPECT_FALSE(ViolatedField(back).has_value());
  EXPECT_TRUE(back.GetPayload(kPreconditionFailureTypeUrl).has_value());
}

TEST(GrpcStatusTest, RoundTripOfAPlainError) {
  const absl::Status back = FromGrpcStatus(ToGrpcStatus(absl::AbortedError("retry"), kDomain));
  EXPECT_EQ(back.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(back.message(), "retry");
  EXPECT_FALSE(ErrorReason(back).has_value());
  EXPECT_FALSE(ViolatedField(back).has_value());
}

TEST(GrpcStatusTest, FromGrpcStatusToleratesGarbageDetails) {
  const grpc::Status garbage(grpc::StatusCode::NOT_FOUND, "gone", "\xff\xff\xff not a proto");
  const absl::Status back = FromGrpcStatus(garbage);
  EXPECT_EQ(back.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(back.message(), "gone");
  EXPECT_FALSE(ErrorReason(back).has_value());
}

TEST(ErrorsTest, ErrorReasonAndViolatedFieldOfPlainStatusesAreEmpty) {
  EXPECT_FALSE(ErrorReason(absl::OkStatus()).has_value());
  EXPECT_FALSE(ErrorReason(absl::InternalError("x")).has_value());
  EXPECT_FALSE(ViolatedField(absl::InvalidArgumentError("x")).has_value());
}

TEST(ErrorsTest, NotFoundErrorNamesTheResource) {
  const absl::Status status = NotFoundError("employees/42");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(status.message()), HasSubstr("employees/42"));
  EXPECT_EQ(ErrorReason(status), std::string(reason::kNotFound));
}

}  // namespace
}  // namespace ladder
