// Level, transfer, role and employment changes, the level history and the county quota,
// against the real service and MariaDB.

#include "absl/time/civil_time.h"
#include "tests/services/personnel/personnel_test_base.h"

namespace ladder::testing {
namespace {

using Stub = pv1::PersonnelService::Stub;
constexpr auto kJunior = Level::LEVEL_JUNIOR;
constexpr auto kIntermediate = Level::LEVEL_INTERMEDIATE;
constexpr auto kSenior = Level::LEVEL_SENIOR;
constexpr auto kNone = Level::LEVEL_UNSPECIFIED;

class LevelChangeTest : public PersonnelServiceTestBase {
 protected:
  std::vector<pv1::LevelChange> History(const std::string& parent, const std::string& county = "") {
    pv1::ListLevelChangesRequest request;
    request.set_parent(parent);
    request.set_county(county);
    request.set_page_size(2);
    std::vector<pv1::LevelChange> changes;
    do {
      pv1::ListLevelChangesResponse response;
      EXPECT_THAT(Call(&Stub::ListLevelChanges, request, &response), IsOk());
      changes.insert(changes.end(), response.level_changes().begin(), response.level_changes().end());
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty());
    return changes;
  }
};

TEST_F(LevelChangeTest, InitialLevelThenPromotionAndDemotion) {
  const std::string county = CreateCounty().name();
  pv1::Employee employee = CreateEmployee(county);
  pv1::Employee result;
  ASSERT_THAT(ChangeLevel(employee, kNone, kJunior, &result), IsOk());
  EXPECT_EQ(result.level(), kJunior);
  EXPECT_EQ(result.status(), pv1::EMPLOYMENT_STATUS_ACTIVE);
  EXPECT_EQ(result.post_grade(), 6);
  EXPECT_TRUE(result.has_level_since());

  ASSERT_THAT(ChangeLevel(employee, kJunior, kIntermediate, &result), IsOk());
  EXPECT_EQ(result.post_grade(), 7);
  ASSERT_THAT(ChangeLevel(employee, kIntermediate, kJunior, &result), IsOk());
  EXPECT_EQ(result.post_grade(), 6);

  const auto history = History(employee.name());
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].kind(), pv1::LevelChange::KIND_INITIAL_LEVEL);
  EXPECT_EQ(history[1].kind(), pv1::LevelChange::KIND_PROMOTION);
  EXPECT_EQ(history[2].kind(), pv1::LevelChange::KIND_DEMOTION);
  EXPECT_EQ(history[1].from_level(), kJunior);
  EXPECT_EQ(history[1].to_level(), kIntermediate);
  EXPECT_EQ(history[1].actor(), "user:test");
  EXPECT_EQ(history[1].policy_version(), "1.1.0");
  EXPECT_EQ(history[1].to_county_counts().levelled_customer_managers(), 1);
}

TEST_F(LevelChangeTest, RefusesStaleExpectationsAndBadInput) {
  const std::string county = CreateCounty().name();
  pv1::Employee employee = CreateManagerAt(county, kJunior);
  pv1::Employee result;
  EXPECT_THAT(ChangeLevel(employee, kIntermediate, kSenior, &result),
              FailsWith(grpc::StatusCode::ABORTED, "LEVEL_CHANGED"));
  EXPECT_THAT(ChangeLevel(employee, kJunior, kJunior, &result), RejectsField("level"));
  EXPECT_THAT(ChangeLevel(employee, kJunior, kNone, &result), RejectsField("level"));

  pv1::ChangeLevelRequest request;
  request.set_name(employee.name());
  request.set_expected_level(kJunior);
  request.set_level(kIntermediate);
  EXPECT_THAT(Call(&Stub::ChangeLevel, request, &result), RejectsField("reason"));
  request.set_reason("r");
  request.mutable_effective_date()->set_year(2999);
  request.mutable_effective_date()->set_month(1);
  request.mutable_effective_date()->set_day(1);
  EXPECT_THAT(Call(&Stub::ChangeLevel, request, &result), RejectsField("effective_date"));
  // Before the hire (2020-03-01): the history must read forward in time.
  request.mutable_effective_date()->set_year(2019);
  EXPECT_THAT(Call(&Stub::ChangeLevel, request, &result), RejectsField("effective_date"));
  request.clear_effective_date();
  request.set_policy_version("9.9.9");
  EXPECT_THAT(Call(&Stub::ChangeLevel, request, &result),
              FailsWith(grpc::StatusCode::INVALID_ARGUMENT, "UNKNOWN_POLICY_VERSION"));
  // The field is named in a BadRequest too, like every other bad field.
  EXPECT_THAT(Call(&Stub::ChangeLevel, request, &result), RejectsField("policy_version"));
  request.set_policy_version("");
  request.set_name("employees/999999");
  EXPECT_THAT(Call(&Stub::ChangeLevel, request, &result), FailsWith(grpc::StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));

  pv1::Employee staff = CreateEmployee(county, pv1::ROLE_CUSTOMER_SERVICE_STAFF);
  EXPECT_THAT(ChangeLevel(staff, kNone, kJunior, &result),
              FailsWith(grpc::StatusCode::FAILED_PRECONDITION, "NOT_A_CUSTOMER_MANAGER"));
}

TEST_F(LevelChangeTest, TrialMustEndBeforeTheFirstLevel) {
  const std::string county = CreateCounty().name();
  pv1::CreateEmployeeRequest create = EmployeeRequest(county, pv1::ROLE_CUSTOMER_MANAGER, pv1::ENTRY_CHANNEL_TRANSFER);
  pv1::Employee employee;
  ASSERT_THAT(Call(&Stub::CreateEmployee, create, &employee), IsOk());
  pv1::ChangeLevelRequest request;
  request.set_name(employee.name());
  request.set_level(kJunior);
  request.set_reason("trial passed");
  *request.mutable_effective_date() = employee.trial_ends_on();  // The trial's last day.
  pv1::Employee result;
  EXPECT_THAT(Call(&Stub::ChangeLevel, request, &result),
              FailsWith(grpc::StatusCode::FAILED_PRECONDITION, "TRIAL_NOT_OVER"));
  const absl::CivilDay day_after = absl::CivilDay(employee.trial_ends_on().year(), employee.trial_ends_on().month(),
                                                  employee.trial_ends_on().day()) +
                                   1;
  request.mutable_effective_date()->set_year(static_cast<int>(day_after.year()));
  request.mutable_effective_date()->set_month(day_after.month());
  request.mutable_effective_date()->set_day(day_after.day());
  EXPECT_THAT(Call(&Stub::ChangeLevel, request, &result), IsOk());
}

TEST_F(LevelChangeTest, SeniorCapRefusesPromotionWithReasonAndNumbers) {
  const std::string county = CreateCounty().name();
  // N = 5: cap floor(20% × 5) = 1.
  std::vector<pv1::Employee> intermediates;
  for (int i = 0; i < 5; ++i) intermediates.push_back(CreateManagerAt(county, kIntermediate));
  pv1::Employee result;
  ASSERT_THAT(ChangeLevel(intermediates[0], kIntermediate, kSenior, &result), IsOk());

  grpc::Status refused = ChangeLevel(intermediates[1], kIntermediate, kSenior, &result);
  EXPECT_THAT(refused, FailsWith(grpc::StatusCode::FAILED_PRECONDITION, "SENIOR_CAP_REACHED"));
  EXPECT_THAT(refused.error_message(), ::testing::HasSubstr("cap 1"));
  pv1::CountyQuota quota = Quota(county);
  EXPECT_EQ(HeadCount(quota, kSenior), 1);
  EXPECT_EQ(quota.free_senior_slots(), 0);

  // Five more managers make N = 10 and cap 2: the promotion now fits.
  for (int i = 0; i < 5; ++i) CreateManagerAt(county, kJunior);
  EXPECT_THAT(ChangeLevel(intermediates[1], kIntermediate, kSenior, &result), IsOk());
  EXPECT_EQ(HeadCount(Quota(county), kSenior), 2);
}

TEST_F(LevelChangeTest, CountyOfFewerThanFiveHasNoSeniorSlot) {
  const std::string county = CreateCounty().name();
  std::vector<pv1::Employee> managers;
  for (int i = 0; i < 4; ++i) managers.push_back(CreateManagerAt(county, kIntermediate));
  pv1::Employee result;
  EXPECT_THAT(ChangeLevel(managers[0], kIntermediate, kSenior, &result),
              FailsWith(grpc::StatusCode::FAILED_PRECONDITION, "SENIOR_CAP_REACHED"));
  EXPECT_EQ(Quota(county).senior_cap(), 0);
}

TEST_F(LevelChangeTest, ReplayedChangeLevelAppliesOnce) {
  const std::string county = CreateCounty().name();
  pv1::Employee employee = CreateManagerAt(county, kJunior);
  const std::string request_id = Unique("promote-");
  pv1::Employee first, replay;
  ASSERT_THAT(ChangeLevel(employee, kJunior, kIntermediate, &first, request_id), IsOk());
  // The retry's expectation (JUNIOR) is stale now, yet it returns the first result.
  ASSERT_THAT(ChangeLevel(employee, kJunior, kIntermediate, &replay, request_id), IsOk());
  EXPECT_EQ(replay.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(History(employee.name()).size(), 2u);  // Initial level and one promotion.
}

TEST_F(LevelChangeTest, TransferOfSeniorNeedsAFreeSlotInTheDestination) {
  const std::string city = CreateCityBranch().name();
  const std::string from = CreateCounty(city).name();
  const std::string full = CreateCounty(city).name();
  const std::string roomy = CreateCounty(city).name();
  for (int i = 0; i < 5; ++i) CreateManagerAt(from, kJunior);
  pv1::Employee senior = CreateManagerAt(from, kSenior);  // N = 6, cap 1.
  // `full`: N = 5 with its one senior; `roomy`: N = 9, no senior, cap 1 → 2 after the move.
  for (int i = 0; i < 4; ++i) CreateManagerAt(full, kJunior);
  CreateManagerAt(full, kSenior);
  for (int i = 0; i < 9; ++i) CreateManagerAt(roomy, kJunior);

  pv1::TransferEmployeeRequest request;
  request.set_name(senior.name());
  request.set_county(full);
  request.set_reason("move");
  pv1::Employee moved;
  EXPECT_THAT(Call(&Stub::TransferEmployee, request, &moved),
              FailsWith(grpc::StatusCode::FAILED_PRECONDITION, "SENIOR_CAP_REACHED"));
  request.set_county(roomy);
  ASSERT_THAT(Call(&Stub::TransferEmployee, request, &moved), IsOk());
  EXPECT_EQ(moved.county(), roomy);
  EXPECT_EQ(moved.level(), kSenior);
  EXPECT_EQ(HeadCount(Quota(roomy), kSenior), 1);
  EXPECT_EQ(HeadCount(Quota(from), kSenior), 0);

  const auto history = History(senior.name());
  ASSERT_FALSE(history.empty());
  const pv1::LevelChange& transfer = history.back();
  EXPECT_EQ(transfer.kind(), pv1::LevelChange::KIND_TRANSFER);
  EXPECT_EQ(transfer.from_county(), from);
  EXPECT_EQ(transfer.to_county(), roomy);
  EXPECT_EQ(transfer.to_county_counts().levelled_customer_managers(), 10);
  EXPECT_EQ(transfer.to_county_counts().senior_cap(), 2);
  EXPECT_EQ(transfer.from_county_counts().levelled_customer_managers(), 5);

  request.set_county(roomy);
  EXPECT_THAT(Call(&Stub::TransferEmployee, request, &moved), RejectsField("county"));
  request.set_county(city);
  EXPECT_THAT(Call(&Stub::TransferEmployee, request, &moved), RejectsField("county"));
}

TEST_F(LevelChangeTest, ExitLeavesCountyOverCapAndBlocksSeniorMoves) {
  const std::string county = CreateCounty().name();
  std::vector<pv1::Employee> juniors;
  for (int i = 0; i < 4; ++i) juniors.push_back(CreateManagerAt(county, kJunior));
  CreateManagerAt(county, kSenior);                                // N = 5, cap 1.
  pv1::Employee waiting = CreateManagerAt(county, kIntermediate);  // N = 6.

  pv1::EndEmploymentRequest end;
  end.set_reason(pv1::SEPARATION_REASON_RESIGNED);
  pv1::Employee separated;
  for (int i = 0; i < 2; ++i) {
    end.set_name(juniors[i].name());
    ASSERT_THAT(Call(&Stub::EndEmployment, end, &separated), IsOk());
  }
  EXPECT_EQ(separated.status(), pv1::EMPLOYMENT_STATUS_SEPARATED);
  EXPECT_EQ(separated.level(), kJunior);  // Kept on the record.

  pv1::CountyQuota quota = Quota(county);  // N = 4: cap 0, one senior.
  EXPECT_EQ(quota.levelled_customer_managers(), 4);
  EXPECT_EQ(quota.senior_cap(), 0);
  EXPECT_TRUE(quota.over_cap());
  EXPECT_EQ(quota.free_senior_slots(), 0);

  pv1::Employee result;
  EXPECT_THAT(ChangeLevel(waiting, kIntermediate, kSenior, &result),
              FailsWith(grpc::StatusCode::FAILED_PRECONDITION, "SENIOR_CAP_REACHED"));
  // Nobody is demoted for it, and the record of a separated employee is read-only.
  EXPECT_THAT(Call(&Stub::EndEmployment, end, &separated),
              FailsWith(grpc::StatusCode::FAILED_PRECONDITION, "EMPLOYEE_SEPARATED"));
  end.set_reason(pv1::SEPARATION_REASON_UNSPECIFIED);
  EXPECT_THAT(Call(&Stub::EndEmployment, end, &separated), RejectsField("reason"));
}

TEST_F(LevelChangeTest, RoleChangesMoveInAndOutOfTheLevelledPopulation) {
  const std::string county = CreateCounty().name();
  pv1::Employee manager = CreateManagerAt(county, kIntermediate);
  EXPECT_EQ(Quota(county).levelled_customer_managers(), 1);

  pv1::ChangeRoleRequest request;
  request.set_name(manager.name());
  request.set_role(pv1::ROLE_GROUP_DATA_SUPERVISOR);
  request.set_post_grade(9);
  request.set_reason("promoted to supervisor");
  pv1::Employee supervisor;
  ASSERT_THAT(Call(&Stub::ChangeRole, request, &supervisor), IsOk());
  EXPECT_EQ(supervisor.level(), kNone);
  EXPECT_EQ(supervisor.post_grade(), 9);
  EXPECT_EQ(Quota(county).levelled_customer_managers(), 0);

  request.set_role(pv1::ROLE_CUSTOMER_MANAGER);
  request.set_post_grade(0);
  pv1::Employee back;
  ASSERT_THAT(Call(&Stub::ChangeRole, request, &back), IsOk());
  EXPECT_EQ(back.status(), pv1::EMPLOYMENT_STATUS_ON_TRIAL);
  EXPECT_EQ(back.entry_channel(), pv1::ENTRY_CHANNEL_TRANSFER);
  EXPECT_EQ(Quota(county).on_trial(), 1);

  request.set_role(pv1::ROLE_CUSTOMER_MANAGER);
  EXPECT_THAT(Call(&Stub::ChangeRole, request, &back), RejectsField("role"));
  request.set_role(pv1::ROLE_CUSTOMER_SERVICE_STAFF);
  request.set_post_grade(5);
  EXPECT_THAT(Call(&Stub::ChangeRole, request, &back), RejectsField("post_grade"));

  const auto history = History(manager.name());
  ASSERT_GE(history.size(), 2u);
  EXPECT_EQ(history[history.size() - 2].kind(), pv1::LevelChange::KIND_ROLE_CHANGE);
  EXPECT_EQ(history[history.size() - 2].from_level(), kIntermediate);
}

TEST_F(LevelChangeTest, HistoryAcrossEmployeesFiltersByCounty) {
  const std::string county = CreateCounty().name();
  CreateManagerAt(county, kIntermediate);
  CreateManagerAt(county, kJunior);
  CreateManagerAt(CreateCounty().name(), kJunior);
  const auto history = History("employees/-", county);
  ASSERT_EQ(history.size(), 3u);
  for (const auto& change : history) EXPECT_EQ(change.to_county(), county);
  for (size_t i = 1; i < history.size(); ++i) {  // Oldest first.
    EXPECT_LE(history[i - 1].commit_time().seconds(), history[i].commit_time().seconds());
  }

  pv1::ListLevelChangesRequest request;
  pv1::ListLevelChangesResponse response;
  request.set_parent("employees/999999");
  EXPECT_THAT(Call(&Stub::ListLevelChanges, request, &response),
              FailsWith(grpc::StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  request.set_parent("staff/1");
  EXPECT_THAT(Call(&Stub::ListLevelChanges, request, &response), RejectsField("parent"));
}

TEST_F(LevelChangeTest, QuotaOfSevenSuggestsTwoFourOne) {
  const std::string county = CreateCounty().name();
  for (int i = 0; i < 7; ++i) CreateManagerAt(county, kJunior);
  CreateEmployee(county);  // Awaiting the first level: not counted in N.
  pv1::CountyQuota quota = Quota(county);
  EXPECT_EQ(quota.name(), county + "/quota");
  EXPECT_EQ(quota.policy_version(), "1.1.0");
  EXPECT_EQ(quota.levelled_customer_managers(), 7);
  EXPECT_EQ(quota.awaiting_level(), 1);
  ASSERT_EQ(quota.levels_size(), 3);
  EXPECT_EQ(quota.levels(0).level(), kJunior);
  EXPECT_EQ(quota.levels(0).head_count(), 7);
  EXPECT_EQ(quota.levels(0).suggested_head_count(), 2);
  EXPECT_EQ(quota.levels(1).suggested_head_count(), 4);
  EXPECT_EQ(quota.levels(2).suggested_head_count(), 1);
  EXPECT_EQ(quota.levels(2).suggested_share_percent(), 20);
  EXPECT_EQ(quota.senior_cap(), 1);
  EXPECT_EQ(quota.free_senior_slots(), 1);
  EXPECT_FALSE(quota.over_cap());

  pv1::GetCountyQuotaRequest request;
  pv1::CountyQuota refused;
  request.set_name(county);
  EXPECT_THAT(Call(&Stub::GetCountyQuota, request, &refused), RejectsField("name"));
  request.set_name(CreateCityBranch().name() + "/quota");
  EXPECT_THAT(Call(&Stub::GetCountyQuota, request, &refused),
              FailsWith(grpc::StatusCode::FAILED_PRECONDITION, "WRONG_ORG_UNIT_KIND"));
  request.set_name("orgUnits/999999/quota");
  EXPECT_THAT(Call(&Stub::GetCountyQuota, request, &refused),
              FailsWith(grpc::StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
}

TEST_F(LevelChangeTest, ListCountyQuotasGivesEveryCountyOfTheBranchInPages) {
  const std::string city = CreateCityBranch().name();
  std::vector<pv1::OrgUnit> counties;
  for (int i = 0; i < 3; ++i) counties.push_back(CreateCounty(city));
  for (int i = 0; i < 5; ++i) CreateManagerAt(counties[0].name(), kJunior);
  CreateManagerAt(counties[0].name(), kSenior);  // N = 6, cap 1, full.
  for (int i = 0; i < 7; ++i) CreateManagerAt(counties[2].name(), kIntermediate);
  CreateEmployee(counties[2].name());               // Awaiting: not in N.
  CreateManagerAt(CreateCounty().name(), kJunior);  // Another branch's county.

  pv1::ListCountyQuotasRequest request;
  request.set_parent(city);
  request.set_page_size(2);
  std::vector<pv1::CountyQuota> quotas;
  int pages = 0;
  do {
    pv1::ListCountyQuotasResponse response;
    ASSERT_THAT(Call(&Stub::ListCountyQuotas, request, &response), IsOk());
    quotas.insert(quotas.end(), response.county_quotas().begin(), response.county_quotas().end());
    request.set_page_token(response.next_page_token());
    ++pages;
  } while (!request.page_token().empty() && pages < 5);
  EXPECT_EQ(pages, 2);
  ASSERT_EQ(quotas.size(), 3u);
  for (size_t i = 0; i < quotas.size(); ++i) {
    EXPECT_EQ(quotas[i].county(), counties[i].name());
    EXPECT_EQ(quotas[i].county_display_name(), counties[i].display_name());
    // Each entry equals what GetCountyQuota says of the county.
    EXPECT_EQ(quotas[i].SerializeAsString(), Quota(counties[i].name()).SerializeAsString());
  }
  EXPECT_EQ(quotas[0].levelled_customer_managers(), 6);
  EXPECT_EQ(HeadCount(quotas[0], kSenior), 1);
  EXPECT_EQ(quotas[0].free_senior_slots(), 0);
  EXPECT_EQ(quotas[1].levelled_customer_managers(), 0);
  EXPECT_EQ(quotas[2].levelled_customer_managers(), 7);
  EXPECT_EQ(quotas[2].awaiting_level(), 1);

  pv1::ListCountyQuotasResponse response;
  request.clear_page_token();
  request.set_parent(counties[0].name());
  EXPECT_THAT(Call(&Stub::ListCountyQuotas, request, &response),
              FailsWith(grpc::StatusCode::FAILED_PRECONDITION, "WRONG_ORG_UNIT_KIND"));
  request.set_parent("orgUnits/999999");
  EXPECT_THAT(Call(&Stub::ListCountyQuotas, request, &response),
              FailsWith(grpc::StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  request.set_parent("teams/1");
  EXPECT_THAT(Call(&Stub::ListCountyQuotas, request, &response), RejectsField("parent"));
}

}  // namespace
}  // namespace ladder::testing
