// changes watch [--cursor-file FILE] [--kind KIND]... [--county COUNTY] [--format text|json]
// changes export --month YYYY-MM [--county COUNTY] [--format csv|text|json]
//
// The personnel change feed from the command line: follow it (one line per change, resuming
// from a saved cursor), or export a month's level changes as the payroll sheet.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "google/protobuf/util/json_util.h"
#include "tools/ladderctl/cli.h"
#include "tools/ladderctl/names.h"
#include "tools/ladderctl/resolve.h"
#include "tools/ladderctl/table_printer.h"

namespace ladder::ladderctl {
namespace {

using Change = pv1::Change;

// A kind as given on the command line: "level_changed", "KIND_LEVEL_CHANGED".
std::optional<Change::Kind> KindOf(const std::string& text) {
  std::string name = absl::AsciiStrToUpper(text);
  if (!absl::StartsWith(name, "KIND_")) name = absl::StrCat("KIND_", name);
  Change::Kind kind;
  if (!Change::Kind_Parse(name, &kind) || kind == Change::KIND_UNSPECIFIED) return std::nullopt;
  return kind;
}

std::string KindChoices() {
  std::string choices;
  for (int k = 1; Change::Kind_IsValid(k); ++k) {
    absl::StrAppend(&choices, k == 1 ? "" : ", ",
                    absl::AsciiStrToLower(Change::Kind_Name(static_cast<Change::Kind>(k)).substr(5)));
  }
  return choices;
}

// The saved cursor, or "" when there is no file yet.
std::string ReadCursorFile(const std::string& path) {
  std::ifstream in(path);
  std::string cursor;
  std::getline(in, cursor);
  return std::string(absl::StripAsciiWhitespace(cursor));
}

// Written whole or not at all: a crash leaves the previous cursor, never half of one.
bool WriteCursorFile(const std::string& path, const std::string& cursor) {
  const std::string temporary = absl::StrCat(path, ".tmp");
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << cursor << "\n";
    out.flush();
    if (!out) return false;
  }
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

std::string ChangeLine(const Change& change, const std::map<std::string, std::string>& counties) {
  const pv1::Employee& e = change.employee_after();
  const auto county = [&](const std::string& name) {
    auto it = counties.find(name);
    return it == counties.end() ? name : it->second;
  };
  std::string line =
      absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(change.change_time().seconds()),
                                    absl::UTCTimeZone()),
                   "  ", absl::AsciiStrToLower(Change::Kind_Name(change.kind()).substr(5)), "  ", change.employee(),
                   " ", e.employee_number(), " ", e.display_name(), "  ", county(e.county()));
  if (change.has_level_change()) {
    const pv1::LevelChange& level = change.level_change();
    absl::StrAppend(&line, "  ", LevelText(level.from_level()), "→", LevelText(level.to_level()), " from ",
                    DateText(level.effective_date()));
    if (level.from_county() != level.to_county()) {
      absl::StrAppend(&line, "  ", county(level.from_county()), "→", county(level.to_county()));
    }
  }
  absl::StrAppend(&line, "  岗级 ", e.post_grade(), "  by ", change.actor());
  return line;
}

std::string ChangeJson(const Change& change) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(change, &json, options);
  return json;
}

int WatchChanges(Context& context, const Args& args) {
  const std::optional<Format> format = FormatOf(context, args);
  if (!format.has_value()) return kExitBadInput;
  if (*format == Format::kCsv) return context.Usage("--format: watch prints text or json (one object a line)");
  pv1::WatchChangesRequest request;
  for (const std::string& text : args.GetAll("kind")) {
    std::optional<Change::Kind> kind = KindOf(text);
    if (!kind.has_value()) return context.Usage(absl::StrCat("--kind: '", text, "' is not one of ", KindChoices()));
    request.add_kinds(*kind);
  }
  Clients& services = context.services();
  if (args.Has("county")) {
    absl::StatusOr<pv1::OrgUnit> county = ResolveOrgUnit(services, args.Get("county"));
    if (!county.ok()) return context.Fail(county.status());
    request.set_county(county->name());
  }
  int64_t max_changes = 0;
  if (args.Has("max-changes") && (!absl::SimpleAtoi(args.Get("max-changes"), &max_changes) || max_changes < 1)) {
    return context.Usage("--max-changes: a positive number");
  }
  const std::string cursor_file = args.Get("cursor-file");
  if (!cursor_file.empty()) request.set_cursor(ReadCursorFile(cursor_file));
  if (args.Has("cursor")) request.set_cursor(args.Get("cursor"));
  std::map<std::string, std::string> counties;
  if (*format == Format::kText) {
    absl::StatusOr<std::map<std::string, std::string>> names = OrgUnitNames(services);
    if (!names.ok()) return context.Fail(names.status());
    counties = *std::move(names);
  }

  // Follows until interrupted (or --max-changes): a broken stream is watched again from the
  // last cursor, after a pause that grows to 10 s while the service stays away.
  int64_t printed = 0;
  absl::Duration pause = absl::Milliseconds(250);
  while (true) {
    std::unique_ptr<grpc::ClientContext> call = services.Context();
    call->set_deadline(std::chrono::system_clock::time_point::max());
    auto stream = services.personnel().WatchChanges(call.get(), request);
    pv1::WatchChangesResponse message;
    while (stream->Read(&message)) {
      pause = absl::Milliseconds(250);
      for (const Change& change : message.changes()) {
        const std::string line = *format == Format::kJson ? ChangeJson(change) : ChangeLine(change, counties);
        std::fprintf(context.out, "%s\n", line.c_str());
        if (max_changes > 0 && ++printed >= max_changes) {
          std::fflush(context.out);
          if (!cursor_file.empty()) WriteCursorFile(cursor_file, change.cursor());
          call->TryCancel();
          return kExitOk;
        }
      }
      std::fflush(context.out);
      request.set_cursor(message.cursor());
      if (!cursor_file.empty() && !WriteCursorFile(cursor_file, message.cursor())) {
        context.Error(absl::StrCat("cannot write the cursor to ", cursor_file));
        call->TryCancel();
        return kExitFailed;
      }
    }
    const absl::Status status = FromGrpcStatus(stream->Finish());
    if (status.code() != absl::StatusCode::kUnavailable && status.code() != absl::StatusCode::kDeadlineExceeded) {
      if (ErrorReason(status).value_or("") == reason::kCursorExpired) {
        context.Error(
            "the saved cursor is older than the feed keeps: export the current state, then watch "
            "without a cursor (delete the cursor file)");
      }
      return context.Fail(status);
    }
    context.Note(absl::StrCat("the feed is unavailable (", status.message(), "); watching again in ",
                              absl::FormatDuration(pause)));
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(pause));
    pause = std::min(pause * 2, absl::Seconds(10));
  }
}

int ExportChanges(Context& context, const Args& args) {
  const std::optional<Format> format = FormatOf(context, args);
  if (!format.has_value()) return kExitBadInput;
  absl::CivilMonth month;
  if (!absl::ParseCivilTime(args.Get("month"), &month)) {
    return context.Usage(absl::StrCat("--month: '", args.Get("month"), "' is not a month (2026-11)"));
  }
  Clients& services = context.services();
  pv1::ListChangesRequest request;
  request.set_page_size(1000);
  // Every change that adds to the level history: that is what pay follows.
  for (Change::Kind kind : {Change::KIND_LEVEL_CHANGED, Change::KIND_EMPLOYEE_TRANSFERRED, Change::KIND_ROLE_CHANGED,
                            Change::KIND_EMPLOYMENT_ENDED}) {
    request.add_kinds(kind);
  }
  if (args.Has("county")) {
    absl::StatusOr<pv1::OrgUnit> county = ResolveOrgUnit(services, args.Get("county"));
    if (!county.ok()) return context.Fail(county.status());
    request.set_county(county->name());
  }
  absl::StatusOr<std::map<std::string, std::string>> counties = OrgUnitNames(services);
  if (!counties.ok()) return context.Fail(counties.status());

  const bool machine = *format != Format::kText;
  Table sheet({{"工号", "工号"},
               {"姓名", "姓名"},
               {"区县", "区县"},
               {"原级别", "原级别"},
               {"新级别", "新级别"},
               {"岗级", "岗级", Align::kRight, true},
               {"生效日期", "生效日期"},
               {"决定", "决定"}});
  while (true) {
    pv1::ListChangesResponse page;
    absl::Status status = services.Call(services.personnel(), &pv1::PersonnelService::Stub::ListChanges,
                                        "PersonnelService.ListChanges", request, &page);
    if (!status.ok()) return context.Fail(status);
    for (const Change& change : page.changes()) {
      if (!change.has_level_change()) continue;
      const pv1::LevelChange& level = change.level_change();
      const google::type::Date& day = level.effective_date();
      if (absl::CivilMonth(day.year(), day.month()) != month) continue;
      const pv1::Employee& e = change.employee_after();
      sheet.AddRow({e.employee_number(), e.display_name(), (*counties)[level.to_county()],
                    LevelText(level.from_level(), false), LevelText(level.to_level(), false),
                    absl::StrCat(e.post_grade()), DateText(day),
                    level.decision().empty() ? level.reason() : level.decision()});
    }
    request.set_cursor(page.next_cursor());
    if (page.changes_size() < request.page_size()) break;
  }
  if (*format == Format::kCsv) {
    // UTF-8 with a byte-order mark, as the imports read and Excel opens ("CSV UTF-8").
    std::fputs(absl::StrCat("\xEF\xBB\xBF", sheet.ToCsv()).c_str(), context.out);
  } else {
    std::fputs((*format == Format::kJson ? sheet.ToJson() : sheet.ToText()).c_str(), context.out);
  }
  if (!machine) std::fprintf(context.out, "%zu change%s\n", sheet.row_count(), sheet.row_count() == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace

void RegisterChangeCommands() {
  Registry().push_back(
      Command{{"changes", "watch"},
              "",
              0,
              0,
              "follow personnel's change feed, one line per change",
              absl::StrCat("Prints every change of an employee as it commits (levels, transfers, roles,\n"
                           "separations, new employees), until interrupted. With --cursor-file the cursor\n"
                           "after each message is saved there, and a later run resumes after it: nothing\n"
                           "is skipped or printed twice. When the service goes away the watch resumes by\n"
                           "itself. Kinds: ",
                           KindChoices(), "."),
              {FormatFlag(),
               {"cursor-file", "FILE", "resume from the cursor in FILE and keep it up to date"},
               {"cursor", "CURSOR", "start after this cursor (instead of the file's)"},
               {"kind", "KIND", "only this kind of change (repeatable)", "", "", true},
               {"county", "COUNTY", "only changes touching this county"},
               {"max-changes", "N", "stop after N changes"}},
              WatchChanges});
  Registry().push_back(
      Command{{"changes", "export"},
              "",
              0,
              0,
              "a month's level changes as the payroll sheet",
              "The changes of level history (levels, transfers, role changes, separations) whose\n"
              "effective date falls in --month, from the change feed: 工号, 姓名, 区县, 原级别,\n"
              "新级别, 岗级, 生效日期, 决定 (the decision, or the reason when there is none).\n"
              "--format csv writes UTF-8 with a byte-order mark, as the imports read.",
              {FormatFlag(), {"month", "YYYY-MM", "the month, e.g. 2026-11"}, {"county", "COUNTY", "only this county"}},
              ExportChanges});
}

}  // namespace ladder::ladderctl
