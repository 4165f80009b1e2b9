// ladder_bench: what Ladder costs beyond the gRPC round trip and the database work it must
// do, measured side by side in one run and reported as ratios (absolute figures drift on a
// shared machine; ratios measured together hold).
//
//   scripts/bench.sh            the full run (a private MariaDB, pinning, bench/RESULTS.md)
//   scripts/bench.sh --smoke    seconds; part of the test suite (ctest -L bench)
//
// The program itself needs a MariaDB (LADDER_TEST_MYSQL_SOCKET, user ladder/ladder, as
// scripts/test.sh and scripts/bench.sh provide) and the built servers. It loads a
// province-sized branch (100 counties × 1,000 customer managers) and a cycle straight into
// scratch databases, runs personnel_server, evaluation_server, careerpath_server and the
// echo baseline as processes of their own, and measures:
//   1 GetEmployee           QPS against L = 1/(1/E + 1/D): E the echo server (the same
//                           bootstrap, no database), D the query through the same pool
//   2 ListEmployees         a page of 100 in one county, against its query
//   3 ImportScores          100,000 rows, against the same rows upserted in batches
//   4 GetDistributionReport the whole branch, latency against the aggregate queries
//   5 senior promotions     32 clients in one county: throughput, p99, cap violations
//   6 statements per call   from the server's Questions / Com_stmt_* counters
//   7 memory                resident size of each server idle and after the load
//   9 beside a slow reader  GetEmployee alone and beside one caller's unread calls
//  10 sync vs callback API  the echo baseline served both ways: throughput, CPU per call,
//                           and threads and memory beside a slow reader
// Baselines and services run interleaved, in rounds, with the same concurrency, and the
// same CPU placement (--client_cpu, --server_cpu; the database is pinned by the script).
// Everything runs as in production (bench/security.h): the servers, echo included, serve
// TLS with certificates of the development PKI (--pki_dir) and verify a bearer token on
// every call; the load generator's channels verify them against its CA and send an
// HR_ADMIN token minted once at start. The raw-query baselines talk to MariaDB as before.

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/dataset.h"
#include "bench/h2load.h"
#include "bench/import_scores.h"
#include "bench/load.h"
#include "bench/processes.h"
#include "bench/security.h"
#include "common/db/connection_pool.h"
#include "common/db/sql_error.h"
#include "common/db/transaction.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "cppconn/exception.h"
#include "cppconn/resultset.h"
#include "google/protobuf/empty.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "ladder/bench/v1/echo.grpc.pb.h"
#include "ladder/careerpath/v1/careerpath_service.grpc.pb.h"
#include "ladder/evaluation/v1/evaluation_service.grpc.pb.h"
#include "ladder/personnel/v1/personnel_service.grpc.pb.h"
#include "services/careerpath/migrations.h"
#include "services/evaluation/migrations.h"
#include "services/personnel/migrations.h"
#include "services/personnel/personnel_rows.h"
#include "spdlog/spdlog.h"
#include "tests/support/test_database.h"

ABSL_FLAG(bool, smoke, false,
          "a seconds-long run on a small branch that checks the benchmark works; its figures "
          "mean nothing");
ABSL_FLAG(int, counties, 100, "counties of the branch");
ABSL_FLAG(int, managers_per_county, 1000, "customer managers per county");
ABSL_FLAG(int, concurrency, 16, "calls in flight for GetEmployee and ListEmployees");
ABSL_FLAG(int, promotion_clients, 32, "concurrent clients promoting in one county");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1), "warm-up before each measured window");
ABSL_FLAG(absl::Duration, window, absl::Seconds(4), "each measured window");
ABSL_FLAG(int, max_calls_per_person, 64,
          "the servers' --max_calls_per_person: twice the most calls any scenario keeps in "
          "flight (a finished call is counted until gRPC has let it go); 0 turns the limit "
          "off, for an A/B of its cost");
ABSL_FLAG(int, rounds, 3, "rounds of service and baselines, interleaved");
ABSL_FLAG(int, import_rows, 100000, "rows per ImportScores run (a multiple of 250)");
ABSL_FLAG(int, import_runs, 3, "runs of each side of ImportScores; the median counts");
ABSL_FLAG(int, report_calls, 20, "GetDistributionReport calls per round (one at a time)");
ABSL_FLAG(int, statement_calls, 2000, "calls counted for statements per call");
ABSL_FLAG(int, client_cpu, -1, "pin this program to the CPU (-1: no pinning)");
ABSL_FLAG(int, server_cpu, -1, "pin the servers to the CPU (-1: no pinning)");
ABSL_FLAG(std::string, build_dir, "",
          "the CMake build directory holding the servers (default: the one of this program)");
ABSL_FLAG(std::string, policy_dir, "config/policy", "policy directory for the servers");
ABSL_FLAG(std::string, pki_dir, "",
          "the development PKI (scripts/lib/dev-pki.sh) the servers and the load generator "
          "use (default: $LADDER_TEST_PKI_DIR)");
ABSL_FLAG(std::string, log_dir, "", "where the servers' logs go (default: a new /tmp directory)");
ABSL_FLAG(std::string, markdown, "", "also write the results table in Markdown to this file");
ABSL_FLAG(std::string, try_personnel_sql, "",
          "a statement run on the personnel database after the data is loaded, to measure a "
          "schema change (an index) before writing its migration");
ABSL_FLAG(std::vector<std::string>, only, {}, "run only these scenarios, e.g. --only=1,2 (for profiling one of them)");

namespace ladder::bench {
namespace {

namespace pv1 = ::ladder::personnel::v1;
namespace ev1 = ::ladder::evaluation::v1;
namespace cv1 = ::ladder::careerpath::v1;
namespace bv1 = ::ladder::bench::v1;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "ladder_bench: %s\n", what.c_str());
  std::fflush(stdout);
  std::exit(1);
}

template <typename T>
T Must(absl::StatusOr<T> value, const std::string& what) {
  if (!value.ok()) Fail(absl::StrCat(what, ": ", value.status().ToString()));
  return *std::move(value);
}

void Must(const absl::Status& status, const std::string& what) {
  if (!status.ok()) Fail(absl::StrCat(what, ": ", status.ToString()));
}

void Say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

std::string GrpcError(const grpc::Status& status) {
  return absl::StrCat("code ", static_cast<int>(status.error_code()), ": ", status.error_message());
}

double Mib(int64_t kib) { return kib / 1024.0; }

// ---------------------------------------------------------------------------------------
// gRPC load: one unary call in flight per slot.

template <typename Request, typename Response>
class UnarySlot final : public Slot {
 public:
  using Call = std::function<void(grpc::ClientContext*, const Request*, Response*, std::function<void(grpc::Status)>)>;
  // Fills the next request; false when there is no more work.
  using Fill = std::function<bool(Request&, std::mt19937_64&)>;
  // Whether a completed call counts as done right (refusals can be expected outcomes).
  using Judge = std::function<bool(const grpc::Status&, const Response&, std::string* error)>;

  UnarySlot(Call call, Fill fill, Judge judge, uint64_t seed)
      : call_(std::move(call)), fill_(std::move(fill)), judge_(std::move(judge)), random_(seed) {}

 protected:
  bool Start() override {
    request_.Clear();
    if (!fill_(request_, random_)) return false;
    response_.Clear();
    // A context serves one call; the previous one is finished with.
    context_ = std::make_unique<grpc::ClientContext>();
    context_->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    call_(context_.get(), &request_, &response_, [this](grpc::Status status) {
      std::string error;
      const bool ok = judge_ ? judge_(status, response_, &error) : status.ok();
      if (!ok && error.empty()) error = GrpcError(status);
      Done(ok, error);
    });
    return true;
  }

 private:
  Call call_;
  Fill fill_;
  Judge judge_;
  std::mt19937_64 random_;
  Request request_;
  Response response_;
  std::unique_ptr<grpc::ClientContext> context_;
};

template <typename Request, typename Response>
Result RunUnary(const RunOptions& options, typename UnarySlot<Request, Response>::Call call,
                typename UnarySlot<Request, Response>::Fill fill,
                typename UnarySlot<Request, Response>::Judge judge = nullptr) {
  std::vector<std::unique_ptr<Slot>> slots;
  for (int i = 0; i < options.concurrency; ++i) {
    slots.push_back(std::make_unique<UnarySlot<Request, Response>>(call, fill, judge, 1000 + i));
  }
  return RunCallbacks(options, slots);
}

// ---------------------------------------------------------------------------------------
// The server's statement counters.

struct Counters {
  int64_t questions = 0;
  int64_t prepares = 0;
  int64_t executes = 0;

  Counters operator-(const Counters& other) const {
    return {questions - other.questions, prepares - other.prepares, executes - other.executes};
  }
};

// Reads the global counters on a session of its own and knows what reading costs, so that
// the difference between two reads is the statements others sent in between.
class CounterProbe {
 public:
  explicit CounterProbe(const db::DatabaseOptions& options) {
    connection_ = Must(db::Connection::Open(options), "opening the counter session");
    Read();  // prepares the statement once
    const Counters first = Read();
    cost_ = Read() - first;
  }

  Counters Read() {
    Counters counters;
    try {
      std::unique_ptr<sql::ResultSet> rows(connection_
                                               ->Prepare("SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', "
                                                         "'Com_stmt_prepare', 'Com_stmt_execute')")
                                               .executeQuery());
      while (rows->next()) {
        const std::string name = std::string(rows->getString(1));
        const int64_t value = rows->getInt64(2);
        if (name == "Questions") counters.questions = value;
        if (name == "Com_stmt_prepare") counters.prepares = value;
        if (name == "Com_stmt_execute") counters.executes = value;
      }
    } catch (const sql::SQLException& e) {
      Fail(absl::StrCat("reading the server's status counters: ", e.what()));
    }
    return counters;
  }

  // What others sent between `before` and a read now.
  Counters Since(const Counters& before) { return Read() - before - cost_; }

 private:
  std::unique_ptr<db::Connection> connection_;
  Counters cost_;
};

// ---------------------------------------------------------------------------------------
// The results table.

struct Row {
  std::string number;
  std::string scenario;
  std::string service;
  std::string baseline;
  std::string ratio;
  std::string target;
  std::optional<bool> met;  // nullopt: nothing to judge
};

std::string Verdict(const Row& row) {
  if (!row.met.has_value()) return "";
  return *row.met ? "met" : "NOT MET";
}

size_t Width(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) width += (c & 0xC0) != 0x80;  // code points
  return width;
}

std::string TextTable(const std::vector<Row>& rows) {
  std::vector<std::vector<std::string>> cells = {{"#", "scenario", "service", "baseline", "ratio", "target", ""}};
  for (const Row& row : rows) {
    cells.push_back({row.number, row.scenario, row.service, row.baseline, row.ratio, row.target, Verdict(row)});
  }
  std::vector<size_t> widths(7, 0);
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], Width(line[i]));
  }
  std::string text;
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size(); ++i) {
      absl::StrAppend(&text, line[i], std::string(widths[i] - Width(line[i]) + 2, ' '));
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    text += "\n";
  }
  return text;
}

std::string MarkdownTable(const std::vector<Row>& rows) {
  std::string text =
      "| # | scenario | service | baseline | ratio | target | |\n"
      "|---|---|---|---|---|---|---|\n";
  for (const Row& row : rows) {
    absl::StrAppend(&text, "| ", row.number, " | ", row.scenario, " | ", row.service, " | ", row.baseline, " | ",
                    row.ratio, " | ", row.target, " | ", row.met.has_value() ? (*row.met ? "met" : "**not met**") : "",
                    " |\n");
  }
  return text;
}

// ---------------------------------------------------------------------------------------

struct Settings {
  bool smoke = false;
  BranchShape shape;
  int concurrency = 16;
  int promotion_clients = 32;
  RunOptions window;
  int rounds = 3;
  int import_rows = 100000;
  int import_runs = 1;
  int report_calls = 20;
  int statement_calls = 2000;
  int client_cpu = -1;
  int server_cpu = -1;
  std::string build_dir;
  std::string policy_dir;
  std::string pki_dir;
  std::string log_dir;
  std::string markdown;
  std::vector<std::string> only;
  std::string try_personnel_sql;
  int max_calls_per_person = 64;

  bool Runs(const std::string& scenario) const {
    return only.empty() || std::find(only.begin(), only.end(), scenario) != only.end();
  }
};

std::string DirectoryOf(const std::string& path) { return path.substr(0, path.rfind('/')); }

std::string Absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[4096];
  if (getcwd(cwd, sizeof(cwd)) == nullptr) return path;
  return absl::StrCat(cwd, "/", path);
}

Settings ReadSettings() {
  Settings s;
  s.smoke = absl::GetFlag(FLAGS_smoke);
  s.shape.counties = absl::GetFlag(FLAGS_counties);
  s.shape.managers_per_county = absl::GetFlag(FLAGS_managers_per_county);
  s.concurrency = absl::GetFlag(FLAGS_concurrency);
  s.promotion_clients = absl::GetFlag(FLAGS_promotion_clients);
  s.window.warmup = absl::GetFlag(FLAGS_warmup);
  s.window.measure = absl::GetFlag(FLAGS_window);
  s.rounds = absl::GetFlag(FLAGS_rounds);
  s.import_rows = absl::GetFlag(FLAGS_import_rows);
  s.import_runs = absl::GetFlag(FLAGS_import_runs);
  s.report_calls = absl::GetFlag(FLAGS_report_calls);
  s.statement_calls = absl::GetFlag(FLAGS_statement_calls);
  if (s.smoke) {
    s.shape.counties = 10;
    s.shape.managers_per_county = 100;
    s.window.warmup = absl::Milliseconds(200);
    s.window.measure = absl::Milliseconds(300);
    s.rounds = 1;
    s.import_rows = 2000;
    s.import_runs = 1;
    s.report_calls = 3;
    s.statement_calls = 200;
  }
  s.window.concurrency = s.concurrency;
  s.client_cpu = absl::GetFlag(FLAGS_client_cpu);
  s.server_cpu = absl::GetFlag(FLAGS_server_cpu);
  s.build_dir = absl::GetFlag(FLAGS_build_dir);
  if (s.build_dir.empty()) {
    char self[4096];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) Fail("cannot find this program's path; pass --build_dir");
    s.build_dir = DirectoryOf(DirectoryOf(std::string(self, n)));  // build/bench/ladder_bench
  }
  s.policy_dir = Absolute(absl::GetFlag(FLAGS_policy_dir));
  s.pki_dir = Absolute(Must(PkiDir(absl::GetFlag(FLAGS_pki_dir)), "finding the PKI"));
  s.log_dir = absl::GetFlag(FLAGS_log_dir);
  if (s.log_dir.empty()) {
    char pattern[] = "/tmp/ladder_bench.XXXXXX";
    if (mkdtemp(pattern) == nullptr) Fail("cannot make a log directory");
    s.log_dir = pattern;
  } else if (mkdir(s.log_dir.c_str(), 0755) != 0 && errno != EEXIST) {
    Fail(absl::StrCat("cannot make ", s.log_dir));
  }
  s.markdown = absl::GetFlag(FLAGS_markdown);
  s.only = absl::GetFlag(FLAGS_only);
  s.max_calls_per_person = absl::GetFlag(FLAGS_max_calls_per_person);
  s.try_personnel_sql = absl::GetFlag(FLAGS_try_personnel_sql);
  return s;
}

class Benchmark {
 public:
  explicit Benchmark(Settings settings) : s_(std::move(settings)) {}

  int Run() {
    Prepare();
    if (s_.Runs("1")) GetEmployee();
    if (s_.Runs("2")) ListEmployees();
    if (s_.Runs("6")) Statements();
    if (s_.Runs("4")) DistributionReport();
    if (s_.Runs("5")) Promotions();
    if (s_.Runs("3")) ImportScores();
    if (s_.Runs("9")) BesideASlowReader();
    if (s_.Runs("10")) SyncAgainstCallbackApi();
    Memory();
    Report();
    return failed_ ? 1 : 0;
  }

 private:
  // --- set-up --------------------------------------------------------------------------

  void Prepare() {
    const absl::Time start = absl::Now();
    Say(absl::StrCat("ladder_bench", s_.smoke ? " --smoke" : "", ": ", s_.shape.counties, " counties x ",
                     s_.shape.managers_per_county, " customer managers; client cpu ", s_.client_cpu, ", server cpu ",
                     s_.server_cpu, "; TLS and tokens from ", s_.pki_dir, "; server logs in ", s_.log_dir));
    // One token for the whole run, as a client system holds one: the servers verify it on
    // its first call and find it in their cache after that.
    credentials_ = Must(CallerCredentials(s_.pki_dir, "bench"), "minting the benchmark's token");
    personnel_db_ =
        Must(testing::ScratchDatabase::Create("bench_p", personnel::Migrations()), "creating the personnel database");
    evaluation_db_ =
        Must(testing::ScratchDatabase::Create("bench_e", evaluation::Migrations()), "creating the evaluation database");
    careerpath_db_ =
        Must(testing::ScratchDatabase::Create("bench_c", careerpath::Migrations()), "creating the careerpath database");
    branch_ = Must(LoadBranch(personnel_db_->options(), s_.shape), "loading the branch");
    if (!s_.try_personnel_sql.empty()) {
      Say(absl::StrCat("trying on the personnel database: ", s_.try_personnel_sql));
      Must(personnel_db_->Execute(s_.try_personnel_sql), "--try_personnel_sql");
    }
    Must(personnel_db_->Execute("ANALYZE TABLE employees, org_units, teams"), "ANALYZE");
    const double loaded_s = absl::ToDoubleSeconds(absl::Now() - start);
    Say(absl::StrFormat("loaded %d employees in %d counties in %.1f s", branch_.employees, s_.shape.counties,
                        loaded_s));

    // The echo baseline has no certificate of its own in the PKI; personnel's serves it (the
    // same key type and chain, so the same handshake and record layer).
    echo_ = StartServer("echo", "bench/echo_server", "ladder.bench.v1.EchoService", nullptr, {}, "personnel");
    personnel_ = StartServer("personnel", "services/personnel/personnel_server", "ladder.personnel.v1.PersonnelService",
                             personnel_db_.get(), {});
    evaluation_ =
        StartServer("evaluation", "services/evaluation/evaluation_server", "ladder.evaluation.v1.EvaluationService",
                    evaluation_db_.get(), {absl::StrCat("--personnel=", personnel_->address())});
    careerpath_ = StartServer(
        "careerpath", "services/careerpath/careerpath_server", "ladder.careerpath.v1.CareerPathService",
        careerpath_db_.get(),
        {absl::StrCat("--personnel=", personnel_->address()), absl::StrCat("--evaluation=", evaluation_->address())});
    // Idle: started, connected to their databases, serving, nothing asked yet.
    absl::SleepFor(absl::Milliseconds(500));
    for (ServerProcess* server : Servers()) idle_rss_kib_.push_back(server->RssKib());

    echo_stub_ = bv1::EchoService::NewStub(Channel(*echo_));
    personnel_stub_ = pv1::PersonnelService::NewStub(Channel(*personnel_));
    evaluation_stub_ = ev1::EvaluationService::NewStub(Channel(*evaluation_));
    careerpath_stub_ = cv1::CareerPathService::NewStub(Channel(*careerpath_));
    raw_personnel_ = std::make_unique<db::ConnectionPool>(personnel_db_->options());
    database_pid_ = DatabasePid();
    raw_evaluation_ = std::make_unique<db::ConnectionPool>(evaluation_db_->options());

    // The cycle ImportScores writes into: the scorecard through the API, the cycle and its
    // participants (the whole branch) straight into the database.
    grpc::ClientContext context;
    ev1::Scorecard scorecard;
    const grpc::Status created = evaluation_stub_->CreateScorecard(&context, ScorecardRequest("季度考核"), &scorecard);
    if (!created.ok()) Fail(absl::StrCat("CreateScorecard: ", GrpcError(created)));
    const int64_t scorecard_id = std::stoll(scorecard.name().substr(scorecard.name().rfind('/') + 1));
    cycle_id_ = Must(LoadCycle(evaluation_db_->options(), scorecard_id, branch_), "loading the cycle");
    Must(evaluation_db_->Execute("ANALYZE TABLE evaluations"), "ANALYZE");
    Say(absl::StrFormat("set up in %.1f s", absl::ToDoubleSeconds(absl::Now() - start)));
  }

  // Starts a server with the PKI's certificate `certificate` (default: its own, `name`).
  std::unique_ptr<ServerProcess> StartServer(const std::string& name, const std::string& binary,
                                             const std::string& health, const testing::ScratchDatabase* database,
                                             std::vector<std::string> args, const std::string& certificate = "") {
    LadderServerSetup setup;
    setup.build_dir = s_.build_dir;
    setup.pki_dir = s_.pki_dir;
    setup.policy_dir = s_.policy_dir;
    setup.log_dir = s_.log_dir;
    setup.cpu = s_.server_cpu;
    setup.credentials = credentials_;
    // A limit, not none: the slow reader of scenario 9 must meet it.
    args.push_back(absl::StrCat("--max_calls_per_person=", s_.max_calls_per_person));
    std::string url, password;
    if (database != nullptr) {
      const db::DatabaseOptions& options = database->options();
      url = LocalDatabaseUrl(options);
      password = options.password;
    }
    return Must(StartLadderServer(setup, name, binary, health, url, password, std::move(args), certificate),
                absl::StrCat("starting ", name));
  }

  // Runs `load` and charges it the CPU time of this client, `servers` and the database.
  template <typename Load>
  Result Measured(std::vector<int> servers, Load load) {
    CpuMeter meter(std::move(servers), database_pid_);
    Result result = load();
    meter.Charge(result);
    return result;
  }

  // The database server's process, when it runs on this machine (it listens on a socket).
  int DatabasePid() {
    std::unique_ptr<db::Connection> connection = Must(db::Connection::Open(personnel_db_->options()), "connecting");
    try {
      std::unique_ptr<sql::ResultSet> row(connection->Prepare("SELECT @@pid_file").executeQuery());
      if (!row->next()) return -1;
      std::ifstream file(std::string(row->getString(1)));
      int pid = -1;
      file >> pid;
      return file ? pid : -1;
    } catch (const sql::SQLException&) {
      return -1;
    }
  }

  std::vector<ServerProcess*> Servers() {
    return {personnel_.get(), evaluation_.get(), careerpath_.get(), echo_.get()};
  }

  std::shared_ptr<grpc::Channel> Channel(const ServerProcess& server) const {
    return grpc::CreateChannel(server.address(), credentials_);
  }

  RunOptions Window(int concurrency) const {
    RunOptions options = s_.window;
    options.concurrency = concurrency;
    return options;
  }

  static RunOptions Until(int concurrency) {
    RunOptions options;
    options.concurrency = concurrency;
    options.warmup = absl::ZeroDuration();
    options.measure = absl::InfiniteDuration();
    return options;
  }

  int64_t RandomEmployee(std::mt19937_64& random) const {
    return std::uniform_int_distribution<int64_t>(1, branch_.employees)(random);
  }

  int64_t RandomCounty(std::mt19937_64& random) const {
    return branch_.county_ids[std::uniform_int_distribution<size_t>(0, branch_.county_ids.size() - 1)(random)];
  }

  // Fails the run (after the table is printed) when calls that must succeed did not.
  bool Expect(Result& result, const std::string& what) {
    if (result.failures > 0 || result.calls == 0) {
      failed_ = true;
      Say(absl::StrCat("ERROR: ", what, ": ", result.calls, " calls succeeded, ", result.failures, " failed",
                       result.first_error.empty() ? "" : ": ", result.first_error));
      return false;
    }
    return true;
  }

  void Detail(const std::string& label, Result& result) {
    const std::string line = absl::StrCat(absl::StrFormat("  %-44s", label), Describe(result));
    Say(line);
    details_.push_back(line);
  }

  // A scenario's heading, on the console and in the details.
  void Section(const std::string& title) {
    Say(absl::StrCat("\n", title));
    details_.push_back(title);
  }

  void Note(const std::string& line) {
    Say(absl::StrCat("  ", line));
    details_.push_back(absl::StrCat("  ", line));
  }

  // --- 1. GetEmployee -----------------------------------------------------------------

  Result EchoLoad(const RunOptions& options) { return EchoLoadOn(echo_stub_.get(), options); }

  Result EchoLoadOn(bv1::EchoService::Stub* stub, const RunOptions& options) {
    return RunUnary<bv1::EchoRequest, bv1::EchoResponse>(
        options,
        [stub](grpc::ClientContext* c, const bv1::EchoRequest* q, bv1::EchoResponse* r,
               std::function<void(grpc::Status)> done) { stub->async()->Echo(c, q, r, std::move(done)); },
        [this](bv1::EchoRequest& q, std::mt19937_64& random) {
          q.set_name(absl::StrCat("employees/", RandomEmployee(random)));
          return true;
        });
  }

  Result GetLoad(const RunOptions& options) {
    pv1::PersonnelService::Stub* stub = personnel_stub_.get();
    return RunUnary<pv1::GetEmployeeRequest, pv1::Employee>(
        options,
        [stub](grpc::ClientContext* c, const pv1::GetEmployeeRequest* q, pv1::Employee* r,
               std::function<void(grpc::Status)> done) { stub->async()->GetEmployee(c, q, r, std::move(done)); },
        [this](pv1::GetEmployeeRequest& q, std::mt19937_64& random) {
          q.set_name(absl::StrCat("employees/", RandomEmployee(random)));
          return true;
        });
  }

  // Reads every column of the current row with the getter the service's row conversion
  // uses (personnel_rows.cc): dates and instants come as numbers, names as text.
  static int64_t TouchEmployeeRow(const sql::ResultSet& row) {
    int64_t sum = 0;
    for (int column : {1, 4, 5, 16, 11, 12, 13, 15, 17, 18}) sum += row.getInt64(column);
    for (int column : {6, 7, 8, 9, 10, 14}) sum += row.getInt(column);
    for (int column : {2, 3}) sum += row.getString(column).length();
    return sum;
  }

  Result GetRawLoad(const RunOptions& options) {
    const std::string sql = absl::StrCat("SELECT ", personnel::rows::kEmployeeColumns, " FROM employees WHERE id = ?");
    std::vector<std::mt19937_64> randoms;
    for (int i = 0; i < options.concurrency; ++i) randoms.emplace_back(2000 + i);
    return RunThreads(options, [&](int worker, std::string* error) {
      const int64_t id = RandomEmployee(randoms[worker]);
      const absl::Status status = db::WithConnection(*raw_personnel_, [&](db::Connection& connection) {
        db::Statement& select = connection.Prepare(sql);
        select.setInt64(1, id);
        std::unique_ptr<sql::ResultSet> row(select.executeQuery());
        if (!row->next()) return absl::NotFoundError(absl::StrCat("employees/", id));
        checksum_ += TouchEmployeeRow(*row);
        return absl::OkStatus();
      });
      if (!status.ok()) *error = status.ToString();
      return status.ok() ? Outcome::kOk : Outcome::kFailed;
    });
  }

  void GetEmployee() {
    Section(absl::StrCat("1. GetEmployee, ", s_.concurrency, " calls in flight, ", s_.rounds,
                         " round(s) of echo / raw query / service"));
    Result echo, raw, service;
    for (int round = 0; round < s_.rounds; ++round) {
      echo.Merge(Measured({echo_->pid()}, [&] { return EchoLoad(Window(s_.concurrency)); }));
      raw.Merge(Measured({}, [&] { return GetRawLoad(Window(s_.concurrency)); }));
      service.Merge(Measured({personnel_->pid()}, [&] { return GetLoad(Window(s_.concurrency)); }));
    }
    const bool valid = Expect(echo, "echo") & Expect(raw, "GetEmployee raw query") & Expect(service, "GetEmployee");
    Detail("E  echo (bootstrap, no database)", echo);
    Detail("D  raw query through the pool", raw);
    Detail("S  PersonnelService.GetEmployee", service);
    const double limit = 1.0 / (1.0 / echo.Qps() + 1.0 / raw.Qps());
    const double ratio = service.Qps() / limit;
    rows_.push_back({"1", absl::StrCat("GetEmployee, ", s_.concurrency, " in flight (QPS)"),
                     absl::StrFormat("%.0f qps, p99 %.2f ms", service.Qps(), service.QuantileMs(0.99)),
                     absl::StrFormat("E %.0f, D %.0f -> L %.0f qps", echo.Qps(), raw.Qps(), limit),
                     absl::StrFormat("%.2f x L", ratio), ">= 0.80 x L", valid && ratio >= 0.8});
    GetEmployeeFromH2load(service);
  }

  // The same server driven by h2load right after, with as many calls in flight on one
  // connection: a generator in C that sends one prepared body. If it gets much more than the
  // benchmark's own generator, that generator (its CPU on the same two cores) limits S, and
  // S / L understates the service.
  void GetEmployeeFromH2load(const Result& own) {
    std::mt19937_64 random(4000);
    pv1::GetEmployeeRequest request;
    request.set_name(absl::StrCat("employees/", RandomEmployee(random)));
    pv1::Employee employee;
    grpc::ClientContext context;
    const grpc::Status checked = personnel_stub_->GetEmployee(&context, request, &employee);
    if (!checked.ok()) Fail(absl::StrCat("GetEmployee of ", request.name(), ": ", checked.error_message()));
    H2loadCall call;
    call.address = personnel_->address();
    call.method = "/ladder.personnel.v1.PersonnelService/GetEmployee";
    call.token = Must(SignedToken(s_.pki_dir, "bench-h2load", "HR_ADMIN"), "minting h2load's token");
    call.body_path = absl::StrCat(s_.log_dir, "/get-employee.grpc");
    call.streams_per_connection = s_.concurrency;
    if (absl::Status written = WriteGrpcMessage(call.body_path, request); !written.ok()) Fail(written.ToString());
    absl::StatusOr<H2loadFigures> h2load =
        RunH2load(call, s_.window.warmup, s_.window.measure, static_cast<int64_t>(employee.ByteSizeLong()) + 5,
                  absl::StrCat(s_.log_dir, "/h2load-get-employee.log"));
    if (absl::IsUnavailable(h2load.status())) {
      Note(absl::StrCat(h2load.status().message(), ": the h2load figure is skipped"));
      return;
    }
    if (!h2load.ok()) Fail(h2load.status().ToString());
    Note(absl::StrFormat("H  h2load, 1 connection x %d streams, one prepared request: %.0f qps (%d calls)",
                         s_.concurrency, h2load->requests_per_second, h2load->done));
    const double ratio = own.Qps() / h2load->requests_per_second;
    rows_.push_back({"1", "GetEmployee, the benchmark's generator against h2load (QPS)",
                     absl::StrFormat("%.0f qps", own.Qps()),
                     absl::StrFormat("h2load %.0f qps", h2load->requests_per_second),
                     absl::StrFormat("%.2f x h2load", ratio), ">= 0.85 x h2load", ratio >= 0.85});
  }

  // --- 2. ListEmployees -----------------------------------------------------------------

  static constexpr int kPage = 100;

  Result ListLoad(const RunOptions& options) {
    pv1::PersonnelService::Stub* stub = personnel_stub_.get();
    return RunUnary<pv1::ListEmployeesRequest, pv1::ListEmployeesResponse>(
        options,
        [stub](grpc::ClientContext* c, const pv1::ListEmployeesRequest* q, pv1::ListEmployeesResponse* r,
               std::function<void(grpc::Status)> done) { stub->async()->ListEmployees(c, q, r, std::move(done)); },
        [this](pv1::ListEmployeesRequest& q, std::mt19937_64& random) {
          q.set_county(absl::StrCat("orgUnits/", RandomCounty(random)));
          q.set_page_size(kPage);
          return true;
        },
        [](const grpc::Status& status, const pv1::ListEmployeesResponse& response, std::string* error) {
          if (status.ok() && response.employees_size() != kPage) {
            *error = absl::StrCat("a page of ", response.employees_size(), " employees");
            return false;
          }
          return status.ok();
        });
  }

  Result ListRawLoad(const RunOptions& options) {
    // The statement the service runs for a county filter (first page, one row more to know
    // whether another page follows).
    const std::string sql = absl::StrCat("SELECT ", personnel::rows::kEmployeeColumns,
                                         " FROM employees WHERE id > ? AND county_id = ? "
                                         "ORDER BY id LIMIT ?");
    std::vector<std::mt19937_64> randoms;
    for (int i = 0; i < options.concurrency; ++i) randoms.emplace_back(3000 + i);
    return RunThreads(options, [&](int worker, std::string* error) {
      const int64_t county = RandomCounty(randoms[worker]);
      const absl::Status status = db::WithConnection(*raw_personnel_, [&](db::Connection& connection) {
        db::Statement& select = connection.Prepare(sql);
        select.setInt64(1, 0);
        select.setInt64(2, county);
        select.setInt(3, kPage + 1);
        std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
        int count = 0;
        while (rows->next()) {
          checksum_ += TouchEmployeeRow(*rows);
          ++count;
        }
        if (count != std::min(kPage + 1, s_.shape.managers_per_county)) {
          return absl::InternalError(absl::StrCat("a page of ", count, " rows"));
        }
        return absl::OkStatus();
      });
      if (!status.ok()) *error = status.ToString();
      return status.ok() ? Outcome::kOk : Outcome::kFailed;
    });
  }

  void ListEmployees() {
    Section(
        absl::StrCat("2. ListEmployees, a page of ", kPage, " in one county, ", s_.concurrency, " calls in flight"));
    Result raw, service;
    for (int round = 0; round < s_.rounds; ++round) {
      raw.Merge(Measured({}, [&] { return ListRawLoad(Window(s_.concurrency)); }));
      service.Merge(Measured({personnel_->pid()}, [&] { return ListLoad(Window(s_.concurrency)); }));
    }
    const bool valid = Expect(raw, "ListEmployees raw query") & Expect(service, "ListEmployees");
    Detail("D  raw query through the pool", raw);
    Detail("S  PersonnelService.ListEmployees", service);
    const double ratio = service.Qps() / raw.Qps();
    rows_.push_back({"2", absl::StrCat("ListEmployees, page of ", kPage, ", one county (QPS)"),
                     absl::StrFormat("%.0f qps, p99 %.2f ms", service.Qps(), service.QuantileMs(0.99)),
                     absl::StrFormat("D %.0f qps, p99 %.2f ms", raw.Qps(), raw.QuantileMs(0.99)),
                     absl::StrFormat("%.2f x D", ratio), ">= 0.70 x D", valid && ratio >= 0.7});
  }

  // --- 6. Statements per call -------------------------------------------------------------

  // Statements the database received per call during `calls` calls made by `load`.
  void CountStatements(const std::string& label, const std::function<Result(const RunOptions&)>& load,
                       const std::string& number, double max_statements) {
    CounterProbe probe(personnel_db_->options());
    const Counters idle_before = probe.Read();
    absl::SleepFor(absl::Milliseconds(s_.smoke ? 200 : 1000));
    const Counters idle = probe.Since(idle_before);
    const Counters before = probe.Read();
    Result result = load(Until(4));
    const Counters during = probe.Since(before);
    const bool valid = Expect(result, label);
    const double n = static_cast<double>(result.calls);
    const double statements = during.questions / n;
    const double prepares = during.prepares / n;
    Note(
        absl::StrFormat("%-24s %d calls: %d statements (%d executes of prepared ones), %d prepared; "
                        "idle database before: %d statements",
                        label, result.calls, during.questions, during.executes, during.prepares, idle.questions));
    const bool met = valid && statements <= max_statements + 1e-9 && during.prepares == 0;
    rows_.push_back({number, absl::StrCat("statements per ", label),
                     absl::StrFormat("%.2f per call, %.3f prepared per call", statements, prepares),
                     "Questions, Com_stmt_prepare", "", absl::StrFormat("<= %.0f, 0 prepared", max_statements), met});
  }

  void Statements() {
    Section("6. Statements per call, from the server's counters (warm servers)");
    const int calls = s_.statement_calls;
    CountStatements(
        "GetEmployee",
        [this, calls](const RunOptions& options) {
          auto left = std::make_shared<std::atomic<int>>(calls);
          pv1::PersonnelService::Stub* stub = personnel_stub_.get();
          return RunUnary<pv1::GetEmployeeRequest, pv1::Employee>(
              options,
              [stub](grpc::ClientContext* c, const pv1::GetEmployeeRequest* q, pv1::Employee* r,
                     std::function<void(grpc::Status)> done) { stub->async()->GetEmployee(c, q, r, std::move(done)); },
              [this, left](pv1::GetEmployeeRequest& q, std::mt19937_64& random) {
                if (left->fetch_sub(1) <= 0) return false;
                q.set_name(absl::StrCat("employees/", RandomEmployee(random)));
                return true;
              });
        },
        "6a", 1);
    CountStatements(
        "ListEmployees",
        [this, calls](const RunOptions& options) {
          auto left = std::make_shared<std::atomic<int>>(calls);
          pv1::PersonnelService::Stub* stub = personnel_stub_.get();
          return RunUnary<pv1::ListEmployeesRequest, pv1::ListEmployeesResponse>(
              options,
              [stub](grpc::ClientContext* c, const pv1::ListEmployeesRequest* q, pv1::ListEmployeesResponse* r,
                     std::function<void(grpc::Status)> done) {
                stub->async()->ListEmployees(c, q, r, std::move(done));
              },
              [this, left](pv1::ListEmployeesRequest& q, std::mt19937_64& random) {
                if (left->fetch_sub(1) <= 0) return false;
                q.set_county(absl::StrCat("orgUnits/", RandomCounty(random)));
                q.set_page_size(kPage);
                return true;
              });
        },
        "6b", 2);
  }

  // --- 4. GetDistributionReport ---------------------------------------------------------

  Result ReportLoad(int calls) {
    int left = calls;
    return RunThreads(Until(1), [&](int, std::string* error) {
      if (left-- <= 0) return Outcome::kNoMoreWork;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
      cv1::GetDistributionReportRequest request;
      request.set_org_unit(absl::StrCat("orgUnits/", branch_.city_id));
      cv1::DistributionReport report;
      const grpc::Status status = careerpath_stub_->GetDistributionReport(&context, request, &report);
      if (!status.ok()) {
        *error = GrpcError(status);
        return Outcome::kFailed;
      }
      return Outcome::kOk;
    });
  }

  // The numbers the report needs, the way personnel reads them for it: the branch, its
  // counties, and for each county the county row and its head counts by status and level.
  Result ReportRawPerCounty(int calls) {
    int left = calls;
    const std::string unit_sql =
        absl::StrCat("SELECT ", personnel::rows::kOrgUnitColumns, " FROM org_units WHERE id = ?");
    const std::string list_sql =
        absl::StrCat("SELECT ", personnel::rows::kOrgUnitColumns,
                     " FROM org_units WHERE id > ? AND (? = 0 OR kind = ?) AND (? = 0 OR parent_id = ?) "
                     "ORDER BY id LIMIT ?");
    const std::string count_sql =
        "SELECT status, level, COUNT(*) FROM employees WHERE county_id = ? AND role = ? "
        "AND status IN (?, ?, ?) GROUP BY status, level";
    return RunThreads(Until(1), [&](int, std::string* error) {
      if (left-- <= 0) return Outcome::kNoMoreWork;
      const absl::Status status = db::WithConnection(*raw_personnel_, [&](db::Connection& connection) {
        db::Statement& unit = connection.Prepare(unit_sql);
        unit.setInt64(1, branch_.city_id);
        std::unique_ptr<sql::ResultSet>(unit.executeQuery())->next();
        db::Statement& list = connection.Prepare(list_sql);
        list.setInt64(1, 0);
        list.setInt(2, 2);
        list.setInt(3, 2);
        list.setInt64(4, branch_.city_id);
        list.setInt64(5, branch_.city_id);
        list.setInt(6, 1001);
        std::vector<int64_t> counties;
        std::unique_ptr<sql::ResultSet> rows(list.executeQuery());
        while (rows->next()) counties.push_back(rows->getInt64(1));
        int64_t total = 0;
        for (int64_t county : counties) {
          unit.setInt64(1, county);
          std::unique_ptr<sql::ResultSet>(unit.executeQuery())->next();
          db::Statement& count = connection.Prepare(count_sql);
          count.setInt64(1, county);
          count.setInt(2, 1);
          count.setInt(3, 1);
          count.setInt(4, 2);
          count.setInt(5, 3);
          std::unique_ptr<sql::ResultSet> counts(count.executeQuery());
          while (counts->next()) total += counts->getInt64(3);
        }
        if (total != branch_.employees) return absl::InternalError(absl::StrCat("counted ", total));
        return absl::OkStatus();
      });
      if (!status.ok()) *error = status.ToString();
      return status.ok() ? Outcome::kOk : Outcome::kFailed;
    });
  }

  // The same numbers in two statements: the counties, and one grouped count over the branch.
  Result ReportRawGrouped(int calls) {
    int left = calls;
    const std::string list_sql = "SELECT id, display_name FROM org_units WHERE parent_id = ? AND kind = 2 ORDER BY id";
    const std::string count_sql =
        "SELECT e.county_id, e.status, e.level, COUNT(*) FROM employees e JOIN org_units o "
        "ON o.id = e.county_id WHERE o.parent_id = ? AND e.role = 1 AND e.status IN (1, 2, 3) "
        "GROUP BY e.county_id, e.status, e.level";
    return RunThreads(Until(1), [&](int, std::string* error) {
      if (left-- <= 0) return Outcome::kNoMoreWork;
      const absl::Status status = db::WithConnection(*raw_personnel_, [&](db::Connection& connection) {
        db::Statement& list = connection.Prepare(list_sql);
        list.setInt64(1, branch_.city_id);
        std::unique_ptr<sql::ResultSet> rows(list.executeQuery());
        int counties = 0;
        while (rows->next()) ++counties;
        db::Statement& count = connection.Prepare(count_sql);
        count.setInt64(1, branch_.city_id);
        std::unique_ptr<sql::ResultSet> counts(count.executeQuery());
        int64_t total = 0;
        while (counts->next()) total += counts->getInt64(4);
        if (total != branch_.employees || counties != s_.shape.counties) {
          return absl::InternalError(absl::StrCat("counted ", total, " in ", counties, " counties"));
        }
        return absl::OkStatus();
      });
      if (!status.ok()) *error = status.ToString();
      return status.ok() ? Outcome::kOk : Outcome::kFailed;
    });
  }

  // The median time of asking personnel for every county's quota, `in_flight` at a time.
  double CountyQuotasMs(int in_flight) {
    pv1::PersonnelService::Stub* stub = personnel_stub_.get();
    std::vector<double> ms;
    for (int repeat = 0; repeat < std::max(3, s_.report_calls); ++repeat) {
      auto next = std::make_shared<std::atomic<size_t>>(0);
      Result result = RunUnary<pv1::GetCountyQuotaRequest, pv1::CountyQuota>(
          Until(in_flight),
          [stub](grpc::ClientContext* c, const pv1::GetCountyQuotaRequest* q, pv1::CountyQuota* r,
                 std::function<void(grpc::Status)> done) { stub->async()->GetCountyQuota(c, q, r, std::move(done)); },
          [this, next](pv1::GetCountyQuotaRequest& q, std::mt19937_64&) {
            const size_t i = (*next)++;
            if (i >= branch_.county_ids.size()) return false;
            q.set_name(absl::StrCat("orgUnits/", branch_.county_ids[i], "/quota"));
            return true;
          });
      Expect(result, "GetCountyQuota");
      ms.push_back(result.seconds * 1000);
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
  }

  void DistributionReport() {
    Section(absl::StrCat("4. GetDistributionReport for the whole branch (", s_.shape.counties,
                         " counties), one call at a time, ", s_.report_calls, " calls x ", s_.rounds, " round(s)"));
    ReportLoad(2);  // warm-up: connections, prepared statements
    ReportRawPerCounty(2);
    ReportRawGrouped(2);
    Result service, per_county, grouped;
    for (int round = 0; round < s_.rounds; ++round) {
      service.Merge(Measured({careerpath_->pid(), personnel_->pid()}, [&] { return ReportLoad(s_.report_calls); }));
      per_county.Merge(Measured({}, [&] { return ReportRawPerCounty(s_.report_calls); }));
      grouped.Merge(Measured({}, [&] { return ReportRawGrouped(s_.report_calls); }));
    }
    const bool valid = Expect(service, "GetDistributionReport") & Expect(per_county, "report raw queries per county") &
                       Expect(grouped, "report raw grouped query");
    Detail("S  CareerPathService.GetDistributionReport", service);
    Detail(absl::StrCat("D1 raw, per county (", 2 + 2 * s_.shape.counties, " statements)"), per_county);
    Detail("D2 raw, one grouped count (2 statements)", grouped);
    // Where the report's time goes: careerpath asks personnel for each county's quota, one
    // call after another. The same calls made from here, in sequence and all at once.
    const double sequential_ms = CountyQuotasMs(1);
    const double parallel_ms = CountyQuotasMs(s_.concurrency);
    CounterProbe probe(personnel_db_->options());
    const Counters before = probe.Read();
    ReportLoad(1);
    const Counters one = probe.Since(before);
    Note(
        absl::StrFormat("one report: %d statements on personnel's database; %d GetCountyQuota calls "
                        "to personnel take %.1f ms one after another, %.1f ms with %d in flight",
                        one.questions, s_.shape.counties, sequential_ms, parallel_ms, s_.concurrency));
    const bool per_county_faster = per_county.QuantileMs(0.5) < grouped.QuantileMs(0.5);
    Result& raw = per_county_faster ? per_county : grouped;
    const double ratio = service.QuantileMs(0.5) / raw.QuantileMs(0.5);
    rows_.push_back(
        {"4", "GetDistributionReport, whole branch (latency)",
         absl::StrFormat("p50 %.1f ms, p99 %.1f ms", service.QuantileMs(0.5), service.QuantileMs(0.99)),
         absl::StrFormat("%s p50 %.1f ms (D%s p50 %.1f ms)", per_county_faster ? "D1" : "D2", raw.QuantileMs(0.5),
                         per_county_faster ? "2" : "1", (per_county_faster ? grouped : per_county).QuantileMs(0.5)),
         absl::StrFormat("%.2f x D", ratio), "<= 1.5 x D", valid && ratio <= 1.5});
  }

  // --- 5. Concurrent senior promotions ------------------------------------------------------

  Result PromotionLoad(const std::vector<int64_t>& candidates, common::v1::Level from, common::v1::Level to,
                       int clients, std::atomic<int>& promoted, std::atomic<int>& refused, const std::string& tag) {
    auto next = std::make_shared<std::atomic<size_t>>(0);
    pv1::PersonnelService::Stub* stub = personnel_stub_.get();
    return RunUnary<pv1::ChangeLevelRequest, pv1::Employee>(
        Until(clients),
        [stub](grpc::ClientContext* c, const pv1::ChangeLevelRequest* q, pv1::Employee* r,
               std::function<void(grpc::Status)> done) { stub->async()->ChangeLevel(c, q, r, std::move(done)); },
        [&candidates, next, from, to, tag](pv1::ChangeLevelRequest& q, std::mt19937_64&) {
          const size_t i = (*next)++;
          if (i >= candidates.size()) return false;
          q.set_name(absl::StrCat("employees/", candidates[i]));
          q.set_expected_level(from);
          q.set_level(to);
          q.set_reason("benchmark promotion");
          // As careerpath applies an approved case: with the case as the request id.
          q.set_request_id(absl::StrCat("bench-", tag, "-", candidates[i], "-", getpid()));
          return true;
        },
        [&promoted, &refused](const grpc::Status& status, const pv1::Employee&, std::string* error) {
          if (status.ok()) {
            ++promoted;
            return true;
          }
          if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
              ErrorReason(FromGrpcStatus(status)).value_or("") == "SENIOR_CAP_REACHED") {
            ++refused;
            return true;
          }
          *error = GrpcError(status);
          return false;
        });
  }

  void Promotions() {
    const int clients = s_.promotion_clients;
    Section(absl::StrCat("5. Senior promotions, ", clients,
                         " clients in one county: ", branch_.promotion_candidates.size(), " intermediates for ",
                         branch_.promotion_free_slots, " free senior slots"));
    std::atomic<int> promoted{0}, refused{0};
    // Warm-up in another county: junior → intermediate (no cap), the same transaction.
    Result warm = PromotionLoad(branch_.warmup_candidates, common::v1::LEVEL_JUNIOR, common::v1::LEVEL_INTERMEDIATE,
                                clients, promoted, refused, "warm");
    Expect(warm, "warm-up promotions");
    promoted = 0;
    refused = 0;
    CounterProbe probe(personnel_db_->options());
    const Counters before = probe.Read();
    Result result = Measured({personnel_->pid()}, [&] {
      return PromotionLoad(branch_.promotion_candidates, common::v1::LEVEL_INTERMEDIATE, common::v1::LEVEL_SENIOR,
                           clients, promoted, refused, "senior");
    });
    const Counters during = probe.Since(before);
    const bool valid = Expect(result, "senior promotions");
    Detail("S  PersonnelService.ChangeLevel to senior", result);

    // Violations: a committed change that left more seniors than the cap, and the county now.
    const int64_t county = branch_.promotion_county;
    const int64_t over =
        Must(personnel_db_->QueryInt(absl::StrCat("SELECT COUNT(*) FROM level_changes WHERE to_county_id = ", county,
                                                  " AND to_seniors > to_senior_cap")),
             "reading the level history");
    const int64_t seniors =
        Must(personnel_db_->QueryInt(absl::StrCat("SELECT COUNT(*) FROM employees WHERE county_id = ", county,
                                                  " AND role = 1 AND status = 3 AND level = 3")),
             "counting seniors");
    const int64_t levelled =
        Must(personnel_db_->QueryInt(absl::StrCat("SELECT COUNT(*) FROM employees WHERE county_id = ", county,
                                                  " AND role = 1 AND status = 3 AND level > 0")),
             "counting levelled managers");
    const int64_t violations = over + (seniors > levelled * 20 / 100 ? 1 : 0);
    const bool all_slots_used =
        promoted.load() == std::min<int>(branch_.promotion_free_slots, branch_.promotion_candidates.size());
    Note(
        absl::StrFormat("%d promoted, %d refused SENIOR_CAP_REACHED; county now %d seniors of %d "
                        "(cap %d); history rows over the cap: %d; %.1f statements per call",
                        promoted.load(), refused.load(), seniors, levelled, levelled * 20 / 100, over,
                        static_cast<double>(during.questions) / std::max<int64_t>(1, result.calls)));
    if (!all_slots_used) {
      failed_ = true;
      Say(absl::StrCat("ERROR: ", promoted.load(), " promotions for ", branch_.promotion_free_slots, " free slots"));
    }
    if (violations != 0) failed_ = true;
    rows_.push_back({"5", absl::StrCat("senior promotions, ", clients, " clients, one county"),
                     absl::StrFormat("%.0f calls/s, p99 %.1f ms (%d promoted, %d refused)", result.Qps(),
                                     result.QuantileMs(0.99), promoted.load(), refused.load()),
                     "", absl::StrCat(violations, " cap violations"), "0 violations", valid && violations == 0});
  }

  // --- 3. ImportScores ------------------------------------------------------------------

  void ImportScores() {
    const int rows = std::min<int>(s_.import_rows, static_cast<int>(branch_.employees)) / kRawRowsPerStatement *
                     kRawRowsPerStatement;
    Section(absl::StrCat("3. ImportScores, ", rows, " rows into one cycle, ", s_.import_runs, " run(s) of each side"));
    const std::string cycle = absl::StrCat("cycles/", cycle_id_);
    const int warm = std::min(rows, 5000);
    Must(ImportThroughService(*evaluation_stub_, cycle, 1, warm, 100), "warm-up import");
    Must(InsertRaw(*raw_evaluation_, cycle_id_, 1, warm, 100), "warm-up raw insert");
    std::vector<double> service, raw;
    for (int run = 0; run < s_.import_runs; ++run) {
      // Each side scores unscored rows (a first scoring, as an import is), taking turns first.
      for (int side = 0; side < 2; ++side) {
        Must(ResetScores(*raw_evaluation_, cycle_id_), "resetting the scores");
        if ((side + run) % 2 == 0) {
          service.push_back(Must(ImportThroughService(*evaluation_stub_, cycle, 1, rows, run), "ImportScores"));
        } else {
          raw.push_back(Must(InsertRaw(*raw_evaluation_, cycle_id_, 1, rows, run), "raw insert"));
        }
      }
    }
    std::sort(service.begin(), service.end());
    std::sort(raw.begin(), raw.end());
    const double service_s = service[service.size() / 2];
    const double raw_s = raw[raw.size() / 2];
    Note(absl::StrFormat("S  ImportScores (stream, validation, batches)  %8.3f s  %9.0f rows/s", service_s,
                         rows / service_s));
    Note(absl::StrFormat("D  raw batched upsert through the pool        %8.3f s  %9.0f rows/s", raw_s, rows / raw_s));
    const double ratio = raw_s / service_s;
    rows_.push_back({"3", absl::StrCat("ImportScores, ", rows, " rows (throughput)"),
                     absl::StrFormat("%.2f s, %.0f rows/s", service_s, rows / service_s),
                     absl::StrFormat("D %.2f s, %.0f rows/s", raw_s, rows / raw_s), absl::StrFormat("%.2f x D", ratio),
                     ">= 0.50 x D", ratio >= 0.5});
  }

  // --- 9. Beside one caller that never reads ----------------------------------------------

  // h2load as a person who keeps `connections` × 64 ListTeams calls open with an HTTP/2
  // window of 0, never reading a response, and sends 50 more a second on each connection as
  // calls are refused; -1 if h2load cannot be started.
  pid_t StartSlowReader(int connections) {
    return StartSlowReaderOf(connections, personnel_->address(), "/ladder.personnel.v1.PersonnelService/ListTeams");
  }

  // The same against any unary method that takes an empty request.
  pid_t StartSlowReaderOf(int connections, const std::string& address, const std::string& method) {
    absl::StatusOr<std::string> token = SignedToken(s_.pki_dir, "slow-reader", "EMPLOYEE", "employees/1");
    if (!token.ok()) Fail(absl::StrCat("minting the slow reader's token: ", token.status().ToString()));
    const std::string body = absl::StrCat(s_.log_dir, "/empty-request.grpc");
    if (absl::Status written = WriteGrpcMessage(body, google::protobuf::Empty()); !written.ok()) {
      Fail(written.ToString());
    }
    H2loadCall call;
    call.address = address;
    call.method = method;
    call.token = *token;
    call.body_path = body;
    call.connections = connections;
    call.streams_per_connection = 64;
    // Window 0: it never reads. 50 calls a second per connection: refused calls are retried,
    // but not as fast as the machine allows (a flood of that kind is for a rate limit in
    // front of the servers).
    call.extra_flags = {"--rps", "50", "-w", "0", "-W", "0"};
    const pid_t pid = StartH2load(call, {"-n", "1000000"}, absl::StrCat(s_.log_dir, "/h2load.log"));
    absl::SleepFor(absl::Seconds(1));
    if (pid < 0 || waitpid(pid, nullptr, WNOHANG) != 0) return -1;
    return pid;
  }

  void BesideASlowReader() {
    constexpr int kConnections = 20;
    Section(absl::StrCat("9. GetEmployee, ", s_.concurrency, " in flight, alone and beside one person holding ",
                         kConnections, " x 64 calls it never reads (h2load, window 0)"));
    const int64_t threads_idle = personnel_->Threads();
    Result alone = Measured({personnel_->pid()}, [&] { return GetLoad(Window(s_.concurrency)); });
    const pid_t reader = StartSlowReader(kConnections);
    if (reader < 0) {
      Note("h2load (Debian's nghttp2-client) is not installed: scenario skipped");
      return;
    }
    Result beside = Measured({personnel_->pid()}, [&] { return GetLoad(Window(s_.concurrency)); });
    const int64_t threads = personnel_->Threads();
    const double rss = Mib(personnel_->RssKib());
    kill(reader, SIGKILL);
    waitpid(reader, nullptr, 0);
    const bool valid = Expect(alone, "GetEmployee alone") & Expect(beside, "GetEmployee beside a slow reader");
    Detail("alone", alone);
    Detail("beside the slow reader", beside);
    Note(absl::StrFormat("personnel_server: %d threads idle, %d with the slow reader, %.1f MiB resident", threads_idle,
                         threads, rss));
    const double ratio = beside.Qps() / alone.Qps();
    rows_.push_back({"9", absl::StrCat("GetEmployee beside a slow reader (", kConnections, " x 64 unread calls)"),
                     absl::StrFormat("%.0f qps, p99 %.2f ms; server %d threads, %.1f MiB", beside.Qps(),
                                     beside.QuantileMs(0.99), threads, rss),
                     absl::StrFormat("alone %.0f qps, p99 %.2f ms", alone.Qps(), alone.QuantileMs(0.99)),
                     absl::StrFormat("%.2f x alone", ratio), ">= 0.8 x alone, <= 200 threads, <= 150 MiB",
                     valid && ratio >= 0.8 && threads <= 200 && rss <= 150});
  }

  // --- 10. The sync server against the callback API --------------------------------------

  // The servers are gRPC's sync server: a call holds a thread until its response is sent.
  // The alternative is the callback API. Both sides of that choice, on the echo baseline
  // (no database, so only the server model differs), served each way: throughput and CPU per
  // call at the benchmark's concurrency, then the same beside one caller holding unread
  // calls, with the server's threads and memory. Neither echo server has per-caller limits
  // (the services do, scenario 9): this is what the server model alone gives.
  void SyncAgainstCallbackApi() {
    constexpr int kConnections = 20;
    Section(absl::StrCat("10. The echo baseline as a sync server and through the callback API: ", s_.concurrency,
                         " in flight, alone and beside ", kConnections, " x 64 unread calls (h2load, window 0)"));
    std::unique_ptr<ServerProcess> callback = StartServer(
        "echo-callback", "bench/echo_server", "ladder.bench.v1.EchoService", nullptr, {"--callback_api"}, "personnel");
    std::unique_ptr<bv1::EchoService::Stub> callback_stub = bv1::EchoService::NewStub(Channel(*callback));
    struct Side {
      std::string label;
      ServerProcess* server;
      bv1::EchoService::Stub* stub;
      Result alone, beside;
      int64_t threads_idle = 0, threads_beside = 0;
      double rss_beside = 0;
    };
    std::vector<Side> sides(2);
    sides[0].label = "sync server";
    sides[0].server = echo_.get();
    sides[0].stub = echo_stub_.get();
    sides[1].label = "callback API";
    sides[1].server = callback.get();
    sides[1].stub = callback_stub.get();
    for (Side& side : sides) {
      side.threads_idle = side.server->Threads();
      side.alone = Measured({side.server->pid()}, [&] { return EchoLoadOn(side.stub, Window(s_.concurrency)); });
    }
    for (Side& side : sides) {
      const pid_t reader = StartSlowReaderOf(kConnections, side.server->address(), "/ladder.bench.v1.EchoService/Echo");
      if (reader < 0) {
        Note("h2load (Debian's nghttp2-client) is not installed: scenario skipped");
        return;
      }
      side.beside = Measured({side.server->pid()}, [&] { return EchoLoadOn(side.stub, Window(s_.concurrency)); });
      side.threads_beside = side.server->Threads();
      side.rss_beside = Mib(side.server->RssKib());
      kill(reader, SIGKILL);
      waitpid(reader, nullptr, 0);
    }
    bool valid = true;
    for (Side& side : sides) {
      valid &= Expect(side.alone, absl::StrCat("echo, ", side.label, ", alone"));
      Detail(absl::StrCat("E ", side.label, ", alone"), side.alone);
      // Beside the slow reader the sync server without per-caller limits may run out of
      // threads and refuse: that is a figure here, not an error of the benchmark.
      Detail(absl::StrCat("E ", side.label, ", beside the slow reader"), side.beside);
      Note(
          absl::StrFormat("%-12s %5d threads idle, %5d beside the slow reader, %.1f MiB; normal calls "
                          "beside it: %d ok, %d failed%s%s",
                          side.label, side.threads_idle, side.threads_beside, side.rss_beside, side.beside.calls,
                          side.beside.failures, side.beside.first_error.empty() ? "" : ": ", side.beside.first_error));
    }
    const Side& sync = sides[0];
    const Side& async = sides[1];
    rows_.push_back(
        {"10", "echo through the callback API vs the sync server (QPS, 16 in flight)",
         absl::StrFormat("callback %.0f qps, %.0f us server CPU a call", async.alone.Qps(), async.alone.server_cpu_us),
         absl::StrFormat("sync %.0f qps, %.0f us", sync.alone.Qps(), sync.alone.server_cpu_us),
         absl::StrFormat("%.2f x sync", async.alone.Qps() / sync.alone.Qps()), "(measured, no target)",
         valid ? std::nullopt : std::optional<bool>(false)});
    rows_.push_back({"10", absl::StrCat("echo beside ", kConnections, " x 64 unread calls, no per-caller limits"),
                     absl::StrFormat("callback: %d threads, %.1f MiB, %.0f qps, %d failed", async.threads_beside,
                                     async.rss_beside, async.beside.Qps(), async.beside.failures),
                     absl::StrFormat("sync: %d threads, %.1f MiB, %.0f qps, %d failed", sync.threads_beside,
                                     sync.rss_beside, sync.beside.Qps(), sync.beside.failures),
                     "", "(measured, no target)", valid ? std::nullopt : std::optional<bool>(false)});
  }

  // --- 7. Memory --------------------------------------------------------------------------

  void Memory() {
    Section("7. Resident memory (VmRSS; peak VmHWM)");
    const std::vector<ServerProcess*> servers = Servers();
    for (size_t i = 0; i < servers.size(); ++i) {
      ServerProcess& server = *servers[i];
      const double idle = Mib(idle_rss_kib_[i]);
      const double loaded = Mib(server.RssKib());
      const double peak = Mib(server.PeakRssKib());
      Note(absl::StrFormat("%-10s idle %6.1f MiB  after the load %6.1f MiB  peak %6.1f MiB", server.name(), idle,
                           loaded, peak));
      if (&server == echo_.get()) continue;
      rows_.push_back({"7", absl::StrCat("memory, ", server.name(), "_server (RSS)"),
                       absl::StrFormat("idle %.1f MiB, loaded %.1f MiB (peak %.1f)", idle, loaded, peak), "", "",
                       "<= 50 idle, <= 150 loaded", idle <= 50 && loaded <= 150});
    }
  }

  // --- the table -------------------------------------------------------------------------

  void Report() {
    std::vector<Row> ordered = rows_;
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const Row& a, const Row& b) { return std::stoi(a.number) < std::stoi(b.number); });
    Say(absl::StrCat("\n", TextTable(ordered)));
    if (s_.smoke) Say("(a smoke run: it checks that the benchmark works; its figures measure nothing)");
    if (checksum_ == 42) Say("");  // keeps the raw reads from being optimised away
    if (s_.markdown.empty()) return;
    std::ofstream out(s_.markdown);
    out << MarkdownTable(ordered)
        << "\nDetails: each side over all its rounds. CPU per call is what the load generator, "
           "the server(s) and the database spent per completed call (from /proc/PID/stat).\n\n```\n"
        << absl::StrJoin(details_, "\n") << "\n```\n";
    if (!out) Fail(absl::StrCat("cannot write ", s_.markdown));
  }

  Settings s_;
  Branch branch_;
  int64_t cycle_id_ = 0;
  int database_pid_ = -1;
  std::unique_ptr<testing::ScratchDatabase> personnel_db_, evaluation_db_, careerpath_db_;
  // The load generator's TLS and token (CallerCredentials), for every channel it opens.
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::unique_ptr<ServerProcess> echo_, personnel_, evaluation_, careerpath_;
  std::vector<int64_t> idle_rss_kib_;
  std::unique_ptr<bv1::EchoService::Stub> echo_stub_;
  std::unique_ptr<pv1::PersonnelService::Stub> personnel_stub_;
  std::unique_ptr<ev1::EvaluationService::Stub> evaluation_stub_;
  std::unique_ptr<cv1::CareerPathService::Stub> careerpath_stub_;
  std::unique_ptr<db::ConnectionPool> raw_personnel_, raw_evaluation_;
  std::atomic<int64_t> checksum_{0};
  std::vector<Row> rows_;
  std::vector<std::string> details_;
  bool failed_ = false;
};

}  // namespace
}  // namespace ladder::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("ladder_bench: Ladder against its baselines, as ratios. Run it with scripts/bench.sh.");
  absl::ParseCommandLine(argc, argv);
  // The scratch databases' migrations log at info; the benchmark's own lines are enough.
  spdlog::set_level(spdlog::level::warn);
  ladder::bench::Settings settings = ladder::bench::ReadSettings();
  // Before any thread exists, so every thread of the client inherits the placement.
  ladder::bench::PinCurrentThread(settings.client_cpu);
  ladder::bench::Benchmark benchmark(std::move(settings));
  return benchmark.Run();
}
