// The token verifier on its own: key rotation by adding a file, and the checks that do not
// need a server (the integration tests cover the rest through real calls).

#include "common/auth/jwt_verifier.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/test_credentials.h"

namespace ladder::testing {
namespace {

namespace fs = std::filesystem;

class JwtVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = fs::temp_directory_path() / ("ladder-jwt-keys-" + std::to_string(::getpid()));
    fs::remove_all(keys_);
    fs::create_directories(keys_);
    fs::copy_file(fs::path(PkiDir()) / "jwt/public/ladder-dev-es256.pem", keys_ / "ladder-dev-es256.pem");
  }
  void TearDown() override { fs::remove_all(keys_); }

  std::unique_ptr<auth::JwtVerifier> Verifier(absl::Duration refresh) {
    auth::JwtOptions options;
    options.keys_dir = keys_.string();
    options.key_refresh = refresh;
    auto verifier = auth::JwtVerifier::Create(options);
    EXPECT_TRUE(verifier.ok()) << verifier.status();
    return verifier.ok() ? *std::move(verifier) : nullptr;
  }

  fs::path keys_;
};

TEST_F(JwtVerifierTest, AKeyAddedToTheDirectoryIsUsedAfterTheRefreshAndARemovedOneIsNot) {
  auto verifier = Verifier(absl::ZeroDuration());
  ASSERT_NE(verifier, nullptr);
  token::TokenSpec spec = SpecFor({"rotator", "AUDITOR"});
  spec.kid = "next-key";
  const std::string token = Sign(spec, "ladder-dev-rs256");
  EXPECT_EQ(verifier->Verify(token, absl::Now()).status().code(), absl::StatusCode::kUnauthenticated);

  fs::copy_file(fs::path(PkiDir()) / "jwt/public/ladder-dev-rs256.pem", keys_ / "next-key.pem");
  absl::StatusOr<auth::VerifiedToken> verified = verifier->Verify(token, absl::Now());
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->principal.actor, "user:rotator");
  EXPECT_EQ(verified->principal.role, auth::Role::kAuditor);

  fs::remove(keys_ / "next-key.pem");
  EXPECT_FALSE(verifier->Verify(token, absl::Now()).ok());
}

TEST_F(JwtVerifierTest, LifetimeIsJudgedAtTheGivenTimeWithLeeway) {
  auto verifier = Verifier(absl::Hours(1));
  ASSERT_NE(verifier, nullptr);
  token::TokenSpec spec = SpecFor({"clock", "HR_ADMIN"});
  spec.not_before = absl::Now();
  spec.expires_at = absl::Now() + absl::Minutes(10);
  const std::string token = Sign(spec);
  EXPECT_TRUE(verifier->Verify(token, absl::Now()).ok());
  EXPECT_TRUE(verifier->Verify(token, absl::Now() - absl::Seconds(20)).ok()) << "within the skew";
  EXPECT_FALSE(verifier->Verify(token, absl::Now() - absl::Minutes(2)).ok()) << "before nbf";
  EXPECT_TRUE(verifier->Verify(token, spec.expires_at + absl::Seconds(20)).ok()) << "within the skew";
  EXPECT_FALSE(verifier->Verify(token, spec.expires_at + absl::Minutes(1)).ok()) << "expired";
}

TEST_F(JwtVerifierTest, ScopeClaimsBecomeThePrincipal) {
  auto verifier = Verifier(absl::Hours(1));
  ASSERT_NE(verifier, nullptr);
  const std::string token = Sign(SpecFor({"hr-two", "COUNTY_HR", {"orgUnits/4", "orgUnits/9"}, "", "employees/12"}));
  absl::StatusOr<auth::VerifiedToken> verified = verifier->Verify(token, absl::Now());
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_THAT(verified->principal.counties, ::testing::ElementsAre(4, 9));
  EXPECT_EQ(verified->principal.employee, 12);
  EXPECT_EQ(verified->principal.team, 0);

  EXPECT_FALSE(verifier->Verify(Sign(SpecFor({"x", "COUNTY_HR", {"teams/4"}})), absl::Now()).ok())
      << "a county that is not an org unit name";
  EXPECT_FALSE(verifier->Verify(Sign(SpecFor({"x", "SUPERVISOR"})), absl::Now()).ok()) << "no team";
  EXPECT_FALSE(verifier->Verify(Sign(SpecFor({"x", "EMPLOYEE"})), absl::Now()).ok()) << "no employee";
}

TEST_F(JwtVerifierTest, ADirectoryWithoutUsableKeysIsAStartupError) {
  auth::JwtOptions options;
  options.keys_dir = (keys_ / "missing").string();
  EXPECT_FALSE(auth::JwtVerifier::Create(options).ok());
  std::ofstream(keys_ / "broken.pem") << "not a key";
  options.keys_dir = keys_.string();
  absl::StatusOr<std::unique_ptr<auth::JwtVerifier>> broken = auth::JwtVerifier::Create(options);
  EXPECT_FALSE(broken.ok());
  EXPECT_THAT(std::string(broken.status().message()), ::testing::HasSubstr("broken.pem"));
}

}  // namespace
}  // namespace ladder::testing
