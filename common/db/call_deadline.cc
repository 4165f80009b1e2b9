#include "common/db/call_deadline.h"

#include <algorithm>

namespace ladder::db {
namespace {

thread_local absl::Time current_deadline = absl::InfiniteFuture();

}  // namespace

ScopedCallDeadline::ScopedCallDeadline(absl::Time deadline) : previous_(current_deadline) {
  current_deadline = deadline;
}

ScopedCallDeadline::~ScopedCallDeadline() { current_deadline = previous_; }

absl::Time CurrentCallDeadline() { return current_deadline; }

absl::Duration StatementBoundFor(absl::Duration configured, absl::Time deadline, absl::Time now) {
  constexpr absl::Duration kStep = absl::Milliseconds(100);
  if (deadline == absl::InfiniteFuture()) return configured;
  const absl::Duration left = std::max(absl::Floor(deadline - now, kStep), kStep);
  return configured == absl::ZeroDuration() ? left : std::min(configured, left);
}

}  // namespace ladder::db
