#include "services/personnel/employee_rules.h"

#include <fstream>
#include <sstream>
#include <string>

#include "common/status/errors.h"
#include "common/time/dates.h"
#include "gtest/gtest.h"

namespace ladder::personnel {
namespace {

using absl::CivilDay;
using ::ladder::personnel::v1::LevelChange;

constexpr char kPolicyFile[] = "config/policy/v1.1.0.textproto";
constexpr char kCounty[] = "orgUnits/3";
constexpr char kOtherCounty[] = "orgUnits/4";

policy::Policy LoadShippedPolicy() {
  std::ifstream in(kPolicyFile);
  EXPECT_TRUE(in.good()) << kPolicyFile << " is not readable; run from the repository root";
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<policy::Policy> parsed = policy::ParsePolicyText(text.str(), kPolicyFile);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : policy::Policy();
}

CivilDay Day(const google::type::Date& date) { return CivilDay(date.year(), date.month(), date.day()); }

class EmployeeRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    policy_ = LoadShippedPolicy();
    ASSERT_EQ(policy_.entry().trial_months(), 2);
  }

  static Employee Requested(Role role, EntryChannel channel, CivilDay hired) {
    Employee employee;
    employee.set_employee_number("QZ-0042");
    employee.set_display_name("张三");
    employee.set_county(kCounty);
    employee.set_team("teams/7");
    employee.set_role(role);
    employee.set_entry_channel(channel);
    *employee.mutable_hire_date() = ToDate(hired);
    return employee;
  }

  // A customer manager in post holding `level` since 2024-03-01.
  static Employee ActiveManager(Level level) {
    Employee employee =
        Requested(Role::ROLE_CUSTOMER_MANAGER, EntryChannel::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT, CivilDay(2023, 3, 1));
    employee.set_name("employees/42");
    employee.set_status(EmploymentStatus::EMPLOYMENT_STATUS_ACTIVE);
    employee.set_level(level);
    employee.set_post_grade(6 + static_cast<int>(level) - 1);
    *employee.mutable_level_since() = ToDate(CivilDay(2024, 3, 1));
    return employee;
  }

  // A customer manager on trial until 2026-05-14 (hired 2026-03-15).
  Employee OnTrial() const {
    Employee employee = NewEmployee(
        Requested(Role::ROLE_CUSTOMER_MANAGER, EntryChannel::ENTRY_CHANNEL_INTERNAL_RECRUITMENT, CivilDay(2026, 3, 15)),
        policy_);
    employee.set_name("employees/43");
    return employee;
  }

  static LevelCommand Command(Level from, Level to, CivilDay day) {
    LevelCommand command;
    command.expected_level = from;
    command.level = to;
    command.reason = "annual review";
    command.decision = "cases/9";
    command.effective_date = day;
    return command;
  }

  policy::Policy policy_;
};

// ---------------------------------------------------------------- NewEmployee

TEST_F(EmployeeRulesTest, InternalRecruitStartsOnTrial) {
  const Employee employee = NewEmployee(
      Requested(Role::ROLE_CUSTOMER_MANAGER, EntryChannel::ENTRY_CHANNEL_INTERNAL_RECRUITMENT, CivilDay(2026, 3, 15)),
      policy_);
  EXPECT_EQ(employee.status(), EmploymentStatus::EMPLOYMENT_STATUS_ON_TRIAL);
  ASSERT_TRUE(employee.has_trial_ends_on());
  // Two months from 15 March end the day before 15 May.
  EXPECT_EQ(Day(employee.trial_ends_on()), CivilDay(2026, 5, 14));
  EXPECT_EQ(employee.level(), Level::LEVEL_UNSPECIFIED);
  EXPECT_EQ(employee.post_grade(), 0);
  EXPECT_FALSE(CountsInQuota(employee));
  // The requested fields are kept.
  EXPECT_EQ(employee.employee_number(), "QZ-0042");
  EXPECT_EQ(employee.display_name(), "张三");
  EXPECT_EQ(employee.county(), kCounty);
  EXPECT_EQ(employee.team(), "teams/7");
  EXPECT_EQ(Day(employee.hire_date()), CivilDay(2026, 3, 15));
}

TEST_F(EmployeeRulesTest, TransferInStartsOnTrialAndTheTrialEndFollowsThePolicy) {
  for (CivilDay hired : {CivilDay(2026, 1, 1), CivilDay(2025, 12, 31), CivilDay(2026, 2, 28), CivilDay(2027, 12, 30)}) {
    Employee requested = Requested(Role::ROLE_CUSTOMER_MANAGER, EntryChannel::ENTRY_CHANNEL_TRANSFER, hired);
    requested.set_post_grade(9);  // Ignored: the level gives a customer manager's grade.
    const Employee employee = NewEmployee(requested, policy_);
    EXPECT_EQ(employee.status(), EmploymentStatus::EMPLOYMENT_STATUS_ON_TRIAL) << hired;
    EXPECT_EQ(Day(employee.trial_ends_on()), AddMonths(hired, 2) - 1) << hired;
    EXPECT_EQ(employee.post_grade(), 0) << hired;
  }
  // Spot values: 1 Jan → 28 Feb; 31 Dec 2025 + 2 months is clamped to 28 Feb 2026.
  const auto trial_end = [&](CivilDay hired) {
    return Day(NewEmployee(Requested(Role::ROLE_CUSTOMER_MANAGER, EntryChannel::ENTRY_CHANNEL_TRANSFER, hired), policy_)
                   .trial_ends_on());
  };
  EXPECT_EQ(trial_end(CivilDay(2026, 1, 1)), CivilDay(2026, 2, 28));
  EXPECT_EQ(trial_end(CivilDay(2028, 1, 1)), CivilDay(2028, 2, 29));
  EXPECT_EQ(trial_end(CivilDay(2025, 12, 31)), CivilDay(2026, 2, 27));

  // Another trial length in the policy gives another end.
  policy::Policy three_months = policy_;
  three_months.mutable_entry()->set_trial_months(3);
  EXPECT_EQ(Day(NewEmployee(
                    Requested(Role::ROLE_CUSTOMER_MANAGER, EntryChannel::ENTRY_CHANNEL_TRANSFER, CivilDay(2026, 3, 15)),
                    three_months)
                    .trial_ends_on()),
            CivilDay(2026, 6, 14));
}

TEST_F(EmployeeRulesTest, ExternalHireAwaitsTheInitialLevel) {
  const Employee employee = NewEmployee(
      Requested(Role::ROLE_CUSTOMER_MANAGER, EntryChannel::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT, CivilDay(2026, 3, 15)),
      policy_);
  EXPECT_EQ(employee.status(), EmploymentStatus::EMPLOYMENT_STATUS_AWAITING_LEVEL);
  EXPECT_FALSE(employee.has_trial_ends_on());
  EXPECT_EQ(employee.level(), Level::LEVEL_UNSPECIFIED);
  EXPECT_EQ(employee.post_grade(), 0);
  EXPECT_FALSE(CountsInQuota(employee));
}

TEST_F(EmployeeRulesTest, CustomerServiceStaffGetThePolicyPostGrade) {
  Employee requested =
      Requested(Role::ROLE_CUSTOMER_SERVICE_STAFF, EntryChannel::ENTRY_CHANNEL_UNSPECIFIED, CivilDay(2026, 3, 15));
  requested.set_post_grade(3);  // Ignored: the policy sets it.
  Employee employee = NewEmployee(requested, policy_);
  EXPECT_EQ(employee.status(), EmploymentStatus::EMPLOYMENT_STATUS_ACTIVE);
  EXPECT_EQ(employee.post_grade(), policy_.customer_service_staff_post_grade());
  EXPECT_EQ(employee.post_grade(), 6);
  EXPECT_FALSE(employee.has_trial_ends_on());
  EXPECT_FALSE(CountsInQuota(employee));

  policy::Policy variant = policy_;
  variant.set_customer_service_staff_post_grade(5);
  EXPECT_EQ(NewEmployee(requested, variant).post_grade(), 5);
}

TEST_F(EmployeeRulesTest, SupervisorKeepsThePostGradeGiven) {
  Employee requested =
      Requested(Role::ROLE_GROUP_DATA_SUPERVISOR, EntryChannel::ENTRY_CHANNEL_UNSPECIFIED, CivilDay(2026, 3, 15));
  requested.set_post_grade(11);
  const Employee employee = NewEmployee(requested, policy_);
  EXPECT_EQ(employee.status(), EmploymentStatus::EMPLOYMENT_STATUS_ACTIVE);
  EXPECT_EQ(employee.post_grade(), 11);
  EXPECT_EQ(employee.level(), Level::LEVEL_UNSPECIFIED);
  EXPECT_FALSE(employee.has_trial_ends_on());
}

TEST_F(EmployeeRulesTest, OnlyRequestedFieldsAreCopied) {
  Employee requested =
      Requested(Role::ROLE_CUSTOMER_MANAGER, EntryChannel::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT, CivilDay(2026, 3, 15));
  // Output-only fields a caller might send are not taken over.
  requested.set_name("employees/999");
  requested.set_level(Level::LEVEL_SENIOR);
  requested.set_status(EmploymentStatus::EMPLOYMENT_STATUS_ACTIVE);
  requested.set_etag("abc");
  const Employee employee = NewEmployee(requested, policy_);
  EXPECT_EQ(employee.name(), "");
  EXPECT_EQ(employee.level(), Level::LEVEL_UNSPECIFIED);
  EXPECT_EQ(employee.status(), EmploymentStatus::EMPLOYMENT_STATUS_AWAITING_LEVEL);
  EXPECT_EQ(employee.etag(), "");
}

// ---------------------------------------------------------------- DecideLevelChange

TEST_F(EmployeeRulesTest, InitialLevelAfterTheTrial) {
  const Employee current = OnTrial();
  const CivilDay day(2026, 5, 15);  // The day after the trial's last day.
  absl::StatusOr<Transition> transition =
      DecideLevelChange(current, Command(Level::LEVEL_UNSPECIFIED, Level::LEVEL_JUNIOR, day), policy_);
  ASSERT_TRUE(transition.ok()) << transition.status();
  const Employee& next = transition->next;
  EXPECT_EQ(next.level(), Level::LEVEL_JUNIOR);
  EXPECT_EQ(next.status(), EmploymentStatus::EMPLOYMENT_STATUS_ACTIVE);
  EXPECT_EQ(next.post_grade(), 6);
  EXPECT_EQ(Day(next.level_since()), day);
  EXPECT_FALSE(next.has_trial_ends_on());
  EXPECT_TRUE(CountsInQuota(next));

  ASSERT_TRUE(transition->change.has_value());
  const LevelChange& change = *transition->change;
  EXPECT_EQ(change.kind(), LevelChange::KIND_INITIAL_LEVEL);
  EXPECT_EQ(change.employee(), "employees/43");
  EXPECT_EQ(change.from_level(), Level::LEVEL_UNSPECIFIED);
  EXPECT_EQ(change.to_level(), Level::LEVEL_JUNIOR);
  EXPECT_EQ(change.from_county(), kCounty);
  EXPECT_EQ(change.to_county(), kCounty);
  EXPECT_EQ(change.reason(), "annual review");
  EXPECT_EQ(change.decision(), "cases/9");
  EXPECT_EQ(change.policy_version(), "1.1.0");
  EXPECT_EQ(Day(change.effective_date()), day);
}

TEST_F(EmployeeRulesTest, PostGradeFollowsEachLevel) {
  const Employee current = OnTrial();
  const std::pair<Level, int> expected[] = {
      {Level::LEVEL_JUNIOR, 6}, {Level::LEVEL_INTERMEDIATE, 7}, {Level::LEVEL_SENIOR, 8}};
  for (const auto& [level, grade] : expected) {
    absl::StatusOr<Transition> transition =
        DecideLevelChange(current, Command(Level::LEVEL_UNSPECIFIED, level, CivilDay(2026, 6, 1)), policy_);
    ASSERT_TRUE(transition.ok()) << transition.status();
    EXPECT_EQ(transition->next.post_grade(), grade) << common::v1::Level_Name(level);
    EXPECT_EQ(transition->next.post_grade(), policy::FindLevel(policy_, level)->post_grade());
  }
}

TEST_F(EmployeeRulesTest, InitialLevelIsRefusedUntilTheTrialIsOver) {
  const Employee current = OnTrial();  // Trial ends 2026-05-14.
  for (CivilDay day : {CivilDay(2026, 3, 15), CivilDay(2026, 5, 13), CivilDay(2026, 5, 14)}) {
    const absl::Status status =
        DecideLevelChange(current, Command(Level::LEVEL_UNSPECIFIED, Level::LEVEL_JUNIOR, day), policy_).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << day;
    EXPECT_EQ(ErrorReason(status), std::string(reason::kTrialNotOver)) << day;
  }
}

TEST_F(EmployeeRulesTest, InitialLevelOfAnExternalHireNeedsNoTrial) {
  Employee current = NewEmployee(
      Requested(Role::ROLE_CUSTOMER_MANAGER, EntryChannel::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT, CivilDay(2026, 3, 15)),
      policy_);
  current.set_name("employees/44");
  absl::StatusOr<Transition> transition = DecideLevelChange(
      current, Command(Level::LEVEL_UNSPECIFIED, Level::LEVEL_JUNIOR, CivilDay(2026, 3, 15)), policy_);
  ASSERT_TRUE(transition.ok()) << transition.status();
  EXPECT_EQ(transition->change->kind(), LevelChange::KIND_INITIAL_LEVEL);
  EXPECT_EQ(transition->next.status(), EmploymentStatus::EMPLOYMENT_STATUS_ACTIVE);
}

TEST_F(EmployeeRulesTest, PromotionAndDemotion) {
  const Employee junior = ActiveManager(Level::LEVEL_JUNIOR);
  absl::StatusOr<Transition> up =
      DecideLevelChange(junior, Command(Level::LEVEL_JUNIOR, Level::LEVEL_INTERMEDIATE, CivilDay(2026, 4, 1)), policy_);
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_EQ(up->change->kind(), LevelChange::KIND_PROMOTION);
  EXPECT_EQ(up->change->from_level(), Level::LEVEL_JUNIOR);
  EXPECT_EQ(up->change->to_level(), Level::LEVEL_INTERMEDIATE);
  EXPECT_EQ(up->next.level(), Level::LEVEL_INTERMEDIATE);
  EXPECT_EQ(up->next.post_grade(), 7);
  EXPECT_EQ(Day(up->next.level_since()), CivilDay(2026, 4, 1));

  const Employee senior = ActiveManager(Level::LEVEL_SENIOR);
  absl::StatusOr<Transition> down =
      DecideLevelChange(senior, Command(Level::LEVEL_SENIOR, Level::LEVEL_INTERMEDIATE, CivilDay(2026, 4, 1)), policy_);
  ASSERT_TRUE(down.ok()) << down.status();
  EXPECT_EQ(down->change->kind(), LevelChange::KIND_DEMOTION);
  EXPECT_EQ(down->change->from_level(), Level::LEVEL_SENIOR);
  EXPECT_EQ(down->change->to_level(), Level::LEVEL_INTERMEDIATE);
  EXPECT_EQ(down->next.post_grade(), 7);
  EXPECT_EQ(down->next.status(), EmploymentStatus::EMPLOYMENT_STATUS_ACTIVE);
}

TEST_F(EmployeeRulesTest, AStaleExpectedLevelIsAborted) {
  const Employee current = ActiveManager(Level::LEVEL_INTERMEDIATE);
  const absl::Status status =
      DecideLevelChange(current, Command(Level::LEVEL_JUNIOR, Level::LEVEL_SENIOR, CivilDay(2026, 4, 1)), policy_)
          .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(ErrorReason(status), std::string(reason::kLevelChanged));
}

TEST_F(EmployeeRulesTest, LevelChangeOfASeparatedEmployeeIsRefused) {
  Employee current = ActiveManager(Level::LEVEL_JUNIOR);
  current.set_status(EmploymentStatus::EMPLOYMENT_STATUS_SEPARATED);
  const absl::Status status =
      DecideLevelChange(current, Command(Level::LEVEL_JUNIOR, Level::LEVEL_INTERMEDIATE, CivilDay(2026, 4, 1)), policy_)
          .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(status), std::string(reason::kEmployeeSeparated));
}

TEST_F(EmployeeRulesTest, LevelChangeOfAnotherRoleIsRefused) {
  Employee current = NewEmployee(
      Requested(Role::ROLE_CUSTOMER_SERVICE_STAFF, EntryChannel::ENTRY_CHANNEL_UNSPECIFIED, CivilDay(2026, 1, 5)),
      policy_);
  current.set_name("employees/50");
  const absl::Status status =
      DecideLevelChange(current, Command(Level::LEVEL_UNSPECIFIED, Level::LEVEL_JUNIOR, CivilDay(2026, 4, 1)), policy_)
          .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(status), std::string(reason::kNotACustomerManager));
}

TEST_F(EmployeeRulesTest, TheSameLevelIsInvalid) {
  const Employee current = ActiveManager(Level::LEVEL_INTERMEDIATE);
  const absl::Status status =
      DecideLevelChange(current, Command(Level::LEVEL_INTERMEDIATE, Level::LEVEL_INTERMEDIATE, CivilDay(2026, 4, 1)),
                        policy_)
          .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ViolatedField(status), "level");
}

// ---------------------------------------------------------------- DecideTransfer

TEST_F(EmployeeRulesTest, TransferMovesTheCountyAndKeepsTheLevel) {
  const Employee current = ActiveManager(Level::LEVEL_SENIOR);
  TransferCommand command;
  command.county = kOtherCounty;
  command.team = "teams/12";
  command.reason = "needed in 江山市";
  command.effective_date = CivilDay(2026, 4, 1);
  absl::StatusOr<Transition> transition = DecideTransfer(current, command, policy_);
  ASSERT_TRUE(transition.ok()) << transition.status();
  EXPECT_EQ(transition->next.county(), kOtherCounty);
  EXPECT_EQ(transition->next.team(), "teams/12");
  EXPECT_EQ(transition->next.level(), Level::LEVEL_SENIOR);
  EXPECT_EQ(transition->next.post_grade(), current.post_grade());
  EXPECT_EQ(Day(transition->next.level_since()), Day(current.level_since()));
  EXPECT_EQ(transition->next.status(), EmploymentStatus::EMPLOYMENT_STATUS_ACTIVE);

  ASSERT_TRUE(transition->change.has_value());
  EXPECT_EQ(transition->change->kind(), LevelChange::KIND_TRANSFER);
  EXPECT_EQ(transition->change->from_county(), kCounty);
  EXPECT_EQ(transition->change->to_county(), kOtherCounty);
  EXPECT_EQ(transition->change->from_level(), Level::LEVEL_SENIOR);
  EXPECT_EQ(transition->change->to_level(), Level::LEVEL_SENIOR);
  EXPECT_EQ(transition->change->reason(), "needed in 江山市");
  EXPECT_EQ(Day(transition->change->effective_date()), CivilDay(2026, 4, 1));
}

TEST_F(EmployeeRulesTest, TransferToTheSameCountyIsRefused) {
  TransferCommand command;
  command.county = kCounty;
  command.effective_date = CivilDay(2026, 4, 1);
  const absl::Status status = DecideTransfer(ActiveManager(Level::LEVEL_JUNIOR), command, policy_).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ViolatedField(status), "county");
}

TEST_F(EmployeeRulesTest, TransferOfAnotherRoleLeavesNoLevelHistory) {
  Employee staff = NewEmployee(
      Requested(Role::ROLE_CUSTOMER_SERVICE_STAFF, EntryChannel::ENTRY_CHANNEL_UNSPECIFIED, CivilDay(2026, 1, 5)),
      policy_);
  TransferCommand command;
  command.county = kOtherCounty;
  command.effective_date = CivilDay(2026, 4, 1);
  absl::StatusOr<Transition> transition = DecideTransfer(staff, command, policy_);
  ASSERT_TRUE(transition.ok()) << transition.status();
  EXPECT_EQ(transition->next.county(), kOtherCounty);
  EXPECT_FALSE(transition->change.has_value());
}

// ---------------------------------------------------------------- DecideRoleChange

TEST_F(EmployeeRulesTest, RoleChangeIntoCustomerManagerStartsATrial) {
  Employee staff = NewEmployee(
      Requested(Role::ROLE_CUSTOMER_SERVICE_STAFF, EntryChannel::ENTRY_CHANNEL_UNSPECIFIED, CivilDay(2024, 1, 5)),
      policy_);
  staff.set_name("employees/60");
  RoleCommand command;
  command.role = Role::ROLE_CUSTOMER_MANAGER;
  command.team = "teams/7";
  command.reason = "转岗";
  command.effective_date = CivilDay(2026, 4, 1);
  absl::StatusOr<Transition> transition = DecideRoleChange(staff, command, policy_);
  ASSERT_TRUE(transition.ok()) << transition.status();
  const Employee& next = transition->next;
  EXPECT_EQ(next.role(), Role::ROLE_CUSTOMER_MANAGER);
  EXPECT_EQ(next.status(), EmploymentStatus::EMPLOYMENT_STATUS_ON_TRIAL);
  EXPECT_EQ(next.entry_channel(), EntryChannel::ENTRY_CHANNEL_TRANSFER);
  EXPECT_EQ(Day(next.trial_ends_on()), CivilDay(2026, 5, 31));  // 1 Apr + 2 months − 1 day.
  EXPECT_EQ(next.level(), Level::LEVEL_UNSPECIFIED);
  EXPECT_EQ(next.post_grade(), 0);
  EXPECT_FALSE(CountsInQuota(next));

  ASSERT_TRUE(transition->change.has_value());
  EXPECT_EQ(transition->change->kind(), LevelChange::KIND_ROLE_CHANGE);
  EXPECT_EQ(transition->change->from_level(), Level::LEVEL_UNSPECIFIED);
  EXPECT_EQ(transition->change->to_level(), Level::LEVEL_UNSPECIFIED);
}

TEST_F(EmployeeRulesTest, RoleChangeOutOfCustomerManagerClearsTheLevel) {
  const Employee senior = ActiveManager(Level::LEVEL_SENIOR);
  RoleCommand command;
  command.role = Role::ROLE_GROUP_DATA_SUPERVISOR;
  command.post_grade = 10;
  command.team = "teams/8";
  command.reason = "nominated supervisor";
  command.decision = "cases/77";
  command.effective_date = CivilDay(2026, 4, 1);
  absl::StatusOr<Transition> transition = DecideRoleChange(senior, command, policy_);
  ASSERT_TRUE(transition.ok()) << transition.status();
  const Employee& next = transition->next;
  EXPECT_EQ(next.role(), Role::ROLE_GROUP_DATA_SUPERVISOR);
  EXPECT_EQ(next.level(), Level::LEVEL_UNSPECIFIED);
  EXPECT_FALSE(next.has_level_since());
  EXPECT_EQ(next.post_grade(), 10);
  EXPECT_EQ(next.status(), EmploymentStatus::EMPLOYMENT_STATUS_ACTIVE);
  EXPECT_EQ(next.team(), "teams/8");
  EXPECT_FALSE(CountsInQuota(next));

  ASSERT_TRUE(transition->change.has_value());
  EXPECT_EQ(transition->change->kind(), LevelChange::KIND_ROLE_CHANGE);
  EXPECT_EQ(transition->change->from_level(), Level::LEVEL_SENIOR);
  EXPECT_EQ(transition->change->to_level(), Level::LEVEL_UNSPECIFIED);
  EXPECT_EQ(transition->change->decision(), "cases/77");
  EXPECT_EQ(transition->change->reason(), "nominated supervisor");
}

TEST_F(EmployeeRulesTest, RoleChangeToCustomerServiceStaffTakesThePolicyGrade) {
  RoleCommand command;
  command.role = Role::ROLE_CUSTOMER_SERVICE_STAFF;
  command.reason = "x";
  command.effective_date = CivilDay(2026, 4, 1);
  absl::StatusOr<Transition> transition = DecideRoleChange(ActiveManager(Level::LEVEL_JUNIOR), command, policy_);
  ASSERT_TRUE(transition.ok()) << transition.status();
  EXPECT_EQ(transition->next.post_grade(), 6);
  EXPECT_EQ(transition->next.level(), Level::LEVEL_UNSPECIFIED);
}

TEST_F(EmployeeRulesTest, RoleChangeBetweenOtherRolesLeavesNoLevelHistory) {
  Employee chief = NewEmployee(
      Requested(Role::ROLE_BRANCH_CHIEF, EntryChannel::ENTRY_CHANNEL_UNSPECIFIED, CivilDay(2020, 1, 5)), policy_);
  RoleCommand command;
  command.role = Role::ROLE_OTHER;
  command.post_grade = 12;
  command.reason = "x";
  command.effective_date = CivilDay(2026, 4, 1);
  absl::StatusOr<Transition> transition = DecideRoleChange(chief, command, policy_);
  ASSERT_TRUE(transition.ok()) << transition.status();
  EXPECT_EQ(transition->next.post_grade(), 12);
  EXPECT_FALSE(transition->change.has_value());
}

TEST_F(EmployeeRulesTest, RoleChangeToTheSameRoleIsInvalid) {
  RoleCommand command;
  command.role = Role::ROLE_CUSTOMER_MANAGER;
  command.effective_date = CivilDay(2026, 4, 1);
  const absl::Status status = DecideRoleChange(ActiveManager(Level::LEVEL_JUNIOR), command, policy_).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ViolatedField(status), "role");
}

// ---------------------------------------------------------------- DecideSeparation

TEST_F(EmployeeRulesTest, SeparationKeepsTheLevelOnRecord) {
  const Employee current = ActiveManager(Level::LEVEL_INTERMEDIATE);
  ASSERT_TRUE(CountsInQuota(current));
  SeparationCommand command;
  command.reason = SeparationReason::SEPARATION_REASON_RESIGNED;
  command.note = "moved to Hangzhou";
  command.decision = "hr/2026/17";
  command.effective_date = CivilDay(2026, 4, 30);
  absl::StatusOr<Transition> transition = DecideSeparation(current, command, policy_);
  ASSERT_TRUE(transition.ok()) << transition.status();
  const Employee& next = transition->next;
  EXPECT_EQ(next.status(), EmploymentStatus::EMPLOYMENT_STATUS_SEPARATED);
  EXPECT_EQ(next.separation_reason(), SeparationReason::SEPARATION_REASON_RESIGNED);
  EXPECT_EQ(Day(next.separation_date()), CivilDay(2026, 4, 30));
  EXPECT_EQ(next.level(), Level::LEVEL_INTERMEDIATE);
  EXPECT_FALSE(CountsInQuota(next));

  ASSERT_TRUE(transition->change.has_value());
  EXPECT_EQ(transition->change->kind(), LevelChange::KIND_SEPARATION);
  EXPECT_EQ(transition->change->from_level(), Level::LEVEL_INTERMEDIATE);
  EXPECT_EQ(transition->change->to_level(), Level::LEVEL_UNSPECIFIED);
  EXPECT_EQ(transition->change->reason(), "SEPARATION_REASON_RESIGNED: moved to Hangzhou");
  EXPECT_EQ(transition->change->decision(), "hr/2026/17");
}

TEST_F(EmployeeRulesTest, SeparationDuringTheTrial) {
  SeparationCommand command;
  command.reason = SeparationReason::SEPARATION_REASON_TRIAL_FAILED;
  command.effective_date = CivilDay(2026, 5, 14);
  absl::StatusOr<Transition> transition = DecideSeparation(OnTrial(), command, policy_);
  ASSERT_TRUE(transition.ok()) << transition.status();
  EXPECT_EQ(transition->next.status(), EmploymentStatus::EMPLOYMENT_STATUS_SEPARATED);
  EXPECT_FALSE(transition->next.has_trial_ends_on());
  EXPECT_EQ(transition->change->reason(), "SEPARATION_REASON_TRIAL_FAILED");
}

TEST_F(EmployeeRulesTest, SeparatingTwiceIsRefused) {
  Employee current = ActiveManager(Level::LEVEL_JUNIOR);
  current.set_status(EmploymentStatus::EMPLOYMENT_STATUS_SEPARATED);
  SeparationCommand command;
  command.reason = SeparationReason::SEPARATION_REASON_OTHER;
  command.effective_date = CivilDay(2026, 4, 30);
  const absl::Status status = DecideSeparation(current, command, policy_).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(status), std::string(reason::kEmployeeSeparated));
}

TEST_F(EmployeeRulesTest, CountsInQuotaOnlyForAnActiveLevelledCustomerManager) {
  EXPECT_TRUE(CountsInQuota(ActiveManager(Level::LEVEL_JUNIOR)));
  EXPECT_TRUE(CountsInQuota(ActiveManager(Level::LEVEL_SENIOR)));

  Employee no_level = ActiveManager(Level::LEVEL_UNSPECIFIED);
  EXPECT_FALSE(CountsInQuota(no_level));
  for (EmploymentStatus status :
       {EmploymentStatus::EMPLOYMENT_STATUS_ON_TRIAL, EmploymentStatus::EMPLOYMENT_STATUS_AWAITING_LEVEL,
        EmploymentStatus::EMPLOYMENT_STATUS_SEPARATED, EmploymentStatus::EMPLOYMENT_STATUS_UNSPECIFIED}) {
    Employee employee = ActiveManager(Level::LEVEL_JUNIOR);
    employee.set_status(status);
    EXPECT_FALSE(CountsInQuota(employee)) << v1::EmploymentStatus_Name(status);
  }
  Employee supervisor = ActiveManager(Level::LEVEL_JUNIOR);
  supervisor.set_role(Role::ROLE_GROUP_DATA_SUPERVISOR);
  EXPECT_FALSE(CountsInQuota(supervisor));
}

// ---------------------------------------------------------------- DecideUpdate

TEST_F(EmployeeRulesTest, UpdateChangesOnlyPatchedFields) {
  const Employee current = ActiveManager(Level::LEVEL_JUNIOR);
  EmployeePatch patch;
  patch.display_name = "张三丰";
  absl::StatusOr<Transition> transition = DecideUpdate(current, patch);
  ASSERT_TRUE(transition.ok()) << transition.status();
  EXPECT_EQ(transition->next.display_name(), "张三丰");
  EXPECT_EQ(transition->next.employee_number(), current.employee_number());
  EXPECT_EQ(transition->next.team(), current.team());
  EXPECT_EQ(transition->next.post_grade(), current.post_grade());
  EXPECT_FALSE(transition->change.has_value());

  patch = EmployeePatch();
  patch.employee_number = "QZ-0099";
  patch.team = "";
  transition = DecideUpdate(current, patch);
  ASSERT_TRUE(transition.ok()) << transition.status();
  EXPECT_EQ(transition->next.employee_number(), "QZ-0099");
  EXPECT_EQ(transition->next.team(), "");
  EXPECT_EQ(transition->next.display_name(), current.display_name());
}

TEST_F(EmployeeRulesTest, UpdateRefusesAPostGradeForACustomerManager) {
  EmployeePatch patch;
  patch.post_grade = 9;
  const absl::Status status = DecideUpdate(ActiveManager(Level::LEVEL_JUNIOR), patch).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ViolatedField(status), "employee.post_grade");

  Employee staff = NewEmployee(
      Requested(Role::ROLE_CUSTOMER_SERVICE_STAFF, EntryChannel::ENTRY_CHANNEL_UNSPECIFIED, CivilDay(2026, 1, 5)),
      policy_);
  EXPECT_EQ(DecideUpdate(staff, patch).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(EmployeeRulesTest, UpdateSetsThePostGradeOfAFreeGradeRole) {
  Employee supervisor = NewEmployee(
      Requested(Role::ROLE_GROUP_DATA_SUPERVISOR, EntryChannel::ENTRY_CHANNEL_UNSPECIFIED, CivilDay(2026, 1, 5)),
      policy_);
  EmployeePatch patch;
  patch.post_grade = 12;
  absl::StatusOr<Transition> transition = DecideUpdate(supervisor, patch);
  ASSERT_TRUE(transition.ok()) << transition.status();
  EXPECT_EQ(transition->next.post_grade(), 12);
}

TEST_F(EmployeeRulesTest, UpdateOfASeparatedEmployeeIsRefused) {
  Employee current = ActiveManager(Level::LEVEL_JUNIOR);
  current.set_status(EmploymentStatus::EMPLOYMENT_STATUS_SEPARATED);
  EmployeePatch patch;
  patch.display_name = "x";
  EXPECT_EQ(ErrorReason(DecideUpdate(current, patch).status()), std::string(reason::kEmployeeSeparated));
}

TEST_F(EmployeeRulesTest, HasFreePostGrade) {
  EXPECT_FALSE(HasFreePostGrade(Role::ROLE_CUSTOMER_MANAGER));
  EXPECT_FALSE(HasFreePostGrade(Role::ROLE_CUSTOMER_SERVICE_STAFF));
  EXPECT_TRUE(HasFreePostGrade(Role::ROLE_GROUP_DATA_SUPERVISOR));
  EXPECT_TRUE(HasFreePostGrade(Role::ROLE_BRANCH_CHIEF));
  EXPECT_TRUE(HasFreePostGrade(Role::ROLE_OTHER));
}

}  // namespace
}  // namespace ladder::personnel
