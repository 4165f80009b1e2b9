// ladder_seed: loads the demo city branch (衢州分公司, its six counties, their teams and a few
// hundred customer managers with a level history) through the PersonnelService API.
//
//   ladder_seed [--personnel=127.0.0.1:50051] [--seed=1] [--deadline=10s]
//               [--ca=FILE] [--token=JWT | --token_file=FILE] [--insecure_plaintext]
//
// Calls go over TLS verified against --ca [LADDER_TLS_CA] with a bearer token [LADDER_TOKEN]
// of a role that may create (HR_ADMIN); --insecure_plaintext only reaches servers started
// with it.
//
// Deterministic for a seed and idempotent: a second run finds everything in place and
// creates nothing. Ends with each county's head counts against its senior cap, as the
// service reports them. Exit status: 0 done, 1 a call failed unexpectedly (the call, its
// code and message are printed), 2 bad usage.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status/macros.h"
#include "common/time/dates.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "ladder/careerpath/v1/careerpath_service.grpc.pb.h"
#include "tools/common/channel_credentials.h"
#include "tools/common/command_line.h"
#include "tools/seed/branch_loader.h"
#include "tools/seed/demo_branch.h"
#include "tools/seed/evaluation_loader.h"
#include "tools/seed/personnel_client.h"

ABSL_FLAG(std::string, personnel, "127.0.0.1:50051", "host:port of the PersonnelService");
ABSL_FLAG(uint64_t, seed, 1, "seed of the generator: the same seed gives the same branch and the same request ids");
ABSL_FLAG(absl::Duration, deadline, absl::Seconds(10), "deadline of each call");
ABSL_FLAG(std::string, evaluation, "",
          "host:port of the EvaluationService; when set, also loads scorecards and cycles");
ABSL_FLAG(std::string, careerpath, "",
          "host:port of the CareerPathService; when set (with --evaluation), reviews the last "
          "finalised quarter so that cases are open");
ABSL_FLAG(std::string, ca, "",
          "PEM CA bundle to verify the servers with [LADDER_TLS_CA]; empty: gRPC's default "
          "roots");
ABSL_FLAG(std::string, token, "", "bearer token (JWT) sent with every call [LADDER_TOKEN]");
ABSL_FLAG(std::string, token_file, "", "file holding the bearer token; wins over --token");
ABSL_FLAG(bool, insecure_plaintext, false,
          "no TLS and no token, for servers started with --insecure_plaintext "
          "[LADDER_INSECURE_PLAINTEXT]");

namespace ladder::seed {
namespace {

constexpr char kActor[] = "seed";

// Columns of a county's name: CJK characters take two, as a terminal shows them.
int DisplayWidth(absl::string_view text) {
  int width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) == 0x80) continue;  // A continuation byte.
    width += c < 0x80 ? 1 : 2;
  }
  return width;
}

std::string PadRight(absl::string_view text, int width) {
  return absl::StrCat(text, std::string(std::max(0, width - DisplayWidth(text)), ' '));
}

struct Row {
  int levelled = 0;
  int juniors = 0;
  int intermediates = 0;
  int seniors = 0;
  int senior_cap = 0;
  int free_slots = 0;
  int on_trial = 0;
  int awaiting = 0;
  int separated = 0;
  int employees = 0;

  void Add(const Row& other) {
    levelled += other.levelled;
    juniors += other.juniors;
    intermediates += other.intermediates;
    seniors += other.seniors;
    senior_cap += other.senior_cap;
    free_slots += other.free_slots;
    on_trial += other.on_trial;
    awaiting += other.awaiting;
    separated += other.separated;
    employees += other.employees;
  }
};

void PrintRow(absl::string_view label, const Row& row, absl::string_view note) {
  absl::PrintF("%s %4d %6d %12d %6d %4d %4d %8d %8d %9d %9d%s\n", PadRight(label, 8), row.levelled, row.juniors,
               row.intermediates, row.seniors, row.senior_cap, row.free_slots, row.on_trial, row.awaiting,
               row.separated, row.employees, note);
}

double Percent(int part, int whole) { return whole == 0 ? 0.0 : 100.0 * part / whole; }

absl::Status PrintSummary(PersonnelClient& client, const BranchLoader& loader, absl::Duration elapsed) {
  absl::PrintF("\n%s (%s), %d counties\n", "衢州分公司", loader.branch_name(), loader.counties().size());
  absl::PrintF("%s %4s %6s %12s %6s %4s %4s %8s %8s %9s %9s\n", PadRight("county", 8), "N", "junior", "intermediate",
               "senior", "cap", "free", "on_trial", "awaiting", "separated", "employees");
  Row total;
  std::string policy_version;
  for (const LoadedCounty& county : loader.counties()) {
    v1::GetCountyQuotaRequest request;
    request.set_name(absl::StrCat(county.name, "/quota"));
    LADDER_ASSIGN_OR_RETURN(const v1::CountyQuota quota, client.GetCountyQuota(request));
    v1::ListEmployeesRequest list;
    list.set_county(county.name);
    LADDER_ASSIGN_OR_RETURN(const std::vector<v1::Employee> employees, client.ListAllEmployees(list));
    Row row;
    row.levelled = quota.levelled_customer_managers();
    for (const v1::CountyQuota::LevelQuota& level : quota.levels()) {
      if (level.level() == Level::LEVEL_JUNIOR) row.juniors = level.head_count();
      if (level.level() == Level::LEVEL_INTERMEDIATE) row.intermediates = level.head_count();
      if (level.level() == Level::LEVEL_SENIOR) row.seniors = level.head_count();
    }
    row.senior_cap = quota.senior_cap();
    row.free_slots = quota.free_senior_slots();
    row.on_trial = quota.on_trial();
    row.awaiting = quota.awaiting_level();
    row.employees = static_cast<int>(employees.size());
    for (const v1::Employee& employee : employees) {
      if (employee.status() == v1::EMPLOYMENT_STATUS_SEPARATED) ++row.separated;
    }
    const char* note = quota.over_cap() ? "  OVER CAP" : row.free_slots == 0 ? "  at cap" : "";
    PrintRow(county.display_name, row, note);
    total.Add(row);
    policy_version = quota.policy_version();
  }
  PrintRow("total", total, "");
  absl::PrintF("mix of N (policy %s): junior %.1f%%, intermediate %.1f%%, senior %.1f%%\n", policy_version,
               Percent(total.juniors, total.levelled), Percent(total.intermediates, total.levelled),
               Percent(total.seniors, total.levelled));

  const LoadStats& s = loader.stats();
  absl::PrintF(
      "this run: created %d org units, %d teams, %d employees; %d team supervisors set; "
      "%d initial levels, %d to intermediate, %d to senior; %d resigned; "
      "%d senior promotions refused at the cap (expected); took %s\n",
      s.org_units_created, s.teams_created, s.employees_created, s.supervisors_set, s.initial_levels,
      s.promotions_to_intermediate, s.promotions_to_senior, s.separations, s.cap_refusals,
      absl::FormatDuration(absl::Trunc(elapsed, absl::Milliseconds(10))));
  return absl::OkStatus();
}

// Reviews the cycle so the demo has open cases; idempotent like every review.
absl::Status ReviewCycle(const std::shared_ptr<grpc::ChannelCredentials>& credentials, const std::string& careerpath,
                         const std::string& cycle, uint64_t seed, absl::Duration deadline) {
  auto stub = careerpath::v1::CareerPathService::NewStub(grpc::CreateChannel(careerpath, credentials));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(deadline * 12));
  context.AddMetadata("x-ladder-actor", kActor);
  careerpath::v1::ReviewCycleRequest request;
  request.set_cycle(cycle);
  request.set_request_id(absl::StrCat("seed", seed, "-review-", cycle));
  careerpath::v1::ReviewCycleResponse response;
  grpc::Status status = stub->ReviewCycle(&context, request, &response);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("ReviewCycle ", cycle, " failed: ", status.error_code(), " ", status.error_message()));
  }
  absl::PrintF("careerpath: reviewed %d participants of %s; %d cases created, %d already there\n",
               response.reviewed_count(), cycle, response.created_cases_size(), response.existing_case_count());
  return absl::OkStatus();
}

int Run(const std::shared_ptr<grpc::ChannelCredentials>& credentials, const std::string& target,
        const std::string& evaluation, const std::string& careerpath, uint64_t seed, absl::Duration deadline) {
  const absl::CivilDay today = TodayInBranch();
  const PlannedBranch plan = PlanDemoBranch(seed, today);
  PersonnelClient client(grpc::CreateChannel(target, credentials), deadline, kActor);
  BranchLoader loader(client, plan, seed, today);
  absl::PrintF("loading the demo branch into %s (seed %d, today %s in UTC+8)\n", target, seed, ToSqlDate(today));
  const absl::Time start = absl::Now();
  absl::Status status = loader.Load();
  if (status.ok()) status = PrintSummary(client, loader, absl::Now() - start);
  if (status.ok() && !evaluation.empty()) {
    EvaluationLoader cycles(grpc::CreateChannel(evaluation, credentials), deadline, seed, loader.branch_name());
    status = cycles.Load();
    if (status.ok()) {
      absl::PrintF("evaluation: created %d cycles, wrote %d scores, finalised %d cycles\n",
                   cycles.stats().cycles_created, cycles.stats().scores_written, cycles.stats().cycles_finalized);
    }
    if (status.ok() && !careerpath.empty()) {
      status = ReviewCycle(credentials, careerpath, cycles.latest_finalized_cycle(), seed, deadline);
    }
  }
  if (!status.ok()) {
    std::fprintf(stderr, "ladder_seed: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace ladder::seed

int main(int argc, char** argv) {
  constexpr char kUsage[] =
      "ladder_seed [--personnel=host:port] [--evaluation=host:port] [--careerpath=host:port] "
      "[--seed=N] [--deadline=10s] [--ca=FILE] [--token=JWT | --token_file=FILE] "
      "[--insecure_plaintext]";
  absl::SetProgramUsageMessage(
      absl::StrCat("Loads the demo city branch 衢州分公司 through the PersonnelService API; safe to re-run.\n"
                   "Calls go over TLS (--ca) with a bearer token (--token, --token_file or LADDER_TOKEN).\n"
                   "Exit status: 0 done, 1 a call failed unexpectedly, 2 bad usage.\n  ",
                   kUsage));
  ladder::tools::ApplyEnvironmentOrExit(
      {{"LADDER_TLS_CA", "ca"}, {"LADDER_TOKEN", "token"}, {"LADDER_INSECURE_PLAINTEXT", "insecure_plaintext"}});
  ladder::tools::ParseCommandLineOrExit(argc, argv, kUsage);
  const std::string target = absl::GetFlag(FLAGS_personnel);
  const absl::Duration deadline = absl::GetFlag(FLAGS_deadline);
  if (target.empty()) return ladder::tools::UsageError("--personnel is required", kUsage);
  if (deadline <= absl::ZeroDuration() || deadline == absl::InfiniteDuration()) {
    return ladder::tools::UsageError("--deadline must be a positive, finite duration such as 10s", kUsage);
  }
  ladder::tools::TransportOptions transport;
  transport.insecure_plaintext = absl::GetFlag(FLAGS_insecure_plaintext);
  transport.ca_file = absl::GetFlag(FLAGS_ca);
  transport.token = absl::GetFlag(FLAGS_token);
  if (absl::Status read = ladder::tools::ApplyTokenFile(absl::GetFlag(FLAGS_token_file), transport); !read.ok()) {
    return ladder::tools::UsageError(read.message(), kUsage);
  }
  const absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ladder::tools::ChannelCredentialsFor(transport);
  if (!credentials.ok()) {
    return ladder::tools::UsageError(credentials.status().message(), kUsage);
  }
  return ladder::seed::Run(*credentials, target, absl::GetFlag(FLAGS_evaluation), absl::GetFlag(FLAGS_careerpath),
                           absl::GetFlag(FLAGS_seed), deadline);
}
