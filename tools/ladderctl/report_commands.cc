// report distribution ORGUNIT [--format text|json|csv] [--svg FILE] [--html FILE].

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/time/dates.h"
#include "google/protobuf/util/json_util.h"
#include "tools/ladderctl/cli.h"
#include "tools/ladderctl/names.h"
#include "tools/ladderctl/resolve.h"
#include "tools/ladderctl/svg_chart.h"
#include "tools/ladderctl/table_printer.h"

namespace ladder::ladderctl {
namespace {

using County = cv1::DistributionReport::CountyDistribution;

const cv1::DistributionReport::LevelCount* LevelOf(const County& county, Level level) {
  for (const auto& entry : county.levels()) {
    if (entry.level() == level) return &entry;
  }
  return nullptr;
}

int Count(const County& county, Level level) {
  const auto* entry = LevelOf(county, level);
  return entry == nullptr ? 0 : entry->head_count();
}

int Suggested(const County& county, Level level) {
  const auto* entry = LevelOf(county, level);
  return entry == nullptr ? 0 : entry->suggested_head_count();
}

double Share(const County& county, Level level) {
  const auto* entry = LevelOf(county, level);
  return entry == nullptr ? 0 : entry->share_percent();
}

int SuggestedPercent(const cv1::DistributionReport& report, Level level) {
  const auto* entry = LevelOf(report.total(), level);
  return entry == nullptr ? 0 : entry->suggested_share_percent();
}

ChartCounty ToChart(const County& county) {
  ChartCounty out;
  out.id = county.county();
  out.name = county.display_name();
  out.levelled = county.levelled_customer_managers();
  out.junior = Count(county, Level::LEVEL_JUNIOR);
  out.intermediate = Count(county, Level::LEVEL_INTERMEDIATE);
  out.senior = Count(county, Level::LEVEL_SENIOR);
  out.suggested_junior = Suggested(county, Level::LEVEL_JUNIOR);
  out.suggested_intermediate = Suggested(county, Level::LEVEL_INTERMEDIATE);
  out.suggested_senior = Suggested(county, Level::LEVEL_SENIOR);
  out.senior_cap = county.senior_cap();
  out.free_senior_slots = county.free_senior_slots();
  out.over_cap = county.over_cap();
  out.distance = county.distance_from_suggested();
  return out;
}

bool WriteFile(Context& context, const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) {
    context.Error(absl::StrCat("cannot write ", path));
    return false;
  }
  return true;
}

int Distribution(Context& context, const Args& args) {
  const std::optional<Format> format = FormatOf(context, args);
  if (!format.has_value()) return kExitBadInput;
  Clients& services = context.services();
  absl::StatusOr<pv1::OrgUnit> unit = ResolveOrgUnit(services, args.positional[0]);
  if (!unit.ok()) return context.Fail(unit.status());
  cv1::GetDistributionReportRequest request;
  request.set_org_unit(unit->name());
  cv1::DistributionReport report;
  absl::Status status = services.Call(services.careerpath(), &cv1::CareerPathService::Stub::GetDistributionReport,
                                      "CareerPathService.GetDistributionReport", request, &report, 3.0);
  if (!status.ok()) return context.Fail(status);

  const std::string today = ToSqlDate(TodayInBranch());
  if (args.Has("svg") || args.Has("html")) {
    ChartData chart;
    chart.title = absl::StrCat(unit->display_name(), " 客户经理级别分布");
    chart.subtitle = absl::StrCat("政策版本 ", report.policy_version(), " · 数据日期 ", today, " · ",
                                  report.counties_size(), " 个区县");
    chart.suggested_junior_percent = SuggestedPercent(report, Level::LEVEL_JUNIOR);
    chart.suggested_intermediate_percent = SuggestedPercent(report, Level::LEVEL_INTERMEDIATE);
    chart.suggested_senior_percent = SuggestedPercent(report, Level::LEVEL_SENIOR);
    for (const County& county : report.counties()) chart.counties.push_back(ToChart(county));
    chart.total = ToChart(report.total());
    if (args.Has("svg") && !WriteFile(context, args.Get("svg"), RenderDistributionSvg(chart))) {
      return kExitBadInput;
    }
    if (args.Has("html") && !WriteFile(context, args.Get("html"), RenderDistributionHtml(chart))) {
      return kExitBadInput;
    }
  }

  if (*format == Format::kJson) {
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    options.always_print_primitive_fields = true;
    options.add_whitespace = true;
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(report, &json, options);
    std::fputs(json.c_str(), context.out);
    return kExitOk;
  }
  if (*format == Format::kCsv) {
    Table table({{"county", ""},
                 {"display_name", ""},
                 {"levelled", ""},
                 {"junior", ""},
                 {"junior_share_percent", ""},
                 {"intermediate", ""},
                 {"intermediate_share_percent", ""},
                 {"senior", ""},
                 {"senior_share_percent", ""},
                 {"suggested_junior", ""},
                 {"suggested_intermediate", ""},
                 {"suggested_senior", ""},
                 {"senior_cap", ""},
                 {"free_senior_slots", ""},
                 {"over_cap", ""},
                 {"distance_from_suggested", ""}});
    const auto add = [&](const County& c) {
      table.AddRow(
          {c.county(), c.display_name(), absl::StrCat(c.levelled_customer_managers()),
           absl::StrCat(Count(c, Level::LEVEL_JUNIOR)), absl::StrFormat("%.1f", Share(c, Level::LEVEL_JUNIOR)),
           absl::StrCat(Count(c, Level::LEVEL_INTERMEDIATE)),
           absl::StrFormat("%.1f", Share(c, Level::LEVEL_INTERMEDIATE)), absl::StrCat(Count(c, Level::LEVEL_SENIOR)),
           absl::StrFormat("%.1f", Share(c, Level::LEVEL_SENIOR)), absl::StrCat(Suggested(c, Level::LEVEL_JUNIOR)),
           absl::StrCat(Suggested(c, Level::LEVEL_INTERMEDIATE)), absl::StrCat(Suggested(c, Level::LEVEL_SENIOR)),
           absl::StrCat(c.senior_cap()), absl::StrCat(c.free_senior_slots()), c.over_cap() ? "true" : "false",
           absl::StrCat(c.distance_from_suggested())});
    };
    for (const County& county : report.counties()) add(county);
    add(report.total());
    std::fputs(table.ToCsv().c_str(), context.out);
    return kExitOk;
  }

  const auto percent_title = [&](const char* word, Level level) {
    return absl::StrCat(word, " ", SuggestedPercent(report, level), "%");
  };
  Table table({{"county", "county"},
               {"levelled", "N", Align::kRight},
               {"junior", percent_title("初级", Level::LEVEL_JUNIOR), Align::kRight},
               {"intermediate", percent_title("中级", Level::LEVEL_INTERMEDIATE), Align::kRight},
               {"senior", percent_title("高级", Level::LEVEL_SENIOR), Align::kRight},
               {"suggested", "suggested 初/中/高", Align::kRight},
               {"senior_cap", "senior cap", Align::kRight},
               {"free", "free", Align::kRight},
               {"distance", "off by", Align::kRight},
               {"note", ""}});
  const auto level_cell = [](const County& c, Level level) {
    return absl::StrFormat("%d %5.1f%%", Count(c, level), Share(c, level));
  };
  const auto add = [&](const County& c, const std::string& name) {
    std::string note;
    if (&c == &report.total()) {
      int over = 0;
      for (const County& county : report.counties()) over += county.over_cap() ? 1 : 0;
      if (over > 0) note = absl::StrCat(over, over == 1 ? " county" : " counties", " over cap");
    } else if (c.over_cap()) {
      note = absl::StrCat("OVER CAP by ", Count(c, Level::LEVEL_SENIOR) - c.senior_cap());
    } else if (c.free_senior_slots() == 0 && c.levelled_customer_managers() > 0) {
      note = "at cap";
    }
    table.AddRow({name, absl::StrCat(c.levelled_customer_managers()), level_cell(c, Level::LEVEL_JUNIOR),
                  level_cell(c, Level::LEVEL_INTERMEDIATE), level_cell(c, Level::LEVEL_SENIOR),
                  absl::StrCat(Suggested(c, Level::LEVEL_JUNIOR), "/", Suggested(c, Level::LEVEL_INTERMEDIATE), "/",
                               Suggested(c, Level::LEVEL_SENIOR)),
                  absl::StrCat(c.senior_cap()), absl::StrCat(c.free_senior_slots()),
                  absl::StrCat(c.distance_from_suggested()), note});
  };
  for (const County& county : report.counties()) add(county, county.display_name());
  table.AddRule();
  add(report.total(), "total");
  std::fprintf(context.out, "%s (%s): distribution of levels, policy %s, %s\n", unit->display_name().c_str(),
               unit->name().c_str(), report.policy_version().c_str(), today.c_str());
  std::fputs(table.ToText().c_str(), context.out);
  std::fprintf(context.out,
               "N: customer managers holding a level. Each level: head count and share of N; the\n"
               "suggested mix is %d/%d/%d%% by largest remainder. Senior cap: floor(%d%% x N). Off by:\n"
               "how many people would have to change level to reach the suggested mix.\n",
               SuggestedPercent(report, Level::LEVEL_JUNIOR), SuggestedPercent(report, Level::LEVEL_INTERMEDIATE),
               SuggestedPercent(report, Level::LEVEL_SENIOR), SuggestedPercent(report, Level::LEVEL_SENIOR));
  if (args.Has("svg")) std::fprintf(context.out, "chart: %s\n", args.Get("svg").c_str());
  if (args.Has("html")) std::fprintf(context.out, "page: %s\n", args.Get("html").c_str());
  return kExitOk;
}

}  // namespace

void RegisterReportCommands() {
  Registry().push_back(
      Command{{"report", "distribution"},
              "ORGUNIT",
              1,
              1,
              "levels per county against 30/50/20 and the senior cap; table, JSON, CSV or a chart",
              "ORGUNIT is the city branch (every county) or one county, by name (衢州分公司) or resource\n"
              "name. The table lines up Chinese names by display width. --svg (or --html) draws, per\n"
              "county, the actual head counts per level as a stacked bar above the suggested mix, on\n"
              "one scale, with the senior cap as a red line; seniors over the cap are hatched red.\n"
              "The numbers are the CareerPathService's GetDistributionReport; --format json prints it\n"
              "as it is.",
              {FormatFlag(),
               {"svg", "FILE", "also draw the chart into FILE (SVG)"},
               {"html", "FILE", "also write a page with the chart and the table into FILE"}},
              Distribution});
}

}  // namespace ladder::ladderctl
