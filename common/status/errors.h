#pragma once

// Builders for the errors Ladder returns. Each attaches machine-readable details as
// absl::Status payloads (google.rpc.ErrorInfo, BadRequest, PreconditionFailure); the
// single mapping in grpc_status.h turns them into the gRPC rich-error trailer, so a
// client in any language can branch on the reason or read the offending field.

#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ladder {

inline constexpr absl::string_view kErrorInfoTypeUrl = "type.googleapis.com/google.rpc.ErrorInfo";
inline constexpr absl::string_view kBadRequestTypeUrl = "type.googleapis.com/google.rpc.BadRequest";
inline constexpr absl::string_view kRetryInfoTypeUrl = "type.googleapis.com/google.rpc.RetryInfo";
inline constexpr absl::string_view kPreconditionFailureTypeUrl = "type.googleapis.com/google.rpc.PreconditionFailure";

// Stable reasons that clients branch on. Never rename one: add a new one instead.
namespace reason {
inline constexpr absl::string_view kInvalidField = "INVALID_FIELD";
inline constexpr absl::string_view kNotFound = "RESOURCE_NOT_FOUND";
inline constexpr absl::string_view kAlreadyExists = "RESOURCE_ALREADY_EXISTS";
inline constexpr absl::string_view kEtagMismatch = "ETAG_MISMATCH";
inline constexpr absl::string_view kRequestIdReused = "REQUEST_ID_REUSED";
inline constexpr absl::string_view kSeniorCapReached = "SENIOR_CAP_REACHED";
inline constexpr absl::string_view kLevelCapReached = "LEVEL_CAP_REACHED";
inline constexpr absl::string_view kLevelChanged = "LEVEL_CHANGED";
inline constexpr absl::string_view kEmployeeSeparated = "EMPLOYEE_SEPARATED";
inline constexpr absl::string_view kNotACustomerManager = "NOT_A_CUSTOMER_MANAGER";
inline constexpr absl::string_view kTrialNotOver = "TRIAL_NOT_OVER";
inline constexpr absl::string_view kWrongOrgUnitKind = "WRONG_ORG_UNIT_KIND";
inline constexpr absl::string_view kTeamNotInCounty = "TEAM_NOT_IN_COUNTY";
inline constexpr absl::string_view kUnknownPolicyVersion = "UNKNOWN_POLICY_VERSION";
// PERMISSION_DENIED: the caller's role or reach does not extend to what the call touches.
inline constexpr absl::string_view kNotPermitted = "NOT_PERMITTED";
// INVALID_ARGUMENT: the request's bytes are not the message the method takes.
inline constexpr absl::string_view kMalformedRequest = "MALFORMED_REQUEST";
inline constexpr absl::string_view kDatabaseUnavailable = "DATABASE_UNAVAILABLE";
inline constexpr absl::string_view kConcurrentUpdate = "CONCURRENT_UPDATE";
inline constexpr absl::string_view kInternal = "INTERNAL";
// RESOURCE_EXHAUSTED, with RetryInfo: one caller has too many calls in flight, or has been
// refused too often in a short time. Retry after the delay the RetryInfo gives.
inline constexpr absl::string_view kTooManyCallsInFlight = "TOO_MANY_CALLS_IN_FLIGHT";
inline constexpr absl::string_view kTooManyRefusals = "TOO_MANY_REFUSALS";
// FAILED_PRECONDITION: a change feed's cursor lies before the changes still kept; list the
// current state and follow the feed from a fresh cursor.
inline constexpr absl::string_view kCursorExpired = "CURSOR_EXPIRED";
}  // namespace reason

// INVALID_ARGUMENT naming the offending field ("employee.display_name") and why: a
// BadRequest, and an ErrorInfo with `reason` (INVALID_FIELD unless the field's value is
// wrong in a way clients branch on, such as UNKNOWN_POLICY_VERSION).
absl::Status InvalidFieldError(absl::string_view field, absl::string_view description,
                               absl::string_view reason = reason::kInvalidField);

// NOT_FOUND for a resource name, e.g. "employees/42".
absl::Status NotFoundError(absl::string_view resource_name);

// Any code with an ErrorInfo reason and metadata, for broken rules and conflicts.
absl::Status ErrorWithReason(absl::StatusCode code, absl::string_view reason, absl::string_view message,
                             const std::map<std::string, std::string>& metadata = {});

// FAILED_PRECONDITION for a broken business rule, with both an ErrorInfo reason and a
// PreconditionFailure violation naming the subject resource.
absl::Status RuleViolationError(absl::string_view reason, absl::string_view subject, absl::string_view message,
                                const std::map<std::string, std::string>& metadata = {});

// `status` with a google.rpc.RetryInfo telling the caller how long to wait before retrying.
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);

// The ErrorInfo reason attached to `status`, if any.
std::optional<std::string> ErrorReason(const absl::Status& status);

// The first BadRequest field attached to `status`, if any.
std::optional<std::string> ViolatedField(const absl::Status& status);

}  // namespace ladder
