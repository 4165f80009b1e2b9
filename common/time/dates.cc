#include "common/time/dates.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/errors.h"

namespace ladder {

absl::TimeZone BranchTimeZone() { return absl::FixedTimeZone(8 * 60 * 60); }

absl::CivilDay TodayInBranch() { return absl::ToCivilDay(absl::Now(), BranchTimeZone()); }

absl::StatusOr<absl::CivilDay> ToCivilDay(const google::type::Date& date, absl::string_view field) {
  if (date.year() < 1900 || date.year() > 9999 || date.month() < 1 || date.month() > 12 ||
      date.day() < 1 || date.day() > 31) {
    return InvalidFieldError(field, "must be a full date with year 1900-9999, month and day");
  }
  absl::CivilDay day(date.year(), date.month(), date.day());
  if (day.month() != date.month() || day.day() != date.day()) {
    return InvalidFieldError(
        field, absl::StrFormat("%04d-%02d-%02d is not a day of the calendar", date.year(),
                               date.month(), date.day()));
  }
  return day;
}

google::type::Date ToDate(absl::CivilDay day) {
  google::type::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

std::string ToSqlDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

absl::StatusOr<absl::CivilDay> FromSqlDate(absl::string_view text) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day)) {
    return absl::InternalError(absl::StrCat("unreadable DATE from the database: ", text));
  }
  return day;
}

std::string ToSqlTimestamp(absl::Time time) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S", time, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> FromSqlTimestamp(absl::string_view text) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime("%Y-%m-%d %H:%M:%E*S", text, absl::UTCTimeZone(), &time, &error)) {
    return absl::InternalError(absl::StrCat("unreadable DATETIME from the database: ", text));
  }
  return time;
}

google::protobuf::Timestamp ToProtoTimestamp(absl::Time time) {
  google::protobuf::Timestamp timestamp;
  const int64_t micros = absl::ToUnixMicros(time);
  int64_t seconds = micros / 1000000;
  int64_t remainder = micros % 1000000;
  if (remainder < 0) {
    remainder += 1000000;
    --seconds;
  }
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(static_cast<int32_t>(remainder * 1000));
  return timestamp;
}

absl::CivilDay AddMonths(absl::CivilDay day, int months) {
  absl::CivilMonth month = absl::CivilMonth(day) + months;
  absl::CivilDay last_day = absl::CivilDay(month + 1) - 1;
  absl::CivilDay wanted(month.year(), month.month(), day.day());
  // CivilDay normalises 30 Feb into March; clamp to the month's last day instead.
  return wanted.month() == month.month() ? wanted : last_day;
}

int WholeMonthsBetween(absl::CivilDay from, absl::CivilDay to) {
  if (to < from) return -WholeMonthsBetween(to, from);
  int months = static_cast<int>(absl::CivilMonth(to) - absl::CivilMonth(from));
  if (AddMonths(from, months) > to) --months;
  return months;
}

}  // namespace ladder
