#include "tools/ladderctl/import_report.h"

#include <algorithm>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "tools/ladderctl/cli.h"
#include "tools/ladderctl/table_printer.h"

namespace ladder::ladderctl {

void ImportReport::Problem(int64_t row, int column, const std::string& column_name, std::string message,
                           ExitCode kind) {
  CsvProblem problem;
  problem.row = row;
  problem.column = column;
  problem.column_name = column_name;
  problem.message = std::move(message);
  Problem(problem, kind);
}

void ImportReport::Problem(const CsvProblem& problem, ExitCode kind) {
  problems_.push_back(problem);
  if (!HasProblem(problem.row)) rows_.push_back(problem.row);
  exit_ = Worse(exit_, kind);
}

void ImportReport::Failed(int64_t row, int column, const std::string& column_name, const absl::Status& status) {
  Problem(row, column, column_name, DescribeError(status), ExitCodeFor(status));
}

void ImportReport::Note(int64_t row, std::string message) {
  CsvProblem note;
  note.row = row;
  note.message = std::move(message);
  notes_.push_back(std::move(note));
}

bool ImportReport::HasProblem(int64_t row) const { return std::find(rows_.begin(), rows_.end(), row) != rows_.end(); }

size_t ImportReport::bad_rows() const { return rows_.size(); }

void ImportReport::Stop(const absl::Status& status) {
  if (stop_.ok()) stop_ = status;
  exit_ = Worse(exit_, ExitCodeFor(status));
}

void ImportReport::Print(Context& context, const std::string& errors_path) const {
  for (size_t i = 0; i < notes_.size() && i < kProblemsShown; ++i) {
    std::fprintf(context.err, "  note: %s\n", notes_[i].ToString().c_str());
  }
  if (notes_.size() > kProblemsShown) {
    std::fprintf(context.err, "  note: … and %zu more notes\n", notes_.size() - kProblemsShown);
  }
  std::vector<CsvProblem> sorted = problems_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const CsvProblem& a, const CsvProblem& b) { return a.row < b.row; });
  for (size_t i = 0; i < sorted.size() && i < kProblemsShown; ++i) {
    std::fprintf(context.err, "  %s\n", sorted[i].ToString().c_str());
  }
  if (sorted.size() > kProblemsShown) {
    std::fprintf(context.err, "  … and %zu more problems%s\n", sorted.size() - kProblemsShown,
                 errors_path.empty() ? " (--errors=FILE writes them all)" : "");
  }
  if (!errors_path.empty()) {
    std::ofstream out(errors_path, std::ios::binary | std::ios::trunc);
    out << "\xEF\xBB\xBF"
        << "row,column,column_name,reason\r\n";
    for (const CsvProblem& problem : sorted) {
      out << problem.row << "," << problem.column << "," << CsvField(problem.column_name) << ","
          << CsvField(problem.message) << "\r\n";
    }
    if (!out) {
      context.Error(absl::StrCat("--errors: could not write ", errors_path));
    } else if (!sorted.empty()) {
      std::fprintf(context.err, "  all %zu problems are in %s\n", sorted.size(), errors_path.c_str());
    }
  }
  if (!stop_.ok()) {
    std::fprintf(context.err,
                 "ladderctl: the import stopped: %s\n"
                 "  Rows done so far are kept; run the same command again to finish (nothing is "
                 "done twice).\n",
                 DescribeError(stop_).c_str());
  }
}

}  // namespace ladder::ladderctl
