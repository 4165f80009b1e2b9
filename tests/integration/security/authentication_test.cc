// Who may call at all: bearer tokens (every way one can be wrong), client certificates
// (missing, from another CA, of the wrong service), plaintext, and health checks. Refused
// tokens never reach the logs.

#include <openssl/hmac.h>

#include <fstream>
#include <future>
#include <sstream>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"
#include "tests/integration/security/security_test_base.h"

namespace ladder::testing {
namespace {

using grpc::StatusCode;

constexpr char kListOrgUnits[] = "/ladder.personnel.v1.PersonnelService/ListOrgUnits";
constexpr char kChangeLevel[] = "/ladder.personnel.v1.PersonnelService/ChangeLevel";

std::string Base64Url(const std::string& bytes) {
  std::string encoded;
  absl::WebSafeBase64Escape(bytes, &encoded);
  return encoded;
}

std::string ReadPki(const std::string& relative) {
  std::ifstream in(PkiDir() + "/" + relative);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// A token signed with HMAC-SHA256 keyed by the ES256 *public* key: the classic confusion
// attack on verifiers that let the token choose the algorithm.
std::string HmacWithPublicKey(const std::string& payload_json) {
  const std::string signing_input =
      Base64Url(R"({"alg":"HS256","typ":"JWT","kid":"ladder-dev-es256"})") + "." + Base64Url(payload_json);
  const std::string key = ReadPki("jwt/public/ladder-dev-es256.pem");
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &length);
  return signing_input + "." + Base64Url(std::string(reinterpret_cast<char*>(mac), length));
}

std::string PayloadJson() {
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  return absl::StrCat(R"({"iss":"ladder","aud":"ladder","sub":"mallory","role":"HR_ADMIN","exp":)", now + 3600, "}");
}

class AuthenticationTest : public SecurityTestBase {
 protected:
  grpc::Status CallWithToken(const std::string& token, const std::string& method = kListOrgUnits) {
    grpc::GenericStub stub(ChannelFor(personnel_server_->address(), Anonymous()));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    AuthorizeWithToken(context, token);
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1), response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status status) { done.set_value(std::move(status)); });
    return done.get_future().get();
  }
};

TEST_F(AuthenticationTest, EveryKindOfBadTokenIsUnauthenticatedAndNeverLogged) {
  std::ostringstream logs;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(logs);
  spdlog::default_logger()->sinks().push_back(sink);

  const TestIdentity admin{"token-tester", "HR_ADMIN"};
  ASSERT_TRUE(CallWithToken(TokenFor(admin)).ok()) << "a good ES256 token is accepted";
  token::TokenSpec rs256 = SpecFor(admin);
  rs256.kid = "ladder-dev-rs256";
  ASSERT_TRUE(CallWithToken(Sign(rs256, "ladder-dev-rs256")).ok()) << "a good RS256 token is accepted";

  std::vector<std::pair<std::string, std::string>> refused;
  auto add = [&](const std::string& what, token::TokenSpec spec, const std::string& key = "ladder-dev-es256",
                 bool rogue = false) { refused.emplace_back(what, Sign(spec, key, rogue)); };
  token::TokenSpec spec = SpecFor(admin);
  spec.expires_at = absl::Now() - absl::Minutes(2);
  add("expired", spec);
  spec = SpecFor(admin);
  spec.not_before = absl::Now() + absl::Minutes(5);
  add("not yet valid", spec);
  add("signed by another key under the same kid", SpecFor(admin), "ladder-dev-es256", true);
  spec = SpecFor(admin);
  spec.audience = "another-system";
  add("wrong audience", spec);
  spec = SpecFor(admin);
  spec.issuer = "someone-else";
  add("wrong issuer", spec);
  spec = SpecFor(admin);
  spec.kid = "";
  add("no kid", spec);
  spec = SpecFor(admin);
  spec.kid = "no-such-key";
  add("unknown kid", spec);
  spec = SpecFor(admin);
  spec.kid = "ladder-dev-rs256";
  add("ES256 signature under an RSA key's kid", spec);
  spec = SpecFor(admin);
  spec.expires_at = absl::InfinitePast();
  add("no exp", spec);
  spec = SpecFor(admin);
  spec.role = "ROOT";
  add("unknown role", spec);
  spec = SpecFor(admin);
  spec.role = "SERVICE";
  add("a service role claimed by a token", spec);
  spec = SpecFor(TestIdentity{"county", "COUNTY_HR"});
  add("county HR without counties", spec);
  spec = SpecFor(admin);
  spec.subject = "";
  add("no subject", spec);
  refused.emplace_back("alg none", Base64Url(R"({"alg":"none","typ":"JWT","kid":"ladder-dev-es256"})") + "." +
                                       Base64Url(PayloadJson()) + ".");
  refused.emplace_back("HS256 keyed with the public key", HmacWithPublicKey(PayloadJson()));
  refused.emplace_back("not a JWT", "not-a-token");
  refused.emplace_back("garbage segments", "a.b.c");
  const std::string good = TokenFor(admin);
  refused.emplace_back("payload swapped under a valid signature",
                       good.substr(0, good.find('.')) + "." + Base64Url(PayloadJson()) + good.substr(good.rfind('.')));

  for (const auto& [what, token] : refused) {
    SCOPED_TRACE(what);
    const grpc::Status status = CallWithToken(token);
    EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED) << status.error_message();
    EXPECT_EQ(status.error_message().find(token), std::string::npos) << "the refusal repeats the token";
  }

  spdlog::default_logger()->flush();
  const std::string logged = logs.str();
  auto& sinks = spdlog::default_logger()->sinks();
  sinks.erase(std::remove(sinks.begin(), sinks.end(), sink), sinks.end());
  EXPECT_THAT(logged, ::testing::HasSubstr("event=unauthenticated"));
  for (const auto& [what, token] : refused) {
    if (token.size() < 8) continue;
    EXPECT_EQ(logged.find(token), std::string::npos) << what << ": the token was logged";
  }
  EXPECT_EQ(logged.find(good), std::string::npos) << "a good token was logged";
}

// Only counties (区县) may be in a COUNTY_HR token's counties claim: one naming the branch
// would reach branch-wide cycles, reviews and reports. Every service refuses such a token
// when it checks it; a token naming a county still works.
TEST_F(AuthenticationTest, CountyHrTokenNamingTheBranchIsRefusedEverywhere) {
  const World world = BuildWorld();
  const Caller branch_hr = AsUser({"branch-as-county", "COUNTY_HR", {world.city}});
  const Caller mixed_hr = AsUser({"mixed-counties", "COUNTY_HR", {world.county_a, world.city}});
  const Caller county_hr = AsUser({"county-hr-ok", "COUNTY_HR", {world.county_a}});
  const std::vector<std::pair<std::string, std::string>> calls = {
      {personnel_server_->address(), "/ladder.personnel.v1.PersonnelService/ListOrgUnits"},
      {evaluation_server_->address(), "/ladder.evaluation.v1.EvaluationService/ListCycles"},
      {careerpath_server_->address(), "/ladder.careerpath.v1.CareerPathService/ListCases"},
  };
  for (const auto& [address, method] : calls) {
    for (const Caller& caller : {branch_hr, mixed_hr}) {
      grpc::Status status = RawCall(address, method, "", caller);
      EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED)
          << method << " as " << caller.identity.subject << ": " << status.error_message();
      EXPECT_THAT(status.error_message(), ::testing::HasSubstr("not a county")) << method;
    }
    grpc::Status status = RawCall(address, method, "", county_hr);
    EXPECT_NE(status.error_code(), StatusCode::UNAUTHENTICATED) << method << ": " << status.error_message();
  }
}

TEST_F(AuthenticationTest, NotABearerSchemeIsUnauthenticated) {
  grpc::GenericStub stub(ChannelFor(personnel_server_->address(), Anonymous()));
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Basic aHI6c2VjcmV0");
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1), response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, kListOrgUnits, grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  EXPECT_EQ(done.get_future().get().error_code(), StatusCode::UNAUTHENTICATED);
}

TEST_F(AuthenticationTest, ServiceOnlyCallsNeedTheRightClientCertificate) {
  const std::string address = personnel_server_->address();
  const std::string change = R"(name: "employees/1" expected_level: LEVEL_SENIOR level: LEVEL_JUNIOR reason: "x")";
  // TLS without a client certificate and without a token: nobody.
  EXPECT_EQ(RawCall(address, kChangeLevel, change, Anonymous()).error_code(), StatusCode::UNAUTHENTICATED);
  // A certificate of another service of the suite: known, but not allowed to change levels.
  EXPECT_EQ(RawCall(address, kChangeLevel, change, AsService("personnel")).error_code(), StatusCode::PERMISSION_DENIED);
  // Careerpath's certificate passes the policy (the call then fails on its own terms).
  const grpc::Status careerpath = RawCall(address, kChangeLevel, change, AsService("careerpath"));
  EXPECT_NE(careerpath.error_code(), StatusCode::PERMISSION_DENIED) << careerpath.error_message();
  EXPECT_NE(careerpath.error_code(), StatusCode::UNAUTHENTICATED) << careerpath.error_message();
}

TEST_F(AuthenticationTest, CertificatesFromAnotherAuthorityAndPlaintextAreRefused) {
  const std::string address = personnel_server_->address();
  // A client certificate that claims to be careerpath, signed by a CA the suite does not trust.
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(std::make_shared<grpc::experimental::StaticDataCertificateProvider>(
      ReadPki("ca.crt"),
      std::vector<grpc::experimental::IdentityKeyCertPair>{{ReadPki("rogue.key"), ReadPki("rogue.crt")}}));
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  auto rogue = grpc::CreateChannel(address, grpc::experimental::TlsCredentials(options));
  grpc::GenericStub rogue_stub(rogue);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1), response;
  std::promise<grpc::Status> done;
  rogue_stub.UnaryCall(&context, kChangeLevel, grpc::StubOptions(), &request, &response,
                       [&done](grpc::Status status) { done.set_value(std::move(status)); });
  const grpc::Status refused = done.get_future().get();
  EXPECT_EQ(refused.error_code(), StatusCode::UNAVAILABLE) << refused.error_message();

  // A certificate of the suite's own CA that names no service: the handshake succeeds, the
  // call does not.
  grpc::experimental::TlsChannelCredentialsOptions stranger_options;
  stranger_options.set_certificate_provider(std::make_shared<grpc::experimental::StaticDataCertificateProvider>(
      ReadPki("ca.crt"),
      std::vector<grpc::experimental::IdentityKeyCertPair>{{ReadPki("stranger.key"), ReadPki("stranger.crt")}}));
  stranger_options.watch_root_certs();
  stranger_options.watch_identity_key_cert_pairs();
  grpc::GenericStub stranger_stub(grpc::CreateChannel(address, grpc::experimental::TlsCredentials(stranger_options)));
  grpc::ClientContext stranger_context;
  stranger_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::ByteBuffer stranger_response;
  std::promise<grpc::Status> stranger_done;
  stranger_stub.UnaryCall(&stranger_context, kChangeLevel, grpc::StubOptions(), &request, &stranger_response,
                          [&stranger_done](grpc::Status status) { stranger_done.set_value(std::move(status)); });
  const grpc::Status stranger = stranger_done.get_future().get();
  EXPECT_EQ(stranger.error_code(), StatusCode::UNAUTHENTICATED) << stranger.error_message();

  // Plaintext to a TLS server never gets an answer.
  auto plaintext = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(plaintext);
  grpc::ClientContext plain_context;
  plain_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  grpc::health::v1::HealthCheckResponse answer;
  EXPECT_EQ(health->Check(&plain_context, grpc::health::v1::HealthCheckRequest(), &answer).error_code(),
            StatusCode::UNAVAILABLE);
}

TEST_F(AuthenticationTest, HealthAndReflectionNeedAnIdentityToo) {
  const std::string address = personnel_server_->address();
  auto ask = [&](const Caller& caller) {
    auto stub = grpc::health::v1::Health::NewStub(ChannelFor(address, caller));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (caller.token) Authorize(context, caller.identity);
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    return stub->Check(&context, request, &response);
  };
  EXPECT_EQ(ask(Anonymous()).error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(ask(AsService("personnel")).ok()) << "a probe with the pod's own certificate";
  EXPECT_TRUE(ask(AsUser({"auditor", "AUDITOR"})).ok());
}

// channelz lists a server's channels and sockets with its peers' addresses: only an OPERATOR
// token reaches it, on every server; anyone else is refused in the transport. (An OPERATOR
// token reaches no business RPC: the access matrix has it refused everywhere.)
TEST_F(AuthenticationTest, ChannelzIsForOperatorsOnly) {
  static constexpr char kGetServers[] = "/grpc.channelz.v1.Channelz/GetServers";
  auto ask = [](const std::string& address, const Caller& caller, grpc::ByteBuffer* response) {
    grpc::GenericStub stub(ChannelFor(address, caller));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (caller.token) Authorize(context, caller.identity);
    grpc::Slice empty("");  // an empty GetServersRequest: from the first server on
    grpc::ByteBuffer request(&empty, 1);
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, kGetServers, grpc::StubOptions(), &request, response,
                   [&done](grpc::Status status) { done.set_value(std::move(status)); });
    return done.get_future().get();
  };
  for (const std::string& address :
       {personnel_server_->address(), evaluation_server_->address(), careerpath_server_->address()}) {
    SCOPED_TRACE(address);
    grpc::ByteBuffer servers;
    const grpc::Status operator_status = ask(address, AsUser({"on-call", "OPERATOR"}), &servers);
    ASSERT_TRUE(operator_status.ok()) << operator_status.error_message();
    EXPECT_GT(servers.Length(), 0u) << "channelz lists this server";
    for (const Caller& refused : {AsUser({"hr-admin", "HR_ADMIN"}), AsUser({"auditor", "AUDITOR"}),
                                  AsService("personnel"), AsService("careerpath")}) {
      grpc::ByteBuffer ignored;
      const grpc::Status status = ask(address, refused, &ignored);
      EXPECT_EQ(status.error_code(), StatusCode::PERMISSION_DENIED) << refused.label << ": " << status.error_message();
      EXPECT_THAT(status.error_message(), ::testing::HasSubstr("OPERATOR")) << refused.label;
    }
    grpc::ByteBuffer ignored;
    EXPECT_EQ(ask(address, Anonymous(), &ignored).error_code(), StatusCode::UNAUTHENTICATED);
  }
}

}  // namespace
}  // namespace ladder::testing
