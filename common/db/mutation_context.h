#pragma once

#include <string>

#include "common/db/idempotency.h"

namespace ladder::db {

// A mutating call as a store sees it: how a retry is recognised, and who asked (recorded as
// the actor of the change).
struct MutationContext {
  RequestKey request;
  std::string actor;
};

}  // namespace ladder::db
