#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/auth/principal.h"
#include "grpcpp/server_context.h"

namespace ladder::auth {

// The metadata a Ladder service adds to its calls to another: the actor of the call it is
// serving. Only believed from a caller verified as a service.
inline constexpr absl::string_view kOnBehalfOfMetadata = "x-ladder-on-behalf-of";

// Makes `principal` the caller of the handler running on this thread until destroyed. The
// call guard sets it around every handler (sync handlers run on one thread from start to
// end), so stores record who asked without each handler passing it along.
class ScopedCaller final {
 public:
  explicit ScopedCaller(const Principal& principal);
  ~ScopedCaller();
  ScopedCaller(const ScopedCaller&) = delete;
  ScopedCaller& operator=(const ScopedCaller&) = delete;

 private:
  const Principal* previous_;
};

// The principal of the guarded call running on this thread, or nullptr.
const Principal* CurrentCaller();

// Who a change is recorded under.
struct Caller {
  // "user:<sub>", "service:<name>"; on a plaintext development server "user:<x-ladder-actor>".
  std::string principal;
  std::string role;
  // When a service calls for a person: that person's actor.
  std::string on_behalf_of;
};

// The caller of the guarded call running on this thread, or "anonymous" outside one. For the
// record only: authorization is the access policy's.
Caller CallerOfCurrentCall();

}  // namespace ladder::auth
