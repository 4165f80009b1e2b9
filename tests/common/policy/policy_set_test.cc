#include "common/policy/policy_set.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ladder::policy {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kPolicyDir[] = "config/policy";
constexpr char kPolicyFile[] = "config/policy/v1.1.0.textproto";
constexpr char kSource[] = "broken.textproto";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

// 1-based number of the line holding `needle` in `text`, 0 if absent.
int LineOf(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  if (at == std::string::npos) return 0;
  return static_cast<int>(std::count(text.begin(), text.begin() + at, '\n')) + 1;
}

class PolicySetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    shipped_ = ReadFile(kPolicyFile);
    ASSERT_FALSE(shipped_.empty()) << kPolicyFile << " is not readable; run from the repo root";
  }

  // The shipped text with one exact substring replaced; fails the test if it is absent.
  std::string Edited(const std::string& from, const std::string& to) const {
    EXPECT_NE(shipped_.find(from), std::string::npos) << "the shipped policy has no '" << from << "'";
    std::string text = shipped_;
    text.replace(text.find(from), from.size(), to);
    return text;
  }

  // Parses and validates `text` as the file kSource; the first error, or OK.
  static absl::Status Check(const std::string& text) {
    absl::StatusOr<Policy> policy = ParsePolicyText(text, kSource);
    if (!policy.ok()) return policy.status();
    return ValidatePolicy(*policy, kSource);
  }

  // Expects `text` refused with INVALID_ARGUMENT naming the file and `field`.
  static void ExpectRefused(const std::string& text, const std::string& field) {
    const absl::Status status = Check(text);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_THAT(std::string(status.message()), HasSubstr(kSource));
    EXPECT_THAT(std::string(status.message()), HasSubstr(field));
  }

  static Policy Parsed(const std::string& text) {
    absl::StatusOr<Policy> policy = ParsePolicyText(text, kSource);
    EXPECT_TRUE(policy.ok()) << policy.status();
    return policy.ok() ? *policy : Policy();
  }

  // A fresh, empty directory under the test temporary directory, removed after the test.
  std::filesystem::path MakeTempDir() {
    static std::atomic<int> counter{0};
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    fs::path dir = fs::path(::testing::TempDir()) /
                   absl::StrCat("ladder_policy_set_test_", getpid(), "_", info->name(), "_", counter++);
    fs::remove_all(dir);
    fs::create_directories(dir);
    temp_dirs_.push_back(dir);
    return dir;
  }

  void TearDown() override {
    std::error_code ignored;
    for (const fs::path& dir : temp_dirs_) fs::remove_all(dir, ignored);
  }

  std::string shipped_;
  std::vector<fs::path> temp_dirs_;
};

TEST_F(PolicySetTest, ShippedFileParsesAndValidates) {
  absl::StatusOr<Policy> policy = ParsePolicyText(shipped_, kPolicyFile);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(ValidatePolicy(*policy, kPolicyFile).ok()) << ValidatePolicy(*policy, kPolicyFile);
  EXPECT_EQ(policy->version(), "1.1.0");
  ASSERT_NE(FindLevel(*policy, Level::LEVEL_JUNIOR), nullptr);
  EXPECT_EQ(FindLevel(*policy, Level::LEVEL_JUNIOR)->post_grade(), 6);
  EXPECT_EQ(FindLevel(*policy, Level::LEVEL_JUNIOR)->display_name(), "初级");
  EXPECT_EQ(FindLevel(*policy, Level::LEVEL_UNSPECIFIED), nullptr);
}

TEST_F(PolicySetTest, ShippedDirectoryLoads) {
  absl::StatusOr<PolicySet> set = PolicySet::LoadFromDirectory(kPolicyDir);
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_FALSE(set->versions().empty());
  const Policy* v110 = set->Find("1.1.0");
  ASSERT_NE(v110, nullptr);
  EXPECT_EQ(v110->effective_date().year(), 2026);
  EXPECT_EQ(set->InForceAt(absl::CivilDay(2026, 1, 1)), v110);
  EXPECT_EQ(set->InForceAt(absl::CivilDay(2025, 12, 31)), nullptr);
}

TEST_F(PolicySetTest, SharesNotSummingTo100AreRefused) {
  const std::string text = Edited("suggested_share_percent: 30", "suggested_share_percent: 20");
  ExpectRefused(text, "suggested_share_percent");
  EXPECT_THAT(std::string(Check(text).message()), HasSubstr("90"));
}

TEST_F(PolicySetTest, ALevelListedTwiceIsRefused) {
  const std::string text = Edited("level: LEVEL_SENIOR", "level: LEVEL_INTERMEDIATE");
  ExpectRefused(text, "levels[2].level");
  EXPECT_THAT(std::string(Check(text).message()), HasSubstr("more than once"));
}

TEST_F(PolicySetTest, AMissingLevelIsRefused) {
  // Drop the senior block; give its share to intermediate so only the missing level is wrong.
  Policy policy = Parsed(shipped_);
  ASSERT_EQ(policy.levels_size(), 3);
  policy.mutable_levels()->RemoveLast();
  policy.mutable_levels(1)->set_suggested_share_percent(70);
  const absl::Status status = ValidatePolicy(policy, kSource);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(kSource));
  EXPECT_THAT(std::string(status.message()), HasSubstr("levels"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("LEVEL_SENIOR"));
}

TEST_F(PolicySetTest, AnUnknownLevelNameIsAParseErrorWithItsLine) {
  const std::string text = Edited("level: LEVEL_SENIOR", "level: LEVEL_EXPERT");
  const int line = LineOf(text, "LEVEL_EXPERT");
  ASSERT_GT(line, 0);
  const absl::Status status = ParsePolicyText(text, kSource).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(kSource));
  EXPECT_THAT(std::string(status.message()), HasSubstr("LEVEL_EXPERT"));
  // protobuf's text parser reports an unknown enum value at the token that follows it, here
  // the first token of the next line; either line points the reader at the right place.
  EXPECT_THAT(std::string(status.message()),
              ::testing::AnyOf(HasSubstr(absl::StrCat("line ", line, ",")),
                               HasSubstr(absl::StrCat("line ", line + 1, ", column 3:"))));
}

TEST_F(PolicySetTest, AnUnknownFieldIsRefusedWithItsLine) {
  const std::string text = Edited("title:", "senior_bonus: 3\ntitle:");
  const int line = LineOf(text, "senior_bonus");
  const absl::Status status = ParsePolicyText(text, kSource).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(kSource));
  EXPECT_THAT(std::string(status.message()), HasSubstr("senior_bonus"));
  EXPECT_THAT(std::string(status.message()), HasSubstr(absl::StrCat("line ", line, ",")));
}

TEST_F(PolicySetTest, AMissingVersionIsRefused) { ExpectRefused(Edited("version: \"1.1.0\"", ""), "version"); }

TEST_F(PolicySetTest, AMissingEffectiveDateIsRefused) {
  ExpectRefused(Edited("effective_date { year: 2026 month: 1 day: 1 }", ""), "effective_date");
}

TEST_F(PolicySetTest, AnImpossibleEffectiveDateIsRefused) {
  ExpectRefused(
      Edited("effective_date { year: 2026 month: 1 day: 1 }", "effective_date { year: 2026 month: 2 day: 30 }"),
      "effective_date");
}

TEST_F(PolicySetTest, TrialMonthsOutOfRangeAreRefused) {
  ExpectRefused(Edited("trial_months: 2", "trial_months: 25"), "entry.trial_months");
  ExpectRefused(Edited("trial_months: 2", "trial_months: -1"), "entry.trial_months");
  EXPECT_TRUE(Check(Edited("trial_months: 2", "trial_months: 24")).ok());
  EXPECT_TRUE(Check(Edited("trial_months: 2", "trial_months: 0")).ok());
}

TEST_F(PolicySetTest, AssessmentWeightsNotSummingTo100AreRefused) {
  ExpectRefused(Edited("interview_weight_percent: 60", "interview_weight_percent: 50"),
                "entry.written_test_weight_percent");
  ExpectRefused(Edited("written_test_weight_percent: 40", "written_test_weight_percent: 140"),
                "entry.written_test_weight_percent");
  // Summing to 100 is not enough: a negative weight is refused too.
  ExpectRefused(absl::StrReplaceAll(shipped_, {{"written_test_weight_percent: 40", "written_test_weight_percent: -10"},
                                               {"interview_weight_percent: 60", "interview_weight_percent: 110"}}),
                "entry.written_test_weight_percent");
  EXPECT_TRUE(
      Check(absl::StrReplaceAll(shipped_, {{"written_test_weight_percent: 40", "written_test_weight_percent: 50"},
                                           {"interview_weight_percent: 60", "interview_weight_percent: 50"}}))
          .ok());
}

TEST_F(PolicySetTest, APromotionRuleThatSkipsALevelIsRefused) {
  const std::string text = Edited("from_level: LEVEL_JUNIOR\n  to_level: LEVEL_INTERMEDIATE",
                                  "from_level: LEVEL_JUNIOR\n  to_level: LEVEL_SENIOR");
  ExpectRefused(text, "promotions[0]");
  ExpectRefused(Edited("from_level: LEVEL_JUNIOR\n  to_level: LEVEL_INTERMEDIATE",
                       "from_level: LEVEL_INTERMEDIATE\n  to_level: LEVEL_JUNIOR"),
                "promotions[0]");
}

TEST_F(PolicySetTest, ThresholdsOutsideZeroToHundredAreRefused) {
  ExpectRefused(Edited("min_composite: 90", "min_composite: 101"), "promotions[1].min_composite");
  ExpectRefused(Edited("min_composite: 85", "min_composite: -1"), "promotions[0].min_composite");
  ExpectRefused(Edited("below_composite: 60       # (D)\n  consecutive_cycles: 2     # (D)\n}",
                       "below_composite: 100.5\n  consecutive_cycles: 2\n}"),
                "demotion.below_composite");
  ExpectRefused(Edited("candidate_pass_mark: 60", "candidate_pass_mark: 150"), "entry.candidate_pass_mark");
  ExpectRefused(Edited("max_score: 100", "max_score: 120"), "evaluation");
  // The bounds themselves are allowed.
  EXPECT_TRUE(Check(Edited("min_composite: 90", "min_composite: 100")).ok());
  EXPECT_TRUE(Check(Edited("min_composite: 85", "min_composite: 0")).ok());
}

TEST_F(PolicySetTest, LoadFromAnEmptyDirectoryFails) {
  const fs::path dir = MakeTempDir();
  WriteFile(dir / "README.md", "not a policy\n");  // Only *.textproto files count.
  const absl::Status status = PolicySet::LoadFromDirectory(dir.string()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(dir.string()));
}

TEST_F(PolicySetTest, LoadFromAMissingDirectoryFails) {
  const fs::path dir = MakeTempDir() / "does_not_exist";
  const absl::Status status = PolicySet::LoadFromDirectory(dir.string()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("does_not_exist"));
}

TEST_F(PolicySetTest, LoadRefusesAnInvalidFileNamingIt) {
  const fs::path dir = MakeTempDir();
  WriteFile(dir / "v1.1.0.textproto", shipped_);
  WriteFile(dir / "v1.2.0.textproto",
            absl::StrReplaceAll(
                Edited("suggested_share_percent: 30", "suggested_share_percent: 35"),
                {{"version: \"1.1.0\"", "version: \"1.2.0\""}, {"year: 2026 month: 1", "year: 2026 month: 7"}}));
  const absl::Status status = PolicySet::LoadFromDirectory(dir.string()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("v1.2.0.textproto"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("suggested_share_percent"));
}

TEST_F(PolicySetTest, LoadRefusesTwoFilesWithTheSameVersion) {
  const fs::path dir = MakeTempDir();
  WriteFile(dir / "a.textproto", shipped_);
  WriteFile(dir / "b.textproto", Edited("year: 2026 month: 1", "year: 2027 month: 1"));
  const absl::Status status = PolicySet::LoadFromDirectory(dir.string()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("1.1.0"));
}

TEST_F(PolicySetTest, LoadRefusesTwoVersionsOnTheSameDay) {
  const fs::path dir = MakeTempDir();
  WriteFile(dir / "a.textproto", shipped_);
  WriteFile(dir / "b.textproto", Edited("version: \"1.1.0\"", "version: \"1.1.1\""));
  const absl::Status status = PolicySet::LoadFromDirectory(dir.string()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("same day"));
}

TEST_F(PolicySetTest, LoadReadsEveryVersionOfADirectory) {
  const fs::path dir = MakeTempDir();
  WriteFile(dir / "v1.1.0.textproto", shipped_);
  WriteFile(dir / "v1.2.0.textproto", absl::StrReplaceAll(shipped_, {{"version: \"1.1.0\"", "version: \"1.2.0\""},
                                                                     {"year: 2026 month: 1", "year: 2026 month: 7"}}));
  absl::StatusOr<PolicySet> set = PolicySet::LoadFromDirectory(dir.string());
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->versions().size(), 2u);
  EXPECT_EQ(set->versions()[0].version(), "1.1.0");
  EXPECT_EQ(set->versions()[1].version(), "1.2.0");
}

class InForceTest : public PolicySetTest {
 protected:
  void SetUp() override {
    PolicySetTest::SetUp();
    Policy first = Parsed(shipped_);
    Policy second = first;
    second.set_version("1.2.0");
    second.mutable_effective_date()->set_month(7);
    Policy third = first;
    third.set_version("2.0.0");
    third.mutable_effective_date()->set_year(2027);
    // Given out of order: the set orders them by effective date.
    absl::StatusOr<PolicySet> set = PolicySet::FromPolicies({third, first, second});
    ASSERT_TRUE(set.ok()) << set.status();
    set_ = *std::move(set);
  }
  PolicySet set_;
};

TEST_F(InForceTest, VersionsAreOrderedByEffectiveDate) {
  ASSERT_EQ(set_.versions().size(), 3u);
  EXPECT_EQ(set_.versions()[0].version(), "1.1.0");
  EXPECT_EQ(set_.versions()[1].version(), "1.2.0");
  EXPECT_EQ(set_.versions()[2].version(), "2.0.0");
}

TEST_F(InForceTest, InForceAtPicksTheLatestEffectiveDateNotAfterTheDay) {
  EXPECT_EQ(set_.InForceAt(absl::CivilDay(2025, 12, 31)), nullptr);
  const auto version_at = [&](absl::CivilDay day) -> std::string {
    const Policy* policy = set_.InForceAt(day);
    return policy == nullptr ? "none" : policy->version();
  };
  EXPECT_EQ(version_at(absl::CivilDay(2026, 1, 1)), "1.1.0");
  EXPECT_EQ(version_at(absl::CivilDay(2026, 6, 30)), "1.1.0");
  EXPECT_EQ(version_at(absl::CivilDay(2026, 7, 1)), "1.2.0");
  EXPECT_EQ(version_at(absl::CivilDay(2026, 12, 31)), "1.2.0");
  EXPECT_EQ(version_at(absl::CivilDay(2027, 1, 1)), "2.0.0");
  EXPECT_EQ(version_at(absl::CivilDay(2099, 1, 1)), "2.0.0");
}

TEST_F(InForceTest, FindByVersion) {
  const Policy* found = set_.Find("1.2.0");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->version(), "1.2.0");
  EXPECT_EQ(found->effective_date().month(), 7);
  EXPECT_EQ(set_.Find("1.3.0"), nullptr);
  EXPECT_EQ(set_.Find(""), nullptr);
}

TEST_F(PolicySetTest, FromPoliciesRefusesAnEmptyList) {
  EXPECT_EQ(PolicySet::FromPolicies({}).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ladder::policy
