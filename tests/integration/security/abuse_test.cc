// Abuse from one caller, against the real services with the production limits: a caller that
// never reads its responses, one that opens streams and sends nothing, one that is refused
// again and again, and one oversized batch. Each keeps to its share while another caller's
// calls still succeed.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "common/server/caller_limits.h"
#include "common/server/stream_watchdog.h"
#include "common/status/grpc_status.h"
#include "gmock/gmock.h"
#include "google/rpc/status.pb.h"
#include "ladder/evaluation/v1/evaluation_service.grpc.pb.h"
#include "tests/integration/security/security_test_base.h"

namespace ladder::testing {
namespace {

using grpc::StatusCode;

// Threads of this process, which runs the servers under test.
int ThreadCount() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (absl::StartsWith(line, "Threads:")) return std::stoi(line.substr(8));
  }
  return -1;
}

bool HasRetryInfo(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return false;
  for (const auto& any : details.details()) {
    if (any.type_url() == kRetryInfoTypeUrl) return true;
  }
  return false;
}

class AbuseTest : public SecurityTestBase {
 protected:
  void SetUp() override {
    SecurityTestBase::SetUp();
    // The production defaults (the test servers start with the limits off).
    server::CallerLimits::Process().Configure(server::CallerLimitOptions{});
  }
  void TearDown() override {
    server::CallerLimits::Process().Configure(server::CallerLimitOptions::None());
    server::StreamWatchdog::Process().set_first_message_timeout(absl::Seconds(10));
  }

  const Caller admin_ = AsUser({"abuse-test-admin", "HR_ADMIN"});
};

// HTTP/2 clients that announce a window of 0 never receive a response byte: before the limits
// every such call held a server thread until the client went away (thousands of threads).
TEST_F(AbuseTest, SlowReadersHoldNoMoreThanTheirShareWhileOthersAreServed) {
  const World world = BuildWorld();
  const std::string body_path = absl::StrCat(::testing::TempDir(), "list-teams-", getpid(), ".grpc");
  {
    // One gRPC message: uncompressed, length 0 (an empty ListTeamsRequest).
    std::ofstream body(body_path, std::ios::binary);
    body.write("\0\0\0\0\0", 5);
  }
  const std::string token = TokenFor({"slow-reader", "EMPLOYEE", {}, "", world.employee_a.name()});
  const int threads_before = ThreadCount();
  pid_t h2load = fork();
  ASSERT_GE(h2load, 0);
  if (h2load == 0) {
    const std::string url =
        absl::StrCat("https://", personnel_server_->address(), "/ladder.personnel.v1.PersonnelService/ListTeams");
    const std::string authorization = absl::StrCat("authorization: Bearer ", token);
    // 8 connections × up to 64 streams each, window 0 for every stream and the connection.
    execlp("h2load", "h2load", "-n", "4000", "-c", "8", "-m", "64", "-w", "0", "-W", "0", "-d", body_path.c_str(), "-H",
           "content-type: application/grpc", "-H", "te: trailers", "-H", authorization.c_str(), url.c_str(),
           static_cast<char*>(nullptr));
    _exit(127);
  }
  absl::SleepFor(absl::Seconds(3));
  ASSERT_EQ(waitpid(h2load, nullptr, WNOHANG), 0) << "h2load exited early (is nghttp2-client installed?)";
  const int in_flight = server::CallerLimits::Process().InFlight("user:slow-reader");
  const int threads_during = ThreadCount();

  // Meanwhile another caller is served.
  std::vector<double> latencies_ms;
  for (int i = 0; i < 40; ++i) {
    const absl::Time start = absl::Now();
    grpc::Status status = RawCall(personnel_server_->address(), "/ladder.personnel.v1.PersonnelService/ListTeams",
                                  "page_size: 10", admin_);
    latencies_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  }
  kill(h2load, SIGKILL);
  waitpid(h2load, nullptr, 0);
  std::sort(latencies_ms.begin(), latencies_ms.end());
  std::printf(
      "slow readers: %d calls of theirs in flight, threads %d -> %d; the other caller's "
      "p50 %.1f ms, max %.1f ms\n",
      in_flight, threads_before, threads_during, latencies_ms[latencies_ms.size() / 2], latencies_ms.back());
  EXPECT_GT(in_flight, 0) << "the slow reader's calls never reached the server";
  EXPECT_LE(in_flight, server::CallerLimitOptions{}.max_calls_per_person);
  // Its calls hold at most its share of threads (512 streams were open).
  EXPECT_LT(threads_during - threads_before, 160);
  // Its calls are released once it is gone.
  for (int i = 0; i < 50 && server::CallerLimits::Process().InFlight("user:slow-reader") > 0; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(server::CallerLimits::Process().InFlight("user:slow-reader"), 0);
}

// A client stream is authorized by its first message; one that never sends it is ended, and
// one caller cannot open more than its share.
TEST_F(AbuseTest, SilentStreamsAreEndedAndLimitedPerCaller) {
  const World world = BuildWorld();
  server::StreamWatchdog::Process().set_first_message_timeout(absl::Seconds(1));
  auto stub = evaluation::v1::EvaluationService::NewStub(
      ChannelFor(evaluation_server_->address(), AsUser({"silent", "COUNTY_HR", {world.county_a}})));
  constexpr int kStreams = 40;
  std::atomic<int> exhausted{0}, cancelled{0}, other{0};
  std::atomic<int64_t> slowest_ms{0};
  std::vector<std::thread> streams;
  for (int i = 0; i < kStreams; ++i) {
    streams.emplace_back([&] {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      Authorize(context, {"silent", "COUNTY_HR", {world.county_a}});
      evaluation::v1::ImportScoresResponse response;
      const absl::Time start = absl::Now();
      auto writer = stub->ImportScores(&context, &response);
      grpc::Status status = writer->Finish();  // without a single message
      const int64_t ms = absl::ToInt64Milliseconds(absl::Now() - start);
      int64_t seen = slowest_ms.load();
      while (ms > seen && !slowest_ms.compare_exchange_weak(seen, ms)) {
      }
      if (status.error_code() == StatusCode::RESOURCE_EXHAUSTED && HasRetryInfo(status)) {
        ++exhausted;
      } else if (status.error_code() == StatusCode::CANCELLED) {
        ++cancelled;
      } else {
        ++other;
      }
    });
  }
  for (std::thread& thread : streams) thread.join();
  std::printf(
      "silent streams: %d ended after the first-message timeout, %d refused at once, "
      "%d otherwise; the last ended after %lld ms\n",
      cancelled.load(), exhausted.load(), other.load(), static_cast<long long>(slowest_ms.load()));
  EXPECT_EQ(other.load(), 0);
  EXPECT_GE(exhausted.load(), kStreams - server::CallerLimitOptions{}.max_calls_per_person);
  EXPECT_GT(cancelled.load(), 0);
  EXPECT_LT(slowest_ms.load(), 10000) << "a silent stream was held until its caller's deadline";
}

// Every refusal is written to the audit trail: a caller refused again and again is slowed
// down, and what it makes the server write is bounded; other callers are not affected.
TEST_F(AbuseTest, RefusalsAreMeteredPerCaller) {
  const World world = BuildWorld();
  const Caller prober = AsUser({"prober", "COUNTY_HR", {world.county_a}});
  const Caller other = AsUser({"bystander", "COUNTY_HR", {world.county_a}});
  const std::string method = "/ladder.personnel.v1.PersonnelService/ListAuditEvents";
  const absl::Time start = absl::Now();
  int denied = 0, exhausted = 0;
  for (int i = 0; i < 300; ++i) {
    grpc::Status status = RawCall(personnel_server_->address(), method, "", prober);
    if (status.error_code() == StatusCode::PERMISSION_DENIED) ++denied;
    if (status.error_code() == StatusCode::RESOURCE_EXHAUSTED) {
      EXPECT_TRUE(HasRetryInfo(status));
      ++exhausted;
    }
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::printf("refusals: %d denied (and audited), %d slowed down, in %.2f s\n", denied, exhausted, seconds);
  const server::CallerLimitOptions limits;
  EXPECT_EQ(denied + exhausted, 300);
  EXPECT_LE(denied, limits.refusal_burst + static_cast<int>(limits.refusals_per_second * seconds) + 1);
  EXPECT_GT(exhausted, 0);
  // Only the prober is slowed down.
  EXPECT_EQ(RawCall(personnel_server_->address(), method, "", other).error_code(), StatusCode::PERMISSION_DENIED);
}

// A batch is checked against its size limit before any of its names is looked up: before
// that, a county HR's 250,000 names cost minutes of database work before the refusal.
TEST_F(AbuseTest, OversizedBatchIsRefusedBeforeAnyLookup) {
  const World world = BuildWorld();
  pv1::BatchGetEmployeesRequest request;
  for (int i = 0; i < 250000; ++i) request.add_names(world.employee_a.name());
  const absl::Time start = absl::Now();
  grpc::Status status =
      RawBytesCall(personnel_server_->address(), "/ladder.personnel.v1.PersonnelService/BatchGetEmployees",
                   request.SerializeAsString(), AsUser({"county-hr-batch", "COUNTY_HR", {world.county_a}}));
  const absl::Duration took = absl::Now() - start;
  std::printf("a batch of 250,000 names (%zu bytes) refused in %.0f ms\n", request.ByteSizeLong(),
              absl::ToDoubleMilliseconds(took));
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(ViolatedField(FromGrpcStatus(status)).value_or(""), "names");
  EXPECT_LT(took, absl::Seconds(5));
}

}  // namespace
}  // namespace ladder::testing
