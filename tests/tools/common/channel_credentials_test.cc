// The tools' channel credentials: what is refused before any connection, and that no
// message repeats a token.

#include "tools/common/channel_credentials.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace ladder::tools {
namespace {

constexpr char kToken[] = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

constexpr char kCertificate[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
constexpr char kKey[] = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n";

TEST(CheckTokenShapeTest, AcceptsACompactJwsOnly) {
  EXPECT_TRUE(CheckTokenShape(kToken).ok());
  for (const char* bad :
       {"", "abc", "a.b", "a.b.c.d", "a..c", "a.b.c d", "a.b.c\n", "/home/me/token.txt", "a.b+c.d", "Bearer a.b.c"}) {
    EXPECT_EQ(CheckTokenShape(bad).code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ReadTokenFileTest, TrimsTheNewlineAndRefusesAnEmptyOrMissingFile) {
  EXPECT_EQ(*ReadTokenFile(WriteTemp("token", std::string(kToken) + "\n")), kToken);
  EXPECT_EQ(ReadTokenFile(WriteTemp("empty", " \n")).status().code(), absl::StatusCode::kInvalidArgument);
  const absl::Status missing = ReadTokenFile("/nonexistent/token").status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(missing.message(), "/nonexistent/token")) << missing;
}

TEST(ChannelCredentialsForTest, RefusesUnusableOptionsBeforeConnecting) {
  const std::string ca = WriteTemp("ca.crt", kCertificate);
  const std::string key = WriteTemp("client.key", kKey);

  TransportOptions options;
  options.ca_file = ca;
  EXPECT_TRUE(ChannelCredentialsFor(options).ok());
  options.token = kToken;
  EXPECT_TRUE(ChannelCredentialsFor(options).ok());

  options.cert_file = ca;  // without its key
  EXPECT_TRUE(absl::StrContains(ChannelCredentialsFor(options).status().message(), "go together"));
  options.key_file = key;
  EXPECT_TRUE(ChannelCredentialsFor(options).ok());

  options = TransportOptions();
  options.ca_file = key;  // a key where the CA belongs
  const absl::Status wrong_kind = ChannelCredentialsFor(options).status();
  EXPECT_TRUE(absl::StrContains(wrong_kind.message(), "holds no PEM certificate")) << wrong_kind;

  options = TransportOptions();
  options.token = std::string(kToken) + " trailing";
  const absl::Status bad_token = ChannelCredentialsFor(options).status();
  EXPECT_EQ(bad_token.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(absl::StrContains(bad_token.message(), "c2lnbmF0dXJl")) << bad_token;
}

TEST(ChannelCredentialsForTest, PlaintextIgnoresTheRest) {
  TransportOptions options;
  options.insecure_plaintext = true;
  options.ca_file = "/nonexistent/ca.crt";
  options.token = "not a token";
  EXPECT_TRUE(ChannelCredentialsFor(options).ok());
}

}  // namespace
}  // namespace ladder::tools
