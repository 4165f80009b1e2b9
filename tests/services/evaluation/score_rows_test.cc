#include "services/evaluation/score_rows.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ladder::evaluation {
namespace {

using ::testing::ElementsAre;

ScoreRow RowOf(int64_t id) {
  return ScoreRow{id, {static_cast<int>(id % 1001), 500, static_cast<int>((id * 7) % 1001)}, id * 3};
}

// Across several chunks (8,192 rows each), every row reads back as it was added.
TEST(ScoreRowsTest, RowsReadBackAcrossChunks) {
  ScoreRows rows(3);
  EXPECT_TRUE(rows.empty());
  constexpr int kRows = 20000;
  for (int64_t id = 1; id <= kRows; ++id) ASSERT_TRUE(rows.Add(RowOf(id)).ok());
  ASSERT_EQ(rows.size(), static_cast<size_t>(kRows));
  for (size_t i : {size_t{0}, size_t{8191}, size_t{8192}, size_t{16384}, size_t{kRows - 1}}) {
    const ScoreRow expected = RowOf(static_cast<int64_t>(i) + 1);
    EXPECT_EQ(rows.employee_id(i), expected.employee_id);
    EXPECT_EQ(rows.composite_milli(i), expected.composite_milli);
    EXPECT_EQ(std::vector<int>(rows.tenths(i).begin(), rows.tenths(i).end()), expected.tenths);
    const ScoreRow unpacked = rows.Row(i);
    EXPECT_EQ(unpacked.employee_id, expected.employee_id);
    EXPECT_EQ(unpacked.tenths, expected.tenths);
    EXPECT_EQ(unpacked.composite_milli, expected.composite_milli);
  }
}

TEST(ScoreRowsTest, ARowWithAnotherNumberOfScoresIsRefused) {
  ScoreRows rows(3);
  EXPECT_FALSE(rows.Add(ScoreRow{1, {900, 800}, 0}).ok());
  EXPECT_TRUE(rows.empty());
  ASSERT_TRUE(rows.Add(ScoreRow{2, {900, 800, 700}, 1}).ok());
  EXPECT_THAT(std::vector<int>(rows.tenths(0).begin(), rows.tenths(0).end()), ElementsAre(900, 800, 700));
}

}  // namespace
}  // namespace ladder::evaluation
