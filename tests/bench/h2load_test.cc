// What the benchmark reads of h2load's output, from output h2load 1.52 printed against
// personnel's GetEmployee, and the request body it sends.

#include "bench/h2load.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ladder/personnel/v1/personnel_service.pb.h"

namespace ladder::bench {
namespace {

constexpr char kFinishedRun[] = R"(starting benchmark...
spawning thread #0: 1 total client(s). Timing-based test with 0.2s of warm-up time and 0.3s of main duration for measurements.
Application protocol: h2
Stopped all clients for thread #0

finished in 501.74ms, 8706.67 req/s, 1.99MB/s
requests: 2612 total, 2612 started, 2612 done, 2612 succeeded, 0 failed, 0 errored, 0 timeout
status codes: 2612 2xx, 0 3xx, 0 4xx, 0 5xx
traffic: 611.41KB (626080) total, 301.08KB (308307) headers (space savings 51.01%), 576.93KB (590778) data
                     min         max         mean         sd        +/- sd
time for request:      571us      4.14ms      1.82ms       483us    71.82%
)";

TEST(H2loadSummaryTest, ReadsRateCallsAndResponseData) {
  absl::StatusOr<H2loadFigures> figures = ParseH2loadSummary(kFinishedRun);
  ASSERT_TRUE(figures.ok()) << figures.status();
  EXPECT_DOUBLE_EQ(figures->requests_per_second, 8706.67);
  EXPECT_EQ(figures->done, 2612);
  EXPECT_EQ(figures->succeeded, 2612);
  EXPECT_EQ(figures->data_bytes, 590778);
}

TEST(H2loadSummaryTest, OutputWithoutASummaryIsAnError) {
  // What h2load prints when it cannot connect.
  EXPECT_FALSE(ParseH2loadSummary("starting benchmark...\nNo protocol negotiated. Aborted.\n").ok());
  const std::string cut = std::string(kFinishedRun).substr(0, std::string(kFinishedRun).find("traffic:"));
  EXPECT_FALSE(ParseH2loadSummary(cut).ok());
}

TEST(GrpcMessageTest, PrefixesTheSerializedMessageWithItsLength) {
  personnel::v1::GetEmployeeRequest request;
  request.set_name("employees/1234");
  const std::string path = ::testing::TempDir() + "/get-employee.grpc";
  ASSERT_TRUE(WriteGrpcMessage(path, request).ok());
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  const std::string body = bytes.str();
  const std::string message = request.SerializeAsString();
  ASSERT_EQ(body.size(), 5 + message.size());
  EXPECT_EQ(body.substr(0, 5), std::string("\0\0\0\0", 4) + static_cast<char>(message.size()));
  EXPECT_EQ(body.substr(5), message);
}

}  // namespace
}  // namespace ladder::bench
