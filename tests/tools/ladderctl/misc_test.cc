// Exit codes, request ids, retry rules and progress text.

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

TEST(RetryTest, OnlyUnavailableAndOnlyForReadsOrWithARequestId) {
  personnel::v1::CreateEmployeeRequest create;
  EXPECT_FALSE(MayRetry(create, absl::StatusCode::kUnavailable));  // no id: not safe
  create.set_request_id("lc-emp-1");
  EXPECT_TRUE(MayRetry(create, absl::StatusCode::kUnavailable));
  EXPECT_FALSE(MayRetry(create, absl::StatusCode::kDeadlineExceeded));
  EXPECT_FALSE(MayRetry(create, absl::StatusCode::kAborted));
  personnel::v1::ListEmployeesRequest list;  // a read has no request id at all
  EXPECT_TRUE(MayRetry(list, absl::StatusCode::kUnavailable));
  EXPECT_FALSE(MayRetry(list, absl::StatusCode::kInternal));
}

TEST(ProgressTest, DescribesRateAndTimeLeft) {
  EXPECT_EQ(Progress::Describe(0, 100, absl::ZeroDuration(), "rows"), "0/100 rows");
  EXPECT_EQ(Progress::Describe(50, 200, absl::Seconds(10), "rows"),
            "50/200 rows  5.0 rows/s  0:30 left");
  EXPECT_EQ(Progress::Describe(200, 200, absl::Seconds(65), "rows"),
            "200/200 rows  3.1 rows/s  in 1:05");
}

}  // namespace
}  // namespace ladder::ladderctl
