#include "common/time/dates.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/errors.h"

namespace ladder {

absl::TimeZone BranchTimeZone() { return absl::FixedTimeZone(8 * 60 * 60); }

absl::CivilDay TodayInBranch() { return absl::ToCivilDay(absl::Now(), BranchTimeZone()); }

absl::StatusOr<absl::CivilDay> ToCivilDay(const google::type::Date& date, absl::string_view field) {
  if (date.year() < 1900 || date.year() > 9999 || date.month() < 1 || date.month() > 12 || date.day() < 1 ||
      date.day() > 31) {
    return InvalidFieldError(field, "must be a full date with year 1900-9999, month and day");
  }
  absl::CivilDay day(date.year(), date.month(), date.day());
  if (day.month() != date.month() || day.day() != date.day()) {
    return InvalidFieldError(
        field, absl::StrFormat("%04d-%02d-%02d is not a day of the calendar", date.year(), date.month(), date.day()));
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

namespace {

// Reads `count` digits at `pos` of `text`; false if any is not a digit. The database's
// fixed-width forms are read by hand: they are parsed for every row of every list.
bool Digits(absl::string_view text, size_t pos, size_t count, int* value) {
  if (pos + count > text.size()) return false;
  int result = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    result = result * 10 + (c - '0');
  }
  *value = result;
  return true;
}

}  // namespace

absl::StatusOr<absl::CivilDay> FromSqlDate(absl::string_view text) {
  int year = 0, month = 0, day = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !Digits(text, 0, 4, &year) ||
      !Digits(text, 5, 2, &month) || !Digits(text, 8, 2, &day)) {
    return absl::InternalError(absl::StrCat("unreadable DATE from the database: ", text));
  }
  const absl::CivilDay result(year, month, day);
  if (result.month() != month || result.day() != day) {
    return absl::InternalError(absl::StrCat("unreadable DATE from the database: ", text));
  }
  return result;
}

std::string ToSqlTimestamp(absl::Time time) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S", time, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> FromSqlTimestamp(absl::string_view text) {
  // "YYYY-MM-DD HH:MM:SS" with an optional fraction of up to six digits, in UTC.
  int hour = 0, minute = 0, second = 0;
  absl::StatusOr<absl::CivilDay> day =
      text.size() >= 19 ? FromSqlDate(text.substr(0, 10)) : absl::InternalError("too short");
  if (!day.ok() || text[10] != ' ' || text[13] != ':' || text[16] != ':' || !Digits(text, 11, 2, &hour) ||
      !Digits(text, 14, 2, &minute) || !Digits(text, 17, 2, &second) || hour > 23 || minute > 59 || second > 59) {
    return absl::InternalError(absl::StrCat("unreadable DATETIME from the database: ", text));
  }
  int64_t micros = 0;
  if (text.size() > 19) {
    const absl::string_view fraction = text.substr(20);
    int value = 0;
    if (text[19] != '.' || fraction.empty() || fraction.size() > 6 || !Digits(fraction, 0, fraction.size(), &value)) {
      return absl::InternalError(absl::StrCat("unreadable DATETIME from the database: ", text));
    }
    micros = value;
    for (size_t i = fraction.size(); i < 6; ++i) micros *= 10;
  }
  const absl::CivilSecond civil(day->year(), day->month(), day->day(), hour, minute, second);
  return absl::FromCivil(civil, absl::UTCTimeZone()) + absl::Microseconds(micros);
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
