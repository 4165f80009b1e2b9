#pragma once

// The change feed every service publishes (common/db/migrations/change_feed.sql): the
// changes its calls committed, in the order the audit sealer saw them commit, each under
// the id of its audit event. A reader continues from a position (the last id it has seen):
// every later change is read once, none is skipped, since ids are given at sealing, after
// commit. Changes older than the retention period are pruned; a position before what was
// pruned is refused, so that a consumer never silently misses a change.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/connection_pool.h"

namespace ladder::db {

struct StoredChange {
  // The position: the id of the change's audit event.
  int64_t id = 0;
  std::string kind;
  int64_t county_id = 0;
  int64_t other_county_id = 0;
  // The service's Change message as its store wrote it.
  std::string payload;
  // From the audit event.
  absl::Time occurred_at;
  std::string actor;
  std::string on_behalf_of;
  std::string resource;
  std::string request_id;
  std::string trace_id;
};

struct ChangeFilter {
  // Only these kinds; empty: every kind.
  std::vector<std::string> kinds;
  // Only changes touching this county; 0: every county.
  int64_t county_id = 0;
};

struct ChangeBatch {
  std::vector<StoredChange> changes;
  // Where to continue: the last change read when the batch is full, else the feed's end
  // as read (changes up to it that the filter left out are passed too). Never behind
  // the position asked for.
  int64_t position = 0;
};

// Whether this process publishes changes to its feed (on unless --change_feed=false, which
// exists to measure what publishing costs). Stores ask before building a change.
bool ChangeFeedPublishing();
void SetChangeFeedPublishing(bool on);

// Up to `limit` changes after `position` that pass `filter`, oldest first, read in one
// snapshot with the feed's end. Position 0 starts at the oldest change kept; a position
// before what was pruned is FAILED_PRECONDITION with reason CURSOR_EXPIRED.
absl::StatusOr<ChangeBatch> ReadChanges(ConnectionPool& pool, int64_t position, const ChangeFilter& filter, int limit);

// Deletes the oldest changes whose audit events are older than `retention`, in id order and
// a batch at a time, and moves the horizon past them. Returns how many went.
absl::StatusOr<int64_t> PruneChanges(ConnectionPool& pool, absl::Duration retention);

}  // namespace ladder::db
