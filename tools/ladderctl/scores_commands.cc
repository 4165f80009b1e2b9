// scores import FILE.csv --cycle CYCLE.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/ladderctl/cli.h"
#include "tools/ladderctl/csv_reader.h"
#include "tools/ladderctl/import_report.h"
#include "tools/ladderctl/names.h"
#include "tools/ladderctl/progress.h"
#include "tools/ladderctl/request_ids.h"
#include "tools/ladderctl/resolve.h"

namespace ladder::ladderctl {
namespace {

// Rows per ImportScores call: each call commits on its own, so progress shows rows written
// and an interrupted import keeps what was done.
constexpr size_t kRowsPerCall = 2000;
// Rows per message within a call, as the contract suggests.
constexpr size_t kRowsPerMessage = 500;

struct ScoreRow {
  int64_t row = 0;
  std::string employee;     // employees/N
  std::vector<int> tenths;  // in scorecard order
};

// "85", "85.5", "85.0": tenths of a point, or an error text.
std::optional<int> ParseScore(const std::string& text, std::string* error) {
  double value = 0;
  if (text.empty()) {
    *error = "is empty; every indicator needs a score 0-100";
    return std::nullopt;
  }
  if (!absl::SimpleAtod(text, &value) || !std::isfinite(value) ||
      text.find_first_not_of("0123456789.") != std::string::npos) {
    *error = absl::StrCat("'", text, "' is not a score: write a number 0-100 such as 87.5");
    return std::nullopt;
  }
  if (value < 0 || value > 100) {
    *error = absl::StrCat(text, " is out of range: scores are 0-100");
    return std::nullopt;
  }
  const double tenths = value * 10;
  if (std::fabs(tenths - std::round(tenths)) > 1e-6) {
    *error = absl::StrCat(text, " has more than one decimal place");
    return std::nullopt;
  }
  return static_cast<int>(std::lround(tenths));
}

int ImportScores(Context& context, const Args& args) {
  const std::string path = args.positional[0];
  const bool dry_run = args.Flag("dry-run");
  const bool all_or_nothing = args.Flag("all-or-nothing");
  if (!args.Has("cycle")) return context.Usage("--cycle is required (cycles/N or the cycle's name)");
  Clients& services = context.services();

  absl::StatusOr<ev1::Cycle> cycle = ResolveCycle(services, args.Get("cycle"));
  if (!cycle.ok()) return context.Fail(cycle.status());
  ev1::GetScorecardRequest get_scorecard;
  get_scorecard.set_name(cycle->scorecard());
  ev1::Scorecard scorecard;
  if (absl::Status s = services.Call(services.evaluation(), &ev1::EvaluationService::Stub::GetScorecard,
                                     "EvaluationService.GetScorecard", get_scorecard, &scorecard);
      !s.ok()) {
    return context.Fail(s);
  }

  absl::StatusOr<std::unique_ptr<CsvReader>> reader = CsvReader::Open(path);
  if (!reader.ok()) return context.Fail(reader.status());
  absl::StatusOr<std::vector<std::string>> header = (*reader)->ReadHeader();
  if (!header.ok()) return context.Fail(header.status());
  CsvColumns columns(*header);
  const int number_col = columns.Find({"工号", "employee_number", "number"});
  const int employee_col = columns.Find({"员工", "employee"});
  if (number_col < 0 && employee_col < 0) {
    context.Error(absl::StrCat(path,
                               ": row 1: missing column 工号 (employee_number) or 员工 "
                               "(employee, as employees/N)"));
    return kExitBadInput;
  }
  std::vector<int> indicator_cols;
  std::vector<std::string> missing;
  for (const auto& indicator : scorecard.indicators()) {
    const int col = columns.Find({indicator.key(), indicator.display_name()});
    indicator_cols.push_back(col);
    if (col < 0) missing.push_back(absl::StrCat(indicator.display_name(), " (", indicator.key(), ")"));
  }
  if (!missing.empty()) {
    context.Error(absl::StrCat(path, ": row 1: missing score column", missing.size() > 1 ? "s " : " ",
                               absl::StrJoin(missing, ", "), "; the scorecard of ", cycle->display_name(), " (",
                               scorecard.display_name(), ") needs one column per indicator"));
    return kExitBadInput;
  }
  {
    std::set<int> used(indicator_cols.begin(), indicator_cols.end());
    used.insert(number_col);
    used.insert(employee_col);
    const std::set<std::string> informative = {"姓名", "displayname", "name", "区县", "county",
                                               "团队", "team",        "级别", "level"};
    for (size_t i = 0; i < header->size(); ++i) {
      if (used.count(static_cast<int>(i)) == 0 && informative.count(NormalizeColumnName((*header)[i])) == 0) {
        context.Note(absl::StrCat("note: column ", i + 1, " (", (*header)[i], ") is not used"));
      }
    }
  }

  // The participants and what they hold now, and employee numbers.
  std::map<std::string, ev1::Evaluation> participants;
  {
    ev1::ListEvaluationsRequest request;
    request.set_parent(cycle->name());
    request.set_page_size(1000);
    do {
      ev1::ListEvaluationsResponse page;
      if (absl::Status s = services.Call(services.evaluation(), &ev1::EvaluationService::Stub::ListEvaluations,
                                         "EvaluationService.ListEvaluations", request, &page, 3.0);
          !s.ok()) {
        return context.Fail(s);
      }
      for (const ev1::Evaluation& evaluation : page.evaluations()) {
        participants[evaluation.employee()] = evaluation;
      }
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
  }
  std::map<std::string, std::string> by_number;
  if (number_col >= 0) {
    absl::StatusOr<std::vector<pv1::Employee>> employees = ListAllEmployees(services);
    if (!employees.ok()) return context.Fail(employees.status());
    for (const pv1::Employee& employee : *employees) by_number[employee.employee_number()] = employee.name();
  }

  ImportReport report;
  std::vector<ScoreRow> rows;
  std::map<std::string, int64_t> seen;
  int64_t total = 0, unchanged = 0;
  CsvRecord record;
  while ((*reader)->Next(&record)) {
    ++total;
    const size_t before = report.problems().size();
    for (const CsvProblem& problem : record.problems) report.Problem(problem);
    if (!record.problems.empty()) continue;
    ScoreRow row;
    row.row = record.row;
    int id_col = -1;
    if (number_col >= 0 && !record.fields[number_col].empty()) {
      id_col = number_col;
      const auto it = by_number.find(record.fields[number_col]);
      if (it == by_number.end()) {
        report.Problem(record.row, number_col + 1, columns.NameOf(number_col),
                       absl::StrCat("no employee has the number '", record.fields[number_col], "'"));
      } else {
        row.employee = it->second;
      }
    } else if (employee_col >= 0 && !record.fields[employee_col].empty()) {
      id_col = employee_col;
      row.employee = record.fields[employee_col];
    } else {
      id_col = number_col >= 0 ? number_col : employee_col;
      report.Problem(record.row, id_col + 1, columns.NameOf(id_col), "is empty: whose scores are these?");
    }
    if (!row.employee.empty()) {
      const auto participant = participants.find(row.employee);
      if (participant == participants.end()) {
        report.Problem(
            record.row, id_col + 1, columns.NameOf(id_col),
            absl::StrCat(record.fields[id_col], " (", row.employee, ") is not a participant of ", cycle->display_name(),
                         ": only customer managers holding a level when the cycle was "
                         "created take part"));
      } else if (const auto [it, fresh] = seen.emplace(row.employee, record.row); !fresh) {
        report.Problem(record.row, id_col + 1, columns.NameOf(id_col),
                       absl::StrCat(record.fields[id_col], " is already on row ", it->second));
      }
    }
    for (size_t i = 0; i < indicator_cols.size(); ++i) {
      std::string error;
      std::optional<int> tenths = ParseScore(record.fields[indicator_cols[i]], &error);
      if (!tenths.has_value()) {
        report.Problem(record.row, indicator_cols[i] + 1, columns.NameOf(indicator_cols[i]), error);
        continue;
      }
      row.tenths.push_back(*tenths);
    }
    if (report.problems().size() != before) continue;
    // Scores already stored as the file has them need not be sent again.
    const ev1::Evaluation& stored = participants[row.employee];
    bool same = stored.scores_size() == scorecard.indicators_size();
    for (int i = 0; same && i < stored.scores_size(); ++i) {
      same = stored.scores(i).indicator() == scorecard.indicators(i).key() &&
             std::lround(stored.scores(i).score() * 10) == row.tenths[i];
    }
    if (same && !all_or_nothing) {
      ++unchanged;
      continue;
    }
    rows.push_back(std::move(row));
  }
  if (!(*reader)->fatal().ok()) return context.Fail((*reader)->fatal());
  if (total == 0) {
    context.Error(absl::StrCat(path, ": the file has a header but no rows"));
    return kExitBadInput;
  }
  if (all_or_nothing && report.bad_rows() > 0) {
    rows.clear();
    context.Note("--all-or-nothing: the file has bad rows, so nothing is written");
  }
  if (!rows.empty() && cycle->state() == ev1::Cycle::STATE_FINALIZED) {
    std::fprintf(context.out, "%s: %lld rows; %zu differ from %s, which is finalised\n", path.c_str(),
                 static_cast<long long>(total), rows.size(), cycle->display_name().c_str());
    report.Print(context, args.Get("errors"));
    return context.Fail(absl::FailedPreconditionError(
        absl::StrCat(cycle->name(), " (", cycle->display_name(), ") is finalised: its scores no longer change")));
  }

  int64_t written = 0;
  if (!dry_run && !rows.empty()) {
    // The request ids follow from the cycle and the rows sent, so the same file sent again
    // (or an interrupted import resumed) writes nothing twice.
    std::string content = absl::StrCat(cycle->name(), all_or_nothing ? "|all" : "");
    for (const ScoreRow& row : rows) {
      absl::StrAppend(&content, ";", row.employee, ":", absl::StrJoin(row.tenths, ","));
    }
    const std::string base = RequestId("scores", cycle->name().substr(7), content);
    const size_t per_call = all_or_nothing ? rows.size() : kRowsPerCall;
    Progress progress("scores", static_cast<int64_t>(rows.size()), context.progress);
    for (size_t begin = 0, part = 0; begin < rows.size(); begin += per_call, ++part) {
      const size_t end = std::min(rows.size(), begin + per_call);
      ev1::ImportScoresRequest header_message;
      header_message.mutable_header()->set_cycle(cycle->name());
      header_message.mutable_header()->set_all_or_nothing(all_or_nothing);
      header_message.mutable_header()->set_request_id(
          part == 0 && end == rows.size() ? base : absl::StrCat(base.substr(0, 56), "-p", part));
      ev1::ImportScoresResponse response;
      absl::Status status = services.CallStream(
          "EvaluationService.ImportScores", header_message.header(),
          [&](grpc::ClientContext* call) {
            response.Clear();
            auto writer = services.evaluation().ImportScores(call, &response);
            bool ok = writer->Write(header_message);
            for (size_t i = begin; ok && i < end; i += kRowsPerMessage) {
              ev1::ImportScoresRequest message;
              for (size_t j = i; j < std::min(end, i + kRowsPerMessage); ++j) {
                auto* out = message.mutable_rows()->add_rows();
                out->set_row_number(rows[j].row);
                out->set_employee(rows[j].employee);
                for (int k = 0; k < scorecard.indicators_size(); ++k) {
                  auto* score = out->add_scores();
                  score->set_indicator(scorecard.indicators(k).key());
                  score->set_score(rows[j].tenths[k] / 10.0);
                }
              }
              ok = writer->Write(message);
            }
            writer->WritesDone();
            return writer->Finish();
          },
          1.0 + static_cast<double>(end - begin) / 1000.0);
      if (!status.ok()) {
        if (ExitCodeFor(status) == kExitUnavailable) {
          report.Stop(status);
        } else {
          progress.Finish();
          report.Print(context, args.Get("errors"));
          return context.Fail(status);
        }
        break;
      }
      written += response.written_count();
      for (const auto& rejected : response.rejected_rows()) {
        int column = -1;
        int index = -1;
        if (std::sscanf(rejected.field().c_str(), "scores[%d]", &index) == 1 && index >= 0 &&
            index < static_cast<int>(indicator_cols.size())) {
          column = indicator_cols[index];
        } else {
          column = number_col >= 0 ? number_col : employee_col;
        }
        report.Problem(rejected.row_number(), column + 1, columns.NameOf(column), rejected.reason());
      }
      if (response.rejected_count() > response.rejected_rows_size()) {
        // The service lists the first 10,000 bad rows of a call and counts the rest.
        report.Note(rows[end - 1].row,
                    absl::StrCat(response.rejected_count() - response.rejected_rows_size(), " more of rows ",
                                 rows[begin].row, "-", rows[end - 1].row,
                                 " were refused; the service listed the first ", response.rejected_rows_size()));
      }
      progress.Advance(static_cast<int64_t>(end - begin));
    }
  }
  std::fprintf(context.out, "%s%s -> %s (%s): %lld rows, %zu bad; %lld %s, %lld unchanged\n",
               dry_run ? "dry run (nothing changed): " : "", path.c_str(), cycle->display_name().c_str(),
               cycle->name().c_str(), static_cast<long long>(total), report.bad_rows(),
               static_cast<long long>(dry_run ? rows.size() : written), dry_run ? "would be written" : "written",
               static_cast<long long>(unchanged));
  report.Print(context, args.Get("errors"));
  return report.exit_code();
}

}  // namespace

void RegisterScoreCommands() {
  Registry().push_back(
      Command{{"scores", "import"},
              "FILE.csv",
              1,
              1,
              "record a cycle's scores from a CSV file",
              "FILE.csv is UTF-8 with a header row:\n"
              "  工号 / employee_number   the employee number (or 员工 / employee: employees/N)\n"
              "  one column per indicator of the cycle's scorecard, named by the indicator's name\n"
              "  (业务业绩) or key (business_results): a score 0-100 with at most one decimal\n"
              "Columns 姓名, 区县, 团队, 级别 may be there for the reader; they are not used.\n\n"
              "Every row is checked first; bad rows (row, column, reason) are reported and the good\n"
              "ones written (with --all-or-nothing, nothing is written if any row is bad). Rows whose\n"
              "scores are stored already are not sent again, and the rows sent carry request ids\n"
              "derived from the cycle and the rows: importing the same file twice changes nothing,\n"
              "and an interrupted import finishes when run again.",
              {{"cycle", "CYCLE", "the cycle: cycles/N or its name, e.g. 2026年第二季度"},
               {"dry-run", "", "check every row and change nothing"},
               {"all-or-nothing", "", "write nothing if any row is bad"},
               {"errors", "FILE", "also write every problem to FILE (CSV)"}},
              ImportScores});
}

}  // namespace ladder::ladderctl
