#include "tools/ladderctl/csv_reader.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ladder::ladderctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string TempFile(const std::string& name, const std::string& content) {
  const std::string path = ::testing::TempDir() + "/ladderctl_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  return path;
}

TEST(CsvReaderTest, ReadsQuotedFieldsAndCountsRowsLikeASpreadsheet) {
  auto reader = CsvReader::FromString(
      "\xEF\xBB\xBF工号,姓名,备注\r\n"
      "KC0001,张三,\"has, a comma\"\r\n"
      "\r\n"
      "KC0002,\"Smith \"\"JJ\"\"\",\"two\nlines\"\n"
      "KC0003,李四\n");
  auto header = reader->ReadHeader();
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_THAT(*header, ElementsAre("工号", "姓名", "备注"));  // the byte-order mark is gone
  CsvRecord record;
  ASSERT_TRUE(reader->Next(&record));
  EXPECT_EQ(record.row, 2);
  EXPECT_THAT(record.fields, ElementsAre("KC0001", "张三", "has, a comma"));
  ASSERT_TRUE(reader->Next(&record));
  EXPECT_EQ(record.row, 4);  // the blank row 3 is skipped but counted
  EXPECT_THAT(record.fields, ElementsAre("KC0002", "Smith \"JJ\"", "two\nlines"));
  ASSERT_TRUE(reader->Next(&record));
  EXPECT_EQ(record.row, 5);
  EXPECT_THAT(record.fields, ElementsAre("KC0003", "李四", ""));  // a short row is padded
  EXPECT_FALSE(reader->Next(&record));
  EXPECT_TRUE(reader->fatal().ok());
}

TEST(CsvReaderTest, NamesRowAndColumnOfTextThatIsNotUtf8) {
  auto reader = CsvReader::FromString("工号,姓名\nKC0001,\xD5\xC5\xC8\xFD\nKC0002,李四\n");
  ASSERT_TRUE(reader->ReadHeader().ok());
  CsvRecord record;
  ASSERT_TRUE(reader->Next(&record));
  ASSERT_EQ(record.problems.size(), 1u);
  EXPECT_EQ(record.problems[0].row, 2);
  EXPECT_EQ(record.problems[0].column, 2);
  EXPECT_EQ(record.problems[0].column_name, "姓名");
  EXPECT_THAT(record.problems[0].ToString(), HasSubstr("row 2, column 2 (姓名): not UTF-8"));
  EXPECT_THAT(record.problems[0].message, HasSubstr("GBK"));
  ASSERT_TRUE(reader->Next(&record));  // the reading goes on
  EXPECT_TRUE(record.problems.empty());
}

TEST(CsvReaderTest, ExtraFieldsAreAProblemOfTheRow) {
  auto reader = CsvReader::FromString("a,b\n1,2,3\n1,2,,\n");
  ASSERT_TRUE(reader->ReadHeader().ok());
  CsvRecord record;
  ASSERT_TRUE(reader->Next(&record));
  ASSERT_EQ(record.problems.size(), 1u);
  EXPECT_EQ(record.problems[0].column, 3);
  EXPECT_THAT(record.problems[0].message, HasSubstr("must be quoted"));
  ASSERT_TRUE(reader->Next(&record));
  EXPECT_TRUE(record.problems.empty());  // trailing empty cells are harmless
}

TEST(CsvReaderTest, AnUnclosedQuoteStopsWithItsRow) {
  auto reader = CsvReader::FromString("a,b\n1,2\n3,\"never closed\n4,5\n");
  ASSERT_TRUE(reader->ReadHeader().ok());
  CsvRecord record;
  ASSERT_TRUE(reader->Next(&record));
  EXPECT_FALSE(reader->Next(&record));
  EXPECT_THAT(reader->fatal().message(), HasSubstr("row 3, column 2"));
  EXPECT_THAT(reader->fatal().message(), HasSubstr("never closed"));
}

TEST(CsvReaderTest, HeaderProblemsNameTheColumn) {
  EXPECT_THAT(CsvReader::FromString("a,,b\n")->ReadHeader().status().message(),
              HasSubstr("column 2: the header has an empty name"));
  EXPECT_THAT(CsvReader::FromString("工号,姓名,工号\n")->ReadHeader().status().message(),
              HasSubstr("column 3 (工号): the header names this column twice"));
  EXPECT_THAT(CsvReader::FromString("\n\n")->ReadHeader().status().message(), HasSubstr("no header row"));
  // Stray commas after the last name are dropped.
  auto header = CsvReader::FromString("a,b,,\n")->ReadHeader();
  ASSERT_TRUE(header.ok());
  EXPECT_THAT(*header, ElementsAre("a", "b"));
}

TEST(CsvReaderTest, RefusesFilesThatAreNotUtf8Csv) {
  EXPECT_THAT(CsvReader::Open(TempFile("empty.csv", "")).status().message(), HasSubstr("the file is empty"));
  EXPECT_THAT(CsvReader::Open(TempFile("utf16.csv", std::string("\xFF\xFE"
                                                                "a\0,\0",
                                                                6)))
                  .status()
                  .message(),
              HasSubstr("UTF-16"));
  EXPECT_THAT(CsvReader::Open("/nonexistent/file.csv").status().message(), HasSubstr("cannot read"));
  auto nul = CsvReader::Open(TempFile("nul.csv", std::string("a,b\n1,\0\n", 8)));
  ASSERT_TRUE(nul.ok());
  ASSERT_TRUE((*nul)->ReadHeader().ok());
  CsvRecord record;
  EXPECT_FALSE((*nul)->Next(&record));
  EXPECT_THAT((*nul)->fatal().message(), HasSubstr("row 2, column 2"));
}

TEST(CsvReaderTest, RefusesAHugeFileWithoutReadingIt) {
  const std::string path = TempFile("huge.csv", "");
  ASSERT_EQ(::truncate(path.c_str(), int64_t{1} << 30), 0);  // sparse: takes no disk
  auto reader = CsvReader::Open(path);
  EXPECT_FALSE(reader.ok());
  EXPECT_THAT(reader.status().message(), HasSubstr("1.0 GiB"));
  EXPECT_THAT(reader.status().message(), HasSubstr("64.0 MiB"));
  std::remove(path.c_str());
}

TEST(CsvReaderTest, AFieldTooLongStops) {
  auto reader = CsvReader::FromString("a\n" + std::string(kMaxFieldBytes + 10, 'x') + "\n");
  ASSERT_TRUE(reader->ReadHeader().ok());
  CsvRecord record;
  EXPECT_FALSE(reader->Next(&record));
  EXPECT_THAT(reader->fatal().message(), HasSubstr("row 2, column 1"));
}

TEST(CsvReaderTest, ReadsAFileInBlocks) {
  std::string content = "工号,分数\n";
  for (int i = 0; i < 20000; ++i) content += "KC" + std::to_string(i) + ",\"8" + std::to_string(i % 10) + "\"\r\n";
  auto reader = CsvReader::Open(TempFile("big.csv", content));
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*reader)->ReadHeader().ok());
  CsvRecord record;
  int rows = 0;
  while ((*reader)->Next(&record)) {
    ++rows;
    ASSERT_EQ(record.fields.size(), 2u);
  }
  EXPECT_TRUE((*reader)->fatal().ok());
  EXPECT_EQ(rows, 20000);
  EXPECT_EQ(record.row, 20001);
  EXPECT_EQ(record.fields[1], "89");
}

TEST(CsvColumnsTest, MatchesChineseAndEnglishNames) {
  CsvColumns columns({"工号", "Display Name", "hire-date"});
  EXPECT_EQ(columns.Find({"工号", "employee_number"}), 0);
  EXPECT_EQ(columns.Find({"姓名", "display_name"}), 1);
  EXPECT_EQ(columns.Find({"入职日期", "hire_date"}), 2);
  EXPECT_EQ(columns.Find({"级别", "level"}), -1);
}

}  // namespace
}  // namespace ladder::ladderctl
