#include "tools/ladderctl/table_printer.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tools/ladderctl/display_width.h"

namespace ladder::ladderctl {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

// The display column at which `needle` starts in `line`.
int ColumnOf(const std::string& line, const std::string& needle) {
  const size_t at = line.find(needle);
  EXPECT_NE(at, std::string::npos) << needle << " not in " << line;
  return DisplayWidth(line.substr(0, at));
}

TEST(TableTest, MixedChineseAndLatinNamesLineUp) {
  Table table({{"county", "county"}, {"n", "N", Align::kRight}, {"team", "team"}, {"seniors", "高级", Align::kRight}});
  const std::vector<std::vector<std::string>> rows = {{"柯城区", "50", "Team A", "10"},
                                                      {"Longyou", "9", "龙游县四组", "2"},
                                                      {"衢州分公司 total", "274", "-", "48"},
                                                      {"开化", "7", "Kaihua-1", "1"}};
  for (const auto& row : rows) table.AddRow(row);
  const std::vector<std::string> lines = Lines(table.ToText());
  ASSERT_EQ(lines.size(), 6u);  // titles, rule, four rows
  // Columns are 16 ("衢州分公司 total"), 3, 10 ("龙游县四组") and 4 ("高级") display columns
  // wide with two spaces between: N ends at column 21, team starts at 23, the line ends at 39.
  EXPECT_EQ(DisplayWidth(lines[0]), 39);
  EXPECT_EQ(DisplayWidth(lines[1]), 39);  // the rule
  EXPECT_EQ(ColumnOf(lines[0], "team"), 23);
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string& line = lines[i + 2];
    SCOPED_TRACE(line);
    EXPECT_EQ(DisplayWidth(line), 39);
    const size_t team_at = line.find(rows[i][2], line.find(rows[i][1], rows[i][0].size()) + rows[i][1].size());
    ASSERT_NE(team_at, std::string::npos);
    EXPECT_EQ(DisplayWidth(line.substr(0, team_at)), 23);
    const size_t n_at = line.find(rows[i][1], rows[i][0].size());
    EXPECT_EQ(DisplayWidth(line.substr(0, n_at + rows[i][1].size())), 21);
  }
}

TEST(TableTest, NoTrailingSpaces) {
  Table table({{"a", "a"}, {"b", "b"}});
  table.AddRow({"柯城区", ""});
  for (const std::string& line : Lines(table.ToText())) {
    EXPECT_TRUE(line.empty() || line.back() != ' ') << "[" << line << "]";
  }
}

TEST(TableTest, RuleBeforeATotal) {
  Table table(std::vector<Column>{{"a", "a"}});
  table.AddRow({"x"});
  table.AddRule();
  table.AddRow({"total"});
  const std::vector<std::string> lines = Lines(table.ToText());
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[3].find_first_not_of('-'), std::string::npos);
}

TEST(TableTest, CsvQuotesWhatNeedsIt) {
  Table table({{"name", "姓名"}, {"note", "note"}});
  table.AddRow({"Smith, John", "say \"hi\""});
  table.AddRow({"张三", "two\nlines"});
  EXPECT_EQ(table.ToCsv(), "name,note\r\n\"Smith, John\",\"say \"\"hi\"\"\"\r\n张三,\"two\nlines\"\r\n");
}

TEST(TableTest, JsonKeysAndNumbers) {
  Table table({{"county", "county"}, {"n", "N", Align::kRight, true}, {"x", "x", Align::kLeft, true}});
  table.AddRow({"柯城区 \"A\"", "50", ""});
  EXPECT_EQ(table.ToJson(), "[\n  {\"county\": \"柯城区 \\\"A\\\"\", \"n\": 50, \"x\": null}\n]\n");
  EXPECT_EQ(Table(std::vector<Column>{{"a", "a"}}).ToJson(), "[]\n");
}

}  // namespace
}  // namespace ladder::ladderctl
