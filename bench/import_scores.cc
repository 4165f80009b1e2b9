#include "bench/import_scores.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/db/transaction.h"
#include "cppconn/prepared_statement.h"
#include "grpcpp/client_context.h"

namespace ladder::bench {
namespace {

namespace ev1 = ::ladder::evaluation::v1;

constexpr int kRowsPerMessage = 1000;
constexpr int kRowsPerTransaction = 1000;

int Tenths(int row, int indicator, int run) { return (row * 7 + indicator * 13 + run * 31) % 1001; }

}  // namespace

ev1::CreateScorecardRequest ScorecardRequest(const std::string& display_name) {
  ev1::CreateScorecardRequest request;
  request.mutable_scorecard()->set_display_name(display_name);
  for (int k = 0; k < 4; ++k) {
    auto* indicator = request.mutable_scorecard()->add_indicators();
    indicator->set_key(kIndicators[k]);
    indicator->set_display_name(kIndicators[k]);
    indicator->set_weight_percent(kWeights[k]);
  }
  return request;
}

absl::StatusOr<double> ImportThroughService(ev1::EvaluationService::Stub& stub, const std::string& cycle,
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
    if (!writer->Write(message)) break;
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("ImportScores failed: ", status.error_message()));
  }
  if (response.written_count() != rows || response.rejected_rows_size() != 0) {
    return absl::InternalError(absl::StrCat("ImportScores wrote ", response.written_count(), " of ", rows, " rows (",
                                            response.rejected_rows_size(), " rejected)"));
  }
  return seconds;
}

absl::StatusOr<double> InsertRaw(db::ConnectionPool& pool, int64_t cycle_id, int64_t first_employee, int rows,
                                 int run) {
  if (rows % kRawRowsPerStatement != 0) {
    return absl::InvalidArgumentError(absl::StrCat("rows must be a multiple of ", kRawRowsPerStatement));
  }
  std::vector<std::string> values(kRawRowsPerStatement, "(?, ?, ?, ?, 2, ?, UTC_TIMESTAMP(6))");
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
      db::Statement& statement = connection.Prepare(sql);
      for (int chunk = begin; chunk < std::min(rows, begin + kRowsPerTransaction); chunk += kRawRowsPerStatement) {
        int index = 1;
        for (int i = chunk; i < chunk + kRawRowsPerStatement; ++i) {
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
    if (!status.ok()) return status;
  }
  return absl::ToDoubleSeconds(absl::Now() - start);
}

absl::Status ResetScores(db::ConnectionPool& pool, int64_t cycle_id) {
  // In transactions of 50,000 rows: one statement over a million would outlast the pool's
  // statement deadline.
  absl::Status status;
  for (int changed = 1; status.ok() && changed > 0;) {
    status = db::RunInTransaction(pool, [&](db::Connection& connection) {
      db::Statement& reset = connection.Prepare(
          "UPDATE evaluations SET scores = '', composite_milli = NULL, state = 1, scorer = '' "
          "WHERE cycle_id = ? AND state <> 1 LIMIT 50000");
      reset.setInt64(1, cycle_id);
      changed = reset.executeUpdate();
      return absl::OkStatus();
    });
  }
  // Let InnoDB's purge catch up with the old row versions before the next timed side.
  if (status.ok()) absl::SleepFor(absl::Milliseconds(500));
  return status;
}

}  // namespace ladder::bench
