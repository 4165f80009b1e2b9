// Measures ImportScores against the bare database: 100,000 scores for one cycle imported
// through the evaluation service (gRPC stream, validation, batched transactions), and the
// same rows upserted straight into MariaDB from C++ with the same batching. Prints both
// and their ratio; the target is the service within 2x of the raw insert.
//
//   LADDER_TEST_MYSQL_SOCKET=… import_scores_bench [--rows=100000] [--runs=3]
//
// Runs against the MariaDB that scripts/test.sh or scripts/bench.sh starts; makes its own
// scratch databases and servers on loopback.

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
#include "common/db/connection_pool.h"
#include "common/db/transaction.h"
#include "cppconn/prepared_statement.h"
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

constexpr int kRowsPerMessage = 1000;
constexpr int kRowsPerStatement = 250;
constexpr int kRowsPerTransaction = 1000;
constexpr const char* kIndicators[] = {"results", "satisfaction", "quality", "skills"};
constexpr int kWeights[] = {40, 25, 20, 15};

void Check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "import_scores_bench: %s\n", what.c_str());
    std::exit(1);
  }
}

int Tenths(int row, int indicator, int run) { return (row * 7 + indicator * 13 + run * 31) % 1001; }

// The service side: one client stream, rows in messages of kRowsPerMessage.
double ImportThroughService(ev1::EvaluationService::Stub& stub, const std::string& cycle,
                            int64_t first_employee, int rows, int run) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
  ev1::ImportScoresResponse response;
  const absl::Time start = absl::Now();
  auto writer = stub.ImportScores(&context, &response);
  ev1::ImportScoresRequest header;
  header.mutable_header()->set_cycle(cycle);
  header.mutable_header()->set_request_id(absl::StrCat("bench-", run, "-", getpid()));
  writer->Write(header);
  for (int begin = 0; begin < rows; begin += kRowsPerMessage) {
    ev1::ImportScoresRequest message;
    for (int i = begin; i < std::min(rows, begin + kRowsPerMessage); ++i) {
      auto* row = message.mutable_rows()->add_rows();
      row->set_row_number(i + 1);
      row->set_employee(absl::StrCat("employees/", first_employee + i));
      for (int k = 0; k < 4; ++k) {
        auto* score = row->add_scores();
        score->set_indicator(kIndicators[k]);
        score->set_score(Tenths(i, k, run) / 10.0);
      }
    }
    writer->Write(message);
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  Check(status.ok(), absl::StrCat("ImportScores failed: ", status.error_message()));
  Check(response.written_count() == rows && response.rejected_rows_size() == 0,
        absl::StrCat("ImportScores wrote ", response.written_count(), " of ", rows));
  return seconds;
}

// The baseline: the same upserts, batched the same way, through the same pool.
double InsertRaw(db::ConnectionPool& pool, int64_t cycle_id, int64_t first_employee, int rows,
                 int run) {
  std::vector<std::string> values(kRowsPerStatement, "(?, ?, ?, ?, 2, ?, UTC_TIMESTAMP(6))");
  const std::string sql = absl::StrCat(
      "INSERT INTO evaluations (cycle_id, employee_id, scores, composite_milli, state, scorer, "
      "update_time) VALUES ",
      absl::StrJoin(values, ", "),
      " ON DUPLICATE KEY UPDATE scores = VALUES(scores), composite_milli = "
      "VALUES(composite_milli), state = 2, scorer = VALUES(scorer), version = version + 1, "
      "update_time = VALUES(update_time)");
  const absl::Time start = absl::Now();
  for (int begin = 0; begin < rows; begin += kRowsPerTransaction) {
    absl::Status status = db::RunInTransaction(pool, [&](db::Connection& connection) {
      sql::PreparedStatement& statement = connection.Prepare(sql);
      for (int chunk = begin; chunk < std::min(rows, begin + kRowsPerTransaction);
           chunk += kRowsPerStatement) {
        int index = 1;
        for (int i = chunk; i < chunk + kRowsPerStatement; ++i) {
          std::vector<int> tenths;
          int64_t composite = 0;
          for (int k = 0; k < 4; ++k) {
            tenths.push_back(Tenths(i, k, run));
            composite += int64_t{kWeights[k]} * tenths.back();
          }
          statement.setInt64(index++, cycle_id);
          statement.setInt64(index++, first_employee + i);
          statement.setString(index++, absl::StrJoin(tenths, ","));
          statement.setInt64(index++, composite);
          statement.setString(index++, "raw");
        }
        statement.executeUpdate();
      }
      return absl::OkStatus();
    });
    Check(status.ok(), absl::StrCat("raw insert failed: ", status.ToString()));
  }
  return absl::ToDoubleSeconds(absl::Now() - start);
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

int Run(int rows, int runs) {
  Check(rows % kRowsPerStatement == 0, "--rows must be a multiple of 250");
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
  ev1::CreateScorecardRequest scorecard_request;
  scorecard_request.mutable_scorecard()->set_display_name("bench");
  for (int k = 0; k < 4; ++k) {
    auto* indicator = scorecard_request.mutable_scorecard()->add_indicators();
    indicator->set_key(kIndicators[k]);
    indicator->set_display_name(kIndicators[k]);
    indicator->set_weight_percent(kWeights[k]);
  }
  ev1::Scorecard scorecard;
  Check(evaluations->CreateScorecard(testing::CallContext().get(), scorecard_request, &scorecard).ok(),
        "scorecard");
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
  ImportThroughService(*evaluations, created.name(), first_employee, std::min(rows, 5000), 100);
  InsertRaw(raw_pool, cycle_id, first_employee, std::min(rows, 5000), 100);
  std::vector<double> service, raw;
  for (int run = 0; run < runs; ++run) {
    service.push_back(ImportThroughService(*evaluations, created.name(), first_employee, rows, run));
    raw.push_back(InsertRaw(raw_pool, cycle_id, first_employee, rows, run));
  }
  const double service_s = Median(service);
  const double raw_s = Median(raw);
  std::printf("ImportScores, %d rows, median of %d runs\n", rows, runs);
  std::printf("  service (gRPC stream, validation, batched transactions): %8.3f s  %9.0f rows/s\n",
              service_s, rows / service_s);
  std::printf("  raw batched upsert through Connector/C++:               %8.3f s  %9.0f rows/s\n",
              raw_s, rows / raw_s);
  std::printf("  ratio service/raw: %.2f (target <= 2.00) %s\n", service_s / raw_s,
              service_s / raw_s <= 2.0 ? "MET" : "NOT MET");
  return 0;
}

}  // namespace
}  // namespace ladder::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return ladder::bench::Run(absl::GetFlag(FLAGS_rows), absl::GetFlag(FLAGS_runs));
}
