#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "ladder/common/v1/policy.pb.h"

namespace ladder::policy {

using ::ladder::common::v1::Level;
using ::ladder::common::v1::LevelPolicy;
using ::ladder::common::v1::Policy;

// Parses a policy in protobuf text format. `source` (a file name) prefixes every error,
// with the line and column of a syntax error or an unknown field or enum value.
absl::StatusOr<Policy> ParsePolicyText(absl::string_view text, absl::string_view source);

// Checks that a policy is complete and consistent: version and effective date set; each
// level exactly once with a post grade and a share; shares summing to 100; rounding
// methods chosen; thresholds within 0–100; rules referring to adjacent levels. The error
// names `source` and the field, e.g. "v1.1.0.textproto: levels: shares sum to 90, not 100".
absl::Status ValidatePolicy(const Policy& policy, absl::string_view source);

// The levels of `policy` for `level`, or nullptr.
const LevelPolicy* FindLevel(const Policy& policy, Level level);

// Every version of the policy, ordered by effective date.
class PolicySet final {
 public:
  // Loads and validates every *.textproto file of `directory`. Fails on an empty
  // directory, an invalid file, or two files with the same version or effective date.
  static absl::StatusOr<PolicySet> LoadFromDirectory(const std::string& directory);
  static absl::StatusOr<PolicySet> FromPolicies(std::vector<Policy> policies);

  // The version in force on `day`, or nullptr before the first one.
  const Policy* InForceAt(absl::CivilDay day) const;
  // The version named `version`, or nullptr.
  const Policy* Find(absl::string_view version) const;
  const std::vector<Policy>& versions() const { return versions_; }

 private:
  std::vector<Policy> versions_;
};

}  // namespace ladder::policy
