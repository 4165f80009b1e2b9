// ladder_token: mints a bearer token for the Ladder services, for development, tests and
// other systems' integration environments.
//
//   ladder_token --key=FILE --kid=ID [--issuer=ladder] [--audience=ladder] --subject=S
//                --role=R [--counties=orgUnits/1,orgUnits/2] [--team=teams/3]
//                [--employee=employees/4] [--ttl=8h] [--not_before_in=0s]
//
// Prints the compact JWT on stdout and nothing else, so `$(ladder_token ...)` is the token.
// The algorithm follows the key: EC P-256 signs ES256, RSA RS256. The claims are checked
// first (role, its scope, resource names), so a typo is reported here rather than as a
// refusal by a server. Exit status: 0 printed, 2 bad usage or input (an unknown flag, an
// unreadable or unsuitable key, claims the services would refuse), 1 signing failed.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/common/command_line.h"
#include "tools/token/token_claims.h"
#include "tools/token/token_signer.h"

ABSL_FLAG(std::string, key, "", "PEM private key to sign with: EC P-256 (ES256) or RSA (RS256)");
ABSL_FLAG(std::string, kid, "",
          "key id put in the header: the file stem of the public key in the servers' "
          "--jwt_keys_dir, e.g. ladder-dev-es256");
ABSL_FLAG(std::string, issuer, "ladder", "iss claim; the servers' --jwt_issuer");
ABSL_FLAG(std::string, audience, "ladder", "aud claim; the servers' --jwt_audience");
ABSL_FLAG(std::string, subject, "", "sub claim: who the token speaks for, e.g. a user id");
ABSL_FLAG(std::string, role, "",
          "HR_ADMIN, COUNTY_HR, SUPERVISOR, SERVICE_STAFF, AUDITOR, EMPLOYEE, PAYROLL or OPERATOR");
ABSL_FLAG(std::vector<std::string>, counties, {}, "comma-separated orgUnits/<id> the holder may act in (COUNTY_HR)");
ABSL_FLAG(std::string, team, "", "teams/<id> of the holder (SUPERVISOR, SERVICE_STAFF)");
ABSL_FLAG(std::string, employee, "", "employees/<id> of the holder (EMPLOYEE; optional otherwise)");
ABSL_FLAG(absl::Duration, ttl, absl::Hours(8), "how long the token is valid from now");
ABSL_FLAG(absl::Duration, not_before_in, absl::ZeroDuration(), "the token is valid from now plus this (nbf)");

namespace {

constexpr char kUsage[] =
    "ladder_token --key=FILE --kid=ID [--issuer=ladder] [--audience=ladder] --subject=S "
    "--role=R [--counties=orgUnits/1,...] [--team=teams/N] [--employee=employees/N] [--ttl=8h] "
    "[--not_before_in=0s]";
constexpr int kExitSigningFailed = 1;

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat("--key: cannot read ", path, ": ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool IsFinite(absl::Duration duration) {
  return duration != absl::InfiniteDuration() && duration != -absl::InfiniteDuration();
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      absl::StrCat("Mints a bearer token (JWT) for the Ladder services and prints it.\n"
                   "Exit status: 0 printed, 1 signing failed, 2 bad usage or input.\n  ",
                   kUsage));
  ladder::tools::ParseCommandLineOrExit(argc, argv, kUsage);
  using ladder::tools::UsageError;

  const std::string key_file = absl::GetFlag(FLAGS_key);
  if (key_file.empty()) return UsageError("--key is required", kUsage);
  if (absl::GetFlag(FLAGS_kid).empty()) return UsageError("--kid is required", kUsage);
  if (absl::GetFlag(FLAGS_subject).empty()) return UsageError("--subject is required", kUsage);
  if (absl::GetFlag(FLAGS_role).empty()) return UsageError("--role is required", kUsage);
  const absl::Duration ttl = absl::GetFlag(FLAGS_ttl);
  const absl::Duration not_before_in = absl::GetFlag(FLAGS_not_before_in);
  if (ttl <= absl::ZeroDuration() || !IsFinite(ttl)) {
    return UsageError("--ttl must be a positive, finite duration such as 8h", kUsage);
  }
  if (!IsFinite(not_before_in)) {
    return UsageError("--not_before_in must be a finite duration such as 0s or 5m", kUsage);
  }

  ladder::token::TokenSpec spec;
  spec.kid = absl::GetFlag(FLAGS_kid);
  spec.issuer = absl::GetFlag(FLAGS_issuer);
  spec.audience = absl::GetFlag(FLAGS_audience);
  spec.subject = absl::GetFlag(FLAGS_subject);
  spec.role = absl::AsciiStrToUpper(absl::GetFlag(FLAGS_role));
  spec.counties = absl::GetFlag(FLAGS_counties);
  spec.team = absl::GetFlag(FLAGS_team);
  spec.employee = absl::GetFlag(FLAGS_employee);
  // NumericDate has whole seconds; truncating here keeps nbf and exp whole offsets of iat.
  spec.issued_at = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
  spec.not_before = spec.issued_at + not_before_in;
  spec.expires_at = spec.issued_at + ttl;
  if (const absl::Status claims = ladder::token::CheckClaims(spec); !claims.ok()) {
    return UsageError(claims.message(), kUsage);
  }

  const absl::StatusOr<std::string> key = ReadFile(key_file);
  if (!key.ok()) return UsageError(key.status().message(), kUsage);
  const absl::StatusOr<std::string> token = ladder::token::SignToken(spec, *key);
  if (!token.ok()) {
    if (token.status().code() == absl::StatusCode::kInvalidArgument) {
      return UsageError(absl::StrCat("--key ", key_file, ": ", token.status().message()), kUsage);
    }
    std::fprintf(stderr, "ladder_token: %s\n", std::string(token.status().message()).c_str());
    return kExitSigningFailed;
  }
  std::printf("%s\n", token->c_str());
  return 0;
}
