// eligibility EMPLOYEE, cases list|approve|reject, review CYCLE, review-status OPERATION.

#include <unistd.h>

#include <algorithm>
#include <map>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/status/macros.h"
#include "google/protobuf/util/json_util.h"
#include "tools/ladderctl/cli.h"
#include "tools/ladderctl/names.h"
#include "tools/ladderctl/progress.h"
#include "tools/ladderctl/request_ids.h"
#include "tools/ladderctl/resolve.h"
#include "tools/ladderctl/table_printer.h"

namespace ladder::ladderctl {
namespace {

std::string Json(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

// A request id for one run of a command: retries within the run are deduplicated, and a
// later run is a new request (ReviewCycle then reports what already exists).
std::string RunRequestId(absl::string_view kind) {
  std::random_device device;
  return RequestId(kind, "run", absl::StrCat(absl::ToUnixNanos(absl::Now()), "-", ::getpid(), "-", device()));
}

std::string Move(const cv1::Case& c) {
  if (c.kind() == cv1::Case::KIND_ELIMINATION) return absl::StrCat(LevelText(c.from_level()), " → 淘汰");
  if (c.kind() == cv1::Case::KIND_CAREER_MOVE) return absl::StrCat(LevelText(c.from_level()), " → 转岗");
  return absl::StrCat(LevelText(c.from_level()), " → ", LevelText(c.to_level()));
}

int Eligibility(Context& context, const Args& args) {
  const std::optional<Format> format = FormatOf(context, args);
  if (!format.has_value()) return kExitBadInput;
  Clients& services = context.services();
  std::vector<cv1::Target> targets = {cv1::TARGET_PROMOTION, cv1::TARGET_DEMOTION, cv1::TARGET_ELIMINATION};
  if (args.Has("target") && args.Get("target") != "all") {
    std::optional<cv1::Target> target = ParseTarget(args.Get("target"));
    if (!target.has_value()) {
      return context.Usage("--target: give promotion, demotion, elimination, career_move or all");
    }
    targets = {*target};
  }
  common::v1::CareerMoveTarget move = common::v1::CAREER_MOVE_TARGET_UNSPECIFIED;
  if (std::find(targets.begin(), targets.end(), cv1::TARGET_CAREER_MOVE) != targets.end()) {
    const std::string post = args.Get("post", "group_data_supervisor");
    if (!common::v1::CareerMoveTarget_Parse(absl::StrCat("CAREER_MOVE_TARGET_", absl::AsciiStrToUpper(post)), &move)) {
      return context.Usage("--post: give group_data_supervisor, branch_chief or other_post");
    }
  }
  absl::StatusOr<pv1::Employee> employee = ResolveEmployee(services, args.positional[0]);
  if (!employee.ok()) return context.Fail(employee.status());
  absl::StatusOr<std::map<std::string, std::string>> counties = OrgUnitNames(services);
  if (!counties.ok()) return context.Fail(counties.status());

  std::vector<cv1::Eligibility> results;
  for (cv1::Target target : targets) {
    cv1::CheckEligibilityRequest request;
    request.set_employee(employee->name());
    request.set_target(target);
    request.set_career_move_target(move);
    cv1::Eligibility eligibility;
    absl::Status status = services.Call(services.careerpath(), &cv1::CareerPathService::Stub::CheckEligibility,
                                        "CareerPathService.CheckEligibility", request, &eligibility, 2.0);
    if (!status.ok()) return context.Fail(status);
    results.push_back(std::move(eligibility));
  }
  if (*format == Format::kJson) {
    std::vector<std::string> parts;
    for (const auto& result : results) parts.push_back(Json(result));
    std::fprintf(context.out, "[%s]\n", absl::StrJoin(parts, ",\n ").c_str());
    return kExitOk;
  }
  const bool machine = *format == Format::kCsv;
  Table table({{"target", "target"},
               {"passed", "result"},
               {"rule", "rule"},
               {"requirement", "requirement"},
               {"evidence", "evidence"}});
  if (!machine) {
    std::fprintf(context.out, "%s (%s, %s), %s, %s%s — policy %s\n", employee->display_name().c_str(),
                 employee->employee_number().c_str(), employee->name().c_str(), (*counties)[employee->county()].c_str(),
                 employee->level() == Level::LEVEL_UNSPECIFIED ? "no level" : LevelText(employee->level()).c_str(),
                 employee->has_level_since() ? absl::StrCat(" since ", DateText(employee->level_since())).c_str() : "",
                 results.empty() ? "" : results[0].policy_version().c_str());
  }
  for (const cv1::Eligibility& result : results) {
    if (!machine) {
      std::string heading = TargetText(result.target());
      if (result.to_level() != Level::LEVEL_UNSPECIFIED) {
        absl::StrAppend(&heading, " → ", LevelText(result.to_level()));
      }
      std::fprintf(context.out, "\n%s: %s\n", heading.c_str(),
                   result.eligible() ? "ELIGIBLE (every rule passed)" : "not eligible");
      Table rules({{"passed", "result"}, {"rule", "rule"}, {"requirement", "requirement"}, {"evidence", "evidence"}});
      for (const cv1::RuleCheck& rule : result.rules()) {
        rules.AddRow({rule.passed() ? "pass" : "FAIL", rule.rule(), rule.requirement(), rule.evidence()});
      }
      std::fputs(rules.ToText().c_str(), context.out);
      continue;
    }
    for (const cv1::RuleCheck& rule : result.rules()) {
      table.AddRow({cv1::Target_Name(result.target()), rule.passed() ? "true" : "false", rule.rule(),
                    rule.requirement(), rule.evidence()});
    }
  }
  if (machine) std::fputs(table.ToCsv().c_str(), context.out);
  return kExitOk;
}

int ListCases(Context& context, const Args& args) {
  const std::optional<Format> format = FormatOf(context, args);
  if (!format.has_value()) return kExitBadInput;
  Clients& services = context.services();
  cv1::ListCasesRequest request;
  if (args.Has("state")) {
    std::optional<cv1::Case::State> state = ParseCaseState(args.Get("state"));
    if (!state.has_value()) {
      return context.Usage("--state: give proposed, approved, waiting_for_slot, applied, rejected or withdrawn");
    }
    request.set_state(*state);
  }
  if (args.Has("kind")) {
    std::optional<cv1::Case::Kind> kind = ParseCaseKind(args.Get("kind"));
    if (!kind.has_value()) return context.Usage("--kind: give promotion, demotion, elimination or career_move");
    request.set_kind(*kind);
  }
  if (args.Has("county")) {
    absl::StatusOr<pv1::OrgUnit> county = ResolveOrgUnit(services, args.Get("county"));
    if (!county.ok()) return context.Fail(county.status());
    request.set_county(county->name());
  }
  if (args.Has("cycle")) {
    absl::StatusOr<ev1::Cycle> cycle = ResolveCycle(services, args.Get("cycle"));
    if (!cycle.ok()) return context.Fail(cycle.status());
    request.set_cycle(cycle->name());
  }
  if (args.Has("employee")) {
    absl::StatusOr<pv1::Employee> employee = ResolveEmployee(services, args.Get("employee"));
    if (!employee.ok()) return context.Fail(employee.status());
    request.set_employee(employee->name());
  }
  absl::StatusOr<std::vector<cv1::Case>> cases = ListAllCases(services, request);
  if (!cases.ok()) return context.Fail(cases.status());
  std::vector<std::string> names;
  for (const cv1::Case& c : *cases) names.push_back(c.employee());
  absl::StatusOr<std::map<std::string, pv1::Employee>> people = GetEmployees(services, names);
  if (!people.ok()) return context.Fail(people.status());
  absl::StatusOr<std::map<std::string, std::string>> counties = OrgUnitNames(services);
  if (!counties.ok()) return context.Fail(counties.status());
  const bool machine = *format != Format::kText;
  Table table({{"name", "case"},
               {"kind", "kind"},
               {"employee_number", "工号"},
               {"display_name", "姓名"},
               {"county", "county"},
               {"move", "move"},
               {"state", "state"},
               {"waitlist_position", "waitlist", Align::kRight, true},
               {"cycle", "cycle"},
               {"state_reason", "why"}});
  for (const cv1::Case& c : *cases) {
    const pv1::Employee& who = (*people)[c.employee()];
    table.AddRow(
        {c.name(), CaseKindText(c.kind(), machine), who.employee_number(), who.display_name(),
         machine ? c.county() : (*counties)[c.county()],
         machine ? absl::StrCat(common::v1::Level_Name(c.from_level()), "->", common::v1::Level_Name(c.to_level()))
                 : Move(c),
         CaseStateText(c.state(), machine),
         c.waitlist_position() > 0 || machine ? absl::StrCat(c.waitlist_position()) : "", c.cycle(), c.state_reason()});
  }
  const std::string text = *format == Format::kJson  ? table.ToJson()
                           : *format == Format::kCsv ? table.ToCsv()
                                                     : table.ToText();
  std::fputs(text.c_str(), context.out);
  if (!machine) std::fprintf(context.out, "%zu case%s\n", cases->size(), cases->size() == 1 ? "" : "s");
  return kExitOk;
}

// Approves or rejects each case named; the exit status is the worst of them.
int DecideCases(Context& context, const Args& args, bool approve) {
  Clients& services = context.services();
  if (!approve && args.Get("reason").empty()) return context.Usage("--reason is required (why, 1-500 characters)");
  ExitCode worst = kExitOk;
  for (const std::string& text : args.positional) {
    cv1::GetCaseRequest get;
    get.set_name(CaseName(text));
    cv1::Case current;
    absl::Status status = services.Call(services.careerpath(), &cv1::CareerPathService::Stub::GetCase,
                                        "CareerPathService.GetCase", get, &current);
    if (!status.ok()) {
      worst = Worse(worst, static_cast<ExitCode>(context.Fail(status)));
      continue;
    }
    absl::StatusOr<pv1::Employee> who = ResolveEmployee(services, current.employee());
    const std::string person =
        who.ok() ? absl::StrCat(who->display_name(), " (", who->employee_number(), ")") : current.employee();
    if (approve && current.state() == cv1::Case::STATE_APPLIED) {
      std::fprintf(context.out, "%s: %s %s %s: applied already\n", current.name().c_str(),
                   CaseKindText(current.kind()).c_str(), person.c_str(), Move(current).c_str());
      continue;
    }
    cv1::Case decided;
    if (approve) {
      cv1::ApproveCaseRequest request;
      request.set_name(current.name());
      request.set_etag(current.etag());
      request.set_request_id(RequestId("approve", current.name().substr(6), current.etag()));
      status = services.Call(services.careerpath(), &cv1::CareerPathService::Stub::ApproveCase,
                             "CareerPathService.ApproveCase", request, &decided, 3.0);
    } else {
      cv1::RejectCaseRequest request;
      request.set_name(current.name());
      request.set_reason(args.Get("reason"));
      request.set_request_id(
          RequestId("reject", current.name().substr(6), absl::StrCat(current.etag(), "|", args.Get("reason"))));
      status = services.Call(services.careerpath(), &cv1::CareerPathService::Stub::RejectCase,
                             "CareerPathService.RejectCase", request, &decided);
    }
    if (!status.ok()) {
      context.Error(absl::StrCat(current.name(), " (", CaseKindText(current.kind()), " ", person, " ", Move(current),
                                 ", ", CaseStateText(current.state()), "): ", DescribeError(status)));
      worst = Worse(worst, ExitCodeFor(status));
      continue;
    }
    std::string outcome = CaseStateText(decided.state());
    if (decided.state() == cv1::Case::STATE_WAITING_FOR_SLOT) {
      absl::StrAppend(&outcome, ", position ", decided.waitlist_position(), " in the county's line");
    }
    if (!decided.state_reason().empty()) absl::StrAppend(&outcome, " — ", decided.state_reason());
    std::fprintf(context.out, "%s: %s %s %s: %s\n", decided.name().c_str(), CaseKindText(decided.kind()).c_str(),
                 person.c_str(), Move(decided).c_str(), outcome.c_str());
  }
  return worst;
}

// The review's progress and result, from its operation's metadata and response.
cv1::RunCycleReviewMetadata ReviewMetadata(const google::longrunning::Operation& operation) {
  cv1::RunCycleReviewMetadata metadata;
  operation.metadata().UnpackTo(&metadata);
  return metadata;
}

// How often a review being waited for is asked for its progress.
constexpr absl::Duration kReviewPoll = absl::Milliseconds(500);

absl::StatusOr<google::longrunning::Operation> GetOperation(Clients& services, const std::string& name) {
  google::longrunning::GetOperationRequest request;
  request.set_name(name);
  google::longrunning::Operation operation;
  LADDER_RETURN_IF_ERROR(services.Call(services.operations(), &google::longrunning::Operations::Stub::GetOperation,
                                       "Operations.GetOperation", request, &operation));
  return operation;
}

// Follows a running review until it is done, with a progress bar of its participants.
absl::StatusOr<google::longrunning::Operation> WaitForReview(Context& context,
                                                             google::longrunning::Operation operation) {
  const cv1::RunCycleReviewMetadata started = ReviewMetadata(operation);
  Progress progress(started.cycle(), started.participant_count(), context.progress, "participants");
  int64_t shown = 0;
  while (true) {
    const int64_t processed = ReviewMetadata(operation).processed_count();
    if (processed > shown) {
      progress.Advance(processed - shown);
      shown = processed;
    }
    if (operation.done()) break;
    absl::SleepFor(kReviewPoll);
    LADDER_ASSIGN_OR_RETURN(operation, GetOperation(context.services(), operation.name()));
  }
  progress.Finish();
  return operation;
}

// What a finished review made: the counts, and for a small review the cases themselves (the
// newest of the cycle are this review's).
int ReportReview(Context& context, const ev1::Cycle& cycle, const google::longrunning::Operation& operation) {
  if (operation.has_error()) {
    const absl::Status error(static_cast<absl::StatusCode>(operation.error().code()), operation.error().message());
    context.Error(absl::StrCat(operation.name(), " (review of ", cycle.display_name(), "): ", error.ToString()));
    return ExitCodeFor(error);
  }
  cv1::RunCycleReviewResponse result;
  operation.response().UnpackTo(&result);
  std::fprintf(context.out, "reviewed %d participants of %s (%s): %d cases created, %d there already (%s)\n",
               result.reviewed_count(), cycle.display_name().c_str(), cycle.name().c_str(), result.created_case_count(),
               result.existing_case_count(), operation.name().c_str());
  if (result.created_case_count() == 0) return kExitOk;
  constexpr int kListedAtMost = 50;
  if (result.created_case_count() > kListedAtMost) {
    std::fprintf(context.out, "List them: 'ladderctl cases list --cycle %s --state proposed'.\n", cycle.name().c_str());
    return kExitOk;
  }
  Clients& services = context.services();
  cv1::ListCasesRequest request;
  request.set_cycle(cycle.name());
  request.set_page_size(result.created_case_count());
  cv1::ListCasesResponse cases;
  if (absl::Status status = services.Call(services.careerpath(), &cv1::CareerPathService::Stub::ListCases,
                                          "CareerPathService.ListCases", request, &cases);
      !status.ok()) {
    return context.Fail(status);
  }
  std::vector<std::string> names;
  for (const cv1::Case& c : cases.cases()) names.push_back(c.employee());
  absl::StatusOr<std::map<std::string, pv1::Employee>> people = GetEmployees(services, names);
  if (!people.ok()) return context.Fail(people.status());
  absl::StatusOr<std::map<std::string, std::string>> counties = OrgUnitNames(services);
  if (!counties.ok()) return context.Fail(counties.status());
  Table table({{"name", "case"},
               {"kind", "kind"},
               {"employee_number", "工号"},
               {"display_name", "姓名"},
               {"county", "county"},
               {"move", "move"}});
  for (const cv1::Case& c : cases.cases()) {
    const pv1::Employee& who = (*people)[c.employee()];
    table.AddRow({c.name(), CaseKindText(c.kind()), who.employee_number(), who.display_name(), (*counties)[c.county()],
                  Move(c)});
  }
  std::fputs(table.ToText().c_str(), context.out);
  std::fprintf(context.out,
               "Next: 'ladderctl cases list --state proposed', 'ladderctl eligibility 工号', "
               "'ladderctl cases approve cases/N'.\n");
  return kExitOk;
}

int Review(Context& context, const Args& args) {
  Clients& services = context.services();
  absl::StatusOr<ev1::Cycle> cycle = ResolveCycle(services, args.positional[0]);
  if (!cycle.ok()) return context.Fail(cycle.status());
  cv1::RunCycleReviewRequest request;
  request.set_cycle(cycle->name());
  request.set_request_id(RunRequestId("review"));
  google::longrunning::Operation operation;
  absl::Status status = services.Call(services.careerpath(), &cv1::CareerPathService::Stub::RunCycleReview,
                                      "CareerPathService.RunCycleReview", request, &operation);
  if (!status.ok()) return context.Fail(status);
  if (args.Has("detach")) {
    std::fprintf(context.out, "review of %s (%s) started: %s\nFollow it: 'ladderctl review-status %s'.\n",
                 cycle->display_name().c_str(), cycle->name().c_str(), operation.name().c_str(),
                 operation.name().c_str());
    return kExitOk;
  }
  absl::StatusOr<google::longrunning::Operation> done = WaitForReview(context, std::move(operation));
  if (!done.ok()) return context.Fail(done.status());
  return ReportReview(context, *cycle, *done);
}

// A review started before (with --detach, or by another client): its progress now, or with
// --wait its end.
int ReviewStatus(Context& context, const Args& args) {
  Clients& services = context.services();
  std::string name = args.positional[0];
  if (!absl::StartsWith(name, "operations/")) name = absl::StrCat("operations/", name);
  absl::StatusOr<google::longrunning::Operation> operation = GetOperation(services, name);
  if (!operation.ok()) return context.Fail(operation.status());
  if (args.Has("cancel")) {
    google::longrunning::CancelOperationRequest cancel;
    cancel.set_name(name);
    google::protobuf::Empty empty;
    if (absl::Status status =
            services.Call(services.operations(), &google::longrunning::Operations::Stub::CancelOperation,
                          "Operations.CancelOperation", cancel, &empty);
        !status.ok()) {
      return context.Fail(status);
    }
  }
  if (args.Has("wait") || args.Has("cancel")) {
    operation = WaitForReview(context, *std::move(operation));
    if (!operation.ok()) return context.Fail(operation.status());
  }
  const cv1::RunCycleReviewMetadata metadata = ReviewMetadata(*operation);
  absl::StatusOr<ev1::Cycle> cycle = ResolveCycle(services, metadata.cycle());
  if (!cycle.ok()) return context.Fail(cycle.status());
  if (operation->done()) return ReportReview(context, *cycle, *operation);
  std::fprintf(context.out, "%s: review of %s (%s) running: %d of %d participants, %d cases created%s\n", name.c_str(),
               cycle->display_name().c_str(), cycle->name().c_str(), metadata.processed_count(),
               metadata.participant_count(), metadata.created_case_count(),
               metadata.cancel_requested() ? ", stopping (cancel asked for)" : "");
  return kExitOk;
}

}  // namespace

void RegisterCareerPathCommands() {
  Registry().push_back(
      Command{{"eligibility"},
              "EMPLOYEE",
              1,
              1,
              "the rules for promotion, demotion, elimination, explained",
              "EMPLOYEE is an employee number (工号) or employees/N. Every rule of the policy in force\n"
              "is listed with the facts it was judged on, against today's data.",
              {FormatFlag(),
               {"target", "TARGET", "promotion, demotion, elimination, career_move or all", "", "all"},
               {"post", "POST", "for career_move: group_data_supervisor, branch_chief or other_post"}},
              Eligibility});
  Registry().push_back(
      Command{{"cases", "list"},
              "",
              0,
              0,
              "promotion, demotion, elimination and career-move cases",
              "Newest first; with --state waiting_for_slot and --county, in waitlist order.",
              {FormatFlag(),
               {"state", "STATE", "proposed, approved, waiting_for_slot, applied, rejected, withdrawn"},
               {"kind", "KIND", "promotion, demotion, elimination or career_move"},
               {"county", "COUNTY", "only this county"},
               {"cycle", "CYCLE", "only the cases of this cycle's review"},
               {"employee", "EMPLOYEE", "only this employee (工号 or employees/N)"}},
              ListCases});
  Registry().push_back(
      Command{{"cases", "approve"},
              "CASE...",
              1,
              -1,
              "approve cases: re-checked, then applied",
              "CASE is cases/N or N. Each case's eligibility is checked again against today's facts;\n"
              "then it is applied in personnel (once, whatever is retried), or, for a senior promotion\n"
              "without a free slot, it waits in the county's line (等待名额). A case no longer\n"
              "eligible, or not in a state to approve, is refused: exit status 1. A case applied\n"
              "already is reported as such.",
              {},
              [](Context& c, const Args& a) { return DecideCases(c, a, true); }});
  Registry().push_back(Command{{"cases", "reject"},
                               "CASE...",
                               1,
                               -1,
                               "reject proposed or waiting cases",
                               "",
                               {{"reason", "TEXT", "why, 1-500 characters (required)"}},
                               [](Context& c, const Args& a) { return DecideCases(c, a, false); }});
  Registry().push_back(
      Command{{"review"},
              "CYCLE",
              1,
              1,
              "propose the cases a finalised cycle calls for",
              "CYCLE is cycles/N or the cycle's name. Creates the promotion, demotion and elimination\n"
              "cases, each with its evidence; running it again creates nothing new. The review runs on\n"
              "the server (a long-running operation, a batch of participants at a time): ladderctl\n"
              "shows its progress and waits for it, or with --detach leaves it running and prints its\n"
              "name for 'ladderctl review-status'. Interrupting ladderctl does not stop the review.",
              {{"detach", "", "start the review and return at once"}},
              Review});
  Registry().push_back(Command{{"review-status"},
                               "OPERATION",
                               1,
                               1,
                               "the progress or result of a review",
                               "OPERATION is operations/N (or N), as 'ladderctl review --detach' printed it.",
                               {{"wait", "", "wait until the review is done, with its progress"},
                                {"cancel", "", "stop the review before its next batch, and wait for it to stop"}},
                               ReviewStatus});
}

}  // namespace ladder::ladderctl
