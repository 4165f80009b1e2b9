#include "tools/ladderctl/names.h"

#include "gtest/gtest.h"

namespace ladder::ladderctl {
namespace {

TEST(NamesTest, LevelsInEveryAcceptedSpelling) {
  for (const char* text : {"高级", "senior", "Senior", "LEVEL_SENIOR", " level_senior "}) {
    EXPECT_EQ(ParseLevel(text), Level::LEVEL_SENIOR) << text;
  }
  EXPECT_EQ(ParseLevel("初级"), Level::LEVEL_JUNIOR);
  EXPECT_FALSE(ParseLevel("特级").has_value());
  EXPECT_FALSE(ParseLevel("").has_value());
  EXPECT_EQ(LevelText(Level::LEVEL_INTERMEDIATE), "中级");
  EXPECT_EQ(LevelText(Level::LEVEL_INTERMEDIATE, true), "LEVEL_INTERMEDIATE");
}

TEST(NamesTest, RolesAndChannels) {
  EXPECT_EQ(ParseRole("客户经理"), Role::ROLE_CUSTOMER_MANAGER);
  EXPECT_EQ(ParseRole("customer-manager"), Role::ROLE_CUSTOMER_MANAGER);
  EXPECT_EQ(ParseRole("集团数据督导"), Role::ROLE_GROUP_DATA_SUPERVISOR);
  EXPECT_EQ(ParseRole("其他岗位"), Role::ROLE_OTHER);
  EXPECT_EQ(ParseEntryChannel("转岗"), EntryChannel::ENTRY_CHANNEL_TRANSFER);
  EXPECT_EQ(ParseEntryChannel("external"), EntryChannel::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT);
  EXPECT_EQ(ParseSeparationReason("辞职"), SeparationReason::SEPARATION_REASON_RESIGNED);
  EXPECT_EQ(ParseCaseState("waiting_for_slot"), careerpath::v1::Case::STATE_WAITING_FOR_SLOT);
}

TEST(NamesTest, DatesAsSpreadsheetsWriteThem) {
  EXPECT_EQ(DateText(*ParseDate("2026-03-05")), "2026-03-05");
  EXPECT_EQ(DateText(*ParseDate("2026/3/5")), "2026-03-05");
  EXPECT_EQ(DateText(*ParseDate("2024-02-29")), "2024-02-29");
  for (const char* bad : {"2026-02-30", "2025-02-29", "2026-13-01", "2026-3-5", "26-03-05", "2026.03.05", "20260305",
                          "", "2026-03-05x", "yesterday"}) {
    EXPECT_FALSE(ParseDate(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace ladder::ladderctl
