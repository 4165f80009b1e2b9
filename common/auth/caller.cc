#include "common/auth/caller.h"

namespace ladder::auth {
namespace {
thread_local const Principal* current_caller = nullptr;
}  // namespace

ScopedCaller::ScopedCaller(const Principal& principal) : previous_(current_caller) { current_caller = &principal; }

ScopedCaller::~ScopedCaller() { current_caller = previous_; }

const Principal* CurrentCaller() { return current_caller; }

Caller CallerOfCurrentCall() {
  if (current_caller == nullptr) return Caller{"anonymous", "", ""};
  return Caller{current_caller->actor, std::string(RoleName(current_caller->role)), current_caller->on_behalf_of};
}

}  // namespace ladder::auth
