// A cycle review whose server is killed (SIGKILL: no shutdown, its lease left behind) halfway
// through, then started again on the same database: the review resumes from its last
// committed batch once the lease runs out, and ends with exactly the cases an uninterrupted
// review of the same cycle makes — none missing, none twice — with its progress reported
// throughout and careerpath's memory under its limit. The three servers are the real
// binaries, as processes of their own, on a branch written straight into the databases.

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/dataset.h"
#include "bench/import_scores.h"
#include "bench/processes.h"
#include "bench/security.h"
#include "common/db/connection_pool.h"
#include "cppconn/resultset.h"
#include "google/longrunning/operations.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "ladder/careerpath/v1/careerpath_service.grpc.pb.h"
#include "ladder/evaluation/v1/evaluation_service.grpc.pb.h"
#include "services/careerpath/migrations.h"
#include "services/evaluation/migrations.h"
#include "services/personnel/migrations.h"
#include "tests/support/test_database.h"

namespace ladder::testing {
namespace {

namespace cv1 = ::ladder::careerpath::v1;
namespace ev1 = ::ladder::evaluation::v1;
namespace lro = ::google::longrunning;
using bench::ServerProcess;

// 5,000 participants in batches of 10: about 500 batches, a few seconds of review, so that
// the kill lands in the middle.
constexpr int kCounties = 5;
constexpr int kManagersPerCounty = 1000;
constexpr int kBatch = 10;
constexpr int64_t kCareerPathLimitKib = 150 * 1024;

// What makes a case the same case in two databases.
using CaseKey = std::tuple<int64_t, int, int, int, int>;  // employee, kind, from, to, state

std::set<CaseKey> CasesIn(const db::DatabaseOptions& careerpath, int* rows) {
  std::set<CaseKey> cases;
  auto connection = db::Connection::Open(careerpath);
  EXPECT_TRUE(connection.ok()) << connection.status();
  if (!connection.ok()) return cases;
  std::unique_ptr<sql::ResultSet> row(
      (*connection)->Prepare("SELECT employee_id, kind, from_level, to_level, state FROM cases").executeQuery());
  *rows = 0;
  while (row->next()) {
    ++*rows;
    cases.emplace(row->getInt64(1), row->getInt(2), row->getInt(3), row->getInt(4), row->getInt(5));
  }
  return cases;
}

class ReviewAfterAKillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* build_dir = std::getenv("LADDER_BUILD_DIR");
    ASSERT_NE(build_dir, nullptr) << "LADDER_BUILD_DIR names the build holding the servers";
    absl::StatusOr<std::string> pki = bench::PkiDir();
    ASSERT_TRUE(pki.ok()) << pki.status();
    setup_.build_dir = build_dir;
    setup_.pki_dir = *pki;
    setup_.log_dir = ::testing::TempDir();
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
        bench::CallerCredentials(*pki, "review-after-a-kill");
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    setup_.credentials = *credentials;

    auto personnel_db = ScratchDatabase::Create("kill_p", personnel::Migrations());
    auto evaluation_db = ScratchDatabase::Create("kill_e", evaluation::Migrations());
    ASSERT_TRUE(personnel_db.ok() && evaluation_db.ok());
    personnel_db_ = *std::move(personnel_db);
    evaluation_db_ = *std::move(evaluation_db);
    bench::BranchShape shape;
    shape.counties = kCounties;
    shape.managers_per_county = kManagersPerCounty;
    absl::StatusOr<bench::Branch> branch = bench::LoadBranch(personnel_db_->options(), shape);
    ASSERT_TRUE(branch.ok()) << branch.status();
    branch_ = *std::move(branch);

    auto personnel = bench::StartLadderServer(
        setup_, "personnel", "services/personnel/personnel_server", "ladder.personnel.v1.PersonnelService",
        bench::LocalDatabaseUrl(personnel_db_->options()), personnel_db_->options().password, {});
    ASSERT_TRUE(personnel.ok()) << personnel.status();
    personnel_ = *std::move(personnel);
    auto evaluation = bench::StartLadderServer(
        setup_, "evaluation", "services/evaluation/evaluation_server", "ladder.evaluation.v1.EvaluationService",
        bench::LocalDatabaseUrl(evaluation_db_->options()), evaluation_db_->options().password,
        {absl::StrCat("--personnel=", personnel_->address())});
    ASSERT_TRUE(evaluation.ok()) << evaluation.status();
    evaluation_ = *std::move(evaluation);

    auto stub = ev1::EvaluationService::NewStub(grpc::CreateChannel(evaluation_->address(), setup_.credentials));
    ev1::Scorecard scorecard;
    grpc::ClientContext context;
    const grpc::Status created = stub->CreateScorecard(&context, bench::ScorecardRequest("季度考核"), &scorecard);
    ASSERT_TRUE(created.ok()) << created.error_message();
    const int64_t scorecard_id = std::stoll(scorecard.name().substr(scorecard.name().rfind('/') + 1));
    absl::StatusOr<int64_t> older = bench::LoadCycle(evaluation_db_->options(), scorecard_id, branch_);
    absl::StatusOr<int64_t> newer = bench::LoadCycle(evaluation_db_->options(), scorecard_id, branch_);
    ASSERT_TRUE(older.ok() && newer.ok());
    const absl::Status scored = bench::ScoreAndFinalise(evaluation_db_->options(), *older, *newer, branch_.employees);
    ASSERT_TRUE(scored.ok()) << scored;
    cycle_ = absl::StrCat("cycles/", *newer);
  }

  // A careerpath server on `database`, with small batches and a short lease.
  std::unique_ptr<ServerProcess> StartCareerPath(const std::string& name, const ScratchDatabase& database) {
    auto server = bench::StartLadderServer(
        setup_, name, "services/careerpath/careerpath_server", "ladder.careerpath.v1.CareerPathService",
        bench::LocalDatabaseUrl(database.options()), database.options().password,
        {absl::StrCat("--personnel=", personnel_->address()), absl::StrCat("--evaluation=", evaluation_->address()),
         absl::StrCat("--review_batch_size=", kBatch), "--review_lease=2s"},
        "careerpath");
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? *std::move(server) : nullptr;
  }

  // One channel per server, kept: the test polls every 20 ms, and a channel's TLS handshake
  // would cost more than the poll.
  std::shared_ptr<grpc::Channel> ChannelTo(const ServerProcess& server) {
    std::shared_ptr<grpc::Channel>& channel = channels_[server.address()];
    if (channel == nullptr) channel = grpc::CreateChannel(server.address(), setup_.credentials);
    return channel;
  }

  lro::Operation StartReview(const ServerProcess& careerpath) {
    auto career = cv1::CareerPathService::NewStub(ChannelTo(careerpath));
    cv1::RunCycleReviewRequest request;
    request.set_cycle(cycle_);
    lro::Operation operation;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    const grpc::Status status = career->RunCycleReview(&context, request, &operation);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return operation;
  }

  // The operation as `careerpath` reports it now, and its progress.
  lro::Operation Poll(const ServerProcess& careerpath, const std::string& name, cv1::RunCycleReviewMetadata* progress) {
    auto operations = lro::Operations::NewStub(ChannelTo(careerpath));
    lro::GetOperationRequest request;
    request.set_name(name);
    lro::Operation operation;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    const grpc::Status status = operations->GetOperation(&context, request, &operation);
    EXPECT_TRUE(status.ok()) << status.error_message();
    operation.metadata().UnpackTo(progress);
    return operation;
  }

  // Polls until the operation is done (or `timeout` passes); fails on a review that failed or
  // on progress that went backwards.
  lro::Operation WaitDone(const ServerProcess& careerpath, const std::string& name, absl::Duration timeout) {
    const absl::Time give_up = absl::Now() + timeout;
    int last_processed = 0;
    lro::Operation operation;
    do {
      cv1::RunCycleReviewMetadata progress;
      operation = Poll(careerpath, name, &progress);
      EXPECT_GE(progress.processed_count(), last_processed) << "progress went backwards";
      last_processed = progress.processed_count();
      if (!operation.done()) absl::SleepFor(absl::Milliseconds(100));
    } while (!operation.done() && absl::Now() < give_up);
    EXPECT_TRUE(operation.done()) << name << " did not finish within " << timeout;
    EXPECT_FALSE(operation.has_error()) << operation.error().message();
    return operation;
  }

  bench::LadderServerSetup setup_;
  std::unique_ptr<ScratchDatabase> personnel_db_, evaluation_db_;
  bench::Branch branch_;
  std::unique_ptr<ServerProcess> personnel_, evaluation_;
  std::string cycle_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;  // by address
};

TEST_F(ReviewAfterAKillTest, ResumesFromItsLastBatchAndMakesTheCasesOfAnUninterruptedReview) {
  auto careerpath_db = ScratchDatabase::Create("kill_c", careerpath::Migrations());
  ASSERT_TRUE(careerpath_db.ok()) << careerpath_db.status();
  std::unique_ptr<ServerProcess> careerpath = StartCareerPath("careerpath", **careerpath_db);
  ASSERT_NE(careerpath, nullptr);
  const lro::Operation started = StartReview(*careerpath);
  ASSERT_FALSE(started.name().empty());

  // Killed once a tenth of the cycle is reviewed, well before the end.
  cv1::RunCycleReviewMetadata progress;
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (progress.processed_count() < branch_.employees / 10 && absl::Now() < give_up) {
    ASSERT_FALSE(Poll(*careerpath, started.name(), &progress).done()) << "the review ended before the kill";
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_GE(progress.processed_count(), branch_.employees / 10);
  ASSERT_EQ(progress.participant_count(), branch_.employees);
  careerpath->Kill();
  const int processed_at_kill = progress.processed_count();
  int cases_at_kill = 0;
  CasesIn((*careerpath_db)->options(), &cases_at_kill);
  EXPECT_LT(processed_at_kill, branch_.employees) << "killed after the end";

  // Started again on the same database: after the dead replica's lease, the new one carries
  // on from the batches that committed.
  careerpath = StartCareerPath("careerpath-restarted", **careerpath_db);
  ASSERT_NE(careerpath, nullptr);
  cv1::RunCycleReviewMetadata resumed;
  Poll(*careerpath, started.name(), &resumed);
  EXPECT_GE(resumed.processed_count(), processed_at_kill) << "committed progress was lost";
  const lro::Operation finished = WaitDone(*careerpath, started.name(), absl::Seconds(120));
  cv1::RunCycleReviewMetadata final_progress;
  finished.metadata().UnpackTo(&final_progress);
  EXPECT_EQ(final_progress.processed_count(), branch_.employees);
  EXPECT_LE(careerpath->PeakRssKib(), kCareerPathLimitKib);
  int rows = 0;
  const std::set<CaseKey> after_kill = CasesIn((*careerpath_db)->options(), &rows);
  EXPECT_EQ(static_cast<size_t>(rows), after_kill.size()) << "a case was made twice";
  EXPECT_GT(rows, cases_at_kill) << "nothing was made after the restart";
  careerpath.reset();

  // The same cycle reviewed without a kill, on a database of its own.
  auto reference_db = ScratchDatabase::Create("kill_r", careerpath::Migrations());
  ASSERT_TRUE(reference_db.ok()) << reference_db.status();
  std::unique_ptr<ServerProcess> reference = StartCareerPath("careerpath-reference", **reference_db);
  ASSERT_NE(reference, nullptr);
  const lro::Operation whole = StartReview(*reference);
  WaitDone(*reference, whole.name(), absl::Seconds(120));
  int reference_rows = 0;
  const std::set<CaseKey> uninterrupted = CasesIn((*reference_db)->options(), &reference_rows);
  EXPECT_GT(reference_rows, 0) << "the data makes no cases: the test proves nothing";
  EXPECT_EQ(after_kill, uninterrupted);
  EXPECT_EQ(rows, reference_rows);
  std::printf("killed at %d of %lld participants with %d cases made; resumed to %d cases, as without a kill (%d)\n",
              processed_at_kill, static_cast<long long>(branch_.employees), cases_at_kill, rows, reference_rows);
}

}  // namespace
}  // namespace ladder::testing
