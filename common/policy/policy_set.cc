#include "common/policy/policy_set.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/macros.h"
#include "common/time/dates.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace ladder::policy {
namespace {

using ::ladder::common::v1::CareerMoveTarget;
using ::ladder::common::v1::QuotaPolicy;

class CollectingErrors final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    errors_.push_back(absl::StrCat("line ", line + 1, ", column ", column + 1, ": ", message));
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    AddError(line, column, message);
  }
  std::string Joined() const { return absl::StrJoin(errors_, "; "); }

 private:
  std::vector<std::string> errors_;
};

absl::Status Invalid(absl::string_view source, absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(source, ": ", field, ": ", why));
}

absl::Status CheckScore(double value, absl::string_view source, absl::string_view field) {
  if (value < 0 || value > 100) return Invalid(source, field, "must be between 0 and 100");
  return absl::OkStatus();
}

bool IsKnownLevel(Level level) {
  return level == Level::LEVEL_JUNIOR || level == Level::LEVEL_INTERMEDIATE || level == Level::LEVEL_SENIOR;
}

}  // namespace

absl::StatusOr<Policy> ParsePolicyText(absl::string_view text, absl::string_view source) {
  Policy policy;
  google::protobuf::TextFormat::Parser parser;
  CollectingErrors errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &policy)) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": ", errors.Joined()));
  }
  return policy;
}

const LevelPolicy* FindLevel(const Policy& policy, Level level) {
  for (const LevelPolicy& entry : policy.levels()) {
    if (entry.level() == level) return &entry;
  }
  return nullptr;
}

absl::Status ValidatePolicy(const Policy& policy, absl::string_view source) {
  if (policy.version().empty()) return Invalid(source, "version", "is required, e.g. \"1.1.0\"");
  if (!ToCivilDay(policy.effective_date(), "effective_date").ok()) {
    return Invalid(source, "effective_date", "must be a full date { year month day }");
  }

  std::set<Level> seen;
  int share_sum = 0;
  for (int i = 0; i < policy.levels_size(); ++i) {
    const LevelPolicy& level = policy.levels(i);
    const std::string field = absl::StrCat("levels[", i, "]");
    if (!IsKnownLevel(level.level())) {
      return Invalid(source, field + ".level", "must be LEVEL_JUNIOR, LEVEL_INTERMEDIATE or LEVEL_SENIOR");
    }
    if (!seen.insert(level.level()).second) {
      return Invalid(source, field + ".level", absl::StrCat(Level_Name(level.level()), " appears more than once"));
    }
    if (level.post_grade() <= 0) return Invalid(source, field + ".post_grade", "must be positive");
    if (level.suggested_share_percent() < 0 || level.suggested_share_percent() > 100) {
      return Invalid(source, field + ".suggested_share_percent", "must be 0-100");
    }
    share_sum += level.suggested_share_percent();
  }
  if (seen.size() != 3) {
    return Invalid(source, "levels", "must list LEVEL_JUNIOR, LEVEL_INTERMEDIATE and LEVEL_SENIOR");
  }
  if (share_sum != 100) {
    return Invalid(source, "levels.suggested_share_percent",
                   absl::StrCat("shares sum to ", share_sum, ", must be 100"));
  }
  if (policy.quota().cap_rounding() == QuotaPolicy::CAP_ROUNDING_UNSPECIFIED) {
    return Invalid(source, "quota.cap_rounding", "is required (CAP_ROUNDING_FLOOR)");
  }
  if (policy.quota().suggestion_method() == QuotaPolicy::SUGGESTION_METHOD_UNSPECIFIED) {
    return Invalid(source, "quota.suggestion_method", "is required (SUGGESTION_METHOD_LARGEST_REMAINDER)");
  }

  const auto& entry = policy.entry();
  if (entry.trial_months() < 0 || entry.trial_months() > 24) {
    return Invalid(source, "entry.trial_months", "must be 0-24");
  }
  if (!IsKnownLevel(entry.initial_level())) {
    return Invalid(source, "entry.initial_level", "must be a level");
  }
  if (entry.written_test_weight_percent() < 0 || entry.interview_weight_percent() < 0 ||
      entry.written_test_weight_percent() + entry.interview_weight_percent() != 100) {
    return Invalid(source, "entry.written_test_weight_percent",
                   "written test and interview weights must be non-negative and sum to 100");
  }
  LADDER_RETURN_IF_ERROR(CheckScore(entry.candidate_pass_mark(), source, "entry.candidate_pass_mark"));

  const auto& evaluation = policy.evaluation();
  if (evaluation.min_score() < 0 || evaluation.max_score() > 100 || evaluation.min_score() >= evaluation.max_score()) {
    return Invalid(source, "evaluation", "scores must satisfy 0 <= min_score < max_score <= 100");
  }

  for (int i = 0; i < policy.promotions_size(); ++i) {
    const auto& rule = policy.promotions(i);
    const std::string field = absl::StrCat("promotions[", i, "]");
    if (!IsKnownLevel(rule.from_level()) || !IsKnownLevel(rule.to_level()) ||
        rule.to_level() != rule.from_level() + 1) {
      return Invalid(source, field, "must move up exactly one level");
    }
    if (rule.min_months_at_level() < 0) return Invalid(source, field + ".min_months_at_level", "must not be negative");
    if (rule.cycles() < 1) return Invalid(source, field + ".cycles", "must be at least 1");
    LADDER_RETURN_IF_ERROR(CheckScore(rule.min_composite(), source, field + ".min_composite"));
  }
  if (policy.demotion().consecutive_cycles() < 1) {
    return Invalid(source, "demotion.consecutive_cycles", "must be at least 1");
  }
  LADDER_RETURN_IF_ERROR(CheckScore(policy.demotion().below_composite(), source, "demotion.below_composite"));
  if (!IsKnownLevel(policy.elimination().at_level())) {
    return Invalid(source, "elimination.at_level", "must be a level");
  }
  if (policy.elimination().consecutive_cycles() < 1) {
    return Invalid(source, "elimination.consecutive_cycles", "must be at least 1");
  }
  LADDER_RETURN_IF_ERROR(CheckScore(policy.elimination().below_composite(), source, "elimination.below_composite"));
  for (int i = 0; i < policy.career_moves().targets_size(); ++i) {
    if (policy.career_moves().targets(i) == CareerMoveTarget::CAREER_MOVE_TARGET_UNSPECIFIED) {
      return Invalid(source, absl::StrCat("career_moves.targets[", i, "]"), "must be a target");
    }
  }
  if (policy.customer_service_staff_post_grade() <= 0) {
    return Invalid(source, "customer_service_staff_post_grade", "must be positive");
  }
  return absl::OkStatus();
}

absl::StatusOr<PolicySet> PolicySet::FromPolicies(std::vector<Policy> policies) {
  if (policies.empty()) return absl::InvalidArgumentError("no policy version was given");
  for (const Policy& policy : policies) {
    LADDER_RETURN_IF_ERROR(ValidatePolicy(policy, absl::StrCat("policy ", policy.version())));
  }
  std::sort(policies.begin(), policies.end(), [](const Policy& a, const Policy& b) {
    return *ToCivilDay(a.effective_date(), "") < *ToCivilDay(b.effective_date(), "");
  });
  std::set<std::string> versions;
  for (size_t i = 0; i < policies.size(); ++i) {
    if (!versions.insert(policies[i].version()).second) {
      return absl::InvalidArgumentError(absl::StrCat("policy version ", policies[i].version(), " is defined twice"));
    }
    if (i > 0 && *ToCivilDay(policies[i].effective_date(), "") == *ToCivilDay(policies[i - 1].effective_date(), "")) {
      return absl::InvalidArgumentError(absl::StrCat("policy versions ", policies[i - 1].version(), " and ",
                                                     policies[i].version(), " take effect on the same day"));
    }
  }
  PolicySet set;
  set.versions_ = std::move(policies);
  return set;
}

absl::StatusOr<PolicySet> PolicySet::LoadFromDirectory(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    return absl::InvalidArgumentError(absl::StrCat("policy directory ", directory, " does not exist"));
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    if (entry.path().extension() == ".textproto") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("policy directory ", directory, " has no *.textproto file"));
  }
  std::vector<Policy> policies;
  for (const fs::path& file : files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return absl::InvalidArgumentError(absl::StrCat(file.string(), ": cannot be read"));
    LADDER_ASSIGN_OR_RETURN(Policy policy, ParsePolicyText(text.str(), file.string()));
    LADDER_RETURN_IF_ERROR(ValidatePolicy(policy, file.string()));
    policies.push_back(std::move(policy));
  }
  return FromPolicies(std::move(policies));
}

const Policy* PolicySet::InForceAt(absl::CivilDay day) const {
  const Policy* in_force = nullptr;
  for (const Policy& policy : versions_) {
    if (*ToCivilDay(policy.effective_date(), "") <= day) in_force = &policy;
  }
  return in_force;
}

const Policy* PolicySet::Find(absl::string_view version) const {
  for (const Policy& policy : versions_) {
    if (policy.version() == version) return &policy;
  }
  return nullptr;
}

}  // namespace ladder::policy
