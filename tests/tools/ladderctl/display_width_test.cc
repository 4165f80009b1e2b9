#include "tools/ladderctl/display_width.h"

#include "gtest/gtest.h"

namespace ladder::ladderctl {
namespace {

TEST(DisplayWidthTest, LatinLettersTakeOneColumn) {
  EXPECT_EQ(DisplayWidth(""), 0);
  EXPECT_EQ(DisplayWidth("Kecheng"), 7);
  EXPECT_EQ(DisplayWidth("é"), 1);  // precomposed
}

TEST(DisplayWidthTest, CjkAndFullwidthTakeTwo) {
  EXPECT_EQ(DisplayWidth("柯城区"), 6);
  EXPECT_EQ(DisplayWidth("衢州分公司"), 10);
  EXPECT_EQ(DisplayWidth("ＡＢ"), 4);  // fullwidth Latin
  EXPECT_EQ(DisplayWidth("，。"), 4);  // fullwidth and ideographic punctuation
  EXPECT_EQ(DisplayWidth("KC0042张三"), 10);
  EXPECT_EQ(DisplayWidth("𠀀"), 2);  // CJK extension B, four bytes
  EXPECT_EQ(DisplayWidth("한국"), 4);
}

TEST(DisplayWidthTest, CombiningMarksAndControlsTakeNone) {
  EXPECT_EQ(DisplayWidth("e\xCC\x81"), 1);  // e + combining acute
  EXPECT_EQ(DisplayWidth("\xEF\xBB\xBF"
                         "a"),
            1);  // a byte-order mark
  EXPECT_EQ(DisplayWidth("a\tb"), 2);
}

TEST(DisplayWidthTest, MalformedBytesCountOneEach) {
  EXPECT_EQ(DisplayWidth("\xD5\xC5"), 2);  // GBK 张, not UTF-8
  EXPECT_EQ(DisplayWidth("\xE6\x9F"), 2);  // a cut UTF-8 sequence
}

TEST(DisplayWidthTest, PadsByColumnsNotBytes) {
  EXPECT_EQ(PadRight("柯城区", 8), "柯城区  ");
  EXPECT_EQ(PadRight("Longyou", 8), "Longyou ");
  EXPECT_EQ(PadLeft("龙游县", 7), " 龙游县");
  EXPECT_EQ(PadRight("衢州分公司", 4), "衢州分公司");  // never cut
  EXPECT_EQ(DisplayWidth(PadRight("江山市", 12)), DisplayWidth(PadRight("Jiangshan", 12)));
}

TEST(DisplayWidthTest, TruncateNeverSplitsACharacter) {
  EXPECT_EQ(Truncate("衢州分公司", 10), "衢州分公司");
  EXPECT_EQ(Truncate("衢州分公司", 6), "衢州…");
  EXPECT_EQ(Truncate("衢州分公司", 5), "衢州…");
  EXPECT_LE(DisplayWidth(Truncate("衢州分公司", 5)), 5);
  EXPECT_EQ(Truncate("abcdef", 4), "abc…");
}

TEST(DisplayWidthTest, DecodeRejectsOverlongAndSurrogates) {
  size_t pos = 0;
  char32_t c = 0;
  EXPECT_FALSE(DecodeUtf8("\xC0\xAF", &pos, &c));
  pos = 0;
  EXPECT_FALSE(DecodeUtf8("\xED\xA0\x80", &pos, &c));  // U+D800
  pos = 0;
  EXPECT_TRUE(DecodeUtf8("\xE5\xBC\xA0", &pos, &c));
  EXPECT_EQ(c, U'张');
  EXPECT_EQ(pos, 3u);
}

}  // namespace
}  // namespace ladder::ladderctl
