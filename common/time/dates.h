#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/type/date.pb.h"

namespace ladder {

// The branch works in China Standard Time (UTC+8, no daylight saving): "today" and
// effective dates are days there.
absl::TimeZone BranchTimeZone();
absl::CivilDay TodayInBranch();

// A google.type.Date as a civil day. Every field must be set and the day must exist;
// errors are INVALID_ARGUMENT naming `field`.
absl::StatusOr<absl::CivilDay> ToCivilDay(const google::type::Date& date, absl::string_view field);
google::type::Date ToDate(absl::CivilDay day);

// Days as "YYYY-MM-DD", the form MySQL DATE columns take and give.
std::string ToSqlDate(absl::CivilDay day);
absl::StatusOr<absl::CivilDay> FromSqlDate(absl::string_view text);

// Instants as "YYYY-MM-DD HH:MM:SS.ffffff" in UTC, for DATETIME(6) columns.
std::string ToSqlTimestamp(absl::Time time);
absl::StatusOr<absl::Time> FromSqlTimestamp(absl::string_view text);
google::protobuf::Timestamp ToProtoTimestamp(absl::Time time);

// `day` plus whole months, clamped to the month's last day (31 Dec + 2 months → 28/29 Feb).
absl::CivilDay AddMonths(absl::CivilDay day, int months);

// Whole months from `from` to `to` (a month counts once its day of the month is reached).
int WholeMonthsBetween(absl::CivilDay from, absl::CivilDay to);

}  // namespace ladder
