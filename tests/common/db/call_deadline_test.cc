// How a call's deadline bounds the statements it runs (the pure rule; db_layer_test runs it
// against the server).

#include "common/db/call_deadline.h"

#include "gtest/gtest.h"

namespace ladder::db {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

TEST(StatementBoundForTest, WithoutADeadlineTheConfiguredBoundHolds) {
  EXPECT_EQ(StatementBoundFor(absl::Seconds(10), absl::InfiniteFuture(), kNow), absl::Seconds(10));
  EXPECT_EQ(StatementBoundFor(absl::ZeroDuration(), absl::InfiniteFuture(), kNow), absl::ZeroDuration());
}

TEST(StatementBoundForTest, ACallWithLessTimeLeftLowersItInStepsOf100Ms) {
  EXPECT_EQ(StatementBoundFor(absl::Seconds(10), kNow + absl::Milliseconds(4999), kNow), absl::Milliseconds(4900));
  EXPECT_EQ(StatementBoundFor(absl::Seconds(10), kNow + absl::Milliseconds(4901), kNow), absl::Milliseconds(4900));
  // Never above what is left, so a statement cannot outlive its call.
  EXPECT_EQ(StatementBoundFor(absl::Seconds(10), kNow + absl::Seconds(10), kNow), absl::Seconds(10));
  EXPECT_EQ(StatementBoundFor(absl::Seconds(10), kNow + absl::Seconds(30), kNow), absl::Seconds(10));
  // An unbounded session is bounded by the call all the same.
  EXPECT_EQ(StatementBoundFor(absl::ZeroDuration(), kNow + absl::Milliseconds(2345), kNow), absl::Milliseconds(2300));
}

TEST(StatementBoundForTest, AlmostNoTimeLeftStillGivesOneStep) {
  // Zero would mean "unbounded" to the server.
  EXPECT_EQ(StatementBoundFor(absl::Seconds(10), kNow + absl::Milliseconds(30), kNow), absl::Milliseconds(100));
  EXPECT_EQ(StatementBoundFor(absl::Seconds(10), kNow - absl::Seconds(1), kNow), absl::Milliseconds(100));
}

}  // namespace
}  // namespace ladder::db
