#pragma once

// What an import did, row by row: the problems found (row, column, reason), each counted
// as bad input (the file must be fixed) or refused by a rule (the service said no), and
// the exit status that follows. Good rows are imported whatever the bad ones hold.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tools/ladderctl/csv_reader.h"
#include "tools/ladderctl/exit_codes.h"

namespace ladder::ladderctl {

struct Context;

// Problems printed on the terminal; the rest are counted (and all written by --errors).
inline constexpr size_t kProblemsShown = 50;

class ImportReport final {
 public:
  void Problem(int64_t row, int column, const std::string& column_name, std::string message,
               ExitCode kind = kExitBadInput);
  void Problem(const CsvProblem& problem, ExitCode kind = kExitBadInput);
  // A row a service refused or failed on: the kind follows from the status code.
  void Failed(int64_t row, int column, const std::string& column_name, const absl::Status& status);
  // Something worth knowing about a row that is not a problem (an employee who exists
  // with another name, a level higher than the file's): printed, not counted.
  void Note(int64_t row, std::string message);
  // Rows with at least one problem.
  bool HasProblem(int64_t row) const;
  size_t bad_rows() const;
  const std::vector<CsvProblem>& problems() const { return problems_; }
  ExitCode exit_code() const { return exit_; }
  // A problem that stopped the import (an unavailable service): the rows after it were
  // not tried.
  void Stop(const absl::Status& status);
  bool stopped() const { return !stop_.ok(); }
  const absl::Status& stop_status() const { return stop_; }

  // Prints the problems on stderr (at most kProblemsShown), and writes all of them to
  // `errors_path` as CSV (row, column, column_name, reason) when it is not empty.
  void Print(Context& context, const std::string& errors_path) const;

 private:
  std::vector<CsvProblem> problems_;
  std::vector<CsvProblem> notes_;
  std::vector<int64_t> rows_;
  ExitCode exit_ = kExitOk;
  absl::Status stop_;
};

}  // namespace ladder::ladderctl
