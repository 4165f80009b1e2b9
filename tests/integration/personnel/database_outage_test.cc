// A database outage under load: calls fail fast with UNAVAILABLE, health turns NOT_SERVING,
// and when the database returns the service serves again without a restart, with no
// transaction half-applied.

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/api/resource_name.h"
#include "common/db/connection_pool.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/personnel/migrations.h"
#include "tests/services/personnel/personnel_test_base.h"
#include "tests/support/mariadb_process.h"

namespace ladder::testing {
namespace {

using ::grpc::health::v1::Health;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;

HealthCheckResponse::ServingStatus HealthOf(Health::Stub& health) {
  HealthCheckRequest request;
  request.set_service("ladder.personnel.v1.PersonnelService");
  HealthCheckResponse response;
  auto context = CallContext(absl::Seconds(2));
  if (!health.Check(context.get(), request, &response).ok()) return HealthCheckResponse::UNKNOWN;
  return response.status();
}

// Polls `condition` until it holds or `timeout` passes; true if it held.
bool Eventually(absl::Duration timeout, const std::function<bool()>& condition) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return condition();
}

// A personnel server, serving, on a MariaDB of the test's own, with a city branch.
struct ServerOnOwnDatabase {
  std::unique_ptr<MariaDbProcess> mariadb;
  db::DatabaseOptions options;
  std::unique_ptr<PersonnelTestServer> server;
  std::unique_ptr<pv1::PersonnelService::Stub> stub;
  std::unique_ptr<Health::Stub> health;
  pv1::OrgUnit city;
};

// Starts `rig` on a database `name`, with its options changed by `adjust`.
void StartOnOwnDatabase(const std::string& name, const std::function<void(db::DatabaseOptions&)>& adjust,
                        ServerOnOwnDatabase& rig) {
  const std::string directory = absl::StrCat(::testing::TempDir(), name, "-", getpid());
  std::filesystem::remove_all(directory);
  auto mariadb = MariaDbProcess::Start(directory);
  ASSERT_TRUE(mariadb.ok()) << mariadb.status();
  rig.mariadb = *std::move(mariadb);
  rig.options = rig.mariadb->Options(name);
  adjust(rig.options);
  ASSERT_TRUE(db::ApplyMigrations(rig.options, personnel::Migrations()).ok());
  auto server = PersonnelTestServer::Start(rig.options);
  ASSERT_TRUE(server.ok()) << server.status();
  rig.server = *std::move(server);
  rig.stub = rig.server->NewStub();
  rig.health = Health::NewStub(rig.server->channel());
  ASSERT_TRUE(Eventually(absl::Seconds(10), [&] { return HealthOf(*rig.health) == HealthCheckResponse::SERVING; }));
  pv1::CreateOrgUnitRequest city_request;
  city_request.mutable_org_unit()->set_display_name("city");
  city_request.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_CITY_BRANCH);
  ASSERT_TRUE(rig.stub->CreateOrgUnit(CallContext().get(), city_request, &rig.city).ok());
}

TEST(DatabaseOutageTest, FailsFastWhileDownAndRecoversWithoutRestart) {
  ServerOnOwnDatabase rig;
  ASSERT_NO_FATAL_FAILURE(StartOnOwnDatabase(
      "ladder_outage",
      [](db::DatabaseOptions& options) {
        options.connect_timeout = absl::Seconds(1);
        options.io_timeout = absl::Seconds(3);
        options.acquire_timeout = absl::Seconds(1);
      },
      rig));
  const db::DatabaseOptions& options = rig.options;
  auto& stub = rig.stub;
  auto& health = rig.health;
  auto& mariadb = rig.mariadb;
  auto* server = &rig.server;
  const pv1::OrgUnit& city = rig.city;

  // Set-up: a county and a manager whose level the load keeps changing.
  pv1::OrgUnit county;
  pv1::CreateOrgUnitRequest county_request;
  county_request.mutable_org_unit()->set_display_name("county");
  county_request.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_COUNTY);
  county_request.mutable_org_unit()->set_parent(city.name());
  ASSERT_TRUE(stub->CreateOrgUnit(CallContext().get(), county_request, &county).ok());

  // Load: creates with request ids; each failed one is retried after the outage.
  std::atomic<int> next{0}, ok_calls{0}, unavailable{0}, other_errors{0};
  std::atomic<int64_t> slowest_failure_ms{0};
  absl::Mutex mu;
  std::vector<pv1::CreateEmployeeRequest> failed;
  absl::Notification stop;
  auto load = [&] {
    auto client = (*server)->NewStub();
    while (!stop.HasBeenNotified()) {
      const int i = next++;
      pv1::CreateEmployeeRequest request;
      request.set_request_id(absl::StrCat("outage-", i));
      pv1::Employee* e = request.mutable_employee();
      e->set_employee_number(absl::StrCat("OUT", i));
      e->set_display_name("负载");
      e->set_county(county.name());
      e->set_role(pv1::ROLE_CUSTOMER_MANAGER);
      e->set_entry_channel(pv1::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT);
      e->mutable_hire_date()->set_year(2024);
      e->mutable_hire_date()->set_month(1);
      e->mutable_hire_date()->set_day(1);
      pv1::Employee created;
      const absl::Time start = absl::Now();
      grpc::Status status = client->CreateEmployee(CallContext(absl::Seconds(20)).get(), request, &created);
      if (status.ok()) {
        ++ok_calls;
        continue;
      }
      const int64_t ms = absl::ToInt64Milliseconds(absl::Now() - start);
      int64_t seen = slowest_failure_ms.load();
      while (ms > seen && !slowest_failure_ms.compare_exchange_weak(seen, ms)) {
      }
      (status.error_code() == grpc::StatusCode::UNAVAILABLE ? unavailable : other_errors)++;
      absl::MutexLock lock(&mu);
      failed.push_back(request);
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back(load);
  ASSERT_TRUE(Eventually(absl::Seconds(10), [&] { return ok_calls.load() > 20; }));

  ASSERT_TRUE(mariadb->Kill().ok());
  EXPECT_TRUE(Eventually(absl::Seconds(10), [&] { return unavailable.load() > 5; }))
      << "calls did not fail with UNAVAILABLE";
  EXPECT_TRUE(Eventually(absl::Seconds(10), [&] { return HealthOf(*health) == HealthCheckResponse::NOT_SERVING; }));

  ASSERT_TRUE(mariadb->Restart().ok());
  EXPECT_TRUE(Eventually(absl::Seconds(30), [&] { return HealthOf(*health) == HealthCheckResponse::SERVING; }));
  const int ok_before = ok_calls.load();
  EXPECT_TRUE(Eventually(absl::Seconds(30), [&] { return ok_calls.load() > ok_before + 20; }))
      << "the service did not serve again after the database returned";
  stop.Notify();
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(other_errors.load(), 0);
  // Failing fast: well under the 20 s deadline the clients gave.
  EXPECT_LT(slowest_failure_ms.load(), 8000);

  // Every call that failed is retried with its request id; afterwards each employee number
  // exists exactly once, whether or not the failed attempt had committed.
  for (const auto& request : failed) {
    pv1::Employee created;
    grpc::Status status = stub->CreateEmployee(CallContext().get(), request, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }
  auto connection = db::Connection::Open(options);
  ASSERT_TRUE(connection.ok());
  std::unique_ptr<sql::ResultSet> rows(
      (*connection)
          ->Prepare("SELECT COUNT(*), COUNT(DISTINCT employee_number), "
                    "(SELECT COUNT(*) FROM request_log WHERE request_id LIKE 'outage-%') FROM employees")
          .executeQuery());
  ASSERT_TRUE(rows->next());
  EXPECT_EQ(rows->getInt(1), next.load());
  EXPECT_EQ(rows->getInt(2), next.load());
  // Each employee row committed together with its request record: none without the other.
  EXPECT_EQ(rows->getInt(3), next.load());
  server->reset();
}

// A frozen database (SIGSTOP: connections open, nothing answers, as with a hung host) must
// not hang the service: health turns NOT_SERVING within 5 s, a call fails within the
// server's own bounds even when its caller would wait longer, health comes back within 5 s
// of the database answering, and calls after that succeed.
TEST(DatabaseOutageTest, FrozenDatabaseFlipsHealthAndBoundsEveryCall) {
  // The production defaults but for the network bounds, shortened so that the test need not
  // keep the database frozen for 12 s: a call must end by them, not by its caller's deadline.
  ServerOnOwnDatabase rig;
  ASSERT_NO_FATAL_FAILURE(StartOnOwnDatabase(
      "ladder_frozen",
      [](db::DatabaseOptions& options) {
        options.io_timeout = absl::Seconds(4);
        options.connect_timeout = absl::Seconds(2);
        options.statement_timeout = absl::Seconds(3);
      },
      rig));
  auto get_city = [&](absl::Duration deadline) {
    pv1::GetOrgUnitRequest request;
    request.set_name(rig.city.name());
    pv1::OrgUnit unit;
    return rig.stub->GetOrgUnit(CallContext(deadline).get(), request, &unit);
  };
  // Connections idle for a while, as between bursts in production.
  absl::SleepFor(absl::Milliseconds(1500));

  ASSERT_TRUE(rig.mariadb->Freeze().ok());
  const absl::Time frozen_at = absl::Now();
  // A caller that would wait 40 s: the server's bounds end the call long before.
  std::thread patient([&] {
    const absl::Time start = absl::Now();
    grpc::Status status = get_city(absl::Seconds(40));
    const absl::Duration took = absl::Now() - start;
    EXPECT_FALSE(status.ok());
    std::printf("frozen database: a call with a 40 s deadline ended after %.1f s: %d %s\n", absl::ToDoubleSeconds(took),
                static_cast<int>(status.error_code()), status.error_message().c_str());
    // At most the read bound on a pooled connection, then the connect bound on a new one.
    EXPECT_LT(took, rig.options.io_timeout + rig.options.connect_timeout + absl::Seconds(2))
        << "the call was bounded by its caller's deadline only";
  });
  // The test server probes every 100 ms; a probe unanswered for 2 s has failed. (Were health
  // only to learn of the freeze from the probe's own read bound, it would take 4 s here.)
  EXPECT_TRUE(Eventually(absl::Milliseconds(3500), [&] {
    return HealthOf(*rig.health) == HealthCheckResponse::NOT_SERVING;
  })) << "health stayed SERVING with the database frozen";
  std::printf("frozen database: NOT_SERVING after %.1f s\n", absl::ToDoubleSeconds(absl::Now() - frozen_at));
  // Callers with short deadlines are answered by their deadline, whatever the server does.
  const absl::Time start = absl::Now();
  EXPECT_FALSE(get_city(absl::Seconds(2)).ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  patient.join();

  ASSERT_TRUE(rig.mariadb->Thaw().ok());
  const absl::Time thawed_at = absl::Now();
  EXPECT_TRUE(Eventually(absl::Seconds(5), [&] { return HealthOf(*rig.health) == HealthCheckResponse::SERVING; }))
      << "health did not come back within 5 s of the database answering";
  std::printf("frozen database: SERVING %.1f s after it answered again\n",
              absl::ToDoubleSeconds(absl::Now() - thawed_at));
  // No failures once it is back: no stale pooled connection is handed out.
  int failures = 0;
  for (int i = 0; i < 40; ++i) {
    grpc::Status status = get_city(absl::Seconds(10));
    if (!status.ok()) {
      ++failures;
      ADD_FAILURE() << "after recovery: " << status.error_code() << " " << status.error_message();
    }
  }
  EXPECT_EQ(failures, 0);
  rig.server.reset();
}

// A change whose call's deadline passes while it waits on a lock is stopped by the database
// at that deadline: it does not commit later, after its caller was told it failed (without
// the per-call bound it would wait up to the 5 s lock-wait bound and then commit).
class CallDeadlineTest : public PersonnelServiceTestBase {};

TEST_F(CallDeadlineTest, AChangeWaitingOnALockPastItsDeadlineNeverCommits) {
  const std::string county = CreateCounty().name();
  const pv1::Employee manager = CreateManagerAt(county, Level::LEVEL_JUNIOR);
  ASSERT_FALSE(HasFailure());
  // Another session holds the county's row, as a long transaction of another replica would.
  absl::StatusOr<std::unique_ptr<db::Connection>> holder = db::Connection::Open(database_->options());
  ASSERT_TRUE(holder.ok()) << holder.status();
  (*holder)->Execute("START TRANSACTION");
  (*holder)->Query(absl::StrCat(
      "SELECT id FROM org_units WHERE id = ", api::ParseName(county, "orgUnits", "county").value(), " FOR UPDATE"));

  pv1::ChangeLevelRequest request;
  request.set_name(manager.name());
  request.set_expected_level(Level::LEVEL_JUNIOR);
  request.set_level(Level::LEVEL_INTERMEDIATE);
  request.set_reason("test");
  pv1::Employee result;
  const grpc::Status status = stub_->ChangeLevel(CallContext(absl::Milliseconds(1500)).get(), request, &result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  // Past the call's deadline, inside the lock-wait bound: then the lock is let go.
  absl::SleepFor(absl::Milliseconds(2500));
  (*holder)->Execute("ROLLBACK");
  absl::SleepFor(absl::Milliseconds(500));

  pv1::GetEmployeeRequest get;
  get.set_name(manager.name());
  pv1::Employee after;
  ASSERT_THAT(Call(&pv1::PersonnelService::Stub::GetEmployee, get, &after), IsOk());
  EXPECT_EQ(after.level(), Level::LEVEL_JUNIOR) << "the change committed after its call had failed";
  // The county is free again: the same change now goes through.
  EXPECT_THAT(ChangeLevel(manager, Level::LEVEL_JUNIOR, Level::LEVEL_INTERMEDIATE, &result), IsOk());
}

}  // namespace
}  // namespace ladder::testing
