#pragma once

#include <string>

#include "grpcpp/server_context.h"

namespace ladder::auth {

// Who is making a call: recorded as the actor of every change and, once transport
// security is configured, the basis of authorization.
struct Caller {
  // "user:<id>", "service:<name>", or "anonymous".
  std::string principal;
};

// The one place where a call's identity is derived. Today it is the caller's own
// declaration in the `x-ladder-actor` metadata (printable, at most 128 characters), or
// "anonymous"; verified identities (mTLS, signed tokens) replace this function's body, not
// its callers.
Caller CallerFromContext(const grpc::ServerContext& context);

}  // namespace ladder::auth
