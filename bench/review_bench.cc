// Measures a cycle review at branch scale: a branch of --counties x --managers_per_county
// customer managers written straight into personnel, two finalised quarters scored for all of
// them written straight into evaluation, then RunCycleReview of the later quarter through the
// real servers (processes of their own, TLS and tokens as in production), followed to the end
// through google.longrunning.Operations. Prints the review's time, participants and cases per
// second, careerpath's resident memory (sampled while it runs, and its peak), and the time of
// a second review of the same cycle (which makes nothing new).
//
//   LADDER_TEST_MYSQL_SOCKET=… LADDER_TEST_PKI_DIR=… review_bench --counties=100 --managers_per_county=1000
//
// Runs against the MariaDB that scripts/test.sh or scripts/bench.sh starts, in scratch
// databases of its own.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/dataset.h"
#include "bench/import_scores.h"
#include "bench/processes.h"
#include "bench/security.h"
#include "google/longrunning/operations.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "ladder/careerpath/v1/careerpath_service.grpc.pb.h"
#include "ladder/evaluation/v1/evaluation_service.grpc.pb.h"
#include "services/careerpath/migrations.h"
#include "services/evaluation/migrations.h"
#include "services/personnel/migrations.h"
#include "tests/support/test_database.h"

ABSL_FLAG(int, counties, 10, "counties of the branch");
ABSL_FLAG(int, managers_per_county, 1000, "customer managers per county");
ABSL_FLAG(int, review_batch_size, 500, "careerpath's --review_batch_size");
ABSL_FLAG(int, server_cpu, -1, "pin the servers to the CPU (-1: no pinning)");
ABSL_FLAG(std::string, build_dir, "build", "the build directory holding the servers");
ABSL_FLAG(std::string, pki_dir, "", "the development PKI (default: LADDER_TEST_PKI_DIR)");
ABSL_FLAG(std::string, log_dir, "", "where the servers' logs go (default: a new /tmp directory)");
ABSL_FLAG(absl::Duration, timeout, absl::Minutes(30), "give up on a review after this long");
ABSL_FLAG(std::string, ladderctl, "",
          "also review the cycle once more with this ladderctl (its progress shown as lines), "
          "as an HR officer would");
ABSL_FLAG(std::string, markdown, "",
          "also append the figures as a row of a Markdown table to this file (scripts/bench.sh)");

namespace ladder::bench {
namespace {

namespace cv1 = ::ladder::careerpath::v1;
namespace ev1 = ::ladder::evaluation::v1;
namespace lro = ::google::longrunning;

template <typename T>
T Must(absl::StatusOr<T> value, const std::string& what) {
  if (!value.ok()) {
    std::fprintf(stderr, "review_bench: %s: %s\n", what.c_str(), value.status().ToString().c_str());
    std::exit(1);
  }
  return *std::move(value);
}

void Must(const absl::Status& status, const std::string& what) {
  if (!status.ok()) {
    std::fprintf(stderr, "review_bench: %s: %s\n", what.c_str(), status.ToString().c_str());
    std::exit(1);
  }
}

struct ReviewRun {
  double seconds = 0;
  cv1::RunCycleReviewResponse result;
  int64_t max_rss_kib = 0;
};

ReviewRun RunReview(cv1::CareerPathService::Stub& career, lro::Operations::Stub& operations,
                    const ServerProcess& careerpath, const std::string& cycle, absl::Duration timeout) {
  ReviewRun run;
  const absl::Time start = absl::Now();
  cv1::RunCycleReviewRequest request;
  request.set_cycle(cycle);
  lro::Operation operation;
  {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    const grpc::Status status = career.RunCycleReview(&context, request, &operation);
    if (!status.ok()) Must(absl::InternalError(status.error_message()), "RunCycleReview");
  }
  int last_percent = -1;
  while (!operation.done()) {
    if (absl::Now() - start > timeout) Must(absl::DeadlineExceededError("the review"), "waiting");
    absl::SleepFor(absl::Milliseconds(200));
    run.max_rss_kib = std::max(run.max_rss_kib, careerpath.RssKib());
    lro::GetOperationRequest get;
    get.set_name(operation.name());
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    const grpc::Status status = operations.GetOperation(&context, get, &operation);
    if (!status.ok()) Must(absl::InternalError(status.error_message()), "GetOperation");
    cv1::RunCycleReviewMetadata metadata;
    operation.metadata().UnpackTo(&metadata);
    const int percent =
        metadata.participant_count() == 0 ? 100 : 100 * metadata.processed_count() / metadata.participant_count();
    if (percent / 10 != last_percent / 10) {
      std::fprintf(stderr, "  %s: %d of %d participants after %.1f s, careerpath %lld MiB\n", operation.name().c_str(),
                   metadata.processed_count(), metadata.participant_count(), absl::ToDoubleSeconds(absl::Now() - start),
                   static_cast<long long>(run.max_rss_kib / 1024));
      last_percent = percent;
    }
  }
  run.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (operation.has_error()) Must(absl::InternalError(operation.error().message()), "the review failed");
  operation.response().UnpackTo(&run.result);
  return run;
}

// Walks the whole ranking of `county` at `level` page by page, as a client paging through it
// would; returns the seconds it took and the rows seen.
std::pair<double, int> WalkRanking(ev1::EvaluationService::Stub& evaluation, const std::string& cycle,
                                   const std::string& county, common::v1::Level level, int page_size) {
  ev1::ListRankingsRequest request;
  request.set_cycle(cycle);
  request.set_county(county);
  request.set_level(level);
  request.set_page_size(page_size);
  int rows = 0;
  const absl::Time start = absl::Now();
  do {
    ev1::ListRankingsResponse page;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    const grpc::Status status = evaluation.ListRankings(&context, request, &page);
    if (!status.ok()) Must(absl::InternalError(status.error_message()), "ListRankings");
    rows += page.rankings_size();
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return {absl::ToDoubleSeconds(absl::Now() - start), rows};
}

// The median latency of GetDistributionReport for the whole branch, of `calls` calls.
double ReportMilliseconds(cv1::CareerPathService::Stub& career, const std::string& branch, int calls) {
  std::vector<double> times;
  for (int i = 0; i < calls; ++i) {
    cv1::GetDistributionReportRequest request;
    request.set_org_unit(branch);
    cv1::DistributionReport report;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    const absl::Time start = absl::Now();
    const grpc::Status status = career.GetDistributionReport(&context, request, &report);
    if (!status.ok()) Must(absl::InternalError(status.error_message()), "GetDistributionReport");
    times.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

int Run() {
  BranchShape shape;
  shape.counties = absl::GetFlag(FLAGS_counties);
  shape.managers_per_county = absl::GetFlag(FLAGS_managers_per_county);
  LadderServerSetup setup;
  setup.build_dir = absl::GetFlag(FLAGS_build_dir);
  setup.pki_dir = Must(PkiDir(absl::GetFlag(FLAGS_pki_dir)), "the PKI");
  setup.cpu = absl::GetFlag(FLAGS_server_cpu);
  setup.log_dir = absl::GetFlag(FLAGS_log_dir);
  if (setup.log_dir.empty()) {
    char pattern[] = "/tmp/ladder-review-bench-XXXXXX";
    setup.log_dir =
        Must(mkdtemp(pattern) != nullptr ? absl::StatusOr<std::string>(pattern) : absl::InternalError("mkdtemp"),
             "making the log directory");
  }
  setup.credentials = Must(CallerCredentials(setup.pki_dir, "bench"), "minting the benchmark's token");

  const absl::Time start = absl::Now();
  auto personnel_db = Must(testing::ScratchDatabase::Create("bench_rp", personnel::Migrations()), "personnel db");
  auto evaluation_db = Must(testing::ScratchDatabase::Create("bench_re", evaluation::Migrations()), "evaluation db");
  auto careerpath_db = Must(testing::ScratchDatabase::Create("bench_rc", careerpath::Migrations()), "careerpath db");
  const Branch branch = Must(LoadBranch(personnel_db->options(), shape), "loading the branch");
  Must(personnel_db->Execute("ANALYZE TABLE employees, org_units, teams"), "ANALYZE");

  auto personnel =
      Must(StartLadderServer(setup, "personnel", "services/personnel/personnel_server",
                             "ladder.personnel.v1.PersonnelService", LocalDatabaseUrl(personnel_db->options()),
                             personnel_db->options().password, {}),
           "starting personnel");
  auto evaluation =
      Must(StartLadderServer(setup, "evaluation", "services/evaluation/evaluation_server",
                             "ladder.evaluation.v1.EvaluationService", LocalDatabaseUrl(evaluation_db->options()),
                             evaluation_db->options().password, {absl::StrCat("--personnel=", personnel->address())}),
           "starting evaluation");
  auto careerpath = Must(
      StartLadderServer(
          setup, "careerpath", "services/careerpath/careerpath_server", "ladder.careerpath.v1.CareerPathService",
          LocalDatabaseUrl(careerpath_db->options()), careerpath_db->options().password,
          {absl::StrCat("--personnel=", personnel->address()), absl::StrCat("--evaluation=", evaluation->address()),
           absl::StrCat("--review_batch_size=", absl::GetFlag(FLAGS_review_batch_size))}),
      "starting careerpath");

  auto evaluation_stub = ev1::EvaluationService::NewStub(grpc::CreateChannel(evaluation->address(), setup.credentials));
  const auto careerpath_channel = grpc::CreateChannel(careerpath->address(), setup.credentials);
  auto career = cv1::CareerPathService::NewStub(careerpath_channel);
  auto operations = lro::Operations::NewStub(careerpath_channel);

  ev1::Scorecard scorecard;
  {
    grpc::ClientContext context;
    const grpc::Status status = evaluation_stub->CreateScorecard(&context, ScorecardRequest("季度考核"), &scorecard);
    if (!status.ok()) Must(absl::InternalError(status.error_message()), "CreateScorecard");
  }
  const int64_t scorecard_id = std::stoll(scorecard.name().substr(scorecard.name().rfind('/') + 1));
  const int64_t older = Must(LoadCycle(evaluation_db->options(), scorecard_id, branch), "the earlier quarter");
  const int64_t newer = Must(LoadCycle(evaluation_db->options(), scorecard_id, branch), "the later quarter");
  Must(ScoreAndFinalise(evaluation_db->options(), older, newer, branch.employees), "scoring the quarters");
  const int64_t idle_kib = careerpath->RssKib();
  std::fprintf(stderr, "review_bench: %lld participants in %d counties, set up in %.1f s; logs in %s\n",
               static_cast<long long>(branch.employees), shape.counties, absl::ToDoubleSeconds(absl::Now() - start),
               setup.log_dir.c_str());

  const std::string cycle = absl::StrCat("cycles/", newer);
  const absl::Duration timeout = absl::GetFlag(FLAGS_timeout);
  const ReviewRun first = RunReview(*career, *operations, *careerpath, cycle, timeout);
  const ReviewRun second = RunReview(*career, *operations, *careerpath, cycle, timeout);
  if (const std::string ladderctl = absl::GetFlag(FLAGS_ladderctl); !ladderctl.empty()) {
    // The same review as an HR officer starts it, with ladderctl's own progress: on stderr,
    // as lines since this is no terminal.
    const std::string token = Must(SignedToken(setup.pki_dir, "bench", "HR_ADMIN"), "a token for ladderctl");
    const std::string command =
        absl::StrCat("LADDER_TOKEN='", token, "' '", ladderctl, "' --tls-ca='", setup.pki_dir,
                     "/ca.crt' --personnel=", personnel->address(), " --evaluation=", evaluation->address(),
                     " --careerpath=", careerpath->address(), " --progress=lines review ", cycle, " 2>&1");
    std::fflush(stdout);
    if (std::system(command.c_str()) != 0) Must(absl::InternalError("ladderctl review failed"), "ladderctl");
  }
  const int64_t peak_kib = careerpath->PeakRssKib();
  const double report_ms = ReportMilliseconds(*career, absl::StrCat("orgUnits/", branch.city_id), 5);
  // The largest ranking of the branch: the first county's intermediates (half of it).
  const auto [walk_seconds, walk_rows] =
      WalkRanking(*evaluation_stub, cycle, absl::StrCat("orgUnits/", branch.county_ids.front()),
                  common::v1::LEVEL_INTERMEDIATE, 100);

  // A third quarter, open, scored for the whole branch in one ImportScores stream, the
  // evaluation server's peak resident size measured from outside (VmHWM, reset before).
  const int64_t open_cycle = Must(LoadCycle(evaluation_db->options(), scorecard_id, branch), "the open quarter");
  const bool reset = ResetPeakRss(evaluation->pid());
  const int64_t evaluation_idle_kib = evaluation->RssKib();
  const double import_seconds = Must(ImportThroughService(*evaluation_stub, absl::StrCat("cycles/", open_cycle), 1,
                                                          static_cast<int>(branch.employees), 0),
                                     "ImportScores of the branch");
  const int64_t evaluation_peak_kib = reset ? evaluation->PeakRssKib() : -1;

  std::printf("RunCycleReview of %lld participants (%d counties x %d), batches of %d\n",
              static_cast<long long>(branch.employees), shape.counties, shape.managers_per_county,
              absl::GetFlag(FLAGS_review_batch_size));
  std::printf("  first review:  %8.1f s  %8.0f participants/s  %d cases created (%.0f cases/s)\n", first.seconds,
              first.result.reviewed_count() / first.seconds, first.result.created_case_count(),
              first.result.created_case_count() / first.seconds);
  std::printf("  second review: %8.1f s  %8.0f participants/s  %d created, %d there already\n", second.seconds,
              second.result.reviewed_count() / second.seconds, second.result.created_case_count(),
              second.result.existing_case_count());
  std::printf(
      "  ListRankings, one county's intermediates page by page (100 a page): "
      "%d rows in %.3f s (%.2f ms a page)\n",
      walk_rows, walk_seconds, 1000 * walk_seconds / std::max(1, (walk_rows + 99) / 100));
  std::printf("  GetDistributionReport of the branch: %.1f ms (median of 5)\n", report_ms);
  std::printf(
      "  ImportScores of the whole branch in one stream: %lld rows in %.1f s (%.0f rows/s), "
      "evaluation RSS %lld MiB before, peak %lld MiB\n",
      static_cast<long long>(branch.employees), import_seconds, branch.employees / import_seconds,
      static_cast<long long>(evaluation_idle_kib / 1024), static_cast<long long>(evaluation_peak_kib / 1024));
  std::printf("  careerpath RSS: idle %lld MiB, most seen while reviewing %lld MiB, peak (VmHWM) %lld MiB\n",
              static_cast<long long>(idle_kib / 1024),
              static_cast<long long>(std::max(first.max_rss_kib, second.max_rss_kib) / 1024),
              static_cast<long long>(peak_kib / 1024));
  if (const std::string markdown = absl::GetFlag(FLAGS_markdown); !markdown.empty()) {
    std::FILE* file = std::fopen(markdown.c_str(), "a");
    if (file == nullptr) Must(absl::InternalError(absl::StrCat("cannot append to ", markdown)), "--markdown");
    std::fprintf(
        file,
        "| %lld | %d | %.1f s | %.0f | %d | %.0f | %.1f s | %lld MiB | %lld MiB | %.1f ms | %.2f ms | %.1f s | %lld "
        "MiB |\n",
        static_cast<long long>(branch.employees), shape.counties, first.seconds,
        first.result.reviewed_count() / first.seconds, first.result.created_case_count(),
        first.result.created_case_count() / first.seconds, second.seconds, static_cast<long long>(idle_kib / 1024),
        static_cast<long long>(peak_kib / 1024), report_ms, 1000 * walk_seconds / std::max(1, (walk_rows + 99) / 100),
        import_seconds, static_cast<long long>(evaluation_peak_kib / 1024));
    std::fclose(file);
  }
  return 0;
}

}  // namespace
}  // namespace ladder::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return ladder::bench::Run();
}
