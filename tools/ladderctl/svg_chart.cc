#include "tools/ladderctl/svg_chart.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/ladderctl/display_width.h"

namespace ladder::ladderctl {
namespace {

constexpr char kFont[] =
    "'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei','WenQuanYi Zen Hei',"
    "'Microsoft YaHei','PingFang SC',sans-serif";
constexpr char kJunior[] = "#9ecae1";
constexpr char kIntermediate[] = "#4292c6";
constexpr char kSenior[] = "#08306b";
constexpr char kCap[] = "#d62728";
constexpr char kOk[] = "#2ca02c";
constexpr char kMuted[] = "#555555";

constexpr int kWidth = 1080;
constexpr int kBarsLeft = 190;   // x where the bars start
constexpr int kBarsWidth = 560;  // width of the largest county's N
constexpr int kNotesLeft = kBarsLeft + kBarsWidth + 40;
constexpr int kHeaderHeight = 150;
constexpr int kCountyHeight = 92;

// Approximate width of text in pixels: a CJK character is about one em, Latin half.
double TextWidth(const std::string& text, double font_size) { return DisplayWidth(text) * font_size * 0.55; }

std::string Text(double x, double y, const std::string& text, const std::string& attributes) {
  return absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\" %s>%s</text>\n", x, y, attributes, XmlEscape(text));
}

struct Segment {
  int count;
  const char* color;
  const char* label;
};

// A stacked bar from x0 (seniors first), with counts inside wide enough segments.
std::string Bar(double x0, double y, double height, double scale, const Segment (&segments)[3], bool suggested,
                const std::string& css_class) {
  std::string out = absl::StrFormat("<g class=\"%s\">\n", css_class);
  double x = x0;
  for (const Segment& segment : segments) {
    const double width = segment.count * scale;
    if (segment.count > 0) {
      if (suggested) {
        absl::StrAppendFormat(&out,
                              "  <rect class=\"segment\" data-level=\"%s\" data-count=\"%d\" x=\"%.1f\" "
                              "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                              "fill-opacity=\"0.28\" stroke=\"%s\" stroke-width=\"1.2\" "
                              "stroke-dasharray=\"4 2\"/>\n",
                              segment.label, segment.count, x, y, width, height, segment.color, segment.color);
      } else {
        absl::StrAppendFormat(&out,
                              "  <rect class=\"segment\" data-level=\"%s\" data-count=\"%d\" x=\"%.1f\" "
                              "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                              "stroke=\"#ffffff\" stroke-width=\"1\"/>\n",
                              segment.label, segment.count, x, y, width, height, segment.color);
      }
      const std::string label = absl::StrCat(segment.count);
      const bool light_text = !suggested && segment.color != kJunior;
      if (width >= TextWidth(label, 12) + 6) {
        out += "  " + Text(x + width / 2, y + height / 2 + 4.5, label,
                           absl::StrFormat("text-anchor=\"middle\" font-size=\"%d\" font-weight=\"bold\" "
                                           "fill=\"%s\"",
                                           suggested ? 11 : 13, light_text ? "#ffffff" : "#1a1a1a"));
      }
    }
    x += width;
  }
  out += "</g>\n";
  return out;
}

}  // namespace

std::string XmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderDistributionSvg(const ChartData& data) {
  int max_n = 1;
  for (const ChartCounty& county : data.counties) {
    max_n = std::max({max_n, county.levelled, county.senior + county.intermediate + county.junior});
  }
  const double scale = static_cast<double>(kBarsWidth) / max_n;
  const bool any_over = std::any_of(data.counties.begin(), data.counties.end(),
                                    [](const ChartCounty& county) { return county.over_cap; });
  const int height = kHeaderHeight + kCountyHeight * static_cast<int>(data.counties.size()) + 70 + (any_over ? 22 : 0);
  std::string svg = absl::StrFormat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
      "font-family=\"%s\">\n",
      kWidth, height, kWidth, height, kFont);
  absl::StrAppendFormat(&svg, "<title>%s</title>\n", XmlEscape(data.title));
  svg +=
      "<defs>\n"
      "  <pattern id=\"over-cap\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
      "patternTransform=\"rotate(45)\">\n"
      "    <rect width=\"6\" height=\"6\" fill=\"#ffffff\" fill-opacity=\"0.15\"/>\n"
      "    <rect width=\"3\" height=\"6\" fill=\"#d62728\"/>\n"
      "  </pattern>\n"
      "</defs>\n";
  absl::StrAppendFormat(&svg, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", kWidth, height);
  svg += Text(24, 40, data.title, "font-size=\"24\" font-weight=\"bold\" fill=\"#1a1a1a\" class=\"title\"");
  svg += Text(24, 66, data.subtitle, absl::StrCat("font-size=\"13\" fill=\"", kMuted, "\""));
  svg += Text(24, 88,
              absl::StrFormat("每个区县两条：上条为现有人数，下条（虚线）为建议结构 初级%d%% / 中级%d%% / "
                              "高级%d%%；红线为高级上限 = floor(%d%% × N)，高级（深色）不得越过红线。",
                              data.suggested_junior_percent, data.suggested_intermediate_percent,
                              data.suggested_senior_percent, data.suggested_senior_percent),
              absl::StrCat("font-size=\"13\" fill=\"", kMuted, "\""));

  // Legend.
  {
    double x = 24;
    const double y = 116;
    svg += "<g class=\"legend\">\n";
    const struct {
      const char* color;
      const char* label;
    } swatches[] = {{kSenior, "高级"}, {kIntermediate, "中级"}, {kJunior, "初级"}};
    for (const auto& swatch : swatches) {
      absl::StrAppendFormat(&svg, "  <rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"14\" fill=\"%s\"/>\n", x, y - 11,
                            swatch.color);
      svg += "  " + Text(x + 22, y, swatch.label, "font-size=\"13\" fill=\"#1a1a1a\"");
      x += 22 + TextWidth(swatch.label, 13) + 22;
    }
    absl::StrAppendFormat(&svg,
                          "  <rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"14\" fill=\"%s\" "
                          "fill-opacity=\"0.28\" stroke=\"%s\" stroke-dasharray=\"4 2\"/>\n",
                          x, y - 11, kIntermediate, kIntermediate);
    svg += "  " + Text(x + 22, y, "建议结构", "font-size=\"13\" fill=\"#1a1a1a\"");
    x += 22 + TextWidth("建议结构", 13) + 22;
    absl::StrAppendFormat(&svg,
                          "  <line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                          "stroke-width=\"3\"/>\n",
                          x + 7, y - 13, x + 7, y + 4, kCap);
    svg += "  " + Text(x + 18, y, "高级上限", "font-size=\"13\" fill=\"#1a1a1a\"");
    x += 18 + TextWidth("高级上限", 13) + 22;
    absl::StrAppendFormat(&svg, "  <rect x=\"%.1f\" y=\"%.1f\" width=\"18\" height=\"5\" fill=\"%s\"/>\n", x, y - 7,
                          kOk);
    svg += "  " + Text(x + 24, y, "空余高级名额", "font-size=\"13\" fill=\"#1a1a1a\"");
    x += 24 + TextWidth("空余高级名额", 13) + 22;
    absl::StrAppendFormat(&svg,
                          "  <rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"14\" "
                          "fill=\"url(#over-cap)\" stroke=\"%s\"/>\n",
                          x, y - 11, kCap);
    svg += "  " + Text(x + 22, y, "超出上限的高级", "font-size=\"13\" fill=\"#1a1a1a\"");
    svg += "</g>\n";
  }

  double y = kHeaderHeight;
  for (const ChartCounty& county : data.counties) {
    const double bar_y = y + 14;
    const double suggested_y = bar_y + 32;
    absl::StrAppendFormat(&svg,
                          "<g class=\"county\" id=\"%s\" data-county=\"%s\" data-n=\"%d\" data-junior=\"%d\" "
                          "data-intermediate=\"%d\" data-senior=\"%d\" data-senior-cap=\"%d\" "
                          "data-free-senior-slots=\"%d\" data-over-cap=\"%s\">\n",
                          XmlEscape(absl::StrCat("county-", county.id)), XmlEscape(county.name), county.levelled,
                          county.junior, county.intermediate, county.senior, county.senior_cap,
                          county.free_senior_slots, county.over_cap ? "true" : "false");
    // Zebra background, so each county reads as one block.
    if ((static_cast<int>((y - kHeaderHeight) / kCountyHeight)) % 2 == 0) {
      absl::StrAppendFormat(&svg, "  <rect x=\"12\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"#f4f6f9\"/>\n", y,
                            kWidth - 24, kCountyHeight);
    }
    svg += "  " + Text(24, bar_y + 17, county.name,
                       "font-size=\"18\" font-weight=\"bold\" fill=\"#1a1a1a\" class=\"county-name\"");
    svg += "  " + Text(24, bar_y + 40, absl::StrCat("N = ", county.levelled, " 人"),
                       absl::StrCat("font-size=\"13\" fill=\"", kMuted, "\""));
    svg += "  " + Text(kBarsLeft - 8, bar_y + 16, "现状", "font-size=\"12\" text-anchor=\"end\" fill=\"#1a1a1a\"");
    svg += "  " + Text(kBarsLeft - 8, suggested_y + 13, "建议",
                       absl::StrCat("font-size=\"12\" text-anchor=\"end\" fill=\"", kMuted, "\""));
    const Segment actual[3] = {{county.senior, kSenior, "senior"},
                               {county.intermediate, kIntermediate, "intermediate"},
                               {county.junior, kJunior, "junior"}};
    const Segment suggested[3] = {{county.suggested_senior, kSenior, "senior"},
                                  {county.suggested_intermediate, kIntermediate, "intermediate"},
                                  {county.suggested_junior, kJunior, "junior"}};
    svg += Bar(kBarsLeft, bar_y, 24, scale, actual, false, "actual");
    svg += Bar(kBarsLeft, suggested_y, 18, scale, suggested, true, "suggested");
    if (county.senior > county.senior_cap) {
      absl::StrAppendFormat(&svg,
                            "  <rect class=\"over-cap\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                            "height=\"24\" fill=\"url(#over-cap)\" stroke=\"%s\" stroke-width=\"1.5\"/>\n",
                            kBarsLeft + county.senior_cap * scale, bar_y, (county.senior - county.senior_cap) * scale,
                            kCap);
    }
    // Free senior slots: a green bracket above the bar, from the seniors' end to the cap.
    if (county.free_senior_slots > 0 && county.senior < county.senior_cap) {
      const double from = kBarsLeft + county.senior * scale;
      const double to = kBarsLeft + county.senior_cap * scale;
      absl::StrAppendFormat(&svg,
                            "  <rect class=\"free-slots\" data-free=\"%d\" x=\"%.1f\" y=\"%.1f\" "
                            "width=\"%.1f\" height=\"5\" fill=\"%s\"/>\n",
                            county.free_senior_slots, from, bar_y - 7, to - from, kOk);
    }
    // The cap: a red line across both bars, labelled above.
    const double cap_x = kBarsLeft + county.senior_cap * scale;
    absl::StrAppendFormat(&svg,
                          "  <line class=\"senior-cap\" data-cap=\"%d\" x1=\"%.1f\" y1=\"%.1f\" "
                          "x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/>\n",
                          county.senior_cap, cap_x, bar_y - 8, cap_x, suggested_y + 24, kCap);
    std::string cap_label = absl::StrCat("上限 ", county.senior_cap);
    if (county.over_cap) absl::StrAppend(&cap_label, "，超出 ", county.senior - county.senior_cap);
    svg += "  " + Text(cap_x + 5, bar_y - 2, cap_label,
                       absl::StrCat("font-size=\"11\" fill=\"", kCap, "\" font-weight=\"bold\""));
    if (county.over_cap) {
      // A red edge on the county's block, so an over-cap county stands out in the list.
      absl::StrAppendFormat(&svg, "  <rect x=\"12\" y=\"%.1f\" width=\"5\" height=\"%d\" fill=\"%s\"/>\n", y,
                            kCountyHeight, kCap);
    }
    // What it means, beside the bars.
    std::string status;
    const char* color = kMuted;
    if (county.over_cap) {
      status = absl::StrCat("超出上限 ", county.senior - county.senior_cap, " 人：暂停高级晋升");
      color = kCap;
    } else if (county.free_senior_slots == 0) {
      status = "高级已满：无空余名额";
      color = "#b35900";
    } else {
      status = absl::StrCat("空余高级名额 ", county.free_senior_slots, " 个");
      color = kOk;
    }
    svg += "  " + Text(kNotesLeft, bar_y + 10, absl::StrCat("高级 ", county.senior, " / 上限 ", county.senior_cap),
                       "font-size=\"14\" fill=\"#1a1a1a\"");
    svg += "  " + Text(kNotesLeft, bar_y + 30, status,
                       absl::StrCat("font-size=\"14\" font-weight=\"bold\" fill=\"", color, "\" class=\"status\""));
    svg +=
        "  " + Text(kNotesLeft, bar_y + 50,
                    county.distance == 0 ? "与建议结构一致" : absl::StrCat("与建议结构相差 ", county.distance, " 人"),
                    absl::StrCat("font-size=\"12\" fill=\"", kMuted, "\""));
    svg += "</g>\n";
    y += kCountyHeight;
  }
  const ChartCounty& total = data.total;
  const auto share = [&](int count) { return total.levelled == 0 ? 0.0 : 100.0 * count / total.levelled; };
  svg += Text(
      24, y + 30,
      absl::StrFormat("合计 N = %d：高级 %d（%.1f%%）、中级 %d（%.1f%%）、初级 %d（%.1f%%）；"
                      "高级上限合计 %d，空余 %d。",
                      total.levelled, total.senior, share(total.senior), total.intermediate, share(total.intermediate),
                      total.junior, share(total.junior), total.senior_cap, total.free_senior_slots),
      "font-size=\"14\" fill=\"#1a1a1a\" class=\"total\"");
  std::string over;
  for (const ChartCounty& county : data.counties) {
    if (county.over_cap) absl::StrAppend(&over, over.empty() ? "" : "、", county.name);
  }
  if (!over.empty()) {
    svg +=
        Text(24, y + 52, absl::StrCat("超出高级上限：", over, "（在回到上限以内之前，不得晋升或调入高级；不因此降级）"),
             absl::StrCat("font-size=\"14\" font-weight=\"bold\" fill=\"", kCap, "\" class=\"over-cap-counties\""));
    y += 22;
  }
  svg += Text(24, y + 52, "N：持有级别的客户经理（试岗期、待定级者不计）。条形长度按人数，同一比例尺。",
              absl::StrCat("font-size=\"12\" fill=\"", kMuted, "\""));
  svg += "</svg>\n";
  return svg;
}

std::string RenderDistributionHtml(const ChartData& data) {
  std::string html =
      absl::StrCat("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
                   XmlEscape(data.title), "</title>\n<style>\nbody{font-family:", kFont,
                   ";margin:24px;color:#1a1a1a}\ntable{border-collapse:collapse;margin-top:16px}\n"
                   "th,td{border:1px solid #ccc;padding:4px 10px;text-align:right}\n"
                   "th:first-child,td:first-child{text-align:left}\n.over{color:#d62728;font-weight:bold}\n"
                   "</style>\n</head>\n<body>\n");
  // The SVG without its XML declaration, inline.
  std::string svg = RenderDistributionSvg(data);
  svg = svg.substr(svg.find("<svg"));
  html += svg;
  html +=
      "<table>\n<tr><th>区县</th><th>N</th><th>初级</th><th>中级</th><th>高级</th>"
      "<th>建议 初/中/高</th><th>高级上限</th><th>空余</th><th>状态</th></tr>\n";
  const auto row = [&](const ChartCounty& c, bool is_total) {
    const auto cell = [&](int count) {
      return c.levelled == 0 ? absl::StrCat(count) : absl::StrFormat("%d (%.1f%%)", count, 100.0 * count / c.levelled);
    };
    std::string status = c.over_cap ? "<span class=\"over\">超出上限</span>" : c.free_senior_slots == 0 ? "已满" : "";
    return absl::StrCat(is_total ? "<tr style=\"font-weight:bold\">" : "<tr>", "<td>", XmlEscape(c.name), "</td><td>",
                        c.levelled, "</td><td>", cell(c.junior), "</td><td>", cell(c.intermediate), "</td><td>",
                        cell(c.senior), "</td><td>", c.suggested_junior, "/", c.suggested_intermediate, "/",
                        c.suggested_senior, "</td><td>", c.senior_cap, "</td><td>", c.free_senior_slots, "</td><td>",
                        status, "</td></tr>\n");
  };
  for (const ChartCounty& county : data.counties) html += row(county, false);
  ChartCounty total = data.total;
  total.name = "合计";
  html += row(total, true);
  html += "</table>\n</body>\n</html>\n";
  return html;
}

}  // namespace ladder::ladderctl
