#include "tools/ladderctl/svg_chart.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ladder::ladderctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

int Count(const std::string& text, const std::string& needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

ChartData Sample() {
  ChartData data;
  data.title = "衢州分公司 客户经理级别分布";
  data.subtitle = "政策版本 1.1.0";
  ChartCounty a;
  a.id = "orgUnits/2";
  a.name = "柯城区";
  a.levelled = 50;
  a.junior = 17;
  a.intermediate = 23;
  a.senior = 10;
  a.suggested_junior = 15;
  a.suggested_intermediate = 25;
  a.suggested_senior = 10;
  a.senior_cap = 10;
  ChartCounty b = a;
  b.id = "orgUnits/4";
  b.name = "龙游县 <&>";
  b.levelled = 49;
  b.junior = 16;
  b.senior_cap = 9;
  b.suggested_senior = 9;
  b.over_cap = true;
  ChartCounty c = a;
  c.id = "orgUnits/6";
  c.name = "常山县";
  c.senior = 6;
  c.intermediate = 27;
  c.senior_cap = 8;
  c.free_senior_slots = 2;
  data.counties = {a, b, c};
  data.total = a;
  return data;
}

TEST(SvgChartTest, OneGroupPerCountyWithItsNumbers) {
  const std::string svg = RenderDistributionSvg(Sample());
  EXPECT_EQ(Count(svg, "<g class=\"county\""), 3);
  EXPECT_THAT(svg, HasSubstr("data-county=\"柯城区\" data-n=\"50\""));
  EXPECT_EQ(Count(svg, "class=\"senior-cap\""), 3);
  EXPECT_THAT(svg, HasSubstr("data-cap=\"9\""));
  EXPECT_THAT(svg, HasSubstr("<title>衢州分公司 客户经理级别分布</title>"));
}

TEST(SvgChartTest, OverCapIsHatchedAndFreeSlotsMarked) {
  const std::string svg = RenderDistributionSvg(Sample());
  EXPECT_EQ(Count(svg, "class=\"over-cap\""), 1);
  EXPECT_THAT(svg, HasSubstr("超出上限 1 人"));
  EXPECT_THAT(svg, HasSubstr("class=\"free-slots\" data-free=\"2\""));
  EXPECT_THAT(svg, HasSubstr("高级已满"));
}

TEST(SvgChartTest, NamesAreEscaped) {
  const std::string svg = RenderDistributionSvg(Sample());
  EXPECT_THAT(svg, HasSubstr("龙游县 &lt;&amp;&gt;"));
  EXPECT_THAT(svg, Not(HasSubstr("龙游县 <&>")));
}

TEST(SvgChartTest, HtmlHasTheChartAndATable) {
  const std::string html = RenderDistributionHtml(Sample());
  EXPECT_THAT(html, HasSubstr("<svg"));
  EXPECT_THAT(html, Not(HasSubstr("<?xml")));
  EXPECT_EQ(Count(html, "<tr>"), 1 + 3);
  EXPECT_THAT(html, HasSubstr("合计"));
}

}  // namespace
}  // namespace ladder::ladderctl
