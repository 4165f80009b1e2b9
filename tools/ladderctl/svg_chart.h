#pragma once

// The distribution of levels per county as a picture HR can read at a glance: for each
// county a bar of the actual head counts per level (高级, 中级, 初级 from the left) above a
// bar of the suggested mix (30/50/20 by largest remainder), on one scale of people, with
// the senior cap drawn as a red line across both: the 高级 segment must stay left of it.
// Seniors beyond the cap are hatched red; the free senior slots are named beside the bars.

#include <string>
#include <vector>

namespace ladder::ladderctl {

struct ChartCounty {
  std::string id;    // "orgUnits/3"
  std::string name;  // "柯城区"
  int levelled = 0;  // N
  int junior = 0, intermediate = 0, senior = 0;
  int suggested_junior = 0, suggested_intermediate = 0, suggested_senior = 0;
  int senior_cap = 0;
  int free_senior_slots = 0;
  bool over_cap = false;
  int distance = 0;  // people who would have to change level to reach the suggested mix
};

struct ChartData {
  std::string title;     // "衢州分公司 客户经理级别分布"
  std::string subtitle;  // policy and date
  int suggested_junior_percent = 30, suggested_intermediate_percent = 50, suggested_senior_percent = 20;
  std::vector<ChartCounty> counties;
  ChartCounty total;
};

// A standalone SVG document: one <g class="county"> per county, in the given order.
std::string RenderDistributionSvg(const ChartData& data);

// An HTML page with the chart and the same numbers as a table.
std::string RenderDistributionHtml(const ChartData& data);

// Text escaped for XML character data and attribute values.
std::string XmlEscape(const std::string& text);

}  // namespace ladder::ladderctl
