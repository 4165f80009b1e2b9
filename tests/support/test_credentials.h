#pragma once

// The test servers run as in production: TLS with the development PKI that scripts/test.sh
// creates (LADDER_TEST_PKI_DIR, scripts/lib/dev-pki.sh) and bearer tokens signed with its
// development key. These helpers give servers their side and clients theirs.

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/auth/authenticator.h"
#include "common/server/transport_security.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "tools/token/token_signer.h"

namespace ladder::testing {

// The PKI directory; aborts the test binary with a message when LADDER_TEST_PKI_DIR is unset.
const std::string& PkiDir();

// Server-side TLS of `service` ("personnel", "evaluation", "careerpath"): its certificate
// and key, the development CA.
server::TransportSecurity ServerTransport(const std::string& service);

// An authenticator that verifies tokens signed with the development keys (issuer and
// audience "ladder").
std::shared_ptr<auth::Authenticator> TestAuthenticator();

// Client TLS that verifies servers against the development CA; with `client_service`
// non-empty, also presents that service's certificate (mutual TLS).
std::shared_ptr<grpc::ChannelCredentials> ClientCredentials(const std::string& client_service = "");

// Who a test calls as.
struct TestIdentity {
  TestIdentity() = default;
  // NOLINTNEXTLINE(google-explicit-constructor): {"subject", "ROLE", ...} reads best in tests.
  TestIdentity(std::string subject_name, std::string role_name = "HR_ADMIN", std::vector<std::string> county_names = {},
               std::string team_name = "", std::string employee_name = "")
      : subject(std::move(subject_name)),
        role(std::move(role_name)),
        counties(std::move(county_names)),
        team(std::move(team_name)),
        employee(std::move(employee_name)) {}

  std::string subject = "test";
  std::string role = "HR_ADMIN";
  std::vector<std::string> counties;
  std::string team;
  std::string employee;
};

// A token for `identity`, valid for an hour, signed with the development ES256 key.
std::string TokenFor(const TestIdentity& identity);
// The claims of TokenFor as a spec, to alter before signing (expired, wrong audience, ...).
token::TokenSpec SpecFor(const TestIdentity& identity);
// Signs `spec` with the development key named `key` under jwt/private (or the rogue key with
// `rogue`): "ladder-dev-es256" or "ladder-dev-rs256".
std::string Sign(const token::TokenSpec& spec, const std::string& key = "ladder-dev-es256", bool rogue = false);

// Adds `authorization: Bearer <TokenFor(identity)>` to a call.
void Authorize(grpc::ClientContext& context, const TestIdentity& identity);
void AuthorizeWithToken(grpc::ClientContext& context, const std::string& token);

}  // namespace ladder::testing
