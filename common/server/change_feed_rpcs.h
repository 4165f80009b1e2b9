#pragma once

// ListChanges and WatchChanges, the same in every service over its own change feed
// (common/db/change_feed.h); a service binds them to its request, response and Change types.
// A cursor is an opaque token for a feed position; a Change carries the cursor after it.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/api/pagination.h"
#include "common/db/change_feed.h"
#include "common/db/connection_pool.h"
#include "common/server/call_guard.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "google/protobuf/repeated_field.h"
#include "grpcpp/server_context.h"

namespace ladder::server {

// The token for the feed position `position`.
std::string EncodeChangeCursor(int64_t position);
// The position of a token from EncodeChangeCursor; empty: 0 (the oldest change kept).
// INVALID_ARGUMENT naming `cursor` for anything else.
absl::StatusOr<int64_t> DecodeChangeCursor(const std::string& cursor);

// The county filter's id (0: none), from "orgUnits/{id}".
absl::StatusOr<int64_t> ChangeCountyOf(const std::string& county);

// What a watch is told of the feed, and how often it asks.
struct WatchOptions {
  // How long a watch that found nothing new waits before it reads the feed again.
  absl::Duration poll_interval = absl::Milliseconds(200);
  // How often a watch with nothing new sends a message with the current cursor, so that
  // the consumer's saved cursor keeps up with changes its filter leaves out, and a dead
  // connection is found.
  absl::Duration heartbeat_interval = absl::Seconds(10);
  // Changes read (and sent) at a time while catching up.
  int batch = 500;
  // When set and true, the watch ends with UNAVAILABLE (the server is shutting down).
  const std::atomic<bool>* ending = nullptr;
};

// The request's kinds (a repeated enum field) as the feed stores them, validated.
template <typename Change>
absl::StatusOr<db::ChangeFilter> ChangeFilterOf(const google::protobuf::RepeatedField<int>& kinds, int64_t county_id) {
  db::ChangeFilter filter;
  filter.county_id = county_id;
  if (kinds.size() > 32) return InvalidFieldError("kinds", "name at most 32 kinds");
  for (int i = 0; i < kinds.size(); ++i) {
    if (kinds.Get(i) == 0 || !Change::Kind_IsValid(kinds.Get(i))) {
      return InvalidFieldError(absl::StrCat("kinds[", i, "]"), absl::StrCat(kinds.Get(i), " is not a kind of change"));
    }
    filter.kinds.push_back(Change::Kind_Name(static_cast<typename Change::Kind>(kinds.Get(i))));
  }
  return filter;
}

// Where a ListChanges or WatchChanges request starts and what it lets through.
struct FeedQuery {
  int64_t position = 0;
  db::ChangeFilter filter;
};

template <typename Change, typename Request>
absl::StatusOr<FeedQuery> FeedQueryOf(const Request& request) {
  FeedQuery query;
  absl::StatusOr<int64_t> position = DecodeChangeCursor(request.cursor());
  if (!position.ok()) return position.status();
  query.position = *position;
  absl::StatusOr<int64_t> county = ChangeCountyOf(request.county());
  if (!county.ok()) return county.status();
  absl::StatusOr<db::ChangeFilter> filter = ChangeFilterOf<Change>(request.kinds(), *county);
  if (!filter.ok()) return filter.status();
  query.filter = *std::move(filter);
  return query;
}

// A stored change as the service's Change message: its payload, with what the audit event
// holds (actor, time, ids) and its name and cursor filled in.
template <typename Change>
absl::StatusOr<Change> ChangeFromStored(const db::StoredChange& stored) {
  Change change;
  if (!change.ParseFromString(stored.payload)) {
    return absl::InternalError(absl::StrCat("change ", stored.id, " of the feed does not parse"));
  }
  change.set_name(absl::StrCat("changes/", stored.id));
  change.set_actor(stored.actor);
  change.set_on_behalf_of(stored.on_behalf_of);
  const int64_t micros = absl::ToUnixMicros(stored.occurred_at);
  change.mutable_change_time()->set_seconds(micros / 1000000);
  change.mutable_change_time()->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  change.set_request_id(stored.request_id);
  change.set_trace_id(stored.trace_id);
  change.set_cursor(EncodeChangeCursor(stored.id));
  return change;
}

// Appends `batch`'s changes to `out`.
template <typename Change>
absl::Status AppendChanges(const db::ChangeBatch& batch, google::protobuf::RepeatedPtrField<Change>& out) {
  for (const db::StoredChange& stored : batch.changes) {
    absl::StatusOr<Change> change = ChangeFromStored<Change>(stored);
    if (!change.ok()) return change.status();
    *out.Add() = *std::move(change);
  }
  return absl::OkStatus();
}

// Seals pending audit events (and so publishes their changes) before a read of the feed.
void SealBeforeReading(db::ConnectionPool& pool);

// The feed from `position` for a watch: calls `send` with every batch (and with a
// heartbeat), until `send` fails or the context is cancelled or past its deadline.
absl::Status FollowChanges(grpc::ServerContext& context, db::ConnectionPool& pool, int64_t position,
                           const db::ChangeFilter& filter, const WatchOptions& options,
                           const std::function<bool(const db::ChangeBatch&)>& send);

template <typename Request, typename Response, typename Change>
auto ListChangesHandler(db::ConnectionPool* pool, std::string domain) {
  return [pool, domain](grpc::ServerContext*, const Request* request, Response* response) {
    const auto list = [&]() -> absl::Status {
      absl::StatusOr<int> page_size = api::ParsePageSize(request->page_size());
      if (!page_size.ok()) return page_size.status();
      absl::StatusOr<FeedQuery> query = FeedQueryOf<Change>(*request);
      if (!query.ok()) return query.status();
      SealBeforeReading(*pool);
      absl::StatusOr<db::ChangeBatch> batch = db::ReadChanges(*pool, query->position, query->filter, *page_size);
      if (!batch.ok()) return batch.status();
      if (absl::Status appended = AppendChanges<Change>(*batch, *response->mutable_changes()); !appended.ok()) {
        return appended;
      }
      response->set_next_cursor(EncodeChangeCursor(batch->position));
      return absl::OkStatus();
    };
    return ToGrpcStatus(list(), domain);
  };
}

// Who may read a feed: `readers`, county HR among them reaching the changes of their
// counties. A request without a county reaches the whole branch; county HR of one county are
// narrowed to it, of several must name one.
template <typename Request>
Access<Request> ChangeFeedAccess(auth::Grants readers) {
  Access<Request> access{std::move(readers)};
  access.scope = [](const Request& request) -> absl::StatusOr<auth::Scope> {
    absl::StatusOr<int64_t> county = ChangeCountyOf(request.county());
    if (!county.ok()) return county.status();
    if (*county == 0) return auth::Scope{};
    return auth::Scope{{*county}, 0, 0};
  };
  access.narrow = [](const auth::Principal& principal, Request& request) -> absl::Status {
    if (principal.role != auth::Role::kCountyHr || !request.county().empty()) return absl::OkStatus();
    if (principal.counties.size() != 1) {
      return absl::PermissionDeniedError("county HR of several counties name one of them in `county`");
    }
    request.set_county(absl::StrCat("orgUnits/", principal.counties.front()));
    return absl::OkStatus();
  };
  return access;
}

// Registers the ladder_change_feed_* series, so that they show (at 0) before the first watch.
void RegisterChangeFeedMetrics();

template <typename Request, typename Response, typename Change>
auto WatchChangesHandler(db::ConnectionPool* pool, std::string domain, WatchOptions options = {}) {
  RegisterChangeFeedMetrics();
  return [pool, domain, options](grpc::ServerContext* context, const Request* request,
                                 const std::function<bool(const Response&)>& write) {
    const auto watch = [&]() -> absl::Status {
      absl::StatusOr<FeedQuery> query = FeedQueryOf<Change>(*request);
      if (!query.ok()) return query.status();
      absl::Status converted;
      absl::Status followed =
          FollowChanges(*context, *pool, query->position, query->filter, options, [&](const db::ChangeBatch& batch) {
            Response response;
            converted = AppendChanges<Change>(batch, *response.mutable_changes());
            if (!converted.ok()) return false;
            response.set_cursor(EncodeChangeCursor(batch.position));
            return write(response);
          });
      return converted.ok() ? followed : converted;
    };
    return ToGrpcStatus(watch(), domain);
  };
}

}  // namespace ladder::server
