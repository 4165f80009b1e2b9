// SignToken checked from outside libjwt: keys made here with OpenSSL's EVP API, the token
// taken apart by hand (base64url, then JSON through protobuf's parser) and its signature
// verified with EVP_DigestVerify.

#include "tools/token/token_signer.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace ladder::token {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string PrivatePem(EVP_PKEY* key, const EVP_CIPHER* cipher = nullptr, const char* passphrase = nullptr) {
  BIO* bio = BIO_new(BIO_s_mem());
  // PKCS#8, as scripts/lib/dev-pki.sh writes keys.
  const int length_of_passphrase = passphrase == nullptr ? 0 : static_cast<int>(std::strlen(passphrase));
  PEM_write_bio_PKCS8PrivateKey(bio, key, cipher, passphrase, length_of_passphrase, nullptr, nullptr);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(length));
  BIO_free(bio);
  return pem;
}

Pkey EcKey(const char* curve = "P-256") { return Pkey(EVP_EC_gen(curve)); }
Pkey RsaKey(unsigned int bits = 2048) { return Pkey(EVP_RSA_gen(bits)); }

struct Parts {
  Struct header;
  Struct payload;
  std::string signing_input;  // header.payload, as signed
  std::string signature;      // raw bytes
};

Struct ParseJson(const std::string& base64url) {
  std::string json;
  EXPECT_TRUE(absl::WebSafeBase64Unescape(base64url, &json)) << base64url;
  Struct parsed;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
  return parsed;
}

Parts Split(const std::string& token) {
  const std::vector<std::string> pieces = absl::StrSplit(token, '.');
  EXPECT_EQ(pieces.size(), 3u) << token;
  Parts parts;
  if (pieces.size() != 3) return parts;
  // Compact serialisation: base64url without padding.
  for (const std::string& piece : pieces) {
    EXPECT_EQ(piece.find_first_of("=+/"), std::string::npos) << piece;
  }
  parts.header = ParseJson(pieces[0]);
  parts.payload = ParseJson(pieces[1]);
  parts.signing_input = pieces[0] + "." + pieces[1];
  EXPECT_TRUE(absl::WebSafeBase64Unescape(pieces[2], &parts.signature));
  return parts;
}

// JWS ES256 carries the signature as R||S, 32 bytes each; OpenSSL verifies DER.
std::string EcdsaDer(const std::string& raw) {
  if (raw.size() != 64) return "";
  ECDSA_SIG* sig = ECDSA_SIG_new();
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  ECDSA_SIG_set0(sig, BN_bin2bn(bytes, 32, nullptr), BN_bin2bn(bytes + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(sig, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

bool Verifies(EVP_PKEY* key, const std::string& input, const std::string& signature) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(context, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(context);
  return ok;
}

const Value& Field(const Struct& object, const std::string& name) {
  static const Value* missing = new Value();
  const auto it = object.fields().find(name);
  return it == object.fields().end() ? *missing : it->second;
}

TokenSpec FullSpec() {
  TokenSpec spec;
  spec.issuer = "ladder";
  spec.audience = "ladder";
  spec.subject = "hr-7";
  spec.role = "COUNTY_HR";
  spec.counties = {"orgUnits/2", "orgUnits/5"};
  spec.employee = "employees/42";
  spec.issued_at = absl::FromUnixSeconds(1800000000);
  spec.not_before = absl::FromUnixSeconds(1800000060);
  spec.expires_at = absl::FromUnixSeconds(1800028800);
  spec.kid = "ladder-dev-es256";
  return spec;
}

TEST(SignTokenTest, Es256WithAnEcKeyVerifiesAndCarriesEveryClaim) {
  const Pkey key = EcKey();
  const absl::StatusOr<std::string> token = SignToken(FullSpec(), PrivatePem(key.get()));
  ASSERT_TRUE(token.ok()) << token.status();
  const Parts parts = Split(*token);

  EXPECT_EQ(Field(parts.header, "alg").string_value(), "ES256");
  EXPECT_EQ(Field(parts.header, "kid").string_value(), "ladder-dev-es256");
  ASSERT_EQ(parts.signature.size(), 64u) << "ES256 signatures are R||S, not DER";
  EXPECT_TRUE(Verifies(key.get(), parts.signing_input, EcdsaDer(parts.signature)));

  EXPECT_EQ(Field(parts.payload, "iss").string_value(), "ladder");
  EXPECT_EQ(Field(parts.payload, "aud").string_value(), "ladder");
  EXPECT_EQ(Field(parts.payload, "sub").string_value(), "hr-7");
  EXPECT_EQ(Field(parts.payload, "role").string_value(), "COUNTY_HR");
  EXPECT_EQ(Field(parts.payload, "employee").string_value(), "employees/42");
  EXPECT_EQ(Field(parts.payload, "iat").number_value(), 1800000000);
  EXPECT_EQ(Field(parts.payload, "nbf").number_value(), 1800000060);
  EXPECT_EQ(Field(parts.payload, "exp").number_value(), 1800028800);
  const Value& counties = Field(parts.payload, "counties");
  ASSERT_TRUE(counties.has_list_value()) << "counties must be a JSON array";
  ASSERT_EQ(counties.list_value().values_size(), 2);
  EXPECT_EQ(counties.list_value().values(0).string_value(), "orgUnits/2");
  EXPECT_EQ(counties.list_value().values(1).string_value(), "orgUnits/5");
  EXPECT_FALSE(parts.payload.fields().contains("team"));
}

TEST(SignTokenTest, Rs256WithAnRsaKeyVerifies) {
  const Pkey key = RsaKey();
  TokenSpec spec = FullSpec();
  spec.kid = "ladder-dev-rs256";
  const absl::StatusOr<std::string> token = SignToken(spec, PrivatePem(key.get()));
  ASSERT_TRUE(token.ok()) << token.status();
  const Parts parts = Split(*token);
  EXPECT_EQ(Field(parts.header, "alg").string_value(), "RS256");
  EXPECT_EQ(Field(parts.header, "kid").string_value(), "ladder-dev-rs256");
  EXPECT_EQ(parts.signature.size(), 256u);
  EXPECT_TRUE(Verifies(key.get(), parts.signing_input, parts.signature));
}

TEST(SignTokenTest, AChangedPayloadOrAnotherKeyDoesNotVerify) {
  const Pkey key = EcKey();
  const Pkey other = EcKey();
  const Parts parts = Split(*SignToken(FullSpec(), PrivatePem(key.get())));
  const std::string der = EcdsaDer(parts.signature);
  EXPECT_FALSE(Verifies(other.get(), parts.signing_input, der));
  std::string changed = parts.signing_input;
  changed.back() = changed.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(Verifies(key.get(), changed, der));
}

TEST(SignTokenTest, LeavesOutWhatIsNotGivenSoTestsCanMintBadTokens) {
  const Pkey key = EcKey();
  TokenSpec spec;
  spec.subject = "someone";
  const absl::StatusOr<std::string> token = SignToken(spec, PrivatePem(key.get()));
  ASSERT_TRUE(token.ok()) << token.status();
  const Parts parts = Split(*token);
  EXPECT_FALSE(parts.header.fields().contains("kid"));
  EXPECT_EQ(parts.payload.fields().size(), 1u);
  EXPECT_EQ(Field(parts.payload, "sub").string_value(), "someone");
}

TEST(SignTokenTest, ArrayEntriesAreEscapedAsJson) {
  const Pkey key = EcKey();
  TokenSpec spec = FullSpec();
  spec.counties = {"a\"b", "c\\d", "柯城区", "tab\there"};
  const absl::StatusOr<std::string> token = SignToken(spec, PrivatePem(key.get()));
  ASSERT_TRUE(token.ok()) << token.status();
  const Parts parts = Split(*token);
  const Value& counties = Field(parts.payload, "counties");
  ASSERT_EQ(counties.list_value().values_size(), 4);
  EXPECT_EQ(counties.list_value().values(0).string_value(), "a\"b");
  EXPECT_EQ(counties.list_value().values(1).string_value(), "c\\d");
  EXPECT_EQ(counties.list_value().values(2).string_value(), "柯城区");
  EXPECT_EQ(counties.list_value().values(3).string_value(), "tab\there");
}

TEST(SignTokenTest, RefusesKeysThatCannotSignEs256OrRs256) {
  const TokenSpec spec = FullSpec();
  EXPECT_EQ(SignToken(spec, "not a key").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SignToken(spec, "").status().code(), absl::StatusCode::kInvalidArgument);
  const Pkey p384 = EcKey("P-384");
  const absl::Status curve = SignToken(spec, PrivatePem(p384.get())).status();
  EXPECT_EQ(curve.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(curve.message().find("P-256"), absl::string_view::npos) << curve;
  const Pkey small = RsaKey(1024);
  EXPECT_EQ(SignToken(spec, PrivatePem(small.get())).status().code(), absl::StatusCode::kInvalidArgument);
  const Pkey ed25519(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  EXPECT_EQ(SignToken(spec, PrivatePem(ed25519.get())).status().code(), absl::StatusCode::kInvalidArgument);
  // An encrypted key is refused, not prompted for.
  const Pkey ec = EcKey();
  EXPECT_EQ(SignToken(spec, PrivatePem(ec.get(), EVP_aes_256_cbc(), "secret")).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SignTokenTest, RefusesTimesThatAreNoNumericDate) {
  const Pkey key = EcKey();
  TokenSpec spec = FullSpec();
  spec.expires_at = absl::InfiniteFuture();
  EXPECT_EQ(SignToken(spec, PrivatePem(key.get())).status().code(), absl::StatusCode::kInvalidArgument);
  spec = FullSpec();
  spec.issued_at = absl::UnixEpoch() - absl::Seconds(1);
  EXPECT_EQ(SignToken(spec, PrivatePem(key.get())).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ladder::token
