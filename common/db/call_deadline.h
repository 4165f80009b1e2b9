#pragma once

// The deadline of the call a thread is serving, so the database layer never waits for a
// connection, or retries a transaction, after the caller has given up, and a call to another
// service never outlives the call it serves. The call guard sets
// it around every handler (sync handlers run on one thread from start to end).

#include "absl/time/time.h"

namespace ladder::db {

class ScopedCallDeadline final {
 public:
  explicit ScopedCallDeadline(absl::Time deadline);
  ~ScopedCallDeadline();
  ScopedCallDeadline(const ScopedCallDeadline&) = delete;
  ScopedCallDeadline& operator=(const ScopedCallDeadline&) = delete;

 private:
  absl::Time previous_;
};

// The deadline of the call running on this thread; InfiniteFuture() outside one, or when
// the caller set none.
absl::Time CurrentCallDeadline();

// How long a statement may run on the server for a call that must end by `deadline`: the
// configured bound (zero: none), or less when the call has less time left. Rounded down to
// 100 ms steps (at least one), so that calls with the same deadline ask the same bound and a
// session changes it only when the callers' deadlines differ.
absl::Duration StatementBoundFor(absl::Duration configured, absl::Time deadline, absl::Time now);

}  // namespace ladder::db
