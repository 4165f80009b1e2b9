#include "tools/ladderctl/table_printer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/ladderctl/display_width.h"

namespace ladder::ladderctl {

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  rows_.push_back(Row{std::move(cells), pending_rule_});
  pending_rule_ = false;
}

void Table::AddRule() { pending_rule_ = true; }

std::string Table::ToText() const {
  std::vector<int> widths(columns_.size(), 0);
  for (size_t c = 0; c < columns_.size(); ++c) {
    widths[c] = DisplayWidth(columns_[c].title);
    for (const Row& row : rows_) widths[c] = std::max(widths[c], DisplayWidth(row.cells[c]));
  }
  int total = 0;
  for (size_t c = 0; c < columns_.size(); ++c) total += widths[c] + (c == 0 ? 0 : 2);
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (c > 0) out += "  ";
      const bool last = c + 1 == columns_.size();
      if (columns_[c].align == Align::kRight) {
        out += PadLeft(cells[c], widths[c]);
      } else {
        out += last ? cells[c] : PadRight(cells[c], widths[c]);
      }
    }
    // Trailing spaces are noise in a terminal and in a diff.
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::vector<std::string> titles;
  for (const Column& column : columns_) titles.push_back(column.title);
  std::string rule;
  for (int i = 0; i < total; ++i) rule += "-";
  rule += "\n";
  std::string out = line(titles) + rule;
  for (const Row& row : rows_) {
    if (row.rule_before) out += rule;
    out += line(row.cells);
  }
  return out;
}

std::string CsvField(absl::string_view text) {
  if (text.find_first_of(",\"\r\n") == absl::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string Table::ToCsv() const {
  std::string out;
  for (size_t c = 0; c < columns_.size(); ++c) {
    absl::StrAppend(&out, c == 0 ? "" : ",", CsvField(columns_[c].key));
  }
  out += "\r\n";
  for (const Row& row : rows_) {
    for (size_t c = 0; c < columns_.size(); ++c) {
      absl::StrAppend(&out, c == 0 ? "" : ",", CsvField(row.cells[c]));
    }
    out += "\r\n";
  }
  return out;
}

std::string Table::ToJson() const {
  std::string out = "[";
  for (size_t r = 0; r < rows_.size(); ++r) {
    out += r == 0 ? "\n  {" : ",\n  {";
    for (size_t c = 0; c < columns_.size(); ++c) {
      absl::StrAppend(&out, c == 0 ? "" : ", ", JsonString(columns_[c].key), ": ");
      const std::string& cell = rows_[r].cells[c];
      if (columns_[c].numeric) {
        out += cell.empty() ? "null" : cell;
      } else {
        out += JsonString(cell);
      }
    }
    out += "}";
  }
  out += rows_.empty() ? "]\n" : "\n]\n";
  return out;
}

}  // namespace ladder::ladderctl
