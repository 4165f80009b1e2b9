#include "common/server/audit_rpcs.h"

#include "absl/strings/str_cat.h"
#include "common/api/pagination.h"
#include "common/api/validation.h"
#include "common/db/audit_log.h"

namespace ladder::server {

absl::Status ListAuditEventsPage(db::ConnectionPool& pool, int page_size, const std::string& page_token,
                                 const std::string& actor,
                                 google::protobuf::RepeatedPtrField<common::v1::AuditEvent>& events,
                                 std::string& next_page_token) {
  if (!actor.empty()) {
    if (absl::Status s = api::ValidateText(actor, "actor", 1, 160); !s.ok()) return s;
  }
  const std::string query = absl::StrCat("audit:", actor);
  // The token carries the id to continue below (the list runs newest first).
  absl::StatusOr<api::PageRequest> page = api::ParsePageRequest(page_size, page_token, query);
  if (!page.ok()) return page.status();
  absl::StatusOr<db::AuditPage> found = db::ListAuditEvents(pool, page->after_id, page->page_size, actor);
  if (!found.ok()) return found.status();
  for (const db::StoredAuditEvent& stored : found->events) {
    common::v1::AuditEvent& event = *events.Add();
    event.set_name(absl::StrCat("auditEvents/", stored.id));
    const int64_t micros = absl::ToUnixMicros(stored.event.occurred_at);
    event.mutable_occur_time()->set_seconds(micros / 1000000);
    event.mutable_occur_time()->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
    event.set_actor(stored.event.actor);
    event.set_role(stored.event.role);
    event.set_on_behalf_of(stored.event.on_behalf_of);
    event.set_method(stored.event.action);
    event.set_resource(stored.event.resource);
    event.set_request_id(stored.event.request_id);
    event.set_outcome(stored.event.outcome);
    event.set_before_json(stored.event.before_json);
    event.set_after_json(stored.event.after_json);
    event.set_previous_hash(stored.previous_hash);
    event.set_hash(stored.hash);
  }
  next_page_token = found->next_before_id == 0 ? "" : api::MakePageToken(found->next_before_id, query);
  return absl::OkStatus();
}

absl::StatusOr<common::v1::AuditTrailVerification> VerifyAuditTrail(db::ConnectionPool& pool) {
  absl::StatusOr<db::AuditVerification> verified = db::VerifyAuditChain(pool);
  if (!verified.ok()) return verified.status();
  common::v1::AuditTrailVerification result;
  result.set_events_checked(verified->events_checked);
  result.set_intact(verified->intact);
  if (verified->last_id > 0) result.set_last_event(absl::StrCat("auditEvents/", verified->last_id));
  result.set_last_hash(verified->last_hash);
  if (!verified->intact) {
    result.set_first_broken_event(absl::StrCat("auditEvents/", verified->first_broken_id));
    result.set_problem(verified->problem);
  }
  return result;
}

}  // namespace ladder::server
