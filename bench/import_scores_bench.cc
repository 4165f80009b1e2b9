// Measures ImportScores against the bare database: 100,000 scores for one cycle imported
// through the evaluation service (gRPC stream, validation, batched transactions), and the
// same rows upserted straight into MariaDB from C++ with the same batching (bench/import_scores.h,
// shared with ladder_bench). Each side scores unscored rows (a reset, untimed, comes before
// each) and they take turns going first. Prints both and their ratio; the target is the service
// within 2x of the raw insert.
//
//   LADDER_TEST_MYSQL_SOCKET=… LADDER_TEST_PKI_DIR=… import_scores_bench [--rows=100000] [--runs=3]
//
// Runs against the MariaDB that scripts/test.sh or scripts/bench.sh starts; makes its own
// scratch databases and servers on loopback, which serve TLS with the development PKI and
// verify the bearer token the import sends, as in production.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "bench/import_scores.h"
#include "bench/processes.h"
#include "bench/security.h"
#include "common/db/connection_pool.h"
#include "grpcpp/create_channel.h"
#include "services/evaluation/migrations.h"
#include "services/personnel/migrations.h"
#include "spdlog/spdlog.h"
#include "tests/support/evaluation_test_server.h"
#include "tests/support/personnel_test_server.h"
#include "tests/support/test_database.h"

ABSL_FLAG(int, rows, 100000, "scores to import per run");
ABSL_FLAG(int, runs, 3, "runs of each side; the median is reported");

namespace ladder::bench {
namespace {

namespace ev1 = ::ladder::evaluation::v1;
namespace pv1 = ::ladder::personnel::v1;

void Check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "import_scores_bench: %s\n", what.c_str());
    std::exit(1);
  }
}

double Value(const absl::StatusOr<double>& seconds) {
  Check(seconds.ok(), seconds.status().ToString());
  return *seconds;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

int Run(int rows, int runs) {
  Check(rows % kRawRowsPerStatement == 0, "--rows must be a multiple of 250");
  // Keep the import's own summary line (event=import_done: read and write phases).
  spdlog::set_level(spdlog::level::info);
  auto personnel_db = testing::ScratchDatabase::Create("bench_p", personnel::Migrations());
  Check(personnel_db.ok(), personnel_db.status().ToString());
  auto evaluation_db = testing::ScratchDatabase::Create("bench_e", evaluation::Migrations());
  Check(evaluation_db.ok(), evaluation_db.status().ToString());
  auto personnel_server = testing::PersonnelTestServer::Start((*personnel_db)->options());
  Check(personnel_server.ok(), personnel_server.status().ToString());
  auto evaluation_server =
      testing::EvaluationTestServer::Start((*evaluation_db)->options(), (*personnel_server)->address());
  Check(evaluation_server.ok(), evaluation_server.status().ToString());
  // The import goes over a channel of its own, as a client system's would: TLS and a token
  // minted once (the set-up calls below use the test helpers' tokens).
  absl::StatusOr<std::string> pki_dir = PkiDir();
  Check(pki_dir.ok(), pki_dir.status().ToString());
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials = CallerCredentials(*pki_dir, "bench");
  Check(credentials.ok(), credentials.status().ToString());
  auto importer = ev1::EvaluationService::NewStub(grpc::CreateChannel((*evaluation_server)->address(), *credentials));

  // A county, a scorecard and a cycle through the APIs; the 100,000 participants are put
  // straight into the cycle (creating that many people through personnel is not what is
  // measured here).
  auto people = (*personnel_server)->NewStub();
  pv1::CreateOrgUnitRequest city_request;
  city_request.mutable_org_unit()->set_display_name("bench city");
  city_request.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_CITY_BRANCH);
  pv1::OrgUnit city, county;
  Check(people->CreateOrgUnit(testing::CallContext().get(), city_request, &city).ok(), "city");
  pv1::CreateOrgUnitRequest county_request;
  county_request.mutable_org_unit()->set_display_name("bench county");
  county_request.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_COUNTY);
  county_request.mutable_org_unit()->set_parent(city.name());
  Check(people->CreateOrgUnit(testing::CallContext().get(), county_request, &county).ok(), "county");

  auto evaluations = (*evaluation_server)->NewStub();
  const ev1::CreateScorecardRequest scorecard_request = ScorecardRequest("bench");
  ev1::Scorecard scorecard;
  Check(evaluations->CreateScorecard(testing::CallContext().get(), scorecard_request, &scorecard).ok(), "scorecard");
  ev1::CreateCycleRequest cycle_request;
  ev1::Cycle* cycle = cycle_request.mutable_cycle();
  cycle->set_display_name("bench");
  cycle->set_period(ev1::Cycle::PERIOD_QUARTERLY);
  cycle->mutable_start_date()->set_year(2026);
  cycle->mutable_start_date()->set_month(7);
  cycle->mutable_start_date()->set_day(1);
  cycle->mutable_end_date()->set_year(2026);
  cycle->mutable_end_date()->set_month(9);
  cycle->mutable_end_date()->set_day(30);
  cycle->set_scorecard(scorecard.name());
  cycle->set_scope(county.name());
  ev1::Cycle created;
  Check(evaluations->CreateCycle(testing::CallContext().get(), cycle_request, &created).ok(), "cycle");
  const int64_t cycle_id = std::stoll(created.name().substr(created.name().rfind('/') + 1));
  const int64_t first_employee = 1000000;
  for (int begin = 0; begin < rows; begin += 5000) {
    std::vector<std::string> values;
    for (int i = begin; i < std::min(rows, begin + 5000); ++i) {
      values.push_back(absl::StrCat("(", cycle_id, ", ", first_employee + i, ", 1, 0, 1, 1, UTC_TIMESTAMP(6))"));
    }
    Check((*evaluation_db)
              ->Execute(absl::StrCat("INSERT INTO evaluations (cycle_id, employee_id, county_id, "
                                     "team_id, level, state, update_time) VALUES ",
                                     absl::StrJoin(values, ", ")))
              .ok(),
          "participants");
  }

  db::ConnectionPool raw_pool((*evaluation_db)->options());
  // Warm both paths (connections, prepared statements, buffer pool) before measuring.
  Value(ImportThroughService(*importer, created.name(), first_employee, std::min(rows, 5000), 100));
  Value(InsertRaw(raw_pool, cycle_id, first_employee, std::min(rows, 5000), 100));
  std::vector<double> service, raw;
  int64_t resident_before_kib = 0, peak_kib = 0;
  for (int run = 0; run < runs; ++run) {
    // Each side scores unscored rows, and they take turns going first.
    for (int side = 0; side < 2; ++side) {
      Check(ResetScores(raw_pool, cycle_id).ok(), "resetting the scores");
      if ((side + run) % 2 == 0) {
        // The peak of this process while the service imports: the server's work, and the
        // client's, which makes its rows as it sends them.
        Check(ResetPeakRss(getpid()), "resetting VmHWM (/proc/self/clear_refs)");
        resident_before_kib = ProcStatusKib(getpid(), "VmRSS");
        service.push_back(Value(ImportThroughService(*importer, created.name(), first_employee, rows, run)));
        peak_kib = std::max(peak_kib, ProcStatusKib(getpid(), "VmHWM"));
      } else {
        raw.push_back(Value(InsertRaw(raw_pool, cycle_id, first_employee, rows, run)));
      }
    }
  }
  const double service_s = Median(service);
  const double raw_s = Median(raw);
  std::printf("ImportScores, %d rows, median of %d runs\n", rows, runs);
  std::printf("  service (gRPC stream, validation, batched transactions): %8.3f s  %9.0f rows/s\n", service_s,
              rows / service_s);
  std::printf("  raw batched upsert through Connector/C++:               %8.3f s  %9.0f rows/s\n", raw_s, rows / raw_s);
  std::printf("  ratio service/raw: %.2f (target <= 2.00) %s\n", service_s / raw_s,
              service_s / raw_s <= 2.0 ? "MET" : "NOT MET");
  std::printf("  resident during the service's import: %.1f MiB before, peak %.1f MiB (+%.1f)\n",
              resident_before_kib / 1024.0, peak_kib / 1024.0, (peak_kib - resident_before_kib) / 1024.0);
  return 0;
}

}  // namespace
}  // namespace ladder::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return ladder::bench::Run(absl::GetFlag(FLAGS_rows), absl::GetFlag(FLAGS_runs));
}
