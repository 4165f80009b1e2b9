#pragma once

// The benchmarks run the suite as production does: every server serves TLS with a
// certificate of the development PKI (scripts/lib/dev-pki.sh) and verifies bearer tokens
// against its public keys; every client verifies the servers against the PKI's CA and sends
// a bearer token on every call. What TLS and token verification cost is then part of what
// is measured, for the services and for the echo baseline alike.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/security/credentials.h"

namespace ladder::bench {

// The PKI directory: `flag_value` if set, else LADDER_TEST_PKI_DIR (which scripts/test.sh
// and scripts/bench.sh export); an error naming both when neither is.
absl::StatusOr<std::string> PkiDir(const std::string& flag_value = "");

// The command-line flags that make a server serve TLS with the PKI's certificate
// `certificate` ("personnel", "evaluation", "careerpath") and accept the tokens its
// development keys sign (issuer and audience "ladder", the servers' defaults).
std::vector<std::string> ServerSecurityFlags(const std::string& pki_dir, const std::string& certificate);

// What a client of the benchmarks presents, as the suite's tools do: TLS that verifies the
// server against DIR/ca.crt (no client certificate: it calls as a person or system, not as
// a service), and on every call `authorization: Bearer <token>` with an HR_ADMIN token
// (subject `subject`) signed once, here, with DIR/jwt/private/ladder-dev-es256.key (kid
// ladder-dev-es256), valid for `lifetime`. The servers verify the token on its first call
// and answer the calls after it from their cache.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> CallerCredentials(const std::string& pki_dir,
                                                                            const std::string& subject,
                                                                            absl::Duration lifetime = absl::Hours(12));

// A bearer token for `subject` with `role` (and, for an EMPLOYEE, the `employee` it is),
// signed like CallerCredentials' token: for clients that are not gRPC (h2load).
absl::StatusOr<std::string> SignedToken(const std::string& pki_dir, const std::string& subject, const std::string& role,
                                        const std::string& employee = "", absl::Duration lifetime = absl::Hours(12));

}  // namespace ladder::bench
