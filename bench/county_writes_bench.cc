// county_writes_bench: do writes in different counties wait on each other?
//
// Runs personnel_server replicas (one per database node given) and N clients that move
// customer managers between junior and intermediate — the transaction of a promotion or a
// demotion, which locks and writes its county's row and counts the county — in two shapes,
// interleaved in rounds:
//   one county     N clients, all in one county: they must queue on that county's row;
//   N counties     one client per county: nothing should make them wait on each other.
// Prints, for each, throughput, p99, InnoDB row-lock waits per call (summed over the nodes)
// and the calls that failed ABORTED, and the ratio of the two throughputs. Targets: across
// counties at least 1.5 × one county, under 0.05 lock waits per call, no ABORTED.
// Then the change feed: the across-counties shape on replicas started with --change_feed=false
// against the same shape with it (what the outbox costs a ChangeLevel: target at most 10%),
// and, while the feed is on, a WatchChanges consumer's delay from each change's commit to its
// delivery (p50, p99).
//
//   county_writes_bench --sockets=/path/a.sock[,/path/b.sock,/path/c.sock] --pki_dir=DIR
//
// With one socket: replicas on one server (--replicas of them, default 1); with several: one
// replica per node of a cluster. scripts/bench.sh runs it on both.

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/barrier.h"
#include "absl/time/clock.h"
#include "bench/dataset.h"
#include "bench/load.h"
#include "bench/processes.h"
#include "bench/security.h"
#include "common/db/connection_pool.h"
#include "common/db/migration.h"
#include "cppconn/exception.h"
#include "cppconn/resultset.h"
#include "grpcpp/create_channel.h"
#include "ladder/personnel/v1/personnel_service.grpc.pb.h"
#include "services/personnel/migrations.h"

ABSL_FLAG(std::string, sockets, "",
          "comma-separated unix sockets of the database nodes; @galera: those of "
          "LADDER_TEST_GALERA_SOCKETS (tests/integration/galera/with_galera_cluster.sh)");
ABSL_FLAG(std::string, user, "ladder", "database user");
ABSL_FLAG(std::string, password, "ladder", "database password");
ABSL_FLAG(std::string, topology, "", "how the table names the topology");
ABSL_FLAG(int, replicas, 0, "personnel replicas (default: one per socket)");
ABSL_FLAG(int, clients, 32, "concurrent clients, and counties in the spread shape");
ABSL_FLAG(int, managers_per_county, 200, "customer managers loaded per county");
ABSL_FLAG(absl::Duration, window, absl::Seconds(4), "measured time of each run");
ABSL_FLAG(int, rounds, 2, "rounds of the two shapes, interleaved");
ABSL_FLAG(std::string, pki_dir, "", "development PKI (default LADDER_TEST_PKI_DIR)");
ABSL_FLAG(std::string, build_dir, "build", "where the servers are built");
ABSL_FLAG(std::string, policy_dir, "config/policy", "policy files for the servers");
ABSL_FLAG(std::string, log_dir, "/tmp", "where the servers' logs go");
ABSL_FLAG(std::string, markdown, "", "append the result rows to this Markdown file");

namespace ladder::bench {
namespace {

namespace pv1 = ::ladder::personnel::v1;
using common::v1::Level;

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "county_writes_bench: %s\n", message.c_str());
  std::exit(1);
}

template <typename T>
T Must(absl::StatusOr<T> value, const std::string& what) {
  if (!value.ok()) Fail(absl::StrCat(what, ": ", value.status().ToString()));
  return *std::move(value);
}

int64_t QueryInt(const db::DatabaseOptions& node, const std::string& sql) {
  auto connection = Must(db::Connection::Open(node, true), "connecting");
  try {
    std::unique_ptr<sql::ResultSet> rows(connection->Prepare(sql).executeQuery());
    if (!rows->next()) return 0;
    return rows->getInt64(rows->getMetaData()->getColumnCount());
  } catch (const sql::SQLException& e) {
    Fail(absl::StrCat(sql, ": ", e.what()));
  }
}

std::vector<int64_t> QueryIds(const db::DatabaseOptions& node, const std::string& sql) {
  auto connection = Must(db::Connection::Open(node, true), "connecting");
  std::vector<int64_t> ids;
  try {
    std::unique_ptr<sql::ResultSet> rows(connection->Prepare(sql).executeQuery());
    while (rows->next()) ids.push_back(rows->getInt64(1));
  } catch (const sql::SQLException& e) {
    Fail(absl::StrCat(sql, ": ", e.what()));
  }
  return ids;
}

// Row-lock waits so far, over every node.
int64_t RowLockWaits(const std::vector<db::DatabaseOptions>& nodes) {
  int64_t total = 0;
  for (const db::DatabaseOptions& node : nodes) {
    total += QueryInt(node, "SHOW GLOBAL STATUS LIKE 'Innodb_row_lock_waits'");
  }
  return total;
}

// One client's employees and the level each holds now.
struct Worklist {
  std::vector<int64_t> ids;
  std::vector<Level> levels;
};

struct Run {
  Result result;
  int64_t aborted = 0;
  int64_t lock_waits = 0;
};

Run Measure(const std::vector<std::unique_ptr<pv1::PersonnelService::Stub>>& stubs, std::vector<Worklist>& work,
            const std::vector<db::DatabaseOptions>& nodes, absl::Duration window, const std::string& tag) {
  const int clients = static_cast<int>(work.size());
  std::vector<Result> per_client(clients);
  std::vector<int64_t> aborted(clients, 0);
  absl::Barrier* start = new absl::Barrier(clients + 1);
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      pv1::PersonnelService::Stub& stub = *stubs[c % stubs.size()];
      Worklist& mine = work[c];
      if (start->Block()) delete start;
      for (size_t n = 0; !stop.load(std::memory_order_relaxed); ++n) {
        const size_t i = n % mine.ids.size();
        const Level from = mine.levels[i];
        const Level to = from == Level::LEVEL_JUNIOR ? Level::LEVEL_INTERMEDIATE : Level::LEVEL_JUNIOR;
        pv1::ChangeLevelRequest request;
        request.set_name(absl::StrCat("employees/", mine.ids[i]));
        request.set_expected_level(from);
        request.set_level(to);
        request.set_reason("benchmark");
        request.set_request_id(absl::StrCat(tag, "-", c, "-", n));
        pv1::Employee employee;
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        const Clock::time_point began = Clock::now();
        const grpc::Status status = stub.ChangeLevel(&context, request, &employee);
        const double micros = std::chrono::duration<double, std::micro>(Clock::now() - began).count();
        if (status.ok()) {
          ++per_client[c].calls;
          per_client[c].latencies_us.push_back(static_cast<float>(micros));
          mine.levels[i] = to;
        } else {
          ++per_client[c].failures;
          if (status.error_code() == grpc::StatusCode::ABORTED) ++aborted[c];
          if (per_client[c].first_error.empty()) per_client[c].first_error = status.error_message();
          // The outcome is unknown: learn the level held now before the next move.
          pv1::GetEmployeeRequest get;
          get.set_name(request.name());
          grpc::ClientContext again;
          if (stub.GetEmployee(&again, get, &employee).ok()) mine.levels[i] = employee.level();
        }
      }
    });
  }
  const int64_t waits_before = RowLockWaits(nodes);
  if (start->Block()) delete start;
  const absl::Time began = absl::Now();
  absl::SleepFor(window);
  stop = true;
  for (std::thread& thread : threads) thread.join();
  Run run;
  run.result.seconds = absl::ToDoubleSeconds(absl::Now() - began);
  for (int c = 0; c < clients; ++c) {
    run.result.calls += per_client[c].calls;
    run.result.failures += per_client[c].failures;
    run.result.latencies_us.insert(run.result.latencies_us.end(), per_client[c].latencies_us.begin(),
                                   per_client[c].latencies_us.end());
    if (run.result.first_error.empty()) run.result.first_error = per_client[c].first_error;
    run.aborted += aborted[c];
  }
  run.lock_waits = RowLockWaits(nodes) - waits_before;
  return run;
}

// The cursor at the feed's end: a consumer starting there sees only what comes next.
std::string EndOfFeed(pv1::PersonnelService::Stub& stub) {
  pv1::ListChangesRequest request;
  request.set_page_size(1000);
  while (true) {
    grpc::ClientContext context;
    pv1::ListChangesResponse page;
    const grpc::Status status = stub.ListChanges(&context, request, &page);
    if (!status.ok()) Fail(absl::StrCat("ListChanges: ", status.error_message()));
    request.set_cursor(page.next_cursor());
    if (page.changes_size() < request.page_size()) return request.cursor();
  }
}

// Follows the feed on `stub` from its end until `stop`, recording for each change the delay
// from its change_time to its arrival.
void FollowFeed(pv1::PersonnelService::Stub& stub, const std::atomic<bool>& stop, std::vector<float>& delays_ms) {
  grpc::ClientContext context;
  pv1::WatchChangesRequest request;
  request.set_cursor(EndOfFeed(stub));
  std::unique_ptr<grpc::ClientReader<pv1::WatchChangesResponse>> stream = stub.WatchChanges(&context, request);
  std::thread canceller([&] {
    while (!stop.load()) absl::SleepFor(absl::Milliseconds(20));
    context.TryCancel();
  });
  pv1::WatchChangesResponse message;
  while (stream->Read(&message)) {
    const absl::Time arrived = absl::Now();
    for (const pv1::Change& change : message.changes()) {
      const absl::Time made =
          absl::FromUnixSeconds(change.change_time().seconds()) + absl::Nanoseconds(change.change_time().nanos());
      delays_ms.push_back(static_cast<float>(absl::ToDoubleMilliseconds(arrived - made)));
    }
  }
  stream->Finish();
  canceller.join();
}

double Quantile(std::vector<float> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(q * static_cast<double>(values.size())))];
}

int Main() {
  std::string socket_list = absl::GetFlag(FLAGS_sockets);
  if (socket_list == "@galera") {
    const char* cluster = std::getenv("LADDER_TEST_GALERA_SOCKETS");
    socket_list = cluster != nullptr ? cluster : "";
  }
  const std::vector<std::string> sockets = absl::StrSplit(socket_list, ',', absl::SkipEmpty());
  if (sockets.empty()) Fail("--sockets names no database node");
  const std::string database = absl::StrCat("ladder_bench_writes_", getpid());
  std::vector<db::DatabaseOptions> nodes;
  for (const std::string& socket : sockets) {
    db::DatabaseOptions options;
    options.socket = socket;
    options.user = absl::GetFlag(FLAGS_user);
    options.password = absl::GetFlag(FLAGS_password);
    options.database = database;
    nodes.push_back(options);
  }
  const int clients = absl::GetFlag(FLAGS_clients);
  const std::string pki_dir = Must(PkiDir(absl::GetFlag(FLAGS_pki_dir)), "the PKI");

  if (absl::Status migrated = db::ApplyMigrations(nodes[0], personnel::Migrations()); !migrated.ok()) {
    Fail(absl::StrCat("migrating: ", migrated.ToString()));
  }
  BranchShape shape;
  shape.counties = clients + 1;
  shape.managers_per_county = absl::GetFlag(FLAGS_managers_per_county);
  shape.teams_per_county = 2;
  const Branch branch = Must(LoadBranch(nodes[0], shape), "loading the branch");

  // Juniors of the first county, dealt to the clients; then the juniors of one county each.
  const auto juniors_of = [&](int64_t county) {
    return QueryIds(nodes[0], absl::StrCat("SELECT id FROM employees WHERE county_id = ", county,
                                           " AND level = ", static_cast<int>(Level::LEVEL_JUNIOR), " ORDER BY id"));
  };
  std::vector<Worklist> one_county(clients), spread(clients);
  const std::vector<int64_t> shared = juniors_of(branch.county_ids[0]);
  if (static_cast<int>(shared.size()) < clients) Fail("too few juniors in one county for the clients");
  for (size_t i = 0; i < shared.size(); ++i) {
    one_county[i % clients].ids.push_back(shared[i]);
    one_county[i % clients].levels.push_back(Level::LEVEL_JUNIOR);
  }
  for (int c = 0; c < clients; ++c) {
    for (int64_t id : juniors_of(branch.county_ids[c + 1])) {
      spread[c].ids.push_back(id);
      spread[c].levels.push_back(Level::LEVEL_JUNIOR);
    }
  }

  auto credentials = Must(CallerCredentials(pki_dir, "bench-writes"), "caller credentials");
  const int replicas =
      absl::GetFlag(FLAGS_replicas) > 0 ? absl::GetFlag(FLAGS_replicas) : static_cast<int>(nodes.size());
  std::vector<std::unique_ptr<ServerProcess>> servers;
  std::vector<std::unique_ptr<pv1::PersonnelService::Stub>> stubs, stubs_without_feed;
  for (int r = 0; r < 2 * replicas; ++r) {
    // The second set publishes nothing to the change feed: the baseline of its cost.
    const bool with_feed = r < replicas;
    const db::DatabaseOptions& node = nodes[r % nodes.size()];
    ServerSpec spec;
    spec.name = absl::StrCat("personnel-", r + 1, with_feed ? "" : "-without-feed");
    spec.binary = absl::StrCat(absl::GetFlag(FLAGS_build_dir), "/services/personnel/personnel_server");
    spec.health_service = "ladder.personnel.v1.PersonnelService";
    spec.credentials = credentials;
    spec.log_path = absl::StrCat(absl::GetFlag(FLAGS_log_dir), "/", spec.name, ".log");
    spec.args = {absl::StrCat("--policy_dir=", absl::GetFlag(FLAGS_policy_dir)), "--shutdown_grace=2s",
                 "--migrate=false",
                 // One token stands for all the clients: its limit is set high, not off.
                 "--max_calls_per_person=1000",
                 absl::StrCat("--database=mysql://", node.user, "@localhost/", node.database, "?socket=", node.socket),
                 absl::StrCat("--change_feed=", with_feed ? "true" : "false")};
    for (std::string& flag : ServerSecurityFlags(pki_dir, "personnel")) spec.args.push_back(std::move(flag));
    spec.environment["LADDER_DATABASE_PASSWORD"] = node.password;
    servers.push_back(Must(ServerProcess::Start(spec), absl::StrCat("starting ", spec.name)));
    grpc::ChannelArguments arguments;
    // A channel per client would be closer to N callers; one per replica is what a pool
    // of stubs in one caller looks like, and keeps the generator light.
    (with_feed ? stubs : stubs_without_feed)
        .push_back(pv1::PersonnelService::NewStub(
            grpc::CreateCustomChannel(servers.back()->address(), credentials, arguments)));
  }

  // A short warm-up of both shapes: connections, statement caches, buffer pool.
  Measure(stubs, one_county, nodes, absl::Seconds(1), "warm-one");
  Measure(stubs, spread, nodes, absl::Seconds(1), "warm-spread");
  Measure(stubs_without_feed, spread, nodes, absl::Seconds(1), "warm-without-feed");
  Run one, across, without_feed, followed;
  std::vector<float> feed_delays_ms;
  for (int round = 0; round < absl::GetFlag(FLAGS_rounds); ++round) {
    Run a = Measure(stubs, one_county, nodes, absl::GetFlag(FLAGS_window), absl::StrCat("one-", round));
    Run b = Measure(stubs, spread, nodes, absl::GetFlag(FLAGS_window), absl::StrCat("spread-", round));
    Run c =
        Measure(stubs_without_feed, spread, nodes, absl::GetFlag(FLAGS_window), absl::StrCat("without-feed-", round));
    without_feed.result.Merge(c.result);
    // The same writes with a consumer following the feed: its delays (and what a watch costs).
    std::atomic<bool> stop_following{false};
    std::thread follower([&] { FollowFeed(*stubs[0], stop_following, feed_delays_ms); });
    absl::SleepFor(absl::Milliseconds(300));  // the watch established
    Run d = Measure(stubs, spread, nodes, absl::GetFlag(FLAGS_window), absl::StrCat("followed-", round));
    absl::SleepFor(absl::Seconds(1));  // the last changes' delivery
    stop_following = true;
    follower.join();
    followed.result.Merge(d.result);
    one.result.Merge(a.result);
    one.aborted += a.aborted;
    one.lock_waits += a.lock_waits;
    across.result.Merge(b.result);
    across.aborted += b.aborted;
    across.lock_waits += b.lock_waits;
  }

  const std::string topology = absl::GetFlag(FLAGS_topology).empty()
                                   ? absl::StrCat(nodes.size(), " database node(s), ", replicas, " replica(s)")
                                   : absl::GetFlag(FLAGS_topology);
  const auto describe = [](Run& run) {
    const double calls = static_cast<double>(std::max<int64_t>(1, run.result.calls + run.result.failures));
    return absl::StrFormat("%.0f calls/s, p99 %.1f ms, %.3f lock waits/call, %d ABORTED, %d failed", run.result.Qps(),
                           run.result.QuantileMs(0.99), static_cast<double>(run.lock_waits) / calls, run.aborted,
                           run.result.failures);
  };
  const double ratio = one.result.Qps() > 0 ? across.result.Qps() / one.result.Qps() : 0;
  const double across_waits = static_cast<double>(across.lock_waits) /
                              static_cast<double>(std::max<int64_t>(1, across.result.calls + across.result.failures));
  const bool met = ratio >= 1.5 && across_waits < 0.05 && one.aborted == 0 && across.aborted == 0;
  const std::string one_line = describe(one);
  const std::string across_line = describe(across);
  std::printf(
      "county writes on %s, %d clients\n  one county:   %s\n  %d counties: %s\n"
      "  across / one county: %.2f (target >= 1.5, < 0.05 lock waits/call, 0 ABORTED): %s\n",
      topology.c_str(), clients, one_line.c_str(), clients, across_line.c_str(), ratio, met ? "met" : "NOT met");
  const double feed_cost = without_feed.result.Qps() > 0 ? 1.0 - across.result.Qps() / without_feed.result.Qps() : 0;
  const bool feed_met = feed_cost <= 0.10 && !feed_delays_ms.empty() && Quantile(feed_delays_ms, 0.99) < 1000;
  const std::string feed_line = absl::StrFormat(
      "with the feed %.0f calls/s, without %.0f calls/s: %.1f%% lower (target <= 10%%); followed by a watch "
      "%.0f calls/s, commit to delivery p50 %.0f ms, p99 %.0f ms over %d changes (target < 1 s)",
      across.result.Qps(), without_feed.result.Qps(), 100 * feed_cost, followed.result.Qps(),
      Quantile(feed_delays_ms, 0.5), Quantile(feed_delays_ms, 0.99), static_cast<int>(feed_delays_ms.size()));
  std::printf("  change feed, %d counties: %s: %s\n", clients, feed_line.c_str(), feed_met ? "met" : "NOT met");
  if (!one.result.first_error.empty() || !across.result.first_error.empty()) {
    std::printf("  first error: %s\n",
                (one.result.first_error.empty() ? across.result.first_error : one.result.first_error).c_str());
  }
  if (const std::string path = absl::GetFlag(FLAGS_markdown); !path.empty()) {
    std::ofstream out(path, std::ios::app);
    out << "| 8 | county writes, " << topology << ": " << clients << " clients in " << clients
        << " counties (service) against " << clients << " in one county (baseline) | " << across_line << " | "
        << one_line << " | " << absl::StrFormat("%.2f", ratio) << " | ≥ 1.5, < 0.05 lock waits/call, 0 ABORTED | "
        << (met ? "met" : "**not met**") << " |\n";
    out << "| 8 | change feed, " << topology << ": ChangeLevel across " << clients
        << " counties with the feed (service) against without it (baseline), a WatchChanges consumer's delay | "
        << feed_line << " | | " << absl::StrFormat("%.3f", 1.0 - feed_cost) << " | ≥ 0.90, p99 < 1 s | "
        << (feed_met ? "met" : "**not met**") << " |\n";
  }
  // Best effort: a scratch database per run.
  if (auto connection = db::Connection::Open(nodes[0], false); connection.ok()) {
    servers.clear();
    try {
      (*connection)->Execute(absl::StrCat("DROP DATABASE `", database, "`"));
    } catch (const sql::SQLException&) {
    }
  }
  return met && feed_met ? 0 : 2;
}

}  // namespace
}  // namespace ladder::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("county_writes_bench --sockets=SOCKET[,SOCKET…] [--pki_dir=DIR]");
  absl::ParseCommandLine(argc, argv);
  return ladder::bench::Main();
}
