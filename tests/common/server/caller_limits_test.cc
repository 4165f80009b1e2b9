#include "common/server/caller_limits.h"

#include <vector>

#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace ladder::server {
namespace {

auth::Principal Person(const std::string& subject) {
  auth::Principal principal;
  principal.actor = "user:" + subject;
  principal.role = auth::Role::kEmployee;
  return principal;
}

TEST(CallerLimitsTest, CountsCallsInFlightPerCallerUntilTheyFinish) {
  CallerLimitOptions options;
  options.max_calls_per_person = 2;
  CallerLimits limits(options);
  grpc::ServerContext a, b, c, d;
  EXPECT_TRUE(limits.Admit(&a, Person("x")).ok());
  EXPECT_TRUE(limits.Admit(&b, Person("x")).ok());
  absl::Status over = limits.Admit(&c, Person("x"));
  EXPECT_EQ(over.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrorReason(over).value_or(""), reason::kTooManyCallsInFlight);
  EXPECT_TRUE(over.GetPayload(kRetryInfoTypeUrl).has_value());
  // Another caller has a count of its own.
  EXPECT_TRUE(limits.Admit(&d, Person("y")).ok());
  EXPECT_EQ(limits.InFlight("user:x"), 2);

  limits.Finished(&a);
  limits.Finished(&c);  // refused, never counted: nothing to release
  EXPECT_EQ(limits.InFlight("user:x"), 1);
  EXPECT_TRUE(limits.Admit(&c, Person("x")).ok());
  limits.Finished(&b);
  limits.Finished(&c);
  limits.Finished(&d);
  EXPECT_EQ(limits.InFlight("user:x"), 0);
  EXPECT_EQ(limits.InFlight("user:y"), 0);
}

TEST(CallerLimitsTest, ServicesHaveTheirOwnLimitAndZeroMeansNone) {
  CallerLimitOptions options;
  options.max_calls_per_person = 1;
  options.max_calls_per_service = 0;
  CallerLimits limits(options);
  auth::Principal service;
  service.actor = "service:careerpath";
  service.role = auth::Role::kService;
  std::vector<grpc::ServerContext> calls(10);
  for (grpc::ServerContext& call : calls) EXPECT_TRUE(limits.Admit(&call, service).ok());
  EXPECT_EQ(limits.InFlight("service:careerpath"), 0) << "an unlimited caller is not counted";
}

TEST(CallerLimitsTest, RefusalsAreMeteredByABucketPerCaller) {
  CallerLimitOptions options;
  options.refusal_burst = 3;
  options.refusals_per_second = 0.001;  // no refill within the test
  CallerLimits limits(options);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limits.AllowRefusal(Person("x")).ok());
  absl::Status slowed = limits.AllowRefusal(Person("x"));
  EXPECT_EQ(slowed.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrorReason(slowed).value_or(""), reason::kTooManyRefusals);
  EXPECT_TRUE(slowed.GetPayload(kRetryInfoTypeUrl).has_value());
  EXPECT_TRUE(limits.AllowRefusal(Person("y")).ok());
}

TEST(CallerLimitsTest, NoneTurnsEveryLimitOff) {
  CallerLimits limits(CallerLimitOptions::None());
  std::vector<grpc::ServerContext> calls(100);
  for (grpc::ServerContext& call : calls) EXPECT_TRUE(limits.Admit(&call, Person("x")).ok());
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limits.AllowRefusal(Person("x")).ok());
}

}  // namespace
}  // namespace ladder::server
