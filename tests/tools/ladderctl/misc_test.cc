// Exit codes, request ids, retry rules and progress text.

#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "ladder/careerpath/v1/careerpath_service.pb.h"
#include "ladder/personnel/v1/personnel_service.pb.h"
#include "tools/ladderctl/clients.h"
#include "tools/ladderctl/exit_codes.h"
#include "tools/ladderctl/progress.h"
#include "tools/ladderctl/request_ids.h"

namespace ladder::ladderctl {
namespace {

TEST(ExitCodeTest, ScriptsCanTellRefusalsFromBadInputFromOutages) {
  EXPECT_EQ(ExitCodeFor(absl::OkStatus()), kExitOk);
  EXPECT_EQ(ExitCodeFor(absl::FailedPreconditionError("cap")), kExitRefused);
  EXPECT_EQ(ExitCodeFor(absl::AlreadyExistsError("x")), kExitRefused);
  EXPECT_EQ(ExitCodeFor(absl::AbortedError("x")), kExitRefused);
  EXPECT_EQ(ExitCodeFor(absl::NotFoundError("x")), kExitRefused);
  EXPECT_EQ(ExitCodeFor(absl::InvalidArgumentError("x")), kExitBadInput);
  EXPECT_EQ(ExitCodeFor(absl::UnavailableError("x")), kExitUnavailable);
  EXPECT_EQ(ExitCodeFor(absl::DeadlineExceededError("x")), kExitUnavailable);
  EXPECT_EQ(ExitCodeFor(absl::InternalError("x")), kExitFailed);
  EXPECT_EQ(Worse(kExitRefused, kExitBadInput), kExitBadInput);
  EXPECT_EQ(Worse(kExitBadInput, kExitUnavailable), kExitUnavailable);
  EXPECT_EQ(Worse(kExitOk, kExitRefused), kExitRefused);
  EXPECT_EQ(Worse(kExitFailed, kExitBadInput), kExitFailed);
}

TEST(RequestIdTest, StableShortAndFollowsTheContent) {
  const std::string id = RequestId("emp", "KC0042", "content");
  EXPECT_EQ(id, RequestId("emp", "KC0042", "content"));
  EXPECT_NE(id, RequestId("emp", "KC0042", "other content"));
  EXPECT_NE(id, RequestId("lvl1", "KC0042", "content"));
  EXPECT_EQ(id.rfind("lc-emp-KC0042-", 0), 0u);
  const std::string long_key(40, 'x');
  EXPECT_LE(RequestId("emp", long_key, "c").size(), 64u);
  const std::string chinese = RequestId("team", "柯城区一组", "c");
  EXPECT_LE(chinese.size(), 64u);
  for (char c : chinese) EXPECT_TRUE(c > 32 && c < 127) << chinese;
}

TEST(RetryTest, UnavailableAndConcurrentUpdateOnlyForReadsOrWithARequestId) {
  const absl::Status unavailable = absl::UnavailableError("down");
  const absl::Status concurrent =
      ErrorWithReason(absl::StatusCode::kAborted, reason::kConcurrentUpdate, "lost to concurrent changes");
  const absl::Status stale = ErrorWithReason(absl::StatusCode::kAborted, reason::kEtagMismatch, "stale");
  personnel::v1::CreateEmployeeRequest create;
  EXPECT_FALSE(MayRetry(create, unavailable));  // no id: not safe
  EXPECT_FALSE(MayRetry(create, concurrent));
  create.set_request_id("lc-emp-1");
  EXPECT_TRUE(MayRetry(create, unavailable));
  EXPECT_TRUE(MayRetry(create, concurrent));
  EXPECT_FALSE(MayRetry(create, stale)) << "a stale etag wants a new decision";
  EXPECT_FALSE(MayRetry(create, absl::AbortedError("no reason")));
  EXPECT_FALSE(MayRetry(create, absl::DeadlineExceededError("late")));
  personnel::v1::ListEmployeesRequest list;  // a read has no request id at all
  EXPECT_TRUE(MayRetry(list, unavailable));
  EXPECT_FALSE(MayRetry(list, concurrent));
  EXPECT_FALSE(MayRetry(list, absl::InternalError("bug")));
}

TEST(ProgressTest, DescribesRateAndTimeLeft) {
  EXPECT_EQ(Progress::Describe(0, 100, absl::ZeroDuration(), "rows"), "0/100 rows");
  EXPECT_EQ(Progress::Describe(50, 200, absl::Seconds(10), "rows"), "50/200 rows  5.0 rows/s  0:30 left");
  EXPECT_EQ(Progress::Describe(200, 200, absl::Seconds(65), "rows"), "200/200 rows  3.1 rows/s  in 1:05");
}

}  // namespace
}  // namespace ladder::ladderctl
