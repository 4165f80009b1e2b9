// Personnel replicas on a three-node Galera cluster (multi-primary), one replica per node,
// and careerpath replicas on two of the nodes: the senior cap (POLICY §3), exactly-once
// request ids and concurrent migrations hold where only written rows are certified and
// locks are not replicated.
//
// Run by with_galera_cluster.sh, which starts the cluster and names its nodes' sockets in
// LADDER_TEST_GALERA_SOCKETS.

#include <atomic>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/barrier.h"
#include "absl/synchronization/mutex.h"
#include "common/db/connection_pool.h"
#include "common/db/migration.h"
#include "common/db/transaction.h"
#include "cppconn/exception.h"
#include "cppconn/resultset.h"
#include "services/careerpath/migrations.h"
#include "services/evaluation/migrations.h"
#include "tests/services/personnel/personnel_test_base.h"
#include "tests/support/careerpath_test_server.h"
#include "tests/support/evaluation_test_server.h"

namespace ladder::testing {
namespace {

using Stub = pv1::PersonnelService::Stub;
using CareerStub = careerpath::v1::CareerPathService::Stub;
constexpr auto kJunior = Level::LEVEL_JUNIOR;
constexpr auto kIntermediate = Level::LEVEL_INTERMEDIATE;
constexpr auto kSenior = Level::LEVEL_SENIOR;
constexpr int kRounds = 3;

int Cap(int levelled) { return levelled * 20 / 100; }

int64_t IdOf(const std::string& name) {
  int64_t id = 0;
  EXPECT_TRUE(absl::SimpleAtoi(name.substr(name.rfind('/') + 1), &id)) << name;
  return id;
}

std::vector<db::DatabaseOptions> NodeOptions(const std::string& database) {
  std::vector<db::DatabaseOptions> nodes;
  const char* sockets = std::getenv("LADDER_TEST_GALERA_SOCKETS");
  if (sockets == nullptr) return nodes;
  for (absl::string_view socket : absl::StrSplit(sockets, ',', absl::SkipEmpty())) {
    db::DatabaseOptions options;
    options.socket = std::string(socket);
    const char* user = std::getenv("LADDER_TEST_GALERA_USER");
    const char* password = std::getenv("LADDER_TEST_GALERA_PASSWORD");
    options.user = user != nullptr ? user : "ladder";
    options.password = password != nullptr ? password : "ladder";
    options.database = database;
    nodes.push_back(std::move(options));
  }
  return nodes;
}

// Rows of one query on one node, after the node has applied everything the cluster
// committed before it (wsrep_sync_wait), as integers.
std::vector<std::vector<int64_t>> QueryNode(const db::DatabaseOptions& node, const std::string& sql) {
  std::vector<std::vector<int64_t>> result;
  absl::StatusOr<std::unique_ptr<db::Connection>> connection = db::Connection::Open(node, true);
  EXPECT_TRUE(connection.ok()) << connection.status();
  if (!connection.ok()) return result;
  try {
    (*connection)->Execute("SET SESSION wsrep_sync_wait = 1");
    std::unique_ptr<sql::ResultSet> rows((*connection)->Prepare(sql).executeQuery());
    const int columns = static_cast<int>(rows->getMetaData()->getColumnCount());
    while (rows->next()) {
      std::vector<int64_t>& row = result.emplace_back();
      for (int c = 1; c <= columns; ++c) row.push_back(rows->getInt64(c));
    }
  } catch (const sql::SQLException& e) {
    ADD_FAILURE() << sql << ": " << e.what();
  }
  return result;
}

// Sends a change the way docs/api.md tells a client to: ABORTED with CONCURRENT_UPDATE (a
// transaction's retry budget ran out) and UNAVAILABLE (the pool stayed busy) are sent again
// with the same request id after a jittered backoff, a bounded number of times. On a
// saturated host (the suite runs two tests at once on two cores) one county written from
// three nodes can outlast the server's budget; every guarantee checked below must hold for
// the calls sent again as well, so they are counted and printed, not hidden.
std::atomic<int> calls_sent_again{0};

grpc::Status SendAsAClientWould(const std::function<grpc::Status()>& send) {
  constexpr int kAttempts = 6;
  thread_local std::mt19937 generator{std::random_device{}()};
  absl::Duration backoff = absl::Milliseconds(100);
  for (int attempt = 1;; ++attempt) {
    grpc::Status status = send();
    const ErrorView view = ViewOf(status);
    const bool retryable = view.code == grpc::StatusCode::UNAVAILABLE ||
                           (view.code == grpc::StatusCode::ABORTED && view.reason == "CONCURRENT_UPDATE");
    if (!retryable || attempt == kAttempts) return status;
    ++calls_sent_again;
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    absl::SleepFor(backoff * jitter(generator));
    backoff = std::min(backoff * 2, absl::Seconds(2));
  }
}

class GaleraClusterTest : public PersonnelServiceTestBase {
 protected:
  // An employee's recorded level changes as each node holds them, for a failure message.
  // Galera interleaves AUTO_INCREMENT values by node, so an id tells where its change ran.
  static std::string ChangesOf(int64_t employee_id) {
    std::string text;
    for (size_t n = 0; n < nodes_->size(); ++n) {
      absl::StrAppend(&text, "\n  node ", n + 1,
                      " (id, kind, from county/version, to county/version, "
                      "commit µs):");
      for (const auto& row :
           QueryNode((*nodes_)[n], absl::StrCat("SELECT id, kind, from_county_id, from_county_version, "
                                                "to_county_id, to_county_version, "
                                                "CAST(UNIX_TIMESTAMP(commit_time) * 1000000 AS SIGNED) "
                                                "FROM level_changes WHERE employee_id = ",
                                                employee_id, " ORDER BY id"))) {
        absl::StrAppend(&text, "\n    ", absl::StrJoin(row, ", "));
      }
    }
    return text;
  }

  static void SetUpTestSuite() {
    nodes_ = new std::vector<db::DatabaseOptions>(NodeOptions(DatabaseName("")));
    ASSERT_EQ(nodes_->size(), 3u) << "LADDER_TEST_GALERA_SOCKETS must name three nodes: run this test through "
                                     "tests/integration/galera/with_galera_cluster.sh";
    // Every replica migrates at start, as `--migrate` does, all at once.
    std::vector<absl::Status> migrated = MigrateTogether(*nodes_, personnel::Migrations());
    for (const absl::Status& status : migrated) ASSERT_TRUE(status.ok()) << status;
    replicas_ = new std::vector<std::unique_ptr<PersonnelTestServer>>();
    for (const db::DatabaseOptions& node : *nodes_) {
      auto replica = PersonnelTestServer::Start(node);
      ASSERT_TRUE(replica.ok()) << replica.status();
      replicas_->push_back(*std::move(replica));
    }
    // The base class's builders call the first replica.
    server_ = replicas_->front().get();

    // Careerpath replicas on nodes 1 and 3, each calling the personnel replica of its node;
    // evaluation on node 2. Their databases are migrated through all three nodes at once.
    for (const auto& [suffix, migrations] : std::vector<std::pair<std::string, const std::vector<db::Migration>*>>{
             {"_evaluation", &evaluation::Migrations()}, {"_careerpath", &careerpath::Migrations()}}) {
      for (const absl::Status& status : MigrateTogether(NodeOptions(DatabaseName(suffix)), *migrations)) {
        ASSERT_TRUE(status.ok()) << suffix << ": " << status;
      }
    }
    auto evaluation =
        EvaluationTestServer::Start(NodeOptions(DatabaseName("_evaluation"))[1], (*replicas_)[1]->address());
    ASSERT_TRUE(evaluation.ok()) << evaluation.status();
    evaluation_ = evaluation->release();
    careerpath_ = new std::vector<std::unique_ptr<CareerPathTestServer>>();
    for (size_t node : {0u, 2u}) {
      auto careerpath = CareerPathTestServer::Start(NodeOptions(DatabaseName("_careerpath"))[node],
                                                    (*replicas_)[node]->address(), evaluation_->address());
      ASSERT_TRUE(careerpath.ok()) << careerpath.status();
      careerpath_->push_back(*std::move(careerpath));
    }
  }
  void TearDown() override {
    const int again = calls_sent_again.exchange(0);
    RecordProperty("calls_sent_again", again);
    std::cout << "calls sent again after CONCURRENT_UPDATE or UNAVAILABLE: " << again << std::endl;
  }

  static void TearDownTestSuite() {
    delete careerpath_;
    careerpath_ = nullptr;
    delete evaluation_;
    evaluation_ = nullptr;
    server_ = nullptr;
    delete replicas_;
    replicas_ = nullptr;
    if (nodes_ != nullptr && !nodes_->empty()) {
      if (auto connection = db::Connection::Open(nodes_->front(), false); connection.ok()) {
        for (const std::string& database :
             {nodes_->front().database, DatabaseName("_evaluation"), DatabaseName("_careerpath")}) {
          try {
            (*connection)->Execute(absl::StrCat("DROP DATABASE IF EXISTS `", database, "`"));
          } catch (const sql::SQLException&) {
            // The cluster's data is thrown away with it.
          }
        }
      }
    }
    delete nodes_;
    nodes_ = nullptr;
  }

  // This run's database of a service: personnel's (""), "_evaluation" or "_careerpath".
  static std::string DatabaseName(const std::string& suffix) {
    return absl::StrCat("ladder_galera_", getpid(), suffix);
  }

  // Runs ApplyMigrations against every node at the same moment.
  static std::vector<absl::Status> MigrateTogether(const std::vector<db::DatabaseOptions>& nodes,
                                                   const std::vector<db::Migration>& migrations) {
    std::vector<absl::Status> results(nodes.size());
    absl::Barrier* start = new absl::Barrier(static_cast<int>(nodes.size()));
    std::vector<std::thread> threads;
    for (size_t i = 0; i < nodes.size(); ++i) {
      threads.emplace_back([&, i] {
        if (start->Block()) delete start;
        results[i] = db::ApplyMigrations(nodes[i], migrations);
      });
    }
    for (std::thread& thread : threads) thread.join();
    return results;
  }

  static Stub& ReplicaStub(size_t i) {
    thread_local std::map<size_t, std::unique_ptr<Stub>> stubs;
    std::unique_ptr<Stub>& stub = stubs[i];
    if (stub == nullptr) stub = (*replicas_)[i % replicas_->size()]->NewStub();
    return *stub;
  }

  static CareerStub& CareerPathStub(size_t i) {
    thread_local std::map<size_t, std::unique_ptr<CareerStub>> stubs;
    std::unique_ptr<CareerStub>& stub = stubs[i];
    if (stub == nullptr) stub = (*careerpath_)[i % careerpath_->size()]->NewStub();
    return *stub;
  }

  inline static std::vector<db::DatabaseOptions>* nodes_ = nullptr;
  inline static EvaluationTestServer* evaluation_ = nullptr;
  inline static std::vector<std::unique_ptr<CareerPathTestServer>>* careerpath_ = nullptr;
  inline static std::vector<std::unique_ptr<PersonnelTestServer>>* replicas_ = nullptr;
};

// What one racing call got.
struct CallResult {
  grpc::Status status;
  pv1::Employee employee;
};

TEST_F(GaleraClusterTest, ReplicasStartedTogetherMigrateOnce) {
  // Fresh databases, so every migration of each service runs in the race.
  for (const auto& [service, migrations] : std::vector<std::pair<std::string, const std::vector<db::Migration>*>>{
           {"personnel", &personnel::Migrations()},
           {"evaluation", &evaluation::Migrations()},
           {"careerpath", &careerpath::Migrations()}}) {
    const std::vector<db::DatabaseOptions> nodes =
        NodeOptions(absl::StrCat("ladder_galera_start_", service, "_", getpid()));
    std::vector<absl::Status> results = MigrateTogether(nodes, *migrations);
    for (size_t i = 0; i < results.size(); ++i) {
      EXPECT_TRUE(results[i].ok()) << service << " replica on node " << i + 1 << ": " << results[i];
    }
    for (const db::DatabaseOptions& node : nodes) {
      const auto applied = QueryNode(node, "SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations");
      ASSERT_EQ(applied.size(), 1u);
      EXPECT_EQ(applied[0][0], static_cast<int64_t>(migrations->size())) << service << " on " << node.socket;
      EXPECT_EQ(applied[0][1], static_cast<int64_t>(migrations->size()));
      EXPECT_EQ(QueryNode(node, "SELECT COUNT(*) FROM schema_migration_lock")[0][0], 0) << "lock released";
    }
    if (auto connection = db::Connection::Open(nodes.front(), false); connection.ok()) {
      try {
        (*connection)->Execute(absl::StrCat("DROP DATABASE `", nodes.front().database, "`"));
      } catch (const sql::SQLException& e) {
        ADD_FAILURE() << e.what();
      }
    }
  }
}

// Rounds of 96 calls at once on one county, spread over the three replicas: promotions to
// senior, transfers-in of seniors and exits, every one sent twice with one request id to
// two different replicas. On every node the county ends within its cap, each employee
// changed at most once, and the county's history replayed in commit order never passes
// the cap either.
TEST_F(GaleraClusterTest, CapHoldsOnEveryNodeWhateverRacesAcrossReplicas) {
  const std::string city = CreateCityBranch().name();
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    // N = 50 with 5 seniors: cap 10. 30 intermediates race for 5 slots against 10 seniors
    // moving in, while 8 juniors leave (N shrinks, and with it the cap).
    const County target = MakeCounty(city, 15, 30, 5);
    const County source = MakeCounty(city, 40, 0, 10);
    const int64_t target_id = IdOf(target.name);
    const int64_t version_before =
        QueryNode((*nodes_)[0], absl::StrCat("SELECT head_count_version FROM org_units WHERE id = ", target_id))[0][0];

    struct Call {
      std::function<grpc::Status(Stub&, pv1::Employee*)> send;
      std::string employee;
    };
    std::vector<Call> calls;
    const std::string tag = Unique("r");
    for (const pv1::Employee& employee : target.intermediates) {
      calls.push_back({[=](Stub& stub, pv1::Employee* out) {
                         pv1::ChangeLevelRequest request;
                         request.set_name(employee.name());
                         request.set_expected_level(kIntermediate);
                         request.set_level(kSenior);
                         request.set_reason("race");
                         request.set_request_id(absl::StrCat(tag, "-promote-", employee.name()));
                         auto context = CallContext();
                         return stub.ChangeLevel(context.get(), request, out);
                       },
                       employee.name()});
    }
    for (const pv1::Employee& employee : source.seniors) {
      calls.push_back({[=](Stub& stub, pv1::Employee* out) {
                         pv1::TransferEmployeeRequest request;
                         request.set_name(employee.name());
                         request.set_county(target.name);
                         request.set_reason("race");
                         request.set_request_id(absl::StrCat(tag, "-transfer-", employee.name()));
                         auto context = CallContext();
                         return stub.TransferEmployee(context.get(), request, out);
                       },
                       employee.name()});
    }
    for (int i = 0; i < 8; ++i) {
      const pv1::Employee employee = target.juniors[i];
      calls.push_back({[=](Stub& stub, pv1::Employee* out) {
                         pv1::EndEmploymentRequest request;
                         request.set_name(employee.name());
                         request.set_reason(pv1::SEPARATION_REASON_RESIGNED);
                         request.set_request_id(absl::StrCat(tag, "-exit-", employee.name()));
                         auto context = CallContext();
                         return stub.EndEmployment(context.get(), request, out);
                       },
                       employee.name()});
    }
    // Each call twice, to two different replicas: 2 × 48 = 96 at once.
    const size_t threads_count = calls.size() * 2;
    ASSERT_GE(threads_count, 96u);
    std::vector<CallResult> results(threads_count);
    absl::Barrier* start = new absl::Barrier(static_cast<int>(threads_count));
    std::vector<std::thread> threads;
    for (size_t t = 0; t < threads_count; ++t) {
      threads.emplace_back([&, t] {
        const size_t call = t / 2;
        Stub& stub = ReplicaStub(call + t % 2);
        if (start->Block()) delete start;
        results[t].status = SendAsAClientWould([&] { return calls[call].send(stub, &results[t].employee); });
      });
    }
    for (std::thread& thread : threads) thread.join();

    int promoted = 0, refused = 0;
    for (size_t t = 0; t < threads_count; ++t) {
      const grpc::Status& status = results[t].status;
      if (status.ok()) {
        if (t % 2 == 1 && results[t - 1].status.ok()) {
          EXPECT_EQ(results[t].employee.etag(), results[t - 1].employee.etag())
              << "both callers of one request id get the first result: " << calls[t / 2].employee << " (replicas "
              << (t / 2) % 3 + 1 << " and " << (t / 2 + 1) % 3 + 1 << ")";
        }
        continue;
      }
      const ErrorView view = ViewOf(status);
      if (view.code == grpc::StatusCode::FAILED_PRECONDITION && view.reason == "SENIOR_CAP_REACHED") {
        ++refused;
        continue;
      }
      ADD_FAILURE() << calls[t / 2].employee << ": " << view.code << " " << view.reason << ": " << view.message;
    }
    EXPECT_GT(refused, 0) << "the race is meant to reach the cap";

    // Each employee changed at most once, though every request arrived twice.
    const auto per_employee = QueryNode(
        (*nodes_)[2], absl::StrCat("SELECT employee_id, COUNT(*) FROM level_changes WHERE (to_county_id = ", target_id,
                                   " OR from_county_id = ", target_id, ") AND to_county_version > ", version_before,
                                   " GROUP BY employee_id"));
    for (const auto& row : per_employee) {
      EXPECT_EQ(row[1], 1) << "employees/" << row[0] << " changed twice:" << ChangesOf(row[0]);
    }

    // The county's history in commit order (the versions its changes gave the county row):
    // consecutive, each step's recorded counts what a replay gives, never over the cap.
    const auto history = QueryNode(
        (*nodes_)[1],
        absl::StrCat("SELECT IF(to_county_id = ", target_id, ", to_county_version, from_county_version) AS v, ",
                     "from_county_id = ", target_id, " AND from_level > 0 AS was_counted, from_level, ",
                     "to_county_id = ", target_id, " AND to_level > 0 AS is_counted, to_level, ",
                     "IF(to_county_id = ", target_id, ", to_levelled, from_levelled), ",
                     "IF(to_county_id = ", target_id, ", to_seniors, from_seniors), ",
                     "employee_id, id, kind, from_county_id, from_county_version, to_county_id, to_county_version ",
                     "FROM level_changes WHERE (to_county_id = ", target_id, " AND to_county_version > ",
                     version_before, ") OR (from_county_id = ", target_id, " AND from_county_version > ",
                     version_before, ") ORDER BY v"));
    int levelled = 50, seniors = 5;
    int64_t expected_version = version_before;
    for (const auto& step : history) {
      EXPECT_EQ(step[0], ++expected_version) << "a gap in the county's commit order: " << absl::StrJoin(step, ",");
      if (step[1] == 1) {
        --levelled;
        if (step[2] == kSenior) --seniors;
      }
      if (step[3] == 1) {
        ++levelled;
        if (step[4] == kSenior) ++seniors;
      }
      EXPECT_EQ(step[5], levelled) << "at version " << step[0];
      EXPECT_EQ(step[6], seniors) << "at version " << step[0];
      if (step[3] == 1 && step[4] == kSenior && !(step[1] == 1 && step[2] == kSenior)) {
        EXPECT_LE(seniors, Cap(levelled)) << "over the cap at version " << step[0];
      }
    }
    // Every node holds the county the replay ends with. (Exits may leave it over its cap
    // afterwards, which the policy allows; no increase may.)
    const std::string count_sql =
        absl::StrCat("SELECT COUNT(*), COALESCE(SUM(level = ", static_cast<int>(kSenior),
                     "), 0) FROM employees WHERE county_id = ", target_id,
                     " AND role = ", static_cast<int>(pv1::ROLE_CUSTOMER_MANAGER),
                     " AND status = ", static_cast<int>(pv1::EMPLOYMENT_STATUS_ACTIVE), " AND level > 0");
    std::set<std::vector<int64_t>> seen;
    for (const db::DatabaseOptions& node : *nodes_) {
      const auto counts = QueryNode(node, count_sql);
      ASSERT_EQ(counts.size(), 1u);
      EXPECT_EQ(counts[0][0], levelled) << node.socket;
      EXPECT_EQ(counts[0][1], seniors) << node.socket;
      seen.insert(counts[0]);
      // And the counts the county row keeps for the cap check agree.
      const auto kept = QueryNode(node, absl::StrCat("SELECT juniors + intermediates + seniors, seniors "
                                                     "FROM org_units WHERE id = ",
                                                     target_id));
      ASSERT_EQ(kept.size(), 1u);
      EXPECT_EQ(kept[0][0], levelled) << node.socket;
      EXPECT_EQ(kept[0][1], seniors) << node.socket;
    }
    EXPECT_EQ(seen.size(), 1u) << "the nodes disagree";

    for (const CallResult& result : results) {
      if (!result.status.ok()) continue;
      if (result.employee.level() == kSenior && result.employee.county() == target.name) {
        ++promoted;
      }
    }
    EXPECT_GT(promoted, 0);
  }
}

// Promotions in six unrelated counties at once, over the three replicas: none waits for or
// conflicts with another county's (those within one county do, and are sent again as a
// client would), so all of them succeed.
TEST_F(GaleraClusterTest, UnrelatedPromotionsInSeveralCountiesAllSucceed) {
  const std::string city = CreateCityBranch().name();
  std::vector<pv1::Employee> juniors;
  for (int c = 0; c < 6; ++c) {
    const std::string county = CreateCounty(city).name();
    for (int i = 0; i < 16; ++i) juniors.push_back(CreateManagerAt(county, kJunior));
  }
  std::vector<grpc::Status> results(juniors.size());
  absl::Barrier* start = new absl::Barrier(static_cast<int>(juniors.size()));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < juniors.size(); ++i) {
    threads.emplace_back([&, i] {
      Stub& stub = ReplicaStub(i);
      pv1::ChangeLevelRequest request;
      request.set_name(juniors[i].name());
      request.set_expected_level(kJunior);
      request.set_level(kIntermediate);
      request.set_reason("unrelated");
      request.set_request_id(Unique("unrelated-"));
      pv1::Employee out;
      if (start->Block()) delete start;
      results[i] = SendAsAClientWould([&] {
        auto context = CallContext();
        return stub.ChangeLevel(context.get(), request, &out);
      });
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_THAT(results[i], IsOk()) << juniors[i].name();
  }

  // The change feed, read through each replica's own node: every promotion once, and the
  // same order everywhere (the sealers of three replicas take turns on one chain).
  std::set<std::string> promoted;
  for (const pv1::Employee& junior : juniors) promoted.insert(junior.name());
  std::vector<std::vector<std::string>> orders(replicas_->size());
  for (size_t r = 0; r < replicas_->size(); ++r) {
    SCOPED_TRACE(absl::StrCat("replica ", r));
    const absl::Time patience = absl::Now() + absl::Seconds(15);
    do {
      orders[r].clear();
      pv1::ListChangesRequest request;
      request.set_page_size(1000);
      request.add_kinds(pv1::Change::KIND_LEVEL_CHANGED);
      pv1::ListChangesResponse page;
      do {
        auto context = CallContext();
        ASSERT_THAT(ReplicaStub(r).ListChanges(context.get(), request, &page), IsOk());
        for (const pv1::Change& change : page.changes()) {
          if (promoted.count(change.employee()) == 1 && change.employee_after().level() == kIntermediate) {
            orders[r].push_back(change.employee());
          }
        }
        request.set_cursor(page.next_cursor());
      } while (page.changes_size() == 1000);
      if (orders[r].size() >= promoted.size()) break;
      absl::SleepFor(absl::Milliseconds(200));  // a replica's sealer may not have run yet
    } while (absl::Now() < patience);
    EXPECT_EQ(orders[r].size(), promoted.size());
    EXPECT_EQ(std::set<std::string>(orders[r].begin(), orders[r].end()), promoted) << "each once";
  }
  for (size_t r = 1; r < orders.size(); ++r) EXPECT_EQ(orders[r], orders[0]) << "replica " << r;
}

// One request id arriving at the three replicas at once, through three nodes: one effect,
// and every caller gets the first call's result.
TEST_F(GaleraClusterTest, OneRequestIdAtThreeReplicasHasOneEffect) {
  const std::string county = CreateCounty().name();
  constexpr int kRoundsOfCallers = 5;
  constexpr int kCallers = 12;
  for (int round = 0; round < kRoundsOfCallers; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    pv1::CreateEmployeeRequest request = EmployeeRequest(county);
    request.set_request_id(Unique("create-"));
    std::vector<CallResult> results(kCallers);
    absl::Barrier* start = new absl::Barrier(kCallers);
    std::vector<std::thread> threads;
    for (int i = 0; i < kCallers; ++i) {
      threads.emplace_back([&, i] {
        Stub& stub = ReplicaStub(i);
        if (start->Block()) delete start;
        results[i].status = SendAsAClientWould([&] {
          auto context = CallContext();
          return stub.CreateEmployee(context.get(), request, &results[i].employee);
        });
      });
    }
    for (std::thread& thread : threads) thread.join();
    for (const CallResult& result : results) {
      ASSERT_THAT(result.status, IsOk());
      EXPECT_EQ(result.employee.name(), results[0].employee.name());
      EXPECT_EQ(result.employee.etag(), results[0].employee.etag());
    }
    const auto created =
        QueryNode((*nodes_)[1], absl::StrCat("SELECT COUNT(*) FROM employees WHERE employee_number = '",
                                             request.employee().employee_number(), "'"));
    EXPECT_EQ(created[0][0], 1);
  }
}

// The audit trail written through three nodes at once is one intact chain on every node.
TEST_F(GaleraClusterTest, AuditTrailStaysOneIntactChain) {
  pv1::VerifyAuditTrailRequest request;
  std::set<std::string> heads;
  for (size_t i = 0; i < replicas_->size(); ++i) {
    pv1::VerifyAuditTrailResponse response;
    auto context = CallContext();
    ASSERT_THAT(ReplicaStub(i).VerifyAuditTrail(context.get(), request, &response), IsOk());
    EXPECT_TRUE(response.verification().intact()) << response.verification().problem();
    EXPECT_GT(response.verification().events_checked(), 100);
  }
  for (const db::DatabaseOptions& node : *nodes_) {
    const auto pending = QueryNode(node, "SELECT COUNT(*) FROM audit_pending");
    EXPECT_EQ(pending[0][0], 0) << "sealed everywhere";
  }
}

// A Galera node may roll a transaction back without telling the session (a replicated write
// aborted it, and the next statement succeeds). Simulated here by a ROLLBACK inside the
// body: what runs after it must never commit, whether more statements follow or none.
TEST_F(GaleraClusterTest, ATransactionRolledBackUnseenNeverCommitsItsRemainder) {
  const db::DatabaseOptions& node = (*nodes_)[0];
  {
    auto setup = db::Connection::Open(node, true);
    ASSERT_TRUE(setup.ok()) << setup.status();
    (*setup)->Execute(
        "CREATE TABLE IF NOT EXISTS unseen_rollbacks (id INT AUTO_INCREMENT PRIMARY KEY, "
        "note VARCHAR(20) NOT NULL)");
  }
  db::ConnectionPool pool(node);
  db::TransactionOptions options;
  options.max_attempts = 2;
  for (const bool more_after : {true, false}) {
    SCOPED_TRACE(more_after ? "statements after the rollback" : "nothing after the rollback");
    const absl::Status status = db::RunInTransaction(
        pool,
        [&](db::Connection& connection) -> absl::Status {
          connection.Execute("INSERT INTO unseen_rollbacks (note) VALUES ('before')");
          connection.Execute("ROLLBACK");
          if (more_after) connection.Execute("INSERT INTO unseen_rollbacks (note) VALUES ('after')");
          return absl::OkStatus();
        },
        options);
    EXPECT_EQ(status.code(), absl::StatusCode::kAborted) << status;
    for (const db::DatabaseOptions& each : *nodes_) {
      EXPECT_EQ(QueryNode(each, "SELECT COUNT(*) FROM unseen_rollbacks")[0][0], 0) << each.socket;
    }
  }
  // An ordinary transaction through the same sessions still commits.
  ASSERT_TRUE(db::RunInTransaction(pool, [](db::Connection& connection) -> absl::Status {
                connection.Execute("INSERT INTO unseen_rollbacks (note) VALUES ('kept')");
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(QueryNode((*nodes_)[2], "SELECT COUNT(*) FROM unseen_rollbacks")[0][0], 1);
}

// Careerpath replicas on two nodes: a nomination and its approval, each sent with one
// request id to both replicas at once, make one case and one change in personnel, and every
// caller gets the first call's result.
TEST_F(GaleraClusterTest, CareerPathReplicasOnTwoNodesDecideEachCaseOnce) {
  const std::string city = CreateCityBranch().name();
  const County county = MakeCounty(city, 15, 0, 3);
  constexpr int kCallers = 8;
  // Sends `send` from kCallers threads at once, alternating between the two replicas.
  auto together = [&](const std::function<grpc::Status(CareerStub&, careerpath::v1::Case*)>& send) {
    std::vector<grpc::Status> statuses(kCallers);
    std::vector<careerpath::v1::Case> cases(kCallers);
    absl::Barrier* start = new absl::Barrier(kCallers);
    std::vector<std::thread> threads;
    for (int i = 0; i < kCallers; ++i) {
      threads.emplace_back([&, i] {
        CareerStub& stub = CareerPathStub(i);
        if (start->Block()) delete start;
        statuses[i] = SendAsAClientWould([&] { return send(stub, &cases[i]); });
      });
    }
    for (std::thread& thread : threads) thread.join();
    for (int i = 0; i < kCallers; ++i) {
      EXPECT_THAT(statuses[i], IsOk()) << "caller " << i;
      EXPECT_EQ(cases[i].name(), cases[0].name()) << "caller " << i;
      EXPECT_EQ(cases[i].state(), cases[0].state()) << "caller " << i;
    }
    return cases[0];
  };
  for (const pv1::Employee& senior : county.seniors) {
    SCOPED_TRACE(senior.name());
    careerpath::v1::NominateCareerMoveRequest nominate;
    nominate.set_employee(senior.name());
    nominate.set_target(common::v1::CAREER_MOVE_TARGET_GROUP_DATA_SUPERVISOR);
    nominate.set_post_grade(9);
    nominate.set_reason("集团数据督导岗位空缺");
    nominate.set_request_id(Unique("nominate-"));
    const careerpath::v1::Case nominated = together([&](CareerStub& stub, careerpath::v1::Case* out) {
      auto context = CallContext();
      return stub.NominateCareerMove(context.get(), nominate, out);
    });
    careerpath::v1::ApproveCaseRequest approve;
    approve.set_name(nominated.name());
    approve.set_request_id(Unique("approve-"));
    const careerpath::v1::Case applied = together([&](CareerStub& stub, careerpath::v1::Case* out) {
      auto context = CallContext();
      return stub.ApproveCase(context.get(), approve, out);
    });
    EXPECT_EQ(applied.state(), careerpath::v1::Case::STATE_APPLIED);

    const int64_t employee_id = IdOf(senior.name());
    for (const db::DatabaseOptions& node : NodeOptions(DatabaseName("_careerpath"))) {
      EXPECT_EQ(QueryNode(node, absl::StrCat("SELECT COUNT(*) FROM cases WHERE employee_id = ", employee_id))[0][0], 1)
          << "one case, on " << node.socket;
    }
    for (const db::DatabaseOptions& node : *nodes_) {
      // Its three levels, then the one change that carries the case out.
      EXPECT_EQ(
          QueryNode(node, absl::StrCat("SELECT COUNT(*) FROM level_changes WHERE employee_id = ", employee_id))[0][0],
          4)
          << "one change in personnel, on " << node.socket;
    }
  }
}

}  // namespace
}  // namespace ladder::testing
