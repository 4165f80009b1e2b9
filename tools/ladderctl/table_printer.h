#pragma once

// Tables for people (columns aligned by display width, so Chinese names line up) and the
// same rows for machines (CSV, JSON).

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace ladder::ladderctl {

enum class Align { kLeft, kRight };

struct Column {
  // The machine name: the CSV header and the JSON key, e.g. "employee_number".
  std::string key;
  // What people read, e.g. "工号".
  std::string title;
  Align align = Align::kLeft;
  // In JSON, the cells are numbers (an empty cell is null).
  bool numeric = false;
};

class Table final {
 public:
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

  // Cells beyond the columns are dropped; missing ones are empty.
  void AddRow(std::vector<std::string> cells);
  // A horizontal rule before the next row (e.g. above a total), in text only.
  void AddRule();
  size_t row_count() const { return rows_.size(); }

  // Aligned text: titles, a rule, the rows; two spaces between columns.
  std::string ToText() const;
  // RFC 4180 CSV with the keys as header, "\r\n" line ends as spreadsheets expect.
  std::string ToCsv() const;
  // A JSON array of objects keyed by the column keys.
  std::string ToJson() const;

 private:
  struct Row {
    std::vector<std::string> cells;
    bool rule_before = false;
  };
  std::vector<Column> columns_;
  std::vector<Row> rows_;
  bool pending_rule_ = false;
};

// One CSV field, quoted when it holds a comma, a quote or a line break.
std::string CsvField(absl::string_view text);
// A JSON string literal, with the escapes JSON requires.
std::string JsonString(absl::string_view text);

}  // namespace ladder::ladderctl
