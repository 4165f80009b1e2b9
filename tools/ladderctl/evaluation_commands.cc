// scorecards create|list, cycles list|create|review-start|finalize, rankings.

#include <algorithm>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/ladderctl/cli.h"
#include "tools/ladderctl/csv_reader.h"
#include "tools/ladderctl/names.h"
#include "tools/ladderctl/request_ids.h"
#include "tools/ladderctl/resolve.h"
#include "tools/ladderctl/table_printer.h"

namespace ladder::ladderctl {
namespace {

void Print(Context& context, const Table& table, Format format) {
  const std::string text = format == Format::kJson  ? table.ToJson()
                           : format == Format::kCsv ? table.ToCsv()
                                                    : table.ToText();
  std::fputs(text.c_str(), context.out);
}

std::string Indicators(const ev1::Scorecard& scorecard) {
  std::vector<std::string> parts;
  for (const auto& indicator : scorecard.indicators()) {
    parts.push_back(absl::StrCat(indicator.display_name(), " ", indicator.weight_percent(), "%"));
  }
  return absl::StrJoin(parts, ", ");
}

bool SameIndicators(const ev1::Scorecard& a, const ev1::Scorecard& b) {
  if (a.indicators_size() != b.indicators_size()) return false;
  for (int i = 0; i < a.indicators_size(); ++i) {
    if (a.indicators(i).key() != b.indicators(i).key() ||
        a.indicators(i).display_name() != b.indicators(i).display_name() ||
        a.indicators(i).weight_percent() != b.indicators(i).weight_percent()) {
      return false;
    }
  }
  return true;
}

int CreateScorecard(Context& context, const Args& args) {
  if (!args.Has("name")) return context.Usage("--name is required (the scorecard's name)");
  const std::string path = args.positional[0];
  absl::StatusOr<std::unique_ptr<CsvReader>> reader = CsvReader::Open(path);
  if (!reader.ok()) return context.Fail(reader.status());
  absl::StatusOr<std::vector<std::string>> header = (*reader)->ReadHeader();
  if (!header.ok()) return context.Fail(header.status());
  CsvColumns columns(*header);
  const int key_col = columns.Find({"指标", "key"});
  const int name_col = columns.Find({"名称", "display_name", "name"});
  const int weight_col = columns.Find({"权重", "weight_percent", "weight"});
  if (key_col < 0 || name_col < 0 || weight_col < 0) {
    context.Error(absl::StrCat(path,
                               ": row 1: the columns are 指标, 名称, 权重 (key, display_name, "
                               "weight_percent)"));
    return kExitBadInput;
  }
  ev1::CreateScorecardRequest request;
  ev1::Scorecard& wanted = *request.mutable_scorecard();
  wanted.set_display_name(args.Get("name"));
  CsvRecord record;
  int sum = 0;
  std::vector<std::string> problems;
  while ((*reader)->Next(&record)) {
    for (const CsvProblem& problem : record.problems) problems.push_back(problem.ToString());
    auto* indicator = wanted.add_indicators();
    indicator->set_key(record.fields[key_col]);
    indicator->set_display_name(record.fields[name_col]);
    int weight = 0;
    if (!absl::SimpleAtoi(record.fields[weight_col], &weight) || weight < 1 || weight > 100) {
      CsvProblem problem{record.row, weight_col + 1, columns.NameOf(weight_col),
                         absl::StrCat("'", record.fields[weight_col], "' is not a whole percent 1-100")};
      problems.push_back(problem.ToString());
    }
    indicator->set_weight_percent(weight);
    sum += weight;
  }
  if (!(*reader)->fatal().ok()) return context.Fail((*reader)->fatal());
  if (problems.empty() && sum != 100) {
    problems.push_back(absl::StrCat("the weights add up to ", sum, ", not 100"));
  }
  if (!problems.empty()) {
    for (const std::string& problem : problems) context.Error(absl::StrCat(path, ": ", problem));
    return kExitBadInput;
  }
  absl::StatusOr<std::vector<ev1::Scorecard>> existing = ListAllScorecards(context.services());
  if (!existing.ok()) return context.Fail(existing.status());
  for (const ev1::Scorecard& scorecard : *existing) {
    if (scorecard.display_name() != wanted.display_name()) continue;
    if (SameIndicators(scorecard, wanted)) {
      std::fprintf(context.out, "%s (%s) exists already: %s\n", scorecard.display_name().c_str(),
                   scorecard.name().c_str(), Indicators(scorecard).c_str());
      return kExitOk;
    }
    return context.Fail(absl::AlreadyExistsError(absl::StrCat(scorecard.name(), " is called ", scorecard.display_name(),
                                                              " already, with other indicators (",
                                                              Indicators(scorecard), "); choose another --name")));
  }
  if (args.Flag("dry-run")) {
    std::fprintf(context.out, "dry run: would create %s: %s\n", wanted.display_name().c_str(),
                 Indicators(wanted).c_str());
    return kExitOk;
  }
  request.set_request_id(RequestId("scorecard", "", request.SerializeAsString()));
  ev1::Scorecard created;
  absl::Status status =
      context.services().Call(context.services().evaluation(), &ev1::EvaluationService::Stub::CreateScorecard,
                              "EvaluationService.CreateScorecard", request, &created);
  if (!status.ok()) return context.Fail(status);
  std::fprintf(context.out, "created %s (%s): %s\n", created.display_name().c_str(), created.name().c_str(),
               Indicators(created).c_str());
  return kExitOk;
}

int ListScorecards(Context& context, const Args& args) {
  const std::optional<Format> format = FormatOf(context, args);
  if (!format.has_value()) return kExitBadInput;
  absl::StatusOr<std::vector<ev1::Scorecard>> scorecards = ListAllScorecards(context.services());
  if (!scorecards.ok()) return context.Fail(scorecards.status());
  Table table({{"name", "scorecard"}, {"display_name", "name"}, {"in_use", "in use"}, {"indicators", "indicators"}});
  for (const ev1::Scorecard& scorecard : *scorecards) {
    table.AddRow(
        {scorecard.name(), scorecard.display_name(), scorecard.in_use() ? "yes" : "no", Indicators(scorecard)});
  }
  Print(context, table, *format);
  return kExitOk;
}

int ListCycles(Context& context, const Args& args) {
  const std::optional<Format> format = FormatOf(context, args);
  if (!format.has_value()) return kExitBadInput;
  ev1::ListCyclesRequest request;
  if (args.Has("scope")) {
    absl::StatusOr<pv1::OrgUnit> scope = ResolveOrgUnit(context.services(), args.Get("scope"));
    if (!scope.ok()) return context.Fail(scope.status());
    request.set_scope(scope->name());
  }
  if (args.Has("state")) {
    std::optional<ev1::Cycle::State> state = ParseCycleState(args.Get("state"));
    if (!state.has_value()) return context.Usage("--state: give open, in_review or finalized");
    request.set_state(*state);
  }
  absl::StatusOr<std::vector<ev1::Cycle>> cycles = ListAllCycles(context.services(), request);
  if (!cycles.ok()) return context.Fail(cycles.status());
  const bool machine = *format != Format::kText;
  std::map<std::string, std::string> units;
  if (!machine) {
    absl::StatusOr<std::map<std::string, std::string>> names = OrgUnitNames(context.services());
    if (!names.ok()) return context.Fail(names.status());
    units = *names;
  }
  Table table({{"name", "cycle"},
               {"display_name", "name"},
               {"period", "period"},
               {"start_date", "from"},
               {"end_date", "to"},
               {"scope", "scope"},
               {"state", "state"},
               {"participant_count", "participants", Align::kRight, true},
               {"scored_count", "scored", Align::kRight, true},
               {"open_flag_count", "open flags", Align::kRight, true}});
  for (const ev1::Cycle& cycle : *cycles) {
    table.AddRow({cycle.name(), cycle.display_name(), PeriodText(cycle.period(), machine), DateText(cycle.start_date()),
                  DateText(cycle.end_date()), machine ? cycle.scope() : units[cycle.scope()],
                  machine ? ev1::Cycle::State_Name(cycle.state()) : absl::StrCat(CycleStateText(cycle.state())),
                  absl::StrCat(cycle.participant_count()), absl::StrCat(cycle.scored_count()),
                  absl::StrCat(cycle.open_flag_count())});
  }
  Print(context, table, *format);
  return kExitOk;
}

int CreateCycle(Context& context, const Args& args) {
  for (const char* flag : {"name", "start", "end", "scorecard", "scope"}) {
    if (!args.Has(flag)) return context.Usage(absl::StrCat("--", flag, " is required"));
  }
  ev1::CreateCycleRequest request;
  ev1::Cycle& wanted = *request.mutable_cycle();
  wanted.set_display_name(args.Get("name"));
  const std::optional<ev1::Cycle::Period> period = ParsePeriod(args.Get("period", "quarterly"));
  if (!period.has_value()) return context.Usage("--period: give monthly, quarterly or annual");
  wanted.set_period(*period);
  const std::optional<google::type::Date> start = ParseDate(args.Get("start"));
  const std::optional<google::type::Date> end = ParseDate(args.Get("end"));
  if (!start.has_value()) return context.Usage("--start: give a date as YYYY-MM-DD");
  if (!end.has_value()) return context.Usage("--end: give a date as YYYY-MM-DD");
  *wanted.mutable_start_date() = *start;
  *wanted.mutable_end_date() = *end;
  absl::StatusOr<ev1::Scorecard> scorecard = ResolveScorecard(context.services(), args.Get("scorecard"));
  if (!scorecard.ok()) return context.Fail(scorecard.status());
  wanted.set_scorecard(scorecard->name());
  absl::StatusOr<pv1::OrgUnit> scope = ResolveOrgUnit(context.services(), args.Get("scope"));
  if (!scope.ok()) return context.Fail(scope.status());
  wanted.set_scope(scope->name());

  ev1::ListCyclesRequest list;
  list.set_scope(scope->name());
  absl::StatusOr<std::vector<ev1::Cycle>> existing = ListAllCycles(context.services(), list);
  if (!existing.ok()) return context.Fail(existing.status());
  for (const ev1::Cycle& cycle : *existing) {
    if (cycle.display_name() != wanted.display_name()) continue;
    if (cycle.scorecard() == wanted.scorecard() && DateText(cycle.start_date()) == DateText(*start) &&
        DateText(cycle.end_date()) == DateText(*end)) {
      std::fprintf(context.out, "%s (%s) exists already: %s, %d participants\n", cycle.display_name().c_str(),
                   cycle.name().c_str(), ev1::Cycle::State_Name(cycle.state()).c_str(), cycle.participant_count());
      return kExitOk;
    }
    return context.Fail(
        absl::AlreadyExistsError(absl::StrCat(cycle.name(), " of ", scope->display_name(), " is called ",
                                              cycle.display_name(), " already, with another period or scorecard")));
  }
  if (args.Flag("dry-run")) {
    std::fprintf(context.out, "dry run: would create %s for %s\n", wanted.display_name().c_str(),
                 scope->display_name().c_str());
    return kExitOk;
  }
  request.set_request_id(RequestId("cycle", "", request.SerializeAsString()));
  ev1::Cycle created;
  // Creating a cycle reads every participant from personnel: allow it more time.
  absl::Status status =
      context.services().Call(context.services().evaluation(), &ev1::EvaluationService::Stub::CreateCycle,
                              "EvaluationService.CreateCycle", request, &created, 6.0);
  if (!status.ok()) return context.Fail(status);
  std::fprintf(context.out, "created %s (%s) for %s: %d participants\n", created.display_name().c_str(),
               created.name().c_str(), scope->display_name().c_str(), created.participant_count());
  return kExitOk;
}

int MoveCycle(Context& context, const Args& args, ev1::Cycle::State target) {
  absl::StatusOr<ev1::Cycle> cycle = ResolveCycle(context.services(), args.positional[0]);
  if (!cycle.ok()) return context.Fail(cycle.status());
  const char* what = target == ev1::Cycle::STATE_IN_REVIEW ? "in review" : "finalised";
  if (cycle->state() >= target) {
    std::fprintf(context.out, "%s (%s) is %s already\n", cycle->display_name().c_str(), cycle->name().c_str(),
                 cycle->state() == ev1::Cycle::STATE_FINALIZED ? "finalised" : what);
    return kExitOk;
  }
  ev1::Cycle moved;
  absl::Status status;
  if (target == ev1::Cycle::STATE_IN_REVIEW) {
    ev1::StartReviewRequest request;
    request.set_name(cycle->name());
    request.set_request_id(RequestId("review-start", cycle->name().substr(7), cycle->name()));
    status = context.services().Call(context.services().evaluation(), &ev1::EvaluationService::Stub::StartReview,
                                     "EvaluationService.StartReview", request, &moved);
  } else {
    ev1::FinalizeCycleRequest request;
    request.set_name(cycle->name());
    request.set_request_id(RequestId("finalize", cycle->name().substr(7), cycle->name()));
    status = context.services().Call(context.services().evaluation(), &ev1::EvaluationService::Stub::FinalizeCycle,
                                     "EvaluationService.FinalizeCycle", request, &moved);
  }
  if (!status.ok()) return context.Fail(status);
  std::fprintf(context.out, "%s (%s) is %s: %d of %d participants scored\n", moved.display_name().c_str(),
               moved.name().c_str(), what, moved.scored_count(), moved.participant_count());
  return kExitOk;
}

int Rankings(Context& context, const Args& args) {
  const std::optional<Format> format = FormatOf(context, args);
  if (!format.has_value()) return kExitBadInput;
  Clients& services = context.services();
  absl::StatusOr<ev1::Cycle> cycle = ResolveCycle(services, args.positional[0]);
  if (!cycle.ok()) return context.Fail(cycle.status());
  std::vector<pv1::OrgUnit> counties;
  if (args.Has("county")) {
    absl::StatusOr<pv1::OrgUnit> county = ResolveOrgUnit(services, args.Get("county"));
    if (!county.ok()) return context.Fail(county.status());
    counties.push_back(*county);
  } else {
    absl::StatusOr<pv1::OrgUnit> scope = ResolveOrgUnit(services, cycle->scope());
    if (!scope.ok()) return context.Fail(scope.status());
    if (scope->kind() == pv1::OrgUnit::KIND_COUNTY) {
      counties.push_back(*scope);
    } else {
      pv1::ListOrgUnitsRequest request;
      request.set_parent(scope->name());
      request.set_kind(pv1::OrgUnit::KIND_COUNTY);
      absl::StatusOr<std::vector<pv1::OrgUnit>> children = ListAllOrgUnits(services, request);
      if (!children.ok()) return context.Fail(children.status());
      counties = *children;
    }
  }
  std::vector<Level> levels = {Level::LEVEL_SENIOR, Level::LEVEL_INTERMEDIATE, Level::LEVEL_JUNIOR};
  if (args.Has("level")) {
    std::optional<Level> level = ParseLevel(args.Get("level"));
    if (!level.has_value()) return context.Usage(absl::StrCat("--level: give one of ", LevelChoices()));
    levels = {*level};
  }
  int limit = 0;
  if (args.Has("top") && (!absl::SimpleAtoi(args.Get("top"), &limit) || limit < 1)) {
    return context.Usage("--top: give a positive number");
  }
  const bool machine = *format != Format::kText;
  Table table({{"county", "county"},
               {"level", "level"},
               {"rank", "rank", Align::kRight, true},
               {"employee_number", "工号"},
               {"display_name", "姓名"},
               {"composite", "composite", Align::kRight, true},
               {"percentile", "percentile", Align::kRight, true},
               {"employee", "employee"}});
  for (const pv1::OrgUnit& county : counties) {
    for (Level level : levels) {
      ev1::ListRankingsRequest request;
      request.set_cycle(cycle->name());
      request.set_county(county.name());
      request.set_level(level);
      request.set_page_size(limit > 0 ? std::min(limit, 1000) : 1000);
      std::vector<ev1::Ranking> rankings;
      do {
        ev1::ListRankingsResponse page;
        absl::Status status = services.Call(services.evaluation(), &ev1::EvaluationService::Stub::ListRankings,
                                            "EvaluationService.ListRankings", request, &page, 3.0);
        if (!status.ok()) return context.Fail(status);
        rankings.insert(rankings.end(), page.rankings().begin(), page.rankings().end());
        request.set_page_token(page.next_page_token());
      } while (!request.page_token().empty() && (limit == 0 || static_cast<int>(rankings.size()) < limit));
      if (limit > 0 && static_cast<int>(rankings.size()) > limit) rankings.resize(limit);
      std::vector<std::string> names;
      for (const auto& ranking : rankings) names.push_back(ranking.employee());
      absl::StatusOr<std::map<std::string, pv1::Employee>> people = GetEmployees(services, names);
      if (!people.ok()) return context.Fail(people.status());
      if (!machine && table.row_count() > 0 && !rankings.empty()) table.AddRule();
      for (const auto& ranking : rankings) {
        const pv1::Employee& who = (*people)[ranking.employee()];
        table.AddRow({machine ? county.name() : county.display_name(), LevelText(level, machine),
                      absl::StrCat(ranking.rank()), who.employee_number(), who.display_name(),
                      absl::StrFormat("%.1f", ranking.composite()), absl::StrFormat("%.1f", ranking.percentile()),
                      ranking.employee()});
      }
    }
  }
  if (!machine) {
    std::fprintf(context.out, "%s (%s), %s\n", cycle->display_name().c_str(), cycle->name().c_str(),
                 CycleStateText(cycle->state()).c_str());
  }
  Print(context, table, *format);
  return kExitOk;
}

}  // namespace

void RegisterEvaluationCommands() {
  Registry().push_back(
      Command{{"scorecards", "create"},
              "FILE.csv",
              1,
              1,
              "create a scorecard from a CSV of indicators",
              "FILE.csv has the columns 指标 (key: 1-32 of a-z, 0-9, _), 名称 (display name) and 权重\n"
              "(whole percent; the weights add up to 100). A scorecard of the same name and the same\n"
              "indicators is left as it is, so the command can be run again.",
              {{"name", "NAME", "the scorecard's name, e.g. 客户经理季度考核"},
               {"dry-run", "", "check the file and change nothing"}},
              CreateScorecard});
  Registry().push_back(Command{{"scorecards", "list"}, "", 0, 0, "the scorecards", "", {FormatFlag()}, ListScorecards});
  Registry().push_back(Command{{"cycles", "list"},
                               "",
                               0,
                               0,
                               "evaluation cycles with their state and counts",
                               "",
                               {FormatFlag(),
                                {"scope", "ORGUNIT", "only cycles of this org unit"},
                                {"state", "STATE", "open, in_review or finalized"}},
                               ListCycles});
  Registry().push_back(Command{{"cycles", "create"},
                               "",
                               0,
                               0,
                               "open an evaluation cycle",
                               "The cycle's participants are the customer managers of the scope holding a level now.\n"
                               "A cycle of the same name, dates and scorecard in the scope is left as it is.",
                               {{"name", "NAME", "e.g. 2026年第四季度"},
                                {"period", "PERIOD", "monthly, quarterly or annual", "", "quarterly"},
                                {"start", "DATE", "first day, YYYY-MM-DD"},
                                {"end", "DATE", "last day, YYYY-MM-DD"},
                                {"scorecard", "SCORECARD", "the scorecard's name or scorecards/N"},
                                {"scope", "ORGUNIT", "the city branch or a county"},
                                {"dry-run", "", "check and change nothing"}},
                               CreateCycle});
  Registry().push_back(Command{{"cycles", "review-start"},
                               "CYCLE",
                               1,
                               1,
                               "close scoring: OPEN -> IN_REVIEW",
                               "CYCLE is cycles/N or the cycle's name. A cycle already in review (or finalised) is\n"
                               "left as it is.",
                               {},
                               [](Context& c, const Args& a) { return MoveCycle(c, a, ev1::Cycle::STATE_IN_REVIEW); }});
  Registry().push_back(
      Command{{"cycles", "finalize"},
              "CYCLE",
              1,
              1,
              "make a cycle final: IN_REVIEW -> FINALIZED",
              "After this nothing in the cycle changes, and 'ladderctl review CYCLE' can propose the\n"
              "promotions, demotions and eliminations it calls for. Refused while a quality-inspection\n"
              "flag is open (exit status 1). A cycle already finalised is left as it is.",
              {},
              [](Context& c, const Args& a) { return MoveCycle(c, a, ev1::Cycle::STATE_FINALIZED); }});
  Registry().push_back(Command{{"rankings"},
                               "CYCLE",
                               1,
                               1,
                               "composite rankings per county and level",
                               "Ranks follow the composite, highest first; equal composites share a rank. The\n"
                               "percentile is the share of the ranked with a strictly lower composite.",
                               {FormatFlag(),
                                {"county", "COUNTY", "only this county (default: every county of the cycle)"},
                                {"level", "LEVEL", "only this level (default: 高级, 中级, 初级)"},
                                {"top", "N", "only the first N of each county and level"}},
                               Rankings});
}

}  // namespace ladder::ladderctl
