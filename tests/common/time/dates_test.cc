#include "common/time/dates.h"

#include <string>

#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace ladder {
namespace {

using absl::CivilDay;

google::type::Date MakeDate(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

void ExpectRefused(const google::type::Date& date) {
  const absl::Status status = ToCivilDay(date, "hire_date").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument)
      << date.year() << "-" << date.month() << "-" << date.day();
  EXPECT_EQ(ViolatedField(status), "hire_date");
}

TEST(ToCivilDayTest, AcceptsRealDays) {
  EXPECT_EQ(*ToCivilDay(MakeDate(2026, 1, 1), "d"), CivilDay(2026, 1, 1));
  EXPECT_EQ(*ToCivilDay(MakeDate(2028, 2, 29), "d"), CivilDay(2028, 2, 29));  // Leap year.
  EXPECT_EQ(*ToCivilDay(MakeDate(2000, 2, 29), "d"), CivilDay(2000, 2, 29));  // 400-year rule.
  EXPECT_EQ(*ToCivilDay(MakeDate(2026, 12, 31), "d"), CivilDay(2026, 12, 31));
}

TEST(ToCivilDayTest, RefusesDaysNotInTheCalendar) {
  ExpectRefused(MakeDate(2026, 2, 30));
  ExpectRefused(MakeDate(2026, 2, 29));  // 2026 is not a leap year.
  ExpectRefused(MakeDate(1900, 2, 29));  // Nor is 1900 (century rule).
  ExpectRefused(MakeDate(2026, 4, 31));
  ExpectRefused(MakeDate(2026, 13, 1));
  ExpectRefused(MakeDate(2026, 0, 1));
  ExpectRefused(MakeDate(2026, 1, 0));
  ExpectRefused(MakeDate(2026, 1, 32));
  ExpectRefused(MakeDate(0, 1, 1));
  ExpectRefused(MakeDate(2026, -1, 1));
  ExpectRefused(google::type::Date());  // Unset.
  ExpectRefused(MakeDate(2026, 0, 0));  // A year alone (google.type.Date allows it; we do not).
}

TEST(ToCivilDayTest, ToDateIsTheInverse) {
  const google::type::Date date = ToDate(CivilDay(2026, 3, 9));
  EXPECT_EQ(date.year(), 2026);
  EXPECT_EQ(date.month(), 3);
  EXPECT_EQ(date.day(), 9);
  EXPECT_EQ(*ToCivilDay(date, "d"), CivilDay(2026, 3, 9));
}

TEST(AddMonthsTest, AddsWholeMonths) {
  EXPECT_EQ(AddMonths(CivilDay(2026, 1, 15), 2), CivilDay(2026, 3, 15));
  EXPECT_EQ(AddMonths(CivilDay(2026, 11, 15), 2), CivilDay(2027, 1, 15));
  EXPECT_EQ(AddMonths(CivilDay(2026, 3, 15), -3), CivilDay(2025, 12, 15));
  EXPECT_EQ(AddMonths(CivilDay(2026, 3, 15), 0), CivilDay(2026, 3, 15));
  EXPECT_EQ(AddMonths(CivilDay(2026, 1, 1), 24), CivilDay(2028, 1, 1));
}

TEST(AddMonthsTest, ClampsToTheLastDayOfTheMonth) {
  EXPECT_EQ(AddMonths(CivilDay(2025, 12, 31), 2), CivilDay(2026, 2, 28));
  EXPECT_EQ(AddMonths(CivilDay(2027, 12, 31), 2), CivilDay(2028, 2, 29));
  EXPECT_EQ(AddMonths(CivilDay(2026, 1, 31), 1), CivilDay(2026, 2, 28));
  EXPECT_EQ(AddMonths(CivilDay(2028, 1, 31), 1), CivilDay(2028, 2, 29));
  EXPECT_EQ(AddMonths(CivilDay(2026, 3, 31), 1), CivilDay(2026, 4, 30));
  EXPECT_EQ(AddMonths(CivilDay(2026, 3, 31), -1), CivilDay(2026, 2, 28));
  EXPECT_EQ(AddMonths(CivilDay(2028, 2, 29), 12), CivilDay(2029, 2, 28));
}

TEST(WholeMonthsBetweenTest, CountsAMonthOnceItsDayIsReached) {
  EXPECT_EQ(WholeMonthsBetween(CivilDay(2025, 1, 15), CivilDay(2026, 1, 14)), 11);
  EXPECT_EQ(WholeMonthsBetween(CivilDay(2025, 1, 15), CivilDay(2026, 1, 15)), 12);
  EXPECT_EQ(WholeMonthsBetween(CivilDay(2025, 1, 15), CivilDay(2025, 1, 15)), 0);
  EXPECT_EQ(WholeMonthsBetween(CivilDay(2025, 1, 15), CivilDay(2025, 2, 14)), 0);
  EXPECT_EQ(WholeMonthsBetween(CivilDay(2025, 1, 15), CivilDay(2025, 2, 15)), 1);
  // From the 31st, the clamped month end counts as reached.
  EXPECT_EQ(WholeMonthsBetween(CivilDay(2026, 1, 31), CivilDay(2026, 2, 28)), 1);
  EXPECT_EQ(WholeMonthsBetween(CivilDay(2026, 1, 31), CivilDay(2026, 2, 27)), 0);
}

TEST(WholeMonthsBetweenTest, IsNegativeInReverseOrder) {
  EXPECT_EQ(WholeMonthsBetween(CivilDay(2026, 1, 14), CivilDay(2025, 1, 15)), -11);
  EXPECT_EQ(WholeMonthsBetween(CivilDay(2026, 1, 15), CivilDay(2025, 1, 15)), -12);
}

TEST(WholeMonthsBetweenTest, AgreesWithAddMonths) {
  // For every day of two years, the count is the largest m with AddMonths(from, m) <= to.
  const CivilDay from(2025, 1, 31);
  for (CivilDay to = from; to < CivilDay(2027, 2, 1); ++to) {
    const int months = WholeMonthsBetween(from, to);
    EXPECT_LE(AddMonths(from, months), to) << to;
    EXPECT_GT(AddMonths(from, months + 1), to) << to;
  }
}

TEST(SqlDateTest, RoundTrips) {
  EXPECT_EQ(ToSqlDate(CivilDay(2026, 3, 9)), "2026-03-09");
  EXPECT_EQ(ToSqlDate(CivilDay(999, 1, 2)), "0999-01-02");
  for (CivilDay day : {CivilDay(2026, 3, 9), CivilDay(2028, 2, 29), CivilDay(1970, 1, 1)}) {
    absl::StatusOr<CivilDay> back = FromSqlDate(ToSqlDate(day));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, day);
  }
}

TEST(SqlDateTest, RefusesGarbage) {
  EXPECT_FALSE(FromSqlDate("").ok());
  EXPECT_FALSE(FromSqlDate("yesterday").ok());
  EXPECT_FALSE(FromSqlDate("2026-03-09 12:00:00").ok());
}

TEST(SqlTimestampTest, FormatsInUtcWithMicroseconds) {
  const absl::Time time = absl::FromUnixMicros(1767225600123456);  // 2026-01-01 00:00:00.123456Z
  EXPECT_EQ(ToSqlTimestamp(time), "2026-01-01 00:00:00.123456");
  EXPECT_EQ(ToSqlTimestamp(absl::FromUnixSeconds(0)), "1970-01-01 00:00:00.000000");
}

TEST(SqlTimestampTest, RoundTripsIncludingMicroseconds) {
  for (int64_t micros : {int64_t{0}, int64_t{1}, int64_t{1767225600123456}, int64_t{1767225600999999}, int64_t{-1},
                         int64_t{-86400000001}}) {
    const absl::Time time = absl::FromUnixMicros(micros);
    absl::StatusOr<absl::Time> back = FromSqlTimestamp(ToSqlTimestamp(time));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(absl::ToUnixMicros(*back), micros) << ToSqlTimestamp(time);
  }
}

TEST(SqlTimestampTest, ReadsWhatMySqlGives) {
  // DATETIME(6) comes back with six digits; a DATETIME without fraction has none.
  EXPECT_EQ(absl::ToUnixMicros(*FromSqlTimestamp("2026-01-01 00:00:00.000001")), 1767225600000001);
  EXPECT_EQ(absl::ToUnixSeconds(*FromSqlTimestamp("2026-01-01 00:00:00")), 1767225600);
  EXPECT_FALSE(FromSqlTimestamp("2026-01-01").ok());
  EXPECT_FALSE(FromSqlTimestamp("not a time").ok());
}

TEST(ProtoTimestampTest, AfterTheEpoch) {
  const google::protobuf::Timestamp ts = ToProtoTimestamp(absl::FromUnixMicros(1767225600123456));
  EXPECT_EQ(ts.seconds(), 1767225600);
  EXPECT_EQ(ts.nanos(), 123456000);
}

TEST(ProtoTimestampTest, BeforeTheEpochNanosStayNonNegative) {
  // -1.5 s is seconds -2 plus 0.5 s: protobuf requires 0 <= nanos < 1e9.
  google::protobuf::Timestamp ts = ToProtoTimestamp(absl::FromUnixMicros(-1500000));
  EXPECT_EQ(ts.seconds(), -2);
  EXPECT_EQ(ts.nanos(), 500000000);

  ts = ToProtoTimestamp(absl::FromUnixMicros(-1));
  EXPECT_EQ(ts.seconds(), -1);
  EXPECT_EQ(ts.nanos(), 999999000);

  ts = ToProtoTimestamp(absl::FromUnixSeconds(-86400));  // Exactly one day before.
  EXPECT_EQ(ts.seconds(), -86400);
  EXPECT_EQ(ts.nanos(), 0);

  // 1960-06-01 00:00:00.25 UTC.
  const absl::Time time =
      absl::FromCivil(absl::CivilSecond(1960, 6, 1, 0, 0, 0), absl::UTCTimeZone()) + absl::Milliseconds(250);
  ts = ToProtoTimestamp(time);
  EXPECT_EQ(ts.seconds(), absl::ToUnixSeconds(time));
  EXPECT_EQ(ts.nanos(), 250000000);
  EXPECT_LT(ts.seconds(), 0);
}

TEST(BranchTimeTest, BranchIsUtcPlusEight) {
  // 2026-01-01 16:00 UTC is already 2 January in the branch.
  const absl::Time time = absl::FromCivil(absl::CivilSecond(2026, 1, 1, 16, 0, 0), absl::UTCTimeZone());
  EXPECT_EQ(absl::ToCivilDay(time, BranchTimeZone()), CivilDay(2026, 1, 2));
  const absl::Time earlier = time - absl::Seconds(1);
  EXPECT_EQ(absl::ToCivilDay(earlier, BranchTimeZone()), CivilDay(2026, 1, 1));
}

}  // namespace
}  // namespace ladder

namespace ladder {
namespace {

TEST(SqlTimestampParsing, ReadsEveryFormTheDatabaseSends) {
  const absl::Time base = absl::FromCivil(absl::CivilSecond(2026, 11, 26, 8, 5, 9), absl::UTCTimeZone());
  EXPECT_EQ(*FromSqlTimestamp("2026-11-26 08:05:09"), base);
  EXPECT_EQ(*FromSqlTimestamp("2026-11-26 08:05:09.5"), base + absl::Milliseconds(500));
  EXPECT_EQ(*FromSqlTimestamp("2026-11-26 08:05:09.000123"), base + absl::Microseconds(123));
  for (const char* bad : {"", "2026-11-26", "2026-11-26T08:05:09", "2026-11-26 24:00:00", "2026-11-26 08:05:09.",
                          "2026-11-26 08:05:09.1234567", "2026-02-30 00:00:00", "2026-1a-26 08:05:09"}) {
    EXPECT_FALSE(FromSqlTimestamp(bad).ok()) << bad;
  }
  EXPECT_FALSE(FromSqlDate("2026-02-30").ok());
  EXPECT_FALSE(FromSqlDate("26-11-2026").ok());
  EXPECT_EQ(*FromSqlDate("2028-02-29"), absl::CivilDay(2028, 2, 29));
}

}  // namespace
}  // namespace ladder
