#include "common/db/sql_script.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ladder::db {

std::vector<std::string> SplitSqlStatements(absl::string_view sql) {
  std::vector<std::string> statements;
  std::string current;
  for (absl::string_view line : absl::StrSplit(sql, '\n')) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.empty() || absl::StartsWith(trimmed, "--")) continue;
    // Trailing blanks (and the \r of a CRLF file) go, so a ';' ending the line is last.
    absl::StrAppend(&current, current.empty() ? "" : "\n", absl::StripTrailingAsciiWhitespace(line));
    if (absl::EndsWith(trimmed, ";")) {
      current.pop_back();
      while (!current.empty() && absl::ascii_isspace(current.back())) current.pop_back();
      if (!current.empty()) statements.push_back(std::move(current));
      current.clear();
    }
  }
  if (!absl::StripAsciiWhitespace(current).empty()) statements.push_back(current);
  return statements;
}

}  // namespace ladder::db
